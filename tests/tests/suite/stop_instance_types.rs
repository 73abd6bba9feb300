//! The generated StopInstance types against StopInstance's documentation: the request body,
//! the 11 documented error codes, the response.

use hai_sdk::common_error::CommonError;
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest, StopInstanceResponse};
use hai_sdk::types::StopMode;
use hai_sdk::{Action, ActionError, ErrorMetadata, ProvideErrorMetadata};
use serde_json::json;

/// The 11 codes of the seed's error table.
const SEED_CODES: [&str; 11] = [
    "FailedOperation.OperateInstanceRepeatedly",
    "InternalError",
    "InvalidParameterValue.Duplicated",
    "InvalidParameterValue.InstanceIdNotFound",
    "InvalidParameterValue.InvalidInstanceIdMalformed",
    "OperationDenied.InstanceOperationInProgress",
    "UnsupportedOperation.InstanceStateArrears",
    "UnsupportedOperation.InstanceStateLaunchFailed",
    "UnsupportedOperation.InstanceStatePending",
    "UnsupportedOperation.InstanceStateStoppedNoCharge",
    "UnsupportedOperation.InstanceStateTerminated",
];

fn meta(code: &str) -> ErrorMetadata {
    ErrorMetadata::new("StopInstance", code, "msg", "req-1", 200)
}

#[test]
fn request_serialises_to_the_seed_example_body() {
    let req = StopInstanceRequest::new("hai-dunyfddn")
        .stop_mode(StopMode::StopCharge)
        .dry_run(false);
    let body = serde_json::to_string(&req).unwrap();
    assert_eq!(
        body,
        r#"{"InstanceId":"hai-dunyfddn","StopMode":"STOP_CHARGE","DryRun":false}"#
    );
    let seed = json!({"InstanceId": "hai-dunyfddn", "StopMode": "STOP_CHARGE", "DryRun": false});
    assert_eq!(serde_json::to_value(&req).unwrap(), seed);
}

#[test]
fn optional_parameters_are_omitted_when_unset() {
    let body = serde_json::to_string(&StopInstanceRequest::new("hai-dunyfddn")).unwrap();
    assert_eq!(body, r#"{"InstanceId":"hai-dunyfddn"}"#);
}

#[test]
fn seed_example_response_decodes() {
    let text = r#"{"Response": {"TaskId": 123456, "RequestId": "057b40b9-c27f-4241-918b-debd34cfdafdasfdaf"}}"#;
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let resp: StopInstanceResponse = serde_json::from_value(v["Response"].clone()).unwrap();
    assert_eq!(resp.task_id, Some(123456));
    assert_eq!(
        resp.request_id,
        "057b40b9-c27f-4241-918b-debd34cfdafdasfdaf"
    );
}

#[test]
fn response_decoding_is_lenient() {
    // Unknown fields, a null TaskId and a missing RequestId do not fail the decode.
    let resp: StopInstanceResponse =
        serde_json::from_str(r#"{"TaskId": null, "NewField": [1, {"x": 2}]}"#).unwrap();
    assert_eq!(resp.task_id, None);
    assert_eq!(resp.request_id, "");
    let resp: StopInstanceResponse = serde_json::from_str(r#"{"RequestId": null}"#).unwrap();
    assert_eq!(resp.request_id, "");
    // 64-bit task ids stay exact (no float round trip).
    let resp: StopInstanceResponse =
        serde_json::from_str(r#"{"TaskId": 18446744073709551615, "RequestId": "r"}"#).unwrap();
    assert_eq!(resp.task_id, Some(u64::MAX));
}

#[test]
fn every_seed_code_is_a_typed_variant_and_round_trips() {
    for code in SEED_CODES {
        let err = StopInstanceError::from(meta(code));
        assert!(
            !matches!(
                err,
                StopInstanceError::Unhandled(_) | StopInstanceError::Common(_)
            ),
            "{code} should have its own variant, got {err:?}"
        );
        assert_eq!(err.code(), code);
        assert_eq!(err.request_id(), "req-1");
        assert_eq!(err.message(), "msg");
    }
    // Spot-check that the mapping is to the right variant, not just any variant.
    assert!(matches!(
        StopInstanceError::from(meta("UnsupportedOperation.InstanceStateStoppedNoCharge")),
        StopInstanceError::UnsupportedOperationInstanceStateStoppedNoCharge(_)
    ));
    assert!(matches!(
        StopInstanceError::from(meta("InternalError")),
        StopInstanceError::InternalError(_)
    ));
}

#[test]
fn common_codes_go_through_the_shared_enum() {
    let err = StopInstanceError::from(meta("AuthFailure.SignatureExpire"));
    assert!(matches!(
        err,
        StopInstanceError::Common(CommonError::AuthFailureSignatureExpire(_))
    ));
    let dry = StopInstanceError::from(meta("DryRunOperation"));
    assert!(matches!(
        dry,
        StopInstanceError::Common(CommonError::DryRunOperation(_))
    ));
    assert!(dry.is_dry_run_operation());
    for code in CommonError::CODES {
        let err = StopInstanceError::from(meta(code));
        assert_eq!(err.code(), *code);
        assert!(!matches!(err, StopInstanceError::Unhandled(_)), "{code}");
    }
}

#[test]
fn unknown_codes_are_kept_in_the_sealed_fallback() {
    let err = StopInstanceError::from(meta("UnsupportedOperation.SomethingNew"));
    match &err {
        StopInstanceError::Unhandled(u) => {
            assert_eq!(u.meta().code(), "UnsupportedOperation.SomethingNew")
        }
        other => panic!("expected Unhandled, got {other:?}"),
    }
    assert_eq!(
        ProvideErrorMetadata::code(&err),
        "UnsupportedOperation.SomethingNew"
    );
}

#[test]
fn throttling_codes_are_retryable_and_others_are_not() {
    for code in [
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    ] {
        assert!(StopInstanceError::from(meta(code)).is_retryable(), "{code}");
    }
    // StopInstance is not idempotent: an internal error is not retried by default.
    for code in [
        "InternalError",
        "UnsupportedOperation.InstanceStatePending",
        "RequestLimitExceededX",
    ] {
        assert!(
            !StopInstanceError::from(meta(code)).is_retryable(),
            "{code}"
        );
    }
}

#[test]
fn display_names_action_code_message_and_request_id() {
    let err = StopInstanceError::from(meta("UnsupportedOperation.InstanceStateStoppedNoCharge"));
    let text = err.to_string();
    for part in [
        "StopInstance",
        "UnsupportedOperation.InstanceStateStoppedNoCharge",
        "msg",
        "req-1",
    ] {
        assert!(text.contains(part), "{text} lacks {part}");
    }
}

#[test]
fn stop_mode_keeps_unknown_values() {
    assert_eq!(StopMode::from("STOP_CHARGE"), StopMode::StopCharge);
    let v: StopMode = serde_json::from_str(r#""STOP_SOFTLY""#).unwrap();
    assert_eq!(v.as_str(), "STOP_SOFTLY");
    assert!(matches!(v, StopMode::Unknown(_)));
    assert_eq!(serde_json::to_string(&v).unwrap(), r#""STOP_SOFTLY""#);
    assert_eq!(StopMode::VALUES, &["STOP_CHARGE"]);
}

#[test]
fn binding_carries_action_facts_from_the_spec() {
    let m = <StopInstanceRequest as Action>::META;
    assert_eq!(m.name, "StopInstance");
    assert_eq!(m.service.version, "2023-08-12");
    assert_eq!(m.service.signing_service, "hai");
    assert_eq!(m.service.host, "hai.tencentcloudapi.com");
    assert_eq!(m.rate_limit, Some(20));
    assert!(!m.idempotent);
}

#[test]
fn sensitive_members_are_redacted_in_debug_and_serialised_unchanged() {
    use hai_sdk::reset_instances_password::ResetInstancesPasswordRequest;
    use hai_sdk::types::{CallInfo, ImageInfo};

    let secret = "Pa55-must-not-print";
    let req = ResetInstancesPasswordRequest::new(["hai-1".to_owned()], secret);
    let debug = format!("{req:?} {req:#?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("password: \"** redacted **\""), "{debug}");
    assert!(
        debug.contains("hai-1"),
        "other members still print: {debug}"
    );
    assert_eq!(serde_json::to_value(&req).unwrap()["Password"], secret);

    let call_info: CallInfo = serde_json::from_value(json!({
        "ServiceId": "svc-1", "ApiKey": "key-must-not-print"
    }))
    .unwrap();
    let debug = format!("{call_info:?}");
    assert!(!debug.contains("key-must-not-print"), "{debug}");
    assert!(debug.contains("api_key: Some(\"** redacted **\")") && debug.contains("svc-1"));
    let absent: CallInfo = serde_json::from_value(json!({})).unwrap();
    assert!(format!("{absent:?}").contains("api_key: None"));

    let image: ImageInfo = serde_json::from_value(json!({
        "ImageRegistryPassword": "reg-must-not-print"
    }))
    .unwrap();
    assert!(!format!("{image:?}").contains("reg-must-not-print"));
    // The call's own Debug (used in logs) goes through the same redaction.
    let client = hai_sdk::Client::builder()
        .credentials(hai_sdk::Credentials::new("id", "key", None))
        .build()
        .unwrap();
    let call = client.call(ResetInstancesPasswordRequest::new(
        ["hai-1".to_owned()],
        secret,
    ));
    assert!(!format!("{call:?}").contains(secret));
}
