//! CVM role provider against a loopback metadata server: discovery, use, refresh before expiry,
//! typed errors, timeouts, stale-on-failure and single-flight refresh.

use crate::credentials_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use credentials_common::*;
use hai_sdk::credentials::{Clock, CredentialsError, CvmRoleProvider, ProvideCredentials};

const ROLE_LIST: &str = "/cam/security-credentials/";
const ROLE_PATH: &str = "/cam/security-credentials/hai-role";

/// A metadata server whose n-th credentials answer (from 1) is `creds(n)`.
async fn metadata(creds: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Server {
    let n = AtomicUsize::new(0);
    Server::start(move |req| match req.path.as_str() {
        ROLE_LIST => Reply::ok("hai-role\n"),
        ROLE_PATH => creds(n.fetch_add(1, Ordering::SeqCst) + 1),
        _ => Reply::status(404, "not found"),
    })
    .await
}

/// A metadata server whose n-th credentials (`AKID<n>`, from 1) expire at `t0 + 1000 n`.
async fn rising_metadata(t0: u64) -> Server {
    metadata(move |n| {
        Reply::ok(metadata_creds(
            &format!("AKID{n}"),
            "k",
            "t",
            t0 + 1000 * n as u64,
        ))
    })
    .await
}

fn provider<C: Clock>(server: &Server, clock: &Arc<C>) -> CvmRoleProvider {
    CvmRoleProvider::builder()
        .metadata_url(server.url())
        .clock(clock.clone())
        .build()
}

#[tokio::test]
async fn role_discovered_and_credentials_used() {
    let clock = ManualClock::new();
    let exp = clock.unix() + 3600;
    let server =
        metadata(move |_| Reply::ok(metadata_creds("AKIDtmp", "tmp-key", "tmp-token", exp))).await;
    let p = provider(&server, &clock);

    let c = p.provide_credentials().await.unwrap();
    assert_eq!(c.secret_id(), "AKIDtmp");
    assert_eq!(c.secret_key(), "tmp-key");
    assert_eq!(c.token(), Some("tmp-token"));
    assert_eq!(c.provider_name(), "cvm_role");
    assert_eq!(
        c.expiry(),
        Some(std::time::UNIX_EPOCH + Duration::from_secs(exp))
    );
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, [ROLE_LIST, ROLE_PATH]);
    assert!(server.requests().iter().all(|r| r.method == "GET"));

    // Cached: a second call makes no request.
    p.provide_credentials().await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn refreshed_before_expiry() {
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = rising_metadata(t0).await;
    let p = provider(&server, &clock);

    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    // 650 s later, 350 s remain: more than the 5-minute margin, so no refresh.
    clock.advance(Duration::from_secs(650));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    assert_eq!(server.count(ROLE_PATH), 1);
    // 710 s: 290 s remain, inside the margin but before expiry: refreshed now.
    clock.advance(Duration::from_secs(60));
    let c = p.provide_credentials().await.unwrap();
    assert_eq!(c.secret_id(), "AKID2");
    assert_eq!(server.count(ROLE_PATH), 2);
    // The role is discovered again at each refresh (it may have been replaced).
    assert_eq!(server.count(ROLE_LIST), 2);
}

#[tokio::test(start_paused = true)]
async fn refreshed_before_expiry_on_a_paused_tokio_clock() {
    // The same walk as above, but time moves with tokio's paused clock, as a caller's
    // program would see it: nothing is refreshed until the margin is reached, then once.
    let clock = TokioClock::new();
    let t0 = clock.unix();
    let server = rising_metadata(t0).await;
    let p = provider(&server, &clock);

    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    for _ in 0..13 {
        // 50 s steps up to 650 s: 350 s remain, outside the 5-minute margin.
        tokio::time::advance(Duration::from_secs(50)).await;
        assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    }
    assert_eq!(server.count(ROLE_PATH), 1);
    // 710 s: 290 s remain, inside the margin and before expiry (1000 s).
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID2");
    assert_eq!(server.count(ROLE_PATH), 2);
    // The new credentials expire at 2000 s: cached again until their own margin.
    tokio::time::advance(Duration::from_secs(900)).await;
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID2");
    assert_eq!(server.count(ROLE_PATH), 2);
    tokio::time::advance(Duration::from_secs(100)).await;
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID3");
    assert_eq!(server.count(ROLE_PATH), 3);
}

#[tokio::test]
async fn refresh_margin_is_configurable() {
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = rising_metadata(t0).await;
    let p = CvmRoleProvider::builder()
        .metadata_url(server.url())
        .clock(clock.clone())
        .refresh_margin(Duration::from_secs(10))
        .build();
    p.provide_credentials().await.unwrap();
    clock.advance(Duration::from_secs(980));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    clock.advance(Duration::from_secs(15));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID2");
}

#[tokio::test]
async fn code_other_than_success_is_a_typed_error() {
    let clock = ManualClock::new();
    let server = metadata(|_| {
        Reply::ok(
            r#"{"Code":"Failed","TmpSecretId":"","TmpSecretKey":"","Token":"","ExpiredTime":0}"#,
        )
    })
    .await;
    let e = provider(&server, &clock)
        .provide_credentials()
        .await
        .unwrap_err();
    match &e {
        CredentialsError::MetadataRejected { role, code } => {
            assert_eq!((role.as_str(), code.as_str()), ("hai-role", "Failed"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("Failed"), "{e}");
}

#[tokio::test]
async fn no_role_bound_is_not_configured() {
    let server = Server::start(|_| Reply::status(404, "")).await;
    let e = provider(&server, &ManualClock::new())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CredentialsError::NotConfigured {
                provider: "cvm_role",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn html_answer_is_not_mistaken_for_a_role() {
    // A captive portal or proxy error page answering 200.
    let server = Server::start(|_| Reply::ok("<html><body>Login</body></html>")).await;
    let e = provider(&server, &ManualClock::new())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(matches!(e, CredentialsError::NotConfigured { .. }), "{e:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn closed_port_falls_through_at_once() {
    let p = CvmRoleProvider::builder()
        .metadata_url(closed_port_url())
        .build();
    let started = Instant::now();
    let e = p.provide_credentials().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    match e {
        CredentialsError::NotConfigured { provider, reason } => {
            assert_eq!(provider, "cvm_role");
            assert!(reason.contains("unreachable"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn silent_metadata_host_falls_through_within_the_default_timeout() {
    // Accepts the connection and never answers: the total timeout (3 s by default) must fire.
    let silent = silent_server().await;
    let p = CvmRoleProvider::builder().metadata_url(&silent.url).build();
    let started = Instant::now();
    // Bounded here too, so a missing timeout fails the test instead of hanging it.
    let e = tokio::time::timeout(Duration::from_secs(10), p.provide_credentials())
        .await
        .expect("metadata lookup hung: no timeout")
        .unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(2900), "{took:?}");
    assert!(took < Duration::from_millis(4500), "{took:?}");
    match e {
        CredentialsError::NotConfigured { reason, .. } => {
            assert!(reason.contains("timed out"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn failed_refresh_keeps_old_credentials_until_expiry_then_surfaces() {
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = metadata(move |n| match n {
        1 => Reply::ok(metadata_creds("AKID1", "k", "t", t0 + 1000)),
        _ => Reply::status(500, "boom"),
    })
    .await;
    let p = provider(&server, &clock);
    p.provide_credentials().await.unwrap();

    // Inside the margin: refresh fails, old credentials still served.
    clock.advance(Duration::from_secs(800));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    assert_eq!(server.count(ROLE_PATH), 2);
    // Right after a failure, no retry storm: served from cache without a request.
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    assert_eq!(server.count(ROLE_PATH), 2);
    // Later, still before expiry: retried, fails, still the old ones.
    clock.advance(Duration::from_secs(100));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");
    assert_eq!(server.count(ROLE_PATH), 3);
    // Expired: the failure is surfaced.
    clock.advance(Duration::from_secs(101));
    let e = p.provide_credentials().await.unwrap_err();
    match e {
        CredentialsError::Fetch { provider, reason } => {
            assert_eq!(provider, "cvm_role");
            assert!(reason.contains("500"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_calls_across_expiry_refresh_once() {
    let clock = ManualClock::new();
    let t0 = clock.unix();
    let server = metadata(move |n| {
        Reply::ok(metadata_creds(
            &format!("AKID{n}"),
            "k",
            "t",
            t0 + 1000 * n as u64,
        ))
        .delayed(Duration::from_millis(200))
    })
    .await;
    let p = Arc::new(provider(&server, &clock));
    assert_eq!(p.provide_credentials().await.unwrap().secret_id(), "AKID1");

    // Cross the expiry boundary: every cached credential is now unusable.
    clock.advance(Duration::from_secs(1001));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.provide_credentials().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().secret_id(), "AKID2");
    }
    assert_eq!(server.count(ROLE_PATH), 2, "exactly one refresh");
    assert_eq!(server.count(ROLE_LIST), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_a_failed_refresh() {
    let clock = ManualClock::new();
    let server = metadata(|_| Reply::status(500, "").delayed(Duration::from_millis(200))).await;
    let p = Arc::new(provider(&server, &clock));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.provide_credentials().await })
        })
        .collect();
    for t in tasks {
        assert!(matches!(
            t.await.unwrap(),
            Err(CredentialsError::Fetch { .. })
        ));
    }
    assert_eq!(server.count(ROLE_PATH), 1, "waiters reuse the one failure");
}
