//! The rule for requests, one scalar at a time: for callers that walk a request against the
//! spec themselves (the emulator's validation, `hai --cli-input-json`) rather than decode it
//! into a generated type with [`request_from_value`](super::request_from_value).
//!
//! It is that function's rule, built on the same tests (`walk::canonical_integer`,
//! `walk::json_number`, `walk::boolean_word`), so the two cannot drift apart; a test in
//! `tests.rs` compares them value by value.

use std::fmt;

use serde_json::{Number, Value};

use super::walk;

/// A scalar type a request member is declared with (api.json's `string`, `boolean`, `int64`,
/// `uint64`, `float64`; an enum is a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScalarType {
    /// `string` (and enums).
    String,
    /// `boolean`.
    Boolean,
    /// `int64`.
    Int64,
    /// `uint64`.
    UInt64,
    /// `float64`.
    Float64,
}

impl ScalarType {
    /// What a value of this type is, as error messages say it (`an integer`).
    pub fn describe(self) -> &'static str {
        match self {
            ScalarType::String => "a string",
            ScalarType::Boolean => "a boolean",
            ScalarType::Int64 => "an integer",
            ScalarType::UInt64 => "a non-negative integer",
            ScalarType::Float64 => "a number",
        }
    }
}

/// A value [`convert_scalar`] cannot read as its declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalarMismatch {
    expected: ScalarType,
    found: String,
    beyond_range: bool,
}

impl ScalarMismatch {
    /// The declared type.
    pub fn expected(&self) -> ScalarType {
        self.expected
    }

    /// The value as JSON text, cut at 120 bytes (JSON escapes every control character).
    pub fn found(&self) -> &str {
        &self.found
    }

    /// Whether the value is an integer beyond the declared type's range.
    pub fn is_beyond_range(&self) -> bool {
        self.beyond_range
    }
}

impl fmt::Display for ScalarMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected {}, found {}",
            self.expected.describe(),
            self.found
        )?;
        match (self.beyond_range, self.expected) {
            (true, ScalarType::UInt64) => f.write_str(" (beyond uint64)"),
            (true, _) => f.write_str(" (beyond int64)"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ScalarMismatch {}

/// Reads `value`, a request member declared as `ty`, under the rule for requests (module
/// docs of [`decode`](super)): `Ok(None)` when it already has that type, `Ok(Some(v))` with
/// the converted value, else the mismatch.
///
/// - `ty` integer: a canonical decimal integer string (`"10"`, `"-3"`; not `"010"`, `" 1"`,
///   `"+1"`, `"1e3"`, `"-0"`) becomes the integer; a float (`1.0`, `2.5`) is refused, and
///   so is an integer beyond `int64` (`uint64`: any negative one, or one beyond `uint64`);
/// - `ty` float: a string holding a JSON number, with nothing around it, becomes the number
///   (not `NaN` or `inf`);
/// - `ty` boolean: `"true"`/`"false"` in any ASCII letter case become the boolean;
/// - `ty` string: a number or boolean becomes its JSON text (`1.5` becomes `"1.5"`).
///
/// `null`, lists and objects are refused for every scalar type: a caller treats a `null`
/// member as absent before asking, and reads a single value for a list as a list of one.
///
/// # Why strings are taken
///
/// Tencent's GET and form-encoded (and multipart) requests send every parameter as a
/// string, so the service converts strings to the declared types: tencentcloud-sdk-go
/// builds them with `strconv.FormatInt`/`FormatBool`/`FormatFloat`
/// (`tencentcloud/common/http/request.go`, `ConstructParams`/`flatStructure`),
/// tencentcloud-sdk-python with `str()`, so booleans go as `True`/`False`
/// (`tencentcloud/common/abstract_client.py`, `_build_req_with_tc3_signature`,
/// `_fix_params`/`_format_params`). Tencent's own request examples (tccli 3.1.189.1,
/// `examples.json`) write `"Limit": "10"` in about 900 members, and tccli's
/// `--cli-input-json` (`tccli/cli_input_json.py`) passes that JSON on unconverted. A float is
/// never taken for an integer: Tencent's Java SDK (PR #262) stopped sending `{"Limit": 1}` as
/// `1.0` because the service refuses it.
pub fn convert_scalar(value: &Value, ty: ScalarType) -> Result<Option<Value>, ScalarMismatch> {
    let refused = |beyond_range| ScalarMismatch {
        expected: ty,
        found: walk::found(value),
        beyond_range,
    };
    match (ty, value) {
        (ScalarType::String, Value::String(_))
        | (ScalarType::Boolean, Value::Bool(_))
        | (ScalarType::Float64, Value::Number(_)) => Ok(None),
        (ScalarType::String, Value::Number(n)) => Ok(Some(Value::String(n.to_string()))),
        (ScalarType::String, Value::Bool(b)) => Ok(Some(Value::String(b.to_string()))),
        (ScalarType::Boolean, Value::String(s)) => walk::boolean_word(s)
            .map(|b| Some(Value::Bool(b)))
            .ok_or_else(|| refused(false)),
        (ScalarType::Float64, Value::String(s)) => walk::json_number(s)
            .and_then(|n| n.as_f64())
            .and_then(Number::from_f64)
            .map(|n| Some(Value::Number(n)))
            .ok_or_else(|| refused(false)),
        (ScalarType::Int64, Value::Number(n)) => match (n.is_i64(), n.is_u64()) {
            (true, _) => Ok(None),
            (false, true) => Err(refused(true)),
            _ => Err(refused(false)),
        },
        (ScalarType::UInt64, Value::Number(n)) if n.is_u64() => Ok(None),
        (ScalarType::Int64, Value::String(s)) if walk::canonical_integer(s) => s
            .parse::<i64>()
            .map(|i| Some(Value::from(i)))
            .map_err(|_| refused(true)),
        (ScalarType::UInt64, Value::String(s)) if walk::canonical_integer(s) => {
            if s.starts_with('-') {
                return Err(refused(false));
            }
            s.parse::<u64>()
                .map(|u| Some(Value::from(u)))
                .map_err(|_| refused(true))
        }
        _ => Err(refused(false)),
    }
}
