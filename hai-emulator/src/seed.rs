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

    /// Appends `n` generated postpaid `RUNNING` instances, `hai-g0000000`, `hai-g0000001`, ...
    /// (named `bulk-0`, `bulk-1`, ..., each with its own public and private address), e.g. to
    /// exercise paging through hundreds of instances.
    pub fn with_generated(mut self, n: usize) -> Self {
        for i in 0..n {
            let inst = Instance::new(format!("hai-g{i:07}"), InstanceState::Running)
                .with_name(format!("bulk-{i}"))
                .with_addresses(
                    &format!(
                        "43.{}.{}.{}",
                        130 + (i >> 16) % 100,
                        (i >> 8) & 0xff,
                        i & 0xff
                    ),
                    &format!(
                        "10.{}.{}.{}",
                        1 + (i >> 16) % 200,
                        (i >> 8) & 0xff,
                        i & 0xff
                    ),
                );
            self.instances.push(inst);
        }
        self
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
                mk("hai-dunyfddn", "demo-running", Running)
                    .with_addresses("43.134.1.10", "10.0.0.10"),
                mk("hai-running2", "spare-running", Running)
                    .with_addresses("43.134.1.11", "10.0.0.11"),
                mk("hai-pending1", "demo-pending", Pending),
                mk("hai-lnchfail", "demo-launch-failed", LaunchFailed),
                mk("hai-arrears1", "demo-arrears", Arrears),
                mk("hai-stopped1", "demo-stopped", StoppedNoCharge)
                    .with_addresses("43.134.1.15", "10.0.0.15"),
                mk("hai-termning", "demo-terminating", Terminating),
                mk("hai-termnatd", "demo-terminated", Terminated),
                mk("hai-prepaid1", "demo-prepaid", Running)
                    .with_charge_type(ChargeType::PrepaidByMonth),
                mk("hai-broken01", "demo-internal-error", Running).with_fail_with("InternalError"),
            ],
        }
    }
}
