//! How answers (and requests read from JSON) are decoded into generated types when their
//! members do not have the types the service's api.json declares.
//!
//! Real answers disagree with the declared types: an integer sent as a string, a number
//! where a string is declared, a `null` inside a list. A strict typed decoder loses the whole
//! answer for one such member. The rule here keeps everything it can and hides nothing:
//!
//! 1. **Lossless conversions are taken**, each listed as [`MismatchOutcome::Converted`]:
//!    - a number (or `true`/`false`) where a string is declared becomes its JSON text
//!      (`1` reads as `"1"`);
//!    - a string holding a canonical decimal integer where an integer is declared becomes the
//!      integer (`"10"` reads as `10`; `"010"`, `" 1"` and `"1e3"` do not);
//!    - a whole float where an integer is declared becomes the integer (`2.0` reads as `2`);
//!    - a string holding a JSON number where a float is declared becomes the number;
//!    - `"true"`/`"false"` (any letter case) where a boolean is declared become the boolean;
//!    - a single value where a list is declared becomes a list of one.
//! 2. **Anything else reads as absent and is reported**, as [`MismatchOutcome::Absent`]: the
//!    member that holds the value (the list, for an element of a list) decodes as `None`, and
//!    the rest of the answer decodes normally. An integer beyond its Rust type, a `null`
//!    inside a list and a string where a structure is declared are such values.
//! 3. **Every mismatch is reported** with its JSON path, the declared type and the value: on
//!    the decoded output (`decode_report()` of a generated response), as a `tracing` event
//!    (target `hai_runtime::decode`; `warn` for absent members, `debug` for conversions), and
//!    the raw answer is kept beside it whenever there is one.
//! 4. **Strict decoding** (`ConfigBuilder::strict_decoding`) turns the rule off: the first
//!    mismatch fails the call with a [`DecodeError`](crate::error::DecodeError) naming its path
//!    and keeping the raw body.
//!
//! The rule costs nothing on a well-typed answer: the body is parsed straight into the
//! output type, and only when that fails is it parsed again as JSON and walked by this
//! module. Requests read from JSON ([`from_value`]) follow the same rule; a caller that must
//! refuse what the service would refuse (the emulator, `--cli-input-json`) checks
//! [`Mismatch::outcome`].
//!
//! **Requests** follow [`request_from_value`]'s rule: the conversions above except that a
//! float is never read as an integer; a caller refuses a request holding a value that does
//! not convert rather than send it without that member. [`convert_scalar`] is the same rule
//! for one scalar, for callers that walk a request against the spec themselves (the
//! emulator's validation, `hai --cli-input-json`); its docs give the sources showing that
//! the service takes strings.

mod direct;
mod request;
mod walk;

pub use request::{convert_scalar, ScalarMismatch, ScalarType};

use std::cell::RefCell;
use std::fmt;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use walk::{Ctx, De, Kind, OwnedSeg, Path, WalkError};

/// At most this many members are taken out of one value before decoding gives up.
const MAX_ABSENT: usize = 1000;

/// One member whose value did not have its declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    path: String,
    expected: String,
    found: String,
    outcome: MismatchOutcome,
}

/// What the lenient rule did with a [`Mismatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MismatchOutcome {
    /// Converted without loss to the declared type.
    Converted,
    /// Not convertible: the member at `member` (the value's own path, or the list holding
    /// it) reads as absent.
    Absent {
        /// JSON path of the member that reads as absent.
        member: String,
    },
}

impl Mismatch {
    /// JSON path of the value, e.g. `Response.TemplateSet[0].ComputeSet[0].CPU`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The declared type, as serde names it (`a string`, `i64`, `struct Instance`).
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// The value as JSON text, cut at 120 bytes.
    pub fn found(&self) -> &str {
        &self.found
    }

    /// Whether the value was converted or its member reads as absent.
    pub fn outcome(&self) -> &MismatchOutcome {
        &self.outcome
    }

    /// Whether the member's value was lost (reads as absent).
    pub fn is_absent(&self) -> bool {
        matches!(self.outcome, MismatchOutcome::Absent { .. })
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, found {}",
            self.path, self.expected, self.found
        )?;
        match &self.outcome {
            MismatchOutcome::Converted => f.write_str(" (converted)"),
            MismatchOutcome::Absent { member } if *member == self.path => {
                f.write_str(" (reads as absent)")
            }
            MismatchOutcome::Absent { member } => write!(f, " ({member} reads as absent)"),
        }
    }
}

/// What decoding an answer found beside the typed value: every [`Mismatch`], and the raw
/// answer whenever there is one, so nothing the service sent is lost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodeReport {
    mismatches: Vec<Mismatch>,
    raw: Option<Bytes>,
}

impl DecodeReport {
    /// Members that did not have their declared types, in the order met.
    pub fn mismatches(&self) -> &[Mismatch] {
        &self.mismatches
    }

    /// `true` when every member had its declared type.
    pub fn is_clean(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// The whole answer as received (`{"Response": ...}`), kept when there are mismatches.
    pub fn raw_json(&self) -> Option<&[u8]> {
        self.raw.as_deref()
    }

    /// The whole answer parsed as JSON, when it was kept.
    pub fn raw_value(&self) -> Option<Value> {
        self.raw
            .as_ref()
            .and_then(|b| serde_json::from_slice(b).ok())
    }
}

/// Why a value could not be decoded even under the lenient rule (or, strict, at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure {
    path: String,
    kind: FailureKind,
    message: String,
}

/// The kind of a [`DecodeFailure`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// A required member is absent.
    MissingMember {
        /// Its wire name.
        member: String,
    },
    /// A value does not have its declared type (strict decoding, or a required member).
    Mismatch {
        /// The declared type, as serde names it.
        expected: String,
        /// The value as JSON text, cut at 120 bytes.
        found: String,
    },
    /// Anything else the type refused.
    Other,
}

impl DecodeFailure {
    /// JSON path of the value that failed (for a missing member, the member's own path).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What failed.
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    fn from_walk(root: &str, e: WalkError) -> Self {
        let (segs, found) = e.at.unwrap_or_default();
        let mut path = walk::render(root, &segs);
        let kind = match e.kind {
            Kind::Missing { member } => {
                let mut segs = segs;
                segs.push(OwnedSeg::Key(member.to_owned()));
                path = walk::render(root, &segs);
                FailureKind::MissingMember {
                    member: member.to_owned(),
                }
            }
            Kind::Mismatch { expected } => FailureKind::Mismatch { expected, found },
            Kind::Other => FailureKind::Other,
        };
        DecodeFailure {
            path,
            kind,
            message: e.message,
        }
    }
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "the value"
        } else {
            &self.path
        };
        match &self.kind {
            FailureKind::Mismatch { found, .. } => {
                write!(f, "{at}: {} (found {found})", self.message)
            }
            _ => write!(f, "{at}: {}", self.message),
        }
    }
}

impl std::error::Error for DecodeFailure {}

/// Decodes `value` as `T` under the lenient rule; `root` names the value in paths
/// (`"Response"` for an answer, `""` for a request). Returns the value and every mismatch,
/// or a failure naming its path when even the rule cannot decode it (a required member
/// absent or mistyped, or a type that refuses it otherwise).
pub fn from_value<T: DeserializeOwned>(
    value: &Value,
    root: &str,
) -> Result<(T, Vec<Mismatch>), DecodeFailure> {
    lenient(value, root, true)
}

/// Decodes a request read from JSON (`--cli-input-json`, a request the emulator received)
/// under the rule for requests: [`from_value`]'s, except that a float is never read as an
/// integer (Tencent's service refuses `1.0` for an integer member, while it takes integers,
/// floats and booleans written as strings, as every GET and form-encoded call sends them).
/// Paths start at the request's members (`Filters[0].Values`).
pub fn request_from_value<T: DeserializeOwned>(
    value: &Value,
) -> Result<(T, Vec<Mismatch>), DecodeFailure> {
    lenient(value, "", false)
}

fn lenient<T: DeserializeOwned>(
    value: &Value,
    root: &str,
    whole_floats: bool,
) -> Result<(T, Vec<Mismatch>), DecodeFailure> {
    let mut owned: Option<Value> = None;
    let mut absent: Vec<Mismatch> = Vec::new();
    // The member last taken out, and why: if its absence is what fails next, that is the
    // failure to report.
    let mut last: Option<(Vec<OwnedSeg>, WalkError)> = None;
    loop {
        let v = owned.as_ref().unwrap_or(value);
        let cx = Ctx {
            convert: true,
            whole_floats,
            root,
            converted: RefCell::new(Vec::new()),
        };
        let e = match T::deserialize(De {
            v,
            path: &Path::ROOT,
            cx: &cx,
        }) {
            Ok(t) => {
                let mut all = absent;
                all.extend(cx.converted.into_inner());
                return Ok((t, all));
            }
            Err(e) => e,
        };
        let segs = e.at.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
        if let (Kind::Missing { member }, Some((removed, cause))) = (&e.kind, &last) {
            let mut missing = segs.clone();
            missing.push(OwnedSeg::Key((*member).to_owned()));
            if missing == *removed {
                // A `null` for a required member is that member omitted.
                if cause.at.as_ref().is_some_and(|(_, found)| found == "null") {
                    return Err(DecodeFailure::from_walk(root, e));
                }
                return Err(DecodeFailure::from_walk(root, cause.clone()));
            }
        }
        if !matches!(e.kind, Kind::Mismatch { .. }) || absent.len() >= MAX_ABSENT {
            return Err(DecodeFailure::from_walk(root, e));
        }
        let target = owned.get_or_insert_with(|| value.clone());
        let Some(member) = walk::remove_member(target, &segs) else {
            return Err(DecodeFailure::from_walk(root, e));
        };
        let found = e.at.as_ref().map(|(_, f)| f.clone()).unwrap_or_default();
        let Kind::Mismatch { expected } = &e.kind else {
            unreachable!("checked above")
        };
        absent.push(Mismatch {
            path: walk::render(root, &segs),
            expected: expected.clone(),
            found,
            outcome: MismatchOutcome::Absent {
                member: walk::render(root, &member),
            },
        });
        last = Some((member, e));
    }
}

/// Decodes a whole answer body (`{"Response": {...}}`) as a call does: straight into `T`
/// when every member has its declared type, else under the lenient rule. For answers saved
/// elsewhere (logs, fixtures, Tencent's documented examples).
pub fn from_answer<T: DeserializeOwned>(body: &[u8]) -> Result<(T, Vec<Mismatch>), DecodeFailure> {
    decode_answer::<T>(body, false).map_err(|e| DecodeFailure {
        path: e.path.unwrap_or_default(),
        kind: FailureKind::Other,
        message: e.source.to_string(),
    })
}

/// Decodes `value` as `T` with no conversion at all; a failure names the first path that
/// does not match its declared type.
pub fn strict_from_value<T: DeserializeOwned>(
    value: &Value,
    root: &str,
) -> Result<T, DecodeFailure> {
    let cx = Ctx {
        convert: false,
        whole_floats: false,
        root,
        converted: RefCell::new(Vec::new()),
    };
    T::deserialize(De {
        v: value,
        path: &Path::ROOT,
        cx: &cx,
    })
    .map_err(|e| DecodeFailure::from_walk(root, e))
}

/// The `Response` member of an answer envelope.
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(rename = "Response")]
    response: T,
}

/// The answer of a successful call decoded as `T`, with what the rule did.
pub(crate) struct Decoded<T> {
    pub(crate) output: T,
    pub(crate) report: DecodeReport,
}

/// Why an answer did not decode: serde_json's error and, when the body is JSON, the path.
pub(crate) struct AnswerError {
    pub(crate) source: serde_json::Error,
    pub(crate) path: Option<String>,
}

/// Decodes an answer body (`{"Response": {...}}`): straight into `T` when every member has
/// its declared type, else under the lenient rule (or, `strict`, failing with the path).
pub(crate) fn answer<T: DeserializeOwned>(
    body: &Bytes,
    strict: bool,
) -> Result<Decoded<T>, AnswerError> {
    let (output, mismatches) = decode_answer::<T>(body, strict)?;
    // The raw answer is kept (a reference count, not a copy) only beside mismatches.
    let raw = (!mismatches.is_empty()).then(|| body.clone());
    Ok(Decoded {
        output,
        report: DecodeReport { mismatches, raw },
    })
}

fn decode_answer<T: DeserializeOwned>(
    body: &[u8],
    strict: bool,
) -> Result<(T, Vec<Mismatch>), AnswerError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = Envelope::<T>::deserialize(direct::Direct(&mut de)).and_then(|envelope| {
        de.end()?;
        Ok(envelope)
    });
    match parsed {
        Ok(envelope) => Ok((envelope.response, Vec::new())),
        Err(direct) => slow_answer(body, strict, direct),
    }
}

#[cold]
fn slow_answer<T: DeserializeOwned>(
    body: &[u8],
    strict: bool,
    direct: serde_json::Error,
) -> Result<(T, Vec<Mismatch>), AnswerError> {
    let fail = |path: Option<String>, direct| {
        Err(AnswerError {
            source: direct,
            path,
        })
    };
    // Not JSON, or no `Response` object: nothing the rule can do.
    let Ok(Value::Object(mut envelope)) = serde_json::from_slice::<Value>(body) else {
        return fail(None, direct);
    };
    let Some(response) = envelope.remove("Response") else {
        return fail(None, direct);
    };
    if strict {
        let e = match strict_from_value::<T>(&response, "Response") {
            // Not a type mismatch: serde_json refused something the walk accepts (such as
            // a duplicate member).
            Ok(_) => return fail(None, direct),
            Err(e) => e,
        };
        let source = <serde_json::Error as serde::de::Error>::custom(&e);
        return fail(Some(e.path), source);
    }
    match from_value::<T>(&response, "Response") {
        Ok((output, mismatches)) => {
            for m in &mismatches {
                if m.is_absent() {
                    tracing::warn!(
                        target: "hai_runtime::decode",
                        path = %m.path, expected = %m.expected, found = %m.found,
                        "answer member does not have its declared type; it reads as absent"
                    );
                } else {
                    tracing::debug!(
                        target: "hai_runtime::decode",
                        path = %m.path, expected = %m.expected, found = %m.found,
                        "answer member converted to its declared type"
                    );
                }
            }
            Ok((output, mismatches))
        }
        Err(e) => {
            let source = <serde_json::Error as serde::de::Error>::custom(&e);
            fail(Some(e.path), source)
        }
    }
}

#[cfg(test)]
mod tests;
