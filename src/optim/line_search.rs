//! Backtracking line search with the Armijo (sufficient decrease) condition.
//!
//! From step t₀, halve (with a safeguarded quadratic interpolation) until
//! f(x + t d) ≤ f(x) + c₁ t ∇f·d. Near a minimum the predicted decrease ∇f·d falls below the
//! rounding error of f itself; there a step is accepted when f does not rise beyond that
//! rounding error, so that the caller's gradient test, not the noise in f, decides when to stop.
//!
//! Reference: Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithm 3.1 and §3.5.

use super::Objective;

/// Sufficient-decrease constant c₁.
const C1: f64 = 1e-4;
/// Maximum number of step reductions.
const MAX_REDUCTIONS: usize = 60;

/// An accepted step.
pub struct Step {
    /// Step length t.
    pub t: f64,
    /// f(x + t d).
    pub value: f64,
    /// Number of objective evaluations used.
    pub evaluations: usize,
}

/// Search along `d` from `x` (with f(x) = `f0` and directional derivative `slope` = ∇f·d < 0),
/// starting at step `t0`. Writes the accepted point into `trial`. `None` when no acceptable
/// step exists within [`MAX_REDUCTIONS`] reductions.
pub fn backtrack(
    objective: &dyn Objective,
    x: &[f64],
    f0: f64,
    d: &[f64],
    slope: f64,
    t0: f64,
    trial: &mut [f64],
) -> Option<Step> {
    debug_assert!(slope < 0.0);
    let noise = 8.0 * f64::EPSILON * (1.0 + f0.abs());
    let mut t = t0;
    for evaluations in 1..=MAX_REDUCTIONS {
        for i in 0..x.len() {
            trial[i] = x[i] + t * d[i];
        }
        let f = objective.value(trial);
        if f.is_finite() {
            if f <= f0 + C1 * t * slope {
                return Some(Step {
                    t,
                    value: f,
                    evaluations,
                });
            }
            // The whole predicted decrease is below the rounding error of f: accept a step that
            // does not measurably increase f.
            if -slope * t <= noise && f <= f0 + noise {
                return Some(Step {
                    t,
                    value: f,
                    evaluations,
                });
            }
            // Minimiser of the quadratic through f0, slope and f(t), kept within [0.1 t, 0.5 t].
            let q = -slope * t * t / (2.0 * (f - f0 - slope * t));
            t = if q.is_finite() {
                q.clamp(0.1 * t, 0.5 * t)
            } else {
                0.5 * t
            };
        } else {
            t *= 0.25;
        }
    }
    None
}

/// The fallback when a curvature-based direction cannot be searched: steepest descent from a
/// step that moves the largest coordinate by at most 1.
pub fn steepest_descent(
    objective: &dyn Objective,
    x: &[f64],
    f0: f64,
    g: &[f64],
    trial: &mut [f64],
) -> Option<Step> {
    let d: Vec<f64> = g.iter().map(|v| -v).collect();
    let slope = -g.iter().map(|v| v * v).sum::<f64>();
    let t0 = (1.0 / g.iter().fold(0.0f64, |m, v| m.max(v.abs()))).min(1.0);
    backtrack(objective, x, f0, &d, slope, t0, trial)
}
