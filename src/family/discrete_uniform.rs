//! Discrete uniform distribution on the integers of an interval.
//!
//! P(k | a, b) = 1 / (b − a + 1),  k ∈ {a, a + 1, …, b}; parameters `min` a and `max` b, the
//! smallest and largest values (both included; scipy's `randint(low, high)` excludes `high`, so
//! this family is `randint(min, max + 1)`). The parameters are real numbers that hold integers:
//! the estimates always are integers, and a fixed `min`/`max` must be one. ln P = −∞ off the
//! integers of [a, b], so the support moves with both parameters. Mean (a + b)/2, variance
//! ((b − a + 1)² − 1)/12.
//!
//! The MLE is closed form and needs no optimisation: â = min kᵢ, b̂ = max kᵢ (over rows with
//! positive weight), the shortest range holding the data; the likelihood
//! (b − a + 1)^(−Σw) rises as the range shrinks onto the data and is zero once it excludes a
//! value. Both are *boundary* estimates, biased inward, without a score-based standard error
//! ([`Family::irregularity`]); the fit reports termination `closed_form`. Unlike the continuous
//! uniform, constant data are not degenerate: â = b̂ is a point mass with likelihood 1. The
//! log-likelihood uses the sufficient statistics (Σw, min, max). The derivatives of
//! −ln(b − a + 1) with respect to (a, b) are smooth where they are finite and are provided for
//! the finite-difference checks, though the fit never needs them.
//!
//! Reference: Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed. (2005),
//! §6.10.1 (the discrete rectangular distribution and its estimation).

use rand::RngCore;
use rand_distr::Distribution;

use super::uniform::check_within;
use super::{Family, Irregularity, ParamSpec, Support};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};

/// The discrete uniform family, parameters (min, max).
#[derive(Debug, Clone, Copy, Default)]
pub struct DiscreteUniform;

impl Family for DiscreteUniform {
    fn name(&self) -> &'static str {
        "discrete_uniform"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["randint", "duniform"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = 1 / (max - min + 1),  k = min, min + 1, ..., max"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("min"), ParamSpec::real("max")];
        &P
    }

    fn support(&self) -> Support {
        Support::Integers
    }

    fn min_observations(&self) -> usize {
        1
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        Ok(vec![s.min, s.max])
    }

    /// The fixed ends as given, the others the data's extremes (their MLE given the fixed one).
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let s = sample.summary();
        Ok(vec![fixed[0].unwrap_or(s.min), fixed[1].unwrap_or(s.max)])
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    /// A fixed `min`/`max` must be an integer, and the data must lie within the fixed range.
    fn check_data(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<()> {
        let (a, b) = (fixed[0], fixed[1]);
        for (name, v) in [("min", a), ("max", b)] {
            if let Some(v) = v {
                if v.fract() != 0.0 {
                    return Err(ErrorKind::InvalidOption {
                        reason: format!(
                            "{name} = {v} of the discrete_uniform family must be an integer"
                        ),
                    }
                    .into());
                }
            }
        }
        if a.is_none() && b.is_none() {
            return Ok(());
        }
        let lo = a.map_or("{…".to_string(), |v| format!("{{{v}, …"));
        let hi = b.map_or("}".to_string(), |v| format!(", {v}}}"));
        let (a, b) = (a.unwrap_or(f64::NEG_INFINITY), b.unwrap_or(f64::INFINITY));
        check_within(self, sample, format!("{lo}{hi}"), |x| x >= a && x <= b)
    }

    fn irregularity(&self) -> Option<Irregularity> {
        Some(Irregularity {
            params: &[0, 1],
            support_depends_on_params: true,
            note: "non-regular: min and max are the sample extremes, boundary estimates biased \
                   inward; score-based standard errors do not exist because the support moves \
                   with the parameters",
        })
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (a, b) = (theta[0], theta[1]);
        if !(x.fract() == 0.0 && x >= a && x <= b) {
            return f64::NEG_INFINITY;
        }
        // −ln(b − a + 1) has the derivatives of the continuous uniform's −ln(b − a).
        super::uniform::ln_width_derivs(b - a + 1.0, 1.0, grad, hess)
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        let (a, b) = (theta[0], theta[1]);
        if !(s.all_integer && s.min >= a && s.max <= b) {
            return f64::NEG_INFINITY;
        }
        super::uniform::ln_width_derivs(b - a + 1.0, s.total_weight, grad, hess)
    }

    /// F(x) = (⌊x⌋ − min + 1) / (max − min + 1) on [min, max], over the integers of [min, max]
    /// as [`Family::sample`] draws them (so a range without integers is a point mass at ⌈min⌉).
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x.is_nan() {
            return Some(f64::NAN);
        }
        let lo = theta[0].ceil();
        let hi = theta[1].floor().max(lo);
        Some(if x < lo {
            0.0
        } else if x >= hi {
            1.0
        } else {
            (x.floor() - lo + 1.0) / (hi - lo + 1.0)
        })
    }

    /// Inverse CDF on the integers of [min, max]; never panics (a range without integers gives
    /// ⌈min⌉, which has mass zero there).
    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let lo = theta[0].ceil();
        let hi = theta[1].floor().max(lo);
        let count = hi - lo + 1.0;
        (0..n)
            .map(|_| {
                let u: f64 = rand_distr::StandardUniform.sample(rng);
                if count.is_finite() {
                    (lo + (u * count).floor()).min(hi)
                } else {
                    // hi − lo overflows (ends near ±1.8e308): interpolate without the width.
                    (lo * (1.0 - u) + hi * u).floor().clamp(lo, hi)
                }
            })
            .collect()
    }

    fn typical_params(&self) -> Vec<f64> {
        vec![2.0, 9.0]
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (a, b) = (theta[0], theta[1]);
        let d = b - a + 1.0;
        (0.5 * (a + b), (d * d - 1.0) / 12.0)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives, check_fast_path, rel_close};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_mass_values() {
        // scipy.stats.randint.logpmf(k, min, max + 1), scipy 1.17.
        let cases = [
            (3.0, 2.0, 9.0, -2.0794415416798357),
            (2.0, 2.0, 9.0, -2.0794415416798357),
            (9.0, 2.0, 9.0, -2.0794415416798357),
            (-5.0, -10.0, 10.0, -3.044522437723423),
            (0.0, 0.0, 0.0, 0.0),
            (7.0, -1e6, 1e6, -14.508658238524095),
        ];
        for (k, a, b, expected) in cases {
            let lp = DiscreteUniform.ln_density_derivs(&[a, b], k, None, None);
            assert!(rel_close(lp, expected, 1e-15), "{k} in [{a}, {b}]: {lp}");
        }
        for x in [1.0, 10.0, 3.5, -2.25, f64::NAN, f64::INFINITY] {
            assert_eq!(
                DiscreteUniform.ln_density_derivs(&[2.0, 9.0], x, None, None),
                f64::NEG_INFINITY,
                "{x}"
            );
        }
        // The masses sum to 1.
        let total: f64 = (-3..=12)
            .map(|k| {
                DiscreteUniform
                    .ln_density_derivs(&[-1.0, 4.0], k as f64, None, None)
                    .exp()
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-15);
    }

    #[test]
    fn closed_form_is_the_sample_range() {
        let s = Sample::new(vec![4.0, -2.0, 7.0, 3.0, 20.0])
            .unwrap()
            .with_weights(vec![1.0, 2.0, 1.0, 1.0, 0.0])
            .unwrap();
        assert_eq!(DiscreteUniform.closed_form(&s).unwrap(), vec![-2.0, 7.0]);
        let f = fit(&DiscreteUniform, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        assert_eq!(f.termination, Termination::ClosedForm);
        assert_eq!(f.theta(), vec![-2.0, 7.0]);
        assert!(rel_close(f.log_likelihood, -5.0 * 10f64.ln(), 1e-15));
        assert!(f.std_errors.is_none());
        assert!(
            f.notes.iter().any(|n| n.contains("non-regular")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn constant_data_are_a_point_mass() {
        let s = Sample::new(vec![5.0; 3]).unwrap();
        let f = fit(&DiscreteUniform, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        assert_eq!(f.theta(), vec![5.0, 5.0]);
        assert_eq!(f.log_likelihood, 0.0);
        // One observation is enough.
        let s = Sample::new(vec![-3.0]).unwrap();
        assert!(fit(&DiscreteUniform, &s, &FitOptions::default()).is_ok());
    }

    #[test]
    fn fixed_ends_are_checked() {
        let s = Sample::new(vec![1.0, 4.0, 6.0, 8.0]).unwrap();
        let e = DiscreteUniform
            .check_data(&s, &[Some(2.0), None])
            .unwrap_err();
        match e.kind() {
            ErrorKind::OutsideSupport {
                value,
                index,
                support,
                ..
            } => {
                assert_eq!((*value, *index), (1.0, 0));
                assert_eq!(support, "{2, …}");
            }
            k => panic!("{k:?}"),
        }
        let e = DiscreteUniform
            .check_data(&s, &[Some(0.0), Some(7.0)])
            .unwrap_err();
        assert!(e.to_string().contains("{0, …, 7}"), "{e}");
        let e = DiscreteUniform
            .check_data(&s, &[Some(0.5), None])
            .unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("integer"), "{e}");
        assert!(DiscreteUniform
            .check_data(&s, &[Some(0.0), Some(10.0)])
            .is_ok());
        assert_eq!(
            DiscreteUniform
                .initial_estimate_given(&s, &[Some(0.0), None])
                .unwrap(),
            vec![0.0, 8.0]
        );
    }

    #[test]
    fn derivatives_match_central_differences() {
        for (theta, x) in [([2.0, 9.0], 5.0), ([-10.5, 3.7], -4.0), ([0.0, 1e4], 17.0)] {
            check_derivatives(&DiscreteUniform, &theta, x, 1e-7);
        }
    }

    #[test]
    fn sufficient_statistics_equal_pointwise() {
        let s = Sample::new(vec![3.0, 5.0, 2.0, 9.0, 5.0])
            .unwrap()
            .with_weights(vec![1.0, 0.5, 2.0, 0.0, 1.5])
            .unwrap();
        for theta in [[2.0, 5.0], [-4.0, 30.0], [1.5, 5.5]] {
            check_fast_path(&DiscreteUniform, &theta, &s, 1e-15, 1e-15);
        }
        // The zero-weight 9 does not count against max = 5.
        assert!(DiscreteUniform
            .log_likelihood(&[2.0, 5.0], &s, None, None)
            .is_finite());
        assert_eq!(
            DiscreteUniform.log_likelihood(&[3.0, 5.0], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn sampling_and_recovery() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(17);
        let xs = DiscreteUniform.sample(&[2.0, 9.0], 2000, &mut rng);
        assert!(xs
            .iter()
            .all(|&x| x.fract() == 0.0 && (2.0..=9.0).contains(&x)));
        for k in 2..=9 {
            let share = xs.iter().filter(|&&x| x == k as f64).count() as f64 / 2000.0;
            assert!((share - 0.125).abs() < 0.03, "{k}: {share}");
        }
        let s = Sample::new(xs).unwrap();
        let f = fit(&DiscreteUniform, &s, &FitOptions::default()).unwrap();
        assert_eq!(f.theta(), vec![2.0, 9.0]);
        assert_eq!(DiscreteUniform.mean_variance(&[2.0, 9.0]), (5.5, 5.25));
        // A range without integers does not panic.
        let odd = DiscreteUniform.sample(&[3.2, 3.7], 3, &mut rng);
        assert_eq!(odd, vec![4.0; 3]);
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.randint.cdf(x, min, max + 1), scipy 1.17.1.
        let cases = [
            (3.0, 2.0, 9.0, 0.25),
            (5.5, 2.0, 9.0, 0.5),
            (-5.0, -10.0, 10.0, 0.2857142857142857),
            (1.0, 2.0, 9.0, 0.0),
            (9.0, 2.0, 9.0, 1.0),
        ];
        for (x, a, b, expected) in cases {
            let f = DiscreteUniform.cdf(&[a, b], x).unwrap();
            assert!((f - expected).abs() < 1e-15, "{x} in [{a}, {b}]: {f}");
        }
    }
}
