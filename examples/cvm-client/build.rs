//! Generates the CVM client from Tencent's api.json (an excerpt: `DescribeRegions` and
//! `DescribeZones`) and an overlay with English docs, into `OUT_DIR/cvm.rs`, which
//! `src/lib.rs` includes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hai_codegen::{Options, Source};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), hai_codegen::Error> {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let api = dir.join("api/cvm-2017-03-12.api.json");
    let overlay = dir.join("api/cvm.overlay.json");
    // Only the inputs: cargo reruns a build script whose own code changed by itself.
    for input in [&api, &overlay] {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let source = Source::from_tencent_files(&api, None, Some(&overlay))?;
    write(
        &out.join("cvm.rs"),
        &source.single_file(&Options::default())?,
    )?;
    // The same client addressing the runtime as `crate::rt`, as a crate that re-exports
    // hai-runtime would generate it; the test compiles and calls it.
    let reexport = Options {
        runtime: "crate::rt".into(),
        ..Options::default()
    };
    write(
        &out.join("cvm_via_reexport.rs"),
        &source.single_file(&reexport)?,
    )
}

fn write(path: &Path, text: &str) -> Result<(), hai_codegen::Error> {
    hai_codegen::write_file(path, text)?;
    Ok(())
}
