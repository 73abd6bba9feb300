//! Specs that are valid JSON specs but cannot become valid, unambiguous Rust: each is a
//! typed error naming the JSON path, never a panic.

use hai_codegen::{generate, CodegenError, Options};
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "format": 1,
        "service": {"name": "demo", "version": "2020-01-01", "host": "demo.example.com", "signing_service": "demo"},
        "actions": {
            "DoThing": {"doc": "Does it.", "input": "DoThingRequest", "output": "DoThingResponse", "errors": []}
        },
        "shapes": {
            "DoThingRequest": {"type": "structure", "members": [{"name": "Id", "type": "string", "required": true}]},
            "DoThingResponse": {"type": "structure", "members": [{"name": "RequestId", "type": "string", "required": true}]}
        },
        "errors": {"common": {"InternalError": "Internal."}, "service": {}}
    })
}

fn run(spec: &Value) -> Result<usize, CodegenError> {
    let text = serde_json::to_string_pretty(spec).unwrap();
    let parsed =
        hai_spec::parse(&text).unwrap_or_else(|e| panic!("fixture must pass validation: {e}"));
    let opts = Options {
        label: Some("x.json".into()),
        ..Default::default()
    };
    generate(&parsed, &text, &opts).map(|f| f.len())
}

#[test]
fn base_spec_generates() {
    assert_eq!(run(&base()).unwrap(), 5);
}

fn files(spec: &Value) -> Vec<hai_codegen::GeneratedFile> {
    let text = serde_json::to_string_pretty(spec).unwrap();
    let parsed = hai_spec::parse(&text).unwrap_or_else(|e| panic!("fixture must validate: {e}"));
    let opts = Options {
        label: Some("x.json".into()),
        ..Default::default()
    };
    generate(&parsed, &text, &opts).expect("generates")
}

fn file(files: &[hai_codegen::GeneratedFile], path: &str) -> String {
    files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
        .clone()
}

#[test]
fn codes_that_collide_as_variants_are_numbered() {
    let mut s = base();
    s["errors"]["service"] = json!({"Foo.BarBaz": "a", "FooBar.Baz": "b"});
    s["actions"]["DoThing"]["errors"] = json!(["Foo.BarBaz", "FooBar.Baz"]);
    let f = file(&files(&s), "do_thing.rs");
    assert!(f.contains("\"Foo.BarBaz\" => Self::FooBarBaz(meta)"), "{f}");
    assert!(
        f.contains("\"FooBar.Baz\" => Self::FooBarBaz2(meta)"),
        "{f}"
    );
}

#[test]
fn shape_named_like_an_error_enum_keeps_its_name() {
    let mut s = base();
    s["shapes"]["DoThingError"] = json!({"type": "enum", "values": [{"value": "A"}]});
    let f = files(&s);
    assert!(file(&f, "types.rs").contains("pub enum DoThingError {"));
    assert!(file(&f, "do_thing.rs").contains("pub enum DoThingError2 {"));
}

#[test]
fn reserved_type_names_are_numbered() {
    let mut s = base();
    for n in ["CommonError", "Action", "Client", "Error"] {
        s["shapes"][n] = json!({"type": "enum", "values": [{"value": "A"}]});
    }
    let types = file(&files(&s), "types.rs");
    for n in ["CommonError2", "Action2", "Client2", "Error2"] {
        assert!(types.contains(&format!("pub enum {n} {{")), "{n}");
    }
}

#[test]
fn reserved_module_names_get_a_suffix() {
    let mut s = base();
    for name in ["Types", "Retry", "Call", "Lib", "Type"] {
        s["actions"][name] = s["actions"]["DoThing"].clone();
        s["actions"][name]["input"] = json!(format!("{name}Request"));
        s["actions"][name]["output"] = json!(format!("{name}Response"));
        s["shapes"][format!("{name}Request")] = s["shapes"]["DoThingRequest"].clone();
        s["shapes"][format!("{name}Response")] = s["shapes"]["DoThingResponse"].clone();
    }
    let f = files(&s);
    // (module, client method): the tree's own module names and keywords rename the module;
    // the client's own method names rename only the method.
    for (m, method) in [
        ("types_action", "types_action"),
        ("retry", "retry"),
        ("call", "call_action"),
        ("lib_action", "lib_action"),
        ("type_action", "type_action"),
    ] {
        assert!(f.iter().any(|x| x.path == format!("{m}.rs")), "{m}");
        assert!(
            file(&f, "client.rs").contains(&format!("pub fn {method}(")),
            "{method}"
        );
    }
}

#[test]
fn actions_differing_in_case_get_numbered_modules() {
    let mut s = base();
    s["actions"]["Do_Thing"] = s["actions"]["DoThing"].clone();
    s["actions"]["Do_Thing"]["input"] = json!("Do_ThingRequest");
    s["actions"]["Do_Thing"]["output"] = json!("Do_ThingResponse");
    s["shapes"]["Do_ThingRequest"] = s["shapes"]["DoThingRequest"].clone();
    s["shapes"]["Do_ThingResponse"] = s["shapes"]["DoThingResponse"].clone();
    let f = files(&s);
    let two = file(&f, "do_thing_2.rs");
    assert!(two.contains("pub struct DoThingRequest2 {"), "{two}");
    assert!(two.contains("name: \"Do_Thing\""), "{two}");
    assert!(two.contains("pub enum DoThingError2 {"), "{two}");
}

#[test]
fn invalid_runtime_path_is_refused() {
    let text = serde_json::to_string_pretty(&base()).unwrap();
    let parsed = hai_spec::parse(&text).unwrap();
    let opts = Options {
        runtime: "not a path".into(),
        ..Default::default()
    };
    let e = generate(&parsed, &text, &opts).unwrap_err();
    assert_eq!(e.path, "options.runtime");
}

#[test]
fn keyword_names_become_valid_identifiers() {
    let mut s = base();
    s["shapes"]["DoThingRequest"]["members"] = json!([
        {"name": "type", "type": "string"}, {"name": "Self", "type": "string"},
        {"name": "Crate", "type": "string"}, {"name": "async", "type": "boolean"}
    ]);
    let text = serde_json::to_string_pretty(&s).unwrap();
    let parsed = hai_spec::parse(&text).unwrap();
    let opts = Options {
        label: Some("x.json".into()),
        ..Default::default()
    };
    let files = generate(&parsed, &text, &opts).unwrap();
    let f = files.iter().find(|f| f.path == "do_thing.rs").unwrap();
    for field in ["pub r#type:", "pub self_:", "pub crate_:", "pub r#async:"] {
        assert!(f.contents.contains(field), "{field} missing");
    }
}

/// Tencent's docs hold fences without a language (requests in tccli's syntax) and indented
/// lines; rustdoc would run either as a Rust doctest in the user's crate.
#[test]
fn doc_code_blocks_never_become_doctests() {
    let mut s = base();
    s["actions"]["DoThing"]["doc"] =
        json!("Filter like this:\n```\nFilters.0.Name=zone\n&Filters.0.Values.0=ap-guangzhou-6\n```\n\n    https://example.com/indented\n```json\n{\"a\": 1}\n```");
    let f = files(&s);
    let module = file(&f, "do_thing.rs");
    let client = file(&f, "client.rs");
    for text in [&module, &client] {
        assert!(text.contains(" ```text\n"), "{text}");
        assert!(text.contains(" ```json\n"), "{text}");
        assert!(!text.contains("     https"), "{text}");
        assert!(text.contains(" https://example.com/indented"), "{text}");
        assert!(
            !text.contains(" ```\n//! Filters") && !text.contains(" ```\n    /// Filters"),
            "{text}"
        );
    }
}
