//! The error matrix: every server behaviour gives a typed error, never a panic. It runs twice:
//! through the SDK's own transport and through a caller-supplied `reqwest::Client`.

mod runtime_support;

use std::time::Duration;

use hai_sdk::error::{Delivery, DispatchErrorKind, ResponseErrorKind, TimeoutKind, EXCERPT_LIMIT};
use hai_sdk::{ClientBuilder, Error, RetryPolicy};
use runtime_support::*;

type CallError = Error<StopInstanceError>;

/// Instantiates the matrix once per transport: `transport` finishes a client builder.
macro_rules! error_matrix {
    ($($item:item)*) => {
        mod direct {
            use super::*;

            fn transport(b: ClientBuilder) -> ClientBuilder {
                b
            }

            fn builder(server: &Server) -> ClientBuilder {
                runtime_support::builder(server)
            }

            $($item)*
        }

        mod via_reqwest {
            use super::*;

            fn transport(b: ClientBuilder) -> ClientBuilder {
                // A caller's client carries its own connect timeout.
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(Duration::from_millis(200))
                    .build()
                    .unwrap();
                b.http_client(http)
            }

            fn builder(server: &Server) -> ClientBuilder {
                transport(runtime_support::builder(server))
            }

            $($item)*
        }
    };
}

error_matrix! {
    /// One StopInstance call against a server giving `reply`, without retries.
    async fn call_with(reply: Reply) -> (CallError, Server) {
        let server = Server::start(vec![reply]).await;
        let client = builder(&server)
            .retry_policy(RetryPolicy::disabled())
            .timeout(Some(Duration::from_millis(300)))
            .build()
            .unwrap();
        let err = client
            .call(StopInstanceRequest::new("hai-1"))
            .await
            .unwrap_err();
        (err, server)
    }

    /// One StopInstance call to `endpoint` (no test server behind it), without retries, with
    /// a 200 ms connect timeout.
    async fn call_endpoint(endpoint: String) -> CallError {
        let client = transport(hai_sdk::Client::builder())
            .region(REGION)
            .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
            .endpoint(endpoint)
            .connect_timeout(Some(Duration::from_millis(200)))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        client
            .call(StopInstanceRequest::new("i"))
            .await
            .unwrap_err()
    }

    fn assert_display_names_action(err: &CallError) {
        let text = err.to_string();
        assert!(text.starts_with("StopInstance"), "{text}");
        assert_ne!(text.to_lowercase(), "service error");
    }

    #[tokio::test]
    async fn defect_charset_content_type_error_envelope_is_parsed() {
        let (err, _s) = call_with(Reply::Http {
            status: 200,
            content_type: Some("application/json; charset=utf-8"),
            body: error_body(
                "FailedOperation.OperateInstanceRepeatedly",
                "instance is busy",
                "req-charset-1",
            )
            .into_bytes(),
        })
        .await;
        match &err {
            Error::Service(StopInstanceError::FailedOperationOperateInstanceRepeatedly(m)) => {
                assert_eq!(m.http_status(), 200);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err.code(),
            Some("FailedOperation.OperateInstanceRepeatedly")
        );
        assert_eq!(err.request_id(), Some("req-charset-1"));
        let text = err.to_string();
        for part in [
            "StopInstance",
            "FailedOperation.OperateInstanceRepeatedly",
            "instance is busy",
            "req-charset-1",
        ] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn defect_5xx_error_envelope_keeps_code_and_request_id() {
        let (err, _s) = call_with(Reply::error(500, "InternalError", "oops", "req-500-1")).await;
        let svc = err.service_error().expect("a service error");
        assert_eq!(svc.code(), "InternalError");
        assert_eq!(svc.message(), "oops");
        assert_eq!(svc.request_id(), "req-500-1");
        assert_eq!(svc.meta().http_status(), 500);
        assert!(matches!(svc, StopInstanceError::InternalError(_)));
        assert!(err.to_string().contains("req-500-1"));
    }

    #[tokio::test]
    async fn status_502_html_is_a_response_error_with_status_and_excerpt() {
        let html = format!(
            "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
            "x".repeat(5000)
        );
        let (err, _s) = call_with(Reply::Http {
            status: 502,
            content_type: Some("text/html"),
            body: html.clone().into_bytes(),
        })
        .await;
        let Error::Response(r) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(r.kind(), ResponseErrorKind::NotEnvelope);
        assert_eq!(r.status(), 502);
        assert_eq!(r.content_type(), Some("text/html"));
        assert_eq!(r.body_excerpt(), &html.as_bytes()[..EXCERPT_LIMIT]);
        let text = err.to_string();
        assert!(
            text.contains("502") && text.contains("502 Bad Gateway"),
            "{text}"
        );
        assert!(text.len() < 600, "display stays short: {}", text.len());
        assert_display_names_action(&err);
        assert!(err.is_retryable());
    }

    #[tokio::test]
    async fn defect_200_non_json_is_a_typed_decode_error_keeping_raw_bytes() {
        let body = b"<html>maintenance</html>".to_vec();
        let (err, _s) = call_with(Reply::Http {
            status: 200,
            content_type: Some("text/html"),
            body: body.clone(),
        })
        .await;
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.raw_body(), &body[..]);
        assert_eq!(d.status(), 200);
        assert!(d.json_error().is_syntax());
        assert!(std::error::Error::source(&err).is_some());
        assert_display_names_action(&err);
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn status_200_wrong_shape_is_a_decode_error_with_request_id() {
        let (err, _s) = call_with(Reply::json(
            200,
            r#"{"Response":{"TaskId":"not a number","RequestId":"req-shape"}}"#,
        ))
        .await;
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.request_id(), Some("req-shape"));
        assert_eq!(err.request_id(), Some("req-shape"));
        assert!(err.to_string().contains("req-shape"));
    }

    #[tokio::test]
    async fn truncated_body_is_a_dispatch_error_after_delivery() {
        let (err, _s) = call_with(Reply::Raw(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"Response\":{"
                .to_vec(),
        ))
        .await;
        let Error::Dispatch(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.kind(), DispatchErrorKind::ResponseBody);
        assert_eq!(d.delivery(), Delivery::Delivered);
        assert!(err.may_have_reached_server());
        assert_display_names_action(&err);
    }

    #[tokio::test]
    async fn connection_reset_is_a_dispatch_error_that_may_have_reached_the_server() {
        let (err, server) = call_with(Reply::Reset).await;
        let Error::Dispatch(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.kind(), DispatchErrorKind::Io);
        assert_eq!(d.delivery(), Delivery::Unknown);
        assert!(err.may_have_reached_server());
        assert_eq!(server.count(), 1);
        assert_display_names_action(&err);
    }

    #[tokio::test]
    async fn connection_closed_without_answer_is_a_dispatch_error() {
        let (err, _s) = call_with(Reply::Close).await;
        assert!(
            matches!(&err, Error::Dispatch(d) if d.delivery() == Delivery::Unknown),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn connection_refused_is_a_dispatch_error_not_sent() {
        let err = call_endpoint(refused_url().await).await;
        let Error::Dispatch(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.kind(), DispatchErrorKind::Connect);
        assert_eq!(d.delivery(), Delivery::NotSent);
        assert!(!err.may_have_reached_server());
        let text = err.to_string();
        assert!(text.contains("not sent"), "{text}");
        assert_display_names_action(&err);
    }

    #[tokio::test]
    async fn read_timeout_is_a_timeout_that_may_have_reached_the_server() {
        let (err, server) = call_with(Reply::Hang).await;
        let Error::Timeout(t) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(t.kind(), TimeoutKind::Attempt);
        assert_eq!(t.delivery(), Delivery::Unknown);
        assert_eq!(t.after(), Some(Duration::from_millis(300)));
        assert_eq!(server.count(), 1);
        assert_display_names_action(&err);
    }

    #[tokio::test]
    async fn endless_body_stops_at_the_bound() {
        let server = Server::start(vec![Reply::Endless]).await;
        let client = builder(&server)
            .retry_policy(RetryPolicy::disabled())
            .max_response_bytes(256 * 1024)
            .build()
            .unwrap();
        let err = client
            .call(StopInstanceRequest::new("i"))
            .await
            .unwrap_err();
        let Error::Response(r) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(r.kind(), ResponseErrorKind::TooLarge { limit: 256 * 1024 });
        assert_eq!(r.status(), 200);
        assert_eq!(r.body_excerpt().len(), EXCERPT_LIMIT);
        assert!(
            r.body_excerpt()
                .starts_with(br#"{"Response":{"Start":"here""#),
            "the excerpt is the start of the body"
        );
        assert!(err.to_string().contains("262144-byte limit"), "{err}");
    }

    #[tokio::test]
    async fn declared_length_over_the_bound_fails_without_reading_it() {
        let mut raw =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n"
                .to_vec();
        raw.extend_from_slice(b"{\"Response\":{}}");
        let server = Server::start(vec![Reply::Raw(raw)]).await;
        let client = builder(&server)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let err = client
            .call(StopInstanceRequest::new("i"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Response(r) if matches!(r.kind(), ResponseErrorKind::TooLarge { .. })),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn dry_run_operation_is_recognised_without_string_matching() {
        let (err, _s) = call_with(Reply::error(
            200,
            "DryRunOperation",
            "the request would have succeeded",
            "req-dry",
        ))
        .await;
        assert!(err.is_dry_run_operation());
        assert!(matches!(
            err.service_error(),
            Some(StopInstanceError::Common(CommonError::DryRunOperation(_)))
        ));
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn unknown_code_is_unhandled_and_keeps_its_metadata() {
        let (err, _s) = call_with(Reply::error(
            200,
            "UnsupportedOperation.SomethingNew",
            "new",
            "req-new",
        ))
        .await;
        let Ok(StopInstanceError::Unhandled(u)) = err.into_service_error() else {
            panic!()
        };
        assert_eq!(u.meta().code(), "UnsupportedOperation.SomethingNew");
        assert_eq!(u.meta().request_id(), "req-new");
    }

    #[tokio::test]
    async fn error_bytes_in_a_success_body_do_not_make_an_error() {
        // `"Error"` appears as data; the probe finds no envelope and the success decodes.
        let server = Server::start(vec![Reply::json(
            200,
            r#"{"Response":{"TaskId":5,"Note":{"Error":"none"},"RequestId":"r"}}"#,
        )])
        .await;
        let client = builder(&server).build().unwrap();
        let out = client.call(StopInstanceRequest::new("i")).await.unwrap();
        assert_eq!(out.task_id, Some(5));
    }

    #[tokio::test]
    async fn non_envelope_4xx_is_a_response_error() {
        let (err, _s) = call_with(Reply::Http {
            status: 404,
            content_type: None,
            body: Vec::new(),
        })
        .await;
        let Error::Response(r) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((r.status(), r.content_type()), (404, None));
        assert!(err.to_string().contains("<empty>"));
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn connect_timeout_is_a_timeout_that_was_not_sent() {
        // A listener with a full accept queue: the kernel drops further SYNs, so connecting hangs.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(1).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut fillers = Vec::new();
        for _ in 0..4 {
            let c = tokio::time::timeout(
                Duration::from_millis(200),
                tokio::net::TcpStream::connect(addr),
            );
            if let Ok(Ok(s)) = c.await {
                fillers.push(s);
            }
        }
        let err = call_endpoint(format!("http://{addr}")).await;
        let Error::Timeout(t) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(t.kind(), TimeoutKind::Connect);
        assert_eq!(t.delivery(), Delivery::NotSent);
        assert!(!err.may_have_reached_server());
        assert!(err.to_string().contains("connect timeout"), "{err}");
        drop((fillers, listener));
    }

    #[derive(Debug)]
    struct Failing;

    impl hai_sdk::credentials::ProvideCredentials for Failing {
        fn provide_credentials(&self) -> hai_sdk::credentials::ProvideCredentialsFuture<'_> {
            hai_sdk::credentials::ProvideCredentialsFuture::ready(Err(
                hai_sdk::credentials::CredentialsError::Fetch {
                    provider: "test",
                    reason: "metadata service unreachable".into(),
                },
            ))
        }
    }

    #[tokio::test]
    async fn credentials_failure_is_typed_and_nothing_is_sent() {
        let server = Server::start(vec![Reply::ok(1, "r")]).await;
        let client = builder(&server).credentials(Failing).build().unwrap();
        let err = client
            .call(StopInstanceRequest::new("i"))
            .await
            .unwrap_err();
        let Error::Credentials(c) = &err else {
            panic!("{err:?}")
        };
        assert!(matches!(
            c.error(),
            hai_sdk::credentials::CredentialsError::Fetch { .. }
        ));
        assert!(
            err.to_string().contains("metadata service unreachable"),
            "{err}"
        );
        assert_display_names_action(&err);
        assert_eq!(server.count(), 0);
    }
}
