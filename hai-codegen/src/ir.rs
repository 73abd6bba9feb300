//! The intermediate representation: every name resolved, sanitised and checked for collisions.

use std::collections::{BTreeMap, BTreeSet};

use hai_spec::{Shape, Spec, TypeRef};

use crate::names::{camel, code_variant, is_valid_ident, snake};
use crate::{ClientMethods, CodegenError, Options};

/// Module holding every shape that is not an action's input or output.
pub const TYPES_MODULE: &str = "types";
/// Module holding the common error enum.
pub const COMMON_ERROR_MODULE: &str = "common_error";
/// Module holding the client methods.
pub const CLIENT_MODULE: &str = "client";
const RESERVED_MODULES: &[&str] = &[TYPES_MODULE, COMMON_ERROR_MODULE, CLIENT_MODULE, "mod"];
const RESERVED_TYPES: &[&str] = &["SERVICE", "CommonError", "Client", "Call", "Action"];

pub struct Model {
    pub service: ServiceIr,
    pub client_methods: ClientMethods,
    pub actions: Vec<ActionIr>,
    pub structs: Vec<StructIr>,
    pub enums: Vec<EnumIr>,
    pub common_errors: Vec<CodeIr>,
}

pub struct ServiceIr {
    pub name: String,
    pub version: String,
    pub host: String,
    pub regional_host: Option<String>,
    pub signing_service: String,
    pub doc: String,
}

pub struct ActionIr {
    pub wire: String,
    pub module: String,
    pub doc: String,
    pub input: String,
    pub output: String,
    pub error_enum: String,
    pub errors: Vec<CodeIr>,
    pub rate_limit: Option<u32>,
    pub idempotent: bool,
    pub read_only: bool,
    pub examples: Vec<ExampleIr>,
    /// Field of an optional string `ClientToken` in the input, filled automatically per call.
    pub client_token: Option<String>,
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
    pub name: String,
    pub module: String,
    pub doc: String,
    pub fields: Vec<FieldIr>,
    /// Reachable from an action input: gets `new(required...)` and setters.
    pub input: bool,
    /// Reachable from an action output: every field optional, lenient decoding, `Default`.
    pub output: bool,
}

pub struct FieldIr {
    pub wire: String,
    pub ident: String,
    pub doc: String,
    pub ty: Ty,
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

fn parse_type(text: &str, path: &str) -> Result<TypeRef, CodegenError> {
    TypeRef::parse(text).map_err(|m| CodegenError::new(path, m))
}

impl Model {
    pub fn build(spec: &Spec, options: &Options) -> Result<Model, CodegenError> {
        let mut b = Builder {
            spec,
            places: BTreeMap::new(),
            taken_types: BTreeMap::new(),
        };
        b.place_shapes()?;
        let (input_reach, output_reach) = b.reachability()?;
        let by_value = b.by_value_edges()?;

        let mut structs = Vec::new();
        let mut enums = Vec::new();
        for (shape_name, shape) in spec.shapes.iter() {
            let path = format!("shapes.{shape_name}");
            match shape {
                Shape::Structure(st) => {
                    let (module, name) = b.places[shape_name].clone();
                    let input = input_reach.contains(shape_name);
                    let output = output_reach.contains(shape_name);
                    let mut fields = Vec::new();
                    let mut idents = BTreeMap::<String, String>::new();
                    for (i, m) in st.members.iter().enumerate() {
                        let mpath = format!("{path}.members[{i}]");
                        let ident = checked_ident(snake(&m.name), &mpath, "member name")?;
                        if let Some(other) = idents.insert(ident.clone(), m.name.clone()) {
                            return Err(CodegenError::new(
                                &mpath,
                                format!(
                                    "member \"{}\" and \"{other}\" both become the field `{ident}`",
                                    m.name
                                ),
                            ));
                        }
                        let tref = parse_type(&m.ty, &format!("{mpath}.type"))?;
                        let ty = b.ty(&tref, &format!("{mpath}.type"))?;
                        let boxed = matches!(&tref, TypeRef::Shape(t)
                            if by_value.contains_key(t.as_str()) && reaches(&by_value, t, shape_name));
                        let request_id =
                            output && m.name == "RequestId" && matches!(tref, TypeRef::String);
                        let optional = !request_id && (output || !m.required);
                        fields.push(FieldIr {
                            wire: m.name.clone(),
                            ident,
                            doc: m.doc.clone(),
                            ty,
                            required: m.required,
                            optional,
                            boxed,
                            request_id,
                            default: m.default.clone(),
                            example: m.example.clone(),
                            sensitive: m.sensitive,
                        });
                    }
                    structs.push(StructIr {
                        name,
                        module,
                        doc: st.doc.clone(),
                        fields,
                        input,
                        output,
                    });
                }
                Shape::Enum(en) => {
                    let (_, name) = b.places[shape_name].clone();
                    let mut values = Vec::new();
                    let mut seen = BTreeMap::<String, String>::new();
                    for (i, v) in en.values.iter().enumerate() {
                        let vpath = format!("{path}.values[{i}]");
                        let mut variant = checked_ident(camel(&v.value), &vpath, "enum value")?;
                        if variant == "Unknown" {
                            // `Unknown` is the fallback for values the spec does not list.
                            variant = "UnknownValue".to_owned();
                        }
                        if let Some(other) = seen.insert(variant.clone(), v.value.clone()) {
                            return Err(CodegenError::new(
                                &vpath,
                                format!("values \"{}\" and \"{other}\" both become the variant `{variant}`", v.value),
                            ));
                        }
                        values.push(EnumValueIr {
                            wire: v.value.clone(),
                            variant,
                            doc: v.doc.clone(),
                        });
                    }
                    enums.push(EnumIr {
                        name,
                        doc: en.doc.clone(),
                        values,
                    });
                }
                Shape::List(_) | Shape::Map(_) => {}
            }
        }

        let mut actions = Vec::new();
        let mut modules = BTreeMap::<String, String>::new();
        for (wire, action) in spec.actions.iter() {
            let path = format!("actions.{wire}");
            let module = checked_ident(snake(wire), &path, "action name")?;
            if module.starts_with("r#") || RESERVED_MODULES.contains(&module.as_str()) {
                return Err(CodegenError::new(
                    &path,
                    format!("action module `{module}` is reserved"),
                ));
            }
            if let Some(other) = modules.insert(module.clone(), wire.clone()) {
                return Err(CodegenError::new(
                    &path,
                    format!("actions \"{wire}\" and \"{other}\" both become the module `{module}`"),
                ));
            }
            let error_enum = checked_ident(format!("{}Error", camel(wire)), &path, "action name")?;
            b.claim_type(&error_enum, &path)?;
            let mut errors = Vec::new();
            let mut seen = BTreeMap::<String, String>::new();
            for (i, code) in action.errors.iter().enumerate() {
                let cpath = format!("{path}.errors[{i}]");
                let variant = checked_ident(code_variant(code), &cpath, "error code")?;
                if variant == "Common" || variant == "Unhandled" {
                    return Err(CodegenError::new(
                        &cpath,
                        format!("error code \"{code}\" clashes with the `{variant}` variant"),
                    ));
                }
                if let Some(other) = seen.insert(variant.clone(), code.clone()) {
                    return Err(CodegenError::new(
                        &cpath,
                        format!(
                            "codes \"{code}\" and \"{other}\" both become the variant `{variant}`"
                        ),
                    ));
                }
                let doc = spec
                    .errors
                    .service
                    .get(code)
                    .or_else(|| spec.errors.common.get(code))
                    .cloned()
                    .unwrap_or_default();
                errors.push(CodeIr {
                    code: code.clone(),
                    variant,
                    doc,
                });
            }
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
                    .find(|m| m.name == "ClientToken" && m.ty == "string" && !m.required)
                    .map(|m| snake(&m.name)),
                _ => None,
            };
            actions.push(ActionIr {
                client_token,
                wire: wire.clone(),
                module,
                doc: action.doc.clone(),
                input: b.places[&action.input].1.clone(),
                output: b.places[&action.output].1.clone(),
                error_enum,
                errors,
                rate_limit: action.rate_limit,
                idempotent: action.idempotent,
                read_only: action.read_only,
                examples,
            });
        }

        let mut common_errors = Vec::new();
        let mut seen = BTreeMap::<String, String>::new();
        for (code, doc) in spec.errors.common.iter() {
            let path = format!("errors.common.{code}");
            let variant = checked_ident(code_variant(code), &path, "error code")?;
            if let Some(other) = seen.insert(variant.clone(), code.clone()) {
                return Err(CodegenError::new(
                    &path,
                    format!("codes \"{code}\" and \"{other}\" both become the variant `{variant}`"),
                ));
            }
            common_errors.push(CodeIr {
                code: code.clone(),
                variant,
                doc: doc.clone(),
            });
        }

        if let ClientMethods::Trait(name) = &options.client_methods {
            checked_ident(name.clone(), "options.client_methods", "trait name")?;
        }
        let s = &spec.service;
        Ok(Model {
            service: ServiceIr {
                name: s.name.clone(),
                version: s.version.clone(),
                host: s.host.clone(),
                regional_host: s.regional_host.clone(),
                signing_service: s.signing_service.clone(),
                doc: s.doc.clone(),
            },
            client_methods: options.client_methods.clone(),
            actions,
            structs,
            enums,
            common_errors,
        })
    }
}

struct Builder<'a> {
    spec: &'a Spec,
    /// shape name -> (module, Rust type name) for structures and enums.
    places: BTreeMap<String, (String, String)>,
    /// Rust type name -> JSON path that claimed it (names are unique across the tree).
    taken_types: BTreeMap<String, String>,
}

impl Builder<'_> {
    fn claim_type(&mut self, name: &str, path: &str) -> Result<(), CodegenError> {
        if RESERVED_TYPES.contains(&name) {
            return Err(CodegenError::new(
                path,
                format!("type name `{name}` is reserved"),
            ));
        }
        if let Some(other) = self.taken_types.insert(name.to_owned(), path.to_owned()) {
            return Err(CodegenError::new(
                path,
                format!("Rust type name `{name}` is already used by {other}"),
            ));
        }
        Ok(())
    }

    fn place_shapes(&mut self) -> Result<(), CodegenError> {
        let mut io_module = BTreeMap::<&str, Vec<String>>::new();
        for (wire, action) in self.spec.actions.iter() {
            let module = snake(wire);
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
            let name = checked_ident(camel(shape_name), &path, "shape name")?;
            self.claim_type(&name, &path)?;
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
            TypeRef::Shape(name) => match self.spec.shapes.get(name) {
                Some(Shape::List(l)) => {
                    Ty::Vec(Box::new(self.ty(&parse_type(&l.member, path)?, path)?))
                }
                Some(Shape::Map(m)) => {
                    Ty::Map(Box::new(self.ty(&parse_type(&m.value, path)?, path)?))
                }
                Some(_) => {
                    let (module, name) = self.places[name].clone();
                    Ty::Named { module, name }
                }
                None => return Err(CodegenError::new(path, format!("unknown shape \"{name}\""))),
            },
        })
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
                match self.spec.shapes.get(n) {
                    Some(Shape::List(l)) => {
                        self.mentioned(&parse_type(&l.member, path)?, path, out)?
                    }
                    Some(Shape::Map(m)) => {
                        self.mentioned(&parse_type(&m.value, path)?, path, out)?
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
            if let Some(Shape::Structure(st)) = self.spec.shapes.get(&name) {
                for (i, m) in st.members.iter().enumerate() {
                    let path = format!("shapes.{name}.members[{i}].type");
                    self.mentioned(&parse_type(&m.ty, &path)?, &path, &mut stack)?;
                }
            }
        }
        Ok(())
    }

    /// structure -> structures it holds directly by value (not through a list or map).
    fn by_value_edges(&self) -> Result<BTreeMap<&str, Vec<String>>, CodegenError> {
        let mut edges = BTreeMap::new();
        for (name, shape) in self.spec.shapes.iter() {
            if let Shape::Structure(st) = shape {
                let mut out = Vec::new();
                for (i, m) in st.members.iter().enumerate() {
                    let path = format!("shapes.{name}.members[{i}].type");
                    if let TypeRef::Shape(t) = parse_type(&m.ty, &path)? {
                        if matches!(self.spec.shapes.get(&t), Some(Shape::Structure(_))) {
                            out.push(t);
                        }
                    }
                }
                edges.insert(name.as_str(), out);
            }
        }
        Ok(edges)
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
