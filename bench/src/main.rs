//! Driver for the shared client-cost harness (`shared/bench`): `hai-bench PORT N [C]`.
//!
//! One `hai_sdk::Client`, exactly N StopInstance calls (a fresh request object each), C in
//! flight; prints the harness's `RESULT` line measured over the calls after the warm-up.

use std::process::ExitCode;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use hai_sdk::credentials::Credentials;
use hai_sdk::stop_instance::StopInstanceRequest;
use hai_sdk::types::StopMode;
use hai_sdk::Client;

struct Args {
    port: u16,
    n: u64,
    conc: usize,
    threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut pos = Vec::new();
    let mut threads = 0;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if a == "--threads" {
            threads = it
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or("--threads needs a number")?;
        } else {
            pos.push(a);
        }
    }
    let usage = "usage: hai-bench PORT N [C] [--threads T]";
    if !(2..=3).contains(&pos.len()) {
        return Err(usage.into());
    }
    Ok(Args {
        port: pos[0].parse().map_err(|_| usage)?,
        n: pos[1].parse().map_err(|_| usage)?,
        conc: pos
            .get(2)
            .map(|c| c.parse().map_err(|_| usage))
            .transpose()?
            .unwrap_or(1)
            .max(1),
        threads,
    })
}

fn cpu_s() -> (f64, f64) {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let s = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (s(ru.ru_utime), s(ru.ru_stime))
}

async fn one_call(client: &Client) -> Result<(), String> {
    let req = StopInstanceRequest::new("hai-dunyfddn")
        .stop_mode(StopMode::StopCharge)
        .dry_run(false);
    let out = client.stop_instance(req).await.map_err(|e| e.to_string())?;
    if out.task_id != Some(123_456) || out.request_id.len() != 36 {
        return Err(format!("unexpected reply {out:?}"));
    }
    Ok(())
}

async fn phase(client: &Client, calls: u64, conc: usize, failures: &Arc<AtomicU64>) {
    let left = Arc::new(AtomicI64::new(calls as i64));
    let mut tasks = Vec::with_capacity(conc);
    for _ in 0..conc {
        let (client, left, failures) = (client.clone(), left.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            while left.fetch_sub(1, Ordering::Relaxed) > 0 {
                if let Err(e) = one_call(&client).await {
                    if failures.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!("hai-bench: call failed: {e}");
                    }
                }
            }
        }));
    }
    for t in tasks {
        if t.await.is_err() {
            failures.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn run(a: Args) -> Result<(), String> {
    let client = Client::builder()
        .endpoint(format!("http://127.0.0.1:{}", a.port))
        .endpoint_from_env(false)
        .region("ap-guangzhou")
        .credentials(Credentials::new(
            "AKIDbenchbenchbenchbenchbenchbench0000",
            "benchbenchbenchbenchbenchbench00",
            None,
        ))
        // The harness measures client cost: the documented 20/s limit would only add sleeping.
        .rate_limit(false)
        .build()
        .map_err(|e| e.to_string())?;
    let failures = Arc::new(AtomicU64::new(0));
    let warm = (a.n / 10).min(500);
    let timed = a.n - warm;
    phase(&client, warm, a.conc, &failures).await;
    let (u0, s0) = cpu_s();
    let t0 = Instant::now();
    phase(&client, timed, a.conc, &failures).await;
    let wall = t0.elapsed().as_secs_f64();
    let (u1, s1) = cpu_s();
    let mode = if a.conc > 1 { "conc" } else { "seq" };
    println!(
        "RESULT client=ours mode={mode} calls={timed} conc={} wall_s={wall:.6} cpu_user_s={:.6} cpu_sys_s={:.6} calls_per_s={:.1}",
        a.conc,
        u1 - u0,
        s1 - s0,
        if wall > 0.0 { timed as f64 / wall } else { 0.0 }
    );
    match failures.load(Ordering::Relaxed) {
        0 => Ok(()),
        f => Err(format!("{f} failed calls")),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = if args.threads > 0 {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hai-bench: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hai-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
