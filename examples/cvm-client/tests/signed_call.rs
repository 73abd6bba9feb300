//! `DescribeRegions` and `DescribeZones` through the generated CVM client against a loopback server that
//! checks each request as Tencent Cloud does: TC3-HMAC-SHA256 recomputed from the secret key,
//! the credential scope `<date>/cvm/tc3_request`, and the action, version and region headers.
//! The verifier is written here from Tencent's published algorithm, not taken from the SDK.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use cvm_client_example::cvm::describe_regions::{DescribeRegionsError, DescribeRegionsRequest};
use cvm_client_example::cvm::describe_zones::DescribeZonesRequest;
use cvm_client_example::cvm::Client;
use hai_runtime::credentials::Credentials;

/// The runtime under another path, as the build script's second copy names it.
pub use hai_runtime as rt;

/// The same client generated with `runtime: "crate::sdk"`; only part of it is used here.
#[allow(dead_code)]
mod via_reexport {
    include!(concat!(env!("OUT_DIR"), "/cvm_via_reexport.rs"));
}

const SECRET_ID: &str = "AKIDcvmExampleTestSecretId0000000000";
const SECRET_KEY: &str = "cvmExampleTestSecretKey00000000000";
const REGION: &str = "ap-guangzhou";

/// What the server saw of one request that passed verification.
#[derive(Debug, Clone)]
struct Seen {
    action: String,
    region: Option<String>,
    scope: String,
}

struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move { serve(stream, log).await });
        }
    });
    Server { url, seen }
}

/// One request per connection: read it, check it, answer, close.
async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head_end, length) = loop {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf[..head_end - 4]).into_owned();
    let body = &buf[head_end..head_end + length];
    let answer = match verify(&head, body) {
        Ok(seen) => {
            let answer = respond(&seen.action);
            log.lock().unwrap().push(seen);
            answer
        }
        Err((code, message)) => serde_json::json!({"Response": {
            "Error": {"Code": code, "Message": message},
            "RequestId": "req-rejected"
        }}),
    };
    let text = answer.to_string();
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn respond(action: &str) -> serde_json::Value {
    match action {
        "DescribeRegions" => serde_json::json!({"Response": {
            "TotalCount": 2,
            "RegionSet": [
                {"Region": "ap-guangzhou", "RegionName": "South China (Guangzhou)", "RegionState": "AVAILABLE"},
                {"Region": "ap-beijing", "RegionName": "North China (Beijing)", "RegionState": "AVAILABLE"}
            ],
            "RequestId": "req-regions"
        }}),
        _ => serde_json::json!({"Response": {
            "TotalCount": 1,
            "ZoneSet": [
                {"Zone": "ap-guangzhou-3", "ZoneName": "Guangzhou Zone 3", "ZoneId": "100003", "ZoneState": "AVAILABLE"}
            ],
            "RequestId": "req-zones"
        }}),
    }
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp.
fn utc_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

type Rejection = (&'static str, String);

/// Tencent's TC3-HMAC-SHA256 check for a POST to `/` with service `cvm`.
fn verify(head: &str, body: &[u8]) -> Result<Seen, Rejection> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.get(name).cloned();
    let bad = |m: &str| ("AuthFailure.InvalidAuthorization", m.to_owned());
    if !request_line.starts_with("POST / ") {
        return Err((
            "InvalidRequest",
            format!("unexpected request line {request_line}"),
        ));
    }
    let auth = header("authorization").ok_or_else(|| bad("no Authorization header"))?;
    let rest = auth
        .strip_prefix("TC3-HMAC-SHA256 ")
        .ok_or_else(|| bad("not TC3-HMAC-SHA256"))?;
    let fields: BTreeMap<&str, &str> = rest
        .split(", ")
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let credential = fields
        .get("Credential")
        .ok_or_else(|| bad("no Credential"))?;
    let signed = *fields
        .get("SignedHeaders")
        .ok_or_else(|| bad("no SignedHeaders"))?;
    let signature = *fields.get("Signature").ok_or_else(|| bad("no Signature"))?;
    let (secret_id, scope) = credential
        .split_once('/')
        .ok_or_else(|| bad("Credential without a scope"))?;
    if secret_id != SECRET_ID {
        return Err(("AuthFailure.SecretIdNotFound", secret_id.to_owned()));
    }
    let timestamp: i64 = header("x-tc-timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| bad("no X-TC-Timestamp"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - timestamp).abs() > 300 {
        return Err(("AuthFailure.SignatureExpire", format!("{timestamp}")));
    }
    let date = utc_date(timestamp);
    let expected_scope = format!("{date}/cvm/tc3_request");
    if scope != expected_scope {
        return Err((
            "AuthFailure.SignatureFailure",
            format!("scope {scope}, expected {expected_scope}"),
        ));
    }
    if !signed.split(';').any(|h| h == "host") || !signed.split(';').any(|h| h == "content-type") {
        return Err(bad("host and content-type must be signed"));
    }
    let mut canonical_headers = String::new();
    for name in signed.split(';') {
        let value = header(name).ok_or_else(|| bad("a signed header is missing"))?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.to_ascii_lowercase()));
    }
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{signed}\n{}",
        hex(&Sha256::digest(body))
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac(format!("TC3{SECRET_KEY}").as_bytes(), &date);
    let k_service = hmac(&k_date, "cvm");
    let k_signing = hmac(&k_service, "tc3_request");
    let expected = hex(&hmac(&k_signing, &string_to_sign));
    if signature != expected {
        return Err((
            "AuthFailure.SignatureFailure",
            "the signature does not match".into(),
        ));
    }
    if header("x-tc-version").as_deref() != Some("2017-03-12") {
        return Err(("NoSuchVersion", format!("{:?}", header("x-tc-version"))));
    }
    let action = header("x-tc-action").ok_or_else(|| ("InvalidAction", String::new()))?;
    Ok(Seen {
        action,
        region: header("x-tc-region"),
        scope: scope.to_owned(),
    })
}

fn client(url: &str, secret_key: &str) -> Client {
    Client::builder()
        .endpoint(url)
        .endpoint_from_env(false)
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, secret_key, None))
        .rate_limit(false)
        .timeout(Some(Duration::from_secs(5)))
        .build()
        .expect("the client builds")
}

#[tokio::test]
async fn describe_regions_is_signed_for_cvm_and_decoded() {
    let server = server().await;
    let client = client(&server.url, SECRET_KEY);
    let out = client
        .describe_regions(DescribeRegionsRequest::new())
        .await
        .expect("the server accepts the signature");
    assert_eq!(out.total_count, Some(2));
    let regions = out.region_set.unwrap_or_default();
    let names: Vec<Option<&str>> = regions.iter().map(|r| r.region.as_deref()).collect();
    assert_eq!(names, [Some("ap-guangzhou"), Some("ap-beijing")]);
    assert_eq!(
        regions[0].region_name.as_deref(),
        Some("South China (Guangzhou)")
    );
    assert_eq!(out.request_id, "req-regions");

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].action, "DescribeRegions");
    assert_eq!(seen[0].region.as_deref(), Some(REGION));
    assert!(
        seen[0].scope.ends_with("/cvm/tc3_request"),
        "{}",
        seen[0].scope
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_by_the_verifier() {
    let server = server().await;
    let e = client(&server.url, "notTheKey000000000000000000000000")
        .call(DescribeRegionsRequest::new())
        .await
        .expect_err("the signature must not verify");
    match e {
        hai_runtime::Error::Service(DescribeRegionsError::Common(c)) => {
            assert_eq!(c.meta().code(), "AuthFailure.SignatureFailure")
        }
        other => panic!("expected a signature failure, got {other:?}"),
    }
    assert!(server.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_client_generated_against_a_reexported_runtime_calls_too() {
    let server = server().await;
    let client = client(&server.url, SECRET_KEY);
    let other = via_reexport::Client::new(client.config());
    let out = other
        .describe_zones(via_reexport::describe_zones::DescribeZonesRequest::new())
        .await
        .expect("the server accepts the signature");
    let zones = out.zone_set.unwrap_or_default();
    assert_eq!(zones[0].zone.as_deref(), Some("ap-guangzhou-3"));
    assert_eq!(zones[0].zone_id.as_deref(), Some("100003"));
    // And through the default-runtime client.
    let out = client
        .describe_zones(DescribeZonesRequest::new())
        .await
        .unwrap();
    assert_eq!(out.total_count, Some(1));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|s| s.action == "DescribeZones").count(),
        2
    );
}
