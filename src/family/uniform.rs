//! Continuous uniform distribution.
//!
//! p(x | a, b) = 1 / (b − a),  a ≤ x ≤ b; parameters `min` a ∈ ℝ and `max` b ∈ ℝ, the ends of
//! the support (not a centre and a width). For b ≤ a there is no distribution and ln p = −∞
//! everywhere. The support moves with both parameters: ln p = −∞ outside [a, b].
//!
//! The MLE is closed form and needs no optimisation: â = min xᵢ, b̂ = max xᵢ (over rows with
//! positive weight), the shortest interval holding the data. Both are *boundary* estimates: the
//! likelihood (b − a)^(−Σw) rises as the interval shrinks onto the data and is zero once it
//! excludes a value, so the score never vanishes, the estimates are biased inward by
//! O((b − a)/n), and no score-based standard error exists ([`Family::irregularity`]). The fit
//! reports termination `closed_form` and no standard errors. Constant data (â = b̂) are
//! degenerate: the likelihood is unbounded.
//!
//! Reference: Casella & Berger, *Statistical Inference*, 2nd ed., Example 7.2.13 (the MLE of a
//! uniform's endpoint, and why the usual asymptotics do not apply).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, Irregularity, ParamSpec, Support};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::numeric::format::exact;

/// The continuous uniform family, parameters (min, max).
#[derive(Debug, Clone, Copy, Default)]
pub struct Uniform;

impl Family for Uniform {
    fn name(&self) -> &'static str {
        "uniform"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["unif"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = 1 / (max - min),  min <= x <= max"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("min"), ParamSpec::real("max")];
        &P
    }

    fn support(&self) -> Support {
        Support::Real
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        self.initial_estimate_given(sample, &[None, None])
    }

    /// With one end fixed, the other is still the sample extreme on its side.
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let s = sample.summary();
        let theta = vec![fixed[0].unwrap_or(s.min), fixed[1].unwrap_or(s.max)];
        if fixed.iter().all(Option::is_some) {
            return Ok(theta);
        }
        if !(theta[1] > theta[0]) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the interval would have zero width",
                    exact(s.min)
                ),
            ));
        }
        Ok(theta)
    }

    fn check_data(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<()> {
        let (a, b) = (fixed[0], fixed[1]);
        if a.is_none() && b.is_none() {
            return Ok(());
        }
        let lo = a.map_or("(-∞".to_string(), |v| format!("[{v}"));
        let hi = b.map_or("∞)".to_string(), |v| format!("{v}]"));
        let (a, b) = (a.unwrap_or(f64::NEG_INFINITY), b.unwrap_or(f64::INFINITY));
        check_within(self, sample, format!("{lo}, {hi}"), |x| x >= a && x <= b)
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (a, b) = (theta[0], theta[1]);
        if !(x >= a && x <= b && b > a) {
            return f64::NEG_INFINITY;
        }
        ln_width_derivs(b - a, 1.0, grad, hess)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn irregularity(&self) -> Option<Irregularity> {
        Some(Irregularity {
            params: &[0, 1],
            support_depends_on_params: true,
            note: "non-regular: min and max are the sample extremes, boundary estimates biased \
                   inward by O(1/n); score-based standard errors do not exist because the \
                   support moves with the parameters",
        })
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
        if !(s.min >= a && s.max <= b && b > a) {
            return f64::NEG_INFINITY;
        }
        ln_width_derivs(b - a, s.total_weight, grad, hess)
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (a, b) = (theta[0], theta[1]);
        if !(b > a) {
            // No distribution (see the module doc).
            return None;
        }
        Some(if x <= a {
            0.0
        } else if x >= b {
            1.0
        } else {
            ((x - a) / (b - a)).clamp(0.0, 1.0)
        })
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // Inverse CDF a + (b − a) U, U ∈ [0, 1): never panics, even for b ≤ a (where it
        // returns values in [b, a] that have density zero).
        let (a, b) = (theta[0], theta[1]);
        (0..n)
            .map(|_| {
                let u: f64 = rand_distr::StandardUniform.sample(rng);
                a + (b - a) * u
            })
            .collect()
    }

    fn typical_params(&self) -> Vec<f64> {
        vec![-1.0, 2.5]
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (a, b) = (theta[0], theta[1]);
        let d = b - a;
        (a + 0.5 * d, d * d / 12.0)
    }
}

/// An [`ErrorKind::OutsideSupport`] naming the first value (of positive weight) for which
/// `inside` is false, when the support depends on fixed parameters; `support` describes it.
/// Shared by the families whose support moves with their parameters.
///
/// # Errors
/// As described.
pub(super) fn check_within(
    family: &dyn Family,
    sample: &Sample,
    support: String,
    inside: impl Fn(f64) -> bool,
) -> Result<()> {
    let values = sample.values();
    let mut outside = (0..values.len()).filter(|&i| sample.weight(i) > 0.0 && !inside(values[i]));
    if let Some(index) = outside.next() {
        return Err(ErrorKind::OutsideSupport {
            family: family.name().into(),
            support,
            value: values[index],
            at: sample.location(index),
            index,
            count: 1 + outside.count(),
        }
        .into());
    }
    Ok(())
}

/// w · (−ln d) and its derivatives with respect to (a, b), where d = b − a (+ 1 for the
/// discrete uniform) > 0: ∂/∂a = w/d, ∂/∂b = −w/d, and the Hessian w/d² · [[1, −1], [−1, 1]].
pub(super) fn ln_width_derivs(
    d: f64,
    w: f64,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let inv = 1.0 / d;
    if let Some(g) = grad {
        g[0] = w * inv;
        g[1] = -w * inv;
    }
    if let Some(h) = hess {
        let c = w * inv * inv;
        h[0] = c;
        h[1] = -c;
        h[2] = -c;
        h[3] = c;
    }
    -w * d.ln()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives_with, check_fast_path, rel_close, Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_density_values() {
        // scipy.stats.uniform.logpdf(0.3, loc=-1.0, scale=3.5) = -1.252762968495368
        let lp = Uniform.ln_density_derivs(&[-1.0, 2.5], 0.3, None, None);
        assert!(rel_close(lp, -1.252_762_968_495_368, 1e-15), "{lp}");
        // scipy.stats.uniform.logpdf(1e-6, loc=0.0, scale=1e-5) = 11.512925464970229
        let lp = Uniform.ln_density_derivs(&[0.0, 1e-5], 1e-6, None, None);
        assert!(rel_close(lp, 11.512_925_464_970_229, 1e-15), "{lp}");
        // Both ends belong to the support.
        assert!(Uniform
            .ln_density_derivs(&[-1.0, 2.5], -1.0, None, None)
            .is_finite());
        assert!(Uniform
            .ln_density_derivs(&[-1.0, 2.5], 2.5, None, None)
            .is_finite());
    }

    #[test]
    fn outside_the_interval_and_empty_intervals() {
        let t = [-1.0, 2.5];
        for x in [-1.0 - 1e-15, 2.5 + 1e-15, -7.0, 40.0] {
            assert_eq!(
                Uniform.ln_density_derivs(&t, x, None, None),
                f64::NEG_INFINITY
            );
        }
        for bad in [[1.0, 1.0], [2.0, 1.0]] {
            assert_eq!(
                Uniform.ln_density_derivs(&bad, 1.0, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![0.0, 1.0, 3.0]).unwrap();
        assert_eq!(
            Uniform.log_likelihood(&t, &s, None, None),
            f64::NEG_INFINITY
        );
        let s = s.with_weights(vec![1.0, 1.0, 0.0]).unwrap();
        assert!(Uniform.log_likelihood(&t, &s, None, None).is_finite());
        // Sampling never panics, whatever the parameters.
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(Uniform.sample(&[2.0, 1.0], 3, &mut rng).len(), 3);
    }

    #[test]
    fn closed_form_is_the_sample_range() {
        let s = Sample::new(vec![0.5, -2.0, 3.25, 1.0])
            .unwrap()
            .with_weights(vec![1.0, 0.0, 2.0, 1.0])
            .unwrap();
        assert_eq!(Uniform.closed_form(&s).unwrap(), vec![0.5, 3.25]);
        let s = Sample::new(vec![0.5, -2.0, 3.25, 1.0]).unwrap();
        assert_eq!(Uniform.closed_form(&s).unwrap(), vec![-2.0, 3.25]);
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![4.0; 3]).unwrap();
        let e = Uniform.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
        let e = fit(&Uniform, &s, &FitOptions::default()).unwrap_err();
        assert!(e.to_string().contains("zero width"), "{e}");
    }

    #[test]
    fn one_end_fixed() {
        let s = Sample::new(vec![0.5, 2.0, 2.0, 1.0]).unwrap();
        let t = Uniform
            .initial_estimate_given(&s, &[Some(0.0), None])
            .unwrap();
        assert_eq!(t, vec![0.0, 2.0]);
        let t = Uniform
            .initial_estimate_given(&s, &[None, Some(3.0)])
            .unwrap();
        assert_eq!(t, vec![0.5, 3.0]);
        // Constant data have an MLE once one end is fixed elsewhere.
        let c = Sample::new(vec![2.0; 3]).unwrap();
        let t = Uniform
            .initial_estimate_given(&c, &[Some(0.0), None])
            .unwrap();
        assert_eq!(t, vec![0.0, 2.0]);
        assert!(Uniform.check_data(&s, &[Some(0.0), Some(2.0)]).is_ok());
        let e = Uniform.check_data(&s, &[Some(0.7), None]).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::OutsideSupport { value, count: 1, .. } if *value == 0.5),
            "{e}"
        );
        assert!(e.to_string().contains("[0.7, ∞)"), "{e}");
        let e = Uniform.check_data(&s, &[None, Some(1.5)]).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::OutsideSupport { count: 2, .. }),
            "{e}"
        );
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        // Steps well inside the interval: a step across an end would leave the support.
        for (theta, x, step) in [
            ([-1.0, 2.5], 0.3, 1e-6),
            ([2e-5, 3e-5], 2.5e-5, 1e-6),
            ([1e6, 1e6 + 3.0], 1e6 + 1.0, 1e-10),
        ] {
            let how = Derivs {
                step: Step::Relative(step),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&Uniform, &theta, x, how);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let s = Sample::new(vec![0.2, -1.5, 3.0, 0.9, 2.0])
            .unwrap()
            .with_weights(vec![1.0, 2.5, 0.0, 0.5, 3.0])
            .unwrap();
        check_fast_path(&Uniform, &[-1.5, 2.0], &s, 1e-14, 1e-14);
        check_fast_path(&Uniform, &[-30.0, 7.0], &s, 1e-14, 1e-14);
    }

    #[test]
    fn fit_is_closed_form_without_standard_errors() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let s = Sample::new(Uniform.sample(&[-1.0, 2.5], 2000, &mut rng)).unwrap();
        let f = fit(&Uniform, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        assert_eq!(f.termination, Termination::ClosedForm);
        assert!(f.std_errors.is_none());
        let t = f.theta();
        assert_eq!(t, vec![s.summary().min, s.summary().max]);
        assert!(t[0] > -1.0 && t[0] < -1.0 + 0.01 && t[1] < 2.5 && t[1] > 2.5 - 0.01);
        assert!(rel_close(
            f.log_likelihood,
            -2000.0 * (t[1] - t[0]).ln(),
            1e-14
        ));
        assert!(f.notes.iter().any(|n| n.contains("sample extremes")));
    }

    #[test]
    fn moments() {
        let (m, v) = Uniform.mean_variance(&[-1.0, 2.5]);
        assert!(rel_close(m, 0.75, 1e-15) && rel_close(v, 3.5 * 3.5 / 12.0, 1e-15));
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.uniform.cdf(x, loc=-1, scale=3) (min -1, max 2).
        let theta = [-1.0, 2.0];
        for (x, want) in [
            (0.5, 0.5),
            (-0.9, 0.033333333333333326),
            (-3.0, 0.0),
            (2.5, 1.0),
        ] {
            let got = Uniform.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(Uniform.cdf(&[2.0, 1.0], 1.5), None);
    }
}
