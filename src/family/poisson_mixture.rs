//! Finite mixture of K Poisson distributions.
//!
//! P(k | w, λ) = Σⱼ wⱼ λⱼᵏ e^(−λⱼ) / k!,  k ∈ {0, 1, 2, …}; parameters `w1…wK` (weights
//! summing to 1) and `rate1…rateK` > 0 (each component's mean). AIC and BIC count 2K − 1
//! parameters. Over-dispersed counts from a few sub-populations (a mixture's variance is
//! Σ wⱼ(λⱼ + (λⱼ − λ̄)²) > λ̄).
//!
//! ln P = −ln k! + ln Σⱼ exp(ln wⱼ + k ln λⱼ − λⱼ): the factorial is shared by every component
//! and kept out of the log-sum-exp. Evaluated once per distinct count. The registry holds
//! K = 2; the generic [`Mixture`] is in `mixture/`, the multi-start fit in `src/mixture/`. A component whose rate falls to 0 is a point
//! mass at 0 (a zero-inflated Poisson), on the edge of the parameter space: the multi-start fit
//! reports it as degenerate.
//!
//! Reference: McLachlan & Peel, *Finite Mixture Models* (2000), §1.16 and §3.2;
//! Karlis & Xekalaki, "Mixed Poisson distributions", Int. Stat. Rev. 73 (2005).

use rand::RngCore;

use super::mixture::terms::sum_log_likelihood;
use super::mixture::{typical_weights, Kernel, KernelKind, Mixture, Terms};
use super::poisson::poisson_cdf;
use super::{Constraint, ParamSpec, Support};
use crate::data::Sample;
use crate::special::ln_gamma;

/// Poisson components (rate): the kernel of [`PoissonMixture`].
#[derive(Debug, Clone, Copy)]
pub struct PoissonKernel;

/// A mixture of `k` Poissons, parameters (w1…wK, rate1…rateK).
pub type PoissonMixture = Mixture<PoissonKernel>;

/// The registry's instance: two components.
pub static POISSON_MIXTURE: PoissonMixture = PoissonMixture::TWO;

const SPECS_2: [ParamSpec; 4] = [
    ParamSpec::simplex("w1"),
    ParamSpec::simplex("w2"),
    ParamSpec::positive("rate1"),
    ParamSpec::positive("rate2"),
];

impl Kernel for PoissonKernel {
    const KIND: KernelKind = KernelKind::Poisson;
    const NAME: &'static str = "poisson_mixture";
    const ALIASES: &'static [&'static str] = &["poismix"];
    const FORMULA: &'static str = "P(k) = sum_j w_j rate_j^k exp(-rate_j) / k!,  sum_j w_j = 1";
    const SUPPORT: Support = Support::Counts;
    const COMPONENT: &'static str = "Poisson";
    const PREFIXES: &'static [(&'static str, Constraint)] =
        &[("w", Constraint::Simplex), ("rate", Constraint::Positive)];
    const SPECS_2: &'static [ParamSpec] = &SPECS_2;

    /// The count itself, with the shared −ln x!.
    fn point(x: f64) -> Option<(f64, f64)> {
        crate::numeric::is_count(x).then(|| (x, -ln_gamma(x + 1.0)))
    }

    fn fill(k: usize, theta: &[f64], y: f64, terms: &mut Terms, derivs: bool) {
        fill_poisson(k, theta, y, terms, derivs);
    }

    fn log_likelihood(
        k: usize,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.all_integer && s.min >= 0.0) {
            return f64::NEG_INFINITY;
        }
        sum_log_likelihood(
            KernelKind::Poisson,
            k,
            theta,
            sample.distinct().iter().copied(),
            |t, y, terms, d| fill_poisson(k, t, y, terms, d),
            grad,
            hess,
        )
    }

    /// F(x) = Σⱼ wⱼ Q(⌊x⌋ + 1, λⱼ).
    fn cdf(k: usize, theta: &[f64], x: f64) -> Option<f64> {
        let mut f = 0.0;
        for j in 0..k {
            f += theta[j] * poisson_cdf(x, theta[k + j])?;
        }
        Some(if f.is_nan() { f } else { f.clamp(0.0, 1.0) })
    }

    fn draw(k: usize, theta: &[f64], j: usize, rng: &mut dyn RngCore) -> f64 {
        let lambda = theta[k + j];
        let d = rand_distr::Poisson::new(lambda).ok();
        super::poisson::poisson_draw(d.as_ref(), lambda, rng)
    }

    /// Weights 0.4/0.6, rates 2 and 12 (K = 2). Other K: equal weights, rates 2, 12, 22, ….
    fn typical_params(k: usize) -> Vec<f64> {
        let mut theta = typical_weights(k, [0.4, 0.6]);
        theta.extend((0..k).map(|j| 2.0 + 10.0 * j as f64));
        theta
    }

    /// Mean Σ wⱼλⱼ, variance Σ wⱼ(λⱼ + (λⱼ − mean)²).
    fn mean_variance(k: usize, theta: &[f64]) -> (f64, f64) {
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
    use crate::family::Family;

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
