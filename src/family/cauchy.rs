//! Cauchy distribution.
//!
//! p(x | μ, γ) = 1 / (π γ (1 + ((x − μ)/γ)²)),  x ∈ ℝ; parameters `location` μ ∈ ℝ (the median)
//! and `scale` γ > 0 (half the interquartile range). The mean and variance do not exist.
//!
//! Not an exponential family: every evaluation is one pass over the data, accumulating value,
//! gradient and Hessian from the same six weighted sums of t = (x − μ)/γ and r = 1/(1 + t²).
//! The likelihood in μ can be multimodal, so the start matters: it is the weighted median and
//! half the weighted interquartile range, both robust to the heavy tails.
//!
//! When more than half of the total weight sits on one value a, the log-likelihood at μ = a
//! behaves like (Σw − 2 w_a) ln γ and grows without bound as γ → 0: no MLE exists, and the
//! initial estimate reports the data as degenerate (constant data being the extreme case). With
//! at most half on every value, the MLE exists (Copas 1975).
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 16 (§16.6, estimation); Copas, "On the unimodality of the likelihood for the
//! Cauchy distribution", Biometrika 62 (1975).

use rand::RngCore;
use rand_distr::Distribution;

use super::tails::location_scale;
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_PI;
use crate::numeric::format::exact;
use crate::sum::CompensatedSum;

/// The Cauchy family, parameters (location, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Cauchy;

impl Family for Cauchy {
    fn name(&self) -> &'static str {
        "cauchy"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    fn formula(&self) -> &'static str {
        "p(x) = 1 / (pi scale (1 + ((x - location)/scale)^2))"
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
        let d = sample.distinct();
        let total: f64 = d.iter().map(|p| p.1).sum();
        let (mode, heaviest) = d
            .iter()
            .fold((d[0].0, 0.0), |b, &(x, w)| if w > b.1 { (x, w) } else { b });
        if heaviest >= total {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the scale estimate would be 0",
                    exact(mode)
                ),
            ));
        }
        if heaviest > 0.5 * total {
            return Err(degenerate(
                self,
                format!(
                    "the value {} carries {:.1}% of the weight (more than half), so the likelihood grows without bound as the scale goes to 0",
                    exact(mode),
                    100.0 * heaviest / total
                ),
            ));
        }
        let median = weighted_quantile(d, total, 0.5);
        let mut scale =
            0.5 * (weighted_quantile(d, total, 0.75) - weighted_quantile(d, total, 0.25));
        if !(scale > 0.0) {
            // Only rounding in the cumulative weights can make the quartiles coincide (at most
            // half the weight is on one value); the mean absolute deviation is then positive.
            scale = d.iter().map(|&(x, w)| w * (x - median).abs()).sum::<f64>() / total;
        }
        Ok(vec![median, scale])
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
        let (mu, gamma) = (theta[0], theta[1]);
        let inv_g = 1.0 / gamma;
        let t = (x - mu) * inv_g;
        let t2 = t * t;
        let r = 1.0 / (1.0 + t2);
        if let Some(g) = grad {
            g[0] = 2.0 * t * r * inv_g;
            g[1] = (1.0 - 2.0 * r) * inv_g;
        }
        if let Some(h) = hess {
            let inv_g2 = inv_g * inv_g;
            let a = r - 2.0 * r * r;
            h[0] = 2.0 * a * inv_g2;
            h[1] = -4.0 * t * r * r * inv_g2;
            h[2] = h[1];
            h[3] = (-1.0 - 2.0 * a) * inv_g2;
        }
        -LN_PI - gamma.ln() - t2.ln_1p()
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, gamma) = (theta[0], theta[1]);
        let inv_g = 1.0 / gamma;
        let x = sample.values();
        let s = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), mu, inv_g),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                mu,
                inv_g,
            ),
        };
        if let Some(g) = grad {
            g[0] = 2.0 * s.wtr * inv_g;
            g[1] = (s.w - 2.0 * s.wr) * inv_g;
        }
        if let Some(h) = hess {
            let inv_g2 = inv_g * inv_g;
            let a = s.wr - 2.0 * s.wrr;
            h[0] = 2.0 * a * inv_g2;
            h[1] = -4.0 * s.wtrr * inv_g2;
            h[2] = h[1];
            h[3] = (-s.w - 2.0 * a) * inv_g2;
        }
        -s.w * (LN_PI + gamma.ln()) - s.wl
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        // 1/2 + atan(z)/π written as atan2(1, −z)/π: no cancellation in the lower tail.
        let z = (x - theta[0]) / theta[1];
        Some(1f64.atan2(-z) / std::f64::consts::PI)
    }

    /// ln F = ln(atan2(1, −z)/π), z = (x − μ)/γ: no cancellation in the lower tail.
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
                let f = 1f64.atan2(-z) / std::f64::consts::PI;
                let r = 1.0 / (std::f64::consts::PI * (1.0 + z * z) * f);
                (f.ln(), r, -2.0 * z * r / (1.0 + z * z) - r * r)
            },
            grad,
            hess,
        ))
    }

    /// ln S = ln(atan2(1, z)/π): no cancellation in the upper tail.
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
                let s = 1f64.atan2(z) / std::f64::consts::PI;
                let r = 1.0 / (std::f64::consts::PI * (1.0 + z * z) * s);
                (s.ln(), -r, 2.0 * z * r / (1.0 + z * z) - r * r)
            },
            grad,
            hess,
        ))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Cauchy::new(theta[0], theta[1]).expect("valid cauchy parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, _theta: &[f64]) -> (f64, f64) {
        // Neither moment exists (E|X| = ∞); NaN, as scipy.stats.cauchy.stats reports.
        (f64::NAN, f64::NAN)
    }
}

/// The weighted sums of one pass, with t = (x − μ)/γ and r = 1/(1 + t²):
/// Σw, Σw ln(1 + t²), Σw r, Σw t r, Σw r², Σw t r².
struct Sums {
    w: f64,
    wl: f64,
    wr: f64,
    wtr: f64,
    wrr: f64,
    wtrr: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, mu: f64, inv_g: f64) -> Sums {
        let mut s = Sums {
            w: 0.0,
            wl: 0.0,
            wr: 0.0,
            wtr: 0.0,
            wrr: 0.0,
            wtrr: 0.0,
        };
        // Compensated: the value's rounding error is the objective's noise floor.
        let mut wl = CompensatedSum::default();
        for (x, w) in pairs {
            let t = (x - mu) * inv_g;
            let t2 = t * t;
            let r = 1.0 / (1.0 + t2);
            let wr = w * r;
            let wtr = wr * t;
            s.w += w;
            wl.add(w * t2.ln_1p());
            s.wr += wr;
            s.wtr += wtr;
            s.wrr += wr * r;
            s.wtrr += wtr * r;
        }
        s.wl = wl.value();
        s
    }
}

/// The p-quantile of the weighted empirical distribution given as sorted (value, weight) pairs:
/// the first value whose cumulative weight reaches p Σw, averaged with the next value carrying
/// weight when it reaches it exactly (so the median of 1, 2, 3, 4 is 2.5).
fn weighted_quantile(d: &[(f64, f64)], total: f64, p: f64) -> f64 {
    let target = p * total;
    let mut cum = 0.0;
    for (i, &(x, w)) in d.iter().enumerate() {
        cum += w;
        if w > 0.0 && cum >= target {
            if cum - target <= 1e-12 * total {
                if let Some(&(next, _)) = d[i + 1..].iter().find(|p| p.1 > 0.0) {
                    return 0.5 * (x + next);
                }
            }
            return x;
        }
    }
    d[d.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, Derivs, Step};
    use super::*;

    #[test]
    fn known_density_values() {
        // scipy.stats.cauchy.logpdf(0.0, loc=0, scale=1) = -1.1447298858494002
        let lp = Cauchy.ln_density_derivs(&[0.0, 1.0], 0.0, None, None);
        assert!((lp + 1.144_729_885_849_400_2).abs() < 1e-15, "{lp}");
        // scipy.stats.cauchy.logpdf(3.5, loc=1.0, scale=2.0) = -2.778860410873872
        let lp = Cauchy.ln_density_derivs(&[1.0, 2.0], 3.5, None, None);
        assert!((lp + 2.778_860_410_873_872).abs() < 1e-14, "{lp}");
        let (m, v) = Cauchy.mean_variance(&[0.0, 1.0]);
        assert!(m.is_nan() && v.is_nan());
    }

    #[test]
    fn start_is_median_and_half_iqr() {
        let s = Sample::new(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(Cauchy.initial_estimate(&s).unwrap(), vec![2.5, 1.0]);
        // Weights act as frequencies: 3 of the 5 units of weight on 2 is more than half.
        let w = Sample::new(vec![1.0, 2.0, 9.0])
            .unwrap()
            .with_weights(vec![1.0, 3.0, 1.0])
            .unwrap();
        assert!(Cauchy.initial_estimate(&w).is_err());
        // Exactly half on one value still has an MLE.
        let s = Sample::new(vec![0.0, 0.0, 1.0, 2.0]).unwrap();
        assert_eq!(Cauchy.initial_estimate(&s).unwrap(), vec![0.5, 0.75]);
        let w = Sample::new(vec![0.0, 1.0, 2.0])
            .unwrap()
            .with_weights(vec![2.0, 1.0, 1.0])
            .unwrap();
        assert_eq!(Cauchy.initial_estimate(&w).unwrap(), vec![0.5, 0.75]);
    }

    #[test]
    fn weighted_quantile_inverts_the_weighted_cdf() {
        let d = [(-1.0, 1.0), (0.0, 2.0), (5.0, 1.0)];
        assert_eq!(weighted_quantile(&d, 4.0, 0.25), -0.5);
        assert_eq!(weighted_quantile(&d, 4.0, 0.5), 0.0);
        assert_eq!(weighted_quantile(&d, 4.0, 0.75), 2.5);
        // Zero-weight values are skipped, also as the partner of an exact hit.
        let d = [(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0), (2.0, 1.0)];
        assert_eq!(weighted_quantile(&d, 2.0, 0.5), 1.0);
        assert_eq!(weighted_quantile(&d, 2.0, 0.25), 0.0);
    }

    #[test]
    fn degenerate_data() {
        let s = Sample::new(vec![3.0; 4]).unwrap();
        let e = Cauchy.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
        let s = Sample::new(vec![1.0, 1.0, 1.0, 2.0, 50.0]).unwrap();
        let e = Cauchy.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("more than half"), "{e}");
        // The likelihood indeed increases without bound as γ → 0 at μ = 1.
        let a = Cauchy.log_likelihood(&[1.0, 1e-3], &s, None, None);
        let b = Cauchy.log_likelihood(&[1.0, 1e-6], &s, None, None);
        assert!(b > a + 6.0, "{a} {b}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([0.0, 1.0], 0.0),
            ([1.0, 2.0], 3.5),
            ([-3.0, 0.01], -2.9),
            ([1e4, 50.0], 9000.0),
            ([0.0, 1.0], 1.0),
        ] {
            // Steps relative to the scale, the natural unit of both parameters.
            let how = Derivs {
                step: Step::UnitOf(1, 1e-5),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&Cauchy, &theta, x, how);
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
            check_fast_path(&Cauchy, &theta, s, 1e-13, 1e-12);
        }
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.cauchy.cdf(x, loc=1, scale=2) (location 1, scale 2).
        let theta = [1.0, 2.0];
        for (x, want) in [
            (0.5, 0.42202086962263075),
            (-1000000.0, 6.366191357475968e-07),
            (3.0, 0.75),
        ] {
            let got = Cauchy.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[0.5f64, 2.0], [-3.0, 0.05], [1e3, 50.0]] {
            for x in [-1e4, -3.0, -0.5, 0.0, 1.0, 8.0, 1e4].map(|z: f64| theta[0] + z * theta[1]) {
                super::super::testkit::check_tail_derivatives(&Cauchy, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        // S(z) = atan(1/z)/π ≈ 1/(πz) far out: ln S(1e12) = −ln(π·1e12) to rounding.
        let theta = [0.0, 1.0];
        let got = Cauchy.ln_sf_derivs(&theta, 1e12, None, None).unwrap();
        let want = -(std::f64::consts::PI * 1e12).ln();
        assert!((got - want).abs() < 1e-14 * want.abs(), "{got} vs {want}");
        let got = Cauchy.ln_cdf_derivs(&theta, -1e12, None, None).unwrap();
        assert!((got - want).abs() < 1e-14 * want.abs(), "{got} vs {want}");
    }
}
