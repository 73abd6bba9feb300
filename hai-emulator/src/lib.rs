//! A local Tencent Cloud HAI service (API `2023-08-12`) for tests, examples and benchmarks.
//!
//! It checks TC3-HMAC-SHA256 signatures, validates parameters against the spec, keeps the
//! state of instances, inference services, custom applications and prompt tasks, enforces the documented rate limits and answers with the documented
//! envelopes and error codes, so clients (ours and Tencent's official SDKs) can be exercised
//! end to end without reaching Tencent Cloud. Faults can be injected per action at run time.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use hai_emulator::{Emulator, EmulatorConfig, InstanceState};
//! let emu = Emulator::start(EmulatorConfig::default()).await?;
//! println!("endpoint {}", emu.endpoint());
//! assert_eq!(emu.instance_state("hai-dunyfddn"), Some(InstanceState::Running));
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

mod actions;
mod auth;
mod config;
mod error;
mod faults;
mod ratelimit;
mod seed;
mod server;
mod service;
mod state;
mod tc3;
mod validate;

// Internals for the fuzz targets in `fuzz/`; compiled only with `--cfg fuzzing`.
#[cfg(fuzzing)]
#[doc(hidden)]
#[path = "fuzz_api.rs"]
pub mod __fuzz;

pub use actions::EMULATED_ACTIONS;
pub use config::{
    Credential, EmulatorConfig, Timings, DEFAULT_REGIONS, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY,
};
pub use error::ApiError;
pub use faults::{Fault, FaultControl, Times, ANY_ACTION};
pub use seed::Seed;
pub use server::{Emulator, EmulatorHandle, StartError};
pub use state::{
    is_well_formed_id, Application, ApplicationState, ChargeType, ComputeNeed, DeployTemplate,
    Instance, InstanceState, Model, Service, ServiceState, Workflow,
};
