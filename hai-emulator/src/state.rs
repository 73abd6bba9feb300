//! Instances and their state machine.
//!
//! Operations are modelled as "accepted at t0, done at t0 + duration"; a record settles lazily
//! whenever it is read, so no timer task is needed and tests observe exact transitions.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The documented instance states (`Instance.InstanceState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceState {
    /// Being created.
    Pending,
    /// Creation failed.
    LaunchFailed,
    /// Running and billed.
    Running,
    /// Suspended for an overdue bill (entered through billing, never through the API).
    Arrears,
    /// Stopped; compute is no longer billed.
    StoppedNoCharge,
    /// Being terminated.
    Terminating,
    /// Gone.
    Terminated,
}

impl InstanceState {
    /// The wire string, e.g. `STOPPED_NO_CHARGE`.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Pending => "PENDING",
            InstanceState::LaunchFailed => "LAUNCH_FAILED",
            InstanceState::Running => "RUNNING",
            InstanceState::Arrears => "ARREARS",
            InstanceState::StoppedNoCharge => "STOPPED_NO_CHARGE",
            InstanceState::Terminating => "TERMINATING",
            InstanceState::Terminated => "TERMINATED",
        }
    }

    /// The `UnsupportedOperation.InstanceState*` code an operation refused in this state gets.
    pub(crate) fn unsupported(self) -> ApiError {
        let suffix = match self {
            InstanceState::Pending => "Pending",
            InstanceState::LaunchFailed => "LaunchFailed",
            InstanceState::Running => "Running",
            InstanceState::Arrears => "Arrears",
            InstanceState::StoppedNoCharge => "StoppedNoCharge",
            InstanceState::Terminating => "Terminating",
            InstanceState::Terminated => "Terminated",
        };
        ApiError::new(
            format!("UnsupportedOperation.InstanceState{suffix}"),
            format!(
                "The operation is not supported for an instance in the {} state.",
                self.as_str()
            ),
        )
    }
}

impl std::fmt::Display for InstanceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an instance is billed; prepaid instances cannot be stopped or started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChargeType {
    /// Billed by the hour (the default).
    #[default]
    PostpaidByHour,
    /// Paid in advance by month.
    PrepaidByMonth,
}

impl ChargeType {
    /// The wire string used by the `charge-type` filter.
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeType::PostpaidByHour => "POSTPAID_BY_HOUR",
            ChargeType::PrepaidByMonth => "PREPAID_BY_MONTH",
        }
    }
}

/// A snapshot of one emulated instance; also the seed file's instance format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Instance {
    /// `hai-` followed by 8 lowercase letters or digits.
    pub instance_id: String,
    /// Current state.
    pub instance_state: InstanceState,
    /// Display name.
    #[serde(default)]
    pub instance_name: String,
    /// Billing mode (emulator-only field in seeds).
    #[serde(default)]
    pub charge_type: ChargeType,
    /// Application image name.
    #[serde(default = "default_application")]
    pub application_name: String,
    /// Bundle (hardware package) name.
    #[serde(default = "default_bundle")]
    pub bundle_name: String,
    /// Public addresses.
    #[serde(default)]
    pub public_ip_addresses: Vec<String>,
    /// Private addresses.
    #[serde(default)]
    pub private_ip_addresses: Vec<String>,
    /// Creation time, `YYYY-MM-DD hh:mm:ss`.
    #[serde(default = "default_create_time")]
    pub create_time: String,
    /// Name of the last action that changed the instance.
    #[serde(default)]
    pub latest_operation: Option<String>,
    /// `SUCCESS`, `OPERATING` or `FAILED`.
    #[serde(default)]
    pub latest_operation_state: Option<String>,
    /// Emulator-only: every state-changing operation on this instance fails with this code.
    #[serde(default)]
    pub fail_with: Option<String>,
    /// System disk size in GB (emulator-only seed field `SystemDiskSize`; default 80).
    #[serde(default = "default_disk_size")]
    pub system_disk_size: i64,
}

fn default_application() -> String {
    "Pytorch2.0.0".to_owned()
}
fn default_bundle() -> String {
    "Basic".to_owned()
}
fn default_disk_size() -> i64 {
    80
}
fn default_create_time() -> String {
    "2023-11-01 00:00:00".to_owned()
}

impl Instance {
    /// A postpaid instance with plausible defaults for every descriptive field.
    pub fn new(id: impl Into<String>, state: InstanceState) -> Self {
        Instance {
            instance_id: id.into(),
            instance_state: state,
            instance_name: String::new(),
            charge_type: ChargeType::PostpaidByHour,
            application_name: default_application(),
            bundle_name: default_bundle(),
            public_ip_addresses: Vec::new(),
            private_ip_addresses: Vec::new(),
            create_time: default_create_time(),
            latest_operation: None,
            latest_operation_state: None,
            fail_with: None,
            system_disk_size: default_disk_size(),
        }
    }

    /// Sets the public and private addresses.
    pub fn with_addresses(mut self, public: &str, private: &str) -> Self {
        self.public_ip_addresses = vec![public.to_owned()];
        self.private_ip_addresses = vec![private.to_owned()];
        self
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.instance_name = name.into();
        self
    }

    /// Sets the billing mode.
    pub fn with_charge_type(mut self, charge_type: ChargeType) -> Self {
        self.charge_type = charge_type;
        self
    }

    /// Makes every state-changing operation on this instance fail with `code`.
    pub fn with_fail_with(mut self, code: impl Into<String>) -> Self {
        self.fail_with = Some(code.into());
        self
    }
}

/// Whether `id` has the real service's instance id format.
pub fn is_well_formed_id(id: &str) -> bool {
    id.strip_prefix("hai-").is_some_and(|rest| {
        rest.len() == 8
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// An operation accepted and not finished yet.
#[derive(Debug, Clone)]
struct Running {
    done_at: Instant,
    target: InstanceState,
}

#[derive(Debug, Clone)]
struct Record {
    inst: Instance,
    op: Option<Running>,
    /// Held by a request inside its accept window.
    claimed: bool,
}

impl Record {
    fn settle(&mut self, now: Instant) {
        if let Some(op) = &self.op {
            if op.done_at <= now {
                self.inst.instance_state = op.target;
                let outcome = if op.target == InstanceState::LaunchFailed {
                    "FAILED"
                } else {
                    "SUCCESS"
                };
                self.inst.latest_operation_state = Some(outcome.to_owned());
                self.op = None;
            }
        }
    }
}

/// What a state-changing action does to each instance it names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transition {
    /// Action name recorded as `LatestOperation`.
    pub action: &'static str,
    /// Refuses the operation for this instance (state, billing mode...).
    pub check: fn(&Instance) -> Result<(), ApiError>,
    /// State shown while the operation runs (`None`: unchanged).
    pub during: Option<InstanceState>,
    /// State reached when it completes.
    pub target: InstanceState,
    /// How long it runs.
    pub duration: Duration,
}

/// All instances, keyed by id.
#[derive(Debug, Default)]
pub(crate) struct Store {
    records: BTreeMap<String, Record>,
    order: Vec<String>,
    next_task_id: u64,
}

impl Store {
    pub fn new(instances: Vec<Instance>) -> Self {
        let mut store = Store {
            next_task_id: 232_558_431,
            ..Store::default()
        };
        for inst in instances {
            store.upsert(inst);
        }
        store
    }

    /// Inserts or replaces an instance; any running operation on it is forgotten.
    pub fn upsert(&mut self, inst: Instance) {
        let id = inst.instance_id.clone();
        if !self.records.contains_key(&id) {
            self.order.push(id.clone());
        }
        self.records.insert(
            id,
            Record {
                inst,
                op: None,
                claimed: false,
            },
        );
    }

    pub fn get(&mut self, id: &str, now: Instant) -> Option<Instance> {
        let rec = self.records.get_mut(id)?;
        rec.settle(now);
        Some(rec.inst.clone())
    }

    /// Every instance, settled, in seed/creation order.
    pub fn all(&mut self, now: Instant) -> Vec<Instance> {
        let mut out = Vec::with_capacity(self.order.len());
        for id in &self.order {
            if let Some(rec) = self.records.get_mut(id) {
                rec.settle(now);
                out.push(rec.inst.clone());
            }
        }
        out
    }

    /// Checks every named instance can undergo `t` (first failure wins, in the given order).
    /// With `claim`, holds them until [`Store::apply`] or [`Store::release`], so concurrent
    /// operations are refused.
    pub fn check(
        &mut self,
        ids: &[&str],
        t: &Transition,
        now: Instant,
        claim: bool,
    ) -> Result<(), ApiError> {
        let mut seen = HashSet::new();
        for id in ids {
            if !is_well_formed_id(id) {
                return Err(ApiError::new(
                    "InvalidParameterValue.InvalidInstanceIdMalformed",
                    format!("The instance ID `{id}` is malformed."),
                ));
            }
            if !seen.insert(*id) {
                return Err(ApiError::new(
                    "InvalidParameterValue.Duplicated",
                    format!("The instance ID `{id}` is given more than once."),
                ));
            }
        }
        for id in ids {
            let rec = self.records.get_mut(*id).ok_or_else(|| {
                ApiError::new(
                    "InvalidParameterValue.InstanceIdNotFound",
                    format!("The instance `{id}` does not exist."),
                )
            })?;
            rec.settle(now);
            if rec.claimed {
                return Err(ApiError::new(
                    "FailedOperation.OperateInstanceRepeatedly",
                    format!("Another request is operating on instance `{id}` at the same time."),
                ));
            }
            if rec.op.is_some() || rec.inst.instance_state == InstanceState::Terminating {
                return Err(ApiError::new(
                    "OperationDenied.InstanceOperationInProgress",
                    format!("Instance `{id}` has an operation in progress."),
                ));
            }
            if let Some(code) = &rec.inst.fail_with {
                return Err(ApiError::new(
                    code.clone(),
                    "An internal error occurred (injected through the seed's FailWith).",
                ));
            }
            (t.check)(&rec.inst)?;
        }
        if claim {
            for id in ids {
                if let Some(rec) = self.records.get_mut(*id) {
                    rec.claimed = true;
                }
            }
        }
        Ok(())
    }

    /// Starts `t` on instances that passed [`Store::check`]; returns the TaskId.
    pub fn apply(&mut self, ids: &[&str], t: &Transition, now: Instant) -> u64 {
        for id in ids {
            if let Some(rec) = self.records.get_mut(*id) {
                rec.claimed = false;
                if let Some(during) = t.during {
                    rec.inst.instance_state = during;
                }
                rec.inst.latest_operation = Some(t.action.to_owned());
                rec.inst.latest_operation_state = Some("OPERATING".to_owned());
                rec.op = Some(Running {
                    done_at: now + t.duration,
                    target: t.target,
                });
                rec.settle(now);
            }
        }
        self.next_task_id += 1;
        self.next_task_id
    }

    /// Adds a freshly launched instance: `PENDING` until `now + duration`, then `target`.
    pub fn launch(
        &mut self,
        mut inst: Instance,
        target: InstanceState,
        now: Instant,
        duration: Duration,
    ) {
        inst.instance_state = InstanceState::Pending;
        inst.latest_operation = Some("RunInstances".to_owned());
        inst.latest_operation_state = Some("OPERATING".to_owned());
        let id = inst.instance_id.clone();
        self.upsert(inst);
        if let Some(rec) = self.records.get_mut(&id) {
            rec.op = Some(Running {
                done_at: now + duration,
                target,
            });
            rec.settle(now);
        }
    }

    /// How many instances exist (terminated ones included).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether an id is taken.
    pub fn contains(&self, id: &str) -> bool {
        self.records.contains_key(id)
    }

    /// Records an operation that completes at once without a state change (and edits the
    /// instance with `edit`); returns the TaskId.
    pub fn touch(&mut self, ids: &[&str], action: &str, edit: impl Fn(&mut Instance)) -> u64 {
        for id in ids {
            if let Some(rec) = self.records.get_mut(*id) {
                rec.claimed = false;
                edit(&mut rec.inst);
                rec.inst.latest_operation = Some(action.to_owned());
                rec.inst.latest_operation_state = Some("SUCCESS".to_owned());
            }
        }
        self.next_task_id += 1;
        self.next_task_id
    }

    /// Releases claims taken by [`Store::check`] without applying (e.g. the client went away).
    pub fn release(&mut self, ids: &[&str]) {
        for id in ids {
            if let Some(rec) = self.records.get_mut(*id) {
                rec.claimed = false;
            }
        }
    }
}
