//! The README as a test: every `sh` block of README.md that talks to the emulator or runs the
//! examples and `hai` runs, in order, as one shell session against emulators this test
//! starts on 127.0.0.1, and each command's exit status and key output are checked.
//!
//! Each `sh` block is preceded by an HTML comment (invisible on the rendered page):
//! `<!-- readme-test: skip (why) -->`, or `<!-- readme-test` followed by one line per
//! command of the block and `-->`. A line is `ok`, `ok: TEXT`, `fails`, `fails: TEXT`
//! (the command's exit status, and text its stdout or stderr must contain) or
//! `background: TEXT` (a long-running server: started in the background, ready once it
//! printed TEXT). A first line `restart-emulator` restarts the background server before the
//! block, as the README tells the reader to. A block without a comment fails the test, so a
//! new block cannot be skipped by accident.
//!
//! `cargo run -p hai-emulator`, `cargo run -p hai-cli`, `cargo run --example NAME` and
//! `cargo install --path hai-cli` stand for the binaries `cargo test --workspace` has built
//! (`hai`, `hai-emulator`, `target/debug/examples/NAME`); the README's port 18931 becomes a
//! free one; the session starts with an empty environment and home directory.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one command must do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Ok(Option<String>),
    Fails(Option<String>),
    Background(String),
}

#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    restart: bool,
    /// `(command, expectation)`, continuation lines joined.
    commands: Vec<(String, Expect)>,
}

/// The blocks to run, or what is wrong with the README's markup.
fn parse(readme: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    let mut comment: Option<(usize, Vec<String>)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.trim().strip_prefix("<!-- readme-test") {
            let mut body = Vec::new();
            let start = i + 1;
            let mut rest = rest.trim().to_owned();
            loop {
                if let Some(before) = rest.strip_suffix("-->") {
                    if !before.trim().is_empty() {
                        body.push(before.trim().to_owned());
                    }
                    break;
                }
                if !rest.is_empty() {
                    body.push(rest.clone());
                }
                i += 1;
                let Some(next) = lines.get(i) else {
                    return Err(format!(
                        "README.md:{start}: unterminated readme-test comment"
                    ));
                };
                rest = next.trim().to_owned();
            }
            comment = Some((start, body));
            i += 1;
            continue;
        }
        if line.trim() == "```sh" {
            let fence = i + 1;
            let mut text = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].trim() != "```" {
                text.push(lines[i]);
                i += 1;
            }
            let Some((_, body)) = comment.take() else {
                return Err(format!(
                    "README.md:{fence}: a sh block without a `<!-- readme-test ... -->` comment before it"
                ));
            };
            if body.first().is_some_and(|b| b.starts_with(": skip")) {
                i += 1;
                continue;
            }
            blocks.push(block(fence, &body, &text)?);
        } else if !line.trim().is_empty() {
            comment = None;
        }
        i += 1;
    }
    Ok(blocks)
}

fn block(fence: usize, body: &[String], text: &[&str]) -> Result<Block, String> {
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in text {
        if let Some(cont) = line.strip_suffix('\\') {
            current.push_str(cont);
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let command = std::mem::take(&mut current).trim().to_owned();
        if !command.is_empty() && !command.starts_with('#') {
            commands.push(command);
        }
    }
    let mut body = body.iter().map(String::as_str).peekable();
    let restart = body.next_if_eq(&"restart-emulator").is_some();
    let expects = body
        .map(|d| {
            let (word, text) = match d.split_once(':') {
                Some((w, t)) => (w.trim(), Some(t.trim().to_owned())),
                None => (d.trim(), None),
            };
            match (word, text) {
                ("ok", t) => Ok(Expect::Ok(t)),
                ("fails", t) => Ok(Expect::Fails(t)),
                ("background", Some(t)) => Ok(Expect::Background(t)),
                _ => Err(format!("README.md:{fence}: unknown readme-test line `{d}`")),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    if expects.len() != commands.len() {
        return Err(format!(
            "README.md:{fence}: {} command(s) but {} readme-test line(s)",
            commands.len(),
            expects.len()
        ));
    }
    Ok(Block {
        line: fence,
        restart,
        commands: commands.into_iter().zip(expects).collect(),
    })
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

const PRELUDE: &str = r#"set -u
cd "$WORK"
cargo() {
    local args="$*"
    case "$args" in
        "run -p hai-emulator"*) shift 3; [ "${1:-}" = "--" ] && shift; exec "$BIN/hai-emulator" "$@" ;;
        "run -p hai-cli"*) shift 3; [ "${1:-}" = "--" ] && shift; "$BIN/hai" "$@" ;;
        "run --example "*) local name="$3"; shift 3; [ "${1:-}" = "--" ] && shift; "$BIN/examples/$name" "$@" ;;
        "install --path hai-cli") echo "hai is on PATH" ;;
        *) echo "readme test: cargo $args is not emulated" >&2; return 97 ;;
    esac
}
wait_for() {
    for _ in $(seq 1 600); do
        grep -qF -- "$2" "$1" && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
"#;

#[test]
fn the_readme_shell_blocks_run_in_order_against_a_fresh_emulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = parse(&readme).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        blocks.len() >= 3,
        "the README's emulator, cookbook and CLI blocks: {blocks:?}"
    );

    let bin = super::support::profile_dir();
    for needed in ["hai", "hai-emulator", "examples/stop_instance"] {
        assert!(
            bin.join(needed).exists(),
            "{} is missing: run `cargo test --workspace` (it builds every binary and example)",
            bin.join(needed).display()
        );
    }
    let work = std::env::temp_dir().join(format!(
        "hai-readme-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(work.join("home")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    // One script: each command's output and status land in files named by its number.
    let mut script = String::from(PRELUDE);
    let mut list: Vec<(usize, String, Expect)> = Vec::new();
    // The server's command number, command and readiness text.
    let mut background: Option<(usize, String, String)> = None;
    for b in &blocks {
        if b.restart {
            let (n, command, ready) = background
                .as_ref()
                .expect("restart-emulator before any background server");
            writeln!(
                script,
                "kill \"$(cat pid.{n})\"; wait \"$(cat pid.{n})\" 2>/dev/null\n\
                 {{ {command}\n}} > out.{n}.restart 2>&1 < /dev/null &\n\
                 echo $! > pid.{n}; wait_for out.{n}.restart {} $! || echo restart-failed >> restart.log",
                shell_quote(ready)
            )
            .unwrap();
        }
        for (command, expect) in &b.commands {
            let n = list.len();
            let command = command.replace("127.0.0.1:18931", &format!("127.0.0.1:{port}"));
            match expect {
                Expect::Background(ready) => {
                    writeln!(
                        script,
                        "{{ {command}\n}} > out.{n} 2>&1 < /dev/null &\n\
                         echo $! > pid.{n}; wait_for out.{n} {} $!; echo $? > rc.{n}",
                        shell_quote(ready)
                    )
                    .unwrap();
                    background = Some((n, command.clone(), ready.clone()));
                }
                _ => writeln!(
                    script,
                    "{{ {command}\n}} > out.{n} 2>&1 < /dev/null; echo $? > rc.{n}"
                )
                .unwrap(),
            }
            list.push((b.line, command, expect.clone()));
        }
    }
    if let Some((n, _, _)) = &background {
        writeln!(script, "kill \"$(cat pid.{n})\" 2>/dev/null; wait").unwrap();
    }
    std::fs::write(work.join("readme.sh"), &script).unwrap();

    let mut child = Command::new("bash")
        .arg(work.join("readme.sh"))
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        )
        .env("HOME", work.join("home"))
        .env("WORK", &work)
        .env("BIN", &bin)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash runs");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "the README's commands did not finish in 10 minutes; see {}",
                work.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    let mut failures = String::new();
    if let Ok(log) = std::fs::read_to_string(work.join("restart.log")) {
        writeln!(failures, "restarting the emulator failed: {log}").unwrap();
    }
    for (n, (line, command, expect)) in list.iter().enumerate() {
        let out = std::fs::read_to_string(work.join(format!("out.{n}"))).unwrap_or_default();
        let rc: Option<i32> = std::fs::read_to_string(work.join(format!("rc.{n}")))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        let (status_ok, text) = match expect {
            Expect::Ok(t) => (rc == Some(0), t.as_deref()),
            Expect::Fails(t) => (rc.is_some_and(|c| c != 0), t.as_deref()),
            Expect::Background(t) => (rc == Some(0), Some(t.as_str())),
        };
        let text_ok = text.is_none_or(|t| out.contains(t));
        if !(status_ok && text_ok) {
            let tail: Vec<&str> = out.lines().rev().take(30).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            writeln!(
                failures,
                "README.md:{line} (command {n}): `{command}`\n  expected {expect:?}, exit status {rc:?}\n  output:\n    {}",
                tail.join("\n    ")
            )
            .unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "{failures}\n(work directory: {})",
        work.display()
    );
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn readme_markup_errors_are_reported_with_their_line() {
    let missing = "text\n\n```sh\necho hi\n```\n";
    assert!(parse(missing).unwrap_err().contains("README.md:3"));
    let count = "<!-- readme-test\nok\n-->\n```sh\necho a\necho b\n```\n";
    assert!(parse(count).unwrap_err().contains("2 command(s) but 1"));
    let skipped = "<!-- readme-test: skip (downloads) -->\n```sh\ncurl x\n```\n";
    assert!(parse(skipped).unwrap().is_empty());
    let joined = "<!-- readme-test\nrestart-emulator\nfails: nope\n-->\n```sh\n# comment\nfalse \\\n  --x\n```\n";
    let b = parse(joined).unwrap();
    assert!(b[0].restart);
    assert_eq!(
        b[0].commands,
        vec![(
            "false    --x".to_owned(),
            Expect::Fails(Some("nope".into()))
        )]
    );
    // Text between the comment and the block detaches the comment.
    let detached = "<!-- readme-test\nok\n-->\nprose\n```sh\necho a\n```\n";
    assert!(parse(detached).is_err());
}
