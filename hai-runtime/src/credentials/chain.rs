//! The default provider chain: environment, profile file, CVM role, TKE OIDC, tccli's files.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::cache::{Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::cvm::{CvmRoleProvider, DEFAULT_METADATA_URL};
use super::env::{Env, EnvironmentProvider};
use super::profile::{ProfileProvider, DEFAULT_SYSTEM_CREDENTIALS_FILE};
use super::sts::StsConfig;
use super::tccli::TccliProvider;
use super::tke::TkeOidcProvider;
use super::{CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

/// Finds credentials the way tccli and the official SDKs do, in their order: environment,
/// profile file, CVM instance role, TKE OIDC; then tccli's own credential file
/// (`~/.tccli/<$TCCLI_PROFILE or default>.credential`, see [`super::TccliProvider`]), so a
/// machine set up only with `tccli configure` works too. Last, so that adding it changes
/// nothing for anyone the earlier providers already served.
///
/// A provider with nothing configured is skipped; the first that yields credentials wins and is
/// used alone from then on (so a later refresh failure is reported, never papered over with
/// another identity). Any other error (a half-set environment, a malformed file, STS refusing
/// the role) stops the search: it is the identity the user configured, and its error is the
/// one to fix. When every provider is unconfigured, [`CredentialsError::NoneFound`] lists
/// each one and why.
#[derive(Debug)]
pub struct DefaultChain(ChainProvider);

/// Providers tried in order, the rule of [`DefaultChain`] over any list: a provider with
/// nothing configured is skipped, the first that yields credentials wins and is used alone
/// from then on, any other error stops the search. When none is configured,
/// [`CredentialsError::NoneFound`] lists each provider once (the lists of nested chains are
/// merged, so a chain that contains a [`DefaultChain`] does not repeat its names).
///
/// ```
/// use hai_runtime::credentials::{ChainProvider, DefaultChain, EnvironmentProvider, TccliProvider};
///
/// // tccli's order: the environment, then tccli's files, then the rest of the default chain.
/// let defaults = DefaultChain::builder().providers();
/// let chain = ChainProvider::new()
///     .with(defaults.environment)
///     .with(TccliProvider::from_env())
///     .with(defaults.profile)
///     .with(defaults.cvm_role)
///     .with(defaults.tke_oidc);
/// assert_eq!(chain.len(), 5);
/// ```
#[derive(Debug, Default)]
pub struct ChainProvider {
    providers: Vec<Box<dyn ProvideCredentials>>,
    winner: OnceLock<usize>,
}

/// The providers of the [`DefaultChain`], configured by one [`DefaultChainBuilder`], to be
/// composed in another order or with others through [`ChainProvider`].
#[derive(Debug)]
#[non_exhaustive]
pub struct DefaultProviders {
    /// `TENCENTCLOUD_SECRET_ID`, `_SECRET_KEY`, `_SESSION_TOKEN`.
    pub environment: EnvironmentProvider,
    /// `~/.tencentcloud/credentials` and the machine-wide file.
    pub profile: ProfileProvider,
    /// The CVM instance role from the metadata service.
    pub cvm_role: CvmRoleProvider,
    /// TKE's OIDC web identity.
    pub tke_oidc: TkeOidcProvider,
    /// tccli's `~/.tccli/<$TCCLI_PROFILE or default>.credential`.
    pub tccli: TccliProvider,
}

impl ChainProvider {
    /// An empty chain (it finds nothing until providers are added).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a provider.
    pub fn with(mut self, provider: impl ProvideCredentials) -> Self {
        self.providers.push(Box::new(provider));
        self
    }

    /// Appends a provider already boxed.
    pub fn with_boxed(mut self, provider: Box<dyn ProvideCredentials>) -> Self {
        self.providers.push(provider);
        self
    }

    /// How many providers the chain holds.
    pub fn len(&self) -> usize {
        self.providers.len()
    }

    /// Whether the chain holds no provider.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    async fn provide(&self) -> super::Result {
        if let Some(&i) = self.winner.get() {
            return self.providers[i].provide_credentials().await;
        }
        let mut skipped: Vec<(&'static str, String)> = Vec::with_capacity(self.providers.len());
        let mut skip = |provider: &'static str, reason: String| {
            if !skipped.iter().any(|(p, r)| *p == provider && *r == reason) {
                skipped.push((provider, reason));
            }
        };
        for (i, p) in self.providers.iter().enumerate() {
            match p.provide_credentials().await {
                Ok(c) => {
                    let _ = self.winner.set(i);
                    tracing::debug!(provider = c.provider_name(), "credentials found");
                    return Ok(c);
                }
                Err(CredentialsError::NotConfigured { provider, reason }) => skip(provider, reason),
                Err(CredentialsError::NoneFound(list)) => {
                    for (provider, reason) in list {
                        skip(provider, reason);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(CredentialsError::NoneFound(skipped))
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.provide())
    }
}

/// Options of a [`DefaultChain`], mainly so tests can inject the environment, paths and
/// endpoints.
#[derive(Debug)]
pub struct DefaultChainBuilder {
    env: Env,
    home: Option<PathBuf>,
    system_file: PathBuf,
    metadata_url: String,
    metadata_connect_timeout: Duration,
    metadata_timeout: Duration,
    sts: StsConfig,
    margin: Duration,
    clock: Arc<dyn Clock>,
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
    /// The chain over the real environment, home directory and metadata service.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Options: environment, home, system file, metadata URL and timeouts, STS, refresh
    /// margin, clock.
    pub fn builder() -> DefaultChainBuilder {
        DefaultChainBuilder {
            env: Env::process(),
            home: None,
            system_file: PathBuf::from(DEFAULT_SYSTEM_CREDENTIALS_FILE),
            metadata_url: DEFAULT_METADATA_URL.into(),
            metadata_connect_timeout: Duration::from_secs(1),
            metadata_timeout: Duration::from_secs(3),
            sts: StsConfig::default(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
        }
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.0.provide_credentials()
    }
}

impl DefaultChainBuilder {
    /// Environment for every provider (tests).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }
    /// Home directory for the profile provider (default `$HOME`).
    pub fn home_dir(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }
    /// Machine-wide credentials file (default [`DEFAULT_SYSTEM_CREDENTIALS_FILE`]).
    pub fn system_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.system_file = path.into();
        self
    }
    /// CVM metadata base URL (default [`DEFAULT_METADATA_URL`]).
    pub fn metadata_url(mut self, url: impl Into<String>) -> Self {
        self.metadata_url = url.into();
        self
    }
    /// Metadata connect and total timeouts (defaults 1 s and 3 s).
    pub fn metadata_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.metadata_connect_timeout = connect;
        self.metadata_timeout = total;
        self
    }
    /// STS endpoint, region and version for role-assuming providers.
    pub fn sts(mut self, sts: StsConfig) -> Self {
        self.sts = sts;
        self
    }
    /// Refresh temporary credentials this long before expiry (default 5 minutes).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }
    /// Use another clock (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Builds the chain; nothing is read or fetched until first use.
    pub fn build(self) -> DefaultChain {
        let p = self.providers();
        DefaultChain(
            ChainProvider::new()
                .with(p.environment)
                .with(p.profile)
                .with(p.cvm_role)
                .with(p.tke_oidc)
                .with(p.tccli),
        )
    }

    /// The chain's providers with these options, to compose a chain of another order.
    pub fn providers(self) -> DefaultProviders {
        let mut profile = ProfileProvider::builder()
            .env(self.env.clone())
            .system_file(self.system_file)
            .sts(self.sts.clone())
            .refresh_margin(self.margin)
            .clock(self.clock.clone());
        if let Some(h) = self.home.clone() {
            profile = profile.home_dir(h);
        }
        let cvm = CvmRoleProvider::builder()
            .metadata_url(self.metadata_url)
            .connect_timeout(self.metadata_connect_timeout)
            .timeout(self.metadata_timeout)
            .refresh_margin(self.margin)
            .clock(self.clock.clone());
        let tccli = TccliProvider::with_env(self.env.clone(), self.home.clone())
            .sts(self.sts.clone())
            .refresh(self.margin, self.clock.clone());
        let tke = TkeOidcProvider::builder()
            .env(self.env.clone())
            .sts(self.sts)
            .refresh_margin(self.margin)
            .clock(self.clock);
        DefaultProviders {
            environment: EnvironmentProvider::with_env(self.env),
            profile: profile.build(),
            cvm_role: cvm.build(),
            tke_oidc: tke.build(),
            tccli,
        }
    }
}
