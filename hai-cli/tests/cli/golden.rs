//! Help and skeleton output compared with checked-in files (`HAI_UPDATE_GOLDEN=1` rewrites them).

use std::path::Path;

use crate::{hai, run, temp_home};

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/golden")
        .join(name);
    if std::env::var_os("HAI_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (HAI_UPDATE_GOLDEN=1 writes it)", path.display()))
        .replace("\r\n", "\n");
    assert_eq!(
        actual, expected,
        "{name} differs; HAI_UPDATE_GOLDEN=1 rewrites it"
    );
}

#[test]
fn top_level_help() {
    let home = temp_home("help");
    let r = run(hai(&home).arg("--help"));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("StopInstance"));
    check("help.txt", &r.stdout);
}

#[test]
fn action_help_in_both_spellings() {
    let home = temp_home("action-help");
    let r = run(hai(&home).args(["StopInstance", "--help"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("--InstanceId"), "{}", r.stdout);
    assert!(r.stdout.contains("[alias: --instance-id]"), "{}", r.stdout);
    check("stop_instance_help.txt", &r.stdout);
    // tccli's `ACTION help` and the kebab alias print the same.
    let tccli_form = run(hai(&home).args(["stop-instance", "help"]));
    assert_eq!(tccli_form.stdout, r.stdout);
}

#[test]
fn generate_cli_skeleton() {
    let home = temp_home("skeleton");
    let r = run(hai(&home).args(["DescribeInstances", "--generate-cli-skeleton"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    check("describe_instances_skeleton.json", &r.stdout);
    let r = run(hai(&home).args(["RunInstances", "--generate-cli-skeleton"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    check("run_instances_skeleton.json", &r.stdout);
}

#[test]
fn completions_for_bash() {
    let home = temp_home("completions");
    let r = run(hai(&home).args(["completions", "bash"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("StopInstance"));
    assert!(r.stdout.contains("--InstanceId"));
}

#[test]
fn help_as_an_option_value_is_a_value() {
    let home = temp_home("help-value");
    let r = run(hai(&home).args([
        "StopInstance",
        "--InstanceId",
        "help",
        "--generate-cli-skeleton",
    ]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with('{'), "{}", r.stdout);
}
