//! Generalized Pareto distribution (GPD), threshold 0.
//!
//! p(x | σ, ξ) = (1/σ) (1 + ξx/σ)^(−1/ξ − 1),  x ≥ 0 with 1 + ξx/σ > 0; parameters `scale`
//! σ > 0 and `shape` ξ ∈ ℝ (ξ > 0: Pareto-type heavy tail; ξ = 0: exponential with mean σ;
//! ξ < 0: bounded above at −σ/ξ). The threshold is fixed at 0: the data are exceedances over a
//! threshold, already shifted (y = x − u). Same sign convention as `scipy.stats.genpareto`
//! (c = ξ) and Coles (2001).
//!
//! **The support moves with θ** when ξ < 0: ln p = −∞ for x ≥ −σ/ξ. The optimizer's line search
//! backs off from such points (the objective is +∞ there), and the initial estimate keeps every
//! observation inside.
//!
//! **ξ → 0.** With L = ln(1 + ξz)/ξ and z = x/σ, ln p = −ln σ − (1 + ξ)L; L and its
//! ξ-derivatives come from the generalized extreme value family's helper
//! (`gev::ln1p_ratio`), which sums Taylor series where the closed forms cancel, so value,
//! score and Hessian are continuous and accurate through ξ = 0, where they are the exponential's.
//! The σ-derivatives simplify exactly: ∂/∂σ = (z − 1)/(σu), u = 1 + ξz.
//!
//! Not an exponential family: every evaluation is one pass over the data (ln σ hoisted).
//!
//! Initial estimate: the method of moments, ξ₀ = (1 − x̄²/s²)/2 and σ₀ = x̄(1 − ξ₀), with ξ₀
//! clamped to [−0.5, 0.5) and halved toward 0 (σ₀ recomputed) until every observation is inside
//! the support (at ξ = 0 all of [0, ∞) is). The MLE itself is then found by the generic optimizer;
//! Grimshaw's reduction of the likelihood equations to a one-dimensional root search is the
//! textbook alternative. Constant data and all-zero data are degenerate (the likelihood is
//! unbounded).
//!
//! **Non-regular and missing MLEs** (Smith 1985, as for the GEV): regular for ξ > −1/2; for
//! ξ < −1 the likelihood is unbounded (the upper end of the support at the largest value makes
//! the density there infinite), so no MLE exists and a fit reaching ξ ≤ −1 is reported as a
//! boundary ([`Family::boundary_note`]).
//!
//! Mean σ/(1 − ξ) for ξ < 1, variance σ²/((1 − ξ)²(1 − 2ξ)) for ξ < 1/2.
//!
//! References: Coles, *An Introduction to Statistical Modeling of Extreme Values* (2001), §4.3;
//! Hosking & Wallis, "Parameter and quantile estimation for the generalized Pareto
//! distribution", Technometrics 29 (1987) (moments); Grimshaw, "Computing maximum likelihood
//! estimates for the generalized Pareto distribution", Technometrics 35 (1993); Smith,
//! "Maximum likelihood estimation in a class of nonregular cases", Biometrika 72 (1985).

use rand::RngCore;
use rand_distr::Distribution;

use super::gev::ln1p_ratio;
use super::uniform::check_within;
use super::{degenerate, draws_with_rejection, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::format::exact;
use crate::sum::CompensatedSum;

/// The generalized Pareto family (threshold 0), parameters (scale, shape).
#[derive(Debug, Clone, Copy, Default)]
pub struct GeneralizedPareto;

impl Family for GeneralizedPareto {
    fn name(&self) -> &'static str {
        "generalized_pareto"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["genpareto", "gpd"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = (1/scale) (1 + shape x/scale)^(-1/shape - 1),  x >= 0"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::positive("scale"), ParamSpec::shape("shape")];
        &P
    }

    fn support(&self) -> Support {
        Support::NonNegative
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        self.initial_estimate_given(sample, &[None, None])
    }

    /// The moment start with the fixed values in place, repaired until every observation is
    /// inside the support: ξ halved toward 0 if it is free, else σ doubled. Only when both are
    /// fixed can the data fall outside, which [`Family::check_data`] reports.
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        if let [Some(sigma), Some(xi)] = *fixed {
            return Ok(vec![sigma, xi]);
        }
        let s = sample.summary();
        if fixed[1].is_none() && !(s.max > s.min) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the likelihood grows without bound as the \
                     shape goes below -1",
                    exact(s.min)
                ),
            ));
        }
        if !(s.max > 0.0) {
            return Err(degenerate(
                self,
                "all values are 0, so the likelihood grows without bound as the scale goes to 0",
            ));
        }
        let (m, v) = (s.mean, s.variance);
        let mut xi = match fixed[1] {
            Some(xi) => xi,
            None => (0.5 * (1.0 - m * m / v)).clamp(-0.5, 0.499),
        };
        let mut stretch = 1.0;
        for _ in 0..400 {
            // σ = x̄(1 − ξ) needs ξ < 1; a fixed ξ beyond that borrows ξ = 0.5's σ.
            let sigma = fixed[0].unwrap_or(m * (1.0 - xi.min(0.5)) * stretch);
            let theta = vec![sigma, xi];
            if sigma > 0.0
                && xi * s.max / sigma > -1.0
                && self.log_likelihood(&theta, sample, None, None).is_finite()
            {
                return Ok(theta);
            }
            if fixed[1].is_none() && xi != 0.0 {
                xi = if xi.abs() < 1e-3 { 0.0 } else { 0.5 * xi };
            } else if fixed[0].is_none() {
                stretch *= 2.0;
            } else {
                break;
            }
        }
        Err(degenerate(
            self,
            "no starting point with every value inside the support was found",
        ))
    }

    fn check_data(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<()> {
        let [Some(sigma), Some(xi)] = *fixed else {
            return Ok(());
        };
        if xi >= 0.0 {
            return Ok(());
        }
        let end = -sigma / xi;
        check_within(self, sample, format!("[0, {end})"), |x| {
            xi * x / sigma > -1.0
        })
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (sigma, xi) = (theta[0], theta[1]);
        let order = if hess.is_some() {
            2
        } else {
            u8::from(grad.is_some())
        };
        let z = x / sigma;
        let Some(p) = Terms::at(xi, z, order) else {
            return f64::NEG_INFINITY;
        };
        let inv_s = 1.0 / sigma;
        if let Some(g) = grad {
            g[0] = p.qs * inv_s;
            g[1] = p.qx;
        }
        if let Some(h) = hess {
            h[0] = p.qss * inv_s * inv_s;
            h[1] = p.qsx * inv_s;
            h[2] = h[1];
            h[3] = p.qxx;
        }
        p.q - sigma.ln()
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (sigma, xi) = (theta[0], theta[1]);
        let inv_s = 1.0 / sigma;
        let order = if hess.is_some() {
            2
        } else {
            u8::from(grad.is_some())
        };
        let x = sample.values();
        let sums = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), inv_s, xi, order),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                inv_s,
                xi,
                order,
            ),
        };
        let Some(s) = sums else {
            return f64::NEG_INFINITY;
        };
        if let Some(g) = grad {
            g[0] = s.qs * inv_s;
            g[1] = s.qx;
        }
        if let Some(h) = hess {
            h[0] = s.qss * inv_s * inv_s;
            h[1] = s.qsx * inv_s;
            h[2] = h[1];
            h[3] = s.qxx;
        }
        s.q - s.w * sigma.ln()
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        (theta[1] <= -1.0).then(|| {
            format!(
                "shape = {:.4} ≤ -1: the generalized Pareto likelihood is unbounded there (the \
                 density at the upper end of the support, placed at the largest value, is \
                 infinite), so the MLE does not exist (Smith 1985)",
                theta[1]
            )
        })
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (sigma, xi) = (theta[0], theta[1]);
        if x <= 0.0 {
            return Some(0.0);
        }
        if x == f64::INFINITY {
            return Some(1.0);
        }
        let z = x / sigma;
        if xi * z <= -1.0 {
            // At or above the upper end −σ/ξ of the support (ξ < 0).
            return Some(1.0);
        }
        // 1 − (1 + ξz)^(−1/ξ) = −expm1(−L), L = ln(1 + ξz)/ξ (→ z at ξ = 0).
        let (l, _, _) = ln1p_ratio(xi, z, 0);
        Some(-(-l).exp_m1())
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (sigma, xi) = (theta[0], theta[1]);
        // Inverse CDF with E = −ln(1 − U) ~ Exp(1): x = σ (e^(ξE) − 1)/ξ, formed with expm1 so
        // that it tends to the exponential's σE as ξ → 0.
        draws_with_rejection(
            n,
            || {
                let e: f64 = rand_distr::Exp1.sample(rng);
                if xi == 0.0 {
                    sigma * e
                } else {
                    sigma * (xi * e).exp_m1() / xi
                }
            },
            f64::is_finite,
        )
    }

    fn typical_params(&self) -> Vec<f64> {
        // ξ = 1: the shared finite-difference tests perturb ξ by ±2 around this point, and their
        // central differences lose accuracy next to the upper end of the support when ξ < −1;
        // centred at 1, the perturbed ξ stays above −1.
        vec![1.5, 1.0]
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (sigma, xi) = (theta[0], theta[1]);
        let mean = if xi < 1.0 {
            sigma / (1.0 - xi)
        } else {
            f64::INFINITY
        };
        let var = if xi < 0.5 {
            mean * mean / (1.0 - 2.0 * xi)
        } else {
            f64::INFINITY
        };
        (mean, var)
    }
}

/// ln p + ln σ and its derivatives at one observation, in the units that make the σ-derivatives
/// scale-free: `qs` = σ ∂/∂σ (ln p), `qss` = σ² ∂²/∂σ² (ln p), `qsx` = σ ∂²/∂σ∂ξ; `qx`, `qxx`
/// are the ξ-derivatives.
struct Terms {
    q: f64,
    qs: f64,
    qss: f64,
    qx: f64,
    qxx: f64,
    qsx: f64,
}

impl Terms {
    /// The terms up to `order` at z = x/σ, or `None` outside the support (x < 0 or
    /// 1 + ξz ≤ 0).
    #[inline]
    fn at(xi: f64, z: f64, order: u8) -> Option<Terms> {
        let y = xi * z;
        if !(z >= 0.0 && y > -1.0) {
            return None;
        }
        let (l, lx, lxx) = ln1p_ratio(xi, z, order);
        let c = 1.0 + xi;
        let mut p = Terms {
            q: -c * l,
            qs: 0.0,
            qss: 0.0,
            qx: 0.0,
            qxx: 0.0,
            qsx: 0.0,
        };
        if order >= 1 {
            let inv_u = 1.0 / (1.0 + y);
            p.qs = (z - 1.0) * inv_u;
            p.qx = -l - c * lx;
            if order >= 2 {
                let inv_u2 = inv_u * inv_u;
                p.qss = (1.0 - 2.0 * z - y * z) * inv_u2;
                p.qsx = -(z - 1.0) * z * inv_u2;
                p.qxx = -2.0 * lx - c * lxx;
            }
        }
        Some(p)
    }
}

/// The weighted sums of the [`Terms`] over one pass, with Σw.
#[derive(Default)]
struct Sums {
    w: f64,
    q: f64,
    qs: f64,
    qss: f64,
    qx: f64,
    qxx: f64,
    qsx: f64,
}

impl Sums {
    /// `None` as soon as one observation lies outside the support.
    #[inline]
    fn over(
        pairs: impl Iterator<Item = (f64, f64)>,
        inv_s: f64,
        xi: f64,
        order: u8,
    ) -> Option<Sums> {
        let mut s = Sums::default();
        // Compensated: the value's rounding error is the objective's noise floor.
        let mut q = CompensatedSum::default();
        for (x, w) in pairs {
            let p = Terms::at(xi, x * inv_s, order)?;
            s.w += w;
            q.add(w * p.q);
            if order >= 1 {
                s.qs += w * p.qs;
                s.qx += w * p.qx;
                if order >= 2 {
                    s.qss += w * p.qss;
                    s.qxx += w * p.qxx;
                    s.qsx += w * p.qsx;
                }
            }
        }
        s.q = q.value();
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{assert_close, check_derivatives_with, check_fast_path, rel_close};
    use super::super::testkit::{Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_density_values() {
        // scipy.stats.genpareto.logpdf(x, c=shape, scale=scale), and mpmath at 40 digits of
        // −ln σ − (1 + 1/ξ) ln(1 + ξx/σ).
        let cases: [([f64; 2], f64, f64); 7] = [
            // scipy -1.8237977764935465
            ([1.5, 0.2], 2.0, -1.823_797_776_493_547),
            // scipy -2.819621976759315
            ([1.5, -0.4], 3.0, -2.819_621_976_759_315),
            // scipy -1.1931471805599454 (the exponential)
            ([2.0, 0.0], 1.0, -1.193_147_180_559_945_3),
            // scipy -3.0721317738859417
            ([1.5, 1e-9], 4.0, -3.072_131_773_885_942),
            // scipy -11.23120325942652
            ([0.5, 2.5], 1e3, -11.231_203_259_426_52),
            // scipy 0.7675283643313483
            ([1.0, -1.5], 0.6, 0.767_528_364_331_348_5),
            // scipy -0.4054651081081644 (at the threshold)
            ([1.5, 0.2], 0.0, -0.405_465_108_108_164_4),
        ];
        for (theta, x, expected) in cases {
            let lp = GeneralizedPareto.ln_density_derivs(&theta, x, None, None);
            assert!(rel_close(lp, expected, 1e-14), "{theta:?} {x}: {lp}");
        }
    }

    #[test]
    fn outside_the_moving_support() {
        let f = GeneralizedPareto;
        // ξ < 0: bounded above at −σ/ξ = 3.75.
        for (theta, x) in [
            ([1.5, -0.4], 3.75),
            ([1.5, -0.4], 10.0),
            ([1.5, 0.2], -1e-300),
            ([1.5, -0.4], -1.0),
        ] {
            assert_eq!(
                f.ln_density_derivs(&theta, x, None, None),
                f64::NEG_INFINITY
            );
        }
        assert!(f
            .ln_density_derivs(&[1.5, -0.4], 3.74, None, None)
            .is_finite());
        let s = Sample::new(vec![0.0, 1.0, 5.0]).unwrap();
        assert_eq!(
            f.log_likelihood(&[1.5, -0.4], &s, None, None),
            f64::NEG_INFINITY
        );
        let s = s.with_weights(vec![1.0, 1.0, 0.0]).unwrap();
        assert!(f.log_likelihood(&[1.5, -0.4], &s, None, None).is_finite());
    }

    /// θ, x, ln p, its gradient and its Hessian.
    type Reference = ([f64; 2], f64, f64, [f64; 2], [f64; 4]);

    /// Value, gradient and Hessian against mpmath (40 digits; derivatives by mp.diff).
    #[test]
    fn derivatives_match_mpmath_near_the_exponential_limit() {
        let cases: [Reference; 3] = [
            (
                [1.5, 1e-6],
                3.0,
                -2.405_465_108_108_831,
                [0.666_665_333_336, -1.333_329_333_342_933_3e-6],
                [
                    -1.333_329_777_786_666_6,
                    -1.333_328_000_016,
                    -1.333_328_000_016,
                    -1.333_325_333_362_133,
                ],
            ),
            (
                [1.5, -1e-7],
                0.5,
                -0.738_798_413_663_719_5,
                [-0.444_444_459_259_259_75, -0.277_777_786_419_753_36],
                [
                    0.148_148_162_962_963_8,
                    0.148_148_158_024_691_85,
                    0.148_148_158_024_691_85,
                    0.086_419_758_641_975_58,
                ],
            ),
            (
                [1.5, 0.3],
                7.0,
                -4.199_162_969_975_064,
                [1.018_518_518_518_518_5, 1.301_504_489_117_406_8],
                [
                    -1.147_119_341_563_786,
                    -1.980_452_674_897_119_4,
                    -1.980_452_674_897_119_4,
                    -5.255_914_701_111_93,
                ],
            ),
        ];
        for (theta, x, value, grad, hess) in cases {
            let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
            let lp = GeneralizedPareto.ln_density_derivs(&theta, x, Some(&mut g), Some(&mut h));
            assert!(rel_close(lp, value, 1e-14), "{theta:?}: {lp}");
            // Relative to the score's natural size (floor 1e-2): at z = 2 the ξ-score is a
            // difference of terms of size 2 that vanishes at ξ = 0.
            for j in 0..2 {
                assert_close(
                    g[j],
                    grad[j],
                    1e-13,
                    1e-2,
                    &format!("grad {j} at {theta:?}"),
                );
            }
            for j in 0..4 {
                assert_close(
                    h[j],
                    hess[j],
                    1e-13,
                    1e-2,
                    &format!("hess {j} at {theta:?}"),
                );
            }
        }
    }

    #[test]
    fn continuous_through_xi_zero() {
        let f = GeneralizedPareto;
        for &x in &[0.0, 0.3, 1.5, 6.0, 40.0] {
            let (mut g0, mut h0) = ([0.0; 2], [0.0; 4]);
            let v0 = f.ln_density_derivs(&[1.5, 0.0], x, Some(&mut g0), Some(&mut h0));
            // The exponential: ln p = −ln σ − x/σ.
            assert!(rel_close(v0, -(1.5f64.ln()) - x / 1.5, 1e-15), "{v0}");
            for &d in &[1e-300, 1e-12, -1e-12, 1e-9, -1e-9] {
                let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
                let v = f.ln_density_derivs(&[1.5, d], x, Some(&mut g), Some(&mut h));
                assert_close(v, v0 + d * g0[1], 1e-14, 1.0, &format!("value x={x} ξ={d}"));
                for j in 0..2 {
                    let lin = g0[j] + d * h0[2 * j + 1];
                    assert_close(g[j], lin, 1e-13, 1.0, &format!("grad {j} x={x} ξ={d}"));
                }
            }
        }
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let how = Derivs {
            step: Step::RelativeAtLeastOne(1e-6),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in [
            ([1.5, 0.2], 2.0),
            ([1.5, 0.0], 0.7),
            ([1.5, 1e-9], 7.0),
            ([1.5, -0.4], 3.0),
            ([1.5, -0.4], 3.7),
            ([0.5, 2.5], 1e3),
            ([1.0, -1.5], 0.6),
            ([1.5, 0.2], 0.0),
            ([3e3, 0.1], 1.2e4),
        ] {
            check_derivatives_with(&GeneralizedPareto, &theta, x, how);
        }
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, 1.5, 3.0, 0.9, 12.0, 0.0, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0, 0.7];
        let weighted = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        let plain = Sample::new(x).unwrap();
        for (theta, s) in [
            ([1.3, 0.2], &weighted),
            ([1.3, 0.0], &weighted),
            ([1.3, 1e-7], &plain),
            ([5.0, -0.3], &weighted),
            ([0.4, 1.2], &plain),
        ] {
            check_fast_path(&GeneralizedPareto, &theta, s, 1e-13, 1e-12);
        }
    }

    #[test]
    fn degenerate_data() {
        for x in [vec![3.0; 4], vec![0.0; 3]] {
            let s = Sample::new(x).unwrap();
            let e = GeneralizedPareto.initial_estimate(&s).unwrap_err();
            assert!(e.to_string().contains("all values are equal"), "{e}");
        }
        let s = Sample::new(vec![0.0; 3]).unwrap();
        let e = GeneralizedPareto
            .initial_estimate_given(&s, &[None, Some(0.5)])
            .unwrap_err();
        assert!(e.to_string().contains("all values are 0"), "{e}");
    }

    #[test]
    fn initial_estimate_is_inside_the_support() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for theta in [
            [1.5, 0.2],
            [1.5, -0.45],
            [1.5, -0.9],
            [1.5, 0.9],
            [1e-5, 0.0],
        ] {
            let s = Sample::new(GeneralizedPareto.sample(&theta, 500, &mut rng)).unwrap();
            let t = GeneralizedPareto.initial_estimate(&s).unwrap();
            assert!(
                GeneralizedPareto
                    .log_likelihood(&t, &s, None, None)
                    .is_finite(),
                "{theta:?}: {t:?}"
            );
        }
        // Tightly clustered data far from the threshold: the moments say ξ ≪ −1.
        let s = Sample::new(vec![100.0, 100.5, 101.0, 100.2]).unwrap();
        let t = GeneralizedPareto.initial_estimate(&s).unwrap();
        assert!(t[1] >= -0.5, "{t:?}");
        assert!(GeneralizedPareto
            .log_likelihood(&t, &s, None, None)
            .is_finite());
    }

    #[test]
    fn fixed_parameters_keep_the_start_inside_the_support() {
        let f = GeneralizedPareto;
        let mut rng = rand::rngs::StdRng::seed_from_u64(12);
        let s = Sample::new(f.sample(&[1.0, 0.1], 300, &mut rng)).unwrap();
        for fixed in [
            [None, Some(-0.8)],
            [None, Some(1.5)],
            [Some(0.05), None],
            [Some(100.0), None],
        ] {
            let t = f.initial_estimate_given(&s, &fixed).unwrap();
            for (v, x) in t.iter().zip(fixed) {
                assert!(x.is_none_or(|x| x == *v), "{fixed:?}: {t:?}");
            }
            assert!(
                f.log_likelihood(&t, &s, None, None).is_finite(),
                "{fixed:?}: {t:?}"
            );
        }
        let e = f.check_data(&s, &[Some(1.0), Some(-0.5)]).unwrap_err();
        assert!(e.to_string().contains("outside the support [0, 2)"), "{e}");
        assert!(f.check_data(&s, &[Some(1.0), Some(0.5)]).is_ok());
        // Constant data have no MLE for (σ, ξ) but do for σ given ξ = 0 (the exponential).
        let c = Sample::new(vec![2.0; 5]).unwrap();
        assert!(f.initial_estimate(&c).is_err());
        let opts = FitOptions {
            fixed: vec![("shape".into(), 0.0)],
            ..Default::default()
        };
        let fitted = fit(&f, &c, &opts).unwrap();
        assert!(fitted.converged, "{:?}", fitted.termination);
        assert!(
            rel_close(fitted.theta()[0], 2.0, 1e-9),
            "{:?}",
            fitted.theta()
        );
    }

    #[test]
    fn fit_recovers_parameters() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(21);
        for truth in [[1.5, 0.2], [0.5, -0.3], [10.0, 0.0], [2.0, 0.8]] {
            let s = Sample::new(GeneralizedPareto.sample(&truth, 2000, &mut rng)).unwrap();
            let f = fit(&GeneralizedPareto, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{truth:?}: {:?} {:?}", f.termination, f.notes);
            let se = f.std_errors.clone().unwrap().values();
            for ((est, t), e) in f.theta().iter().zip(truth).zip(se) {
                assert!(
                    (est - t).abs() < 4.0 * e,
                    "{truth:?}: {:?} ± {e}",
                    f.theta()
                );
            }
        }
    }

    #[test]
    fn shape_below_minus_one_is_reported_as_a_boundary() {
        // X = 1 − U²: density ∝ (1 − x)^(−1/2) at the top, sharper than any GPD with ξ > −1.
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let x: Vec<f64> = (0..400)
            .map(|_| {
                let u: f64 = rand_distr::StandardUniform.sample(&mut rng);
                1.0 - u * u
            })
            .collect();
        let f = fit(
            &GeneralizedPareto,
            &Sample::new(x).unwrap(),
            &FitOptions::default(),
        )
        .unwrap();
        assert!(!f.converged, "{:?}", f.theta());
        assert_eq!(f.termination, Termination::Boundary, "{:?}", f.notes);
        assert!(
            f.notes.iter().any(|n| n.contains("does not exist")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn moments() {
        // scipy.stats.genpareto.stats(0.2, scale=1.5, moments='mv') = (1.875, 5.859375)
        let (m, v) = GeneralizedPareto.mean_variance(&[1.5, 0.2]);
        assert!(
            rel_close(m, 1.875, 1e-15) && rel_close(v, 5.859_375, 1e-15),
            "{m} {v}"
        );
        // scipy.stats.genpareto.stats(-0.4, scale=1.5, moments='mv')
        //   = (1.0714285714285714, 0.6377551020408164)
        let (m, v) = GeneralizedPareto.mean_variance(&[1.5, -0.4]);
        assert!(rel_close(m, 1.071_428_571_428_571_4, 1e-15), "{m}");
        assert!(rel_close(v, 0.637_755_102_040_816_4, 1e-15), "{v}");
        assert_eq!(
            GeneralizedPareto.mean_variance(&[1.0, 0.5]).1,
            f64::INFINITY
        );
        assert_eq!(
            GeneralizedPareto.mean_variance(&[1.0, 1.0]).0,
            f64::INFINITY
        );
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.genpareto.cdf(x, c=0.3, scale=2) (scale 2, shape 0.3).
        let theta = [2.0, 0.3];
        for (x, want) in [
            (2.0, 0.582949327685854),
            (1.0e-06, 4.999998375000433e-07),
            (500.0, 0.999999462199305),
        ] {
            let got = GeneralizedPareto.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(GeneralizedPareto.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(GeneralizedPareto.cdf(&theta, -1.0), Some(0.0));
        // Bounded above at −σ/ξ = 5 for ξ = −0.4; exponential with mean σ at ξ = 0:
        // scipy.stats.genpareto.cdf(3, c=-0.4, scale=2) = 0.898807114874612;
        // scipy.stats.expon.cdf(0.5, scale=2) = 0.22119921692859515.
        assert_eq!(GeneralizedPareto.cdf(&[2.0, -0.4], 5.0), Some(1.0));
        assert!(
            (GeneralizedPareto.cdf(&[2.0, -0.4], 3.0).unwrap() - 0.898807114874612).abs() < 1e-15
        );
        assert!(
            (GeneralizedPareto.cdf(&[2.0, 0.0], 0.5).unwrap() - 0.22119921692859515).abs() < 1e-15
        );
    }
}
