//! Half-normal distribution, scale parameterisation.
//!
//! p(x | σ) = √(2/π) / σ · exp(−x² / (2σ²)),  x ≥ 0; parameter `scale` σ > 0 (the sd of the
//! normal that is folded at 0; not the sd of the half-normal, which is σ √(1 − 2/π)). The
//! support is closed at 0: x = 0 is a valid observation (the mode). scipy calls it
//! `halfnorm(scale = σ)`.
//!
//! Exponential family with sufficient statistics Σw and mean(x²): O(1) per evaluation, with
//! mean(x²)/σ² = (s/σ)² + (x̄/σ)² from the cached summary (non-negative terms: no cancellation;
//! x² itself is never formed, so only the summary's variance limits the range, |x| ≲ 1e154).
//! The MLE is closed form, σ̂² = mean(x²); it does not exist when every value is 0 (σ̂ = 0).
//!
//! References: Leone, Nelson & Nottingham, "The folded normal distribution", Technometrics 3
//! (1961); Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1, 2nd ed.,
//! ch. 13 (normal distributions; the folded normal).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;

/// ½ ln(2/π).
const HALF_LN_2_OVER_PI: f64 = -0.225_791_352_644_727_4;

/// The half-normal family, parameter (scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct HalfNormal;

impl Family for HalfNormal {
    fn name(&self) -> &'static str {
        "half_normal"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["halfnorm", "half_gaussian"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = sqrt(2/pi) / scale exp(-x^2 / (2 scale^2))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::positive("scale")];
        &P
    }

    fn support(&self) -> Support {
        Support::NonNegative
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
        // σ̂ = √(mean x²) = hypot(s, x̄), without squaring the data.
        let sigma = s.variance.sqrt().hypot(s.mean);
        if !(sigma > 0.0) {
            return Err(degenerate(
                self,
                "all values are 0, so the scale estimate would be 0",
            ));
        }
        Ok(vec![sigma])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x >= 0.0) || !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let sigma = theta[0];
        let z = x / sigma;
        let z2 = z * z;
        if let Some(g) = grad {
            g[0] = (z2 - 1.0) / sigma;
        }
        if let Some(h) = hess {
            h[0] = (1.0 - 3.0 * z2) / (sigma * sigma);
        }
        HALF_LN_2_OVER_PI - sigma.ln() - 0.5 * z2
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.min >= 0.0) {
            return f64::NEG_INFINITY;
        }
        let (w, sigma) = (s.total_weight, theta[0]);
        // mean(x²)/σ² = (s/σ)² + (x̄/σ)²: non-negative terms, no cancellation, no overflow.
        let msz = (s.variance.sqrt() / sigma).powi(2) + (s.mean / sigma).powi(2);
        if let Some(g) = grad {
            g[0] = w * (msz - 1.0) / sigma;
        }
        if let Some(h) = hess {
            h[0] = w * (1.0 - 3.0 * msz) / (sigma * sigma);
        }
        w * (HALF_LN_2_OVER_PI - sigma.ln() - 0.5 * msz)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // erf(x/(σ√2)): libm's erf keeps relative precision for small x.
        Some(libm::erf(x / theta[0] * std::f64::consts::FRAC_1_SQRT_2))
    }

    /// ln F = ln erf(x/(σ√2)) (ln1p(−erfc) above x = σ); see `ln_cdf`.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(ln_cdf(theta[0], x, grad, hess))
    }

    /// ln S = ln 2 + ln Φ(−x/σ), by the normal's tail-stable ln Φ.
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        if x <= 0.0 || x == f64::INFINITY {
            if let Some(g) = grad {
                g[0] = 0.0;
            }
            if let Some(h) = hess {
                h[0] = 0.0;
            }
            return Some(if x <= 0.0 { 0.0 } else { f64::NEG_INFINITY });
        }
        let (mut g2, mut h2) = ([0.0; 2], [0.0; 4]);
        let v = super::normal::ln_phi_of_t(&[0.0, theta[0]], x, -1.0, Some(&mut g2), Some(&mut h2));
        if let Some(g) = grad {
            g[0] = g2[1];
        }
        if let Some(h) = hess {
            h[0] = h2[3];
        }
        Some(std::f64::consts::LN_2 + v)
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Normal::new(0.0, theta[0]).expect("valid half-normal scale");
        (0..n).map(|_| d.sample(rng).abs()).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let sigma = theta[0];
        let two_over_pi = std::f64::consts::FRAC_2_PI;
        (
            sigma * two_over_pi.sqrt(),
            sigma * sigma * (1.0 - two_over_pi),
        )
    }
}

/// ln F(x | σ) = ln erf(t/√2), t = x/σ, and its derivatives in σ (overwritten): with
/// r = 2φ(t)/F, ∂/∂σ = −t r/σ and ∂²/∂σ² = t r (2 − t²)/σ² − (t r/σ)². erf keeps relative
/// precision for small t, ln1p(−erfc) near F = 1.
fn ln_cdf(sigma: f64, x: f64, grad: Option<&mut [f64]>, hess: Option<&mut [f64]>) -> f64 {
    let t = x / sigma;
    let (value, d1, d2) = if x <= 0.0 {
        (f64::NEG_INFINITY, 0.0, 0.0)
    } else if x == f64::INFINITY {
        (0.0, 0.0, 0.0)
    } else {
        let arg = t * std::f64::consts::FRAC_1_SQRT_2;
        let (f, value) = if t < 1.0 {
            let f = libm::erf(arg);
            (f, f.ln())
        } else {
            let c = libm::erfc(arg);
            (1.0 - c, (-c).ln_1p())
        };
        let r = 2.0 * (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt() / f;
        let d1 = -t * r / sigma;
        (value, d1, t * r * (2.0 - t * t) / (sigma * sigma) - d1 * d1)
    };
    if let Some(g) = grad {
        g[0] = d1;
    }
    if let Some(h) = hess {
        h[0] = d2;
    }
    value
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
            // scipy.stats.halfnorm.logpdf(0.0, scale=2.0) = -0.9189385332046727
            (2.0, 0.0, -0.918_938_533_204_672_7),
            // scipy.stats.halfnorm.logpdf(1.3, scale=2.0) = -1.1301885332046728
            (2.0, 1.3, -1.130_188_533_204_672_8),
            // scipy.stats.halfnorm.logpdf(1.2e4, scale=1e4) = -10.156131724620911
            (1e4, 1.2e4, -10.156_131_724_620_911),
            // scipy.stats.halfnorm.logpdf(3e-4, scale=1e-4) = 4.484549019331455
            (1e-4, 3e-4, 4.484_549_019_331_455),
        ];
        for (sigma, x, want) in cases {
            let lp = HalfNormal.ln_density_derivs(&[sigma], x, None, None);
            assert!(rel_close(lp, want, 1e-14), "{sigma} {x}: {lp} vs {want}");
        }
        // scipy.stats.halfnorm.stats(scale=2.0) = (1.5957691216057308, 1.4535209105296745)
        let (m, v) = HalfNormal.mean_variance(&[2.0]);
        assert!(rel_close(m, 1.595_769_121_605_730_8, 1e-15));
        assert!(rel_close(v, 1.453_520_910_529_674_5, 1e-15));
    }

    #[test]
    fn zero_is_inside_and_negatives_outside_the_support() {
        assert!(HalfNormal
            .ln_density_derivs(&[1.0], 0.0, None, None)
            .is_finite());
        for &x in &[-1.0, -1e-300] {
            assert_eq!(
                HalfNormal.ln_density_derivs(&[2.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![-1.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            HalfNormal.log_likelihood(&[1.0], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([2.0], 0.0),
            ([2.0], 1.3),
            ([2.0], 9.0),
            ([1e4], 1.2e4),
            ([1e-4], 3e-4),
            ([1e-150], 2e-150),
        ] {
            check_derivatives(&HalfNormal, &theta, x, 1e-6);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let x = vec![0.0, 1.5, 3.0, 0.9, 12.0, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let s = Sample::new(x.clone())
            .unwrap()
            .with_weights(w.clone())
            .unwrap();
        check_fast_path(&HalfNormal, &[0.3], &s, 1e-13, 1e-12);
        check_fast_path(&HalfNormal, &[4.5], &s, 1e-13, 1e-12);
        for scale in [1e4, 1e-4, 1e100, 1e-100] {
            let y: Vec<f64> = x.iter().map(|v| scale * v).collect();
            let s = Sample::new(y).unwrap().with_weights(w.clone()).unwrap();
            check_fast_path(&HalfNormal, &[4.5 * scale], &s, 1e-13, 1e-12);
        }
    }

    #[test]
    fn closed_form_on_a_tiny_sample() {
        // scipy.stats.halfnorm.fit([1, 2, 4], floc=0) = (0, 2.6457513110645907) = √7
        let s = Sample::new(vec![1.0, 2.0, 4.0]).unwrap();
        let t = HalfNormal.closed_form(&s).unwrap();
        assert!(rel_close(t[0], 2.645_751_311_064_590_7, 1e-15), "{t:?}");
        let mut g = [0.0];
        HalfNormal.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-14, "{g:?}");
        // A single positive value (and zeros alongside) is enough.
        let s = Sample::new(vec![0.0, 0.0, 3.0]).unwrap();
        assert!(rel_close(
            HalfNormal.closed_form(&s).unwrap()[0],
            3f64.sqrt(),
            1e-15
        ));
    }

    #[test]
    fn all_zero_data_is_degenerate() {
        let s = Sample::new(vec![0.0; 3]).unwrap();
        let e = HalfNormal.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are 0"), "{e}");
        assert!(HalfNormal.closed_form(&s).is_none());
        assert!(fit(&HalfNormal, &s, &FitOptions::default()).is_err());
    }

    #[test]
    fn fit_recovers_the_scale_at_every_magnitude() {
        for (seed, sigma) in [(1u64, 2.3), (2, 1e4), (3, 1e-4)] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(HalfNormal.sample(&[sigma], 2000, &mut rng)).unwrap();
            let f = fit(&HalfNormal, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{sigma}: {:?}", f.termination);
            assert_eq!(f.iterations, 0);
            let se = f.std_errors.clone().unwrap().get("scale").unwrap();
            // se(σ̂) = σ/√(2n) from the information 2/σ² per observation.
            assert!(rel_close(se, f.theta()[0] / (2.0 * 2000f64).sqrt(), 1e-10));
            assert!((f.theta()[0] - sigma).abs() < 5.0 * se);
        }
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.halfnorm.cdf(x, scale=1.7).
        let theta = [1.7];
        for (x, want) in [
            (1.0, 0.44362562957309326),
            (1.0e-06, 4.693438592957761e-07),
            (7.0, 0.9999617239716491),
        ] {
            let got = HalfNormal.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(HalfNormal.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(HalfNormal.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(HalfNormal.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[2.0f64], [0.01], [300.0]] {
            for x in [1e-4, 0.3, 1.0, 2.5, 6.0, 30.0].map(|u: f64| u * theta[0]) {
                super::super::testkit::check_tail_derivatives(&HalfNormal, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        // ln S(40) = ln 2 + ln Φ(−40) = ln 2 − 804.6084420137539 (the normal test's mpmath value;
        // scipy 1.17.1's halfnorm.logsf(40.0) is −inf);
        // ln F(x) ≈ ln(x√(2/π)) for small x.
        let got = HalfNormal.ln_sf_derivs(&[1.0], 40.0, None, None).unwrap();
        let want = -804.6084420137539 + std::f64::consts::LN_2;
        assert!((got - want).abs() < 1e-13 * want.abs(), "{got} vs {want}");
        let got = HalfNormal
            .ln_cdf_derivs(&[1.0], 1e-100, None, None)
            .unwrap();
        let want = (1e-100 * (2.0 / std::f64::consts::PI).sqrt()).ln();
        assert!((got - want).abs() < 1e-14 * want.abs(), "{got} vs {want}");
    }
}
