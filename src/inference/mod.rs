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
use serde::Serialize;

use self::covariance::Covariances;
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{Constraint, Family, FamilyHandle, RowInput};
use crate::fit::{Fit, ParamMap};
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
/// ([`Sample::with_trials`]) replaces the family's fixed count row by row, as in the fit; a
/// censored or truncated row's score is that of its likelihood contribution
/// ([`crate::objective::row_log_likelihood`]).
pub fn row_scores(family: &dyn Family, theta: &[f64], sample: &Sample) -> RowScores {
    let k = theta.len();
    let input = RowInput::of(family, sample);
    let rows: Vec<usize> = (0..sample.len())
        .filter(|&i| sample.weight(i) > 0.0)
        .collect();
    let mut scores = DMatrix::zeros(rows.len(), k);
    let mut g = vec![0.0; k];
    let mut theta_row = theta.to_vec();
    // A censored or truncated row contributes its interval probability, not a density.
    let exact = sample.is_exact();
    let mut scratch = crate::objective::Scratch::new(k);
    // Scores row by row (O(k) each); the Hessian once, from the likelihood the fit maximised,
    // so a family with sufficient statistics sums it in O(levels) rather than a k × k matrix
    // per row (a categorical with 2,000 levels took a minute here; issue 17).
    for (r, &i) in rows.iter().enumerate() {
        if let Some(input) = input {
            input.theta_at(&mut theta_row, i);
        }
        if exact {
            family.ln_density_derivs(&theta_row, sample.values()[i], Some(&mut g), None);
        } else {
            crate::objective::row_log_likelihood(
                family,
                sample,
                i,
                &theta_row,
                Some(&mut g),
                None,
                &mut scratch,
            );
        }
        for a in 0..k {
            scores[(r, a)] = g[a];
        }
    }
    let mut h = vec![0.0; k * k];
    crate::objective::Composer::new(family, sample).log_likelihood(theta, None, Some(&mut h));
    let hessian = DMatrix::from_row_slice(k, k, &h);
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

/// What every refit around a converged fit starts from (bootstrap replicates, profile
/// likelihood): the family specialised to the sample, the fit's parameter names, the indices
/// of the estimated parameters, and the parameters to hold — the fit's own fixed values, then
/// those of the refit options that the fit did not fix.
pub(crate) struct RefitBasis<'a> {
    /// The family specialised to the sample (a categorical to its levels).
    pub(crate) model: FamilyHandle<'a>,
    /// Parameter names of the fit, in the family's order.
    pub(crate) names: Vec<String>,
    /// Indices of the estimated parameters (neither fixed nor a fixed-only count).
    pub(crate) estimated: Vec<usize>,
    /// Parameters to hold in every refit.
    pub(crate) fixed: Vec<(String, f64)>,
}

impl<'a> RefitBasis<'a> {
    /// The basis for refits of `fit` (of `family` to `sample`) with `options`; `purpose` ends
    /// the sentence "so there is no …" when the fit did not converge.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] when the fit did not converge or its parameters are not
    /// those of `family` for this sample; a degenerate-data error from the specialisation.
    pub(crate) fn new(
        family: &'a dyn Family,
        sample: &Sample,
        fit: &Fit,
        options: &crate::fit::FitOptions,
        purpose: &str,
    ) -> Result<RefitBasis<'a>> {
        if !fit.converged {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "the {} fit did not converge ({}), so there is no {purpose}",
                    fit.family,
                    fit.termination.as_str()
                ),
            }
            .into());
        }
        let model = FamilyHandle::for_sample(family, sample)?;
        let names: Vec<String> = fit.params.0.iter().map(|(n, _)| n.clone()).collect();
        let specs = model.params();
        if specs.len() != names.len() || specs.iter().zip(&names).any(|(s, n)| s.name != n.as_str())
        {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "the fit's parameters ({}) are not those of {} for this sample",
                    names.join(", "),
                    model.name()
                ),
            }
            .into());
        }
        let estimated = (0..specs.len())
            .filter(|&j| {
                specs[j].constraint != Constraint::FixedCount
                    && !fit.fixed.iter().any(|f| f == &names[j])
            })
            .collect();
        let mut fixed: Vec<(String, f64)> = fit
            .fixed
            .iter()
            .filter_map(|name| {
                let v = fit.params.get(name)?;
                v.is_finite().then(|| (name.clone(), v))
            })
            .collect();
        for (name, v) in &options.fixed {
            if !fixed.iter().any(|(n, _)| n == name) {
                fixed.push((name.clone(), *v));
            }
        }
        Ok(RefitBasis {
            model,
            names,
            estimated,
            fixed,
        })
    }
}

/// Which confidence intervals to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Wald from the chosen standard errors, on the log scale for positive parameters and the
    /// logit scale for (0, 1) ones (never crossing a bound).
    Wald,
    /// Wald on the natural scale θ̂ ± z·se for every parameter (may cross a bound).
    WaldNatural,
    /// Profile likelihood: where 2(ℓ̂ − ℓ_p) crosses the χ²₁ quantile.
    Profile,
    /// Bootstrap percentile (needs a bootstrap).
    Percentile,
    /// Bootstrap bias-corrected and accelerated (needs a bootstrap).
    Bca,
}

/// Which standard errors drive Wald intervals and delta-method errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeKind {
    /// From the observed information (the analytic Hessian).
    #[default]
    Observed,
    /// From the expected (Fisher) information.
    Expected,
    /// The sandwich, robust to a misspecified family.
    Sandwich,
}

/// What to compute beyond the fit.
#[derive(Debug, Clone, Default)]
pub struct UncertaintyOptions {
    /// The standard errors that drive Wald intervals and delta-method errors.
    pub se: SeKind,
    /// Confidence intervals: level and method.
    pub intervals: Option<(f64, CiMethod)>,
    /// Bootstrap replicates (bootstrap standard errors, percentile and BCa intervals).
    pub bootstrap: Option<bootstrap::BootstrapOptions>,
    /// Goodness-of-fit tests with parametric-bootstrap p-values.
    pub goodness_of_fit: Option<gof::GofOptions>,
    /// Derived quantities of the fitted model.
    pub quantities: Vec<derived::Quantity>,
}

/// A derived quantity with its standard errors and interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedEstimate {
    /// The delta-method estimate (name, value, standard error, gradient).
    #[serde(flatten)]
    pub delta: derived::Derived,
    /// Standard deviation of the quantity over the bootstrap replicates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap_std_error: Option<f64>,
    /// Its confidence interval (Wald from the delta method, or percentile/BCa from the
    /// bootstrap; profile intervals fall back to Wald, with a note).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<intervals::Interval>,
}

/// The bootstrap without its replicates: what a report needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapSummary {
    /// Non-parametric or parametric.
    pub kind: bootstrap::BootstrapKind,
    /// Replicates asked for.
    pub replicates: usize,
    /// Replicates whose refit failed (left out of everything below).
    pub failed: usize,
    /// Seed of the replicate streams.
    pub seed: u64,
    /// Standard deviation of each estimated parameter over the successful replicates.
    pub std_errors: ParamMap,
    /// Remarks (few replicates, failures).
    pub notes: Vec<String>,
}

/// Everything `mlfit fit` reports about the uncertainty of one fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncertainty {
    /// Which standard errors drive the Wald intervals and delta-method errors.
    pub se_kind: SeKind,
    /// Observed, expected and sandwich covariances.
    pub covariance: Covariances,
    /// White's information-matrix test with the sandwich/model standard-error ratios; absent
    /// when it cannot be computed (no second derivatives, a non-smooth family).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_matrix_test: Option<covariance::ImTest>,
    /// Confidence intervals for the estimated parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<intervals::Interval>,
    /// Derived quantities of the fitted model.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<DerivedEstimate>,
    /// The bootstrap, when one was run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapSummary>,
    /// Goodness of fit with parametric-bootstrap p-values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goodness_of_fit: Option<gof::GoodnessOfFit>,
}

/// Progress of the bootstrap stages: called with the stage (`"bootstrap"` or
/// `"goodness of fit"`), the replicates done and the total.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// Standard errors, intervals, bootstrap, derived quantities and goodness of fit of `fit`
/// (fitted to `sample` by `family`), as `options` asks.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a bootstrap interval without a bootstrap, or when `fit`
/// is not a fit of `family` to `sample`; the errors of the steps themselves.
pub fn analyse(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    options: &UncertaintyOptions,
    progress: Progress,
) -> Result<Uncertainty> {
    let model = FamilyHandle::for_sample(family, sample)?;
    let model: &dyn Family = &*model;
    let covariance = covariance::covariances(model, sample, fit)?;
    let information_matrix_test = covariance::information_matrix_test(model, sample, fit);
    let chosen = match options.se {
        SeKind::Observed => covariance.observed.as_ref(),
        SeKind::Expected => covariance.expected.as_ref(),
        SeKind::Sandwich => covariance.sandwich.as_ref(),
    };
    let boot = match &options.bootstrap {
        Some(b) => {
            let total = b.replicates;
            Some(bootstrap::bootstrap(model, sample, fit, b, &|done| {
                progress("bootstrap", done, total)
            })?)
        }
        None => None,
    };
    let analysis = Analysis {
        model,
        sample,
        fit,
        options,
        chosen,
        boot: boot.as_ref(),
    };
    let intervals = match options.intervals {
        Some((level, method)) => analysis.parameter_intervals(level, method)?,
        None => Vec::new(),
    };
    let derived = analysis.derived_estimates()?;
    let goodness_of_fit = match &options.goodness_of_fit {
        Some(g) => {
            let total = g.replicates;
            Some(gof::gof_test(model, sample, fit, g, &|done| {
                progress("goodness of fit", done, total)
            })?)
        }
        None => None,
    };
    let information_matrix_test = match (information_matrix_test, &options.goodness_of_fit) {
        (Some(t), Some(g)) => Some(analysis.im_test_bootstrap(t, g, progress)?),
        (t, _) => t,
    };
    Ok(Uncertainty {
        se_kind: options.se,
        information_matrix_test,
        intervals,
        derived,
        bootstrap: boot.map(BootstrapSummary::from),
        goodness_of_fit,
        covariance,
    })
}

/// What every step of [`analyse`] shares: the (specialised) family, the data, the fit, the
/// options, the standard errors chosen to drive Wald intervals, and the bootstrap if one ran.
struct Analysis<'a> {
    model: &'a dyn Family,
    sample: &'a Sample,
    fit: &'a Fit,
    options: &'a UncertaintyOptions,
    chosen: Option<&'a covariance::CovarianceMatrix>,
    boot: Option<&'a bootstrap::Bootstrap>,
}

impl Analysis<'_> {
    /// Confidence intervals for the estimated parameters by `method` at `level`.
    fn parameter_intervals(
        &self,
        level: f64,
        method: CiMethod,
    ) -> Result<Vec<intervals::Interval>> {
        let (model, sample, fit) = (self.model, self.sample, self.fit);
        match method {
            CiMethod::Wald | CiMethod::WaldNatural => match self.chosen {
                Some(c) => intervals::wald_intervals(
                    model,
                    sample,
                    fit,
                    &c.std_errors,
                    level,
                    if method == CiMethod::Wald {
                        intervals::WaldScale::Transformed
                    } else {
                        intervals::WaldScale::Natural
                    },
                ),
                None => Ok(Vec::new()),
            },
            CiMethod::Profile => self.profile_intervals(level),
            CiMethod::Percentile | CiMethod::Bca => {
                let Some(b) = self.boot else {
                    return Err(ErrorKind::InvalidOption {
                        reason: "bootstrap intervals need bootstrap replicates (--bootstrap N)"
                            .into(),
                    }
                    .into());
                };
                if method == CiMethod::Percentile {
                    intervals::percentile(b, level)
                } else {
                    intervals::bca(model, sample, fit, b, level)
                }
            }
        }
    }

    /// Profile-likelihood intervals. A mixture weight cannot be held on its own (the weights
    /// sum to 1), so it has no profile: its limits are NaN, and the Wald interval on the logit
    /// scale stands in, labelled as such, as for derived quantities.
    fn profile_intervals(&self, level: f64) -> Result<Vec<intervals::Interval>> {
        let (model, sample, fit) = (self.model, self.sample, self.fit);
        let fit_options = crate::fit::FitOptions {
            method: fit.method,
            ..Default::default()
        };
        let mut out = intervals::profile(model, sample, fit, level, &fit_options)?;
        let weights: Vec<&str> = model
            .params()
            .iter()
            .filter(|p| p.constraint == Constraint::Simplex)
            .map(|p| p.name)
            .collect();
        let Some(c) = self.chosen.filter(|_| !weights.is_empty()) else {
            return Ok(out);
        };
        let wald = intervals::wald_intervals(
            model,
            sample,
            fit,
            &c.std_errors,
            level,
            intervals::WaldScale::Transformed,
        )?;
        for i in &mut out {
            let held = weights.contains(&i.parameter.as_str());
            if let Some(w) = wald
                .iter()
                .find(|w| held && w.parameter == i.parameter && i.lower.is_nan())
            {
                let note = format!(
                    "no profile interval: {} is a weight of a group summing to 1 and cannot be held alone; Wald on the logit scale from the {} standard errors instead",
                    i.parameter,
                    match self.options.se {
                        SeKind::Observed => "observed",
                        SeKind::Expected => "expected",
                        SeKind::Sandwich => "sandwich",
                    }
                );
                *i = intervals::Interval {
                    note: Some(note),
                    ..w.clone()
                };
            }
        }
        Ok(out)
    }

    /// The derived quantities asked for, each with its delta-method error, its bootstrap
    /// error and its interval.
    fn derived_estimates(&self) -> Result<Vec<DerivedEstimate>> {
        let theta = self.fit.theta();
        let empty = DMatrix::zeros(theta.len(), theta.len());
        let cov = self.chosen.map(|c| &c.natural).unwrap_or(&empty);
        let mut out = Vec::new();
        for &q in &self.options.quantities {
            let Some(delta) = derived::delta_method(self.model, &theta, cov, q) else {
                continue;
            };
            let reps = self.replicate_values(&theta, q);
            let bootstrap_std_error = reps.as_ref().filter(|r| r.len() > 1).map(|r| {
                let m = r.iter().sum::<f64>() / r.len() as f64;
                (r.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (r.len() - 1) as f64).sqrt()
            });
            let interval = self.derived_interval(&delta, reps.as_deref())?;
            out.push(DerivedEstimate {
                delta,
                bootstrap_std_error,
                interval,
            });
        }
        Ok(out)
    }

    /// The bootstrap replicates' values of quantity `q`: each θ* fills the estimated
    /// parameters of θ̂. `None` without a bootstrap.
    fn replicate_values(&self, theta: &[f64], q: derived::Quantity) -> Option<Vec<f64>> {
        let b = self.boot?;
        let names = self.model.params();
        let slots: Vec<usize> = b
            .parameters
            .iter()
            .map(|p| names.iter().position(|s| s.name == p))
            .collect::<Option<_>>()?;
        Some(
            b.estimates
                .iter()
                .filter_map(|row| {
                    let mut t = theta.to_vec();
                    for (&j, &v) in slots.iter().zip(row) {
                        t[j] = v;
                    }
                    derived::value(self.model, &t, q)
                })
                .collect(),
        )
    }

    /// The interval of a derived quantity: Wald from the delta method (profile intervals fall
    /// back to it, with a note), or percentile/BCa from its bootstrap replicates `reps`.
    fn derived_interval(
        &self,
        delta: &derived::Derived,
        reps: Option<&[f64]>,
    ) -> Result<Option<intervals::Interval>> {
        let Some((level, method)) = self.options.intervals else {
            return Ok(None);
        };
        match method {
            CiMethod::Wald | CiMethod::WaldNatural | CiMethod::Profile => {
                let mut i = intervals::wald(
                    &delta.name,
                    delta.estimate,
                    delta.std_error.unwrap_or(f64::NAN),
                    level,
                )?;
                if method == CiMethod::Profile {
                    i.note = Some(
                        "no profile interval for a derived quantity: Wald from the delta method"
                            .into(),
                    );
                }
                Ok(Some(i))
            }
            CiMethod::Percentile => reps
                .map(|r| intervals::percentile_interval(&delta.name, delta.estimate, r, level))
                .transpose(),
            CiMethod::Bca => match (reps, &delta.gradient) {
                (Some(r), g) if !g.is_empty() => {
                    let a = self.derived_acceleration(g)?;
                    Ok(Some(intervals::bca_interval(
                        &delta.name,
                        delta.estimate,
                        r,
                        a,
                        level,
                    )?))
                }
                (Some(r), _) => Ok(Some(intervals::percentile_interval(
                    &delta.name,
                    delta.estimate,
                    r,
                    level,
                )?)),
                _ => Ok(None),
            },
        }
    }

    /// The BCa acceleration of a derived quantity with gradient `g`: its influence values are
    /// the parameters' ones projected on its gradient (the delta method for the
    /// infinitesimal jackknife); 0 where they cannot be computed.
    fn derived_acceleration(&self, g: &[f64]) -> Result<f64> {
        let influence = intervals::influence_values(self.model, self.sample, self.fit)?;
        Ok(influence
            .and_then(|l| {
                let gv: Vec<f64> = g
                    .iter()
                    .map(|v| if v.is_finite() { *v } else { 0.0 })
                    .collect();
                let li: Vec<f64> = (0..l.nrows())
                    .map(|i| (0..l.ncols()).map(|j| l[(i, j)] * gv[j]).sum())
                    .collect();
                intervals::acceleration(&li)
            })
            .unwrap_or(0.0))
    }

    /// The IM test's parametric-bootstrap p-value, from data drawn from the fitted model and
    /// refitted (the same replicate streams as the goodness-of-fit test).
    fn im_test_bootstrap(
        &self,
        test: covariance::ImTest,
        g: &gof::GofOptions,
        progress: Progress,
    ) -> Result<covariance::ImTest> {
        let model = self.model;
        let refitter = bootstrap::Refitter::new(model, self.sample, self.fit, &g.fit)?;
        let total = g.replicates;
        let stats: Vec<Option<f64>> = bootstrap::replicate(
            g.replicates,
            g.seed,
            &|done| progress("information-matrix test", done, total),
            |_, rng| {
                let s = refitter.simulate(rng).ok()?;
                let f = refitter.refit(&s).ok()?;
                covariance::im_statistic(model, &s, &f).map(|(t, _)| t)
            },
        );
        let stats: Vec<f64> = stats.into_iter().flatten().collect();
        Ok(test.with_bootstrap(&stats))
    }
}

impl From<bootstrap::Bootstrap> for BootstrapSummary {
    fn from(b: bootstrap::Bootstrap) -> Self {
        BootstrapSummary {
            kind: b.kind,
            replicates: b.replicates,
            failed: b.failed,
            seed: b.seed,
            std_errors: ParamMap(
                b.parameters
                    .iter()
                    .cloned()
                    .zip(b.std_errors.iter().copied())
                    .collect(),
            ),
            notes: b.notes,
        }
    }
}
