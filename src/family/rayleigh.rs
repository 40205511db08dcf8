//! Rayleigh distribution, scale parameterisation.
//!
//! p(x | σ) = (x/σ²) exp(−x² / (2σ²)),  x > 0; parameter `scale` σ > 0 (the mode; not the
//! mean, which is σ √(π/2)). scipy calls it `rayleigh(scale = σ)`.
//!
//! **x = 0 is outside the support**: the density is 0 there (ln p = −∞), so a zero is an
//! impossible observation, rejected by the support check like the Weibull's.
//!
//! Exponential family with sufficient statistics Σw, mean(x²) and mean(ln x): O(1) per
//! evaluation. mean(x²) is taken from the cached summary as s² + x̄² (biased variance plus
//! squared mean): a sum of two non-negative terms, so — unlike the reverse identity
//! s² = mean(x²) − x̄² — it does not cancel; and it only ever enters as (s/σ)² + (x̄/σ)², so
//! x² is never formed here (only the summary's own variance limits the range, |x| ≲ 1e154).
//! The MLE is closed form, σ̂² = mean(x²)/2, and exists for all positive data (constant data
//! included).
//!
//! Reference: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 18 (chi-square, chi and Rayleigh distributions).

use rand::{Rng, RngCore};
use rand_distr::Open01;

use super::tails::exp_tail;
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::format::exact;

/// The Rayleigh family, parameter (scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rayleigh;

impl Family for Rayleigh {
    fn name(&self) -> &'static str {
        "rayleigh"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    fn formula(&self) -> &'static str {
        "p(x) = (x / scale^2) exp(-x^2 / (2 scale^2))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::positive("scale")];
        &P
    }

    fn support(&self) -> Support {
        Support::Positive
    }

    fn min_observations(&self) -> usize {
        1
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.min > 0.0) {
            return Err(degenerate(
                self,
                format!("the value {} is outside the support (0, ∞)", exact(s.min)),
            ));
        }
        // σ̂ = √(mean x² / 2) = hypot(s, x̄) / √2, without squaring the data.
        Ok(vec![
            s.variance.sqrt().hypot(s.mean) * std::f64::consts::FRAC_1_SQRT_2,
        ])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x > 0.0) || !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let sigma = theta[0];
        let z = x / sigma;
        let z2 = z * z;
        if let Some(g) = grad {
            g[0] = (z2 - 2.0) / sigma;
        }
        if let Some(h) = hess {
            h[0] = (2.0 - 3.0 * z2) / (sigma * sigma);
        }
        // ln x − 2 ln σ = ln z − ln σ: no overflow of x/σ² for tiny σ.
        z.ln() - sigma.ln() - 0.5 * z2
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.min > 0.0) {
            return f64::NEG_INFINITY;
        }
        let (w, sigma) = (s.total_weight, theta[0]);
        // mean(x²)/σ² = (s/σ)² + (x̄/σ)²: non-negative terms, no cancellation, no overflow.
        let msz = (s.variance.sqrt() / sigma).powi(2) + (s.mean / sigma).powi(2);
        if let Some(g) = grad {
            g[0] = w * (msz - 2.0) / sigma;
        }
        if let Some(h) = hess {
            h[0] = w * (2.0 - 3.0 * msz) / (sigma * sigma);
        }
        w * (s.mean_ln - 2.0 * sigma.ln() - 0.5 * msz)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // 1 − exp(−(x/σ)²/2), as −expm1 for small x.
        let u = x / theta[0];
        Some(-(-0.5 * u * u).exp_m1())
    }

    /// ln F = ln(1 − e^{−y}), y = x²/(2σ²); see `exp_tail`.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(rayleigh_tail(theta, x, false, grad, hess))
    }

    /// ln S = −x²/(2σ²).
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(rayleigh_tail(theta, x, true, grad, hess))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // Inverse CDF, x = σ √(−2 ln U) with U in the open interval (0, 1): never 0.
        (0..n)
            .map(|_| {
                let u: f64 = rng.sample(Open01);
                theta[0] * (-2.0 * u.ln()).sqrt()
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let sigma = theta[0];
        (
            sigma * (0.5 * std::f64::consts::PI).sqrt(),
            0.5 * (4.0 - std::f64::consts::PI) * sigma * sigma,
        )
    }
}

/// −y (`survival`) or ln(1 − e^{−y}) with y = x²/(2σ²) = e^ℓ, ℓ = 2 ln x − ln 2 − 2 ln σ
/// (∂ℓ/∂σ = −2/σ, ∂²ℓ/∂σ² = 2/σ²).
fn rayleigh_tail(
    theta: &[f64],
    x: f64,
    survival: bool,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let sigma = theta[0];
    let u = if x > 0.0 { x / sigma } else { 0.0 };
    let ell = (0.5 * u * u).ln();
    exp_tail(
        ell,
        &[-2.0 / sigma],
        &[2.0 / (sigma * sigma)],
        survival,
        grad,
        hess,
    )
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives, check_fast_path, rel_close};
    use super::*;
    use crate::fit::{fit, FitOptions};

    #[test]
    fn known_density_values() {
        let cases = [
            // scipy.stats.rayleigh.logpdf(1.3, scale=2.0) = -1.3351800966523997
            (2.0, 1.3, -1.335_180_096_652_399_7),
            // scipy.stats.rayleigh.logpdf(1e-4, scale=2.0) = -10.596634734346072
            (2.0, 1e-4, -10.596_634_734_346_072),
            // scipy.stats.rayleigh.logpdf(1.2e4, scale=1e4) = -9.74801881518223
            (1e4, 1.2e4, -9.748_018_815_182_23),
            // scipy.stats.rayleigh.logpdf(3e-4, scale=1e-4) = 5.808952660644293
            (1e-4, 3e-4, 5.808_952_660_644_293),
        ];
        for (sigma, x, want) in cases {
            let lp = Rayleigh.ln_density_derivs(&[sigma], x, None, None);
            assert!(rel_close(lp, want, 1e-13), "{sigma} {x}: {lp} vs {want}");
        }
        // scipy.stats.rayleigh.stats(scale=2.0) = (2.5066282746310002, 1.7168146928204138)
        let (m, v) = Rayleigh.mean_variance(&[2.0]);
        assert!(rel_close(m, 2.506_628_274_631_000_2, 1e-15));
        assert!(rel_close(v, 1.716_814_692_820_413_8, 1e-15));
    }

    #[test]
    fn zero_and_negative_values_are_outside_the_support() {
        for &x in &[0.0, -1.0, -1e-300] {
            assert_eq!(
                Rayleigh.ln_density_derivs(&[2.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![0.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            Rayleigh.log_likelihood(&[1.0], &s, None, None),
            f64::NEG_INFINITY
        );
        assert!(Rayleigh.closed_form(&s).is_none());
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([2.0], 1.3),
            ([2.0], 1e-4),
            ([2.0], 9.0),
            ([1e4], 1.2e4),
            ([1e-4], 3e-4),
            ([1e-150], 2e-150),
        ] {
            check_derivatives(&Rayleigh, &theta, x, 1e-6);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let x = vec![0.2, 1.5, 3.0, 0.9, 12.0, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let s = Sample::new(x.clone())
            .unwrap()
            .with_weights(w.clone())
            .unwrap();
        check_fast_path(&Rayleigh, &[0.3], &s, 1e-13, 1e-12);
        check_fast_path(&Rayleigh, &[4.5], &s, 1e-13, 1e-12);
        for scale in [1e4, 1e-4, 1e100, 1e-100] {
            let y: Vec<f64> = x.iter().map(|v| scale * v).collect();
            let s = Sample::new(y).unwrap().with_weights(w.clone()).unwrap();
            check_fast_path(&Rayleigh, &[4.5 * scale], &s, 1e-13, 1e-12);
        }
    }

    #[test]
    fn closed_form_on_a_tiny_sample() {
        // scipy.stats.rayleigh.fit([1, 2, 4], floc=0) = (0, 1.8708286933869707) = √(21/6)
        let s = Sample::new(vec![1.0, 2.0, 4.0]).unwrap();
        let t = Rayleigh.closed_form(&s).unwrap();
        assert!(rel_close(t[0], 1.870_828_693_386_970_7, 1e-15), "{t:?}");
        let mut g = [0.0];
        Rayleigh.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-14, "{g:?}");
        // One value, and constant data, are fine: σ̂ = x/√2.
        let s = Sample::new(vec![3.0; 4]).unwrap();
        let t = Rayleigh.closed_form(&s).unwrap();
        assert!(rel_close(t[0], 3.0 / 2f64.sqrt(), 1e-15), "{t:?}");
        // Scale invariance far from 1: σ̂(c x) = c σ̂(x).
        for c in [1e-100, 1e100] {
            let s = Sample::new(vec![c, 2.0 * c, 4.0 * c]).unwrap();
            let t = Rayleigh.closed_form(&s).unwrap();
            assert!(rel_close(t[0], 1.870_828_693_386_970_7 * c, 1e-15), "{t:?}");
        }
    }

    #[test]
    fn fit_recovers_the_scale_at_every_magnitude() {
        for (seed, sigma) in [(1u64, 2.3), (2, 1e4), (3, 1e-4)] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(Rayleigh.sample(&[sigma], 2000, &mut rng)).unwrap();
            let f = fit(&Rayleigh, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{sigma}: {:?}", f.termination);
            assert_eq!(f.iterations, 0);
            let se = f.std_errors.clone().unwrap().get("scale").unwrap();
            // se(σ̂) = σ/(2√n) from the information 4/σ² per observation.
            assert!(rel_close(se, f.theta()[0] / (2.0 * 2000f64.sqrt()), 1e-10));
            assert!((f.theta()[0] - sigma).abs() < 5.0 * se);
        }
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.rayleigh.cdf(x, scale=1.7).
        let theta = [1.7];
        for (x, want) in [
            (1.0, 0.15887111664239162),
            (0.01, 1.7300888400187824e-05),
            (7.0, 0.9997919035014516),
        ] {
            let got = Rayleigh.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(Rayleigh.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(Rayleigh.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(Rayleigh.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[2.0f64], [0.01], [300.0]] {
            for x in [1e-4, 0.3, 1.0, 2.5, 6.0].map(|u: f64| u * theta[0]) {
                super::super::testkit::check_tail_derivatives(&Rayleigh, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        let theta = [2.0];
        let got = Rayleigh.ln_sf_derivs(&theta, 2e6, None, None).unwrap();
        assert!((got + 0.5e12).abs() < 1e-14 * 0.5e12, "{got}");
        // ln F ≈ ln(x²/(2σ²)) far below σ.
        let got = Rayleigh.ln_cdf_derivs(&theta, 2e-100, None, None).unwrap();
        let want = (0.5e-200f64).ln();
        assert!((got - want).abs() < 1e-14 * want.abs(), "{got} vs {want}");
    }
}
