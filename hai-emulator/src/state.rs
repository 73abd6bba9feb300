//! Instances and their state machine; the seed formats of services, applications, models,
//! templates and workflows.
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

// ---------------------------------------------------------------------------------------------
// Inference services, applications, models, templates and prompt workflows: the seed formats.
// Their stores live in `actions::store`; these are the snapshots seeds and handles exchange.

/// The documented inference service states (`ServiceDetail.ServiceState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceState {
    /// Serving.
    Running,
    /// Being created (CreateInferServiceByTemplate, DeployInferService).
    Creating,
    /// Creation failed: its pods never became ready.
    CreateFailed,
    /// Being deleted (DeleteService).
    Deleting,
    /// Applying a new configuration (UpdateServiceConfigs).
    Updating,
    /// Restarting its pods (entered by the service itself, never through the API).
    Restarting,
    /// Being suspended for an overdue bill (billing only).
    Isolating,
    /// Suspended for an overdue bill (billing only).
    Arrears,
    /// Coming back from suspension (billing only).
    Restoring,
}

impl ServiceState {
    /// Every state, in the documented order.
    pub const ALL: [ServiceState; 9] = [
        ServiceState::Running,
        ServiceState::Creating,
        ServiceState::CreateFailed,
        ServiceState::Deleting,
        ServiceState::Updating,
        ServiceState::Restarting,
        ServiceState::Isolating,
        ServiceState::Arrears,
        ServiceState::Restoring,
    ];

    /// The wire string, e.g. `CREATE_FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Running => "RUNNING",
            ServiceState::Creating => "CREATING",
            ServiceState::CreateFailed => "CREATE_FAILED",
            ServiceState::Deleting => "DELETING",
            ServiceState::Updating => "UPDATING",
            ServiceState::Restarting => "RESTARTING",
            ServiceState::Isolating => "ISOLATING",
            ServiceState::Arrears => "ARREARS",
            ServiceState::Restoring => "RESTORING",
        }
    }

    /// Parses a wire string.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether an operation is under way (a new one is refused with
    /// `OperationDenied.ServiceOperationInProgress`).
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            ServiceState::Creating
                | ServiceState::Deleting
                | ServiceState::Updating
                | ServiceState::Restarting
                | ServiceState::Isolating
                | ServiceState::Restoring
        )
    }
}

impl std::fmt::Display for ServiceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One inference service; also the seed file's `Services` format (DescribeServices' wire
/// names where they exist, plus emulator-only fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Service {
    /// `svc-` followed by 8 lowercase letters or digits.
    pub service_id: String,
    /// Current state.
    pub service_state: ServiceState,
    /// Display name.
    #[serde(default)]
    pub service_name: String,
    /// The model served (a `ModelId` of the seed's models), if any.
    #[serde(default)]
    pub model_id: Option<String>,
    /// The deployment template it was created from (`None`: DeployInferService).
    #[serde(default)]
    pub template_id: Option<String>,
    /// Compute bundle of each replica.
    #[serde(default = "default_service_bundle")]
    pub bundle_type: String,
    /// Nodes of `bundle_type` per replica.
    #[serde(default = "one")]
    pub nodes_per_replica: u64,
    /// Replicas running (and wanted).
    #[serde(default = "one")]
    pub replicas: u64,
    /// `POSTPAID_BY_HOUR` (default) or `PREPAID_BY_MONTH`.
    #[serde(default = "default_service_charge")]
    pub charge_type: String,
    /// Renewal flag of a prepaid service.
    #[serde(default)]
    pub renew_flag: Option<String>,
    /// Expiry of a prepaid service, `YYYY-MM-DD hh:mm:ss`.
    #[serde(default)]
    pub expire_time: Option<String>,
    /// `STANDARD` (default) or `CONFIDENTIAL`.
    #[serde(default = "default_security")]
    pub security_type: String,
    /// Callable from the internet (default true).
    #[serde(default = "yes")]
    pub public_endpoint: bool,
    /// Callable from a VPC.
    #[serde(default)]
    pub vpc_endpoint: bool,
    /// VPC of the private endpoint.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Subnet of the private endpoint.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// Emulator-only: replicas are scaled automatically, so manual `TargetReplicas` conflict.
    #[serde(default)]
    pub autoscale: bool,
    /// Emulator-only: every operation on this service fails with this code.
    #[serde(default)]
    pub fail_with: Option<String>,
    /// Creation time, `YYYY-MM-DD hh:mm:ss`.
    #[serde(default = "default_create_time")]
    pub create_time: String,
    /// Containers and their settings.
    #[serde(default)]
    pub deployment_configs: Vec<hai_sdk::types::DeploymentConfig>,
    /// HiCache and other tuning settings.
    #[serde(default)]
    pub hyper_param: Option<hai_sdk::types::HyperParam>,
}

fn default_service_bundle() -> String {
    "96G_A*8".to_owned()
}
fn default_service_charge() -> String {
    "POSTPAID_BY_HOUR".to_owned()
}
fn default_security() -> String {
    "STANDARD".to_owned()
}
fn one() -> u64 {
    1
}
fn yes() -> bool {
    true
}

impl Service {
    /// A running pay-as-you-go service with one replica of one `96G_A*8` node.
    pub fn new(id: impl Into<String>, state: ServiceState) -> Self {
        Service {
            service_id: id.into(),
            service_state: state,
            service_name: String::new(),
            model_id: None,
            template_id: None,
            bundle_type: default_service_bundle(),
            nodes_per_replica: 1,
            replicas: 1,
            charge_type: default_service_charge(),
            renew_flag: None,
            expire_time: None,
            security_type: default_security(),
            public_endpoint: true,
            vpc_endpoint: false,
            vpc_id: None,
            subnet_id: None,
            autoscale: false,
            fail_with: None,
            create_time: default_create_time(),
            deployment_configs: Vec::new(),
            hyper_param: None,
        }
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = name.into();
        self
    }

    /// Sets the model and the template it was created from.
    pub fn with_template(mut self, model_id: &str, template_id: &str) -> Self {
        self.model_id = Some(model_id.to_owned());
        self.template_id = Some(template_id.to_owned());
        self
    }

    /// Makes every operation on this service fail with `code`.
    pub fn with_fail_with(mut self, code: impl Into<String>) -> Self {
        self.fail_with = Some(code.into());
        self
    }
}

/// The documented application states (`ApplicationInfo.ApplicationState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationState {
    /// Being made (CreateApplication).
    Creating,
    /// Usable by RunInstances.
    Online,
    /// Being deleted.
    Deleting,
    /// Suspended for an overdue bill.
    Arrears,
}

impl ApplicationState {
    /// The wire string, e.g. `ONLINE`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Creating => "CREATING",
            ApplicationState::Online => "ONLINE",
            ApplicationState::Deleting => "DELETING",
            ApplicationState::Arrears => "ARREARS",
        }
    }
}

/// A custom application (`PRIVATE_APPLICATION`) made from an instance; also the seed file's
/// `Applications` format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Application {
    /// `app-` followed by 8 lowercase letters or digits.
    pub application_id: String,
    /// Display name, unique among custom applications.
    pub application_name: String,
    /// Current state.
    #[serde(default = "default_app_state")]
    pub application_state: ApplicationState,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Software environment, taken from the source instance's application.
    #[serde(default = "default_environment")]
    pub config_environment: String,
    /// Smallest system disk of instances launched from it, GB (the source's disk size).
    #[serde(default = "default_disk_size")]
    pub min_system_disk_size: i64,
    /// Size, GB.
    #[serde(default = "default_app_size")]
    pub application_size: i64,
    /// Scene of the source application.
    #[serde(default)]
    pub scene_id: Option<String>,
    /// Instance it was made from.
    #[serde(default)]
    pub source_instance_id: Option<String>,
    /// Creation time, `YYYY-MM-DD hh:mm:ss`.
    #[serde(default = "default_create_time")]
    pub create_time: String,
}

fn default_app_state() -> ApplicationState {
    ApplicationState::Online
}
fn default_environment() -> String {
    "Ubuntu20.04, Python3.8, Pytorch2.0.0, CUDA11.7".to_owned()
}
fn default_app_size() -> i64 {
    40
}

impl Application {
    /// An `ONLINE` custom application with plausible defaults.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Application {
            application_id: id.into(),
            application_name: name.into(),
            application_state: ApplicationState::Online,
            description: String::new(),
            config_environment: default_environment(),
            min_system_disk_size: default_disk_size(),
            application_size: default_app_size(),
            scene_id: None,
            source_instance_id: None,
            create_time: default_create_time(),
        }
    }
}

/// A model inference services can serve (DescribeModels); the seed's `Models` format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Model {
    /// `mdl-` followed by 8 lowercase letters or digits.
    pub model_id: String,
    /// Display name.
    pub model_name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Tags, e.g. its category.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Software environment.
    #[serde(default)]
    pub config_environment: String,
    /// Scene (DescribeScenes) the `scene-id` filter matches.
    #[serde(default)]
    pub scene_id: Option<String>,
    /// `ONLINE` unless stated.
    #[serde(default = "default_model_state")]
    pub model_state: String,
    /// Emulator-only: an embodied-intelligence model, whose services' call information needs a
    /// bound embodied-intelligence account (the emulated account has none).
    #[serde(default)]
    pub embodied: bool,
}

fn default_model_state() -> String {
    "ONLINE".to_owned()
}

impl Model {
    /// An `ONLINE` model without tags or scene.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Model {
            model_id: id.into(),
            model_name: name.into(),
            description: String::new(),
            tags: Vec::new(),
            config_environment: String::new(),
            scene_id: None,
            model_state: default_model_state(),
            embodied: false,
        }
    }
}

/// Nodes of one bundle type a template or service needs per replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ComputeNeed {
    /// Bundle type, e.g. `96G_A*8`.
    pub bundle_type: String,
    /// Nodes per replica.
    pub count: u64,
}

/// A deployment template of a model (DescribeDeployTemplates); the seed's `Templates` format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct DeployTemplate {
    /// `tpl-` followed by 8 lowercase letters or digits.
    pub template_id: String,
    /// The model it deploys.
    pub model_id: String,
    /// e.g. `SINGLE_NODE`, `MULTI_NODE`.
    #[serde(default = "default_deploy_mode")]
    pub deploy_mode: String,
    /// e.g. `Sglang`, `vLLM`.
    #[serde(default = "default_engine")]
    pub engine_type: String,
    /// Compute per replica; empty for a template whose compute has been withdrawn
    /// (creating from it gets `InvalidParameterValue.ComputeSetCannotBeNone`).
    #[serde(default)]
    pub compute: Vec<ComputeNeed>,
    /// Optional features, e.g. `hicache`.
    #[serde(default)]
    pub support_func: Vec<String>,
    /// Emulator-only: one service per account (`UnauthorizedOperation.AllowCreateOneServiceOfTemplate`).
    #[serde(default)]
    pub one_service_only: bool,
    /// Emulator-only: whether services from it can have a VPC endpoint (default true; else
    /// `OperationDenied.ServiceNotSupportUpdateCallInfo`).
    #[serde(default = "yes")]
    pub vpc_endpoint: bool,
}

fn default_deploy_mode() -> String {
    "SINGLE_NODE".to_owned()
}

impl DeployTemplate {
    /// A `SINGLE_NODE` Sglang template needing `count` nodes of `bundle_type` per replica.
    pub fn new(
        id: impl Into<String>,
        model_id: impl Into<String>,
        bundle_type: impl Into<String>,
        count: u64,
    ) -> Self {
        DeployTemplate {
            template_id: id.into(),
            model_id: model_id.into(),
            deploy_mode: default_deploy_mode(),
            engine_type: default_engine(),
            compute: vec![ComputeNeed {
                bundle_type: bundle_type.into(),
                count,
            }],
            support_func: Vec::new(),
            one_service_only: false,
            vpc_endpoint: true,
        }
    }
}
fn default_engine() -> String {
    "Sglang".to_owned()
}

/// A Musk workflow prompts run on; the seed's `Workflows` format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Workflow {
    /// The workgroup it belongs to.
    pub workgroup_id: String,
    /// Its id, e.g. `wf-` and a UUID.
    pub workflow_id: String,
    /// Emulator-only: every call on this workflow fails with this code.
    #[serde(default)]
    pub fail_with: Option<String>,
}

impl Workflow {
    /// A workflow of `workgroup_id` that runs prompts normally.
    pub fn new(workgroup_id: impl Into<String>, workflow_id: impl Into<String>) -> Self {
        Workflow {
            workgroup_id: workgroup_id.into(),
            workflow_id: workflow_id.into(),
            fail_with: None,
        }
    }
}
