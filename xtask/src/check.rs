//! `cargo xtask check-tencent`: the generator against every service Tencent publishes.
//!
//! Downloads `tccli` (which ships one api.json per service and version) into
//! `target/tencent-check/`, imports each api.json, generates it into a crate of a scratch
//! workspace (`target/tencent-check/ws`, one crate per api.json, each depending on hai-runtime by
//! path) and runs one `cargo check` over that workspace. Prints one line per api.json and the
//! totals. Not part of CI: it downloads and takes minutes.
//!
//! With `--conformance` it builds instead of checking, adds a runner crate that links every
//! generated crate, and runs Tencent's documented examples (each api.json's `examples.json`)
//! through them (see `xtask::conformance`): one line per service and the totals.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hai_codegen::Options;

const TCCLI: &str = "tccli==3.1.189.1";
const WHEEL: &str = "tccli-3.1.189.1-py2.py3-none-any.whl";

struct Service {
    /// `cvm`
    name: String,
    /// `v20170312`
    version: String,
    api: PathBuf,
    errors: Option<PathBuf>,
    examples: Option<PathBuf>,
}

impl Service {
    fn crate_name(&self) -> String {
        format!("tc-{}-{}", self.name, self.version)
    }
}

#[derive(Default)]
struct Outcome {
    import: Option<String>,
    generate: Option<String>,
    files: usize,
    gen_time: Duration,
    errors: usize,
    warnings: usize,
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode, String> {
    let mut only: Option<Vec<String>> = None;
    let mut generate_only = false;
    let mut conformance = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--generate-only" => generate_only = true,
            "--conformance" => conformance = true,
            "--only" => {
                let list = it.next().ok_or("--only needs a comma-separated list")?;
                only = Some(list.split(',').map(str::to_owned).collect());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let base = root.join("target/tencent-check");
    let services_dir = unpack(&base)?;
    let mut services = find_services(&services_dir)?;
    if let Some(only) = &only {
        services.retain(|s| only.contains(&s.name) || only.contains(&s.crate_name()));
    }
    if services.is_empty() {
        return Err("no api.json found".into());
    }

    let ws = base.join("ws");
    let crates_dir = ws.join("crates");
    fs::create_dir_all(&crates_dir).map_err(|e| format!("{}: {e}", crates_dir.display()))?;
    let sdk = root.join("hai-runtime");
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let gen_started = Instant::now();
    // One worker per core; each api.json is independent.
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let done: Vec<(String, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    while let Some(s) = services.get(next.fetch_add(1, Ordering::Relaxed)) {
                        out.push((s.crate_name(), generate_one(s, &crates_dir, &sdk, root)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    outcomes.extend(done);
    let gen_total = gen_started.elapsed();
    let gen_sum: Duration = outcomes.values().map(|o| o.gen_time).sum();
    // Crates of api.json files that no longer generate must not linger in the workspace.
    let members: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| o.generate.is_none() && o.import.is_none())
        .map(|(n, _)| format!("crates/{n}"))
        .collect();
    if let Ok(entries) = fs::read_dir(&crates_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !members.contains(&format!("crates/{name}")) && only.is_none() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    if conformance {
        let generated: Vec<&Service> = services
            .iter()
            .filter(|s| {
                outcomes
                    .get(&s.crate_name())
                    .is_some_and(|o| o.import.is_none() && o.generate.is_none())
            })
            .collect();
        write_runner(&ws, root, &crates_dir, &generated)?;
    }
    let mut all_members = members.clone();
    if conformance {
        for m in &members {
            all_members.push(format!("conformance/{}", m.trim_start_matches("crates/")));
        }
        all_members.push("runner".to_owned());
        // A runner left from an earlier run must not stand in for one that failed to build.
        let _ = fs::remove_file(ws.join("target/debug/conformance-runner"));
    }
    let manifest = format!(
        "# Scratch workspace of `cargo xtask check-tencent`; regenerated on every run.\n\
         [workspace]\nresolver = \"2\"\nmembers = [\n{}]\n\n\
         # No debug info: it is most of the build of 300 generated crates, and nothing here is\n\
         # debugged.\n[profile.dev]\ndebug = 0\nincremental = false\n",
        all_members
            .iter()
            .map(|m| format!("  \"{m}\",\n"))
            .collect::<String>()
    );
    write_if_changed(&ws.join("Cargo.toml"), &manifest)?;
    if !ws.join("Cargo.lock").exists() {
        // Same dependency versions as the SDK itself is tested with.
        let _ = fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock"));
    }

    eprintln!(
        "generated {} crates in {:.1} s; cargo {} ...",
        members.len(),
        gen_total.as_secs_f64(),
        if conformance { "build" } else { "check" }
    );
    if generate_only {
        let ok = outcomes
            .values()
            .filter(|o| o.import.is_none() && o.generate.is_none())
            .count();
        println!(
            "check-tencent ({TCCLI}): {ok}/{} imported and generated; generation {:.1} s total \
             ({:.1} s summed over {workers} threads); not compiled (--generate-only)",
            outcomes.len(),
            gen_total.as_secs_f64(),
            gen_sum.as_secs_f64()
        );
        return Ok(if ok == outcomes.len() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let compile_started = Instant::now();
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(&ws)
        .args([
            if conformance { "build" } else { "check" },
            "--workspace",
            "--keep-going",
            "--message-format=short",
        ])
        .env_remove("RUSTFLAGS")
        .env("CARGO_TARGET_DIR", ws.join("target"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run cargo check: {e}"))?;
    // Streamed to check.log as it comes, so a long run can be followed (`tail -f`).
    let log_path = base.join("check.log");
    let mut log =
        fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut stderr = String::new();
    if let Some(pipe) = child.stderr.take() {
        for line in BufReader::new(pipe).lines() {
            let line = line.map_err(|e| format!("reading cargo's output: {e}"))?;
            writeln!(log, "{line}").map_err(|e| e.to_string())?;
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let status = child.wait().map_err(|e| format!("cargo check: {e}"))?;
    let compile_time = compile_started.elapsed();
    let mut unattributed = 0usize;
    for line in stderr.lines() {
        let kind = if line.contains(": error") {
            "error"
        } else if line.contains(": warning") {
            "warning"
        } else if line.starts_with("error") {
            // `error: could not compile ...` summaries name no file; counted per crate above.
            if !line.starts_with("error: could not compile") && !line.starts_with("error: aborting")
            {
                unattributed += 1;
            }
            continue;
        } else {
            continue;
        };
        let Some(rest) = line.strip_prefix("crates/") else {
            unattributed += 1;
            continue;
        };
        let name = rest.split('/').next().unwrap_or_default();
        if let Some(o) = outcomes.get_mut(name) {
            if kind == "error" {
                o.errors += 1;
            } else {
                o.warnings += 1;
            }
        } else {
            unattributed += 1;
        }
    }

    let (mut imported, mut generated, mut compiled, mut warnings) = (0, 0, 0, 0);
    for (name, o) in &outcomes {
        let line = if let Some(e) = &o.import {
            format!("{name}: import FAILED: {e}")
        } else if let Some(e) = &o.generate {
            imported += 1;
            format!("{name}: imported; generate FAILED: {e}")
        } else {
            imported += 1;
            generated += 1;
            if o.errors == 0 {
                compiled += 1;
            }
            warnings += o.warnings;
            format!(
                "{name}: imported, generated ({} files, {:.0} ms), compiled: {} errors, {} warnings",
                o.files,
                o.gen_time.as_secs_f64() * 1000.0,
                o.errors,
                o.warnings
            )
        };
        println!("{line}");
    }
    let total = outcomes.len();
    if !status.success() && compiled == generated && unattributed == 0 {
        // cargo failed without a diagnostic in any generated crate (e.g. hai-runtime itself).
        unattributed += 1;
    }
    println!(
        "check-tencent ({TCCLI}): {imported}/{total} imported, {generated}/{total} generated, \
         {compiled}/{total} compiled, {warnings} warnings, {unattributed} other diagnostics; \
         generation {:.1} s total ({:.1} s summed over {workers} threads), cargo {} {:.0} s",
        gen_total.as_secs_f64(),
        gen_sum.as_secs_f64(),
        if conformance { "build" } else { "check" },
        compile_time.as_secs_f64()
    );
    let mut conformance_ok = true;
    if conformance {
        let runner = ws.join("target/debug/conformance-runner");
        let status = Command::new(&runner)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", runner.display()))?;
        conformance_ok = status.success();
    }
    let ok = conformance_ok
        && imported == total
        && generated == total
        && compiled == total
        && warnings == 0
        && unattributed == 0;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The `tccli/services` directory of the unpacked wheel, downloading and unpacking as needed.
fn unpack(base: &Path) -> Result<PathBuf, String> {
    let wheel = base.join(WHEEL);
    if !wheel.exists() {
        fs::create_dir_all(base).map_err(|e| format!("{}: {e}", base.display()))?;
        let status = Command::new("python3")
            .args(["-m", "pip", "download", "--no-deps", TCCLI, "-d"])
            .arg(base)
            .status()
            .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
        if !status.success() || !wheel.exists() {
            return Err(format!("pip download {TCCLI} failed"));
        }
    }
    let dir = base.join("unpacked");
    let services = dir.join("tccli/services");
    if !services.exists() {
        // A wheel is a zip file; Python's zipfile saves a zip dependency here.
        let status = Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
            ])
            .arg(&wheel)
            .arg(&dir)
            .status()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        if !status.success() {
            return Err(format!("cannot unpack {}", wheel.display()));
        }
    }
    Ok(services)
}

fn find_services(dir: &Path) -> Result<Vec<Service>, String> {
    let mut out = Vec::new();
    let read = |p: &Path| fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()));
    for svc in read(dir)?.flatten() {
        if !svc.path().is_dir() {
            continue;
        }
        for ver in read(&svc.path())?.flatten() {
            let api = ver.path().join("api.json");
            if api.is_file() {
                let errors = ver.path().join("errors.json");
                let examples = ver.path().join("examples.json");
                out.push(Service {
                    name: svc.file_name().to_string_lossy().into_owned(),
                    version: ver.file_name().to_string_lossy().into_owned(),
                    api,
                    errors: errors.is_file().then_some(errors),
                    examples: examples.is_file().then_some(examples),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Ok(out)
}

fn generate_one(s: &Service, crates_dir: &Path, sdk: &Path, root: &Path) -> Outcome {
    let mut o = Outcome::default();
    let started = Instant::now();
    let api = match fs::read_to_string(&s.api) {
        Ok(t) => t,
        Err(e) => {
            o.import = Some(e.to_string());
            return o;
        }
    };
    let errors = s.errors.as_ref().and_then(|p| fs::read_to_string(p).ok());
    let spec = match xtask::import::import(&api, errors.as_deref(), &Default::default()) {
        Ok(spec) => spec,
        Err(e) => {
            o.import = Some(e.to_string());
            return o;
        }
    };
    if let Err(e) = spec.validate() {
        o.import = Some(format!("does not validate: {e}"));
        return o;
    }
    let text = hai_spec::to_text(&spec);
    let shown = s.api.strip_prefix(root).unwrap_or(&s.api);
    let options = Options {
        label: Some(shown.to_string_lossy().replace('\\', "/")),
        ..Options::default()
    };
    let files = match hai_codegen::generate(&spec, &text, &options) {
        Ok(f) => f,
        Err(e) => {
            o.generate = Some(e.to_string());
            return o;
        }
    };
    o.gen_time = started.elapsed();
    o.files = files.len();
    let dir = crates_dir.join(s.crate_name());
    let src = dir.join("src");
    let manifest = format!(
        "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nhai-runtime = {{ path = \"{}\" }}\n",
        s.crate_name(),
        sdk.display().to_string().replace('\\', "/")
    );
    let write = || -> Result<(), String> {
        write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
        // The imported spec, for the conformance runner's member-by-member comparison.
        write_if_changed(&dir.join("spec.json"), &text)?;
        // The tree's `mod.rs` is the crate root.
        let files: Vec<hai_codegen::GeneratedFile> = files
            .into_iter()
            .map(|mut f| {
                if f.path == "mod.rs" {
                    f.path = "lib.rs".into();
                }
                f
            })
            .collect();
        hai_codegen::write_tree(&src, &files)
            .map(drop)
            .map_err(|e| e.to_string())
    };
    if let Err(e) = write() {
        o.generate = Some(format!("cannot write the crate: {e}"));
    }
    o
}

/// The crate that runs every generated crate's examples (`xtask::conformance`).
fn write_runner(
    ws: &Path,
    root: &Path,
    crates_dir: &Path,
    services: &[&Service],
) -> Result<(), String> {
    let path = |p: &Path| p.display().to_string().replace('\\', "/");
    let mut manifest = format!(
        "[package]\nname = \"conformance-runner\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nxtask = {{ path = \"{}\" }}\n",
        path(&root.join("xtask"))
    );
    let mut table = String::new();
    let xtask = path(&root.join("xtask"));
    for s in services {
        let name = s.crate_name();
        // One small crate per service instantiates its `visit_action` with the check, so
        // that work (every action's decode) is spread over crates built in parallel, not
        // left to the runner (one crate holding all of it needs over 20 GB to build).
        let shim = ws.join("conformance").join(&name);
        let shim_manifest = format!(
            "[package]\nname = \"{name}-conformance\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\nxtask = {{ path = \"{xtask}\" }}\n\
             {name} = {{ path = \"{}\" }}\n",
            path(&crates_dir.join(&name))
        );
        let krate = name.replace('-', "_");
        let shim_lib = format!(
            "//! Generated by `cargo xtask check-tencent --conformance`.\n\
             /// `{name}`'s actions with the conformance check.\n\
             pub fn check(\n    action: &str,\n    check: xtask::conformance::Check<'_>,\n\
             ) -> Option<xtask::conformance::Decoded> {{\n    \
             {krate}::visit_action(action, check)\n}}\n"
        );
        write_if_changed(&shim.join("Cargo.toml"), &shim_manifest)?;
        write_if_changed(&shim.join("src/lib.rs"), &shim_lib)?;
        manifest.push_str(&format!(
            "{name}-conformance = {{ path = \"{}\" }}\n",
            path(&shim)
        ));
        let spec = crates_dir.join(&name).join("spec.json");
        let examples = s.examples.as_deref().map(path).unwrap_or_default();
        table.push_str(&format!(
            "        ({name:?}, {:?}, {examples:?}, {krate}_conformance::check),\n",
            path(&spec)
        ));
    }
    let main = format!(
        "//! Generated by `cargo xtask check-tencent --conformance`.\n\
         fn main() -> std::process::ExitCode {{\n    \
         let services: &[xtask::conformance::Service<'_>] = &[\n{table}    ];\n    \
         xtask::conformance::main_with(services, {:?})\n}}\n",
        path(&ws.join("conformance-problems.log"))
    );
    write_if_changed(&ws.join("runner/Cargo.toml"), &manifest)?;
    write_if_changed(&ws.join("runner/src/main.rs"), &main)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
