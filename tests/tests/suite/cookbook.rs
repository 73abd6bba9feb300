//! End to end against an emulator this test starts on 127.0.0.1: the paginator over 260
//! instances, the waiters through stop/start/terminate and launch, and a concurrent stop of
//! many instances under the client's rate limit.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Timings};
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::run_instances::RunInstancesRequest;
use hai_sdk::start_instance::StartInstanceRequest;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::terminate_instances::TerminateInstancesRequest;
use hai_sdk::types::{Filter, InstanceState};
use hai_sdk::{Client, Credentials, RetryPolicy, WaitError, WaiterConfig};

use super::support::{trusting, Scheme};

const SEEDED: usize = 250;

async fn emulator(scheme: Scheme) -> EmulatorHandle {
    let op = Duration::from_millis(300);
    let config = EmulatorConfig::default()
        .tls(scheme == Scheme::Https)
        .extra_instances(SEEDED)
        .timings(Timings {
            stop: op,
            start: op,
            terminate: op,
            run: op,
            ..Timings::default()
        });
    Emulator::start(config).await.expect("emulator starts")
}

fn client(emu: &EmulatorHandle) -> Client {
    let cred = &emu.credentials()[0];
    trusting(emu, Client::builder())
        .region("ap-guangzhou")
        .credentials(Credentials::new(
            cred.secret_id.clone(),
            cred.secret_key.clone(),
            None,
        ))
        .endpoint(emu.endpoint())
        .endpoint_from_env(false)
        // The client's token bucket allows a one-second burst on top of the steady 20/s, so
        // the emulator's sliding one-second window can still throttle right after a burst;
        // a few more attempts than the default 3 ride that out.
        .retry_policy(RetryPolicy::new().with_max_attempts(8))
        .build()
        .expect("client builds")
}

/// Fast polling for tests: 50 ms, x2, at most 200 ms, 10 s in all.
fn quick() -> WaiterConfig {
    WaiterConfig::new()
        .with_initial_delay(Duration::from_millis(50))
        .with_multiplier(2.0)
        .with_max_delay(Duration::from_millis(200))
        .with_timeout(Duration::from_secs(10))
}

e2e_test! {
async fn paginator_lists_every_seeded_instance_exactly_once(scheme) {
    let emu = emulator(scheme).await;
    let client = client(&emu);
    let expected: HashSet<String> = emu.instances().into_iter().map(|i| i.instance_id).collect();
    assert_eq!(expected.len(), SEEDED + 10);

    // Default page size (20): 13 full pages; the last reaches TotalCount, so no 14th request.
    let pages: Vec<_> = client
        .describe_instances_paginator(DescribeInstancesRequest::new())
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.len(), 13);
    assert!(pages.iter().all(|p| p.total_count == Some(260)));

    for size in [20, 100, 7] {
        let ids: Vec<String> = client
            .describe_instances_paginator(DescribeInstancesRequest::new())
            .page_size(size)
            .items()
            .map_ok(|i| i.instance_id.expect("InstanceId"))
            .try_collect()
            .await
            .expect("items");
        assert_eq!(ids.len(), expected.len(), "page size {size}");
        let unique: HashSet<String> = ids.into_iter().collect();
        assert_eq!(unique, expected, "page size {size}");
    }

    // With a filter and a starting offset.
    let running = DescribeInstancesRequest::new()
        .filters([Filter::new("instance-state", ["RUNNING".to_owned()])])
        .offset(5);
    let n = client
        .describe_instances_paginator(running)
        .items()
        .count()
        .await;
    assert_eq!(n, SEEDED + 4 - 5);
}
}

e2e_test! {
async fn stop_wait_start_wait_terminate_wait(scheme) {
    let emu = emulator(scheme).await;
    let client = client(&emu);
    let id = "hai-g0000042";

    client
        .stop_instance(StopInstanceRequest::new(id))
        .await
        .expect("stop");
    let i = client
        .wait_for_instance_state(id, InstanceState::StoppedNoCharge, quick())
        .await
        .expect("stopped");
    assert_eq!(i.instance_state, Some(InstanceState::StoppedNoCharge));
    assert_eq!(
        emu.instance_state(id),
        Some(hai_emulator::InstanceState::StoppedNoCharge)
    );

    client
        .start_instance(StartInstanceRequest::new(id))
        .await
        .expect("start");
    let i = client
        .wait_for_instance_state(id, InstanceState::Running, quick())
        .await
        .expect("running");
    assert_eq!(i.instance_state, Some(InstanceState::Running));
    assert_eq!(i.latest_operation.as_deref(), Some("StartInstance"));

    client
        .terminate_instances(TerminateInstancesRequest::new([id.to_owned()]))
        .await
        .expect("terminate");
    let i = client
        .wait_for_instance_state(id, InstanceState::Terminated, quick())
        .await
        .expect("terminated");
    assert_eq!(i.instance_state, Some(InstanceState::Terminated));

    // Waiting for RUNNING on a terminated instance now fails at once.
    let e = client
        .wait_for_instance_state(id, InstanceState::Running, quick())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            WaitError::Unreachable {
                state: InstanceState::Terminated,
                ..
            }
        ),
        "{e}"
    );
}
}

e2e_test! {
async fn waiter_failures_are_typed(scheme) {
    let emu = emulator(scheme).await;
    let client = client(&emu);

    // LAUNCH_FAILED can never become RUNNING: one poll, no sleeping.
    let config = quick().with_initial_delay(Duration::from_secs(5));
    let t0 = Instant::now();
    let e = client
        .wait_for_instance_state("hai-lnchfail", InstanceState::Running, config)
        .await
        .unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(4), "{:?}", t0.elapsed());
    assert!(
        matches!(
            &e,
            WaitError::Unreachable {
                state: InstanceState::LaunchFailed,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("LAUNCH_FAILED"), "{e}");

    // The seed's PENDING instance never finishes launching.
    let e = client
        .wait_for_instance_state(
            "hai-pending1",
            InstanceState::Running,
            quick().with_timeout(Duration::from_millis(400)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            WaitError::Timeout {
                last_state: Some(InstanceState::Pending),
                ..
            }
        ),
        "{e}"
    );

    let e = client
        .wait_until_instance_running("hai-nothere0")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    let e = client
        .wait_until_instance_running("not-an-id")
        .await
        .unwrap_err();
    match e {
        WaitError::Call(c) => assert_eq!(
            c.code(),
            Some("InvalidParameterValue.InvalidInstanceIdMalformed")
        ),
        other => panic!("{other}"),
    }
}
}

e2e_test! {
async fn launches_are_waited_for(scheme) {
    let emu = emulator(scheme).await;
    let client = client(&emu);
    let run = RunInstancesRequest::new("app-pytorch2", "XL");
    let ids = client
        .run_instances(run.clone())
        .await
        .expect("run")
        .instance_id_set
        .expect("ids");
    let i = client
        .wait_for_instance_state(ids[0].clone(), InstanceState::Running, quick())
        .await
        .expect("running");
    assert_eq!(i.instance_state, Some(InstanceState::Running));

    emu.set_launch_result(hai_emulator::InstanceState::LaunchFailed);
    let ids = client
        .run_instances(run)
        .await
        .expect("run")
        .instance_id_set
        .expect("ids");
    let e = client
        .wait_for_instance_state(ids[0].clone(), InstanceState::Running, quick())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            WaitError::Unreachable {
                state: InstanceState::LaunchFailed,
                ..
            }
        ),
        "{e}"
    );
}
}

e2e_test! {
/// The cookbook's "stop them all": 60 stops at once stay within the emulator's 20/s limit
/// thanks to the client's token bucket, and every instance ends up stopped.
async fn concurrent_stop_all_respects_the_rate_limit(scheme) {
    let emu = emulator(scheme).await;
    let client = client(&emu);
    let ids: Vec<String> = (0..60).map(|i| format!("hai-g{i:07}")).collect();
    let results: Vec<_> = futures_util::stream::iter(ids.clone())
        .map(|id| {
            let client = &client;
            async move {
                client
                    .stop_instance(StopInstanceRequest::new(id.clone()))
                    .await
                    .map_err(|e| e.to_string())?;
                client
                    .wait_for_instance_state(id, InstanceState::StoppedNoCharge, quick())
                    .await
                    .map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    for id in &ids {
        assert_eq!(
            emu.instance_state(id),
            Some(hai_emulator::InstanceState::StoppedNoCharge)
        );
    }
}
}
