//! The `hai-codegen` binary with `--actions`: an unknown name fails with the suggestion.

use std::path::Path;
use std::process::Command;

fn hai_spec() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hai-spec/spec/hai-2023-08-12.json")
        .display()
        .to_string()
}

#[test]
fn an_unknown_action_exits_1_naming_the_close_match() {
    let out = std::env::temp_dir().join(format!("hai-codegen-bin-actions-{}", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_hai-codegen"))
        .args([
            "--spec",
            &hai_spec(),
            "--actions",
            "DescribeRegion",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("the binary runs");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("unknown action \"DescribeRegion\"; did you mean")
            && stderr.contains("DescribeRegions"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn an_empty_actions_list_is_a_usage_error() {
    let run = Command::new(env!("CARGO_BIN_EXE_hai-codegen"))
        .args(["--spec", &hai_spec(), "--out", "unused", "--actions", ","])
        .output()
        .expect("the binary runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--actions needs at least one"));
}
