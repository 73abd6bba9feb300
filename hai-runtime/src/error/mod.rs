//! Errors of every call: the outer [`Error`] and the service error model.
//!
//! [`Error`] separates the stages a call can fail at, so callers can tell a request that was
//! never sent (safe to resend) from one that may have reached the server, and a service
//! answer from a proxy's HTML page. No `Display` or `Debug` output here ever contains a
//! secret key, a session token or an `Authorization` value.

pub(crate) mod hint;
mod service;
pub(crate) mod shown;
use shown::Shown;

pub use hint::{KeyIssue, SignatureHint, NOTABLE_CLOCK_SKEW_SECS};
pub use service::*;

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::credentials::CredentialsError;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How many bytes of an unexpected body errors keep, so a huge answer cannot bloat them.
pub const EXCERPT_LIMIT: usize = 1024;

/// Everything that can go wrong with one call. `E` is the action's typed service error.
///
/// After retries, this is the error of the *last* attempt.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The request could not be built (serialisation, missing region, bad endpoint URL);
    /// nothing was sent.
    Build(BuildRequestError),
    /// No credentials could be obtained; nothing was sent.
    Credentials(CredentialsFailure),
    /// The request could not be delivered or no complete answer came back.
    Dispatch(DispatchError),
    /// The connect timeout, an attempt's timeout or the call's total timeout elapsed.
    Timeout(TimeoutError),
    /// An HTTP answer that is not a Tencent Cloud API envelope (a proxy page, a huge body).
    Response(ResponseError),
    /// A successful HTTP answer whose body does not decode as the action's response.
    Decode(DecodeError),
    /// The service answered with an error envelope (`Response.Error`), whatever the HTTP status.
    Service(E),
}

/// Whether a failed request may have reached the server: decides whether resending is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Provably never sent: connection refused, DNS failure, TLS handshake failure.
    NotSent,
    /// The request may or may not have reached the server.
    Unknown,
    /// The server received the request and started answering.
    Delivered,
}

impl Delivery {
    /// `false` only when the request provably never left the client.
    pub fn may_have_reached_server(self) -> bool {
        self != Delivery::NotSent
    }

    fn describe(self) -> &'static str {
        match self {
            Delivery::NotSent => "request not sent",
            Delivery::Unknown => "request may have reached the server",
            Delivery::Delivered => "request reached the server",
        }
    }
}

/// Why a request could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildRequestErrorKind {
    /// No region configured, and the service requires one on every action.
    MissingRegion,
    /// The request did not serialise to JSON.
    Serialize,
    /// The endpoint URL (builder or environment) is not usable.
    InvalidEndpoint,
    /// A header value could not be formed (e.g. a token with control characters).
    InvalidHeader,
    /// A service, version or action name given to
    /// [`Config::call_by_name`](crate::Config::call_by_name) is not one Tencent could use
    /// (or the process called too many distinct ones by name).
    InvalidName,
    /// A blocking client was called where an async runtime is current (feature `blocking`;
    /// see [`blocking`](crate::blocking)).
    #[cfg(feature = "blocking")]
    InsideAsyncRuntime,
    /// The blocking client's runtime could not be started (feature `blocking`).
    #[cfg(feature = "blocking")]
    BlockingRuntime,
}

/// The request could not be built; nothing was sent.
#[derive(Debug)]
pub struct BuildRequestError {
    action: &'static str,
    kind: BuildRequestErrorKind,
    detail: String,
    source: Option<BoxError>,
}

impl BuildRequestError {
    pub(crate) fn new(
        action: &'static str,
        kind: BuildRequestErrorKind,
        detail: impl Into<String>,
        source: Option<BoxError>,
    ) -> Self {
        Self {
            action,
            kind,
            detail: detail.into(),
            source,
        }
    }
    /// The action whose request failed to build.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// What went wrong.
    pub fn kind(&self) -> BuildRequestErrorKind {
        self.kind
    }
}

impl fmt::Display for BuildRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: cannot build request: {}", self.action, self.detail)
    }
}

impl std::error::Error for BuildRequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// No credentials could be obtained for the call; nothing was sent.
#[derive(Debug)]
pub struct CredentialsFailure {
    action: &'static str,
    source: CredentialsError,
}

impl CredentialsFailure {
    pub(crate) fn new(action: &'static str, source: CredentialsError) -> Self {
        Self { action, source }
    }
    /// The action that needed credentials.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// What the provider said.
    pub fn error(&self) -> &CredentialsError {
        &self.source
    }
}

impl fmt::Display for CredentialsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: no credentials: {}", self.action, self.source)
    }
}

impl std::error::Error for CredentialsFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Where dispatching failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchErrorKind {
    /// Connecting failed (refused, DNS, reset during the handshake): the request was not sent.
    Connect,
    /// The TLS handshake was refused: the server's certificate is not trusted (unknown
    /// issuer, say a private CA not added with
    /// [`ConfigBuilder::add_root_certificate`](crate::ConfigBuilder::add_root_certificate)),
    /// not valid for the host name, expired, or the protocols do not match. The request
    /// was not sent, and a retry cannot succeed. rustls's reason is in `Display`, and the
    /// `rustls::Error` is the source of the error's source (downcast it to match on it).
    Tls,
    /// The connection failed while sending or waiting for the answer (e.g. reset).
    Io,
    /// The answer started but its body broke off (truncated, reset mid-body).
    ResponseBody,
    /// A mock (feature `test-util`, [`mock`](crate::mock)) had no rule that answers the
    /// request; the source says why. Nothing was sent, and it is never retried.
    #[cfg(feature = "test-util")]
    NoMockAnswer,
}

/// The request could not be delivered, or no complete answer came back.
#[derive(Debug)]
pub struct DispatchError {
    action: &'static str,
    kind: DispatchErrorKind,
    delivery: Delivery,
    source: BoxError,
    /// The `host[:port]` called (or the proxy's, when the proxy failed).
    host: Option<Box<str>>,
    /// What to do about it, when the failure says (a plain-HTTP server behind `https://`).
    hint: Option<Box<str>>,
}

impl DispatchError {
    pub(crate) fn new(
        action: &'static str,
        kind: DispatchErrorKind,
        delivery: Delivery,
        source: BoxError,
    ) -> Self {
        Self {
            action,
            kind,
            delivery,
            source,
            host: None,
            hint: None,
        }
    }
    pub(crate) fn with_host(mut self, host: Option<&str>) -> Self {
        self.host = host.map(|h| {
            Shown::new(h, shown::VALUE_SHOWN)
                .to_string()
                .into_boxed_str()
        });
        self
    }
    pub(crate) fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint.map(String::into_boxed_str);
        self
    }
    /// The action being called.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// Where it failed.
    pub fn kind(&self) -> DispatchErrorKind {
        self.kind
    }
    /// Whether the request may have reached the server.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }
    /// The `host[:port]` the request was for (escaped for display), when known.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }
    /// What the failure suggests doing, e.g. for a server that answered a TLS handshake in
    /// plain HTTP: use an `http://` endpoint.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, to) = match self.kind {
            DispatchErrorKind::Connect => ("could not connect", " to "),
            DispatchErrorKind::Tls => ("TLS handshake refused", " with "),
            DispatchErrorKind::Io => ("connection failed before an answer", " from "),
            DispatchErrorKind::ResponseBody => ("reading the response body failed", " from "),
            #[cfg(feature = "test-util")]
            DispatchErrorKind::NoMockAnswer => ("no mock answer", " from "),
        };
        write!(f, "{}: {what}", self.action)?;
        if let Some(host) = &self.host {
            write!(f, "{to}{host}")?;
        }
        write!(
            f,
            " ({}): {}",
            self.delivery.describe(),
            RootCause(&*self.source)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DispatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Which timeout elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// The connect timeout: the request was not sent.
    Connect,
    /// The timeout of one attempt (sending, waiting, reading the body).
    Attempt,
    /// The call's total timeout, over all attempts, backoff and rate-limit waits.
    Call,
}

/// A timeout elapsed.
#[derive(Debug)]
pub struct TimeoutError {
    action: &'static str,
    kind: TimeoutKind,
    delivery: Delivery,
    after: Option<Duration>,
    attempts: u32,
    last_error: Option<BoxError>,
}

impl TimeoutError {
    pub(crate) fn new(
        action: &'static str,
        kind: TimeoutKind,
        delivery: Delivery,
        after: Option<Duration>,
    ) -> Self {
        Self {
            action,
            kind,
            delivery,
            after,
            attempts: 0,
            last_error: None,
        }
    }
    /// The call's total timeout, after `attempts` attempts whose last failed with `last`.
    pub(crate) fn call(
        action: &'static str,
        delivery: Delivery,
        after: Duration,
        attempts: u32,
        last: Option<BoxError>,
    ) -> Self {
        Self {
            action,
            kind: TimeoutKind::Call,
            delivery,
            after: Some(after),
            attempts,
            last_error: last,
        }
    }
    /// The action being called.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// Which timeout elapsed.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }
    /// Whether the request may have reached the server.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }
    /// The configured duration that elapsed, when known.
    pub fn after(&self) -> Option<Duration> {
        self.after
    }
    /// For the call's total timeout: the attempts started before it expired.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// For the call's total timeout: the failure of the last attempt, when one had failed
    /// (also the [`source`](std::error::Error::source)).
    pub fn last_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.last_error.as_deref()
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TimeoutKind::Connect => "connect timeout",
            TimeoutKind::Attempt => "attempt timeout",
            TimeoutKind::Call => "call timeout (all attempts)",
        };
        write!(f, "{}: {what}", self.action)?;
        if let Some(d) = self.after {
            write!(f, " of {d:?} expired")?;
        }
        if self.kind == TimeoutKind::Call {
            write!(f, " after {} attempt(s)", self.attempts)?;
        }
        write!(f, " ({})", self.delivery.describe())?;
        if let Some(last) = &self.last_error {
            write!(f, "; last attempt: {last}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TimeoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last_error.as_deref().map(|e| e as _)
    }
}

/// Why an HTTP answer was not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseErrorKind {
    /// The answer is not a Tencent Cloud API envelope (e.g. a gateway's HTML page).
    NotEnvelope,
    /// The answer carries `Response.Error`, but not as an object with a string `Code`:
    /// a failure whose code cannot be told.
    MalformedError,
    /// The body exceeded the configured size bound; reading stopped there.
    TooLarge {
        /// The bound in bytes.
        limit: usize,
    },
}

/// An HTTP answer that is not a Tencent Cloud API envelope.
#[derive(Debug)]
pub struct ResponseError {
    action: &'static str,
    kind: ResponseErrorKind,
    status: u16,
    content_type: Option<String>,
    excerpt: Bytes,
    request_id: Option<String>,
}

impl ResponseError {
    pub(crate) fn new(
        action: &'static str,
        kind: ResponseErrorKind,
        status: u16,
        content_type: Option<String>,
        body: &Bytes,
    ) -> Self {
        Self {
            action,
            kind,
            status,
            content_type,
            excerpt: body.slice(..body.len().min(EXCERPT_LIMIT)),
            request_id: None,
        }
    }
    pub(crate) fn with_request_id(mut self, request_id: String) -> Self {
        self.request_id = Some(request_id).filter(|r| !r.is_empty());
        self
    }
    /// The RequestId, when the answer carried one (a malformed error envelope may).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The action being called.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// Why the answer was not usable.
    pub fn kind(&self) -> ResponseErrorKind {
        self.kind
    }
    /// HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
    /// The first bytes of the body (at most [`EXCERPT_LIMIT`]).
    pub fn body_excerpt(&self) -> &[u8] {
        &self.excerpt
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ResponseErrorKind::NotEnvelope => write!(
                f,
                "{}: HTTP {} answer is not a Tencent Cloud API response",
                self.action, self.status
            )?,
            ResponseErrorKind::MalformedError => write!(
                f,
                "{}: HTTP {} answer carries a malformed Response.Error (no string Code)",
                self.action, self.status
            )?,
            ResponseErrorKind::TooLarge { limit } => write!(
                f,
                "{}: HTTP {} answer body exceeds the {limit}-byte limit",
                self.action, self.status
            )?,
        }
        if let Some(ct) = &self.content_type {
            write!(f, " (Content-Type {})", Shown::new(ct, shown::VALUE_SHOWN))?;
        }
        if let Some(id) = &self.request_id {
            write!(
                f,
                " (RequestId: {})",
                Shown::new(id, shown::REQUEST_ID_SHOWN)
            )?;
        }
        write!(f, "; body starts: {}", Excerpt(&self.excerpt))
    }
}

impl std::error::Error for ResponseError {}

/// A successful HTTP answer whose body does not decode as the action's response.
#[derive(Debug)]
pub struct DecodeError {
    action: &'static str,
    status: u16,
    body: Bytes,
    request_id: Option<String>,
    path: Option<String>,
    source: serde_json::Error,
}

impl DecodeError {
    pub(crate) fn new(
        action: &'static str,
        status: u16,
        body: Bytes,
        request_id: Option<String>,
        source: serde_json::Error,
    ) -> Self {
        Self {
            action,
            status,
            body,
            request_id,
            path: None,
            source,
        }
    }

    pub(crate) fn with_path(mut self, path: Option<String>) -> Self {
        self.path = path;
        self
    }

    /// JSON path of the member that failed (`Response.InstanceSet[0].CPU`), when the body is
    /// JSON with a `Response` object; see [`crate::decode`].
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }
    /// The action being called.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// The raw body as received (bounded by the client's maximum response size).
    pub fn raw_body(&self) -> &[u8] {
        &self.body
    }
    /// The RequestId, if the body carried a recognisable one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The JSON error.
    pub fn json_error(&self) -> &serde_json::Error {
        &self.source
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot decode HTTP {} response (RequestId: {}): {}; body starts: {}",
            self.action,
            self.status,
            Shown::new(
                self.request_id.as_deref().unwrap_or("<none>"),
                shown::REQUEST_ID_SHOWN
            ),
            // The message names the path itself when there is one.
            self.source,
            Excerpt(&self.body)
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Shows at most 200 bytes of a body, escaped, for `Display`.
struct Excerpt<'a>(&'a [u8]);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 200;
        if self.0.is_empty() {
            return f.write_str("<empty>");
        }
        let cut = &self.0[..self.0.len().min(SHOWN)];
        write!(f, "\"{}", String::from_utf8_lossy(cut).escape_debug())?;
        f.write_str(if self.0.len() > SHOWN { "...\"" } else { "\"" })
    }
}

/// The innermost cause of an error chain (transport libraries put the useful words there).
struct RootCause<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for RootCause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut e = self.0;
        while let Some(next) = e.source() {
            e = next;
        }
        if std::ptr::addr_eq(e, self.0) {
            fmt::Display::fmt(self.0, f)
        } else {
            write!(f, "{}: {}", self.0, e)
        }
    }
}

impl<E> Error<E> {
    /// The typed service error, if the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The typed service error by value, or the error itself.
    pub fn into_service_error(self) -> Result<E, Self> {
        match self {
            Error::Service(e) => Ok(e),
            other => Err(other),
        }
    }

    /// Converts the service error, keeping every other variant.
    pub fn map_service<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Build(e) => Error::Build(e),
            Error::Credentials(e) => Error::Credentials(e),
            Error::Dispatch(e) => Error::Dispatch(e),
            Error::Timeout(e) => Error::Timeout(e),
            Error::Response(e) => Error::Response(e),
            Error::Decode(e) => Error::Decode(e),
            Error::Service(e) => Error::Service(f(e)),
        }
    }

    /// Whether the request may have reached the server (and so may have taken effect).
    pub fn may_have_reached_server(&self) -> bool {
        match self {
            Error::Build(_) | Error::Credentials(_) => false,
            Error::Dispatch(e) => e.delivery.may_have_reached_server(),
            Error::Timeout(e) => e.delivery.may_have_reached_server(),
            Error::Response(_) | Error::Decode(_) | Error::Service(_) => true,
        }
    }
}

impl<E: ProvideErrorMetadata> Error<E> {
    /// The action that failed.
    pub fn action(&self) -> &'static str {
        match self {
            Error::Build(e) => e.action,
            Error::Credentials(e) => e.action,
            Error::Dispatch(e) => e.action,
            Error::Timeout(e) => e.action,
            Error::Response(e) => e.action,
            Error::Decode(e) => e.action,
            Error::Service(e) => e.meta().action(),
        }
    }

    /// The service error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|e| e.code())
    }

    /// For `AuthFailure.SignatureFailure` and `AuthFailure.SignatureExpire`: the local
    /// causes the SDK checked (clock skew from the answer's `Date` header, white space or
    /// odd characters in the SecretId or SecretKey), also shown by `Display`.
    pub fn signature_hint(&self) -> Option<&SignatureHint> {
        self.service_error().and_then(|e| e.meta().signature_hint())
    }

    /// The RequestId, for service errors and decode failures that carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => Some(e.request_id()).filter(|r| !r.is_empty()),
            Error::Decode(e) => e.request_id(),
            Error::Response(e) => e.request_id(),
            _ => None,
        }
    }
}

impl<E: ActionError> Error<E> {
    /// `DryRunOperation`: the dry run found that the real request would have succeeded.
    pub fn is_dry_run_operation(&self) -> bool {
        self.service_error()
            .is_some_and(ActionError::is_dry_run_operation)
    }

    /// Whether the SDK's retry rules allow retrying this failure: throttled or provably
    /// never sent, or transient (5xx, `InternalError`, a timeout or broken connection after
    /// sending) for an action whose resending is harmless (read-only or idempotent).
    ///
    /// The call loop decides with the same function, so an error the client returned after
    /// its attempts ran out answers `true` here only if the rules allowed another attempt.
    pub fn is_retryable(&self) -> bool {
        crate::retry::may_retry(crate::retry::classify(self), E::RESEND_IS_HARMLESS)
    }

    /// Whether a later attempt may succeed (throttling, transient faults, failed delivery),
    /// whether or not resending is safe: see [`is_retryable`](Self::is_retryable) and
    /// [`may_have_reached_server`](Self::may_have_reached_server).
    pub fn is_transient(&self) -> bool {
        crate::retry::classify(self) != crate::retry::Retryability::Never
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Build(e) => e.fmt(f),
            Error::Credentials(e) => e.fmt(f),
            Error::Dispatch(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Response(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Service(e) => e.fmt(f),
        }
    }
}

/// Transparent: `Display` and `source` are those of the variant's error.
impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Build(e) => e.source(),
            Error::Credentials(e) => e.source(),
            Error::Dispatch(e) => e.source(),
            Error::Timeout(e) => e.source(),
            Error::Response(e) => e.source(),
            Error::Decode(e) => e.source(),
            Error::Service(e) => e.source(),
        }
    }
}

/// The untyped service error the non-generic runtime works with. It does not know its
/// action, so transient faults count as not retryable ([`Error::is_transient`] tells).
impl ActionError for ErrorMetadata {}
