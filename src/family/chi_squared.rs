//! Chi-squared distribution with a real, estimated number of degrees of freedom.
//!
//! p(x | k) = x^(k/2 − 1) e^(−x/2) / (2^(k/2) Γ(k/2)),  x > 0; parameter `df` k > 0 (any
//! positive real, not only an integer): the gamma law with shape k/2 and rate 1/2, without a
//! free scale. scipy calls it `chi2(df = k)`.
//!
//! **x = 0 is outside the support** (the density there is ∞, 1/2 or 0 as k <, =, > 2; as for
//! the Weibull, a zero is not something the fit silently accepts): ln p = −∞ at x ≤ 0.
//!
//! Exponential family with sufficient statistics Σw, x̄ and mean(ln x) from the cached summary:
//! O(1) per evaluation. The score is ½ (mean ln x − ln 2 − ψ(k/2)), so the MLE solves
//! ψ(k/2) = mean(ln x) − ln 2. ψ maps (0, ∞) onto ℝ increasingly, so the solution exists and is
//! unique for every positive sample (constant data included: no degenerate case). It is not
//! closed form, but the initial estimate solves it — Minka's approximate inverse of ψ, then
//! Newton's method with ψ′ — to machine precision, and fit() needs no iteration after it.
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 18 (chi-square distributions); Minka, "Estimating a Dirichlet distribution"
//! (2000, rev. 2012), appendix C (inverting the digamma function).

use std::f64::consts::LN_2;

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, draws_with_rejection, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::EULER_GAMMA;
use crate::numeric::format::exact;
use crate::special::{digamma, ln_gamma, trigamma};

/// The chi-squared family, parameter (df).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChiSquared;

impl Family for ChiSquared {
    fn name(&self) -> &'static str {
        "chi_squared"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["chi2", "chisq"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = x^(df/2 - 1) exp(-x/2) / (2^(df/2) Gamma(df/2))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::positive("df")];
        &P
    }

    fn support(&self) -> Support {
        Support::Positive
    }

    fn min_observations(&self) -> usize {
        1
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.min > 0.0) {
            return Err(degenerate(
                self,
                format!("the value {} is outside the support (0, ∞)", exact(s.min)),
            ));
        }
        Ok(vec![2.0 * inverse_digamma(s.mean_ln - LN_2)])
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
        let half = 0.5 * theta[0];
        let lx = x.ln();
        if let Some(g) = grad {
            g[0] = 0.5 * (lx - LN_2 - digamma(half));
        }
        if let Some(h) = hess {
            h[0] = -0.25 * trigamma(half);
        }
        (half - 1.0) * lx - 0.5 * x - half * LN_2 - ln_gamma(half)
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
        let (w, half) = (s.total_weight, 0.5 * theta[0]);
        if let Some(g) = grad {
            g[0] = 0.5 * w * (s.mean_ln - LN_2 - digamma(half));
        }
        if let Some(h) = hess {
            h[0] = -0.25 * w * trigamma(half);
        }
        w * ((half - 1.0) * s.mean_ln - 0.5 * s.mean - half * LN_2 - ln_gamma(half))
    }

    /// ψ′(k/2)/4 in closed form (the Hessian does not depend on x), instead of a quadrature over
    /// a law that can be as narrow as 1e-8 relative (k ~ 1e15) or sit below 1e-300 (k ≪ 1).
    fn expected_information(&self, theta: &[f64], out: &mut [f64]) -> bool {
        out[0] = 0.25 * trigamma(0.5 * theta[0]);
        true
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        // P(k/2, x/2), the regularized lower incomplete gamma function.
        if x <= 0.0 {
            return Some(0.0);
        }
        if x == f64::INFINITY {
            return Some(1.0);
        }
        Some(crate::special::gamma_p(0.5 * theta[0], 0.5 * x))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = match rand_distr::ChiSquared::new(theta[0]) {
            Ok(d) if theta[0] >= TINY_DF => d,
            _ => return (0..n).map(|_| tiny_df_draw(theta[0], rng)).collect(),
        };
        // For df ≪ 1 a draw can underflow to 0, which is outside the support; redraw (this
        // conditions on x > 0, an event of probability 1 − O(2^−1074 k)).
        draws_with_rejection(n, || d.sample(rng), |x| x > 0.0)
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (theta[0], 2.0 * theta[0])
    }
}

/// Degrees of freedom below which most draws would underflow to 0 (P(X < 5e-324) > ½ below
/// ~0.0015), so that redrawing them is no longer a method: [`tiny_df_draw`] takes over.
const TINY_DF: f64 = 1e-3;

/// One draw of X ~ χ²(k) conditioned on X ≥ 2^−1074 (the smallest positive double), for any
/// k > 0, in log space: with a = k/2, X/2 = G·U^(1/a), G ~ Gamma(a + 1), U uniform (the
/// standard shape-augmentation identity). Given G, the condition is ln U ≥ a·c with
/// c = ln(2^−1074/2) − ln G < 0: U is drawn uniform on [e^(ac), 1], whose ln U / a is c·W
/// (W uniform) to 1e-12 when |ac| is tiny. G is accepted with probability
/// (1 − e^(ac)) / (1 − e^(−a(L + G))) ∝ P(condition | G) (L = −ln(2^−1074/2); it is ≤ 1 since
/// −c ≤ L + G, as ln G < G), so the pair has the exact conditional law. For df = 5e-324 the draws are log-uniform between the
/// smallest double and O(1), as the law conditioned on being representable is.
fn tiny_df_draw(k: f64, rng: &mut dyn RngCore) -> f64 {
    use rand_distr::StandardUniform;
    let a = (0.5 * k).max(f64::MIN_POSITIVE * f64::EPSILON);
    // −ln(2^−1074 / 2), written out: half the smallest double rounds to 0.
    let big_l = 1075.0 * std::f64::consts::LN_2;
    let shape = rand_distr::Gamma::new(1.0 + a, 1.0).ok();
    for _ in 0..1000 {
        let g: f64 = match &shape {
            Some(d) => d.sample(rng),
            None => rand_distr::Exp1.sample(rng),
        };
        let c = -big_l - g.ln();
        let ac = a * c;
        let ratio = if ac.abs() < 1e-12 {
            -c / (big_l + g)
        } else {
            ac.exp_m1() / (-a * (big_l + g)).exp_m1()
        };
        let accept: f64 = StandardUniform.sample(rng);
        if !(c < 0.0) || accept > ratio {
            continue;
        }
        let w: f64 = StandardUniform.sample(rng);
        let t = if ac.abs() < 1e-12 {
            c * w
        } else {
            (ac.exp_m1() * w).ln_1p() / a
        };
        let x = 2.0 * (g.ln() + t).exp();
        if x > 0.0 {
            return x;
        }
    }
    // Unreachable in practice (each try succeeds with probability > ½); the smallest double is
    // the law's conditional limit as k → 0.
    f64::from_bits(1)
}

/// The a > 0 with ψ(a) = y, for any real y: Minka's start (exp(y) + ½ for y ≥ −2.22, else
/// −1/(y + γ) from ψ(a) ≈ −1/a − γ near 0), then Newton's method. ψ is increasing and concave,
/// so after at most one step the iterates approach the root monotonically from below; a step
/// that would leave (0, ∞) is replaced by a tenth of the current point.
fn inverse_digamma(y: f64) -> f64 {
    let mut a = if y >= -2.22 {
        y.exp() + 0.5
    } else {
        -1.0 / (y + EULER_GAMMA)
    };
    for _ in 0..100 {
        let f = digamma(a) - y;
        if f == 0.0 {
            break;
        }
        let mut next = a - f / trigamma(a);
        if !(next > 0.0) {
            next = 0.1 * a;
        }
        let done = ((next - a) / a).abs() < 1e-15;
        a = next;
        if done {
            break;
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives, check_fast_path, rel_close};
    use super::*;
    use crate::fit::{fit, FitOptions};

    #[test]
    fn known_density_values() {
        let cases = [
            // scipy.stats.chi2.logpdf(1.3, 2.3) = -1.3384584093027665
            (2.3, 1.3, -1.338_458_409_302_766_5),
            // scipy.stats.chi2.logpdf(0.01, 0.5) = 1.9875683196530045
            (0.5, 0.01, 1.987_568_319_653_004_5),
            // scipy.stats.chi2.logpdf(1e4, 1e4) = -5.870698976137646
            (1e4, 1e4, -5.870_698_976_137_646),
            // scipy.stats.chi2.logpdf(2.0, 2.0) = -1.6931471805599454
            (2.0, 2.0, -1.693_147_180_559_945_4),
            // scipy.stats.chi2.logpdf(1e-4, 0.3) = 5.896953462880928
            (0.3, 1e-4, 5.896_953_462_880_928),
        ];
        for (k, x, want) in cases {
            let lp = ChiSquared.ln_density_derivs(&[k], x, None, None);
            // At k = 1e4 the value is a difference of terms of size ~4e4: ~1e-12 relative.
            assert!(rel_close(lp, want, 1e-11), "{k} {x}: {lp} vs {want}");
        }
    }

    #[test]
    fn zero_and_negative_values_are_outside_the_support() {
        for &x in &[0.0, -1.0, -1e-300] {
            assert_eq!(
                ChiSquared.ln_density_derivs(&[2.3], x, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![0.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            ChiSquared.log_likelihood(&[1.0], &s, None, None),
            f64::NEG_INFINITY
        );
        let e = ChiSquared.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("outside the support"), "{e}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([2.3], 1.3),
            ([0.5], 0.01),
            ([0.02], 1e-30),
            ([1e4], 1e4),
            ([3.0], 1e-4),
            ([3.0], 1e4),
        ] {
            check_derivatives(&ChiSquared, &theta, x, 1e-6);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let x = vec![0.2, 1.5, 3.0, 0.9, 12.0, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let s = Sample::new(x.clone())
            .unwrap()
            .with_weights(w.clone())
            .unwrap();
        check_fast_path(&ChiSquared, &[0.3], &s, 1e-13, 1e-12);
        check_fast_path(&ChiSquared, &[4.5], &s, 1e-13, 1e-12);
        check_fast_path(&ChiSquared, &[4.5], &Sample::new(x).unwrap(), 1e-13, 1e-12);
    }

    #[test]
    fn inverse_digamma_matches_mpmath() {
        // mpmath.findroot(lambda a: mpmath.digamma(a) - y, …) at 40 digits, rounded to 17.
        for (y, a) in [
            (-700.0, 0.001_429_745_589_329_648_7),
            (-20.0, 0.051_271_267_637_379_4),
            (-2.5, 0.408_597_740_142_430_04),
            (0.0, 1.461_632_144_968_362_3),
            (3.0, 20.583_463_039_687_995),
        ] {
            let got = inverse_digamma(y);
            assert!(rel_close(got, a, 1e-14), "ψ⁻¹({y}) = {got}, want {a}");
        }
        for &a in &[1e-3, 0.05, 0.5, 1.0, 7.0, 500.0, 1e5, 1e8] {
            let got = inverse_digamma(digamma(a));
            assert!(rel_close(got, a, 1e-11), "a = {a}: got {got}");
        }
    }

    #[test]
    fn initial_estimate_is_the_mle_on_a_tiny_sample() {
        // mpmath: 2 ψ⁻¹((ln 1 + ln 2 + ln 4)/3 − ln 2) = 2.923264289936724682525
        let s = Sample::new(vec![1.0, 2.0, 4.0]).unwrap();
        let t = ChiSquared.initial_estimate(&s).unwrap();
        assert!(rel_close(t[0], 2.923_264_289_936_724_7, 1e-14), "{t:?}");
        let mut g = [0.0];
        ChiSquared.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-14, "{g:?}");
        // Constant data have an MLE too (ψ(k/2) = ln c − ln 2).
        let s = Sample::new(vec![3.0; 5]).unwrap();
        let t = ChiSquared.initial_estimate(&s).unwrap();
        assert!(rel_close(digamma(0.5 * t[0]), 1.5f64.ln(), 1e-14), "{t:?}");
    }

    #[test]
    fn fit_needs_no_iterations_at_any_magnitude() {
        // df from tiny (data piled near 0) to huge (data around 1e4), and data around 1e-4.
        for (seed, k) in [(1u64, 2.3), (2, 0.05), (3, 1e4)] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(ChiSquared.sample(&[k], 2000, &mut rng)).unwrap();
            let f = fit(&ChiSquared, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{k}: {:?}", f.termination);
            assert_eq!(f.iterations, 0, "{k}");
            let se = f.std_errors.clone().unwrap().get("df").unwrap();
            assert!(
                (f.theta()[0] - k).abs() < 5.0 * se,
                "{k}: {:?} ± {se}",
                f.theta()
            );
        }
        let s = Sample::new((1..=50).map(|i| 1e-4 * (1.0 + 0.01 * i as f64)).collect()).unwrap();
        let f = fit(&ChiSquared, &s, &FitOptions::default()).unwrap();
        assert!(f.converged && f.iterations == 0, "{f:?}");
        let y = s.summary().mean_ln - LN_2;
        assert!(
            rel_close(digamma(0.5 * f.theta()[0]), y, 1e-14),
            "{:?}",
            f.theta()
        );
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.chi2.cdf(x, df=3.3).
        let theta = [3.3];
        for (x, want) in [
            (1.0, 0.15843991821325612),
            (0.01, 0.00010719289202148131),
            (12.0, 0.9902650434172009),
        ] {
            let got = ChiSquared.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(ChiSquared.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(ChiSquared.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(ChiSquared.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tiny_df_draws_follow_the_law_conditioned_on_representable() {
        // For df → 0, χ²(df) given X ≥ 2^−1074 is log-uniform between 2^−1074 and O(1):
        // P(X ≤ t) ≈ ln(t / 2^−1074) / ln(1 / 2^−1074). df = 5e-324 itself halves to 0.
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for df in [1e-300, 5e-324] {
            let x = ChiSquared.sample(&[df], 20_000, &mut rng);
            assert!(x.iter().all(|&v| v > 0.0 && v.is_finite()));
            let ln_min = f64::from_bits(1).ln();
            for t in [1e-300_f64, 1e-100, 1e-10] {
                let got = x.iter().filter(|&&v| v <= t).count() as f64 / 2e4;
                let want = (t.ln() - ln_min) / -ln_min;
                assert!(
                    (got - want).abs() < 0.015,
                    "df {df}, t {t}: {got} vs {want}"
                );
            }
        }
    }
}
