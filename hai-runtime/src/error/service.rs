//! Service errors: what the `Response.Error` object of a Tencent envelope says.

use std::fmt;

use super::hint::SignatureHint;
use super::shown::{Shown, CODE_SHOWN, MESSAGE_SHOWN, REQUEST_ID_SHOWN};

/// Code, message and RequestId of one service error, plus the action and HTTP status.
#[derive(Clone, PartialEq, Eq)]
pub struct ErrorMetadata {
    action: &'static str,
    code: String,
    message: String,
    request_id: String,
    http_status: u16,
    signature_hint: Option<Box<SignatureHint>>,
}

impl ErrorMetadata {
    /// Builds metadata, e.g. to test code that handles errors.
    pub fn new(
        action: &'static str,
        code: impl Into<String>,
        message: impl Into<String>,
        request_id: impl Into<String>,
        http_status: u16,
    ) -> Self {
        Self {
            action,
            code: code.into(),
            message: message.into(),
            request_id: request_id.into(),
            http_status,
            signature_hint: None,
        }
    }

    pub(crate) fn with_signature_hint(mut self, hint: SignatureHint) -> Self {
        self.signature_hint = Some(Box::new(hint));
        self
    }

    /// For `AuthFailure.SignatureFailure` and `AuthFailure.SignatureExpire` answered to a
    /// call: what the SDK checked locally (clock skew against the answer's `Date` header,
    /// odd characters in the SecretId or SecretKey). `None` for other codes.
    pub fn signature_hint(&self) -> Option<&SignatureHint> {
        self.signature_hint.as_deref()
    }

    /// The action that failed, e.g. `StopInstance`.
    pub fn action(&self) -> &'static str {
        self.action
    }
    /// The error code as received, e.g. `UnsupportedOperation.InstanceStateStoppedNoCharge`
    /// (`Display` shows it escaped and capped).
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The service's message as received (`Display` shows it escaped and capped).
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The RequestId of the failed call (quote it to support).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// HTTP status the error envelope came with (the service normally uses 200).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }
    /// Whether the code is `RequestLimitExceeded` or one of its sub-codes.
    pub fn is_throttling(&self) -> bool {
        is_throttling_code(&self.code)
    }
}

impl ErrorMetadata {
    /// Whether the code says the service failed transiently (`InternalError*`, `ServiceUnavailable`):
    /// worth retrying only when repeating the call is harmless.
    pub fn is_transient(&self) -> bool {
        let c = self.code.as_str();
        c == "ServiceUnavailable"
            || c.strip_prefix("InternalError")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }
}

/// `RequestLimitExceeded` and every `RequestLimitExceeded.*` sub-code.
pub fn is_throttling_code(code: &str) -> bool {
    code.strip_prefix("RequestLimitExceeded")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

impl fmt::Debug for ErrorMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorMetadata")
            .field("action", &self.action)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("http_status", &self.http_status)
            .field("signature_hint", &self.signature_hint)
            .finish()
    }
}

/// Code, message and RequestId escaped and capped (see the accessors for the raw values),
/// then the [`SignatureHint`] when there is one.
impl fmt::Display for ErrorMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {}: {} (RequestId: {})",
            self.action,
            Shown::new(&self.code, CODE_SHOWN),
            Shown::new(
                if self.message.is_empty() {
                    "<no message>"
                } else {
                    &self.message
                },
                MESSAGE_SHOWN
            ),
            Shown::new(
                if self.request_id.is_empty() {
                    "<none>"
                } else {
                    &self.request_id
                },
                REQUEST_ID_SHOWN
            ),
        )?;
        if let Some(hint) = &self.signature_hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorMetadata {}

/// Access to the code, message and RequestId of any service error.
pub trait ProvideErrorMetadata {
    /// The full metadata.
    fn meta(&self) -> &ErrorMetadata;
    /// The error code.
    fn code(&self) -> &str {
        self.meta().code()
    }
    /// The service's message.
    fn message(&self) -> &str {
        self.meta().message()
    }
    /// The RequestId of the failed call.
    fn request_id(&self) -> &str {
        self.meta().request_id()
    }
}

impl ProvideErrorMetadata for ErrorMetadata {
    fn meta(&self) -> &ErrorMetadata {
        self
    }
}

/// Implemented by every generated per-action error enum.
pub trait ActionError:
    From<ErrorMetadata> + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static
{
    /// Whether resending this action after a failure that may have taken effect is harmless
    /// (the spec marks it read-only or idempotent). Generated from the spec; the untyped
    /// [`ErrorMetadata`] does not know its action and says `false`.
    const RESEND_IS_HARMLESS: bool = false;

    /// Whether the SDK's retry rules allow retrying this error: throttling always,
    /// transient service faults (`InternalError*`, `ServiceUnavailable`) only when
    /// [`RESEND_IS_HARMLESS`](Self::RESEND_IS_HARMLESS).
    fn is_retryable(&self) -> bool {
        crate::retry::may_retry(
            crate::retry::classify_service(self.meta()),
            Self::RESEND_IS_HARMLESS,
        )
    }
    /// Whether this is `DryRunOperation`: the dry run found that the request would succeed.
    fn is_dry_run_operation(&self) -> bool {
        self.code() == "DryRunOperation"
    }
}

/// A service error whose code the spec does not know.
///
/// Sealed: only the runtime and generated code make one, so a match on a
/// known variant can never be bypassed by constructing this by hand.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Unhandled {
    meta: ErrorMetadata,
}

impl Unhandled {
    /// The full metadata of the error.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.meta, f)
    }
}

/// Makes an [`Unhandled`]; only generated code calls this.
#[doc(hidden)]
pub fn __unhandled(_: crate::__private::Sealed, meta: ErrorMetadata) -> Unhandled {
    Unhandled { meta }
}
