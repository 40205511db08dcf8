//! Negative binomial distribution, size–prob parameterisation (as R's `dnbinom`).
//!
//! P(k | r, p) = Γ(k + r) / (Γ(r) k!) · pʳ (1 − p)ᵏ,  k ∈ {0, 1, 2, …}; parameters `size` r > 0
//! (real, not only an integer) and `prob` p ∈ (0, 1), the success probability: the number of
//! failures before the r-th success. Mean r(1 − p)/p, variance r(1 − p)/p² > mean.
//!
//! Not an exponential family in r: every evaluation is a pass over the *distinct* counts (each
//! evaluated once with its total weight), with the r-only terms hoisted out of it. The
//! differences ln Γ(k + r) − ln Γ(r), ψ(k + r) − ψ(r) and ψ′(k + r) − ψ′(r) are computed without
//! the cancellation of their direct forms when r is large: as finite sums Σ_{j<k} ln(r + j),
//! Σ 1/(r + j), Σ 1/(r + j)² for small k, and from the differenced Stirling series otherwise.
//!
//! The MLE exists iff the (biased) sample variance exceeds the mean; otherwise the likelihood
//! increases toward the Poisson limit r → ∞, p = r/(r + x̄) → 1, and the data are degenerate
//! for this family (fit `poisson`). Starting values are the method of moments.
//!
//! References: Anscombe, "Sampling theory of the negative binomial and logarithmic series
//! distributions", Biometrika 37 (1950); Aragón, Eberly & Eberly, "Existence and uniqueness of
//! the maximum likelihood estimator for the two-parameter negative binomial distribution",
//! Statistics & Probability Letters 15 (1992); Abramowitz & Stegun 6.1.40, 6.3.18, 6.4.12
//! (asymptotic series of ln Γ, ψ, ψ′).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::is_count;
use crate::special::{deviance_term, digamma, ln_gamma, stirling_error, trigamma};

/// Above this size the boundary note says the fit is at the Poisson limit.
const POISSON_LIMIT_SIZE: f64 = 1e8;

/// The negative binomial family, parameters (size, prob).
#[derive(Debug, Clone, Copy, Default)]
pub struct NegativeBinomial;

impl Family for NegativeBinomial {
    fn name(&self) -> &'static str {
        "negative_binomial"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["nbinom", "negbin", "nb"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = Gamma(k + size) / (Gamma(size) k!) prob^size (1 - prob)^k"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::positive("size"), ParamSpec::unit("prob")];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    /// Method of moments: p = x̄/s², r = x̄²/(s² − x̄), with s² the biased (weighted) variance.
    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.mean > 0.0) {
            return Err(degenerate(
                self,
                "all counts are 0, so the MLE would be prob = 1, on the boundary",
            ));
        }
        if !s.variance.is_finite() {
            return Err(degenerate(self, variance_overflow(s.max)));
        }
        if !(s.variance > s.mean) {
            return Err(degenerate(
                self,
                format!(
                    "the variance ({}) is not larger than the mean ({}): the likelihood \
                     keeps increasing toward the Poisson limit (size → ∞), so no finite MLE \
                     exists; fit the poisson family instead",
                    fixed6(s.variance),
                    fixed6(s.mean)
                ),
            ));
        }
        let p = s.mean / s.variance;
        let r = s.mean * s.mean / (s.variance - s.mean);
        Ok(vec![r, p])
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
        let (r, p) = (theta[0], theta[1]);
        let (ln_p, ln_q) = ln_p_and_q(p);
        let q = 1.0 - p;
        let size = SizeTerms::new(r, hess.is_some());
        let d = size.differences(x);
        if let Some(g) = grad {
            g[0] = d.digamma + ln_p;
            g[1] = r / p - x / q;
        }
        if let Some(h) = hess {
            h[0] = d.trigamma;
            h[1] = 1.0 / p;
            h[2] = h[1];
            h[3] = -r / (p * p) - x / (q * q);
        }
        d.ln_gamma - ln_gamma(x + 1.0) + r * ln_p + x * ln_q
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (r, p) = (theta[0], theta[1]);
        let size = SizeTerms::new(r, hess.is_some());
        let (mut w_total, mut w_k, mut value, mut g_r, mut h_rr) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(k, w) in sample.distinct() {
            if w == 0.0 {
                continue;
            }
            if !is_count(k) {
                return f64::NEG_INFINITY;
            }
            let d = size.differences(k);
            w_total += w;
            w_k += w * k;
            value += w * (d.ln_gamma - ln_gamma(k + 1.0));
            g_r += w * d.digamma;
            h_rr += w * d.trigamma;
        }
        let (ln_p, ln_q) = ln_p_and_q(p);
        let q = 1.0 - p;
        if let Some(g) = grad {
            g[0] = g_r + w_total * ln_p;
            g[1] = w_total * r / p - w_k / q;
        }
        if let Some(h) = hess {
            h[0] = h_rr;
            h[1] = w_total / p;
            h[2] = h[1];
            h[3] = -w_total * r / (p * p) - w_k / (q * q);
        }
        value + w_total * r * ln_p + w_k * ln_q
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        (theta[0] > POISSON_LIMIT_SIZE).then(|| {
            format!(
                "size = {:.3e} is effectively infinite: the likelihood keeps increasing toward \
                 the Poisson limit (size → ∞, prob → 1), so the data show no over-dispersion; \
                 the poisson family fits them at least as well with one parameter fewer",
                theta[0]
            )
        })
    }

    /// F(x) = I_p(r, ⌊x⌋ + 1), the regularized incomplete beta function.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        negative_binomial_cdf(x, theta[0], theta[1])
    }

    /// A gamma–Poisson mixture (rand_distr has no negative binomial with real size):
    /// λ ~ Gamma(shape r, scale (1 − p)/p), then k ~ Poisson(λ).
    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (r, p) = (theta[0], theta[1]);
        let mixing =
            rand_distr::Gamma::new(r, (1.0 - p) / p).expect("valid negative binomial parameters");
        (0..n)
            .map(|_| {
                let lambda: f64 = mixing.sample(rng);
                let d = rand_distr::Poisson::new(lambda).ok();
                super::poisson::poisson_draw(d.as_ref(), lambda, rng)
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (r, p) = (theta[0], theta[1]);
        let mean = r * (1.0 - p) / p;
        (mean, mean / p)
    }
}

/// ln p and ln(1 − p), each to full relative precision (for p near 1, 1 − p is exact and
/// ln p = ln(1 − (1 − p)) goes through `ln_1p`).
#[inline]
pub(super) fn ln_p_and_q(p: f64) -> (f64, f64) {
    let ln_p = if p > 0.5 {
        (-(1.0 - p)).ln_1p()
    } else {
        p.ln()
    };
    (ln_p, (-p).ln_1p())
}

/// Counts below this use the finite sums over j < k (exact up to rounding, whatever r).
const SMALL_COUNT: f64 = 8.0;

/// From this size on, the differenced Stirling series is used for larger counts (its first
/// omitted terms are below 1e-16 at 10).
const ASYMPTOTIC_SIZE: f64 = 10.0;

/// The r-only terms of the per-count differences, computed once per evaluation.
pub(super) struct SizeTerms {
    r: f64,
    want_trigamma: bool,
    /// ln Γ(r), ψ(r), ψ′(r) (direct path, r < 10) or the Stirling tails τ(r), S(r), T(r)
    /// (asymptotic path).
    ln_gamma_r: f64,
    digamma_r: f64,
    trigamma_r: f64,
}

/// ln Γ(k + r) − ln Γ(r), ψ(k + r) − ψ(r) and ψ′(k + r) − ψ′(r) for one count k.
pub(super) struct Differences {
    pub(super) ln_gamma: f64,
    pub(super) digamma: f64,
    pub(super) trigamma: f64,
}

impl SizeTerms {
    pub(super) fn new(r: f64, want_trigamma: bool) -> SizeTerms {
        let (ln_gamma_r, digamma_r, trigamma_r) = if r >= ASYMPTOTIC_SIZE {
            let t = stirling_tails(r);
            (t.0, t.1, if want_trigamma { t.2 } else { 0.0 })
        } else {
            (
                ln_gamma(r),
                digamma(r),
                if want_trigamma { trigamma(r) } else { 0.0 },
            )
        };
        SizeTerms {
            r,
            want_trigamma,
            ln_gamma_r,
            digamma_r,
            trigamma_r,
        }
    }

    pub(super) fn differences(&self, k: f64) -> Differences {
        let r = self.r;
        if k == 0.0 {
            return Differences {
                ln_gamma: 0.0,
                digamma: 0.0,
                trigamma: 0.0,
            };
        }
        if k < SMALL_COUNT {
            let mut d = Differences {
                ln_gamma: 0.0,
                digamma: 0.0,
                trigamma: 0.0,
            };
            let mut j = 0.0;
            while j < k {
                let inv = 1.0 / (r + j);
                d.ln_gamma += (r + j).ln();
                d.digamma += inv;
                d.trigamma -= inv * inv;
                j += 1.0;
            }
            return d;
        }
        let rk = r + k;
        if r >= ASYMPTOTIC_SIZE {
            // ln Γ(x) = (x − ½) ln x − x + ½ ln 2π + τ(x); ψ(x) = ln x − 1/(2x) − S(x);
            // ψ′(x) = 1/x + 1/(2x²) + T(x). The leading parts are differenced algebraically.
            let (tau, s, t) = stirling_tails(rk);
            let ratio = k / r;
            let trigamma = if self.want_trigamma {
                -k / (r * rk) - 0.5 * (k / (r * rk)) * ((2.0 * r + k) / (r * rk))
                    + (t - self.trigamma_r)
            } else {
                0.0
            };
            Differences {
                ln_gamma: (r - 0.5) * ratio.ln_1p() + k * rk.ln() - k + (tau - self.ln_gamma_r),
                digamma: ratio.ln_1p() + 0.5 * k / (r * rk) - (s - self.digamma_r),
                trigamma,
            }
        } else {
            Differences {
                ln_gamma: ln_gamma(rk) - self.ln_gamma_r,
                digamma: digamma(rk) - self.digamma_r,
                trigamma: if self.want_trigamma {
                    trigamma(rk) - self.trigamma_r
                } else {
                    0.0
                },
            }
        }
    }
}

/// The Stirling tails at x ≥ 10 (A&S 6.1.40, 6.3.18, 6.4.12), each to B₁₄:
/// τ(x) = Σ B₂ₙ/(2n(2n−1) x^(2n−1)), S(x) = Σ B₂ₙ/(2n x^(2n)), T(x) = Σ B₂ₙ/x^(2n+1).
fn stirling_tails(x: f64) -> (f64, f64, f64) {
    // B₂ … B₁₄.
    const B: [f64; 7] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
        7.0 / 6.0,
    ];
    let inv = 1.0 / x;
    let r = inv * inv;
    let (mut tau, mut s, mut t) = (0.0, 0.0, 0.0);
    for (i, b) in B.iter().enumerate().rev() {
        let n2 = (2 * (i + 1)) as f64;
        tau = tau * r + b / (n2 * (n2 - 1.0));
        s = s * r + b / n2;
        t = t * r + b;
    }
    (tau * inv, s * r, t * r * inv)
}

/// P(X ≤ x) for a negative binomial (size r, prob p), 0 below 0; `None` for invalid
/// parameters. F = I_p(r, ⌊x⌋ + 1), computed as the sum of the masses of the tail on the far
/// side of the mode from ⌊x⌋ ([`tail_sum`], each mass to ~1e-15 relative, so ~1e-15 absolute
/// even where the incomplete beta's log-gamma prefactor loses digits); statrs' `beta_reg` when
/// that tail is too long (prob ≲ 4e-5, where it is good to ~1e-8).
pub(super) fn negative_binomial_cdf(x: f64, r: f64, p: f64) -> Option<f64> {
    if let Some(edge) = super::count_cdf_edges(x, f64::INFINITY) {
        return Some(edge);
    }
    if !(r > 0.0 && p > 0.0 && p < 1.0) {
        return None;
    }
    let k = x.floor();
    let q = 1.0 - p;
    let mode = ((r - 1.0) * q / p).floor().max(0.0);
    let sd = (r * q).sqrt() / p;
    let sum = if 40.0 * (sd + 1.0 / p) > MAX_TAIL_TERMS as f64 {
        None
    } else if k < mode {
        // P(j − 1)/P(j) = j / ((j − 1 + r) q) < 1 below the mode.
        tail_sum(
            k,
            -1.0,
            0.0,
            0.0,
            |j| mass(j, r, p),
            |j| j / ((j - 1.0 + r) * q),
        )
    } else {
        // P(j + 1)/P(j) = (j + r) q / (j + 1) < 1 above the mode, and < q when r < 1.
        tail_sum(
            k + 1.0,
            1.0,
            f64::INFINITY,
            q,
            |j| mass(j, r, p),
            |j| (j + r) * q / (j + 1.0),
        )
        .map(|s| 1.0 - s)
    };
    match sum {
        Some(f) => Some(f.clamp(0.0, 1.0)),
        None => statrs::function::beta::checked_beta_reg(r, k + 1.0, p).ok(),
    }
}

/// P(k) in Loader's saddle-point form, as R's `dnbinom`: r/(r + k) times the binomial mass
/// of r successes in r + k trials, each term free of the cancellation of the ln Γ form (whose
/// ~1e-11 relative error at r, k ~ 1e4 would otherwise add up in a cdf).
fn mass(k: f64, r: f64, p: f64) -> f64 {
    let (ln_p, _) = ln_p_and_q(p);
    if k == 0.0 {
        return (r * ln_p).exp();
    }
    let n = r + k;
    (stirling_error(n)
        - stirling_error(r)
        - stirling_error(k)
        - deviance_term(r, n * p)
        - deviance_term(k, n * (1.0 - p))
        + 0.5 * (n / (std::f64::consts::TAU * r * k)).ln()
        + (r / n).ln())
    .exp()
}

/// The most terms [`tail_sum`] adds before it gives up (its callers then fall back to the
/// incomplete gamma or beta function).
pub(super) const MAX_TAIL_TERMS: usize = 1 << 20;

/// Every this many terms [`tail_sum`] recomputes the mass instead of multiplying by the ratio,
/// so the rounding of the recurrence never accumulates over more than this many steps.
const TAIL_RESTART: usize = 64;

/// Σ P(j) over j = start, start + step, …, up to `last` (inclusive) or until the rest is
/// negligible (< 1e-17 of the sum), for a mass function that decreases from `start` on in the
/// direction of `step` (start is on the far side of the mode). `mass(j)` is P(j), `ratio(j)` is
/// P(j + step)/P(j), and the ratio further out never exceeds max(ratio(j), `rho_floor`) (0 for
/// a log-concave mass, whose ratio keeps decreasing away from the mode; q for a negative
/// binomial with size < 1, whose ratio rises toward q). `None` past [`MAX_TAIL_TERMS`] terms.
pub(super) fn tail_sum(
    start: f64,
    step: f64,
    last: f64,
    rho_floor: f64,
    mass: impl Fn(f64) -> f64,
    ratio: impl Fn(f64) -> f64,
) -> Option<f64> {
    let mut sum = 0.0;
    let mut j = start;
    let mut term = mass(j);
    for i in 1..=MAX_TAIL_TERMS {
        sum += term;
        if (last - j) * step <= 0.0 || term == 0.0 {
            return Some(sum);
        }
        let rho = ratio(j);
        let bound = rho.max(rho_floor);
        if bound < 1.0 && term * bound <= 1e-17 * sum * (1.0 - bound) {
            return Some(sum);
        }
        j += step;
        term = if i % TAIL_RESTART == 0 {
            mass(j)
        } else {
            term * rho
        };
    }
    None
}

/// `{:.6}` for a number of ordinary size, as the messages always printed it; 7 significant
/// digits beyond 1e15, where `{:.6}` would write up to 309 digits of a count near 1e308.
pub(super) fn fixed6(x: f64) -> String {
    if x.abs() < 1e15 {
        format!("{x:.6}")
    } else {
        crate::numeric::format::sig(x, 7)
    }
}

/// Why no moment start exists when the counts' variance overflowed (counts near 1e308).
pub(super) fn variance_overflow(max: f64) -> String {
    format!(
        "the variance of the counts (up to {}) overflows double precision, so no moment estimate \
         of the dispersion exists",
        crate::numeric::format::sig(max, 4)
    )
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        check_derivatives_with, check_fast_path_with, rel_close, Derivs, FastPath, Step,
    };
    use super::*;

    #[test]
    fn known_mass_values() {
        // scipy.stats.nbinom.logpmf(k, n, p), scipy 1.17.
        let cases = [
            (0.0, 2.0, 0.3, -2.4079456086518722),
            (5.0, 2.5, 0.4, -2.382665325011572),
            (17.0, 0.7, 0.15, -5.207788556120481),
            (3.0, 10.0, 0.9, -2.567732889208039),
            (40.0, 55.5, 0.6, -3.1077926269768525),
        ];
        for (k, r, p, expected) in cases {
            let lp = NegativeBinomial.ln_density_derivs(&[r, p], k, None, None);
            assert!(
                rel_close(lp, expected, 1e-13),
                "k={k} r={r} p={p}: {lp} vs {expected}"
            );
        }
    }

    #[test]
    fn outside_the_support() {
        for x in [-1.0, 2.5, f64::INFINITY, f64::NAN] {
            let lp = NegativeBinomial.ln_density_derivs(&[2.0, 0.4], x, None, None);
            assert_eq!(lp, f64::NEG_INFINITY, "{x}");
        }
        let s = Sample::new(vec![1.0, 0.5]).unwrap();
        assert_eq!(
            NegativeBinomial.log_likelihood(&[2.0, 0.4], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn size_differences_match_mpmath_on_every_path() {
        // mpmath (60 digits): loggamma(r+k) - loggamma(r), psi(0,r+k) - psi(0,r),
        // psi(1,r+k) - psi(1,r).
        let cases = [
            (
                1e8,
                3.0,
                55.2620422618571,
                2.9999999700000005e-08,
                -2.9999999400000017e-16,
            ),
            (
                1e8,
                100.0,
                1842.0681238952202,
                9.999995050003284e-07,
                -9.99999010000985e-15,
            ),
            (
                12.5,
                40.0,
                135.6484631227352,
                1.466063475579655,
                -0.06405504795835748,
            ),
            (
                3.3,
                30.0,
                81.61662500376022,
                2.455644749460621,
                -0.32301609774572293,
            ),
            (
                1e12,
                7.0,
                193.41714781152083,
                6.999999999979e-12,
                -6.999999999958e-24,
            ),
            (
                10.0,
                8.0,
                20.70324597005542,
                0.6105842686725039,
                -0.04803900989090313,
            ),
            (
                9.99,
                8.0,
                20.69713772411952,
                0.6110650484557132,
                -0.04811697926205017,
            ),
            (
                0.01,
                3.0,
                -3.8970851330639387,
                101.48761144771193,
                -10001.227814675183,
            ),
            (
                0.01,
                50.0,
                140.0052849750358,
                104.46307712422758,
                -10001.601016275063,
            ),
            (
                1e12,
                1e6,
                27631021.615927882,
                9.999995000008333e-07,
                -9.99999000002e-19,
            ),
            (250.0, 1.0, 5.521460917862246, 0.004, -0.000016),
        ];
        for (r, k, lg, dg, tg) in cases {
            let d = SizeTerms::new(r, true).differences(k);
            assert!(
                rel_close(d.ln_gamma, lg, 1e-14),
                "lnΓ r={r} k={k}: {} vs {lg}",
                d.ln_gamma
            );
            assert!(
                rel_close(d.digamma, dg, 1e-13),
                "ψ r={r} k={k}: {} vs {dg}",
                d.digamma
            );
            assert!(
                rel_close(d.trigamma, tg, 1e-13),
                "ψ′ r={r} k={k}: {} vs {tg}",
                d.trigamma
            );
        }
    }

    #[test]
    fn huge_size_matches_mpmath() {
        // mpmath (60 digits), p = r/(r + m) in f64: ln P, d/dr, d/dp, d²/dr².
        let cases = [
            (
                3.0,
                1e8,
                2.5,
                -1.5428872867761096,
                4.999999983525998e-09,
                -20000000.360924788,
                -2.9999999400000017e-16,
            ),
            (
                100.0,
                1e8,
                90.0,
                -3.7584085230825215,
                9.999991004916421e-08,
                -11111121.11717024,
                -9.99999010000985e-15,
            ),
            (
                30.0,
                1e12,
                25.0,
                -3.0919611889598895,
                4.999997930743225e-12,
                -199999900686.56302,
                -2.999999999913e-23,
            ),
        ];
        for (k, r, m, value, g_r, g_p, h_rr) in cases {
            let p = r / (r + m);
            let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
            let lp = NegativeBinomial.ln_density_derivs(&[r, p], k, Some(&mut g), Some(&mut h));
            assert!(rel_close(lp, value, 1e-12), "k={k} r={r}: {lp} vs {value}");
            // The r-score ψ(k+r) − ψ(r) + ln p is a difference of terms of size k/r; with both
            // terms accurate to a few ulp (ln p through ln_1p) the result stays accurate.
            assert!(
                rel_close(g[0], g_r, 1e-13),
                "k={k} r={r}: {} vs {g_r}",
                g[0]
            );
            assert!(
                rel_close(g[1], g_p, 1e-13),
                "k={k} r={r}: {} vs {g_p}",
                g[1]
            );
            assert!(
                rel_close(h[0], h_rr, 1e-13),
                "k={k} r={r}: {} vs {h_rr}",
                h[0]
            );
        }
    }

    #[test]
    fn derivatives_match_central_differences() {
        let points = [
            ([2.0, 0.3], 0.0),
            ([2.5, 0.4], 5.0),
            ([0.7, 0.15], 17.0),
            ([9.5, 0.8], 12.0),
            ([55.5, 0.6], 40.0),
            ([120.0, 0.95], 3.0),
        ];
        // Steps 1e-6·θⱼ.
        let how = Derivs {
            step: Step::Relative(1e-6),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in points {
            check_derivatives_with(&NegativeBinomial, &theta, x, how);
        }
    }

    #[test]
    fn fast_log_likelihood_equals_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0, 40.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5, 0.25])
            .unwrap();
        // Purely relative (the gradient floor of 1e-12 tightened to none, like the Hessian's).
        let how = FastPath {
            value_floor: f64::MIN_POSITIVE,
            deriv_floor: 0.0,
            ..FastPath::rel(1e-12)
        };
        for theta in [[1.5, 0.2], [0.3, 0.05], [25.0, 0.7], [1e9, 0.999_999_99]] {
            let (fast, _, _) = check_fast_path_with(&NegativeBinomial, &theta, &s, how);
            assert_eq!(
                NegativeBinomial.log_likelihood(&theta, &s, None, None),
                fast
            );
        }
    }

    #[test]
    fn method_of_moments_start() {
        // Mean 2, biased variance (4 + 4 + 1 + 1 + 16)/5 = 5.2: p = 2/5.2 = 5/13, r = 4/3.2.
        let s = Sample::new(vec![0.0, 0.0, 1.0, 3.0, 6.0]).unwrap();
        let t = NegativeBinomial.initial_estimate(&s).unwrap();
        assert!(
            rel_close(t[0], 1.25, 1e-14) && rel_close(t[1], 5.0 / 13.0, 1e-14),
            "{t:?}"
        );
        // With weights as frequencies: the same sample.
        let s = Sample::new(vec![0.0, 1.0, 3.0, 6.0])
            .unwrap()
            .with_weights(vec![2.0, 1.0, 1.0, 1.0])
            .unwrap();
        let u = NegativeBinomial.initial_estimate(&s).unwrap();
        assert!(rel_close(u[0], t[0], 1e-14) && rel_close(u[1], t[1], 1e-14));
    }

    #[test]
    fn under_and_equi_dispersed_data_are_degenerate() {
        for values in [vec![2.0, 3.0, 2.0, 3.0], vec![0.0, 2.0]] {
            // Variances 0.25 < mean 2.5, and 1 = mean 1.
            let s = Sample::new(values).unwrap();
            let e = NegativeBinomial.initial_estimate(&s).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains("not larger than the mean") && text.contains("poisson"),
                "{text}"
            );
        }
        let s = Sample::new(vec![0.0; 4]).unwrap();
        let e = NegativeBinomial.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all counts are 0"), "{e}");
    }

    #[test]
    fn boundary_note_at_the_poisson_limit() {
        assert!(NegativeBinomial.boundary_note(&[50.0, 0.5]).is_none());
        let note = NegativeBinomial
            .boundary_note(&[3e9, 0.999_999_999])
            .unwrap();
        assert!(note.contains("poisson"), "{note}");
    }

    #[test]
    fn mean_variance_and_gamma_poisson_sampling() {
        let (m, v) = NegativeBinomial.mean_variance(&[2.0, 0.25]);
        assert_eq!((m, v), (6.0, 24.0));
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let draws = NegativeBinomial.sample(&[2.0, 0.25], 20_000, &mut rng);
        assert!(draws.iter().all(|&x| is_count(x)));
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        assert!((mean - 6.0).abs() < 0.15, "{mean}");
        assert!((var - 24.0).abs() < 2.0, "{var}");
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.nbinom.cdf(k, n=size, p=prob), scipy 1.17.1.
        let cases = [
            (4.0, 2.5, 0.4, 0.6741406761500157),
            (0.0, 2.5, 0.4, 0.10119288512538815),
            (1001.0, 1e6, 0.999, 0.5083925531417028),
            (30.0, 0.7, 0.05, 0.8782354188390078),
        ];
        for (k, r, p, expected) in cases {
            let f = NegativeBinomial.cdf(&[r, p], k).unwrap();
            assert!((f - expected).abs() < 1e-13, "k={k} r={r} p={p}: {f}");
            assert_eq!(NegativeBinomial.cdf(&[r, p], k + 0.5), Some(f));
        }
        assert_eq!(NegativeBinomial.cdf(&[2.0, 0.3], -1.0), Some(0.0));
        assert_eq!(NegativeBinomial.cdf(&[2.0, 0.3], f64::INFINITY), Some(1.0));
    }
}
