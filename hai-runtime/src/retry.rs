//! Retry policy: safe by default.
//!
//! Retried without asking: `RequestLimitExceeded` and all its sub-codes (the service refused
//! the request before acting on it), and failures that provably never reached the server.
//! Failures after which the request may have taken effect (timeouts after sending, broken
//! connections, 5xx, `InternalError`) are retried only for actions the spec marks read-only
//! or idempotent, or when the caller opts in, because resending e.g. `StopInstance` is not
//! harmless. One function (`may_retry`) is the one place that decides; the call loop and every public
//! `is_retryable` ask it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{
    Delivery, DispatchErrorKind, Error, ErrorMetadata, ProvideErrorMetadata, ResponseErrorKind,
    TimeoutKind,
};

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    throttle_delay: Duration,
    retry_transient: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms base delay, 1 s throttle delay, 10 s cap, transient failures only
    /// for idempotent actions.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            throttle_delay: Duration::from_secs(1),
            retry_transient: false,
        }
    }
}

impl RetryPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// One attempt only.
    pub fn disabled() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Delay scale: attempt `n` waits a random time in `0..=min(cap, base * 2^(n-1))`.
    pub fn with_base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Upper bound of any single backoff delay.
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Least wait after a throttled attempt (`RequestLimitExceeded*`, HTTP 429).
    ///
    /// Tencent Cloud limits each action per second, so a retry sooner than that lands in
    /// the same full window. Throttled attempt `n` waits `d` plus a random time in
    /// `0..=min(cap, d * 2^(n-1))`; the spread keeps a throttled burst from retrying as one
    /// burst again.
    pub fn with_throttle_delay(mut self, d: Duration) -> Self {
        self.throttle_delay = d;
        self
    }

    /// Also retry failures after which the request may have taken effect (timeouts after
    /// sending, broken connections, 5xx, `InternalError`) for non-idempotent actions.
    pub fn with_retry_transient(mut self, yes: bool) -> Self {
        self.retry_transient = yes;
        self
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether transient failures are retried for non-idempotent actions.
    pub fn retry_transient(&self) -> bool {
        self.retry_transient
    }

    /// The wait after failed attempt number `attempt` (1-based): throttle floor plus jitter
    /// for throttled attempts, full-jitter exponential backoff for the rest.
    pub(crate) fn backoff(&self, kind: Retryability, attempt: u32) -> Duration {
        match kind {
            Retryability::Throttled => self.throttle_delay.saturating_add(jitter(
                self.throttle_delay,
                attempt,
                self.max_delay,
            )),
            _ => jitter(self.base_delay, attempt, self.max_delay),
        }
    }
}

/// A random time in `0..=min(cap, base * 2^(attempt-1))`.
fn jitter(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let shift = attempt.saturating_sub(1).min(30);
    let ceiling = base.saturating_mul(1u32 << shift).min(cap);
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

/// What a [retry classifier](crate::ConfigBuilder::retry_classifier) wants done with a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Apply the built-in rules.
    Default,
    /// Retry after the policy's backoff (still bounded by the maximum attempts).
    Retry,
    /// Retry after exactly this delay (still bounded by the maximum attempts).
    RetryAfter(Duration),
    /// Do not retry; the call fails with this error.
    Stop,
}

/// A caller hook deciding per failed attempt (attempt numbers start at 1).
#[derive(Clone)]
pub struct RetryClassifier(Arc<ClassifierFn>);

type ClassifierFn = dyn Fn(&Error<ErrorMetadata>, u32) -> RetryDecision + Send + Sync;

impl RetryClassifier {
    /// Wraps a closure.
    pub fn new(
        f: impl Fn(&Error<ErrorMetadata>, u32) -> RetryDecision + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(f))
    }

    pub(crate) fn decide(&self, err: &Error<ErrorMetadata>, attempt: u32) -> RetryDecision {
        (self.0)(err, attempt)
    }
}

impl fmt::Debug for RetryClassifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RetryClassifier(..)")
    }
}

/// How the built-in rules see a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retryability {
    /// Refused by a rate limit before acting: retrying is safe, but not within the window.
    Throttled,
    /// Retrying cannot repeat an effect: never sent.
    Safe,
    /// May succeed later, but the first request may have taken effect.
    Transient,
    /// Retrying does not help or is not safe (decode failure, client errors, ...).
    Never,
}

/// How the built-in rules see a failure; the one classification every retry decision and
/// every public `is_retryable` starts from.
pub(crate) fn classify<E: ProvideErrorMetadata>(err: &Error<E>) -> Retryability {
    match err {
        Error::Service(e) => classify_service(e.meta()),
        // A certificate the client does not trust stays untrusted on the next attempt.
        Error::Dispatch(e) if e.kind() == DispatchErrorKind::Tls => Retryability::Never,
        // A mock without an answer has none on the next attempt either.
        #[cfg(feature = "test-util")]
        Error::Dispatch(e) if e.kind() == DispatchErrorKind::NoMockAnswer => Retryability::Never,
        Error::Dispatch(e) if e.delivery() == Delivery::NotSent => Retryability::Safe,
        Error::Timeout(e) if e.kind() == TimeoutKind::Call => Retryability::Never,
        Error::Timeout(e) if e.delivery() == Delivery::NotSent => Retryability::Safe,
        Error::Dispatch(_) | Error::Timeout(_) => Retryability::Transient,
        Error::Response(e) if e.kind() == ResponseErrorKind::NotEnvelope => match e.status() {
            // A gateway that refuses for rate reasons did not pass the request on.
            429 => Retryability::Throttled,
            500..=599 => Retryability::Transient,
            _ => Retryability::Never,
        },
        _ => Retryability::Never,
    }
}

/// The classification of a service error code.
pub(crate) fn classify_service(m: &ErrorMetadata) -> Retryability {
    if m.is_throttling() {
        Retryability::Throttled
    } else if m.is_transient() {
        Retryability::Transient
    } else {
        Retryability::Never
    }
}

/// The one rule deciding whether a failure may be retried: throttled and never-sent failures
/// always, transient ones only when resending the action is harmless (read-only, idempotent,
/// or the caller opted in).
pub(crate) fn may_retry(kind: Retryability, resend_is_harmless: bool) -> bool {
    match kind {
        Retryability::Throttled | Retryability::Safe => true,
        Retryability::Transient => resend_is_harmless,
        Retryability::Never => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_by_cap_and_exponential_ceiling() {
        let p = RetryPolicy::new()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(300));
        let b = |n| p.backoff(Retryability::Safe, n);
        for _ in 0..200 {
            assert!(b(1) <= Duration::from_millis(100));
            assert!(b(2) <= Duration::from_millis(200));
            assert!(b(3) <= Duration::from_millis(300));
            assert!(b(40) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn throttled_backoff_never_retries_inside_the_throttle_window() {
        let p = RetryPolicy::new()
            .with_throttle_delay(Duration::from_millis(1000))
            .with_max_delay(Duration::from_millis(3000));
        let b = |n| p.backoff(Retryability::Throttled, n);
        let mut spread = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let d1 = b(1);
            assert!(
                d1 >= Duration::from_secs(1) && d1 <= Duration::from_secs(2),
                "{d1:?}"
            );
            spread.insert(d1);
            let d2 = b(2);
            assert!(
                d2 >= Duration::from_secs(1) && d2 <= Duration::from_secs(3),
                "{d2:?}"
            );
            let d40 = b(40);
            assert!(
                d40 >= Duration::from_secs(1) && d40 <= Duration::from_secs(4),
                "{d40:?}"
            );
        }
        // Jittered, so a throttled burst does not come back as one burst.
        assert!(spread.len() > 100);
    }

    #[test]
    fn throttling_sub_codes_are_safe_internal_error_is_transient() {
        let e = |code: &str| Error::Service(ErrorMetadata::new("X", code, "", "r", 200));
        assert_eq!(
            classify(&e("RequestLimitExceeded")),
            Retryability::Throttled
        );
        assert_eq!(
            classify(&e("RequestLimitExceeded.UinLimitExceeded")),
            Retryability::Throttled
        );
        assert_eq!(
            classify(&e("RequestLimitExceeded.GlobalRegionUinLimitExceeded")),
            Retryability::Throttled
        );
        assert_eq!(classify(&e("RequestLimitExceededX")), Retryability::Never);
        assert_eq!(classify(&e("InternalError")), Retryability::Transient);
        assert_eq!(classify(&e("InternalError.Db")), Retryability::Transient);
        assert_eq!(classify(&e("InvalidParameter")), Retryability::Never);
        assert_eq!(classify(&e("DryRunOperation")), Retryability::Never);
    }
}
