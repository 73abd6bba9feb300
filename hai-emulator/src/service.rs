//! The request pipeline: envelope, authentication, throttling, faults, validation, dispatch.
//! Independent of hyper so it can be unit tested with plain values.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hai_spec::Spec;
use http::{HeaderMap, Method};
use serde_json::{Map, Value};

use crate::actions::{self, store::Inference, Ctx};
use crate::auth::{self, SignedRequest};
use crate::config::{Credential, EmulatorConfig, Timings};
use crate::error::{error_envelope, success_envelope, ApiError};
use crate::faults::{Fault, FaultControl};
use crate::ratelimit::RateLimiter;
use crate::state::{InstanceState, Store, Transition};

/// Largest POST body the real service takes (10 MiB).
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;

/// `NoSuchVersion` for an `X-TC-Version` this emulator does not serve, saying what it serves
/// and what the request asked for: the version, and the service its credential scope names
/// when that is another one (a client of that service needs that service's own endpoint).
fn unserved_version(
    served: &hai_spec::Service,
    version: &str,
    scope_service: Option<&str>,
) -> ApiError {
    let asked = auth::quote(version, auth::QUOTED_MAX);
    let message = match scope_service {
        Some(other) if other != served.signing_service => format!(
            "This endpoint is a {name} emulator: it serves {name} API version {ours} only, but the request is for service {} (its credential scope) API version {asked}. Send {0} requests to that service's own endpoint (e.g. {}; TENCENTCLOUD_ENDPOINT_URL points every service at one endpoint, TENCENTCLOUD_ENDPOINT_URL_{} only {name}).",
            auth::quote(other, auth::QUOTED_MAX),
            auth::endpoint_variable(other),
            served.name.to_ascii_uppercase(),
            name = served.name,
            ours = served.version,
        ),
        _ => format!(
            "The API version {asked} of {name} does not exist: this endpoint is a {name} emulator and serves {name} API version {ours} only.",
            name = served.name,
            ours = served.version,
        ),
    };
    ApiError::new("NoSuchVersion", message)
}

/// State shared by every connection of one emulator.
#[derive(Debug)]
pub(crate) struct Shared {
    pub spec: Spec,
    pub store: Mutex<Store>,
    pub timings: Mutex<Timings>,
    pub rate_limit: AtomicBool,
    pub limiter: RateLimiter,
    pub faults: FaultControl,
    pub credentials: Vec<Credential>,
    pub max_skew: Duration,
    pub clock_offset_secs: i64,
    pub regions: Vec<String>,
    /// State RunInstances' new instances reach after `PENDING`.
    pub launch_result: Mutex<InstanceState>,
    /// RunInstances `ClientToken` -> the instance ids it created.
    pub client_tokens: Mutex<HashMap<String, Vec<String>>>,
    /// Services, custom applications, models, templates, prompts. Lock after `store` when
    /// both are needed.
    pub inference: Mutex<Inference>,
}

/// One HTTP request, already read.
pub(crate) struct RawRequest {
    pub method: Method,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What to send back.
#[derive(Debug)]
pub(crate) enum Reply {
    /// HTTP 200 with this JSON envelope.
    Json(Value),
    /// A transport-level misbehaviour (never `Fault::Latency` or `Fault::ErrorCode`).
    Fault(Fault),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn new(config: &EmulatorConfig, spec: Spec) -> Self {
        Shared {
            spec,
            store: Mutex::new(Store::new(config.seed.instances.clone())),
            timings: Mutex::new(config.timings),
            rate_limit: AtomicBool::new(config.rate_limit),
            limiter: RateLimiter::default(),
            faults: FaultControl::default(),
            credentials: config.credentials.clone(),
            max_skew: config.max_clock_skew,
            clock_offset_secs: config.clock_offset_secs,
            regions: config.regions.clone(),
            launch_result: Mutex::new(InstanceState::Running),
            client_tokens: Mutex::new(HashMap::new()),
            inference: Mutex::new(Inference::new(&config.seed)),
        }
    }

    /// The inference store with every operation due by `now` completed.
    pub fn inference_at(&self, now: Instant) -> MutexGuard<'_, Inference> {
        let mut inf = lock(&self.inference);
        inf.settle(now);
        inf
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn timings(&self) -> Timings {
        *lock(&self.timings)
    }

    pub fn launch_result(&self) -> InstanceState {
        *lock(&self.launch_result)
    }

    pub fn set_launch_result(&self, state: InstanceState) {
        *lock(&self.launch_result) = state;
    }

    pub fn client_tokens(&self) -> MutexGuard<'_, HashMap<String, Vec<String>>> {
        lock(&self.client_tokens)
    }

    pub fn set_timings(&self, t: Timings) {
        *lock(&self.timings) = t;
    }

    /// Runs a state change on `ids`: checks, optional claim window, then applies.
    pub async fn transition(
        &self,
        ids: &[&str],
        t: &Transition,
        dry_run: bool,
    ) -> Result<u64, ApiError> {
        let window = self.timings().accept_window;
        let claim = !dry_run && !window.is_zero();
        {
            let mut store = self.store();
            store.check(ids, t, Instant::now(), claim)?;
            if dry_run {
                return Err(ApiError::new(
                    "DryRunOperation",
                    "The request would have succeeded, but the DryRun parameter was used.",
                ));
            }
            if !claim {
                return Ok(store.apply(ids, t, Instant::now()));
            }
        }
        // Hold the claim for the window; release it if this request is cancelled meanwhile.
        let guard = ClaimGuard { shared: self, ids };
        tokio::time::sleep(window).await;
        let task = self.store().apply(ids, t, Instant::now());
        std::mem::forget(guard);
        Ok(task)
    }

    /// Answers one request.
    pub async fn process(&self, req: &RawRequest, request_id: &str) -> Reply {
        match self.process_inner(req).await {
            Ok(Outcome::Fields(fields)) => Reply::Json(success_envelope(fields, request_id)),
            Ok(Outcome::Fault(f)) => Reply::Fault(f),
            Err(e) => {
                tracing::debug!(code = %e.code, "request refused");
                Reply::Json(error_envelope(&e, request_id))
            }
        }
    }

    async fn process_inner(&self, req: &RawRequest) -> Result<Outcome, ApiError> {
        if req.method != Method::POST && req.method != Method::GET {
            return Err(ApiError::new(
                "UnsupportedProtocol",
                format!(
                    "The HTTP method `{}` is not supported; use POST or GET.",
                    req.method
                ),
            ));
        }
        let header = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };

        // Envelope: action and version.
        let action_name = header("x-tc-action").ok_or_else(|| ApiError::missing("Action"))?;
        let version = header("x-tc-version").ok_or_else(|| ApiError::missing("Version"))?;
        // Before the action: a request for another service (a CVM client pointed here, say)
        // would otherwise be told its action does not exist.
        if version != self.spec.service.version {
            let scope_service = header("authorization")
                .and_then(|a| auth::parse_authorization(a).ok())
                .map(|a| a.service);
            return Err(unserved_version(
                &self.spec.service,
                version,
                scope_service.as_deref(),
            ));
        }
        let action = self.spec.actions.get(action_name).ok_or_else(|| {
            ApiError::new(
                "InvalidAction",
                format!("The action `{action_name}` is invalid or not found."),
            )
        })?;

        // Authentication.
        let ts_text = header("x-tc-timestamp").ok_or_else(|| ApiError::missing("Timestamp"))?;
        let timestamp: u64 = ts_text
            .parse()
            .map_err(|_| ApiError::invalid_type("Timestamp", "Integer (Unix seconds)"))?;
        let authorization = header("authorization").ok_or_else(|| {
            ApiError::auth(
                "AuthFailure.InvalidAuthorization",
                "The Authorization header is missing.",
            )
        })?;
        let authz = auth::parse_authorization(authorization)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .saturating_add_signed(self.clock_offset_secs);
        auth::check_timestamp(timestamp, now, self.max_skew.as_secs())?;
        let credential = self
            .credentials
            .iter()
            .find(|c| c.secret_id == authz.secret_id)
            .ok_or_else(|| {
                ApiError::auth(
                    "AuthFailure.SecretIdNotFound",
                    "The SecretId is not found, please ensure that your SecretId is correct.",
                )
            })?;
        let signed = SignedRequest {
            method: &req.method,
            query: &req.query,
            headers: &req.headers,
            body: &req.body,
        };
        auth::verify(
            &signed,
            &authz,
            &credential.secret_key,
            &self.spec.service.signing_service,
            timestamp,
            now,
        )?;
        let token = header("x-tc-token");
        let token_ok = match (&credential.token, token) {
            (None, None) => true,
            (Some(want), Some(got)) => crate::tc3::same_secret(want, got),
            _ => false,
        };
        if !token_ok {
            return Err(ApiError::auth(
                "AuthFailure.TokenFailure",
                "The session token (X-TC-Token) is invalid or does not belong to this SecretId.",
            ));
        }

        // Remaining common parameters.
        if let Some(lang) = header("x-tc-language") {
            if lang != "zh-CN" && lang != "en-US" {
                return Err(ApiError::invalid_value(
                    "Language",
                    "it must be zh-CN or en-US",
                ));
            }
        }
        let region = header("x-tc-region").ok_or_else(|| ApiError::missing("Region"))?;
        if !self.regions.iter().any(|r| r == region) {
            return Err(ApiError::new(
                "UnsupportedRegion",
                format!("The region `{region}` is not supported."),
            ));
        }

        // Faults injected for this action.
        let picked = self.faults.pick(action_name);
        if let Some(d) = picked.latency {
            tokio::time::sleep(d).await;
        }
        match picked.fault {
            Some(Fault::ErrorCode { code, message }) => return Err(ApiError::new(code, message)),
            Some(Fault::Latency(_)) | None => {}
            Some(other) => return Ok(Outcome::Fault(other)),
        }

        // Rate limit.
        if let Some(limit) = action.rate_limit {
            if self.rate_limit.load(Ordering::Relaxed) {
                if let Err(n) =
                    self.limiter
                        .admit(action_name, &authz.secret_id, limit, Instant::now())
                {
                    return Err(ApiError::new(
                        "RequestLimitExceeded",
                        format!(
                            "Your current request times equals to `{}` in a second, which exceeds the frequency limit `{limit}` for a second. Please reduce the frequency of calls.",
                            n + 1
                        ),
                    ));
                }
            }
        }

        // Parameters.
        let mut params = if req.method == Method::GET {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(req.query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            crate::validate::query_to_params(&self.spec, &action.input, &pairs)?
        } else {
            let ct = header("content-type").unwrap_or("");
            let mime = ct.split(';').next().unwrap_or("").trim();
            if !mime.eq_ignore_ascii_case("application/json") {
                return Err(ApiError::new(
                    "InvalidRequest",
                    format!("The Content-Type `{ct}` is not supported; use application/json."),
                ));
            }
            if req.body.iter().all(u8::is_ascii_whitespace) {
                Map::new()
            } else {
                match serde_json::from_slice::<Value>(&req.body) {
                    Ok(Value::Object(m)) => m,
                    Ok(_) => {
                        return Err(ApiError::new(
                            "InvalidRequest",
                            "The request body must be a JSON object.",
                        ))
                    }
                    Err(e) => {
                        return Err(ApiError::new(
                            "InvalidRequest",
                            format!("The request body is not valid JSON: {e}."),
                        ))
                    }
                }
            }
        };
        crate::validate::validate_params(&self.spec, &action.input, &mut params)?;

        actions::dispatch(self, &Ctx { region }, action_name, params)
            .await
            .map(Outcome::Fields)
    }
}

enum Outcome {
    Fields(Map<String, Value>),
    Fault(Fault),
}

struct ClaimGuard<'a> {
    shared: &'a Shared,
    ids: &'a [&'a str],
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        self.shared.store().release(self.ids);
    }
}
