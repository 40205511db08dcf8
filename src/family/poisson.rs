//! Poisson distribution.
//!
//! P(k | λ) = λᵏ e^(−λ) / k!,  k ∈ {0, 1, 2, …}; parameter `lambda` λ > 0 (the mean, which is
//! also the variance).
//!
//! Exponential family: the log-likelihood is Σw · (x̄ ln λ − λ) − Σ wᵢ ln(kᵢ!), where the last
//! sum does not depend on λ. It is summed over the distinct counts (each distinct value once,
//! O(#distinct) per evaluation, which for count data is small); everything that depends on λ is
//! O(1). The MLE is closed form, λ̂ = x̄; when every count is 0 it would be λ̂ = 0, on the
//! boundary of the parameter space, so those data are degenerate.
//!
//! Reference: Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed. (2005),
//! §4.7.1 (maximum-likelihood estimation).

use rand::RngCore;
use rand_distr::Distribution;

use super::negative_binomial::{tail_sum, MAX_TAIL_TERMS};
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::is_count;
use crate::special::{deviance_term, ln_gamma, stirling_error};

/// The Poisson family, parameter (lambda).
#[derive(Debug, Clone, Copy, Default)]
pub struct Poisson;

impl Family for Poisson {
    fn name(&self) -> &'static str {
        "poisson"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["pois"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = lambda^k exp(-lambda) / k!"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::positive("lambda")];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.mean > 0.0) {
            return Err(degenerate(
                self,
                "all counts are 0, so the MLE of lambda would be 0, on the boundary",
            ));
        }
        Ok(vec![s.mean])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !is_count(x) {
            return f64::NEG_INFINITY;
        }
        let lambda = theta[0];
        if let Some(g) = grad {
            g[0] = x / lambda - 1.0;
        }
        if let Some(h) = hess {
            h[0] = -x / (lambda * lambda);
        }
        if x == 0.0 {
            return -lambda;
        }
        // Loader's saddle-point form: the terms of x ln λ − λ − ln x! are each ~x ln x and
        // cancel to a small number; this form keeps its relative accuracy.
        -stirling_error(x) - deviance_term(x, lambda) - 0.5 * (std::f64::consts::TAU * x).ln()
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
        let (w, lambda) = (s.total_weight, theta[0]);
        if let Some(g) = grad {
            g[0] = w * (s.mean / lambda - 1.0);
        }
        if let Some(h) = hess {
            h[0] = -w * s.mean / (lambda * lambda);
        }
        w * (s.mean * lambda.ln() - lambda) - ln_factorial_sum(sample)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    /// F(x) = Q(⌊x⌋ + 1, λ), the regularized upper incomplete gamma function.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        poisson_cdf(x, theta[0])
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Poisson::new(theta[0]).expect("valid Poisson lambda");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (theta[0], theta[0])
    }
}

/// Σ wᵢ ln(kᵢ!) over the distinct counts (each evaluated once); parameter-free.
fn ln_factorial_sum(sample: &Sample) -> f64 {
    sample
        .distinct()
        .iter()
        .filter(|&&(k, w)| w != 0.0 && k > 1.0)
        .map(|&(k, w)| w * ln_gamma(k + 1.0))
        .sum()
}

/// P(X ≤ x) for X ~ Poisson(λ), 0 below 0; `None` for an invalid λ. F = Q(⌊x⌋ + 1, λ),
/// computed as the sum of the masses of the tail on the far side of the mode from ⌊x⌋
/// ([`tail_sum`], each mass to ~1e-15 relative, so ~1e-15 absolute even at large λ, where the
/// incomplete gamma's prefactor e^(a ln λ − λ − ln Γ(a)) loses digits); statrs' `gamma_ur`
/// when that tail is too long (λ ≳ 7e8).
pub(super) fn poisson_cdf(x: f64, lambda: f64) -> Option<f64> {
    if let Some(edge) = super::count_cdf_edges(x, f64::INFINITY) {
        return Some(edge);
    }
    if !(lambda > 0.0 && lambda.is_finite()) {
        return None;
    }
    let k = x.floor();
    let mass = |j: f64| Poisson.ln_density_derivs(&[lambda], j, None, None).exp();
    let sum = if 40.0 * lambda.sqrt() > MAX_TAIL_TERMS as f64 {
        None
    } else if k < lambda.floor() {
        // P(j − 1)/P(j) = j/λ < 1 below the mode.
        tail_sum(k, -1.0, 0.0, 0.0, mass, |j| j / lambda)
    } else {
        tail_sum(k + 1.0, 1.0, f64::INFINITY, 0.0, mass, |j| {
            lambda / (j + 1.0)
        })
        .map(|s| 1.0 - s)
    };
    match sum {
        Some(f) => Some(f.clamp(0.0, 1.0)),
        None => statrs::function::gamma::checked_gamma_ur(k + 1.0, lambda).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path_with, Derivs, FastPath};
    use super::*;

    #[test]
    fn known_mass_values() {
        // scipy.stats.poisson.logpmf(k, mu), scipy 1.17.
        let cases = [
            (0.0, 0.5, -0.5),
            (3.0, 2.5, -1.5428872736055896),
            (10.0, 3.7, -5.721084376573727),
            (0.0, 1e-3, -0.001),
            (250.0, 240.0, -3.8855009553551554),
        ];
        for (k, lambda, expected) in cases {
            let lp = Poisson.ln_density_derivs(&[lambda], k, None, None);
            assert!(
                (lp - expected).abs() <= 1e-13 * expected.abs(),
                "k={k}: {lp} vs {expected}"
            );
        }
    }

    #[test]
    fn outside_the_support() {
        for x in [-1.0, 2.5, 0.1, f64::INFINITY, f64::NAN] {
            assert_eq!(
                Poisson.ln_density_derivs(&[2.0], x, None, None),
                f64::NEG_INFINITY,
                "{x}"
            );
        }
        let s = Sample::new(vec![1.0, 2.5]).unwrap();
        assert_eq!(
            Poisson.log_likelihood(&[2.0], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn closed_form_is_the_mean() {
        let s = Sample::new(vec![0.0, 1.0, 1.0, 4.0]).unwrap();
        assert_eq!(Poisson.closed_form(&s).unwrap(), vec![1.5]);
        let s = Sample::new(vec![0.0, 3.0])
            .unwrap()
            .with_weights(vec![2.0, 1.0])
            .unwrap();
        assert_eq!(Poisson.closed_form(&s).unwrap(), vec![1.0]);
        // The score vanishes there.
        let mut g = [0.0];
        Poisson.log_likelihood(&[1.0], &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-15);
    }

    #[test]
    fn all_zero_counts_are_degenerate() {
        let s = Sample::new(vec![0.0; 5]).unwrap();
        let e = Poisson.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all counts are 0"), "{e}");
        assert!(Poisson.closed_form(&s).is_none());
    }

    #[test]
    fn derivatives_match_central_differences() {
        // Steps 1e-5·λ; floor 1e-3 for the score and the Hessian alike.
        let how = Derivs {
            floor: 1e-3,
            ..Derivs::rel(1e-6)
        };
        for (lambda, x) in [(0.3, 0.0), (2.5, 3.0), (40.0, 17.0), (1e-2, 2.0)] {
            check_derivatives_with(&Poisson, &[lambda], x, how);
        }
    }

    #[test]
    fn sufficient_statistics_equal_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5])
            .unwrap();
        // Purely relative: no floor.
        let how = FastPath {
            value_floor: 0.0,
            deriv_floor: 0.0,
            ..FastPath::rel(1e-13)
        };
        for lambda in [0.2, 3.4, 50.0] {
            check_fast_path_with(&Poisson, &[lambda], &s, how);
        }
    }

    #[test]
    fn mean_variance_and_sampling() {
        assert_eq!(Poisson.mean_variance(&[3.5]), (3.5, 3.5));
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let draws = Poisson.sample(&[4.0], 2000, &mut rng);
        assert!(draws.iter().all(|&x| is_count(x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 4.0).abs() < 0.2, "{mean}");
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.poisson.cdf(k, mu), scipy 1.17.1.
        let cases = [
            (3.0, 2.5, 0.7575761331330662),
            (0.0, 0.5, 0.6065306597126334),
            (1050.0, 1000.0, 0.9439711616363267),
            (5.0, 12.0, 0.020341029416928398),
        ];
        for (k, lambda, expected) in cases {
            let f = Poisson.cdf(&[lambda], k).unwrap();
            assert!((f - expected).abs() < 1e-13, "k={k} λ={lambda}: {f}");
            // Between the integers it is flat.
            assert_eq!(Poisson.cdf(&[lambda], k + 0.5), Some(f));
        }
        assert_eq!(Poisson.cdf(&[2.0], -0.5), Some(0.0));
        assert_eq!(Poisson.cdf(&[2.0], f64::INFINITY), Some(1.0));
    }
}
