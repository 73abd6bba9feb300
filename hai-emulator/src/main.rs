//! `hai-emulator`: runs the local HAI service until interrupted.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use hai_emulator::{
    Credential, Emulator, EmulatorConfig, Seed, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY,
};

const USAGE: &str = "\
usage: hai-emulator [--listen ADDR] [--secret-id ID --secret-key KEY] [--token TOKEN]
                    [--seed FILE] [--extra-instances N] [--no-rate-limit]
                    [--tls [--cert-out FILE]]

  --listen ADDR      address to bind (default 127.0.0.1:0, a free port)
  --secret-id ID     SecretId to accept (default: the documented test key)
  --secret-key KEY   SecretKey paired with --secret-id
  --token TOKEN      also require this X-TC-Token (temporary credentials)
  --seed FILE        initial instances, JSON {\"Instances\": [...]} (default: built-in seed)
  --extra-instances N  also seed N running instances hai-g0000000, hai-g0000001, ...
  --no-rate-limit    do not enforce the per-action rate limits
  --tls              serve HTTPS with a self-signed certificate for 127.0.0.1, ::1 and
                     localhost, made at start
  --cert-out FILE    with --tls: write the certificate (PEM) there for clients to trust
                     (default: hai-emulator-PORT.pem in the temporary directory, removed
                     on Ctrl-C)

Prints the endpoint, the certificate's path (with --tls) and the accepted credentials,
then serves until Ctrl-C. RUST_LOG=hai_emulator=debug logs each refused request's code and
each connection error on stderr (default: warnings only).";

struct Args {
    listen: SocketAddr,
    secret_id: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    seed: Option<String>,
    extra_instances: usize,
    rate_limit: bool,
    tls: bool,
    cert_out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        secret_id: None,
        secret_key: None,
        token: None,
        seed: None,
        extra_instances: 0,
        rate_limit: true,
        tls: false,
        cert_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => {
                let v = value()?;
                args.listen = v
                    .parse()
                    .map_err(|e| format!("--listen {v}: {e} (expected IP:PORT)"))?;
            }
            "--secret-id" => args.secret_id = Some(value()?),
            "--secret-key" => args.secret_key = Some(value()?),
            "--token" => args.token = Some(value()?),
            "--seed" => args.seed = Some(value()?),
            "--extra-instances" => {
                let v = value()?;
                args.extra_instances = v
                    .parse()
                    .map_err(|e| format!("--extra-instances {v}: {e}"))?;
            }
            "--no-rate-limit" => args.rate_limit = false,
            "--tls" => args.tls = true,
            "--cert-out" => args.cert_out = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.secret_id.is_some() != args.secret_key.is_some() {
        return Err("--secret-id and --secret-key go together".to_owned());
    }
    if args.cert_out.is_some() && !args.tls {
        return Err("--cert-out needs --tls".to_owned());
    }
    Ok(args)
}

/// Logs on stderr, filtered by `RUST_LOG` (default: warnings only), coloured only when stderr
/// is a terminal: no escape codes in a pipe or a log file.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("hai-emulator: {msg}");
            }
            eprintln!("{USAGE}");
            return if msg.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let mut credential = Credential::new(
        args.secret_id
            .unwrap_or_else(|| DEFAULT_SECRET_ID.to_owned()),
        args.secret_key
            .unwrap_or_else(|| DEFAULT_SECRET_KEY.to_owned()),
    );
    if let Some(t) = args.token {
        credential = credential.with_token(t);
    }
    let mut config = EmulatorConfig::default()
        .listen(args.listen)
        .credential(credential.clone())
        .rate_limit(args.rate_limit)
        .tls(args.tls);
    let mut seed = Seed::default();
    if let Some(path) = &args.seed {
        let loaded = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Seed::from_json(&text).map_err(|e| e.to_string()));
        match loaded {
            Ok(s) => seed = s,
            Err(e) => {
                eprintln!("hai-emulator: cannot load seed {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    config = config.seed(seed.with_generated(args.extra_instances));
    let emu = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("hai-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Written before anything is printed, so a script that waits for the endpoint line
    // finds the file in place.
    let mut remove_on_exit = None;
    if let Some(pem) = emu.certificate_pem() {
        let (path, default) = match &args.cert_out {
            Some(p) => (p.clone(), false),
            None => (
                std::env::temp_dir().join(format!("hai-emulator-{}.pem", emu.addr().port())),
                true,
            ),
        };
        if let Err(e) = std::fs::write(&path, pem) {
            eprintln!(
                "hai-emulator: cannot write the certificate to {}: {e}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        println!("hai-emulator certificate (PEM): {}", path.display());
        if default {
            remove_on_exit = Some(path);
        }
    }
    // These are the emulator's own test credentials, printed so clients can be pointed at it.
    println!("hai-emulator listening on {}", emu.endpoint());
    println!("TENCENTCLOUD_ENDPOINT_URL_HAI={}", emu.endpoint());
    // HAI refuses calls without a region: printed so that exporting the banner is enough.
    if let Some(region) = emu.region() {
        println!("TENCENTCLOUD_REGION={region}");
    }
    println!("TENCENTCLOUD_SECRET_ID={}", credential.secret_id);
    println!("TENCENTCLOUD_SECRET_KEY={}", credential.secret_key);
    if let Some(t) = &credential.token {
        println!("TENCENTCLOUD_SESSION_TOKEN={t}");
    }
    let instances = emu.instances();
    let listed = instances.len().min(20);
    println!(
        "instances: {}{}",
        instances[..listed]
            .iter()
            .map(|i| format!("{}={}", i.instance_id, i.instance_state))
            .collect::<Vec<_>>()
            .join(" "),
        if instances.len() > listed {
            format!(" ... ({} in all)", instances.len())
        } else {
            String::new()
        }
    );
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("hai-emulator: shutting down");
    emu.shutdown().await;
    if let Some(path) = remove_on_exit {
        let _ = std::fs::remove_file(path);
    }
    ExitCode::SUCCESS
}
