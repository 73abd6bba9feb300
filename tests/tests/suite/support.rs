//! Shared set-up for the end-to-end tests: an in-process emulator on 127.0.0.1 with short
//! operation timings, over http or https, and an SDK client pointed at it that trusts the
//! emulator's certificate.
//!
//! Every end-to-end module of the suite uses it; not every module uses every helper.
//! [`e2e_test!`] defines a test once per [`Scheme`].
#![allow(dead_code)]

use std::time::{Duration, Instant};

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, InstanceState, Timings};
use hai_sdk::credentials::Credentials;
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest};
use hai_sdk::{Client, ClientBuilder, Error};

/// A region the emulator serves.
pub const REGION: &str = "ap-guangzhou";

/// The seed's running example instance.
pub const DEMO: &str = "hai-dunyfddn";

/// Defines an end-to-end test twice, as `NAME::http` and `NAME::https`: the body receives
/// the [`Scheme`] and starts its emulator with `scheme.emulator()` or
/// `start(scheme.config()...)`; [`builder`] and [`client`] then trust the emulator's
/// certificate through `ClientBuilder::add_root_certificate`. Both run in parallel, so the
/// suite's wall time grows by the TLS handshakes, not twofold per test.
macro_rules! e2e_test {
    ($(#[$attr:meta])* async fn $name:ident($scheme:ident) $body:block) => {
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($scheme: $crate::support::Scheme) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn http() {
                run($crate::support::Scheme::Http).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn https() {
                run($crate::support::Scheme::Https).await
            }
        }
    };
}

/// How an end-to-end test reaches its emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTPS with the emulator's self-signed certificate, trusted by the client as an added
    /// root.
    Https,
}

impl Scheme {
    /// [`config`] over this scheme.
    pub fn config(self) -> EmulatorConfig {
        config().tls(self == Scheme::Https)
    }

    /// Starts an emulator with [`Scheme::config`].
    pub async fn emulator(self) -> EmulatorHandle {
        start(self.config()).await
    }
}

/// Operation timings short enough to keep the suite fast, long enough that a test can
/// observe the in-progress period right after a call returns.
pub fn fast_timings() -> Timings {
    Timings {
        stop: Duration::from_millis(300),
        start: Duration::from_millis(300),
        terminate: Duration::from_millis(300),
        run: Duration::from_millis(300),
        accept_window: Duration::ZERO,
        service_create: Duration::from_millis(300),
        service_update: Duration::from_millis(300),
        service_delete: Duration::from_millis(300),
        application_create: Duration::from_millis(300),
        prompt: Duration::from_millis(300),
    }
}

/// The default emulator configuration with [`fast_timings`].
pub fn config() -> EmulatorConfig {
    EmulatorConfig::default().timings(fast_timings())
}

/// Starts an emulator with [`config`].
pub async fn emulator() -> EmulatorHandle {
    start(config()).await
}

/// Starts an emulator with `config`.
pub async fn start(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config)
        .await
        .expect("the emulator starts on 127.0.0.1")
}

/// A client builder for `emu`, using its first credential, the client-side rate limiter
/// off, no endpoint from the environment and a 5 s timeout (nothing here should take long);
/// over https it trusts the emulator's certificate.
pub fn builder(emu: &EmulatorHandle) -> ClientBuilder {
    let cred = &emu.credentials()[0];
    builder_with(
        emu,
        Credentials::new(&cred.secret_id, &cred.secret_key, cred.token.clone()),
    )
}

/// Like [`builder`] with other credentials.
pub fn builder_with(emu: &EmulatorHandle, credentials: Credentials) -> ClientBuilder {
    trusting(emu, Client::builder())
        .endpoint(emu.endpoint())
        .endpoint_from_env(false)
        .region(REGION)
        .credentials(credentials)
        .rate_limit(false)
        .timeout(Some(Duration::from_secs(5)))
}

/// `builder`, trusting `emu`'s certificate when it serves https.
pub fn trusting(emu: &EmulatorHandle, builder: ClientBuilder) -> ClientBuilder {
    match emu.certificate_pem() {
        Some(pem) => builder.add_root_certificate(pem),
        None => builder,
    }
}

/// A client for `emu` built by [`builder`].
pub fn client(emu: &EmulatorHandle) -> Client {
    builder(emu).build().expect("the client builds")
}

/// Stops `id`, expecting a service error; checks it carries a RequestId and that its
/// `Display` names the code and the RequestId.
pub async fn stop_service_error(client: &Client, id: &str) -> StopInstanceError {
    let err = client
        .stop_instance(StopInstanceRequest::new(id))
        .await
        .expect_err("the stop must fail");
    service_error(err)
}

/// The service error inside `err` (panics with the error otherwise), checked as
/// [`stop_service_error`] does.
pub fn service_error(err: Error<StopInstanceError>) -> StopInstanceError {
    let e = match err {
        Error::Service(e) => e,
        other => panic!("expected a service error, got {other:?}"),
    };
    assert!(!e.request_id().is_empty(), "no RequestId in {e:?}");
    let shown = e.to_string();
    assert!(shown.contains(e.code()), "{shown:?} does not name the code");
    assert!(
        shown.contains(e.request_id()),
        "{shown:?} does not name the RequestId"
    );
    e
}

/// Waits until the emulator reports `id` in `state`, failing after `within`.
pub async fn wait_for_state(
    emu: &EmulatorHandle,
    id: &str,
    state: InstanceState,
    within: Duration,
) {
    let deadline = Instant::now() + within;
    loop {
        let now = emu.instance_state(id);
        if now == Some(state) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{id} is {now:?}, still not {state:?} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The service error code of a call that must fail with one.
pub fn code<T: std::fmt::Debug, E: hai_sdk::ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, Error<E>>,
) -> String {
    match r {
        Ok(v) => panic!("expected a service error, got {v:?}"),
        Err(e) => e
            .code()
            .unwrap_or_else(|| panic!("not a service error: {e:?}"))
            .to_owned(),
    }
}

/// What a [`loopback`] server saw of one request.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Header names lower-cased, values as sent.
    pub headers: std::collections::BTreeMap<String, String>,
    /// The JSON body.
    pub body: serde_json::Value,
}

impl Recorded {
    /// The service named in the TC3 credential scope (`.../<service>/tc3_request`).
    pub fn signed_service(&self) -> Option<&str> {
        let auth = self.headers.get("authorization")?;
        let scope = auth.split("Credential=").nth(1)?.split(',').next()?;
        scope.split('/').nth(2)
    }
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 for runtime tests that need no emulator.
pub struct Loopback {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Every request, in arrival order.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>,
    /// How many connections were accepted.
    pub connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Loopback {
    /// The bodies received so far.
    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }
}

/// Starts a [`Loopback`] answering the n-th request with `answers[n]` (the last one
/// afterwards), with `200 OK` and keep-alive.
pub async fn loopback(answers: Vec<serde_json::Value>) -> Loopback {
    use std::sync::atomic::Ordering;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = Loopback {
        url,
        requests: Default::default(),
        connections: Default::default(),
    };
    let (seen, connections) = (server.requests.clone(), server.connections.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            connections.fetch_add(1, Ordering::SeqCst);
            let (seen, answers) = (seen.clone(), answers.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let headers: std::collections::BTreeMap<String, String> = head
                        .split("\r\n")
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect();
                    let len: usize = headers
                        .get("content-length")
                        .map_or(0, |v| v.parse().unwrap());
                    while buf.len() < end + 4 + len {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = serde_json::from_slice(&buf[end + 4..end + 4 + len]).unwrap();
                    buf.drain(..end + 4 + len);
                    let n = {
                        let mut seen = seen.lock().unwrap();
                        seen.push(Recorded { headers, body });
                        seen.len() - 1
                    };
                    let answer = answers[n.min(answers.len() - 1)].to_string();
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    server
}

/// The directory of the binaries and examples `cargo test` built (`target/debug`, or the
/// profile the tests were built in): this test binary is `<it>/deps/suite-HASH`.
pub fn profile_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps")
        .to_owned()
}
