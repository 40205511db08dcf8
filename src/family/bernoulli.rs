//! Bernoulli distribution.
//!
//! P(1 | p) = p, P(0 | p) = 1 − p,  x ∈ {0, 1}; parameter `prob` p ∈ (0, 1), the probability of
//! a 1 (a success).
//!
//! Exponential family with sufficient statistics (Σw, the weighted mean x̄): the
//! log-likelihood is Σw · (x̄ ln p + (1 − x̄) ln(1 − p)), O(1) per evaluation. The MLE is closed
//! form, p̂ = x̄. When every value is 0 (or every value is 1) the likelihood increases all the
//! way to p = 0 (p = 1), on the boundary of the parameter space, and the data are degenerate.
//! ln(1 − p) is evaluated with `ln_1p` and ln p through ln(1 − (1 − p)) for p near 1, so
//! neither loses digits at the edges.
//!
//! Reference: Casella & Berger, *Statistical Inference*, 2nd ed., Example 7.2.7.

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;

/// The Bernoulli family, parameter (prob).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bernoulli;

impl Family for Bernoulli {
    fn name(&self) -> &'static str {
        "bernoulli"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    fn formula(&self) -> &'static str {
        "P(1) = prob, P(0) = 1 - prob"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::unit("prob")];
        &P
    }

    fn support(&self) -> Support {
        Support::Binary
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.mean > 0.0) {
            return Err(degenerate(
                self,
                "every value is 0, so the MLE would be prob = 0, on the boundary",
            ));
        }
        if !(s.mean < 1.0) {
            return Err(degenerate(
                self,
                "every value is 1, so the MLE would be prob = 1, on the boundary",
            ));
        }
        Ok(vec![s.mean])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let p = theta[0];
        let q = 1.0 - p;
        if x == 1.0 {
            if let Some(g) = grad {
                g[0] = 1.0 / p;
            }
            if let Some(h) = hess {
                h[0] = -1.0 / (p * p);
            }
            ln_p(p)
        } else if x == 0.0 {
            if let Some(g) = grad {
                g[0] = -1.0 / q;
            }
            if let Some(h) = hess {
                h[0] = -1.0 / (q * q);
            }
            (-p).ln_1p()
        } else {
            f64::NEG_INFINITY
        }
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.all_integer && s.min >= 0.0 && s.max <= 1.0) {
            return f64::NEG_INFINITY;
        }
        let p = theta[0];
        let q = 1.0 - p;
        // Weights of the ones and of the zeros.
        let w1 = s.total_weight * s.mean;
        let w0 = s.total_weight * (1.0 - s.mean);
        if let Some(g) = grad {
            g[0] = w1 / p - w0 / q;
        }
        if let Some(h) = hess {
            h[0] = -w1 / (p * p) - w0 / (q * q);
        }
        // A zero weight contributes nothing, even against an infinite logarithm.
        let term = |w: f64, ln: f64| if w == 0.0 { 0.0 } else { w * ln };
        term(w1, ln_p(p)) + term(w0, (-p).ln_1p())
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    /// F(x) = 0 below 0, 1 − p on [0, 1), 1 from 1 on.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        Some(if x.is_nan() {
            f64::NAN
        } else if x < 0.0 {
            0.0
        } else if x < 1.0 {
            1.0 - theta[0]
        } else {
            1.0
        })
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let d = rand::distr::Bernoulli::new(theta[0]).expect("valid Bernoulli prob");
        (0..n).map(|_| f64::from(u8::from(d.sample(rng)))).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let p = theta[0];
        (p, p * (1.0 - p))
    }
}

/// ln p to full relative precision, also for p near 1 (where 1 − p is exact).
#[inline]
fn ln_p(p: f64) -> f64 {
    if p > 0.5 {
        (-(1.0 - p)).ln_1p()
    } else {
        p.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, rel_close, Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_mass_values() {
        // scipy.stats.bernoulli.logpmf(k, p), scipy 1.17.
        let cases = [
            (1.0, 0.35, -1.0498221244986778),
            (0.0, 0.35, -0.4307829160924542),
            (1.0, 1e-10, -23.025850929940457),
            (0.0, 1e-10, -1.00000000005e-10),
            (0.0, 0.999_999, -13.815510557935518),
        ];
        for (k, p, expected) in cases {
            let lp = Bernoulli.ln_density_derivs(&[p], k, None, None);
            assert!(rel_close(lp, expected, 1e-13), "k={k} p={p}: {lp}");
        }
        for x in [-1.0, 0.5, 2.0, f64::NAN] {
            assert_eq!(
                Bernoulli.ln_density_derivs(&[0.3], x, None, None),
                f64::NEG_INFINITY
            );
        }
    }

    #[test]
    fn closed_form_is_the_mean() {
        let s = Sample::new(vec![0.0, 1.0, 1.0, 0.0, 1.0]).unwrap();
        assert_eq!(Bernoulli.closed_form(&s).unwrap(), vec![0.6]);
        let s = Sample::new(vec![0.0, 1.0])
            .unwrap()
            .with_weights(vec![3.0, 1.0])
            .unwrap();
        assert_eq!(Bernoulli.closed_form(&s).unwrap(), vec![0.25]);
        let mut g = [0.0];
        Bernoulli.log_likelihood(&[0.25], &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-14);
    }

    #[test]
    fn constant_data_are_degenerate() {
        let e = Bernoulli
            .initial_estimate(&Sample::new(vec![0.0; 4]).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("prob = 0, on the boundary"), "{e}");
        let e = Bernoulli
            .initial_estimate(&Sample::new(vec![1.0; 4]).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("prob = 1, on the boundary"), "{e}");
        // A zero-weight 0 does not count.
        let s = Sample::new(vec![1.0, 0.0, 1.0])
            .unwrap()
            .with_weights(vec![1.0, 0.0, 2.0])
            .unwrap();
        assert!(Bernoulli.closed_form(&s).is_none());
    }

    #[test]
    fn derivatives_match_central_differences() {
        for (p, x) in [
            (0.35, 1.0),
            (0.35, 0.0),
            (0.02, 1.0),
            (0.97, 0.0),
            (0.5, 1.0),
        ] {
            // Steps 1e-8·p: at p near 1 a step relative to p is large relative to 1 − p.
            let how = Derivs {
                step: Step::Relative(1e-8),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&Bernoulli, &[p], x, how);
        }
    }

    #[test]
    fn sufficient_statistics_equal_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 0.0, 3.0, 1.5])
            .unwrap();
        for p in [0.01, 0.35, 0.9, 1.0 - 1e-9] {
            check_fast_path(&Bernoulli, &[p], &s, 1e-14, 1e-13);
        }
        // All ones: the zeros' ln(1 − p) term is absent, not 0 · (−∞).
        let s = Sample::new(vec![1.0, 1.0]).unwrap();
        assert!(Bernoulli.log_likelihood(&[0.5], &s, None, None).is_finite());
        let s = Sample::new(vec![1.0, 0.5]).unwrap();
        assert_eq!(
            Bernoulli.log_likelihood(&[0.5], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn fit_recovers_prob_from_a_seeded_sample() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let xs = Bernoulli.sample(&[0.3], 2000, &mut rng);
        assert!(xs.iter().all(|&x| x == 0.0 || x == 1.0));
        let s = Sample::new(xs).unwrap();
        let f = fit(&Bernoulli, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        assert_eq!(f.termination, Termination::GradientTolerance);
        assert!(f.iterations <= 1, "{}", f.iterations);
        let p = f.params.get("prob").unwrap();
        // The closed form, up to the logit round trip of the optimizer's coordinates.
        assert!(rel_close(p, s.summary().mean, 1e-14));
        let se = f.std_errors.unwrap().get("prob").unwrap();
        // The observed information at p̂ is n / (p̂ (1 − p̂)).
        assert!(rel_close(se, (p * (1.0 - p) / 2000.0).sqrt(), 1e-10));
        assert!((p - 0.3).abs() < 5.0 * se);
    }

    #[test]
    fn mean_variance() {
        assert_eq!(Bernoulli.mean_variance(&[0.25]), (0.25, 0.1875));
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.bernoulli.cdf(x, p), scipy 1.17.1.
        for (x, expected) in [
            (0.0, 0.65),
            (0.5, 0.65),
            (1.0, 1.0),
            (-0.1, 0.0),
            (7.0, 1.0),
        ] {
            let f = Bernoulli.cdf(&[0.35], x).unwrap();
            assert!((f - expected).abs() < 1e-15, "x={x}: {f}");
        }
    }
}
