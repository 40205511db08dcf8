//! The log-sum-exp over components that every mixture family's log-likelihood is built on.
//!
//! A kernel fills [`Terms`] with ln wⱼfⱼ(y) (and its derivatives) for one point; [`Terms`]
//! turns them into ln p and its score and Hessian through the responsibilities.
//! [`sum_log_likelihood_rows`] and [`sum_log_likelihood`] sum that over a sample.

use rayon::prelude::*;

use super::KernelKind;
use crate::data::Sample;

/// Per-point scratch for a k-component mixture with p parameters per component (the weight
/// first), laid out in θ as parameter α of component j at α·k + j.
///
/// The family fills, for each component j, `l[j]` = ln wⱼ + ln fⱼ(x) (without the shared
/// offset) and, when derivatives are wanted, `g[j·p + α]` = ∂lⱼ/∂θ_{jα} and
/// `hg[(j·p + α)·p + β]` = ∂²lⱼ/∂θ_{jα}∂θ_{jβ} + ∂lⱼ/∂θ_{jα} ∂lⱼ/∂θ_{jβ} (= ∂²(wⱼfⱼ)/(wⱼfⱼ)).
/// `Terms::accumulate` then forms ln p = ln Σⱼ e^{lⱼ} with the responsibilities
/// rⱼ = e^{lⱼ}/Σ e^{lᵢ}: ∂ ln p = rⱼ gⱼ and
/// ∂² ln p = δᵢⱼ rⱼ hgⱼ − (rⱼ gⱼ)(rᵢ gᵢ)ᵀ.
pub struct Terms {
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
pub(crate) struct LogSum {
    total: crate::sum::CompensatedSum,
    product: f64,
    factors: i32,
    ln_products: f64,
}

impl LogSum {
    pub(crate) fn new() -> LogSum {
        LogSum {
            product: 1.0,
            ..LogSum::default()
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, w: f64, top: f64, s: f64) {
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

    pub(crate) fn value(&self) -> f64 {
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
    kernel: KernelKind,
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
            KernelKind::Normal => (x, 0.0),
            _ => (kernel.transform(x), kernel.offset(x)),
        }
    };
    let normal = |x: f64| (x, 0.0);
    // One block: its Σ w ln p (−∞ when a point has zero density), gradient and upper Hessian.
    let block = |start: usize, end: usize| -> (f64, Vec<f64>, Vec<f64>) {
        if kernel == KernelKind::Normal {
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
    kernel: KernelKind,
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
