//! Finite mixtures: fitting from several seeded starts, and choosing the number of components.
//!
//! A mixture's log-likelihood Σ ln Σⱼ wⱼ fⱼ(xᵢ) is not concave: it has a local maximum for
//! every way of sharing the data among the components, and it is unbounded where a component
//! collapses onto one point (σⱼ → 0 at a repeated value). A single Newton run from one start
//! therefore proves only that it found *a* local maximum. [`fit_mixture`] runs several seeded
//! starts — a quantile split of the data and k-means++ seedings — takes each through EM (the
//! closed-form M-step keeps every iterate in the parameter space and increases the likelihood
//! monotonically), finishes each with the standard [`crate::fit::fit`] (Newton with the same
//! certificate as every fit: score zero, Hessian positive definite, no parameter at the edge),
//! rejects degenerate and uncertified solutions, and keeps the best, reporting how many starts
//! reached it. Components are sorted by their location (mean, meanlog or rate), so output is
//! stable across runs and seeds. [`select`] fits each number of components in a range and picks
//! one by BIC.
//!
//! Degenerate solutions are detected, never floored silently: a component whose scale falls
//! below 10⁻⁶ of the data's spread (it sits on a single value, where the likelihood is
//! unbounded), whose expected count wⱼ·n is below 2, or whose rate falls to 10⁻⁶ (a point mass
//! at 0) ends its start, which is then counted in `degenerate_starts` and named in a note. When
//! every start is degenerate the fit is an error.
//!
//! The same module holds the log-sum-exp evaluation shared by the mixture families
//! (`family/normal_mixture.rs`, `lognormal_mixture.rs`, `poisson_mixture.rs`).
//!
//! References: McLachlan & Peel, *Finite Mixture Models* (2000), ch. 2–3 (EM, the unbounded
//! likelihood and degenerate solutions); Arthur & Vassilvitskii, "k-means++: the advantages of
//! careful seeding", SODA 2007.

use std::ops::RangeInclusive;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{
    degenerate, lognormal_mixture, normal_mixture, poisson_mixture, Constraint, Family, ParamSpec,
};
use crate::fit::{fit, Fit, FitOptions};
use crate::special::ln_gamma;

/// Default number of starts.
pub const DEFAULT_STARTS: usize = 10;
/// Default seed of the k-means++ starts.
pub const DEFAULT_SEED: u64 = 1;
/// The largest number of components accepted.
pub const MAX_COMPONENTS: usize = 20;
/// The range of `--components auto`.
pub const AUTO_RANGE: RangeInclusive<usize> = 1..=6;
/// Default cap on EM iterations per start.
pub const DEFAULT_EM_ITERATIONS: usize = 500;
/// EM stops when one iteration gains less than this fraction of |ℓ|.
const EM_RELATIVE_GAIN: f64 = 1e-10;
/// A component whose scale is below this fraction of the data's spread has collapsed.
const COLLAPSED_SCALE: f64 = 1e-6;
/// A Poisson component whose rate is below this has collapsed onto 0.
const COLLAPSED_RATE: f64 = 1e-6;
/// A component expected to hold fewer observations than this is empty.
const MIN_COMPONENT_COUNT: f64 = 2.0;
/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// Starts reach the best fit when their log-likelihood is within this many nats per
/// observation of it (and their parameters agree).
const SAME_LOG_LIKELIHOOD: f64 = 1e-6;
/// …and every parameter is within this many standard errors of the best one's.
const SAME_PARAMETER_SE: f64 = 1e-2;

/// Whether `family` is a finite mixture (it has a group of weights on the simplex).
pub fn is_mixture(family: &dyn Family) -> bool {
    family
        .params()
        .iter()
        .any(|p| p.constraint == Constraint::Simplex)
}

/// θ with a mixture's components sorted by location (mean, meanlog or rate), the order every
/// mixture fit reports; θ unchanged for other families. Two parameter vectors that differ only
/// by a relabelling of the components (the same distribution) become equal.
pub fn canonical(family: &dyn Family, theta: &[f64]) -> Vec<f64> {
    match Kernel::of(family) {
        Some(kernel) if theta.len().is_multiple_of(kernel.per_component()) && theta.len() >= 4 => {
            let p = kernel.per_component();
            sort_components(theta, theta.len() / p, p)
        }
        _ => theta.to_vec(),
    }
}

/// The component distribution of a mixture family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// Normal components (mean, sd).
    Normal,
    /// Lognormal components (meanlog, sdlog): a normal mixture on ln x.
    LogNormal,
    /// Poisson components (rate).
    Poisson,
}

impl Kernel {
    /// The kernel of a mixture family, by name; `None` for other families.
    pub fn of(family: &dyn Family) -> Option<Kernel> {
        match family.name() {
            "normal_mixture" => Some(Kernel::Normal),
            "lognormal_mixture" => Some(Kernel::LogNormal),
            "poisson_mixture" => Some(Kernel::Poisson),
            _ => None,
        }
    }

    /// The one-component family (a mixture of one is this family).
    pub fn base(self) -> &'static dyn Family {
        match self {
            Kernel::Normal => &crate::family::normal::Normal,
            Kernel::LogNormal => &crate::family::lognormal::LogNormal,
            Kernel::Poisson => &crate::family::poisson::Poisson,
        }
    }

    /// The mixture family with `k` ≥ 2 components.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless 2 ≤ k ≤ [`MAX_COMPONENTS`].
    pub fn family(self, k: usize) -> Result<Box<dyn Family>> {
        check_components(k, 2)?;
        Ok(match self {
            Kernel::Normal => Box::new(normal_mixture::NormalMixture::new(k)),
            Kernel::LogNormal => Box::new(lognormal_mixture::LogNormalMixture::new(k)),
            Kernel::Poisson => Box::new(poisson_mixture::PoissonMixture::new(k)),
        })
    }

    /// Parameters per component, its weight included.
    pub(crate) fn per_component(self) -> usize {
        match self {
            Kernel::Normal | Kernel::LogNormal => 3,
            Kernel::Poisson => 2,
        }
    }

    /// The value EM works on: x, or ln x for lognormal components.
    fn transform(self, x: f64) -> f64 {
        match self {
            Kernel::LogNormal => x.ln(),
            _ => x,
        }
    }

    /// The part of ln fⱼ(x) shared by every component (the lognormal Jacobian −ln x, the
    /// Poisson −ln x!), kept out of the log-sum-exp.
    fn offset(self, x: f64) -> f64 {
        match self {
            Kernel::Normal => 0.0,
            Kernel::LogNormal => -x.ln(),
            Kernel::Poisson => -ln_gamma(x + 1.0),
        }
    }
}

fn check_components(k: usize, min: usize) -> Result<()> {
    if (min..=MAX_COMPONENTS).contains(&k) {
        Ok(())
    } else {
        Err(ErrorKind::InvalidOption {
            reason: format!("a mixture needs {min} to {MAX_COMPONENTS} components, not {k}"),
        }
        .into())
    }
}

/// The parameter list of a `k`-component mixture with per-component parameter `prefixes`
/// (`["w", "mean", "sd"]` → w1…wK, mean1…meanK, sd1…sdK; the first is the weight). Names must
/// be `&'static str`: each list is built once per (family, k) and kept for the life of the
/// program (at most [`MAX_COMPONENTS`] lists per family).
pub(crate) fn component_specs(
    prefixes: &[(&'static str, Constraint)],
    k: usize,
) -> &'static [ParamSpec] {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    type Key = (Vec<&'static str>, usize);
    static CACHE: LazyLock<Mutex<HashMap<Key, &'static [ParamSpec]>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let key = (prefixes.iter().map(|p| p.0).collect::<Vec<_>>(), k);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(key).or_insert_with(|| {
        let specs: Vec<ParamSpec> = prefixes
            .iter()
            .flat_map(|&(prefix, constraint)| {
                (1..=k).map(move |j| ParamSpec {
                    name: Box::leak(format!("{prefix}{j}").into_boxed_str()),
                    constraint,
                })
            })
            .collect();
        Box::leak(specs.into_boxed_slice())
    })
}

// ---------------------------------------------------------------------------------------------
// Log-sum-exp over components, shared by the mixture families.

/// Per-point scratch for a k-component mixture with p parameters per component (the weight
/// first), laid out in θ as parameter α of component j at α·k + j.
///
/// The family fills, for each component j, `l[j]` = ln wⱼ + ln fⱼ(x) (without the shared
/// offset) and, when derivatives are wanted, `g[j·p + α]` = ∂lⱼ/∂θ_{jα} and
/// `hg[(j·p + α)·p + β]` = ∂²lⱼ/∂θ_{jα}∂θ_{jβ} + ∂lⱼ/∂θ_{jα} ∂lⱼ/∂θ_{jβ} (= ∂²(wⱼfⱼ)/(wⱼfⱼ)).
/// [`Terms::accumulate`] then forms ln p = ln Σⱼ e^{lⱼ} with the responsibilities
/// rⱼ = e^{lⱼ}/Σ e^{lᵢ}: ∂ ln p = rⱼ gⱼ and
/// ∂² ln p = δᵢⱼ rⱼ hgⱼ − (rⱼ gⱼ)(rᵢ gᵢ)ᵀ.
pub(crate) struct Terms {
    k: usize,
    p: usize,
    pub(crate) l: Vec<f64>,
    pub(crate) g: Vec<f64>,
    pub(crate) hg: Vec<f64>,
    r: Vec<f64>,
    v: Vec<f64>,
}

impl Terms {
    pub(crate) fn new(k: usize, p: usize) -> Terms {
        Terms {
            k,
            p,
            l: vec![0.0; k],
            g: vec![0.0; k * p],
            hg: vec![0.0; k * p * p],
            r: vec![0.0; k],
            v: vec![0.0; k * p],
        }
    }

    /// ln Σⱼ e^{lⱼ}; adds `weight` × its gradient and Hessian into `grad` and `hess` (which
    /// the caller zeroes). −∞ (and nothing added) when every component is −∞.
    pub(crate) fn accumulate(
        &mut self,
        weight: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (k, p) = (self.k, self.p);
        let top = self.l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if top == f64::NEG_INFINITY || top.is_nan() {
            return top;
        }
        let mut total = 0.0;
        for j in 0..k {
            self.r[j] = (self.l[j] - top).exp();
            total += self.r[j];
        }
        let lp = top + total.ln();
        if grad.is_none() && hess.is_none() {
            return lp;
        }
        for j in 0..k {
            self.r[j] /= total;
            for a in 0..p {
                // A component with zero responsibility contributes nothing (and its
                // derivatives may be huge far in its tail).
                self.v[a * k + j] = if self.r[j] == 0.0 {
                    0.0
                } else {
                    self.r[j] * self.g[j * p + a]
                };
            }
        }
        if let Some(g) = grad {
            for (gi, vi) in g.iter_mut().zip(&self.v) {
                *gi += weight * vi;
            }
        }
        if let Some(h) = hess {
            let m = k * p;
            for a in 0..m {
                for b in 0..m {
                    h[a * m + b] -= weight * self.v[a] * self.v[b];
                }
            }
            for j in 0..k {
                if self.r[j] == 0.0 {
                    continue;
                }
                for a in 0..p {
                    for b in 0..p {
                        h[(a * k + j) * m + b * k + j] +=
                            weight * self.r[j] * self.hg[(j * p + a) * p + b];
                    }
                }
            }
        }
        lp
    }
}

/// Σ wᵢ ln p(xᵢ) over `points` (value, weight), with gradient and Hessian, for a mixture whose
/// family fills [`Terms`] with `fill(theta, y, terms, derivatives)` at y = `kernel`'s transform
/// of x. Used by the mixture families' [`Family::log_likelihood`].
pub(crate) fn sum_log_likelihood(
    kernel: Kernel,
    k: usize,
    theta: &[f64],
    points: impl Iterator<Item = (f64, f64)>,
    fill: impl Fn(&[f64], f64, &mut Terms, bool),
    mut grad: Option<&mut [f64]>,
    mut hess: Option<&mut [f64]>,
) -> f64 {
    if let Some(g) = grad.as_deref_mut() {
        g.fill(0.0);
    }
    if let Some(h) = hess.as_deref_mut() {
        h.fill(0.0);
    }
    let derivs = grad.is_some() || hess.is_some();
    let mut terms = Terms::new(k, kernel.per_component());
    let mut total = crate::sum::CompensatedSum::default();
    for (x, w) in points {
        if w == 0.0 {
            continue;
        }
        fill(theta, kernel.transform(x), &mut terms, derivs);
        let lp = terms.accumulate(w, grad.as_deref_mut(), hess.as_deref_mut());
        if lp == f64::NEG_INFINITY || lp.is_nan() {
            return f64::NEG_INFINITY;
        }
        total.add(w * (lp + kernel.offset(x)));
    }
    total.value()
}

// ---------------------------------------------------------------------------------------------
// The driver.

/// How many components to fit: one number, or a range to choose from by BIC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Components {
    /// Exactly this many.
    Fixed(usize),
    /// Each number in the range; the lowest BIC is chosen.
    Range(RangeInclusive<usize>),
}

impl FromStr for Components {
    type Err = String;

    /// `K`, `auto` (= 1..6) or a range `A..B` (inclusive; `A..=B` also accepted).
    fn from_str(s: &str) -> std::result::Result<Components, String> {
        let s = s.trim();
        let number = |t: &str| -> std::result::Result<usize, String> {
            let k: usize = t
                .trim()
                .parse()
                .map_err(|_| format!("expected K, auto or A..B, not {s:?}"))?;
            if (1..=MAX_COMPONENTS).contains(&k) {
                Ok(k)
            } else {
                Err(format!(
                    "the number of components must be 1 to {MAX_COMPONENTS}, not {k}"
                ))
            }
        };
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Components::Range(AUTO_RANGE));
        }
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (number(a)?, number(b.trim_start_matches('='))?);
            if a > b {
                return Err(format!("empty range of components {s:?}"));
            }
            return Ok(Components::Range(a..=b));
        }
        Ok(Components::Fixed(number(s)?))
    }
}

/// How to fit a mixture.
#[derive(Debug, Clone)]
pub struct MixtureOptions {
    /// Number of starts (the first is a quantile split, the others k-means++ seedings).
    pub starts: usize,
    /// Seed of the k-means++ starts: the same seed gives the same fit.
    pub seed: u64,
    /// Cap on EM iterations per start.
    pub em_iterations: usize,
    /// Options of the Newton finish of each start (`start` is set per start; `fixed` must be
    /// empty).
    pub fit: FitOptions,
}

impl Default for MixtureOptions {
    fn default() -> Self {
        MixtureOptions {
            starts: DEFAULT_STARTS,
            seed: DEFAULT_SEED,
            em_iterations: DEFAULT_EM_ITERATIONS,
            fit: FitOptions::default(),
        }
    }
}

/// How one start ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartStatus {
    /// The start whose fit is reported.
    Best,
    /// Reached the same maximum as the best.
    ReachedBest,
    /// A certified local maximum below the best.
    LocalMaximum,
    /// A component collapsed onto a point or emptied (rejected).
    Degenerate,
    /// Newton did not certify a maximum from the EM solution (rejected).
    NotConverged,
}

/// One start's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct StartReport {
    /// 0-based start number.
    pub start: usize,
    /// `quantiles` (the first) or `kmeans++`.
    pub init: &'static str,
    /// EM iterations before the Newton finish.
    pub em_iterations: usize,
    /// Log-likelihood reached (EM's when the start stopped there).
    pub log_likelihood: f64,
    /// How it ended.
    pub status: StartStatus,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A mixture fitted from several starts: the best certified, non-degenerate fit, with its
/// components sorted by location, and the record of every start.
#[derive(Debug, Clone, Serialize)]
pub struct MixtureFit {
    /// The fit (the `fit --format json` object; parameters sorted by component location). For
    /// one component, the base family's fit (normal, lognormal, poisson).
    #[serde(flatten)]
    pub fit: Fit,
    /// Number of components.
    pub components: usize,
    /// Seed of the k-means++ starts.
    pub seed: u64,
    /// Number of starts run.
    pub starts: usize,
    /// Starts that reached the reported maximum (log-likelihood within 1e-6·n and every
    /// parameter within 0.01 standard errors, after sorting), the reported one included.
    pub starts_reaching_best: usize,
    /// Starts rejected because a component collapsed onto a point or emptied.
    pub degenerate_starts: usize,
    /// Starts rejected because the Newton finish did not certify a maximum.
    pub nonconverged_starts: usize,
    /// EM iterations of the reported start.
    pub em_iterations: usize,
    /// Every start, in order.
    pub start_details: Vec<StartReport>,
}

impl MixtureFit {
    /// (weight, location, scale) of each component, in the reported (sorted) order; the scale
    /// is `None` for Poisson components.
    pub fn components(&self) -> Vec<(f64, f64, Option<f64>)> {
        let theta = self.fit.theta();
        let k = self.components;
        if k == 1 {
            return vec![(1.0, theta[0], theta.get(1).copied())];
        }
        (0..k)
            .map(|j| (theta[j], theta[k + j], theta.get(2 * k + j).copied()))
            .collect()
    }
}

/// One number of components in a [`MixtureSelection`].
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Number of components.
    pub components: usize,
    /// BIC minus the smallest BIC (NaN without a fit).
    pub delta_bic: f64,
    /// The fit, when one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<MixtureFit>,
    /// Why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Mixtures with each number of components in a range, and the one BIC chooses.
#[derive(Debug, Clone, Serialize)]
pub struct MixtureSelection {
    /// The mixture family.
    pub family: String,
    /// The criterion (`bic`: k ln n − 2ℓ, lower is better).
    pub criterion: &'static str,
    /// The chosen number of components (the lowest BIC among converged fits).
    pub chosen_k: usize,
    /// One entry per number of components, in increasing order.
    pub fits: Vec<Candidate>,
}

impl MixtureSelection {
    /// The chosen fit.
    pub fn chosen(&self) -> &MixtureFit {
        self.fits
            .iter()
            .find(|c| c.components == self.chosen_k)
            .and_then(|c| c.fit.as_ref())
            .expect("the chosen number of components has a fit")
    }
}

/// The mixture family of `family`'s kind with `k` components (`k` = 1: the base family).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] when `family` is not a mixture or k is out of range.
pub fn with_components(family: &dyn Family, k: usize) -> Result<Box<dyn Family>> {
    let kernel = kernel_of(family)?;
    check_components(k, 1)?;
    if k == 1 {
        return Ok(Box::new(BaseRef(kernel.base())));
    }
    kernel.family(k)
}

/// A `&'static dyn Family` as a boxed family.
struct BaseRef(&'static dyn Family);

impl Family for BaseRef {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn aliases(&self) -> &'static [&'static str] {
        self.0.aliases()
    }
    fn formula(&self) -> &'static str {
        self.0.formula()
    }
    fn params(&self) -> &[ParamSpec] {
        self.0.params()
    }
    fn support(&self) -> crate::family::Support {
        self.0.support()
    }
    fn min_observations(&self) -> usize {
        self.0.min_observations()
    }
    fn has_closed_form(&self) -> bool {
        self.0.has_closed_form()
    }
    fn uses_sufficient_statistics(&self) -> bool {
        self.0.uses_sufficient_statistics()
    }
    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        self.0.ln_density_derivs(theta, x, grad, hess)
    }
    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        self.0.initial_estimate(sample)
    }
    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.0.closed_form(sample)
    }
    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        self.0.log_likelihood(theta, sample, grad, hess)
    }
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        self.0.cdf(theta, x)
    }
    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn rand::RngCore) -> Vec<f64> {
        self.0.sample(theta, n, rng)
    }
    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        self.0.mean_variance(theta)
    }
}

fn kernel_of(family: &dyn Family) -> Result<Kernel> {
    Kernel::of(family).ok_or_else(|| {
        ErrorKind::InvalidOption {
            reason: format!(
                "{} is not a mixture family (normal_mixture, lognormal_mixture, poisson_mixture)",
                family.name()
            ),
        }
        .into()
    })
}

/// Fit a `k`-component mixture of `family`'s kind (`family` may be any instance of it, e.g.
/// the registry's). One component is the base family's ordinary fit.
///
/// # Errors
/// As [`fit_mixture`].
pub fn fit_components(
    family: &dyn Family,
    sample: &Sample,
    k: usize,
    options: &MixtureOptions,
) -> Result<MixtureFit> {
    let kernel = kernel_of(family)?;
    check_components(k, 1)?;
    if k == 1 {
        check_options(options)?;
        let base = fit(kernel.base(), sample, &options.fit)?;
        let report = StartReport {
            start: 0,
            init: "closed_form",
            em_iterations: 0,
            log_likelihood: base.log_likelihood,
            status: if base.converged {
                StartStatus::Best
            } else {
                StartStatus::NotConverged
            },
            reason: None,
        };
        return Ok(MixtureFit {
            components: 1,
            seed: options.seed,
            starts: 1,
            starts_reaching_best: usize::from(base.converged),
            degenerate_starts: 0,
            nonconverged_starts: usize::from(!base.converged),
            em_iterations: 0,
            start_details: vec![report],
            fit: base,
        });
    }
    fit_mixture(kernel.family(k)?.as_ref(), sample, options)
}

fn check_options(options: &MixtureOptions) -> Result<()> {
    if !options.fit.fixed.is_empty() {
        return Err(ErrorKind::InvalidOption {
            reason: "parameters of a mixture cannot be held fixed (--fix): the components are \
                     relabelled by location after each start"
                .into(),
        }
        .into());
    }
    if options.starts == 0 {
        return Err(ErrorKind::InvalidOption {
            reason: "a mixture needs at least one start".into(),
        }
        .into());
    }
    Ok(())
}

/// Fit the mixture `family` (its number of components is its own) to `sample` from
/// `options.starts` seeded starts; see the module documentation.
///
/// # Errors
/// Validation errors of [`crate::fit::validate`]; [`ErrorKind::InvalidOption`] for fixed
/// parameters, zero starts, or a family that is not a mixture; [`ErrorKind::Degenerate`] when
/// the data have too few distinct values for the components or every start ended in a
/// degenerate solution. A best start that is not certified is *not* an error: it is returned
/// with `converged: false`.
pub fn fit_mixture(
    family: &dyn Family,
    sample: &Sample,
    options: &MixtureOptions,
) -> Result<MixtureFit> {
    let kernel = kernel_of(family)?;
    check_options(options)?;
    crate::fit::validate(family, sample)?;
    let k = (family.params().len()) / kernel.per_component();
    let data = EmData::new(kernel, sample);
    if data.points.len() <= k {
        return Err(degenerate(
            family,
            format!(
                "the data have {} distinct values: too few for {k} components",
                data.points.len()
            ),
        ));
    }
    if data.spread.is_nan() || data.spread <= 0.0 {
        return Err(degenerate(family, "the data have no spread"));
    }

    let runs: Vec<Run> = (0..options.starts)
        .into_par_iter()
        .map(|s| run_start(family, kernel, k, sample, &data, s, options))
        .collect();

    // The best certified, non-degenerate run (the first of equals: deterministic).
    let best = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == StartStatus::LocalMaximum)
        .max_by(|a, b| {
            let (la, lb) = (ll_of(a.1), ll_of(b.1));
            la.total_cmp(&lb).then(b.0.cmp(&a.0))
        })
        .map(|(i, _)| i);
    let degenerate_starts = runs
        .iter()
        .filter(|r| r.status == StartStatus::Degenerate)
        .count();
    let nonconverged_starts = runs
        .iter()
        .filter(|r| r.status == StartStatus::NotConverged)
        .count();
    let chosen = match best {
        Some(i) => i,
        None => {
            // No certified maximum: report the best uncertified, non-degenerate run as not
            // converged, or fail when every start degenerated.
            let fallback = runs
                .iter()
                .enumerate()
                .filter(|(_, r)| r.status == StartStatus::NotConverged && r.fit.is_some())
                .max_by(|a, b| ll_of(a.1).total_cmp(&ll_of(b.1)).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i);
            match fallback {
                Some(i) => i,
                None => {
                    let why = runs
                        .iter()
                        .find_map(|r| r.reason.clone())
                        .unwrap_or_default();
                    return Err(degenerate(
                        family,
                        format!(
                            "every one of the {} starts ended in a degenerate solution, where the likelihood has no maximum (first: {why}); try fewer components",
                            options.starts
                        ),
                    ));
                }
            }
        }
    };
    let n_rows = data.rows as f64;
    let best_fit = runs[chosen].fit.clone().expect("the chosen run has a fit");
    let mut statuses: Vec<StartStatus> = runs.iter().map(|r| r.status).collect();
    let mut reaching = 0;
    if best.is_some() {
        for (i, r) in runs.iter().enumerate() {
            if r.status != StartStatus::LocalMaximum {
                continue;
            }
            let f = r.fit.as_ref().expect("certified runs have a fit");
            if same_maximum(f, &best_fit, n_rows) {
                reaching += 1;
                statuses[i] = if i == chosen {
                    StartStatus::Best
                } else {
                    StartStatus::ReachedBest
                };
            }
        }
    }
    let mut result = best_fit;
    if degenerate_starts > 0 {
        let first = runs
            .iter()
            .find(|r| r.status == StartStatus::Degenerate)
            .and_then(|r| r.reason.clone())
            .unwrap_or_default();
        result.notes.push(format!(
            "{degenerate_starts} of {} starts were rejected as degenerate ({first}): there the likelihood is unbounded or a component is empty, so they are not maximum-likelihood estimates",
            options.starts
        ));
    }
    if nonconverged_starts > 0 {
        result.notes.push(format!(
            "{nonconverged_starts} of {} starts did not reach a certified maximum and were rejected",
            options.starts
        ));
    }
    if best.is_some() && reaching == 1 && options.starts > 1 {
        result.notes.push(format!(
            "only 1 of {} starts reached this maximum: a higher one may exist (try more --starts)",
            options.starts
        ));
    }
    Ok(MixtureFit {
        fit: result,
        components: k,
        seed: options.seed,
        starts: options.starts,
        starts_reaching_best: reaching,
        degenerate_starts,
        nonconverged_starts,
        em_iterations: runs[chosen].em_iterations,
        start_details: runs
            .iter()
            .zip(statuses)
            .enumerate()
            .map(|(i, (r, status))| StartReport {
                start: i,
                init: if i == 0 { "quantiles" } else { "kmeans++" },
                em_iterations: r.em_iterations,
                log_likelihood: r.log_likelihood,
                status,
                reason: r.reason.clone(),
            })
            .collect(),
    })
}

/// Fit each number of components in `range` and choose the lowest BIC among converged fits.
///
/// # Errors
/// As [`fit_components`] for an invalid family or options; [`ErrorKind::Degenerate`] when no
/// number of components gives a converged fit (each one's reason is in the message).
pub fn select(
    family: &dyn Family,
    sample: &Sample,
    range: RangeInclusive<usize>,
    options: &MixtureOptions,
) -> Result<MixtureSelection> {
    let kernel = kernel_of(family)?;
    check_options(options)?;
    check_components(*range.start(), 1)?;
    check_components(*range.end(), 1)?;
    crate::fit::validate(kernel.base(), sample)?;
    let mut fits = Vec::new();
    for k in range {
        let (fit, error) = match fit_components(family, sample, k, options) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.to_string())),
        };
        fits.push(Candidate {
            components: k,
            delta_bic: f64::NAN,
            fit,
            error,
        });
    }
    let chosen = fits
        .iter()
        .filter_map(|c| c.fit.as_ref().filter(|f| f.fit.converged))
        .min_by(|a, b| a.fit.bic.total_cmp(&b.fit.bic))
        .map(|f| (f.components, f.fit.bic));
    let Some((chosen_k, best_bic)) = chosen else {
        let why: Vec<String> = fits
            .iter()
            .map(|c| match (&c.fit, &c.error) {
                (_, Some(e)) => format!("K = {}: {e}", c.components),
                (Some(f), None) => format!(
                    "K = {}: not converged ({})",
                    c.components,
                    f.fit.termination.as_str()
                ),
                (None, None) => unreachable!("a fit or an error"),
            })
            .collect();
        return Err(degenerate(
            family,
            format!(
                "no number of components gave a converged fit: {}",
                why.join("; ")
            ),
        ));
    };
    for c in &mut fits {
        if let Some(f) = &c.fit {
            c.delta_bic = f.fit.bic - best_bic;
        }
    }
    Ok(MixtureSelection {
        family: family.name().to_string(),
        criterion: "bic",
        chosen_k,
        fits,
    })
}

fn ll_of(r: &Run) -> f64 {
    r.fit
        .as_ref()
        .map_or(f64::NEG_INFINITY, |f| f.log_likelihood)
}

/// Whether two certified fits are the same maximum: log-likelihoods within 1e-6·n and every
/// parameter within 0.01 standard errors (1e-6 relative where there is none).
fn same_maximum(a: &Fit, best: &Fit, n: f64) -> bool {
    if (a.log_likelihood - best.log_likelihood).abs() > SAME_LOG_LIKELIHOOD * n {
        return false;
    }
    a.params
        .0
        .iter()
        .zip(&best.params.0)
        .all(|((name, x), (_, y))| {
            let tol = best
                .std_errors
                .as_ref()
                .and_then(|s| s.get(name))
                .map_or(1e-6 * y.abs().max(1e-300), |se| SAME_PARAMETER_SE * se);
            (x - y).abs() <= tol
        })
}

/// The data as EM sees them: distinct values (on EM's scale), each with its total weight.
struct EmData {
    /// (y, weight, offset) per distinct value, increasing in y.
    points: Vec<(f64, f64, f64)>,
    /// Σ weights.
    total: f64,
    /// Rows with positive weight (the n of "w·n < 2").
    rows: usize,
    /// Standard deviation of y: the unit of "collapsed".
    spread: f64,
}

impl EmData {
    fn new(kernel: Kernel, sample: &Sample) -> EmData {
        let points: Vec<(f64, f64, f64)> = sample
            .distinct()
            .iter()
            .map(|&(x, w)| (kernel.transform(x), w, kernel.offset(x)))
            .collect();
        let total: f64 = points.iter().map(|p| p.1).sum();
        let mean = points.iter().map(|p| p.1 * p.0).sum::<f64>() / total;
        let var = points
            .iter()
            .map(|p| p.1 * (p.0 - mean).powi(2))
            .sum::<f64>()
            / total;
        let rows = (0..sample.len())
            .filter(|&i| sample.weight(i) > 0.0)
            .count();
        EmData {
            points,
            total,
            rows,
            spread: var.sqrt(),
        }
    }

    /// Parameters from a hard assignment of each point to a component: weights from the
    /// shares, locations from the means, scales from the standard deviations. Only a start:
    /// an empty group gets a small weight at a quantile, a group without spread gets the
    /// data's spread / k.
    fn start_from_groups(&self, kernel: Kernel, k: usize, group: &[usize]) -> Vec<f64> {
        let p = kernel.per_component();
        let mut n = vec![0.0; k];
        let mut s1 = vec![0.0; k];
        for (&(y, w, _), &g) in self.points.iter().zip(group) {
            n[g] += w;
            s1[g] += w * y;
        }
        let mut theta = vec![0.0; p * k];
        for j in 0..k {
            let loc = if n[j] > 0.0 {
                s1[j] / n[j]
            } else {
                self.quantile((j as f64 + 0.5) / k as f64)
            };
            theta[k + j] = loc;
            theta[j] = n[j].max(self.total / (2.0 * k as f64 * k as f64));
            if p == 3 {
                let var = self
                    .points
                    .iter()
                    .zip(group)
                    .filter(|(_, &g)| g == j)
                    .map(|(&(y, w, _), _)| w * (y - loc).powi(2))
                    .sum::<f64>()
                    / n[j].max(f64::MIN_POSITIVE);
                let sd = var.sqrt();
                theta[2 * k + j] = if sd > 0.05 * self.spread {
                    sd
                } else {
                    self.spread / k as f64
                };
            } else {
                // A Poisson rate must be positive even for a group of zeros.
                theta[k + j] = loc.max(0.05);
            }
        }
        let total: f64 = theta[..k].iter().sum();
        for w in &mut theta[..k] {
            *w /= total;
        }
        theta
    }

    /// The weighted quantile of y at probability `q`.
    fn quantile(&self, q: f64) -> f64 {
        let target = q * self.total;
        let mut cum = 0.0;
        for &(y, w, _) in &self.points {
            cum += w;
            if cum >= target {
                return y;
            }
        }
        self.points.last().map_or(0.0, |p| p.0)
    }

    /// The quantile split: k groups of equal weight in sorted order.
    fn quantile_start(&self, kernel: Kernel, k: usize) -> Vec<f64> {
        let mut cum = 0.0;
        let group: Vec<usize> = self
            .points
            .iter()
            .map(|&(_, w, _)| {
                let mid = (cum + 0.5 * w) / self.total;
                cum += w;
                ((mid * k as f64) as usize).min(k - 1)
            })
            .collect();
        self.start_from_groups(kernel, k, &group)
    }

    /// k-means++ seeding (D² sampling, weighted by the points' weights) and five Lloyd
    /// iterations, then the groups' parameters.
    fn kmeans_start(&self, kernel: Kernel, k: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let draw = |rng: &mut ChaCha8Rng, mass: &[f64]| -> usize {
            let total: f64 = mass.iter().sum();
            let mut u = rng.random::<f64>() * total;
            for (i, m) in mass.iter().enumerate() {
                u -= m;
                if u < 0.0 {
                    return i;
                }
            }
            mass.iter().rposition(|m| *m > 0.0).unwrap_or(0)
        };
        let weights: Vec<f64> = self.points.iter().map(|p| p.1).collect();
        let mut centers = vec![self.points[draw(rng, &weights)].0];
        let mut d2: Vec<f64> = self
            .points
            .iter()
            .map(|p| (p.0 - centers[0]).powi(2))
            .collect();
        while centers.len() < k {
            let mass: Vec<f64> = d2.iter().zip(&weights).map(|(d, w)| d * w).collect();
            if mass.iter().sum::<f64>() <= 0.0 {
                break;
            }
            let c = self.points[draw(rng, &mass)].0;
            centers.push(c);
            for (d, p) in d2.iter_mut().zip(&self.points) {
                *d = d.min((p.0 - c).powi(2));
            }
        }
        centers.sort_by(f64::total_cmp);
        let nearest = |y: f64, centers: &[f64]| -> usize {
            (0..centers.len())
                .min_by(|&a, &b| (y - centers[a]).abs().total_cmp(&(y - centers[b]).abs()))
                .unwrap_or(0)
        };
        let mut group: Vec<usize> = self.points.iter().map(|p| nearest(p.0, &centers)).collect();
        for _ in 0..5 {
            let mut sums = vec![(0.0, 0.0); centers.len()];
            for (p, &g) in self.points.iter().zip(&group) {
                sums[g].0 += p.1 * p.0;
                sums[g].1 += p.1;
            }
            for (c, s) in centers.iter_mut().zip(&sums) {
                if s.1 > 0.0 {
                    *c = s.0 / s.1;
                }
            }
            group = self.points.iter().map(|p| nearest(p.0, &centers)).collect();
        }
        self.start_from_groups(kernel, k, &group)
    }

    /// Why θ is degenerate on these data, if it is.
    fn degeneracy(
        &self,
        kernel: Kernel,
        k: usize,
        theta: &[f64],
        names: &[ParamSpec],
    ) -> Option<String> {
        for j in 0..k {
            let count = theta[j] * self.rows as f64;
            if count.is_nan() || count < MIN_COMPONENT_COUNT {
                return Some(format!(
                    "{} = {:.3e} leaves component {} fewer than {MIN_COMPONENT_COUNT} observations",
                    names[j].name,
                    theta[j],
                    j + 1
                ));
            }
            match kernel {
                Kernel::Normal | Kernel::LogNormal => {
                    let sd = theta[2 * k + j];
                    if sd.is_nan() || sd < COLLAPSED_SCALE * self.spread {
                        return Some(format!(
                            "component {} collapsed onto the single value {} = {} ({} = {:.3e})",
                            j + 1,
                            names[k + j].name,
                            crate::report::sig(theta[k + j], 8),
                            names[2 * k + j].name,
                            sd
                        ));
                    }
                }
                Kernel::Poisson => {
                    if theta[k + j].is_nan() || theta[k + j] < COLLAPSED_RATE {
                        return Some(format!(
                            "component {} collapsed onto 0 ({} = {:.3e})",
                            j + 1,
                            names[k + j].name,
                            theta[k + j]
                        ));
                    }
                }
            }
        }
        None
    }
}

/// Sort the components of θ by location (mean, meanlog or rate).
fn sort_components(theta: &[f64], k: usize, p: usize) -> Vec<f64> {
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| theta[k + a].total_cmp(&theta[k + b]));
    let mut out = theta.to_vec();
    for a in 0..p {
        for (new, &old) in order.iter().enumerate() {
            out[a * k + new] = theta[a * k + old];
        }
    }
    out
}

fn is_sorted_by_location(theta: &[f64], k: usize) -> bool {
    theta[k..2 * k].windows(2).all(|w| w[0] <= w[1])
}

/// What EM reached.
pub(crate) struct EmResult {
    pub(crate) theta: Vec<f64>,
    pub(crate) iterations: usize,
    pub(crate) log_likelihood: f64,
    pub(crate) degenerate: Option<String>,
}

/// EM from θ₀ until an iteration gains less than 1e-10·|ℓ| or `max_iterations`; stops early,
/// with the reason, when θ becomes degenerate.
fn em(
    kernel: Kernel,
    k: usize,
    data: &EmData,
    theta0: Vec<f64>,
    max_iterations: usize,
    names: &[ParamSpec],
) -> EmResult {
    let p = kernel.per_component();
    let mut theta = theta0;
    let mut l = vec![0.0; k];
    // Per component: Σ rw, Σ rw (y − loc), Σ rw (y − loc)², about the current location (a
    // shift that keeps the variance update accurate: loc moves little between iterations).
    let mut sums = vec![(0.0, 0.0, 0.0); k];
    let mut constant = vec![0.0; k];
    let mut previous = f64::NEG_INFINITY;
    let mut ll = f64::NEG_INFINITY;
    for it in 1..=max_iterations {
        // ln wⱼ plus the parameter-only part of ln fⱼ, once per iteration.
        for j in 0..k {
            constant[j] = theta[j].ln()
                + match kernel {
                    Kernel::Normal | Kernel::LogNormal => -theta[2 * k + j].ln() - LN_SQRT_2PI,
                    Kernel::Poisson => -theta[k + j],
                };
        }
        let ln_rate: Vec<f64> = (0..k).map(|j| theta[k + j].ln()).collect();
        sums.fill((0.0, 0.0, 0.0));
        // E-step (responsibilities and ℓ at the current θ) and the M-step's sums, in one pass.
        let mut total = crate::sum::CompensatedSum::default();
        // Σ wᵢ ln sᵢ (sᵢ ∈ [1, k], the normaliser of point i; wᵢ a count for unweighted data)
        // as ln of products of up to 200 factors (k²⁰⁰ < 10³⁰⁰ for k ≤ 20): one logarithm per
        // 200 observations instead of one per distinct value.
        let (mut product, mut factors, mut ln_products) = (1.0f64, 0i32, 0.0);
        for &(y, w, offset) in &data.points {
            for j in 0..k {
                l[j] = constant[j]
                    + match kernel {
                        Kernel::Normal | Kernel::LogNormal => {
                            let z = (y - theta[k + j]) / theta[2 * k + j];
                            -0.5 * z * z
                        }
                        Kernel::Poisson if y == 0.0 => 0.0,
                        Kernel::Poisson => y * ln_rate[j],
                    };
            }
            let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut s = 0.0;
            for lj in l.iter_mut() {
                *lj = (*lj - top).exp();
                s += *lj;
            }
            if w.fract() == 0.0 && w <= 200.0 {
                total.add(w * (top + offset));
                let count = w as i32;
                if factors + count > 200 {
                    ln_products += product.ln();
                    (product, factors) = (1.0, 0);
                }
                product *= s.powi(count);
                factors += count;
            } else {
                total.add(w * (top + s.ln() + offset));
            }
            let scale = w / s;
            for (j, sum) in sums.iter_mut().enumerate() {
                let rw = scale * l[j];
                let d = y - theta[k + j];
                sum.0 += rw;
                sum.1 += rw * d;
                sum.2 += rw * d * d;
            }
        }
        ll = total.value() + ln_products + product.ln();
        // M-step: closed form.
        for (j, &(n, s1, s2)) in sums.iter().enumerate() {
            theta[j] = n / data.total;
            let shift = if n > 0.0 { s1 / n } else { f64::NAN };
            theta[k + j] += shift;
            if p == 3 {
                theta[2 * k + j] = (s2 / n - shift * shift).max(0.0).sqrt();
            }
        }
        if let Some(why) = data.degeneracy(kernel, k, &theta, names) {
            return EmResult {
                theta,
                iterations: it,
                log_likelihood: ll,
                degenerate: Some(why),
            };
        }
        if ll - previous <= EM_RELATIVE_GAIN * ll.abs() {
            return EmResult {
                theta,
                iterations: it,
                log_likelihood: ll,
                degenerate: None,
            };
        }
        previous = ll;
    }
    EmResult {
        theta,
        iterations: max_iterations,
        log_likelihood: ll,
        degenerate: None,
    }
}

/// The start used by the mixture families' [`Family::initial_estimate`]: the quantile split
/// refined by up to `iterations` EM steps (the split itself when EM degenerates). Sorted by
/// location.
///
/// # Errors
/// [`ErrorKind::Degenerate`] when the data have no spread or too few distinct values.
pub(crate) fn initial_estimate(
    family: &dyn Family,
    kernel: Kernel,
    k: usize,
    sample: &Sample,
    iterations: usize,
) -> Result<Vec<f64>> {
    let data = EmData::new(kernel, sample);
    if data.points.len() <= k || data.spread.is_nan() || data.spread <= 0.0 {
        return Err(degenerate(
            family,
            format!(
                "the data have {} distinct values: too few for {k} components",
                data.points.len()
            ),
        ));
    }
    if kernel == Kernel::Poisson && data.points.iter().all(|p| p.0 == 0.0) {
        return Err(degenerate(family, "all counts are 0"));
    }
    let split = data.quantile_start(kernel, k);
    let refined = em(kernel, k, &data, split.clone(), iterations, family.params());
    let theta = if refined.degenerate.is_none() && refined.theta.iter().all(|v| v.is_finite()) {
        refined.theta
    } else {
        split
    };
    Ok(sort_components(&theta, k, kernel.per_component()))
}

/// One start's result.
struct Run {
    fit: Option<Fit>,
    em_iterations: usize,
    log_likelihood: f64,
    status: StartStatus,
    reason: Option<String>,
}

fn run_start(
    family: &dyn Family,
    kernel: Kernel,
    k: usize,
    sample: &Sample,
    data: &EmData,
    start: usize,
    options: &MixtureOptions,
) -> Run {
    let p = kernel.per_component();
    let theta0 = if start == 0 {
        data.quantile_start(kernel, k)
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        rng.set_stream(start as u64);
        data.kmeans_start(kernel, k, &mut rng)
    };
    let names = family.params();
    let result = em(kernel, k, data, theta0, options.em_iterations, names);
    let rejected = |status, why: String, ll| Run {
        fit: None,
        em_iterations: result.iterations,
        log_likelihood: ll,
        status,
        reason: Some(why),
    };
    if let Some(why) = result.degenerate.clone() {
        return rejected(StartStatus::Degenerate, why, result.log_likelihood);
    }
    let theta_em = sort_components(&result.theta, k, p);
    let finish = |start: Vec<f64>| {
        fit(
            family,
            sample,
            &FitOptions {
                start: Some(start),
                ..options.fit.clone()
            },
        )
    };
    let mut fitted = match finish(theta_em) {
        Ok(f) => f,
        Err(e) => {
            return rejected(
                StartStatus::NotConverged,
                e.to_string(),
                result.log_likelihood,
            )
        }
    };
    let mut theta = fitted.theta();
    if let Some(why) = data.degeneracy(kernel, k, &theta, names) {
        return rejected(StartStatus::Degenerate, why, fitted.log_likelihood);
    }
    if !is_sorted_by_location(&theta, k) {
        // Newton moved two components past each other: relabel and certify again at the
        // relabelled optimum (a warm start there takes no iterations).
        theta = sort_components(&theta, k, p);
        let iterations = fitted.iterations;
        match finish(theta) {
            Ok(f) => {
                fitted = f;
                fitted.iterations = iterations;
            }
            Err(e) => {
                return rejected(
                    StartStatus::NotConverged,
                    e.to_string(),
                    fitted.log_likelihood,
                )
            }
        }
    }
    let (status, reason) = if fitted.converged {
        (StartStatus::LocalMaximum, None)
    } else {
        (
            StartStatus::NotConverged,
            Some(format!(
                "not certified ({}){}",
                fitted.termination.as_str(),
                fitted
                    .notes
                    .first()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            )),
        )
    };
    Run {
        log_likelihood: fitted.log_likelihood,
        fit: Some(fitted),
        em_iterations: result.iterations,
        status,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_parse() {
        assert_eq!("3".parse(), Ok(Components::Fixed(3)));
        assert_eq!("auto".parse(), Ok(Components::Range(1..=6)));
        assert_eq!("2..5".parse(), Ok(Components::Range(2..=5)));
        assert_eq!("2..=4".parse(), Ok(Components::Range(2..=4)));
        assert!("0".parse::<Components>().is_err());
        assert!("5..2".parse::<Components>().is_err());
        assert!("x".parse::<Components>().is_err());
        assert!("99".parse::<Components>().is_err());
    }

    #[test]
    fn specs_are_built_once_per_k() {
        let p = [("w", Constraint::Simplex), ("rate", Constraint::Positive)];
        let a = component_specs(&p, 3);
        let b = component_specs(&p, 3);
        assert!(std::ptr::eq(a, b));
        let names: Vec<&str> = a.iter().map(|s| s.name).collect();
        assert_eq!(names, ["w1", "w2", "w3", "rate1", "rate2", "rate3"]);
    }

    #[test]
    fn sorting_moves_whole_components() {
        let theta = [0.7, 0.3, 4.0, 0.0, 0.8, 1.0];
        assert_eq!(
            sort_components(&theta, 2, 3),
            vec![0.3, 0.7, 0.0, 4.0, 1.0, 0.8]
        );
    }
}
