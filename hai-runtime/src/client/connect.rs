//! The connector under the default transport: TCP, directly or through an HTTP proxy, then
//! TLS, all of it within the connect timeout.
//!
//! The proxy tunnel is our own (a `CONNECT` and its answer) rather than reqwest's or
//! hyper-util's, because both reduce a refusal to "unsuccessful tunnel": a user behind a
//! corporate proxy needs the proxy's status line (`407 Proxy Authentication Required`,
//! `403 Forbidden`) to know what to fix. Which destinations go through which proxy, and
//! `NO_PROXY`, follow hyper-util's matcher (curl's rules).

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::shown::{Shown, VALUE_SHOWN};

type BoxError = Box<dyn StdError + Send + Sync>;
type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// Longest proxy answer to a `CONNECT` that is read (real ones are a few hundred bytes).
const MAX_PROXY_HEAD: usize = 8 * 1024;

/// Where proxies come from: the builder's, else the environment's.
pub(crate) fn matcher(explicit: Option<&str>, from_env: bool) -> Option<Arc<Matcher>> {
    match explicit {
        Some(url) => Some(Arc::new(Matcher::builder().all(url.to_owned()).build())),
        None if from_env => Some(Arc::new(Matcher::from_env())),
        None => None,
    }
}

/// TCP to the destination, or to its proxy (tunnelled with `CONNECT` for `https`).
#[derive(Clone)]
pub(crate) struct Tcp {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

impl Tcp {
    pub(crate) fn new(http: HttpConnector, proxy: Option<Arc<Matcher>>) -> Self {
        Self { http, proxy }
    }
}

/// A TCP connection; `proxied` when requests on it go to a proxy in absolute form.
pub(crate) struct Conn {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Service<Uri> for Tcp {
    type Response = Conn;
    type Error = BoxError;
    type Future = Connecting<Conn>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut http = self.http.clone();
        let intercept = self.proxy.as_ref().and_then(|m| m.intercept(&dst));
        Box::pin(async move {
            let Some(proxy) = intercept else {
                let io = http.call(dst).await?;
                return Ok(Conn { io, proxied: false });
            };
            let shown = ProxyName::of(proxy.uri());
            if proxy.uri().scheme_str() != Some("http") {
                return Err(ProxyError::Unsupported { proxy: shown }.into());
            }
            let mut io = http
                .call(proxy.uri().clone())
                .await
                .map_err(|e| ProxyError::Connect {
                    proxy: shown.clone(),
                    reason: chain(&e),
                })?;
            if dst.scheme_str() == Some("https") {
                tunnel(io.inner_mut(), &dst, proxy.basic_auth(), &shown).await?;
                Ok(Conn { io, proxied: false })
            } else {
                Ok(Conn { io, proxied: true })
            }
        })
    }
}

/// An error and its sources on one line (`tcp connect error: Connection refused`).
fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cur = inner.source();
    }
    text
}

/// The `Proxy-Authorization` value for a plain-HTTP request to `uri`, when a proxy with
/// credentials carries it (a tunnel sends it in its `CONNECT` instead).
pub(crate) fn http_proxy_auth(matcher: &Matcher, uri: &Uri) -> Option<HeaderValue> {
    if uri.scheme_str() != Some("http") {
        return None;
    }
    matcher.intercept(uri)?.basic_auth().cloned()
}

/// Asks the proxy for a tunnel to `dst` and reads its answer, up to its blank line.
async fn tunnel(
    io: &mut TcpStream,
    dst: &Uri,
    auth: Option<&HeaderValue>,
    proxy: &ProxyName,
) -> Result<(), ProxyError> {
    let host = dst.host().unwrap_or_default();
    let port = dst.port_u16().unwrap_or(443);
    let target = format!("{host}:{port}");
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n").into_bytes();
    if let Some(auth) = auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let io_error = |e: std::io::Error| ProxyError::Connect {
        proxy: proxy.clone(),
        reason: e.to_string(),
    };
    io.write_all(&head).await.map_err(io_error)?;

    let mut answer = Vec::with_capacity(256);
    let mut buf = [0u8; 1024];
    let end = loop {
        let n = io.read(&mut buf).await.map_err(io_error)?;
        if n == 0 {
            return Err(ProxyError::Refused {
                proxy: proxy.clone(),
                target,
                status: "closed the connection without an answer".to_owned(),
            });
        }
        answer.extend_from_slice(&buf[..n]);
        if let Some(at) = memchr::memmem::find(&answer, b"\r\n\r\n") {
            break at + 4;
        }
        if answer.len() > MAX_PROXY_HEAD {
            return Err(ProxyError::Refused {
                proxy: proxy.clone(),
                target,
                status: format!("an answer head over {MAX_PROXY_HEAD} bytes"),
            });
        }
    };
    let line_end = memchr::memmem::find(&answer, b"\r\n").unwrap_or(end);
    let line = String::from_utf8_lossy(&answer[..line_end]);
    // `HTTP/1.x 2xx ...`: any 2xx opens the tunnel.
    let mut words = line.split(' ');
    let ok = words
        .next()
        .is_some_and(|v| v.len() == 8 && v.starts_with("HTTP/1."))
        && words
            .next()
            .filter(|code| code.len() == 3)
            .and_then(|code| code.parse::<u16>().ok())
            .is_some_and(|code| (200..300).contains(&code));
    if !ok {
        return Err(ProxyError::Refused {
            proxy: proxy.clone(),
            target,
            status: Shown::new(&line, VALUE_SHOWN).to_string(),
        });
    }
    if end != answer.len() {
        // Bytes after the answer would be taken for the server's TLS handshake.
        return Err(ProxyError::Refused {
            proxy: proxy.clone(),
            target,
            status: "sent data after its answer to CONNECT".to_owned(),
        });
    }
    Ok(())
}

/// A proxy's URL as shown in errors: scheme, host and port, never its credentials.
#[derive(Debug, Clone)]
struct ProxyName(String);

impl ProxyName {
    fn of(uri: &Uri) -> Self {
        let scheme = uri.scheme_str().unwrap_or("http");
        let host = uri.host().unwrap_or_default();
        let text = match uri.port_u16() {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        Self(Shown::new(&text, VALUE_SHOWN).to_string())
    }
}

/// Why the proxy gave no connection. Its own text is the whole story (no `source`), so
/// error displays that show the root cause show this.
#[derive(Debug)]
enum ProxyError {
    /// TCP to the proxy failed.
    Connect { proxy: ProxyName, reason: String },
    /// The proxy answered `CONNECT` with something other than 2xx.
    Refused {
        proxy: ProxyName,
        target: String,
        status: String,
    },
    /// Only `http://` proxies are supported.
    Unsupported { proxy: ProxyName },
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect { proxy, reason } => {
                write!(f, "cannot reach proxy {}: {reason}", proxy.0)
            }
            Self::Refused {
                proxy,
                target,
                status,
            } => write!(f, "proxy {} refused CONNECT to {target}: {status}", proxy.0),
            Self::Unsupported { proxy } => write!(
                f,
                "proxy {}: only http:// proxies are supported (check HTTPS_PROXY, HTTP_PROXY, ALL_PROXY)",
                proxy.0
            ),
        }
    }
}

impl StdError for ProxyError {}

/// Bounds connecting, proxy and TLS handshake included, by the connect timeout: a server
/// that accepts TCP and then stalls the handshake must not hold a call for the attempt's
/// whole timeout, and nothing was sent when it expires.
#[derive(Clone)]
pub(crate) struct Bounded<C> {
    inner: C,
    timeout: Option<Duration>,
}

impl<C> Bounded<C> {
    pub(crate) fn new(inner: C, timeout: Option<Duration>) -> Self {
        Self { inner, timeout }
    }
}

impl<C> Service<Uri> for Bounded<C>
where
    C: Service<Uri> + Send,
    C::Future: Send + 'static,
    C::Response: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Connecting<C::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.inner.call(dst);
        let timeout = self.timeout;
        Box::pin(async move {
            match timeout {
                None => connecting.await.map_err(Into::into),
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(result) => result.map_err(Into::into),
                    Err(_) => Err(Box::new(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("connecting (TCP, proxy and TLS handshake) took over {limit:?}"),
                    )) as BoxError),
                },
            }
        })
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        let connected = self.io.connected();
        if self.proxied {
            connected.proxy(true)
        } else {
            connected
        }
    }
}
