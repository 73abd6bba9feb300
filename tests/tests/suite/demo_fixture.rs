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

/// The tree of `tests/fixtures/constructs.json`: each construct of Tencent's format compiles
/// (it is part of the `hai-tests` crate) and its JSON round-trips.
mod constructs {
    use hai_tests::constructs as c;
    use serde_json::{json, Value};

    /// Decodes `v` as `T` and encodes it again: the same JSON comes back.
    fn round_trip<T>(v: Value) -> T
    where
        T: serde::de::DeserializeOwned + serde::Serialize,
    {
        let t: T = serde_json::from_value(v.clone()).expect("decodes");
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        t
    }

    #[test]
    fn every_member_type_round_trips() {
        let node = json!({"Name": "n"});
        let all = json!({
            "String": "GREEN", "StringList": ["a", ""],
            "Int64": i64::MIN, "Int64List": [-1, i64::MAX],
            "UInt64": u64::MAX, "UInt64List": [0, u64::MAX],
            "Integer": 7, "IntegerList": [1, 2],
            "Float": 1.5, "FloatList": [0.25, -3.0],
            "Bool": true, "BoolList": [true, false],
            // Dates stay text: Tencent mixes layouts, empty strings and zero dates.
            "DateTime": "2024-01-02 03:04:05", "DateTimeList": ["0000-00-00 00:00:00", ""],
            "DateTimeIso": "2024-01-02T03:04:05Z", "DateTimeIsoList": ["2024-01-02T03:04:05+08:00"],
            "Date": "2024-01-02", "DateList": ["2024-1-2"],
            "Binary": "aGk=", "BinaryList": ["", "AAEC"],
            "Object": node, "ObjectList": [node, {"Name": "m", "Children": []}]
        });
        let t: c::types::AllTypes = round_trip(all);
        assert_eq!(t.string, Some(c::types::Color::Green));
        assert_eq!(t.u_int64, Some(u64::MAX));
        assert_eq!(t.int64, Some(i64::MIN));
        assert_eq!(
            t.date_time_list.as_deref(),
            Some(&["0000-00-00 00:00:00".to_owned(), String::new()][..])
        );
        let empty: c::types::AllTypes = round_trip(json!({}));
        assert_eq!(empty, c::types::AllTypes::default());
        // An unknown enum value is kept as sent.
        let odd: c::types::AllTypes = round_trip(json!({"String": "PURPLE"}));
        assert_eq!(odd.string.as_ref().map(|s| s.as_str()), Some("PURPLE"));
    }

    #[test]
    fn every_member_type_is_sent_as_given() {
        let req = c::put_everything::PutEverythingRequest::new("secret-value")
            .u_int64(u64::MAX)
            .float_list([0.5])
            .date_time_iso("2024-01-02T03:04:05Z")
            .binary_list(["aGk=".to_owned()])
            .object(c::types::AllTypes::default());
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"String": "secret-value", "UInt64": u64::MAX, "FloatList": [0.5],
                   "DateTimeIso": "2024-01-02T03:04:05Z", "BinaryList": ["aGk="], "Object": {}})
        );
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("secret-value"),
            "sensitive member redacted: {shown}"
        );
    }

    #[test]
    fn structures_containing_themselves_round_trip() {
        let tree: c::types::Node = round_trip(json!({
            "Name": "leaf",
            "Parent": {"Name": "mid", "Parent": {"Name": "root"}},
            "Children": [{"Name": "a", "Children": [{"Name": "b"}]}]
        }));
        // A nullable link may come as `null`; it is absent when sent back.
        let root: c::types::Node =
            serde_json::from_value(json!({"Name": "root", "Parent": null})).unwrap();
        assert_eq!(
            serde_json::to_value(&root).unwrap(),
            json!({"Name": "root"})
        );
        let parent = tree.parent.as_deref().unwrap();
        assert_eq!(
            parent.parent.as_deref().unwrap().name.as_deref(),
            Some("root")
        );
        let task: c::types::WorkflowTask = round_trip(json!({
            "TaskId": "t1",
            "Next": {"TaskId": "t2", "Next": {"TaskId": "t3"}},
            "Config": {"Steps": [{"Name": "s", "Config": {"Fallback": {"Name": "f", "Config": {}}}}]}
        }));
        assert_eq!(
            task.next.unwrap().next.unwrap().task_id.as_deref(),
            Some("t3")
        );
        // Required through the cycle: `new` takes the boxed value.
        let step = c::types::JobStep::new("s", c::types::JobConfig::default());
        let req = c::run_workflow::RunWorkflowRequest::new(c::types::WorkflowTask::default().next(
            c::types::WorkflowTask::default().config(c::types::JobConfig::default().fallback(step)),
        ));
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"Task": {"Next": {"Config": {"Fallback": {"Name": "s", "Config": {}}}}}})
        );
    }

    #[test]
    fn names_that_collide_in_rust_are_numbered_in_order() {
        let info: c::types::InstanceInfo3 = round_trip(json!({
            "InstanceId": "a", "instance_id": "b", "Instance_Id": "c", "Type": "d", "type": "e"
        }));
        assert_eq!(
            (
                info.instance_id.as_deref(),
                info.instance_id_2.as_deref(),
                info.instance_id_3.as_deref()
            ),
            (Some("a"), Some("b"), Some("c"))
        );
        assert_eq!(
            (info.r#type.as_deref(), info.type_2.as_deref()),
            (Some("d"), Some("e"))
        );
        // Shapes `InstanceINFO`, `InstanceInfo`, `Instance_Info` (sorted): `InstanceInfo`, 2, 3.
        let _: c::types::InstanceInfo = round_trip(json!({"Id": 5}));
        let _: c::types::InstanceInfo2 = round_trip(json!({"Id": "x"}));
        // Actions `DescribeINSTANCES`, `DescribeInstances`, `Describe_Instances`.
        let req = c::describe_instances_2::DescribeInstancesRequest2::new()
            .instance_id("i-1")
            .instance_id_2(["i-2".to_owned()]);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"InstanceId": "i-1", "instanceId": ["i-2"]})
        );
        let names: Vec<&str> = [
            <c::describe_instances::DescribeInstancesRequest as hai_sdk::Action>::META.name,
            <c::describe_instances_2::DescribeInstancesRequest2 as hai_sdk::Action>::META.name,
            <c::describe_instances_3::DescribeInstancesRequest3 as hai_sdk::Action>::META.name,
        ]
        .to_vec();
        assert_eq!(
            names,
            [
                "DescribeINSTANCES",
                "DescribeInstances",
                "Describe_Instances"
            ]
        );
    }

    #[test]
    fn shapes_named_like_std_items_round_trip() {
        let names = [
            "Option",
            "Result",
            "String",
            "Vec",
            "Box",
            "Some",
            "None",
            "Ok",
            "Err",
            "Default",
            "Clone",
            "Into",
            "Iterator",
            "IntoIterator",
            "From",
            "Debug",
            "PartialEq",
            "Eq",
            "Hash",
            "Self",
            "Fn",
            "Send",
            "Sync",
            "Sized",
            "Copy",
            "ToString",
            "ToOwned",
            "Drop",
        ];
        let mut body = serde_json::Map::new();
        for n in names {
            let v = if n == "Option" {
                json!({"Value": n})
            } else {
                json!({"Value": n, "Inner": {"Value": "in"}})
            };
            body.insert(n.to_owned(), v);
        }
        body.insert("RequestId".into(), json!("r"));
        let resp: c::use_std_names::UseStdNamesResponse = round_trip(Value::Object(body));
        let inner: &c::types::Option = resp.vec.as_ref().unwrap().inner.as_ref().unwrap();
        assert_eq!(inner.value.as_deref(), Some("in"));
        let _: &c::types::Self_ = resp.self_.as_ref().unwrap();
        let req = c::use_std_names::UseStdNamesRequest::new()
            .options([c::types::Option::new().value("x")])
            .result(c::types::Result::new().value("y"));
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"Result": {"Value": "y"}, "Options": [{"Value": "x"}]})
        );
    }

    #[test]
    fn names_the_runtime_reserves_are_renamed() {
        let resp: c::use_reserved_names::UseReservedNamesResponse = round_trip(json!({
            "Action": {"Code": "a"}, "Error": {"Code": "b"}, "Client": {"Code": "c"},
            "Call": {"Code": "d"}, "CommonError": {"Code": "e"}, "ErrorMetadata": {"Code": "f"},
            "Service": {"Code": "g"}, "UseStdNamesError": {"Code": "h"}, "RequestId": "r"
        }));
        let _: &c::types::Action2 = resp.action.as_ref().unwrap();
        let _: &c::types::Error2 = resp.error.as_ref().unwrap();
        let _: &c::types::CommonError2 = resp.common_error.as_ref().unwrap();
        // The shape keeps its name; the error enum of `UseStdNames` is numbered.
        let _: &c::types::UseStdNamesError = resp.use_std_names_error.as_ref().unwrap();
        let _ = c::use_std_names::UseStdNamesError2::from(hai_sdk::ErrorMetadata::new(
            "UseStdNames",
            "InternalError",
            "",
            "",
            500,
        ));
        // Actions named like the tree's own modules get `_action`; the runtime's module names
        // are free (the tree has a `Client` of its own), and `Call` keeps its module.
        let metas = [
            <c::types_action::TypesRequest as hai_sdk::Action>::META.name,
            <c::client_action::ClientRequest as hai_sdk::Action>::META.name,
            <c::common_error_action::CommonErrorRequest as hai_sdk::Action>::META.name,
            <c::retry::RetryRequest as hai_sdk::Action>::META.name,
            <c::error::ErrorRequest as hai_sdk::Action>::META.name,
            <c::lib_action::LibRequest as hai_sdk::Action>::META.name,
            <c::mod_action::ModRequest as hai_sdk::Action>::META.name,
            <c::call::CallRequest as hai_sdk::Action>::META.name,
            <c::type_action::TypeRequest as hai_sdk::Action>::META.name,
            <c::self_::SelfRequest as hai_sdk::Action>::META.name,
        ];
        assert_eq!(
            metas,
            [
                "Types",
                "Client",
                "CommonError",
                "Retry",
                "Error",
                "Lib",
                "Mod",
                "Call",
                "Type",
                "Self"
            ]
        );
        // `Call`'s client method yields to the client's own `call`.
        let _ = |client: &c::Client| {
            let _: hai_sdk::Call<'_, c::call::CallRequest> =
                client.call_action(c::call::CallRequest::new());
        };
    }

    #[test]
    fn service_metadata_comes_from_the_spec() {
        assert_eq!(c::SERVICE.name, "constructs");
        assert_eq!(c::SERVICE.version, "2024-05-01");
        assert_eq!(c::SERVICE.host, "constructs.tencentcloudapi.com");
        assert_eq!(c::SERVICE.signing_service, "constructs");
        let spec = hai_spec::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/constructs.json"),
        )
        .unwrap();
        assert!(!spec.service.region_required, "from the overlay");
        let meta = <c::run_workflow::RunWorkflowRequest as hai_sdk::Action>::META;
        assert_eq!(meta.rate_limit, Some(5));
        assert!(<c::use_std_names::UseStdNamesRequest as hai_sdk::Action>::META.read_only);
        assert!(<c::put_everything::PutEverythingRequest as hai_sdk::Action>::META.idempotent);
    }
}

/// The fixture's generated paginator (an `int64` offset with a `uint64` limit) and its widget
/// waiter (selected through a filter, with a string state), called through the generated
/// client against a loopback server that answers canned bodies in turn.
mod paging_and_waiting {
    use std::time::Duration;

    use futures_util::TryStreamExt;
    use hai_sdk::{Credentials, WaitError, WaiterConfig};
    use hai_tests::demo::describe_widgets::DescribeWidgetsRequest;
    use hai_tests::demo::Client;

    /// The shared loopback server: its URL and a way to read the bodies it received.
    async fn serve(answers: Vec<serde_json::Value>) -> (String, crate::support::Loopback) {
        let server = crate::support::loopback(answers).await;
        (server.url.clone(), server)
    }

    fn client(url: &str) -> Client {
        Client::builder()
            .region("ap-guangzhou")
            .credentials(Credentials::new(
                "AKIDdemoFixture000000000000000000000",
                "demoFixtureSecretKey0000000000000",
                None,
            ))
            .endpoint(url)
            .endpoint_from_env(false)
            .build()
            .unwrap()
    }

    fn widgets(total: u64, widgets: &[(&str, &str)]) -> serde_json::Value {
        let set: Vec<_> = widgets
            .iter()
            .map(|(id, state)| serde_json::json!({"WidgetId": id, "State": state}))
            .collect();
        serde_json::json!({"Response": {"TotalCount": total, "WidgetSet": set, "RequestId": "r"}})
    }

    #[tokio::test]
    async fn widgets_page_with_mixed_integer_members() {
        let (url, bodies) = serve(vec![
            widgets(3, &[("w-1", "READY"), ("w-2", "READY")]),
            widgets(3, &[("w-3", "BUILDING")]),
        ])
        .await;
        let client = client(&url);
        let ids: Vec<String> = client
            .describe_widgets_paginator(DescribeWidgetsRequest::new())
            .page_size(2u64)
            .items()
            .map_ok(|w| w.widget_id.unwrap())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, ["w-1", "w-2", "w-3"]);
        assert_eq!(
            bodies.bodies(),
            [
                serde_json::json!({"Offset": 0, "Limit": 2}),
                serde_json::json!({"Offset": 2, "Limit": 2})
            ]
        );
    }

    #[tokio::test]
    async fn a_widget_is_waited_for_through_a_filter() {
        let (url, bodies) = serve(vec![
            widgets(1, &[("w-1", "BUILDING")]),
            widgets(1, &[("w-1", "READY")]),
        ])
        .await;
        let client = client(&url);
        let quick = WaiterConfig::new()
            .with_initial_delay(Duration::from_millis(1))
            .with_timeout(Duration::from_secs(30));
        let w = client
            .wait_for_widget_state("w-1", "READY", quick)
            .await
            .unwrap();
        assert_eq!(w.state.as_deref(), Some("READY"));
        for body in bodies.bodies() {
            assert_eq!(
                body,
                serde_json::json!({"Filters": [{"Name": "widget-id", "Values": ["w-1"]}]})
            );
        }

        // A scrapped widget never becomes READY: the named waiter gives up at once.
        let (url, _) = serve(vec![widgets(1, &[("w-1", "SCRAPPED")])]).await;
        let e = client_wait_ready(&url).await;
        match e {
            WaitError::Unreachable { state, target, .. } => {
                assert_eq!((state.as_str(), target.as_str()), ("SCRAPPED", "READY"));
            }
            other => panic!("{other}"),
        }
    }

    async fn client_wait_ready(
        url: &str,
    ) -> WaitError<String, hai_tests::demo::describe_widgets::DescribeWidgetsError> {
        client(url)
            .wait_until_widget_ready("w-1")
            .await
            .unwrap_err()
    }
}
