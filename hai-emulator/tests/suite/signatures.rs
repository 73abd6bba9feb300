//! Signature diagnostics: a refused signature's message names the cause the emulator found
//! and shows the canonical request and string to sign it expected, escaped and bounded.

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, InstanceState, DEFAULT_SECRET_KEY};
use hai_sdk::signer::{sign, Payload, Signature, SigningInput};
use serde_json::json;

use crate::common::{send, Call};

async fn start() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts")
}

fn dry() -> Call {
    Call::new(
        "StopInstance",
        json!({ "InstanceId": "hai-dunyfddn", "DryRun": true }),
    )
}

/// What the emulator should expect for `call` sent to `emu`: the SDK signer's output for
/// service `hai`, the emulator's key and the call's own timestamp, host and body.
fn expected(emu: &EmulatorHandle, call: &Call) -> Signature {
    signed(emu, call, "hai", call.timestamp, DEFAULT_SECRET_KEY)
}

fn signed(
    emu: &EmulatorHandle,
    call: &Call,
    service: &str,
    timestamp: u64,
    key: &str,
) -> Signature {
    sign(&SigningInput {
        secret_id: &call.secret_id,
        secret_key: key,
        service,
        host: &emu.addr().to_string(),
        content_type: &call.content_type,
        method: call.method,
        query: &call.query,
        payload: Payload::Bytes(call.body.as_bytes()),
        timestamp,
    })
}

/// `text` as the emulator's messages quote it: newlines (and quotes) escaped.
fn escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Sends `call`, expects SignatureFailure, and returns its message after checking that it
/// shows the canonical request and string to sign the emulator expected.
async fn failure_message(emu: &EmulatorHandle, call: &Call) -> String {
    let raw = send(emu.addr(), call).await;
    assert_eq!(raw.code().as_deref(), Some("AuthFailure.SignatureFailure"));
    let message = raw.json()["Response"]["Error"]["Message"]
        .as_str()
        .expect("a message")
        .to_owned();
    let want = expected(emu, call);
    let canonical = format!(
        "The canonical request expected: \"{}\"",
        escaped(&want.canonical_request)
    );
    assert!(
        message.contains(&canonical),
        "{message}\nwanted {canonical}"
    );
    let sts = format!(
        "The string to sign expected: \"{}\"",
        escaped(&want.string_to_sign)
    );
    assert!(message.contains(&sts), "{message}\nwanted {sts}");
    assert!(!message.chars().any(char::is_control), "{message:?}");
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_naming_another_service_is_named() {
    let emu = start().await;
    let mut c = dry();
    c.authorization = Some(signed(&emu, &c, "cvm", c.timestamp, DEFAULT_SECRET_KEY).authorization);
    let m = failure_message(&emu, &c).await;
    assert!(m.contains("Cause found: the credential scope names service \"cvm\", but this endpoint signs for hai"), "{m}");
    // Where a client of that service should go instead.
    assert!(
        m.contains("this emulator serves hai only, so a client of another service needs that service's own endpoint, e.g. TENCENTCLOUD_ENDPOINT_URL_CVM)"),
        "{m}"
    );
    assert!(!m.contains("SecretKey differs"), "{m}");
    assert_eq!(
        emu.instance_state("hai-dunyfddn"),
        Some(InstanceState::Running)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_date_other_than_the_timestamps_utc_date_is_named() {
    let emu = start().await;
    let mut c = dry();
    // Signed a day earlier, sent with today's X-TC-Timestamp: the scope says yesterday.
    let yesterday = c.timestamp - 86_400;
    c.authorization = Some(signed(&emu, &c, "hai", yesterday, DEFAULT_SECRET_KEY).authorization);
    let m = failure_message(&emu, &c).await;
    let scope_date = hai_sdk::signer::utc_date(yesterday);
    let date = hai_sdk::signer::utc_date(c.timestamp);
    assert!(
        m.contains(&format!(
            "the credential scope date \"{scope_date}\" is not the UTC date of X-TC-Timestamp {}, which is {date}",
            c.timestamp
        )),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_with_everything_else_consistent_is_named_as_such() {
    let emu = start().await;
    let mut c = dry();
    c.secret_key = "notTheEmulatorsKey000000000000000".into();
    let m = failure_message(&emu, &c).await;
    assert!(
        m.contains("Cause found: the credential scope, date, signed headers and timestamp are all consistent, so the SecretKey differs from the one issued for this SecretId, or the bytes signed differ"),
        "{m}"
    );
    // Neither key appears.
    assert!(
        !m.contains(DEFAULT_SECRET_KEY) && !m.contains("notTheEmulatorsKey"),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_causes_are_all_named_and_a_skew_within_the_limit_says_how_much() {
    let emu = start().await;
    let mut c = dry();
    c.timestamp -= 120;
    c.authorization =
        Some(signed(&emu, &c, "cvm", c.timestamp - 86_400, DEFAULT_SECRET_KEY).authorization);
    let m = failure_message(&emu, &c).await;
    assert!(
        m.contains("Causes found: the credential scope names service \"cvm\""),
        "{m}"
    );
    assert!(m.contains("the credential scope date"), "{m}");
    // Two minutes plus however long the request took to arrive.
    assert!(
        m.contains(&format!("X-TC-Timestamp {} is 12", c.timestamp)),
        "{m}"
    );
    assert!(m.contains(" s behind the server clock"), "{m}");
    assert!(!m.contains("all consistent"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_signed_headers_are_named_and_untrusted_text_is_escaped_and_bounded() {
    let emu = start().await;
    let mut c = dry();
    // A header list other than content-type;host, with a hostile value of one of them.
    let evil = format!("x\u{202e}\u{200f}{}", "A".repeat(5000));
    c.extra_headers.push(("X-Evil".into(), evil.clone()));
    c.authorization = Some(format!(
        "TC3-HMAC-SHA256 Credential={}/{}/hai/tc3_request, SignedHeaders=content-type;host;x-evil, Signature={}",
        c.secret_id,
        hai_sdk::signer::utc_date(c.timestamp),
        "0".repeat(64)
    ));
    let raw = send(emu.addr(), &c).await;
    assert_eq!(raw.code().as_deref(), Some("AuthFailure.SignatureFailure"));
    let m = raw.json()["Response"]["Error"]["Message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        m.contains(
            "SignedHeaders is \"content-type;host;x-evil\", not the usual content-type;host"
        ),
        "{m}"
    );
    assert!(m.contains("x-evil:x\\u{202e}\\u{200f}AAAA"), "{m}");
    assert!(m.contains("more bytes)"), "{m}");
    assert!(
        !m.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{m:?}"
    );
    assert!(m.len() < 6000, "{} bytes", m.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_signature_says_by_how_much() {
    let emu = start().await;
    let mut c = dry();
    c.timestamp -= 3600;
    let raw = send(emu.addr(), &c).await;
    assert_eq!(raw.code().as_deref(), Some("AuthFailure.SignatureExpire"));
    let m = raw.json()["Response"]["Error"]["Message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        m.contains(&format!("X-TC-Timestamp {} is 360", c.timestamp)),
        "{m}"
    );
    assert!(m.contains("s behind the server time"), "{m}");
    assert!(m.contains("more than the 300 s allowed"), "{m}");
}
