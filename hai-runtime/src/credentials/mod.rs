//! Credentials and the providers that find them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

mod cache;
mod chain;
pub(crate) mod cvm;
mod env;
mod http;
pub(crate) mod profile;
mod sts;
mod tccli;
mod tke;

pub use cache::{CachingProvider, Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
pub use chain::{ChainProvider, DefaultChain, DefaultChainBuilder, DefaultProviders};
pub use cvm::{CvmRoleProvider, CvmRoleProviderBuilder, DEFAULT_METADATA_URL};
pub use env::{Env, EnvironmentProvider};
pub use profile::{ProfileProvider, ProfileProviderBuilder, DEFAULT_SYSTEM_CREDENTIALS_FILE};
pub use sts::{AssumeRoleProvider, AssumeRoleProviderBuilder, StsConfig};
pub use tccli::TccliProvider;
pub use tke::{TkeOidcProvider, TkeOidcProviderBuilder};

/// A SecretId/SecretKey pair, with a session token and expiry for temporary credentials.
///
/// Cheap to clone (one `Arc`). `Debug` never shows the key or the token.
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    expiry: Option<SystemTime>,
    provider: &'static str,
    /// Found once at construction, so the per-call check is a field read.
    problem: Option<(&'static str, &'static str)>,
}

/// What is wrong with a SecretId, SecretKey or token value, if anything; never the value.
///
/// A key read with `$(cat keyfile)` keeps its newline, and the service then answers only
/// `AuthFailure.SignatureFailure`; saying so up front saves the user the hunt.
pub(crate) fn value_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        Some("has leading or trailing white space (a newline left by reading a file?)")
    } else if value.chars().any(char::is_control) {
        Some("contains control characters")
    } else {
        None
    }
}

impl Credentials {
    /// Long-lived credentials (`token` is for temporary ones; pass `None` otherwise).
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: Option<String>,
    ) -> Self {
        Self::build(secret_id.into(), secret_key.into(), token, None, "static")
    }

    /// Full constructor used by providers: `provider` names where the credentials came from.
    pub fn from_parts(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: Option<String>,
        expiry: Option<SystemTime>,
        provider: &'static str,
    ) -> Self {
        Self::build(secret_id.into(), secret_key.into(), token, expiry, provider)
    }

    fn build(
        secret_id: String,
        secret_key: String,
        token: Option<String>,
        expiry: Option<SystemTime>,
        provider: &'static str,
    ) -> Self {
        let token = token.filter(|t| !t.is_empty());
        let problem = [
            ("SecretId", Some(secret_id.as_str())),
            ("SecretKey", Some(secret_key.as_str())),
            ("session token", token.as_deref()),
        ]
        .into_iter()
        .find_map(|(part, v)| v.and_then(value_problem).map(|p| (part, p)));
        Self {
            inner: Arc::new(Inner {
                secret_id,
                secret_key,
                token,
                expiry,
                provider,
                problem,
            }),
        }
    }

    /// Checks the values before they are used: an empty value, leading or trailing white
    /// space or a control character is an error naming the part and the provider, never
    /// the value. Every call runs this check before signing.
    pub fn check(&self) -> std::result::Result<(), CredentialsError> {
        match self.inner.problem {
            None => Ok(()),
            Some((part, problem)) => Err(CredentialsError::Invalid {
                provider: self.inner.provider,
                reason: format!("the {part} {problem}"),
            }),
        }
    }

    /// The SecretId (not secret: it appears in every `Authorization` header).
    pub fn secret_id(&self) -> &str {
        &self.inner.secret_id
    }
    /// The SecretKey. Never log it.
    pub fn secret_key(&self) -> &str {
        &self.inner.secret_key
    }
    /// The session token of temporary credentials, sent as `X-TC-Token`. Never log it.
    pub fn token(&self) -> Option<&str> {
        self.inner.token.as_deref()
    }
    /// When temporary credentials stop working.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.inner.expiry
    }
    /// Name of the provider that produced these credentials (`environment`, `profile`, ...).
    pub fn provider_name(&self) -> &'static str {
        self.inner.provider
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.inner.secret_id)
            .field("secret_key", &"** redacted **")
            .field(
                "token",
                &self.inner.token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiry", &self.inner.expiry)
            .field("provider", &self.inner.provider)
            .finish()
    }
}

/// Why a provider gave no credentials.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The provider has nothing configured (e.g. no variables set); a chain moves on.
    NotConfigured {
        /// Provider name.
        provider: &'static str,
        /// What was looked for.
        reason: String,
    },
    /// Configuration exists but is wrong (half-set variables, unparsable file); a chain stops.
    Invalid {
        /// Provider name.
        provider: &'static str,
        /// What is wrong, naming the file and line or variable.
        reason: String,
    },
    /// Fetching credentials failed (metadata service, STS).
    Fetch {
        /// Provider name.
        provider: &'static str,
        /// What failed; never contains a secret.
        reason: String,
    },
    /// Every provider of a chain gave nothing: one `(provider, why)` per provider.
    NoneFound(Vec<(&'static str, String)>),
    /// STS answered with an error envelope; `code` and `request_id` are what support asks for.
    Sts {
        /// Provider name.
        provider: &'static str,
        /// The STS error code, e.g. `AuthFailure.SignatureFailure`.
        code: String,
        /// The STS error message.
        message: String,
        /// The `RequestId` of the failed STS call.
        request_id: String,
    },
    /// The CVM metadata service knows the role but answered with a `Code` other than `Success`.
    MetadataRejected {
        /// The CAM role name bound to the instance.
        role: String,
        /// The `Code` the metadata service returned.
        code: String,
    },
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::NotConfigured { provider, reason } => {
                write!(f, "{provider} credentials not configured: {reason}")
            }
            CredentialsError::Invalid { provider, reason } => {
                write!(f, "invalid {provider} credentials configuration: {reason}")
            }
            CredentialsError::Fetch { provider, reason } => {
                write!(f, "fetching {provider} credentials failed: {reason}")
            }
            CredentialsError::NoneFound(list) => {
                f.write_str("no credentials found:")?;
                for (p, why) in list {
                    write!(f, " [{p}: {why}]")?;
                }
                Ok(())
            }
            CredentialsError::Sts {
                provider,
                code,
                message,
                request_id,
            } => write!(
                f,
                "STS refused {provider} credentials: [{code}] {message} (RequestId: {request_id})"
            ),
            CredentialsError::MetadataRejected { role, code } => write!(
                f,
                "CVM metadata service refused credentials for role `{role}`: Code {code}"
            ),
        }
    }
}

impl std::error::Error for CredentialsError {}

/// Result of a credentials lookup.
pub type Result = std::result::Result<Credentials, CredentialsError>;

/// The future a provider returns: ready at once for static credentials (no allocation),
/// boxed for providers that do I/O.
pub struct ProvideCredentialsFuture<'a>(FutureInner<'a>);

enum FutureInner<'a> {
    Ready(Option<Result>),
    Boxed(Pin<Box<dyn Future<Output = Result> + Send + 'a>>),
}

impl<'a> ProvideCredentialsFuture<'a> {
    /// A future that is already complete.
    pub fn ready(result: Result) -> Self {
        Self(FutureInner::Ready(Some(result)))
    }
    /// Wraps an async lookup.
    pub fn new(fut: impl Future<Output = Result> + Send + 'a) -> Self {
        Self(FutureInner::Boxed(Box::pin(fut)))
    }
}

impl Future for ProvideCredentialsFuture<'_> {
    type Output = Result;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result> {
        match &mut self.0 {
            FutureInner::Ready(r) => Poll::Ready(r.take().unwrap_or_else(|| {
                Err(CredentialsError::Fetch {
                    provider: "ready",
                    reason: "future polled after completion".into(),
                })
            })),
            FutureInner::Boxed(f) => f.as_mut().poll(cx),
        }
    }
}

/// Something that can supply credentials, possibly refreshing them.
pub trait ProvideCredentials: Send + Sync + fmt::Debug + 'static {
    /// Returns current, unexpired credentials.
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(Ok(self.clone()))
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        (**self).provide_credentials()
    }
}
