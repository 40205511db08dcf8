//! Geometric distribution on {0, 1, 2, …}: the number of failures before the first success.
//!
//! P(k | p) = p (1 − p)ᵏ,  k ∈ {0, 1, 2, …}; parameter `prob` p ∈ (0, 1), the success
//! probability. Mean (1 − p)/p, variance (1 − p)/p². (scipy's `geom` counts *trials*,
//! k + 1; this family is `scipy.stats.geom(p, loc=-1)`, and R's `dgeom`.)
//!
//! Exponential family with sufficient statistics (Σw, x̄): the log-likelihood is
//! Σw · (ln p + x̄ ln(1 − p)), O(1) per evaluation. The MLE is closed form, p̂ = 1/(1 + x̄). When
//! every count is 0 it would be p̂ = 1, on the boundary, and the data are degenerate. Both
//! logarithms are taken to full relative precision (`ln_1p` for ln(1 − p), and for ln p when p
//! is near 1).
//!
//! Reference: Johnson, Kemp & Kotz, *Univariate Discrete Distributions*, 3rd ed. (2005),
//! §5.2 (the geometric distribution, estimation).

use rand::RngCore;
use rand_distr::Distribution;

use super::negative_binomial::ln_p_and_q;
use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::is_count;

/// The geometric family, parameter (prob).
#[derive(Debug, Clone, Copy, Default)]
pub struct Geometric;

impl Family for Geometric {
    fn name(&self) -> &'static str {
        "geometric"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["geom"]
    }

    fn formula(&self) -> &'static str {
        "P(k) = prob (1 - prob)^k"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 1] = [ParamSpec::unit("prob")];
        &P
    }

    fn support(&self) -> Support {
        Support::Counts
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
                "all counts are 0, so the MLE would be prob = 1, on the boundary",
            ));
        }
        Ok(vec![1.0 / (1.0 + s.mean)])
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
        let p = theta[0];
        let q = 1.0 - p;
        if let Some(g) = grad {
            g[0] = 1.0 / p - x / q;
        }
        if let Some(h) = hess {
            h[0] = -1.0 / (p * p) - x / (q * q);
        }
        let (ln_p, ln_q) = ln_p_and_q(p);
        if x == 0.0 {
            ln_p
        } else {
            ln_p + x * ln_q
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
        if !(s.all_integer && s.min >= 0.0) {
            return f64::NEG_INFINITY;
        }
        let (w, p) = (s.total_weight, theta[0]);
        let q = 1.0 - p;
        // Σ wᵢ kᵢ.
        let wk = w * s.mean;
        if let Some(g) = grad {
            g[0] = w / p - wk / q;
        }
        if let Some(h) = hess {
            h[0] = -w / (p * p) - wk / (q * q);
        }
        let (ln_p, ln_q) = ln_p_and_q(p);
        if wk == 0.0 {
            w * ln_p
        } else {
            w * ln_p + wk * ln_q
        }
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    /// F(x) = 1 − (1 − p)^(⌊x⌋ + 1), as −expm1((⌊x⌋ + 1) ln(1 − p)).
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if let Some(edge) = super::count_cdf_edges(x, f64::INFINITY) {
            return Some(edge);
        }
        let (_, ln_q) = ln_p_and_q(theta[0]);
        Some(-((x.floor() + 1.0) * ln_q).exp_m1())
    }

    /// 1/(p²(1 − p)) in closed form (E[k] = (1 − p)/p in the Hessian −1/p² − k/(1 − p)²): the
    /// sum it replaces would need ~1/p terms.
    fn expected_information(&self, theta: &[f64], out: &mut [f64]) -> bool {
        let p = theta[0];
        out[0] = 1.0 / (p * p * (1.0 - p));
        true
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // rand_distr's geometric counts the failures before the first success, as here; it
        // returns a u64, which saturates at 1.8e19, and its constructor never returns once
        // 1 − p rounds to 1 (p < 1.1e-16), so a law whose upper quantiles pass 2⁵³ (p < 1e-12)
        // is drawn by inversion, ⌊ln U / ln(1 − p)⌋, in doubles.
        let p = theta[0];
        let d = if p >= 1e-12 {
            rand_distr::Geometric::new(p).ok()
        } else {
            None
        };
        match d {
            Some(d) => (0..n).map(|_| d.sample(rng) as f64).collect(),
            None => (0..n)
                .map(|_| {
                    let u: f64 = rand_distr::OpenClosed01.sample(rng);
                    (u.ln() / (-p).ln_1p()).floor()
                })
                .collect(),
        }
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let p = theta[0];
        let mean = (1.0 - p) / p;
        (mean, mean / p)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, rel_close, Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};

    #[test]
    fn known_mass_values() {
        // scipy.stats.geom.logpmf(k, p, loc=-1) (failures, not trials), scipy 1.17.
        let cases = [
            (0.0, 0.35, -1.0498221244986778),
            (3.0, 0.35, -2.3421708727760406),
            (40.0, 0.02, -4.720131298128924),
            (0.0, 0.999, -0.0010005003335835344),
            (1000.0, 1e-3, -7.90825561256567),
            (2.0, 0.9999999, -32.23619140296936),
        ];
        for (k, p, expected) in cases {
            let lp = Geometric.ln_density_derivs(&[p], k, None, None);
            assert!(rel_close(lp, expected, 1e-13), "k={k} p={p}: {lp}");
        }
        for x in [-1.0, 0.5, 2.25, f64::INFINITY, f64::NAN] {
            assert_eq!(
                Geometric.ln_density_derivs(&[0.3], x, None, None),
                f64::NEG_INFINITY
            );
        }
    }

    #[test]
    fn closed_form_is_one_over_one_plus_the_mean() {
        let s = Sample::new(vec![0.0, 1.0, 2.0, 5.0]).unwrap();
        assert_eq!(Geometric.closed_form(&s).unwrap(), vec![1.0 / 3.0]);
        let mut g = [0.0];
        Geometric.log_likelihood(&[1.0 / 3.0], &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-13, "{}", g[0]);
    }

    #[test]
    fn all_zero_counts_are_degenerate() {
        let s = Sample::new(vec![0.0; 3]).unwrap();
        let e = Geometric.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("prob = 1, on the boundary"), "{e}");
        assert!(Geometric.closed_form(&s).is_none());
    }

    #[test]
    fn derivatives_match_central_differences() {
        for (p, x) in [
            (0.35, 0.0),
            (0.35, 4.0),
            (0.01, 250.0),
            (0.98, 1.0),
            (0.5, 30.0),
        ] {
            // Steps 1e-8·p: at p near 1 a step relative to p is large relative to 1 − p.
            let how = Derivs {
                step: Step::Relative(1e-8),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&Geometric, &[p], x, how);
        }
    }

    #[test]
    fn sufficient_statistics_equal_pointwise() {
        let s = Sample::new(vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0, 1.0])
            .unwrap()
            .with_weights(vec![2.0, 0.5, 1.0, 1.0, 0.0, 3.0, 1.5])
            .unwrap();
        for p in [0.01, 0.35, 0.9, 1.0 - 1e-9] {
            check_fast_path(&Geometric, &[p], &s, 1e-13, 1e-13);
        }
        let s = Sample::new(vec![1.0, 0.5]).unwrap();
        assert_eq!(
            Geometric.log_likelihood(&[0.5], &s, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn fit_recovers_prob_from_a_seeded_sample() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let xs = Geometric.sample(&[0.2], 2000, &mut rng);
        let mean = xs.iter().sum::<f64>() / 2000.0;
        // Mean 4, sd √20 ≈ 4.5: the sample mean is within 0.5 of 4.
        assert!((mean - 4.0).abs() < 0.5, "{mean}");
        let s = Sample::new(xs).unwrap();
        let f = fit(&Geometric, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?}", f.termination);
        let p = f.params.get("prob").unwrap();
        assert!(rel_close(p, 1.0 / (1.0 + mean), 1e-14));
        let se = f.std_errors.unwrap().get("prob").unwrap();
        // Observed information at p̂: n / (p̂² (1 − p̂)).
        assert!(rel_close(se, (p * p * (1.0 - p) / 2000.0).sqrt(), 1e-9));
        assert!((p - 0.2).abs() < 5.0 * se);
    }

    #[test]
    fn mean_variance() {
        assert_eq!(Geometric.mean_variance(&[0.25]), (3.0, 12.0));
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.geom.cdf(k, p, loc=-1) (failures before the first success), scipy 1.17.1.
        let cases = [
            (0.0, 0.3, 0.3),
            (4.0, 0.3, 0.83193),
            (100.0, 1e-6, 0.00010099495016664591),
        ];
        for (k, p, expected) in cases {
            let f = Geometric.cdf(&[p], k).unwrap();
            assert!(rel_close(f, expected, 1e-14), "k={k} p={p}: {f}");
            assert_eq!(Geometric.cdf(&[p], k + 0.5), Some(f));
        }
        assert_eq!(Geometric.cdf(&[0.3], -0.5), Some(0.0));
        assert_eq!(Geometric.cdf(&[0.3], f64::INFINITY), Some(1.0));
    }
}
