//! Entry points for the coverage-guided fuzz targets in `fuzz/`.
//!
//! Compiled only with `--cfg fuzzing` (which `cargo xtask fuzz` sets). They run the
//! emulator's own request pipeline on plain values, without a socket: what hyper hands the
//! handler is exactly a method, a query, a header map and a body.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::auth::{self, SignedRequest};
use crate::config::{EmulatorConfig, Timings};
use crate::service::{RawRequest, Reply, Shared};

/// One request as the server reads it. Header names or values hyper would refuse are
/// dropped, as hyper never delivers them.
#[derive(Debug)]
pub struct Request {
    method: Method,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Request {
    /// Builds a request; `None` when `method` is not a valid HTTP method token.
    pub fn new(
        method: &[u8],
        query: &str,
        headers: &[(&[u8], &[u8])],
        body: &[u8],
    ) -> Option<Self> {
        let method = Method::from_bytes(method).ok()?;
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
                map.append(n, v);
            }
        }
        Some(Request {
            method,
            query: query.to_owned(),
            headers: map,
            body: Bytes::copy_from_slice(body),
        })
    }

    /// Adds a header (replacing any of that name); false when hyper would refuse it.
    pub fn set_header(&mut self, name: &str, value: &str) -> bool {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
                true
            }
            _ => false,
        }
    }

    /// The first value of header `name`, if it is visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The parts of a parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `Credential`'s SecretId.
    pub secret_id: String,
    /// `Credential`'s date.
    pub date: String,
    /// `Credential`'s service.
    pub service: String,
    /// `SignedHeaders`, split.
    pub signed_headers: Vec<String>,
    /// `Signature`, lowercased.
    pub signature: String,
}

/// Parses a TC3 `Authorization` header; the error is the API error code.
pub fn parse_authorization(value: &str) -> Result<Authorization, String> {
    auth::parse_authorization(value)
        .map(|a| Authorization {
            secret_id: a.secret_id,
            date: a.date,
            service: a.service,
            signed_headers: a.signed_headers,
            signature: a.signature,
        })
        .map_err(|e| e.code)
}

/// Parses `req`'s `Authorization` header and checks its signature for `secret_key`; the
/// error is the API error code.
pub fn verify(
    req: &Request,
    secret_key: &str,
    service: &str,
    timestamp: u64,
) -> Result<(), String> {
    let value = req
        .header("authorization")
        .ok_or_else(|| "AuthFailure.InvalidAuthorization".to_owned())?;
    let authz = auth::parse_authorization(value).map_err(|e| e.code)?;
    let signed = SignedRequest {
        method: &req.method,
        query: &req.query,
        headers: &req.headers,
        body: &req.body,
    };
    auth::verify(&signed, &authz, secret_key, service, timestamp, timestamp).map_err(|e| e.code)
}

/// The whole request pipeline (envelope, authentication, validation, dispatch) of an
/// emulator with the default configuration, minus the claim window so nothing sleeps.
pub struct Pipeline {
    config: EmulatorConfig,
    spec: hai_spec::Spec,
    runtime: tokio::runtime::Runtime,
}

impl Pipeline {
    /// Loads the embedded spec once.
    pub fn new() -> Self {
        let config = EmulatorConfig::default().timings(Timings {
            accept_window: Duration::ZERO,
            ..Timings::default()
        });
        let spec = hai_spec::parse(crate::server::EMBEDDED_SPEC)
            .unwrap_or_else(|e| panic!("the embedded spec does not load: {e}"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("no Tokio runtime: {e}"));
        Pipeline {
            config,
            spec,
            runtime,
        }
    }

    /// The signing service name of the embedded spec.
    pub fn signing_service(&self) -> &str {
        &self.spec.service.signing_service
    }

    /// The API version of the embedded spec.
    pub fn version(&self) -> &str {
        &self.spec.service.version
    }

    /// Answers `req` on a fresh emulator state (so one input cannot affect the next); the
    /// answer is the JSON envelope, or `None` for an injected transport fault.
    pub fn process(&self, req: Request) -> Option<serde_json::Value> {
        let shared = Shared::new(&self.config, self.spec.clone());
        let raw = RawRequest {
            method: req.method,
            query: req.query,
            headers: req.headers,
            body: req.body,
        };
        match self
            .runtime
            .block_on(shared.process(&raw, "fuzz-request-id"))
        {
            Reply::Json(v) => Some(v),
            Reply::Fault(_) => None,
        }
    }
}

impl Default for Pipeline {
    fn default() -> Self {
        Self::new()
    }
}
