//! Client-side rate limit: one GCRA (token bucket equivalent) per action.
//!
//! Each action's documented limit (`ActionMeta::rate_limit`, requests per second) allows a
//! burst of one second's worth of requests, then one request per `1/limit` s. A caller that
//! exceeds it waits (on tokio's clock) instead of being throttled by the service. Waiting
//! callers reserve their slot up front, so they proceed in arrival order.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::action::ActionMeta;

/// Shared by all clones of a client; the lock is held only for a few arithmetic operations.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    cells: Mutex<HashMap<(&'static str, &'static str), Cell>>,
}

#[derive(Debug)]
struct Cell {
    /// Theoretical arrival time of the next request.
    tat: Instant,
    interval: Duration,
    /// How far ahead of `now` the TAT may run before callers must wait (the burst).
    tolerance: Duration,
}

impl RateLimiter {
    /// Reserves a slot for one request; returns how long to wait before sending it.
    pub(crate) fn reserve(&self, meta: &'static ActionMeta) -> Option<Duration> {
        let limit = meta.rate_limit.filter(|&l| l > 0)?;
        let now = Instant::now();
        let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        let cell = cells
            .entry((meta.service.name, meta.name))
            .or_insert_with(|| {
                let interval = Duration::from_secs(1) / limit;
                Cell {
                    tat: now,
                    interval,
                    tolerance: interval * (limit - 1),
                }
            });
        let tat = cell.tat.max(now);
        let allowed_at = tat.checked_sub(cell.tolerance).unwrap_or(now);
        cell.tat = tat + cell.interval;
        drop(cells);
        let wait = allowed_at.saturating_duration_since(now);
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
    };
    const A: ActionMeta = ActionMeta {
        service: &SVC,
        name: "A",
        rate_limit: Some(20),
        idempotent: false,
    };
    const UNLIMITED: ActionMeta = ActionMeta {
        service: &SVC,
        name: "U",
        rate_limit: None,
        idempotent: false,
    };

    #[tokio::test(start_paused = true)]
    async fn burst_then_one_interval_per_request() {
        let l = RateLimiter::default();
        for _ in 0..20 {
            assert_eq!(l.reserve(&A), None);
        }
        assert_eq!(l.reserve(&A), Some(Duration::from_millis(50)));
        assert_eq!(l.reserve(&A), Some(Duration::from_millis(100)));
        tokio::time::advance(Duration::from_secs(5)).await;
        // Idle time refills the burst, but never beyond it.
        for _ in 0..20 {
            assert_eq!(l.reserve(&A), None);
        }
        assert!(l.reserve(&A).is_some());
        assert_eq!(l.reserve(&UNLIMITED), None);
    }
}
