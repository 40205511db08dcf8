//! Damped Newton's method with the analytic Hessian.
//!
//! Each iteration solves (H + μI) d = −∇f by Cholesky, with the Levenberg shift μ = 0 when H is
//! positive definite and otherwise increased from a small multiple of the largest diagonal
//! entry until the factorisation succeeds, so d is always a descent direction. A backtracking
//! Armijo line search from t = 1 then gives global convergence; near the minimum the full step
//! is taken and convergence is quadratic. When the Newton direction cannot be searched the
//! iteration falls back to the steepest-descent direction once before giving up.
//!
//! Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed., §3.4 (Newton with Hessian
//! modification) and §10.3 (Levenberg–Marquardt).

use nalgebra::{DMatrix, DVector};

use super::line_search::{backtrack, steepest_descent};
use super::{dot, max_abs, Objective, Options, Outcome, State, Termination};

/// Largest step length in any coordinate, so a wild first step cannot overflow a transform.
const MAX_STEP: f64 = 10.0;

/// A Newton decrement below ROUNDING·(1 + |f|) is a predicted decrease f cannot resolve.
pub const ROUNDING: f64 = 16.0 * f64::EPSILON;

/// Relative rise of f that is taken as rounding noise when a step lowers the gradient.
const NOISE: f64 = 1e3 * f64::EPSILON;

/// A Newton decrement below LOCAL·(1 + |f|) puts the iterate in the region where the pure
/// Newton step converges quadratically.
const LOCAL: f64 = 1e-8;

/// Minimise with damped Newton.
pub fn minimize(objective: &dyn Objective, x0: &[f64], options: &Options) -> Outcome {
    let k = objective.dim();
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    let f = objective.value_gradient_hessian(x0, &mut g, &mut h);
    let mut s = State::start(x0, f, g);
    if s.non_finite() {
        return s.finish(Termination::NonFinite);
    }
    let mut trial = vec![0.0; k];
    while s.iterations < options.max_iterations {
        if s.stationary(options.gtol) {
            polish(objective, &mut s, &mut h);
            return s.finish(Termination::GradientTolerance);
        }
        let (mut d, unshifted) = newton_direction(&h, &s.g, k);
        let mut slope = dot(&s.g, &d);
        if unshifted && -slope <= ROUNDING * (1.0 + s.f.abs()) {
            // The Newton decrement says f is at its minimum to within rounding: only the
            // gradient can still show progress. Take the full step if it lowers the gradient;
            // otherwise this is as close as floating point gets (the caller certifies it).
            if !full_step_if_better(objective, &mut s, &mut h, &d, NOISE) {
                return s.finish(Termination::NoProgress);
            }
            continue;
        }
        if unshifted
            && -slope <= LOCAL * (1.0 + s.f.abs())
            && full_step_if_better(objective, &mut s, &mut h, &d, LOCAL)
        {
            // In the region of quadratic convergence the full Newton step is taken whenever it
            // lowers the gradient: there the true change of f is below the decrement, so a rise
            // of f smaller than LOCAL is rounding noise in f (sums of large log-gamma terms),
            // which must not make the line search crawl.
            continue;
        }
        if !(slope < 0.0) {
            d = s.g.iter().map(|v| -v).collect();
            slope = dot(&s.g, &d);
        }
        let t0 = (MAX_STEP / max_abs(&d)).min(1.0);
        let mut step = backtrack(objective, &s.x, s.f, &d, slope, t0, &mut trial);
        if step.is_none()
            && unshifted
            && t0 == 1.0
            && full_step_if_better(objective, &mut s, &mut h, &d, NOISE)
        {
            // Armijo cannot see the decrease of a pure Newton step when f is flat to within
            // its rounding error; the step was taken because it lowered the gradient.
            continue;
        }
        if step.is_none() {
            step = steepest_descent(objective, &s.x, s.f, &s.g, &mut trial);
        }
        let Some(step) = step else {
            return s.finish(Termination::NoProgress);
        };
        s.evaluations += step.evaluations + 1;
        s.x.copy_from_slice(&trial);
        s.f = objective.value_gradient_hessian(&s.x, &mut s.g, &mut h);
        s.iterations += 1;
    }
    s.finish_capped(options.gtol)
}

/// One more pure Newton step once the tolerance is met: in a flat direction a gradient of
/// 1e-9 can still leave the parameter off in its 8th digit, and near the minimum a Newton step
/// costs one evaluation and squares the error. Taken only when it lowers the gradient without
/// measurably raising f, and skipped when the gradient is already at rounding level.
fn polish(objective: &dyn Objective, s: &mut State, h: &mut [f64]) {
    if max_abs(&s.g) <= 1e-13 {
        return;
    }
    let (d, unshifted) = newton_direction(h, &s.g, s.x.len());
    if unshifted {
        full_step_if_better(objective, s, h, &d, NOISE);
    }
}

/// Take the full step x + d if it lowers ‖∇f‖∞ without raising f by more than
/// `f_slack`·(1 + |f|); returns whether it did.
fn full_step_if_better(
    objective: &dyn Objective,
    s: &mut State,
    h: &mut [f64],
    d: &[f64],
    f_slack: f64,
) -> bool {
    let k = s.x.len();
    let x: Vec<f64> = s.x.iter().zip(d).map(|(a, b)| a + b).collect();
    let mut g = vec![0.0; k];
    let mut h_new = vec![0.0; k * k];
    let f = objective.value_gradient_hessian(&x, &mut g, &mut h_new);
    s.evaluations += 1;
    let better =
        f.is_finite() && f <= s.f + f_slack * (1.0 + s.f.abs()) && max_abs(&g) < max_abs(&s.g);
    if better {
        s.x = x;
        s.f = f;
        s.g = g;
        h.copy_from_slice(&h_new);
        s.iterations += 1;
    }
    better
}

/// Solve (H + μI) d = −g with the smallest μ ∈ {0, δ, 10δ, …} that makes the matrix positive
/// definite (δ a tiny multiple of the largest diagonal entry). The flag says whether μ = 0,
/// i.e. d is the pure Newton step.
fn newton_direction(h: &[f64], g: &[f64], k: usize) -> (Vec<f64>, bool) {
    let hm = DMatrix::from_row_slice(k, k, h);
    let rhs = -DVector::from_column_slice(g);
    let scale = (0..k)
        .map(|i| h[i * k + i].abs())
        .fold(0.0, f64::max)
        .max(1e-12);
    let mut mu = 0.0;
    for _ in 0..40 {
        let shifted = &hm + DMatrix::identity(k, k) * mu;
        if let Some(chol) = shifted.cholesky() {
            let d = chol.solve(&rhs);
            if d.iter().all(|v| v.is_finite()) {
                return (d.as_slice().to_vec(), mu == 0.0);
            }
        }
        mu = if mu == 0.0 { 1e-10 * scale } else { mu * 10.0 };
    }
    (g.iter().map(|v| -v).collect(), false)
}

#[cfg(test)]
mod tests {
    use super::super::test_functions::{Quadratic, Rosenbrock};
    use super::*;

    #[test]
    fn rosenbrock_from_the_classic_start() {
        let opts = Options {
            gtol: 1e-10,
            max_iterations: 200,
        };
        let out = minimize(&Rosenbrock, &[-1.2, 1.0], &opts);
        assert_eq!(out.termination, Termination::GradientTolerance);
        assert!(
            (out.x[0] - 1.0).abs() < 1e-9 && (out.x[1] - 1.0).abs() < 1e-9,
            "{:?}",
            out.x
        );
        assert!(out.iterations < 50, "{}", out.iterations);
    }

    #[test]
    fn quadratic_in_one_step() {
        let opts = Options {
            gtol: 1e-12,
            max_iterations: 10,
        };
        let out = minimize(&Quadratic, &[1.0, 1.0, 1e-3], &opts);
        assert_eq!(out.termination, Termination::GradientTolerance);
        assert!(out.iterations <= 2);
    }

    #[test]
    fn iteration_cap_is_reported() {
        let opts = Options {
            gtol: 1e-14,
            max_iterations: 2,
        };
        let out = minimize(&Rosenbrock, &[-1.2, 1.0], &opts);
        assert_eq!(out.termination, Termination::MaxIterations);
        assert_eq!(out.iterations, 2);
    }
}
