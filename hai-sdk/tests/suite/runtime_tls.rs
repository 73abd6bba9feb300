//! HTTPS trust: roots added with `add_root_certificate`, the typed error of a refused
//! handshake (unknown issuer, wrong name) as opposed to a refused connection, and the typed
//! build error of a bad PEM. Against loopback HTTPS servers with certificates made per test.

use hai_sdk::error::{Delivery, DispatchErrorKind};
use hai_sdk::{BuildError, Error};

use crate::runtime_support::*;

/// The `rustls::Error` in `e`'s source chain, found with `source` alone.
fn rustls_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

/// Calls StopInstance through `builder` and returns the dispatch error it must fail with.
async fn refused(builder: hai_sdk::ClientBuilder) -> Error<StopInstanceError> {
    builder
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-tls"))
        .await
        .expect_err("the handshake must fail")
}

#[tokio::test]
async fn an_added_root_is_trusted_and_the_call_goes_through() {
    let server = TlsServer::start(&["127.0.0.1", "localhost"]).await;
    let client = tls_builder(&server)
        .add_root_certificate(&server.pem)
        .build()
        .unwrap();
    let out = client
        .stop_instance(StopInstanceRequest::new("hai-tls"))
        .await
        .unwrap();
    assert_eq!(out.request_id, "req-tls");
    let r = &server.requests()[0];
    assert_eq!(r.header("Host"), server.addr.to_string());
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");

    // Several bundles, and several certificates in one bundle, are all trusted.
    let other = TlsServer::start(&["127.0.0.1"]).await;
    let bundle = format!("{}\n{}", other.pem, server.pem);
    for b in [
        tls_builder(&server)
            .add_root_certificate(&other.pem)
            .add_root_certificate(&server.pem),
        tls_builder(&server).add_root_certificate(bundle.as_bytes()),
    ] {
        b.build()
            .unwrap()
            .stop_instance(StopInstanceRequest::new("hai-tls"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn without_the_root_the_call_fails_with_the_typed_tls_error_once() {
    let server = TlsServer::start(&["127.0.0.1"]).await;
    let err = refused(tls_builder(&server)).await;
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), DispatchErrorKind::Tls);
    assert_eq!(d.delivery(), Delivery::NotSent);
    assert!(!err.may_have_reached_server());
    // An untrusted certificate stays untrusted: no retry.
    assert!(!err.is_retryable() && !err.is_transient());
    assert_eq!(server.handshakes(), 1);
    assert!(server.requests().is_empty());
    assert!(
        matches!(
            rustls_cause(d),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        "{d:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains("TLS handshake refused"), "{shown}");
    assert!(shown.contains("UnknownIssuer"), "{shown}");
}

#[tokio::test]
async fn a_certificate_for_another_name_fails_with_the_typed_tls_error() {
    // Trusted, but issued for a name the endpoint (127.0.0.1) is not.
    let server = TlsServer::start(&["hai.example.invalid"]).await;
    let err = refused(tls_builder(&server).add_root_certificate(&server.pem)).await;
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), DispatchErrorKind::Tls);
    assert!(
        matches!(
            rustls_cause(d),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            ))
        ),
        "{d:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_not_a_tls_error() {
    let url = refused_url().await.replacen("http://", "https://", 1);
    let builder = hai_sdk::Client::builder()
        .region(REGION)
        .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(url)
        .endpoint_from_env(false)
        .retry_policy(hai_sdk::RetryPolicy::new().with_max_attempts(1));
    let err = refused(builder).await;
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), DispatchErrorKind::Connect);
    assert!(rustls_cause(d).is_none(), "{d:?}");
}

#[test]
fn a_bad_pem_is_a_typed_build_error_naming_which() {
    let good = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .unwrap()
        .cert
        .pem();
    let base = || {
        hai_sdk::Client::builder()
            .region(REGION)
            .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
    };
    let cases: [(hai_sdk::ClientBuilder, &str); 4] = [
        (
            base().add_root_certificate("hello"),
            "root certificate #1: no PEM",
        ),
        (
            base().add_root_certificate([0xff, 0x00, 0x1b]),
            "root certificate #1: no PEM",
        ),
        (
            base().add_root_certificate(&good).add_root_certificate(
                "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n",
            ),
            "root certificate #2: not valid PEM",
        ),
        (
            base().add_root_certificate(
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ),
            "root certificate #1: not a usable certificate",
        ),
    ];
    for (builder, want) in cases {
        match builder.build() {
            Err(BuildError::InvalidRootCertificate(why)) => {
                assert!(why.starts_with(want), "{why} (wanted {want})");
                let shown = BuildError::InvalidRootCertificate(why).to_string();
                assert!(shown.starts_with("invalid root certificate: "), "{shown}");
            }
            other => panic!("wanted {want}, got {other:?}"),
        }
    }
    base().add_root_certificate(&good).build().unwrap();
}
