//! The `hai` binary end to end: against an in-process emulator on 127.0.0.1, with a
//! temporary HOME for tccli's files and no credentials from the environment.

mod calls;
mod config;
mod filters;
mod golden;
mod input_json;
mod skeleton;

// The command table of the binary, compiled here too, for tests that go over every action.
#[allow(dead_code)]
mod generated;
#[allow(dead_code)]
#[path = "../../src/table.rs"]
mod table;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hai_emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY,
};

/// An emulator on its own runtime, for tests that run the binary synchronously.
pub struct Emu {
    pub handle: EmulatorHandle,
    _runtime: tokio::runtime::Runtime,
}

impl Emu {
    pub fn start() -> Emu {
        Emu::start_with(EmulatorConfig::default())
    }

    /// An emulator serving https with a certificate made at start.
    pub fn start_tls() -> Emu {
        Emu::start_with(EmulatorConfig::default().tls(true))
    }

    fn start_with(config: EmulatorConfig) -> Emu {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime
            .block_on(Emulator::start(config))
            .expect("emulator starts");
        Emu {
            handle,
            _runtime: runtime,
        }
    }

    pub fn endpoint(&self) -> String {
        self.handle.endpoint()
    }
}

/// A fresh, empty HOME.
pub fn temp_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hai-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `hai` with a clean environment: HOME as given, nothing from the caller's environment.
pub fn hai(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hai"));
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

/// `hai` with the emulator's keys in the environment and its endpoint and region.
pub fn hai_at(emu: &Emu, home: &Path) -> Command {
    let mut cmd = hai(home);
    cmd.env("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEFAULT_SECRET_KEY)
        .args(["--endpoint", &emu.endpoint(), "--region", "ap-guangzhou"]);
    cmd
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("hai runs");
    Run {
        status: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// The stdout of a successful run as JSON.
pub fn json(r: &Run) -> serde_json::Value {
    assert_eq!(r.status, 0, "stderr: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}
