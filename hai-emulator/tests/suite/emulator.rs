//! The emulator over real loopback HTTP: envelope, authentication, state machine, rate limit,
//! fault injection. Every server is one this test starts on 127.0.0.1.

use std::time::{Duration, Instant};

use super::common::{send, send_bytes, Call};
use hai_emulator::{
    Credential, Emulator, EmulatorConfig, EmulatorHandle, Fault, Instance, InstanceState, Seed,
    Times, Timings, ANY_ACTION,
};
use serde_json::json;

async fn start() -> EmulatorHandle {
    start_with(EmulatorConfig::default()).await
}

async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).await.expect("emulator starts")
}

fn dry(id: &str) -> Call {
    Call::new("StopInstance", json!({ "InstanceId": id, "DryRun": true }))
}

// ---------------------------------------------------------------- envelope

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_a_200_json_envelope_with_a_fresh_request_id() {
    let emu = start().await;
    let a = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    let b = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    for r in [&a, &b] {
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.request_id().len(), 36, "a UUID");
    }
    assert_eq!(a.code(), None);
    assert!(a.json()["Response"]["TaskId"].as_u64().is_some());
    assert_eq!(
        b.code().as_deref(),
        Some("OperationDenied.InstanceOperationInProgress")
    );
    assert_eq!(
        b.json()["Response"]["Error"]["Message"]
            .as_str()
            .map(|m| !m.is_empty()),
        Some(true)
    );
    assert_ne!(a.request_id(), b.request_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn envelope_errors() {
    let emu = start().await;
    let addr = emu.addr();
    let code = |c: Call| async move { send(addr, &c).await.code() };

    let mut c = dry("hai-dunyfddn");
    c.action = Some("FlyToTheMoon".into());
    assert_eq!(code(c).await.as_deref(), Some("InvalidAction"));
    let mut c = dry("hai-dunyfddn");
    c.action = None;
    assert_eq!(code(c).await.as_deref(), Some("MissingParameter"));
    let mut c = dry("hai-dunyfddn");
    c.version = Some("2017-03-12".into());
    assert_eq!(code(c).await.as_deref(), Some("NoSuchVersion"));
    let mut c = dry("hai-dunyfddn");
    c.version = None;
    assert_eq!(code(c).await.as_deref(), Some("MissingParameter"));
    let mut c = dry("hai-dunyfddn");
    c.region = None;
    assert_eq!(code(c).await.as_deref(), Some("MissingParameter"));
    let mut c = dry("hai-dunyfddn");
    c.region = Some("mars-north-1".into());
    assert_eq!(code(c).await.as_deref(), Some("UnsupportedRegion"));
    let mut c = dry("hai-dunyfddn");
    c.extra_headers
        .push(("X-TC-Language".into(), "fr-FR".into()));
    assert_eq!(code(c).await.as_deref(), Some("InvalidParameterValue"));
    let mut c = dry("hai-dunyfddn");
    c.extra_headers
        .push(("X-TC-Language".into(), "en-US".into()));
    assert_eq!(code(c).await.as_deref(), Some("DryRunOperation"));

    let params = |v| Call::new("StopInstance", v);
    assert_eq!(
        code(params(json!({}))).await.as_deref(),
        Some("MissingParameter")
    );
    assert_eq!(
        code(params(json!({"InstanceId": null}))).await.as_deref(),
        Some("MissingParameter")
    );
    assert_eq!(
        code(params(json!({"InstanceId": "hai-dunyfddn", "Force": true})))
            .await
            .as_deref(),
        Some("UnknownParameter")
    );
    // A number for a string is its text (the rule for requests), so it reaches the handler.
    assert_eq!(
        code(params(json!({"InstanceId": 42}))).await.as_deref(),
        Some("InvalidParameterValue.InvalidInstanceIdMalformed")
    );
    assert_eq!(
        code(params(json!({"InstanceId": ["hai-dunyfddn"]})))
            .await
            .as_deref(),
        Some("InvalidParameter")
    );
    assert_eq!(
        code(params(
            json!({"InstanceId": "hai-dunyfddn", "DryRun": "yes"})
        ))
        .await
        .as_deref(),
        Some("InvalidParameter")
    );
    assert_eq!(
        code(params(
            json!({"InstanceId": "hai-dunyfddn", "StopMode": "KEEP_CHARGING"})
        ))
        .await
        .as_deref(),
        Some("InvalidParameterValue")
    );
    let mut c = dry("hai-dunyfddn");
    c.body = "{not json".into();
    assert_eq!(code(c).await.as_deref(), Some("InvalidRequest"));
    let mut c = dry("hai-dunyfddn");
    c.content_type = "text/plain".into();
    assert_eq!(code(c).await.as_deref(), Some("InvalidRequest"));
    // Nothing above changed any state.
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(InstanceState::Running)
    );
}

/// The rule for requests: integers, floats and booleans written as strings (as every GET and
/// form-encoded call sends them) and numbers for strings are valid, and the handler sees
/// them in their declared types; anything else is `InvalidParameter` naming its path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_written_as_strings_are_read_as_their_declared_types() {
    let emu = start().await;
    let addr = emu.addr();
    let answer = |action: &'static str, v| async move {
        send(addr, &Call::new(action, v)).await.json()["Response"].clone()
    };

    let r = answer(
        "DescribeInstances",
        json!({"Offset": "1", "Limit": "2", "Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}]}),
    )
    .await;
    assert!(r["Error"].is_null(), "{r}");
    assert_eq!(r["InstanceSet"].as_array().map(Vec::len), Some(2), "{r}");
    let all = answer("DescribeInstances", json!({"Limit": 100})).await;
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["InstanceSet"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["InstanceId"].as_str().unwrap().to_owned())
            .collect()
    };
    let paged = answer("DescribeInstances", json!({"Offset": "1", "Limit": "2"})).await;
    assert_eq!(ids(&paged), ids(&all)[1..3]);
    // Booleans in any letter case, as Python's SDK writes them.
    let r = answer(
        "StopInstance",
        json!({"InstanceId": "hai-dunyfddn", "DryRun": "True"}),
    )
    .await;
    assert_eq!(r["Error"]["Code"], "DryRunOperation", "{r}");
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(InstanceState::Running)
    );
    // A number for a string (an id in a list) is its text.
    let r = answer("DescribeInstances", json!({"InstanceIds": [12345678]})).await;
    assert_eq!(
        r["Error"]["Code"], "InvalidParameterValue.InvalidInstanceIdMalformed",
        "{r}"
    );
    assert!(
        r["Error"]["Message"]
            .as_str()
            .unwrap()
            .contains("`12345678`"),
        "{r}"
    );
    // `"FALSE"` is false: the instance really stops.
    let r = answer(
        "StopInstance",
        json!({"InstanceId": "hai-dunyfddn", "DryRun": "FALSE"}),
    )
    .await;
    assert!(r["TaskId"].is_u64(), "{r}");

    for (body, path, found) in [
        (
            json!({"Limit": "1.0"}),
            "Limit",
            r#"expected an integer, found "1.0""#,
        ),
        (
            json!({"Limit": 1.0}),
            "Limit",
            "expected an integer, found 1.0",
        ),
        (
            json!({"Limit": 1.5}),
            "Limit",
            "expected an integer, found 1.5",
        ),
        (json!({"Limit": "010"}), "Limit", r#"found "010""#),
        (json!({"Limit": "+1"}), "Limit", r#"found "+1""#),
        (json!({"Limit": " 1"}), "Limit", r#"found " 1""#),
        (json!({"Limit": "1e3"}), "Limit", r#"found "1e3""#),
        (json!({"Limit": "-0"}), "Limit", r#"found "-0""#),
        (
            json!({"Limit": "9223372036854775808"}),
            "Limit",
            "(beyond int64)",
        ),
        (
            json!({"Filters": [{"Name": "instance-state", "Values": ["RUNNING", {"x": 1}]}]}),
            "Filters.0.Values.1",
            r#"expected a string, found {"x":1}"#,
        ),
        (
            json!({"Limit": "\u{1b}[31m"}),
            "Limit",
            r#"found "\u001b[31m""#,
        ),
    ] {
        let r = answer("DescribeInstances", body.clone()).await;
        assert_eq!(r["Error"]["Code"], "InvalidParameter", "{body}: {r}");
        let message = r["Error"]["Message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("The type of parameter `{path}` is invalid: ")),
            "{body}: {message}"
        );
        assert!(message.contains(found), "{body}: {message}");
        assert!(!message.contains('\u{1b}'), "{body}: {message:?}");
    }
    for (action, body) in [
        (
            "StopInstance",
            json!({"InstanceId": "hai-running2", "DryRun": "yes"}),
        ),
        (
            "StopInstance",
            json!({"InstanceId": "hai-running2", "DryRun": 1}),
        ),
        (
            "DescribeMuskPrompts",
            json!({"WorkgroupId": "wg-x", "WorkflowId": "wf-x", "Offset": "-1"}),
        ),
    ] {
        let r = answer(action, body.clone()).await;
        assert_eq!(r["Error"]["Code"], "InvalidParameter", "{body}: {r}");
    }
    // An enum member given a number is its text, then checked against the enum's values.
    let r = answer(
        "StopInstance",
        json!({"InstanceId": "hai-running2", "StopMode": 1}),
    )
    .await;
    assert_eq!(r["Error"]["Code"], "InvalidParameterValue", "{r}");
    // A control character in an unknown member's name is escaped in the message.
    let r = answer(
        "StopInstance",
        json!({"InstanceId": "hai-running2", "A\u{7}": 1}),
    )
    .await;
    assert_eq!(r["Error"]["Code"], "UnknownParameter", "{r}");
    let message = r["Error"]["Message"].as_str().unwrap();
    assert!(message.contains("A\\u{7}"), "{message:?}");
    assert_eq!(
        emu.instance_state("hai-running2"),
        Some(InstanceState::Running)
    );
}

/// Signs `call` for `service` (the credential scope), as a client of that service would.
fn signed_for(emu: &EmulatorHandle, call: &mut Call, service: &str) {
    let sig = hai_sdk::signer::sign(&hai_sdk::signer::SigningInput {
        secret_id: &call.secret_id,
        secret_key: &call.secret_key,
        service,
        host: &emu.addr().to_string(),
        content_type: &call.content_type,
        method: call.method,
        query: &call.query,
        payload: hai_sdk::signer::Payload::Bytes(call.body.as_bytes()),
        timestamp: call.timestamp,
    });
    call.authorization = Some(sig.authorization);
}

async fn error_of(emu: &EmulatorHandle, call: &Call) -> (String, String) {
    let raw = send(emu.addr(), call).await;
    let e = &raw.json()["Response"]["Error"];
    (
        e["Code"].as_str().unwrap_or_default().to_owned(),
        e["Message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_for_another_service_is_told_what_this_emulator_serves() {
    let emu = start().await;
    // What a generated CVM client sends when TENCENTCLOUD_ENDPOINT_URL points it here: an
    // action HAI also has, and one it has not.
    for action in ["DescribeInstances", "DescribeZones"] {
        let mut c = Call::new(action, json!({}));
        c.version = Some("2017-03-12".into());
        signed_for(&emu, &mut c, "cvm");
        let (code, message) = error_of(&emu, &c).await;
        assert_eq!(code, "NoSuchVersion", "{action}: {message}");
        for part in [
            "it serves hai API version 2023-08-12 only",
            "the request is for service \"cvm\" (its credential scope) API version \"2017-03-12\"",
            "TENCENTCLOUD_ENDPOINT_URL_CVM",
        ] {
            assert!(message.contains(part), "{action}: no {part:?} in {message}");
        }
        assert!(!message.contains("of hai does not exist"), "{message}");
    }

    // Another version of this service: said so, with the version this emulator serves.
    let mut c = dry("hai-dunyfddn");
    c.version = Some("2022-01-01".into());
    let (code, message) = error_of(&emu, &c).await;
    assert_eq!(code, "NoSuchVersion");
    assert_eq!(
        message,
        "The API version \"2022-01-01\" of hai does not exist: this endpoint is a hai emulator and serves hai API version 2023-08-12 only."
    );

    // Echoed request text is quoted and escaped, and an implausible service name is not
    // turned into a variable name.
    let mut c = dry("hai-dunyfddn");
    c.version = Some("2017\"03\\12".into());
    signed_for(&emu, &mut c, "c\"vm");
    let (code, message) = error_of(&emu, &c).await;
    assert_eq!(code, "NoSuchVersion");
    assert!(
        message.contains(
            "service \"c\\\"vm\" (its credential scope) API version \"2017\\\"03\\\\12\""
        ),
        "{message}"
    );
    assert!(
        message.contains("TENCENTCLOUD_ENDPOINT_URL_<SERVICE>"),
        "{message}"
    );
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(InstanceState::Running)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_with_query_parameters() {
    let emu = start().await;
    let r = send(
        emu.addr(),
        &Call::get("StopInstance", "InstanceId=hai-dunyfddn&DryRun=true"),
    )
    .await;
    assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    let r = send(
        emu.addr(),
        &Call::get("StopInstance", "InstanceId=hai-dunyfddn&DryRun=maybe"),
    )
    .await;
    assert_eq!(r.code().as_deref(), Some("InvalidParameter"));
    let r = send(
        emu.addr(),
        &Call::get("StopInstance", "InstanceId=hai-dunyfddn&Nope=1"),
    )
    .await;
    assert_eq!(r.code().as_deref(), Some("UnknownParameter"));
    let r = send(emu.addr(), &Call::get("StopInstance", "")).await;
    assert_eq!(r.code().as_deref(), Some("MissingParameter"));
    // GET values are strings read by the same rule as strings in a JSON body.
    let r = send(
        emu.addr(),
        &Call::get(
            "DescribeInstances",
            "Offset=1&Limit=2&Filters.0.Name=instance-state&Filters.0.Values.0=RUNNING",
        ),
    )
    .await;
    assert_eq!(r.code(), None);
    assert_eq!(
        r.json()["Response"]["InstanceSet"].as_array().map(Vec::len),
        Some(2)
    );
    for query in ["Limit=010", "Limit=%2B1", "Limit=1.0", "Limit=1e3"] {
        let r = send(emu.addr(), &Call::get("DescribeInstances", query)).await;
        assert_eq!(r.code().as_deref(), Some("InvalidParameter"), "{query}");
        let message = r.json()["Response"]["Error"]["Message"].clone();
        assert!(
            message
                .as_str()
                .unwrap()
                .starts_with("The type of parameter `Limit` is invalid: expected an integer"),
            "{query}: {message}"
        );
    }
    let r = send(
        emu.addr(),
        &Call::get("StopInstance", "InstanceId=hai-dunyfddn&DryRun=True"),
    )
    .await;
    assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    let r = send(
        emu.addr(),
        &Call::get("StopInstance", "InstanceId=hai-dunyfddn"),
    )
    .await;
    assert_eq!(r.code(), None);
}

// ---------------------------------------------------------------- authentication

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_ok_and_failures() {
    let emu = start().await;
    let addr = emu.addr();
    let code = |c: Call| async move { send(addr, &c).await.code() };

    assert_eq!(
        code(dry("hai-dunyfddn")).await.as_deref(),
        Some("DryRunOperation")
    );

    let mut c = dry("hai-dunyfddn");
    c.secret_key = "not-the-key".into();
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.SignatureFailure")
    );

    let mut c = dry("hai-dunyfddn");
    c.timestamp -= 6 * 60;
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    let mut c = dry("hai-dunyfddn");
    c.timestamp += 6 * 60;
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    let mut c = dry("hai-dunyfddn");
    c.timestamp -= 4 * 60;
    assert_eq!(
        code(c).await.as_deref(),
        Some("DryRunOperation"),
        "4 minutes is fine"
    );

    let mut c = dry("hai-dunyfddn");
    c.body_after_signing = Some(c.body.replace("hai-dunyfddn", "hai-running2"));
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.SignatureFailure")
    );

    let mut c = dry("hai-dunyfddn");
    c.secret_id = "AKIDnobodyHasThisKey".into();
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.SecretIdNotFound")
    );

    let mut c = dry("hai-dunyfddn");
    c.authorization = Some("TC3-HMAC-SHA256 Credential=broken".into());
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.InvalidAuthorization")
    );

    // A signature for another host than the one sent.
    let mut c = dry("hai-dunyfddn");
    c.signed_host = Some("hai.tencentcloudapi.com".into());
    assert_eq!(
        code(c).await.as_deref(),
        Some("AuthFailure.SignatureFailure")
    );

    // Host signed without its port is accepted (some clients do that).
    let mut c = dry("hai-dunyfddn");
    c.signed_host = Some("127.0.0.1".into());
    assert_eq!(code(c).await.as_deref(), Some("DryRunOperation"));

    // Content-Type with parameters, signed verbatim.
    let mut c = dry("hai-dunyfddn");
    c.content_type = "application/json; charset=utf-8".into();
    assert_eq!(code(c).await.as_deref(), Some("DryRunOperation"));
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(InstanceState::Running)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_payload_is_accepted_and_does_not_cover_the_body() {
    let emu = start().await;
    let mut c = dry("hai-dunyfddn");
    c.unsigned_payload = true;
    c.body_after_signing = Some(json!({"InstanceId": "hai-stopped1", "DryRun": true}).to_string());
    let r = send(emu.addr(), &c).await;
    assert_eq!(
        r.code().as_deref(),
        Some("UnsupportedOperation.InstanceStateStoppedNoCharge")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_bytes_are_accepted() {
    // Body serialised as the official Python SDK does (", " and ": " separators).
    let emu = start().await;
    let mut c = Call::stop("hai-dunyfddn");
    c.body = r#"{"InstanceId": "hai-dunyfddn", "StopMode": "STOP_CHARGE", "DryRun": false}"#.into();
    c.extra_headers = vec![
        ("X-TC-RequestClient".into(), "SDK_PYTHON_3.1.195".into()),
        ("X-TC-Language".into(), "zh-CN".into()),
        (
            "X-TC-TraceId".into(),
            "00000000-0000-4000-8000-000000000000".into(),
        ),
    ];
    let r = send(emu.addr(), &c).await;
    assert_eq!(r.code(), None, "{:?}", r.json());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_tokens() {
    let emu = start_with(
        EmulatorConfig::default()
            .credential(Credential::new("AKIDtemporary", "temporary-key").with_token("the-token")),
    )
    .await;
    let call = |token: Option<&str>| {
        let mut c = dry("hai-dunyfddn");
        c.secret_id = "AKIDtemporary".into();
        c.secret_key = "temporary-key".into();
        c.token = token.map(str::to_owned);
        c
    };
    let addr = emu.addr();
    assert_eq!(
        send(addr, &call(Some("the-token"))).await.code().as_deref(),
        Some("DryRunOperation")
    );
    assert_eq!(
        send(addr, &call(Some("other"))).await.code().as_deref(),
        Some("AuthFailure.TokenFailure")
    );
    assert_eq!(
        send(addr, &call(None)).await.code().as_deref(),
        Some("AuthFailure.TokenFailure")
    );

    // A permanent key with a token it does not need.
    let emu2 = start().await;
    let mut c = dry("hai-dunyfddn");
    c.token = Some("stray".into());
    assert_eq!(
        send(emu2.addr(), &c).await.code().as_deref(),
        Some("AuthFailure.TokenFailure")
    );
}

// ---------------------------------------------------------------- StopInstance state machine

fn quick() -> EmulatorConfig {
    // Long enough that the follow-up requests land inside it even on a loaded machine.
    EmulatorConfig::default().timings(Timings {
        stop: Duration::from_millis(1000),
        ..Timings::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_running_goes_through_in_progress_to_stopped() {
    let emu = start_with(quick()).await;
    let addr = emu.addr();
    let r = send(addr, &Call::stop("hai-dunyfddn")).await;
    let task = r.json()["Response"]["TaskId"].as_u64().expect("TaskId");
    assert!(task > 0);
    let inst = emu.instance("hai-dunyfddn").unwrap();
    assert_eq!(inst.instance_state, InstanceState::Running);
    assert_eq!(inst.latest_operation.as_deref(), Some("StopInstance"));
    assert_eq!(inst.latest_operation_state.as_deref(), Some("OPERATING"));

    // In progress: every other operation is denied, DryRun included.
    let r = send(addr, &Call::stop("hai-dunyfddn")).await;
    assert_eq!(
        r.code().as_deref(),
        Some("OperationDenied.InstanceOperationInProgress")
    );
    let r = send(addr, &dry("hai-dunyfddn")).await;
    assert_eq!(
        r.code().as_deref(),
        Some("OperationDenied.InstanceOperationInProgress")
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let inst = emu.instance("hai-dunyfddn").unwrap();
    assert_eq!(inst.instance_state, InstanceState::StoppedNoCharge);
    assert_eq!(inst.latest_operation_state.as_deref(), Some("SUCCESS"));

    let r = send(addr, &Call::stop("hai-dunyfddn")).await;
    assert_eq!(
        r.code().as_deref(),
        Some("UnsupportedOperation.InstanceStateStoppedNoCharge")
    );

    // A second stop gets a new TaskId.
    let r = send(addr, &Call::stop("hai-running2")).await;
    assert!(r.json()["Response"]["TaskId"].as_u64().unwrap() > task);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_refusals_by_state_and_id() {
    let emu = start_with(EmulatorConfig::default().rate_limit(false)).await;
    let addr = emu.addr();
    for (id, want) in [
        ("hai-pending1", "UnsupportedOperation.InstanceStatePending"),
        (
            "hai-lnchfail",
            "UnsupportedOperation.InstanceStateLaunchFailed",
        ),
        ("hai-arrears1", "UnsupportedOperation.InstanceStateArrears"),
        (
            "hai-stopped1",
            "UnsupportedOperation.InstanceStateStoppedNoCharge",
        ),
        (
            "hai-termnatd",
            "UnsupportedOperation.InstanceStateTerminated",
        ),
        (
            "hai-termning",
            "OperationDenied.InstanceOperationInProgress",
        ),
        ("hai-prepaid1", "UnsupportedOperation"),
        ("hai-broken01", "InternalError"),
        ("hai-nothere0", "InvalidParameterValue.InstanceIdNotFound"),
        (
            "hai-DUNYFDDN",
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            "hai-dunyfdd",
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            "ins-dunyfddn",
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        ("", "InvalidParameterValue.InvalidInstanceIdMalformed"),
    ] {
        let before = emu.instance_state(id);
        // DryRun validates the same way and reaches the same code.
        for call in [Call::stop(id), dry(id)] {
            let r = send(addr, &call).await;
            assert_eq!(r.code().as_deref(), Some(want), "{id}");
        }
        assert_eq!(emu.instance_state(id), before, "{id} unchanged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_validates_without_changing_state() {
    let emu = start().await;
    let r = send(emu.addr(), &dry("hai-dunyfddn")).await;
    assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    let inst = emu.instance("hai-dunyfddn").unwrap();
    assert_eq!(inst.instance_state, InstanceState::Running);
    assert_eq!(inst.latest_operation, None);
    // A real stop right after proves nothing was left half-done.
    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(r.code(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_operations_on_one_instance() {
    // Deterministic: with an accept window, a request arriving while another holds the
    // instance gets OperateInstanceRepeatedly; once accepted, InstanceOperationInProgress.
    let emu = start_with(EmulatorConfig::default().timings(Timings {
        accept_window: Duration::from_millis(1000),
        ..Timings::default()
    }))
    .await;
    let addr = emu.addr();
    let first = tokio::spawn(async move { send(addr, &Call::stop("hai-dunyfddn")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = send(addr, &Call::stop("hai-dunyfddn")).await;
    assert_eq!(
        second.code().as_deref(),
        Some("FailedOperation.OperateInstanceRepeatedly")
    );
    // Other instances are not held.
    assert_eq!(
        send(addr, &dry("hai-running2")).await.code().as_deref(),
        Some("DryRunOperation")
    );
    let first = first.await.unwrap();
    assert!(
        first.json()["Response"]["TaskId"].as_u64().is_some(),
        "{:?}",
        first.json()
    );
    let third = send(addr, &Call::stop("hai-dunyfddn")).await;
    assert_eq!(
        third.code().as_deref(),
        Some("OperationDenied.InstanceOperationInProgress")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_request_releases_its_claim() {
    let emu = start_with(EmulatorConfig::default().timings(Timings {
        accept_window: Duration::from_millis(300),
        ..Timings::default()
    }))
    .await;
    let addr = emu.addr();
    let bytes = Call::stop("hai-dunyfddn").to_bytes(addr);
    {
        use tokio::io::AsyncWriteExt;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(&bytes).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Dropped here; hyper cancels the request when it notices the close.
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Either the claim was released, or the stop completed: never stuck.
    let r = send(addr, &dry("hai-dunyfddn")).await;
    let code = r.code();
    assert!(
        matches!(
            code.as_deref(),
            Some("DryRunOperation" | "OperationDenied.InstanceOperationInProgress")
        ),
        "{code:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeds_and_state_access() {
    let seed = Seed::from_json(
        r#"{"Instances": [
            {"InstanceId": "hai-aaaaaaaa", "InstanceState": "RUNNING", "InstanceName": "a"},
            {"InstanceId": "hai-bbbbbbbb", "InstanceState": "RUNNING", "ChargeType": "PREPAID_BY_MONTH"}
        ]}"#,
    )
    .unwrap();
    let emu = start_with(EmulatorConfig::default().seed(seed)).await;
    assert_eq!(emu.instances().len(), 2);
    assert_eq!(emu.instance_state("hai-dunyfddn"), None);
    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(
        r.code().as_deref(),
        Some("InvalidParameterValue.InstanceIdNotFound")
    );
    emu.insert_instance(Instance::new("hai-cccccccc", InstanceState::Running));
    assert!(emu.set_instance_state("hai-aaaaaaaa", InstanceState::Arrears));
    let r = send(emu.addr(), &Call::stop("hai-aaaaaaaa")).await;
    assert_eq!(
        r.code().as_deref(),
        Some("UnsupportedOperation.InstanceStateArrears")
    );
    let r = send(emu.addr(), &Call::stop("hai-cccccccc")).await;
    assert_eq!(r.code(), None);
    assert!(Seed::from_json(r#"{"Instances": [{"InstanceId": "x"}]}"#).is_err());
    assert_eq!(Seed::default().instances[0].instance_id, "hai-dunyfddn");
}

// ---------------------------------------------------------------- rate limit

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_per_action_and_secret_id() {
    let emu = start_with(
        EmulatorConfig::default().add_credential(Credential::new("AKIDsecond", "second-key")),
    )
    .await;
    let addr = emu.addr();
    // Fired together, so all 25 land within the same second even on a loaded machine.
    let calls: Vec<_> = (0..25)
        .map(|_| {
            tokio::spawn(async move { send(addr, &dry("hai-dunyfddn")).await.code().unwrap() })
        })
        .collect();
    let mut codes = Vec::new();
    for c in calls {
        codes.push(c.await.unwrap());
    }
    let limited = codes
        .iter()
        .filter(|c| *c == "RequestLimitExceeded")
        .count();
    assert_eq!(limited, 5, "{codes:?}");
    let passed = codes.iter().filter(|c| *c == "DryRunOperation").count();
    assert_eq!(passed, 20, "{codes:?}");

    // Another SecretId has its own budget.
    let mut c = dry("hai-dunyfddn");
    c.secret_id = "AKIDsecond".into();
    c.secret_key = "second-key".into();
    assert_eq!(
        send(addr, &c).await.code().as_deref(),
        Some("DryRunOperation")
    );

    // Switched off at run time.
    emu.set_rate_limit(false);
    for _ in 0..5 {
        assert_eq!(
            send(addr, &dry("hai-dunyfddn")).await.code().as_deref(),
            Some("DryRunOperation")
        );
    }
    emu.set_rate_limit(true);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        send(addr, &dry("hai-dunyfddn")).await.code().as_deref(),
        Some("DryRunOperation")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_can_be_disabled_in_config() {
    let emu = start_with(EmulatorConfig::default().rate_limit(false)).await;
    for _ in 0..30 {
        let r = send(emu.addr(), &dry("hai-dunyfddn")).await;
        assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    }
}

// ---------------------------------------------------------------- faults

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_latency() {
    let emu = start().await;
    emu.faults().inject(
        "StopInstance",
        Fault::Latency(Duration::from_millis(300)),
        Times::Next(1),
    );
    let t0 = Instant::now();
    let r = send(emu.addr(), &dry("hai-dunyfddn")).await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    let t0 = Instant::now();
    send(emu.addr(), &dry("hai-dunyfddn")).await;
    assert!(t0.elapsed() < Duration::from_millis(300), "only once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_http_errors() {
    let emu = start().await;
    let f = emu.faults();
    f.inject(
        "StopInstance",
        Fault::HttpErrorJson { status: 502 },
        Times::Next(1),
    );
    f.inject(
        "StopInstance",
        Fault::HttpErrorHtml { status: 503 },
        Times::Next(1),
    );
    f.inject("StopInstance", Fault::NonJsonBody, Times::Next(1));

    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(r.status, 502);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.code().as_deref(), Some("InternalError"));
    assert_eq!(r.request_id().len(), 36);

    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert!(String::from_utf8_lossy(&r.body).contains("<html>"));

    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    // Faults answered before the handler: the instance was never stopped.
    assert_eq!(emu.instance("hai-dunyfddn").unwrap().latest_operation, None);
    assert_eq!(
        send(emu.addr(), &Call::stop("hai-dunyfddn")).await.code(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_truncated_body() {
    let emu = start().await;
    emu.faults()
        .inject("StopInstance", Fault::TruncatedBody, Times::Next(1));
    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(r.status, 200);
    let announced: usize = r.header("content-length").unwrap().parse().unwrap();
    assert!(r.body.len() < announced, "{} < {announced}", r.body.len());
    assert!(!r.body.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_connection_reset() {
    let emu = start().await;
    emu.faults()
        .inject("StopInstance", Fault::ConnectionReset, Times::Next(1));
    let err = send_bytes(emu.addr(), &Call::stop("hai-dunyfddn").to_bytes(emu.addr()))
        .await
        .expect_err("no response");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    // The server is still fine afterwards.
    assert_eq!(
        send(emu.addr(), &dry("hai-dunyfddn"))
            .await
            .code()
            .as_deref(),
        Some("DryRunOperation")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_error_code_on_next_n_calls() {
    let emu = start().await;
    emu.faults().inject(
        "StopInstance",
        Fault::error_code("InternalError"),
        Times::Next(2),
    );
    for _ in 0..2 {
        let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.code().as_deref(), Some("InternalError"));
    }
    assert_eq!(
        send(emu.addr(), &Call::stop("hai-dunyfddn")).await.code(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_any_action_and_clear() {
    let emu = start().await;
    emu.faults().inject(
        ANY_ACTION,
        Fault::error_code("RequestLimitExceeded"),
        Times::Always,
    );
    for _ in 0..3 {
        let r = send(emu.addr(), &dry("hai-dunyfddn")).await;
        assert_eq!(r.code().as_deref(), Some("RequestLimitExceeded"));
    }
    emu.faults().clear();
    assert_eq!(
        send(emu.addr(), &dry("hai-dunyfddn"))
            .await
            .code()
            .as_deref(),
        Some("DryRunOperation")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_huge_and_endless_bodies() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = start().await;
    emu.faults().inject(
        "StopInstance",
        Fault::HugeBody {
            bytes: Some(3 * 1024 * 1024),
        },
        Times::Next(1),
    );
    let r = send(emu.addr(), &Call::stop("hai-dunyfddn")).await;
    assert_eq!(r.body.len(), 3 * 1024 * 1024);
    assert!(r.body.starts_with(b"{\"Response\""));

    emu.faults().inject(
        "StopInstance",
        Fault::HugeBody { bytes: None },
        Times::Next(1),
    );
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(&Call::stop("hai-dunyfddn").to_bytes(emu.addr()))
        .await
        .unwrap();
    let mut total = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    while total < 8 * 1024 * 1024 {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "endless body ended");
        total += n;
    }
    // Leave the client stalled (not reading) and shut down: must not hang.
    let t0 = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), emu.shutdown())
        .await
        .expect("shutdown finishes despite an endless response");
    assert!(t0.elapsed() < Duration::from_secs(5));
    drop(s);
}

// ---------------------------------------------------------------- lifecycle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_the_port() {
    let emu = start().await;
    let addr = emu.addr();
    assert!(addr.ip().is_loopback());
    assert_eq!(
        send(addr, &dry("hai-dunyfddn")).await.code().as_deref(),
        Some("DryRunOperation")
    );
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_connection_serves_several_requests() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = start().await;
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    for _ in 0..3 {
        let bytes = dry("hai-dunyfddn").to_bytes(emu.addr());
        let text = String::from_utf8(bytes)
            .unwrap()
            .replace("Connection: close\r\n", "");
        s.write_all(text.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).await.unwrap();
        let r = super::common::parse(&buf[..n]);
        assert_eq!(r.code().as_deref(), Some("DryRunOperation"));
    }
}

// ---------------------------------------------------------------- more actions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_start_and_terminate() {
    let emu = start_with(
        EmulatorConfig::default()
            .rate_limit(false)
            .timings(Timings {
                stop: Duration::from_millis(500),
                start: Duration::from_millis(500),
                ..Timings::default()
            }),
    )
    .await;
    let addr = emu.addr();
    let describe = |v: serde_json::Value| Call::new("DescribeInstances", v);

    let r = send(addr, &describe(json!({}))).await.json();
    assert_eq!(r["Response"]["TotalCount"], 10);
    assert_eq!(r["Response"]["InstanceSet"].as_array().unwrap().len(), 10);
    assert_eq!(
        r["Response"]["InstanceSet"][0]["InstanceId"],
        "hai-dunyfddn"
    );

    let r = send(
        addr,
        &describe(json!({"Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}]})),
    )
    .await
    .json();
    assert_eq!(r["Response"]["TotalCount"], 4);

    let r = send(
        addr,
        &describe(json!({"Filters": [{"Name": "charge-type", "Values": ["PREPAID_BY_MONTH"]}]})),
    )
    .await
    .json();
    assert_eq!(
        r["Response"]["InstanceSet"][0]["InstanceId"],
        "hai-prepaid1"
    );

    let r = send(
        addr,
        &Call::get(
            "DescribeInstances",
            "Filters.0.Name=instance-state&Filters.0.Values.0=STOPPED&Filters.0.Values.1=ARREARS",
        ),
    )
    .await
    .json();
    assert_eq!(r["Response"]["TotalCount"], 2, "{r}");

    let r = send(addr, &describe(json!({"Offset": 2, "Limit": 3})))
        .await
        .json();
    assert_eq!(r["Response"]["TotalCount"], 10);
    assert_eq!(r["Response"]["InstanceSet"].as_array().unwrap().len(), 3);
    assert_eq!(
        r["Response"]["InstanceSet"][0]["InstanceId"],
        "hai-pending1"
    );

    let r = send(
        addr,
        &describe(json!({"InstanceIds": ["hai-stopped1", "hai-nothere0"]})),
    )
    .await
    .json();
    assert_eq!(r["Response"]["TotalCount"], 1);

    for (body, want) in [
        (
            json!({"Filters": [{"Name": "zone", "Values": ["x"]}]}),
            "InvalidParameterValue",
        ),
        (json!({"Filters": [{"Values": ["x"]}]}), "MissingParameter"),
        (
            json!({"Filters": [{"Name": "instance-id", "Values": "x"}]}),
            "InvalidParameter",
        ),
        (
            json!({"InstanceIds": ["hai-dunyfddn", "hai-dunyfddn"]}),
            "InvalidParameterValue.Duplicated",
        ),
        (
            json!({"InstanceIds": ["nope"]}),
            "InvalidParameterValue.InvalidInstanceIdMalformed",
        ),
        (
            json!({"InstanceIds": ["hai-dunyfddn"], "Filters": []}),
            "InvalidParameter.AtMostOne",
        ),
        (json!({"Limit": 101}), "InvalidParameterValue"),
    ] {
        let r = send(addr, &describe(body.clone())).await;
        assert_eq!(r.code().as_deref(), Some(want), "{body}");
    }

    // Stop, wait, start, wait.
    let start = |id: &str| Call::new("StartInstance", json!({"InstanceId": id}));
    assert_eq!(
        send(addr, &start("hai-dunyfddn")).await.code().as_deref(),
        Some("UnsupportedOperation.InstanceStateRunning")
    );
    assert_eq!(send(addr, &Call::stop("hai-dunyfddn")).await.code(), None);
    assert_eq!(
        send(addr, &start("hai-dunyfddn")).await.code().as_deref(),
        Some("OperationDenied.InstanceOperationInProgress")
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let r = send(addr, &describe(json!({"InstanceIds": ["hai-dunyfddn"]})))
        .await
        .json();
    assert_eq!(
        r["Response"]["InstanceSet"][0]["InstanceState"],
        "STOPPED_NO_CHARGE"
    );
    assert_eq!(
        r["Response"]["InstanceSet"][0]["LatestOperation"],
        "StopInstance"
    );
    let r = send(addr, &start("hai-dunyfddn")).await;
    assert!(r.json()["Response"]["TaskId"].as_u64().is_some());
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(InstanceState::Running)
    );
    assert_eq!(
        send(addr, &start("hai-termnatd")).await.code().as_deref(),
        Some("UnsupportedOperation.InstanceStateTerminated")
    );

    // Terminate: all-or-nothing checks, TERMINATING, then TERMINATED.
    let terminate =
        |ids: serde_json::Value| Call::new("TerminateInstances", json!({"InstanceIds": ids}));
    assert_eq!(
        send(addr, &terminate(json!(["hai-running2", "hai-prepaid1"])))
            .await
            .code()
            .as_deref(),
        Some("UnsupportedOperation.NotSupportTerminatePrePaidAndPostPaid")
    );
    assert_eq!(
        send(addr, &terminate(json!(["hai-running2", "hai-termnatd"])))
            .await
            .code()
            .as_deref(),
        Some("UnsupportedOperation.InstanceStateTerminated")
    );
    assert_eq!(
        emu.instance_state("hai-running2"),
        Some(InstanceState::Running)
    );
    let r = send(addr, &terminate(json!(["hai-running2", "hai-stopped1"]))).await;
    assert_eq!(r.code(), None, "{:?}", r.json());
    assert_eq!(
        emu.instance_state("hai-stopped1"),
        Some(InstanceState::Terminating)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        emu.instance_state("hai-running2"),
        Some(InstanceState::Terminated)
    );

    // Pod logs of a service that does not exist: the common code for a missing resource.
    let r = send(
        emu.addr(),
        &Call::new(
            "GetServicePodLogs",
            json!({"ServiceId": "svc-12345678", "PodName": "pod-1"}),
        ),
    )
    .await;
    assert_eq!(r.code().as_deref(), Some("ResourceNotFound"));
}
