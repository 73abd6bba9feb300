//! The SDK's hint on refused signatures, against the emulator: the clock skew measured from
//! its `Date` header, odd characters in the SecretKey (never shown), and no hint on other
//! codes.

use super::support::*;
use hai_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use hai_sdk::credentials::Credentials;
use hai_sdk::error::KeyIssue;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::Error;

/// Stops the demo instance with `client`, expecting a service error.
async fn refused(client: &hai_sdk::Client) -> Error<hai_sdk::stop_instance::StopInstanceError> {
    client
        .stop_instance(StopInstanceRequest::new(DEMO))
        .await
        .expect_err("the call must be refused")
}

e2e_test! {
async fn an_expired_signature_hints_at_the_clock_skew_from_the_date_header(scheme) {
    // The emulator's clock (and so its Date header) runs an hour ahead of ours.
    let emu = start(scheme.config().clock_offset_secs(3600)).await;
    let err = refused(&client(&emu)).await;
    assert_eq!(err.code(), Some("AuthFailure.SignatureExpire"));
    let hint = err.signature_hint().expect("a hint on SignatureExpire");
    let skew = hint.clock_skew_secs().expect("the emulator sends a Date header");
    // An hour, give or take the Date header's second and the round trip.
    assert!((3590..=3610).contains(&skew), "{skew}");
    assert!(hint.clock_is_off() && hint.found_cause());
    assert_eq!((hint.secret_id_issue(), hint.secret_key_issue()), (None, None));
    let shown = err.to_string();
    assert!(shown.contains("local checks: the local clock is"), "{shown}");
    assert!(shown.contains(" s behind the server's (its Date header)"), "{shown}");
    // The emulator's own message says by how much too.
    assert!(shown.contains("s behind the server time"), "{shown}");
}
}

e2e_test! {
async fn a_wrong_key_hints_that_the_local_checks_found_nothing(scheme) {
    let emu = scheme.emulator().await;
    let client = builder_with(
        &emu,
        Credentials::new(DEFAULT_SECRET_ID, "notTheEmulatorsKey000000000000000", None),
    )
    .build()
    .unwrap();
    let err = refused(&client).await;
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));
    let hint = err.signature_hint().expect("a hint on SignatureFailure");
    assert!(!hint.clock_is_off(), "{hint:?}");
    assert!(hint.clock_skew_secs().is_some());
    assert!(!hint.found_cause(), "{hint:?}");
    let shown = err.to_string();
    assert!(shown.contains("the SecretId and SecretKey are plain printable ASCII"), "{shown}");
    // The emulator names the cause and shows what it expected.
    assert!(shown.contains("so the SecretKey differs"), "{shown}");
    assert!(shown.contains("The canonical request expected: \"POST\\n/\\n"), "{shown}");
    assert!(!shown.contains("notTheEmulatorsKey"), "{shown}");
}
}

e2e_test! {
async fn white_space_inside_the_key_is_named_without_showing_the_key(scheme) {
    let emu = scheme.emulator().await;
    // A key pasted with a space in the middle: past the SDK's leading/trailing check.
    let pasted = DEFAULT_SECRET_KEY.replacen("Test", "Test ", 1);
    let client = builder_with(&emu, Credentials::new(DEFAULT_SECRET_ID, &pasted, None))
        .build()
        .unwrap();
    let err = refused(&client).await;
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));
    let hint = err.signature_hint().expect("a hint");
    assert_eq!(hint.secret_key_issue(), Some(KeyIssue::WhiteSpace));
    assert_eq!(hint.secret_id_issue(), None);
    assert!(hint.found_cause());
    let shown = err.to_string();
    assert!(shown.contains("the SecretKey contains white space"), "{shown}");
    assert!(!shown.contains(&pasted) && !shown.contains(DEFAULT_SECRET_KEY), "{shown}");
    assert!(!format!("{err:?}").contains(&pasted));
}
}

e2e_test! {
async fn other_codes_carry_no_hint(scheme) {
    let emu = scheme.emulator().await;
    let client = builder_with(
        &emu,
        Credentials::new("AKIDnobodyKnowsThisSecretId000000000", DEFAULT_SECRET_KEY, None),
    )
    .build()
    .unwrap();
    let err = refused(&client).await;
    assert_eq!(err.code(), Some("AuthFailure.SecretIdNotFound"));
    assert!(err.signature_hint().is_none());
    assert!(!err.to_string().contains("local checks"));
}
}
