//! `Client::from_env`: credentials (through the provider chain), region and the per-service
//! endpoint variable.
//!
//! The only test in its binary, because it sets process environment variables.

#[path = "suite/runtime_support/mod.rs"]
mod runtime_support;

use hai_sdk::Client;
use runtime_support::*;

#[tokio::test]
async fn from_env_reads_credentials_region_and_service_endpoint() {
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
