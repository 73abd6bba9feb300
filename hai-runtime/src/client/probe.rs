//! Finds `Response.Error` in an answer without building a JSON tree.
//!
//! The probe walks the envelope with serde's streaming deserializer: it keeps only
//! `Response.Error.Code`, `Response.Error.Message` and `Response.RequestId`, and skips every
//! other value with [`IgnoredAny`], which allocates nothing. So an 8 MiB body padded with
//! a long array costs no more memory than the body itself. Whatever shape `Response.Error`
//! has, the probe reports it: a failed call must never decode as a success.

use std::fmt;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// The visitor methods for every JSON value but strings and objects: skip it (arrays without
/// allocating) and answer `$value`.
macro_rules! other_values_are {
    ($ty:ty, $value:expr) => {
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<$ty, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
        fn visit_bool<E>(self, _: bool) -> Result<$ty, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$ty, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$ty, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$ty, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<$ty, E> {
            Ok($value)
        }
    };
}

/// What the probe found.
#[derive(Debug)]
pub(crate) enum Probe {
    /// A well-formed JSON document without `Response.Error`.
    NoError,
    /// `Response.Error` with a string `Code`.
    Service {
        code: String,
        message: String,
        request_id: String,
    },
    /// `Response.Error` is present but not an object with a string `Code`.
    Malformed { request_id: String },
    /// Not JSON, or nested deeper than the parser allows: nothing can be said.
    Unparseable(serde_json::Error),
}

/// Probes `body`.
pub(crate) fn probe(body: &[u8]) -> Probe {
    let mut de = serde_json::Deserializer::from_slice(body);
    match de.deserialize_any(TopVisitor).and_then(|found| {
        de.end()?;
        Ok(found)
    }) {
        Ok(Found::Nothing) => Probe::NoError,
        Ok(Found::Error { error, request_id }) => match error {
            ErrorField::Ok { code, message } => Probe::Service {
                code,
                message,
                request_id: request_id.unwrap_or_default(),
            },
            ErrorField::Malformed => Probe::Malformed {
                request_id: request_id.unwrap_or_default(),
            },
        },
        Err(e) => Probe::Unparseable(e),
    }
}

/// Whether a body may carry `Response.Error` and so needs the probe: the plain key, or any
/// `\u` escape (a key could be spelt `"Err\u006fr"`). Bodies without either skip the probe.
pub(crate) fn may_carry_error(body: &[u8]) -> bool {
    // Built once: building a searcher per call showed in the per-call profile.
    static ERROR_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"Error\""));
    static ESCAPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\u"));
    ERROR_KEY.find(body).is_some() || ESCAPE.find(body).is_some()
}

enum Found {
    Nothing,
    Error {
        error: ErrorField,
        request_id: Option<String>,
    },
}

enum ErrorField {
    Ok { code: String, message: String },
    Malformed,
}

/// The top level: any JSON value; only an object's `Response` member matters.
struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut found = Found::Nothing;
        while let Some(key) = map.next_key::<Key>()? {
            if key.is("Response") && matches!(found, Found::Nothing) {
                found = map.next_value_seed(ResponseSeed)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    other_values_are!(Found, Found::Nothing);
    fn visit_str<E>(self, _: &str) -> Result<Found, E> {
        Ok(Found::Nothing)
    }
}

/// `Response`: collects `Error` (any shape) and `RequestId`.
struct ResponseSeed;

impl<'de> DeserializeSeed<'de> for ResponseSeed {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
        d.deserialize_any(ResponseVisitor)
    }
}

struct ResponseVisitor;

impl<'de> Visitor<'de> for ResponseVisitor {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut error = None;
        let mut request_id = None;
        while let Some(key) = map.next_key::<Key>()? {
            if key.is("Error") && error.is_none() {
                error = Some(map.next_value_seed(ErrorSeed)?);
            } else if key.is("RequestId") && request_id.is_none() {
                request_id = map.next_value::<Lenient>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(match error {
            Some(error) => Found::Error { error, request_id },
            None => Found::Nothing,
        })
    }

    // Any other shape of `Response` is not an error envelope; decoding will judge it.
    other_values_are!(Found, Found::Nothing);
    fn visit_str<E>(self, _: &str) -> Result<Found, E> {
        Ok(Found::Nothing)
    }
}

/// `Response.Error`: an object with a string `Code` is well-formed; anything else
/// (`null` included) is a malformed error, still an error.
struct ErrorSeed;

impl<'de> DeserializeSeed<'de> for ErrorSeed {
    type Value = ErrorField;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ErrorField, D::Error> {
        d.deserialize_any(ErrorVisitor)
    }
}

struct ErrorVisitor;

impl<'de> Visitor<'de> for ErrorVisitor {
    type Value = ErrorField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Error object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorField, A::Error> {
        let mut code = None;
        let mut message = None;
        let mut code_seen = false;
        while let Some(key) = map.next_key::<Key>()? {
            if key.is("Code") && !code_seen {
                code_seen = true;
                code = map.next_value::<Lenient>()?.0;
            } else if key.is("Message") && message.is_none() {
                message = map.next_value::<Lenient>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(match code {
            Some(code) => ErrorField::Ok {
                code,
                message: message.unwrap_or_default(),
            },
            None => ErrorField::Malformed,
        })
    }

    other_values_are!(ErrorField, ErrorField::Malformed);
    fn visit_str<E>(self, _: &str) -> Result<ErrorField, E> {
        Ok(ErrorField::Malformed)
    }
}

/// An object key, compared without keeping it (escaped keys are decoded first).
struct Key(KeyText);

enum KeyText {
    Known(&'static str),
    Other,
}

impl Key {
    fn is(&self, name: &str) -> bool {
        matches!(self.0, KeyText::Known(k) if k == name)
    }
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                const KNOWN: [&str; 5] = ["Response", "Error", "Code", "Message", "RequestId"];
                Ok(Key(KNOWN
                    .iter()
                    .find(|k| **k == v)
                    .map_or(KeyText::Other, |k| KeyText::Known(k))))
            }
        }
        d.deserialize_str(V)
    }
}

/// A string value, or `None` for a value of any other type (skipped without allocating).
struct Lenient(Option<String>);

impl<'de> de::Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lenient, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Lenient, E> {
                Ok(Lenient(Some(v.to_owned())))
            }
            other_values_are!(Lenient, Lenient(None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lenient, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str, message: &str, request_id: &str) -> String {
        format!(
            "{:?}",
            Probe::Service {
                code: code.into(),
                message: message.into(),
                request_id: request_id.into(),
            }
        )
    }

    fn probe(body: &[u8]) -> String {
        format!("{:?}", super::probe(body))
    }

    #[test]
    fn well_formed_errors_and_successes() {
        assert_eq!(
            probe(
                br#"{"Response":{"Error":{"Code":"InternalError","Message":"m"},"RequestId":"r"}}"#
            ),
            service("InternalError", "m", "r")
        );
        assert_eq!(
            probe(br#"{"Response":{"RequestId":"r","Error":{"Message":"m","Code":"C"}}}"#),
            service("C", "m", "r")
        );
        assert_eq!(
            probe(br#"{"Response":{"Note":"\"Error\"","RequestId":"r"}}"#),
            "NoError"
        );
        assert_eq!(probe(br#"{"Other":{"Error":{"Code":"C"}}}"#), "NoError");
        assert_eq!(probe(br#"[1,2]"#), "NoError");
    }

    #[test]
    fn escaped_keys_are_keys() {
        assert_eq!(
            probe(br#"{"Respons\u0065":{"Err\u006fr":{"C\u006fde":"X"},"RequestId":"r"}}"#),
            service("X", "", "r")
        );
        assert!(may_carry_error(br#"{"Err\u006fr":1}"#));
        assert!(!may_carry_error(br#"{"Response":{"RequestId":"r"}}"#));
    }

    #[test]
    fn any_other_shape_of_error_is_malformed_never_success() {
        for body in [
            r#"{"Response":{"Error":{"Code":7,"Message":"m"},"RequestId":"r"}}"#,
            r#"{"Response":{"Error":{"Message":"no code"},"RequestId":"r"}}"#,
            r#"{"Response":{"Error":null,"RequestId":"r"}}"#,
            r#"{"Response":{"Error":"InternalError","RequestId":"r"}}"#,
            r#"{"Response":{"Error":[{"Code":"C"}],"RequestId":"r"}}"#,
            r#"{"Response":{"Error":{"Code":{"deep":[1]}},"RequestId":"r"}}"#,
        ] {
            assert_eq!(
                probe(body.as_bytes()),
                r#"Malformed { request_id: "r" }"#,
                "{body}"
            );
        }
    }

    #[test]
    fn non_string_message_and_request_id_are_lenient() {
        assert_eq!(
            probe(br#"{"Response":{"Error":{"Code":"C","Message":5},"RequestId":9}}"#),
            service("C", "", "")
        );
    }

    #[test]
    fn deep_padding_cannot_hide_an_error() {
        // Skipped values are not subject to the parser's recursion limit, so padding nested
        // far deeper than a decoder accepts still leaves the error visible.
        let pad = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let after = format!(r#"{{"Response":{{"Error":{{"Code":"C"}},"Pad":{pad}}}}}"#);
        assert_eq!(probe(after.as_bytes()), service("C", "", ""));
        let before = format!(r#"{{"Pad":{pad},"Response":{{"Error":{{"X":{pad},"Code":"C"}}}}}}"#);
        assert_eq!(probe(before.as_bytes()), service("C", "", ""));
    }

    #[test]
    fn garbage_is_unparseable() {
        let unparseable = |b: &[u8]| matches!(super::probe(b), Probe::Unparseable(_));
        assert!(unparseable(b"<html>Error</html>"));
        assert!(unparseable(
            br#"{"Response":{"Error":{"Code":"C"}}} trailing"#
        ));
        assert!(unparseable(br#"{"Response":{"Error":{"Code":"C""#));
    }
}
