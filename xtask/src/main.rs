//! Maintainer tasks. `cargo xtask regen [--check] [--spec FILE --out DIR [--trait NAME]]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use hai_codegen::ClientMethods;

const USAGE: &str = "usage:
  cargo xtask regen [--check]                 regenerate hai-sdk/src/generated from the HAI spec
  cargo xtask regen --spec FILE --out DIR [--trait NAME] [--check]
                                              generate the tree of any spec into DIR (client
                                              methods as extension trait NAME, default <Service>ClientExt)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(&args[1..]),
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
    let mut trait_name: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--spec" => spec = Some(it.next().ok_or("--spec needs a file")?.into()),
            "--out" => out = Some(it.next().ok_or("--out needs a directory")?.into()),
            "--trait" => trait_name = Some(it.next().ok_or("--trait needs a name")?.clone()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = workspace_root();
    let (spec_path, out_dir, methods) = match (spec, out) {
        (None, None) => (
            hai_spec::hai_spec_path(),
            root.join(xtask::GENERATED_DIR),
            ClientMethods::Inherent,
        ),
        (Some(s), Some(o)) => (s, o, ClientMethods::Trait(trait_name.unwrap_or_default())),
        _ => return Err("--spec and --out go together".into()),
    };
    let started = Instant::now();
    let files = xtask::generate_files(&spec_path, &root, methods)?;
    let elapsed = started.elapsed();
    let stale =
        xtask::stale_files(&out_dir, &files).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if check {
        if stale.is_empty() {
            println!(
                "generated code is fresh ({} files, generated in {:.1} ms)",
                files.len(),
                ms(elapsed)
            );
            return Ok(ExitCode::SUCCESS);
        }
        for s in &stale {
            eprintln!("stale: {}", display_rel(&root, &out_dir.join(&s.path)));
        }
        eprintln!("generated code is stale: run `cargo xtask regen`");
        return Ok(ExitCode::FAILURE);
    }
    xtask::write_files(&out_dir, &files, &stale)
        .map_err(|e| format!("{}: {e}", out_dir.display()))?;
    for s in &stale {
        println!(
            "{} {}",
            s.change,
            display_rel(&root, &out_dir.join(&s.path))
        );
    }
    println!(
        "generated {} files from {} in {:.1} ms ({} changed)",
        files.len(),
        display_rel(&root, &spec_path),
        ms(elapsed),
        stale.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn display_rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
