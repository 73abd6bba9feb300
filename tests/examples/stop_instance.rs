//! Stops one HAI instance and shows its state before and after.
//!
//! `cargo run --example stop_instance -- [INSTANCE_ID]` (default `hai-dunyfddn`).
//!
//! Credentials come from the default chain (environment, profile file, CVM role, TKE OIDC,
//! tccli's credential file). When it finds none, as on a fresh machine, the example starts the
//! local HAI emulator in this process and talks to it instead (`common::setup`). With
//! credentials it uses the endpoint from `TENCENTCLOUD_ENDPOINT_URL_HAI` /
//! `TENCENTCLOUD_ENDPOINT_URL` (else Tencent Cloud) and the region from `TENCENTCLOUD_REGION`,
//! and never starts the emulator. Set `RUST_LOG=hai_runtime=debug` to see each attempt.

mod common;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::{InstanceState, StopMode};
use hai_sdk::Client;

/// Stops one HAI instance (stop mode STOP_CHARGE) and prints its state before and after.
#[derive(Parser)]
#[command(after_help = common::AFTER_HELP)]
struct Args {
    /// The instance to stop
    #[arg(value_name = "INSTANCE_ID", default_value = "hai-dunyfddn")]
    instance_id: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // Keep the emulator, if one was started, alive until the end of `main`.
    let setup = match common::setup().await {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    match run(&setup.client, &args.instance_id).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => common::fail(message),
    }
}

async fn run(client: &Client, id: &str) -> Result<(), String> {
    let before = state(client, id).await?;
    println!("{id}: state before: {before}");

    let request = StopInstanceRequest::new(id).stop_mode(StopMode::StopCharge);
    let out = client
        .stop_instance(request)
        .await
        .map_err(|e| match e.service_error() {
            // A service error: code, message and RequestId, as the user needs them for support.
            Some(s) => format!(
                "{} {} (RequestId: {})",
                s.code(),
                s.message(),
                s.request_id()
            ),
            None => e.to_string(),
        })?;
    let task = out
        .task_id
        .map_or_else(|| "-".to_owned(), |t| t.to_string());
    println!(
        "{id}: StopInstance accepted: TaskId {task}, RequestId {}",
        out.request_id
    );

    // Stopping takes a moment; poll until the state leaves RUNNING (at most ~30 s).
    let mut after = state(client, id).await?;
    for _ in 0..60 {
        if after != InstanceState::Running.as_str() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        after = state(client, id).await?;
    }
    println!("{id}: state after: {after}");
    Ok(())
}

async fn state(client: &Client, id: &str) -> Result<String, String> {
    let out = client
        .describe_instances(DescribeInstancesRequest::new().instance_ids([id.to_owned()]))
        .await
        .map_err(|e| e.to_string())?;
    let instance = out
        .instance_set
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| format!("instance {id} not found"))?;
    Ok(instance
        .instance_state
        .map_or_else(|| "unknown".to_owned(), |s| s.as_str().to_owned()))
}
