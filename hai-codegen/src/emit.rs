//! IR -> token streams, one emitter per generated fragment.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{
    ActionIr, CodeIr, EnumIr, FieldIr, FieldRef, FilterIr, Model, PagingIr, ResourceIr, Runtime,
    SelectionIr, StructIr, Ty, BLOCKING_MODULE, CLIENT_MODULE, COMMON_ERROR_MODULE, TYPES_MODULE,
};
use crate::{BlockingClient, RUNTIME_INTERFACE};

/// Every output file: (relative path, tokens).
pub fn files(model: &Model) -> Vec<(String, TokenStream)> {
    let mut out = vec![
        ("mod.rs".to_owned(), root(model)),
        (format!("{TYPES_MODULE}.rs"), types_module(model)),
        (
            format!("{COMMON_ERROR_MODULE}.rs"),
            common_error_module(model),
        ),
        (format!("{CLIENT_MODULE}.rs"), client_module(model)),
    ];
    if model.blocking != BlockingClient::No {
        out.push((format!("{BLOCKING_MODULE}.rs"), blocking_module(model)));
    }
    for action in &model.actions {
        out.push((
            format!("{}.rs", action.module),
            action_module(model, action),
        ));
    }
    out
}

/// An identifier that was validated by the IR (raw identifiers included).
fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

/// Spec prose -> `#[doc]` attributes, one per line, safe for rustdoc.
fn doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

fn inner_doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
}

/// Lines with prose escaped; lines inside ``` fences are kept verbatim. Rustdoc would run
/// a fence without a language, or an indented block, as a Rust doctest, which a service's
/// prose (a request in tccli's syntax, a URL) never is: such fences are marked `text`, and
/// prose lines lose the indentation that would make them a code block.
fn doc_lines(text: &str) -> Vec<String> {
    let mut in_fence = false;
    text.lines()
        .map(|l| {
            let trimmed = l.trim_start();
            if let Some(info) = trimmed.strip_prefix("```") {
                let opening = !in_fence;
                in_fence = !in_fence;
                if opening && info.trim().is_empty() {
                    let indent = &l[..l.len() - trimmed.len()];
                    format!(" {indent}```text")
                } else {
                    format!(" {l}")
                }
            } else if in_fence {
                format!(" {l}")
            } else {
                let indent = l.len() - trimmed.len();
                let line = if indent >= 4 || l.starts_with('\t') {
                    trimmed
                } else {
                    l
                };
                format!(" {}", sanitize_doc_line(line))
            }
        })
        .collect()
}

/// Keeps spec prose from being read as HTML or intra-doc links by rustdoc.
fn sanitize_doc_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '[' if !in_code => out.push_str("\\["),
            ']' if !in_code => out.push_str("\\]"),
            _ => out.push(c),
        }
    }
    out
}

fn ty_tokens(ty: &Ty, from_module: &str) -> TokenStream {
    match ty {
        Ty::String => quote!(::std::string::String),
        Ty::Bool => quote!(bool),
        Ty::I64 => quote!(i64),
        Ty::U64 => quote!(u64),
        Ty::F64 => quote!(f64),
        Ty::Named { module, name } => {
            let name = ident(name);
            if module == from_module {
                quote!(#name)
            } else {
                let module = ident(module);
                quote!(super::#module::#name)
            }
        }
        Ty::Vec(inner) => {
            let inner = ty_tokens(inner, from_module);
            quote!(::std::vec::Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty_tokens(inner, from_module);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
    }
}

fn root(model: &Model) -> TokenStream {
    let rt = &model.runtime.tokens;
    let s = &model.service;
    let header = inner_doc(&format!(
        "Generated types and client methods of `{}` API `{}`.",
        s.name, s.version
    ));
    let modules = model.actions.iter().map(|a| {
        let m = ident(&a.module);
        let d = doc(&format!("`{}`: request, response and error types.", a.wire));
        quote! { #d pub mod #m; }
    });
    // Private: it only adds methods to `Client`, and a crate that mounts the tree beside the
    // runtime's modules (hai-sdk) keeps `client` for the runtime's.
    let client = quote! { mod client; };
    let blocking = match &model.blocking {
        BlockingClient::No => quote!(),
        BlockingClient::Always => quote! {
            /// The blocking client: the same methods as [`Client`], returning their results.
            pub mod blocking;
        },
        BlockingClient::Feature(name) => quote! {
            /// The blocking client: the same methods as [`Client`], returning their results.
            #[cfg(feature = #name)]
            pub mod blocking;
        },
    };
    let client_type = client_type(model);
    let (name, version, host, signing) = (&s.name, &s.version, &s.host, &s.signing_service);
    let region_required = s.region_required;
    let interface = proc_macro2::Literal::u32_unsuffixed(RUNTIME_INTERFACE);
    let regional = match &s.regional_host {
        Some(r) => quote!(::std::option::Option::Some(#r)),
        None => quote!(::std::option::Option::None),
    };
    let service_doc = doc(&format!(
        "The `{name}` service, API version `{version}`. {}",
        s.doc
    ));
    let arms = model.actions.iter().map(|a| {
        let (wire, m, input) = (&a.wire, ident(&a.module), ident(&a.input));
        quote!(#wire => ::std::option::Option::Some(visitor.visit::<#m::#input>()),)
    });
    quote! {
        #header
        /// Codes every Tencent Cloud action may return.
        pub mod common_error;
        /// Shapes and enums shared by several actions.
        pub mod types;
        #( #modules )*
        #client
        #blocking
        #client_type
        // Fails to compile, saying why, against a runtime with another interface version.
        #rt::__require_runtime_interface!(#interface);
        /// Calls `visitor` with the request type of the action named `action` (its wire name,
        /// e.g. `DescribeInstances`); `None` for an action this tree does not have. For tools
        /// that work on any action by name with its generated types (validation, conformance
        /// checks); nothing is compiled for it unless it is called.
        pub fn visit_action<V: #rt::ActionVisitor>(action: &str, visitor: V) -> ::std::option::Option<V::Output> {
            match action {
                #( #arms )*
                _ => ::std::option::Option::None,
            }
        }
        #service_doc
        pub const SERVICE: #rt::ServiceMeta = #rt::ServiceMeta {
            name: #name,
            version: #version,
            host: #host,
            regional_host: #regional,
            signing_service: #signing,
            region_required: #region_required,
        };
    }
}

fn types_module(model: &Model) -> TokenStream {
    let structs = model
        .structs
        .iter()
        .filter(|s| s.module == TYPES_MODULE)
        .map(|s| structure(&model.runtime, s, TYPES_MODULE));
    let enums = model.enums.iter().map(|e| enumeration(&model.runtime, e));
    quote! {
        //! Shapes and enums shared by several actions.
        #( #structs )*
        #( #enums )*
    }
}

fn field_doc(f: &FieldIr, input: bool) -> TokenStream {
    let mut text = f.doc.clone();
    let mut notes = Vec::new();
    if input {
        notes.push(if f.required {
            "Required.".to_owned()
        } else {
            "Optional.".to_owned()
        });
    }
    if let Some(d) = &f.default {
        notes.push(format!("Default: `{d}`."));
    }
    if let Some(e) = &f.example {
        notes.push(format!("Example: `{e}`."));
    }
    if f.sensitive {
        notes.push("Sensitive: `Debug` shows it redacted.".to_owned());
    }
    if f.deprecated {
        notes.push(
            "Deprecated: the service marks this member withdrawn, yet some answers still carry it."
                .to_owned(),
        );
    }
    if !notes.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&notes.join(" "));
    }
    doc(&text)
}

/// The stored type of a field: `Option`/`Box` wrappers applied.
fn field_type(f: &FieldIr, module: &str) -> TokenStream {
    let mut t = ty_tokens(&f.ty, module);
    if f.boxed {
        t = quote!(::std::boxed::Box<#t>);
    }
    if f.optional {
        t = quote!(::std::option::Option<#t>);
    }
    t
}

fn structure(runtime: &Runtime, s: &StructIr, module: &str) -> TokenStream {
    let rt = &runtime.tokens;
    let serde_crate = format!("{}::__private::serde", runtime.text);
    let null_as_default = format!("{}::__private::null_as_default", runtime.text);
    let name = ident(&s.name);
    let d = doc(&s.doc);
    // Input-only shapes with required members get no Default: it would bypass `new(...)`.
    let default = if s.output || s.fields.iter().all(|f| !f.required) {
        quote!(::std::default::Default,)
    } else {
        quote!()
    };
    let fields = s.fields.iter().map(|f| {
        let fd = field_doc(f, s.input);
        let fname = ident(&f.ident);
        let wire = &f.wire;
        let t = field_type(f, module);
        let serde_attr = if f.request_id {
            quote!(#[serde(rename = #wire, default, deserialize_with = #null_as_default)])
        } else if f.optional {
            quote!(#[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")])
        } else {
            quote!(#[serde(rename = #wire)])
        };
        let deprecated = if f.deprecated {
            quote!(#[deprecated(note = "withdrawn by the service; some answers still carry it")])
        } else {
            quote!()
        };
        quote! { #fd #serde_attr #deprecated pub #fname: #t, }
    });
    // What decoding found: not a member, never serialised.
    let (report_field, report_impl) = if s.answer {
        (
            quote! {
                #[serde(skip)]
                pub(crate) __decode_report: #rt::decode::DecodeReport,
            },
            quote! {
                impl #name {
                    /// What decoding this answer found: members without their declared types
                    /// (converted, or read as absent) and, when there were any, the raw answer.
                    /// See `hai_runtime::decode`.
                    pub fn decode_report(&self) -> &#rt::decode::DecodeReport { &self.__decode_report }
                }
            },
        )
    } else {
        (quote!(), quote!())
    };
    let builder = if s.input {
        input_impl(s, module)
    } else {
        quote!()
    };
    // A structure with a secret member writes its own Debug, so the secret never prints.
    let (debug_derive, debug_impl) = if s.fields.iter().any(|f| f.sensitive) {
        (quote!(), redacting_debug(runtime, s))
    } else {
        (quote!(::std::fmt::Debug,), quote!())
    };
    quote! {
        #d
        #[derive(::std::clone::Clone, #debug_derive ::std::cmp::PartialEq, #default #rt::__private::serde::Serialize, #rt::__private::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        #[non_exhaustive]
        pub struct #name { #( #fields )* #report_field }
        #debug_impl
        #builder
        #report_impl
    }
}

fn redacting_debug(runtime: &Runtime, s: &StructIr) -> TokenStream {
    let rt = &runtime.tokens;
    let name = ident(&s.name);
    let label = &s.name;
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.ident);
        let label = &f.ident;
        if f.sensitive {
            quote!(.field(#label, &#rt::__private::Redacted::of(&self.#fname)))
        } else {
            quote!(.field(#label, &self.#fname))
        }
    });
    let allow = if s.fields.iter().any(|f| f.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        quote!()
    };
    quote! {
        #allow
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #( #fields )* .finish()
            }
        }
    }
}

/// Parameter type and the expression that stores argument `v` into the field.
fn arg(f: &FieldIr, module: &str, v: &Ident) -> (TokenStream, TokenStream) {
    let (param, mut expr) = match &f.ty {
        Ty::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(::std::convert::Into::into(#v)),
        ),
        Ty::Vec(inner) => {
            let inner = ty_tokens(inner, module);
            (
                quote!(impl ::std::iter::IntoIterator<Item = #inner>),
                quote!(::std::iter::Iterator::collect(::std::iter::IntoIterator::into_iter(#v))),
            )
        }
        other => (ty_tokens(other, module), quote!(#v)),
    };
    if f.boxed {
        expr = quote!(::std::boxed::Box::new(#expr));
    }
    if f.optional {
        expr = quote!(::std::option::Option::Some(#expr));
    }
    (param, expr)
}

fn input_impl(s: &StructIr, module: &str) -> TokenStream {
    let name = ident(&s.name);
    let required: Vec<&FieldIr> = s.fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let fname = ident(&f.ident);
        let (param, _) = arg(f, module, &fname);
        quote!(#fname: #param)
    });
    let inits = s.fields.iter().map(|f| {
        let fname = ident(&f.ident);
        if f.required {
            let (_, expr) = arg(f, module, &fname);
            if fname == expr.to_string() {
                quote!(#fname)
            } else {
                quote!(#fname: #expr)
            }
        } else if f.optional {
            quote!(#fname: ::std::option::Option::None)
        } else {
            quote!(#fname: ::std::default::Default::default())
        }
    });
    let allow = if required.len() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let list: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
    let new_doc = doc(&if list.is_empty() {
        "Creates the value; every member is optional.".to_owned()
    } else {
        format!(
            "Creates the value with its required members: {}.",
            list.join(", ")
        )
    });
    let setters = s.fields.iter().filter(|f| !f.required).map(|f| {
        let fname = ident(&f.ident);
        let method = if f.ident == "new" {
            format_ident!("with_new")
        } else {
            fname.clone()
        };
        let (param, expr) = arg(f, module, &format_ident!("value"));
        let sd = doc(&format!("Sets `{}`.", f.wire));
        let deprecated = if f.deprecated {
            quote!(#[deprecated(note = "withdrawn by the service")])
        } else {
            quote!()
        };
        quote! {
            #sd
            #[must_use]
            #deprecated
            pub fn #method(mut self, value: #param) -> Self { self.#fname = #expr; self }
        }
    });
    let report = if s.answer {
        quote!(, __decode_report: ::std::default::Default::default())
    } else {
        quote!()
    };
    // The generated code itself sets withdrawn members (to `None` in `new`); only callers
    // who name one are warned.
    let allow_deprecated = if s.fields.iter().any(|f| f.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        quote!()
    };
    quote! {
        #allow_deprecated
        impl #name {
            #new_doc
            #allow
            pub fn new(#( #params ),*) -> Self { Self { #( #inits ),* #report } }
            #( #setters )*
        }
    }
}

fn enumeration(runtime: &Runtime, e: &EnumIr) -> TokenStream {
    let rt = &runtime.tokens;
    let name = ident(&e.name);
    let d = doc(&e.doc);
    let variants: Vec<Ident> = e.values.iter().map(|v| ident(&v.variant)).collect();
    let wires: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
    let docs = e.values.iter().map(|v| {
        let text = if v.doc.is_empty() {
            format!("`{}`", v.wire)
        } else {
            format!("`{}`: {}", v.wire, v.doc)
        };
        doc(&text)
    });
    quote! {
        #d
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        #[non_exhaustive]
        pub enum #name {
            #( #docs #variants, )*
            /// A value this version of the SDK does not know; kept as sent.
            Unknown(#rt::UnknownValue),
        }
        impl #name {
            /// Every value known to this version of the SDK, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[ #( #wires ),* ];
            /// The wire form of the value.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::Unknown(v) => v.as_str(),
                }
            }
            /// The value for a wire string; `Unknown` when this SDK version does not know it.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::Unknown(#rt::__private::unknown_value(#rt::__private::SEALED, other)),
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self { Self::from_wire(value) }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> { ::std::result::Result::Ok(Self::from_wire(s)) }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl #rt::__private::serde::Serialize for #name {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> #rt::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #rt::__private::deserialize_str(deserializer, Self::from_wire)
            }
        }
    }
}

fn code_doc(c: &CodeIr) -> TokenStream {
    if c.doc.is_empty() {
        doc(&format!("`{}`", c.code))
    } else {
        doc(&format!("`{}`: {}", c.code, c.doc))
    }
}

fn common_error_module(model: &Model) -> TokenStream {
    let rt = &model.runtime.tokens;
    let variants: Vec<Ident> = model
        .common_errors
        .iter()
        .map(|c| ident(&c.variant))
        .collect();
    let codes: Vec<&str> = model
        .common_errors
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    let docs = model.common_errors.iter().map(code_doc);
    quote! {
        //! Error codes that any Tencent Cloud action may return.
        use #rt::ErrorMetadata;

        /// A service error with one of the codes common to every action.
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq)]
        #[non_exhaustive]
        pub enum CommonError {
            #( #docs #variants(ErrorMetadata), )*
        }
        impl CommonError {
            /// Every common code.
            pub const CODES: &'static [&'static str] = &[ #( #codes ),* ];
            /// Classifies `meta` by its code, giving it back when the code is not a common one.
            pub fn classify(meta: ErrorMetadata) -> ::std::result::Result<Self, ErrorMetadata> {
                match meta.code() {
                    #( #codes => ::std::result::Result::Ok(Self::#variants(meta)), )*
                    _ => ::std::result::Result::Err(meta),
                }
            }
            /// Code, message and RequestId.
            pub fn meta(&self) -> &ErrorMetadata {
                match self { #( Self::#variants(m) )|* => m }
            }
        }
        impl #rt::ProvideErrorMetadata for CommonError {
            fn meta(&self) -> &ErrorMetadata { CommonError::meta(self) }
        }
        impl ::std::fmt::Display for CommonError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(self.meta(), f) }
        }
        impl ::std::error::Error for CommonError {}

        /// A service error of an action called without its generated type (the runtime's
        /// `Config::call_by_name(..).errors::<AnyActionError>()`): the common codes typed
        /// as [`CommonError`], any other code `Unhandled`.
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq)]
        #[non_exhaustive]
        pub enum AnyActionError {
            /// A code any action may return.
            Common(CommonError),
            /// A code that is not a common one.
            Unhandled(#rt::error::Unhandled),
        }
        impl AnyActionError {
            /// Code, message and RequestId.
            pub fn meta(&self) -> &ErrorMetadata {
                match self {
                    Self::Common(c) => c.meta(),
                    Self::Unhandled(u) => u.meta(),
                }
            }
        }
        impl ::std::convert::From<ErrorMetadata> for AnyActionError {
            fn from(meta: ErrorMetadata) -> Self {
                match CommonError::classify(meta) {
                    ::std::result::Result::Ok(common) => Self::Common(common),
                    ::std::result::Result::Err(meta) => Self::Unhandled(
                        #rt::__private::unhandled(#rt::__private::SEALED, meta),
                    ),
                }
            }
        }
        impl #rt::ProvideErrorMetadata for AnyActionError {
            fn meta(&self) -> &ErrorMetadata { AnyActionError::meta(self) }
        }
        impl #rt::ActionError for AnyActionError {}
        impl ::std::fmt::Display for AnyActionError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(self.meta(), f) }
        }
        impl ::std::error::Error for AnyActionError {}
    }
}

fn action_module(model: &Model, a: &ActionIr) -> TokenStream {
    let rt = &model.runtime.tokens;
    let module = a.module.as_str();
    let mut text = format!("`{}`: {}", a.wire, a.doc);
    if let Some(r) = a.rate_limit {
        text.push_str(&format!("\n\nRate limit: {r} requests per second."));
    }
    for ex in &a.examples {
        text.push_str(&format!("\n\n# Example: {}\n\n", ex.title));
        if !ex.doc.is_empty() {
            text.push_str(&format!("{}\n\n", ex.doc));
        }
        text.push_str(&format!(
            "Request:\n\n```json\n{}\n```\n\nResponse:\n\n```json\n{}\n```",
            ex.request, ex.response
        ));
    }
    let header = inner_doc(&text);
    let paging = a
        .paging
        .as_ref()
        .map(|p| paging_impl(model, a, p))
        .unwrap_or_default();
    let can_reach: Vec<TokenStream> = model
        .resources
        .iter()
        .filter(|r| model.actions[r.describe].module == a.module)
        .map(|r| can_reach_fn(model, r))
        .collect();
    let structs = model
        .structs
        .iter()
        .filter(|s| s.module == module)
        .map(|s| structure(&model.runtime, s, module));
    let input = ident(&a.input);
    let output = ident(&a.output);
    let error = ident(&a.error_enum);
    let wire = &a.wire;
    let rate = match a.rate_limit {
        Some(r) => quote!(::std::option::Option::Some(#r)),
        None => quote!(::std::option::Option::None),
    };
    let idempotent = a.idempotent;
    let read_only = a.read_only;
    let error_enum = action_error(&model.runtime, a);
    let token = match &a.client_token {
        Some(_) => quote!(::std::option::Option::Some("ClientToken")),
        None => quote!(::std::option::Option::None),
    };
    let fill = match &a.client_token {
        Some(field) => {
            let f = ident(field);
            quote! {
                fn fill_idempotency_token(&mut self) {
                    if self.#f.is_none() {
                        self.#f = ::std::option::Option::Some(#rt::__private::idempotency_token());
                    }
                }
            }
        }
        None => quote!(),
    };
    quote! {
        #header
        use #rt::ErrorMetadata;
        #( #structs )*
        impl #rt::Action for #input {
            type Output = #output;
            type Error = #error;
            const META: &'static #rt::ActionMeta = &#rt::ActionMeta {
                service: &super::SERVICE,
                name: #wire,
                rate_limit: #rate,
                idempotent: #idempotent,
                read_only: #read_only,
                idempotency_token: #token,
            };
            #fill
            fn attach_report(output: &mut Self::Output, report: #rt::decode::DecodeReport) {
                output.__decode_report = report;
            }
        }
        #error_enum
        #paging
        #( #can_reach )*
    }
}

fn action_error(runtime: &Runtime, a: &ActionIr) -> TokenStream {
    let rt = &runtime.tokens;
    let error = ident(&a.error_enum);
    let variants: Vec<Ident> = a.errors.iter().map(|c| ident(&c.variant)).collect();
    let codes: Vec<&str> = a.errors.iter().map(|c| c.code.as_str()).collect();
    let docs = a.errors.iter().map(code_doc);
    let d = doc(&format!(
        "A service error of `{}`: one variant per documented code, `Common` for codes every action may return, `Unhandled` for codes this SDK version does not know.",
        a.wire
    ));
    let fallback = quote! {
        match super::common_error::CommonError::classify(meta) {
            ::std::result::Result::Ok(common) => Self::Common(common),
            ::std::result::Result::Err(meta) => Self::Unhandled(#rt::__private::unhandled(#rt::__private::SEALED, meta)),
        }
    };
    let classify = if codes.is_empty() {
        fallback
    } else {
        quote! {
            match meta.code() {
                #( #codes => Self::#variants(meta), )*
                _ => #fallback,
            }
        }
    };
    let input = ident(&a.input);
    quote! {
        #d
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq)]
        #[non_exhaustive]
        pub enum #error {
            #( #docs #variants(ErrorMetadata), )*
            /// A code common to every Tencent Cloud action (authentication, throttling, dry run, ...).
            Common(super::common_error::CommonError),
            /// A code this version of the SDK does not know for this action.
            Unhandled(#rt::error::Unhandled),
        }
        impl #error {
            /// Code, message and RequestId.
            pub fn meta(&self) -> &ErrorMetadata {
                match self {
                    #( Self::#variants(m) => m, )*
                    Self::Common(c) => c.meta(),
                    Self::Unhandled(u) => u.meta(),
                }
            }
            /// The error code as the service sent it.
            pub fn code(&self) -> &str { self.meta().code() }
            /// The service's message.
            pub fn message(&self) -> &str { self.meta().message() }
            /// The RequestId of the failed call.
            pub fn request_id(&self) -> &str { self.meta().request_id() }
        }
        impl ::std::convert::From<ErrorMetadata> for #error {
            fn from(meta: ErrorMetadata) -> Self {
                #classify
            }
        }
        impl #rt::ProvideErrorMetadata for #error {
            fn meta(&self) -> &ErrorMetadata { #error::meta(self) }
        }
        impl #rt::ActionError for #error {
            const RESEND_IS_HARMLESS: bool = <#input as #rt::Action>::META.resend_is_harmless();
        }
        impl ::std::fmt::Display for #error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(self.meta(), f) }
        }
        impl ::std::error::Error for #error {}
    }
}

fn client_module(model: &Model) -> TokenStream {
    let rt = &model.runtime.tokens;
    let mut docs: Vec<TokenStream> = model
        .actions
        .iter()
        .map(|a| doc(&format!("Calls `{}`: {}", a.wire, a.doc)))
        .collect();
    let mut sigs: Vec<TokenStream> = model
        .actions
        .iter()
        .map(|a| {
            let method = ident(&a.method);
            let module = ident(&a.module);
            let input = ident(&a.input);
            quote! {
                fn #method(&self, input: super::#module::#input) -> #rt::Call<'_, super::#module::#input>
            }
        })
        .collect();
    let mut bodies: Vec<TokenStream> = model
        .actions
        .iter()
        .map(|_| quote!(self.config.call(input)))
        .collect();
    for a in &model.actions {
        let Some(p) = &a.paging else { continue };
        let method = ident(&p.method);
        let module = ident(&a.module);
        let input = ident(&a.input);
        docs.push(doc(&format!(
            "Pages through `{}` for `input` (its filters, from its offset, pages of its limit): a stream of pages, or of items with `.items()`; see the runtime's `paginator` module.",
            a.wire
        )));
        sigs.push(quote! {
            fn #method(&self, input: super::#module::#input) -> #rt::paginator::Paginator<super::#module::#input>
        });
        bodies.push(quote!(#rt::paginator::Paginator::new(&self.config, input)));
    }
    for r in &model.resources {
        let w = waiter_methods(model, r);
        docs.extend(w.docs);
        sigs.extend(w.sigs);
        bodies.extend(w.bodies);
    }
    let methods = docs
        .iter()
        .zip(&sigs)
        .zip(&bodies)
        .map(|((d, s), b)| quote!(#d pub #s { #b }));
    quote! {
        //! The methods of `Client`.
        impl super::Client {
            #( #methods )*
        }
    }
}

/// The client type and its constructors, at the tree root (no `use` to go unused when a
/// caller mounts the tree privately).
fn client_type(model: &Model) -> TokenStream {
    let rt = &model.runtime.tokens;
    let s = &model.service;
    let client_doc = doc(&format!(
        "A client of `{}` API `{}`: one method per action. Cheap to clone. Build one with `Client::from_env()` or `Client::builder()`, or from a shared `Config` with `Client::new(&config)`, so that the clients of several services share credentials, connections and limits.",
        s.name, s.version
    ));
    quote! {
        #client_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            config: #rt::Config,
        }
        /// Configures a [`Client`]: the runtime's configuration builder, building this client.
        pub type ClientBuilder = #rt::ConfigBuilder<Client>;
        impl #rt::FromConfig for Client {
            fn from_config(config: #rt::Config) -> Self {
                Client { config }
            }
        }
        impl ::std::convert::AsRef<#rt::Config> for Client {
            fn as_ref(&self) -> &#rt::Config {
                &self.config
            }
        }
        impl Client {
            /// A client over `config`, sharing its credentials cache, connection pool and rate limiter with every other client built from it.
            pub fn new(config: &#rt::Config) -> Self {
                Client { config: ::std::clone::Clone::clone(config) }
            }
            /// Starts configuring a client.
            pub fn builder() -> ClientBuilder {
                #rt::ConfigBuilder::new()
            }
            /// A client configured from the environment, in tccli's order: credentials from the default provider chain (looked up at the first call), region from `TENCENTCLOUD_REGION` else tccli's `~/.tccli/<profile>.configure`, endpoint from `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>`, `TENCENTCLOUD_ENDPOINT_URL`, else that file's endpoint for the service (see the runtime's `ConfigBuilder::from_env`).
            pub fn from_env() -> ::std::result::Result<Self, #rt::BuildError> {
                #rt::ConfigBuilder::new().from_env().build()
            }
            /// The configuration this client shares.
            pub fn config(&self) -> &#rt::Config {
                &self.config
            }
            /// The configured region, if any.
            pub fn region(&self) -> ::std::option::Option<&str> {
                self.config.region()
            }
            /// Prepares a call of any action; await the result to send it.
            pub fn call<A: #rt::Action>(&self, input: A) -> #rt::Call<'_, A> {
                self.config.call(input)
            }
        }
    }
}

/// The blocking client (`blocking.rs`): the async client's methods, each run to its end on
/// the runtime's `blocking::Runtime`.
fn blocking_module(model: &Model) -> TokenStream {
    let rt = &model.runtime.tokens;
    let s = &model.service;
    let mut methods: Vec<TokenStream> = Vec::new();
    for a in &model.actions {
        let method = ident(&a.method);
        let module = ident(&a.module);
        let input = ident(&a.input);
        let output = ident(&a.output);
        let error = ident(&a.error_enum);
        let d = doc(&format!("Calls `{}`: {}", a.wire, a.doc));
        methods.push(quote! {
            #d
            pub fn #method(&self, input: super::#module::#input) -> ::std::result::Result<super::#module::#output, #rt::Error<super::#module::#error>> {
                self.runtime.call(self.inner.#method(input))
            }
        });
    }
    for a in &model.actions {
        let Some(p) = &a.paging else { continue };
        let method = ident(&p.method);
        let module = ident(&a.module);
        let input = ident(&a.input);
        let d = doc(&format!(
            "Pages through `{}` for `input` (its filters, from its offset, pages of its limit): an iterator of pages, or of items with `.items()`; see the runtime's `blocking` and `paginator` modules.",
            a.wire
        ));
        methods.push(quote! {
            #d
            pub fn #method(&self, input: super::#module::#input) -> #rt::blocking::Paginator<super::#module::#input> {
                #rt::blocking::Paginator::new(&self.runtime, self.inner.#method(input))
            }
        });
    }
    for r in &model.resources {
        methods.extend(waiter_methods(model, r).blocking);
    }
    let module_doc = inner_doc(&format!(
        "The blocking client of `{}` API `{}`: the methods of the async `Client` of the tree root, returning their results instead of futures; paginators are iterators, waiters return when the wait ends. For synchronous programs (command-line tools, build scripts, synchronous services); not for async code, where a call fails with `BuildRequestErrorKind::InsideAsyncRuntime` instead of blocking a thread of the async runtime. See the runtime's `blocking` module.",
        s.name, s.version
    ));
    let client_doc = doc(&format!(
        "A blocking client of `{}` API `{}`: one method per action, returning its result. Cheap to clone: clones share the configuration and one small runtime (started at the first call) that drives the calls. Build one with `Client::from_env()` or `Client::builder()`, or from a shared `Config` with `Client::new(&config)`.",
        s.name, s.version
    ));
    quote! {
        #module_doc
        pub use #rt::blocking::{Items, Paginator, Runtime};
        #client_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            inner: super::Client,
            runtime: #rt::blocking::Runtime,
        }
        /// Configures a blocking [`Client`]: the runtime's configuration builder, building this client.
        pub type ClientBuilder = #rt::ConfigBuilder<Client>;
        impl #rt::FromConfig for Client {
            fn from_config(config: #rt::Config) -> Self {
                Client::new(&config)
            }
        }
        impl ::std::convert::AsRef<#rt::Config> for Client {
            fn as_ref(&self) -> &#rt::Config {
                self.inner.config()
            }
        }
        impl Client {
            /// A blocking client over `config`, sharing its credentials cache, connection pool and rate limiter with every other client built from it.
            pub fn new(config: &#rt::Config) -> Self {
                Client { inner: super::Client::new(config), runtime: #rt::blocking::Runtime::new() }
            }
            /// Starts configuring a blocking client.
            pub fn builder() -> ClientBuilder {
                #rt::ConfigBuilder::new()
            }
            /// A blocking client configured from the environment, as the async `Client::from_env`.
            pub fn from_env() -> ::std::result::Result<Self, #rt::BuildError> {
                #rt::ConfigBuilder::new().from_env().build()
            }
            /// The configuration this client shares.
            pub fn config(&self) -> &#rt::Config {
                self.inner.config()
            }
            /// The configured region, if any.
            pub fn region(&self) -> ::std::option::Option<&str> {
                self.inner.region()
            }
            /// The async client this one drives, for preparing calls with per-call options (see [`send`](Self::send)).
            pub fn async_client(&self) -> &super::Client {
                &self.inner
            }
            /// Calls any action and waits for its result.
            pub fn call<A: #rt::Action>(&self, input: A) -> ::std::result::Result<A::Output, #rt::Error<A::Error>> {
                self.runtime.call(self.inner.call(input))
            }
            /// Sends a call prepared on [`async_client`](Self::async_client) with per-call options (`timeout`, `retry_transient`, ...) and waits for its result.
            pub fn send<A: #rt::Action>(&self, call: #rt::Call<'_, A>) -> ::std::result::Result<A::Output, #rt::Error<A::Error>> {
                self.runtime.call(call)
            }
            #( #methods )*
        }
    }
}

fn paging_impl(model: &Model, a: &ActionIr, p: &PagingIr) -> TokenStream {
    let rt = &model.runtime.tokens;
    let module = a.module.as_str();
    let input = ident(&a.input);
    let output = ident(&a.output);
    let item = ty_tokens(&p.item, module);
    let limit_ty = ty_tokens(&p.limit.ty, module);
    let offset_ty = ty_tokens(&p.offset.ty, module);
    let offset = ident(&p.offset.ident);
    let limit = ident(&p.limit.ident);
    let items = ident(&p.items.ident);
    let opt_u64 = |v: Option<u64>| match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    };
    let default = opt_u64(p.default_page_size);
    let max = opt_u64(p.max_page_size);
    let wrap = |f: &FieldRef, v: TokenStream| {
        if f.optional {
            quote!(::std::option::Option::Some(#v))
        } else {
            v
        }
    };
    let read_offset = if p.offset.optional {
        quote!(self.#offset.map_or(0, i128::from))
    } else {
        quote!(i128::from(self.#offset))
    };
    let read_limit = if p.limit.optional {
        quote!(self.#limit.map(i128::from))
    } else {
        quote!(::std::option::Option::Some(i128::from(self.#limit)))
    };
    let set_size = wrap(&p.limit, quote!(size));
    let set_offset = wrap(
        &p.offset,
        quote!(<#offset_ty as #rt::paginator::PageInt>::saturating_from(offset)),
    );
    let set_limit = wrap(
        &p.limit,
        quote!(<#limit_ty as #rt::paginator::PageInt>::saturating_from(limit)),
    );
    let total = match &p.total_count {
        Some(t) => {
            let t = ident(&t.ident);
            quote!(page.#t.map(i128::from))
        }
        None => quote!({
            let _ = page;
            ::std::option::Option::None
        }),
    };
    let (len, all) = if p.items.optional {
        (
            quote!(page.#items.as_ref().map_or(0, ::std::vec::Vec::len)),
            quote!(page.#items.unwrap_or_default()),
        )
    } else {
        (quote!(page.#items.len()), quote!(page.#items))
    };
    let pag = ident(&p.paginator_alias);
    let its = ident(&p.items_alias);
    let pag_doc = doc(&format!(
        "The pages of `{}`, a stream; created by the client method `{}`.",
        a.wire, p.method
    ));
    let its_doc = doc(&format!(
        "The items of every `{}` page, a stream; see `{}::items`.",
        a.wire, p.paginator_alias
    ));
    quote! {
        impl #rt::paginator::Paginated for #input {
            type Item = #item;
            type PageSize = #limit_ty;
            const DEFAULT_PAGE_SIZE: ::std::option::Option<u64> = #default;
            const MAX_PAGE_SIZE: ::std::option::Option<u64> = #max;
            fn page_offset(&self) -> i128 { #read_offset }
            fn page_limit(&self) -> ::std::option::Option<i128> { #read_limit }
            fn set_page_size(&mut self, size: #limit_ty) { self.#limit = #set_size; }
            fn set_page(&mut self, offset: i128, limit: ::std::option::Option<i128>) {
                self.#offset = #set_offset;
                if let ::std::option::Option::Some(limit) = limit {
                    self.#limit = #set_limit;
                }
            }
            fn page_len(page: &#output) -> usize { #len }
            fn page_total(page: &#output) -> ::std::option::Option<i128> { #total }
            fn page_items(page: #output) -> ::std::vec::Vec<#item> { #all }
        }
        #pag_doc
        pub type #pag = #rt::paginator::Paginator<#input>;
        #its_doc
        pub type #its = #rt::paginator::Items<#input>;
    }
}

/// The state type of a resource's waiters, seen from `module`.
fn state_type(r: &ResourceIr, module: &str) -> TokenStream {
    ty_tokens(&r.state.ty, module)
}

fn can_reach_fn(model: &Model, r: &ResourceIr) -> TokenStream {
    let module = model.actions[r.describe].module.as_str();
    let state = state_type(r, module);
    let name = ident(&r.can_reach);
    let mut text = format!(
        "Whether a {} in `state` can still reach `target`; a waiter gives up when it cannot.",
        r.label
    );
    if r.unreachable.is_empty() {
        text.push_str(" Every state is reachable from every other.");
    } else {
        text.push_str("\n\n| Target | Unreachable from |\n|---|---|\n");
        for (target, from) in &r.unreachable {
            let from: Vec<String> = from.iter().map(|s| format!("`{s}`")).collect();
            let from = if from.is_empty() {
                "none".to_owned()
            } else {
                from.join(", ")
            };
            text.push_str(&format!("| `{target}` | {from} |\n"));
        }
        text.push_str("\nEvery other combination, and any state this SDK version does not know, counts as reachable.");
    }
    let d = doc(&text);
    let body = if r.unreachable.is_empty() {
        quote! {
            let _ = (state, target);
            true
        }
    } else {
        let arms = r
            .unreachable
            .iter()
            .map(|(target, from)| quote!(#target => &[ #( #from ),* ],));
        quote! {
            if state == target {
                return true;
            }
            let unreachable_from: &[&str] = match target.as_str() {
                #( #arms )*
                _ => &[],
            };
            !unreachable_from.contains(&state.as_str())
        }
    };
    quote! {
        #d
        pub fn #name(state: &#state, target: &#state) -> bool {
            #body
        }
    }
}

/// `{ let mut v = T::new(required...); v.optional = Some(...); v }` for a generated input
/// structure, given expressions for the fields it sets.
fn construct(
    ty: TokenStream,
    new_args: &[String],
    fields: &[(&str, &FieldRef, TokenStream)],
) -> TokenStream {
    let args = new_args.iter().filter_map(|wire| {
        fields
            .iter()
            .find(|(w, _, _)| w == wire)
            .map(|(_, _, e)| e.clone())
    });
    let sets = fields
        .iter()
        .filter(|(w, _, _)| !new_args.iter().any(|a| a == w))
        .map(|(_, f, e)| {
            let f_ident = ident(&f.ident);
            if f.optional {
                quote!(value.#f_ident = ::std::option::Option::Some(#e);)
            } else {
                quote!(value.#f_ident = #e;)
            }
        })
        .collect::<Vec<_>>();
    if sets.is_empty() {
        quote!(#ty::new(#( #args ),*))
    } else {
        quote!({
            let mut value = #ty::new(#( #args ),*);
            #( #sets )*
            value
        })
    }
}

/// What the client methods of one resource need: signatures and bodies.
struct WaiterMethods {
    sigs: Vec<TokenStream>,
    docs: Vec<TokenStream>,
    bodies: Vec<TokenStream>,
    /// The blocking client's methods, documented.
    blocking: Vec<TokenStream>,
}

fn waiter_methods(model: &Model, r: &ResourceIr) -> WaiterMethods {
    let rt = &model.runtime.tokens;
    let from = CLIENT_MODULE;
    let action = &model.actions[r.describe];
    let m = ident(&action.module);
    let input = ident(&action.input);
    let input_ty = quote!(super::#m::#input);
    let error = ident(&action.error_enum);
    let state = state_type(r, from);
    let item = ty_tokens(&r.item, from);
    let wait_error = quote!(#rt::waiters::WaitError<#state, super::#m::#error>);
    let ret = quote!(impl ::std::future::Future<Output = ::std::result::Result<#item, #wait_error>> + ::std::marker::Send + '_);
    let id_param = ident(&r.id_param);
    let wait_for = ident(&r.wait_for);
    let can_reach = ident(&r.can_reach);
    let (target_param, target_let) = if r.variants.is_some() {
        (quote!(#state), quote!())
    } else {
        (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(let target: ::std::string::String = ::std::convert::Into::into(target);),
        )
    };
    let id_clone = quote!(::std::clone::Clone::clone(&id));
    let request = match &r.selection {
        SelectionIr::IdList(f) => {
            let wire = "__ids";
            let new_args: Vec<String> = if f.optional {
                vec![]
            } else {
                vec![wire.to_owned()]
            };
            construct(
                input_ty.clone(),
                &new_args,
                &[(wire, f, quote!(::std::vec::Vec::from([#id_clone])))],
            )
        }
        SelectionIr::Filter(f) => {
            let FilterIr {
                member,
                filter,
                name,
                values,
                new_args,
                filter_name,
            } = &**f;
            let filter_ty = ty_tokens(filter, from);
            let one = construct(
                filter_ty,
                new_args,
                &[
                    (
                        "Name",
                        name,
                        quote!(::std::string::String::from(#filter_name)),
                    ),
                    ("Values", values, quote!(::std::vec::Vec::from([#id_clone]))),
                ],
            );
            let wire = "__filters";
            let new_args: Vec<String> = if member.optional {
                vec![]
            } else {
                vec![wire.to_owned()]
            };
            construct(
                input_ty.clone(),
                &new_args,
                &[(wire, member, quote!(::std::vec::Vec::from([#one])))],
            )
        }
    };
    let items = ident(&r.items.ident);
    let all = if r.items.optional {
        quote!(page.#items.unwrap_or_default())
    } else {
        quote!(page.#items)
    };
    let id_field = ident(&r.id.ident);
    let matches = if r.id.optional {
        quote!(item.#id_field.as_deref() == ::std::option::Option::Some(id.as_str()))
    } else {
        quote!(item.#id_field == id)
    };
    let state_field = ident(&r.state.ident);
    let state_of = if r.state.optional {
        quote!(|item: &#item| ::std::clone::Clone::clone(&item.#state_field))
    } else {
        quote!(|item: &#item| ::std::option::Option::Some(::std::clone::Clone::clone(&item.#state_field)))
    };
    let label = &r.label;
    let describe = &action.wire;
    let call = if r.not_found_errors.is_empty() {
        quote!(self.config.call(request).await?)
    } else {
        let codes = &r.not_found_errors;
        quote! {
            match self.config.call(request).await {
                ::std::result::Result::Ok(page) => page,
                // The service's way of saying the resource does not exist.
                ::std::result::Result::Err(e) if ::std::matches!(e.code(), #( ::std::option::Option::Some(#codes) )|*) => {
                    return ::std::result::Result::Ok(::std::option::Option::None);
                }
                ::std::result::Result::Err(e) => return ::std::result::Result::Err(e),
            }
        }
    };
    let wait_body = quote! {
        let id: ::std::string::String = ::std::convert::Into::into(#id_param);
        #target_let
        async move {
            #rt::waiters::wait_for_state(
                #rt::waiters::Resource::new(#label, #describe),
                &id,
                target,
                config,
                super::#m::#can_reach,
                #state_of,
                || {
                    let request = #request;
                    let id = ::std::clone::Clone::clone(&id);
                    async move {
                        let page = #call;
                        ::std::result::Result::Ok(
                            ::std::iter::Iterator::find(
                                &mut ::std::iter::IntoIterator::into_iter(#all),
                                |item| #matches,
                            ),
                        )
                    }
                },
            )
            .await
        }
    };
    let blocking_ret = quote!(::std::result::Result<#item, #wait_error>);
    let wait_for_doc = doc(&format!(
            "{}{}Polls `{describe}` until the {label} `{}` is in `target`, with the backoff and timeout of `config`; returns the {label} as last described. Gives up early when `{}::{}` says the target is out of reach (see the runtime's `waiters` module).",
            r.doc,
            if r.doc.is_empty() { "" } else { "\n\n" },
            r.id_param,
            action.module,
            r.can_reach
        ));
    let mut out = WaiterMethods {
        sigs: vec![quote! {
            fn #wait_for(&self, #id_param: impl ::std::convert::Into<::std::string::String>, target: #target_param, config: #rt::WaiterConfig) -> #ret
        }],
        docs: vec![wait_for_doc.clone()],
        bodies: vec![wait_body],
        blocking: vec![quote! {
            #wait_for_doc
            pub fn #wait_for(&self, #id_param: impl ::std::convert::Into<::std::string::String>, target: #target_param, config: #rt::WaiterConfig) -> #blocking_ret {
                self.runtime.wait(#describe, self.inner.#wait_for(#id_param, target, config))
            }
        }],
    };
    for w in &r.waiters {
        let method = ident(&w.method);
        let target = match &r.variants {
            Some(v) => {
                let variant = ident(v.get(&w.target).map_or("Unknown", String::as_str));
                quote!(#state::#variant)
            }
            None => {
                let t = &w.target;
                quote!(#t)
            }
        };
        let mut text = format!(
            "Waits until the {label} is `{}`, with `WaiterConfig::default()`; see `{}`.",
            w.target, r.wait_for
        );
        if !w.doc.is_empty() {
            text = format!("{}\n\n{text}", w.doc);
        }
        let d = doc(&text);
        out.blocking.push(quote! {
            #d
            pub fn #method(&self, #id_param: impl ::std::convert::Into<::std::string::String>) -> #blocking_ret {
                self.runtime.wait(#describe, self.inner.#method(#id_param))
            }
        });
        out.docs.push(d);
        out.sigs.push(quote! {
            fn #method(&self, #id_param: impl ::std::convert::Into<::std::string::String>) -> #ret
        });
        out.bodies.push(quote! {
            self.#wait_for(#id_param, #target, #rt::WaiterConfig::default())
        });
    }
    out
}
