//! Waiters: poll a describe action until a resource reaches a state.
//!
//! The generator emits, for each resource of the spec, `client.wait_for_<resource>_state(id,
//! target, config)`, one `client.wait_until_<resource>_<waiter>(id)` per named waiter (with
//! [`WaiterConfig::default`]) and a `<resource>_can_reach(state, target)` function holding
//! the spec's reachability table, in the describe action's module; this module holds the
//! wait loop, [`WaiterConfig`] and [`WaitError`] they share.
//!
//! Each poll is one describe call for the one id (selected as the spec says: a list of one id, or
//! a filter). The first poll is
//! immediate; then the waiter sleeps [`WaiterConfig::initial_delay`], multiplying the delay
//! by [`WaiterConfig::multiplier`] after every poll up to [`WaiterConfig::max_delay`], until
//! the resource is in the target state, the state makes the target unreachable, or
//! [`WaiterConfig::timeout`] has passed since the wait began. Sleeps and the deadline use
//! `tokio::time`, so tests may run with a paused clock.
//!
//! # Reachability
//!
//! A waiter gives up at once with [`WaitError::Unreachable`] when the resource is in a state
//! from which the target cannot be reached any more, by the spec's table for the resource
//! (the docs of its generated `*_can_reach` function show it). A state the generated code
//! does not know keeps polling.
//!
//! A poll that fails transiently even after the client's own retries (a 5xx, `InternalError`,
//! a timeout or a reset: describe actions are read-only, so resending them is harmless) does
//! not end the wait: the waiter backs off and polls again until its own timeout, which then
//! reports the last failure. Any other error of the describe action ends the wait at once
//! with [`WaitError::Call`].

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant as TokioInstant;

use crate::error::shown::{Shown, VALUE_SHOWN};
use crate::error::{ActionError, Error, ProvideErrorMetadata};

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

/// What the wait loop says about the kind of resource it waits for; one per resource,
/// generated from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resource {
    /// The resource's name in messages: `instance`, `service`.
    pub name: &'static str,
    /// The action each poll calls, e.g. `DescribeInstances`.
    pub describe: &'static str,
}

impl Resource {
    /// A resource called `name` (in messages), polled through the action `describe`.
    pub const fn new(name: &'static str, describe: &'static str) -> Self {
        Resource { name, describe }
    }
}

/// Why a wait ended without the resource reaching the target state. `S` is the resource's
/// state type and `E` its describe action's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<S, E> {
    /// The timeout passed first.
    #[non_exhaustive]
    Timeout {
        /// The state seen at the last successful poll (`None`: no poll completed).
        last_state: Option<S>,
        /// The state waited for.
        target: S,
        /// The transient failure of the last poll, when the last poll failed.
        last_error: Option<Box<Error<E>>>,
        /// The kind of resource waited for.
        resource: Resource,
    },
    /// The resource is in a state from which the target cannot be reached (see the
    /// [module documentation](self)).
    #[non_exhaustive]
    Unreachable {
        /// The state the resource is in.
        state: S,
        /// The state waited for.
        target: S,
        /// The kind of resource waited for.
        resource: Resource,
    },
    /// The describe action does not list the resource. The service may stop listing
    /// deleted resources after a while (terminated instances, say), so a caller waiting for
    /// a final state may treat this as done.
    #[non_exhaustive]
    NotFound {
        /// The id waited for.
        id: String,
        /// The kind of resource waited for.
        resource: Resource,
    },
    /// A describe call failed (after the client's retries).
    Call(Error<E>),
}

impl<S, E> WaitError<S, E> {
    /// Whether the wait timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, WaitError::Timeout { .. })
    }

    /// Whether the target state had become unreachable.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, WaitError::Unreachable { .. })
    }

    /// Whether the resource was not listed.
    pub fn is_not_found(&self) -> bool {
        matches!(self, WaitError::NotFound { .. })
    }
}

impl<S: fmt::Display, E: fmt::Display + ProvideErrorMetadata> fmt::Display for WaitError<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // States can be values the service sent that this SDK does not know, and ids come
        // from the caller: both are shown escaped.
        let shown = |v: &dyn fmt::Display| v.to_string();
        let esc = |s: &str| Shown::new(s, VALUE_SHOWN).to_string();
        match self {
            WaitError::Timeout {
                last_state,
                target,
                last_error,
                resource,
            } => {
                write!(f, "timed out waiting for state {}", esc(&shown(target)))?;
                match last_state {
                    Some(s) => write!(f, "; the {} was last {}", resource.name, esc(&shown(s)))?,
                    None => write!(f, " before any poll completed")?,
                }
                if let Some(e) = last_error {
                    write!(f, "; the last poll failed: {e}")?;
                }
                Ok(())
            }
            WaitError::Unreachable {
                state,
                target,
                resource,
            } => write!(
                f,
                "the {} is {}, from which {} cannot be reached",
                resource.name,
                esc(&shown(state)),
                esc(&shown(target))
            ),
            WaitError::NotFound { id, resource, .. } => write!(
                f,
                "{} does not list {} `{}`",
                resource.describe,
                resource.name,
                esc(id)
            ),
            WaitError::Call(e) => write!(f, "{} failed while waiting: {e}", e.action()),
        }
    }
}

impl<S, E> std::error::Error for WaitError<S, E>
where
    S: fmt::Display + fmt::Debug,
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
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

impl<S, E> From<Error<E>> for WaitError<S, E> {
    fn from(e: Error<E>) -> Self {
        WaitError::Call(e)
    }
}

/// The wait loop the generated waiters share: polls with `poll` (`Ok(None)`: the resource
/// is not listed) until `state_of` the item is `target`, `can_reach` says the target is out
/// of reach, or the configured timeout passes. See the [module documentation](self).
pub async fn wait_for_state<S, I, E, F, Fut>(
    resource: Resource,
    id: &str,
    target: S,
    config: WaiterConfig,
    can_reach: fn(&S, &S) -> bool,
    state_of: fn(&I) -> Option<S>,
    mut poll: F,
) -> Result<I, WaitError<S, E>>
where
    S: Clone + PartialEq + fmt::Display,
    E: ActionError,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<I>, Error<E>>>,
{
    let deadline = TokioInstant::now() + config.timeout;
    let mut delay = config.initial_delay.min(config.max_delay);
    let mut last_state = None;
    let mut last_error = None;
    loop {
        let timeout = |last_state, last_error: Option<Error<E>>| WaitError::Timeout {
            last_state,
            target: target.clone(),
            last_error: last_error.map(Box::new),
            resource,
        };
        match tokio::time::timeout_at(deadline, poll()).await {
            Err(_) => return Err(timeout(last_state, last_error)),
            // Ride over a transient failure; the next poll may well succeed.
            Ok(Err(e)) if e.is_retryable() => {
                tracing::debug!(resource = resource.name, id, error = %e, ?delay, "poll failed transiently; polling again");
                last_error = Some(e);
            }
            Ok(Err(e)) => return Err(WaitError::Call(e)),
            Ok(Ok(None)) => {
                return Err(WaitError::NotFound {
                    id: id.to_owned(),
                    resource,
                });
            }
            Ok(Ok(Some(item))) => {
                last_error = None;
                if let Some(state) = state_of(&item) {
                    if state == target {
                        return Ok(item);
                    }
                    if !can_reach(&state, &target) {
                        return Err(WaitError::Unreachable {
                            state,
                            target,
                            resource,
                        });
                    }
                    tracing::debug!(resource = resource.name, id, %state, %target, ?delay, "waiting for state");
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

    fn cfg() -> WaiterConfig {
        WaiterConfig::new()
            .with_initial_delay(Duration::from_secs(1))
            .with_multiplier(2.0)
            .with_max_delay(Duration::from_secs(5))
            .with_timeout(Duration::from_secs(30))
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
