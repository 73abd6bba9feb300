//! The inference actions over real loopback HTTP: services, models and templates, custom
//! applications, prompt tasks, login settings, and that every action of the spec is served.

use std::time::Duration;

use super::common::{send, Call};
use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, InstanceState, Seed, Timings};
use serde_json::{json, Value};

const SPEC: &str = include_str!("../../../hai-spec/spec/hai-2023-08-12.json");
const WORKGROUP: &str = "4a3f3be9-f35b-40bf-b6bb-2af812dd63cb";
const WORKFLOW: &str = "wf-b9dbb48a-f4cd-40f3-9a68-2af4c78d31a7";

fn timings(d: Duration) -> Timings {
    Timings {
        service_create: d,
        service_update: d,
        service_delete: d,
        application_create: d,
        prompt: d,
        ..Timings::default()
    }
}

async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config.rate_limit(false))
        .await
        .expect("emulator starts")
}

async fn start() -> EmulatorHandle {
    start_with(EmulatorConfig::default().timings(timings(Duration::from_millis(300)))).await
}

async fn ok(emu: &EmulatorHandle, action: &str, body: Value) -> Value {
    let v = send(emu.addr(), &Call::new(action, body.clone()))
        .await
        .json();
    assert!(
        v["Response"]["Error"].is_null(),
        "{action} {body} failed: {v}"
    );
    v["Response"].clone()
}

async fn code(emu: &EmulatorHandle, action: &str, body: Value) -> String {
    send(emu.addr(), &Call::new(action, body))
        .await
        .code()
        .unwrap_or_else(|| "<success>".to_owned())
}

async fn service_state(emu: &EmulatorHandle, id: &str) -> Value {
    let r = ok(emu, "DescribeServices", json!({"ServiceIds": [id]})).await;
    r["ServiceInfoSet"][0].clone()
}

/// Polls until `id` is in `state` (the emulator settles lazily, so each read may move it).
async fn wait_service(emu: &EmulatorHandle, id: &str, state: &str) -> Value {
    for _ in 0..200 {
        let s = service_state(emu, id).await;
        if s["ServiceState"] == state {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{id} never became {state}");
}

/// A valid request for every action of the spec; each must succeed (the one action whose
/// published request cannot name a service answers the dedicated code).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_spec_action_is_dispatched() {
    let emu = start().await;
    let spec = hai_spec::parse(SPEC).unwrap();
    let mut emulated: Vec<&str> = hai_emulator::EMULATED_ACTIONS.to_vec();
    emulated.sort_unstable();
    let mut in_spec: Vec<&str> = spec.actions.keys().map(String::as_str).collect();
    in_spec.sort_unstable();
    assert_eq!(emulated, in_spec);
    let prompt = json!({"9": {"class_type": "SaveImage", "inputs": {}}}).to_string();
    let bodies: Vec<(&str, Value)> = vec![
        (
            "CreateApplication",
            json!({"InstanceId": "hai-running2", "ApplicationName": "from-spare"}),
        ),
        (
            "CreateInferServiceByTemplate",
            json!({"TemplateId": "tpl-2czq2lnm"}),
        ),
        (
            "CreateMuskPrompt",
            json!({"WorkgroupId": WORKGROUP, "WorkflowId": WORKFLOW, "PromptParams": prompt}),
        ),
        ("DeleteService", json!({"ServiceId": "svc-6cidi7xs"})),
        (
            "DeployInferService",
            json!({
                "ComputeInfo": {"ComputeResources": [{"BundleType": "24G_A10*1", "Count": 1}]},
                "DeploymentConfigs": [{"Container": {"Image": {"ImageRegistryUrl": "registry.example/ai/vllm:v1"}}}],
            }),
        ),
        ("DescribeApplications", json!({})),
        (
            "DescribeDeployTemplates",
            json!({"ModelId": "mdl-s1cop2oq"}),
        ),
        (
            "DescribeInstanceNetworkStatus",
            json!({"InstanceIds": ["hai-dunyfddn"]}),
        ),
        ("DescribeInstances", json!({})),
        ("DescribeModels", json!({})),
        (
            "DescribeMuskPrompts",
            json!({"WorkgroupId": WORKGROUP, "WorkflowId": WORKFLOW, "Offset": 0, "Limit": 20}),
        ),
        ("DescribeRegions", json!({})),
        ("DescribeScenes", json!({})),
        (
            "DescribeServiceLoginSettings",
            json!({"InstanceId": "hai-dunyfddn"}),
        ),
        ("DescribeServices", json!({})),
        ("DescribeServicesCallInfo", json!({})),
        (
            "GetServicePodLogs",
            json!({"ServiceId": "svc-fnay2k0u", "PodName": "svc-fnay2k0u-worker-1"}),
        ),
        (
            "InquirePriceRunInstances",
            json!({"ApplicationId": "app-pytorch2", "BundleType": "XL"}),
        ),
        ("InquirePriceUpdateServiceConfigs", json!({})),
        (
            "ResetInstancesPassword",
            json!({"InstanceIds": ["hai-dunyfddn"], "Password": "Passw0rd!x"}),
        ),
        (
            "ResizeInstanceDisk",
            json!({"InstanceId": "hai-stopped1", "DiskSize": 200}),
        ),
        (
            "RunInstances",
            json!({"ApplicationId": "app-pytorch2", "BundleType": "XL"}),
        ),
        ("StartInstance", json!({"InstanceId": "hai-stopped1"})),
        ("StopInstance", json!({"InstanceId": "hai-dunyfddn"})),
        (
            "TerminateInstances",
            json!({"InstanceIds": ["hai-pending1"]}),
        ),
        (
            "UpdateServiceConfigs",
            json!({"ServiceId": "svc-fnay2k0u", "TargetReplicas": 3}),
        ),
    ];
    assert_eq!(bodies.len(), in_spec.len());
    for (action, body) in bodies {
        assert!(in_spec.contains(&action), "{action}");
        let v = send(emu.addr(), &Call::new(action, body)).await.json();
        let error = &v["Response"]["Error"];
        if action == "InquirePriceUpdateServiceConfigs" {
            assert_eq!(
                error["Code"], "UnsupportedOperation.NotSupportToInquiryPrice",
                "{v}"
            );
        } else {
            assert!(error.is_null(), "{action}: {v}");
        }
        assert!(!v.to_string().contains("does not emulate"), "{action}: {v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_lifecycle_by_template() {
    let emu = start().await;
    let r = ok(
        &emu,
        "CreateInferServiceByTemplate",
        json!({"TemplateId": "tpl-gxbn79mi", "ServiceName": "deepseek", "Replicas": 2,
               "NetworkSetting": {"PublicEndpointEnable": true, "VpcEndpointEnable": true,
                                   "VpcId": "vpc-12345678", "SubnetId": "subnet-12345678"}}),
    )
    .await;
    let id = r["ServiceId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("svc-") && id.len() == 12, "{id}");
    let s = service_state(&emu, &id).await;
    assert_eq!(s["ServiceState"], "CREATING");
    assert_eq!(s["RunningReplicas"], 0);
    assert_eq!(s["TotalReplicas"], 2);
    assert_eq!(s["ModelName"], "DeepSeek-V3.2-Channel-INT8");
    assert_eq!(s["ComputeSet"][0]["BundleType"], "96G_A*8");
    assert_eq!(s["ComputeSet"][0]["Count"], 2);
    assert_eq!(s["IsCustomDeploy"], 0);
    // Two replicas of two nodes took 4 of the 6 free 96G_A*8 nodes: a third replica of two
    // nodes is not available.
    assert_eq!(
        code(
            &emu,
            "CreateInferServiceByTemplate",
            json!({"TemplateId": "tpl-gxbn79mi", "Replicas": 2})
        )
        .await,
        "ResourceInsufficient.BundleInventoryShortage"
    );
    assert_eq!(
        code(
            &emu,
            "UpdateServiceConfigs",
            json!({"ServiceId": id, "TargetReplicas": 1})
        )
        .await,
        "OperationDenied.ServiceOperationInProgress"
    );
    let s = wait_service(&emu, &id, "RUNNING").await;
    assert_eq!(s["RunningReplicas"], 2);

    let info = ok(
        &emu,
        "DescribeServicesCallInfo",
        json!({"ServiceIds": [id]}),
    )
    .await;
    let call = &info["CallInfoSet"][0];
    assert_eq!(call["ServiceId"], id.as_str());
    assert_eq!(call["ApiKey"].as_str().unwrap().len(), 64);
    assert!(call["PublicEndpoint"].as_str().unwrap().contains(&id));
    assert!(call["VpcEndpoint"]
        .as_str()
        .unwrap()
        .starts_with("http://10."));

    let logs = ok(
        &emu,
        "GetServicePodLogs",
        json!({"ServiceId": id, "PodName": format!("{id}-worker-1"), "TailLines": "2"}),
    )
    .await;
    let lines = logs["LogLines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[1]
            .as_str()
            .unwrap()
            .ends_with("2 of 2 replicas running"),
        "{lines:?}"
    );
    assert_eq!(
        code(
            &emu,
            "GetServicePodLogs",
            json!({"ServiceId": id, "PodName": format!("{id}-worker-2")})
        )
        .await,
        "ResourceNotFound"
    );
    assert_eq!(
        code(
            &emu,
            "GetServicePodLogs",
            json!({"ServiceId": id, "PodName": "x", "TailLines": "ten"})
        )
        .await,
        "InvalidParameterValue"
    );

    // Scale down: UPDATING with the target shown, then RUNNING with one replica; the freed
    // nodes make room again.
    ok(
        &emu,
        "UpdateServiceConfigs",
        json!({"ServiceId": id, "TargetReplicas": 1}),
    )
    .await;
    let s = service_state(&emu, &id).await;
    assert_eq!(s["ServiceState"], "UPDATING");
    assert_eq!(s["TargetReplicas"], 1);
    let s = wait_service(&emu, &id, "RUNNING").await;
    assert_eq!(s["RunningReplicas"], 1);
    assert_eq!(
        code(
            &emu,
            "UpdateServiceConfigs",
            json!({"ServiceId": id, "TargetReplicas": 1})
        )
        .await,
        "InvalidParameterValue.TargetReplicasMustDifferFromRunningReplicas"
    );

    ok(&emu, "DeleteService", json!({"ServiceId": id})).await;
    assert_eq!(service_state(&emu, &id).await["ServiceState"], "DELETING");
    assert_eq!(
        code(&emu, "DeleteService", json!({"ServiceId": id})).await,
        "UnsupportedOperation"
    );
    let mut gone = false;
    for _ in 0..200 {
        if code(&emu, "DescribeServices", json!({"ServiceIds": [id]})).await
            == "InvalidParameterValue.ServiceIdNotFound"
        {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "{id} was never deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_deployment_whose_probe_misses_the_port_fails() {
    let emu = start().await;
    let body = |probe_port: i64| {
        json!({
            "ServiceMetaData": {"ServiceName": "custom-vllm"},
            "ComputeInfo": {"ComputeResources": [{"BundleType": "24G_A10*1", "Count": 1}], "Replicas": 1},
            "DeploymentConfigs": [{"Container": {
                "Image": {"ImageRegistryUrl": "registry.example/ai/vllm:v1", "ImageRegistryPassword": "secret-pw"},
                "Port": "8000",
                "Probe": {"ReadinessProbe": {"HttpGet": {"Path": "/health", "Port": probe_port}}},
            }}],
        })
    };
    let good = ok(&emu, "DeployInferService", body(8000)).await["ServiceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let bad = ok(&emu, "DeployInferService", body(9000)).await["ServiceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = wait_service(&emu, &good, "RUNNING").await;
    assert_eq!(s["IsCustomDeploy"], 1);
    // The registry password is never shown.
    assert!(!s.to_string().contains("secret-pw"), "{s}");
    let s = wait_service(&emu, &bad, "CREATE_FAILED").await;
    assert_eq!(s["RunningReplicas"], 0);
    let logs = ok(
        &emu,
        "GetServicePodLogs",
        json!({"ServiceId": bad, "PodName": format!("{bad}-worker-0")}),
    )
    .await;
    assert!(
        logs["LogLines"]
            .to_string()
            .contains("readiness probe failed"),
        "{logs}"
    );
    let failed = ok(
        &emu,
        "DescribeServices",
        json!({"States": ["CREATE_FAILED"]}),
    )
    .await;
    let ids: Vec<&str> = failed["ServiceInfoSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ServiceId"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&bad.as_str()) && ids.contains(&"svc-crfail01"),
        "{ids:?}"
    );
    assert_eq!(
        code(
            &emu,
            "UpdateServiceConfigs",
            json!({"ServiceId": bad, "TargetReplicas": 2})
        )
        .await,
        "UnsupportedOperation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_services_pages_and_checks() {
    let emu = start().await;
    let all = ok(&emu, "DescribeServices", json!({})).await;
    let total = all["TotalCount"].as_u64().unwrap();
    assert_eq!(total, 9);
    let mut seen = Vec::new();
    let mut offset = 0;
    while offset < total {
        let page = ok(
            &emu,
            "DescribeServices",
            json!({"Offset": offset, "Limit": 4}),
        )
        .await;
        assert_eq!(page["TotalCount"], total);
        for s in page["ServiceInfoSet"].as_array().unwrap() {
            seen.push(s["ServiceId"].as_str().unwrap().to_owned());
        }
        offset += 4;
    }
    assert_eq!(seen.len(), 9);
    assert_eq!(seen[0], "svc-6cidi7xs");
    for (body, want) in [
        (json!({"Limit": 101}), "InvalidParameterValue"),
        (json!({"States": ["STOPPED"]}), "InvalidParameterValue"),
        (
            json!({"ServiceIds": ["svc-1"]}),
            "InvalidParameterValue.InvalidServiceIdMalformed",
        ),
        (
            json!({"ServiceIds": ["svc-zzzzzzzz"]}),
            "InvalidParameterValue.ServiceIdNotFound",
        ),
    ] {
        assert_eq!(
            code(&emu, "DescribeServices", body.clone()).await,
            want,
            "{body}"
        );
    }
    let arrears = ok(&emu, "DescribeServices", json!({"States": ["ARREARS"]})).await;
    assert_eq!(arrears["ServiceInfoSet"][0]["RestrictState"], "ISOLATED");
    // The GET form nests and types the same parameters.
    let get = send(
        emu.addr(),
        &Call::get(
            "DescribeServices",
            "States.0=ARREARS&States.1=CREATING&Limit=1",
        ),
    )
    .await
    .json();
    assert_eq!(get["Response"]["TotalCount"], 2, "{get}");
    assert_eq!(
        get["Response"]["ServiceInfoSet"].as_array().unwrap().len(),
        1
    );
    // The embodied-intelligence service is left out of a listing and refused by name.
    let calls = ok(&emu, "DescribeServicesCallInfo", json!({"Limit": 100})).await;
    assert!(!calls.to_string().contains("svc-robotvla"));
    assert_eq!(
        code(
            &emu,
            "DescribeServicesCallInfo",
            json!({"ServiceIds": ["svc-robotvla"]})
        )
        .await,
        "UnauthorizedOperation.UserNotBoundEmbodiedIntelligenceAccount"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_and_templates() {
    let emu = start().await;
    let r = ok(&emu, "DescribeModels", json!({"Limit": 2, "Offset": 1})).await;
    assert_eq!(r["TotalCount"], 5);
    assert_eq!(r["ModelSet"][0]["ModelId"], "mdl-k8vm3q7f");
    assert_eq!(r["ModelSet"].as_array().unwrap().len(), 2);
    let r = ok(
        &emu,
        "DescribeModels",
        json!({"Filters": [{"Name": "scene-id", "Values": ["scene-aipaint1"]}]}),
    )
    .await;
    assert_eq!(r["TotalCount"], 1);
    assert_eq!(r["ModelSet"][0]["ModelName"], "FLUX.1-dev");
    let r = ok(&emu, "DescribeModels", json!({"ServiceId": "svc-fnay2k0u"})).await;
    assert_eq!(r["ModelSet"][0]["ModelId"], "mdl-qwen3emb");
    for (body, want) in [
        (
            json!({"ModelIds": ["mdl-1"]}),
            "InvalidParameterValue.InvalidModelIdMalformed",
        ),
        (
            json!({"ModelIds": ["mdl-s1cop2oq", "mdl-s1cop2oq"]}),
            "InvalidParameterValue.Duplicated",
        ),
        (
            json!({"ModelIds": [], "Filters": []}),
            "InvalidParameter.AtMostOne",
        ),
    ] {
        assert_eq!(
            code(&emu, "DescribeModels", body.clone()).await,
            want,
            "{body}"
        );
    }
    let t = ok(
        &emu,
        "DescribeDeployTemplates",
        json!({"ModelId": "mdl-k8vm3q7f"}),
    )
    .await;
    assert_eq!(t["EngineTypes"], json!(["vLLM", "Sglang"]));
    assert_eq!(t["TemplateSet"].as_array().unwrap().len(), 2);
    let t = ok(
        &emu,
        "DescribeDeployTemplates",
        json!({"ModelId": "mdl-s1cop2oq", "ServiceId": "svc-6cidi7xs"}),
    )
    .await;
    assert_eq!(t["TemplateSet"][0]["TemplateId"], "tpl-2czq2lnm");
    assert_eq!(t["TemplateSet"].as_array().unwrap().len(), 1);
    assert_eq!(
        code(&emu, "DescribeDeployTemplates", json!({"ModelId": "model"})).await,
        "InvalidParameterValue.InvalidModelIdMalformed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_application_from_an_instance() {
    let emu = start().await;
    let r = ok(
        &emu,
        "CreateApplication",
        json!({"InstanceId": "hai-stopped1", "ApplicationName": "snapshot", "ApplicationDescription": "mine"}),
    )
    .await;
    let app = r["ApplicationId"].as_str().unwrap().to_owned();
    let describe = json!({"ApplicationIds": [app]});
    let r = ok(&emu, "DescribeApplications", describe.clone()).await;
    assert_eq!(r["ApplicationSet"][0]["ApplicationState"], "CREATING");
    assert_eq!(
        r["ApplicationSet"][0]["ApplicationType"],
        "PRIVATE_APPLICATION"
    );
    // The instance is busy meanwhile.
    assert_eq!(
        code(&emu, "StartInstance", json!({"InstanceId": "hai-stopped1"})).await,
        "OperationDenied.InstanceOperationInProgress"
    );
    assert_eq!(
        emu.instance("hai-stopped1")
            .unwrap()
            .latest_operation
            .as_deref(),
        Some("CreateApplication")
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = ok(&emu, "DescribeApplications", describe).await;
    assert_eq!(r["ApplicationSet"][0]["ApplicationState"], "ONLINE");
    assert_eq!(
        emu.instance_state("hai-stopped1"),
        Some(InstanceState::StoppedNoCharge)
    );
    let mine = ok(
        &emu,
        "DescribeApplications",
        json!({"Filters": [{"Name": "application-type", "Values": ["PRIVATE_APPLICATION"]},
                           {"Name": "application-name", "Values": ["SNAP"]}]}),
    )
    .await;
    assert_eq!(mine["TotalCount"], 1);
    // Instances launch from it once it is online.
    ok(
        &emu,
        "RunInstances",
        json!({"ApplicationId": app, "BundleType": "XL"}),
    )
    .await;
    for (body, want) in [
        (
            json!({"InstanceId": "hai-1", "ApplicationName": "a"}),
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            json!({"InstanceId": "hai-zzzzzzzz", "ApplicationName": "a"}),
            "InvalidParameterValue.InstanceIdNotFound",
        ),
        (
            json!({"InstanceId": "hai-dunyfddn", "ApplicationName": "snapshot"}),
            "InvalidParameterValue.InvalidApplicationNameDuplicate",
        ),
        (
            json!({"InstanceId": "hai-pending1", "ApplicationName": "a"}),
            "OperationDenied.InstanceOperationInProgress",
        ),
        (
            json!({"InstanceId": "hai-termning", "ApplicationName": "a"}),
            "OperationDenied.InstanceOperationInProgress",
        ),
        (
            json!({"InstanceId": "hai-arrears1", "ApplicationName": "a"}),
            "UnsupportedOperation.InstanceCreateApplicationNotSupport",
        ),
        (
            json!({"InstanceId": "hai-broken01", "ApplicationName": "a"}),
            "InternalError",
        ),
    ] {
        assert_eq!(
            code(&emu, "CreateApplication", body.clone()).await,
            want,
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompt_tasks_run_then_succeed_or_fail() {
    let emu = start().await;
    let create = |params: Value| json!({"WorkgroupId": WORKGROUP, "WorkflowId": WORKFLOW, "PromptParams": params.to_string()});
    let good = ok(
        &emu,
        "CreateMuskPrompt",
        create(json!({"6": {"class_type": "CLIPTextEncode"}, "9": {"class_type": "SaveImage"}})),
    )
    .await["PromptId"]
        .as_str()
        .unwrap()
        .to_owned();
    let bad = ok(
        &emu,
        "CreateMuskPrompt",
        create(json!({"6": {"class_type": "CLIPTextEncode"}})),
    )
    .await["PromptId"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = json!({"WorkgroupId": WORKGROUP, "WorkflowId": WORKFLOW, "Offset": 0, "Limit": 10});
    let r = ok(&emu, "DescribeMuskPrompts", list.clone()).await;
    assert_eq!(r["TotalCount"], 2);
    assert_eq!(r["MuskPromptInfos"][0]["Status"], 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = ok(&emu, "DescribeMuskPrompts", list.clone()).await;
    let infos = r["MuskPromptInfos"].as_array().unwrap();
    assert_eq!(infos[0]["PromptId"], good.as_str());
    assert_eq!(infos[0]["Status"], 1);
    assert!(infos[0]["OutputResource"][0]
        .as_str()
        .unwrap()
        .contains(&good));
    assert_eq!(infos[1]["PromptId"], bad.as_str());
    assert_eq!(infos[1]["Status"], 2);
    assert!(infos[1]["ErrorMessage"]
        .as_str()
        .unwrap()
        .contains("no outputs"));
    let mut filtered = list.clone();
    filtered["Filters"] = json!([{"Name": "Status", "Values": ["2"]}]);
    let r = ok(&emu, "DescribeMuskPrompts", filtered).await;
    assert_eq!(r["TotalCount"], 1);
    let mut paged = list.clone();
    paged["Offset"] = json!(1);
    paged["Limit"] = json!(1);
    let r = ok(&emu, "DescribeMuskPrompts", paged).await;
    assert_eq!(r["TotalCount"], 2);
    assert_eq!(r["MuskPromptInfos"][0]["PromptId"], bad.as_str());
    for (action, body, want) in [
        (
            "CreateMuskPrompt",
            json!({"WorkgroupId": WORKGROUP, "WorkflowId": WORKFLOW, "PromptParams": "[1]"}),
            "InvalidParameter",
        ),
        (
            "CreateMuskPrompt",
            json!({"WorkgroupId": "wg-none", "WorkflowId": WORKFLOW, "PromptParams": "{}"}),
            "InvalidParameter",
        ),
        (
            "CreateMuskPrompt",
            json!({"WorkgroupId": WORKGROUP, "WorkflowId": "wf-none", "PromptParams": json!({"1": {"class_type": "SaveImage"}}).to_string()}),
            "FailedOperation",
        ),
        (
            "CreateMuskPrompt",
            json!({"WorkgroupId": WORKGROUP, "WorkflowId": "wf-0b5e6c1d-5d2a-4c55-9a3e-7a1f0e0b0e01", "PromptParams": json!({"1": {"class_type": "SaveImage"}}).to_string()}),
            "InternalError",
        ),
        (
            "DescribeMuskPrompts",
            json!({"WorkgroupId": WORKGROUP, "WorkflowId": WORKFLOW, "Offset": 0, "Limit": 101}),
            "InvalidParameter",
        ),
        (
            "DescribeMuskPrompts",
            json!({"WorkgroupId": "wg-none", "WorkflowId": WORKFLOW, "Offset": 0, "Limit": 1}),
            "FailedOperation",
        ),
    ] {
        assert_eq!(
            code(&emu, action, body.clone()).await,
            want,
            "{action} {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_settings_of_running_instances() {
    let emu = start().await;
    let r = ok(
        &emu,
        "DescribeServiceLoginSettings",
        json!({"InstanceId": "hai-dunyfddn"}),
    )
    .await;
    let s = &r["LoginSettings"][0];
    assert_eq!(s["ServiceName"], "jupyter");
    assert!(s["Url"]
        .as_str()
        .unwrap()
        .starts_with("http://43.134.1.10:8888/lab?token="));
    let r = ok(
        &emu,
        "DescribeServiceLoginSettings",
        json!({"InstanceId": "hai-stopped1"}),
    )
    .await;
    assert_eq!(r["LoginSettings"], json!([]));
    for (body, want) in [
        (
            json!({"InstanceId": "hai-1"}),
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (json!({"InstanceId": "hai-broken01"}), "InternalError"),
        (
            json!({"InstanceId": "hai-dunyfddn", "ServiceName": "ssh"}),
            "InvalidParameterValue",
        ),
    ] {
        assert_eq!(
            code(&emu, "DescribeServiceLoginSettings", body.clone()).await,
            want,
            "{body}"
        );
    }
}

/// With a spec that documents the parameters the published request lacks, the price inquiry
/// quotes the updated configuration after UpdateServiceConfigs' checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn price_inquiry_with_a_grown_spec() {
    let mut spec: Value = serde_json::from_str(SPEC).unwrap();
    let members = &mut spec["shapes"]["InquirePriceUpdateServiceConfigsRequest"]["members"];
    *members = json!([
        {"name": "ServiceId", "type": "string", "required": true, "doc": "The service."},
        {"name": "TargetReplicas", "type": "int64", "doc": "Wanted replicas."},
    ]);
    let emu = start_with(
        EmulatorConfig::default()
            .timings(timings(Duration::from_millis(300)))
            .spec_json(spec.to_string()),
    )
    .await;
    let r = ok(
        &emu,
        "InquirePriceUpdateServiceConfigs",
        json!({"ServiceId": "svc-6cidi7xs", "TargetReplicas": 3}),
    )
    .await;
    let p = &r["Price"]["ServicePrice"];
    assert_eq!(p["ChargeUnit"], "HOUR");
    assert_eq!(p["Amount"], 3);
    assert_eq!(p["UnitPrice"], 98.0);
    assert_eq!(p["OriginPrice"], 294.0);
    let p = ok(
        &emu,
        "InquirePriceUpdateServiceConfigs",
        json!({"ServiceId": "svc-prepaid1", "TargetReplicas": 2}),
    )
    .await;
    assert_eq!(p["Price"]["ServicePrice"]["ChargeUnit"], "MONTH");
    for (body, want) in [
        (
            json!({"ServiceId": "svc-1"}),
            "InvalidParameterValue.InvalidServiceIdMalformed",
        ),
        (
            json!({"ServiceId": "svc-zzzzzzzz"}),
            "InvalidParameterValue.ServiceIdNotFound",
        ),
        (
            json!({"ServiceId": "svc-6cidi7xs", "TargetReplicas": 1}),
            "InvalidParameterValue.TargetReplicasMustDifferFromRunningReplicas",
        ),
        (
            json!({"ServiceId": "svc-creating", "TargetReplicas": 2}),
            "OperationDenied.ServiceOperationInProgress",
        ),
        (
            json!({"ServiceId": "svc-6cidi7xs", "TargetReplicas": 9}),
            "ResourceInsufficient.BundleInventoryShortage",
        ),
    ] {
        assert_eq!(
            code(&emu, "InquirePriceUpdateServiceConfigs", body.clone()).await,
            want,
            "{body}"
        );
    }
    // Nothing changed.
    assert_eq!(
        service_state(&emu, "svc-6cidi7xs").await["RunningReplicas"],
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_file_with_services_and_applications() {
    let seed = Seed::from_json(
        r#"{"Instances": [],
            "Services": [{"ServiceId": "svc-seeded01", "ServiceState": "RESTARTING", "Replicas": 3},
                         {"ServiceId": "svc-badtpl01", "ServiceState": "RUNNING", "TemplateId": "template-1"},
                         {"ServiceId": "svc-oldtpl01", "ServiceState": "RUNNING", "TemplateId": "tpl-withdrwn"}],
            "Applications": [{"ApplicationId": "app-seeded01", "ApplicationName": "seeded"}],
            "ServiceBundleStock": {"96G_A*8": 0}}"#,
    )
    .unwrap();
    assert_eq!(
        seed.models.len(),
        5,
        "absent catalogues default to the built-in one"
    );
    let emu = start_with(EmulatorConfig::default().seed(seed)).await;
    let s = service_state(&emu, "svc-seeded01").await;
    assert_eq!(s["ServiceState"], "RESTARTING");
    assert_eq!(s["TotalReplicas"], 3);
    assert_eq!(
        code(&emu, "DeleteService", json!({"ServiceId": "svc-seeded01"})).await,
        "<success>"
    );
    assert_eq!(
        code(&emu, "DeleteService", json!({"ServiceId": "svc-badtpl01"})).await,
        "InvalidParameterValue.InvalidTemplateIdMalformed"
    );
    assert_eq!(
        code(&emu, "DeleteService", json!({"ServiceId": "svc-oldtpl01"})).await,
        "InvalidParameterValue.TemplateIdNotFound"
    );
    assert_eq!(
        code(
            &emu,
            "CreateInferServiceByTemplate",
            json!({"TemplateId": "tpl-2czq2lnm"})
        )
        .await,
        "ResourceInsufficient.BundleInventoryShortage"
    );
    let r = ok(
        &emu,
        "DescribeApplications",
        json!({"ApplicationIds": ["app-seeded01"]}),
    )
    .await;
    assert_eq!(r["ApplicationSet"][0]["ApplicationName"], "seeded");
    assert!(Seed::from_json(r#"{"Instances": [], "Services": [{"ServiceId": "svc-x"}]}"#).is_err());
}
