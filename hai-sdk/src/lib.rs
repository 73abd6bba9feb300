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
//! - `test-util`: `mock`, typed mock rules for tests (see its docs); off by
//!   default, meant for `[dev-dependencies]`.

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
