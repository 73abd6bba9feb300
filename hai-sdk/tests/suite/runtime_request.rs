//! What goes on the wire: headers, exact body bytes, signature, endpoint, pooling.

use crate::runtime_support;

use std::time::{SystemTime, UNIX_EPOCH};

use hai_sdk::error::BuildRequestErrorKind;
use hai_sdk::{Client, ClientBuilder, Credentials, Error, Language};
use runtime_support::*;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn independent_date_routine() {
    assert_eq!(date_of(0), "1970-01-01");
    assert_eq!(date_of(951_782_400), "2000-02-29");
    assert_eq!(date_of(1_551_113_065), "2019-02-25");
}

/// A caller-supplied reqwest client, as `ClientBuilder::http_client` documents it.
fn via_reqwest(b: ClientBuilder) -> ClientBuilder {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    b.http_client(http)
}

#[tokio::test]
async fn signature_recomputed_from_captured_request_and_all_headers_present() {
    signed_request_checked(|b| b).await;
}

#[tokio::test]
async fn through_a_caller_supplied_reqwest_client_the_same_request_is_sent() {
    signed_request_checked(via_reqwest).await;
}

async fn signed_request_checked(transport: fn(ClientBuilder) -> ClientBuilder) {
    let server = Server::start(vec![Reply::ok(77, "req-ok-1")]).await;
    let client = transport(builder(&server))
        .language(Language::EnUs)
        .request_client_suffix("hai-tests")
        .build()
        .unwrap();
    let input = StopInstanceRequest::new("hai-abc123").stop_mode(StopMode::StopCharge);
    let before = now();
    let out = client.stop_instance(input.clone()).await.unwrap();
    let after = now();
    assert_eq!(out.task_id, Some(77));
    assert_eq!(out.request_id, "req-ok-1");

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!((r.method.as_str(), r.target.as_str()), ("POST", "/"));
    // Compact JSON, exactly what serde_json produces, and exactly what was signed.
    assert_eq!(
        r.body,
        br#"{"InstanceId":"hai-abc123","StopMode":"STOP_CHARGE"}"#
    );
    assert_eq!(r.body, serde_json::to_vec(&input).unwrap());
    assert_eq!(r.header("Content-Length"), r.body.len().to_string());
    assert_eq!(r.header("Content-Type"), "application/json");
    // The endpoint has a non-default port: the Host sent and signed carries it.
    assert_eq!(r.header("Host"), server.host());
    assert_eq!(r.header("X-TC-Action"), "StopInstance");
    assert_eq!(r.header("X-TC-Version"), "2023-08-12");
    assert_eq!(r.header("X-TC-Region"), REGION);
    assert_eq!(r.header("X-TC-Language"), "en-US");
    assert_eq!(r.header("X-TC-Token"), TOKEN);
    assert_eq!(
        r.header("X-TC-RequestClient"),
        format!("SDK_RUST_{}; hai-tests", env!("CARGO_PKG_VERSION"))
    );
    let ts: u64 = r.header("X-TC-Timestamp").parse().unwrap();
    assert!(before <= ts && ts <= after, "{before} <= {ts} <= {after}");
    let trace = r.header("X-TC-TraceId");
    assert_eq!(trace.len(), 36);
    assert_eq!(trace.matches('-').count(), 4);
    assert_eq!(&trace[14..15], "4", "UUID version 4: {trace}");
    assert!(
        matches!(&trace[19..20], "8" | "9" | "a" | "b"),
        "variant: {trace}"
    );

    let sig = verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
    assert_eq!(sig.len(), 64);
    // The token is sent, never signed.
    assert!(r
        .header("Authorization")
        .contains("SignedHeaders=content-type;host,"));
}

#[tokio::test]
async fn defect_custom_endpoint_signs_with_spec_service_not_host() {
    // Node derives the service from the endpoint host; here the host is 127.0.0.1 and the
    // credential scope must still name the spec's signing service.
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let client = builder(&server).build().unwrap();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    let r = &server.requests()[0];
    assert!(r.header("Host").starts_with("127.0.0.1:"));
    assert!(
        r.header("Authorization").contains("/hai/tc3_request"),
        "{}",
        r.header("Authorization")
    );
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
}

#[tokio::test]
async fn long_lived_credentials_send_no_token_and_no_language_by_default() {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let client = builder(&server)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .build()
        .unwrap();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    let r = &server.requests()[0];
    assert!(r.all("X-TC-Token").is_empty());
    assert!(r.all("X-TC-Language").is_empty());
    assert_eq!(
        r.header("X-TC-RequestClient"),
        format!("SDK_RUST_{}", env!("CARGO_PKG_VERSION"))
    );
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
}

/// StopInstance without a region, through `credentials`.
async fn without_region(
    server: &Server,
    credentials: impl hai_sdk::credentials::ProvideCredentials,
) -> Error<StopInstanceError> {
    Client::builder()
        .credentials(credentials)
        .endpoint(server.url())
        .build()
        .unwrap()
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn missing_region_is_a_build_error_before_anything_is_sent() {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let err = without_region(&server, Credentials::new(SECRET_ID, SECRET_KEY, None)).await;
    match &err {
        Error::Build(b) => assert_eq!(b.kind(), BuildRequestErrorKind::MissingRegion),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.starts_with("StopInstance: "), "{text}");
    // What to do next, in the library's words.
    for hint in [
        "hai requires one",
        "TENCENTCLOUD_REGION",
        "tccli configure set region",
        "ClientBuilder::region",
    ] {
        assert!(text.contains(hint), "{text}");
    }
    assert!(!err.may_have_reached_server());
    assert_eq!(server.count(), 0);
    assert_eq!(server.connections(), 0);

    // With neither region nor credentials, the credentials come first: they matter more.
    let err = without_region(&server, hai_sdk::credentials::ChainProvider::new()).await;
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn a_service_that_needs_no_region_sends_none() {
    let server = Server::start(vec![Reply::json(
        200,
        r#"{"Response":{"RequestId":"r-global"}}"#,
    )])
    .await;
    let client = Client::builder()
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(server.url())
        .endpoint_from_env(false)
        .build()
        .unwrap();
    let out = client.call(DescribeGlobalThingsRequest {}).await.unwrap();
    assert_eq!(out["RequestId"], "r-global");
    let req = &server.requests()[0];
    assert!(req.all("X-TC-Region").is_empty(), "{:?}", req.headers);
    assert_eq!(req.header("X-TC-Action"), "DescribeGlobalThings");
    verify_signature(req, SECRET_ID, SECRET_KEY, "global");
    // With a region configured, it is sent.
    let client = Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(server.url())
        .endpoint_from_env(false)
        .build()
        .unwrap();
    client.call(DescribeGlobalThingsRequest {}).await.unwrap();
    assert_eq!(server.requests()[1].header("X-TC-Region"), REGION);
}

#[tokio::test]
async fn connections_are_pooled_and_shared_by_clones() {
    pooled_checked(|b| b).await;
}

#[tokio::test]
async fn a_caller_supplied_reqwest_client_pools_too() {
    pooled_checked(via_reqwest).await;
}

async fn pooled_checked(transport: fn(ClientBuilder) -> ClientBuilder) {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let client = transport(builder(&server)).build().unwrap();
    let clone = client.clone();
    for _ in 0..3 {
        client.call(StopInstanceRequest::new("i")).await.unwrap();
        clone.call(StopInstanceRequest::new("i")).await.unwrap();
    }
    assert_eq!(server.count(), 6);
    assert_eq!(server.connections(), 1);
    // Each request carries its own TraceId.
    let mut ids: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("X-TC-TraceId").to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
}

#[tokio::test]
async fn lenient_response_decoding_ignores_unknown_fields() {
    let server = Server::start(vec![Reply::json(
        200,
        r#"{"Response":{"TaskId":18446744073709551615,"NewField":{"a":[1,2]},"RequestId":"r-9"},"Extra":1}"#,
    )])
    .await;
    let client = builder(&server).build().unwrap();
    let out = client.call(StopInstanceRequest::new("i")).await.unwrap();
    assert_eq!(out.task_id, Some(u64::MAX));
    assert_eq!(out.request_id, "r-9");
}

#[tokio::test]
async fn bad_builder_settings_are_build_errors_not_panics() {
    let creds = || Credentials::new(SECRET_ID, SECRET_KEY, None);
    for url in ["ftp://x", "http://x/path", "http://u:p@x", "not a url"] {
        let e = Client::builder()
            .credentials(creds())
            .region(REGION)
            .endpoint(url)
            .build()
            .unwrap_err();
        assert!(
            matches!(e, hai_sdk::BuildError::InvalidEndpoint(_)),
            "{url}: {e}"
        );
    }
    let e = Client::builder().region(REGION).build().unwrap_err();
    assert!(matches!(e, hai_sdk::BuildError::MissingCredentials));
    let e = Client::builder()
        .credentials(creds())
        .region("ap guangzhou\n")
        .build()
        .unwrap_err();
    assert!(matches!(e, hai_sdk::BuildError::InvalidRegion(_)));
    let e = Client::builder()
        .credentials(creds())
        .request_client_suffix("bad\r\nheader")
        .build()
        .unwrap_err();
    assert!(matches!(e, hai_sdk::BuildError::InvalidRequestClientSuffix));
}

#[tokio::test]
async fn client_debug_shows_no_secrets() {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let client = builder(&server).build().unwrap();
    let dbg = format!("{client:?}");
    assert!(dbg.contains(REGION));
    assert!(!dbg.contains(SECRET_KEY) && !dbg.contains(TOKEN), "{dbg}");
}

#[tokio::test]
async fn https_endpoint_against_a_plaintext_server_is_a_tls_error_not_sent() {
    // A plaintext HTTP server answers the ClientHello with a 400: the TLS handshake fails
    // inside connecting, so nothing was sent.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    });
    let client = Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(format!("https://{addr}"))
        .endpoint_from_env(false)
        .retry_policy(hai_sdk::RetryPolicy::disabled())
        .timeout(Some(std::time::Duration::from_secs(5)))
        .build()
        .unwrap();
    let err = client
        .call(StopInstanceRequest::new("i"))
        .await
        .unwrap_err();
    let Error::Dispatch(d) = &err else {
        panic!("{err:?}")
    };
    // rustls refuses a plaintext answer to its hello: a protocol mismatch, typed as TLS.
    assert_eq!(d.kind(), hai_sdk::error::DispatchErrorKind::Tls);
    assert_eq!(d.delivery(), hai_sdk::error::Delivery::NotSent);
    assert!(!err.is_retryable());
}
