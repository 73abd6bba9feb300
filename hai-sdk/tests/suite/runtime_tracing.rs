//! Tracing: one span per call with its outcome, and no secret in any log line at TRACE.

use crate::runtime_support;

use std::io;
use std::sync::{Arc, Mutex};

use hai_sdk::{Client, Credentials, RetryPolicy};
use runtime_support::*;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn subscriber(capture: &Capture) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(capture.clone())
        // Plain text whatever features other crates enable: the assertions search the text.
        .with_ansi(false)
        .finish()
}

#[tokio::test]
async fn defect_trace_logs_contain_no_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));

    // A failing call through a retry: throttled, then an authentication failure.
    let server = Server::start(vec![
        Reply::error(200, "RequestLimitExceeded", "slow down", "req-trace-1"),
        Reply::error(
            401,
            "AuthFailure.SignatureFailure",
            "signature mismatch",
            "req-trace-2",
        ),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .call(StopInstanceRequest::new("hai-traced"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));

    // A dispatch failure too.
    let refused = Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, Some(TOKEN.into())))
        .endpoint(refused_url().await)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err2 = refused
        .call(StopInstanceRequest::new("hai-traced"))
        .await
        .unwrap_err();

    let logs = capture.text();
    // The capture works and carries what the span promises.
    for expected in [
        "tencentcloud.call",
        "service=\"hai\"",
        "version=\"2023-08-12\"",
        "action=\"StopInstance\"",
        "region=\"ap-guangzhou\"",
        "attempts=2",
        "request_id=\"req-trace-2\"",
        "outcome=\"service_error\"",
        "outcome=\"dispatch_error\"",
        "latency_ms=",
        "retrying",
    ] {
        assert!(logs.contains(expected), "logs lack {expected}:\n{logs}");
    }
    // No secret, token, Authorization value or signature anywhere.
    let mut forbidden = vec![
        SECRET_KEY.to_owned(),
        TOKEN.to_owned(),
        "TC3-HMAC-SHA256 Credential".to_owned(),
        "Signature=".to_owned(),
    ];
    for r in server.requests() {
        let auth = r.header("Authorization").to_owned();
        let signature = auth.rsplit('=').next().unwrap().to_owned();
        assert_eq!(signature.len(), 64);
        forbidden.push(auth);
        forbidden.push(signature);
    }
    for f in &forbidden {
        assert!(!logs.contains(f.as_str()), "logs contain {f}:\n{logs}");
        for shown in [
            err.to_string(),
            format!("{err:?}"),
            err2.to_string(),
            format!("{err2:?}"),
            format!("{client:?}"),
        ] {
            assert!(!shown.contains(f.as_str()), "{shown} contains {f}");
        }
    }
}

#[tokio::test]
async fn successful_call_span_records_request_id_and_outcome() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));
    let server = Server::start(vec![Reply::ok(3, "req-success-7")]).await;
    let client = builder(&server).build().unwrap();
    client.call(StopInstanceRequest::new("i")).await.unwrap();
    let logs = capture.text();
    for expected in [
        "request_id=\"req-success-7\"",
        "outcome=\"ok\"",
        "attempts=1",
        "sending attempt",
    ] {
        assert!(logs.contains(expected), "logs lack {expected}:\n{logs}");
    }
}

#[tokio::test]
async fn a_failover_switch_is_logged_at_warn() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));
    let backup = Server::start(vec![Reply::ok(1, "req-backup")]).await;
    let primary = refused_url().await;
    Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(&primary)
        .endpoint_from_env(false)
        .rate_limit(false)
        .retry_policy(RetryPolicy::new().with_base_delay(std::time::Duration::from_millis(1)))
        .failover(hai_sdk::client::Failover::new(backup.url()).after(1))
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-trace"))
        .await
        .unwrap();
    let text = capture.text();
    let line = text
        .lines()
        .find(|l| l.contains("switching to the backup"))
        .unwrap_or_else(|| panic!("no switch logged in {text}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains(&format!("backup={}", backup.host())),
        "{line}"
    );
    assert!(line.contains("service=\"hai\""), "{line}");
    assert!(!text.contains(SECRET_KEY));
}
