//! `cargo xtask fuzz [--seconds N] [--target NAME]`: builds the fuzz targets in `fuzz/` with
//! libFuzzer's coverage instrumentation and runs each for N seconds.
//!
//! The tool is libFuzzer through the `libfuzzer-sys` crate, instrumented with stable rustc
//! flags (LLVM's SanitizerCoverage pass and its options), so it runs on the stable
//! toolchain with nothing to install: `cargo fuzz` would want nightly for its sanitizers.
//! See `fuzz/README.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// Every target, in the order they run.
pub const TARGETS: &[&str] = &[
    "envelope",
    "spec_loader",
    "importer",
    "credentials_ini",
    "metadata_json",
    "emulator_request",
];

/// What cargo-fuzz passes with `--sanitizer none`, minus nothing that needs nightly:
/// SanitizerCoverage with inline 8-bit counters, the PC table and comparison tracing (for
/// libFuzzer's value profile and CMP-guided mutations), `cfg(fuzzing)` for the crates'
/// `__fuzz` entry points, and debug assertions and overflow checks so slips crash.
const RUSTFLAGS: &[&str] = &[
    "--cfg",
    "fuzzing",
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "-Cdebug-assertions",
    "-Coverflow-checks",
];

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [--target NAME]";

/// One target's run.
struct Outcome {
    target: &'static str,
    seconds: u64,
    executions: u64,
    exec_per_sec: u64,
    corpus: u64,
    crashes: Vec<PathBuf>,
    failed: Option<String>,
}

/// Entry point of the task.
pub fn run(root: &Path, args: &[String]) -> Result<ExitCode, String> {
    let mut seconds = 60u64;
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|&s| s > 0)
                    .ok_or(format!("--seconds needs a positive number\n{USAGE}"))?;
            }
            "--target" => only = Some(it.next().ok_or(USAGE)?.clone()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let targets: Vec<&'static str> = match &only {
        Some(name) => vec![*TARGETS
            .iter()
            .find(|t| **t == name.as_str())
            .ok_or(format!(
                "no fuzz target `{name}`; targets: {}",
                TARGETS.join(", ")
            ))?],
        None => TARGETS.to_vec(),
    };

    let out = root.join("target").join("fuzz");
    let triple = host_triple()?;
    let started = Instant::now();
    build(root, &out, &triple, &targets)?;
    println!(
        "fuzz: built {} target(s) in {:.1} s",
        targets.len(),
        started.elapsed().as_secs_f64()
    );

    let bin_dir = out.join(&triple).join("release");
    let mut outcomes = Vec::new();
    for target in &targets {
        outcomes.push(run_target(root, &out, &bin_dir, target, seconds)?);
    }

    println!(
        "{:<18} {:>7} {:>13} {:>10} {:>7} {:>8}",
        "target", "seconds", "executions", "exec/s", "corpus", "crashes"
    );
    let mut bad = false;
    for o in &outcomes {
        println!(
            "{:<18} {:>7} {:>13} {:>10} {:>7} {:>8}",
            o.target,
            o.seconds,
            o.executions,
            o.exec_per_sec,
            o.corpus,
            o.crashes.len()
        );
        for c in &o.crashes {
            println!("  crash input: {}", c.display());
        }
        if let Some(why) = &o.failed {
            println!("  {why}");
        }
        bad |= !o.crashes.is_empty() || o.failed.is_some();
    }
    Ok(if bad {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The host triple: the flags must apply to the targets only, not to build scripts and
/// proc macros (which would then need libFuzzer's symbols), and cargo only keeps them apart
/// when `--target` is given.
fn host_triple() -> Result<String, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV names no host".into())
}

fn build(root: &Path, out: &Path, triple: &str, targets: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root.join("fuzz"))
        .args(["build", "--release", "--locked", "--target", triple])
        .env("CARGO_TARGET_DIR", out)
        // One string with spaces, not CARGO_ENCODED_RUSTFLAGS: none of the flags has a space.
        .env("RUSTFLAGS", RUSTFLAGS.join(" "))
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for t in targets {
        cmd.args(["--bin", t]);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("building the fuzz targets failed ({status})"))
    }
}

fn run_target(
    root: &Path,
    out: &Path,
    bin_dir: &Path,
    target: &'static str,
    seconds: u64,
) -> Result<Outcome, String> {
    let seeds = root.join("fuzz").join("seeds").join(target);
    // libFuzzer writes new inputs into the first corpus directory only; the checked-in
    // seeds come second, so a run never touches them.
    let corpus = out.join("corpus").join(target);
    let artifacts = out.join("artifacts").join(target);
    let logs = out.join("logs");
    for d in [&corpus, &artifacts, &logs] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let before = list(&artifacts);
    let log_path = logs.join(format!("{target}.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    println!("fuzz: {target} for {seconds} s (log: target/fuzz/logs/{target}.log)");
    let status = Command::new(bin_dir.join(target))
        .arg(&corpus)
        .arg(&seeds)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        // A single input that takes 10 s is a hang worth reporting.
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run the {target} fuzzer: {e}"))?;
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let stat = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let crashes: Vec<PathBuf> = list(&artifacts)
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    let failed = (!status.success() && crashes.is_empty()).then(|| {
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("{target} exited with {status}:\n{}", tail.join("\n"))
    });
    Ok(Outcome {
        target,
        seconds,
        executions: stat("number_of_executed_units").unwrap_or(0),
        exec_per_sec: stat("average_exec_per_sec").unwrap_or(0),
        corpus: corpus_size(&text).unwrap_or(0),
        crashes,
        failed,
    })
}

/// The corpus size in libFuzzer's last status line (`... corp: 123/45Kb ...`).
fn corpus_size(log: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.split_once(" corp: "))
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|n| n.trim().parse().ok())
}

fn list(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::corpus_size;

    #[test]
    fn reads_the_corpus_size_of_the_last_status_line() {
        let log = "#2 INITED cov: 10 ft: 11 corp: 3/120b exec/s: 0 rss: 30Mb\n\
                   #99 DONE cov: 50 ft: 70 corp: 17/2Kb lim: 4 exec/s: 49 rss: 31Mb\n\
                   stat::number_of_executed_units: 99\n";
        assert_eq!(corpus_size(log), Some(17));
        assert_eq!(corpus_size("nothing"), None);
    }
}
