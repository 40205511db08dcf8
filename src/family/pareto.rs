//! Pareto distribution (type I), scale–shape parameterisation.
//!
//! p(x | xₘ, α) = α xₘᵅ / x^(α+1),  x ≥ xₘ; parameters `scale` xₘ > 0 (the lower end of the
//! support, not a rate) and `shape` α > 0 (the tail index: P(X > x) = (xₘ/x)^α). The support
//! moves with xₘ: ln p = −∞ for x < xₘ. Data are validated as positive; the family itself puts
//! no mass below xₘ.
//!
//! Exponential family for fixed xₘ, with sufficient statistic mean ln x, so every evaluation is
//! O(1). The MLE is closed form: x̂ₘ = min xᵢ (over rows with positive weight) and
//! α̂ = Σw / Σw ln(xᵢ/x̂ₘ), the sum formed as Σw ln_1p((xᵢ − x̂ₘ)/x̂ₘ) so that tightly clustered
//! data keep their digits. x̂ₘ is a *boundary* estimate: the likelihood increases in xₘ up to the
//! smallest observation and is −∞ beyond it, so the score in xₘ is never zero, x̂ₘ is biased
//! upward by O(xₘ/(nα)), and it has no score-based standard error
//! ([`Family::irregularity`]); α's standard error is conditional on x̂ₘ. When all values are
//! equal, α̂ would be infinite and the data are reported as degenerate.
//!
//! Mean α xₘ/(α − 1) for α > 1, variance xₘ² α / ((α − 1)² (α − 2)) for α > 2 (∞ otherwise).
//!
//! Reference: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 1,
//! 2nd ed., ch. 20 (§20.3, maximum-likelihood estimation).

use rand::RngCore;
use rand_distr::Distribution;

use super::uniform::check_within;
use super::{degenerate, Family, Irregularity, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::format::exact;
use crate::sum::CompensatedSum;

/// The Pareto (type I) family, parameters (scale, shape).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pareto;

impl Family for Pareto {
    fn name(&self) -> &'static str {
        "pareto"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["pareto1"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = shape scale^shape / x^(shape+1),  x >= scale"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::positive("scale"), ParamSpec::positive("shape")];
        &P
    }

    fn support(&self) -> Support {
        Support::Positive
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

    /// The conditional MLE: x̂ₘ = min xᵢ whatever α is, and α̂ = Σw / Σw ln(xᵢ/xₘ) for a given
    /// (or estimated) xₘ.
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let s = sample.summary();
        let xm = fixed[0].unwrap_or(s.min);
        if let Some(a) = fixed[1] {
            return Ok(vec![xm, a]);
        }
        // Σw ln(x/xₘ) with ln_1p of the relative excess: exact to rounding even when every
        // value lies within a few ulps of the minimum.
        let mut sum = CompensatedSum::default();
        for (i, &x) in sample.values().iter().enumerate() {
            let w = sample.weight(i);
            if w > 0.0 {
                sum.add(w * ((x - xm) / xm).ln_1p());
            }
        }
        if !(sum.value() > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal to the scale ({}), so the shape would be infinite",
                    exact(xm)
                ),
            ));
        }
        Ok(vec![xm, s.total_weight / sum.value()])
    }

    fn check_data(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<()> {
        match fixed[0] {
            Some(xm) => check_within(self, sample, format!("[{xm}, ∞)"), |x| x >= xm),
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
        let (xm, a) = (theta[0], theta[1]);
        if !(x >= xm && x.is_finite()) {
            return f64::NEG_INFINITY;
        }
        // ln(x/xₘ) ≥ 0, formed from the relative excess for values just above xₘ.
        let r = ((x - xm) / xm).ln_1p();
        if let Some(g) = grad {
            g[0] = a / xm;
            g[1] = 1.0 / a - r;
        }
        if let Some(h) = hess {
            h[0] = -a / (xm * xm);
            h[1] = 1.0 / xm;
            h[2] = h[1];
            h[3] = -1.0 / (a * a);
        }
        a.ln() - xm.ln() - (a + 1.0) * r
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn irregularity(&self) -> Option<Irregularity> {
        Some(Irregularity {
            params: &[0],
            support_depends_on_params: true,
            note: "non-regular: the scale is the sample minimum, a boundary estimate (the \
                   likelihood rises up to the smallest value and is zero beyond it), biased upward \
                   by O(1/n) and without a score-based standard error; the shape's standard error \
                   is conditional on it",
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
        let (xm, a) = (theta[0], theta[1]);
        if !(s.min >= xm) {
            return f64::NEG_INFINITY;
        }
        let w = s.total_weight;
        let ln_xm = xm.ln();
        // mean ln(x/xₘ) ≥ 0; the difference of two logs is exact to their rounding.
        let r = (s.mean_ln - ln_xm).max(0.0);
        if let Some(g) = grad {
            g[0] = w * a / xm;
            g[1] = w * (1.0 / a - r);
        }
        if let Some(h) = hess {
            h[0] = -w * a / (xm * xm);
            h[1] = w / xm;
            h[2] = h[1];
            h[3] = -w / (a * a);
        }
        w * (a.ln() - ln_xm - (a + 1.0) * r)
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (xm, alpha) = (theta[0], theta[1]);
        if x <= xm {
            return Some(0.0);
        }
        // 1 − (xₘ/x)^α = −expm1(−α ln(1 + (x − xₘ)/xₘ)): accurate just above xₘ.
        Some(-(-alpha * ((x - xm) / xm).ln_1p()).exp_m1())
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand_distr::Pareto::new(theta[0], theta[1]).expect("valid pareto parameters");
        (0..n).map(|_| d.sample(rng)).collect()
    }

    fn typical_params(&self) -> Vec<f64> {
        vec![1.5, 2.3]
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (xm, a) = (theta[0], theta[1]);
        let mean = if a > 1.0 {
            a * xm / (a - 1.0)
        } else {
            f64::INFINITY
        };
        let var = if a > 2.0 {
            xm * xm * a / ((a - 1.0) * (a - 1.0) * (a - 2.0))
        } else {
            f64::INFINITY
        };
        (mean, var)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives_with, check_fast_path_with, rel_close};
    use super::super::testkit::{Derivs, FastPath};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    const IN_LOG_UNITS: Derivs = Derivs {
        log_units: true,
        ..Derivs::rel(1e-6)
    };

    #[test]
    fn known_density_values() {
        // scipy.stats.pareto.logpdf(3.0, 2.3, scale=1.5) = -1.85994168102088
        let lp = Pareto.ln_density_derivs(&[1.5, 2.3], 3.0, None, None);
        assert!(rel_close(lp, -1.859_941_681_020_88, 1e-14), "{lp}");
        // scipy.stats.pareto.logpdf(1.5, 2.3, scale=1.5) = 0.4274440148269395 (at the edge)
        let lp = Pareto.ln_density_derivs(&[1.5, 2.3], 1.5, None, None);
        assert!(rel_close(lp, 0.427_444_014_826_939_5, 1e-14), "{lp}");
        // scipy.stats.pareto.logpdf(1e4, 0.7, scale=20.0) = -13.917240984810448
        let lp = Pareto.ln_density_derivs(&[20.0, 0.7], 1e4, None, None);
        assert!(rel_close(lp, -13.917_240_984_810_448, 1e-14), "{lp}");
    }

    #[test]
    fn below_the_scale_is_outside_the_support() {
        let t = [1.5, 2.3];
        for x in [1.5 - 1e-12, 1.0, 0.0, -1.0] {
            assert_eq!(
                Pareto.ln_density_derivs(&t, x, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![1.4, 2.0, 3.0]).unwrap();
        assert_eq!(Pareto.log_likelihood(&t, &s, None, None), f64::NEG_INFINITY);
        // A zero-weight row below the scale does not count.
        let s = s.with_weights(vec![0.0, 1.0, 1.0]).unwrap();
        assert!(Pareto.log_likelihood(&t, &s, None, None).is_finite());
    }

    #[test]
    fn closed_form_on_a_tiny_sample() {
        let s = Sample::new(vec![2.0, 4.0, 8.0]).unwrap();
        let t = Pareto.closed_form(&s).unwrap();
        assert_eq!(t[0], 2.0);
        // α̂ = 3 / (0 + ln 2 + ln 4) = 1 / ln 2.
        assert!(rel_close(t[1], 1.0 / 2f64.ln(), 1e-15), "{t:?}");
        // Weights act as frequencies; zero-weight rows are ignored (also for the minimum).
        let w = Sample::new(vec![1.0, 2.0, 4.0, 8.0])
            .unwrap()
            .with_weights(vec![0.0, 2.0, 1.0, 0.0])
            .unwrap();
        let t = Pareto.closed_form(&w).unwrap();
        assert_eq!(t[0], 2.0);
        assert!(rel_close(t[1], 3.0 / 2f64.ln(), 1e-15), "{t:?}");
        // Values within a few ulps of each other keep the shape's digits.
        let x0 = 1e8;
        let s = Sample::new(vec![x0, x0 * (1.0 + 4e-16 * 4.0)]).unwrap();
        let t = Pareto.closed_form(&s).unwrap();
        let excess = ((s.values()[1] - x0) / x0).ln_1p();
        assert!(rel_close(t[1], 2.0 / excess, 1e-12), "{t:?}");
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![3.0; 4]).unwrap();
        let e = Pareto.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
        assert!(Pareto.closed_form(&s).is_none());
        // With the scale fixed below the data, the shape has an MLE again.
        let t = Pareto
            .initial_estimate_given(&s, &[Some(1.5), None])
            .unwrap();
        assert!(rel_close(t[1], 1.0 / 2f64.ln(), 1e-15), "{t:?}");
    }

    #[test]
    fn fixed_scale_or_shape() {
        let s = Sample::new(vec![2.0, 4.0, 8.0]).unwrap();
        // α̂ given xₘ = 1: 3 / (ln 2 + ln 4 + ln 8) = 1 / (2 ln 2).
        let t = Pareto
            .initial_estimate_given(&s, &[Some(1.0), None])
            .unwrap();
        assert!(
            t[0] == 1.0 && rel_close(t[1], 0.5 / 2f64.ln(), 1e-15),
            "{t:?}"
        );
        let t = Pareto
            .initial_estimate_given(&s, &[None, Some(3.0)])
            .unwrap();
        assert_eq!(t, vec![2.0, 3.0]);
        assert!(Pareto.check_data(&s, &[Some(2.0), None]).is_ok());
        let e = Pareto.check_data(&s, &[Some(3.0), None]).unwrap_err();
        assert!(e.to_string().contains("[3, ∞)"), "{e}");
        // Fixing the scale makes both parameters regular: the optimizer certifies the shape.
        let opts = FitOptions {
            fixed: vec![("scale".into(), 1.0)],
            ..Default::default()
        };
        let f = fit(&Pareto, &s, &opts).unwrap();
        assert!(f.converged, "{:?}", f.termination);
        assert!(
            rel_close(f.theta()[1], 0.5 / 2f64.ln(), 1e-12),
            "{:?}",
            f.theta()
        );
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for (theta, x) in [
            ([1.5, 2.3], 3.0),
            ([1.5, 2.3], 1.5 * (1.0 + 1e-3)),
            ([20.0, 0.7], 1e4),
            ([1e-4, 40.0], 1.2e-4),
            ([1e4, 0.05], 1e9),
        ] {
            check_derivatives_with(&Pareto, &theta, x, IN_LOG_UNITS);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let x = vec![1.6, 2.0, 9.0, 1.7, 30.0, 2.5];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let how = FastPath {
            log_units: true,
            ..FastPath::rel(1e-12)
        };
        let s = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        check_fast_path_with(&Pareto, &[1.5, 2.3], &s, how);
        check_fast_path_with(&Pareto, &[1.6, 0.3], &s, how);
        check_fast_path_with(&Pareto, &[0.2, 7.0], &Sample::new(x).unwrap(), how);
    }

    #[test]
    fn fit_holds_the_minimum_and_recovers_the_shape() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let truth = [1.5, 2.3];
        let s = Sample::new(Pareto.sample(&truth, 2000, &mut rng)).unwrap();
        let f = fit(&Pareto, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        let t = f.theta();
        assert_eq!(t[0], s.summary().min);
        assert!(t[0] >= truth[0] && t[0] - truth[0] < 0.01, "{t:?}");
        let se = f.std_errors.as_ref().unwrap();
        assert!(se.get("scale").is_none());
        // se(α̂ | x̂ₘ) = α̂/√n from the observed information n/α².
        let se_a = se.get("shape").unwrap();
        assert!(rel_close(se_a, t[1] / 2000f64.sqrt(), 1e-9), "{se_a}");
        assert!((t[1] - truth[1]).abs() < 4.0 * se_a, "{t:?}");
        assert!(f.notes.iter().any(|n| n.contains("sample minimum")));
        assert_ne!(f.termination, Termination::Boundary);
    }

    #[test]
    fn moments() {
        let (m, v) = Pareto.mean_variance(&[2.0, 3.0]);
        assert!(
            rel_close(m, 3.0, 1e-15) && rel_close(v, 3.0, 1e-15),
            "{m} {v}"
        );
        let (m, v) = Pareto.mean_variance(&[2.0, 1.5]);
        assert!(rel_close(m, 6.0, 1e-15) && v == f64::INFINITY);
        assert_eq!(Pareto.mean_variance(&[2.0, 0.8]).0, f64::INFINITY);
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.pareto.cdf(x, b=1.7, scale=2) (scale 2, shape 1.7), except
        // just above the scale, where scipy's 1 − (xₘ/x)^α cancels (it gives
        // 8.499999415434445e-08): there mpmath (40 digits) of 1 − (2/x)^1.7.
        let theta = [2.0, 1.7];
        for (x, want) in [
            (2.5, 0.3156898560056397),
            (2.0000001, 8.499999412339117e-08),
            (100.0, 0.9987065459868453),
            (1.5, 0.0),
        ] {
            let got = Pareto.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
    }
}
