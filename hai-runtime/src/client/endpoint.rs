//! Endpoint resolution: the rule documented on [`Config`](super::Config) ("Endpoints"),
//! resolved once per service and cached.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use reqwest::header::HeaderValue;
use reqwest::Url;

use super::failover::{FailoverRule, FailoverState};
use crate::action::{ActionMeta, ServiceMeta};
use crate::error::shown::{Shown, VALUE_SHOWN};
use crate::error::{BuildRequestError, BuildRequestErrorKind};

/// The generic override variable.
pub(crate) const ENDPOINT_ENV: &str = "TENCENTCLOUD_ENDPOINT_URL";

/// The root domain of computed hosts unless
/// [`ConfigBuilder::root_domain`](super::ConfigBuilder::root_domain) says otherwise: Tencent
/// Cloud (China site) and the official SDKs' `RootDomain` default.
pub const DEFAULT_ROOT_DOMAIN: &str = "tencentcloudapi.com";

/// Tencent Cloud International's root domain: nearby-access hosts
/// `<service>.intl.tencentcloudapi.com`; its regional hosts are under
/// [`DEFAULT_ROOT_DOMAIN`].
pub const INTL_ROOT_DOMAIN: &str = "intl.tencentcloudapi.com";

/// Whether `region` is a financial region (`ap-shanghai-fsi`), served only at regional hosts.
pub(crate) fn is_financial(region: &str) -> bool {
    region.len() > 4
        && region.is_char_boundary(region.len() - 4)
        && region[region.len() - 4..].eq_ignore_ascii_case("-fsi")
}

/// Whether `region` can be a host label as Tencent names regions: `<area>-<place>[-...]`,
/// lower-case letters and digits, single hyphens, starting with a letter.
fn is_region_name(region: &str) -> bool {
    region.len() <= 63
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region.contains('-')
        && region.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Checks a root domain: a DNS name of at least two labels, letters, digits and hyphens.
/// Returns it in lower case.
pub(crate) fn check_root_domain(raw: &str) -> Result<String, String> {
    let root = raw.trim().to_ascii_lowercase();
    let shown = Shown::new(raw, VALUE_SHOWN);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if root.len() > 200 || !root.contains('.') || !root.split('.').all(label_ok) {
        return Err(format!(
            "`{shown}` is not a domain name such as {DEFAULT_ROOT_DOMAIN} or {INTL_ROOT_DOMAIN}"
        ));
    }
    Ok(root)
}

/// The builder's root domain and failovers, checked: the root in lower case, each backup
/// URL parsed.
pub(crate) fn checked_options(
    root_domain: Option<&str>,
    failover: Vec<super::Failover>,
) -> Result<(Option<Box<str>>, Vec<FailoverRule>), super::BuildError> {
    let root = match root_domain {
        Some(raw) => Some(
            check_root_domain(raw)
                .map_err(super::BuildError::InvalidRootDomain)?
                .into_boxed_str(),
        ),
        None => None,
    };
    let failover = failover
        .into_iter()
        .map(|f| {
            let backup = Endpoint::parse(&f.backup).map_err(|why| {
                super::BuildError::InvalidEndpoint(format!("failover backup {why}"))
            })?;
            Ok(FailoverRule {
                service: f.service,
                backup: Arc::new(backup),
                after: f.after,
                cool_down: f.cool_down,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((root, failover))
}

/// Whether the rule can place `region` in the hosts it computes (see `Config`'s docs):
/// checked when the client is built, so that it fails there and not at DNS.
pub(crate) fn check_region_placement(
    region: &str,
    regional: bool,
    root: Option<&str>,
) -> Result<(), String> {
    let financial = is_financial(region);
    if !(regional || financial) {
        return Ok(());
    }
    let shown = Shown::new(region, VALUE_SHOWN);
    if !is_region_name(region) {
        return Err(format!(
            "`{shown}` is not a region name (such as ap-guangzhou) and cannot be part of a host name"
        ));
    }
    if financial && root == Some(INTL_ROOT_DOMAIN) {
        return Err(format!(
            "`{shown}` is a financial region: Tencent serves those only under {DEFAULT_ROOT_DOMAIN}, \
             and the international site ({INTL_ROOT_DOMAIN}) has none"
        ));
    }
    Ok(())
}

/// A parsed endpoint, reused by every call.
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// The URL as the HTTP layer takes it, parsed once.
    pub(crate) uri: http::Uri,
    /// Exactly the `Host` header sent and signed: host, plus `:port` when not the default.
    pub(crate) host: String,
    pub(crate) host_header: HeaderValue,
}

impl Endpoint {
    /// Validates a URL for TC3 requests: http(s), a host, no credentials, query or path.
    pub(crate) fn parse(raw: &str) -> Result<Self, String> {
        // Echoed in errors: a configured value may be huge or hold control characters.
        let shown = Shown::new(raw, VALUE_SHOWN);
        let url = Url::parse(raw.trim()).map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!("`{shown}`: scheme must be http or https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "`{}`: user info is not allowed",
                url.host_str().unwrap_or("")
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("`{shown}`: query and fragment are not allowed"));
        }
        if url.path() != "/" {
            return Err(format!(
                "`{shown}`: TC3 signs the path `/`, so the endpoint cannot have a path"
            ));
        }
        let Some(host_str) = url.host_str() else {
            return Err(format!("`{shown}` has no host"));
        };
        let host = match url.port() {
            Some(port) => format!("{host_str}:{port}"),
            None => host_str.to_owned(),
        };
        let host_header =
            HeaderValue::from_str(&host).map_err(|_| format!("`{shown}`: host is not a header"))?;
        let uri = url
            .as_str()
            .parse()
            .map_err(|e| format!("`{shown}` is not a usable URI: {e}"))?;
        Ok(Self {
            uri,
            host,
            host_header,
        })
    }
}

/// The endpoint inputs gathered at build time.
#[derive(Debug, Default)]
pub(crate) struct EndpointConfig {
    pub(crate) explicit: Option<Arc<Endpoint>>,
    /// `(SERVICE, value)` of every `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>` variable.
    pub(crate) per_service_env: Vec<(String, String)>,
    pub(crate) generic_env: Option<String>,
    pub(crate) regional: bool,
    pub(crate) region: Option<Box<str>>,
    /// The root domain of computed hosts; `None`: [`DEFAULT_ROOT_DOMAIN`].
    pub(crate) root: Option<Box<str>>,
    /// `(service, endpoint)` from tccli's configure file.
    pub(crate) tccli: Vec<(String, String)>,
    /// That file, named when one of its endpoints is unusable.
    pub(crate) tccli_path: Option<std::path::PathBuf>,
    /// Backups of [`ConfigBuilder::failover`](super::ConfigBuilder::failover).
    pub(crate) failover: Vec<FailoverRule>,
}

/// A service's endpoint as its calls use it: the primary, and the failover state when a
/// backup is configured for the service.
#[derive(Debug)]
pub(crate) struct ServiceEndpoint {
    pub(crate) primary: Arc<Endpoint>,
    pub(crate) failover: Option<FailoverState>,
}

impl EndpointConfig {
    /// Checks, unless every computed host is replaced (builder URL or the generic
    /// variable), that the rule can place the region in a host.
    pub(crate) fn check_region_placement(&self) -> Result<(), String> {
        match (&self.region, &self.explicit, &self.generic_env) {
            (Some(region), None, None) => {
                check_region_placement(region, self.regional, self.root.as_deref())
            }
            _ => Ok(()),
        }
    }

    /// Reads the override variables through `vars` (the process environment in production).
    pub(crate) fn read_env(&mut self, vars: impl Iterator<Item = (String, String)>) {
        let prefix = format!("{ENDPOINT_ENV}_");
        for (name, value) in vars {
            if value.trim().is_empty() {
                continue;
            }
            if name == ENDPOINT_ENV {
                self.generic_env = Some(value);
            } else if let Some(service) = name.strip_prefix(&prefix) {
                self.per_service_env.push((service.to_owned(), value));
            }
        }
    }

    fn resolve(&self, meta: &'static ActionMeta) -> Result<Arc<Endpoint>, BuildRequestError> {
        let service = meta.service;
        if let Some(e) = &self.explicit {
            return Ok(e.clone());
        }
        let bad = |source: String, detail: String| {
            BuildRequestError::new(
                meta.name,
                BuildRequestErrorKind::InvalidEndpoint,
                format!("{source}: {detail}"),
                None,
            )
        };
        if let Some((name, value)) = self
            .per_service_env
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(service.name))
        {
            return Endpoint::parse(value)
                .map(Arc::new)
                .map_err(|d| bad(format!("{ENDPOINT_ENV}_{name}"), d));
        }
        if let Some(value) = &self.generic_env {
            return Endpoint::parse(value)
                .map(Arc::new)
                .map_err(|d| bad(ENDPOINT_ENV.to_owned(), d));
        }
        if let Some((name, value)) = self.tccli.iter().find(|(name, _)| name == service.name) {
            let value = value.trim();
            let url = if value.contains("://") {
                value.to_owned()
            } else {
                format!("https://{value}")
            };
            let file = self
                .tccli_path
                .as_ref()
                .map_or_else(|| "tccli configure".to_owned(), |p| p.display().to_string());
            return Endpoint::parse(&url)
                .map(Arc::new)
                .map_err(|d| bad(format!("{file}: `{name}.endpoint`"), d));
        }
        let host = self
            .computed_host(service)
            .map_err(|d| bad(format!("service {}", service.name), d))?;
        Endpoint::parse(&format!("https://{host}"))
            .map(Arc::new)
            .map_err(|d| bad(format!("service {}", service.name), d))
    }

    /// Step 4 of the rule: the service's host under the root domain, regional when asked
    /// for (with a region) or when the region is a financial one.
    fn computed_host(&self, service: &ServiceMeta) -> Result<String, String> {
        let root = self.root.as_deref().unwrap_or(DEFAULT_ROOT_DOMAIN);
        // A spec host under the default root takes the configured one; others stay.
        let rooted = |host: &str, root: &str| match host.strip_suffix(DEFAULT_ROOT_DOMAIN) {
            Some(label) if label.ends_with('.') => format!("{label}{root}"),
            _ => host.to_owned(),
        };
        let region = self
            .region
            .as_deref()
            .filter(|r| self.regional || is_financial(r));
        let Some(region) = region else {
            return Ok(rooted(service.host, root));
        };
        let Some(template) = service.regional_host else {
            if is_financial(region) {
                return Err(format!(
                    "financial region `{}` is served only at regional hosts, and this service has none",
                    Shown::new(region, VALUE_SHOWN)
                ));
            }
            // Asked for a regional host that the service does not have: its global one.
            return Ok(rooted(service.host, root));
        };
        // Tencent's international regional hosts are under the default root.
        let regional_root = if root == INTL_ROOT_DOMAIN {
            DEFAULT_ROOT_DOMAIN
        } else {
            root
        };
        Ok(rooted(&template.replace("{region}", region), regional_root))
    }
}

/// Resolved endpoints per service: the first service used is the fast path.
#[derive(Debug, Default)]
pub(crate) struct Endpoints {
    pub(crate) config: EndpointConfig,
    primary: OnceLock<(&'static ServiceMeta, Arc<ServiceEndpoint>)>,
    others: Mutex<Vec<(&'static ServiceMeta, Arc<ServiceEndpoint>)>>,
}

impl Endpoints {
    pub(crate) fn new(config: EndpointConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// The endpoint for the action's service; resolved once per service.
    pub(crate) fn get(
        &self,
        meta: &'static ActionMeta,
    ) -> Result<Arc<ServiceEndpoint>, BuildRequestError> {
        let same = |s: &ServiceMeta| std::ptr::eq(s, meta.service) || *s == *meta.service;
        if let Some((s, e)) = self.primary.get() {
            if same(s) {
                return Ok(e.clone());
            }
        }
        let mut others = self.others.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, e)) = others.iter().find(|(s, _)| same(s)) {
            return Ok(e.clone());
        }
        let name = meta.service.name;
        let rules = &self.config.failover;
        let rule = rules
            .iter()
            .find(|r| {
                r.service
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
            })
            .or_else(|| rules.iter().find(|r| r.service.is_none()));
        let endpoint = Arc::new(ServiceEndpoint {
            primary: self.config.resolve(meta)?,
            failover: rule.map(|r| FailoverState::new(name, r)),
        });
        if self.primary.set((meta.service, endpoint.clone())).is_err() {
            others.push((meta.service, endpoint.clone()));
        }
        Ok(endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVC: ServiceMeta = ServiceMeta {
        name: "hai",
        version: "2023-08-12",
        host: "hai.tencentcloudapi.com",
        regional_host: Some("hai.{region}.tencentcloudapi.com"),
        signing_service: "hai",
        region_required: true,
    };
    const META: ActionMeta = ActionMeta {
        service: &SVC,
        name: "StopInstance",
        rate_limit: Some(20),
        idempotent: false,
        read_only: false,
        idempotency_token: None,
    };

    fn vars(list: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn precedence_builder_then_service_env_then_generic_env_then_default() {
        let mut c = EndpointConfig::default();
        assert_eq!(
            c.resolve(&META).unwrap().uri.to_string(),
            "https://hai.tencentcloudapi.com/"
        );
        c.read_env(vars(&[(ENDPOINT_ENV, "http://generic:1")]));
        assert_eq!(c.resolve(&META).unwrap().host, "generic:1");
        c.read_env(vars(&[
            ("TENCENTCLOUD_ENDPOINT_URL_CVM", "http://cvm"),
            ("TENCENTCLOUD_ENDPOINT_URL_HAI", "http://hai-env:8080"),
        ]));
        assert_eq!(c.resolve(&META).unwrap().host, "hai-env:8080");
        c.explicit = Some(Arc::new(Endpoint::parse("http://127.0.0.1:9/").unwrap()));
        assert_eq!(c.resolve(&META).unwrap().host, "127.0.0.1:9");
    }

    #[test]
    fn tccli_endpoints_come_after_the_environment() {
        let mut c = EndpointConfig {
            tccli: vec![
                ("cvm".into(), "cvm.example".into()),
                ("hai".into(), " hai.internal.example:8443 ".into()),
            ],
            ..Default::default()
        };
        let e = c.resolve(&META).unwrap();
        assert_eq!(e.uri.to_string(), "https://hai.internal.example:8443/");
        c.tccli[1].1 = "http://127.0.0.1:18931".into();
        assert_eq!(c.resolve(&META).unwrap().host, "127.0.0.1:18931");
        c.read_env(vars(&[(ENDPOINT_ENV, "http://generic:1")]));
        assert_eq!(c.resolve(&META).unwrap().host, "generic:1");
        c.generic_env = None;
        c.tccli[1].1 = "hai.example/path".into();
        c.tccli_path = Some("/home/u/.tccli/default.configure".into());
        let e = c.resolve(&META).unwrap_err();
        assert!(
            e.to_string().contains("default.configure: `hai.endpoint`"),
            "{e}"
        );
    }

    #[test]
    fn regional_host_and_default_ports() {
        let c = EndpointConfig {
            regional: true,
            region: Some("ap-guangzhou".into()),
            ..Default::default()
        };
        assert_eq!(
            c.resolve(&META).unwrap().host,
            "hai.ap-guangzhou.tencentcloudapi.com"
        );
        assert_eq!(
            Endpoint::parse("https://x.example:443").unwrap().host,
            "x.example"
        );
        assert_eq!(
            Endpoint::parse("http://x.example:80/").unwrap().host,
            "x.example"
        );
        assert_eq!(
            Endpoint::parse("https://x.example:8443").unwrap().host,
            "x.example:8443"
        );
        assert_eq!(Endpoint::parse("http://[::1]:81").unwrap().host, "[::1]:81");
    }

    #[test]
    fn computed_hosts_follow_the_root_domain_and_the_region() {
        let host = |regional: bool, region: Option<&str>, root: Option<&str>| {
            let c = EndpointConfig {
                regional,
                region: region.map(Into::into),
                root: root.map(Into::into),
                ..Default::default()
            };
            c.resolve(&META).map(|e| e.host.clone())
        };
        let gz = Some("ap-guangzhou");
        assert_eq!(host(false, gz, None).unwrap(), "hai.tencentcloudapi.com");
        assert_eq!(
            host(true, gz, None).unwrap(),
            "hai.ap-guangzhou.tencentcloudapi.com"
        );
        // Regional without a region: the nearby host.
        assert_eq!(host(true, None, None).unwrap(), "hai.tencentcloudapi.com");
        let intl = Some(INTL_ROOT_DOMAIN);
        assert_eq!(
            host(false, gz, intl).unwrap(),
            "hai.intl.tencentcloudapi.com"
        );
        assert_eq!(
            host(true, gz, intl).unwrap(),
            "hai.ap-guangzhou.tencentcloudapi.com"
        );
        let custom = Some("cloud.example.test");
        assert_eq!(host(false, gz, custom).unwrap(), "hai.cloud.example.test");
        assert_eq!(
            host(true, gz, custom).unwrap(),
            "hai.ap-guangzhou.cloud.example.test"
        );
        // Financial regions: always regional.
        for fsi in ["ap-shanghai-fsi", "ap-shenzhen-fsi"] {
            assert_eq!(
                host(false, Some(fsi), None).unwrap(),
                format!("hai.{fsi}.tencentcloudapi.com")
            );
        }
        // A service without regional hosts: nearby host, but no financial region.
        static GLOBAL: ServiceMeta = ServiceMeta {
            regional_host: None,
            ..SVC
        };
        static GLOBAL_META: ActionMeta = ActionMeta {
            service: &GLOBAL,
            ..META
        };
        let c = EndpointConfig {
            regional: true,
            region: Some("ap-guangzhou".into()),
            root: Some(INTL_ROOT_DOMAIN.into()),
            ..Default::default()
        };
        assert_eq!(
            c.resolve(&GLOBAL_META).unwrap().host,
            "hai.intl.tencentcloudapi.com"
        );
        let c = EndpointConfig {
            region: Some("ap-shanghai-fsi".into()),
            ..Default::default()
        };
        let e = c.resolve(&GLOBAL_META).unwrap_err();
        assert_eq!(e.kind(), BuildRequestErrorKind::InvalidEndpoint);
        assert!(e.to_string().contains("only at regional hosts"), "{e}");
        // A spec host outside the default root stays as it is.
        static ELSEWHERE: ServiceMeta = ServiceMeta {
            host: "api.example.net",
            regional_host: None,
            ..SVC
        };
        static ELSEWHERE_META: ActionMeta = ActionMeta {
            service: &ELSEWHERE,
            ..META
        };
        let c = EndpointConfig {
            root: Some(INTL_ROOT_DOMAIN.into()),
            ..Default::default()
        };
        assert_eq!(c.resolve(&ELSEWHERE_META).unwrap().host, "api.example.net");
    }

    #[test]
    fn regions_the_rule_cannot_place_and_root_domains() {
        assert!(check_region_placement("ap-guangzhou", true, None).is_ok());
        assert!(check_region_placement("ap-shanghai-fsi", false, None).is_ok());
        // Not placed, not checked.
        assert!(check_region_placement("ap_guangzhou", false, None).is_ok());
        for bad in [
            "ap_guangzhou",
            "AP-Guangzhou",
            "guangzhou",
            "ap--x",
            "-ap",
            "1ap-x",
        ] {
            let e = check_region_placement(bad, true, None).unwrap_err();
            assert!(e.contains("not a region name"), "{bad}: {e}");
        }
        assert!(check_region_placement("AP-SHANGHAI-FSI", false, None).is_err());
        let e =
            check_region_placement("ap-shanghai-fsi", false, Some(INTL_ROOT_DOMAIN)).unwrap_err();
        assert!(e.contains("financial region"), "{e}");
        assert!(
            check_region_placement("ap-shanghai-fsi", true, Some("cloud.example.test")).is_ok()
        );

        assert_eq!(
            check_root_domain(" Intl.TencentCloudAPI.com ").unwrap(),
            INTL_ROOT_DOMAIN
        );
        for bad in [
            "",
            "com",
            "a..b",
            "-a.b",
            "a.b/c",
            "http://a.b",
            "a.b:443",
            "a b.c",
        ] {
            assert!(check_root_domain(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unusable_urls_are_rejected_with_the_variable_named() {
        for bad in [
            "ftp://x",
            "http://u:p@x",
            "http://x/path",
            "http://x/?q=1",
            "nonsense",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        let mut c = EndpointConfig::default();
        c.read_env(vars(&[("TENCENTCLOUD_ENDPOINT_URL_HAI", "http://x/p")]));
        let e = c.resolve(&META).unwrap_err();
        assert_eq!(e.kind(), BuildRequestErrorKind::InvalidEndpoint);
        assert!(
            e.to_string().contains("TENCENTCLOUD_ENDPOINT_URL_HAI"),
            "{e}"
        );
    }
}
