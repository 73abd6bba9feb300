//! The CVM metadata service's answers: the role listing and the credential JSON.
//!
//! Oracles: a role name that is accepted is one of the listing's lines, trimmed; credentials
//! that are accepted carry the JSON's non-empty id and key, a token and an expiry.
#![no_main]

use hai_runtime::__fuzz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(role) = __fuzz::metadata_role(data) {
        let text = String::from_utf8_lossy(data);
        assert!(
            text.lines().any(|l| l.trim() == role),
            "role {role:?} is not a line of the listing"
        );
    }
    match __fuzz::metadata_credentials("fuzz-role", data) {
        Ok(c) => {
            assert!(!c.secret_id().is_empty() && !c.secret_key().is_empty());
            assert!(c.token().is_some(), "metadata credentials without a token");
            assert!(
                c.expiry().is_some(),
                "metadata credentials without an expiry"
            );
        }
        Err(e) => {
            // The error is shown to users; it must never echo the answer's secrets.
            let shown = e.to_string();
            if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(data) {
                let code = m.get("Code").and_then(|c| c.as_str()).unwrap_or("");
                if let Some(key) = m.get("TmpSecretKey").and_then(|k| k.as_str()) {
                    // A long alphanumeric key cannot occur in our own wording by chance; the
                    // service's `Code` is shown on purpose, so a key inside it proves nothing.
                    let distinctive =
                        key.len() >= 16 && key.bytes().all(|b| b.is_ascii_alphanumeric());
                    assert!(
                        !distinctive || code.contains(key) || !shown.contains(key),
                        "an error shows the secret key"
                    );
                }
            }
        }
    }
});
