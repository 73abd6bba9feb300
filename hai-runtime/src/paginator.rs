//! Paginators: a [`Stream`] of pages, or of items, for every action the spec marks as paging.
//!
//! The generator emits, for each paging action `X`, `client.x_paginator(request)`, the aliases
//! `XPaginator` and `XItems` in the action's module, and an implementation of [`Paginated`]
//! for the request; this module holds the page loop they share. With a generated client:
//!
//! ```text
//! let mut instances = client.describe_instances_paginator(request).page_size(100).items();
//! while let Some(instance) = instances.next().await { println!("{:?}", instance?.instance_id); }
//! ```
//!
//! A paginator starts at the request's offset (default 0) and asks for pages of the
//! request's limit, else of the service's documented default page size, lowered to the
//! documented maximum and raised to at least 1.
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
use crate::error::Error;
use crate::Config;

/// One page of `R`'s listing, or the error that ended it.
pub type PageResult<R> = Result<<R as Action>::Output, Error<<R as Action>::Error>>;
/// One item of `R`'s listing, or the error that ended it.
pub type ItemResult<R> = Result<<R as Paginated>::Item, Error<<R as Action>::Error>>;

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
    pending: Option<(Config, R)>,
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
    /// of its limit) with any client of the action's service (or the [`Config`] itself); see
    /// the [module documentation](self).
    pub fn new(client: &impl AsRef<Config>, request: R) -> Self {
        Paginator {
            pending: Some((client.as_ref().clone(), request)),
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

/// The page loop of [`Paginator`] over any fetch function (the client's call, a mock, a
/// cache): the same offsets, page sizes and stopping rule; see the [module documentation](self).
pub fn page_stream<R, F, Fut>(request: R, fetch: F) -> impl Stream<Item = PageResult<R>> + Send
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
