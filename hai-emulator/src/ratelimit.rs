//! Per-action, per-SecretId request rate limit (a sliding one-second window).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: Mutex<HashMap<(String, String), VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Records a call if fewer than `limit` were accepted in the last second; otherwise
    /// returns how many were.
    pub fn admit(
        &self,
        action: &str,
        secret_id: &str,
        limit: u32,
        now: Instant,
    ) -> Result<(), usize> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows
            .entry((action.to_owned(), secret_id.to_owned()))
            .or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return Err(window.len());
        }
        window.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_per_second_per_key() {
        let rl = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..20 {
            assert!(rl.admit("StopInstance", "A", 20, t0).is_ok());
        }
        assert_eq!(rl.admit("StopInstance", "A", 20, t0), Err(20));
        assert!(rl.admit("StopInstance", "B", 20, t0).is_ok());
        assert!(rl.admit("StartInstance", "A", 20, t0).is_ok());
        assert!(rl
            .admit("StopInstance", "A", 20, t0 + Duration::from_secs(1))
            .is_ok());
    }
}
