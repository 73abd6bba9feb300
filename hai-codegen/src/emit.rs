//! IR -> token streams, one emitter per generated fragment.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{
    ActionIr, CodeIr, EnumIr, FieldIr, Model, StructIr, Ty, CLIENT_MODULE, COMMON_ERROR_MODULE,
    TYPES_MODULE,
};
use crate::ClientMethods;
use crate::RUNTIME_INTERFACE;

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

/// Lines with prose escaped; lines inside ``` fences are kept verbatim.
fn doc_lines(text: &str) -> Vec<String> {
    let mut in_fence = false;
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with("```") {
                in_fence = !in_fence;
                format!(" {l}")
            } else if in_fence {
                format!(" {l}")
            } else {
                format!(" {}", sanitize_doc_line(l))
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
    let client = match &model.client_methods {
        ClientMethods::Inherent => quote! { mod client; },
        ClientMethods::Trait(name) => {
            let t = ident(name);
            quote! {
                /// Client methods, one per action.
                pub mod client;
                pub use client::#t;
            }
        }
    };
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
    quote! {
        #header
        /// Codes every Tencent Cloud action may return.
        pub mod common_error;
        /// Shapes and enums shared by several actions.
        pub mod types;
        #( #modules )*
        #client
        // Fails to compile, saying why, against a runtime with another interface version.
        ::hai_sdk::__require_runtime_interface!(#interface);
        #service_doc
        pub const SERVICE: ::hai_sdk::ServiceMeta = ::hai_sdk::ServiceMeta {
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
        .map(|s| structure(s, TYPES_MODULE));
    let enums = model.enums.iter().map(enumeration);
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

fn structure(s: &StructIr, module: &str) -> TokenStream {
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
            quote!(#[serde(rename = #wire, default, deserialize_with = "::hai_sdk::__private::null_as_default")])
        } else if f.optional {
            quote!(#[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")])
        } else {
            quote!(#[serde(rename = #wire)])
        };
        quote! { #fd #serde_attr pub #fname: #t, }
    });
    let builder = if s.input {
        input_impl(s, module)
    } else {
        quote!()
    };
    // A structure with a secret member writes its own Debug, so the secret never prints.
    let (debug_derive, debug_impl) = if s.fields.iter().any(|f| f.sensitive) {
        (quote!(), redacting_debug(s))
    } else {
        (quote!(::std::fmt::Debug,), quote!())
    };
    quote! {
        #d
        #[derive(::std::clone::Clone, #debug_derive ::std::cmp::PartialEq, #default ::hai_sdk::__private::serde::Serialize, ::hai_sdk::__private::serde::Deserialize)]
        #[serde(crate = "::hai_sdk::__private::serde")]
        #[non_exhaustive]
        pub struct #name { #( #fields )* }
        #debug_impl
        #builder
    }
}

fn redacting_debug(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let label = &s.name;
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.ident);
        let label = &f.ident;
        if f.sensitive {
            quote!(.field(#label, &::hai_sdk::__private::Redacted::of(&self.#fname)))
        } else {
            quote!(.field(#label, &self.#fname))
        }
    });
    quote! {
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
        quote! {
            #sd
            #[must_use]
            pub fn #method(mut self, value: #param) -> Self { self.#fname = #expr; self }
        }
    });
    quote! {
        impl #name {
            #new_doc
            #allow
            pub fn new(#( #params ),*) -> Self { Self { #( #inits ),* } }
            #( #setters )*
        }
    }
}

fn enumeration(e: &EnumIr) -> TokenStream {
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
            Unknown(::hai_sdk::UnknownValue),
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
                    other => Self::Unknown(::hai_sdk::__private::unknown_value(::hai_sdk::__private::SEALED, other)),
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
        impl ::hai_sdk::__private::serde::Serialize for #name {
            fn serialize<S: ::hai_sdk::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::hai_sdk::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::hai_sdk::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::hai_sdk::__private::deserialize_str(deserializer, Self::from_wire)
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
        use ::hai_sdk::ErrorMetadata;

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
        impl ::hai_sdk::ProvideErrorMetadata for CommonError {
            fn meta(&self) -> &ErrorMetadata { CommonError::meta(self) }
        }
        impl ::std::fmt::Display for CommonError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(self.meta(), f) }
        }
        impl ::std::error::Error for CommonError {}
    }
}

fn action_module(model: &Model, a: &ActionIr) -> TokenStream {
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
    let structs = model
        .structs
        .iter()
        .filter(|s| s.module == module)
        .map(|s| structure(s, module));
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
    let error_enum = action_error(a);
    let fill = match &a.client_token {
        Some(field) => {
            let f = ident(field);
            quote! {
                fn fill_idempotency_token(&mut self) {
                    if self.#f.is_none() {
                        self.#f = ::std::option::Option::Some(::hai_sdk::__private::idempotency_token());
                    }
                }
            }
        }
        None => quote!(),
    };
    quote! {
        #header
        use ::hai_sdk::ErrorMetadata;
        #( #structs )*
        impl ::hai_sdk::Action for #input {
            type Output = #output;
            type Error = #error;
            const META: &'static ::hai_sdk::ActionMeta = &::hai_sdk::ActionMeta {
                service: &super::SERVICE,
                name: #wire,
                rate_limit: #rate,
                idempotent: #idempotent,
                read_only: #read_only,
            };
            #fill
        }
        #error_enum
    }
}

fn action_error(a: &ActionIr) -> TokenStream {
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
            ::std::result::Result::Err(meta) => Self::Unhandled(::hai_sdk::__private::unhandled(::hai_sdk::__private::SEALED, meta)),
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
            Unhandled(::hai_sdk::error::Unhandled),
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
        impl ::hai_sdk::ProvideErrorMetadata for #error {
            fn meta(&self) -> &ErrorMetadata { #error::meta(self) }
        }
        impl ::hai_sdk::ActionError for #error {
            const RESEND_IS_HARMLESS: bool = <#input as ::hai_sdk::Action>::META.resend_is_harmless();
        }
        impl ::std::fmt::Display for #error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(self.meta(), f) }
        }
        impl ::std::error::Error for #error {}
    }
}

fn client_module(model: &Model) -> TokenStream {
    let docs: Vec<TokenStream> = model
        .actions
        .iter()
        .map(|a| doc(&format!("Calls `{}`: {}", a.wire, a.doc)))
        .collect();
    let sigs: Vec<TokenStream> = model
        .actions
        .iter()
        .map(|a| {
            let method = ident(&a.module);
            let module = ident(&a.module);
            let input = ident(&a.input);
            quote! {
                fn #method(&self, input: super::#module::#input) -> ::hai_sdk::Call<'_, super::#module::#input>
            }
        })
        .collect();
    match &model.client_methods {
        ClientMethods::Inherent => {
            let methods = docs
                .iter()
                .zip(&sigs)
                .map(|(d, s)| quote!(#d pub #s { self.call(input) }));
            quote! {
                //! One method per action on `hai_sdk::Client`.
                impl ::hai_sdk::Client { #( #methods )* }
            }
        }
        ClientMethods::Trait(name) => {
            let t = ident(name);
            let impls = sigs.iter().map(|s| quote!(#s { self.call(input) }));
            let td = doc(&format!(
                "One method per `{}` action, for `hai_sdk::Client`.",
                model.service.name
            ));
            quote! {
                //! One method per action, as an extension trait of `hai_sdk::Client`.
                #td
                pub trait #t { #( #docs #sigs; )* }
                impl #t for ::hai_sdk::Client { #( #impls )* }
            }
        }
    }
}
