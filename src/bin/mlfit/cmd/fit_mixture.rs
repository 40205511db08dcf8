//! `mlfit fit -f normal_mixture --components K|auto|A..B`: a finite mixture fitted from
//! several seeded starts (`mlfit::mixture`), its components sorted by location.
//!
//! With one K the output is the fit (table, the `fit` JSON object extended with the starts'
//! record, or long CSV); with a range (`auto` = 1..6) it is every K's fit with its BIC, the
//! chosen one shown in full. The uncertainty options (`--se`, `--ci`, `--bootstrap`, …) analyse
//! the fit of one K, as for any family (the bootstrap refits are warm-started at θ̂ and their
//! components sorted by location, so replicates line up component by component); with a range
//! they are usage errors: which K's uncertainty would be ambiguous, and a bootstrap would not
//! account for the choice of K. A mixture is fitted on its own: other families, `--trials` and
//! `--fix` are usage errors here.

use anyhow::anyhow;
use mlfit::family::{self, Family};
use mlfit::inference::UncertaintyOptions;
use mlfit::mixture::{self, Components, MixtureOptions};
use mlfit::report::{Context, Json, MixtureReport, Renderer};
use mlfit::{FitOptions, Sample};

use super::fit::{refuse, Refusal};
use super::{input, uncertainty, Failure, Output};
use crate::cli::{FitArgs, Format};

/// What a mixture cannot take (the message names the family).
const REFUSED: &[Refusal] = &[
    Refusal {
        option: "--trials",
        given: |a| a.trials.is_some(),
        why: "",
    },
    Refusal {
        option: "--fix",
        given: |a| !a.fix.is_empty(),
        why: "",
    },
];

/// Whether `mlfit fit` is asked for a mixture: a mixture family, or an option only mixtures
/// take (`--components`, `--starts`).
pub fn applies(args: &FitArgs) -> bool {
    args.components.is_some()
        || args.starts.is_some()
        || args
            .family
            .iter()
            .any(|n| family::lookup(n).is_ok_and(mixture::is_mixture))
}

pub fn run(args: &FitArgs) -> Result<Output, Failure> {
    let family = resolve(args)?;
    let components = args.components.clone().unwrap_or(Components::Fixed(2));
    let u = &args.uncertainty;
    if let (true, Components::Range(range)) = (uncertainty::requested(u), &components) {
        let option = uncertainty::given(u)
            .into_iter()
            .find(|(_, g)| *g)
            .map_or("--se", |(o, _)| o);
        return Err(Failure::usage(anyhow!(
            "{option} needs one number of components, not a range ({}..{}): choose K with the range first, then run --components K {option} …",
            range.start(),
            range.end()
        )));
    }
    let fit_options = FitOptions {
        method: args.method.into(),
        gtol: args.tol,
        max_iterations: args.max_iter,
        fixed: vec![],
        start: None,
    };
    let analysis = uncertainty::requested(u)
        .then(|| uncertainty::options(u, args.seed, &fit_options))
        .transpose()?;
    let options = MixtureOptions {
        starts: args.starts.unwrap_or(mixture::DEFAULT_STARTS),
        seed: args.seed,
        fit: fit_options,
        ..MixtureOptions::default()
    };
    if options.starts == 0 {
        return Err(Failure::usage(anyhow!("--starts must be at least 1")));
    }

    let data = input::read(&args.input, true, false, None)?;
    let mut notes: Vec<String> = data.skipped_note.iter().cloned().collect();
    let sample = data.numbers.as_ref().expect("read as numbers");
    let context = Context {
        source: data.source.clone(),
        column: data.column.clone(),
        weights: data.weights.clone(),
        se_columns: uncertainty::se_columns(u),
    };
    let skipped_note = (data.skipped > 0)
        .then(|| format!("{} rows with missing values were skipped", data.skipped));

    let renderer = super::renderer(args.format);
    let (stdout, chosen) = match components {
        Components::Fixed(k) => {
            let report = fit_one_k(
                family,
                sample,
                k,
                &options,
                analysis.as_ref(),
                args,
                skipped_note,
            )?;
            if analysis.is_some() && matches!(args.format, Format::Csv) {
                notes.push(
                    "the CSV of a mixture has no uncertainty columns: use --format json or the table"
                        .into(),
                );
            }
            (renderer.mixture(&report, &context), report)
        }
        Components::Range(range) => {
            let mut selection = mixture::select(family, sample, range, &options)?;
            for c in &mut selection.fits {
                if let Some(f) = &mut c.fit {
                    f.fit.notes.extend(skipped_note.clone());
                }
            }
            let chosen = MixtureReport {
                family: family.name().to_string(),
                fit: selection.chosen().clone(),
                uncertainty: None,
            };
            (renderer.mixture_selection(&selection, &context), chosen)
        }
    };
    if let Some(path) = &args.save {
        super::save(path, &Json.mixture(&chosen, &context))?;
    }
    Ok(Output { stdout, notes })
}

/// The one mixture family asked for, and none of the options a mixture refuses.
fn resolve(args: &FitArgs) -> Result<&'static dyn Family, Failure> {
    let families: Vec<&'static dyn Family> = args
        .family
        .iter()
        .map(|name| family::lookup(name))
        .collect::<Result<_, _>>()?;
    let names = args.family.join(", ");
    let family = match &families[..] {
        [f] if mixture::is_mixture(*f) => *f,
        _ if !families.iter().any(|f| mixture::is_mixture(*f)) => {
            return Err(Failure::usage(anyhow!(
                "--components and --starts apply to mixture families (normal_mixture, lognormal_mixture, poisson_mixture), not to {names}"
            )))
        }
        _ => {
            return Err(Failure::usage(anyhow!(
                "fit a mixture family on its own (its fit runs several starts and has its own output), not with others: {names}"
            )))
        }
    };
    refuse(
        args,
        REFUSED,
        &format!("mixture families ({})", family.name()),
    )?;
    Ok(family)
}

/// The mixture with `k` components, checked, with its notes and, when asked, its analysis.
fn fit_one_k(
    family: &dyn Family,
    sample: &Sample,
    k: usize,
    options: &MixtureOptions,
    analysis: Option<&UncertaintyOptions>,
    args: &FitArgs,
    skipped_note: Option<String>,
) -> Result<MixtureReport, Failure> {
    let mut fitted = mixture::fit_components(family, sample, k, options)?;
    fitted.fit.notes.extend(skipped_note);
    let fit = &mut fitted.fit;
    if !fit.converged && !args.allow_nonconverged {
        let what = format!("{} fit with {k} components", fit.family);
        return Err(super::not_converged(&what, fit.termination, &fit.notes));
    }
    let mut report = MixtureReport {
        family: family.name().to_string(),
        fit: fitted,
        uncertainty: None,
    };
    if let Some(analysis) = analysis {
        let fit = &mut report.fit.fit;
        if fit.converged {
            // The K-component family (K = 1: the base family) that made the fit.
            let model = mixture::with_components(family, k)?;
            report.uncertainty = Some(uncertainty::analyse(model.as_ref(), sample, fit, analysis)?);
        } else {
            fit.notes.push(uncertainty::NEEDS_CONVERGENCE.into());
        }
    }
    Ok(report)
}
