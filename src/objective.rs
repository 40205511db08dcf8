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
//!
//! The log-likelihood itself is composed here by observation kind ([`Composer`]): ln f(x) for
//! exact values (the family's own [`Family::log_likelihood`], its fast path), ln[F(u) − F(l)]
//! for a value censored to (l, u], and − ln[F(U) − F(L)] for a row truncated to [L, U]. An exact
//! sample skips the composer entirely: one branch per evaluation, none per row.

use nalgebra::DMatrix;

use crate::data::{Kind, Sample};
use crate::error::{ErrorKind, Result};
use crate::family::{check_params, Constraint, Family, RowInput};
use crate::numeric::logspace::log_diff_exp;
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
    /// The likelihood by observation kind, when the sample is not all exact values.
    composer: Option<Composer<'a>>,
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
            composer: (!sample.is_exact()).then(|| Composer::new(family, sample)),
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
        let (gs, hs) = (
            if want_grad { Some(&mut s[..]) } else { None },
            if hess.is_some() {
                Some(&mut h[..])
            } else {
                None
            },
        );
        let ll = match &self.composer {
            None => self.family.log_likelihood(&theta, self.sample, gs, hs),
            Some(c) => c.log_likelihood(&theta, gs, hs),
        };
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

/// The refusal of censored or truncated observations by a family that cannot weigh them.
///
/// # Errors
/// [`ErrorKind::CensoringUnsupported`] when `sample` is not all exact values and `family` does
/// not provide [`Family::ln_cdf_derivs`] and [`Family::ln_sf_derivs`].
pub fn check_observations(family: &dyn Family, sample: &Sample) -> Result<()> {
    if sample.is_exact() {
        return Ok(());
    }
    // Whether a method is provided does not depend on where it is asked.
    let (theta, x) = (family.typical_params(), sample.values()[0]);
    if family.ln_cdf_derivs(&theta, x, None, None).is_none()
        || family.ln_sf_derivs(&theta, x, None, None).is_none()
    {
        return Err(ErrorKind::CensoringUnsupported {
            family: family.name().into(),
        }
        .into());
    }
    Ok(())
}

/// The log-likelihood of a sample with censored or truncated rows, composed by observation
/// kind; built once per objective.
///
/// Σᵢ wᵢ ℓᵢ(θᵢ) with θᵢ the row's parameters ([`RowInput`]) and
/// - ℓᵢ = ln f(xᵢ) for an exact value — evaluated as one exact sub-sample through the family's
///   [`Family::log_likelihood`], so sufficient statistics still apply;
/// - ℓᵢ = ln[F(uᵢ) − F(lᵢ)] for a value censored to (lᵢ, uᵢ] ([`ln_interval_probability`]),
///   the interval clipped to the row's truncation bounds;
/// - minus ln[F(Uᵢ) − F(Lᵢ)] for a row truncated to [Lᵢ, Uᵢ], whatever its kind.
///
/// A family without log-CDF and log-survival gives −∞ (and [`check_observations`] refuses it
/// up front).
pub struct Composer<'a> {
    family: &'a dyn Family,
    sample: &'a Sample,
    /// The exact rows with positive weight, as their own exact sample.
    exact: Option<Sample>,
    /// Censored rows with positive weight.
    censored: Vec<usize>,
    /// Truncated rows with positive weight and at least one finite bound.
    truncated: Vec<usize>,
}

impl<'a> Composer<'a> {
    /// Sorts the rows of `sample` by what they contribute.
    pub fn new(family: &'a dyn Family, sample: &'a Sample) -> Composer<'a> {
        let columns = sample.columns();
        let used = |i: &usize| sample.weight(*i) > 0.0;
        let censored = (0..sample.len())
            .filter(used)
            .filter(|&i| columns.kind(i) != Kind::Exact)
            .collect();
        let truncated = match columns.truncation() {
            Some(t) => (0..sample.len())
                .filter(used)
                .filter(|&i| t.lower()[i] > f64::NEG_INFINITY || t.upper()[i] < f64::INFINITY)
                .collect(),
            None => Vec::new(),
        };
        Composer {
            family,
            sample,
            exact: sample.exact_part(),
            censored,
            truncated,
        }
    }

    /// Σ wᵢ ℓᵢ(θ) and, when asked, its gradient and Hessian in the natural parameters
    /// (*overwritten*), as [`Family::log_likelihood`].
    pub fn log_likelihood(
        &self,
        theta: &[f64],
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let k = theta.len();
        let (want_g, want_h) = (grad.is_some(), hess.is_some());
        let mut total = crate::sum::CompensatedSum::default();
        let mut g_acc = vec![0.0; k];
        let mut h_acc = vec![0.0; if want_h { k * k } else { 0 }];
        let mut g = vec![0.0; k];
        let mut h = vec![0.0; if want_h { k * k } else { 0 }];
        let mut scratch = Scratch::new(k);
        // An impossible row makes the likelihood zero; −∞ would turn the compensated sum NaN.
        let mut impossible = false;
        let mut add = |lp: f64, sign: f64, w: f64, g: &[f64], h: &[f64]| {
            if lp == f64::NEG_INFINITY || lp.is_nan() {
                impossible = true;
                return;
            }
            total.add(sign * w * lp);
            for (a, b) in g_acc.iter_mut().zip(g) {
                *a += sign * w * b;
            }
            for (a, b) in h_acc.iter_mut().zip(h) {
                *a += sign * w * b;
            }
        };
        if let Some(exact) = &self.exact {
            let lp = self.family.log_likelihood(
                theta,
                exact,
                want_g.then_some(&mut g[..]),
                want_h.then_some(&mut h[..]),
            );
            add(lp, 1.0, 1.0, &g, &h);
        }
        let input = RowInput::of(self.family, self.sample);
        let mut theta_row = theta.to_vec();
        let columns = self.sample.columns();
        let clip = |i: usize, l: f64, u: f64| match columns.truncation() {
            Some(t) => (l.max(t.lower()[i]), u.min(t.upper()[i])),
            None => (l, u),
        };
        // One row's ± w ln P(l < X ≤ u | θᵢ).
        let mut interval = |i: usize, l: f64, u: f64, sign: f64| {
            if let Some(input) = input {
                input.theta_at(&mut theta_row, i);
            }
            let lp = ln_interval_probability(
                self.family,
                &theta_row,
                l,
                u,
                want_g.then_some(&mut g[..]),
                want_h.then_some(&mut h[..]),
                &mut scratch,
            )
            .unwrap_or(f64::NEG_INFINITY);
            add(lp, sign, self.sample.weight(i), &g, &h);
        };
        if let Some(c) = columns.censoring() {
            for &i in &self.censored {
                let (l, u) = clip(i, c.lower()[i], c.upper()[i]);
                interval(i, l, u, 1.0);
            }
        }
        if let Some(t) = columns.truncation() {
            for &i in &self.truncated {
                interval(i, t.lower()[i], t.upper()[i], -1.0);
            }
        }
        if let Some(gr) = grad {
            gr.copy_from_slice(&g_acc);
        }
        if let Some(hs) = hess {
            hs.copy_from_slice(&h_acc);
        }
        if impossible {
            return f64::NEG_INFINITY;
        }
        total.value()
    }
}

/// Row `i`'s own log-likelihood contribution ℓᵢ(θ) (unweighted) and, when asked, its
/// gradient and Hessian in the natural parameters (*overwritten*): ln f(xᵢ) for an exact value,
/// ln[F(uᵢ) − F(lᵢ)] for a censored one (clipped to its truncation), minus ln[F(Uᵢ) − F(Lᵢ)]
/// when it is truncated — the terms [`Composer::log_likelihood`] sums, one row at a time, for
/// per-row scores (observed information, sandwich). `theta` is the row's own θ (a per-row
/// input already applied). −∞ for a row impossible under θ or a family without the log-CDF.
pub fn row_log_likelihood(
    family: &dyn Family,
    sample: &Sample,
    i: usize,
    theta: &[f64],
    mut grad: Option<&mut [f64]>,
    mut hess: Option<&mut [f64]>,
    scratch: &mut Scratch,
) -> f64 {
    let columns = sample.columns();
    let truncation = columns
        .truncation()
        .map(|t| (t.lower()[i], t.upper()[i]))
        .filter(|&(l, u)| l > f64::NEG_INFINITY || u < f64::INFINITY);
    let mut value = match columns
        .censoring()
        .filter(|_| columns.kind(i) != Kind::Exact)
    {
        None => family.ln_density_derivs(
            theta,
            sample.values()[i],
            grad.as_deref_mut(),
            hess.as_deref_mut(),
        ),
        Some(c) => {
            let (mut l, mut u) = (c.lower()[i], c.upper()[i]);
            if let Some((tl, tu)) = truncation {
                (l, u) = (l.max(tl), u.min(tu));
            }
            ln_interval_probability(
                family,
                theta,
                l,
                u,
                grad.as_deref_mut(),
                hess.as_deref_mut(),
                scratch,
            )
            .unwrap_or(f64::NEG_INFINITY)
        }
    };
    if let Some((tl, tu)) = truncation {
        let k = theta.len();
        let want_h = hess.is_some();
        let (mut gt, mut ht) = (vec![0.0; k], vec![0.0; if want_h { k * k } else { 0 }]);
        let lt = ln_interval_probability(
            family,
            theta,
            tl,
            tu,
            Some(&mut gt),
            want_h.then_some(&mut ht[..]),
            scratch,
        )
        .unwrap_or(f64::NEG_INFINITY);
        value -= lt;
        if let Some(g) = grad {
            g.iter_mut().zip(&gt).for_each(|(a, b)| *a -= b);
        }
        if let Some(h) = hess {
            h.iter_mut().zip(&ht).for_each(|(a, b)| *a -= b);
        }
    }
    value
}

/// Work space of [`ln_interval_probability`]: the two log-tail values' derivatives.
pub struct Scratch {
    gp: Vec<f64>,
    ga: Vec<f64>,
    ha: Vec<f64>,
    gb: Vec<f64>,
    hb: Vec<f64>,
}

impl Scratch {
    /// Buffers for k parameters.
    pub fn new(k: usize) -> Scratch {
        Scratch {
            gp: vec![0.0; k],
            ga: vec![0.0; k],
            ha: vec![0.0; k * k],
            gb: vec![0.0; k],
            hb: vec![0.0; k * k],
        }
    }
}

/// ln P(lower < X ≤ upper | θ) and, when asked, its gradient and Hessian in the natural
/// parameters (*overwritten*); `None` when the family lacks the log-CDF or log-survival.
///
/// An open end reduces it to one tail: ln F(upper) for lower = −∞, ln S(lower) for
/// upper = +∞. Otherwise P = A − B is taken as F(upper) − F(lower) when F(lower) ≤ ½ and as
/// S(lower) − S(upper) above, so the difference never cancels two numbers near 1, and
/// ln P = ln A + ln(1 − B/A) by log-diff-exp. With a = A/P and b = B/P = a − 1,
/// ∇ ln P = a ∇ln A − b ∇ln B and
/// ∇² ln P = a(∇²ln A + ∇ln A ∇ln Aᵀ) − b(∇²ln B + ∇ln B ∇ln Bᵀ) − ∇ln P ∇ln Pᵀ
/// (from ∇²A = A(∇²ln A + ∇ln A ∇ln Aᵀ)): the Hessian is exact, built from the family's
/// Hessians of ln F and ln S. An empty interval (P = 0) gives −∞ with zero derivatives.
pub fn ln_interval_probability(
    family: &dyn Family,
    theta: &[f64],
    lower: f64,
    upper: f64,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
    scratch: &mut Scratch,
) -> Option<f64> {
    if lower == f64::NEG_INFINITY {
        return family.ln_cdf_derivs(theta, upper, grad, hess);
    }
    if upper == f64::INFINITY {
        return family.ln_sf_derivs(theta, lower, grad, hess);
    }
    let k = theta.len();
    let want_h = hess.is_some();
    let Scratch { gp, ga, ha, gb, hb } = scratch;
    let (gp, ga, gb) = (&mut gp[..k], &mut ga[..k], &mut gb[..k]);
    let (ha, hb) = (&mut ha[..k * k], &mut hb[..k * k]);
    let ln_f_lower =
        family.ln_cdf_derivs(theta, lower, Some(&mut *gb), want_h.then_some(&mut *hb))?;
    let (ln_a, ln_b) = if ln_f_lower <= -std::f64::consts::LN_2 {
        let ln_a =
            family.ln_cdf_derivs(theta, upper, Some(&mut *ga), want_h.then_some(&mut *ha))?;
        (ln_a, ln_f_lower)
    } else {
        let ln_a = family.ln_sf_derivs(theta, lower, Some(&mut *ga), want_h.then_some(&mut *ha))?;
        let ln_b = family.ln_sf_derivs(theta, upper, Some(&mut *gb), want_h.then_some(&mut *hb))?;
        (ln_a, ln_b)
    };
    let value = log_diff_exp(ln_a, ln_b);
    if value == f64::NEG_INFINITY || value.is_nan() {
        if let Some(g) = grad {
            g.fill(0.0);
        }
        if let Some(h) = hess {
            h.fill(0.0);
        }
        return Some(f64::NEG_INFINITY);
    }
    // a = 1/(1 − e^{ln B − ln A}), b = a − 1 = e^{ln B − ln A}·a (exactly 0 when B = 0).
    let d = ln_b - ln_a;
    let a = -1.0 / d.exp_m1();
    let b = d.exp() * a;
    for j in 0..k {
        gp[j] = a * ga[j] - if b == 0.0 { 0.0 } else { b * gb[j] };
    }
    if let Some(h) = hess {
        for r in 0..k {
            for c in 0..k {
                let from_a = a * (ha[r * k + c] + ga[r] * ga[c]);
                let from_b = if b == 0.0 {
                    0.0
                } else {
                    b * (hb[r * k + c] + gb[r] * gb[c])
                };
                h[r * k + c] = from_a - from_b - gp[r] * gp[c];
            }
        }
    }
    if let Some(g) = grad {
        g.copy_from_slice(gp);
    }
    Some(value)
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

    /// Exact, right-, left- and interval-censored rows (one interval in the upper tail, where
    /// the survival form is used), weights, and truncation on some rows: [−3, 5] for the
    /// normal, left truncation at 0.2 for the exponential.
    fn mixed_normal() -> Sample {
        let inf = f64::INFINITY;
        Sample::censored(
            vec![0.3, -1.2, 2.5, 1.7, -inf, 0.1, 3.0],
            vec![0.3, -1.2, 2.5, inf, -0.8, 0.9, 4.0],
        )
        .unwrap()
        .with_weights(vec![1.0, 2.0, 1.0, 0.5, 1.0, 3.0, 1.0])
        .unwrap()
        .with_truncation(
            vec![-3.0, -inf, -3.0, -3.0, -3.0, -inf, -inf],
            vec![5.0, inf, 5.0, 5.0, 5.0, inf, inf],
        )
        .unwrap()
    }

    fn mixed_exponential() -> Sample {
        let inf = f64::INFINITY;
        Sample::censored(
            vec![0.4, 1.3, 2.0, -inf, 0.7, 3.0],
            vec![0.4, 1.3, inf, 0.5, 1.1, 5.0],
        )
        .unwrap()
        .with_truncation(
            vec![0.2, 0.2, 0.2, -inf, -inf, 0.0],
            vec![inf, inf, inf, inf, inf, 6.0],
        )
        .unwrap()
    }

    /// The composed log-likelihood's analytic gradient and Hessian in natural parameters against
    /// central differences.
    fn check_composer(family: &dyn Family, sample: &Sample, theta: &[f64]) {
        let c = Composer::new(family, sample);
        let k = theta.len();
        let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
        let v = c.log_likelihood(theta, Some(&mut g), Some(&mut h));
        assert!(v.is_finite(), "{v}");
        assert_eq!(v, c.log_likelihood(theta, None, None));
        let e = 1e-6;
        for a in 0..k {
            let (mut up, mut dn) = (theta.to_vec(), theta.to_vec());
            up[a] += e;
            dn[a] -= e;
            let fd =
                (c.log_likelihood(&up, None, None) - c.log_likelihood(&dn, None, None)) / (2.0 * e);
            assert!(
                (fd - g[a]).abs() < 1e-7 * (1.0 + g[a].abs()),
                "grad {a}: {fd} vs {}",
                g[a]
            );
            let (mut gu, mut gd) = (vec![0.0; k], vec![0.0; k]);
            c.log_likelihood(&up, Some(&mut gu), None);
            c.log_likelihood(&dn, Some(&mut gd), None);
            for b in 0..k {
                let fd = (gu[b] - gd[b]) / (2.0 * e);
                let an = h[a * k + b];
                assert!(
                    (fd - an).abs() < 1e-6 * (1.0 + an.abs()),
                    "hess {a},{b}: {fd} vs {an}"
                );
            }
        }
    }

    #[test]
    fn censored_and_truncated_derivatives_match_finite_differences() {
        use crate::family::exponential::Exponential;
        let s = mixed_normal();
        assert!(!s.is_exact());
        check_composer(&Normal, &s, &[0.4, 1.3]);
        check_composer(&Normal, &s, &[-0.5, 2.2]);
        let s = mixed_exponential();
        check_composer(&Exponential, &s, &[0.8]);
        check_composer(&Exponential, &s, &[2.5]);
        // And through the transforms.
        let s = mixed_normal();
        let obj = CrossEntropy::new(&Normal, &s, &[0.5, 1.5], &[None, None], 1.0);
        check_gradient_and_hessian(&obj, &[0.2, -0.1]);
    }

    #[test]
    fn exact_rows_compose_to_the_familys_own_likelihood() {
        // Censored bounds that are all points make an exact sample: the composer is skipped.
        let s = Sample::censored(vec![0.3, 1.2, 2.2], vec![0.3, 1.2, 2.2]).unwrap();
        assert!(s.is_exact());
        // A truncation to (−∞, ∞) keeps the value and only routes it through the composer.
        let inf = f64::INFINITY;
        let t = Sample::new(vec![0.3, 1.2, 2.2])
            .unwrap()
            .with_truncation(vec![-inf; 3], vec![inf; 3])
            .unwrap();
        let theta = [1.1, 0.9];
        let direct = Normal.log_likelihood(&theta, &s, None, None);
        let composed = Composer::new(&Normal, &t).log_likelihood(&theta, None, None);
        assert!((direct - composed).abs() < 1e-14, "{direct} vs {composed}");
    }

    fn minimise(obj: &CrossEntropy) -> Vec<f64> {
        let opt = crate::optim::Options {
            gtol: 1e-11,
            max_iterations: 200,
        };
        let out = crate::optim::minimize(
            crate::optim::Method::Newton,
            obj,
            &vec![0.0; obj.dim()],
            &opt,
        );
        assert!(
            crate::optim::max_abs(&out.gradient) < 1e-9,
            "{:?} {:?}",
            out.termination,
            out.gradient
        );
        obj.natural(&out.x)
    }

    #[test]
    fn right_censored_exponential_recovers_events_over_exposure() {
        use crate::family::exponential::Exponential;
        // Five events and three right-censored times: λ̂ = #events / Σ tᵢ over all rows.
        let inf = f64::INFINITY;
        let times = [0.5, 1.2, 0.3, 2.7, 0.9, 3.0, 1.5, 4.0];
        let events = [true, true, true, true, true, false, false, false];
        let upper = times
            .iter()
            .zip(&events)
            .map(|(&t, &e)| if e { t } else { inf })
            .collect();
        let s = Sample::censored(times.to_vec(), upper).unwrap();
        let obj = CrossEntropy::new(&Exponential, &s, &[1.0], &[None], 1.0);
        let rate = minimise(&obj)[0];
        let want = 5.0 / times.iter().sum::<f64>();
        assert!((rate - want).abs() < 1e-12 * want, "{rate} vs {want}");
    }

    #[test]
    fn censored_normal_matches_scipy() {
        // scipy 1.17.1, exact = [4.1, 5.3, 2.2, 6.8, 3.9, 5.0, 4.4], right = [6.0, 7.5],
        // left = [2.5], iv = [(3.0, 4.0), (5.5, 6.5)]:
        //   nll = lambda p: -(norm.logpdf(exact, *p).sum() + norm.logsf(right, *p).sum()
        //       + norm.logcdf(left, *p).sum()
        //       + sum(np.log(norm.cdf(u, *p) - norm.cdf(l, *p)) for l, u in iv))
        //   r = minimize(nll, [4.5, 1.5], method='Nelder-Mead',
        //       options=dict(xatol=1e-13, fatol=1e-15, maxiter=20000))
        //   r = minimize(nll, r.x, method='BFGS', options=dict(gtol=1e-12)); print(r.x, -r.fun)
        let inf = f64::INFINITY;
        let s = Sample::censored(
            vec![4.1, 5.3, 2.2, 6.8, 3.9, 5.0, 4.4, 6.0, 7.5, -inf, 3.0, 5.5],
            vec![4.1, 5.3, 2.2, 6.8, 3.9, 5.0, 4.4, inf, inf, 2.5, 4.0, 6.5],
        )
        .unwrap();
        let obj = CrossEntropy::new(&Normal, &s, &[4.5, 1.5], &[None, None], 1.0);
        let theta = minimise(&obj);
        let (mean, sd, ll) = (4.8671906571552865, 2.0000259850817748, -22.26726460478813);
        assert!((theta[0] - mean).abs() < 1e-7, "{theta:?}");
        assert!((theta[1] - sd).abs() < 1e-7, "{theta:?}");
        let got = Composer::new(&Normal, &s).log_likelihood(&theta, None, None);
        assert!((got - ll).abs() < 1e-10, "{got} vs {ll}");
    }

    #[test]
    fn families_without_log_cdf_refuse_censored_data() {
        let s = Sample::censored(vec![1.0, 2.0, 3.0], vec![1.0, f64::INFINITY, 3.0]).unwrap();
        let e = check_observations(&Gamma, &s).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::CensoringUnsupported { family } if family == "gamma")
        );
        assert!(check_observations(&Normal, &s).is_ok());
        let exact = Sample::new(vec![1.0, 2.0]).unwrap();
        assert!(check_observations(&Gamma, &exact).is_ok());
        let e = crate::fit::fit(&Gamma, &s, &crate::fit::FitOptions::default()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::CensoringUnsupported { .. }));
    }
}
