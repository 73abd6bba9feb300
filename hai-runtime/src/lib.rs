//! The runtime every generated Tencent Cloud client shares: TC3 signing, credentials and
//! their chain, configuration, transport, retries, rate limiting, typed errors, the page and
//! wait loops, and the untyped call. It names no service: a generated service module (HAI's
//! is the `hai-sdk` crate; any other comes from `hai-codegen`) adds the typed actions and a
//! `Client` built from a shared [`Config`].
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! // One configuration (credentials and their cache, connection pool, region, retries,
//! // rate limiter) for the clients of several services.
//! let config = hai_runtime::Config::from_env()?;
//! # let _ = config;
//! // let hai = hai_sdk::Client::new(&config);
//! // let cvm = cvm::Client::new(&config);
//! # Ok(()) }
//! ```
//!
//! # Calling an action without generated types
//!
//! [`Config::call_by_name`] is the official SDKs' `CommonClient`: service, version and
//! action by name, the parameters as a `serde_json::Value`, the `Response` object back as
//! JSON. Signing (the TC3 scope is the named service), endpoints, deadlines, the response
//! bound and error classification are a typed call's; it is retried as an action that is
//! not idempotent unless [`idempotent(true)`](ByNameCall::idempotent) says otherwise, skips
//! the client-side rate limiter (it has no documented rate), and sends the region when one
//! is configured (it cannot know whether the service requires one). Its service errors are
//! [`ErrorMetadata`], or any [`ActionError`] through [`errors`](ByNameCall::errors), such as
//! a generated tree's `common_error::AnyActionError`, which types the common codes.
//!
//! ```no_run
//! # async fn f(config: hai_runtime::Config) -> Result<(), Box<dyn std::error::Error>> {
//! let answer = config
//!     .call_by_name("cvm", "2017-03-12", "DescribeInstances", serde_json::json!({"Limit": 1}))
//!     .idempotent(true)
//!     .await?;
//! println!("{}", answer["TotalCount"]);
//! # Ok(()) }
//! ```
//!
//! # Answers that do not match their declared types
//!
//! [`decode`] holds the one rule every generated client decodes answers with: lossless
//! conversions taken, anything else read as absent and reported with its JSON path, the raw
//! answer kept beside the report; [`ConfigBuilder::strict_decoding`] fails instead.
//!
//! # Features
//!
//! Both are off by default; without them nothing of theirs is compiled.
//!
//! - `blocking`: the `blocking` module, which generated blocking clients
//!   (`<tree>::blocking::Client`, hai-sdk's `blocking` feature, `hai-codegen --blocking`)
//!   run on: for command-line tools, build scripts and synchronous services, not for async
//!   code.
//! - `test-util`: the `mock` module, typed mock rules answering at the
//!   transport, for tests (`[dev-dependencies]`).

pub mod action;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod config;
pub mod credentials;
pub mod decode;
pub mod error;
#[cfg(feature = "test-util")]
pub mod mock;
pub mod paginator;
pub mod primitives;
mod rate_limit;
pub mod retry;
pub mod signer;
pub mod waiters;

// Internals for the fuzz targets in `fuzz/`; compiled only with `--cfg fuzzing`, so no
// published build has them.
#[cfg(fuzzing)]
#[doc(hidden)]
#[path = "fuzz_api.rs"]
pub mod __fuzz;

#[cfg(test)]
mod test_alloc;
#[cfg(test)]
#[global_allocator]
static ALLOC: test_alloc::Counting = test_alloc::Counting;

pub use action::{Action, ActionMeta, ActionVisitor, ServiceMeta};
pub use client::{
    BuildError, ByNameCall, Call, Config, ConfigBuilder, Failover, FromConfig, JsonCall, Language,
    DEFAULT_ROOT_DOMAIN, INTL_ROOT_DOMAIN,
};
pub use credentials::Credentials;
pub use error::{ActionError, Error, ErrorMetadata, ProvideErrorMetadata};
pub use primitives::UnknownValue;
pub use retry::{RetryDecision, RetryPolicy};
pub use waiters::{WaitError, WaiterConfig};

/// The interface version of this runtime that generated code is written against (see
/// `hai-codegen`'s `RUNTIME_INTERFACE`): generated trees of another version do not compile.
pub const RUNTIME_INTERFACE: u32 = 4;

/// Checks, at compile time, that generated code fits this runtime: every generated tree
/// invokes it with the interface version its generator wrote for.
#[doc(hidden)]
#[macro_export]
macro_rules! __require_runtime_interface {
    (4) => {};
    ($other:literal) => {
        ::core::compile_error!(::core::concat!(
            "this code was generated for hai-runtime interface ",
            ::core::stringify!($other),
            ", but this hai-runtime provides interface 4: regenerate it with the hai-codegen that matches this hai-runtime, or use the hai-runtime it was generated for"
        ));
    };
}

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

    use std::fmt;

    /// Prints a secret member in `Debug` output: whether it is set, never its value.
    pub struct Redacted(&'static str);

    impl Redacted {
        /// Wraps a member of any type; an absent `Option` prints as `None`.
        pub fn of<T: RedactedShape + ?Sized>(value: &T) -> Self {
            Self(value.redacted())
        }
    }

    impl fmt::Debug for Redacted {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    /// How a secret member prints: its shape (absent or not), never its value.
    pub trait RedactedShape {
        /// The text `Debug` writes in place of the value.
        fn redacted(&self) -> &'static str;
    }

    impl<T> RedactedShape for Option<T> {
        fn redacted(&self) -> &'static str {
            if self.is_some() {
                "Some(\"** redacted **\")"
            } else {
                "None"
            }
        }
    }

    impl RedactedShape for String {
        fn redacted(&self) -> &'static str {
            "\"** redacted **\""
        }
    }

    /// A fresh random (v4) UUID, used as an idempotency token.
    pub fn idempotency_token() -> String {
        uuid::Builder::from_random_bytes(fastrand::u128(..).to_ne_bytes())
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// Decodes `null` (and absence, with `#[serde(default)]`) as the type's default.
    pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: serde::Deserialize<'de> + Default,
    {
        let value = <Option<T> as serde::Deserialize>::deserialize(deserializer)?;
        Ok(value.unwrap_or_default())
    }

    /// Decodes a string and maps it without an owned copy when the input allows.
    pub fn deserialize_str<'de, D, T>(deserializer: D, map: fn(&str) -> T) -> Result<T, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        struct V<T>(fn(&str) -> T);
        impl<T> serde::de::Visitor<'_> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
                Ok((self.0)(v))
            }
        }
        deserializer.deserialize_str(V(map))
    }
}
