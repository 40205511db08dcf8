//! Logistic distribution.
//!
//! p(x | μ, s) = e^(−z) / (s (1 + e^(−z))²),  z = (x − μ)/s,  x ∈ ℝ; parameters `location`
//! μ ∈ ℝ (mean, median and mode) and `scale` s > 0 (not the standard deviation, which is
//! πs/√3).
//!
//! Not an exponential family and no closed-form MLE: every evaluation is one pass over the data.
//! The density is symmetric, so everything is written in |z| with the single exponential
//! e = e^(−|z|) ∈ (0, 1], which never overflows:
//! ln p = −ln s − |z| − 2 ln(1 + e),  ∂ln p/∂z = −tanh(z/2),  tanh(z/2) = sign(z)(1 − e)/(1 + e),
//! and the curvature sech²(z/2) = 4e/(1 + e)² is formed without the cancellation of 1 − tanh².
//! The log-likelihood is concave in μ for fixed s, and the MLE exists unless all values are
//! equal (then s → 0).
//!
//! Initial estimate: the weighted median and sd·√3/π (the moment estimate of the scale).
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 2,
//! 2nd ed., ch. 23 (§23.10, maximum likelihood); Balakrishnan (ed.), *Handbook of the Logistic
//! Distribution* (1992), ch. 4.

use rand::RngCore;
use rand_distr::{Distribution, Open01};

use super::tails::location_scale;
use super::{degenerate, no_spread, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::special::ln_1p_exp;
use crate::special::{logistic, logit};
use crate::sum::CompensatedSum;

/// √3/π: the scale of a logistic with unit standard deviation.
const SQRT_3_OVER_PI: f64 = 0.551_328_895_421_792_1;

/// The logistic family, parameters (location, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Logistic;

impl Family for Logistic {
    fn name(&self) -> &'static str {
        "logistic"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    fn formula(&self) -> &'static str {
        "p(x) = exp(-z) / (scale (1 + exp(-z))^2), z = (x - location)/scale"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("location"), ParamSpec::positive("scale")];
        &P
    }

    fn support(&self) -> Support {
        Support::Real
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if s.min == s.max || !(s.variance > 0.0 && s.variance.is_finite()) {
            return Err(degenerate(
                self,
                no_spread(s.min, s.max, "the scale estimate would be 0"),
            ));
        }
        Ok(vec![
            weighted_median(sample.distinct()),
            SQRT_3_OVER_PI * s.variance.sqrt(),
        ])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let (mu, s) = (theta[0], theta[1]);
        let inv_s = 1.0 / s;
        let z = (x - mu) * inv_s;
        let p = Point::at(z);
        if let Some(g) = grad {
            g[0] = p.t * inv_s;
            g[1] = (z * p.t - 1.0) * inv_s;
        }
        if let Some(h) = hess {
            let inv_s2 = inv_s * inv_s;
            h[0] = -0.5 * p.q * inv_s2;
            h[1] = -(p.t + 0.5 * z * p.q) * inv_s2;
            h[2] = h[1];
            h[3] = (1.0 - 2.0 * z * p.t - 0.5 * z * (z * p.q)) * inv_s2;
        }
        -s.ln() - p.neg_ln
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, s) = (theta[0], theta[1]);
        let inv_s = 1.0 / s;
        let x = sample.values();
        let m = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), mu, inv_s),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                mu,
                inv_s,
            ),
        };
        if let Some(g) = grad {
            g[0] = m.wt * inv_s;
            g[1] = (m.wzt - m.w) * inv_s;
        }
        if let Some(h) = hess {
            let inv_s2 = inv_s * inv_s;
            h[0] = -0.5 * m.wq * inv_s2;
            h[1] = -(m.wt + 0.5 * m.wzq) * inv_s2;
            h[2] = h[1];
            h[3] = (m.w - 2.0 * m.wzt - 0.5 * m.wzzq) * inv_s2;
        }
        -m.w * s.ln() - m.wneg_ln
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        // 1/(1 + e^(−z)); `logistic` exponentiates −|z| only (no overflow, full relative
        // precision in the lower tail).
        let z = (x - theta[0]) / theta[1];
        Some(logistic(z))
    }

    /// ln F = −ln(1 + e^{−z}), z = (x − μ)/s, exact far into both tails.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(location_scale(
            theta,
            x,
            |z| {
                let pq = logistic(z) * logistic(-z);
                (-ln_1p_exp(-z), logistic(-z), -pq)
            },
            grad,
            hess,
        ))
    }

    /// ln S = −ln(1 + e^{z}) (≈ −z far in the upper tail).
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(location_scale(
            theta,
            x,
            |z| {
                let pq = logistic(z) * logistic(-z);
                (-ln_1p_exp(z), -logistic(z), -pq)
            },
            grad,
            hess,
        ))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // Inverse CDF: x = μ + s ln(u / (1 − u)), u uniform on the open interval (0, 1).
        (0..n)
            .map(|_| {
                let u: f64 = Open01.sample(rng);
                theta[0] + theta[1] * logit(u)
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let sd = theta[1] / SQRT_3_OVER_PI;
        (theta[0], sd * sd)
    }
}

/// What one standardised value contributes: −ln(s p) = |z| + 2 ln(1 + e^(−|z|)),
/// t = tanh(z/2) and q = sech²(z/2), all from the one exponential e^(−|z|).
struct Point {
    neg_ln: f64,
    t: f64,
    q: f64,
}

impl Point {
    #[inline]
    fn at(z: f64) -> Point {
        let a = z.abs();
        let e = (-a).exp();
        let r = 1.0 / (1.0 + e);
        Point {
            neg_ln: a + 2.0 * e.ln_1p(),
            t: ((1.0 - e) * r).copysign(z),
            q: 4.0 * e * r * r,
        }
    }
}

/// The weighted sums of one pass: Σw, Σw(−ln s p), Σw t, Σw z t, Σw q, Σw z q, Σw z² q
/// (see [`Point`]).
struct Sums {
    w: f64,
    wneg_ln: f64,
    wt: f64,
    wzt: f64,
    wq: f64,
    wzq: f64,
    wzzq: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, mu: f64, inv_s: f64) -> Sums {
        let mut s = Sums {
            w: 0.0,
            wneg_ln: 0.0,
            wt: 0.0,
            wzt: 0.0,
            wq: 0.0,
            wzq: 0.0,
            wzzq: 0.0,
        };
        // Compensated: the value's rounding error is the objective's noise floor.
        let mut neg_ln = CompensatedSum::default();
        for (x, w) in pairs {
            let z = (x - mu) * inv_s;
            let p = Point::at(z);
            let wt = w * p.t;
            let wq = w * p.q;
            let wzq = wq * z;
            s.w += w;
            neg_ln.add(w * p.neg_ln);
            s.wt += wt;
            s.wzt += wt * z;
            s.wq += wq;
            s.wzq += wzq;
            s.wzzq += wzq * z;
        }
        s.wneg_ln = neg_ln.value();
        s
    }
}

/// The weighted median of sorted (value, weight) pairs: the first value whose cumulative weight
/// reaches half the total.
fn weighted_median(d: &[(f64, f64)]) -> f64 {
    let half = 0.5 * d.iter().map(|p| p.1).sum::<f64>();
    let mut cum = 0.0;
    for &(x, w) in d {
        cum += w;
        if cum >= half {
            return x;
        }
    }
    d[d.len() - 1].0
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives_with, check_fast_path, Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};

    #[test]
    fn known_density_values() {
        // scipy.stats.logistic.logpdf(1.3, loc=0.5, scale=2.0) = -2.1191776853598507
        let lp = Logistic.ln_density_derivs(&[0.5, 2.0], 1.3, None, None);
        assert!((lp + 2.119_177_685_359_850_7).abs() < 1e-15, "{lp}");
        // scipy.stats.logistic.logpdf(-40.0, loc=0.5, scale=0.25) = -160.6137056388801
        let lp = Logistic.ln_density_derivs(&[0.5, 0.25], -40.0, None, None);
        assert!((lp + 160.613_705_638_880_1).abs() < 1e-12, "{lp}");
        // scipy.stats.logistic.logpdf(800.0) = -800.0: no overflow of e^z.
        let lp = Logistic.ln_density_derivs(&[0.0, 1.0], 800.0, None, None);
        assert_eq!(lp, -800.0);
        // scipy.stats.logistic.logpdf(0.5, loc=0.5, scale=3.0) = -2.4849066497880004
        let lp = Logistic.ln_density_derivs(&[0.5, 3.0], 0.5, None, None);
        assert!((lp + 2.484_906_649_788_000_4).abs() < 1e-15, "{lp}");
        let (m, v) = Logistic.mean_variance(&[1.0, 3.0]);
        assert_eq!(m, 1.0);
        assert!((v - 3.0 * std::f64::consts::PI.powi(2)).abs() < 1e-13);
    }

    #[test]
    fn tails_have_finite_derivatives() {
        // Far in either tail the score tends to ±1/s and the curvature to 0, without NaN.
        for x in [-1e300, -800.0, 800.0, 1e300] {
            let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
            let lp = Logistic.ln_density_derivs(&[0.0, 1.0], x, Some(&mut g), Some(&mut h));
            assert!(lp.is_finite() && g.iter().chain(&h).all(|v| v.is_finite()));
            assert_eq!(g[0], x.signum());
            assert_eq!(h[0], 0.0);
        }
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([0.5, 2.0], 1.3),
            ([0.5, 2.0], 0.5),
            ([0.5, 0.25], -40.0),
            ([-3.0, 0.01], -2.9),
            ([1e4, 50.0], 9000.0),
            ([0.0, 1.0], 1e-9),
        ] {
            let how = Derivs {
                step: Step::UnitOf(1, 1e-5),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&Logistic, &theta, x, how);
        }
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, -1.5, 3.0, 0.9, 12.0, -40.0];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let weighted = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        let plain = Sample::new(x).unwrap();
        for (theta, s) in [
            ([0.4, 1.3], &weighted),
            ([-2.0, 0.2], &weighted),
            ([0.4, 1.3], &plain),
        ] {
            check_fast_path(&Logistic, &theta, s, 1e-14, 1e-12);
        }
    }

    #[test]
    fn start_is_weighted_median_and_moment_scale() {
        let s = Sample::new(vec![1.0, 2.0, 9.0])
            .unwrap()
            .with_weights(vec![1.0, 3.0, 1.0])
            .unwrap();
        let t = Logistic.initial_estimate(&s).unwrap();
        assert_eq!(t[0], 2.0);
        assert!((t[1] - SQRT_3_OVER_PI * s.summary().variance.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![3.0; 5]).unwrap();
        let e = Logistic.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn fit_recovers_parameters() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let x = Logistic.sample(&[-2.0, 0.7], 2000, &mut rng);
        let s = Sample::new(x).unwrap();
        let f = fit(&Logistic, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        assert!(f.iterations <= 8, "{}", f.iterations);
        let se = f.std_errors.clone().unwrap();
        assert!((f.theta()[0] + 2.0).abs() < 5.0 * se.get("location").unwrap());
        assert!((f.theta()[1] - 0.7).abs() < 5.0 * se.get("scale").unwrap());
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.logistic.cdf(x, loc=1, scale=2) (location 1, scale 2).
        let theta = [1.0, 2.0];
        for (x, want) in [
            (0.5, 0.43782349911420193),
            (-100.0, 1.1698459177061964e-22),
            (3.0, 0.7310585786300049),
        ] {
            let got = Logistic.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[0.5f64, 2.0], [-3.0, 0.05], [1e3, 50.0]] {
            for x in [-40.0, -3.0, -0.5, 0.0, 1.0, 8.0, 40.0].map(|z: f64| theta[0] + z * theta[1])
            {
                super::super::testkit::check_tail_derivatives(&Logistic, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        // z = ±800: ln F(−800) = −800 − ln(1 + e^{−800}) = −800; ln S(800) = −800.
        let theta = [0.0, 1.0];
        assert_eq!(
            Logistic.ln_cdf_derivs(&theta, -800.0, None, None),
            Some(-800.0)
        );
        assert_eq!(
            Logistic.ln_sf_derivs(&theta, 800.0, None, None),
            Some(-800.0)
        );
        // scipy 1.17.1: logistic.logsf(3.0, loc=0.5, scale=2.0) = −1.501929081345373.
        let got = Logistic.ln_sf_derivs(&[0.5, 2.0], 3.0, None, None).unwrap();
        assert!((got + 1.501929081345373).abs() < 1e-15 * 1.5, "{got}");
    }
}
