//! The blocking client (hai-sdk's `blocking` feature) against an emulator on a runtime of
//! the test's own: actions, paginators as iterators, waiters, shared runtimes of clones, and
//! the typed refusal inside an async runtime. Plus the blocking client of another tree (the
//! generator's fixture, generated with a blocking client always).

use std::time::Duration;

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Timings};
use hai_sdk::blocking::Client;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::error::BuildRequestErrorKind;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::InstanceState;
use hai_sdk::{Credentials, Error, RetryPolicy, WaitError, WaiterConfig};

const EXTRA: usize = 45;

/// An emulator served by a runtime that outlives it; the blocking client runs on its own.
fn emulator() -> (tokio::runtime::Runtime, EmulatorHandle) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let op = Duration::from_millis(200);
    let config = EmulatorConfig::default()
        .extra_instances(EXTRA)
        .timings(Timings {
            stop: op,
            start: op,
            terminate: op,
            run: op,
            ..Timings::default()
        });
    let emu = runtime
        .block_on(Emulator::start(config))
        .expect("emulator starts");
    (runtime, emu)
}

fn client(emu: &EmulatorHandle) -> Client {
    let cred = &emu.credentials()[0];
    Client::builder()
        .region("ap-guangzhou")
        .credentials(Credentials::new(
            cred.secret_id.clone(),
            cred.secret_key.clone(),
            None,
        ))
        .endpoint(emu.endpoint())
        .endpoint_from_env(false)
        .retry_policy(RetryPolicy::new().with_max_attempts(8))
        .build()
        .expect("client builds")
}

fn quick() -> WaiterConfig {
    WaiterConfig::new()
        .with_initial_delay(Duration::from_millis(50))
        .with_multiplier(2.0)
        .with_max_delay(Duration::from_millis(200))
        .with_timeout(Duration::from_secs(10))
}

#[test]
fn blocking_calls_stop_and_wait_like_the_async_client() {
    let (_runtime, emu) = emulator();
    let client = client(&emu);
    let id = "hai-dunyfddn";

    let out = client
        .stop_instance(StopInstanceRequest::new(id))
        .expect("stop");
    assert!(!out.request_id.is_empty());
    let instance = client
        .wait_for_instance_state(id, InstanceState::StoppedNoCharge, quick())
        .expect("stopped");
    assert_eq!(
        instance.instance_state,
        Some(InstanceState::StoppedNoCharge)
    );

    // A service error is the action's typed error, as with the async client.
    let e = client
        .stop_instance(StopInstanceRequest::new(id))
        .expect_err("already stopped");
    assert_eq!(
        e.code(),
        Some("UnsupportedOperation.InstanceStateStoppedNoCharge")
    );

    // Per-call options through the async client's call.
    let again = client.send(
        client
            .async_client()
            .describe_instances(DescribeInstancesRequest::new().instance_ids([id.to_owned()]))
            .timeout(Some(Duration::from_secs(5))),
    );
    assert_eq!(again.expect("describe").total_count, Some(1));
}

#[test]
fn blocking_paginators_are_iterators_of_pages_and_items() {
    let (_runtime, emu) = emulator();
    let client = client(&emu);
    let total = emu.instances().len();

    let pages: Vec<_> = client
        .describe_instances_paginator(DescribeInstancesRequest::new())
        .page_size(10)
        .collect::<Result<_, _>>()
        .expect("pages");
    assert_eq!(pages.len(), total.div_ceil(10));

    let ids: Vec<String> = client
        .describe_instances_paginator(DescribeInstancesRequest::new())
        .items()
        .map(|i| i.expect("item").instance_id.expect("InstanceId"))
        .collect();
    assert_eq!(ids.len(), total);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), total);
}

#[test]
fn clones_share_one_runtime_across_threads() {
    let (_runtime, emu) = emulator();
    let client = client(&emu);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                client
                    .describe_instances(DescribeInstancesRequest::new())
                    .map(|o| o.total_count)
            })
        })
        .collect();
    for t in threads {
        let total = t.join().expect("thread").expect("describe");
        assert_eq!(total, Some(emu.instances().len() as i64));
    }
}

#[test]
fn inside_an_async_runtime_every_blocking_call_is_a_typed_error_and_sends_nothing() {
    let (runtime, emu) = emulator();
    let client = client(&emu);
    runtime.block_on(async {
        let e = client
            .stop_instance(StopInstanceRequest::new("hai-dunyfddn"))
            .expect_err("refused");
        match &e {
            Error::Build(b) => {
                assert_eq!(b.kind(), BuildRequestErrorKind::InsideAsyncRuntime);
                assert_eq!(b.action(), "StopInstance");
            }
            other => panic!("{other:?}"),
        }
        let shown = e.to_string();
        assert!(shown.starts_with("StopInstance: "), "{shown}");
        assert!(shown.contains("async runtime"), "{shown}");

        let mut pages = client.describe_instances_paginator(DescribeInstancesRequest::new());
        match pages.next() {
            Some(Err(Error::Build(b))) => {
                assert_eq!(b.kind(), BuildRequestErrorKind::InsideAsyncRuntime)
            }
            other => panic!("{other:?}"),
        }
        assert!(pages.next().is_none(), "the error ends the iteration");

        match client.wait_until_instance_stopped("hai-dunyfddn") {
            Err(WaitError::Call(Error::Build(b))) => {
                assert_eq!(b.kind(), BuildRequestErrorKind::InsideAsyncRuntime);
                assert_eq!(b.action(), "DescribeInstances");
            }
            other => panic!("{other:?}"),
        }
        // Dropping the last clone inside async code does not panic either.
        drop(client);
    });
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(hai_emulator::InstanceState::Running),
        "nothing was sent"
    );
}

#[test]
fn the_fixture_tree_has_a_blocking_client_too() {
    // Another service's tree: its blocking client exists and refuses inside async code.
    let client = hai_tests::demo::blocking::Client::builder()
        .region("ap-guangzhou")
        .credentials(Credentials::new("AKIDfixture", "fixture-key", None))
        .endpoint("http://127.0.0.1:9")
        .endpoint_from_env(false)
        .build()
        .expect("client builds");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let e = client
            .call(hai_tests::demo::describe_widgets::DescribeWidgetsRequest::new())
            .expect_err("refused");
        assert!(
            matches!(e, Error::Build(b) if b.kind() == BuildRequestErrorKind::InsideAsyncRuntime)
        );
    });
}
