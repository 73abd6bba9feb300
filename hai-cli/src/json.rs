//! A JSON value that keeps object keys in order, printed the way tccli prints (Python's
//! `json.dumps(value, indent=4, ensure_ascii=False)`), and reshaped the way tccli's models
//! reshape an answer.
//!
//! Its own type rather than `serde_json::Value`: keeping key order there needs serde_json's
//! `preserve_order` feature, which would change `serde_json::Map` for every crate of a
//! workspace build.

use std::fmt;
use std::fmt::Write as _;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::table::{Ty, STRUCTS};

/// A JSON value; objects keep their keys in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A non-negative integer.
    UInt(u64),
    /// A negative integer.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys in order (a repeated key keeps its first place and last value,
    /// as Python's `json.loads`).
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` of an object, keeping its place if present.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Object(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => m.push((key.to_owned(), value)),
            }
        }
    }

    /// Parses JSON text.
    pub fn parse(text: &str) -> Result<Json, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The text of a string, or the JSON of anything else (as Python's `str()` would show
    /// a scalar: `True`, `None`, ...).
    pub fn python_str(&self) -> String {
        match self {
            Json::Null => "None".into(),
            Json::Bool(true) => "True".into(),
            Json::Bool(false) => "False".into(),
            Json::UInt(n) => n.to_string(),
            Json::Int(n) => n.to_string(),
            Json::Float(f) => py_float(*f),
            Json::Str(s) => s.clone(),
            other => other.dumps(),
        }
    }

    /// `json.dumps(self, indent=4, ensure_ascii=False)`.
    pub fn dumps(&self) -> String {
        let mut out = String::new();
        self.write_py(&mut out, 0);
        out
    }

    fn write_py(&self, out: &mut String, level: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::UInt(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Float(f) => out.push_str(&py_float(*f)),
            Json::Str(s) => py_string(out, s),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(items) if items.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, level + 1);
                    v.write_py(out, level + 1);
                }
                newline(out, level);
                out.push(']');
            }
            Json::Object(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, level + 1);
                    py_string(out, k);
                    out.push_str(": ");
                    v.write_py(out, level + 1);
                }
                newline(out, level);
                out.push('}');
            }
        }
    }

    /// The answer as tccli's response model holds it: every member of structure `index`
    /// in the spec's order, `null` when absent; nested structures likewise; members the
    /// spec does not know are dropped.
    pub fn reshape(&self, index: usize) -> Json {
        let Json::Object(_) = self else {
            return self.clone();
        };
        let members = STRUCTS[index].members;
        let mut out = Vec::with_capacity(members.len());
        for m in members {
            let value = match self.get(m.name) {
                None | Some(Json::Null) => Json::Null,
                Some(v) => match m.ty {
                    Ty::Struct(i) => v.reshape(i),
                    Ty::List(Ty::Struct(i)) => match v {
                        Json::Array(items) => {
                            Json::Array(items.iter().map(|item| item.reshape(*i)).collect())
                        }
                        other => other.clone(),
                    },
                    _ => v.clone(),
                },
            };
            out.push((m.name.to_owned(), value));
        }
        Json::Object(out)
    }

    /// The value as a JMESPath variable.
    pub fn to_variable(&self) -> jmespath::Variable {
        use jmespath::Variable as V;
        match self {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::UInt(n) => V::Number((*n).into()),
            Json::Int(n) => V::Number((*n).into()),
            Json::Float(f) => serde_json::Number::from_f64(*f).map_or(V::Null, V::Number),
            Json::Str(s) => V::String(s.clone()),
            Json::Array(items) => V::Array(
                items
                    .iter()
                    .map(|v| jmespath::Rcvar::new(v.to_variable()))
                    .collect(),
            ),
            Json::Object(items) => V::Object(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), jmespath::Rcvar::new(v.to_variable())))
                    .collect(),
            ),
        }
    }

    /// A JMESPath result as a value (objects come out in key order: the crate keeps them
    /// sorted).
    pub fn from_variable(v: &jmespath::Variable) -> Json {
        use jmespath::Variable as V;
        match v {
            V::Null | V::Expref(_) => Json::Null,
            V::Bool(b) => Json::Bool(*b),
            V::Number(n) => number(n),
            V::String(s) => Json::Str(s.clone()),
            V::Array(items) => Json::Array(items.iter().map(|v| Json::from_variable(v)).collect()),
            V::Object(m) => Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Json::from_variable(v)))
                    .collect(),
            ),
        }
    }
}

fn number(n: &serde_json::Number) -> Json {
    if let Some(u) = n.as_u64() {
        Json::UInt(u)
    } else if let Some(i) = n.as_i64() {
        Json::Int(i)
    } else {
        Json::Float(n.as_f64().unwrap_or(0.0))
    }
}

fn newline(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// A string as Python's encoder writes it with `ensure_ascii=False`: only `"`, `\` and
/// control characters below U+0020 are escaped.
fn py_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: the shortest digits that round-trip, fixed notation for
/// exponents from -4 to 15, otherwise `d.ddde+XX`.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: `-1.2345e-5`, `1e16`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let point = exp as usize + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                for _ in digits.len()..point {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        );
    }
    out
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::UInt(n) => s.serialize_u64(*n),
            Json::Int(n) => s.serialize_i64(*n),
            Json::Float(f) => s.serialize_f64(*f),
            Json::Str(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(items) => {
                let mut map = s.serialize_map(Some(items.len()))?;
                for (k, v) in items {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::UInt(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(if v >= 0 {
            Json::UInt(v as u64)
        } else {
            Json::Int(v)
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut obj = Json::Object(Vec::new());
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            obj.set(&k, v);
        }
        Ok(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        for (f, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.5, "1.5"),
            (123.0, "123.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.1, "0.1"),
            (-2.5e-7, "-2.5e-07"),
            (1e100, "1e+100"),
        ] {
            assert_eq!(py_float(f), want, "{f}");
        }
    }

    #[test]
    fn dumps_matches_python_layout_and_keeps_key_order() {
        let v =
            Json::parse(r#"{"b":1,"a":[1,{"x":null}],"e":[],"o":{},"s":"é\"\u0001\n"}"#).unwrap();
        assert_eq!(
            v.dumps(),
            "{\n    \"b\": 1,\n    \"a\": [\n        1,\n        {\n            \"x\": null\n        }\n    ],\n    \"e\": [],\n    \"o\": {},\n    \"s\": \"é\\\"\\u0001\\n\"\n}"
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_last_value() {
        let v = Json::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":3,"b":2}"#);
    }
}
