//! Idempotency tokens: an action with a `ClientToken` gets one filled per call, so every retry
//! of that call carries the same token; a token the caller set is sent unchanged.

use crate::runtime_support;

use hai_sdk::run_instances::RunInstancesRequest;
use runtime_support::*;

const OK: &str = r#"{"Response":{"InstanceIdSet":["hai-abcdefgh"],"RequestId":"r2"}}"#;

fn token_of(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).expect("request body is JSON");
    v["ClientToken"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn retries_of_one_call_reuse_the_filled_token_and_calls_get_fresh_ones() {
    let server = Server::start(vec![
        Reply::error(500, "InternalError", "x", "r1"),
        Reply::json(200, OK),
        Reply::json(200, OK),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let req = RunInstancesRequest::new("app-12345678", "XL");
    assert_eq!(req.client_token, None);
    // RunInstances is idempotent in the spec, so the 500 is retried without opting in.
    let out = client
        .run_instances(req.clone())
        .await
        .expect("second attempt succeeds");
    assert_eq!(out.request_id, "r2");
    client.run_instances(req).await.expect("another call");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let tokens: Vec<String> = requests
        .iter()
        .map(|r| token_of(&r.body).expect("a ClientToken is sent"))
        .collect();
    assert_eq!(tokens[0], tokens[1], "a retry repeats the call's token");
    assert_ne!(tokens[1], tokens[2], "a new call gets a new token");
    assert_eq!(tokens[0].len(), 36, "a UUID: {}", tokens[0]);
}

#[tokio::test]
async fn a_token_set_by_the_caller_is_kept() {
    let server = Server::start(vec![Reply::json(200, OK)]).await;
    let client = builder(&server).build().unwrap();
    let req = RunInstancesRequest::new("app-12345678", "XL").client_token("my-token-1");
    client.run_instances(req).await.unwrap();
    assert_eq!(
        token_of(&server.requests()[0].body).as_deref(),
        Some("my-token-1")
    );
}
