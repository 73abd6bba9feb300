//! The HTTP layer under the execute path: the SDK's own hyper connection pool by default, or a
//! caller-supplied `reqwest::Client`.
//!
//! The default sends through hyper-util's pooled client (the engine reqwest itself runs on)
//! without reqwest's per-request layers: we never follow redirects, retry inside the HTTP
//! client or need a `Url` per response, and those layers re-parse the URL twice on every
//! call. When the environment configures a proxy, the default is reqwest, which honours it.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};

type Direct =
    hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Variables that make the default transport reqwest (which applies them).
const PROXY_ENV: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

// One per client, inside its `Arc`: boxing the large variant would only add an indirection.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Transport {
    Direct(Direct),
    Reqwest(reqwest::Client),
}

/// Why the HTTP client could not be created.
#[derive(Debug)]
pub(crate) enum BuildFailure {
    Tls(rustls::Error),
    Reqwest(reqwest::Error),
}

/// Why a request got no response head.
pub(crate) struct SendFailure {
    pub(crate) kind: SendFailureKind,
    pub(crate) source: Box<dyn StdError + Send + Sync>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendFailureKind {
    /// Connecting failed: nothing was sent.
    Connect,
    /// Connecting timed out: nothing was sent.
    ConnectTimeout,
    /// A caller-supplied client's own timeout fired.
    Timeout,
    /// Failed after connecting; the request may have been sent.
    Io,
}

/// Why reading a response body failed.
pub(crate) struct BodyFailure {
    pub(crate) timeout: bool,
    pub(crate) source: Box<dyn StdError + Send + Sync>,
}

pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) content_length: Option<u64>,
    body: Body,
}

enum Body {
    Direct(hyper::body::Incoming),
    Reqwest(reqwest::Response),
}

impl Transport {
    /// The default transport: direct, unless a proxy is configured in the environment.
    pub(crate) fn default_for(connect_timeout: Option<Duration>) -> Result<Self, BuildFailure> {
        if proxy_configured(|k| std::env::var_os(k)) {
            let mut b = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(Duration::from_secs(60));
            if let Some(t) = connect_timeout {
                b = b.connect_timeout(t);
            }
            return b.build().map(Self::Reqwest).map_err(BuildFailure::Reqwest);
        }
        Self::direct(connect_timeout)
    }

    fn direct(connect_timeout: Option<Duration>) -> Result<Self, BuildFailure> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(connect_timeout);
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(Arc::new(rustls::crypto::ring::default_provider()))
            .map_err(BuildFailure::Tls)?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(tls);
        Ok(Self::Direct(client))
    }

    pub(crate) async fn send(
        &self,
        uri: &http::Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Response, SendFailure> {
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers;
        match self {
            Transport::Direct(client) => {
                let response = client
                    .request(request.map(Full::new))
                    .await
                    .map_err(direct_send_failure)?;
                let (parts, body) = response.into_parts();
                let (content_type, content_length) = head(&parts.headers);
                Ok(Response {
                    status: parts.status.as_u16(),
                    content_type,
                    content_length,
                    body: Body::Direct(body),
                })
            }
            Transport::Reqwest(client) => {
                let request = reqwest::Request::try_from(request.map(reqwest::Body::from))
                    .map_err(|e| SendFailure {
                        kind: SendFailureKind::Connect,
                        source: Box::new(e.without_url()),
                    })?;
                let response = client
                    .execute(request)
                    .await
                    .map_err(reqwest_send_failure)?;
                let (content_type, content_length) = head(response.headers());
                Ok(Response {
                    status: response.status().as_u16(),
                    content_type,
                    content_length,
                    body: Body::Reqwest(response),
                })
            }
        }
    }
}

/// The response head's `Content-Type` and declared `Content-Length`.
fn head(headers: &HeaderMap) -> (Option<HeaderValue>, Option<u64>) {
    let length = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (headers.get(CONTENT_TYPE).cloned(), length)
}

impl Response {
    /// The next chunk of the body, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BodyFailure> {
        match &mut self.body {
            Body::Direct(body) => loop {
                match body.frame().await {
                    None => return Ok(None),
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            return Ok(Some(data));
                        }
                        // Trailers carry nothing we read.
                    }
                    Some(Err(e)) => {
                        return Err(BodyFailure {
                            timeout: e.is_timeout(),
                            source: Box::new(e),
                        })
                    }
                }
            },
            Body::Reqwest(response) => response.chunk().await.map_err(|e| BodyFailure {
                timeout: e.is_timeout(),
                source: Box::new(e.without_url()),
            }),
        }
    }
}

/// Whether any proxy variable is set to a non-empty value.
fn proxy_configured(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    PROXY_ENV
        .iter()
        .any(|k| var(k).is_some_and(|v| !v.is_empty()))
}

fn direct_send_failure(e: hyper_util::client::legacy::Error) -> SendFailure {
    let kind = if e.is_connect() {
        if caused_by_timeout(&e) {
            SendFailureKind::ConnectTimeout
        } else {
            SendFailureKind::Connect
        }
    } else {
        SendFailureKind::Io
    };
    SendFailure {
        kind,
        source: Box::new(e),
    }
}

fn reqwest_send_failure(e: reqwest::Error) -> SendFailure {
    let kind = match (e.is_connect(), e.is_timeout()) {
        (true, true) => SendFailureKind::ConnectTimeout,
        (true, false) => SendFailureKind::Connect,
        (false, true) => SendFailureKind::Timeout,
        (false, false) => SendFailureKind::Io,
    };
    SendFailure {
        kind,
        source: Box::new(e.without_url()),
    }
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
    fn a_proxy_in_the_environment_selects_reqwest() {
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
        assert!(matches!(Transport::direct(None), Ok(Transport::Direct(_))));
        assert!(matches!(
            Transport::direct(Some(Duration::from_millis(1))),
            Ok(Transport::Direct(_))
        ));
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
