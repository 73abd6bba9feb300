// StopMode has only the documented values: a made-up variant does not exist.
use hai_sdk::types::StopMode;

fn main() {
    let _ = StopMode::StopNow;
}
