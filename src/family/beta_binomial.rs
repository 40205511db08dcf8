//! Beta-binomial distribution with a known number of trials.
//!
//! P(k | n, α, β) = C(n, k) B(k + α, n − k + β) / B(α, β),  k ∈ {0, 1, …, n}; parameters
//! `size` n (the number of trials, a positive integer the user must give: `--trials N` or
//! `--fix size=N`; never estimated) and the shapes `alpha` α > 0 and `beta` β > 0 of the beta
//! law of the success probability. With π̄ = α/(α + β) and ρ = 1/(α + β + 1) (the
//! intra-class correlation) the mean is nπ̄ and the variance nπ̄(1 − π̄)(1 + (n − 1)ρ).
//!
//! ln P = ln C(n, k) + [ln Γ(k + α) − ln Γ(α)] + [ln Γ(n − k + β) − ln Γ(β)]
//! − [ln Γ(n + α + β) − ln Γ(α + β)], with ln C(n, k) from Stirling's error terms. For up to
//! 100 trials the three brackets are summed as one compensated sum of n negative terms
//! −ln(1 + β/(α + j)) (j < k) and −ln(1 + (α + k)/(β + j)) (j < n − k): no cancellation, so
//! the value is smooth in (α, β) to ~1e-16 — the brackets themselves are of order n ln n and
//! their difference carries ~1e-14 of rounding noise, enough to stall a gradient-descent line
//! search near the optimum — and a ln P near 0 (k = 0 with α ≪ β) keeps its relative accuracy.
//! Beyond 100 trials each bracket is a difference at an integer offset from the negative
//! binomial's accurate differences (finite sums for small offsets, the differenced Stirling
//! series for large shapes), O(1) per count, so α, β up to 1e9 (near the binomial limit) keep
//! their digits. The derivatives always use those differences. Every evaluation is one pass
//! over the distinct counts with the (n, α, β)-only terms hoisted.
//!
//! **Start.** Method of moments given n: π̄ = x̄/n, ρ̂ = (s²/(nπ̄(1 − π̄)) − 1)/(n − 1),
//! α + β = 1/ρ̂ − 1. The MLE needs over-dispersion relative to the binomial, ρ̂ > 0 (Tarone's
//! score test at the binomial limit is exactly this condition); otherwise the likelihood
//! increases toward α, β → ∞ with α/(α + β) fixed, the binomial, and the data are degenerate
//! for this family (fit `binomial`). Degenerate too: all counts 0 or all n (π̄ on the
//! boundary), every count 0 or n (α, β → 0), and n = 1 (a Bernoulli, where only α/(α + β) is
//! identifiable). Should the optimizer still run toward the binomial limit, the boundary note
//! says so.
//!
//! **Derivatives with respect to size** (never used by the optimizer: n is fixed) are those of
//! the real-analytic continuation in n, as for the binomial: ∂/∂n = ψ(n + 1) − ψ(n − k + 1)
//! + ψ(n − k + β) − ψ(n + α + β), and the support condition k ≤ n reads n − k > −1.
//!
//! References: Griffiths, "Maximum likelihood estimation for the beta-binomial distribution
//! and an application to the household distribution of the total number of cases of a
//! disease", Biometrics 29 (1973); Tarone, "Testing the goodness of fit of the binomial
//! distribution", Biometrika 66 (1979); Johnson, Kemp & Kotz, *Univariate Discrete
//! Distributions*, 3rd ed. (2005), §6.7.2.

use rand::RngCore;
use rand_distr::Distribution;

use super::binomial::check_counts_within_size;
use super::negative_binomial::SizeTerms;
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::numeric::constants::LN_2PI;
use crate::numeric::is_count;
use crate::special::{digamma, ln_gamma, stirling_error, trigamma};
use crate::sum::CompensatedSum;

/// Above this α + β the boundary note says the fit is at the binomial limit.
const BINOMIAL_LIMIT: f64 = 1e8;

/// Counts up to this use finite sums for ψ(n + 1) − ψ(n − k + 1).
const SMALL_COUNT: f64 = 16.0;

/// Up to this many trials ln P is one sum of n logarithms of ratios (see
/// `paired_log_ratios`); beyond, the differences of the hoisted brackets (O(1) per count).
const PAIRED_TRIALS: f64 = 100.0;

/// The beta-binomial family, parameters (size, alpha, beta); size is fixed by the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct BetaBinomial;

impl Family for BetaBinomial {
    fn name(&self) -> &'static str {
        "beta_binomial"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["betabinom"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = C(size, k) B(k + alpha, size - k + beta) / B(alpha, beta)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 3] = [
            ParamSpec::fixed_count("size"),
            ParamSpec::positive("alpha"),
            ParamSpec::positive("beta"),
        ];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    /// Always an error: the start needs the number of trials (see
    /// [`Family::initial_estimate_given`]).
    fn initial_estimate(&self, _sample: &Sample) -> Result<Vec<f64>> {
        Err(size_required(self))
    }

    /// Method of moments given n (see the module doc); with α or β fixed, the other matches
    /// the mean.
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let Some(n) = fixed.first().copied().flatten() else {
            return Err(size_required(self));
        };
        let s = sample.summary();
        let (a_fixed, b_fixed) = (fixed[1], fixed[2]);
        if let (Some(a), Some(b)) = (a_fixed, b_fixed) {
            return Ok(vec![n, a, b]);
        }
        if let Some(trials) = sample.trials() {
            // Per-row trials: match the pooled proportion m = Σwx / Σwn with α + β = 4 (a
            // moderate over-dispersion); the optimizer takes it from there.
            let total: f64 = trials
                .iter()
                .enumerate()
                .map(|(i, t)| sample.weight(i) * t)
                .sum();
            let m = s.mean * s.total_weight / total;
            if !(m > 0.0 && m < 1.0) {
                return Err(degenerate(
                    self,
                    "every count is 0, or every count equals its number of trials: no MLE exists",
                ));
            }
            return Ok(match (a_fixed, b_fixed) {
                (Some(a), _) => vec![n, a, a * (1.0 - m) / m],
                (_, Some(b)) => vec![n, b * m / (1.0 - m), b],
                _ => vec![n, 4.0 * m, 4.0 * (1.0 - m)],
            });
        }
        if !(s.mean > 0.0) {
            return Err(degenerate(
                self,
                "all counts are 0: the likelihood increases as alpha/(alpha + beta) → 0, so no \
                 MLE exists",
            ));
        }
        if !(s.mean < n) {
            return Err(degenerate(
                self,
                format!(
                    "every count equals size = {n}: the likelihood increases as \
                     alpha/(alpha + beta) → 1, so no MLE exists"
                ),
            ));
        }
        let m = s.mean / n;
        match (a_fixed, b_fixed) {
            (Some(a), None) => return Ok(vec![n, a, a * (1.0 - m) / m]),
            (None, Some(b)) => return Ok(vec![n, b * m / (1.0 - m), b]),
            _ => {}
        }
        if n == 1.0 {
            return Err(degenerate(
                self,
                "with size = 1 the beta-binomial is a Bernoulli law in which only \
                 alpha/(alpha + beta) is identifiable; fit the bernoulli family instead",
            ));
        }
        if sample
            .distinct()
            .iter()
            .all(|&(k, w)| w == 0.0 || k == 0.0 || k == n)
        {
            return Err(degenerate(
                self,
                format!(
                    "every count is 0 or size = {n}: the likelihood increases as alpha, beta → 0 \
                     (all the mass on the two ends), so no MLE exists"
                ),
            ));
        }
        let binomial_variance = n * m * (1.0 - m);
        let rho = (s.variance / binomial_variance - 1.0) / (n - 1.0);
        if !(rho > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "the variance ({:.6}) is not larger than the binomial's n p (1 - p) = {:.6}: \
                     the likelihood keeps increasing toward the binomial limit (alpha, beta → ∞), \
                     so no finite MLE exists; fit the binomial family instead",
                    s.variance, binomial_variance
                ),
            ));
        }
        // ρ̂ < 1 here (ρ̂ = 1 only when every count is 0 or n).
        let total = (1.0 / rho.min(1.0 - 1e-9) - 1.0).max(1e-6);
        Ok(vec![n, m * total, (1.0 - m) * total])
    }

    fn check_data(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<()> {
        match fixed.first().copied().flatten() {
            Some(n) => check_counts_within_size(self, sample, n),
            None => Ok(()),
        }
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let t = Terms::new(theta, grad.is_some() || hess.is_some(), hess.is_some());
        if !t.in_support(x) {
            return f64::NEG_INFINITY;
        }
        let c = t.count(x);
        if let Some(g) = grad {
            g.copy_from_slice(&c.grad);
        }
        if let Some(h) = hess {
            h.copy_from_slice(&c.hess);
        }
        c.ln_mass
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        mut grad: Option<&mut [f64]>,
        mut hess: Option<&mut [f64]>,
    ) -> f64 {
        if sample.trials().is_some() {
            // Per-row trials: the distinct-count shortcut does not apply.
            return super::pointwise_log_likelihood(self, theta, sample, grad, hess);
        }
        let t = Terms::new(theta, grad.is_some() || hess.is_some(), hess.is_some());
        if let Some(g) = grad.as_deref_mut() {
            g.fill(0.0);
        }
        if let Some(h) = hess.as_deref_mut() {
            h.fill(0.0);
        }
        let mut value = CompensatedSum::default();
        for &(k, w) in sample.distinct() {
            if w == 0.0 {
                continue;
            }
            if !t.in_support(k) {
                return f64::NEG_INFINITY;
            }
            let c = t.count(k);
            value.add(w * c.ln_mass);
            if let Some(g) = grad.as_deref_mut() {
                for (gj, cj) in g.iter_mut().zip(&c.grad) {
                    *gj += w * cj;
                }
            }
            if let Some(h) = hess.as_deref_mut() {
                for (hj, cj) in h.iter_mut().zip(&c.hess) {
                    *hj += w * cj;
                }
            }
        }
        value.value()
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        let total = theta[1] + theta[2];
        (total > BINOMIAL_LIMIT).then(|| {
            format!(
                "alpha + beta = {total:.3e} is effectively infinite: the counts show no \
                 over-dispersion relative to the binomial, so the likelihood keeps increasing \
                 toward the binomial limit; the binomial family fits as well with one parameter \
                 fewer"
            )
        })
    }

    /// F(x) = Σ_{j ≤ ⌊x⌋} P(j), summed over the shorter tail (1 − Σ_{j > ⌊x⌋} P(j) when ⌊x⌋ is
    /// past n/2) from the masses of [`Family::ln_density_derivs`]; O(n) per call at most.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let n = theta[0];
        if let Some(edge) = super::count_cdf_edges(x, n) {
            return Some(edge);
        }
        let k = x.floor();
        let t = Terms::new(theta, false, false);
        let mass = |j: f64| t.count(j).ln_mass.exp();
        let mut sum = CompensatedSum::default();
        let f = if k < 0.5 * n {
            let mut j = 0.0;
            while j <= k {
                sum.add(mass(j));
                j += 1.0;
            }
            sum.value()
        } else {
            let mut j = k + 1.0;
            while j <= n {
                sum.add(mass(j));
                j += 1.0;
            }
            1.0 - sum.value()
        };
        Some(f.clamp(0.0, 1.0))
    }

    /// A beta–binomial mixture: p ~ Beta(α, β), then k ~ Binomial(n, p).
    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (size, a, b) = (theta[0] as u64, theta[1], theta[2]);
        let mixing = rand_distr::Beta::new(a, b).expect("valid beta-binomial shapes");
        (0..n)
            .map(|_| {
                let p: f64 = mixing.sample(rng);
                let d = rand_distr::Binomial::new(size, p.clamp(0.0, 1.0))
                    .expect("a probability in [0, 1]");
                d.sample(rng) as f64
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (n, a, b) = (theta[0], theta[1], theta[2]);
        let s = a + b;
        let m = a / s;
        (n * m, n * m * (b / s) * (s + n) / (s + 1.0))
    }
}

/// The error for a start without the number of trials.
fn size_required(family: &dyn Family) -> crate::error::Error {
    ErrorKind::InvalidOption {
        reason: format!(
            "{} needs its number of trials: pass --trials N (or --fix size=N); size is never \
             estimated",
            family.name()
        ),
    }
    .into()
}

/// ln Γ(x + m) − ln Γ(x), ψ(x + m) − ψ(x), ψ′(x + m) − ψ′(x): from the hoisted [`SizeTerms`] of
/// x for integer m ≥ 0, directly otherwise (non-integer m arises only on the real-n
/// continuation).
fn shifted(terms: &SizeTerms, x: f64, m: f64, want_trigamma: bool) -> (f64, f64, f64) {
    if m >= 0.0 && m.fract() == 0.0 {
        let d = terms.differences(m);
        (d.ln_gamma, d.digamma, d.trigamma)
    } else {
        (
            ln_gamma(x + m) - ln_gamma(x),
            digamma(x + m) - digamma(x),
            if want_trigamma {
                trigamma(x + m) - trigamma(x)
            } else {
                0.0
            },
        )
    }
}

/// ln Γ(k + α)/Γ(α) + ln Γ(n − k + β)/Γ(β) − ln Γ(n + α + β)/Γ(α + β) for integers k ≤ n as
/// one compensated sum of logarithms of ratios, each below 0 and formed by `ln_1p`:
/// −Σ_{j<k} ln(1 + β/(α + j)) − Σ_{j<n−k} ln(1 + (α + k)/(β + j)). Unlike the difference of
/// three brackets of order n ln n it carries no cancellation, so the value is smooth in (α, β)
/// to ~1e-16 (a line search sees no rounding noise) and a ln P near 0 keeps its relative
/// accuracy.
fn paired_log_ratios(n: f64, k: f64, alpha: f64, beta: f64) -> f64 {
    let mut sum = CompensatedSum::default();
    let mut j = 0.0;
    while j < k {
        sum.add(-(beta / (alpha + j)).ln_1p());
        j += 1.0;
    }
    let alpha_k = alpha + k;
    let mut j = 0.0;
    while j < n - k {
        sum.add(-(alpha_k / (beta + j)).ln_1p());
        j += 1.0;
    }
    sum.value()
}

/// ln C(n, k) for k ≤ n (n − k > −1): Stirling's error terms and the entropy-like sum
/// k ln(n/k) + (n − k) ln(n/(n − k)), which stay accurate for large n.
fn ln_choose(n: f64, k: f64) -> f64 {
    let m = n - k;
    if k == 0.0 || m == 0.0 {
        0.0
    } else if m > 0.0 {
        stirling_error(n) - stirling_error(k) - stirling_error(m)
            + k * (n / k).ln()
            + m * (n / m).ln()
            - 0.5 * (LN_2PI + k.ln() + (m / n).ln())
    } else {
        ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(m + 1.0)
    }
}

/// The (n, α, β)-only terms of one evaluation.
struct Terms {
    n: f64,
    alpha: f64,
    beta: f64,
    want_derivs: bool,
    want_trigamma: bool,
    alpha_terms: SizeTerms,
    beta_terms: SizeTerms,
    /// ln Γ(n + α + β) − ln Γ(α + β) and its ψ, ψ′ counterparts.
    total: (f64, f64, f64),
    /// ψ(n + 1), ψ′(n + 1), ψ(n + α + β), ψ′(n + α + β) (for the size derivatives).
    digamma_n1: f64,
    trigamma_n1: f64,
    digamma_nab: f64,
    trigamma_nab: f64,
}

/// ln P(k) with its gradient and Hessian (row-major 3 × 3) in (n, α, β).
struct Count {
    ln_mass: f64,
    grad: [f64; 3],
    hess: [f64; 9],
}

impl Terms {
    fn new(theta: &[f64], want_derivs: bool, want_trigamma: bool) -> Terms {
        let (n, alpha, beta) = (theta[0], theta[1], theta[2]);
        let ab = alpha + beta;
        let total_terms = SizeTerms::new(ab, want_trigamma);
        let total = shifted(&total_terms, ab, n, want_trigamma);
        let (mut digamma_n1, mut trigamma_n1, mut digamma_nab, mut trigamma_nab) =
            (0.0, 0.0, 0.0, 0.0);
        if want_derivs {
            digamma_n1 = digamma(n + 1.0);
            digamma_nab = digamma(n + ab);
            if want_trigamma {
                trigamma_n1 = trigamma(n + 1.0);
                trigamma_nab = trigamma(n + ab);
            }
        }
        Terms {
            n,
            alpha,
            beta,
            want_derivs,
            want_trigamma,
            alpha_terms: SizeTerms::new(alpha, want_trigamma),
            beta_terms: SizeTerms::new(beta, want_trigamma),
            total,
            digamma_n1,
            trigamma_n1,
            digamma_nab,
            trigamma_nab,
        }
    }

    /// k is a count with k ≤ n (n − k > −1 on the real-n continuation).
    #[inline]
    fn in_support(&self, k: f64) -> bool {
        is_count(k) && self.n - k > -1.0
    }

    fn count(&self, k: f64) -> Count {
        let (n, beta) = (self.n, self.beta);
        let m = n - k;
        let a = shifted(&self.alpha_terms, self.alpha, k, self.want_trigamma);
        let b = shifted(&self.beta_terms, beta, m, self.want_trigamma);
        let (t_ln, t_psi, t_tri) = self.total;
        let ln_mass = if n <= PAIRED_TRIALS && n.fract() == 0.0 {
            ln_choose(n, k) + paired_log_ratios(n, k, self.alpha, beta)
        } else {
            ln_choose(n, k) + a.0 + b.0 - t_ln
        };
        let (mut grad, mut hess) = ([0.0; 3], [0.0; 9]);
        if self.want_derivs {
            // ψ(n + 1) − ψ(n − k + 1) and ψ′(n + 1) − ψ′(n − k + 1).
            let (c1, c2) = if k <= SMALL_COUNT {
                let (mut d1, mut d2) = (0.0, 0.0);
                let mut j = 0.0;
                while j < k {
                    let inv = 1.0 / (n - j);
                    d1 += inv;
                    d2 -= inv * inv;
                    j += 1.0;
                }
                (d1, d2)
            } else {
                let d2 = if self.want_trigamma {
                    self.trigamma_n1 - trigamma(m + 1.0)
                } else {
                    0.0
                };
                (self.digamma_n1 - digamma(m + 1.0), d2)
            };
            grad = [
                c1 + digamma(m + beta) - self.digamma_nab,
                a.1 - t_psi,
                b.1 - t_psi,
            ];
            if self.want_trigamma {
                let tri_mb = trigamma(m + beta);
                let h_nn = c2 + tri_mb - self.trigamma_nab;
                let h_na = -self.trigamma_nab;
                let h_nb = tri_mb - self.trigamma_nab;
                hess = [
                    h_nn,
                    h_na,
                    h_nb,
                    h_na,
                    a.2 - t_tri,
                    -t_tri,
                    h_nb,
                    -t_tri,
                    b.2 - t_tri,
                ];
            }
        }
        Count {
            ln_mass,
            grad,
            hess,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        check_derivatives_with, check_fast_path, close, rel_close, Derivs, Step,
    };
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    fn trials(n: f64) -> FitOptions {
        FitOptions {
            fixed: vec![("size".into(), n)],
            start: None,
            ..FitOptions::default()
        }
    }

    #[test]
    fn known_mass_values() {
        // mpmath (50 digits): log(binomial(n, k)) + log(beta(k + a, n - k + b)) - log(beta(a, b));
        // scipy.stats.betabinom.logpmf(k, n, a, b) (scipy 1.17) agrees to ~1e-14 for moderate
        // shapes but loses ~1e-9 at a, b ~ 1e6 and ~1e-6 at 1e9.
        let cases = [
            (0.0, 12.0, 2.3, 2.3, -3.7793269984549407),
            (5.0, 12.0, 2.3, 2.3, -2.1953868572970716),
            (12.0, 12.0, 2.3, 2.3, -3.7793269984549407),
            (3.0, 20.0, 0.4, 1.7, -2.68898356873278),
            (17.0, 20.0, 15.0, 0.3, -3.8167335958072326),
            (1.0, 1.0, 2.0, 3.0, -0.9162907318741551),
            (40.0, 100.0, 1e6, 1.5e6, -2.510624283395373),
            (450.0, 1000.0, 0.05, 0.05, -9.26632455018955),
            (0.0, 12.0, 0.001, 5.0, -0.0012973152997036194),
            (7.0, 12.0, 1e9, 1e9, -1.6432047769049178),
        ];
        for (k, n, a, b, expected) in cases {
            let lp = BetaBinomial.ln_density_derivs(&[n, a, b], k, None, None);
            // Relative to max(|ln P|, 1): a ln P near 0 is a difference of terms of order 1
            // (k = 0 with α ≪ β: ln Γ(n + β)/Γ(β) − ln Γ(n + α + β)/Γ(α + β)), accurate to
            // ~1e-15 absolute.
            assert!(
                close(lp, expected, 1e-13, 1.0),
                "k={k} n={n} a={a} b={b}: {lp} vs {expected}"
            );
        }
    }

    #[test]
    fn outside_the_support() {
        for x in [-1.0, 2.5, 13.0, f64::INFINITY, f64::NAN] {
            assert_eq!(
                BetaBinomial.ln_density_derivs(&[12.0, 2.0, 3.0], x, None, None),
                f64::NEG_INFINITY,
                "{x}"
            );
        }
        let s = Sample::new(vec![1.0, 13.0]).unwrap();
        assert_eq!(
            BetaBinomial.log_likelihood(&[12.0, 2.0, 3.0], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn method_of_moments_start() {
        // n = 4, counts 0, 0, 1, 3, 4, 4: mean 2 (π̄ = 1/2), variance 3; binomial variance 1,
        // ρ̂ = (3 − 1)/3 = 2/3, α + β = 3/2 − 1 = 1/2.
        let s = Sample::new(vec![0.0, 0.0, 1.0, 3.0, 4.0, 4.0]).unwrap();
        let t = BetaBinomial
            .initial_estimate_given(&s, &[Some(4.0), None, None])
            .unwrap();
        assert_eq!(t[0], 4.0);
        assert!(
            rel_close(t[1], 0.25, 1e-14) && rel_close(t[2], 0.25, 1e-14),
            "{t:?}"
        );
        // With alpha fixed, beta matches the mean.
        let t = BetaBinomial
            .initial_estimate_given(&s, &[Some(4.0), Some(3.0), None])
            .unwrap();
        assert_eq!(t, vec![4.0, 3.0, 3.0]);
        let e = BetaBinomial.initial_estimate(&s).unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("--trials"), "{e}");
        let e = fit(&BetaBinomial, &s, &FitOptions::default()).unwrap_err();
        assert!(e.is_usage(), "{e}");
    }

    #[test]
    fn degenerate_data() {
        let cases: [(Vec<f64>, f64, &str); 6] = [
            (vec![0.0, 0.0, 0.0], 5.0, "all counts are 0"),
            (vec![5.0, 5.0], 5.0, "every count equals size"),
            (vec![0.0, 5.0, 5.0, 0.0], 5.0, "every count is 0 or size"),
            (vec![2.0, 3.0, 2.0, 3.0], 5.0, "binomial limit"),
            (vec![0.0, 1.0, 1.0], 1.0, "bernoulli"),
            // Binomial-like: variance 1.2 < 5 · 0.5 · 0.5.
            (vec![1.0, 2.0, 3.0, 4.0, 2.0, 3.0], 5.0, "fit the binomial"),
        ];
        for (xs, n, what) in cases {
            let s = Sample::new(xs.clone()).unwrap();
            let e = BetaBinomial
                .initial_estimate_given(&s, &[Some(n), None, None])
                .unwrap_err();
            assert!(e.to_string().contains(what), "{xs:?}: {e}");
        }
        let s = Sample::new(vec![1.0, 7.0, 3.0]).unwrap();
        let e = fit(&BetaBinomial, &s, &trials(5.0)).unwrap_err();
        assert!(e.to_string().contains("{0, …, 5}"), "{e}");
    }

    #[test]
    fn derivatives_match_central_differences() {
        let points = [
            ([12.0, 2.3, 2.3], 0.0),
            ([12.0, 2.3, 2.3], 5.0),
            ([12.0, 2.3, 2.3], 12.0),
            ([20.0, 0.4, 1.7], 3.0),
            ([20.0, 15.0, 0.3], 17.0),
            ([50.0, 0.05, 0.08], 30.0),
            ([30.0, 800.0, 300.0], 22.0),
        ];
        let how = Derivs {
            step: Step::Relative(1e-6),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in points {
            check_derivatives_with(&BetaBinomial, &theta, x, how);
        }
    }

    #[test]
    fn fast_path_equals_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0, 20.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5, 0.25])
            .unwrap();
        for theta in [[20.0, 2.3, 2.3], [25.0, 0.1, 3.0], [40.0, 1e6, 2e6]] {
            check_fast_path(&BetaBinomial, &theta, &s, 1e-14, 1e-13);
        }
    }

    #[test]
    fn fit_recovers_a_seeded_sample() {
        use rand::SeedableRng;
        for (seed, truth) in [(41, [12.0, 2.3, 2.3]), (42, [30.0, 0.6, 4.0])] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let xs = BetaBinomial.sample(&truth, 2000, &mut rng);
            assert!(xs.iter().all(|&x| is_count(x) && x <= truth[0]));
            let s = Sample::new(xs).unwrap();
            let f = fit(&BetaBinomial, &s, &trials(truth[0])).unwrap();
            assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
            assert_eq!(f.termination, Termination::GradientTolerance);
            assert!(f.iterations <= 10, "{}", f.iterations);
            let se = f.std_errors.clone().unwrap();
            assert!(se.get("size").is_none());
            for (j, name) in ["alpha", "beta"].iter().enumerate() {
                let (est, e) = (f.params.get(name).unwrap(), se.get(name).unwrap());
                assert!((est - truth[j + 1]).abs() < 5.0 * e, "{name}: {est} ± {e}");
            }
        }
    }

    #[test]
    fn boundary_note_at_the_binomial_limit() {
        assert!(BetaBinomial.boundary_note(&[12.0, 2.0, 3.0]).is_none());
        let n = BetaBinomial.boundary_note(&[12.0, 1e9, 2e9]).unwrap();
        assert!(n.contains("binomial family"), "{n}");
    }

    #[test]
    fn mean_variance() {
        // n = 10, α = 2, β = 3: mean 4, variance 10 · 0.4 · 0.6 · 15/6 = 6.
        let (m, v) = BetaBinomial.mean_variance(&[10.0, 2.0, 3.0]);
        assert!(
            rel_close(m, 4.0, 1e-15) && rel_close(v, 6.0, 1e-15),
            "{m} {v}"
        );
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.betabinom.cdf(k, n=size, a=alpha, b=beta), scipy 1.17.1.
        let cases = [
            (3.0, 10.0, 2.0, 3.0, 0.4545454545454546),
            (0.0, 10.0, 2.0, 3.0, 0.06593406593406595),
            (8.0, 10.0, 2.0, 3.0, 0.9590409590409591),
            (20.0, 50.0, 0.5, 0.5, 0.44297360737917385),
        ];
        for (k, n, a, b, expected) in cases {
            let f = BetaBinomial.cdf(&[n, a, b], k).unwrap();
            assert!((f - expected).abs() < 1e-13, "k={k} n={n}: {f}");
            assert_eq!(BetaBinomial.cdf(&[n, a, b], k + 0.5), Some(f));
        }
        assert_eq!(BetaBinomial.cdf(&[10.0, 2.0, 3.0], -1.0), Some(0.0));
        assert_eq!(BetaBinomial.cdf(&[10.0, 2.0, 3.0], 10.0), Some(1.0));
    }
}
