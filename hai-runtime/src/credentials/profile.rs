//! The tccli credentials file (INI), optionally naming a role to assume.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::cache::{Clock, SystemClock, DEFAULT_REFRESH_MARGIN};
use super::env::Env;
use super::sts::{AssumeRoleProvider, StsConfig};
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

const PROVIDER: &str = "profile";
/// A credentials file is a few hundred bytes; refuse to slurp anything absurd.
const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// The machine-wide credentials file, tried after the user's.
pub const DEFAULT_SYSTEM_CREDENTIALS_FILE: &str = "/etc/tencentcloud/credentials";

/// Credentials from the first of `$TENCENTCLOUD_CREDENTIALS_FILE`,
/// `~/.tencentcloud/credentials` and `/etc/tencentcloud/credentials`, section
/// `$TENCENTCLOUD_PROFILE` (default `default`): `secret_id`, `secret_key`, optional `token`.
///
/// With `role_arn` (and optionally `role_session_name`, default `tencentcloud-sdk-rust`) in the section, the
/// file's keys sign an STS `AssumeRole` for that role and the role's credentials are returned
/// (cached and refreshed). The file is read once, at first use.
#[derive(Debug)]
pub struct ProfileProvider {
    env: Env,
    home: Option<PathBuf>,
    system_file: PathBuf,
    sts: StsConfig,
    margin: Duration,
    clock: Arc<dyn Clock>,
    loaded: tokio::sync::OnceCell<Loaded>,
}

#[derive(Debug)]
enum Loaded {
    Static(Credentials),
    Role(Box<AssumeRoleProvider>),
}

/// Options of a [`ProfileProvider`]; paths are injectable so tests never read a real home.
#[derive(Debug)]
pub struct ProfileProviderBuilder {
    env: Env,
    home: Option<PathBuf>,
    system_file: PathBuf,
    sts: StsConfig,
    margin: Duration,
    clock: Arc<dyn Clock>,
}

impl ProfileProvider {
    /// The real environment, home directory and system file.
    pub fn from_env() -> Self {
        Self::builder().build()
    }

    /// Options: environment, home directory, system file, STS, refresh margin, clock.
    pub fn builder() -> ProfileProviderBuilder {
        ProfileProviderBuilder {
            env: Env::process(),
            home: None,
            system_file: PathBuf::from(DEFAULT_SYSTEM_CREDENTIALS_FILE),
            sts: StsConfig::default(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
        }
    }

    fn home_dir(&self) -> Result<Option<PathBuf>, CredentialsError> {
        if let Some(h) = &self.home {
            return Ok(Some(h.clone()));
        }
        let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        Ok(self.env.var(PROVIDER, var)?.map(PathBuf::from))
    }

    /// The file to read, by precedence.
    fn locate(&self) -> Result<PathBuf, CredentialsError> {
        if let Some(p) = self.env.var(PROVIDER, "TENCENTCLOUD_CREDENTIALS_FILE")? {
            let p = PathBuf::from(p);
            if !p.is_file() {
                return Err(CredentialsError::Invalid {
                    provider: PROVIDER,
                    reason: format!(
                        "TENCENTCLOUD_CREDENTIALS_FILE names {}, which is not a file",
                        p.display()
                    ),
                });
            }
            return Ok(p);
        }
        let mut tried = Vec::new();
        if let Some(home) = self.home_dir()? {
            let p = home.join(".tencentcloud").join("credentials");
            if p.is_file() {
                return Ok(p);
            }
            tried.push(p);
        }
        if self.system_file.is_file() {
            return Ok(self.system_file.clone());
        }
        tried.push(self.system_file.clone());
        let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
        Err(CredentialsError::NotConfigured {
            provider: PROVIDER,
            reason: format!(
                "TENCENTCLOUD_CREDENTIALS_FILE not set and no file at {}",
                tried.join(" or ")
            ),
        })
    }

    fn load(&self) -> Result<Loaded, CredentialsError> {
        let path = self.locate()?;
        let invalid = |reason: String| CredentialsError::Invalid {
            provider: PROVIDER,
            reason,
        };
        let bytes = read_limited(&path).map_err(invalid)?;
        let ini = parse_ini(&bytes)
            .map_err(|(line, what)| invalid(format!("{}:{line}: {what}", path.display())))?;
        let explicit = self.env.var(PROVIDER, "TENCENTCLOUD_PROFILE")?;
        let name = explicit.as_deref().unwrap_or("default");
        let Some(section) = ini.get(name) else {
            let reason = format!("{} has no [{name}] section", path.display());
            return Err(if explicit.is_some() {
                invalid(format!("{reason} (TENCENTCLOUD_PROFILE={name})"))
            } else {
                CredentialsError::NotConfigured {
                    provider: PROVIDER,
                    reason,
                }
            });
        };
        // Values are trimmed when read; what else is wrong with a secret is named by line.
        for k in ["secret_id", "secret_key", "token"] {
            if let Some((v, line)) = section.get(k).filter(|(v, _)| !v.is_empty()) {
                if let Some(problem) = super::value_problem(v) {
                    return Err(invalid(format!("{}:{line}: {k} {problem}", path.display())));
                }
            }
        }
        let get = |k: &str| {
            section
                .get(k)
                .map(|(v, _)| v)
                .filter(|v| !v.is_empty())
                .cloned()
        };
        let (id, key) = match (get("secret_id"), get("secret_key")) {
            (Some(id), Some(key)) => (id, key),
            (id, key) => {
                let missing: Vec<&str> =
                    [("secret_id", id.is_none()), ("secret_key", key.is_none())]
                        .into_iter()
                        .filter(|(_, m)| *m)
                        .map(|(k, _)| k)
                        .collect();
                return Err(invalid(format!(
                    "{} [{name}]: missing {}",
                    path.display(),
                    missing.join(" and ")
                )));
            }
        };
        let creds = Credentials::from_parts(id, key, get("token"), None, PROVIDER);
        match (get("role_arn"), get("role_session_name")) {
            (None, None) => Ok(Loaded::Static(creds)),
            (None, Some(_)) => Err(invalid(format!(
                "{} [{name}]: role_session_name without role_arn",
                path.display()
            ))),
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
        }
    }
}

fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(format!(
            "{} is larger than {MAX_FILE_SIZE} bytes",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Values with the 1-based line they came from (errors name it).
pub(crate) type Section = BTreeMap<String, (String, usize)>;

/// A strict little INI reader: `[section]`, `key = value` (or `key: value`), `#`/`;` comment
/// lines, blank lines. Keys are lower-cased; a later duplicate wins. Errors carry the 1-based
/// line number and never the line's content (it may hold a key).
///
/// Hand-written because the format is tiny and every INI crate differs on quoting and inline
/// comments; this one does neither, as tccli writes neither.
pub(crate) fn parse_ini(bytes: &[u8]) -> Result<BTreeMap<String, Section>, (usize, &'static str)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = std::str::from_utf8(raw).map_err(|_| (n, "not valid UTF-8"))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or((n, "section header without a closing `]`"))?
                .trim();
            if name.is_empty() || name.contains(['[', ']']) {
                return Err((n, "malformed section name"));
            }
            sections.entry(name.to_owned()).or_default();
            current = Some(name.to_owned());
            continue;
        }
        let at = line.find(['=', ':']).ok_or((n, "expected `key = value`"))?;
        let key = line[..at].trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err((n, "expected `key = value` with a one-word key"));
        }
        let section = current
            .as_ref()
            .ok_or((n, "`key = value` before any [section]"))?;
        sections.entry(section.clone()).or_default().insert(
            key.to_ascii_lowercase(),
            (line[at + 1..].trim().to_owned(), n),
        );
    }
    Ok(sections)
}

impl ProfileProviderBuilder {
    /// Read `TENCENTCLOUD_CREDENTIALS_FILE`, `TENCENTCLOUD_PROFILE` and `HOME` from this
    /// environment (tests).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }
    /// The home directory whose `.tencentcloud/credentials` is tried (default `$HOME`).
    pub fn home_dir(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }
    /// The machine-wide file tried last (default [`DEFAULT_SYSTEM_CREDENTIALS_FILE`]).
    pub fn system_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.system_file = path.into();
        self
    }
    /// STS used when the profile names a `role_arn`.
    pub fn sts(mut self, sts: StsConfig) -> Self {
        self.sts = sts;
        self
    }
    /// Refresh role credentials this long before expiry (default 5 minutes).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }
    /// Use another clock (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Builds the provider; nothing is read until first use.
    pub fn build(self) -> ProfileProvider {
        ProfileProvider {
            env: self.env,
            home: self.home,
            system_file: self.system_file,
            sts: self.sts,
            margin: self.margin,
            clock: self.clock,
            loaded: tokio::sync::OnceCell::new(),
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.provide())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_ini;

    #[test]
    fn parses_sections_comments_and_delimiters() {
        let ini = parse_ini(
            b"\xEF\xBB\xBF# c\n; c\n[default]\r\nsecret_id = a=b\nSECRET_KEY: k\n\n[ other ]\ntoken=\n",
        )
        .unwrap();
        assert_eq!(ini["default"]["secret_id"], ("a=b".to_owned(), 4));
        assert_eq!(ini["default"]["secret_key"], ("k".to_owned(), 5));
        assert_eq!(ini["other"]["token"], (String::new(), 8));
    }

    #[test]
    fn errors_have_line_numbers() {
        assert_eq!(parse_ini(b"k = v").unwrap_err().0, 1);
        assert_eq!(parse_ini(b"[a]\n\n[b\n").unwrap_err().0, 3);
        assert_eq!(parse_ini(b"[a]\nsecret_key abc\n").unwrap_err().0, 2);
        assert_eq!(parse_ini(b"[a]\n\xff\n").unwrap_err().0, 2);
        assert_eq!(parse_ini(b"[]\n").unwrap_err().0, 1);
        assert_eq!(parse_ini(b"[a]\n = v\n").unwrap_err().0, 2);
    }
}
