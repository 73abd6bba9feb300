//! A tiny raw HTTP/1.1 client that signs with the SDK's signer, so tests control every byte.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hai_sdk::signer::{sign, Payload, SigningInput};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use hai_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// One request to build, sign and send.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: &'static str,
    pub action: Option<String>,
    pub version: Option<String>,
    pub region: Option<String>,
    pub body: String,
    pub query: String,
    pub timestamp: u64,
    pub secret_id: String,
    pub secret_key: String,
    pub token: Option<String>,
    pub content_type: String,
    /// Host header sent; `None`: `IP:PORT` of the server.
    pub host: Option<String>,
    /// Host value signed; `None`: the one sent.
    pub signed_host: Option<String>,
    pub unsigned_payload: bool,
    /// Replaces the body after signing.
    pub body_after_signing: Option<String>,
    /// Replaces the Authorization header entirely.
    pub authorization: Option<String>,
    pub extra_headers: Vec<(String, String)>,
}

impl Call {
    pub fn new(action: &str, body: Value) -> Self {
        Call {
            method: "POST",
            action: Some(action.to_owned()),
            version: Some("2023-08-12".to_owned()),
            region: Some("ap-guangzhou".to_owned()),
            body: body.to_string(),
            query: String::new(),
            timestamp: now(),
            secret_id: DEFAULT_SECRET_ID.to_owned(),
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            token: None,
            content_type: "application/json".to_owned(),
            host: None,
            signed_host: None,
            unsigned_payload: false,
            body_after_signing: None,
            authorization: None,
            extra_headers: Vec::new(),
        }
    }

    pub fn stop(id: &str) -> Self {
        Call::new("StopInstance", serde_json::json!({ "InstanceId": id }))
    }

    pub fn get(action: &str, query: &str) -> Self {
        let mut c = Call::new(action, Value::Null);
        c.method = "GET";
        c.body = String::new();
        c.query = query.to_owned();
        c.content_type = "application/x-www-form-urlencoded".to_owned();
        c
    }

    /// The exact bytes to send to `addr`.
    pub fn to_bytes(&self, addr: SocketAddr) -> Vec<u8> {
        let host = self.host.clone().unwrap_or_else(|| addr.to_string());
        let signed_host = self.signed_host.clone().unwrap_or_else(|| host.clone());
        let sig = sign(&SigningInput {
            secret_id: &self.secret_id,
            secret_key: &self.secret_key,
            service: "hai",
            host: &signed_host,
            content_type: &self.content_type,
            method: self.method,
            query: &self.query,
            payload: if self.unsigned_payload {
                Payload::Unsigned
            } else {
                Payload::Bytes(self.body.as_bytes())
            },
            timestamp: self.timestamp,
        });
        let body = self.body_after_signing.as_ref().unwrap_or(&self.body);
        let target = if self.query.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{}", self.query)
        };
        let mut head = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", self.method);
        head.push_str(&format!("Content-Type: {}\r\n", self.content_type));
        if let Some(a) = &self.action {
            head.push_str(&format!("X-TC-Action: {a}\r\n"));
        }
        if let Some(v) = &self.version {
            head.push_str(&format!("X-TC-Version: {v}\r\n"));
        }
        if let Some(r) = &self.region {
            head.push_str(&format!("X-TC-Region: {r}\r\n"));
        }
        head.push_str(&format!("X-TC-Timestamp: {}\r\n", self.timestamp));
        if let Some(t) = &self.token {
            head.push_str(&format!("X-TC-Token: {t}\r\n"));
        }
        if self.unsigned_payload {
            head.push_str("X-TC-Content-SHA256: UNSIGNED-PAYLOAD\r\n");
        }
        for (k, v) in &self.extra_headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let authorization = self.authorization.clone().unwrap_or(sig.authorization);
        head.push_str(&format!("Authorization: {authorization}\r\n"));
        if self.method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }
}

/// What came back.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// `Response.Error.Code`, or `None` on success.
    pub fn code(&self) -> Option<String> {
        self.json()["Response"]["Error"]["Code"]
            .as_str()
            .map(str::to_owned)
    }

    pub fn request_id(&self) -> String {
        self.json()["Response"]["RequestId"]
            .as_str()
            .expect("RequestId")
            .to_owned()
    }
}

/// Sends raw bytes and reads the whole (`Connection: close`) response; for bodies with a
/// Content-Length, reads exactly that much or until EOF, whichever comes first.
pub async fn send_bytes(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<Raw> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(bytes).await?;
    let mut buf = Vec::new();
    let deadline = Duration::from_secs(10);
    tokio::time::timeout(deadline, s.read_to_end(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("timed out"))??;
    Ok(parse(&buf))
}

pub fn parse(buf: &[u8]) -> Raw {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete response head");
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Raw {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&data[..pos]).unwrap().trim(), 16)
            .unwrap_or(0);
        data = &data[pos + 2..];
        if size == 0 || data.len() < size {
            out.extend_from_slice(&data[..size.min(data.len())]);
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

pub async fn send(addr: SocketAddr, call: &Call) -> Raw {
    send_bytes(addr, &call.to_bytes(addr))
        .await
        .expect("response")
}
