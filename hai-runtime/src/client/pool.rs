//! The default transport's HTTP/1.1 connections: a small pool of our own over
//! `hyper::client::conn::http1`, in front of hyper-util's pooled client.
//!
//! Why: profiled per call (shared/bench, 32 in flight), hyper-util's legacy pool cost more
//! than our whole signing step: its key is SipHash-ed and looked up under a mutex twice per
//! request, every checkout races a connect future against a waiter (`select` of large
//! futures that are moved on each poll), and the response future is boxed again. An SDK
//! client talks to one or a few hosts, so a list per host searched by comparison and a
//! stack of idle senders is enough.
//!
//! What it keeps from hyper-util's client: connections come from the same connector
//! (TCP, proxy tunnel and TLS under the connect timeout, `connect.rs`), plain-HTTP requests
//! through a proxy go in absolute form and all others in origin form, an idle connection
//! is reused last-in first-out and dropped after the idle timeout or once closed, and a
//! request that a reused connection hands back unsent (it closed first) is sent on a fresh
//! connection. A connection that negotiated HTTP/2 (ALPN) is not ours: the host is marked
//! and its requests go to hyper-util's client, which multiplexes them.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::client::legacy::connect::Connection;
use hyper_util::rt::TokioExecutor;
use tokio::time::Instant;
use tower_service::Service;

use super::connect::{Bounded, Tcp};
use super::transport::{connect_failure, SendFailure, SendFailureKind};

pub(crate) type Connector = Bounded<hyper_rustls::HttpsConnector<Tcp>>;

/// Idle connections kept per host; more are closed when they come back.
const MAX_IDLE_PER_HOST: usize = 64;

pub(crate) struct Pool {
    connector: Connector,
    idle_timeout: Duration,
    /// One entry per host ever used; never shrinks, so an index names a host for good.
    hosts: Mutex<Vec<Host>>,
}

struct Host {
    https: bool,
    authority: Authority,
    /// It negotiated HTTP/2: its requests go to hyper-util's client.
    h2: bool,
    idle: Vec<Idle>,
}

struct Idle {
    conn: Conn,
    since: Instant,
}

/// One HTTP/1.1 connection.
pub(crate) struct Conn {
    tx: SendRequest<Full<Bytes>>,
    /// Requests go to a proxy in absolute form.
    proxied: bool,
}

/// A connection lent to one request, given back once its response body was read to the end.
pub(crate) struct Lease<'p> {
    pool: &'p Pool,
    host: usize,
    conn: Conn,
}

impl Lease<'_> {
    /// The response was read to its end: the connection can serve the next request.
    pub(crate) fn release(self) {
        self.pool.put(self.host, self.conn);
    }
}

/// What became of a request.
pub(crate) enum Sent<'p> {
    Response(http::Response<Incoming>, Lease<'p>),
    /// The host speaks HTTP/2 (or the URI names none): send it through hyper-util's client.
    Elsewhere(Request<Full<Bytes>>),
}

enum Got {
    Conn(Conn),
    H2,
}

impl Pool {
    pub(crate) fn new(connector: Connector, idle_timeout: Duration) -> Self {
        Self {
            connector,
            idle_timeout,
            hosts: Mutex::new(Vec::new()),
        }
    }

    pub(crate) async fn send(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> Result<Sent<'_>, SendFailure> {
        let uri = request.uri().clone();
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Ok(Sent::Elsewhere(request));
        };
        let https = *scheme == Scheme::HTTPS;
        let Some((host, idle)) = self.take(https, authority) else {
            return Ok(Sent::Elsewhere(request));
        };
        let mut next = idle;
        loop {
            let (mut conn, reused) = match next.take() {
                Some(conn) => (conn, true),
                // Boxed: connecting is rare, and its future would make every call's larger.
                None => match Box::pin(self.connect(host, &uri)).await? {
                    Got::Conn(conn) => (conn, false),
                    Got::H2 => {
                        *request.uri_mut() = uri;
                        return Ok(Sent::Elsewhere(request));
                    }
                },
            };
            // A closed idle connection: nothing was sent on it.
            if conn.tx.ready().await.is_err() {
                if reused {
                    next = self.take(https, authority).and_then(|(_, c)| c);
                    continue;
                }
                return Err(SendFailure::new(
                    SendFailureKind::Connect,
                    "the new connection closed before the request was sent".into(),
                ));
            }
            *request.uri_mut() = if conn.proxied {
                uri.clone()
            } else {
                origin_form(&uri)
            };
            match conn.tx.try_send_request(request).await {
                Ok(response) => {
                    return Ok(Sent::Response(
                        response,
                        Lease {
                            pool: self,
                            host,
                            conn,
                        },
                    ))
                }
                Err(mut e) => match e.take_message() {
                    // Handed back unsent by a connection that closed meanwhile: a fresh one.
                    Some(unsent) if reused => {
                        request = unsent;
                        next = self.take(https, authority).and_then(|(_, c)| c);
                    }
                    _ => {
                        return Err(SendFailure::new(
                            SendFailureKind::Io,
                            Box::new(e.into_error()),
                        ))
                    }
                },
            }
        }
    }

    /// The host's index and an idle connection if one is open; `None` for an HTTP/2 host.
    fn take(&self, https: bool, authority: &Authority) -> Option<(usize, Option<Conn>)> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let at = match hosts
            .iter()
            // Exact bytes, not `Authority`'s case-insensitive comparison: the same endpoint
            // always spells its host the same, and another spelling only gets its own list.
            .position(|h| h.https == https && h.authority.as_str() == authority.as_str())
        {
            Some(at) => at,
            None => {
                hosts.push(Host {
                    https,
                    authority: authority.clone(),
                    h2: false,
                    idle: Vec::new(),
                });
                hosts.len() - 1
            }
        };
        let host = &mut hosts[at];
        if host.h2 {
            return None;
        }
        if host.idle.is_empty() {
            return Some((at, None));
        }
        let now = Instant::now();
        // Connections come back in time order, so the expired ones are a prefix.
        let expired = host
            .idle
            .partition_point(|i| now.saturating_duration_since(i.since) >= self.idle_timeout);
        host.idle.drain(..expired);
        while let Some(idle) = host.idle.pop() {
            if !idle.conn.tx.is_closed() {
                return Some((at, Some(idle.conn)));
            }
        }
        Some((at, None))
    }

    fn put(&self, host: usize, conn: Conn) {
        if conn.tx.is_closed() {
            return;
        }
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(host) = hosts.get_mut(host) {
            if host.idle.len() < MAX_IDLE_PER_HOST {
                host.idle.push(Idle {
                    conn,
                    since: Instant::now(),
                });
            }
        }
    }

    /// A new connection to the host of `uri` through the connector (connect timeout, proxy,
    /// TLS); nothing is sent before it is up.
    async fn connect(&self, host: usize, uri: &Uri) -> Result<Got, SendFailure> {
        let mut connector = self.connector.clone();
        std::future::poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(connect_failure)?;
        let io = connector.call(uri.clone()).await.map_err(connect_failure)?;
        let connected = io.connected();
        if connected.is_negotiated_h2() {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(host) = hosts.get_mut(host) {
                host.h2 = true;
                host.idle.clear();
            }
            return Ok(Got::H2);
        }
        let (tx, connection) = hyper::client::conn::http1::Builder::new()
            .handshake(io)
            .await
            .map_err(|e| SendFailure::new(SendFailureKind::Connect, Box::new(e)))?;
        hyper::rt::Executor::execute(&TokioExecutor::new(), async move {
            let _ = connection.await;
        });
        Ok(Got::Conn(Conn {
            tx,
            proxied: connected.is_proxied(),
        }))
    }
}

/// `uri` with only its path and query, as requests to the origin server are written.
fn origin_form(uri: &Uri) -> Uri {
    let mut parts = http::uri::Parts::default();
    parts.path_and_query = Some(match uri.path_and_query() {
        Some(p) if !p.as_str().is_empty() => p.clone(),
        _ => PathAndQuery::from_static("/"),
    });
    Uri::from_parts(parts).unwrap_or_else(|_| Uri::from_static("/"))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use bytes::Bytes;
    use reqwest::header::HeaderMap;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::super::transport::{Transport, Trust};

    /// A loopback HTTP/1.1 server answering every request with `{}`; counts connections.
    /// With `close`, it answers `Connection: close` and closes after each answer.
    async fn serve(close: bool) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        // Requests here carry a 2-byte body after their head.
                        let end = loop {
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4 + 2;
                            }
                            match sock.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        };
                        while buf.len() < end {
                            match sock.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buf.drain(..end);
                        let connection = if close { "close" } else { "keep-alive" };
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: {connection}\r\n\r\n{{}}"
                        );
                        if sock.write_all(answer.as_bytes()).await.is_err() || close {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{addr}/"), accepted)
    }

    fn transport() -> Transport {
        let tls = Trust::default().client_config().unwrap();
        Transport::direct(None, tls, None)
    }

    async fn call(t: &Transport, uri: &http::Uri, read: bool) {
        let mut response = t
            .send(uri, HeaderMap::new(), Bytes::from_static(b"{}"))
            .await
            .unwrap_or_else(|e| panic!("send failed: {:?} {}", e.kind, e.source));
        assert_eq!(response.status, 200);
        if read {
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.ok().flatten() {
                body.extend_from_slice(&chunk);
            }
            assert_eq!(body, b"{}");
        }
    }

    #[tokio::test]
    async fn sequential_requests_share_one_connection() {
        let (url, accepted) = serve(false).await;
        let uri: http::Uri = url.parse().unwrap();
        let t = transport();
        for _ in 0..5 {
            call(&t, &uri, true).await;
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn requests_in_flight_at_once_use_a_connection_each_and_keep_them() {
        let (url, accepted) = serve(false).await;
        let uri: http::Uri = url.parse().unwrap();
        let t = transport();
        for _ in 0..3 {
            tokio::join!(call(&t, &uri, true), call(&t, &uri, true));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_connection_the_server_closes_is_replaced() {
        let (url, accepted) = serve(true).await;
        let uri: http::Uri = url.parse().unwrap();
        let t = transport();
        for _ in 0..3 {
            call(&t, &uri, true).await;
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_connection_whose_answer_was_not_read_to_its_end_is_not_reused() {
        let (url, accepted) = serve(false).await;
        let uri: http::Uri = url.parse().unwrap();
        let t = transport();
        call(&t, &uri, false).await;
        call(&t, &uri, true).await;
        call(&t, &uri, true).await;
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    /// A TLS server that negotiates h2: the host's requests go to hyper-util's client,
    /// which speaks HTTP/2 on the next connection (its preface is what the server sees).
    #[tokio::test]
    async fn a_host_that_negotiates_http2_is_served_by_the_http2_client() {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (saw_preface, preface) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut saw_preface = Some(saw_preface);
            while let Ok((sock, _)) = listener.accept().await {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    continue;
                };
                let mut head = [0u8; 24];
                if tls.read_exact(&mut head).await.is_ok()
                    && &head == b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
                {
                    if let Some(tx) = saw_preface.take() {
                        let _ = tx.send(());
                    }
                    // Keep the connection open until the test ends.
                    let mut sink = [0u8; 1024];
                    while matches!(tls.read(&mut sink).await, Ok(n) if n > 0) {}
                }
            }
        });
        let tls = Trust {
            extra_pem: vec![cert.pem().into_bytes()],
            platform: false,
        }
        .client_config()
        .unwrap();
        let t = Transport::direct(None, tls, None);
        let uri: http::Uri = format!("https://localhost:{port}/").parse().unwrap();
        let sending = t.send(&uri, HeaderMap::new(), Bytes::from_static(b"{}"));
        tokio::select! {
            _ = sending => panic!("the server never answers"),
            seen = preface => seen.expect("the server saw an HTTP/2 preface"),
        }
    }
}
