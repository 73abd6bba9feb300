// `StopMode::Unknown` only comes from decoding: its payload cannot be built by hand.
use hai_sdk::types::StopMode;
use hai_sdk::UnknownValue;

fn main() {
    let _ = StopMode::Unknown(UnknownValue("STOP_CHARGE".into()));
}
