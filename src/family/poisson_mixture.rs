//! Finite mixture of K Poisson distributions.
//!
//! P(k | w, λ) = Σⱼ wⱼ λⱼᵏ e^(−λⱼ) / k!,  k ∈ {0, 1, 2, …}; parameters `w1…wK` (weights
//! summing to 1) and `rate1…rateK` > 0 (each component's mean). AIC and BIC count 2K − 1
//! parameters. Over-dispersed counts from a few sub-populations (a mixture's variance is
//! Σ wⱼ(λⱼ + (λⱼ − λ̄)²) > λ̄).
//!
//! ln P = −ln k! + ln Σⱼ exp(ln wⱼ + k ln λⱼ − λⱼ): the factorial is shared by every component
//! and kept out of the log-sum-exp. Evaluated once per distinct count. The registry holds
//! K = 2; see `mixture.rs` for the multi-start fit. A component whose rate falls to 0 is a point
//! mass at 0 (a zero-inflated Poisson), on the edge of the parameter space: the multi-start fit
//! reports it as degenerate.
//!
//! Reference: McLachlan & Peel, *Finite Mixture Models* (2000), §1.16 and §3.2;
//! Karlis & Xekalaki, "Mixed Poisson distributions", Int. Stat. Rev. 73 (2005).

use rand::RngCore;
use rand_distr::Distribution;

use super::normal_mixture::{components_from_names, pick_component, START_EM_ITERATIONS};
use super::poisson::poisson_cdf;
use super::{Constraint, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::mixture::{component_specs, sum_log_likelihood, Kernel, Terms};
use crate::special::ln_gamma;

/// A mixture of `k` Poissons, parameters (w1…wK, rate1…rateK).
#[derive(Debug, Clone, Copy)]
pub struct PoissonMixture {
    k: usize,
    specs: &'static [ParamSpec],
}

const PREFIXES: [(&str, Constraint); 2] =
    [("w", Constraint::Simplex), ("rate", Constraint::Positive)];

const SPECS_2: [ParamSpec; 4] = [
    ParamSpec {
        name: "w1",
        constraint: Constraint::Simplex,
    },
    ParamSpec {
        name: "w2",
        constraint: Constraint::Simplex,
    },
    ParamSpec::positive("rate1"),
    ParamSpec::positive("rate2"),
];

/// The registry's instance: two components.
pub static POISSON_MIXTURE: PoissonMixture = PoissonMixture {
    k: 2,
    specs: &SPECS_2,
};

impl PoissonMixture {
    /// The mixture of `k` Poissons.
    ///
    /// # Panics
    /// Unless 2 ≤ k ≤ [`crate::mixture::MAX_COMPONENTS`] (use
    /// [`crate::mixture::with_components`] for a checked constructor).
    pub fn new(k: usize) -> PoissonMixture {
        assert!(
            (2..=crate::mixture::MAX_COMPONENTS).contains(&k),
            "a Poisson mixture has 2 to {} components, not {k}",
            crate::mixture::MAX_COMPONENTS
        );
        let specs = if k == 2 {
            &SPECS_2[..]
        } else {
            component_specs(&PREFIXES, k)
        };
        PoissonMixture { k, specs }
    }

    /// Number of components.
    pub fn components(&self) -> usize {
        self.k
    }
}

impl Family for PoissonMixture {
    fn name(&self) -> &'static str {
        "poisson_mixture"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["poismix"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = sum_j w_j rate_j^k exp(-rate_j) / k!,  sum_j w_j = 1"
    }

    fn params(&self) -> &[ParamSpec] {
        self.specs
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    fn min_observations(&self) -> usize {
        2 * self.k
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        mut grad: Option<&mut [f64]>,
        mut hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x >= 0.0 && x.is_finite() && x.fract() == 0.0) {
            return f64::NEG_INFINITY;
        }
        let derivs = grad.is_some() || hess.is_some();
        if let Some(g) = grad.as_deref_mut() {
            g.fill(0.0);
        }
        if let Some(h) = hess.as_deref_mut() {
            h.fill(0.0);
        }
        let mut terms = Terms::new(self.k, 2);
        fill_poisson(self.k, theta, x, &mut terms, derivs);
        terms.accumulate(1.0, grad, hess) - ln_gamma(x + 1.0)
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        crate::mixture::initial_estimate(self, Kernel::Poisson, self.k, sample, START_EM_ITERATIONS)
    }

    fn equality_constraints(&self) -> usize {
        1
    }

    fn specialise_to_names(&self, names: &[String]) -> Result<Option<Box<dyn Family>>> {
        Ok(components_from_names(names, 2).map(|k| Box::new(PoissonMixture::new(k)) as _))
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.all_integer && s.min >= 0.0) {
            return f64::NEG_INFINITY;
        }
        let k = self.k;
        sum_log_likelihood(
            Kernel::Poisson,
            k,
            theta,
            sample.distinct().iter().copied(),
            |t, y, terms, d| fill_poisson(k, t, y, terms, d),
            grad,
            hess,
        )
    }

    /// F(x) = Σⱼ wⱼ Q(⌊x⌋ + 1, λⱼ).
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let k = self.k;
        let mut f = 0.0;
        for j in 0..k {
            f += theta[j] * poisson_cdf(x, theta[k + j])?;
        }
        Some(if f.is_nan() { f } else { f.clamp(0.0, 1.0) })
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let k = self.k;
        (0..n)
            .map(|_| {
                let j = pick_component(&theta[..k], rng);
                rand_distr::Poisson::new(theta[k + j])
                    .expect("valid Poisson rate")
                    .sample(rng)
            })
            .collect()
    }

    /// Weights 0.4/0.6, rates 2 and 12 (K = 2). Other K: equal weights, rates 2, 12, 22, ….
    fn typical_params(&self) -> Vec<f64> {
        let k = self.k;
        let mut theta = Vec::with_capacity(2 * k);
        if k == 2 {
            theta.extend([0.4, 0.6]);
        } else {
            theta.extend(std::iter::repeat_n(1.0 / k as f64, k));
        }
        theta.extend((0..k).map(|j| 2.0 + 10.0 * j as f64));
        theta
    }

    /// Mean Σ wⱼλⱼ, variance Σ wⱼ(λⱼ + (λⱼ − mean)²).
    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let k = self.k;
        let mean: f64 = (0..k).map(|j| theta[j] * theta[k + j]).sum();
        let var = (0..k)
            .map(|j| theta[j] * (theta[k + j] + (theta[k + j] - mean).powi(2)))
            .sum();
        (mean, var)
    }
}

/// Fill `terms` for Poisson components at the count x: lⱼ = ln wⱼ + x ln λⱼ − λⱼ, gradient
/// (1/w, x/λ − 1), ∂² + g gᵀ: (w,w) 0, (w,λ) (x/λ − 1)/w, (λ,λ) (x/λ − 1)² − x/λ².
fn fill_poisson(k: usize, theta: &[f64], x: f64, terms: &mut Terms, derivs: bool) {
    for j in 0..k {
        let (w, lambda) = (theta[j], theta[k + j]);
        // x ln λ with x = 0 is 0 even for a vanishing λ.
        let x_ln = if x == 0.0 { 0.0 } else { x * lambda.ln() };
        terms.l[j] = w.ln() + x_ln - lambda;
        if !derivs {
            continue;
        }
        let a = x / lambda - 1.0;
        terms.g[j * 2] = 1.0 / w;
        terms.g[j * 2 + 1] = a;
        let h = &mut terms.hg[j * 4..j * 4 + 4];
        h[0] = 0.0;
        h[1] = a / w;
        h[2] = h[1];
        h[3] = a * a - x / (lambda * lambda);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, Derivs, Step};
    use super::*;

    #[test]
    fn known_mass_value_and_support() {
        // R 4: log(0.4*dpois(5, 2) + 0.6*dpois(5, 12)).
        let theta = POISSON_MIXTURE.typical_params();
        let v = POISSON_MIXTURE.ln_density_derivs(&theta, 5.0, None, None);
        assert!((v + 3.813_076_409_644_456_3).abs() < 1e-13, "{v}");
        for x in [-1.0, 0.5, f64::NAN] {
            assert_eq!(
                POISSON_MIXTURE.ln_density_derivs(&theta, x, None, None),
                f64::NEG_INFINITY
            );
        }
    }

    #[test]
    fn derivatives_and_fast_path() {
        let how = Derivs {
            step: Step::Relative(1e-5),
            ..Derivs::rel(1e-6)
        };
        for x in [0.0, 3.0, 9.0, 30.0] {
            check_derivatives_with(&POISSON_MIXTURE, &[0.4, 0.6, 2.0, 12.0], x, how);
        }
        let s = Sample::new(vec![0.0, 1.0, 1.0, 3.0, 9.0, 12.0, 14.0, 2.0])
            .unwrap()
            .with_weights(vec![1.0, 2.0, 1.0, 0.5, 0.0, 1.0, 3.0, 1.0])
            .unwrap();
        check_fast_path(&POISSON_MIXTURE, &[0.3, 0.7, 1.5, 10.0], &s, 1e-13, 1e-12);
    }

    #[test]
    fn moments() {
        let (m, v) = POISSON_MIXTURE.mean_variance(&[0.4, 0.6, 2.0, 12.0]);
        assert!((m - 8.0).abs() < 1e-14);
        assert!((v - (0.4 * (2.0 + 36.0) + 0.6 * (12.0 + 16.0))).abs() < 1e-12);
    }
}
