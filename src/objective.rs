//! The objective: cross entropy of the family against the data, in unconstrained coordinates.
//!
//! For parameters θ and a sample with weights wᵢ (Σwᵢ = W), the Monte Carlo estimate of the
//! cross entropy H(p*, p_θ) is the mean negative log-likelihood
//!
//!   f(θ) = −(1/W) Σ wᵢ ln p_θ(xᵢ),   ∇f = −(1/W) Σ wᵢ ∇θ ln p_θ(xᵢ)  (the mean negative score).
//!
//! The optimizer works on u ∈ ℝᵏ, never on θ. This module is the one place where the chain
//! rule for the transforms lives. Every coordinate is anchored at the starting estimate θ₀ and
//! scaled so that a unit change in u is a change of about one "natural unit" of θ:
//! - real θ:       θ = θ₀ + s·u      (s: the data's robust spread, so location gradients
//!   are dimensionless)
//! - shape θ:      θ = θ₀ + u         (real but already dimensionless: GEV ξ, skewness α)
//! - positive θ:   θ = θ₀·eᵘ          (u is a relative change)
//! - θ in (0, 1):  θ = σ(logit θ₀ + u)
//! - weights w₁…w_K summing to 1 (a mixture's): the softmax wⱼ ∝ w₀ⱼ·e^{uⱼ} with u_K ≡ 0, so
//!   the K − 1 coordinates are log-ratios against the last weight, relative to the start
//!
//! The map is not diagonal once there are weights, so the chain rule is written with the full
//! Jacobian J = ∂θ/∂u: ∇ᵤf = Jᵀ∇θf and ∇²ᵤf = Jᵀ(∇²θf)J + Σⱼ (∂f/∂θⱼ) ∇²ᵤθⱼ.
//!
//! Hence ∇ᵤf is scale-free and one tolerance on ‖∇ᵤf‖∞ means the same thing for data in volts
//! and in kilometres, and |u| measures how far the optimizer moved from a robust start.
//! Fixed parameters are held at their values and are not coordinates of u.

use nalgebra::DMatrix;

use crate::data::Sample;
use crate::family::{check_params, Constraint, Family};
use crate::optim::Objective;
use crate::special::{logistic, logit};

/// The map between one natural parameter and its unconstrained coordinate.
#[derive(Debug, Clone, Copy)]
pub struct Transform {
    constraint: Constraint,
    anchor: f64,
    scale: f64,
}

impl Transform {
    /// A transform anchored at θ₀ = `anchor` (u = 0); `scale` is used by real parameters only.
    pub fn new(constraint: Constraint, anchor: f64, scale: f64) -> Transform {
        Transform {
            constraint,
            anchor,
            scale,
        }
    }

    /// θ(u).
    #[inline]
    pub fn natural(&self, u: f64) -> f64 {
        match self.constraint {
            Constraint::Real | Constraint::FixedCount => self.anchor + self.scale * u,
            Constraint::Shape => self.anchor + u,
            // A weight's unnormalised value; CrossEntropy normalises the group.
            Constraint::Positive | Constraint::Simplex => self.anchor * u.exp(),
            Constraint::UnitInterval => logistic(logit(self.anchor) + u),
        }
    }

    /// u(θ).
    #[inline]
    pub fn unconstrained(&self, theta: f64) -> f64 {
        match self.constraint {
            Constraint::Real | Constraint::FixedCount => (theta - self.anchor) / self.scale,
            Constraint::Shape => theta - self.anchor,
            Constraint::Positive | Constraint::Simplex => (theta / self.anchor).ln(),
            Constraint::UnitInterval => logit(theta) - logit(self.anchor),
        }
    }

    /// (dθ/du, d²θ/du²) at θ.
    #[inline]
    pub fn derivatives(&self, theta: f64) -> (f64, f64) {
        match self.constraint {
            Constraint::Real | Constraint::FixedCount => (self.scale, 0.0),
            Constraint::Shape => (1.0, 0.0),
            Constraint::Positive | Constraint::Simplex => (theta, theta),
            Constraint::UnitInterval => {
                let d = theta * (1.0 - theta);
                (d, d * (1.0 - 2.0 * theta))
            }
        }
    }
}

/// Mean negative log-likelihood of `family` on `sample` as a function of the free parameters'
/// unconstrained coordinates.
pub struct CrossEntropy<'a> {
    family: &'a dyn Family,
    sample: &'a Sample,
    total_weight: f64,
    /// Full θ with the fixed parameters filled in.
    base: Vec<f64>,
    /// Indices of the free parameters in θ.
    free: Vec<usize>,
    /// One transform per free parameter.
    transforms: Vec<Transform>,
    /// The weights (indices in θ, the last one the reference with no coordinate) when the
    /// family has a group of [`Constraint::Simplex`] parameters.
    weights: Vec<usize>,
}

impl<'a> CrossEntropy<'a> {
    /// The objective anchored at `theta0` (u = 0 ↔ θ₀). `fixed[j] = Some(v)` holds parameter j
    /// at v. `real_scale` is the data's spread, the unit of real parameters.
    pub fn new(
        family: &'a dyn Family,
        sample: &'a Sample,
        theta0: &[f64],
        fixed: &[Option<f64>],
        real_scale: f64,
    ) -> Self {
        let specs = family.params();
        let mut base = theta0.to_vec();
        let mut free = Vec::new();
        let mut transforms = Vec::new();
        let weights: Vec<usize> = (0..specs.len())
            .filter(|&j| specs[j].constraint == Constraint::Simplex)
            .collect();
        for (j, spec) in specs.iter().enumerate() {
            if weights.last() == Some(&j) {
                // The reference weight: determined by the others.
                continue;
            }
            match fixed.get(j).copied().flatten() {
                Some(v) if spec.constraint != Constraint::Simplex => base[j] = v,
                _ => {
                    free.push(j);
                    transforms.push(Transform::new(spec.constraint, theta0[j], real_scale));
                }
            }
        }
        CrossEntropy {
            family,
            sample,
            total_weight: sample.summary().total_weight,
            base,
            free,
            transforms,
            weights,
        }
    }

    /// Full natural θ at u.
    pub fn natural(&self, u: &[f64]) -> Vec<f64> {
        let mut theta = self.base.clone();
        for ((&j, t), &ui) in self.free.iter().zip(&self.transforms).zip(u) {
            theta[j] = t.natural(ui);
        }
        if let Some(&last) = self.weights.last() {
            // Softmax: the unnormalised weights w₀ⱼe^{uⱼ} (and w₀_K), scaled by their largest so
            // that no exponent overflows.
            let logs: Vec<f64> = self
                .weights
                .iter()
                .map(|&j| {
                    if j == last {
                        self.base[j].ln()
                    } else {
                        theta[j].ln()
                    }
                })
                .collect();
            let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = logs.iter().map(|l| (l - top).exp()).sum();
            for (&j, l) in self.weights.iter().zip(&logs) {
                theta[j] = (l - top).exp() / total;
            }
        }
        theta
    }

    /// u for a full natural θ.
    pub fn unconstrained(&self, theta: &[f64]) -> Vec<f64> {
        let reference = self
            .weights
            .last()
            .map(|&j| (theta[j] / self.base[j]).ln())
            .unwrap_or(0.0);
        self.free
            .iter()
            .zip(&self.transforms)
            .map(|(&j, t)| {
                let u = t.unconstrained(theta[j]);
                if self.weights.contains(&j) {
                    u - reference
                } else {
                    u
                }
            })
            .collect()
    }

    /// The Jacobian J = ∂θ/∂u at u (k × m): how each natural parameter moves with each
    /// coordinate. Covariances in natural parameters are J (Jᵀ I J)⁻¹ Jᵀ for an information
    /// matrix I in natural parameters, which respects the weights' sum-to-one constraint.
    pub fn jacobian(&self, u: &[f64]) -> DMatrix<f64> {
        let theta = self.natural(u);
        self.jacobian_at(&theta)
    }

    fn jacobian_at(&self, theta: &[f64]) -> DMatrix<f64> {
        let mut jac = DMatrix::zeros(theta.len(), self.free.len());
        for (a, (&j, t)) in self.free.iter().zip(&self.transforms).enumerate() {
            if self.weights.contains(&j) {
                // ∂wᵢ/∂u_p = wᵢ(δᵢₚ − w_p)
                for &i in &self.weights {
                    let delta = if i == j { 1.0 } else { 0.0 };
                    jac[(i, a)] = theta[i] * (delta - theta[j]);
                }
            } else {
                jac[(j, a)] = t.derivatives(theta[j]).0;
            }
        }
        jac
    }

    /// Indices of the free parameters.
    pub fn free(&self) -> &[usize] {
        &self.free
    }

    /// Σwᵢ.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    fn evaluate(&self, u: &[f64], grad: Option<&mut [f64]>, hess: Option<&mut [f64]>) -> f64 {
        let theta = self.natural(u);
        if check_params(self.family, &theta).is_err() {
            return f64::INFINITY;
        }
        let k = theta.len();
        let mut s = vec![0.0; k];
        let mut h = vec![0.0; if hess.is_some() { k * k } else { 0 }];
        let want_grad = grad.is_some() || hess.is_some();
        let ll = self.family.log_likelihood(
            &theta,
            self.sample,
            if want_grad { Some(&mut s[..]) } else { None },
            if hess.is_some() {
                Some(&mut h[..])
            } else {
                None
            },
        );
        let f = -ll / self.total_weight;
        if !f.is_finite() {
            return f64::INFINITY;
        }
        let w = self.total_weight;
        let m = self.free.len();
        let jac = self.jacobian_at(&theta);
        if let Some(g) = grad {
            for a in 0..m {
                g[a] = -(0..k).map(|i| s[i] * jac[(i, a)]).sum::<f64>() / w;
            }
        }
        if let Some(hu) = hess {
            let hm = DMatrix::from_row_slice(k, k, &h);
            let mut out = jac.transpose() * hm * &jac;
            // Second derivatives of the transforms, weighted by the natural score.
            let s_bar: f64 = self.weights.iter().map(|&i| theta[i] * s[i]).sum();
            for (a, (&p, t)) in self.free.iter().zip(&self.transforms).enumerate() {
                if self.weights.contains(&p) {
                    // Σᵢ sᵢ ∂²wᵢ/∂u_p∂u_q = δ_pq w_p(s_p − s̄) − w_p w_q(s_p + s_q − 2s̄)
                    let wp = theta[p];
                    for (b, &q) in self.free.iter().enumerate() {
                        if self.weights.contains(&q) {
                            let wq = theta[q];
                            let mut v = -wp * wq * (s[p] + s[q] - 2.0 * s_bar);
                            if p == q {
                                v += wp * (s[p] - s_bar);
                            }
                            out[(a, b)] += v;
                        }
                    }
                } else {
                    out[(a, a)] += s[p] * t.derivatives(theta[p]).1;
                }
            }
            for a in 0..m {
                for b in 0..m {
                    hu[a * m + b] = -out[(a, b)] / w;
                }
            }
        }
        f
    }
}

impl Objective for CrossEntropy<'_> {
    fn dim(&self) -> usize {
        self.free.len()
    }

    fn value(&self, u: &[f64]) -> f64 {
        self.evaluate(u, None, None)
    }

    fn value_gradient(&self, u: &[f64], grad: &mut [f64]) -> f64 {
        self.evaluate(u, Some(grad), None)
    }

    fn value_gradient_hessian(&self, u: &[f64], grad: &mut [f64], hess: &mut [f64]) -> f64 {
        self.evaluate(u, Some(grad), Some(hess))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::gamma::Gamma;
    use crate::family::normal::Normal;

    #[test]
    fn transforms_round_trip_and_derivatives() {
        for (c, theta) in [
            (Constraint::Real, -3.7),
            (Constraint::Positive, 0.02),
            (Constraint::UnitInterval, 0.93),
        ] {
            let t = Transform::new(c, if c == Constraint::Real { 1.0 } else { 0.5 }, 2.5);
            let u = t.unconstrained(theta);
            assert!((t.natural(u) - theta).abs() < 1e-14);
            let e = 1e-5;
            let fd1 = (t.natural(u + e) - t.natural(u - e)) / (2.0 * e);
            let fd2 = (t.natural(u + e) - 2.0 * t.natural(u) + t.natural(u - e)) / (e * e);
            let (d1, d2) = t.derivatives(theta);
            assert!((fd1 - d1).abs() < 1e-8 * (1.0 + d1.abs()), "{c:?}");
            assert!(
                (fd2 - d2).abs() < 1e-4 * (1.0 + d2.abs()),
                "{c:?}: {fd2} vs {d2}"
            );
        }
    }

    fn check_gradient_and_hessian(obj: &CrossEntropy, u: &[f64]) {
        let m = obj.dim();
        let mut g = vec![0.0; m];
        let mut h = vec![0.0; m * m];
        obj.value_gradient_hessian(u, &mut g, &mut h);
        let e = 1e-5;
        for a in 0..m {
            let (mut up, mut dn) = (u.to_vec(), u.to_vec());
            up[a] += e;
            dn[a] -= e;
            let fd = (obj.value(&up) - obj.value(&dn)) / (2.0 * e);
            assert!(
                (fd - g[a]).abs() < 1e-7 * (1.0 + g[a].abs()),
                "grad {a}: {fd} vs {}",
                g[a]
            );
            let (mut gu, mut gd) = (vec![0.0; m], vec![0.0; m]);
            obj.value_gradient(&up, &mut gu);
            obj.value_gradient(&dn, &mut gd);
            for b in 0..m {
                let fd = (gu[b] - gd[b]) / (2.0 * e);
                let an = h[a * m + b];
                assert!(
                    (fd - an).abs() < 1e-6 * (1.0 + an.abs()),
                    "hess {a},{b}: {fd} vs {an}"
                );
            }
        }
    }

    #[test]
    fn chain_rule_matches_finite_differences() {
        let s = Sample::new(vec![0.3, 1.2, 2.2, 0.9, 4.1, 1.7]).unwrap();
        let obj = CrossEntropy::new(&Gamma, &s, &[1.5, 0.8], &[None, None], 1.0);
        check_gradient_and_hessian(&obj, &[0.3, -0.4]);
        let obj = CrossEntropy::new(&Normal, &s, &[1.0, 2.0], &[None, None], 1.3);
        check_gradient_and_hessian(&obj, &[0.7, 0.2]);
        // With sd fixed, only the mean is free.
        let obj = CrossEntropy::new(&Normal, &s, &[1.0, 2.0], &[None, Some(1.5)], 1.3);
        assert_eq!(obj.dim(), 1);
        assert_eq!(obj.natural(&[0.0]), vec![1.0, 1.5]);
        check_gradient_and_hessian(&obj, &[0.4]);
    }

    /// A three-point distribution on {0, 1, 2} with P(j) = wⱼ: the simplest family with a
    /// group of weights.
    struct ThreePoint;
    const WEIGHTS: [crate::family::ParamSpec; 3] = [
        crate::family::ParamSpec {
            name: "w0",
            constraint: Constraint::Simplex,
        },
        crate::family::ParamSpec {
            name: "w1",
            constraint: Constraint::Simplex,
        },
        crate::family::ParamSpec {
            name: "w2",
            constraint: Constraint::Simplex,
        },
    ];
    impl Family for ThreePoint {
        fn name(&self) -> &'static str {
            "three_point"
        }
        fn aliases(&self) -> &'static [&'static str] {
            &[]
        }
        fn formula(&self) -> &'static str {
            "P(j) = w_j"
        }
        fn params(&self) -> &[crate::family::ParamSpec] {
            &WEIGHTS
        }
        fn support(&self) -> crate::family::Support {
            crate::family::Support::Counts
        }
        fn ln_density_derivs(
            &self,
            theta: &[f64],
            x: f64,
            grad: Option<&mut [f64]>,
            hess: Option<&mut [f64]>,
        ) -> f64 {
            let j = x as usize;
            if let Some(g) = grad {
                g.fill(0.0);
                g[j] = 1.0 / theta[j];
            }
            if let Some(h) = hess {
                h.fill(0.0);
                h[j * 3 + j] = -1.0 / (theta[j] * theta[j]);
            }
            theta[j].ln()
        }
        fn initial_estimate(&self, _: &Sample) -> crate::error::Result<Vec<f64>> {
            Ok(vec![1.0 / 3.0; 3])
        }
        fn sample(&self, _: &[f64], _: usize, _: &mut dyn rand::RngCore) -> Vec<f64> {
            unimplemented!("not needed")
        }
        fn mean_variance(&self, _: &[f64]) -> (f64, f64) {
            (f64::NAN, f64::NAN)
        }
    }

    #[test]
    fn weights_go_through_a_softmax_with_the_full_chain_rule() {
        let s = Sample::new(vec![0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 2.0]).unwrap();
        let start = [0.5, 0.3, 0.2];
        let obj = CrossEntropy::new(&ThreePoint, &s, &start, &[None; 3], 1.0);
        assert_eq!(obj.dim(), 2);
        for (a, b) in obj.natural(&[0.0, 0.0]).iter().zip(start) {
            assert!((a - b).abs() < 1e-15);
        }
        let theta = obj.natural(&[0.4, -1.1]);
        assert!((theta.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        let u = obj.unconstrained(&theta);
        assert!((u[0] - 0.4).abs() < 1e-14 && (u[1] + 1.1).abs() < 1e-14);
        check_gradient_and_hessian(&obj, &[0.4, -1.1]);
        check_gradient_and_hessian(&obj, &[-2.0, 1.5]);
        // The minimum is the empirical frequencies, 1/8, 3/8, 4/8; Newton reaches it and the
        // constrained covariance is the multinomial p(1 − p)/n.
        let out = crate::optim::minimize(
            crate::optim::Method::Newton,
            &obj,
            &[0.0, 0.0],
            &crate::optim::Options {
                gtol: 1e-12,
                max_iterations: 100,
            },
        );
        let p = obj.natural(&out.x);
        for (a, b) in p.iter().zip([0.125, 0.375, 0.5]) {
            assert!((a - b).abs() < 1e-10, "{p:?}");
        }
        let info = DMatrix::from_diagonal(&nalgebra::DVector::from_iterator(
            3,
            [1.0, 3.0, 4.0].iter().zip(&p).map(|(c, q)| c / (q * q)),
        ));
        let cov = crate::fit::constrained_covariance(&info, &obj.jacobian(&out.x)).unwrap();
        for j in 0..3 {
            assert!((cov[(j, j)] - p[j] * (1.0 - p[j]) / 8.0).abs() < 1e-12);
        }
        assert!((cov[(0, 1)] + p[0] * p[1] / 8.0).abs() < 1e-12);
    }

    #[test]
    fn invalid_parameters_give_infinity() {
        let s = Sample::new(vec![1.0, 2.0]).unwrap();
        let obj = CrossEntropy::new(&Gamma, &s, &[1.0, 1.0], &[None, None], 1.0);
        assert_eq!(obj.value(&[-800.0, 0.0]), f64::INFINITY);
    }
}
