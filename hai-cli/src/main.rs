//! `hai`: Tencent Cloud HAI from the command line, a drop-in for `tccli hai`.
//!
//! The command table (actions, parameters, docs, output structures) is generated from the
//! spec into `src/generated/commands.rs` by `cargo xtask regen`; every call goes through
//! hai-sdk's client (signing, credentials, retries, rate limits) with the request body built
//! from the command line and the answer printed the way tccli prints it.

mod args;
mod call;
mod input;
mod jmes;
mod json;
mod output;
mod settings;
mod table;

// Formatted by prettyplease at generation time; rustfmt would fight `regen --check`.
#[rustfmt::skip]
mod generated {
    pub mod commands;
}

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::ArgMatches;

use crate::call::{CallError, CallSettings};
use crate::json::Json;
use crate::table::{ActionDef, Ty, STRUCTS};

/// Why `hai` stops with a non-zero status, and what it prints to stderr.
#[derive(Debug)]
pub enum Failure {
    /// Bad command line (exit 255, as tccli).
    Usage(String),
    /// A bad JMESPath expression of the command line (exit 255): the crate's message, the
    /// expression and a caret under the fault, on their own lines. The expression is the
    /// user's own, so its lines are kept; other control characters are still escaped.
    Expression(String),
    /// Configuration, credentials or network (exit 255).
    Other(String),
    /// The service answered with an error (exit 255).
    Service {
        /// Code.
        code: String,
        /// Message.
        message: String,
        /// RequestId.
        request_id: String,
    },
}

impl Failure {
    fn usage(m: impl Into<String>) -> Self {
        Failure::Usage(m.into())
    }
    fn other(m: impl Into<String>) -> Self {
        Failure::Other(m.into())
    }
    /// `--filter` or `--waiter`'s `expr` (`what`) refused by the JMESPath crate.
    fn expression(what: &str, e: &jmespath::JmespathError) -> Self {
        Failure::Expression(format!("{what}: {}", e.to_string().trim_end_matches('\n')))
    }
}

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Service {
                code,
                message,
                request_id,
            } => Failure::Service {
                code,
                message,
                request_id,
            },
            CallError::NoSuchAction => Failure::other("internal error: no such action"),
            CallError::Other(m) => Failure::Other(m),
        }
    }
}

/// Untrusted text (service messages, arguments) made safe for a terminal: control and
/// bidirectional characters escaped, length capped.
pub fn shown(text: &str) -> String {
    escaped(text, false)
}

/// [`shown`], keeping line breaks: for the user's own multi-line text.
pub fn shown_lines(text: &str) -> String {
    escaped(text, true)
}

fn escaped(text: &str, keep_lines: bool) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 2048 {
            out.push_str("...");
            break;
        }
        if needs_escape(c) && !(keep_lines && c == '\n') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that change how a terminal renders what follows.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn main() -> ExitCode {
    let (argv, dotted) = args::preprocess(std::env::args_os().collect());
    let matches = match args::command().try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 255 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(&matches, &dotted) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let mut err = std::io::stderr().lock();
            let _ = match f {
                Failure::Usage(m) => writeln!(err, "error: {}", shown(&m)),
                Failure::Expression(m) => writeln!(err, "error: {}", shown_lines(&m)),
                Failure::Other(m) => writeln!(err, "error: {}", shown(&m)),
                Failure::Service {
                    code,
                    message,
                    request_id,
                } => writeln!(
                    err,
                    "[TencentCloudSDKException] code:{} message:{} requestId:{}",
                    shown(&code),
                    shown(&message),
                    shown(&request_id)
                ),
            };
            ExitCode::from(255)
        }
    }
}

fn run(matches: &ArgMatches, dotted: &args::Dotted) -> Result<(), Failure> {
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| Failure::usage("no action given"))?;
    if name == "completions" {
        let shell = sub
            .get_one::<clap_complete::Shell>("shell")
            .copied()
            .ok_or_else(|| Failure::usage("completions needs a shell"))?;
        let mut cmd = args::command();
        clap_complete::generate(shell, &mut cmd, "hai", &mut std::io::stdout());
        return Ok(());
    }
    let (index, action) =
        table::find_action(name).ok_or_else(|| Failure::usage(format!("unknown action {name}")))?;
    let flag = |n: &str| sub.get_flag(n);
    let opt = |n: &str| sub.get_one::<String>(n).cloned();

    if flag("generate-cli-skeleton") {
        let text = args::skeleton(action).dumps();
        // tccli writes its skeleton with ensure_ascii: our type names are ASCII already.
        println!("{text}");
        return Ok(());
    }
    if flag("debug") {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with_ansi(colour_on_stderr())
            .init();
    }
    let mut base = opt("cli-input-json").map(|v| cli_input(&v)).transpose()?;
    // A skeleton read back: its placeholders are values not given (the request it makes is
    // one the CLI sends; the service answers for what is still missing).
    let left_out = base
        .as_mut()
        .map(|b| args::drop_placeholders(action, b))
        .unwrap_or_default();
    // What is left is sent in its members' declared types, or refused here by its path.
    if let Some(b) = base.as_mut() {
        input::convert_struct(action.input, b, "")
            .map_err(|e| Failure::usage(format!("--cli-input-json: {e}")))?;
    }
    let mut body = args::body(action, sub, dotted, base)?;
    if flag("dry-run") {
        if !STRUCTS[action.input]
            .members
            .iter()
            .any(|m| m.name == "DryRun")
        {
            return Err(Failure::usage(format!(
                "{} has no DryRun parameter",
                action.name
            )));
        }
        body.set("DryRun", Json::Bool(true));
    }
    let mut missing = args::missing_required(action, &body);
    missing.retain(|m| !left_out.members.contains(m));
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| format!("--{m}")).collect();
        return Err(Failure::usage(format!(
            "the following arguments are required: {}",
            list.join(", ")
        )));
    }
    let still_out: Vec<&str> = left_out
        .paths
        .iter()
        .filter(|p| args::at_path(&body, p).is_none())
        .map(String::as_str)
        .collect();
    if !still_out.is_empty() {
        eprintln!(
            "note: --cli-input-json: skeleton placeholders left out of the request (not given): {}",
            still_out.join(", ")
        );
    }
    let settings = settings::resolve(sub)?;
    let format = settings.output.clone();
    if !matches!(format.as_str(), "json" | "table" | "text") {
        return Err(Failure::usage(format!(
            "unknown output format `{}`: json, table or text",
            shown(&format)
        )));
    }
    let filter = opt("filter")
        .map(|f| jmes::compile(&f).map_err(|e| Failure::expression("--filter", &e)))
        .transpose()?;
    let waiter = opt("waiter")
        .map(|w| Waiter::parse(&w, &settings))
        .transpose()?;
    let call_settings = CallSettings {
        timeout: settings.timeout,
    };
    // Said here in this tool's words: the runtime's own refusal names the library's settings.
    if settings.region.is_none() && action.meta.service.region_required {
        return Err(Failure::other(
            "no region configured: give --region (e.g. --region ap-guangzhou), set TENCENTCLOUD_REGION, or run `tccli configure set region REGION`",
        ));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the runtime: {e}")))?;
    let mut settings = settings;
    let client = settings.client()?;
    let answer = runtime.block_on(async {
        let mut answer = if flag("all") {
            call_all(&client, index, action, body.clone(), &call_settings).await?
        } else if let Some(w) = &waiter {
            w.poll(&client, index, action, &body, &call_settings)
                .await?
        } else {
            call::send(&client, index, body.clone(), &call_settings).await?
        };
        let waited = if flag("wait") {
            Some(wait(&client, action, &body).await?)
        } else {
            None
        };
        answer = answer.reshape(action.output);
        if let Some(instances) = waited {
            with_instance_set(&mut answer, instances);
        }
        Ok::<_, Failure>(answer)
    })?;
    let answer = match filter {
        Some(f) => {
            let v = f
                .search(answer.to_variable())
                .map_err(|e| Failure::expression("--filter", &e))?;
            Json::from_variable(&v)
        }
        None => answer,
    };
    let text = match format.as_str() {
        "text" => output::text(&answer),
        "table" => output::table("action", &answer),
        _ => format!("{}\n", answer.dumps()),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(())
}

/// Whether `--debug`'s log may be coloured: only for a terminal (never into a file or a
/// pipe), and not when `NO_COLOR` is set to anything but the empty string.
fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `--cli-input-json`: `file://PATH`, `-` (stdin), a path, or the JSON itself.
fn cli_input(value: &str) -> Result<Json, Failure> {
    let text = if value == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::usage(format!("--cli-input-json: reading stdin: {e}")))?;
        s
    } else if value.trim_start().starts_with('{') {
        value.to_owned()
    } else {
        let path = value.strip_prefix("file://").unwrap_or(value);
        std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("--cli-input-json: {}: {e}", shown(path))))?
    };
    match Json::parse(&text) {
        Ok(v @ Json::Object(_)) => Ok(v),
        Ok(_) => Err(Failure::usage("--cli-input-json: expecting a JSON object")),
        Err(e) => Err(Failure::usage(format!(
            "--cli-input-json: invalid JSON ({e})"
        ))),
    }
}

/// `--all`: for actions with `Offset`/`Limit` whose answer has `TotalCount` and one list,
/// requests pages until the list is complete and returns one answer holding every item.
async fn call_all(
    client: &hai_sdk::Client,
    index: usize,
    action: &ActionDef,
    mut body: Json,
    settings: &CallSettings,
) -> Result<Json, Failure> {
    let input = STRUCTS[action.input].members;
    let output = STRUCTS[action.output].members;
    let list = output.iter().find(|m| matches!(m.ty, Ty::List(_)));
    let pages = input.iter().any(|m| m.name == "Offset")
        && input.iter().any(|m| m.name == "Limit")
        && output.iter().any(|m| m.name == "TotalCount");
    let Some(list) = list.filter(|_| pages) else {
        return Err(Failure::usage(format!(
            "--all: {} does not page (no Offset, Limit and TotalCount)",
            action.name
        )));
    };
    let mut offset = match body.get("Offset") {
        Some(Json::UInt(n)) => *n,
        _ => 0,
    };
    let mut items = Vec::new();
    loop {
        body.set("Offset", Json::UInt(offset));
        let mut page = call::send(client, index, body.clone(), settings).await?;
        let got = match page.get(list.name) {
            Some(Json::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let total = match page.get("TotalCount") {
            Some(Json::UInt(n)) => *n,
            _ => 0,
        };
        offset += got.len() as u64;
        let done = got.is_empty() || offset >= total;
        items.extend(got);
        if done {
            page.set(list.name, Json::Array(items));
            return Ok(page);
        }
    }
}

/// `--wait`: the SDK's typed waiters for the actions that change an instance's state.
/// Returns each instance as the waiter last described it, as `DescribeInstances` prints it.
async fn wait(
    client: &hai_sdk::Client,
    action: &ActionDef,
    body: &Json,
) -> Result<Vec<Json>, Failure> {
    let id = |key: &str| match body.get(key) {
        Some(Json::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let fail = |e: hai_sdk::WaitError| Failure::other(format!("--wait: {e}"));
    let instance = match action.name {
        "StopInstance" => {
            let id = id("InstanceId").ok_or_else(|| Failure::usage("--wait needs --InstanceId"))?;
            client.wait_until_instance_stopped(id).await.map_err(fail)?
        }
        "StartInstance" => {
            let id = id("InstanceId").ok_or_else(|| Failure::usage("--wait needs --InstanceId"))?;
            client.wait_until_instance_running(id).await.map_err(fail)?
        }
        "TerminateInstances" => {
            let ids: Vec<String> = match body.get("InstanceIds") {
                Some(Json::Array(a)) => a
                    .iter()
                    .filter_map(|v| match v {
                        Json::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let instance = client.wait_until_instance_terminated(id).await.map_err(fail)?;
                out.push(instance_json(&instance)?);
            }
            return Ok(out);
        }
        other => {
            return Err(Failure::usage(format!(
                "--wait: no waiter for {other} (StopInstance, StartInstance, TerminateInstances); see --waiter"
            )))
        }
    };
    Ok(vec![instance_json(&instance)?])
}

/// A described instance as `DescribeInstances` prints it: every member of the spec's
/// `Instance` in its order.
fn instance_json(instance: &hai_sdk::types::Instance) -> Result<Json, Failure> {
    let text = serde_json::to_string(instance)
        .map_err(|e| Failure::other(format!("--wait: the instance as JSON: {e}")))?;
    let value = Json::parse(&text)
        .map_err(|e| Failure::other(format!("--wait: the instance as JSON: {e}")))?;
    Ok(match STRUCTS.iter().position(|s| s.name == "Instance") {
        Some(index) => value.reshape(index),
        None => value,
    })
}

/// `--wait`'s answer: the action's, with `InstanceSet` (the instances waited for, as the
/// waiter last described them, in `DescribeInstances`' form) before its `RequestId`.
fn with_instance_set(answer: &mut Json, instances: Vec<Json>) {
    if let Json::Object(items) = answer {
        items.retain(|(k, _)| k != "InstanceSet");
        let at = items
            .iter()
            .position(|(k, _)| k == "RequestId")
            .unwrap_or(items.len());
        items.insert(at, ("InstanceSet".to_owned(), Json::Array(instances)));
    }
}

/// tccli's `--waiter "{'expr':'...','to':'...','timeout':N,'interval':N}"`.
struct Waiter {
    expr: jmespath::Expression<'static>,
    expr_text: String,
    to: Json,
    timeout: Duration,
    interval: Duration,
}

impl Waiter {
    fn parse(text: &str, settings: &settings::Settings) -> Result<Waiter, Failure> {
        // tccli evaluates a Python dict literal; the JSON reading of it with single quotes
        // as double quotes covers what its documentation shows.
        let bad = |m: &str| Failure::usage(format!("--waiter: {m}"));
        let json = Json::parse(&text.replace('\'', "\""))
            .map_err(|_| bad("expected {'expr':'...','to':'...','timeout':N,'interval':N}"))?;
        let expr_text = match json.get("expr") {
            Some(Json::Str(s)) => s.clone(),
            _ => return Err(bad("`expr` in `--waiter` must be defined")),
        };
        let to = json
            .get("to")
            .cloned()
            .ok_or_else(|| bad("`to` in `--waiter` must be defined"))?;
        let secs = |key: &str, default: f64| match json.get(key) {
            Some(Json::UInt(n)) => Ok(*n as f64),
            Some(Json::Float(f)) if *f >= 0.0 => Ok(*f),
            None => Ok(default),
            Some(_) => Err(bad(&format!("`{key}` must be a number of seconds"))),
        };
        let timeout = secs("timeout", settings.waiter_timeout.unwrap_or(180.0))?;
        let interval = secs("interval", settings.waiter_interval.unwrap_or(5.0))?.min(timeout);
        let expr =
            jmes::compile(&expr_text).map_err(|e| Failure::expression("--waiter: `expr`", &e))?;
        Ok(Waiter {
            expr,
            expr_text,
            to,
            timeout: Duration::try_from_secs_f64(timeout).unwrap_or(Duration::MAX),
            interval: Duration::try_from_secs_f64(interval).unwrap_or(Duration::MAX),
        })
    }

    /// Calls until `expr` of the answer equals `to`; prints each intermediate value as
    /// tccli does. Never sleeps past the deadline.
    async fn poll(
        &self,
        client: &hai_sdk::Client,
        index: usize,
        action: &ActionDef,
        body: &Json,
        settings: &CallSettings,
    ) -> Result<Json, Failure> {
        let started = Instant::now();
        loop {
            let answer = call::send(client, index, body.clone(), settings).await?;
            let shaped = answer.reshape(action.output);
            let value = self
                .expr
                .search(shaped.to_variable())
                .map(|v| Json::from_variable(&v))
                .unwrap_or(Json::Null);
            if value == self.to {
                return Ok(answer);
            }
            let elapsed = started.elapsed();
            if elapsed >= self.timeout {
                return Err(Failure::other(format!(
                    "Request timeout, wait `{}` to `{}` timeout, last request is {}",
                    self.expr_text,
                    self.to.python_str(),
                    value.python_str()
                )));
            }
            println!("Inquiry result is {}.", value.python_str());
            tokio::time::sleep(self.interval.min(self.timeout - elapsed)).await;
        }
    }
}
