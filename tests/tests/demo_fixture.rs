//! The generator's fixture tree, compiled in a crate outside hai-sdk, behaves as specified.

use hai_sdk::{ActionError, ErrorMetadata};
use hai_tests::demo::create_widget::{CreateWidgetError, CreateWidgetRequest};
use hai_tests::demo::describe_widgets::{DescribeWidgetsRequest, DescribeWidgetsResponse};
use hai_tests::demo::types::{Filter, Tag, Widget, WidgetType};

#[test]
fn keywords_and_odd_enum_values_are_sanitised() {
    let req = CreateWidgetRequest::new("w", WidgetType::V1d)
        .self_(true)
        .r#match(3)
        .tags([Tag::new("k").value("v")]);
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"Name": "w", "Type": "1D", "Self": true, "Match": 3, "Tags": [{"Key": "k", "Value": "v"}]})
    );
    assert_eq!(WidgetType::from("SQUARE-ISH"), WidgetType::SquareIsh);
    assert_eq!(WidgetType::from("UNKNOWN"), WidgetType::UnknownValue);
    assert!(matches!(
        WidgetType::from("HEXAGON"),
        WidgetType::Unknown(_)
    ));
}

#[test]
fn recursive_and_nullable_output_decodes() {
    let text = r#"{"TotalCount": 2, "RequestId": "r", "WidgetSet": [
        {"WidgetId": "a", "Weight": null, "Serial": -9223372036854775808,
         "Children": [{"WidgetId": "b", "Labels": {"x": ["y"]}}]}]}"#;
    let resp: DescribeWidgetsResponse = serde_json::from_str(text).unwrap();
    let set: Vec<Widget> = resp.widget_set.unwrap();
    assert_eq!(set[0].serial, Some(i64::MIN));
    assert_eq!(set[0].weight, None);
    let child = &set[0].children.as_ref().unwrap()[0];
    assert_eq!(child.widget_id.as_deref(), Some("b"));
    let null_set: DescribeWidgetsResponse = serde_json::from_str(r#"{"WidgetSet": null}"#).unwrap();
    assert_eq!(null_set.widget_set, None);
}

#[test]
fn request_with_no_required_members_has_default() {
    let req = DescribeWidgetsRequest::default()
        .limit(5)
        .filters([Filter::new("widget-type", ["ROUND".to_owned()])]);
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"Filters":[{"Name":"widget-type","Values":["ROUND"]}],"Limit":5}"#
    );
}

#[test]
fn idempotent_action_retries_transient_codes() {
    let e = CreateWidgetError::from(ErrorMetadata::new(
        "CreateWidget",
        "InternalError",
        "",
        "",
        500,
    ));
    assert!(e.is_retryable());
    let e = CreateWidgetError::from(ErrorMetadata::new(
        "CreateWidget",
        "LimitExceeded.WidgetQuota",
        "",
        "",
        200,
    ));
    assert!(matches!(e, CreateWidgetError::LimitExceededWidgetQuota(_)));
    assert!(!e.is_retryable());
}
