//! Weibull distribution, shape–scale parameterisation.
//!
//! p(x | k, λ) = (k/λ) (x/λ)^(k−1) exp(−(x/λ)^k),  x > 0; parameters `shape` k > 0 and
//! `scale` λ > 0 (scale, not rate).
//!
//! **x = 0 is outside the support we accept.** For k < 1 the density is infinite at 0, for
//! k > 1 it is zero there (ln p = −∞), and only k = 1 gives a finite positive value; a single
//! zero therefore makes the likelihood degenerate or −∞. Data with zeros are rejected by the
//! support check, and the log-density is −∞ at x ≤ 0. Shifting the data or treating zeros as
//! left-censored observations is the user's decision, not something the fit does silently.
//!
//! Not an exponential family for unknown k: every evaluation is one pass over the data. The pass
//! streams over the precomputed ln xᵢ and works in log space, u = ln x − ln λ and
//! z = (x/λ)^k = exp(k u), so data around 1e4 or 1e-4 and shapes up to ~50 neither overflow nor
//! lose digits in x^k; value, gradient and Hessian come from the same five weighted sums.
//!
//! Initial estimate: ln x follows a (minimum) Gumbel law with standard deviation π / (k √6), so
//! k₀ = π / (√6 sd(ln x)); the scale is then the profile maximiser for that shape,
//! λ(k) = (mean of x^k)^(1/k), computed with a log-sum-exp. The MLE does not exist for constant
//! data (k → ∞).
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 21 (§21.4, the likelihood equations and the profile equation for λ); Cohen,
//! "Maximum likelihood estimation in the Weibull distribution based on complete and on censored
//! samples", Technometrics 7 (1965).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::PI_OVER_SQRT_6;
use crate::numeric::format::exact;
use crate::special::ln_gamma;
use crate::sum::CompensatedSum;

/// The Weibull family, parameters (shape, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Weibull;

impl Family for Weibull {
    fn name(&self) -> &'static str {
        "weibull"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["weib"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = (shape/scale) (x/scale)^(shape-1) exp(-(x/scale)^shape)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::positive("shape"), ParamSpec::positive("scale")];
        &P
    }

    fn support(&self) -> Support {
        Support::Positive
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if s.min == s.max || !(s.variance_ln > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the shape would be infinite",
                    exact(s.min)
                ),
            ));
        }
        let shape = PI_OVER_SQRT_6 / s.variance_ln.sqrt();
        Ok(vec![shape, profile_scale(shape, sample)])
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
        let (k, lambda) = (theta[0], theta[1]);
        let ln_lambda = lambda.ln();
        let u = x.ln() - ln_lambda;
        let z = (k * u).exp();
        if let Some(g) = grad {
            g[0] = 1.0 / k + u - u * z;
            g[1] = k * (z - 1.0) / lambda;
        }
        if let Some(h) = hess {
            h[0] = -1.0 / (k * k) - u * u * z;
            h[1] = (z * (1.0 + k * u) - 1.0) / lambda;
            h[2] = h[1];
            h[3] = k * (1.0 - (k + 1.0) * z) / (lambda * lambda);
        }
        k.ln() - ln_lambda + (k - 1.0) * u - z
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(sample.summary().min > 0.0) {
            return f64::NEG_INFINITY;
        }
        let (k, lambda) = (theta[0], theta[1]);
        let ln_lambda = lambda.ln();
        let lx = sample.ln_values();
        let s = match sample.weights() {
            None => Sums::over(lx.iter().map(|&l| (l, 1.0)), k, ln_lambda),
            Some(w) => Sums::over(
                lx.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&l, &w)| (l, w)),
                k,
                ln_lambda,
            ),
        };
        if let Some(g) = grad {
            g[0] = s.w / k + s.wu - s.wuz;
            g[1] = k * (s.wz - s.w) / lambda;
        }
        if let Some(h) = hess {
            h[0] = -s.w / (k * k) - s.wuuz;
            h[1] = (s.wz + k * s.wuz - s.w) / lambda;
            h[2] = h[1];
            h[3] = k * (s.w - (k + 1.0) * s.wz) / (lambda * lambda);
        }
        s.w * (k.ln() - ln_lambda) + (k - 1.0) * s.wu - s.wz
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // 1 − exp(−(x/λ)^k), as −expm1 for small arguments.
        Some(-(-(x / theta[1]).powf(theta[0])).exp_m1())
    }

    /// ln F = ln(1 − e^{−z}), z = (x/λ)^k; see `tail`.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(tail(theta, x, false, grad, hess))
    }

    /// ln S = −z exactly, z = (x/λ)^k; see `tail`.
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(tail(theta, x, true, grad, hess))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // rand_distr takes (scale, shape), the reverse of our parameter order.
        let d = rand_distr::Weibull::new(theta[1], theta[0]).expect("valid weibull parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (k, lambda) = (theta[0], theta[1]);
        let g1 = ln_gamma(1.0 + 1.0 / k).exp();
        let g2 = ln_gamma(1.0 + 2.0 / k).exp();
        (lambda * g1, lambda * lambda * (g2 - g1 * g1))
    }
}

/// The weighted sums one pass over the data needs, with u = ln x − ln λ and z = exp(k u):
/// Σw, Σw u, Σw z, Σw u z, Σw u² z.
struct Sums {
    w: f64,
    wu: f64,
    wz: f64,
    wuz: f64,
    wuuz: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, k: f64, ln_lambda: f64) -> Sums {
        let mut s = Sums {
            w: 0.0,
            wu: 0.0,
            wz: 0.0,
            wuz: 0.0,
            wuuz: 0.0,
        };
        // The two sums that enter the value are compensated: their rounding error would
        // otherwise be the noise floor of the objective on large samples.
        let (mut wu, mut wz_sum) = (CompensatedSum::default(), CompensatedSum::default());
        for (lx, w) in pairs {
            let u = lx - ln_lambda;
            let wz = w * (k * u).exp();
            let wuz = wz * u;
            s.w += w;
            wu.add(w * u);
            wz_sum.add(wz);
            s.wuz += wuz;
            s.wuuz += wuz * u;
        }
        s.wu = wu.value();
        s.wz = wz_sum.value();
        s
    }
}

/// The scale maximising the likelihood for a fixed shape k: λ(k) = (Σw x^k / Σw)^(1/k), as
/// ln λ = (logsumexp(k ln xᵢ + ln wᵢ) − ln Σw) / k so that x^k never overflows.
fn profile_scale(k: f64, sample: &Sample) -> f64 {
    let lx = sample.ln_values();
    let weight = |i: usize| sample.weight(i);
    let m = (0..lx.len())
        .filter(|&i| weight(i) > 0.0)
        .map(|i| k * lx[i])
        .fold(f64::NEG_INFINITY, f64::max);
    let (mut sum, mut total) = (0.0, 0.0);
    for (i, &l) in lx.iter().enumerate() {
        let w = weight(i);
        if w > 0.0 {
            sum += w * (k * l - m).exp();
            total += w;
        }
    }
    ((m + sum.ln() - total.ln()) / k).exp()
}

/// ln S (`survival`) or ln F of the Weibull at x, with the gradient and Hessian in (k, λ),
/// overwritten.
///
/// With u = ln x − ln λ and z = e^{ku} = (x/λ)^k, ∇z = z·v for v = (u, −k/λ) and
/// ∇²z = z·M, M = [[u², −(ku + 1)/λ], [·, k(k + 1)/λ²]]. ln S = −z, so ∇ln S = −z v and
/// ∇²ln S = −z M: exact however far into the upper tail. ln F = ln(1 − e^{−z}) is taken as
/// ku + ln((1 − e^{−z})/z) for small z (so it stays finite when z underflows: ln F → ku) and as
/// ln1p(−e^{−z}) above; with a = z/(e^z − 1) and b = z/(1 − e^{−z}) (both → 1 as z → 0),
/// ∇ln F = a v and ∇²ln F = a (M − b v vᵀ).
fn tail(
    theta: &[f64],
    x: f64,
    survival: bool,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let (k, lambda) = (theta[0], theta[1]);
    let u = x.ln() - lambda.ln();
    let z = (k * u).exp();
    // F = 0 (x ≤ 0) or F = 1 (x = ∞, or z beyond overflow): neither moves with θ.
    let edge = if x <= 0.0 {
        Some(false)
    } else if z == f64::INFINITY {
        Some(true)
    } else {
        None
    };
    if let Some(at_top) = edge {
        if let Some(g) = grad {
            g[..2].fill(0.0);
        }
        if let Some(h) = hess {
            h[..4].fill(0.0);
        }
        return match (at_top, survival) {
            (false, false) | (true, true) => f64::NEG_INFINITY,
            _ => 0.0,
        };
    }
    let v = [u, -k / lambda];
    let m = [
        u * u,
        -(k * u + 1.0) / lambda,
        k * (k + 1.0) / (lambda * lambda),
    ];
    let (value, a, b) = if survival {
        (-z, -z, 0.0)
    } else {
        let (a, b) = if z == 0.0 {
            (1.0, 1.0)
        } else {
            (z / z.exp_m1(), z / -(-z).exp_m1())
        };
        let value = if z < 0.5 {
            k * u + (-(-z).exp_m1() / z).ln()
        } else {
            (-(-z).exp()).ln_1p()
        };
        // ln(−expm1(−z)/z) at z = 0 is ln(NaN); the limit is ln 1 = 0.
        (if z == 0.0 { k * u } else { value }, a, b)
    };
    if let Some(g) = grad {
        g[0] = a * v[0];
        g[1] = a * v[1];
    }
    if let Some(h) = hess {
        h[0] = a * (m[0] - b * v[0] * v[0]);
        h[1] = a * (m[1] - b * v[0] * v[1]);
        h[2] = h[1];
        h[3] = a * (m[2] - b * v[1] * v[1]);
    }
    value
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives_with, check_fast_path_with, Derivs, FastPath};
    use super::*;

    /// Derivatives compared in the scale-free units θᵢ ∂/∂θᵢ, as the optimizer (log coordinates)
    /// sees them.
    const IN_LOG_UNITS: Derivs = Derivs {
        log_units: true,
        ..Derivs::rel(1e-6)
    };

    /// The one-pass log-likelihood against the pointwise sum, derivatives in the units θᵢ ∂/∂θᵢ.
    const ONE_PASS: FastPath = FastPath {
        log_units: true,
        ..FastPath::rel(1e-12)
    };

    #[test]
    fn known_density_values() {
        // scipy.stats.weibull_min.logpdf(1.3, 2.0, scale=1.5) = -0.6065298823000036
        let lp = Weibull.ln_density_derivs(&[2.0, 1.5], 1.3, None, None);
        assert!((lp + 0.606_529_882_300_003_6).abs() < 1e-14, "{lp}");
        // scipy.stats.weibull_min.logpdf(0.4, 0.5, scale=2.0) = -1.0287890004027984
        let lp = Weibull.ln_density_derivs(&[0.5, 2.0], 0.4, None, None);
        assert!((lp + 1.028_789_000_402_798_4).abs() < 1e-14, "{lp}");
        // scipy.stats.weibull_min.logpdf(10500.0, 50.0, scale=1e4) = -14.374999107999567
        let lp = Weibull.ln_density_derivs(&[50.0, 1e4], 10500.0, None, None);
        assert!((lp + 14.374_999_107_999_567).abs() < 1e-12, "{lp}");
    }

    #[test]
    fn zero_and_negative_values_are_outside_the_support() {
        for &k in &[0.5, 1.0, 2.0] {
            assert_eq!(
                Weibull.ln_density_derivs(&[k, 1.0], 0.0, None, None),
                f64::NEG_INFINITY
            );
            assert_eq!(
                Weibull.ln_density_derivs(&[k, 1.0], -1.0, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![0.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            Weibull.log_likelihood(&[1.0, 1.0], &s, None, None),
            f64::NEG_INFINITY
        );
        assert!(!Weibull.support().contains(0.0));
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let points: [([f64; 2], f64); 7] = [
            ([2.0, 1.5], 1.3),
            ([0.5, 2.0], 0.4),
            ([0.5, 2.0], 25.0),
            ([50.0, 1e4], 10500.0),
            ([50.0, 1e4], 9300.0),
            ([3.0, 1e-4], 2.2e-4),
            ([1.0, 1.0], 1.0),
        ];
        for (theta, x) in points {
            check_derivatives_with(&Weibull, &theta, x, IN_LOG_UNITS);
        }
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, 1.5, 3.0, 0.9, 12.0, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let s = Sample::new(x.clone())
            .unwrap()
            .with_weights(w.clone())
            .unwrap();
        check_fast_path_with(&Weibull, &[1.3, 2.5], &s, ONE_PASS);
        check_fast_path_with(&Weibull, &[0.4, 0.7], &s, ONE_PASS);
        check_fast_path_with(
            &Weibull,
            &[1.3, 2.5],
            &Sample::new(x.clone()).unwrap(),
            ONE_PASS,
        );
        // Large and small magnitudes with a large shape.
        let big: Vec<f64> = x.iter().map(|v| 1e4 + 100.0 * v).collect();
        let s = Sample::new(big).unwrap().with_weights(w.clone()).unwrap();
        check_fast_path_with(&Weibull, &[50.0, 1.02e4], &s, ONE_PASS);
        let small: Vec<f64> = x.iter().map(|v| 1e-4 * (1.0 + 0.01 * v)).collect();
        let s = Sample::new(small).unwrap().with_weights(w).unwrap();
        check_fast_path_with(&Weibull, &[40.0, 1.01e-4], &s, ONE_PASS);
    }

    #[test]
    fn initial_scale_is_the_profile_maximiser() {
        // Data near 1e4 with a spread of ~1 %: the shape start is large (~100), yet x^k is never
        // formed and the λ-score at (k₀, λ(k₀)) vanishes.
        for &(centre, spread) in &[(1e4, 0.01), (1e-4, 0.02), (3.0, 0.5)] {
            let x: Vec<f64> = (0..50)
                .map(|i| centre * (1.0 + spread * ((i as f64) * 0.37).sin()))
                .collect();
            let s = Sample::new(x)
                .unwrap()
                .with_weights((0..50).map(|i| 1.0 + (i % 3) as f64).collect())
                .unwrap();
            let t = Weibull.initial_estimate(&s).unwrap();
            assert!(t.iter().all(|v| v.is_finite() && *v > 0.0), "{t:?}");
            let mut g = [0.0; 2];
            let ll = Weibull.log_likelihood(&t, &s, Some(&mut g), None);
            assert!(ll.is_finite());
            assert!(
                (g[1] * t[1]).abs() < 1e-9 * s.summary().total_weight * t[0],
                "{g:?} at {t:?}"
            );
        }
    }

    #[test]
    fn initial_estimate_is_close_on_a_large_sample() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let x = Weibull.sample(&[2.0, 3.0], 5000, &mut rng);
        let t = Weibull.initial_estimate(&Sample::new(x).unwrap()).unwrap();
        assert!(
            (t[0] - 2.0).abs() < 0.15 && (t[1] - 3.0).abs() < 0.15,
            "{t:?}"
        );
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![2.5; 4]).unwrap();
        let e = Weibull.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.weibull_min.cdf(x, c=1.8, scale=2.2) (shape 1.8, scale 2.2).
        let theta = [1.8, 2.2];
        for (x, want) in [
            (1.2, 0.28528078299901344),
            (0.0001, 1.5262974238659068e-08),
            (6.0, 0.9977248570871127),
        ] {
            let got = Weibull.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(Weibull.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(Weibull.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(Weibull.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[1.8, 2.2], [0.6, 150.0], [7.5, 0.02]] {
            for q in [1e-6f64, 0.05, 0.5, 0.9, 0.999] {
                // x at quantile q: λ(−ln(1 − q))^{1/k}.
                let x = theta[1] * (-(-q).ln_1p()).powf(1.0 / theta[0]);
                super::super::testkit::check_tail_derivatives(&Weibull, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        let theta = [1.5, 2.0];
        // ln S = −(x/λ)^k exactly, even at 1e6 scale units, where S underflows.
        let x = 2.0e6;
        let want = -(1e6f64).powf(1.5);
        let got = Weibull.ln_sf_derivs(&theta, x, None, None).unwrap();
        assert!((got - want).abs() <= 1e-15 * want.abs(), "{got} vs {want}");
        let mut g = [0.0; 2];
        Weibull.ln_sf_derivs(&theta, x, Some(&mut g), None);
        assert!((g[0] - want * 1e6f64.ln()).abs() <= 1e-14 * g[0].abs());
        // ln F ≈ k ln(x/λ) far below the scale, where F underflows to 0 in 1 − e^{−z}.
        let x = 2.0e-250;
        let want = 1.5 * (1e-250f64).ln();
        let got = Weibull.ln_cdf_derivs(&theta, x, None, None).unwrap();
        assert!((got - want).abs() <= 1e-15 * want.abs(), "{got} vs {want}");
        // ln F near 1: scipy 1.17.1 weibull_min.logcdf(30.0, 1.5, scale=2.0) = −5.885326532526261e-26
        // (= −e^{−z}, z = 15^1.5).
        let got = Weibull.ln_cdf_derivs(&theta, 30.0, None, None).unwrap();
        let want = -(-(15f64).powf(1.5)).exp();
        assert!((got - want).abs() <= 1e-13 * want.abs(), "{got} vs {want}");
        assert_eq!(
            Weibull.ln_cdf_derivs(&theta, 0.0, None, None),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(
            Weibull.ln_sf_derivs(&theta, f64::INFINITY, None, None),
            Some(f64::NEG_INFINITY)
        );
    }
}
