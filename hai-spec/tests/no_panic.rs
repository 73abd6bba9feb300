//! `parse` never panics: truncations, byte mutations and value substitutions of
//! the real spec all come back as `Ok` or `Err`. Deterministic (fixed seed), std only.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::{json, Value};

/// The checked-in spec cut down to StopInstance and the shapes it uses: every construct of
/// the format, small enough that quadratic sweeps (every truncation) stay fast.
fn real_text() -> String {
    let text =
        std::fs::read_to_string(hai_spec::hai_spec_path()).expect("read the checked-in spec");
    let mut spec: Value = serde_json::from_str(&text).expect("JSON");
    let keep_actions = ["StopInstance"];
    let keep_shapes = ["StopInstanceRequest", "StopInstanceResponse", "StopMode"];
    spec["actions"]
        .as_object_mut()
        .expect("actions")
        .retain(|k, _| keep_actions.contains(&k.as_str()));
    spec["shapes"]
        .as_object_mut()
        .expect("shapes")
        .retain(|k, _| keep_shapes.contains(&k.as_str()));
    // Resources describe with other actions; the validation tests cover them.
    spec.as_object_mut().expect("spec").remove("resources");
    let codes: Vec<Value> = spec["actions"]["StopInstance"]["errors"]
        .as_array()
        .expect("codes")
        .clone();
    spec["errors"]["service"]
        .as_object_mut()
        .expect("service codes")
        .retain(|k, _| codes.contains(&Value::String(k.clone())));
    let out = serde_json::to_string_pretty(&spec).expect("serialise");
    hai_spec::parse(&out).expect("the cut-down spec is valid");
    out
}

/// Parses `text`; a panic fails the test with a description of the input.
fn parse_no_panic(
    text: &str,
    what: &dyn Fn() -> String,
) -> Result<hai_spec::Spec, hai_spec::SpecError> {
    match catch_unwind(AssertUnwindSafe(|| hai_spec::parse(text))) {
        Ok(Ok(spec)) => Ok(spec),
        Ok(Err(e)) => {
            assert!(!e.message.is_empty(), "empty message for {}", what());
            let _ = e.to_string();
            Err(e)
        }
        Err(_) => panic!("parse panicked on {}:\n{text}", what()),
    }
}

/// xorshift64*: enough randomness for mutation, reproducible everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn every_truncation_is_refused_without_panic() {
    let text = real_text();
    for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
        let cut = &text[..end];
        let result = parse_no_panic(cut, &|| format!("truncation at byte {end}"));
        if text[end..].trim().is_empty() {
            continue; // only white space was cut
        }
        assert!(result.is_err(), "truncation at byte {end} was accepted");
    }
}

#[test]
fn byte_mutations_never_panic() {
    let original = real_text().into_bytes();
    let alphabet = b"{}[]\":,0123456789-+.eE aZ_<>\\\n\tnulltruefalse";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for round in 0..4000 {
        let mut bytes = original.clone();
        for _ in 0..1 + rng.below(4) {
            let len = bytes.len();
            match rng.below(4) {
                0 => {
                    let i = rng.below(len);
                    bytes[i] = alphabet[rng.below(alphabet.len())];
                }
                1 => {
                    let i = rng.below(len);
                    let n = rng.below(32).min(len - i);
                    bytes.drain(i..i + n);
                }
                2 => {
                    let i = rng.below(len);
                    let n = rng.below(64).min(len - i);
                    let chunk = bytes[i..i + n].to_vec();
                    let at = rng.below(len);
                    bytes.splice(at..at, chunk);
                }
                _ => {
                    let i = rng.below(len);
                    bytes.insert(i, alphabet[rng.below(alphabet.len())]);
                }
            }
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if parse_no_panic(&text, &|| format!("mutation round {round}")).is_ok() {
            accepted += 1;
        }
    }
    // Most mutations break something; a few (inside doc strings) are harmless.
    assert!(accepted < 4000, "every mutation was accepted");
}

/// Every JSON pointer in `v`, parents before children.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn substituting_any_value_never_panics() {
    let original: Value = serde_json::from_str(&real_text()).expect("JSON");
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    let replacements = [
        json!(null),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("StopMode"),
        json!("list<StopInstanceRequest>"),
        json!("map<map<"),
        json!("Ünïcödé ✓"),
        json!([]),
        json!([null]),
        json!({}),
        json!({"Response": {}}),
        json!(true),
    ];
    for pointer in &all {
        for replacement in &replacements {
            let mut spec = original.clone();
            if let Some(slot) = spec.pointer_mut(pointer) {
                *slot = replacement.clone();
            }
            let text = spec.to_string();
            let _ = parse_no_panic(&text, &|| format!("{pointer} = {replacement}"));
        }
    }
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_no_panic(&deep, &|| "deep array".into()).is_err());
    let mut spec: Value = serde_json::from_str(&real_text()).expect("JSON");
    let member = &mut spec["shapes"]["StopInstanceRequest"]["members"][0];
    member["example"] = serde_json::from_str(&format!("{}1{}", "[".repeat(120), "]".repeat(120)))
        .expect("within serde_json's depth limit");
    member["type"] = json!(format!("{}string{}", "list<".repeat(16), ">".repeat(16)));
    assert!(parse_no_panic(&spec.to_string(), &|| "deep example".into()).is_err());
}

// ---- the importer and the overlay merge ----

fn reference(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("reference")
        .join(name);
    std::fs::read_to_string(path).expect("read a reference file")
}

/// HAI's api.json cut down to StopInstance and DescribeInstances (objects, lists, every
/// scalar type), with an errors file of the same two actions.
fn small_api() -> (String, String) {
    let mut api: Value = serde_json::from_str(&reference("hai-2023-08-12.api.json")).expect("JSON");
    let keep = ["StopInstance", "DescribeInstances"];
    api["actions"]
        .as_object_mut()
        .expect("actions")
        .retain(|k, _| keep.contains(&k.as_str()));
    let keep_objects = [
        "StopInstanceRequest",
        "StopInstanceResponse",
        "DescribeInstancesRequest",
        "DescribeInstancesResponse",
        "Filter",
        "Instance",
        "SystemDisk",
        "LoginService",
    ];
    api["objects"]
        .as_object_mut()
        .expect("objects")
        .retain(|k, _| keep_objects.contains(&k.as_str()));
    let mut errors: Value =
        serde_json::from_str(&reference("hai-2023-08-12.errors.json")).expect("JSON");
    errors["actions"]
        .as_object_mut()
        .expect("actions")
        .retain(|k, _| keep.contains(&k.as_str()));
    (api.to_string(), errors.to_string())
}

/// Imports, merges the overlay and validates; any panic fails with the input described.
fn refresh_no_panic(
    api: &str,
    errors: Option<&str>,
    overlay: Option<&str>,
    what: &dyn Fn() -> String,
) {
    let run = || {
        let Ok(mut spec) = hai_spec::tencent::import(api, errors, &Default::default()) else {
            return;
        };
        let _ = spec.validate();
        if let Some(text) = overlay {
            if let Ok(mut o) = hai_spec::overlay::parse(text) {
                let report = hai_spec::overlay::apply(&mut spec, &o);
                o.drop_stale(&report.stale);
                let _ = hai_spec::overlay::to_text(&o);
            }
        }
        if spec.validate().is_ok() {
            let _ = hai_spec::parse(&hai_spec::to_text(&spec)).expect("a valid spec re-parses");
        }
    };
    if catch_unwind(AssertUnwindSafe(run)).is_err() {
        panic!("import/overlay panicked on {}", what());
    }
}

#[test]
fn every_truncation_of_an_api_json_is_refused_without_panic() {
    let (api, errors) = small_api();
    for end in (0..api.len())
        .filter(|&i| api.is_char_boundary(i))
        .step_by(3)
    {
        refresh_no_panic(&api[..end], Some(&errors), None, &|| {
            format!("api.json cut at {end}")
        });
    }
    for end in (0..errors.len()).filter(|&i| errors.is_char_boundary(i)) {
        refresh_no_panic(&api, Some(&errors[..end]), None, &|| {
            format!("errors.json cut at {end}")
        });
    }
}

const REPLACEMENTS: fn() -> Vec<Value> = || {
    vec![
        json!(null),
        json!(0),
        json!(-1),
        json!(u64::MAX),
        json!(""),
        json!("list"),
        json!("object"),
        json!("datetime"),
        json!("Instance"),
        json!("StopInstanceRequest"),
        json!("Ünïcödé ✓"),
        json!([]),
        json!({}),
        json!(true),
    ]
};

#[test]
fn substituting_any_api_json_value_never_panics() {
    let (api, errors) = small_api();
    let original: Value = serde_json::from_str(&api).expect("JSON");
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    for pointer in &all {
        for replacement in REPLACEMENTS() {
            let mut v = original.clone();
            if let Some(slot) = v.pointer_mut(pointer) {
                *slot = replacement.clone();
            }
            refresh_no_panic(&v.to_string(), Some(&errors), None, &|| {
                format!("api.json {pointer} = {replacement}")
            });
        }
    }
}

/// The checked-in overlay cut down to what `small_api` imports.
fn small_overlay() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/hai-2023-08-12.overlay.json");
    let mut o: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("overlay")).expect("JSON");
    o["actions"]
        .as_object_mut()
        .expect("actions")
        .retain(|k, _| k == "StopInstance" || k == "DescribeInstances");
    o["shapes"]
        .as_object_mut()
        .expect("shapes")
        .retain(|k, _| k.starts_with("StopInstance") || k == "Filter" || k == "SystemDisk");
    o["errors"]["service"] = json!({});
    o.to_string()
}

#[test]
fn substituting_any_overlay_value_never_panics() {
    let (api, errors) = small_api();
    let overlay = small_overlay();
    let original: Value = serde_json::from_str(&overlay).expect("JSON");
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    for pointer in &all {
        for replacement in REPLACEMENTS() {
            let mut v = original.clone();
            if let Some(slot) = v.pointer_mut(pointer) {
                *slot = replacement.clone();
            }
            refresh_no_panic(&api, Some(&errors), Some(&v.to_string()), &|| {
                format!("overlay {pointer} = {replacement}")
            });
        }
    }
    for end in (0..overlay.len())
        .filter(|&i| overlay.is_char_boundary(i))
        .step_by(2)
    {
        refresh_no_panic(&api, Some(&errors), Some(&overlay[..end]), &|| {
            format!("overlay cut at {end}")
        });
    }
}

#[test]
fn extracting_an_overlay_from_any_spec_never_panics() {
    let (api, errors) = small_api();
    let imported =
        hai_spec::tencent::import(&api, Some(&errors), &Default::default()).expect("import");
    let target: Value = serde_json::from_str(&hai_spec::to_text(&imported)).expect("JSON");
    let mut all = Vec::new();
    pointers(&target, String::new(), &mut all);
    for pointer in all.iter().step_by(2) {
        for replacement in [json!(null), json!("x"), json!(true), json!([]), json!(7)] {
            let mut v = target.clone();
            if let Some(slot) = v.pointer_mut(pointer) {
                *slot = replacement.clone();
            }
            let Ok(spec) = hai_spec::parse(&v.to_string()) else {
                continue;
            };
            let run = || {
                if let Ok(o) = hai_spec::overlay::extract(&imported, &spec) {
                    let mut again = imported.clone();
                    let _ = hai_spec::overlay::apply(&mut again, &o);
                    assert_eq!(hai_spec::to_text(&again), hai_spec::to_text(&spec));
                }
            };
            assert!(
                catch_unwind(AssertUnwindSafe(run)).is_ok(),
                "extract panicked on {pointer} = {replacement}"
            );
        }
    }
}
