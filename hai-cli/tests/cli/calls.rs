//! Calls through the binary against the emulator: stdout, stderr and exit status.

use hai_emulator::InstanceState;

use crate::{hai_at, json, run, temp_home, Emu};

fn assert_service_error(r: &crate::Run, code: &str) {
    assert_eq!(r.status, 255, "stdout: {}", r.stdout);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .starts_with(&format!("[TencentCloudSDKException] code:{code} message:")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(" requestId:"), "{}", r.stderr);
}

#[test]
fn stop_instance_success_prints_the_response_object() {
    let emu = Emu::start();
    let home = temp_home("stop-ok");
    let r = run(hai_at(&emu, &home).args([
        "StopInstance",
        "--InstanceId",
        "hai-running2",
        "--StopMode",
        "STOP_CHARGE",
        "--DryRun",
        "False",
    ]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    // tccli's layout: the Response object without its wrapper, four-space indent, the
    // spec's member order.
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "{");
    assert!(lines[1].starts_with("    \"TaskId\": "), "{}", r.stdout);
    assert!(
        lines[2].starts_with("    \"RequestId\": \""),
        "{}",
        r.stdout
    );
    assert_eq!(lines[3], "}");
    assert_eq!(lines.len(), 4);
}

#[test]
fn stop_instance_errors_of_each_seed_state() {
    let emu = Emu::start();
    let home = temp_home("stop-errors");
    for (id, code) in [
        ("hai-pending1", "UnsupportedOperation.InstanceStatePending"),
        (
            "hai-lnchfail",
            "UnsupportedOperation.InstanceStateLaunchFailed",
        ),
        ("hai-arrears1", "UnsupportedOperation.InstanceStateArrears"),
        (
            "hai-stopped1",
            "UnsupportedOperation.InstanceStateStoppedNoCharge",
        ),
        (
            "hai-termning",
            "OperationDenied.InstanceOperationInProgress",
        ),
        (
            "hai-termnatd",
            "UnsupportedOperation.InstanceStateTerminated",
        ),
        ("hai-prepaid1", "UnsupportedOperation"),
        ("hai-broken01", "InternalError"),
    ] {
        let r = run(hai_at(&emu, &home).args(["StopInstance", "--InstanceId", id]));
        assert_service_error(&r, code);
    }
}

#[test]
fn kebab_spelling_and_dry_run_flag() {
    let emu = Emu::start();
    let home = temp_home("kebab");
    let r = run(hai_at(&emu, &home).args([
        "stop-instance",
        "--instance-id",
        "hai-running2",
        "--dry-run",
    ]));
    assert_service_error(&r, "DryRunOperation");
    assert_eq!(
        emu.handle.instance_state("hai-running2"),
        Some(InstanceState::Running)
    );
}

#[test]
fn describe_instances_json_dotted_and_filter_forms_agree() {
    let emu = Emu::start();
    let home = temp_home("describe");
    let json_form = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--Filters",
        r#"[{"Name":"instance-state","Values":["RUNNING"]}]"#,
        "--filter",
        "InstanceSet[].InstanceId",
    ])));
    let dotted = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--Filters.0.Name",
        "instance-state",
        "--Filters.0.Values",
        "RUNNING",
        "--filter",
        "InstanceSet[].InstanceId",
    ])));
    assert_eq!(json_form, dotted);
    let ids: Vec<&str> = json_form
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"hai-dunyfddn") && !ids.contains(&"hai-stopped1"),
        "{ids:?}"
    );
    // Every member of the spec's Instance is printed, absent ones as null.
    let full = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--InstanceIds",
        "hai-dunyfddn",
    ])));
    let instance = &full["InstanceSet"][0];
    assert!(instance.get("LatestOperation").is_some(), "{instance}");
}

#[test]
fn all_follows_pagination() {
    let emu = Emu::start();
    let home = temp_home("all");
    let page = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--Limit",
        "3",
    ])));
    assert_eq!(page["InstanceSet"].as_array().unwrap().len(), 3);
    let total = page["TotalCount"].as_u64().unwrap();
    let all = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--Limit",
        "3",
        "--all",
    ])));
    assert_eq!(all["InstanceSet"].as_array().unwrap().len() as u64, total);
}

#[test]
fn cli_input_json_from_a_file_and_stdin() {
    let emu = Emu::start();
    let home = temp_home("input-json");
    let file = home.join("in.json");
    std::fs::write(&file, r#"{"InstanceIds": ["hai-stopped1"]}"#).unwrap();
    let from_file = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--cli-input-json",
        &format!("file://{}", file.display()),
    ])));
    assert_eq!(from_file["InstanceSet"][0]["InstanceId"], "hai-stopped1");
    let mut cmd = hai_at(&emu, &home);
    cmd.args(["DescribeInstances", "--cli-input-json", "-"])
        .stdin(std::fs::File::open(&file).unwrap());
    assert_eq!(
        json(&run(&mut cmd))["InstanceSet"][0]["InstanceId"],
        "hai-stopped1"
    );
}

#[test]
fn wait_returns_after_the_instance_stopped() {
    let emu = Emu::start();
    let home = temp_home("wait-stop");
    let r =
        run(hai_at(&emu, &home).args(["StopInstance", "--InstanceId", "hai-dunyfddn", "--wait"]));
    assert_eq!(
        emu.handle.instance_state("hai-dunyfddn"),
        Some(InstanceState::StoppedNoCharge)
    );
    // One document: StopInstance's answer, with the instance as the waiter last described
    // it (DescribeInstances' InstanceSet) before the RequestId.
    let v = json(&r);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["TaskId", "InstanceSet", "RequestId"], "{}", r.stdout);
    assert!(v["TaskId"].is_u64(), "{}", r.stdout);
    assert_eq!(v["InstanceSet"][0]["InstanceId"], "hai-dunyfddn");
    assert_eq!(v["InstanceSet"][0]["InstanceState"], "STOPPED_NO_CHARGE");
    let described = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--InstanceIds",
        "hai-dunyfddn",
    ])));
    assert_eq!(v["InstanceSet"], described["InstanceSet"]);
    // --filter and --output apply to the whole of it.
    let r = run(hai_at(&emu, &home).args([
        "StopInstance",
        "--InstanceId",
        "hai-running2",
        "--wait",
        "--filter",
        "InstanceSet[0].InstanceState",
    ]));
    assert_eq!(json(&r), "STOPPED_NO_CHARGE");
    let r = run(hai_at(&emu, &home).args([
        "StartInstance",
        "--InstanceId",
        "hai-running2",
        "--wait",
        "--output",
        "text",
    ]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\tRUNNING\t"), "{}", r.stdout);
}

#[test]
fn wait_on_an_instance_that_cannot_start_fails_at_once() {
    let emu = Emu::start();
    let home = temp_home("wait-lnchfail");
    let r =
        run(hai_at(&emu, &home).args(["StartInstance", "--InstanceId", "hai-lnchfail", "--wait"]));
    assert_service_error(&r, "UnsupportedOperation.InstanceStateLaunchFailed");
}

#[test]
fn waiter_polls_until_the_expression_matches() {
    let emu = Emu::start();
    let home = temp_home("waiter");
    let r = run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--InstanceIds",
        "hai-stopped1",
        "--waiter",
        "{'expr':'InstanceSet[0].InstanceState','to':'STOPPED_NO_CHARGE','timeout':5,'interval':1}",
    ]));
    let v = json(&r);
    assert_eq!(v["InstanceSet"][0]["InstanceState"], "STOPPED_NO_CHARGE");
    let r = run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--InstanceIds",
        "hai-stopped1",
        "--waiter",
        "{'expr':'InstanceSet[0].InstanceState','to':'RUNNING','timeout':0}",
    ]));
    assert_eq!(r.status, 255);
    assert!(r.stderr.contains("Request timeout, wait `InstanceSet[0].InstanceState` to `RUNNING` timeout, last request is STOPPED_NO_CHARGE"), "{}", r.stderr);
}

#[test]
fn start_instance_and_describe_regions() {
    let emu = Emu::start();
    let home = temp_home("start");
    let r = json(&run(hai_at(&emu, &home).args([
        "StartInstance",
        "--InstanceId",
        "hai-stopped1",
    ])));
    assert!(r["RequestId"].is_string());
    let regions = json(&run(hai_at(&emu, &home).args(["DescribeRegions"])));
    assert!(
        regions["RegionSet"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{regions}"
    );
}

#[test]
fn usage_errors_exit_255_with_a_message() {
    let emu = Emu::start();
    let home = temp_home("usage");
    let r = run(hai_at(&emu, &home).args(["StopInstance"]));
    assert_eq!(r.status, 255);
    assert!(r.stderr.contains("required: --InstanceId"), "{}", r.stderr);
    let r = run(hai_at(&emu, &home).args(["DescribeInstances", "--Limit", "many"]));
    assert_eq!(r.status, 255);
    assert!(
        r.stderr.contains("--Limit: `many` is not an integer"),
        "{}",
        r.stderr
    );
    let r = run(hai_at(&emu, &home).args(["DescribeInstances", "--Filters", "[{"]));
    assert_eq!(r.status, 255);
    assert!(r.stderr.contains("--Filters: invalid JSON"), "{}", r.stderr);
}

/// Every action the emulator serves, with the spec's first example (or no parameters):
/// either a JSON answer with a RequestId or a service error, never a transport failure.
#[test]
fn every_emulated_action_answers_through_the_binary() {
    let emu = Emu::start();
    let home = temp_home("every");
    let spec_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hai-spec/spec/hai-2023-08-12.json");
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spec_path).unwrap()).unwrap();
    for action in hai_emulator::EMULATED_ACTIONS {
        let example = spec["actions"][action]["examples"][0]["request"].clone();
        let mut input = if example.is_object() {
            example
        } else {
            serde_json::json!({})
        };
        // Required members the example lacks: their own example values.
        let shape = spec["actions"][action]["input"].as_str().unwrap();
        for m in spec["shapes"][shape]["members"].as_array().unwrap() {
            let name = m["name"].as_str().unwrap();
            if m["required"] == true && input.get(name).is_none() {
                input[name] = m["example"].clone();
            }
        }
        let r = run(hai_at(&emu, &home).args([action, "--cli-input-json", &input.to_string()]));
        if r.status == 0 {
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            assert!(v["RequestId"].is_string(), "{action}: {}", r.stdout);
        } else {
            assert_eq!(r.status, 255, "{action}");
            assert!(
                r.stderr.starts_with("[TencentCloudSDKException] code:"),
                "{action}: {}",
                r.stderr
            );
            assert!(
                !r.stderr.contains("does not emulate"),
                "{action}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn debug_logs_each_call_without_secrets() {
    let emu = Emu::start();
    let home = temp_home("debug");
    let r = run(hai_at(&emu, &home).args(["DescribeRegions", "--debug"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stderr.contains("call succeeded"), "{}", r.stderr);
    assert!(r.stderr.contains("DescribeRegions"), "{}", r.stderr);
    assert!(
        !r.stderr.contains(hai_emulator::DEFAULT_SECRET_KEY),
        "{}",
        r.stderr
    );
    serde_json::from_str::<serde_json::Value>(&r.stdout).expect("stdout stays JSON");
    // Not a terminal: no colour codes.
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
}

/// On a terminal (a pseudo-terminal made by util-linux's `script`) the log is coloured,
/// unless NO_COLOR says otherwise.
#[test]
fn debug_colours_only_a_terminal() {
    let script = std::path::Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipped: no /usr/bin/script to make a terminal with");
        return;
    }
    let emu = Emu::start();
    let home = temp_home("debug-tty");
    let command = format!(
        "{} --endpoint {} --region ap-guangzhou DescribeRegions --debug",
        env!("CARGO_BIN_EXE_hai"),
        emu.endpoint()
    );
    for (no_color, coloured) in [(None, true), (Some("1"), false)] {
        // `script` runs the command with a terminal as its stdin, stdout and stderr, and
        // copies what it wrote to its own stdout.
        let mut cmd = std::process::Command::new(script);
        cmd.env_clear()
            .env("HOME", &home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TENCENTCLOUD_SECRET_ID", hai_emulator::DEFAULT_SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", hai_emulator::DEFAULT_SECRET_KEY)
            .args(["-qec", &command, "/dev/null"]);
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let r = run(&mut cmd);
        assert_eq!(r.status, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("call succeeded"), "{}", r.stdout);
        assert_eq!(r.stdout.contains('\u{1b}'), coloured, "{:?}", r.stdout);
    }
}

/// `--ca-bundle` trusts a private root (here the emulator's own certificate); without it the
/// same call fails on the certificate, before anything is sent.
#[test]
fn https_endpoint_with_and_without_the_ca_bundle() {
    let emu = Emu::start_tls();
    assert!(emu.endpoint().starts_with("https://"), "{}", emu.endpoint());
    let home = temp_home("ca-bundle");
    let pem = home.join("emulator.pem");
    std::fs::write(&pem, emu.handle.certificate_pem().expect("a TLS emulator")).unwrap();

    let r = run(hai_at(&emu, &home)
        .args(["DescribeInstances", "--Limit", "1", "--ca-bundle"])
        .arg(&pem));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(json(&r)["TotalCount"].as_u64().unwrap() > 1, "{}", r.stdout);

    let r = run(hai_at(&emu, &home).args(["DescribeInstances", "--Limit", "1"]));
    assert_ne!(r.status, 0, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.to_lowercase().contains("tls"), "{}", r.stderr);

    let r = run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--ca-bundle",
        "/nonexistent/roots.pem",
    ]));
    assert_ne!(r.status, 0);
    assert!(r.stderr.contains("--ca-bundle"), "{}", r.stderr);
}
