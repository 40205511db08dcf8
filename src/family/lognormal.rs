//! Log-normal distribution.
//!
//! p(x | μ, σ) = exp(−(ln x − μ)² / (2σ²)) / (x σ √(2π)),  x > 0; parameters `meanlog` μ ∈ ℝ
//! and `sdlog` σ > 0, the mean and standard deviation of ln x (not of x).
//!
//! Exponential family: ln x is normal, so the log-likelihood depends on the data only through
//! Σw, the weighted mean of ln x and the biased variance of ln x (both in [`Summary`]); every
//! evaluation after the first pass is O(1). The MLE is closed form: μ̂ = mean(ln x),
//! σ̂ = sd(ln x) with divisor n, not n − 1. It does not exist when all values are equal.
//!
//! Reference: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 14 (§14.5, maximum likelihood estimation).
//!
//! [`Summary`]: crate::data::Summary

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_SQRT_2PI;
use crate::numeric::format::exact;

/// The log-normal family, parameters (meanlog, sdlog).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogNormal;

impl Family for LogNormal {
    fn name(&self) -> &'static str {
        "lognormal"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["lnorm", "log_normal"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = exp(-(ln x - meanlog)^2 / (2 sdlog^2)) / (x sdlog sqrt(2 pi))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("meanlog"), ParamSpec::positive("sdlog")];
        &P
    }

    fn support(&self) -> Support {
        Support::Positive
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
        if s.min == s.max || !(s.variance_ln > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the sdlog estimate would be 0",
                    exact(s.min)
                ),
            ));
        }
        Ok(vec![s.mean_ln, s.variance_ln.sqrt()])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x > 0.0) {
            return f64::NEG_INFINITY;
        }
        let (mu, sigma) = (theta[0], theta[1]);
        let lx = x.ln();
        let d = lx - mu;
        let inv_s2 = 1.0 / (sigma * sigma);
        if let Some(g) = grad {
            g[0] = d * inv_s2;
            g[1] = (d * d * inv_s2 - 1.0) / sigma;
        }
        if let Some(h) = hess {
            h[0] = -inv_s2;
            h[1] = -2.0 * d * inv_s2 / sigma;
            h[2] = h[1];
            h[3] = (1.0 - 3.0 * d * d * inv_s2) * inv_s2;
        }
        -lx - LN_SQRT_2PI - sigma.ln() - 0.5 * d * d * inv_s2
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
        let (w, mu, sigma) = (s.total_weight, theta[0], theta[1]);
        let dm = s.mean_ln - mu;
        // Mean squared deviation of ln x from μ: s²(ln x) + (mean ln x − μ)².
        let msd = s.variance_ln + dm * dm;
        let inv_s2 = 1.0 / (sigma * sigma);
        if let Some(g) = grad {
            g[0] = w * dm * inv_s2;
            g[1] = w * (msd * inv_s2 - 1.0) / sigma;
        }
        if let Some(h) = hess {
            h[0] = -w * inv_s2;
            h[1] = -2.0 * w * dm * inv_s2 / sigma;
            h[2] = h[1];
            h[3] = w * (1.0 - 3.0 * msd * inv_s2) * inv_s2;
        }
        w * (-s.mean_ln - LN_SQRT_2PI - sigma.ln() - 0.5 * msd * inv_s2)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // Φ((ln x − μ)/σ), as erfc for relative precision in the lower tail.
        let z = (x.ln() - theta[0]) / theta[1];
        Some(0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2))
    }

    /// ln Φ((ln x − μ)/σ): the normal's tail-stable ln Φ and its derivatives at ln x.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(super::normal::ln_phi_of_t(
            theta,
            ln_or_minus_infinity(x),
            1.0,
            grad,
            hess,
        ))
    }

    /// ln Φ(−(ln x − μ)/σ), computed as such (not as ln(1 − F)).
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(super::normal::ln_phi_of_t(
            theta,
            ln_or_minus_infinity(x),
            -1.0,
            grad,
            hess,
        ))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::LogNormal::new(theta[0], theta[1]).expect("valid lognormal parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (mu, s2) = (theta[0], theta[1] * theta[1]);
        // Var = (e^{σ²} − 1) e^{2μ + σ²}; expm1 keeps digits for small σ.
        ((mu + 0.5 * s2).exp(), s2.exp_m1() * (2.0 * mu + s2).exp())
    }
}

/// ln x, and −∞ for x ≤ 0 (below the support, where F = 0).
fn ln_or_minus_infinity(x: f64) -> f64 {
    if x > 0.0 {
        x.ln()
    } else {
        f64::NEG_INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives, check_fast_path};
    use super::*;

    #[test]
    fn known_density_values() {
        // scipy.stats.lognorm.logpdf(2.5, s=0.75, scale=exp(0.3)) = -1.885159873688364
        let lp = LogNormal.ln_density_derivs(&[0.3, 0.75], 2.5, None, None);
        assert!((lp + 1.885_159_873_688_364).abs() < 1e-14, "{lp}");
        // scipy.stats.lognorm.logpdf(1e-3, s=2.0, scale=exp(-1.0)) = 0.9329730106748562
        let lp = LogNormal.ln_density_derivs(&[-1.0, 2.0], 1e-3, None, None);
        assert!((lp - 0.932_973_010_674_856_2).abs() < 1e-14, "{lp}");
        assert_eq!(
            LogNormal.ln_density_derivs(&[0.0, 1.0], 0.0, None, None),
            f64::NEG_INFINITY
        );
        assert_eq!(
            LogNormal.ln_density_derivs(&[0.0, 1.0], -2.0, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn closed_form_is_mean_and_biased_sd_of_ln_x() {
        let e = std::f64::consts::E;
        let s = Sample::new(vec![1.0, e, e * e, e * e * e]).unwrap();
        let t = LogNormal.closed_form(&s).unwrap();
        assert!((t[0] - 1.5).abs() < 1e-15);
        assert!((t[1] - 1.25f64.sqrt()).abs() < 1e-15);
        // The score vanishes there.
        let mut g = [0.0; 2];
        LogNormal.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-12 && g[1].abs() < 1e-12, "{g:?}");
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![0.7; 5]).unwrap();
        let e = LogNormal.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
        assert!(LogNormal.closed_form(&s).is_none());
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([0.3, 0.75], 2.5),
            ([-1.0, 2.0], 1e-3),
            ([5.0, 0.2], 150.0),
            ([0.0, 1.0], 1.0),
        ] {
            check_derivatives(&LogNormal, &theta, x, 1e-6);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let s = Sample::new(vec![0.2, 1.5, 3.0, 0.9, 12.0])
            .unwrap()
            .with_weights(vec![1.0, 2.5, 0.0, 0.5, 3.0])
            .unwrap();
        let theta = [0.4, 1.3];
        check_fast_path(&LogNormal, &theta, &s, 1e-13, 1e-12);
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.lognorm.cdf(x, s=0.8, scale=exp(0.5)) (meanlog 0.5, sdlog 0.8).
        let theta = [0.5, 0.8];
        for (x, want) in [
            (2.0, 0.595390608679215),
            (0.3, 0.016587210015229416),
            (50.0, 0.9999900061771707),
        ] {
            let got = LogNormal.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(LogNormal.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(LogNormal.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(LogNormal.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[0.5f64, 0.8], [-3.0, 2.5], [8.0, 0.05]] {
            for z in [-6.0, -1.5, 0.0, 0.7, 4.0] {
                let x = (theta[0] + z * theta[1]).exp();
                super::super::testkit::check_tail_derivatives(&LogNormal, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_match_scipy_far_out() {
        // scipy 1.17.1: lognorm.logsf(1e30, 0.8, scale=exp(0.5)) and
        // lognorm.logcdf(1e-30, 0.8, scale=exp(0.5)).
        let theta = [0.5, 0.8];
        for (got, want) in [
            (
                LogNormal.ln_sf_derivs(&theta, 1e30, None, None),
                -3679.4957667005056,
            ),
            (
                LogNormal.ln_cdf_derivs(&theta, 1e-30, None, None),
                -3787.4439157890693,
            ),
        ] {
            let got = got.unwrap();
            assert!((got - want).abs() <= 1e-13 * want.abs(), "{got} vs {want}");
        }
        assert_eq!(
            LogNormal.ln_cdf_derivs(&theta, 0.0, None, None),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(LogNormal.ln_sf_derivs(&theta, 0.0, None, None), Some(0.0));
    }
}
