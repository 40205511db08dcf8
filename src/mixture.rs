//! Finite mixtures: fitting from several seeded starts, and choosing the number of components.
//!
//! A mixture's log-likelihood Σ ln Σⱼ wⱼ fⱼ(xᵢ) is not concave: it has a local maximum for
//! every way of sharing the data among the components, and it is unbounded where a component
//! collapses onto one point (σⱼ → 0 at a repeated value). A single Newton run from one start
//! therefore proves only that it found *a* local maximum. [`fit_mixture`] runs several seeded
//! starts — a quantile split of the data and k-means++ seedings — takes each through a short EM
//! (the closed-form M-step keeps every iterate in the parameter space and increases the
//! likelihood monotonically; SQUAREM extrapolation accelerates it, and it stops once a cycle
//! gains less than 10⁻⁶·|ℓ|: its job is only to land in the right basin), finishes each with the
//! standard [`crate::fit::fit`] (Newton, quadratically convergent, with the same certificate as
//! every fit: score zero, Hessian positive definite, no parameter at the edge; when it cannot
//! certify from the short EM other than by running out of iterations, EM goes on to
//! 10⁻¹⁰·|ℓ| and Newton tries again), rejects
//! degenerate and uncertified solutions, and keeps the best, reporting how many starts reached
//! it. Components are sorted by their location (mean, meanlog or rate), so output is stable
//! across runs and seeds. [`select`] fits each number of components in a range and picks one by
//! BIC.
//!
//! Large data (more than [`SCREEN_ABOVE`] distinct values) are screened: every start runs EM to
//! 10⁻¹⁰·|ℓ| on a quantile subsample of [`SCREEN_POINTS`] points, starts that end at the same
//! point are grouped, the groups are ranked by the full data's log-likelihood at their
//! solutions, and only the best [`POLISHED_STARTS`] are polished (short EM and Newton) on the
//! full data; the other starts of a polished group share its result, the rest are reported as
//! screened out. Every pass over the data runs in fixed blocks in parallel and sums them in
//! block order, so a fit is the same for a seed whatever the number of threads.
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
/// Default cap on the EM passes of a start's tight EM (the screening of large data, and the
/// fallback when Newton does not certify a maximum from the short EM).
pub const DEFAULT_EM_ITERATIONS: usize = 500;
/// The short EM before Newton stops when a SQUAREM cycle (about three EM passes) gains less
/// than this fraction of |ℓ|: EM only has to land in the right basin, Newton (quadratic
/// convergence) finishes.
const EM_SHORT_GAIN: f64 = 1e-6;
/// … or after this many EM passes.
const EM_SHORT_PASSES: usize = 60;
/// The tight EM (screening on a subsample, fallback) stops when a cycle gains less than this
/// fraction of |ℓ|.
const EM_TIGHT_GAIN: f64 = 1e-10;
/// Data with more distinct values than this are screened on a quantile subsample.
pub const SCREEN_ABOVE: usize = 20_000;
/// Points of the screening subsample.
pub const SCREEN_POINTS: usize = 5_000;
/// At most this many distinct screened solutions are polished on the full data.
pub const POLISHED_STARTS: usize = 3;
/// Screened solutions closer than this (weights; locations and scales in data spreads) are
/// the same point.
const SAME_SCREENED: f64 = 1e-4;
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

impl Terms {
    /// As [`Terms::accumulate`], but returns ln p as (top, s) with ln p = top + ln s and
    /// s ∈ [1, k] (the caller takes the logarithms of many s at once), and adds only the upper
    /// triangle (a ≤ b) of the Hessian (the caller mirrors it once after the last point).
    /// `top` is −∞ or NaN when every component is.
    pub(crate) fn accumulate_upper(
        &mut self,
        weight: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> (f64, f64) {
        let (k, p) = (self.k, self.p);
        let top = self.l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if top == f64::NEG_INFINITY || top.is_nan() {
            return (top, 1.0);
        }
        let mut total = 0.0;
        for (r, &l) in self.r.iter_mut().zip(&self.l) {
            // exp(0) = 1 exactly: the largest term needs no exponential.
            *r = if l == top { 1.0 } else { (l - top).exp() };
            total += *r;
        }
        if grad.is_none() && hess.is_none() {
            return (top, total);
        }
        for j in 0..k {
            self.r[j] /= total;
            let r = self.r[j];
            for a in 0..p {
                self.v[a * k + j] = if r == 0.0 { 0.0 } else { r * self.g[j * p + a] };
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
                let wa = weight * self.v[a];
                for (hb, vb) in h[a * m + a..(a + 1) * m].iter_mut().zip(&self.v[a..]) {
                    *hb -= wa * vb;
                }
            }
            for j in 0..k {
                if self.r[j] == 0.0 {
                    continue;
                }
                let wr = weight * self.r[j];
                let hg = &self.hg[j * p * p..(j + 1) * p * p];
                for a in 0..p {
                    for b in a..p {
                        h[(a * k + j) * m + b * k + j] += wr * hg[a * p + b];
                    }
                }
            }
        }
        (top, total)
    }
}

/// Σ wᵢ (topᵢ + ln sᵢ) for sᵢ ∈ [1, k], with one logarithm per product of up to 200 factors sᵢ
/// (k²⁰⁰ < 10³⁰⁰ for k ≤ 20) when the weights are small whole numbers (counts, or 1 for
/// unweighted data) instead of one per point.
#[derive(Default)]
struct LogSum {
    total: crate::sum::CompensatedSum,
    product: f64,
    factors: i32,
    ln_products: f64,
}

impl LogSum {
    fn new() -> LogSum {
        LogSum {
            product: 1.0,
            ..LogSum::default()
        }
    }

    #[inline]
    fn add(&mut self, w: f64, top: f64, s: f64) {
        if w == 1.0 {
            // Unweighted data: the common case, without the whole-number test.
            self.total.add(top);
            if self.factors >= 200 {
                self.ln_products += self.product.ln();
                (self.product, self.factors) = (1.0, 0);
            }
            self.product *= s;
            self.factors += 1;
        } else if w.fract() == 0.0 && w <= 200.0 {
            self.total.add(w * top);
            let count = w as i32;
            if self.factors + count > 200 {
                self.ln_products += self.product.ln();
                (self.product, self.factors) = (1.0, 0);
            }
            self.product *= s.powi(count);
            self.factors += count;
        } else {
            self.total.add(w * (top + s.ln()));
        }
    }

    fn value(&self) -> f64 {
        self.total.value() + self.ln_products + self.product.ln()
    }
}

/// Rows per block of [`sum_log_likelihood_rows`]: blocks are evaluated in parallel and summed
/// in block order, so the result is the same whatever the number of threads.
const ROW_BLOCK: usize = 4096;

/// Σ wᵢ ln p(xᵢ) over the rows of `sample`, with gradient and Hessian, as
/// [`sum_log_likelihood`] with `fill(y, terms, derivatives)`, evaluated in parallel over fixed
/// blocks of rows and summed in block order (bit-identical whatever the number of threads).
pub(crate) fn sum_log_likelihood_rows(
    kernel: Kernel,
    k: usize,
    sample: &Sample,
    fill: impl Fn(f64, &mut Terms, bool) + Sync,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let p = kernel.per_component();
    let m = k * p;
    let (want_g, want_h) = (grad.is_some() || hess.is_some(), hess.is_some());
    let values = sample.values();
    let weights = sample.weights();
    // y and the shared offset of x, with the kernel resolved outside the loop over points (a
    // match inside lets the compiler compute ln x speculatively for every point).
    let point = |x: f64| -> (f64, f64) {
        match kernel {
            Kernel::Normal => (x, 0.0),
            _ => (kernel.transform(x), kernel.offset(x)),
        }
    };
    let normal = |x: f64| (x, 0.0);
    // One block: its Σ w ln p (−∞ when a point has zero density), gradient and upper Hessian.
    let block = |start: usize, end: usize| -> (f64, Vec<f64>, Vec<f64>) {
        if kernel == Kernel::Normal {
            block_rows(
                k, p, values, weights, start, end, normal, &fill, want_g, want_h,
            )
        } else {
            block_rows(
                k, p, values, weights, start, end, point, &fill, want_g, want_h,
            )
        }
    };
    let n = values.len();
    let blocks: Vec<(f64, Vec<f64>, Vec<f64>)> = if n <= ROW_BLOCK {
        vec![block(0, n)]
    } else {
        (0..n.div_ceil(ROW_BLOCK))
            .into_par_iter()
            .map(|b| block(b * ROW_BLOCK, ((b + 1) * ROW_BLOCK).min(n)))
            .collect()
    };
    let mut total = crate::sum::CompensatedSum::default();
    for (v, _, _) in &blocks {
        if *v == f64::NEG_INFINITY {
            return f64::NEG_INFINITY;
        }
        total.add(*v);
    }
    if let Some(g) = grad {
        g.fill(0.0);
        for (_, bg, _) in &blocks {
            for (gi, v) in g.iter_mut().zip(bg) {
                *gi += v;
            }
        }
    }
    if let Some(h) = hess {
        h.fill(0.0);
        for (_, _, bh) in &blocks {
            for (hi, v) in h.iter_mut().zip(bh) {
                *hi += v;
            }
        }
        for a in 0..m {
            for b in 0..a {
                h[a * m + b] = h[b * m + a];
            }
        }
    }
    total.value()
}

/// One block of rows [start, end) of [`sum_log_likelihood_rows`]: Σ w ln p (−∞ when a point has
/// zero density), the gradient and the upper triangle of the Hessian. `point` maps x to
/// (y, offset).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn block_rows(
    k: usize,
    p: usize,
    values: &[f64],
    weights: Option<&[f64]>,
    start: usize,
    end: usize,
    point: impl Fn(f64) -> (f64, f64),
    fill: &impl Fn(f64, &mut Terms, bool),
    want_g: bool,
    want_h: bool,
) -> (f64, Vec<f64>, Vec<f64>) {
    let m = k * p;
    let mut terms = Terms::new(k, p);
    let mut g = vec![0.0; if want_g { m } else { 0 }];
    let mut h = vec![0.0; if want_h { m * m } else { 0 }];
    let mut total = LogSum::new();
    for i in start..end {
        let w = weights.map_or(1.0, |w| w[i]);
        if w == 0.0 {
            continue;
        }
        let (y, offset) = point(values[i]);
        fill(y, &mut terms, want_g);
        let (top, s) = terms.accumulate_upper(
            w,
            want_g.then_some(&mut g[..]),
            want_h.then_some(&mut h[..]),
        );
        if top == f64::NEG_INFINITY || top.is_nan() || s.is_nan() {
            return (f64::NEG_INFINITY, g, h);
        }
        total.add(w, top + offset, s);
    }
    (total.value(), g, h)
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
    /// Large data: not polished, its screening solution ranked below the polished ones.
    ScreenedOut,
}

/// One start's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct StartReport {
    /// 0-based start number.
    pub start: usize,
    /// `quantiles` (the first) or `kmeans++`.
    pub init: &'static str,
    /// EM passes before the Newton finish.
    pub em_iterations: usize,
    /// Log-likelihood reached (EM's when the start stopped there).
    pub log_likelihood: f64,
    /// How it ended.
    pub status: StartStatus,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Large data: the polished start whose result this start shares, its screening solution
    /// having coincided with that start's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<usize>,
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
    /// EM passes of the reported start (screening, short EM and any fallback).
    pub em_iterations: usize,
    /// Large data (more than [`SCREEN_ABOVE`] distinct values): the size of the quantile
    /// subsample the starts were screened on; absent when every start was polished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screened_on: Option<usize>,
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
            same_as: None,
        };
        return Ok(MixtureFit {
            components: 1,
            screened_on: None,
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
    if data.y.len() <= k {
        return Err(degenerate(
            family,
            format!(
                "the data have {} distinct values: too few for {k} components",
                data.y.len()
            ),
        ));
    }
    if data.spread.is_nan() || data.spread <= 0.0 {
        return Err(degenerate(family, "the data have no spread"));
    }

    let (runs, screening) = Starts {
        family,
        kernel,
        k,
        sample,
        data: &data,
        options,
    }
    .run();

    // The best certified, non-degenerate run (the first of equals: deterministic).
    let best = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == StartStatus::LocalMaximum && r.fit.is_some())
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
            let Some(f) = r
                .fit
                .as_ref()
                .filter(|_| r.status == StartStatus::LocalMaximum)
            else {
                continue;
            };
            if same_maximum(f, &best_fit, n_rows) {
                reaching += 1;
                statuses[i] = if i == chosen {
                    StartStatus::Best
                } else {
                    StartStatus::ReachedBest
                };
            }
        }
        // A start that shares a polished start's result reaches what that one reached.
        for (i, r) in runs.iter().enumerate() {
            if let Some(l) = r.same_as {
                if matches!(statuses[l], StartStatus::Best | StartStatus::ReachedBest) {
                    reaching += 1;
                    statuses[i] = StartStatus::ReachedBest;
                }
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
    if let Some((points, polished)) = screening {
        let which = if polished == 1 {
            "best distinct solution (by the data's log-likelihood) was".to_string()
        } else {
            format!("{polished} best distinct solutions (by the data's log-likelihood) were")
        };
        result.notes.push(format!(
            "{} distinct values: the {} starts ran EM on a {points}-point quantile subsample, and the {which} polished on the full data; a start whose solution coincided with a polished one shares its result",
            data.y.len(),
            options.starts,
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
        screened_on: screening.map(|(points, _)| points),
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
                same_as: r.same_as,
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
    /// Distinct values of y, increasing.
    y: Vec<f64>,
    /// Their total weights.
    w: Vec<f64>,
    /// Σ wᵢ·offset(xᵢ): the part of ℓ that does not depend on θ (0 on a screening subsample,
    /// whose log-likelihoods only rank starts).
    offset_total: f64,
    /// Σ weights.
    total: f64,
    /// Rows with positive weight (the n of "w·n < 2"; the full data's on a subsample).
    rows: usize,
    /// Standard deviation of y: the unit of "collapsed" (the full data's on a subsample).
    spread: f64,
}

impl EmData {
    fn new(kernel: Kernel, sample: &Sample) -> EmData {
        // Unweighted data: the distinct values from the sorted values the fit's robust scale
        // needs anyway (one sort of the data instead of two).
        let merged: Vec<(f64, f64)>;
        let distinct: &[(f64, f64)] = if sample.weights().is_none() {
            let mut out: Vec<(f64, f64)> = Vec::new();
            for &x in sample.sorted_values() {
                match out.last_mut() {
                    Some(last) if last.0 == x => last.1 += 1.0,
                    _ => out.push((x, 1.0)),
                }
            }
            merged = out;
            &merged
        } else {
            sample.distinct()
        };
        let y: Vec<f64> = distinct.iter().map(|&(x, _)| kernel.transform(x)).collect();
        let w: Vec<f64> = distinct.iter().map(|&(_, w)| w).collect();
        let mut offset_total = crate::sum::CompensatedSum::default();
        if kernel != Kernel::Normal {
            for &(x, w) in distinct {
                offset_total.add(w * kernel.offset(x));
            }
        }
        let total: f64 = w.iter().sum();
        let mean = y.iter().zip(&w).map(|(y, w)| w * y).sum::<f64>() / total;
        let var = y
            .iter()
            .zip(&w)
            .map(|(y, w)| w * (y - mean).powi(2))
            .sum::<f64>()
            / total;
        let rows = (0..sample.len())
            .filter(|&i| sample.weight(i) > 0.0)
            .count();
        EmData {
            y,
            w,
            offset_total: offset_total.value(),
            total,
            rows,
            spread: var.sqrt(),
        }
    }

    /// The screening subsample: the weighted quantiles at probabilities (i + ½)/m, i < m, each
    /// of weight 1 (equal values merged). Deterministic, and as close to the data's
    /// distribution as m points can be.
    fn quantile_subsample(&self, m: usize) -> EmData {
        let (mut y, mut w): (Vec<f64>, Vec<f64>) = (Vec::with_capacity(m), Vec::new());
        let (mut cum, mut i) = (0.0, 0);
        for q in 0..m {
            let target = (q as f64 + 0.5) / m as f64 * self.total;
            while i + 1 < self.y.len() && cum + self.w[i] < target {
                cum += self.w[i];
                i += 1;
            }
            if y.last() == Some(&self.y[i]) {
                *w.last_mut().expect("a weight per value") += 1.0;
            } else {
                y.push(self.y[i]);
                w.push(1.0);
            }
        }
        EmData {
            y,
            w,
            offset_total: 0.0,
            total: m as f64,
            rows: self.rows,
            spread: self.spread,
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
        for ((&y, &w), &g) in self.y.iter().zip(&self.w).zip(group) {
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
                    .y
                    .iter()
                    .zip(&self.w)
                    .zip(group)
                    .filter(|(_, &g)| g == j)
                    .map(|((&y, &w), _)| w * (y - loc).powi(2))
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
        for (&y, &w) in self.y.iter().zip(&self.w) {
            cum += w;
            if cum >= target {
                return y;
            }
        }
        self.y.last().copied().unwrap_or(0.0)
    }

    /// The quantile split: k groups of equal weight in sorted order.
    fn quantile_start(&self, kernel: Kernel, k: usize) -> Vec<f64> {
        let mut cum = 0.0;
        let group: Vec<usize> = self
            .w
            .iter()
            .map(|&w| {
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
        let weights = &self.w;
        let mut centers = vec![self.y[draw(rng, weights)]];
        let mut d2: Vec<f64> = self.y.iter().map(|y| (y - centers[0]).powi(2)).collect();
        while centers.len() < k {
            let mass: Vec<f64> = d2.iter().zip(weights).map(|(d, w)| d * w).collect();
            if mass.iter().sum::<f64>() <= 0.0 {
                break;
            }
            let c = self.y[draw(rng, &mass)];
            centers.push(c);
            for (d, y) in d2.iter_mut().zip(&self.y) {
                *d = d.min((y - c).powi(2));
            }
        }
        centers.sort_by(f64::total_cmp);
        let nearest = |y: f64, centers: &[f64]| -> usize {
            (0..centers.len())
                .min_by(|&a, &b| (y - centers[a]).abs().total_cmp(&(y - centers[b]).abs()))
                .unwrap_or(0)
        };
        let mut group: Vec<usize> = self.y.iter().map(|&y| nearest(y, &centers)).collect();
        for _ in 0..5 {
            let mut sums = vec![(0.0, 0.0); centers.len()];
            for ((&y, &w), &g) in self.y.iter().zip(weights).zip(&group) {
                sums[g].0 += w * y;
                sums[g].1 += w;
            }
            for (c, s) in centers.iter_mut().zip(&sums) {
                if s.1 > 0.0 {
                    *c = s.0 / s.1;
                }
            }
            group = self.y.iter().map(|&y| nearest(y, &centers)).collect();
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
    /// EM passes (one E-step and one M-step each) run.
    pub(crate) iterations: usize,
    /// ℓ at the last θ evaluated.
    pub(crate) log_likelihood: f64,
    pub(crate) degenerate: Option<String>,
}

/// The parameter-only parts of ln wⱼfⱼ(y), computed once per pass, not once per point.
struct PassParams {
    /// ln wⱼ − ln σⱼ − ln √(2π) (normal), ln wⱼ − λⱼ (Poisson).
    constant: Vec<f64>,
    /// μⱼ (or λⱼ).
    loc: Vec<f64>,
    /// 1/σⱼ (normal) or ln λⱼ (Poisson).
    factor: Vec<f64>,
}

impl PassParams {
    fn new(kernel: Kernel, k: usize, theta: &[f64]) -> PassParams {
        let normal = kernel != Kernel::Poisson;
        PassParams {
            constant: (0..k)
                .map(|j| {
                    theta[j].ln()
                        + if normal {
                            -theta[2 * k + j].ln() - LN_SQRT_2PI
                        } else {
                            -theta[k + j]
                        }
                })
                .collect(),
            loc: theta[k..2 * k].to_vec(),
            factor: (0..k)
                .map(|j| {
                    if normal {
                        1.0 / theta[2 * k + j]
                    } else {
                        theta[k + j].ln()
                    }
                })
                .collect(),
        }
    }
}

/// The E-step over one block of points: [Σ w ln p (without offsets), then per component
/// Σ rw, Σ rw (y − locⱼ), Σ rw (y − locⱼ)²] (the last two about the current location, which
/// keeps the variance update accurate: the location moves little between passes).
fn estep_block(kernel: Kernel, k: usize, c: &PassParams, y: &[f64], w: &[f64]) -> Vec<f64> {
    match kernel {
        Kernel::Normal | Kernel::LogNormal => estep_loop(k, c, y, w, |y, j| {
            let z = (y - c.loc[j]) * c.factor[j];
            -0.5 * z * z
        }),
        Kernel::Poisson => estep_loop(
            k,
            c,
            y,
            w,
            |y, j| {
                if y == 0.0 {
                    0.0
                } else {
                    y * c.factor[j]
                }
            },
        ),
    }
}

#[inline(always)]
fn estep_loop(
    k: usize,
    c: &PassParams,
    ys: &[f64],
    ws: &[f64],
    kernel: impl Fn(f64, usize) -> f64,
) -> Vec<f64> {
    let mut out = vec![0.0; 1 + 3 * k];
    let mut l = [0.0; MAX_COMPONENTS];
    let l = &mut l[..k];
    // Σ wᵢ ln sᵢ (sᵢ ∈ [1, k], the normaliser of point i) with one logarithm per 200 points.
    let mut total = LogSum::new();
    let (n, rest) = out[1..].split_at_mut(k);
    let (s1, s2) = rest.split_at_mut(k);
    for (&y, &w) in ys.iter().zip(ws) {
        let mut top = f64::NEG_INFINITY;
        for (j, lj) in l.iter_mut().enumerate() {
            *lj = c.constant[j] + kernel(y, j);
            top = top.max(*lj);
        }
        let mut s = 0.0;
        for lj in l.iter_mut() {
            *lj = if *lj == top { 1.0 } else { (*lj - top).exp() };
            s += *lj;
        }
        total.add(w, top, s);
        let scale = w / s;
        for j in 0..k {
            let rw = scale * l[j];
            let d = y - c.loc[j];
            n[j] += rw;
            s1[j] += rw * d;
            s2[j] += rw * d * d;
        }
    }
    out[0] = total.value();
    out
}

/// Points per block of a pass over the data: blocks are evaluated in parallel and summed in
/// block order, so a pass gives the same result whatever the number of threads.
const BLOCK: usize = 8192;

/// One EM pass at θ: ℓ(θ) and the M-step's θ (closed form).
fn em_pass(kernel: Kernel, k: usize, data: &EmData, theta: &[f64]) -> (f64, Vec<f64>) {
    let c = PassParams::new(kernel, k, theta);
    let stats = if data.y.len() <= BLOCK {
        estep_block(kernel, k, &c, &data.y, &data.w)
    } else {
        let blocks: Vec<Vec<f64>> = data
            .y
            .par_chunks(BLOCK)
            .zip(data.w.par_chunks(BLOCK))
            .map(|(y, w)| estep_block(kernel, k, &c, y, w))
            .collect();
        let mut ll = crate::sum::CompensatedSum::default();
        let mut sums = vec![0.0; 1 + 3 * k];
        for b in &blocks {
            ll.add(b[0]);
            for (s, v) in sums[1..].iter_mut().zip(&b[1..]) {
                *s += v;
            }
        }
        sums[0] = ll.value();
        sums
    };
    let ll = stats[0] + data.offset_total;
    let mut next = theta.to_vec();
    let p = kernel.per_component();
    for j in 0..k {
        let (n, s1, s2) = (stats[1 + j], stats[1 + k + j], stats[1 + 2 * k + j]);
        next[j] = n / data.total;
        let shift = if n > 0.0 { s1 / n } else { f64::NAN };
        next[k + j] += shift;
        if p == 3 {
            next[2 * k + j] = (s2 / n - shift * shift).max(0.0).sqrt();
        }
    }
    (ll, next)
}

/// θ on the scale SQUAREM extrapolates on, where every point is valid: ln w, location / spread
/// (ln rate for Poisson components), ln scale.
fn to_squarem(kernel: Kernel, k: usize, theta: &[f64], spread: f64) -> Vec<f64> {
    let mut phi: Vec<f64> = theta[..k].iter().map(|w| w.ln()).collect();
    phi.extend(theta[k..2 * k].iter().map(|&m| {
        if kernel == Kernel::Poisson {
            m.ln()
        } else {
            m / spread
        }
    }));
    phi.extend(theta[2 * k..].iter().map(|s| s.ln()));
    phi
}

fn from_squarem(kernel: Kernel, k: usize, phi: &[f64], spread: f64) -> Vec<f64> {
    let top = phi[..k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = phi[..k].iter().map(|l| (l - top).exp()).sum();
    let mut theta: Vec<f64> = phi[..k].iter().map(|l| (l - top).exp() / total).collect();
    theta.extend(phi[k..2 * k].iter().map(|&u| {
        if kernel == Kernel::Poisson {
            u.exp()
        } else {
            u * spread
        }
    }));
    theta.extend(phi[2 * k..].iter().map(|u| u.exp()));
    theta
}

/// EM from θ₀, accelerated by SQUAREM (Varadhan & Roland, "Simple and globally convergent
/// methods for accelerating the convergence of any EM algorithm", Scand. J. Statist. 35
/// (2008), scheme S3 with the step-length cap of their `SQUAREM` package): each cycle takes two
/// EM passes θ₁ = F(θ₀), θ₂ = F(θ₁), extrapolates θ′ = θ₀ − 2αr + α²v (r = θ₁ − θ₀,
/// v = θ₂ − 2θ₁ + θ₀, α = −‖r‖/‖v‖, on the scale of [`to_squarem`]) and takes one EM pass
/// from θ′ — kept only when ℓ(θ′) ≥ ℓ(θ₁) and nothing degenerates, else the pass is taken
/// from θ₂ (plain EM), so ℓ never decreases. Stops when a cycle gains less than
/// `gain`·|ℓ| or after `max_passes` passes; stops early, with the reason, when θ becomes
/// degenerate.
fn em(
    kernel: Kernel,
    k: usize,
    data: &EmData,
    theta0: Vec<f64>,
    gain: f64,
    max_passes: usize,
    names: &[ParamSpec],
) -> EmResult {
    let pass = |theta: &[f64]| {
        let (ll, next) = em_pass(kernel, k, data, theta);
        let why = data.degeneracy(kernel, k, &next, names);
        (ll, next, why)
    };
    let done = |theta, iterations, log_likelihood, degenerate| EmResult {
        theta,
        iterations,
        log_likelihood,
        degenerate,
    };
    let mut theta = theta0;
    let mut previous = f64::NEG_INFINITY;
    let mut ll = f64::NEG_INFINITY;
    let mut step_max = 1.0f64;
    let mut used = 0;
    loop {
        if used >= max_passes {
            return done(theta, used, ll, None);
        }
        let (l0, t1, why) = pass(&theta);
        used += 1;
        if why.is_some() || l0 - previous <= gain * l0.abs() || used >= max_passes {
            return done(t1, used, l0, why);
        }
        previous = l0;
        let (l1, t2, why) = pass(&t1);
        used += 1;
        if why.is_some() || used >= max_passes {
            return done(t2, used, l1, why);
        }
        // The extrapolation, when its step is longer than plain EM's (α < −1).
        let phi0 = to_squarem(kernel, k, &theta, data.spread);
        let phi1 = to_squarem(kernel, k, &t1, data.spread);
        let phi2 = to_squarem(kernel, k, &t2, data.spread);
        let r: Vec<f64> = phi1.iter().zip(&phi0).map(|(a, b)| a - b).collect();
        let v: Vec<f64> = (0..phi0.len())
            .map(|i| phi2[i] - 2.0 * phi1[i] + phi0[i])
            .collect();
        let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
        let ratio = norm(&r) / norm(&v);
        let alpha = if ratio.is_finite() {
            ratio.clamp(1.0, step_max)
        } else {
            1.0
        };
        // The cap grows while the steps reach it and shrinks after a rejected extrapolation
        // (as `SQUAREM`'s step.max with mstep = 4).
        if alpha == step_max {
            step_max *= 4.0;
        }
        let mut next = None;
        if alpha > 1.0 {
            let phi: Vec<f64> = (0..phi0.len())
                .map(|i| phi0[i] + 2.0 * alpha * r[i] + alpha * alpha * v[i])
                .collect();
            let candidate = from_squarem(kernel, k, &phi, data.spread);
            if candidate.iter().all(|t| t.is_finite())
                && data.degeneracy(kernel, k, &candidate, names).is_none()
            {
                let (lp, t3, why) = pass(&candidate);
                used += 1;
                if lp >= l1 && why.is_none() {
                    next = Some((lp, t3));
                } else if used >= max_passes {
                    return done(t2, used, l1, None);
                }
            }
            if next.is_none() {
                step_max = (step_max / 4.0).max(1.0);
            }
        }
        let (lx, t3) = match next {
            Some(n) => n,
            None => {
                let (l2, t3, why) = pass(&t2);
                used += 1;
                if why.is_some() {
                    return done(t3, used, l2, why);
                }
                (l2, t3)
            }
        };
        ll = lx;
        theta = t3;
    }
}

/// The start used by the mixture families' [`Family::initial_estimate`]: the quantile split
/// refined by up to `iterations` EM passes (the split itself when EM degenerates). Sorted by
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
    if data.y.len() <= k || data.spread.is_nan() || data.spread <= 0.0 {
        return Err(degenerate(
            family,
            format!(
                "the data have {} distinct values: too few for {k} components",
                data.y.len()
            ),
        ));
    }
    if kernel == Kernel::Poisson && data.y.iter().all(|&y| y == 0.0) {
        return Err(degenerate(family, "all counts are 0"));
    }
    let split = data.quantile_start(kernel, k);
    let refined = em(
        kernel,
        k,
        &data,
        split.clone(),
        EM_TIGHT_GAIN,
        iterations,
        family.params(),
    );
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
    /// The polished start whose result this one shares (screening of large data).
    same_as: Option<usize>,
}

impl Run {
    fn rejected(status: StartStatus, why: String, em_iterations: usize, ll: f64) -> Run {
        Run {
            fit: None,
            em_iterations,
            log_likelihood: ll,
            status,
            reason: Some(why),
            same_as: None,
        }
    }
}

/// Where a start's EM began and ended on the screening data (the full data when small).
struct Screened {
    theta: Vec<f64>,
    passes: usize,
    log_likelihood: f64,
    degenerate: Option<String>,
}

/// What the starts of one mixture fit share.
struct Starts<'a> {
    family: &'a dyn Family,
    kernel: Kernel,
    k: usize,
    sample: &'a Sample,
    /// EM's view of the whole sample.
    data: &'a EmData,
    options: &'a MixtureOptions,
}

impl Starts<'_> {
    /// Start number `start` (0: the quantile split, then k-means++ from the seed's stream
    /// `start`) drawn from `data` and its EM there until a cycle gains less than `gain`·|ℓ|.
    fn screen(&self, data: &EmData, start: usize, gain: f64, max_passes: usize) -> Screened {
        let (kernel, k) = (self.kernel, self.k);
        let theta0 = if start == 0 {
            data.quantile_start(kernel, k)
        } else {
            let mut rng = ChaCha8Rng::seed_from_u64(self.options.seed);
            rng.set_stream(start as u64);
            data.kmeans_start(kernel, k, &mut rng)
        };
        let r = em(
            kernel,
            k,
            data,
            theta0,
            gain,
            max_passes,
            self.family.params(),
        );
        Screened {
            theta: sort_components(&r.theta, k, kernel.per_component()),
            passes: r.iterations,
            log_likelihood: r.log_likelihood,
            degenerate: r.degenerate,
        }
    }

    /// The Newton finish from an EM solution θ (sorted), reached after `em_iterations` passes
    /// at log-likelihood `em_ll`: certified fit, degeneracy check, relabelling when Newton
    /// moved two components past each other.
    fn newton_finish(&self, theta_em: Vec<f64>, em_iterations: usize, em_ll: f64) -> Run {
        let (kernel, k) = (self.kernel, self.k);
        let p = kernel.per_component();
        let names = self.family.params();
        let finish = |start: Vec<f64>| {
            fit(
                self.family,
                self.sample,
                &FitOptions {
                    start: Some(start),
                    ..self.options.fit.clone()
                },
            )
        };
        let not_converged =
            |why: String, ll: f64| Run::rejected(StartStatus::NotConverged, why, em_iterations, ll);
        let mut fitted = match finish(theta_em) {
            Ok(f) => f,
            Err(e) => return not_converged(e.to_string(), em_ll),
        };
        let mut theta = fitted.theta();
        if let Some(why) = self.data.degeneracy(kernel, k, &theta, names) {
            return Run::rejected(
                StartStatus::Degenerate,
                why,
                em_iterations,
                fitted.log_likelihood,
            );
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
                Err(e) => return not_converged(e.to_string(), fitted.log_likelihood),
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
            em_iterations,
            status,
            reason,
            same_as: None,
        }
    }

    /// Polish a start on the full data: the short EM from its screening solution (unless that
    /// already is the short EM on the full data, `short_done`), then Newton; when Newton does
    /// not certify a non-degenerate maximum from there (other than by running out of
    /// iterations), EM goes on to the tight tolerance and Newton tries again.
    fn polish(&self, screened: &Screened, short_done: bool) -> Run {
        let (kernel, k) = (self.kernel, self.k);
        let (names, p) = (self.family.params(), kernel.per_component());
        let mut passes = screened.passes;
        let (mut theta, mut ll) = (screened.theta.clone(), screened.log_likelihood);
        if !short_done {
            let r = em(
                kernel,
                k,
                self.data,
                theta,
                EM_SHORT_GAIN,
                EM_SHORT_PASSES.min(self.options.em_iterations),
                names,
            );
            passes += r.iterations;
            if let Some(why) = r.degenerate {
                return Run::rejected(StartStatus::Degenerate, why, passes, r.log_likelihood);
            }
            (theta, ll) = (sort_components(&r.theta, k, p), r.log_likelihood);
        }
        let first = self.newton_finish(theta.clone(), passes, ll);
        // Newton that runs out of iterations is crawling along a flat ridge (an over-fitted
        // K), which a tighter EM start does not shorten: no second try then.
        let capped = first
            .fit
            .as_ref()
            .is_some_and(|f| f.termination == crate::optim::Termination::MaxIterations);
        if first.status == StartStatus::LocalMaximum || capped {
            return first;
        }
        let r = em(
            kernel,
            k,
            self.data,
            theta,
            EM_TIGHT_GAIN,
            self.options.em_iterations,
            names,
        );
        passes += r.iterations;
        if let Some(why) = r.degenerate {
            return Run::rejected(StartStatus::Degenerate, why, passes, r.log_likelihood);
        }
        self.newton_finish(sort_components(&r.theta, k, p), passes, r.log_likelihood)
    }

    /// Every start's run, and for screened data the subsample's size and the number of
    /// polished starts: with at most [`SCREEN_ABOVE`] distinct values each start's short EM
    /// runs on the data and is polished; with more the starts are screened on a quantile
    /// subsample and only the best distinct ones are polished (see [`fit_mixture`]).
    fn run(&self) -> (Vec<Run>, Option<(usize, usize)>) {
        let (kernel, k, options, data) = (self.kernel, self.k, self.options, self.data);
        if data.y.len() <= SCREEN_ABOVE {
            let short = EM_SHORT_PASSES.min(options.em_iterations);
            let runs = (0..options.starts)
                .into_par_iter()
                .map(|s| {
                    let sc = self.screen(data, s, EM_SHORT_GAIN, short);
                    match &sc.degenerate {
                        Some(why) => Run::rejected(
                            StartStatus::Degenerate,
                            why.clone(),
                            sc.passes,
                            sc.log_likelihood,
                        ),
                        None => self.polish(&sc, true),
                    }
                })
                .collect();
            return (runs, None);
        }
        let subsample = data.quantile_subsample(SCREEN_POINTS);
        let screened: Vec<Screened> = (0..options.starts)
            .into_par_iter()
            .map(|s| self.screen(&subsample, s, EM_TIGHT_GAIN, options.em_iterations))
            .collect();
        // Group the starts that reached the same point (the first start of a group leads it).
        let mut leaders: Vec<usize> = Vec::new();
        let mut same_as: Vec<Option<usize>> = vec![None; options.starts];
        for s in (0..options.starts).filter(|&s| screened[s].degenerate.is_none()) {
            let same = |&&l: &&usize| {
                same_screened(
                    kernel,
                    k,
                    &screened[s].theta,
                    &screened[l].theta,
                    data.spread,
                )
            };
            match leaders.iter().find(same) {
                Some(&l) => same_as[s] = Some(l),
                None => leaders.push(s),
            }
        }
        // Rank the groups by the full data's log-likelihood at their screening solutions (one
        // pass each; the first of equals first): the subsample's smooths over the fine
        // structure that separates the maxima of an over-fitted K.
        let mut full_ll = vec![f64::NAN; options.starts];
        let lls: Vec<f64> = leaders
            .par_iter()
            .map(|&l| em_pass(kernel, k, data, &screened[l].theta).0)
            .collect();
        for (&l, ll) in leaders.iter().zip(lls) {
            full_ll[l] = ll;
        }
        for s in 0..options.starts {
            if let Some(l) = same_as[s] {
                full_ll[s] = full_ll[l];
            }
        }
        leaders.sort_by(|&a, &b| full_ll[b].total_cmp(&full_ll[a]).then(a.cmp(&b)));
        let polished: Vec<usize> = leaders.iter().copied().take(POLISHED_STARTS).collect();
        let mut runs: Vec<Option<Run>> = (0..options.starts)
            .into_par_iter()
            .map(|s| {
                if polished.contains(&s) {
                    return Some(self.polish(&screened[s], false));
                }
                if same_as[s].is_some_and(|l| polished.contains(&l)) {
                    return None;
                }
                // Not polished: reported with the full data's log-likelihood at its screening
                // solution (a degenerate one's on the subsample, where it stopped).
                let sc = &screened[s];
                Some(match &sc.degenerate {
                    Some(why) => Run::rejected(
                        StartStatus::Degenerate,
                        why.clone(),
                        sc.passes,
                        sc.log_likelihood,
                    ),
                    None => Run::rejected(
                        StartStatus::ScreenedOut,
                        format!(
                            "not polished: the log-likelihood at its screening solution ranked below the {} polished ones",
                            polished.len()
                        ),
                        sc.passes,
                        full_ll[s],
                    ),
                })
            })
            .collect();
        // A start whose screening solution is a polished one's shares that start's result.
        for s in 0..options.starts {
            if runs[s].is_none() {
                let l = same_as[s].expect("only followers of polished starts are left");
                let leader = runs[l].as_ref().expect("polished starts have a run");
                runs[s] = Some(Run {
                    fit: None,
                    em_iterations: screened[s].passes,
                    log_likelihood: leader.log_likelihood,
                    status: leader.status,
                    reason: leader.reason.clone(),
                    same_as: Some(l),
                });
            }
        }
        (
            runs.into_iter()
                .map(|r| r.expect("every start has a run"))
                .collect(),
            Some((subsample.y.len(), polished.len())),
        )
    }
}

/// Whether two screened solutions (sorted) are the same point: every weight within
/// [`SAME_SCREENED`], every location and scale within [`SAME_SCREENED`] data spreads (rates
/// within [`SAME_SCREENED`] relative).
fn same_screened(kernel: Kernel, k: usize, a: &[f64], b: &[f64], spread: f64) -> bool {
    (0..a.len()).all(|i| {
        let unit = if i < k {
            1.0
        } else if kernel == Kernel::Poisson {
            a[i].abs().max(b[i].abs())
        } else {
            spread
        };
        (a[i] - b[i]).abs() <= SAME_SCREENED * unit
    })
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

    /// n seeded draws from a two-component normal mixture with overlapping components (slow
    /// plain EM).
    fn overlapping(n: usize) -> Sample {
        use rand::SeedableRng;
        let f = normal_mixture::NormalMixture::new(2);
        let theta = [0.4, 0.6, 0.0, 1.6, 0.8, 1.0];
        Sample::new(f.sample(&theta, n, &mut rand::rngs::StdRng::seed_from_u64(3))).unwrap()
    }

    #[test]
    fn squarem_reaches_plain_em_fixed_point_in_fewer_passes() {
        let s = overlapping(2000);
        let data = EmData::new(Kernel::Normal, &s);
        let names = normal_mixture::NormalMixture::new(2).params().to_vec();
        let start = data.quantile_start(Kernel::Normal, 2);
        let fast = em(
            Kernel::Normal,
            2,
            &data,
            start.clone(),
            1e-13,
            20_000,
            &names,
        );
        assert!(fast.degenerate.is_none());
        // Plain EM: one pass after another, ℓ never decreasing.
        let (mut theta, mut previous, mut passes) = (start, f64::NEG_INFINITY, 0);
        loop {
            let (ll, next) = em_pass(Kernel::Normal, 2, &data, &theta);
            passes += 1;
            assert!(ll >= previous - 1e-9, "EM decreased ℓ: {previous} → {ll}");
            theta = next;
            if ll - previous <= 1e-13 * ll.abs() {
                break;
            }
            previous = ll;
        }
        // Both stop near the maximum, which the certified Newton fit pins down; SQUAREM's
        // point is at least as close to it.
        let f = normal_mixture::NormalMixture::new(2);
        let mle = crate::fit::fit(
            &f,
            &s,
            &FitOptions {
                start: Some(fast.theta.clone()),
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert!(mle.converged);
        let distance = |t: &[f64]| {
            t.iter()
                .zip(mle.theta())
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
        };
        assert!(
            distance(&fast.theta) < 1e-4,
            "{:?} vs {:?}",
            fast.theta,
            mle.theta()
        );
        assert!(distance(&fast.theta) <= distance(&theta));
        assert!(
            2 * fast.iterations < passes,
            "SQUAREM {} passes, plain EM {passes}",
            fast.iterations
        );
    }

    #[test]
    fn blocked_passes_equal_one_pass_over_everything() {
        // 20 000 rows: several blocks of EM points and of rows, some with zero weight.
        let s = overlapping(20_000);
        let w: Vec<f64> = (0..s.len()).map(|i| (i % 7) as f64 * 0.5).collect();
        let s = s.with_weights(w).unwrap();
        let theta = [0.35, 0.65, 0.1, 1.5, 0.9, 1.1];
        let data = EmData::new(Kernel::Normal, &s);
        assert!(data.y.len() > 2 * BLOCK);
        let (ll, next) = em_pass(Kernel::Normal, 2, &data, &theta);
        let c = PassParams::new(Kernel::Normal, 2, &theta);
        let whole = estep_block(Kernel::Normal, 2, &c, &data.y, &data.w);
        assert!(
            (ll - whole[0]).abs() < 1e-12 * ll.abs(),
            "{ll} vs {}",
            whole[0]
        );
        assert!((next[0] - whole[1] / data.total).abs() < 1e-13);

        // The normal mixture's blocked log-likelihood against the shared pointwise one.
        let f = normal_mixture::NormalMixture::new(2);
        let (mut g1, mut h1) = (vec![0.0; 6], vec![0.0; 36]);
        let (mut g2, mut h2) = (vec![0.0; 6], vec![0.0; 36]);
        let a = f.log_likelihood(&theta, &s, Some(&mut g1), Some(&mut h1));
        let points = (0..s.len()).map(|i| (s.values()[i], s.weight(i)));
        let components = normal_mixture::NormalComponents::new(2, &theta);
        let b = sum_log_likelihood(
            Kernel::Normal,
            2,
            &theta,
            points,
            |_, y, terms, d| components.fill(y, terms, d),
            Some(&mut g2),
            Some(&mut h2),
        );
        assert!((a - b).abs() < 1e-12 * b.abs(), "{a} vs {b}");
        assert!((a - ll).abs() < 1e-12 * b.abs(), "{a} vs EM's {ll}");
        let scale = h2.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (x, y) in g1.iter().zip(&g2).chain(h1.iter().zip(&h2)) {
            assert!((x - y).abs() < 1e-11 * scale, "{x} vs {y}");
        }
        // Exactly symmetric.
        for i in 0..6 {
            for j in 0..6 {
                assert_eq!(h1[i * 6 + j], h1[j * 6 + i]);
            }
        }
    }

    #[test]
    fn quantile_subsample_follows_the_data() {
        let s = overlapping(50_000);
        let data = EmData::new(Kernel::Normal, &s);
        let sub = data.quantile_subsample(SCREEN_POINTS);
        assert_eq!(sub.total, SCREEN_POINTS as f64);
        assert_eq!((sub.rows, sub.spread), (data.rows, data.spread));
        assert!(sub.y.windows(2).all(|w| w[0] < w[1]));
        for q in [0.01, 0.25, 0.5, 0.75, 0.99] {
            let (a, b) = (sub.quantile(q), data.quantile(q));
            assert!((a - b).abs() < 0.01 * data.spread, "{q}: {a} vs {b}");
        }
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
