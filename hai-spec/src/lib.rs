//! The hai-rs spec format (see `SPEC_FORMAT` docs below) and its loader.
//!
//! TODO(spec-format-docs): complete example and validation rules.

pub mod model;
mod types;
mod unique;
mod validate;

pub use model::*;
pub use types::TypeRef;
pub use unique::UniqueMap;

use std::fmt;
use std::path::Path;

/// Path of the HAI spec inside this crate, relative to the crate root.
pub const HAI_SPEC_FILE: &str = "spec/hai-2023-08-12.json";

/// Absolute path of the checked-in HAI spec.
pub fn hai_spec_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(HAI_SPEC_FILE)
}

/// Why a spec was refused. `path` is a dotted JSON path (`actions.StopInstance.input`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Dotted JSON path of the offending value (empty for the document itself).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// Parses and validates a spec from JSON text.
pub fn parse(text: &str) -> Result<Spec, SpecError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: Spec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        SpecError {
            path: if path == "." { String::new() } else { path },
            message: json_message(&inner),
        }
    })?;
    // Without this, `{...} garbage` would be accepted.
    de.end().map_err(|e| SpecError {
        path: String::new(),
        message: json_message(&e),
    })?;
    spec.validate()?;
    Ok(spec)
}

/// serde_json's message, which ends with "at line L column C".
fn json_message(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("malformed JSON: {e}"),
        Category::Data | Category::Io => e.to_string(),
    }
}

/// Reads, parses and validates a spec file.
pub fn load(path: &Path) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        path: String::new(),
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    parse(&text)
}
