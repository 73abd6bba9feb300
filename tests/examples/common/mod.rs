//! Shared set-up of the cookbook examples: logging, and a client for Tencent Cloud when
//! credentials are configured, else for an in-process emulator.

#![allow(dead_code)] // each example uses a different part of this module

use std::io::IsTerminal;
use std::process::ExitCode;

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Seed};
use hai_sdk::credentials::{CredentialsError, DefaultChain, ProvideCredentials};
use hai_sdk::{Client, Credentials, RetryPolicy};

/// Attempts per call: more than the default 3, so bursts of calls ride out throttling.
const MAX_ATTEMPTS: u32 = 8;

/// Extra running instances the emulator starts with, so listings span several pages.
const EXTRA_INSTANCES: usize = 45;

/// The end of every example's `--help`: where the credentials, endpoint and region come from.
pub const AFTER_HELP: &str = "\
Credentials come from the default chain (environment, ~/.tencentcloud/credentials, CVM role,
TKE OIDC, tccli's ~/.tccli/default.credential); the endpoint from TENCENTCLOUD_ENDPOINT_URL_HAI
or TENCENTCLOUD_ENDPOINT_URL (else Tencent Cloud) and the region from TENCENTCLOUD_REGION.
With no credentials the example starts the HAI emulator in this process and says so.
RUST_LOG=hai_runtime=debug shows every call, retry and waiter poll on stderr.";

/// A client, and the emulator it talks to when no credentials were found.
pub struct Setup {
    pub client: Client,
    /// Kept alive for the example's lifetime; `None` against Tencent Cloud.
    pub emulator: Option<EmulatorHandle>,
}

/// Installs a `tracing` subscriber on stderr filtered by `RUST_LOG` (default: warnings
/// only), coloured only when stderr is a terminal (no escape codes in a pipe or a file).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The one line an example prints when it runs against the emulator it started.
fn announce_emulator(endpoint: &str) {
    println!("no credentials configured: using the built-in HAI emulator at {endpoint}");
}

/// Resolves credentials through the default chain (environment, profile file, CVM role, TKE
/// OIDC, tccli's credential file). When it finds none, starts the emulator on 127.0.0.1 and
/// says so in one line.
pub async fn setup() -> Result<Setup, Box<dyn std::error::Error>> {
    init_tracing();
    match DefaultChain::new().provide_credentials().await {
        Ok(_) => Ok(Setup {
            client: Client::builder()
                .from_env()
                .retry_policy(RetryPolicy::new().with_max_attempts(MAX_ATTEMPTS))
                .build()?,
            emulator: None,
        }),
        Err(CredentialsError::NoneFound(_)) => {
            // The default seed without its deliberately broken instance (`hai-broken01`,
            // which would make stop_all fail), plus a few dozen running ones.
            let mut seed = Seed::default();
            seed.instances.retain(|i| i.fail_with.is_none());
            let config = EmulatorConfig::default()
                .seed(seed)
                .extra_instances(EXTRA_INSTANCES);
            let emulator = Emulator::start(config)
                .await
                .map_err(|e| format!("cannot start the emulator: {e}"))?;
            announce_emulator(&emulator.endpoint());
            let cred = &emulator.credentials()[0];
            let client = Client::builder()
                .region(
                    std::env::var("TENCENTCLOUD_REGION").unwrap_or_else(|_| "ap-guangzhou".into()),
                )
                .credentials(Credentials::new(
                    cred.secret_id.clone(),
                    cred.secret_key.clone(),
                    None,
                ))
                .endpoint(emulator.endpoint())
                .endpoint_from_env(false)
                .retry_policy(RetryPolicy::new().with_max_attempts(MAX_ATTEMPTS))
                .build()?;
            Ok(Setup {
                client,
                emulator: Some(emulator),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses the command line as clap refuses it: the message and the usage on stderr, exit
/// status 2. For what only the set-up can tell, e.g. an argument the emulator has a default
/// for but Tencent Cloud has not.
pub fn refuse<A: clap::CommandFactory>(message: impl std::fmt::Display) -> ! {
    A::command()
        .bin_name(env!("CARGO_BIN_NAME"))
        .error(clap::error::ErrorKind::MissingRequiredArgument, message)
        .exit()
}

/// Prints an error (its `Display` names the action and carries code, message and
/// RequestId) and fails.
pub fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}
