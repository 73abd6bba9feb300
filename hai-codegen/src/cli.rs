//! The `hai-codegen` command: argument parsing and the run, as a library so tests exercise
//! exactly what the binary does. Arguments are parsed by hand: a crate taken as a
//! build-dependency should not bring an argument parser into every user's build.

use std::fmt;
use std::path::PathBuf;

use crate::{Change, Error, Options, Source};

/// `hai-codegen --help`.
pub const USAGE: &str = "\
hai-codegen: a typed Rust client for one Tencent Cloud service, on the hai-runtime crate

usage:
  hai-codegen (--api-json FILE [--errors FILE] [--overlay FILE] | --spec FILE)
              (--out DIR | --single-file FILE)
              [--actions NAME,...] [--runtime PATH] [--label TEXT]
              [--blocking | --blocking-feature NAME] [--check]

input (one of):
  --api-json FILE     Tencent's api.json of one service version; tccli ships every one as
                      tccli/services/<service>/<version>/api.json
  --errors FILE       optional error-code file for that api.json (default: the codes common
                      to every Tencent Cloud action)
  --overlay FILE      optional hai-rs overlay merged into the import (English docs, enums,
                      rate limits, ...); an entry matching nothing is an error
  --spec FILE         a hai-rs spec file instead

output (one of):
  --out DIR           a module tree: mod.rs, types.rs, client.rs, common_error.rs and one
                      file per action; generated files the tree no longer has are deleted,
                      files without the generated header are left alone
  --single-file FILE  the same tree as one file for include!(...) (no inner attributes)

options:
  --actions NAME,...  generate only these actions (wire names: DescribeInstances,StopInstances)
                      and what they use, to compile less of a large service; may be given
                      again, the lists add up. An unknown name is an error suggesting close
                      matches. Default: every action
  --runtime PATH      path of the runtime crate in generated code (default ::hai_runtime),
                      e.g. crate::rt for a crate that re-exports it as `pub use hai_runtime as rt;`
  --blocking          also generate blocking.rs, a blocking client (blocking::Client, the
                      same methods returning their results); needs hai-runtime's
                      `blocking` feature
  --blocking-feature NAME
                      the same, compiled only under #[cfg(feature = \"NAME\")] of your
                      crate, e.g. `blocking` with `blocking = [\"hai-runtime/blocking\"]`
  --label TEXT        text after `from` in each file's header (default: the input's file
                      name); never an absolute path, so output is the same on every machine
  --check             write nothing; list what differs and exit 1 if anything does
  -h, --help          this text

example: a CVM client as a module of your crate
  python3 -m pip download --no-deps tccli==3.1.189.1 -d tccli
  unzip -q -o tccli/tccli-3.1.189.1-py2.py3-none-any.whl -d tccli
  hai-codegen --api-json tccli/tccli/services/cvm/v20170312/api.json \\
              --out src/cvm --label cvm/v20170312/api.json --actions DescribeRegions

  # Cargo.toml, [dependencies]: hai-runtime, and
  #   tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }
  # src/main.rs:
  #[rustfmt::skip] // generated; `hai-codegen --check` keeps it fresh
  #[allow(dead_code)] // a binary that uses some of the generated items
  mod cvm;

  use cvm::describe_regions::DescribeRegionsRequest;

  #[tokio::main]
  async fn main() -> Result<(), Box<dyn std::error::Error>> {
      // TENCENTCLOUD_SECRET_ID, _SECRET_KEY and _REGION, or tccli's configuration
      let client = cvm::Client::from_env()?;
      let out = client.describe_regions(DescribeRegionsRequest::new()).await?;
      for r in out.region_set.unwrap_or_default() {
          println!(\"{:?} {:?}\", r.region, r.region_name);
      }
      Ok(())
  }

  # later, in CI: fail when src/cvm is not what the api.json generates
  hai-codegen --api-json tccli/tccli/services/cvm/v20170312/api.json \\
              --out src/cvm --label cvm/v20170312/api.json --actions DescribeRegions --check
";

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `--spec FILE`.
    Spec(PathBuf),
    /// `--api-json FILE [--errors FILE] [--overlay FILE]`.
    Tencent {
        /// The api.json.
        api_json: PathBuf,
        /// The errors file.
        errors: Option<PathBuf>,
        /// The overlay file.
        overlay: Option<PathBuf>,
    },
}

/// Where to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// `--out DIR`: a module tree.
    Tree(PathBuf),
    /// `--single-file FILE`: one file for `include!`.
    SingleFile(PathBuf),
}

/// A parsed command line.
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "made once per run; boxing Args would only burden every match on it"
)]
pub enum Command {
    /// `--help`.
    Help,
    /// Generate (or check).
    Generate(Args),
}

/// The arguments of a generation.
#[derive(Debug, Clone)]
pub struct Args {
    /// What to read.
    pub input: Input,
    /// Where to write.
    pub output: Output,
    /// Generator options.
    pub options: Options,
    /// `--check`: compare only.
    pub check: bool,
}

/// A command line that cannot be run; the message says which argument and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses the arguments after the program name.
pub fn parse_args(args: &[String]) -> Result<Command, UsageError> {
    let mut spec = None;
    let mut api_json = None;
    let mut errors = None;
    let mut overlay = None;
    let mut out = None;
    let mut single = None;
    let mut options = Options::default();
    let mut check = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .filter(|v| !v.starts_with("--"))
                .cloned()
                .ok_or_else(|| UsageError(format!("{a} needs {what}")))
        };
        let once = |slot: &mut Option<String>, v: String| {
            if slot.replace(v).is_some() {
                Err(UsageError(format!("{a} given twice")))
            } else {
                Ok(())
            }
        };
        match a.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--spec" => once(&mut spec, value("a file")?)?,
            "--api-json" => once(&mut api_json, value("a file")?)?,
            "--errors" => once(&mut errors, value("a file")?)?,
            "--overlay" => once(&mut overlay, value("a file")?)?,
            "--out" => once(&mut out, value("a directory")?)?,
            "--single-file" => once(&mut single, value("a file")?)?,
            "--label" => once(&mut options.label, value("a text")?)?,
            "--runtime" => options.runtime = value("a path")?,
            "--actions" => {
                let list = value("a comma-separated list of action names")?;
                let names: Vec<String> = list
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
                if names.is_empty() {
                    return Err(UsageError(format!(
                        "{a} needs at least one action name, got `{list}`"
                    )));
                }
                options.actions.get_or_insert_with(Vec::new).extend(names);
            }
            "--blocking" | "--blocking-feature" => {
                let choice = if a == "--blocking" {
                    crate::BlockingClient::Always
                } else {
                    crate::BlockingClient::Feature(value("a feature name")?)
                };
                if options.blocking != crate::BlockingClient::No {
                    return Err(UsageError(
                        "--blocking and --blocking-feature: give one, once".to_owned(),
                    ));
                }
                options.blocking = choice;
            }
            "--check" => check = true,
            other => {
                return Err(UsageError(format!(
                    "unknown argument `{other}` (see --help)"
                )))
            }
        }
    }
    let input = match (spec, api_json) {
        (Some(s), None) => {
            if errors.is_some() || overlay.is_some() {
                return Err(UsageError(
                    "--errors and --overlay go with --api-json, not --spec".into(),
                ));
            }
            Input::Spec(s.into())
        }
        (None, Some(a)) => Input::Tencent {
            api_json: a.into(),
            errors: errors.map(Into::into),
            overlay: overlay.map(Into::into),
        },
        (Some(_), Some(_)) => return Err(UsageError("give --spec or --api-json, not both".into())),
        (None, None) => {
            return Err(UsageError(
                "an input is required: --api-json FILE or --spec FILE (see --help)".into(),
            ))
        }
    };
    let output = match (out, single) {
        (Some(d), None) => Output::Tree(d.into()),
        (None, Some(f)) => Output::SingleFile(f.into()),
        (Some(_), Some(_)) => {
            return Err(UsageError("give --out or --single-file, not both".into()))
        }
        (None, None) => {
            return Err(UsageError(
                "an output is required: --out DIR or --single-file FILE (see --help)".into(),
            ))
        }
    };
    Ok(Command::Generate(Args {
        input,
        output,
        options,
        check,
    }))
}

/// What a run did (or, with `--check`, would do).
#[derive(Debug, Clone)]
pub struct Report {
    /// How many files the output has.
    pub files: usize,
    /// Files written, deleted, or (with `--check`) differing.
    pub changes: Vec<Change>,
}

/// Reads the input, generates, and writes the output unless `args.check`.
pub fn run(args: &Args) -> Result<Report, Error> {
    let source = match &args.input {
        Input::Spec(p) => Source::from_spec_file(p)?,
        Input::Tencent {
            api_json,
            errors,
            overlay,
        } => Source::from_tencent_files(api_json, errors.as_deref(), overlay.as_deref())?,
    };
    match &args.output {
        Output::Tree(dir) => {
            let files = source.tree(&args.options)?;
            let changes = if args.check {
                crate::check_tree(dir, &files)?
            } else {
                crate::write_tree(dir, &files)?
            };
            Ok(Report {
                files: files.len(),
                changes,
            })
        }
        Output::SingleFile(path) => {
            let text = source.single_file(&args.options)?;
            let change = if args.check {
                crate::check_file(path, &text)?
            } else {
                crate::write_file(path, &text)?
            };
            Ok(Report {
                files: 1,
                changes: change.into_iter().collect(),
            })
        }
    }
}
