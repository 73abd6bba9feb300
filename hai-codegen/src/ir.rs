//! The intermediate representation: every name resolved, sanitised and checked for collisions.

use std::collections::{BTreeMap, BTreeSet};

use hai_spec::{ResolvedShape, ResolvedSpec, Shape, Spec, TypeRef};

use crate::names::{camel, code_variant, is_valid_ident, snake};
use crate::{CodegenError, Options};

/// Module holding every shape that is not an action's input or output.
pub const TYPES_MODULE: &str = "types";
/// Module holding the common error enum.
pub const COMMON_ERROR_MODULE: &str = "common_error";
/// Module holding the client methods.
pub const CLIENT_MODULE: &str = "client";
/// The module of the blocking client (see `Options::blocking`).
pub const BLOCKING_MODULE: &str = "blocking";
/// Action module names the tree itself uses (`lib` too: a tree may be a crate root). An
/// action whose module would take one of these gets the suffix `_action` (`Types` ->
/// `types_action`); see [`crate::names`].
pub const RESERVED_MODULES: &[&str] = &[
    TYPES_MODULE,
    COMMON_ERROR_MODULE,
    CLIENT_MODULE,
    BLOCKING_MODULE,
    "mod",
    "lib",
];
/// The generated `Client`'s own methods, and the blocking client's (`send`, `async_client`).
/// An action's client method is named like its module, with the suffix `_action` when that
/// would take one of these (`Call` -> `call_action`).
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "from_env",
    "config",
    "region",
    "call",
    "send",
    "async_client",
];
/// Type names generated code uses unqualified or that name runtime items, so a shape or
/// error enum never takes them (it is numbered instead: `Action` -> `Action2`).
pub const RESERVED_TYPES: &[&str] = &[
    "CommonError",
    "ErrorMetadata",
    "Client",
    "ClientBuilder",
    "Call",
    "Action",
    "Error",
    "Service",
];

pub struct Model {
    pub service: ServiceIr,
    pub runtime: Runtime,
    /// Whether to emit the blocking client, and under which feature.
    pub blocking: crate::BlockingClient,
    pub actions: Vec<ActionIr>,
    pub structs: Vec<StructIr>,
    pub enums: Vec<EnumIr>,
    pub common_errors: Vec<CodeIr>,
    /// Resources with waitable states, in spec order.
    pub resources: Vec<ResourceIr>,
}

/// The runtime crate's path, as tokens and as the text serde attributes take.
pub struct Runtime {
    pub tokens: proc_macro2::TokenStream,
    pub text: String,
}

impl Runtime {
    /// Accepts `::hai_sdk`, `hai_sdk`, `crate::sdk`, `::my_reexport::sdk`: a plain path whose
    /// meaning is the same in every module of the tree (so no `self` or `super`).
    fn parse(text: &str) -> Result<Runtime, CodegenError> {
        let err = |m: String| CodegenError::new("options.runtime", m);
        let path: syn::Path = syn::parse_str(text.trim())
            .map_err(|e| err(format!("`{text}` is not a Rust path: {e}")))?;
        let mut out = String::new();
        if path.leading_colon.is_some() {
            out.push_str("::");
        }
        for (i, seg) in path.segments.iter().enumerate() {
            if !seg.arguments.is_none() {
                return Err(err(format!("`{text}` has generic arguments")));
            }
            let name = seg.ident.to_string();
            if name == "self" || name == "super" || (name == "crate" && i > 0) {
                return Err(err(format!(
                    "`{text}`: `{name}` would mean another module in each generated module; use `crate::...` or `::...`"
                )));
            }
            if i > 0 {
                out.push_str("::");
            }
            out.push_str(&name);
        }
        if out == "crate" {
            return Err(err("`crate` alone is not a runtime crate path".into()));
        }
        Ok(Runtime {
            tokens: quote::ToTokens::to_token_stream(&path),
            text: out,
        })
    }
}

pub struct ServiceIr {
    pub name: String,
    pub version: String,
    pub host: String,
    pub regional_host: Option<String>,
    pub signing_service: String,
    pub region_required: bool,
    pub doc: String,
}

pub struct ActionIr {
    pub wire: String,
    /// `stop-instance` for `StopInstance`: the command-line alias.
    pub kebab: String,
    pub module: String,
    /// The client method: the module's name unless that is one of [`CLIENT_METHODS`].
    pub method: String,
    pub doc: String,
    pub input: String,
    pub output: String,
    /// Index of the input structure in `Model::structs`.
    pub input_struct: usize,
    /// Index of the output structure in `Model::structs`.
    pub output_struct: usize,
    pub error_enum: String,
    pub errors: Vec<CodeIr>,
    pub rate_limit: Option<u32>,
    pub idempotent: bool,
    pub read_only: bool,
    pub examples: Vec<ExampleIr>,
    /// Field of an optional string `ClientToken` in the input, filled automatically per call.
    pub client_token: Option<String>,
    /// How the action pages, if it does.
    pub paging: Option<PagingIr>,
}

/// A field the paging or waiter code reads or writes.
#[derive(Clone)]
pub struct FieldRef {
    pub ident: String,
    /// Held as `Option<T>`.
    pub optional: bool,
    pub ty: Ty,
}

pub struct PagingIr {
    /// Client method: `describe_instances_paginator`.
    pub method: String,
    /// Type aliases in the action module: `DescribeInstancesPaginator`, `DescribeInstancesItems`.
    pub paginator_alias: String,
    pub items_alias: String,
    pub offset: FieldRef,
    pub limit: FieldRef,
    /// The output's item list; `item` is its element type.
    pub items: FieldRef,
    pub item: Ty,
    pub total_count: Option<FieldRef>,
    pub default_page_size: Option<u64>,
    pub max_page_size: Option<u64>,
}

pub struct ResourceIr {
    /// In messages: `instance`, `inference service`.
    pub label: String,
    pub doc: String,
    /// The describe action (index into `Model::actions`).
    pub describe: usize,
    pub selection: SelectionIr,
    pub items: FieldRef,
    pub item: Ty,
    pub id: FieldRef,
    pub state: FieldRef,
    /// `Some(wire -> variant)` for an enum state, `None` for a string.
    pub variants: Option<BTreeMap<String, String>>,
    pub unreachable: Vec<(String, Vec<String>)>,
    pub waiters: Vec<WaiterIr>,
    /// `wait_for_instance_state`.
    pub wait_for: String,
    /// `instance_can_reach`, in the describe action's module.
    pub can_reach: String,
    /// Parameter name of the id: `instance_id`.
    pub id_param: String,
    /// Describe error codes that mean the resource does not exist.
    pub not_found_errors: Vec<String>,
}

pub enum SelectionIr {
    /// A list-of-ids member of the describe input.
    IdList(FieldRef),
    /// A filter member holding filter structures.
    Filter(Box<FilterIr>),
}

/// A filter member whose structures have `Name`/`Values` fields.
pub struct FilterIr {
    pub member: FieldRef,
    pub filter: Ty,
    pub name: FieldRef,
    pub values: FieldRef,
    /// Required fields of the filter structure, in order (`Name`/`Values`).
    pub new_args: Vec<String>,
    pub filter_name: String,
}

pub struct WaiterIr {
    /// `wait_until_instance_stopped`.
    pub method: String,
    pub doc: String,
    pub target: String,
}

pub struct ExampleIr {
    pub title: String,
    pub doc: String,
    pub request: String,
    pub response: String,
}

pub struct CodeIr {
    pub code: String,
    pub variant: String,
    pub doc: String,
}

pub struct StructIr {
    /// The shape's name in the spec.
    pub wire: String,
    pub name: String,
    pub module: String,
    pub doc: String,
    pub fields: Vec<FieldIr>,
    /// Reachable from an action input: gets `new(required...)` and setters.
    pub input: bool,
    /// Reachable from an action output: every field optional, lenient decoding, `Default`.
    pub output: bool,
    /// An action's output itself: holds the decode report.
    pub answer: bool,
}

pub struct FieldIr {
    pub wire: String,
    /// `instance-id` for `InstanceId`: the command-line option alias.
    pub kebab: String,
    pub ident: String,
    pub doc: String,
    pub ty: Ty,
    /// The type as the wire sees it (for the command table).
    pub wire_ty: WireTy,
    pub required: bool,
    /// Held as `Option<T>`.
    pub optional: bool,
    /// Held as `Box<T>` because the structure is recursive through it.
    pub boxed: bool,
    /// The output `RequestId`: a plain `String`, empty when absent.
    pub request_id: bool,
    pub default: Option<serde_json::Value>,
    pub example: Option<serde_json::Value>,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// Withdrawn by the service: generated with `#[deprecated]`.
    pub deprecated: bool,
}

#[derive(Clone)]
pub enum Ty {
    String,
    Bool,
    I64,
    U64,
    F64,
    Named { module: String, name: String },
    Vec(Box<Ty>),
    Map(Box<Ty>),
}

/// A member type as JSON on the wire has it: named lists and maps are lists and maps of
/// their element types, a structure is its index in `Model::structs`, an enum its values.
pub enum WireTy {
    String,
    Bool,
    Int64,
    UInt64,
    Float64,
    List(Box<WireTy>),
    Map(Box<WireTy>),
    Struct(usize),
    Enum(Vec<String>),
}

pub struct EnumIr {
    pub name: String,
    pub doc: String,
    pub values: Vec<EnumValueIr>,
}

pub struct EnumValueIr {
    pub wire: String,
    pub variant: String,
    pub doc: String,
}

fn checked_ident(ident: String, path: &str, what: &str) -> Result<String, CodegenError> {
    if ident.is_empty() || !is_valid_ident(&ident) {
        return Err(CodegenError::new(
            path,
            format!("{what} yields no valid Rust identifier (got \"{ident}\")"),
        ));
    }
    Ok(ident)
}

/// `InstanceId` -> `instance-id`, `GPUCount` -> `gpu-count`: command-line names.
fn kebab(wire: &str) -> String {
    heck::ToKebabCase::to_kebab_case(wire)
}

/// Hands out identifiers in one namespace: a name already taken gets the first free numeric
/// suffix (`name` + `sep` + 2, 3, ...), so collisions are resolved in order of appearance.
struct Namer {
    taken: BTreeSet<String>,
    sep: &'static str,
}

impl Namer {
    fn new(reserved: &[&str], sep: &'static str) -> Self {
        Namer {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
            sep,
        }
    }

    fn claim(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        // `r#type` numbered is `type_2`: the suffix makes it an ordinary identifier.
        let stem = base.strip_prefix("r#").unwrap_or(&base).to_owned();
        (2u32..)
            .map(|n| format!("{stem}{}{n}", self.sep))
            .find(|c| self.taken.insert(c.clone()))
            .unwrap_or(base)
    }
}

impl Model {
    pub fn build(spec: &Spec, options: &Options) -> Result<Model, CodegenError> {
        // Every type is read as validation parsed it. The spec is validated here because
        // a `Spec` proves nothing by itself (it may be built or changed in code).
        let resolved = spec
            .resolve()
            .map_err(|e| CodegenError::new(e.path, e.message))?;
        let mut b = Builder {
            spec,
            resolved: &resolved,
            places: BTreeMap::new(),
            types: Namer::new(RESERVED_TYPES, ""),
            struct_indices: struct_indices(spec),
        };
        b.place_shapes()?;
        let structs = b.structs()?;
        let enums = b.enums()?;
        let mut actions = b.actions()?;
        let common_errors = b.common_errors()?;
        let resources = b.waitables(&mut actions, &structs)?;
        let runtime = Runtime::parse(&options.runtime)?;
        let blocking = options.blocking.checked()?;
        let s = &spec.service;
        Ok(Model {
            service: ServiceIr {
                name: s.name.clone(),
                version: s.version.clone(),
                host: s.host.clone(),
                regional_host: s.regional_host.clone(),
                signing_service: s.signing_service.clone(),
                region_required: s.region_required,
                doc: s.doc.clone(),
            },
            runtime,
            blocking,
            actions,
            structs,
            enums,
            common_errors,
            resources,
        })
    }
}

/// Structure name -> its index among the structures in name order (`Model::structs`).
fn struct_indices(spec: &Spec) -> BTreeMap<&str, usize> {
    spec.shapes
        .iter()
        .filter(|(_, shape)| matches!(shape, Shape::Structure(_)))
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect()
}

/// Error codes -> variants, numbered on collision; `Common` and `Unhandled` are taken.
fn code_variants<'c>(
    codes: impl Iterator<Item = (&'c str, String)>,
    path: &dyn Fn(usize, &str) -> String,
) -> Result<Vec<CodeIr>, CodegenError> {
    let mut names = Namer::new(&["Common", "Unhandled"], "");
    let mut out = Vec::new();
    for (i, (code, doc)) in codes.enumerate() {
        let variant = checked_ident(code_variant(code), &path(i, code), "error code")?;
        out.push(CodeIr {
            code: code.to_owned(),
            variant: names.claim(variant),
            doc,
        });
    }
    Ok(out)
}

struct Builder<'a> {
    spec: &'a Spec,
    /// The spec's types, parsed by validation.
    resolved: &'a ResolvedSpec<'a>,
    /// structure name -> index in `Model::structs`.
    struct_indices: BTreeMap<&'a str, usize>,
    /// shape name -> (module, Rust type name) for structures and enums.
    places: BTreeMap<String, (String, String)>,
    /// Rust type names: unique across the tree.
    types: Namer,
}

impl<'a> Builder<'a> {
    /// Action -> module name, in action order (see [`RESERVED_MODULES`]).
    fn modules(&self) -> Result<BTreeMap<&'a str, String>, CodegenError> {
        let mut names = Namer::new(&[], "_");
        let mut out = BTreeMap::new();
        for wire in self.spec.actions.keys() {
            let path = format!("actions.{wire}");
            let mut module = checked_ident(snake(wire), &path, "action name")?;
            if let Some(raw) = module.strip_prefix("r#") {
                module = format!("{raw}_action");
            }
            if RESERVED_MODULES.contains(&module.as_str()) {
                module.push_str("_action");
            }
            out.insert(wire.as_str(), names.claim(module));
        }
        Ok(out)
    }

    fn structs(&self) -> Result<Vec<StructIr>, CodegenError> {
        let (input_reach, output_reach) = self.reachability()?;
        let by_value = self.by_value_edges();
        let mut structs = Vec::new();
        for (shape_name, shape) in self.spec.shapes.iter() {
            let Shape::Structure(st) = shape else {
                continue;
            };
            let path = format!("shapes.{shape_name}");
            let (module, name) = self.places[shape_name].clone();
            let input = input_reach.contains(shape_name);
            let output = output_reach.contains(shape_name);
            let mut fields = Vec::new();
            let mut idents = Namer::new(&[], "_");
            for (i, rm) in self.resolved.members(shape_name).iter().enumerate() {
                let (m, tref) = (rm.member, &rm.ty);
                let mpath = format!("{path}.members[{i}]");
                let ident = idents.claim(checked_ident(snake(&m.name), &mpath, "member name")?);
                let ty = self.ty(tref, &format!("{mpath}.type"))?;
                let wire_ty = self.wire_ty(tref, &format!("{mpath}.type"))?;
                let boxed = matches!(tref, TypeRef::Shape(t)
                    if by_value.contains_key(t.as_str()) && reaches(&by_value, t, shape_name));
                let request_id = output && m.name == "RequestId" && matches!(tref, TypeRef::String);
                let optional = !request_id && (output || !m.required);
                fields.push(FieldIr {
                    wire: m.name.clone(),
                    kebab: kebab(&m.name),
                    ident,
                    doc: m.doc.clone(),
                    ty,
                    wire_ty,
                    required: m.required,
                    optional,
                    boxed,
                    request_id,
                    default: m.default.clone(),
                    example: m.example.clone(),
                    sensitive: m.sensitive,
                    deprecated: m.deprecated,
                });
            }
            structs.push(StructIr {
                wire: shape_name.clone(),
                name,
                module,
                doc: st.doc.clone(),
                fields,
                input,
                output,
                answer: self.spec.actions.values().any(|a| a.output == *shape_name),
            });
        }
        Ok(structs)
    }

    fn enums(&self) -> Result<Vec<EnumIr>, CodegenError> {
        let mut enums = Vec::new();
        for (shape_name, shape) in self.spec.shapes.iter() {
            let Shape::Enum(en) = shape else { continue };
            let path = format!("shapes.{shape_name}");
            let (_, name) = self.places[shape_name].clone();
            // `Unknown` is the fallback for values the spec does not list.
            let mut variants = Namer::new(&["Unknown"], "");
            let mut values = Vec::new();
            for (i, v) in en.values.iter().enumerate() {
                let vpath = format!("{path}.values[{i}]");
                let mut variant = checked_ident(camel(&v.value), &vpath, "enum value")?;
                if variant == "Unknown" {
                    variant = "UnknownValue".to_owned();
                }
                values.push(EnumValueIr {
                    wire: v.value.clone(),
                    variant: variants.claim(variant),
                    doc: v.doc.clone(),
                });
            }
            enums.push(EnumIr {
                name,
                doc: en.doc.clone(),
                values,
            });
        }
        Ok(enums)
    }

    fn actions(&mut self) -> Result<Vec<ActionIr>, CodegenError> {
        let spec = self.spec;
        let modules = self.modules()?;
        let mut methods = Namer::new(CLIENT_METHODS, "_");
        let mut actions = Vec::new();
        for (wire, action) in spec.actions.iter() {
            let path = format!("actions.{wire}");
            let module = modules[wire.as_str()].clone();
            let method = if CLIENT_METHODS.contains(&module.as_str()) {
                methods.claim(format!("{module}_action"))
            } else {
                methods.claim(module.clone())
            };
            let base = checked_ident(
                format!("{}Error", camel(wire).trim_end_matches('_')),
                &path,
                "action name",
            )?;
            let error_enum = self.types.claim(base);
            let codes = action.errors.iter().map(|code| {
                let doc = spec.errors.get(code).unwrap_or_default().to_owned();
                (code.as_str(), doc)
            });
            let errors = code_variants(codes, &|i, _| format!("{path}.errors[{i}]"))?;
            let examples = action
                .examples
                .iter()
                .map(|e| ExampleIr {
                    title: e.title.clone(),
                    doc: e.doc.clone(),
                    request: serde_json::to_string_pretty(&e.request).unwrap_or_default(),
                    response: serde_json::to_string_pretty(&e.response).unwrap_or_default(),
                })
                .collect();
            let client_token = match spec.shapes.get(&action.input) {
                Some(Shape::Structure(st)) => st
                    .members
                    .iter()
                    // A withdrawn token is not one the service applies: never filled in.
                    .position(|m| {
                        m.name == "ClientToken" && m.ty == "string" && !m.required && !m.deprecated
                    })
                    .map(|_| snake("ClientToken")),
                _ => None,
            };
            actions.push(ActionIr {
                client_token,
                wire: wire.clone(),
                kebab: kebab(wire),
                module,
                method,
                doc: action.doc.clone(),
                input: self.places[&action.input].1.clone(),
                output: self.places[&action.output].1.clone(),
                input_struct: self.index(&action.input, &format!("{path}.input"))?,
                output_struct: self.index(&action.output, &format!("{path}.output"))?,
                error_enum,
                errors,
                rate_limit: action.rate_limit,
                idempotent: action.idempotent,
                read_only: action.read_only,
                examples,
                paging: None,
            });
        }
        Ok(actions)
    }

    /// The field of structure `shape` with wire name `member` (validated to exist).
    fn field(
        &self,
        structs: &[StructIr],
        shape: &str,
        member: &str,
        path: &str,
    ) -> Result<FieldRef, CodegenError> {
        let (module, name) =
            self.places.get(shape).cloned().ok_or_else(|| {
                CodegenError::new(path, format!("\"{shape}\" is not a structure"))
            })?;
        let st = structs
            .iter()
            .find(|s| s.module == module && s.name == name)
            .ok_or_else(|| CodegenError::new(path, format!("\"{shape}\" is not a structure")))?;
        let f = st.fields.iter().find(|f| f.wire == member).ok_or_else(|| {
            CodegenError::new(
                path,
                format!("structure \"{shape}\" has no member \"{member}\""),
            )
        })?;
        Ok(FieldRef {
            ident: f.ident.clone(),
            optional: f.optional,
            ty: f.ty.clone(),
        })
    }

    /// The shape name of a list's structure elements (`list<X>` or a named list of `X`).
    fn element_shape(&self, shape: &str, member: &str) -> Option<String> {
        let m = self.resolved.member(shape, member)?;
        match self.resolved.list_element(&m.ty)? {
            TypeRef::Shape(n) if self.spec.structure(n).is_some() => Some(n.clone()),
            _ => None,
        }
    }

    /// Paging of every action and the resources: names claimed after everything else, in
    /// spec order, so they never change the names of actions, shapes or fields.
    fn waitables(
        &mut self,
        actions: &mut [ActionIr],
        structs: &[StructIr],
    ) -> Result<Vec<ResourceIr>, CodegenError> {
        let spec = self.spec;
        // Client methods share one namespace with the action methods.
        let mut methods = Namer::new(CLIENT_METHODS, "_");
        for a in actions.iter() {
            methods.claim(a.method.clone());
        }
        for (i, (wire, action)) in spec.actions.iter().enumerate() {
            let Some(p) = &action.paging else { continue };
            let path = format!("actions.{wire}.paging");
            let base = camel(wire);
            let offset =
                self.field(structs, &action.input, &p.offset, &format!("{path}.offset"))?;
            let limit = self.field(structs, &action.input, &p.limit, &format!("{path}.limit"))?;
            let items = self.field(structs, &action.output, &p.items, &format!("{path}.items"))?;
            let item = match &items.ty {
                Ty::Vec(inner) => (**inner).clone(),
                _ => {
                    return Err(CodegenError::new(
                        format!("{path}.items"),
                        "the items must be a list",
                    ))
                }
            };
            let total_count = match &p.total_count {
                Some(t) => {
                    Some(self.field(structs, &action.output, t, &format!("{path}.total_count"))?)
                }
                None => None,
            };
            let paginator_alias = self.types.claim(checked_ident(
                format!("{base}Paginator"),
                &path,
                "action name",
            )?);
            let items_alias =
                self.types
                    .claim(checked_ident(format!("{base}Items"), &path, "action name")?);
            let method = methods.claim(checked_ident(
                format!("{}_paginator", actions[i].module.trim_start_matches("r#")),
                &path,
                "action name",
            )?);
            actions[i].paging = Some(PagingIr {
                method,
                paginator_alias,
                items_alias,
                offset,
                limit,
                items,
                item,
                total_count,
                default_page_size: p.default_page_size,
                max_page_size: p.max_page_size,
            });
        }

        let mut functions = Namer::new(&[], "_");
        let mut out = Vec::new();
        for (wire, r) in spec.resources.iter() {
            let path = format!("resources.{wire}");
            let describe = spec
                .actions
                .keys()
                .position(|a| *a == r.describe)
                .ok_or_else(|| {
                    CodegenError::new(
                        format!("{path}.describe"),
                        format!("unknown action \"{}\"", r.describe),
                    )
                })?;
            let action = &spec.actions[&r.describe];
            let selection = match (&r.id_list, &r.filter) {
                (Some(list), _) => SelectionIr::IdList(self.field(
                    structs,
                    &action.input,
                    list,
                    &format!("{path}.id_list"),
                )?),
                (None, Some(f)) => {
                    let fpath = format!("{path}.filter.member");
                    let member = self.field(structs, &action.input, &f.member, &fpath)?;
                    let shape = self
                        .element_shape(&action.input, &f.member)
                        .ok_or_else(|| {
                            CodegenError::new(
                                &fpath,
                                "a filter member must be a list of structures",
                            )
                        })?;
                    let filter = match &member.ty {
                        Ty::Vec(inner) => (**inner).clone(),
                        _ => {
                            return Err(CodegenError::new(&fpath, "a filter member must be a list"))
                        }
                    };
                    let new_args = spec
                        .structure(&shape)
                        .map(|st| {
                            st.members
                                .iter()
                                .filter(|m| m.required)
                                .map(|m| m.name.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    SelectionIr::Filter(Box::new(FilterIr {
                        member,
                        filter,
                        name: self.field(structs, &shape, "Name", &fpath)?,
                        values: self.field(structs, &shape, "Values", &fpath)?,
                        new_args,
                        filter_name: f.name.clone(),
                    }))
                }
                (None, None) => {
                    return Err(CodegenError::new(
                        &path,
                        "a resource needs id_list or filter",
                    ))
                }
            };
            let ipath = format!("{path}.items");
            let items = self.field(structs, &action.output, &r.items, &ipath)?;
            let item = match &items.ty {
                Ty::Vec(inner) => (**inner).clone(),
                _ => return Err(CodegenError::new(&ipath, "the items must be a list")),
            };
            let item_shape = self
                .element_shape(&action.output, &r.items)
                .ok_or_else(|| {
                    CodegenError::new(&ipath, "the items must be a list of structures")
                })?;
            let id = self.field(structs, &item_shape, &r.id, &format!("{path}.id"))?;
            let state = self.field(structs, &item_shape, &r.state, &format!("{path}.state"))?;
            let variants = match spec
                .structure(&item_shape)
                .and_then(|st| st.members.iter().find(|m| m.name == r.state))
                .and_then(|m| spec.enum_shape(&m.ty).map(|_| m.ty.clone()))
            {
                Some(enum_name) => Some(self.enum_variants(&enum_name)?),
                None => None,
            };
            let snake_name = snake(wire);
            let stem = snake_name.trim_start_matches("r#").to_owned();
            let label = stem.replace('_', " ");
            let wait_for = methods.claim(checked_ident(
                format!("wait_for_{stem}_state"),
                &path,
                "resource name",
            )?);
            let mut waiters = Vec::new();
            for (wname, w) in r.waiters.iter() {
                let wpath = format!("{path}.waiters.{wname}");
                let wstem = snake(wname);
                let method = methods.claim(checked_ident(
                    format!("wait_until_{stem}_{}", wstem.trim_start_matches("r#")),
                    &wpath,
                    "waiter name",
                )?);
                waiters.push(WaiterIr {
                    method,
                    doc: w.doc.clone(),
                    target: w.target.clone(),
                });
            }
            let can_reach = functions.claim(checked_ident(
                format!("{stem}_can_reach"),
                &path,
                "resource name",
            )?);
            let id_param = match snake(&r.id) {
                p if is_valid_ident(&p)
                    && !p.starts_with("r#")
                    && !["self_", "target", "config", "request", "page", "item"]
                        .contains(&p.as_str()) =>
                {
                    p
                }
                _ => "id".to_owned(),
            };
            out.push(ResourceIr {
                label,
                doc: r.doc.clone(),
                describe,
                selection,
                items,
                item,
                id,
                state,
                variants,
                unreachable: r
                    .unreachable
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                waiters,
                wait_for,
                can_reach,
                id_param,
                not_found_errors: r.not_found_errors.clone(),
            });
        }
        Ok(out)
    }

    /// Wire value -> variant of an enum shape, as `enums` names them.
    fn enum_variants(&self, shape: &str) -> Result<BTreeMap<String, String>, CodegenError> {
        let Some(en) = self.spec.enum_shape(shape) else {
            return Ok(BTreeMap::new());
        };
        let path = format!("shapes.{shape}");
        let mut variants = Namer::new(&["Unknown"], "");
        let mut out = BTreeMap::new();
        for (i, v) in en.values.iter().enumerate() {
            let mut variant = checked_ident(
                camel(&v.value),
                &format!("{path}.values[{i}]"),
                "enum value",
            )?;
            if variant == "Unknown" {
                variant = "UnknownValue".to_owned();
            }
            out.insert(v.value.clone(), variants.claim(variant));
        }
        Ok(out)
    }

    fn common_errors(&self) -> Result<Vec<CodeIr>, CodegenError> {
        let codes = self
            .spec
            .errors
            .common
            .iter()
            .map(|(c, d)| (c.as_str(), d.clone()));
        code_variants(codes, &|_, code| format!("errors.common.{code}"))
    }

    fn place_shapes(&mut self) -> Result<(), CodegenError> {
        let modules = self.modules()?;
        let mut io_module = BTreeMap::<&str, Vec<String>>::new();
        for (wire, action) in self.spec.actions.iter() {
            let module = modules[wire.as_str()].clone();
            for (which, shape) in [("input", &action.input), ("output", &action.output)] {
                match self.spec.shapes.get(shape) {
                    Some(Shape::Structure(_)) => {}
                    _ => {
                        return Err(CodegenError::new(
                            format!("actions.{wire}.{which}"),
                            format!("\"{shape}\" is not a structure shape"),
                        ))
                    }
                }
                io_module
                    .entry(shape.as_str())
                    .or_default()
                    .push(module.clone());
            }
        }
        for (shape_name, shape) in self.spec.shapes.iter() {
            if matches!(shape, Shape::List(_) | Shape::Map(_)) {
                continue;
            }
            let path = format!("shapes.{shape_name}");
            let name = self
                .types
                .claim(checked_ident(camel(shape_name), &path, "shape name")?);
            let module = match io_module.get(shape_name.as_str()) {
                // One action's own input or output lives in that action's module.
                Some(mods) if mods.len() == 1 && matches!(shape, Shape::Structure(_)) => {
                    mods[0].clone()
                }
                _ => TYPES_MODULE.to_owned(),
            };
            self.places.insert(shape_name.clone(), (module, name));
        }
        Ok(())
    }

    fn ty(&self, t: &TypeRef, path: &str) -> Result<Ty, CodegenError> {
        Ok(match t {
            TypeRef::String => Ty::String,
            TypeRef::Boolean => Ty::Bool,
            TypeRef::Int64 => Ty::I64,
            TypeRef::UInt64 => Ty::U64,
            TypeRef::Float64 => Ty::F64,
            TypeRef::List(inner) => Ty::Vec(Box::new(self.ty(inner, path)?)),
            TypeRef::Map(inner) => Ty::Map(Box::new(self.ty(inner, path)?)),
            TypeRef::Shape(name) => match self.resolved.shape(name) {
                Some(ResolvedShape::List(_, t)) => Ty::Vec(Box::new(self.ty(t, path)?)),
                Some(ResolvedShape::Map(_, t)) => Ty::Map(Box::new(self.ty(t, path)?)),
                Some(_) => {
                    let (module, name) = self.places[name].clone();
                    Ty::Named { module, name }
                }
                None => return Err(CodegenError::new(path, format!("unknown shape \"{name}\""))),
            },
        })
    }

    /// The wire form of a type: named lists and maps expanded, a structure by its index, an
    /// enum by its values.
    fn wire_ty(&self, t: &TypeRef, path: &str) -> Result<WireTy, CodegenError> {
        Ok(match t {
            TypeRef::String => WireTy::String,
            TypeRef::Boolean => WireTy::Bool,
            TypeRef::Int64 => WireTy::Int64,
            TypeRef::UInt64 => WireTy::UInt64,
            TypeRef::Float64 => WireTy::Float64,
            TypeRef::List(inner) => WireTy::List(Box::new(self.wire_ty(inner, path)?)),
            TypeRef::Map(inner) => WireTy::Map(Box::new(self.wire_ty(inner, path)?)),
            TypeRef::Shape(name) => match self.resolved.shape(name) {
                Some(ResolvedShape::List(_, t)) => WireTy::List(Box::new(self.wire_ty(t, path)?)),
                Some(ResolvedShape::Map(_, t)) => WireTy::Map(Box::new(self.wire_ty(t, path)?)),
                Some(ResolvedShape::Structure(..)) => WireTy::Struct(self.index(name, path)?),
                Some(ResolvedShape::Enum(e)) => {
                    WireTy::Enum(e.values.iter().map(|v| v.value.clone()).collect())
                }
                None => return Err(CodegenError::new(path, format!("unknown shape \"{name}\""))),
            },
        })
    }

    /// The index of a structure in `Model::structs`.
    fn index(&self, shape: &str, path: &str) -> Result<usize, CodegenError> {
        self.struct_indices
            .get(shape)
            .copied()
            .ok_or_else(|| CodegenError::new(path, format!("\"{shape}\" is not a structure")))
    }

    /// Every shape a type reference mentions, through named lists and maps.
    fn mentioned(
        &self,
        t: &TypeRef,
        path: &str,
        out: &mut Vec<String>,
    ) -> Result<(), CodegenError> {
        match t {
            TypeRef::List(i) | TypeRef::Map(i) => self.mentioned(i, path, out),
            TypeRef::Shape(n) => {
                match self.resolved.shape(n) {
                    Some(ResolvedShape::List(_, t) | ResolvedShape::Map(_, t)) => {
                        self.mentioned(t, path, out)?
                    }
                    Some(_) => out.push(n.clone()),
                    None => return Err(CodegenError::new(path, format!("unknown shape \"{n}\""))),
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn reachability(&self) -> Result<(BTreeSet<String>, BTreeSet<String>), CodegenError> {
        let mut input = BTreeSet::new();
        let mut output = BTreeSet::new();
        for action in self.spec.actions.values() {
            self.reach_from(&action.input, &mut input)?;
            self.reach_from(&action.output, &mut output)?;
        }
        Ok((input, output))
    }

    fn reach_from(&self, start: &str, seen: &mut BTreeSet<String>) -> Result<(), CodegenError> {
        let mut stack = vec![start.to_owned()];
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            for (i, m) in self.resolved.members(&name).iter().enumerate() {
                let path = format!("shapes.{name}.members[{i}].type");
                self.mentioned(&m.ty, &path, &mut stack)?;
            }
        }
        Ok(())
    }

    /// structure -> structures it holds directly by value (not through a list or map).
    fn by_value_edges(&self) -> BTreeMap<&str, Vec<String>> {
        let mut edges = BTreeMap::new();
        for (name, shape) in self.resolved.shapes() {
            if let ResolvedShape::Structure(_, members) = shape {
                let out = members
                    .iter()
                    .filter_map(|m| match &m.ty {
                        TypeRef::Shape(t) if self.spec.structure(t).is_some() => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                edges.insert(name, out);
            }
        }
        edges
    }
}

/// Whether `from` reaches `to` through by-value edges (`from == to` counts).
fn reaches(edges: &BTreeMap<&str, Vec<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n.clone()) {
            if let Some(next) = edges.get(n.as_str()) {
                stack.extend(next.iter().cloned());
            }
        }
    }
    false
}
