//! Shared set-up for the end-to-end tests: an in-process emulator on 127.0.0.1 with short
//! operation timings, and an SDK client pointed at it.
//!
//! Every end-to-end module of the suite uses it; not every module uses every helper.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use hai_emulator::{Emulator, EmulatorConfig, EmulatorHandle, InstanceState, Timings};
use hai_sdk::credentials::Credentials;
use hai_sdk::stop_instance::{StopInstanceError, StopInstanceRequest};
use hai_sdk::{Client, ClientBuilder, Error};

/// A region the emulator serves.
pub const REGION: &str = "ap-guangzhou";

/// The seed's running example instance.
pub const DEMO: &str = "hai-dunyfddn";

/// Operation timings short enough to keep the suite fast, long enough that a test can
/// observe the in-progress period right after a call returns.
pub fn fast_timings() -> Timings {
    Timings {
        stop: Duration::from_millis(300),
        start: Duration::from_millis(300),
        terminate: Duration::from_millis(300),
        run: Duration::from_millis(300),
        accept_window: Duration::ZERO,
        service_create: Duration::from_millis(300),
        service_update: Duration::from_millis(300),
        service_delete: Duration::from_millis(300),
        application_create: Duration::from_millis(300),
        prompt: Duration::from_millis(300),
    }
}

/// The default emulator configuration with [`fast_timings`].
pub fn config() -> EmulatorConfig {
    EmulatorConfig::default().timings(fast_timings())
}

/// Starts an emulator with [`config`].
pub async fn emulator() -> EmulatorHandle {
    start(config()).await
}

/// Starts an emulator with `config`.
pub async fn start(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config)
        .await
        .expect("the emulator starts on 127.0.0.1")
}

/// A client builder for `emu`, using its first credential, the client-side rate limiter
/// off, no endpoint from the environment and a 5 s timeout (nothing here should take long).
pub fn builder(emu: &EmulatorHandle) -> ClientBuilder {
    let cred = &emu.credentials()[0];
    builder_with(
        emu,
        Credentials::new(&cred.secret_id, &cred.secret_key, cred.token.clone()),
    )
}

/// Like [`builder`] with other credentials.
pub fn builder_with(emu: &EmulatorHandle, credentials: Credentials) -> ClientBuilder {
    Client::builder()
        .endpoint(emu.endpoint())
        .endpoint_from_env(false)
        .region(REGION)
        .credentials(credentials)
        .rate_limit(false)
        .timeout(Some(Duration::from_secs(5)))
}

/// A client for `emu` built by [`builder`].
pub fn client(emu: &EmulatorHandle) -> Client {
    builder(emu).build().expect("the client builds")
}

/// Stops `id`, expecting a service error; checks it carries a RequestId and that its
/// `Display` names the code and the RequestId.
pub async fn stop_service_error(client: &Client, id: &str) -> StopInstanceError {
    let err = client
        .stop_instance(StopInstanceRequest::new(id))
        .await
        .expect_err("the stop must fail");
    service_error(err)
}

/// The service error inside `err` (panics with the error otherwise), checked as
/// [`stop_service_error`] does.
pub fn service_error(err: Error<StopInstanceError>) -> StopInstanceError {
    let e = match err {
        Error::Service(e) => e,
        other => panic!("expected a service error, got {other:?}"),
    };
    assert!(!e.request_id().is_empty(), "no RequestId in {e:?}");
    let shown = e.to_string();
    assert!(shown.contains(e.code()), "{shown:?} does not name the code");
    assert!(
        shown.contains(e.request_id()),
        "{shown:?} does not name the RequestId"
    );
    e
}

/// Waits until the emulator reports `id` in `state`, failing after `within`.
pub async fn wait_for_state(
    emu: &EmulatorHandle,
    id: &str,
    state: InstanceState,
    within: Duration,
) {
    let deadline = Instant::now() + within;
    loop {
        let now = emu.instance_state(id);
        if now == Some(state) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{id} is {now:?}, still not {state:?} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
