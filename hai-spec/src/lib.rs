//! The hai-rs spec format, its typed model and its validating loader.
//!
//! A spec is one JSON file describing one Tencent Cloud service at one API
//! version: service metadata, actions, named shapes and an error catalogue. It is
//! the single source of truth of the SDK: `hai-codegen` turns a [`Spec`] into Rust,
//! nothing reads it at run time. [`parse`] and [`load`] accept a spec only if it
//! passes every rule below, so a generator can rely on them; anything else is a
//! [`SpecError`] naming the JSON path of the problem, never a panic. [`Spec::resolve`]
//! validates too and returns a [`ResolvedSpec`]: the spec with the type of every member,
//! list and map parsed once, for code that reads types.
//!
//! # Example
//!
//! A complete, small spec (a made-up `demo` service):
//!
//! ```
//! let spec = hai_spec::parse(r#"{
//!   "format": 1,
//!   "service": {
//!     "name": "demo",
//!     "version": "2024-01-01",
//!     "host": "demo.tencentcloudapi.com",
//!     "regional_host": "demo.{region}.tencentcloudapi.com",
//!     "signing_service": "demo",
//!     "doc": "A demonstration service."
//!   },
//!   "actions": {
//!     "ResizeDisk": {
//!       "doc": "Resizes a disk.",
//!       "input": "ResizeDiskRequest",
//!       "output": "ResizeDiskResponse",
//!       "errors": ["InvalidParameterValue.DiskNotFound", "InternalError"],
//!       "rate_limit": 20,
//!       "idempotent": true,
//!       "examples": [{
//!         "title": "Grow a disk to 100 GB",
//!         "request": {"DiskId": "disk-1", "SizeGb": 100, "Mode": "ONLINE"},
//!         "response": {"Response": {"TaskId": 42, "RequestId": "6c3b-..."}}
//!       }]
//!     }
//!   },
//!   "shapes": {
//!     "ResizeDiskRequest": {
//!       "type": "structure",
//!       "doc": "Parameters of ResizeDisk.",
//!       "members": [
//!         {"name": "DiskId", "type": "string", "required": true,
//!          "doc": "The disk.", "example": "disk-1"},
//!         {"name": "SizeGb", "type": "int64", "required": true, "example": "100"},
//!         {"name": "Mode", "type": "ResizeMode", "default": "ONLINE"},
//!         {"name": "Tags", "type": "map<string>", "example": {"team": "infra"}},
//!         {"name": "Notify", "type": "list<Contact>"}
//!       ]
//!     },
//!     "ResizeDiskResponse": {
//!       "type": "structure",
//!       "members": [
//!         {"name": "TaskId", "type": "uint64", "nullable": true},
//!         {"name": "RequestId", "type": "string", "required": true}
//!       ]
//!     },
//!     "ResizeMode": {
//!       "type": "enum",
//!       "values": [
//!         {"value": "ONLINE", "doc": "Without stopping the instance."},
//!         {"value": "OFFLINE"}
//!       ]
//!     },
//!     "Contact": {
//!       "type": "structure",
//!       "members": [{"name": "Email", "type": "string", "required": true}]
//!     },
//!     "Contacts": {"type": "list", "member": "Contact"},
//!     "ContactsByTeam": {"type": "map", "value": "Contacts"}
//!   },
//!   "errors": {
//!     "common": {"InternalError": "An internal error occurred."},
//!     "service": {"InvalidParameterValue.DiskNotFound": "The disk does not exist."}
//!   }
//! }"#)?;
//!
//! let action = &spec.actions["ResizeDisk"];
//! assert_eq!(action.rate_limit, Some(20));
//! let input = spec.structure(&action.input).expect("validated");
//! let contacts = hai_spec::TypeRef::List(Box::new(hai_spec::TypeRef::Shape("Contact".into())));
//! assert_eq!(input.members[4].type_ref(), Ok(contacts.clone()));
//!
//! // `resolve` validates and keeps every type it parsed, so nothing parses them again.
//! let resolved = spec.resolve()?;
//! let member = resolved.members(&action.input).get(4).expect("five members");
//! assert_eq!((member.member.name.as_str(), &member.ty), ("Notify", &contacts));
//!
//! // A bad spec names the JSON path of the problem.
//! let err = hai_spec::parse(r#"{"format": 2}"#).unwrap_err();
//! assert_eq!(err.to_string(), "missing field `service` at line 1 column 13");
//! # Ok::<(), hai_spec::SpecError>(())
//! ```
//!
//! # Format
//!
//! Keys not listed here are errors everywhere. Optional keys may be omitted; a
//! `null` for an optional key means the same as omitting it. Objects keyed by name
//! (`actions`, `shapes`, the catalogue) must not repeat a key.
//!
//! ## Top level
//!
//! | key | type | |
//! |---|---|---|
//! | `format` | integer | version of this format; must be `1` |
//! | `service` | object | [service metadata](#service) |
//! | `actions` | object | action name -> [action](#actions) |
//! | `shapes` | object | shape name -> [shape](#shapes) |
//! | `errors` | object | the [error catalogue](#error-catalogue) |
//! | `resources` | object | resource name -> [resource](#resources) with waitable states; optional |
//!
//! ## Service
//!
//! | key | type | |
//! |---|---|---|
//! | `name` | string, required | short service name (`hai`): lower-case letters and digits, starting with a letter |
//! | `version` | string, required | API version sent as `X-TC-Version`, `YYYY-MM-DD` |
//! | `host` | string, required | default endpoint host name (letters, digits, `.`, `-`; no scheme, port or path) |
//! | `regional_host` | string | host template containing `{region}`, e.g. `hai.{region}.tencentcloudapi.com` |
//! | `signing_service` | string, required | service in the TC3 credential scope, same syntax as `name`; never derived from the host, so custom endpoints still sign correctly |
//! | `doc` | string | English description |
//! | `region_required` | boolean, default `true` | whether every call must name a region (`X-TC-Region`); `false` for the few global services |
//!
//! ## Actions
//!
//! Action names (the `Action` header value) match `[A-Za-z][A-Za-z0-9_]*`. Names that
//! differ only in case or underscores are allowed; the generator numbers the Rust
//! names they share (see `hai-codegen`).
//!
//! | key | type | |
//! |---|---|---|
//! | `doc` | string, required | English description, not blank |
//! | `input` | string, required | name of a structure shape: the request parameters |
//! | `output` | string, required | name of a structure shape: the content of `Response`; it must have a member `RequestId` of type `string` |
//! | `errors` | array of strings | service error codes the action documents; each in the catalogue (service or common part), no repeats |
//! | `rate_limit` | integer | documented requests per second, greater than 0; omitted means no documented limit |
//! | `idempotent` | boolean, default `false` | repeating the call has no further effect, so the SDK may retry it after transient failures; otherwise only failures that provably never reached the server are retried |
//! | `read_only` | boolean, default `false` | the action changes nothing (`Describe*`, `Inquire*`, `Get*`), so the SDK retries it after transient failures like an idempotent one |
//! | `examples` | array | worked [examples](#examples) |
//! | `paging` | object | how the action [pages](#paging) through a listing |
//!
//! Each input and output shape belongs to exactly one action in one role (it is
//! generated into that action's module), and cannot be used as a member type.
//!
//! ## Paging
//!
//! A listing action that takes an offset and a page size gets a paginator (a stream of
//! pages and of items). Member names refer to the action's input or output structure.
//!
//! | key | type | |
//! |---|---|---|
//! | `offset` | string, required | input member with the number of items to skip; `int64` or `uint64` |
//! | `limit` | string, required | input member with the page size; `int64` or `uint64`; not the offset member |
//! | `items` | string, required | output member with the page's items; a list (`list<T>` or a list shape) |
//! | `total_count` | string | output member with the number of items across all pages; `int64` or `uint64`. Omitted: the service reports none, so a short or empty page ends the listing |
//! | `default_page_size` | integer | the page size the service documents for a request without a limit; at least 1. Omitted: the paginator sends no limit unless the caller sets one |
//! | `max_page_size` | integer | the largest page size the service documents, at least `default_page_size`; larger requested sizes are lowered to it |
//!
//! ## Resources
//!
//! A resource is a kind of thing with a lifecycle state (an instance, a service) that a
//! caller waits for. Its waiters poll the `describe` action for one id until the item's
//! state is the target, give up early when the target is unreachable from the state seen,
//! and keep polling on states this table does not know. Resource and waiter names match
//! `[A-Za-z][A-Za-z0-9_]*`.
//!
//! | key | type | |
//! |---|---|---|
//! | `doc` | string | English description |
//! | `describe` | string, required | the action that lists the resources |
//! | `id_list` | string | input member of `describe` taking ids, a list of strings |
//! | `filter` | object | `{"member", "name"}`: input member of `describe` holding filters (a list of structures with members `Name`, a string, and `Values`, a list of strings; no other required members) and the filter name that matches ids |
//! | `items` | string, required | output member of `describe` with the resources, a list of structures |
//! | `id` | string, required | member of the item structure with the id, a string |
//! | `state` | string, required | member of the item structure with the state, a string or an enum |
//! | `not_found_errors` | array of strings | error codes of `describe` (its `errors` or `errors.common`, no repeats) that mean the resource does not exist, for services that answer so instead of with an empty list; a waiter treats them like an empty list |
//! | `unreachable` | object | target state -> the states (array) from which it can no longer be reached; a target not listed is reachable from every state |
//! | `waiters` | object | waiter name -> `{"doc", "target"}`: the state the waiter waits for |
//!
//! Exactly one of `id_list` and `filter` is given, and `describe`'s input has no other
//! required member. States are values of the enum (for an enum state member), otherwise
//! non-empty printable ASCII without white space; no state is unreachable from itself and
//! none is listed twice.
//!
//! ## Examples
//!
//! | key | type | |
//! |---|---|---|
//! | `title` | string, required | short title, not blank |
//! | `doc` | string | longer description |
//! | `request` | object, required | the request body: members of the input shape, all required ones present |
//! | `response` | object, required | the whole envelope `{"Response": {...}}` |
//!
//! A success `Response` holds members of the output shape, all required ones
//! present. An error `Response` holds only `Error` (`{"Code", "Message"}`, strings,
//! the code among the action's `errors` or in `errors.common`) and `RequestId`.
//! Example values must fit their member types exactly as on the wire: 64-bit
//! integers are JSON integers here, not strings.
//!
//! ## Shapes
//!
//! Shape names match `[A-Za-z][A-Za-z0-9_]*` and are not a primitive type name; names
//! that differ only in case or underscores are allowed, as for actions. Each shape is an object whose `type`
//! key says its kind; the other keys depend on the kind (a key of another kind is an
//! error):
//!
//! | `type` | keys | meaning |
//! |---|---|---|
//! | `structure` | `doc`, `members` (array of [members](#members), required) | a JSON object with members in wire order |
//! | `enum` | `doc`, `values` (array, at least one) | a string with known values; each value is `{"value", "doc"}` |
//! | `list` | `doc`, `member` (type, required) | a JSON array of `member` |
//! | `map` | `doc`, `value` (type, required) | a JSON object with string keys and `value` values |
//!
//! Enum values are non-empty printable ASCII without white space, contain a letter
//! or digit, and are unique even ignoring case and punctuation (each names a Rust
//! variant). The SDK still accepts unknown values when decoding.
//!
//! A structure may contain itself, directly or through other structures, by value or
//! through lists and maps; the generator boxes the links that need it. Shapes that no
//! action reaches are allowed.
//!
//! ## Members
//!
//! | key | type | |
//! |---|---|---|
//! | `name` | string, required | wire name, `[A-Za-z][A-Za-z0-9_]*`, unique in the structure. Names that differ only in case or underscores are allowed (`GPUCount` and `GpuCount`): the generator gives the second one the Rust field `gpu_count_2` |
//! | `type` | string, required | a [type](#types) |
//! | `required` | boolean, default `false` | input: the caller must give it (an argument of `new`); output: the service documents it as always present |
//! | `nullable` | boolean, default `false` | the service may send `null` for it |
//! | `doc` | string | English description |
//! | `example` | any | an example value, for documentation |
//! | `default` | any | the value the service assumes when the member is absent; documentation only, the SDK never sends it. Not allowed on required members |
//! | `sensitive` | boolean, default `false` | a secret (password, API key, token): the generated `Debug` prints it as redacted; serialisation is unchanged |
//! | `deprecated` | boolean, default `false` | withdrawn by the service (Tencent's api.json marks it `"disabled": true`) yet still sent by some answers, so it is generated with `#[deprecated]` rather than dropped; never `required` |
//!
//! `default` and `example` must fit the type: a string for `string` and enums (and
//! for an enum one of its values), a boolean for `boolean`, any number for
//! `float64`, an array for lists, an object for maps and structures (keys are
//! members; required members may be left out), recursively. For `int64` and
//! `uint64` they may be a JSON integer in range or a decimal string in range
//! (`"-5"`, `"18446744073709551615"`; no `+`, no blanks), because Tencent's
//! documentation often quotes 64-bit numbers. `null` fits only a nullable member's
//! `example`.
//!
//! ## Types
//!
//! ```text
//! type   = "string" | "boolean" | "int64" | "uint64" | "float64"
//!        | shape                  ; a name in `shapes`
//!        | "list<" type ">"      ; JSON array
//!        | "map<" type ">"       ; JSON object, string keys
//! shape  = [A-Za-z][A-Za-z0-9_]*
//! ```
//!
//! No white space anywhere, `list`/`map` nest at most [`TypeRef::MAX_DEPTH`] deep,
//! and the named shape must exist and not be an action's input or output.
//! `int64`/`uint64` are signed/unsigned 64-bit integers, kept as integers end to
//! end (never a float round trip). [`TypeRef`] is the parsed form.
//!
//! Dates, times and binary data have no type of their own: they are `string`.
//! Tencent's `datetime`, `datetime_iso` and `date` values are not reliably formatted
//! (several layouts, empty strings and zero dates occur in one field), so a typed date
//! would fail a whole response over one odd value; the SDK passes the text through and
//! leaves parsing to the caller. `binary` is base64 text on the wire. See [`tencent`]
//! for the whole mapping from Tencent's format.
//!
//! ## Error catalogue
//!
//! `errors` has two objects mapping an error code to an English description (not
//! blank): `common`, the codes any Tencent Cloud action may return
//! (`AuthFailure.SignatureFailure`, `RequestLimitExceeded`, ...), and `service`,
//! the codes specific to this service. A code may be in both. Codes are
//! `Word(.Word)*` with each word `[A-Za-z][A-Za-z0-9_]*`.
//!
//! # Selecting actions
//!
//! [`select_actions`] narrows a valid spec to the actions a program calls and what they
//! need, so the generator compiles only that part of a large service.
//!
//! # Errors
//!
//! [`SpecError::path`] is a dotted path into the document: object keys joined by
//! `.`, array indices in brackets (`shapes.StopInstanceRequest.members[1].type`).
//! An unknown key's path ends with that key; a problem with a name that is itself
//! invalid (a shape, action or catalogue key) is reported at the enclosing object,
//! with the name quoted in the message. Malformed JSON gives a message starting
//! `malformed JSON:` and ending with the line and column. When a spec breaks several
//! rules, the first one found is reported, in a fixed order.

#![warn(missing_docs)]

pub mod model;
pub mod overlay;
mod resolved;
mod select;
pub mod tencent;
mod types;
mod unique;
mod validate;

pub use model::*;
pub use resolved::{ResolvedMember, ResolvedShape, ResolvedSpec};
pub use select::{select_actions, SelectError, UnknownAction, MAX_SUGGESTIONS};
pub use types::TypeRef;
pub use unique::UniqueMap;

use std::fmt;
use std::path::Path;

/// Path of the HAI spec inside this crate, relative to the crate root.
pub const HAI_SPEC_FILE: &str = "spec/hai-2023-08-12.json";

/// Absolute path of the checked-in HAI spec.
pub fn hai_spec_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(HAI_SPEC_FILE)
}

/// Why a spec was refused. `path` is a dotted JSON path (`actions.StopInstance.input`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Dotted JSON path of the offending value (empty for the document itself).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// Parses a spec from JSON text and checks every rule of the format (see the crate
/// docs); the first problem found is the error.
pub fn parse(text: &str) -> Result<Spec, SpecError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: Spec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        SpecError {
            path: if path == "." { String::new() } else { path },
            message: json_message(&inner),
        }
    })?;
    // Without this, `{...} garbage` would be accepted.
    de.end().map_err(|e| SpecError {
        path: String::new(),
        message: json_message(&e),
    })?;
    spec.validate()?;
    Ok(spec)
}

/// serde_json's message, which ends with "at line L column C".
fn json_message(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("malformed JSON: {e}"),
        Category::Data | Category::Io => e.to_string(),
    }
}

/// The canonical text of `spec`: two-space indented JSON, keys in the order of the format
/// tables above, optional keys left out at their defaults, names sorted, a final newline.
/// Every spec file the import command writes is in this form, so re-imports diff cleanly.
pub fn to_text(spec: &Spec) -> String {
    // Serialising a `Spec` cannot fail: every map key is a string, every value is JSON.
    let mut text = serde_json::to_string_pretty(spec).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads a spec file and [`parse`]s it. An unreadable file is an error with an
/// empty path.
pub fn load(path: &Path) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        path: String::new(),
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    parse(&text)
}
