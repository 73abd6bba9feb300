//! Entry points for the coverage-guided fuzz targets in `fuzz/`.
//!
//! Compiled only with `--cfg fuzzing` (which `cargo xtask fuzz` sets), so none of this is
//! part of the public API. Each wrapper calls the very code the client runs; none of them
//! reimplements a decoder, or the fuzzer would be exploring a copy.

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::action::Action;
use crate::client::execute::{classify_response, decode_error};
use crate::client::probe::{self, Probe};
use crate::credentials::{cvm, profile, Credentials, CredentialsError};
use crate::error::{Error, ErrorMetadata};

/// What the error probe made of a body, without its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Well-formed JSON without `Response.Error`.
    NoError,
    /// `Response.Error` with a string `Code`.
    Service,
    /// `Response.Error` in some other shape.
    Malformed,
    /// Not JSON, or nested too deep.
    Unparseable,
}

/// Runs the error probe on `body` (also when the cheap pre-check would skip it).
pub fn probe(body: &[u8]) -> ProbeOutcome {
    match probe::probe(body) {
        Probe::NoError => ProbeOutcome::NoError,
        Probe::Service { .. } => ProbeOutcome::Service,
        Probe::Malformed { .. } => ProbeOutcome::Malformed,
        Probe::Unparseable(_) => ProbeOutcome::Unparseable,
    }
}

/// Whether the probe's pre-check lets `body` through to the probe.
pub fn may_carry_error(body: &[u8]) -> bool {
    probe::may_carry_error(body)
}

/// What a call of `A` returns when the service answers `status` with `body`: the client's
/// response classification, then the same envelope decode as a call, then the mapping to
/// the action's typed error.
pub fn answer<A: Action>(status: u16, body: &[u8]) -> Result<A::Output, Error<A::Error>> {
    let name = A::META.name;
    let body = Bytes::copy_from_slice(body);
    let raw = classify_response(name, status, None, body.clone())
        .map_err(|e| e.map_service(A::Error::from))?;
    drop(raw);
    crate::decode::answer::<A::Output>(&body, false)
        .map(|decoded| decoded.output)
        .map_err(|e| Error::Decode(decode_error(name, status, &body, e)))
}

/// The classification alone, with the untyped error.
pub fn classify(status: u16, body: &[u8]) -> Result<(), Error<ErrorMetadata>> {
    classify_response("Fuzz", status, None, Bytes::copy_from_slice(body)).map(drop)
}

/// One INI section: key -> (value, 1-based line).
pub type Section = BTreeMap<String, (String, usize)>;

/// The credentials file parser; the error is the 1-based line and what is wrong with it.
pub fn parse_ini(bytes: &[u8]) -> Result<BTreeMap<String, Section>, (usize, &'static str)> {
    profile::parse_ini(bytes)
}

/// What the SDK finds wrong with a credential value (whitespace, control characters, ...).
pub fn value_problem(value: &str) -> Option<&'static str> {
    crate::credentials::value_problem(value)
}

/// The role name in the CVM metadata service's role listing.
pub fn metadata_role(body: &[u8]) -> Result<String, CredentialsError> {
    cvm::role_from_listing(body)
}

/// The credentials in the CVM metadata service's JSON answer for `role`.
pub fn metadata_credentials(role: &str, body: &[u8]) -> Result<Credentials, CredentialsError> {
    cvm::credentials_from_answer(role.to_owned(), body)
}
