//! Cookbook: start one stopped instance and wait until it runs.
//!
//! ```sh
//! cargo run --example start_one -- [INSTANCE_ID]    # default: the emulator's hai-stopped1
//! ```
//!
//! Without credentials it runs against an in-process emulator (see `common/mod.rs`).

mod common;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hai_sdk::start_instance::StartInstanceRequest;
use hai_sdk::types::InstanceState;
use hai_sdk::WaiterConfig;

/// Starts one stopped HAI instance and waits until it runs.
#[derive(Parser)]
#[command(after_help = common::AFTER_HELP)]
struct Args {
    /// The instance to start (required with credentials; the emulator's default: hai-stopped1)
    #[arg(value_name = "INSTANCE_ID")]
    instance_id: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let setup = match common::setup().await {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    let client = &setup.client;
    let Some(id) = args
        .instance_id
        .or_else(|| setup.emulator.as_ref().map(|_| "hai-stopped1".to_owned()))
    else {
        common::refuse::<Args>("INSTANCE_ID is required against Tencent Cloud");
    };

    let started = match client
        .start_instance(StartInstanceRequest::new(id.clone()))
        .await
    {
        Ok(r) => r,
        Err(e) => return common::fail(e),
    };
    println!(
        "StartInstance {id}: TaskId {}, RequestId {}",
        started.task_id.unwrap_or_default(),
        started.request_id
    );

    // Poll every 2 s, then 3 s, 4.5 s, ... up to 15 s between polls, for at most 10 minutes.
    let config = WaiterConfig::new()
        .with_initial_delay(Duration::from_secs(2))
        .with_max_delay(Duration::from_secs(15))
        .with_timeout(Duration::from_secs(600));
    match client
        .wait_for_instance_state(id.clone(), InstanceState::Running, config)
        .await
    {
        Ok(instance) => {
            println!(
                "{id} is {} (latest operation {} {})",
                instance
                    .instance_state
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                instance.latest_operation.unwrap_or_default(),
                instance
                    .latest_operation_state
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => common::fail(e),
    }
}
