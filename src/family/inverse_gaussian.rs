//! Inverse Gaussian (Wald) distribution, mean–shape parameterisation.
//!
//! p(x | μ, λ) = √(λ / (2π x³)) exp(−λ (x − μ)² / (2 μ² x)),  x > 0; parameters `mean` μ > 0
//! and `shape` λ > 0 (the variance is μ³/λ). scipy calls it `invgauss(μ/λ, scale = λ)`: its
//! first argument is the mean in units of the scale, not μ.
//!
//! Exponential family with sufficient statistics Σw, x̄, mean(1/x) and mean(ln x), and a closed
//! form MLE (Tweedie 1957): μ̂ = x̄ and 1/λ̂ = mean(1/x) − 1/x̄ (weighted). That difference
//! cancels catastrophically on tightly clustered data, so it is never formed: with
//! dᵢ = (xᵢ − x̄)/x̄, mean(1/x) − 1/x̄ = mean(dᵢ² / xᵢ) =: h, a mean of non-negative terms. The
//! log-likelihood uses the same split, mean((x − μ)² / (μ² x)) = ((x̄ − μ)/μ)² / x̄ + h, so
//! nothing cancels at any θ. x̄ and mean(ln x) come from the sample's cached summary; h is not
//! cached there and costs one pass of a division per value at each evaluation (far cheaper than
//! the pointwise loop, but O(n), hence `uses_sufficient_statistics` is false).
//!
//! Degenerate data: when every value is equal h = 0 and λ̂ = ∞ (no MLE).
//!
//! References: Tweedie, "Statistical properties of inverse Gaussian distributions I", Annals of
//! Mathematical Statistics 28 (1957); Chhikara & Folks, *The Inverse Gaussian Distribution*
//! (1989), ch. 6; Michael, Schucany & Haas, "Generating random variates using transformations
//! with multiple roots", The American Statistician 30 (1976) (the sampler).

use rand::{Rng, RngCore};
use rand_distr::StandardNormal;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_SQRT_2PI;
use crate::numeric::format::exact;
use crate::sum::CompensatedSum;

/// The inverse Gaussian family, parameters (mean, shape).
#[derive(Debug, Clone, Copy, Default)]
pub struct InverseGaussian;

impl Family for InverseGaussian {
    fn name(&self) -> &'static str {
        "inverse_gaussian"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["wald", "invgauss"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = sqrt(shape / (2 pi x^3)) exp(-shape (x - mean)^2 / (2 mean^2 x))"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::positive("mean"), ParamSpec::positive("shape")];
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

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.min > 0.0) {
            return Err(degenerate(
                self,
                format!("the value {} is outside the support (0, ∞)", exact(s.min)),
            ));
        }
        let h = excess_reciprocal(sample, s.mean, s.total_weight);
        if !(h > 0.0) || s.min == s.max {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the shape would be infinite",
                    exact(s.min)
                ),
            ));
        }
        Ok(vec![s.mean, 1.0 / h])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !(x > 0.0) || !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let (mu, lambda) = (theta[0], theta[1]);
        let d = (x - mu) / mu;
        let q = d * d / x;
        if let Some(g) = grad {
            g[0] = lambda * d / (mu * mu);
            g[1] = 0.5 * (1.0 / lambda - q);
        }
        if let Some(h) = hess {
            h[0] = lambda * (2.0 * mu - 3.0 * x) / (mu * mu * mu * mu);
            h[1] = d / (mu * mu);
            h[2] = h[1];
            h[3] = -0.5 / (lambda * lambda);
        }
        0.5 * lambda.ln() - LN_SQRT_2PI - 1.5 * x.ln() - 0.5 * lambda * q
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let s = sample.summary();
        if !(s.min > 0.0) {
            return f64::NEG_INFINITY;
        }
        let (w, xbar, mu, lambda) = (s.total_weight, s.mean, theta[0], theta[1]);
        let dm = (xbar - mu) / mu;
        // mean((x − μ)² / (μ² x)), split so that nothing cancels (see the module doc).
        let q = dm * dm / xbar + excess_reciprocal(sample, xbar, w);
        if let Some(g) = grad {
            g[0] = w * lambda * dm / (mu * mu);
            g[1] = 0.5 * w * (1.0 / lambda - q);
        }
        if let Some(h) = hess {
            h[0] = w * lambda * (2.0 * mu - 3.0 * xbar) / (mu * mu * mu * mu);
            h[1] = w * dm / (mu * mu);
            h[2] = h[1];
            h[3] = -0.5 * w / (lambda * lambda);
        }
        w * (0.5 * lambda.ln() - LN_SQRT_2PI - 1.5 * s.mean_ln - 0.5 * lambda * q)
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (mu, lambda) = (theta[0], theta[1]);
        if x <= 0.0 {
            return Some(0.0);
        }
        if x == f64::INFINITY {
            return Some(1.0);
        }
        // F = Φ(a) + e^(2λ/μ) Φ(b), a = √(λ/x)(x/μ − 1), b = −√(λ/x)(x/μ + 1). The factor
        // e^(2λ/μ) overflows long before the product does; since 2λ/μ − b²/2 = −a²/2 exactly,
        // the second term is φ(a) Φ(b)/φ(b) = φ(a)/r(b), with r the inverse Mills ratio,
        // which the skew-normal's helper evaluates to full precision deep in the lower tail.
        let r = (lambda / x).sqrt();
        let a = r * ((x - mu) / mu);
        let b = -r * ((x + mu) / mu);
        let phi_a = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (_, mills_b, _) = super::skew_normal::ln_cdf_and_mills(b);
        let lower = 0.5 * libm::erfc(-a * std::f64::consts::FRAC_1_SQRT_2);
        Some((lower + phi_a / mills_b).min(1.0))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        // Michael, Schucany & Haas (1976): the smaller root of the quadratic in x for the
        // chi-square(1) variate y = μ v², written without cancellation as
        // x = 4λμ / (√y + √(y + 4λ))² (the textbook μ + μ/(2λ)(y − √(4λy + y²)) loses every
        // digit, even its sign, when y ≫ λ), then μ²/x with probability x/(μ + x).
        let (mu, lambda) = (theta[0], theta[1]);
        (0..n)
            .map(|_| {
                let v: f64 = rng.sample(StandardNormal);
                let y = mu * v * v;
                let root = y.sqrt() + (y + 4.0 * lambda).sqrt();
                let x = 4.0 * lambda * mu / (root * root);
                let u: f64 = rng.random();
                if u * (mu + x) <= mu {
                    x
                } else {
                    mu * (mu / x)
                }
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (mu, lambda) = (theta[0], theta[1]);
        (mu, mu * mu * (mu / lambda))
    }
}

/// h = mean(1/x) − 1/x̄ = Σw ((x − x̄)/x̄)² / x / Σw ≥ 0 (weighted, zero-weight rows skipped),
/// summed as non-negative terms so that nearly constant data keep their digits.
fn excess_reciprocal(sample: &Sample, xbar: f64, total_weight: f64) -> f64 {
    let mut sum = CompensatedSum::default();
    match sample.weights() {
        None => {
            for &x in sample.values() {
                let d = (x - xbar) / xbar;
                sum.add(d * d / x);
            }
        }
        Some(ws) => {
            for (&x, &w) in sample.values().iter().zip(ws) {
                if w != 0.0 {
                    let d = (x - xbar) / xbar;
                    sum.add(w * (d * d / x));
                }
            }
        }
    }
    sum.value() / total_weight
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{
        check_derivatives_with, check_fast_path_with, rel_close, Derivs, FastPath,
    };
    use super::*;
    use crate::fit::{fit, FitOptions};

    /// Derivatives compared in the scale-free units θᵢ ∂/∂θᵢ, as the optimizer (log coordinates)
    /// sees them.
    const IN_LOG_UNITS: Derivs = Derivs {
        log_units: true,
        ..Derivs::rel(1e-6)
    };

    /// The sufficient-statistics path against the pointwise sum, in the units θᵢ ∂/∂θᵢ.
    const SUFFICIENT: FastPath = FastPath {
        log_units: true,
        ..FastPath::rel(1e-12)
    };

    #[test]
    fn known_density_values() {
        let cases = [
            // scipy.stats.invgauss.logpdf(1.3, 2.0/3.0, scale=3.0) = -0.9045249394180084
            (2.0, 3.0, 1.3, -0.904_524_939_418_008_4),
            // scipy.stats.invgauss.logpdf(0.05, 1.0/0.5, scale=0.5) = -1.2844137131536582
            (1.0, 0.5, 0.05, -1.284_413_713_153_658_2),
            // scipy.stats.invgauss.logpdf(1e4, 1.02e4/5e5, scale=5e5) = -8.182879090279162
            (1.02e4, 5e5, 1e4, -8.182_879_090_279_162),
            // scipy.stats.invgauss.logpdf(2.2e-4, 1e-4/3e-4, scale=3e-4) = 6.676203760740978
            (1e-4, 3e-4, 2.2e-4, 6.676_203_760_740_978),
        ];
        for (mu, lambda, x, want) in cases {
            let lp = InverseGaussian.ln_density_derivs(&[mu, lambda], x, None, None);
            assert!(
                rel_close(lp, want, 1e-13),
                "{mu} {lambda} {x}: {lp} vs {want}"
            );
        }
    }

    #[test]
    fn zero_and_negative_values_are_outside_the_support() {
        for &x in &[0.0, -1.0, -1e-300] {
            assert_eq!(
                InverseGaussian.ln_density_derivs(&[2.0, 1.0], x, None, None),
                f64::NEG_INFINITY
            );
        }
        let s = Sample::new(vec![0.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            InverseGaussian.log_likelihood(&[1.0, 1.0], &s, None, None),
            f64::NEG_INFINITY
        );
        let e = InverseGaussian.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("outside the support"), "{e}");
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let points: [([f64; 2], f64); 7] = [
            ([2.0, 3.0], 1.3),
            ([1.0, 0.5], 0.05),
            ([1.0, 0.5], 40.0),
            ([1.02e4, 5e5], 1e4),
            ([1e-4, 3e-4], 2.2e-4),
            ([2.3, 2.3], 2.3),
            ([0.5, 200.0], 0.49),
        ];
        for (theta, x) in points {
            check_derivatives_with(&InverseGaussian, &theta, x, IN_LOG_UNITS);
        }
    }

    #[test]
    fn sufficient_statistics_match_pointwise_sum() {
        let x = vec![0.2, 1.5, 3.0, 0.9, 12.0, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let s = Sample::new(x.clone())
            .unwrap()
            .with_weights(w.clone())
            .unwrap();
        check_fast_path_with(&InverseGaussian, &[1.3, 2.5], &s, SUFFICIENT);
        check_fast_path_with(&InverseGaussian, &[4.0, 0.7], &s, SUFFICIENT);
        check_fast_path_with(
            &InverseGaussian,
            &[1.3, 2.5],
            &Sample::new(x.clone()).unwrap(),
            SUFFICIENT,
        );
        let big: Vec<f64> = x.iter().map(|v| 1e4 + 100.0 * v).collect();
        let s = Sample::new(big).unwrap().with_weights(w.clone()).unwrap();
        check_fast_path_with(&InverseGaussian, &[1.02e4, 5e7], &s, SUFFICIENT);
        let small: Vec<f64> = x.iter().map(|v| 1e-4 * (1.0 + 0.01 * v)).collect();
        let s = Sample::new(small).unwrap().with_weights(w).unwrap();
        check_fast_path_with(&InverseGaussian, &[1.01e-4, 1.0], &s, SUFFICIENT);
    }

    #[test]
    fn closed_form_on_a_tiny_sample() {
        // x = 1, 2, 4: x̄ = 7/3, mean(1/x) = 7/12, 1/λ̂ = 7/12 − 3/7 = 13/84.
        let s = Sample::new(vec![1.0, 2.0, 4.0]).unwrap();
        let t = InverseGaussian.closed_form(&s).unwrap();
        assert!(rel_close(t[0], 7.0 / 3.0, 1e-15), "{t:?}");
        assert!(rel_close(t[1], 84.0 / 13.0, 1e-15), "{t:?}");
        let mut g = [0.0; 2];
        InverseGaussian.log_likelihood(&t, &s, Some(&mut g), None);
        assert!(g[0].abs() < 1e-15 && g[1].abs() < 1e-15, "{g:?}");
        // Weights are frequencies: 1, 2, 2, 4 ≡ 1, 2 (w 2), 4.
        let s = Sample::new(vec![1.0, 2.0, 4.0])
            .unwrap()
            .with_weights(vec![1.0, 2.0, 1.0])
            .unwrap();
        let r = InverseGaussian
            .closed_form(&Sample::new(vec![1.0, 2.0, 2.0, 4.0]).unwrap())
            .unwrap();
        let t = InverseGaussian.closed_form(&s).unwrap();
        assert!(rel_close(t[0], r[0], 1e-15) && rel_close(t[1], r[1], 1e-15));
    }

    #[test]
    fn tightly_clustered_data_keep_their_digits() {
        // Around 1e4 with relative spread 1e-7, mean(1/x) − 1/x̄ would be formed from two
        // numbers agreeing to ~14 digits; the non-negative split loses nothing.
        let x: Vec<f64> = (0..7).map(|i| 1e4 * (1.0 + 1e-7 * i as f64)).collect();
        let s = Sample::new(x.clone()).unwrap();
        let t = InverseGaussian.closed_form(&s).unwrap();
        // mpmath at 50 digits on these exact doubles: 1/(mean(1/x) − 1/x̄) = 2.5000022496315e17
        // (the direct difference in f64 gives 2.518e17, 0.7 % off). What remains is the rounding
        // of x̄ itself (~1 ulp of 1e4 against deviations of ~1e-3).
        assert!(rel_close(t[1], 2.500_002_249_631_504_6e17, 1e-8), "{t:?}");
        let f = fit(&InverseGaussian, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
    }

    #[test]
    fn fit_recovers_parameters_at_every_scale() {
        for (seed, theta) in [(1u64, [2.3, 2.3]), (2, [1e4, 3e5]), (3, [1e-4, 2e-5])] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let s = Sample::new(InverseGaussian.sample(&theta, 2000, &mut rng)).unwrap();
            let f = fit(&InverseGaussian, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{theta:?}: {:?}", f.termination);
            assert_eq!(f.iterations, 0, "the closed form is the optimum");
            let se = f.std_errors.clone().unwrap();
            for (j, name) in ["mean", "shape"].iter().enumerate() {
                let est = f.params.get(name).unwrap();
                assert!(
                    (est - theta[j]).abs() < 5.0 * se.get(name).unwrap(),
                    "{name}: {est} vs {}",
                    theta[j]
                );
            }
        }
    }

    #[test]
    fn sampler_is_stable_for_very_skewed_laws() {
        // λ ≪ μ: the textbook root formula cancels to 0 or below; this one stays positive.
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let x = InverseGaussian.sample(&[1.0, 1e-6], 20_000, &mut rng);
        assert!(x.iter().all(|v| v.is_finite() && *v > 0.0));
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![2.5; 4]).unwrap();
        let e = InverseGaussian.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
        assert!(InverseGaussian.closed_form(&s).is_none());
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.invgauss.cdf(x, mu=1.5/2, scale=2) (mean 1.5, shape 2).
        let theta = [1.5, 2.0];
        for (x, want) in [
            (1.0, 0.45124078603182777),
            (4.0, 0.9492227148361314),
            (0.05, 9.432135214883786e-10),
            (60.0, 0.9999999999999746),
        ] {
            let got = InverseGaussian.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(InverseGaussian.cdf(&theta, 0.0), Some(0.0));
        assert_eq!(InverseGaussian.cdf(&theta, -1.0), Some(0.0));
        assert_eq!(InverseGaussian.cdf(&theta, f64::INFINITY), Some(1.0));
    }
}
