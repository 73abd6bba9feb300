//! The untyped call by names ([`Config::call_by_name`]): any action of any service, without
//! generated types, through the same execute path as a typed call.
//!
//! The execute path, the endpoint cache and the errors name actions by `&'static`
//! metadata. A call by names gets such metadata from an interner: each distinct
//! (service, version, action, idempotent) is stored once for the life of the process and
//! reused by every later call, so repeated calls allocate no metadata and the memory is
//! bounded by the distinct names called ([`MAX_NAMES`] at most), never by the number of
//! calls. Names are checked before they are stored, so garbage is never kept.

use std::collections::HashMap;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use super::{to_body, CallFuture, CallOptions, Config};
use crate::action::{ActionMeta, ServiceMeta};
use crate::error::shown::{Shown, VALUE_SHOWN};
use crate::error::{ActionError, BuildRequestError, BuildRequestErrorKind, Error, ErrorMetadata};
use crate::retry::RetryPolicy;

/// Distinct actions the process can call by name; beyond, a call fails to build. Far more
/// than Tencent's services have actions that one program calls, and about 2 MB at most.
pub(crate) const MAX_NAMES: usize = 10_000;

/// The name errors of invalid names carry: there is no action name to trust.
const UNTYPED: &str = "call_by_name";

#[derive(Default)]
struct Interned {
    services: HashMap<(String, String), &'static ServiceMeta>,
    actions: HashMap<(&'static str, &'static str, String, bool), &'static ActionMeta>,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// Whether `s` is made of `allowed` bytes, starts with `first` and is 1 to `max` long.
fn name_ok(s: &str, max: usize, first: fn(u8) -> bool, allowed: fn(u8) -> bool) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().next().is_some_and(first) && s.bytes().all(allowed)
}

/// Checks the names (as Tencent forms them: `cvm`, `2017-03-12`, `DescribeInstances`) and
/// returns the interned metadata: a service host under `tencentcloudapi.com` (the endpoint
/// rule puts it under the configured root), the service name as the signing service, no
/// documented rate, and no region requirement (a call by names cannot know it).
pub(crate) fn metadata(
    service: &str,
    version: &str,
    action: &str,
    idempotent: bool,
) -> Result<&'static ActionMeta, BuildRequestError> {
    let invalid = |what: &str, value: &str, form: &str| {
        BuildRequestError::new(
            UNTYPED,
            BuildRequestErrorKind::InvalidName,
            format!("{what} `{}` is not {form}", Shown::new(value, VALUE_SHOWN)),
            None,
        )
    };
    let lower_or_digit = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !name_ok(service, 63, |b| b.is_ascii_lowercase(), lower_or_digit) {
        return Err(invalid(
            "service",
            service,
            "a service name (lower-case letters and digits, e.g. cvm)",
        ));
    }
    if !name_ok(
        version,
        32,
        |b| b.is_ascii_digit(),
        |b| b.is_ascii_digit() || b == b'-',
    ) {
        return Err(invalid(
            "version",
            version,
            "an API version (e.g. 2017-03-12)",
        ));
    }
    if !name_ok(
        action,
        128,
        |b| b.is_ascii_uppercase(),
        |b| b.is_ascii_alphanumeric(),
    ) {
        return Err(invalid(
            "action",
            action,
            "an action name (letters and digits, e.g. DescribeInstances)",
        ));
    }
    static INTERNED: OnceLock<Mutex<Interned>> = OnceLock::new();
    let mut interned = INTERNED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let service_meta = match interned
        .services
        .get(&(service.to_owned(), version.to_owned()))
    {
        Some(s) => *s,
        None => {
            if interned.services.len() >= MAX_NAMES {
                return Err(too_many());
            }
            let name = leak(service);
            let meta: &'static ServiceMeta = Box::leak(Box::new(ServiceMeta {
                name,
                version: leak(version),
                host: leak(&format!("{service}.{}", super::DEFAULT_ROOT_DOMAIN)),
                regional_host: Some(leak(&format!(
                    "{service}.{{region}}.{}",
                    super::DEFAULT_ROOT_DOMAIN
                ))),
                signing_service: name,
                region_required: false,
            }));
            interned
                .services
                .insert((service.to_owned(), version.to_owned()), meta);
            meta
        }
    };
    let key = (
        service_meta.name,
        service_meta.version,
        action.to_owned(),
        idempotent,
    );
    if let Some(meta) = interned.actions.get(&key) {
        return Ok(meta);
    }
    if interned.actions.len() >= MAX_NAMES {
        return Err(too_many());
    }
    let meta: &'static ActionMeta = Box::leak(Box::new(ActionMeta {
        service: service_meta,
        name: leak(action),
        rate_limit: None,
        idempotent,
        read_only: false,
        idempotency_token: None,
    }));
    interned.actions.insert(key, meta);
    Ok(meta)
}

#[cold]
fn too_many() -> BuildRequestError {
    BuildRequestError::new(
        UNTYPED,
        BuildRequestErrorKind::InvalidName,
        format!("more than {MAX_NAMES} distinct actions called by name in this process"),
        None,
    )
}

impl Config {
    /// Prepares a call of any action by its names, the way the official SDKs'
    /// `CommonClient` calls one: `service` (`cvm`), `version` (`2017-03-12`), `action`
    /// (`DescribeInstances`) and the request's parameters as a JSON object; the answer is
    /// the `Response` object as JSON. For actions no generated client covers, or services
    /// without one.
    ///
    /// The call is signed for `service` (the TC3 scope and the host `<service>.<root>`,
    /// with the endpoint rule's overrides: `TENCENTCLOUD_ENDPOINT_URL_<SERVICE>`, the
    /// builder's URL, regional hosts, failover), sent with the configured region when there
    /// is one (a call by names cannot know whether the service requires one: the service
    /// answers `MissingParameter` or similar when it does), retried, bounded and classified
    /// like a typed call, with these differences:
    ///
    /// - it is treated as **not idempotent**: failures after which the request may have
    ///   taken effect are not retried unless [`idempotent(true)`](ByNameCall::idempotent)
    ///   (or `retry_transient(true)`) says repeating it is harmless;
    /// - it has **no client-side rate limit** (it has no documented rate): throttling
    ///   answers are retried as always;
    /// - no idempotency token is filled in: put `ClientToken` in `body` when the action
    ///   takes one.
    ///
    /// Service errors are [`ErrorMetadata`]; [`errors`](ByNameCall::errors) types them as
    /// any [`ActionError`] (a generated tree's `AnyActionError` classifies the common codes).
    /// Invalid names fail with [`BuildRequestErrorKind::InvalidName`] before anything is
    /// sent.
    ///
    /// ```no_run
    /// # async fn f(config: hai_runtime::Config) -> Result<(), Box<dyn std::error::Error>> {
    /// let zones = config
    ///     .call_by_name("cvm", "2017-03-12", "DescribeZones", serde_json::json!({}))
    ///     .await?;
    /// println!("{}", zones["TotalCount"]);
    /// # Ok(()) }
    /// ```
    pub fn call_by_name(
        &self,
        service: &str,
        version: &str,
        action: &str,
        body: serde_json::Value,
    ) -> ByNameCall<'_> {
        ByNameCall {
            client: self,
            names: Names {
                service: service.to_owned(),
                version: version.to_owned(),
                action: action.to_owned(),
            },
            body,
            idempotent: false,
            options: CallOptions::default(),
            errors: PhantomData,
        }
    }
}

#[derive(Debug)]
struct Names {
    service: String,
    version: String,
    action: String,
}

/// One call by names (see [`Config::call_by_name`]), with per-call options; `.await` it to
/// send. `E` is the type of its service errors.
#[must_use = "a call does nothing until it is awaited"]
pub struct ByNameCall<'a, E = ErrorMetadata> {
    client: &'a Config,
    names: Names,
    body: serde_json::Value,
    idempotent: bool,
    options: CallOptions,
    errors: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for ByNameCall<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold secrets (passwords): it is not shown.
        f.debug_struct("ByNameCall")
            .field("service", &self.names.service)
            .field("version", &self.names.version)
            .field("action", &self.names.action)
            .field("idempotent", &self.idempotent)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a, E> ByNameCall<'a, E> {
    call_options!();

    /// Says that repeating the action is harmless (it is idempotent or only reads), which
    /// allows retrying failures after which the request may have taken effect. Off unless
    /// set: a call by names knows nothing of the action.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// Types the call's service errors as `F`: a generated error enum, e.g. a tree's
    /// `AnyActionError` (the common codes, typed) or the error of an action whose request
    /// type is not at hand.
    pub fn errors<F: ActionError>(self) -> ByNameCall<'a, F> {
        ByNameCall {
            client: self.client,
            names: self.names,
            body: self.body,
            idempotent: self.idempotent,
            options: self.options,
            errors: PhantomData,
        }
    }
}

impl<'a, E: From<ErrorMetadata> + Send + 'a> IntoFuture for ByNameCall<'a, E> {
    type Output = Result<serde_json::Value, Error<E>>;
    type IntoFuture = CallFuture<'a, serde_json::Value, E>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let ByNameCall {
                client,
                names,
                body,
                idempotent,
                options,
                ..
            } = self;
            let meta = metadata(&names.service, &names.version, &names.action, idempotent)
                .map_err(Error::Build)?;
            let bytes = to_body(meta.name, &body)?;
            drop(body);
            client
                .execute_raw::<serde_json::Value>(meta, bytes, &options)
                .await
                .map_err(|e| e.map_service(E::from))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_interned_once() {
        let a = metadata("cvm", "2017-03-12", "DescribeZones", false).unwrap();
        let b = metadata("cvm", "2017-03-12", "DescribeZones", false).unwrap();
        assert!(std::ptr::eq(a, b));
        let c = metadata("cvm", "2017-03-12", "DescribeZones", true).unwrap();
        assert!(!std::ptr::eq(a, c));
        assert!(std::ptr::eq(a.service, c.service));
        assert!(c.idempotent && !a.idempotent);
        assert_eq!(a.service.host, "cvm.tencentcloudapi.com");
        assert_eq!(
            a.service.regional_host,
            Some("cvm.{region}.tencentcloudapi.com")
        );
        assert_eq!(a.service.signing_service, "cvm");
        assert_eq!(a.rate_limit, None);
        assert!(!a.service.region_required);
        for (s, v, n) in [
            ("CVM", "2017-03-12", "DescribeZones"),
            ("cvm.x", "2017-03-12", "DescribeZones"),
            ("", "2017-03-12", "DescribeZones"),
            ("cvm", "v1", "DescribeZones"),
            ("cvm", "2017-03-12", "describeZones"),
            ("cvm", "2017-03-12", "Describe\u{202e}Zones"),
            ("cvm", "2017-03-12", ""),
        ] {
            let e = metadata(s, v, n, false).unwrap_err();
            assert_eq!(e.kind(), BuildRequestErrorKind::InvalidName, "{s} {v} {n}");
            assert!(!e.to_string().contains('\u{202e}'), "{e}");
        }
    }

    #[test]
    fn repeated_calls_allocate_no_metadata() {
        metadata("hai", "2023-08-12", "DescribeRegions", false).unwrap();
        let (_, peak) = crate::test_alloc::peak_growth(|| {
            for _ in 0..1000 {
                metadata("hai", "2023-08-12", "DescribeRegions", false).unwrap();
            }
        });
        // Only the lookup keys' temporary strings, freed at once.
        assert!(peak < 1024, "peak heap growth {peak} bytes");
    }
}
