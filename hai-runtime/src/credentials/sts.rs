//! STS (`sts`, API 2018-08-13): the one place that knows its endpoint, version and wire format,
//! and the `AssumeRole` provider built on it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde::Deserialize;

use super::cache::{Cache, Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::action::{ActionMeta, ServiceMeta};
use crate::client::{CallOptions, Config};
use crate::error::shown::{Shown, REQUEST_ID_SHOWN};
use crate::error::Error;

/// Where and how STS is called. Every STS-based provider takes one; tests point `endpoint` at a
/// loopback server.
#[derive(Debug, Clone)]
pub struct StsConfig {
    endpoint: String,
    region: String,
    version: String,
    connect_timeout: Duration,
    timeout: Duration,
}

impl Default for StsConfig {
    fn default() -> Self {
        Self {
            endpoint: "https://sts.tencentcloudapi.com/".into(),
            region: "ap-guangzhou".into(),
            version: "2018-08-13".into(),
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(10),
        }
    }
}

impl StsConfig {
    /// STS base URL (default `https://sts.tencentcloudapi.com/`); the `Host` header and the
    /// signature follow it.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into();
        self
    }
    /// `X-TC-Region` of STS calls (default `ap-guangzhou`; TKE uses `TKE_REGION`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }
    /// `X-TC-Version` (default `2018-08-13`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }
    /// TCP connect timeout (default 3 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Whole-request timeout (default 10 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// The configured endpoint.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint
    }
    /// The configured region.
    pub fn region_name(&self) -> &str {
        &self.region
    }
}

/// How an STS request is authenticated.
pub(crate) enum Auth<'a> {
    /// TC3-signed with these credentials (`X-TC-Token` when they have a token).
    Signed(&'a Credentials),
    /// `Authorization: SKIP` (AssumeRoleWithWebIdentity).
    Skip,
}

/// STS as the runtime calls it: the same execute path as every generated action (signing,
/// retries, timeouts, bounded and probed answers), with its own service metadata.
const STS_VERSION: &str = "2018-08-13";
static STS: ServiceMeta = ServiceMeta {
    name: "sts",
    version: STS_VERSION,
    host: "sts.tencentcloudapi.com",
    regional_host: None,
    signing_service: "sts",
    region_required: true,
};
// Repeating either call only issues another set of temporary credentials.
static ASSUME_ROLE: ActionMeta = ActionMeta {
    service: &STS,
    name: "AssumeRole",
    rate_limit: None,
    idempotent: true,
    read_only: false,
    idempotency_token: None,
};
static ASSUME_ROLE_WITH_WEB_IDENTITY: ActionMeta = ActionMeta {
    service: &STS,
    name: "AssumeRoleWithWebIdentity",
    rate_limit: None,
    idempotent: true,
    read_only: false,
    idempotency_token: None,
};

/// An STS caller bound to one configuration.
#[derive(Debug)]
pub(crate) struct StsClient {
    config: StsConfig,
    /// Metadata of the two actions: the static ones, or copies for another API version
    /// (made once per provider).
    metas: [&'static ActionMeta; 2],
}

/// The `Response` of both STS actions.
#[derive(Deserialize)]
struct StsAnswer {
    #[serde(rename = "RequestId", default)]
    request_id: Option<String>,
    #[serde(rename = "Credentials")]
    credentials: Option<StsCredentials>,
    #[serde(rename = "ExpiredTime")]
    expired_time: Option<u64>,
}

#[derive(Deserialize)]
struct StsCredentials {
    #[serde(rename = "TmpSecretId")]
    tmp_secret_id: Option<String>,
    #[serde(rename = "TmpSecretKey")]
    tmp_secret_key: Option<String>,
    #[serde(rename = "Token")]
    token: Option<String>,
}

impl StsClient {
    pub(crate) fn new(config: StsConfig) -> Self {
        let metas: [&'static ActionMeta; 2] = if config.version == STS_VERSION {
            [&ASSUME_ROLE, &ASSUME_ROLE_WITH_WEB_IDENTITY]
        } else {
            // The runtime's metadata is static; another version is rare (a setting), so its
            // copy lives as long as the process.
            let service: &'static ServiceMeta = Box::leak(Box::new(ServiceMeta {
                version: Box::leak(config.version.clone().into_boxed_str()),
                ..STS
            }));
            [
                Box::leak(Box::new(ActionMeta {
                    service,
                    ..ASSUME_ROLE
                })),
                Box::leak(Box::new(ActionMeta {
                    service,
                    ..ASSUME_ROLE_WITH_WEB_IDENTITY
                })),
            ]
        };
        Self { config, metas }
    }

    pub(crate) fn config(&self) -> &StsConfig {
        &self.config
    }

    /// Calls `action` with a JSON `body` and turns the answer into temporary credentials.
    pub(crate) async fn call(
        &self,
        provider: &'static str,
        action: &str,
        region: &str,
        body: &serde_json::Value,
        auth: Auth<'_>,
        clock: Arc<dyn Clock>,
    ) -> super::Result {
        let fetch = |reason: String| CredentialsError::Fetch { provider, reason };
        let meta = match action {
            "AssumeRole" => self.metas[0],
            _ => self.metas[1],
        };
        let payload = serde_json::to_vec(body).map_err(|e| fetch(e.to_string()))?;
        let builder = Config::builder()
            .region(region)
            .endpoint(self.config.endpoint.clone())
            .endpoint_from_env(false)
            .connect_timeout(Some(self.config.connect_timeout))
            .timeout(Some(self.config.timeout))
            .call_timeout(Some(self.config.timeout.saturating_mul(2)))
            .rate_limit(false)
            .clock(clock);
        let mut options = CallOptions::default();
        let builder = match auth {
            Auth::Signed(creds) => builder.credentials(creds.clone()),
            Auth::Skip => {
                options.anonymous = true;
                builder.credentials(Credentials::new("-", "-", None))
            }
        };
        let client = builder
            .build()
            .map_err(|e| fetch(format!("STS {action}: {e}")))?;
        tracing::debug!(provider, action, region, "calling STS");
        let answer = client
            .execute_raw::<StsAnswer>(meta, payload, &options)
            .await
            .map_err(|e| match e {
                Error::Service(m) => CredentialsError::Sts {
                    provider,
                    code: m.code().to_owned(),
                    message: m.message().to_owned(),
                    request_id: m.request_id().to_owned(),
                },
                Error::Decode(d) => fetch(format!(
                    "STS {action} answered HTTP {} without a Tencent Cloud JSON envelope",
                    d.status()
                )),
                Error::Response(r) => fetch(format!(
                    "STS {action} answered HTTP {} without a Tencent Cloud JSON envelope",
                    r.status()
                )),
                other => fetch(format!("STS {other}")),
            })?;
        credentials_from(provider, action, answer)
    }
}

fn credentials_from(provider: &'static str, action: &str, answer: StsAnswer) -> super::Result {
    let request_id = answer.request_id.unwrap_or_default();
    let incomplete = || CredentialsError::Fetch {
        provider,
        reason: format!(
            "STS {action} answer lacks credentials or ExpiredTime (RequestId: {})",
            Shown::new(&request_id, REQUEST_ID_SHOWN)
        ),
    };
    let c = answer.credentials.ok_or_else(incomplete)?;
    let (Some(id), Some(key), Some(token), Some(exp)) = (
        c.tmp_secret_id.filter(|s| !s.is_empty()),
        c.tmp_secret_key.filter(|s| !s.is_empty()),
        c.token,
        answer.expired_time,
    ) else {
        return Err(incomplete());
    };
    let expiry = UNIX_EPOCH
        .checked_add(Duration::from_secs(exp))
        .ok_or_else(incomplete)?;
    Ok(Credentials::from_parts(
        id,
        key,
        Some(token),
        Some(expiry),
        provider,
    ))
}

/// Assumes a CAM role with STS `AssumeRole`, signed with credentials from another provider, and
/// caches the temporary credentials until shortly before they expire.
pub struct AssumeRoleProvider {
    source: Arc<dyn ProvideCredentials>,
    name: &'static str,
    role_arn: String,
    session_name: String,
    duration: Duration,
    sts: StsClient,
    cache: Cache,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("source", &self.source)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration", &self.duration)
            .field("sts", &self.sts.config())
            .field("cache", &self.cache)
            .finish()
    }
}

/// Options of an [`AssumeRoleProvider`].
#[derive(Debug)]
pub struct AssumeRoleProviderBuilder {
    role_arn: String,
    session_name: String,
    duration: Duration,
    sts: StsConfig,
    margin: Duration,
    clock: Arc<dyn Clock>,
    name: &'static str,
}

impl AssumeRoleProvider {
    /// Starts a provider for `role_arn` (e.g. `qcs::cam::uin/100000000001:roleName/ops`).
    pub fn builder(role_arn: impl Into<String>) -> AssumeRoleProviderBuilder {
        AssumeRoleProviderBuilder {
            role_arn: role_arn.into(),
            session_name: "tencentcloud-sdk-rust".into(),
            duration: Duration::from_secs(7200),
            sts: StsConfig::default(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            name: "assume_role",
        }
    }

    async fn fetch(&self) -> super::Result {
        let source = self.source.provide_credentials().await?;
        let body = serde_json::json!({
            "RoleArn": self.role_arn,
            "RoleSessionName": self.session_name,
            "DurationSeconds": self.duration.as_secs(),
        });
        self.sts
            .call(
                self.name,
                "AssumeRole",
                self.sts.config().region_name(),
                &body,
                Auth::Signed(&source),
                self.cache.clock().clone(),
            )
            .await
    }
}

impl AssumeRoleProviderBuilder {
    /// `RoleSessionName` (default `tencentcloud-sdk-rust`); shows in CloudAudit.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }
    /// Requested lifetime of the role credentials (default 7200 s).
    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = d;
        self
    }
    /// STS endpoint, region and version.
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
    pub(crate) fn provider_name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }
    /// Builds the provider; `source` supplies the credentials that sign `AssumeRole`.
    pub fn build(self, source: impl ProvideCredentials) -> AssumeRoleProvider {
        AssumeRoleProvider {
            source: Arc::new(source),
            name: self.name,
            role_arn: self.role_arn,
            session_name: self.session_name,
            duration: self.duration,
            sts: StsClient::new(self.sts),
            cache: Cache::new(self.margin, self.clock),
        }
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.cache.get(self.name, || self.fetch()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> StsAnswer {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn answers() {
        let ok = r#"{"Credentials":{"Token":"t","TmpSecretId":"i","TmpSecretKey":"k"},"ExpiredTime":1700000000,"Expiration":"2023-11-14T22:13:20Z","RequestId":"r"}"#;
        let c = credentials_from("p", "AssumeRole", answer(ok)).unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("i", "k", Some("t"))
        );
        assert_eq!(
            c.expiry(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        for bad in [
            r#"{}"#,
            r#"{"RequestId":"x"}"#,
            r#"{"Credentials":{"TmpSecretId":"","TmpSecretKey":"k","Token":"t"},"ExpiredTime":1}"#,
            r#"{"Credentials":{"TmpSecretId":"i","TmpSecretKey":"k","Token":"t"}}"#,
        ] {
            assert!(matches!(
                credentials_from("p", "AssumeRole", answer(bad)),
                Err(CredentialsError::Fetch { .. })
            ));
        }
    }
}
