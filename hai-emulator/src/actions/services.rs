//! Inference services: creation from a template or a custom deployment, listing, call
//! information, configuration updates and their price, deletion, pod logs.
//!
//! `CREATING` -> `RUNNING` (or `CREATE_FAILED` when a container's probe targets a port the
//! container does not listen on) after `Timings::service_create`; `RUNNING` -> `UPDATING` ->
//! `RUNNING` after `Timings::service_update`; any state -> `DELETING` -> gone after
//! `Timings::service_delete`. `RESTARTING`, `ISOLATING`, `ARREARS` and `RESTORING` are entered
//! by the service and billing, never through the API (seeds only).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use hai_sdk::create_infer_service_by_template::{
    CreateInferServiceByTemplateRequest, CreateInferServiceByTemplateResponse,
};
use hai_sdk::delete_service::{DeleteServiceRequest, DeleteServiceResponse};
use hai_sdk::deploy_infer_service::{DeployInferServiceRequest, DeployInferServiceResponse};
use hai_sdk::describe_services::{DescribeServicesRequest, DescribeServicesResponse};
use hai_sdk::describe_services_call_info::{
    DescribeServicesCallInfoRequest, DescribeServicesCallInfoResponse,
};
use hai_sdk::get_service_pod_logs::{GetServicePodLogsRequest, GetServicePodLogsResponse};
use hai_sdk::inquire_price_update_service_configs::InquirePriceUpdateServiceConfigsResponse;
use hai_sdk::types;
use hai_sdk::update_service_configs::{UpdateServiceConfigsRequest, UpdateServiceConfigsResponse};

use super::launch::format_time;
use super::store::{after, Inference, Outcome, ServiceOp, ServiceRecord};
use super::{check_id_list, decode, encode, is_id, new_id, Ctx};
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::{DeployTemplate, Service, ServiceState};

/// Longest `ServiceName`, in characters.
pub(crate) const MAX_SERVICE_NAME: usize = 60;
/// Largest replica count of one service.
pub(crate) const MAX_REPLICAS: i64 = 20;
/// Regions whose services cannot have a public endpoint.
pub(crate) const NO_PUBLIC_CALL_REGIONS: &[&str] = &["ap-chongqing", "ap-nanjing"];

/// A bundle inference services run on: type, GPUs, GPU memory (GB), performance, CPU cores,
/// memory (GB), price per node per hour and per month (CNY).
pub(crate) struct Bundle {
    pub bundle_type: &'static str,
    pub gpus: u32,
    pub gpu_memory: u32,
    pub performance: &'static str,
    pub cpu: u32,
    pub memory: u32,
    pub hourly: f64,
    pub monthly: f64,
}

pub(crate) const BUNDLES: &[Bundle] = &[
    Bundle {
        bundle_type: "96G_A*8",
        gpus: 8,
        gpu_memory: 768,
        performance: "352",
        cpu: 384,
        memory: 2304,
        hourly: 98.0,
        monthly: 49_000.0,
    },
    Bundle {
        bundle_type: "141G_H20*8",
        gpus: 8,
        gpu_memory: 1128,
        performance: "592",
        cpu: 384,
        memory: 2304,
        hourly: 120.0,
        monthly: 60_000.0,
    },
    Bundle {
        bundle_type: "48G_L20*4",
        gpus: 4,
        gpu_memory: 192,
        performance: "239",
        cpu: 128,
        memory: 512,
        hourly: 32.0,
        monthly: 16_000.0,
    },
    Bundle {
        bundle_type: "24G_A10*1",
        gpus: 1,
        gpu_memory: 24,
        performance: "31",
        cpu: 28,
        memory: 116,
        hourly: 6.5,
        monthly: 3_250.0,
    },
];

pub(crate) fn bundle(bundle_type: &str) -> Option<&'static Bundle> {
    BUNDLES.iter().find(|b| b.bundle_type == bundle_type)
}

pub(crate) fn compute_detail(bundle_type: &str, count: u64) -> types::ComputeDetail {
    let mut d = types::ComputeDetail::default();
    d.bundle_type = Some(bundle_type.to_owned());
    d.count = Some(i64::try_from(count).unwrap_or(i64::MAX));
    if let Some(b) = bundle(bundle_type) {
        let n = u32::try_from(count).unwrap_or(u32::MAX);
        d.gpu_count = Some((b.gpus.saturating_mul(n)).to_string());
        d.gpu_memory = Some((b.gpu_memory.saturating_mul(n)).to_string());
        d.gpu_performance = Some(b.performance.to_owned());
        d.cpu = Some((b.cpu.saturating_mul(n)).to_string());
        d.memory = Some((b.memory.saturating_mul(n)).to_string());
    }
    d.prepaid_enable = Some(true);
    d.postpaid_enable = Some(true);
    d.supported_charge_types = Some(vec![
        "POSTPAID_BY_HOUR".to_owned(),
        "PREPAID_BY_MONTH".to_owned(),
    ]);
    d
}

pub(crate) fn is_service_id(s: &str) -> bool {
    is_id(s, "svc")
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn log_line(unix: u64, text: &str) -> String {
    format!("{} INFO {text}", format_time(unix))
}

/// The record of `id`, checked as every service action checks it.
pub(crate) fn find<'a>(
    inf: &'a mut Inference,
    id: &str,
) -> Result<&'a mut ServiceRecord, ApiError> {
    if !is_service_id(id) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidServiceIdMalformed",
            format!("The service ID `{id}` is malformed."),
        ));
    }
    inf.services.get_mut(id).ok_or_else(|| {
        ApiError::new(
            "InvalidParameterValue.ServiceIdNotFound",
            format!("The service `{id}` does not exist."),
        )
    })
}

fn injected(rec: &ServiceRecord) -> Result<(), ApiError> {
    match &rec.svc.fail_with {
        Some(code) => Err(ApiError::new(
            code.clone(),
            "An internal error occurred (injected through the seed's FailWith).",
        )),
        None => Ok(()),
    }
}

/// Settings both creation actions take, after their checks.
struct Common {
    name: Option<String>,
    charge: String,
    renew_flag: Option<String>,
    expire_time: Option<String>,
    security: String,
    public: bool,
    vpc: bool,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
}

const CHARGE_TYPES: &[&str] = &["POSTPAID_BY_HOUR", "PREPAID_BY_MONTH"];
const SECURITY_TYPES: &[&str] = &["STANDARD", "CONFIDENTIAL"];
const RENEW_FLAGS: &[&str] = &[
    "NOTIFY_AND_AUTO_RENEW",
    "NOTIFY_AND_MANUAL_RENEW",
    "DISABLE_NOTIFY_AND_MANUAL_RENEW",
];

fn check_common(
    ctx: &Ctx<'_>,
    name: Option<&str>,
    charge: Option<&str>,
    prepaid: Option<&types::ServiceChargePrepaid>,
    security: Option<&str>,
    network: Option<&types::NetworkSetting>,
) -> Result<Common, ApiError> {
    if let Some(name) = name {
        if name.chars().count() > MAX_SERVICE_NAME {
            return Err(ApiError::new(
                "InvalidParameterValue.ServiceNameTooLong",
                format!("ServiceName is longer than {MAX_SERVICE_NAME} characters."),
            ));
        }
    }
    let charge = charge.unwrap_or("POSTPAID_BY_HOUR");
    if !CHARGE_TYPES.contains(&charge) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidChargeType",
            format!(
                "The charge type `{charge}` is not one of {}.",
                CHARGE_TYPES.join(", ")
            ),
        ));
    }
    let (mut renew_flag, mut expire_time) = (None, None);
    if charge == "PREPAID_BY_MONTH" {
        let period = prepaid.and_then(|p| p.period).unwrap_or(1);
        let unit = prepaid
            .and_then(|p| p.time_unit.as_deref())
            .unwrap_or("MONTH");
        let days = match unit {
            "MONTH" if (1..=36).contains(&period) => period * 30,
            "DAY" if (1..=30).contains(&period) => period,
            _ => {
                return Err(ApiError::invalid_value(
                    "ServiceChargePrepaid",
                    "Period must be 1 to 36 with TimeUnit MONTH, or 1 to 30 with DAY",
                ))
            }
        };
        let flag = prepaid
            .and_then(|p| p.renew_flag.as_deref())
            .unwrap_or("NOTIFY_AND_MANUAL_RENEW");
        if !RENEW_FLAGS.contains(&flag) {
            return Err(ApiError::invalid_value(
                "ServiceChargePrepaid.RenewFlag",
                &format!("`{flag}` is not one of {}", RENEW_FLAGS.join(", ")),
            ));
        }
        renew_flag = Some(flag.to_owned());
        let days = u64::try_from(days).unwrap_or(0);
        expire_time = Some(format_time(unix_now().saturating_add(days * 86_400)));
    } else if prepaid.is_some() {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidChargeType",
            "ServiceChargePrepaid is only for PREPAID_BY_MONTH.",
        ));
    }
    let security = security.unwrap_or("STANDARD");
    if !SECURITY_TYPES.contains(&security) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidSecurityType",
            format!(
                "The security type `{security}` is not one of {}.",
                SECURITY_TYPES.join(", ")
            ),
        ));
    }
    let public = network
        .and_then(|n| n.public_endpoint_enable)
        .unwrap_or(true);
    let vpc = network.and_then(|n| n.vpc_endpoint_enable).unwrap_or(false);
    let (mut vpc_id, mut subnet_id) = (None, None);
    if vpc {
        let given = |v: Option<&String>| v.filter(|s| !s.trim().is_empty()).cloned();
        let v = given(network.and_then(|n| n.vpc_id.as_ref())).ok_or_else(|| {
            ApiError::new(
                "InvalidParameterValue.InvalidVpcIdIsNone",
                "A VPC endpoint needs NetworkSetting.VpcId.",
            )
        })?;
        if !is_id(&v, "vpc") {
            return Err(ApiError::invalid_value(
                "NetworkSetting.VpcId",
                &format!("`{v}` is not `vpc-` and 8 lowercase letters or digits"),
            ));
        }
        let s = given(network.and_then(|n| n.subnet_id.as_ref())).ok_or_else(|| {
            ApiError::new(
                "InvalidParameterValue.InvalidSubnetIdIsNone",
                "A VPC endpoint needs NetworkSetting.SubnetId.",
            )
        })?;
        if !is_id(&s, "subnet") {
            return Err(ApiError::new(
                "InvalidParameterValue.InvalidSubnetIdMalformed",
                format!("The subnet ID `{s}` is malformed."),
            ));
        }
        vpc_id = Some(v);
        subnet_id = Some(s);
    }
    if public && NO_PUBLIC_CALL_REGIONS.contains(&ctx.region) {
        return Err(ApiError::new(
            "InvalidParameterValue.RegionNotSupportPublicCallInfo",
            format!(
                "Services in {} cannot have a public endpoint; set NetworkSetting.PublicEndpointEnable to false.",
                ctx.region
            ),
        ));
    }
    Ok(Common {
        name: name.map(str::to_owned),
        charge: charge.to_owned(),
        renew_flag,
        expire_time,
        security: security.to_owned(),
        public,
        vpc,
        vpc_id,
        subnet_id,
    })
}

fn check_replicas(name: &str, replicas: Option<i64>) -> Result<u64, ApiError> {
    let r = replicas.unwrap_or(1);
    if !(1..=MAX_REPLICAS).contains(&r) {
        return Err(ApiError::invalid_value(
            name,
            &format!("it must be between 1 and {MAX_REPLICAS}"),
        ));
    }
    Ok(u64::try_from(r).unwrap_or(1))
}

/// The first probe of `configs` aimed at a port its container does not listen on.
fn probe_mismatch(configs: &[types::DeploymentConfig]) -> Option<(String, i64, String)> {
    for c in configs.iter().filter_map(|d| d.container.as_ref()) {
        let Some(port) = c.port.as_deref().and_then(|p| p.trim().parse::<i64>().ok()) else {
            continue;
        };
        let Some(probe) = &c.probe else { continue };
        for (kind, cfg) in [
            ("startup", &probe.startup_probe),
            ("readiness", &probe.readiness_probe),
            ("liveness", &probe.liveness_probe),
        ] {
            let Some(cfg) = cfg else { continue };
            let target = cfg
                .http_get
                .as_ref()
                .and_then(|h| h.port)
                .or_else(|| cfg.tcp_socket.as_ref().and_then(|t| t.port));
            if let Some(t) = target {
                if t != port {
                    return Some((kind.to_owned(), t, port.to_string()));
                }
            }
        }
    }
    None
}

fn image_of(configs: &[types::DeploymentConfig]) -> String {
    configs
        .iter()
        .filter_map(|d| d.container.as_ref())
        .filter_map(|c| c.image.as_ref())
        .find_map(|i| i.image_registry_url.clone())
        .unwrap_or_else(|| "(no image)".to_owned())
}

/// Starts a new service: `CREATING` for `Timings::service_create`, then `RUNNING` or
/// `CREATE_FAILED`. The caller took the nodes.
fn launch(
    shared: &Shared,
    inf: &mut Inference,
    mut svc: Service,
    engine: &str,
    now: Instant,
) -> String {
    let id = new_id("svc", |id| inf.services.contains_key(id));
    svc.service_id = id.clone();
    if svc.service_name.is_empty() {
        svc.service_name = format!("service-{}", &id[4..]);
    }
    let unix = unix_now();
    svc.create_time = format_time(unix);
    let replicas = svc.replicas;
    let held = replicas.saturating_mul(svc.nodes_per_replica);
    let image = image_of(&svc.deployment_configs);
    let mut logs = vec![
        log_line(unix, &format!("service {id} accepted")),
        log_line(
            unix,
            &format!(
                "scheduling {replicas} replica(s) on {} x {}",
                svc.nodes_per_replica, svc.bundle_type
            ),
        ),
        log_line(unix, &format!("pulling image {image}")),
    ];
    let done = unix.saturating_add(shared.timings().service_create.as_secs());
    let (outcome, running, done_logs) = match probe_mismatch(&svc.deployment_configs) {
        Some((kind, target, port)) => (
            ServiceState::CreateFailed,
            0,
            vec![
                log_line(
                    done,
                    &format!(
                        "{kind} probe failed: connection refused on port {target} (the container listens on {port})"
                    ),
                ),
                log_line(done, "pods never became ready; service creation failed"),
            ],
        ),
        None => (
            ServiceState::Running,
            replicas,
            vec![
                log_line(done, &format!("{engine} engine started")),
                log_line(done, "readiness probe succeeded"),
                log_line(done, &format!("{replicas} of {replicas} replicas running")),
            ],
        ),
    };
    logs.push(log_line(unix, "waiting for pods to become ready"));
    let op = ServiceOp {
        done_at: after(now, shared.timings().service_create),
        outcome: Outcome::State(outcome),
        replicas: running,
        done_logs,
    };
    inf.insert(svc, 0, held, Some(op), logs);
    inf.settle(now);
    id
}

fn template_configs(model_name: &str, engine: &str) -> Vec<types::DeploymentConfig> {
    let mut image = types::ImageInfo::default();
    image.image_registry_url = Some(format!(
        "registry.hai-emulator.invalid/ai/{}:latest",
        engine.to_ascii_lowercase()
    ));
    let mut env = types::EnvParam::default();
    env.name = Some("MODEL_NAME".to_owned());
    env.value = Some(model_name.to_owned());
    let mut container = types::ContainerInfo::default();
    container.image = Some(image);
    container.port = Some("30000".to_owned());
    container.envs = Some(vec![env]);
    let mut config = types::DeploymentConfig::default();
    config.container = Some(container);
    config.container_count = Some(1);
    vec![config]
}

/// CreateInferServiceByTemplate: the shared checks, then the template's (exists, has compute,
/// allows another service and the asked endpoints, supports the asked features), the replica
/// count and the free nodes; the service runs the template's engine and model.
pub(crate) fn create_infer_service_by_template(
    shared: &Shared,
    ctx: &Ctx<'_>,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: CreateInferServiceByTemplateRequest = decode(params)?;
    let common = check_common(
        ctx,
        req.service_name.as_deref(),
        req.service_charge_type.as_deref(),
        req.service_charge_prepaid.as_ref(),
        req.security_type.as_deref(),
        req.network_setting.as_ref(),
    )?;
    let now = Instant::now();
    let mut inf = shared.inference_at(now);
    let template: DeployTemplate = inf
        .templates
        .iter()
        .find(|t| t.template_id == req.template_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                "InvalidParameterValue.TemplateIdNotFound",
                format!("The template `{}` does not exist.", req.template_id),
            )
        })?;
    let Some(need) = template.compute.first().cloned() else {
        return Err(ApiError::new(
            "InvalidParameterValue.ComputeSetCannotBeNone",
            format!(
                "The template `{}` has no compute resources left.",
                template.template_id
            ),
        ));
    };
    if template.one_service_only
        && inf
            .services
            .values()
            .any(|r| r.svc.template_id.as_deref() == Some(template.template_id.as_str()))
    {
        return Err(ApiError::new(
            "UnauthorizedOperation.AllowCreateOneServiceOfTemplate",
            format!(
                "Only one service can be created from the template `{}`.",
                template.template_id
            ),
        ));
    }
    if common.vpc && !template.vpc_endpoint {
        return Err(ApiError::new(
            "OperationDenied.ServiceNotSupportUpdateCallInfo",
            format!(
                "Services from the template `{}` cannot have a VPC endpoint.",
                template.template_id
            ),
        ));
    }
    if req
        .hyper_param
        .as_ref()
        .is_some_and(|h| h.hi_cache.is_some())
        && !template.support_func.iter().any(|f| f == "hicache")
    {
        return Err(ApiError::invalid_value(
            "HyperParam.HiCache",
            &format!(
                "the template `{}` does not support hicache",
                template.template_id
            ),
        ));
    }
    let replicas = check_replicas("Replicas", req.replicas)?;
    inf.take(&need.bundle_type, replicas.saturating_mul(need.count))?;
    let model_name = inf
        .models
        .iter()
        .find(|m| m.model_id == template.model_id)
        .map_or_else(|| template.model_id.clone(), |m| m.model_name.clone());
    let mut svc = Service::new(String::new(), ServiceState::Creating)
        .with_template(&template.model_id, &template.template_id);
    svc.service_name = common.name.clone().unwrap_or_else(|| model_name.clone());
    apply_common(&mut svc, common);
    svc.bundle_type = need.bundle_type.clone();
    svc.nodes_per_replica = need.count;
    svc.replicas = replicas;
    svc.hyper_param = req.hyper_param.clone();
    svc.deployment_configs = template_configs(&model_name, &template.engine_type);
    let id = launch(shared, &mut inf, svc, &template.engine_type, now);
    let mut resp = CreateInferServiceByTemplateResponse::default();
    resp.service_id = Some(id);
    encode(&resp)
}

fn apply_common(svc: &mut Service, c: Common) {
    svc.charge_type = c.charge;
    svc.renew_flag = c.renew_flag;
    svc.expire_time = c.expire_time;
    svc.security_type = c.security;
    svc.public_endpoint = c.public;
    svc.vpc_endpoint = c.vpc;
    svc.vpc_id = c.vpc_id;
    svc.subnet_id = c.subnet_id;
}

/// DeployInferService: the shared checks, then one known bundle with 1 to 16 nodes per
/// replica, 1 to 20 replicas, a container image, and the free nodes; the service runs the
/// given containers (and fails to start when a probe misses its container's port).
pub(crate) fn deploy_infer_service(
    shared: &Shared,
    ctx: &Ctx<'_>,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DeployInferServiceRequest = decode(params)?;
    let meta = req.service_meta_data.as_ref();
    let common = check_common(
        ctx,
        meta.and_then(|m| m.service_name.as_deref()),
        meta.and_then(|m| m.service_charge_type.as_deref()),
        req.service_charge_prepaid.as_ref(),
        req.security_type.as_deref(),
        req.network_setting.as_ref(),
    )?;
    let resources = req
        .compute_info
        .as_ref()
        .and_then(|c| c.compute_resources.as_deref())
        .unwrap_or_default();
    let [resource] = resources else {
        return Err(ApiError::invalid_value(
            "ComputeInfo.ComputeResources",
            &format!("give exactly one bundle type, got {}", resources.len()),
        ));
    };
    if bundle(&resource.bundle_type).is_none() {
        let known: Vec<&str> = BUNDLES.iter().map(|b| b.bundle_type).collect();
        return Err(ApiError::invalid_value(
            "ComputeInfo.ComputeResources.0.BundleType",
            &format!(
                "`{}` is not one of {}",
                resource.bundle_type,
                known.join(", ")
            ),
        ));
    }
    if !(1..=16).contains(&resource.count) {
        return Err(ApiError::invalid_value(
            "ComputeInfo.ComputeResources.0.Count",
            "it must be between 1 and 16",
        ));
    }
    let replicas = check_replicas(
        "ComputeInfo.Replicas",
        req.compute_info.as_ref().and_then(|c| c.replicas),
    )?;
    let configs = req.deployment_configs.clone().unwrap_or_default();
    if image_of(&configs) == "(no image)" {
        return Err(ApiError::missing(
            "DeploymentConfigs.0.Container.Image.ImageRegistryUrl",
        ));
    }
    let now = Instant::now();
    let mut inf = shared.inference_at(now);
    inf.take(
        &resource.bundle_type,
        replicas.saturating_mul(resource.count),
    )?;
    let mut svc = Service::new(String::new(), ServiceState::Creating);
    svc.service_name = common.name.clone().unwrap_or_default();
    apply_common(&mut svc, common);
    svc.bundle_type = resource.bundle_type.clone();
    svc.nodes_per_replica = resource.count;
    svc.replicas = replicas;
    svc.hyper_param = req.hyper_param.clone();
    svc.deployment_configs = configs;
    let id = launch(shared, &mut inf, svc, "custom", now);
    let mut resp = DeployInferServiceResponse::default();
    resp.service_id = Some(id);
    encode(&resp)
}

/// Deployment settings as shown: registry passwords are never echoed.
fn shown_configs(configs: &[types::DeploymentConfig]) -> Vec<types::DeploymentConfig> {
    let mut out = configs.to_vec();
    for c in &mut out {
        if let Some(image) = c.container.as_mut().and_then(|c| c.image.as_mut()) {
            image.image_registry_password = None;
        }
    }
    out
}

fn detail(inf: &Inference, rec: &ServiceRecord) -> types::ServiceDetail {
    let s = &rec.svc;
    let mut d = types::ServiceDetail::default();
    d.service_id = Some(s.service_id.clone());
    d.service_name = Some(s.service_name.clone());
    d.service_state = Some(s.service_state.as_str().to_owned());
    d.running_replicas = Some(rec.running);
    d.total_replicas = Some(s.replicas);
    d.create_time = Some(s.create_time.clone());
    d.compute_set = Some(vec![compute_detail(&s.bundle_type, s.nodes_per_replica)]);
    d.model_name = s.model_id.as_ref().map(|m| {
        inf.models
            .iter()
            .find(|x| &x.model_id == m)
            .map_or_else(|| m.clone(), |x| x.model_name.clone())
    });
    d.deployment_configs = Some(shown_configs(&s.deployment_configs));
    d.hyper_param = s.hyper_param.clone();
    d.security_type = Some(s.security_type.clone());
    if s.service_state == ServiceState::Updating {
        d.target_replicas = Some(s.replicas);
    }
    d.charge_type = Some(s.charge_type.clone());
    d.expire_time = Some(s.expire_time.clone().unwrap_or_default());
    d.renew_flag = s.renew_flag.clone();
    if matches!(
        s.service_state,
        ServiceState::Arrears | ServiceState::Isolating
    ) {
        d.restrict_state = Some("ISOLATED".to_owned());
    }
    d.is_custom_deploy = Some(i64::from(s.template_id.is_none()));
    d
}

/// Checks `Offset` (default 0) and `Limit` (default 20, at most 100) of the service actions.
fn paging_u64(offset: Option<u64>, limit: Option<u64>) -> Result<(usize, usize), ApiError> {
    let limit = limit.unwrap_or(20);
    if limit > 100 {
        return Err(ApiError::invalid_value("Limit", "it must be at most 100"));
    }
    Ok((
        usize::try_from(offset.unwrap_or(0)).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(0),
    ))
}

/// Checks `ServiceIds` (at most 100, well formed, no duplicates, all existing).
fn check_service_ids(inf: &Inference, ids: Option<&Vec<String>>) -> Result<(), ApiError> {
    let Some(ids) = ids else { return Ok(()) };
    check_id_list(
        "ServiceIds",
        ids,
        100,
        is_service_id,
        "InvalidParameterValue.InvalidServiceIdMalformed",
    )?;
    if let Some(missing) = ids.iter().find(|id| !inf.services.contains_key(*id)) {
        return Err(ApiError::new(
            "InvalidParameterValue.ServiceIdNotFound",
            format!("The service `{missing}` does not exist."),
        ));
    }
    Ok(())
}

/// DescribeServices: `ServiceIds` (all must exist) and `States`, in creation order, paged.
pub(crate) fn describe_services(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeServicesRequest = decode(params)?;
    let (offset, limit) = paging_u64(req.offset, req.limit)?;
    let mut states = Vec::new();
    for s in req.states.iter().flatten() {
        let st = ServiceState::from_wire(s).ok_or_else(|| {
            let all: Vec<&str> = ServiceState::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::invalid_value("States", &format!("`{s}` is not one of {}", all.join(", ")))
        })?;
        states.push(st);
    }
    let inf = shared.inference_at(Instant::now());
    check_service_ids(&inf, req.service_ids.as_ref())?;
    let selected: Vec<&ServiceRecord> = inf
        .services_in_order()
        .into_iter()
        .filter(|r| {
            req.service_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&r.svc.service_id))
        })
        .filter(|r| states.is_empty() || states.contains(&r.svc.service_state))
        .collect();
    let mut resp = DescribeServicesResponse::default();
    resp.total_count = Some(u64::try_from(selected.len()).unwrap_or(u64::MAX));
    resp.service_info_set = Some(
        selected
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|r| detail(&inf, r))
            .collect(),
    );
    encode(&resp)
}

fn api_key(id: &str) -> String {
    let digest = Sha256::digest(format!("hai-emulator api key for {id}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn call_info(rec: &ServiceRecord, region: &str) -> types::CallInfo {
    let s = &rec.svc;
    let n = rec.serial;
    let mut c = types::CallInfo::default();
    c.service_id = Some(s.service_id.clone());
    c.public_endpoint = Some(if s.public_endpoint {
        format!(
            "http://{}.{region}.infer.hai-emulator.invalid",
            s.service_id
        )
    } else {
        String::new()
    });
    c.api_key = Some(api_key(&s.service_id));
    c.vpc_endpoint = s
        .vpc_endpoint
        .then(|| format!("http://10.3.{}.{}:30000", (n / 250) % 250, n % 250 + 2));
    c
}

/// DescribeServicesCallInfo: endpoints and API keys, paged.
pub(crate) fn describe_services_call_info(
    shared: &Shared,
    ctx: &Ctx<'_>,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeServicesCallInfoRequest = decode(params)?;
    let (offset, limit) = paging_u64(req.offset, req.limit)?;
    let inf = shared.inference_at(Instant::now());
    check_service_ids(&inf, req.service_ids.as_ref())?;
    let embodied = |r: &ServiceRecord| {
        r.svc
            .model_id
            .as_ref()
            .is_some_and(|m| inf.models.iter().any(|x| &x.model_id == m && x.embodied))
    };
    let mut selected = Vec::new();
    for r in inf.services_in_order() {
        match &req.service_ids {
            Some(ids) if ids.contains(&r.svc.service_id) => {
                if embodied(r) {
                    return Err(ApiError::new(
                        "UnauthorizedOperation.UserNotBoundEmbodiedIntelligenceAccount",
                        format!(
                            "The service `{}` serves an embodied-intelligence model; bind an embodied-intelligence account first.",
                            r.svc.service_id
                        ),
                    ));
                }
                selected.push(r);
            }
            Some(_) => {}
            // Listing everything leaves out what the account may not see.
            None if embodied(r) => {}
            None => selected.push(r),
        }
    }
    let mut resp = DescribeServicesCallInfoResponse::default();
    resp.call_info_set = Some(
        selected
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|r| call_info(r, ctx.region))
            .collect(),
    );
    encode(&resp)
}

/// What an update asks for, after the checks it shares with its price inquiry.
struct Update {
    target: Option<u64>,
}

fn check_update(
    inf: &mut Inference,
    id: &str,
    target: Option<i64>,
    has_configs: bool,
) -> Result<Update, ApiError> {
    let rec = find(inf, id)?;
    injected(rec)?;
    let state = rec.svc.service_state;
    if state.in_progress() {
        return Err(ApiError::new(
            "OperationDenied.ServiceOperationInProgress",
            format!("The service `{id}` is {state}; wait until the operation completes."),
        ));
    }
    if state != ServiceState::Running {
        return Err(ApiError::new(
            "UnsupportedOperation",
            format!("The configuration of a {state} service cannot be changed."),
        ));
    }
    if target.is_none() && !has_configs {
        return Err(ApiError::invalid_value(
            "TargetReplicas",
            "give TargetReplicas or DeploymentConfigs",
        ));
    }
    let Some(t) = target else {
        return Ok(Update { target: None });
    };
    if rec.svc.autoscale {
        return Err(ApiError::new(
            "FailedOperation.AutoscaleManualConflict",
            format!("The service `{id}` scales automatically; manual TargetReplicas conflicts."),
        ));
    }
    if !(0..=MAX_REPLICAS).contains(&t) {
        return Err(ApiError::invalid_value(
            "TargetReplicas",
            &format!("it must be between 0 and {MAX_REPLICAS}"),
        ));
    }
    let t = u64::try_from(t).unwrap_or(0);
    if t == rec.running {
        return Err(ApiError::new(
            "InvalidParameterValue.TargetReplicasMustDifferFromRunningReplicas",
            format!("The service `{id}` already runs {t} replicas."),
        ));
    }
    let need = t.saturating_mul(rec.svc.nodes_per_replica);
    let (bundle_type, held) = (rec.svc.bundle_type.clone(), rec.held);
    if need > held {
        inf.check_stock(&bundle_type, need - held)?;
    }
    Ok(Update { target: Some(t) })
}

/// UpdateServiceConfigs: `RUNNING` -> `UPDATING` (for `Timings::service_update`) -> `RUNNING`
/// with the new replica count and deployment settings.
pub(crate) fn update_service_configs(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: UpdateServiceConfigsRequest = decode(params)?;
    let now = Instant::now();
    let mut inf = shared.inference_at(now);
    let up = check_update(
        &mut inf,
        &req.service_id,
        req.target_replicas,
        req.deployment_configs.is_some(),
    )?;
    let (bundle_type, nodes, held) = {
        let rec = find(&mut inf, &req.service_id)?;
        (
            rec.svc.bundle_type.clone(),
            rec.svc.nodes_per_replica,
            rec.held,
        )
    };
    let mut new_held = held;
    if let Some(t) = up.target {
        let need = t.saturating_mul(nodes);
        if need > held {
            inf.take(&bundle_type, need - held)?;
        } else {
            inf.give(&bundle_type, held - need);
        }
        new_held = need;
    }
    let unix = unix_now();
    let done = unix.saturating_add(shared.timings().service_update.as_secs());
    let duration = shared.timings().service_update;
    let rec = find(&mut inf, &req.service_id)?;
    let target = up.target.unwrap_or(rec.running);
    rec.held = new_held;
    rec.svc.replicas = target;
    if let Some(configs) = req.deployment_configs {
        rec.svc.deployment_configs = configs;
        rec.logs
            .push(log_line(unix, "new deployment settings: rolling restart"));
    }
    rec.logs.push(log_line(
        unix,
        &format!("scaling from {} to {target} replica(s)", rec.running),
    ));
    rec.svc.service_state = ServiceState::Updating;
    rec.op = Some(ServiceOp {
        done_at: after(now, duration),
        outcome: Outcome::State(ServiceState::Running),
        replicas: target,
        done_logs: vec![log_line(
            done,
            &format!("{target} of {target} replicas running"),
        )],
    });
    inf.settle(now);
    encode(&UpdateServiceConfigsResponse::default())
}

/// The parameters InquirePriceUpdateServiceConfigs would need. The published request has no
/// members, so a request the spec accepts never carries them and the price cannot be
/// computed; a grown spec that documents them gets a price.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PriceUpdateParams {
    service_id: Option<String>,
    target_replicas: Option<i64>,
    deployment_configs: Option<Value>,
}

/// InquirePriceUpdateServiceConfigs: the price of the service with UpdateServiceConfigs'
/// `TargetReplicas`, after the same checks; without a `ServiceId` (the published request)
/// `UnsupportedOperation.NotSupportToInquiryPrice`.
pub(crate) fn inquire_price_update_service_configs(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: PriceUpdateParams = decode(params)?;
    let Some(id) = req.service_id else {
        return Err(ApiError::new(
            "UnsupportedOperation.NotSupportToInquiryPrice",
            "The request names no service (the published InquirePriceUpdateServiceConfigs has no ServiceId), so no price can be quoted.",
        ));
    };
    let mut inf = shared.inference_at(Instant::now());
    let up = check_update(
        &mut inf,
        &id,
        req.target_replicas,
        req.deployment_configs.is_some(),
    )?;
    let rec = find(&mut inf, &id)?;
    let replicas = up.target.unwrap_or(rec.running);
    let b = bundle(&rec.svc.bundle_type);
    let prepaid = rec.svc.charge_type == "PREPAID_BY_MONTH";
    let per_node = b.map_or(0.0, |b| if prepaid { b.monthly } else { b.hourly });
    let unit = per_node * rec.svc.nodes_per_replica as f64;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let mut p = types::ItemPrice::default();
    p.unit_price = Some(round(unit));
    p.discount_unit_price = Some(round(unit));
    p.discount = Some(1.0);
    p.charge_unit = Some(if prepaid { "MONTH" } else { "HOUR" }.to_owned());
    p.amount = Some(replicas);
    p.origin_price = Some(round(unit * replicas as f64));
    p.discount_price = Some(round(unit * replicas as f64));
    let mut price = types::ServicePriceDetail::default();
    price.service_price = Some(p);
    let mut resp = InquirePriceUpdateServiceConfigsResponse::default();
    resp.price = Some(price);
    encode(&resp)
}

/// DeleteService: any state -> `DELETING` (for `Timings::service_delete`) -> gone. A prepaid
/// service before its expiry and one already deleting get `UnsupportedOperation`.
pub(crate) fn delete_service(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DeleteServiceRequest = decode(params)?;
    let now = Instant::now();
    let duration = shared.timings().service_delete;
    let mut inf = shared.inference_at(now);
    let rec = find(&mut inf, &req.service_id)?;
    injected(rec)?;
    if rec.svc.service_state == ServiceState::Deleting {
        return Err(ApiError::new(
            "UnsupportedOperation",
            format!("The service `{}` is already being deleted.", req.service_id),
        ));
    }
    // Tearing a template service down needs its template (seed files can record one that is
    // malformed or withdrawn from the catalogue).
    if let Some(tpl) = rec.svc.template_id.clone() {
        if !is_id(&tpl, "tpl") {
            return Err(ApiError::new(
                "InvalidParameterValue.InvalidTemplateIdMalformed",
                format!("The template ID `{tpl}` of the service is malformed."),
            ));
        }
        if !inf.templates.iter().any(|t| t.template_id == tpl) {
            return Err(ApiError::new(
                "InvalidParameterValue.TemplateIdNotFound",
                format!("The template `{tpl}` of the service no longer exists."),
            ));
        }
    }
    let rec = find(&mut inf, &req.service_id)?;
    if rec.svc.charge_type == "PREPAID_BY_MONTH" {
        return Err(ApiError::new(
            "UnsupportedOperation",
            format!(
                "The service `{}` is prepaid until {}; it cannot be deleted before.",
                req.service_id,
                rec.svc.expire_time.as_deref().unwrap_or("its expiry")
            ),
        ));
    }
    let unix = unix_now();
    rec.logs.push(log_line(unix, "deleting the service"));
    rec.svc.service_state = ServiceState::Deleting;
    rec.op = Some(ServiceOp {
        done_at: after(now, duration),
        outcome: Outcome::Gone,
        replicas: 0,
        done_logs: Vec::new(),
    });
    inf.settle(now);
    encode(&DeleteServiceResponse::default())
}

/// Pod names of a service: `<ServiceId>-worker-<n>`, one per wanted replica.
pub(crate) fn pod_names(rec: &ServiceRecord) -> Vec<String> {
    let pods = rec.svc.replicas.max(rec.running);
    (0..pods)
        .map(|n| format!("{}-worker-{n}", rec.svc.service_id))
        .collect()
}

/// GetServicePodLogs: the service's log as one of its pods shows it, the last `TailLines`.
pub(crate) fn get_service_pod_logs(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: GetServicePodLogsRequest = decode(params)?;
    let tail = match req.tail_lines.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(t.parse::<usize>().map_err(|_| {
            ApiError::invalid_value("TailLines", "it must be a decimal number of lines")
        })?),
    };
    if !is_service_id(&req.service_id) {
        return Err(ApiError::invalid_value(
            "ServiceId",
            &format!("`{}` is not a service ID", req.service_id),
        ));
    }
    let inf = shared.inference_at(Instant::now());
    let rec = inf.services.get(&req.service_id).ok_or_else(|| {
        ApiError::new(
            "ResourceNotFound",
            format!("The service `{}` does not exist.", req.service_id),
        )
    })?;
    let pods = pod_names(rec);
    let Some(n) = pods.iter().position(|p| *p == req.pod_name) else {
        return Err(ApiError::new(
            "ResourceNotFound",
            format!(
                "The service `{}` has no pod `{}`; its pods are {}.",
                req.service_id,
                req.pod_name,
                if pods.is_empty() {
                    "none".to_owned()
                } else {
                    pods.join(", ")
                }
            ),
        ));
    };
    let mut lines = vec![format!(
        "{} INFO pod {} scheduled on {} x {}",
        rec.svc.create_time, req.pod_name, rec.svc.nodes_per_replica, rec.svc.bundle_type
    )];
    lines.extend(rec.logs.iter().cloned());
    if u64::try_from(n).unwrap_or(u64::MAX) >= rec.running
        && rec.svc.service_state == ServiceState::Updating
    {
        lines.push(format!(
            "{} INFO pod {} starting",
            format_time(unix_now()),
            req.pod_name
        ));
    }
    let skip = tail.map_or(0, |t| lines.len().saturating_sub(t));
    let mut resp = GetServicePodLogsResponse::default();
    resp.log_lines = Some(lines.into_iter().skip(skip).collect());
    encode(&resp)
}
