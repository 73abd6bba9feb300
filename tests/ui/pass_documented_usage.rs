// The documented usage compiles: required id in `new`, optional setters, typed error matching.
use hai_sdk::common_error::CommonError;
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest, StopInstanceResponse};
use hai_sdk::types::StopMode;
use hai_sdk::{Client, Error};

#[allow(dead_code)]
async fn stop(client: &Client) -> Result<StopInstanceResponse, Error<StopInstanceError>> {
    client
        .stop_instance(StopInstanceRequest::new("hai-dunyfddn").stop_mode(StopMode::StopCharge).dry_run(false))
        .await
}

fn describe(e: &StopInstanceError) -> &'static str {
    match e {
        StopInstanceError::UnsupportedOperationInstanceStateStoppedNoCharge(_) => "already stopped",
        StopInstanceError::Common(CommonError::DryRunOperation(_)) => "dry run ok",
        StopInstanceError::Unhandled(_) => "unknown code",
        _ => "other",
    }
}

fn main() {
    let e = StopInstanceError::from(hai_sdk::ErrorMetadata::new("StopInstance", "DryRunOperation", "", "", 200));
    assert_eq!(describe(&e), "dry run ok");
    let mode = StopMode::from("STOP_CHARGE");
    assert_eq!(mode.as_str(), "STOP_CHARGE");
}
