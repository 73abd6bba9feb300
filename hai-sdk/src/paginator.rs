//! Paginator for `DescribeInstances`: a [`Stream`] of pages, or of instances.
//!
//! ```no_run
//! # async fn demo(client: hai_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::StreamExt;
//! use hai_sdk::describe_instances::DescribeInstancesRequest;
//! use hai_sdk::types::Filter;
//!
//! let running = DescribeInstancesRequest::new()
//!     .filters([Filter::new("instance-state", ["RUNNING".to_owned()])]);
//! let mut instances = client.describe_instances_paginator(running).page_size(100).items();
//! while let Some(instance) = instances.next().await {
//!     println!("{:?}", instance?.instance_id);
//! }
//! # Ok(()) }
//! ```
//!
//! The paginator starts at the request's `Offset` (default 0) and asks for pages of the
//! request's `Limit` (default 20, the service's default; clamped to 1..=100, the service's
//! maximum). It sends `Offset` and `Limit` explicitly on every call and stops after a page
//! that is empty, shorter than the page size, or reaches `TotalCount`, so it never sends a
//! request whose answer is known to be empty. `DescribeInstances` is read-only, so each page
//! request already rides over transient failures (5xx, `InternalError`, timeouts, resets)
//! with the client's retries, within its call timeout; an error that remains after them is
//! yielded once and ends the stream.
//!
//! Pages are read one after another at increasing offsets, as the API offers no cursor:
//! instances created or terminated while paging can shift the listing, so an instance may
//! then be skipped or seen twice.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream;

use crate::describe_instances::{
    DescribeInstancesError, DescribeInstancesRequest, DescribeInstancesResponse,
};
use crate::error::Error;
use crate::types::Instance;
use crate::Client;

/// Page size used when the request has no `Limit` (the service's default).
pub const DEFAULT_PAGE_SIZE: i64 = 20;
/// Largest page the service returns.
pub const MAX_PAGE_SIZE: i64 = 100;

/// One page, or the error that ended the listing.
pub type PageResult = Result<DescribeInstancesResponse, Error<DescribeInstancesError>>;
/// One instance, or the error that ended the listing.
pub type ItemResult = Result<Instance, Error<DescribeInstancesError>>;

type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// A [`Stream`] of `DescribeInstances` pages; [`items`](Self::items) flattens it into
/// instances. Created by [`Client::describe_instances_paginator`]; nothing is sent until it
/// is polled.
#[must_use = "a paginator does nothing until it is polled"]
pub struct DescribeInstancesPaginator {
    pending: Option<(Client, DescribeInstancesRequest)>,
    pages: Option<BoxStream<PageResult>>,
}

impl fmt::Debug for DescribeInstancesPaginator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DescribeInstancesPaginator")
            .field("request", &self.pending.as_ref().map(|(_, r)| r))
            .field("started", &self.pages.is_some())
            .finish()
    }
}

impl Client {
    /// Pages through `DescribeInstances` for `request` (its filters or ids, starting at its
    /// `Offset`, pages of its `Limit`); see [`crate::paginator`].
    pub fn describe_instances_paginator(
        &self,
        request: DescribeInstancesRequest,
    ) -> DescribeInstancesPaginator {
        DescribeInstancesPaginator {
            pending: Some((self.clone(), request)),
            pages: None,
        }
    }
}

impl DescribeInstancesPaginator {
    /// Sets the page size (clamped to 1..=100). No effect once polling has started.
    pub fn page_size(mut self, size: i64) -> Self {
        if let Some((_, req)) = &mut self.pending {
            req.limit = Some(size);
        }
        self
    }

    /// The instances of every page, in order.
    pub fn items(self) -> DescribeInstancesItems {
        DescribeInstancesItems {
            pages: self,
            buffer: VecDeque::new(),
        }
    }

    fn started(&mut self) -> &mut BoxStream<PageResult> {
        self.pages.get_or_insert_with(|| match self.pending.take() {
            Some((client, request)) => Box::pin(page_stream(request, move |req| {
                let client = client.clone();
                async move { client.describe_instances(req).await }
            })),
            None => Box::pin(stream::empty()),
        })
    }
}

impl Stream for DescribeInstancesPaginator {
    type Item = PageResult;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<PageResult>> {
        self.get_mut().started().as_mut().poll_next(cx)
    }
}

/// A [`Stream`] of the instances of every `DescribeInstances` page; see
/// [`DescribeInstancesPaginator::items`].
#[must_use = "a paginator does nothing until it is polled"]
#[derive(Debug)]
pub struct DescribeInstancesItems {
    pages: DescribeInstancesPaginator,
    buffer: VecDeque<Instance>,
}

impl Stream for DescribeInstancesItems {
    type Item = ItemResult;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ItemResult>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Ready(Some(Ok(page))) => {
                    this.buffer.extend(page.instance_set.unwrap_or_default());
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Where the listing stands between pages.
enum Cursor<F> {
    Next {
        fetch: F,
        request: DescribeInstancesRequest,
        offset: i64,
        size: i64,
    },
    Done,
}

/// The page stream over any fetch function (the client's call, or a fake in tests).
pub(crate) fn page_stream<F, Fut>(
    request: DescribeInstancesRequest,
    fetch: F,
) -> impl Stream<Item = PageResult> + Send
where
    F: FnMut(DescribeInstancesRequest) -> Fut + Send + 'static,
    Fut: Future<Output = PageResult> + Send,
{
    let size = request
        .limit
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let offset = request.offset.unwrap_or(0);
    let start = Cursor::Next {
        fetch,
        request,
        offset,
        size,
    };
    stream::unfold(start, |cursor| async move {
        let Cursor::Next {
            mut fetch,
            request,
            offset,
            size,
        } = cursor
        else {
            return None;
        };
        let mut call = request.clone();
        call.offset = Some(offset);
        call.limit = Some(size);
        match fetch(call).await {
            Ok(page) => {
                let n = page.instance_set.as_ref().map_or(0, Vec::len);
                let next = offset.saturating_add(i64::try_from(n).unwrap_or(i64::MAX));
                let more = n > 0
                    && i64::try_from(n).unwrap_or(i64::MAX) >= size
                    && page.total_count.is_none_or(|total| next < total);
                let cursor = if more {
                    Cursor::Next {
                        fetch,
                        request,
                        offset: next,
                        size,
                    }
                } else {
                    Cursor::Done
                };
                Some((Ok(page), cursor))
            }
            Err(e) => Some((Err(e), Cursor::Done)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    type Calls = Arc<Mutex<Vec<(i64, i64)>>>;

    /// A fake service holding `total` instances; records each (Offset, Limit) asked for.
    fn fake(
        total: usize,
        report_total: bool,
    ) -> (
        impl FnMut(DescribeInstancesRequest) -> std::future::Ready<PageResult> + Send + 'static,
        Calls,
    ) {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = calls.clone();
        let fetch = move |req: DescribeInstancesRequest| {
            let (o, l) = (req.offset.unwrap(), req.limit.unwrap());
            seen.lock().unwrap().push((o, l));
            let ids = (o as usize..total).take(l as usize).map(|i| Instance {
                instance_id: Some(format!("hai-{i:08}")),
                ..Instance::default()
            });
            std::future::ready(Ok(DescribeInstancesResponse {
                total_count: report_total.then_some(total as i64),
                instance_set: Some(ids.collect()),
                ..DescribeInstancesResponse::default()
            }))
        };
        (fetch, calls)
    }

    async fn ids(
        req: DescribeInstancesRequest,
        total: usize,
        report: bool,
    ) -> (usize, Vec<(i64, i64)>) {
        let (fetch, calls) = fake(total, report);
        let pages: Vec<PageResult> = page_stream(req, fetch).collect().await;
        let n = pages
            .into_iter()
            .map(|p| p.unwrap().instance_set.unwrap().len())
            .sum();
        let calls = calls.lock().unwrap().clone();
        (n, calls)
    }

    #[tokio::test]
    async fn default_page_size_and_no_extra_request() {
        let (n, calls) = ids(DescribeInstancesRequest::new(), 60, true).await;
        assert_eq!(n, 60);
        assert_eq!(calls, [(0, 20), (20, 20), (40, 20)]);
    }

    #[tokio::test]
    async fn short_page_stops_without_total_count() {
        let (n, calls) = ids(DescribeInstancesRequest::new().limit(100), 250, false).await;
        assert_eq!(n, 250);
        assert_eq!(calls, [(0, 100), (100, 100), (200, 100)]);
    }

    #[tokio::test]
    async fn exact_multiple_without_total_count_needs_one_empty_page() {
        let (n, calls) = ids(DescribeInstancesRequest::new().limit(50), 100, false).await;
        assert_eq!(n, 100);
        assert_eq!(calls, [(0, 50), (50, 50), (100, 50)]);
    }

    #[tokio::test]
    async fn honours_offset_and_clamps_the_limit() {
        let (n, calls) = ids(
            DescribeInstancesRequest::new().offset(30).limit(500),
            250,
            true,
        )
        .await;
        assert_eq!(n, 220);
        assert_eq!(calls, [(30, 100), (130, 100), (230, 100)]);
        let (_, calls) = ids(DescribeInstancesRequest::new().limit(0), 2, true).await;
        assert_eq!(calls, [(0, 1), (1, 1)]);
    }

    #[tokio::test]
    async fn empty_listing_is_one_request() {
        let (n, calls) = ids(DescribeInstancesRequest::new(), 0, true).await;
        assert_eq!(n, 0);
        assert_eq!(calls, [(0, 20)]);
    }

    #[tokio::test]
    async fn an_error_is_yielded_once_and_ends_the_stream() {
        let mut calls = 0;
        let fetch = move |_req: DescribeInstancesRequest| {
            calls += 1;
            assert_eq!(calls, 1, "no request after an error");
            let meta = crate::error::ErrorMetadata::new(
                "DescribeInstances",
                "InternalError",
                "boom",
                "req-1",
                200,
            );
            std::future::ready(Err(Error::Service(DescribeInstancesError::from(meta))))
        };
        let pages: Vec<PageResult> = page_stream(DescribeInstancesRequest::new(), fetch)
            .collect()
            .await;
        assert_eq!(pages.len(), 1);
        assert!(pages[0].is_err());
    }
}
