//! StopInstance end to end: the SDK client against an in-process emulator on 127.0.0.1.
//! Success, DryRun, and each of the 11 documented StopInstance error codes, reached through
//! the emulator's real instance state wherever its state machine can produce them.

use std::time::Duration;

use super::support::*;
use hai_emulator::{Fault, Instance, InstanceState, Times, Timings};
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest};

/// A stop long enough that the in-progress period is observed even on a loaded machine.
fn slow_stop() -> Timings {
    Timings {
        stop: Duration::from_secs(1),
        ..fast_timings()
    }
}

e2e_test! {
async fn stop_returns_task_and_request_ids_and_instance_goes_through_in_progress_to_stopped(scheme) {
    let emu = start(scheme.config().timings(slow_stop())).await;
    let client = client(&emu);
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));

    let out = client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("stopping a running instance succeeds");
    assert!(out.task_id.is_some_and(|t| t > 0), "TaskId: {out:?}");
    assert!(!out.request_id.is_empty(), "RequestId: {out:?}");

    // Accepted, not done: still RUNNING with the stop as the operation in progress.
    let during = emu.instance(DEMO).expect("the instance exists");
    assert_eq!(during.instance_state, InstanceState::Running);
    assert_eq!(during.latest_operation.as_deref(), Some("StopInstance"));
    assert_eq!(during.latest_operation_state.as_deref(), Some("OPERATING"));

    wait_for_state(
        &emu,
        DEMO,
        InstanceState::StoppedNoCharge,
        Duration::from_secs(3),
    )
    .await;
    let after = emu.instance(DEMO).expect("the instance exists");
    assert_eq!(after.latest_operation_state.as_deref(), Some("SUCCESS"));
}
}

e2e_test! {
async fn dry_run_answers_dry_run_operation_and_changes_nothing(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    let before = emu.instance(DEMO);

    let err = client
        .stop_instance(StopInstanceRequest::new(DEMO).dry_run(true))
        .await
        .expect_err("a dry run answers DryRunOperation");
    assert!(err.is_dry_run_operation(), "{err:?}");
    let e = service_error(err);
    assert_eq!(e.code(), "DryRunOperation");

    // Nothing changed, and nothing is pending: the state stays RUNNING well past the
    // time a real stop takes.
    assert_eq!(emu.instance(DEMO), before);
    tokio::time::sleep(fast_timings().stop + Duration::from_millis(50)).await;
    assert_eq!(emu.instance(DEMO), before);

    // A dry run still validates: on a pending instance it gives the state's code.
    let err = client
        .stop_instance(StopInstanceRequest::new("hai-pending1").dry_run(true))
        .await
        .expect_err("the dry run validates the state");
    assert!(!err.is_dry_run_operation());
    assert!(matches!(
        service_error(err),
        StopInstanceError::UnsupportedOperationInstanceStatePending(_)
    ));

    // And the real stop is still possible afterwards.
    client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("the real stop succeeds after the dry run");
}
}

e2e_test! {
async fn unsupported_state_codes_come_from_the_instances_real_state(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);

    let e = stop_service_error(&client, "hai-pending1").await;
    assert!(
        matches!(
            e,
            StopInstanceError::UnsupportedOperationInstanceStatePending(_)
        ),
        "{e:?}"
    );
    let e = stop_service_error(&client, "hai-lnchfail").await;
    assert!(
        matches!(
            e,
            StopInstanceError::UnsupportedOperationInstanceStateLaunchFailed(_)
        ),
        "{e:?}"
    );
    let e = stop_service_error(&client, "hai-arrears1").await;
    assert!(
        matches!(
            e,
            StopInstanceError::UnsupportedOperationInstanceStateArrears(_)
        ),
        "{e:?}"
    );
    let e = stop_service_error(&client, "hai-termnatd").await;
    assert!(
        matches!(
            e,
            StopInstanceError::UnsupportedOperationInstanceStateTerminated(_)
        ),
        "{e:?}"
    );

    // STOPPED_NO_CHARGE reached by stopping the instance, then stopping it again.
    client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("the first stop succeeds");
    wait_for_state(
        &emu,
        DEMO,
        InstanceState::StoppedNoCharge,
        Duration::from_secs(3),
    )
    .await;
    let e = stop_service_error(&client, DEMO).await;
    assert!(
        matches!(
            e,
            StopInstanceError::UnsupportedOperationInstanceStateStoppedNoCharge(_)
        ),
        "{e:?}"
    );
    assert_eq!(
        e.code(),
        "UnsupportedOperation.InstanceStateStoppedNoCharge"
    );
}
}

e2e_test! {
async fn second_stop_during_the_first_gets_instance_operation_in_progress(scheme) {
    let emu = start(scheme.config().timings(slow_stop())).await;
    let client = client(&emu);

    client
        .stop_instance(StopInstanceRequest::new("hai-running2"))
        .await
        .expect("the first stop is accepted");
    let e = stop_service_error(&client, "hai-running2").await;
    assert!(
        matches!(
            e,
            StopInstanceError::OperationDeniedInstanceOperationInProgress(_)
        ),
        "{e:?}"
    );
    // The refused stop did not disturb the first one.
    wait_for_state(
        &emu,
        "hai-running2",
        InstanceState::StoppedNoCharge,
        Duration::from_secs(3),
    )
    .await;

    // The seeded TERMINATING instance is also busy.
    let e = stop_service_error(&client, "hai-termning").await;
    assert!(
        matches!(
            e,
            StopInstanceError::OperationDeniedInstanceOperationInProgress(_)
        ),
        "{e:?}"
    );
}
}

e2e_test! {
async fn concurrent_stop_inside_the_accept_window_gets_operate_instance_repeatedly(scheme) {
    let emu = scheme.emulator().await;
    // A request holds the instance for 400 ms before its stop is accepted.
    emu.set_timings(Timings {
        accept_window: Duration::from_millis(400),
        ..emu.timings()
    });
    let client = client(&emu);

    let first = {
        let client = client.clone();
        tokio::spawn(async move { client.stop_instance(StopInstanceRequest::new(DEMO)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = client.stop_instance(StopInstanceRequest::new(DEMO)).await;
    let first = first.await.expect("the task does not panic");

    // Normally the first one holds the instance; whichever arrived first, one stop is
    // accepted and the other is refused.
    let (accepted, refused) = match (first, second) {
        (Ok(out), Err(err)) | (Err(err), Ok(out)) => (out, err),
        (a, b) => panic!("expected one success and one refusal, got {a:?} and {b:?}"),
    };
    assert!(accepted.task_id.is_some());
    let e = service_error(refused);
    assert!(
        matches!(
            e,
            StopInstanceError::FailedOperationOperateInstanceRepeatedly(_)
        ),
        "{e:?}"
    );
    wait_for_state(
        &emu,
        DEMO,
        InstanceState::StoppedNoCharge,
        Duration::from_secs(3),
    )
    .await;
}
}

e2e_test! {
async fn unknown_and_malformed_ids_get_their_invalid_parameter_value_codes(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);

    let e = stop_service_error(&client, "hai-zz999999").await;
    assert!(
        matches!(
            e,
            StopInstanceError::InvalidParameterValueInstanceIdNotFound(_)
        ),
        "{e:?}"
    );
    for malformed in ["i-12345678", "hai-UPPER123", "hai-short", ""] {
        let e = stop_service_error(&client, malformed).await;
        assert!(
            matches!(
                e,
                StopInstanceError::InvalidParameterValueInvalidInstanceIdMalformed(_)
            ),
            "{malformed:?}: {e:?}"
        );
    }
}
}

e2e_test! {
async fn instance_that_fails_internally_gets_internal_error_and_keeps_running(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);

    // The seed's `hai-broken01` fails every operation with InternalError.
    let e = stop_service_error(&client, "hai-broken01").await;
    assert!(matches!(e, StopInstanceError::InternalError(_)), "{e:?}");
    assert_eq!(
        emu.instance_state("hai-broken01"),
        Some(InstanceState::Running)
    );

    // The same through an instance added at run time.
    emu.insert_instance(
        Instance::new("hai-broken02", InstanceState::Running).with_fail_with("InternalError"),
    );
    let e = stop_service_error(&client, "hai-broken02").await;
    assert!(matches!(e, StopInstanceError::InternalError(_)), "{e:?}");
}
}

e2e_test! {
async fn duplicated_id_code_maps_to_its_typed_variant(scheme) {
    // `InvalidParameterValue.Duplicated` needs a list of instance ids; StopInstance takes a
    // single `InstanceId`, so no request state can produce it. Fault injection is the only way.
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults().inject(
        "StopInstance",
        Fault::error_code("InvalidParameterValue.Duplicated"),
        Times::Next(1),
    );

    let e = stop_service_error(&client, DEMO).await;
    assert!(
        matches!(e, StopInstanceError::InvalidParameterValueDuplicated(_)),
        "{e:?}"
    );
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));
}
}
