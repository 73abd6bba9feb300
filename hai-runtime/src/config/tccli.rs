//! The files `tccli configure` writes, one pair per profile in `~/.tccli/`:
//!
//! - `<profile>.credential`: a JSON object with `secretId`, `secretKey`, optional `token`,
//!   `role-arn` and `role-session-name`, and `type` (`cvm-role` to use the CVM instance role);
//! - `<profile>.configure`: a JSON object whose `_sys_param` holds `region`, `output`
//!   (`json`, `table`, `text`) and `language`, plus one object per service with its
//!   `endpoint` and `version` (`"cvm": {"endpoint": "cvm.tencentcloudapi.com", ...}`),
//!   optionally `waiter` (`timeout`, `interval` in seconds) and `sts` (`endpoint`).
//!
//! The profile is `TCCLI_PROFILE`, else `default`. Older tccli versions wrote `region` and
//! `output` at the top level of the configure file; both places are read, `_sys_param` first.
//! Errors name the file and what is wrong with it, never a secret value.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::shown::{Shown, VALUE_SHOWN};

/// A configuration file is a few kilobytes; refuse to read anything absurd.
const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The directory and profile whose files are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TccliFiles {
    dir: PathBuf,
    profile: String,
}

/// Why a tccli file could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum TccliConfigError {
    /// The profile name would leave the directory or is empty.
    BadProfileName(String),
    /// The file exists but could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than any configuration file.
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not JSON, or not a JSON object.
    NotJson {
        /// The file.
        path: PathBuf,
        /// What the parser said (positions only, never content).
        reason: String,
    },
    /// A key has the wrong type (a number where a string belongs, ...).
    WrongType {
        /// The file.
        path: PathBuf,
        /// Dotted key, e.g. `_sys_param.region`.
        key: String,
        /// What was expected.
        expected: &'static str,
    },
}

impl fmt::Display for TccliConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadProfileName(name) => write!(
                f,
                "tccli profile name `{}` is empty or names another directory",
                Shown::new(name, VALUE_SHOWN)
            ),
            Self::Read { path, source } => write!(f, "{}: {source}", path.display()),
            Self::TooLarge { path } => write!(
                f,
                "{}: larger than {MAX_FILE_SIZE} bytes; not a tccli file",
                path.display()
            ),
            Self::NotJson { path, reason } => {
                write!(f, "{}: not a JSON object ({reason})", path.display())
            }
            Self::WrongType {
                path,
                key,
                expected,
            } => write!(f, "{}: `{key}` must be {expected}", path.display()),
        }
    }
}

impl std::error::Error for TccliConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The contents of `<profile>.credential`. `Debug` never shows the key or the token.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TccliCredential {
    /// `secretId`.
    pub secret_id: Option<String>,
    /// `secretKey`.
    pub secret_key: Option<String>,
    /// `token` (temporary credentials).
    pub token: Option<String>,
    /// `role-arn`: a role to assume with the keys above.
    pub role_arn: Option<String>,
    /// `role-session-name`.
    pub role_session_name: Option<String>,
    /// `"type": "cvm-role"`: use the CVM instance role.
    pub use_cvm_role: bool,
}

impl fmt::Debug for TccliCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TccliCredential")
            .field("secret_id", &self.secret_id)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "** redacted **"),
            )
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.role_session_name)
            .field("use_cvm_role", &self.use_cvm_role)
            .finish()
    }
}

/// One service's entry of `<profile>.configure`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TccliService {
    /// `endpoint`: a host (`cvm.tencentcloudapi.com`), used over HTTPS.
    pub endpoint: Option<String>,
    /// `version`: the API version tccli calls.
    pub version: Option<String>,
}

/// The contents of `<profile>.configure`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct TccliConfigure {
    /// `region`.
    pub region: Option<String>,
    /// `output`: `json`, `table` or `text`.
    pub output: Option<String>,
    /// `language`: `zh-CN` or `en-US`.
    pub language: Option<String>,
    /// Per-service entries by service name (`cvm`, `hai`, ...).
    pub services: BTreeMap<String, TccliService>,
    /// `waiter.timeout`, seconds.
    pub waiter_timeout: Option<f64>,
    /// `waiter.interval`, seconds.
    pub waiter_interval: Option<f64>,
    /// `sts.endpoint`.
    pub sts_endpoint: Option<String>,
}

impl TccliFiles {
    /// `$HOME/.tccli` (`%USERPROFILE%` on Windows) and `$TCCLI_PROFILE` (default `default`).
    /// `None` when no home directory is set.
    pub fn from_env() -> Result<Option<TccliFiles>, TccliConfigError> {
        let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        let Some(home) = std::env::var_os(var).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let profile = std::env::var("TCCLI_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "default".to_owned());
        Self::new(Path::new(&home).join(".tccli"), profile).map(Some)
    }

    /// The files of `profile` in `dir` (normally `~/.tccli`).
    pub fn new(
        dir: impl Into<PathBuf>,
        profile: impl Into<String>,
    ) -> Result<Self, TccliConfigError> {
        let profile = profile.into();
        if profile.is_empty()
            || profile.contains(['/', '\\'])
            || profile == ".."
            || profile.chars().any(char::is_control)
        {
            return Err(TccliConfigError::BadProfileName(profile));
        }
        Ok(Self {
            dir: dir.into(),
            profile,
        })
    }

    /// The profile name.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// `<dir>/<profile>.credential`.
    pub fn credential_path(&self) -> PathBuf {
        self.dir.join(format!("{}.credential", self.profile))
    }

    /// `<dir>/<profile>.configure`.
    pub fn configure_path(&self) -> PathBuf {
        self.dir.join(format!("{}.configure", self.profile))
    }

    /// Reads `<profile>.credential`; `None` when the file does not exist.
    pub fn credential(&self) -> Result<Option<TccliCredential>, TccliConfigError> {
        let path = self.credential_path();
        let Some(obj) = read_object(&path)? else {
            return Ok(None);
        };
        let s = |key: &str| string(&path, &obj, key);
        let use_cvm_role = s("type")?.as_deref() == Some("cvm-role");
        Ok(Some(TccliCredential {
            secret_id: s("secretId")?,
            secret_key: s("secretKey")?,
            token: s("token")?,
            role_arn: s("role-arn")?,
            role_session_name: s("role-session-name")?,
            use_cvm_role,
        }))
    }

    /// Reads `<profile>.configure`; `None` when the file does not exist.
    pub fn configure(&self) -> Result<Option<TccliConfigure>, TccliConfigError> {
        let path = self.configure_path();
        let Some(obj) = read_object(&path)? else {
            return Ok(None);
        };
        let sys = match obj.get("_sys_param") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => {
                return Err(TccliConfigError::WrongType {
                    path,
                    key: "_sys_param".into(),
                    expected: "an object",
                })
            }
        };
        let sys_or_top = |key: &str| -> Result<Option<String>, TccliConfigError> {
            match string_at(&path, &sys, key, &format!("_sys_param.{key}"))? {
                Some(v) => Ok(Some(v)),
                None => string(&path, &obj, key),
            }
        };
        let mut config = TccliConfigure {
            region: sys_or_top("region")?,
            output: sys_or_top("output")?,
            language: sys_or_top("language")?,
            ..TccliConfigure::default()
        };
        for (name, value) in &obj {
            if name == "_sys_param" {
                continue;
            }
            let Value::Object(entry) = value else {
                continue; // old top-level settings such as `region`
            };
            if name == "waiter" {
                config.waiter_timeout = number_at(&path, entry, "timeout", "waiter.timeout")?;
                config.waiter_interval = number_at(&path, entry, "interval", "waiter.interval")?;
                continue;
            }
            let service = TccliService {
                endpoint: string_at(&path, entry, "endpoint", &format!("{name}.endpoint"))?,
                version: string_at(&path, entry, "version", &format!("{name}.version"))?,
            };
            if name == "sts" {
                config.sts_endpoint = service.endpoint.clone();
            }
            config.services.insert(name.clone(), service);
        }
        Ok(Some(config))
    }
}

fn read_object(path: &Path) -> Result<Option<Map<String, Value>>, TccliConfigError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(TccliConfigError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| TccliConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(TccliConfigError::TooLarge {
            path: path.to_owned(),
        });
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(_) => Err(TccliConfigError::NotJson {
            path: path.to_owned(),
            reason: "the top level is not an object".into(),
        }),
        // serde_json's message names line and column, never the text.
        Err(e) => Err(TccliConfigError::NotJson {
            path: path.to_owned(),
            reason: format!("line {}, column {}", e.line(), e.column()),
        }),
    }
}

fn string(
    path: &Path,
    obj: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, TccliConfigError> {
    string_at(path, obj, key, key)
}

/// An optional string; empty counts as absent (tccli writes `""` for unset values).
fn string_at(
    path: &Path,
    obj: &Map<String, Value>,
    key: &str,
    shown: &str,
) -> Result<Option<String>, TccliConfigError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(TccliConfigError::WrongType {
            path: path.to_owned(),
            key: shown.to_owned(),
            expected: "a string",
        }),
    }
}

fn number_at(
    path: &Path,
    obj: &Map<String, Value>,
    key: &str,
    shown: &str,
) -> Result<Option<f64>, TccliConfigError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(TccliConfigError::WrongType {
            path: path.to_owned(),
            key: shown.to_owned(),
            expected: "a number",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(files: &[(&str, &str)]) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "hai-tccli-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&d).unwrap();
        for (name, text) in files {
            std::fs::write(d.join(name), text).unwrap();
        }
        d
    }

    #[test]
    fn reads_the_files_tccli_configure_writes() {
        let d = dir(&[
            (
                "default.credential",
                r#"{"secretId": "AKIDx", "secretKey": "k", "token": "", "type": "default"}"#,
            ),
            (
                "default.configure",
                r#"{"_sys_param": {"region": "ap-guangzhou", "output": "table", "arrayCount": 10},
                    "cvm": {"endpoint": "cvm.tencentcloudapi.com", "version": "2017-03-12"},
                    "waiter": {"timeout": 60, "interval": 2}}"#,
            ),
        ]);
        let files = TccliFiles::new(&d, "default").unwrap();
        let cred = files.credential().unwrap().unwrap();
        assert_eq!(cred.secret_id.as_deref(), Some("AKIDx"));
        assert_eq!(cred.token, None);
        assert!(!cred.use_cvm_role);
        assert!(!format!("{cred:?}").contains("\"k\""));
        let conf = files.configure().unwrap().unwrap();
        assert_eq!(conf.region.as_deref(), Some("ap-guangzhou"));
        assert_eq!(conf.output.as_deref(), Some("table"));
        assert_eq!(
            conf.services["cvm"].endpoint.as_deref(),
            Some("cvm.tencentcloudapi.com")
        );
        assert_eq!(conf.waiter_timeout, Some(60.0));
        assert_eq!(conf.waiter_interval, Some(2.0));
    }

    #[test]
    fn missing_files_are_none_and_bad_ones_typed_errors() {
        let d = dir(&[
            ("bad.credential", "{\"secretId\": \"AKID\", "),
            ("bad.configure", "[1]"),
            ("typed.configure", r#"{"_sys_param": {"region": 7}}"#),
        ]);
        let none = TccliFiles::new(&d, "absent").unwrap();
        assert!(none.credential().unwrap().is_none());
        assert!(none.configure().unwrap().is_none());
        let bad = TccliFiles::new(&d, "bad").unwrap();
        let e = bad.credential().unwrap_err();
        assert!(matches!(e, TccliConfigError::NotJson { .. }), "{e}");
        assert!(!e.to_string().contains("AKID"), "{e}");
        assert!(matches!(
            bad.configure().unwrap_err(),
            TccliConfigError::NotJson { .. }
        ));
        let typed = TccliFiles::new(&d, "typed").unwrap();
        let e = typed.configure().unwrap_err();
        assert!(e.to_string().contains("_sys_param.region"), "{e}");
        for name in ["", "../x", "a/b", ".."] {
            assert!(matches!(
                TccliFiles::new(&d, name),
                Err(TccliConfigError::BadProfileName(_))
            ));
        }
    }

    #[test]
    fn old_top_level_settings_are_read() {
        let d = dir(&[(
            "old.configure",
            r#"{"region": "ap-beijing", "output": "json"}"#,
        )]);
        let conf = TccliFiles::new(&d, "old")
            .unwrap()
            .configure()
            .unwrap()
            .unwrap();
        assert_eq!(conf.region.as_deref(), Some("ap-beijing"));
    }
}
