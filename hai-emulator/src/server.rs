//! The HTTP/1.1 server (plain or over TLS): accept loop, per-connection control, response
//! bodies, shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::config::{Credential, EmulatorConfig, Timings};
use crate::error::{error_envelope, new_request_id, ApiError};
use crate::faults::{Fault, FaultControl};
use crate::service::{RawRequest, Reply, Shared, MAX_BODY};
use crate::state::{Instance, InstanceState};

/// The HAI spec the emulator serves unless told otherwise.
pub(crate) const EMBEDDED_SPEC: &str = include_str!("../../hai-spec/spec/hai-2023-08-12.json");

/// How long `shutdown` lets open connections finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How long a client may take over its TLS handshake before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

type ResBody = BoxBody<Bytes, io::Error>;

/// Why an emulator could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// Binding the listening socket failed.
    Bind(io::Error),
    /// The configured spec is invalid.
    Spec(hai_spec::SpecError),
    /// No credential was configured, so no request could ever be accepted.
    NoCredentials,
    /// The TLS certificate or configuration could not be made (the reason names the step).
    Tls(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot bind the emulator's socket: {e}"),
            StartError::Spec(e) => write!(f, "invalid spec: {e}"),
            StartError::NoCredentials => f.write_str("no credentials configured"),
            StartError::Tls(why) => write!(f, "cannot set up TLS: {why}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind(e) => Some(e),
            StartError::Spec(e) => Some(e),
            StartError::NoCredentials | StartError::Tls(_) => None,
        }
    }
}

/// Entry point: starts emulators.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Binds, spawns the server on the current Tokio runtime and returns its handle.
    /// The server stops on [`EmulatorHandle::shutdown`] or when the handle is dropped.
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, StartError> {
        if config.credentials.is_empty() {
            return Err(StartError::NoCredentials);
        }
        let spec_text = config.spec_json.as_deref().unwrap_or(EMBEDDED_SPEC);
        let spec = hai_spec::parse(spec_text).map_err(StartError::Spec)?;
        let tls = if config.tls {
            Some(crate::tls::self_signed().map_err(StartError::Tls)?)
        } else {
            None
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let shared = Arc::new(Shared::new(&config, spec));
        let (stop_tx, stop_rx) = watch::channel(false);
        let (acceptor, certificate_pem) = match tls {
            Some(t) => (Some(t.acceptor), Some(t.certificate_pem)),
            None => (None, None),
        };
        let task = tokio::spawn(accept_loop(listener, acceptor, shared.clone(), stop_rx));
        tracing::debug!(%addr, tls = certificate_pem.is_some(), "hai-emulator listening");
        Ok(EmulatorHandle {
            addr,
            certificate_pem,
            shared,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

/// A running emulator: its address, credentials, state and fault controls.
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    certificate_pem: Option<String>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// The bound address (the real port when the configuration asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, or `https://IP:PORT` when serving TLS: ready to use as an
    /// endpoint URL.
    pub fn endpoint(&self) -> String {
        let scheme = if self.certificate_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// With [`EmulatorConfig::tls`]: the PEM of the self-signed certificate the server
    /// presents (valid for `127.0.0.1`, `::1` and `localhost`), for the client to trust.
    /// `None` for a plain HTTP emulator.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// A region the emulator serves, to configure a client with: `ap-guangzhou` when served
    /// (the README's and the tests' region), else the first configured; `None` when the
    /// configuration serves no region.
    pub fn region(&self) -> Option<&str> {
        let regions = &self.shared.regions;
        regions
            .iter()
            .find(|r| *r == "ap-guangzhou")
            .or_else(|| regions.first())
            .map(String::as_str)
    }

    /// The credentials the emulator accepts.
    pub fn credentials(&self) -> &[Credential] {
        &self.shared.credentials
    }

    /// Current state of an instance (after any finished operation has settled).
    pub fn instance_state(&self, id: &str) -> Option<InstanceState> {
        self.instance(id).map(|i| i.instance_state)
    }

    /// Snapshot of an instance.
    pub fn instance(&self, id: &str) -> Option<Instance> {
        self.shared.store().get(id, Instant::now())
    }

    /// Snapshot of every instance, in listing order.
    pub fn instances(&self) -> Vec<Instance> {
        self.shared.store().all(Instant::now())
    }

    /// Adds an instance, or replaces the one with the same id (dropping any running operation).
    pub fn insert_instance(&self, instance: Instance) {
        self.shared.store().upsert(instance);
    }

    /// Forces an instance into `state` (e.g. `ARREARS`, which only billing reaches).
    /// Returns false when the id is unknown.
    pub fn set_instance_state(&self, id: &str, state: InstanceState) -> bool {
        let mut store = self.shared.store();
        match store.get(id, Instant::now()) {
            Some(mut inst) => {
                inst.instance_state = state;
                store.upsert(inst);
                true
            }
            None => false,
        }
    }

    /// Current operation timings.
    pub fn timings(&self) -> Timings {
        self.shared.timings()
    }

    /// Changes operation timings for operations accepted from now on.
    pub fn set_timings(&self, timings: Timings) {
        self.shared.set_timings(timings);
    }

    /// The state RunInstances' new instances reach once `PENDING` is over: `RUNNING` (the
    /// default) or, to exercise failure paths, `LAUNCH_FAILED`.
    pub fn set_launch_result(&self, state: InstanceState) {
        self.shared.set_launch_result(state);
    }

    /// Switches the server-side rate limit on or off.
    pub fn set_rate_limit(&self, enabled: bool) {
        self.shared.rate_limit.store(enabled, Ordering::Relaxed);
    }

    /// Fault injection controls (cheap to clone and keep).
    pub fn faults(&self) -> &FaultControl {
        &self.shared.faults
    }

    /// Stops accepting, lets open requests finish (up to 2 s), then closes every connection.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    conns.spawn(accept_connection(stream, tls.clone(), shared.clone(), stop.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
}

/// Per-connection switches the request handler can flip.
#[derive(Debug, Default)]
struct ConnControl {
    reset: AtomicBool,
}

/// The TCP stream, resettable: when `reset` is set, dropping it sends RST instead of FIN.
struct ConnIo {
    stream: TcpStream,
    ctl: Arc<ConnControl>,
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.ctl.reset.load(Ordering::SeqCst) {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.ctl.reset.load(Ordering::SeqCst) {
            return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.ctl.reset.load(Ordering::SeqCst) {
            // No FIN: the drop that follows sends the RST.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Error returned to hyper to abort a connection (it then drops the socket).
#[derive(Debug)]
struct AbortConnection;

impl std::fmt::Display for AbortConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection aborted by fault injection")
    }
}

impl std::error::Error for AbortConnection {}

/// Runs the TLS handshake when serving HTTPS, then serves the connection.
async fn accept_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    let ctl = Arc::new(ConnControl::default());
    let io = ConnIo {
        stream,
        ctl: ctl.clone(),
    };
    match tls {
        None => serve_connection(io, ctl, shared, stop).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await {
                Ok(Ok(tls_stream)) => serve_connection(tls_stream, ctl, shared, stop).await,
                // A client that refuses the certificate ends the handshake: nothing to serve.
                Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
}

async fn serve_connection<I>(
    io: I,
    ctl: Arc<ConnControl>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let service = service_fn(move |req| {
        let shared = shared.clone();
        let ctl = ctl.clone();
        async move { handle(&shared, &ctl, req).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        () = async { let _ = stop.wait_for(|s| *s).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<ResBody> {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    with_type(
        status,
        "application/json",
        Full::new(Bytes::from(bytes))
            .map_err(|e: Infallible| match e {})
            .boxed(),
    )
}

fn with_type(status: StatusCode, content_type: &'static str, body: ResBody) -> Response<ResBody> {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

async fn handle(
    shared: &Shared,
    ctl: &ConnControl,
    req: Request<Incoming>,
) -> Result<Response<ResBody>, AbortConnection> {
    let request_id = new_request_id();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            let err = if e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                ApiError::new(
                    "RequestSizeLimitExceeded",
                    "The request body is larger than 10 MiB.",
                )
            } else {
                ApiError::new("InvalidRequest", "The request body could not be read.")
            };
            return Ok(json_response(
                StatusCode::OK,
                &error_envelope(&err, &request_id),
            ));
        }
    };
    let raw = RawRequest {
        method: parts.method,
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts.headers,
        body,
    };
    let reply = shared.process(&raw, &request_id).await;
    let mut res = match reply {
        Reply::Json(v) => json_response(StatusCode::OK, &v),
        Reply::Fault(f) => fault_response(ctl, f, &request_id)?,
    };
    if shared.clock_offset_secs != 0 {
        // A server whose clock differs says so in its Date header too (hyper would send
        // the real time), which is what a client measures skew from.
        let shift = Duration::from_secs(shared.clock_offset_secs.unsigned_abs());
        let now = if shared.clock_offset_secs > 0 {
            SystemTime::now().checked_add(shift)
        } else {
            SystemTime::now().checked_sub(shift)
        };
        let date = now.and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok());
        if let Some(date) = date {
            res.headers_mut().insert(header::DATE, date);
        }
    }
    Ok(res)
}

fn fault_response(
    ctl: &ConnControl,
    fault: Fault,
    request_id: &str,
) -> Result<Response<ResBody>, AbortConnection> {
    let status = |s: u16| StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_GATEWAY);
    Ok(match fault {
        Fault::HttpErrorJson { status: s } => {
            let err = ApiError::new("InternalError", "Injected HTTP error with a JSON body.");
            json_response(status(s), &error_envelope(&err, request_id))
        }
        Fault::HttpErrorHtml { status: s } => {
            let st = status(s);
            let page = format!(
                "<html>\r\n<head><title>{st}</title></head>\r\n<body>\r\n<center><h1>{st}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            );
            with_type(st, "text/html", full(page.into_bytes()))
        }
        Fault::NonJsonBody => with_type(
            StatusCode::OK,
            "text/plain",
            full(b"upstream said: this is not JSON".to_vec()),
        ),
        Fault::TruncatedBody => {
            let whole = serde_json::to_vec(&serde_json::json!({
                "Response": { "TaskId": 1, "RequestId": request_id }
            }))
            .unwrap_or_default();
            let sent = Bytes::copy_from_slice(&whole[..whole.len() / 2]);
            let mut res = with_type(
                StatusCode::OK,
                "application/json",
                BoxBody::new(Truncated::new(sent)),
            );
            res.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(whole.len()));
            res
        }
        Fault::ConnectionReset => {
            ctl.reset.store(true, Ordering::SeqCst);
            return Err(AbortConnection);
        }
        Fault::HugeBody { bytes } => {
            let mut res = with_type(
                StatusCode::OK,
                "application/json",
                BoxBody::new(Endless::new(request_id, bytes)),
            );
            if let Some(n) = bytes {
                res.headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
            }
            res
        }
        // Handled before reaching here; answer them sensibly anyway.
        Fault::ErrorCode { code, message } => json_response(
            StatusCode::OK,
            &error_envelope(&ApiError::new(code, message), request_id),
        ),
        Fault::Latency(_) => json_response(
            StatusCode::OK,
            &error_envelope(
                &ApiError::new("InternalError", "unexpected fault"),
                request_id,
            ),
        ),
    })
}

fn full(bytes: Vec<u8>) -> ResBody {
    Full::new(Bytes::from(bytes))
        .map_err(|e: Infallible| match e {})
        .boxed()
}

/// Sends one chunk, pauses so hyper flushes it, then fails so hyper closes the connection
/// short of the announced Content-Length.
struct Truncated {
    chunk: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl Truncated {
    fn new(chunk: Bytes) -> Self {
        Truncated {
            chunk: Some(chunk),
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        }
    }
}

impl Body for Truncated {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(c) = self.chunk.take() {
            return Poll::Ready(Some(Ok(Frame::data(c))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                Poll::Ready(Some(Err(io::Error::other("truncated by fault injection"))))
            }
        }
    }
}

/// A JSON-looking body of a given size, or without end.
struct Endless {
    head: Option<Bytes>,
    filler: Bytes,
    remaining: Option<u64>,
}

impl Endless {
    fn new(request_id: &str, total: Option<u64>) -> Self {
        let head = format!("{{\"Response\":{{\"RequestId\":\"{request_id}\",\"Padding\":\"");
        let mut head = Bytes::from(head.into_bytes());
        if let Some(n) = total {
            head.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        }
        Endless {
            remaining: total.map(|n| n - head.len() as u64),
            head: Some(head),
            filler: Bytes::from(vec![b'x'; 64 * 1024]),
        }
    }
}

impl Body for Endless {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(h) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(h))));
        }
        let chunk = match self.remaining {
            Some(0) => return Poll::Ready(None),
            Some(n) => {
                let take = n.min(self.filler.len() as u64);
                self.remaining = Some(n - take);
                self.filler.slice(..take as usize)
            }
            None => self.filler.clone(),
        };
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.remaining == Some(0)
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n + self.head.as_ref().map_or(0, |h| h.len() as u64)),
            None => SizeHint::default(),
        }
    }
}
