//! Typed mocks (hai-sdk's `test-util` feature): code under test runs over mock rules only, no
//! network and no emulator; retries, paginators and waiters run as they would over the
//! network, on a paused clock.

use std::time::Duration;

use futures_util::TryStreamExt;
use hai_sdk::describe_instances::{DescribeInstancesRequest, DescribeInstancesResponse};
use hai_sdk::error::DispatchErrorKind;
use hai_sdk::mock::{Mock, MockFailure};
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest, StopInstanceResponse};
use hai_sdk::types::{Filter, Instance, InstanceState};
use hai_sdk::{Client, Credentials, Error};

/// The code under test: stops every running pay-as-you-go instance and waits until each is
/// stopped (the `stop_all` cookbook example, one instance at a time). Returns the ids.
async fn stop_every_running_instance(client: &Client) -> Result<Vec<String>, String> {
    let request = DescribeInstancesRequest::new().filters([
        Filter::new("instance-state", ["RUNNING".to_owned()]),
        Filter::new("charge-type", ["POSTPAID_BY_HOUR".to_owned()]),
    ]);
    let ids: Vec<String> = client
        .describe_instances_paginator(request)
        .page_size(100)
        .items()
        .map_ok(|i| i.instance_id.unwrap_or_default())
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    for id in &ids {
        client
            .stop_instance(StopInstanceRequest::new(id.clone()))
            .await
            .map_err(|e| format!("{id}: {e}"))?;
        client
            .wait_until_instance_stopped(id.clone())
            .await
            .map_err(|e| format!("{id}: {e}"))?;
    }
    Ok(ids)
}

fn instance(id: &str, state: InstanceState) -> Instance {
    let mut i = Instance::default();
    i.instance_id = Some(id.to_owned());
    i.instance_state = Some(state);
    i
}

fn page(instances: Vec<Instance>) -> DescribeInstancesResponse {
    let mut out = DescribeInstancesResponse::default();
    out.total_count = Some(instances.len() as i64);
    out.instance_set = Some(instances);
    out
}

fn accepted(task: u64) -> StopInstanceResponse {
    let mut out = StopInstanceResponse::default();
    out.task_id = Some(task);
    out
}

/// A `DescribeInstances` of exactly this one id: how the waiter polls.
fn polls(id: &'static str) -> impl Fn(&DescribeInstancesRequest) -> bool + Send + Sync {
    move |r| r.instance_ids.as_deref() == Some(&[id.to_owned()][..])
}

#[tokio::test(start_paused = true)]
async fn stopping_every_running_instance_runs_over_mock_rules_only() {
    let mock = Mock::new();
    let listing = mock
        .on::<DescribeInstancesRequest>()
        .matching(|r| r.filters.is_some())
        .output(page(vec![
            instance("hai-aaaaaaaa", InstanceState::Running),
            instance("hai-bbbbbbbb", InstanceState::Running),
        ]));
    // The first stop is throttled; the client retries it after the one-second window.
    let stop_a = mock
        .on::<StopInstanceRequest>()
        .matching(|r| r.instance_id == "hai-aaaaaaaa")
        .error("RequestLimitExceeded", "too many requests")
        .output(accepted(1));
    let stop_b = mock
        .on::<StopInstanceRequest>()
        .matching(|r| r.instance_id == "hai-bbbbbbbb")
        .output(accepted(2));
    // The waiter polls through three states: still running while the stop is in progress,
    // a state this SDK version does not know, then stopped.
    let poll_a = mock
        .on::<DescribeInstancesRequest>()
        .matching(polls("hai-aaaaaaaa"))
        .output(page(vec![instance("hai-aaaaaaaa", InstanceState::Running)]))
        .output(page(vec![instance(
            "hai-aaaaaaaa",
            InstanceState::from("STOPPING"),
        )]))
        .output(page(vec![instance(
            "hai-aaaaaaaa",
            InstanceState::StoppedNoCharge,
        )]));
    let poll_b = mock
        .on::<DescribeInstancesRequest>()
        .matching(polls("hai-bbbbbbbb"))
        .output(page(vec![instance(
            "hai-bbbbbbbb",
            InstanceState::StoppedNoCharge,
        )]));

    let client: Client = mock.builder().build().expect("client builds");
    let started = tokio::time::Instant::now();
    let stopped = stop_every_running_instance(&client)
        .await
        .expect("every instance stops");
    assert_eq!(stopped, ["hai-aaaaaaaa", "hai-bbbbbbbb"]);

    // The requests the code made.
    let listed = listing.requests();
    assert_eq!(listed.len(), 1, "one short page: no second request");
    assert_eq!((listed[0].offset, listed[0].limit), (Some(0), Some(100)));
    let filters = listed[0].filters.as_deref().unwrap_or_default();
    assert_eq!(filters.len(), 2);
    assert_eq!(filters[0].name, "instance-state");
    assert_eq!(filters[0].values, ["RUNNING"]);
    let stops: Vec<String> = mock
        .requests::<StopInstanceRequest>()
        .into_iter()
        .map(|r| r.instance_id)
        .collect();
    assert_eq!(stops, ["hai-aaaaaaaa", "hai-aaaaaaaa", "hai-bbbbbbbb"]);
    assert!(stop_a.requests().iter().all(|r| r.stop_mode.is_none()));

    // The throttled first answer was retried, once.
    assert_eq!(stop_a.calls(), 2);
    assert_eq!(stop_b.calls(), 1);
    // The waiter polled three times for the first instance, once for the second.
    assert_eq!(poll_a.calls(), 3);
    assert_eq!(poll_b.calls(), 1);
    assert!(poll_a.is_done() && stop_a.is_done());
    assert!(mock.unanswered().is_empty(), "{:?}", mock.unanswered());
    assert_eq!(mock.calls(), 1 + 2 + 3 + 1 + 1);
    // On the paused clock: the throttle window (at least 1 s) and two waiter delays
    // (2 s, then 3 s).
    assert!(
        started.elapsed() >= Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_no_rule_answers_names_the_action_and_is_not_retried() {
    let mock = Mock::new();
    let client: Client = mock.builder().build().unwrap();
    let e = client
        .stop_instance(StopInstanceRequest::new("hai-aaaaaaaa"))
        .await
        .expect_err("no rule");
    match &e {
        Error::Dispatch(d) => {
            assert_eq!(d.kind(), DispatchErrorKind::NoMockAnswer);
            assert_eq!(d.action(), "StopInstance");
            assert!(!d.delivery().may_have_reached_server());
        }
        other => panic!("{other:?}"),
    }
    let shown = e.to_string();
    assert!(shown.starts_with("StopInstance: no mock answer"), "{shown}");
    assert!(shown.contains("no mock rule for StopInstance"), "{shown}");
    assert_eq!(mock.calls(), 1, "not retried");
    assert_eq!(mock.unanswered(), ["StopInstance"]);

    // A rule that matches other requests only, and one that has given its answer.
    let other = mock
        .on::<StopInstanceRequest>()
        .matching(|r| r.instance_id == "hai-bbbbbbbb")
        .output(accepted(1));
    let e = client
        .stop_instance(StopInstanceRequest::new("hai-aaaaaaaa"))
        .await
        .expect_err("no matching rule");
    assert!(e.to_string().contains("matches this request"), "{e}");
    client
        .stop_instance(StopInstanceRequest::new("hai-bbbbbbbb"))
        .await
        .expect("answered");
    let e = client
        .stop_instance(StopInstanceRequest::new("hai-bbbbbbbb"))
        .await
        .expect_err("answers used up");
    assert!(e.to_string().contains("gave all their answers"), "{e}");
    assert_eq!(other.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn answers_come_in_sequence_times_and_repeatedly_then_later_rules_take_over() {
    let mock = Mock::new();
    let first = mock
        .on::<StopInstanceRequest>()
        .error("FailedOperation.OperateInstanceRepeatedly", "busy")
        .times(2)
        .output(accepted(7));
    let fallback = mock
        .on::<StopInstanceRequest>()
        .error("InvalidParameterValue.InstanceIdNotFound", "gone")
        .repeatedly();
    let client: Client = mock.builder().build().unwrap();
    let stop = || client.stop_instance(StopInstanceRequest::new("hai-aaaaaaaa"));
    for _ in 0..2 {
        let e = stop().await.expect_err("busy");
        assert!(matches!(
            e.service_error(),
            Some(StopInstanceError::FailedOperationOperateInstanceRepeatedly(
                _
            ))
        ));
        assert!(e.request_id().is_some_and(|id| id.starts_with("mock-")));
    }
    let out = stop().await.expect("accepted");
    assert_eq!(out.task_id, Some(7));
    assert!(out.request_id.starts_with("mock-"), "{}", out.request_id);
    for _ in 0..3 {
        let e = stop().await.expect_err("gone");
        assert_eq!(e.code(), Some("InvalidParameterValue.InstanceIdNotFound"));
    }
    assert_eq!((first.calls(), fallback.calls()), (3, 3));
    assert!(first.is_done() && !fallback.is_done());
}

#[tokio::test(start_paused = true)]
async fn dispatch_failures_are_classified_for_retries_like_real_ones() {
    let mock = Mock::new();
    // Refused: never sent, so retried even for StopInstance.
    let refused = mock
        .on::<StopInstanceRequest>()
        .matching(|r| r.instance_id == "hai-aaaaaaaa")
        .failure(MockFailure::ConnectionRefused)
        .output(accepted(1));
    // Reset after sending: StopInstance is not idempotent, so not retried...
    let reset = mock
        .on::<StopInstanceRequest>()
        .matching(|r| r.instance_id == "hai-bbbbbbbb")
        .failure(MockFailure::ConnectionReset)
        .output(accepted(2));
    // ...while the read-only DescribeInstances is.
    let describe = mock
        .on::<DescribeInstancesRequest>()
        .failure(MockFailure::Timeout)
        .output(page(vec![]));
    // A gateway's page is no envelope.
    mock.on::<hai_sdk::start_instance::StartInstanceRequest>()
        .http(502, "<html>bad gateway</html>");
    let client: Client = mock.builder().build().unwrap();

    client
        .stop_instance(StopInstanceRequest::new("hai-aaaaaaaa"))
        .await
        .expect("retried after the refusal");
    assert_eq!(refused.calls(), 2);

    let e = client
        .stop_instance(StopInstanceRequest::new("hai-bbbbbbbb"))
        .await
        .expect_err("not retried");
    assert!(matches!(&e, Error::Dispatch(d) if d.kind() == DispatchErrorKind::Io));
    assert!(e.may_have_reached_server());
    assert_eq!(reset.calls(), 1);

    client
        .describe_instances(DescribeInstancesRequest::new())
        .await
        .expect("retried after the timeout");
    assert_eq!(describe.calls(), 2);

    let e = client
        .start_instance(hai_sdk::start_instance::StartInstanceRequest::new(
            "hai-aaaaaaaa",
        ))
        .await
        .expect_err("not an envelope");
    assert!(matches!(e, Error::Response(r) if r.status() == 502));
}

#[tokio::test]
async fn signing_still_happens_so_credential_problems_show() {
    let mock = Mock::new();
    let rule = mock.on::<StopInstanceRequest>().output(accepted(1));
    let client: Client = mock
        .builder()
        .credentials(Credentials::new("AKIDexample", " key with spaces ", None))
        .build()
        .unwrap();
    let e = client
        .stop_instance(StopInstanceRequest::new("hai-aaaaaaaa"))
        .await
        .expect_err("bad key");
    assert!(matches!(e, Error::Credentials(_)), "{e:?}");
    assert_eq!(rule.calls(), 0, "nothing reached the mock");
}

#[test]
fn the_blocking_client_runs_over_a_mock_too() {
    let mock = Mock::new();
    mock.on::<StopInstanceRequest>().output(accepted(3));
    let poll = mock
        .on::<DescribeInstancesRequest>()
        .output(page(vec![instance(
            "hai-aaaaaaaa",
            InstanceState::StoppedNoCharge,
        )]));
    let client: hai_sdk::blocking::Client = mock.builder().build().unwrap();
    let out = client
        .stop_instance(StopInstanceRequest::new("hai-aaaaaaaa"))
        .expect("accepted");
    assert_eq!(out.task_id, Some(3));
    let i = client
        .wait_until_instance_stopped("hai-aaaaaaaa")
        .expect("stopped");
    assert_eq!(i.instance_state, Some(InstanceState::StoppedNoCharge));
    assert_eq!(poll.calls(), 1);
}
