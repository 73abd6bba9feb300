//! [`Config`]: the configuration and connection state the clients of every service share,
//! and [`Call`], the future of one action.

mod builder;
mod connect;
mod endpoint;
pub(crate) mod execute;
mod failover;
mod pool;
pub(crate) mod probe;
mod sign;
pub(crate) mod transport;

pub use builder::{BuildError, ConfigBuilder, FromConfig};
pub use endpoint::{DEFAULT_ROOT_DOMAIN, INTL_ROOT_DOMAIN};
pub use failover::{Failover, DEFAULT_FAILOVER_AFTER, DEFAULT_FAILOVER_COOL_DOWN};

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;

use crate::action::{Action, ActionMeta};
use crate::credentials::ProvideCredentials;
use crate::error::{BuildRequestError, BuildRequestErrorKind, DecodeError, Error};
use crate::rate_limit::RateLimiter;
use crate::retry::{RetryClassifier, RetryPolicy};

/// Language of service messages, sent as `X-TC-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Language {
    /// `zh-CN` (the service's default).
    ZhCn,
    /// `en-US`.
    EnUs,
}

impl Language {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::EnUs => "en-US",
        }
    }
}

/// What the clients of every Tencent Cloud service share: the credentials provider with its
/// cache, the transport and its connection pool, the region, the endpoint rules, retry and
/// timeout settings and the rate limiter. Cheap to clone: clones share all of it.
///
/// A generated service `Client` is built from one (`Client::new(&config)`), so an
/// application calling several services fetches credentials once and keeps one pool. It can
/// also send any generated action itself ([`call`](Self::call)), any action by its
/// metadata with a JSON body ([`call_json`](Self::call_json)), or any action by its names
/// ([`call_by_name`](Self::call_by_name), the official SDKs' `CommonClient`).
///
/// # Endpoints
///
/// One rule per service, applied when the service's first call is made (the environment and
/// tccli's file are read once, when the client is built):
///
/// 1. the builder's URL ([`ConfigBuilder::endpoint`]);
/// 2. `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` (the service name in any case), then
///    `TENCENTCLOUD_ENDPOINT_URL`;
/// 3. the service's `endpoint` in tccli's `<profile>.configure` (`from_env` only; a bare host
///    means HTTPS, as tccli calls it);
/// 4. the computed host, over HTTPS, under the root domain
///    ([`ConfigBuilder::root_domain`], default
///    `tencentcloudapi.com`):
///    - `<service>.<root>`, the nearby-access host, unless a regional host is wanted;
///    - `<service>.<region>.<root>` with `regional_endpoint(true)` and a region, and always
///      for a financial region (`*-fsi`, e.g. `ap-shanghai-fsi`, `ap-shenzhen-fsi`): Tencent
///      serves those only at their regional hosts (nearby access is "only for non-financial
///      regions");
///    - on the international root `intl.tencentcloudapi.com` the nearby host is
///      `<service>.intl.tencentcloudapi.com`, but regional hosts stay
///      `<service>.<region>.tencentcloudapi.com`, as Tencent's international docs list them.
///
///    `<service>` is the service's host label from its spec (its `host` without the default
///    root); a spec host outside `tencentcloudapi.com` is used as it is, whatever the root.
///
/// A region the rule cannot place fails [`build`](ConfigBuilder::build) with
/// [`BuildError::UnplaceableRegion`] instead of becoming a host name that no DNS server
/// knows: a region that would go into a host but is not a region name (lower-case letters,
/// digits and single hyphens, `<area>-<place>[-...]`; e.g. `ap_guangzhou` or `AP-Guangzhou`
/// is not), and a financial region on the international root, whose documentation has no
/// financial regions. (Not checked when the builder's URL or
/// `TENCENTCLOUD_ENDPOINT_URL` replaces every computed host.) A service whose spec has no
/// regional host and a financial region fail its calls with
/// [`BuildRequestErrorKind::InvalidEndpoint`].
///
/// Sources: the official SDKs build `<service>.<rootDomain>` with `tencentcloudapi.com` as
/// the default root (tencentcloud-sdk-go `tencentcloud/common/http/request.go`,
/// `GetServiceDomain`; tencentcloud-sdk-python `tencentcloud/common/profile/http_profile.py`,
/// `rootDomain`) and compute no regional hosts; Tencent's request-structure pages give the
/// regional and financial hosts (e.g. CVM, China site,
/// <https://www.tencentcloud.com/zh/document/api/1021/34191>: a financial-region call must use
/// the host with the financial region in it, `cvm.ap-shanghai-fsi.tencentcloudapi.com` or
/// `cvm.ap-shenzhen-fsi.tencentcloudapi.com`) and the international ones (CVM,
/// <https://www.tencentcloud.com/document/api/213/31573>: nearby `cvm.intl.tencentcloudapi.com`,
/// regional `cvm.ap-guangzhou.tencentcloudapi.com`).
#[derive(Clone)]
pub struct Config {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: transport::Transport,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    pub(crate) region: Option<(Box<str>, HeaderValue)>,
    pub(crate) language: Option<HeaderValue>,
    pub(crate) request_client: HeaderValue,
    pub(crate) endpoints: endpoint::Endpoints,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) classifier: Option<RetryClassifier>,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) max_response_bytes: usize,
    /// Fail on the first answer member without its declared type (see [`crate::decode`]).
    pub(crate) strict_decoding: bool,
    pub(crate) signing: sign::SigningCache,
    /// Where request timestamps come from (a provider's clock for its STS calls).
    pub(crate) clock: Option<Arc<dyn crate::credentials::Clock>>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Config")
            .field("region", &i.region.as_ref().map(|r| &*r.0))
            .field("credentials", &i.credentials)
            .field(
                "endpoint",
                &i.endpoints.config.explicit.as_ref().map(|e| &e.host),
            )
            .field("failover", &i.endpoints.config.failover.len())
            .field("timeout", &i.timeout)
            .field("call_timeout", &i.call_timeout)
            .field("connect_timeout", &i.connect_timeout)
            .field("retry_policy", &i.retry_policy)
            .field("rate_limit", &i.limiter.is_some())
            .field("max_response_bytes", &i.max_response_bytes)
            .field("strict_decoding", &i.strict_decoding)
            .finish_non_exhaustive()
    }
}

impl AsRef<Config> for Config {
    fn as_ref(&self) -> &Config {
        self
    }
}

impl Config {
    /// Starts a configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new()
    }

    /// A client configured from the environment: credentials from the default provider chain
    /// (`TENCENTCLOUD_SECRET_ID`/`_SECRET_KEY`/`_SESSION_TOKEN`, profile file, CVM role, TKE
    /// OIDC; looked up at the first call), region from `TENCENTCLOUD_REGION`, endpoint
    /// overrides from `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` (e.g. `_CVM`) and
    /// `TENCENTCLOUD_ENDPOINT_URL`.
    pub fn from_env() -> Result<Config, BuildError> {
        ConfigBuilder::new().from_env().build()
    }

    /// The configured region, if any.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_ref().map(|r| &*r.0)
    }

    /// Prepares a call of action `A`; await the result to send it.
    pub fn call<A: Action>(&self, input: A) -> Call<'_, A> {
        Call {
            client: self,
            input,
            options: CallOptions::default(),
        }
    }

    /// Prepares an untyped call: the action of `meta` (a generated action's
    /// `<Request as Action>::META`, or metadata of your own) with `body` as its request, the
    /// `Response` object decoded as `T` (`serde_json::Value` keeps everything). Signing,
    /// retries by the metadata's idempotency, deadlines, the response bound and error
    /// classification are those of a typed call; service errors are typed as the common
    /// codes. When the metadata names an idempotency token and `body` is an object without
    /// one (or with `null` or `""`), a fresh token is set, the same for every retry.
    pub fn call_json<T: DeserializeOwned + Send>(
        &self,
        meta: &'static ActionMeta,
        body: serde_json::Value,
    ) -> JsonCall<'_, T> {
        JsonCall {
            client: self,
            meta,
            body,
            options: CallOptions::default(),
            output: PhantomData,
        }
    }
}

/// Per-call overrides of the client's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) retry_transient: Option<bool>,
    pub(crate) retry_policy: Option<RetryPolicy>,
    pub(crate) timeout: Option<Option<Duration>>,
    pub(crate) call_timeout: Option<Option<Duration>>,
    /// Send `Authorization: SKIP` and no credentials (STS AssumeRoleWithWebIdentity).
    pub(crate) anonymous: bool,
}

/// One call of action `A`, with per-call options; `.await` it to send.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, A: Action> {
    client: &'a Config,
    input: A,
    options: CallOptions,
}

impl<A: Action + fmt::Debug> fmt::Debug for Call<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("action", &A::META.name)
            .field("input", &self.input)
            .field("options", &self.options)
            .finish()
    }
}

/// The per-call overrides, the same on typed and untyped calls.
macro_rules! call_options {
    () => {
        /// Also retry failures after which the request may have taken effect (timeouts
        /// after sending, broken connections, 5xx, `InternalError`). Only opt in when
        /// repeating the action is acceptable.
        pub fn retry_transient(mut self, yes: bool) -> Self {
            self.options.retry_transient = Some(yes);
            self
        }

        /// Replaces the configured retry policy for this call.
        pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
            self.options.retry_policy = Some(policy);
            self
        }

        /// Replaces the configured timeout of each attempt for this call (`None`: no
        /// timeout).
        pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// Replaces the configured call timeout for this call: the bound on all attempts,
        /// backoff and rate-limit waits together (`None`: no bound beyond the attempts' own
        /// timeouts).
        pub fn call_timeout(mut self, timeout: Option<Duration>) -> Self {
            self.options.call_timeout = Some(timeout);
            self
        }
    };
}

// After the macro it uses.
mod by_name;
pub use by_name::ByNameCall;

impl<A: Action> Call<'_, A> {
    call_options!();

    /// The request that will be sent.
    pub fn input(&self) -> &A {
        &self.input
    }
}

impl Config {
    /// Runs an action through the same execute path as every generated one, for untyped
    /// calls and the actions the runtime itself calls (STS). Returns the decoded `Response`
    /// object.
    pub(crate) async fn execute_raw<T: serde::de::DeserializeOwned + Send>(
        &self,
        meta: &'static crate::action::ActionMeta,
        body: Vec<u8>,
        options: &CallOptions,
    ) -> Result<T, Error<crate::error::ErrorMetadata>> {
        let name = meta.name;
        let mut output = None;
        let strict = self.inner.strict_decoding;
        let mut decode = |body: &Bytes, status: u16| match crate::decode::answer::<T>(body, strict)
        {
            Ok(decoded) => {
                output = Some(decoded.output);
                Ok(())
            }
            Err(e) => Err(execute::decode_error(name, status, body, e)),
        };
        execute::execute(&self.inner, meta, Bytes::from(body), options, &mut decode).await?;
        output.ok_or_else(|| Error::Decode(not_decoded(name)))
    }
}

/// One untyped call (see [`Config::call_json`]), with per-call options; `.await` it to send.
#[must_use = "a call does nothing until it is awaited"]
pub struct JsonCall<'a, T> {
    client: &'a Config,
    meta: &'static ActionMeta,
    body: serde_json::Value,
    options: CallOptions,
    output: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for JsonCall<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold secrets (passwords): only its shape is shown.
        f.debug_struct("JsonCall")
            .field("action", &self.meta.name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<T> JsonCall<'_, T> {
    call_options!();
}

impl<'a, T: DeserializeOwned + Send + 'a> IntoFuture for JsonCall<'a, T> {
    type Output = Result<T, Error<crate::error::ErrorMetadata>>;
    type IntoFuture = CallFuture<'a, T, crate::error::ErrorMetadata>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let JsonCall {
                client,
                meta,
                mut body,
                options,
                ..
            } = self;
            if let (Some(member), serde_json::Value::Object(map)) =
                (meta.idempotency_token, &mut body)
            {
                let unset = match map.get(member) {
                    None | Some(serde_json::Value::Null) => true,
                    Some(serde_json::Value::String(s)) => s.is_empty(),
                    Some(_) => false,
                };
                if unset {
                    map.insert(
                        member.to_owned(),
                        serde_json::Value::String(crate::__private::idempotency_token()),
                    );
                }
            }
            let bytes = to_body(meta.name, &body)?;
            drop(body);
            client.execute_raw(meta, bytes, &options).await
        })
    }
}

/// The future of a [`Call`].
pub type CallFuture<'a, T, E> = Pin<Box<dyn Future<Output = Result<T, Error<E>>> + Send + 'a>>;

impl<'a, A: Action> IntoFuture for Call<'a, A> {
    type Output = Result<A::Output, Error<A::Error>>;
    type IntoFuture = CallFuture<'a, A::Output, A::Error>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let Call {
                client,
                mut input,
                options,
            } = self;
            input.fill_idempotency_token();
            let name = A::META.name;
            let body = to_body(name, &input)?;
            drop(input);
            let mut output = None;
            let strict = client.inner.strict_decoding;
            let mut decode = |body: &Bytes, status: u16| match crate::decode::answer::<A::Output>(
                body, strict,
            ) {
                Ok(decoded) => {
                    let mut out = decoded.output;
                    if !decoded.report.is_clean() {
                        A::attach_report(&mut out, decoded.report);
                    }
                    output = Some(out);
                    Ok(())
                }
                Err(e) => Err(execute::decode_error(name, status, body, e)),
            };
            execute::execute(
                &client.inner,
                A::META,
                Bytes::from(body),
                &options,
                &mut decode,
            )
            .await
            .map_err(|e| e.map_service(A::Error::from))?;
            output.ok_or_else(|| Error::Decode(not_decoded(name)))
        })
    }
}

/// The request body: one serialisation, its failure a build error of `action`.
fn to_body<T: serde::Serialize + ?Sized, E>(
    action: &'static str,
    input: &T,
) -> Result<Vec<u8>, Error<E>> {
    serde_json::to_vec(input).map_err(|e| {
        Error::Build(BuildRequestError::new(
            action,
            BuildRequestErrorKind::Serialize,
            format!("request does not serialise: {e}"),
            Some(Box::new(e)),
        ))
    })
}

#[cold]
fn not_decoded(action: &'static str) -> DecodeError {
    DecodeError::new(
        action,
        0,
        Bytes::new(),
        None,
        serde::de::Error::custom("the response was not decoded"),
    )
}
