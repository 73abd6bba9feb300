//! The command table of the `hai` command-line tool: one entry per action with its
//! parameters, docs, enum values, defaults and examples, and the output structures the tool
//! reshapes answers by (tccli prints every declared member, `null` when absent, in the
//! spec's order). The table is data, not a parser: the tool builds its argument parser from
//! it at run time, so the generated file stays small and needs no argument-parsing crate here.

use hai_spec::Spec;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use sha2::{Digest, Sha256};

use crate::ir::{self, WireTy};
use crate::{CodegenError, GeneratedFile, Options, HEADER_PREFIX};

/// Generates `commands.rs` of the command-line tool for `spec`. `spec_text` is hashed into
/// the header (pass the exact text the spec was read from); `label` names the spec in it;
/// `runtime` is the path of the SDK crate whose typed actions the dispatch names
/// (`::hai_sdk`). The table is emitted from the same model as the client, so its actions,
/// structures and members are the client's.
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
        blocking: crate::BlockingClient::No,
    };
    let model = ir::Model::build(spec, &options)?;
    let file: syn::File = syn::parse2(table(&model))
        .map_err(|e| CodegenError::new("cli", format!("generated table does not parse: {e}")))?;
    let hash = crate::hex(&Sha256::digest(spec_text.as_bytes()));
    let mut contents = format!("{HEADER_PREFIX}{label} (sha256 {hash}). Do not edit.\n\n");
    contents.push_str(&prettyplease::unparse(&file));
    Ok(GeneratedFile {
        path: "commands.rs".into(),
        contents,
    })
}

/// The whole file: `ACTIONS` (each with its typed action's metadata, which the tool's
/// untyped call sends by) and `STRUCTS`.
fn table(model: &ir::Model) -> TokenStream {
    let actions_doc = format!(
        " Every action of {} {}, in name order.",
        model.service.name, model.service.version
    );
    let runtime = &model.runtime.tokens;
    let actions = model.actions.iter().map(|a| action_def(runtime, a));
    let structs = model.structs.iter().map(struct_def);
    quote! {
        use super::super::table::{ActionDef, MemberDef, StructDef, Ty};
        #[doc = #actions_doc]
        pub static ACTIONS: &[ActionDef] = &[#(#actions),*];
        /// Every structure, in name order; `Ty::Struct` holds an index into it.
        pub static STRUCTS: &[StructDef] = &[#(#structs),*];
    }
}

fn action_def(runtime: &TokenStream, a: &ir::ActionIr) -> TokenStream {
    let ir::ActionIr {
        wire, kebab, doc, ..
    } = a;
    let input = Literal::usize_unsuffixed(a.input_struct);
    let output = Literal::usize_unsuffixed(a.output_struct);
    let example = opt_str(a.examples.first().map(|e| e.request.as_str()));
    let module = ident(&a.module);
    let request = ident(&a.input);
    quote! {
        ActionDef {
            name: #wire,
            kebab: #kebab,
            doc: #doc,
            input: #input,
            output: #output,
            example: #example,
            meta: <#runtime::#module::#request as #runtime::Action>::META,
        }
    }
}

fn struct_def(s: &ir::StructIr) -> TokenStream {
    let name = &s.wire;
    let members = s.fields.iter().map(|f| {
        let ir::FieldIr {
            wire,
            kebab,
            required,
            doc,
            ..
        } = f;
        let ty = ty(&f.wire_ty);
        let default = opt_str(f.default.as_ref().map(ToString::to_string).as_deref());
        let example = opt_str(f.example.as_ref().map(ToString::to_string).as_deref());
        quote! {
            MemberDef {
                name: #wire,
                kebab: #kebab,
                ty: #ty,
                required: #required,
                doc: #doc,
                default: #default,
                example: #example,
            }
        }
    });
    quote! {
        StructDef { name: #name, members: &[#(#members),*] }
    }
}

/// The `Ty` expression of a member type.
fn ty(t: &WireTy) -> TokenStream {
    match t {
        WireTy::String => quote!(Ty::String),
        WireTy::Bool => quote!(Ty::Bool),
        WireTy::Int64 => quote!(Ty::Int),
        WireTy::UInt64 => quote!(Ty::UInt),
        WireTy::Float64 => quote!(Ty::Float),
        WireTy::List(inner) => {
            let inner = ty(inner);
            quote!(Ty::List(&#inner))
        }
        WireTy::Map(inner) => {
            let inner = ty(inner);
            quote!(Ty::Map(&#inner))
        }
        WireTy::Struct(i) => {
            let i = Literal::usize_unsuffixed(*i);
            quote!(Ty::Struct(#i))
        }
        WireTy::Enum(values) => quote!(Ty::Enum(&[#(#values),*])),
    }
}

/// `Some("...")` or `None`, by absolute path.
fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    }
}

/// An IR identifier (checked when the model was built); `r#type` stays raw.
fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use hai_spec::{ResolvedShape, ResolvedSpec, TypeRef};
    use quote::ToTokens;
    use syn::{Expr, Item, Lit};

    use crate::{ir, Options, Source};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

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

    /// The checked-in table is what the generator makes of the checked-in spec (as
    /// `cargo xtask regen` labels it), and it parses.
    #[test]
    fn the_checked_in_table_is_fresh_and_parses() {
        let label = format!("hai-spec/{}", hai_spec::HAI_SPEC_FILE);
        let text = std::fs::read_to_string(root().join(&label)).unwrap();
        let spec = hai_spec::parse(&text).unwrap();
        let fresh = super::generate_cli_table(&spec, &text, &label, "::hai_sdk").unwrap();
        let path = root().join("hai-cli/src/generated").join(&fresh.path);
        let checked_in = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\r\n", "\n");
        syn::parse_file(&checked_in).expect("the checked-in table parses");
        assert!(
            checked_in == fresh.contents,
            "{} is stale: run `cargo xtask regen`",
            path.display()
        );
    }

    /// The elements of `pub static NAME: &[..] = &[..];`.
    fn elements<'f>(file: &'f syn::File, name: &str) -> Vec<&'f Expr> {
        let value = file
            .items
            .iter()
            .find_map(|item| match item {
                Item::Static(s) if s.ident == name => Some(&*s.expr),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no static {name}"));
        array(value)
    }

    /// The elements of `&[..]`.
    fn array(e: &Expr) -> Vec<&Expr> {
        match e {
            Expr::Reference(r) => match &*r.expr {
                Expr::Array(a) => a.elems.iter().collect(),
                other => panic!("not an array: {}", other.to_token_stream()),
            },
            other => panic!("not a reference: {}", other.to_token_stream()),
        }
    }

    /// Field `name` of a struct expression.
    fn field<'e>(e: &'e Expr, name: &str) -> &'e Expr {
        let Expr::Struct(s) = e else {
            panic!("not a struct: {}", e.to_token_stream())
        };
        s.fields
            .iter()
            .find(|f| f.member.to_token_stream().to_string() == name)
            .map(|f| &f.expr)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    fn lit(e: &Expr) -> &Lit {
        match e {
            Expr::Lit(l) => &l.lit,
            other => panic!("not a literal: {}", other.to_token_stream()),
        }
    }

    fn string(e: &Expr) -> String {
        match lit(e) {
            Lit::Str(s) => s.value(),
            other => panic!("not a string: {}", other.to_token_stream()),
        }
    }

    fn index(e: &Expr) -> usize {
        match lit(e) {
            Lit::Int(i) => i.base10_parse().unwrap(),
            other => panic!("not an integer: {}", other.to_token_stream()),
        }
    }

    /// `::std::option::Option::Some("..")` -> `Some(..)`, `::std::option::Option::None` -> `None`.
    fn opt_string(e: &Expr) -> Option<String> {
        match e {
            Expr::Call(c) => {
                assert_eq!(
                    c.func.to_token_stream().to_string().replace(' ', ""),
                    "::std::option::Option::Some"
                );
                Some(string(&c.args[0]))
            }
            Expr::Path(p) => {
                assert_eq!(
                    p.to_token_stream().to_string().replace(' ', ""),
                    "::std::option::Option::None"
                );
                None
            }
            other => panic!("not an option: {}", other.to_token_stream()),
        }
    }

    /// `Ty::Name(arg)` -> (`Name`, `arg`).
    fn ty_parts(e: &Expr) -> (String, Option<&Expr>) {
        match e {
            Expr::Path(p) => (p.path.segments[1].ident.to_string(), None),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    panic!("not a Ty: {}", e.to_token_stream())
                };
                (p.path.segments[1].ident.to_string(), Some(&c.args[0]))
            }
            other => panic!("not a Ty: {}", other.to_token_stream()),
        }
    }

    /// Checks a `Ty` expression against the member type the spec resolves, independently of
    /// the model: structures by the name of the `STRUCTS` entry they point at.
    fn check_ty(resolved: &ResolvedSpec<'_>, structs: &[&Expr], t: &TypeRef, e: &Expr, at: &str) {
        let (kind, arg) = ty_parts(e);
        let inner = |t: &TypeRef| {
            let Some(Expr::Reference(r)) = arg else {
                panic!("{at}: {kind} without &Ty")
            };
            check_ty(resolved, structs, t, &r.expr, at)
        };
        match t {
            TypeRef::String => assert_eq!(kind, "String", "{at}"),
            TypeRef::Boolean => assert_eq!(kind, "Bool", "{at}"),
            TypeRef::Int64 => assert_eq!(kind, "Int", "{at}"),
            TypeRef::UInt64 => assert_eq!(kind, "UInt", "{at}"),
            TypeRef::Float64 => assert_eq!(kind, "Float", "{at}"),
            TypeRef::List(t) => {
                assert_eq!(kind, "List", "{at}");
                inner(t)
            }
            TypeRef::Map(t) => {
                assert_eq!(kind, "Map", "{at}");
                inner(t)
            }
            TypeRef::Shape(name) => match resolved.shape(name).expect("resolved") {
                ResolvedShape::List(_, t) => {
                    assert_eq!(kind, "List", "{at}");
                    inner(t)
                }
                ResolvedShape::Map(_, t) => {
                    assert_eq!(kind, "Map", "{at}");
                    inner(t)
                }
                ResolvedShape::Structure(..) => {
                    assert_eq!(kind, "Struct", "{at}");
                    let i = index(arg.expect("an index"));
                    assert_eq!(string(field(structs[i], "name")), *name, "{at}");
                }
                ResolvedShape::Enum(en) => {
                    assert_eq!(kind, "Enum", "{at}");
                    let values: Vec<String> = array(arg.expect("values"))
                        .into_iter()
                        .map(string)
                        .collect();
                    let want: Vec<&str> = en.values.iter().map(|v| v.value.as_str()).collect();
                    assert_eq!(values, want, "{at}");
                }
            },
        }
    }

    /// The table of `source` parses, and its actions, structures and members are the
    /// model's and the spec's, one to one and in the same order.
    fn check_table(source: &Source, runtime: &str) -> (usize, usize) {
        let spec = source.spec();
        let file = super::generate_cli_table(spec, source.text(), "t.json", runtime).unwrap();
        let parsed = syn::parse_file(&file.contents).expect("the table parses");
        let options = Options {
            label: Some("t.json".into()),
            runtime: runtime.into(),
            actions: None,
            blocking: crate::BlockingClient::No,
        };
        let model = ir::Model::build(spec, &options).unwrap();
        let resolved = spec.resolve().unwrap();
        let actions = elements(&parsed, "ACTIONS");
        let structs = elements(&parsed, "STRUCTS");

        assert_eq!(actions.len(), model.actions.len());
        assert_eq!(actions.len(), spec.actions.len());
        for ((def, a), (wire, action)) in
            actions.iter().zip(&model.actions).zip(spec.actions.iter())
        {
            assert_eq!(string(field(def, "name")), a.wire);
            assert_eq!(a.wire, *wire);
            assert_eq!(string(field(def, "kebab")), a.kebab);
            assert_eq!(string(field(def, "doc")), action.doc);
            let input = index(field(def, "input"));
            let output = index(field(def, "output"));
            assert_eq!((input, output), (a.input_struct, a.output_struct), "{wire}");
            assert_eq!(string(field(structs[input], "name")), action.input);
            assert_eq!(string(field(structs[output], "name")), action.output);
            let example = action
                .examples
                .first()
                .map(|e| serde_json::to_string_pretty(&e.request).unwrap());
            assert_eq!(opt_string(field(def, "example")), example, "{wire}");
        }

        let shapes: Vec<(&str, &[hai_spec::ResolvedMember<'_>])> = resolved
            .shapes()
            .filter_map(|(n, s)| match s {
                ResolvedShape::Structure(_, members) => Some((n, members.as_slice())),
                _ => None,
            })
            .collect();
        assert_eq!(structs.len(), model.structs.len());
        assert_eq!(structs.len(), shapes.len());
        let mut members_total = 0;
        for ((def, st), (name, members)) in structs.iter().zip(&model.structs).zip(&shapes) {
            assert_eq!(string(field(def, "name")), st.wire);
            assert_eq!(st.wire, *name);
            let defs = array(field(def, "members"));
            assert_eq!(defs.len(), st.fields.len(), "{name}");
            assert_eq!(defs.len(), members.len(), "{name}");
            for ((m, f), rm) in defs.iter().zip(&st.fields).zip(*members) {
                let at = format!("{name}.{}", f.wire);
                assert_eq!(string(field(m, "name")), f.wire);
                assert_eq!(f.wire, rm.member.name);
                assert_eq!(string(field(m, "kebab")), f.kebab, "{at}");
                assert_eq!(
                    field(m, "required").to_token_stream().to_string(),
                    rm.member.required.to_string(),
                    "{at}"
                );
                assert_eq!(string(field(m, "doc")), rm.member.doc, "{at}");
                let json = |v: &Option<serde_json::Value>| v.as_ref().map(ToString::to_string);
                assert_eq!(
                    opt_string(field(m, "default")),
                    json(&rm.member.default),
                    "{at}"
                );
                assert_eq!(
                    opt_string(field(m, "example")),
                    json(&rm.member.example),
                    "{at}"
                );
                check_ty(&resolved, &structs, &rm.ty, field(m, "ty"), &at);
                members_total += 1;
            }
        }

        // Each action names its typed input's metadata, in order.
        for (def, a) in actions.iter().zip(&model.actions) {
            let meta = field(def, "meta")
                .to_token_stream()
                .to_string()
                .replace(' ', "");
            let want = format!(
                "<{runtime}::{}::{}as{runtime}::Action>::META",
                a.module, a.input
            );
            assert_eq!(meta, want);
        }
        (actions.len(), members_total)
    }

    #[test]
    fn the_table_is_the_models_actions_structures_and_members() {
        let fixtures = root().join("tests/fixtures");
        let hai = Source::from_spec_file(&hai_spec::hai_spec_path()).unwrap();
        let (actions, members) = check_table(&hai, "::hai_sdk");
        assert_eq!(actions, hai.spec().actions.len());
        assert!(members > 100, "{members}");

        // Tencent's api.json of every construct, imported as the generator imports it
        // (with and without its overlay), under another runtime path.
        let api = fixtures.join("constructs.api.json");
        let overlay = fixtures.join("constructs.overlay.json");
        for overlay in [None, Some(overlay.as_path())] {
            let constructs = Source::from_tencent_files(&api, None, overlay).unwrap();
            let (actions, _) = check_table(&constructs, "crate::sdk");
            assert_eq!(actions, constructs.spec().actions.len());
        }
        let widgets = Source::from_tencent_files(
            &fixtures.join("widgets.api.json"),
            Some(&fixtures.join("widgets.errors.json")),
            None,
        )
        .unwrap();
        check_table(&widgets, "::hai_sdk");
        let demo = Source::from_spec_file(&fixtures.join("demo-spec.json")).unwrap();
        check_table(&demo, "::hai_sdk");
    }
}
