//! Instance lifecycle actions.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::decode;
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::{ChargeType, Instance, InstanceState, Transition};

// Request types: the SDK's generated ones where they exist; local stand-ins for actions the
// spec does not carry yet (swap them for `hai_sdk::<action>::<Action>Request` when it does).

use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::StopMode;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartInstanceRequest {
    instance_id: String,
    #[serde(default)]
    dry_run: Option<bool>,
}

fn task_response(task_id: u64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("TaskId".to_owned(), Value::from(task_id));
    m
}

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
    Ok(task_response(task))
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
    Ok(task_response(task))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TerminateInstancesRequest {
    instance_ids: Vec<String>,
    #[serde(default)]
    dry_run: Option<bool>,
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
        return Err(ApiError::invalid_value("InstanceIds", "give 1 to 100 IDs"));
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
    Ok(Map::new())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Filter {
    name: String,
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeInstancesRequest {
    #[serde(default)]
    instance_ids: Option<Vec<String>>,
    #[serde(default)]
    filters: Option<Vec<Filter>>,
    #[serde(default)]
    offset: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

/// The documented filter names of DescribeInstances.
const FILTERS: &[&str] = &[
    "instance-id",
    "instance-state",
    "charge-type",
    "public-ip-address",
];

fn matches(i: &Instance, f: &Filter) -> bool {
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

fn describe(i: &Instance) -> Value {
    json!({
        "InstanceId": i.instance_id,
        "InstanceName": i.instance_name,
        "InstanceState": i.instance_state.as_str(),
        "ApplicationName": i.application_name,
        "BundleName": i.bundle_name,
        "GPUCount": 1,
        "GPUPerformance": "8+TFlops SP",
        "GPUMemory": "16GB+",
        "CPU": "8",
        "Memory": "32GB",
        "SystemDisk": { "DiskType": "CLOUD_PREMIUM", "DiskSize": 80, "DiskName": "vda2" },
        "PrivateIpAddresses": i.private_ip_addresses,
        "PublicIpAddresses": i.public_ip_addresses,
        "SecurityGroupIds": [],
        "LatestOperation": i.latest_operation,
        "LatestOperationState": i.latest_operation_state,
        "CreateTime": i.create_time,
        "MaxOutBandwidth": "10Mbps",
        "MaxFreeTraffic": "500",
        "ConfigurationEnvironment": "Ubuntu20.04",
        "LoginServices": [],
        "OSType": "linux",
    })
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
        if ids.len() > 100 {
            return Err(ApiError::invalid_value("InstanceIds", "at most 100 IDs"));
        }
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if !crate::state::is_well_formed_id(id) {
                return Err(ApiError::new(
                    "InvalidParameterValue.InvalidInstanceIdMalformed",
                    format!("The instance ID `{id}` is malformed."),
                ));
            }
            if !seen.insert(id) {
                return Err(ApiError::new(
                    "InvalidParameterValue.Duplicated",
                    format!("The instance ID `{id}` is given more than once."),
                ));
            }
        }
    }
    for f in req.filters.iter().flatten() {
        if !FILTERS.contains(&f.name.as_str()) {
            return Err(ApiError::invalid_value(
                "Filters.Name",
                &format!("`{}` is not one of {}", f.name, FILTERS.join(", ")),
            ));
        }
    }
    let offset = req.offset.unwrap_or(0);
    let limit = req.limit.unwrap_or(20);
    if offset < 0 {
        return Err(ApiError::invalid_value("Offset", "it must not be negative"));
    }
    if !(0..=100).contains(&limit) {
        return Err(ApiError::invalid_value(
            "Limit",
            "it must be between 0 and 100",
        ));
    }
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
    let total = selected.len();
    let page: Vec<Value> = selected
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(describe)
        .collect();
    let mut m = Map::new();
    m.insert("TotalCount".to_owned(), Value::from(total));
    m.insert("InstanceSet".to_owned(), Value::Array(page));
    Ok(m)
}
