//! Semantic checks that run after deserialisation (see the crate docs for the rules).
//!
//! Every check returns the first problem it meets, in a fixed order, so the same
//! bad spec always yields the same error.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::model::{Action, EnumShape, Example, Member, Paging, Resource, Shape, Spec, Structure};
use crate::resolved::{ResolvedMember, ResolvedShape, ResolvedSpec};
use crate::{SpecError, TypeRef};

/// `^[A-Za-z][A-Za-z0-9_]*$`: member, shape and action names, error code parts.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `Word(.Word)*` where each word is an identifier.
fn is_error_code(s: &str) -> bool {
    s.split('.').all(is_identifier)
}

/// Names with the same fold differ only in case or underscores; the generator's
/// case conversion (`GPUCount`, `GpuCount` -> `gpu_count`) would merge them.
fn fold(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn err(path: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        path: path.into(),
        message: message.into(),
    }
}

/// A short description of a JSON value for messages, never the whole value.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() <= 40 => format!("{s:?}"),
        Value::String(_) => "a long string".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

const PRIMITIVES: [&str; 5] = ["string", "boolean", "int64", "uint64", "float64"];

/// The role an action gives a shape: `(action, "input" | "output")`.
type Roles<'a> = BTreeMap<&'a str, (&'a str, &'static str)>;

impl Spec {
    /// Checks every rule listed in the crate docs. [`crate::parse`] calls it; call it
    /// yourself only for a `Spec` built or changed in code.
    pub fn validate(&self) -> Result<(), SpecError> {
        self.resolve().map(|_| ())
    }

    /// [`validate`](Spec::validate)s the spec and returns it with every type reference
    /// parsed (validation parses each one once, and keeps them): code that works on a valid
    /// spec reads member, list and map types from the result instead of parsing them again.
    pub fn resolve(&self) -> Result<ResolvedSpec<'_>, SpecError> {
        let mut v = Validator {
            spec: self,
            resolved: ResolvedSpec {
                spec: self,
                shapes: BTreeMap::new(),
            },
        };
        v.format()?;
        v.service()?;
        v.catalogue()?;
        let roles = v.roles();
        v.resolved.shapes = v.shapes(&roles)?;
        v.container_cycles()?;
        v.member_values()?;
        v.actions()?;
        v.paging()?;
        v.resources()?;
        Ok(v.resolved)
    }
}

struct Validator<'a> {
    spec: &'a Spec,
    /// Every shape with its types parsed; `shapes` fills it, and runs before every check
    /// that reads a type.
    resolved: ResolvedSpec<'a>,
}

/// How strictly values are checked against member types.
#[derive(Clone, Copy)]
struct ValueRules {
    /// Accept decimal strings for int64/uint64 (documentation-only values).
    int_strings: bool,
    /// Demand every required structure member (whole request/response examples).
    complete: bool,
}

impl<'a> Validator<'a> {
    fn format(&self) -> Result<(), SpecError> {
        if self.spec.format != 1 {
            return Err(err(
                "format",
                format!(
                    "unsupported spec format {}; this crate reads format 1",
                    self.spec.format
                ),
            ));
        }
        Ok(())
    }

    fn service(&self) -> Result<(), SpecError> {
        let s = &self.spec.service;
        let lower_word = |path: &str, value: &str| {
            let mut chars = value.chars();
            let ok = matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if value.is_empty() {
                Err(err(path, "must not be empty"))
            } else if !ok {
                Err(err(
                    path,
                    format!("\"{value}\" must be lower-case ASCII letters and digits, starting with a letter"),
                ))
            } else {
                Ok(())
            }
        };
        lower_word("service.name", &s.name)?;
        lower_word("service.signing_service", &s.signing_service)?;

        let b = s.version.as_bytes();
        let date = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            });
        if s.version.is_empty() {
            return Err(err("service.version", "must not be empty"));
        }
        if !date {
            return Err(err(
                "service.version",
                format!("\"{}\" is not a YYYY-MM-DD API version", s.version),
            ));
        }

        check_host("service.host", &s.host)?;
        if let Some(regional) = &s.regional_host {
            if !regional.contains("{region}") {
                return Err(err(
                    "service.regional_host",
                    format!("\"{regional}\" lacks the {{region}} placeholder"),
                ));
            }
            check_host(
                "service.regional_host",
                &regional.replace("{region}", "region"),
            )?;
        }
        Ok(())
    }

    fn catalogue(&self) -> Result<(), SpecError> {
        let errors = &self.spec.errors;
        for (part, map) in [("common", &errors.common), ("service", &errors.service)] {
            for (code, description) in map.iter() {
                if !is_error_code(code) {
                    return Err(err(
                        format!("errors.{part}"),
                        format!("invalid error code \"{code}\": expected Word(.Word)*, each word [A-Za-z][A-Za-z0-9_]*"),
                    ));
                }
                if description.trim().is_empty() {
                    return Err(err(
                        format!("errors.{part}.{code}"),
                        "an error code needs a description",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Which shapes actions use as input or output (first use wins; `actions`
    /// reports the conflicts).
    fn roles(&self) -> Roles<'a> {
        let mut roles = Roles::new();
        for (name, action) in self.spec.actions.iter() {
            // Non-structures are reported by `actions` with a better message.
            let is_structure = |n: &str| self.spec.structure(n).is_some();
            if is_structure(&action.input) {
                roles
                    .entry(action.input.as_str())
                    .or_insert((name.as_str(), "input"));
            }
            if is_structure(&action.output) {
                roles
                    .entry(action.output.as_str())
                    .or_insert((name.as_str(), "output"));
            }
        }
        roles
    }

    fn shapes(&self, roles: &Roles<'_>) -> Result<BTreeMap<&'a str, ResolvedShape<'a>>, SpecError> {
        for name in self.spec.shapes.keys() {
            if !is_identifier(name) {
                return Err(err(
                    "shapes",
                    format!("invalid shape name \"{name}\": expected [A-Za-z][A-Za-z0-9_]*"),
                ));
            }
            if PRIMITIVES.contains(&name.as_str()) {
                return Err(err(
                    "shapes",
                    format!("shape name \"{name}\" is a primitive type name"),
                ));
            }
        }

        let mut out = BTreeMap::new();
        for (name, shape) in self.spec.shapes.iter() {
            let base = format!("shapes.{name}");
            let resolved = match shape {
                Shape::Structure(s) => {
                    ResolvedShape::Structure(s, self.structure(&base, s, roles)?)
                }
                Shape::Enum(e) => {
                    enum_values(&base, e)?;
                    ResolvedShape::Enum(e)
                }
                Shape::List(l) => ResolvedShape::List(
                    l,
                    self.type_ref(&l.member, &format!("{base}.member"), roles)?,
                ),
                Shape::Map(m) => {
                    ResolvedShape::Map(m, self.type_ref(&m.value, &format!("{base}.value"), roles)?)
                }
            };
            out.insert(name.as_str(), resolved);
        }
        Ok(out)
    }

    /// Lists and maps whose elements lead, through other named lists and maps only, back to
    /// themselves have no finite value (and no Rust type): refused, naming the cycle. A
    /// structure on the way breaks such a cycle (it can hold the link in a `Box`).
    fn container_cycles(&self) -> Result<(), SpecError> {
        for (name, shape) in &self.resolved.shapes {
            let mut element = match shape {
                ResolvedShape::List(_, t) | ResolvedShape::Map(_, t) => t,
                _ => continue,
            };
            let mut chain = vec![*name];
            loop {
                match element {
                    TypeRef::List(inner) | TypeRef::Map(inner) => element = inner,
                    TypeRef::Shape(next) => match self.resolved.shapes.get(next.as_str()) {
                        Some(ResolvedShape::List(_, t) | ResolvedShape::Map(_, t)) => {
                            if chain.contains(&next.as_str()) {
                                chain.push(next.as_str());
                                let field = match shape {
                                    ResolvedShape::List(..) => "member",
                                    _ => "value",
                                };
                                return Err(err(
                                    format!("shapes.{name}.{field}"),
                                    format!(
                                        "the lists and maps {} contain only one another: no value of this type is finite",
                                        chain.join(" -> ")
                                    ),
                                ));
                            }
                            chain.push(next.as_str());
                            element = t;
                        }
                        _ => break,
                    },
                    _ => break,
                }
            }
        }
        Ok(())
    }

    /// Checks the members of a structure and returns them with their types.
    fn structure(
        &self,
        base: &str,
        s: &'a Structure,
        roles: &Roles<'_>,
    ) -> Result<Vec<ResolvedMember<'a>>, SpecError> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut members = Vec::with_capacity(s.members.len());
        for (i, m) in s.members.iter().enumerate() {
            let path = format!("{base}.members[{i}]");
            if !is_identifier(&m.name) {
                return Err(err(
                    format!("{path}.name"),
                    format!(
                        "invalid member name \"{}\": expected [A-Za-z][A-Za-z0-9_]*",
                        m.name
                    ),
                ));
            }
            // Names differing only in case or underscores are fine: the generator
            // numbers the Rust identifiers they share.
            if let Some(j) = seen.insert(m.name.as_str(), i) {
                return Err(err(
                    format!("{path}.name"),
                    format!("duplicate member \"{}\" (also members[{j}])", m.name),
                ));
            }
            let ty = self.type_ref(&m.ty, &format!("{path}.type"), roles)?;
            if m.required && m.default.is_some() {
                return Err(err(
                    format!("{path}.default"),
                    "a required member cannot have a default: it is never absent",
                ));
            }
            if m.required && m.deprecated {
                return Err(err(
                    format!("{path}.required"),
                    "a deprecated member cannot be required: callers must be able to leave it out",
                ));
            }
            members.push(ResolvedMember { member: m, ty });
        }
        Ok(members)
    }

    /// Parses a type reference and checks the shape it names exists and may be used.
    fn type_ref(&self, text: &str, path: &str, roles: &Roles<'_>) -> Result<TypeRef, SpecError> {
        let ty = TypeRef::parse(text).map_err(|m| err(path, m))?;
        if let Some(name) = ty.shape_name() {
            if !self.spec.shapes.contains_key(name) {
                return Err(err(path, format!("unknown shape \"{name}\"")));
            }
            if let Some((action, role)) = roles.get(name) {
                return Err(err(
                    path,
                    format!("shape \"{name}\" is the {role} of action {action}; action inputs and outputs cannot be used as member types"),
                ));
            }
        }
        Ok(ty)
    }

    /// `default` and `example` of every member fit its type. Runs after `shapes`,
    /// so every type parses and every named shape exists.
    fn member_values(&self) -> Result<(), SpecError> {
        let rules = ValueRules {
            int_strings: true,
            complete: false,
        };
        for (name, shape) in self.resolved.shapes() {
            let ResolvedShape::Structure(_, members) = shape else {
                continue;
            };
            for (i, ResolvedMember { member: m, ty }) in members.iter().enumerate() {
                let path = format!("shapes.{name}.members[{i}]");
                if let Some(default) = &m.default {
                    if default.is_null() {
                        return Err(err(
                            format!("{path}.default"),
                            "a default cannot be null; omit it instead",
                        ));
                    }
                    self.value(ty, default, false, rules, &format!("{path}.default"))?;
                }
                if let Some(example) = &m.example {
                    self.value(ty, example, m.nullable, rules, &format!("{path}.example"))?;
                }
            }
        }
        Ok(())
    }

    /// Checks a JSON value against a type. Depth is bounded by serde_json's own
    /// nesting limit on the value.
    fn value(
        &self,
        ty: &TypeRef,
        v: &Value,
        nullable: bool,
        rules: ValueRules,
        path: &str,
    ) -> Result<(), SpecError> {
        if v.is_null() {
            return if nullable {
                Ok(())
            } else {
                Err(err(path, "null is not allowed: the member is not nullable"))
            };
        }
        let expected = |what: &str| err(path, format!("expected {what}, found {}", describe(v)));
        match ty {
            TypeRef::String => v
                .is_string()
                .then_some(())
                .ok_or_else(|| expected("a string")),
            TypeRef::Boolean => v
                .is_boolean()
                .then_some(())
                .ok_or_else(|| expected("a boolean")),
            TypeRef::Float64 => v
                .is_number()
                .then_some(())
                .ok_or_else(|| expected("a number")),
            TypeRef::Int64 => {
                let ok = v.as_i64().is_some()
                    || (rules.int_strings
                        && v.as_str().is_some_and(|s| {
                            decimal(s, true).is_some_and(|s| s.parse::<i64>().is_ok())
                        }));
                ok.then_some(()).ok_or_else(|| {
                    expected(if rules.int_strings {
                        "an int64 integer or decimal string"
                    } else {
                        "an int64 integer"
                    })
                })
            }
            TypeRef::UInt64 => {
                let ok = v.as_u64().is_some()
                    || (rules.int_strings
                        && v.as_str().is_some_and(|s| {
                            decimal(s, false).is_some_and(|s| s.parse::<u64>().is_ok())
                        }));
                ok.then_some(()).ok_or_else(|| {
                    expected(if rules.int_strings {
                        "a uint64 integer or decimal string"
                    } else {
                        "a uint64 integer"
                    })
                })
            }
            TypeRef::List(t) => self.list(t, v, rules, path),
            TypeRef::Map(t) => self.map(t, v, rules, path),
            TypeRef::Shape(name) => match self.resolved.shape(name) {
                Some(ResolvedShape::Structure(s, _)) => {
                    let obj = v.as_object().ok_or_else(|| expected("an object"))?;
                    self.object(name, s, obj, rules, path)
                }
                Some(ResolvedShape::Enum(e)) => {
                    let s = v.as_str().ok_or_else(|| expected("a string"))?;
                    if e.values.iter().any(|x| x.value == s) {
                        Ok(())
                    } else {
                        let known: Vec<&str> = e.values.iter().map(|x| x.value.as_str()).collect();
                        Err(err(
                            path,
                            format!(
                                "{} is not a value of enum {name} (values: {})",
                                describe(v),
                                known.join(", ")
                            ),
                        ))
                    }
                }
                Some(ResolvedShape::List(_, t)) => self.list(t, v, rules, path),
                Some(ResolvedShape::Map(_, t)) => self.map(t, v, rules, path),
                None => Err(err(path, format!("unknown shape \"{name}\""))),
            },
        }
    }

    fn list(&self, t: &TypeRef, v: &Value, rules: ValueRules, path: &str) -> Result<(), SpecError> {
        let items = v
            .as_array()
            .ok_or_else(|| err(path, format!("expected an array, found {}", describe(v))))?;
        for (i, item) in items.iter().enumerate() {
            self.value(t, item, false, rules, &format!("{path}[{i}]"))?;
        }
        Ok(())
    }

    fn map(&self, t: &TypeRef, v: &Value, rules: ValueRules, path: &str) -> Result<(), SpecError> {
        let entries = v
            .as_object()
            .ok_or_else(|| err(path, format!("expected an object, found {}", describe(v))))?;
        for (key, item) in entries {
            self.value(t, item, false, rules, &format!("{path}.{key}"))?;
        }
        Ok(())
    }

    /// A JSON object as a structure: known keys, fitting values, and with
    /// `rules.complete` every required member present.
    fn object(
        &self,
        name: &str,
        s: &Structure,
        obj: &Map<String, Value>,
        rules: ValueRules,
        path: &str,
    ) -> Result<(), SpecError> {
        let members = self.resolved.members(name);
        for (key, item) in obj {
            let ResolvedMember { member, ty } = members
                .iter()
                .find(|m| &m.member.name == key)
                .ok_or_else(|| {
                    err(
                        format!("{path}.{key}"),
                        format!("\"{key}\" is not a member of {name}"),
                    )
                })?;
            let inner = ValueRules {
                complete: false,
                ..rules
            };
            self.value(ty, item, member.nullable, inner, &format!("{path}.{key}"))?;
        }
        if rules.complete {
            if let Some(m) = s
                .members
                .iter()
                .find(|m| m.required && !obj.contains_key(&m.name))
            {
                return Err(err(
                    path,
                    format!("required member \"{}\" of {name} is missing", m.name),
                ));
            }
        }
        Ok(())
    }

    fn actions(&self) -> Result<(), SpecError> {
        for name in self.spec.actions.keys() {
            if !is_identifier(name) {
                return Err(err(
                    "actions",
                    format!("invalid action name \"{name}\": expected [A-Za-z][A-Za-z0-9_]*"),
                ));
            }
        }

        let mut used: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for (name, action) in self.spec.actions.iter() {
            let base = format!("actions.{name}");
            if action.doc.trim().is_empty() {
                return Err(err(format!("{base}.doc"), "an action needs a description"));
            }
            for (role, shape) in [("input", &action.input), ("output", &action.output)] {
                let path = format!("{base}.{role}");
                match self.spec.shapes.get(shape.as_str()) {
                    None => return Err(err(path, format!("unknown shape \"{shape}\""))),
                    Some(Shape::Structure(_)) => {}
                    Some(other) => {
                        return Err(err(
                            path,
                            format!(
                            "shape \"{shape}\" is a {}, but an action {role} must be a structure",
                            other.kind()
                        ),
                        ))
                    }
                }
                if let Some((a, r)) = used.insert(shape.as_str(), (name.as_str(), role)) {
                    let whose = if a == name {
                        "this action's".to_owned()
                    } else {
                        format!("action {a}'s")
                    };
                    return Err(err(
                        path,
                        format!("shape \"{shape}\" is already {whose} {r}; every action needs its own input and output shapes"),
                    ));
                }
            }
            let output = self.spec.structure(&action.output);
            let has_request_id = output.is_some_and(|s| {
                s.members
                    .iter()
                    .any(|m| m.name == "RequestId" && m.ty == "string")
            });
            if !has_request_id {
                return Err(err(
                    format!("{base}.output"),
                    format!(
                        "output shape \"{}\" needs a member \"RequestId\" of type string",
                        action.output
                    ),
                ));
            }

            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, code) in action.errors.iter().enumerate() {
                let path = format!("{base}.errors[{i}]");
                if !is_error_code(code) {
                    return Err(err(
                        path,
                        format!("invalid error code \"{code}\": expected Word(.Word)*"),
                    ));
                }
                if !self.spec.errors.contains(code) {
                    return Err(err(
                        path,
                        format!("error code \"{code}\" is not in the catalogue (errors.service or errors.common)"),
                    ));
                }
                if let Some(j) = seen.insert(code, i) {
                    return Err(err(
                        path,
                        format!("duplicate error code \"{code}\" (also errors[{j}])"),
                    ));
                }
            }

            if action.rate_limit == Some(0) {
                return Err(err(
                    format!("{base}.rate_limit"),
                    "a rate limit must be greater than 0; omit it for no limit",
                ));
            }

            for (i, example) in action.examples.iter().enumerate() {
                self.example(action, example, &format!("{base}.examples[{i}]"))?;
            }
        }
        Ok(())
    }

    fn example(&self, action: &Action, example: &Example, path: &str) -> Result<(), SpecError> {
        let rules = ValueRules {
            int_strings: false,
            complete: true,
        };
        if example.title.trim().is_empty() {
            return Err(err(format!("{path}.title"), "an example needs a title"));
        }
        let (Some(input), Some(output)) = (
            self.spec.structure(&action.input),
            self.spec.structure(&action.output),
        ) else {
            return Ok(()); // `actions` reported it already
        };

        let request_path = format!("{path}.request");
        let request = example.request.as_object().ok_or_else(|| {
            err(
                &request_path,
                format!(
                    "a request must be an object of {} members, found {}",
                    action.input,
                    describe(&example.request)
                ),
            )
        })?;
        self.object(&action.input, input, request, rules, &request_path)?;

        let response_path = format!("{path}.response");
        let body = match example.response.as_object() {
            Some(envelope) if envelope.len() == 1 => envelope.get("Response"),
            _ => None,
        };
        let Some(body) = body else {
            return Err(err(
                response_path,
                "a response must be {\"Response\": {...}}",
            ));
        };
        let response_path = format!("{response_path}.Response");
        let body = body.as_object().ok_or_else(|| {
            err(
                &response_path,
                format!("expected an object, found {}", describe(body)),
            )
        })?;

        let Some(error) = body.get("Error") else {
            return self.object(&action.output, output, body, rules, &response_path);
        };
        // An error envelope: {"Error": {"Code", "Message"}, "RequestId"}.
        if let Some(key) = body.keys().find(|k| *k != "Error" && *k != "RequestId") {
            return Err(err(
                format!("{response_path}.{key}"),
                "an error response carries only Error and RequestId",
            ));
        }
        if let Some(id) = body.get("RequestId") {
            self.value(
                &TypeRef::String,
                id,
                false,
                rules,
                &format!("{response_path}.RequestId"),
            )?;
        }
        let error_path = format!("{response_path}.Error");
        let error = error.as_object().ok_or_else(|| {
            err(
                &error_path,
                format!("expected an object, found {}", describe(error)),
            )
        })?;
        if let Some(key) = error.keys().find(|k| *k != "Code" && *k != "Message") {
            return Err(err(
                format!("{error_path}.{key}"),
                "an error has only Code and Message",
            ));
        }
        for key in ["Code", "Message"] {
            match error.get(key) {
                Some(Value::String(_)) => {}
                Some(other) => {
                    return Err(err(
                        format!("{error_path}.{key}"),
                        format!("expected a string, found {}", describe(other)),
                    ))
                }
                None => return Err(err(&error_path, format!("an error needs \"{key}\""))),
            }
        }
        let code = error
            .get("Code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let listed =
            action.errors.iter().any(|c| c == code) || self.spec.errors.common.contains_key(code);
        if !listed {
            return Err(err(
                format!("{error_path}.Code"),
                format!(
                    "error code \"{code}\" is neither in this action's errors nor in errors.common"
                ),
            ));
        }
        Ok(())
    }
}

/// Where a paging or resource key points: a structure and one of its members.
struct Found<'s> {
    structure: &'s str,
    member: &'s Member,
    ty: &'s TypeRef,
}

impl<'a> Validator<'a> {
    /// Member `name` of structure `shape` (the caller checked the shape is a structure).
    fn member<'s>(
        &'s self,
        shape: &'s str,
        name: &str,
        path: &str,
    ) -> Result<Found<'s>, SpecError> {
        let Some(ResolvedShape::Structure(_, members)) = self.resolved.shape(shape) else {
            return Err(err(path, format!("\"{shape}\" is not a structure")));
        };
        let found = members
            .iter()
            .find(|m| m.member.name == name)
            .ok_or_else(|| {
                err(
                    path,
                    format!("structure \"{shape}\" has no member \"{name}\""),
                )
            })?;
        Ok(Found {
            structure: shape,
            member: found.member,
            ty: &found.ty,
        })
    }

    /// The element type of a list type, through named list shapes.
    fn list_element<'s>(&'s self, ty: &'s TypeRef) -> Option<&'s TypeRef> {
        self.resolved.list_element(ty)
    }

    /// The structure a type names, if it names one.
    fn structure_of(&self, ty: &TypeRef) -> Option<(&'a str, &'a Structure)> {
        let TypeRef::Shape(n) = ty else { return None };
        let (name, shape) = self.spec.shapes.get_key_value(n)?;
        match shape {
            Shape::Structure(s) => Some((name.as_str(), s)),
            _ => None,
        }
    }

    fn integer(&self, found: &Found<'_>, path: &str, role: &str) -> Result<(), SpecError> {
        if matches!(found.ty, TypeRef::Int64 | TypeRef::UInt64) {
            return Ok(());
        }
        Err(err(
            path,
            format!(
                "member \"{}\" of {} has type {}; the {role} must be int64 or uint64",
                found.member.name, found.structure, found.member.ty
            ),
        ))
    }

    /// The `paging` key of every action (after `actions`: inputs and outputs are structures).
    fn paging(&self) -> Result<(), SpecError> {
        for (name, action) in self.spec.actions.iter() {
            if let Some(p) = &action.paging {
                self.one_paging(&format!("actions.{name}.paging"), action, p)?;
            }
        }
        Ok(())
    }

    fn one_paging(&self, base: &str, action: &'a Action, p: &Paging) -> Result<(), SpecError> {
        let path = format!("{base}.offset");
        let offset = self.member(&action.input, &p.offset, &path)?;
        self.integer(&offset, &path, "offset")?;
        let path = format!("{base}.limit");
        let limit = self.member(&action.input, &p.limit, &path)?;
        self.integer(&limit, &path, "limit")?;
        if p.offset == p.limit {
            return Err(err(path, "offset and limit must be different members"));
        }
        let path = format!("{base}.items");
        let items = self.member(&action.output, &p.items, &path)?;
        if self.list_element(items.ty).is_none() {
            return Err(err(
                path,
                format!(
                    "member \"{}\" of {} has type {}; the items must be a list",
                    p.items, action.output, items.member.ty
                ),
            ));
        }
        if let Some(total) = &p.total_count {
            let path = format!("{base}.total_count");
            let found = self.member(&action.output, total, &path)?;
            self.integer(&found, &path, "total count")?;
        }
        for (key, value) in [
            ("default_page_size", p.default_page_size),
            ("max_page_size", p.max_page_size),
        ] {
            if value == Some(0) {
                return Err(err(
                    format!("{base}.{key}"),
                    "a page size must be at least 1",
                ));
            }
        }
        if let (Some(d), Some(m)) = (p.default_page_size, p.max_page_size) {
            if d > m {
                return Err(err(
                    format!("{base}.default_page_size"),
                    format!("the default page size {d} exceeds the maximum {m}"),
                ));
            }
        }
        Ok(())
    }

    fn resources(&self) -> Result<(), SpecError> {
        for name in self.spec.resources.keys() {
            if !is_identifier(name) {
                return Err(err(
                    "resources",
                    format!("invalid resource name \"{name}\": expected [A-Za-z][A-Za-z0-9_]*"),
                ));
            }
        }
        for (name, r) in self.spec.resources.iter() {
            self.resource(&format!("resources.{name}"), r)?;
        }
        Ok(())
    }

    fn resource(&self, base: &str, r: &Resource) -> Result<(), SpecError> {
        let action = self.spec.actions.get(&r.describe).ok_or_else(|| {
            err(
                format!("{base}.describe"),
                format!("unknown action \"{}\"", r.describe),
            )
        })?;
        let selection = match (&r.id_list, &r.filter) {
            (Some(list), None) => {
                let path = format!("{base}.id_list");
                let found = self.member(&action.input, list, &path)?;
                if self.list_element(found.ty) != Some(&TypeRef::String) {
                    return Err(err(
                        path,
                        format!(
                            "member \"{list}\" of {} has type {}; an id list must be a list of strings",
                            action.input, found.member.ty
                        ),
                    ));
                }
                list.as_str()
            }
            (None, Some(filter)) => {
                self.id_filter(base, &action.input, filter)?;
                filter.member.as_str()
            }
            _ => {
                return Err(err(
                    base,
                    "a resource needs exactly one of id_list and filter",
                ))
            }
        };
        if let Some(input) = self.spec.structure(&action.input) {
            if let Some(m) = input
                .members
                .iter()
                .find(|m| m.required && m.name != selection)
            {
                return Err(err(
                    format!("{base}.describe"),
                    format!(
                        "member \"{}\" of {} is required, but a waiter can only fill in the id",
                        m.name, action.input
                    ),
                ));
            }
        }

        let path = format!("{base}.items");
        let items = self.member(&action.output, &r.items, &path)?;
        let item = self
            .list_element(items.ty)
            .and_then(|t| self.structure_of(t))
            .ok_or_else(|| {
                err(
                    &path,
                    format!(
                        "member \"{}\" of {} has type {}; the items must be a list of structures",
                        r.items, action.output, items.member.ty
                    ),
                )
            })?;
        let path = format!("{base}.id");
        let id = self.member(item.0, &r.id, &path)?;
        if *id.ty != TypeRef::String {
            return Err(err(
                path,
                format!(
                    "member \"{}\" of {} has type {}; an id must be a string",
                    r.id, item.0, id.member.ty
                ),
            ));
        }
        let path = format!("{base}.state");
        let state = self.member(item.0, &r.state, &path)?;
        let values: Option<Vec<&str>> = match state.ty {
            TypeRef::String => None,
            TypeRef::Shape(n) => match self.spec.enum_shape(n) {
                Some(e) => Some(e.values.iter().map(|v| v.value.as_str()).collect()),
                None => {
                    return Err(err(
                        path,
                        format!(
                            "member \"{}\" of {} has type {}; a state must be a string or an enum",
                            r.state, item.0, state.member.ty
                        ),
                    ))
                }
            },
            _ => {
                return Err(err(
                    path,
                    format!(
                        "member \"{}\" of {} has type {}; a state must be a string or an enum",
                        r.state, item.0, state.member.ty
                    ),
                ))
            }
        };
        let mut seen_codes: HashMap<&str, usize> = HashMap::new();
        for (i, code) in r.not_found_errors.iter().enumerate() {
            let path = format!("{base}.not_found_errors[{i}]");
            if !action.errors.contains(code) && !self.spec.errors.common.contains_key(code) {
                return Err(err(
                    path,
                    format!(
                        "error code \"{code}\" is neither in the errors of {} nor in errors.common",
                        r.describe
                    ),
                ));
            }
            if let Some(j) = seen_codes.insert(code.as_str(), i) {
                return Err(err(
                    path,
                    format!("duplicate error code \"{code}\" (also [{j}])"),
                ));
            }
        }
        let check_state = |value: &str, path: &str| -> Result<(), SpecError> {
            match &values {
                Some(known) if !known.contains(&value) => Err(err(
                    path,
                    format!(
                        "\"{value}\" is not a value of {} (values: {})",
                        state.member.ty,
                        known.join(", ")
                    ),
                )),
                Some(_) => Ok(()),
                None if value.is_empty() || !value.chars().all(|c| c.is_ascii_graphic()) => {
                    Err(err(
                        path,
                        format!(
                            "state {value:?} must be non-empty printable ASCII without white space"
                        ),
                    ))
                }
                None => Ok(()),
            }
        };

        for (target, from) in r.unreachable.iter() {
            // A bad key is reported at the enclosing object, like other invalid names.
            check_state(target, &format!("{base}.unreachable"))?;
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, s) in from.iter().enumerate() {
                let path = format!("{base}.unreachable.{target}[{i}]");
                check_state(s, &path)?;
                if s == target {
                    return Err(err(path, "a state is always reachable from itself"));
                }
                if let Some(j) = seen.insert(s.as_str(), i) {
                    return Err(err(path, format!("duplicate state \"{s}\" (also [{j}])")));
                }
            }
        }
        for name in r.waiters.keys() {
            if !is_identifier(name) {
                return Err(err(
                    format!("{base}.waiters"),
                    format!("invalid waiter name \"{name}\": expected [A-Za-z][A-Za-z0-9_]*"),
                ));
            }
        }
        for (name, w) in r.waiters.iter() {
            check_state(&w.target, &format!("{base}.waiters.{name}.target"))?;
        }
        Ok(())
    }

    fn id_filter(
        &self,
        base: &str,
        input: &'a str,
        filter: &crate::model::IdFilter,
    ) -> Result<(), SpecError> {
        let path = format!("{base}.filter.member");
        let found = self.member(input, &filter.member, &path)?;
        let Some((shape, st)) = self
            .list_element(found.ty)
            .and_then(|t| self.structure_of(t))
        else {
            return Err(err(
                path,
                format!(
                    "member \"{}\" of {input} has type {}; a filter member must be a list of structures",
                    filter.member, found.member.ty
                ),
            ));
        };
        let want = [("Name", "a string"), ("Values", "a list of strings")];
        for (member, what) in want {
            let ok = self.resolved.members(shape).iter().any(|m| {
                m.member.name == member
                    && if member == "Name" {
                        m.ty == TypeRef::String
                    } else {
                        self.list_element(&m.ty) == Some(&TypeRef::String)
                    }
            });
            if !ok {
                return Err(err(
                    path,
                    format!(
                        "filter structure \"{shape}\" needs a member \"{member}\" that is {what}"
                    ),
                ));
            }
        }
        if let Some(m) = st
            .members
            .iter()
            .find(|m| m.required && m.name != "Name" && m.name != "Values")
        {
            return Err(err(
                path,
                format!(
                    "member \"{}\" of filter structure \"{shape}\" is required; a waiter fills in only Name and Values",
                    m.name
                ),
            ));
        }
        if filter.name.trim().is_empty() {
            return Err(err(
                format!("{base}.filter.name"),
                "a filter name cannot be empty",
            ));
        }
        Ok(())
    }
}

fn enum_values(base: &str, e: &EnumShape) -> Result<(), SpecError> {
    if e.values.is_empty() {
        return Err(err(
            format!("{base}.values"),
            "an enum needs at least one value",
        ));
    }
    let mut seen: HashMap<String, (usize, &str)> = HashMap::new();
    for (i, v) in e.values.iter().enumerate() {
        let path = format!("{base}.values[{i}].value");
        let value = v.value.as_str();
        if value.is_empty() {
            return Err(err(path, "an enum value cannot be empty"));
        }
        if !value.chars().all(|c| c.is_ascii_graphic()) {
            return Err(err(
                path,
                format!("enum value {value:?} must be printable ASCII without white space"),
            ));
        }
        if !value.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(err(
                path,
                format!("enum value \"{value}\" needs a letter or digit to name its variant"),
            ));
        }
        if let Some((j, other)) = seen.insert(fold(value), (i, value)) {
            let message = if other == value {
                format!("duplicate enum value \"{value}\" (also values[{j}])")
            } else {
                format!("enum value \"{value}\" collides with \"{other}\" (values[{j}]): they differ only in case or punctuation, so they give the same variant name")
            };
            return Err(err(path, message));
        }
    }
    Ok(())
}

/// A host name: ASCII letters, digits, dots and hyphens; no scheme, port or path.
fn check_host(path: &str, host: &str) -> Result<(), SpecError> {
    if host.is_empty() {
        return Err(err(path, "must not be empty"));
    }
    let ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !host.contains("..");
    if !ok {
        return Err(err(
            path,
            format!("\"{host}\" is not a host name (letters, digits, dots and hyphens; no scheme or path)"),
        ));
    }
    Ok(())
}

/// The digits of a decimal integer string (optional leading `-` when `signed`),
/// or `None`. Rejects `+`, blanks and empty strings, which `str::parse` would
/// partly accept.
fn decimal(s: &str, signed: bool) -> Option<&str> {
    let digits = if signed {
        s.strip_prefix('-').unwrap_or(s)
    } else {
        s
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}
