//! Typed async client for Tencent Cloud HAI (API `2023-08-12`).

// Generated code names runtime items as `::hai_sdk::...` so it compiles here and in users' crates.
extern crate self as hai_sdk;

pub mod action;
pub mod client;
pub mod credentials;
pub mod error;
pub mod primitives;
mod rate_limit;
pub mod retry;
pub mod signer;

mod generated;
pub use generated::*;

pub use action::{Action, ActionMeta, ServiceMeta};
pub use client::{BuildError, Call, Client, ClientBuilder, Language};
pub use credentials::Credentials;
pub use error::{ActionError, Error, ErrorMetadata, ProvideErrorMetadata};
pub use primitives::UnknownValue;
pub use retry::{RetryDecision, RetryPolicy};

/// Items only generated code may use. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;

    /// Token that keeps sealed constructors out of reach of user code by convention.
    #[derive(Clone, Copy)]
    pub struct Sealed(());

    /// The one way to obtain a [`Sealed`] token.
    pub const SEALED: Sealed = Sealed(());

    pub use crate::error::__unhandled as unhandled;
    pub use crate::primitives::__unknown_value as unknown_value;
}
