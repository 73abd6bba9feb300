//! The cookbook examples (`tests/examples/`) run as a user runs them: each binary `cargo test`
//! built into `target/debug/examples/`, with an empty HOME and every TENCENTCLOUD_*, TCCLI_*
//! and TKE_* variable removed, so that each falls back to the emulator it starts in-process;
//! and with credentials, against an emulator this test starts on 127.0.0.1.
//!
//! The examples keep the emulator's default timings and their own waiter delays (2 s before
//! the first poll, 5 s for serve_model): stop_all, serve_model and start_one take seconds.
//!
//! `cargo test -p hai-tests` (or `--workspace`) builds the examples before running this;
//! `cargo test --test suite` alone does not, and runs whichever example binaries were built
//! last.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use hai_sdk::types::InstanceState;

/// Every example, each with `--help`.
const EXAMPLES: &[&str] = &[
    "stop_instance",
    "stop_instance_blocking",
    "find_instances",
    "stop_all",
    "start_one",
    "serve_model",
];

/// The line each example prints first when it starts its own emulator (the README quotes it).
const ANNOUNCEMENT: &str =
    "no credentials configured: using the built-in HAI emulator at http://127.0.0.1:";

/// The example binary: `.../target/debug/deps/suite-HASH` -> `.../target/debug/examples/NAME`.
fn binary(name: &str) -> PathBuf {
    let path = super::support::profile_dir()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the example {name} is not built ({} is missing): run `cargo test --workspace` or \
         `cargo build --examples -p hai-tests` first",
        path.display()
    );
    path
}

/// An empty directory for HOME, removed when dropped.
struct EmptyHome(PathBuf);

impl EmptyHome {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "hai-tests-examples-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary HOME");
        EmptyHome(dir)
    }
}

impl Drop for EmptyHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The example with nothing from this machine's configuration: no credentials, profile,
/// endpoint or region variables, an empty HOME, no RUST_LOG and no NO_COLOR.
fn example(name: &str, home: &EmptyHome) -> Command {
    let mut cmd = Command::new(binary(name));
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if ["TENCENTCLOUD_", "TCCLI_", "TKE_"]
            .iter()
            .any(|p| key_text.starts_with(p))
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HOME", &home.0)
        .env_remove("USERPROFILE")
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR");
    cmd
}

/// What a run printed, and how it ended.
struct Run {
    name: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "{self}");
        self
    }

    fn assert_stdout_has(&self, line: &str) -> &Self {
        assert!(self.lines().contains(&line), "no line {line:?} in\n{self}");
        self
    }

    /// The emulator's announcement first, then the example's output.
    fn assert_announced(&self) -> &Self {
        let first = self.lines().first().copied().unwrap_or_default();
        assert!(first.starts_with(ANNOUNCEMENT), "{self}");
        let port = &first[ANNOUNCEMENT.len()..];
        assert!(port.parse::<u16>().is_ok(), "{first:?}");
        assert_eq!(
            self.lines()
                .iter()
                .filter(|l| l.contains("emulator at"))
                .count(),
            1,
            "announced once, in one wording: {self}"
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} exited {:?}\n--- stdout\n{}--- stderr\n{}",
            self.name, self.code, self.stdout, self.stderr
        )
    }
}

fn output(name: &str, mut cmd: Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap_or_else(|e| panic!("{name} runs: {e}"));
    Run {
        name: name.to_owned(),
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `name args...` against the emulator it starts itself.
fn run<S: AsRef<OsStr>>(name: &str, args: &[S]) -> Run {
    let home = EmptyHome::new();
    let mut cmd = example(name, &home);
    cmd.args(args);
    output(name, cmd)
}

/// Runs `name args...` with the emulator's credentials, endpoint and region in the
/// environment, as the README's "separately running emulator" does.
async fn run_with_credentials(emu: &EmulatorHandle, name: &str, args: &[&str]) -> Run {
    let home = EmptyHome::new();
    let mut cmd = example(name, &home);
    let cred = &emu.credentials()[0];
    cmd.args(args)
        .env("TENCENTCLOUD_SECRET_ID", &cred.secret_id)
        .env("TENCENTCLOUD_SECRET_KEY", &cred.secret_key)
        .env("TENCENTCLOUD_ENDPOINT_URL_HAI", emu.endpoint())
        .env("TENCENTCLOUD_REGION", "ap-guangzhou");
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let run = output(&name, cmd);
        drop(home);
        run
    })
    .await
    .expect("the example's run")
}

#[test]
fn stop_instance_announces_the_emulator_and_stops_the_demo_instance() {
    let run = run::<&str>("stop_instance", &[]);
    run.assert_code(0)
        .assert_announced()
        .assert_stdout_has("hai-dunyfddn: state before: RUNNING")
        .assert_stdout_has("hai-dunyfddn: state after: STOPPED_NO_CHARGE");
    let lines = run.lines();
    assert_eq!(lines.len(), 4, "{run}");
    assert!(
        lines[2].starts_with("hai-dunyfddn: StopInstance accepted: TaskId "),
        "{run}"
    );
}

#[test]
fn stop_instance_blocking_does_and_prints_what_stop_instance_does() {
    let blocking = run::<&str>("stop_instance_blocking", &[]);
    blocking
        .assert_code(0)
        .assert_announced()
        .assert_stdout_has("hai-dunyfddn: state before: RUNNING")
        .assert_stdout_has("hai-dunyfddn: state after: STOPPED_NO_CHARGE");
    assert!(blocking.stderr.is_empty(), "{blocking}");
    // Line for line the async example's output, but for the port, TaskId and RequestId.
    let stable = |run: &Run| -> Vec<String> {
        run.lines()
            .iter()
            .map(|l| {
                if l.starts_with(ANNOUNCEMENT) {
                    ANNOUNCEMENT.to_owned()
                } else if let Some((head, _)) = l.split_once(": TaskId ") {
                    head.to_owned()
                } else {
                    (*l).to_owned()
                }
            })
            .collect()
    };
    let asynchronous = run::<&str>("stop_instance", &[]);
    assert_eq!(
        stable(&blocking),
        stable(&asynchronous),
        "{blocking}\n{asynchronous}"
    );

    // A service error: the same code, message and RequestId on stderr.
    let stopped = run("stop_instance_blocking", &["hai-stopped1"]);
    stopped
        .assert_code(1)
        .assert_announced()
        .assert_stdout_has("hai-stopped1: state before: STOPPED_NO_CHARGE");
    assert!(
        stopped
            .stderr
            .starts_with("error: UnsupportedOperation.InstanceStateStoppedNoCharge ")
            && stopped.stderr.contains("(RequestId: "),
        "{stopped}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_credentials_stop_instance_blocking_uses_them() {
    let emu = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let run = run_with_credentials(&emu, "stop_instance_blocking", &[]).await;
    run.assert_code(0)
        .assert_stdout_has("hai-dunyfddn: state before: RUNNING")
        .assert_stdout_has("hai-dunyfddn: state after: STOPPED_NO_CHARGE");
    assert!(!run.stdout.contains("emulator at"), "{run}");
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(hai_emulator::InstanceState::StoppedNoCharge)
    );
}

#[test]
fn find_instances_takes_a_state_in_any_case() {
    for state in ["RUNNING", "running", "Running"] {
        let run = run("find_instances", &[state]);
        run.assert_code(0)
            .assert_announced()
            .assert_stdout_has("48 instance(s) in state RUNNING");
        let listed = &run.lines()[1..run.lines().len() - 1];
        // The default seed's three running instances (not hai-broken01) and 45 more.
        assert_eq!(listed.len(), 48, "{run}");
        assert!(
            listed
                .iter()
                .all(|l| l.split_whitespace().nth(1) == Some("RUNNING")),
            "{run}"
        );
    }
}

#[test]
fn find_instances_refuses_an_unknown_state_listing_the_known_ones() {
    let run = run("find_instances", &["SLEEPING"]);
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "nothing called: {run}");
    assert!(run.stderr.contains("invalid value 'SLEEPING'"), "{run}");
    for state in InstanceState::VALUES {
        assert!(run.stderr.contains(state), "{state} not listed: {run}");
    }
}

#[test]
fn every_example_prints_help_and_refuses_unknown_options_without_calling_anything() {
    for name in EXAMPLES {
        let help = run(name, &["--help"]);
        help.assert_code(0);
        assert!(help.stdout.contains(&format!("Usage: {name}")), "{help}");
        assert!(
            !help.stdout.contains("emulator at"),
            "nothing started: {help}"
        );
        assert!(help.stderr.is_empty(), "{help}");

        let wrong = run(name, &["--frobnicate"]);
        wrong.assert_code(2);
        assert!(wrong.stdout.is_empty(), "nothing started: {wrong}");
        assert!(
            wrong.stderr.contains("unexpected argument '--frobnicate'")
                && wrong.stderr.contains(&format!("Usage: {name}")),
            "{wrong}"
        );
    }
    // find_instances lists the states its argument takes.
    let help = run("find_instances", &["--help"]);
    for state in InstanceState::VALUES {
        assert!(help.stdout.contains(state), "{state} not listed: {help}");
    }
    // serve_model keeps --delete and its template argument.
    let help = run("serve_model", &["--help"]);
    assert!(
        help.stdout.contains("--delete") && help.stdout.contains("[TEMPLATE_ID]"),
        "{help}"
    );
    for name in ["stop_instance", "stop_instance_blocking", "start_one"] {
        let help = run(name, &["--help"]);
        assert!(help.stdout.contains("[INSTANCE_ID]"), "{help}");
    }
}

#[test]
fn the_positional_arguments_reach_the_calls() {
    // An instance that is already stopped: the service error's code, message and RequestId.
    let stop = run("stop_instance", &["hai-stopped1"]);
    stop.assert_code(1)
        .assert_announced()
        .assert_stdout_has("hai-stopped1: state before: STOPPED_NO_CHARGE");
    assert!(
        stop.stderr
            .starts_with("error: UnsupportedOperation.InstanceStateStoppedNoCharge ")
            && stop.stderr.contains("(RequestId: "),
        "{stop}"
    );
    // A template the emulator has not: refused before anything is deployed.
    let serve = run("serve_model", &["--delete", "tpl-00000000"]);
    serve.assert_code(1).assert_announced();
    assert!(serve.stderr.contains("tpl-00000000"), "{serve}");
}

#[test]
fn stop_all_stops_every_running_pay_as_you_go_instance() {
    let run = run::<&str>("stop_all", &[]);
    run.assert_code(0)
        .assert_announced()
        // The four running ones less the prepaid one and the broken one, and 45 more.
        .assert_stdout_has("stopping 47 running instance(s)")
        .assert_stdout_has("47 stopped, 0 failed");
    assert!(run.stderr.is_empty(), "{run}");
}

#[test]
fn start_one_starts_the_stopped_instance_and_waits() {
    let run = run("start_one", &["hai-stopped1"]);
    run.assert_code(0)
        .assert_announced()
        .assert_stdout_has("hai-stopped1 is RUNNING (latest operation StartInstance SUCCESS)");
}

#[test]
fn serve_model_deploys_waits_lists_and_deletes() {
    let run = run("serve_model", &["--delete"]);
    run.assert_code(0).assert_announced();
    let lines = run.lines();
    assert!(
        lines[1].starts_with("tpl-2czq2lnm: service svc-") && lines[1].contains(" created "),
        "{run}"
    );
    let id = lines[1].split_whitespace().nth(2).expect("the service id");
    run.assert_stdout_has(&format!("{id} is RUNNING with 1 of 1 replicas"))
        .assert_stdout_has(&format!("{id}: DeleteService accepted"));
}

#[test]
fn logging_into_a_pipe_has_no_colour_codes() {
    let home = EmptyHome::new();
    let mut cmd = example("find_instances", &home);
    // The SDK's events come from hai_runtime, which makes the calls.
    cmd.arg("PENDING").env("RUST_LOG", "hai_runtime=debug");
    let run = output("find_instances", cmd);
    run.assert_code(0)
        .assert_stdout_has("1 instance(s) in state PENDING");
    assert!(
        run.stderr.contains("DEBUG") && run.stderr.contains("action=\"DescribeInstances\""),
        "{run}"
    );
    assert!(!run.stderr.contains('\u{1b}'), "{run:?}", run = run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_credentials_stop_all_uses_them_and_names_the_failed_action_once() {
    // The default seed, hai-broken01 included: its StopInstance fails.
    let emu = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");

    let run = run_with_credentials(&emu, "stop_all", &[]).await;
    run.assert_code(1)
        .assert_stdout_has("stopping 3 running instance(s)")
        .assert_stdout_has("2 stopped, 1 failed");
    assert!(!run.stdout.contains("emulator at"), "{run}");
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("error: hai-broken01: StopInstance failed: InternalError: ")),
        "{run}"
    );
    assert_eq!(
        run.stderr.matches("StopInstance failed").count(),
        1,
        "{run}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_credentials_start_one_requires_an_instance_id() {
    let emu = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    // Only the emulator has a default instance; against Tencent Cloud one is required.
    let run = run_with_credentials(&emu, "start_one", &[]).await;
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        run.stderr.contains("INSTANCE_ID is required") && run.stderr.contains("Usage: start_one"),
        "{run}"
    );
}
