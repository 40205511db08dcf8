//! Uncertainty and misspecification: what a point estimate θ̂ is worth.
//!
//! Everything here starts from a [`Fit`](crate::Fit) and the sample it was fitted to:
//! - [`covariance`]: the covariance of θ̂ three ways — observed information (the analytic
//!   Hessian), expected (Fisher) information, and the sandwich A⁻¹BA⁻¹ that stays valid when the
//!   family is misspecified — with White's information-matrix test;
//! - [`expect`]: expectations E_θ[g(X)] under the fitted model (quadrature or summation),
//!   used for the expected information and for derivatives of derived quantities;
//! - [`derived`]: quantiles, mean and variance of the fitted model with delta-method errors;
//! - [`bootstrap`]: non-parametric and parametric bootstrap replicates, in parallel and
//!   reproducible for a seed whatever the number of threads;
//! - [`intervals`]: Wald (natural and log scale), profile-likelihood, percentile and BCa
//!   intervals;
//! - [`gof`]: Kolmogorov–Smirnov, Cramér–von Mises, Anderson–Darling and χ² statistics with
//!   parametric-bootstrap p-values.
//!
//! The primitives shared by all of them live in this file: per-row scores and the Jacobian of
//! the estimation coordinates.

pub mod bootstrap;
pub mod covariance;
pub mod derived;
pub mod expect;
pub mod gof;
pub mod intervals;

use nalgebra::DMatrix;

use crate::data::Sample;
use crate::family::{Constraint, Family};
use crate::fit::Fit;
use crate::objective::CrossEntropy;

/// The per-row scores ∇θ ln p(xᵢ | θ) of the rows with positive weight.
#[derive(Debug, Clone)]
pub struct RowScores {
    /// Row indices into the sample (rows with zero weight are left out).
    pub rows: Vec<usize>,
    /// The rows' weights (1 for an unweighted sample).
    pub weights: Vec<f64>,
    /// One row per used observation, one column per natural parameter (n × k).
    pub scores: DMatrix<f64>,
    /// Σᵢ wᵢ ∇²θ ln p(xᵢ | θ), k × k: the Hessian of the log-likelihood.
    pub hessian: DMatrix<f64>,
}

/// Per-row scores and the summed Hessian at θ. A per-row number of trials
/// ([`Sample::with_trials`]) replaces the family's fixed count row by row, as in the fit.
pub fn row_scores(family: &dyn Family, theta: &[f64], sample: &Sample) -> RowScores {
    let k = theta.len();
    let count = family
        .params()
        .iter()
        .position(|p| p.constraint == Constraint::FixedCount);
    let trials = sample.trials().zip(count);
    let rows: Vec<usize> = (0..sample.len())
        .filter(|&i| sample.weight(i) > 0.0)
        .collect();
    let mut scores = DMatrix::zeros(rows.len(), k);
    let mut hessian = DMatrix::zeros(k, k);
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    let mut theta_row = theta.to_vec();
    for (r, &i) in rows.iter().enumerate() {
        if let Some((t, j)) = trials {
            theta_row[j] = t[i];
        }
        family.ln_density_derivs(&theta_row, sample.values()[i], Some(&mut g), Some(&mut h));
        let w = sample.weight(i);
        for a in 0..k {
            scores[(r, a)] = g[a];
            for b in 0..k {
                hessian[(a, b)] += w * h[a * k + b];
            }
        }
    }
    RowScores {
        weights: rows.iter().map(|&i| sample.weight(i)).collect(),
        rows,
        scores,
        hessian,
    }
}

/// What the fit held fixed, by parameter: the user's fixed values and the non-smooth
/// parameters that sit at their closed form (see [`Family::irregularity`]).
pub fn held(family: &dyn Family, fit: &Fit) -> Vec<Option<f64>> {
    let theta = fit.theta();
    let irregular = family.irregularity().map(|i| i.params).unwrap_or(&[]);
    family
        .params()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let fixed = fit.fixed.iter().any(|n| n == p.name)
                || p.constraint == Constraint::FixedCount
                || irregular.contains(&j);
            fixed.then_some(theta[j])
        })
        .collect()
}

/// The Jacobian J = ∂θ/∂u (k × m) of the fit's estimation coordinates at θ: the directions in
/// which θ̂ moves (identity columns for free parameters, the sum-to-one tangent directions for
/// mixture weights, nothing for held ones). Covariances are J (Jᵀ I J)⁻¹ Jᵀ.
pub fn estimation_jacobian(
    family: &dyn Family,
    theta: &[f64],
    held: &[Option<f64>],
    sample: &Sample,
) -> DMatrix<f64> {
    let objective = CrossEntropy::new(family, sample, theta, held, 1.0);
    let m = crate::optim::Objective::dim(&objective);
    let mut jac = objective.jacobian(&vec![0.0; m]);
    // Unit-free columns: rescale each to the parameter's own unit so J has 1s for free
    // parameters (the covariance formula is invariant to column scaling).
    for (a, &j) in objective.free().iter().enumerate() {
        if family.params()[j].constraint != Constraint::Simplex {
            let d = jac[(j, a)];
            if d != 0.0 {
                jac.column_mut(a).scale_mut(1.0 / d);
            }
        }
    }
    jac
}
