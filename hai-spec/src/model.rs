//! The typed model of a spec file, as it is deserialised (before validation).

use serde::{Deserialize, Serialize};

use crate::types::TypeRef;
use crate::unique::UniqueMap;

/// A whole spec: one service at one API version.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Version of the spec format itself; only `1` exists.
    pub format: u32,
    /// Service metadata shared by every action.
    pub service: Service,
    /// Actions by their wire name (`StopInstance`), sorted.
    pub actions: UniqueMap<Action>,
    /// Named shapes by name, sorted.
    pub shapes: UniqueMap<Shape>,
    /// Every error code the service may return, with an English description.
    pub errors: ErrorCatalogue,
    /// Resources with states a caller waits for, by name (`Instance`), sorted.
    #[serde(default, skip_serializing_if = "UniqueMap::is_empty")]
    pub resources: UniqueMap<Resource>,
}

/// Service metadata.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Short service name, e.g. `hai`; also the endpoint variable suffix.
    pub name: String,
    /// API version sent as `X-TC-Version`, e.g. `2023-08-12`.
    pub version: String,
    /// Default endpoint host, e.g. `hai.tencentcloudapi.com`.
    pub host: String,
    /// Regional host template with a `{region}` placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regional_host: Option<String>,
    /// Service name used in the TC3 credential scope (never derived from the host).
    pub signing_service: String,
    /// English description of the service.
    #[serde(default)]
    pub doc: String,
    /// Whether every call must name a region (`X-TC-Region`); a few global services
    /// take none. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub region_required: bool,
}

fn yes() -> bool {
    true
}

// serde's `skip_serializing_if` passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_true(b: &bool) -> bool {
    *b
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// One API action.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// English description.
    pub doc: String,
    /// Name of the input structure shape.
    pub input: String,
    /// Name of the output structure shape.
    pub output: String,
    /// Service error codes this action may return (each must be in the catalogue).
    #[serde(default)]
    pub errors: Vec<String>,
    /// Documented request rate limit per second; `None` means unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    /// Whether repeating the call has no further effect (enables transient retries).
    #[serde(default, skip_serializing_if = "is_false")]
    pub idempotent: bool,
    /// Whether the action only reads (changes nothing), so resending it after a transient
    /// failure is harmless.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    /// Worked examples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// How the action pages through a listing, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

/// How a listing action pages: `Offset`/`Limit` in the request, a page of items and
/// (usually) the total count in the response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// Input member holding the number of items to skip (`int64` or `uint64`).
    pub offset: String,
    /// Input member holding the page size (`int64` or `uint64`).
    pub limit: String,
    /// Output member holding the page's items (a list).
    pub items: String,
    /// Output member holding the number of items across all pages (`int64` or `uint64`);
    /// `None`: the service reports none, and a short or empty page ends the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<String>,
    /// The page size the service documents for a request without a limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_page_size: Option<u64>,
    /// The largest page size the service documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_page_size: Option<u64>,
}

/// A kind of resource whose state a caller waits for (an instance, a service), found by
/// polling a describe action for one id.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// English description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The action that lists the resources (`DescribeInstances`).
    pub describe: String,
    /// Input member of the describe action that takes a list of ids (`InstanceIds`);
    /// exactly one of `id_list` and `filter` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_list: Option<String>,
    /// A filter that selects one resource by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<IdFilter>,
    /// Output member of the describe action holding the resources (a list of structures).
    pub items: String,
    /// Member of the item structure holding the id (`string`).
    pub id: String,
    /// Member of the item structure holding the state (`string` or an enum).
    pub state: String,
    /// Error codes of the describe action that mean the resource does not exist (a service
    /// that answers them instead of an empty listing); a waiter treats them like one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_found_errors: Vec<String>,
    /// Target state -> states from which it can no longer be reached. A state not listed
    /// as a key is reachable from every state.
    #[serde(default, skip_serializing_if = "UniqueMap::is_empty")]
    pub unreachable: UniqueMap<Vec<String>>,
    /// Named waiters (`Running` -> `wait_until_instance_running`), by name.
    #[serde(default, skip_serializing_if = "UniqueMap::is_empty")]
    pub waiters: UniqueMap<Waiter>,
}

/// Selecting one resource through a filter member of the describe action's input.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdFilter {
    /// Input member holding the filters: a list of structures with a `Name` (`string`) and
    /// `Values` (`list<string>`) member.
    pub member: String,
    /// The filter name that matches ids (`instance-id`).
    pub name: String,
}

/// One named waiter of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Waiter {
    /// English description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The state waited for.
    pub target: String,
}

/// A request/response example of an action.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Short title.
    pub title: String,
    /// Optional longer description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The request body (action parameters only).
    pub request: serde_json::Value,
    /// The whole response envelope (`{"Response": {...}}`).
    pub response: serde_json::Value,
}

/// A named shape, told apart by its `type` key.
// Deserialised through `RawShape`: serde's internally tagged enums buffer their
// content, which loses the JSON path of errors inside a shape.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawShape")]
pub enum Shape {
    /// A JSON object with ordered members.
    Structure(Structure),
    /// A string restricted to known values (unknown ones are still accepted on decode).
    Enum(EnumShape),
    /// A JSON array.
    List(ListShape),
    /// A JSON object with string keys and uniform values.
    Map(MapShape),
}

/// Keys in the order the spec file uses: `type`, `doc` (when not empty), then the kind's key.
impl Serialize for Shape {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let doc = self.doc();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.kind())?;
        if !doc.is_empty() {
            map.serialize_entry("doc", doc)?;
        }
        match self {
            Shape::Structure(s) => map.serialize_entry("members", &s.members)?,
            Shape::Enum(e) => map.serialize_entry("values", &e.values)?,
            Shape::List(l) => map.serialize_entry("member", &l.member)?,
            Shape::Map(m) => map.serialize_entry("value", &m.value)?,
        }
        map.end()
    }
}

impl Shape {
    /// The `type` key of this shape: `structure`, `enum`, `list` or `map`.
    pub fn kind(&self) -> &'static str {
        match self {
            Shape::Structure(_) => "structure",
            Shape::Enum(_) => "enum",
            Shape::List(_) => "list",
            Shape::Map(_) => "map",
        }
    }

    /// English description of the shape.
    pub fn doc(&self) -> &str {
        match self {
            Shape::Structure(s) => &s.doc,
            Shape::Enum(e) => &e.doc,
            Shape::List(l) => &l.doc,
            Shape::Map(m) => &m.doc,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ShapeKind {
    Structure,
    Enum,
    List,
    Map,
}

/// Every key any shape kind may have; `TryFrom` then checks they fit the kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShape {
    #[serde(rename = "type")]
    kind: ShapeKind,
    #[serde(default)]
    doc: String,
    members: Option<Vec<Member>>,
    values: Option<Vec<EnumValue>>,
    member: Option<String>,
    value: Option<String>,
}

impl TryFrom<RawShape> for Shape {
    type Error = String;

    fn try_from(raw: RawShape) -> Result<Self, String> {
        let RawShape {
            kind,
            doc,
            members,
            values,
            member,
            value,
        } = raw;
        let (kind, wanted) = match kind {
            ShapeKind::Structure => ("structure", "members"),
            ShapeKind::Enum => ("enum", "values"),
            ShapeKind::List => ("list", "member"),
            ShapeKind::Map => ("map", "value"),
        };
        let present = [
            ("members", members.is_some()),
            ("values", values.is_some()),
            ("member", member.is_some()),
            ("value", value.is_some()),
        ];
        if let Some((key, _)) = present.iter().find(|(k, p)| *p && *k != wanted) {
            return Err(format!(
                "key \"{key}\" does not belong in a {kind} shape (its keys are type, doc, {wanted})"
            ));
        }
        let missing = || format!("a {kind} shape needs the key \"{wanted}\"");
        Ok(match kind {
            "structure" => Shape::Structure(Structure {
                doc,
                members: members.ok_or_else(missing)?,
            }),
            "enum" => Shape::Enum(EnumShape {
                doc,
                values: values.ok_or_else(missing)?,
            }),
            "list" => Shape::List(ListShape {
                doc,
                member: member.ok_or_else(missing)?,
            }),
            _ => Shape::Map(MapShape {
                doc,
                value: value.ok_or_else(missing)?,
            }),
        })
    }
}

/// A structure shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    /// English description.
    #[serde(default)]
    pub doc: String,
    /// Members in wire order.
    pub members: Vec<Member>,
}

/// One member of a structure.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Wire name, e.g. `InstanceId`.
    pub name: String,
    /// Type reference: a primitive (`string`, `boolean`, `int64`, `uint64`, `float64`),
    /// a shape name, `list<T>` or `map<T>`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Input: the caller must give it. Output: the service documents it as always present.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The service may send `null`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// English description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    /// The value the service assumes when the member is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// A secret (password, key, token): redacted in generated `Debug` output and logs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// Withdrawn by the service (Tencent's `"disabled": true`) but possibly still sent:
    /// generated, marked deprecated, never required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

impl Member {
    /// The parsed [`Member::ty`]; only fails for a spec that was not validated.
    /// [`Spec::resolve`] keeps the types validation parsed, so a caller need not parse again.
    pub fn type_ref(&self) -> Result<TypeRef, String> {
        TypeRef::parse(&self.ty)
    }
}

/// A string enum shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnumShape {
    /// English description.
    #[serde(default)]
    pub doc: String,
    /// Known values, in documentation order.
    pub values: Vec<EnumValue>,
}

/// One known value of an enum.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The wire string, e.g. `STOP_CHARGE`.
    pub value: String,
    /// English description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
}

/// A list shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListShape {
    /// English description.
    #[serde(default)]
    pub doc: String,
    /// Type reference of the elements.
    pub member: String,
}

impl ListShape {
    /// The parsed [`ListShape::member`]; only fails for a spec that was not validated
    /// ([`Spec::resolve`] holds it parsed).
    pub fn member_type(&self) -> Result<TypeRef, String> {
        TypeRef::parse(&self.member)
    }
}

/// A map shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapShape {
    /// English description.
    #[serde(default)]
    pub doc: String,
    /// Type reference of the values (keys are strings).
    pub value: String,
}

impl MapShape {
    /// The parsed [`MapShape::value`]; only fails for a spec that was not validated
    /// ([`Spec::resolve`] holds it parsed).
    pub fn value_type(&self) -> Result<TypeRef, String> {
        TypeRef::parse(&self.value)
    }
}

/// The error catalogue: code -> English description.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCatalogue {
    /// Codes any Tencent Cloud action may return.
    pub common: UniqueMap<String>,
    /// Codes specific to this service.
    pub service: UniqueMap<String>,
}

impl ErrorCatalogue {
    /// The description of `code`, looked up in `service` first, then `common`.
    pub fn get(&self, code: &str) -> Option<&str> {
        self.service
            .get(code)
            .or_else(|| self.common.get(code))
            .map(String::as_str)
    }

    /// Whether `code` is in either part of the catalogue.
    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }
}

impl Spec {
    /// The structure shape called `name`, if there is one.
    pub fn structure(&self, name: &str) -> Option<&Structure> {
        match self.shapes.get(name) {
            Some(Shape::Structure(s)) => Some(s),
            _ => None,
        }
    }

    /// The enum shape called `name`, if there is one.
    pub fn enum_shape(&self, name: &str) -> Option<&EnumShape> {
        match self.shapes.get(name) {
            Some(Shape::Enum(e)) => Some(e),
            _ => None,
        }
    }
}
