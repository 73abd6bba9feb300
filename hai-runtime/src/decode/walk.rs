//! A `serde::Deserializer` over a parsed `serde_json::Value` that applies the lenient rule
//! (module docs of [`super`]) and knows, when something fails, the JSON path it failed at.
//!
//! It runs only after the direct parse of a body failed, or on a request read from JSON, so
//! it favours clear reports over speed; the path is a linked list on the stack and becomes a
//! string only when a member is converted or fails.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use serde::de::{self, DeserializeSeed, Deserializer, Unexpected, Visitor};
use serde_json::Value;

use super::{Mismatch, MismatchOutcome};

/// Largest JSON text of a value quoted in a report.
const FOUND_SHOWN: usize = 120;

/// One step from a value to one inside it.
#[derive(Clone, Copy)]
pub(super) enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

/// An owned path step, for navigating to the member to take out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum OwnedSeg {
    Key(String),
    Index(usize),
}

/// The path to the value being decoded: each level lives on its caller's stack.
pub(super) struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    seg: Option<Seg<'p>>,
}

impl Path<'_> {
    pub(super) const ROOT: Path<'static> = Path {
        parent: None,
        seg: None,
    };

    fn segments(&self) -> Vec<OwnedSeg> {
        let mut out = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            match p.seg {
                Some(Seg::Key(k)) => out.push(OwnedSeg::Key(k.to_owned())),
                Some(Seg::Index(i)) => out.push(OwnedSeg::Index(i)),
                None => {}
            }
            at = p.parent;
        }
        out.reverse();
        out
    }
}

/// `Response.InstanceSet[0].InstanceId`: keys joined by dots after `root`, indices in brackets.
pub(super) fn render(root: &str, segs: &[OwnedSeg]) -> String {
    let mut s = String::from(root);
    for seg in segs {
        match seg {
            OwnedSeg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                // Keys come from the body: control characters are shown escaped.
                let _ = write!(s, "{}", k.escape_debug());
            }
            OwnedSeg::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    s
}

/// The value as bounded JSON text (JSON escapes every control character).
pub(super) fn found(v: &Value) -> String {
    let mut text = v.to_string();
    if text.len() > FOUND_SHOWN {
        let mut cut = FOUND_SHOWN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

/// What failed, in terms a report can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// The value has a type (or value) the declared type does not take.
    Mismatch { expected: String },
    /// A required member is absent.
    Missing { member: &'static str },
    /// Anything else a `Deserialize` implementation refused.
    Other,
}

/// The deserializer's error: what failed, where and with what value.
#[derive(Debug, Clone)]
pub(super) struct WalkError {
    pub(super) kind: Kind,
    pub(super) message: String,
    /// Set by the innermost value that saw the error.
    pub(super) at: Option<(Vec<OwnedSeg>, String)>,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WalkError {}

impl de::Error for WalkError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        WalkError {
            kind: Kind::Other,
            message: msg.to_string(),
            at: None,
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        WalkError {
            kind: Kind::Mismatch {
                expected: exp.to_string(),
            },
            message: format!("invalid type: {unexp}, expected {exp}"),
            at: None,
        }
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        WalkError {
            kind: Kind::Mismatch {
                expected: exp.to_string(),
            },
            message: format!("invalid value: {unexp}, expected {exp}"),
            at: None,
        }
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        WalkError {
            kind: Kind::Mismatch {
                expected: exp.to_string(),
            },
            message: format!("invalid length {len}, expected {exp}"),
            at: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        WalkError {
            kind: Kind::Missing { member: field },
            message: format!("missing required member `{field}`"),
            at: None,
        }
    }
}

/// Shared by every level of one decode.
pub(super) struct Ctx<'r> {
    /// Apply the lenient conversions (off: strict, report the first mismatch as it is).
    pub(super) convert: bool,
    /// Also read a whole float (`2.0`) as an integer: answers yes, requests no (the service
    /// refuses `1.0` for an integer member).
    pub(super) whole_floats: bool,
    pub(super) root: &'r str,
    /// Conversions taken in this pass.
    pub(super) converted: RefCell<Vec<Mismatch>>,
}

impl Ctx<'_> {
    fn record(&self, path: &Path<'_>, expected: &str, v: &Value) {
        self.converted.borrow_mut().push(Mismatch {
            path: render(self.root, &path.segments()),
            expected: expected.to_owned(),
            found: found(v),
            outcome: MismatchOutcome::Converted,
        });
    }
}

/// The deserializer of one value.
pub(super) struct De<'de, 'p> {
    pub(super) v: &'de Value,
    pub(super) path: &'p Path<'p>,
    pub(super) cx: &'p Ctx<'p>,
}

impl<'de> De<'de, '_> {
    /// Locates an error that nothing inside this value located.
    fn located<T>(&self, r: Result<T, WalkError>) -> Result<T, WalkError> {
        r.map_err(|mut e| {
            if e.at.is_none() {
                e.at = Some((self.path.segments(), found(self.v)));
            }
            e
        })
    }

    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        let r = match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq {
                items: items.iter(),
                index: 0,
                single: false,
                path: self.path,
                cx: self.cx,
            }),
            Value::Object(map) => visitor.visit_map(Members {
                iter: map.iter(),
                value: None,
                path: self.path,
                cx: self.cx,
            }),
        };
        self.located(r)
    }

    /// An integer member given as a canonical decimal string, or as a whole float.
    fn int<V: Visitor<'de>>(self, visitor: V, signed: bool) -> Result<V::Value, WalkError> {
        if self.cx.convert {
            let expected = if signed {
                "an integer"
            } else {
                "a non-negative integer"
            };
            match self.v {
                Value::String(s) if canonical_integer(s) => {
                    if let Ok(u) = s.parse::<u64>() {
                        self.cx.record(self.path, expected, self.v);
                        let r = visitor.visit_u64(u);
                        return self.located(r);
                    }
                    if let Ok(i) = s.parse::<i64>() {
                        self.cx.record(self.path, expected, self.v);
                        let r = visitor.visit_i64(i);
                        return self.located(r);
                    }
                }
                Value::Number(n) if n.is_f64() && self.cx.whole_floats => {
                    if let Some(f) = n.as_f64() {
                        // Exactly representable whole numbers only (2^63 bounds both casts).
                        if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                            self.cx.record(self.path, expected, self.v);
                            let r = visitor.visit_i64(f as i64);
                            return self.located(r);
                        }
                    }
                }
                _ => {}
            }
        }
        self.any(visitor)
    }
}

/// `0`, `-12`, `190001`: what an integer's decimal text is, so the conversion is lossless.
pub(super) fn canonical_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0"
}

/// A JSON number written as a string, with nothing around it.
pub(super) fn json_number(s: &str) -> Option<serde_json::Number> {
    let first = s.bytes().next()?;
    let last = s.bytes().last()?;
    if !(first == b'-' || first.is_ascii_digit()) || !last.is_ascii_digit() {
        return None;
    }
    serde_json::from_str::<serde_json::Number>(s).ok()
}

/// `true` / `false` in any ASCII letter case (Python's SDK sends `True` and `False`).
pub(super) fn boolean_word(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

macro_rules! ints {
    ($($method:ident => $signed:expr),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
            self.int(visitor, $signed)
        })*
    };
}

macro_rules! forward_any {
    ($($method:ident),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
            self.any(visitor)
        })*
    };
}

impl<'de> Deserializer<'de> for De<'de, '_> {
    type Error = WalkError;

    forward_any!(
        deserialize_any,
        deserialize_char,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_map,
        deserialize_identifier,
    );

    ints!(
        deserialize_i8 => true, deserialize_i16 => true, deserialize_i32 => true,
        deserialize_i64 => true, deserialize_i128 => true,
        deserialize_u8 => false, deserialize_u16 => false, deserialize_u32 => false,
        deserialize_u64 => false, deserialize_u128 => false,
    );

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        if let (true, Value::String(s)) = (self.cx.convert, self.v) {
            if let Some(b) = boolean_word(s) {
                self.cx.record(self.path, "a boolean", self.v);
                let r = visitor.visit_bool(b);
                return self.located(r);
            }
        }
        self.any(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        if let (true, Value::String(s)) = (self.cx.convert, self.v) {
            if let Some(f) = json_number(s).and_then(|n| n.as_f64()) {
                self.cx.record(self.path, "a number", self.v);
                let r = visitor.visit_f64(f);
                return self.located(r);
            }
        }
        self.any(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        if self.cx.convert {
            let text = match self.v {
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            if let Some(text) = text {
                self.cx.record(self.path, "a string", self.v);
                let r = visitor.visit_string(text);
                return self.located(r);
            }
        }
        self.any(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        match self.v {
            Value::Null => {
                let r = visitor.visit_none();
                self.located(r)
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        self.any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        match self.v {
            Value::Array(_) | Value::Null => self.any(visitor),
            // A single value where a list is declared: a list of one.
            _ if self.cx.convert => {
                self.cx.record(self.path, "a list", self.v);
                let r = visitor.visit_seq(Seq {
                    items: std::slice::from_ref(self.v).iter(),
                    index: 0,
                    single: true,
                    path: self.path,
                    cx: self.cx,
                });
                self.located(r)
            }
            _ => self.any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        self.any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        self.any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        // Never by position from a list (serde's derive would): `[]` is no structure.
        if let Value::Array(_) = self.v {
            let e = de::Error::invalid_type(de::Unexpected::Seq, &visitor);
            return self.located(Err(e));
        }
        self.any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, WalkError> {
        // No generated type is a serde enum; any other goes through serde_json's own rules.
        let r = self
            .v
            .deserialize_enum(name, variants, visitor)
            .map_err(<WalkError as de::Error>::custom);
        self.located(r)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WalkError> {
        visitor.visit_unit()
    }
}

struct Seq<'de, 'p> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
    /// One value read as a list: its element has the value's own path.
    single: bool,
    path: &'p Path<'p>,
    cx: &'p Ctx<'p>,
}

impl<'de> de::SeqAccess<'de> for Seq<'de, '_> {
    type Error = WalkError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, WalkError> {
        let Some(v) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        if self.single {
            return seed
                .deserialize(De {
                    v,
                    path: self.path,
                    cx: self.cx,
                })
                .map(Some);
        }
        let path = Path {
            parent: Some(self.path),
            seg: Some(Seg::Index(index)),
        };
        seed.deserialize(De {
            v,
            path: &path,
            cx: self.cx,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Members<'de, 'p> {
    iter: serde_json::map::Iter<'de>,
    value: Option<(&'de str, &'de Value)>,
    path: &'p Path<'p>,
    cx: &'p Ctx<'p>,
}

impl<'de> de::MapAccess<'de> for Members<'de, '_> {
    type Error = WalkError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, WalkError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some((k.as_str(), v));
        seed.deserialize(de::value::BorrowedStrDeserializer::<'de, WalkError>::new(k))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, WalkError> {
        let Some((k, v)) = self.value.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        let path = Path {
            parent: Some(self.path),
            seg: Some(Seg::Key(k)),
        };
        seed.deserialize(De {
            v,
            path: &path,
            cx: self.cx,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// Takes out the member (an object's key) that holds the value at `segs`: the value itself,
/// or the list it is an element of. Returns that member's path, `None` when there is none.
pub(super) fn remove_member(root: &mut Value, segs: &[OwnedSeg]) -> Option<Vec<OwnedSeg>> {
    let last_key = segs.iter().rposition(|s| matches!(s, OwnedSeg::Key(_)))?;
    let mut at = &mut *root;
    for seg in &segs[..last_key] {
        at = match (seg, at) {
            (OwnedSeg::Key(k), Value::Object(m)) => m.get_mut(k.as_str())?,
            (OwnedSeg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    let (OwnedSeg::Key(k), Value::Object(m)) = (&segs[last_key], at) else {
        return None;
    };
    m.remove(k.as_str())?;
    Some(segs[..=last_key].to_vec())
}
