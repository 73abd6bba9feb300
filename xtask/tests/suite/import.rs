//! The importer against Tencent's published HAI api.json and a fixture of another service.

use std::path::{Path, PathBuf};

use hai_spec::{Shape, Spec};
use xtask::import::{import, import_to_string, ImportOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A member type with enum shapes seen as the `string` they are on the wire.
fn wire_type(spec: &Spec, ty: &str) -> String {
    let mut out = ty.to_owned();
    for (name, shape) in spec.shapes.iter() {
        if matches!(shape, Shape::Enum(_)) {
            if out == *name {
                out = "string".to_owned();
            }
            out = out.replace(&format!("<{name}>"), "<string>");
        }
    }
    out
}

#[test]
fn hai_import_matches_the_checked_in_spec_structurally() {
    let reference = root().join("hai-spec/reference");
    let text = import_to_string(
        &read(&reference.join("hai-2023-08-12.api.json")),
        Some(&read(&reference.join("hai-2023-08-12.errors.json"))),
        &ImportOptions {
            rate_limit: Some(20),
            host: None,
        },
    )
    .expect("import validates");
    let imported = hai_spec::parse(&text).unwrap();
    let ours = hai_spec::load(&hai_spec::hai_spec_path()).unwrap();

    assert_eq!(imported.actions.len(), 26);
    let names = |s: &Spec| s.actions.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&imported), names(&ours));
    for (name, a) in imported.actions.iter() {
        let b = &ours.actions[name];
        assert_eq!((&a.input, &a.output), (&b.input, &b.output), "{name}");
        assert_eq!(a.rate_limit, b.rate_limit, "{name}: rate limit");
        assert_eq!(a.idempotent, b.idempotent, "{name}: idempotent");
        let mut ca = a.errors.clone();
        let mut cb = b.errors.clone();
        ca.sort();
        cb.sort();
        assert_eq!(ca, cb, "{name}: error codes");
    }
    for (name, shape) in imported.shapes.iter() {
        let Shape::Structure(a) = shape else { continue };
        let Some(Shape::Structure(b)) = ours.shapes.get(name) else {
            panic!("shape {name} missing from the checked-in spec")
        };
        let sig = |spec: &Spec, s: &hai_spec::Structure| {
            s.members
                .iter()
                .map(|m| {
                    (
                        m.name.clone(),
                        wire_type(spec, &m.ty),
                        m.required,
                        m.nullable,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(sig(&imported, a), sig(&ours, b), "shape {name}");
    }
    // Every structure of ours came from the import (enums are our additions).
    for (name, shape) in ours.shapes.iter() {
        if matches!(shape, Shape::Structure(_)) {
            assert!(
                imported.shapes.contains_key(name),
                "{name} is not in api.json"
            );
        }
    }
    assert!(ours.actions["RunInstances"].idempotent);
    assert!(ours.actions["InquirePriceRunInstances"].idempotent);
}

#[test]
fn another_service_imports_to_the_checked_in_fixture() {
    let fixtures = root().join("tests/fixtures");
    let text = import_to_string(
        &read(&fixtures.join("widgets.api.json")),
        Some(&read(&fixtures.join("widgets.errors.json"))),
        &ImportOptions::default(),
    )
    .expect("fixture imports");
    assert_eq!(
        text,
        read(&fixtures.join("widgets-imported.json")),
        "re-run: cargo xtask import-tencent --api-json tests/fixtures/widgets.api.json \
         --errors tests/fixtures/widgets.errors.json --out tests/fixtures/widgets-imported.json"
    );
    let spec = hai_spec::parse(&text).unwrap();
    assert_eq!(spec.service.name, "widgets");
    assert!(
        spec.actions["CreateGadget"].idempotent,
        "ClientToken makes it idempotent"
    );
    let Some(Shape::Structure(req)) = spec.shapes.get("CreateGadgetRequest") else {
        panic!()
    };
    let names: Vec<&str> = req.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["Name", "Tags", "ClientToken", "Weight", "Internal"],
        "disabled members are kept"
    );
    assert!(req.members[4].deprecated && !req.members[4].required);
    assert!(req.members.iter().filter(|m| m.deprecated).count() == 1);
    assert_eq!(req.members[1].ty, "list<Tag>");
    assert_eq!(
        req.members[1].example, None,
        "free-text examples that do not fit are dropped"
    );
    assert_eq!(req.members[3].example, Some(serde_json::json!(1.5)));
    assert!(spec
        .errors
        .service
        .contains_key("ResourceNotFound.GadgetGone"));
    assert_eq!(
        spec.actions["ListGadgets"].errors,
        ["InvalidParameterValue.InvalidGadgetIdMalformed"]
    );
}

#[test]
fn without_an_errors_file_actions_get_only_common_codes() {
    let fixtures = root().join("tests/fixtures");
    let v = import(
        &read(&fixtures.join("widgets.api.json")),
        None,
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(v.actions["CreateGadget"].errors.is_empty());
    assert!(v.errors.common.contains_key("RequestLimitExceeded"));
    assert!(v.errors.service.is_empty());
}

#[test]
fn importer_errors_name_the_json_path() {
    let bad_type = r#"{"metadata": {"apiVersion": "2020-01-01", "serviceShortName": "x"},
        "actions": {}, "objects": {"A": {"members": [{"name": "B", "type": "blob", "member": "blob"}]}}}"#;
    let e = import(bad_type, None, &ImportOptions::default()).unwrap_err();
    assert_eq!(e.path, "objects.A.members[0].type");
    let missing = r#"{"metadata": {"apiVersion": "2020-01-01", "serviceShortName": "x"},
        "actions": {"Go": {"input": "GoRequest", "output": "GoResponse"}}, "objects": {}}"#;
    let e = import(missing, None, &ImportOptions::default()).unwrap_err();
    assert_eq!(e.path, "actions.Go.input");
    let e = import("{", None, &ImportOptions::default()).unwrap_err();
    assert!(e.message.contains("malformed JSON"), "{e}");
    let e = import(r#"{"metadata": {}}"#, None, &ImportOptions::default()).unwrap_err();
    assert_eq!(e.path, "metadata.serviceShortName");
    let errs = r#"{"actions": {"Go": "nope"}}"#;
    let e = import(r#"{"metadata": {"apiVersion": "2020-01-01", "serviceShortName": "x"}, "actions": {}, "objects": {}}"#, Some(errs), &ImportOptions::default()).unwrap_err();
    assert_eq!((e.file, e.path.as_str()), ("errors.json", "actions.Go"));
}

fn reference(name: &str) -> String {
    read(&root().join("hai-spec/reference").join(name))
}

fn overlay_path() -> PathBuf {
    root().join("hai-spec/spec/hai-2023-08-12.overlay.json")
}

#[test]
fn hai_spec_is_the_import_plus_the_overlay_byte_for_byte() {
    let r = xtask::refresh(
        &reference("hai-2023-08-12.api.json"),
        Some(&reference("hai-2023-08-12.errors.json")),
        Some(&read(&overlay_path())),
        None,
        &ImportOptions::default(),
        false,
    )
    .expect("refresh");
    assert!(
        r.spec_text == read(&hai_spec::hai_spec_path()),
        "re-run: cargo xtask import-tencent --api-json hai-spec/reference/hai-2023-08-12.api.json \
         --errors hai-spec/reference/hai-2023-08-12.errors.json \
         --overlay hai-spec/spec/hai-2023-08-12.overlay.json --out hai-spec/spec/hai-2023-08-12.json"
    );
    assert_eq!(r.overlay_text, None, "nothing stale");
    assert_eq!(
        r.undocumented, 0,
        "every action, shape and member has English docs"
    );
    // The overlay is the smallest one: extracting it again gives the same file.
    let plain = import(
        &reference("hai-2023-08-12.api.json"),
        Some(&reference("hai-2023-08-12.errors.json")),
        &ImportOptions::default(),
    )
    .unwrap();
    let ours = hai_spec::load(&hai_spec::hai_spec_path()).unwrap();
    let extracted = hai_spec::overlay::extract(&plain, &ours).expect("extract");
    assert_eq!(
        hai_spec::overlay::to_text(&extracted),
        read(&overlay_path())
    );
}

/// Tencent's next HAI release, simulated: one new action, one new member, one removed
/// member, one changed member type.
fn next_release() -> String {
    let mut api: serde_json::Value =
        serde_json::from_str(&reference("hai-2023-08-12.api.json")).unwrap();
    api["actions"]["DescribeGadgets"] = serde_json::json!({
        "document": "查询小工具。", "input": "DescribeGadgetsRequest",
        "output": "DescribeGadgetsResponse", "name": "查询小工具", "status": "online"
    });
    let member = |name: &str, ty: &str, member: &str| {
        serde_json::json!({"disabled": false, "document": "", "example": "", "member": member,
            "name": name, "required": false, "type": ty})
    };
    let objects = &mut api["objects"];
    objects["DescribeGadgetsRequest"] =
        serde_json::json!({"members": [member("GadgetIds", "list", "string")], "type": "object"});
    objects["DescribeGadgetsResponse"] = serde_json::json!({"members": [member("TotalCount", "int", "uint64"), member("RequestId", "string", "string")], "type": "object"});
    objects["StopInstanceRequest"]["members"]
        .as_array_mut()
        .unwrap()
        .push(member("Force", "bool", "bool"));
    objects["DescribeRegionsResponse"]["members"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["name"] != "RegionSet");
    for m in objects["SystemDisk"]["members"].as_array_mut().unwrap() {
        if m["name"] == "DiskSize" {
            m["member"] = "uint64".into();
        }
    }
    serde_json::to_string_pretty(&api).unwrap()
}

#[test]
fn a_tencent_release_shows_in_the_spec_the_report_and_the_code() {
    let api = next_release();
    let errors = reference("hai-2023-08-12.errors.json");
    let overlay = read(&overlay_path());
    let old = read(&hai_spec::hai_spec_path());
    let run = |drop_stale| {
        xtask::refresh(
            &api,
            Some(&errors),
            Some(&overlay),
            Some(&old),
            &ImportOptions::default(),
            drop_stale,
        )
    };

    // The removed member had hand-written docs: refused until told to drop them.
    let e = run(false).unwrap_err();
    assert!(
        e.contains("shapes.DescribeRegionsResponse.members.RegionSet: no such member"),
        "{e}"
    );
    assert!(e.contains("--drop-stale"), "{e}");

    let r = run(true).expect("refresh with --drop-stale");
    for line in [
        "change: new action DescribeGadgets",
        "change: new shape DescribeGadgetsRequest",
        "change: new member StopInstanceRequest.Force (boolean)",
        "change: removed member DescribeRegionsResponse.RegionSet",
        "change: member SystemDisk.DiskSize changed type: int64 -> uint64",
        "dropped stale: shapes.DescribeRegionsResponse.members.RegionSet: no such member",
        "no English doc: action DescribeGadgets",
        "no English doc: shape DescribeGadgetsRequest",
        "no English doc: member StopInstanceRequest.Force",
    ] {
        assert!(
            r.report.iter().any(|l| l == line),
            "report lacks {line:?}:\n{}",
            r.report.join("\n")
        );
    }
    assert_eq!(r.undocumented, 7, "{:#?}", r.report);
    let new_overlay = r.overlay_text.expect("stale entry dropped");
    assert!(!new_overlay.contains("\"RegionSet\""));
    let dropped = hai_spec::overlay::parse(&new_overlay).unwrap();
    let mut expected = hai_spec::overlay::parse(&overlay).unwrap();
    expected
        .shapes
        .0
        .get_mut("DescribeRegionsResponse")
        .unwrap()
        .members
        .0
        .remove("RegionSet")
        .expect("the overlay documented RegionSet");
    assert_eq!(dropped, expected, "only the stale entry went");

    let spec = hai_spec::parse(&r.spec_text).unwrap();
    assert!(spec.actions.contains_key("DescribeGadgets"));
    let st = |n: &str| spec.structure(n).unwrap();
    assert!(st("StopInstanceRequest")
        .members
        .iter()
        .any(|m| m.name == "Force"));
    assert!(st("DescribeRegionsResponse")
        .members
        .iter()
        .all(|m| m.name != "RegionSet"));
    let disk = st("SystemDisk")
        .members
        .iter()
        .find(|m| m.name == "DiskSize")
        .unwrap();
    assert_eq!(disk.ty, "uint64");
    assert_eq!(
        spec.actions["StopInstance"].doc,
        hai_spec::load(&hai_spec::hai_spec_path()).unwrap().actions["StopInstance"].doc,
        "English docs survive the refresh"
    );

    let files = hai_codegen::generate(
        &spec,
        &r.spec_text,
        &hai_codegen::Options {
            label: Some("hai.json".into()),
            ..Default::default()
        },
    )
    .expect("the refreshed spec generates");
    let file = |p: &str| {
        files
            .iter()
            .find(|f| f.path == p)
            .map(|f| f.contents.clone())
            .unwrap_or_else(|| panic!("no {p}"))
    };
    assert!(file("describe_gadgets.rs").contains("pub struct DescribeGadgetsRequest"));
    assert!(file("client.rs").contains("pub fn describe_gadgets("));
    assert!(file("stop_instance.rs").contains("pub force: ::std::option::Option<bool>"));
    assert!(!file("describe_regions.rs").contains("region_set"));
    let types = file("types.rs");
    let disk = types.find("pub struct SystemDisk").unwrap();
    assert!(types[disk..].contains("pub disk_size: ::std::option::Option<u64>"));
}

#[test]
fn the_constructs_fixture_is_its_import_plus_overlay() {
    let fixtures = root().join("tests/fixtures");
    let r = xtask::refresh(
        &read(&fixtures.join("constructs.api.json")),
        None,
        Some(&read(&fixtures.join("constructs.overlay.json"))),
        None,
        &ImportOptions::default(),
        false,
    )
    .expect("refresh");
    assert!(
        r.spec_text == read(&fixtures.join("constructs.json")),
        "re-run: cargo xtask import-tencent --api-json tests/fixtures/constructs.api.json \
         --overlay tests/fixtures/constructs.overlay.json --out tests/fixtures/constructs.json"
    );
    let spec = hai_spec::parse(&r.spec_text).unwrap();
    let all = spec.structure("AllTypes").unwrap();
    let types: Vec<(&str, &str)> = all
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.ty.as_str()))
        .collect();
    for expected in [
        ("String", "Color"),
        ("Int64", "int64"),
        ("UInt64List", "list<uint64>"),
        ("Integer", "int64"),
        ("Float", "float64"),
        ("Bool", "boolean"),
        ("DateTime", "string"),
        ("DateTimeIsoList", "list<string>"),
        ("Date", "string"),
        ("Binary", "string"),
        ("Object", "Node"),
        ("ObjectList", "list<Node>"),
    ] {
        assert!(types.contains(&expected), "{expected:?} in {types:?}");
    }
    // Tencent's Chinese text is kept as the doc, but only the overlay counts as English.
    assert!(r
        .report
        .contains(&"no English doc: member Node.Parent".to_owned()));
}

#[test]
fn a_type_override_whose_base_changed_is_stale() {
    let fixtures = root().join("tests/fixtures");
    let mut v: serde_json::Value =
        serde_json::from_str(&read(&fixtures.join("constructs.api.json"))).unwrap();
    for m in v["objects"]["AllTypes"]["members"].as_array_mut().unwrap() {
        if m["name"] == "String" {
            m["type"] = "int".into();
            m["member"] = "int64".into();
        }
    }
    let api = v.to_string();
    let e = xtask::refresh(
        &api,
        None,
        Some(&read(&fixtures.join("constructs.overlay.json"))),
        None,
        &ImportOptions::default(),
        false,
    )
    .unwrap_err();
    assert!(
        e.contains(
            "shapes.AllTypes.members.String.type: Tencent's type is now \"int64\", not \"string\""
        ),
        "{e}"
    );
}

/// A release that removes a member the paging or a resource names: the merged spec is
/// refused with the JSON path of the key, and a resource whose describe action is gone is
/// stale like any other overlay entry.
#[test]
fn paging_and_resources_follow_tencent_releases() {
    let errors = reference("hai-2023-08-12.errors.json");
    let overlay = read(&overlay_path());
    let refresh = |api: &serde_json::Value, drop_stale| {
        xtask::refresh(
            &serde_json::to_string(api).unwrap(),
            Some(&errors),
            Some(&overlay),
            None,
            &ImportOptions::default(),
            drop_stale,
        )
    };
    let original: serde_json::Value =
        serde_json::from_str(&reference("hai-2023-08-12.api.json")).unwrap();

    let mut api = original.clone();
    api["objects"]["DescribeServicesResponse"]["members"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["name"] != "TotalCount");
    let e = refresh(&api, true).unwrap_err();
    assert!(
        e.contains("actions.DescribeServices.paging.total_count: structure \"DescribeServicesResponse\" has no member \"TotalCount\""),
        "{e}"
    );

    let mut api = original.clone();
    api["objects"]["ServiceDetail"]["members"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["name"] != "ServiceState");
    let e = refresh(&api, true).unwrap_err();
    assert!(
        e.contains(
            "resources.Service.state: structure \"ServiceDetail\" has no member \"ServiceState\""
        ),
        "{e}"
    );

    let mut api = original;
    api["actions"]
        .as_object_mut()
        .unwrap()
        .remove("DescribeApplications");
    let e = refresh(&api, false).unwrap_err();
    assert!(
        e.contains("resources.Application: no such action \"DescribeApplications\" to describe it"),
        "{e}"
    );
    let r = refresh(&api, true).expect("stale entries dropped");
    let dropped = hai_spec::overlay::parse(&r.overlay_text.expect("rewritten")).unwrap();
    assert!(!dropped.resources.contains_key("Application"));
    assert!(dropped.resources.contains_key("Service"));
    let spec = hai_spec::parse(&r.spec_text).unwrap();
    assert!(!spec.resources.contains_key("Application"));
}
