//! Musk prompt tasks: CreateMuskPrompt runs a prompt on a workflow; DescribeMuskPrompts
//! follows it. Status 0 (running) for `Timings::prompt`, then 1 (succeeded, with its outputs)
//! or 2 (failed, with an error message: a prompt without an output node has nothing to
//! produce).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use hai_sdk::create_musk_prompt::{CreateMuskPromptRequest, CreateMuskPromptResponse};
use hai_sdk::describe_musk_prompts::{DescribeMuskPromptsRequest, DescribeMuskPromptsResponse};
use hai_sdk::types;

use super::launch::format_time;
use super::store::{after, Inference, PromptRecord};
use super::{decode, encode};
use crate::error::ApiError;
use crate::service::Shared;

/// Largest `Limit` of DescribeMuskPrompts.
pub(crate) const MAX_PROMPT_LIMIT: u64 = 100;

/// The workflow, checked: unknown workgroup or workflow `FailedOperation`, a seeded
/// `FailWith` its code.
fn check_workflow(inf: &Inference, workgroup: &str, workflow: &str) -> Result<(), ApiError> {
    if !inf.workflows.iter().any(|w| w.workgroup_id == workgroup) {
        return Err(ApiError::new(
            "FailedOperation",
            format!("The workgroup `{workgroup}` does not exist."),
        ));
    }
    let w = inf
        .workflows
        .iter()
        .find(|w| w.workgroup_id == workgroup && w.workflow_id == workflow)
        .ok_or_else(|| {
            ApiError::new(
                "FailedOperation",
                format!("The workgroup `{workgroup}` has no workflow `{workflow}`."),
            )
        })?;
    if let Some(code) = &w.fail_with {
        return Err(ApiError::new(
            code.clone(),
            "An internal error occurred (injected through the seed's FailWith).",
        ));
    }
    Ok(())
}

/// The outputs a prompt produces: one per output node (a node whose `class_type` starts with
/// `Save`, or `PreviewImage`), or the error it fails with.
fn run(prompt_id: &str, nodes: &Map<String, Value>) -> Result<Vec<String>, String> {
    let mut outputs = Vec::new();
    for (key, node) in nodes {
        let class = node["class_type"].as_str().unwrap_or_default();
        if class.starts_with("Save") || class == "PreviewImage" {
            outputs.push(format!(
                "https://musk-output.hai-emulator.invalid/{prompt_id}/{key}-0.png"
            ));
        }
    }
    if outputs.is_empty() {
        return Err("Prompt has no outputs: add a SaveImage node.".to_owned());
    }
    Ok(outputs)
}

/// CreateMuskPrompt: `PromptParams` must be a JSON object of nodes, each an object with a
/// string `class_type` (`InvalidParameter` otherwise).
pub(crate) fn create_musk_prompt(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: CreateMuskPromptRequest = decode(params)?;
    let nodes = match serde_json::from_str::<Value>(&req.prompt_params) {
        Ok(Value::Object(m)) if !m.is_empty() => m,
        _ => {
            return Err(ApiError::new(
                "InvalidParameter",
                "PromptParams must be a JSON object of the workflow's nodes.",
            ))
        }
    };
    if let Some((key, _)) = nodes
        .iter()
        .find(|(_, n)| !n.is_object() || !n["class_type"].is_string())
    {
        return Err(ApiError::new(
            "InvalidParameter",
            format!("The node `{key}` of PromptParams has no string `class_type`."),
        ));
    }
    let now = Instant::now();
    let duration = shared.timings().prompt;
    let mut inf = shared.inference_at(now);
    check_workflow(&inf, &req.workgroup_id, &req.workflow_id)?;
    let prompt_id = uuid::Uuid::new_v4().to_string();
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let run_ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    inf.prompts.push(PromptRecord {
        workgroup_id: req.workgroup_id.clone(),
        workflow_id: req.workflow_id.clone(),
        prompt_id: prompt_id.clone(),
        create_time: format_time(unix),
        update_time: format_time(unix),
        status: 0,
        done_at: after(now, duration),
        run_ms,
        result: run(&prompt_id, &nodes),
        finished_time: format_time(unix.saturating_add(duration.as_secs())),
    });
    inf.settle(now);
    let mut resp = CreateMuskPromptResponse::default();
    resp.prompt_id = Some(prompt_id);
    encode(&resp)
}

fn info(p: &PromptRecord) -> types::MuskPromptInfo {
    let mut i = types::MuskPromptInfo::default();
    i.workflow_id = Some(p.workflow_id.clone());
    i.workgroup_id = Some(p.workgroup_id.clone());
    i.prompt_id = Some(p.prompt_id.clone());
    i.status = Some(p.status);
    i.create_time = Some(p.create_time.clone());
    i.update_time = Some(p.update_time.clone());
    match (&p.result, p.status) {
        (Ok(outputs), 1) => {
            i.output_resource = Some(outputs.clone());
            i.cost = Some(p.run_ms);
        }
        (Err(message), 2) => {
            i.output_resource = Some(Vec::new());
            i.cost = Some(p.run_ms);
            i.error_message = Some(message.clone());
        }
        _ => {
            i.output_resource = Some(Vec::new());
            i.cost = Some(0);
        }
    }
    i
}

/// DescribeMuskPrompts: the workflow's prompts in creation order, filtered by `PromptId` and
/// `Status` (`0`, `1`, `2`), paged by the required `Offset` and `Limit` (at most 100).
pub(crate) fn describe_musk_prompts(
    shared: &Shared,
    params: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let req: DescribeMuskPromptsRequest = decode(params)?;
    if req.limit > MAX_PROMPT_LIMIT {
        return Err(ApiError::new(
            "InvalidParameter",
            format!("Limit must be at most {MAX_PROMPT_LIMIT}."),
        ));
    }
    for f in req.filters.iter().flatten() {
        match f.name.as_str() {
            "PromptId" => {}
            "Status" => {
                if let Some(bad) = f
                    .values
                    .iter()
                    .find(|v| !["0", "1", "2"].contains(&v.as_str()))
                {
                    return Err(ApiError::new(
                        "InvalidParameter",
                        format!("The Status filter value `{bad}` is not 0, 1 or 2."),
                    ));
                }
            }
            other => {
                return Err(ApiError::new(
                    "InvalidParameter",
                    format!("The filter `{other}` is not PromptId or Status."),
                ))
            }
        }
    }
    let inf = shared.inference_at(Instant::now());
    check_workflow(&inf, &req.workgroup_id, &req.workflow_id)?;
    let selected: Vec<&PromptRecord> = inf
        .prompts
        .iter()
        .filter(|p| p.workgroup_id == req.workgroup_id && p.workflow_id == req.workflow_id)
        .filter(|p| {
            req.filters.iter().flatten().all(|f| match f.name.as_str() {
                "PromptId" => f.values.contains(&p.prompt_id),
                _ => f.values.contains(&p.status.to_string()),
            })
        })
        .collect();
    let offset = usize::try_from(req.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(req.limit).unwrap_or(0);
    let mut resp = DescribeMuskPromptsResponse::default();
    resp.total_count = Some(u64::try_from(selected.len()).unwrap_or(u64::MAX));
    resp.musk_prompt_infos = Some(
        selected
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(info)
            .collect(),
    );
    encode(&resp)
}
