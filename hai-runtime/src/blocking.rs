//! Blocking calls (feature `blocking`): what the generated blocking clients run on.
//!
//! Every generated tree built with a blocking client (HAI's, `hai_sdk::blocking::Client`, with
//! hai-sdk's `blocking` feature) has a `blocking::Client` with the same methods as its async
//! `Client`: actions return their result instead of a future, paginators are [`Iterator`]s
//! of pages ([`Paginator`]) or of items ([`Items`]), and waiters return when the wait ends.
//! Errors, retries, deadlines, rate limits, credentials and signing are the async client's:
//! a blocking client drives it on a small multi-thread tokio [`Runtime`] of its own (two
//! worker threads, started at the first call), which its clones share.
//!
//! # When to use it
//!
//! For code that is synchronous anyway: command-line tools, build scripts, tests without an
//! async runtime, synchronous services and scripts that call a few actions in sequence. It
//! costs nothing to an async program that does not enable the feature.
//!
//! Not inside async code: blocking one of an async runtime's threads on a network call
//! stalls every task scheduled on it (and a single-threaded runtime entirely). A blocking
//! call made where a tokio runtime is current (inside `async` code, `block_on`, or a
//! `spawn_blocking` closure) sends nothing and fails with [`Error::Build`] of kind
//! [`BuildRequestErrorKind::InsideAsyncRuntime`]; use the async client and `.await` there.
//!
//! ```text
//! use hai_sdk::stop_instance::StopInstanceRequest;
//!
//! let client = hai_sdk::blocking::Client::from_env()?;
//! let out = client.stop_instance(StopInstanceRequest::new("hai-dunyfddn"))?;
//! let instance = client.wait_until_instance_stopped("hai-dunyfddn")?;
//! for instance in client.describe_instances_paginator(request).items() {
//!     println!("{:?}", instance?.instance_id);
//! }
//! ```
//!
//! Per-call options (`timeout`, `retry_transient`, ...) are set on the async client's call
//! and sent with the blocking client's `send`:
//! `client.send(client.async_client().stop_instance(request).timeout(None))`.
//!
//! A blocking client made from a shared [`Config`](crate::Config) (`Client::new(&config)`)
//! shares its credentials cache, rate limiter and connection pool; connections opened by its
//! calls are driven by its runtime, and closed with it when its last clone is dropped.

use std::fmt;
use std::future::IntoFuture;
use std::sync::{Arc, OnceLock};

use futures_util::StreamExt;

use crate::action::Action;
use crate::client::Call;
use crate::error::{BuildRequestError, BuildRequestErrorKind, Error};
use crate::paginator::{self, ItemResult, PageResult, Paginated};
use crate::waiters::WaitError;

/// Worker threads of a blocking client's runtime: they drive connections and timers, while
/// each call runs on the thread that made it.
const WORKER_THREADS: usize = 2;

/// The tokio runtime a blocking client and its clones share: started at the first call,
/// shut down (without waiting for idle connections) when the last clone is dropped.
#[derive(Clone, Default)]
pub struct Runtime {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    runtime: OnceLock<Result<tokio::runtime::Runtime, String>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Never waits, so dropping the last clone is fine anywhere, async code included.
        if let Some(Ok(runtime)) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.shared.runtime.get() {
            None => "not started",
            Some(Ok(_)) => "running",
            Some(Err(_)) => "failed to start",
        };
        f.debug_struct("Runtime").field("state", &state).finish()
    }
}

impl Runtime {
    /// A runtime that starts at its first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `future` to completion on this runtime, on the calling thread. Fails without
    /// polling it when a tokio runtime is current on this thread (see the
    /// [module documentation](self)), or when the runtime cannot start; `action` names the
    /// call in that error.
    pub fn block_on<T, E, F>(&self, action: &'static str, future: F) -> Result<T, Error<E>>
    where
        F: IntoFuture<Output = Result<T, Error<E>>>,
    {
        match self.runtime(action) {
            Ok(runtime) => runtime.block_on(future.into_future()),
            Err(e) => Err(Error::Build(e)),
        }
    }

    /// Sends a call prepared on an async client (with its per-call options) and waits for
    /// its result.
    pub fn call<A: Action>(&self, call: Call<'_, A>) -> Result<A::Output, Error<A::Error>> {
        self.block_on(A::META.name, call)
    }

    /// Runs a waiter's future to its end; a failure to run it at all is
    /// [`WaitError::Call`] of the describe action `action`.
    pub fn wait<T, S, E, F>(&self, action: &'static str, future: F) -> Result<T, WaitError<S, E>>
    where
        F: IntoFuture<Output = Result<T, WaitError<S, E>>>,
    {
        match self.runtime(action) {
            Ok(runtime) => runtime.block_on(future.into_future()),
            Err(e) => Err(WaitError::Call(Error::Build(e))),
        }
    }

    /// The started runtime, when blocking on it is allowed here.
    fn runtime(&self, action: &'static str) -> Result<&tokio::runtime::Runtime, BuildRequestError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(BuildRequestError::new(
                action,
                BuildRequestErrorKind::InsideAsyncRuntime,
                "a blocking client was called where an async runtime is current, which would \
                 block one of its threads: use the async client and `.await` the call there, \
                 or call from a thread of your own",
                None,
            ));
        }
        let started = self.shared.runtime.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name("hai-blocking")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        });
        started.as_ref().map_err(|why| {
            BuildRequestError::new(
                action,
                BuildRequestErrorKind::BlockingRuntime,
                format!("the blocking client's runtime did not start: {why}"),
                None,
            )
        })
    }
}

/// An [`Iterator`] of the pages of `R`'s listing: the async
/// [`Paginator`](paginator::Paginator)'s page loop, run on a blocking client's runtime.
/// Created by the generated blocking `client.<action>_paginator(request)`; nothing is sent
/// before the first `next`. An error ends the iteration after it is yielded.
#[must_use = "a paginator does nothing until it is iterated"]
pub struct Paginator<R: Paginated> {
    runtime: Runtime,
    pages: paginator::Paginator<R>,
    done: bool,
}

impl<R: Paginated + fmt::Debug> fmt::Debug for Paginator<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("pages", &self.pages)
            .field("done", &self.done)
            .finish()
    }
}

impl<R: Paginated> Paginator<R> {
    /// Iterates over `pages` on `runtime`.
    pub fn new(runtime: &Runtime, pages: paginator::Paginator<R>) -> Self {
        Paginator {
            runtime: runtime.clone(),
            pages,
            done: false,
        }
    }

    /// Sets the page size (see [`paginator::Paginator::page_size`]). No effect once
    /// iteration has started.
    pub fn page_size(mut self, size: R::PageSize) -> Self {
        self.pages = self.pages.page_size(size);
        self
    }

    /// The items of every page, in order.
    pub fn items(self) -> Items<R> {
        Items {
            pages: self,
            buffer: Default::default(),
        }
    }
}

impl<R: Paginated> Iterator for Paginator<R> {
    type Item = PageResult<R>;

    fn next(&mut self) -> Option<PageResult<R>> {
        if self.done {
            return None;
        }
        let pages = &mut self.pages;
        let next = self
            .runtime
            .block_on(R::META.name, async { pages.next().await.transpose() })
            .transpose();
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

/// An [`Iterator`] of the items of every page; see [`Paginator::items`].
#[must_use = "a paginator does nothing until it is iterated"]
pub struct Items<R: Paginated> {
    pages: Paginator<R>,
    buffer: std::collections::VecDeque<R::Item>,
}

impl<R: Paginated + fmt::Debug> fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<R: Paginated> Iterator for Items<R> {
    type Item = ItemResult<R>;

    fn next(&mut self) -> Option<ItemResult<R>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.buffer.extend(R::page_items(page)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
