//! The HTTP layer under the execute path: the SDK's own hyper connection pool by default, or a
//! caller-supplied `reqwest::Client`.
//!
//! The default sends HTTP/1.1 through our own small pool of hyper connections (`pool.rs`),
//! and a host that negotiates HTTP/2 through hyper-util's pooled client (the engine reqwest
//! itself runs on); both without reqwest's per-request layers: we never follow redirects,
//! retry inside the HTTP client or need a `Url` per response, and those layers re-parse the
//! URL twice on every call. Both take their connections from one connector, which handles
//! proxies (the builder's, or `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` with `NO_PROXY`) and the
//! connect timeout (`connect.rs`).
//!
//! Both use one rustls configuration (ring, TLS 1.2 and 1.3) whose roots are the bundled
//! Mozilla set, or the platform's store when asked, plus any roots the caller added; a
//! handshake that rustls refuses (unknown issuer, wrong name, expired) is told apart from
//! a refused connection by finding the `rustls::Error` under the connector's error.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};

use super::connect::{self, Bounded, Tcp};

type Direct =
    hyper_util::client::legacy::Client<Bounded<hyper_rustls::HttpsConnector<Tcp>>, Full<Bytes>>;

/// Variables that configure a proxy (the matcher reads them, and `NO_PROXY`).
const PROXY_ENV: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// How long an idle keep-alive connection is kept.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

// One per client, inside its `Arc`: boxing the large variant would only add an indirection.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Transport {
    Direct {
        client: Direct,
        /// Set when a proxy may apply: plain-HTTP requests through it carry its credentials.
        proxy: Option<Arc<hyper_util::client::proxy::matcher::Matcher>>,
        /// HTTP/1.1 connections; `client` serves the hosts that negotiate HTTP/2.
        pool: super::pool::Pool,
    },
    Reqwest(reqwest::Client),
    /// Answers from a mock's rules (feature `test-util`).
    #[cfg(feature = "test-util")]
    Mock(crate::mock::Mock),
}

/// Why the HTTP client could not be created.
#[derive(Debug)]
pub(crate) enum BuildFailure {
    Tls(String),
    RootCertificate(String),
}

/// Whom TLS connections trust.
#[derive(Debug, Default, Clone)]
pub(crate) struct Trust {
    /// PEM bundles given to `ClientBuilder::add_root_certificate`, in order.
    pub(crate) extra_pem: Vec<Vec<u8>>,
    /// The platform's store (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the system roots) instead of
    /// the bundled Mozilla roots.
    pub(crate) platform: bool,
}

impl Trust {
    /// The root store: bundled or platform roots, then the added ones.
    fn root_store(&self) -> Result<rustls::RootCertStore, BuildFailure> {
        let mut store = rustls::RootCertStore::empty();
        if self.platform {
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map_or_else(|| "it holds no certificate".to_owned(), |e| e.to_string());
                return Err(BuildFailure::Tls(format!(
                    "no usable root certificate in the platform trust store: {why}"
                )));
            }
        } else {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for (i, pem) in self.extra_pem.iter().enumerate() {
            add_pem(&mut store, pem).map_err(|why| {
                BuildFailure::RootCertificate(format!("root certificate #{}: {why}", i + 1))
            })?;
        }
        Ok(store)
    }

    /// The rustls configuration both transports use (ALPN is set by each).
    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig, BuildFailure> {
        let store = self.root_store()?;
        Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildFailure::Tls(e.to_string()))?
        .with_root_certificates(store)
        .with_no_client_auth())
    }
}

/// Adds every certificate of a PEM bundle; a bundle without one, or with a section that
/// does not decode or is not a usable trust anchor, is refused (never a panic).
fn add_pem(store: &mut rustls::RootCertStore, pem: &[u8]) -> Result<(), String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut n = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not valid PEM: {e}"))?;
        store
            .add(cert)
            .map_err(|e| format!("not a usable certificate: {e}"))?;
        n += 1;
    }
    if n == 0 {
        return Err("no PEM \"CERTIFICATE\" section found".to_owned());
    }
    Ok(())
}

/// Why a request got no response head.
pub(crate) struct SendFailure {
    pub(crate) kind: SendFailureKind,
    pub(crate) source: Box<dyn StdError + Send + Sync>,
    /// The server answered the TLS handshake in plain HTTP.
    pub(crate) plain_http: bool,
}

impl SendFailure {
    pub(crate) fn new(kind: SendFailureKind, source: Box<dyn StdError + Send + Sync>) -> Self {
        Self {
            kind,
            source,
            plain_http: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendFailureKind {
    /// Connecting failed: nothing was sent.
    Connect,
    /// The TLS handshake was refused by rustls (certificate, name, protocol): nothing was sent.
    Tls,
    /// Connecting timed out: nothing was sent.
    ConnectTimeout,
    /// A caller-supplied client's own timeout fired.
    Timeout,
    /// Failed after connecting; the request may have been sent.
    Io,
    /// A mock had no answer for the request: nothing was sent.
    #[cfg(feature = "test-util")]
    NoMockAnswer,
}

/// Why reading a response body failed.
pub(crate) struct BodyFailure {
    pub(crate) timeout: bool,
    pub(crate) source: Box<dyn StdError + Send + Sync>,
}

pub(crate) struct Response<'t> {
    pub(crate) status: u16,
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) content_length: Option<u64>,
    /// The `Date` header, read only to measure clock skew when a signature is refused.
    pub(crate) date: Option<HeaderValue>,
    body: Body<'t>,
}

enum Body<'t> {
    /// From our pool: the connection goes back to it once the body was read to its end.
    Pooled(hyper::body::Incoming, Option<super::pool::Lease<'t>>),
    Direct(hyper::body::Incoming),
    Reqwest(reqwest::Response),
    /// A mock's answer, taken by the first read.
    #[cfg(feature = "test-util")]
    Mock(Option<Bytes>),
}

impl Transport {
    /// The default transport, through `proxy` if given, else through the environment's
    /// proxy variables when any is set.
    pub(crate) fn default_for(
        connect_timeout: Option<Duration>,
        trust: &Trust,
        proxy: Option<&str>,
    ) -> Result<Self, BuildFailure> {
        let tls = trust.client_config()?;
        let from_env = proxy_configured(|k| std::env::var_os(k));
        Ok(Self::direct(
            connect_timeout,
            tls,
            connect::matcher(proxy, from_env),
        ))
    }

    pub(crate) fn direct(
        connect_timeout: Option<Duration>,
        tls: rustls::ClientConfig,
        proxy: Option<Arc<hyper_util::client::proxy::matcher::Matcher>>,
    ) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        // hyper-rustls sets ALPN (h2, http/1.1) from the protocols enabled here.
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(Tcp::new(http, proxy.clone()));
        let connector = Bounded::new(tls, connect_timeout);
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector.clone());
        Self::Direct {
            client,
            proxy,
            pool: super::pool::Pool::new(connector, IDLE_TIMEOUT),
        }
    }

    pub(crate) async fn send(
        &self,
        uri: &http::Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Response<'_>, SendFailure> {
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        match self {
            Transport::Direct {
                client,
                proxy,
                pool,
            } => {
                if let Some(auth) = proxy
                    .as_deref()
                    .and_then(|m| connect::http_proxy_auth(m, uri))
                {
                    request
                        .headers_mut()
                        .insert(http::header::PROXY_AUTHORIZATION, auth);
                }
                let request = match pool.send(request.map(Full::new)).await? {
                    super::pool::Sent::Response(response, lease) => {
                        let (parts, body) = response.into_parts();
                        let (content_type, content_length, date) = head(&parts.headers);
                        return Ok(Response {
                            status: parts.status.as_u16(),
                            content_type,
                            content_length,
                            date,
                            body: Body::Pooled(body, Some(lease)),
                        });
                    }
                    super::pool::Sent::Elsewhere(request) => request,
                };
                let response = client.request(request).await.map_err(direct_send_failure)?;
                let (parts, body) = response.into_parts();
                let (content_type, content_length, date) = head(&parts.headers);
                Ok(Response {
                    status: parts.status.as_u16(),
                    content_type,
                    content_length,
                    date,
                    body: Body::Direct(body),
                })
            }
            Transport::Reqwest(client) => {
                let request = reqwest::Request::try_from(request.map(reqwest::Body::from))
                    .map_err(|e| {
                        SendFailure::new(SendFailureKind::Connect, Box::new(e.without_url()))
                    })?;
                // Boxed: its future would make every call's larger, on every transport.
                let response = Box::pin(client.execute(request))
                    .await
                    .map_err(reqwest_send_failure)?;
                let (content_type, content_length, date) = head(response.headers());
                Ok(Response {
                    status: response.status().as_u16(),
                    content_type,
                    content_length,
                    date,
                    body: Body::Reqwest(response),
                })
            }
            #[cfg(feature = "test-util")]
            Transport::Mock(mock) => {
                let (status, body) = mock.answer(request.headers(), request.body())?;
                Ok(Response {
                    status,
                    content_type: Some(HeaderValue::from_static("application/json")),
                    content_length: Some(body.len() as u64),
                    date: None,
                    body: Body::Mock(Some(body)),
                })
            }
        }
    }
}

/// The response head's `Content-Type`, declared `Content-Length` and `Date`.
fn head(headers: &HeaderMap) -> (Option<HeaderValue>, Option<u64>, Option<HeaderValue>) {
    let length = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (
        headers.get(CONTENT_TYPE).cloned(),
        length,
        headers.get(http::header::DATE).cloned(),
    )
}

/// The next data frame of a hyper body, `None` at its end; trailers carry nothing we read.
async fn next_data(body: &mut hyper::body::Incoming) -> Result<Option<Bytes>, BodyFailure> {
    loop {
        match body.frame().await {
            None => return Ok(None),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Ok(Some(data));
                }
            }
            Some(Err(e)) => {
                return Err(BodyFailure {
                    timeout: e.is_timeout(),
                    source: Box::new(e),
                })
            }
        }
    }
}

impl Response<'_> {
    /// The next chunk of the body, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BodyFailure> {
        match &mut self.body {
            Body::Pooled(body, lease) => {
                let chunk = next_data(body).await?;
                if chunk.is_none() {
                    // Read to its end: the connection can serve the next request.
                    if let Some(lease) = lease.take() {
                        lease.release();
                    }
                }
                Ok(chunk)
            }
            Body::Direct(body) => next_data(body).await,
            Body::Reqwest(response) => response.chunk().await.map_err(|e| BodyFailure {
                timeout: e.is_timeout(),
                source: Box::new(e.without_url()),
            }),
            #[cfg(feature = "test-util")]
            Body::Mock(body) => Ok(body.take()),
        }
    }
}

/// Whether any proxy variable is set to a non-empty value.
fn proxy_configured(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    PROXY_ENV
        .iter()
        .any(|k| var(k).is_some_and(|v| !v.is_empty()))
}

/// A connector's failure: nothing was sent.
pub(crate) fn connect_failure(e: Box<dyn StdError + Send + Sync>) -> SendFailure {
    if let Some(tls) = tls_failure(&*e) {
        return tls;
    }
    let kind = if caused_by_timeout(&*e) {
        SendFailureKind::ConnectTimeout
    } else {
        SendFailureKind::Connect
    };
    SendFailure::new(kind, e)
}

fn direct_send_failure(e: hyper_util::client::legacy::Error) -> SendFailure {
    if e.is_connect() {
        if let Some(tls) = tls_failure(&e) {
            return tls;
        }
    }
    let kind = if e.is_connect() {
        if caused_by_timeout(&e) {
            SendFailureKind::ConnectTimeout
        } else {
            SendFailureKind::Connect
        }
    } else {
        SendFailureKind::Io
    };
    SendFailure::new(kind, Box::new(e))
}

fn reqwest_send_failure(e: reqwest::Error) -> SendFailure {
    if e.is_connect() {
        if let Some(tls) = tls_failure(&e) {
            return tls;
        }
    }
    let kind = match (e.is_connect(), e.is_timeout()) {
        (true, true) => SendFailureKind::ConnectTimeout,
        (true, false) => SendFailureKind::Connect,
        (false, true) => SendFailureKind::Timeout,
        (false, false) => SendFailureKind::Io,
    };
    SendFailure::new(kind, Box::new(e.without_url()))
}

/// The error rustls refused the handshake with: a `rustls::Error` in the source chain, or
/// inside `io::Error`s of it (tokio-rustls reports handshake failures that way and
/// hyper-rustls wraps that in another; `io::Error`'s own `source` skips what it wraps).
fn rustls_cause<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            cur = Some(inner as &(dyn StdError + 'static));
            continue;
        }
        cur = err.source();
    }
    None
}

/// A handshake rustls refused, with the `rustls::Error` as its `source`, so callers find it
/// one step down the chain instead of inside nested `io::Error`s.
#[derive(Debug)]
struct TlsRefused(rustls::Error);

impl std::fmt::Display for TlsRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rustls refused the server: {}", self.0)
    }
}

impl StdError for TlsRefused {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

/// A send failure of kind `Tls` when rustls refused the handshake.
fn tls_failure(e: &(dyn StdError + 'static)) -> Option<SendFailure> {
    rustls_cause(e).map(|r| SendFailure {
        kind: SendFailureKind::Tls,
        source: Box::new(TlsRefused(r.clone())),
        // What rustls makes of `HTTP/1.1 400 ...` where a TLS record belongs.
        plain_http: matches!(
            r,
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
        ),
    })
}

/// Whether an I/O timeout is somewhere in the error's source chain.
fn caused_by_timeout(e: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_proxy_variable_counts_as_configured() {
        let none = |_: &str| None;
        assert!(!proxy_configured(none));
        let empty = |_: &str| Some("".into());
        assert!(!proxy_configured(empty));
        for name in PROXY_ENV {
            let one = |k: &str| (k == name).then(|| "http://proxy:3128".into());
            assert!(proxy_configured(one), "{name}");
        }
    }

    #[test]
    fn the_direct_transport_builds_with_and_without_a_connect_timeout() {
        let tls = || Trust::default().client_config().unwrap();
        assert!(matches!(
            Transport::direct(None, tls(), None),
            Transport::Direct { .. }
        ));
        assert!(matches!(
            Transport::direct(Some(Duration::from_millis(1)), tls(), None),
            Transport::Direct { .. }
        ));
    }

    #[test]
    fn bad_root_pem_is_a_typed_failure_naming_the_certificate() {
        for (pem, why) in [
            (&b""[..], "no PEM"),
            (b"not a certificate at all", "no PEM"),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n",
                "not valid PEM",
            ),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "not a usable certificate",
            ),
        ] {
            let trust = Trust {
                extra_pem: vec![pem.to_vec()],
                platform: false,
            };
            match trust.client_config() {
                Err(BuildFailure::RootCertificate(m)) => {
                    assert!(m.starts_with("root certificate #1: "), "{m}");
                    assert!(m.contains(why), "{m} (wanted {why})");
                }
                other => panic!("{:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn a_rustls_error_is_found_inside_nested_io_errors() {
        let unknown = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, unknown.clone());
        assert_eq!(rustls_cause(&io), Some(&unknown));
        let nested = std::io::Error::other(io);
        assert_eq!(rustls_cause(&nested), Some(&unknown));
        let failure = tls_failure(&nested).expect("a TLS failure");
        assert_eq!(failure.kind, SendFailureKind::Tls);
        let source = failure.source.source().expect("the rustls error");
        assert_eq!(source.downcast_ref::<rustls::Error>(), Some(&unknown));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(rustls_cause(&refused), None);
        assert!(tls_failure(&std::io::Error::other(refused)).is_none());
    }

    #[test]
    fn a_timeout_anywhere_in_the_source_chain_is_found() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("outer")
            }
        }
        impl StdError for Outer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let timed_out = Outer(std::io::Error::new(std::io::ErrorKind::TimedOut, "t"));
        assert!(caused_by_timeout(&timed_out));
        let refused = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "r",
        ));
        assert!(!caused_by_timeout(&refused));
    }
}
