//! Exponential distribution, rate parameterisation.
//!
//! p(x | λ) = λ e^(−λx),  x ≥ 0; parameter `rate` λ > 0 (rate, not scale: the mean is 1/λ).
//! The support is closed at 0: x = 0 is a valid observation with density λ.
//!
//! Exponential family with sufficient statistics (Σw, x̄): O(1) per evaluation. The MLE is
//! closed form, λ̂ = 1/x̄; it does not exist when every value is 0 (x̄ = 0, λ̂ = ∞).
//!
//! Reference: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 19 (§19.4, estimation).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;

/// The exponential family, parameter (rate).
#[derive(Debug, Clone, Copy, Default)]
pub struct Exponential;

impl Family for Exponential {
    fn name(&self) -> &'static str {
        "exponential"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["exp"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = rate exp(-rate x)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::positive("rate")];
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
        if !(s.mean > 0.0) {
            return Err(degenerate(
                self,
                "all values are 0, so the rate estimate would be infinite",
            ));
        }
        Ok(vec![1.0 / s.mean])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x >= 0.0) {
            return f64::NEG_INFINITY;
        }
        let rate = theta[0];
        if let Some(g) = grad {
            g[0] = 1.0 / rate - x;
        }
        if let Some(h) = hess {
            h[0] = -1.0 / (rate * rate);
        }
        rate.ln() - rate * x
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
        let (w, rate) = (s.total_weight, theta[0]);
        if let Some(g) = grad {
            g[0] = w * (1.0 / rate - s.mean);
        }
        if let Some(h) = hess {
            h[0] = -w / (rate * rate);
        }
        w * (rate.ln() - rate * s.mean)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // 1 − e^(−λx) without cancellation for small λx.
        Some(-(-theta[0] * x).exp_m1())
    }

    /// ln F(x) = ln(1 − e^{−λx}) through expm1; ∂/∂λ = x/(e^{λx} − 1),
    /// ∂²/∂λ² = −x²/((e^{λx} − 1)(1 − e^{−λx})), both free of overflow for large λx.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        let lx = theta[0] * x;
        let (value, d1, d2) = if x <= 0.0 {
            (f64::NEG_INFINITY, 0.0, 0.0)
        } else if x == f64::INFINITY {
            (0.0, 0.0, 0.0)
        } else {
            let (up, down) = (lx.exp_m1(), -(-lx).exp_m1());
            (down.ln(), x / up, -x * x / (up * down))
        };
        if let Some(g) = grad {
            g[0] = d1;
        }
        if let Some(h) = hess {
            h[0] = d2;
        }
        Some(value)
    }

    /// ln S(x) = −λx; ∂/∂λ = −x, ∂²/∂λ² = 0.
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        let (value, d1) = if x <= 0.0 {
            (0.0, 0.0)
        } else if x == f64::INFINITY {
            (f64::NEG_INFINITY, 0.0)
        } else {
            (-theta[0] * x, -x)
        };
        if let Some(g) = grad {
            g[0] = d1;
        }
        if let Some(h) = hess {
            h[0] = 0.0;
        }
        Some(value)
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Exp::new(theta[0]).expect("valid exponential parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (1.0 / theta[0], 1.0 / (theta[0] * theta[0]))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives, check_fast_path};
    use super::*;

    #[test]
    fn known_density_values() {
        // scipy.stats.expon.logpdf(0.0, scale=1/2.5) = 0.916290731874155 (= ln 2.5: x = 0 is in
        // the support).
        let lp = Exponential.ln_density_derivs(&[2.5], 0.0, None, None);
        assert!((lp - 0.916_290_731_874_155).abs() < 1e-15, "{lp}");
        // scipy.stats.expon.logpdf(1.7, scale=1/2.5) = -3.333709268125845
        let lp = Exponential.ln_density_derivs(&[2.5], 1.7, None, None);
        assert!((lp + 3.333_709_268_125_845).abs() < 1e-14, "{lp}");
        assert_eq!(
            Exponential.ln_density_derivs(&[2.5], -1e-9, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn closed_form_is_reciprocal_mean() {
        let s = Sample::new(vec![0.0, 1.0, 2.0, 5.0]).unwrap();
        let t = Exponential.closed_form(&s).unwrap();
        assert_eq!(t, vec![0.5]);
        let mut g = [0.0];
        Exponential.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-14);
        // One observation suffices.
        let s = Sample::new(vec![4.0]).unwrap();
        assert_eq!(Exponential.closed_form(&s).unwrap(), vec![0.25]);
    }

    #[test]
    fn all_zero_data_is_degenerate() {
        let s = Sample::new(vec![0.0; 3]).unwrap();
        let e = Exponential.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are 0"), "{e}");
        assert!(Exponential.closed_form(&s).is_none());
        // Constant but non-zero data are fine.
        let s = Sample::new(vec![2.0; 3]).unwrap();
        assert_eq!(Exponential.closed_form(&s).unwrap(), vec![0.5]);
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[([2.5], 0.0), ([2.5], 1.7), ([1e-3], 2500.0), ([40.0], 0.01)] {
            check_derivatives(&Exponential, &theta, x, 1e-6);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let s = Sample::new(vec![0.0, 1.5, 3.0, 0.9, 12.0])
            .unwrap()
            .with_weights(vec![1.0, 2.5, 0.0, 0.5, 3.0])
            .unwrap();
        let theta = [0.3];
        check_fast_path(&Exponential, &theta, &s, 1e-13, 1e-12);
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.expon.cdf(x, scale=1/1.3) (rate 1.3).
        let theta = [1.3];
        for (x, want) in [
            (0.7, 0.597475775966364),
            (1.0e-09, 1.2999999991550001e-09),
            (20.0, 0.9999999999948909),
        ] {
            let got = Exponential.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(Exponential.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(Exponential.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(Exponential.cdf(&theta, f64::INFINITY), Some(1.0));
    }
}
