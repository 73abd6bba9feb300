//! ResetInstancesPassword, ResizeInstanceDisk, DescribeInstanceNetworkStatus.

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use sha2::{Digest, Sha256};

use hai_sdk::describe_instance_network_status::{
    DescribeInstanceNetworkStatusRequest, DescribeInstanceNetworkStatusResponse,
};
use hai_sdk::describe_service_login_settings::{
    DescribeServiceLoginSettingsRequest, DescribeServiceLoginSettingsResponse,
};
use hai_sdk::reset_instances_password::{
    ResetInstancesPasswordRequest, ResetInstancesPasswordResponse,
};
use hai_sdk::resize_instance_disk::{ResizeInstanceDiskRequest, ResizeInstanceDiskResponse};
use hai_sdk::types;

use super::launch::MAX_DISK_GB;
use super::{check_id_list, decode, encode};
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::{is_well_formed_id, Instance, InstanceState, Transition};

/// Special characters a password may contain (Tencent Cloud's rule for Linux instances).
const PASSWORD_SPECIALS: &str = "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/";

/// 8 to 30 characters from at least three of: lowercase, uppercase, digits, specials.
fn password_ok(p: &str) -> bool {
    let len = p.chars().count();
    if !(8..=30).contains(&len) {
        return false;
    }
    if !p
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || PASSWORD_SPECIALS.contains(c))
    {
        return false;
    }
    let classes = [
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| PASSWORD_SPECIALS.contains(c)),
    ];
    classes.iter().filter(|x| **x).count() >= 3
}

/// Instances that no longer exist for maintenance purposes.
fn live_check(i: &Instance) -> Result<(), ApiError> {
    match i.instance_state {
        InstanceState::Terminated | InstanceState::LaunchFailed => Err(ApiError::new(
            "UnsupportedOperation",
            format!(
                "Instance `{}` is {} and cannot be changed.",
                i.instance_id, i.instance_state
            ),
        )),
        _ => Ok(()),
    }
}

/// A check-only transition (the state does not change; `Store::touch` records it).
fn maintenance(action: &'static str) -> Transition {
    Transition {
        action,
        check: live_check,
        during: None,
        target: InstanceState::Running,
        duration: Duration::ZERO,
    }
}

/// ResetInstancesPassword: 1 to 100 ids, all checked first; the password follows Tencent
/// Cloud's rule. Completes at once with a TaskId; `DryRun` checks only.
pub(crate) fn reset_instances_password(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: ResetInstancesPasswordRequest = decode(params)?;
    if req.instance_ids.is_empty() || req.instance_ids.len() > 100 {
        return Err(ApiError::invalid_value(
            "InstanceIds",
            &format!("give 1 to 100 IDs, got {}", req.instance_ids.len()),
        ));
    }
    if !password_ok(&req.password) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidPassword",
            "The password must be 8 to 30 characters from at least three of: lowercase \
             letters, uppercase letters, digits and ()`~!@#$%^&*-+=_|{}[]:;'<>,.?/",
        ));
    }
    let ids: Vec<&str> = req.instance_ids.iter().map(String::as_str).collect();
    let t = maintenance("ResetInstancesPassword");
    let mut store = shared.store();
    store.check(&ids, &t, Instant::now(), false)?;
    if req.dry_run.unwrap_or(false) {
        return Err(ApiError::new(
            "DryRunOperation",
            "The request would have succeeded, but the DryRun parameter was used.",
        ));
    }
    let task = store.touch(&ids, t.action, |_| {});
    let mut resp = ResetInstancesPasswordResponse::default();
    resp.task_id = Some(task);
    encode(&resp)
}

/// ResizeInstanceDisk: the system disk only grows, up to 1000 GB; completes at once.
pub(crate) fn resize_instance_disk(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: ResizeInstanceDiskRequest = decode(params)?;
    let id = req.instance_id.as_str();
    let t = maintenance("ResizeInstanceDisk");
    let mut store = shared.store();
    store.check(&[id], &t, Instant::now(), false)?;
    let current = store
        .get(id, Instant::now())
        .map_or(0, |i| i.system_disk_size);
    if req.disk_size <= current {
        return Err(ApiError::new(
            "InvalidParameterValue.DiskSizeMustLargeThanCurrentDiskSize",
            format!(
                "The new size ({} GB) must be larger than the current {current} GB.",
                req.disk_size
            ),
        ));
    }
    if req.disk_size > MAX_DISK_GB {
        return Err(ApiError::new(
            "InvalidParameterValue.DiskSizeReachLimit",
            format!("The system disk can be at most {MAX_DISK_GB} GB."),
        ));
    }
    let size = req.disk_size;
    store.touch(&[id], t.action, |i| i.system_disk_size = size);
    encode(&ResizeInstanceDiskResponse::default())
}

/// DescribeInstanceNetworkStatus: bandwidth and traffic of each named instance (all must
/// exist).
pub(crate) fn describe_instance_network_status(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeInstanceNetworkStatusRequest = decode(params)?;
    check_id_list(
        "InstanceIds",
        &req.instance_ids,
        100,
        is_well_formed_id,
        "InvalidParameterValue.InvalidInstanceIdMalformed",
    )?;
    let mut store = shared.store();
    let now = Instant::now();
    let mut set = Vec::with_capacity(req.instance_ids.len());
    for id in &req.instance_ids {
        let inst = store.get(id, now).ok_or_else(|| {
            ApiError::new(
                "InvalidParameterValue.InstanceIdNotFound",
                format!("The instance `{id}` does not exist."),
            )
        })?;
        let mut s = types::NetworkStatus::default();
        s.instance_id = Some(inst.instance_id.clone());
        s.address_ip = inst.public_ip_addresses.first().cloned();
        s.bandwidth = Some(10);
        s.total_traffic_amount = Some(500.0);
        // A stable, instance-specific amount used so far.
        let used = inst.instance_id.bytes().map(f64::from).sum::<f64>() % 100.0;
        s.remaining_traffic_amount = Some(500.0 - used);
        set.push(s);
    }
    let mut resp = DescribeInstanceNetworkStatusResponse::default();
    resp.total_count = Some(u64::try_from(set.len()).unwrap_or(u64::MAX));
    resp.network_status_set = Some(set);
    encode(&resp)
}

/// Login services of an instance by its application: `(ServiceName, port, path)`.
fn login_services(application: &str) -> Vec<(&'static str, u16, &'static str)> {
    let mut out = vec![("jupyter", 8888, "/lab")];
    match application {
        "StableDiffusionWebUI" => out.push(("webui", 7860, "/")),
        "ComfyUI" => out.push(("comfyui", 8188, "/")),
        "ChatGLM2-6B" => out.push(("gradio", 7860, "/")),
        _ => {}
    }
    out
}

/// DescribeServiceLoginSettings: the login URLs of a `RUNNING` instance's services (none for
/// an instance in another state); `ServiceName` (case-insensitive) picks one.
pub(crate) fn describe_service_login_settings(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeServiceLoginSettingsRequest = decode(params)?;
    let id = req.instance_id.as_str();
    if !is_well_formed_id(id) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidInstanceIdMalformed",
            format!("The instance ID `{id}` is malformed."),
        ));
    }
    let inst = shared.store().get(id, Instant::now()).ok_or_else(|| {
        ApiError::new(
            "InvalidParameterValue.InstanceIdNotFound",
            format!("The instance `{id}` does not exist."),
        )
    })?;
    if let Some(code) = &inst.fail_with {
        return Err(ApiError::new(
            code.clone(),
            "An internal error occurred (injected through the seed's FailWith).",
        ));
    }
    let services = login_services(&inst.application_name);
    if let Some(want) = &req.service_name {
        if !services
            .iter()
            .any(|(n, _, _)| n.eq_ignore_ascii_case(want))
        {
            let names: Vec<&str> = services.iter().map(|(n, _, _)| *n).collect();
            return Err(ApiError::invalid_value(
                "ServiceName",
                &format!("`{want}` is not one of {}", names.join(", ")),
            ));
        }
    }
    let running = inst.instance_state == InstanceState::Running;
    let ip = inst.public_ip_addresses.first().cloned();
    let mut settings = Vec::new();
    for (name, port, path) in services {
        if req
            .service_name
            .as_ref()
            .is_some_and(|w| !name.eq_ignore_ascii_case(w))
        {
            continue;
        }
        let (true, Some(ip)) = (running, ip.as_ref()) else {
            continue;
        };
        let digest = Sha256::digest(format!("{id}/{name}").as_bytes());
        let token: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let mut s = types::LoginSetting::default();
        s.service_name = Some(name.to_owned());
        s.url = Some(format!("http://{ip}:{port}{path}?token={token}"));
        settings.push(s);
    }
    let mut resp = DescribeServiceLoginSettingsResponse::default();
    resp.login_settings = Some(settings);
    encode(&resp)
}
