//! Model-free estimates of the data's own entropy H(p*), the lower bound of every family's
//! cross entropy: H(p*, p_θ) = H(p*) + KL(p* ‖ p_θ) ≥ H(p*). The gap between a fitted family's
//! cross entropy and this estimate estimates its KL divergence from the data.
//!
//! - Continuous data: the Kozachenko–Leonenko k-nearest-neighbour estimator in one dimension,
//!   Ĥ = ψ(n) − ψ(k) + (1/n) Σ ln(2ρᵢ), with ρᵢ the distance from xᵢ to its k-th nearest
//!   neighbour. The digamma terms are its bias correction (the naive ln n − ln k is biased);
//!   it is consistent for any density with finite entropy. Reference: Kozachenko & Leonenko,
//!   Probl. Inf. Transm. 23 (1987); Kraskov, Stögbauer & Grassberger, Phys. Rev. E 69 (2004),
//!   eq. 20.
//! - Discrete data: the plug-in entropy of the observed frequencies with the Miller–Madow
//!   correction (K − 1)/(2n) for K observed values. Reference: Miller (1955); Paninski,
//!   Neural Computation 15 (2003), §3.
//!
//! - Recorded data: values rounded or recorded on a grid of step h (see [`grid`]) have no
//!   density at the resolution they were recorded at; what they estimate is the entropy of
//!   the dequantised density (uniform within each cell), H_h = H(cells) + ln h, which is
//!   H(p*) + O(h²) for a smooth density. With enough rows per occupied cell (n ≥ 50 cells) it
//!   is the Miller–Madow plug-in entropy of the cells plus ln h, and a family is compared on
//!   the same scale by the probability of each cell; with sparse cells the values are
//!   dequantised at the detected step (the k-NN estimate of H_h); on heaped data with sparse
//!   cells no estimate is trustworthy and there is none.
//!
//! Standard errors are √(Var(hᵢ)/n) for the per-observation terms hᵢ (ln(2ρᵢ) + constants, or
//! −ln p̂(xᵢ)): the delta-method rate, which ignores the weak dependence between neighbouring
//! terms of the k-NN estimator.

use serde::Serialize;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use rand::{Rng, SeedableRng};

use crate::special::digamma;

pub mod grid;
pub use grid::Grid;

/// An entropy estimate in nats per observation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntropyEstimate {
    /// Which estimator.
    pub method: String,
    /// Ĥ in nats.
    pub entropy: f64,
    /// Its standard error.
    pub std_error: f64,
    /// Observations used.
    pub n: usize,
    /// The grid the estimate is on: the data's entropy is that of their density dequantised at
    /// this step, and a family is compared by the probability of each recorded cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid: Option<Grid>,
    /// Each row's term, in row order: Ĥ is their (weighted) mean, so that a family's per-row
    /// −ln p(xᵢ) minus these terms gives its KL estimate with a paired standard error.
    #[serde(skip)]
    pub terms: Vec<f64>,
}

/// Rows per occupied grid cell from which the plug-in entropy of the cells is used for
/// continuous data. The Miller–Madow correction leaves a bias from the sparse cells of the tails
/// that the paired standard error of a KL estimate does not cover: on a two-normal mixture
/// printed with three decimals (10⁵ rows, about 28 per cell) it is 0.004 nats, six standard
/// errors; from 50 rows per cell on it is below the noise, and sparser grids get the k-NN.
pub const DENSE_ROWS_PER_CELL: f64 = 50.0;

/// Rows per observed value from which the plug-in entropy is used for counts (whose mass
/// function need not be smooth from one integer to the next, as the k-NN would assume).
pub const DENSE_ROWS_PER_LEVEL: f64 = 5.0;

/// The entropy of recorded continuous data, the estimator chosen from their resolution (see
/// the module doc): the plug-in on the grid when its cells are dense, the k-NN estimate
/// dequantised at the grid step otherwise.
///
/// # Errors
/// Those of [`continuous`]; [`ErrorKind::InvalidOption`] for heaped data with sparse cells.
pub fn recorded(sample: &Sample) -> Result<EntropyEstimate> {
    let Some(grid) = grid::detect(sample) else {
        return continuous(sample, DEFAULT_K);
    };
    if grid.is_sequence(sample) {
        return Err(sequence());
    }
    let coarse = grid.coarsened(sample);
    // A single heaped value cannot be undone by coarsening.
    let lone_heap = coarse.is_none() && grid.heaping.is_some();
    let grid = coarse.unwrap_or(grid);
    if sample.weights().is_none() && dense(sample, &grid) {
        Ok(on_grid(sample, grid))
    } else if lone_heap {
        Err(heaped(grid.heaping.as_deref().unwrap_or("")))
    } else if has_ties(sample) || grid.heaping.is_some() {
        knn(sample, DEFAULT_K, Some(grid))
    } else {
        continuous(sample, DEFAULT_K)
    }
}

fn has_ties(sample: &Sample) -> bool {
    sample.sorted_values().windows(2).any(|w| w[0] == w[1])
}

fn sequence() -> crate::Error {
    ErrorKind::InvalidOption {
        reason: "the values are a regular sequence (every grid point from the smallest to the largest held once): an index or a run of years, not a sample from a distribution".into(),
    }
    .into()
}

fn heaped(h: &str) -> crate::Error {
    ErrorKind::InvalidOption {
        reason: format!(
            "heaped data ({h}) with too few rows per recorded value for the plug-in entropy: no estimate is trustworthy"
        ),
    }
    .into()
}

/// The entropy of the probability mass function of integer data: the plug-in with the
/// Miller–Madow correction when the values are dense (at least five rows per observed value),
/// otherwise the k-NN estimate of the data dequantised at their grid step h, less ln h (the
/// mass function of a smooth integer distribution is its dequantised density).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for heaped or otherwise sparse data without an estimate.
pub fn recorded_discrete(sample: &Sample) -> Result<EntropyEstimate> {
    let levels = sample.distinct().len() as f64;
    let n = sample.summary().total_weight;
    if n >= DENSE_ROWS_PER_LEVEL * levels || sample.weights().is_some() {
        return Ok(discrete(sample));
    }
    let sparse = || ErrorKind::InvalidOption {
        reason: format!(
            "{} rows on {} distinct values: too few rows per value for the plug-in entropy",
            n, levels
        ),
    };
    let grid = grid::detect(sample).ok_or_else(sparse)?;
    if grid.is_sequence(sample) {
        return Err(sequence());
    }
    if let Some(h) = &grid.heaping {
        return Err(heaped(h));
    }
    let mut e = knn(sample, DEFAULT_K, Some(grid.clone()))?;
    let ln_h = grid.step.ln();
    e.entropy -= ln_h;
    e.terms.iter_mut().for_each(|t| *t -= ln_h);
    e.method = format!("{}, as a mass function (− ln {})", e.method, fmt(grid.step));
    Ok(e)
}

fn fmt(x: f64) -> String {
    crate::numeric::format::sig(x, 3)
}

/// Whether the grid's occupied cells hold enough rows each for the plug-in entropy.
fn dense(sample: &Sample, grid: &Grid) -> bool {
    sample.summary().total_weight >= DENSE_ROWS_PER_CELL * grid.cells as f64
}

/// The Miller–Madow plug-in entropy of the cells of `grid`, plus ln h: the entropy of the
/// data's density dequantised at the grid step.
pub fn on_grid(sample: &Sample, grid: Grid) -> EntropyEstimate {
    let counts = grid::cell_counts(sample, &grid);
    let w_total = sample.summary().total_weight;
    let ln_h = grid.step.ln();
    let correction = (counts.len() as f64 - 1.0) / (2.0 * w_total);
    let ln_p = |x: f64| {
        let k = grid.index(x);
        let i = counts.partition_point(|c| c.0 < k);
        (counts[i].1 / w_total).ln()
    };
    let terms: Vec<f64> = sample
        .values()
        .iter()
        .map(|&x| -ln_p(x) + ln_h + correction)
        .collect();
    let (entropy, std_error) = sample.mean_se(&terms);
    let method = format!(
        "plug-in on the recorded grid of step {} with Miller-Madow correction, + ln h{}",
        fmt(grid.step),
        grid.heaping
            .as_ref()
            .map_or(String::new(), |h| format!("; heaped: {h}"))
    );
    EntropyEstimate {
        method,
        entropy,
        std_error,
        n: (0..sample.len())
            .filter(|&i| sample.weight(i) > 0.0)
            .count(),
        grid: Some(grid),
        terms,
    }
}

/// Default number of neighbours for [`continuous`]: k = 3 trades a little bias for a much
/// smaller variance than k = 1 (Kraskov et al. 2004 recommend 2–4).
pub const DEFAULT_K: usize = 3;

/// The Kozachenko–Leonenko entropy of a continuous sample with `k` neighbours.
///
/// Data with ties were recorded on a grid: they are dequantised at its step (see [`grid`]),
/// each value replaced by a uniform draw over its cell from a fixed-seed generator, so that the
/// estimate is reproducible; this estimates the entropy of the dequantised density, H(p*) +
/// O(h²) for a smooth density. Without a detectable grid ties are spread over the smallest gap.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for weighted samples (the estimator needs i.i.d. rows), fewer
/// than k + 1 observations, or constant data.
pub fn continuous(sample: &Sample, k: usize) -> Result<EntropyEstimate> {
    if sample.weights().is_some() {
        return Err(ErrorKind::InvalidOption {
            reason: "the nearest-neighbour entropy estimate needs unweighted data".into(),
        }
        .into());
    }
    let sorted = sample.sorted_values();
    let n = sorted.len();
    if k == 0 || n <= k {
        return Err(ErrorKind::InvalidOption {
            reason: format!(
                "the entropy estimate with k = {k} needs more than {k} observations, got {n}"
            ),
        }
        .into());
    }
    let tied = sorted.windows(2).any(|w| w[0] == w[1]);
    if tied && sorted[0] == sorted[n - 1] {
        return Err(ErrorKind::InvalidOption {
            reason: "all values are equal: the data have no differential entropy".into(),
        }
        .into());
    }
    knn(sample, k, if tied { grid::detect(sample) } else { None })
}

/// The k-NN estimate, dequantised at `grid`'s step when there is one (by the smallest gap when
/// there are ties but no grid).
fn knn(sample: &Sample, k: usize, grid: Option<Grid>) -> Result<EntropyEstimate> {
    let sorted = sample.sorted_values();
    let n = sorted.len();
    if k == 0 || n <= k || sample.weights().is_some() {
        return Err(ErrorKind::InvalidOption {
            reason: format!(
                "the entropy estimate with k = {k} needs more than {k} unweighted observations, got {n}"
            ),
        }
        .into());
    }
    let tied = sorted.windows(2).any(|w| w[0] == w[1]);
    let smallest_gap = || {
        sorted
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min)
    };
    // (value, row), dequantised when tied: a uniform draw over the value's cell.
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let mut x: Vec<(f64, usize)> = match (&grid, tied) {
        (Some(g), _) => sample
            .values()
            .iter()
            .enumerate()
            .map(|(i, &v)| (g.centre(v) + g.step * (rng.random::<f64>() - 0.5), i))
            .collect(),
        (None, true) => {
            let step = smallest_gap();
            sample
                .values()
                .iter()
                .enumerate()
                .map(|(i, &v)| (v + step * (rng.random::<f64>() - 0.5), i))
                .collect()
        }
        (None, false) => sample.values().iter().copied().zip(0..).collect(),
    };
    x.sort_by(|a, b| a.0.total_cmp(&b.0));
    let xs: Vec<f64> = x.iter().map(|p| p.0).collect();
    let correction = digamma(n as f64) - digamma(k as f64);
    let mut terms = vec![0.0; n];
    for (i, &(v, row)) in x.iter().enumerate() {
        let rho = kth_neighbour_distance(&xs, i, k);
        if !(rho > 0.0) {
            return Err(ErrorKind::InvalidOption {
                reason: format!("value {v} repeats after dequantisation; no entropy estimate"),
            }
            .into());
        }
        terms[row] = correction + (2.0 * rho).ln();
    }
    let (entropy, std_error) = mean_and_se(&terms);
    let method = match (&grid, tied) {
        (Some(g), _) => format!(
            "kozachenko_leonenko (k = {k}), dequantised by ±{}{}",
            fmt(g.step / 2.0),
            g.heaping
                .as_ref()
                .map_or(String::new(), |h| format!("; heaped: {h}"))
        ),
        (None, true) => format!(
            "kozachenko_leonenko (k = {k}), dequantised by ±{}",
            fmt(smallest_gap() / 2.0)
        ),
        (None, false) => format!("kozachenko_leonenko (k = {k})"),
    };
    Ok(EntropyEstimate {
        method,
        entropy,
        std_error,
        n,
        grid,
        terms,
    })
}

/// The Miller–Madow-corrected plug-in entropy of discrete data (any values; with weights as
/// frequencies).
pub fn discrete(sample: &Sample) -> EntropyEstimate {
    let distinct = sample.distinct();
    let w_total = sample.summary().total_weight;
    let k = distinct.len() as f64;
    let n = (0..sample.len())
        .filter(|&i| sample.weight(i) > 0.0)
        .count();
    // −ln p̂ for each level, weighted by its frequency.
    let (mut mean, mut m2) = (0.0, 0.0);
    for &(_, w) in distinct {
        let h = -(w / w_total).ln();
        mean += w * h / w_total;
        m2 += w * h * h / w_total;
    }
    let var = (m2 - mean * mean).max(0.0);
    let correction = (k - 1.0) / (2.0 * w_total);
    let terms = sample
        .values()
        .iter()
        .map(|x| {
            let i = distinct.partition_point(|d| d.0 < *x);
            match distinct.get(i) {
                Some(d) if d.0 == *x => -(d.1 / w_total).ln() + correction,
                _ => 0.0, // a row of weight 0
            }
        })
        .collect();
    EntropyEstimate {
        method: "plug-in with Miller-Madow correction".into(),
        entropy: mean + correction,
        std_error: (var / w_total).sqrt(),
        n,
        grid: None,
        terms,
    }
}

/// Distance from sorted `x[i]` to its k-th nearest neighbour (by merging the left and right
/// neighbours in order of distance).
fn kth_neighbour_distance(x: &[f64], i: usize, k: usize) -> f64 {
    let (mut left, mut right) = (i, i);
    let mut d = 0.0;
    for _ in 0..k {
        let dl = if left > 0 {
            x[i] - x[left - 1]
        } else {
            f64::INFINITY
        };
        let dr = if right + 1 < x.len() {
            x[right + 1] - x[i]
        } else {
            f64::INFINITY
        };
        if dl <= dr {
            left -= 1;
            d = dl;
        } else {
            right += 1;
            d = dr;
        }
    }
    d
}

fn mean_and_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_neighbour_merges_both_sides() {
        let x = [0.0, 1.0, 1.5, 4.0, 10.0];
        assert_eq!(kth_neighbour_distance(&x, 2, 1), 0.5);
        assert_eq!(kth_neighbour_distance(&x, 2, 2), 1.5);
        assert_eq!(kth_neighbour_distance(&x, 2, 3), 2.5);
        assert_eq!(kth_neighbour_distance(&x, 0, 2), 1.5);
        assert_eq!(kth_neighbour_distance(&x, 4, 1), 6.0);
    }

    #[test]
    fn discrete_entropy_of_a_fair_coin() {
        let s = Sample::new((0..1000).map(|i| (i % 2) as f64).collect()).unwrap();
        let e = discrete(&s);
        assert!((e.entropy - (2f64.ln() + 1.0 / 2000.0)).abs() < 1e-15);
        assert!(e.std_error < 1e-12, "constant −ln p̂ has no spread");
    }

    #[test]
    fn rounded_data_are_dequantised_and_weights_refused() {
        let s = Sample::new(vec![1.0, 2.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(continuous(&s, 1)
            .unwrap()
            .method
            .contains("dequantised by ±0.500"));
        assert!(continuous(&Sample::new(vec![2.0; 5]).unwrap(), 1).is_err());
        let s = Sample::new(vec![1.0, 2.0, 3.0, 5.0])
            .unwrap()
            .with_weights(vec![1.0; 4])
            .unwrap();
        assert!(continuous(&s, 1).is_err());
        let s = Sample::new(vec![1.0, 2.0]).unwrap();
        assert!(continuous(&s, 3).is_err());
    }
}
