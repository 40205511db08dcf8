//! Confidence intervals for parameters and derived quantities.
//!
//! - **Wald**: θ̂ ± z·se on the natural scale; for a positive parameter on the log scale,
//!   θ̂·exp(±z·se/θ̂), and for one in (0, 1) on the logit scale, logit⁻¹(logit θ̂ ± z·se/(θ̂(1−θ̂)))
//!   — the delta method on a scale where the estimate is closer to normal, and an interval that
//!   never leaves the domain (Meeker & Escobar 1998, *Statistical Methods for Reliability
//!   Data*, §8.3). The transformed scale is the default for such parameters ([`WaldScale`]).
//!   The standard errors are inputs: from the fit, from [`super::covariance`] or from the
//!   bootstrap.
//! - **Profile likelihood**: the set {θ_j : 2(ℓ̂ − ℓ_p(θ_j)) ≤ χ²₁(level)}, ℓ_p(θ_j) the
//!   log-likelihood maximised over the other parameters with θ_j held (Venzon & Moolgavkar
//!   1988, *Appl. Statist.* 37, 87–94, solve the same equations; here each limit is bracketed
//!   outward from the Wald limit on the log/logit scale, doubling the step, and then found by
//!   Brent's method (Brent 1973, *Algorithms for Minimization without Derivatives*, ch. 4) to
//!   1e-8 on the transformed scale — a relative 1e-8 in θ for positive parameters). Every
//!   inner fit is warm-started from the previous profile point and must converge; a limit
//!   whose fits fail is reported as NaN with a note, and a profile that never falls by
//!   χ²₁/2 before the edge of the domain (a df → ∞) gives an open bound (±∞ or the domain
//!   edge) with a note.
//! - **Percentile** and **BCa** from a [`Bootstrap`] (Efron & Tibshirani 1993, *An
//!   Introduction to the Bootstrap*, ch. 13–14; DiCiccio & Efron 1996, *Statist. Sci.* 11,
//!   189–228). BCa's bias correction is z₀ = Φ⁻¹(p₀), p₀ the share of replicates below θ̂
//!   (ties count half), and its acceleration a = Σ Lᵢ³ / (6 (Σ Lᵢ²)^{3/2}) from the empirical
//!   influence values of the infinitesimal jackknife, Lᵢ = n·wᵢ·(Σ̂ sᵢ)_j with sᵢ the score of
//!   row i and Σ̂ the inverse observed information (Efron & Tibshirani eq. 14.15 and §21.3).
//!   The limits are the replicates' quantiles at α₁,₂ = Φ(z₀ + (z₀ + z_α)/(1 − a(z₀ + z_α))),
//!   interpolated as in Hyndman & Fan (1996) type 7 (R's default): h = (B − 1)p, linear
//!   between the order statistics ⌊h⌋ and ⌊h⌋ + 1. A note says when fewer replicates lie
//!   beyond a limit than 25 (B < 1000 at 95%), too few for a stable tail quantile (Efron &
//!   Tibshirani §19.3).

use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::bootstrap::Bootstrap;
use super::{estimation_jacobian, held, row_scores};
use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{Constraint, Family, FamilyHandle, RowInput};
use crate::fit::{constrained_covariance, fit as fit_family, Fit, FitOptions, ParamMap};
use crate::numeric::roots::{brent, RootError};
use crate::optim::Termination;
use crate::special::logit;

/// Iteration cap of the root finder on a profile limit (each step is a refit).
const PROFILE_ITERATIONS: usize = 60;

/// How an interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// θ̂ ± z·se.
    Wald,
    /// θ̂·exp(±z·se/θ̂): Wald on the log scale.
    WaldLog,
    /// Wald on the logit scale.
    WaldLogit,
    /// Profile likelihood.
    Profile,
    /// Bootstrap percentiles.
    Percentile,
    /// Bias-corrected and accelerated bootstrap percentiles.
    Bca,
}

/// A confidence interval for one parameter or derived quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The parameter's (or quantity's) name.
    pub parameter: String,
    /// The point estimate.
    pub estimate: f64,
    /// Lower limit: −∞ or the domain's lower edge when open, NaN when it could not be
    /// computed (both serialised as null; `note` says which).
    pub lower: f64,
    /// Upper limit, as `lower`.
    pub upper: f64,
    /// How it was computed.
    pub method: IntervalMethod,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Why a limit is open or missing, or why the interval is shaky.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Interval {
    fn new(parameter: &str, estimate: f64, method: IntervalMethod, level: f64) -> Interval {
        Interval {
            parameter: parameter.to_string(),
            estimate,
            lower: f64::NAN,
            upper: f64::NAN,
            method,
            level,
            note: None,
        }
    }

    fn add_note(&mut self, note: impl Into<String>) {
        let note = note.into();
        self.note = Some(match self.note.take() {
            Some(old) => format!("{old}; {note}"),
            None => note,
        });
    }
}

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal is valid")
}

/// z = Φ⁻¹((1 + level)/2), the two-sided normal critical value (1.959964 at 95%).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] unless 0 < level < 1.
pub fn critical_value(level: f64) -> Result<f64> {
    if !(level > 0.0 && level < 1.0) {
        return Err(ErrorKind::InvalidOption {
            reason: format!("confidence level {level} is not strictly between 0 and 1"),
        }
        .into());
    }
    Ok(standard_normal().inverse_cdf(0.5 + level / 2.0))
}

/// The Wald interval θ̂ ± z·se on the natural scale.
///
/// A standard error that is missing (NaN) or negative gives NaN limits with a note.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a level outside (0, 1).
pub fn wald(parameter: &str, estimate: f64, se: f64, level: f64) -> Result<Interval> {
    let z = critical_value(level)?;
    let mut out = Interval::new(parameter, estimate, IntervalMethod::Wald, level);
    if usable_se(&mut out, se) {
        out.lower = estimate - z * se;
        out.upper = estimate + z * se;
    }
    Ok(out)
}

/// The Wald interval on the log scale, θ̂·exp(±z·se/θ̂), for a positive quantity: it never
/// crosses 0. NaN limits with a note when θ̂ ≤ 0 or the standard error is missing.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a level outside (0, 1).
pub fn wald_log(parameter: &str, estimate: f64, se: f64, level: f64) -> Result<Interval> {
    let z = critical_value(level)?;
    let mut out = Interval::new(parameter, estimate, IntervalMethod::WaldLog, level);
    if estimate.is_nan() || estimate <= 0.0 {
        out.add_note(format!(
            "no log-scale interval for the estimate {estimate} ≤ 0"
        ));
    } else if usable_se(&mut out, se) {
        let f = (z * se / estimate).exp();
        out.lower = estimate / f;
        out.upper = estimate * f;
    }
    Ok(out)
}

/// The Wald interval on the logit scale, logit⁻¹(logit θ̂ ± z·se/(θ̂(1 − θ̂))), for a quantity
/// in (0, 1): it stays inside. NaN limits with a note when θ̂ ∉ (0, 1) or the standard error
/// is missing.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a level outside (0, 1).
pub fn wald_logit(parameter: &str, estimate: f64, se: f64, level: f64) -> Result<Interval> {
    let z = critical_value(level)?;
    let mut out = Interval::new(parameter, estimate, IntervalMethod::WaldLogit, level);
    if !(estimate > 0.0 && estimate < 1.0) {
        out.add_note(format!(
            "no logit-scale interval for the estimate {estimate} outside (0, 1)"
        ));
    } else if usable_se(&mut out, se) {
        let eta = logit(estimate);
        let half = z * se / (estimate * (1.0 - estimate));
        out.lower = logistic(eta - half);
        out.upper = logistic(eta + half);
    }
    Ok(out)
}

fn usable_se(out: &mut Interval, se: f64) -> bool {
    let ok = se.is_finite() && se >= 0.0;
    if !ok {
        out.add_note(format!("no standard error (se = {se})"));
    }
    ok
}

/// 1/(1 + e⁻ˣ) as the interval limits have always been computed: for x < 0 it rounds
/// differently from [`crate::special::logistic`] (e^x/(1 + e^x) there), in the last bit about
/// half of the time, so switching would change the printed limits.
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The scale of a Wald interval for a parameter with a constrained domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaldScale {
    /// Log scale for positive parameters, logit scale for parameters in (0, 1) (and mixture
    /// weights), natural scale for the others.
    #[default]
    Transformed,
    /// The natural scale θ̂ ± z·se for every parameter.
    Natural,
}

/// Wald intervals for every parameter that has a standard error in `std_errors` (by name, as
/// in [`Fit::std_errors`] or from [`super::covariance`]).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a level outside (0, 1) or a name that is not a parameter
/// of the fit; the errors of specialising `family` to `sample`.
pub fn wald_intervals(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    std_errors: &ParamMap,
    level: f64,
    scale: WaldScale,
) -> Result<Vec<Interval>> {
    critical_value(level)?;
    let model = FamilyHandle::for_sample(family, sample)?;
    let model: &dyn Family = &*model;
    std_errors
        .0
        .iter()
        .map(|(name, se)| {
            let (estimate, constraint) = fit
                .params
                .get(name)
                .zip(
                    model
                        .params()
                        .iter()
                        .find(|p| p.name == name)
                        .map(|p| p.constraint),
                )
                .ok_or_else(|| ErrorKind::InvalidOption {
                    reason: format!("{name} is not a parameter of the {} fit", fit.family),
                })?;
            match (scale, constraint) {
                (WaldScale::Transformed, Constraint::Positive) => {
                    wald_log(name, estimate, *se, level)
                }
                (WaldScale::Transformed, Constraint::UnitInterval | Constraint::Simplex) => {
                    wald_logit(name, estimate, *se, level)
                }
                _ => wald(name, estimate, *se, level),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Profile likelihood

/// Profile-likelihood intervals for every estimated parameter of `fit`.
///
/// `options` are the inner fits' options (method, tolerance, iteration cap); the fit's fixed
/// parameters stay fixed. Parameters estimated in closed form at a non-smooth point (a
/// uniform's bounds, a Laplace location, categorical probabilities) get NaN limits with a note:
/// their likelihood has no regular profile. The parameters are profiled in parallel.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a level outside (0, 1) or a fit that did not converge; the
/// errors of specialising `family` to `sample`.
pub fn profile(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    level: f64,
    options: &FitOptions,
) -> Result<Vec<Interval>> {
    let profiler = Profiler::new(family, sample, fit, level, options)?;
    let tasks: Vec<(usize, f64)> = profiler
        .estimated
        .iter()
        .flat_map(|&j| [(j, -1.0), (j, 1.0)])
        .collect();
    let bounds: Vec<Bound> = tasks
        .par_iter()
        .map(|&(j, side)| profiler.bound(j, side))
        .collect();
    Ok(profiler
        .estimated
        .iter()
        .zip(bounds.chunks(2))
        .map(|(&j, b)| profiler.interval(j, &b[0], &b[1]))
        .collect())
}

/// The profile-likelihood interval of one parameter (see [`profile`]).
///
/// # Errors
/// As [`profile`], and [`ErrorKind::InvalidOption`] when `parameter` is not an estimated
/// parameter of the fit.
pub fn profile_parameter(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    parameter: &str,
    level: f64,
    options: &FitOptions,
) -> Result<Interval> {
    let profiler = Profiler::new(family, sample, fit, level, options)?;
    let j = profiler
        .estimated
        .iter()
        .copied()
        .find(|&j| profiler.names[j] == parameter)
        .ok_or_else(|| ErrorKind::InvalidOption {
            reason: format!(
                "{parameter} is not an estimated parameter of the {} fit",
                fit.family
            ),
        })?;
    let (lower, upper) = rayon::join(|| profiler.bound(j, -1.0), || profiler.bound(j, 1.0));
    Ok(profiler.interval(j, &lower, &upper))
}

/// The scale on which a profile limit is bracketed and solved for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    Linear,
    Log,
    Logit,
}

impl Scale {
    fn of(c: Constraint) -> Scale {
        match c {
            Constraint::Positive => Scale::Log,
            Constraint::UnitInterval | Constraint::Simplex => Scale::Logit,
            _ => Scale::Linear,
        }
    }
    fn to(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log => v.ln(),
            Scale::Logit => logit(v),
        }
    }
    fn from(self, s: f64) -> f64 {
        match self {
            Scale::Linear => s,
            Scale::Log => s.exp(),
            Scale::Logit => logistic(s),
        }
    }
    /// The standard error on this scale (delta method).
    fn se(self, v: f64, se: f64) -> f64 {
        match self {
            Scale::Linear => se,
            Scale::Log => se / v,
            Scale::Logit => se / (v * (1.0 - v)),
        }
    }
    /// The edge of the domain on side `sign`.
    fn edge(self, sign: f64) -> f64 {
        match (self, sign < 0.0) {
            (Scale::Linear, true) => f64::NEG_INFINITY,
            (Scale::Log | Scale::Logit, true) => 0.0,
            (Scale::Logit, false) => 1.0,
            (_, false) => f64::INFINITY,
        }
    }
}

/// One side of a profile interval.
enum Bound {
    Value(f64, Option<String>),
    Open(f64, String),
    Failed(String),
}

struct Profiler<'a> {
    family: &'a dyn Family,
    /// The family specialised to the sample (a categorical to its levels).
    model: FamilyHandle<'a>,
    sample: &'a Sample,
    names: Vec<String>,
    theta: Vec<f64>,
    log_likelihood: f64,
    std_errors: Option<ParamMap>,
    estimated: Vec<usize>,
    irregular: Vec<usize>,
    fixed: Vec<(String, f64)>,
    options: FitOptions,
    level: f64,
    /// χ²₁(level) = z².
    critical: f64,
}

impl<'a> Profiler<'a> {
    fn new(
        family: &'a dyn Family,
        sample: &'a Sample,
        fit: &Fit,
        level: f64,
        options: &FitOptions,
    ) -> Result<Profiler<'a>> {
        let z = critical_value(level)?;
        let basis =
            super::RefitBasis::new(family, sample, fit, options, "maximum to profile from")?;
        let model = basis.model;
        Ok(Profiler {
            family,
            irregular: model
                .irregularity()
                .map(|i| i.params.to_vec())
                .unwrap_or_default(),
            model,
            sample,
            names: basis.names,
            theta: fit.theta(),
            log_likelihood: fit.log_likelihood,
            std_errors: fit.std_errors.clone(),
            estimated: basis.estimated,
            fixed: basis.fixed,
            options: options.clone(),
            level,
            critical: z * z,
        })
    }

    fn model(&self) -> &dyn Family {
        &*self.model
    }

    fn scale(&self, j: usize) -> Scale {
        Scale::of(self.model().params()[j].constraint)
    }

    fn no_profile(&self, j: usize) -> Option<String> {
        let c = self.model().params()[j].constraint;
        if self.irregular.contains(&j) {
            Some(format!(
                "no profile interval: {} is estimated in closed form at a point where the \
                 likelihood is not smooth",
                self.names[j]
            ))
        } else if c == Constraint::Simplex {
            Some(format!(
                "no profile interval: {} is a weight of a group summing to 1 and cannot be held",
                self.names[j]
            ))
        } else {
            None
        }
    }

    /// 2(ℓ̂ − ℓ_p(v)) with parameter j held at v, and the maximising θ; `Err` with the reason
    /// when the inner fit fails.
    fn deviance(
        &self,
        j: usize,
        v: f64,
        start: &[f64],
    ) -> std::result::Result<(f64, Vec<f64>), String> {
        let name = &self.names[j];
        let mut fixed = self.fixed.clone();
        fixed.push((name.clone(), v));
        let opts = FitOptions {
            fixed,
            start: Some(start.to_vec()),
            ..self.options.clone()
        };
        let f = fit_family(self.family, self.sample, &opts)
            .map_err(|e| format!("the fit with {name} = {v:.6e} failed: {e}"))?;
        // At the edge of the others' domain the profile is a supremum, not a maximum; with the
        // score at tolerance it is still the profile's value (a Student-t df held near ∞).
        let accepted = f.converged
            || (f.termination == Termination::Boundary && f.score_norm <= self.options.gtol);
        if !accepted || !f.log_likelihood.is_finite() {
            return Err(format!(
                "the fit with {name} = {v:.6e} did not converge ({})",
                f.termination.as_str()
            ));
        }
        Ok((2.0 * (self.log_likelihood - f.log_likelihood), f.theta()))
    }

    /// The limit on side `sign` (−1 lower, +1 upper) of parameter j.
    fn bound(&self, j: usize, sign: f64) -> Bound {
        if let Some(note) = self.no_profile(j) {
            return Bound::Failed(note);
        }
        let scale = self.scale(j);
        let name = &self.names[j];
        let hat = self.theta[j];
        let s_hat = scale.to(hat);
        let se = self
            .std_errors
            .as_ref()
            .and_then(|m| m.get(name))
            .map(|se| scale.se(hat, se))
            .filter(|se| se.is_finite() && *se > 0.0);
        let z = self.critical.sqrt();
        let step = match (se, scale) {
            (Some(se), _) => z * se,
            (None, Scale::Log | Scale::Logit) => 0.5,
            (None, Scale::Linear) => 0.1 * hat.abs().max(self.sample.robust_scale()),
        };
        // How far out to look: a factor e³⁰ for log/logit parameters (as far as the fit's own
        // runaway check), 2³⁰ Wald half-widths for the others.
        let limit = match scale {
            Scale::Log | Scale::Logit => 30.0,
            Scale::Linear => step * 2f64.powi(30),
        };
        let c = self.critical;
        let value_at = |d: f64| scale.from(s_hat + sign * d);
        // Bracket: `inner` has deviance < c, `outer` ≥ c.
        let mut inner = (0.0, -c, self.theta.clone());
        let mut notes: Vec<String> = Vec::new();
        let mut failures = 0;
        let mut d = step.min(limit);
        let outer = loop {
            match self.deviance(j, value_at(d), &inner.2) {
                Ok((dev, theta)) => {
                    if dev < -1e-6 * (1.0 + self.log_likelihood.abs()) && notes.is_empty() {
                        notes.push(format!(
                            "the profile at {name} = {:.6e} has a log-likelihood {:.3e} above the \
                             fit's: the fit may not be the global maximum",
                            value_at(d),
                            -dev / 2.0
                        ));
                    }
                    if dev >= c {
                        break (d, dev - c);
                    }
                    inner = (d, dev - c, theta);
                    if d >= limit {
                        let v = value_at(d);
                        return Bound::Open(
                            scale.edge(sign),
                            format!(
                                "the profile log-likelihood stays within χ²₁({})/2 of its maximum \
                                 out to {name} = {v:.6e}: the {} limit is open",
                                self.level,
                                if sign < 0.0 { "lower" } else { "upper" }
                            ),
                        );
                    }
                    d = (2.0 * d).min(limit);
                }
                Err(reason) => {
                    failures += 1;
                    if failures > 8 {
                        return Bound::Failed(format!(
                            "the {} profile limit could not be bracketed: {reason}",
                            if sign < 0.0 { "lower" } else { "upper" }
                        ));
                    }
                    d = 0.5 * (inner.0 + d);
                }
            }
        };
        let tol = match scale {
            Scale::Log | Scale::Logit => 1e-8,
            Scale::Linear => 1e-8 * (hat.abs() + outer.0).max(step),
        };
        let mut start = inner.2.clone();
        // Brent's method on deviance − c, from inner (< 0) to outer (≥ 0). A search that hits
        // the cap returns its last point, like one that converged.
        let root = brent(
            (inner.0, inner.1),
            outer,
            |_| tol,
            PROFILE_ITERATIONS,
            |d: f64| -> std::result::Result<f64, String> {
                let (dev, theta) = self.deviance(j, value_at(d), &start)?;
                start = theta;
                Ok(dev - c)
            },
        );
        match root {
            Ok(r) => Bound::Value(value_at(r.x), (!notes.is_empty()).then(|| notes.join("; "))),
            Err(e) => {
                let reason = match e {
                    RootError::Evaluation(reason) => reason,
                    // The deviance of a converged fit is finite: not reached.
                    RootError::NotANumber { x } => {
                        format!(
                            "the deviance at {name} = {:.6e} is not a number",
                            value_at(x)
                        )
                    }
                };
                Bound::Failed(format!(
                    "the {} profile limit failed: {reason}",
                    if sign < 0.0 { "lower" } else { "upper" }
                ))
            }
        }
    }

    fn interval(&self, j: usize, lower: &Bound, upper: &Bound) -> Interval {
        let mut out = Interval::new(
            &self.names[j],
            self.theta[j],
            IntervalMethod::Profile,
            self.level,
        );
        let mut seen = Vec::new();
        for (b, slot) in [(lower, &mut out.lower), (upper, &mut out.upper)] {
            let note = match b {
                Bound::Value(v, note) => {
                    *slot = *v;
                    note.clone()
                }
                Bound::Open(edge, note) => {
                    *slot = *edge;
                    Some(note.clone())
                }
                Bound::Failed(note) => Some(note.clone()),
            };
            if let Some(n) = note {
                if !seen.contains(&n) {
                    seen.push(n);
                }
            }
        }
        for n in seen {
            out.add_note(n);
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Bootstrap intervals

/// The quantile of sorted values at probability p ∈ [0, 1] by linear interpolation between
/// order statistics (Hyndman & Fan 1996 type 7, R's default): h = (n − 1)p, x₍⌊h⌋₎ +
/// (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) with 0-based order statistics. NaN for no values.
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || p.is_nan() {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    if frac == 0.0 {
        sorted[lo]
    } else {
        sorted[lo] + frac * (sorted[hi] - sorted[lo])
    }
}

/// The equal-tailed percentile interval of `values` at `level`: the type-7 quantiles at
/// (1 − level)/2 and (1 + level)/2. NaN values are ignored.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for a level outside (0, 1) or no (non-NaN) values.
pub fn percentile_of(values: &[f64], level: f64) -> Result<(f64, f64)> {
    critical_value(level)?;
    let sorted = sorted_finite(values)?;
    let tail = (1.0 - level) / 2.0;
    Ok((
        quantile_type7(&sorted, tail),
        quantile_type7(&sorted, 1.0 - tail),
    ))
}

fn sorted_finite(values: &[f64]) -> Result<Vec<f64>> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return Err(ErrorKind::InvalidOption {
            reason: "no replicate values to take percentiles of".into(),
        }
        .into());
    }
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// Replicates needed for a stable tail quantile at probability `tail`: 25 beyond the limit.
fn replicates_needed(tail: f64) -> usize {
    (25.0 / tail).ceil() as usize
}

/// The percentile interval of a parameter or derived quantity from its bootstrap replicates
/// (NaN replicates are ignored, with a note).
///
/// # Errors
/// As [`percentile_of`].
pub fn percentile_interval(
    parameter: &str,
    estimate: f64,
    replicates: &[f64],
    level: f64,
) -> Result<Interval> {
    let (lower, upper) = percentile_of(replicates, level)?;
    let mut out = Interval::new(parameter, estimate, IntervalMethod::Percentile, level);
    out.lower = lower;
    out.upper = upper;
    let used = replicates.iter().filter(|v| !v.is_nan()).count();
    note_missing_values(&mut out, replicates.len() - used);
    let needed = replicates_needed((1.0 - level) / 2.0);
    if used < needed {
        out.add_note(format!(
            "only {used} replicates: a {}% percentile interval needs about {needed} for stable tails",
            100.0 * level
        ));
    }
    Ok(out)
}

fn note_missing_values(out: &mut Interval, nan: usize) {
    if nan > 0 {
        out.add_note(format!(
            "{nan} replicates without a value (NaN) are left out"
        ));
    }
}

fn note_failures(out: &mut Interval, boot: &Bootstrap) {
    if boot.failed > 0 {
        out.add_note(format!(
            "{} of {} replicates failed and are left out",
            boot.failed, boot.replicates
        ));
    }
}

/// Percentile intervals for every parameter of a bootstrap.
///
/// # Errors
/// As [`percentile_of`] (no successful replicates).
pub fn percentile(boot: &Bootstrap, level: f64) -> Result<Vec<Interval>> {
    boot.parameters
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let column: Vec<f64> = boot.estimates.iter().map(|row| row[j]).collect();
            let mut out = percentile_interval(name, boot.estimate[j], &column, level)?;
            note_failures(&mut out, boot);
            Ok(out)
        })
        .collect()
}

/// The BCa acceleration a = Σ Lᵢ³ / (6 (Σ Lᵢ²)^{3/2}) from empirical influence values;
/// `None` when they are all zero (or not finite).
pub fn acceleration(influence: &[f64]) -> Option<f64> {
    let s2: f64 = influence.iter().map(|l| l * l).sum();
    let s3: f64 = influence.iter().map(|l| l * l * l).sum();
    let a = s3 / (6.0 * s2.powf(1.5));
    (s2 > 0.0 && a.is_finite()).then_some(a)
}

/// The empirical influence values of θ̂ by the infinitesimal jackknife: row i (with positive
/// weight, in sample order) gets Lᵢ = n·wᵢ·Σ̂ sᵢ, with sᵢ its score and Σ̂ = J (Jᵀ I J)⁻¹ Jᵀ the
/// inverse observed information over the estimated directions (n × k, one column per
/// parameter of the family). `None` when the information is singular or nothing is estimated
/// by its score; columns of parameters estimated in closed form at a non-smooth point are 0.
///
/// # Errors
/// The errors of specialising `family` to `sample`.
pub fn influence_values(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
) -> Result<Option<DMatrix<f64>>> {
    let model = FamilyHandle::for_sample(family, sample)?;
    let model: &dyn Family = &*model;
    let most_trials = RowInput::of(model, sample).map(|input| input.largest());
    let fill = |v: f64| match most_trials {
        Some(t) if v.is_nan() => t,
        _ => v,
    };
    let theta: Vec<f64> = fit.theta().into_iter().map(fill).collect();
    if theta.len() != model.params().len() {
        return Ok(None);
    }
    let held: Vec<Option<f64>> = held(model, fit).into_iter().map(|h| h.map(fill)).collect();
    let rows = row_scores(model, &theta, sample);
    let jacobian = estimation_jacobian(model, &theta, &held, sample);
    if jacobian.ncols() == 0 {
        return Ok(None);
    }
    let Some(cov) = constrained_covariance(&(-&rows.hessian), &jacobian) else {
        return Ok(None);
    };
    let n = rows.rows.len() as f64;
    let mut influence = &rows.scores * cov;
    for (r, w) in rows.weights.iter().enumerate() {
        influence.row_mut(r).scale_mut(n * w);
    }
    Ok(Some(influence))
}

/// The BCa interval from bootstrap replicates, the estimate and an acceleration (see the
/// module documentation). NaN limits with a note when every replicate lies on one side of the
/// estimate (no bias correction exists) or the adjustment breaks down (1 − a(z₀ + z) ≤ 0).
///
/// # Errors
/// As [`percentile_of`].
pub fn bca_interval(
    parameter: &str,
    estimate: f64,
    replicates: &[f64],
    acceleration: f64,
    level: f64,
) -> Result<Interval> {
    let z = critical_value(level)?;
    let sorted = sorted_finite(replicates)?;
    let mut out = Interval::new(parameter, estimate, IntervalMethod::Bca, level);
    note_missing_values(&mut out, replicates.len() - sorted.len());
    let b = sorted.len() as f64;
    let below = sorted.iter().filter(|&&v| v < estimate).count() as f64;
    let ties = sorted.iter().filter(|&&v| v == estimate).count() as f64;
    let p0 = (below + 0.5 * ties) / b;
    if p0 <= 0.0 || p0 >= 1.0 {
        out.add_note(format!(
            "every replicate lies {} the estimate: no bias correction exists",
            if p0 <= 0.0 { "above" } else { "below" }
        ));
        return Ok(out);
    }
    let normal = standard_normal();
    let z0 = normal.inverse_cdf(p0);
    let adjusted = |zq: f64| {
        let t = z0 + zq;
        let denominator = 1.0 - acceleration * t;
        (denominator > 0.0).then(|| normal.cdf(z0 + t / denominator))
    };
    match (adjusted(-z), adjusted(z)) {
        (Some(a1), Some(a2)) => {
            out.lower = quantile_type7(&sorted, a1);
            out.upper = quantile_type7(&sorted, a2);
            let needed = replicates_needed(a1.min(1.0 - a2));
            if sorted.len() < needed {
                out.add_note(format!(
                    "only {} replicates: BCa's adjusted tails ({a1:.4}, {a2:.4}) need about \
                     {needed} for stable limits",
                    sorted.len()
                ));
            }
        }
        _ => out.add_note(format!(
            "the BCa adjustment breaks down (acceleration {acceleration:.3} with bias \
             correction {z0:.3})"
        )),
    }
    Ok(out)
}

/// BCa intervals for every parameter of a bootstrap of `fit`; the acceleration comes from
/// [`influence_values`]. A parameter without influence values (estimated in closed form at a
/// non-smooth point) gets a = 0 (the bias-corrected percentile interval) with a note.
///
/// # Errors
/// As [`percentile_of`] (no successful replicates), and the errors of specialising `family`.
pub fn bca(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    boot: &Bootstrap,
    level: f64,
) -> Result<Vec<Interval>> {
    critical_value(level)?;
    let influence = influence_values(family, sample, fit)?;
    let names: Vec<&str> = fit.params.0.iter().map(|(n, _)| n.as_str()).collect();
    boot.parameters
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let column: Vec<f64> = boot.estimates.iter().map(|row| row[c]).collect();
            let a = names.iter().position(|n| n == name).and_then(|j| {
                let l = influence.as_ref()?;
                let values: Vec<f64> = l.column(j).iter().copied().collect();
                acceleration(&values)
            });
            let mut out = bca_interval(name, boot.estimate[c], &column, a.unwrap_or(0.0), level)?;
            if a.is_none() {
                out.add_note(
                    "no influence values for the acceleration: a = 0 (bias-corrected percentile)",
                );
            }
            note_failures(&mut out, boot);
            Ok(out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::lookup;

    #[test]
    fn type7_quantiles_match_r() {
        // R: quantile(c(1, 2, 4, 8, 16), c(0, 0.1, 0.5, 0.9, 1)) = 1 1.4 4 12.8 16
        let v = [1.0, 2.0, 4.0, 8.0, 16.0];
        for (p, q) in [(0.0, 1.0), (0.1, 1.4), (0.5, 4.0), (0.9, 12.8), (1.0, 16.0)] {
            assert!((quantile_type7(&v, p) - q).abs() < 1e-12, "{p}");
        }
        let (lo, hi) = percentile_of(&[16.0, 1.0, f64::NAN, 8.0, 2.0, 4.0], 0.8).unwrap();
        assert!((lo - 1.4).abs() < 1e-12 && (hi - 12.8).abs() < 1e-12);
        assert!(percentile_of(&[1.0], 1.0).is_err());
    }

    #[test]
    fn wald_scales() {
        let z = critical_value(0.95).unwrap();
        assert!((z - 1.959_963_984_540_054).abs() < 1e-12);
        let w = wald("m", 1.0, 0.8, 0.95).unwrap();
        assert!((w.lower - (1.0 - z * 0.8)).abs() < 1e-15 && w.lower < 0.0);
        let l = wald_log("m", 1.0, 0.8, 0.95).unwrap();
        assert!(l.lower > 0.0 && (l.lower * l.upper - 1.0).abs() < 1e-12);
        let g = wald_logit("p", 0.9, 0.1, 0.95).unwrap();
        assert!(g.lower > 0.0 && g.upper < 1.0 && g.lower < 0.9 && g.upper > 0.9);
        // Symmetric on the logit scale.
        assert!((logit(g.lower) + logit(g.upper) - 2.0 * logit(0.9)).abs() < 1e-12);
        let missing = wald("m", 1.0, f64::NAN, 0.95).unwrap();
        assert!(missing.lower.is_nan() && missing.note.is_some());
        assert!(wald("m", 1.0, 0.1, 0.0).is_err());
    }

    #[test]
    fn acceleration_of_symmetric_influence_is_zero() {
        assert_eq!(acceleration(&[-1.0, 0.0, 1.0]), Some(0.0));
        assert_eq!(acceleration(&[0.0, 0.0]), None);
        // One large positive value: right skew, a > 0.
        assert!(acceleration(&[-1.0, -1.0, -1.0, 3.0]).unwrap() > 0.0);
    }

    #[test]
    fn normal_mean_influence_is_the_centred_data() {
        // For the normal mean, I⁻¹ s_i = x_i − x̄ exactly.
        let xs = vec![1.0, 2.0, 4.0, 7.0, 11.0];
        let s = Sample::new(xs.clone()).unwrap();
        let normal = lookup("normal").unwrap();
        let f = crate::fit(normal, &s, &FitOptions::default()).unwrap();
        let l = influence_values(normal, &s, &f).unwrap().unwrap();
        let mean = 5.0;
        for (i, x) in xs.iter().enumerate() {
            assert!((l[(i, 0)] - (x - mean)).abs() < 1e-12, "{}", l[(i, 0)]);
        }
    }

    #[test]
    fn irregular_parameters_get_no_profile() {
        let s = Sample::new(vec![0.3, 1.2, 2.0, 2.2, 3.9, 5.0]).unwrap();
        let laplace = lookup("laplace").unwrap();
        let f = crate::fit(laplace, &s, &FitOptions::default()).unwrap();
        let p = profile(laplace, &s, &f, 0.95, &FitOptions::default()).unwrap();
        let location = &p[0];
        assert!(location.lower.is_nan() && location.note.as_ref().unwrap().contains("closed form"));
        let scale = &p[1];
        assert!(scale.lower > 0.0 && scale.lower < scale.estimate && scale.upper > scale.estimate);
    }
}
