//! Environment variables as a credential source, and an injectable view of the environment.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

const PROVIDER: &str = "environment";

/// Where providers read environment variables from.
///
/// The process environment in production; a fixed map in tests, so tests never mutate the
/// (process-global, racy) real environment. An empty value counts as unset. `Debug` shows
/// variable names only, never values.
#[derive(Clone, Default)]
pub struct Env(EnvInner);

#[derive(Clone, Default)]
enum EnvInner {
    #[default]
    Process,
    Map(Arc<BTreeMap<String, String>>),
}

impl Env {
    /// The real process environment.
    pub fn process() -> Self {
        Env(EnvInner::Process)
    }

    /// A fixed set of variables; everything else is unset.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env(EnvInner::Map(Arc::new(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )))
    }

    /// The value of `key`, `None` when unset, empty or not valid Unicode.
    pub fn get(&self, key: &str) -> Option<String> {
        self.var(PROVIDER, key).ok().flatten()
    }

    /// Like [`Env::get`], but a value that is not valid Unicode is a configuration error
    /// (silently treating it as unset would hide a broken setup).
    pub(crate) fn var(
        &self,
        provider: &'static str,
        key: &str,
    ) -> Result<Option<String>, CredentialsError> {
        let value = match &self.0 {
            EnvInner::Process => match std::env::var(key) {
                Ok(v) => Some(v),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(CredentialsError::Invalid {
                        provider,
                        reason: format!("{key} is not valid Unicode"),
                    })
                }
            },
            EnvInner::Map(m) => m.get(key).cloned(),
        };
        Ok(value.filter(|v| !v.is_empty()))
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            EnvInner::Process => f.write_str("Env::Process"),
            EnvInner::Map(m) => f
                .debug_struct("Env::Map")
                .field("keys", &m.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// Long-lived (or externally refreshed) credentials from `TENCENTCLOUD_SECRET_ID`,
/// `TENCENTCLOUD_SECRET_KEY` and `TENCENTCLOUD_SESSION_TOKEN` (or `TENCENTCLOUD_TOKEN`), the
/// variables tccli and the official SDKs use.
///
/// Read at every call (a few lookups), so a process that sets them late still finds them.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// Reads the real process environment.
    pub fn from_env() -> Self {
        Self::with_env(Env::process())
    }

    /// Reads the given environment (tests).
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }

    fn load(&self) -> super::Result {
        let id = self.env.var(PROVIDER, "TENCENTCLOUD_SECRET_ID")?;
        let key = self.env.var(PROVIDER, "TENCENTCLOUD_SECRET_KEY")?;
        let token = match self.env.var(PROVIDER, "TENCENTCLOUD_SESSION_TOKEN")? {
            Some(t) => Some(t),
            None => self.env.var(PROVIDER, "TENCENTCLOUD_TOKEN")?,
        };
        for (name, value) in [
            ("TENCENTCLOUD_SECRET_ID", &id),
            ("TENCENTCLOUD_SECRET_KEY", &key),
            ("the session token variable", &token),
        ] {
            if let Some(problem) = value.as_deref().and_then(super::value_problem) {
                return Err(CredentialsError::Invalid {
                    provider: PROVIDER,
                    reason: format!("{name} {problem}"),
                });
            }
        }
        match (id, key) {
            (Some(id), Some(key)) => Ok(Credentials::from_parts(id, key, token, None, PROVIDER)),
            (None, None) => Err(CredentialsError::NotConfigured {
                provider: PROVIDER,
                reason: "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set".into(),
            }),
            (Some(_), None) => Err(CredentialsError::Invalid {
                provider: PROVIDER,
                reason: "TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not".into(),
            }),
            (None, Some(_)) => Err(CredentialsError::Invalid {
                provider: PROVIDER,
                reason: "TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not".into(),
            }),
        }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(self.load())
    }
}
