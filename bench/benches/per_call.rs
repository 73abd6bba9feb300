//! Per-call client cost, compared within one run (ratios, not absolute numbers):
//! the SDK's whole `stop_instance` call against pre-signed raw requests to the same loopback
//! server (over one bare `hyper::client::conn::http1` connection, the shared harness's raw
//! floor; through hyper-util's pooled client; through reqwest), plus the pure-CPU pieces
//! (serialise, sign, the request headers as an attempt builds them, decode).

use std::net::SocketAddr;

use criterion::{criterion_group, criterion_main, Criterion};
use hai_sdk::credentials::Credentials;
use hai_sdk::decode;
use hai_sdk::describe_instances::DescribeInstancesResponse;
use hai_sdk::signer::{sign, Payload, SigningInput};
use hai_sdk::stop_instance::{StopInstanceRequest, StopInstanceResponse};
use hai_sdk::types::StopMode;
use hai_sdk::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;

const BODY: &str = r#"{"InstanceId":"hai-dunyfddn","StopMode":"STOP_CHARGE","DryRun":false}"#;
const REPLY: &str =
    r#"{"Response":{"TaskId":123456,"RequestId":"00000000-0000-4000-8000-000000000000"}}"#;

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with `REPLY`.
async fn serve() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = sock.set_nodelay(true);
            tokio::spawn(async move {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{REPLY}",
                    REPLY.len()
                );
                let mut buf = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    // Read one request: headers, then Content-Length bytes of body.
                    let end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let headers = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = headers
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    while buf.len() < end + len {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + len);
                    if sock.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn calls(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let addr = rt.block_on(serve());
    let client = Client::builder()
        .endpoint(format!("http://{addr}"))
        .endpoint_from_env(false)
        .region("ap-guangzhou")
        .credentials(Credentials::new("AKIDbench", "benchkey", None))
        .rate_limit(false)
        .build()
        .expect("client");
    let raw = reqwest::Client::new();
    let url = format!("http://{addr}/");
    let sig = sign(&SigningInput {
        secret_id: "AKIDbench",
        secret_key: "benchkey",
        service: "hai",
        host: &addr.to_string(),
        content_type: "application/json",
        method: "POST",
        query: "",
        payload: Payload::Bytes(BODY.as_bytes()),
        timestamp: 1_700_000_000,
    });

    let pooled = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let uri: http::Uri = url.parse().expect("uri");
    let authorization =
        http::HeaderValue::from_str(&sig.authorization).expect("authorization header");

    // One keep-alive connection owned by the bench, as the harness's raw client has.
    let (bare, conn) = rt.block_on(async {
        let io = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let _ = io.set_nodelay(true);
        hyper::client::conn::http1::handshake::<_, http_body_util::Full<bytes::Bytes>>(
            hyper_util::rt::TokioIo::new(io),
        )
        .await
        .expect("handshake")
    });
    rt.spawn(conn);
    let bare = std::cell::Cell::new(Some(bare));
    let host = http::HeaderValue::from_str(&addr.to_string()).expect("host header");

    let mut g = c.benchmark_group("stop_instance_loopback");
    g.bench_function("raw_hyper_conn_presigned", |b| {
        b.to_async(&rt).iter(|| async {
            let mut req = http::Request::new(http_body_util::Full::new(bytes::Bytes::from_static(
                BODY.as_bytes(),
            )));
            *req.method_mut() = http::Method::POST;
            *req.uri_mut() = http::Uri::from_static("/");
            let h = req.headers_mut();
            h.insert(http::header::HOST, host.clone());
            h.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            h.insert(X_TC_ACTION, http::HeaderValue::from_static("StopInstance"));
            h.insert(http::header::AUTHORIZATION, authorization.clone());
            // The iterations run one after another: the connection is always back.
            let mut tx = bare.take().expect("the connection");
            tx.ready().await.expect("ready");
            let response = tx.send_request(req);
            bare.set(Some(tx));
            let resp = response.await.expect("send");
            let bytes = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .expect("body")
                .to_bytes();
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            assert_eq!(v["Response"]["TaskId"], 123456);
        })
    });
    g.bench_function("raw_hyper_util_presigned", |b| {
        b.to_async(&rt).iter(|| async {
            let mut req = http::Request::new(http_body_util::Full::new(bytes::Bytes::from_static(
                BODY.as_bytes(),
            )));
            *req.method_mut() = http::Method::POST;
            *req.uri_mut() = uri.clone();
            let h = req.headers_mut();
            h.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            h.insert(X_TC_ACTION, http::HeaderValue::from_static("StopInstance"));
            h.insert(http::header::AUTHORIZATION, authorization.clone());
            let resp = pooled.request(req).await.expect("send");
            let bytes = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .expect("body")
                .to_bytes();
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            assert_eq!(v["Response"]["TaskId"], 123456);
        })
    });
    g.bench_function("raw_reqwest_presigned", |b| {
        b.to_async(&rt).iter(|| async {
            let resp = raw
                .post(&url)
                .header("content-type", "application/json")
                .header("x-tc-action", "StopInstance")
                .header("authorization", &sig.authorization)
                .body(BODY)
                .send()
                .await
                .expect("send");
            let bytes = resp.bytes().await.expect("body");
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            assert_eq!(v["Response"]["TaskId"], 123456);
        })
    });
    g.bench_function("hai_sdk_stop_instance", |b| {
        b.to_async(&rt).iter(|| async {
            let req = StopInstanceRequest::new("hai-dunyfddn")
                .stop_mode(StopMode::StopCharge)
                .dry_run(false);
            let out = client.stop_instance(req).await.expect("call");
            assert_eq!(out.task_id, Some(123456));
        })
    });
    g.finish();
}

// The header names as execute.rs declares them (parsed at compile time).
const X_TC_ACTION: http::HeaderName = http::HeaderName::from_static("x-tc-action");
const X_TC_VERSION: http::HeaderName = http::HeaderName::from_static("x-tc-version");
const X_TC_REGION: http::HeaderName = http::HeaderName::from_static("x-tc-region");
const X_TC_TIMESTAMP: http::HeaderName = http::HeaderName::from_static("x-tc-timestamp");
const X_TC_REQUESTCLIENT: http::HeaderName = http::HeaderName::from_static("x-tc-requestclient");
const X_TC_TRACEID: http::HeaderName = http::HeaderName::from_static("x-tc-traceid");

fn cpu_pieces(c: &mut Criterion) {
    let mut g = c.benchmark_group("pieces");
    g.bench_function("serialise_request", |b| {
        b.iter(|| {
            let req = StopInstanceRequest::new("hai-dunyfddn")
                .stop_mode(StopMode::StopCharge)
                .dry_run(false);
            serde_json::to_vec(&req).expect("serialise")
        })
    });
    g.bench_function("sign_full_intermediates", |b| {
        b.iter(|| {
            sign(&SigningInput {
                secret_id: "AKIDbench",
                secret_key: "benchkey",
                service: "hai",
                host: "hai.tencentcloudapi.com",
                content_type: "application/json",
                method: "POST",
                query: "",
                payload: Payload::Bytes(BODY.as_bytes()),
                timestamp: 1_700_000_000,
            })
        })
    });
    g.bench_function("request_headers", |b| {
        // The eleven headers an attempt sends, built as attempt_once builds them.
        let host = http::HeaderValue::from_static("hai.tencentcloudapi.com");
        let region = http::HeaderValue::from_static("ap-guangzhou");
        let client = http::HeaderValue::from_static("hai-rs/0.1.0");
        let auth = http::HeaderValue::from_static(
            "TC3-HMAC-SHA256 Credential=AKIDbench/2023-11-14/hai/tc3_request, SignedHeaders=content-type;host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        );
        b.iter(|| {
            let mut h = http::HeaderMap::with_capacity(12);
            h.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            h.insert(http::header::HOST, host.clone());
            h.insert(X_TC_ACTION, http::HeaderValue::from_static("StopInstance"));
            h.insert(X_TC_VERSION, http::HeaderValue::from_static("2023-08-12"));
            h.insert(X_TC_REGION, region.clone());
            h.insert(X_TC_TIMESTAMP, http::HeaderValue::from(1_700_000_000u64));
            h.insert(X_TC_REQUESTCLIENT, client.clone());
            h.insert(
                X_TC_TRACEID,
                http::HeaderValue::from_str("6f0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b")
                    .expect("uuid"),
            );
            h.insert(http::header::AUTHORIZATION, auth.clone());
            h
        })
    });
    g.bench_function("request_headers_from_template", |b| {
        // The same headers, the four that never change per endpoint cloned from a template.
        let mut template = http::HeaderMap::with_capacity(12);
        template.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        template.insert(
            http::header::HOST,
            http::HeaderValue::from_static("hai.tencentcloudapi.com"),
        );
        template.insert(X_TC_REGION, http::HeaderValue::from_static("ap-guangzhou"));
        template.insert(
            X_TC_REQUESTCLIENT,
            http::HeaderValue::from_static("hai-rs/0.1.0"),
        );
        let auth = http::HeaderValue::from_static(
            "TC3-HMAC-SHA256 Credential=AKIDbench/2023-11-14/hai/tc3_request, SignedHeaders=content-type;host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        );
        b.iter(|| {
            let mut h = template.clone();
            h.reserve(6);
            h.insert(X_TC_ACTION, http::HeaderValue::from_static("StopInstance"));
            h.insert(X_TC_VERSION, http::HeaderValue::from_static("2023-08-12"));
            h.insert(X_TC_TIMESTAMP, http::HeaderValue::from(1_700_000_000u64));
            h.insert(
                X_TC_TRACEID,
                http::HeaderValue::from_str("6f0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b")
                    .expect("uuid"),
            );
            h.insert(http::header::AUTHORIZATION, auth.clone());
            h
        })
    });
    g.bench_function("decode_response", |b| {
        #[derive(serde::Deserialize)]
        struct Envelope {
            #[serde(rename = "Response")]
            _response: StopInstanceResponse,
        }
        b.iter(|| serde_json::from_str::<Envelope>(REPLY).expect("decode"))
    });
    g.finish();
}

/// A `DescribeInstances` answer of `n` instances with every member set; `mismatch` makes the
/// last one's `GPUCount` a string, as real answers sometimes do.
fn instances_answer(n: usize, mismatch: bool) -> String {
    let instances: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let gpu = if mismatch && i + 1 == n {
                serde_json::json!("1")
            } else {
                serde_json::json!(1)
            };
            serde_json::json!({
                "InstanceId": format!("hai-{i:08}"), "InstanceName": format!("bench {i}"),
                "InstanceState": "RUNNING", "ApplicationName": "ComfyUI",
                "BundleName": "GPU basic", "GPUCount": gpu, "GPUPerformance": "15+TFlops",
                "GPUMemory": "24GB", "CPU": "8 cores", "Memory": "32GB",
                "SystemDisk": {"DiskType": "CLOUD_HSSD", "DiskSize": 80, "DiskName": "system"},
                "PrivateIpAddresses": ["10.0.0.8"], "PublicIpAddresses": ["203.0.113.8"],
                "SecurityGroupIds": ["sg-00000000"], "LatestOperation": "StartInstance",
                "LatestOperationState": "SUCCESS", "CreateTime": "2026-12-01 10:00:00",
                "MaxOutBandwidth": "1000Mbps", "MaxFreeTraffic": "500GB",
                "ConfigurationEnvironment": "Ubuntu 20.04, Python 3.8",
                "LoginServices": [{"ServiceName": "JupyterLab"}], "OSType": "linux",
            })
        })
        .collect();
    serde_json::json!({"Response": {
        "TotalCount": n, "InstanceSet": instances,
        "RequestId": "00000000-0000-4000-8000-000000000000",
    }})
    .to_string()
}

/// Decoding a large answer: straight into the output type (the path before the lenient
/// rule), through the rule's entry point (the path a call takes now; the same parse when
/// every member has its type), and a body with one mismatched member (parsed, then walked).
fn decoding(c: &mut Criterion) {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "Response")]
        _response: DescribeInstancesResponse,
    }
    let clean = instances_answer(100, false);
    let mixed = instances_answer(100, true);
    let mut g = c.benchmark_group("decode_100_instances");
    g.throughput(criterion::Throughput::Bytes(clean.len() as u64));
    // Exactly what a call did before the rule: serde_json::from_slice of the body's bytes.
    g.bench_function("direct_before", |b| {
        b.iter(|| serde_json::from_slice::<Envelope>(clean.as_bytes()).expect("decode"))
    });
    g.bench_function("rule_clean_after", |b| {
        b.iter(|| {
            let (out, m) =
                decode::from_answer::<DescribeInstancesResponse>(clean.as_bytes()).expect("decode");
            assert!(m.is_empty());
            out
        })
    });
    g.bench_function("rule_one_mismatch", |b| {
        b.iter(|| {
            let (out, m) =
                decode::from_answer::<DescribeInstancesResponse>(mixed.as_bytes()).expect("decode");
            assert_eq!(m.len(), 1);
            out
        })
    });
    g.finish();
}

criterion_group!(benches, calls, cpu_pieces, decoding);
criterion_main!(benches);
