//! Lazy, single-flight cache for temporary credentials.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

/// How long before expiry cached credentials are refreshed, unless configured otherwise.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// After a failed refresh, how long the still-valid old credentials are served before the next
/// attempt, so a flaky metadata service does not add a timeout to every call.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// Wall-clock time as seen by credential caches; injectable so tests can cross an expiry
/// deterministically instead of sleeping.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock: what expiry times from Tencent Cloud are compared with.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The cache state shared by all callers; never held across an `.await`.
#[derive(Default)]
struct State {
    creds: Option<Credentials>,
    /// When `creds` should be replaced (expiry minus the margin); `None` = never.
    refresh_at: Option<SystemTime>,
    /// Set after a failed refresh: serve the old credentials without retrying until then.
    retry_after: Option<SystemTime>,
    /// Bumped after every refresh attempt, so callers that queued behind it reuse its outcome.
    generation: u64,
    last_error: Option<CredentialsError>,
}

/// The caching engine used by every refreshing provider.
pub(crate) struct Cache {
    margin: Duration,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    refresh: tokio::sync::Mutex<()>,
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Cache")
            .field("refresh_margin", &self.margin)
            .field("clock", &self.clock)
            .field("cached", &st.creds)
            .field("refresh_at", &st.refresh_at)
            .finish()
    }
}

impl Cache {
    pub(crate) fn new(margin: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            margin,
            clock,
            state: Mutex::new(State::default()),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves consistent data: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn unexpired(st: &State, now: SystemTime) -> Option<Credentials> {
        st.creds
            .as_ref()
            .filter(|c| c.expiry().is_none_or(|e| now < e))
            .cloned()
    }

    fn fresh(st: &State, now: SystemTime) -> Option<Credentials> {
        if st.refresh_at.is_none_or(|r| now < r) {
            Self::unexpired(st, now)
        } else {
            None
        }
    }

    /// Cached credentials if fresh; otherwise one caller runs `fetch` while the others wait and
    /// share its outcome. A failed refresh keeps the old credentials until they expire.
    pub(crate) async fn get<F, Fut>(&self, provider: &'static str, fetch: F) -> super::Result
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = super::Result>,
    {
        let seen_generation = {
            let st = self.lock();
            let now = self.clock.now();
            if let Some(c) = Self::fresh(&st, now) {
                return Ok(c);
            }
            if st.retry_after.is_some_and(|t| now < t) {
                if let Some(c) = Self::unexpired(&st, now) {
                    return Ok(c);
                }
            }
            st.generation
        };

        let _single_flight = self.refresh.lock().await;
        {
            let st = self.lock();
            let now = self.clock.now();
            if let Some(c) = Self::fresh(&st, now) {
                return Ok(c);
            }
            if st.generation != seen_generation {
                // A refresh finished while we queued; its outcome stands for us too.
                if let Some(c) = Self::unexpired(&st, now) {
                    return Ok(c);
                }
                if let Some(e) = &st.last_error {
                    return Err(e.clone());
                }
            }
        }

        tracing::debug!(provider, "refreshing credentials");
        let result = fetch().await;
        let now = self.clock.now();
        let mut st = self.lock();
        st.generation = st.generation.wrapping_add(1);
        let result = result.and_then(|c| match c.expiry() {
            Some(e) if e <= now => Err(CredentialsError::Fetch {
                provider,
                reason: "the source returned credentials that have already expired".into(),
            }),
            _ => Ok(c),
        });
        match result {
            Ok(c) => {
                st.refresh_at = c.expiry().map(|e| {
                    // Short-lived credentials: refresh at half-life rather than at once.
                    let life = e.duration_since(now).unwrap_or_default();
                    e - self.margin.min(life / 2)
                });
                tracing::debug!(provider, expiry = ?c.expiry(), "credentials refreshed");
                st.creds = Some(c.clone());
                st.retry_after = None;
                st.last_error = None;
                Ok(c)
            }
            Err(e) => {
                st.retry_after = now.checked_add(RETRY_AFTER_FAILURE);
                st.last_error = Some(e.clone());
                match Self::unexpired(&st, now) {
                    Some(old) => {
                        tracing::warn!(
                            provider,
                            error = %e,
                            "credential refresh failed; using the cached credentials until they expire"
                        );
                        Ok(old)
                    }
                    None => Err(e),
                }
            }
        }
    }
}

/// Wraps any provider so its temporary credentials are reused until shortly before expiry,
/// with at most one refresh in flight however many tasks ask at once. Credentials without an
/// expiry are kept for good; a failed refresh keeps serving unexpired old credentials.
///
/// The refreshing providers of this module ([`super::CvmRoleProvider`],
/// [`super::TkeOidcProvider`], [`super::AssumeRoleProvider`]) already cache; use this for your
/// own providers.
pub struct CachingProvider<P> {
    inner: P,
    name: &'static str,
    cache: Cache,
}

impl<P: ProvideCredentials> CachingProvider<P> {
    /// Caches `inner` with the default margin and the system clock.
    pub fn new(inner: P) -> Self {
        Self {
            inner,
            name: "caching",
            cache: Cache::new(DEFAULT_REFRESH_MARGIN, Arc::new(SystemClock)),
        }
    }

    /// Refresh this long before expiry (default [`DEFAULT_REFRESH_MARGIN`]).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        let clock = self.cache.clock().clone();
        self.cache = Cache::new(margin, clock);
        self
    }

    /// Use another clock (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.cache = Cache::new(self.cache.margin, clock);
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingProvider")
            .field("inner", &self.inner)
            .field("cache", &self.cache)
            .finish()
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachingProvider<P> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(
            self.cache
                .get(self.name, || self.inner.provide_credentials()),
        )
    }
}
