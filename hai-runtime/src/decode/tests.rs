//! One test per conversion of the rule, the absent cases, and strict decoding.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::*;

#[derive(Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
struct Item {
    #[serde(rename = "Id", skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "Count", skip_serializing_if = "Option::is_none")]
    count: Option<i64>,
    #[serde(rename = "Size", skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(rename = "Ratio", skip_serializing_if = "Option::is_none")]
    ratio: Option<f64>,
    #[serde(rename = "On", skip_serializing_if = "Option::is_none")]
    on: Option<bool>,
    #[serde(rename = "Tags", skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(rename = "Values", skip_serializing_if = "Option::is_none")]
    values: Option<Vec<f64>>,
    #[serde(rename = "Child", skip_serializing_if = "Option::is_none")]
    child: Option<Box<Item>>,
    #[serde(rename = "Children", skip_serializing_if = "Option::is_none")]
    children: Option<Vec<Item>>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Required {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Limit")]
    limit: i64,
}

fn lenient(v: Value) -> (Item, Vec<Mismatch>) {
    from_value::<Item>(&v, "Response").expect("decodes under the rule")
}

fn converted(m: &[Mismatch], path: &str) {
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].path(), path);
    assert_eq!(m[0].outcome(), &MismatchOutcome::Converted);
}

fn absent(m: &Mismatch, path: &str, member: &str) {
    assert_eq!(m.path(), path);
    assert_eq!(
        m.outcome(),
        &MismatchOutcome::Absent {
            member: member.to_owned()
        }
    );
}

#[test]
fn a_well_typed_value_reports_nothing() {
    let (item, m) = lenient(json!({"Id": "a", "Count": -3, "Ratio": 0.5, "Tags": ["x"]}));
    assert!(m.is_empty());
    assert_eq!(item.id.as_deref(), Some("a"));
    assert_eq!(item.count, Some(-3));
}

#[test]
fn a_number_for_a_string_becomes_its_text() {
    let (item, m) = lenient(json!({"Id": 190001}));
    assert_eq!(item.id.as_deref(), Some("190001"));
    converted(&m, "Response.Id");
    assert_eq!(m[0].expected(), "a string");
    assert_eq!(m[0].found(), "190001");
    let (item, _) = lenient(json!({"Id": 30.25}));
    assert_eq!(item.id.as_deref(), Some("30.25"));
}

#[test]
fn a_boolean_for_a_string_becomes_its_text() {
    let (item, m) = lenient(json!({"Id": true}));
    assert_eq!(item.id.as_deref(), Some("true"));
    converted(&m, "Response.Id");
}

#[test]
fn a_decimal_string_for_an_integer_becomes_the_integer() {
    let (item, m) = lenient(json!({"Count": "-12", "Size": "18446744073709551615"}));
    assert_eq!(item.count, Some(-12));
    assert_eq!(item.size, Some(u64::MAX));
    assert_eq!(m.len(), 2);
    assert!(m.iter().all(|m| m.outcome() == &MismatchOutcome::Converted));
}

#[test]
fn a_non_canonical_integer_string_is_not_converted() {
    for text in ["010", " 1", "1e3", "+1", "-0", "", "2026-02-26 12:00:00"] {
        let (item, m) = lenient(json!({ "Count": text }));
        assert_eq!(item.count, None, "{text:?}");
        assert_eq!(m.len(), 1, "{text:?}");
        absent(&m[0], "Response.Count", "Response.Count");
    }
}

#[test]
fn a_whole_float_for_an_integer_becomes_the_integer_in_answers_only() {
    let (item, m) = lenient(json!({"Count": 2.0}));
    assert_eq!(item.count, Some(2));
    converted(&m, "Response.Count");
    let (item, m) = request_from_value::<Item>(&json!({"Count": 2.0})).unwrap();
    assert_eq!(item.count, None);
    absent(&m[0], "Count", "Count");
    let (item, _) = lenient(json!({"Count": 2.5}));
    assert_eq!(item.count, None);
}

#[test]
fn a_number_string_for_a_float_becomes_the_number() {
    let (item, m) = lenient(json!({"Ratio": "30.34732915216155"}));
    assert_eq!(item.ratio, Some(30.34732915216155));
    converted(&m, "Response.Ratio");
    let (item, m) = lenient(json!({"Ratio": "NaN"}));
    assert_eq!(item.ratio, None);
    assert!(m[0].is_absent());
}

#[test]
fn true_and_false_strings_for_a_boolean_become_booleans() {
    let (item, m) = lenient(json!({"On": "true"}));
    assert_eq!(item.on, Some(true));
    converted(&m, "Response.On");
    let (item, _) = lenient(json!({"On": "False"}));
    assert_eq!(item.on, Some(false));
    let (item, m) = lenient(json!({"On": "xx"}));
    assert_eq!(item.on, None);
    absent(&m[0], "Response.On", "Response.On");
}

#[test]
fn a_single_value_for_a_list_becomes_a_list_of_one() {
    let (item, m) = lenient(json!({"Tags": "1.1.1.1"}));
    assert_eq!(item.tags, Some(vec!["1.1.1.1".to_owned()]));
    converted(&m, "Response.Tags");
    let (item, m) = lenient(json!({"Children": {"Id": "c"}}));
    assert_eq!(item.children.unwrap()[0].id.as_deref(), Some("c"));
    converted(&m, "Response.Children");
}

#[test]
fn an_integer_beyond_its_type_reads_as_absent_and_is_reported() {
    let (item, m) = lenient(json!({"Count": 9223372036854775808u64, "Id": "kept"}));
    assert_eq!(item.count, None);
    assert_eq!(item.id.as_deref(), Some("kept"));
    absent(&m[0], "Response.Count", "Response.Count");
    assert_eq!(m[0].expected(), "i64");
    assert_eq!(m[0].found(), "9223372036854775808");
}

#[test]
fn a_null_inside_a_list_takes_out_the_list_and_names_the_element() {
    let (item, m) = lenient(json!({"Values": [1.5, null, 2.5], "Count": 1}));
    assert_eq!(item.values, None);
    assert_eq!(item.count, Some(1));
    absent(&m[0], "Response.Values[1]", "Response.Values");
    assert_eq!(m[0].found(), "null");
}

#[test]
fn a_mismatch_deep_inside_keeps_the_rest_of_its_structure() {
    let (item, m) = lenient(json!({
        "Children": [{"Id": "a", "Count": {"x": 1}}, {"Id": "b", "Child": {"Count": "7"}}],
    }));
    let children = item.children.unwrap();
    assert_eq!(children[0].id.as_deref(), Some("a"));
    assert_eq!(children[0].count, None);
    assert_eq!(children[1].child.as_ref().unwrap().count, Some(7));
    assert_eq!(m.len(), 2, "{m:?}");
    absent(
        &m[0],
        "Response.Children[0].Count",
        "Response.Children[0].Count",
    );
    converted(&m[1..], "Response.Children[1].Child.Count");
}

#[test]
fn a_string_for_a_structure_reads_as_absent() {
    let (item, m) = lenient(json!({"Child": "Test", "Id": "x"}));
    assert_eq!(item.child, None);
    assert_eq!(item.id.as_deref(), Some("x"));
    absent(&m[0], "Response.Child", "Response.Child");
}

#[test]
fn every_mismatch_is_reported_in_one_decode() {
    let (_, m) = lenient(json!({"Count": "x", "Size": -1, "On": 3, "Id": 5}));
    let mut paths: Vec<&str> = m.iter().map(Mismatch::path).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "Response.Count",
            "Response.Id",
            "Response.On",
            "Response.Size"
        ]
    );
    assert_eq!(m.iter().filter(|m| m.is_absent()).count(), 3);
}

#[test]
fn a_required_member_absent_fails_naming_it() {
    let e = request_from_value::<Required>(&json!({"Name": "n"})).unwrap_err();
    assert_eq!(e.path(), "Limit");
    assert_eq!(
        e.kind(),
        &FailureKind::MissingMember {
            member: "Limit".into()
        }
    );
    let (r, m) = request_from_value::<Required>(&json!({"Name": "n", "Limit": "10"})).unwrap();
    assert_eq!(r.limit, 10);
    converted(&m, "Limit");
}

#[test]
fn a_required_member_mistyped_fails_with_its_mismatch() {
    let e = request_from_value::<Required>(&json!({"Name": "n", "Limit": "ten"})).unwrap_err();
    assert_eq!(e.path(), "Limit");
    assert!(
        matches!(e.kind(), FailureKind::Mismatch { found, .. } if found == "\"ten\""),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("Limit: invalid type"), "{e}");
}

#[test]
fn strict_decoding_names_the_first_mismatch() {
    let v = json!({"Children": [{"Id": 1}]});
    let e = strict_from_value::<Item>(&v, "Response").unwrap_err();
    assert_eq!(e.path(), "Response.Children[0].Id");
    assert!(matches!(e.kind(), FailureKind::Mismatch { expected, .. } if expected == "a string"));
}

#[test]
fn keys_are_shown_escaped_in_paths() {
    let (_, m) = lenient(json!({"Children": [{"Count": "x"}]}));
    assert_eq!(m[0].path(), "Response.Children[0].Count");
    let segs = [walk::OwnedSeg::Key("a\u{1b}[31m".into())];
    assert_eq!(walk::render("", &segs), "a\\u{1b}[31m");
}

#[test]
fn long_values_are_cut_in_reports() {
    let long = "x".repeat(500);
    let (_, m) = lenient(json!({ "Count": long }));
    assert!(m[0].found().len() < 130);
    assert!(m[0].found().ends_with("..."));
}

#[derive(Debug, Default, Deserialize)]
struct Answer {
    #[serde(rename = "Id", default)]
    id: Option<String>,
}

#[test]
fn answers_decode_directly_when_clean_and_keep_the_raw_body_when_not() {
    let clean = Bytes::from_static(br#"{"Response":{"Id":"a","RequestId":"r"}}"#);
    let d = answer::<Answer>(&clean, false).ok().unwrap();
    assert_eq!(d.output.id.as_deref(), Some("a"));
    assert!(d.report.is_clean());
    assert_eq!(d.report.raw_json(), None);

    let mixed = Bytes::from_static(br#"{"Response":{"Id":1,"RequestId":"r"}}"#);
    let d = answer::<Answer>(&mixed, false).ok().unwrap();
    assert_eq!(d.output.id.as_deref(), Some("1"));
    assert_eq!(d.report.mismatches().len(), 1);
    assert_eq!(d.report.raw_json(), Some(&mixed[..]));

    let e = answer::<Answer>(&mixed, true).err().unwrap();
    assert_eq!(e.path.as_deref(), Some("Response.Id"));
    assert!(e.source.to_string().contains("Response.Id"), "{}", e.source);

    let not_json = Bytes::from_static(b"<html>");
    let e = answer::<Answer>(&not_json, false).err().unwrap();
    assert_eq!(e.path, None);
}

fn scalar(v: Value, ty: ScalarType) -> Result<Option<Value>, ScalarMismatch> {
    convert_scalar(&v, ty)
}

#[test]
fn convert_scalar_takes_the_request_forms() {
    use ScalarType::*;
    assert_eq!(scalar(json!("10"), Int64), Ok(Some(json!(10))));
    assert_eq!(scalar(json!("-3"), Int64), Ok(Some(json!(-3))));
    assert_eq!(scalar(json!(10), Int64), Ok(None));
    assert_eq!(
        scalar(json!("18446744073709551615"), UInt64),
        Ok(Some(json!(u64::MAX)))
    );
    assert_eq!(scalar(json!("1.5"), Float64), Ok(Some(json!(1.5))));
    assert_eq!(scalar(json!("10"), Float64), Ok(Some(json!(10.0))));
    assert_eq!(scalar(json!(3), Float64), Ok(None));
    assert_eq!(scalar(json!("True"), Boolean), Ok(Some(json!(true))));
    assert_eq!(scalar(json!("fALSE"), Boolean), Ok(Some(json!(false))));
    assert_eq!(scalar(json!(1.5), String), Ok(Some(json!("1.5"))));
    assert_eq!(scalar(json!(false), String), Ok(Some(json!("false"))));
    assert_eq!(scalar(json!("x"), String), Ok(None));
}

#[test]
fn convert_scalar_refuses_the_rest_naming_type_and_value() {
    use ScalarType::*;
    for (v, ty) in [
        (json!("010"), Int64),
        (json!(" 1"), Int64),
        (json!("+1"), Int64),
        (json!("1e3"), Int64),
        (json!("-0"), Int64),
        (json!("1.0"), Int64),
        (json!(1.0), Int64),
        (json!(2.5), Int64),
        (json!(true), Int64),
        (json!(-1), UInt64),
        (json!("-1"), UInt64),
        (json!("NaN"), Float64),
        (json!("inf"), Float64),
        (json!(" 1.5"), Float64),
        (json!("1."), Float64),
        (json!(true), Float64),
        (json!(1), Boolean),
        (json!("yes"), Boolean),
        (json!("t"), Boolean),
        (json!(["a"]), String),
        (json!({}), String),
        (Value::Null, String),
    ] {
        let e = scalar(v.clone(), ty).unwrap_err();
        assert_eq!(e.expected(), ty, "{v}");
        assert!(!e.is_beyond_range(), "{v}");
    }
    let e = scalar(json!("ten"), Int64).unwrap_err();
    assert_eq!(e.to_string(), r#"expected an integer, found "ten""#);
    let e = scalar(json!(9223372036854775808u64), Int64).unwrap_err();
    assert!(e.is_beyond_range());
    assert_eq!(
        e.to_string(),
        "expected an integer, found 9223372036854775808 (beyond int64)"
    );
    let e = scalar(json!("18446744073709551616"), UInt64).unwrap_err();
    assert!(e.is_beyond_range());
    assert!(e.to_string().ends_with("(beyond uint64)"), "{e}");
    // Control characters in the value are shown escaped, long values cut.
    let e = scalar(json!("a\u{1b}[31m"), Int64).unwrap_err();
    assert_eq!(e.found(), r#""a\u001b[31m""#);
    let e = scalar(json!("x".repeat(500)), Boolean).unwrap_err();
    assert!(e.found().len() < 130 && e.found().ends_with("..."));
}

#[derive(Debug, Deserialize, Serialize)]
struct One<T> {
    #[serde(rename = "V")]
    v: Option<T>,
}

/// `request_from_value`'s answer for `{"V": v}` with `V` of type `T`, as JSON: `None` when
/// the rule refuses the value.
fn by_request_rule<T: DeserializeOwned + Serialize>(v: &Value) -> Option<Value> {
    let (one, m) = request_from_value::<One<T>>(&json!({ "V": v })).ok()?;
    if m.iter().any(Mismatch::is_absent) {
        return None;
    }
    Some(serde_json::to_value(one.v?).unwrap())
}

/// `convert_scalar` and `request_from_value` are one rule: same values taken, same results.
#[test]
fn convert_scalar_agrees_with_request_from_value() {
    let values = [
        json!("10"),
        json!("-3"),
        json!("0"),
        json!("010"),
        json!(" 1"),
        json!("+1"),
        json!("1e3"),
        json!("-0"),
        json!("1.0"),
        json!("2.5"),
        json!("9223372036854775807"),
        json!("9223372036854775808"),
        json!("18446744073709551615"),
        json!("18446744073709551616"),
        json!("-9223372036854775809"),
        json!("NaN"),
        json!("Infinity"),
        json!("1e999"),
        json!("true"),
        json!("TRUE"),
        json!("False"),
        json!("yes"),
        json!(""),
        json!("ten"),
        json!(0),
        json!(7),
        json!(-7),
        json!(9223372036854775808u64),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1.0),
        json!(2.5),
        json!(-0.5),
        json!(1e300),
        json!(true),
        json!(false),
        json!(["1"]),
        json!({"a": 1}),
    ];
    for v in &values {
        let as_f64 = |r: Option<Value>| r.map(|v| v.as_f64());
        let cases: [(ScalarType, Option<Value>); 5] = [
            (
                ScalarType::String,
                by_request_rule::<std::string::String>(v),
            ),
            (ScalarType::Boolean, by_request_rule::<bool>(v)),
            (ScalarType::Int64, by_request_rule::<i64>(v)),
            (ScalarType::UInt64, by_request_rule::<u64>(v)),
            (ScalarType::Float64, by_request_rule::<f64>(v)),
        ];
        for (ty, want) in cases {
            let got = convert_scalar(v, ty)
                .ok()
                .map(|c| c.unwrap_or_else(|| v.clone()));
            if ty == ScalarType::Float64 {
                // 3 and 3.0 are one float.
                assert_eq!(as_f64(got), as_f64(want), "{v} as {ty:?}");
            } else {
                assert_eq!(got, want, "{v} as {ty:?}");
            }
        }
    }
}

#[test]
fn a_list_never_fills_a_structure_by_position() {
    // serde's derive would read `[]` as an empty structure and `[..]` member by member.
    for list in [json!([]), json!(["x", 1])] {
        let (item, m) = lenient(json!({ "Child": list.clone(), "Id": "kept" }));
        assert_eq!(item.child, None, "{list}");
        assert_eq!(item.id.as_deref(), Some("kept"));
        absent(&m[0], "Response.Child", "Response.Child");
        assert_eq!(m[0].expected(), "struct Item");
    }
    // The direct parse refuses it too, so the answer reaches the walk and is reported.
    let body = Bytes::from_static(br#"{"Response":{"Id":"a","Child":[]}}"#);
    let d = answer::<Item>(&body, false).ok().unwrap();
    assert_eq!(d.output.child, None);
    assert_eq!(d.report.mismatches().len(), 1);
    assert_eq!(d.report.mismatches()[0].path(), "Response.Child");
}

#[test]
fn the_direct_parse_is_serde_jsons_for_everything_else() {
    let body = br#" {"Response":{"Id":"a","Count":-3,"Ratio":0.9263598322868347,"On":true,
        "Tags":["x"],"Values":[1.5],"Child":{"Id":"c"},"Children":[{"Size":18446744073709551615}]}} "#;
    let direct = answer::<Item>(&Bytes::from_static(body), true)
        .ok()
        .unwrap();
    assert!(direct.report.is_clean());
    let plain: Value = serde_json::from_slice(body).unwrap();
    let plain: Item = serde_json::from_value(plain["Response"].clone()).unwrap();
    assert_eq!(direct.output, plain);
    assert_eq!(direct.output.ratio, Some(0.9263598322868347));
    // Trailing bytes are refused as serde_json::from_slice refuses them.
    let e = answer::<Item>(&Bytes::from_static(br#"{"Response":{}} x"#), false).err();
    assert!(e.is_some());
}

#[test]
fn a_null_for_a_required_request_member_is_that_member_missing() {
    let e = request_from_value::<Required>(&json!({"Name": null, "Limit": 1})).unwrap_err();
    assert_eq!(e.path(), "Name");
    assert_eq!(
        e.kind(),
        &FailureKind::MissingMember {
            member: "Name".into()
        }
    );
}
