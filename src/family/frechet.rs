//! Fréchet (inverse Weibull, type II extreme value) distribution, shape–scale parameterisation.
//!
//! p(x | α, s) = (α/s) (x/s)^(−1−α) exp(−(x/s)^(−α)),  x > 0; parameters `shape` α > 0 and
//! `scale` s > 0 (scale, not rate). The CDF is exp(−(x/s)^(−α)); 1/X is Weibull with shape α
//! and scale 1/s. scipy calls it `invweibull(c = α, scale = s)`.
//!
//! **x = 0 is outside the support.** The density tends to 0 there faster than any power, so a
//! zero is an impossible observation (ln p = −∞), and the log-density is −∞ at x ≤ 0.
//!
//! Not an exponential family for unknown α: every evaluation is one pass over the precomputed
//! ln xᵢ, in log space, with u = ln x − ln s and z = (x/s)^(−α) = exp(−α u), so data around
//! 1e4 or 1e-4 with large shapes neither overflow nor lose digits in x^(−α). Value, gradient and
//! Hessian come from the same five weighted sums Σw, Σw u, Σw z, Σw u z, Σw u² z (the first
//! three compensated).
//!
//! No closed form. Initial estimate: ln x is (maximum) Gumbel with standard deviation
//! π / (α √6), so α₀ = π / (√6 sd(ln x)); the scale is then the profile maximiser for that
//! shape, s(α) = (mean of x^(−α))^(−1/α), from a log-sum-exp. The MLE exists iff the data are
//! not all equal (for constant data α → ∞, reported as degenerate), as for the Weibull of 1/x.
//!
//! References: Kotz & Nadarajah, *Extreme Value Distributions: Theory and Applications*
//! (2000), ch. 1–2; Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*,
//! vol. 1, 2nd ed., ch. 21 (the Weibull likelihood equations, applied to 1/x).

use rand::{Rng, RngCore};
use rand_distr::Open01;

use super::tails::exp_tail;
use super::{degenerate, no_spread, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::PI_OVER_SQRT_6;
use crate::numeric::format::exact;
use crate::special::ln_gamma;
use crate::sum::CompensatedSum;

/// The Fréchet family, parameters (shape, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Frechet;

impl Family for Frechet {
    fn name(&self) -> &'static str {
        "frechet"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["invweibull", "inverse_weibull"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = (shape/scale) (x/scale)^(-1-shape) exp(-(x/scale)^(-shape))"
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
        if !(s.min > 0.0) {
            return Err(degenerate(
                self,
                format!("the value {} is outside the support (0, ∞)", exact(s.min)),
            ));
        }
        if s.min == s.max || !(s.variance_ln > 0.0) {
            return Err(degenerate(
                self,
                no_spread(s.min, s.max, "the shape would be infinite"),
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
        if !(x > 0.0) || !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let (a, scale) = (theta[0], theta[1]);
        let ln_scale = scale.ln();
        let u = x.ln() - ln_scale;
        let z = (-a * u).exp();
        if !z.is_finite() {
            // (x/s)^(−α) overflows: x is so far below the scale that the density underflows.
            return f64::NEG_INFINITY;
        }
        if let Some(g) = grad {
            g[0] = 1.0 / a - u + u * z;
            g[1] = a * (1.0 - z) / scale;
        }
        if let Some(h) = hess {
            h[0] = -1.0 / (a * a) - u * u * z;
            h[1] = (1.0 - z + a * u * z) / scale;
            h[2] = h[1];
            h[3] = a * ((1.0 - a) * z - 1.0) / (scale * scale);
        }
        a.ln() - ln_scale - (1.0 + a) * u - z
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
        let (a, scale) = (theta[0], theta[1]);
        let ln_scale = scale.ln();
        let lx = sample.ln_values();
        let s = match sample.weights() {
            None => Sums::over(lx.iter().map(|&l| (l, 1.0)), a, ln_scale),
            Some(w) => Sums::over(
                lx.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&l, &w)| (l, w)),
                a,
                ln_scale,
            ),
        };
        if !s.wz.is_finite() {
            return f64::NEG_INFINITY;
        }
        if let Some(g) = grad {
            g[0] = s.w / a - s.wu + s.wuz;
            g[1] = a * (s.w - s.wz) / scale;
        }
        if let Some(h) = hess {
            h[0] = -s.w / (a * a) - s.wuuz;
            h[1] = (s.w - s.wz + a * s.wuz) / scale;
            h[2] = h[1];
            h[3] = a * ((1.0 - a) * s.wz - s.w) / (scale * scale);
        }
        s.w * (a.ln() - ln_scale) - (1.0 + a) * s.wu - s.wz
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // exp(−(x/s)^(−α)) in log space, as the density is.
        let u = x.ln() - theta[1].ln();
        Some((-(-theta[0] * u).exp()).exp())
    }

    /// ln F = −(x/s)^{−α}, exact however far into the lower tail; see `exp_tail`.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(frechet_tail(theta, x, true, grad, hess))
    }

    /// ln S = ln(1 − exp(−(x/s)^{−α})) (≈ −α ln(x/s) far in the upper tail).
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(frechet_tail(theta, x, false, grad, hess))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // Inverse CDF, x = s (−ln U)^(−1/α) with U in the open interval (0, 1), so that neither
        // 0 nor ∞ can come out (rand_distr's Fréchet draws U from (0, 1] and can return ∞).
        let (a, scale) = (theta[0], theta[1]);
        (0..n)
            .map(|_| {
                let u: f64 = rng.sample(Open01);
                scale * (-(-u.ln()).ln() / a).exp()
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (a, scale) = (theta[0], theta[1]);
        let mean = if a > 1.0 {
            scale * ln_gamma(1.0 - 1.0 / a).exp()
        } else {
            f64::INFINITY
        };
        let var = if a > 2.0 {
            let g1 = ln_gamma(1.0 - 1.0 / a).exp();
            let g2 = ln_gamma(1.0 - 2.0 / a).exp();
            scale * scale * (g2 - g1 * g1)
        } else {
            f64::INFINITY
        };
        (mean, var)
    }
}

/// The weighted sums one pass over the data needs, with u = ln x − ln s and z = exp(−α u):
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
    fn over(pairs: impl Iterator<Item = (f64, f64)>, a: f64, ln_scale: f64) -> Sums {
        let mut s = Sums {
            w: 0.0,
            wu: 0.0,
            wz: 0.0,
            wuz: 0.0,
            wuuz: 0.0,
        };
        // The sums that enter the value are compensated: their rounding error would otherwise
        // be the noise floor of the objective on large samples.
        let (mut w_sum, mut wu, mut wz_sum) = (
            CompensatedSum::default(),
            CompensatedSum::default(),
            CompensatedSum::default(),
        );
        for (lx, w) in pairs {
            let u = lx - ln_scale;
            let wz = w * (-a * u).exp();
            let wuz = wz * u;
            w_sum.add(w);
            wu.add(w * u);
            wz_sum.add(wz);
            s.wuz += wuz;
            s.wuuz += wuz * u;
        }
        s.w = w_sum.value();
        s.wu = wu.value();
        s.wz = wz_sum.value();
        s
    }
}

/// The scale maximising the likelihood for a fixed shape α: the s-score vanishes where
/// Σw (x/s)^(−α) = Σw, i.e. s(α) = (Σw x^(−α) / Σw)^(−1/α), evaluated as
/// ln s = −(logsumexp(−α ln xᵢ + ln wᵢ) − ln Σw) / α so that x^(−α) never overflows.
fn profile_scale(a: f64, sample: &Sample) -> f64 {
    let lx = sample.ln_values();
    let weight = |i: usize| sample.weight(i);
    let m = (0..lx.len())
        .filter(|&i| weight(i) > 0.0)
        .map(|i| -a * lx[i])
        .fold(f64::NEG_INFINITY, f64::max);
    let (mut sum, mut total) = (CompensatedSum::default(), CompensatedSum::default());
    for (i, &l) in lx.iter().enumerate() {
        let w = weight(i);
        if w > 0.0 {
            sum.add(w * (-a * l - m).exp());
            total.add(w);
        }
    }
    (-(m + sum.value().ln() - total.value().ln()) / a).exp()
}

/// −y (`lower`, ln F) or ln(1 − e^{−y}) (ln S) with y = (x/s)^{−α} = e^ℓ, ℓ = −α(ln x − ln s):
/// ∇ℓ = (−u, α/s) and ∇²ℓ = [[0, 1/s], [1/s, −α/s²]] in (α, s), u = ln x − ln s.
fn frechet_tail(
    theta: &[f64],
    x: f64,
    lower: bool,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let (alpha, s) = (theta[0], theta[1]);
    let u = if x > 0.0 {
        x.ln() - s.ln()
    } else {
        f64::NEG_INFINITY
    };
    let ell = -alpha * u;
    exp_tail(
        ell,
        &[-u, alpha / s],
        &[0.0, 1.0 / s, 1.0 / s, -alpha / (s * s)],
        lower,
        grad,
        hess,
    )
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{
        check_derivatives_with, check_fast_path_with, rel_close, Derivs, FastPath,
    };
    use super::*;
    use crate::fit::{fit, FitOptions};

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
        let cases = [
            // scipy.stats.invweibull.logpdf(1.3, 2.0, scale=1.5) = -0.6143763433717613
            (2.0, 1.5, 1.3, -0.614_376_343_371_761_3),
            // scipy.stats.invweibull.logpdf(0.4, 0.5, scale=2.0) = -1.20820546996853
            (0.5, 2.0, 0.4, -1.208_205_469_968_53),
            // scipy.stats.invweibull.logpdf(10500.0, 50.0, scale=1e4) = -7.873819466161453
            (50.0, 1e4, 10500.0, -7.873_819_466_161_453),
            // scipy.stats.invweibull.logpdf(2.2e-4, 3.0, scale=1e-4) = 7.061208869074513
            (3.0, 1e-4, 2.2e-4, 7.061_208_869_074_513),
            // scipy gives -inf for invweibull.logpdf(0.05, 2.3, scale=2.3) (its pdf underflows);
            // mpmath, ln(α/s) − (1+α) ln(x/s) − (x/s)^(−α) at 40 digits: -6660.701804535851
            (2.3, 2.3, 0.05, -6_660.701_804_535_851),
        ];
        for (a, s, x, want) in cases {
            let lp = Frechet.ln_density_derivs(&[a, s], x, None, None);
            assert!(rel_close(lp, want, 1e-13), "{a} {s} {x}: {lp} vs {want}");
        }
    }

    #[test]
    fn zero_and_negative_values_are_outside_the_support() {
        for &x in &[0.0, -1.0, -1e-300] {
            assert_eq!(
                Frechet.ln_density_derivs(&[2.0, 1.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
        // (x/s)^(−α) overflows: −∞, not NaN.
        let mut g = [0.0; 2];
        let lp = Frechet.ln_density_derivs(&[50.0, 1.0], 1e-10, Some(&mut g), None);
        assert_eq!(lp, f64::NEG_INFINITY);
        let s = Sample::new(vec![0.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            Frechet.log_likelihood(&[1.0, 1.0], &s, None, None),
            f64::NEG_INFINITY
        );
        let e = Frechet.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("outside the support"), "{e}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let points: [([f64; 2], f64); 8] = [
            ([2.0, 1.5], 1.3),
            ([0.5, 2.0], 0.4),
            ([0.5, 2.0], 250.0),
            ([50.0, 1e4], 10500.0),
            ([50.0, 1e4], 9700.0),
            ([3.0, 1e-4], 2.2e-4),
            ([1.0, 1.0], 1.0),
            ([2.3, 2.3], 0.3),
        ];
        for (theta, x) in points {
            check_derivatives_with(&Frechet, &theta, x, IN_LOG_UNITS);
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
        check_fast_path_with(&Frechet, &[1.3, 2.5], &s, ONE_PASS);
        check_fast_path_with(&Frechet, &[0.4, 0.7], &s, ONE_PASS);
        check_fast_path_with(
            &Frechet,
            &[1.3, 2.5],
            &Sample::new(x.clone()).unwrap(),
            ONE_PASS,
        );
        let big: Vec<f64> = x.iter().map(|v| 1e4 + 100.0 * v).collect();
        let s = Sample::new(big).unwrap().with_weights(w.clone()).unwrap();
        check_fast_path_with(&Frechet, &[50.0, 1.02e4], &s, ONE_PASS);
        let small: Vec<f64> = x.iter().map(|v| 1e-4 * (1.0 + 0.01 * v)).collect();
        let s = Sample::new(small).unwrap().with_weights(w).unwrap();
        check_fast_path_with(&Frechet, &[40.0, 1.01e-4], &s, ONE_PASS);
    }

    #[test]
    fn initial_scale_is_the_profile_maximiser() {
        for &(centre, spread) in &[(1e4, 0.01), (1e-4, 0.02), (3.0, 0.5)] {
            let x: Vec<f64> = (0..50)
                .map(|i| centre * (1.0 + spread * ((i as f64) * 0.37).sin()))
                .collect();
            let s = Sample::new(x)
                .unwrap()
                .with_weights((0..50).map(|i| 1.0 + (i % 3) as f64).collect())
                .unwrap();
            let t = Frechet.initial_estimate(&s).unwrap();
            assert!(t.iter().all(|v| v.is_finite() && *v > 0.0), "{t:?}");
            let mut g = [0.0; 2];
            let ll = Frechet.log_likelihood(&t, &s, Some(&mut g), None);
            assert!(ll.is_finite());
            assert!(
                (g[1] * t[1]).abs() < 1e-9 * s.summary().total_weight * t[0],
                "{g:?} at {t:?}"
            );
        }
    }

    #[test]
    fn reciprocal_of_weibull_data_gives_the_same_shape() {
        // 1/X ~ Weibull(α, 1/s): the two MLEs correspond exactly.
        let x = vec![0.7, 1.2, 3.3, 0.45, 2.0, 1.6, 0.95];
        let fr = fit(
            &Frechet,
            &Sample::new(x.clone()).unwrap(),
            &FitOptions::default(),
        )
        .unwrap();
        let inv: Vec<f64> = x.iter().map(|v| 1.0 / v).collect();
        let wb = fit(
            &super::super::weibull::Weibull,
            &Sample::new(inv).unwrap(),
            &FitOptions::default(),
        )
        .unwrap();
        assert!(fr.converged && wb.converged);
        let (a, b) = (fr.theta(), wb.theta());
        assert!(rel_close(a[0], b[0], 1e-8), "{a:?} vs {b:?}");
        assert!(rel_close(a[1], 1.0 / b[1], 1e-8), "{a:?} vs {b:?}");
    }

    #[test]
    fn fit_recovers_parameters_at_every_scale() {
        for (seed, theta) in [(1u64, [2.3, 2.3]), (2, [8.0, 1e4]), (3, [0.8, 1e-4])] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(Frechet.sample(&theta, 2000, &mut rng)).unwrap();
            let f = fit(&Frechet, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{theta:?}: {:?}", f.termination);
            let se = f.std_errors.clone().unwrap();
            for (j, name) in ["shape", "scale"].iter().enumerate() {
                let est = f.params.get(name).unwrap();
                assert!(
                    (est - theta[j]).abs() < 5.0 * se.get(name).unwrap(),
                    "{name}: {est} vs {}",
                    theta[j]
                );
            }
        }
    }

    #[test]
    fn sampler_stays_finite_and_positive() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let x = Frechet.sample(&[0.3, 1.0], 10_000, &mut rng);
        assert!(x.iter().all(|v| v.is_finite() && *v > 0.0));
        let (m, v) = Frechet.mean_variance(&[1.5, 1.0]);
        assert!(m.is_finite() && v == f64::INFINITY);
        // scipy.stats.invweibull.stats(3.0, scale=2.0) = (2.708235878852801, 3.381212563325387)
        let (m, v) = Frechet.mean_variance(&[3.0, 2.0]);
        assert!(rel_close(m, 2.708_235_878_852_801, 1e-13), "{m}");
        assert!(rel_close(v, 3.381_212_563_325_387, 1e-12), "{v}");
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![2.5; 4]).unwrap();
        let e = Frechet.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.invweibull.cdf(x, c=2.5, scale=1.5) (shape 2.5, scale 1.5).
        let theta = [2.5, 1.5];
        for (x, want) in [
            (0.5, 1.6983180566081227e-07),
            (3.0, 0.8379668855787558),
            (200.0, 0.9999951286189689),
        ] {
            let got = Frechet.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(Frechet.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(Frechet.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(Frechet.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[2.5f64, 1.5], [0.7, 300.0], [9.0, 0.02]] {
            for x in [1e-5f64, 0.05, 0.5, 0.95, 0.99999]
                .map(|q: f64| theta[1] * (-q.ln()).powf(-1.0 / theta[0]))
            {
                super::super::testkit::check_tail_derivatives(&Frechet, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        let theta = [2.0, 3.0];
        // ln F at x = 3e-6: −(1e-6)^{−2} = −1e12 exactly.
        let got = Frechet.ln_cdf_derivs(&theta, 3e-6, None, None).unwrap();
        assert!((got + 1e12).abs() < 1e-14 * 1e12, "{got}");
        // ln S at x = 3e100: ln(1 − exp(−1e-200)) = ln(1e-200).
        let got = Frechet.ln_sf_derivs(&theta, 3e100, None, None).unwrap();
        let want = (1e-200f64).ln();
        assert!((got - want).abs() < 1e-14 * want.abs(), "{got} vs {want}");
    }
}
