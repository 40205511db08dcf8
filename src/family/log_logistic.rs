//! Log-logistic (Fisk) distribution, shape–scale parameterisation.
//!
//! p(x | β, α) = (β/α) (x/α)^(β−1) / (1 + (x/α)^β)²,  x > 0; parameters `shape` β > 0 and
//! `scale` α > 0 (scale, not rate: α is the median). The CDF is 1 / (1 + (x/α)^(−β)); ln x is
//! logistic with location ln α and scale 1/β. scipy calls it `fisk(c = β, scale = α)`.
//!
//! **x = 0 is outside the support** (as for the Weibull: the density at 0 is 0, β/α or ∞
//! depending on β); the log-density is −∞ at x ≤ 0.
//!
//! Not an exponential family: every evaluation is one pass over the precomputed ln xᵢ with
//! u = ln x − ln α and t = β u. Each observation costs one exponential, e = e^(−|t|), from
//! which ln(1 + eᵗ) = max(t, 0) + ln_1p(e), tanh(t/2) = sign(t) (1 − e)/(1 + e) and
//! q(1 − q) = e/(1 + e)² (q the logistic function of t) all follow without overflow or
//! cancellation, however far x is from α. Value, gradient and Hessian come from eight weighted
//! sums of one pass.
//!
//! No closed form. Initial estimate: the logistic estimates of ln x, location = the weighted
//! median of ln x and scale = IQR(ln x) / (2 ln 3) (a logistic's quartiles are at ±ln 3 scales),
//! so α₀ = median x and β₀ = 2 ln 3 / ln(Q₃/Q₁); when more than half the weight sits on one
//! value and the quartiles coincide, β₀ = π / (√3 sd(ln x)) instead (the logistic sd is
//! π/(√3 β)). The MLE exists iff the data are not all equal (constant data: β → ∞, degenerate).
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 2,
//! 2nd ed., ch. 23 (the logistic distribution and its relatives); Shoukri, Mian & Tracy,
//! "Sampling properties of estimators of the log-logistic distribution with application to
//! Canadian precipitation data", Canadian Journal of Statistics 16 (1988).

use rand::{Rng, RngCore};
use rand_distr::Open01;

use super::{degenerate, no_spread, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::format::exact;
use crate::special::{ln_1p_exp, logistic, logit};
use crate::sum::CompensatedSum;

/// 2 ln 3: the interquartile range of the standard logistic law.
const TWO_LN_3: f64 = 2.197_224_577_336_219_6;

/// π / √3: the standard deviation of the standard logistic law.
const PI_OVER_SQRT_3: f64 = 1.813_799_364_234_217_8;

/// The log-logistic family, parameters (shape, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogLogistic;

impl Family for LogLogistic {
    fn name(&self) -> &'static str {
        "log_logistic"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["fisk", "loglogistic"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = (shape/scale) (x/scale)^(shape-1) / (1 + (x/scale)^shape)^2"
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
        let d = sample.distinct();
        let total = s.total_weight;
        let median = weighted_quantile(d, total, 0.5);
        let iqr_ln = (weighted_quantile(d, total, 0.75) / weighted_quantile(d, total, 0.25)).ln();
        let shape = if iqr_ln > 0.0 {
            TWO_LN_3 / iqr_ln
        } else {
            PI_OVER_SQRT_3 / s.variance_ln.sqrt()
        };
        Ok(vec![shape, median])
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
        let (b, a) = (theta[0], theta[1]);
        let ln_a = a.ln();
        let u = x.ln() - ln_a;
        let t = Terms::at(b * u);
        if let Some(g) = grad {
            g[0] = 1.0 / b - u * t.th;
            g[1] = b * t.th / a;
        }
        if let Some(h) = hess {
            h[0] = -1.0 / (b * b) - 2.0 * u * u * t.r;
            h[1] = (t.th + 2.0 * b * u * t.r) / a;
            h[2] = h[1];
            h[3] = -b * (t.th + 2.0 * b * t.r) / (a * a);
        }
        b.ln() - ln_a + (b - 1.0) * u - 2.0 * t.l
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
        let (b, a) = (theta[0], theta[1]);
        let ln_a = a.ln();
        let lx = sample.ln_values();
        let s = match sample.weights() {
            None => Sums::over(lx.iter().map(|&l| (l, 1.0)), b, ln_a),
            Some(w) => Sums::over(
                lx.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&l, &w)| (l, w)),
                b,
                ln_a,
            ),
        };
        if let Some(g) = grad {
            g[0] = s.w / b - s.wuth;
            g[1] = b * s.wth / a;
        }
        if let Some(h) = hess {
            h[0] = -s.w / (b * b) - 2.0 * s.wuur;
            h[1] = (s.wth + 2.0 * b * s.wur) / a;
            h[2] = h[1];
            h[3] = -b * (s.wth + 2.0 * b * s.wr) / (a * a);
        }
        s.w * (b.ln() - ln_a) + (b - 1.0) * s.wu - 2.0 * s.wl
    }

    /// ln F = −ln(1 + e^{−w}), w = β(ln x − ln α); see `softplus_tail`.
    fn ln_cdf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(tail(theta, x, -1.0, grad, hess))
    }

    /// ln S = −ln(1 + e^{w}) ≈ −w far in the upper tail, exactly.
    fn ln_sf_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        Some(tail(theta, x, 1.0, grad, hess))
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x <= 0.0 {
            return Some(0.0);
        }
        // 1/(1 + e^(−t)), t = β (ln x − ln α); `logistic` exponentiates −|t| only.
        let t = theta[0] * (x.ln() - theta[1].ln());
        Some(logistic(t))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // Inverse CDF: ln x = ln α + logit(U)/β, U in the open interval (0, 1).
        let (b, a) = (theta[0], theta[1]);
        (0..n)
            .map(|_| {
                let u: f64 = rng.sample(Open01);
                a * (logit(u) / b).exp()
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (b, a) = (theta[0], theta[1]);
        // E[Xʳ] = αʳ (rπ/β) / sin(rπ/β) for r < β.
        let c = std::f64::consts::PI / b;
        let mean = if b > 1.0 {
            a * c / c.sin()
        } else {
            f64::INFINITY
        };
        let var = if b > 2.0 {
            a * a * (2.0 * c / (2.0 * c).sin() - (c / c.sin()).powi(2))
        } else {
            f64::INFINITY
        };
        (mean, var)
    }
}

/// The functions of t = β u one observation needs: ln(1 + eᵗ), tanh(t/2) = 2q − 1 and
/// q (1 − q), with q = 1/(1 + e^(−t)); from the single exponential e^(−|t|).
struct Terms {
    l: f64,
    th: f64,
    r: f64,
}

impl Terms {
    #[inline]
    fn at(t: f64) -> Terms {
        let e = (-t.abs()).exp();
        let inv = 1.0 / (1.0 + e);
        let th = (1.0 - e) * inv;
        Terms {
            l: t.max(0.0) + e.ln_1p(),
            th: if t < 0.0 { -th } else { th },
            r: e * inv * inv,
        }
    }
}

/// The weighted sums of one pass, with u = ln x − ln α, t = β u and [`Terms`] of t:
/// Σw, Σw u, Σw ln(1 + eᵗ), Σw tanh, Σw u tanh, Σw r, Σw u r, Σw u² r.
struct Sums {
    w: f64,
    wu: f64,
    wl: f64,
    wth: f64,
    wuth: f64,
    wr: f64,
    wur: f64,
    wuur: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, b: f64, ln_a: f64) -> Sums {
        let mut s = Sums {
            w: 0.0,
            wu: 0.0,
            wl: 0.0,
            wth: 0.0,
            wuth: 0.0,
            wr: 0.0,
            wur: 0.0,
            wuur: 0.0,
        };
        // The sums that enter the value are compensated (the objective's noise floor); so is
        // Σw tanh, the scale score, which is a difference of nearly equal halves at the optimum.
        let (mut w_sum, mut wu, mut wl, mut wth) = (
            CompensatedSum::default(),
            CompensatedSum::default(),
            CompensatedSum::default(),
            CompensatedSum::default(),
        );
        for (lx, w) in pairs {
            let u = lx - ln_a;
            let t = Terms::at(b * u);
            let wr = w * t.r;
            let wur = wr * u;
            w_sum.add(w);
            wu.add(w * u);
            wl.add(w * t.l);
            wth.add(w * t.th);
            s.wuth += w * u * t.th;
            s.wr += wr;
            s.wur += wur;
            s.wuur += wur * u;
        }
        s.w = w_sum.value();
        s.wu = wu.value();
        s.wl = wl.value();
        s.wth = wth.value();
        s
    }
}

/// The p-quantile of the weighted empirical distribution given as sorted (value, weight) pairs:
/// the first value whose cumulative weight reaches p Σw, averaged (geometrically, as the
/// logistic estimates live on the ln x scale) with the next value when it reaches it exactly.
fn weighted_quantile(d: &[(f64, f64)], total: f64, p: f64) -> f64 {
    let target = p * total;
    let mut cum = 0.0;
    for (i, &(x, w)) in d.iter().enumerate() {
        cum += w;
        if w > 0.0 && cum >= target {
            if cum - target <= 1e-12 * total {
                if let Some(&(next, _)) = d[i + 1..].iter().find(|p| p.1 > 0.0) {
                    return (x * next).sqrt();
                }
            }
            return x;
        }
    }
    d[d.len() - 1].0
}

/// ln F (s = −1) or ln S (s = 1) at x: −softplus(s·w), w = β(ln x − ln α), with
/// ∇(s w) = s(u, −β/α) and ∇²(s w) = s[[0, −1/α], [·, β/α²]] in (β, α), u = ln x − ln α.
fn tail(theta: &[f64], x: f64, s: f64, grad: Option<&mut [f64]>, hess: Option<&mut [f64]>) -> f64 {
    let (beta, alpha) = (theta[0], theta[1]);
    let u = if x > 0.0 {
        x.ln() - alpha.ln()
    } else {
        f64::NEG_INFINITY
    };
    let w = s * beta * u;
    let dw = [s * u, -s * beta / alpha];
    let d2w = [0.0, -s / alpha, s * beta / (alpha * alpha)];
    softplus_tail(w, &dw, &d2w, grad, hess)
}

/// −softplus(w) = −ln(1 + eʷ) with its gradient and Hessian (2 parameters, row-major,
/// *overwritten*) through w(θ) with gradient `dw` and Hessian `d2w` (upper triangle
/// h₀₀, h₀₁, h₁₁): the log-CDF and log-survival of every logistic-type family
/// (−softplus(−z) = ln F, −softplus(z) = ln S of the standard logistic). d/dw = −σ(w),
/// d²/dw² = −σ(w)σ(−w); ±∞ in w gives 0 or −∞ with zero derivatives.
pub(crate) fn softplus_tail(
    w: f64,
    dw: &[f64; 2],
    d2w: &[f64; 3],
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    if w.is_infinite() || w.is_nan() {
        if let Some(g) = grad {
            g[..2].fill(0.0);
        }
        if let Some(h) = hess {
            h[..4].fill(0.0);
        }
        return if w < 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    let (p, q) = (logistic(w), logistic(-w));
    if let Some(g) = grad {
        g[0] = -p * dw[0];
        g[1] = -p * dw[1];
    }
    if let Some(h) = hess {
        let c = -p * q;
        h[0] = c * dw[0] * dw[0] - p * d2w[0];
        h[1] = c * dw[0] * dw[1] - p * d2w[1];
        h[2] = h[1];
        h[3] = c * dw[1] * dw[1] - p * d2w[2];
    }
    -ln_1p_exp(w)
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
            // scipy.stats.fisk.logpdf(1.3, 2.0, scale=1.5) = -0.9759197853759198
            (2.0, 1.5, 1.3, -0.975_919_785_375_919_8),
            // scipy.stats.fisk.logpdf(0.4, 0.5, scale=2.0) = -1.320855503707838
            (0.5, 2.0, 0.4, -1.320_855_503_707_838),
            // scipy.stats.fisk.logpdf(10500.0, 50.0, scale=1e4) = -7.953833762980329
            (50.0, 1e4, 10500.0, -7.953_833_762_980_329),
            // scipy.stats.fisk.logpdf(2.2e-4, 3.0, scale=1e-4) = 6.975598398464172
            (3.0, 1e-4, 2.2e-4, 6.975_598_398_464_172),
            // scipy.stats.fisk.logpdf(1e6, 2.3, scale=2.3) = -42.842584735596475
            (2.3, 2.3, 1e6, -42.842_584_735_596_475),
        ];
        for (b, a, x, want) in cases {
            let lp = LogLogistic.ln_density_derivs(&[b, a], x, None, None);
            assert!(rel_close(lp, want, 1e-13), "{b} {a} {x}: {lp} vs {want}");
        }
        // Far into both tails ln(1 + eᵗ) neither overflows nor loses the density.
        let lp = LogLogistic.ln_density_derivs(&[50.0, 1.0], 1e300, None, None);
        assert!(lp.is_finite() && lp < -3e4, "{lp}");
        let lp = LogLogistic.ln_density_derivs(&[50.0, 1.0], 1e-300, None, None);
        assert!(lp.is_finite() && lp < -3e4, "{lp}");
    }

    #[test]
    fn zero_and_negative_values_are_outside_the_support() {
        for &x in &[0.0, -1.0, -1e-300] {
            assert_eq!(
                LogLogistic.ln_density_derivs(&[2.0, 1.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![0.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            LogLogistic.log_likelihood(&[1.0, 1.0], &s, None, None),
            f64::NEG_INFINITY
        );
        let e = LogLogistic.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("outside the support"), "{e}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let points: [([f64; 2], f64); 8] = [
            ([2.0, 1.5], 1.3),
            ([2.0, 1.5], 1.5),
            ([0.5, 2.0], 0.4),
            ([0.5, 2.0], 2500.0),
            ([50.0, 1e4], 10500.0),
            ([50.0, 1e4], 9000.0),
            ([3.0, 1e-4], 2.2e-4),
            ([300.0, 1.0], 1.2),
        ];
        for (theta, x) in points {
            check_derivatives_with(&LogLogistic, &theta, x, IN_LOG_UNITS);
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
        check_fast_path_with(&LogLogistic, &[1.3, 2.5], &s, ONE_PASS);
        check_fast_path_with(&LogLogistic, &[0.4, 0.7], &s, ONE_PASS);
        check_fast_path_with(
            &LogLogistic,
            &[1.3, 2.5],
            &Sample::new(x.clone()).unwrap(),
            ONE_PASS,
        );
        let big: Vec<f64> = x.iter().map(|v| 1e4 + 100.0 * v).collect();
        let s = Sample::new(big).unwrap().with_weights(w.clone()).unwrap();
        check_fast_path_with(&LogLogistic, &[50.0, 1.02e4], &s, ONE_PASS);
        let small: Vec<f64> = x.iter().map(|v| 1e-4 * (1.0 + 0.01 * v)).collect();
        let s = Sample::new(small).unwrap().with_weights(w).unwrap();
        check_fast_path_with(&LogLogistic, &[40.0, 1.01e-4], &s, ONE_PASS);
    }

    #[test]
    fn start_is_median_and_logistic_iqr() {
        // Quartiles 2 and 8 (weighted: the weights repeat values), median 4.
        let s = Sample::new(vec![1.0, 2.0, 4.0, 8.0, 16.0])
            .unwrap()
            .with_weights(vec![1.0, 1.0, 2.0, 1.0, 1.0])
            .unwrap();
        let t = LogLogistic.initial_estimate(&s).unwrap();
        assert_eq!(t[1], 4.0);
        assert!(rel_close(t[0], TWO_LN_3 / 4f64.ln(), 1e-15), "{t:?}");
        // Most of the weight on one value: the quartiles coincide, the sd of ln x is used.
        let s = Sample::new(vec![1.0, 3.0, 3.0, 3.0, 3.0, 9.0]).unwrap();
        let t = LogLogistic.initial_estimate(&s).unwrap();
        assert_eq!(t[1], 3.0);
        let sd = s.summary().variance_ln.sqrt();
        assert!(rel_close(t[0], PI_OVER_SQRT_3 / sd, 1e-15), "{t:?}");
        assert!(
            fit(&LogLogistic, &s, &FitOptions::default())
                .unwrap()
                .converged
        );
    }

    #[test]
    fn fit_recovers_parameters_at_every_scale() {
        for (seed, theta) in [(1u64, [2.3, 2.3]), (2, [8.0, 1e4]), (3, [0.7, 1e-4])] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(LogLogistic.sample(&theta, 2000, &mut rng)).unwrap();
            let f = fit(&LogLogistic, &s, &FitOptions::default()).unwrap();
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
    fn moments() {
        // scipy.stats.fisk.stats(3.0, scale=2.0) = (2.41839915231229, 3.824942149344359)
        let (m, v) = LogLogistic.mean_variance(&[3.0, 2.0]);
        assert!(rel_close(m, 2.418_399_152_312_29, 1e-13), "{m}");
        assert!(rel_close(v, 3.824_942_149_344_359, 1e-12), "{v}");
        let (m, v) = LogLogistic.mean_variance(&[1.5, 1.0]);
        assert!(m.is_finite() && v == f64::INFINITY);
        assert_eq!(LogLogistic.mean_variance(&[0.9, 1.0]).0, f64::INFINITY);
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![2.5; 4]).unwrap();
        let e = LogLogistic.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.fisk.cdf(x, c=2.5, scale=1.5) (shape 2.5, scale 1.5).
        let theta = [2.5, 1.5];
        for (x, want) in [
            (0.5, 0.060282881273222705),
            (3.0, 0.8497788951776651),
            (0.001, 1.1475506079297697e-08),
        ] {
            let got = LogLogistic.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(LogLogistic.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(LogLogistic.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(LogLogistic.cdf(&theta, f64::INFINITY), Some(1.0));
    }

    #[test]
    fn tail_derivatives_match_finite_differences() {
        for theta in [[2.5, 1.5], [0.7, 300.0], [12.0, 0.01]] {
            for q in [1e-6f64, 0.1, 0.5, 0.9, 0.999] {
                // x at quantile q: α (q/(1 − q))^{1/β}.
                let x = theta[1] * (q / (1.0 - q)).powf(1.0 / theta[0]);
                super::super::testkit::check_tail_derivatives(&LogLogistic, &theta, x, 1e-6);
            }
        }
    }

    #[test]
    fn tails_are_exact_far_out() {
        // ln S = −ln(1 + (x/α)^β) = −β ln(x/α) − ln(1 + 1e-15) at x = 1e6 α (scipy 1.17.1's
        // fisk.logsf gives −34.434, ln of 1 − F rounded to the float spacing 1.1e-15).
        let theta = [2.5, 1.5];
        let got = LogLogistic.ln_sf_derivs(&theta, 1.5e6, None, None).unwrap();
        let want = -2.5 * 1e6f64.ln() - 1e-15;
        assert!((got - want).abs() < 1e-14 * 34.6, "{got} vs {want}");
        let got = LogLogistic
            .ln_cdf_derivs(&theta, 1.5e-200, None, None)
            .unwrap();
        assert!(
            (got - 2.5 * (1e-200f64).ln()).abs() < 1e-14 * 1151.3,
            "{got}"
        );
        assert_eq!(
            LogLogistic.ln_cdf_derivs(&theta, 0.0, None, None),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(LogLogistic.ln_sf_derivs(&theta, 0.0, None, None), Some(0.0));
    }
}
