//! Goodness of fit: does the fitted model describe the data?
//!
//! Continuous families get the three EDF statistics of the probability integral transforms
//! uᵢ = F(x₍ᵢ₎ | θ̂), sorted (Stephens 1974, *JASA* 69, 730–737; D'Agostino & Stephens 1986,
//! *Goodness-of-Fit Techniques*, §4.2.2, eqs. 4.2–4.4):
//! - Kolmogorov–Smirnov D = max(D⁺, D⁻), D⁺ = maxᵢ(i/n − uᵢ), D⁻ = maxᵢ(uᵢ − (i−1)/n);
//! - Cramér–von Mises W² = Σᵢ (uᵢ − (2i−1)/(2n))² + 1/(12n);
//! - Anderson–Darling A² = −n − (1/n) Σᵢ (2i−1)[ln uᵢ + ln(1 − u₍ₙ₊₁₋ᵢ₎)], with u clamped to
//!   [2.2e-308, 1 − 1.1e-16] so that a point the model puts beyond floating point still
//!   counts as very far out instead of making A² infinite.
//!
//! Discrete families (and labels) get Pearson's X² = Σ (O − E)²/E over the cells of the
//! support: one cell per value from the smallest to the largest observed, the tails below and
//! above folded into the end cells, and neighbouring cells pooled left to right until every
//! expected count is at least 5 (a remainder joins the last cell).
//!
//! With θ̂ estimated from the same data the classical null distributions of D, W² and A² do
//! not apply (the p-values would be far too large; Stephens 1974), so the p-values come from
//! the **parametric bootstrap with refitting** (Stute, González Manteiga & Presedo Quindimil
//! 1993, *Test* 2, 113–128): draw n values from p_θ̂, refit warm-started at θ̂, recompute the
//! statistic, and report p = (1 + #{T* ≥ T}) / (1 + B′) over the B′ replicates that
//! succeeded (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, eq. 4.11).
//! Failed refits are counted and left out. Only X² also gets its classical p-value, from χ²
//! with (cells − 1 − k) degrees of freedom — approximate, since θ̂ comes from the ungrouped data
//! (Chernoff & Lehmann 1954, *Ann. Math. Statist.* 25, 579–586).
//!
//! Weights are taken as frequencies: integer weights repeat their rows (equivalently, the
//! bootstrap draws Σwᵢ values); other weights, per-row numbers of trials (every row its own
//! distribution) and angles (no origin for a CDF) are refused.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::bootstrap::{replicate, Refitter};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{Family, Support};
use crate::fit::{Fit, FitOptions};

/// Name of the Kolmogorov–Smirnov statistic D.
pub const KOLMOGOROV_SMIRNOV: &str = "kolmogorov_smirnov";
/// Name of the Cramér–von Mises statistic W².
pub const CRAMER_VON_MISES: &str = "cramer_von_mises";
/// Name of the Anderson–Darling statistic A².
pub const ANDERSON_DARLING: &str = "anderson_darling";
/// Name of Pearson's X².
pub const PEARSON_CHI_SQUARED: &str = "pearson_chi_squared";

/// Smallest expected count of a pooled χ² cell.
pub const MIN_EXPECTED: f64 = 5.0;

/// The most distinct cells (or repeated rows) a test takes.
const MAX_CELLS: f64 = 1e8;

/// One test statistic with its bootstrap p-value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GofStatistic {
    /// `kolmogorov_smirnov`, `cramer_von_mises`, `anderson_darling` or
    /// `pearson_chi_squared`.
    pub name: String,
    /// The statistic of the data under the fitted model.
    pub value: f64,
    /// Parametric-bootstrap p-value (1 + #{T* ≥ T}) / (1 + replicates); `None` without
    /// successful replicates.
    pub p_value: Option<f64>,
    /// Bootstrap replicates that gave the statistic.
    pub replicates: usize,
    /// Bootstrap replicates that did not (refit failed or, for X², fewer than two cells).
    pub failed: usize,
    /// The classical p-value where it is valid: X² against χ² with `df` degrees of freedom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asymptotic_p_value: Option<f64>,
    /// Degrees of freedom of the classical p-value (cells − 1 − estimated parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub df: Option<usize>,
    /// Number of cells after pooling (X² only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells: Option<usize>,
}

/// Goodness-of-fit statistics of a fit with their p-values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodnessOfFit {
    /// Canonical family name.
    pub family: String,
    /// Number of observations tested (Σwᵢ with frequency weights).
    pub n: usize,
    /// Bootstrap replicates asked for.
    pub replicates: usize,
    /// Seed of the replicate streams.
    pub seed: u64,
    /// The statistics, in the order listed in the module documentation.
    pub statistics: Vec<GofStatistic>,
    /// How the p-values were obtained and what to make of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How to test.
#[derive(Debug, Clone)]
pub struct GofOptions {
    /// Bootstrap replicates B (0: statistics only, no p-values).
    pub replicates: usize,
    /// Seed of the replicate streams.
    pub seed: u64,
    /// Options of the refits; the fit's fixed parameters are held in any case.
    pub fit: FitOptions,
}

impl Default for GofOptions {
    fn default() -> Self {
        GofOptions {
            replicates: 999,
            seed: 0,
            fit: FitOptions::default(),
        }
    }
}

/// The EDF statistics of a sample's probability integral transforms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdfStatistics {
    /// Kolmogorov–Smirnov D.
    pub kolmogorov_smirnov: f64,
    /// Cramér–von Mises W².
    pub cramer_von_mises: f64,
    /// Anderson–Darling A².
    pub anderson_darling: f64,
}

/// D, W² and A² of probability integral transforms uᵢ = F(xᵢ) (any order; sorted here).
/// NaN statistics for no values.
pub fn edf_statistics(pit: &[f64]) -> EdfStatistics {
    let mut u: Vec<f64> = pit
        .iter()
        .map(|&v| v.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0))
        .collect();
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    if u.is_empty() {
        let nan = f64::NAN;
        return EdfStatistics {
            kolmogorov_smirnov: nan,
            cramer_von_mises: nan,
            anderson_darling: nan,
        };
    }
    let (mut d, mut w2, mut a2) = (0.0f64, 0.0, 0.0);
    let last = u.len() - 1;
    for (i, &ui) in u.iter().enumerate() {
        let i = i as f64;
        d = d.max((i + 1.0) / n - ui).max(ui - i / n);
        w2 += (ui - (2.0 * i + 1.0) / (2.0 * n)).powi(2);
        a2 += (2.0 * i + 1.0) * (ui.ln() + (1.0 - u[last - i as usize]).ln());
    }
    EdfStatistics {
        kolmogorov_smirnov: d,
        cramer_von_mises: w2 + 1.0 / (12.0 * n),
        anderson_darling: -n - a2 / n,
    }
}

/// Pearson's X² of counts under a discrete model, with the pooled cells.
#[derive(Debug, Clone, PartialEq)]
pub struct PearsonChiSquared {
    /// Σ (O − E)²/E.
    pub statistic: f64,
    /// (observed, expected) per pooled cell, in order of the support.
    pub cells: Vec<(f64, f64)>,
}

/// Pearson's X² of `counts` (distinct values with their counts, increasing) under the discrete
/// `family` at θ, cells pooled to expected counts ≥ [`MIN_EXPECTED`]. `None` when fewer than
/// two cells remain.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] when the family has no CDF; [`ErrorKind::BeyondLimits`] when
/// the observed range spans more than 1e8 cells or reaches 2⁵³.
pub fn pearson_chi_squared(
    family: &dyn Family,
    theta: &[f64],
    counts: &[(f64, f64)],
) -> Result<Option<PearsonChiSquared>> {
    let n: f64 = counts.iter().map(|c| c.1).sum();
    let pmf = |x: f64| family.ln_density_derivs(theta, x, None, None).exp();
    let mut cells: Vec<(f64, f64)> = Vec::new();
    if family.support() == Support::Labels {
        // One parameter per observed level: the cells are the levels.
        for &(x, c) in counts {
            cells.push((c, n * pmf(x)));
        }
    } else {
        let (Some(&(lo, _)), Some(&(hi, _))) = (counts.first(), counts.last()) else {
            return Ok(None);
        };
        // Beyond 2⁵³ the cell walk's `x += 1` would stand still; the data, not the options,
        // are what the test cannot take (exit 1, not 2).
        if hi - lo + 1.0 > MAX_CELLS || lo.abs().max(hi.abs()) >= 2f64.powi(53) {
            return Err(ErrorKind::BeyondLimits {
                reason: format!(
                    "the counts span {} to {}: a χ² test over their cells needs fewer than {} \
                     cells and counts below 2^53 (9.0e15)",
                    crate::numeric::format::sig(lo, 4),
                    crate::numeric::format::sig(hi, 4),
                    crate::numeric::format::sig(MAX_CELLS, 2)
                ),
            }
            .into());
        }
        let cdf = |x: f64| {
            family.cdf(theta, x).ok_or_else(|| {
                crate::error::Error::from(ErrorKind::InvalidOption {
                    reason: format!("{} has no CDF for a χ² test", family.name()),
                })
            })
        };
        let below = cdf(lo - 1.0)?;
        let above = 1.0 - cdf(hi)?;
        let mut next = counts.iter().peekable();
        let mut x = lo;
        while x <= hi {
            let observed = match next.peek() {
                Some(&&(v, c)) if v == x => {
                    next.next();
                    c
                }
                _ => 0.0,
            };
            cells.push((observed, n * pmf(x)));
            x += 1.0;
        }
        cells[0].1 += n * below.max(0.0);
        let last = cells.len() - 1;
        cells[last].1 += n * above.max(0.0);
    }
    let pooled = pool(&cells);
    if pooled.len() < 2 {
        return Ok(None);
    }
    let statistic = pooled.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    Ok(Some(PearsonChiSquared {
        statistic,
        cells: pooled,
    }))
}

/// Pool neighbouring cells left to right until each expected count is ≥ [`MIN_EXPECTED`]; a
/// remainder joins the last pooled cell.
fn pool(cells: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    for &(co, ce) in cells {
        o += co;
        e += ce;
        if e >= MIN_EXPECTED {
            out.push((o, e));
            o = 0.0;
            e = 0.0;
        }
    }
    if o > 0.0 || e > 0.0 {
        match out.last_mut() {
            Some(last) => {
                last.0 += o;
                last.1 += e;
            }
            None => out.push((o, e)),
        }
    }
    out
}

/// The data a test sees: the values repeated by their (integer) weights for a continuous
/// family, the distinct values with their counts for a discrete one.
enum Data {
    Continuous(Vec<f64>),
    Discrete(Vec<(f64, f64)>),
}

impl Data {
    fn of(model: &dyn Family, sample: &Sample) -> Result<Data> {
        if sample.trials().is_some() {
            return Err(refuse(
                "goodness-of-fit tests need one distribution for all rows, not a per-row number of trials",
            ));
        }
        if model.support() == Support::Angle {
            return Err(refuse(
                "goodness-of-fit tests need a CDF with an origin, which angles do not have",
            ));
        }
        if let Some(w) = sample.weights() {
            if let Some(i) = w.iter().position(|w| w.fract() != 0.0) {
                return Err(refuse(&format!(
                    "goodness-of-fit tests take weights as frequencies, but the weight {} of row {} \
                     is not an integer",
                    w[i],
                    i + 1
                )));
            }
            if w.iter().sum::<f64>() > MAX_CELLS {
                return Err(refuse("the weights sum to more than 1e8 observations"));
            }
        }
        if model.support().is_discrete() {
            return Ok(Data::Discrete(sample.distinct().to_vec()));
        }
        let mut values = Vec::new();
        for (i, &x) in sample.values().iter().enumerate() {
            for _ in 0..sample.weight(i) as usize {
                values.push(x);
            }
        }
        Ok(Data::Continuous(values))
    }

    fn n(&self) -> usize {
        match self {
            Data::Continuous(v) => v.len(),
            Data::Discrete(c) => c.iter().map(|c| c.1).sum::<f64>() as usize,
        }
    }

    fn names(&self) -> &'static [&'static str] {
        match self {
            Data::Continuous(_) => &[KOLMOGOROV_SMIRNOV, CRAMER_VON_MISES, ANDERSON_DARLING],
            Data::Discrete(_) => &[PEARSON_CHI_SQUARED],
        }
    }

    /// The statistics (in the order of `names`); `None` for one that cannot be computed, and
    /// for X² also the number of cells.
    fn statistics(&self, model: &dyn Family, theta: &[f64]) -> Result<(Vec<Option<f64>>, usize)> {
        match self {
            Data::Continuous(values) => {
                let pit = values
                    .iter()
                    .map(|&x| {
                        model.cdf(theta, x).ok_or_else(|| {
                            refuse(&format!(
                                "{} has no CDF for a goodness-of-fit test",
                                model.name()
                            ))
                        })
                    })
                    .collect::<Result<Vec<f64>>>()?;
                let s = edf_statistics(&pit);
                Ok((
                    vec![
                        Some(s.kolmogorov_smirnov),
                        Some(s.cramer_von_mises),
                        Some(s.anderson_darling),
                    ],
                    0,
                ))
            }
            Data::Discrete(counts) => {
                let x2 = pearson_chi_squared(model, theta, counts)?;
                let cells = x2.as_ref().map_or(0, |x| x.cells.len());
                Ok((vec![x2.map(|x| x.statistic)], cells))
            }
        }
    }
}

fn refuse(reason: &str) -> crate::error::Error {
    ErrorKind::InvalidOption {
        reason: reason.to_string(),
    }
    .into()
}

/// Test `fit` (of `family` to `sample`): the statistics of the data under θ̂ and their
/// parametric-bootstrap p-values from `options.replicates` refitted replicates.
///
/// `progress` is called as replicates finish (see [`replicate`]).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for non-integer weights, per-row trials, angles, a family
/// without a CDF, a fit that did not converge, or counts that leave fewer than two χ² cells;
/// the errors of specialising `family` to `sample`.
pub fn gof_test(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    options: &GofOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<GoodnessOfFit> {
    let refitter = Refitter::new(family, sample, fit, &options.fit)?;
    let model = refitter.model();
    let data = Data::of(model, sample)?;
    let names = data.names();
    let (observed, cells) = data.statistics(model, &refitter.theta)?;
    if observed.iter().any(Option::is_none) {
        return Err(refuse(&format!(
            "the χ² test needs at least two cells with expected count ≥ {MIN_EXPECTED}, and these \
             {} observations give fewer",
            data.n()
        )));
    }
    let observed: Vec<f64> = observed.into_iter().flatten().collect();
    let n = data.n();
    let work = |_: usize, rng: &mut ChaCha8Rng| -> std::result::Result<Vec<Option<f64>>, String> {
        let s = refitter
            .simulate_unweighted(n, rng)
            .map_err(|e| e.to_string())?;
        let f = refitter.refit(&s)?;
        let d = Data::of(model, &s).map_err(|e| e.to_string())?;
        Ok(d.statistics(model, &f.theta())
            .map_err(|e| e.to_string())?
            .0)
    };
    let outcomes = replicate(options.replicates, options.seed, progress, work);
    let mut refit_failures = 0;
    let mut first_failure: Option<String> = None;
    let mut exceed = vec![0usize; names.len()];
    let mut done = vec![0usize; names.len()];
    for outcome in &outcomes {
        match outcome {
            Ok(values) => {
                for (s, v) in values.iter().enumerate() {
                    if let Some(v) = v {
                        done[s] += 1;
                        // Ties (discrete statistics, closed-form refits) count as ≥; the
                        // tolerance absorbs rounding in recomputing an equal statistic.
                        if *v >= observed[s] - 1e-12 * observed[s].abs() {
                            exceed[s] += 1;
                        }
                    }
                }
            }
            Err(reason) => {
                refit_failures += 1;
                first_failure.get_or_insert_with(|| reason.clone());
            }
        }
    }
    let k = fit
        .params
        .0
        .len()
        .saturating_sub(fit.fixed.len())
        .saturating_sub(model.equality_constraints());
    let statistics = names
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let (asymptotic_p_value, df, cells) = if *name == PEARSON_CHI_SQUARED {
                let df = cells.checked_sub(1 + k).filter(|&d| d > 0);
                let p = df.and_then(|d| ChiSquared::new(d as f64).ok().map(|c| c.sf(observed[s])));
                (p, df, Some(cells))
            } else {
                (None, None, None)
            };
            GofStatistic {
                name: name.to_string(),
                value: observed[s],
                p_value: (done[s] > 0).then(|| (1 + exceed[s]) as f64 / (1 + done[s]) as f64),
                replicates: done[s],
                failed: options.replicates - done[s],
                asymptotic_p_value,
                df,
                cells,
            }
        })
        .collect();
    let mut notes = vec![match data {
        Data::Continuous(_) => "p-values by parametric bootstrap with refitting; the classical \
            Kolmogorov–Smirnov, Cramér–von Mises and Anderson–Darling p-values assume known \
            parameters and are not valid with estimated ones, so they are not reported"
            .to_string(),
        Data::Discrete(_) => format!(
            "p-value by parametric bootstrap with refitting; the asymptotic p-value uses χ² with \
             cells − 1 − {k} degrees of freedom, approximate because the parameters were \
             estimated from the ungrouped data"
        ),
    }];
    if let Some(reason) = first_failure {
        notes.push(format!(
            "{refit_failures} of {} replicates failed and are left out (the first: {reason})",
            options.replicates
        ));
    }
    Ok(GoodnessOfFit {
        family: fit.family.clone(),
        n,
        replicates: options.replicates,
        seed: options.seed,
        statistics,
        note: Some(notes.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::lookup;

    #[test]
    fn edf_statistics_of_a_perfectly_spread_sample() {
        // uᵢ = (2i − 1)/(2n): W² = 1/(12n), D = 1/(2n).
        let n = 10;
        let u: Vec<f64> = (1..=n)
            .map(|i| (2 * i - 1) as f64 / (2 * n) as f64)
            .collect();
        let s = edf_statistics(&u);
        assert!((s.kolmogorov_smirnov - 0.05).abs() < 1e-15);
        assert!((s.cramer_von_mises - 1.0 / 120.0).abs() < 1e-15);
        assert!(s.anderson_darling > 0.0 && s.anderson_darling < 0.2);
    }

    #[test]
    fn pooling_keeps_totals_and_minimum_expected() {
        let cells = [(1.0, 0.5), (3.0, 4.6), (10.0, 9.0), (2.0, 1.0), (0.0, 0.3)];
        let p = pool(&cells);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].0, p[1].0), (4.0, 12.0));
        assert!((p[0].1 - 5.1).abs() < 1e-12 && (p[1].1 - 10.3).abs() < 1e-12);
        // Nothing reaches 5: one cell with everything.
        assert_eq!(pool(&[(1.0, 1.0), (2.0, 2.0)]), vec![(3.0, 3.0)]);
    }

    #[test]
    fn poisson_chi_squared_by_hand() {
        // 20 counts; θ = 1.5 given; cells {0,1,2,≥3} after pooling expected ≥ 5.
        let counts = [(0.0, 4.0), (1.0, 7.0), (2.0, 5.0), (3.0, 3.0), (5.0, 1.0)];
        let poisson = lookup("poisson").unwrap();
        let x2 = pearson_chi_squared(poisson, &[1.5], &counts)
            .unwrap()
            .unwrap();
        let p = |k: i32| (-1.5f64).exp() * 1.5f64.powi(k) / [1.0, 1.0, 2.0, 6.0][k as usize];
        let e = [20.0 * p(0), 20.0 * p(1), 20.0 * p(2)];
        // E(0) = 4.46 < 5 pools with 1: cells {0,1}, {2}, {≥3}? E(2) = 5.02 ≥ 5; E(≥3) = 3.83 < 5
        // joins the last: cells {0,1}, {≥2}.
        let e01 = e[0] + e[1];
        let e2plus = 20.0 - e01;
        let want = (11.0 - e01).powi(2) / e01 + (9.0 - e2plus).powi(2) / e2plus;
        assert_eq!(x2.cells.len(), 2);
        assert!(
            (x2.statistic - want).abs() < 1e-12,
            "{} vs {want}",
            x2.statistic
        );
    }
}
