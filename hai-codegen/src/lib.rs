//! Turns a validated [`hai_spec::Spec`] into the Rust source of a module tree.
//!
//! Pipeline: spec -> `ir` (names resolved, sanitised and checked) -> tokens (`quote`, one
//! emitter per fragment in `emit`) -> source (`prettyplease`). Output is deterministic: the
//! same spec text always yields the same bytes.
//!
//! Generated code names runtime items as `::hai_sdk::...` and its own items relative to the
//! tree root (`super::types::X`), so the tree compiles wherever it is mounted. It names std
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
//!   `common_error`, `mod`, `lib`), the runtime's modules (`error`, `retry`, ...) and the
//!   inherent methods of `hai_sdk::Client` (`call`, `region`, ...), since an action's module
//!   and its client method share a name. An action that would take one gets the suffix
//!   `_action` (`Types` -> `types_action`), as does a keyword (`Type` -> `type_action`).
//! - Enum variants: `Unknown` is the catch-all for values the SDK does not know (a value
//!   `UNKNOWN` becomes `UnknownValue`); error variants: `Common` and `Unhandled`.
//!
//! A structure that contains itself, directly or through other structures, holds the link
//! in a `Box` (`Option<Box<T>>` when optional); links through lists and maps need none.
//!
//! # Types
//!
//! `string` -> `String`, `boolean` -> `bool`, `int64` -> `i64`, `uint64` -> `u64`,
//! `float64` -> `f64`, `list<T>` -> `Vec<T>`, `map<T>` -> `BTreeMap<String, T>`. Tencent's
//! dates, times and binary members are `string` in the spec (see `hai_spec::tencent` for
//! why) and so `String` here.

mod emit;
mod ir;
pub mod names;

pub use ir::{RESERVED_MODULES, RESERVED_TYPES};

/// The runtime interface the generated code is written against. `hai-sdk` accepts code of
/// exactly this version (`hai_sdk::RUNTIME_INTERFACE`); a tree generated for another fails
/// to compile with a message saying so. Raised whenever generated code starts to need
/// something of the runtime that an older runtime lacks.
pub const RUNTIME_INTERFACE: u32 = 1;

use std::fmt;

use sha2::{Digest, Sha256};

/// How per-action client methods are attached to `hai_sdk::Client`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMethods {
    /// `impl ::hai_sdk::Client { ... }`: only valid inside the hai-sdk crate itself.
    Inherent,
    /// `pub trait <Name> { ... }` implemented for `::hai_sdk::Client`: valid in any crate.
    Trait(String),
}

/// Generator options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Spec path shown in each file header (relative, with `/` separators).
    pub spec_file: String,
    /// How client methods are emitted.
    pub client_methods: ClientMethods,
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

/// Generates the module tree for `spec`. `spec_text` is the exact file content (hashed into headers).
pub fn generate(
    spec: &hai_spec::Spec,
    spec_text: &str,
    options: &Options,
) -> Result<Vec<GeneratedFile>, CodegenError> {
    let model = ir::Model::build(spec, options)?;
    let hash = hex(&Sha256::digest(spec_text.as_bytes()));
    let header = format!(
        "// @generated by cargo xtask regen from {} (sha256 {hash}). Do not edit.\n\n",
        options.spec_file
    );
    let mut files = Vec::new();
    for (path, tokens) in emit::files(&model) {
        let file: syn::File = syn::parse2(tokens).map_err(|e| {
            CodegenError::new(path.clone(), format!("generated tokens do not parse: {e}"))
        })?;
        let mut contents = header.clone();
        contents.push_str(&prettyplease::unparse(&file));
        files.push(GeneratedFile { path, contents });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
