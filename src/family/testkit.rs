//! Shared helpers for the per-family unit tests (compiled only under `cfg(test)`).
//!
//! Each family file checks its analytic derivatives against central finite differences and, where
//! it overrides [`Family::log_likelihood`], that the fast path agrees with
//! [`pointwise_log_likelihood`]. The points, parameters and tolerances stay in the family files;
//! the mechanics live here.
//!
//! Every comparison uses one rule: `a` and `b` agree to `rel` with floor `floor` when
//! `|a − b| ≤ rel · max(min(|a|, |b|), floor)`. Scaling by the *smaller* magnitude makes the
//! rule symmetric and at least as strict as scaling by either argument alone (or by the larger).

use super::{pointwise_log_likelihood, Family};
use crate::data::Sample;

/// The usual floor (the default of [`Derivs`] and [`FastPath`]): below this magnitude the
/// tolerance is `rel · FLOOR`, an absolute one.
pub(crate) const FLOOR: f64 = 1e-2;

/// Whether `a` and `b` agree: `|a − b| ≤ rel · max(min(|a|, |b|), floor)`. NaN never agrees.
pub(crate) fn close(a: f64, b: f64, rel: f64, floor: f64) -> bool {
    (a - b).abs() <= rel * a.abs().min(b.abs()).max(floor)
}

/// Purely relative agreement, for reference values (scipy, mpmath): [`close`] with the floor at
/// the smallest normal number, so that only an exact zero is compared absolutely.
pub(crate) fn rel_close(a: f64, b: f64, rel: f64) -> bool {
    close(a, b, rel, f64::MIN_POSITIVE)
}

/// Asserts that `a` and `b` agree to `rel` with floor `floor` (see [`close`]; [`FLOOR`] is the
/// usual one); `what` names the quantity in the failure message.
pub(crate) fn assert_close(a: f64, b: f64, rel: f64, floor: f64, what: &str) {
    assert!(
        close(a, b, rel, floor),
        "{what}: {a} vs {b} (rel {rel}, floor {floor})"
    );
}

/// The finite-difference step `hⱼ` for parameter j.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// `hⱼ = c·|θⱼ|`, or `c` where θⱼ = 0.
    Relative(f64),
    /// `hⱼ = c·max(|θⱼ|, 1)`.
    RelativeAtLeastOne(f64),
    /// `hⱼ = c·|θ_k|` for every j: parameter k (a scale) is the natural unit of all of them.
    UnitOf(usize, f64),
}

impl Step {
    fn for_param(self, theta: &[f64], j: usize) -> f64 {
        match self {
            Step::Relative(c) => c * if theta[j] == 0.0 { 1.0 } else { theta[j].abs() },
            Step::RelativeAtLeastOne(c) => c * theta[j].abs().max(1.0),
            Step::UnitOf(k, c) => c * theta[k].abs(),
        }
    }
}

/// Settings of [`check_derivatives_with`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Derivs {
    /// Relative tolerance of every gradient and Hessian entry.
    pub rel: f64,
    /// Floor of the comparison (see [`close`]).
    pub floor: f64,
    /// The finite-difference step.
    pub step: Step,
    /// Compare in the scale-free units θᵢ ∂/∂θᵢ (gradient entry j times θⱼ, Hessian entry (i, j)
    /// times θᵢθⱼ), as the optimizer sees positive parameters in log coordinates.
    pub log_units: bool,
}

impl Derivs {
    /// Tolerance `rel`, floor [`FLOOR`], step `1e-5·|θⱼ|` (`1e-5` at 0), natural units.
    pub(crate) const fn rel(rel: f64) -> Derivs {
        Derivs {
            rel,
            floor: FLOOR,
            step: Step::Relative(1e-5),
            log_units: false,
        }
    }
}

/// Checks the gradient and Hessian of [`Family::ln_density_derivs`] at (θ, x) against central
/// differences (of the value → gradient, of the gradient → Hessian) with the default settings
/// [`Derivs::rel`]`(rel_tol)`.
pub(crate) fn check_derivatives(family: &dyn Family, theta: &[f64], x: f64, rel_tol: f64) {
    check_derivatives_with(family, theta, x, Derivs::rel(rel_tol));
}

/// [`check_derivatives`] with explicit settings.
pub(crate) fn check_derivatives_with(family: &dyn Family, theta: &[f64], x: f64, how: Derivs) {
    let k = theta.len();
    let name = family.name();
    let unit = |i: usize| if how.log_units { theta[i] } else { 1.0 };
    let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
    family.ln_density_derivs(theta, x, Some(&mut g), Some(&mut h));
    for j in 0..k {
        let step = how.step.for_param(theta, j);
        let (mut tp, mut tm) = (theta.to_vec(), theta.to_vec());
        tp[j] += step;
        tm[j] -= step;
        let (mut gp, mut gm) = (vec![0.0; k], vec![0.0; k]);
        let fp = family.ln_density_derivs(&tp, x, Some(&mut gp), None);
        let fm = family.ln_density_derivs(&tm, x, Some(&mut gm), None);
        let fd = (fp - fm) / (2.0 * step);
        assert_close(
            g[j] * unit(j),
            fd * unit(j),
            how.rel,
            how.floor,
            &format!("{name} grad {j} at θ={theta:?}, x={x}"),
        );
        for i in 0..k {
            let fd = (gp[i] - gm[i]) / (2.0 * step);
            let u = unit(i) * unit(j);
            assert_close(
                h[i * k + j] * u,
                fd * u,
                how.rel,
                how.floor,
                &format!("{name} hess {i},{j} at θ={theta:?}, x={x}"),
            );
        }
    }
}

/// Checks [`Family::ln_cdf_derivs`] and [`Family::ln_sf_derivs`] at (θ, x): gradients and
/// Hessians against central differences (relative tolerance `rel`, floor [`FLOOR`], for the
/// Hessian [`FLOOR`] times its largest entry), and
/// F + S = 1 against [`Family::cdf`] where it is not lost to rounding.
pub(crate) fn check_tail_derivatives(family: &dyn Family, theta: &[f64], x: f64, rel: f64) {
    let k = theta.len();
    let name = family.name();
    type Tail = fn(&dyn Family, &[f64], f64, Option<&mut [f64]>, Option<&mut [f64]>) -> f64;
    let cdf: Tail = |f, t, x, g, h| f.ln_cdf_derivs(t, x, g, h).expect("ln_cdf_derivs");
    let sf: Tail = |f, t, x, g, h| f.ln_sf_derivs(t, x, g, h).expect("ln_sf_derivs");
    for (what, tail) in [("ln F", cdf), ("ln S", sf)] {
        let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
        let v = tail(family, theta, x, Some(&mut g), Some(&mut h));
        assert_eq!(v, tail(family, theta, x, None, None), "{name} {what} value");
        for j in 0..k {
            let step = 2e-6 * theta[j].abs().max(1e-2);
            let (mut tp, mut tm) = (theta.to_vec(), theta.to_vec());
            tp[j] += step;
            tm[j] -= step;
            let (mut gp, mut gm) = (vec![0.0; k], vec![0.0; k]);
            let fp = tail(family, &tp, x, Some(&mut gp), None);
            let fm = tail(family, &tm, x, Some(&mut gm), None);
            let at = format!("{name} {what} at θ={theta:?}, x={x}");
            // An entry that cancels to zero is compared on the scale of the whole Hessian.
            let h_floor = FLOOR * h.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            assert_close(
                g[j],
                (fp - fm) / (2.0 * step),
                rel,
                FLOOR,
                &format!("{at}: grad {j}"),
            );
            for i in 0..k {
                let fd = (gp[i] - gm[i]) / (2.0 * step);
                assert_close(
                    h[i * k + j],
                    fd,
                    rel,
                    h_floor,
                    &format!("{at}: hess {i},{j}"),
                );
            }
        }
    }
    let (lf, ls) = (
        cdf(family, theta, x, None, None),
        sf(family, theta, x, None, None),
    );
    assert_close(
        lf.exp() + ls.exp(),
        1.0,
        1e-12,
        0.0,
        &format!("{name} F + S at x={x}"),
    );
    if let Some(c) = family.cdf(theta, x) {
        assert_close(lf.exp(), c, 1e-10, 1e-300, &format!("{name} F at x={x}"));
    }
}

/// Settings of [`check_fast_path_with`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastPath {
    /// Relative tolerance of the value.
    pub value: f64,
    /// Floor of the value comparison.
    pub value_floor: f64,
    /// Relative tolerance of every gradient and Hessian entry.
    pub derivs: f64,
    /// Floor of the gradient and Hessian comparisons.
    pub deriv_floor: f64,
    /// Compare the derivatives in the units θᵢ ∂/∂θᵢ (see [`Derivs::log_units`]).
    pub log_units: bool,
}

impl FastPath {
    /// Tolerance `rel` for value and derivatives, floors [`FLOOR`], natural units.
    pub(crate) const fn rel(rel: f64) -> FastPath {
        FastPath {
            value: rel,
            value_floor: FLOOR,
            derivs: rel,
            deriv_floor: FLOOR,
            log_units: false,
        }
    }
}

/// Checks that the family's [`Family::log_likelihood`] agrees with [`pointwise_log_likelihood`]
/// on `sample` at θ: the value to `value_rel`, every gradient and Hessian entry to `deriv_rel`,
/// floors [`FLOOR`], natural units. Returns the fast path's value, gradient and Hessian.
pub(crate) fn check_fast_path(
    family: &dyn Family,
    theta: &[f64],
    sample: &Sample,
    value_rel: f64,
    deriv_rel: f64,
) -> (f64, Vec<f64>, Vec<f64>) {
    let how = FastPath {
        value: value_rel,
        derivs: deriv_rel,
        ..FastPath::rel(deriv_rel)
    };
    check_fast_path_with(family, theta, sample, how)
}

/// [`check_fast_path`] with explicit settings.
pub(crate) fn check_fast_path_with(
    family: &dyn Family,
    theta: &[f64],
    sample: &Sample,
    how: FastPath,
) -> (f64, Vec<f64>, Vec<f64>) {
    let k = theta.len();
    let name = family.name();
    let unit = |i: usize| if how.log_units { theta[i] } else { 1.0 };
    let (mut g1, mut h1) = (vec![0.0; k], vec![0.0; k * k]);
    let (mut g2, mut h2) = (vec![0.0; k], vec![0.0; k * k]);
    let fast = family.log_likelihood(theta, sample, Some(&mut g1), Some(&mut h1));
    let slow = pointwise_log_likelihood(family, theta, sample, Some(&mut g2), Some(&mut h2));
    assert_close(
        fast,
        slow,
        how.value,
        how.value_floor,
        &format!("{name} value at θ={theta:?}"),
    );
    for i in 0..k {
        assert_close(
            g1[i] * unit(i),
            g2[i] * unit(i),
            how.derivs,
            how.deriv_floor,
            &format!("{name} grad {i} at θ={theta:?}"),
        );
        for j in 0..k {
            let u = unit(i) * unit(j);
            assert_close(
                h1[i * k + j] * u,
                h2[i * k + j] * u,
                how.derivs,
                how.deriv_floor,
                &format!("{name} hess {i},{j} at θ={theta:?}"),
            );
        }
    }
    (fast, g1, h1)
}
