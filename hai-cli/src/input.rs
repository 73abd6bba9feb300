//! Requests read as JSON (`--cli-input-json`, and structures or lists given to an option as
//! JSON) converted to their members' declared types before they are sent, by the SDK's rule
//! for requests (`hai_sdk::decode::convert_scalar`, the rule of `request_from_value`), so the
//! service always gets declared types: `"Limit": "10"` is sent as `10`, `"DryRun": "True"` as
//! `true`, a number for a string as its text, a single value for a list as a list of one.
//! Anything else (`"Limit": 1.5`, `"1.0"`, `"ten"`) is refused here, naming its JSON path.
//!
//! tccli sends such JSON as it is (`tccli/cli_input_json.py`), and Tencent's own request
//! examples write `"Limit": "10"`, which the service takes because every GET and
//! form-encoded call sends its parameters as strings; a float for an integer it refuses
//! (Tencent's Java SDK, PR #262). Converting here sends what the typed SDK would send.

use hai_sdk::decode::{convert_scalar, ScalarType};
use serde_json::Value;

use crate::json::Json;
use crate::table::{Ty, STRUCTS};

/// Largest JSON text of a value quoted in an error.
const FOUND_SHOWN: usize = 120;

/// Converts `body`, the input structure `index`, in place. Members the spec does not know
/// are left as they are (the service names them), and so are `null` members (absent).
pub fn convert_struct(index: usize, body: &mut Json, path: &str) -> Result<(), String> {
    let Json::Object(items) = body else {
        return Err(mismatch(
            path,
            &format!("a structure ({})", STRUCTS[index].name),
            body,
        ));
    };
    for (key, v) in items.iter_mut() {
        let Some(m) = STRUCTS[index].members.iter().find(|m| m.name == key) else {
            continue;
        };
        if *v != Json::Null {
            convert(&m.ty, v, &member_path(path, key))?;
        }
    }
    Ok(())
}

/// Converts `value`, of type `ty` at `path` (`Filters[0].Values`; empty for the value
/// itself), in place; the error names the path, the declared type and the value.
pub fn convert(ty: &Ty, value: &mut Json, path: &str) -> Result<(), String> {
    match ty {
        Ty::String | Ty::Enum(_) => scalar(value, ScalarType::String, path),
        Ty::Bool => scalar(value, ScalarType::Boolean, path),
        Ty::Int => scalar(value, ScalarType::Int64, path),
        Ty::UInt => scalar(value, ScalarType::UInt64, path),
        Ty::Float => scalar(value, ScalarType::Float64, path),
        Ty::Struct(i) => convert_struct(*i, value, path),
        Ty::List(inner) => match value {
            Json::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    convert(inner, item, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            // A single value where a list is declared: a list of one, its element at the
            // value's own path (as the SDK's decoder reports it).
            single => {
                let mut one = std::mem::replace(single, Json::Null);
                convert(inner, &mut one, path)?;
                *single = Json::Array(vec![one]);
                Ok(())
            }
        },
        Ty::Map(inner) => match value {
            Json::Object(items) => {
                for (key, item) in items.iter_mut() {
                    convert(inner, item, &member_path(path, key))?;
                }
                Ok(())
            }
            other => Err(mismatch(path, "an object", other)),
        },
    }
}

/// One scalar by the runtime's rule (the CLI's JSON type to serde_json's and back).
fn scalar(value: &mut Json, ty: ScalarType, path: &str) -> Result<(), String> {
    let v = serde_json::to_value(&*value).unwrap_or(Value::Null);
    match convert_scalar(&v, ty) {
        Ok(None) => Ok(()),
        Ok(Some(converted)) => {
            *value = serde_json::from_value(converted).map_err(|e| at(path, &e.to_string()))?;
            Ok(())
        }
        Err(m) => Err(at(path, &m.to_string())),
    }
}

fn member_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn at(path: &str, what: &str) -> String {
    if path.is_empty() {
        what.to_owned()
    } else {
        format!("{path}: {what}")
    }
}

fn mismatch(path: &str, expected: &str, found: &Json) -> String {
    let mut text = serde_json::to_string(found).unwrap_or_default();
    if text.len() > FOUND_SHOWN {
        let mut cut = FOUND_SHOWN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    at(path, &format!("expected {expected}, found {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(action: &str, body: &str) -> Result<Json, String> {
        let (_, action) = crate::table::find_action(action).unwrap();
        let mut body = Json::parse(body).unwrap();
        convert_struct(action.input, &mut body, "").map(|()| body)
    }

    #[test]
    fn strings_become_the_declared_types_at_every_depth() {
        let body = converted(
            "DescribeInstances",
            r#"{"InstanceIds": 12, "Offset": "0", "Limit": "10",
                "Filters": [{"Name": "instance-state", "Values": [1, true, 2.5]}],
                "Unknown": "10", "Extra": null}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"InstanceIds":["12"],"Offset":0,"Limit":10,"Filters":[{"Name":"instance-state","Values":["1","true","2.5"]}],"Unknown":"10","Extra":null}"#
        );
        let body = converted(
            "StopInstance",
            r#"{"InstanceId": "hai-1", "DryRun": "True"}"#,
        )
        .unwrap();
        assert_eq!(body.get("DryRun"), Some(&Json::Bool(true)));
    }

    #[test]
    fn what_the_rule_refuses_is_named_by_its_path() {
        for (body, want) in [
            (
                r#"{"Limit": "1.0"}"#,
                r#"Limit: expected an integer, found "1.0""#,
            ),
            (r#"{"Limit": 1.5}"#, "Limit: expected an integer, found 1.5"),
            (r#"{"Limit": 1.0}"#, "Limit: expected an integer, found 1.0"),
            (
                r#"{"Limit": "010"}"#,
                r#"Limit: expected an integer, found "010""#,
            ),
            (
                r#"{"Limit": 9223372036854775808}"#,
                "Limit: expected an integer, found 9223372036854775808 (beyond int64)",
            ),
            (
                r#"{"Filters": [{"Name": "x", "Values": ["a", {"b": 1}]}]}"#,
                r#"Filters[0].Values[1]: expected a string, found {"b":1}"#,
            ),
            (
                r#"{"Filters": [{"Name": "x", "Values": ["a", null]}]}"#,
                "Filters[0].Values[1]: expected a string, found null",
            ),
            (
                r#"{"Filters": ["instance-state"]}"#,
                r#"Filters[0]: expected a structure (Filter), found "instance-state""#,
            ),
        ] {
            assert_eq!(
                converted("DescribeInstances", body).unwrap_err(),
                want,
                "{body}"
            );
        }
    }
}
