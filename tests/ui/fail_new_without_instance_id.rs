// InstanceId is required: `new` cannot be called without it.
use hai_sdk::stop_instance::StopInstanceRequest;

fn main() {
    let _ = StopInstanceRequest::new();
}
