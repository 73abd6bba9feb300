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

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes an [`UnknownValue`]; only generated code calls this.
#[doc(hidden)]
pub fn __unknown_value(_: crate::__private::Sealed, value: &str) -> UnknownValue {
    UnknownValue(value.into())
}
