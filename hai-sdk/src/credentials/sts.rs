//! STS (`sts`, API 2018-08-13): the one place that knows its endpoint, version and wire format,
//! and the `AssumeRole` provider built on it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::cache::{Cache, Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::http::{self, LazyClient};
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::signer::{self, Payload, SigningInput};

const CONTENT_TYPE: &str = "application/json";

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

/// An STS caller bound to one configuration.
#[derive(Debug)]
pub(crate) struct StsClient {
    config: StsConfig,
    http: LazyClient,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Option<ResponseBody>,
}

#[derive(Deserialize)]
struct ResponseBody {
    #[serde(rename = "Error")]
    error: Option<ErrorBody>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
    #[serde(rename = "Credentials")]
    credentials: Option<StsCredentials>,
    #[serde(rename = "ExpiredTime")]
    expired_time: Option<u64>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
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
        // A proxy for loopback makes no sense (and breaks tests on machines with `HTTP_PROXY`).
        let loopback = reqwest::Url::parse(&config.endpoint)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| {
                    let h = h.trim_start_matches('[').trim_end_matches(']');
                    h.eq_ignore_ascii_case("localhost")
                        || h.parse::<std::net::IpAddr>()
                            .is_ok_and(|ip| ip.is_loopback())
                })
            })
            .unwrap_or(false);
        let http = LazyClient::new(config.connect_timeout, config.timeout, !loopback);
        Self { config, http }
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
        now: SystemTime,
    ) -> super::Result {
        let fetch = |reason: String| CredentialsError::Fetch { provider, reason };
        let url = reqwest::Url::parse(&self.config.endpoint)
            .map_err(|e| fetch(format!("bad STS endpoint: {e}")))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(fetch("STS endpoint has no host".into())),
        };
        let payload = serde_json::to_vec(body).map_err(|e| fetch(e.to_string()))?;
        let timestamp = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);

        let client = self.http.get().map_err(fetch)?;
        let mut req = client
            .post(url)
            .header("Content-Type", CONTENT_TYPE)
            .header("X-TC-Action", action)
            .header("X-TC-Version", &self.config.version)
            .header("X-TC-Region", region)
            .header("X-TC-Timestamp", timestamp.to_string());
        req = match auth {
            Auth::Skip => req.header("Authorization", "SKIP"),
            Auth::Signed(creds) => {
                let sig = signer::sign(&SigningInput {
                    secret_id: creds.secret_id(),
                    secret_key: creds.secret_key(),
                    service: "sts",
                    host: &host,
                    content_type: CONTENT_TYPE,
                    method: "POST",
                    query: "",
                    payload: Payload::Bytes(&payload),
                    timestamp,
                });
                let mut r = req.header("Authorization", sig.authorization);
                if let Some(t) = creds.token() {
                    r = r.header("X-TC-Token", t);
                }
                r
            }
        };
        tracing::debug!(provider, action, region, "calling STS");
        let resp = req
            .body(payload)
            .send()
            .await
            .map_err(|e| fetch(format!("STS {action}: {}", http::describe(&e))))?;
        let (status, bytes) = http::read(resp)
            .await
            .map_err(|e| fetch(format!("STS {action}: {e}")))?;
        parse_answer(provider, action, status, &bytes)
    }
}

fn parse_answer(provider: &'static str, action: &str, status: u16, bytes: &[u8]) -> super::Result {
    let fetch = |reason: String| CredentialsError::Fetch { provider, reason };
    let body = serde_json::from_slice::<Envelope>(bytes)
        .ok()
        .and_then(|e| e.response)
        .ok_or_else(|| {
            fetch(format!(
                "STS {action} answered HTTP {status} without a Tencent Cloud JSON envelope"
            ))
        })?;
    let request_id = body.request_id.unwrap_or_default();
    if let Some(err) = body.error {
        return Err(CredentialsError::Sts {
            provider,
            code: err.code.unwrap_or_default(),
            message: err.message.unwrap_or_default(),
            request_id,
        });
    }
    let incomplete = || {
        fetch(format!(
            "STS {action} answer lacks credentials or ExpiredTime (RequestId: {request_id})"
        ))
    };
    let c = body.credentials.ok_or_else(incomplete)?;
    let (Some(id), Some(key), Some(token), Some(exp)) = (
        c.tmp_secret_id.filter(|s| !s.is_empty()),
        c.tmp_secret_key.filter(|s| !s.is_empty()),
        c.token,
        body.expired_time,
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
            session_name: "hai-rs".into(),
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
                self.cache.clock().now(),
            )
            .await
    }
}

impl AssumeRoleProviderBuilder {
    /// `RoleSessionName` (default `hai-rs`); shows in CloudAudit.
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

    #[test]
    fn answers() {
        let ok = br#"{"Response":{"Credentials":{"Token":"t","TmpSecretId":"i","TmpSecretKey":"k"},"ExpiredTime":1700000000,"Expiration":"2023-11-14T22:13:20Z","RequestId":"r"}}"#;
        let c = parse_answer("p", "AssumeRole", 200, ok).unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("i", "k", Some("t"))
        );
        assert_eq!(
            c.expiry(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );

        let err = br#"{"Response":{"Error":{"Code":"InvalidParameter","Message":"bad"},"RequestId":"rid"}}"#;
        match parse_answer("p", "AssumeRole", 400, err) {
            Err(CredentialsError::Sts {
                code, request_id, ..
            }) => {
                assert_eq!(
                    (code.as_str(), request_id.as_str()),
                    ("InvalidParameter", "rid")
                )
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            &b"<html>"[..],
            b"{}",
            br#"{"Response":{"RequestId":"x"}}"#,
            b"\xff",
        ] {
            assert!(matches!(
                parse_answer("p", "AssumeRole", 200, bad),
                Err(CredentialsError::Fetch { .. })
            ));
        }
    }
}
