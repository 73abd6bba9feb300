//! `hai-codegen`: see `hai-codegen --help`.

use std::process::ExitCode;

use hai_codegen::cli::{self, Command, Output};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match cli::parse_args(&args) {
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Generate(a)) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match cli::run(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let place = match &args.output {
        Output::Tree(d) => d.display().to_string(),
        Output::SingleFile(f) => f.display().to_string(),
    };
    if args.check {
        if report.changes.is_empty() {
            println!("fresh: {place} ({} files)", report.files);
            return ExitCode::SUCCESS;
        }
        for c in &report.changes {
            eprintln!("stale ({}): {}", c.kind, c.path);
        }
        eprintln!("{place} is stale: rerun without --check");
        return ExitCode::FAILURE;
    }
    for c in &report.changes {
        println!("{} {}", c.kind, c.path);
    }
    match &args.output {
        Output::Tree(_) => println!(
            "generated {} files into {place} ({} changed)",
            report.files,
            report.changes.len()
        ),
        Output::SingleFile(_) if report.changes.is_empty() => println!("{place} is unchanged"),
        Output::SingleFile(_) => println!("wrote {place}"),
    }
    ExitCode::SUCCESS
}
