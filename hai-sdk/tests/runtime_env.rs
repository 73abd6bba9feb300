//! What the environment configures: `Client::from_env` (credentials through the provider
//! chain, region, the per-service endpoint variable), the proxy transport and the platform
//! trust store (`SSL_CERT_FILE`).
//!
//! A binary of its own because it sets process environment variables; its tests take a
//! lock so that one never reads the environment while another changes it.

#[path = "suite/runtime_support/mod.rs"]
mod runtime_support;

use hai_sdk::error::DispatchErrorKind;
use hai_sdk::{BuildError, Client, Error};
use runtime_support::*;

static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Removes every variable these tests set, whichever test ran before (they run in any order).
fn clear_tencent_env() {
    let names: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("TENCENTCLOUD_") || k.starts_with("TCCLI_"))
        .collect();
    for name in names {
        std::env::remove_var(name);
    }
}

#[tokio::test]
async fn from_env_reads_credentials_region_and_service_endpoint() {
    let _env = ENV.lock().await;
    clear_tencent_env();
    let server = Server::start(vec![Reply::ok(5, "req-env")]).await;
    // Set before any other thread of this binary reads the environment.
    std::env::set_var("TENCENTCLOUD_SECRET_ID", SECRET_ID);
    std::env::set_var("TENCENTCLOUD_SECRET_KEY", SECRET_KEY);
    std::env::set_var("TENCENTCLOUD_TOKEN", TOKEN);
    std::env::set_var("TENCENTCLOUD_REGION", "ap-shanghai");
    std::env::set_var("TENCENTCLOUD_ENDPOINT_URL", "http://127.0.0.1:9");
    std::env::set_var("TENCENTCLOUD_ENDPOINT_URL_HAI", server.url());
    let client = Client::from_env().unwrap();
    // Read once at build time: later changes do not matter.
    std::env::set_var("TENCENTCLOUD_ENDPOINT_URL_HAI", "http://127.0.0.1:9");

    let out = client
        .stop_instance(StopInstanceRequest::new("hai-env"))
        .await
        .unwrap();
    assert_eq!(out.request_id, "req-env");
    let r = &server.requests()[0];
    assert_eq!(r.header("X-TC-Region"), "ap-shanghai");
    assert_eq!(r.header("X-TC-Token"), TOKEN);
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");

    // Credentials come from the provider chain at each call: a half-set environment is a
    // typed credentials error, and nothing is sent.
    std::env::remove_var("TENCENTCLOUD_SECRET_KEY");
    let err = client
        .stop_instance(StopInstanceRequest::new("hai-env"))
        .await
        .unwrap_err();
    assert!(matches!(err, hai_sdk::Error::Credentials(_)), "{err:?}");
    assert!(err.to_string().contains("TENCENTCLOUD_SECRET_KEY"), "{err}");
    assert_eq!(server.count(), 1);
}

/// The dispatch error kind of a call that must fail.
async fn failed_kind(builder: hai_sdk::ClientBuilder) -> DispatchErrorKind {
    let err = builder
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-env"))
        .await
        .unwrap_err();
    match err {
        Error::Dispatch(d) => d.kind(),
        other => panic!("expected a dispatch error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_proxy_transport_and_the_platform_store_trust_what_they_are_told() {
    let _env = ENV.lock().await;
    let server = TlsServer::start(&["127.0.0.1"]).await;
    let call = |b: hai_sdk::ClientBuilder| async move {
        b.build()
            .unwrap()
            .stop_instance(StopInstanceRequest::new("hai-env"))
            .await
    };

    // A proxy variable applies to the direct transport's connector; NO_PROXY keeps
    // loopback off the proxy (nothing listens on port 9).
    std::env::set_var("HTTPS_PROXY", "http://127.0.0.1:9");
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let out = call(tls_builder(&server).add_root_certificate(&server.pem))
        .await
        .expect("NO_PROXY bypasses the proxy");
    assert_eq!(out.request_id, "req-tls");
    assert_eq!(
        failed_kind(tls_builder(&server)).await,
        DispatchErrorKind::Tls
    );
    std::env::remove_var("NO_PROXY");
    let err = call(tls_builder(&server).add_root_certificate(&server.pem))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "cannot reach proxy http://127.0.0.1:9: tcp connect error: Connection refused"
        ),
        "{text}"
    );
    assert!(!err.may_have_reached_server(), "{err:?}");
    std::env::remove_var("HTTPS_PROXY");

    // SSL_CERT_FILE is the platform store when the client is told to use it, and only then
    // (SSL_CERT_DIR, which machines often set too, would add the system's roots).
    std::env::remove_var("SSL_CERT_DIR");
    let dir = std::env::temp_dir().join(format!("hai-sdk-env-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("roots.pem");
    std::fs::write(&file, &server.pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &file);
    call(tls_builder(&server).use_platform_roots())
        .await
        .expect("the platform store holds the server's certificate");
    assert_eq!(
        failed_kind(tls_builder(&server)).await,
        DispatchErrorKind::Tls
    );

    // A store without a usable certificate fails the build, typed.
    std::fs::write(&file, "no certificates here").unwrap();
    match tls_builder(&server).use_platform_roots().build() {
        Err(BuildError::Tls(why)) => assert!(why.contains("platform trust store"), "{why}"),
        other => panic!("expected BuildError::Tls, got {other:?}"),
    }
    std::env::remove_var("SSL_CERT_FILE");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn from_env_takes_region_and_endpoint_from_tccli_configure() {
    let _env = ENV.lock().await;
    let server = Server::start(vec![Reply::ok(6, "req-tccli")]).await;
    let home = std::env::temp_dir().join(format!("hai-sdk-env-home-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    std::fs::write(
        home.join(".tccli/default.credential"),
        format!(r#"{{"secretId": "{SECRET_ID}", "secretKey": "{SECRET_KEY}"}}"#),
    )
    .unwrap();
    std::fs::write(
        home.join(".tccli/default.configure"),
        format!(
            r#"{{"_sys_param": {{"region": "ap-chengdu", "output": "json"}},
                "hai": {{"endpoint": "{}", "version": "2023-08-12"}}}}"#,
            server.url()
        ),
    )
    .unwrap();
    clear_tencent_env();
    let old_home = std::env::var_os("HOME");
    std::env::set_var("HOME", &home);
    // The credential chain reads HOME at the first call, so it stays set until then.
    let client = Client::from_env().unwrap();
    assert_eq!(client.region(), Some("ap-chengdu"));
    let out = client
        .stop_instance(StopInstanceRequest::new("hai-tccli"))
        .await;
    match old_home {
        Some(h) => std::env::set_var("HOME", h),
        None => std::env::remove_var("HOME"),
    }
    let out = out.unwrap();
    assert_eq!(out.request_id, "req-tccli");
    let r = &server.requests()[0];
    assert_eq!(r.header("X-TC-Region"), "ap-chengdu");
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn endpoint_variables_come_before_the_computed_host_and_the_root_domain() {
    let _env = ENV.lock().await;
    clear_tencent_env();
    let generic = Server::start(vec![Reply::ok(1, "req-generic")]).await;
    let service = Server::start(vec![Reply::ok(2, "req-service")]).await;
    let call = |label: &'static str| async move {
        Client::builder()
            .region("ap-shanghai-fsi")
            .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
            .regional_endpoint(true)
            .root_domain(hai_sdk::INTL_ROOT_DOMAIN)
            .rate_limit(false)
            .build()
            .unwrap_or_else(|e| panic!("{label}: {e}"))
            .stop_instance(StopInstanceRequest::new("hai-env"))
            .await
            .unwrap()
            .request_id
    };
    // The generic variable replaces every computed host: the financial region on the
    // international root is not placed, so it is no build error.
    std::env::set_var("TENCENTCLOUD_ENDPOINT_URL", generic.url());
    assert_eq!(call("generic").await, "req-generic");
    // The service's own variable (any case) comes first.
    std::env::set_var("TENCENTCLOUD_ENDPOINT_URL_hai", service.url());
    assert_eq!(call("service").await, "req-service");
    std::env::remove_var("TENCENTCLOUD_ENDPOINT_URL_hai");
    std::env::remove_var("TENCENTCLOUD_ENDPOINT_URL");
    for (server, expected) in [(&generic, 1), (&service, 1)] {
        let requests = server.requests();
        assert_eq!(requests.len(), expected);
        assert_eq!(requests[0].header("Host"), server.host());
        assert_eq!(requests[0].header("X-TC-Region"), "ap-shanghai-fsi");
        verify_signature(&requests[0], SECRET_ID, SECRET_KEY, "hai");
    }
}
