//! Tencent's published `api.json` format -> a [`Spec`].
//!
//! Tencent publishes one `api.json` per service and version (the `tccli` package ships all
//! of them). [`import`] accepts any of them and keeps every action, object and member in
//! order: types, required flags (`required` for inputs, `output_required` for outputs),
//! `value_allowed_null`, `document` text, and examples that fit their type. Actions whose
//! input has a `ClientToken` member are marked idempotent. What the format cannot say
//! (English docs, enums, rate limits, ...) comes from an [overlay](crate::overlay).
//!
//! # Types
//!
//! | Tencent `type` / `member` | spec type |
//! |---|---|
//! | `string` / `string` | `string` |
//! | `string` / `datetime`, `datetime_iso`, `date` | `string` |
//! | `binary` / `binary` | `string` |
//! | `int` / `int64`, `integer`, `int` | `int64` |
//! | `int` / `uint64` | `uint64` |
//! | `float` / `float`, `double` | `float64` |
//! | `bool` / `bool`, `boolean` | `boolean` |
//! | `object` / a name | that structure |
//! | `list` / any of the above | `list<...>` |
//!
//! Dates, times and binary stay strings: Tencent's values are not reliably formatted
//! (`2023-11-01 10:00:00`, `2023-11-01T10:00:00Z`, empty strings and `0000-00-00` all occur
//! in the same field), so a typed date would make a whole response fail to decode over one
//! odd value. Binary members carry base64 text on the wire. Either way the SDK passes the
//! text through untouched and leaves parsing to the caller, who knows which format to expect.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::{Action, ErrorCatalogue, Member, Service, Shape, Spec, Structure, UniqueMap};

/// An input file that cannot be converted; `path` is the JSON path in that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Which input: `api.json` or `errors.json`.
    pub file: &'static str,
    /// Dotted JSON path of the problem.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

impl std::error::Error for ImportError {}

/// Knobs the source format has no place for.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Rate limit (per second) given to every action, if known.
    pub rate_limit: Option<u32>,
    /// Endpoint host; default `<service>.tencentcloudapi.com`.
    pub host: Option<String>,
}

/// Codes any Tencent Cloud action may return, with our descriptions; used when no errors file
/// names them.
pub const COMMON_CODES: &[(&str, &str)] = &[
    ("ActionOffline", "The action has been taken offline."),
    (
        "AuthFailure.InvalidAuthorization",
        "The Authorization header is malformed.",
    ),
    (
        "AuthFailure.InvalidSecretId",
        "The SecretId is not a valid key (for example, not a cloud API key).",
    ),
    (
        "AuthFailure.MFAFailure",
        "Multi-factor authentication failed.",
    ),
    (
        "AuthFailure.SecretIdNotFound",
        "The SecretId does not exist or has been disabled.",
    ),
    (
        "AuthFailure.SignatureExpire",
        "The request timestamp is too far from the server's clock (more than 5 minutes).",
    ),
    (
        "AuthFailure.SignatureFailure",
        "The signature does not match the request.",
    ),
    (
        "AuthFailure.TokenFailure",
        "The session token is invalid or has expired.",
    ),
    (
        "AuthFailure.UnauthorizedOperation",
        "The caller is not authorised for this action (CAM).",
    ),
    (
        "DryRunOperation",
        "A dry run: the request would have succeeded, nothing was changed.",
    ),
    ("FailedOperation", "The operation failed."),
    (
        "InternalError",
        "An internal error occurred in the service.",
    ),
    ("InvalidAction", "The action does not exist."),
    ("InvalidParameter", "A parameter is invalid."),
    ("InvalidParameterValue", "A parameter value is invalid."),
    (
        "InvalidRequest",
        "The request body or multipart format is invalid.",
    ),
    (
        "IpInBlacklist",
        "The caller's IP address is in the blocklist.",
    ),
    (
        "IpNotInWhitelist",
        "The caller's IP address is not in the allowlist.",
    ),
    ("LimitExceeded", "A quota limit was exceeded."),
    ("MissingParameter", "A required parameter is missing."),
    ("NoSuchProduct", "The product does not exist."),
    ("NoSuchVersion", "The API version does not exist."),
    (
        "RequestLimitExceeded",
        "The request rate limit was exceeded.",
    ),
    (
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "The account's rate limit across regions was exceeded.",
    ),
    (
        "RequestLimitExceeded.IPLimitExceeded",
        "The rate limit for the caller's IP address was exceeded.",
    ),
    (
        "RequestLimitExceeded.UinLimitExceeded",
        "The rate limit for the account was exceeded.",
    ),
    ("RequestSizeLimitExceeded", "The request body is too large."),
    ("ResourceInUse", "The resource is in use."),
    ("ResourceInsufficient", "Resources are insufficient."),
    ("ResourceNotFound", "The resource does not exist."),
    ("ResourceUnavailable", "The resource is unavailable."),
    (
        "ResponseSizeLimitExceeded",
        "The response would be too large.",
    ),
    (
        "ServiceUnavailable",
        "The service is temporarily unavailable.",
    ),
    ("UnauthorizedOperation", "The operation is not authorised."),
    (
        "UnknownParameter",
        "The request has a parameter the action does not define.",
    ),
    ("UnsupportedOperation", "The operation is not supported."),
    (
        "UnsupportedProtocol",
        "The HTTP method or protocol is not supported.",
    ),
    (
        "UnsupportedRegion",
        "The action is not supported in this region.",
    ),
];

struct Ctx {
    file: &'static str,
}

impl Ctx {
    fn err(&self, path: impl Into<String>, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file,
            path: path.into(),
            message: message.into(),
        }
    }
    fn obj<'a>(&self, v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ImportError> {
        v.as_object()
            .ok_or_else(|| self.err(path, "expected an object"))
    }
    fn str<'a>(&self, v: &'a Value, key: &str, path: &str) -> Result<&'a str, ImportError> {
        v.get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| self.err(format!("{path}.{key}"), "expected a string"))
    }
}

/// Trimmed `document` text of `v`, if it has any.
fn document(v: &Value) -> Option<String> {
    v.get("document")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

/// Converts `api_json` (and optionally an errors file shaped like `hai-2023-08-12.errors.json`)
/// into a spec. The result is not validated yet: [`import_to_string`] does that, and an
/// [overlay](crate::overlay) is usually applied first.
pub fn import(
    api_json: &str,
    errors_json: Option<&str>,
    options: &ImportOptions,
) -> Result<Spec, ImportError> {
    let cx = Ctx { file: "api.json" };
    let api: Value =
        serde_json::from_str(api_json).map_err(|e| cx.err("", format!("malformed JSON: {e}")))?;
    cx.obj(&api, "")?;
    let meta = api
        .get("metadata")
        .ok_or_else(|| cx.err("metadata", "missing"))?;
    let service = cx.str(meta, "serviceShortName", "metadata")?.to_owned();
    let version = cx.str(meta, "apiVersion", "metadata")?.to_owned();
    let actions = cx.obj(api.get("actions").unwrap_or(&Value::Null), "actions")?;
    let objects = cx.obj(api.get("objects").unwrap_or(&Value::Null), "objects")?;

    let (common, per_action, extra) = match errors_json {
        Some(text) => read_errors(text)?,
        None => (
            COMMON_CODES.iter().map(|(c, _)| (*c).to_owned()).collect(),
            Map::new(),
            Vec::new(),
        ),
    };

    // Every response carries a RequestId, even where the source does not flag it required.
    let outputs: BTreeSet<&str> = actions
        .values()
        .filter_map(|a| a.get("output").and_then(Value::as_str))
        .collect();
    let mut shapes = UniqueMap::default();
    for (name, object) in objects {
        let path = format!("objects.{name}");
        let members = object
            .get("members")
            .and_then(Value::as_array)
            .ok_or_else(|| cx.err(format!("{path}.members"), "expected an array"))?;
        let mut out = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let mpath = format!("{path}.members[{i}]");
            cx.obj(m, &mpath)?;
            // Withdrawn members are kept: answers still carry them (the official SDKs keep
            // them too), so dropping one would lose data silently.
            let deprecated = m.get("disabled").and_then(Value::as_bool) == Some(true);
            let wire = cx.str(m, "name", &mpath)?;
            let ty = member_type(&cx, m, &mpath)?;
            let required = !deprecated
                && (m
                    .get("required")
                    .or_else(|| m.get("output_required"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    || (wire == "RequestId" && ty == "string" && outputs.contains(name.as_str())));
            let example = m
                .get("example")
                .and_then(Value::as_str)
                .and_then(|e| example(&ty, e));
            out.push(Member {
                name: wire.to_owned(),
                ty,
                required,
                nullable: m.get("value_allowed_null").and_then(Value::as_bool) == Some(true),
                doc: document(m).unwrap_or_default(),
                example,
                deprecated,
                ..Member::default()
            });
        }
        shapes.insert(
            name.clone(),
            Shape::Structure(Structure {
                doc: document(object).unwrap_or_default(),
                members: out,
            }),
        );
    }

    let mut service_codes = BTreeSet::new();
    let mut out_actions = UniqueMap::default();
    for (name, action) in actions {
        let path = format!("actions.{name}");
        cx.obj(action, &path)?;
        let input = cx.str(action, "input", &path)?;
        let output = cx.str(action, "output", &path)?;
        for (which, shape) in [("input", input), ("output", output)] {
            if !objects.contains_key(shape) {
                return Err(cx.err(
                    format!("{path}.{which}"),
                    format!("unknown object \"{shape}\""),
                ));
            }
        }
        let codes: Vec<String> = per_action
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        for c in &codes {
            if !common.contains(c) {
                service_codes.insert(c.clone());
            }
        }
        let idempotent = objects
            .get(input)
            .and_then(|o| o.get("members"))
            .and_then(Value::as_array)
            .is_some_and(|ms| {
                // A withdrawn (disabled) token is not one the service applies.
                ms.iter().any(|m| {
                    m.get("name").and_then(Value::as_str) == Some("ClientToken")
                        && m.get("disabled").and_then(Value::as_bool) != Some(true)
                })
            });
        out_actions.insert(
            name.clone(),
            Action {
                doc: document(action).unwrap_or_else(|| format!("The `{name}` action.")),
                input: input.to_owned(),
                output: output.to_owned(),
                errors: codes,
                rate_limit: options.rate_limit,
                idempotent,
                ..Action::default()
            },
        );
    }
    service_codes.extend(extra);

    let describe = |c: &str| -> String {
        COMMON_CODES
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, d)| (*d).to_owned())
            .unwrap_or_else(|| describe_code(c))
    };
    let host = options
        .host
        .clone()
        .unwrap_or_else(|| format!("{service}.tencentcloudapi.com"));
    Ok(Spec {
        format: 1,
        service: Service {
            regional_host: Some(format!("{service}.{{region}}.tencentcloudapi.com")),
            signing_service: service.clone(),
            doc: format!("Tencent Cloud `{service}` API {version}."),
            name: service,
            version,
            host,
            region_required: true,
        },
        actions: out_actions,
        shapes,
        errors: ErrorCatalogue {
            common: UniqueMap(common.iter().map(|c| (c.clone(), describe(c))).collect()),
            service: UniqueMap(
                service_codes
                    .iter()
                    .map(|c| (c.clone(), describe_code(c)))
                    .collect(),
            ),
        },
        resources: UniqueMap::default(),
    })
}

/// [`import`], then validation: the text is only returned when it is a valid spec, so an
/// import can never write a file that `regen` would refuse.
pub fn import_to_string(
    api_json: &str,
    errors_json: Option<&str>,
    options: &ImportOptions,
) -> Result<String, String> {
    let spec = import(api_json, errors_json, options).map_err(|e| e.to_string())?;
    spec.validate()
        .map_err(|e| format!("the imported spec does not validate: {e}"))?;
    Ok(crate::to_text(&spec))
}

type ErrorLists = (Vec<String>, Map<String, Value>, Vec<String>);

fn read_errors(text: &str) -> Result<ErrorLists, ImportError> {
    let cx = Ctx {
        file: "errors.json",
    };
    let v: Value =
        serde_json::from_str(text).map_err(|e| cx.err("", format!("malformed JSON: {e}")))?;
    cx.obj(&v, "")?;
    let strings = |key: &str| -> Result<Vec<String>, ImportError> {
        match v.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    c.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| cx.err(format!("{key}[{i}]"), "expected a string"))
                })
                .collect(),
            Some(_) => Err(cx.err(key, "expected an array of codes")),
        }
    };
    let common = strings("common")?;
    let extra = strings("service_only")?;
    let actions = match v.get("actions") {
        None => Map::new(),
        Some(a) => {
            let map = cx.obj(a, "actions")?.clone();
            for (name, list) in &map {
                // `null` means "no published list" (GetServicePodLogs).
                let ok = list.is_null()
                    || list
                        .as_array()
                        .is_some_and(|l| l.iter().all(Value::is_string));
                if !ok {
                    return Err(cx.err(format!("actions.{name}"), "expected an array of codes"));
                }
            }
            map
        }
    };
    Ok((common, actions, extra))
}

fn member_type(cx: &Ctx, m: &Value, path: &str) -> Result<String, ImportError> {
    let ty = cx.str(m, "type", path)?;
    let member = cx.str(m, "member", path)?;
    let scalar = |member: &str| -> Result<String, ImportError> {
        Ok(match member {
            "string" | "datetime" | "datetime_iso" | "date" | "binary" => "string".to_owned(),
            "int64" | "int" | "integer" => "int64".to_owned(),
            "uint64" => "uint64".to_owned(),
            "bool" | "boolean" => "boolean".to_owned(),
            "float" | "double" => "float64".to_owned(),
            // An object name; `hai_spec` checks it exists and is a valid name.
            other if crate::validate::is_identifier(other) => other.to_owned(),
            other => {
                return Err(cx.err(
                    format!("{path}.member"),
                    format!("\"{other}\" is neither a known type nor an object name"),
                ))
            }
        })
    };
    Ok(match ty {
        "string" | "int" | "bool" | "float" | "object" | "binary" => scalar(member)?,
        "list" => format!("list<{}>", scalar(member)?),
        other => return Err(cx.err(format!("{path}.type"), format!("unknown type \"{other}\""))),
    })
}

/// The example text as a value of the member's type, or `None` when it does not fit
/// (Tencent's examples are free text such as "无").
fn example(ty: &str, text: &str) -> Option<Value> {
    let t = text.trim();
    match ty {
        "string" => Some(Value::String(text.to_owned())),
        "boolean" => match t.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        "int64" => t.parse::<i64>().ok().map(Value::from),
        "uint64" => t.parse::<u64>().ok().map(Value::from),
        "float64" => t
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        _ => {
            let inner = ty.strip_prefix("list<")?.strip_suffix('>')?;
            let v: Value = serde_json::from_str(t).ok()?;
            let items = v.as_array()?;
            let fits = items.iter().all(|i| match inner {
                "string" => i.is_string(),
                "int64" => i.is_i64(),
                "uint64" => i.is_u64(),
                "float64" => i.is_number(),
                "boolean" => i.is_boolean(),
                _ => false, // objects: not checked against their shape here, so left out
            });
            fits.then_some(v)
        }
    }
}

/// `InvalidParameterValue.InstanceIdNotFound` -> "Invalid parameter value: instance id not found."
pub fn describe_code(code: &str) -> String {
    let parts: Vec<String> = code.split('.').map(words).collect();
    let mut s = parts.join(": ");
    if let Some(first) = s.get(0..1) {
        s = first.to_ascii_uppercase() + s.get(1..).unwrap_or_default();
    }
    s.push('.');
    s
}

fn words(part: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = part.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary {
            out.push(' ');
        }
        out.push(c);
    }
    // Lower-case words, keep acronyms (`IP`, `CVM`) as they are.
    out.split(' ')
        .map(|w| {
            if w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                w.to_owned()
            } else {
                w.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn code_descriptions() {
        assert_eq!(
            describe_code("InvalidParameterValue.InstanceIdNotFound"),
            "Invalid parameter value: instance id not found."
        );
        assert_eq!(
            describe_code("RequestLimitExceeded.IPLimitExceeded"),
            "Request limit exceeded: IP limit exceeded."
        );
    }

    #[test]
    fn examples_fit_or_are_dropped() {
        assert_eq!(example("boolean", "False"), Some(json!(false)));
        assert_eq!(example("uint64", "232558431"), Some(json!(232558431u64)));
        assert_eq!(example("list<string>", "[\"a\"]"), Some(json!(["a"])));
        assert_eq!(example("list<string>", "['a']"), None);
        assert_eq!(example("SystemDisk", "无"), None);
        assert_eq!(example("float64", "NaN"), None);
    }
}
