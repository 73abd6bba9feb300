//! Environment provider: the variables of the official SDKs, empty = unset, half set = error.

use hai_sdk::credentials::{CredentialsError, Env, EnvironmentProvider, ProvideCredentials};

async fn provide(pairs: &[(&str, &str)]) -> hai_sdk::credentials::Result {
    let env = Env::from_pairs(pairs.iter().copied());
    EnvironmentProvider::with_env(env)
        .provide_credentials()
        .await
}

#[tokio::test]
async fn id_key_and_token() {
    let c = provide(&[
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "env-key"),
        ("TENCENTCLOUD_TOKEN", "old-style-token"),
    ])
    .await
    .unwrap();
    assert_eq!(c.secret_id(), "AKIDenv");
    assert_eq!(c.secret_key(), "env-key");
    assert_eq!(c.token(), Some("old-style-token"));
    assert_eq!(c.expiry(), None);
    assert_eq!(c.provider_name(), "environment");
}

#[tokio::test]
async fn session_token_wins_over_token() {
    let c = provide(&[
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "env-key"),
        ("TENCENTCLOUD_SESSION_TOKEN", "session"),
        ("TENCENTCLOUD_TOKEN", "old-style-token"),
    ])
    .await
    .unwrap();
    assert_eq!(c.token(), Some("session"));
}

#[tokio::test]
async fn empty_values_count_as_unset() {
    let c = provide(&[
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
        ("TENCENTCLOUD_SECRET_KEY", "env-key"),
        ("TENCENTCLOUD_SESSION_TOKEN", ""),
        ("TENCENTCLOUD_TOKEN", "fallback"),
    ])
    .await
    .unwrap();
    assert_eq!(c.token(), Some("fallback"));

    let e = provide(&[
        ("TENCENTCLOUD_SECRET_ID", ""),
        ("TENCENTCLOUD_SECRET_KEY", ""),
    ])
    .await
    .unwrap_err();
    assert!(
        matches!(
            e,
            CredentialsError::NotConfigured {
                provider: "environment",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn half_set_is_invalid_not_skipped() {
    let e = provide(&[("TENCENTCLOUD_SECRET_ID", "AKIDenv")])
        .await
        .unwrap_err();
    match &e {
        CredentialsError::Invalid { provider, reason } => {
            assert_eq!(*provider, "environment");
            assert!(reason.contains("TENCENTCLOUD_SECRET_KEY"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    let e = provide(&[
        ("TENCENTCLOUD_SECRET_ID", ""),
        ("TENCENTCLOUD_SECRET_KEY", "lonely-key"),
    ])
    .await
    .unwrap_err();
    match &e {
        CredentialsError::Invalid { reason, .. } => {
            assert!(reason.contains("TENCENTCLOUD_SECRET_ID"), "{reason}");
            assert!(!e.to_string().contains("lonely-key"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn nothing_set_is_not_configured() {
    let e = provide(&[]).await.unwrap_err();
    assert!(matches!(e, CredentialsError::NotConfigured { .. }), "{e:?}");
}

#[test]
fn injected_env_reads_only_its_map() {
    let env = Env::from_pairs([("A", "1"), ("EMPTY", "")]);
    assert_eq!(env.get("A").as_deref(), Some("1"));
    assert_eq!(env.get("EMPTY"), None);
    assert_eq!(
        env.get("PATH"),
        None,
        "must not fall back to the process environment"
    );
}
