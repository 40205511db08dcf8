//! [`fit_mixture`]: the best of several seeded starts, with the record of every start.

use super::starts::{Run, Starts};
use super::{check_options, kernel_of, MixtureFit, MixtureOptions, StartReport, StartStatus};
use crate::data::Sample;
use crate::error::Result;
use crate::family::mixture::em_data::EmData;
use crate::family::{degenerate, Family};
use crate::fit::Fit;

/// Starts reach the best fit when their log-likelihood is within this many nats per
/// observation of it (and their parameters agree).
const SAME_LOG_LIKELIHOOD: f64 = 1e-6;
/// …and every parameter is within this many standard errors of the best one's.
const SAME_PARAMETER_SE: f64 = 1e-2;

/// Fit the mixture `family` (its number of components is its own) to `sample` from
/// `options.starts` seeded starts; see the module documentation.
///
/// # Errors
/// Validation errors of [`crate::fit::validate`]; [`crate::error::ErrorKind::InvalidOption`]
/// for fixed parameters, zero starts, or a family that is not a mixture;
/// [`crate::error::ErrorKind::Degenerate`] when the data have too few distinct values for the
/// components or every start ended in a degenerate solution. A best start that is not
/// certified is *not* an error: it is returned with `converged: false`.
pub fn fit_mixture(
    family: &dyn Family,
    sample: &Sample,
    options: &MixtureOptions,
) -> Result<MixtureFit> {
    let kernel = kernel_of(family)?;
    check_options(options)?;
    crate::fit::validate(family, sample)?;
    let k = (family.params().len()) / kernel.per_component();
    let data = EmData::new(kernel, sample);
    if data.y.len() <= k {
        return Err(degenerate(
            family,
            format!(
                "the data have {} distinct values: too few for {k} components",
                data.y.len()
            ),
        ));
    }
    if data.spread.is_nan() || data.spread <= 0.0 {
        return Err(degenerate(family, "the data have no spread"));
    }

    let (runs, screening) = Starts {
        family,
        kernel,
        k,
        sample,
        data: &data,
        options,
    }
    .run();

    // The best certified, non-degenerate run (the first of equals: deterministic); without
    // one, the best uncertified, non-degenerate run, reported as not converged.
    let best = best_run(&runs, StartStatus::LocalMaximum);
    let Some(chosen) = best.or_else(|| best_run(&runs, StartStatus::NotConverged)) else {
        let why = runs
            .iter()
            .find_map(|r| r.reason.clone())
            .unwrap_or_default();
        return Err(degenerate(
            family,
            format!(
                "every one of the {} starts ended in a degenerate solution, where the likelihood has no maximum (first: {why}); try fewer components",
                options.starts
            ),
        ));
    };
    let mut result = runs[chosen].fit.clone().expect("the chosen run has a fit");
    let (statuses, reaching) = match best {
        Some(_) => reaching_best(&runs, chosen, &result, data.rows as f64),
        None => (runs.iter().map(|r| r.status).collect(), 0),
    };
    let tally = Tally {
        degenerate: count(&runs, StartStatus::Degenerate),
        nonconverged: count(&runs, StartStatus::NotConverged),
        reaching,
        certified: best.is_some(),
    };
    add_notes(
        &mut result.notes,
        &runs,
        &tally,
        options.starts,
        screening,
        data.y.len(),
    );
    Ok(MixtureFit {
        fit: result,
        components: k,
        seed: options.seed,
        starts: options.starts,
        starts_reaching_best: reaching,
        degenerate_starts: tally.degenerate,
        nonconverged_starts: tally.nonconverged,
        em_iterations: runs[chosen].em_iterations,
        screened_on: screening.map(|(points, _)| points),
        start_details: start_details(&runs, statuses),
    })
}

/// How the starts of a fit ended.
struct Tally {
    /// Starts rejected as degenerate.
    degenerate: usize,
    /// Starts rejected as not certified.
    nonconverged: usize,
    /// Starts that reached the reported maximum.
    reaching: usize,
    /// Whether the reported fit is a certified maximum.
    certified: bool,
}

/// The run with `status` and a fit whose log-likelihood is highest (the first of equals).
fn best_run(runs: &[Run], status: StartStatus) -> Option<usize> {
    runs.iter()
        .enumerate()
        .filter(|(_, r)| r.status == status && r.fit.is_some())
        .max_by(|a, b| ll_of(a.1).total_cmp(&ll_of(b.1)).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

fn count(runs: &[Run], status: StartStatus) -> usize {
    runs.iter().filter(|r| r.status == status).count()
}

fn ll_of(r: &Run) -> f64 {
    r.fit
        .as_ref()
        .map_or(f64::NEG_INFINITY, |f| f.log_likelihood)
}

/// Every start's status once the certified maxima equal to `best` (run `chosen`, on `n_rows`
/// rows) are marked as reaching it, and the number of starts that reach it.
fn reaching_best(
    runs: &[Run],
    chosen: usize,
    best: &Fit,
    n_rows: f64,
) -> (Vec<StartStatus>, usize) {
    let mut statuses: Vec<StartStatus> = runs.iter().map(|r| r.status).collect();
    let mut reaching = 0;
    for (i, r) in runs.iter().enumerate() {
        let Some(f) = r
            .fit
            .as_ref()
            .filter(|_| r.status == StartStatus::LocalMaximum)
        else {
            continue;
        };
        if same_maximum(f, best, n_rows) {
            reaching += 1;
            statuses[i] = if i == chosen {
                StartStatus::Best
            } else {
                StartStatus::ReachedBest
            };
        }
    }
    // A start that shares a polished start's result reaches what that one reached.
    for (i, r) in runs.iter().enumerate() {
        if let Some(l) = r.same_as {
            if matches!(statuses[l], StartStatus::Best | StartStatus::ReachedBest) {
                reaching += 1;
                statuses[i] = StartStatus::ReachedBest;
            }
        }
    }
    (statuses, reaching)
}

/// The notes of a mixture fit: rejected starts, the screening of large data (`screening`:
/// subsample size and starts polished; `distinct` values), and a maximum that only one start
/// reached.
fn add_notes(
    notes: &mut Vec<String>,
    runs: &[Run],
    tally: &Tally,
    starts: usize,
    screening: Option<(usize, usize)>,
    distinct: usize,
) {
    if tally.degenerate > 0 {
        let first = runs
            .iter()
            .find(|r| r.status == StartStatus::Degenerate)
            .and_then(|r| r.reason.clone())
            .unwrap_or_default();
        notes.push(format!(
            "{} of {starts} starts were rejected as degenerate ({first}): there the likelihood is unbounded or a component is empty, so they are not maximum-likelihood estimates",
            tally.degenerate
        ));
    }
    if let Some((points, polished)) = screening {
        let which = if polished == 1 {
            "best distinct solution (by the data's log-likelihood) was".to_string()
        } else {
            format!("{polished} best distinct solutions (by the data's log-likelihood) were")
        };
        notes.push(format!(
            "{distinct} distinct values: the {starts} starts ran EM on a {points}-point quantile subsample, and the {which} polished on the full data; a start whose solution coincided with a polished one shares its result"
        ));
    }
    if tally.nonconverged > 0 {
        notes.push(format!(
            "{} of {starts} starts did not reach a certified maximum and were rejected",
            tally.nonconverged
        ));
    }
    if tally.certified && tally.reaching == 1 && starts > 1 {
        notes.push(format!(
            "only 1 of {starts} starts reached this maximum: a higher one may exist (try more --starts)"
        ));
    }
}

/// The report of every start, in order.
fn start_details(runs: &[Run], statuses: Vec<StartStatus>) -> Vec<StartReport> {
    runs.iter()
        .zip(statuses)
        .enumerate()
        .map(|(i, (r, status))| StartReport {
            start: i,
            init: if i == 0 { "quantiles" } else { "kmeans++" },
            em_iterations: r.em_iterations,
            log_likelihood: r.log_likelihood,
            status,
            reason: r.reason.clone(),
            same_as: r.same_as,
        })
        .collect()
}

/// Whether two certified fits are the same maximum: log-likelihoods within 1e-6·n and every
/// parameter within 0.01 standard errors (1e-6 relative where there is none).
fn same_maximum(a: &Fit, best: &Fit, n: f64) -> bool {
    if (a.log_likelihood - best.log_likelihood).abs() > SAME_LOG_LIKELIHOOD * n {
        return false;
    }
    a.params
        .0
        .iter()
        .zip(&best.params.0)
        .all(|((name, x), (_, y))| {
            let tol = best
                .std_errors
                .as_ref()
                .and_then(|s| s.get(name))
                .map_or(1e-6 * y.abs().max(1e-300), |se| SAME_PARAMETER_SE * se);
            (x - y).abs() <= tol
        })
}
