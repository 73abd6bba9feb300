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
        ["Name", "Tags", "ClientToken", "Weight"],
        "disabled members are dropped"
    );
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
