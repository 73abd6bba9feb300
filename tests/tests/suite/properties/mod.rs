//! Property tests over every generated action, driven by the spec itself: values that fit a
//! shape are generated from the shape, so a new action or member is covered without editing
//! this file (the action table below is checked against the spec).

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use hai_spec::{Shape, Spec, TypeRef};

fn spec() -> &'static Spec {
    static SPEC: std::sync::OnceLock<Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../hai-spec/spec/hai-2023-08-12.json"
        );
        hai_spec::load(std::path::Path::new(path)).expect("the checked-in spec loads")
    })
}

/// How deep nested structures go before optional members are left out.
const DEPTH: u32 = 3;

/// A JSON value that fits `ty`, as the service would send it or a caller would build it.
fn value_of(ty: &TypeRef, depth: u32) -> BoxedStrategy<Value> {
    match ty {
        TypeRef::String => any::<String>().prop_map(Value::from).boxed(),
        TypeRef::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        TypeRef::Int64 => any::<i64>().prop_map(Value::from).boxed(),
        TypeRef::UInt64 => any::<u64>().prop_map(Value::from).boxed(),
        TypeRef::Float64 => proptest::num::f64::NORMAL.prop_map(Value::from).boxed(),
        TypeRef::List(inner) => {
            let n = if depth == 0 { 0 } else { 3 };
            proptest::collection::vec(value_of(inner, depth.saturating_sub(1)), 0..=n)
                .prop_map(Value::from)
                .boxed()
        }
        TypeRef::Map(inner) => {
            let n = if depth == 0 { 0 } else { 3 };
            proptest::collection::btree_map(
                "[a-z]{1,6}",
                value_of(inner, depth.saturating_sub(1)),
                0..=n,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect()))
            .boxed()
        }
        TypeRef::Shape(name) => shape_value(name, depth),
        #[allow(unreachable_patterns)]
        other => panic!("a type this test does not know: {other:?}"),
    }
}

fn shape_value(name: &str, depth: u32) -> BoxedStrategy<Value> {
    match &spec().shapes[name] {
        Shape::Enum(e) => {
            let known: Vec<Value> = e
                .values
                .iter()
                .map(|v| Value::from(v.value.clone()))
                .collect();
            // Unknown values must survive a round trip as well.
            prop_oneof![
                3 => proptest::sample::select(known),
                1 => "[A-Z_]{1,12}".prop_map(Value::from),
            ]
            .boxed()
        }
        Shape::List(l) => value_of(&l.member_type().unwrap(), depth),
        Shape::Map(m) => value_of(&TypeRef::Map(Box::new(m.value_type().unwrap())), depth),
        Shape::Structure(s) => {
            let members: Vec<BoxedStrategy<Option<(String, Value)>>> = s
                .members
                .iter()
                .map(|m| {
                    let name = m.name.clone();
                    let v = value_of(&m.type_ref().unwrap(), depth.saturating_sub(1));
                    if m.required {
                        v.prop_map(move |v| Some((name.clone(), v))).boxed()
                    } else if depth == 0 {
                        Just(None).boxed()
                    } else {
                        proptest::option::of(v.prop_map(move |v| (name.clone(), v))).boxed()
                    }
                })
                .collect();
            members
                .prop_map(|kv| Value::Object(kv.into_iter().flatten().collect::<Map<_, _>>()))
                .boxed()
        }
        #[allow(unreachable_patterns)]
        other => panic!("a shape kind this test does not know: {}", other.kind()),
    }
}

/// Every action's request and response type, by wire name.
macro_rules! actions {
    ($($wire:literal => $module:ident :: $req:ident, $resp:ident;)*) => {
        const ACTIONS: &[&str] = &[$($wire),*];

        fn check_request(wire: &str, v: &Value) -> Result<(), TestCaseError> {
            match wire {
                $($wire => request_round_trip::<hai_sdk::$module::$req>(v),)*
                other => panic!("no request type for {other}"),
            }
        }

        fn check_response(wire: &str, v: &Value, path: &[String], mutation: Mutation) -> Result<(), TestCaseError> {
            match wire {
                $($wire => response_decodes::<hai_sdk::$module::$resp>(v, path, mutation),)*
                other => panic!("no response type for {other}"),
            }
        }
    };
}

actions! {
    "CreateApplication" => create_application::CreateApplicationRequest, CreateApplicationResponse;
    "CreateInferServiceByTemplate" => create_infer_service_by_template::CreateInferServiceByTemplateRequest, CreateInferServiceByTemplateResponse;
    "CreateMuskPrompt" => create_musk_prompt::CreateMuskPromptRequest, CreateMuskPromptResponse;
    "DeleteService" => delete_service::DeleteServiceRequest, DeleteServiceResponse;
    "DeployInferService" => deploy_infer_service::DeployInferServiceRequest, DeployInferServiceResponse;
    "DescribeApplications" => describe_applications::DescribeApplicationsRequest, DescribeApplicationsResponse;
    "DescribeDeployTemplates" => describe_deploy_templates::DescribeDeployTemplatesRequest, DescribeDeployTemplatesResponse;
    "DescribeInstanceNetworkStatus" => describe_instance_network_status::DescribeInstanceNetworkStatusRequest, DescribeInstanceNetworkStatusResponse;
    "DescribeInstances" => describe_instances::DescribeInstancesRequest, DescribeInstancesResponse;
    "DescribeModels" => describe_models::DescribeModelsRequest, DescribeModelsResponse;
    "DescribeMuskPrompts" => describe_musk_prompts::DescribeMuskPromptsRequest, DescribeMuskPromptsResponse;
    "DescribeRegions" => describe_regions::DescribeRegionsRequest, DescribeRegionsResponse;
    "DescribeScenes" => describe_scenes::DescribeScenesRequest, DescribeScenesResponse;
    "DescribeServiceLoginSettings" => describe_service_login_settings::DescribeServiceLoginSettingsRequest, DescribeServiceLoginSettingsResponse;
    "DescribeServices" => describe_services::DescribeServicesRequest, DescribeServicesResponse;
    "DescribeServicesCallInfo" => describe_services_call_info::DescribeServicesCallInfoRequest, DescribeServicesCallInfoResponse;
    "GetServicePodLogs" => get_service_pod_logs::GetServicePodLogsRequest, GetServicePodLogsResponse;
    "InquirePriceRunInstances" => inquire_price_run_instances::InquirePriceRunInstancesRequest, InquirePriceRunInstancesResponse;
    "InquirePriceUpdateServiceConfigs" => inquire_price_update_service_configs::InquirePriceUpdateServiceConfigsRequest, InquirePriceUpdateServiceConfigsResponse;
    "ResetInstancesPassword" => reset_instances_password::ResetInstancesPasswordRequest, ResetInstancesPasswordResponse;
    "ResizeInstanceDisk" => resize_instance_disk::ResizeInstanceDiskRequest, ResizeInstanceDiskResponse;
    "RunInstances" => run_instances::RunInstancesRequest, RunInstancesResponse;
    "StartInstance" => start_instance::StartInstanceRequest, StartInstanceResponse;
    "StopInstance" => stop_instance::StopInstanceRequest, StopInstanceResponse;
    "TerminateInstances" => terminate_instances::TerminateInstancesRequest, TerminateInstancesResponse;
    "UpdateServiceConfigs" => update_service_configs::UpdateServiceConfigsRequest, UpdateServiceConfigsResponse;
}

#[test]
fn the_action_table_covers_the_spec() {
    let ours: BTreeSet<&str> = ACTIONS.iter().copied().collect();
    let spec: BTreeSet<&str> = spec().actions.keys().map(String::as_str).collect();
    assert_eq!(ours, spec);
}

/// JSON -> request -> JSON gives the same JSON, and request -> JSON -> request the same value.
fn request_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    v: &Value,
) -> Result<(), TestCaseError> {
    let typed: T =
        serde_json::from_value(v.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {v}")))?;
    let back = serde_json::to_value(&typed).unwrap();
    prop_assert_eq!(&back, v);
    let again: T = serde_json::from_slice(&serde_json::to_vec(&typed).unwrap()).unwrap();
    prop_assert_eq!(again, typed);
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Remove,
    Null,
    WrongType,
}

/// The value at `path` (object keys, or list indexes as decimal strings), if there is one.
fn at_path<'v>(v: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Object(m) => m.get_mut(p)?,
            Value::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A conforming response with one member removed or nulled still decodes; with a value of
/// the wrong JSON type it is a decode error, never a panic or a silently dropped member.
fn response_decodes<T: DeserializeOwned + std::fmt::Debug>(
    v: &Value,
    path: &[String],
    mutation: Mutation,
) -> Result<(), TestCaseError> {
    serde_json::from_value::<T>(v.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {v}")))?;
    let Some((last, parent)) = path.split_last() else {
        return Ok(());
    };
    let mut mutated = v.clone();
    let Some(Value::Object(obj)) = at_path(&mut mutated, parent) else {
        return Ok(());
    };
    let Some(old) = obj.get(last).cloned() else {
        return Ok(());
    };
    match mutation {
        Mutation::Remove => {
            obj.remove(last);
            serde_json::from_value::<T>(mutated.clone())
                .map_err(|e| TestCaseError::fail(format!("removed {path:?}: {e}")))?;
        }
        Mutation::Null => {
            obj.insert(last.clone(), Value::Null);
            serde_json::from_value::<T>(mutated.clone())
                .map_err(|e| TestCaseError::fail(format!("nulled {path:?}: {e}")))?;
        }
        Mutation::WrongType => {
            // A type no member accepts in place of this one: an object for scalars and lists,
            // a number for strings, objects and maps.
            let wrong = match old {
                Value::String(_) | Value::Object(_) => Value::from(12.5),
                _ => Value::Object(Map::new()),
            };
            obj.insert(last.clone(), wrong);
            prop_assert!(
                serde_json::from_value::<T>(mutated.clone()).is_err(),
                "wrong type at {:?} decoded: {}",
                path,
                mutated
            );
        }
    }
    Ok(())
}

/// Every member path of an object tree (objects and lists), for choosing one to mutate.
fn member_paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                prefix.push(k.clone());
                out.push(prefix.clone());
                member_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(i.to_string());
                member_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn action_and_input() -> impl Strategy<Value = (&'static str, Value)> {
    proptest::sample::select(ACTIONS).prop_flat_map(|wire| {
        let input = spec().actions[wire].input.clone();
        (Just(wire), shape_value(&input, DEPTH))
    })
}

fn action_and_output() -> impl Strategy<Value = (&'static str, Value, prop::sample::Index, u8)> {
    proptest::sample::select(ACTIONS).prop_flat_map(|wire| {
        let output = spec().actions[wire].output.clone();
        (
            Just(wire),
            shape_value(&output, DEPTH),
            any::<prop::sample::Index>(),
            0u8..3,
        )
    })
}

/// Map members and enum-typed members accept any object or string: find whether the path
/// ends in a map key, where a removed or nulled entry is still a valid map.
fn is_map_entry(wire: &str, path: &[String]) -> bool {
    let mut ty = TypeRef::Shape(spec().actions[wire].output.clone());
    for p in path {
        ty = match resolve(&ty) {
            Some(Resolved::Struct(name)) => match spec()
                .structure(&name)
                .and_then(|s| s.members.iter().find(|m| &m.name == p))
            {
                Some(m) => m.type_ref().unwrap(),
                None => return false,
            },
            Some(Resolved::List(inner)) => inner,
            Some(Resolved::Map) => return true,
            None => return false,
        };
    }
    false
}

enum Resolved {
    Struct(String),
    List(TypeRef),
    Map,
}

fn resolve(ty: &TypeRef) -> Option<Resolved> {
    match ty {
        TypeRef::List(i) => Some(Resolved::List((**i).clone())),
        TypeRef::Map(_) => Some(Resolved::Map),
        TypeRef::Shape(n) => match &spec().shapes[n] {
            Shape::Structure(_) => Some(Resolved::Struct(n.clone())),
            Shape::List(l) => Some(Resolved::List(l.member_type().ok()?)),
            Shape::Map(_) => Some(Resolved::Map),
            Shape::Enum(_) => None,
        },
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_request_type_round_trips_through_json((wire, input) in action_and_input()) {
        check_request(wire, &input)?;
    }

    #[test]
    fn every_response_type_decodes_with_members_removed_nulled_or_mistyped(
        (wire, output, pick, kind) in action_and_output()
    ) {
        let mut paths = Vec::new();
        member_paths(&output, &mut Vec::new(), &mut paths);
        let mutation = [Mutation::Remove, Mutation::Null, Mutation::WrongType][usize::from(kind)];
        let path = if paths.is_empty() { Vec::new() } else { paths[pick.index(paths.len())].clone() };
        // A map's entries are values, not members: a removed or nulled entry changes the map.
        if is_map_entry(wire, &path) {
            return Ok(());
        }
        check_response(wire, &output, &path, mutation)?;
    }
}
