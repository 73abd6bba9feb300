//! CAM role credentials of a CVM instance, from the instance metadata service.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde::Deserialize;

use super::cache::{Cache, Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::http::{self, LazyClient};
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

const PROVIDER: &str = "cvm_role";
const ROLE_PATH: &str = "cam/security-credentials/";

/// The metadata service of Tencent Cloud CVM instances.
pub const DEFAULT_METADATA_URL: &str = "http://metadata.tencentyun.com/latest/meta-data/";

/// Credentials of the CAM role bound to the CVM instance this process runs on.
///
/// Discovers the role name, then fetches its temporary credentials; both requests have a
/// connect timeout of 1 s and a total timeout of 3 s so that a machine outside Tencent Cloud
/// gives up quickly. An unreachable metadata service (or one with no role) is `NotConfigured`,
/// so a chain moves on. Credentials are cached and refreshed before expiry.
#[derive(Debug)]
pub struct CvmRoleProvider {
    base_url: String,
    role_name: Option<String>,
    http: LazyClient,
    cache: Cache,
}

/// Options of a [`CvmRoleProvider`].
#[derive(Debug)]
pub struct CvmRoleProviderBuilder {
    base_url: String,
    role_name: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    margin: Duration,
    clock: Arc<dyn Clock>,
}

impl Default for CvmRoleProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Deserialize)]
struct MetadataCredentials {
    #[serde(rename = "TmpSecretId")]
    tmp_secret_id: Option<String>,
    #[serde(rename = "TmpSecretKey")]
    tmp_secret_key: Option<String>,
    #[serde(rename = "Token")]
    token: Option<String>,
    #[serde(rename = "ExpiredTime")]
    expired_time: Option<u64>,
    #[serde(rename = "Code")]
    code: Option<String>,
}

impl CvmRoleProvider {
    /// The real metadata service with default timeouts.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Options: metadata URL, role name, timeouts, refresh margin, clock.
    pub fn builder() -> CvmRoleProviderBuilder {
        CvmRoleProviderBuilder {
            base_url: DEFAULT_METADATA_URL.into(),
            role_name: None,
            connect_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(3),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
        }
    }

    async fn get(&self, url: &str) -> Result<(u16, Vec<u8>), String> {
        let client = self.http.get()?;
        let resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| http::describe(&e))?;
        http::read(resp).await
    }

    async fn discover_role(&self) -> Result<String, CredentialsError> {
        let not_configured = |reason: String| CredentialsError::NotConfigured {
            provider: PROVIDER,
            reason,
        };
        let url = format!("{}{ROLE_PATH}", self.base_url);
        let (status, body) = self
            .get(&url)
            .await
            .map_err(|e| not_configured(format!("metadata service unreachable ({e})")))?;
        match status {
            200 => {}
            404 => {
                return Err(not_configured(
                    "no CAM role is bound to this instance".into(),
                ))
            }
            s => {
                return Err(not_configured(format!(
                    "metadata service answered HTTP {s}"
                )))
            }
        }
        role_from_listing(&body)
    }

    async fn fetch(&self) -> super::Result {
        let role = match &self.role_name {
            Some(r) => r.clone(),
            None => self.discover_role().await?,
        };
        let fetch = |reason: String| CredentialsError::Fetch {
            provider: PROVIDER,
            reason,
        };
        let url = format!("{}{ROLE_PATH}{role}", self.base_url);
        let (status, body) = self
            .get(&url)
            .await
            .map_err(|e| fetch(format!("role `{role}`: {e}")))?;
        if status != 200 {
            return Err(fetch(format!(
                "role `{role}`: metadata service answered HTTP {status}"
            )));
        }
        credentials_from_answer(role, &body)
    }
}

/// The role name in the metadata service's listing of roles (the first non-blank line).
/// Separate from the HTTP exchange so the fuzz targets can reach it.
pub(crate) fn role_from_listing(body: &[u8]) -> Result<String, CredentialsError> {
    let not_configured = |reason: String| CredentialsError::NotConfigured {
        provider: PROVIDER,
        reason,
    };
    // The answer lists role names one a line; a captive portal's HTML page is not one.
    let text = String::from_utf8_lossy(body);
    match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(role) if is_role_name(role) => Ok(role.to_owned()),
        Some(_) => Err(not_configured(
            "the metadata answer is not a role name (not a CVM metadata service?)".into(),
        )),
        None => Err(not_configured(
            "no CAM role is bound to this instance".into(),
        )),
    }
}

/// The credentials in the metadata service's JSON answer for `role`. Separate from the
/// HTTP exchange so the fuzz targets can reach it.
pub(crate) fn credentials_from_answer(role: String, body: &[u8]) -> super::Result {
    let fetch = |reason: String| CredentialsError::Fetch {
        provider: PROVIDER,
        reason,
    };
    let m: MetadataCredentials = serde_json::from_slice(body).map_err(|_| {
        fetch(format!(
            "role `{role}`: the answer is not the expected JSON"
        ))
    })?;
    let code = m.code.unwrap_or_default();
    if code != "Success" {
        return Err(CredentialsError::MetadataRejected { role, code });
    }
    let (Some(id), Some(key), Some(token), Some(exp)) = (
        m.tmp_secret_id.filter(|s| !s.is_empty()),
        m.tmp_secret_key.filter(|s| !s.is_empty()),
        m.token,
        m.expired_time,
    ) else {
        return Err(fetch(format!(
            "role `{role}`: the answer lacks TmpSecretId, TmpSecretKey, Token or ExpiredTime"
        )));
    };
    let expiry = UNIX_EPOCH
        .checked_add(Duration::from_secs(exp))
        .ok_or_else(|| fetch(format!("role `{role}`: ExpiredTime out of range")))?;
    Ok(Credentials::from_parts(
        id,
        key,
        Some(token),
        Some(expiry),
        PROVIDER,
    ))
}

/// CAM role names: letters, digits and `+=,.@_-`, at most 128 characters.
fn is_role_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

impl CvmRoleProviderBuilder {
    /// Metadata base URL (default [`DEFAULT_METADATA_URL`]); `cam/security-credentials/` is
    /// appended.
    pub fn metadata_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }
    /// Skip discovery and use this role.
    pub fn role_name(mut self, role: impl Into<String>) -> Self {
        self.role_name = Some(role.into());
        self
    }
    /// TCP connect timeout (default 1 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Whole-request timeout (default 3 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
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
    /// Builds the provider; nothing is fetched until first use.
    pub fn build(self) -> CvmRoleProvider {
        let mut base_url = self.base_url;
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        CvmRoleProvider {
            base_url,
            role_name: self.role_name,
            // The metadata service is link-local: never send it through an HTTP proxy.
            http: LazyClient::new(self.connect_timeout, self.timeout, false),
            cache: Cache::new(self.margin, self.clock),
        }
    }
}

impl ProvideCredentials for CvmRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.cache.get(PROVIDER, || self.fetch()))
    }
}
