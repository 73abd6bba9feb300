//! Every vector of `hai-spec/reference/tc3-vectors.json` (Tencent's published vectors and the
//! official Python SDK's), every intermediate string compared.

use hai_sdk::signer::{hex, sign, signing_key_chain, Payload, SigningInput};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hai-spec/reference/tc3-vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("hai-spec/reference/tc3-vectors.json");
    serde_json::from_str(&text).expect("vectors are JSON")
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string {key}"))
}

#[test]
fn all_vectors_match_every_intermediate_string() {
    let doc = vectors();
    let list = doc["vectors"].as_array().expect("vectors array");
    assert_eq!(list.len() as u64, doc["count"].as_u64().unwrap());
    assert!(list.len() >= 9);
    for v in list {
        let id = s(v, "id");
        let input = &v["input"];
        let exp = &v["expected"];
        let req = &exp["sdk_request"];
        let headers = &req["headers"];
        let method = s(input, "method");
        // The body as sent: the published payload, or the SDK's serialisation of params.
        let body = input["payload"].as_str().unwrap_or_else(|| s(req, "body"));
        let content_type = input["content_type"]
            .as_str()
            .unwrap_or_else(|| s(headers, "Content-Type"));
        let unsigned = input["unsigned_payload"].as_bool().unwrap_or(false);
        let payload = if unsigned {
            Payload::Unsigned
        } else if method == "GET" {
            Payload::Bytes(b"")
        } else {
            Payload::Bytes(body.as_bytes())
        };
        let sig = sign(&SigningInput {
            secret_id: s(input, "secret_id"),
            secret_key: s(input, "secret_key"),
            service: s(input, "service"),
            host: s(input, "host"),
            content_type,
            method,
            query: input["query"].as_str().unwrap_or(""),
            payload,
            timestamp: input["timestamp"].as_u64().unwrap(),
        });
        assert_eq!(sig.date, s(exp, "date"), "{id}: date");
        assert_eq!(
            sig.credential_scope,
            s(exp, "credential_scope"),
            "{id}: scope"
        );
        assert_eq!(
            sig.signed_headers,
            s(exp, "signed_headers"),
            "{id}: signed headers"
        );
        assert_eq!(
            sig.hashed_request_payload,
            s(exp, "hashed_request_payload"),
            "{id}: payload hash"
        );
        assert_eq!(
            sig.canonical_request,
            s(exp, "canonical_request"),
            "{id}: canonical request"
        );
        assert_eq!(
            sig.hashed_canonical_request,
            s(exp, "hashed_canonical_request"),
            "{id}: hashed canonical"
        );
        assert_eq!(
            sig.string_to_sign,
            s(exp, "string_to_sign"),
            "{id}: string to sign"
        );
        let [d, sv, sg] = signing_key_chain(s(input, "secret_key"), &sig.date, s(input, "service"));
        assert_eq!(hex(&d), s(exp, "secret_date_hex"), "{id}: secret date");
        assert_eq!(
            hex(&sv),
            s(exp, "secret_service_hex"),
            "{id}: secret service"
        );
        assert_eq!(
            hex(&sg),
            s(exp, "secret_signing_hex"),
            "{id}: secret signing"
        );
        assert_eq!(sig.signature, s(exp, "signature"), "{id}: signature");
        assert_eq!(
            sig.authorization,
            s(exp, "authorization"),
            "{id}: authorization"
        );
        assert_eq!(
            sig.authorization,
            s(headers, "Authorization"),
            "{id}: header"
        );
    }
}

#[test]
fn debug_of_input_hides_the_key() {
    let input = SigningInput {
        secret_id: "AKIDexample",
        secret_key: "super-secret-key",
        service: "hai",
        host: "hai.tencentcloudapi.com",
        content_type: "application/json",
        method: "POST",
        query: "",
        payload: Payload::Bytes(b"{}"),
        timestamp: 1,
    };
    assert!(!format!("{input:?}").contains("super-secret-key"));
}

/// Any change of body, host, content type, timestamp, service or key changes the signature.
mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct Input {
        key: String,
        service: String,
        host: String,
        content_type: String,
        body: Vec<u8>,
        timestamp: u64,
    }

    fn input() -> impl Strategy<Value = Input> {
        (
            "[A-Za-z0-9]{1,40}",
            "[a-z][a-z0-9]{0,11}",
            "[a-z0-9.-]{1,40}(:[0-9]{1,5})?",
            "[a-z]{1,12}/[a-z0-9.+-]{1,20}(; charset=utf-8)?",
            proptest::collection::vec(any::<u8>(), 0..256),
            0u64..4_102_444_800,
        )
            .prop_map(
                |(key, service, host, content_type, body, timestamp)| Input {
                    key,
                    service,
                    host,
                    content_type,
                    body,
                    timestamp,
                },
            )
    }

    fn signature(i: &Input) -> String {
        sign(&SigningInput {
            secret_id: "AKIDexample",
            secret_key: &i.key,
            service: &i.service,
            host: &i.host,
            content_type: &i.content_type,
            method: "POST",
            query: "",
            payload: Payload::Bytes(&i.body),
            timestamp: i.timestamp,
        })
        .authorization
    }

    proptest! {
        #[test]
        fn every_input_changes_the_signature(a in input(), b in input(), which in 0usize..6) {
            let mut changed = a.clone();
            match which {
                0 => changed.body = b.body.clone(),
                1 => changed.host = b.host.clone(),
                2 => changed.content_type = b.content_type.clone(),
                3 => changed.timestamp = b.timestamp,
                4 => changed.service = b.service.clone(),
                _ => changed.key = b.key.clone(),
            }
            let same = match which {
                0 => a.body == b.body,
                1 => a.host == b.host,
                2 => a.content_type == b.content_type,
                3 => a.timestamp == b.timestamp,
                4 => a.service == b.service,
                _ => a.key == b.key,
            };
            prop_assume!(!same);
            prop_assert_ne!(signature(&a), signature(&changed));
        }

        #[test]
        fn a_one_byte_change_of_the_body_changes_the_signature(
            a in input(),
            at in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            prop_assume!(!a.body.is_empty());
            let mut changed = a.clone();
            let i = at.index(a.body.len());
            changed.body[i] ^= flip;
            prop_assert_ne!(signature(&a), signature(&changed));
        }
    }
}
