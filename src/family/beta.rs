//! Beta distribution.
//!
//! p(x | α, β) = x^(α−1) (1 − x)^(β−1) / B(α, β),  0 < x < 1; parameters `alpha` α > 0 and
//! `beta` β > 0 (both shapes; the mean is α / (α + β)). The end points 0 and 1 are excluded:
//! the density is 0 or ∞ there unless a shape is exactly 1.
//!
//! Exponential family with sufficient statistics (mean ln x, mean ln(1 − x)): O(1) per
//! evaluation. There is no closed-form MLE; the start is the method-of-moments estimate
//! α₀ = x̄ c, β₀ = (1 − x̄) c with c = x̄(1 − x̄)/s² − 1, or (1, 1) when that is not positive. The
//! likelihood is strictly concave in (α, β), so the optimizer reaches the unique MLE from there;
//! it does not exist for constant data (both shapes → ∞).
//!
//! Reference: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 2,
//! 2nd ed., ch. 25 (§25.4, moment and maximum-likelihood estimators).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::format::exact;
use crate::special::{digamma, ln_beta, trigamma};

/// The beta family, parameters (alpha, beta).
#[derive(Debug, Clone, Copy, Default)]
pub struct Beta;

impl Family for Beta {
    fn name(&self) -> &'static str {
        "beta"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    fn formula(&self) -> &'static str {
        "p(x) = x^(alpha-1) (1-x)^(beta-1) / B(alpha, beta)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::positive("alpha"), ParamSpec::positive("beta")];
        &P
    }

    fn support(&self) -> Support {
        Support::OpenUnit
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if s.min == s.max || !(s.variance > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so both shapes would be infinite",
                    exact(s.min)
                ),
            ));
        }
        let m = s.mean;
        let c = m * (1.0 - m) / s.variance - 1.0;
        let (a, b) = (m * c, (1.0 - m) * c);
        if a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() {
            Ok(vec![a, b])
        } else {
            Ok(vec![1.0, 1.0])
        }
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x > 0.0 && x < 1.0) {
            return f64::NEG_INFINITY;
        }
        let (a, b) = (theta[0], theta[1]);
        let (lx, l1mx) = (x.ln(), (-x).ln_1p());
        if let Some(g) = grad {
            let psi_ab = digamma(a + b);
            g[0] = lx - digamma(a) + psi_ab;
            g[1] = l1mx - digamma(b) + psi_ab;
        }
        if let Some(h) = hess {
            let tri_ab = trigamma(a + b);
            h[0] = tri_ab - trigamma(a);
            h[1] = tri_ab;
            h[2] = tri_ab;
            h[3] = tri_ab - trigamma(b);
        }
        (a - 1.0) * lx + (b - 1.0) * l1mx - ln_beta(a, b)
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.min > 0.0 && s.max < 1.0) {
            return f64::NEG_INFINITY;
        }
        let (w, a, b) = (s.total_weight, theta[0], theta[1]);
        if let Some(g) = grad {
            let psi_ab = digamma(a + b);
            g[0] = w * (s.mean_ln - digamma(a) + psi_ab);
            g[1] = w * (s.mean_ln_1m - digamma(b) + psi_ab);
        }
        if let Some(h) = hess {
            let tri_ab = trigamma(a + b);
            h[0] = w * (tri_ab - trigamma(a));
            h[1] = w * tri_ab;
            h[2] = h[1];
            h[3] = w * (tri_ab - trigamma(b));
        }
        w * ((a - 1.0) * s.mean_ln + (b - 1.0) * s.mean_ln_1m - ln_beta(a, b))
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        use statrs::function::beta::beta_reg;
        let (a, b) = (theta[0], theta[1]);
        if x <= 0.0 {
            return Some(0.0);
        }
        if x >= 1.0 {
            return Some(1.0);
        }
        // I_x(α, β), evaluated at the argument ≤ 1/2 (1 − x is exact for x > 1/2), so that
        // the incomplete beta never sees an argument rounded to 1.
        Some(if x <= 0.5 {
            beta_reg(a, b, x)
        } else {
            1.0 - beta_reg(b, a, 1.0 - x)
        })
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Beta::new(theta[0], theta[1]).expect("valid beta parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (a, b) = (theta[0], theta[1]);
        let t = a + b;
        (a / t, a * b / (t * t * (t + 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives, check_fast_path};
    use super::*;

    #[test]
    fn known_density_values() {
        // scipy.stats.beta.logpdf(0.3, 2.0, 5.0) = 0.7705248015812898
        let lp = Beta.ln_density_derivs(&[2.0, 5.0], 0.3, None, None);
        assert!((lp - 0.770_524_801_581_289_8).abs() < 1e-14, "{lp}");
        // scipy.stats.beta.logpdf(0.999, 0.5, 0.5) = 2.30964800380846
        let lp = Beta.ln_density_derivs(&[0.5, 0.5], 0.999, None, None);
        assert!((lp - 2.309_648_003_808_46).abs() < 1e-13, "{lp}");
        for x in [0.0, 1.0, -0.1, 1.1] {
            assert_eq!(
                Beta.ln_density_derivs(&[2.0, 5.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
    }

    #[test]
    fn moment_start_on_a_tiny_sample() {
        // Mean 0.5, biased variance 0.02: c = 0.25 / 0.02 − 1 = 11.5, α₀ = β₀ = 5.75.
        let s = Sample::new(vec![0.3, 0.5, 0.7]).unwrap();
        let v = 0.08 / 3.0;
        let c = 0.25 / v - 1.0;
        let t = Beta.initial_estimate(&s).unwrap();
        assert!(
            (t[0] - 0.5 * c).abs() < 1e-12 && (t[1] - 0.5 * c).abs() < 1e-12,
            "{t:?}"
        );
        // Data piled at both ends: s² < x̄(1 − x̄) always holds inside (0, 1), so c > 0 but tends
        // to 0 (c ≤ 0 only by rounding, where the (1, 1) fallback applies); the start stays
        // finite and positive.
        let s = Sample::new(vec![1e-12, 1.0 - 1e-12]).unwrap();
        let t = Beta.initial_estimate(&s).unwrap();
        assert!(t.iter().all(|v| v.is_finite() && *v > 0.0), "{t:?}");
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![0.25; 3]).unwrap();
        let e = Beta.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([2.0, 5.0], 0.3),
            ([0.5, 0.5], 0.999),
            ([0.05, 3.0], 1e-6),
            ([200.0, 80.0], 0.7),
        ] {
            check_derivatives(&Beta, &theta, x, 1e-6);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let s = Sample::new(vec![0.2, 0.55, 0.3, 0.9, 0.01])
            .unwrap()
            .with_weights(vec![1.0, 2.5, 0.0, 0.5, 3.0])
            .unwrap();
        let theta = [0.8, 2.3];
        check_fast_path(&Beta, &theta, &s, 1e-13, 1e-12);
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.beta.cdf(x, a=2.5, b=0.4) (alpha 2.5, beta 0.4).
        let theta = [2.5, 0.4];
        for (x, want) in [
            (0.3, 0.014165144098561119),
            (0.999999, 0.9938321502202782),
            (1.0e-05, 7.838912518946899e-14),
        ] {
            let got = Beta.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(Beta.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(Beta.cdf(&theta, 1.0), Some(1.0));
    }
}
