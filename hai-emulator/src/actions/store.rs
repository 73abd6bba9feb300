//! State of the inference services, custom applications and prompt tasks.
//!
//! Like instances, operations are "accepted at t0, done at t0 + duration" and settle lazily
//! whenever the store is read ([`Inference::settle`]), so no timer task is needed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::error::ApiError;
use crate::seed::Seed;
use crate::state::{
    Application, ApplicationState, DeployTemplate, Model, Service, ServiceState, Workflow,
};

/// What a service operation ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The service reaches this state with `replicas` running.
    State(ServiceState),
    /// The service is gone (DeleteService).
    Gone,
}

/// A service operation accepted and not finished yet.
#[derive(Debug, Clone)]
pub(crate) struct ServiceOp {
    pub done_at: Instant,
    pub outcome: Outcome,
    /// Replicas running once it completes.
    pub replicas: u64,
    /// Log lines written when it completes.
    pub done_logs: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ServiceRecord {
    pub svc: Service,
    /// Replicas running now (`Service::replicas` is the wanted count).
    pub running: u64,
    pub op: Option<ServiceOp>,
    /// The service's log, oldest first; every pod shows it.
    pub logs: Vec<String>,
    /// Position in creation order, for stable endpoints.
    pub serial: usize,
    /// Nodes of `svc.bundle_type` it holds (given back when it fails or is deleted).
    pub held: u64,
}

/// A custom application and when it becomes `ONLINE`.
#[derive(Debug, Clone)]
pub(crate) struct AppRecord {
    pub app: Application,
    pub ready_at: Option<Instant>,
}

/// A prompt task.
#[derive(Debug, Clone)]
pub(crate) struct PromptRecord {
    pub workgroup_id: String,
    pub workflow_id: String,
    pub prompt_id: String,
    pub create_time: String,
    pub update_time: String,
    /// 0 running, 1 succeeded, 2 failed.
    pub status: u64,
    pub done_at: Instant,
    pub run_ms: u64,
    /// Ok(outputs) or Err(message), applied when done.
    pub result: Result<Vec<String>, String>,
    pub finished_time: String,
}

/// Everything beyond instances.
#[derive(Debug)]
pub(crate) struct Inference {
    pub services: BTreeMap<String, ServiceRecord>,
    pub service_order: Vec<String>,
    pub next_serial: usize,
    pub stock: BTreeMap<String, u64>,
    pub apps: Vec<AppRecord>,
    pub models: Vec<Model>,
    pub templates: Vec<DeployTemplate>,
    pub workflows: Vec<Workflow>,
    pub prompts: Vec<PromptRecord>,
}

impl Inference {
    pub fn new(seed: &Seed) -> Self {
        let mut inf = Inference {
            services: BTreeMap::new(),
            service_order: Vec::new(),
            next_serial: 0,
            stock: seed.service_bundle_stock.clone(),
            apps: seed
                .applications
                .iter()
                .cloned()
                .map(|app| AppRecord {
                    app,
                    ready_at: None,
                })
                .collect(),
            models: seed.models.clone(),
            templates: seed.templates.clone(),
            workflows: seed.workflows.clone(),
            prompts: Vec::new(),
        };
        for svc in &seed.services {
            let running = if svc.service_state == ServiceState::CreateFailed
                || svc.service_state == ServiceState::Creating
            {
                0
            } else {
                svc.replicas
            };
            let logs = vec![
                format!("{} INFO service {} seeded", svc.create_time, svc.service_id),
                format!(
                    "{} INFO {} of {} replicas running",
                    svc.create_time, running, svc.replicas
                ),
            ];
            let held = running.saturating_mul(svc.nodes_per_replica);
            inf.insert(svc.clone(), running, held, None, logs);
        }
        inf
    }

    /// Adds a service (replacing one with the same id).
    pub fn insert(
        &mut self,
        svc: Service,
        running: u64,
        held: u64,
        op: Option<ServiceOp>,
        logs: Vec<String>,
    ) {
        let id = svc.service_id.clone();
        if !self.services.contains_key(&id) {
            self.service_order.push(id.clone());
        }
        let serial = self.next_serial;
        self.next_serial = self.next_serial.saturating_add(1);
        self.services.insert(
            id,
            ServiceRecord {
                svc,
                running,
                op,
                logs,
                serial,
                held,
            },
        );
    }

    /// Completes every operation due by `now`.
    pub fn settle(&mut self, now: Instant) {
        let mut gone = Vec::new();
        let mut freed = Vec::new();
        for (id, rec) in &mut self.services {
            let Some(op) = rec.op.take_if(|op| op.done_at <= now) else {
                continue;
            };
            rec.logs.extend(op.done_logs);
            match op.outcome {
                Outcome::Gone => gone.push(id.clone()),
                Outcome::State(state) => {
                    rec.svc.service_state = state;
                    rec.running = op.replicas;
                    if state == ServiceState::CreateFailed {
                        // Pods that never became ready release their nodes.
                        freed.push((rec.svc.bundle_type.clone(), rec.held));
                        rec.held = 0;
                    }
                }
            }
        }
        for (bundle, nodes) in freed {
            self.give(&bundle, nodes);
        }
        for id in gone {
            if let Some(rec) = self.services.remove(&id) {
                self.give(&rec.svc.bundle_type, rec.held);
            }
            self.service_order.retain(|x| *x != id);
        }
        for rec in &mut self.apps {
            if rec.ready_at.is_some_and(|t| t <= now) {
                rec.ready_at = None;
                rec.app.application_state = ApplicationState::Online;
            }
        }
        for p in &mut self.prompts {
            if p.status == 0 && p.done_at <= now {
                p.status = if p.result.is_ok() { 1 } else { 2 };
                p.update_time = p.finished_time.clone();
            }
        }
    }

    /// Services in creation order.
    pub fn services_in_order(&self) -> Vec<&ServiceRecord> {
        self.service_order
            .iter()
            .filter_map(|id| self.services.get(id))
            .collect()
    }

    /// Takes `nodes` free nodes of `bundle`, or answers the inventory shortage.
    pub fn take(&mut self, bundle: &str, nodes: u64) -> Result<(), ApiError> {
        let free = self.stock.get(bundle).copied().unwrap_or(0);
        if free < nodes {
            return Err(ApiError::new(
                "ResourceInsufficient.BundleInventoryShortage",
                format!("The bundle `{bundle}` has {free} free nodes; {nodes} are needed."),
            ));
        }
        self.stock.insert(bundle.to_owned(), free - nodes);
        Ok(())
    }

    /// Whether `nodes` nodes of `bundle` are free.
    pub fn check_stock(&self, bundle: &str, nodes: u64) -> Result<(), ApiError> {
        let free = self.stock.get(bundle).copied().unwrap_or(0);
        if free < nodes {
            return Err(ApiError::new(
                "ResourceInsufficient.BundleInventoryShortage",
                format!("The bundle `{bundle}` has {free} free nodes; {nodes} are needed."),
            ));
        }
        Ok(())
    }

    /// Gives nodes back.
    pub fn give(&mut self, bundle: &str, nodes: u64) {
        let free = self.stock.entry(bundle.to_owned()).or_insert(0);
        *free = free.saturating_add(nodes);
    }
}

/// `now + d`, saturating far in the future.
pub(crate) fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d).unwrap_or(now)
}
