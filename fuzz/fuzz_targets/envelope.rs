//! The response envelope and error decoding: the error probe, the client's response
//! classification, and the envelope decode of a generated response type.
//!
//! Oracle: a body that is valid JSON and has a `Response.Error` member must end in an
//! error, whatever the member's shape; a failed call must never look like a success.
#![no_main]

use hai_runtime::__fuzz::{self, ProbeOutcome};
use hai_sdk::describe_instances::DescribeInstancesRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let answer = __fuzz::answer::<DescribeInstancesRequest>(200, data);
    if let Err(e) = &answer {
        // Displaying an error sanitises service text; it must hold no raw line break.
        let shown = e.to_string();
        assert!(
            !shown.contains(['\n', '\r']),
            "an error's Display breaks the line: {shown:?}"
        );
        // The same body under a non-2xx status takes the classification's other branches.
        // Most inputs are not JSON at all; for those, only every other length pays for the
        // second pass, which keeps the run fast without losing the branch.
        let not_json = matches!(e, hai_sdk::Error::Decode(_));
        if !not_json || data.len() % 2 == 0 {
            assert!(
                __fuzz::classify(502, data).is_err(),
                "a 502 answer was classified as a success"
            );
        }
    }

    // The oracle needs a JSON tree; a key `Error` needs an `E` or an escape, so bodies with
    // neither skip the (comparatively slow) tree. This filter is the target's own, so it
    // cannot share a blind spot with the SDK's pre-check.
    if memchr(b'E', data).is_none() && memchr(b'\\', data).is_none() {
        return;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if value.get("Response").and_then(|r| r.get("Error")).is_some() {
        assert!(
            __fuzz::may_carry_error(data),
            "the pre-check skipped a body with Response.Error"
        );
        let probed = __fuzz::probe(data);
        assert!(
            matches!(
                probed,
                ProbeOutcome::Service | ProbeOutcome::Malformed | ProbeOutcome::Unparseable
            ),
            "the probe missed Response.Error: {probed:?}"
        );
        assert!(
            answer.is_err(),
            "Response.Error decoded as a successful DescribeInstances"
        );
    }
});

fn memchr(byte: u8, data: &[u8]) -> Option<usize> {
    data.iter().position(|&b| b == byte)
}
