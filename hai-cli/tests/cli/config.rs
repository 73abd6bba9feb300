//! tccli's configuration files in a temporary HOME.

use hai_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};

use crate::{hai, json, run, temp_home, Emu};

fn write_profile(home: &std::path::Path, profile: &str, endpoint: &str) {
    let dir = home.join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{profile}.credential")),
        format!(
            "{{\n    \"secretId\": \"{DEFAULT_SECRET_ID}\",\n    \"secretKey\": \"{DEFAULT_SECRET_KEY}\"\n}}"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{profile}.configure")),
        format!(
            "{{\n    \"_sys_param\": {{\"region\": \"ap-guangzhou\", \"output\": \"json\", \"arrayCount\": 10, \"warning\": \"off\"}},\n    \"hai\": {{\"endpoint\": \"{endpoint}\", \"version\": \"2023-08-12\"}},\n    \"cvm\": {{\"endpoint\": \"cvm.tencentcloudapi.com\", \"version\": \"2017-03-12\"}}\n}}"
        ),
    )
    .unwrap();
}

#[test]
fn only_the_default_tccli_files_are_enough() {
    let emu = Emu::start();
    let home = temp_home("tccli-default");
    write_profile(&home, "default", &emu.endpoint());
    let r = run(hai(&home).args(["DescribeInstances", "--InstanceIds", "hai-dunyfddn"]));
    let v = json(&r);
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["InstanceSet"][0]["InstanceId"], "hai-dunyfddn");
}

#[test]
fn tccli_profile_and_output_from_the_files() {
    let emu = Emu::start();
    let home = temp_home("tccli-profile");
    write_profile(&home, "work", &emu.endpoint());
    // TCCLI_PROFILE picks the profile.
    let r =
        run(hai(&home)
            .env("TCCLI_PROFILE", "work")
            .args(["DescribeRegions", "--output", "text"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("REGIONSET\tap-guangzhou"), "{}", r.stdout);
    // --profile does too, and a missing profile is an error naming it.
    let r = run(hai(&home).args(["DescribeRegions", "--profile", "work"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let r = run(hai(&home).args(["DescribeRegions", "--profile", "nope"]));
    assert_eq!(r.status, 255);
    assert!(r.stderr.contains("nope.configure"), "{}", r.stderr);
}

#[test]
fn options_beat_environment_beats_files() {
    let emu = Emu::start();
    let home = temp_home("tccli-precedence");
    write_profile(&home, "default", &emu.endpoint());
    // A wrong key in the environment wins over the file (tccli's order) and fails.
    let r = run(hai(&home)
        .env("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", "wrong-key")
        .args(["DescribeRegions"]));
    assert_eq!(r.status, 255, "{}", r.stdout);
    assert!(r.stderr.contains("AuthFailure"), "{}", r.stderr);
    // The options win over both.
    let r = run(hai(&home)
        .env("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", "wrong-key")
        .args([
            "DescribeRegions",
            "--secretId",
            DEFAULT_SECRET_ID,
            "--secretKey",
            DEFAULT_SECRET_KEY,
        ]));
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn a_malformed_credential_file_is_a_clear_error_without_the_secret() {
    let emu = Emu::start();
    let home = temp_home("tccli-malformed");
    write_profile(&home, "default", &emu.endpoint());
    std::fs::write(
        home.join(".tccli/default.credential"),
        format!("{{\"secretId\": \"{DEFAULT_SECRET_ID}\", \"secretKey\": \"topsecretvalue\""),
    )
    .unwrap();
    let r = run(hai(&home).args(["DescribeRegions"]));
    assert_eq!(r.status, 255);
    assert!(r.stderr.contains("default.credential"), "{}", r.stderr);
    assert!(!r.stderr.contains("topsecretvalue"), "{}", r.stderr);
}

#[test]
fn no_region_anywhere_is_refused_naming_the_option() {
    let emu = Emu::start();
    let home = temp_home("tccli-no-region");
    let r = run(hai(&home)
        .env("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEFAULT_SECRET_KEY)
        .args(["--endpoint", &emu.endpoint(), "DescribeRegions"]));
    assert_eq!(r.status, 255, "{}", r.stderr);
    assert!(r.stderr.contains("--region"), "{}", r.stderr);
    assert!(!r.stderr.contains("ClientBuilder"), "{}", r.stderr);
}

/// With nothing configured, the error lists every provider the chain tried, each once.
#[test]
fn no_credentials_lists_each_provider_once() {
    let emu = Emu::start();
    let home = temp_home("tccli-no-credentials");
    let r = run(hai(&home).args([
        "--endpoint",
        &emu.endpoint(),
        "--region",
        "ap-guangzhou",
        "DescribeRegions",
    ]));
    assert_eq!(r.status, 255, "{}", r.stderr);
    for provider in ["[environment:", "[tccli:"] {
        assert_eq!(
            r.stderr.matches(provider).count(),
            1,
            "{provider}: {}",
            r.stderr
        );
    }
}
