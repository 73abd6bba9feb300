//! Typed async client for Tencent Cloud HAI (API `2023-08-12`): the tree `hai-codegen`
//! generates from HAI's spec, on the shared runtime (`hai-runtime`, re-exported here whole,
//! so `hai_sdk::credentials`, `hai_sdk::error`, `hai_sdk::Config`, ... are the runtime's).
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use hai_sdk::stop_instance::StopInstanceRequest;
//!
//! let client = hai_sdk::Client::from_env()?;
//! let out = client.stop_instance(StopInstanceRequest::new("hai-dunyfddn")).await?;
//! println!("task {:?}", out.task_id);
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! - `blocking`: `blocking::Client`, the same methods returning their
//!   results, for synchronous programs (see the runtime's `blocking` module for when to use
//!   it); off by default.
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use hai_sdk::stop_instance::StopInstanceRequest;
//! use hai_sdk::types::StopMode;
//!
//! let client = hai_sdk::blocking::Client::from_env()?;
//! let out = client
//!     .stop_instance(StopInstanceRequest::new("hai-dunyfddn").stop_mode(StopMode::StopCharge))?;
//! println!("task {:?}, request {}", out.task_id, out.request_id);
//! let instance = client.wait_until_instance_stopped("hai-dunyfddn")?;
//! println!("{:?}", instance.instance_state);
//! # Ok(()) }
//! ```
//!
//! - `test-util`: `mock`, typed mock rules for tests (see its docs); off by
//!   default, meant for `[dev-dependencies]`.
//!
//! ```
//! # #[cfg(feature = "test-util")]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use hai_sdk::mock::Mock;
//! use hai_sdk::stop_instance::{StopInstanceRequest, StopInstanceResponse};
//!
//! let mock = Mock::new();
//! let stop = mock
//!     .on::<StopInstanceRequest>()
//!     .matching(|r| r.instance_id == "hai-dunyfddn")
//!     .error("RequestLimitExceeded", "slow down") // throttled: the client retries
//!     .output(StopInstanceResponse::default());
//! let client: hai_sdk::Client = mock.builder().build().unwrap();
//!
//! client
//!     .stop_instance(StopInstanceRequest::new("hai-dunyfddn"))
//!     .await
//!     .unwrap();
//! assert_eq!(stop.calls(), 2);
//! # }
//! # #[cfg(not(feature = "test-util"))]
//! # fn main() {}
//! ```

pub use hai_runtime::*;

// Formatted by prettyplease at generation time; rustfmt would fight `regen --check`.
#[rustfmt::skip]
mod generated;
pub use generated::*;
// The tree's blocking client, which re-exports the runtime's `blocking` items: named here so
// that it, not the runtime's module of the same name, is `hai_sdk::blocking`.
#[cfg(feature = "blocking")]
pub use generated::blocking;

pub mod paginator;
pub mod waiters;

pub use describe_instances::{DescribeInstancesItems, DescribeInstancesPaginator};
pub use waiters::WaitError;

#[cfg(test)]
mod tests;
