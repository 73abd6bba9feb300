//! Fault injection: make the next calls of an action misbehave the way networks and
//! overloaded gateways do, so clients' error paths can be tested.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Action name that matches every action in [`FaultControl::inject`].
pub const ANY_ACTION: &str = "*";

/// One way a response can go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long, then answers normally. Combines with one other fault.
    Latency(Duration),
    /// HTTP `status` (e.g. 502) with a well-formed Tencent error envelope
    /// (`InternalError`) and `Content-Type: application/json`.
    HttpErrorJson {
        /// HTTP status code to send.
        status: u16,
    },
    /// HTTP `status` with an HTML page, as a gateway in front of the service sends.
    HttpErrorHtml {
        /// HTTP status code to send.
        status: u16,
    },
    /// HTTP 200 whose body is not JSON.
    NonJsonBody,
    /// HTTP 200 announcing a `Content-Length` larger than what is sent, then the
    /// connection is closed.
    TruncatedBody,
    /// The connection is reset (TCP RST) without any response.
    ConnectionReset,
    /// HTTP 200 with this error code in the usual envelope.
    ErrorCode {
        /// Error code, e.g. `InternalError` or `RequestLimitExceeded`.
        code: String,
        /// Error message.
        message: String,
    },
    /// HTTP 200 JSON body of `bytes` bytes (never valid JSON as a whole);
    /// `None` streams forever until the client disconnects.
    HugeBody {
        /// Total size, or `None` for endless.
        bytes: Option<u64>,
    },
}

impl Fault {
    /// `ErrorCode` with a generic message.
    pub fn error_code(code: impl Into<String>) -> Self {
        let code = code.into();
        Fault::ErrorCode {
            message: format!("Injected error `{code}`."),
            code,
        }
    }
}

/// How many matching calls a fault affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// The next `n` calls.
    Next(u32),
    /// Every call until cleared.
    Always,
}

#[derive(Debug, Clone)]
struct Rule {
    fault: Fault,
    remaining: Option<u32>,
}

/// Runtime fault switchboard, shared between the server and its handle (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct FaultControl {
    rules: Arc<Mutex<HashMap<String, Vec<Rule>>>>,
}

/// The faults picked for one call: at most one latency and one other fault.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Picked {
    pub latency: Option<Duration>,
    pub fault: Option<Fault>,
}

impl FaultControl {
    /// Applies `fault` to calls of `action` ([`ANY_ACTION`] for all). Rules for the same
    /// action queue up: the oldest rule with calls left applies first.
    pub fn inject(&self, action: impl Into<String>, fault: Fault, times: Times) {
        let remaining = match times {
            Times::Next(0) => return,
            Times::Next(n) => Some(n),
            Times::Always => None,
        };
        self.lock()
            .entry(action.into())
            .or_default()
            .push(Rule { fault, remaining });
    }

    /// Removes every rule for `action`.
    pub fn clear_action(&self, action: &str) {
        self.lock().remove(action);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Number of rules still armed for `action` (exact-name rules only).
    pub fn armed(&self, action: &str) -> usize {
        self.lock().get(action).map_or(0, Vec::len)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Rule>>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Consumes the faults that apply to one call of `action`.
    pub(crate) fn pick(&self, action: &str) -> Picked {
        let mut rules = self.lock();
        let mut picked = Picked::default();
        for key in [action, ANY_ACTION] {
            let Some(list) = rules.get_mut(key) else {
                continue;
            };
            for rule in list.iter_mut() {
                let slot_free = match rule.fault {
                    Fault::Latency(_) => picked.latency.is_none(),
                    _ => picked.fault.is_none(),
                };
                if !slot_free {
                    continue;
                }
                match &rule.fault {
                    Fault::Latency(d) => picked.latency = Some(*d),
                    other => picked.fault = Some(other.clone()),
                }
                if let Some(n) = &mut rule.remaining {
                    *n -= 1;
                }
            }
            list.retain(|r| r.remaining != Some(0));
            if list.is_empty() {
                rules.remove(key);
            }
        }
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_then_gone() {
        let f = FaultControl::default();
        f.inject("StopInstance", Fault::NonJsonBody, Times::Next(2));
        f.inject(
            "StopInstance",
            Fault::Latency(Duration::from_millis(5)),
            Times::Next(1),
        );
        let p = f.pick("StopInstance");
        assert_eq!(p.fault, Some(Fault::NonJsonBody));
        assert_eq!(p.latency, Some(Duration::from_millis(5)));
        assert_eq!(f.pick("StartInstance"), Picked::default());
        let p = f.pick("StopInstance");
        assert_eq!(p.fault, Some(Fault::NonJsonBody));
        assert_eq!(p.latency, None);
        assert_eq!(f.pick("StopInstance"), Picked::default());
        assert_eq!(f.armed("StopInstance"), 0);
    }

    #[test]
    fn queued_rules_apply_in_order_and_any_action_matches() {
        let f = FaultControl::default();
        f.inject("A", Fault::error_code("InternalError"), Times::Next(1));
        f.inject("A", Fault::NonJsonBody, Times::Next(1));
        f.inject(ANY_ACTION, Fault::ConnectionReset, Times::Always);
        assert!(matches!(f.pick("A").fault, Some(Fault::ErrorCode { .. })));
        assert_eq!(f.pick("A").fault, Some(Fault::NonJsonBody));
        assert_eq!(f.pick("A").fault, Some(Fault::ConnectionReset));
        assert_eq!(f.pick("B").fault, Some(Fault::ConnectionReset));
        f.clear();
        assert_eq!(f.pick("B"), Picked::default());
    }
}
