//! The multivariate normal N(μ, Σ) on ℝᵈ: mean μ ∈ ℝᵈ, covariance Σ symmetric positive
//! definite (the covariance, not the precision).
//!
//!   ln p(x) = −½ (d ln 2π + ln|Σ| + (x − μ)ᵀ Σ⁻¹ (x − μ)).
//!
//! On a sample with mean x̄ and biased scatter S the cross entropy (mean negative
//! log-likelihood) depends on the data only through them,
//!
//!   f(μ, Σ) = ½ (d ln 2π + ln|Σ| + tr(Σ⁻¹ (S + (x̄ − μ)(x̄ − μ)ᵀ))),
//!
//! and is minimised by μ̂ = x̄ with Σ̂ = S (full), diag S (diagonal) or (tr S/d)·I (spherical),
//! where f(θ̂) = ½ (d ln 2π + ln|Σ̂| + d). The fit does not use that closed form: it is the check.
//!
//! **Coordinates.** The data are standardised once by an anchor c (column medians) and a
//! diagonal scale B (robust column spreads; one common spread for a spherical covariance),
//! z = B⁻¹(x − c), so that μ = c + B·m and Σ = B L Lᵀ B, where L is the lower Cholesky factor
//! of the standardised covariance. The covariance is parameterised through the inverse factor
//! U = L⁻¹ (lower triangular, Σ_z⁻¹ = UᵀU) with its diagonal on the log scale, U_ii = e^{η_i} =
//! 1/L_ii — log-Cholesky (Pinheiro & Bates 1996, "Unconstrained parametrizations for
//! variance-covariance matrices", Stat. Comput. 6, 289–296) — and its strictly lower entries
//! written as U_ij = −U_ii β_ij: row i is then the regression of column i on the columns
//! before it, with coefficients β_ij and residual precision e^{2η_i} (the modified Cholesky
//! decomposition, Pourahmadi 1999, Biometrika 86, 677–690). The objective separates into one
//! term per row, ½ e^{2η_i} (residual variance of row i's regression) − η_i, needs no matrix
//! inverse, and keeps every coordinate O(1) for strongly correlated columns (β ≈ 1, η ≈ 7 at a
//! correlation of 0.999999), where the entries of Σ's own factor or of U itself converge
//! slowly or grow like 1/√(1 − ρ²). The unconstrained coordinates u are m (d of them), then
//! for a full covariance the rows in turn (β_i0 … β_i,i−1, then η_i), for a diagonal one
//! η_0 … η_{d−1}, and for a spherical one a single η with U = e^η I. At u = 0 the model is the
//! robust start N(c, B²), whose covariance is diagonal; every coordinate is scale-free, so one
//! gradient tolerance fits every unit.
//!
//! **Derivatives** (with e = z̄ − m, w = Ue, M = S_z + eeᵀ; O(d³) for value and gradient, and
//! the Hessian couples only entries of one row of U):
//!
//!   f = ½ d ln 2π + ln|B| − Σ_i η_i + ½ tr(U M Uᵀ),
//!   ∂f/∂m = −Uᵀw,               ∂f/∂U_ij = (UM)_ij − [i = j]/U_ii,
//!   ∂²f/∂m∂mᵀ = UᵀU,            ∂²f/∂m_p∂U_ij = −([j = p] w_i + U_ip e_j),
//!   ∂²f/∂U_ij∂U_kl = [i = k] (M_jl + [i = j = l]/U_ii²),
//!
//! and the chain rule through U_ij(β, η): ∂U_ij/∂β_ij = −U_ii, ∂U_ij/∂η_i = U_ij,
//! ∂²U_ij/∂η_i² = U_ij and ∂²U_ij/∂β_ij∂η_i = −U_ii.

use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::StandardNormal;

use super::{Covariance, MultiFamily, MultiSample, MultiStdErrors, Statistics};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::numeric::constants::LN_2PI;
use crate::optim::Objective;

/// A column whose residual variance, after regressing it on the earlier columns, is at most
/// this fraction of its variance is taken as an exact linear combination of them.
const COLLINEAR: f64 = 1e-12;

/// A multivariate normal with validated parameters.
#[derive(Debug, Clone)]
pub struct MultivariateNormal {
    mean: DVector<f64>,
    covariance: DMatrix<f64>,
    /// Lower Cholesky factor of the covariance.
    factor: DMatrix<f64>,
    /// ln|Σ|.
    ln_det: f64,
}

impl MultivariateNormal {
    /// N(`mean`, `covariance`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameters`] when the dimensions disagree, a value is not finite, or
    /// the covariance is not symmetric positive definite.
    pub fn new(mean: DVector<f64>, covariance: DMatrix<f64>) -> Result<MultivariateNormal> {
        let d = mean.len();
        let invalid = |reason: String| -> Result<MultivariateNormal> {
            Err(ErrorKind::InvalidParameters {
                family: MultiFamily::Normal.name().into(),
                reason,
            }
            .into())
        };
        if d == 0 || covariance.shape() != (d, d) {
            return invalid(format!(
                "a mean of length {d} needs a {d}×{d} covariance, got {}×{}",
                covariance.nrows(),
                covariance.ncols()
            ));
        }
        if mean.iter().chain(covariance.iter()).any(|v| !v.is_finite()) {
            return invalid("every entry must be finite".into());
        }
        for i in 0..d {
            for j in 0..i {
                let tol = 1e-12 * (covariance[(i, i)] * covariance[(j, j)]).abs().sqrt();
                if (covariance[(i, j)] - covariance[(j, i)]).abs() > tol {
                    return invalid(format!("the covariance is not symmetric at ({i}, {j})"));
                }
            }
        }
        let Some(chol) = covariance.clone().cholesky() else {
            return invalid("the covariance is not positive definite".into());
        };
        let factor = chol.l();
        let ln_det = 2.0 * (0..d).map(|j| factor[(j, j)].ln()).sum::<f64>();
        Ok(MultivariateNormal {
            mean,
            covariance,
            factor,
            ln_det,
        })
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// μ.
    pub fn mean(&self) -> &DVector<f64> {
        &self.mean
    }

    /// Σ.
    pub fn covariance(&self) -> &DMatrix<f64> {
        &self.covariance
    }

    /// ln p(x).
    ///
    /// # Panics
    /// If `x` does not have d entries.
    pub fn ln_density(&self, x: &[f64]) -> f64 {
        assert_eq!(x.len(), self.dim(), "a point of the wrong dimension");
        let r = DVector::from_column_slice(x) - &self.mean;
        let y = self
            .factor
            .solve_lower_triangular(&r)
            .expect("a Cholesky factor has a nonzero diagonal");
        -0.5 * (self.dim() as f64 * LN_2PI + self.ln_det + y.norm_squared())
    }

    /// `n` independent draws μ + L z with z standard normal (rand_distr), one row each.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Vec<f64>> {
        let d = self.dim();
        (0..n)
            .map(|_| {
                let z = DVector::from_fn(d, |_, _| rng.sample::<f64, _>(StandardNormal));
                (&self.mean + &self.factor * z).iter().copied().collect()
            })
            .collect()
    }
}

/// The closed-form MLE: x̄ and S, diag S, or (tr S/d)·I.
pub fn closed_form(sample: &MultiSample, structure: Covariance) -> (DVector<f64>, DMatrix<f64>) {
    let st = sample.statistics();
    let d = sample.d();
    let cov = match structure {
        Covariance::Full => st.scatter.clone(),
        Covariance::Diagonal => DMatrix::from_diagonal(&st.scatter.diagonal()),
        Covariance::Spherical => DMatrix::identity(d, d) * (st.scatter.trace() / d as f64),
    };
    (st.mean.clone(), cov)
}

/// Check that the MLE with this covariance structure exists for `sample`.
///
/// # Errors
/// [`ErrorKind::TooFewObservations`]; [`ErrorKind::Degenerate`] for a constant column (full or
/// diagonal) or when every column is constant (spherical); [`ErrorKind::Collinear`] when a
/// column is a linear combination of earlier ones (full).
pub fn validate(sample: &MultiSample, structure: Covariance) -> Result<()> {
    let family = MultiFamily::Normal.name();
    let (n, d) = (sample.n(), sample.d());
    let needed = structure.min_observations(d);
    if n < needed {
        return Err(ErrorKind::TooFewObservations {
            family: family.into(),
            needed,
            got: n,
        }
        .into());
    }
    let constant: Vec<usize> = (0..d)
        .filter(|&j| (1..n).all(|i| sample.row(i)[j] == sample.row(0)[j]))
        .collect();
    match (structure, constant.first()) {
        (Covariance::Full | Covariance::Diagonal, Some(&j)) => {
            return Err(ErrorKind::Degenerate {
                family: family.into(),
                reason: format!(
                    "column {} is constant (every value is {}), so its variance estimate would be 0",
                    sample.names()[j],
                    sample.row(0)[j]
                ),
            }
            .into());
        }
        (Covariance::Spherical, _) if constant.len() == d => {
            return Err(ErrorKind::Degenerate {
                family: family.into(),
                reason: "every column is constant, so the variance estimate would be 0".into(),
            }
            .into());
        }
        _ => {}
    }
    if structure == Covariance::Full {
        check_full_rank(&sample.statistics().scatter, sample.names())?;
    }
    Ok(())
}

/// Incremental Cholesky of the correlation matrix in column order: the first column whose
/// residual variance given the earlier ones is ≤ [`COLLINEAR`] is a linear combination of
/// them; the error names it and the earlier columns with a non-negligible coefficient.
fn check_full_rank(scatter: &DMatrix<f64>, names: &[String]) -> Result<()> {
    let d = scatter.nrows();
    let sd: Vec<f64> = (0..d).map(|j| scatter[(j, j)].sqrt()).collect();
    let r = DMatrix::from_fn(d, d, |i, j| scatter[(i, j)] / (sd[i] * sd[j]));
    let mut l = DMatrix::<f64>::zeros(d, d);
    for j in 0..d {
        for k in 0..j {
            let v = r[(j, k)] - (0..k).map(|m| l[(j, m)] * l[(k, m)]).sum::<f64>();
            l[(j, k)] = v / l[(k, k)];
        }
        let residual = r[(j, j)] - (0..j).map(|k| l[(j, k)].powi(2)).sum::<f64>();
        if residual <= COLLINEAR {
            // Standardised regression coefficients β of column j on columns 0..j: Lᵀβ = l_j.
            let lk = l.view((0, 0), (j, j)).into_owned();
            let lj = DVector::from_fn(j, |k, _| l[(j, k)]);
            let beta = lk
                .transpose()
                .solve_upper_triangular(&lj)
                .unwrap_or_else(|| DVector::from_element(j, 1.0));
            let mut of: Vec<String> = (0..j)
                .filter(|&k| beta[k].abs() > 1e-6)
                .map(|k| names[k].clone())
                .collect();
            if of.is_empty() {
                of = names[..j].to_vec();
            }
            return Err(ErrorKind::Collinear {
                column: names[j].clone(),
                of,
            }
            .into());
        }
        l[(j, j)] = residual.sqrt();
    }
    Ok(())
}

/// Standard errors at Σ̂ from the observed information, which at the MLE has these closed
/// forms (the mean and covariance blocks decouple there): se(μ̂ⱼ) = √(Σ̂ⱼⱼ/n);
/// se(Σ̂ᵢⱼ) = √((Σ̂ᵢᵢΣ̂ⱼⱼ + Σ̂ᵢⱼ²)/n) (full), √(2/n)·Σ̂ⱼⱼ (diagonal), √(2/(nd))·σ̂² (spherical),
/// none for entries held at zero.
pub fn std_errors(cov: &DMatrix<f64>, structure: Covariance, n: usize) -> MultiStdErrors {
    let d = cov.nrows();
    let nf = n as f64;
    MultiStdErrors {
        mean: (0..d).map(|j| (cov[(j, j)] / nf).sqrt()).collect(),
        covariance: (0..d)
            .map(|i| {
                (0..d)
                    .map(|j| match structure {
                        Covariance::Full => {
                            Some(((cov[(i, i)] * cov[(j, j)] + cov[(i, j)].powi(2)) / nf).sqrt())
                        }
                        _ if i != j => None,
                        Covariance::Diagonal => Some((2.0 / nf).sqrt() * cov[(j, j)]),
                        Covariance::Spherical => Some((2.0 / (nf * d as f64)).sqrt() * cov[(j, j)]),
                    })
                    .collect()
            })
            .collect(),
    }
}

/// One unconstrained coordinate of the covariance.
#[derive(Debug, Clone, Copy)]
enum Coord {
    /// β_ij (j < i): the coefficient of column j in the regression of column i, U_ij = −U_ii β_ij.
    Coef(usize, usize),
    /// η_i = ln U_ii, the log precision of row i's regression residual.
    LogDiag(usize),
    /// η with U = e^η I (spherical).
    LogScale,
}

/// The cross entropy of N(μ, Σ) against a sample, in the unconstrained coordinates described
/// in the module documentation.
#[derive(Debug, Clone)]
pub struct NormalCrossEntropy {
    d: usize,
    /// The anchor c (μ at u = 0).
    center: DVector<f64>,
    /// The diagonal of B.
    scale: DVector<f64>,
    /// z̄ = B⁻¹(x̄ − c).
    zbar: DVector<f64>,
    /// S_z = B⁻¹ S B⁻¹.
    zscatter: DMatrix<f64>,
    /// ½ d ln 2π + ln|B|.
    constant: f64,
    coords: Vec<Coord>,
}

impl NormalCrossEntropy {
    /// The objective anchored at the robust start: column medians and, as B, the columns'
    /// robust spreads (IQR/1.349) or, for a spherical covariance, their root mean square.
    pub fn new(sample: &MultiSample, structure: Covariance) -> NormalCrossEntropy {
        let d = sample.d();
        let mut center = DVector::zeros(d);
        let mut spread = DVector::zeros(d);
        let mut varying = Vec::new();
        for j in 0..d {
            let column = Sample::new(sample.column(j)).expect("finite, non-empty column");
            center[j] = column.quantile(0.5);
            spread[j] = column.robust_scale();
            if column.summary().variance > 0.0 {
                varying.push(spread[j] * spread[j]);
            }
        }
        if structure == Covariance::Spherical {
            let common = if varying.is_empty() {
                1.0
            } else {
                (varying.iter().sum::<f64>() / varying.len() as f64).sqrt()
            };
            spread.fill(common);
        }
        Self::anchored(sample.statistics(), structure, center, spread)
    }

    /// The objective on the statistics `stats`, anchored at μ = `center`, Σ = diag(`scale`²)
    /// (for a spherical covariance every entry of `scale` must be equal).
    pub fn anchored(
        stats: &Statistics,
        structure: Covariance,
        center: DVector<f64>,
        scale: DVector<f64>,
    ) -> NormalCrossEntropy {
        let d = center.len();
        let zbar = (&stats.mean - &center).component_div(&scale);
        let zscatter = DMatrix::from_fn(d, d, |i, j| stats.scatter[(i, j)] / (scale[i] * scale[j]));
        let coords = match structure {
            Covariance::Full => (0..d)
                .flat_map(|i| {
                    (0..i)
                        .map(move |j| Coord::Coef(i, j))
                        .chain(std::iter::once(Coord::LogDiag(i)))
                })
                .collect(),
            Covariance::Diagonal => (0..d).map(Coord::LogDiag).collect(),
            Covariance::Spherical => vec![Coord::LogScale],
        };
        NormalCrossEntropy {
            d,
            constant: 0.5 * d as f64 * LN_2PI + scale.iter().map(|s| s.ln()).sum::<f64>(),
            center,
            scale,
            zbar,
            zscatter,
            coords,
        }
    }

    /// U at u (the standardised inverse Cholesky factor, Σ_z⁻¹ = UᵀU).
    fn factor(&self, u: &[f64]) -> DMatrix<f64> {
        let d = self.d;
        let mut f = DMatrix::zeros(d, d);
        for (c, &v) in self.coords.iter().zip(&u[d..]) {
            match *c {
                Coord::Coef(..) => {}
                Coord::LogDiag(i) => f[(i, i)] = v.exp(),
                Coord::LogScale => f.fill_diagonal(v.exp()),
            }
        }
        for (c, &v) in self.coords.iter().zip(&u[d..]) {
            if let Coord::Coef(i, j) = *c {
                f[(i, j)] = -f[(i, i)] * v;
            }
        }
        f
    }

    /// ln|U| = Σ η, exactly.
    fn ln_det_factor(&self, u: &[f64]) -> f64 {
        self.coords
            .iter()
            .zip(&u[self.d..])
            .map(|(c, &v)| match c {
                Coord::Coef(..) => 0.0,
                Coord::LogDiag(_) => v,
                Coord::LogScale => self.d as f64 * v,
            })
            .sum()
    }

    /// (μ, Σ) at u; Σ exactly symmetric.
    pub fn natural(&self, u: &[f64]) -> (DVector<f64>, DMatrix<f64>) {
        let d = self.d;
        let mean = &self.center + DVector::from_column_slice(&u[..d]).component_mul(&self.scale);
        let l = self
            .factor(u)
            .solve_lower_triangular(&DMatrix::identity(d, d))
            .unwrap_or_else(|| DMatrix::from_element(d, d, f64::NAN));
        let mut cov = DMatrix::zeros(d, d);
        for i in 0..d {
            for j in 0..=i {
                let v = (0..=j).map(|k| l[(i, k)] * l[(j, k)]).sum::<f64>()
                    * self.scale[i]
                    * self.scale[j];
                cov[(i, j)] = v;
                cov[(j, i)] = v;
            }
        }
        (mean, cov)
    }

    /// u at (μ, Σ), when Σ is positive definite and has this objective's structure.
    pub fn unconstrained(&self, mean: &DVector<f64>, cov: &DMatrix<f64>) -> Option<Vec<f64>> {
        let d = self.d;
        let standard = DMatrix::from_fn(d, d, |i, j| cov[(i, j)] / (self.scale[i] * self.scale[j]));
        let l = standard.cholesky()?.l();
        let f = l.solve_lower_triangular(&DMatrix::identity(d, d))?;
        let mut u: Vec<f64> = (mean - &self.center)
            .component_div(&self.scale)
            .iter()
            .copied()
            .collect();
        u.extend(self.coords.iter().map(|c| match *c {
            Coord::Coef(i, j) => -f[(i, j)] / f[(i, i)],
            Coord::LogDiag(i) => f[(i, i)].ln(),
            Coord::LogScale => f[(0, 0)].ln(),
        }));
        Some(u)
    }

    /// A note when a log-Cholesky diagonal |η| exceeds `limit` (a variance running off to 0 or
    /// ∞), naming the column.
    pub fn runaway(&self, u: &[f64], limit: f64, names: &[String]) -> Option<String> {
        self.coords
            .iter()
            .zip(&u[self.d..])
            .find_map(|(c, v)| match c {
                Coord::LogDiag(j) if v.abs() > limit => {
                    Some(format!("the variance of column {}", names[*j]))
                }
                Coord::LogScale if v.abs() > limit => Some("the common variance".to_string()),
                _ => None,
            })
    }

    /// The size of the terms that cancel in f at u: ½ Σᵢ |Uᵢ|ᵀ |M| |Uᵢ| + |constant| + Σ|η|.
    /// The rounding error of f is a few ulps of this, which for nearly collinear columns (a
    /// residual variance of 1e-10 against 1) is far more than a few ulps of f itself.
    pub fn magnitude(&self, u: &[f64]) -> f64 {
        let d = self.d;
        let f_mat = self.factor(u).abs();
        let e = &self.zbar - DVector::from_column_slice(&u[..d]);
        let m_abs = (&self.zscatter + &e * e.transpose()).abs();
        let quad = (&f_mat * m_abs).component_mul(&f_mat).sum();
        0.5 * quad + self.constant.abs() + u[d..].iter().map(|v| v.abs()).sum::<f64>()
    }

    fn evaluate(&self, u: &[f64], grad: Option<&mut [f64]>, hess: Option<&mut [f64]>) -> f64 {
        let d = self.d;
        let f_mat = self.factor(u);
        if f_mat.iter().any(|v| !v.is_finite()) {
            return f64::INFINITY;
        }
        let e = &self.zbar - DVector::from_column_slice(&u[..d]);
        let w = &f_mat * &e;
        // Row i of U·S_z, then ½ tr(U S_z Uᵀ) = ½ Σᵢ (U S_z)ᵢ·Uᵢ: no inverse anywhere.
        let us = &f_mat * &self.zscatter;
        let quad = (0..d)
            .map(|i| (0..=i).map(|j| us[(i, j)] * f_mat[(i, j)]).sum::<f64>())
            .sum::<f64>()
            + w.norm_squared();
        let value = self.constant - self.ln_det_factor(u) + 0.5 * quad;
        if !value.is_finite() {
            return f64::INFINITY;
        }
        if grad.is_none() && hess.is_none() {
            return value;
        }
        // U M with M = S_z + eeᵀ.
        let um = &us + &w * e.transpose();
        let g_entry =
            |i: usize, j: usize| um[(i, j)] - if i == j { 1.0 / f_mat[(i, i)] } else { 0.0 };
        // Each coordinate's dU/du as entries (i, j, factor): ∂U_ij/∂β_ij = −U_ii, and η_i
        // scales the whole row i (every row, for a spherical η).
        let dirs: Vec<Vec<(usize, usize, f64)>> = self
            .coords
            .iter()
            .map(|c| match *c {
                Coord::Coef(i, j) => vec![(i, j, -f_mat[(i, i)])],
                Coord::LogDiag(i) => (0..=i)
                    .filter(|&j| f_mat[(i, j)] != 0.0)
                    .map(|j| (i, j, f_mat[(i, j)]))
                    .collect(),
                Coord::LogScale => (0..d).map(|j| (j, j, f_mat[(j, j)])).collect(),
            })
            .collect();
        let k = self.dim();
        let mut g = vec![0.0; k];
        let ut_w = f_mat.transpose() * &w;
        for q in 0..d {
            g[q] = -ut_w[q];
        }
        for (c, dir) in dirs.iter().enumerate() {
            g[d + c] = dir.iter().map(|&(i, j, phi)| phi * g_entry(i, j)).sum();
        }
        if let Some(h) = hess {
            let omega = f_mat.transpose() * &f_mat;
            let m_mat = &self.zscatter + &e * e.transpose();
            for q in 0..d {
                for r in 0..d {
                    h[q * k + r] = omega[(q, r)];
                }
                for (c, dir) in dirs.iter().enumerate() {
                    let v: f64 = dir
                        .iter()
                        .map(|&(i, j, phi)| {
                            -phi * (if j == q { w[i] } else { 0.0 } + f_mat[(i, q)] * e[j])
                        })
                        .sum();
                    h[q * k + d + c] = v;
                    h[(d + c) * k + q] = v;
                }
            }
            for (c1, dir1) in dirs.iter().enumerate() {
                for (c2, dir2) in dirs.iter().enumerate().skip(c1) {
                    let mut v = 0.0;
                    for &(i, j, phi) in dir1 {
                        for &(kk, ll, psi) in dir2 {
                            if i == kk {
                                let mut second = m_mat[(j, ll)];
                                if i == j && kk == ll {
                                    second += 1.0 / (f_mat[(i, i)] * f_mat[(i, i)]);
                                }
                                v += phi * psi * second;
                            }
                        }
                    }
                    // Second derivatives of U itself: ∂²U/∂η_i² = row i of U and
                    // ∂²U_ij/∂β_ij∂η_i = −U_ii = ∂U_ij/∂β_ij, so the gradient reappears.
                    match (self.coords[c1], self.coords[c2]) {
                        (Coord::LogDiag(_), Coord::LogDiag(_)) | (Coord::LogScale, _)
                            if c1 == c2 =>
                        {
                            v += g[d + c1]
                        }
                        (Coord::Coef(i, _), Coord::LogDiag(r)) if i == r => v += g[d + c1],
                        _ => {}
                    }
                    h[(d + c1) * k + d + c2] = v;
                    h[(d + c2) * k + d + c1] = v;
                }
            }
        }
        if let Some(grad) = grad {
            grad.copy_from_slice(&g);
        }
        value
    }
}

impl Objective for NormalCrossEntropy {
    fn dim(&self) -> usize {
        self.d + self.coords.len()
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
    use crate::fit::FitOptions;
    use crate::multivariate::fit_multivariate;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn names(d: usize) -> Vec<String> {
        (0..d).map(|j| format!("x{j}")).collect()
    }

    #[test]
    fn ln_density_matches_the_two_dimensional_formula() {
        let (s1, s2, rho) = (2.0f64, 3.0f64, 0.2f64);
        let cov = DMatrix::from_row_slice(2, 2, &[s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2]);
        let mvn = MultivariateNormal::new(DVector::from_vec(vec![1.0, -2.0]), cov).unwrap();
        let (x, y) = (2.5, 0.5);
        // The bivariate normal density written out.
        let (zx, zy) = ((x - 1.0) / s1, (y + 2.0) / s2);
        let q = (zx * zx - 2.0 * rho * zx * zy + zy * zy) / (1.0 - rho * rho);
        let expected =
            -(2.0 * std::f64::consts::PI * s1 * s2 * (1.0 - rho * rho).sqrt()).ln() - q / 2.0;
        let got = mvn.ln_density(&[x, y]);
        assert!((got - expected).abs() < 1e-14, "{got} vs {expected}");
        // det Σ = 36 − 1.44 = 34.56 and, at the mean, ln p = −ln 2π − ½ ln 34.56.
        let at_mean = -(2.0 * std::f64::consts::PI).ln() - 0.5 * 34.56f64.ln();
        assert!((mvn.ln_density(&[1.0, -2.0]) - at_mean).abs() < 1e-14);
        // d = 1 is the univariate normal: dnorm(1.5, 1, 2) = 0.1933340584014246 (R).
        let one = MultivariateNormal::new(
            DVector::from_vec(vec![1.0]),
            DMatrix::from_element(1, 1, 4.0),
        )
        .unwrap();
        assert!((one.ln_density(&[1.5]) - 0.1933340584014246f64.ln()).abs() < 1e-14);
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        let m = DVector::from_vec(vec![0.0, 0.0]);
        let not_pd = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        assert!(MultivariateNormal::new(m.clone(), not_pd).is_err());
        let not_sym = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.4, 1.0]);
        assert!(MultivariateNormal::new(m.clone(), not_sym).is_err());
        assert!(MultivariateNormal::new(m, DMatrix::identity(3, 3)).is_err());
    }

    #[test]
    fn the_objective_is_the_mean_of_the_log_densities() {
        let mut rng = StdRng::seed_from_u64(7);
        let truth = MultivariateNormal::new(
            DVector::from_vec(vec![1.0, -3.0, 10.0]),
            DMatrix::from_row_slice(3, 3, &[2.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 0.5]),
        )
        .unwrap();
        let rows = truth.sample(&mut rng, 40);
        let sample = MultiSample::new(names(3), &rows).unwrap();
        for structure in [
            Covariance::Full,
            Covariance::Diagonal,
            Covariance::Spherical,
        ] {
            let obj = NormalCrossEntropy::new(&sample, structure);
            let u: Vec<f64> = (0..obj.dim()).map(|i| 0.1 * i as f64 - 0.3).collect();
            let (mean, cov) = obj.natural(&u);
            let model = MultivariateNormal::new(mean.clone(), cov.clone()).unwrap();
            let direct = -rows.iter().map(|r| model.ln_density(r)).sum::<f64>() / 40.0;
            assert!((obj.value(&u) - direct).abs() < 1e-12, "{structure:?}");
            let back = obj.unconstrained(&mean, &cov).unwrap();
            for (a, b) in back.iter().zip(&u) {
                assert!((a - b).abs() < 1e-12, "{structure:?}: {back:?} vs {u:?}");
            }
        }
    }

    /// Statistics of a made-up sample of dimension d: a random mean and a random positive
    /// definite scatter.
    fn random_statistics(d: usize, rng: &mut StdRng) -> Statistics {
        let q = DMatrix::from_fn(d, d, |_, _| rng.random_range(-1.0..1.0));
        let scatter = &q * q.transpose() + DMatrix::identity(d, d) * 0.3;
        Statistics {
            n: 10,
            mean: DVector::from_fn(d, |_, _| rng.random_range(-3.0..3.0)),
            scatter,
        }
    }

    fn check_derivatives(obj: &NormalCrossEntropy, u: &[f64]) -> std::result::Result<(), String> {
        let k = obj.dim();
        let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
        let f = obj.value_gradient_hessian(u, &mut g, &mut h);
        let mut g_only = vec![0.0; k];
        if obj.value_gradient(u, &mut g_only) != f || g_only != g {
            return Err("value_gradient disagrees with value_gradient_hessian".into());
        }
        let e = 1e-5;
        for a in 0..k {
            let (mut up, mut dn) = (u.to_vec(), u.to_vec());
            up[a] += e;
            dn[a] -= e;
            let fd = (obj.value(&up) - obj.value(&dn)) / (2.0 * e);
            if (fd - g[a]).abs() > 1e-6 * (1.0 + g[a].abs()) {
                return Err(format!("gradient {a}: analytic {} vs fd {fd}", g[a]));
            }
            let (mut gu, mut gd) = (vec![0.0; k], vec![0.0; k]);
            obj.value_gradient(&up, &mut gu);
            obj.value_gradient(&dn, &mut gd);
            for b in 0..k {
                let fd = (gu[b] - gd[b]) / (2.0 * e);
                let an = h[a * k + b];
                if (fd - an).abs() > 1e-5 * (1.0 + an.abs()) {
                    return Err(format!("Hessian ({a}, {b}): analytic {an} vs fd {fd}"));
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn gradient_and_hessian_match_central_differences(
            seed in any::<u64>(),
            d in prop::sample::select(vec![1usize, 2, 4]),
            structure in prop::sample::select(vec![Covariance::Full, Covariance::Diagonal, Covariance::Spherical]),
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let stats = random_statistics(d, &mut rng);
            let center = DVector::from_fn(d, |_, _| rng.random_range(-1.0..1.0));
            let scale = match structure {
                Covariance::Spherical => DVector::from_element(d, rng.random_range(0.5..2.0)),
                _ => DVector::from_fn(d, |_, _| rng.random_range(0.5..2.0)),
            };
            let obj = NormalCrossEntropy::anchored(&stats, structure, center, scale);
            let u: Vec<f64> = (0..obj.dim()).map(|_| rng.random_range(-0.8..0.8)).collect();
            prop_assert!(check_derivatives(&obj, &u).is_ok(), "{:?}", check_derivatives(&obj, &u));
        }
    }

    #[test]
    fn one_dimension_is_the_univariate_normal_fit() {
        use crate::family::normal::Normal;
        let mut rng = StdRng::seed_from_u64(3);
        let values: Vec<f64> = (0..57)
            .map(|_| 40.0 + 3.0 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let rows: Vec<Vec<f64>> = values.iter().map(|v| vec![*v]).collect();
        let multi = MultiSample::new(names(1), &rows).unwrap();
        let fit = fit_multivariate(&multi, Covariance::Full, &FitOptions::default()).unwrap();
        let uni = crate::fit(
            &Normal,
            &Sample::new(values).unwrap(),
            &FitOptions::default(),
        )
        .unwrap();
        assert!(fit.converged && uni.converged);
        assert!(fit.iterations > 0, "the robust start is not the MLE");
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs();
        let (mean, sd) = (
            uni.params.get("mean").unwrap(),
            uni.params.get("sd").unwrap(),
        );
        assert!(
            close(fit.params.mean[0], mean),
            "{} vs {mean}",
            fit.params.mean[0]
        );
        assert!(close(fit.params.covariance[0][0], sd * sd));
        assert!(close(fit.log_likelihood, uni.log_likelihood));
        assert!(close(fit.aic, uni.aic) && close(fit.bic, uni.bic));
        let se = fit.std_errors.unwrap();
        let uni_se = uni.std_errors.unwrap();
        assert!(close(se.mean[0], uni_se.get("mean").unwrap()));
        // se(σ̂²) = 2σ̂·se(σ̂) (delta method).
        let se_var = se.covariance[0][0].unwrap();
        assert!(close(se_var, 2.0 * sd * uni_se.get("sd").unwrap()));
    }

    #[test]
    fn std_errors_are_the_inverse_observed_information() {
        // At the MLE, (n H)⁻¹ in the optimisation coordinates, mapped to Σ by the delta method
        // (Jacobian by central differences of `natural`), equals the closed forms.
        let mut rng = StdRng::seed_from_u64(11);
        let truth = MultivariateNormal::new(
            DVector::from_vec(vec![0.0, 5.0, -1.0]),
            DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.2, 0.5, 2.0, -0.4, 0.2, -0.4, 1.5]),
        )
        .unwrap();
        let rows = truth.sample(&mut rng, 200);
        let sample = MultiSample::new(names(3), &rows).unwrap();
        for structure in [
            Covariance::Full,
            Covariance::Diagonal,
            Covariance::Spherical,
        ] {
            let fit = fit_multivariate(&sample, structure, &FitOptions::default()).unwrap();
            let obj = NormalCrossEntropy::new(&sample, structure);
            let u = obj
                .unconstrained(&fit.mean_vector(), &fit.covariance_matrix())
                .unwrap();
            let k = obj.dim();
            let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
            obj.value_gradient_hessian(&u, &mut g, &mut h);
            let inv = (DMatrix::from_row_slice(k, k, &h) * 200.0)
                .cholesky()
                .unwrap()
                .inverse();
            let se = fit.std_errors.as_ref().unwrap();
            let e = 1e-6;
            for i in 0..3 {
                for j in 0..=i {
                    let jac: Vec<f64> = (0..k)
                        .map(|a| {
                            let (mut up, mut dn) = (u.clone(), u.clone());
                            up[a] += e;
                            dn[a] -= e;
                            (obj.natural(&up).1[(i, j)] - obj.natural(&dn).1[(i, j)]) / (2.0 * e)
                        })
                        .collect();
                    let var: f64 = (0..k)
                        .flat_map(|a| (0..k).map(move |b| (a, b)))
                        .map(|(a, b)| jac[a] * inv[(a, b)] * jac[b])
                        .sum();
                    match se.covariance[i][j] {
                        Some(s) => assert!(
                            (var.sqrt() - s).abs() < 1e-5 * s,
                            "{structure:?} ({i},{j}): {} vs {s}",
                            var.sqrt()
                        ),
                        None => assert!(var.abs() < 1e-12, "{structure:?} ({i},{j})"),
                    }
                }
                let (mut up, mut dn) = (u.clone(), u.clone());
                up[i] += e;
                dn[i] -= e;
                let dmu = (obj.natural(&up).0[i] - obj.natural(&dn).0[i]) / (2.0 * e);
                let var_mean = dmu * dmu * inv[(i, i)];
                assert!((var_mean.sqrt() - se.mean[i]).abs() < 1e-6 * se.mean[i]);
            }
        }
    }

    #[test]
    fn degenerate_samples_are_errors() {
        let rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![2.0, 1.0, 3.0],
            vec![4.0, 7.0, 11.0],
            vec![0.5, 3.0, 3.5],
            vec![3.0, 3.0, 6.0],
        ];
        // Column z = x + y.
        let s = MultiSample::new(vec!["x".into(), "y".into(), "z".into()], &rows).unwrap();
        let e = validate(&s, Covariance::Full).unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::Collinear {
                column: "z".into(),
                of: vec!["x".into(), "y".into()]
            }
        );
        assert!(e
            .to_string()
            .starts_with("column z is a linear combination of x, y"));
        // Diagonal and spherical fits exist.
        validate(&s, Covariance::Diagonal).unwrap();
        validate(&s, Covariance::Spherical).unwrap();
        // A constant column.
        let c = MultiSample::new(
            vec!["a".into(), "b".into()],
            &[vec![1.0, 5.0], vec![2.0, 5.0], vec![4.0, 5.0]],
        )
        .unwrap();
        let e = validate(&c, Covariance::Diagonal).unwrap_err();
        assert!(e.to_string().contains("column b is constant"), "{e}");
        validate(&c, Covariance::Spherical).unwrap();
        // Too few rows for a full covariance in 3 dimensions.
        let few = MultiSample::new(names(3), &rows[..3]).unwrap();
        assert!(matches!(
            validate(&few, Covariance::Full).unwrap_err().kind(),
            ErrorKind::TooFewObservations {
                needed: 4,
                got: 3,
                ..
            }
        ));
    }
}
