//! HTTPS end to end: the emulator's certificate is what makes the client trust it. (Every
//! end-to-end test also runs over https with it added; this is the other side.)

use super::support::*;
use hai_sdk::error::{Delivery, DispatchErrorKind};
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::Error;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_emulators_certificate_the_call_fails_with_the_typed_tls_error() {
    let emu = Scheme::Https.emulator().await;
    let cred = &emu.credentials()[0];
    // The support builder, minus the root it adds for https.
    let client = hai_sdk::Client::builder()
        .endpoint(emu.endpoint())
        .endpoint_from_env(false)
        .region(REGION)
        .credentials(hai_sdk::Credentials::new(
            &cred.secret_id,
            &cred.secret_key,
            None,
        ))
        .build()
        .unwrap();
    let err = client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect_err("the self-signed certificate is not trusted");
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), DispatchErrorKind::Tls);
    assert_eq!(d.delivery(), Delivery::NotSent);
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    assert_eq!(
        emu.instance_state(DEMO),
        Some(hai_emulator::InstanceState::Running)
    );

    // localhost is one of the certificate's names too.
    let port = emu.addr().port();
    let out = builder(&emu)
        .endpoint(format!("https://localhost:{port}"))
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("trusted, and valid for localhost");
    assert!(out.task_id.is_some());
}
