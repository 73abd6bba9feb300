//! Stops one HAI instance and shows its state before and after, like `stop_instance`, with
//! the blocking client (`hai_sdk::blocking::Client`, hai-sdk's `blocking` feature): no
//! `async` in the calls, as in a command-line tool, a build script or a synchronous service.
//!
//! `cargo run --example stop_instance_blocking -- [INSTANCE_ID]` (default `hai-dunyfddn`).
//!
//! Credentials come from the default chain (environment, profile file, CVM role, TKE OIDC,
//! tccli's credential file). When it finds none, as on a fresh machine, the example starts the
//! local HAI emulator in this process and talks to it instead (`common::setup`, run on a
//! small runtime of the example's own that serves the emulator: the blocking client is never
//! called inside an async runtime). With credentials it uses the endpoint from
//! `TENCENTCLOUD_ENDPOINT_URL_HAI` / `TENCENTCLOUD_ENDPOINT_URL` (else Tencent Cloud) and the
//! region from `TENCENTCLOUD_REGION`, and never starts the emulator. Set
//! `RUST_LOG=hai_runtime=debug` to see each attempt.

mod common;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hai_sdk::blocking::Client;
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::{InstanceState, StopMode};

/// Stops one HAI instance (stop mode STOP_CHARGE) and prints its state before and after,
/// with the blocking client.
#[derive(Parser)]
#[command(after_help = common::AFTER_HELP)]
struct Args {
    /// The instance to stop
    #[arg(value_name = "INSTANCE_ID", default_value = "hai-dunyfddn")]
    instance_id: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // The set-up is the async examples' own; the runtime it runs on also serves the emulator,
    // if one was started, until the end of `main`.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return common::fail(format!("cannot start a runtime: {e}")),
    };
    let setup = match runtime.block_on(common::setup()) {
        Ok(s) => s,
        Err(e) => return common::fail(e),
    };
    // The same configuration (credentials, endpoint, region, retries), called blocking.
    let client = Client::new(setup.client.config());
    match run(&client, &args.instance_id) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => common::fail(message),
    }
}

fn run(client: &Client, id: &str) -> Result<(), String> {
    let before = state(client, id)?;
    println!("{id}: state before: {before}");

    let request = StopInstanceRequest::new(id).stop_mode(StopMode::StopCharge);
    let out = client
        .stop_instance(request)
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
    let mut after = state(client, id)?;
    for _ in 0..60 {
        if after != InstanceState::Running.as_str() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
        after = state(client, id)?;
    }
    println!("{id}: state after: {after}");
    Ok(())
}

fn state(client: &Client, id: &str) -> Result<String, String> {
    let out = client
        .describe_instances(DescribeInstancesRequest::new().instance_ids([id.to_owned()]))
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
