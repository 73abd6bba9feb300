//! Each class of bad spec yields an error naming its JSON path.

use hai_spec::{parse, SpecError};
use serde_json::{json, Value};

fn real_text() -> String {
    std::fs::read_to_string(hai_spec::hai_spec_path()).expect("read the checked-in spec")
}

fn real() -> Value {
    serde_json::from_str(&real_text()).expect("the checked-in spec is JSON")
}

/// Parses `spec` (re-serialised) and returns the error it must produce.
fn refuse(spec: &Value) -> SpecError {
    let text = serde_json::to_string_pretty(spec).expect("serialise");
    match parse(&text) {
        Ok(_) => panic!("spec was accepted:\n{text}"),
        Err(e) => e,
    }
}

/// Mutates the real spec, expects an error at `path` whose message contains `needle`.
fn expect(mutate: impl FnOnce(&mut Value), path: &str, needle: &str) {
    let mut spec = real();
    mutate(&mut spec);
    let e = refuse(&spec);
    assert_eq!(e.path, path, "wrong path; error was: {e}");
    assert!(
        e.message.contains(needle),
        "message {:?} lacks {needle:?}",
        e.message
    );
}

fn request_members(spec: &mut Value) -> &mut Vec<Value> {
    spec["shapes"]["StopInstanceRequest"]["members"]
        .as_array_mut()
        .expect("members")
}

fn response_members(spec: &mut Value) -> &mut Vec<Value> {
    spec["shapes"]["StopInstanceResponse"]["members"]
        .as_array_mut()
        .expect("members")
}

fn action(spec: &mut Value) -> &mut Value {
    &mut spec["actions"]["StopInstance"]
}

fn example(spec: &mut Value) -> &mut Value {
    &mut spec["actions"]["StopInstance"]["examples"][0]
}

// ---- the real spec ----

#[test]
fn real_spec_loads() {
    let spec = hai_spec::load(&hai_spec::hai_spec_path()).expect("the real spec is valid");
    let action = &spec.actions["StopInstance"];
    assert_eq!(action.errors.len(), 11);
    assert_eq!(action.rate_limit, Some(20));
    let input = spec.structure(&action.input).expect("input structure");
    let names: Vec<&str> = input.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["InstanceId", "StopMode", "DryRun"]);
    assert_eq!(
        input.members[1].type_ref(),
        Ok(hai_spec::TypeRef::Shape("StopMode".into()))
    );
    assert_eq!(spec.enum_shape("StopMode").map(|e| e.values.len()), Some(1));
    assert!(spec.errors.contains("InternalError"));
    assert!(spec.errors.get("AuthFailure.SignatureFailure").is_some());
    spec.validate().expect("validate is idempotent");
}

#[test]
fn resolve_keeps_every_type_validation_parsed() {
    use hai_spec::{ResolvedShape, Shape, TypeRef};
    let spec = hai_spec::load(&hai_spec::hai_spec_path()).expect("valid");
    let resolved = spec.resolve().expect("resolves");
    assert!(std::ptr::eq(resolved.spec(), &spec));
    let names: Vec<&str> = resolved.shapes().map(|(n, _)| n).collect();
    let expected: Vec<&str> = spec.shapes.keys().map(String::as_str).collect();
    assert_eq!(names, expected, "every shape, in name order");
    for (name, shape) in spec.shapes.iter() {
        match (shape, resolved.shape(name).expect("every shape")) {
            (Shape::Structure(s), ResolvedShape::Structure(r, members)) => {
                assert!(std::ptr::eq(s, *r));
                assert_eq!(members.len(), s.members.len(), "{name}");
                for (m, rm) in s.members.iter().zip(members) {
                    assert!(std::ptr::eq(m, rm.member));
                    assert_eq!(
                        Ok(rm.ty.clone()),
                        TypeRef::parse(&m.ty),
                        "{name}.{}",
                        m.name
                    );
                    assert_eq!(resolved.member(name, &m.name), Some(rm));
                }
                assert_eq!(resolved.members(name), members.as_slice());
            }
            (Shape::Enum(_), ResolvedShape::Enum(_)) => assert!(resolved.members(name).is_empty()),
            (Shape::List(l), ResolvedShape::List(_, t)) => {
                assert_eq!(Ok(t.clone()), TypeRef::parse(&l.member));
                let named = TypeRef::Shape(name.clone());
                assert_eq!(resolved.list_element(&named), Some(t));
            }
            (Shape::Map(m), ResolvedShape::Map(_, t)) => {
                assert_eq!(Ok(t.clone()), TypeRef::parse(&m.value))
            }
            (a, b) => panic!("{name}: {} resolved as {b:?}", a.kind()),
        }
    }
    assert_eq!(resolved.shape("NoSuchShape"), None);
    assert_eq!(resolved.member("StopInstanceRequest", "NoSuchMember"), None);
    let string_list = TypeRef::List(Box::new(TypeRef::String));
    assert_eq!(resolved.list_element(&string_list), Some(&TypeRef::String));
    assert_eq!(resolved.list_element(&TypeRef::String), None);
}

#[test]
fn resolve_refuses_what_validate_refuses() {
    for mutate in [
        |s: &mut Value| request_members(s)[0]["type"] = json!("list<string"),
        |s: &mut Value| s["shapes"]["Ids"] = json!({"type": "list", "member": "Id"}),
        |s: &mut Value| s["format"] = json!(2),
    ] {
        let mut v = real();
        mutate(&mut v);
        let spec: hai_spec::Spec = serde_json::from_value(v).expect("deserialises");
        let validated = spec.validate().expect_err("invalid");
        assert_eq!(spec.resolve().map(|_| ()).expect_err("invalid"), validated);
    }
}

#[test]
fn the_checked_in_spec_is_in_canonical_form() {
    let text = real_text();
    let spec = parse(&text).expect("valid");
    assert!(
        hai_spec::to_text(&spec) == text,
        "the spec file is written by `cargo xtask import-tencent`; hand edits belong in the overlay"
    );
}

#[test]
fn load_reports_a_missing_file() {
    let e = hai_spec::load(std::path::Path::new("no/such/spec.json")).unwrap_err();
    assert_eq!(e.path, "");
    assert!(e.message.contains("cannot read"), "{e}");
}

// ---- malformed JSON ----

#[test]
fn malformed_json_has_line_and_column() {
    let text = "{\n  \"format\": 1,\n  \"service\": {\n    \"name\": \"hai\",,\n";
    let e = parse(text).unwrap_err();
    assert!(e.message.starts_with("malformed JSON"), "{e}");
    assert!(e.message.contains("line 4 column 19"), "{e}");
}

#[test]
fn truncated_json_is_malformed() {
    let text = real_text();
    let e = parse(&text[..text.len() / 2]).unwrap_err();
    assert!(e.message.contains("EOF while parsing"), "{e}");
    assert!(e.message.contains("line "), "{e}");
}

#[test]
fn trailing_garbage_is_refused() {
    let text = real_text() + "\n{}";
    let e = parse(&text).unwrap_err();
    assert_eq!(e.path, "");
    assert!(e.message.contains("trailing characters"), "{e}");
}

#[test]
fn empty_text_is_refused() {
    let e = parse("").unwrap_err();
    assert!(e.message.contains("EOF"), "{e}");
}

// ---- unknown keys and wrong shapes of JSON ----

#[test]
fn unknown_top_level_key() {
    expect(|s| s["extra"] = json!(1), "extra", "unknown field `extra`");
}

#[test]
fn unknown_key_in_action() {
    expect(
        |s| action(s)["retries"] = json!(3),
        "actions.StopInstance.retries",
        "unknown field `retries`",
    );
}

#[test]
fn unknown_key_in_member_has_full_path() {
    expect(
        |s| request_members(s)[1]["optional"] = json!(true),
        "shapes.StopInstanceRequest.members[1].optional",
        "unknown field `optional`",
    );
}

#[test]
fn unknown_key_in_enum_value() {
    expect(
        |s| s["shapes"]["StopMode"]["values"][0]["label"] = json!("x"),
        "shapes.StopMode.values[0].label",
        "unknown field `label`",
    );
}

#[test]
fn key_of_another_shape_kind() {
    expect(
        |s| s["shapes"]["StopMode"]["members"] = json!([]),
        "shapes.StopMode",
        "key \"members\" does not belong in a enum shape",
    );
}

#[test]
fn unknown_shape_kind() {
    expect(
        |s| s["shapes"]["StopMode"]["type"] = json!("union"),
        "shapes.StopMode.type",
        "unknown variant `union`",
    );
}

#[test]
fn missing_required_key() {
    expect(
        |s| {
            action(s).as_object_mut().unwrap().remove("output");
        },
        "actions.StopInstance",
        "missing field `output`",
    );
}

#[test]
fn wrong_json_type() {
    expect(
        |s| action(s)["rate_limit"] = json!("20"),
        "actions.StopInstance.rate_limit",
        "invalid type: string",
    );
}

// ---- service ----

#[test]
fn format_must_be_1() {
    expect(
        |s| s["format"] = json!(2),
        "format",
        "unsupported spec format 2",
    );
}

#[test]
fn service_fields() {
    expect(
        |s| s["service"]["name"] = json!(""),
        "service.name",
        "must not be empty",
    );
    expect(
        |s| s["service"]["signing_service"] = json!(""),
        "service.signing_service",
        "must not be empty",
    );
    expect(
        |s| s["service"]["version"] = json!("2023/08/12"),
        "service.version",
        "YYYY-MM-DD",
    );
    expect(
        |s| s["service"]["host"] = json!("https://hai.tencentcloudapi.com"),
        "service.host",
        "not a host name",
    );
    expect(
        |s| s["service"]["regional_host"] = json!("hai.ap-guangzhou.tencentcloudapi.com"),
        "service.regional_host",
        "lacks the {region} placeholder",
    );
}

// ---- shapes and references ----

#[test]
fn unknown_shape_as_action_input() {
    expect(
        |s| action(s)["input"] = json!("StopInstanceReq"),
        "actions.StopInstance.input",
        "unknown shape \"StopInstanceReq\"",
    );
}

#[test]
fn action_input_must_be_a_structure() {
    expect(
        |s| action(s)["input"] = json!("StopMode"),
        "actions.StopInstance.input",
        "is a enum, but an action input must be a structure",
    );
}

#[test]
fn action_shapes_are_not_shared() {
    expect(
        |s| action(s)["output"] = json!("StopInstanceRequest"),
        "actions.StopInstance.output",
        "already this action's input",
    );
    expect(
        |s| {
            s["actions"]["StartInstance"] = s["actions"]["StopInstance"].clone();
        },
        "actions.StopInstance.input",
        "already action StartInstance's input",
    );
}

#[test]
fn action_io_shape_is_not_a_member_type() {
    expect(
        |s| request_members(s)[0]["type"] = json!("list<StopInstanceResponse>"),
        "shapes.StopInstanceRequest.members[0].type",
        "is the output of action StopInstance",
    );
}

#[test]
fn unknown_shape_in_member_type() {
    expect(
        |s| request_members(s)[1]["type"] = json!("map<StopModes>"),
        "shapes.StopInstanceRequest.members[1].type",
        "unknown shape \"StopModes\"",
    );
}

#[test]
fn unknown_shape_in_list_and_map_shapes() {
    expect(
        |s| s["shapes"]["Ids"] = json!({"type": "list", "member": "Id"}),
        "shapes.Ids.member",
        "unknown shape \"Id\"",
    );
    expect(
        |s| s["shapes"]["Tags"] = json!({"type": "map", "value": "list<Tag>"}),
        "shapes.Tags.value",
        "unknown shape \"Tag\"",
    );
}

#[test]
fn bad_type_syntax() {
    expect(
        |s| request_members(s)[0]["type"] = json!("list<string"),
        "shapes.StopInstanceRequest.members[0].type",
        "lacks a closing '>'",
    );
    expect(
        |s| request_members(s)[0]["type"] = json!("int32"),
        "shapes.StopInstanceRequest.members[0].type",
        "unknown shape \"int32\"",
    );
    expect(
        |s| request_members(s)[0]["type"] = json!("list<>"),
        "shapes.StopInstanceRequest.members[0].type",
        "names no type",
    );
    expect(
        |s| request_members(s)[0]["type"] = json!(" string"),
        "shapes.StopInstanceRequest.members[0].type",
        "white space",
    );
}

#[test]
fn deeply_nested_type_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}string{}", "list<".repeat(100_000), ">".repeat(100_000));
    expect(
        |s| request_members(s)[0]["type"] = json!(deep),
        "shapes.StopInstanceRequest.members[0].type",
        "more than 16 deep",
    );
}

#[test]
fn duplicate_member_names() {
    expect(
        |s| {
            let m = request_members(s);
            let dup = m[0].clone();
            m.push(dup);
        },
        "shapes.StopInstanceRequest.members[3].name",
        "duplicate member \"InstanceId\" (also members[0])",
    );
}

#[test]
fn members_differing_only_in_case_are_allowed() {
    // The generator numbers the Rust fields they share (`gpu_count`, `gpu_count_2`).
    let mut spec = real();
    let m = request_members(&mut spec);
    m.push(json!({"name": "GPUCount", "type": "int64"}));
    m.push(json!({"name": "GpuCount", "type": "int64"}));
    m.push(json!({"name": "Gpu_Count", "type": "int64"}));
    parse(&spec.to_string()).expect("accepted");
}

#[test]
fn duplicate_shape_names() {
    let text = real_text().replacen(
        "\"StopMode\": {",
        "\"StopMode\": {\"type\": \"enum\", \"values\": [{\"value\": \"X\"}]},\n\"StopMode\": {",
        1,
    );
    let e = parse(&text).unwrap_err();
    assert_eq!(e.path, "shapes.StopMode", "{e}");
    assert!(e.message.contains("duplicate key \"StopMode\""), "{e}");
}

#[test]
fn duplicate_action_names() {
    let copy = serde_json::to_string(&real()["actions"]["StopInstance"]).unwrap();
    let text = real_text().replacen(
        "\"actions\": {",
        &format!("\"actions\": {{\"StopInstance\": {copy},"),
        1,
    );
    let e = parse(&text).unwrap_err();
    assert_eq!(e.path, "actions.StopInstance", "{e}");
    assert!(e.message.contains("duplicate key \"StopInstance\""), "{e}");
}

#[test]
fn shape_names_differing_in_case_are_allowed() {
    let mut spec = real();
    spec["shapes"]["Stopmode"] = spec["shapes"]["StopMode"].clone();
    spec["shapes"]["Stop_Mode"] = spec["shapes"]["StopMode"].clone();
    parse(&spec.to_string()).expect("accepted");
}

#[test]
fn primitive_shape_name() {
    expect(
        |s| s["shapes"]["string"] = s["shapes"]["StopMode"].clone(),
        "shapes",
        "shape name \"string\" is a primitive type name",
    );
}

// ---- wire names ----

#[test]
fn invalid_member_wire_name() {
    expect(
        |s| request_members(s)[2]["name"] = json!("Dry-Run"),
        "shapes.StopInstanceRequest.members[2].name",
        "invalid member name \"Dry-Run\"",
    );
    expect(
        |s| request_members(s)[2]["name"] = json!("2DryRun"),
        "shapes.StopInstanceRequest.members[2].name",
        "invalid member name",
    );
}

#[test]
fn invalid_shape_and_action_names() {
    expect(
        |s| s["shapes"]["Stop Mode"] = s["shapes"]["StopMode"].clone(),
        "shapes",
        "invalid shape name \"Stop Mode\"",
    );
    expect(
        |s| s["actions"]["stop.instance"] = json!({"doc": "x", "input": "A", "output": "B"}),
        "actions",
        "invalid action name \"stop.instance\"",
    );
}

// ---- enums ----

#[test]
fn enum_without_values() {
    expect(
        |s| s["shapes"]["StopMode"]["values"] = json!([]),
        "shapes.StopMode.values",
        "at least one value",
    );
}

#[test]
fn bad_enum_values() {
    let set = |v: Value| move |s: &mut Value| s["shapes"]["StopMode"]["values"] = v;
    expect(
        set(json!([{"value": ""}])),
        "shapes.StopMode.values[0].value",
        "cannot be empty",
    );
    expect(
        set(json!([{"value": "STOP CHARGE"}])),
        "shapes.StopMode.values[0].value",
        "printable ASCII",
    );
    expect(
        set(json!([{"value": "STOP_CHARGE"}, {"value": "STOP_CHARGE"}])),
        "shapes.StopMode.values[1].value",
        "duplicate enum value",
    );
    expect(
        set(json!([{"value": "STOP_CHARGE"}, {"value": "stop-charge"}])),
        "shapes.StopMode.values[1].value",
        "collides with \"STOP_CHARGE\"",
    );
}

// ---- error codes ----

#[test]
fn error_code_not_in_catalogue() {
    expect(
        |s| action(s)["errors"][3] = json!("InvalidParameterValue.NoSuchThing"),
        "actions.StopInstance.errors[3]",
        "\"InvalidParameterValue.NoSuchThing\" is not in the catalogue",
    );
}

#[test]
fn duplicate_error_code_in_action() {
    expect(
        |s| {
            action(s)["errors"]
                .as_array_mut()
                .unwrap()
                .push(json!("InternalError"))
        },
        "actions.StopInstance.errors[11]",
        "duplicate error code \"InternalError\" (also errors[1])",
    );
}

#[test]
fn malformed_error_codes() {
    expect(
        |s| action(s)["errors"][0] = json!("Failed..Operation"),
        "actions.StopInstance.errors[0]",
        "invalid error code",
    );
    expect(
        |s| s["errors"]["service"]["Bad Code"] = json!("x"),
        "errors.service",
        "invalid error code \"Bad Code\"",
    );
    expect(
        |s| s["errors"]["common"]["InternalError"] = json!(" "),
        "errors.common.InternalError",
        "needs a description",
    );
}

// ---- cycles ----

#[test]
fn structures_may_contain_themselves() {
    // Directly, through other structures, through optional members: the generator boxes
    // the link (Tencent has `WorkflowTask`, `JobConfig`, `CNAPIGwMCPToolParam`).
    let mut spec = real();
    spec["shapes"]["A"] = json!({"type": "structure", "members": [
        {"name": "Id", "type": "string"},
        {"name": "Next", "type": "B"}
    ]});
    spec["shapes"]["B"] = json!({"type": "structure", "members": [
        {"name": "Back", "type": "A", "required": true}
    ]});
    spec["shapes"]["Node"] = json!({"type": "structure", "members": [
        {"name": "Parent", "type": "Node", "nullable": true},
        {"name": "Children", "type": "list<Node>"},
        {"name": "ByName", "type": "map<Node>"},
        {"name": "More", "type": "Nodes"}
    ]});
    spec["shapes"]["Nodes"] = json!({"type": "list", "member": "Node"});
    parse(&spec.to_string()).expect("recursion is allowed");
}

#[test]
fn long_chain_of_structures_does_not_overflow() {
    let mut spec = real();
    let n = 20_000;
    for i in 0..n {
        let next = if i + 1 == n {
            "S0".to_owned()
        } else {
            format!("S{}", i + 1)
        };
        spec["shapes"][format!("S{i}")] =
            json!({"type": "structure", "members": [{"name": "Next", "type": next}]});
    }
    parse(&spec.to_string()).expect("a long cycle is accepted");
}

// ---- actions ----

#[test]
fn rate_limit_must_be_positive() {
    expect(
        |s| action(s)["rate_limit"] = json!(0),
        "actions.StopInstance.rate_limit",
        "greater than 0",
    );
}

#[test]
fn output_needs_request_id() {
    expect(
        |s| {
            response_members(s).pop();
        },
        "actions.StopInstance.output",
        "needs a member \"RequestId\" of type string",
    );
    expect(
        |s| response_members(s)[1]["type"] = json!("uint64"),
        "actions.StopInstance.output",
        "RequestId",
    );
}

// ---- examples ----

#[test]
fn example_request_keys_are_input_members() {
    expect(
        |s| example(s)["request"]["Force"] = json!(true),
        "actions.StopInstance.examples[0].request.Force",
        "\"Force\" is not a member of StopInstanceRequest",
    );
}

#[test]
fn example_request_must_be_an_object_with_required_members() {
    expect(
        |s| example(s)["request"] = json!([]),
        "actions.StopInstance.examples[0].request",
        "must be an object",
    );
    expect(
        |s| {
            example(s)["request"]
                .as_object_mut()
                .unwrap()
                .remove("InstanceId");
        },
        "actions.StopInstance.examples[0].request",
        "required member \"InstanceId\" of StopInstanceRequest is missing",
    );
}

#[test]
fn example_request_values_fit_their_types() {
    expect(
        |s| example(s)["request"]["DryRun"] = json!("false"),
        "actions.StopInstance.examples[0].request.DryRun",
        "expected a boolean",
    );
    expect(
        |s| example(s)["request"]["DryRun"] = json!(null),
        "actions.StopInstance.examples[0].request.DryRun",
        "null is not allowed: the member is not nullable",
    );
    expect(
        |s| example(s)["request"]["StopMode"] = json!("STOP"),
        "actions.StopInstance.examples[0].request.StopMode",
        "not a value of enum StopMode",
    );
}

#[test]
fn example_response_envelope() {
    expect(
        |s| example(s)["response"] = json!({"TaskId": 1, "RequestId": "x"}),
        "actions.StopInstance.examples[0].response",
        "{\"Response\": {...}}",
    );
    expect(
        |s| example(s)["response"]["Response"]["Extra"] = json!(1),
        "actions.StopInstance.examples[0].response.Response.Extra",
        "not a member of StopInstanceResponse",
    );
    expect(
        |s| example(s)["response"]["Response"]["TaskId"] = json!(-1),
        "actions.StopInstance.examples[0].response.Response.TaskId",
        "expected a uint64 integer",
    );
    // Whole wire bodies keep integers as JSON numbers.
    expect(
        |s| example(s)["response"]["Response"]["TaskId"] = json!("123456"),
        "actions.StopInstance.examples[0].response.Response.TaskId",
        "expected a uint64 integer",
    );
}

#[test]
fn example_error_response() {
    let mut spec = real();
    example(&mut spec)["response"] = json!({"Response": {
        "Error": {"Code": "UnsupportedOperation.InstanceStateTerminated", "Message": "gone"},
        "RequestId": "r-1"
    }});
    parse(&spec.to_string()).expect("a documented error is a valid example");

    expect(
        |s| {
            example(s)["response"] = json!({"Response": {
                "Error": {"Code": "ResourceNotFound.Nope", "Message": "gone"},
                "RequestId": "r-1"
            }})
        },
        "actions.StopInstance.examples[0].response.Response.Error.Code",
        "neither in this action's errors nor in errors.common",
    );
    expect(
        |s| {
            example(s)["response"] = json!({"Response": {
                "Error": {"Code": "InternalError", "Message": "x"},
                "TaskId": 1
            }})
        },
        "actions.StopInstance.examples[0].response.Response.TaskId",
        "only Error and RequestId",
    );
}

// ---- member defaults and examples ----

#[test]
fn enum_default_must_be_a_known_value() {
    expect(
        |s| request_members(s)[1]["default"] = json!("STOP_ALL"),
        "shapes.StopInstanceRequest.members[1].default",
        "\"STOP_ALL\" is not a value of enum StopMode (values: STOP_CHARGE)",
    );
}

#[test]
fn default_and_example_fit_the_type() {
    expect(
        |s| request_members(s)[2]["default"] = json!(0),
        "shapes.StopInstanceRequest.members[2].default",
        "expected a boolean, found 0",
    );
    expect(
        |s| request_members(s)[0]["example"] = json!(7),
        "shapes.StopInstanceRequest.members[0].example",
        "expected a string",
    );
    expect(
        |s| response_members(s)[0]["example"] = json!(1.5),
        "shapes.StopInstanceResponse.members[0].example",
        "expected a uint64 integer or decimal string, found 1.5",
    );
    expect(
        |s| response_members(s)[0]["example"] = json!("+12"),
        "shapes.StopInstanceResponse.members[0].example",
        "uint64",
    );
    expect(
        |s| response_members(s)[0]["example"] = json!("18446744073709551616"),
        "shapes.StopInstanceResponse.members[0].example",
        "uint64",
    );
}

#[test]
fn uint64_member_examples_may_be_numbers_or_decimal_strings() {
    for ok in [json!(0), json!(u64::MAX), json!("18446744073709551615")] {
        let mut spec = real();
        response_members(&mut spec)[0]["example"] = ok.clone();
        parse(&spec.to_string()).unwrap_or_else(|e| panic!("{ok} refused: {e}"));
    }
    let mut spec = real();
    request_members(&mut spec).push(json!({"name": "Offset", "type": "int64", "example": "-5"}));
    parse(&spec.to_string()).expect("a signed decimal string fits int64");
}

#[test]
fn nested_example_values_are_checked() {
    expect(
        |s| {
            s["shapes"]["Tag"] = json!({"type": "structure", "members": [
                {"name": "Key", "type": "string", "required": true},
                {"name": "Values", "type": "list<int64>"}
            ]});
            request_members(s).push(json!({
                "name": "Tags", "type": "map<Tag>",
                "example": {"env": {"Key": "env", "Values": [1, "x"]}}
            }));
        },
        "shapes.StopInstanceRequest.members[3].example.env.Values[1]",
        "expected an int64 integer",
    );
}

#[test]
fn required_member_with_default() {
    expect(
        |s| request_members(s)[0]["default"] = json!("hai-1"),
        "shapes.StopInstanceRequest.members[0].default",
        "a required member cannot have a default",
    );
}

// ---- the documented example ----

#[test]
fn display_joins_path_and_message() {
    let mut spec = real();
    action(&mut spec)["input"] = json!("StopInstanceReq");
    let e = refuse(&spec);
    assert_eq!(
        e.to_string(),
        "actions.StopInstance.input: unknown shape \"StopInstanceReq\""
    );
}

// ---- paging ----

fn paging(spec: &mut Value) -> &mut Value {
    &mut spec["actions"]["DescribeInstances"]["paging"]
}

#[test]
fn the_real_spec_pages_six_actions() {
    let spec = hai_spec::load(&hai_spec::hai_spec_path()).expect("valid");
    let paging: Vec<&str> = spec
        .actions
        .iter()
        .filter(|(_, a)| a.paging.is_some())
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        paging,
        [
            "DescribeApplications",
            "DescribeInstances",
            "DescribeModels",
            "DescribeMuskPrompts",
            "DescribeServices",
            "DescribeServicesCallInfo"
        ]
    );
    let p = spec.actions["DescribeServicesCallInfo"]
        .paging
        .as_ref()
        .unwrap();
    assert_eq!(
        (p.total_count.as_deref(), p.default_page_size),
        (None, None)
    );
    let names: Vec<&str> = spec.resources.keys().map(String::as_str).collect();
    assert_eq!(names, ["Application", "Instance", "Service"]);
}

#[test]
fn paging_members_must_exist_and_be_integers() {
    expect(
        |s| paging(s)["offset"] = json!("Skip"),
        "actions.DescribeInstances.paging.offset",
        "structure \"DescribeInstancesRequest\" has no member \"Skip\"",
    );
    expect(
        |s| paging(s)["limit"] = json!("InstanceIds"),
        "actions.DescribeInstances.paging.limit",
        "the limit must be int64 or uint64",
    );
    expect(
        |s| paging(s)["limit"] = json!("Offset"),
        "actions.DescribeInstances.paging.limit",
        "different members",
    );
    expect(
        |s| paging(s)["items"] = json!("TotalCount"),
        "actions.DescribeInstances.paging.items",
        "the items must be a list",
    );
    expect(
        |s| paging(s)["total_count"] = json!("RequestId"),
        "actions.DescribeInstances.paging.total_count",
        "the total count must be int64 or uint64",
    );
}

#[test]
fn page_sizes_are_positive_and_ordered() {
    expect(
        |s| paging(s)["max_page_size"] = json!(0),
        "actions.DescribeInstances.paging.max_page_size",
        "at least 1",
    );
    expect(
        |s| paging(s)["default_page_size"] = json!(500),
        "actions.DescribeInstances.paging.default_page_size",
        "exceeds the maximum 100",
    );
    expect(
        |s| paging(s)["default_page_size"] = json!(-1),
        "actions.DescribeInstances.paging.default_page_size",
        "invalid value",
    );
    expect(
        |s| paging(s)["cursor"] = json!("Next"),
        "actions.DescribeInstances.paging.cursor",
        "unknown field `cursor`",
    );
}

// ---- resources ----

fn resource(spec: &mut Value) -> &mut Value {
    &mut spec["resources"]["Instance"]
}

#[test]
fn a_resource_names_an_action_and_one_selection() {
    expect(
        |s| resource(s)["describe"] = json!("ListInstances"),
        "resources.Instance.describe",
        "unknown action \"ListInstances\"",
    );
    expect(
        |s| resource(s)["filter"] = json!({"member": "Filters", "name": "instance-id"}),
        "resources.Instance",
        "exactly one of id_list and filter",
    );
    expect(
        |s| {
            resource(s).as_object_mut().unwrap().remove("id_list");
        },
        "resources.Instance",
        "exactly one of id_list and filter",
    );
    expect(
        |s| resource(s)["id_list"] = json!("Filters"),
        "resources.Instance.id_list",
        "an id list must be a list of strings",
    );
    expect(
        |s| s["resources"]["9lives"] = s["resources"]["Instance"].clone(),
        "resources",
        "invalid resource name \"9lives\"",
    );
}

#[test]
fn a_filter_selection_needs_name_and_values() {
    let mut spec = real();
    let r = resource(&mut spec).as_object_mut().unwrap();
    r.remove("id_list");
    r.insert(
        "filter".into(),
        json!({"member": "Filters", "name": "instance-id"}),
    );
    let text = serde_json::to_string(&spec).unwrap();
    let parsed = parse(&text).expect("a filter selection is valid");
    assert_eq!(
        parsed.resources["Instance"].filter.as_ref().unwrap().name,
        "instance-id"
    );

    let with_filter = |s: &mut Value, member: &str, name: &str| {
        let r = resource(s).as_object_mut().unwrap();
        r.remove("id_list");
        r.insert("filter".into(), json!({"member": member, "name": name}));
    };
    expect(
        |s| with_filter(s, "Offset", "instance-id"),
        "resources.Instance.filter.member",
        "a filter member must be a list of structures",
    );
    expect(
        |s| with_filter(s, "Filters", " "),
        "resources.Instance.filter.name",
        "cannot be empty",
    );
    expect(
        |s| {
            with_filter(s, "Filters", "instance-id");
            s["shapes"]["Filter"]["members"][0]["name"] = json!("Key");
            // Examples use `Name`; they are checked first.
            for a in s["actions"].as_object_mut().unwrap().values_mut() {
                a.as_object_mut().unwrap().remove("examples");
            }
        },
        "resources.Instance.filter.member",
        "needs a member \"Name\" that is a string",
    );
}

#[test]
fn a_waiter_cannot_fill_other_required_members() {
    expect(
        |s| {
            s["resources"]["Prompt"] = json!({
                "describe": "DescribeMuskPrompts",
                "filter": {"member": "Filters", "name": "PromptId"},
                "items": "MuskPromptInfos", "id": "PromptId", "state": "ErrorMessage"
            })
        },
        "resources.Prompt.describe",
        "member \"WorkgroupId\" of DescribeMuskPromptsRequest is required",
    );
}

#[test]
fn items_id_and_state_have_fitting_types() {
    expect(
        |s| resource(s)["items"] = json!("TotalCount"),
        "resources.Instance.items",
        "a list of structures",
    );
    expect(
        |s| resource(s)["id"] = json!("GPUCount"),
        "resources.Instance.id",
        "an id must be a string",
    );
    expect(
        |s| resource(s)["id"] = json!("Id"),
        "resources.Instance.id",
        "structure \"Instance\" has no member \"Id\"",
    );
    expect(
        |s| resource(s)["state"] = json!("SystemDisk"),
        "resources.Instance.state",
        "a state must be a string or an enum",
    );
}

#[test]
fn states_are_values_of_the_state_enum() {
    expect(
        |s| resource(s)["unreachable"]["HIBERNATING"] = json!([]),
        "resources.Instance.unreachable",
        "\"HIBERNATING\" is not a value of InstanceState",
    );
    expect(
        |s| resource(s)["unreachable"]["RUNNING"][0] = json!("GONE"),
        "resources.Instance.unreachable.RUNNING[0]",
        "\"GONE\" is not a value of InstanceState",
    );
    expect(
        |s| resource(s)["unreachable"]["RUNNING"] = json!(["RUNNING"]),
        "resources.Instance.unreachable.RUNNING[0]",
        "always reachable from itself",
    );
    expect(
        |s| resource(s)["unreachable"]["RUNNING"] = json!(["TERMINATED", "TERMINATED"]),
        "resources.Instance.unreachable.RUNNING[1]",
        "duplicate state \"TERMINATED\" (also [0])",
    );
    expect(
        |s| resource(s)["waiters"]["running"]["target"] = json!("Running"),
        "resources.Instance.waiters.running.target",
        "not a value of InstanceState",
    );
    expect(
        |s| resource(s)["waiters"]["2fast"] = json!({"target": "RUNNING"}),
        "resources.Instance.waiters",
        "invalid waiter name \"2fast\"",
    );
    expect(
        |s| resource(s)["waiters"]["running"]["timeout"] = json!(5),
        "resources.Instance.waiters.running.timeout",
        "unknown field `timeout`",
    );
}

/// Turns `ServiceDetail.ServiceState` back into a plain string, as in specs with no enum for
/// a resource's state (other services').
fn string_service_state(s: &mut Value) {
    let members = s["shapes"]["ServiceDetail"]["members"]
        .as_array_mut()
        .expect("ServiceDetail has members");
    let state = members
        .iter_mut()
        .find(|m| m["name"] == "ServiceState")
        .expect("ServiceDetail.ServiceState");
    state["type"] = json!("string");
}

#[test]
fn string_states_are_printable_words() {
    expect(
        |s| {
            string_service_state(s);
            s["resources"]["Service"]["waiters"]["running"]["target"] = json!("RUN NING")
        },
        "resources.Service.waiters.running.target",
        "printable ASCII without white space",
    );
    expect(
        |s| {
            string_service_state(s);
            s["resources"]["Service"]["unreachable"]["RUNNING"] = json!([""])
        },
        "resources.Service.unreachable.RUNNING[0]",
        "non-empty",
    );
}

#[test]
fn enum_states_are_values_of_the_enum() {
    expect(
        |s| s["resources"]["Service"]["waiters"]["running"]["target"] = json!("RUN NING"),
        "resources.Service.waiters.running.target",
        "is not a value of ServiceState",
    );
}

#[test]
fn not_found_errors_are_codes_of_the_describe_action() {
    expect(
        |s| {
            s["resources"]["Service"]["not_found_errors"] =
                json!(["InvalidParameterValue.InstanceIdNotFound"])
        },
        "resources.Service.not_found_errors[0]",
        "neither in the errors of DescribeServices nor in errors.common",
    );
    expect(
        |s| {
            s["resources"]["Service"]["not_found_errors"] = json!([
                "InvalidParameterValue.ServiceIdNotFound",
                "InvalidParameterValue.ServiceIdNotFound"
            ])
        },
        "resources.Service.not_found_errors[1]",
        "duplicate error code",
    );
}

/// Lists and maps that contain only one another have no finite value: the generator would
/// recurse without end, so validation refuses them; a structure on the way is fine.
#[test]
fn lists_and_maps_that_contain_only_each_other_are_refused() {
    expect(
        |s| {
            s["shapes"]["LoopA"] = json!({"type": "list", "member": "LoopB"});
            s["shapes"]["LoopB"] = json!({"type": "map", "value": "list<LoopA>"});
        },
        "shapes.LoopA.member",
        "LoopA -> LoopB -> LoopA",
    );
    expect(
        |s| s["shapes"]["Selfish"] = json!({"type": "list", "member": "Selfish"}),
        "shapes.Selfish.member",
        "Selfish -> Selfish",
    );
    // Through a structure the cycle is a tree of values: accepted.
    let mut spec = real();
    spec["shapes"]["TreeList"] = json!({"type": "list", "member": "TreeNode"});
    spec["shapes"]["TreeNode"] = json!({"type": "structure", "members": [
        {"name": "Children", "type": "TreeList"}
    ]});
    parse(&serde_json::to_string_pretty(&spec).unwrap()).expect("a structure breaks the cycle");
}
