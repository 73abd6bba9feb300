//! Musk prompt tasks end to end through the generated client: create several, page through
//! DescribeMuskPrompts, wait until each has finished (status 1 with outputs, or 2 with an
//! error message), filter by id and status, and every documented error code of both actions.
//!
//! HAI has no action that changes or deletes a prompt task.

use std::time::{Duration, Instant};

use super::support::*;
use hai_sdk::create_musk_prompt::{CreateMuskPromptError, CreateMuskPromptRequest};
use hai_sdk::describe_musk_prompts::DescribeMuskPromptsRequest;
use hai_sdk::types::{Filter, MuskPromptInfo};
use hai_sdk::Client;
use serde_json::json;

const WORKGROUP: &str = "4a3f3be9-f35b-40bf-b6bb-2af812dd63cb";
const WORKFLOW: &str = "wf-b9dbb48a-f4cd-40f3-9a68-2af4c78d31a7";
const BROKEN_WORKFLOW: &str = "wf-0b5e6c1d-5d2a-4c55-9a3e-7a1f0e0b0e01";

fn text_to_image(text: &str) -> String {
    json!({
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": text}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "e2e", "images": ["8", 0]}},
    })
    .to_string()
}

async fn all_prompts(client: &Client, filters: Vec<Filter>, limit: u64) -> Vec<MuskPromptInfo> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let mut req = DescribeMuskPromptsRequest::new(WORKGROUP, WORKFLOW, offset, limit);
        if !filters.is_empty() {
            req = req.filters(filters.clone());
        }
        let page = client
            .describe_musk_prompts(req)
            .await
            .expect("DescribeMuskPrompts succeeds");
        let total = page.total_count.expect("a TotalCount");
        let items = page.musk_prompt_infos.unwrap_or_default();
        offset += u64::try_from(items.len()).unwrap();
        out.extend(items);
        if offset >= total {
            return out;
        }
    }
}

e2e_test! {
async fn prompts_create_page_and_wait_until_finished(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);
    let mut ids = Vec::new();
    for i in 0..4 {
        let out = client
            .create_musk_prompt(CreateMuskPromptRequest::new(
                WORKGROUP,
                WORKFLOW,
                text_to_image(&format!("a lighthouse, take {i}")),
            ))
            .await
            .expect("CreateMuskPrompt succeeds");
        ids.push(out.prompt_id.expect("a PromptId"));
    }
    // A prompt without an output node fails once it has run.
    let no_output = json!({"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "x"}}});
    let failing = client
        .create_musk_prompt(CreateMuskPromptRequest::new(
            WORKGROUP,
            WORKFLOW,
            no_output.to_string(),
        ))
        .await
        .unwrap()
        .prompt_id
        .unwrap();

    let listed = all_prompts(&client, Vec::new(), 2).await;
    assert_eq!(listed.len(), 5);
    let listed_ids: Vec<&str> = listed
        .iter()
        .filter_map(|p| p.prompt_id.as_deref())
        .collect();
    assert_eq!(
        &listed_ids[..4],
        ids.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        listed.iter().all(|p| matches!(p.status, Some(0..=2))),
        "{listed:?}"
    );

    // Wait until nothing runs any more.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let running = all_prompts(&client, vec![Filter::new("Status", ["0".to_owned()])], 10).await;
        if running.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still running: {running:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = all_prompts(&client, vec![Filter::new("Status", ["1".to_owned()])], 3).await;
    assert_eq!(done.len(), 4);
    for p in &done {
        let outputs = p.output_resource.clone().unwrap_or_default();
        assert_eq!(outputs.len(), 1, "{p:?}");
        assert!(p.cost.is_some_and(|c| c > 0), "{p:?}");
    }
    let failed = all_prompts(
        &client,
        vec![Filter::new("PromptId", [failing.clone()])],
        10,
    )
    .await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, Some(2));
    assert!(failed[0]
        .error_message
        .as_deref()
        .is_some_and(|m| m.contains("no outputs")));
}
}

e2e_test! {
async fn every_documented_prompt_error_code(scheme) {
    let emu = start(scheme.config().rate_limit(false)).await;
    let client = client(&emu);
    let create =
        |group: &str, flow: &str, params: String| CreateMuskPromptRequest::new(group, flow, params);
    for (req, want) in [
        (
            create(WORKGROUP, WORKFLOW, "not json".to_owned()),
            "InvalidParameter",
        ),
        (
            create(
                WORKGROUP,
                WORKFLOW,
                json!({"1": {"inputs": {}}}).to_string(),
            ),
            "InvalidParameter",
        ),
        (
            create("wg-missing", WORKFLOW, text_to_image("x")),
            "FailedOperation",
        ),
        (
            create(WORKGROUP, "wf-missing", text_to_image("x")),
            "FailedOperation",
        ),
        (
            create(WORKGROUP, BROKEN_WORKFLOW, text_to_image("x")),
            "InternalError",
        ),
    ] {
        let shown = format!("{req:?}");
        assert_eq!(code(client.create_musk_prompt(req).await), want, "{shown}");
    }
    let err = client
        .create_musk_prompt(create("wg-missing", WORKFLOW, text_to_image("x")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.service_error(),
            Some(CreateMuskPromptError::FailedOperation(_))
        ),
        "{err:?}"
    );

    let list = |group: &str, flow: &str, limit: u64| {
        DescribeMuskPromptsRequest::new(group, flow, 0, limit)
    };
    for (req, want) in [
        (list(WORKGROUP, WORKFLOW, 101), "InvalidParameter"),
        (
            list(WORKGROUP, WORKFLOW, 10).filters([Filter::new("Status", ["9".to_owned()])]),
            "InvalidParameter",
        ),
        (
            list(WORKGROUP, WORKFLOW, 10).filters([Filter::new("Owner", ["me".to_owned()])]),
            "InvalidParameter",
        ),
        (list(WORKGROUP, "wf-missing", 10), "FailedOperation"),
        (list(WORKGROUP, BROKEN_WORKFLOW, 10), "InternalError"),
    ] {
        let shown = format!("{req:?}");
        assert_eq!(
            code(client.describe_musk_prompts(req).await),
            want,
            "{shown}"
        );
    }
}
}
