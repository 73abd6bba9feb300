//! Waiters: the runtime's wait loop ([`hai_runtime::waiters`]) for HAI's resources.
//!
//! ```no_run
//! # async fn demo(client: hai_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use hai_sdk::stop_instance::StopInstanceRequest;
//! client.stop_instance(StopInstanceRequest::new("hai-dunyfddn")).await?;
//! let instance = client.wait_until_instance_stopped("hai-dunyfddn").await?;
//! println!("{:?}", instance.instance_state);
//! # Ok(()) }
//! ```
//!
//! | Resource | Polls | Waiters | Table |
//! |---|---|---|---|
//! | instance | `DescribeInstances` | `wait_until_instance_running`, `_stopped` (`STOPPED_NO_CHARGE`), `_terminated` | [`can_reach`] |
//! | inference service | `DescribeServices` | `wait_until_service_running` | [`service_can_reach`](crate::describe_services::service_can_reach) |
//! | application | `DescribeApplications` | `wait_until_application_online` | [`application_can_reach`](crate::describe_applications::application_can_reach) |
//!
//! Instances can no longer reach a target from these states:
//!
//! | Target              | Unreachable from |
//! |---------------------|------------------|
//! | `PENDING`           | every other state (an instance is pending only once, at launch) |
//! | `LAUNCH_FAILED`     | every state but `PENDING` |
//! | `RUNNING`           | `LAUNCH_FAILED`, `TERMINATING`, `TERMINATED` |
//! | `STOPPED_NO_CHARGE` | `LAUNCH_FAILED`, `TERMINATING`, `TERMINATED` |
//! | `ARREARS`           | `LAUNCH_FAILED`, `TERMINATING`, `TERMINATED` |
//! | `TERMINATING`       | `TERMINATED` |
//! | `TERMINATED`        | none |
//!
//! Every other combination keeps polling: `ARREARS` returns to service once the bill is paid,
//! and a stopped instance runs again after `StartInstance`. A state this SDK version does not
//! know (`InstanceState::Unknown`) also keeps polling.

pub use hai_runtime::waiters::{wait_for_state, Resource, WaiterConfig};

use crate::describe_instances::DescribeInstancesError;
use crate::types::InstanceState;

/// Why a wait ended without the resource reaching the target state: the runtime's
/// [`WaitError`](hai_runtime::waiters::WaitError), its parameters defaulting to instances'.
pub type WaitError<S = InstanceState, E = DescribeInstancesError> =
    hai_runtime::waiters::WaitError<S, E>;

/// Whether an instance in `state` can still reach `target` (see the module's table).
pub fn can_reach(state: &InstanceState, target: &InstanceState) -> bool {
    crate::describe_instances::instance_can_reach(state, target)
}
