//! One call of any action: the request body built from the command line, sent through the
//! SDK's typed action (so its metadata, rate limit, retry rules and idempotency token
//! apply), the `Response` object kept as JSON.

use std::time::Duration;

use hai_sdk::{Action, ProvideErrorMetadata};
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

use crate::json::Json;

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

/// The request of action `A` as a JSON body the command line built.
struct Raw<A> {
    body: Json,
    _action: std::marker::PhantomData<fn() -> A>,
}

impl<A> Serialize for Raw<A> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(s)
    }
}

impl<A: Action + DeserializeOwned> Action for Raw<A> {
    type Output = Json;
    type Error = A::Error;
    const META: &'static hai_sdk::ActionMeta = A::META;

    fn fill_idempotency_token(&mut self) {
        if self.body.get("ClientToken").is_some() {
            return;
        }
        // The typed request knows whether the action has a token and how to make one.
        let Ok(mut typed) = serde_json::from_str::<A>(&self.body.to_compact()) else {
            return;
        };
        typed.fill_idempotency_token();
        if let Ok(value) = serde_json::to_value(&typed) {
            if let Some(serde_json::Value::String(token)) = value.get("ClientToken") {
                self.body.set("ClientToken", Json::Str(token.clone()));
            }
        }
    }
}

/// Sends `body` as action `A` and returns the `Response` object.
pub async fn send<A: Action + DeserializeOwned>(
    client: &hai_sdk::Client,
    body: Json,
    settings: &CallSettings,
) -> Result<Json, CallError> {
    let raw = Raw::<A> {
        body,
        _action: std::marker::PhantomData,
    };
    let mut call = client.call(raw);
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
