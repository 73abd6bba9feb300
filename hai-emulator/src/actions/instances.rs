//! Instance lifecycle actions.

use serde_json::{Map, Value};

use super::{check_id_list, decode, encode, paging};
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::{ChargeType, Instance, InstanceState, Transition};

use hai_sdk::describe_instances::{DescribeInstancesRequest, DescribeInstancesResponse};
use hai_sdk::start_instance::{StartInstanceRequest, StartInstanceResponse};
use hai_sdk::stop_instance::{StopInstanceRequest, StopInstanceResponse};
use hai_sdk::terminate_instances::{TerminateInstancesRequest, TerminateInstancesResponse};
use hai_sdk::types::{self, StopMode};

fn stop_check(i: &Instance) -> Result<(), ApiError> {
    match i.instance_state {
        InstanceState::Running if i.charge_type == ChargeType::PrepaidByMonth => {
            Err(ApiError::new(
                "UnsupportedOperation",
                format!(
                    "Instance `{}` is prepaid (PREPAID_BY_MONTH) and cannot be stopped.",
                    i.instance_id
                ),
            ))
        }
        InstanceState::Running => Ok(()),
        other => Err(other.unsupported()),
    }
}

fn start_check(i: &Instance) -> Result<(), ApiError> {
    match i.instance_state {
        InstanceState::StoppedNoCharge if i.charge_type == ChargeType::PrepaidByMonth => {
            Err(ApiError::new(
                "UnsupportedOperation",
                format!(
                    "Instance `{}` is prepaid (PREPAID_BY_MONTH) and cannot be started.",
                    i.instance_id
                ),
            ))
        }
        InstanceState::StoppedNoCharge => Ok(()),
        other => Err(other.unsupported()),
    }
}

/// StopInstance: `RUNNING` -> (operating for `Timings::stop`) -> `STOPPED_NO_CHARGE`.
pub(crate) async fn stop_instance(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: StopInstanceRequest = decode(params)?;
    // Only STOP_CHARGE exists; the spec's enum check already refused anything else.
    let mode = req.stop_mode.clone().unwrap_or(StopMode::StopCharge);
    if mode != StopMode::StopCharge {
        return Err(ApiError::invalid_value(
            "StopMode",
            &format!("`{mode}` is not supported"),
        ));
    }
    let t = Transition {
        action: "StopInstance",
        check: stop_check,
        during: None,
        target: InstanceState::StoppedNoCharge,
        duration: shared.timings().stop,
    };
    let task = shared
        .transition(&[&req.instance_id], &t, req.dry_run.unwrap_or(false))
        .await?;
    let mut resp = StopInstanceResponse::default();
    resp.task_id = Some(task);
    encode(&resp)
}

/// StartInstance: `STOPPED_NO_CHARGE` -> (operating for `Timings::start`) -> `RUNNING`.
pub(crate) async fn start_instance(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: StartInstanceRequest = decode(params)?;
    let t = Transition {
        action: "StartInstance",
        check: start_check,
        during: None,
        target: InstanceState::Running,
        duration: shared.timings().start,
    };
    let task = shared
        .transition(&[&req.instance_id], &t, req.dry_run.unwrap_or(false))
        .await?;
    let mut resp = StartInstanceResponse::default();
    resp.task_id = Some(task);
    encode(&resp)
}

fn terminate_check(i: &Instance) -> Result<(), ApiError> {
    match i.instance_state {
        InstanceState::Terminated => Err(InstanceState::Terminated.unsupported()),
        _ => Ok(()),
    }
}

/// TerminateInstances: any live state -> `TERMINATING` (for `Timings::terminate`) -> `TERMINATED`.
/// All ids are checked before any changes; prepaid and postpaid cannot be mixed.
pub(crate) async fn terminate_instances(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: TerminateInstancesRequest = decode(params)?;
    if req.instance_ids.is_empty() || req.instance_ids.len() > 100 {
        return Err(ApiError::invalid_value(
            "InstanceIds",
            &format!("give 1 to 100 IDs, got {}", req.instance_ids.len()),
        ));
    }
    let ids: Vec<&str> = req.instance_ids.iter().map(String::as_str).collect();
    {
        let mut store = shared.store();
        let now = std::time::Instant::now();
        let kinds: std::collections::HashSet<ChargeType> = ids
            .iter()
            .filter_map(|id| store.get(id, now))
            .map(|i| i.charge_type)
            .collect();
        if kinds.len() > 1 {
            return Err(ApiError::new(
                "UnsupportedOperation.NotSupportTerminatePrePaidAndPostPaid",
                "Prepaid and postpaid instances cannot be terminated in one request.",
            ));
        }
    }
    let t = Transition {
        action: "TerminateInstances",
        check: terminate_check,
        during: Some(InstanceState::Terminating),
        target: InstanceState::Terminated,
        duration: shared.timings().terminate,
    };
    shared
        .transition(&ids, &t, req.dry_run.unwrap_or(false))
        .await?;
    encode(&TerminateInstancesResponse::default())
}

/// The documented filter names of DescribeInstances.
const FILTERS: &[&str] = &[
    "instance-id",
    "instance-state",
    "charge-type",
    "public-ip-address",
];

fn matches(i: &Instance, f: &types::Filter) -> bool {
    let any = |v: &str| f.values.iter().any(|x| x == v);
    match f.name.as_str() {
        "instance-id" => any(&i.instance_id),
        // The documented filter value `STOPPED` also matches stopped instances.
        "instance-state" => {
            any(i.instance_state.as_str())
                || (i.instance_state == InstanceState::StoppedNoCharge && any("STOPPED"))
        }
        "charge-type" => any(i.charge_type.as_str()),
        "public-ip-address" => i.public_ip_addresses.iter().any(|ip| any(ip)),
        _ => false,
    }
}

/// The wire view of an emulated instance, as the SDK's generated `Instance`.
pub(crate) fn describe(i: &Instance) -> types::Instance {
    let mut disk = types::SystemDisk::default();
    disk.disk_type = Some("CLOUD_PREMIUM".to_owned());
    disk.disk_size = Some(i.system_disk_size);
    disk.disk_name = Some("vda2".to_owned());
    let mut jupyter = types::LoginService::default();
    jupyter.service_name = Some("JupyterLab".to_owned());
    let mut out = types::Instance::default();
    out.instance_id = Some(i.instance_id.clone());
    out.instance_name = Some(i.instance_name.clone());
    out.instance_state = Some(types::InstanceState::from_wire(i.instance_state.as_str()));
    out.application_name = Some(i.application_name.clone());
    out.bundle_name = Some(i.bundle_name.clone());
    out.gpu_count = Some(1);
    out.gpu_performance = Some("8+TFlops SP".to_owned());
    out.gpu_memory = Some("16GB+".to_owned());
    out.cpu = Some("8".to_owned());
    out.memory = Some("32GB".to_owned());
    out.system_disk = Some(disk);
    out.private_ip_addresses = Some(i.private_ip_addresses.clone());
    out.public_ip_addresses = Some(i.public_ip_addresses.clone());
    out.security_group_ids = Some(Vec::new());
    out.latest_operation = i.latest_operation.clone();
    out.latest_operation_state = i
        .latest_operation_state
        .as_deref()
        .map(types::LatestOperationState::from_wire);
    out.create_time = Some(i.create_time.clone());
    out.max_out_bandwidth = Some("10Mbps".to_owned());
    out.max_free_traffic = Some("500".to_owned());
    out.configuration_environment = Some("Ubuntu20.04".to_owned());
    out.login_services = Some(vec![jupyter]);
    out.os_type = Some("linux".to_owned());
    out
}

/// DescribeInstances: filters, `InstanceIds` (at most 100, not with `Filters`), paging.
pub(crate) fn describe_instances(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeInstancesRequest = decode(params)?;
    if req.instance_ids.is_some() && req.filters.is_some() {
        return Err(ApiError::new(
            "InvalidParameter.AtMostOne",
            "InstanceIds and Filters cannot be given together.",
        ));
    }
    if let Some(ids) = &req.instance_ids {
        check_id_list(
            "InstanceIds",
            ids,
            100,
            crate::state::is_well_formed_id,
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        )?;
    }
    for f in req.filters.iter().flatten() {
        if !FILTERS.contains(&f.name.as_str()) {
            return Err(ApiError::invalid_value(
                "Filters.Name",
                &format!("`{}` is not one of {}", f.name, FILTERS.join(", ")),
            ));
        }
    }
    let (offset, limit) = paging(req.offset, req.limit)?;
    let all = shared.store().all(std::time::Instant::now());
    let selected: Vec<&Instance> = all
        .iter()
        .filter(|i| {
            req.instance_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&i.instance_id))
        })
        .filter(|i| req.filters.iter().flatten().all(|f| matches(i, f)))
        .collect();
    let mut resp = DescribeInstancesResponse::default();
    resp.total_count = Some(i64::try_from(selected.len()).unwrap_or(i64::MAX));
    resp.instance_set = Some(
        selected
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(describe)
            .collect(),
    );
    encode(&resp)
}
