// Responses are #[non_exhaustive]: a literal outside hai-sdk is refused (use Default in tests).
use hai_sdk::stop_instance::StopInstanceResponse;

fn main() {
    let _ = StopInstanceResponse { task_id: Some(1), request_id: String::new() };
}
