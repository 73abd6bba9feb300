//! The command line: clap's parser built from the generated table, tccli's argument forms
//! (`--InstanceId X`, JSON for structures and lists, the dotted `--Filters.0.Name X`), kebab
//! aliases, and the request body built from them.

use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::json::Json;
use crate::table::{ActionDef, MemberDef, Ty, ACTIONS, STRUCTS};
use crate::Failure;

/// Global options (tccli's and ours) that take a value.
pub const VALUE_OPTIONS: &[(&str, &str, &str)] = &[
    ("region", "REGION", "Region to call (default: TENCENTCLOUD_REGION, then the profile's region)"),
    ("endpoint", "HOST|URL", "Endpoint: a host (called over https) or a full URL such as http://127.0.0.1:18931"),
    ("profile", "NAME", "tccli profile: ~/.tccli/NAME.credential and NAME.configure (default: TCCLI_PROFILE, then `default`)"),
    ("timeout", "SECONDS", "Timeout of each attempt, in seconds (default 60)"),
    ("language", "LANG", "Language of service messages: zh-CN or en-US"),
    ("https-proxy", "URL", "HTTPS proxy to send requests through"),
    ("ca-bundle", "FILE", "PEM file of root certificates to trust besides the bundled ones (e.g. a local emulator's --cert-out file)"),
    ("secretId", "ID", "SecretId (default: TENCENTCLOUD_SECRET_ID, then the profile)"),
    ("secretKey", "KEY", "SecretKey (default: TENCENTCLOUD_SECRET_KEY, then the profile)"),
    ("token", "TOKEN", "Session token of temporary credentials"),
    ("role-arn", "ARN", "Assume this role with the credentials found (with --role-session-name)"),
    ("role-session-name", "NAME", "Session name for --role-arn"),
    ("output", "FORMAT", "Output format: json (default), table or text"),
    ("filter", "JMESPATH", "JMESPath expression applied to the answer before printing"),
    ("waiter", "SPEC", "Poll until a JMESPath expression has a value, as tccli: \"{'expr':'InstanceSet[0].InstanceState','to':'RUNNING','timeout':180,'interval':5}\""),
    ("cli-input-json", "FILE", "Read the parameters from JSON: file://PATH, PATH, - (stdin) or the JSON itself; values are sent in their declared types (\"10\" for an integer as 10, \"True\" for a boolean as true; 1.5 or \"1.0\" for an integer is refused)"),
];

/// Global flags.
pub const FLAG_OPTIONS: &[(&str, &str)] = &[
    ("use-cvm-role", "Use the CVM instance role's credentials"),
    ("generate-cli-skeleton", "Print a JSON skeleton of the parameters (for --cli-input-json) and exit"),
    ("cli-unfold-argument", "Accepted for tccli compatibility: the dotted form (--Filters.0.Name X) always works"),
    ("wait", "After a state-changing call, wait with the SDK's waiter until the instance reaches the target state (StopInstance, StartInstance, TerminateInstances); the answer then also holds InstanceSet, the instances as last described"),
    ("all", "Follow pagination (Offset/Limit) and print every item in one answer"),
    ("dry-run", "Send DryRun=true: the service checks the request without doing it"),
    ("debug", "Log every attempt to stderr through the SDK's tracing (secrets are never logged)"),
];

fn is_global_long(name: &str) -> bool {
    VALUE_OPTIONS.iter().any(|(n, _, _)| *n == name)
        || FLAG_OPTIONS.iter().any(|(n, _)| *n == name)
        || matches!(name, "help" | "version")
}

/// The whole parser.
pub fn command() -> Command {
    let mut root = Command::new("hai")
        .about("Tencent Cloud HAI from the command line: a drop-in for `tccli hai` (same arguments, output and configuration files)")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .disable_help_subcommand(true)
        .after_help("Examples:\n  hai DescribeInstances --Limit 10\n  hai StopInstance --InstanceId hai-xxxxxxxx --StopMode STOP_CHARGE --wait\n  hai describe-instances --filters '[{\"Name\":\"instance-state\",\"Values\":[\"RUNNING\"]}]' --output table\n\nCredentials: --secretId/--secretKey, else TENCENTCLOUD_SECRET_ID/_KEY, else ~/.tccli/<profile>.credential, else the SDK's chain (~/.tencentcloud/credentials, CVM role, TKE OIDC).");
    for (name, value, help) in VALUE_OPTIONS {
        root = root.arg(
            Arg::new(*name)
                .long(*name)
                .value_name(*value)
                .help(*help)
                .help_heading("Global options")
                .display_order(1000)
                .global(true)
                .allow_hyphen_values(true),
        );
    }
    for (name, help) in FLAG_OPTIONS {
        root = root.arg(
            Arg::new(*name)
                .long(*name)
                .help(*help)
                .help_heading("Global options")
                .display_order(1000)
                .action(ArgAction::SetTrue)
                .global(true),
        );
    }
    for action in ACTIONS {
        root = root.subcommand(action_command(action));
    }
    root.subcommand(
        Command::new("completions")
            .about("Print a shell completion script (bash, zsh, fish, elvish, powershell)")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}

fn action_command(action: &'static ActionDef) -> Command {
    let mut cmd = Command::new(action.name)
        .alias(action.kebab)
        .about(first_sentence(action.doc))
        .long_about(action.doc);
    if let Some(example) = action.example {
        cmd = cmd.after_long_help(format!("Example (--cli-input-json):\n{}", indent(example)));
    }
    for m in STRUCTS[action.input].members {
        cmd = cmd.arg(member_arg(m));
    }
    cmd
}

fn member_arg(m: &'static MemberDef) -> Arg {
    let mut help = String::from(m.doc);
    help.push_str(if m.required {
        " [required"
    } else {
        " [optional"
    });
    help.push_str(&format!("; {}", m.ty.describe()));
    if let Ty::Enum(values) = m.ty {
        help.push_str(&format!("; one of {}", values.join(", ")));
    }
    if let Some(d) = m.default {
        help.push_str(&format!("; default {d}"));
    }
    if let Some(e) = m.example {
        help.push_str(&format!("; example {e}"));
    }
    help.push(']');
    let value_name = match m.ty {
        Ty::String | Ty::Enum(_) => "STRING",
        Ty::Bool => "BOOL",
        Ty::Int | Ty::UInt => "INT",
        Ty::Float => "FLOAT",
        Ty::List(t) if t.is_scalar() => "VALUE",
        _ => "JSON",
    };
    let mut arg = Arg::new(m.name)
        .long(m.name)
        .value_name(value_name)
        .help_heading("Parameters")
        .help(help);
    if m.kebab != m.name && !is_global_long(m.kebab) {
        arg = arg.visible_alias(m.kebab);
    }
    if matches!(m.ty, Ty::List(t) if t.is_scalar()) {
        // tccli takes a JSON array; several values after the option work too.
        arg = arg.num_args(1..).allow_negative_numbers(true);
    } else {
        arg = arg.allow_hyphen_values(true);
    }
    arg
}

fn first_sentence(doc: &str) -> String {
    match doc.find(". ") {
        Some(i) => doc[..=i].to_owned(),
        None => doc.to_owned(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Dotted parameters taken out of the command line before clap sees it:
/// (`Filters.0.Values`, values).
pub type Dotted = Vec<(String, Vec<String>)>;

/// tccli's spellings clap does not know: `ACTION help` and `--A.0.B value...`. Returns the
/// command line for clap and the dotted parameters.
pub fn preprocess(argv: Vec<OsString>) -> (Vec<OsString>, Dotted) {
    let mut out = Vec::with_capacity(argv.len());
    let mut dotted = Vec::new();
    let mut action: Option<&'static ActionDef> = None;
    let mut it = argv.into_iter().peekable();
    if let Some(first) = it.next() {
        out.push(first);
    }
    while let Some(arg) = it.next() {
        let Some(text) = arg.to_str().map(str::to_owned) else {
            out.push(arg);
            continue;
        };
        let Some(a) = action else {
            if let Some(name) = text.strip_prefix("--") {
                let takes_value =
                    !name.contains('=') && VALUE_OPTIONS.iter().any(|(n, _, _)| *n == name);
                out.push(arg);
                if takes_value {
                    if let Some(v) = it.next() {
                        out.push(v);
                    }
                }
                continue;
            }
            action = crate::table::find_action(&text).map(|(_, a)| a);
            out.push(arg);
            continue;
        };
        // tccli's positional `help`, unless it is the value of an option (`--InstanceName help`).
        let after_option = out
            .last()
            .and_then(|p| p.to_str())
            .is_some_and(|p| p.starts_with("--"));
        if text == "help" && !after_option {
            out.push("--help".into());
            continue;
        }
        if let Some(key) = text.strip_prefix("--").filter(|k| k.contains('.')) {
            let head = key.split('.').next().unwrap_or_default();
            let member = STRUCTS[a.input]
                .members
                .iter()
                .find(|m| m.name == head || m.kebab == head);
            if let Some(m) = member {
                let rest = &key[head.len()..];
                let mut values = Vec::new();
                while let Some(v) = it.peek() {
                    if v.to_str().is_some_and(|s| s.starts_with("--")) {
                        break;
                    }
                    values.push(it.next().unwrap_or_default().to_string_lossy().into_owned());
                }
                dotted.push((format!("{}{rest}", m.name), values));
                continue;
            }
        }
        out.push(arg);
    }
    (out, dotted)
}

/// The request body of `action` from the parsed options and dotted parameters, in the
/// spec's member order; `base` (from `--cli-input-json`) is overridden by options.
pub fn body(
    action: &'static ActionDef,
    matches: &ArgMatches,
    dotted: &Dotted,
    base: Option<Json>,
) -> Result<Json, Failure> {
    let mut body = base.unwrap_or(Json::Object(Vec::new()));
    let members = STRUCTS[action.input].members;
    for m in members {
        let Some(values) = matches.get_many::<String>(m.name) else {
            continue;
        };
        let values: Vec<&String> = values.collect();
        let value = match (&m.ty, values.as_slice()) {
            (Ty::List(t), [one]) if t.is_scalar() && one.trim_start().starts_with('[') => {
                typed_json(m.name, &m.ty, one)?
            }
            (Ty::List(t), many) if t.is_scalar() => Json::Array(
                many.iter()
                    .map(|v| scalar(m.name, t, v))
                    .collect::<Result<_, _>>()?,
            ),
            (ty, [one]) if ty.is_scalar() => scalar(m.name, ty, one)?,
            (ty, [one]) => typed_json(m.name, ty, one)?,
            _ => return Err(Failure::usage(format!("--{} takes one value", m.name))),
        };
        body.set(m.name, value);
    }
    for (key, values) in dotted {
        set_dotted(&mut body, action.input, key, values)?;
    }
    // Members in the spec's order, unknown ones (from --cli-input-json) after them.
    if let Json::Object(items) = &mut body {
        items.sort_by_key(|(k, _)| {
            members
                .iter()
                .position(|m| m.name == k)
                .unwrap_or(usize::MAX)
        });
    }
    Ok(body)
}

/// Required members missing from `body`.
pub fn missing_required(action: &ActionDef, body: &Json) -> Vec<&'static str> {
    STRUCTS[action.input]
        .members
        .iter()
        .filter(|m| m.required && body.get(m.name).is_none())
        .map(|m| m.name)
        .collect()
}

fn json_value(name: &str, text: &str) -> Result<Json, Failure> {
    Json::parse(text).map_err(|e| {
        Failure::usage(format!(
            "--{name}: invalid JSON ({e}); structures and lists are given as JSON, e.g. --Filters '[{{\"Name\":\"instance-state\",\"Values\":[\"RUNNING\"]}}]'"
        ))
    })
}

/// A scalar value as tccli converts it: integers and floats parsed, booleans from
/// true/false, t/f, 1/0 (any case), strings as given.
fn scalar(name: &str, ty: &Ty, text: &str) -> Result<Json, Failure> {
    let bad =
        |what: &str| Failure::usage(format!("--{name}: `{}` is not {what}", crate::shown(text)));
    Ok(match ty {
        Ty::String | Ty::Enum(_) => Json::Str(text.to_owned()),
        Ty::Bool => match text.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => Json::Bool(true),
            "false" | "f" | "0" => Json::Bool(false),
            _ => return Err(bad("a boolean (True/False)")),
        },
        Ty::Int | Ty::UInt => match text.trim().parse::<i64>() {
            Ok(n) if n < 0 => Json::Int(n),
            Ok(n) => Json::UInt(n as u64),
            Err(_) => match text.trim().parse::<u64>() {
                Ok(n) => Json::UInt(n),
                Err(_) => return Err(bad("an integer")),
            },
        },
        Ty::Float => Json::Float(text.trim().parse().map_err(|_| bad("a number"))?),
        _ => typed_json(name, ty, text)?,
    })
}

/// JSON given to option `--name` for a member of type `ty`, in its declared types by the rule
/// for requests (as `--cli-input-json` is).
fn typed_json(name: &str, ty: &Ty, text: &str) -> Result<Json, Failure> {
    let mut v = json_value(name, text)?;
    crate::input::convert(ty, &mut v, "").map_err(|e| Failure::usage(format!("--{name}: {e}")))?;
    Ok(v)
}

/// The type at a dotted path below structure `index` (`Filters.0.Values`).
fn type_at(index: usize, path: &mut [&str]) -> Option<&'static Ty> {
    let (first, rest) = path.split_first_mut()?;
    let m = STRUCTS[index]
        .members
        .iter()
        .find(|m| m.name == *first || m.kebab == *first)?;
    *first = m.name;
    let mut ty = &m.ty;
    let mut rest = rest;
    loop {
        match (ty, rest.first()) {
            (_, None) => return Some(ty),
            (Ty::List(inner), Some(seg)) if seg.parse::<usize>().is_ok() => {
                ty = inner;
                rest = &mut rest[1..];
            }
            (Ty::Map(inner), Some(_)) => {
                ty = inner;
                rest = &mut rest[1..];
            }
            (Ty::Struct(i), Some(_)) => return type_at(*i, rest),
            _ => return None,
        }
    }
}

/// Puts one dotted parameter into the body: numeric segments are list indices (from 0,
/// without gaps, as tccli requires), others member names.
fn set_dotted(body: &mut Json, input: usize, key: &str, values: &[String]) -> Result<(), Failure> {
    let mut path: Vec<&str> = key.split('.').collect();
    let ty = type_at(input, &mut path)
        .ok_or_else(|| Failure::usage(format!("--{key}: no such parameter")))?;
    let value = match (ty, values) {
        (Ty::List(t), many) if t.is_scalar() && !(many.len() == 1 && many[0].starts_with('[')) => {
            Json::Array(
                many.iter()
                    .map(|v| scalar(key, t, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        (ty, [one]) => scalar(key, ty, one)?,
        (_, []) => return Err(Failure::usage(format!("--{key} needs a value"))),
        _ => return Err(Failure::usage(format!("--{key} takes one value"))),
    };
    let mut slot = body;
    for (depth, seg) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        let next_is_index = path
            .get(depth + 1)
            .is_some_and(|s| s.parse::<usize>().is_ok());
        let fresh = || {
            if next_is_index {
                Json::Array(Vec::new())
            } else {
                Json::Object(Vec::new())
            }
        };
        slot = match slot {
            Json::Array(items) => {
                let i: usize = seg
                    .parse()
                    .map_err(|_| Failure::usage(format!("--{key}: `{seg}` is not an index")))?;
                if i > items.len() {
                    return Err(Failure::usage(format!(
                        "--{key}: the index of the array parameter must start from 0, with step 1"
                    )));
                }
                if i == items.len() {
                    items.push(if last { value.clone() } else { fresh() });
                } else if last {
                    items[i] = value.clone();
                }
                &mut items[i]
            }
            obj @ Json::Object(_) => {
                if last {
                    obj.set(seg, value.clone());
                } else if obj.get(seg).is_none() {
                    obj.set(seg, fresh());
                }
                let Json::Object(items) = obj else {
                    unreachable!("matched as an object")
                };
                let pos = items.iter().position(|(k, _)| k == seg).unwrap_or(0);
                &mut items[pos].1
            }
            _ => {
                return Err(Failure::usage(format!(
                    "--{key}: conflicts with another value given for its parent"
                )))
            }
        };
    }
    Ok(())
}

/// tccli's `--generate-cli-skeleton`: every member with its type name, structures expanded,
/// lists as one-element arrays; a structure that contains itself is named, not expanded.
pub fn skeleton(action: &ActionDef) -> Json {
    fn of(index: usize, seen: &mut Vec<usize>) -> Json {
        seen.push(index);
        let mut out = Vec::new();
        for m in STRUCTS[index].members {
            out.push((m.name.to_owned(), ty_skeleton(m, &m.ty, seen)));
        }
        seen.pop();
        Json::Object(out)
    }
    fn ty_skeleton(m: &MemberDef, ty: &Ty, seen: &mut Vec<usize>) -> Json {
        match ty {
            Ty::List(inner) => Json::Array(vec![ty_skeleton(m, inner, seen)]),
            Ty::Struct(i) if seen.contains(i) => Json::Str(recursive_placeholder(m, *i)),
            Ty::Struct(i) => of(*i, seen),
            scalar => Json::Str(placeholder(scalar).unwrap_or_default().to_owned()),
        }
    }
    of(action.input, &mut Vec::new())
}

/// The type name the skeleton writes for a value of type `ty` (not a list or structure).
fn placeholder(ty: &Ty) -> Option<&'static str> {
    match ty {
        Ty::String | Ty::Enum(_) => Some("String"),
        Ty::Bool => Some("Boolean"),
        Ty::Int | Ty::UInt => Some("Integer"),
        Ty::Float => Some("Float"),
        Ty::Map(_) => Some("Object"),
        Ty::List(_) | Ty::Struct(_) => None,
    }
}

/// What the skeleton writes for member `m` where its structure `index` contains itself.
fn recursive_placeholder(m: &MemberDef, index: usize) -> String {
    format!(
        "<recursive: fill '{}' with a JSON object of type {} (self-referenced)>",
        m.name, STRUCTS[index].name
    )
}

/// What [`drop_placeholders`] left out of a `--cli-input-json` request.
#[derive(Debug, Default)]
pub struct LeftOut {
    /// Where the placeholders were (`SystemDisk.DiskSize`, `InstanceIds.0`); a structure or
    /// list that held nothing else is named alone (`SystemDisk`).
    pub paths: Vec<String>,
    /// Top-level members that held nothing but placeholders, so are no longer in the body.
    pub members: Vec<&'static str>,
}

/// Takes out of `body` (read from `--cli-input-json`) every value that is still the
/// placeholder `--generate-cli-skeleton` writes at its place: the type name of a scalar
/// ("String", "Integer", ...) or the note of a recursive structure. A list or structure left
/// empty by that is taken out too, so a skeleton read back unedited is an empty request, and
/// an edited one keeps exactly the values filled in. Placeholders are compared with the type
/// at their place only: "String" for an integer is kept (and refused by the conversion to
/// declared types that follows), and members the spec does not know are kept as they are.
pub fn drop_placeholders(action: &ActionDef, body: &mut Json) -> LeftOut {
    let mut left_out = LeftOut::default();
    let before: Vec<String> = match &*body {
        Json::Object(items) => items.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    };
    strip_struct(action.input, body, "", &mut left_out.paths);
    left_out.members = STRUCTS[action.input]
        .members
        .iter()
        .filter(|m| before.iter().any(|k| k == m.name) && body.get(m.name).is_none())
        .map(|m| m.name)
        .collect();
    left_out
}

fn strip_struct(index: usize, value: &mut Json, prefix: &str, paths: &mut Vec<String>) {
    let Json::Object(items) = value else {
        return;
    };
    items.retain_mut(|(key, v)| {
        let Some(m) = STRUCTS[index].members.iter().find(|m| m.name == key) else {
            return true;
        };
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        !strip_value(m, &m.ty, v, &path, paths)
    });
}

/// Strips `v` (of type `ty`, inside member `m`); true when nothing but placeholders was left
/// (then `path` alone stands for them in `paths`).
fn strip_value(m: &MemberDef, ty: &Ty, v: &mut Json, path: &str, paths: &mut Vec<String>) -> bool {
    let first = paths.len();
    let emptied = |paths: &mut Vec<String>, empty: bool| {
        if empty {
            paths.truncate(first);
            paths.push(path.to_owned());
        }
        empty
    };
    match (ty, v) {
        (Ty::List(inner), Json::Array(items)) if !items.is_empty() => {
            let mut i = 0;
            items.retain_mut(|item| {
                let keep = !strip_value(m, inner, item, &format!("{path}.{i}"), paths);
                i += 1;
                keep
            });
            emptied(paths, items.is_empty())
        }
        (Ty::Struct(i), obj @ Json::Object(_)) => {
            if matches!(obj, Json::Object(items) if items.is_empty()) {
                return false;
            }
            strip_struct(*i, obj, path, paths);
            emptied(
                paths,
                matches!(obj, Json::Object(items) if items.is_empty()),
            )
        }
        (Ty::Struct(i), Json::Str(s)) if *s == recursive_placeholder(m, *i) => {
            paths.push(path.to_owned());
            true
        }
        (ty, Json::Str(s)) if placeholder(ty) == Some(s.as_str()) => {
            paths.push(path.to_owned());
            true
        }
        _ => false,
    }
}

/// The value at a dotted path (`SystemDisk.DiskSize`, `InstanceIds.0`) of `body`.
pub fn at_path<'a>(body: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.').try_fold(body, |v, seg| match v {
        Json::Array(items) => items.get(seg.parse::<usize>().ok()?),
        obj => obj.get(seg),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_taken_out_at_every_depth() {
        let (_, action) = crate::table::find_action("DescribeInstances").unwrap();
        let mut body = Json::parse(
            r#"{"InstanceIds": ["hai-1", "String"],
                "Filters": [{"Name": "instance-state", "Values": ["String"]}, {"Name": "String"}],
                "Offset": 0, "Limit": "Integer", "Extra": "String"}"#,
        )
        .unwrap();
        let left_out = drop_placeholders(action, &mut body);
        assert_eq!(
            body,
            Json::parse(
                r#"{"InstanceIds": ["hai-1"], "Filters": [{"Name": "instance-state"}],
                    "Offset": 0, "Extra": "String"}"#
            )
            .unwrap()
        );
        assert_eq!(
            left_out.paths,
            ["InstanceIds.1", "Filters.0.Values", "Filters.1", "Limit"]
        );
        assert_eq!(left_out.members, ["Limit"]);
        // The whole skeleton: nothing is left, each member named once.
        let mut body = skeleton(action);
        let left_out = drop_placeholders(action, &mut body);
        assert_eq!(body, Json::Object(Vec::new()));
        assert_eq!(
            left_out.paths,
            ["InstanceIds", "Filters", "Offset", "Limit"]
        );
        // Empty lists and objects given as such are values, not placeholders.
        let mut body = Json::parse(r#"{"InstanceIds": [], "Filters": [{}]}"#).unwrap();
        assert!(drop_placeholders(action, &mut body).paths.is_empty());
        assert_eq!(body.get("Filters"), Some(&Json::parse("[{}]").unwrap()));
    }
}
