//! Settings as tccli resolves them: options first, then the environment (unless
//! `--profile` names a profile), then the profile's files in `~/.tccli/`.

use std::time::Duration;

use clap::ArgMatches;
use hai_sdk::config::tccli::{TccliConfigure, TccliFiles};
use hai_sdk::credentials::{
    AssumeRoleProvider, ChainProvider, CvmRoleProvider, DefaultChain, ProvideCredentials,
    TccliProvider,
};
use hai_sdk::{Credentials, Language};

use crate::{shown, Failure};

/// Everything a call needs besides its parameters.
#[derive(Debug)]
pub struct Settings {
    /// Region, if any was found.
    pub region: Option<String>,
    /// Endpoint URL, if configured (else the SDK's: environment, then the service host).
    pub endpoint: Option<String>,
    /// `json`, `table` or `text`.
    pub output: String,
    /// `X-TC-Language`.
    pub language: Option<Language>,
    /// Timeout of each attempt.
    pub timeout: Option<Duration>,
    /// The profile's `waiter.timeout`.
    pub waiter_timeout: Option<f64>,
    /// The profile's `waiter.interval`.
    pub waiter_interval: Option<f64>,
    /// PEM roots from `--ca-bundle`, read before any call.
    pub extra_roots: Option<Vec<u8>>,
    credentials: Option<Box<dyn ProvideCredentials>>,
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// Resolves the settings from the options of the action's command line.
pub fn resolve(m: &ArgMatches) -> Result<Settings, Failure> {
    let opt = |n: &str| m.get_one::<String>(n).cloned().filter(|v| !v.is_empty());
    let explicit_profile = opt("profile");
    let profile = explicit_profile
        .clone()
        .or_else(|| env("TCCLI_PROFILE"))
        .unwrap_or_else(|| "default".into());
    let home = env(if cfg!(windows) { "USERPROFILE" } else { "HOME" });
    let files = match &home {
        Some(h) => Some(
            TccliFiles::new(std::path::Path::new(h).join(".tccli"), profile)
                .map_err(|e| Failure::other(e.to_string()))?,
        ),
        None => None,
    };
    let configure = match &files {
        Some(f) => f.configure().map_err(|e| Failure::other(e.to_string()))?,
        None => None,
    }
    .unwrap_or_else(TccliConfigure::default);
    if explicit_profile.is_some()
        && files
            .as_ref()
            .is_some_and(|f| !f.configure_path().exists() && !f.credential_path().exists())
    {
        return Err(Failure::other(format!(
            "not exist config file: {}.configure or {}.credential",
            shown(explicit_profile.as_deref().unwrap_or_default()),
            shown(explicit_profile.as_deref().unwrap_or_default())
        )));
    }
    let use_env = explicit_profile.is_none();

    let region = opt("region")
        .or_else(|| use_env.then(|| env("TENCENTCLOUD_REGION")).flatten())
        .or(configure.region.clone());
    let endpoint = match opt("endpoint") {
        Some(e) => Some(endpoint_url(&e)),
        // The SDK reads TENCENTCLOUD_ENDPOINT_URL_HAI / _URL itself; the profile's endpoint
        // comes after them.
        None if env("TENCENTCLOUD_ENDPOINT_URL_HAI").is_some()
            || env("TENCENTCLOUD_ENDPOINT_URL").is_some() =>
        {
            None
        }
        None => configure
            .services
            .get("hai")
            .and_then(|s| s.endpoint.as_deref())
            .map(endpoint_url),
    };
    let output = opt("output")
        .or(configure.output.clone())
        .unwrap_or_else(|| "json".into());
    let language = match opt("language").or(configure.language.clone()).as_deref() {
        None => None,
        Some("zh-CN") => Some(Language::ZhCn),
        Some("en-US") => Some(Language::EnUs),
        Some(other) => {
            return Err(Failure::usage(format!(
                "--language: `{}` is not zh-CN or en-US",
                shown(other)
            )))
        }
    };
    let timeout = match opt("timeout") {
        None => None,
        Some(t) => Some(
            t.parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "--timeout: `{}` is not a number of seconds",
                        shown(&t)
                    ))
                })?,
        ),
    };
    if let Some(proxy) = opt("https-proxy") {
        // The SDK sends through reqwest, which honours the proxy variables, when one is set.
        // Set before the runtime (or any other thread) starts.
        std::env::set_var("HTTPS_PROXY", proxy);
    }
    let extra_roots = match opt("ca-bundle") {
        None => None,
        Some(path) => Some(std::fs::read(&path).map_err(|e| {
            Failure::usage(format!("--ca-bundle: cannot read `{}`: {e}", shown(&path)))
        })?),
    };
    let credentials = credentials(m, use_env, files.as_ref(), &configure)?;
    Ok(Settings {
        region,
        endpoint,
        output,
        language,
        timeout,
        waiter_timeout: configure.waiter_timeout,
        waiter_interval: configure.waiter_interval,
        extra_roots,
        credentials,
    })
}

/// A host means `https://host`; a URL is taken as it is.
fn endpoint_url(value: &str) -> String {
    if value.contains("://") {
        value.to_owned()
    } else {
        format!("https://{value}")
    }
}

/// Options, then (without `--profile`) the environment, then the profile's credential file,
/// then the rest of the SDK's chain.
fn credentials(
    m: &ArgMatches,
    use_env: bool,
    files: Option<&TccliFiles>,
    configure: &TccliConfigure,
) -> Result<Option<Box<dyn ProvideCredentials>>, Failure> {
    let opt = |n: &str| m.get_one::<String>(n).cloned().filter(|v| !v.is_empty());
    let role = opt("role-arn").zip(opt("role-session-name"));
    let mut sts = hai_sdk::credentials::StsConfig::default();
    if let Some(e) = &configure.sts_endpoint {
        sts = sts.endpoint(endpoint_url(e));
    }
    let source: Box<dyn ProvideCredentials> = match (opt("secretId"), opt("secretKey")) {
        (Some(id), Some(key)) => Box::new(Credentials::from_parts(
            id,
            key,
            opt("token"),
            None,
            "command line",
        )),
        (Some(_), None) | (None, Some(_)) => {
            return Err(Failure::usage("--secretId and --secretKey go together"))
        }
        (None, None) if m.get_flag("use-cvm-role") => Box::new(CvmRoleProvider::builder().build()),
        (None, None) => {
            // tccli's order, from the SDK's own providers: the environment, the profile's
            // files, then the rest of the default chain (its tccli entry is ours already).
            let defaults = DefaultChain::builder().providers();
            let mut chain = ChainProvider::new();
            if use_env {
                chain = chain.with(defaults.environment);
            }
            if let Some(f) = files {
                chain = chain.with(TccliProvider::new(f.clone()).sts(sts.clone()));
            }
            if use_env {
                chain = chain
                    .with(defaults.profile)
                    .with(defaults.cvm_role)
                    .with(defaults.tke_oidc);
            }
            Box::new(chain)
        }
    };
    Ok(Some(match role {
        Some((arn, session)) => Box::new(
            AssumeRoleProvider::builder(arn)
                .session_name(session)
                .sts(sts)
                .build(std::sync::Arc::<dyn ProvideCredentials>::from(source)),
        ),
        None => source,
    }))
}

impl Settings {
    /// The SDK client for these settings.
    pub fn client(&mut self) -> Result<hai_sdk::Client, Failure> {
        // Not `from_env`: the region, endpoint and credentials were resolved above, in
        // tccli's order and for the profile of `--profile`.
        let mut b = hai_sdk::Client::builder();
        if let Some(r) = &self.region {
            b = b.region(r.clone());
        }
        if let Some(e) = &self.endpoint {
            b = b.endpoint(e.clone());
        }
        if let Some(l) = self.language {
            b = b.language(l);
        }
        if let Some(t) = self.timeout {
            b = b.timeout(Some(t));
        }
        if let Some(c) = self.credentials.take() {
            b = b.credentials(std::sync::Arc::<dyn ProvideCredentials>::from(c));
        }
        if let Some(pem) = &self.extra_roots {
            b = b.add_root_certificate(pem);
        }
        b.build().map_err(|e| Failure::other(e.to_string()))
    }
}
