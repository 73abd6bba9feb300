//! Each fault-injection mode of the emulator gives the SDK's expected typed error, without
//! panicking, and StopInstance (not idempotent) is retried after a failure that may have
//! taken effect (timeout, 5xx) only when the caller opts in with `.retry_transient(true)`.

use std::time::Duration;

use super::support::*;
use hai_emulator::{Fault, InstanceState, Times};
use hai_sdk::error::{Delivery, DispatchErrorKind, ResponseErrorKind, TimeoutKind};
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest};
use hai_sdk::Error;

const ACTION: &str = "StopInstance";

fn stop() -> StopInstanceRequest {
    StopInstanceRequest::new(DEMO)
}

e2e_test! {
async fn latency_beyond_the_client_timeout_is_a_timeout_and_is_not_retried(scheme) {
    let emu = scheme.emulator().await;
    let client = builder(&emu)
        .timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    emu.faults().inject(
        ACTION,
        Fault::Latency(Duration::from_secs(1)),
        Times::Next(1),
    );

    // Had the SDK retried, the second attempt (no latency left) would have succeeded.
    let err = client.stop_instance(stop()).await.expect_err("times out");
    match &err {
        Error::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.after(), Some(Duration::from_millis(200)));
            assert!(t.delivery().may_have_reached_server());
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(err.may_have_reached_server());
    // Transient, but resending StopInstance is not harmless, so the SDK's rules say no.
    assert!(err.is_transient());
    assert!(!err.is_retryable());
}
}

e2e_test! {
async fn timed_out_stop_is_retried_when_the_caller_opts_in(scheme) {
    let emu = scheme.emulator().await;
    let client = builder(&emu)
        .timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    emu.faults().inject(
        ACTION,
        Fault::Latency(Duration::from_secs(1)),
        Times::Next(1),
    );

    let out = client
        .stop_instance(stop())
        .retry_transient(true)
        .await
        .expect("the second attempt succeeds");
    assert!(out.task_id.is_some());
}
}

e2e_test! {
async fn http_500_with_a_json_envelope_keeps_code_and_request_id_and_is_not_retried(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults()
        .inject(ACTION, Fault::HttpErrorJson { status: 500 }, Times::Next(1));

    // Had the SDK retried, the second attempt would have stopped the instance.
    let e = service_error(client.stop_instance(stop()).await.expect_err("fails"));
    match &e {
        StopInstanceError::InternalError(m) => {
            assert_eq!(m.code(), "InternalError");
            assert_eq!(m.http_status(), 500);
        }
        other => panic!("expected InternalError, got {other:?}"),
    }
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));
    assert_eq!(emu.instance(DEMO).unwrap().latest_operation, None);
}
}

e2e_test! {
async fn http_500_stop_is_retried_when_the_caller_opts_in(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults()
        .inject(ACTION, Fault::HttpErrorJson { status: 500 }, Times::Next(1));

    let out = client
        .stop_instance(stop())
        .retry_transient(true)
        .await
        .expect("the second attempt succeeds");
    assert!(out.task_id.is_some());
    wait_for_state(
        &emu,
        DEMO,
        InstanceState::StoppedNoCharge,
        Duration::from_secs(3),
    )
    .await;
}
}

e2e_test! {
async fn http_502_html_page_is_a_response_error_with_status_and_excerpt(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults()
        .inject(ACTION, Fault::HttpErrorHtml { status: 502 }, Times::Next(1));

    let err = client.stop_instance(stop()).await.expect_err("fails");
    match &err {
        Error::Response(r) => {
            assert_eq!(r.kind(), ResponseErrorKind::NotEnvelope);
            assert_eq!(r.status(), 502);
            assert_eq!(r.content_type(), Some("text/html"));
            let excerpt = String::from_utf8_lossy(r.body_excerpt());
            assert!(excerpt.starts_with("<html>"), "{excerpt:?}");
            assert!(excerpt.contains("502"), "{excerpt:?}");
        }
        other => panic!("expected Error::Response, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("HTTP 502"), "{shown}");
    // Not retried: a retry would have succeeded.
    assert_eq!(emu.instance(DEMO).unwrap().latest_operation, None);
}
}

e2e_test! {
async fn non_json_body_is_a_decode_error_keeping_the_raw_bytes(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults()
        .inject(ACTION, Fault::NonJsonBody, Times::Next(1));

    let err = client.stop_instance(stop()).await.expect_err("fails");
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.status(), 200);
            assert_eq!(d.raw_body(), b"upstream said: this is not JSON");
            assert!(d.json_error().is_syntax());
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert!(err.to_string().contains("not JSON"), "{err}");
}
}

e2e_test! {
async fn truncated_body_is_a_dispatch_error_after_delivery(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults()
        .inject(ACTION, Fault::TruncatedBody, Times::Next(1));

    let err = client.stop_instance(stop()).await.expect_err("fails");
    match &err {
        Error::Dispatch(d) => {
            assert_eq!(d.kind(), DispatchErrorKind::ResponseBody);
            assert_eq!(d.delivery(), Delivery::Delivered);
        }
        other => panic!("expected Error::Dispatch, got {other:?}"),
    }
    assert!(err.may_have_reached_server());
}
}

e2e_test! {
async fn connection_reset_is_a_dispatch_error_that_may_have_reached_the_server(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults()
        .inject(ACTION, Fault::ConnectionReset, Times::Next(1));

    let err = client.stop_instance(stop()).await.expect_err("fails");
    match &err {
        Error::Dispatch(d) => {
            assert_eq!(d.kind(), DispatchErrorKind::Io);
            assert_eq!(d.delivery(), Delivery::Unknown);
        }
        other => panic!("expected Error::Dispatch, got {other:?}"),
    }
    assert!(err.may_have_reached_server());
    let shown = err.to_string();
    assert!(
        shown.contains("may have reached the server"),
        "{shown:?} does not say the request may have reached the server"
    );
    // Not retried by default; the next call goes through on a fresh connection.
    assert_eq!(emu.instance(DEMO).unwrap().latest_operation, None);
    client
        .stop_instance(stop())
        .await
        .expect("the next call succeeds");
}
}

e2e_test! {
async fn injected_error_code_is_returned_on_the_next_n_calls_then_the_call_succeeds(scheme) {
    let emu = scheme.emulator().await;
    let client = client(&emu);
    emu.faults().inject(
        ACTION,
        Fault::error_code("ResourceInsufficient"),
        Times::Next(3),
    );

    for call in 1..=3 {
        let e = stop_service_error(&client, DEMO).await;
        assert!(
            matches!(
                e,
                StopInstanceError::Common(
                    hai_sdk::common_error::CommonError::ResourceInsufficient(_)
                )
            ),
            "call {call}: {e:?}"
        );
        assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));
    }
    let out = client
        .stop_instance(stop())
        .await
        .expect("the fourth call succeeds");
    assert!(out.task_id.is_some());
}
}

e2e_test! {
async fn huge_bodies_stop_at_max_response_bytes_as_too_large(scheme) {
    let emu = scheme.emulator().await;
    let limit = 16 * 1024;
    let client = builder(&emu).max_response_bytes(limit).build().unwrap();

    // A sized body four times the bound, then one that never ends.
    emu.faults().inject(
        ACTION,
        Fault::HugeBody {
            bytes: Some(4 * limit as u64),
        },
        Times::Next(1),
    );
    emu.faults()
        .inject(ACTION, Fault::HugeBody { bytes: None }, Times::Next(1));

    for what in ["sized", "endless"] {
        let err = client.stop_instance(stop()).await.expect_err(what);
        match &err {
            Error::Response(r) => {
                assert_eq!(r.kind(), ResponseErrorKind::TooLarge { limit }, "{what}");
                assert_eq!(r.status(), 200);
                assert!(r.body_excerpt().len() <= hai_sdk::error::EXCERPT_LIMIT);
            }
            other => panic!("{what}: expected Error::Response, got {other:?}"),
        }
        assert!(err.to_string().contains("limit"), "{err}");
    }
    client
        .stop_instance(stop())
        .await
        .expect("the next call succeeds");
}
}
