//! What the SDK can check locally when the service refuses a signature.
//!
//! `AuthFailure.SignatureFailure` and `AuthFailure.SignatureExpire` are the answers users
//! puzzle over most, and the service says nothing about why. Two local causes are checkable
//! without guessing: a clock that differs from the server's (measured from the answer's
//! `Date` header against the timestamp the request was signed with), and a SecretId or
//! SecretKey with white space or characters no key has (pasted from a document or a
//! terminal). The key itself is never shown, only what kind of character was found.

use std::fmt;
use std::time::UNIX_EPOCH;

use crate::credentials::Credentials;

/// The codes whose errors carry a [`SignatureHint`].
pub(crate) fn is_signature_code(code: &str) -> bool {
    matches!(
        code,
        "AuthFailure.SignatureFailure" | "AuthFailure.SignatureExpire"
    )
}

/// Skews smaller than this are the `Date` header's one-second resolution and the network,
/// not a wrong clock.
pub const NOTABLE_CLOCK_SKEW_SECS: i64 = 60;

/// What is odd about a SecretId or SecretKey (never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyIssue {
    /// White space inside the value (a key is one word of letters and digits).
    WhiteSpace,
    /// Characters that are not printable ASCII, e.g. a zero-width space or a look-alike
    /// letter copied from a document.
    NotPrintableAscii,
}

impl KeyIssue {
    fn of(value: &str) -> Option<KeyIssue> {
        if value.chars().any(char::is_whitespace) {
            Some(KeyIssue::WhiteSpace)
        } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
            Some(KeyIssue::NotPrintableAscii)
        } else {
            None
        }
    }

    fn describe(self) -> &'static str {
        match self {
            KeyIssue::WhiteSpace => "contains white space",
            KeyIssue::NotPrintableAscii => "contains characters other than printable ASCII",
        }
    }
}

/// Local causes of a refused signature that the SDK checked, attached to the errors
/// `AuthFailure.SignatureFailure` and `AuthFailure.SignatureExpire` (see
/// [`Error::signature_hint`](crate::Error::signature_hint)) and shown in their `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHint {
    clock_skew_secs: Option<i64>,
    secret_id: Option<KeyIssue>,
    secret_key: Option<KeyIssue>,
}

impl SignatureHint {
    /// Checks the clock against the answer's `Date` header (`None` when absent or not an
    /// HTTP date) and the credentials the request was signed with (`None`: unsigned).
    pub(crate) fn check(
        date: Option<&[u8]>,
        signed_at: u64,
        credentials: Option<&Credentials>,
    ) -> SignatureHint {
        let server = date
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok());
        let signed_at = i64::try_from(signed_at).unwrap_or(i64::MAX);
        SignatureHint {
            clock_skew_secs: server.map(|s| s.saturating_sub(signed_at)),
            secret_id: credentials.and_then(|c| KeyIssue::of(c.secret_id())),
            secret_key: credentials.and_then(|c| KeyIssue::of(c.secret_key())),
        }
    }

    /// Seconds by which the server's clock (its `Date` header) was ahead of the request's
    /// timestamp: positive when the local clock is behind, negative when it is ahead.
    /// `None` when the answer carried no usable `Date`. Within about a second plus the
    /// round trip it means the clocks agree.
    pub fn clock_skew_secs(&self) -> Option<i64> {
        self.clock_skew_secs
    }

    /// Whether the measured skew is large enough to be a wrong clock rather than latency
    /// (at least [`NOTABLE_CLOCK_SKEW_SECS`]).
    pub fn clock_is_off(&self) -> bool {
        self.clock_skew_secs
            .is_some_and(|s| s.abs() >= NOTABLE_CLOCK_SKEW_SECS)
    }

    /// What is odd about the SecretId, if anything.
    pub fn secret_id_issue(&self) -> Option<KeyIssue> {
        self.secret_id
    }

    /// What is odd about the SecretKey, if anything (the key is never shown).
    pub fn secret_key_issue(&self) -> Option<KeyIssue> {
        self.secret_key
    }

    /// Whether any local cause was found.
    pub fn found_cause(&self) -> bool {
        self.clock_is_off() || self.secret_id.is_some() || self.secret_key.is_some()
    }
}

impl fmt::Display for SignatureHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("local checks: ")?;
        match self.clock_skew_secs {
            Some(s) if s.abs() >= NOTABLE_CLOCK_SKEW_SECS => write!(
                f,
                "the local clock is {} s {} the server's (its Date header): fix the clock or sync it (NTP)",
                s.abs(),
                if s > 0 { "behind" } else { "ahead of" }
            )?,
            Some(s) => write!(f, "the local clock is within {} s of the server's", s.abs().max(1))?,
            None => f.write_str("the clock could not be compared (no Date header)")?,
        }
        for (name, issue) in [("SecretId", self.secret_id), ("SecretKey", self.secret_key)] {
            if let Some(issue) = issue {
                write!(f, "; the {name} {}", issue.describe())?;
            }
        }
        if self.secret_id.is_none() && self.secret_key.is_none() {
            f.write_str("; the SecretId and SecretKey are plain printable ASCII")?;
        }
        if !self.found_cause() {
            f.write_str(
                " (so check that the SecretKey is the one issued with this SecretId, and that nothing changes the request after signing)",
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn date(t: SystemTime) -> String {
        httpdate::fmt_http_date(t)
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn skew_is_the_servers_date_minus_the_signing_time() {
        let d = date(at(1_700_003_600));
        let h = SignatureHint::check(Some(d.as_bytes()), 1_700_000_000, None);
        assert_eq!(h.clock_skew_secs(), Some(3600));
        assert!(h.clock_is_off() && h.found_cause());
        assert!(h.to_string().contains("3600 s behind"), "{h}");

        let d = date(at(1_699_999_000));
        let h = SignatureHint::check(Some(d.as_bytes()), 1_700_000_000, None);
        assert_eq!(h.clock_skew_secs(), Some(-1000));
        assert!(h.to_string().contains("1000 s ahead of"), "{h}");

        let d = date(at(1_700_000_001));
        let h = SignatureHint::check(Some(d.as_bytes()), 1_700_000_000, None);
        assert!(!h.clock_is_off() && !h.found_cause());
        assert!(h.to_string().contains("within 1 s"), "{h}");

        for bad in [&b"yesterday"[..], b"\xff\xfe"] {
            let h = SignatureHint::check(Some(bad), 1_700_000_000, None);
            assert_eq!(h.clock_skew_secs(), None);
        }
        assert_eq!(SignatureHint::check(None, 1, None).clock_skew_secs(), None);
    }

    #[test]
    fn odd_keys_are_named_but_never_shown() {
        let secret = "keyWith Space0000000000000000000";
        let c = Credentials::new("AKID\u{200b}zerowidth", secret, None);
        let h = SignatureHint::check(None, 1, Some(&c));
        assert_eq!(h.secret_id_issue(), Some(KeyIssue::NotPrintableAscii));
        assert_eq!(h.secret_key_issue(), Some(KeyIssue::WhiteSpace));
        let shown = h.to_string();
        assert!(
            shown.contains("the SecretKey contains white space"),
            "{shown}"
        );
        assert!(
            shown.contains("the SecretId contains characters other than printable ASCII"),
            "{shown}"
        );
        assert!(!shown.contains("keyWith"), "{shown}");

        let plain = Credentials::new("AKIDplain", "plainKey", None);
        let h = SignatureHint::check(None, 1, Some(&plain));
        assert_eq!((h.secret_id_issue(), h.secret_key_issue()), (None, None));
        assert!(h.to_string().contains("plain printable ASCII"), "{h}");
    }

    #[test]
    fn only_the_two_signature_codes_get_hints() {
        assert!(is_signature_code("AuthFailure.SignatureFailure"));
        assert!(is_signature_code("AuthFailure.SignatureExpire"));
        assert!(!is_signature_code("AuthFailure.SecretIdNotFound"));
    }
}
