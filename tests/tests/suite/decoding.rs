//! The lenient decoding rule through generated clients: Tencent's documented answers whose
//! members do not have their declared types decode, and each mismatch is reported with its
//! path; a strict client refuses them with a typed error.

use hai_runtime::decode::{self, MismatchOutcome};
use hai_sdk::describe_deploy_templates::DescribeDeployTemplatesRequest;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::mock::Mock;
use hai_sdk::{Client, Error};

/// HAI's documented `DescribeDeployTemplates` answer (tccli 3.1.189.1's examples.json): its
/// `GPUCount` is the integer `1`, where HAI's api.json declares a string.
const DEPLOY_TEMPLATES: &str = r#"{
    "Response": {
        "EngineTypes": ["Sglang"],
        "RequestId": "8835934f-5769-4df6-b1e4-0a36236d4968",
        "TemplateSet": [{
            "ComputeSet": [{
                "BundleType": "96G_A", "CPU": "16", "Count": 2, "GPUCount": 1,
                "GPUMemory": "96", "GPUPerformance": "88 tflops++", "Memory": "160"
            }],
            "DeployMode": "DISTRIBUTED", "EngineType": "Sglang", "TemplateId": "tpl-0j2qaa8t"
        }]
    }
}"#;

const GPU_COUNT: &str = "Response.TemplateSet[0].ComputeSet[0].GPUCount";

#[tokio::test]
async fn the_documented_deploy_templates_answer_decodes_and_reports_its_mismatch() {
    let mock = Mock::new();
    mock.on::<DescribeDeployTemplatesRequest>()
        .http(200, DEPLOY_TEMPLATES);
    let client: Client = mock.builder().build().unwrap();
    let out = client
        .describe_deploy_templates(DescribeDeployTemplatesRequest::new("mdl-nbb23f5v"))
        .await
        .expect("decodes under the lenient rule");

    let templates = out.template_set.as_deref().unwrap();
    let compute = &templates[0].compute_set.as_deref().unwrap()[0];
    assert_eq!(
        compute.gpu_count.as_deref(),
        Some("1"),
        "converted to its text"
    );
    assert_eq!(compute.cpu.as_deref(), Some("16"));
    assert_eq!(templates[0].template_id.as_deref(), Some("tpl-0j2qaa8t"));
    assert_eq!(out.request_id, "8835934f-5769-4df6-b1e4-0a36236d4968");

    let report = out.decode_report();
    assert_eq!(report.mismatches().len(), 1, "{:?}", report.mismatches());
    let m = &report.mismatches()[0];
    assert_eq!(m.path(), GPU_COUNT);
    assert_eq!(m.expected(), "a string");
    assert_eq!(m.found(), "1");
    assert_eq!(m.outcome(), &MismatchOutcome::Converted);
    assert_eq!(report.raw_json(), Some(DEPLOY_TEMPLATES.as_bytes()));
}

#[tokio::test]
async fn a_strict_client_refuses_the_same_answer_naming_the_path_and_keeping_the_body() {
    let mock = Mock::new();
    mock.on::<DescribeDeployTemplatesRequest>()
        .http(200, DEPLOY_TEMPLATES);
    let client: Client = mock.builder().strict_decoding(true).build().unwrap();
    let e = client
        .describe_deploy_templates(DescribeDeployTemplatesRequest::new("mdl-nbb23f5v"))
        .await
        .expect_err("strict decoding refuses the mismatch");
    let Error::Decode(d) = &e else {
        panic!("not a decode error: {e:?}")
    };
    assert_eq!(d.path(), Some(GPU_COUNT));
    assert_eq!(d.raw_body(), DEPLOY_TEMPLATES.as_bytes());
    assert_eq!(d.request_id(), Some("8835934f-5769-4df6-b1e4-0a36236d4968"));
    let text = e.to_string();
    assert!(text.contains(GPU_COUNT), "{text}");
    assert!(text.contains("expected a string"), "{text}");
}

#[tokio::test]
async fn a_member_that_cannot_convert_reads_as_absent_and_the_rest_decodes() {
    let mock = Mock::new();
    mock.on::<DescribeInstancesRequest>().http(
        200,
        r#"{"Response": {"TotalCount": "many", "InstanceSet": [
            {"InstanceId": "hai-aaaaaaaa", "CPU": "8"},
            {"InstanceId": "hai-bbbbbbbb", "GPUPerformance": {"x": 1}}
        ], "RequestId": "r-1"}}"#,
    );
    let client: Client = mock.builder().build().unwrap();
    let out = client
        .describe_instances(DescribeInstancesRequest::new())
        .await
        .expect("decodes under the lenient rule");
    assert_eq!(out.total_count, None);
    let set = out.instance_set.as_deref().unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set[1].instance_id.as_deref(), Some("hai-bbbbbbbb"));
    assert_eq!(set[1].gpu_performance, None);
    let report = out.decode_report();
    let absent: Vec<&str> = report
        .mismatches()
        .iter()
        .filter(|m| m.is_absent())
        .map(|m| m.path())
        .collect();
    assert_eq!(
        absent,
        [
            "Response.TotalCount",
            "Response.InstanceSet[1].GPUPerformance"
        ]
    );
    let raw = report.raw_value().unwrap();
    assert_eq!(
        raw["Response"]["TotalCount"], "many",
        "the raw answer keeps it"
    );
}

#[tokio::test]
async fn a_well_typed_answer_has_a_clean_report_and_keeps_no_copy() {
    let mock = Mock::new();
    mock.on::<DescribeInstancesRequest>().http(
        200,
        r#"{"Response": {"TotalCount": 0, "InstanceSet": [], "RequestId": "r-2"}}"#,
    );
    let client: Client = mock.builder().strict_decoding(true).build().unwrap();
    let out = client
        .describe_instances(DescribeInstancesRequest::new())
        .await
        .unwrap();
    assert!(out.decode_report().is_clean());
    assert_eq!(out.decode_report().raw_json(), None);
}

#[test]
fn a_withdrawn_member_is_generated_deprecated_and_decodes() {
    use hai_tests::widgets::list_gadgets::ListGadgetsResponse;
    let answer = serde_json::json!({
        "GadgetSet": [{"GadgetId": "g-1", "LegacyWeight": 3}],
        "RequestId": "r-3",
    });
    let (out, mismatches) = decode::from_value::<ListGadgetsResponse>(&answer, "Response").unwrap();
    assert!(mismatches.is_empty());
    #[allow(deprecated)]
    let legacy = out.gadget_set.as_deref().unwrap()[0].legacy_weight;
    assert_eq!(legacy, Some(3));
    let back = serde_json::to_value(&out).unwrap();
    assert_eq!(back["GadgetSet"][0]["LegacyWeight"], 3, "and is sent back");
}
