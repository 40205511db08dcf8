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
        let ln_fact = ln_factorial_sum(sample);
        let direct = w * (s.mean * lambda.ln() - lambda) - ln_fact;
        let terms = w * (s.mean * lambda.ln().abs() + lambda) + ln_fact;
        poisson_resum(sample, lambda, (direct, terms), true).unwrap_or(direct)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    /// 1/λ in closed form: the sum over the support it replaces would need ~40√λ terms (endless
    /// at the λ ~ 1e15 of counts that large).
    fn expected_information(&self, theta: &[f64], out: &mut [f64]) -> bool {
        out[0] = 1.0 / theta[0];
        true
    }

    /// F(x) = Q(⌊x⌋ + 1, λ), the regularized upper incomplete gamma function.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        poisson_cdf(x, theta[0])
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Poisson::new(theta[0]).ok();
        (0..n)
            .map(|_| poisson_draw(d.as_ref(), theta[0], rng))
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (theta[0], theta[0])
    }
}

/// One Poisson(λ) draw, for every valid λ: `d` is rand_distr's sampler when λ is within its range
/// (λ < `Poisson::MAX_LAMBDA` ≈ 1.8e19); beyond it, the normal approximation ⌊λ + √λ Z⌉, exact to
/// double precision there (the skewness 1/√λ < 3e-10 moves no draw by an ulp of λ).
pub(super) fn poisson_draw(
    d: Option<&rand_distr::Poisson<f64>>,
    lambda: f64,
    rng: &mut dyn RngCore,
) -> f64 {
    match d {
        Some(d) => d.sample(rng),
        None if lambda > 0.0 => {
            let z: f64 = rand_distr::StandardNormal.sample(rng);
            (lambda + lambda.sqrt() * z).round().max(0.0)
        }
        // λ = 0 (a mixing rate that underflowed) has all its mass at 0.
        None => 0.0,
    }
}

/// Σ wᵢ (kᵢ ln λ − λ − ln kᵢ!) over the counts (over the positive ones only unless
/// `with_zeros`), over the distinct counts of Loader's saddle-point mass, when `direct`, the
/// sufficient-statistic form, lost its digits; `None` when `direct` is good. `terms` is the sum
/// of the magnitudes of the terms `direct` was computed from.
///
/// The sufficient-statistic form wk ln λ − wλ − Σ wᵢ ln kᵢ! is O(1) but its terms are each
/// ~k ln k and cancel to ~½ ln(2πk) per count: at counts ≳ 1e10 fewer than 8 digits survive, and
/// at 1e17 none (the log-likelihood of timestamps came out as a meaningless 32768). When its
/// rounding error (ε times the terms) could exceed 1e-8 of the result, the saddle-point sum,
/// which keeps its relative accuracy, replaces it.
pub(super) fn poisson_resum(
    sample: &Sample,
    lambda: f64,
    (direct, terms): (f64, f64),
    with_zeros: bool,
) -> Option<f64> {
    if f64::EPSILON * terms <= 1e-8 * direct.abs() {
        return None;
    }
    let sum = sample
        .distinct()
        .iter()
        .filter(|&&(k, wi)| wi != 0.0 && (with_zeros || k > 0.0))
        .map(|&(k, wi)| wi * Poisson.ln_density_derivs(&[lambda], k, None, None))
        .sum();
    Some(sum)
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
/// incomplete gamma's prefactor e^(a ln λ − λ − ln Γ(a)) loses digits); the incomplete gamma
/// when that tail is too long (λ ≳ 7e8), through [`crate::special::gamma_q`], which stays
/// bounded in time beyond 2⁵³.
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
        None => Some(crate::special::gamma_q(k + 1.0, lambda)),
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
