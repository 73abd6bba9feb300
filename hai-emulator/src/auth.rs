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

/// Verifies the signature for `secret_key`. The canonical request is rebuilt from the headers
/// the client listed; `Host` is tried as sent and without its port, `Content-Type` as sent
/// and lowercased, since clients differ there and the real gateway accepts them all.
pub(crate) fn verify(
    req: &SignedRequest<'_>,
    auth: &Authorization,
    secret_key: &str,
    service: &str,
    timestamp: u64,
) -> Result<(), ApiError> {
    let failure = || {
        ApiError::auth(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    };
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
    for name in &auth.signed_headers {
        let values: Vec<&str> = req
            .headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::trim)
            .collect();
        if values.is_empty() {
            return Err(failure());
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
    let mut choice = vec![0usize; candidates.len()];
    loop {
        let expected = if standard {
            // content-type;host: exactly what the SDK signs, so ask the SDK's signer.
            let value = |name: &str| {
                let i = auth
                    .signed_headers
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or(0);
                candidates[i][choice[i]].as_str()
            };
            hai_sdk::signer::sign(&hai_sdk::signer::SigningInput {
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
            })
            .signature
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
            tc3::sign_canonical(secret_key, service, timestamp, &canonical)
        };
        if tc3::same_secret(&expected, &auth.signature) {
            return Ok(());
        }
        // Next combination (odometer).
        let mut i = 0;
        loop {
            if i == choice.len() {
                return Err(failure());
            }
            choice[i] += 1;
            if choice[i] < candidates[i].len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
    }
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
        )
        .unwrap();
        let e = verify(&req, &auth, "wrong", "hai", 1_700_000_000).unwrap_err();
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
        )
        .unwrap_err();
        assert_eq!(e.code, "AuthFailure.SignatureFailure");
    }
}
