//! Hot-path TC3 signing: the same algorithm as [`crate::signer::sign`], without building the
//! intermediate strings, and with the derived signing key cached per (secret key, date, service).

use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use reqwest::header::{HeaderValue, InvalidHeaderValue};
use sha2::{Digest, Sha256};

use crate::credentials::Credentials;
use crate::signer::{signing_key, utc_date, ALGORITHM, SIGNED_HEADERS};

type HmacSha256 = Hmac<Sha256>;

/// The content type every request carries (and signs).
pub(crate) const CONTENT_TYPE: &str = "application/json";

/// Per-configuration cache of the keyed HMAC for the current day, one entry per signing
/// service: the clients of several services share one configuration, and each keeps its key.
#[derive(Default)]
pub(crate) struct SigningCache {
    slots: Mutex<Vec<Entry>>,
}

/// Services whose keys are kept at once; a configuration serving more re-derives the oldest.
const SERVICES_KEPT: usize = 8;

struct Entry {
    credentials: Credentials,
    day: u64,
    service: &'static str,
    date: [u8; 10],
    /// HMAC already keyed with the signing key: cloning it skips the key schedule.
    mac: HmacSha256,
    token: Option<HeaderValue>,
}

/// What an attempt needs from the credentials: `Authorization` and the `X-TC-Token` header.
pub(crate) struct SignedHeaders {
    pub(crate) authorization: HeaderValue,
    pub(crate) token: Option<HeaderValue>,
}

impl SigningCache {
    /// Signs a `POST /` with `Content-Type: application/json`, the given host and body.
    pub(crate) fn sign(
        &self,
        credentials: &Credentials,
        service: &'static str,
        host: &str,
        body: &[u8],
        timestamp: u64,
    ) -> Result<SignedHeaders, InvalidHeaderValue> {
        let day = timestamp / 86_400;
        let (date, mac, token) = self.keyed(credentials, service, day, timestamp)?;

        let payload_hash = crate::signer::hex32(&Sha256::digest(body).into());
        let mut canonical = Sha256::new();
        canonical.update(b"POST\n/\n\ncontent-type:");
        canonical.update(CONTENT_TYPE.as_bytes());
        canonical.update(b"\nhost:");
        canonical.update(host.as_bytes());
        canonical.update(b"\n\n");
        canonical.update(SIGNED_HEADERS.as_bytes());
        canonical.update(b"\n");
        canonical.update(payload_hash);
        let canonical_hash = crate::signer::hex32(&canonical.finalize().into());

        let mut ts_buf = [0u8; 20];
        let ts = decimal(timestamp, &mut ts_buf);
        let mut mac = mac;
        mac.update(ALGORITHM.as_bytes());
        mac.update(b"\n");
        mac.update(ts);
        mac.update(b"\n");
        mac.update(&date);
        mac.update(b"/");
        mac.update(service.as_bytes());
        mac.update(b"/tc3_request\n");
        mac.update(&canonical_hash);
        let signature = crate::signer::hex32(&mac.finalize().into_bytes().into());

        let id = credentials.secret_id();
        const CREDENTIAL: &[u8] = b" Credential=";
        const SCOPE_END: &[u8] = b"/tc3_request, SignedHeaders=";
        const SIGNATURE: &[u8] = b", Signature=";
        // Exactly the length: a full vector becomes `Bytes` without a second allocation.
        let mut auth = Vec::with_capacity(
            ALGORITHM.len()
                + CREDENTIAL.len()
                + id.len()
                + 1
                + date.len()
                + 1
                + service.len()
                + SCOPE_END.len()
                + SIGNED_HEADERS.len()
                + SIGNATURE.len()
                + signature.len(),
        );
        auth.extend_from_slice(ALGORITHM.as_bytes());
        auth.extend_from_slice(CREDENTIAL);
        auth.extend_from_slice(id.as_bytes());
        auth.push(b'/');
        auth.extend_from_slice(&date);
        auth.push(b'/');
        auth.extend_from_slice(service.as_bytes());
        auth.extend_from_slice(SCOPE_END);
        auth.extend_from_slice(SIGNED_HEADERS.as_bytes());
        auth.extend_from_slice(SIGNATURE);
        auth.extend_from_slice(&signature);
        let mut authorization = HeaderValue::from_maybe_shared(Bytes::from(auth))?;
        authorization.set_sensitive(true);
        Ok(SignedHeaders {
            authorization,
            token,
        })
    }

    fn keyed(
        &self,
        credentials: &Credentials,
        service: &'static str,
        day: u64,
        timestamp: u64,
    ) -> Result<([u8; 10], HmacSha256, Option<HeaderValue>), InvalidHeaderValue> {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = slots.iter().find(|e| e.service == service) {
            if e.day == day
                && e.credentials.secret_key() == credentials.secret_key()
                && e.credentials.token() == credentials.token()
            {
                return Ok((e.date, e.mac.clone(), e.token.clone()));
            }
        }
        drop(slots);

        let date_string = utc_date(timestamp);
        let mut date = [0u8; 10];
        if date_string.len() == 10 {
            date.copy_from_slice(date_string.as_bytes());
        }
        let key = signing_key(credentials.secret_key(), &date_string, service);
        let mac = <HmacSha256 as Mac>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
        let token = match credentials.token() {
            Some(t) => {
                let mut v = HeaderValue::from_str(t)?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let entry = Entry {
            credentials: credentials.clone(),
            day,
            service,
            date,
            mac: mac.clone(),
            token: token.clone(),
        };
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.retain(|e| e.service != service);
        if slots.len() >= SERVICES_KEPT {
            slots.remove(0);
        }
        slots.push(entry);
        Ok((date, mac, token))
    }
}

/// Writes `n` in decimal into `buf`, returning the digits.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::{sign, Payload, SigningInput};

    fn reference(creds: &Credentials, host: &str, body: &[u8], ts: u64) -> String {
        reference_for("cvm", creds, host, body, ts)
    }

    fn reference_for(
        service: &str,
        creds: &Credentials,
        host: &str,
        body: &[u8],
        ts: u64,
    ) -> String {
        sign(&SigningInput {
            secret_id: creds.secret_id(),
            secret_key: creds.secret_key(),
            service,
            host,
            content_type: CONTENT_TYPE,
            method: "POST",
            query: "",
            payload: Payload::Bytes(body),
            timestamp: ts,
        })
        .authorization
    }

    #[test]
    fn matches_the_reference_signer_across_days_keys_and_hosts() {
        let cache = SigningCache::default();
        let a = Credentials::new("AKIDa", "keyA", None);
        let b = Credentials::new("AKIDb", "keyB", Some("tok".into()));
        let cases: [(&Credentials, &str, &[u8], u64); 6] = [
            (&a, "cvm.tencentcloudapi.com", b"{}", 1_700_000_000),
            (&a, "cvm.tencentcloudapi.com", b"{\"x\":1}", 1_700_000_001),
            (&a, "127.0.0.1:8080", b"", 1_700_000_002),
            // next UTC day: the cached key must not be reused
            (&a, "cvm.tencentcloudapi.com", b"{}", 1_700_006_400 + 86_400),
            (&b, "cvm.tencentcloudapi.com", b"{}", 1_700_000_000),
            (&a, "cvm.tencentcloudapi.com", b"{}", 1_700_000_000),
        ];
        for (creds, host, body, ts) in cases {
            let got = cache.sign(creds, "cvm", host, body, ts).unwrap();
            assert_eq!(
                got.authorization.to_str().unwrap(),
                reference(creds, host, body, ts)
            );
            assert!(got.authorization.is_sensitive());
            assert_eq!(
                got.token.as_ref().map(|t| t.to_str().unwrap()),
                creds.token()
            );
        }
    }

    /// One configuration serving several services keeps a key per service, and a key is
    /// never used for another service's scope.
    #[test]
    fn services_keep_their_own_keys() {
        let cache = SigningCache::default();
        let a = Credentials::new("AKIDa", "keyA", None);
        let services: Vec<&'static str> = (0..SERVICES_KEPT + 2)
            .map(|i| &*Box::leak(format!("svc{i}").into_boxed_str()))
            .collect();
        for round in 0..3 {
            for (i, service) in services.iter().enumerate() {
                let ts = 1_700_000_000 + (round * 100 + i) as u64;
                let got = cache.sign(&a, service, "h", b"{}", ts).unwrap();
                assert_eq!(
                    got.authorization.to_str().unwrap(),
                    reference_for(service, &a, "h", b"{}", ts)
                );
            }
        }
        let kept = cache.slots.lock().unwrap();
        assert_eq!(kept.len(), SERVICES_KEPT);
        let mut names: Vec<_> = kept.iter().map(|e| e.service).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SERVICES_KEPT, "one entry per service");
    }

    #[test]
    fn decimal_digits() {
        let mut b = [0; 20];
        assert_eq!(decimal(0, &mut b), b"0");
        assert_eq!(decimal(1_700_000_000, &mut b), b"1700000000");
        assert_eq!(decimal(u64::MAX, &mut b), b"18446744073709551615");
    }
}
