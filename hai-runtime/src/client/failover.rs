//! Opt-in endpoint failover: after a number of consecutive attempts that never reached the
//! service's endpoint, its calls go to a backup endpoint for a cool-down, then to the primary
//! again. The state is a few atomics per service; a configuration without failover keeps
//! none and pays one `Option` check per attempt.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::endpoint::Endpoint;
use crate::error::{Delivery, Error, ErrorMetadata, TimeoutKind};

/// Default number of consecutive unreachable attempts before switching.
pub const DEFAULT_FAILOVER_AFTER: u32 = 3;
/// Default time on the backup before the primary is tried again.
pub const DEFAULT_FAILOVER_COOL_DOWN: Duration = Duration::from_secs(30);

/// An opt-in backup endpoint for a service whose primary endpoint becomes unreachable (a
/// region's API hosts down, a private link lost), given to
/// [`ConfigBuilder::failover`](super::ConfigBuilder::failover).
///
/// Only failures that provably never reached the primary count: refused or failed
/// connections, TLS handshakes refused, connect timeouts and proxies refusing the tunnel
/// (errors whose [`Delivery`] is `NotSent`). After [`after`](Self::after) of them in a row
/// (3 unless set) the service's calls go to the backup, each attempt signed for the
/// backup's host; after [`cool_down`](Self::cool_down) (30 s unless set) calls go to the
/// primary again: the first of them that reaches it ends the failover, the first that
/// cannot reach it sends calls back to the backup for another cool-down. An answer from the
/// primary, success or service error, resets the count; a service error never counts, and
/// neither do failures after which the request may have arrived (timeouts after sending,
/// broken connections). Each switch is logged with `tracing` at warn level. A failed
/// attempt is retried by the usual rules (connection failures and connect timeouts always
/// are, refused TLS handshakes never), so with `after(n)` below the retry policy's attempt
/// count the call that trips the switch on a refused connection already succeeds on the
/// backup; later calls go there directly.
///
/// ```no_run
/// # fn f() -> Result<(), hai_runtime::BuildError> {
/// use std::time::Duration;
/// use hai_runtime::client::Failover;
///
/// let config = hai_runtime::Config::builder()
///     .region("ap-guangzhou")
///     .regional_endpoint(true)
///     .failover(
///         Failover::new("https://hai.ap-shanghai.tencentcloudapi.com")
///             .service("hai")
///             .after(3)
///             .cool_down(Duration::from_secs(30)),
///     )
///     .credentials(hai_runtime::Credentials::new("AKID...", "...", None))
///     .build()?;
/// # let _ = config; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Failover {
    pub(crate) backup: String,
    pub(crate) service: Option<String>,
    pub(crate) after: u32,
    pub(crate) cool_down: Duration,
}

impl Failover {
    /// Fails over to `backup_url` (`https://host[:port]`, or `http://` for a local
    /// endpoint), checked like [`ConfigBuilder::endpoint`](super::ConfigBuilder::endpoint)
    /// when the client is built. Applies to every service unless restricted with
    /// [`service`](Self::service).
    pub fn new(backup_url: impl Into<String>) -> Self {
        Self {
            backup: backup_url.into(),
            service: None,
            after: DEFAULT_FAILOVER_AFTER,
            cool_down: DEFAULT_FAILOVER_COOL_DOWN,
        }
    }

    /// Applies this backup only to the service of this name (`hai`, `cvm`; any case): a
    /// configuration shared by several services gives each its own backup host. A
    /// service-specific failover wins over one without a service.
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    /// Switches after this many consecutive attempts that did not reach the primary (at
    /// least 1).
    pub fn after(mut self, failures: u32) -> Self {
        self.after = failures.max(1);
        self
    }

    /// How long calls stay on the backup before the primary is tried again.
    pub fn cool_down(mut self, cool_down: Duration) -> Self {
        self.cool_down = cool_down;
        self
    }
}

/// A failover set up for the configuration: its backup parsed once.
#[derive(Debug)]
pub(crate) struct FailoverRule {
    pub(crate) service: Option<String>,
    pub(crate) backup: Arc<Endpoint>,
    pub(crate) after: u32,
    pub(crate) cool_down: Duration,
}

/// Where one attempt goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// The primary, no failover in progress.
    Primary,
    /// The backup, during a cool-down.
    Backup,
    /// The primary again, after a cool-down.
    Probe,
}

/// One service's failover state: lock-free, shared by every call of the service.
#[derive(Debug)]
pub(crate) struct FailoverState {
    service: &'static str,
    backup: Arc<Endpoint>,
    after: u32,
    cool_down_ms: u64,
    epoch: Instant,
    /// Consecutive attempts that did not reach the primary.
    failures: AtomicU32,
    /// When calls went to the backup, in ms since `epoch` plus one; 0 on the primary.
    switched_at: AtomicU64,
}

/// What an attempt showed about its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// An answer came back (a success or any error the server sent).
    Reached,
    /// The request provably never reached the server.
    NotReached,
    /// Nothing learnt: a credentials or build failure, or a failure after sending.
    Unknown,
}

impl Reach {
    /// Classifies an attempt's result.
    pub(crate) fn of<T>(result: &Result<T, Error<ErrorMetadata>>) -> Reach {
        match result {
            Ok(_) | Err(Error::Service(_) | Error::Response(_) | Error::Decode(_)) => {
                Reach::Reached
            }
            Err(Error::Dispatch(d)) if d.delivery() == Delivery::NotSent => Reach::NotReached,
            Err(Error::Timeout(t))
                if t.kind() == TimeoutKind::Connect && t.delivery() == Delivery::NotSent =>
            {
                Reach::NotReached
            }
            Err(_) => Reach::Unknown,
        }
    }
}

impl FailoverState {
    pub(crate) fn new(service: &'static str, rule: &FailoverRule) -> Self {
        Self {
            service,
            backup: rule.backup.clone(),
            after: rule.after.max(1),
            cool_down_ms: u64::try_from(rule.cool_down.as_millis()).unwrap_or(u64::MAX),
            epoch: Instant::now(),
            failures: AtomicU32::new(0),
            switched_at: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    /// Where the next attempt goes.
    pub(crate) fn route(&self) -> Route {
        let at = self.switched_at.load(Ordering::Acquire);
        if at == 0 {
            Route::Primary
        } else if self.now().saturating_sub(at) >= self.cool_down_ms {
            Route::Probe
        } else {
            Route::Backup
        }
    }

    /// The endpoint of `route`.
    pub(crate) fn endpoint<'a>(&'a self, route: Route, primary: &'a Endpoint) -> &'a Endpoint {
        match route {
            Route::Backup => &self.backup,
            Route::Primary | Route::Probe => primary,
        }
    }

    /// Takes in what an attempt on `route` showed.
    pub(crate) fn record(&self, route: Route, reach: Reach, primary: &Endpoint) {
        match (route, reach) {
            (_, Reach::Unknown) | (Route::Backup, Reach::Reached) => {}
            (Route::Backup, Reach::NotReached) => {
                tracing::debug!(
                    service = self.service,
                    backup = %self.backup.host,
                    "endpoint failover: the backup did not answer either"
                );
            }
            (Route::Primary, Reach::Reached) => {
                if self.failures.load(Ordering::Relaxed) != 0 {
                    self.failures.store(0, Ordering::Relaxed);
                }
            }
            (Route::Primary, Reach::NotReached) => {
                let failures = self
                    .failures
                    .fetch_add(1, Ordering::AcqRel)
                    .saturating_add(1);
                if failures >= self.after
                    && self
                        .switched_at
                        .compare_exchange(0, self.now(), Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                {
                    self.failures.store(0, Ordering::Relaxed);
                    tracing::warn!(
                        service = self.service,
                        primary = %primary.host,
                        backup = %self.backup.host,
                        failures,
                        cool_down_ms = self.cool_down_ms,
                        "endpoint failover: the primary was not reached; switching to the backup"
                    );
                }
            }
            (Route::Probe, Reach::Reached) => {
                let at = self.switched_at.load(Ordering::Acquire);
                if at != 0
                    && self
                        .switched_at
                        .compare_exchange(at, 0, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                {
                    self.failures.store(0, Ordering::Relaxed);
                    tracing::warn!(
                        service = self.service,
                        primary = %primary.host,
                        backup = %self.backup.host,
                        "endpoint failover: the primary answers again; switching back to it"
                    );
                }
            }
            (Route::Probe, Reach::NotReached) => {
                let at = self.switched_at.load(Ordering::Acquire);
                // Concurrent probes: the first failure re-arms the cool-down, once.
                if at != 0
                    && self.now().saturating_sub(at) >= self.cool_down_ms
                    && self
                        .switched_at
                        .compare_exchange(at, self.now(), Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                {
                    tracing::warn!(
                        service = self.service,
                        primary = %primary.host,
                        backup = %self.backup.host,
                        cool_down_ms = self.cool_down_ms,
                        "endpoint failover: the primary is still not reached; back to the backup"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(after: u32, cool_down: Duration) -> (FailoverState, Endpoint) {
        let rule = FailoverRule {
            service: None,
            backup: Arc::new(Endpoint::parse("http://backup.test").unwrap()),
            after,
            cool_down,
        };
        (
            FailoverState::new("hai", &rule),
            Endpoint::parse("http://primary.test").unwrap(),
        )
    }

    #[test]
    fn only_consecutive_unreached_attempts_switch() {
        let (s, p) = state(3, Duration::from_secs(60));
        for _ in 0..10 {
            // Successes and answers never count, and reset the count.
            s.record(Route::Primary, Reach::NotReached, &p);
            s.record(Route::Primary, Reach::NotReached, &p);
            s.record(Route::Primary, Reach::Reached, &p);
            s.record(Route::Primary, Reach::Unknown, &p);
        }
        assert_eq!(s.route(), Route::Primary);
        for _ in 0..3 {
            s.record(Route::Primary, Reach::NotReached, &p);
        }
        assert_eq!(s.route(), Route::Backup);
        assert_eq!(s.endpoint(Route::Backup, &p).host, "backup.test");
        // Successes on the backup say nothing about the primary.
        s.record(Route::Backup, Reach::Reached, &p);
        assert_eq!(s.route(), Route::Backup);
    }

    #[test]
    fn what_counts_as_not_reached() {
        use crate::error::{DispatchError, DispatchErrorKind, TimeoutError};
        let dispatch = |kind, delivery| {
            Err::<(), _>(Error::Dispatch(DispatchError::new(
                "A",
                kind,
                delivery,
                "x".into(),
            )))
        };
        let timeout = |kind, delivery| {
            Err::<(), _>(Error::Timeout(TimeoutError::new("A", kind, delivery, None)))
        };
        use Delivery::*;
        for (result, reach) in [
            (
                dispatch(DispatchErrorKind::Connect, NotSent),
                Reach::NotReached,
            ),
            (dispatch(DispatchErrorKind::Tls, NotSent), Reach::NotReached),
            (timeout(TimeoutKind::Connect, NotSent), Reach::NotReached),
            (dispatch(DispatchErrorKind::Io, Unknown), Reach::Unknown),
            (timeout(TimeoutKind::Attempt, Unknown), Reach::Unknown),
            (timeout(TimeoutKind::Attempt, Delivered), Reach::Unknown),
            (
                Err(Error::Service(ErrorMetadata::new(
                    "A",
                    "InternalError",
                    "m",
                    "r",
                    500,
                ))),
                Reach::Reached,
            ),
            (Ok(()), Reach::Reached),
        ] {
            assert_eq!(Reach::of(&result), reach, "{result:?}");
        }
    }

    #[test]
    fn after_the_cool_down_the_primary_is_probed() {
        let (s, p) = state(1, Duration::ZERO);
        s.record(Route::Primary, Reach::NotReached, &p);
        assert_eq!(s.route(), Route::Probe);
        assert_eq!(s.endpoint(Route::Probe, &p).host, "primary.test");
        s.record(Route::Probe, Reach::NotReached, &p);
        assert_eq!(s.route(), Route::Probe);
        s.record(Route::Probe, Reach::Reached, &p);
        assert_eq!(s.route(), Route::Primary);
    }
}
