//! Limited-memory BFGS.
//!
//! The two-loop recursion over the last [`MEMORY`] pairs (sᵢ, yᵢ) applies the inverse-Hessian
//! approximation to −∇f, with the initial matrix scaled by sᵀy / yᵀy. A pair is stored only when
//! the curvature condition sᵀy > 0 holds (with an Armijo-only line search it can fail), which
//! keeps the approximation positive definite; if the search along the quasi-Newton direction
//! fails, the memory is cleared and steepest descent is tried once.
//!
//! Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.4 and 7.5;
//! Liu & Nocedal, Math. Programming 45 (1989).

use std::collections::VecDeque;

use super::line_search::backtrack;
use super::{dot, max_abs, Objective, Options, Outcome, Termination};

/// Number of correction pairs kept.
const MEMORY: usize = 10;

/// Minimise with L-BFGS.
pub fn minimize(objective: &dyn Objective, x0: &[f64], options: &Options) -> Outcome {
    let k = objective.dim();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; k];
    let mut trial = vec![0.0; k];
    let mut g_new = vec![0.0; k];
    let mut f = objective.value_gradient(&x, &mut g);
    let mut evaluations = 1;
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
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
        let mut d = two_loop(&pairs, &g);
        let mut slope = dot(&g, &d);
        if !(slope < 0.0) {
            pairs.clear();
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
        }
        // Without curvature information the first step is scaled to move ~1 unit.
        let t0 = if pairs.is_empty() {
            (1.0 / max_abs(&d)).min(1.0)
        } else {
            1.0
        };
        let mut step = backtrack(objective, &x, f, &d, slope, t0, &mut trial);
        if step.is_none() && !pairs.is_empty() {
            pairs.clear();
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
            return outcome(Termination::NoProgress, x, f, g, iteration, evaluations);
        };
        evaluations += step.evaluations;
        let f_new = objective.value_gradient(&trial, &mut g_new);
        evaluations += 1;
        let s: Vec<f64> = trial.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() && sy.is_finite() {
            if pairs.len() == MEMORY {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        x.copy_from_slice(&trial);
        g.copy_from_slice(&g_new);
        f = f_new;
    }
    let termination = if max_abs(&g) <= options.gtol {
        Termination::GradientTolerance
    } else {
        Termination::MaxIterations
    };
    outcome(termination, x, f, g, options.max_iterations, evaluations)
}

/// −H·g by the two-loop recursion.
fn two_loop(pairs: &VecDeque<(Vec<f64>, Vec<f64>, f64)>, g: &[f64]) -> Vec<f64> {
    let mut q: Vec<f64> = g.to_vec();
    let mut alphas = Vec::with_capacity(pairs.len());
    for (s, y, rho) in pairs.iter().rev() {
        let a = rho * dot(s, &q);
        for i in 0..q.len() {
            q[i] -= a * y[i];
        }
        alphas.push(a);
    }
    if let Some((s, y, _)) = pairs.back() {
        let gamma = dot(s, y) / dot(y, y);
        for v in &mut q {
            *v *= gamma;
        }
    }
    for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        for i in 0..q.len() {
            q[i] += (a - b) * s[i];
        }
    }
    q.iter().map(|v| -v).collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_functions::{Quadratic, Rosenbrock};
    use super::*;

    #[test]
    fn rosenbrock_from_the_classic_start() {
        let opts = Options {
            gtol: 1e-9,
            max_iterations: 1000,
        };
        let out = minimize(&Rosenbrock, &[-1.2, 1.0], &opts);
        assert_eq!(out.termination, Termination::GradientTolerance);
        assert!(
            (out.x[0] - 1.0).abs() < 1e-7 && (out.x[1] - 1.0).abs() < 1e-7,
            "{:?}",
            out.x
        );
    }

    #[test]
    fn ill_conditioned_quadratic() {
        let opts = Options {
            gtol: 1e-10,
            max_iterations: 500,
        };
        let out = minimize(&Quadratic, &[1.0, 1.0, 1.0], &opts);
        assert_eq!(out.termination, Termination::GradientTolerance);
        assert!(max_abs(&out.x) < 1e-9);
    }
}
