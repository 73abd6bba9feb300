//! The response envelope and error decoding: the error probe, the client's response
//! classification, and the envelope decode of a generated response type.
//!
//! Oracle: a body that is valid JSON and has a `Response.Error` member must end in an
//! error, whatever the member's shape; a failed call must never look like a success.
#![no_main]

use hai_sdk::__fuzz::{self, ProbeOutcome};
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::stop_instance::StopInstanceRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let probed = __fuzz::probe(data);
    let listed = __fuzz::answer::<DescribeInstancesRequest>(200, data);
    let stopped = __fuzz::answer::<StopInstanceRequest>(200, data);
    // A non-2xx status takes the other branch of the classification.
    let failed = __fuzz::classify(502, data);
    assert!(failed.is_err(), "a 502 answer was classified as a success");
    // Displaying an error sanitises service text; it must not panic either.
    for e in [
        listed.as_ref().err().map(ToString::to_string),
        failed.err().map(|e| e.to_string()),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            !e.contains('\n'),
            "an error's Display holds a raw newline: {e:?}"
        );
    }

    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if value.get("Response").and_then(|r| r.get("Error")).is_some() {
        assert!(
            __fuzz::may_carry_error(data),
            "the pre-check skipped a body with Response.Error"
        );
        assert!(
            matches!(
                probed,
                ProbeOutcome::Service | ProbeOutcome::Malformed | ProbeOutcome::Unparseable
            ),
            "the probe missed Response.Error: {probed:?}"
        );
        assert!(
            listed.is_err(),
            "Response.Error decoded as a successful DescribeInstances"
        );
        assert!(
            stopped.is_err(),
            "Response.Error decoded as a successful StopInstance"
        );
    }
});
