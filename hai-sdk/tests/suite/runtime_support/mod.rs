//! Shared by the `runtime_*` tests: a loopback HTTP/1.1 responder whose bytes the test
//! controls exactly, the generated StopInstance plus a hand-written idempotent action, and an
//! independent TC3 signature check.
// Each test crate uses a different part of this module.
#![allow(dead_code, unused_imports)]

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hai_sdk::__private::{unhandled, SEALED};
use hai_sdk::error::Unhandled;
use hai_sdk::{
    Action, ActionError, ActionMeta, ClientBuilder, Credentials, ErrorMetadata,
    ProvideErrorMetadata, RetryPolicy,
};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const SECRET_ID: &str = "AKIDtestSECRETidEXAMPLE0000000000000";
pub const SECRET_KEY: &str = "sEcReTkEy-must-never-appear-9f8e7d6c";
pub const TOKEN: &str = "sEsSiOnToKeN-must-never-appear-1a2b3c4d";
pub const REGION: &str = "ap-guangzhou";

// ---------------------------------------------------------------------------------------------
// The generated StopInstance, and a hand-written idempotent action (the spec has none yet).

pub use hai_sdk::common_error::CommonError;
pub use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest, StopInstanceResponse};
pub use hai_sdk::types::StopMode;
pub use hai_sdk::SERVICE;

/// An action the spec marks idempotent (a read).
#[derive(Clone, Debug, Serialize)]
pub struct DescribeThingsRequest {}

impl Action for DescribeThingsRequest {
    type Output = serde_json::Value;
    type Error = ErrorMetadataError;
    const META: &'static ActionMeta = &ActionMeta {
        service: &SERVICE,
        name: "DescribeThings",
        rate_limit: Some(20),
        idempotent: true,
        read_only: false,
        idempotency_token: None,
    };
}

/// A service whose spec says no region is needed (as for Tencent's few global services).
pub static GLOBAL: hai_sdk::ServiceMeta = hai_sdk::ServiceMeta {
    name: "global",
    version: "2020-01-01",
    host: "global.tencentcloudapi.com",
    regional_host: None,
    signing_service: "global",
    region_required: false,
};

/// An action of [`GLOBAL`].
#[derive(Clone, Debug, Serialize)]
pub struct DescribeGlobalThingsRequest {}

impl Action for DescribeGlobalThingsRequest {
    type Output = serde_json::Value;
    type Error = ErrorMetadataError;
    const META: &'static ActionMeta = &ActionMeta {
        service: &GLOBAL,
        name: "DescribeGlobalThings",
        rate_limit: None,
        idempotent: false,
        read_only: true,
        idempotency_token: None,
    };
}

/// The smallest possible generated error enum: every code unhandled.
#[derive(Debug)]
pub struct ErrorMetadataError(pub Unhandled);

impl From<ErrorMetadata> for ErrorMetadataError {
    fn from(m: ErrorMetadata) -> Self {
        Self(unhandled(SEALED, m))
    }
}
impl ProvideErrorMetadata for ErrorMetadataError {
    fn meta(&self) -> &ErrorMetadata {
        self.0.meta()
    }
}
impl ActionError for ErrorMetadataError {
    const RESEND_IS_HARMLESS: bool = DescribeThingsRequest::META.resend_is_harmless();
}
impl fmt::Display for ErrorMetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}
impl std::error::Error for ErrorMetadataError {}

// ---------------------------------------------------------------------------------------------
// Client set-up.

/// A client for `server` with fast retries (1 ms base and throttle delays), no rate limit,
/// token credentials.
pub fn builder(server: &Server) -> ClientBuilder {
    hai_sdk::Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, Some(TOKEN.into())))
        .endpoint(server.url())
        .endpoint_from_env(false)
        .rate_limit(false)
        .retry_policy(
            RetryPolicy::new()
                .with_base_delay(Duration::from_millis(1))
                .with_throttle_delay(Duration::from_millis(1)),
        )
}

/// A port on which nothing listens.
pub async fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

// ---------------------------------------------------------------------------------------------
// The loopback responder.

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete answer; the connection stays open for the next request.
    Http {
        status: u16,
        content_type: Option<&'static str>,
        body: Vec<u8>,
    },
    /// These exact bytes, then close.
    Raw(Vec<u8>),
    /// Close without answering.
    Close,
    /// Reset the connection (RST) without answering.
    Reset,
    /// Never answer; keep the connection open.
    Hang,
    /// A 200 with a chunked body that never ends (bounded at 256 MiB).
    Endless,
    /// The inner reply after a pause.
    Delayed(Duration, Box<Reply>),
    /// These bytes one at a time, `pause` apart, then close (slow headers or bodies).
    Trickle { bytes: Vec<u8>, pause: Duration },
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply::Http {
            status,
            content_type: Some("application/json"),
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn ok(task_id: u64, request_id: &str) -> Self {
        Self::json(
            200,
            &format!(r#"{{"Response":{{"TaskId":{task_id},"RequestId":"{request_id}"}}}}"#),
        )
    }
    pub fn error(status: u16, code: &str, message: &str, request_id: &str) -> Self {
        Self::json(status, &error_body(code, message, request_id))
    }
}

pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    format!(
        r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"{message}"}},"RequestId":"{request_id}"}}}}"#
    )
}

/// One request as the server read it off the wire.
#[derive(Clone, Debug)]
pub struct Captured {
    pub method: String,
    pub target: String,
    pub version: String,
    /// Header names as sent, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Captured {
    /// Every value of a header (case-insensitive name).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// The single value of a header; panics if absent or repeated.
    pub fn header(&self, name: &str) -> &str {
        let all = self.all(name);
        assert_eq!(all.len(), 1, "header {name} once, got {all:?}");
        all[0]
    }
}

pub struct Server {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    connections: Arc<AtomicUsize>,
}

impl Server {
    /// Answers request `n` with `replies[n]`, repeating the last reply afterwards.
    pub async fn start(replies: Vec<Reply>) -> Server {
        assert!(!replies.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let replies = Arc::new(replies);
        let next = Arc::new(AtomicUsize::new(0));
        let (reqs, conns) = (requests.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                conns.fetch_add(1, Ordering::SeqCst);
                let (reqs, replies, next) = (reqs.clone(), replies.clone(), next.clone());
                tokio::spawn(serve(stream, reqs, replies, next));
            }
        });
        Server {
            addr,
            requests,
            connections,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn host(&self) -> String {
        self.addr.to_string()
    }
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    requests: Arc<Mutex<Vec<Captured>>>,
    replies: Arc<Vec<Reply>>,
    next: Arc<AtomicUsize>,
) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut stream, &mut buf).await {
        requests.lock().unwrap().push(req);
        let n = next.fetch_add(1, Ordering::SeqCst);
        let mut reply = replies[n.min(replies.len() - 1)].clone();
        while let Reply::Delayed(pause, inner) = reply {
            tokio::time::sleep(pause).await;
            reply = *inner;
        }
        match reply {
            Reply::Delayed(..) => unreachable!("unwrapped above"),
            Reply::Trickle { bytes, pause } => {
                for b in bytes {
                    if stream.write_all(&[b]).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(pause).await;
                }
                let _ = stream.shutdown().await;
                return;
            }
            Reply::Http {
                status,
                content_type,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                if let Some(ct) = content_type {
                    head.push_str(&format!("content-type: {ct}\r\n"));
                }
                head.push_str("\r\n");
                let mut out = head.into_bytes();
                out.extend_from_slice(&body);
                if stream.write_all(&out).await.is_err() {
                    return;
                }
            }
            Reply::Raw(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
            Reply::Close => return,
            Reply::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
            Reply::Hang => {
                std::future::pending::<()>().await;
            }
            Reply::Endless => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                // A first chunk with a recognisable start, then blanks.
                let start: &[u8] = br#"{"Response":{"Start":"here""#;
                let mut first = format!("{:x}\r\n", start.len()).into_bytes();
                first.extend_from_slice(start);
                first.extend_from_slice(b"\r\n");
                if stream.write_all(&first).await.is_err() {
                    return;
                }
                let chunk_body = vec![b' '; 64 * 1024];
                let mut chunk = format!("{:x}\r\n", chunk_body.len()).into_bytes();
                chunk.extend_from_slice(&chunk_body);
                chunk.extend_from_slice(b"\r\n");
                for _ in 0..4096 {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                return;
            }
        }
    }
}

pub async fn read_request<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Option<Captured> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let (method, target, version) = (
                first.next()?.to_owned(),
                first.next()?.to_owned(),
                first.next()?.to_owned(),
            );
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let total = end + 4 + len;
            while buf.len() < total {
                read_more(stream, buf).await?;
            }
            let body = buf[end + 4..total].to_vec();
            buf.drain(..total);
            return Some(Captured {
                method,
                target,
                version,
                headers,
                body,
            });
        }
        read_more(stream, buf).await?;
    }
}

async fn read_more<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Option<()> {
    let mut tmp = [0u8; 8192];
    let n = stream.read(&mut tmp).await.ok()?;
    if n == 0 {
        return None;
    }
    buf.extend_from_slice(&tmp[..n]);
    Some(())
}

// ---------------------------------------------------------------------------------------------
// Independent TC3 check (does not use hai_sdk::signer).

fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// UTC date of a Unix timestamp via a day count (independent of the SDK's own routine).
pub fn date_of(ts: u64) -> String {
    // Walk years and months; slow but obviously right.
    let mut days = ts / 86_400;
    let mut year = 1970u64;
    loop {
        let leap = matches!((year % 4, year % 100, year % 400), (0, 1.., _) | (_, _, 0));
        let n = if leap { 366 } else { 365 };
        if days < n {
            let months = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            let mut month = 0;
            while days >= months[month] {
                days -= months[month];
                month += 1;
            }
            return format!("{year:04}-{:02}-{:02}", month + 1, days + 1);
        }
        days -= n;
        year += 1;
    }
}

/// Recomputes the `Authorization` value of a captured request from its method, headers and
/// exact body bytes, and checks it against what was sent. Returns the signature.
pub fn verify_signature(
    req: &Captured,
    secret_id: &str,
    secret_key: &str,
    service: &str,
) -> String {
    let ts: u64 = req.header("X-TC-Timestamp").parse().unwrap();
    let date = date_of(ts);
    let canonical = format!(
        "{}\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        req.method,
        req.header("Content-Type"),
        req.header("Host"),
        hex(&Sha256::digest(&req.body))
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{ts}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac256(&k_date, service.as_bytes());
    let k_signing = hmac256(&k_service, b"tc3_request");
    let signature = hex(&hmac256(&k_signing, to_sign.as_bytes()));
    let expected = format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    );
    assert_eq!(
        req.header("Authorization"),
        expected,
        "signature of {req:?}"
    );
    signature
}

// ---------------------------------------------------------------------------------------------
// A loopback HTTPS server.

/// An HTTPS server on 127.0.0.1 with a fresh self-signed certificate for `names`, answering
/// every request with `Reply::ok(1, "req-tls")`.
pub struct TlsServer {
    pub addr: SocketAddr,
    /// The certificate's PEM, for the client to trust.
    pub pem: String,
    handshakes: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Captured>>>,
}

impl TlsServer {
    pub async fn start(names: &[&str]) -> TlsServer {
        let cert = rcgen::generate_simple_self_signed(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            rustls::pki_types::PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()),
        );
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (shakes, reqs) = (handshakes.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                shakes.fetch_add(1, Ordering::SeqCst);
                let (acceptor, reqs) = (acceptor.clone(), reqs.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = Vec::new();
                    while let Some(req) = read_request(&mut tls, &mut buf).await {
                        reqs.lock().unwrap().push(req);
                        let body = r#"{"Response":{"TaskId":1,"RequestId":"req-tls"}}"#;
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if tls.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        TlsServer {
            addr,
            pem: cert.cert.pem(),
            handshakes,
            requests,
        }
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
    /// TCP connections accepted (each one a handshake attempt).
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}

/// A client for `server` as [`builder`] makes it, over https.
pub fn tls_builder(server: &TlsServer) -> ClientBuilder {
    hai_sdk::Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(server.url())
        .endpoint_from_env(false)
        .rate_limit(false)
        .retry_policy(
            RetryPolicy::new()
                .with_base_delay(Duration::from_millis(1))
                .with_throttle_delay(Duration::from_millis(1)),
        )
}

// ---------------------------------------------------------------------------------------------
// A loopback CONNECT proxy.

/// An HTTP proxy that records the target of every `CONNECT` and tunnels each to `upstream`
/// whatever its host (so that a computed host reaches a loopback server), or refuses it
/// with a 503 while the target's host is marked with [`refuse`](Self::refuse).
pub struct TunnelProxy {
    pub addr: SocketAddr,
    connects: Arc<Mutex<Vec<String>>>,
    refused: Arc<Mutex<Vec<String>>>,
}

impl TunnelProxy {
    pub async fn start(upstream: SocketAddr) -> TunnelProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let refused: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let (log, refuse) = (connects.clone(), refused.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let (log, refuse) = (log.clone(), refuse.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
                        if client.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let target = head
                        .strip_prefix("CONNECT ")
                        .and_then(|rest| rest.split(' ').next())
                        .unwrap_or("")
                        .to_owned();
                    log.lock().unwrap().push(target.clone());
                    let host = target.rsplit_once(':').map_or(&*target, |(h, _)| h);
                    if refuse.lock().unwrap().iter().any(|r| r == host) {
                        let _ = client
                            .write_all(
                                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
                            )
                            .await;
                        return;
                    }
                    let Ok(mut upstream) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    if client
                        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                        .await
                        .is_ok()
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
            }
        });
        TunnelProxy {
            addr,
            connects,
            refused,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Every `CONNECT` target so far (`host:port`), in order.
    pub fn connects(&self) -> Vec<String> {
        self.connects.lock().unwrap().clone()
    }
    /// Refuses (or stops refusing) tunnels to `host`.
    pub fn refuse(&self, host: &str, yes: bool) {
        let mut refused = self.refused.lock().unwrap();
        refused.retain(|h| h != host);
        if yes {
            refused.push(host.to_owned());
        }
    }
}
