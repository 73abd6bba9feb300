//! Rate limiting end to end. StopInstance is documented at 20 requests per second per
//! SecretId; the emulator enforces that over a sliding second. With the SDK's client-side
//! limiter off, a burst of 30 concurrent stops is throttled by the server
//! (`RequestLimitExceeded`), and the SDK's built-in retry of throttled calls (no opt-in
//! needed: a throttled request had no effect) gets every one through. With the limiter on,
//! the server throttles nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::support::*;
use hai_emulator::{EmulatorHandle, Fault, Instance, InstanceState, Times};
use hai_sdk::common_error::CommonError;
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest, StopInstanceResponse};
use hai_sdk::{Client, Error, RetryDecision, RetryPolicy};
use tokio::task::JoinSet;

const BURST: usize = 30;

/// Adds `BURST` running instances and returns their ids.
fn add_instances(emu: &EmulatorHandle) -> Vec<String> {
    (0..BURST)
        .map(|i| {
            let id = format!("hai-burst{i:03}");
            emu.insert_instance(Instance::new(&id, InstanceState::Running));
            id
        })
        .collect()
}

/// Stops every instance concurrently, one task each.
async fn stop_all(
    client: &Client,
    ids: &[String],
) -> Vec<Result<StopInstanceResponse, Error<StopInstanceError>>> {
    let mut tasks = JoinSet::new();
    for id in ids {
        let client = client.clone();
        let id = id.clone();
        tasks.spawn(async move { client.stop_instance(StopInstanceRequest::new(id)).await });
    }
    let mut results = Vec::with_capacity(ids.len());
    while let Some(r) = tasks.join_next().await {
        results.push(r.expect("no task panics"));
    }
    results
}

/// A client whose retry classifier counts the throttled attempts it sees (and then leaves
/// the decision to the built-in rules).
fn counting_client(
    emu: &EmulatorHandle,
    limiter: bool,
    policy: RetryPolicy,
) -> (Client, Arc<AtomicUsize>) {
    let throttled = Arc::new(AtomicUsize::new(0));
    let seen = throttled.clone();
    let client = builder(emu)
        .rate_limit(limiter)
        .retry_policy(policy)
        .retry_classifier(move |err, _attempt| {
            if err.code() == Some("RequestLimitExceeded") {
                seen.fetch_add(1, Ordering::Relaxed);
            }
            RetryDecision::Default
        })
        .build()
        .unwrap();
    (client, throttled)
}

e2e_test! {
async fn without_client_limiter_or_retries_the_server_throttles_a_burst(scheme) {
    let emu = scheme.emulator().await;
    let ids = add_instances(&emu);
    let client = builder(&emu)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let results = stop_all(&client, &ids).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let mut throttled = 0;
    for r in results {
        if let Err(err) = r {
            let e = service_error(err);
            assert!(
                matches!(
                    e,
                    StopInstanceError::Common(CommonError::RequestLimitExceeded(_))
                ),
                "{e:?}"
            );
            throttled += 1;
        }
    }
    assert!(ok <= 20, "{ok} stops accepted in one burst");
    assert!(throttled >= 1, "the server throttled nothing");
    assert_eq!(ok + throttled, BURST);
    // Throttled stops had no effect.
    let operating = emu
        .instances()
        .into_iter()
        .filter(|i| i.latest_operation.is_some())
        .count();
    assert_eq!(operating, ok);
}
}

e2e_test! {
async fn without_client_limiter_throttled_stops_are_retried_until_all_succeed(scheme) {
    let emu = scheme.emulator().await;
    let ids = add_instances(&emu);
    // The default policy: a throttled attempt waits at least the one-second window before
    // it retries, so the ten stops the server refused all get in on their second attempt.
    let policy = RetryPolicy::default();
    let (client, throttled) = counting_client(&emu, false, policy);

    let results = stop_all(&client, &ids).await;
    for r in &results {
        let out = r.as_ref().expect("every stop eventually succeeds");
        assert!(out.task_id.is_some());
    }
    assert!(
        throttled.load(Ordering::Relaxed) >= 1,
        "the server throttled nothing, so the retry path was not exercised"
    );
    for id in &ids {
        wait_for_state(
            &emu,
            id,
            InstanceState::StoppedNoCharge,
            Duration::from_secs(3),
        )
        .await;
    }
}
}

e2e_test! {
async fn throttled_twice_the_default_policy_succeeds_on_the_third_attempt(scheme) {
    let emu = scheme.emulator().await;
    let (client, throttled) = counting_client(&emu, false, RetryPolicy::default());
    emu.faults().inject(
        "StopInstance",
        Fault::error_code("RequestLimitExceeded"),
        Times::Next(2),
    );

    let started = std::time::Instant::now();
    let out = client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("the third attempt succeeds");
    assert!(out.task_id.is_some());
    assert_eq!(throttled.load(Ordering::Relaxed), 2);
    // Each throttled attempt waited out a one-second window (a lower bound: sleeps never
    // end early).
    assert!(started.elapsed() >= Duration::from_secs(2));
}
}

// Over http only: the limiter grants the first 20 sends at once, and over https each of
// them first opens a connection with a TLS handshake of its own, which delays their arrival
// unevenly, so the server's sliding second can still hold 20 of them when the 21st arrives
// on a warm connection. The default retry policy rides that out (the https variants of the
// tests above cover it); this test disables retries to see the limiter alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_client_limiter_on_the_server_throttles_nothing() {
    let emu = Scheme::Http.emulator().await;
    let ids = add_instances(&emu);
    // Retries off: any server throttling would surface as a failed call.
    let client = builder(&emu)
        .rate_limit(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let results = stop_all(&client, &ids).await;
    for r in results {
        if let Err(e) = r {
            panic!("a call failed with the client limiter on: {e}");
        }
    }
    let operating = emu
        .instances()
        .into_iter()
        .filter(|i| i.latest_operation.is_some())
        .count();
    assert_eq!(operating, BURST);
}
