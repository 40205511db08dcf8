//! Normal (Gaussian) distribution.
//!
//! p(x | μ, σ) = exp(−(x − μ)² / (2σ²)) / (σ √(2π)),  x ∈ ℝ; parameters `mean` μ ∈ ℝ and
//! `sd` σ > 0 (the standard deviation, not the variance).
//!
//! Exponential family: the log-likelihood depends on the data only through Σw, the weighted
//! mean x̄ and the biased variance s², so every evaluation after the first pass is O(1). The MLE
//! is closed form: μ̂ = x̄, σ̂ = s (divisor n, not n − 1).
//!
//! Reference: Casella & Berger, *Statistical Inference*, 2nd ed., Example 7.2.11.

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, no_spread, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_SQRT_2PI;

/// The normal family, parameters (mean, sd).
#[derive(Debug, Clone, Copy, Default)]
pub struct Normal;

impl Family for Normal {
    fn name(&self) -> &'static str {
        "normal"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["norm", "gaussian"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = exp(-(x - mean)^2 / (2 sd^2)) / (sd sqrt(2 pi))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("mean"), ParamSpec::positive("sd")];
        &P
    }

    fn support(&self) -> Support {
        Support::Real
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.variance > 0.0 && s.variance.is_finite()) {
            return Err(degenerate(
                self,
                no_spread(s.min, s.max, "the sd estimate would be 0"),
            ));
        }
        Ok(vec![s.mean, s.variance.sqrt()])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, sigma) = (theta[0], theta[1]);
        // Standardise first: (x − μ)²/σ² formed as a square of a ratio stays finite for
        // σ down to the smallest normal floats.
        let z = (x - mu) / sigma;
        if let Some(g) = grad {
            g[0] = z / sigma;
            g[1] = (z * z - 1.0) / sigma;
        }
        if let Some(h) = hess {
            let inv_s = 1.0 / sigma;
            h[0] = -inv_s * inv_s;
            h[1] = -2.0 * z * inv_s * inv_s;
            h[2] = h[1];
            h[3] = (1.0 - 3.0 * z * z) * inv_s * inv_s;
        }
        -LN_SQRT_2PI - sigma.ln() - 0.5 * z * z
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        let (w, mu, sigma) = (s.total_weight, theta[0], theta[1]);
        let zm = (s.mean - mu) / sigma;
        // Mean squared standardised deviation from μ: (s² + (x̄ − μ)²)/σ².
        let msz = (s.variance.sqrt() / sigma).powi(2) + zm * zm;
        if let Some(g) = grad {
            g[0] = w * zm / sigma;
            g[1] = w * (msz - 1.0) / sigma;
        }
        if let Some(h) = hess {
            let inv_s = 1.0 / sigma;
            h[0] = -w * inv_s * inv_s;
            h[1] = -2.0 * w * zm * inv_s * inv_s;
            h[2] = h[1];
            h[3] = w * (1.0 - 3.0 * msz) * inv_s * inv_s;
        }
        w * (-LN_SQRT_2PI - sigma.ln() - 0.5 * msz)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        // Φ(z) = erfc(−z/√2)/2 keeps full relative precision in the lower tail.
        let z = (x - theta[0]) / theta[1];
        Some(0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2))
    }

    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(ln_phi_of_t(theta, x, 1.0, grad, hess))
    }

    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        // S(x) = Φ(−z): the same function of t = −z, so the upper tail keeps its digits.
        Some(ln_phi_of_t(theta, x, -1.0, grad, hess))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Normal::new(theta[0], theta[1]).expect("valid normal parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (theta[0], theta[1] * theta[1])
    }
}

/// ln Φ(t) at t = s·(x − μ)/σ (s = 1: ln F(x), s = −1: ln S(x)) and its derivatives in
/// (μ, σ), overwritten. With r = φ(t)/Φ(t) (r′ = −r(t + r)) and ∂t/∂μ = −s/σ, ∂t/∂σ = −t/σ:
/// ∂/∂μ = −s r/σ, ∂/∂σ = −r t/σ, ∂²/∂μ² = −r(t + r)/σ², ∂²/∂μ∂σ = s r(1 − t(t + r))/σ²,
/// ∂²/∂σ² = r t(2 − t(t + r))/σ². ln Φ, r and t + r come from the skew normal's tail-stable
/// evaluation (erfc, and Laplace's continued fraction below t = −4).
pub(crate) fn ln_phi_of_t(
    theta: &[f64],
    x: f64,
    s: f64,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let (mu, sigma) = (theta[0], theta[1]);
    let t = s * (x - mu) / sigma;
    if t.is_infinite() {
        // x = ±∞: F or S is 0 or 1 and does not move with θ.
        if let Some(g) = grad {
            g[..2].fill(0.0);
        }
        if let Some(h) = hess {
            h[..4].fill(0.0);
        }
        return if t > 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    let (ln_phi, r, t_plus_r) = super::skew_normal::ln_cdf_and_mills(t);
    if let Some(g) = grad {
        g[0] = -s * r / sigma;
        g[1] = -r * t / sigma;
    }
    if let Some(h) = hess {
        let s2 = sigma * sigma;
        h[0] = -r * t_plus_r / s2;
        h[1] = s * r * (1.0 - t * t_plus_r) / s2;
        h[2] = h[1];
        h[3] = r * t * (2.0 - t * t_plus_r) / s2;
    }
    ln_phi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_density_values() {
        // dnorm(0) = 1/sqrt(2π); dnorm(1.5, 1, 2) from R: 0.1933340584014246.
        assert!(
            (Normal.ln_density_derivs(&[0.0, 1.0], 0.0, None, None) + LN_SQRT_2PI).abs() < 1e-15
        );
        let v = Normal.ln_density_derivs(&[1.0, 2.0], 1.5, None, None).exp();
        assert!((v - 0.193_334_058_401_424_6).abs() < 1e-15);
    }

    #[test]
    fn closed_form_is_mean_and_biased_sd() {
        let s = Sample::new(vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let t = Normal.closed_form(&s).unwrap();
        assert_eq!(t[0], 2.5);
        assert!((t[1] - 1.25f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![3.0; 5]).unwrap();
        let e = Normal.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn log_tails_match_scipy_far_out() {
        // scipy 1.17.1: norm.logsf(40.0), norm.logcdf(-40.0), norm.logsf(3.0, 1, 2),
        // norm.logcdf(0.2, 1, 2).
        let std = [0.0, 1.0];
        let theta = [1.0, 2.0];
        for (got, want) in [
            (
                Normal.ln_sf_derivs(&std, 40.0, None, None),
                -804.6084420137539,
            ),
            (
                Normal.ln_cdf_derivs(&std, -40.0, None, None),
                -804.6084420137539,
            ),
            (
                Normal.ln_sf_derivs(&theta, 3.0, None, None),
                -1.8410216450092634,
            ),
            (
                Normal.ln_cdf_derivs(&theta, 0.2, None, None),
                -1.0654340491895766,
            ),
        ] {
            let got = got.unwrap();
            assert!((got - want).abs() <= 1e-13 * want.abs(), "{got} vs {want}");
        }
        assert_eq!(
            Normal.ln_cdf_derivs(&theta, f64::INFINITY, None, None),
            Some(0.0)
        );
        assert_eq!(
            Normal.ln_sf_derivs(&theta, f64::INFINITY, None, None),
            Some(f64::NEG_INFINITY)
        );
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.norm.cdf(x, loc=1, scale=2) (mean 1, sd 2).
        let theta = [1.0, 2.0];
        for (x, want) in [
            (1.5, 0.5987063256829237),
            (-3.0, 0.022750131948179195),
            (-20.0, 4.319006317809202e-26),
            (8.0, 0.9997673709209645),
        ] {
            let got = Normal.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
    }
}
