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
    ("cli-input-json", "FILE", "Read the parameters from JSON: file://PATH, PATH, - (stdin) or the JSON itself"),
];

/// Global flags.
pub const FLAG_OPTIONS: &[(&str, &str)] = &[
    ("use-cvm-role", "Use the CVM instance role's credentials"),
    ("generate-cli-skeleton", "Print a JSON skeleton of the parameters (for --cli-input-json) and exit"),
    ("cli-unfold-argument", "Accepted for tccli compatibility: the dotted form (--Filters.0.Name X) always works"),
    ("wait", "After a state-changing call, wait with the SDK's waiter until the instance reaches the target state (StopInstance, StartInstance, TerminateInstances)"),
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
                json_value(m.name, one)?
            }
            (Ty::List(t), many) if t.is_scalar() => Json::Array(
                many.iter()
                    .map(|v| scalar(m.name, t, v))
                    .collect::<Result<_, _>>()?,
            ),
            (ty, [one]) if ty.is_scalar() => scalar(m.name, ty, one)?,
            (_, [one]) => json_value(m.name, one)?,
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
        _ => json_value(name, text)?,
    })
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
            Ty::String | Ty::Enum(_) => Json::Str("String".into()),
            Ty::Bool => Json::Str("Boolean".into()),
            Ty::Int | Ty::UInt => Json::Str("Integer".into()),
            Ty::Float => Json::Str("Float".into()),
            Ty::Map(_) => Json::Str("Object".into()),
            Ty::List(inner) => Json::Array(vec![ty_skeleton(m, inner, seen)]),
            Ty::Struct(i) if seen.contains(i) => Json::Str(format!(
                "<recursive: fill '{}' with a JSON object of type {} (self-referenced)>",
                m.name, STRUCTS[*i].name
            )),
            Ty::Struct(i) => of(*i, seen),
        }
    }
    of(action.input, &mut Vec::new())
}
