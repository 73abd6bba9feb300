//! Every AuthFailure case the emulator checks, reached through the SDK client: each arrives
//! as `Error::Service(StopInstanceError::Common(CommonError::AuthFailure*))` with a RequestId
//! its `Display` names, and the instance is left alone.

use super::support::*;
use hai_emulator::{Credential, InstanceState, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use hai_sdk::common_error::CommonError;
use hai_sdk::credentials::Credentials;
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest};
use hai_sdk::Client;

fn common(e: StopInstanceError) -> CommonError {
    match e {
        StopInstanceError::Common(c) => c,
        other => panic!("expected a common error, got {other:?}"),
    }
}

e2e_test! {
async fn wrong_secret_key_gets_signature_failure(scheme) {
    let emu = scheme.emulator().await;
    let client = builder_with(
        &emu,
        Credentials::new(DEFAULT_SECRET_ID, "notTheEmulatorsKey000000000000000", None),
    )
    .build()
    .unwrap();

    let e = stop_service_error(&client, DEMO).await;
    assert_eq!(e.code(), "AuthFailure.SignatureFailure");
    assert!(
        matches!(common(e), CommonError::AuthFailureSignatureFailure(_)),
        "wrong variant"
    );
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));
}
}

e2e_test! {
async fn unknown_secret_id_gets_secret_id_not_found(scheme) {
    let emu = scheme.emulator().await;
    let client = builder_with(
        &emu,
        Credentials::new(
            "AKIDnobodyKnowsThisSecretId000000000",
            DEFAULT_SECRET_KEY,
            None,
        ),
    )
    .build()
    .unwrap();

    let e = stop_service_error(&client, DEMO).await;
    assert_eq!(e.code(), "AuthFailure.SecretIdNotFound");
    assert!(
        matches!(common(e), CommonError::AuthFailureSecretIdNotFound(_)),
        "wrong variant"
    );
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));
}
}

e2e_test! {
async fn session_token_the_emulator_does_not_accept_gets_token_failure(scheme) {
    // Temporary credentials: the emulator requires exactly this X-TC-Token.
    let emu = start(scheme.config().credential(
        Credential::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).with_token("current-session"),
    ))
    .await;
    let with_token = |token: &str| -> Client {
        builder_with(
            &emu,
            Credentials::new(
                DEFAULT_SECRET_ID,
                DEFAULT_SECRET_KEY,
                Some(token.to_owned()),
            ),
        )
        .build()
        .unwrap()
    };

    let e = stop_service_error(&with_token("expired-session"), DEMO).await;
    assert_eq!(e.code(), "AuthFailure.TokenFailure");
    assert!(
        matches!(common(e), CommonError::AuthFailureTokenFailure(_)),
        "wrong variant"
    );
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));

    // Control: the same keys with the accepted token go through.
    with_token("current-session")
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("the accepted token works");
}
}

e2e_test! {
async fn request_six_minutes_old_for_the_server_gets_signature_expire(scheme) {
    // The SDK always signs with the current time, so the emulator's clock is moved six
    // minutes ahead instead: to it, every request looks six minutes old.
    let emu = start(scheme.config().clock_offset_secs(6 * 60)).await;
    let e = stop_service_error(&client(&emu), DEMO).await;
    assert_eq!(e.code(), "AuthFailure.SignatureExpire");
    assert!(
        matches!(common(e), CommonError::AuthFailureSignatureExpire(_)),
        "wrong variant"
    );
    assert_eq!(emu.instance_state(DEMO), Some(InstanceState::Running));

    // Control: four minutes off is within the 5-minute tolerance.
    let emu = start(scheme.config().clock_offset_secs(4 * 60)).await;
    client(&emu)
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect("a request within the clock tolerance is accepted");
}
}
