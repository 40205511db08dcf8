//! Steepest descent with a backtracking (Armijo) line search: the reference method.
//!
//! Slow (linear convergence with rate set by the condition number) but it has the fewest
//! moving parts, which is why it stays selectable: a fit that Newton and gradient descent
//! both certify is a fit whose optimum does not depend on the method. Each line search starts
//! from twice the previous accepted step, so the step length adapts to the local curvature.
//!
//! Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed., §3.1–3.3.

use super::line_search::backtrack;
use super::{dot, max_abs, Objective, Options, Outcome, Termination};

/// Minimise with gradient descent.
pub fn minimize(objective: &dyn Objective, x0: &[f64], options: &Options) -> Outcome {
    let k = objective.dim();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; k];
    let mut trial = vec![0.0; k];
    let mut f = objective.value_gradient(&x, &mut g);
    let mut evaluations = 1;
    let outcome = |termination, x: Vec<f64>, f, g: Vec<f64>, iterations, evaluations| Outcome {
        x,
        value: f,
        gradient: g,
        iterations,
        evaluations,
        termination,
    };
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return outcome(Termination::NonFinite, x, f, g, 0, evaluations);
    }
    let mut t = (1.0 / max_abs(&g)).min(1.0);
    for iteration in 0..options.max_iterations {
        if max_abs(&g) <= options.gtol {
            return outcome(
                Termination::GradientTolerance,
                x,
                f,
                g,
                iteration,
                evaluations,
            );
        }
        let d: Vec<f64> = g.iter().map(|v| -v).collect();
        let slope = dot(&g, &d);
        let Some(step) = backtrack(objective, &x, f, &d, slope, 2.0 * t, &mut trial) else {
            return outcome(Termination::NoProgress, x, f, g, iteration, evaluations);
        };
        evaluations += step.evaluations + 1;
        t = step.t;
        x.copy_from_slice(&trial);
        f = objective.value_gradient(&x, &mut g);
    }
    let termination = if max_abs(&g) <= options.gtol {
        Termination::GradientTolerance
    } else {
        Termination::MaxIterations
    };
    outcome(termination, x, f, g, options.max_iterations, evaluations)
}

#[cfg(test)]
mod tests {
    use super::super::test_functions::Quadratic;
    use super::*;

    #[test]
    fn ill_conditioned_quadratic_converges_linearly() {
        let opts = Options {
            gtol: 1e-8,
            max_iterations: 100_000,
        };
        let out = minimize(&Quadratic, &[1.0, 1.0, 1.0], &opts);
        assert_eq!(out.termination, Termination::GradientTolerance);
        assert!(max_abs(&out.x) < 1e-7, "{:?}", out.x);
        // Linear convergence at condition number 1e4 needs many iterations.
        assert!(out.iterations > 100, "{}", out.iterations);
    }
}
