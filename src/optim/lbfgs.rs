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

use super::line_search::{backtrack, steepest_descent};
use super::{dot, max_abs, Objective, Options, Outcome, State, Termination};

/// Number of correction pairs kept.
const MEMORY: usize = 10;

/// Minimise with L-BFGS.
pub fn minimize(objective: &dyn Objective, x0: &[f64], options: &Options) -> Outcome {
    let k = objective.dim();
    let mut g = vec![0.0; k];
    let f = objective.value_gradient(x0, &mut g);
    let mut s = State::start(x0, f, g);
    if s.non_finite() {
        return s.finish(Termination::NonFinite);
    }
    let mut trial = vec![0.0; k];
    let mut g_new = vec![0.0; k];
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    while s.iterations < options.max_iterations {
        if s.stationary(options.gtol) {
            return s.finish(Termination::GradientTolerance);
        }
        let mut d = two_loop(&pairs, &s.g);
        let mut slope = dot(&s.g, &d);
        if !(slope < 0.0) {
            pairs.clear();
            d = s.g.iter().map(|v| -v).collect();
            slope = dot(&s.g, &d);
        }
        // Without curvature information the first step is scaled to move ~1 unit.
        let t0 = if pairs.is_empty() {
            (1.0 / max_abs(&d)).min(1.0)
        } else {
            1.0
        };
        let mut step = backtrack(objective, &s.x, s.f, &d, slope, t0, &mut trial);
        if step.is_none() && !pairs.is_empty() {
            pairs.clear();
            step = steepest_descent(objective, &s.x, s.f, &s.g, &mut trial);
        }
        let Some(step) = step else {
            return s.finish(Termination::NoProgress);
        };
        s.evaluations += step.evaluations + 1;
        let f_new = objective.value_gradient(&trial, &mut g_new);
        let sk: Vec<f64> = trial.iter().zip(&s.x).map(|(a, b)| a - b).collect();
        let yk: Vec<f64> = g_new.iter().zip(&s.g).map(|(a, b)| a - b).collect();
        let sy = dot(&sk, &yk);
        if sy > 1e-12 * dot(&yk, &yk).sqrt() * dot(&sk, &sk).sqrt() && sy.is_finite() {
            if pairs.len() == MEMORY {
                pairs.pop_front();
            }
            pairs.push_back((sk, yk, 1.0 / sy));
        }
        s.x.copy_from_slice(&trial);
        s.g.copy_from_slice(&g_new);
        s.f = f_new;
        s.iterations += 1;
    }
    s.finish_capped(options.gtol)
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
