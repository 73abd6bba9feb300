//! Instances the emulator starts with, and the JSON seed file format.

use serde::{Deserialize, Serialize};

use crate::state::{ChargeType, Instance, InstanceState};

/// The initial instance set. JSON form: `{"Instances": [ {Instance}, ... ]}` where each
/// instance uses the wire names of DescribeInstances (`InstanceId`, `InstanceState`, ...)
/// plus the emulator-only `ChargeType` and `FailWith` (see the crate README).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Seed {
    /// Instances in the order DescribeInstances lists them.
    pub instances: Vec<Instance>,
}

impl Seed {
    /// No instances at all.
    pub fn empty() -> Self {
        Seed {
            instances: Vec::new(),
        }
    }

    /// Parses a seed file's JSON text.
    pub fn from_json(text: &str) -> Result<Seed, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The documented default seed: `hai-dunyfddn` running, one instance in every other state,
/// a prepaid running instance and one whose operations fail with `InternalError`.
impl Default for Seed {
    fn default() -> Self {
        use InstanceState::*;
        let mk = |id: &str, name: &str, state| Instance::new(id, state).with_name(name);
        Seed {
            instances: vec![
                mk("hai-dunyfddn", "demo-running", Running),
                mk("hai-running2", "spare-running", Running),
                mk("hai-pending1", "demo-pending", Pending),
                mk("hai-lnchfail", "demo-launch-failed", LaunchFailed),
                mk("hai-arrears1", "demo-arrears", Arrears),
                mk("hai-stopped1", "demo-stopped", StoppedNoCharge),
                mk("hai-termning", "demo-terminating", Terminating),
                mk("hai-termnatd", "demo-terminated", Terminated),
                mk("hai-prepaid1", "demo-prepaid", Running)
                    .with_charge_type(ChargeType::PrepaidByMonth),
                mk("hai-broken01", "demo-internal-error", Running).with_fail_with("InternalError"),
            ],
        }
    }
}
