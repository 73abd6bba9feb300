//! Opt-in endpoint failover against loopback servers: a primary that refuses connections
//! sends the call to the backup, signed for the backup's host; the primary is tried again
//! after the cool-down (through a proxy that refuses or tunnels each host, so every
//! attempt's target is recorded); service errors and successes never count.

use std::time::Duration;

use hai_sdk::client::Failover;
use hai_sdk::{Client, ClientBuilder, Error, RetryPolicy};

use crate::runtime_support::*;

fn base(primary: &str) -> ClientBuilder {
    Client::builder()
        .region(REGION)
        .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(primary)
        .endpoint_from_env(false)
        .rate_limit(false)
        .retry_policy(RetryPolicy::new().with_base_delay(Duration::from_millis(1)))
}

async fn stop(client: &Client) -> Result<String, Error<StopInstanceError>> {
    client
        .stop_instance(StopInstanceRequest::new("hai-failover"))
        .await
        .map(|out| out.request_id)
}

#[tokio::test]
async fn a_refused_primary_fails_over_to_the_backup_signed_for_its_host() {
    let backup = Server::start(vec![Reply::ok(1, "req-backup")]).await;
    let client = base(&refused_url().await)
        .failover(
            Failover::new(backup.url())
                .service("HAI")
                .after(2)
                .cool_down(Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    // Two refused attempts, then the third attempt of the same call on the backup.
    assert_eq!(stop(&client).await.unwrap(), "req-backup");
    // Within the cool-down, calls go straight to the backup.
    assert_eq!(stop(&client).await.unwrap(), "req-backup");
    let requests = backup.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.header("Host"), backup.host());
        verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
    }
    // A failover for another service does not apply.
    let err = base(&refused_url().await)
        .failover(Failover::new(backup.url()).service("cvm").after(1))
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-failover"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Dispatch(_)), "{err:?}");
    assert_eq!(backup.count(), 2);
}

#[tokio::test]
async fn the_primary_is_tried_again_after_the_cool_down() {
    const PRIMARY: &str = "hai.ap-guangzhou.tencentcloudapi.com";
    const BACKUP: &str = "hai.ap-shanghai.tencentcloudapi.com";
    let server = TlsServer::start(&[PRIMARY, BACKUP]).await;
    let proxy = TunnelProxy::start(server.addr).await;
    // Long enough that a loaded machine runs the calls meant to fall within it in time.
    let cool_down = Duration::from_secs(1);
    let client = base(&format!("https://{PRIMARY}"))
        .proxy(proxy.url())
        .add_root_certificate(&server.pem)
        .failover(
            Failover::new(format!("https://{BACKUP}"))
                .after(1)
                .cool_down(cool_down),
        )
        .build()
        .unwrap();
    let primary = format!("{PRIMARY}:443");
    let backup = format!("{BACKUP}:443");
    let hosts = || -> Vec<String> {
        server
            .requests()
            .iter()
            .map(|r| {
                verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
                r.header("Host").to_owned()
            })
            .collect()
    };

    proxy.refuse(PRIMARY, true);
    assert_eq!(stop(&client).await.unwrap(), "req-tls");
    assert_eq!(proxy.connects(), [primary.clone(), backup.clone()]);
    assert_eq!(hosts(), [BACKUP]);
    // Within the cool-down: the backup, no attempt on the primary.
    assert_eq!(stop(&client).await.unwrap(), "req-tls");
    assert!(!proxy.connects()[2..].contains(&primary));

    // After it, the primary is probed; still refused, so back to the backup at once.
    tokio::time::sleep(cool_down + Duration::from_millis(50)).await;
    let before = proxy.connects().len();
    assert_eq!(stop(&client).await.unwrap(), "req-tls");
    assert_eq!(proxy.connects()[before], primary);
    assert_eq!(hosts(), [BACKUP, BACKUP, BACKUP]);
    let before = proxy.connects().len();
    assert_eq!(stop(&client).await.unwrap(), "req-tls");
    assert!(!proxy.connects()[before..].contains(&primary));

    // The primary is back: after the next cool-down the probe reaches it and calls stay.
    proxy.refuse(PRIMARY, false);
    tokio::time::sleep(cool_down + Duration::from_millis(50)).await;
    assert_eq!(stop(&client).await.unwrap(), "req-tls");
    assert_eq!(stop(&client).await.unwrap(), "req-tls");
    let hosts = hosts();
    assert_eq!(hosts.len(), 6);
    assert_eq!(hosts[4..], [PRIMARY, PRIMARY]);
}

#[tokio::test]
async fn service_errors_never_trigger_a_switch() {
    let primary = Server::start(vec![
        Reply::error(200, "ResourceNotFound", "no such instance", "req-1"),
        Reply::json(502, "<html>bad gateway</html>"),
        Reply::error(200, "AuthFailure.SignatureFailure", "bad", "req-3"),
    ])
    .await;
    let backup = Server::start(vec![Reply::ok(1, "req-backup")]).await;
    let client = base(&primary.url())
        .retry_policy(RetryPolicy::new().with_max_attempts(1))
        .failover(Failover::new(backup.url()).after(1))
        .build()
        .unwrap();
    for _ in 0..5 {
        let err = stop(&client).await.unwrap_err();
        assert!(
            matches!(err, Error::Service(_) | Error::Response(_)),
            "{err:?}"
        );
    }
    assert_eq!(primary.count(), 5);
    assert_eq!(backup.count(), 0);
}

#[tokio::test]
async fn successes_are_not_counted_as_failures() {
    let primary = Server::start(vec![Reply::ok(1, "req-primary")]).await;
    let backup = Server::start(vec![Reply::ok(2, "req-backup")]).await;
    let client = base(&primary.url())
        .failover(Failover::new(backup.url()).after(2))
        .build()
        .unwrap();
    for _ in 0..10 {
        assert_eq!(stop(&client).await.unwrap(), "req-primary");
    }
    assert_eq!(primary.count(), 10);
    assert_eq!(backup.count(), 0);
}

#[test]
fn an_unusable_backup_url_is_a_build_error() {
    let err = base("http://127.0.0.1:9")
        .failover(Failover::new("http://backup.example/path"))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, hai_sdk::BuildError::InvalidEndpoint(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("failover backup"), "{err}");
}
