//! Small value types shared by generated code.

use std::fmt;

/// A string enum value the spec does not know (the service added one since).
///
/// Sealed: it is only made while decoding, so `Unknown` never holds a known value.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// The value as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Escaped and capped like all service text ([`as_str`](Self::as_str) is the raw value), so
/// an odd state in a waiter's message cannot forge a log line.
impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::error::shown::{Shown, CODE_SHOWN};
        fmt::Display::fmt(&Shown::new(&self.0, CODE_SHOWN), f)
    }
}

/// Makes an [`UnknownValue`]; only generated code calls this.
#[doc(hidden)]
pub fn __unknown_value(_: crate::__private::Sealed, value: &str) -> UnknownValue {
    UnknownValue(value.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_values_display_escaped_and_keep_the_raw_value() {
        let v = super::__unknown_value(crate::__private::SEALED, "NEW\r\nFORGED");
        assert_eq!(v.to_string(), "NEW\\r\\nFORGED");
        assert_eq!(v.as_str(), "NEW\r\nFORGED");
    }

    /// Generated types decode through the runtime's serde_json, whose `float_roundtrip`
    /// makes every float of an answer come back as Tencent wrote it (nlp's documented
    /// `AnalyzeSentiment` answer has `Positive: 0.9263598322868347`).
    #[test]
    fn floats_in_answers_parse_exactly() {
        for text in ["0.9263598322868347", "0.1", "1e-7", "123456.78901234567"] {
            let v: f64 = crate::__private::serde_json::from_str(text).unwrap();
            let back: f64 = text.parse().unwrap();
            assert_eq!(v.to_bits(), back.to_bits(), "{text}");
        }
    }
}
