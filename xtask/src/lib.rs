//! Shared by the `xtask` binary and the freshness test.

use std::path::Path;

use hai_codegen::{BlockingClient, GeneratedFile, Options};

pub mod conformance;

/// The importer, now a library of `hai-spec`; kept under its old name for callers.
pub use hai_spec::tencent as import;

/// One spec and the directory its tree is generated into.
#[derive(Debug, Clone)]
pub struct Target {
    /// Spec file, relative to the workspace root.
    pub spec: &'static str,
    /// Output directory, relative to the workspace root.
    pub out: &'static str,
    /// Whether the tree has a blocking client.
    pub blocking: BlockingClient,
}

/// What `cargo xtask regen` writes: the HAI tree of hai-sdk (its blocking client under
/// hai-sdk's `blocking` feature), the generator's snapshot fixture (with a blocking client
/// always) and the trees of two specs imported from Tencent's api.json format, one of them
/// covering every construct of that format (all compiled by the `hai-tests` crate, outside
/// hai-sdk).
pub fn default_targets() -> Vec<Target> {
    vec![
        Target {
            spec: "hai-spec/spec/hai-2023-08-12.json",
            out: "hai-sdk/src/generated",
            blocking: BlockingClient::Feature("blocking".to_owned()),
        },
        Target {
            spec: "tests/fixtures/demo-spec.json",
            out: "tests/src/fixture_generated",
            blocking: BlockingClient::Always,
        },
        Target {
            spec: "tests/fixtures/widgets-imported.json",
            out: "tests/src/imported_generated",
            blocking: BlockingClient::No,
        },
        Target {
            spec: "tests/fixtures/constructs.json",
            out: "tests/src/constructs_generated",
            blocking: BlockingClient::No,
        },
    ]
}

/// A spec and the directory the `hai` tool's command table (`commands.rs`) is generated into.
#[derive(Debug, Clone)]
pub struct CliTarget {
    /// Spec file, relative to the workspace root.
    pub spec: &'static str,
    /// Output directory, relative to the workspace root.
    pub out: &'static str,
}

/// What `cargo xtask regen` writes for the command-line tool.
pub fn cli_targets() -> Vec<CliTarget> {
    vec![CliTarget {
        spec: "hai-spec/spec/hai-2023-08-12.json",
        out: "hai-cli/src/generated",
    }]
}

/// Loads `spec_path` and generates the command table of the `hai` tool (runtime `::hai_sdk`),
/// labelled like [`generate_files`].
pub fn generate_cli_files(spec_path: &Path, root: &Path) -> Result<Vec<GeneratedFile>, String> {
    let text =
        std::fs::read_to_string(spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let spec = hai_spec::parse(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let label = spec_path
        .strip_prefix(root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| "spec.json".into());
    let file = hai_codegen::cli_table::generate_cli_table(&spec, &text, &label, "::hai_sdk")
        .map_err(|e| e.to_string())?;
    Ok(vec![file])
}

/// Loads `spec_path` and generates its tree with the runtime at `::hai_runtime`, with the
/// blocking client of its [`default_targets`] entry (none for other specs). The header
/// label is the spec's path relative to `root` (the workspace), the same on every machine.
pub fn generate_files(spec_path: &Path, root: &Path) -> Result<Vec<GeneratedFile>, String> {
    let source = hai_codegen::Source::from_spec_file(spec_path).map_err(|e| e.to_string())?;
    let relative = spec_path.strip_prefix(root).ok();
    let label = relative.map(|p| p.to_string_lossy().replace('\\', "/"));
    let blocking = default_targets()
        .into_iter()
        .find(|t| relative == Some(Path::new(t.spec)))
        .map_or(BlockingClient::No, |t| t.blocking);
    let options = Options {
        label,
        blocking,
        ..Options::default()
    };
    source.tree(&options).map_err(|e| e.to_string())
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
