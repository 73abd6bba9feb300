// Error enums are #[non_exhaustive]: new codes may arrive, so a match needs a wildcard arm.
use hai_sdk::stop_instance::StopInstanceError;

fn code(e: &StopInstanceError) -> u8 {
    match e {
        StopInstanceError::FailedOperationOperateInstanceRepeatedly(_) => 1,
        StopInstanceError::InternalError(_) => 2,
        StopInstanceError::InvalidParameterValueDuplicated(_) => 3,
        StopInstanceError::InvalidParameterValueInstanceIdNotFound(_) => 4,
        StopInstanceError::InvalidParameterValueInvalidInstanceIdMalformed(_) => 5,
        StopInstanceError::OperationDeniedInstanceOperationInProgress(_) => 6,
        StopInstanceError::UnsupportedOperationInstanceStateArrears(_) => 7,
        StopInstanceError::UnsupportedOperationInstanceStateLaunchFailed(_) => 8,
        StopInstanceError::UnsupportedOperationInstanceStatePending(_) => 9,
        StopInstanceError::UnsupportedOperationInstanceStateStoppedNoCharge(_) => 10,
        StopInstanceError::UnsupportedOperationInstanceStateTerminated(_) => 11,
        StopInstanceError::Common(_) => 12,
        StopInstanceError::Unhandled(_) => 13,
    }
}

fn main() {
    let _ = code;
}
