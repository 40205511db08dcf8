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

use super::line_search::backtrack;
use super::{dot, max_abs, Objective, Options, Outcome, Termination};

/// Largest step length in any coordinate, so a wild first step cannot overflow a transform.
const MAX_STEP: f64 = 10.0;

/// Minimise with damped Newton.
pub fn minimize(objective: &dyn Objective, x0: &[f64], options: &Options) -> Outcome {
    let k = objective.dim();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    let mut trial = vec![0.0; k];
    let mut f = objective.value_gradient_hessian(&x, &mut g, &mut h);
    let mut evaluations = 1;
    let done = |termination, x: Vec<f64>, f, g: Vec<f64>, iterations, evaluations| Outcome {
        x,
        value: f,
        gradient: g,
        iterations,
        evaluations,
        termination,
    };
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return done(Termination::NonFinite, x, f, g, 0, evaluations);
    }
    for iteration in 0..options.max_iterations {
        if max_abs(&g) <= options.gtol {
            return done(
                Termination::GradientTolerance,
                x,
                f,
                g,
                iteration,
                evaluations,
            );
        }
        let (mut d, unshifted) = newton_direction(&h, &g, k);
        let mut slope = dot(&g, &d);
        if !(slope < 0.0) {
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
        }
        let t0 = (MAX_STEP / max_abs(&d)).min(1.0);
        let mut step = backtrack(objective, &x, f, &d, slope, t0, &mut trial);
        if step.is_none() && unshifted && t0 == 1.0 {
            // Near a minimum where f is flat to within its rounding error, Armijo cannot see
            // the decrease a pure Newton step makes; accept that step when it reduces the
            // gradient (the quantity the stopping rule tests) without measurably raising f.
            let mut g_trial = vec![0.0; k];
            let mut h_trial = vec![0.0; k * k];
            let x_trial: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + b).collect();
            let f_trial = objective.value_gradient_hessian(&x_trial, &mut g_trial, &mut h_trial);
            evaluations += 1;
            let noise = 1e3 * f64::EPSILON * (1.0 + f.abs());
            if f_trial <= f + noise && max_abs(&g_trial) < max_abs(&g) {
                x = x_trial;
                f = f_trial;
                g = g_trial;
                h = h_trial;
                continue;
            }
        }
        if step.is_none() {
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
            step = backtrack(
                objective,
                &x,
                f,
                &d,
                slope,
                (1.0 / max_abs(&d)).min(1.0),
                &mut trial,
            );
        }
        let Some(step) = step else {
            return done(Termination::NoProgress, x, f, g, iteration, evaluations);
        };
        evaluations += step.evaluations;
        x.copy_from_slice(&trial);
        f = objective.value_gradient_hessian(&x, &mut g, &mut h);
        evaluations += 1;
    }
    let termination = if max_abs(&g) <= options.gtol {
        Termination::GradientTolerance
    } else {
        Termination::MaxIterations
    };
    done(termination, x, f, g, options.max_iterations, evaluations)
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
