//! TC3-HMAC-SHA256 helpers for verification.
//!
//! The common case (`SignedHeaders=content-type;host`) is recomputed with the SDK's own signer
//! (`hai_sdk::signer::sign`); any other header list a client chooses to sign goes through
//! [`sign_canonical`], the SDK's `signer::sign_canonical`, pinned against `sign` by a test.

use hai_sdk::signer;
use sha2::{Digest, Sha256};

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    signer::hex(&Sha256::digest(data))
}

/// Signature (and string to sign) over an already built canonical request.
pub(crate) fn sign_canonical(
    secret_key: &str,
    service: &str,
    timestamp: u64,
    canonical_request: &str,
) -> signer::CanonicalSignature {
    signer::sign_canonical(secret_key, service, timestamp, canonical_request)
}

/// Constant-time comparison, so timing does not leak how much of a secret matched.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use hai_sdk::signer::{Payload, SigningInput};

    #[test]
    fn published_vector() {
        let canonical = "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";
        assert_eq!(
            sign_canonical(
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                "cvm",
                1_551_113_065,
                canonical
            )
            .signature,
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn generic_path_agrees_with_the_sdk_signer() {
        let body = br#"{"InstanceId": "hai-dunyfddn"}"#;
        let s = signer::sign(&SigningInput {
            secret_id: "id",
            secret_key: "key",
            service: "hai",
            host: "127.0.0.1:9",
            content_type: "application/json",
            method: "POST",
            query: "",
            payload: Payload::Bytes(body),
            timestamp: 1_700_000_000,
        });
        assert_eq!(
            sign_canonical("key", "hai", 1_700_000_000, &s.canonical_request).signature,
            s.signature
        );
    }
}
