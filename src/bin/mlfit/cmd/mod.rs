//! One module per subcommand; each `run` returns the complete stdout text.

pub mod compare;
pub mod eval;
pub mod families;
pub mod fit;
pub mod fit_mixture;
pub mod fit_multivariate;
pub mod input;
pub mod sample;
pub mod uncertainty;

use std::fmt;
use std::path::Path;

use anyhow::anyhow;
use mlfit::report::{self, Renderer};

/// A failure with its exit code: 1 for data or fit errors, 2 for usage errors.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn data(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
    pub fn usage(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: 2,
            error: error.into(),
        }
    }
}

impl From<mlfit::Error> for Failure {
    fn from(e: mlfit::Error) -> Failure {
        if e.is_usage() {
            Failure::usage(e)
        } else {
            Failure::data(e)
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

/// What a command produced: stdout text and notes for stderr.
pub struct Output {
    pub stdout: String,
    pub notes: Vec<String>,
}

/// The library's renderer of an output format.
pub fn renderer(format: crate::cli::Format) -> &'static dyn Renderer {
    report::Format::from(format).renderer()
}

/// Write a saved model (`--save`).
pub fn save(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::data(anyhow!("{}: cannot write: {e}", path.display())))
}

/// The error for a fit that did not converge (without `--allow-nonconverged`): `what` was
/// fitted ("gamma fit"), how the optimisation ended, and the fit's first note, which says why.
pub fn not_converged(
    what: &str,
    termination: mlfit::optim::Termination,
    notes: &[String],
) -> Failure {
    let why = notes.first().map(|n| format!(": {n}")).unwrap_or_default();
    Failure::data(anyhow!(
        "{what} did not converge ({}){why} (use --allow-nonconverged to print it anyway)",
        termination.as_str()
    ))
}
