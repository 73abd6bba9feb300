//! The `Authorization: TC3-HMAC-SHA256 ...` header: parsing and signature verification.

use http::{HeaderMap, Method};

use crate::error::ApiError;
use crate::tc3;

/// The parts of a TC3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub secret_id: String,
    pub date: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

fn malformed(why: &str) -> ApiError {
    ApiError::auth(
        "AuthFailure.InvalidAuthorization",
        format!("The Authorization header is malformed: {why}."),
    )
}

/// Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex`.
pub(crate) fn parse_authorization(value: &str) -> Result<Authorization, ApiError> {
    let rest = value
        .strip_prefix("TC3-HMAC-SHA256 ")
        .ok_or_else(|| malformed("the algorithm must be TC3-HMAC-SHA256"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("expected Key=Value pairs"))?;
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("unknown field")),
        };
        if slot.replace(v).is_some() {
            return Err(malformed("a field is repeated"));
        }
    }
    let credential = credential.ok_or_else(|| malformed("Credential is missing"))?;
    let signed = signed.ok_or_else(|| malformed("SignedHeaders is missing"))?;
    let signature = signature.ok_or_else(|| malformed("Signature is missing"))?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, terminator] = parts.as_slice() else {
        return Err(malformed(
            "Credential must be SecretId/Date/Service/tc3_request",
        ));
    };
    if *terminator != "tc3_request" || secret_id.is_empty() || service.is_empty() {
        return Err(malformed(
            "Credential must be SecretId/Date/Service/tc3_request",
        ));
    }
    let signed_headers: Vec<String> = signed.split(';').map(str::to_owned).collect();
    if signed_headers
        .iter()
        .any(|h| h.is_empty() || h.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return Err(malformed(
            "SignedHeaders must be lowercase names separated by ';'",
        ));
    }
    for required in ["content-type", "host"] {
        if !signed_headers.iter().any(|h| h == required) {
            return Err(malformed(
                "SignedHeaders must include content-type and host",
            ));
        }
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed("Signature must be 64 hexadecimal digits"));
    }
    Ok(Authorization {
        secret_id: (*secret_id).to_owned(),
        date: (*date).to_owned(),
        service: (*service).to_owned(),
        signed_headers,
        signature: signature.to_ascii_lowercase(),
    })
}

/// What the client may have signed: everything needed to rebuild the canonical request.
pub(crate) struct SignedRequest<'a> {
    pub method: &'a Method,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

fn strip_port(host: &str) -> &str {
    // `[::1]:8080` keeps its brackets; `127.0.0.1:8080` and `name:443` lose the port.
    match host.rfind(':') {
        Some(i)
            if !host[i..].contains(']') && host[i + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            &host[..i]
        }
        _ => host,
    }
}

/// What the emulator computed for one reading of the request.
struct Expected {
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

/// Verifies the signature for `secret_key`. The canonical request is rebuilt from the headers
/// the client listed; `Host` is tried as sent and without its port, `Content-Type` as sent
/// and lowercased, since clients differ there and the real gateway accepts them all.
///
/// `now` is the emulator's clock (timestamp skew was checked before; a smaller skew is still
/// reported). A refusal is `AuthFailure.SignatureFailure` whose message names every cause
/// found (see [`diagnose`]) and shows the canonical request and string to sign expected.
pub(crate) fn verify(
    req: &SignedRequest<'_>,
    auth: &Authorization,
    secret_key: &str,
    service: &str,
    timestamp: u64,
    now: u64,
) -> Result<(), ApiError> {
    let unsigned = req
        .headers
        .get("x-tc-content-sha256")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "UNSIGNED-PAYLOAD");
    let payload_hash = if unsigned {
        tc3::sha256_hex(b"UNSIGNED-PAYLOAD")
    } else {
        tc3::sha256_hex(req.body)
    };
    let query = if req.method == Method::GET {
        req.query
    } else {
        ""
    };

    // Candidate values per signed header.
    let mut candidates: Vec<Vec<String>> = Vec::with_capacity(auth.signed_headers.len());
    let mut missing = Vec::new();
    for name in &auth.signed_headers {
        // As text, so a client that signed UTF-8 bytes (obs-text) is verified too.
        let values: Vec<String> = req
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
            .collect();
        if values.is_empty() {
            missing.push(name.as_str());
        }
        let joined = values.join(",");
        let mut options = vec![joined.clone()];
        let mut push = |s: String| {
            if !options.contains(&s) {
                options.push(s);
            }
        };
        match name.as_str() {
            "host" => push(strip_port(&joined).to_owned()),
            "content-type" => push(joined.to_ascii_lowercase()),
            _ => {}
        }
        candidates.push(options);
    }

    let signed = auth.signed_headers.join(";");
    let standard = signed == hai_sdk::signer::SIGNED_HEADERS;
    let compute = |choice: &[usize]| -> Expected {
        if standard {
            // content-type;host: exactly what the SDK signs, so ask the SDK's signer.
            let value = |name: &str| {
                let i = auth
                    .signed_headers
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or(0);
                candidates[i][choice[i]].as_str()
            };
            let s = hai_sdk::signer::sign(&hai_sdk::signer::SigningInput {
                secret_id: &auth.secret_id,
                secret_key,
                service,
                host: value("host"),
                content_type: value("content-type"),
                method: req.method.as_str(),
                query,
                payload: if unsigned {
                    hai_sdk::signer::Payload::Unsigned
                } else {
                    hai_sdk::signer::Payload::Bytes(req.body)
                },
                timestamp,
            });
            Expected {
                canonical_request: s.canonical_request,
                string_to_sign: s.string_to_sign,
                signature: s.signature,
            }
        } else {
            let mut canonical_headers = String::new();
            for (i, name) in auth.signed_headers.iter().enumerate() {
                canonical_headers.push_str(name);
                canonical_headers.push(':');
                canonical_headers.push_str(&candidates[i][choice[i]]);
                canonical_headers.push('\n');
            }
            let canonical = format!(
                "{}\n/\n{query}\n{canonical_headers}\n{signed}\n{payload_hash}",
                req.method.as_str()
            );
            let s = tc3::sign_canonical(secret_key, service, timestamp, &canonical);
            Expected {
                canonical_request: canonical,
                string_to_sign: s.string_to_sign,
                signature: s.signature,
            }
        }
    };

    if missing.is_empty() {
        let mut choice = vec![0usize; candidates.len()];
        loop {
            if tc3::same_secret(&compute(&choice).signature, &auth.signature) {
                return Ok(());
            }
            // Next combination (odometer).
            let mut i = 0;
            loop {
                if i == choice.len() {
                    break;
                }
                choice[i] += 1;
                if choice[i] < candidates[i].len() {
                    break;
                }
                choice[i] = 0;
                i += 1;
            }
            if i == choice.len() {
                break;
            }
        }
    }
    // The reading shown is the headers as sent.
    let expected = compute(&vec![0; candidates.len()]);
    let causes = diagnose(auth, service, timestamp, now, &missing);
    Err(ApiError::auth(
        "AuthFailure.SignatureFailure",
        failure_message(&causes, &expected),
    ))
}

/// Below this distance between `X-TC-Timestamp` and the server's clock a skew is network
/// latency, not worth naming; above it (and within the limit) it is named as a likely slip.
const NOTABLE_SKEW_SECS: u64 = 60;

/// Longest piece of client-sent text quoted in a message (header values, scope parts).
pub(crate) const QUOTED_MAX: usize = 128;
/// Longest canonical request shown; a GET's query string can be long.
const CANONICAL_MAX: usize = 2048;

/// Every cause of a refused signature the emulator can tell from the request alone.
fn diagnose(
    auth: &Authorization,
    service: &str,
    timestamp: u64,
    now: u64,
    missing: &[&str],
) -> Vec<String> {
    let mut causes = Vec::new();
    if auth.service != service {
        causes.push(format!(
            "the credential scope names service {}, but this endpoint signs for {service} (the signing service comes from the API, not from the host name; this emulator serves {service} only, so a client of another service needs that service's own endpoint, e.g. {})",
            quote(&auth.service, QUOTED_MAX),
            endpoint_variable(&auth.service)
        ));
    }
    let date = hai_sdk::signer::utc_date(timestamp);
    if auth.date != date {
        causes.push(format!(
            "the credential scope date {} is not the UTC date of X-TC-Timestamp {timestamp}, which is {date} (the date must be taken in UTC, from the same timestamp)",
            quote(&auth.date, QUOTED_MAX)
        ));
    }
    for name in missing {
        causes.push(format!(
            "the signed header {} is not in the request",
            quote(name, QUOTED_MAX)
        ));
    }
    let signed = auth.signed_headers.join(";");
    if signed != hai_sdk::signer::SIGNED_HEADERS {
        causes.push(format!(
            "SignedHeaders is {}, not the usual {}: each listed header must be signed with its value as sent",
            quote(&signed, QUOTED_MAX),
            hai_sdk::signer::SIGNED_HEADERS
        ));
    }
    let skew = now.abs_diff(timestamp);
    if skew >= NOTABLE_SKEW_SECS {
        causes.push(format!(
            "X-TC-Timestamp {timestamp} is {skew} s {} the server clock ({now}); within the limit, but the client's clock is off",
            if timestamp < now { "behind" } else { "ahead of" }
        ));
    }
    let consistent = causes.is_empty();
    if consistent {
        causes.push(
            "the credential scope, date, signed headers and timestamp are all consistent, so the SecretKey differs from the one issued for this SecretId, or the bytes signed differ from those sent (body, Host, Content-Type, query)"
                .to_owned(),
        );
    }
    causes
}

fn failure_message(causes: &[String], expected: &Expected) -> String {
    let mut m = String::from(
        "The provided credentials could not be validated. Please check your signature is correct. ",
    );
    m.push_str(if causes.len() == 1 {
        "Cause found: "
    } else {
        "Causes found: "
    });
    for (i, c) in causes.iter().enumerate() {
        if i > 0 {
            m.push_str("; ");
        }
        m.push_str(c);
    }
    m.push_str(". The canonical request expected: ");
    m.push_str(&quote(&expected.canonical_request, CANONICAL_MAX));
    m.push_str(". The string to sign expected: ");
    m.push_str(&quote(&expected.string_to_sign, CANONICAL_MAX));
    m.push('.');
    m
}

/// The variable that points clients of `service` (as a request names it) at an endpoint of
/// their own: `TENCENTCLOUD_ENDPOINT_URL_CVM` for `cvm`; a placeholder when the name is not a
/// plausible service name (so nothing odd from the request is echoed unquoted).
pub(crate) fn endpoint_variable(service: &str) -> String {
    let plausible = (1..=32).contains(&service.len())
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if plausible {
        format!("TENCENTCLOUD_ENDPOINT_URL_{}", service.to_ascii_uppercase())
    } else {
        "TENCENTCLOUD_ENDPOINT_URL_<SERVICE>".to_owned()
    }
}

/// `text` in double quotes with control, bidi and non-ASCII characters escaped
/// (`\n`, `\u{202e}`), cut at `max` characters: safe in a message, a log or a terminal.
pub(crate) fn quote(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 2);
    out.push('"');
    for (n, (at, c)) in text.char_indices().enumerate() {
        if n == max {
            out.push_str(&format!("...({} more bytes)", text.len() - at));
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => out.extend(c.escape_default()),
        }
    }
    out.push('"');
    out
}

/// Refuses a timestamp further than `max_skew` from the server's clock `now`, saying by how
/// much and in which direction.
pub(crate) fn check_timestamp(timestamp: u64, now: u64, max_skew: u64) -> Result<(), ApiError> {
    let skew = now.abs_diff(timestamp);
    if skew <= max_skew {
        return Ok(());
    }
    Err(ApiError::auth(
        "AuthFailure.SignatureExpire",
        format!(
            "Signature expired: X-TC-Timestamp {timestamp} is {skew} s {} the server time {now}, more than the {max_skew} s allowed. Check the client's clock (and that the timestamp is taken when the request is signed).",
            if timestamp < now { "behind" } else { "ahead of" }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_sdk_header() {
        let a = parse_authorization("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/hai/tc3_request, SignedHeaders=content-type;host, Signature=b87f4ec877d47204a6773c5d943438eb6794387f49d6983c657a9c1efcb52546").unwrap();
        assert_eq!(a.secret_id, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
        assert_eq!(a.date, "2023-11-14");
        assert_eq!(a.service, "hai");
        assert_eq!(a.signed_headers, ["content-type", "host"]);
    }

    #[test]
    fn refuses_malformed_headers() {
        for bad in [
            "",
            "HMAC-SHA1 Credential=a/b/c/tc3_request, SignedHeaders=content-type;host, Signature=00",
            "TC3-HMAC-SHA256 Credential=a/b/c, SignedHeaders=content-type;host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=content-type;host, Signature=xyz",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=content-type;host",
        ] {
            let e = parse_authorization(bad).unwrap_err();
            assert_eq!(e.code, "AuthFailure.InvalidAuthorization", "{bad}");
        }
    }

    #[test]
    fn strips_ports() {
        assert_eq!(strip_port("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(
            strip_port("hai.tencentcloudapi.com"),
            "hai.tencentcloudapi.com"
        );
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        assert_eq!(strip_port("[::1]"), "[::1]");
    }

    #[test]
    fn verifies_the_official_python_request() {
        // Bytes from the official Python SDK (reference/official-python-sdk-stopinstance-request.txt).
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("host", "127.0.0.1:38119".parse().unwrap());
        let body = br#"{"InstanceId": "hai-dunyfddn", "StopMode": "STOP_CHARGE", "DryRun": false}"#;
        let auth = parse_authorization("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/hai/tc3_request, SignedHeaders=content-type;host, Signature=b87f4ec877d47204a6773c5d943438eb6794387f49d6983c657a9c1efcb52546").unwrap();
        let req = SignedRequest {
            method: &Method::POST,
            query: "",
            headers: &headers,
            body,
        };
        verify(
            &req,
            &auth,
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "hai",
            1_700_000_000,
            1_700_000_000,
        )
        .unwrap();
        let e = verify(&req, &auth, "wrong", "hai", 1_700_000_000, 1_700_000_000).unwrap_err();
        assert_eq!(e.code, "AuthFailure.SignatureFailure");
        let tampered = SignedRequest {
            body: br#"{"InstanceId": "hai-dunyfddm", "StopMode": "STOP_CHARGE", "DryRun": false}"#,
            ..req
        };
        let e = verify(
            &tampered,
            &auth,
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "hai",
            1_700_000_000,
            1_700_000_000,
        )
        .unwrap_err();
        assert_eq!(e.code, "AuthFailure.SignatureFailure");
    }

    #[test]
    fn quoted_text_is_escaped_and_bounded() {
        assert_eq!(quote("a\nb\"c\\", 100), "\"a\\nb\\\"c\\\\\"");
        let q = quote("x\u{1b}[31m\u{202e}y", 100);
        assert!(!q.chars().any(|c| c.is_control() || c == '\u{202e}'), "{q}");
        assert_eq!(quote(&"z".repeat(300), 4), "\"zzzz...(296 more bytes)\"");
    }

    #[test]
    fn expired_timestamps_say_by_how_much() {
        check_timestamp(1_000, 1_300, 300).unwrap();
        let e = check_timestamp(1_000, 1_301, 300).unwrap_err();
        assert_eq!(e.code, "AuthFailure.SignatureExpire");
        assert!(e.message.contains("is 301 s behind"), "{}", e.message);
        let e = check_timestamp(2_000, 1_000, 300).unwrap_err();
        assert!(e.message.contains("is 1000 s ahead of"), "{}", e.message);
    }
}
