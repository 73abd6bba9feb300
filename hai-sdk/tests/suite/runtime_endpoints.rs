//! The endpoint rule, form by form, as the network sees it: computed HTTPS hosts (default,
//! regional, financial, international and custom roots) reach a loopback TLS server through
//! a fake proxy that records each `CONNECT` target and tunnels it, and the server records
//! the `Host` header, whose signature is checked; the builder's URL reaches a loopback
//! server directly. (The environment's forms are in `runtime_env.rs`: they change it.)

use hai_sdk::{BuildError, Client, ClientBuilder, RetryPolicy, INTL_ROOT_DOMAIN};

use crate::runtime_support::*;

fn base(region: &str) -> ClientBuilder {
    Client::builder()
        .region(region)
        .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint_from_env(false)
        .rate_limit(false)
        .retry_policy(RetryPolicy::new().with_max_attempts(1))
}

/// Calls StopInstance with `builder` through a tunnelling proxy to a TLS server whose
/// certificate is for `expected`, and checks that the proxy was asked for `expected:443`
/// and that the server received (and the signature covers) `Host: expected`.
async fn reaches(builder: ClientBuilder, expected: &str) {
    let server = TlsServer::start(&[expected]).await;
    let proxy = TunnelProxy::start(server.addr).await;
    let out = builder
        .proxy(proxy.url())
        .add_root_certificate(&server.pem)
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-endpoint"))
        .await
        .unwrap_or_else(|e| panic!("{expected}: {e}"));
    assert_eq!(out.request_id, "req-tls");
    assert_eq!(proxy.connects(), [format!("{expected}:443")]);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("Host"), expected);
    verify_signature(&requests[0], SECRET_ID, SECRET_KEY, "hai");
}

#[tokio::test]
async fn the_default_host_is_the_services_nearby_host() {
    reaches(base(REGION), "hai.tencentcloudapi.com").await;
}

#[tokio::test]
async fn a_regional_endpoint_puts_the_region_in_the_host() {
    reaches(
        base("ap-guangzhou").regional_endpoint(true),
        "hai.ap-guangzhou.tencentcloudapi.com",
    )
    .await;
}

#[tokio::test]
async fn a_financial_region_always_gets_its_regional_host() {
    reaches(
        base("ap-shanghai-fsi"),
        "hai.ap-shanghai-fsi.tencentcloudapi.com",
    )
    .await;
}

#[tokio::test]
async fn the_international_root_and_its_regional_hosts() {
    reaches(
        base(REGION).root_domain(INTL_ROOT_DOMAIN),
        "hai.intl.tencentcloudapi.com",
    )
    .await;
    // Tencent lists international regional hosts under tencentcloudapi.com.
    reaches(
        base("ap-singapore")
            .root_domain(INTL_ROOT_DOMAIN)
            .regional_endpoint(true),
        "hai.ap-singapore.tencentcloudapi.com",
    )
    .await;
}

#[tokio::test]
async fn a_custom_root_domain_serves_nearby_and_regional_hosts() {
    reaches(
        base(REGION).root_domain("cloud.example.test"),
        "hai.cloud.example.test",
    )
    .await;
    reaches(
        base(REGION)
            .root_domain("cloud.example.test")
            .regional_endpoint(true),
        "hai.ap-guangzhou.cloud.example.test",
    )
    .await;
}

#[tokio::test]
async fn an_explicit_url_wins_over_the_computed_host() {
    let server = Server::start(vec![Reply::ok(1, "req-explicit")]).await;
    let out = base("ap-shanghai-fsi")
        .root_domain(INTL_ROOT_DOMAIN)
        .regional_endpoint(true)
        .endpoint(server.url())
        .build()
        .expect("an explicit URL places no region")
        .stop_instance(StopInstanceRequest::new("hai-endpoint"))
        .await
        .unwrap();
    assert_eq!(out.request_id, "req-explicit");
    let r = &server.requests()[0];
    assert_eq!(r.header("Host"), server.host());
    assert_eq!(r.header("X-TC-Region"), "ap-shanghai-fsi");
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
}

#[test]
fn a_region_the_rule_cannot_place_is_a_build_error() {
    let err = base("ap_guangzhou")
        .regional_endpoint(true)
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::UnplaceableRegion(_)), "{err:?}");
    assert!(err.to_string().contains("not a region name"), "{err}");
    let err = base("ap-shenzhen-fsi")
        .root_domain(INTL_ROOT_DOMAIN)
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::UnplaceableRegion(_)), "{err:?}");
    assert!(err.to_string().contains("financial region"), "{err}");
    let err = base(REGION)
        .root_domain("https://x.example")
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InvalidRootDomain(_)), "{err:?}");
}
