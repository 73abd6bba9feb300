//! Connecting: a stalled TLS handshake is bounded by the connect timeout, a proxy that
//! refuses the tunnel is named with its status line, a proxy that accepts carries the call,
//! a plain-HTTP server behind an `https://` endpoint gets a hint, and a refused connection
//! names the host. Against loopback servers these tests start.

use std::time::Duration;

use hai_sdk::error::{Delivery, DispatchErrorKind, TimeoutKind};
use hai_sdk::{Client, ClientBuilder, Error, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::runtime_support::*;

fn base(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .region(REGION)
        .credentials(hai_sdk::Credentials::new(SECRET_ID, SECRET_KEY, None))
        .endpoint(endpoint)
        .endpoint_from_env(false)
        .rate_limit(false)
        .retry_policy(RetryPolicy::new().with_max_attempts(1))
}

async fn stop(builder: ClientBuilder) -> Error<StopInstanceError> {
    builder
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-conn"))
        .await
        .expect_err("the call must fail")
}

/// Reads one request head (up to its blank line) from `tcp`.
async fn head(tcp: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 16 * 1024 {
        if tcp.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A one-connection-at-a-time "proxy" that records each request head and answers `answer`.
async fn proxy(answer: &'static str) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let h = head(&mut tcp).await;
            let _ = tx.send(h);
            let _ = tcp.write_all(answer.as_bytes()).await;
            let _ = tcp.shutdown().await;
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_a_connect_timeout_and_nothing_was_sent() {
    // Accepts TCP, then never answers the ClientHello.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let err = stop(
        base(&format!("https://{addr}"))
            .connect_timeout(Some(Duration::from_millis(200)))
            .timeout(Some(Duration::from_secs(60))),
    )
    .await;
    let Error::Timeout(t) = &err else {
        panic!("expected a timeout, got {err:?}");
    };
    // Not the attempt's 60 s: the connect timeout covers the handshake.
    assert_eq!(t.kind(), TimeoutKind::Connect, "{err}");
    assert_eq!(t.delivery(), Delivery::NotSent);
    assert!(!err.may_have_reached_server());
}

#[tokio::test]
async fn a_proxy_that_refuses_the_tunnel_is_named_with_its_status_line() {
    let (url, mut seen) = proxy(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    let with_auth = url.replacen("http://", "http://alice:s3cret@", 1);
    let err = stop(base("https://hai.tencentcloudapi.com").proxy(&with_auth)).await;
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), DispatchErrorKind::Connect);
    assert_eq!(d.delivery(), Delivery::NotSent);
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "proxy {url} refused CONNECT to hai.tencentcloudapi.com:443: HTTP/1.1 407 Proxy Authentication Required"
        )),
        "{text}"
    );
    assert!(
        !text.contains("s3cret") && !text.contains("alice"),
        "{text}"
    );
    let h = seen.recv().await.unwrap();
    assert!(
        h.starts_with("CONNECT hai.tencentcloudapi.com:443 HTTP/1.1\r\n"),
        "{h}"
    );
    // alice:s3cret in Basic form.
    assert!(
        h.contains("Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n"),
        "{h}"
    );
}

#[tokio::test]
async fn an_http_proxy_carries_plain_http_calls_in_absolute_form() {
    let body = r#"{"Response":{"TaskId":9,"RequestId":"req-proxied"}}"#;
    let answer: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    );
    let (url, mut seen) = proxy(answer).await;
    let out = base("http://hai.example.invalid:8080")
        .proxy(url.replacen("http://", "http://bob:pw@", 1))
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-conn"))
        .await
        .unwrap();
    assert_eq!(out.request_id, "req-proxied");
    let h = seen.recv().await.unwrap();
    assert!(
        h.starts_with("POST http://hai.example.invalid:8080/ HTTP/1.1\r\n"),
        "{h}"
    );
    assert!(h.contains("proxy-authorization: Basic Ym9iOnB3\r\n"), "{h}");
    assert!(h.contains("host: hai.example.invalid:8080\r\n"), "{h}");
}

#[tokio::test]
async fn a_proxy_that_tunnels_carries_an_https_call_end_to_end() {
    let server = TlsServer::start(&["127.0.0.1"]).await;
    let target = server.addr;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let h = head(&mut client).await;
            assert!(
                h.starts_with(&format!("CONNECT {target} HTTP/1.1\r\n")),
                "{h}"
            );
            let mut upstream = TcpStream::connect(target).await.unwrap();
            client
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await
                .unwrap();
            tokio::spawn(async move {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    let out = tls_builder(&server)
        .add_root_certificate(&server.pem)
        .proxy(url)
        .build()
        .unwrap()
        .stop_instance(StopInstanceRequest::new("hai-conn"))
        .await
        .unwrap();
    assert_eq!(out.request_id, "req-tls");
    let r = &server.requests()[0];
    assert_eq!(r.header("Host"), target.to_string());
    verify_signature(r, SECRET_ID, SECRET_KEY, "hai");
}

#[tokio::test]
async fn a_plain_http_server_behind_https_gets_a_hint() {
    // What an HTTP server does with a ClientHello: a 400, in plain text.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut buf = [0u8; 512];
            let _ = tcp.read(&mut buf).await;
            let _ = tcp
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    let err = stop(base(&format!("https://{host}"))).await;
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), DispatchErrorKind::Tls);
    let hint = d.hint().expect("a hint");
    assert!(hint.contains(&format!("use http://{host}")), "{hint}");
    assert!(err.to_string().contains(hint), "{err}");
}

#[tokio::test]
async fn a_refused_connection_names_the_host() {
    let url = refused_url().await;
    let host = url.trim_start_matches("http://").to_owned();
    let err = stop(base(&url)).await;
    let Error::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.host(), Some(host.as_str()));
    assert!(
        err.to_string().starts_with(&format!(
            "StopInstance: could not connect to {host} (request not sent)"
        )),
        "{err}"
    );
}

#[test]
fn an_unusable_proxy_url_is_a_build_error() {
    for bad in [
        "socks5://127.0.0.1:1080",
        "127.0.0.1:3128",
        "http://",
        "http://p:1/x",
    ] {
        match base("https://hai.tencentcloudapi.com").proxy(bad).build() {
            Err(hai_sdk::BuildError::InvalidProxy(why)) => {
                assert!(why.contains('`'), "{why}")
            }
            other => panic!("{bad}: {:?}", other.map(|_| ())),
        }
    }
}
