//! Checks action parameters against the spec, for every action the spec carries.

use std::collections::BTreeMap;

use hai_sdk::decode::{convert_scalar, ScalarType};
use hai_spec::{Shape, Spec, TypeRef};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Validates a parameter object (a JSON body, or GET's query read by [`query_to_params`])
/// against the input structure of an action, converting in place what the rule for requests
/// takes ([`hai_sdk::decode::convert_scalar`]: `"10"` for an integer, `"True"` for a boolean,
/// a number for a string...), so the action's handler sees every member in its declared type.
pub(crate) fn validate_params(
    spec: &Spec,
    input_shape: &str,
    params: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    check_structure(spec, input_shape, params, "")
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn check_structure(
    spec: &Spec,
    shape: &str,
    obj: &mut Map<String, Value>,
    prefix: &str,
) -> Result<(), ApiError> {
    let Some(Shape::Structure(s)) = spec.shapes.get(shape) else {
        return Err(ApiError::new(
            "InternalError",
            format!("The emulator's spec has no structure `{shape}`."),
        ));
    };
    for key in obj.keys() {
        if !s.members.iter().any(|m| &m.name == key) {
            return Err(ApiError::unknown(&join(prefix, key)));
        }
    }
    for m in &s.members {
        let path = join(prefix, &m.name);
        match obj.get_mut(&m.name) {
            None | Some(Value::Null) => {
                if m.required {
                    return Err(ApiError::missing(&path));
                }
            }
            Some(v) => {
                let ty = TypeRef::parse(&m.ty).map_err(|e| ApiError::new("InternalError", e))?;
                check_value(spec, &ty, v, &path)?;
            }
        }
    }
    Ok(())
}

/// A scalar read under the rule for requests: converted in place, or `InvalidParameter`
/// naming its path, the declared type and the value.
fn scalar(v: &mut Value, ty: ScalarType, path: &str) -> Result<(), ApiError> {
    match convert_scalar(v, ty) {
        Ok(None) => Ok(()),
        Ok(Some(converted)) => {
            *v = converted;
            Ok(())
        }
        Err(m) => Err(ApiError::mistyped(path, &m)),
    }
}

fn check_value(spec: &Spec, ty: &TypeRef, v: &mut Value, path: &str) -> Result<(), ApiError> {
    match ty {
        TypeRef::String => scalar(v, ScalarType::String, path),
        TypeRef::Boolean => scalar(v, ScalarType::Boolean, path),
        TypeRef::Int64 => scalar(v, ScalarType::Int64, path),
        TypeRef::UInt64 => scalar(v, ScalarType::UInt64, path),
        TypeRef::Float64 => scalar(v, ScalarType::Float64, path),
        // A list must be a list: unlike the SDK's decoders, no single value is read as a
        // list of one here, as nothing shows that the service does.
        TypeRef::List(inner) => {
            let items = v
                .as_array_mut()
                .ok_or_else(|| ApiError::invalid_type(path, "Array"))?;
            for (i, item) in items.iter_mut().enumerate() {
                check_value(spec, inner, item, &format!("{path}.{i}"))?;
            }
            Ok(())
        }
        TypeRef::Map(inner) => {
            let obj = v
                .as_object_mut()
                .ok_or_else(|| ApiError::invalid_type(path, "Object"))?;
            for (k, item) in obj.iter_mut() {
                check_value(spec, inner, item, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        TypeRef::Shape(name) => match spec.shapes.get(name) {
            Some(Shape::Structure(_)) => {
                let obj = v
                    .as_object_mut()
                    .ok_or_else(|| ApiError::invalid_type(path, "Object"))?;
                check_structure(spec, name, obj, path)
            }
            Some(Shape::Enum(e)) => {
                scalar(v, ScalarType::String, path)?;
                let s = v.as_str().unwrap_or_default();
                if e.values.iter().any(|ev| ev.value == s) {
                    Ok(())
                } else {
                    let allowed: Vec<&str> = e.values.iter().map(|ev| ev.value.as_str()).collect();
                    Err(ApiError::invalid_value(
                        path,
                        &format!(
                            "`{}` is not one of {}",
                            s.escape_debug(),
                            allowed.join(", ")
                        ),
                    ))
                }
            }
            Some(Shape::List(l)) => {
                let ty =
                    TypeRef::parse(&l.member).map_err(|e| ApiError::new("InternalError", e))?;
                check_value(spec, &TypeRef::List(Box::new(ty)), v, path)
            }
            Some(Shape::Map(m)) => {
                let ty = TypeRef::parse(&m.value).map_err(|e| ApiError::new("InternalError", e))?;
                check_value(spec, &TypeRef::Map(Box::new(ty)), v, path)
            }
            None => Err(ApiError::new(
                "InternalError",
                format!("The emulator's spec has no shape `{name}`."),
            )),
        },
    }
}

/// A query-string parameter tree: `Filters.0.Values.1=x` nests by the dots.
#[derive(Debug)]
enum Node {
    Leaf(String),
    Branch(BTreeMap<String, Node>),
}

/// Turns GET query pairs (`InstanceIds.0=hai-...`) into the JSON object the POST form would
/// carry, nested by the spec's structures and lists, every leaf a string for
/// [`validate_params`] to convert.
pub(crate) fn query_to_params(
    spec: &Spec,
    input_shape: &str,
    pairs: &[(String, String)],
) -> Result<Map<String, Value>, ApiError> {
    let mut root: BTreeMap<String, Node> = BTreeMap::new();
    for (key, value) in pairs {
        let parts: Vec<&str> = key.split('.').collect();
        insert(&mut root, &parts, value.clone(), key)?;
    }
    match structure_from_tree(spec, input_shape, root, "")? {
        Value::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    parts: &[&str],
    value: String,
    full: &str,
) -> Result<(), ApiError> {
    let (first, rest) = match parts.split_first() {
        Some((f, r)) if !f.is_empty() => (*f, r),
        _ => return Err(ApiError::unknown(full)),
    };
    if rest.is_empty() {
        if map.contains_key(first) {
            return Err(ApiError::invalid_value(full, "it is given more than once"));
        }
        map.insert(first.to_owned(), Node::Leaf(value));
        return Ok(());
    }
    let entry = map
        .entry(first.to_owned())
        .or_insert_with(|| Node::Branch(BTreeMap::new()));
    match entry {
        Node::Branch(child) => insert(child, rest, value, full),
        Node::Leaf(_) => Err(ApiError::invalid_type(full, "a nested parameter")),
    }
}

fn structure_from_tree(
    spec: &Spec,
    shape: &str,
    tree: BTreeMap<String, Node>,
    prefix: &str,
) -> Result<Value, ApiError> {
    let Some(Shape::Structure(s)) = spec.shapes.get(shape) else {
        return Err(ApiError::new(
            "InternalError",
            format!("The emulator's spec has no structure `{shape}`."),
        ));
    };
    let mut out = Map::new();
    for (key, node) in tree {
        let path = join(prefix, &key);
        let member = s
            .members
            .iter()
            .find(|m| m.name == key)
            .ok_or_else(|| ApiError::unknown(&path))?;
        let ty = TypeRef::parse(&member.ty).map_err(|e| ApiError::new("InternalError", e))?;
        out.insert(key, node_to_value(spec, &ty, node, &path)?);
    }
    Ok(Value::Object(out))
}

fn node_to_value(spec: &Spec, ty: &TypeRef, node: Node, path: &str) -> Result<Value, ApiError> {
    match (ty, node) {
        // Every GET value is a string: [`validate_params`] converts it to its member's type
        // by the same rule as a string in a JSON body.
        (
            TypeRef::String
            | TypeRef::Boolean
            | TypeRef::Int64
            | TypeRef::UInt64
            | TypeRef::Float64,
            Node::Leaf(s),
        ) => Ok(Value::String(s)),
        (TypeRef::List(inner), Node::Branch(items)) => {
            let mut indexed = Vec::with_capacity(items.len());
            for (k, n) in items {
                let i: usize = k
                    .parse()
                    .map_err(|_| ApiError::invalid_type(&format!("{path}.{k}"), "a list index"))?;
                indexed.push((i, k, n));
            }
            indexed.sort_by_key(|(i, _, _)| *i);
            let mut out = Vec::with_capacity(indexed.len());
            for (pos, (i, k, n)) in indexed.into_iter().enumerate() {
                if i != pos {
                    return Err(ApiError::invalid_value(
                        &format!("{path}.{k}"),
                        "list indices must be 0, 1, 2... without gaps",
                    ));
                }
                out.push(node_to_value(spec, inner, n, &format!("{path}.{k}"))?);
            }
            Ok(Value::Array(out))
        }
        (TypeRef::Map(inner), Node::Branch(items)) => {
            let mut out = Map::new();
            for (k, n) in items {
                let v = node_to_value(spec, inner, n, &format!("{path}.{k}"))?;
                out.insert(k, v);
            }
            Ok(Value::Object(out))
        }
        (TypeRef::Shape(name), node) => match (spec.shapes.get(name), node) {
            (Some(Shape::Structure(_)), Node::Branch(tree)) => {
                structure_from_tree(spec, name, tree, path)
            }
            (Some(Shape::Enum(_)), Node::Leaf(s)) => Ok(Value::String(s)),
            (Some(Shape::List(l)), node) => {
                let t = TypeRef::parse(&l.member).map_err(|e| ApiError::new("InternalError", e))?;
                node_to_value(spec, &TypeRef::List(Box::new(t)), node, path)
            }
            (Some(Shape::Map(m)), node) => {
                let t = TypeRef::parse(&m.value).map_err(|e| ApiError::new("InternalError", e))?;
                node_to_value(spec, &TypeRef::Map(Box::new(t)), node, path)
            }
            (Some(_), _) => Err(ApiError::invalid_type(path, "a different shape")),
            (None, _) => Err(ApiError::new(
                "InternalError",
                format!("The emulator's spec has no shape `{name}`."),
            )),
        },
        (_, Node::Leaf(_)) => Err(ApiError::invalid_type(path, "a nested parameter")),
        (_, Node::Branch(_)) => Err(ApiError::invalid_type(path, "a single value")),
    }
}
