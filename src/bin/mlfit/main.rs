//! The `mlfit` binary: parse → run → write → exit code.
//!
//! Exit codes: 0 success; 1 data or fit error; 2 usage error. Errors are one line on stderr;
//! stdout gets either the whole result or nothing. A closed pipe (`mlfit … | head`) ends the
//! program quietly with 0.

mod cli;
mod cmd;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match &cli.command {
        cli::Command::Fit(args) => cmd::fit::run(args),
        cli::Command::Families(args) => cmd::families::run(args),
        cli::Command::Compare(args) => cmd::compare::run(args),
        cli::Command::Eval(args) => cmd::eval::run(args),
        cli::Command::Sample(args) => cmd::sample::run(args),
    };
    match result {
        Ok(output) => {
            for note in &output.notes {
                eprintln!("mlfit: note: {note}");
            }
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(output.stdout.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("mlfit: error: cannot write output: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(failure) => {
            eprintln!("mlfit: error: {failure}");
            ExitCode::from(failure.code)
        }
    }
}
