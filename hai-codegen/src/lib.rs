//! Turns a validated [`hai_spec::Spec`] into the Rust source of a module tree.
//!
//! # Use
//!
//! [`Source`] reads a spec file, or Tencent's api.json with optional errors and overlay
//! files; it generates a module tree ([`Source::tree`], written by [`write_tree`], which
//! deletes generated files the tree no longer has) or one file for `include!`
//! ([`Source::single_file`], written by [`write_file`]). [`check_tree`] and [`check_file`]
//! say whether checked-in output is fresh. In a build script:
//!
//! ```no_run
//! use std::path::PathBuf;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let api = PathBuf::from("api/cvm-2017-03-12.api.json");
//!     println!("cargo:rerun-if-changed={}", api.display());
//!     let source = hai_codegen::Source::from_tencent_files(&api, None, None)?;
//!     let text = source.single_file(&hai_codegen::Options::default())?;
//!     hai_codegen::write_file(&PathBuf::from(std::env::var("OUT_DIR")?).join("cvm.rs"), &text)?;
//!     Ok(())
//! }
//! ```
//!
//! and in the crate, `pub mod cvm { include!(concat!(env!("OUT_DIR"), "/cvm.rs")); }`. The
//! `hai-codegen` command ([`cli`]) does the same from the command line.
//!
//! [`Options::actions`] (`--actions` on the command line) generates only the named actions
//! and what they use, for a program that calls a few actions of a large service.
//!
//! Pipeline: spec -> `ir` (names resolved, sanitised and checked) -> tokens (`quote`, one
//! emitter per fragment in `emit`) -> source (`prettyplease`). Output is deterministic: the
//! same spec text always yields the same bytes.
//!
//! Generated code names runtime items as `::hai_runtime::...` ([`Options::runtime`] changes the
//! path) and its own items relative to the tree root (`super::types::X`), so the tree
//! compiles wherever it is mounted, and so does the single file wherever it is included. It names std
//! items by absolute path too (`::std::option::Option`, `::std::string::String`,
//! `::std::vec::Vec`, `::std::boxed::Box`, `::std::result::Result`, derives such as
//! `::std::clone::Clone`), so a shape called `Option`, `String` or `Default` shadows nothing.
//!
//! # Names
//!
//! Wire names become Rust names by [`names::snake`] (fields, modules, client methods) and
//! [`names::camel`] (types, variants). Every valid spec generates; names that collide after
//! conversion are resolved by one deterministic rule, in the spec's order (actions and
//! shapes sorted by name, members in wire order, codes in list order): the first keeps the
//! name, each later one gets the first free number, `_2`, `_3`, ... for snake-case names
//! (`InstanceId`, `instance_id`, `Instance_Id` -> `instance_id`, `instance_id_2`,
//! `instance_id_3`) and `2`, `3`, ... for camel-case ones (`InstanceInfo`, `Instance_Info` ->
//! `InstanceInfo`, `InstanceInfo2`). A keyword stays a raw identifier (`r#type`) until it is
//! numbered (`type_2`).
//!
//! Some names are taken before any shape or action is seen:
//!
//! - Type names in [`RESERVED_TYPES`] (`Action`, `Error`, `Client`, `Call`, `CommonError`,
//!   `ErrorMetadata`, `Service`): a shape or error enum with one of them is numbered
//!   (`Action2`). Shapes claim names before the per-action error enums `<Action>Error`.
//! - Module names in [`RESERVED_MODULES`]: the tree's own modules (`types`, `client`,
//!   `common_error`, `blocking`, `mod`, `lib`). An action that would take one gets the suffix `_action`
//!   (`Types` -> `types_action`), as does a keyword (`Type` -> `type_action`).
//! - Client method names in [`CLIENT_METHODS`]: the generated `Client`'s own methods (`new`,
//!   `builder`, `from_env`, `config`, `region`, `call`) and the blocking client's (`send`,
//!   `async_client`). An action's method is its module's
//!   name, with the suffix `_action` when it would take one of these (`Call` -> `call_action`).
//! - Enum variants: `Unknown` is the catch-all for values the SDK does not know (a value
//!   `UNKNOWN` becomes `UnknownValue`); error variants: `Common` and `Unhandled`.
//!
//! A structure that contains itself, directly or through other structures, holds the link
//! in a `Box` (`Option<Box<T>>` when optional); links through lists and maps need none.
//!
//! # Paginators and waiters
//!
//! Only specs with `paging` or `resources` keys (see `hai_spec`) get them; every other spec
//! generates exactly as without this feature. For a paging action `DescribeX`, the action's
//! module implements the runtime's `paginator::Paginated` for the request and defines the aliases
//! `DescribeXPaginator` and `DescribeXItems`; the client gains `describe_x_paginator`. For a
//! resource `Thing` described by `DescribeThings`, `describe_things.rs` gets
//! `thing_can_reach(state, target)` (the spec's reachability table) and the client gains
//! `wait_for_thing_state(id, target, config)` and one `wait_until_thing_<waiter>(id)` per
//! waiter. The target is the state enum, or `impl Into<String>` for a string state. These
//! methods return `impl Future + Send`. The page loop,
//! the wait loop, `WaiterConfig` and `WaitError` are hand-written in the runtime.
//!
//! Their names are claimed after every other name, so they never rename an action, shape or
//! field: the client methods share one namespace with the action methods (numbered `_2` on
//! a collision: an action `DescribeXPaginator` keeps `describe_x_paginator` and the
//! paginator becomes `describe_x_paginator_2`), the aliases share the tree's type names
//! (`DescribeXPaginator2`), and the `*_can_reach` functions one namespace of their own.
//!
//! # Blocking client
//!
//! With [`Options::blocking`] (`--blocking`, or `--blocking-feature NAME` for
//! `#[cfg(feature = "NAME")]`), the tree also has `blocking.rs`: `blocking::Client`, with
//! the async `Client`'s constructors (`new`, `builder`, `from_env`), `config`, `region`,
//! `call`, one method per action returning `Result<Output, Error<ActionError>>`, the
//! paginators as the runtime's `blocking::Paginator` (an iterator of pages, `.items()` one
//! of items) and the waiters returning their result; `send(call)` sends a call prepared with
//! per-call options on `async_client()`. Each method drives the async client's on the
//! runtime's `blocking::Runtime`, which the client's clones share. It needs the runtime's
//! `blocking` feature. Without the option the tree is exactly what it was.
//!
//! # Types
//!
//! `string` -> `String`, `boolean` -> `bool`, `int64` -> `i64`, `uint64` -> `u64`,
//! `float64` -> `f64`, `list<T>` -> `Vec<T>`, `map<T>` -> `BTreeMap<String, T>`. Tencent's
//! dates, times and binary members are `string` in the spec (see `hai_spec::tencent` for
//! why) and so `String` here.

pub mod cli;
pub mod cli_table;
mod emit;
mod ir;
pub mod names;
mod output;
mod single;
mod source;

pub use output::{check_file, check_tree, write_file, write_tree, Change, ChangeKind, WriteError};
pub use source::{Error, Source};

pub use ir::{BLOCKING_MODULE, CLIENT_METHODS, RESERVED_MODULES, RESERVED_TYPES};

/// The runtime interface the generated code is written against. `hai-runtime` accepts code
/// of exactly this version (`hai_runtime::RUNTIME_INTERFACE`); a tree generated for another
/// fails to compile with a message saying so. Raised whenever generated code starts to need
/// something of the runtime that an older runtime lacks.
// 2: paginators and waiters (`paginator::Paginated`, `waiters::wait_for_state`).
// 3: the runtime is its own crate; each tree has its own `Client` over `Config`.
// 4: answers carry a `decode::DecodeReport` (`Action::attach_report`).
pub const RUNTIME_INTERFACE: u32 = 4;

use std::fmt;

use sha2::{Digest, Sha256};

/// The runtime crate path generated code uses unless told otherwise.
pub const DEFAULT_RUNTIME: &str = "::hai_runtime";

/// Generator options. `Options::default()` suits a crate that depends on `hai-runtime`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Text after `from` in each file header, e.g. `cvm/api.json`. `None`: the input file's
    /// name (see [`Source`]), or `<service>-<version>` for a spec given as a value. Never an
    /// absolute path, so output is the same on every machine.
    pub label: Option<String>,
    /// Path of the runtime crate in generated code: `::hai_runtime` (default), or a re-export
    /// such as `crate::sdk` or `::my_cloud::sdk`. No `self` or `super`: the path must mean
    /// the same in every generated module.
    pub runtime: String,
    /// Generate only these actions (wire names, `StopInstance`; repeats and order do not
    /// matter) and the shapes, error codes, paginators and waiters they need, since compile
    /// time grows with every action generated. `None`: every action. An unknown name is an
    /// `options.actions` error listing the close matches. With a selection, the headers
    /// name the actions, so output for another selection differs from it.
    pub actions: Option<Vec<String>>,
    /// Whether the tree gets a blocking client, `blocking::Client` (the runtime's
    /// `blocking` feature must then be on): not at all (default), always, or under
    /// `#[cfg(feature = "...")]` of the crate that compiles the tree.
    pub blocking: BlockingClient,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            label: None,
            runtime: DEFAULT_RUNTIME.to_owned(),
            actions: None,
            blocking: BlockingClient::No,
        }
    }
}

/// Whether a generated tree has a blocking client ([`Options::blocking`]; `--blocking` and
/// `--blocking-feature NAME` on the command line).
///
/// The blocking client (`<tree>::blocking::Client`) has the async `Client`'s methods, which
/// return their results; paginators are iterators and waiters return when done. It needs
/// the runtime's `blocking` feature (`hai-runtime = { ..., features = ["blocking"] }`, or
/// in a feature of the user's crate: `blocking = ["hai-runtime/blocking"]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BlockingClient {
    /// No blocking client (default): the tree is what it was without this option.
    #[default]
    No,
    /// A blocking client, always compiled.
    Always,
    /// A blocking client compiled under `#[cfg(feature = "<name>")]` of the crate that
    /// compiles the tree (hai-sdk's is `blocking`). The name follows Cargo's rules for
    /// feature names.
    Feature(String),
}

impl BlockingClient {
    /// The option, with a feature name Cargo accepts.
    fn checked(&self) -> Result<BlockingClient, CodegenError> {
        if let BlockingClient::Feature(name) = self {
            let ok = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.'));
            if !ok {
                return Err(CodegenError::new(
                    "options.blocking",
                    format!("`{name}` is not a Cargo feature name (letters, digits, `_`, `-`, `+`, `.`; not starting with `-`, `+` or `.`)"),
                ));
            }
        }
        Ok(self.clone())
    }
}

/// One output file, relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative path with `/` separators, e.g. `stop_instance.rs`.
    pub path: String,
    /// Full file contents.
    pub contents: String,
}

/// A spec that cannot be turned into valid Rust; `path` is the JSON path of the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodegenError {
    /// Dotted JSON path in the spec.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl CodegenError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for CodegenError {}

/// Generates the module tree for `spec`: `mod.rs` (the tree root), `types.rs`, `client.rs`,
/// `common_error.rs`, `blocking.rs` (with [`Options::blocking`]) and one file per action ([`Options::actions`] narrows them). `spec_text`
/// is hashed into the headers: pass the exact text the spec was read from (or
/// [`hai_spec::to_text`] of a built spec), also with a selection.
pub fn generate(
    spec: &hai_spec::Spec,
    spec_text: &str,
    options: &Options,
) -> Result<Vec<GeneratedFile>, CodegenError> {
    let (model, header) = prepare(spec, spec_text, options)?;
    let mut files = Vec::new();
    for (path, file) in parsed_files(&model)? {
        let mut contents = header.clone();
        contents.push_str(&prettyplease::unparse(&file));
        files.push(GeneratedFile { path, contents });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Generates the same tree as [`generate`] as ONE source text for `include!` (from a build
/// script's `OUT_DIR`): modules inline, no inner attributes or inner doc comments. The
/// items are those of the tree root, so `include!` it where the tree's module should be,
/// at a crate root or inside a module: `pub mod cvm { include!(...); }`.
pub fn generate_single_file(
    spec: &hai_spec::Spec,
    spec_text: &str,
    options: &Options,
) -> Result<String, CodegenError> {
    let (model, header) = prepare(spec, spec_text, options)?;
    let file = single::inline(parsed_files(&model)?)?;
    let mut contents = header;
    contents.push_str(&prettyplease::unparse(&file));
    Ok(contents)
}

/// The model and the header line every output starts with.
fn prepare(
    spec: &hai_spec::Spec,
    spec_text: &str,
    options: &Options,
) -> Result<(ir::Model, String), CodegenError> {
    let selected;
    let (spec, selection) = match &options.actions {
        None => (spec, String::new()),
        Some(names) => {
            selected = hai_spec::select_actions(spec, names).map_err(|e| match e {
                // A spec built in code and never validated: the fault is in the spec.
                hai_spec::SelectError::Invalid(e) => CodegenError::new(e.path, e.message),
                other => CodegenError::new("options.actions", other.to_string()),
            })?;
            let kept: Vec<&str> = selected.actions.keys().map(String::as_str).collect();
            (&selected, format!("; actions: {}", kept.join(", ")))
        }
    };
    let model = ir::Model::build(spec, options)?;
    let label = match &options.label {
        Some(label) => check_label(label)?.to_owned(),
        None => format!("{}-{}", spec.service.name, spec.service.version),
    };
    // The hash stays that of the text given: the selection is named beside it instead.
    let hash = hex(&Sha256::digest(spec_text.as_bytes()));
    let header = format!("{HEADER_PREFIX}{label} (sha256 {hash}{selection}). Do not edit.\n\n");
    Ok((model, header))
}

/// How every generated file starts; the writer only deletes `.rs` files that start so.
pub const HEADER_PREFIX: &str = "// @generated by hai-codegen from ";

/// A label ends up in a `//` comment of every file and must not tie output to one machine.
fn check_label(label: &str) -> Result<&str, CodegenError> {
    let err = |m: &str| CodegenError::new("options.label", format!("`{label}` {m}"));
    if label.is_empty() {
        return Err(err("is empty"));
    }
    if label.chars().any(char::is_control) {
        return Err(err("contains a line break or control character"));
    }
    let b = label.as_bytes();
    let drive = b.len() > 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b[2] == b'/' || b[2] == b'\\');
    if label.starts_with('/') || label.starts_with('\\') || drive {
        return Err(err(
            "is an absolute path: output would differ between machines; give a relative path or a name",
        ));
    }
    Ok(label)
}

/// Every output file, parsed: (relative path, file).
fn parsed_files(model: &ir::Model) -> Result<Vec<(String, syn::File)>, CodegenError> {
    emit::files(model)
        .into_iter()
        .map(|(path, tokens)| {
            let file: syn::File = syn::parse2(tokens).map_err(|e| {
                CodegenError::new(path.clone(), format!("generated tokens do not parse: {e}"))
            })?;
            Ok((path, file))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
