//! Action handlers. Parameters arrive already validated against the spec; each handler
//! decodes them into its request type, acts on the store and returns the response fields
//! (without `RequestId`).

mod instances;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::service::Shared;

/// Action names the emulator implements (others in the spec get `UnsupportedOperation`).
pub const EMULATED_ACTIONS: &[&str] = &[
    "DescribeInstances",
    "StartInstance",
    "StopInstance",
    "TerminateInstances",
];

pub(crate) async fn dispatch(
    shared: &Shared,
    action: &str,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    match action {
        "StopInstance" => instances::stop_instance(shared, params).await,
        "StartInstance" => instances::start_instance(shared, params).await,
        "DescribeInstances" => instances::describe_instances(shared, params),
        "TerminateInstances" => instances::terminate_instances(shared, params).await,
        other => Err(ApiError::new(
            "UnsupportedOperation",
            format!("hai-emulator does not emulate `{other}` yet."),
        )),
    }
}

/// Decodes validated parameters into a request type.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    params: Map<String, Value>,
) -> Result<T, ApiError> {
    serde_json::from_value(Value::Object(params))
        .map_err(|e| ApiError::new("InvalidParameter", format!("Invalid parameters: {e}.")))
}
