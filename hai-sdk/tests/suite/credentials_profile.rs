//! Profile file provider: path precedence, named profiles, missing keys, malformed lines with
//! line numbers, the role_arn path through a loopback STS, and garbage input.
//! Every path is under a per-test temp dir; the real home directory is never read.

use crate::credentials_common;

use std::path::Path;

use credentials_common::*;
use hai_sdk::credentials::{CredentialsError, Env, ProfileProvider, ProvideCredentials, StsConfig};
use hai_sdk::signer::{sign, Payload, SigningInput};

/// A provider whose env, home and system file all live under `dir`.
fn provider(dir: &TempDir, env: &[(&str, String)]) -> ProfileProvider {
    ProfileProvider::builder()
        .env(Env::from_pairs(env.iter().cloned()))
        .home_dir(dir.path().join("home"))
        .system_file(dir.path().join("etc/tencentcloud/credentials"))
        .build()
}

fn creds_file(id: &str) -> String {
    format!("[default]\nsecret_id = {id}\nsecret_key = key-of-{id}\n")
}

fn path_var(p: &Path) -> (&'static str, String) {
    ("TENCENTCLOUD_CREDENTIALS_FILE", p.display().to_string())
}

async fn invalid_reason(p: &ProfileProvider) -> String {
    match p.provide_credentials().await {
        Err(CredentialsError::Invalid { provider, reason }) => {
            assert_eq!(provider, "profile");
            reason
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn path_precedence() {
    let dir = TempDir::new();
    let explicit = dir.write("explicit/credentials", creds_file("AKIDexplicit"));
    dir.write("home/.tencentcloud/credentials", creds_file("AKIDhome"));
    dir.write("etc/tencentcloud/credentials", creds_file("AKIDsystem"));

    let c = provider(&dir, &[path_var(&explicit)])
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.secret_id(), "AKIDexplicit");
    assert_eq!(c.secret_key(), "key-of-AKIDexplicit");
    assert_eq!(c.provider_name(), "profile");

    let c = provider(&dir, &[]).provide_credentials().await.unwrap();
    assert_eq!(c.secret_id(), "AKIDhome");

    std::fs::remove_file(dir.path().join("home/.tencentcloud/credentials")).unwrap();
    let c = provider(&dir, &[]).provide_credentials().await.unwrap();
    assert_eq!(c.secret_id(), "AKIDsystem");

    std::fs::remove_file(dir.path().join("etc/tencentcloud/credentials")).unwrap();
    match provider(&dir, &[]).provide_credentials().await {
        Err(CredentialsError::NotConfigured { provider, reason }) => {
            assert_eq!(provider, "profile");
            assert!(reason.contains(".tencentcloud"), "{reason}");
            assert!(reason.contains("etc/tencentcloud/credentials"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn home_comes_from_the_injected_env_when_not_given() {
    let dir = TempDir::new();
    dir.write("h/.tencentcloud/credentials", creds_file("AKIDviaHOME"));
    let c = ProfileProvider::builder()
        .env(Env::from_pairs([(
            "HOME",
            dir.path().join("h").display().to_string(),
        )]))
        .system_file(dir.path().join("none"))
        .build()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.secret_id(), "AKIDviaHOME");
}

#[tokio::test]
async fn explicit_file_that_does_not_exist_is_invalid() {
    let dir = TempDir::new();
    dir.write("home/.tencentcloud/credentials", creds_file("AKIDhome"));
    let missing = dir.path().join("nope");
    let reason = invalid_reason(&provider(&dir, &[path_var(&missing)])).await;
    assert!(reason.contains("TENCENTCLOUD_CREDENTIALS_FILE"), "{reason}");
}

#[tokio::test]
async fn named_profile_and_token() {
    let dir = TempDir::new();
    let f = dir.write(
        "c",
        "[default]\nsecret_id = AKIDdefault\nsecret_key = k0\n\n\
         # production\n[prod]\nsecret_id = AKIDprod\nsecret_key = k1\ntoken = prod-token\n",
    );
    let c = provider(
        &dir,
        &[path_var(&f), ("TENCENTCLOUD_PROFILE", "prod".into())],
    )
    .provide_credentials()
    .await
    .unwrap();
    assert_eq!(
        (c.secret_id(), c.secret_key(), c.token()),
        ("AKIDprod", "k1", Some("prod-token"))
    );

    let c = provider(&dir, &[path_var(&f)])
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!((c.secret_id(), c.token()), ("AKIDdefault", None));

    let reason = invalid_reason(&provider(
        &dir,
        &[path_var(&f), ("TENCENTCLOUD_PROFILE", "staging".into())],
    ))
    .await;
    assert!(reason.contains("[staging]"), "{reason}");
}

#[tokio::test]
async fn file_without_default_section_is_not_configured() {
    let dir = TempDir::new();
    let f = dir.write("c", "[other]\nsecret_id = a\nsecret_key = b\n");
    assert!(matches!(
        provider(&dir, &[path_var(&f)]).provide_credentials().await,
        Err(CredentialsError::NotConfigured { .. })
    ));
}

#[tokio::test]
async fn missing_keys_are_named() {
    let dir = TempDir::new();
    for (contents, missing) in [
        ("[default]\nsecret_id = AKID\n", "secret_key"),
        ("[default]\nsecret_key = hidden-key\n", "secret_id"),
        ("[default]\nsecret_id = AKID\nsecret_key =\n", "secret_key"),
        ("[default]\n", "secret_id and secret_key"),
    ] {
        let f = dir.write("c", contents);
        let reason = invalid_reason(&provider(&dir, &[path_var(&f)])).await;
        assert!(reason.contains(&format!("missing {missing}")), "{reason}");
        assert!(reason.contains("[default]"), "{reason}");
        assert!(!reason.contains("hidden-key"), "{reason}");
    }
}

#[tokio::test]
async fn malformed_lines_are_reported_with_file_and_line_but_not_content() {
    let dir = TempDir::new();
    let cases: [(&[u8], usize); 5] = [
        (b"[default]\nsecret_id = AKID\nsecret_key s3cr3t-value\n", 3),
        (b"# comment\nsecret_id = AKID\n", 2),
        (b"[default\nsecret_id = AKID\n", 1),
        (b"[default]\n\n\n\n[]\n", 5),
        (b"[default]\nsecret_id = AKID\n\xffs3cr3t-value\n", 3),
    ];
    for (contents, line) in cases {
        let f = dir.write("c", contents);
        let reason = invalid_reason(&provider(&dir, &[path_var(&f)])).await;
        let expected = format!("{}:{line}:", f.display());
        assert!(reason.starts_with(&expected), "{reason} (want {expected})");
        assert!(!reason.contains("s3cr3t-value"), "{reason}");
    }
}

#[tokio::test]
async fn garbage_bytes_never_panic() {
    let dir = TempDir::new();
    let f = dir.path().join("c");
    let env = [path_var(&f)];
    // xorshift: deterministic, no extra dependency.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // Bias towards the bytes the parser cares about.
    let alphabet = b"[]=:#;\n\r \t\xEF\xBB\xBF\xff\xc3secret_idkeydefault";
    for round in 0..400 {
        let len = (next() % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if round % 2 == 0 {
                    r as u8
                } else {
                    alphabet[(r % alphabet.len() as u64) as usize]
                }
            })
            .collect();
        std::fs::write(&f, &bytes).unwrap();
        let result = provider(&dir, &env).provide_credentials().await;
        // Any outcome but a panic (or a network call) is fine.
        assert!(
            matches!(
                result,
                Ok(_)
                    | Err(CredentialsError::Invalid { .. })
                    | Err(CredentialsError::NotConfigured { .. })
            ),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn role_arn_assumes_the_role_with_the_files_keys() {
    let dir = TempDir::new();
    let clock = ManualClock::new();
    let exp = clock.unix() + 7200;
    let server =
        Server::start(move |_| Reply::ok(sts_creds("AKIDrole", "role-key", "role-token", exp)))
            .await;
    let f = dir.write(
        "c",
        "[default]\nsecret_id = AKIDfile\nsecret_key = file-key\n\
         role_arn = qcs::cam::uin/1:roleName/r\nrole_session_name = from-profile\n",
    );
    let p = ProfileProvider::builder()
        .env(Env::from_pairs([path_var(&f)]))
        .home_dir(dir.path())
        .system_file(dir.path().join("none"))
        .sts(StsConfig::default().endpoint(server.url()))
        .clock(clock.clone())
        .build();
    let c = p.provide_credentials().await.unwrap();
    assert_eq!(
        (c.secret_id(), c.secret_key(), c.token()),
        ("AKIDrole", "role-key", Some("role-token"))
    );
    assert_eq!(c.provider_name(), "profile");

    let req = &server.requests()[0];
    assert_eq!(req.header("X-TC-Action"), Some("AssumeRole"));
    assert_eq!(req.json()["RoleArn"], "qcs::cam::uin/1:roleName/r");
    assert_eq!(req.json()["RoleSessionName"], "from-profile");
    assert_eq!(req.json()["DurationSeconds"], 7200);
    let expected = sign(&SigningInput {
        secret_id: "AKIDfile",
        secret_key: "file-key",
        service: "sts",
        host: &server.host(),
        content_type: "application/json",
        method: "POST",
        query: "",
        payload: Payload::Bytes(&req.body),
        timestamp: clock.unix(),
    });
    assert_eq!(
        req.header("Authorization"),
        Some(expected.authorization.as_str())
    );

    // Cached: no second STS call.
    p.provide_credentials().await.unwrap();
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn role_session_name_without_role_arn_is_invalid() {
    let dir = TempDir::new();
    let f = dir.write(
        "c",
        "[default]\nsecret_id = AKID\nsecret_key = k\nrole_session_name = s\n",
    );
    let reason = invalid_reason(&provider(&dir, &[path_var(&f)])).await;
    assert!(reason.contains("role_arn"), "{reason}");
}
