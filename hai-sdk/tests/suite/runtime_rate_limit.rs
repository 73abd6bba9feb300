//! Client-side rate limit on tokio's paused clock: 60 StopInstance calls at 20/s.
//!
//! The clients here use a caller-supplied HTTP client without pool timers and no total
//! timeout, so the only timers are the limiter's: with the clock paused, tokio jumps straight
//! to them, and virtual elapsed time measures exactly what the limiter imposed.

use crate::runtime_support;

use std::time::Duration;

use hai_sdk::{Client, Credentials, RetryPolicy};
use runtime_support::*;
use tokio::time::Instant;

fn client(server: &Server, rate_limit: bool) -> Client {
    Client::builder()
        .region(REGION)
        .credentials(Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(server.url())
        .endpoint_from_env(false)
        .http_client(
            reqwest::Client::builder()
                .pool_idle_timeout(None)
                .build()
                .unwrap(),
        )
        .timeout(None)
        .retry_policy(RetryPolicy::disabled())
        .rate_limit(rate_limit)
        .build()
        .unwrap()
}

/// Sends 60 calls concurrently from 60 clones of one client; returns virtual seconds taken.
async fn sixty_calls(client: Client) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move {
                c.call(StopInstanceRequest::new(format!("hai-{i}")))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    start.elapsed()
}

#[tokio::test(start_paused = true)]
async fn limiter_on_spreads_sixty_calls_over_two_seconds_shared_by_clones() {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let elapsed = sixty_calls(client(&server, true)).await;
    // 20 at once, 20 more one window (1 s + margin) later, the last 20 a window after that.
    assert!(elapsed >= Duration::from_millis(1950), "{elapsed:?}");
    assert!(elapsed <= Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.count(), 60);
}

#[tokio::test(start_paused = true)]
async fn limiter_off_sends_sixty_calls_without_waiting() {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let elapsed = sixty_calls(client(&server, false)).await;
    assert!(elapsed < Duration::from_millis(50), "{elapsed:?}");
    assert_eq!(server.count(), 60);
}

#[tokio::test(start_paused = true)]
async fn separately_built_clients_have_separate_limiters() {
    let server = Server::start(vec![Reply::ok(1, "r")]).await;
    let start = Instant::now();
    for c in [client(&server, true), client(&server, true)] {
        for _ in 0..20 {
            c.call(StopInstanceRequest::new("i")).await.unwrap();
        }
    }
    assert!(
        start.elapsed() < Duration::from_millis(50),
        "{:?}",
        start.elapsed()
    );
}
