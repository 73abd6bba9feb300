//! The emulator's request handling: `Authorization` parsing, signature verification over
//! arbitrary headers and bodies, and the whole request pipeline (envelope, authentication,
//! parameter validation, dispatch).
//!
//! The input reads like an HTTP/1.1 request without the version: a method line, a query
//! line, `name: value` header lines, a blank line, then the body.
//! Oracle: once the request is signed by the SDK's signer, verification must accept it, and
//! the pipeline must never answer with a signature error.
#![no_main]

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use hai_emulator::__fuzz::{self, Pipeline, Request};
use hai_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use hai_runtime::signer::{self, Payload, SigningInput};
use libfuzzer_sys::fuzz_target;

/// Loading the spec takes milliseconds; do it once per process.
fn pipeline() -> &'static Pipeline {
    static PIPELINE: OnceLock<Pipeline> = OnceLock::new();
    PIPELINE.get_or_init(Pipeline::new)
}

/// The input, split.
struct Parts<'a> {
    method: &'a [u8],
    query: &'a str,
    headers: Vec<(&'a [u8], &'a [u8])>,
    body: &'a [u8],
}

/// Splits the input into method, query, headers and body.
fn split(data: &[u8]) -> Option<Parts<'_>> {
    let mut rest = data;
    let mut line = || {
        let at = rest.iter().position(|&b| b == b'\n')?;
        let (l, r) = rest.split_at(at);
        rest = &r[1..];
        Some(l.strip_suffix(b"\r").unwrap_or(l))
    };
    let method = line()?;
    let query = std::str::from_utf8(line()?).ok()?;
    let mut headers = Vec::new();
    loop {
        let l = line()?;
        if l.is_empty() {
            break;
        }
        let colon = l.iter().position(|&b| b == b':')?;
        headers.push((&l[..colon], l[colon + 1..].trim_ascii()));
    }
    Some(Parts {
        method,
        query,
        headers,
        body: rest,
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(Parts {
        method,
        query,
        headers,
        body,
    }) = split(data)
    else {
        return;
    };
    let Some(mut req) = Request::new(method, query, &headers, body) else {
        return;
    };
    let p = pipeline();

    // The header as sent, against the default key, at the request's own timestamp.
    if let Some(value) = req.header("authorization") {
        if let Ok(a) = __fuzz::parse_authorization(value) {
            assert_eq!(a.signature.len(), 64);
            assert!(a.signed_headers.iter().any(|h| h == "host"));
        }
    }
    let ts = req
        .header("x-tc-timestamp")
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let _ = __fuzz::verify(&req, DEFAULT_SECRET_KEY, p.signing_service(), ts);

    // Now sign it the way the SDK does and check that it verifies.
    let host = req
        .header("host")
        .unwrap_or("hai.tencentcloudapi.com")
        .trim()
        .to_owned();
    let content_type = req
        .header("content-type")
        .unwrap_or("application/json")
        .trim()
        .to_owned();
    if host.is_empty()
        || content_type.is_empty()
        || !req.set_header("host", &host)
        || !req.set_header("content-type", &content_type)
    {
        return;
    }
    let unsigned = req
        .header("x-tc-content-sha256")
        .is_some_and(|v| v.trim() == "UNSIGNED-PAYLOAD");
    let method = std::str::from_utf8(method).unwrap_or("POST");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let signature = signer::sign(&SigningInput {
        secret_id: DEFAULT_SECRET_ID,
        secret_key: DEFAULT_SECRET_KEY,
        service: p.signing_service(),
        host: &host,
        content_type: &content_type,
        method,
        query: if method == "GET" { query } else { "" },
        payload: if unsigned {
            Payload::Unsigned
        } else {
            Payload::Bytes(body)
        },
        timestamp: now,
    });
    assert!(req.set_header("authorization", &signature.authorization));
    assert!(req.set_header("x-tc-timestamp", &now.to_string()));
    if let Err(code) = __fuzz::verify(&req, DEFAULT_SECRET_KEY, p.signing_service(), now) {
        panic!("a request signed by the SDK fails verification: {code}");
    }

    // The whole pipeline, signed: whatever it answers, it is not an authentication failure.
    if let Some(answer) = p.process(req) {
        let code = answer["Response"]["Error"]["Code"].as_str().unwrap_or("");
        assert!(
            !matches!(
                code,
                "AuthFailure.SignatureFailure" | "AuthFailure.InvalidAuthorization"
            ),
            "a request signed by the SDK was refused: {code}"
        );
    }
});
