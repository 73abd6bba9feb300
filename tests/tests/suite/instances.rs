//! The other emulated actions through the generated client methods: DescribeInstances,
//! StartInstance and TerminateInstances, in lifecycle round trips observed through the API.

use std::time::{Duration, Instant};

use super::support::*;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::start_instance::{StartInstanceError, StartInstanceRequest};
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest};
use hai_sdk::terminate_instances::TerminateInstancesRequest;
use hai_sdk::types::InstanceState;
use hai_sdk::{Client, Error};

#[test]
fn the_emulator_emulates_the_actions_tested_here() {
    for action in [
        "DescribeInstances",
        "StartInstance",
        "StopInstance",
        "TerminateInstances",
    ] {
        assert!(
            hai_emulator::EMULATED_ACTIONS.contains(&action),
            "{action} is not emulated"
        );
    }
}

/// The instance's state as DescribeInstances reports it.
async fn described_state(client: &Client, id: &str) -> InstanceState {
    let out = client
        .describe_instances(DescribeInstancesRequest::new().instance_ids([id.to_owned()]))
        .await
        .expect("DescribeInstances succeeds");
    assert!(!out.request_id.is_empty());
    let set = out.instance_set.unwrap_or_default();
    assert_eq!(set.len(), 1, "{set:?}");
    assert_eq!(set[0].instance_id.as_deref(), Some(id));
    set[0]
        .instance_state
        .clone()
        .expect("the instance has a state")
}

/// Polls DescribeInstances until `id` is in `want`.
async fn poll_until(client: &Client, id: &str, want: InstanceState) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let now = described_state(client, id).await;
        if now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{id} is still {now:?}, not {want:?}"
        );
        // DescribeInstances allows 20 calls per second; poll well below that.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

e2e_test! {
async fn stop_then_start_round_trip_observed_through_describe_instances(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    assert_eq!(described_state(&client, DEMO).await, InstanceState::Running);

    let stop = client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("stop succeeds");
    assert!(stop.task_id.is_some());
    poll_until(&client, DEMO, InstanceState::StoppedNoCharge).await;

    let start = client
        .start_instance(StartInstanceRequest::new(DEMO))
        .await
        .expect("start succeeds");
    assert!(start.task_id.is_some());
    assert_ne!(start.task_id, stop.task_id);
    poll_until(&client, DEMO, InstanceState::Running).await;

    // Starting a running instance is refused with its state's code.
    let err = client
        .start_instance(StartInstanceRequest::new(DEMO))
        .await
        .expect_err("already running");
    match err {
        Error::Service(e) => {
            assert_eq!(e.code(), "UnsupportedOperation.InstanceStateRunning");
            assert!(!e.request_id().is_empty());
            assert!(!matches!(e, StartInstanceError::Unhandled(_)), "{e:?}");
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}
}

e2e_test! {
async fn terminated_instance_cannot_be_stopped(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);

    client
        .terminate_instances(TerminateInstancesRequest::new(["hai-running2".to_owned()]))
        .await
        .expect("terminate succeeds");
    assert_eq!(
        described_state(&client, "hai-running2").await,
        InstanceState::Terminating
    );
    poll_until(&client, "hai-running2", InstanceState::Terminated).await;

    let e = stop_service_error(&client, "hai-running2").await;
    assert!(
        matches!(
            e,
            StopInstanceError::UnsupportedOperationInstanceStateTerminated(_)
        ),
        "{e:?}"
    );
}
}
