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
//! Standard errors are √(Var(hᵢ)/n) for the per-observation terms hᵢ (ln(2ρᵢ) + constants, or
//! −ln p̂(xᵢ)): the delta-method rate, which ignores the weak dependence between neighbouring
//! terms of the k-NN estimator.

use serde::Serialize;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use rand::{Rng, SeedableRng};

use crate::special::digamma;

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
}

/// Default number of neighbours for [`continuous`]: k = 3 trades a little bias for a much
/// smaller variance than k = 1 (Kraskov et al. 2004 recommend 2–4).
pub const DEFAULT_K: usize = 3;

/// The Kozachenko–Leonenko entropy of a continuous sample with `k` neighbours.
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
    // Rounded data have ties, where the k-th neighbour can be at distance 0. They are
    // dequantised: each value gets an independent uniform offset of ±δ/2, δ the smallest
    // positive gap between values (the rounding step), drawn by a fixed-seed generator so the
    // estimate is reproducible. This estimates the entropy of the unrounded density, to
    // O(δ²) for a smooth density.
    let step = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    let tied = sorted.windows(2).any(|w| w[0] == w[1]);
    let dequantised: Vec<f64>;
    let x: &[f64] = if tied {
        if !step.is_finite() {
            return Err(ErrorKind::InvalidOption {
                reason: "all values are equal: the data have no differential entropy".into(),
            }
            .into());
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(0);
        let mut v: Vec<f64> = sorted
            .iter()
            .map(|x| x + step * (rng.random::<f64>() - 0.5))
            .collect();
        v.sort_by(f64::total_cmp);
        dequantised = v;
        &dequantised
    } else {
        sorted
    };
    let mut terms = Vec::with_capacity(n);
    for i in 0..n {
        let rho = kth_neighbour_distance(x, i, k);
        if !(rho > 0.0) {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "value {} repeats after dequantisation; no entropy estimate",
                    x[i]
                ),
            }
            .into());
        }
        terms.push((2.0 * rho).ln());
    }
    let correction = digamma(n as f64) - digamma(k as f64);
    let (mean, se) = mean_and_se(&terms);
    let method = if tied {
        format!(
            "kozachenko_leonenko (k = {k}), dequantised by ±{}",
            crate::numeric::format::sig(step / 2.0, 3)
        )
    } else {
        format!("kozachenko_leonenko (k = {k})")
    };
    Ok(EntropyEstimate {
        method,
        entropy: correction + mean,
        std_error: se,
        n,
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
    EntropyEstimate {
        method: "plug-in with Miller-Madow correction".into(),
        entropy: mean + (k - 1.0) / (2.0 * w_total),
        std_error: (var / w_total).sqrt(),
        n,
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
