//! The binding between generated action types and the runtime.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ActionError;

/// Static facts about one Tencent Cloud service at one API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceMeta {
    /// Short name, e.g. `cvm`; selects `TENCENTCLOUD_ENDPOINT_URL_<NAME>`.
    pub name: &'static str,
    /// API version, sent as `X-TC-Version`.
    pub version: &'static str,
    /// Default endpoint host.
    pub host: &'static str,
    /// Regional host template containing `{region}`, if the service has one.
    pub regional_host: Option<&'static str>,
    /// Service name in the TC3 credential scope; never derived from the endpoint host.
    pub signing_service: &'static str,
    /// Whether every call must name a region (`X-TC-Region`); a few global services do not.
    pub region_required: bool,
}

/// Static facts about one action, generated from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionMeta {
    /// The service the action belongs to.
    pub service: &'static ServiceMeta,
    /// Wire name, sent as `X-TC-Action`.
    pub name: &'static str,
    /// Documented request rate limit per second, if any.
    pub rate_limit: Option<u32>,
    /// Whether repeating the call is harmless, which allows retrying transient failures.
    pub idempotent: bool,
    /// Whether the action only reads; like `idempotent`, it allows retrying transient
    /// failures.
    pub read_only: bool,
    /// Wire name of the input's idempotency token (`ClientToken`), if it has one: a call that
    /// leaves it empty gets a fresh token, kept across the call's retries.
    pub idempotency_token: Option<&'static str>,
}

impl ActionMeta {
    /// Whether resending after a failure that may have taken effect is harmless.
    pub const fn resend_is_harmless(&self) -> bool {
        self.idempotent || self.read_only
    }
}

/// Work done with one action's generated types, chosen by name at run time: a generated
/// tree's `visit_action(name, visitor)` calls [`visit`](ActionVisitor::visit) with that
/// action's request type.
pub trait ActionVisitor {
    /// What the work returns.
    type Output;

    /// Runs the work for action `A` (its request type; `A::Output` is the answer's).
    fn visit<A>(self) -> Self::Output
    where
        A: Action + DeserializeOwned,
        A::Output: Serialize;
}

/// Implemented by every generated request type: ties it to its action, output and error.
pub trait Action: Serialize + Send + Sync + 'static {
    /// The decoded `Response` object of a successful call.
    type Output: DeserializeOwned + Send + 'static;
    /// The action's typed service error.
    type Error: ActionError;
    /// Name, version, rate limit and idempotency of the action.
    const META: &'static ActionMeta;

    /// Fills the idempotency token (`ClientToken`) when the caller left it empty, once per
    /// call, so every retry of that call carries the same token and the service applies it
    /// at most once. Generated for actions whose input has such a token; a no-op otherwise.
    fn fill_idempotency_token(&mut self) {}

    /// Keeps what decoding found (mismatched members, the raw answer) on the output, where
    /// the generated `decode_report()` reads it. Called only when the report is not clean.
    fn attach_report(output: &mut Self::Output, report: crate::decode::DecodeReport) {
        let _ = (output, report);
    }
}
