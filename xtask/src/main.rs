//! Maintainer tasks. `cargo xtask regen [--check] [--spec FILE --out DIR]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod check;
mod fuzz;

const USAGE: &str = "usage:
  cargo xtask regen [--check]                 regenerate hai-sdk/src/generated and the command
                                              table of the `hai` tool from the HAI spec
  cargo xtask regen --spec FILE --out DIR [--check]
                                              generate the tree of any spec into DIR
  cargo xtask import-tencent --api-json FILE [--errors FILE] [--overlay FILE [--drop-stale]]
                             --out SPEC [--rate-limit N] [--host HOST]
                                              convert Tencent's published api.json format into our
                                              spec, with the hand-written overlay merged in; lists
                                              changes, stale overlay entries and undocumented items
  cargo xtask extract-overlay --api-json FILE [--errors FILE] --spec SPEC --out OVERLAY
                                              write the overlay that turns the plain import into SPEC
  cargo xtask check-tencent [--only SERVICE,...] [--generate-only] [--conformance]
                                              import, generate and compile every api.json of tccli
                                              (downloads it into target/; not part of CI);
                                              --conformance builds them and runs every documented
                                              example (examples.json) through the generated types
  cargo xtask fuzz [--seconds N] [--target NAME]
                                              build the libFuzzer targets in fuzz/ and run each
                                              for N seconds (default 60); fails on any crash";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(&args[1..]),
        Some("import-tencent") => import_tencent(&args[1..]),
        Some("extract-overlay") => extract_overlay(&args[1..]),
        Some("check-tencent") => check::run(&workspace_root(), &args[1..]),
        Some("fuzz") => fuzz::run(&workspace_root(), &args[1..]),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task `{other}`\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn regen(args: &[String]) -> Result<ExitCode, String> {
    let mut check = false;
    let mut spec: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--spec" => spec = Some(it.next().ok_or("--spec needs a file")?.into()),
            "--out" => out = Some(it.next().ok_or("--out needs a directory")?.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = workspace_root();
    // The flag: whether the target is the command table of the `hai` tool.
    let targets: Vec<(PathBuf, PathBuf, bool)> = match (spec, out) {
        (None, None) => xtask::default_targets()
            .into_iter()
            .map(|t| (root.join(t.spec), root.join(t.out), false))
            .chain(
                xtask::cli_targets()
                    .into_iter()
                    .map(|t| (root.join(t.spec), root.join(t.out), true)),
            )
            .collect(),
        (Some(s), Some(o)) => vec![(s, o, false)],
        _ => return Err("--spec and --out go together".into()),
    };
    let mut all_fresh = true;
    for (spec_path, out_dir, cli_table) in targets {
        let started = Instant::now();
        let files = if cli_table {
            xtask::generate_cli_files(&spec_path, &root)?
        } else {
            xtask::generate_files(&spec_path, &root)?
        };
        let elapsed = started.elapsed();
        let stale = hai_codegen::check_tree(&out_dir, &files).map_err(|e| e.to_string())?;
        let spec_shown = display_rel(&root, &spec_path);
        if check {
            if stale.is_empty() {
                println!(
                    "fresh: {} ({} files, generated in {:.1} ms)",
                    display_rel(&root, &out_dir),
                    files.len(),
                    ms(elapsed)
                );
            } else {
                all_fresh = false;
                for s in &stale {
                    eprintln!(
                        "stale ({}): {}",
                        s.kind,
                        display_rel(&root, &out_dir.join(&s.path))
                    );
                }
            }
            continue;
        }
        let stale = hai_codegen::write_tree(&out_dir, &files).map_err(|e| e.to_string())?;
        for s in &stale {
            println!("{} {}", s.kind, display_rel(&root, &out_dir.join(&s.path)));
        }
        println!(
            "generated {} files from {spec_shown} in {:.1} ms ({} changed)",
            files.len(),
            ms(elapsed),
            stale.len()
        );
    }
    if all_fresh {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("generated code is stale: run `cargo xtask regen`");
        Ok(ExitCode::FAILURE)
    }
}

fn import_tencent(args: &[String]) -> Result<ExitCode, String> {
    let mut api: Option<PathBuf> = None;
    let mut errors: Option<PathBuf> = None;
    let mut overlay: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut drop_stale = false;
    let mut options = xtask::import::ImportOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--api-json" => api = Some(it.next().ok_or("--api-json needs a file")?.into()),
            "--errors" => errors = Some(it.next().ok_or("--errors needs a file")?.into()),
            "--overlay" => overlay = Some(it.next().ok_or("--overlay needs a file")?.into()),
            "--out" => out = Some(it.next().ok_or("--out needs a file")?.into()),
            "--drop-stale" => drop_stale = true,
            "--host" => options.host = Some(it.next().ok_or("--host needs a host")?.clone()),
            "--rate-limit" => {
                let n = it.next().ok_or("--rate-limit needs a number")?;
                options.rate_limit = Some(
                    n.parse()
                        .map_err(|_| format!("--rate-limit: `{n}` is not a number"))?,
                );
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let (api, out) = match (api, out) {
        (Some(a), Some(o)) => (a, o),
        _ => return Err(format!("--api-json and --out are required\n{USAGE}")),
    };
    let read = |p: &Path| fs_read(p);
    let api_text = read(&api)?;
    let errors_text = errors.as_deref().map(read).transpose()?;
    let overlay_text = overlay.as_deref().map(read).transpose()?;
    let old = std::fs::read_to_string(&out).ok();
    let r = xtask::refresh(
        &api_text,
        errors_text.as_deref(),
        overlay_text.as_deref(),
        old.as_deref(),
        &options,
        drop_stale,
    )
    .map_err(|e| format!("{}: {e}", api.display()))?;
    for line in &r.report {
        println!("{line}");
    }
    std::fs::write(&out, &r.spec_text).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    if let (Some(text), Some(path)) = (&r.overlay_text, &overlay) {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {} (stale entries dropped)", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn extract_overlay(args: &[String]) -> Result<ExitCode, String> {
    let mut api: Option<PathBuf> = None;
    let mut errors: Option<PathBuf> = None;
    let mut spec: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--api-json" => api = Some(it.next().ok_or("--api-json needs a file")?.into()),
            "--errors" => errors = Some(it.next().ok_or("--errors needs a file")?.into()),
            "--spec" => spec = Some(it.next().ok_or("--spec needs a file")?.into()),
            "--out" => out = Some(it.next().ok_or("--out needs a file")?.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let (Some(api), Some(spec), Some(out)) = (api, spec, out) else {
        return Err(format!(
            "--api-json, --spec and --out are required\n{USAGE}"
        ));
    };
    let imported = xtask::import::import(
        &fs_read(&api)?,
        errors.as_deref().map(fs_read).transpose()?.as_deref(),
        &xtask::import::ImportOptions::default(),
    )
    .map_err(|e| format!("{}: {e}", api.display()))?;
    let target =
        hai_spec::parse(&fs_read(&spec)?).map_err(|e| format!("{}: {e}", spec.display()))?;
    let overlay = hai_spec::overlay::extract(&imported, &target)?;
    std::fs::write(&out, hai_spec::overlay::to_text(&overlay))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn fs_read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn display_rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
