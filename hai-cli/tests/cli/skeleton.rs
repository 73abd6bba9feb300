//! `--generate-cli-skeleton` read back by `--cli-input-json`, for every action of the
//! generated command table that has input.

use crate::table::{ACTIONS, STRUCTS};
use crate::{hai, hai_at, json, run, temp_home, Emu};

/// Unedited, a skeleton is a request the CLI sends: its placeholders are left out (so no
/// type name reaches the service) and the service answers for what is still missing.
#[test]
fn every_skeleton_is_accepted_back_and_sent() {
    let emu = Emu::start();
    let home = temp_home("skeleton-round-trip");
    let mut checked = 0;
    for action in ACTIONS {
        let members = STRUCTS[action.input].members;
        if members.is_empty() {
            continue;
        }
        let skeleton = run(hai(&home).args([action.name, "--generate-cli-skeleton"]));
        assert_eq!(skeleton.status, 0, "{}: {}", action.name, skeleton.stderr);
        let file = home.join(format!("{}.json", action.name));
        std::fs::write(&file, &skeleton.stdout).unwrap();
        let input = format!("file://{}", file.display());
        let dry_run = members.iter().any(|m| m.name == "DryRun");
        let mut runs = vec![vec![action.name, "--cli-input-json", &input]];
        if dry_run {
            runs.push(vec![action.name, "--cli-input-json", &input, "--dry-run"]);
        }
        for argv in runs {
            let r = run(hai_at(&emu, &home).args(&argv));
            // Sent: the answer is the service's, never the CLI's own refusal.
            assert!(
                r.status == 0 || r.stderr.contains("[TencentCloudSDKException] code:"),
                "{argv:?}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("error:"), "{argv:?}: {}", r.stderr);
            // No placeholder was sent: the service's type checks did not fire, nor did
            // its enum checks on a type name.
            assert!(
                !r.stderr.contains("code:InvalidParameter ") && !r.stderr.contains("`String`"),
                "{argv:?}: {}",
                r.stderr
            );
            if r.status == 0 {
                assert!(json(&r)["RequestId"].is_string(), "{argv:?}: {}", r.stdout);
            }
            // The left-out members are named on stderr, each once (all of it was left out),
            // except DryRun when --dry-run gives it.
            let note = r
                .stderr
                .lines()
                .find_map(|l| {
                    l.strip_prefix("note: --cli-input-json: skeleton placeholders left out of the request (not given): ")
                })
                .unwrap_or_else(|| panic!("{argv:?}: {}", r.stderr));
            let expected: Vec<&str> = members
                .iter()
                .map(|m| m.name)
                .filter(|n| !(*n == "DryRun" && argv.contains(&"--dry-run")))
                .collect();
            assert_eq!(note.split(", ").collect::<Vec<_>>(), expected, "{argv:?}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} actions with input");
}

/// An edited skeleton: the values filled in are sent, the placeholders left are not, and
/// options still override the file.
#[test]
fn an_edited_skeleton_runs_an_instance() {
    let emu = Emu::start();
    let home = temp_home("skeleton-edited");
    let skeleton = run(hai(&home).args(["RunInstances", "--generate-cli-skeleton"]));
    let mut input: serde_json::Value = serde_json::from_str(&skeleton.stdout).unwrap();
    input["ApplicationId"] = "app-lfflw9lw".into();
    input["SystemDisk"]["DiskSize"] = 100.into();
    input["InstanceName"] = "from-skeleton".into();
    let file = home.join("in.json");
    std::fs::write(&file, input.to_string()).unwrap();
    let r = run(hai_at(&emu, &home).args([
        "RunInstances",
        "--cli-input-json",
        &format!("file://{}", file.display()),
        "--BundleType",
        "XL",
    ]));
    let answer = json(&r);
    assert_eq!(
        r.stderr,
        "note: --cli-input-json: skeleton placeholders left out of the request (not given): \
         SystemDisk.DiskType, SystemDisk.DiskName, InstanceCount, ClientToken, DryRun\n"
    );
    let id = answer["InstanceIdSet"][0].as_str().unwrap();
    let instance = emu.handle.instance(id).expect("the new instance");
    assert_eq!(instance.instance_name, "from-skeleton");
    // A value that is not the placeholder of its type is kept, then converted to its declared
    // type: "String" where an integer goes is neither, so it is refused before sending.
    input["SystemDisk"]["DiskSize"] = "String".into();
    std::fs::write(&file, input.to_string()).unwrap();
    let r = run(hai_at(&emu, &home).args([
        "RunInstances",
        "--cli-input-json",
        &format!("file://{}", file.display()),
        "--BundleType",
        "XL",
    ]));
    assert_eq!(r.status, 255, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: --cli-input-json: SystemDisk.DiskSize: expected an integer, found \"String\"\n"
    );
}

/// A required member missing from a hand-written file is still refused before sending.
#[test]
fn a_required_member_absent_from_the_file_is_refused() {
    let emu = Emu::start();
    let home = temp_home("skeleton-required");
    let r = run(hai_at(&emu, &home).args([
        "RunInstances",
        "--cli-input-json",
        r#"{"BundleType": "XL"}"#,
    ]));
    assert_eq!(r.status, 255);
    assert!(
        r.stderr
            .contains("the following arguments are required: --ApplicationId"),
        "{}",
        r.stderr
    );
}
