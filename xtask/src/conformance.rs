//! Tencent's documented examples (tccli's `examples.json`) through a generated tree's types:
//! each success answer decoded into its action's output type and each JSON request body
//! into its request type, under `hai_runtime::decode`'s rule, then serialised back and
//! compared, member by declared member (numbers by value), with the example.
//!
//! Used by `cargo xtask check-tencent --conformance` over every service, and by the tests on
//! the checked-in trees.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hai_runtime::decode::{self, DecodeFailure, FailureKind, Mismatch, MismatchOutcome};
use hai_runtime::{Action, ActionVisitor};
use hai_spec::{Shape, Spec, TypeRef};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Finds a generated tree's types by action name: the tree's `visit_action`.
pub type VisitAction = fn(&str, Check<'_>) -> Option<Decoded>;

/// The example value one action is checked with.
#[derive(Clone, Copy)]
pub struct Check<'a>(Input<'a>);

#[derive(Clone, Copy)]
enum Input<'a> {
    /// A whole answer body, decoded as a call decodes it.
    Answer(&'a [u8]),
    /// A request body, already parsed.
    Request(&'a Value),
}

/// One example decoded: the value serialised back and the mismatches, or the failure.
pub enum Decoded {
    /// Decoded; `back` is the typed value serialised again.
    Ok {
        /// The typed value as JSON.
        back: Value,
        /// What the lenient rule converted or read as absent.
        mismatches: Vec<Mismatch>,
    },
    /// Refused, even under the rule.
    Failed(DecodeFailure),
    /// Decoded, but the value does not serialise back.
    NoSerialise(String),
}

impl ActionVisitor for Check<'_> {
    type Output = Decoded;

    fn visit<A>(self) -> Decoded
    where
        A: Action + DeserializeOwned,
        A::Output: Serialize,
    {
        match self.0 {
            Input::Answer(body) => finish(decode::from_answer::<A::Output>(body)),
            Input::Request(v) => finish(decode::request_from_value::<A>(v)),
        }
    }
}

fn finish<T: Serialize>(r: Result<(T, Vec<Mismatch>), DecodeFailure>) -> Decoded {
    match r {
        Ok((t, mismatches)) => match serde_json::to_value(&t) {
            Ok(back) => Decoded::Ok { back, mismatches },
            Err(e) => Decoded::NoSerialise(e.to_string()),
        },
        Err(e) => Decoded::Failed(e),
    }
}

/// Totals of one kind of example (answers or requests) of one service, or of all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Examples of this kind (answers: success answers; requests: JSON bodies).
    pub examples: usize,
    /// Decoded (possibly with mismatches).
    pub decoded: usize,
    /// Decoded with no mismatch, every declared member back equal.
    pub lossless: usize,
    /// Decoded with at least one mismatch reported.
    pub reported: usize,
    /// Mismatches converted without loss.
    pub converted: usize,
    /// Mismatches whose member reads as absent.
    pub absent: usize,
    /// Refused because a required member is absent (requests).
    pub missing: usize,
    /// Refused for another reason.
    pub failed: usize,
    /// Decoded, but a declared member came back different without being reported.
    pub lost: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.examples += o.examples;
        self.decoded += o.decoded;
        self.lossless += o.lossless;
        self.reported += o.reported;
        self.converted += o.converted;
        self.absent += o.absent;
        self.missing += o.missing;
        self.failed += o.failed;
        self.lost += o.lost;
    }

    /// `17978 examples, 17978 decoded, 17845 lossless, 133 with mismatches reported (...)`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} examples, {} decoded, {} lossless, {} with mismatches reported ({} converted, {} absent)",
            self.examples,
            self.decoded,
            self.lossless,
            self.reported,
            self.converted,
            self.absent
        );
        if self.missing > 0 {
            let _ = write!(s, ", {} refused: required member absent", self.missing);
        }
        let _ = write!(s, ", {} failed, {} lost", self.failed, self.lost);
        s
    }
}

/// The outcome of one service's examples.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Success answers.
    pub answers: Tally,
    /// JSON request bodies.
    pub requests: Tally,
    /// Examples of actions the spec does not have.
    pub unknown_actions: usize,
    /// Request bodies (or answers) that are not JSON.
    pub not_json: usize,
    /// One line per failure, lost member and refused request, with its path.
    pub problems: Vec<String>,
}

impl Report {
    /// Adds another service's totals (problems are kept per service).
    pub fn add(&mut self, o: &Report) {
        self.answers.add(&o.answers);
        self.requests.add(&o.requests);
        self.unknown_actions += o.unknown_actions;
        self.not_json += o.not_json;
    }

    /// Whether anything was lost or failed, apart from requests that omit a required member.
    pub fn clean(&self) -> bool {
        self.answers.failed == 0
            && self.answers.lost == 0
            && self.answers.missing == 0
            && self.requests.failed == 0
            && self.requests.lost == 0
    }
}

/// Runs every example of `examples` (an `examples.json` text) through the tree whose spec is
/// `spec` and whose `visit_action` is `visit`.
pub fn run(spec: &Spec, examples: &str, visit: VisitAction) -> Result<Report, String> {
    let doc: Value =
        serde_json::from_str(examples).map_err(|e| format!("examples.json is not JSON: {e}"))?;
    let actions = doc
        .get("actions")
        .and_then(Value::as_object)
        .ok_or("examples.json has no `actions` object")?;
    let mut report = Report::default();
    for (name, list) in actions {
        let Some(action) = spec.actions.get(name) else {
            report.unknown_actions += list.as_array().map_or(0, Vec::len);
            continue;
        };
        for (i, ex) in list.as_array().into_iter().flatten().enumerate() {
            let at = format!("{name}#{i}");
            if let Some(output) = ex.get("output").and_then(Value::as_str) {
                answer(spec, &action.output, output, &at, visit, name, &mut report);
            }
            if let Some(input) = ex.get("input").and_then(Value::as_str) {
                request(spec, &action.input, input, &at, visit, name, &mut report);
            }
        }
    }
    Ok(report)
}

fn answer(
    spec: &Spec,
    shape: &str,
    text: &str,
    at: &str,
    visit: VisitAction,
    name: &str,
    report: &mut Report,
) {
    let Ok(example) = serde_json::from_str::<Value>(text) else {
        report.not_json += 1;
        return;
    };
    let Some(response) = example.get("Response") else {
        return;
    };
    // Documented error answers are not success answers.
    if response.get("Error").is_some() {
        return;
    }
    let check = Check(Input::Answer(text.as_bytes()));
    let example = Example {
        shape,
        value: response,
        root: "Response",
        at,
        what: "answer",
    };
    record(spec, &example, visit(name, check), report, |r| {
        (&mut r.answers, &mut r.problems)
    });
}

fn request(
    spec: &Spec,
    shape: &str,
    text: &str,
    at: &str,
    visit: VisitAction,
    name: &str,
    report: &mut Report,
) {
    // An HTTP request as text: the JSON body follows the first blank line.
    let Some(body) = text.split_once("\n\n").map(|(_, b)| b.trim()) else {
        return;
    };
    if !body.starts_with('{') {
        return;
    }
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        report.not_json += 1;
        return;
    };
    let check = Check(Input::Request(&value));
    let example = Example {
        shape,
        value: &value,
        root: "",
        at,
        what: "request",
    };
    record(spec, &example, visit(name, check), report, |r| {
        (&mut r.requests, &mut r.problems)
    });
}

/// One example as the comparison sees it.
struct Example<'a> {
    /// Its shape in the spec (the action's input or output).
    shape: &'a str,
    /// The documented value (an answer's `Response` object, or a request body).
    value: &'a Value,
    /// How paths into it start.
    root: &'a str,
    /// `Action#index`, for problem lines.
    at: &'a str,
    /// `answer` or `request`.
    what: &'a str,
}

/// Counts what the tree made of `example` into the tally (and problem list) `which` picks.
fn record(
    spec: &Spec,
    example: &Example<'_>,
    decoded: Option<Decoded>,
    report: &mut Report,
    which: fn(&mut Report) -> (&mut Tally, &mut Vec<String>),
) {
    let Some(decoded) = decoded else {
        report.unknown_actions += 1;
        return;
    };
    let (t, problems) = which(report);
    tally(spec, example, decoded, t, problems);
}

fn tally(
    spec: &Spec,
    example: &Example<'_>,
    decoded: Decoded,
    t: &mut Tally,
    problems: &mut Vec<String>,
) {
    let Example {
        shape,
        value: example,
        root,
        at,
        what,
    } = *example;
    t.examples += 1;
    let (back, mismatches) = match decoded {
        Decoded::Ok { back, mismatches } => (back, mismatches),
        Decoded::Failed(e) => {
            if matches!(e.kind(), FailureKind::MissingMember { .. }) {
                t.missing += 1;
            } else {
                t.failed += 1;
            }
            problems.push(format!("{at} {what}: refused: {e}"));
            return;
        }
        Decoded::NoSerialise(e) => {
            t.failed += 1;
            problems.push(format!("{at} {what}: {e}"));
            return;
        }
    };
    t.decoded += 1;
    let mut diffs = Vec::new();
    compare_structure(spec, shape, example, Some(&back), root, &mut diffs);
    let lost: Vec<&String> = diffs.iter().filter(|p| !covered(p, &mismatches)).collect();
    for m in &mismatches {
        match m.outcome() {
            MismatchOutcome::Converted => t.converted += 1,
            _ => t.absent += 1,
        }
    }
    if !lost.is_empty() {
        t.lost += 1;
        for p in lost {
            problems.push(format!("{at} {what}: {p} came back different, unreported"));
        }
    } else if mismatches.is_empty() {
        t.lossless += 1;
    }
    if !mismatches.is_empty() {
        t.reported += 1;
    }
}

/// Whether a difference at `path` is explained by a reported mismatch (at it, inside it,
/// or holding it).
fn covered(path: &str, mismatches: &[Mismatch]) -> bool {
    let within = |root: &str| {
        path == root
            || path
                .strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            || root
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    mismatches.iter().any(|m| {
        within(m.path())
            || matches!(m.outcome(), MismatchOutcome::Absent { member } if within(member))
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Every declared member of `example` (a structure of shape `shape`) must come back equal.
fn compare_structure(
    spec: &Spec,
    shape: &str,
    example: &Value,
    back: Option<&Value>,
    path: &str,
    diffs: &mut Vec<String>,
) {
    let Some(Shape::Structure(st)) = spec.shapes.get(shape) else {
        return;
    };
    let Value::Object(members) = example else {
        diffs.push(path.to_owned());
        return;
    };
    for (key, v) in members {
        let Some(m) = st.members.iter().find(|m| m.name == *key) else {
            continue; // not declared: nothing to keep
        };
        let Ok(ty) = m.type_ref() else { continue };
        let b = back.and_then(|b| b.get(key));
        compare(spec, &ty, v, b, &join(path, key), diffs);
    }
}

fn compare(
    spec: &Spec,
    ty: &TypeRef,
    v: &Value,
    b: Option<&Value>,
    path: &str,
    diffs: &mut Vec<String>,
) {
    if v.is_null() {
        return; // null and absent are the same answer
    }
    let element = |t: &TypeRef| -> Option<(bool, TypeRef)> {
        match t {
            TypeRef::List(e) => Some((true, (**e).clone())),
            TypeRef::Map(e) => Some((false, (**e).clone())),
            TypeRef::Shape(name) => match spec.shapes.get(name) {
                Some(Shape::List(l)) => TypeRef::parse(&l.member).ok().map(|e| (true, e)),
                Some(Shape::Map(m)) => TypeRef::parse(&m.value).ok().map(|e| (false, e)),
                _ => None,
            },
            _ => None,
        }
    };
    match (element(ty), v) {
        (Some((true, e)), Value::Array(items)) => {
            let Some(Value::Array(back)) = b else {
                diffs.push(path.to_owned());
                return;
            };
            if back.len() != items.len() {
                diffs.push(path.to_owned());
                return;
            }
            for (i, (x, y)) in items.iter().zip(back).enumerate() {
                compare(spec, &e, x, Some(y), &format!("{path}[{i}]"), diffs);
            }
        }
        (Some((false, e)), Value::Object(entries)) => {
            for (k, x) in entries {
                let y = b.and_then(|b| b.get(k));
                compare(spec, &e, x, y, &join(path, k), diffs);
            }
        }
        _ => match ty {
            TypeRef::Shape(name) if matches!(spec.shapes.get(name), Some(Shape::Structure(_))) => {
                compare_structure(spec, name, v, b, path, diffs)
            }
            _ => {
                if !b.is_some_and(|b| same(v, b)) {
                    diffs.push(path.to_owned());
                }
            }
        },
    }
}

/// Equal, numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        _ => a == b,
    }
}

/// One service's line: `answers: ...; requests: ...`.
pub fn service_line(r: &Report) -> String {
    let mut s = format!(
        "answers: {}; requests: {}",
        r.answers.line(),
        r.requests.line()
    );
    if r.unknown_actions > 0 {
        let _ = write!(s, "; {} examples of unknown actions", r.unknown_actions);
    }
    if r.not_json > 0 {
        let _ = write!(s, "; {} not JSON", r.not_json);
    }
    s
}

/// Reports by service name, in name order.
pub type Reports = BTreeMap<String, Report>;

/// One service the runner checks: crate name, spec file, examples file, its `visit_action`.
pub type Service<'a> = (&'a str, &'a str, &'a str, VisitAction);

/// The runner's `main`: every service's line, the totals and the problems (all of them into
/// `problems_log`, the first few on stdout). Exit status 0 only when nothing was lost or
/// failed apart from requests that omit a required member.
pub fn main_with(services: &[Service<'_>], problems_log: &str) -> std::process::ExitCode {
    let started = std::time::Instant::now();
    let mut total = Report::default();
    let mut log = String::new();
    let mut errors = 0;
    for (name, spec_path, examples_path, visit) in services {
        let spec = match hai_spec::load(std::path::Path::new(spec_path)) {
            Ok(s) => s,
            Err(e) => {
                println!("{name}: spec: {e}");
                errors += 1;
                continue;
            }
        };
        let Ok(examples) = std::fs::read_to_string(examples_path) else {
            println!("{name}: no examples.json");
            continue;
        };
        match run(&spec, &examples, *visit) {
            Ok(r) => {
                println!("{name}: {}", service_line(&r));
                for p in &r.problems {
                    let _ = writeln!(log, "{name}: {p}");
                }
                total.add(&r);
            }
            Err(e) => {
                println!("{name}: {e}");
                errors += 1;
            }
        }
    }
    let _ = std::fs::write(problems_log, &log);
    let shown: Vec<&str> = log.lines().take(40).collect();
    if !shown.is_empty() {
        println!(
            "problems ({} lines, all in {problems_log}):",
            log.lines().count()
        );
        for l in shown {
            println!("  {l}");
        }
    }
    println!(
        "conformance: {} services; answers: {}; requests: {}; {} examples of unknown actions, \
         {} not JSON; {:.1} s",
        services.len(),
        total.answers.line(),
        total.requests.line(),
        total.unknown_actions,
        total.not_json,
        started.elapsed().as_secs_f64()
    );
    if errors == 0 && total.clean() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
