//! The one non-generic execute path: bytes in, classified bytes out.
//!
//! Per attempt: rate limit, credentials, a fresh timestamp and TraceId, signing over the exact
//! body bytes, sending, reading the body under a size bound, and detecting `Response.Error`
//! whatever the status and content type. The success path parses the body once (in the
//! caller's decode step); the error probe runs only when the body contains `"Error"`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use tracing::{field, Instrument};

use super::endpoint::Endpoint;
use super::failover::Reach;
use super::probe::{self, Probe};
use super::transport::{Response, SendFailure, SendFailureKind};
use super::{CallOptions, ClientInner};
use crate::action::ActionMeta;
use crate::credentials::Credentials;
use crate::error::hint::is_signature_code;
use crate::error::shown::loggable_id;
use crate::error::{
    BuildRequestError, BuildRequestErrorKind, CredentialsFailure, DecodeError, Delivery,
    DispatchError, DispatchErrorKind, Error, ErrorMetadata, ResponseError, ResponseErrorKind,
    SignatureHint, TimeoutError, TimeoutKind,
};
use crate::retry::{classify, may_retry, RetryDecision};

const X_TC_ACTION: HeaderName = HeaderName::from_static("x-tc-action");
const X_TC_VERSION: HeaderName = HeaderName::from_static("x-tc-version");
const X_TC_REGION: HeaderName = HeaderName::from_static("x-tc-region");
const X_TC_TIMESTAMP: HeaderName = HeaderName::from_static("x-tc-timestamp");
const X_TC_LANGUAGE: HeaderName = HeaderName::from_static("x-tc-language");
const X_TC_TOKEN: HeaderName = HeaderName::from_static("x-tc-token");
const X_TC_REQUEST_CLIENT: HeaderName = HeaderName::from_static("x-tc-requestclient");
const X_TC_TRACE_ID: HeaderName = HeaderName::from_static("x-tc-traceid");

type Result<T> = std::result::Result<T, Error<ErrorMetadata>>;

/// Decodes a 2xx body into the caller's output; the generic part of a call.
pub(crate) type Decode<'d> =
    dyn FnMut(&Bytes, u16) -> std::result::Result<(), DecodeError> + Send + 'd;

/// Runs one call: all attempts, inside one `tencentcloud.call` span naming service and action.
pub(crate) async fn execute(
    inner: &ClientInner,
    meta: &'static ActionMeta,
    body: Bytes,
    options: &CallOptions,
    decode: &mut Decode<'_>,
) -> Result<()> {
    let span = tracing::info_span!(
        "tencentcloud.call",
        service = meta.service.name,
        version = meta.service.version,
        action = meta.name,
        region = inner.region.as_ref().map_or("", |r| &*r.0),
        attempts = field::Empty,
        request_id = field::Empty,
        latency_ms = field::Empty,
        outcome = field::Empty,
    );
    let mut attempt = 0;
    // Without a subscriber that wants the span, neither it nor the clock is used.
    if span.is_disabled() {
        return attempts(inner, meta, &body, options, decode, &mut attempt)
            .await
            .map(drop);
    }
    let started = std::time::Instant::now();
    let result = attempts(inner, meta, &body, options, decode, &mut attempt)
        .instrument(span.clone())
        .await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("attempts", attempt);
    span.record("latency_ms", latency_ms);
    match &result {
        Ok(body) => {
            span.record("outcome", "ok");
            if let Some(id) = sniff_request_id(body).and_then(loggable_id) {
                span.record("request_id", id);
            }
            tracing::debug!(parent: &span, latency_ms, "call succeeded");
        }
        Err(e) => {
            span.record("outcome", outcome_name(e));
            if let Some(id) = e.request_id().and_then(loggable_id) {
                span.record("request_id", id);
            }
            tracing::debug!(parent: &span, latency_ms, error = %e, "call failed");
        }
    }
    result.map(drop)
}

fn outcome_name(e: &Error<ErrorMetadata>) -> &'static str {
    match e {
        Error::Build(_) => "build_error",
        Error::Credentials(_) => "credentials_error",
        Error::Dispatch(_) => "dispatch_error",
        Error::Timeout(_) => "timeout",
        Error::Response(_) => "response_error",
        Error::Decode(_) => "decode_error",
        Error::Service(_) => "service_error",
    }
}

/// The retry loop; returns the successful body (already decoded by `decode`).
async fn attempts(
    inner: &ClientInner,
    meta: &'static ActionMeta,
    body: &Bytes,
    options: &CallOptions,
    decode: &mut Decode<'_>,
    attempt: &mut u32,
) -> Result<Bytes> {
    let region = match &inner.region {
        Some((_, region)) => Some(region),
        None if meta.service.region_required => {
            // With nothing configured, say first what matters more: credentials.
            if !options.anonymous {
                credentials(inner, meta).await?;
            }
            return Err(Error::Build(BuildRequestError::new(
                meta.name,
                BuildRequestErrorKind::MissingRegion,
                format!(
                    "no region configured ({} requires one): set TENCENTCLOUD_REGION (e.g. ap-guangzhou), \
                     run `tccli configure set region ap-guangzhou`, or call ClientBuilder::region",
                    meta.service.name
                ),
                None,
            )));
        }
        // A global service: no X-TC-Region at all.
        None => None,
    };
    let endpoint = inner.endpoints.get(meta).map_err(Error::Build)?;
    let fixed = FixedHeaders {
        action: static_header(meta.name, meta.name)?,
        version: static_header(meta.name, meta.service.version)?,
        region,
    };
    let policy = options.retry_policy.as_ref().unwrap_or(&inner.retry_policy);
    let resend_is_harmless =
        meta.resend_is_harmless() || options.retry_transient.unwrap_or(policy.retry_transient());
    let attempt_timeout = options.timeout.unwrap_or(inner.timeout);
    let call_timeout = options.call_timeout.unwrap_or(inner.call_timeout);
    // One clock read serves the deadline and the first attempt's timeout.
    let mut now = call_timeout.map(|_| tokio::time::Instant::now());
    let deadline = call_timeout
        .zip(now)
        .map(|(limit, now)| (limit, now + limit));
    // The call's total timeout: what was tried so far, as a typed error.
    let expired = |attempts: u32, delivery: Delivery, last: Option<Error<ErrorMetadata>>| {
        let limit = deadline.map_or(Duration::ZERO, |(limit, _)| limit);
        Error::Timeout(TimeoutError::call(
            meta.name,
            delivery,
            limit,
            attempts,
            last.map(|e| Box::new(e) as _),
        ))
    };

    let mut last_timestamp = 0;
    loop {
        *attempt += 1;
        let attempt = *attempt;
        if let Some(limiter) = &inner.limiter {
            if let Some(wait) = limiter.reserve(meta) {
                now = None;
                tracing::trace!(
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "rate limit: waiting"
                );
                if let Some((_, at)) = deadline {
                    if tokio::time::Instant::now() + wait >= at {
                        tokio::time::sleep_until(at).await;
                        return Err(expired(attempt - 1, Delivery::NotSent, None));
                    }
                }
                tokio::time::sleep(wait).await;
            }
        }
        // This attempt's own timeout, cut to what is left of the call's.
        let (timeout, cut_by_deadline) = match deadline {
            None => (attempt_timeout, false),
            Some((_, at)) => {
                // After a rate-limit wait or a backoff, the clock is read again.
                let now = now.take().unwrap_or_else(tokio::time::Instant::now);
                if now >= at {
                    return Err(expired(attempt - 1, Delivery::NotSent, None));
                }
                let left = at.saturating_duration_since(now);
                match attempt_timeout {
                    Some(t) if left >= t => (Some(t), false),
                    _ => (Some(left), true),
                }
            }
        };
        // With a failover configured, each attempt goes where its state says, and is
        // signed for that endpoint's host.
        let route = endpoint.failover.as_ref().map(|f| (f, f.route()));
        let target = match route {
            Some((f, route)) => f.endpoint(route, &endpoint.primary),
            None => &*endpoint.primary,
        };
        let result = attempt_once(
            inner,
            meta,
            target,
            &fixed,
            body,
            &mut last_timestamp,
            attempt,
            timeout,
            options.anonymous,
        )
        .await;
        if let Some((f, route)) = route {
            f.record(route, Reach::of(&result), &endpoint.primary);
        }
        let result = result.and_then(|raw| match decode(&raw.body, raw.status) {
            Ok(()) => Ok(raw.body),
            Err(e) => Err(Error::Decode(e)),
        });
        // The result of the last attempt is the result of the call: a success after a
        // throttled attempt is a success.
        let err = match result {
            Ok(body) => return Ok(body),
            Err(Error::Timeout(t)) if cut_by_deadline && t.kind() == TimeoutKind::Attempt => {
                return Err(expired(attempt, t.delivery(), None));
            }
            Err(e) => e,
        };
        if attempt >= policy.max_attempts() {
            tracing::debug!(attempt, error = %err, "attempt failed; no attempts left");
            return Err(err);
        }
        let decision = inner
            .classifier
            .as_ref()
            .map_or(RetryDecision::Default, |c| c.decide(&err, attempt));
        let kind = classify(&err);
        let delay = match decision {
            RetryDecision::Retry => Some(policy.backoff(kind, attempt)),
            RetryDecision::RetryAfter(d) => Some(d),
            RetryDecision::Stop => None,
            RetryDecision::Default => {
                may_retry(kind, resend_is_harmless).then(|| policy.backoff(kind, attempt))
            }
        };
        let Some(delay) = delay else {
            tracing::debug!(attempt, error = %err, "attempt failed; not retryable");
            return Err(err);
        };
        // No time left for the next attempt: fail now rather than sleep into the deadline.
        if let Some((_, at)) = deadline {
            if tokio::time::Instant::now() + delay >= at {
                tracing::debug!(attempt, error = %err, "attempt failed; call timeout leaves no time to retry");
                let delivery = if err.may_have_reached_server() {
                    Delivery::Unknown
                } else {
                    Delivery::NotSent
                };
                return Err(expired(attempt, delivery, Some(err)));
            }
        }
        tracing::debug!(
            attempt,
            delay_ms = delay.as_millis() as u64,
            error = %err,
            "attempt failed; retrying"
        );
        tokio::time::sleep(delay).await;
        now = None;
    }
}

struct FixedHeaders<'a> {
    action: HeaderValue,
    version: HeaderValue,
    region: Option<&'a HeaderValue>,
}

pub(crate) struct RawResponse {
    status: u16,
    body: Bytes,
}

/// The credentials for one attempt, checked (no empty or padded values) before use.
async fn credentials(inner: &ClientInner, meta: &'static ActionMeta) -> Result<Credentials> {
    inner
        .credentials
        .provide_credentials()
        .await
        .and_then(|c| c.check().map(|_| c))
        .map_err(|e| Error::Credentials(CredentialsFailure::new(meta.name, e)))
}

#[allow(clippy::too_many_arguments)]
async fn attempt_once(
    inner: &ClientInner,
    meta: &'static ActionMeta,
    endpoint: &Endpoint,
    fixed: &FixedHeaders<'_>,
    body: &Bytes,
    last_timestamp: &mut u64,
    attempt: u32,
    timeout: Option<Duration>,
    anonymous: bool,
) -> Result<RawResponse> {
    let credentials = if anonymous {
        None
    } else {
        Some(credentials(inner, meta).await?)
    };

    // Every attempt is signed anew, and never with an earlier attempt's timestamp: TC3 has
    // no nonce, so a retry within the same second would otherwise repeat the signature.
    let now = inner
        .clock
        .as_ref()
        .map_or_else(SystemTime::now, |c| c.now())
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let timestamp = now.max(last_timestamp.saturating_add(1));
    *last_timestamp = timestamp;

    let signed = match &credentials {
        None => super::sign::SignedHeaders {
            authorization: HeaderValue::from_static("SKIP"),
            token: None,
        },
        Some(credentials) => inner
            .signing
            .sign(
                credentials,
                meta.service.signing_service,
                &endpoint.host,
                body,
                timestamp,
            )
            .map_err(|_| {
                Error::Build(BuildRequestError::new(
                    meta.name,
                    BuildRequestErrorKind::InvalidHeader,
                    "the SecretId or token contains characters not allowed in a header",
                    None,
                ))
            })?,
    };
    let trace_id = trace_id();

    let mut headers = HeaderMap::with_capacity(12);
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(super::sign::CONTENT_TYPE),
    );
    headers.insert(HOST, endpoint.host_header.clone());
    headers.insert(X_TC_ACTION, fixed.action.clone());
    headers.insert(X_TC_VERSION, fixed.version.clone());
    if let Some(region) = fixed.region {
        headers.insert(X_TC_REGION, region.clone());
    }
    headers.insert(X_TC_TIMESTAMP, HeaderValue::from(timestamp));
    if let Some(language) = &inner.language {
        headers.insert(X_TC_LANGUAGE, language.clone());
    }
    headers.insert(X_TC_REQUEST_CLIENT, inner.request_client.clone());
    headers.insert(X_TC_TRACE_ID, trace_id.clone());
    if let Some(token) = signed.token {
        headers.insert(X_TC_TOKEN, token);
    }
    headers.insert(AUTHORIZATION, signed.authorization);

    tracing::debug!(
        attempt,
        trace_id = trace_id.to_str().unwrap_or(""),
        timestamp,
        "sending attempt"
    );
    tracing::trace!(
        host = %endpoint.host,
        body_bytes = body.len(),
        token = credentials.as_ref().is_some_and(|c| c.token().is_some()),
        "request built (Authorization and X-TC-Token values are never logged)"
    );

    let mut delivered = false;
    // Boxed: sending and reading is most of a call's state, and each enclosing future
    // (attempt, retry loop, span, call) would otherwise copy it again when it is created.
    let exchange = Box::pin(exchange(
        inner,
        meta.name,
        &endpoint.uri,
        headers,
        body.clone(),
        &mut delivered,
        (timestamp, credentials.as_ref()),
    ));
    let result = match timeout {
        Some(limit) => {
            let timed = tokio::time::timeout(limit, exchange).await;
            timed.unwrap_or_else(|_| {
                let delivery = if delivered {
                    Delivery::Delivered
                } else {
                    Delivery::Unknown
                };
                Err(Error::Timeout(TimeoutError::new(
                    meta.name,
                    TimeoutKind::Attempt,
                    delivery,
                    Some(limit),
                )))
            })
        }
        None => exchange.await,
    };
    if let Ok(raw) = &result {
        tracing::trace!(
            status = raw.status,
            body_bytes = raw.body.len(),
            "response read"
        );
    }
    result
}

/// Sends and reads the answer; sets `delivered` once the response head arrived. `signed` (the
/// timestamp and credentials the request was signed with) feeds the [`SignatureHint`] of a
/// refused signature.
async fn exchange(
    inner: &ClientInner,
    action: &'static str,
    uri: &http::Uri,
    headers: HeaderMap,
    body: Bytes,
    delivered: &mut bool,
    signed: (u64, Option<&Credentials>),
) -> Result<RawResponse> {
    let mut response = inner
        .http
        .send(uri, headers, body)
        .await
        .map_err(|e| send_error(inner, action, uri, e))?;
    *delivered = true;
    let status = response.status;
    let content_type = response.content_type.take();
    let date = response.date.take();
    let body = read_body(
        &mut response,
        inner.max_response_bytes,
        action,
        status,
        &content_type,
    )
    .await?;
    classify_response(action, status, content_type, body).map_err(|e| match e {
        Error::Service(m) if is_signature_code(m.code()) => {
            let hint =
                SignatureHint::check(date.as_ref().map(HeaderValue::as_bytes), signed.0, signed.1);
            Error::Service(m.with_signature_hint(hint))
        }
        other => other,
    })
}

fn send_error(
    inner: &ClientInner,
    action: &'static str,
    uri: &http::Uri,
    e: SendFailure,
) -> Error<ErrorMetadata> {
    let host = uri.authority().map(http::uri::Authority::as_str);
    let dispatch =
        |kind, delivery, source| DispatchError::new(action, kind, delivery, source).with_host(host);
    match e.kind {
        SendFailureKind::ConnectTimeout => Error::Timeout(TimeoutError::new(
            action,
            TimeoutKind::Connect,
            Delivery::NotSent,
            inner.connect_timeout,
        )),
        SendFailureKind::Connect => Error::Dispatch(dispatch(
            DispatchErrorKind::Connect,
            Delivery::NotSent,
            e.source,
        )),
        SendFailureKind::Tls => {
            let hint = e.plain_http.then(|| {
                let host = host.unwrap_or("the server");
                format!("{host} answered in plain HTTP, not TLS: use http://{host} as the endpoint")
            });
            Error::Dispatch(
                dispatch(DispatchErrorKind::Tls, Delivery::NotSent, e.source).with_hint(hint),
            )
        }
        // A timeout of a caller-supplied HTTP client.
        SendFailureKind::Timeout => Error::Timeout(TimeoutError::new(
            action,
            TimeoutKind::Attempt,
            Delivery::Unknown,
            None,
        )),
        SendFailureKind::Io => {
            Error::Dispatch(dispatch(DispatchErrorKind::Io, Delivery::Unknown, e.source))
        }
        #[cfg(feature = "test-util")]
        SendFailureKind::NoMockAnswer => Error::Dispatch(DispatchError::new(
            action,
            DispatchErrorKind::NoMockAnswer,
            Delivery::NotSent,
            e.source,
        )),
    }
}

fn content_type_string(ct: &Option<HeaderValue>) -> Option<String> {
    ct.as_ref()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Reads the body, stopping as soon as it exceeds `limit`.
async fn read_body(
    response: &mut Response<'_>,
    limit: usize,
    action: &'static str,
    status: u16,
    content_type: &Option<HeaderValue>,
) -> Result<Bytes> {
    let too_large = |seen: &Bytes| {
        Error::Response(ResponseError::new(
            action,
            ResponseErrorKind::TooLarge { limit },
            status,
            content_type_string(content_type),
            seen,
        ))
    };
    let declared = response.content_length;
    let declared_too_large = declared.is_some_and(|n| n > limit as u64);
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut total = 0usize;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                return Err(if e.timeout {
                    Error::Timeout(TimeoutError::new(
                        action,
                        TimeoutKind::Attempt,
                        Delivery::Delivered,
                        None,
                    ))
                } else {
                    Error::Dispatch(DispatchError::new(
                        action,
                        DispatchErrorKind::ResponseBody,
                        Delivery::Delivered,
                        e.source,
                    ))
                })
            }
        };
        total = total.saturating_add(chunk.len());
        if declared_too_large || total > limit {
            // Keep what was read as the excerpt source; stop reading (the connection is dropped).
            // The excerpt is the start of the body, whichever buffer holds it.
            let seen = match first.take() {
                Some(f) => f,
                None if rest.is_empty() => chunk,
                None => rest.freeze(),
            };
            return Err(too_large(&seen));
        }
        match &first {
            None if rest.is_empty() => first = Some(chunk),
            _ => {
                if let Some(f) = first.take() {
                    let want = declared
                        .map_or(0, |n| n as usize)
                        .max(f.len() + chunk.len());
                    rest.reserve(want.min(limit));
                    rest.extend_from_slice(&f);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    if declared_too_large {
        return Err(too_large(&Bytes::new()));
    }
    Ok(first.unwrap_or_else(|| rest.freeze()))
}

/// Finds a service error envelope whatever the status; otherwise a 2xx body is passed on to
/// decoding and anything else is a non-envelope answer. A body that carries
/// `Response.Error` in any shape, or that the probe cannot read, never passes as a success.
pub(crate) fn classify_response(
    action: &'static str,
    status: u16,
    content_type: Option<HeaderValue>,
    body: Bytes,
) -> Result<RawResponse> {
    let success = (200..300).contains(&status);
    if probe::may_carry_error(&body) {
        match probe::probe(&body) {
            Probe::NoError => {}
            Probe::Service {
                code,
                message,
                request_id,
            } => {
                return Err(Error::Service(ErrorMetadata::new(
                    action, code, message, request_id, status,
                )))
            }
            Probe::Malformed { request_id } => {
                return Err(Error::Response(
                    ResponseError::new(
                        action,
                        ResponseErrorKind::MalformedError,
                        status,
                        content_type_string(&content_type),
                        &body,
                    )
                    .with_request_id(request_id),
                ))
            }
            Probe::Unparseable(e) if success => {
                let e = crate::decode::AnswerError {
                    source: e,
                    path: None,
                };
                return Err(Error::Decode(decode_error(action, status, &body, e)));
            }
            Probe::Unparseable(_) => {}
        }
    }
    if success {
        Ok(RawResponse { status, body })
    } else {
        Err(Error::Response(ResponseError::new(
            action,
            ResponseErrorKind::NotEnvelope,
            status,
            content_type_string(&content_type),
            &body,
        )))
    }
}

/// A decode failure of a 2xx body (non-generic so the generic shim stays small).
pub(crate) fn decode_error(
    action: &'static str,
    status: u16,
    body: &Bytes,
    error: crate::decode::AnswerError,
) -> DecodeError {
    let request_id = sniff_request_id(body).map(str::to_owned);
    DecodeError::new(action, status, body.clone(), request_id, error.source).with_path(error.path)
}

/// The last `"RequestId":"..."` in a body, found without parsing it (for logs and errors).
fn sniff_request_id(body: &[u8]) -> Option<&str> {
    let key = b"\"RequestId\"";
    let at = memchr::memmem::rfind(body, key)?;
    let rest = &body[at + key.len()..];
    let rest = rest.trim_ascii_start().strip_prefix(b":")?;
    let rest = rest.trim_ascii_start().strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let id = &rest[..end];
    if id.len() > 128 || id.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(id).ok()
}

/// Validates a static string once per call so a bad generated name is an error, not a panic
/// (one pass, no copy: `from_static` would check it again, and panic).
fn static_header(action: &'static str, value: &'static str) -> Result<HeaderValue> {
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from_static(value.as_bytes())) {
        Ok(v)
    } else {
        Err(Error::Build(BuildRequestError::new(
            action,
            BuildRequestErrorKind::InvalidHeader,
            format!("{value:?} is not a valid header value"),
            None,
        )))
    }
}

/// A fresh random UUID (version 4) for `X-TC-TraceId`; not a secret, so a fast RNG suffices.
fn trace_id() -> HeaderValue {
    let uuid = uuid::Builder::from_random_bytes(fastrand::u128(..).to_ne_bytes()).into_uuid();
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = uuid.hyphenated().encode_lower(&mut buf);
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_sniffing() {
        assert_eq!(
            sniff_request_id(br#"{"Response":{"TaskId":1,"RequestId" : "abc-1"}}"#),
            Some("abc-1")
        );
        assert_eq!(sniff_request_id(br#"{"Response":{}}"#), None);
        assert_eq!(sniff_request_id(br#"{"RequestId":"a\"b"}"#), None);
        assert_eq!(sniff_request_id(br#"{"RequestId":"#), None);
    }

    /// An 8 MiB error-shaped body: the `Pad` array would be a tree of ~140 MiB.
    fn padded_error_body() -> Bytes {
        let head = br#"{"Response":{"Error":{"Code":"InternalError","Message":"m"},"Pad":["#;
        let tail = br#"0],"RequestId":"r-pad"}}"#;
        let mut body = Vec::with_capacity(8 << 20);
        body.extend_from_slice(head);
        while body.len() + tail.len() + 2 < 8 << 20 {
            body.extend_from_slice(b"0,");
        }
        body.extend_from_slice(tail);
        Bytes::from(body)
    }

    #[test]
    fn error_probe_memory_stays_bounded_for_an_8_mib_padded_body() {
        let body = padded_error_body();
        assert!(body.len() > 8_000_000);
        let (result, peak) =
            crate::test_alloc::peak_growth(|| classify_response("StopInstance", 200, None, body));
        let m = match result {
            Err(Error::Service(m)) => m,
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("an error body passed as a success"),
        };
        assert_eq!((m.code(), m.request_id()), ("InternalError", "r-pad"));
        // Measured: 19 bytes (the code, message and RequestId), where a serde_json::Value
        // tree of the same body grows the heap by about 134 MiB. The bounds are generous.
        assert!(peak < 32 << 20, "peak heap growth {peak} bytes");
        assert!(peak < 64 << 10, "peak heap growth {peak} bytes");
    }

    #[test]
    fn trace_ids_are_v4_and_fresh() {
        let a = trace_id();
        let b = trace_id();
        assert_ne!(a, b);
        let s = a.to_str().unwrap();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4");
    }
}
