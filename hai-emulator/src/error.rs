//! Service errors as the emulator answers them, and the JSON envelopes that carry them.

use serde_json::{json, Map, Value};

/// A documented Tencent Cloud error code with its message, as put in `Response.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error code, e.g. `UnsupportedOperation.InstanceStateStoppedNoCharge`.
    pub code: String,
    /// Human-readable explanation (never contains secrets).
    pub message: String,
}

impl ApiError {
    /// Builds an error from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: code.into(),
            message: message.into(),
        }
    }

    pub(crate) fn missing(name: &str) -> Self {
        Self::new(
            "MissingParameter",
            format!(
                "The request is missing a required parameter `{}`.",
                shown(name)
            ),
        )
    }

    pub(crate) fn unknown(name: &str) -> Self {
        Self::new(
            "UnknownParameter",
            format!("The parameter `{}` is not recognized.", shown(name)),
        )
    }

    pub(crate) fn invalid_type(name: &str, expected: &str) -> Self {
        Self::new(
            "InvalidParameter",
            format!(
                "The type of parameter `{}` is invalid: expected {expected}.",
                shown(name)
            ),
        )
    }

    /// A value the rule for requests cannot read as its member's declared type.
    pub(crate) fn mistyped(name: &str, mismatch: &hai_sdk::decode::ScalarMismatch) -> Self {
        Self::new(
            "InvalidParameter",
            format!(
                "The type of parameter `{}` is invalid: {mismatch}.",
                shown(name)
            ),
        )
    }

    pub(crate) fn invalid_value(name: &str, why: &str) -> Self {
        Self::new(
            "InvalidParameterValue",
            format!(
                "The value of parameter `{}` is invalid: {why}.",
                shown(name)
            ),
        )
    }

    pub(crate) fn auth(code: &str, message: impl Into<String>) -> Self {
        Self::new(code, message)
    }
}

/// A parameter name from the request (an unknown key, a map key in a path) with its control
/// characters escaped, so no message carries them raw.
fn shown(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// `{"Response":{"Error":{"Code","Message"},"RequestId"}}`
pub(crate) fn error_envelope(err: &ApiError, request_id: &str) -> Value {
    json!({
        "Response": {
            "Error": { "Code": err.code, "Message": err.message },
            "RequestId": request_id,
        }
    })
}

/// `{"Response":{...fields,"RequestId"}}`
pub(crate) fn success_envelope(mut fields: Map<String, Value>, request_id: &str) -> Value {
    fields.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
    let mut outer = Map::new();
    outer.insert("Response".to_owned(), Value::Object(fields));
    Value::Object(outer)
}

/// A fresh RequestId, as the real service sends (a UUID v4).
pub(crate) fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
