//! Shared by the `xtask` binary and the freshness test.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use hai_codegen::{ClientMethods, GeneratedFile, Options};

/// The importer, now a library of `hai-spec`; kept under its old name for callers.
pub use hai_spec::tencent as import;

/// One spec and the directory its tree is generated into.
#[derive(Debug, Clone)]
pub struct Target {
    /// Spec file, relative to the workspace root.
    pub spec: &'static str,
    /// Output directory, relative to the workspace root.
    pub out: &'static str,
    /// How client methods are emitted.
    pub methods: ClientMethods,
}

/// What `cargo xtask regen` writes: the HAI tree of hai-sdk, the generator's snapshot fixture
/// and the trees of two specs imported from Tencent's api.json format, one of them covering
/// every construct of that format (all compiled by the `hai-tests` crate, outside hai-sdk).
pub fn default_targets() -> Vec<Target> {
    vec![
        Target {
            spec: "hai-spec/spec/hai-2023-08-12.json",
            out: "hai-sdk/src/generated",
            methods: ClientMethods::Inherent,
        },
        Target {
            spec: "tests/fixtures/demo-spec.json",
            out: "tests/src/fixture_generated",
            methods: ClientMethods::Trait("DemoClientExt".into()),
        },
        Target {
            spec: "tests/fixtures/widgets-imported.json",
            out: "tests/src/imported_generated",
            methods: ClientMethods::Trait("WidgetsClientExt".into()),
        },
        Target {
            spec: "tests/fixtures/constructs.json",
            out: "tests/src/constructs_generated",
            methods: ClientMethods::Trait("ConstructsClientExt".into()),
        },
    ]
}

/// Loads `spec_path` and generates its tree. `root` makes the header path relative.
pub fn generate_files(
    spec_path: &Path,
    root: &Path,
    methods: ClientMethods,
) -> Result<Vec<GeneratedFile>, String> {
    let text = fs::read_to_string(spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let spec = hai_spec::parse(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let methods = match methods {
        ClientMethods::Trait(name) if name.is_empty() => {
            let mut chars = spec.service.name.chars();
            let cap: String = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect();
            ClientMethods::Trait(format!("{cap}ClientExt"))
        }
        m => m,
    };
    let shown = spec_path.strip_prefix(root).unwrap_or(spec_path);
    let spec_file = shown.to_string_lossy().replace('\\', "/");
    let options = Options {
        spec_file,
        client_methods: methods,
    };
    hai_codegen::generate(&spec, &text, &options)
        .map_err(|e| format!("{}: {e}", spec_path.display()))
}

/// What differs between `dir` and the generated `files`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Relative path.
    pub path: String,
    /// `added`, `changed` or `deleted`.
    pub change: &'static str,
}

/// Compares `dir` with `files`: new, changed, and no-longer-produced `.rs` files.
pub fn stale_files(dir: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Stale>> {
    let mut out = Vec::new();
    let mut produced = BTreeSet::new();
    for f in files {
        produced.insert(f.path.clone());
        match fs::read_to_string(dir.join(&f.path)) {
            Ok(existing) if existing == f.contents => {}
            Ok(_) => out.push(Stale {
                path: f.path.clone(),
                change: "changed",
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => out.push(Stale {
                path: f.path.clone(),
                change: "added",
            }),
            Err(e) => return Err(e),
        }
    }
    match fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let name = entry?.file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") && !produced.contains(&name) {
                    out.push(Stale {
                        path: name,
                        change: "deleted",
                    });
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Applies `stale` to `dir`: writes added/changed files, deletes files no longer produced.
pub fn write_files(dir: &Path, files: &[GeneratedFile], stale: &[Stale]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for s in stale {
        let path = dir.join(&s.path);
        if s.change == "deleted" {
            fs::remove_file(path)?;
        } else if let Some(f) = files.iter().find(|f| f.path == s.path) {
            fs::write(path, &f.contents)?;
        }
    }
    Ok(())
}

/// What a refresh produced: the spec text to write, the overlay (rewritten when stale
/// entries were dropped) and the report lines.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The new spec file, canonical text.
    pub spec_text: String,
    /// The overlay after dropping stale entries; `None` when unchanged.
    pub overlay_text: Option<String>,
    /// Human-readable report: changes against the old spec, stale entries, undocumented items.
    pub report: Vec<String>,
    /// How many actions, structures and members lack an English doc.
    pub undocumented: usize,
}

/// `import(api.json, errors.json) + overlay`, validated. `old_spec` (the file being
/// replaced, if any) is compared with the result for the report. Stale overlay entries are
/// an error listing them all, unless `drop_stale`.
pub fn refresh(
    api_json: &str,
    errors_json: Option<&str>,
    overlay_text: Option<&str>,
    old_spec: Option<&str>,
    options: &import::ImportOptions,
    drop_stale: bool,
) -> Result<Refreshed, String> {
    let mut spec = import::import(api_json, errors_json, options).map_err(|e| e.to_string())?;
    let mut overlay = match overlay_text {
        Some(t) => hai_spec::overlay::parse(t).map_err(|e| format!("overlay: {e}"))?,
        None => hai_spec::overlay::Overlay::default(),
    };
    let result = hai_spec::overlay::apply(&mut spec, &overlay);
    let mut report = Vec::new();
    if let Some(old) = old_spec.and_then(|t| hai_spec::parse(t).ok()) {
        report.extend(
            hai_spec::overlay::changes(&old, &spec)
                .into_iter()
                .map(|c| format!("change: {c}")),
        );
    }
    let mut overlay_out = None;
    if !result.stale.is_empty() {
        if !drop_stale {
            let lines: Vec<String> = result.stale.iter().map(|s| format!("  {s}")).collect();
            return Err(format!(
                "{} overlay entries match nothing (rerun with --drop-stale to remove them):\n{}",
                result.stale.len(),
                lines.join("\n")
            ));
        }
        overlay.drop_stale(&result.stale);
        overlay_out = Some(hai_spec::overlay::to_text(&overlay));
        report.extend(result.stale.iter().map(|s| format!("dropped stale: {s}")));
    }
    if overlay_text.is_some() {
        report.extend(
            result
                .undocumented
                .iter()
                .map(|u| format!("no English doc: {u}")),
        );
    }
    spec.validate()
        .map_err(|e| format!("the refreshed spec does not validate: {e}"))?;
    Ok(Refreshed {
        spec_text: hai_spec::to_text(&spec),
        overlay_text: overlay_out,
        report,
        undocumented: result.undocumented.len(),
    })
}
