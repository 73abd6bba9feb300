//! Small HTTP helpers shared by the metadata and STS providers.

use std::sync::OnceLock;
use std::time::Duration;

/// The largest body read from the metadata service or STS; anything longer is not a
/// credentials answer, and reading it whole would let a captive portal exhaust memory.
const BODY_LIMIT: usize = 64 * 1024;

/// A lazily built client with explicit connect and total timeouts.
#[derive(Debug)]
pub(crate) struct LazyClient {
    connect_timeout: Duration,
    timeout: Duration,
    use_proxy: bool,
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl LazyClient {
    pub(crate) fn new(connect_timeout: Duration, timeout: Duration, use_proxy: bool) -> Self {
        Self {
            connect_timeout,
            timeout,
            use_proxy,
            client: OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                let mut b = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .redirect(reqwest::redirect::Policy::none());
                if !self.use_proxy {
                    b = b.no_proxy();
                }
                b.build()
                    .map_err(|e| format!("cannot build HTTP client: {}", describe(&e)))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Status and (bounded) body of a response.
pub(crate) async fn read(resp: reqwest::Response) -> Result<(u16, Vec<u8>), String> {
    let status = resp.status().as_u16();
    let mut resp = resp;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(format!(
                "HTTP {status} answer longer than {BODY_LIMIT} bytes"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

/// A one-line description of a transport error (kind and root cause, never headers).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed"
    } else {
        "request failed"
    };
    let mut root: &dyn std::error::Error = e;
    while let Some(s) = root.source() {
        root = s;
    }
    if std::ptr::addr_eq(root, e as &dyn std::error::Error) {
        kind.to_owned()
    } else {
        format!("{kind}: {root}")
    }
}
