//! The actions beyond StopInstance, over real loopback HTTP: RunInstances, the maintenance
//! actions, the catalogues, prices, DescribeInstances paging. Every server is one this test
//! starts on 127.0.0.1.

use std::collections::HashSet;
use std::time::Duration;

use super::common::{send, Call};
use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, InstanceState, Timings};
use serde_json::{json, Value};

async fn start() -> EmulatorHandle {
    let config = EmulatorConfig::default()
        .rate_limit(false)
        .timings(Timings {
            run: Duration::from_millis(300),
            ..Timings::default()
        });
    Emulator::start(config).await.expect("emulator starts")
}

async fn ok(emu: &EmulatorHandle, action: &str, body: Value) -> Value {
    let r = send(emu.addr(), &Call::new(action, body.clone())).await;
    let v = r.json();
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

/// Decodes a response body into the SDK's generated type for the action.
fn typed<T: serde::de::DeserializeOwned>(response: &Value) -> T {
    serde_json::from_value(response.clone()).expect("decodes into the generated type")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_instances_pending_then_running_and_idempotent() {
    let emu = start().await;
    let body = json!({
        "ApplicationId": "app-sdwebui1",
        "BundleType": "XL",
        "InstanceCount": 2,
        "InstanceName": "painter",
        "ClientToken": "token-1",
        "SystemDisk": {"DiskSize": 100},
    });
    let r = ok(&emu, "RunInstances", body.clone()).await;
    let resp: hai_sdk::run_instances::RunInstancesResponse = typed(&r);
    let ids = resp.instance_id_set.expect("InstanceIdSet");
    assert_eq!(ids.len(), 2);
    for id in &ids {
        assert!(hai_emulator::is_well_formed_id(id), "{id}");
        let inst = emu.instance(id).unwrap();
        assert_eq!(inst.instance_state, InstanceState::Pending);
        assert_eq!(inst.latest_operation.as_deref(), Some("RunInstances"));
        assert_eq!(inst.system_disk_size, 100);
    }
    assert_eq!(emu.instance(&ids[0]).unwrap().instance_name, "painter-1");

    // The same ClientToken returns the same ids and launches nothing.
    let before = emu.instances().len();
    let again = ok(&emu, "RunInstances", body).await;
    assert_eq!(again["InstanceIdSet"], json!(ids));
    assert_eq!(emu.instances().len(), before);

    // A pending instance refuses operations; then it runs.
    assert_eq!(
        code(&emu, "StopInstance", json!({"InstanceId": ids[0]})).await,
        "OperationDenied.InstanceOperationInProgress"
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    let d = ok(&emu, "DescribeInstances", json!({"InstanceIds": ids})).await;
    for i in d["InstanceSet"].as_array().unwrap() {
        assert_eq!(i["InstanceState"], "RUNNING");
        assert_eq!(i["LatestOperationState"], "SUCCESS");
        assert_eq!(i["SystemDisk"]["DiskSize"], 100);
        assert_eq!(i["BundleName"], "XL");
    }

    // Without a token every call launches.
    let a = ok(
        &emu,
        "RunInstances",
        json!({"ApplicationId": "app-pytorch2", "BundleType": "XL"}),
    )
    .await;
    let b = ok(
        &emu,
        "RunInstances",
        json!({"ApplicationId": "app-pytorch2", "BundleType": "XL"}),
    )
    .await;
    assert_ne!(a["InstanceIdSet"], b["InstanceIdSet"]);

    // A failing launch ends in LAUNCH_FAILED / FAILED.
    emu.set_launch_result(InstanceState::LaunchFailed);
    let f = ok(
        &emu,
        "RunInstances",
        json!({"ApplicationId": "app-pytorch2", "BundleType": "XL"}),
    )
    .await;
    let id = f["InstanceIdSet"][0].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(450)).await;
    let inst = emu.instance(&id).unwrap();
    assert_eq!(inst.instance_state, InstanceState::LaunchFailed);
    assert_eq!(inst.latest_operation_state.as_deref(), Some("FAILED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_instances_refusals() {
    let emu = start().await;
    let base = json!({"ApplicationId": "app-chatglm6", "BundleType": "XL"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let long_name = "n".repeat(61);
    for (body, want) in [
        (
            with("ApplicationId", json!("nope")),
            "InvalidParameterValue.InvalidApplicationIdMalformed",
        ),
        (
            with("ApplicationId", json!("app-00000000")),
            "InvalidParameterValue.ApplicationIdNotFound",
        ),
        (
            with("BundleType", json!("HUGE")),
            "InvalidParameterValue.BundleTypeNotFound",
        ),
        (
            with("InstanceCount", json!(0)),
            "InvalidParameterValue.InvalidInstanceCount",
        ),
        (
            with("InstanceCount", json!(21)),
            "InvalidParameterValue.InvalidInstanceCount",
        ),
        (
            with("InstanceName", json!(long_name)),
            "InvalidParameterValue.InstanceNameTooLong",
        ),
        (
            with("SystemDisk", json!({"DiskSize": 80})),
            "InvalidParameterValue.DiskSizeMustLargerThanApplicationMinRequiredSize",
        ),
        (
            with("SystemDisk", json!({"DiskSize": 2000})),
            "InvalidParameterValue",
        ),
        (with("DryRun", json!(true)), "DryRunOperation"),
        (json!({"BundleType": "XL"}), "MissingParameter"),
    ] {
        assert_eq!(
            code(&emu, "RunInstances", body.clone()).await,
            want,
            "{body}"
        );
    }
    assert_eq!(emu.instances().len(), 10, "nothing was launched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_password_and_resize_disk() {
    let emu = start().await;
    let r = ok(
        &emu,
        "ResetInstancesPassword",
        json!({"InstanceIds": ["hai-dunyfddn", "hai-stopped1"], "Password": "Secr3t-pass"}),
    )
    .await;
    let resp: hai_sdk::reset_instances_password::ResetInstancesPasswordResponse = typed(&r);
    assert!(resp.task_id.is_some());
    assert_eq!(
        emu.instance("hai-stopped1")
            .unwrap()
            .latest_operation
            .as_deref(),
        Some("ResetInstancesPassword")
    );
    for (body, want) in [
        (
            json!({"InstanceIds": ["hai-dunyfddn"], "Password": "short1A"}),
            "InvalidParameterValue.InvalidPassword",
        ),
        (
            json!({"InstanceIds": ["hai-dunyfddn"], "Password": "alllowercase1"}),
            "InvalidParameterValue.InvalidPassword",
        ),
        (
            json!({"InstanceIds": ["hai-nothere0"], "Password": "Secr3t-pass"}),
            "InvalidParameterValue.InstanceIdNotFound",
        ),
        (
            json!({"InstanceIds": ["bad"], "Password": "Secr3t-pass"}),
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            json!({"InstanceIds": ["hai-termning"], "Password": "Secr3t-pass"}),
            "OperationDenied.InstanceOperationInProgress",
        ),
        (
            json!({"InstanceIds": ["hai-dunyfddn", "hai-dunyfddn"], "Password": "Secr3t-pass"}),
            "InvalidParameterValue.Duplicated",
        ),
        (
            json!({"InstanceIds": [], "Password": "Secr3t-pass"}),
            "InvalidParameterValue",
        ),
        (
            json!({"InstanceIds": ["hai-dunyfddn"], "Password": "Secr3t-pass", "DryRun": true}),
            "DryRunOperation",
        ),
    ] {
        assert_eq!(
            code(&emu, "ResetInstancesPassword", body.clone()).await,
            want,
            "{body}"
        );
    }

    let r = ok(
        &emu,
        "ResizeInstanceDisk",
        json!({"InstanceId": "hai-dunyfddn", "DiskSize": 200}),
    )
    .await;
    let _: hai_sdk::resize_instance_disk::ResizeInstanceDiskResponse = typed(&r);
    assert_eq!(emu.instance("hai-dunyfddn").unwrap().system_disk_size, 200);
    for (body, want) in [
        (
            json!({"InstanceId": "hai-dunyfddn", "DiskSize": 200}),
            "InvalidParameterValue.DiskSizeMustLargeThanCurrentDiskSize",
        ),
        (
            json!({"InstanceId": "hai-dunyfddn", "DiskSize": 1001}),
            "InvalidParameterValue.DiskSizeReachLimit",
        ),
        (
            json!({"InstanceId": "hai-nothere0", "DiskSize": 300}),
            "InvalidParameterValue.InstanceIdNotFound",
        ),
        (
            json!({"InstanceId": "x", "DiskSize": 300}),
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            json!({"InstanceId": "hai-dunyfddn", "DiskSize": "big"}),
            "InvalidParameter",
        ),
    ] {
        assert_eq!(
            code(&emu, "ResizeInstanceDisk", body.clone()).await,
            want,
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogues() {
    let emu = start().await;
    let r = ok(&emu, "DescribeRegions", json!({})).await;
    let regions: hai_sdk::describe_regions::DescribeRegionsResponse = typed(&r);
    let set = regions.region_set.unwrap();
    assert_eq!(set.len(), hai_emulator::DEFAULT_REGIONS.len());
    assert!(set
        .iter()
        .any(|r| r.region.as_deref() == Some("ap-guangzhou")));
    let name = |id: &str| {
        set.iter()
            .find(|r| r.region.as_deref() == Some(id))
            .and_then(|r| r.region_name.clone())
    };
    assert_eq!(name("ap-beijing").as_deref(), Some("North China (Beijing)"));

    let r = ok(&emu, "DescribeScenes", json!({})).await;
    assert_eq!(r["SceneSet"].as_array().unwrap().len(), 3);
    let r = ok(
        &emu,
        "DescribeScenes",
        json!({"SceneIds": ["scene-llmchat1"]}),
    )
    .await;
    let scenes: hai_sdk::describe_scenes::DescribeScenesResponse = typed(&r);
    assert_eq!(
        scenes.scene_set.unwrap()[0].scene_name.as_deref(),
        Some("Large language models")
    );
    assert_eq!(
        code(&emu, "DescribeScenes", json!({"SceneIds": ["llm"]})).await,
        "InvalidParameterValue.InvalidSceneIdMalformed"
    );

    let r = ok(&emu, "DescribeApplications", json!({})).await;
    let apps: hai_sdk::describe_applications::DescribeApplicationsResponse = typed(&r);
    // The four public applications and the seed's custom one.
    assert_eq!(apps.total_count, Some(5));
    // Default order: newest first.
    assert_eq!(
        apps.application_set.unwrap()[0].application_id.as_deref(),
        Some("app-lfflw9lw")
    );
    let r = ok(
        &emu,
        "DescribeApplications",
        json!({"Filters": [{"Name": "scene-id", "Values": ["scene-aipaint1"]}],
               "OrderField": "application_size", "Order": "ASC", "Limit": 1}),
    )
    .await;
    assert_eq!(r["TotalCount"], 2);
    assert_eq!(r["ApplicationSet"][0]["ApplicationId"], "app-comfyui1");
    assert_eq!(r["ApplicationSet"].as_array().unwrap().len(), 1);
    for (body, want) in [
        (
            json!({"ApplicationIds": ["app-x"]}),
            "InvalidParameterValue.InvalidApplicationIdMalformed",
        ),
        (
            json!({"ApplicationIds": ["app-chatglm6"], "Filters": []}),
            "InvalidParameter.AtMostOne",
        ),
        (json!({"Order": "UP"}), "InvalidParameterValue.InvalidOrder"),
        (
            json!({"OrderField": "name"}),
            "InvalidParameterValue.InvalidOrderField",
        ),
        (
            json!({"Filters": [{"Name": "application-type", "Values": ["MINE"]}]}),
            "InvalidParameterValue.InvalidApplicationType",
        ),
        (
            json!({"Filters": [{"Name": "scene-id", "Values": ["s"]}]}),
            "InvalidParameterValue.InvalidSceneIdMalformed",
        ),
        (
            json!({"Filters": [{"Name": "zone", "Values": ["s"]}]}),
            "InvalidParameterValue",
        ),
        (json!({"Limit": 101}), "InvalidParameterValue"),
    ] {
        assert_eq!(
            code(&emu, "DescribeApplications", body.clone()).await,
            want,
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_status_and_prices() {
    let emu = start().await;
    let r = ok(
        &emu,
        "DescribeInstanceNetworkStatus",
        json!({"InstanceIds": ["hai-dunyfddn", "hai-stopped1"]}),
    )
    .await;
    let net: hai_sdk::describe_instance_network_status::DescribeInstanceNetworkStatusResponse =
        typed(&r);
    assert_eq!(net.total_count, Some(2));
    let first = &net.network_status_set.unwrap()[0];
    assert_eq!(first.address_ip.as_deref(), Some("43.134.1.10"));
    assert_eq!(
        code(
            &emu,
            "DescribeInstanceNetworkStatus",
            json!({"InstanceIds": ["hai-nothere0"]})
        )
        .await,
        "InvalidParameterValue.InstanceIdNotFound"
    );
    assert_eq!(
        code(
            &emu,
            "DescribeInstanceNetworkStatus",
            json!({"InstanceIds": ["h"]})
        )
        .await,
        "InvalidParameterValue.InvalidInstanceIdMalformed"
    );

    let r = ok(
        &emu,
        "InquirePriceRunInstances",
        json!({"ApplicationId": "app-pytorch2", "BundleType": "XL", "InstanceCount": 2}),
    )
    .await;
    let price: hai_sdk::inquire_price_run_instances::InquirePriceRunInstancesResponse = typed(&r);
    let p = price.price.unwrap().instance_price.unwrap();
    assert_eq!(p.charge_unit.as_deref(), Some("HOUR"));
    assert_eq!(p.unit_price, Some(1.2));
    assert_eq!(p.amount, Some(2));
    let r = ok(
        &emu,
        "InquirePriceRunInstances",
        json!({"ApplicationId": "app-pytorch2", "BundleType": "3XL",
               "InstanceChargeType": "PREPAID_BY_MONTH",
               "InstanceChargePrepaid": {"Period": 3, "TimeUnit": "MONTH"}}),
    )
    .await;
    assert_eq!(r["Price"]["InstancePrice"]["ChargeUnit"], "MONTH");
    assert_eq!(r["Price"]["InstancePrice"]["OriginPrice"], 7500.0);
    assert_eq!(
        code(
            &emu,
            "InquirePriceRunInstances",
            json!({"ApplicationId": "app-pytorch2", "BundleType": "XL",
                   "InstanceChargeType": "PREPAID_BY_MONTH",
                   "InstanceChargePrepaid": {"Period": 3, "TimeUnit": "YEAR"}}),
        )
        .await,
        "InvalidParameterValue.InvalidChargeTypeAndTimeUnit"
    );
    assert_eq!(
        code(
            &emu,
            "InquirePriceRunInstances",
            json!({"ApplicationId": "app-pytorch2", "BundleType": "XXL"})
        )
        .await,
        "InvalidParameterValue.BundleTypeNotFound"
    );
    assert_eq!(
        emu.instances().len(),
        10,
        "asking for a price launches nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_instances_pages_through_seeded_instances() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .rate_limit(false)
            .extra_instances(250),
    )
    .await
    .unwrap();
    let mut seen = HashSet::new();
    let mut offset = 0;
    loop {
        let r = ok(
            &emu,
            "DescribeInstances",
            json!({"Offset": offset, "Limit": 100}),
        )
        .await;
        let resp: hai_sdk::describe_instances::DescribeInstancesResponse = typed(&r);
        assert_eq!(resp.total_count, Some(260));
        let page = resp.instance_set.unwrap();
        for i in &page {
            assert!(seen.insert(i.instance_id.clone().unwrap()));
        }
        offset += page.len();
        if page.len() < 100 {
            break;
        }
    }
    assert_eq!(seen.len(), 260);

    // Default Limit is 20.
    let r = ok(&emu, "DescribeInstances", json!({"Offset": 250})).await;
    assert_eq!(r["InstanceSet"].as_array().unwrap().len(), 10);
    let r = ok(&emu, "DescribeInstances", json!({})).await;
    assert_eq!(r["InstanceSet"].as_array().unwrap().len(), 20);

    // InstanceIds: at most 100.
    let ids: Vec<String> = (0..101).map(|i| format!("hai-g{i:07}")).collect();
    assert_eq!(
        code(&emu, "DescribeInstances", json!({"InstanceIds": ids})).await,
        "InvalidParameterValue"
    );
    let r = ok(
        &emu,
        "DescribeInstances",
        json!({"InstanceIds": &ids[..100], "Limit": 100}),
    )
    .await;
    assert_eq!(r["TotalCount"], 100);

    // Filters combine (AND), values within one filter OR.
    let r = ok(
        &emu,
        "DescribeInstances",
        json!({"Filters": [
            {"Name": "public-ip-address", "Values": ["43.130.0.7", "43.134.1.10"]},
            {"Name": "instance-state", "Values": ["RUNNING"]},
        ]}),
    )
    .await;
    assert_eq!(r["TotalCount"], 2);
    let r = ok(
        &emu,
        "DescribeInstances",
        json!({"Filters": [{"Name": "instance-id", "Values": ["hai-g0000249"]},
                           {"Name": "charge-type", "Values": ["POSTPAID_BY_HOUR"]}]}),
    )
    .await;
    assert_eq!(r["InstanceSet"][0]["InstanceName"], "bulk-249");
    assert_eq!(
        code(&emu, "DescribeInstances", json!({"Offset": -1})).await,
        "InvalidParameterValue"
    );
}

/// Every action in the spec answers a well-formed envelope (success or an error code with a
/// RequestId), whatever the parameters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_answers_a_well_formed_envelope() {
    let emu = start().await;
    let spec = hai_spec::parse(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hai-spec/spec/hai-2023-08-12.json"
    )))
    .unwrap();
    assert_eq!(spec.actions.len(), 26);
    for name in spec.actions.keys() {
        for body in [json!({}), json!({"InstanceIds": ["hai-dunyfddn"]})] {
            let r = send(emu.addr(), &Call::new(name, body)).await;
            assert_eq!(r.status, 200, "{name}");
            let v = r.json();
            assert!(v["Response"]["RequestId"].is_string(), "{name}: {v}");
            if let Some(code) = v["Response"]["Error"]["Code"].as_str() {
                assert!(!code.is_empty(), "{name}");
            }
        }
    }
    for name in hai_emulator::EMULATED_ACTIONS {
        assert!(spec.actions.contains_key(*name), "{name}");
    }
}
