//! Stops one HAI instance and shows its state before and after, with the blocking client
//! (`hai_sdk::blocking::Client`, hai-sdk's `blocking` feature): `stop_instance` without
//! `async`, for command-line tools, build scripts and other synchronous programs.
//!
//! `cargo run --example stop_instance_blocking -- [INSTANCE_ID]` (default `hai-dunyfddn`).
//!
//! Credentials come from the default chain (environment, profile file, CVM role, TKE OIDC).
//! When it finds none, as on a fresh machine, the example starts the local HAI emulator in
//! this process and talks to it instead. With credentials it uses the endpoint from
//! `TENCENTCLOUD_ENDPOINT_URL_HAI` / `TENCENTCLOUD_ENDPOINT_URL` (else Tencent Cloud) and the
//! region from `TENCENTCLOUD_REGION`, and never starts the emulator. Set `RUST_LOG=hai_sdk=debug`
//! to see each attempt.

use std::process::ExitCode;
use std::time::Duration;

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use hai_sdk::blocking::Client;
use hai_sdk::credentials::{Credentials, CredentialsError, DefaultChain, ProvideCredentials};
use hai_sdk::describe_instances::DescribeInstancesRequest;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::{InstanceState, StopMode};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "hai-dunyfddn".to_owned());
    match run(&id) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(id: &str) -> Result<(), String> {
    // Keep the emulator (and the runtime serving it) alive until the end of `run`.
    let (client, _emulator) = client()?;

    let before = state(&client, id)?;
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
    let mut after = state(&client, id)?;
    for _ in 0..60 {
        if after != InstanceState::Running.as_str() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
        after = state(&client, id)?;
    }
    println!("{id}: state after: {after}");
    Ok(())
}

/// The emulator and the runtime that serves it: the blocking client must not be called
/// inside an async runtime, so the emulator runs on one of its own, on its own thread.
struct LocalEmulator {
    _handle: EmulatorHandle,
    _runtime: tokio::runtime::Runtime,
}

/// A client for real credentials, or for an in-process emulator when none are configured.
fn client() -> Result<(Client, Option<LocalEmulator>), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    match runtime.block_on(DefaultChain::new().provide_credentials()) {
        Ok(_) => {
            let client = Client::from_env().map_err(|e| e.to_string())?;
            Ok((client, None))
        }
        Err(CredentialsError::NoneFound(_)) => {
            let emulator = runtime
                .block_on(Emulator::start(EmulatorConfig::default()))
                .map_err(|e| format!("cannot start the emulator: {e}"))?;
            let cred = &emulator.credentials()[0];
            println!(
                "no credentials configured: using the built-in HAI emulator at {}",
                emulator.endpoint()
            );
            let client = Client::builder()
                .endpoint(emulator.endpoint())
                .endpoint_from_env(false)
                .region("ap-guangzhou")
                .credentials(Credentials::new(&cred.secret_id, &cred.secret_key, None))
                .build()
                .map_err(|e| e.to_string())?;
            let local = LocalEmulator {
                _handle: emulator,
                _runtime: runtime,
            };
            Ok((client, Some(local)))
        }
        Err(e) => Err(e.to_string()),
    }
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
