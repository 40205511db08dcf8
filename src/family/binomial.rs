//! Binomial distribution with a known number of trials.
//!
//! P(k | n, p) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ,  k ∈ {0, 1, …, n}; parameters `size` n (the number of
//! trials, a positive integer the user must give: `--trials N` or `--fix size=N`; it is never
//! estimated) and `prob` p ∈ (0, 1), the success probability. Mean np, variance np(1 − p).
//!
//! Given n the MLE is closed form, p̂ = x̄ / n; [`Family::closed_form`] cannot know n, so the
//! conditional start [`Family::initial_estimate_given`] returns exactly that and the optimizer
//! certifies it in 0–1 Newton iterations. When every count is 0 (or every count is n) p̂ is on the
//! boundary and the data are degenerate; a count above n is a data error naming the value
//! ([`Family::check_data`]).
//!
//! ln P uses Loader's saddle-point form (R's `dbinom_raw`),
//! ln P = δ(n) − δ(k) − δ(n − k) − bd0(k, np) − bd0(n − k, nq) − ½ ln(2π k (n − k)/n),
//! with δ Stirling's error and bd0 the deviance term: the naive terms are each ~n ln n and cancel
//! to a number of order ln n, which this form computes without the cancellation (to ~1e-15
//! relative at n = 10⁶ where lgamma differences lose ~1e-10). k = 0 and k = n are n ln(1 − p)
//! and n ln p, with `ln_1p` for the logarithm that needs it.
//!
//! **Derivatives with respect to size.** The optimizer never moves n, but the gradient and
//! Hessian have k = 2 entries: those for n are the derivatives of the real-analytic continuation
//! C(n, k) = Γ(n + 1)/(Γ(k + 1) Γ(n − k + 1)), i.e. ∂/∂n = ψ(n + 1) − ψ(n − k + 1) + ln(1 − p),
//! ∂²/∂n² = ψ′(n + 1) − ψ′(n − k + 1), ∂²/∂n∂p = −1/(1 − p). On that continuation the support
//! condition k ≤ n reads n − k > −1 (the same for integer n), so ln P is smooth in n at every
//! point of the support and finite differences in n agree with the analytic entries.
//!
//! References: Loader, "Fast and accurate computation of binomial probabilities" (2000);
//! Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed. (2005), §3.8.

use rand::RngCore;
use rand_distr::Distribution;

use super::negative_binomial::{ln_p_and_q, tail_sum, MAX_TAIL_TERMS};
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::numeric::constants::LN_2PI;
use crate::numeric::is_count;
use crate::special::{deviance_term, digamma, ln_gamma, stirling_error, trigamma};

/// Counts up to this use the finite sums Σⱼ 1/(n − j) for ψ(n + 1) − ψ(n − k + 1).
const SMALL_COUNT: f64 = 16.0;

/// The binomial family, parameters (size, prob); size is fixed by the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct Binomial;

impl Family for Binomial {
    fn name(&self) -> &'static str {
        "binomial"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["binom"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = C(size, k) prob^k (1 - prob)^(size - k)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::fixed_count("size"), ParamSpec::unit("prob")];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
    }

    fn min_observations(&self) -> usize {
        1
    }

    /// Always an error: the start needs the number of trials (see
    /// [`Family::initial_estimate_given`]).
    fn initial_estimate(&self, _sample: &Sample) -> Result<Vec<f64>> {
        Err(size_required(self))
    }

    /// p = x̄ / n, the MLE given n (or the fixed prob, if that is fixed too).
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let Some(n) = fixed.first().copied().flatten() else {
            return Err(size_required(self));
        };
        if let Some(p) = fixed.get(1).copied().flatten() {
            return Ok(vec![n, p]);
        }
        // With a per-row number of trials the MLE is Σwx / Σwn (n here is their maximum).
        let (mean, n_eff) = match sample.trials() {
            Some(t) => {
                let total: f64 = t
                    .iter()
                    .enumerate()
                    .map(|(i, ti)| sample.weight(i) * ti)
                    .sum();
                (sample.summary().mean, total / sample.summary().total_weight)
            }
            None => (sample.summary().mean, n),
        };
        if !(mean > 0.0) {
            return Err(degenerate(
                self,
                "all counts are 0, so the MLE would be prob = 0, on the boundary",
            ));
        }
        if !(mean < n_eff) {
            return Err(degenerate(
                self,
                "every count equals its size, so the MLE would be prob = 1, on the boundary",
            ));
        }
        Ok(vec![n, (mean / n_eff).min(1.0 - f64::EPSILON)])
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
        let b = Terms::new(theta, hess.is_some());
        if !b.in_support(x) {
            return f64::NEG_INFINITY;
        }
        if grad.is_some() || hess.is_some() {
            let (d1, d2) = b.size_differences(x);
            if let Some(g) = grad {
                g[0] = d1 + b.ln_q;
                g[1] = x / b.p - (b.n - x) / b.q;
            }
            if let Some(h) = hess {
                h[0] = d2;
                h[1] = -1.0 / b.q;
                h[2] = h[1];
                h[3] = -x / (b.p * b.p) - (b.n - x) / (b.q * b.q);
            }
        }
        b.ln_mass(x)
    }

    /// One pass over the distinct counts with the (n, p)-only terms hoisted; the prob
    /// derivatives come from Σw and Σwk.
    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if sample.trials().is_some() {
            // Per-row trials: the distinct-count shortcut does not apply.
            return super::pointwise_log_likelihood(self, theta, sample, grad, hess);
        }
        let b = Terms::new(theta, hess.is_some());
        let want_derivs = grad.is_some() || hess.is_some();
        let mut value = crate::sum::CompensatedSum::default();
        let (mut w_total, mut w_k, mut d1, mut d2) = (0.0, 0.0, 0.0, 0.0);
        for &(k, w) in sample.distinct() {
            if w == 0.0 {
                continue;
            }
            if !b.in_support(k) {
                return f64::NEG_INFINITY;
            }
            value.add(w * b.ln_mass(k));
            w_total += w;
            w_k += w * k;
            if want_derivs {
                let (a, c) = b.size_differences(k);
                d1 += w * a;
                d2 += w * c;
            }
        }
        let w_rest = w_total * b.n - w_k;
        if let Some(g) = grad {
            g[0] = d1 + w_total * b.ln_q;
            g[1] = w_k / b.p - w_rest / b.q;
        }
        if let Some(h) = hess {
            h[0] = d2;
            h[1] = -w_total / b.q;
            h[2] = h[1];
            h[3] = -w_k / (b.p * b.p) - w_rest / (b.q * b.q);
        }
        value.value()
    }

    /// F(x) = I_(1−p)(n − k, k + 1) with k = ⌊x⌋ (0 below 0, 1 from n on), computed as the sum
    /// of the masses of the tail on the far side of the mode from k ([`tail_sum`], each mass to
    /// ~1e-15 relative by Loader's form, where the incomplete beta's prefactor loses digits and
    /// statrs' continued fraction stops short at n ~ 1e6); statrs' `beta_reg` when that tail is
    /// too long (n p (1 − p) ≳ 7e8).
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (n, p) = (theta[0], theta[1]);
        if let Some(edge) = super::count_cdf_edges(x, n) {
            return Some(edge);
        }
        let k = x.floor();
        if !(n > 0.0 && p > 0.0 && p < 1.0) {
            return None;
        }
        let odds = p / (1.0 - p);
        let mass = |j: f64| self.ln_density_derivs(theta, j, None, None).exp();
        let sum = if 40.0 * (n * p * (1.0 - p)).sqrt() > MAX_TAIL_TERMS as f64 {
            None
        } else if k < ((n + 1.0) * p).floor() {
            // P(j − 1)/P(j) = j / ((n − j + 1) odds) < 1 below the mode.
            tail_sum(k, -1.0, 0.0, 0.0, mass, |j| j / ((n - j + 1.0) * odds))
        } else {
            tail_sum(k + 1.0, 1.0, n, 0.0, mass, |j| (n - j) * odds / (j + 1.0)).map(|s| 1.0 - s)
        };
        use statrs::function::beta::checked_beta_reg;
        match sum {
            Some(f) => Some(f.clamp(0.0, 1.0)),
            None if p <= 0.5 => checked_beta_reg(k + 1.0, n - k, p).ok().map(|v| 1.0 - v),
            None => checked_beta_reg(n - k, k + 1.0, 1.0 - p).ok(),
        }
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Binomial::new(theta[0] as u64, theta[1])
            .expect("valid binomial parameters");
        (0..n).map(|_| d.sample(rng) as f64).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (n, p) = (theta[0], theta[1]);
        (n * p, n * p * (1.0 - p))
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

/// A data error naming the first count (of positive weight) above `n` and its location.
///
/// # Errors
/// [`ErrorKind::OutsideSupport`] with the support {0, …, n}.
pub(super) fn check_counts_within_size(family: &dyn Family, sample: &Sample, n: f64) -> Result<()> {
    let values = sample.values();
    let mut above = (0..values.len()).filter(|&i| sample.weight(i) > 0.0 && values[i] > n);
    if let Some(index) = above.next() {
        return Err(ErrorKind::OutsideSupport {
            family: family.name().into(),
            support: format!("{{0, …, {n}}}"),
            value: values[index],
            at: sample.location(index),
            index,
            count: 1 + above.count(),
        }
        .into());
    }
    Ok(())
}

/// The (n, p)-only terms of one evaluation.
struct Terms {
    n: f64,
    p: f64,
    q: f64,
    ln_p: f64,
    ln_q: f64,
    /// Stirling's error δ(n).
    stirling_n: f64,
    /// ψ(n + 1) and ψ′(n + 1) (the latter only when a Hessian is wanted).
    digamma_n: f64,
    trigamma_n: Option<f64>,
}

impl Terms {
    fn new(theta: &[f64], want_trigamma: bool) -> Terms {
        let (n, p) = (theta[0], theta[1]);
        let (ln_p, ln_q) = ln_p_and_q(p);
        Terms {
            n,
            p,
            q: 1.0 - p,
            ln_p,
            ln_q,
            stirling_n: stirling_error(n),
            digamma_n: digamma(n + 1.0),
            trigamma_n: want_trigamma.then(|| trigamma(n + 1.0)),
        }
    }

    /// k is a count with k ≤ n (n − k > −1 on the real-n continuation).
    #[inline]
    fn in_support(&self, k: f64) -> bool {
        is_count(k) && self.n - k > -1.0
    }

    /// ln P(k) for k in the support.
    fn ln_mass(&self, k: f64) -> f64 {
        let (n, p, q) = (self.n, self.p, self.q);
        let m = n - k;
        if k == 0.0 {
            n * self.ln_q
        } else if m == 0.0 {
            n * self.ln_p
        } else if m > 0.0 {
            // Loader (2000): R's dbinom_raw.
            let lc = self.stirling_n
                - stirling_error(k)
                - stirling_error(m)
                - deviance_term(k, n * p)
                - deviance_term(m, n * q);
            lc - 0.5 * (LN_2PI + k.ln() + (m / n).ln())
        } else {
            // −1 < n − k < 0: only on the real-n continuation (finite differences in n).
            ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(m + 1.0)
                + k * self.ln_p
                + m * self.ln_q
        }
    }

    /// ψ(n + 1) − ψ(n − k + 1) and ψ′(n + 1) − ψ′(n − k + 1): finite sums over j < k of
    /// 1/(n − j) and −1/(n − j)² for small k (exact for any n, no cancellation when n ≫ k).
    fn size_differences(&self, k: f64) -> (f64, f64) {
        let n = self.n;
        if k <= SMALL_COUNT {
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
            let m1 = n - k + 1.0;
            let d2 = self.trigamma_n.map_or(0.0, |t| t - trigamma(m1));
            (self.digamma_n - digamma(m1), d2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, rel_close, Derivs, Step};
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
        // mpmath (50 digits): log(binomial(n, k)) + k log(p) + (n - k) log(1 - p), p the f64
        // value; agrees with scipy.stats.binom.logpmf(k, n, p) (scipy 1.17) to 1e-15 for n ≤ 1e3
        // and is the more accurate reference at n = 1e6, 1e9.
        let cases = [
            (0.0, 12.0, 0.35, -5.16939499310945),
            (4.0, 12.0, 0.35, -1.4409940641656545),
            (12.0, 12.0, 0.35, -12.597865493984132),
            (7.0, 12.0, 0.9, -5.575887682760587),
            (1.0, 1.0, 0.2, -1.6094379124341003),
            (3.0, 1000.0, 0.01, -4.907191539191111),
            (450.0, 1000.0, 0.47, -4.479296242477532),
            (500000.0, 1000000.0, 0.5, -7.133546881626865),
            (3.0, 1000000000.0, 1e-09, -2.791759469728055),
            (0.0, 50.0, 1e-12, -5.0000000000025e-11),
            (50.0, 50.0, 0.999999999999, -4.999889391401892e-11),
            (999990.0, 1000000.0, 0.99999, -2.0785566431108915),
        ];
        for (k, n, p, expected) in cases {
            let lp = Binomial.ln_density_derivs(&[n, p], k, None, None);
            assert!(
                rel_close(lp, expected, 2e-14),
                "k={k} n={n} p={p}: {lp} vs {expected}"
            );
        }
    }

    #[test]
    fn outside_the_support() {
        for x in [-1.0, 2.5, 13.0, 1e9, f64::INFINITY, f64::NAN] {
            assert_eq!(
                Binomial.ln_density_derivs(&[12.0, 0.4], x, None, None),
                f64::NEG_INFINITY,
                "{x}"
            );
        }
        let s = Sample::new(vec![1.0, 13.0]).unwrap();
        assert_eq!(
            Binomial.log_likelihood(&[12.0, 0.4], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn start_is_the_mle_given_size() {
        let s = Sample::new(vec![0.0, 3.0, 5.0, 4.0]).unwrap();
        let t = Binomial
            .initial_estimate_given(&s, &[Some(10.0), None])
            .unwrap();
        assert_eq!(t, vec![10.0, 0.3]);
        let mut g = [0.0; 2];
        Binomial.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[1].abs() < 1e-13, "{g:?}");
        // Both fixed: returned as given.
        let t = Binomial
            .initial_estimate_given(&s, &[Some(10.0), Some(0.7)])
            .unwrap();
        assert_eq!(t, vec![10.0, 0.7]);
        assert!(Binomial.closed_form(&s).is_none());
    }

    #[test]
    fn size_must_be_given() {
        let s = Sample::new(vec![1.0, 2.0]).unwrap();
        let e = Binomial.initial_estimate(&s).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidOption { .. }), "{e}");
        assert!(e.to_string().contains("--trials"), "{e}");
        let e = Binomial
            .initial_estimate_given(&s, &[None, None])
            .unwrap_err();
        assert!(e.is_usage(), "{e}");
        // fit() refuses too.
        let e = fit(&Binomial, &s, &FitOptions::default()).unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("size"), "{e}");
    }

    #[test]
    fn counts_above_size_are_a_data_error() {
        let s = Sample::new(vec![1.0, 2.0, 7.0, 3.0, 9.0]).unwrap();
        let e = fit(&Binomial, &s, &trials(5.0)).unwrap_err();
        match e.kind() {
            ErrorKind::OutsideSupport {
                value,
                index,
                count,
                support,
                ..
            } => {
                assert_eq!((*value, *index, *count), (7.0, 2, 2));
                assert_eq!(support, "{0, …, 5}");
            }
            k => panic!("{k:?}"),
        }
        assert!(e.to_string().contains("value 7"), "{e}");
        // With a zero weight the offending row is ignored.
        let s = Sample::new(vec![1.0, 7.0])
            .unwrap()
            .with_weights(vec![1.0, 0.0])
            .unwrap();
        assert!(Binomial.check_data(&s, &[Some(5.0), None]).is_ok());
    }

    #[test]
    fn boundary_data_are_degenerate() {
        let zeros = Sample::new(vec![0.0; 4]).unwrap();
        let e = fit(&Binomial, &zeros, &trials(3.0)).unwrap_err();
        assert!(e.to_string().contains("prob = 0"), "{e}");
        let full = Sample::new(vec![3.0; 4]).unwrap();
        let e = fit(&Binomial, &full, &trials(3.0)).unwrap_err();
        assert!(e.to_string().contains("prob = 1"), "{e}");
    }

    #[test]
    fn derivatives_match_central_differences() {
        // Including k = 0, k = n (the size step crosses n − k = 0) and a large n.
        let points = [
            ([12.0, 0.35], 0.0),
            ([12.0, 0.35], 4.0),
            ([12.0, 0.35], 12.0),
            ([12.0, 0.8], 11.0),
            ([30.0, 0.02], 25.0),
            ([1000.0, 0.47], 450.0),
            ([3.0, 0.999], 3.0),
        ];
        // Steps 1e-7·θⱼ: at prob near 1 a step relative to prob is large relative to 1 − prob.
        let how = Derivs {
            step: Step::Relative(1e-7),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in points {
            check_derivatives_with(&Binomial, &theta, x, how);
        }
    }

    #[test]
    fn fast_path_equals_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0, 20.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5, 0.25])
            .unwrap();
        for theta in [[20.0, 0.3], [25.0, 0.01], [40.0, 0.999]] {
            check_fast_path(&Binomial, &theta, &s, 1e-14, 1e-13);
        }
    }

    #[test]
    fn fit_recovers_prob_in_at_most_one_iteration() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let xs = Binomial.sample(&[20.0, 0.3], 2000, &mut rng);
        assert!(xs.iter().all(|&x| is_count(x) && x <= 20.0));
        let s = Sample::new(xs).unwrap();
        let f = fit(&Binomial, &s, &trials(20.0)).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        assert_eq!(f.termination, Termination::GradientTolerance);
        assert!(f.iterations <= 1, "{}", f.iterations);
        assert_eq!(f.fixed, vec!["size".to_string()]);
        let p = f.params.get("prob").unwrap();
        assert!(rel_close(p, s.summary().mean / 20.0, 1e-14));
        let se = f.std_errors.unwrap().get("prob").unwrap();
        // Observed information at p̂: n·size / (p̂ (1 − p̂)).
        assert!(rel_close(se, (p * (1.0 - p) / 40000.0).sqrt(), 1e-9));
        assert!((p - 0.3).abs() < 5.0 * se);
    }

    #[test]
    fn mean_variance() {
        assert_eq!(Binomial.mean_variance(&[10.0, 0.25]), (2.5, 1.875));
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.binom.cdf(k, n=size, p=prob), scipy 1.17.1.
        let cases = [
            (3.0, 10.0, 0.3, 0.6496107184000002),
            (0.0, 10.0, 0.3, 0.028247524900000005),
            (700000.0, 1e6, 0.7, 0.5003772440879839),
            (98.0, 100.0, 0.99, 0.2642380210770439),
        ];
        for (k, n, p, expected) in cases {
            let f = Binomial.cdf(&[n, p], k).unwrap();
            assert!((f - expected).abs() < 1e-13, "k={k} n={n} p={p}: {f}");
            assert_eq!(Binomial.cdf(&[n, p], k + 0.5), Some(f));
        }
        assert_eq!(Binomial.cdf(&[10.0, 0.3], -1.0), Some(0.0));
        assert_eq!(Binomial.cdf(&[10.0, 0.3], 10.0), Some(1.0));
        assert_eq!(Binomial.cdf(&[10.0, 0.3], 12.5), Some(1.0));
    }
}
