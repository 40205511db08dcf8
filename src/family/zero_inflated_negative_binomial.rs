//! Zero-inflated negative binomial distribution.
//!
//! P(0) = π + (1 − π) pʳ,  P(k) = (1 − π) Γ(k + r)/(Γ(r) k!) pʳ (1 − p)ᵏ  (k ≥ 1),
//! k ∈ {0, 1, 2, …}; parameters `pi` π ∈ (0, 1), the probability of a structural zero, and the
//! negative binomial's `size` r > 0 and `prob` p ∈ (0, 1) in the size–prob parameterisation of
//! R's `dnbinom` (the `negative_binomial` family). With μ = r(1 − p)/p and σ² = μ/p the NB
//! part's mean and variance, the mean is (1 − π)μ and the variance (1 − π)(σ² + πμ²).
//!
//! Every evaluation is one pass over the *distinct* counts with the r-only terms hoisted,
//! reusing the negative binomial's accurate differences ln Γ(k + r) − ln Γ(r), ψ(k + r) − ψ(r),
//! ψ′(k + r) − ψ′(r). ln P(0) is ln(1 − y), y = (1 − π)(1 − pʳ), through `ln_1p` when P(0) is
//! near 1 and a log-sum-exp of ln π and ln(1 − π) + r ln p otherwise.
//!
//! **Start.** First the negative binomial fit at π = 0 (r by bisection on its profile score,
//! p = r/(r + x̄); it exists iff the variance exceeds the mean). If the zero fraction does not
//! exceed that fit's P(0) — the score test for zero inflation — the likelihood increases
//! toward π → 0: the start is π = 1e-10 with the NB fit, the optimizer stops at once and
//! [`Family::boundary_note`] reports the boundary (and all-zero data, or data with neither
//! excess zeros nor over-dispersion, are degenerate: the Poisson limit). Otherwise π is the root
//! of π + (1 − π) pʳ = zero fraction, with (r, p) the moment estimates of the NB part given π,
//! found by bisection. When the positive counts are not over-dispersed the MLE can run to
//! size → ∞ (the zero-inflated Poisson limit), which the boundary note reports too.
//!
//! References: Ridout, Hinde & Demétrio, "A score test for testing a zero-inflated Poisson
//! regression model against zero-inflated negative binomial alternatives", Biometrics 57
//! (2001); Yau, Wang & Lee, "Zero-inflated negative binomial mixed regression modeling of
//! over-dispersed count data", Biometrical Journal 45 (2003); Aragón, Eberly & Eberly,
//! Statistics & Probability Letters 15 (1992) (existence of the NB MLE).

use rand::RngCore;
use rand_distr::Distribution;

use super::negative_binomial::{ln_p_and_q, NegativeBinomial, SizeTerms};
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::is_count;
use crate::special::ln_gamma;

/// π of the start when the data have no excess zeros (the MLE is on the boundary π → 0).
const BOUNDARY_PI: f64 = 1e-10;

/// Below this π the fit is reported as being on the boundary.
const BOUNDARY_NOTE_PI: f64 = 1e-8;

/// Above this size the fit is reported as being at the zero-inflated Poisson limit.
const POISSON_LIMIT_SIZE: f64 = 1e8;

/// Bounds of the size in the start.
const MIN_START_SIZE: f64 = 1e-4;
const MAX_START_SIZE: f64 = 1e6;

/// The zero-inflated negative binomial family, parameters (pi, size, prob).
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroInflatedNegativeBinomial;

impl Family for ZeroInflatedNegativeBinomial {
    fn name(&self) -> &'static str {
        "zero_inflated_negative_binomial"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["zinb"]
    }

    fn formula(&self) -> &'static str {
        "P(0) = pi + (1 - pi) prob^size, \
         P(k) = (1 - pi) Gamma(k + size) / (Gamma(size) k!) prob^size (1 - prob)^k"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 3] = [
            ParamSpec::unit("pi"),
            ParamSpec::positive("size"),
            ParamSpec::unit("prob"),
        ];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    fn min_observations(&self) -> usize {
        3
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let st = Stats::of(sample);
        if !(st.w_pos > 0.0) {
            return Err(degenerate(
                self,
                "all counts are 0: the likelihood increases toward pi = 1 (or prob = 1), so no \
                 MLE exists",
            ));
        }
        let f0 = st.w_zero / st.w;
        let over_dispersed = st.variance > st.mean;
        // The negative binomial fit at π = 0 and its P(0) (the Poisson's when r → ∞).
        let (nb, nb_p0) = if over_dispersed {
            let r = nb_profile_size(sample, st.mean);
            let p = r / (r + st.mean);
            (Some((r, p)), (r * ln_p_and_q(p).0).exp())
        } else {
            (None, (-st.mean).exp())
        };
        if !(f0 > nb_p0) {
            return match nb {
                Some((r, p)) => Ok(vec![BOUNDARY_PI, r, p]),
                None if !st.variance.is_finite() => Err(degenerate(
                    self,
                    super::negative_binomial::variance_overflow(sample.summary().max),
                )),
                None => Err(degenerate(
                    self,
                    format!(
                        "the counts show neither excess zeros (zero fraction {f0:.6} ≤ {nb_p0:.6}) \
                         nor over-dispersion (variance {} ≤ mean {}): the likelihood \
                         keeps increasing toward the Poisson limit (pi → 0, size → ∞); fit the \
                         poisson family instead",
                        super::negative_binomial::fixed6(st.variance),
                        super::negative_binomial::fixed6(st.mean)
                    ),
                )),
            };
        }
        if let Some(start) = moment_start(&st) {
            return Ok(start);
        }
        // Fallback: the NB (or Poisson) fit for the counts and π matching the zero fraction.
        let (r, p) = nb.unwrap_or_else(|| {
            let r = MAX_START_SIZE;
            (r, r / (r + st.mean / (1.0 - f0)))
        });
        let e = (r * ln_p_and_q(p).0).exp();
        let pi = ((f0 - e) / (1.0 - e)).clamp(1e-3, 1.0 - 1e-3);
        Ok(vec![pi, r, p])
    }

    /// With a parameter fixed: the free start above (or a generic one where it has none), the
    /// fixed values in place, π moved off the boundary start (that decision assumed r and p
    /// free), and a free prob or size matched to the NB part's mean x̄/(1 − π).
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        if fixed.iter().all(Option::is_none) {
            return self.initial_estimate(sample);
        }
        let st = Stats::of(sample);
        if !(st.w_pos > 0.0) {
            return self.initial_estimate(sample);
        }
        let mut t = self
            .initial_estimate(sample)
            .unwrap_or_else(|_| vec![0.1, 1.0, 0.5]);
        if t[0] <= BOUNDARY_PI {
            t[0] = 0.05;
        }
        for (tj, f) in t.iter_mut().zip(fixed) {
            if let Some(v) = f {
                *tj = *v;
            }
        }
        let mu = st.mean / (1.0 - t[0]);
        match (fixed[1], fixed[2]) {
            (Some(r), None) => t[2] = r / (r + mu),
            (None, Some(p)) => t[1] = (mu * p / (1.0 - p)).max(MIN_START_SIZE),
            _ => {}
        }
        Ok(t)
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
        let (pi, r, p) = (theta[0], theta[1], theta[2]);
        let (ln_p, ln_q) = ln_p_and_q(p);
        if x == 0.0 {
            let z = ZeroTerms::new(pi, r, p, ln_p);
            if let Some(g) = grad {
                g.copy_from_slice(&z.grad);
            }
            if let Some(h) = hess {
                h.copy_from_slice(&z.hess);
            }
            return z.ln_p0;
        }
        let q = 1.0 - p;
        let one_m_pi = 1.0 - pi;
        let d = SizeTerms::new(r, hess.is_some()).differences(x);
        if let Some(g) = grad {
            g[0] = -1.0 / one_m_pi;
            g[1] = d.digamma + ln_p;
            g[2] = r / p - x / q;
        }
        if let Some(h) = hess {
            h.fill(0.0);
            h[0] = -1.0 / (one_m_pi * one_m_pi);
            h[4] = d.trigamma;
            h[5] = 1.0 / p;
            h[7] = h[5];
            h[8] = -r / (p * p) - x / (q * q);
        }
        (-pi).ln_1p() + d.ln_gamma - ln_gamma(x + 1.0) + r * ln_p + x * ln_q
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (pi, r, p) = (theta[0], theta[1], theta[2]);
        let size = SizeTerms::new(r, hess.is_some());
        let (mut w_zero, mut w_pos, mut w_k) = (0.0, 0.0, 0.0);
        let (mut value, mut g_r, mut h_rr) = (0.0, 0.0, 0.0);
        for &(k, w) in sample.distinct() {
            if w == 0.0 {
                continue;
            }
            if !is_count(k) {
                return f64::NEG_INFINITY;
            }
            if k == 0.0 {
                w_zero += w;
                continue;
            }
            let d = size.differences(k);
            w_pos += w;
            w_k += w * k;
            value += w * (d.ln_gamma - ln_gamma(k + 1.0));
            g_r += w * d.digamma;
            h_rr += w * d.trigamma;
        }
        let (ln_p, ln_q) = ln_p_and_q(p);
        let q = 1.0 - p;
        let one_m_pi = 1.0 - pi;
        let z = (w_zero > 0.0).then(|| ZeroTerms::new(pi, r, p, ln_p));
        if let Some(g) = grad {
            g[0] = -w_pos / one_m_pi;
            g[1] = g_r + w_pos * ln_p;
            g[2] = w_pos * r / p - w_k / q;
            if let Some(z) = &z {
                for (gj, zj) in g.iter_mut().zip(&z.grad) {
                    *gj += w_zero * zj;
                }
            }
        }
        if let Some(h) = hess {
            h.fill(0.0);
            h[0] = -w_pos / (one_m_pi * one_m_pi);
            h[4] = h_rr;
            h[5] = w_pos / p;
            h[7] = h[5];
            h[8] = -w_pos * r / (p * p) - w_k / (q * q);
            if let Some(z) = &z {
                for (hj, zj) in h.iter_mut().zip(&z.hess) {
                    *hj += w_zero * zj;
                }
            }
        }
        let zeros = z.map_or(0.0, |z| w_zero * z.ln_p0);
        let positives = if w_pos > 0.0 {
            value + w_pos * ((-pi).ln_1p() + r * ln_p) + w_k * ln_q
        } else {
            0.0
        };
        zeros + positives
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        let (pi, r) = (theta[0], theta[1]);
        match (pi < BOUNDARY_NOTE_PI, r > POISSON_LIMIT_SIZE) {
            (false, false) => None,
            (true, false) => Some(format!(
                "pi = {pi:.1e} → 0: the data have no excess zeros over the negative binomial's, \
                 so the likelihood is largest on the boundary pi = 0, where this is the \
                 negative_binomial family, which fits as well with one parameter fewer"
            )),
            (false, true) => Some(format!(
                "size = {r:.3e} is effectively infinite: the non-structural counts show no \
                 over-dispersion, so the likelihood keeps increasing toward the limit size → ∞, \
                 prob → 1, where this is the zero_inflated_poisson family, which fits as well \
                 with one parameter fewer"
            )),
            (true, true) => Some(format!(
                "pi = {pi:.1e} → 0 and size = {r:.3e} → ∞: the data show neither excess zeros \
                 nor over-dispersion; the likelihood is largest at the Poisson limit, and the \
                 poisson family fits as well with two parameters fewer"
            )),
        }
    }

    /// F(x) = π + (1 − π) I_p(r, ⌊x⌋ + 1) for x ≥ 0 (0 below 0).
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (pi, r, p) = (theta[0], theta[1], theta[2]);
        if x < 0.0 {
            return Some(0.0);
        }
        let f = super::negative_binomial::negative_binomial_cdf(x, r, p)?;
        Some(pi + (1.0 - pi) * f)
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (pi, r, p) = (theta[0], theta[1], theta[2]);
        let zero = rand::distr::Bernoulli::new(pi).expect("valid zero-inflation pi");
        let mut counts = NegativeBinomial.sample(&[r, p], n, rng);
        for c in &mut counts {
            if zero.sample(rng) {
                *c = 0.0;
            }
        }
        counts
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (pi, r, p) = (theta[0], theta[1], theta[2]);
        let mu = r * (1.0 - p) / p;
        let var = mu / p;
        ((1.0 - pi) * mu, (1.0 - pi) * (var + pi * mu * mu))
    }
}

/// Parameter-free statistics of the start: total weight, weight of the zeros and of the
/// positive counts, mean and biased variance.
struct Stats {
    w: f64,
    w_zero: f64,
    w_pos: f64,
    mean: f64,
    variance: f64,
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
            mean: s.mean,
            variance: s.variance,
        }
    }
}

/// ln P(0) with its gradient and Hessian (row-major 3 × 3) in (π, r, p).
///
/// With u = r ln p (the NB's ln P(0)), E = eᵘ, P₀ = π + (1 − π)E, s = (1 − π)E/P₀ and
/// t = 1 − s = π/P₀: ∂/∂π = (1 − E)/P₀, ∂/∂θ = s ∂u/∂θ for θ = r, p; ∂²/∂π² = −(∂/∂π)²,
/// ∂²/∂π∂θ = −E (∂u/∂θ)/P₀², ∂²/∂θ∂θ′ = s ∂²u/∂θ∂θ′ + s t (∂u/∂θ)(∂u/∂θ′), where
/// ∂u/∂r = ln p, ∂u/∂p = r/p, ∂²u/∂r² = 0, ∂²u/∂r∂p = 1/p, ∂²u/∂p² = −r/p².
struct ZeroTerms {
    ln_p0: f64,
    grad: [f64; 3],
    hess: [f64; 9],
}

impl ZeroTerms {
    fn new(pi: f64, r: f64, p: f64, ln_p: f64) -> ZeroTerms {
        let u = r * ln_p;
        let a = pi.ln();
        let b = (-pi).ln_1p() + u;
        let one_m_e = -u.exp_m1();
        // P₀ = 1 − y: ln_1p(−y) keeps the digits of a P₀ near 1, the log-sum-exp those of a
        // small one.
        let y = (1.0 - pi) * one_m_e;
        let ln_p0 = if y < 0.5 {
            (-y).ln_1p()
        } else {
            let (hi, lo) = if a > b { (a, b) } else { (b, a) };
            hi + (lo - hi).exp().ln_1p()
        };
        let s = (b - ln_p0).exp();
        let t = (a - ln_p0).exp();
        let d_pi = one_m_e * (-ln_p0).exp();
        let e_over_p0_sq = (u - 2.0 * ln_p0).exp();
        let (ur, up) = (ln_p, r / p);
        let (urp, upp) = (1.0 / p, -r / (p * p));
        let st = s * t;
        let h_pr = -e_over_p0_sq * ur;
        let h_pp = -e_over_p0_sq * up;
        let h_rp = s * urp + st * ur * up;
        ZeroTerms {
            ln_p0,
            grad: [d_pi, s * ur, s * up],
            hess: [
                -d_pi * d_pi,
                h_pr,
                h_pp,
                h_pr,
                st * ur * ur,
                h_rp,
                h_pp,
                h_rp,
                s * upp + st * up * up,
            ],
        }
    }
}

/// The negative binomial MLE of the size at π = 0 (data with variance > mean): the root of the
/// profile score Σw [ψ(k + r) − ψ(r)] − Σw ln(1 + x̄/r) (p profiled out as r/(r + x̄)), which is
/// positive below the root and negative above it; bisection on ln r over [1e-8, 1e10].
fn nb_profile_size(sample: &Sample, mean: f64) -> f64 {
    let score = |r: f64| {
        let size = SizeTerms::new(r, false);
        let mut s = 0.0;
        let mut w_total = 0.0;
        for &(k, w) in sample.distinct() {
            if w > 0.0 {
                s += w * size.differences(k).digamma;
                w_total += w;
            }
        }
        s - w_total * (mean / r).ln_1p()
    };
    let (mut lo, mut hi) = (1e-8f64.ln(), 1e10f64.ln());
    for _ in 0..64 {
        let mid = 0.5 * (lo + hi);
        if score(mid.exp()) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (0.5 * (lo + hi)).exp()
}

/// The NB part's moment estimates given π: μ = x̄/(1 − π), σ² = (s² + x̄²)/(1 − π) − μ²,
/// r = μ²/(σ² − μ), p = r/(r + μ), with r kept in [1e-4, 1e6] (r at the cap when σ² ≤ μ).
fn nb_moments_given_pi(st: &Stats, pi: f64) -> (f64, f64) {
    let mu = st.mean / (1.0 - pi);
    let var = (st.variance + st.mean * st.mean) / (1.0 - pi) - mu * mu;
    let excess = var - mu;
    let r = if excess > mu * mu / MAX_START_SIZE {
        (mu * mu / excess).max(MIN_START_SIZE)
    } else {
        MAX_START_SIZE
    };
    (r, r / (r + mu))
}

/// π solving π + (1 − π) pʳ = zero fraction with (r, p) the NB moments given π, by bisection on
/// [0, zero fraction]; `None` when the moments leave no root.
fn moment_start(st: &Stats) -> Option<Vec<f64>> {
    let f0 = st.w_zero / st.w;
    let excess_zeros = |pi: f64| {
        let (r, p) = nb_moments_given_pi(st, pi);
        pi + (1.0 - pi) * (r * ln_p_and_q(p).0).exp() - f0
    };
    if !(excess_zeros(0.0) < 0.0) {
        return None;
    }
    let (mut lo, mut hi) = (0.0, f0);
    for _ in 0..64 {
        let mid = 0.5 * (lo + hi);
        if excess_zeros(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let pi = (0.5 * (lo + hi)).clamp(1e-3, 1.0 - 1e-3);
    let (r, p) = nb_moments_given_pi(st, pi);
    (p > 0.0 && p < 1.0).then(|| vec![pi, r, p])
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        check_derivatives_with, check_fast_path_with, rel_close, Derivs, FastPath, Step,
    };
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    const ZINB: ZeroInflatedNegativeBinomial = ZeroInflatedNegativeBinomial;

    #[test]
    fn known_mass_values() {
        // mpmath (50 digits): log(pi + (1 - pi) NB(0)) at 0, log(1 - pi) + log NB(k)
        // otherwise, NB(k) = exp(loggamma(k+r) - loggamma(r) - loggamma(k+1) + r log p
        // + k log(1-p)) (= scipy.stats.nbinom.pmf(k, r, p)).
        let cases = [
            (0.0, 0.35, 2.3, 0.35, -0.8962123091079085),
            (5.0, 0.35, 2.3, 0.35, -2.7930770576211117),
            (0.0, 1e-10, 2.3, 0.35, -2.4145908853284395),
            (0.0, 0.5, 0.01, 0.9, -0.0005266638178173035),
            (0.0, 1e-12, 50.0, 0.1, -27.631021115928547),
            (17.0, 0.2, 0.7, 0.15, -5.43093210743468),
            (40.0, 0.6, 55.5, 0.6, -4.024083358851),
            (0.0, 0.999, 3.0, 0.5, -0.0008753830359539405),
            (3.0, 0.1, 1e8, 0.99999998, -1.8176784337324017),
            (0.0, 0.3, 1e8, 0.99999998, -0.9295413942466019),
        ];
        for (k, pi, r, p, expected) in cases {
            let lp = ZINB.ln_density_derivs(&[pi, r, p], k, None, None);
            assert!(
                rel_close(lp, expected, 1e-12),
                "k={k} θ=({pi}, {r}, {p}): {lp} vs {expected}"
            );
        }
        for x in [-1.0, 0.5, 2.25, f64::INFINITY, f64::NAN] {
            assert_eq!(
                ZINB.ln_density_derivs(&[0.3, 2.0, 0.4], x, None, None),
                f64::NEG_INFINITY
            );
        }
    }

    #[test]
    fn derivatives_match_central_differences() {
        let points = [
            ([0.35, 2.3, 0.35], 0.0),
            ([0.35, 2.3, 0.35], 5.0),
            ([0.05, 0.4, 0.1], 0.0),
            ([0.05, 0.4, 0.1], 40.0),
            ([0.8, 30.0, 0.7], 0.0),
            ([0.2, 120.0, 0.95], 3.0),
            ([0.5, 0.01, 0.9], 0.0),
        ];
        let how = Derivs {
            step: Step::Relative(1e-6),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in points {
            check_derivatives_with(&ZINB, &theta, x, how);
        }
        // π near 0 (ln P(0) is smooth there): a step 1e-7·max(θⱼ, 1), not relative to π.
        let how = Derivs {
            step: Step::RelativeAtLeastOne(1e-7),
            ..Derivs::rel(1e-6)
        };
        check_derivatives_with(&ZINB, &[1e-6, 2.0, 0.5], 0.0, how);
        check_derivatives_with(&ZINB, &[1e-6, 0.7, 0.2], 0.0, how);
    }

    #[test]
    fn fast_path_equals_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0, 40.0, 0.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5, 0.25, 1.0])
            .unwrap();
        let how = FastPath {
            deriv_floor: 1e-9,
            ..FastPath::rel(1e-12)
        };
        for theta in [
            [0.35, 1.5, 0.2],
            [0.01, 0.3, 0.05],
            [0.9, 25.0, 0.7],
            [1e-9, 1e9, 0.999_999_99],
        ] {
            check_fast_path_with(&ZINB, &theta, &s, how);
        }
        // No zeros.
        let s = Sample::new(vec![1.0, 4.0, 2.0]).unwrap();
        check_fast_path_with(&ZINB, &[0.3, 2.0, 0.4], &s, how);
    }

    #[test]
    fn all_zeros_and_poisson_like_data_are_degenerate() {
        let s = Sample::new(vec![0.0; 4]).unwrap();
        let e = ZINB.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all counts are 0"), "{e}");
        // Variance 0.6 < mean 2, one zero in 10 (< e^-2): neither excess zeros nor
        // over-dispersion.
        let s = Sample::new(vec![0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 2.0, 3.0]).unwrap();
        let e = ZINB.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("poisson"), "{e}");
    }

    #[test]
    fn negative_binomial_data_end_on_the_pi_boundary() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        let xs = NegativeBinomial.sample(&[1.5, 0.3], 2000, &mut rng);
        let s = Sample::new(xs).unwrap();
        let nb = fit(&NegativeBinomial, &s, &FitOptions::default()).unwrap();
        assert!(nb.converged);
        let f = fit(&ZINB, &s, &FitOptions::default()).unwrap();
        if f.params.get("pi").unwrap() < BOUNDARY_NOTE_PI {
            // No excess zeros in this draw: the NB fit on the boundary, reported as such.
            assert_eq!(f.termination, Termination::Boundary, "{:?}", f.notes);
            assert!(f.iterations <= 3, "{}", f.iterations);
            assert!(f.notes.iter().any(|n| n.contains("negative_binomial")));
            assert!((f.cross_entropy - nb.cross_entropy).abs() < 1e-9);
        } else {
            // Some excess zeros by chance: an interior optimum at least as good as the NB.
            assert!(f.converged, "{:?}", f.notes);
            assert!(f.cross_entropy <= nb.cross_entropy + 1e-12);
        }
        let t = ZINB.initial_estimate(&s).unwrap();
        if t[0] == BOUNDARY_PI {
            let fitted = nb.theta();
            assert!(rel_close(t[1], fitted[0], 1e-6) && rel_close(t[2], fitted[1], 1e-6));
        }
    }

    #[test]
    fn start_with_parameters_fixed() {
        let s = Sample::new(vec![0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 3.0, 7.0, 0.0, 4.0]).unwrap();
        let t = ZINB
            .initial_estimate_given(&s, &[None, Some(3.0), None])
            .unwrap();
        assert_eq!(t[1], 3.0);
        // prob matches the NB part's mean x̄/(1 − π).
        let mu = 1.9 / (1.0 - t[0]);
        assert!(rel_close(t[2], 3.0 / (3.0 + mu), 1e-14), "{t:?}");
        let opts = FitOptions {
            fixed: vec![("size".into(), 3.0)],
            ..FitOptions::default()
        };
        let f = fit(&ZINB, &s, &opts).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        // Under-dispersed, no excess zeros: degenerate when free, but with pi fixed the
        // conditional MLE exists.
        let s = Sample::new(vec![0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 2.0, 3.0]).unwrap();
        let t = ZINB
            .initial_estimate_given(&s, &[Some(0.2), None, None])
            .unwrap();
        assert_eq!(t[0], 0.2);
        assert!(check_params_ok(&t), "{t:?}");
    }

    fn check_params_ok(t: &[f64]) -> bool {
        super::super::check_params(&ZINB, t).is_ok()
    }

    #[test]
    fn boundary_notes() {
        assert!(ZINB.boundary_note(&[0.3, 2.0, 0.4]).is_none());
        let n = ZINB.boundary_note(&[1e-9, 2.0, 0.4]).unwrap();
        assert!(n.contains("negative_binomial"), "{n}");
        let n = ZINB.boundary_note(&[0.3, 2e9, 0.999]).unwrap();
        assert!(n.contains("zero_inflated_poisson"), "{n}");
        let n = ZINB.boundary_note(&[1e-9, 2e9, 0.999]).unwrap();
        assert!(n.contains("poisson family"), "{n}");
    }

    #[test]
    fn zip_data_run_to_the_size_limit() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let zip = super::super::zero_inflated_poisson::ZeroInflatedPoisson;
        let xs = zip.sample(&[0.4, 3.0], 3000, &mut rng);
        let s = Sample::new(xs).unwrap();
        let f = fit(&ZINB, &s, &FitOptions::default()).unwrap();
        let fz = fit(&zip, &s, &FitOptions::default()).unwrap();
        assert!(fz.converged);
        if f.converged {
            // A finite size by chance: then it beats the ZIP.
            assert!(f.cross_entropy <= fz.cross_entropy + 1e-12);
        } else {
            assert_eq!(f.termination, Termination::Boundary, "{:?}", f.notes);
            assert!((f.cross_entropy - fz.cross_entropy).abs() < 1e-6);
        }
    }

    #[test]
    fn fit_recovers_a_seeded_sample() {
        use rand::SeedableRng;
        for (seed, truth) in [
            (31, [0.35, 2.3, 0.35]),
            (32, [0.2, 0.5, 0.1]),
            (33, [0.6, 8.0, 0.6]),
        ] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(ZINB.sample(&truth, 2000, &mut rng)).unwrap();
            let f = fit(&ZINB, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{truth:?}: {:?} {:?}", f.termination, f.notes);
            assert!(f.iterations <= 20, "{truth:?}: {}", f.iterations);
            let se = f.std_errors.clone().unwrap();
            for (j, name) in ["pi", "size", "prob"].iter().enumerate() {
                let (est, e) = (f.params.get(name).unwrap(), se.get(name).unwrap());
                assert!(
                    (est - truth[j]).abs() < 5.0 * e,
                    "{truth:?} {name}: {est} ± {e}"
                );
            }
        }
    }

    #[test]
    fn mean_variance_and_sampling() {
        let (m, v) = ZINB.mean_variance(&[0.25, 2.0, 0.25]);
        // μ = 6, σ² = 24: mean 4.5, variance 0.75 (24 + 0.25·36) = 24.75.
        assert_eq!((m, v), (4.5, 24.75));
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(12);
        let xs = ZINB.sample(&[0.25, 2.0, 0.25], 40_000, &mut rng);
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 4.5).abs() < 0.12, "{mean}");
        let zeros = xs.iter().filter(|&&x| x == 0.0).count() as f64 / xs.len() as f64;
        // P(0) = 0.25 + 0.75 · 0.25² = 0.296875.
        assert!((zeros - 0.296875).abs() < 0.012, "{zeros}");
    }

    #[test]
    fn cdf_matches_known_values() {
        // pi + (1 - pi) * scipy.stats.nbinom.cdf(k, n=size, p=prob), scipy 1.17.1.
        let cases = [
            (0.0, 0.2, 2.5, 0.4, 0.2809543081003105),
            (4.0, 0.2, 2.5, 0.4, 0.7393125409200125),
            (30.0, 0.1, 0.7, 0.05, 0.890411876955107),
        ];
        for (k, pi, r, p, expected) in cases {
            let f = ZeroInflatedNegativeBinomial.cdf(&[pi, r, p], k).unwrap();
            assert!((f - expected).abs() < 1e-13, "k={k}: {f}");
            assert_eq!(
                ZeroInflatedNegativeBinomial.cdf(&[pi, r, p], k + 0.5),
                Some(f)
            );
        }
        assert_eq!(
            ZeroInflatedNegativeBinomial.cdf(&[0.2, 2.5, 0.4], -1.0),
            Some(0.0)
        );
    }
}
