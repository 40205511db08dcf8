//! The uncertainty options of `mlfit fit` (`--se`, `--ci`, `--bootstrap`, `--gof-bootstrap`,
//! `--quantile`, `--moments`): turned into the library's options, run after the fit, with a
//! progress bar on stderr when it is a terminal.

use std::io::IsTerminal;
use std::sync::Mutex;

use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mlfit::family::Family;
use mlfit::inference::bootstrap::{BootstrapKind, BootstrapOptions};
use mlfit::inference::derived::Quantity;
use mlfit::inference::gof::GofOptions;
use mlfit::inference::{self, CiMethod, SeKind, UncertaintyOptions};
use mlfit::{Fit, FitOptions, Sample};

use super::Failure;
use crate::cli::{BootstrapTypeArg, CiMethodArg, SeArg, UncertaintyArgs};

/// The note of a fit whose analysis was asked for but which did not converge.
pub const NEEDS_CONVERGENCE: &str =
    "no standard errors, intervals or tests: they need a converged fit";

/// The uncertainty options, each with whether it was given, in the order of `--help`.
pub fn given(args: &UncertaintyArgs) -> [(&'static str, bool); 6] {
    [
        ("--se", args.se.is_some()),
        ("--ci", args.ci.is_some()),
        ("--bootstrap", args.bootstrap.is_some()),
        ("--gof-bootstrap", args.gof_bootstrap.is_some()),
        ("--quantile", !args.quantile.is_empty()),
        ("--moments", args.moments),
    ]
}

/// Whether any uncertainty option was given.
pub fn requested(args: &UncertaintyArgs) -> bool {
    given(args).iter().any(|(_, g)| *g)
}

/// The standard errors the table shows side by side.
pub fn se_columns(args: &UncertaintyArgs) -> Vec<SeKind> {
    match args.se {
        None => Vec::new(),
        Some(SeArg::Observed) => vec![SeKind::Observed],
        Some(SeArg::Expected) => vec![SeKind::Expected],
        Some(SeArg::Sandwich) => vec![SeKind::Sandwich],
        Some(SeArg::All) => vec![SeKind::Observed, SeKind::Expected, SeKind::Sandwich],
    }
}

/// The library's options for these arguments.
///
/// # Errors
/// A usage error for a bootstrap interval without `--bootstrap`.
pub fn options(
    args: &UncertaintyArgs,
    seed: u64,
    fit: &FitOptions,
) -> Result<UncertaintyOptions, Failure> {
    let method = match args.ci_method {
        CiMethodArg::Wald => CiMethod::Wald,
        CiMethodArg::WaldNatural => CiMethod::WaldNatural,
        CiMethodArg::Profile => CiMethod::Profile,
        CiMethodArg::Bootstrap => CiMethod::Percentile,
        CiMethodArg::Bca => CiMethod::Bca,
    };
    if matches!(method, CiMethod::Percentile | CiMethod::Bca) && args.bootstrap.is_none() {
        return Err(Failure::usage(anyhow!(
            "--ci-method {} needs bootstrap replicates: add --bootstrap N (e.g. 999)",
            if method == CiMethod::Bca {
                "bca"
            } else {
                "bootstrap"
            }
        )));
    }
    // Refits start from θ̂ and hold what the fit held; the user's method and tolerance apply.
    let refit = FitOptions {
        start: None,
        ..fit.clone()
    };
    let mut quantities: Vec<Quantity> = args
        .quantile
        .iter()
        .map(|&p| Quantity::Quantile(p))
        .collect();
    if args.moments {
        quantities.extend([Quantity::Mean, Quantity::Variance]);
    }
    Ok(UncertaintyOptions {
        se: match args.se {
            Some(SeArg::Expected) => SeKind::Expected,
            Some(SeArg::Sandwich) => SeKind::Sandwich,
            _ => SeKind::Observed,
        },
        intervals: args.ci.map(|level| (level, method)),
        bootstrap: args.bootstrap.map(|b| BootstrapOptions {
            kind: match args.bootstrap_type {
                BootstrapTypeArg::Nonparametric => BootstrapKind::Nonparametric,
                BootstrapTypeArg::Parametric => BootstrapKind::Parametric,
            },
            replicates: b as usize,
            seed,
            fit: refit.clone(),
        }),
        goodness_of_fit: args.gof_bootstrap.map(|b| GofOptions {
            replicates: b as usize,
            seed,
            fit: refit.clone(),
        }),
        quantities,
    })
}

/// Run the analysis of one fit, with a progress bar on a terminal.
///
/// # Errors
/// The library's errors, as data or usage failures.
pub fn analyse(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    options: &UncertaintyOptions,
) -> Result<inference::Uncertainty, Failure> {
    let bars = Bars::new();
    let result = inference::analyse(family, sample, fit, options, &|stage, done, total| {
        bars.update(family.name(), stage, done, total)
    });
    bars.finish();
    Ok(result?)
}

/// One progress bar per stage, drawn on stderr only when it is a terminal.
struct Bars {
    enabled: bool,
    current: Mutex<Option<(String, ProgressBar)>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            enabled: std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }

    fn update(&self, family: &str, stage: &str, _done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let mut guard = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let label = format!("{family}: {stage}");
        if guard.as_ref().map(|(l, _)| l != &label).unwrap_or(true) {
            if let Some((_, old)) = guard.take() {
                old.finish_and_clear();
            }
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} refits ({eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(label.clone());
            *guard = Some((label, bar));
        }
        // Replicates finish out of order: count calls rather than trusting `done`.
        if let Some((_, bar)) = guard.as_ref() {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some((_, bar)) = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.finish_and_clear();
        }
    }
}
