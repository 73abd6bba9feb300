//! Retries: safe by default, re-signed every attempt, the last attempt decides the result.

use crate::runtime_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hai_sdk::credentials::{ProvideCredentials, ProvideCredentialsFuture};
use hai_sdk::error::{Delivery, DispatchErrorKind};
use hai_sdk::{Client, Credentials, Error, RetryDecision, RetryPolicy};
use runtime_support::*;

/// Counts attempts: the runtime asks for credentials once per attempt.
#[derive(Debug, Clone, Default)]
struct Counting(Arc<AtomicU32>);

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        ProvideCredentialsFuture::ready(Ok(Credentials::new(SECRET_ID, SECRET_KEY, None)))
    }
}

fn throttled(sub: &str, request_id: &str) -> Reply {
    Reply::error(200, sub, "too many requests", request_id)
}

#[tokio::test]
async fn defect_throttling_sub_code_then_success_is_success_after_two_attempts() {
    let server = Server::start(vec![
        throttled("RequestLimitExceeded.UinLimitExceeded", "req-t1"),
        Reply::ok(42, "req-ok"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let out = client.call(StopInstanceRequest::new("i")).await.unwrap();
    assert_eq!(out.task_id, Some(42));
    assert_eq!(out.request_id, "req-ok");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn default_policy_waits_out_the_throttle_window_before_retrying() {
    // HAI limits per second: a retry sooner lands in the same full window. A sleep never
    // ends early, so this lower bound cannot flake.
    let server = Server::start(vec![
        throttled("RequestLimitExceeded", "t"),
        Reply::ok(1, "ok"),
    ])
    .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn defect_every_throttling_sub_code_is_retried() {
    for code in [
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    ] {
        let server = Server::start(vec![throttled(code, "t"), Reply::ok(1, "ok")]).await;
        let client = builder(&server).build().unwrap();
        client
            .call(StopInstanceRequest::new("i"))
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(server.count(), 2, "{code}");
    }
}

#[tokio::test]
async fn defect_no_stale_error_after_later_success() {
    // Python's retryer raised the first error after a later attempt had succeeded.
    let server = Server::start(vec![
        throttled("RequestLimitExceeded", "req-1"),
        throttled("RequestLimitExceeded.UinLimitExceeded", "req-2"),
        Reply::ok(9, "req-3"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let out = client.call(StopInstanceRequest::new("i")).await.unwrap();
    assert_eq!((out.task_id, out.request_id.as_str()), (Some(9), "req-3"));
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_attempts_error() {
    let server = Server::start(vec![
        throttled("RequestLimitExceeded", "req-first"),
        throttled("RequestLimitExceeded", "req-last"),
        Reply::ok(1, "never"),
    ])
    .await;
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(2)
                .with_base_delay(Duration::from_millis(1))
                .with_throttle_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = client
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err();
    assert_eq!(err.request_id(), Some("req-last"));
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn defect_retries_are_resigned_with_fresh_timestamps_and_trace_ids() {
    // Go resent the first attempt's signature and timestamp.
    let server = Server::start(vec![
        throttled("RequestLimitExceeded", "a"),
        throttled("RequestLimitExceeded.UinLimitExceeded", "b"),
        Reply::ok(1, "c"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let mut signatures = Vec::new();
    let mut timestamps = Vec::new();
    let mut traces = Vec::new();
    for r in &reqs {
        signatures.push(verify_signature(r, SECRET_ID, SECRET_KEY, "hai"));
        timestamps.push(r.header("X-TC-Timestamp").parse::<u64>().unwrap());
        traces.push(r.header("X-TC-TraceId").to_owned());
        assert_eq!(r.body, reqs[0].body, "the same body bytes every attempt");
    }
    assert!(
        timestamps.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {timestamps:?}"
    );
    for list in [&signatures, &traces] {
        let mut d = list.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 3, "all different: {list:?}");
    }
}

#[tokio::test]
async fn stop_instance_is_not_retried_after_a_read_timeout_unless_opted_in() {
    let make = || async {
        let server = Server::start(vec![Reply::Hang, Reply::ok(1, "ok")]).await;
        let client = builder(&server)
            .timeout(Some(Duration::from_millis(200)))
            .build()
            .unwrap();
        (server, client)
    };

    let (server, client) = make().await;
    let err = client
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(server.count(), 1, "a non-idempotent action is sent once");

    let (server, client) = make().await;
    client
        .call(StopInstanceRequest::new("i"))
        .retry_transient(true)
        .await
        .unwrap();
    assert_eq!(server.count(), 2, "per-call opt-in");

    let server = Server::start(vec![Reply::Hang, Reply::ok(1, "ok")]).await;
    let client = builder(&server)
        .timeout(Some(Duration::from_millis(200)))
        .retry_policy(
            RetryPolicy::new()
                .with_base_delay(Duration::from_millis(1))
                .with_throttle_delay(Duration::from_millis(1))
                .with_retry_transient(true),
        )
        .build()
        .unwrap();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    assert_eq!(server.count(), 2, "per-client opt-in");
}

#[tokio::test]
async fn stop_instance_internal_error_and_5xx_are_not_retried_by_default() {
    for reply in [
        Reply::error(200, "InternalError", "x", "r"),
        Reply::error(503, "InternalError.Busy", "x", "r"),
        Reply::Http {
            status: 502,
            content_type: Some("text/html"),
            body: b"<html>bad gateway</html>".to_vec(),
        },
        Reply::Reset,
    ] {
        let server = Server::start(vec![reply.clone(), Reply::ok(1, "ok")]).await;
        let client = builder(&server).build().unwrap();
        assert!(client.call(StopInstanceRequest::new("i")).await.is_err());
        assert_eq!(server.count(), 1, "{reply:?}");
    }
}

#[tokio::test]
async fn idempotent_action_retries_transient_failures() {
    let server = Server::start(vec![
        Reply::error(500, "InternalError", "x", "r1"),
        Reply::Http {
            status: 502,
            content_type: Some("text/html"),
            body: b"<html>bad gateway</html>".to_vec(),
        },
        Reply::json(200, r#"{"Response":{"Things":[],"RequestId":"r3"}}"#),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let out = client.call(DescribeThingsRequest {}).await.unwrap();
    assert_eq!(out["RequestId"], "r3");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn decode_failures_are_never_retried_even_when_idempotent() {
    let server = Server::start(vec![
        Reply::json(200, "not json"),
        Reply::json(200, r#"{"Response":{"RequestId":"r"}}"#),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let err = client.call(DescribeThingsRequest {}).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn gateway_429_is_retried_as_throttling() {
    let server = Server::start(vec![
        Reply::Http {
            status: 429,
            content_type: None,
            body: Vec::new(),
        },
        Reply::ok(1, "ok"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn connection_refused_is_retried_up_to_the_cap() {
    let attempts = Counting::default();
    let client = Client::builder()
        .region(REGION)
        .credentials(attempts.clone())
        .endpoint(refused_url().await)
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(4)
                .with_base_delay(Duration::from_millis(1))
                .with_throttle_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = client
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err();
    let Error::Dispatch(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (d.kind(), d.delivery()),
        (DispatchErrorKind::Connect, Delivery::NotSent)
    );
    assert_eq!(attempts.0.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn retry_classifier_decides_per_error_and_attempt() {
    // Stop: a throttled call is not retried.
    let server = Server::start(vec![
        throttled("RequestLimitExceeded", "t"),
        Reply::ok(1, "ok"),
    ])
    .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let client = builder(&server)
        .retry_classifier(move |e, attempt| {
            s2.lock()
                .unwrap()
                .push((e.code().unwrap_or("").to_owned(), attempt));
            RetryDecision::Stop
        })
        .build()
        .unwrap();
    let err = client
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RequestLimitExceeded"));
    assert_eq!(server.count(), 1);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![("RequestLimitExceeded".to_owned(), 1)]
    );

    // Retry: a code the defaults never retry, still bounded by the maximum attempts.
    let server = Server::start(vec![Reply::error(200, "ResourceInUse", "m", "r")]).await;
    let client = builder(&server)
        .retry_classifier(|e, _| {
            if e.code() == Some("ResourceInUse") {
                RetryDecision::RetryAfter(Duration::from_millis(1))
            } else {
                RetryDecision::Default
            }
        })
        .build()
        .unwrap();
    let err = client
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceInUse"));
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn per_call_policy_overrides_the_client() {
    let server = Server::start(vec![
        throttled("RequestLimitExceeded", "t"),
        Reply::ok(1, "ok"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .call(StopInstanceRequest::new("i"))
        .retry_policy(RetryPolicy::disabled())
        .await
        .unwrap_err();
    assert!(err.service_error().unwrap().meta().is_throttling());
    assert_eq!(server.count(), 1);
}
