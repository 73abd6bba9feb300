//! The shape of the generated command table (`generated/commands.rs`, written by
//! `cargo xtask regen` from the spec).

pub use crate::generated::commands::{ACTIONS, STRUCTS};

/// One action: a subcommand.
#[derive(Debug)]
pub struct ActionDef {
    /// Wire name, e.g. `StopInstance` (the subcommand).
    pub name: &'static str,
    /// `stop-instance` (an alias).
    pub kebab: &'static str,
    /// English description from the spec.
    pub doc: &'static str,
    /// Index of the input structure in [`STRUCTS`].
    pub input: usize,
    /// Index of the output structure in [`STRUCTS`].
    pub output: usize,
    /// The first example request of the spec, as JSON.
    pub example: Option<&'static str>,
    /// The typed action's metadata (name, service, rate limit, idempotency and its token
    /// member): what the untyped call sends by.
    pub meta: &'static hai_sdk::ActionMeta,
}

/// One structure of the spec.
#[derive(Debug)]
pub struct StructDef {
    /// Shape name.
    pub name: &'static str,
    /// Members in wire order.
    pub members: &'static [MemberDef],
}

/// One member of a structure.
#[derive(Debug)]
pub struct MemberDef {
    /// Wire name, e.g. `InstanceId` (the option `--InstanceId`).
    pub name: &'static str,
    /// `instance-id` (the alias `--instance-id`).
    pub kebab: &'static str,
    /// Type.
    pub ty: Ty,
    /// Required in requests.
    pub required: bool,
    /// English description.
    pub doc: &'static str,
    /// Default the service applies, as JSON.
    pub default: Option<&'static str>,
    /// Example value, as JSON.
    pub example: Option<&'static str>,
}

/// A member type.
#[derive(Debug)]
pub enum Ty {
    /// A string.
    String,
    /// `true` / `false`.
    Bool,
    /// A signed integer.
    Int,
    /// An unsigned integer.
    UInt,
    /// A float.
    Float,
    /// A string restricted to these values.
    Enum(&'static [&'static str]),
    /// A structure: index into [`STRUCTS`].
    Struct(usize),
    /// A list.
    List(&'static Ty),
    /// A map with string keys (HAI has none; other services do).
    #[allow(dead_code)]
    Map(&'static Ty),
}

impl Ty {
    /// Whether a command-line value is taken as is (after type conversion), not as JSON.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Ty::String | Ty::Bool | Ty::Int | Ty::UInt | Ty::Float | Ty::Enum(_)
        )
    }

    /// Short name for help text and skeletons.
    pub fn describe(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Bool => "Boolean".into(),
            Ty::Int | Ty::UInt => "Integer".into(),
            Ty::Float => "Float".into(),
            Ty::Enum(_) => "String".into(),
            Ty::Struct(i) => STRUCTS[*i].name.into(),
            Ty::List(t) => format!("Array of {}", t.describe()),
            Ty::Map(t) => format!("Map of {}", t.describe()),
        }
    }
}

/// The action called `name` (wire or kebab spelling).
pub fn find_action(name: &str) -> Option<(usize, &'static ActionDef)> {
    ACTIONS
        .iter()
        .enumerate()
        .find(|(_, a)| a.name == name || a.kebab == name)
}
