//! Gumbel (type I extreme value) distribution for maxima: right-skewed.
//!
//! p(x | μ, β) = (1/β) exp(−(z + e^(−z))),  z = (x − μ)/β,  x ∈ ℝ; parameters `location` μ ∈ ℝ
//! (the mode, not the mean, which is μ + γβ with γ Euler's constant) and `scale` β > 0. This is
//! scipy's `gumbel_r`; the Gumbel for minima is the law of −x.
//!
//! Not an exponential family: every evaluation is one pass over the data, accumulating value,
//! gradient and Hessian from five weighted sums of z and e^(−z) (the two that enter the value
//! compensated). Where e^(−z) overflows (z < −709) the density underflows and ln p = −∞.
//!
//! The likelihood equations reduce to one dimension: for fixed β the location is
//! μ(β) = −β ln(Σ wᵢ e^(−xᵢ/β) / Σ wᵢ), and β solves
//! g(β) = β − x̄ + Σ wᵢ xᵢ e^(−xᵢ/β) / Σ wᵢ e^(−xᵢ/β) = 0.
//! g is increasing (g′ = 1 + Var_q(x)/β² with qᵢ ∝ wᵢ e^(−xᵢ/β)), negative as β → 0 and
//! unbounded above, so the root is unique and exists unless all values are equal. The initial
//! estimate solves it by safeguarded Newton from the moment estimate β₀ = sd·√6/π, with every
//! exponential sum formed as a log-sum-exp of the data centred at x̄; fit() then starts at the
//! MLE and typically needs no iteration.
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 2,
//! 2nd ed., ch. 22 (§22.7, the likelihood equations 22.54–22.55); Coles, *An Introduction to
//! Statistical Modeling of Extreme Values* (2001), §3.3.

use rand::RngCore;
use rand_distr::Distribution;

use super::tails::{ln_one_minus_exp_neg, location_scale};
use super::{degenerate, no_spread, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::EULER_GAMMA;
use crate::sum::CompensatedSum;

/// √6/π: the scale of a Gumbel law with unit standard deviation.
const SQRT_6_OVER_PI: f64 = 0.779_696_801_233_676_2;

/// The Gumbel (maximum) family, parameters (location, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Gumbel;

impl Family for Gumbel {
    fn name(&self) -> &'static str {
        "gumbel"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["gumbel_r", "extreme_value"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = exp(-(z + exp(-z))) / scale, z = (x - location)/scale"
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
        let centred: Vec<(f64, f64)> = (0..sample.len())
            .filter(|&i| sample.weight(i) > 0.0)
            .map(|i| (sample.values()[i] - s.mean, sample.weight(i)))
            .collect();
        let beta = solve_scale(&centred, SQRT_6_OVER_PI * s.variance.sqrt());
        let mu = s.mean - beta * Tilted::at(&centred, beta).ln_mean_exp;
        Ok(vec![mu, beta])
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
        let (mu, beta) = (theta[0], theta[1]);
        let inv_b = 1.0 / beta;
        let z = (x - mu) * inv_b;
        let e = (-z).exp();
        if let Some(g) = grad {
            g[0] = (1.0 - e) * inv_b;
            g[1] = (z * (1.0 - e) - 1.0) * inv_b;
        }
        if let Some(h) = hess {
            let inv_b2 = inv_b * inv_b;
            let ze = z * e;
            h[0] = -e * inv_b2;
            h[1] = -(1.0 - e + ze) * inv_b2;
            h[2] = h[1];
            h[3] = (1.0 - 2.0 * (z - ze) - z * ze) * inv_b2;
        }
        -beta.ln() - z - e
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, beta) = (theta[0], theta[1]);
        let inv_b = 1.0 / beta;
        let x = sample.values();
        let s = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), mu, inv_b),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                mu,
                inv_b,
            ),
        };
        if let Some(g) = grad {
            g[0] = (s.w - s.we) * inv_b;
            g[1] = (s.wz - s.wze - s.w) * inv_b;
        }
        if let Some(h) = hess {
            let inv_b2 = inv_b * inv_b;
            h[0] = -s.we * inv_b2;
            h[1] = -(s.w - s.we + s.wze) * inv_b2;
            h[2] = h[1];
            h[3] = (s.w - 2.0 * (s.wz - s.wze) - s.wzze) * inv_b2;
        }
        -s.w * beta.ln() - s.wz - s.we
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        // exp(−e^(−z)); e^(−z) overflowing to ∞ gives exactly 0.
        let z = (x - theta[0]) / theta[1];
        Some((-(-z).exp()).exp())
    }

    /// ln F = −e^{−z}, z = (x − μ)/β: exact however far into the lower tail F is.
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
                let y = (-z).exp();
                if y.is_finite() {
                    (-y, y, -y)
                } else {
                    (f64::NEG_INFINITY, 0.0, 0.0)
                }
            },
            grad,
            hess,
        ))
    }

    /// ln S = ln(1 − exp(−e^{−z})) (≈ −z far in the upper tail), by `ln_one_minus_exp_neg`.
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
                let (v, d1, d2) = ln_one_minus_exp_neg(-z);
                (v, -d1, d2)
            },
            grad,
            hess,
        ))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Gumbel::new(theta[0], theta[1]).expect("valid gumbel parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let sd = theta[1] / SQRT_6_OVER_PI;
        (theta[0] + EULER_GAMMA * theta[1], sd * sd)
    }
}

/// The weighted sums of one pass, with z = (x − μ)/β and e = e^(−z):
/// Σw, Σw z, Σw e, Σw z e, Σw z² e.
struct Sums {
    w: f64,
    wz: f64,
    we: f64,
    wze: f64,
    wzze: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, mu: f64, inv_b: f64) -> Sums {
        let (mut w_sum, mut wze, mut wzze) = (0.0, 0.0, 0.0);
        // The two sums that enter the value are compensated.
        let (mut wz, mut we) = (CompensatedSum::default(), CompensatedSum::default());
        for (x, w) in pairs {
            let z = (x - mu) * inv_b;
            let e = w * (-z).exp();
            let ze = e * z;
            w_sum += w;
            wz.add(w * z);
            we.add(e);
            wze += ze;
            wzze += ze * z;
        }
        Sums {
            w: w_sum,
            wz: wz.value(),
            we: we.value(),
            wze,
            wzze,
        }
    }
}

/// Moments of the centred data yᵢ under the tilted weights qᵢ ∝ wᵢ e^(−yᵢ/β), and
/// ln(Σ wᵢ e^(−yᵢ/β) / Σ wᵢ), all by log-sum-exp so that no exponential overflows.
struct Tilted {
    mean: f64,
    variance: f64,
    ln_mean_exp: f64,
}

impl Tilted {
    fn at(y: &[(f64, f64)], beta: f64) -> Tilted {
        let m = y
            .iter()
            .map(|&(v, _)| -v / beta)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut s0, mut s1, mut total) = (0.0, 0.0, 0.0);
        for &(v, w) in y {
            let q = w * (-v / beta - m).exp();
            s0 += q;
            s1 += q * v;
            total += w;
        }
        let mean = s1 / s0;
        let variance = y
            .iter()
            .map(|&(v, w)| w * (-v / beta - m).exp() * (v - mean).powi(2))
            .sum::<f64>()
            / s0;
        Tilted {
            mean,
            variance,
            ln_mean_exp: m + (s0 / total).ln(),
        }
    }
}

/// The root of g(β) = β − ȳ + E_q[y] on data centred at their weighted mean (ȳ = 0), by Newton's
/// method safeguarded with bisection on ln β: g is increasing, so the bracket [lo, hi] with
/// g(lo) < 0 < g(hi) shrinks at every step.
fn solve_scale(y: &[(f64, f64)], start: f64) -> f64 {
    let g = |b: f64| {
        let t = Tilted::at(y, b);
        (b + t.mean, 1.0 + t.variance / (b * b))
    };
    let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
    let mut b = start;
    for _ in 0..200 {
        let (v, dv) = g(b);
        if v == 0.0 {
            return b;
        }
        if v < 0.0 {
            lo = lo.max(b);
        } else {
            hi = hi.min(b);
        }
        let mut next = b - v / dv;
        if !(next > lo && next < hi) {
            next = if hi.is_finite() && lo > 0.0 {
                (lo * hi).sqrt()
            } else if hi.is_finite() {
                0.5 * hi
            } else {
                2.0 * lo
            };
        }
        if (next - b).abs() <= 4.0 * f64::EPSILON * b {
            return next;
        }
        b = next;
    }
    b
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives_with, check_fast_path, rel_close, Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};

    #[test]
    fn known_density_values() {
        // scipy.stats.gumbel_r.logpdf(1.3, loc=0.5, scale=2.0) = -1.7634672265955849
        let lp = Gumbel.ln_density_derivs(&[0.5, 2.0], 1.3, None, None);
        assert!(rel_close(lp, -1.763_467_226_595_584_9, 1e-15), "{lp}");
        // scipy.stats.gumbel_r.logpdf(-3.0, loc=0.5, scale=0.5) = -1088.9400112478986
        let lp = Gumbel.ln_density_derivs(&[0.5, 0.5], -3.0, None, None);
        assert!(rel_close(lp, -1_088.940_011_247_898_6, 1e-15), "{lp}");
        // scipy.stats.gumbel_r.logpdf(40.0, loc=0.5, scale=0.5) = -78.30685281944005
        let lp = Gumbel.ln_density_derivs(&[0.5, 0.5], 40.0, None, None);
        assert!(rel_close(lp, -78.306_852_819_440_05, 1e-15), "{lp}");
        // Far in the left tail e^(−z) overflows: the density is 0.
        let lp = Gumbel.ln_density_derivs(&[0.5, 0.5], -400.0, None, None);
        assert_eq!(lp, f64::NEG_INFINITY);
    }

    #[test]
    fn initial_estimate_is_the_mle_of_a_tiny_sample() {
        // mpmath (40 digits) on the profile equation for 0.3, 1.7, 2.2, −0.4, 5.1:
        // β̂ = 1.4526125215882766454, μ̂ = 0.90021270574988445037
        // (scipy.stats.gumbel_r.fit gives (0.9002127057498845, 1.4526125215882766)).
        let s = Sample::new(vec![0.3, 1.7, 2.2, -0.4, 5.1]).unwrap();
        let t = Gumbel.initial_estimate(&s).unwrap();
        assert!(rel_close(t[0], 0.900_212_705_749_884_4, 1e-14), "{t:?}");
        assert!(rel_close(t[1], 1.452_612_521_588_276_6, 1e-14), "{t:?}");
        let mut g = [0.0; 2];
        Gumbel.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g.iter().all(|v| v.abs() < 1e-13), "{g:?}");
    }

    #[test]
    fn profile_solution_holds_for_extreme_data() {
        // Data far from 0 and with tiny or huge spreads: the centred log-sum-exp never overflows
        // and the score at the start is zero to rounding. (The rounding of μ̂ itself, ulp(μ̂)/β̂,
        // bounds what can be asked: 1e-12 at 1e2 ± 1e-3.)
        for &(centre, spread) in &[
            (1e6, 10.0),
            (1e2, 1e-3),
            (-5e3, 1e4),
            (0.0, 1e-9),
            (3.0, 1.0),
        ] {
            let x: Vec<f64> = (0..60)
                .map(|i| centre + spread * (((i as f64) * 0.61).sin() + 0.3 * (i % 7) as f64))
                .collect();
            let s = Sample::new(x)
                .unwrap()
                .with_weights((0..60).map(|i| 1.0 + (i % 3) as f64).collect())
                .unwrap();
            let t = Gumbel.initial_estimate(&s).unwrap();
            assert!(t[0].is_finite() && t[1] > 0.0, "{t:?}");
            let mut g = [0.0; 2];
            let ll = Gumbel.log_likelihood(&t, &s, Some(&mut g), None);
            assert!(ll.is_finite());
            let w = s.summary().total_weight;
            // Gradient in the optimizer's scale-free units: β ∂/∂μ and β ∂/∂β per unit weight.
            assert!(
                (g[0] * t[1] / w).abs() < 1e-11 && (g[1] * t[1] / w).abs() < 1e-11,
                "{g:?} at {t:?}"
            );
        }
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![3.0; 5]).unwrap();
        let e = Gumbel.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([0.5, 2.0], 1.3),
            ([0.5, 0.5], -3.0),
            ([0.5, 0.5], 40.0),
            ([1e4, 50.0], 9800.0),
            ([-3.0, 0.01], -2.95),
            ([0.0, 1.0], 0.0),
        ] {
            let how = Derivs {
                step: Step::UnitOf(1, 1e-5),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&Gumbel, &theta, x, how);
        }
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, -1.5, 3.0, 0.9, 12.0, -4.0];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let weighted = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        let plain = Sample::new(x).unwrap();
        for (theta, s) in [
            ([0.4, 1.3], &weighted),
            ([-2.0, 2.2], &weighted),
            ([0.4, 1.3], &plain),
        ] {
            check_fast_path(&Gumbel, &theta, s, 1e-14, 1e-12);
        }
    }

    #[test]
    fn fit_starts_at_the_mle() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let x = Gumbel.sample(&[10.0, 3.0], 2000, &mut rng);
        let s = Sample::new(x).unwrap();
        let f = fit(&Gumbel, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        assert!(f.iterations <= 1, "{}", f.iterations);
        let se = f.std_errors.clone().unwrap();
        assert!((f.theta()[0] - 10.0).abs() < 5.0 * se.get("location").unwrap());
        assert!((f.theta()[1] - 3.0).abs() < 5.0 * se.get("scale").unwrap());
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.gumbel_r.cdf(x, loc=1, scale=2) (location 1, scale 2).
        let theta = [1.0, 2.0];
        for (x, want) in [
            (0.5, 0.27692033409990896),
            (-3.0, 0.0006179789893310934),
            (9.0, 0.9818510730616665),
        ] {
            let got = Gumbel.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[0.5f64, 2.0], [-3.0, 0.05], [1e3, 50.0]] {
            for x in [-3.0, -1.0, 0.0, 1.0, 5.0, 30.0].map(|z: f64| theta[0] + z * theta[1]) {
                super::super::testkit::check_tail_derivatives(&Gumbel, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        // ln S(z) = ln(1 − exp(−e^{−z})) → −z − e^{−z}/2 as z → ∞; ln F(−5) = −e^5.
        let theta = [0.0, 1.0];
        let got = Gumbel.ln_sf_derivs(&theta, 600.0, None, None).unwrap();
        assert_eq!(got, -600.0);
        let got = Gumbel.ln_cdf_derivs(&theta, -5.0, None, None).unwrap();
        assert!((got + 5f64.exp()).abs() < 1e-15 * 148.5, "{got}");
        // scipy 1.17.1: gumbel_r.logsf(4.0, loc=0.5, scale=2.0) = −1.8356290638899617.
        let got = Gumbel.ln_sf_derivs(&[0.5, 2.0], 4.0, None, None).unwrap();
        assert!((got + 1.8356290638899617).abs() < 1e-14 * 1.84, "{got}");
    }
}
