//! Errors of every call: the outer [`Error`] and the service error model.
//!
//! SKELETON: the transport-side structs are filled in by the runtime work.

mod service;

pub use service::*;

use std::fmt;

/// Everything that can go wrong with one call. `E` is the action's typed service error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The service answered with an error envelope.
    Service(E),
    /// Placeholder until the runtime lands.
    Other(String),
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Service(e) => e.fmt(f),
            Error::Other(s) => f.write_str(s),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Service(e) => Some(e),
            Error::Other(_) => None,
        }
    }
}
