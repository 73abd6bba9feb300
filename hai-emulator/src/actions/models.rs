//! DescribeModels and DescribeDeployTemplates: the catalogue inference services deploy from.

use std::time::Instant;

use serde_json::{Map, Value};

use hai_sdk::describe_deploy_templates::{
    DescribeDeployTemplatesRequest, DescribeDeployTemplatesResponse,
};
use hai_sdk::describe_models::{DescribeModelsRequest, DescribeModelsResponse};
use hai_sdk::types;

use super::services::{compute_detail, find};
use super::{check_id_list, decode, encode, is_id, paging};
use crate::error::ApiError;
use crate::service::Shared;
use crate::state::Model;

fn is_model_id(s: &str) -> bool {
    is_id(s, "mdl")
}

fn model_detail(m: &Model) -> types::ModelDetail {
    let mut d = types::ModelDetail::default();
    d.model_id = Some(m.model_id.clone());
    d.model_name = Some(m.model_name.clone());
    d.description = Some(m.description.clone());
    d.model_state = Some(m.model_state.clone());
    d.tags = Some(m.tags.clone());
    d.config_environment = Some(m.config_environment.clone());
    d
}

/// The model `ServiceId` serves (the only one it can be redeployed with), checked as the
/// service actions check ids.
fn service_model(shared: &Shared, id: &str) -> Result<Option<String>, ApiError> {
    let mut inf = shared.inference_at(Instant::now());
    Ok(find(&mut inf, id)?.svc.model_id.clone())
}

/// DescribeModels: `ModelIds` or `Filters` (`scene-id`), optionally only the model a
/// `ServiceId` serves; catalogue order, paged by `Offset`/`Limit`.
pub(crate) fn describe_models(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeModelsRequest = decode(params)?;
    if req.model_ids.is_some() && req.filters.is_some() {
        return Err(ApiError::new(
            "InvalidParameter.AtMostOne",
            "ModelIds and Filters cannot be given together.",
        ));
    }
    if let Some(ids) = &req.model_ids {
        check_id_list(
            "ModelIds",
            ids,
            100,
            is_model_id,
            "InvalidParameterValue.InvalidModelIdMalformed",
        )?;
    }
    for f in req.filters.iter().flatten() {
        if f.name != "scene-id" {
            return Err(ApiError::invalid_value(
                "Filters.Name",
                &format!("`{}` is not scene-id", f.name),
            ));
        }
    }
    let (offset, limit) = paging(req.offset, req.limit)?;
    let only = match &req.service_id {
        Some(id) => Some(service_model(shared, id)?),
        None => None,
    };
    let inf = shared.inference_at(Instant::now());
    let selected: Vec<&Model> = inf
        .models
        .iter()
        .filter(|m| {
            req.model_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&m.model_id))
        })
        .filter(|m| {
            req.filters.iter().flatten().all(|f| {
                m.scene_id
                    .as_ref()
                    .is_some_and(|s| f.values.iter().any(|v| v == s))
            })
        })
        .filter(|m| {
            only.as_ref()
                .is_none_or(|o| o.as_deref() == Some(m.model_id.as_str()))
        })
        .collect();
    let mut resp = DescribeModelsResponse::default();
    resp.total_count = Some(i64::try_from(selected.len()).unwrap_or(i64::MAX));
    resp.model_set = Some(
        selected
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(model_detail)
            .collect(),
    );
    encode(&resp)
}

/// DescribeDeployTemplates: the templates of `ModelId` (none for an unknown model) and their
/// engines; with `ServiceId`, only the template that service was created from.
pub(crate) fn describe_deploy_templates(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeDeployTemplatesRequest = decode(params)?;
    if !is_model_id(&req.model_id) {
        return Err(ApiError::new(
            "InvalidParameterValue.InvalidModelIdMalformed",
            format!("The model ID `{}` is malformed.", req.model_id),
        ));
    }
    let only = match &req.service_id {
        Some(id) => {
            let mut inf = shared.inference_at(Instant::now());
            Some(find(&mut inf, id)?.svc.template_id.clone())
        }
        None => None,
    };
    let inf = shared.inference_at(Instant::now());
    let mut engines: Vec<String> = Vec::new();
    let mut set = Vec::new();
    for t in inf.templates.iter().filter(|t| t.model_id == req.model_id) {
        if !engines.contains(&t.engine_type) {
            engines.push(t.engine_type.clone());
        }
        if only
            .as_ref()
            .is_some_and(|o| o.as_deref() != Some(t.template_id.as_str()))
        {
            continue;
        }
        let mut d = types::TemplateDetail::default();
        d.template_id = Some(t.template_id.clone());
        d.deploy_mode = Some(t.deploy_mode.clone());
        d.engine_type = Some(t.engine_type.clone());
        d.compute_set = Some(
            t.compute
                .iter()
                .map(|c| compute_detail(&c.bundle_type, c.count))
                .collect(),
        );
        d.support_func = Some(t.support_func.clone());
        set.push(d);
    }
    let mut resp = DescribeDeployTemplatesResponse::default();
    resp.template_set = Some(set);
    resp.engine_types = Some(engines);
    encode(&resp)
}
