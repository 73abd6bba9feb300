//! The untyped call by names (`Config::call_by_name`) against loopback servers: signed for
//! the named service (scope and computed host), the region sent, the answer as JSON, not
//! idempotent unless told, its errors typed, bounded and timed like a typed call's.

use std::time::Duration;

use hai_sdk::common_error::{AnyActionError, CommonError};
use hai_sdk::error::{BuildRequestErrorKind, ResponseErrorKind, TimeoutKind};
use hai_sdk::{Client, Config, Error, RetryPolicy};
use serde_json::json;

use crate::runtime_support::*;

fn config(server: &Server) -> Config {
    let client: Client = builder(server).build().unwrap();
    client.as_ref().clone()
}

#[tokio::test]
async fn a_call_by_names_is_signed_for_its_service_and_answers_json() {
    let server = Server::start(vec![Reply::json(
        200,
        r#"{"Response":{"TotalCount":2,"ZoneSet":[{"Zone":"ap-guangzhou-3"}],"RequestId":"req-n"}}"#,
    )])
    .await;
    let out = config(&server)
        .call_by_name("cvm", "2017-03-12", "DescribeZones", json!({"Limit": 1}))
        .await
        .unwrap();
    assert_eq!(out["TotalCount"], 2);
    assert_eq!(out["ZoneSet"][0]["Zone"], "ap-guangzhou-3");
    assert_eq!(out["RequestId"], "req-n");
    let r = &server.requests()[0];
    assert_eq!(r.header("X-TC-Action"), "DescribeZones");
    assert_eq!(r.header("X-TC-Version"), "2017-03-12");
    assert_eq!(r.header("X-TC-Region"), REGION);
    assert_eq!(r.body, br#"{"Limit":1}"#);
    verify_signature(r, SECRET_ID, SECRET_KEY, "cvm");
}

#[tokio::test]
async fn the_computed_host_is_the_named_services() {
    const HOST: &str = "cvm.ap-guangzhou.tencentcloudapi.com";
    let server = TlsServer::start(&[HOST]).await;
    let proxy = TunnelProxy::start(server.addr).await;
    let config = Config::builder()
        .region(REGION)
        .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint_from_env(false)
        .regional_endpoint(true)
        .proxy(proxy.url())
        .add_root_certificate(&server.pem)
        .build()
        .unwrap();
    let out = config
        .call_by_name("cvm", "2017-03-12", "DescribeZones", json!({}))
        .await
        .unwrap();
    assert_eq!(out["RequestId"], "req-tls");
    assert_eq!(proxy.connects(), [format!("{HOST}:443")]);
    let r = &server.requests()[0];
    assert_eq!(r.header("Host"), HOST);
    verify_signature(r, SECRET_ID, SECRET_KEY, "cvm");
}

#[tokio::test]
async fn a_call_by_names_is_not_idempotent_unless_told() {
    let replies = || {
        vec![
            Reply::error(200, "InternalError", "try again", "req-1"),
            Reply::ok(1, "req-2"),
        ]
    };
    let server = Server::start(replies()).await;
    let err = config(&server)
        .call_by_name("cvm", "2017-03-12", "RebootInstances", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(server.count(), 1);

    let server = Server::start(replies()).await;
    let out = config(&server)
        .call_by_name("cvm", "2017-03-12", "RebootInstances", json!({}))
        .idempotent(true)
        .await
        .unwrap();
    assert_eq!(out["RequestId"], "req-2");
    assert_eq!(server.count(), 2);

    // Throttling is retried whatever the idempotency.
    let server = Server::start(vec![
        Reply::error(200, "RequestLimitExceeded", "slow down", "req-1"),
        Reply::ok(1, "req-2"),
    ])
    .await;
    let out = config(&server)
        .call_by_name("cvm", "2017-03-12", "RebootInstances", json!({}))
        .await
        .unwrap();
    assert_eq!(out["RequestId"], "req-2");
}

#[tokio::test]
async fn errors_are_typed_as_the_caller_asks() {
    let server = Server::start(vec![
        Reply::error(200, "InvalidAction", "no such action", "req-1"),
        Reply::error(401, "AuthFailure.SecretIdNotFound", "who?", "req-2"),
        Reply::error(200, "ResourceNotFound.Zone", "no zone", "req-3"),
    ])
    .await;
    let config = config(&server);
    let call = || {
        config
            .call_by_name("cvm", "2017-03-12", "DescribeNothing", json!({}))
            .errors::<AnyActionError>()
    };
    match call().await.unwrap_err() {
        Error::Service(AnyActionError::Common(CommonError::InvalidAction(m))) => {
            assert_eq!(m.action(), "DescribeNothing");
            assert_eq!(m.request_id(), "req-1");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        call().await.unwrap_err(),
        Error::Service(AnyActionError::Common(
            CommonError::AuthFailureSecretIdNotFound(_)
        ))
    ));
    match call().await.unwrap_err() {
        Error::Service(AnyActionError::Unhandled(u)) => {
            assert_eq!(u.meta().code(), "ResourceNotFound.Zone")
        }
        other => panic!("{other:?}"),
    }
    // Untyped unless asked.
    let err = config
        .call_by_name("cvm", "2017-03-12", "DescribeNothing", json!({}))
        .await
        .unwrap_err();
    let Error::Service(m) = err else {
        panic!("{err:?}")
    };
    assert_eq!(m.code(), "ResourceNotFound.Zone");
}

#[tokio::test]
async fn invalid_names_fail_before_anything_is_sent() {
    let server = Server::start(vec![Reply::ok(1, "req-1")]).await;
    let config = config(&server);
    for (service, version, action) in [
        ("CVM", "2017-03-12", "DescribeZones"),
        ("cvm", "latest", "DescribeZones"),
        ("cvm", "2017-03-12", "Describe Zones\r\nX-Evil: 1"),
    ] {
        let err = config
            .call_by_name(service, version, action, json!({}))
            .await
            .unwrap_err();
        let Error::Build(b) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(b.kind(), BuildRequestErrorKind::InvalidName);
        assert!(!err.to_string().contains('\r'), "{err}");
    }
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn deadlines_and_the_response_bound_apply() {
    let server = Server::start(vec![Reply::Hang]).await;
    let err = config(&server)
        .call_by_name("cvm", "2017-03-12", "DescribeZones", json!({}))
        .call_timeout(Some(Duration::from_millis(100)))
        .await
        .unwrap_err();
    let Error::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Call);

    let big = format!(
        r#"{{"Response":{{"Pad":"{}","RequestId":"r"}}}}"#,
        "x".repeat(4096)
    );
    let server = Server::start(vec![Reply::json(200, &big)]).await;
    let client: Client = builder(&server)
        .max_response_bytes(1024)
        .retry_policy(RetryPolicy::new().with_max_attempts(1))
        .build()
        .unwrap();
    let err = AsRef::<Config>::as_ref(&client)
        .call_by_name("cvm", "2017-03-12", "DescribeZones", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Response(r) if matches!(r.kind(), ResponseErrorKind::TooLarge { limit: 1024 })),
        "{err:?}"
    );
}
