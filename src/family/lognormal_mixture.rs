//! Finite mixture of K lognormal distributions.
//!
//! p(x | w, μ, σ) = Σⱼ wⱼ exp(−(ln x − μⱼ)² / (2σⱼ²)) / (x σⱼ √(2π)),  x > 0; parameters
//! `w1…wK` (weights summing to 1), `meanlog1…meanlogK` ∈ ℝ and `sdlog1…sdlogK` > 0, the mean
//! and standard deviation of ln x in each component. AIC and BIC count 3K − 1 parameters.
//!
//! It is the normal mixture of `normal_mixture.rs` on y = ln x with the Jacobian −ln x, which
//! does not depend on θ: the score and Hessian are the normal mixture's at ln x, and EM runs on
//! ln x. The registry holds K = 2; the generic [`Mixture`] is in `mixture/`, the multi-start
//! fit in `src/mixture/`.
//!
//! Reference: McLachlan & Peel, *Finite Mixture Models* (2000), §2.8 (transformations of
//! normal mixtures).

use rand::RngCore;
use rand_distr::Distribution;

use super::mixture::terms::sum_log_likelihood;
use super::mixture::{typical_weights, Kernel, KernelKind, Mixture, Terms};
use super::normal_mixture::{NormalComponents, NormalKernel};
use super::{Constraint, ParamSpec, Support};
use crate::data::Sample;

/// Lognormal components (meanlog, sdlog): the kernel of [`LogNormalMixture`].
#[derive(Debug, Clone, Copy)]
pub struct LogNormalKernel;

/// A mixture of `k` lognormals, parameters (w1…wK, meanlog1…meanlogK, sdlog1…sdlogK).
pub type LogNormalMixture = Mixture<LogNormalKernel>;

/// The registry's instance: two components.
pub static LOGNORMAL_MIXTURE: LogNormalMixture = LogNormalMixture::TWO;

const SPECS_2: [ParamSpec; 6] = [
    ParamSpec::simplex("w1"),
    ParamSpec::simplex("w2"),
    ParamSpec::real("meanlog1"),
    ParamSpec::real("meanlog2"),
    ParamSpec::positive("sdlog1"),
    ParamSpec::positive("sdlog2"),
];

impl Kernel for LogNormalKernel {
    const KIND: KernelKind = KernelKind::LogNormal;
    const NAME: &'static str = "lognormal_mixture";
    const ALIASES: &'static [&'static str] = &["lnormmix", "log_normal_mixture"];
    const FORMULA: &'static str = "p(x) = sum_j w_j exp(-(ln x - meanlog_j)^2 / (2 sdlog_j^2)) / (x sdlog_j sqrt(2 pi)),  sum_j w_j = 1";
    const SUPPORT: Support = Support::Positive;
    const COMPONENT: &'static str = "lognormal";
    const PREFIXES: &'static [(&'static str, Constraint)] = &[
        ("w", Constraint::Simplex),
        ("meanlog", Constraint::Real),
        ("sdlog", Constraint::Positive),
    ];
    const SPECS_2: &'static [ParamSpec] = &SPECS_2;

    /// y = ln x, with the Jacobian −ln x.
    fn point(x: f64) -> Option<(f64, f64)> {
        (x > 0.0 && x.is_finite()).then(|| {
            let y = x.ln();
            (y, -y)
        })
    }

    fn fill(k: usize, theta: &[f64], y: f64, terms: &mut Terms, derivs: bool) {
        NormalComponents::new(k, theta).fill(y, terms, derivs);
    }

    fn log_likelihood(
        k: usize,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if sample.summary().min <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let points = (0..sample.len()).map(|i| (sample.values()[i], sample.weight(i)));
        let components = NormalComponents::new(k, theta);
        sum_log_likelihood(
            KernelKind::LogNormal,
            k,
            theta,
            points,
            |_, y, terms, d| components.fill(y, terms, d),
            grad,
            hess,
        )
    }

    /// F(x) = Σⱼ wⱼ Φ((ln x − μⱼ)/σⱼ), 0 for x ≤ 0.
    fn cdf(k: usize, theta: &[f64], x: f64) -> Option<f64> {
        if x.is_nan() {
            return Some(f64::NAN);
        }
        if x <= 0.0 {
            return Some(0.0);
        }
        NormalKernel::cdf(k, theta, x.ln())
    }

    fn draw(k: usize, theta: &[f64], j: usize, rng: &mut dyn RngCore) -> f64 {
        let d = rand_distr::LogNormal::new(theta[k + j], theta[2 * k + j])
            .expect("valid lognormal parameters");
        d.sample(rng)
    }

    /// Weights 0.4/0.6, meanlogs 0 and 1.5, sdlogs 0.3 and 0.25 (K = 2): well separated on the
    /// log scale. Other K: equal weights, meanlogs 0, 1.5, 3, …, sdlogs 0.3 and 0.25.
    fn typical_params(k: usize) -> Vec<f64> {
        let mut theta = typical_weights(k, [0.4, 0.6]);
        theta.extend((0..k).map(|j| 1.5 * j as f64));
        theta.extend((0..k).map(|j| if j % 2 == 0 { 0.3 } else { 0.25 }));
        theta
    }

    /// E X = Σ wⱼ e^{μⱼ + σⱼ²/2}, E X² = Σ wⱼ e^{2μⱼ + 2σⱼ²}.
    fn mean_variance(k: usize, theta: &[f64]) -> (f64, f64) {
        let (mut m1, mut m2) = (0.0, 0.0);
        for j in 0..k {
            let (mu, s2) = (theta[k + j], theta[2 * k + j].powi(2));
            m1 += theta[j] * (mu + 0.5 * s2).exp();
            m2 += theta[j] * (2.0 * mu + 2.0 * s2).exp();
        }
        (m1, m2 - m1 * m1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, Derivs, Step};
    use super::*;
    use crate::family::Family;

    #[test]
    fn known_density_value() {
        // R 4: log(0.4*dlnorm(2, 0, 0.3) + 0.6*dlnorm(2, 1.5, 0.25)).
        let theta = LOGNORMAL_MIXTURE.typical_params();
        let v = LOGNORMAL_MIXTURE.ln_density_derivs(&theta, 2.0, None, None);
        assert!((v + 3.860_705_620_112_417).abs() < 1e-14, "{v}");
        for x in [0.0, -1.0, f64::NAN] {
            assert_eq!(
                LOGNORMAL_MIXTURE.ln_density_derivs(&theta, x, None, None),
                f64::NEG_INFINITY
            );
        }
        assert_eq!(LOGNORMAL_MIXTURE.cdf(&theta, 0.0), Some(0.0));
    }

    #[test]
    fn derivatives_and_fast_path() {
        let how = Derivs {
            step: Step::RelativeAtLeastOne(1e-5),
            ..Derivs::rel(1e-6)
        };
        for x in [0.5, 1.3, 4.0, 20.0] {
            check_derivatives_with(&LOGNORMAL_MIXTURE, &[0.4, 0.6, 0.0, 1.5, 0.3, 0.25], x, how);
        }
        let s = Sample::new(vec![0.3, 0.9, 1.1, 3.5, 4.4, 6.0]).unwrap();
        check_fast_path(
            &LOGNORMAL_MIXTURE,
            &[0.5, 0.5, -0.1, 1.4, 0.4, 0.3],
            &s,
            1e-13,
            1e-12,
        );
    }
}
