//! STS-based providers against a loopback STS: request shapes, the AssumeRole signature
//! recomputed here with the signer, unsigned web identity, expiry, error envelopes.

use crate::credentials_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use credentials_common::*;
use hai_sdk::credentials::{
    AssumeRoleProvider, Credentials, CredentialsError, Env, ProvideCredentials, StsConfig,
    TkeOidcProvider,
};
use hai_sdk::signer::{sign, Payload, SigningInput};

const ROLE: &str = "qcs::cam::uin/100000000001:roleName/hai-ops";

/// An STS whose n-th answer (from 1) is `reply(n)`.
async fn sts(reply: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Server {
    let n = AtomicUsize::new(0);
    Server::start(move |_| reply(n.fetch_add(1, Ordering::SeqCst) + 1)).await
}

fn sts_config(server: &Server) -> StsConfig {
    StsConfig::default()
        .endpoint(server.url())
        .region("ap-shanghai")
}

/// Recomputes the TC3 signature of a recorded request with `secret_key` and checks it.
fn assert_signed_with(req: &Request, secret_id: &str, secret_key: &str, host: &str) {
    let timestamp: u64 = req.header("X-TC-Timestamp").unwrap().parse().unwrap();
    let expected = sign(&SigningInput {
        secret_id,
        secret_key,
        service: "sts",
        host,
        content_type: req.header("Content-Type").unwrap(),
        method: "POST",
        query: "",
        payload: Payload::Bytes(&req.body),
        timestamp,
    });
    assert_eq!(
        req.header("Authorization"),
        Some(expected.authorization.as_str())
    );
    assert_eq!(req.header("Host"), Some(host));
}

#[tokio::test]
async fn assume_role_is_signed_with_the_wrapped_key() {
    let clock = ManualClock::new();
    let exp = clock.unix() + 7200;
    let server =
        sts(move |_| Reply::ok(sts_creds("AKIDrole", "role-key", "role-token", exp))).await;
    let source = Credentials::new("AKIDsource", "source-key", Some("source-token".into()));
    let p = AssumeRoleProvider::builder(ROLE)
        .session_name("audit-me")
        .sts(sts_config(&server))
        .clock(clock.clone())
        .build(source);

    let c = p.provide_credentials().await.unwrap();
    assert_eq!(
        (c.secret_id(), c.secret_key(), c.token()),
        ("AKIDrole", "role-key", Some("role-token"))
    );
    assert_eq!(c.expiry(), Some(UNIX_EPOCH + Duration::from_secs(exp)));
    assert_eq!(c.provider_name(), "assume_role");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/"));
    assert_eq!(req.header("X-TC-Action"), Some("AssumeRole"));
    assert_eq!(req.header("X-TC-Version"), Some("2018-08-13"));
    assert_eq!(req.header("X-TC-Region"), Some("ap-shanghai"));
    assert_eq!(
        req.header("X-TC-Timestamp"),
        Some(clock.unix().to_string().as_str())
    );
    assert_eq!(req.header("X-TC-Token"), Some("source-token"));
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    assert_eq!(
        req.json(),
        serde_json::json!({"RoleArn": ROLE, "RoleSessionName": "audit-me", "DurationSeconds": 7200})
    );
    assert_signed_with(req, "AKIDsource", "source-key", &server.host());

    // A signature made with any other key does not match.
    let wrong = sign(&SigningInput {
        secret_id: "AKIDsource",
        secret_key: "other-key",
        service: "sts",
        host: &server.host(),
        content_type: "application/json",
        method: "POST",
        query: "",
        payload: Payload::Bytes(&req.body),
        timestamp: clock.unix(),
    });
    assert_ne!(
        req.header("Authorization"),
        Some(wrong.authorization.as_str())
    );
}

#[tokio::test]
async fn assume_role_without_token_sends_no_token_header_and_duration_is_configurable() {
    let clock = ManualClock::new();
    let exp = clock.unix() + 900;
    let server = sts(move |_| Reply::ok(sts_creds("AKIDrole", "k", "t", exp))).await;
    let p = AssumeRoleProvider::builder(ROLE)
        .duration(Duration::from_secs(900))
        .sts(sts_config(&server))
        .clock(clock.clone())
        .build(Credentials::new("AKIDlong", "long-key", None));
    p.provide_credentials().await.unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.header("X-TC-Token"), None);
    assert_eq!(req.json()["DurationSeconds"], 900);
    assert_eq!(req.json()["RoleSessionName"], "tencentcloud-sdk-rust");
    assert_signed_with(req, "AKIDlong", "long-key", &server.host());
}

#[tokio::test]
async fn assume_role_credentials_cached_and_refreshed_before_expiry() {
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = sts(move |n| {
        Reply::ok(sts_creds(
            &format!("AKID{n}"),
            "k",
            "t",
            t0 + 7200 * n as u64,
        ))
    })
    .await;
    let p = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .clock(clock.clone())
        .build(Credentials::new("AKIDsrc", "src-key", None));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    clock.advance(Duration::from_secs(7200 - 301));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    assert_eq!(server.requests().len(), 1);
    clock.advance(Duration::from_secs(2));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID2");
    assert_eq!(server.requests().len(), 2);
    // The refresh is re-signed at the new time.
    let req = &server.requests()[1];
    assert_eq!(
        req.header("X-TC-Timestamp"),
        Some(clock.unix().to_string().as_str())
    );
    assert_signed_with(req, "AKIDsrc", "src-key", &server.host());
}

#[tokio::test]
async fn already_expired_answer_is_an_error() {
    let clock = ManualClock::new();
    let past = clock.unix() - 1;
    let server = sts(move |_| Reply::ok(sts_creds("AKID", "k", "t", past))).await;
    let e = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .clock(clock.clone())
        .build(Credentials::new("AKIDsrc", "src-key", None))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(matches!(e, CredentialsError::Fetch { .. }), "{e:?}");
}

#[tokio::test]
async fn sts_error_envelope_surfaces_code_and_request_id() {
    let server = sts(|_| {
        Reply::status(
            400,
            sts_error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated.",
                "6d1e0c2a-1111-2222-3333-444455556666",
            ),
        )
    })
    .await;
    let e = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .clock(ManualClock::new())
        .build(Credentials::new("AKIDsrc", "src-key", None))
        .provide_credentials()
        .await
        .unwrap_err();
    match &e {
        CredentialsError::Sts {
            provider,
            code,
            message,
            request_id,
        } => {
            assert_eq!(*provider, "assume_role");
            assert_eq!(code, "AuthFailure.SignatureFailure");
            assert!(message.contains("could not be validated"));
            assert_eq!(request_id, "6d1e0c2a-1111-2222-3333-444455556666");
        }
        other => panic!("{other:?}"),
    }
    let shown = e.to_string();
    assert!(shown.contains("AuthFailure.SignatureFailure"), "{shown}");
    assert!(
        shown.contains("6d1e0c2a-1111-2222-3333-444455556666"),
        "{shown}"
    );
    assert!(!shown.contains("src-key"));
}

#[tokio::test]
async fn sts_error_envelope_with_http_200_is_still_an_error() {
    let server =
        sts(|_| Reply::ok(sts_error("InvalidParameter.RoleArn", "bad arn", "rid-200"))).await;
    let e = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .build(Credentials::new("AKIDsrc", "src-key", None))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CredentialsError::Sts { code, request_id, .. } if code == "InvalidParameter.RoleArn" && request_id == "rid-200"),
        "{e:?}"
    );
}

#[tokio::test]
async fn non_envelope_answer_is_a_fetch_error_with_the_status() {
    let server = sts(|_| Reply::status(502, "<html>bad gateway</html>")).await;
    let e = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .build(Credentials::new("AKIDsrc", "src-key", None))
        .provide_credentials()
        .await
        .unwrap_err();
    match e {
        CredentialsError::Fetch { reason, .. } => assert!(reason.contains("502"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn source_errors_propagate() {
    let server = sts(|_| Reply::ok("")).await;
    let src = hai_sdk::credentials::EnvironmentProvider::with_env(Env::from_pairs([(
        "TENCENTCLOUD_SECRET_ID",
        "AKIDhalf",
    )]));
    let e = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .build(src)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(matches!(e, CredentialsError::Invalid { .. }), "{e:?}");
    assert!(server.requests().is_empty());
}

fn tke_env(dir: &TempDir) -> Env {
    let token_file = dir.path().join("token");
    Env::from_pairs([
        ("TKE_REGION", "ap-chengdu".to_owned()),
        ("TKE_PROVIDER_ID", "oidc-provider-1".to_owned()),
        (
            "TKE_WEB_IDENTITY_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        ("TKE_ROLE_ARN", ROLE.to_owned()),
    ])
}

#[tokio::test]
async fn web_identity_is_unsigned_and_rereads_the_token_file() {
    let dir = TempDir::new();
    dir.write("token", "jwt-one\n");
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = sts(move |n| {
        Reply::ok(sts_creds(
            &format!("AKIDtke{n}"),
            "tke-key",
            "tke-token",
            t0 + 3600 * n as u64,
        ))
    })
    .await;
    let p = TkeOidcProvider::builder()
        .env(tke_env(&dir))
        .sts(StsConfig::default().endpoint(server.url()))
        .clock(clock.clone())
        .build();

    let c = p.provide_credentials().await.unwrap();
    assert_eq!((c.secret_id(), c.provider_name()), ("AKIDtke1", "tke_oidc"));
    assert_eq!(
        c.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(t0 + 3600))
    );
    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.header("Authorization"), Some("SKIP"));
    assert_eq!(req.header("X-TC-Token"), None);
    assert_eq!(req.header("X-TC-Action"), Some("AssumeRoleWithWebIdentity"));
    assert_eq!(req.header("X-TC-Version"), Some("2018-08-13"));
    assert_eq!(req.header("X-TC-Region"), Some("ap-chengdu"));
    assert!(req.header("X-TC-Timestamp").is_some());
    let body = req.json();
    assert_eq!(body["ProviderId"], "oidc-provider-1");
    assert_eq!(body["WebIdentityToken"], "jwt-one");
    assert_eq!(body["RoleArn"], ROLE);
    assert_eq!(body["DurationSeconds"], 7200);
    let session = body["RoleSessionName"].as_str().unwrap();
    assert!(session.starts_with("tencentcloud-sdk-rust-"), "{session}");

    // The kubelet rotates the token; the next refresh must send the new one.
    dir.write("token", "jwt-two");
    clock.advance(Duration::from_secs(3600 - 299));
    assert_eq!(
        p.provide_credentials().await.unwrap().secret_id(),
        "AKIDtke2"
    );
    assert_eq!(server.requests()[1].json()["WebIdentityToken"], "jwt-two");
}

#[tokio::test]
async fn web_identity_not_configured_names_missing_variables() {
    let e = TkeOidcProvider::builder()
        .env(Env::from_pairs([("TKE_REGION", "ap-chengdu")]))
        .build()
        .provide_credentials()
        .await
        .unwrap_err();
    match e {
        CredentialsError::NotConfigured { provider, reason } => {
            assert_eq!(provider, "tke_oidc");
            for v in [
                "TKE_PROVIDER_ID",
                "TKE_WEB_IDENTITY_TOKEN_FILE",
                "TKE_ROLE_ARN",
            ] {
                assert!(reason.contains(v), "{reason}");
            }
            assert!(!reason.contains("TKE_REGION"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn web_identity_unreadable_token_file_is_invalid() {
    let dir = TempDir::new(); // no token file written
    let server = sts(|_| Reply::ok("")).await;
    let e = TkeOidcProvider::builder()
        .env(tke_env(&dir))
        .sts(StsConfig::default().endpoint(server.url()))
        .build()
        .provide_credentials()
        .await
        .unwrap_err();
    match e {
        CredentialsError::Invalid { reason, .. } => assert!(reason.contains("token"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn web_identity_sts_error_surfaces_code_and_request_id() {
    let dir = TempDir::new();
    dir.write("token", "jwt");
    let server = sts(|_| {
        Reply::ok(sts_error(
            "InvalidParameter.WebIdentityTokenError",
            "expired",
            "rid-tke",
        ))
    })
    .await;
    let e = TkeOidcProvider::builder()
        .env(tke_env(&dir))
        .sts(StsConfig::default().endpoint(server.url()))
        .build()
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CredentialsError::Sts { provider: "tke_oidc", code, request_id, .. }
            if code == "InvalidParameter.WebIdentityTokenError" && request_id == "rid-tke"),
        "{e:?}"
    );
    assert!(!e.to_string().contains("jwt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_assume_role_calls_across_expiry_refresh_once() {
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = sts(move |n| {
        Reply::ok(sts_creds(
            &format!("AKID{n}"),
            "k",
            "t",
            t0 + 7200 * n as u64,
        ))
        .delayed(Duration::from_millis(200))
    })
    .await;
    let p = Arc::new(
        AssumeRoleProvider::builder(ROLE)
            .sts(sts_config(&server))
            .clock(clock.clone())
            .build(Credentials::new("AKIDsrc", "src-key", None)),
    );
    p.provide_credentials().await.unwrap();
    clock.advance(Duration::from_secs(7201));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.provide_credentials().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().secret_id(), "AKID2");
    }
    assert_eq!(server.requests().len(), 2, "exactly one refresh");
}

/// STS goes through the SDK's one execute path: a throttled AssumeRole is retried like any
/// action, with a fresh signature.
#[tokio::test]
async fn throttled_assume_role_is_retried_through_the_execute_path() {
    let clock = ManualClock::new();
    let exp = clock.unix() + 7200;
    let server = sts(move |n| {
        if n == 1 {
            Reply::ok(sts_error(
                "RequestLimitExceeded",
                "slow down",
                "r-throttled",
            ))
        } else {
            Reply::ok(sts_creds("AKIDrole", "role-key", "role-token", exp))
        }
    })
    .await;
    let c = AssumeRoleProvider::builder(ROLE)
        .sts(sts_config(&server))
        .clock(clock.clone())
        .build(Credentials::new("AKIDsrc", "src-key", None))
        .provide_credentials()
        .await
        .expect("the second attempt succeeds");
    assert_eq!(c.secret_id(), "AKIDrole");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    for req in &reqs {
        assert_signed_with(req, "AKIDsrc", "src-key", &server.host());
        assert!(req.header("X-TC-RequestClient").is_some());
    }
}
