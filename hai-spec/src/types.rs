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
    /// Parses `list<map<Foo>>` and friends. The error says what is wrong with the text.
    pub fn parse(text: &str) -> Result<TypeRef, String> {
        let t = text.trim();
        if t != text {
            return Err(format!("type \"{text}\" has surrounding white space"));
        }
        for (prefix, wrap) in [
            ("list<", TypeRef::List as fn(Box<TypeRef>) -> TypeRef),
            ("map<", TypeRef::Map as fn(Box<TypeRef>) -> TypeRef),
        ] {
            if let Some(rest) = t.strip_prefix(prefix) {
                let inner = rest
                    .strip_suffix('>')
                    .ok_or_else(|| format!("type \"{text}\" lacks its closing '>'"))?;
                return Ok(wrap(Box::new(TypeRef::parse(inner)?)));
            }
        }
        Ok(match t {
            "string" => TypeRef::String,
            "boolean" => TypeRef::Boolean,
            "int64" => TypeRef::Int64,
            "uint64" => TypeRef::UInt64,
            "float64" => TypeRef::Float64,
            "" => return Err("empty type".to_owned()),
            name if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_alphabetic()) =>
            {
                TypeRef::Shape(name.to_owned())
            }
            other => {
                return Err(format!(
                    "type \"{other}\" is not a primitive, a shape name, list<T> or map<T>"
                ))
            }
        })
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
