//! `mlfit fit`: read a column, fit each requested family, render the fits.
//!
//! One command, three pipelines: a multivariate family (`fit_multivariate`), a mixture
//! (`fit_mixture`) or univariate families (here). Each pipeline refuses the options it cannot
//! honour, from a table of [`Refusal`]s checked by [`refuse`].
//!
//! All families are resolved before any data are read (an unknown name is a usage error even
//! on bad data) and all fits are done before anything is printed, so stdout never holds a
//! partial result.

use anyhow::anyhow;
use mlfit::data::censoring::Convention;
use mlfit::data::csv::ColumnSelector;
use mlfit::family::{self, Constraint, Family, Support};
use mlfit::inference::UncertaintyOptions;
use mlfit::report::{Context, FitReport, Json, Renderer};
use mlfit::{FitOptions, Sample};

use super::{input, Failure, Output};
use crate::cli::{FitArgs, SeArg};

/// An option a pipeline cannot honour.
pub struct Refusal {
    /// The option as the user wrote it (`--fix`), or several.
    pub option: &'static str,
    /// Whether the arguments give it.
    pub given: fn(&FitArgs) -> bool,
    /// Why it is refused (may be empty).
    pub why: &'static str,
}

/// The first of `refused` that `args` give, as the usage error "OPTION is not available for
/// SUBJECT: WHY".
pub fn refuse(args: &FitArgs, refused: &[Refusal], subject: &str) -> Result<(), Failure> {
    match refused.iter().find(|r| (r.given)(args)) {
        Some(r) if r.why.is_empty() => Err(Failure::usage(anyhow!(
            "{} is not available for {subject}",
            r.option
        ))),
        Some(r) => Err(Failure::usage(anyhow!(
            "{} is not available for {subject}: {}",
            r.option,
            r.why
        ))),
        None => Ok(()),
    }
}

/// Whether the rows are censored or truncated (any of --interval, --event, --truncate).
fn censored(args: &FitArgs) -> bool {
    args.interval.is_some() || args.event.is_some() || args.truncate.is_some()
}

/// What censored or truncated data cannot be analysed with (yet): the expected information
/// and the parametric bootstrap need the censoring mechanism, which the data do not describe;
/// the non-parametric bootstrap and the goodness-of-fit tests are not checked on censored rows.
const CENSORED_REFUSED: &[Refusal] = &[
    Refusal {
        option: "--trials",
        given: |a| a.trials.is_some(),
        why: "",
    },
    Refusal {
        option: "--se expected (or all)",
        given: |a| matches!(a.uncertainty.se, Some(SeArg::Expected | SeArg::All)),
        why: "use --se observed or sandwich",
    },
    Refusal {
        option: "--bootstrap",
        given: |a| a.uncertainty.bootstrap.is_some(),
        why: "use --ci 0.95 --ci-method profile (or wald)",
    },
    Refusal {
        option: "--gof-bootstrap",
        given: |a| a.uncertainty.gof_bootstrap.is_some(),
        why: "",
    },
];

pub fn run(args: &FitArgs) -> Result<Output, Failure> {
    if censored(args) {
        if args.event.is_some() && args.input.column.is_none() {
            return Err(Failure::usage(anyhow!(
                "--event STATUS needs the time column: -c TIME --event STATUS"
            )));
        }
        if args.interval.is_some() && args.input.column.is_some() {
            return Err(Failure::usage(anyhow!(
                "--interval LEFT,RIGHT names both columns: drop -c"
            )));
        }
        if super::fit_multivariate::applies(args) || super::fit_mixture::applies(args) {
            return Err(Failure::usage(anyhow!(
                "--interval, --event and --truncate are not available for mixture or multivariate families"
            )));
        }
        refuse(args, CENSORED_REFUSED, "censored or truncated data")?;
    }
    if super::fit_multivariate::applies(args) {
        return super::fit_multivariate::run(args);
    }
    if super::fit_mixture::applies(args) {
        return super::fit_mixture::run(args);
    }
    let families: Vec<&'static dyn Family> = args
        .family
        .iter()
        .map(|name| family::lookup(name))
        .collect::<Result<_, _>>()?;
    let takes_trials = |f: &&dyn Family| {
        f.params()
            .iter()
            .any(|p| p.constraint == Constraint::FixedCount)
    };
    if args.trials.is_some() && !families.iter().any(takes_trials) {
        return Err(Failure::usage(anyhow!(
            "--trials applies to families with a number of trials (binomial, beta_binomial), not to {}",
            args.family.join(", ")
        )));
    }

    let uncertainty = super::uncertainty::requested(&args.uncertainty)
        .then(|| {
            super::uncertainty::options(
                &args.uncertainty,
                args.seed,
                &FitOptions {
                    method: args.method.into(),
                    gtol: args.tol,
                    max_iterations: args.max_iter,
                    ..Default::default()
                },
            )
        })
        .transpose()?;
    let (constant_trials, trials_column) = input::parse_trials(args.trials.as_ref());
    let wants_labels = |f: &&dyn Family| f.support() == Support::Labels;
    if censored(args) {
        if let Some(f) = families.iter().find(|f| wants_labels(f)) {
            return Err(Failure::usage(anyhow!(
                "{} fits labels, which cannot be censored or truncated",
                f.name()
            )));
        }
    }
    let (need_numbers, need_labels) = input::kinds_needed(&families);
    let data = if censored(args) {
        let convention = match (&args.interval, &args.event) {
            (Some((left, right)), _) => Some(Convention::Interval {
                left: ColumnSelector::Name(left.clone()),
                right: ColumnSelector::Name(right.clone()),
            }),
            (None, Some(status)) => Some(Convention::Event {
                time: ColumnSelector::from_arg(args.input.column.as_deref()),
                status: ColumnSelector::Name(status.clone()),
            }),
            (None, None) => None,
        };
        input::read_censored(&args.input, convention, args.truncate)?
    } else {
        input::read(&args.input, need_numbers, need_labels, trials_column)?
    };
    let notes: Vec<String> = data.skipped_note.iter().cloned().collect();

    let mut fits: Vec<FitReport> = Vec::with_capacity(families.len());
    for fam in &families {
        let sample = if wants_labels(fam) {
            data.labels.as_ref()
        } else {
            data.numbers.as_ref()
        };
        let sample = sample.expect("read for this family");
        fits.push(fit_family(
            *fam,
            sample,
            args,
            constant_trials,
            uncertainty.as_ref(),
        )?);
    }
    if data.skipped > 0 {
        for f in &mut fits {
            f.fit.notes.push(format!(
                "{} rows with missing values were skipped",
                data.skipped
            ));
        }
    }
    let context = Context {
        source: data.source,
        column: data.column,
        weights: data.weights,
        se_columns: super::uncertainty::se_columns(&args.uncertainty),
    };
    if let Some(path) = &args.save {
        if fits.len() != 1 {
            return Err(Failure::usage(anyhow!(
                "--save writes one model: fit one family at a time"
            )));
        }
        super::save(path, &Json.fits(&fits, &context))?;
    }
    Ok(Output {
        stdout: super::renderer(args.format).fits(&fits, &context),
        notes,
    })
}

/// Fit one family (with a constant number of trials when it takes one) and analyse the fit
/// when asked.
fn fit_family(
    family: &dyn Family,
    sample: &Sample,
    args: &FitArgs,
    constant_trials: Option<f64>,
    uncertainty: Option<&UncertaintyOptions>,
) -> Result<FitReport, Failure> {
    let mut fixed = args.fix.clone();
    if let Some(n) = constant_trials {
        if let Some(p) = family
            .params()
            .iter()
            .find(|p| p.constraint == Constraint::FixedCount)
        {
            fixed.push((p.name.to_string(), n));
        }
    }
    let fit_options = FitOptions {
        method: args.method.into(),
        gtol: args.tol,
        max_iterations: args.max_iter,
        fixed,
        start: None,
    };
    if !sample.is_exact() {
        // A family that cannot weigh censored rows is the user's choice to change: a usage error.
        mlfit::objective::check_observations(family, sample).map_err(Failure::usage)?;
    }
    let mut report = FitReport::from(mlfit::fit(family, sample, &fit_options)?);
    let fit = &mut report.fit;
    if !fit.converged && !args.allow_nonconverged {
        let what = format!("{} fit", fit.family);
        return Err(super::not_converged(&what, fit.termination, &fit.notes));
    }
    if let Some(options) = uncertainty {
        if fit.converged {
            report.uncertainty = Some(super::uncertainty::analyse(family, sample, fit, options)?);
        } else {
            fit.notes.push(super::uncertainty::NEEDS_CONVERGENCE.into());
        }
    }
    Ok(report)
}
