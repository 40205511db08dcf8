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
//! - real θ:       θ = θ₀ + s·u      (s: the data's robust spread, so location gradients are
//!                                    dimensionless)
//! - shape θ:      θ = θ₀ + u         (real but already dimensionless: GEV ξ, skewness α)
//! - positive θ:   θ = θ₀·eᵘ          (u is a relative change)
//! - θ in (0, 1):  θ = σ(logit θ₀ + u)
//!
//! Hence ∇ᵤf is scale-free and one tolerance on ‖∇ᵤf‖∞ means the same thing for data in volts
//! and in kilometres, and |u| measures how far the optimizer moved from a robust start.
//! Fixed parameters are held at their values and are not coordinates of u.

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
            Constraint::Positive => self.anchor * u.exp(),
            Constraint::UnitInterval => logistic(logit(self.anchor) + u),
        }
    }

    /// u(θ).
    #[inline]
    pub fn unconstrained(&self, theta: f64) -> f64 {
        match self.constraint {
            Constraint::Real | Constraint::FixedCount => (theta - self.anchor) / self.scale,
            Constraint::Shape => theta - self.anchor,
            Constraint::Positive => (theta / self.anchor).ln(),
            Constraint::UnitInterval => logit(theta) - logit(self.anchor),
        }
    }

    /// (dθ/du, d²θ/du²) at θ.
    #[inline]
    pub fn derivatives(&self, theta: f64) -> (f64, f64) {
        match self.constraint {
            Constraint::Real | Constraint::FixedCount => (self.scale, 0.0),
            Constraint::Shape => (1.0, 0.0),
            Constraint::Positive => (theta, theta),
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
        for (j, spec) in specs.iter().enumerate() {
            match fixed.get(j).copied().flatten() {
                Some(v) => base[j] = v,
                None => {
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
        }
    }

    /// Full natural θ at u.
    pub fn natural(&self, u: &[f64]) -> Vec<f64> {
        let mut theta = self.base.clone();
        for ((&j, t), &ui) in self.free.iter().zip(&self.transforms).zip(u) {
            theta[j] = t.natural(ui);
        }
        theta
    }

    /// u for a full natural θ.
    pub fn unconstrained(&self, theta: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .zip(&self.transforms)
            .map(|(&j, t)| t.unconstrained(theta[j]))
            .collect()
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
        let d: Vec<(f64, f64)> = self
            .free
            .iter()
            .zip(&self.transforms)
            .map(|(&j, t)| t.derivatives(theta[j]))
            .collect();
        if let Some(g) = grad {
            for (a, &j) in self.free.iter().enumerate() {
                g[a] = -s[j] * d[a].0 / w;
            }
        }
        if let Some(hu) = hess {
            let m = self.free.len();
            for (a, &i) in self.free.iter().enumerate() {
                for (b, &j) in self.free.iter().enumerate() {
                    let mut v = d[a].0 * h[i * k + j] * d[b].0;
                    if a == b {
                        v += s[i] * d[a].1;
                    }
                    hu[a * m + b] = -v / w;
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

    #[test]
    fn invalid_parameters_give_infinity() {
        let s = Sample::new(vec![1.0, 2.0]).unwrap();
        let obj = CrossEntropy::new(&Gamma, &s, &[1.0, 1.0], &[None, None], 1.0);
        assert_eq!(obj.value(&[-800.0, 0.0]), f64::INFINITY);
    }
}
