//! Zero-inflated Poisson distribution.
//!
//! P(0) = π + (1 − π) e^(−λ),  P(k) = (1 − π) λᵏ e^(−λ) / k!  (k ≥ 1),  k ∈ {0, 1, 2, …};
//! parameters `pi` π ∈ (0, 1), the probability of a structural zero, and `lambda` λ > 0, the
//! mean of the Poisson part. Mean (1 − π)λ, variance (1 − π)λ(1 + πλ).
//!
//! The log-likelihood depends on the data through the weight of the zeros W₀, the weight and
//! the sum of the positive counts W₊, S = Σwk, and the parameter-free Σw ln k!: the value and
//! all derivatives are O(1) in θ (the ln k! sum is one pass over the distinct counts, as for the
//! Poisson). ln P(0) is a log-sum-exp of ln π and ln(1 − π) − λ, so neither a tiny π nor a
//! large λ loses it; ln P(k) uses Loader's saddle-point form of the Poisson mass.
//!
//! **The MLE, almost in closed form.** With φ = P(0) the likelihood factorises into
//! W₀ ln φ + W₊ ln(1 − φ) + Σ_{k>0} w ln P₊(k | λ), P₊ the zero-truncated Poisson; so φ̂ = W₀/W
//! and λ̂ solves the truncated mean equation λ / (1 − e^(−λ)) = S/W₊ (solved by Newton's method),
//! and π̂ = (φ̂ − e^(−λ̂)) / (1 − e^(−λ̂)). The initial estimate is that MLE; the optimizer certifies
//! it in 0–1 iterations. It is interior iff the data have excess zeros, W₀/W > e^(−x̄) (the
//! score test of van den Broek 1995; equivalent to π̂ > 0). Otherwise the likelihood is largest
//! on the boundary π → 0, at the Poisson fit λ = x̄: the start is then π = 1e-10, λ = x̄, the fit
//! stops at once and [`Family::boundary_note`] reports the boundary (π < 1e-8). All-zero data
//! have no MLE (π → 1 or λ → 0) and are degenerate.
//!
//! References: Lambert, "Zero-inflated Poisson regression, with an application to defects in
//! manufacturing", Technometrics 34 (1992); van den Broek, "A score test for zero inflation in a
//! Poisson distribution", Biometrics 51 (1995); Johnson, Kemp & Kotz, *Univariate Discrete
//! Distributions*, 3rd ed. (2005), §4.10.3.

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_2PI;
use crate::numeric::is_count;
use crate::special::{deviance_term, ln_gamma, stirling_error};

/// π of the start when the data have no excess zeros (the MLE is on the boundary π → 0).
const BOUNDARY_PI: f64 = 1e-10;

/// Below this π the fit is reported as being on the boundary.
const BOUNDARY_NOTE_PI: f64 = 1e-8;

/// The zero-inflated Poisson family, parameters (pi, lambda).
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroInflatedPoisson;

impl Family for ZeroInflatedPoisson {
    fn name(&self) -> &'static str {
        "zero_inflated_poisson"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["zip"]
    }

    fn formula(&self) -> &'static str {
        "P(0) = pi + (1 - pi) exp(-lambda), P(k) = (1 - pi) lambda^k exp(-lambda) / k!"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::unit("pi"), ParamSpec::positive("lambda")];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    /// The MLE through the zero-truncated Poisson (see the module doc), or (1e-10, x̄) when the
    /// data have no excess zeros.
    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let st = Stats::of(sample);
        if !(st.w_pos > 0.0) {
            return Err(all_zeros(self));
        }
        let f0 = st.w_zero / st.w;
        let mean = st.sum / st.w;
        if !(f0 > (-mean).exp()) {
            return Ok(vec![BOUNDARY_PI, mean]);
        }
        let lambda = zero_truncated_rate(st.sum / st.w_pos);
        let pi = pi_given_lambda(f0, lambda);
        if pi <= BOUNDARY_PI {
            return Ok(vec![BOUNDARY_PI, mean]);
        }
        Ok(vec![pi, lambda])
    }

    /// With λ fixed, π̂(λ) = (φ̂ − e^(−λ)) / (1 − e^(−λ)) (clamped into the domain); with π
    /// fixed, the moment estimate λ = x̄ / (1 − π).
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let st = Stats::of(sample);
        if !(st.w_pos > 0.0) {
            return Err(all_zeros(self));
        }
        let mean = st.sum / st.w;
        match (fixed[0], fixed[1]) {
            (None, None) => self.initial_estimate(sample),
            (Some(pi), Some(lambda)) => Ok(vec![pi, lambda]),
            (Some(pi), None) => Ok(vec![pi, mean / (1.0 - pi)]),
            (None, Some(lambda)) => {
                let pi = pi_given_lambda(st.w_zero / st.w, lambda);
                Ok(vec![pi.clamp(BOUNDARY_PI, 1.0 - 1e-12), lambda])
            }
        }
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !is_count(x) {
            return f64::NEG_INFINITY;
        }
        let (pi, lambda) = (theta[0], theta[1]);
        if x == 0.0 {
            let z = ZeroTerms::new(pi, lambda);
            if let Some(g) = grad {
                g[0] = z.d_pi;
                g[1] = -z.s;
            }
            if let Some(h) = hess {
                h[0] = -z.d_pi * z.d_pi;
                h[1] = z.d_pi_lambda;
                h[2] = h[1];
                h[3] = z.s * z.t;
            }
            return z.ln_p0;
        }
        let q = 1.0 - pi;
        if let Some(g) = grad {
            g[0] = -1.0 / q;
            g[1] = x / lambda - 1.0;
        }
        if let Some(h) = hess {
            h[0] = -1.0 / (q * q);
            h[1] = 0.0;
            h[2] = 0.0;
            h[3] = -x / (lambda * lambda);
        }
        (-pi).ln_1p() + ln_poisson_positive(x, lambda)
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let summary = sample.summary();
        if !(summary.all_integer && summary.min >= 0.0) {
            return f64::NEG_INFINITY;
        }
        let st = Stats::of(sample);
        let (pi, lambda) = (theta[0], theta[1]);
        let q = 1.0 - pi;
        let z = ZeroTerms::new(pi, lambda);
        if let Some(g) = grad {
            g[0] = st.w_zero * z.d_pi - st.w_pos / q;
            g[1] = -st.w_zero * z.s + st.sum / lambda - st.w_pos;
        }
        if let Some(h) = hess {
            h[0] = -st.w_zero * z.d_pi * z.d_pi - st.w_pos / (q * q);
            h[1] = st.w_zero * z.d_pi_lambda;
            h[2] = h[1];
            h[3] = st.w_zero * z.s * z.t - st.sum / (lambda * lambda);
        }
        let zeros = if st.w_zero > 0.0 {
            st.w_zero * z.ln_p0
        } else {
            0.0
        };
        let positives = if st.w_pos > 0.0 {
            let (ln_fact, ln_q, ln_lambda) = (ln_factorial_sum(sample), (-pi).ln_1p(), lambda.ln());
            let direct = st.w_pos * (ln_q - lambda) + st.sum * ln_lambda - ln_fact;
            // The Poisson part alone is checked (and re-summed) should its digits have been lost
            // (counts ≳ 1e10).
            let poisson = st.sum * ln_lambda - st.w_pos * lambda - ln_fact;
            let terms = st.w_pos * lambda + st.sum * ln_lambda.abs() + ln_fact;
            super::poisson::poisson_resum(sample, lambda, (poisson, terms), false)
                .map_or(direct, |p| st.w_pos * ln_q + p)
        } else {
            0.0
        };
        zeros + positives
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        (theta[0] < BOUNDARY_NOTE_PI).then(|| {
            format!(
                "pi = {:.1e} → 0: the data have no excess zeros (their zero fraction is at most \
                 the Poisson's e^(-lambda)), so the likelihood is largest on the boundary pi = 0, \
                 where this is the poisson family, which fits as well with one parameter fewer",
                theta[0]
            )
        })
    }

    /// F(x) = π + (1 − π) Q(⌊x⌋ + 1, λ) for x ≥ 0 (0 below 0).
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (pi, lambda) = (theta[0], theta[1]);
        if x < 0.0 {
            return Some(0.0);
        }
        let f = super::poisson::poisson_cdf(x, lambda)?;
        Some(pi + (1.0 - pi) * f)
    }

    /// In closed form, with p₀ = π + (1 − π)e^(−λ) (the Hessian of ln p₀ at 0, the Poisson's
    /// above it): I_ππ = (1 − e^(−λ))/((1 − π)p₀), I_πλ = −e^(−λ)/p₀,
    /// I_λλ = (1 − π)/λ − π(1 − π)e^(−λ)/p₀. The sum it replaces needs ~40√λ terms.
    fn expected_information(&self, theta: &[f64], out: &mut [f64]) -> bool {
        let (pi, lambda) = (theta[0], theta[1]);
        let e = (-lambda).exp();
        let p0 = pi + (1.0 - pi) * e;
        let i_pp = -(-lambda).exp_m1() / ((1.0 - pi) * p0);
        let i_pl = -e / p0;
        let i_ll = (1.0 - pi) / lambda - pi * (1.0 - pi) * e / p0;
        out.copy_from_slice(&[i_pp, i_pl, i_pl, i_ll]);
        true
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (pi, lambda) = (theta[0], theta[1]);
        let zero = rand::distr::Bernoulli::new(pi).expect("valid zero-inflation pi");
        let counts = rand_distr::Poisson::new(lambda).ok();
        (0..n)
            .map(|_| {
                if zero.sample(rng) {
                    0.0
                } else {
                    super::poisson::poisson_draw(counts.as_ref(), lambda, rng)
                }
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (pi, lambda) = (theta[0], theta[1]);
        let mean = (1.0 - pi) * lambda;
        (mean, mean * (1.0 + pi * lambda))
    }
}

fn all_zeros(family: &dyn Family) -> crate::error::Error {
    degenerate(
        family,
        "all counts are 0: the likelihood increases toward pi = 1 (or lambda = 0), so no MLE \
         exists",
    )
}

/// The sufficient statistics: total weight, weight of the zeros, of the positive counts, and
/// Σwk (from the summary, so O(1) once the distinct values are known).
struct Stats {
    w: f64,
    w_zero: f64,
    w_pos: f64,
    sum: f64,
}

impl Stats {
    fn of(sample: &Sample) -> Stats {
        let s = sample.summary();
        // Distinct values are sorted: the zeros, if any, come first.
        let w_zero = sample
            .distinct()
            .first()
            .filter(|&&(x, _)| x == 0.0)
            .map_or(0.0, |&(_, w)| w);
        Stats {
            w: s.total_weight,
            w_zero,
            w_pos: s.total_weight - w_zero,
            sum: s.total_weight * s.mean,
        }
    }
}

/// ln P(0) and its derivative pieces. With a = ln π, b = ln(1 − π) − λ and P₀ = eᵃ + eᵇ:
/// s = eᵇ/P₀ (the share of the Poisson's zeros), t = 1 − s = eᵃ/P₀,
/// ∂ ln P₀/∂π = (1 − e^(−λ))/P₀, ∂ ln P₀/∂λ = −s, ∂²/∂π² = −(∂/∂π)², ∂²/∂π∂λ = e^(−λ)/P₀²,
/// ∂²/∂λ² = s t.
struct ZeroTerms {
    ln_p0: f64,
    s: f64,
    t: f64,
    d_pi: f64,
    d_pi_lambda: f64,
}

impl ZeroTerms {
    fn new(pi: f64, lambda: f64) -> ZeroTerms {
        let a = pi.ln();
        let b = (-pi).ln_1p() - lambda;
        // P₀ = 1 − y with y = (1 − π)(1 − e^(−λ)): ln_1p(−y) keeps the digits of a P₀ near 1,
        // the log-sum-exp those of a small P₀.
        let y = (1.0 - pi) * -(-lambda).exp_m1();
        let ln_p0 = if y < 0.5 {
            (-y).ln_1p()
        } else {
            let (hi, lo) = if a > b { (a, b) } else { (b, a) };
            hi + (lo - hi).exp().ln_1p()
        };
        ZeroTerms {
            ln_p0,
            s: (b - ln_p0).exp(),
            t: (a - ln_p0).exp(),
            d_pi: -(-lambda).exp_m1() * (-ln_p0).exp(),
            d_pi_lambda: (-lambda - 2.0 * ln_p0).exp(),
        }
    }
}

/// ln(λᵏ e^(−λ) / k!) for k ≥ 1, in Loader's saddle-point form.
#[inline]
fn ln_poisson_positive(k: f64, lambda: f64) -> f64 {
    -stirling_error(k) - deviance_term(k, lambda) - 0.5 * (LN_2PI + k.ln())
}

/// Σ wᵢ ln(kᵢ!) over the distinct counts; parameter-free.
fn ln_factorial_sum(sample: &Sample) -> f64 {
    let mut sum = crate::sum::CompensatedSum::default();
    for &(k, w) in sample.distinct() {
        if w != 0.0 && k > 1.0 {
            sum.add(w * ln_gamma(k + 1.0));
        }
    }
    sum.value()
}

/// π̂ given λ: the π at which P(0) equals the observed zero fraction `f0` (may be ≤ 0).
fn pi_given_lambda(f0: f64, lambda: f64) -> f64 {
    (f0 - (-lambda).exp()) / -(-lambda).exp_m1()
}

/// The rate λ of the zero-truncated Poisson with mean `m` > 1: the root of λ/(1 − e^(−λ)) = m,
/// by Newton's method from λ = m (the function is increasing and convex, so the iterates
/// decrease monotonically to the root).
fn zero_truncated_rate(m: f64) -> f64 {
    if !(m > 1.0) {
        return f64::MIN_POSITIVE;
    }
    let mut lambda = m;
    for _ in 0..200 {
        let e = (-lambda).exp();
        let one_m_e = -(-lambda).exp_m1();
        let h = lambda / one_m_e - m;
        // h′ = (1 − e^(−λ) − λ e^(−λ)) / (1 − e^(−λ))².
        let dh = (one_m_e - lambda * e) / (one_m_e * one_m_e);
        if !(dh > 0.0) {
            break;
        }
        let next = lambda - h / dh;
        if !(next > 0.0) {
            lambda *= 0.5;
            continue;
        }
        let done = (next - lambda).abs() <= 1e-15 * lambda;
        lambda = next;
        if done {
            break;
        }
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        check_derivatives, check_derivatives_with, check_fast_path, rel_close, Derivs, Step,
    };
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_mass_values() {
        // mpmath (50 digits): log(pi + (1 - pi) e^-lambda) at 0, log(1 - pi) + log Poisson(k)
        // otherwise (scipy has no zero-inflated Poisson; the k > 0 values equal
        // log1p(-pi) + scipy.stats.poisson.logpmf(k, lambda)).
        let cases = [
            (0.0, 0.35, 2.3, -0.8790714230319717),
            (3.0, 0.35, 2.3, -2.023815016515197),
            (0.0, 1e-10, 2.3, -2.2999999991025817),
            (0.0, 0.5, 1e-06, -4.99999875e-07),
            (0.0, 1e-12, 40.0, -27.631016867583316),
            (17.0, 0.2, 4.5, -12.658901256254438),
            (250.0, 0.9, 240.0, -6.188086048349181),
            (0.0, 0.999, 0.1, -9.516711020982554e-05),
            (1.0, 1e-09, 0.5, -1.1931471815599453),
        ];
        for (k, pi, lambda, expected) in cases {
            let lp = ZeroInflatedPoisson.ln_density_derivs(&[pi, lambda], k, None, None);
            assert!(
                rel_close(lp, expected, 1e-13),
                "k={k} pi={pi} lambda={lambda}: {lp} vs {expected}"
            );
        }
        for x in [-1.0, 0.5, 2.25, f64::INFINITY, f64::NAN] {
            assert_eq!(
                ZeroInflatedPoisson.ln_density_derivs(&[0.3, 2.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
    }

    #[test]
    fn start_is_the_mle_on_a_tiny_sample() {
        // 3 zeros, positives 1, 2, 3: φ̂ = 1/2, λ̂ solves λ/(1 − e^−λ) = 2.
        let s = Sample::new(vec![0.0, 0.0, 1.0, 0.0, 2.0, 3.0]).unwrap();
        let t = ZeroInflatedPoisson.initial_estimate(&s).unwrap();
        // mpmath: findroot(lambda x: x/(1 - exp(-x)) - 2, 1.5) = 1.59362426004004.
        assert!(rel_close(t[1], 1.59362426004004, 1e-14), "{t:?}");
        let e = (-t[1]).exp();
        assert!(rel_close(t[0], (0.5 - e) / (1.0 - e), 1e-14), "{t:?}");
        let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
        ZeroInflatedPoisson.log_likelihood(&t, &s, Some(&mut g), Some(&mut h));
        assert!(g[0].abs() < 1e-13 && g[1].abs() < 1e-13, "{g:?}");
        // A maximum: the Hessian is negative definite.
        assert!(h[0] < 0.0 && h[0] * h[3] - h[1] * h[2] > 0.0, "{h:?}");
    }

    #[test]
    fn zero_truncated_rate_solves_its_equation() {
        for lambda in [1e-6f64, 1e-3, 0.2, 1.0, 7.5, 40.0, 800.0] {
            let m = lambda / -(-lambda).exp_m1();
            let got = zero_truncated_rate(m);
            assert!(rel_close(got, lambda, 1e-9), "{lambda}: {got}");
        }
    }

    #[test]
    fn all_zeros_are_degenerate() {
        let s = Sample::new(vec![0.0; 5]).unwrap();
        let e = ZeroInflatedPoisson.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all counts are 0"), "{e}");
        let e = fit(&ZeroInflatedPoisson, &s, &FitOptions::default()).unwrap_err();
        assert!(e.to_string().contains("no MLE"), "{e}");
    }

    #[test]
    fn no_excess_zeros_is_reported_as_the_poisson_boundary() {
        // Zero fraction 1/10 < e^(−2) ≈ 0.135 at mean 2: no excess zeros.
        let s = Sample::new(vec![0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 2.0, 4.0]).unwrap();
        let t = ZeroInflatedPoisson.initial_estimate(&s).unwrap();
        assert_eq!(t, vec![BOUNDARY_PI, 2.0]);
        let f = fit(&ZeroInflatedPoisson, &s, &FitOptions::default()).unwrap();
        assert!(!f.converged);
        assert_eq!(f.termination, Termination::Boundary);
        assert!(f.iterations <= 2, "{}", f.iterations);
        assert!(
            f.notes.iter().any(|n| n.contains("no excess zeros")),
            "{:?}",
            f.notes
        );
        // λ̂ is the Poisson MLE and the cross entropy is the Poisson's (to ~1e-10).
        assert!(rel_close(f.params.get("lambda").unwrap(), 2.0, 1e-8));
        let pois = fit(&super::super::poisson::Poisson, &s, &FitOptions::default()).unwrap();
        assert!((f.cross_entropy - pois.cross_entropy).abs() < 1e-9);
        // No zeros at all: the same boundary.
        let s = Sample::new(vec![1.0, 2.0, 5.0]).unwrap();
        let f = fit(&ZeroInflatedPoisson, &s, &FitOptions::default()).unwrap();
        assert_eq!(f.termination, Termination::Boundary);
    }

    #[test]
    fn start_with_one_parameter_fixed() {
        let s = Sample::new(vec![0.0, 0.0, 1.0, 0.0, 2.0, 3.0]).unwrap();
        let t = ZeroInflatedPoisson
            .initial_estimate_given(&s, &[None, Some(2.0)])
            .unwrap();
        let e = (-2.0f64).exp();
        assert!(rel_close(t[0], (0.5 - e) / (1.0 - e), 1e-14) && t[1] == 2.0);
        // π̂(λ) is the conditional MLE: the π score vanishes there.
        let mut g = [0.0; 2];
        ZeroInflatedPoisson.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-13, "{g:?}");
        let t = ZeroInflatedPoisson
            .initial_estimate_given(&s, &[Some(0.25), None])
            .unwrap();
        assert_eq!(t, vec![0.25, 1.0 / 0.75]);
        let opts = FitOptions {
            fixed: vec![("pi".into(), 0.25)],
            ..FitOptions::default()
        };
        let f = fit(&ZeroInflatedPoisson, &s, &opts).unwrap();
        assert!(f.converged, "{:?}", f.termination);
    }

    #[test]
    fn derivatives_match_central_differences() {
        let points = [
            ([0.35, 2.3], 0.0),
            ([0.35, 2.3], 3.0),
            ([0.02, 0.1], 0.0),
            ([0.9, 15.0], 0.0),
            ([0.5, 40.0], 31.0),
            ([1e-6, 3.0], 0.0),
        ];
        for (theta, x) in points {
            check_derivatives(&ZeroInflatedPoisson, &theta, x, 1e-6);
        }
        // π near 1: steps relative to 1 − π.
        let how = Derivs {
            step: Step::Relative(1e-9),
            ..Derivs::rel(1e-5)
        };
        check_derivatives_with(&ZeroInflatedPoisson, &[0.999, 2.0], 0.0, how);
        check_derivatives_with(&ZeroInflatedPoisson, &[0.999, 2.0], 4.0, how);
    }

    #[test]
    fn sufficient_statistics_equal_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0, 0.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5, 1.0])
            .unwrap();
        for theta in [[0.35, 2.3], [0.01, 0.2], [0.9, 30.0], [1e-9, 4.0]] {
            check_fast_path(&ZeroInflatedPoisson, &theta, &s, 1e-13, 1e-12);
        }
        // No zeros, and only zeros with positive weight.
        let s = Sample::new(vec![2.0, 5.0]).unwrap();
        check_fast_path(&ZeroInflatedPoisson, &[0.3, 2.0], &s, 1e-13, 1e-12);
        let s = Sample::new(vec![0.0, 5.0])
            .unwrap()
            .with_weights(vec![1.0, 0.0])
            .unwrap();
        check_fast_path(&ZeroInflatedPoisson, &[0.3, 2.0], &s, 1e-13, 1e-12);
    }

    #[test]
    fn fit_recovers_a_seeded_sample() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(21);
        let truth = [0.3, 3.5];
        let s = Sample::new(ZeroInflatedPoisson.sample(&truth, 2000, &mut rng)).unwrap();
        let f = fit(&ZeroInflatedPoisson, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        assert!(f.iterations <= 2, "{}", f.iterations);
        let se = f.std_errors.clone().unwrap();
        for (name, t) in [("pi", truth[0]), ("lambda", truth[1])] {
            let (est, e) = (f.params.get(name).unwrap(), se.get(name).unwrap());
            assert!((est - t).abs() < 5.0 * e, "{name}: {est} ± {e}");
        }
    }

    #[test]
    fn mean_variance() {
        let (m, v) = ZeroInflatedPoisson.mean_variance(&[0.25, 4.0]);
        assert_eq!((m, v), (3.0, 6.0));
    }

    #[test]
    fn cdf_matches_known_values() {
        // pi + (1 - pi) * scipy.stats.poisson.cdf(k, mu=lambda), scipy 1.17.1.
        let cases = [
            (0.0, 0.3, 2.5, 0.35745949903672913),
            (3.0, 0.3, 2.5, 0.8303032931931462),
            (20.0, 0.05, 12.0, 0.9889821496459329),
        ];
        for (k, pi, lambda, expected) in cases {
            let f = ZeroInflatedPoisson.cdf(&[pi, lambda], k).unwrap();
            assert!((f - expected).abs() < 1e-13, "k={k}: {f}");
            assert_eq!(ZeroInflatedPoisson.cdf(&[pi, lambda], k + 0.5), Some(f));
        }
        assert_eq!(ZeroInflatedPoisson.cdf(&[0.3, 2.5], -1.0), Some(0.0));
        assert_eq!(
            ZeroInflatedPoisson.cdf(&[0.3, 2.5], f64::INFINITY),
            Some(1.0)
        );
    }
}
