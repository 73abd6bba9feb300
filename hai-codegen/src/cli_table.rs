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
use crate::{ClientMethods, CodegenError, GeneratedFile, Options, HEADER_PREFIX};

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
        client_methods: ClientMethods::Inherent,
        runtime: runtime.to_owned(),
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

/// The whole file: `ACTIONS`, `STRUCTS` and the `send` dispatch.
fn table(model: &ir::Model) -> TokenStream {
    let actions_doc = format!(
        " Every action of {} {}, in name order.",
        model.service.name, model.service.version
    );
    let actions = model.actions.iter().map(action_def);
    let structs = model.structs.iter().map(struct_def);
    let runtime = &model.runtime.tokens;
    let arms = model.actions.iter().enumerate().map(|(i, a)| {
        let i = Literal::usize_unsuffixed(i);
        let module = ident(&a.module);
        let input = ident(&a.input);
        quote! {
            #i => super::super::call::send::<#runtime::#module::#input>(client, body, options).await,
        }
    });
    quote! {
        use super::super::table::{ActionDef, MemberDef, StructDef, Ty};
        #[doc = #actions_doc]
        pub static ACTIONS: &[ActionDef] = &[#(#actions),*];
        /// Every structure, in name order; `Ty::Struct` holds an index into it.
        pub static STRUCTS: &[StructDef] = &[#(#structs),*];
        /// Sends `body` as action number `action` of [`ACTIONS`] through the SDK's typed
        /// action (its metadata, rate limit and retry rules) and returns the `Response` object.
        pub async fn send(
            client: &#runtime::Client,
            action: usize,
            body: super::super::json::Json,
            options: &super::super::call::CallSettings,
        ) -> ::std::result::Result<super::super::json::Json, super::super::call::CallError> {
            match action {
                #(#arms)*
                _ => ::std::result::Result::Err(super::super::call::CallError::NoSuchAction),
            }
        }
    }
}

fn action_def(a: &ir::ActionIr) -> TokenStream {
    let ir::ActionIr {
        wire, kebab, doc, ..
    } = a;
    let input = Literal::usize_unsuffixed(a.input_struct);
    let output = Literal::usize_unsuffixed(a.output_struct);
    let example = opt_str(a.examples.first().map(|e| e.request.as_str()));
    quote! {
        ActionDef {
            name: #wire,
            kebab: #kebab,
            doc: #doc,
            input: #input,
            output: #output,
            example: #example,
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
