//! Credentials from tccli's `~/.tccli/<profile>.credential` (see [`crate::config::tccli`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::cache::{Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::cvm::CvmRoleProvider;
use super::env::Env;
use super::sts::{AssumeRoleProvider, StsConfig};
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::config::tccli::TccliFiles;

const PROVIDER: &str = "tccli";

/// Credentials from the credential file `tccli configure` writes:
/// `~/.tccli/<profile>.credential`, profile `$TCCLI_PROFILE` (default `default`).
///
/// `secretId`/`secretKey` (and `token`) are used as they are; with `role-arn` and
/// `role-session-name` they sign an STS `AssumeRole` for that role; `"type": "cvm-role"`
/// uses the CVM instance role. The file is read once, at first use. No file: not configured
/// (a chain moves on); a malformed file or a half-filled one: an error naming the file.
#[derive(Debug)]
pub struct TccliProvider {
    env: Env,
    home: Option<PathBuf>,
    files: Option<TccliFiles>,
    sts: StsConfig,
    margin: Duration,
    clock: Arc<dyn Clock>,
    loaded: tokio::sync::OnceCell<Loaded>,
}

#[derive(Debug)]
enum Loaded {
    Static(Credentials),
    Role(Box<AssumeRoleProvider>),
    Cvm(Box<CvmRoleProvider>),
}

impl TccliProvider {
    /// The profile of `$TCCLI_PROFILE` (default `default`) in `$HOME/.tccli`.
    pub fn from_env() -> Self {
        Self::with_env(Env::process(), None)
    }

    /// The given files (a profile chosen on the command line).
    pub fn new(files: TccliFiles) -> Self {
        let mut p = Self::with_env(Env::process(), None);
        p.files = Some(files);
        p
    }

    pub(crate) fn with_env(env: Env, home: Option<PathBuf>) -> Self {
        Self {
            env,
            home,
            files: None,
            sts: StsConfig::default(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            loaded: tokio::sync::OnceCell::new(),
        }
    }

    /// STS endpoint, region and version for `role-arn` profiles.
    pub fn sts(mut self, sts: StsConfig) -> Self {
        self.sts = sts;
        self
    }

    pub(crate) fn refresh(mut self, margin: Duration, clock: Arc<dyn Clock>) -> Self {
        self.margin = margin;
        self.clock = clock;
        self
    }

    fn files(&self) -> Result<TccliFiles, CredentialsError> {
        if let Some(f) = &self.files {
            return Ok(f.clone());
        }
        let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        let home = match &self.home {
            Some(h) => h.clone(),
            None => match self.env.var(PROVIDER, var)?.filter(|h| !h.is_empty()) {
                Some(h) => PathBuf::from(h),
                None => {
                    return Err(CredentialsError::NotConfigured {
                        provider: PROVIDER,
                        reason: format!("{var} is not set"),
                    })
                }
            },
        };
        let profile = self
            .env
            .var(PROVIDER, "TCCLI_PROFILE")?
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "default".into());
        TccliFiles::new(home.join(".tccli"), profile).map_err(|e| CredentialsError::Invalid {
            provider: PROVIDER,
            reason: e.to_string(),
        })
    }

    fn load(&self) -> Result<Loaded, CredentialsError> {
        let files = self.files()?;
        let path = files.credential_path();
        let invalid = |reason: String| CredentialsError::Invalid {
            provider: PROVIDER,
            reason: format!("{}: {reason}", path.display()),
        };
        let cred = files
            .credential()
            .map_err(|e| CredentialsError::Invalid {
                provider: PROVIDER,
                reason: e.to_string(),
            })?
            .ok_or_else(|| CredentialsError::NotConfigured {
                provider: PROVIDER,
                reason: format!("no file at {}", path.display()),
            })?;
        if cred.use_cvm_role && cred.secret_id.is_none() {
            return Ok(Loaded::Cvm(Box::new(CvmRoleProvider::builder().build())));
        }
        let (id, key) = match (cred.secret_id, cred.secret_key) {
            (Some(id), Some(key)) => (id, key),
            (None, None) => {
                return Err(CredentialsError::NotConfigured {
                    provider: PROVIDER,
                    reason: format!("{} has no secretId and secretKey", path.display()),
                })
            }
            (None, Some(_)) => return Err(invalid("secretKey without secretId".into())),
            (Some(_), None) => return Err(invalid("secretId without secretKey".into())),
        };
        for (name, v) in [
            ("secretId", Some(&id)),
            ("secretKey", Some(&key)),
            ("token", cred.token.as_ref()),
        ] {
            if let Some(problem) = v.and_then(|v| super::value_problem(v)) {
                return Err(invalid(format!("{name} {problem}")));
            }
        }
        let creds = Credentials::from_parts(id, key, cred.token, None, PROVIDER);
        match (cred.role_arn, cred.role_session_name) {
            (Some(arn), session) => {
                let mut b = AssumeRoleProvider::builder(arn)
                    .sts(self.sts.clone())
                    .refresh_margin(self.margin)
                    .clock(self.clock.clone())
                    .provider_name(PROVIDER);
                if let Some(s) = session {
                    b = b.session_name(s);
                }
                Ok(Loaded::Role(Box::new(b.build(creds))))
            }
            (None, _) => Ok(Loaded::Static(creds)),
        }
    }

    async fn provide(&self) -> super::Result {
        let loaded = self
            .loaded
            .get_or_try_init(|| async { self.load() })
            .await?;
        match loaded {
            Loaded::Static(c) => Ok(c.clone()),
            Loaded::Role(p) => p.provide_credentials().await,
            Loaded::Cvm(p) => p.provide_credentials().await,
        }
    }
}

impl ProvideCredentials for TccliProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.provide())
    }
}
