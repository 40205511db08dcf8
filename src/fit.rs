//! Fitting: start → optimise → certify → summarise.
//!
//! [`fit`] validates the sample against the family (support, integrality, size), takes the
//! closed-form MLE or the family's robust initial estimate as the start, minimises the cross
//! entropy in unconstrained coordinates, and then *certifies* the result independently of the
//! optimizer's own verdict: the mean score must be zero to tolerance, the Hessian there must be
//! positive definite, and no parameter may have run off to the edge of its domain. Only then is
//! the fit `converged`. Standard errors come from the observed information (the analytic
//! Hessian of the log-likelihood) at θ̂.
//!
//! A censored or truncated sample takes the same path with three differences: no closed form
//! (those are for exact values), a start from the family's estimate on each row's
//! representative point ([`Sample::representative`]), and the likelihood, its Hessian and so the
//! standard errors composed by observation kind ([`crate::objective::Composer`]).

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{check_params, Constraint, Family, FamilyHandle, Irregularity, RowInput};
use crate::objective::CrossEntropy;
use crate::optim::{self, Method, Objective, Termination};

/// Default tolerance on ‖mean score‖∞ in the scale-free optimisation coordinates.
pub const DEFAULT_GTOL: f64 = 1e-9;

/// |u| beyond which a parameter has moved by a factor e³⁰ ≈ 1e13 (or 30 spreads) from a robust
/// start: it is running off to the boundary, not converging.
const RUNAWAY: f64 = 30.0;

/// How to fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Optimisation method.
    pub method: Method,
    /// Tolerance on the ∞-norm of the mean score in optimisation coordinates.
    pub gtol: f64,
    /// Iteration cap; `None` for the method's default.
    pub max_iterations: Option<usize>,
    /// Parameters held fixed, by name.
    pub fixed: Vec<(String, f64)>,
    /// A starting point (full θ in the family's order; fixed parameters are overwritten by
    /// their values) instead of the family's own estimate: warm starts for profile likelihood
    /// and bootstrap refits, and the several starts of a mixture. Ignored when it is not a
    /// valid parameter vector for the family.
    pub start: Option<Vec<f64>>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            method: Method::Newton,
            gtol: DEFAULT_GTOL,
            max_iterations: None,
            fixed: Vec::new(),
            start: None,
        }
    }
}

/// Parameter values by name, in the family's order; serialised as a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamMap(pub Vec<(String, f64)>);

impl ParamMap {
    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// The values in order.
    pub fn values(&self) -> Vec<f64> {
        self.0.iter().map(|(_, v)| *v).collect()
    }
}

impl Serialize for ParamMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for ParamMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ParamMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of parameter names to numbers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<ParamMap, A::Error> {
                let mut v = Vec::new();
                // null stands for a value that does not exist (a per-row number of trials).
                while let Some((k, x)) = a.next_entry::<String, Option<f64>>()? {
                    v.push((k, x.unwrap_or(f64::NAN)));
                }
                Ok(ParamMap(v))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A fitted model and the evidence that it is the maximum-likelihood estimate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fit {
    /// Canonical family name.
    pub family: String,
    /// θ̂ by name, in the family's order (fixed parameters included at their values; a
    /// per-row number of trials is NaN, serialised as null).
    pub params: ParamMap,
    /// Number of observations (rows with positive weight).
    pub n: usize,
    /// Σwᵢ when the fit is weighted (absent otherwise); AIC/BIC then treat the weights as
    /// frequency weights and BIC uses ln Σwᵢ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_total: Option<f64>,
    /// Mean negative log-likelihood −(1/W) Σ wᵢ ln p(xᵢ | θ̂), in nats per observation: the
    /// Monte Carlo estimate of the cross entropy H(p*, p_θ̂).
    pub cross_entropy: f64,
    /// Total log-likelihood Σ wᵢ ln p(xᵢ | θ̂) (natural log).
    pub log_likelihood: f64,
    /// Akaike information criterion 2k − 2ℓ (k = free parameters).
    pub aic: f64,
    /// Bayesian information criterion k ln n − 2ℓ (n = Σwᵢ with weights).
    pub bic: f64,
    /// True only when the certificate holds: score zero to tolerance, Hessian positive definite,
    /// no parameter at the boundary.
    pub converged: bool,
    /// Why the optimisation stopped (after certification).
    pub termination: Termination,
    /// Optimizer iterations.
    pub iterations: usize,
    /// ‖mean score‖∞ at θ̂ in the scale-free optimisation coordinates (see `objective.rs`).
    pub score_norm: f64,
    /// Standard errors from the observed information, by name (free parameters only);
    /// `None` when the information matrix is not invertible.
    pub std_errors: Option<ParamMap>,
    /// The optimisation method used.
    pub method: Method,
    /// Names of parameters held fixed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// The mlfit version that made the fit (so a saved model says what wrote it).
    #[serde(default)]
    pub mlfit_version: String,
    /// Remarks a user should read: boundary estimates, missing standard errors, …
    #[serde(default)]
    pub notes: Vec<String>,
    /// The rows by observation kind (exact, right-, left-, interval-censored, truncated) when
    /// some row is censored or truncated; absent for exact data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observations: Option<crate::data::KindCounts>,
}

impl Fit {
    /// The estimated parameter values in the family's order.
    pub fn theta(&self) -> Vec<f64> {
        self.params.values()
    }
}

/// Check that the sample is something `family` can be fitted to. Rows with zero weight are
/// ignored, exactly as if they had been dropped.
///
/// # Errors
/// [`ErrorKind::OutsideSupport`], [`ErrorKind::NotInteger`], [`ErrorKind::TooFewObservations`];
/// [`ErrorKind::CensoringUnsupported`] or [`ErrorKind::InvalidOption`] for censored data.
pub fn validate(family: &dyn Family, sample: &Sample) -> Result<()> {
    crate::objective::check_observations(family, sample)?;
    if !sample.is_exact() {
        validate_censored(family, sample)?;
    }
    let support = family.support();
    let values = sample.values();
    let used = |i: &usize| sample.weight(*i) > 0.0;
    let first_and_count = |bad: &dyn Fn(f64) -> bool| {
        let mut hits = (0..values.len()).filter(used).filter(|&i| bad(values[i]));
        hits.next().map(|first| (first, 1 + hits.count()))
    };
    if let Some((index, count)) = first_and_count(&|x| !support.contains(x)) {
        return Err(ErrorKind::OutsideSupport {
            family: family.name().into(),
            support: support.describe().into(),
            value: values[index],
            at: sample.location(index),
            index,
            count,
        }
        .into());
    }
    // Labels may be any values (a categorical of 1.5, 2.5 …); other discrete supports are integers.
    if support.is_discrete() && support != crate::family::Support::Labels {
        if let Some((index, count)) = first_and_count(&|x| x.fract() != 0.0) {
            return Err(ErrorKind::NotInteger {
                family: family.name().into(),
                value: values[index],
                at: sample.location(index),
                count,
            }
            .into());
        }
    }
    let effective = (0..sample.len()).filter(used).count();
    if effective < family.min_observations() {
        return Err(ErrorKind::TooFewObservations {
            family: family.name().into(),
            needed: family.min_observations(),
            got: effective,
        }
        .into());
    }
    Ok(())
}

/// The checks only a censored or truncated sample needs: a family whose parameters are all
/// smooth (a non-smooth one is held at its exact-data closed form, which censoring changes),
/// and rows that can pin the estimate down — when every row is censored on the same side the
/// likelihood grows without bound as the distribution moves off that way.
fn validate_censored(family: &dyn Family, sample: &Sample) -> Result<()> {
    if family.irregularity().is_some() {
        return Err(ErrorKind::CensoringUnsupported {
            family: family.name().into(),
        }
        .into());
    }
    let c = sample.kind_counts();
    let rows = c.exact + c.left + c.right + c.interval;
    let one_sided = match (c.right == rows, c.left == rows) {
        (true, _) => Some("right"),
        (_, true) => Some("left"),
        _ => None,
    };
    if let Some(side) = one_sided {
        return Err(ErrorKind::Degenerate {
            family: family.name().into(),
            reason: format!(
                "all {rows} rows are {side}-censored, so the likelihood increases without bound"
            ),
        }
        .into());
    }
    Ok(())
}

/// Fit `family` to `sample` by maximum likelihood.
///
/// # Errors
/// Validation errors (see [`validate`]), [`ErrorKind::Degenerate`] when the MLE does not exist
/// for these data, [`ErrorKind::InvalidOption`] for unknown or invalid fixed parameters (or a
/// fixed-only parameter left free). A run that does not converge is *not* an error: it
/// returns a `Fit` with `converged: false`.
pub fn fit(family: &dyn Family, sample: &Sample, options: &FitOptions) -> Result<Fit> {
    let family = FamilyHandle::for_sample(family, sample)?;
    let family: &dyn Family = &*family;
    let start = Start::new(family, sample, options)?;
    let objective = CrossEntropy::new(
        family,
        sample,
        &start.theta0,
        &start.held,
        real_scale(family, sample),
    );
    let outcome = optimise(&objective, &start, options);
    let certificate = certify(family, &objective, &outcome, options.gtol);
    Ok(summarise(
        family,
        sample,
        &objective,
        start,
        &outcome,
        certificate,
        options,
    ))
}

/// Where a fit starts: the validated data's fixed and held parameters and the starting point.
struct Start<'a> {
    /// The parameters the user fixed (and a per-row input's largest value), by index.
    user_fixed: Vec<Option<f64>>,
    /// What the objective holds: `user_fixed`, and the non-smooth parameters at their
    /// closed form.
    held: Vec<Option<f64>>,
    /// θ₀: the closed form, a warm start, or the family's own estimate.
    theta0: Vec<f64>,
    /// A per-row input (a number of trials) standing in for a fixed parameter.
    row_input: Option<RowInput<'a>>,
    /// Notes so far (the non-smooth parameters' explanation).
    notes: Vec<String>,
}

impl<'a> Start<'a> {
    /// Validate `sample` for `family`, resolve the fixed parameters and choose θ₀.
    fn new(family: &dyn Family, sample: &'a Sample, options: &FitOptions) -> Result<Start<'a>> {
        validate(family, sample)?;
        let specs = family.params();
        let row_input = RowInput::of(family, sample);
        let mut user_fixed = resolve_fixed(family, &options.fixed, row_input.is_some())?;
        // A per-row input (a number of trials) stands in for the fixed parameter: the
        // likelihood takes it row by row; internally the parameter holds the largest, for the
        // checks that need one value, and it is reported as null with a note.
        let row_input = row_input.filter(|r| user_fixed[r.param].is_none());
        if let Some(r) = row_input {
            r.check_within(family, sample)?;
            user_fixed[r.param] = Some(r.largest());
        }
        family.check_data(sample, &user_fixed)?;

        // The closed form when nothing is fixed, else the family's conditional start; closed
        // forms are for exact data, and a censored sample starts from its representative
        // points (exact values, interval midpoints, censoring times).
        let exact = sample.is_exact();
        let closed = if exact && user_fixed.iter().all(Option::is_none) {
            family.closed_form(sample)
        } else {
            None
        };
        let warm = options.start.as_ref().and_then(|s| {
            let mut t = s.clone();
            for (v, f) in t.iter_mut().zip(&user_fixed) {
                if let Some(f) = f {
                    *v = *f;
                }
            }
            (t.len() == specs.len() && check_params(family, &t).is_ok()).then_some(t)
        });
        let theta0 = match (warm, &closed) {
            (_, Some(t)) => t.clone(),
            (Some(t), None) => t,
            (None, None) if exact => family.initial_estimate_given(sample, &user_fixed)?,
            (None, None) => family.initial_estimate_given(&sample.representative(), &user_fixed)?,
        };
        if check_params(family, &theta0).is_err() {
            return Err(ErrorKind::Degenerate {
                family: family.name().into(),
                reason: if theta0.iter().all(|t| t.is_finite()) {
                    format!(
                        "no valid starting point (initial estimate {})",
                        crate::error::bounded_list(
                            &theta0
                                .iter()
                                .map(|&t| crate::numeric::format::exact(t))
                                .collect::<Vec<_>>()
                        )
                    )
                } else {
                    // The moments behind the start overflowed (values near ±1e308) or
                    // underflowed: say so rather than print NaN.
                    "no valid starting point: the moments of the data are not finite in 64-bit \
                     floating point (values too large or too close together); rescale the data"
                        .into()
                },
            }
            .into());
        }
        // Non-smooth parameters are held at their closed form; the rest are certified by their
        // score.
        let mut held = user_fixed.clone();
        let mut notes = Vec::new();
        if !exact {
            let c = sample.kind_counts();
            notes.push(format!(
                "censored or truncated data: {} rows ({})",
                c.exact + c.left + c.right + c.interval,
                c.describe()
            ));
        }
        if let Some(irr) = family.irregularity() {
            // With nothing fixed they sit at the closed form; with other parameters fixed, at
            // the family's conditional start, which for these parameters is their conditional
            // MLE.
            for &j in irr.params {
                if held[j].is_none() {
                    held[j] = Some(closed.as_ref().unwrap_or(&theta0)[j]);
                }
            }
            notes.push(irr.note.to_string());
        }
        Ok(Start {
            user_fixed,
            held,
            theta0,
            row_input,
            notes,
        })
    }
}

/// The unit of real (location) parameters: the data's spread. Families without one skip the
/// sort it needs (a bootstrap refits thousands of times).
fn real_scale(family: &dyn Family, sample: &Sample) -> f64 {
    if family
        .params()
        .iter()
        .any(|p| p.constraint == Constraint::Real)
    {
        sample.robust_scale()
    } else {
        1.0
    }
}

/// Minimise the objective from θ₀ (u = 0); with nothing left to optimise, the start is the
/// answer (every parameter fixed, or every estimated one in closed form).
fn optimise(objective: &CrossEntropy, start: &Start, options: &FitOptions) -> optim::Outcome {
    let m = objective.dim();
    if m == 0 {
        return optim::Outcome {
            x: vec![],
            value: objective.value(&[]),
            gradient: vec![],
            iterations: 0,
            evaluations: 1,
            termination: if start.held == start.user_fixed {
                Termination::AllFixed
            } else {
                Termination::ClosedForm
            },
        };
    }
    let opt = optim::Options {
        gtol: options.gtol,
        max_iterations: options
            .max_iterations
            .unwrap_or(options.method.default_max_iterations()),
    };
    optim::minimize(options.method, objective, &vec![0.0; m], &opt)
}

/// The certificate at the optimiser's end point (see [`optim::certify`]), with the family's
/// own boundary finding, or else a coordinate that ran further than [`RUNAWAY`].
fn certify(
    family: &dyn Family,
    objective: &CrossEntropy,
    outcome: &optim::Outcome,
    gtol: f64,
) -> optim::Certificate {
    let theta = objective.natural(&outcome.x);
    let boundary = family.boundary_note(&theta).or_else(|| {
        let a = outcome.x.iter().position(|u| u.abs() > RUNAWAY)?;
        let j = objective.free()[a];
        let name = family.params()[j].name;
        Some(format!(
            "{name} ran off towards the edge of its domain ({name} = {:e}): the likelihood has no maximum here",
            theta[j]
        ))
    });
    optim::certify(objective, outcome, gtol, 0.0, boundary)
}

/// The [`Fit`]: θ̂, likelihood, information criteria, standard errors and the certificate.
fn summarise(
    family: &dyn Family,
    sample: &Sample,
    objective: &CrossEntropy,
    start: Start,
    outcome: &optim::Outcome,
    certificate: optim::Certificate,
    options: &FitOptions,
) -> Fit {
    let specs = family.params();
    let theta = objective.natural(&outcome.x);
    let value = certificate.value;
    let mut notes = start.notes;
    notes.extend(certificate.notes);
    notes.extend(family.fit_notes(&theta));
    let w = objective.total_weight();
    let log_likelihood = -value * w;
    let n = (0..sample.len())
        .filter(|&i| sample.weight(i) > 0.0)
        .count();
    let weighted = sample.weights().is_some();
    // Free = estimated: neither fixed by the user nor fixed-only; held non-smooth parameters
    // are estimated (in closed form) and count.
    let estimated: Vec<usize> = (0..specs.len())
        .filter(|&j| start.user_fixed[j].is_none())
        .collect();
    let k = estimated
        .len()
        .saturating_sub(family.equality_constraints()) as f64;
    let n_eff = if weighted { w } else { n as f64 };
    let irregular = family.irregularity();
    let std_errors = standard_errors(
        family,
        sample,
        &theta,
        &estimated,
        &objective.jacobian(&outcome.x),
        irregular,
    );
    if std_errors.is_none() && value.is_finite() && !estimated.is_empty() && irregular.is_none() {
        notes.push(
            "standard errors unavailable: the observed information matrix is singular".into(),
        );
    }
    let mut reported = theta;
    if let Some(r) = start.row_input {
        reported[r.param] = f64::NAN;
        notes.push(r.note(family));
    }
    Fit {
        family: family.name().into(),
        params: ParamMap(
            specs
                .iter()
                .zip(&reported)
                .map(|(s, v)| (s.name.to_string(), *v))
                .collect(),
        ),
        n,
        weight_total: weighted.then_some(w),
        cross_entropy: value,
        log_likelihood,
        aic: 2.0 * k - 2.0 * log_likelihood,
        bic: k * n_eff.ln() - 2.0 * log_likelihood,
        converged: certificate.converged,
        termination: certificate.termination,
        iterations: outcome.iterations,
        score_norm: certificate.score_norm,
        std_errors,
        method: options.method,
        fixed: specs
            .iter()
            .zip(&start.user_fixed)
            .filter(|(_, f)| f.is_some())
            .map(|(s, _)| s.name.to_string())
            .collect(),
        mlfit_version: env!("CARGO_PKG_VERSION").to_string(),
        notes,
        observations: (!sample.is_exact()).then(|| sample.kind_counts()),
    }
}

/// Standard errors by name for the estimated parameters, natural scale.
///
/// Regular families: √diag of J (Jᵀ I J)⁻¹ Jᵀ, with I = −∇²ℓ the observed information in
/// natural parameters and J = ∂θ/∂u the objective's Jacobian over the parameters the optimiser
/// certified (for unconstrained parameters this is √diag I⁻¹; mixture weights get the
/// covariance of the sum-to-one constraint). Non-smooth parameters (see [`Irregularity`]): from the expected
/// information when the family provides it and the support does not move with them (Laplace);
/// otherwise they get none and the remaining parameters use the observed information with the
/// non-smooth ones held (Pareto's shape given its scale).
fn standard_errors(
    family: &dyn Family,
    sample: &Sample,
    theta: &[f64],
    estimated: &[usize],
    jacobian: &DMatrix<f64>,
    irregular: Option<Irregularity>,
) -> Option<ParamMap> {
    let k = theta.len();
    let specs = family.params();
    let invert = |info: DMatrix<f64>, which: &[usize]| -> Option<ParamMap> {
        let cov = info.cholesky()?.inverse();
        let se: Vec<(String, f64)> = which
            .iter()
            .enumerate()
            .map(|(a, &j)| (specs[j].name.to_string(), cov[(a, a)].sqrt()))
            .collect();
        se.iter()
            .all(|(_, v)| v.is_finite())
            .then_some(ParamMap(se))
    };
    let mut h = vec![0.0; k * k];
    if irregular.is_some() {
        if let Some(se) = family.closed_form_std_errors(theta, sample) {
            return Some(ParamMap(
                estimated
                    .iter()
                    .map(|&j| (specs[j].name.to_string(), se[j]))
                    .collect(),
            ));
        }
    }
    if let Some(irr) = irregular {
        if !irr.support_depends_on_params && family.expected_information(theta, &mut h[..k * k]) {
            let w = sample.summary().total_weight;
            let info = DMatrix::from_fn(estimated.len(), estimated.len(), |a, b| {
                w * h[estimated[a] * k + estimated[b]]
            });
            return invert(info, estimated);
        }
    }
    if jacobian.ncols() == 0 {
        return None;
    }
    let mut g = vec![0.0; k];
    if sample.is_exact() {
        family.log_likelihood(theta, sample, Some(&mut g[..k]), Some(&mut h[..k * k]));
    } else {
        crate::objective::Composer::new(family, sample).log_likelihood(
            theta,
            Some(&mut g[..k]),
            Some(&mut h[..k * k]),
        );
    }
    let info = -DMatrix::from_row_slice(k, k, &h);
    let cov = constrained_covariance(&info, jacobian)?;
    let moved: Vec<usize> = (0..k)
        .filter(|&j| jacobian.row(j).iter().any(|&v| v != 0.0))
        .collect();
    let se: Vec<(String, f64)> = moved
        .iter()
        .map(|&j| (specs[j].name.to_string(), cov[(j, j)].sqrt()))
        .collect();
    se.iter()
        .all(|(_, v)| v.is_finite())
        .then_some(ParamMap(se))
}

/// J (Jᵀ I J)⁻¹ Jᵀ: the covariance in natural parameters (k × k) of an estimate whose
/// information in natural parameters is `info` (k × k) and which moves only along the columns
/// of `jacobian` (k × m). `None` when Jᵀ I J is not positive definite.
pub fn constrained_covariance(
    info: &DMatrix<f64>,
    jacobian: &DMatrix<f64>,
) -> Option<DMatrix<f64>> {
    let reduced = jacobian.transpose() * info * jacobian;
    let inverse = reduced.cholesky()?.inverse();
    Some(jacobian * inverse * jacobian.transpose())
}

fn resolve_fixed(
    family: &dyn Family,
    fixed: &[(String, f64)],
    per_row_input: bool,
) -> Result<Vec<Option<f64>>> {
    let specs = family.params();
    let mut out = vec![None; specs.len()];
    let names = || {
        let all: Vec<String> = specs.iter().map(|s| s.name.to_string()).collect();
        crate::error::bounded_list(&all)
    };
    for (name, value) in fixed {
        let Some(j) = specs.iter().position(|s| s.name == name) else {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{} has no parameter {name:?}; its parameters are: {}",
                    family.name(),
                    names()
                ),
            }
            .into());
        };
        if specs[j].constraint == Constraint::Simplex {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{name} is one of {}'s weights, which sum to 1 and cannot be held fixed",
                    family.name()
                ),
            }
            .into());
        }
        let n_simplex = specs
            .iter()
            .filter(|s| s.constraint == Constraint::Simplex)
            .count();
        let mut probe: Vec<f64> = specs
            .iter()
            .map(|s| match s.constraint {
                Constraint::UnitInterval => 0.5,
                Constraint::Simplex => 1.0 / n_simplex as f64,
                _ => 1.0,
            })
            .collect();
        probe[j] = *value;
        if check_params(family, &probe).is_err() {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{name} = {} is outside its domain ({}) for {}; its parameters are: {}",
                    crate::numeric::format::exact(*value),
                    match specs[j].constraint {
                        Constraint::Real | Constraint::Shape => "a finite number",
                        Constraint::Positive => "> 0",
                        Constraint::UnitInterval => "strictly between 0 and 1",
                        Constraint::FixedCount => "an integer ≥ 1",
                        Constraint::Simplex => unreachable!("refused above"),
                    },
                    family.name(),
                    names()
                ),
            }
            .into());
        }
        out[j] = Some(*value);
    }
    if let Some(spec) = specs
        .iter()
        .zip(&out)
        .find(|(s, v)| s.constraint == Constraint::FixedCount && v.is_none() && !per_row_input)
        .map(|(s, _)| s)
    {
        return Err(ErrorKind::InvalidOption {
            reason: format!(
                "{} needs its {name} given, it is not estimated: pass --fix {name}=N (or --trials N)",
                family.name(),
                name = spec.name
            ),
        }
        .into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::gamma::Gamma;
    use crate::family::normal::Normal;

    #[test]
    fn normal_fit_is_the_closed_form_and_certified() {
        let s = Sample::new(vec![1.0, 2.0, 4.0, 7.0]).unwrap();
        let f = fit(&Normal, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        assert_eq!(f.termination, Termination::GradientTolerance);
        assert_eq!(f.params.get("mean"), Some(3.5));
        let sd = (5.25f64).sqrt();
        assert!((f.params.get("sd").unwrap() - sd).abs() < 1e-14);
        // ℓ = −n/2 (ln 2π + 1) − n ln σ̂
        let ll = -2.0 * ((2.0 * std::f64::consts::PI).ln() + 1.0) - 4.0 * sd.ln();
        assert!((f.log_likelihood - ll).abs() < 1e-12);
        assert!((f.cross_entropy + ll / 4.0).abs() < 1e-13);
        // Observed information of the normal at the MLE: se(μ) = σ/√n, se(σ) = σ/√(2n).
        let se = f.std_errors.unwrap();
        assert!((se.get("mean").unwrap() - sd / 2.0).abs() < 1e-12);
        assert!((se.get("sd").unwrap() - sd / 8f64.sqrt()).abs() < 1e-12);
        assert!((f.aic - (4.0 - 2.0 * ll)).abs() < 1e-12);
        assert!((f.bic - (2.0 * 4f64.ln() - 2.0 * ll)).abs() < 1e-12);
    }

    #[test]
    fn all_methods_reach_the_same_gamma_optimum() {
        let s = Sample::new(vec![0.8, 1.9, 2.4, 0.3, 5.2, 1.1, 3.3, 0.9]).unwrap();
        let reference = fit(&Gamma, &s, &FitOptions::default()).unwrap();
        assert!(reference.converged);
        for method in [Method::Lbfgs, Method::GradientDescent] {
            // Start away from the optimum by fixing nothing but using a cruder initial point:
            let f = fit(
                &Gamma,
                &s,
                &FitOptions {
                    method,
                    ..Default::default()
                },
            )
            .unwrap();
            assert!(f.converged, "{method:?}: {:?}", f.termination);
            for (a, b) in f.theta().iter().zip(reference.theta()) {
                assert!(((a - b) / b).abs() < 1e-7, "{method:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn fixed_parameters_are_held_and_not_counted() {
        let s = Sample::new(vec![1.0, 2.0, 4.0, 7.0]).unwrap();
        let opts = FitOptions {
            fixed: vec![("sd".into(), 2.0)],
            ..Default::default()
        };
        let f = fit(&Normal, &s, &opts).unwrap();
        assert!(f.converged);
        assert!((f.params.get("mean").unwrap() - 3.5).abs() < 1e-12);
        assert_eq!(f.params.get("sd"), Some(2.0));
        assert_eq!(f.fixed, vec!["sd".to_string()]);
        assert!((f.aic - (2.0 - 2.0 * f.log_likelihood)).abs() < 1e-12);
        assert!(f.std_errors.unwrap().get("sd").is_none());
        let bad = FitOptions {
            fixed: vec![("sigma".into(), 2.0)],
            ..Default::default()
        };
        let e = fit(&Normal, &s, &bad).unwrap_err();
        assert!(e.to_string().contains("mean, sd"), "{e}");
        let bad = FitOptions {
            fixed: vec![("sd".into(), -1.0)],
            ..Default::default()
        };
        assert!(fit(&Normal, &s, &bad).is_err());
    }

    #[test]
    fn validation_errors() {
        let s = Sample::new(vec![1.0, -2.0, 3.0, -4.0]).unwrap();
        let e = fit(&Gamma, &s, &FitOptions::default()).unwrap_err();
        match e.kind() {
            ErrorKind::OutsideSupport {
                index,
                count,
                value,
                ..
            } => {
                assert_eq!((*index, *count, *value), (1, 2, -2.0));
            }
            k => panic!("{k:?}"),
        }
        let s = Sample::new(vec![1.0]).unwrap();
        let e = fit(&Normal, &s, &FitOptions::default()).unwrap_err();
        assert!(matches!(
            e.kind(),
            ErrorKind::TooFewObservations {
                needed: 2,
                got: 1,
                ..
            }
        ));
    }

    #[test]
    fn a_minimum_at_the_rounding_floor_is_certified_by_the_newton_decrement() {
        // With a tolerance no floating-point gradient can meet, an exact start (the gamma's
        // initial estimate is its MLE) is certified as a minimum to rounding, not as a clean
        // gradient stop and not as a failure.
        let s = Sample::new(vec![0.8, 1.9, 2.4, 0.3, 5.2, 1.1, 3.3, 0.9]).unwrap();
        let opts = FitOptions {
            gtol: 0.0,
            max_iterations: Some(3),
            ..Default::default()
        };
        let f = fit(&Gamma, &s, &opts).unwrap();
        assert!(f.converged);
        assert_eq!(f.termination, Termination::RoundingLimit);
        assert!(f.notes[0].contains("Newton decrement"), "{:?}", f.notes);
    }

    #[test]
    fn iteration_cap_is_not_converged() {
        let s = Sample::new(vec![0.8, 1.9, 2.4, 0.3, 5.2, 1.1, 3.3, 0.9]).unwrap();
        // One iteration of gradient descent from the Weibull's moment start cannot reach the
        // optimum (the gamma's start is already its MLE, which would certify).
        let opts = FitOptions {
            method: Method::GradientDescent,
            gtol: 1e-12,
            max_iterations: Some(1),
            ..Default::default()
        };
        let f = fit(&crate::family::weibull::Weibull, &s, &opts).unwrap();
        assert!(!f.converged);
        assert_eq!(f.termination, Termination::MaxIterations);
        assert!(f
            .notes
            .iter()
            .any(|n| n.contains("stopped after 1 iterations")));
    }

    /// Five events and three right-censored times.
    fn censored_exponential() -> Sample {
        let times = [0.5, 1.2, 0.3, 2.7, 0.9, 3.0, 1.5, 4.0];
        let upper = (0..8)
            .map(|i| if i < 5 { times[i] } else { f64::INFINITY })
            .collect();
        Sample::censored(times.to_vec(), upper).unwrap()
    }

    #[test]
    fn right_censored_fit_has_events_over_exposure_and_its_standard_error() {
        use crate::family::exponential::Exponential;
        let s = censored_exponential();
        let f = fit(&Exponential, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{f:?}");
        // λ̂ = d / Σtᵢ; the observed information is d/λ², so se = λ̂/√d.
        let rate = 5.0 / 14.1;
        assert!((f.params.0[0].1 - rate).abs() < 1e-12, "{f:?}");
        let se = f.std_errors.as_ref().unwrap().0[0].1;
        assert!((se - rate / 5f64.sqrt()).abs() < 1e-12, "{se}");
        // ℓ = d ln λ − λ Σt at the MLE.
        assert!((f.log_likelihood - (5.0 * rate.ln() - 5.0)).abs() < 1e-12);
        assert_eq!(f.n, 8);
        assert!(
            f.notes[0].contains("8 rows (5 exact, 3 right-censored)"),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn censored_fits_refuse_what_has_no_maximum() {
        use crate::family::exponential::Exponential;
        let inf = f64::INFINITY;
        let s = Sample::censored(vec![1.0, 2.0], vec![inf, inf]).unwrap();
        let e = fit(&Exponential, &s, &FitOptions::default()).unwrap_err();
        assert!(
            e.to_string().contains("all 2 rows are right-censored"),
            "{e}"
        );
        // One event among right-censored rows is enough.
        let s = Sample::censored(vec![1.0, 2.0], vec![1.0, inf]).unwrap();
        assert!(
            fit(&Exponential, &s, &FitOptions::default())
                .unwrap()
                .converged
        );
        // A family without the log-CDF refuses.
        let e = fit(&Gamma, &censored_exponential(), &FitOptions::default()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::CensoringUnsupported { .. }));
    }
}
