//! The runtime's wait loop with HAI's instance states and reachability table.

use crate::describe_instances::DescribeInstancesError;
use crate::types::{Instance, InstanceState};
use crate::waiters::{can_reach, wait_for_state, Resource, WaitError, WaiterConfig};
use crate::Error;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant as TokioInstant;

/// The generated instance waiter's loop, with the poll function a test supplies.
async fn wait_with<F, Fut>(
    id: &str,
    target: InstanceState,
    config: WaiterConfig,
    poll: F,
) -> Result<Instance, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Instance>, Error<DescribeInstancesError>>>,
{
    wait_for_state(
        Resource::new("instance", "DescribeInstances"),
        id,
        target,
        config,
        can_reach,
        |i: &Instance| i.instance_state.clone(),
        poll,
    )
    .await
}

type Polled = std::future::Ready<Result<Option<Instance>, Error<DescribeInstancesError>>>;
type Times = Arc<Mutex<Vec<Duration>>>;

fn instance(state: &str) -> Instance {
    Instance {
        instance_id: Some("hai-dunyfddn".into()),
        instance_state: Some(InstanceState::from_wire(state)),
        ..Instance::default()
    }
}

/// A poller answering the given states in turn (the last one forever), recording when
/// each poll happened.
fn script(states: &[&'static str]) -> (impl FnMut() -> Polled, Times) {
    let states = states.to_vec();
    let start = TokioInstant::now();
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    let mut n = 0;
    let poll = move || {
        seen.lock().unwrap().push(start.elapsed());
        let s = states[n.min(states.len() - 1)];
        n += 1;
        std::future::ready(Ok(if s == "-" { None } else { Some(instance(s)) }))
    };
    (poll, times)
}

fn cfg() -> WaiterConfig {
    WaiterConfig::new()
        .with_initial_delay(Duration::from_secs(1))
        .with_multiplier(2.0)
        .with_max_delay(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(30))
}

#[tokio::test(start_paused = true)]
async fn backs_off_until_the_target() {
    let (poll, times) = script(&[
        "RUNNING",
        "RUNNING",
        "RUNNING",
        "RUNNING",
        "RUNNING",
        "STOPPED_NO_CHARGE",
    ]);
    let i = wait_with("hai-dunyfddn", InstanceState::StoppedNoCharge, cfg(), poll)
        .await
        .unwrap();
    assert_eq!(i.instance_state, Some(InstanceState::StoppedNoCharge));
    let secs: Vec<u64> = times.lock().unwrap().iter().map(|d| d.as_secs()).collect();
    // Delays 1, 2, 4, 5 (capped), 5.
    assert_eq!(secs, [0, 1, 3, 7, 12, 17]);
}

#[tokio::test(start_paused = true)]
async fn times_out_at_the_deadline_with_the_last_state() {
    let (poll, times) = script(&["PENDING"]);
    let start = TokioInstant::now();
    let e = wait_with("hai-dunyfddn", InstanceState::Running, cfg(), poll)
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
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    assert!(times.lock().unwrap().len() < 10);
}

#[tokio::test(start_paused = true)]
async fn transient_poll_failures_are_ridden_over_others_end_the_wait() {
    use crate::ErrorMetadata;
    let failure = |code: &str| {
        Err(Error::Service(DescribeInstancesError::from(
            ErrorMetadata::new("DescribeInstances", code, "", "r", 200),
        )))
    };
    let mut polls = 0;
    let got = wait_with("hai-dunyfddn", InstanceState::Running, cfg(), || {
        polls += 1;
        std::future::ready(match polls {
            1 | 2 => failure("InternalError"),
            _ => Ok(Some(instance("RUNNING"))),
        })
    })
    .await
    .expect("rides over two InternalError polls");
    assert_eq!(got.instance_state, Some(InstanceState::Running));
    assert_eq!(polls, 3);

    let e = wait_with("hai-dunyfddn", InstanceState::Running, cfg(), || {
        std::future::ready(failure("InvalidParameter"))
    })
    .await
    .unwrap_err();
    assert!(matches!(e, WaitError::Call(_)), "{e}");

    let start = TokioInstant::now();
    let e = wait_with("hai-dunyfddn", InstanceState::Running, cfg(), || {
        std::future::ready(failure("InternalError"))
    })
    .await
    .unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    match &e {
        WaitError::Timeout {
            last_state: None,
            last_error: Some(last),
            ..
        } => assert_eq!(last.code(), Some("InternalError")),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("InternalError"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn a_hanging_poll_is_cut_at_the_deadline() {
    let start = TokioInstant::now();
    let e = wait_with("hai-dunyfddn", InstanceState::Running, cfg(), || {
        std::future::pending::<Result<Option<Instance>, Error<DescribeInstancesError>>>()
    })
    .await
    .unwrap_err();
    assert!(matches!(
        e,
        WaitError::Timeout {
            last_state: None,
            ..
        }
    ));
    assert_eq!(start.elapsed(), Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn unreachable_states_end_the_wait_at_once() {
    for (state, target) in [
        ("LAUNCH_FAILED", InstanceState::Running),
        ("TERMINATED", InstanceState::Running),
        ("TERMINATING", InstanceState::StoppedNoCharge),
        ("RUNNING", InstanceState::Pending),
    ] {
        let (poll, times) = script(&[state]);
        let start = TokioInstant::now();
        let e = wait_with("hai-dunyfddn", target.clone(), cfg(), poll)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, WaitError::Unreachable { state: s, .. } if s.as_str() == state),
            "{e}"
        );
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(times.lock().unwrap().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn not_listed_is_not_found() {
    let (poll, _) = script(&["-"]);
    let e = wait_with("hai-dunyfddn", InstanceState::Terminated, cfg(), poll)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn reachability_table() {
    use InstanceState as S;
    let all = [
        S::Pending,
        S::LaunchFailed,
        S::Running,
        S::Arrears,
        S::StoppedNoCharge,
        S::Terminating,
        S::Terminated,
    ];
    for target in &all {
        // Everything can be terminated; a terminated instance stays terminated.
        assert!(can_reach(target, &S::Terminated));
        assert_eq!(can_reach(&S::Terminated, target), *target == S::Terminated);
        assert!(can_reach(target, target));
    }
    assert!(can_reach(&S::Pending, &S::Running));
    assert!(can_reach(&S::Pending, &S::LaunchFailed));
    assert!(can_reach(&S::StoppedNoCharge, &S::Running));
    assert!(can_reach(&S::Arrears, &S::Running));
    assert!(can_reach(&S::Running, &S::StoppedNoCharge));
    assert!(!can_reach(&S::LaunchFailed, &S::Running));
    assert!(!can_reach(&S::Terminating, &S::Running));
    assert!(!can_reach(&S::Running, &S::LaunchFailed));
    assert!(!can_reach(&S::StoppedNoCharge, &S::Pending));
    assert!(can_reach(&S::from_wire("HIBERNATING"), &S::Running));
}
