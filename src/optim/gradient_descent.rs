//! Steepest descent with a backtracking (Armijo) line search: the reference method.
//!
//! Slow (linear convergence with rate set by the condition number) but it has the fewest
//! moving parts, which is why it stays selectable: a fit that Newton and gradient descent
//! both certify is a fit whose optimum does not depend on the method. Each line search starts
//! from twice the previous accepted step, so the step length adapts to the local curvature.
//!
//! Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed., §3.1–3.3.

use super::line_search::backtrack;
use super::{dot, max_abs, Objective, Options, Outcome, State, Termination};

/// Minimise with gradient descent.
pub fn minimize(objective: &dyn Objective, x0: &[f64], options: &Options) -> Outcome {
    let k = objective.dim();
    let mut g = vec![0.0; k];
    let f = objective.value_gradient(x0, &mut g);
    let mut s = State::start(x0, f, g);
    if s.non_finite() {
        return s.finish(Termination::NonFinite);
    }
    let mut trial = vec![0.0; k];
    let mut t = (1.0 / max_abs(&s.g)).min(1.0);
    while s.iterations < options.max_iterations {
        if s.stationary(options.gtol) {
            return s.finish(Termination::GradientTolerance);
        }
        let d: Vec<f64> = s.g.iter().map(|v| -v).collect();
        let slope = dot(&s.g, &d);
        let Some(step) = backtrack(objective, &s.x, s.f, &d, slope, 2.0 * t, &mut trial) else {
            return s.finish(Termination::NoProgress);
        };
        s.evaluations += step.evaluations + 1;
        t = step.t;
        s.x.copy_from_slice(&trial);
        s.f = objective.value_gradient(&s.x, &mut s.g);
        s.iterations += 1;
    }
    s.finish_capped(options.gtol)
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
