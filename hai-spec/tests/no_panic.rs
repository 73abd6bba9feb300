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
