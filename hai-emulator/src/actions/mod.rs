//! Action handlers. Parameters arrive already validated against the spec; each handler
//! decodes them into the SDK's generated request type, acts on the store and returns the
//! response fields (without `RequestId`), built from the generated response type.

mod applications;
mod catalog;
mod instances;
mod launch;
mod maintenance;
mod models;
mod prompts;
mod services;
pub(crate) mod store;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::service::Shared;

/// Action names the emulator implements: every action of the HAI spec.
pub const EMULATED_ACTIONS: &[&str] = &[
    "CreateApplication",
    "CreateInferServiceByTemplate",
    "CreateMuskPrompt",
    "DeleteService",
    "DeployInferService",
    "DescribeApplications",
    "DescribeDeployTemplates",
    "DescribeInstanceNetworkStatus",
    "DescribeInstances",
    "DescribeModels",
    "DescribeMuskPrompts",
    "DescribeRegions",
    "DescribeScenes",
    "DescribeServiceLoginSettings",
    "DescribeServices",
    "DescribeServicesCallInfo",
    "GetServicePodLogs",
    "InquirePriceRunInstances",
    "InquirePriceUpdateServiceConfigs",
    "ResetInstancesPassword",
    "ResizeInstanceDisk",
    "RunInstances",
    "StartInstance",
    "StopInstance",
    "TerminateInstances",
    "UpdateServiceConfigs",
];

/// What a handler may need to know about the request beyond its parameters.
pub(crate) struct Ctx<'a> {
    /// `X-TC-Region`, already checked to be served.
    pub region: &'a str,
}

pub(crate) async fn dispatch(
    shared: &Shared,
    ctx: &Ctx<'_>,
    action: &str,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    match action {
        "StopInstance" => instances::stop_instance(shared, params).await,
        "StartInstance" => instances::start_instance(shared, params).await,
        "DescribeInstances" => instances::describe_instances(shared, params),
        "TerminateInstances" => instances::terminate_instances(shared, params).await,
        "RunInstances" => launch::run_instances(shared, params),
        "InquirePriceRunInstances" => launch::inquire_price_run_instances(shared, params),
        "ResetInstancesPassword" => maintenance::reset_instances_password(shared, params),
        "ResizeInstanceDisk" => maintenance::resize_instance_disk(shared, params),
        "DescribeInstanceNetworkStatus" => {
            maintenance::describe_instance_network_status(shared, params)
        }
        "DescribeServiceLoginSettings" => {
            maintenance::describe_service_login_settings(shared, params)
        }
        "DescribeRegions" => catalog::describe_regions(shared, params),
        "DescribeScenes" => catalog::describe_scenes(params),
        "DescribeApplications" => applications::describe_applications(shared, params),
        "CreateApplication" => applications::create_application(shared, params),
        "DescribeModels" => models::describe_models(shared, params),
        "DescribeDeployTemplates" => models::describe_deploy_templates(shared, params),
        "CreateInferServiceByTemplate" => {
            services::create_infer_service_by_template(shared, ctx, params)
        }
        "DeployInferService" => services::deploy_infer_service(shared, ctx, params),
        "DescribeServices" => services::describe_services(shared, params),
        "DescribeServicesCallInfo" => services::describe_services_call_info(shared, ctx, params),
        "UpdateServiceConfigs" => services::update_service_configs(shared, params),
        "InquirePriceUpdateServiceConfigs" => {
            services::inquire_price_update_service_configs(shared, params)
        }
        "DeleteService" => services::delete_service(shared, params),
        "GetServicePodLogs" => services::get_service_pod_logs(shared, params),
        "CreateMuskPrompt" => prompts::create_musk_prompt(shared, params),
        "DescribeMuskPrompts" => prompts::describe_musk_prompts(shared, params),
        other => Err(ApiError::new(
            "UnsupportedOperation",
            format!("hai-emulator does not emulate `{other}`."),
        )),
    }
}

/// Decodes validated parameters into a request type.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    params: Map<String, Value>,
) -> Result<T, ApiError> {
    serde_json::from_value(Value::Object(params))
        .map_err(|e| ApiError::new("InvalidParameter", format!("Invalid parameters: {e}.")))
}

/// Serialises a generated response type into the envelope's fields (its `RequestId` is
/// dropped: the envelope sets the request's own).
pub(crate) fn encode<T: serde::Serialize>(response: &T) -> Result<Map<String, Value>, ApiError> {
    match serde_json::to_value(response) {
        Ok(Value::Object(mut m)) => {
            m.remove("RequestId");
            Ok(m)
        }
        Ok(_) | Err(_) => Err(ApiError::new(
            "InternalError",
            "hai-emulator could not encode its response.",
        )),
    }
}

/// Checks a list of ids: at most `max`, each well formed (`malformed` code), no duplicates.
pub(crate) fn check_id_list(
    name: &str,
    ids: &[String],
    max: usize,
    well_formed: fn(&str) -> bool,
    malformed: &str,
) -> Result<(), ApiError> {
    if ids.len() > max {
        return Err(ApiError::invalid_value(
            name,
            &format!("at most {max} values may be given, got {}", ids.len()),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !well_formed(id) {
            return Err(ApiError::new(
                malformed,
                format!("The value `{id}` of `{name}` is malformed."),
            ));
        }
        if !seen.insert(id.as_str()) {
            return Err(ApiError::new(
                "InvalidParameterValue.Duplicated",
                format!("The value `{id}` of `{name}` is given more than once."),
            ));
        }
    }
    Ok(())
}

/// Checks `Offset` (default 0, not negative) and `Limit` (default 20, 0 to 100).
pub(crate) fn paging(offset: Option<i64>, limit: Option<i64>) -> Result<(usize, usize), ApiError> {
    let offset = offset.unwrap_or(0);
    let limit = limit.unwrap_or(20);
    if offset < 0 {
        return Err(ApiError::invalid_value("Offset", "it must not be negative"));
    }
    if !(0..=100).contains(&limit) {
        return Err(ApiError::invalid_value(
            "Limit",
            "it must be between 0 and 100",
        ));
    }
    Ok((
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(0),
    ))
}

/// Whether `s` is `prefix-` followed by 8 lowercase letters or digits (HAI's id format).
pub(crate) fn is_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|rest| {
            rest.len() == 8
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A fresh id `prefix-` + 8 lowercase letters or digits that `taken` does not know.
pub(crate) fn new_id(prefix: &str, taken: impl Fn(&str) -> bool) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let bytes = uuid::Uuid::new_v4();
        let rest: String = bytes.as_bytes()[..8]
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        let id = format!("{prefix}-{rest}");
        if !taken(&id) {
            return id;
        }
    }
}
