//! [`ConfigBuilder`]: every setting is checked here, so a built configuration cannot fail
//! on it later (except an endpoint variable that is only read for its service).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::endpoint::{Endpoint, EndpointConfig, Endpoints};
use super::sign::SigningCache;
use super::transport::{BuildFailure, Transport, Trust};
use super::{ClientInner, Config, Language};
use crate::config::tccli::{TccliConfigError, TccliFiles};
use crate::credentials::{DefaultChain, Env, ProvideCredentials};
use crate::error::{Error, ErrorMetadata};
use crate::rate_limit::RateLimiter;
use crate::retry::{RetryClassifier, RetryDecision, RetryPolicy};

/// Default bound on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout of one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default timeout of a whole call: all attempts, backoff and rate-limit waits.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// A client that is built from a [`Config`]: the runtime's own and every generated service's
/// `Client`, so that `builder()...build()` yields either.
pub trait FromConfig: Sized {
    /// Wraps the finished configuration.
    fn from_config(config: Config) -> Self;
}

impl FromConfig for Config {
    fn from_config(config: Config) -> Self {
        config
    }
}

/// Configures a [`Config`], or a service client built from one (`C`): a generated
/// service's `ClientBuilder` is this builder for its `Client`.
#[must_use]
pub struct ConfigBuilder<C = Config> {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    endpoint: Option<String>,
    regional_endpoint: bool,
    root_domain: Option<String>,
    failover: Vec<super::Failover>,
    language: Option<Language>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    retry_policy: RetryPolicy,
    rate_limit: bool,
    http_client: Option<reqwest::Client>,
    proxy: Option<String>,
    trust: Trust,
    request_client_suffix: Option<String>,
    max_response_bytes: usize,
    strict_decoding: bool,
    classifier: Option<RetryClassifier>,
    read_env: bool,
    tccli: TccliDefaults,
    clock: Option<Arc<dyn crate::credentials::Clock>>,
    #[cfg(feature = "test-util")]
    mock: Option<crate::mock::Mock>,
    client: PhantomData<fn() -> C>,
}

/// What [`ConfigBuilder::from_env`] took from tccli's `<profile>.configure`.
#[derive(Debug, Default)]
struct TccliDefaults {
    /// The file, named in errors about its values.
    path: Option<std::path::PathBuf>,
    /// `(service, endpoint)` of every service entry with an endpoint.
    endpoints: Vec<(String, String)>,
    /// A configure file that exists but cannot be used: `build` fails with it.
    error: Option<TccliConfigError>,
}

impl<C> fmt::Debug for ConfigBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("regional_endpoint", &self.regional_endpoint)
            .field("root_domain", &self.root_domain)
            .field("failover", &self.failover)
            .field("language", &self.language)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry_policy", &self.retry_policy)
            .field("rate_limit", &self.rate_limit)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("strict_decoding", &self.strict_decoding)
            .field("extra_root_certificates", &self.trust.extra_pem.len())
            .field("platform_roots", &self.trust.platform)
            .finish_non_exhaustive()
    }
}

impl<C> Default for ConfigBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> ConfigBuilder<C> {
    /// Defaults: no region, no credentials, global endpoint, 10 s connect timeout, 60 s per
    /// attempt, 120 s per call, [`RetryPolicy::default`], rate limiting on, 8 MiB response
    /// bound.
    pub fn new() -> Self {
        Self {
            region: None,
            credentials: None,
            endpoint: None,
            regional_endpoint: false,
            root_domain: None,
            failover: Vec::new(),
            language: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            call_timeout: Some(DEFAULT_CALL_TIMEOUT),
            retry_policy: RetryPolicy::default(),
            rate_limit: true,
            http_client: None,
            proxy: None,
            trust: Trust::default(),
            request_client_suffix: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            strict_decoding: false,
            classifier: None,
            read_env: true,
            tccli: TccliDefaults::default(),
            clock: None,
            #[cfg(feature = "test-util")]
            mock: None,
            client: PhantomData,
        }
    }

    /// The default configuration, in tccli's order: region from `TENCENTCLOUD_REGION`, else
    /// from tccli's `~/.tccli/<profile>.configure` (profile `TCCLI_PROFILE`, else `default`);
    /// credentials from the default provider chain (environment, profile file, CVM role, TKE
    /// OIDC, tccli's `<profile>.credential`); endpoints from `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>`,
    /// else `TENCENTCLOUD_ENDPOINT_URL`, else the service's `endpoint` in the same configure
    /// file (a host is called over HTTPS, as tccli does), else Tencent Cloud. Settings made
    /// afterwards win. A configure file that exists but is not valid makes
    /// [`build`](Self::build) fail with [`BuildError::TccliConfigure`] naming the file.
    pub fn from_env(self) -> Self {
        self.from_env_in(&Env::process())
    }

    /// [`from_env`](Self::from_env) reading every variable (`HOME` included) from `env`, the
    /// credential chain's too: tests, and programs that manage their own environment.
    pub fn from_env_in(mut self, env: &Env) -> Self {
        let configure = match tccli_files(env) {
            None => None,
            Some(Err(e)) => {
                self.tccli.error = Some(e);
                None
            }
            Some(Ok(files)) => {
                self.tccli.path = Some(files.configure_path());
                match files.configure() {
                    Ok(c) => c,
                    Err(e) => {
                        self.tccli.error = Some(e);
                        None
                    }
                }
            }
        };
        let tccli_region = configure.as_ref().and_then(|c| c.region.clone());
        if let Some(region) = env
            .get("TENCENTCLOUD_REGION")
            .filter(|r| !r.trim().is_empty())
        {
            self.region = Some(region);
        } else if let Some(region) = tccli_region {
            self.region = Some(region);
        }
        if let Some(c) = configure {
            self.tccli.endpoints = c
                .services
                .into_iter()
                .filter_map(|(name, s)| Some((name, s.endpoint?)))
                .filter(|(_, e)| !e.trim().is_empty())
                .collect();
        }
        self.credentials = Some(Arc::new(DefaultChain::builder().env(env.clone()).build()));
        self
    }

    /// The region, e.g. `ap-guangzhou`, sent as `X-TC-Region`. Services whose spec says a
    /// region is required refuse to send a call without one.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Where credentials come from: fixed [`Credentials`](crate::credentials::Credentials) or any provider.
    pub fn credentials(mut self, provider: impl ProvideCredentials) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// A full endpoint URL (`http://` works, e.g. for an emulator); overrides the environment.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Use the regional host (`<service>.<region>.<root>`, e.g.
    /// `hai.ap-guangzhou.tencentcloudapi.com`) instead of the nearby-access one, when a region
    /// is configured: lower latency, and no cross-region routing. Financial regions
    /// (`ap-shanghai-fsi`) always get their regional host. See the endpoint rule in
    /// [`Config`]'s docs.
    pub fn regional_endpoint(mut self, yes: bool) -> Self {
        self.regional_endpoint = yes;
        self
    }

    /// The root domain of computed hosts (`<service>.<root>`), the official SDKs'
    /// `RootDomain`: [`DEFAULT_ROOT_DOMAIN`](crate::client::DEFAULT_ROOT_DOMAIN) unless set,
    /// [`INTL_ROOT_DOMAIN`](crate::client::INTL_ROOT_DOMAIN) for Tencent Cloud International,
    /// or a private deployment's. Explicit URLs, the environment and tccli's endpoints are
    /// not affected. [`build`](Self::build) fails with [`BuildError::InvalidRootDomain`]
    /// unless it is a domain name.
    pub fn root_domain(mut self, root: impl Into<String>) -> Self {
        self.root_domain = Some(root.into());
        self
    }

    /// Opt-in failover to a backup endpoint when the primary cannot be reached (see
    /// [`Failover`](super::Failover)); off unless called. Call once per service
    /// ([`Failover::service`](super::Failover::service)), or once for every service.
    /// [`build`](Self::build) fails with [`BuildError::InvalidEndpoint`] for an unusable
    /// backup URL.
    pub fn failover(mut self, failover: super::Failover) -> Self {
        self.failover.push(failover);
        self
    }

    /// Whether `TENCENTCLOUD_ENDPOINT_URL*` variables are honoured (default: yes).
    pub fn endpoint_from_env(mut self, yes: bool) -> Self {
        self.read_env = yes;
        self
    }

    /// Language of service messages (`X-TC-Language`); not sent when unset.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// Connect timeout (`None`: none): TCP, the proxy's tunnel and the TLS handshake, so a
    /// server that accepts and then stalls fails with a connect timeout, not sent. Ignored
    /// with a caller-supplied HTTP client, whose own settings apply.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of one attempt: connecting, sending, waiting and reading the body.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout of a whole call: every attempt, the backoff between them and rate-limit waits
    /// (120 s unless set; `None`: no bound beyond the attempts' own).
    /// When it expires, or the next attempt could not start before it, the call fails with
    /// [`TimeoutKind::Call`](crate::error::TimeoutKind::Call).
    pub fn call_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Retry policy for every call (calls can override it).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// A hook consulted on every failed attempt before the built-in rules.
    pub fn retry_classifier(
        mut self,
        hook: impl Fn(&Error<ErrorMetadata>, u32) -> RetryDecision + Send + Sync + 'static,
    ) -> Self {
        self.classifier = Some(RetryClassifier::new(hook));
        self
    }

    /// Client-side rate limiting per action at the spec's documented rate (default: on).
    pub fn rate_limit(mut self, on: bool) -> Self {
        self.rate_limit = on;
        self
    }

    /// Sends through this HTTP client (share a pool, proxies, client certificates). It should not
    /// follow redirects: a redirected request loses its signature's validity. Its own
    /// connect timeout applies, not [`connect_timeout`](Self::connect_timeout).
    ///
    /// Without one, the client sends through its own pooled HTTP/1.1 and HTTP/2 connections
    /// over rustls with the Mozilla roots (see
    /// [`add_root_certificate`](Self::add_root_certificate) and
    /// [`use_platform_roots`](Self::use_platform_roots)), through the proxy of
    /// [`proxy`](Self::proxy) or of `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` (with
    /// `NO_PROXY`) when one is set.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sends through this HTTP proxy (`http://[user:password@]host:port`; HTTPS calls are
    /// tunnelled with `CONNECT`) instead of the one the environment names (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, lower case too, with `NO_PROXY`), which the default
    /// transport honours otherwise. A proxy that refuses the tunnel fails the call with
    /// [`Error::Dispatch`] naming the proxy and its status line. Not applied to a client
    /// given to [`http_client`](Self::http_client).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Also trusts the certificates of this PEM bundle (one or more `CERTIFICATE`
    /// sections) as roots: a private CA, a corporate TLS-inspecting proxy, or a local
    /// emulator's self-signed certificate. They are added to the bundled Mozilla roots (or
    /// to the platform's, with [`use_platform_roots`](Self::use_platform_roots)); may be
    /// called repeatedly. [`build`](Self::build) fails with
    /// [`BuildError::InvalidRootCertificate`] when a bundle holds no certificate or one
    /// that does not decode. Not applied to a client given to
    /// [`http_client`](Self::http_client), which has its own TLS settings.
    ///
    /// ```no_run
    /// # fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let pem = std::fs::read("/etc/company/root-ca.pem")?;
    /// let client = hai_runtime::Config::builder()
    ///     .add_root_certificate(pem)
    ///     .credentials(hai_runtime::Credentials::new("AKID...", "...", None))
    ///     .region("ap-guangzhou")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.trust.extra_pem.push(pem.as_ref().to_vec());
        self
    }

    /// Trusts the platform's certificate store instead of the bundled Mozilla roots: the
    /// file named by `SSL_CERT_FILE` and the directory named by `SSL_CERT_DIR` when set,
    /// else the system's store (the OpenSSL locations on Linux, the keychain on macOS, the
    /// Windows certificate store), read once at [`build`](Self::build). A store without a
    /// usable certificate fails the build with [`BuildError::Tls`]. Roots from
    /// [`add_root_certificate`](Self::add_root_certificate) are trusted as well.
    pub fn use_platform_roots(mut self) -> Self {
        self.trust.platform = true;
        self
    }

    /// Appended to `X-TC-RequestClient: SDK_RUST_<version>; <suffix>` to identify the caller.
    pub fn request_client_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.request_client_suffix = Some(suffix.into());
        self
    }

    /// Bound on a response body; larger answers fail without being read further.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Fail a call whose answer has a member without its declared type, with a
    /// [`DecodeError`](crate::error::DecodeError) naming its path, instead of the lenient rule
    /// (lossless conversions taken, the rest read as absent and reported; see
    /// [`decode`](crate::decode)). Off by default.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Sends every call to `mock` instead of the network (feature `test-util`; see
    /// [`mock`](crate::mock)): signing, retries, timeouts and decoding run as usual, and
    /// no connection is ever made. Takes precedence over [`http_client`](Self::http_client).
    #[cfg(feature = "test-util")]
    pub fn mock(mut self, mock: &crate::mock::Mock) -> Self {
        self.mock = Some(mock.clone());
        self
    }

    /// Takes request timestamps from `clock` (STS calls of providers with a test clock).
    pub(crate) fn clock(mut self, clock: Arc<dyn crate::credentials::Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Checks the settings and builds the configuration, wrapped in the client `C`.
    pub fn build(self) -> Result<C, BuildError>
    where
        C: FromConfig,
    {
        self.build_config().map(C::from_config)
    }

    fn build_config(self) -> Result<Config, BuildError> {
        if let Some(e) = self.tccli.error {
            return Err(BuildError::TccliConfigure(e));
        }
        let credentials = self.credentials.ok_or(BuildError::MissingCredentials)?;
        let region = match self.region {
            Some(r) => {
                let valid = !r.is_empty()
                    && r.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !valid {
                    return Err(BuildError::InvalidRegion(r));
                }
                let header =
                    HeaderValue::from_str(&r).map_err(|_| BuildError::InvalidRegion(r.clone()))?;
                Some((r.into_boxed_str(), header))
            }
            None => None,
        };
        let mut request_client = format!("SDK_RUST_{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.request_client_suffix {
            request_client.push_str("; ");
            request_client.push_str(suffix);
        }
        let request_client = HeaderValue::from_str(&request_client)
            .map_err(|_| BuildError::InvalidRequestClientSuffix)?;

        let (root, failover) =
            super::endpoint::checked_options(self.root_domain.as_deref(), self.failover)?;
        let mut config = EndpointConfig {
            failover,
            regional: self.regional_endpoint,
            region: region.as_ref().map(|r| r.0.clone()),
            root,
            tccli: self.tccli.endpoints,
            tccli_path: self.tccli.path,
            ..EndpointConfig::default()
        };
        if let Some(url) = &self.endpoint {
            let e = Endpoint::parse(url).map_err(BuildError::InvalidEndpoint)?;
            config.explicit = Some(Arc::new(e));
        } else if self.read_env {
            config.read_env(std::env::vars_os().filter_map(|(k, v)| {
                let k = k.into_string().ok()?;
                k.starts_with(super::endpoint::ENDPOINT_ENV)
                    .then(|| v.into_string().ok().map(|v| (k, v)))
                    .flatten()
            }));
        }
        config
            .check_region_placement()
            .map_err(BuildError::UnplaceableRegion)?;

        if let Some(proxy) = &self.proxy {
            check_proxy(proxy)?;
        }
        #[cfg(feature = "test-util")]
        let mock = self.mock;
        #[cfg(not(feature = "test-util"))]
        let mock: Option<std::convert::Infallible> = None;
        let http = match (mock, self.http_client) {
            #[cfg(feature = "test-util")]
            (Some(mock), _) => Transport::Mock(mock),
            (_, Some(c)) => Transport::Reqwest(c),
            (_, None) => {
                Transport::default_for(self.connect_timeout, &self.trust, self.proxy.as_deref())
                    .map_err(|e| match e {
                        BuildFailure::Tls(why) => BuildError::Tls(why),
                        BuildFailure::RootCertificate(why) => {
                            BuildError::InvalidRootCertificate(why)
                        }
                    })?
            }
        };

        Ok(Config {
            inner: Arc::new(ClientInner {
                http,
                credentials,
                region,
                language: self.language.map(|l| HeaderValue::from_static(l.as_str())),
                request_client,
                endpoints: Endpoints::new(config),
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                call_timeout: self.call_timeout,
                retry_policy: self.retry_policy,
                classifier: self.classifier,
                limiter: self.rate_limit.then(RateLimiter::default),
                max_response_bytes: self.max_response_bytes,
                strict_decoding: self.strict_decoding,
                signing: SigningCache::default(),
                clock: self.clock,
            }),
        })
    }
}

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No credentials provider was configured.
    MissingCredentials,
    /// The region is empty or has characters no region name has.
    InvalidRegion(String),
    /// The endpoint URL is not usable (the reason names it).
    InvalidEndpoint(String),
    /// The request-client suffix cannot be sent as a header.
    InvalidRequestClientSuffix,
    /// The HTTP client could not be created. Not produced by this version (its transport
    /// needs no fallible reqwest set-up); kept so matches written for it still compile.
    HttpClient(reqwest::Error),
    /// The TLS configuration could not be created, e.g. the platform trust store holds
    /// no usable certificate (the reason names it).
    Tls(String),
    /// A PEM bundle given to [`ConfigBuilder::add_root_certificate`] holds no certificate,
    /// or one that does not decode (the reason names which, counting from 1).
    InvalidRootCertificate(String),
    /// tccli's `<profile>.configure`, read by [`ConfigBuilder::from_env`], exists but
    /// cannot be used (the error names the file and the key).
    TccliConfigure(TccliConfigError),
    /// The proxy given to [`ConfigBuilder::proxy`] is not an `http://host[:port]` URL.
    InvalidProxy(String),
    /// The root domain given to [`ConfigBuilder::root_domain`] is not a domain name.
    InvalidRootDomain(String),
    /// The endpoint rule cannot put the region into a host (the reason says why): not a
    /// region name, or a financial region on a root domain that has none. Reported here
    /// rather than as a DNS failure at the first call.
    UnplaceableRegion(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingCredentials => f.write_str(
                "no credentials configured: call ClientBuilder::credentials or use Client::from_env",
            ),
            BuildError::InvalidRegion(r) => write!(f, "invalid region {r:?}"),
            BuildError::InvalidEndpoint(why) => write!(f, "invalid endpoint: {why}"),
            BuildError::InvalidRequestClientSuffix => {
                f.write_str("the request-client suffix is not a valid header value")
            }
            BuildError::HttpClient(e) => write!(f, "cannot create the HTTP client: {e}"),
            BuildError::Tls(why) => write!(f, "cannot configure TLS: {why}"),
            BuildError::InvalidRootCertificate(why) => {
                write!(f, "invalid root certificate: {why}")
            }
            BuildError::TccliConfigure(e) => write!(f, "tccli configuration: {e}"),
            BuildError::InvalidProxy(why) => write!(f, "invalid proxy: {why}"),
            BuildError::InvalidRootDomain(why) => write!(f, "invalid root domain: {why}"),
            BuildError::UnplaceableRegion(why) => {
                write!(f, "region cannot be placed in an endpoint host: {why}")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::HttpClient(e) => Some(e),
            BuildError::TccliConfigure(e) => Some(e),
            _ => None,
        }
    }
}

/// A proxy URL the connector can use: `http://`, a host, nothing after the authority.
fn check_proxy(raw: &str) -> Result<(), BuildError> {
    let shown = crate::error::shown::Shown::new(raw, crate::error::shown::VALUE_SHOWN);
    let bad = |why: &str| Err(BuildError::InvalidProxy(format!("`{shown}`: {why}")));
    let Ok(uri) = raw.trim().parse::<http::Uri>() else {
        return bad("not a URL");
    };
    if uri.scheme_str() != Some("http") {
        return bad("only http:// proxies are supported");
    }
    if uri.host().is_none_or(str::is_empty) {
        return bad("no host");
    }
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
        return bad("a proxy URL has no path or query");
    }
    Ok(())
}

/// tccli's files for the profile of `TCCLI_PROFILE` (else `default`) under the home
/// directory; `None` without one.
fn tccli_files(env: &Env) -> Option<Result<TccliFiles, TccliConfigError>> {
    let home = env.get(if cfg!(windows) { "USERPROFILE" } else { "HOME" })?;
    let profile = env
        .get("TCCLI_PROFILE")
        .unwrap_or_else(|| "default".to_owned());
    Some(TccliFiles::new(
        std::path::Path::new(&home).join(".tccli"),
        profile,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;

    /// A home directory holding `.tccli/<name>` files.
    fn home(files: &[(&str, &str)]) -> std::path::PathBuf {
        let home = std::env::temp_dir().join(format!(
            "hai-home-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(home.join(".tccli")).unwrap();
        for (name, text) in files {
            std::fs::write(home.join(".tccli").join(name), text).unwrap();
        }
        home
    }

    fn build(env: &[(&str, &str)]) -> Result<Config, BuildError> {
        ConfigBuilder::<Config>::new()
            .from_env_in(&Env::from_pairs(env.iter().copied()))
            .credentials(Credentials::new("AKIDx", "k", None))
            .build()
    }

    #[test]
    fn from_env_takes_region_and_endpoints_from_the_tccli_profile() {
        let h = home(&[
            (
                "default.configure",
                r#"{"_sys_param": {"region": "ap-shanghai", "output": "json"},
                    "hai": {"endpoint": "hai.tencentcloudapi.com", "version": "2023-08-12"},
                    "cvm": {"endpoint": "http://127.0.0.1:9"}}"#,
            ),
            (
                "work.configure",
                r#"{"_sys_param": {"region": "ap-beijing"}}"#,
            ),
        ]);
        let h = h.to_str().unwrap();
        let config = build(&[("HOME", h)]).unwrap();
        assert_eq!(config.region(), Some("ap-shanghai"));
        let tccli = &config.inner.endpoints.config.tccli;
        assert!(tccli.contains(&("cvm".into(), "http://127.0.0.1:9".into())));
        assert!(tccli.contains(&("hai".into(), "hai.tencentcloudapi.com".into())));
        // The environment comes first, and TCCLI_PROFILE picks the profile.
        let config = build(&[("HOME", h), ("TENCENTCLOUD_REGION", "ap-guangzhou")]).unwrap();
        assert_eq!(config.region(), Some("ap-guangzhou"));
        let config = build(&[("HOME", h), ("TCCLI_PROFILE", "work")]).unwrap();
        assert_eq!(config.region(), Some("ap-beijing"));
        assert!(config.inner.endpoints.config.tccli.is_empty());
        // No file, no home: nothing taken, nothing refused.
        assert_eq!(
            build(&[("HOME", h), ("TCCLI_PROFILE", "none")])
                .unwrap()
                .region(),
            None
        );
        assert_eq!(build(&[]).unwrap().region(), None);
    }

    #[test]
    fn a_broken_tccli_configure_file_fails_the_build_naming_it() {
        let h = home(&[("default.configure", r#"{"_sys_param": {"region": 7}}"#)]);
        let err = build(&[("HOME", h.to_str().unwrap())]).unwrap_err();
        assert!(matches!(err, BuildError::TccliConfigure(_)), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("default.configure"), "{text}");
        assert!(text.contains("_sys_param.region"), "{text}");
        let h = home(&[]);
        let err = build(&[("HOME", h.to_str().unwrap()), ("TCCLI_PROFILE", "../x")]).unwrap_err();
        assert!(matches!(err, BuildError::TccliConfigure(_)), "{err:?}");
    }
}
