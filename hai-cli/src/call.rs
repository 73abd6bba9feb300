//! One call of any action: the request body built from the command line, sent by the
//! runtime's untyped call with the action's generated metadata (so its rate limit, retry
//! rules and idempotency token apply), the `Response` object kept as JSON.

use std::time::Duration;

use crate::json::Json;
use crate::table::ACTIONS;

/// Per-call settings from the command line.
#[derive(Debug, Clone, Default)]
pub struct CallSettings {
    /// `--timeout`: bound of each attempt.
    pub timeout: Option<Duration>,
}

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// The table names no such action (a generator bug).
    NoSuchAction,
    /// The service answered with an error.
    Service {
        /// Error code.
        code: String,
        /// The service's message.
        message: String,
        /// RequestId of the failed call.
        request_id: String,
    },
    /// Anything else: no credentials, network, timeout, an answer that is no envelope.
    Other(String),
}

/// Sends `body` as action number `action` of the table and returns the `Response` object.
pub async fn send(
    client: &hai_sdk::Client,
    action: usize,
    body: Json,
    settings: &CallSettings,
) -> Result<Json, CallError> {
    let def = ACTIONS.get(action).ok_or(CallError::NoSuchAction)?;
    let body = serde_json::to_value(&body).map_err(|e| CallError::Other(e.to_string()))?;
    let mut call = client.config().call_json::<Json>(def.meta, body);
    if let Some(t) = settings.timeout {
        call = call.timeout(Some(t));
    }
    call.await.map_err(|e| match e {
        hai_sdk::Error::Service(s) => CallError::Service {
            code: s.code().to_owned(),
            message: s.message().to_owned(),
            request_id: s.request_id().to_owned(),
        },
        other => CallError::Other(other.to_string()),
    })
}
