//! The command table of the `hai` command-line tool: one entry per action with its
//! parameters, docs, enum values, defaults and examples, and the output structures the tool
//! reshapes answers by (tccli prints every declared member, `null` when absent, in the
//! spec's order). The table is data, not a parser: the tool builds its argument parser from
//! it at run time, so the generated file stays small and needs no argument-parsing crate here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hai_spec::{Shape, Spec, TypeRef};
use sha2::{Digest, Sha256};

use crate::{ir, CodegenError, GeneratedFile, Options, HEADER_PREFIX};

/// Generates `commands.rs` of the command-line tool for `spec`. `spec_text` is hashed into
/// the header (pass the exact text the spec was read from); `label` names the spec in it;
/// `runtime` is the path of the SDK crate whose typed actions the dispatch names
/// (`::hai_sdk`).
pub fn generate_cli_table(
    spec: &Spec,
    spec_text: &str,
    label: &str,
    runtime: &str,
) -> Result<GeneratedFile, CodegenError> {
    let options = Options {
        label: Some(label.to_owned()),
        runtime: runtime.to_owned(),
        actions: None,
    };
    let model = ir::Model::build(spec, &options)?;
    let modules: BTreeMap<&str, (&str, &str)> = model
        .actions
        .iter()
        .map(|a| (a.wire.as_str(), (a.module.as_str(), a.input.as_str())))
        .collect();

    // Structures in name order; each gets an index the types refer to.
    let structs: Vec<&str> = spec
        .shapes
        .iter()
        .filter(|(_, s)| matches!(s, Shape::Structure(_)))
        .map(|(n, _)| n.as_str())
        .collect();
    let index: BTreeMap<&str, usize> = structs.iter().enumerate().map(|(i, n)| (*n, i)).collect();

    let mut out = String::new();
    out.push_str("use super::super::table::{ActionDef, MemberDef, StructDef, Ty};\n");
    let _ = writeln!(
        out,
        "/// Every action of {} {}, in name order.",
        spec.service.name, spec.service.version
    );
    out.push_str("pub static ACTIONS: &[ActionDef] = &[\n");
    for (wire, action) in spec.actions.iter() {
        let path = format!("actions.{wire}");
        let input = *index.get(action.input.as_str()).ok_or_else(|| {
            CodegenError::new(&path, format!("input `{}` is no structure", action.input))
        })?;
        let output = *index.get(action.output.as_str()).ok_or_else(|| {
            CodegenError::new(&path, format!("output `{}` is no structure", action.output))
        })?;
        let example = action
            .examples
            .first()
            .map(|e| serde_json::to_string_pretty(&e.request).unwrap_or_default());
        let _ = writeln!(
            out,
            "ActionDef {{ name: {}, kebab: {}, doc: {}, input: {input}, output: {output}, example: {} }},",
            lit(wire),
            lit(&heck_kebab(wire)),
            lit(&action.doc),
            opt_lit(example.as_deref()),
        );
    }
    out.push_str("];\n");
    out.push_str("/// Every structure, in name order; `Ty::Struct` holds an index into it.\n");
    out.push_str("pub static STRUCTS: &[StructDef] = &[\n");
    for name in &structs {
        let Some(Shape::Structure(s)) = spec.shapes.get(*name) else {
            continue;
        };
        let _ = write!(out, "StructDef {{ name: {}, members: &[", lit(name));
        for (i, m) in s.members.iter().enumerate() {
            let path = format!("shapes.{name}.members[{i}]");
            let ty = m
                .type_ref()
                .map_err(|e| CodegenError::new(&path, e))
                .and_then(|t| ty_text(spec, &index, &t, &path))?;
            let _ = write!(
                out,
                "MemberDef {{ name: {}, kebab: {}, ty: {ty}, required: {}, doc: {}, default: {}, example: {} }},",
                lit(&m.name),
                lit(&heck_kebab(&m.name)),
                m.required,
                lit(&m.doc),
                opt_lit(m.default.as_ref().map(|v| v.to_string()).as_deref()),
                opt_lit(m.example.as_ref().map(|v| v.to_string()).as_deref()),
            );
        }
        out.push_str("] },\n");
    }
    out.push_str("];\n");

    out.push_str(
        "/// Sends `body` as action number `action` of [`ACTIONS`] through the SDK's typed\n\
         /// action (its metadata, rate limit and retry rules) and returns the `Response` object.\n",
    );
    let runtime = runtime.trim();
    out.push_str(&format!(
        "pub async fn send(client: &{runtime}::Client, action: usize, body: super::super::json::Json, options: &super::super::call::CallSettings) -> ::std::result::Result<super::super::json::Json, super::super::call::CallError> {{\n    match action {{\n"
    ));
    for (i, wire) in spec.actions.keys().enumerate() {
        let (module, input) = modules
            .get(wire.as_str())
            .ok_or_else(|| CodegenError::new(format!("actions.{wire}"), "action has no module"))?;
        let _ = writeln!(
            out,
            "        {i} => super::super::call::send::<{runtime}::{module}::{input}>(client, body, options).await,"
        );
    }
    out.push_str(
        "        _ => ::std::result::Result::Err(super::super::call::CallError::NoSuchAction),\n    }\n}\n",
    );

    let file: syn::File = syn::parse_str(&out)
        .map_err(|e| CodegenError::new("cli", format!("generated table does not parse: {e}")))?;
    let hash: String = Sha256::digest(spec_text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut contents = format!("{HEADER_PREFIX}{label} (sha256 {hash}). Do not edit.\n\n");
    contents.push_str(&prettyplease::unparse(&file));
    Ok(GeneratedFile {
        path: "commands.rs".into(),
        contents,
    })
}

/// The `Ty` expression of a member type.
fn ty_text(
    spec: &Spec,
    index: &BTreeMap<&str, usize>,
    t: &TypeRef,
    path: &str,
) -> Result<String, CodegenError> {
    Ok(match t {
        TypeRef::String => "Ty::String".into(),
        TypeRef::Boolean => "Ty::Bool".into(),
        TypeRef::Int64 => "Ty::Int".into(),
        TypeRef::UInt64 => "Ty::UInt".into(),
        TypeRef::Float64 => "Ty::Float".into(),
        TypeRef::List(inner) => format!("Ty::List(&{})", ty_text(spec, index, inner, path)?),
        TypeRef::Map(inner) => format!("Ty::Map(&{})", ty_text(spec, index, inner, path)?),
        TypeRef::Shape(name) => match spec.shapes.get(name) {
            Some(Shape::Structure(_)) => format!("Ty::Struct({})", index[name.as_str()]),
            Some(Shape::Enum(e)) => {
                let values: Vec<String> = e.values.iter().map(|v| lit(&v.value)).collect();
                format!("Ty::Enum(&[{}])", values.join(", "))
            }
            Some(Shape::List(l)) => {
                let inner = l.member_type().map_err(|e| CodegenError::new(path, e))?;
                format!("Ty::List(&{})", ty_text(spec, index, &inner, path)?)
            }
            Some(Shape::Map(m)) => {
                let inner = m.value_type().map_err(|e| CodegenError::new(path, e))?;
                format!("Ty::Map(&{})", ty_text(spec, index, &inner, path)?)
            }
            None => return Err(CodegenError::new(path, format!("unknown shape `{name}`"))),
        },
    })
}

/// `InstanceId` -> `instance-id`, `GPUCount` -> `gpu-count`.
fn heck_kebab(wire: &str) -> String {
    heck::ToKebabCase::to_kebab_case(wire)
}

/// A Rust string literal (Debug escaping is valid literal syntax).
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: Option<&str>) -> String {
    match s {
        Some(s) => format!("Some({})", lit(s)),
        None => "None".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hai_table_generates_and_names_every_action() {
        let path = hai_spec::hai_spec_path();
        let text = std::fs::read_to_string(&path).unwrap();
        let spec = hai_spec::parse(&text).unwrap();
        let file = super::generate_cli_table(&spec, &text, "spec.json", "::hai_sdk").unwrap();
        assert!(file.contents.starts_with(crate::HEADER_PREFIX));
        for name in spec.actions.keys() {
            assert!(
                file.contents.contains(&format!("name: \"{name}\"")),
                "{name}"
            );
        }
        assert!(file
            .contents
            .contains("::hai_sdk::stop_instance::StopInstanceRequest"));
        assert!(file.contents.contains("kebab: \"stop-instance\""));
    }
}
