//! The data as EM sees them ([`EmData`]), the starts drawn from them (quantile split,
//! k-means++), and the test of a degenerate solution ([`Degeneracy`]).
//!
//! Reference: Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding",
//! SODA 2007.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::KernelKind;
use crate::data::Sample;

/// A component whose scale is below this fraction of the data's spread has collapsed.
const COLLAPSED_SCALE: f64 = 1e-6;
/// A Poisson component whose rate is below this has collapsed onto 0.
const COLLAPSED_RATE: f64 = 1e-6;
/// A component expected to hold fewer observations than this is empty.
pub(crate) const MIN_COMPONENT_COUNT: f64 = 2.0;

/// Why a mixture's θ is degenerate on some data (components numbered from 0). The model only
/// detects it; the multi-start driver words it with the parameters' names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Degeneracy {
    /// Component `j` is expected to hold fewer than [`MIN_COMPONENT_COUNT`] observations.
    Empty {
        /// The component.
        j: usize,
        /// Its weight.
        weight: f64,
    },
    /// Component `j`'s scale fell below 10⁻⁶ of the data's spread: it sits on one value.
    Collapsed {
        /// The component.
        j: usize,
        /// Its location (mean or meanlog).
        location: f64,
        /// Its scale (sd or sdlog).
        scale: f64,
    },
    /// Poisson component `j`'s rate fell below 10⁻⁶: a point mass at 0.
    AtZero {
        /// The component.
        j: usize,
        /// Its rate.
        rate: f64,
    },
}

/// The data as EM sees them: distinct values (on EM's scale), each with its total weight.
pub(crate) struct EmData {
    /// Distinct values of y, increasing.
    pub(crate) y: Vec<f64>,
    /// Their total weights.
    pub(crate) w: Vec<f64>,
    /// Σ wᵢ·offset(xᵢ): the part of ℓ that does not depend on θ (0 on a screening subsample,
    /// whose log-likelihoods only rank starts).
    pub(crate) offset_total: f64,
    /// Σ weights.
    pub(crate) total: f64,
    /// Rows with positive weight (the n of "w·n < 2"; the full data's on a subsample).
    pub(crate) rows: usize,
    /// Standard deviation of y: the unit of "collapsed" (the full data's on a subsample).
    pub(crate) spread: f64,
}

impl EmData {
    pub(crate) fn new(kernel: KernelKind, sample: &Sample) -> EmData {
        // Unweighted data: the distinct values from the sorted values the fit's robust scale
        // needs anyway (one sort of the data instead of two).
        let merged: Vec<(f64, f64)>;
        let distinct: &[(f64, f64)] = if sample.weights().is_none() {
            let mut out: Vec<(f64, f64)> = Vec::new();
            for &x in sample.sorted_values() {
                match out.last_mut() {
                    Some(last) if last.0 == x => last.1 += 1.0,
                    _ => out.push((x, 1.0)),
                }
            }
            merged = out;
            &merged
        } else {
            sample.distinct()
        };
        let y: Vec<f64> = distinct.iter().map(|&(x, _)| kernel.transform(x)).collect();
        let w: Vec<f64> = distinct.iter().map(|&(_, w)| w).collect();
        let mut offset_total = crate::sum::CompensatedSum::default();
        if kernel != KernelKind::Normal {
            for &(x, w) in distinct {
                offset_total.add(w * kernel.offset(x));
            }
        }
        let total: f64 = w.iter().sum();
        let mean = y.iter().zip(&w).map(|(y, w)| w * y).sum::<f64>() / total;
        let var = y
            .iter()
            .zip(&w)
            .map(|(y, w)| w * (y - mean).powi(2))
            .sum::<f64>()
            / total;
        let rows = (0..sample.len())
            .filter(|&i| sample.weight(i) > 0.0)
            .count();
        EmData {
            y,
            w,
            offset_total: offset_total.value(),
            total,
            rows,
            spread: var.sqrt(),
        }
    }

    /// The screening subsample: the weighted quantiles at probabilities (i + ½)/m, i < m, each
    /// of weight 1 (equal values merged). Deterministic, and as close to the data's
    /// distribution as m points can be.
    pub(crate) fn quantile_subsample(&self, m: usize) -> EmData {
        let (mut y, mut w): (Vec<f64>, Vec<f64>) = (Vec::with_capacity(m), Vec::new());
        let (mut cum, mut i) = (0.0, 0);
        for q in 0..m {
            let target = (q as f64 + 0.5) / m as f64 * self.total;
            while i + 1 < self.y.len() && cum + self.w[i] < target {
                cum += self.w[i];
                i += 1;
            }
            if y.last() == Some(&self.y[i]) {
                *w.last_mut().expect("a weight per value") += 1.0;
            } else {
                y.push(self.y[i]);
                w.push(1.0);
            }
        }
        EmData {
            y,
            w,
            offset_total: 0.0,
            total: m as f64,
            rows: self.rows,
            spread: self.spread,
        }
    }

    /// Parameters from a hard assignment of each point to a component: weights from the
    /// shares, locations from the means, scales from the standard deviations. Only a start:
    /// an empty group gets a small weight at a quantile, a group without spread gets the
    /// data's spread / k.
    fn start_from_groups(&self, kernel: KernelKind, k: usize, group: &[usize]) -> Vec<f64> {
        let p = kernel.per_component();
        let mut n = vec![0.0; k];
        let mut s1 = vec![0.0; k];
        for ((&y, &w), &g) in self.y.iter().zip(&self.w).zip(group) {
            n[g] += w;
            s1[g] += w * y;
        }
        let mut theta = vec![0.0; p * k];
        for j in 0..k {
            let loc = if n[j] > 0.0 {
                s1[j] / n[j]
            } else {
                self.quantile((j as f64 + 0.5) / k as f64)
            };
            theta[k + j] = loc;
            theta[j] = n[j].max(self.total / (2.0 * k as f64 * k as f64));
            if p == 3 {
                let var = self
                    .y
                    .iter()
                    .zip(&self.w)
                    .zip(group)
                    .filter(|(_, &g)| g == j)
                    .map(|((&y, &w), _)| w * (y - loc).powi(2))
                    .sum::<f64>()
                    / n[j].max(f64::MIN_POSITIVE);
                let sd = var.sqrt();
                theta[2 * k + j] = if sd > 0.05 * self.spread {
                    sd
                } else {
                    self.spread / k as f64
                };
            } else {
                // A Poisson rate must be positive even for a group of zeros.
                theta[k + j] = loc.max(0.05);
            }
        }
        let total: f64 = theta[..k].iter().sum();
        for w in &mut theta[..k] {
            *w /= total;
        }
        theta
    }

    /// The weighted quantile of y at probability `q`.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        let target = q * self.total;
        let mut cum = 0.0;
        for (&y, &w) in self.y.iter().zip(&self.w) {
            cum += w;
            if cum >= target {
                return y;
            }
        }
        self.y.last().copied().unwrap_or(0.0)
    }

    /// The quantile split: k groups of equal weight in sorted order.
    pub(crate) fn quantile_start(&self, kernel: KernelKind, k: usize) -> Vec<f64> {
        let mut cum = 0.0;
        let group: Vec<usize> = self
            .w
            .iter()
            .map(|&w| {
                let mid = (cum + 0.5 * w) / self.total;
                cum += w;
                ((mid * k as f64) as usize).min(k - 1)
            })
            .collect();
        self.start_from_groups(kernel, k, &group)
    }

    /// k-means++ seeding (D² sampling, weighted by the points' weights) and five Lloyd
    /// iterations, then the groups' parameters.
    pub(crate) fn kmeans_start(
        &self,
        kernel: KernelKind,
        k: usize,
        rng: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        let draw = |rng: &mut ChaCha8Rng, mass: &[f64]| -> usize {
            let total: f64 = mass.iter().sum();
            let mut u = rng.random::<f64>() * total;
            for (i, m) in mass.iter().enumerate() {
                u -= m;
                if u < 0.0 {
                    return i;
                }
            }
            mass.iter().rposition(|m| *m > 0.0).unwrap_or(0)
        };
        let weights = &self.w;
        let mut centers = vec![self.y[draw(rng, weights)]];
        let mut d2: Vec<f64> = self.y.iter().map(|y| (y - centers[0]).powi(2)).collect();
        while centers.len() < k {
            let mass: Vec<f64> = d2.iter().zip(weights).map(|(d, w)| d * w).collect();
            if mass.iter().sum::<f64>() <= 0.0 {
                break;
            }
            let c = self.y[draw(rng, &mass)];
            centers.push(c);
            for (d, y) in d2.iter_mut().zip(&self.y) {
                *d = d.min((y - c).powi(2));
            }
        }
        centers.sort_by(f64::total_cmp);
        let nearest = |y: f64, centers: &[f64]| -> usize {
            (0..centers.len())
                .min_by(|&a, &b| (y - centers[a]).abs().total_cmp(&(y - centers[b]).abs()))
                .unwrap_or(0)
        };
        let mut group: Vec<usize> = self.y.iter().map(|&y| nearest(y, &centers)).collect();
        for _ in 0..5 {
            let mut sums = vec![(0.0, 0.0); centers.len()];
            for ((&y, &w), &g) in self.y.iter().zip(weights).zip(&group) {
                sums[g].0 += w * y;
                sums[g].1 += w;
            }
            for (c, s) in centers.iter_mut().zip(&sums) {
                if s.1 > 0.0 {
                    *c = s.0 / s.1;
                }
            }
            group = self.y.iter().map(|&y| nearest(y, &centers)).collect();
        }
        self.start_from_groups(kernel, k, &group)
    }

    /// Why θ is degenerate on these data, if it is.
    pub(crate) fn degeneracy(
        &self,
        kernel: KernelKind,
        k: usize,
        theta: &[f64],
    ) -> Option<Degeneracy> {
        for j in 0..k {
            let count = theta[j] * self.rows as f64;
            if count.is_nan() || count < MIN_COMPONENT_COUNT {
                return Some(Degeneracy::Empty {
                    j,
                    weight: theta[j],
                });
            }
            match kernel {
                KernelKind::Normal | KernelKind::LogNormal => {
                    let sd = theta[2 * k + j];
                    if sd.is_nan() || sd < COLLAPSED_SCALE * self.spread {
                        return Some(Degeneracy::Collapsed {
                            j,
                            location: theta[k + j],
                            scale: sd,
                        });
                    }
                }
                KernelKind::Poisson => {
                    if theta[k + j].is_nan() || theta[k + j] < COLLAPSED_RATE {
                        return Some(Degeneracy::AtZero {
                            j,
                            rate: theta[k + j],
                        });
                    }
                }
            }
        }
        None
    }
}
