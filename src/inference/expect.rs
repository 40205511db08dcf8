//! Expectations under a fitted model: E_θ[f(X)] for a vector-valued f, the model's quantiles,
//! and the expected (Fisher) information E_θ[−∇²θ ln p(X | θ)].
//!
//! **Discrete supports** are summed term by term, p(x) = exp(ln p(x | θ)) times f(x), from
//! the count below which the mass is under 1e-18 to the one above which it is under 1e-15
//! (both found from the family's CDF); more than [`MAX_TERMS`] terms gives `None`. The sums
//! are compensated (Neumaier).
//!
//! **Continuous supports** are integrated piecewise. The bulk is split at the model's quantiles
//! (probabilities 1e-4, 0.005, 0.05, 0.25, 0.5, 0.75, 0.95, 0.995, 1 − 1e-4, by inverting the
//! CDF), so every piece carries a known share of the mass however skewed or concentrated the
//! law is; a positive piece spanning more than a factor 16 is split geometrically. The tails
//! beyond the extreme quantiles are walked outward in pieces of doubling width until the
//! remaining contribution, extrapolated geometrically from the last two pieces, is below the
//! target, or until the support ends: a finite end is the nominal one (0 for (0, ∞), 0 and 1 for
//! (0, 1)) or the point where ln p becomes −∞ (a uniform's or Pareto's edge, located by
//! bisection). Angles are integrated over one period centred on the mean direction. Each piece
//! is integrated by tanh-sinh (double-exponential) quadrature, which converges
//! double-exponentially for integrands analytic inside the piece even with integrable
//! singularities at its ends (a gamma density with shape < 1 at 0, the edge of a piece that
//! meets the support's end). The rule is [`crate::numeric::quadrature`]; the CDF is inverted by
//! [`crate::numeric::roots::brent`]. Heavy algebraic tails (Student-t, Pareto, Fréchet) need no special
//! case: in doubling pieces a tail x^(−a) contributes a geometric series of ratio 2^(1−a).
//!
//! Accuracy: each component aims at 1e-12 of ∫|fᵢ| p (the natural floor of a sum that may
//! cancel to 0, such as E\[score\]); a result whose estimated error exceeds 1e-8 of it, or that
//! meets a non-finite integrand where the density is positive, is refused with `None`.
//!
//! References: Takahasi & Mori, "Double exponential formulas for numerical integration", Publ.
//! RIMS 9 (1974); Bailey, Jeyabalan & Li, "A comparison of three high-precision quadrature
//! schemes", Experimental Mathematics 14 (2005) (the level-doubling tanh-sinh scheme); Brent,
//! *Algorithms for Minimization without Derivatives* (1973), ch. 4 (the root finder that inverts
//! the CDF); Neumaier, ZAMM 54 (1974) (compensated sums).

use std::f64::consts::PI;

use nalgebra::DMatrix;

use crate::family::{check_params, Family, Support};
use crate::numeric::quadrature::{Estimate as Piece, TanhSinh};
use crate::numeric::roots::brent;
use crate::sum::CompensatedSum;

/// Largest number of terms a discrete expectation sums before giving up.
pub const MAX_TERMS: usize = 10_000_000;

/// Mass of the upper tail a discrete sum leaves out.
const UPPER_TAIL: f64 = 1e-15;
/// Mass of the lower tail a discrete sum leaves out.
const LOWER_TAIL: f64 = 1e-18;
/// Relative accuracy aimed at (against ∫|f| p, per component).
const TARGET: f64 = 1e-12;
/// Estimated relative error beyond which a result is refused.
const ACCEPT: f64 = 1e-8;
/// Where the bulk of a continuous law is split.
const BREAKS: [f64; 9] = [1e-4, 0.005, 0.05, 0.25, 0.5, 0.75, 0.95, 0.995, 1.0 - 1e-4];
/// Relative accuracy of the quantiles used as break points (they only need to be roughly right).
const BREAK_TOL: f64 = 1e-9;
/// Relative accuracy of [`quantile`].
const QUANTILE_TOL: f64 = 1e-14;
/// The quadrature of each piece: nodes out to |t| = 6.5 (beyond, they coincide with the ends),
/// down to the step 2^−10, aiming at [`TARGET`].
const QUADRATURE: TanhSinh = TanhSinh {
    t_max: 6.5,
    levels: 9,
    target: TARGET,
};
/// Iteration cap of the root finder that inverts the CDF.
const ROOT_ITERATIONS: usize = 300;
/// Largest number of tail pieces walked outward.
const MAX_TAIL_PIECES: usize = 2000;

/// E_θ[f(X)], componentwise: `f(x, out)` writes `k_out` values for one point of the support.
///
/// Returns `None` when θ is not a valid parameter vector, the support is labels, the family has
/// no CDF (a continuous law needs it to place the quadrature), a discrete sum would need more
/// than [`MAX_TERMS`] terms, an integrand is not finite where the density is positive, or the
/// expectation does not converge (an infinite moment such as E\[X²\] of a Student-t with 2
/// degrees of freedom).
///
/// ```
/// use mlfit::family::lookup;
/// use mlfit::inference::expect::expectation;
///
/// let gamma = lookup("gamma")?;
/// // E[X] and E[X²] of a gamma with shape 3 and rate 2: 3/2 and 3·4/4 = 3.
/// let m = expectation(gamma, &[3.0, 2.0], 2, |x, out| {
///     out[0] = x;
///     out[1] = x * x;
/// })
/// .unwrap();
/// assert!((m[0] - 1.5).abs() < 1e-12 && (m[1] - 3.0).abs() < 1e-12);
/// # Ok::<(), mlfit::Error>(())
/// ```
pub fn expectation(
    family: &dyn Family,
    theta: &[f64],
    k_out: usize,
    f: impl FnMut(f64, &mut [f64]),
) -> Option<Vec<f64>> {
    expectation_over(family, theta, f64::NEG_INFINITY, f64::INFINITY, k_out, f)
}

/// E_θ[1{lo < X ≤ hi} f(X)], componentwise: the expectation restricted to (lo, hi] (to
/// [lo, hi] for a continuous law, where the end points carry no mass). Infinite limits are
/// allowed. Used for ∂F(q)/∂θ = E[1{X ≤ q} s(X)], which integrates only up to q. `None` as for
/// [`expectation`].
pub fn expectation_over(
    family: &dyn Family,
    theta: &[f64],
    lo: f64,
    hi: f64,
    k_out: usize,
    mut f: impl FnMut(f64, &mut [f64]),
) -> Option<Vec<f64>> {
    if check_params(family, theta).is_err() || lo.is_nan() || hi.is_nan() {
        return None;
    }
    if lo >= hi {
        return Some(vec![0.0; k_out]);
    }
    let support = family.support();
    match support {
        Support::Labels => None,
        _ if support.is_discrete() => discrete_sum(family, theta, lo, hi, k_out, &mut f),
        _ => Continuous::new(family, theta, k_out, &mut f)?.integrate(lo, hi),
    }
}

/// The p-quantile of the model: for a continuous law the x with F(x) = p, to ~1e-14 relative
/// (by Brent's method on the CDF, in log coordinates on (0, ∞) and logit coordinates on (0, 1));
/// for a discrete law the smallest x in the support with F(x) ≥ p. `None` for p outside (0, 1),
/// invalid θ, labels, or a family without a CDF.
pub fn quantile(family: &dyn Family, theta: &[f64], p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) || check_params(family, theta).is_err() {
        return None;
    }
    match family.support() {
        Support::Labels => None,
        s if s.is_discrete() => discrete_quantile(family, theta, p),
        _ => continuous_quantile(family, theta, p, QUANTILE_TOL),
    }
}

/// The expected (Fisher) information of one observation, E_θ[−∇²θ ln p(X | θ)], k × k, by
/// [`expectation`] of the family's analytic Hessian. `None` when that expectation is not
/// available (see [`expectation`]). For a regular family this equals E_θ[s sᵀ]; for a
/// non-smooth parameter (a Laplace location) it does not, and the family's own
/// [`Family::expected_information`] is the one to use.
pub fn fisher_information(family: &dyn Family, theta: &[f64]) -> Option<DMatrix<f64>> {
    let all: Vec<usize> = (0..theta.len()).collect();
    fisher_information_of(family, theta, &all)
}

/// [`fisher_information`] for the parameters `params` only (indices into θ): the k × k matrix
/// has zeros in every other row and column, which are not computed (a fixed count's
/// derivatives need not exist).
pub fn fisher_information_of(
    family: &dyn Family,
    theta: &[f64],
    params: &[usize],
) -> Option<DMatrix<f64>> {
    let k = theta.len();
    let m = params.len();
    let mut h = vec![0.0; k * k];
    let upper: Vec<(usize, usize)> = (0..m).flat_map(|a| (a..m).map(move |b| (a, b))).collect();
    let values = expectation(family, theta, upper.len(), |x, out| {
        family.ln_density_derivs(theta, x, None, Some(&mut h));
        for (o, &(a, b)) in out.iter_mut().zip(&upper) {
            *o = -h[params[a] * k + params[b]];
        }
    })?;
    let mut info = DMatrix::zeros(k, k);
    for (v, &(a, b)) in values.iter().zip(&upper) {
        info[(params[a], params[b])] = *v;
        info[(params[b], params[a])] = *v;
    }
    Some(info)
}

// ---------------------------------------------------------------------------------------------
// Discrete laws

fn discrete_sum(
    family: &dyn Family,
    theta: &[f64],
    lo: f64,
    hi: f64,
    k_out: usize,
    f: &mut dyn FnMut(f64, &mut [f64]),
) -> Option<Vec<f64>> {
    let first = discrete_quantile(family, theta, LOWER_TAIL)?;
    let last = discrete_quantile(family, theta, 1.0 - UPPER_TAIL)?;
    // (lo, hi] on the integers.
    let start = first.max(lo.floor() + 1.0);
    let end = last.min(hi.floor());
    if start > end {
        return Some(vec![0.0; k_out]);
    }
    // Beyond 2⁵³ consecutive integers are not all doubles and `x += 1` stands still: such a
    // support cannot be enumerated (it is also far beyond MAX_TERMS of any law's bulk).
    if end - start >= MAX_TERMS as f64 || start.abs().max(end.abs()) >= 2f64.powi(53) {
        return None;
    }
    let mut sums = vec![CompensatedSum::default(); k_out];
    let mut out = vec![0.0; k_out];
    let mut x = start;
    while x <= end {
        let lp = family.ln_density_derivs(theta, x, None, None);
        let p = lp.exp();
        if p > 0.0 {
            if !p.is_finite() {
                return None;
            }
            f(x, &mut out);
            for (s, &o) in sums.iter_mut().zip(&out) {
                let term = p * o;
                if !term.is_finite() {
                    return None;
                }
                s.add(term);
            }
        } else if p.is_nan() {
            return None;
        }
        x += 1.0;
    }
    Some(sums.iter().map(CompensatedSum::value).collect())
}

/// The smallest integer x with F(x) ≥ p: a doubling search for a bracket from the mean, then
/// bisection on the integers.
fn discrete_quantile(family: &dyn Family, theta: &[f64], p: f64) -> Option<f64> {
    let cdf = |x: f64| family.cdf(theta, x);
    let (mean, variance) = family.mean_variance(theta);
    let floor = match family.support() {
        Support::Integers => f64::NEG_INFINITY,
        _ => 0.0,
    };
    let start = if mean.is_finite() {
        mean.round().max(floor)
    } else {
        floor.max(0.0)
    };
    let step = if variance.is_finite() && variance > 1.0 {
        variance.sqrt().ceil()
    } else {
        1.0
    };
    const LIMIT: f64 = 9.007_199_254_740_992e15;
    let (mut lo, mut hi);
    if cdf(start)? >= p {
        hi = start;
        lo = start - step;
        let mut s = step;
        loop {
            if lo < floor {
                lo = floor - 1.0;
                break;
            }
            if cdf(lo)? < p {
                break;
            }
            hi = lo;
            s *= 2.0;
            lo = hi - s;
            if lo < -LIMIT {
                return None;
            }
        }
    } else {
        lo = start;
        hi = start + step;
        let mut s = step;
        loop {
            if cdf(hi)? >= p {
                break;
            }
            lo = hi;
            s *= 2.0;
            hi = lo + s;
            if hi > LIMIT {
                return None;
            }
        }
    }
    // Invariant: F(lo) < p ≤ F(hi). Beyond 2⁵³ neighbouring doubles are more than 1 apart and
    // the midpoint can round onto an end: then hi is the answer to double precision (a loop
    // of at most ~2100 halvings in every case).
    while hi - lo > 1.0 {
        let mid = (lo + 0.5 * (hi - lo)).floor();
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid)? >= p {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

// ---------------------------------------------------------------------------------------------
// Continuous laws: quantiles

/// The coordinate a continuous quantile search works in.
#[derive(Clone, Copy)]
enum Coordinate {
    /// x itself, starting from `centre` with steps of `step`.
    Linear { centre: f64, step: f64 },
    /// ln x (support (0, ∞)).
    Log { centre: f64 },
    /// logit x (support (0, 1)).
    Logit { centre: f64 },
    /// x within a finite window (angles).
    Window { lo: f64, hi: f64 },
}

impl Coordinate {
    fn x(self, y: f64) -> f64 {
        match self {
            Coordinate::Linear { .. } | Coordinate::Window { .. } => y,
            Coordinate::Log { .. } => y.exp(),
            Coordinate::Logit { .. } => crate::special::logistic(y),
        }
    }
}

fn coordinate(family: &dyn Family, theta: &[f64]) -> Coordinate {
    let (mean, variance) = family.mean_variance(theta);
    match family.support() {
        Support::Positive | Support::NonNegative => Coordinate::Log {
            centre: if mean > 0.0 && mean.is_finite() {
                mean.ln()
            } else {
                0.0
            },
        },
        Support::OpenUnit => Coordinate::Logit {
            centre: if mean > 0.0 && mean < 1.0 {
                crate::special::logit(mean)
            } else {
                0.0
            },
        },
        Support::Angle => {
            let c = if mean.is_finite() { mean } else { 0.0 };
            Coordinate::Window {
                lo: c - PI,
                hi: c + PI,
            }
        }
        _ => {
            let centre = if mean.is_finite() { mean } else { 0.0 };
            let step = if variance.is_finite() && variance > 0.0 {
                variance.sqrt()
            } else {
                1.0
            };
            Coordinate::Linear { centre, step }
        }
    }
}

/// F⁻¹(p) for a continuous law, to `rel_tol` relative (absolute in the log and logit
/// coordinates, and against |x| + the search step in the linear one).
fn continuous_quantile(family: &dyn Family, theta: &[f64], p: f64, rel_tol: f64) -> Option<f64> {
    let coord = coordinate(family, theta);
    let mut g = |y: f64| family.cdf(theta, coord.x(y)).map(|f| f - p);
    let (centre, step, ytol) = match coord {
        Coordinate::Linear { centre, step } => (centre, step, rel_tol),
        Coordinate::Log { centre } | Coordinate::Logit { centre } => (centre, 1.0, rel_tol),
        Coordinate::Window { lo, hi } => {
            let (glo, ghi) = (g(lo)?, g(hi)?);
            if !(glo <= 0.0 && ghi >= 0.0) {
                return None;
            }
            let scale = hi - lo;
            let tol = |y: f64| rel_tol * (y.abs() + scale);
            return root(lo, hi, glo, ghi, tol, &mut g);
        }
    };
    let linear = matches!(coord, Coordinate::Linear { .. });
    let g0 = g(centre)?;
    if g0.is_nan() {
        return None;
    }
    if g0 == 0.0 {
        return Some(coord.x(centre));
    }
    // Expand from the centre until the sign changes.
    let dir = if g0 < 0.0 { 1.0 } else { -1.0 };
    let (mut a, mut ga) = (centre, g0);
    let mut s = step;
    let (b, gb) = loop {
        let b = centre + dir * s;
        if !b.is_finite() || s > 1e300 {
            return None;
        }
        let gb = g(b)?;
        if gb.is_nan() {
            return None;
        }
        if gb == 0.0 || (gb > 0.0) != (ga > 0.0) {
            break (b, gb);
        }
        (a, ga) = (b, gb);
        s *= 2.0;
        // Log and logit coordinates beyond ±800 are 0, ∞ or 1 in f64.
        if !linear && s > 2048.0 {
            return None;
        }
    };
    let tol = |y: f64| {
        if linear {
            ytol * (y.abs() + step)
        } else {
            ytol * y.abs().max(1.0)
        }
    };
    let y = root(a, b, ga, gb, tol, &mut g)?;
    Some(coord.x(y))
}

/// A root of g in the bracket [a, b] by Brent's method, to within `tol(y)`; `None` when g
/// fails or is NaN. The cap is far above the few dozen steps a bracket of floats takes in
/// practice; a capped search returns its last point, as a converged one does.
fn root(
    a: f64,
    b: f64,
    ga: f64,
    gb: f64,
    tol: impl Fn(f64) -> f64,
    g: &mut impl FnMut(f64) -> Option<f64>,
) -> Option<f64> {
    brent((a, ga), (b, gb), tol, ROOT_ITERATIONS, |y| g(y).ok_or(()))
        .ok()
        .map(|r| r.x)
}

// ---------------------------------------------------------------------------------------------
// Continuous laws: quadrature

/// The running state of one continuous expectation.
struct Continuous<'a, 'f> {
    family: &'a dyn Family,
    theta: &'a [f64],
    k: usize,
    f: &'f mut dyn FnMut(f64, &mut [f64]),
    /// The support's nominal ends (or the angle window).
    lo: f64,
    hi: f64,
    /// Break points in the bulk, increasing.
    breaks: Vec<f64>,
    /// Σ of the piece values, of ∫|f|p, and of the error estimates, per component.
    value: Vec<CompensatedSum>,
    l1: Vec<f64>,
    err: Vec<f64>,
    /// Scratch for f.
    out: Vec<f64>,
}

impl<'a, 'f> Continuous<'a, 'f> {
    fn new(
        family: &'a dyn Family,
        theta: &'a [f64],
        k: usize,
        f: &'f mut dyn FnMut(f64, &mut [f64]),
    ) -> Option<Self> {
        let (lo, hi) = match coordinate(family, theta) {
            Coordinate::Window { lo, hi } => (lo, hi),
            _ => match family.support() {
                Support::Positive | Support::NonNegative => (0.0, f64::INFINITY),
                Support::OpenUnit => (0.0, 1.0),
                _ => (f64::NEG_INFINITY, f64::INFINITY),
            },
        };
        let mut breaks: Vec<f64> = BREAKS
            .iter()
            .filter_map(|&p| continuous_quantile(family, theta, p, BREAK_TOL))
            .filter(|&x| x > lo && x < hi && x.is_finite())
            .collect();
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        if breaks.is_empty() {
            return None;
        }
        Some(Continuous {
            family,
            theta,
            k,
            f,
            lo,
            hi,
            breaks,
            value: vec![CompensatedSum::default(); k],
            l1: vec![0.0; k],
            err: vec![0.0; k],
            out: vec![0.0; k],
        })
    }

    fn ln_p(&self, x: f64) -> f64 {
        self.family.ln_density_derivs(self.theta, x, None, None)
    }

    /// ∫ over [lo, hi] ∩ support.
    fn integrate(mut self, lo: f64, hi: f64) -> Option<Vec<f64>> {
        let (lo, hi) = (lo.max(self.lo), hi.min(self.hi));
        if lo >= hi {
            return Some(vec![0.0; self.k]);
        }
        let inner: Vec<f64> = self
            .breaks
            .iter()
            .copied()
            .filter(|&x| x > lo && x < hi)
            .collect();
        // Tail scales: the gaps between the two outermost break points on each side.
        let n = self.breaks.len();
        let gap = |i: usize, j: usize| (self.breaks[j] - self.breaks[i]).abs();
        let (scale_lo, scale_hi) = if n >= 2 {
            (gap(0, 1), gap(n - 2, n - 1))
        } else {
            let s = self.breaks[0].abs().max(1.0);
            (s, s)
        };
        match (inner.first(), inner.last()) {
            (Some(&first), Some(&last)) => {
                for w in inner.windows(2) {
                    self.bounded(w[0], w[1])?;
                }
                self.tail(first, lo, scale_lo)?;
                self.tail(last, hi, scale_hi)?;
            }
            _ if lo.is_finite() && hi.is_finite() => {
                self.bounded(lo, hi)?;
            }
            _ if lo.is_finite() => self.tail(lo, hi, scale_hi)?,
            _ => self.tail(hi, lo, scale_lo)?,
        }
        let mut result = Vec::with_capacity(self.k);
        for c in 0..self.k {
            if self.err[c] > ACCEPT * self.l1[c] + f64::MIN_POSITIVE {
                return None;
            }
            result.push(self.value[c].value());
        }
        Some(result)
    }

    fn add(&mut self, piece: &Piece) {
        for c in 0..self.k {
            self.value[c].add(piece.value[c]);
            self.l1[c] += piece.l1[c];
            self.err[c] += piece.err[c];
        }
    }

    /// [a, b], both finite: split geometrically when it spans more than a factor 16 on one side
    /// of 0, then tanh-sinh on each part.
    fn bounded(&mut self, a: f64, b: f64) -> Option<Piece> {
        let mut total = Piece::zero(self.k);
        let mut cuts = vec![a];
        if a > 0.0 && b / a > 16.0 {
            let mut x = a * 16.0;
            while x < b / 1.5 {
                cuts.push(x);
                x *= 16.0;
            }
        } else if b < 0.0 && a / b > 16.0 {
            let mut x = b * 16.0;
            let mut rev = Vec::new();
            while x > a / 1.5 {
                rev.push(x);
                x *= 16.0;
            }
            cuts.extend(rev.into_iter().rev());
        }
        cuts.push(b);
        for w in cuts.windows(2) {
            let piece = self.tanh_sinh(w[0], w[1])?;
            self.add(&piece);
            for c in 0..self.k {
                total.value[c] += piece.value[c];
                total.l1[c] += piece.l1[c];
                total.err[c] += piece.err[c];
            }
        }
        Some(total)
    }

    /// From `anchor` towards `end` (finite or infinite) in pieces of doubling width, starting
    /// at `scale`, until the support ends or the rest is negligible.
    fn tail(&mut self, anchor: f64, end: f64, scale: f64) -> Option<()> {
        let dir = if end > anchor { 1.0 } else { -1.0 };
        let mut x0 = anchor;
        let mut width = if scale > 0.0 && scale.is_finite() {
            scale
        } else {
            anchor.abs().max(1.0)
        };
        let mut previous: Option<Vec<f64>> = None;
        for _ in 0..MAX_TAIL_PIECES {
            let mut x1 = x0 + dir * width;
            let mut last = if dir > 0.0 { x1 >= end } else { x1 <= end };
            if last {
                x1 = end;
            }
            if !x1.is_finite() {
                // The tail runs past the largest float without having become negligible.
                return None;
            }
            if !last && self.ln_p(x1) == f64::NEG_INFINITY {
                // The support ends here (a uniform's or Pareto's edge) when the density just
                // inside is not negligible; otherwise ln p only ran out of range (the square of
                // a huge z overflowing), and the walk goes on through zeros to the tests below.
                let e = self.edge(x0, x1);
                if self.ln_p(e) > -700.0 {
                    x1 = e;
                    last = true;
                }
            }
            let piece = self.bounded(x0.min(x1), x0.max(x1))?;
            if last {
                return Some(());
            }
            if let Some(prev) = &previous {
                let negligible = (0..self.k).all(|c| {
                    let (cur, before) = (piece.l1[c], prev[c]);
                    if cur == 0.0 {
                        // The density underflowed: fine once the pieces had become small, a
                        // divergent integral (a tail x⁻¹) if they had not.
                        return before <= TARGET * self.l1[c];
                    }
                    let r = cur / before;
                    r < 0.95 && cur * r / (1.0 - r) <= TARGET * self.l1[c]
                });
                if negligible {
                    return Some(());
                }
                if piece.l1.iter().all(|&v| v == 0.0) {
                    return None;
                }
            }
            previous = Some(piece.l1);
            x0 = x1;
            width *= 2.0;
        }
        None
    }

    /// The end of the support between `inside` (ln p finite) and `outside` (ln p = −∞), by
    /// bisection down to adjacent floats.
    fn edge(&self, mut inside: f64, mut outside: f64) -> f64 {
        for _ in 0..2100 {
            let mid = 0.5 * (inside + outside);
            if mid == inside || mid == outside {
                break;
            }
            if self.ln_p(mid) == f64::NEG_INFINITY {
                outside = mid;
            } else {
                inside = mid;
            }
        }
        inside
    }

    /// Tanh-sinh quadrature of f·p on [a, b], halving the step until two levels agree to
    /// [`TARGET`] of ∫|f|p.
    fn tanh_sinh(&mut self, a: f64, b: f64) -> Option<Piece> {
        let (family, theta) = (self.family, self.theta);
        let ln_p = |x: f64| family.ln_density_derivs(theta, x, None, None);
        QUADRATURE.integrate(a, b, ln_p, &mut *self.f, &mut self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{lookup, REGISTRY};
    use crate::special::trigamma;

    /// E[1], E[X], E[X²] for every family where the variance is finite, at its typical
    /// parameters, against `mean_variance`.
    #[test]
    fn moments_match_mean_variance_across_the_registry() {
        let mut checked = Vec::new();
        for family in REGISTRY {
            if family.support() == Support::Labels {
                continue;
            }
            let theta = family.typical_params();
            let (mean, variance) = family.mean_variance(&theta);
            if !(mean.is_finite() && variance.is_finite()) {
                continue;
            }
            let m = expectation(*family, &theta, 3, |x, out| {
                out[0] = 1.0;
                out[1] = x - mean;
                out[2] = (x - mean) * (x - mean);
            })
            .unwrap_or_else(|| panic!("{}: no expectation", family.name()));
            let sd = variance.sqrt();
            assert!(
                (m[0] - 1.0).abs() < 1e-10,
                "{}: E[1] = {}",
                family.name(),
                m[0]
            );
            assert!(
                m[1].abs() < 1e-9 * sd,
                "{}: E[X] − mean = {:e} (sd {sd})",
                family.name(),
                m[1]
            );
            assert!(
                (m[2] - variance).abs() < 1e-9 * variance,
                "{}: E[(X − mean)²] = {} vs variance {variance}",
                family.name(),
                m[2]
            );
            checked.push(family.name());
        }
        // Every family but the categorical, the Cauchy (no mean) and those with an infinite
        // variance at their typical point.
        assert!(checked.len() >= 28, "{checked:?}");
    }

    #[test]
    fn quantiles_invert_the_cdf() {
        for family in REGISTRY {
            if family.support() == Support::Labels {
                continue;
            }
            let theta = family.typical_params();
            for p in [1e-6, 0.05, 0.5, 0.9, 0.999] {
                let q = quantile(*family, &theta, p)
                    .unwrap_or_else(|| panic!("{} p = {p}: no quantile", family.name()));
                let f = family.cdf(&theta, q).unwrap();
                if family.support().is_discrete() {
                    assert!(f >= p, "{} p = {p}: F({q}) = {f}", family.name());
                    let below = family.cdf(&theta, q - 1.0).unwrap();
                    assert!(
                        below < p,
                        "{} p = {p}: F({}) = {below}",
                        family.name(),
                        q - 1.0
                    );
                } else {
                    assert!(
                        (f - p).abs() < 1e-12 * p.max(1e-3),
                        "{} p = {p}: F({q}) = {f}",
                        family.name()
                    );
                }
            }
        }
        // Closed forms: exponential −ln(1 − p)/λ, normal μ + σ z.
        let q = quantile(lookup("exponential").unwrap(), &[2.5], 0.3).unwrap();
        let want = -(0.7f64).ln() / 2.5;
        assert!((q - want).abs() < 1e-14 * want, "{q} vs {want}");
        let q = quantile(lookup("normal").unwrap(), &[5.0, 0.002], 0.975).unwrap();
        let want = 5.0 + 0.002 * 1.959_963_984_540_054;
        assert!((q - want).abs() < 1e-14 * want, "{q} vs {want}");
        // Poisson(3.2): F(4) = 0.7806…, F(3) = 0.6025…
        assert_eq!(quantile(lookup("poisson").unwrap(), &[3.2], 0.7), Some(4.0));
        assert_eq!(quantile(lookup("poisson").unwrap(), &[3.2], 0.0), None);
    }

    #[test]
    fn gamma_information_is_trigamma() {
        for (a, b) in [(3.0, 2.0), (0.3, 5.0), (40.0, 0.01)] {
            let i = fisher_information(lookup("gamma").unwrap(), &[a, b]).unwrap();
            let want = [trigamma(a), -1.0 / b, -1.0 / b, a / (b * b)];
            for (got, want) in i.iter().zip(want) {
                assert!((got - want).abs() < 1e-10 * want.abs(), "{got} vs {want}");
            }
        }
    }

    #[test]
    fn weibull_information_is_the_known_closed_form() {
        // Shape k, scale λ: I_kk = (π²/6 + (1 − γ)²)/k², I_kλ = −(1 − γ)/λ, I_λλ = k²/λ².
        use crate::numeric::constants::EULER_GAMMA as EULER;
        for (k, l) in [(2.0, 7.0), (0.6, 1.5), (30.0, 1e4)] {
            let i = fisher_information(lookup("weibull").unwrap(), &[k, l]).unwrap();
            let kl = -(1.0 - EULER) / l;
            let want = [
                (PI * PI / 6.0 + (1.0 - EULER).powi(2)) / (k * k),
                kl,
                kl,
                k * k / (l * l),
            ];
            for (got, want) in i.iter().zip(want) {
                assert!((got - want).abs() < 1e-10 * want.abs(), "{got} vs {want}");
            }
        }
    }

    #[test]
    fn poisson_information_is_one_over_lambda() {
        for lambda in [0.01, 3.2, 250.0, 1e6] {
            let i = fisher_information(lookup("poisson").unwrap(), &[lambda]).unwrap();
            let want = 1.0 / lambda;
            assert!(
                (i[(0, 0)] - want).abs() < 1e-12 * want,
                "{lambda}: {}",
                i[(0, 0)]
            );
        }
    }

    #[test]
    fn closed_form_informations_match_the_sum_and_quadrature() {
        // The families that give their expected information in closed form (so that it stays
        // instant at λ ~ 1e20) against E[−∇² ln p] summed or integrated here.
        let cases: [(&str, &[f64]); 6] = [
            ("poisson", &[3.7]),
            ("chi_squared", &[2.3]),
            ("chi_squared", &[0.3]),
            ("geometric", &[0.2]),
            ("zero_inflated_poisson", &[0.3, 2.5]),
            ("zero_inflated_poisson", &[0.05, 0.4]),
        ];
        for (name, theta) in cases {
            let family = crate::family::lookup(name).unwrap();
            let k = theta.len();
            let mut closed = vec![0.0; k * k];
            assert!(family.expected_information(theta, &mut closed), "{name}");
            let sum = fisher_information(family, theta).unwrap();
            for (i, c) in closed.iter().enumerate() {
                let s = sum[(i / k, i % k)];
                assert!(
                    (c - s).abs() < 1e-9 * c.abs().max(1.0),
                    "{name} {theta:?} [{i}]: {c} vs {s}"
                );
            }
        }
        // A narrow law beyond 2⁵³, where `x += 1` stands still: refused, not summed forever.
        let du = crate::family::lookup("discrete_uniform").unwrap();
        assert!(expectation(du, &[1e17, 1e17 + 1024.0], 1, |x, o| o[0] = x).is_none());
        // And where the sum gives up (λ = 1e20 needs ~4e11 terms), the closed form answers.
        let poisson = crate::family::lookup("poisson").unwrap();
        assert!(fisher_information(poisson, &[1e20]).is_none());
        let mut out = [0.0];
        assert!(poisson.expected_information(&[1e20], &mut out) && out[0] == 1e-20);
    }

    #[test]
    fn negative_binomial_information_matches_a_direct_sum() {
        // Size r, prob p: I_pp = r/(p²(1 − p)), I_rp = −1/p, I_rr = ψ′(r) − E[ψ′(X + r)], the
        // last summed here directly with the mass from ln Γ.
        use crate::special::ln_gamma;
        for (r, p) in [(2.5, 0.4), (0.4, 0.05), (30.0, 0.9)] {
            let i = fisher_information(lookup("negative_binomial").unwrap(), &[r, p]).unwrap();
            let mut e = 0.0;
            for x in 0..20_000 {
                let x = x as f64;
                let lp = ln_gamma(x + r) - ln_gamma(r) - ln_gamma(x + 1.0)
                    + r * p.ln()
                    + x * (1.0 - p).ln();
                e += lp.exp() * trigamma(x + r);
            }
            let want = [trigamma(r) - e, -1.0 / p, -1.0 / p, r / (p * p * (1.0 - p))];
            for (got, want) in i.iter().zip(want) {
                assert!(
                    (got - want).abs() < 1e-10 * want.abs(),
                    "({r}, {p}): {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn restricted_expectations_and_edges() {
        // P(X ≤ q) for a normal, both tails, and an indicator integrated only up to q.
        let normal = lookup("normal").unwrap();
        let theta = [1.0, 2.0];
        for q in [-7.0, 0.3, 1.0, 4.5, 12.0] {
            let lower =
                expectation_over(normal, &theta, f64::NEG_INFINITY, q, 1, |_, o| o[0] = 1.0)
                    .unwrap()[0];
            let upper = expectation_over(normal, &theta, q, f64::INFINITY, 1, |_, o| o[0] = 1.0)
                .unwrap()[0];
            let f = normal.cdf(&theta, q).unwrap();
            assert!((lower - f).abs() < 1e-13 + 1e-11 * f, "{q}: {lower} vs {f}");
            assert!(
                (upper - (1.0 - f)).abs() < 1e-13 + 1e-11 * (1.0 - f),
                "{q}: {upper} vs {}",
                1.0 - f
            );
        }
        // A support that ends where the density jumps: Pareto (scale 1.5, shape 2.3) from its
        // edge, and a uniform on [−1, 2.5] whose support is nominally ℝ.
        let pareto = lookup("pareto").unwrap();
        let m = expectation(pareto, &[1.5, 2.3], 1, |x, o| o[0] = x.ln()).unwrap()[0];
        // E[ln X] = ln x_m + 1/α.
        let want = 1.5f64.ln() + 1.0 / 2.3;
        assert!((m - want).abs() < 1e-11 * want, "{m} vs {want}");
        let uniform = lookup("uniform").unwrap();
        let m = expectation(uniform, &[-1.0, 2.5], 1, |x, o| o[0] = x * x * x).unwrap()[0];
        let want = (2.5f64.powi(4) - 1.0) / (4.0 * 3.5);
        assert!((m - want).abs() < 1e-11 * want, "{m} vs {want}");
        // A gamma with shape 0.05: almost all its mass within 1e-20 of 0.
        let gamma = lookup("gamma").unwrap();
        let m = expectation(gamma, &[0.05, 1.0], 2, |x, o| {
            o[0] = 1.0;
            o[1] = x.ln();
        })
        .unwrap();
        let want = crate::special::digamma(0.05);
        assert!((m[0] - 1.0).abs() < 1e-10, "{}", m[0]);
        assert!(
            (m[1] - want).abs() < 1e-9 * want.abs(),
            "{} vs {want}",
            m[1]
        );
    }

    #[test]
    fn divergent_and_unavailable_expectations_are_none() {
        // E[X²] of a Student-t with 2 degrees of freedom is infinite; E|X| of a Cauchy too.
        let t = lookup("student_t").unwrap();
        assert!(expectation(t, &[2.0, 0.0, 1.0], 1, |x, o| o[0] = x * x).is_none());
        let cauchy = lookup("cauchy").unwrap();
        assert!(expectation(cauchy, &[0.0, 1.0], 1, |x, o| o[0] = x.abs()).is_none());
        // But E[1] of the Cauchy is fine (its tail x⁻² is integrable).
        let m = expectation(cauchy, &[0.0, 1.0], 1, |_, o| o[0] = 1.0).unwrap()[0];
        assert!((m - 1.0).abs() < 1e-10, "{m}");
        // Invalid parameters and labels.
        assert!(
            expectation(lookup("gamma").unwrap(), &[-1.0, 1.0], 1, |_, o| o[0] = 1.0).is_none()
        );
        assert!(expectation(
            lookup("categorical").unwrap(),
            &[0.2, 0.3, 0.5],
            1,
            |_, o| o[0] = 1.0
        )
        .is_none());
    }
}
