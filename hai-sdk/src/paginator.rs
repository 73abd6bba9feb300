//! Paginators: a [`Stream`] of pages, or of items, for every action the spec marks as paging.
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
//! The generator emits, for each paging action `X`, `client.x_paginator(request)`, the aliases
//! `XPaginator` and `XItems` in the action's module, and an implementation of [`Paginated`]
//! for the request; this module holds the page loop they share. HAI's paging actions are
//! `DescribeInstances`, `DescribeApplications`, `DescribeModels`, `DescribeMuskPrompts`,
//! `DescribeServices` and `DescribeServicesCallInfo`.
//!
//! A paginator starts at the request's offset (default 0) and asks for pages of the
//! request's limit, else of the service's documented default page size (20 for
//! `DescribeInstances`), lowered to the documented maximum (100) and raised to at least 1.
//! When the service documents no default and the request sets no limit, it sends no limit
//! and lets the service choose. It sends the offset (and a known limit) explicitly on every
//! call and stops after a page that is empty, shorter than the page size, or reaches the
//! total count, so it never sends a request whose answer is known to be empty; for an action
//! whose answer has no total count, a listing that ends on a full page costs one more,
//! empty, request. Paging actions are read-only, so each page request already rides over
//! transient failures (5xx, `InternalError`, timeouts, resets) with the client's retries,
//! within its call timeout; an error that remains after them is yielded once and ends the
//! stream.
//!
//! Pages are read one after another at increasing offsets, as the API offers no cursor:
//! items created or deleted while paging can shift the listing, so an item may then be
//! skipped or seen twice.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream;

use crate::action::Action;
use crate::describe_instances::DescribeInstancesRequest;
use crate::error::Error;
use crate::Client;

#[doc(no_inline)]
pub use crate::describe_instances::{DescribeInstancesItems, DescribeInstancesPaginator};

/// `DescribeInstances`' default page size.
#[deprecated(note = "use `<DescribeInstancesRequest as Paginated>::DEFAULT_PAGE_SIZE`")]
pub const DEFAULT_PAGE_SIZE: i64 = 20;
/// `DescribeInstances`' largest page.
#[deprecated(note = "use `<DescribeInstancesRequest as Paginated>::MAX_PAGE_SIZE`")]
pub const MAX_PAGE_SIZE: i64 = 100;

/// One page of `R`'s listing, or the error that ended it.
pub type PageResult<R = DescribeInstancesRequest> =
    Result<<R as Action>::Output, Error<<R as Action>::Error>>;
/// One item of `R`'s listing, or the error that ended it.
pub type ItemResult<R = DescribeInstancesRequest> =
    Result<<R as Paginated>::Item, Error<<R as Action>::Error>>;

/// A request of a paging action: how the page loop reads and sets its offset and limit and
/// reads a page. Generated from the spec's `paging` key; offsets and counts travel as `i128`
/// so that `int64` and `uint64` members both fit exactly.
pub trait Paginated: Action + Clone {
    /// One item of a page.
    type Item: Send + 'static;
    /// The type of the limit member, which [`Paginator::page_size`] takes.
    type PageSize;
    /// The page size the service documents for a request without a limit.
    const DEFAULT_PAGE_SIZE: Option<u64>;
    /// The largest page size the service documents.
    const MAX_PAGE_SIZE: Option<u64>;

    /// The request's offset (0 when absent).
    fn page_offset(&self) -> i128;
    /// The request's limit, if it sets one.
    fn page_limit(&self) -> Option<i128>;
    /// Sets the limit member.
    fn set_page_size(&mut self, size: Self::PageSize);
    /// Sets the offset, and the limit when `limit` is `Some` (values out of the member's
    /// range saturate).
    fn set_page(&mut self, offset: i128, limit: Option<i128>);
    /// The number of items in `page`.
    fn page_len(page: &Self::Output) -> usize;
    /// The total count `page` reports, if any.
    fn page_total(page: &Self::Output) -> Option<i128>;
    /// The items of `page`.
    fn page_items(page: Self::Output) -> Vec<Self::Item>;
}

/// An integer member type of a paging request (`i64` or `u64`).
pub trait PageInt: Sized {
    /// `value` converted, saturating at the type's bounds.
    fn saturating_from(value: i128) -> Self;
}

impl PageInt for i64 {
    fn saturating_from(value: i128) -> Self {
        i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
    }
}

impl PageInt for u64 {
    fn saturating_from(value: i128) -> Self {
        u64::try_from(value).unwrap_or(if value < 0 { 0 } else { u64::MAX })
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// A [`Stream`] of the pages of `R`'s listing; [`items`](Self::items) flattens it into
/// items. Created by the generated `client.<action>_paginator(request)` (or
/// [`Paginator::new`]); nothing is sent until it is polled.
#[must_use = "a paginator does nothing until it is polled"]
pub struct Paginator<R: Paginated> {
    pending: Option<(Client, R)>,
    pages: Option<BoxStream<PageResult<R>>>,
}

impl<R: Paginated + fmt::Debug> fmt::Debug for Paginator<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("action", &R::META.name)
            .field("request", &self.pending.as_ref().map(|(_, r)| r))
            .field("started", &self.pages.is_some())
            .finish()
    }
}

impl<R: Paginated> Paginator<R> {
    /// Pages through `R`'s action for `request` (its filters, starting at its offset, pages
    /// of its limit); see the [module documentation](self).
    pub fn new(client: &Client, request: R) -> Self {
        Paginator {
            pending: Some((client.clone(), request)),
            pages: None,
        }
    }

    /// Sets the page size (lowered to the documented maximum, raised to at least 1). No
    /// effect once polling has started.
    pub fn page_size(mut self, size: R::PageSize) -> Self {
        if let Some((_, req)) = &mut self.pending {
            req.set_page_size(size);
        }
        self
    }

    /// The items of every page, in order.
    pub fn items(self) -> Items<R> {
        Items {
            pages: self,
            buffer: VecDeque::new(),
        }
    }

    fn started(&mut self) -> &mut BoxStream<PageResult<R>> {
        self.pages.get_or_insert_with(|| match self.pending.take() {
            Some((client, request)) => Box::pin(page_stream(request, move |req: R| {
                let client = client.clone();
                async move { client.call(req).await }
            })),
            None => Box::pin(stream::empty()),
        })
    }
}

impl<R: Paginated> Stream for Paginator<R> {
    type Item = PageResult<R>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<PageResult<R>>> {
        self.get_mut().started().as_mut().poll_next(cx)
    }
}

// Only boxed futures and owned values inside: moving the paginator is fine.
impl<R: Paginated> Unpin for Paginator<R> {}

/// A [`Stream`] of the items of every page; see [`Paginator::items`].
#[must_use = "a paginator does nothing until it is polled"]
pub struct Items<R: Paginated> {
    pages: Paginator<R>,
    buffer: VecDeque<R::Item>,
}

impl<R: Paginated + fmt::Debug> fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<R: Paginated> Unpin for Items<R> {}

impl<R: Paginated> Stream for Items<R> {
    type Item = ItemResult<R>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ItemResult<R>>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Ready(Some(Ok(page))) => this.buffer.extend(R::page_items(page)),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Where the listing stands between pages.
enum Cursor<F, R> {
    Next {
        fetch: F,
        request: R,
        offset: i128,
        size: Option<i128>,
    },
    Done,
}

/// The page size to ask for: the request's, else the documented default, within 1..=max.
fn page_size<R: Paginated>(request: &R) -> Option<i128> {
    let size = request
        .page_limit()
        .or(R::DEFAULT_PAGE_SIZE.map(i128::from))?;
    let size = match R::MAX_PAGE_SIZE {
        Some(max) => size.min(i128::from(max)),
        None => size,
    };
    Some(size.max(1))
}

/// The page stream over any fetch function (the client's call, or a fake in tests).
pub(crate) fn page_stream<R, F, Fut>(
    request: R,
    fetch: F,
) -> impl Stream<Item = PageResult<R>> + Send
where
    R: Paginated,
    F: FnMut(R) -> Fut + Send + 'static,
    Fut: Future<Output = PageResult<R>> + Send,
{
    let size = page_size(&request);
    let offset = request.page_offset();
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
        call.set_page(offset, size);
        match fetch(call).await {
            Ok(page) => {
                let n = i128::try_from(R::page_len(&page)).unwrap_or(i128::MAX);
                let next = offset.saturating_add(n);
                let more = n > 0
                    && size.is_none_or(|size| n >= size)
                    && R::page_total(&page).is_none_or(|total| next < total);
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
    use crate::describe_instances::DescribeInstancesResponse;
    use crate::describe_services_call_info::{
        DescribeServicesCallInfoRequest, DescribeServicesCallInfoResponse,
    };
    use crate::types::{CallInfo, Instance};
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
            std::future::ready(Err(Error::Service(
                crate::describe_instances::DescribeInstancesError::from(meta),
            )))
        };
        let pages: Vec<PageResult> = page_stream(DescribeInstancesRequest::new(), fetch)
            .collect()
            .await;
        assert_eq!(pages.len(), 1);
        assert!(pages[0].is_err());
    }

    /// `DescribeServicesCallInfo` documents no default page size and reports no total: with
    /// no limit set, the paginator sends none and stops at the first empty page.
    #[tokio::test]
    async fn without_a_documented_default_no_limit_is_sent() {
        assert_eq!(
            <DescribeServicesCallInfoRequest as Paginated>::DEFAULT_PAGE_SIZE,
            None
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let fetch = move |req: DescribeServicesCallInfoRequest| {
            log.lock().unwrap().push((req.offset, req.limit));
            let start = req.offset.unwrap() as usize;
            // The service's own page size here: 7.
            let set = (start..25).take(7).map(|i| CallInfo {
                service_id: Some(format!("ms-{i}")),
                ..CallInfo::default()
            });
            std::future::ready(Ok(DescribeServicesCallInfoResponse {
                call_info_set: Some(set.collect()),
                ..DescribeServicesCallInfoResponse::default()
            }))
        };
        let pages: Vec<_> = page_stream(DescribeServicesCallInfoRequest::new(), fetch)
            .collect()
            .await;
        let n: usize = pages
            .into_iter()
            .map(|p| p.unwrap().call_info_set.unwrap().len())
            .sum();
        assert_eq!(n, 25);
        let offsets: Vec<_> = seen.lock().unwrap().clone();
        assert_eq!(
            offsets,
            [
                (Some(0), None),
                (Some(7), None),
                (Some(14), None),
                (Some(21), None),
                (Some(25), None)
            ]
        );
    }

    #[test]
    fn conversions_saturate() {
        assert_eq!(i64::saturating_from(i128::MAX), i64::MAX);
        assert_eq!(i64::saturating_from(-5), -5);
        assert_eq!(u64::saturating_from(-5), 0);
        assert_eq!(u64::saturating_from(i128::MAX), u64::MAX);
    }
}
