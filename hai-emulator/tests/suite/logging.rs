//! The binary's log: on stderr, filtered by RUST_LOG, and without colour codes in a pipe.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

#[tokio::test]
async fn rust_log_logs_on_stderr_without_colour_codes_in_a_pipe() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hai-emulator"))
        .env("RUST_LOG", "hai_emulator=debug")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("hai-emulator listening on ") {
                return;
            }
        }
        panic!("no endpoint line");
    })
    .await
    .expect("the endpoint is printed");
    child.kill().await.unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    // The server's debug event, logged before the banner.
    assert!(
        stderr.contains("DEBUG") && stderr.contains("hai-emulator listening"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
