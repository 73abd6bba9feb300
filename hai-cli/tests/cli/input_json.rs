//! `--cli-input-json` (and JSON given to an option) is sent in the members' declared types,
//! by the SDK's rule for requests: seen on the wire by a loopback server this test starts,
//! which records the body it is sent and answers a bare envelope.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::{hai, run, temp_home, Run};

/// A server on 127.0.0.1 that answers each request with `{"Response":{"RequestId":"r"}}`.
struct Capture {
    listener: TcpListener,
}

impl Capture {
    fn start() -> Capture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        Capture { listener }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.listener.local_addr().unwrap())
    }

    /// Runs `hai ARGS` against this server and returns its run and the body of the request
    /// it sent (`None` when it sent none).
    fn hai(&self, name: &str, args: &[&str]) -> (Run, Option<Value>) {
        let listener = self.listener.try_clone().unwrap();
        listener.set_nonblocking(true).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let server_done = Arc::clone(&done);
        let server = std::thread::spawn(move || loop {
            // Read before trying: once the CLI has exited, a request it made is queued.
            let exited = server_done.load(Ordering::SeqCst);
            match listener.accept() {
                Ok((stream, _)) => return Some(answer(stream)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if exited {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("accept: {e}"),
            }
        });
        let home = temp_home(name);
        let r = run(hai(&home)
            .env("TENCENTCLOUD_SECRET_ID", "AKIDtest")
            .env("TENCENTCLOUD_SECRET_KEY", "test-key")
            .args(["--endpoint", &self.endpoint(), "--region", "ap-guangzhou"])
            .args(args));
        done.store(true, Ordering::SeqCst);
        (r, server.join().unwrap())
    }
}

/// Reads one HTTP/1.1 request and answers it; returns its JSON body.
fn answer(mut stream: TcpStream) -> Value {
    stream.set_nonblocking(false).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed before the request's head");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed before the request's body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap();
    let reply = r#"{"Response":{"RequestId":"r"}}"#;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
    body
}

#[test]
fn values_are_sent_in_their_declared_types() {
    let server = Capture::start();
    let (r, body) = server.hai(
        "input-typed",
        &[
            "DescribeInstances",
            "--cli-input-json",
            r#"{"Limit": "10", "Offset": "0",
                "Filters": [{"Name": "instance-state", "Values": "RUNNING"}],
                "InstanceIds": [12345678]}"#,
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        body,
        Some(json!({
            "InstanceIds": ["12345678"],
            "Filters": [{"Name": "instance-state", "Values": ["RUNNING"]}],
            "Offset": 0,
            "Limit": 10,
        }))
    );
    // Booleans in any letter case, as Python's SDK writes them.
    let (r, body) = server.hai(
        "input-bool",
        &[
            "StopInstance",
            "--cli-input-json",
            r#"{"InstanceId": "hai-dunyfddn", "DryRun": "True"}"#,
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        body,
        Some(json!({"InstanceId": "hai-dunyfddn", "DryRun": true}))
    );
    // Nested, and from a file.
    let home = temp_home("input-file");
    let file = home.join("in.json");
    std::fs::write(
        &file,
        r#"{"ApplicationId": "app-x", "BundleType": "XL", "SystemDisk": {"DiskSize": "100"}, "InstanceCount": "2"}"#,
    )
    .unwrap();
    let (r, body) = server.hai(
        "input-nested",
        &[
            "RunInstances",
            "--cli-input-json",
            &format!("file://{}", file.display()),
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let body = body.unwrap();
    assert_eq!(body["SystemDisk"], json!({"DiskSize": 100}));
    assert_eq!(body["InstanceCount"], json!(2));
}

#[test]
fn json_given_to_an_option_is_converted_too() {
    let server = Capture::start();
    let (r, body) = server.hai(
        "option-json",
        &[
            "DescribeInstances",
            "--Filters",
            r#"{"Name": "instance-id", "Values": [12345678]}"#,
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        body,
        Some(json!({"Filters": [{"Name": "instance-id", "Values": ["12345678"]}]}))
    );
    let (r, sent) = server.hai(
        "option-json-bad",
        &["DescribeInstances", "--Filters", r#"[{"Name": ["x"]}]"#],
    );
    assert_eq!(sent, None);
    assert_eq!(r.status, 255);
    assert_eq!(
        r.stderr,
        "error: --Filters: [0].Name: expected a string, found [\"x\"]\n"
    );
}

#[test]
fn what_does_not_convert_is_refused_before_sending_naming_its_path() {
    let server = Capture::start();
    for (input, error) in [
        (
            r#"{"Limit": "1.0"}"#,
            r#"Limit: expected an integer, found "1.0""#,
        ),
        (r#"{"Limit": 1.5}"#, "Limit: expected an integer, found 1.5"),
        (r#"{"Limit": 2.0}"#, "Limit: expected an integer, found 2.0"),
        (
            r#"{"Limit": "010"}"#,
            r#"Limit: expected an integer, found "010""#,
        ),
        (
            r#"{"Limit": 9223372036854775808}"#,
            "Limit: expected an integer, found 9223372036854775808 (beyond int64)",
        ),
        (
            r#"{"Filters": [{"Name": "instance-state", "Values": ["RUNNING", {"x": 1}]}]}"#,
            r#"Filters[0].Values[1]: expected a string, found {"x":1}"#,
        ),
        (
            r#"{"Filters": [{"Name": "instance-state", "Values": ["RUNNING", null]}]}"#,
            "Filters[0].Values[1]: expected a string, found null",
        ),
        // The value's control characters are shown escaped, never raw.
        (
            r#"{"Limit": "\u001b[31m"}"#,
            r#"Limit: expected an integer, found "\u001b[31m""#,
        ),
    ] {
        let (r, sent) = server.hai(
            "input-refused",
            &["DescribeInstances", "--cli-input-json", input],
        );
        assert_eq!(sent, None, "{input}");
        assert_eq!(r.status, 255, "{input}");
        assert!(r.stdout.is_empty(), "{input}: {}", r.stdout);
        assert_eq!(
            r.stderr,
            format!("error: --cli-input-json: {error}\n"),
            "{input}"
        );
    }
    for (action, input, error) in [
        (
            "StopInstance",
            r#"{"InstanceId": "hai-dunyfddn", "DryRun": "yes"}"#,
            r#"DryRun: expected a boolean, found "yes""#,
        ),
        (
            "RunInstances",
            r#"{"ApplicationId": "app-x", "BundleType": "XL", "SystemDisk": {"DiskSize": "ten"}}"#,
            r#"SystemDisk.DiskSize: expected an integer, found "ten""#,
        ),
        (
            "RunInstances",
            r#"{"ApplicationId": "app-x", "BundleType": "XL", "InstanceCount": -1}"#,
            "InstanceCount: expected a non-negative integer, found -1",
        ),
    ] {
        let (r, sent) = server.hai("input-refused", &[action, "--cli-input-json", input]);
        assert_eq!(sent, None, "{input}");
        assert_eq!(r.status, 255, "{input}");
        assert_eq!(
            r.stderr,
            format!("error: --cli-input-json: {error}\n"),
            "{input}"
        );
    }
}
