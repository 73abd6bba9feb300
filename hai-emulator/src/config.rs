//! How an emulator is set up before it starts.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::seed::Seed;

/// SecretId the emulator accepts when none is configured. Documented test value, not a secret.
pub const DEFAULT_SECRET_ID: &str = "AKIDhaiEmulatorTestSecretId000000000";
/// SecretKey paired with [`DEFAULT_SECRET_ID`]. Documented test value, not a secret.
pub const DEFAULT_SECRET_KEY: &str = "haiEmulatorTestSecretKey000000000";

/// A key pair the emulator accepts, with the session token it then requires (if any).
///
/// `Debug` shows the SecretId only, so configurations can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// Public key id, sent in `Authorization: ... Credential=<SecretId>/...`.
    pub secret_id: String,
    /// Key used to verify TC3 signatures.
    pub secret_key: String,
    /// When set, requests must carry exactly this `X-TC-Token` (temporary credentials);
    /// when unset, requests must carry none.
    pub token: Option<String>,
}

impl Credential {
    /// A permanent key pair (no session token).
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credential {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            token: None,
        }
    }

    /// Temporary credentials: the emulator then also checks `X-TC-Token`.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }
}

impl Default for Credential {
    fn default() -> Self {
        Credential::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// How long simulated operations take. Adjustable at run time through
/// [`EmulatorHandle::set_timings`](crate::EmulatorHandle::set_timings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// StopInstance: time between acceptance and `STOPPED_NO_CHARGE`.
    pub stop: Duration,
    /// StartInstance: time between acceptance and `RUNNING`.
    pub start: Duration,
    /// TerminateInstances: time spent in `TERMINATING`.
    pub terminate: Duration,
    /// RunInstances: time a new instance spends in `PENDING`.
    pub run: Duration,
    /// Time a mutating request holds its instance before the operation is accepted.
    /// Another mutating request for the same instance arriving inside this window gets
    /// `FailedOperation.OperateInstanceRepeatedly`. Zero (the default) makes the window
    /// instantaneous, so only a test that widens it can reach that code deterministically.
    pub accept_window: Duration,
    /// CreateInferServiceByTemplate / DeployInferService: time a new service spends in
    /// `CREATING` before `RUNNING` (or `CREATE_FAILED`).
    pub service_create: Duration,
    /// UpdateServiceConfigs: time a service spends in `UPDATING`.
    pub service_update: Duration,
    /// DeleteService: time a service spends in `DELETING` before it is gone.
    pub service_delete: Duration,
    /// CreateApplication: time a new application spends in `CREATING` before `ONLINE`
    /// (its source instance shows the operation in progress meanwhile).
    pub application_create: Duration,
    /// CreateMuskPrompt: time a prompt task runs (status 0) before it succeeds or fails.
    pub prompt: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            stop: Duration::from_millis(200),
            start: Duration::from_millis(200),
            terminate: Duration::from_millis(200),
            run: Duration::from_millis(200),
            accept_window: Duration::ZERO,
            service_create: Duration::from_millis(200),
            service_update: Duration::from_millis(200),
            service_delete: Duration::from_millis(200),
            application_create: Duration::from_millis(200),
            prompt: Duration::from_millis(200),
        }
    }
}

/// Regions the emulator serves by default (HAI's public regions).
pub const DEFAULT_REGIONS: &[&str] = &[
    "ap-beijing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-guangzhou",
    "ap-hongkong",
    "ap-nanjing",
    "ap-shanghai",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "na-ashburn",
    "na-siliconvalley",
];

/// Everything [`Emulator::start`](crate::Emulator::start) needs. Build it with the chained
/// setters; the defaults suit tests (random loopback port, [`DEFAULT_SECRET_ID`], default seed).
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) seed: Seed,
    pub(crate) timings: Timings,
    pub(crate) rate_limit: bool,
    pub(crate) max_clock_skew: Duration,
    pub(crate) clock_offset_secs: i64,
    pub(crate) regions: Vec<String>,
    pub(crate) spec_json: Option<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: vec![Credential::default()],
            seed: Seed::default(),
            timings: Timings::default(),
            rate_limit: true,
            max_clock_skew: Duration::from_secs(300),
            clock_offset_secs: 0,
            regions: DEFAULT_REGIONS.iter().map(|s| (*s).to_owned()).collect(),
            spec_json: None,
        }
    }
}

impl EmulatorConfig {
    /// Same as `Default::default()`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Address to bind; port 0 picks a free one (see `EmulatorHandle::addr`).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Replaces the accepted credentials with this single one.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credentials = vec![credential];
        self
    }

    /// Accepts one more credential (e.g. a second SecretId for per-key rate limits).
    pub fn add_credential(mut self, credential: Credential) -> Self {
        self.credentials.push(credential);
        self
    }

    /// Initial instances (default: [`Seed::default`]).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Appends `n` generated running instances to the seed (see [`Seed::with_generated`]),
    /// e.g. to page through hundreds of instances.
    pub fn extra_instances(mut self, n: usize) -> Self {
        self.seed = self.seed.with_generated(n);
        self
    }

    /// Initial operation timings.
    pub fn timings(mut self, timings: Timings) -> Self {
        self.timings = timings;
        self
    }

    /// Enables or disables the per-action, per-SecretId rate limit taken from the spec.
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// Largest accepted distance between `X-TC-Timestamp` and the emulator's clock
    /// (default 5 minutes, as the real service).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Shifts the clock the emulator checks `X-TC-Timestamp` against by this many seconds
    /// (positive: the emulator runs ahead), as a server whose clock differs from the
    /// client's. With an offset beyond `max_clock_skew`, a client that signs with the current
    /// time gets `AuthFailure.SignatureExpire`. Default 0.
    pub fn clock_offset_secs(mut self, seconds: i64) -> Self {
        self.clock_offset_secs = seconds;
        self
    }

    /// Regions answered; any other `X-TC-Region` gets `UnsupportedRegion`.
    pub fn regions<I, S>(mut self, regions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.regions = regions.into_iter().map(Into::into).collect();
        self
    }

    /// Serves another spec instead of the embedded HAI one (e.g. a grown spec in a test).
    pub fn spec_json(mut self, text: impl Into<String>) -> Self {
        self.spec_json = Some(text.into());
        self
    }

    /// The credentials that will be accepted.
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }
}
