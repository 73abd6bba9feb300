//! What to generate from: a spec file, or Tencent's api.json with optional errors and
//! overlay files, read and checked into one [`Source`].

use std::fmt;
use std::path::{Path, PathBuf};

use hai_spec::tencent::{self, ImportError, ImportOptions};
use hai_spec::{Spec, SpecError};

use crate::{CodegenError, GeneratedFile, Options, WriteError};

/// Anything that stops generation, naming the file (and the JSON path inside it).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An input file could not be read.
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A spec file that is not a valid spec.
    Spec {
        /// The spec file (or the label of spec text).
        file: PathBuf,
        /// The JSON path and problem.
        error: SpecError,
    },
    /// An api.json or errors file that cannot be imported.
    Import {
        /// The api.json or errors file the error is about.
        file: PathBuf,
        /// The JSON path and problem.
        error: ImportError,
    },
    /// An overlay file that is not a valid overlay.
    Overlay {
        /// The overlay file.
        file: PathBuf,
        /// The JSON path and problem.
        error: SpecError,
    },
    /// Overlay entries that match nothing in the api.json: the api.json changed under them.
    StaleOverlay {
        /// The overlay file.
        file: PathBuf,
        /// One line per entry: what it names and why it matches nothing.
        entries: Vec<String>,
    },
    /// The import with the overlay applied is not a valid spec.
    Invalid {
        /// The api.json file.
        file: PathBuf,
        /// The JSON path (in the imported spec) and problem.
        error: SpecError,
    },
    /// The spec cannot become Rust, or an option is invalid.
    Codegen {
        /// The input file.
        file: PathBuf,
        /// The JSON path (or `options.*`) and problem.
        error: CodegenError,
    },
    /// Output could not be read or written.
    Write(WriteError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { file, source } => write!(f, "cannot read {}: {source}", file.display()),
            Error::Spec { file, error } => write!(f, "{}: {error}", file.display()),
            Error::Import { file, error } => {
                write!(f, "{}: {}: {}", file.display(), error.path, error.message)
            }
            Error::Overlay { file, error } => write!(f, "{}: {error}", file.display()),
            Error::StaleOverlay { file, entries } => write!(
                f,
                "{}: {} entries match nothing in the api.json:\n  {}",
                file.display(),
                entries.len(),
                entries.join("\n  ")
            ),
            Error::Invalid { file, error } => write!(
                f,
                "{}: the imported spec does not validate: {error}",
                file.display()
            ),
            Error::Codegen { file, error } => write!(f, "{}: {error}", file.display()),
            Error::Write(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } => Some(source),
            Error::Spec { error, .. } | Error::Overlay { error, .. } => Some(error),
            Error::Invalid { error, .. } => Some(error),
            Error::Import { error, .. } => Some(error),
            Error::Codegen { error, .. } => Some(error),
            Error::Write(e) => Some(e),
            Error::StaleOverlay { .. } => None,
        }
    }
}

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Self {
        Error::Write(e)
    }
}

/// A valid spec ready to generate, with the text its headers hash and its default label.
#[derive(Debug, Clone)]
pub struct Source {
    spec: Spec,
    text: String,
    label: String,
    file: PathBuf,
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        file: path.to_path_buf(),
        source,
    })
}

/// The last component of `path`: the default label, the same on every machine.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl Source {
    /// Reads and validates a spec file (the hai-rs format). Default label: its file name.
    pub fn from_spec_file(path: &Path) -> Result<Source, Error> {
        let text = read(path)?;
        let mut s = Source::from_spec_text(text, &file_name(path))?;
        s.file = path.to_path_buf();
        Ok(s)
    }

    /// Validates spec text; `label` names it in headers and errors.
    pub fn from_spec_text(text: String, label: &str) -> Result<Source, Error> {
        let spec = hai_spec::parse(&text).map_err(|error| Error::Spec {
            file: label.into(),
            error,
        })?;
        Ok(Source {
            spec,
            text,
            label: label.to_owned(),
            file: label.into(),
        })
    }

    /// Imports Tencent's api.json (as `tccli` ships it: `tccli/services/<service>/<version>/api.json`)
    /// with an optional errors file and an optional [overlay](hai_spec::overlay) file. An
    /// overlay entry that matches nothing is an error (the api.json changed under it). The
    /// headers hash the resulting spec's canonical text. Default label: the api.json's file name.
    pub fn from_tencent_files(
        api_json: &Path,
        errors: Option<&Path>,
        overlay: Option<&Path>,
    ) -> Result<Source, Error> {
        let api_text = read(api_json)?;
        let errors_text = errors.map(read).transpose()?;
        let overlay_text = overlay.map(read).transpose()?;
        let files = TencentFiles {
            api_json: api_json.to_path_buf(),
            errors: errors.map(Path::to_path_buf),
            overlay: overlay.map(Path::to_path_buf),
        };
        let mut s = import(
            &api_text,
            errors_text.as_deref(),
            overlay_text.as_deref(),
            &files,
        )?;
        s.label = file_name(api_json);
        Ok(s)
    }

    /// [`from_tencent_files`](Source::from_tencent_files) over texts already read; `label`
    /// names the api.json in headers and errors.
    pub fn from_tencent_text(
        api_json: &str,
        errors: Option<&str>,
        overlay: Option<&str>,
        label: &str,
    ) -> Result<Source, Error> {
        let files = TencentFiles {
            api_json: label.into(),
            errors: Some(format!("{label} (errors)").into()),
            overlay: Some(format!("{label} (overlay)").into()),
        };
        let mut s = import(api_json, errors, overlay, &files)?;
        s.label = label.to_owned();
        Ok(s)
    }

    /// The validated spec.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The text the headers hash: the spec file as read, or the canonical text of an import.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The header label used when [`Options::label`] is `None`.
    pub fn default_label(&self) -> &str {
        &self.label
    }

    fn options(&self, options: &Options) -> Options {
        let mut o = options.clone();
        if o.label.is_none() {
            o.label = Some(self.label.clone());
        }
        o
    }

    fn codegen(&self, error: CodegenError) -> Error {
        Error::Codegen {
            file: self.file.clone(),
            error,
        }
    }

    /// The module tree, as [`generate`](crate::generate) makes it.
    pub fn tree(&self, options: &Options) -> Result<Vec<GeneratedFile>, Error> {
        crate::generate(&self.spec, &self.text, &self.options(options)).map_err(|e| self.codegen(e))
    }

    /// The single file for `include!`, as [`generate_single_file`](crate::generate_single_file) makes it.
    pub fn single_file(&self, options: &Options) -> Result<String, Error> {
        crate::generate_single_file(&self.spec, &self.text, &self.options(options))
            .map_err(|e| self.codegen(e))
    }
}

struct TencentFiles {
    api_json: PathBuf,
    errors: Option<PathBuf>,
    overlay: Option<PathBuf>,
}

fn import(
    api_json: &str,
    errors: Option<&str>,
    overlay: Option<&str>,
    files: &TencentFiles,
) -> Result<Source, Error> {
    let errors_file = || files.errors.clone().unwrap_or_default();
    let overlay_file = || files.overlay.clone().unwrap_or_default();
    let mut spec =
        tencent::import(api_json, errors, &ImportOptions::default()).map_err(|error| {
            Error::Import {
                file: if error.file == "api.json" {
                    files.api_json.clone()
                } else {
                    errors_file()
                },
                error,
            }
        })?;
    if let Some(text) = overlay {
        let parsed = hai_spec::overlay::parse(text).map_err(|error| Error::Overlay {
            file: overlay_file(),
            error,
        })?;
        let report = hai_spec::overlay::apply(&mut spec, &parsed);
        if !report.stale.is_empty() {
            return Err(Error::StaleOverlay {
                file: overlay_file(),
                entries: report.stale.iter().map(ToString::to_string).collect(),
            });
        }
    }
    spec.validate().map_err(|error| Error::Invalid {
        file: files.api_json.clone(),
        error,
    })?;
    Ok(Source {
        text: hai_spec::to_text(&spec),
        spec,
        label: String::new(),
        file: files.api_json.clone(),
    })
}
