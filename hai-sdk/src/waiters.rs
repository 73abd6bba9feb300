//! Waiters: poll `DescribeInstances` until an instance reaches a state.
//!
//! ```no_run
//! # async fn demo(client: hai_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use hai_sdk::stop_instance::StopInstanceRequest;
//! client.stop_instance(StopInstanceRequest::new("hai-dunyfddn")).await?;
//! let instance = client.wait_until_instance_stopped("hai-dunyfddn").await?;
//! println!("{:?}", instance.instance_state);
//! # Ok(()) }
//! ```
//!
//! Each poll is one `DescribeInstances` call with `InstanceIds = [id]`. The first poll is
//! immediate; then the waiter sleeps [`WaiterConfig::initial_delay`], multiplying the delay
//! by [`WaiterConfig::multiplier`] after every poll up to [`WaiterConfig::max_delay`], until
//! the instance is in the target state, the state makes the target unreachable, or
//! [`WaiterConfig::timeout`] has passed since the wait began. Sleeps and the deadline use
//! `tokio::time`, so tests may run with a paused clock.
//!
//! # Reachability
//!
//! A waiter gives up at once with [`WaitError::Unreachable`] when the instance is in a state
//! from which the target cannot be reached any more:
//!
//! | Target              | Unreachable from |
//! |---------------------|------------------|
//! | `PENDING`           | every other state (an instance is pending only once, at launch) |
//! | `LAUNCH_FAILED`     | every state but `PENDING` |
//! | `RUNNING`           | `LAUNCH_FAILED`, `TERMINATING`, `TERMINATED` |
//! | `STOPPED_NO_CHARGE` | `LAUNCH_FAILED`, `TERMINATING`, `TERMINATED` |
//! | `ARREARS`           | `LAUNCH_FAILED`, `TERMINATING`, `TERMINATED` |
//! | `TERMINATING`       | `TERMINATED` |
//! | `TERMINATED`        | none |
//!
//! Every other combination keeps polling: `ARREARS` returns to service once the bill is paid,
//! and a stopped instance runs again after `StartInstance`. A state this SDK version does not
//! know (`InstanceState::Unknown`) also keeps polling.
//!
//! A poll that fails transiently even after the client's own retries (a 5xx, `InternalError`,
//! a timeout or a reset: `DescribeInstances` is read-only, so resending it is harmless) does
//! not end the wait: the waiter backs off and polls again until its own timeout, which then
//! reports the last failure. Any other error of `DescribeInstances` ends the wait at once
//! with [`WaitError::Call`].

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant as TokioInstant;

use crate::describe_instances::{DescribeInstancesError, DescribeInstancesRequest};
use crate::error::Error;
use crate::types::{Instance, InstanceState};
use crate::Client;

/// How a waiter polls: backoff between polls and the total time it may take.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct WaiterConfig {
    /// Delay after the first poll (default 2 s).
    pub initial_delay: Duration,
    /// Factor applied to the delay after each poll (default 1.5; values below 1 count as 1).
    pub multiplier: f64,
    /// Largest delay between polls (default 20 s).
    pub max_delay: Duration,
    /// Total time the wait may take, polls included (default 15 min).
    pub timeout: Duration,
}

impl Default for WaiterConfig {
    fn default() -> Self {
        WaiterConfig {
            initial_delay: Duration::from_secs(2),
            multiplier: 1.5,
            max_delay: Duration::from_secs(20),
            timeout: Duration::from_secs(15 * 60),
        }
    }
}

impl WaiterConfig {
    /// The defaults: 2 s initial delay, x1.5 per poll, at most 20 s, 15 min in all.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the delay after the first poll.
    #[must_use]
    pub fn with_initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the factor applied to the delay after each poll.
    #[must_use]
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier;
        self
    }

    /// Sets the largest delay between polls.
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the total time the wait may take.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn next_delay(&self, delay: Duration) -> Duration {
        let factor = if self.multiplier.is_finite() && self.multiplier > 1.0 {
            self.multiplier
        } else {
            1.0
        };
        let next =
            Duration::try_from_secs_f64(delay.as_secs_f64() * factor).unwrap_or(self.max_delay);
        next.min(self.max_delay)
    }
}

/// Why a wait ended without the instance reaching the target state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError {
    /// The timeout passed first.
    #[non_exhaustive]
    Timeout {
        /// The state seen at the last successful poll (`None`: no poll completed).
        last_state: Option<InstanceState>,
        /// The state waited for.
        target: InstanceState,
        /// The transient failure of the last poll, when the last poll failed.
        last_error: Option<Box<Error<DescribeInstancesError>>>,
    },
    /// The instance is in a state from which the target cannot be reached (see the
    /// [module documentation](self) for the table).
    #[non_exhaustive]
    Unreachable {
        /// The state the instance is in.
        state: InstanceState,
        /// The state waited for.
        target: InstanceState,
    },
    /// `DescribeInstances` does not list the instance. The service may stop listing
    /// terminated instances after a while, so a caller waiting for `TERMINATED` may treat
    /// this as done.
    #[non_exhaustive]
    NotFound {
        /// The id waited for.
        instance_id: String,
    },
    /// A `DescribeInstances` call failed (after the client's retries).
    Call(Error<DescribeInstancesError>),
}

impl WaitError {
    /// Whether the wait timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, WaitError::Timeout { .. })
    }

    /// Whether the target state had become unreachable.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, WaitError::Unreachable { .. })
    }

    /// Whether the instance was not listed.
    pub fn is_not_found(&self) -> bool {
        matches!(self, WaitError::NotFound { .. })
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout {
                last_state,
                target,
                last_error,
            } => {
                write!(f, "timed out waiting for state {target}")?;
                match last_state {
                    Some(s) => write!(f, "; the instance was last {s}")?,
                    None => write!(f, " before any poll completed")?,
                }
                if let Some(e) = last_error {
                    write!(f, "; the last poll failed: {e}")?;
                }
                Ok(())
            }
            WaitError::Unreachable { state, target } => write!(
                f,
                "the instance is {state}, from which {target} cannot be reached"
            ),
            WaitError::NotFound { instance_id } => {
                write!(
                    f,
                    "DescribeInstances does not list instance `{instance_id}`"
                )
            }
            WaitError::Call(e) => write!(f, "DescribeInstances failed while waiting: {e}"),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Call(e) => Some(e),
            WaitError::Timeout {
                last_error: Some(e),
                ..
            } => Some(&**e),
            _ => None,
        }
    }
}

impl From<Error<DescribeInstancesError>> for WaitError {
    fn from(e: Error<DescribeInstancesError>) -> Self {
        WaitError::Call(e)
    }
}

/// Whether an instance in `state` can still reach `target` (see the module's table).
pub fn can_reach(state: &InstanceState, target: &InstanceState) -> bool {
    use InstanceState as S;
    if state == target {
        return true;
    }
    match (state, target) {
        (S::Unknown(_), _) | (_, S::Unknown(_)) => true,
        (_, S::Terminated) => true,
        (S::Terminated, _) => false,
        (S::Terminating, _) => false,
        (_, S::Terminating) => true,
        (_, S::Pending) => false,
        (S::Pending, S::LaunchFailed) => true,
        (_, S::LaunchFailed) => false,
        (S::LaunchFailed, _) => false,
        _ => true,
    }
}

impl Client {
    /// Waits until the instance is `STOPPED_NO_CHARGE`, with [`WaiterConfig::default`].
    pub async fn wait_until_instance_stopped(
        &self,
        instance_id: impl Into<String>,
    ) -> Result<Instance, WaitError> {
        self.wait_for_instance_state(
            instance_id,
            InstanceState::StoppedNoCharge,
            WaiterConfig::default(),
        )
        .await
    }

    /// Waits until the instance is `RUNNING`, with [`WaiterConfig::default`].
    pub async fn wait_until_instance_running(
        &self,
        instance_id: impl Into<String>,
    ) -> Result<Instance, WaitError> {
        self.wait_for_instance_state(instance_id, InstanceState::Running, WaiterConfig::default())
            .await
    }

    /// Waits until the instance is `TERMINATED`, with [`WaiterConfig::default`].
    pub async fn wait_until_instance_terminated(
        &self,
        instance_id: impl Into<String>,
    ) -> Result<Instance, WaitError> {
        self.wait_for_instance_state(
            instance_id,
            InstanceState::Terminated,
            WaiterConfig::default(),
        )
        .await
    }

    /// Polls `DescribeInstances` until the instance is in `target`; returns the instance as
    /// last described. See the [module documentation](crate::waiters) for the backoff and the
    /// states that end the wait early.
    pub async fn wait_for_instance_state(
        &self,
        instance_id: impl Into<String>,
        target: InstanceState,
        config: WaiterConfig,
    ) -> Result<Instance, WaitError> {
        let id: String = instance_id.into();
        let poll = || {
            let req = DescribeInstancesRequest::new().instance_ids([id.clone()]);
            let id = id.clone();
            async move {
                let resp = self.describe_instances(req).await?;
                Ok(resp
                    .instance_set
                    .unwrap_or_default()
                    .into_iter()
                    .find(|i| i.instance_id.as_deref() == Some(id.as_str())))
            }
        };
        wait_with(&id, target, config, poll).await
    }
}

/// The waiter's loop over any poll function (`Ok(None)`: the instance is not listed).
pub(crate) async fn wait_with<F, Fut>(
    instance_id: &str,
    target: InstanceState,
    config: WaiterConfig,
    mut poll: F,
) -> Result<Instance, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Instance>, Error<DescribeInstancesError>>>,
{
    let deadline = TokioInstant::now() + config.timeout;
    let mut delay = config.initial_delay.min(config.max_delay);
    let mut last_state = None;
    let mut last_error = None;
    loop {
        let timeout =
            |last_state, last_error: Option<Error<DescribeInstancesError>>| WaitError::Timeout {
                last_state,
                target: target.clone(),
                last_error: last_error.map(Box::new),
            };
        match tokio::time::timeout_at(deadline, poll()).await {
            Err(_) => return Err(timeout(last_state, last_error)),
            // Ride over a transient failure; the next poll may well succeed.
            Ok(Err(e)) if e.is_retryable() => {
                tracing::debug!(instance_id, error = %e, ?delay, "poll failed transiently; polling again");
                last_error = Some(e);
            }
            Ok(Err(e)) => return Err(WaitError::Call(e)),
            Ok(Ok(None)) => {
                return Err(WaitError::NotFound {
                    instance_id: instance_id.to_owned(),
                })
            }
            Ok(Ok(Some(instance))) => {
                last_error = None;
                if let Some(state) = instance.instance_state.clone() {
                    if state == target {
                        return Ok(instance);
                    }
                    if !can_reach(&state, &target) {
                        return Err(WaitError::Unreachable { state, target });
                    }
                    tracing::debug!(instance_id, %state, %target, ?delay, "waiting for instance state");
                    last_state = Some(state);
                }
            }
        }
        let now = TokioInstant::now();
        if now >= deadline {
            return Err(timeout(last_state, last_error));
        }
        tokio::time::sleep_until((now + delay).min(deadline)).await;
        if TokioInstant::now() >= deadline {
            return Err(timeout(last_state, last_error));
        }
        delay = config.next_delay(delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

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
        use crate::error::ErrorMetadata;
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

    #[test]
    fn delays_grow_and_cap() {
        let c = cfg();
        assert_eq!(c.next_delay(Duration::from_secs(1)), Duration::from_secs(2));
        assert_eq!(c.next_delay(Duration::from_secs(4)), Duration::from_secs(5));
        let flat = c.with_multiplier(f64::NAN);
        assert_eq!(
            flat.next_delay(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
    }
}
