//! Data: the [`Sample`] every fit consumes, and readers that produce one.
//!
//! A `Sample` owns its values as one contiguous `Vec<f64>` (the hot loops of the non-exponential
//! families stream over it) and computes, once and only when asked, what does not depend on the
//! parameters: the [`Summary`] (sufficient statistics of the exponential families), `ln x`, and
//! the table of distinct values (discrete families evaluate each distinct count once).

pub mod censoring;
pub mod csv;
pub mod observation;

use std::sync::OnceLock;

use crate::error::{ErrorKind, Location, Result};
use crate::sum::CompensatedSum;

pub use observation::{Bounds, Columns, FamilyInputs, Kind};

/// Where the values of a sample came from, so errors about a value can name its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The path or `<stdin>`.
    pub source: String,
    /// The column's name (header) or `#N`.
    pub column: String,
    /// For each value, its 1-based line number in the source.
    pub lines: Vec<u64>,
}

/// Parameter-free statistics of a sample, computed in one pass with compensated sums.
///
/// With weights, every mean is a weighted mean and `total_weight` is Σwᵢ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Σwᵢ (= n without weights).
    pub total_weight: f64,
    /// Weighted mean of x.
    pub mean: f64,
    /// Weighted biased variance of x (divisor Σwᵢ).
    pub variance: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Weighted mean of ln x; NaN unless every value is > 0.
    pub mean_ln: f64,
    /// Weighted biased variance of ln x; NaN unless every value is > 0.
    pub variance_ln: f64,
    /// Weighted mean of ln(1 − x); NaN unless every value is < 1.
    pub mean_ln_1m: f64,
    /// ln x̄ − mean(ln x) ≥ 0 (Jensen's gap), computed as mean(−ln(1 + (x − x̄)/x̄)) so that it
    /// keeps its relative accuracy for nearly constant data, where the direct difference of two
    /// nearly equal logarithms would not; NaN unless every value is > 0.
    pub log_mean_gap: f64,
    /// Every value is an integer.
    pub all_integer: bool,
}

/// Rows by observation kind (see [`Sample::kind_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KindCounts {
    /// Exact values.
    pub exact: usize,
    /// Right-censored rows (value above a bound).
    pub right: usize,
    /// Left-censored rows (value at most a bound).
    pub left: usize,
    /// Interval-censored rows.
    pub interval: usize,
    /// Rows with a finite truncation bound.
    pub truncated: usize,
}

impl KindCounts {
    /// "165 exact, 63 right-censored, 10 truncated": the non-zero counts.
    pub fn describe(&self) -> String {
        let parts = [
            (self.exact, "exact"),
            (self.right, "right-censored"),
            (self.left, "left-censored"),
            (self.interval, "interval-censored"),
            (self.truncated, "truncated"),
        ];
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A univariate sample: values, the per-row [`Columns`] (weights, family inputs), and optional
/// provenance.
#[derive(Debug)]
pub struct Sample {
    values: Vec<f64>,
    columns: Columns,
    origin: Option<Origin>,
    summary: OnceLock<Summary>,
    ln_values: OnceLock<Vec<f64>>,
    distinct: OnceLock<Vec<(f64, f64)>>,
    sorted: OnceLock<Vec<f64>>,
    levels: Option<Vec<String>>,
}

impl Clone for Sample {
    fn clone(&self) -> Self {
        Sample {
            values: self.values.clone(),
            columns: self.columns.clone(),
            origin: self.origin.clone(),
            summary: OnceLock::new(),
            ln_values: OnceLock::new(),
            distinct: OnceLock::new(),
            sorted: OnceLock::new(),
            levels: self.levels.clone(),
        }
    }
}

impl Sample {
    /// A sample of finite values.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if `values` is empty or holds a NaN or infinity.
    pub fn new(values: Vec<f64>) -> Result<Sample> {
        if values.is_empty() {
            return Err(ErrorKind::InvalidOption {
                reason: "the sample is empty".into(),
            }
            .into());
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(ErrorKind::InvalidOption {
                reason: format!("value {} at index {i} is not finite", values[i]),
            }
            .into());
        }
        Ok(Sample {
            values,
            columns: Columns::default(),
            origin: None,
            summary: OnceLock::new(),
            ln_values: OnceLock::new(),
            distinct: OnceLock::new(),
            sorted: OnceLock::new(),
            levels: None,
        })
    }

    /// A sample of censored observations: row i is known only to lie in (lowerᵢ, upperᵢ]; an
    /// exact value has lowerᵢ = upperᵢ, left censoring lowerᵢ = −∞, right censoring upperᵢ = +∞.
    ///
    /// [`Sample::values`] then holds a representative point of each row (the exact value, the
    /// finite end of a half-open interval, the midpoint of a closed one): it serves starting
    /// values and summaries only; the likelihood reads the bounds. Without a censored row the
    /// sample is exact, as from [`Sample::new`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the lengths differ or are zero, a bound is NaN, an exact
    /// value is infinite, lowerᵢ > upperᵢ or both ends of a row are open.
    pub fn censored(lower: Vec<f64>, upper: Vec<f64>) -> Result<Sample> {
        if lower.len() != upper.len() {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{} lower bounds for {} upper bounds",
                    lower.len(),
                    upper.len()
                ),
            }
            .into());
        }
        let bad = |i: usize| {
            let (l, u) = (lower[i], upper[i]);
            l.is_nan()
                || u.is_nan()
                || l > u
                || l == f64::INFINITY
                || u == f64::NEG_INFINITY
                || (l == f64::NEG_INFINITY && u == f64::INFINITY)
        };
        if let Some(i) = (0..lower.len()).find(|&i| bad(i)) {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "censoring interval ({}, {}] at index {i} is not a proper interval",
                    lower[i], upper[i]
                ),
            }
            .into());
        }
        let values = lower
            .iter()
            .zip(&upper)
            .map(|(&l, &u)| match (l.is_finite(), u.is_finite()) {
                (true, true) => 0.5 * (l + u),
                (true, false) => l,
                _ => u,
            })
            .collect();
        let mut out = Sample::new(values)?;
        if lower.iter().zip(&upper).any(|(l, u)| l != u) {
            out.columns.censoring = Some(Bounds { lower, upper });
        }
        Ok(out)
    }

    /// Attach truncation bounds: row i could only have been observed inside [lowerᵢ, upperᵢ]
    /// (±∞ for no bound), so its likelihood is divided by P(lowerᵢ < X ≤ upperᵢ).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the lengths differ, a bound is NaN, lowerᵢ ≥ upperᵢ, an
    /// exact value lies outside its bounds or a censoring interval does not meet them.
    pub fn with_truncation(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Result<Sample> {
        if lower.len() != self.len() || upper.len() != self.len() {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{} lower and {} upper truncation bounds for {} rows",
                    lower.len(),
                    upper.len(),
                    self.len()
                ),
            }
            .into());
        }
        let (lo, hi) = match &self.columns.censoring {
            Some(c) => (c.lower.as_slice(), c.upper.as_slice()),
            None => (self.values.as_slice(), self.values.as_slice()),
        };
        // An exact value must lie inside its bounds; a censoring interval must meet them (the
        // likelihood clips it to them).
        let bad = |i: usize| {
            !(lower[i] < upper[i])
                || if lo[i] == hi[i] {
                    lo[i] < lower[i] || lo[i] > upper[i]
                } else {
                    hi[i] <= lower[i] || lo[i] >= upper[i]
                }
        };
        if let Some(i) = (0..lower.len()).find(|&i| bad(i)) {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "truncation bounds [{}, {}] at index {i} are not an interval around its value",
                    lower[i], upper[i]
                ),
            }
            .into());
        }
        self.columns.truncation = Some(Bounds { lower, upper });
        Ok(self)
    }

    /// Every row is an exact, untruncated value (see [`Columns::is_exact`]).
    pub fn is_exact(&self) -> bool {
        self.columns.is_exact()
    }

    /// The exact rows (positive weight) as an exact, untruncated sample, with their weights and
    /// family inputs: the ln f part of a censored or truncated sample's likelihood. `None` when
    /// there is none.
    pub fn exact_part(&self) -> Option<Sample> {
        let rows: Vec<usize> = (0..self.len())
            .filter(|&i| self.columns.kind(i) == Kind::Exact && self.weight(i) > 0.0)
            .collect();
        if rows.is_empty() {
            return None;
        }
        let mut out = self.select(&rows);
        out.columns.censoring = None;
        out.columns.truncation = None;
        Some(out)
    }

    /// The same rows as exact values at their representative points (see
    /// [`Sample::censored`]), without censoring or truncation: what a family's initial
    /// estimate sees when the sample is censored (an exact sample is returned as it is).
    pub fn representative(&self) -> Sample {
        let mut out = self.clone();
        out.columns.censoring = None;
        out.columns.truncation = None;
        out
    }

    /// How many rows with positive weight are of each kind, and how many are truncated (a
    /// finite truncation bound).
    pub fn kind_counts(&self) -> KindCounts {
        let mut c = KindCounts::default();
        for i in (0..self.len()).filter(|&i| self.weight(i) > 0.0) {
            match self.columns.kind(i) {
                Kind::Exact => c.exact += 1,
                Kind::LeftCensored => c.left += 1,
                Kind::RightCensored => c.right += 1,
                Kind::Interval => c.interval += 1,
            }
            if let Some(t) = &self.columns.truncation {
                if t.lower[i] > f64::NEG_INFINITY || t.upper[i] < f64::INFINITY {
                    c.truncated += 1;
                }
            }
        }
        c
    }

    /// Attach observation weights (frequency or importance weights).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the lengths differ, a weight is negative or not finite, or
    /// all weights are zero.
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Sample> {
        if weights.len() != self.values.len() {
            return Err(ErrorKind::InvalidOption {
                reason: format!("{} weights for {} values", weights.len(), self.values.len()),
            }
            .into());
        }
        if let Some(i) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "weight {} at index {i} is not a finite non-negative number",
                    weights[i]
                ),
            }
            .into());
        }
        if weights.iter().all(|w| *w == 0.0) {
            return Err(ErrorKind::InvalidOption {
                reason: "all weights are zero".into(),
            }
            .into());
        }
        self.columns.weights = Some(weights);
        self.summary = OnceLock::new();
        self.distinct = OnceLock::new();
        Ok(self)
    }

    /// Attach provenance so that errors about a value name its line and column.
    pub fn with_origin(mut self, origin: Origin) -> Sample {
        debug_assert_eq!(origin.lines.len(), self.values.len());
        self.origin = Some(origin);
        self
    }

    /// Attach level names: the values are then codes 0, 1, … indexing `levels` (labelled data
    /// for the categorical family).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if a value is not a valid code.
    pub fn with_levels(mut self, levels: Vec<String>) -> Result<Sample> {
        if let Some(v) = self
            .values
            .iter()
            .find(|v| !(v.fract() == 0.0 && **v >= 0.0 && (**v as usize) < levels.len()))
        {
            return Err(ErrorKind::InvalidOption {
                reason: format!("{v} is not a code of one of {} levels", levels.len()),
            }
            .into());
        }
        self.levels = Some(levels);
        Ok(self)
    }

    /// Attach a per-row number of trials (binomial-type families take their `size` from it).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the lengths differ or a value is not an integer ≥ 1.
    pub fn with_trials(mut self, trials: Vec<f64>) -> Result<Sample> {
        if trials.len() != self.values.len() {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{} trial counts for {} values",
                    trials.len(),
                    self.values.len()
                ),
            }
            .into());
        }
        if let Some(i) = trials
            .iter()
            .position(|t| !(*t >= 1.0 && t.fract() == 0.0 && t.is_finite()))
        {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "number of trials {} at index {i} is not an integer ≥ 1",
                    trials[i]
                ),
            }
            .into());
        }
        self.columns.inputs.trials = Some(trials);
        self.distinct = OnceLock::new();
        Ok(self)
    }

    /// The per-row number of trials, if any (see [`Sample::with_trials`]).
    pub fn trials(&self) -> Option<&[f64]> {
        self.columns.inputs.trials()
    }

    /// The per-row family inputs (empty when the family's parameters are the same for every
    /// row).
    pub fn family_inputs(&self) -> &FamilyInputs {
        &self.columns.inputs
    }

    /// The per-row columns beside the values.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// The rows `picks` (indices into this sample, repeats allowed), each keeping every per-row
    /// column and the level names; provenance is dropped. Resampling goes through here so that
    /// a new column travels with its rows without further code.
    pub fn select(&self, picks: &[usize]) -> Sample {
        Sample {
            values: picks.iter().map(|&i| self.values[i]).collect(),
            columns: self.columns.select(picks),
            origin: None,
            summary: OnceLock::new(),
            ln_values: OnceLock::new(),
            distinct: OnceLock::new(),
            sorted: OnceLock::new(),
            levels: self.levels.clone(),
        }
    }

    /// The same rows (weights, provenance, trials, truncation) with new exact values: censoring
    /// is dropped and level names are dropped.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if the length differs or a value is not finite.
    pub fn with_values(self, values: Vec<f64>) -> Result<Sample> {
        if values.len() != self.values.len() {
            return Err(ErrorKind::InvalidOption {
                reason: format!("{} values for {} rows", values.len(), self.values.len()),
            }
            .into());
        }
        let mut out = Sample::new(values)?;
        out.columns = Columns {
            censoring: None,
            ..self.columns
        };
        out.origin = self.origin;
        Ok(out)
    }

    /// The level names of labelled data (see [`Sample::with_levels`]).
    pub fn levels(&self) -> Option<&[String]> {
        self.levels.as_deref()
    }

    /// The values.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The weights, if any.
    pub fn weights(&self) -> Option<&[f64]> {
        self.columns.weights.as_deref()
    }

    /// Weight of value `i` (1 without weights).
    #[inline]
    pub fn weight(&self, i: usize) -> f64 {
        self.columns.weights.as_ref().map_or(1.0, |w| w[i])
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a `Sample` cannot be empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Where the values came from, if known.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// The location of value `i` in its source, if known.
    pub fn location(&self, i: usize) -> Option<Location> {
        self.origin.as_ref().map(|o| Location {
            source: o.source.clone(),
            line: o.lines[i],
            column: o.column.clone(),
        })
    }

    /// Parameter-free statistics, computed on first use.
    pub fn summary(&self) -> &Summary {
        self.summary.get_or_init(|| self.compute_summary())
    }

    /// ln xᵢ for every value (NaN where xᵢ ≤ 0), computed on first use.
    pub fn ln_values(&self) -> &[f64] {
        self.ln_values.get_or_init(|| {
            self.values
                .iter()
                .map(|x| if *x > 0.0 { x.ln() } else { f64::NAN })
                .collect()
        })
    }

    /// The distinct values in increasing order, each with its total weight (its count without
    /// weights); discrete families evaluate each distinct value once.
    pub fn distinct(&self) -> &[(f64, f64)] {
        self.distinct.get_or_init(|| {
            let mut pairs: Vec<(f64, f64)> = (0..self.values.len())
                .map(|i| (self.values[i], self.weight(i)))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut out: Vec<(f64, f64)> = Vec::new();
            for (x, w) in pairs {
                match out.last_mut() {
                    Some(last) if last.0 == x => last.1 += w,
                    _ => out.push((x, w)),
                }
            }
            out
        })
    }

    /// The values in increasing order, computed on first use.
    pub fn sorted_values(&self) -> &[f64] {
        self.sorted.get_or_init(|| {
            let mut v = self.values.clone();
            v.sort_by(f64::total_cmp);
            v
        })
    }

    /// The unweighted sample quantile at probability `p` ∈ [0, 1], interpolating linearly
    /// between order statistics (Hyndman & Fan type 7, R's default).
    pub fn quantile(&self, p: f64) -> f64 {
        let v = self.sorted_values();
        let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(v.len() - 1);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    }

    /// The weighted mean of per-row `values` (one per row of this sample, e.g. each row's
    /// −ln p(xᵢ)) and its standard error, rows of weight 0 ignored: the weighted variance with
    /// the n/(n − 1) correction over the n used rows, divided by n. The error is NaN below two
    /// rows.
    pub fn mean_se(&self, values: &[f64]) -> (f64, f64) {
        // West's weighted running mean and sum of squares: one pass, no cancellation.
        let (mut w, mut m, mut m2) = (0.0, 0.0, 0.0);
        let mut n = 0usize;
        for (i, v) in values.iter().enumerate() {
            let wi = self.weight(i);
            if wi == 0.0 {
                continue;
            }
            n += 1;
            w += wi;
            let d = v - m;
            m += wi * d / w;
            m2 += wi * d * (v - m);
        }
        if n < 2 {
            return (m, f64::NAN);
        }
        let sd = (m2 / w * n as f64 / (n as f64 - 1.0)).sqrt();
        (m, sd / (n as f64).sqrt())
    }

    /// A robust spread: IQR / 1.349 (the sd for normal data), falling back to the standard
    /// deviation and then to 1 when the data are too concentrated for the IQR.
    pub fn robust_scale(&self) -> f64 {
        let iqr = self.quantile(0.75) - self.quantile(0.25);
        if iqr > 0.0 {
            iqr / 1.349
        } else if self.summary().variance > 0.0 {
            self.summary().variance.sqrt()
        } else {
            1.0
        }
    }

    fn compute_summary(&self) -> Summary {
        let n = self.values.len();
        let (mut w_sum, mut wx) = (CompensatedSum::default(), CompensatedSum::default());
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut all_integer = true;
        // Rows with zero weight are excluded everywhere, exactly as if dropped.
        for (i, &x) in self.values.iter().enumerate() {
            let w = self.weight(i);
            if w == 0.0 {
                continue;
            }
            w_sum.add(w);
            wx.add(w * x);
            min = min.min(x);
            max = max.max(x);
            all_integer &= x.fract() == 0.0;
        }
        let total_weight = w_sum.value();
        let mean = wx.value() / total_weight;
        let positive = min > 0.0;
        let below_one = max < 1.0;
        let (mut ss, mut sl, mut sl1m) = (
            CompensatedSum::default(),
            CompensatedSum::default(),
            CompensatedSum::default(),
        );
        for (i, &x) in self.values.iter().enumerate() {
            let w = self.weight(i);
            if w == 0.0 {
                continue;
            }
            let d = x - mean;
            ss.add(w * d * d);
            if positive {
                sl.add(w * x.ln());
            }
            if below_one {
                sl1m.add(w * (-x).ln_1p());
            }
        }
        let mean_ln = if positive {
            sl.value() / total_weight
        } else {
            f64::NAN
        };
        let variance_ln = if positive {
            let mut s = CompensatedSum::default();
            for (i, &x) in self.values.iter().enumerate() {
                let w = self.weight(i);
                if w > 0.0 {
                    let d = x.ln() - mean_ln;
                    s.add(w * d * d);
                }
            }
            s.value() / total_weight
        } else {
            f64::NAN
        };
        Summary {
            n,
            total_weight,
            mean,
            variance: ss.value() / total_weight,
            min,
            max,
            mean_ln,
            variance_ln,
            mean_ln_1m: if below_one {
                sl1m.value() / total_weight
            } else {
                f64::NAN
            },
            log_mean_gap: if positive {
                let mut g = CompensatedSum::default();
                for (i, &x) in self.values.iter().enumerate() {
                    let w = self.weight(i);
                    if w > 0.0 {
                        // ln(x̄/x): through ln_1p where x is near x̄ (no cancellation), directly
                        // where they differ by more than a factor 1.5.
                        let r = (x - mean) / mean;
                        g.add(
                            w * if r.abs() < 0.5 {
                                -r.ln_1p()
                            } else {
                                mean.ln() - x.ln()
                            },
                        );
                    }
                }
                (g.value() / total_weight).max(0.0)
            } else {
                f64::NAN
            },
            all_integer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_small_sample() {
        let s = Sample::new(vec![1.0, 2.0, 4.0]).unwrap();
        let m = s.summary();
        assert_eq!(m.n, 3);
        assert!((m.mean - 7.0 / 3.0).abs() < 1e-15);
        assert!((m.variance - (16.0 / 9.0 + 1.0 / 9.0 + 25.0 / 9.0) / 3.0).abs() < 1e-15);
        assert!((m.mean_ln - (8f64).ln() / 3.0).abs() < 1e-15);
        assert!(m.mean_ln_1m.is_nan());
        assert!(m.all_integer);
        assert_eq!((m.min, m.max), (1.0, 4.0));
    }

    #[test]
    fn integer_weights_equal_repetition() {
        let a = Sample::new(vec![1.0, 2.0, 2.0, 2.0, 5.0]).unwrap();
        let b = Sample::new(vec![1.0, 2.0, 5.0])
            .unwrap()
            .with_weights(vec![1.0, 3.0, 1.0])
            .unwrap();
        let (x, y) = (a.summary(), b.summary());
        assert!((x.mean - y.mean).abs() < 1e-15);
        assert!((x.variance - y.variance).abs() < 1e-15);
        assert!((x.mean_ln - y.mean_ln).abs() < 1e-15);
        assert_eq!(b.distinct(), &[(1.0, 1.0), (2.0, 3.0), (5.0, 1.0)]);
        assert_eq!(a.distinct(), b.distinct());
    }

    #[test]
    fn compensated_mean_keeps_digits_on_a_large_offset() {
        let values: Vec<f64> = (0..100_000).map(|i| 1e9 + (i % 10) as f64 * 0.1).collect();
        let s = Sample::new(values).unwrap();
        assert!((s.summary().mean - (1e9 + 0.45)).abs() < 1e-6);
        assert!((s.summary().variance - 0.0825).abs() < 1e-6);
    }

    #[test]
    fn quantiles_match_r_type_7() {
        // R: quantile(c(5, 1, 4, 2, 3, 10), c(0, .25, .5, .9, 1)) = 1, 2.25, 3.5, 7.5, 10
        let s = Sample::new(vec![5.0, 1.0, 4.0, 2.0, 3.0, 10.0]).unwrap();
        let q: Vec<f64> = [0.0, 0.25, 0.5, 0.9, 1.0]
            .iter()
            .map(|&p| s.quantile(p))
            .collect();
        assert_eq!(q, vec![1.0, 2.25, 3.5, 7.5, 10.0]);
        assert!((s.robust_scale() - (4.75 - 2.25) / 1.349).abs() < 1e-15);
    }

    #[test]
    fn rejects_non_finite_and_bad_weights() {
        assert!(Sample::new(vec![]).is_err());
        assert!(Sample::new(vec![1.0, f64::NAN]).is_err());
        let s = Sample::new(vec![1.0, 2.0]).unwrap();
        assert!(s.with_weights(vec![1.0, -1.0]).is_err());
        let s = Sample::new(vec![1.0, 2.0]).unwrap();
        assert!(s.with_weights(vec![0.0, 0.0]).is_err());
    }

    #[test]
    fn select_keeps_every_per_row_column() {
        let s = Sample::new(vec![1.0, 2.0, 3.0])
            .unwrap()
            .with_weights(vec![0.5, 1.0, 2.0])
            .unwrap()
            .with_trials(vec![4.0, 5.0, 6.0])
            .unwrap();
        let r = s.select(&[2, 0, 2]);
        assert_eq!(r.values(), &[3.0, 1.0, 3.0]);
        assert_eq!(r.weights(), Some(&[2.0, 0.5, 2.0][..]));
        assert_eq!(r.trials(), Some(&[6.0, 4.0, 6.0][..]));
        assert!(Sample::new(vec![1.0]).unwrap().family_inputs().is_empty());
    }

    #[test]
    fn censored_rows_have_kinds_and_representative_values() {
        let inf = f64::INFINITY;
        let s = Sample::censored(vec![1.0, 2.0, -inf, 3.0], vec![1.0, inf, 0.5, 5.0]).unwrap();
        assert!(!s.is_exact());
        assert_eq!(s.values(), &[1.0, 2.0, 0.5, 4.0]);
        let kinds: Vec<Kind> = (0..4).map(|i| s.columns().kind(i)).collect();
        assert_eq!(
            kinds,
            [
                Kind::Exact,
                Kind::RightCensored,
                Kind::LeftCensored,
                Kind::Interval
            ]
        );
        let r = s.select(&[3, 0]);
        assert_eq!(r.columns().censoring().unwrap().lower(), &[3.0, 1.0]);
        assert_eq!(s.exact_part().unwrap().values(), &[1.0]);
        assert!(s.exact_part().unwrap().is_exact());
        // A truncation must hold exact values and meet intervals.
        let t = s
            .clone()
            .with_truncation(vec![0.0; 4], vec![6.0; 4])
            .unwrap();
        assert!(t.columns().truncation().is_some());
        assert!(s
            .clone()
            .with_truncation(vec![1.5; 4], vec![6.0; 4])
            .is_err());
        assert!(s.with_truncation(vec![0.0; 4], vec![0.0; 4]).is_err());
        assert!(Sample::censored(vec![2.0], vec![1.0]).is_err());
        assert!(Sample::censored(vec![-inf], vec![inf]).is_err());
        assert!(Sample::censored(vec![1.0, 2.0], vec![1.0, 2.0])
            .unwrap()
            .is_exact());
    }
}
