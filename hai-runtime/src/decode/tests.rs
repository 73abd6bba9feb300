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
