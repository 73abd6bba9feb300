//! Parsed type references.

use std::fmt;

/// A parsed member/list/map type reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `int64`: signed 64-bit integer.
    Int64,
    /// `uint64`: unsigned 64-bit integer.
    UInt64,
    /// `float64`
    Float64,
    /// A named shape.
    Shape(String),
    /// `list<T>`
    List(Box<TypeRef>),
    /// `map<T>`: string keys.
    Map(Box<TypeRef>),
}

impl TypeRef {
    /// Deepest `list<`/`map<` nesting [`TypeRef::parse`] accepts; real APIs use two or three.
    pub const MAX_DEPTH: usize = 16;

    /// Parses `list<map<Foo>>` and friends. The error says what is wrong with the text.
    ///
    /// Iterative, so a hostile `list<list<...` string cannot exhaust the stack.
    pub fn parse(text: &str) -> Result<TypeRef, String> {
        if text.trim() != text {
            return Err(format!("type \"{text}\" has surrounding white space"));
        }
        let mut wrappers: Vec<fn(Box<TypeRef>) -> TypeRef> = Vec::new();
        let mut t = text;
        loop {
            let (rest, wrap) = if let Some(rest) = t.strip_prefix("list<") {
                (rest, TypeRef::List as fn(Box<TypeRef>) -> TypeRef)
            } else if let Some(rest) = t.strip_prefix("map<") {
                (rest, TypeRef::Map as fn(Box<TypeRef>) -> TypeRef)
            } else {
                break;
            };
            t = rest
                .strip_suffix('>')
                .ok_or_else(|| format!("type \"{text}\" lacks a closing '>'"))?;
            wrappers.push(wrap);
            if wrappers.len() > Self::MAX_DEPTH {
                return Err(format!(
                    "type \"{text}\" nests list/map more than {} deep",
                    Self::MAX_DEPTH
                ));
            }
        }
        let mut ty = match t {
            "string" => TypeRef::String,
            "boolean" => TypeRef::Boolean,
            "int64" => TypeRef::Int64,
            "uint64" => TypeRef::UInt64,
            "float64" => TypeRef::Float64,
            "" => return Err(format!("type \"{text}\" names no type")),
            name if crate::validate::is_identifier(name) => TypeRef::Shape(name.to_owned()),
            other => {
                return Err(format!(
                    "type \"{other}\" is not a primitive (string, boolean, int64, uint64, \
                     float64), a shape name, list<T> or map<T>"
                ))
            }
        };
        while let Some(wrap) = wrappers.pop() {
            ty = wrap(Box::new(ty));
        }
        Ok(ty)
    }

    /// Every shape name this reference mentions.
    pub fn shape_name(&self) -> Option<&str> {
        match self {
            TypeRef::Shape(n) => Some(n),
            TypeRef::List(t) | TypeRef::Map(t) => t.shape_name(),
            _ => None,
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::String => f.write_str("string"),
            TypeRef::Boolean => f.write_str("boolean"),
            TypeRef::Int64 => f.write_str("int64"),
            TypeRef::UInt64 => f.write_str("uint64"),
            TypeRef::Float64 => f.write_str("float64"),
            TypeRef::Shape(n) => f.write_str(n),
            TypeRef::List(t) => write!(f, "list<{t}>"),
            TypeRef::Map(t) => write!(f, "map<{t}>"),
        }
    }
}
