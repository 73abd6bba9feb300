//! Generates the CVM client from Tencent's api.json and an overlay with English docs, into
//! `OUT_DIR/cvm.rs`, which `src/lib.rs` includes. The api.json is the checked-in excerpt
//! (`DescribeRegions`, `DescribeZones`) unless `CVM_API_JSON` names another (the whole of
//! CVM from tccli, say); `CVM_ACTIONS=A,B,...` generates only those actions.

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
    println!("cargo:rerun-if-env-changed=CVM_API_JSON");
    println!("cargo:rerun-if-env-changed=CVM_ACTIONS");
    let api = std::env::var_os("CVM_API_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("api/cvm-2017-03-12.api.json"));
    let overlay = dir.join("api/cvm.overlay.json");
    // Only the inputs: cargo reruns a build script whose own code changed by itself.
    for input in [&api, &overlay] {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let actions = std::env::var("CVM_ACTIONS").ok().map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let options = Options {
        // Never the absolute path of a downloaded api.json: output is the same everywhere.
        label: Some("cvm-2017-03-12.api.json".into()),
        actions,
        ..Options::default()
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let source = Source::from_tencent_files(&api, None, Some(&overlay))?;
    write(&out.join("cvm.rs"), &source.single_file(&options)?)?;
    // The same client addressing the runtime as `crate::rt`, as a crate that re-exports
    // hai-runtime would generate it; the test compiles and calls it.
    let reexport = Options {
        runtime: "crate::rt".into(),
        ..options
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
