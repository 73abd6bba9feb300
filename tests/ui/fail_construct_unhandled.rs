// The unknown-code fallback is sealed: user code cannot fabricate one.
use hai_sdk::error::Unhandled;
use hai_sdk::stop_instance::StopInstanceError;
use hai_sdk::ErrorMetadata;

fn main() {
    let meta = ErrorMetadata::new("StopInstance", "InternalError", "", "", 200);
    let _ = StopInstanceError::Unhandled(Unhandled { meta });
}
