//! The runtime's page loop over HAI's listing actions, with a fake service.

use crate::describe_instances::{DescribeInstancesRequest, DescribeInstancesResponse};
use crate::describe_services_call_info::{
    DescribeServicesCallInfoRequest, DescribeServicesCallInfoResponse,
};
use crate::paginator::PageResult;
use crate::paginator::{page_stream, PageInt, Paginated};
use crate::types::{CallInfo, Instance};
use crate::Error;
use futures_util::StreamExt;
use std::sync::{Arc, Mutex};

type Calls = Arc<Mutex<Vec<(i64, i64)>>>;

/// A fake service holding `total` instances; records each (Offset, Limit) asked for.
fn fake(
    total: usize,
    report_total: bool,
) -> (
    impl FnMut(DescribeInstancesRequest) -> std::future::Ready<PageResult<DescribeInstancesRequest>>
        + Send
        + 'static,
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
    let pages: Vec<PageResult<DescribeInstancesRequest>> = page_stream(req, fetch).collect().await;
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
    let pages: Vec<PageResult<DescribeInstancesRequest>> =
        page_stream(DescribeInstancesRequest::new(), fetch)
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
