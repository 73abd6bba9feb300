//! The default chain: order, first winner remembered, errors that stop it, and the fast,
//! complete error when nothing is configured (never an unrelated error, never a hang).

use crate::credentials_common;

use std::time::{Duration, Instant};

use credentials_common::*;
use hai_sdk::credentials::{
    CredentialsError, DefaultChain, DefaultChainBuilder, Env, ProvideCredentials, StsConfig,
};

const ENV_CREDS: [(&str, &str); 2] = [
    ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
    ("TENCENTCLOUD_SECRET_KEY", "env-key"),
];

/// A chain confined to `dir` and the given metadata URL.
fn chain(dir: &TempDir, env: Env, metadata_url: &str) -> DefaultChainBuilder {
    DefaultChain::builder()
        .env(env)
        .home_dir(dir.path().join("home"))
        .system_file(dir.path().join("etc/credentials"))
        .metadata_url(metadata_url)
}

#[tokio::test]
async fn nothing_configured_lists_every_provider_quickly() {
    let dir = TempDir::new();
    let chain = chain(
        &dir,
        Env::from_pairs::<_, &str, &str>([]),
        &closed_port_url(),
    )
    .build();
    let started = Instant::now();
    let e = chain.provide_credentials().await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    let CredentialsError::NoneFound(list) = &e else {
        panic!("expected NoneFound, got {e:?}");
    };
    let names: Vec<&str> = list.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        names,
        ["environment", "profile", "cvm_role", "tke_oidc", "tccli"]
    );
    assert!(list.iter().all(|(_, why)| !why.is_empty()));
    let shown = e.to_string();
    for needle in [
        "TENCENTCLOUD_SECRET_ID",
        ".tencentcloud",
        "metadata service unreachable",
        "TKE_ROLE_ARN",
        ".tccli",
    ] {
        assert!(shown.contains(needle), "{needle} missing from: {shown}");
    }
}

#[tokio::test]
async fn silent_metadata_host_with_short_timeouts_still_ends_in_none_found() {
    let dir = TempDir::new();
    let silent = silent_server().await;
    let chain = chain(&dir, Env::from_pairs::<_, &str, &str>([]), &silent.url)
        .metadata_timeouts(Duration::from_millis(200), Duration::from_millis(500))
        .build();
    let started = Instant::now();
    let e = tokio::time::timeout(Duration::from_secs(10), chain.provide_credentials())
        .await
        .expect("chain hung on a silent metadata host")
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert!(
        matches!(e, CredentialsError::NoneFound(ref l) if l.len() == 5),
        "{e:?}"
    );
}

#[tokio::test]
async fn environment_wins_without_touching_the_metadata_service() {
    let dir = TempDir::new();
    dir.write(
        "home/.tencentcloud/credentials",
        "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
    );
    let metadata = Server::start(|_| Reply::status(500, "")).await;
    let chain = chain(&dir, Env::from_pairs(ENV_CREDS), &metadata.url()).build();
    let c = chain.provide_credentials().await.unwrap();
    assert_eq!(
        (c.secret_id(), c.provider_name()),
        ("AKIDenv", "environment")
    );
    assert!(metadata.requests().is_empty());
}

#[tokio::test]
async fn invalid_environment_stops_the_chain() {
    let dir = TempDir::new();
    dir.write(
        "home/.tencentcloud/credentials",
        "[default]\nsecret_id = AKIDfile\nsecret_key = k\n",
    );
    let chain = chain(
        &dir,
        Env::from_pairs([("TENCENTCLOUD_SECRET_ID", "AKIDenv")]),
        &closed_port_url(),
    )
    .build();
    let e = chain.provide_credentials().await.unwrap_err();
    assert!(
        matches!(
            e,
            CredentialsError::Invalid {
                provider: "environment",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn malformed_profile_stops_the_chain() {
    let dir = TempDir::new();
    dir.write(
        "home/.tencentcloud/credentials",
        "[default]\nsecret_id AKIDfile\n",
    );
    let metadata = Server::start(|_| Reply::ok("role")).await;
    let e = chain(&dir, Env::from_pairs::<_, &str, &str>([]), &metadata.url())
        .build()
        .provide_credentials()
        .await
        .unwrap_err();
    match e {
        CredentialsError::Invalid { provider, reason } => {
            assert_eq!(provider, "profile");
            assert!(reason.contains(":2:"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(metadata.requests().is_empty());
}

#[tokio::test]
async fn profile_wins_when_environment_is_empty() {
    let dir = TempDir::new();
    dir.write(
        "etc/credentials",
        "[default]\nsecret_id = AKIDsys\nsecret_key = k\n",
    );
    let chain = chain(
        &dir,
        Env::from_pairs([
            ("TENCENTCLOUD_SECRET_ID", ""),
            ("TENCENTCLOUD_SECRET_KEY", ""),
        ]),
        &closed_port_url(),
    )
    .build();
    let c = chain.provide_credentials().await.unwrap();
    assert_eq!((c.secret_id(), c.provider_name()), ("AKIDsys", "profile"));
}

#[tokio::test]
async fn cvm_role_wins_and_is_remembered() {
    let dir = TempDir::new();
    let clock = ManualClock::new();
    let t0 = clock.unix();
    dir.write("token", "jwt");
    let tke_env = Env::from_pairs([
        ("TKE_REGION", "ap-chengdu".to_owned()),
        ("TKE_PROVIDER_ID", "p".to_owned()),
        (
            "TKE_WEB_IDENTITY_TOKEN_FILE",
            dir.path().join("token").display().to_string(),
        ),
        ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r".to_owned()),
    ]);
    let n = std::sync::atomic::AtomicUsize::new(0);
    let metadata = Server::start(move |req| {
        if req.path == "/cam/security-credentials/" {
            return Reply::ok("node-role");
        }
        match n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Reply::ok(metadata_creds("AKIDnode", "k", "t", t0 + 1000)),
            _ => Reply::status(500, ""),
        }
    })
    .await;
    let sts = Server::start(move |_| Reply::ok(sts_creds("AKIDtke", "k", "t", t0 + 99_999))).await;
    let chain = chain(&dir, tke_env, &metadata.url())
        .sts(StsConfig::default().endpoint(sts.url()))
        .clock(clock.clone())
        .build();
    let c = chain.provide_credentials().await.unwrap();
    assert_eq!((c.secret_id(), c.provider_name()), ("AKIDnode", "cvm_role"));

    // After expiry the metadata service fails: the error is surfaced, and the chain does not
    // silently switch identity to the TKE role.
    clock.advance(Duration::from_secs(1001));
    let e = chain.provide_credentials().await.unwrap_err();
    assert!(
        matches!(
            e,
            CredentialsError::Fetch {
                provider: "cvm_role",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(sts.requests().is_empty());
}

#[tokio::test]
async fn tke_wins_last_and_is_remembered() {
    let dir = TempDir::new();
    let clock = ManualClock::new();
    let t0 = clock.unix();
    dir.write("token", "jwt");
    let tke_env = Env::from_pairs([
        ("TKE_REGION", "ap-chengdu".to_owned()),
        ("TKE_PROVIDER_ID", "p".to_owned()),
        (
            "TKE_WEB_IDENTITY_TOKEN_FILE",
            dir.path().join("token").display().to_string(),
        ),
        ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r".to_owned()),
    ]);
    let metadata = Server::start(|_| Reply::status(404, "")).await;
    let n = std::sync::atomic::AtomicUsize::new(0);
    let sts = Server::start(move |_| {
        let n = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) as u64 + 1;
        Reply::ok(sts_creds(&format!("AKIDtke{n}"), "k", "t", t0 + 1000 * n))
    })
    .await;
    let chain = chain(&dir, tke_env, &metadata.url())
        .sts(StsConfig::default().endpoint(sts.url()))
        .clock(clock.clone())
        .build();
    let c = chain.provide_credentials().await.unwrap();
    assert_eq!((c.secret_id(), c.provider_name()), ("AKIDtke1", "tke_oidc"));
    assert_eq!(metadata.requests().len(), 1);

    clock.advance(Duration::from_secs(1001));
    assert_eq!(
        chain.provide_credentials().await.unwrap().secret_id(),
        "AKIDtke2"
    );
    assert_eq!(metadata.requests().len(), 1, "the winner is remembered");
    assert_eq!(sts.requests().len(), 2);
}

#[test]
fn default_chain_builds_without_io() {
    // Construction reads nothing and contacts nothing; only its Debug is inspected here.
    let chain = DefaultChain::new();
    let shown = format!("{chain:?}");
    assert!(shown.contains("metadata.tencentyun.com"), "{shown}");
}

#[tokio::test]
async fn tccli_credential_file_is_found_last() {
    let dir = TempDir::new();
    let tccli = dir.path().join("home/.tccli");
    std::fs::create_dir_all(&tccli).unwrap();
    std::fs::write(
        tccli.join("work.credential"),
        r#"{"secretId": "AKIDtccli", "secretKey": "tccli-key"}"#,
    )
    .unwrap();
    let creds = chain(
        &dir,
        Env::from_pairs([("TCCLI_PROFILE", "work")]),
        &closed_port_url(),
    )
    .build()
    .provide_credentials()
    .await
    .unwrap();
    assert_eq!(creds.secret_id(), "AKIDtccli");
    assert_eq!(creds.provider_name(), "tccli");
    // The environment comes first.
    let env = Env::from_pairs(ENV_CREDS.into_iter().chain([("TCCLI_PROFILE", "work")]));
    let creds = chain(&dir, env, &closed_port_url())
        .build()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.secret_id(), "AKIDenv");
    // A half-filled file is an error naming it, not a silent skip.
    std::fs::write(
        tccli.join("work.credential"),
        r#"{"secretId": "AKIDtccli"}"#,
    )
    .unwrap();
    let e = chain(
        &dir,
        Env::from_pairs([("TCCLI_PROFILE", "work")]),
        &closed_port_url(),
    )
    .build()
    .provide_credentials()
    .await
    .unwrap_err();
    assert!(
        matches!(
            e,
            CredentialsError::Invalid {
                provider: "tccli",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("work.credential"), "{e}");
}
