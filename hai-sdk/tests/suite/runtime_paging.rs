//! The generated paginators of actions other than `DescribeInstances` and the service and
//! application waiters, against a loopback server answering canned pages and states.

use crate::runtime_support;

use std::time::Duration;

use futures_util::TryStreamExt;
use hai_sdk::describe_applications::application_can_reach;
use hai_sdk::describe_musk_prompts::DescribeMuskPromptsRequest;
use hai_sdk::describe_services::{service_can_reach, DescribeServicesRequest};
use hai_sdk::paginator::Paginated;
use hai_sdk::types::{ApplicationState, ServiceState};
use hai_sdk::{WaitError, WaiterConfig};
use runtime_support::*;

fn body(c: &Captured) -> serde_json::Value {
    serde_json::from_slice(&c.body).expect("request body is JSON")
}

/// A `DescribeServices` page of the given ids, all in `state`.
fn services(total: u64, ids: &[&str], state: &str) -> Reply {
    let set: Vec<serde_json::Value> = ids
        .iter()
        .map(
            |id| serde_json::json!({"ServiceId": id, "ServiceState": state, "ServiceName": "chat"}),
        )
        .collect();
    let page = serde_json::json!({"Response": {"TotalCount": total, "ServiceInfoSet": set, "RequestId": "r"}});
    Reply::json(200, &page.to_string())
}

fn applications(ids: &[&str], state: &str) -> Reply {
    let set: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"ApplicationId": id, "ApplicationState": state}))
        .collect();
    let page = serde_json::json!({"Response": {"TotalCount": set.len(), "ApplicationSet": set, "RequestId": "r"}});
    Reply::json(200, &page.to_string())
}

fn quick() -> WaiterConfig {
    WaiterConfig::new()
        .with_initial_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5))
        .with_timeout(Duration::from_secs(30))
}

#[tokio::test]
async fn services_page_by_the_requested_size_until_the_total() {
    let server = Server::start(vec![
        services(5, &["ms-0", "ms-1"], "RUNNING"),
        services(5, &["ms-2", "ms-3"], "RUNNING"),
        services(5, &["ms-4"], "CREATING"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let ids: Vec<String> = client
        .describe_services_paginator(DescribeServicesRequest::new().states(["RUNNING".to_owned()]))
        .page_size(2)
        .items()
        .map_ok(|s| s.service_id.unwrap())
        .try_collect()
        .await
        .expect("items");
    assert_eq!(ids, ["ms-0", "ms-1", "ms-2", "ms-3", "ms-4"]);
    let sent: Vec<serde_json::Value> = server.requests().iter().map(body).collect();
    assert_eq!(
        sent,
        [0, 2, 4].map(|o| serde_json::json!({"Limit": 2, "Offset": o, "States": ["RUNNING"]}))
    );
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("X-TC-Action") == "DescribeServices"));
}

/// `DescribeServices` documents no default page size: without one the paginator sends no
/// `Limit`, advances by what each page held and stops at `TotalCount`.
#[tokio::test]
async fn without_a_limit_the_service_chooses_the_page_size() {
    assert_eq!(
        <DescribeServicesRequest as Paginated>::DEFAULT_PAGE_SIZE,
        None
    );
    let server = Server::start(vec![
        services(6, &["ms-0", "ms-1", "ms-2"], "RUNNING"),
        services(6, &["ms-3", "ms-4", "ms-5"], "RUNNING"),
        // Never asked for: the second page reached TotalCount.
        Reply::error(400, "InvalidParameter", "no more", "r"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let pages: Vec<_> = client
        .describe_services_paginator(DescribeServicesRequest::new())
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.len(), 2);
    let sent: Vec<serde_json::Value> = server.requests().iter().map(body).collect();
    assert_eq!(
        sent,
        [
            serde_json::json!({"Offset": 0}),
            serde_json::json!({"Offset": 3})
        ]
    );
}

/// `DescribeMuskPrompts` takes `Offset` and `Limit` as required `uint64` members; paging
/// starts at the request's offset (1 of 4 prompts) and stops after a short page.
#[tokio::test]
async fn required_offset_and_limit_are_paged_too() {
    let page = |ids: &[&str]| {
        let set: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({"PromptId": id, "Status": 1}))
            .collect();
        Reply::json(
            200,
            &serde_json::json!({"Response": {"TotalCount": 4, "MuskPromptInfos": set, "RequestId": "r"}})
                .to_string(),
        )
    };
    let server = Server::start(vec![page(&["p-1", "p-2"]), page(&["p-3"])]).await;
    let client = builder(&server).build().unwrap();
    let request = DescribeMuskPromptsRequest::new("wg-1", "wf-1", 1, 50);
    let ids: Vec<String> = client
        .describe_musk_prompts_paginator(request)
        .page_size(2)
        .items()
        .map_ok(|p| p.prompt_id.unwrap())
        .try_collect()
        .await
        .expect("items");
    assert_eq!(ids, ["p-1", "p-2", "p-3"]);
    let offsets: Vec<(u64, u64)> = server
        .requests()
        .iter()
        .map(body)
        .map(|b| (b["Offset"].as_u64().unwrap(), b["Limit"].as_u64().unwrap()))
        .collect();
    assert_eq!(offsets, [(1, 2), (3, 2)]);
}

#[tokio::test]
async fn a_service_is_waited_for_until_it_runs() {
    let server = Server::start(vec![
        services(1, &["ms-1"], "CREATING"),
        services(1, &["ms-1"], "UPDATING"),
        services(1, &["ms-1"], "RUNNING"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let service = client
        .wait_for_service_state("ms-1", ServiceState::Running, quick())
        .await
        .expect("running");
    assert_eq!(
        service.service_state.as_ref().map(|s| s.as_str()),
        Some("RUNNING")
    );
    assert_eq!(server.count(), 3);
    for r in server.requests() {
        assert_eq!(body(&r), serde_json::json!({"ServiceIds": ["ms-1"]}));
    }

    // The named waiter polls at once, so an answer that is already RUNNING needs no sleep.
    let server = Server::start(vec![services(1, &["ms-1"], "RUNNING")]).await;
    let client = builder(&server).build().unwrap();
    client
        .wait_until_service_running("ms-1")
        .await
        .expect("running");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_failed_or_deleted_service_ends_the_wait() {
    let server = Server::start(vec![
        services(1, &["ms-1"], "CREATING"),
        services(1, &["ms-1"], "CREATE_FAILED"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let e = client
        .wait_for_service_state("ms-1", ServiceState::Running, quick())
        .await
        .unwrap_err();
    match &e {
        WaitError::Unreachable { state, target, .. } => {
            assert_eq!(
                (state.as_str(), target.as_str()),
                ("CREATE_FAILED", "RUNNING")
            );
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        e.to_string(),
        "the service is CREATE_FAILED, from which RUNNING cannot be reached"
    );

    // Listed no more (deleted): not found, named by the describe action.
    let server = Server::start(vec![services(0, &[], "RUNNING")]).await;
    let client = builder(&server).build().unwrap();
    let e = client
        .wait_until_service_running("ms-gone")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.to_string(),
        "DescribeServices does not list service `ms-gone`"
    );
    match e {
        WaitError::NotFound { id, resource, .. } => {
            assert_eq!((id.as_str(), resource.name), ("ms-gone", "service"));
        }
        other => panic!("{other}"),
    }

    // The service answers a deleted id with ServiceIdNotFound: not found too.
    let server = Server::start(vec![Reply::error(
        400,
        "InvalidParameterValue.ServiceIdNotFound",
        "no such service",
        "r-2",
    )])
    .await;
    let client = builder(&server).build().unwrap();
    let e = client
        .wait_until_service_running("ms-deleted")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(server.count(), 1);

    // A service error of the poll itself ends the wait with it.
    let server = Server::start(vec![Reply::error(
        400,
        "InvalidParameterValue",
        "bad id",
        "r-1",
    )])
    .await;
    let client = builder(&server).build().unwrap();
    let e = client.wait_until_service_running("x").await.unwrap_err();
    match &e {
        WaitError::Call(c) => assert_eq!(c.code(), Some("InvalidParameterValue")),
        other => panic!("{other}"),
    }
    assert!(
        e.to_string()
            .starts_with("DescribeServices failed while waiting"),
        "{e}"
    );
}

#[tokio::test]
async fn an_application_is_waited_for_until_it_is_online() {
    let server = Server::start(vec![
        applications(&["app-1"], "CREATING"),
        applications(&["app-1"], "ONLINE"),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    let app = client
        .wait_for_application_state("app-1", ApplicationState::Online, quick())
        .await
        .expect("online");
    assert_eq!(
        app.application_state.as_ref().map(|s| s.as_str()),
        Some("ONLINE")
    );
    for r in server.requests() {
        assert_eq!(r.header("X-TC-Action"), "DescribeApplications");
        assert_eq!(body(&r), serde_json::json!({"ApplicationIds": ["app-1"]}));
    }

    let server = Server::start(vec![applications(&["app-1"], "DELETING")]).await;
    let client = builder(&server).build().unwrap();
    let e = client
        .wait_until_application_online("app-1")
        .await
        .unwrap_err();
    assert!(e.is_unreachable(), "{e}");
    assert_eq!(server.count(), 1);
}

/// Ids and states are shown escaped: a state the service invents cannot forge log lines.
#[tokio::test]
async fn messages_escape_what_the_service_and_the_caller_sent() {
    let server = Server::start(vec![applications(&["a\nb"], "DELETING\u{1b}[31m")]).await;
    let client = builder(&server).build().unwrap();
    // An unknown state keeps polling: the wait times out with it as the last state.
    let e = client
        .wait_for_application_state(
            "a\nb",
            ApplicationState::Online,
            quick().with_timeout(Duration::from_millis(50)),
        )
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(e.is_timeout(), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\n'), "{text:?}");

    let server = Server::start(vec![applications(&[], "ONLINE")]).await;
    let client = builder(&server).build().unwrap();
    let e = client
        .wait_until_application_online("a\r\nb")
        .await
        .unwrap_err();
    assert!(!e.to_string().contains('\r'), "{e}");
}

#[test]
fn service_and_application_tables() {
    let s = |a: &str, b: &str| service_can_reach(&a.into(), &b.into());
    assert!(s("CREATING", "RUNNING"));
    assert!(s("ARREARS", "RUNNING"));
    assert!(s("RUNNING", "UPDATING"));
    assert!(s("RUNNING", "DELETING"));
    assert!(!s("CREATE_FAILED", "RUNNING"));
    assert!(!s("DELETING", "RUNNING"));
    assert!(!s("RUNNING", "CREATING"));
    assert!(s("SOMETHING_NEW", "RUNNING"));
    let a = |x: &str, y: &str| application_can_reach(&x.into(), &y.into());
    assert!(a("CREATING", "ONLINE"));
    assert!(a("ARREARS", "ONLINE"));
    assert!(!a("DELETING", "ONLINE"));
    assert!(!a("ONLINE", "CREATING"));
    assert!(a("ONLINE", "DELETING"));
}
