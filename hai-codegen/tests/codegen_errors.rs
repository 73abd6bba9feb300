//! Specs that are valid JSON specs but cannot become valid, unambiguous Rust: each is a
//! typed error naming the JSON path, never a panic.

use hai_codegen::{generate, ClientMethods, CodegenError, Options};
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

fn run(spec: &Value, methods: ClientMethods) -> Result<usize, CodegenError> {
    let text = serde_json::to_string_pretty(spec).unwrap();
    let parsed =
        hai_spec::parse(&text).unwrap_or_else(|e| panic!("fixture must pass validation: {e}"));
    let opts = Options {
        spec_file: "x.json".into(),
        client_methods: methods,
    };
    generate(&parsed, &text, &opts).map(|f| f.len())
}

#[test]
fn base_spec_generates() {
    assert_eq!(run(&base(), ClientMethods::Inherent).unwrap(), 5);
}

#[test]
fn codes_that_collide_as_variants_are_refused() {
    let mut s = base();
    s["errors"]["service"] = json!({"Foo.BarBaz": "a", "FooBar.Baz": "b"});
    s["actions"]["DoThing"]["errors"] = json!(["Foo.BarBaz", "FooBar.Baz"]);
    let e = run(&s, ClientMethods::Inherent).unwrap_err();
    assert_eq!(e.path, "actions.DoThing.errors[1]");
    assert!(e.message.contains("FooBarBaz"), "{e}");
}

#[test]
fn shape_named_like_an_error_enum_is_refused() {
    let mut s = base();
    s["shapes"]["DoThingError"] = json!({"type": "enum", "values": [{"value": "A"}]});
    let e = run(&s, ClientMethods::Inherent).unwrap_err();
    assert_eq!(e.path, "actions.DoThing");
    assert!(
        e.message
            .contains("`DoThingError` is already used by shapes.DoThingError"),
        "{e}"
    );
}

#[test]
fn reserved_type_names_are_refused() {
    let mut s = base();
    s["shapes"]["CommonError"] = json!({"type": "enum", "values": [{"value": "A"}]});
    let e = run(&s, ClientMethods::Inherent).unwrap_err();
    assert_eq!(e.path, "shapes.CommonError");
    assert!(e.message.contains("reserved"), "{e}");
}

#[test]
fn reserved_module_names_are_refused() {
    let mut s = base();
    let a = s["actions"]["DoThing"].clone();
    s["actions"]["Types"] = a;
    s["actions"]["Types"]["input"] = json!("TypesRequest");
    s["actions"]["Types"]["output"] = json!("TypesResponse");
    s["shapes"]["TypesRequest"] = s["shapes"]["DoThingRequest"].clone();
    s["shapes"]["TypesResponse"] = s["shapes"]["DoThingResponse"].clone();
    let e = run(&s, ClientMethods::Inherent).unwrap_err();
    assert_eq!(e.path, "actions.Types");
    assert!(e.message.contains("reserved"), "{e}");
}

#[test]
fn invalid_trait_name_is_refused() {
    let e = run(&base(), ClientMethods::Trait("not a name".into())).unwrap_err();
    assert_eq!(e.path, "options.client_methods");
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
        spec_file: "x.json".into(),
        client_methods: ClientMethods::Inherent,
    };
    let files = generate(&parsed, &text, &opts).unwrap();
    let f = files.iter().find(|f| f.path == "do_thing.rs").unwrap();
    for field in ["pub r#type:", "pub self_:", "pub crate_:", "pub r#async:"] {
        assert!(f.contents.contains(field), "{field} missing");
    }
}
