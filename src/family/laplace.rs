//! Laplace (double exponential) distribution.
//!
//! p(x | μ, b) = exp(−|x − μ| / b) / (2b),  x ∈ ℝ; parameters `location` μ ∈ ℝ (the median)
//! and `scale` b > 0 (the mean absolute deviation from μ, not the standard deviation, which is
//! b√2).
//!
//! The MLE is closed form: μ̂ is the (weighted) sample median, which minimises Σ wᵢ |xᵢ − μ|,
//! and b̂ = Σ wᵢ |xᵢ − μ̂| / Σ wᵢ. When the median is not unique — an even number of unweighted
//! observations, or weights whose cumulative sum hits exactly half the total — every point
//! between the two middle values maximises the likelihood; we pick their midpoint (so the
//! median of 1, 2, 3, 4 is 2.5), and b̂ is the same for every choice. Constant data have no MLE
//! (b̂ = 0). With the location fixed at μ₀ the scale's MLE is mean |x − μ₀|, which is the
//! conditional start ([`Family::initial_estimate_given`]).
//!
//! **The location is non-smooth.** ln p has a kink at x = μ: the score with respect to μ is
//! sign(x − μ)/b and its second derivative is 0 almost everywhere (a point mass that the
//! analytic Hessian cannot carry; at x = μ exactly we return the subgradient 0). The
//! observed information therefore says nothing about μ, and fit() holds μ at the median
//! ([`Family::irregularity`]) while it certifies b by its score. Standard errors come from the
//! expected information of one observation, diag(1/b², 1/b²) — for μ this is the asymptotic
//! variance of the sample median, 1/(4 p(μ)² n) = b²/n.
//!
//! Every evaluation is one pass over the data (Σ w |x − μ|, Σ w sign(x − μ)), with the value
//! sum compensated.
//!
//! References: Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions*, vol. 2,
//! 2nd ed., ch. 24 (§24.4, maximum likelihood); Kotz, Kozubowski & Podgórski, *The Laplace
//! Distribution and Generalizations* (2001), §2.6.1.

use std::f64::consts::LN_2;

use rand::RngCore;
use rand_distr::{Distribution, Exp1};

use super::{degenerate, Family, Irregularity, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::format::exact;
use crate::sum::CompensatedSum;

/// The Laplace family, parameters (location, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct Laplace;

impl Family for Laplace {
    fn name(&self) -> &'static str {
        "laplace"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["double_exponential"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = exp(-|x - location| / scale) / (2 scale)"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("location"), ParamSpec::positive("scale")];
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

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        self.initial_estimate_given(sample, &[None, None])
    }

    /// The conditional MLE: the median does not depend on the scale, and for any location μ
    /// (estimated or fixed) the scale that maximises the likelihood is mean |x − μ|.
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let d = sample.distinct();
        let location = fixed[0].unwrap_or_else(|| weighted_median(d));
        let mut total = CompensatedSum::default();
        let mut dev = CompensatedSum::default();
        for &(x, w) in d {
            total.add(w);
            dev.add(w * (x - location).abs());
        }
        let scale = fixed[1].unwrap_or(dev.value() / total.value());
        if !(scale > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the scale estimate would be 0",
                    exact(d[0].0)
                ),
            ));
        }
        Ok(vec![location, scale])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let (mu, b) = (theta[0], theta[1]);
        let inv_b = 1.0 / b;
        let a = (x - mu).abs() * inv_b;
        let sign = sign(x - mu);
        if let Some(g) = grad {
            g[0] = sign * inv_b;
            g[1] = (a - 1.0) * inv_b;
        }
        if let Some(h) = hess {
            // ∂²/∂μ² is 0 away from the kink (see the module doc).
            h[0] = 0.0;
            h[1] = -sign * inv_b * inv_b;
            h[2] = h[1];
            h[3] = (1.0 - 2.0 * a) * inv_b * inv_b;
        }
        -LN_2 - b.ln() - a
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, b) = (theta[0], theta[1]);
        let x = sample.values();
        let s = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), mu),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                mu,
            ),
        };
        let inv_b = 1.0 / b;
        if let Some(g) = grad {
            g[0] = s.wsign * inv_b;
            g[1] = (s.wabs * inv_b - s.w) * inv_b;
        }
        if let Some(h) = hess {
            let inv_b2 = inv_b * inv_b;
            h[0] = 0.0;
            h[1] = -s.wsign * inv_b2;
            h[2] = h[1];
            h[3] = (s.w - 2.0 * s.wabs * inv_b) * inv_b2;
        }
        -s.w * (LN_2 + b.ln()) - s.wabs * inv_b
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn irregularity(&self) -> Option<Irregularity> {
        Some(Irregularity {
            params: &[0],
            support_depends_on_params: false,
            note: "the location is the sample median, where the log-likelihood has a kink and \
                   no second derivative; its standard error is scale/√n from the expected \
                   information, as for the median",
        })
    }

    fn expected_information(&self, theta: &[f64], out: &mut [f64]) -> bool {
        let i = 1.0 / (theta[1] * theta[1]);
        out.copy_from_slice(&[i, 0.0, 0.0, i]);
        true
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let z = (x - theta[0]) / theta[1];
        Some(if z < 0.0 {
            0.5 * z.exp()
        } else {
            1.0 - 0.5 * (-z).exp()
        })
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // The difference of two independent standard exponentials is standard Laplace.
        (0..n)
            .map(|_| {
                let e1: f64 = Exp1.sample(rng);
                let e2: f64 = Exp1.sample(rng);
                theta[0] + theta[1] * (e1 - e2)
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (theta[0], 2.0 * theta[1] * theta[1])
    }
}

/// sign(v) with sign(0) = 0 (the subgradient at the kink).
#[inline]
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The weighted sums of one pass: Σw, Σw |x − μ|, Σw sign(x − μ).
struct Sums {
    w: f64,
    wabs: f64,
    wsign: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, mu: f64) -> Sums {
        let (mut w_sum, mut wabs, mut wsign) = (0.0, CompensatedSum::default(), 0.0);
        for (x, w) in pairs {
            let d = x - mu;
            w_sum += w;
            wabs.add(w * d.abs());
            wsign += w * sign(d);
        }
        Sums {
            w: w_sum,
            wabs: wabs.value(),
            wsign,
        }
    }
}

/// The weighted median of sorted (value, weight) pairs with positive weights: the first value
/// whose cumulative weight reaches half the total; when it reaches exactly half (to rounding),
/// the midpoint of that value and the next, since the whole interval between them minimises
/// Σ wᵢ |xᵢ − μ|.
fn weighted_median(d: &[(f64, f64)]) -> f64 {
    let total: f64 = d.iter().map(|p| p.1).sum();
    let half = 0.5 * total;
    let mut cum = 0.0;
    for (i, &(x, w)) in d.iter().enumerate() {
        cum += w;
        if cum >= half {
            if cum - half <= 1e-12 * total && i + 1 < d.len() {
                return 0.5 * (x + d[i + 1].0);
            }
            return x;
        }
    }
    d[d.len() - 1].0
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives, check_fast_path};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_density_values() {
        // scipy.stats.laplace.logpdf(1.3, loc=0.5, scale=2.0) = -1.7862943611198907
        let lp = Laplace.ln_density_derivs(&[0.5, 2.0], 1.3, None, None);
        assert!((lp + 1.786_294_361_119_890_7).abs() < 1e-15, "{lp}");
        // scipy.stats.laplace.logpdf(-4.0, loc=0.5, scale=0.25) = -17.306852819440053
        let lp = Laplace.ln_density_derivs(&[0.5, 0.25], -4.0, None, None);
        assert!((lp + 17.306_852_819_440_053).abs() < 1e-14, "{lp}");
        // scipy.stats.laplace.logpdf(0.5, loc=0.5, scale=3.0) = -1.791759469228055
        let lp = Laplace.ln_density_derivs(&[0.5, 3.0], 0.5, None, None);
        assert!((lp + 1.791_759_469_228_055).abs() < 1e-15, "{lp}");
        assert_eq!(Laplace.mean_variance(&[1.0, 3.0]), (1.0, 18.0));
    }

    #[test]
    fn closed_form_is_median_and_mean_absolute_deviation() {
        // Odd n: the middle value; b̂ = (2 + 1 + 0 + 4 + 7)/5.
        let s = Sample::new(vec![1.0, 2.0, 3.0, 7.0, 10.0]).unwrap();
        assert_eq!(Laplace.closed_form(&s).unwrap(), vec![3.0, 14.0 / 5.0]);
        // Even n: the midpoint of the two middle values.
        let s = Sample::new(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(Laplace.closed_form(&s).unwrap(), vec![2.5, 1.0]);
        // Weights act as frequencies: 1, 2, 2, 2, 9 → median 2, b̂ = (1 + 7)/5.
        let w = Sample::new(vec![9.0, 2.0, 1.0])
            .unwrap()
            .with_weights(vec![1.0, 3.0, 1.0])
            .unwrap();
        assert_eq!(Laplace.closed_form(&w).unwrap(), vec![2.0, 8.0 / 5.0]);
        // Cumulative weight exactly half at 0: the midpoint of 0 and 2; zero weights are ignored.
        let w = Sample::new(vec![0.0, 1.0, 2.0, 5.0])
            .unwrap()
            .with_weights(vec![2.0, 0.0, 1.0, 1.0])
            .unwrap();
        assert_eq!(Laplace.closed_form(&w).unwrap(), vec![1.0, 1.75]);
    }

    #[test]
    fn a_fixed_location_gives_the_conditional_scale() {
        let s = Sample::new(vec![1.0, 2.0, 3.0, 7.0, 10.0, 4.0]).unwrap();
        let t = Laplace
            .initial_estimate_given(&s, &[Some(2.0), None])
            .unwrap();
        assert_eq!(t, vec![2.0, 17.0 / 6.0]);
        let opts = FitOptions {
            fixed: vec![("location".into(), 2.0)],
            ..Default::default()
        };
        let f = fit(&Laplace, &s, &opts).unwrap();
        assert!(f.converged && f.iterations == 0, "{f:?}");
        assert_eq!(f.theta(), t);
        // All values at the fixed location: the scale would be 0.
        let s = Sample::new(vec![2.0; 3]).unwrap();
        assert!(Laplace
            .initial_estimate_given(&s, &[Some(2.0), None])
            .is_err());
        assert!(Laplace
            .initial_estimate_given(&s, &[Some(1.0), None])
            .is_ok());
    }

    #[test]
    fn any_point_between_the_middle_values_maximises() {
        let s = Sample::new(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        let t = Laplace.closed_form(&s).unwrap();
        let best = Laplace.log_likelihood(&t, &s, None, None);
        for mu in [2.0, 2.2, 2.9, 3.0] {
            let ll = Laplace.log_likelihood(&[mu, t[1]], &s, None, None);
            assert!((ll - best).abs() < 1e-14, "{mu}: {ll} vs {best}");
        }
        assert!(Laplace.log_likelihood(&[3.1, t[1]], &s, None, None) < best - 1e-3);
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![2.5; 4]).unwrap();
        let e = Laplace.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
        assert!(Laplace.closed_form(&s).is_none());
        // Zero-weight rows do not count as distinct values.
        let s = Sample::new(vec![2.5, 1.0, 2.5])
            .unwrap()
            .with_weights(vec![1.0, 0.0, 2.0])
            .unwrap();
        assert!(Laplace.initial_estimate(&s).is_err());
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        // Away from the kink x = μ, where ln p is smooth in both parameters.
        for &(theta, x) in &[
            ([0.5, 2.0], 1.3),
            ([0.5, 2.0], -3.0),
            ([-1e3, 0.01], -999.97),
            ([1e4, 50.0], 9000.0),
            ([0.0, 1e-3], 2.0),
        ] {
            check_derivatives(&Laplace, &theta, x, 1e-6);
        }
        // At the kink: the subgradient 0 for μ, the smooth scale derivatives.
        let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
        Laplace.ln_density_derivs(&[1.0, 2.0], 1.0, Some(&mut g), Some(&mut h));
        assert_eq!(g, [0.0, -0.5]);
        assert_eq!(h, [0.0, 0.0, 0.0, 0.25]);
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, -1.5, 3.0, 0.9, 12.0, -40.0];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let weighted = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        let plain = Sample::new(x).unwrap();
        for (theta, s) in [
            ([0.4, 1.3], &weighted),
            ([-2.0, 0.2], &weighted),
            ([0.9, 5.0], &weighted),
            ([0.4, 1.3], &plain),
        ] {
            check_fast_path(&Laplace, &theta, s, 1e-14, 1e-13);
        }
    }

    #[test]
    fn fit_holds_the_median_and_uses_the_expected_information() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let x = Laplace.sample(&[-1.5, 0.8], 2000, &mut rng);
        let s = Sample::new(x).unwrap();
        let f = fit(&Laplace, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        assert_eq!(f.termination, Termination::GradientTolerance);
        assert_eq!(f.iterations, 0);
        assert_eq!(f.theta(), Laplace.closed_form(&s).unwrap());
        let se = f.std_errors.clone().unwrap();
        let b = f.theta()[1];
        assert!((se.get("location").unwrap() - b / 2000f64.sqrt()).abs() < 1e-15);
        assert!((se.get("scale").unwrap() - b / 2000f64.sqrt()).abs() < 1e-15);
        assert!((f.theta()[0] + 1.5).abs() < 5.0 * se.get("location").unwrap());
        assert!((f.theta()[1] - 0.8).abs() < 5.0 * se.get("scale").unwrap());
        assert!(
            f.notes.iter().any(|n| n.contains("median")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.laplace.cdf(x, loc=1, scale=2) (location 1, scale 2).
        let theta = [1.0, 2.0];
        for (x, want) in [
            (0.5, 0.38940039153570244),
            (-30.0, 9.276956813079892e-08),
            (3.0, 0.8160602794142788),
        ] {
            let got = Laplace.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
    }
}
