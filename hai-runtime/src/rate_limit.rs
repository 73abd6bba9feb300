//! Client-side rate limit: a sliding window per action.
//!
//! An action documented at `limit` requests per second gets at most `limit` send slots in any
//! window of one second plus [`MARGIN`]: a burst of `limit` requests goes at once, and the
//! next one waits until the oldest of the last `limit` slots is that far in the past. This is
//! what the service checks (no more than `limit` requests within a second); a token bucket
//! with a one-second burst would send up to `2 * limit - 1` requests in the first second and
//! be throttled. The margin absorbs the jitter between when the client sends and when the
//! server counts a request. A caller that exceeds the limit waits (on tokio's clock) instead
//! of being throttled by the service. Waiting callers reserve their slot up front, so they
//! proceed in arrival order.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::action::ActionMeta;

/// The window a documented limit applies to.
const WINDOW: Duration = Duration::from_secs(1);
/// Extra spacing between a slot and the one `limit` slots later, so requests that reach the
/// server sooner than the earlier ones did are still outside its window.
pub(crate) const MARGIN: Duration = Duration::from_millis(100);

/// Shared by all clones of a client; the lock is held only for a few operations.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: Mutex<HashMap<(&'static str, &'static str), VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Reserves a slot for one request; returns how long to wait before sending it.
    pub(crate) fn reserve(&self, meta: &'static ActionMeta) -> Option<Duration> {
        let limit = meta.rate_limit.filter(|&l| l > 0)? as usize;
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        // The send times granted to the last `limit` requests, oldest first.
        let slots = windows
            .entry((meta.service.name, meta.name))
            .or_insert_with(|| VecDeque::with_capacity(limit));
        let mut at = slots.back().map_or(now, |&last| last.max(now));
        if slots.len() >= limit {
            if let Some(oldest) = slots.pop_front() {
                at = at.max(oldest + WINDOW + MARGIN);
            }
        }
        slots.push_back(at);
        drop(windows);
        let wait = at.saturating_duration_since(now);
        (!wait.is_zero()).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::ServiceMeta;

    const SVC: ServiceMeta = ServiceMeta {
        name: "t",
        version: "v",
        host: "h",
        regional_host: None,
        signing_service: "t",
        region_required: true,
    };
    const A: ActionMeta = ActionMeta {
        service: &SVC,
        name: "A",
        rate_limit: Some(20),
        idempotent: false,
        read_only: false,
        idempotency_token: None,
    };
    const UNLIMITED: ActionMeta = ActionMeta {
        service: &SVC,
        name: "U",
        rate_limit: None,
        idempotent: false,
        read_only: false,
        idempotency_token: None,
    };

    #[tokio::test(start_paused = true)]
    async fn burst_then_the_next_burst_one_window_later() {
        let l = RateLimiter::default();
        let window = WINDOW + MARGIN;
        for _ in 0..20 {
            assert_eq!(l.reserve(&A), None);
        }
        // Never more than 20 within a window: the next 20 wait a whole window.
        for _ in 0..20 {
            assert_eq!(l.reserve(&A), Some(window));
        }
        assert_eq!(l.reserve(&A), Some(window * 2));
        tokio::time::advance(Duration::from_secs(5)).await;
        // Idle time frees the window, but never beyond one burst.
        for _ in 0..20 {
            assert_eq!(l.reserve(&A), None);
        }
        assert_eq!(l.reserve(&A), Some(window));
        assert_eq!(l.reserve(&UNLIMITED), None);
    }

    #[tokio::test(start_paused = true)]
    async fn any_window_holds_at_most_limit_slots() {
        let l = RateLimiter::default();
        let start = Instant::now();
        let mut slots = Vec::new();
        for i in 0..100u32 {
            // Irregular arrivals: some bunched, some spread out.
            tokio::time::advance(Duration::from_millis(u64::from(i % 7) * 13)).await;
            let wait = l.reserve(&A).unwrap_or_default();
            slots.push(Instant::now() + wait - start);
        }
        for (i, s) in slots.iter().enumerate() {
            let within = slots[i..].iter().filter(|t| **t < *s + WINDOW).count();
            assert!(within <= 20, "{within} slots within a second from {s:?}");
        }
    }
}
