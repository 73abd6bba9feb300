//! Secrets never appear in `Debug`, `Display`, errors or tracing output (the official SDKs log
//! `Authorization` and `X-TC-Token` at debug level).

use crate::credentials_common;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use credentials_common::*;
use hai_sdk::credentials::{
    AssumeRoleProvider, CachingProvider, Credentials, CredentialsError, CvmRoleProvider,
    DefaultChain, Env, EnvironmentProvider, ProfileProvider, ProvideCredentials, StsConfig,
    TkeOidcProvider,
};

const SECRETS: [&str; 8] = [
    "ENV-SECRET-KEY",
    "ENV-SESSION-TOKEN",
    "FILE-SECRET-KEY",
    "FILE-TOKEN",
    "META-SECRET-KEY",
    "META-TOKEN",
    "STS-SECRET-KEY",
    "STS-TOKEN",
];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s}: {text}");
    }
    assert!(
        !text.contains("Signature="),
        "{what} leaks a signature: {text}"
    );
    assert!(
        !text.contains("WEB-IDENTITY-JWT"),
        "{what} leaks the OIDC token: {text}"
    );
}

fn assert_debug_clean(what: &str, v: &impl Debug) {
    assert_clean(what, &format!("{v:?}"));
    assert_clean(what, &format!("{v:#?}"));
}

/// Records every span field and event of the current thread, at every level.
struct Capture(Arc<Mutex<String>>);

struct Visitor<'a>(&'a Mutex<String>);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn Debug) {
        let mut s = self.0.lock().unwrap();
        s.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut Visitor(&self.0));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Visitor(&self.0));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        self.0.lock().unwrap().push_str(&format!(
            "\n{} {}: ",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut Visitor(&self.0));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn credentials_debug_redacts() {
    let c = Credentials::from_parts(
        "AKIDvisible",
        "STS-SECRET-KEY",
        Some("STS-TOKEN".into()),
        None,
        "test",
    );
    let shown = format!("{c:?}");
    assert!(shown.contains("AKIDvisible"));
    assert_clean("Credentials", &shown);
}

#[tokio::test]
async fn every_provider_and_error_redacts_and_tracing_stays_clean() {
    let log = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture(log.clone()));

    let dir = TempDir::new();
    let clock = ManualClock::new();
    let t0 = clock.unix();

    // Environment, with the secrets in the injected map.
    let env = Env::from_pairs([
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "ENV-SECRET-KEY"),
        ("TENCENTCLOUD_SESSION_TOKEN", "ENV-SESSION-TOKEN"),
    ]);
    assert_debug_clean("Env", &env);
    let envp = EnvironmentProvider::with_env(env.clone());
    envp.provide_credentials().await.unwrap();
    assert_debug_clean("EnvironmentProvider", &envp);
    let caching = CachingProvider::new(envp).clock(clock.clone());
    caching.provide_credentials().await.unwrap();
    assert_debug_clean("CachingProvider", &caching);

    // Profile with a role: file keys sign AssumeRole, STS returns role credentials.
    let sts = Server::start(move |_| {
        Reply::ok(sts_creds(
            "AKIDsts",
            "STS-SECRET-KEY",
            "STS-TOKEN",
            t0 + 7200,
        ))
    })
    .await;
    let f = dir.write(
        "c",
        "[default]\nsecret_id = AKIDfile\nsecret_key = FILE-SECRET-KEY\ntoken = FILE-TOKEN\n\
         role_arn = qcs::cam::uin/1:roleName/r\n",
    );
    let profile = ProfileProvider::builder()
        .env(Env::from_pairs([(
            "TENCENTCLOUD_CREDENTIALS_FILE",
            f.display().to_string(),
        )]))
        .home_dir(dir.path())
        .system_file(dir.path().join("none"))
        .sts(StsConfig::default().endpoint(sts.url()))
        .clock(clock.clone())
        .build();
    profile.provide_credentials().await.unwrap();
    assert_debug_clean("ProfileProvider", &profile);
    // The AssumeRole request did carry the secrets' derivatives: the test is not vacuous.
    assert_eq!(sts.requests()[0].header("X-TC-Token"), Some("FILE-TOKEN"));
    assert!(sts.requests()[0]
        .header("Authorization")
        .unwrap()
        .contains("Signature="));

    // AssumeRole wrapping static credentials.
    let assume = AssumeRoleProvider::builder("qcs::cam::uin/1:roleName/r")
        .sts(StsConfig::default().endpoint(sts.url()))
        .clock(clock.clone())
        .build(Credentials::new(
            "AKIDsrc",
            "FILE-SECRET-KEY",
            Some("FILE-TOKEN".into()),
        ));
    assume.provide_credentials().await.unwrap();
    assert_debug_clean("AssumeRoleProvider", &assume);

    // CVM role, then a failing refresh that logs a warning.
    let n = std::sync::atomic::AtomicUsize::new(0);
    let metadata = Server::start(move |req| {
        if req.path.ends_with('/') {
            return Reply::ok("r");
        }
        match n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Reply::ok(metadata_creds(
                "AKIDmeta",
                "META-SECRET-KEY",
                "META-TOKEN",
                t0 + 1000,
            )),
            _ => Reply::ok(
                r#"{"Code":"Expired","TmpSecretKey":"META-SECRET-KEY","Token":"META-TOKEN"}"#,
            ),
        }
    })
    .await;
    let cvm = CvmRoleProvider::builder()
        .metadata_url(metadata.url())
        .clock(clock.clone())
        .build();
    cvm.provide_credentials().await.unwrap();
    assert_debug_clean("CvmRoleProvider", &cvm);
    clock.advance(Duration::from_secs(800));
    cvm.provide_credentials().await.unwrap(); // refresh fails, old creds kept, warning logged
    clock.advance(Duration::from_secs(201));
    let e = cvm.provide_credentials().await.unwrap_err();
    assert!(matches!(e, CredentialsError::MetadataRejected { .. }));
    assert_debug_clean("MetadataRejected", &e);
    assert_clean("MetadataRejected", &e.to_string());

    // TKE.
    dir.write("jwt", "WEB-IDENTITY-JWT");
    let tke = TkeOidcProvider::builder()
        .env(Env::from_pairs([
            ("TKE_REGION", "ap-chengdu".to_owned()),
            ("TKE_PROVIDER_ID", "p".to_owned()),
            (
                "TKE_WEB_IDENTITY_TOKEN_FILE",
                dir.path().join("jwt").display().to_string(),
            ),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/r".to_owned()),
        ]))
        .sts(StsConfig::default().endpoint(sts.url()))
        .clock(clock.clone())
        .build();
    tke.provide_credentials().await.unwrap();
    assert_debug_clean("TkeOidcProvider", &tke);

    // The chain, after it found the environment credentials.
    let chain = DefaultChain::builder()
        .env(env)
        .home_dir(dir.path())
        .system_file(dir.path().join("none"))
        .metadata_url(closed_port_url())
        .clock(clock.clone())
        .build();
    assert_debug_clean("Credentials", &chain.provide_credentials().await.unwrap());
    assert_debug_clean("DefaultChain", &chain);

    // Errors built from secret-bearing configuration.
    let half = EnvironmentProvider::with_env(Env::from_pairs([(
        "TENCENTCLOUD_SECRET_KEY",
        "ENV-SECRET-KEY",
    )]))
    .provide_credentials()
    .await
    .unwrap_err();
    let bad_line = dir.write("bad", "[default]\nsecret_key FILE-SECRET-KEY\n");
    let malformed = ProfileProvider::builder()
        .env(Env::from_pairs([(
            "TENCENTCLOUD_CREDENTIALS_FILE",
            bad_line.display().to_string(),
        )]))
        .build()
        .provide_credentials()
        .await
        .unwrap_err();
    let sts_err_server =
        Server::start(|_| Reply::ok(sts_error("AuthFailure", "denied", "rid"))).await;
    let sts_err = AssumeRoleProvider::builder("r")
        .sts(StsConfig::default().endpoint(sts_err_server.url()))
        .build(Credentials::new(
            "AKID",
            "STS-SECRET-KEY",
            Some("STS-TOKEN".into()),
        ))
        .provide_credentials()
        .await
        .unwrap_err();
    for e in [half, malformed, sts_err] {
        assert_debug_clean("error", &e);
        assert_clean("error", &e.to_string());
    }

    let captured = log.lock().unwrap().clone();
    assert!(
        captured.contains("refreshing credentials"),
        "no events captured: {captured}"
    );
    assert!(
        captured.contains("WARN"),
        "the failed refresh must warn: {captured}"
    );
    assert!(captured.contains("calling STS"), "{captured}");
    assert_clean("tracing output", &captured);
}
