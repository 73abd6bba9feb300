//! TKE workload identity: an OIDC token file exchanged with STS `AssumeRoleWithWebIdentity`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use super::cache::{Cache, Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::env::Env;
use super::sts::{Auth, StsClient, StsConfig};
use super::{CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

const PROVIDER: &str = "tke_oidc";
const VARS: [&str; 4] = [
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
];

/// Credentials of a TKE pod's service account role: when `TKE_REGION`, `TKE_PROVIDER_ID`,
/// `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN` are all set, the token file is exchanged
/// with STS `AssumeRoleWithWebIdentity` (unsigned). The file is read again at every refresh
/// because the kubelet rotates it.
#[derive(Debug)]
pub struct TkeOidcProvider {
    env: Env,
    session_name: Option<String>,
    duration: Duration,
    sts: StsClient,
    cache: Cache,
}

/// Options of a [`TkeOidcProvider`].
#[derive(Debug)]
pub struct TkeOidcProviderBuilder {
    env: Env,
    session_name: Option<String>,
    duration: Duration,
    sts: StsConfig,
    margin: Duration,
    clock: Arc<dyn Clock>,
}

impl TkeOidcProvider {
    /// Reads the `TKE_*` variables of the real process environment.
    pub fn from_env() -> Self {
        Self::builder().build()
    }

    /// Options: environment, session name, duration, STS, refresh margin, clock.
    pub fn builder() -> TkeOidcProviderBuilder {
        TkeOidcProviderBuilder {
            env: Env::process(),
            session_name: None,
            duration: Duration::from_secs(7200),
            sts: StsConfig::default(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
        }
    }

    async fn fetch(&self) -> super::Result {
        let var = |k| self.env.var(PROVIDER, k);
        let (region, provider_id, token_file, role_arn) =
            match (var(VARS[0])?, var(VARS[1])?, var(VARS[2])?, var(VARS[3])?) {
                (Some(r), Some(p), Some(f), Some(a)) => (r, p, f, a),
                (r, p, f, a) => {
                    let set = [r.is_some(), p.is_some(), f.is_some(), a.is_some()];
                    let missing: Vec<&str> = VARS
                        .iter()
                        .zip(set)
                        .filter(|(_, is_set)| !is_set)
                        .map(|(k, _)| *k)
                        .collect();
                    return Err(CredentialsError::NotConfigured {
                        provider: PROVIDER,
                        reason: format!("{} not set", missing.join(", ")),
                    });
                }
            };
        let token_file = PathBuf::from(token_file);
        let token = std::fs::read(&token_file).map_err(|e| CredentialsError::Invalid {
            provider: PROVIDER,
            reason: format!(
                "cannot read TKE_WEB_IDENTITY_TOKEN_FILE {}: {e}",
                token_file.display()
            ),
        })?;
        let token = String::from_utf8(token)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| CredentialsError::Invalid {
                provider: PROVIDER,
                reason: format!(
                    "TKE_WEB_IDENTITY_TOKEN_FILE {} is empty or not text",
                    token_file.display()
                ),
            })?;
        let now = self.cache.clock().now();
        let session_name = self.session_name.clone().unwrap_or_else(|| {
            let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            format!("tencentcloud-sdk-rust-{secs}")
        });
        let body = serde_json::json!({
            "ProviderId": provider_id,
            "WebIdentityToken": token,
            "RoleArn": role_arn,
            "RoleSessionName": session_name,
            "DurationSeconds": self.duration.as_secs(),
        });
        self.sts
            .call(
                PROVIDER,
                "AssumeRoleWithWebIdentity",
                &region,
                &body,
                Auth::Skip,
                self.cache.clock().clone(),
            )
            .await
    }
}

impl TkeOidcProviderBuilder {
    /// Read the `TKE_*` variables from this environment (tests).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }
    /// `RoleSessionName` (default `tencentcloud-sdk-rust-<unix time>`).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }
    /// Requested lifetime of the role credentials (default 7200 s).
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = d;
        self
    }
    /// STS endpoint and version; the region always comes from `TKE_REGION`.
    pub fn sts(mut self, sts: StsConfig) -> Self {
        self.sts = sts;
        self
    }
    /// Refresh this long before expiry (default 5 minutes).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }
    /// Use another clock (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Builds the provider; the environment is read at first use.
    pub fn build(self) -> TkeOidcProvider {
        TkeOidcProvider {
            env: self.env,
            session_name: self.session_name,
            duration: self.duration,
            sts: StsClient::new(self.sts),
            cache: Cache::new(self.margin, self.clock),
        }
    }
}

impl ProvideCredentials for TkeOidcProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.cache.get(PROVIDER, || self.fetch()))
    }
}
