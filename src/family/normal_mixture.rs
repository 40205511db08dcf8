//! Finite mixture of K normal distributions (univariate, unequal variances).
//!
//! p(x | w, μ, σ) = Σⱼ wⱼ exp(−(x − μⱼ)² / (2σⱼ²)) / (σⱼ √(2π)),  x ∈ ℝ; parameters `w1…wK`
//! (weights in (0, 1) summing to 1, optimised through a softmax: see `objective.rs`),
//! `mean1…meanK` ∈ ℝ and `sd1…sdK` > 0 (standard deviations, not variances). AIC and BIC count
//! 3K − 1 free parameters. This is mclust's univariate model "V".
//!
//! The registry holds the K = 2 instance; [`NormalMixture::new`] builds any other K. What
//! every mixture shares (the generic [`Mixture`], EM, the log-sum-exp) is in `mixture/`; this
//! file holds the normal kernel. The log-likelihood is not concave and a component collapsing
//! onto one value makes it unbounded, so fit a mixture with the multi-start fit
//! (`mlfit::mixture::fit_mixture`: several seeded starts, EM, degeneracy checks, components
//! sorted by mean); a plain fit starts from the quantile split refined by EM and certifies
//! whichever local maximum it reaches.
//!
//! ln p = ln Σⱼ exp(ln wⱼ + ln φⱼ(x)) is evaluated as a log-sum-exp; its score and Hessian come
//! from the responsibilities rⱼ = wⱼφⱼ/p (see [`Terms`]).
//!
//! Reference: McLachlan & Peel, *Finite Mixture Models* (2000), §2.8 and §3.2; Fraley &
//! Raftery, "Model-based clustering, discriminant analysis and density estimation", JASA 97
//! (2002) (mclust).

use rand::RngCore;
use rand_distr::Distribution;

use super::mixture::terms::sum_log_likelihood_rows;
use super::mixture::{typical_weights, Kernel, KernelKind, Mixture, Terms, LN_SQRT_2PI};
use super::{Constraint, ParamSpec, Support};
use crate::data::Sample;

/// Normal components (mean, sd): the kernel of [`NormalMixture`].
#[derive(Debug, Clone, Copy)]
pub struct NormalKernel;

/// A mixture of `k` normals, parameters (w1…wK, mean1…meanK, sd1…sdK).
pub type NormalMixture = Mixture<NormalKernel>;

/// The registry's instance: two components.
pub static NORMAL_MIXTURE: NormalMixture = NormalMixture::TWO;

const SPECS_2: [ParamSpec; 6] = [
    ParamSpec::simplex("w1"),
    ParamSpec::simplex("w2"),
    ParamSpec::real("mean1"),
    ParamSpec::real("mean2"),
    ParamSpec::positive("sd1"),
    ParamSpec::positive("sd2"),
];

impl Kernel for NormalKernel {
    const KIND: KernelKind = KernelKind::Normal;
    const NAME: &'static str = "normal_mixture";
    const ALIASES: &'static [&'static str] = &["normmix", "gaussian_mixture", "gmm"];
    const FORMULA: &'static str =
        "p(x) = sum_j w_j exp(-(x - mean_j)^2 / (2 sd_j^2)) / (sd_j sqrt(2 pi)),  sum_j w_j = 1";
    const SUPPORT: Support = Support::Real;
    const COMPONENT: &'static str = "normal";
    const PREFIXES: &'static [(&'static str, Constraint)] = &[
        ("w", Constraint::Simplex),
        ("mean", Constraint::Real),
        ("sd", Constraint::Positive),
    ];
    const SPECS_2: &'static [ParamSpec] = &SPECS_2;

    fn point(x: f64) -> Option<(f64, f64)> {
        x.is_finite().then_some((x, 0.0))
    }

    fn fill(k: usize, theta: &[f64], y: f64, terms: &mut Terms, derivs: bool) {
        NormalComponents::new(k, theta).fill(y, terms, derivs);
    }

    fn log_likelihood(
        k: usize,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let components = NormalComponents::new(k, theta);
        sum_log_likelihood_rows(
            KernelKind::Normal,
            k,
            sample,
            |y, terms, d| components.fill(y, terms, d),
            grad,
            hess,
        )
    }

    /// F(x) = Σⱼ wⱼ Φ((x − μⱼ)/σⱼ).
    fn cdf(k: usize, theta: &[f64], x: f64) -> Option<f64> {
        let f = (0..k)
            .map(|j| {
                let z = (x - theta[k + j]) / theta[2 * k + j];
                theta[j] * 0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
            })
            .sum::<f64>();
        Some(f.clamp(0.0, 1.0))
    }

    fn draw(k: usize, theta: &[f64], j: usize, rng: &mut dyn RngCore) -> f64 {
        let d = rand_distr::Normal::new(theta[k + j], theta[2 * k + j])
            .expect("valid normal parameters");
        d.sample(rng)
    }

    /// Weights 0.3/0.7, means 0 and 4, sds 1 and 0.8 (K = 2): well separated. Other K: equal
    /// weights, means 0, 4, 8, …, sds alternating 1 and 0.8.
    fn typical_params(k: usize) -> Vec<f64> {
        let mut theta = typical_weights(k, [0.3, 0.7]);
        theta.extend((0..k).map(|j| 4.0 * j as f64));
        theta.extend((0..k).map(|j| if j % 2 == 0 { 1.0 } else { 0.8 }));
        theta
    }

    fn mean_variance(k: usize, theta: &[f64]) -> (f64, f64) {
        let mean: f64 = (0..k).map(|j| theta[j] * theta[k + j]).sum();
        let var = (0..k)
            .map(|j| theta[j] * (theta[2 * k + j].powi(2) + (theta[k + j] - mean).powi(2)))
            .sum();
        (mean, var)
    }
}

/// Fills [`Terms`] for normal components at y: lⱼ = ln wⱼ − ln σⱼ − ln √(2π) − zⱼ²/2 with
/// zⱼ = (y − μⱼ)/σⱼ, and per component (w, μ, σ) the gradient (1/w, z/σ, (z² − 1)/σ) and
/// ∂² + g gᵀ:
///
/// ```text
///   w,w: 0     w,μ: z/(wσ)            w,σ: (z² − 1)/(wσ)
///   μ,μ: (z² − 1)/σ²   μ,σ: z(z² − 3)/σ²   σ,σ: (z⁴ − 5z² + 2)/σ²
/// ```
///
/// Shared with the lognormal mixture (y = ln x). The parameter-only terms are computed once
/// per θ ([`NormalComponents::new`]), not once per observation.
pub(crate) struct NormalComponents {
    /// ln wⱼ − ln σⱼ − ln √(2π).
    constant: Vec<f64>,
    mean: Vec<f64>,
    inv_sd: Vec<f64>,
    inv_w: Vec<f64>,
}

impl NormalComponents {
    pub(crate) fn new(k: usize, theta: &[f64]) -> NormalComponents {
        NormalComponents {
            constant: (0..k)
                .map(|j| theta[j].ln() - theta[2 * k + j].ln() - LN_SQRT_2PI)
                .collect(),
            mean: theta[k..2 * k].to_vec(),
            inv_sd: theta[2 * k..3 * k].iter().map(|s| 1.0 / s).collect(),
            inv_w: theta[..k].iter().map(|w| 1.0 / w).collect(),
        }
    }

    pub(crate) fn fill(&self, y: f64, terms: &mut Terms, derivs: bool) {
        for j in 0..self.mean.len() {
            let inv_s = self.inv_sd[j];
            let z = (y - self.mean[j]) * inv_s;
            terms.l[j] = self.constant[j] - 0.5 * z * z;
            if !derivs {
                continue;
            }
            let inv_w = self.inv_w[j];
            let z2 = z * z;
            let g = &mut terms.g[j * 3..j * 3 + 3];
            g[0] = inv_w;
            g[1] = z * inv_s;
            g[2] = (z2 - 1.0) * inv_s;
            let h = &mut terms.hg[j * 9..j * 9 + 9];
            let s2 = inv_s * inv_s;
            h[0] = 0.0;
            h[1] = z * inv_w * inv_s;
            h[2] = (z2 - 1.0) * inv_w * inv_s;
            h[4] = (z2 - 1.0) * s2;
            h[5] = z * (z2 - 3.0) * s2;
            h[8] = (z2 * z2 - 5.0 * z2 + 2.0) * s2;
            h[3] = h[1];
            h[6] = h[2];
            h[7] = h[5];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{check_derivatives_with, check_fast_path, Derivs, Step};
    use super::*;
    use crate::family::Family;

    fn ln_p_direct(theta: &[f64], x: f64) -> f64 {
        let k = theta.len() / 3;
        (0..k)
            .map(|j| {
                let z = (x - theta[k + j]) / theta[2 * k + j];
                theta[j] * (-0.5 * z * z).exp()
                    / (theta[2 * k + j] * (2.0 * std::f64::consts::PI).sqrt())
            })
            .sum::<f64>()
            .ln()
    }

    #[test]
    fn density_is_the_weighted_sum() {
        let theta = NORMAL_MIXTURE.typical_params();
        // R 4: log(0.3*dnorm(1.5, 0, 1) + 0.7*dnorm(1.5, 4, 0.8)).
        let v = NORMAL_MIXTURE.ln_density_derivs(&theta, 1.5, None, None);
        assert!((v + 3.182_067_767_893_914).abs() < 1e-14, "{v}");
        for x in [-3.0, 0.0, 1.5, 2.2, 4.0, 9.0] {
            let a = NORMAL_MIXTURE.ln_density_derivs(&theta, x, None, None);
            let b = ln_p_direct(&theta, x);
            assert!((a - b).abs() < 1e-14 * b.abs().max(1.0), "{x}: {a} vs {b}");
        }
        // Far in the tail the direct sum underflows; the log-sum-exp does not.
        let far = NORMAL_MIXTURE.ln_density_derivs(&theta, -80.0, None, None);
        let normal = super::super::normal::Normal.ln_density_derivs(&[0.0, 1.0], -80.0, None, None);
        assert!((far - (normal + 0.3f64.ln())).abs() < 1e-10, "{far}");
    }

    #[test]
    fn derivatives_match_central_differences() {
        let how = Derivs {
            step: Step::RelativeAtLeastOne(1e-5),
            ..Derivs::rel(1e-6)
        };
        let m3 = NormalMixture::new(3);
        for (theta, x) in [
            (vec![0.3, 0.7, 0.0, 4.0, 1.0, 0.8], 2.1),
            (vec![0.5, 0.5, -1.0, 1.0, 2.0, 0.5], 0.3),
            (vec![0.2, 0.8, 0.0, 0.1, 1.0, 1.2], 7.0),
        ] {
            check_derivatives_with(&NORMAL_MIXTURE, &theta, x, how);
        }
        check_derivatives_with(
            &m3,
            &[0.2, 0.3, 0.5, -2.0, 0.0, 3.0, 0.7, 1.0, 1.5],
            0.4,
            how,
        );
    }

    #[test]
    fn fast_path_equals_pointwise() {
        let s = Sample::new(vec![-1.0, 0.2, 0.4, 3.3, 4.1, 5.0, 2.5])
            .unwrap()
            .with_weights(vec![1.0, 2.0, 0.0, 1.5, 1.0, 0.5, 3.0])
            .unwrap();
        check_fast_path(
            &NORMAL_MIXTURE,
            &[0.4, 0.6, 0.1, 3.9, 0.9, 1.1],
            &s,
            1e-13,
            1e-12,
        );
    }

    #[test]
    fn moments_cdf_and_names() {
        let theta = NORMAL_MIXTURE.typical_params();
        let (m, v) = NORMAL_MIXTURE.mean_variance(&theta);
        assert!((m - 2.8).abs() < 1e-14);
        // Σ w (σ² + μ²) − m² = 0.3·1 + 0.7·(0.64 + 16) − 7.84
        assert!((v - (0.3 + 0.7 * 16.64 - 7.84)).abs() < 1e-12);
        assert!(
            (NORMAL_MIXTURE.cdf(&theta, 2.0).unwrap()
                - (0.3 * 0.977_249_868_051_820_8 + 0.7 * 0.006_209_665_325_776_132))
                .abs()
                < 1e-14
        );
        let names: Vec<&str> = NormalMixture::new(3)
            .params()
            .iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(
            names,
            ["w1", "w2", "w3", "mean1", "mean2", "mean3", "sd1", "sd2", "sd3"]
        );
        let saved: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let f = NORMAL_MIXTURE.specialise_to_names(&saved).unwrap().unwrap();
        assert_eq!(f.params().len(), 9);
    }
}
