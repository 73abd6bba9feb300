//! TC3-HMAC-SHA256 request signing: a pure function, no I/O and no clock.
//!
//! The signed headers are always `content-type;host`, as in every official SDK;
//! `X-TC-Token` is sent but not signed.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name in the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The headers covered by the signature.
pub const SIGNED_HEADERS: &str = "content-type;host";
/// The payload hash marker for `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What is hashed as the request payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The exact body bytes (empty for GET).
    Bytes(&'a [u8]),
    /// The body is not hashed: SHA-256 of the literal `UNSIGNED-PAYLOAD` stands in for it, and the
    /// request must carry `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
    Unsigned,
}

/// Everything the signature depends on.
#[derive(Clone, Copy)]
pub struct SigningInput<'a> {
    /// SecretId of the caller.
    pub secret_id: &'a str,
    /// SecretKey of the caller.
    pub secret_key: &'a str,
    /// Signing service name from the spec (e.g. `cvm`), never derived from the host.
    pub service: &'a str,
    /// The `Host` header value verbatim (with `:port` if the request carries one).
    pub host: &'a str,
    /// The `Content-Type` header value verbatim.
    pub content_type: &'a str,
    /// HTTP method, `POST` or `GET`.
    pub method: &'a str,
    /// The query string as sent, without `?` (empty for POST).
    pub query: &'a str,
    /// The payload to hash.
    pub payload: Payload<'a>,
    /// `X-TC-Timestamp`, Unix seconds; the credential date is its UTC date.
    pub timestamp: u64,
}

impl std::fmt::Debug for SigningInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningInput")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("service", &self.service)
            .field("host", &self.host)
            .field("content_type", &self.content_type)
            .field("method", &self.method)
            .field("query", &self.query)
            .field("payload", &self.payload)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// The signature and every intermediate string, for comparison with published vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// UTC date of the timestamp, `YYYY-MM-DD`.
    pub date: String,
    /// `date/service/tc3_request`.
    pub credential_scope: String,
    /// Always `content-type;host`.
    pub signed_headers: String,
    /// Lower-hex SHA-256 of the payload (or of `UNSIGNED-PAYLOAD`).
    pub hashed_request_payload: String,
    /// The canonical request.
    pub canonical_request: String,
    /// Lower-hex SHA-256 of the canonical request.
    pub hashed_canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lower-hex HMAC of the string to sign.
    pub signature: String,
    /// The whole `Authorization` header value.
    pub authorization: String,
}

/// Signs a request and returns every intermediate string.
pub fn sign(input: &SigningInput<'_>) -> Signature {
    let date = utc_date(input.timestamp);
    let credential_scope = format!("{date}/{}/tc3_request", input.service);
    let hashed_request_payload = match input.payload {
        Payload::Bytes(b) => hex(&Sha256::digest(b)),
        Payload::Unsigned => hex(&Sha256::digest(UNSIGNED_PAYLOAD.as_bytes())),
    };
    let canonical_request = format!(
        "{}\n/\n{}\ncontent-type:{}\nhost:{}\n\n{SIGNED_HEADERS}\n{hashed_request_payload}",
        input.method, input.query, input.content_type, input.host
    );
    let CanonicalSignature {
        hashed_canonical_request,
        string_to_sign,
        signature,
    } = sign_canonical_request(
        input.secret_key,
        input.service,
        input.timestamp,
        &date,
        &credential_scope,
        &canonical_request,
    );
    let authorization = format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={SIGNED_HEADERS}, Signature={signature}",
        input.secret_id
    );
    Signature {
        date,
        credential_scope,
        signed_headers: SIGNED_HEADERS.to_owned(),
        hashed_request_payload,
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signature,
        authorization,
    }
}

/// What signing an already built canonical request yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalSignature {
    /// Lower-hex SHA-256 of the canonical request.
    pub hashed_canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lower-hex HMAC of the string to sign.
    pub signature: String,
}

/// Signs a canonical request built by the caller; [`sign`] uses it for `content-type;host`,
/// and a verifier uses it for requests that signed other header lists.
pub fn sign_canonical(
    secret_key: &str,
    service: &str,
    timestamp: u64,
    canonical_request: &str,
) -> CanonicalSignature {
    let date = utc_date(timestamp);
    let credential_scope = format!("{date}/{service}/tc3_request");
    sign_canonical_request(
        secret_key,
        service,
        timestamp,
        &date,
        &credential_scope,
        canonical_request,
    )
}

fn sign_canonical_request(
    secret_key: &str,
    service: &str,
    timestamp: u64,
    date: &str,
    credential_scope: &str,
    canonical_request: &str,
) -> CanonicalSignature {
    let hashed_canonical_request = hex(&Sha256::digest(canonical_request.as_bytes()));
    let string_to_sign =
        format!("{ALGORITHM}\n{timestamp}\n{credential_scope}\n{hashed_canonical_request}");
    let key = signing_key(secret_key, date, service);
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    CanonicalSignature {
        hashed_canonical_request,
        string_to_sign,
        signature,
    }
}

/// The three chained keys `HMAC("TC3"+key, date)`, `HMAC(_, service)`, `HMAC(_, "tc3_request")`.
pub fn signing_key_chain(secret_key: &str, date: &str, service: &str) -> [[u8; 32]; 3] {
    let mut k0 = Vec::with_capacity(3 + secret_key.len());
    k0.extend_from_slice(b"TC3");
    k0.extend_from_slice(secret_key.as_bytes());
    let secret_date = hmac(&k0, date.as_bytes());
    let secret_service = hmac(&secret_date, service.as_bytes());
    let secret_signing = hmac(&secret_service, b"tc3_request");
    [secret_date, secret_service, secret_signing]
}

/// The final signing key for one secret key, date and service.
pub fn signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    signing_key_chain(secret_key, date, service)[2]
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        s.push(char::from(HEX_DIGITS[usize::from(b & 0xf)]));
    }
    s
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of a SHA-256 sized value, without allocating (the per-call signing path).
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX_DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = HEX_DIGITS[usize::from(b & 0xf)];
    }
    out
}

/// UTC calendar date of a Unix timestamp, `YYYY-MM-DD`.
pub fn utc_date(timestamp: u64) -> String {
    let (year, month, day) = civil_date(timestamp);
    format!("{year:04}-{month:02}-{day:02}")
}

/// UTC (year, month, day) of a Unix timestamp: civil-from-days, proleptic Gregorian calendar.
pub fn civil_date(timestamp: u64) -> (i64, i64, i64) {
    let days = (timestamp / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_551_113_065), "2019-02-25");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14");
        assert_eq!(utc_date(4_102_444_799), "2099-12-31");
    }
}
