//! The error matrix: every server behaviour gives a typed error, never a panic. It runs twice:
//! through the SDK's own transport and through a caller-supplied `reqwest::Client`.

use crate::runtime_support;

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

    /// One StopInstance call, without retries, answered with a `TaskId` that is no number.
    async fn call_mistyped_task_id(
        strict: bool,
    ) -> (Result<hai_sdk::stop_instance::StopInstanceResponse, CallError>, Server) {
        let server = Server::start(vec![Reply::json(
            200,
            r#"{"Response":{"TaskId":"not a number","RequestId":"req-shape"}}"#,
        )])
        .await;
        let client = builder(&server)
            .retry_policy(RetryPolicy::disabled())
            .strict_decoding(strict)
            .build()
            .unwrap();
        let result = client.call(StopInstanceRequest::new("hai-1")).await;
        (result, server)
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
        // Transient, but StopInstance is not safe to resend after a 502.
        assert!(err.is_transient());
        assert!(!err.is_retryable());
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
    async fn status_200_wrong_shape_is_a_decode_error_with_request_id_when_strict() {
        let (result, _s) = call_mistyped_task_id(true).await;
        let err = result.unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.request_id(), Some("req-shape"));
        assert_eq!(d.path(), Some("Response.TaskId"));
        assert_eq!(err.request_id(), Some("req-shape"));
        assert!(err.to_string().contains("req-shape"));
    }

    #[tokio::test]
    async fn status_200_wrong_shape_reads_as_absent_and_is_reported_by_default() {
        let (result, _s) = call_mistyped_task_id(false).await;
        let out = result.expect("the lenient rule keeps the rest of the answer");
        assert_eq!(out.task_id, None);
        assert_eq!(out.request_id, "req-shape");
        let m = &out.decode_report().mismatches()[0];
        assert_eq!(m.path(), "Response.TaskId");
        assert!(m.is_absent());
    }

    #[tokio::test]
    async fn status_200_that_is_not_json_is_a_decode_error_with_request_id() {
        let (err, _s) = call_with(Reply::json(
            200,
            r#"{"Response":{"TaskId":1,"RequestId":"req-shape"}"#,
        ))
        .await;
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.request_id(), Some("req-shape"));
        assert_eq!(d.path(), None);
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

/// Hostile servers and configuration: each ends in a typed error within its deadline, and
/// no failure ever reads as a success.
mod hostile {
    use std::time::{Duration, Instant};

    use hai_sdk::describe_instances::{DescribeInstancesError, DescribeInstancesRequest};
    use hai_sdk::error::TimeoutKind;
    use hai_sdk::{Error, RetryPolicy};

    use super::runtime_support::*;
    use hai_sdk::error::ResponseErrorKind;

    fn describe_ok(request_id: &str) -> Reply {
        Reply::json(
            200,
            &format!(
                r#"{{"Response":{{"TotalCount":0,"InstanceSet":[],"RequestId":"{request_id}"}}}}"#
            ),
        )
    }

    async fn stop_against(replies: Vec<Reply>) -> (Error<StopInstanceError>, Server) {
        let server = Server::start(replies).await;
        let client = builder(&server)
            .retry_policy(RetryPolicy::disabled())
            .timeout(Some(Duration::from_secs(2)))
            .build()
            .unwrap();
        let err = client
            .call(StopInstanceRequest::new("hai-1"))
            .await
            .expect_err("must fail");
        (err, server)
    }

    // Finding 2: a throttling tarpit is bounded by the call timeout.
    #[tokio::test]
    async fn call_timeout_bounds_a_throttling_tarpit() {
        let throttled = Reply::Delayed(
            Duration::from_millis(250),
            Box::new(Reply::error(
                200,
                "RequestLimitExceeded",
                "slow down",
                "r-t",
            )),
        );
        let server = Server::start(vec![throttled]).await;
        let client = builder(&server)
            .retry_policy(
                RetryPolicy::new()
                    .with_max_attempts(10)
                    .with_throttle_delay(Duration::from_secs(1)),
            )
            .timeout(Some(Duration::from_millis(400)))
            .call_timeout(Some(Duration::from_millis(600)))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = client
            .call(StopInstanceRequest::new("hai-1"))
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        let Error::Timeout(t) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(t.kind(), TimeoutKind::Call);
        assert_eq!(t.after(), Some(Duration::from_millis(600)));
        assert_eq!(
            t.attempts(),
            1,
            "a second attempt cannot fit: its backoff alone is 1 s"
        );
        let last = t.last_error().expect("the throttled attempt");
        assert!(last.to_string().contains("RequestLimitExceeded"), "{last}");
        assert!(err.to_string().contains("call timeout"), "{err}");
        assert!(!err.is_retryable());
        // Without the call timeout this runs for 10 attempts of >= 1.25 s each.
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        assert_eq!(server.count(), 1);
    }

    #[tokio::test]
    async fn call_timeout_cuts_a_hanging_attempt_and_per_call_overrides() {
        let server = Server::start(vec![Reply::Hang]).await;
        let client = builder(&server)
            .timeout(Some(Duration::from_secs(30)))
            .call_timeout(Some(Duration::from_secs(30)))
            .build()
            .unwrap();
        let err = client
            .call(StopInstanceRequest::new("hai-1"))
            .call_timeout(Some(Duration::from_millis(200)))
            .await
            .unwrap_err();
        let Error::Timeout(t) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(t.kind(), TimeoutKind::Call);
        assert_eq!(t.after(), Some(Duration::from_millis(200)));
        assert!(t.delivery().may_have_reached_server());
    }

    #[tokio::test]
    async fn call_timeout_includes_rate_limit_waits() {
        let server = Server::start(vec![Reply::ok(1, "r")]).await;
        let client = builder(&server)
            .rate_limit(true)
            .call_timeout(Some(Duration::from_millis(300)))
            .build()
            .unwrap();
        // StopInstance allows 20 per second: the 21st waits for the window, past 300 ms.
        for _ in 0..20 {
            client
                .call(StopInstanceRequest::new("hai-1"))
                .await
                .unwrap();
        }
        let err = client
            .call(StopInstanceRequest::new("hai-1"))
            .await
            .unwrap_err();
        let Error::Timeout(t) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(t.kind(), TimeoutKind::Call);
        assert_eq!(t.delivery(), hai_sdk::error::Delivery::NotSent);
        assert_eq!(server.count(), 20);
    }

    // Finding 3: a Response.Error of any shape is a failure.
    #[tokio::test]
    async fn malformed_error_envelopes_are_errors_never_success() {
        for body in [
            r#"{"Response":{"Error":{"Code":7,"Message":"m"},"RequestId":"r"}}"#,
            r#"{"Response":{"Error":{"Message":"no code"},"RequestId":"r"}}"#,
            r#"{"Response":{"Error":null,"RequestId":"r"}}"#,
            r#"{"Response":{"Error":"InternalError","RequestId":"r"}}"#,
        ] {
            let (err, _s) = stop_against(vec![Reply::json(200, body)]).await;
            let Error::Response(r) = &err else {
                panic!("{body}: {err:?}")
            };
            assert_eq!(r.kind(), ResponseErrorKind::MalformedError, "{body}");
            assert_eq!(err.request_id(), Some("r"), "{body}");
        }
    }

    #[tokio::test]
    async fn errors_hidden_by_deep_nesting_or_escaped_keys_are_found() {
        let pad = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        for body in [
            format!(
                r#"{{"Response":{{"Error":{{"Code":"InternalError","Message":"m"}},"Pad":{pad},"RequestId":"r"}}}}"#
            ),
            format!(
                r#"{{"Response":{{"Pad":{pad},"Error":{{"Code":"InternalError","Message":"m"}},"RequestId":"r"}}}}"#
            ),
            r#"{"Response":{"Err\u006fr":{"Code":"InternalError","Message":"m"},"RequestId":"r"}}"#
                .to_owned(),
        ] {
            let (err, _s) = stop_against(vec![Reply::json(200, &body)]).await;
            assert_eq!(err.code(), Some("InternalError"), "{err:?}");
            assert!(matches!(
                err.service_error(),
                Some(StopInstanceError::InternalError(_))
            ));
        }
    }

    // Finding 4: service text is escaped and capped where shown.
    #[tokio::test]
    async fn service_text_is_escaped_and_capped_in_display_raw_in_accessors() {
        let code = format!("Evil\\u001b[31m\\r\\nINFO forged line{}", "X".repeat(65536));
        let body = format!(
            r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m\u001b]0;title\u0007\r\nx"}},"RequestId":"r\n1"}}}}"#
        );
        let (err, _s) = stop_against(vec![Reply::json(200, &body)]).await;
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.len() < 2048, "{}", shown.len());
        assert!(shown.contains("more bytes"), "{shown}");
        let svc = err.service_error().unwrap();
        assert!(svc.code().starts_with("Evil\u{1b}[31m\r\nINFO"));
        assert_eq!(
            svc.code().len(),
            "Evil\u{1b}[31m\r\nINFO forged line".len() + 65536
        );
        assert_eq!(svc.request_id(), "r\n1");
    }

    #[tokio::test]
    async fn a_huge_endpoint_url_is_not_echoed_whole() {
        let url = format!("http://127.0.0.1:1/{}\u{1b}[2J", "p".repeat(8192));
        let err = hai_sdk::Client::builder()
            .region(REGION)
            .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
            .endpoint(url)
            .endpoint_from_env(false)
            .build()
            .unwrap_err();
        let shown = err.to_string();
        assert!(shown.len() < 600, "{}", shown.len());
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    // Finding 5: credentials with stray white space are refused before sending.
    #[tokio::test]
    async fn secrets_with_stray_white_space_are_refused_before_sending() {
        let cases: [(hai_sdk::Credentials, &str); 4] = [
            (
                hai_sdk::Credentials::new(SECRET_ID, format!("{SECRET_KEY}\n"), None),
                "SecretKey has leading or trailing white space",
            ),
            (
                hai_sdk::Credentials::new(format!(" {SECRET_ID}"), SECRET_KEY, None),
                "SecretId has leading or trailing white space",
            ),
            (
                hai_sdk::Credentials::new(SECRET_ID, "", None),
                "SecretKey is empty",
            ),
            (
                hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, Some(format!("{TOKEN}\u{7}x"))),
                "session token contains control characters",
            ),
        ];
        for (creds, want) in cases {
            let server = Server::start(vec![Reply::ok(1, "r")]).await;
            let client = builder(&server).credentials(creds).build().unwrap();
            let err = client
                .call(StopInstanceRequest::new("hai-1"))
                .await
                .unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Credentials(_)), "{err:?}");
            assert!(text.contains(want), "{text}");
            assert!(
                !text.contains(SECRET_KEY) && !text.contains(TOKEN),
                "{text}"
            );
            assert_eq!(server.count(), 0, "nothing sent");
        }
        let env = hai_sdk::credentials::Env::from_pairs([
            ("TENCENTCLOUD_SECRET_ID", SECRET_ID.to_owned()),
            ("TENCENTCLOUD_SECRET_KEY", format!("{SECRET_KEY}\r\n")),
        ]);
        let server = Server::start(vec![Reply::ok(1, "r")]).await;
        let client = builder(&server)
            .credentials(hai_sdk::credentials::EnvironmentProvider::with_env(env))
            .build()
            .unwrap();
        let text = client
            .call(StopInstanceRequest::new("hai-1"))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("TENCENTCLOUD_SECRET_KEY has leading or trailing white space"),
            "{text}"
        );
        assert!(!text.contains(SECRET_KEY), "{text}");
        assert_eq!(server.count(), 0);
    }

    // Finding 7: reads retry transient failures by default; all is_retryable agree.
    #[tokio::test]
    async fn read_only_actions_retry_transient_failures_by_default() {
        for first in [
            Reply::Http {
                status: 502,
                content_type: Some("text/html"),
                body: b"<html>bad gateway</html>".to_vec(),
            },
            Reply::error(200, "InternalError", "oops", "r-1"),
            Reply::Reset,
        ] {
            let server = Server::start(vec![first.clone(), describe_ok("r-2")]).await;
            let client = builder(&server).build().unwrap();
            let out = client
                .describe_instances(DescribeInstancesRequest::new())
                .await
                .unwrap_or_else(|e| panic!("{first:?}: {e}"));
            assert_eq!(out.request_id, "r-2");
            assert_eq!(server.count(), 2);
        }
        // The same failures are not retried for StopInstance, and every is_retryable agrees.
        let (err, server) = stop_against(vec![
            Reply::error(200, "InternalError", "oops", "r-1"),
            Reply::ok(1, "r"),
        ])
        .await;
        assert_eq!(server.count(), 1);
        assert!(!err.is_retryable());
        assert!(err.is_transient());
        assert!(!hai_sdk::ActionError::is_retryable(
            err.service_error().unwrap()
        ));
        let read = DescribeInstancesError::from(err.service_error().unwrap().meta().clone());
        assert!(hai_sdk::ActionError::is_retryable(&read));
    }

    #[tokio::test]
    async fn read_timeouts_of_reads_are_retried_within_the_call_timeout() {
        let server = Server::start(vec![Reply::Hang, describe_ok("r-2")]).await;
        let client = builder(&server)
            .timeout(Some(Duration::from_millis(200)))
            .build()
            .unwrap();
        let out = client
            .describe_instances(DescribeInstancesRequest::new())
            .await
            .expect("the second attempt answers");
        assert_eq!(out.request_id, "r-2");
    }

    // Slow headers, slow bodies, redirects, declared compression and 1xx answers.
    #[tokio::test]
    async fn slow_headers_and_slow_bodies_end_at_the_attempt_timeout() {
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n"
                .to_vec();
        let mut slow_body = head.clone();
        slow_body.extend_from_slice(&[b' '; 60]);
        for (bytes, what) in [(head, "slow headers"), (slow_body, "slow body")] {
            let pause = Duration::from_millis(if what == "slow headers" { 20 } else { 1 });
            let reply = if what == "slow headers" {
                Reply::Trickle { bytes, pause }
            } else {
                // Head at once, then the body a byte every 50 ms.
                Reply::Trickle {
                    bytes,
                    pause: Duration::from_millis(50).max(pause),
                }
            };
            let server = Server::start(vec![reply]).await;
            let client = builder(&server)
                .retry_policy(RetryPolicy::disabled())
                .timeout(Some(Duration::from_millis(300)))
                .build()
                .unwrap();
            let started = Instant::now();
            let err = client
                .call(StopInstanceRequest::new("hai-1"))
                .await
                .unwrap_err();
            let Error::Timeout(t) = &err else {
                panic!("{what}: {err:?}")
            };
            assert_eq!(t.kind(), TimeoutKind::Attempt, "{what}");
            assert!(started.elapsed() < Duration::from_secs(3), "{what}");
        }
    }

    #[tokio::test]
    async fn huge_headers_are_a_typed_error() {
        let mut raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n".to_vec();
        raw.extend_from_slice(format!("x-pad: {}\r\n", "a".repeat(4 << 20)).as_bytes());
        for i in 0..2000 {
            raw.extend_from_slice(format!("x-h{i}: v\r\n").as_bytes());
        }
        raw.extend_from_slice(b"content-length: 2\r\n\r\n{}");
        let (err, _s) = stop_against(vec![Reply::Raw(raw)]).await;
        assert!(
            matches!(err, Error::Dispatch(_) | Error::Response(_)),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let raw =
            b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/\r\ncontent-length: 0\r\n\r\n"
                .to_vec();
        let (err, server) = stop_against(vec![Reply::Raw(raw)]).await;
        let Error::Response(r) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(r.status(), 302);
        assert_eq!(server.count(), 1);
    }

    #[tokio::test]
    async fn declared_compression_is_not_inflated() {
        // A body that claims gzip: the SDK asks for none and inflates none.
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: 4\r\n\r\n\x1f\x8b\x08\x00".to_vec();
        let (err, _s) = stop_against(vec![Reply::Raw(raw)]).await;
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
    }

    #[tokio::test]
    async fn informational_1xx_answers_are_skipped() {
        let mut raw =
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n".to_vec();
        let body = error_body("InternalError", "after 1xx", "r-1xx");
        raw.extend_from_slice(
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).as_bytes(),
        );
        let (err, _s) = stop_against(vec![Reply::Raw(raw)]).await;
        assert_eq!(err.request_id(), Some("r-1xx"), "{err:?}");
    }
}
