//! The bootstrap: re-estimating θ on data sets drawn from the sample or from the fitted model.
//!
//! [`replicate`] is the engine shared with the goodness-of-fit tests ([`super::gof`]): `count`
//! independent replicates run in parallel (rayon), replicate `i` drawing from its own ChaCha8
//! stream — `ChaCha8Rng::seed_from_u64(seed)` switched to stream `i` — so the results, returned
//! in replicate order, are the same for a seed whatever the number of threads or the order in
//! which the replicates finish.
//!
//! [`bootstrap`] draws each replicate data set either
//! - **non-parametrically**, n rows with replacement from the rows with positive weight (a row
//!   keeps its weight and its number of trials, so a weighted row is one sampling unit), or
//! - **parametrically**, n values from the fitted model p_θ̂ (every row keeps its weight and its
//!   number of trials; a per-row number of trials draws each row from its own binomial-type
//!   distribution),
//!
//! and refits it warm-started at θ̂ with the fit's fixed parameters held; a mixture's refit is
//! sorted by component location ([`crate::family::mixture::canonical`]), as θ̂ is, so each column of
//! the replicates is one component even when a refit moves two components past each other
//! (label switching is re-sorted, never averaged across labels). A replicate whose
//! refit is an error, does not converge, or (for a categorical) misses one of the fitted
//! levels is counted as *failed* and left out: a failure is information about the estimator,
//! never silently replaced. The bootstrap standard error is the standard deviation of the
//! successful replicates (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, §6.2,
//! eq. 6.6); the replicates themselves feed the percentile and BCa intervals of
//! [`super::intervals`].

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{Family, FamilyHandle, RowInput};
use crate::fit::{fit as fit_family, Fit, FitOptions};

/// The random-number generator of replicate `index` for `seed`: ChaCha8 seeded from `seed`
/// and switched to stream `index`, so every replicate has its own independent stream.
pub fn replicate_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    rng
}

/// Run `count` replicates of `work` in parallel and return their results in replicate order.
///
/// Replicate `i` gets its own generator [`replicate_rng`]`(seed, i)`, so the output depends
/// only on `seed` (and `work`), not on the number of threads. `progress` is called once per
/// finished replicate with the number finished so far; calls come from worker threads and may
/// arrive slightly out of order, so a progress bar should keep the largest value seen (or just
/// count the calls). It must be cheap.
pub fn replicate<T: Send>(
    count: usize,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
    work: impl Fn(usize, &mut ChaCha8Rng) -> T + Sync,
) -> Vec<T> {
    let done = AtomicUsize::new(0);
    (0..count)
        .into_par_iter()
        .map(|i| {
            let mut rng = replicate_rng(seed, i);
            let out = work(i, &mut rng);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            out
        })
        .collect()
}

/// Where the replicate data sets come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BootstrapKind {
    /// Rows drawn with replacement from the sample.
    #[default]
    Nonparametric,
    /// Values drawn from the fitted model.
    Parametric,
}

/// How to bootstrap.
#[derive(Debug, Clone)]
pub struct BootstrapOptions {
    /// Non-parametric or parametric.
    pub kind: BootstrapKind,
    /// Number of replicates B (Efron & Tibshirani suggest ≥ 1000 for percentile and BCa
    /// intervals, 50–200 for a standard error).
    pub replicates: usize,
    /// Seed of the replicate streams.
    pub seed: u64,
    /// Options of the refits (method, tolerance, iteration cap). The fit's fixed parameters
    /// are held in every refit in any case, and the start is always θ̂.
    pub fit: FitOptions,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            kind: BootstrapKind::Nonparametric,
            replicates: 1000,
            seed: 0,
            fit: FitOptions::default(),
        }
    }
}

/// The bootstrap replicates of the estimated parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Non-parametric or parametric.
    pub kind: BootstrapKind,
    /// Number of replicates asked for (successful + failed).
    pub replicates: usize,
    /// Replicates whose refit failed (an error, no convergence, or a missing level); they are
    /// not in `estimates`.
    pub failed: usize,
    /// The seed of the replicate streams.
    pub seed: u64,
    /// Names of the estimated parameters (neither fixed nor a number of trials), in the
    /// family's order; the columns of `estimates`.
    pub parameters: Vec<String>,
    /// θ̂ of those parameters, from the fit being bootstrapped.
    pub estimate: Vec<f64>,
    /// Bootstrap standard errors: the standard deviation (denominator B − 1) of each column of
    /// `estimates`; NaN with fewer than two successful replicates.
    pub std_errors: Vec<f64>,
    /// One row per successful replicate, in replicate order: the refitted θ* of `parameters`.
    pub estimates: Vec<Vec<f64>>,
    /// Remarks: how many replicates failed and why (the first reason).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Bootstrap {
    /// The replicates of parameter `name` (one per successful replicate), or `None` when it
    /// was not estimated.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let j = self.parameters.iter().position(|p| p == name)?;
        Some(self.estimates.iter().map(|row| row[j]).collect())
    }

    /// The number of successful replicates.
    pub fn successful(&self) -> usize {
        self.estimates.len()
    }
}

/// Bootstrap `fit` (of `family` to `sample`): draw `options.replicates` data sets, refit each
/// warm-started at θ̂, and collect the estimates of the successful refits.
///
/// `progress` is called as replicates finish (see [`replicate`]).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for fewer than one replicate or a fit that did not converge
/// (its θ̂ is no estimate to bootstrap), and the errors of specialising `family` to `sample`.
pub fn bootstrap(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    options: &BootstrapOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Bootstrap> {
    if options.replicates == 0 {
        return Err(ErrorKind::InvalidOption {
            reason: "the bootstrap needs at least one replicate".into(),
        }
        .into());
    }
    let refitter = Refitter::new(family, sample, fit, &options.fit)?;
    let kind = options.kind;
    let outcomes = replicate(options.replicates, options.seed, progress, |_, rng| {
        let drawn = match kind {
            BootstrapKind::Nonparametric => refitter.resample_rows(rng),
            BootstrapKind::Parametric => refitter.simulate(rng),
        };
        let refit = drawn
            .map_err(|e| e.to_string())
            .and_then(|s| refitter.refit(&s));
        refit.map(|f| {
            // A mixture's refit is warm-started at θ̂ (sorted by location) but Newton may move
            // two components past each other: sort again so every column is one component.
            let theta = crate::family::mixture::canonical(refitter.model(), &f.theta());
            refitter
                .estimated
                .iter()
                .map(|&j| theta[j])
                .collect::<Vec<f64>>()
        })
    });
    let mut estimates = Vec::with_capacity(outcomes.len());
    let mut failed = 0;
    let mut first_failure = None;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok(theta) => estimates.push(theta),
            Err(reason) => {
                failed += 1;
                first_failure.get_or_insert((i, reason));
            }
        }
    }
    let mut notes = Vec::new();
    if let Some((i, reason)) = first_failure {
        notes.push(format!(
            "{failed} of {} replicates failed and are left out (the first, replicate {i}: {reason})",
            options.replicates
        ));
    }
    let k = refitter.estimated.len();
    let std_errors = (0..k)
        .map(|j| {
            let column: Vec<f64> = estimates.iter().map(|row: &Vec<f64>| row[j]).collect();
            std_dev(&column)
        })
        .collect();
    Ok(Bootstrap {
        kind,
        replicates: options.replicates,
        failed,
        seed: options.seed,
        parameters: refitter
            .estimated
            .iter()
            .map(|&j| refitter.names[j].clone())
            .collect(),
        estimate: refitter
            .estimated
            .iter()
            .map(|&j| refitter.theta[j])
            .collect(),
        std_errors,
        estimates,
        notes,
    })
}

/// Sample standard deviation with denominator n − 1; NaN for fewer than two values.
pub(crate) fn std_dev(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / (n as f64 - 1.0)).sqrt()
}

/// What every replicate needs: the family specialised to the sample, θ̂, the refit options
/// (warm start, fixed parameters) and the rows to draw from. Shared with the goodness-of-fit
/// tests.
pub(crate) struct Refitter<'a> {
    /// The family as the caller gave it (the fit specialises it again to each replicate).
    family: &'a dyn Family,
    /// The family specialised to the sample (a categorical to its levels).
    model: FamilyHandle<'a>,
    sample: &'a Sample,
    /// θ̂ in the family's order; a per-row number of trials is NaN.
    pub(crate) theta: Vec<f64>,
    /// Parameter names of the fit, in the family's order.
    pub(crate) names: Vec<String>,
    /// Indices of the estimated parameters.
    pub(crate) estimated: Vec<usize>,
    /// Refit options: warm start at θ̂, the fit's fixed parameters held.
    options: FitOptions,
    /// Rows with positive weight.
    rows: Vec<usize>,
    /// Whether θ̂ leaves a parameter to the sample's per-row input (reported as NaN).
    row_input: bool,
}

impl<'a> Refitter<'a> {
    pub(crate) fn new(
        family: &'a dyn Family,
        sample: &'a Sample,
        fit: &Fit,
        options: &FitOptions,
    ) -> Result<Refitter<'a>> {
        let basis =
            super::RefitBasis::new(family, sample, fit, options, "estimate to resample around")?;
        let model = basis.model;
        let theta = fit.theta();
        let row_input = RowInput::of(&*model, sample).is_some_and(|r| theta[r.param].is_nan());
        Ok(Refitter {
            family,
            model,
            sample,
            options: FitOptions {
                fixed: basis.fixed,
                start: Some(theta.clone()),
                ..options.clone()
            },
            theta,
            names: basis.names,
            estimated: basis.estimated,
            rows: (0..sample.len())
                .filter(|&i| sample.weight(i) > 0.0)
                .collect(),
            row_input,
        })
    }

    /// The family specialised to the sample (the model that is sampled from).
    pub(crate) fn model(&self) -> &dyn Family {
        &*self.model
    }

    /// n rows drawn with replacement from the rows with positive weight, each keeping its
    /// weight and number of trials.
    pub(crate) fn resample_rows(&self, rng: &mut ChaCha8Rng) -> Result<Sample> {
        let n = self.rows.len();
        let picks: Vec<usize> = (0..n).map(|_| self.rows[rng.random_range(0..n)]).collect();
        Ok(self.sample.select(&picks))
    }

    /// One value per row from the fitted model (each row with its own number of trials when
    /// the sample gives them), keeping the rows' weights and trials.
    pub(crate) fn simulate(&self, rng: &mut ChaCha8Rng) -> Result<Sample> {
        let model = self.model();
        let values = match RowInput::of(model, self.sample).filter(|_| self.row_input) {
            Some(input) => {
                let mut theta = self.theta.clone();
                (0..self.sample.len())
                    .map(|i| model.sample(input.theta_at(&mut theta, i), 1, rng)[0])
                    .collect()
            }
            None => model.sample(&self.theta, self.sample.len(), rng),
        };
        self.with_levels(self.sample.clone().with_values(values)?)
    }

    /// `n` values from the fitted model, unweighted (the goodness-of-fit null).
    pub(crate) fn simulate_unweighted(&self, n: usize, rng: &mut ChaCha8Rng) -> Result<Sample> {
        let values = self.model().sample(&self.theta, n, rng);
        self.with_levels(Sample::new(values)?)
    }

    /// Level names travel with labelled data (codes index them).
    fn with_levels(&self, s: Sample) -> Result<Sample> {
        match self.sample.levels() {
            Some(levels) => s.with_levels(levels.to_vec()),
            None => Ok(s),
        }
    }

    /// Refit warm-started at θ̂; `Err` with the reason when the refit is an error, does not
    /// converge, or ends up with other parameters (a categorical missing a level).
    pub(crate) fn refit(&self, s: &Sample) -> std::result::Result<Fit, String> {
        let f = fit_family(self.family, s, &self.options).map_err(|e| e.to_string())?;
        if !f.converged {
            return Err(format!(
                "the refit did not converge ({})",
                f.termination.as_str()
            ));
        }
        if f.params.0.len() != self.names.len()
            || f.params.0.iter().zip(&self.names).any(|((n, _), m)| n != m)
        {
            return Err(format!(
                "the replicate has other parameters ({}) than the fit",
                f.params
                    .0
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::lookup;

    fn no_progress(_: usize) {}

    #[test]
    fn replicate_streams_are_independent_of_order_and_threads() {
        let draw = |i: usize, rng: &mut ChaCha8Rng| (i, rng.random::<u64>());
        let a = replicate(64, 7, &no_progress, draw);
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(|| replicate(64, 7, &no_progress, draw));
        assert_eq!(a, b);
        assert!(a.iter().enumerate().all(|(i, (j, _))| i == *j));
        // Different streams, different seeds: different draws.
        assert_ne!(a[0].1, a[1].1);
        assert_ne!(a[0].1, replicate(1, 8, &no_progress, draw)[0].1);
    }

    #[test]
    fn progress_counts_every_replicate() {
        let calls = AtomicUsize::new(0);
        let largest = AtomicUsize::new(0);
        let progress = |d: usize| {
            calls.fetch_add(1, Ordering::Relaxed);
            largest.fetch_max(d, Ordering::Relaxed);
        };
        replicate(37, 0, &progress, |i, _| i);
        assert_eq!(calls.into_inner(), 37);
        assert_eq!(largest.into_inner(), 37);
    }

    #[test]
    fn labelled_categorical_keeps_its_levels_and_counts_missing_ones_as_failures() {
        // Three labels, one of them rare: resamples that miss it cannot be refitted to the
        // same levels and count as failures.
        let mut codes = vec![0.0; 12];
        codes.extend([1.0; 7]);
        codes.push(2.0);
        let s = Sample::new(codes)
            .unwrap()
            .with_levels(vec!["a".into(), "b".into(), "c".into()])
            .unwrap();
        let cat = lookup("categorical").unwrap();
        let f = crate::fit(cat, &s, &FitOptions::default()).unwrap();
        let b = bootstrap(
            cat,
            &s,
            &f,
            &BootstrapOptions {
                replicates: 200,
                seed: 3,
                ..Default::default()
            },
            &no_progress,
        )
        .unwrap();
        assert_eq!(b.parameters, ["a", "b", "c"]);
        // P(level c missing from 20 draws) = (19/20)^20 = 0.358.
        let share = b.failed as f64 / 200.0;
        assert!((0.25..0.47).contains(&share), "{share}");
        assert_eq!(b.failed + b.successful(), 200);
        assert!(b.notes[0].contains("other parameters"), "{:?}", b.notes);
        for row in &b.estimates {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}
