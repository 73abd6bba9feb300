//! The endpoint rule, form by form, as the network sees it: computed HTTPS hosts (default,
//! regional, financial, international and custom roots) reach a loopback TLS server through
//! a fake proxy that records each `CONNECT` target and tunnels it, and the server records
//! the `Host` header, whose signature is checked; the builder's URL reaches a loopback
//! server directly. (The environment's forms are in `runtime_env.rs`: they change it.)

use std::net::SocketAddr;

use hai_sdk::{BuildError, Client, ClientBuilder, RetryPolicy, INTL_ROOT_DOMAIN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::runtime_support::*;

/// Reads one request head (up to its blank line).
async fn head(tcp: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 16 * 1024 {
        if tcp.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A proxy that records the target of every `CONNECT` and tunnels it to `upstream`
/// whatever the target, so that a computed host reaches a loopback server.
async fn tunnelling_proxy(
    upstream: SocketAddr,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let h = head(&mut client).await;
            let target = h
                .strip_prefix("CONNECT ")
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or("")
                .to_owned();
            let _ = tx.send(target);
            let Ok(mut upstream) = TcpStream::connect(upstream).await else {
                continue;
            };
            if client
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await
                .is_err()
            {
                continue;
            }
            tokio::spawn(async move {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (url, rx)
}

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
    let (proxy, mut connects) = tunnelling_proxy(server.addr).await;
    let out = builder
        .proxy(proxy)
        .add_root_certificate(&server.pem)
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-endpoint"))
        .await
        .unwrap_or_else(|e| panic!("{expected}: {e}"));
    assert_eq!(out.request_id, "req-tls");
    assert_eq!(connects.recv().await.unwrap(), format!("{expected}:443"));
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
