//! Unconstrained minimisers. They know nothing about distributions: they see an [`Objective`]
//! on ℝᵏ and return an [`Outcome`] whose [`Termination`] says why they stopped.
//!
//! Three methods, one file each: [`newton`] (damped Newton with the analytic Hessian, the
//! default), [`lbfgs`] (limited-memory BFGS, gradients only) and [`gradient_descent`] (the
//! reference method). All share the backtracking line search of [`line_search`] and the same
//! stopping rule: ‖∇f‖∞ ≤ `gtol`. Every loop is capped.

pub mod certify;
pub mod gradient_descent;
pub mod lbfgs;
pub mod line_search;
pub mod newton;

use serde::{Deserialize, Serialize};

pub use certify::{certify, Certificate};

/// A smooth function to minimise.
pub trait Objective {
    /// Dimension k.
    fn dim(&self) -> usize;
    /// f(x); +∞ where undefined.
    fn value(&self, x: &[f64]) -> f64;
    /// f(x), writing ∇f(x) into `grad`.
    fn value_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64;
    /// f(x), writing ∇f(x) into `grad` and ∇²f(x) (row-major k × k) into `hess`.
    fn value_gradient_hessian(&self, x: &[f64], grad: &mut [f64], hess: &mut [f64]) -> f64;
}

/// The optimisation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Damped Newton with the analytic Hessian (Levenberg shift when it is not positive
    /// definite) and a backtracking line search. Quadratic convergence; the default.
    #[default]
    Newton,
    /// Limited-memory BFGS: gradients only, superlinear convergence.
    Lbfgs,
    /// Steepest descent with a backtracking (Armijo) line search: the reference method.
    GradientDescent,
}

impl Method {
    /// Default iteration cap.
    pub fn default_max_iterations(self) -> usize {
        match self {
            Method::Newton => 200,
            Method::Lbfgs => 2_000,
            Method::GradientDescent => 20_000,
        }
    }

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Newton => "newton",
            Method::Lbfgs => "lbfgs",
            Method::GradientDescent => "gradient-descent",
        }
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// ‖∇f‖∞ ≤ gtol: a stationary point.
    GradientTolerance,
    /// The line search found no decrease along any descent direction before the gradient
    /// tolerance was met.
    NoProgress,
    /// The iteration cap was reached.
    MaxIterations,
    /// f or ∇f was NaN or infinite at the starting point.
    NonFinite,
    /// Stationary, but the Hessian there is not positive definite (a saddle or a flat
    /// direction); set by the caller's certification.
    NotAMinimum,
    /// The estimate ran off to the edge of the parameter space, where the objective has an
    /// infimum but no minimum; set by the caller's certification.
    Boundary,
    /// Nothing left to optimise: every estimated parameter has a closed-form, non-smooth MLE
    /// (a uniform's min and max); set by the caller.
    ClosedForm,
    /// Nothing to estimate: every parameter was fixed by the user; set by the caller.
    AllFixed,
    /// The gradient could not be brought below `gtol` because of rounding, but the Newton
    /// decrement gᵀH⁻¹g (the predicted decrease of f) is below the rounding error of f, with H
    /// positive definite: a minimum to floating-point precision; set by the caller.
    RoundingLimit,
}

impl Termination {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Termination::GradientTolerance => "gradient_tolerance",
            Termination::NoProgress => "no_progress",
            Termination::MaxIterations => "max_iterations",
            Termination::NonFinite => "non_finite",
            Termination::NotAMinimum => "not_a_minimum",
            Termination::Boundary => "boundary",
            Termination::ClosedForm => "closed_form",
            Termination::AllFixed => "all_fixed",
            Termination::RoundingLimit => "rounding_limit",
        }
    }
}

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Stop when ‖∇f‖∞ ≤ gtol.
    pub gtol: f64,
    /// Iteration cap.
    pub max_iterations: usize,
}

/// Result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Final point.
    pub x: Vec<f64>,
    /// f at the final point.
    pub value: f64,
    /// ∇f at the final point.
    pub gradient: Vec<f64>,
    /// Iterations taken.
    pub iterations: usize,
    /// Objective evaluations (of any order).
    pub evaluations: usize,
    /// Why the run stopped.
    pub termination: Termination,
}

/// The iterate a solver carries: point, value, gradient and counters.
pub(crate) struct State {
    pub x: Vec<f64>,
    pub f: f64,
    pub g: Vec<f64>,
    pub iterations: usize,
    pub evaluations: usize,
}

impl State {
    /// The state at `x0` after its first evaluation.
    pub(crate) fn start(x0: &[f64], f: f64, g: Vec<f64>) -> State {
        State {
            x: x0.to_vec(),
            f,
            g,
            iterations: 0,
            evaluations: 1,
        }
    }

    /// Whether f or ∇f is NaN or infinite (a start the solvers cannot use).
    pub(crate) fn non_finite(&self) -> bool {
        !self.f.is_finite() || self.g.iter().any(|v| !v.is_finite())
    }

    /// Whether the stopping rule ‖∇f‖∞ ≤ gtol holds.
    pub(crate) fn stationary(&self, gtol: f64) -> bool {
        max_abs(&self.g) <= gtol
    }

    /// End the run.
    pub(crate) fn finish(self, termination: Termination) -> Outcome {
        Outcome {
            x: self.x,
            value: self.f,
            gradient: self.g,
            iterations: self.iterations,
            evaluations: self.evaluations,
            termination,
        }
    }

    /// End the run after the iteration cap: stationary if the last iterate meets the rule.
    pub(crate) fn finish_capped(self, gtol: f64) -> Outcome {
        let t = if self.stationary(gtol) {
            Termination::GradientTolerance
        } else {
            Termination::MaxIterations
        };
        self.finish(t)
    }
}

/// Minimise `objective` from `x0` with `method`.
pub fn minimize(
    method: Method,
    objective: &dyn Objective,
    x0: &[f64],
    options: &Options,
) -> Outcome {
    match method {
        Method::Newton => newton::minimize(objective, x0, options),
        Method::Lbfgs => lbfgs::minimize(objective, x0, options),
        Method::GradientDescent => gradient_descent::minimize(objective, x0, options),
    }
}

/// ‖v‖∞.
pub fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
pub(crate) mod test_functions {
    //! Classic test problems (Rosenbrock; an ill-conditioned quadratic) for the solvers.
    use super::Objective;

    /// Rosenbrock's banana function, minimum 0 at (1, 1).
    pub struct Rosenbrock;

    impl Objective for Rosenbrock {
        fn dim(&self) -> usize {
            2
        }
        fn value(&self, x: &[f64]) -> f64 {
            (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
        }
        fn value_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
            g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
            self.value(x)
        }
        fn value_gradient_hessian(&self, x: &[f64], g: &mut [f64], h: &mut [f64]) -> f64 {
            h[0] = 2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]);
            h[1] = -400.0 * x[0];
            h[2] = h[1];
            h[3] = 200.0;
            self.value_gradient(x, g)
        }
    }

    /// f(x) = Σ cᵢ xᵢ² / 2 with condition number 1e4, minimum 0 at the origin.
    pub struct Quadratic;

    impl Objective for Quadratic {
        fn dim(&self) -> usize {
            3
        }
        fn value(&self, x: &[f64]) -> f64 {
            0.5 * (x[0] * x[0] + 100.0 * x[1] * x[1] + 1e4 * x[2] * x[2])
        }
        fn value_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
            g[0] = x[0];
            g[1] = 100.0 * x[1];
            g[2] = 1e4 * x[2];
            self.value(x)
        }
        fn value_gradient_hessian(&self, x: &[f64], g: &mut [f64], h: &mut [f64]) -> f64 {
            h.fill(0.0);
            h[0] = 1.0;
            h[4] = 100.0;
            h[8] = 1e4;
            self.value_gradient(x, g)
        }
    }
}
