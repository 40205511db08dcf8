//! The certificate: the verdict on a minimisation, reached independently of the solver.
//!
//! A solver says why it stopped; the certificate says what the end point *is*. At the final
//! point the gradient and Hessian are recomputed and:
//! - a stop on the gradient rule is a minimum only where the Hessian is positive definite
//!   (else [`Termination::NotAMinimum`]);
//! - a stop without progress or at the iteration cap is still a minimum when the Newton
//!   decrement gᵀH⁻¹g (the decrease a Newton step predicts) is below the rounding error of f
//!   ([`Termination::RoundingLimit`]);
//! - an end point the caller recognises as the edge of the domain is [`Termination::Boundary`],
//!   whatever the solver said;
//! - f not finite there is [`Termination::NonFinite`].
//!
//! Every fit (univariate, mixture, multivariate) is certified here, so "converged" means one
//! thing everywhere and the notes a user reads are worded once.

use nalgebra::{DMatrix, DVector};

use super::newton::ROUNDING;
use super::{max_abs, Objective, Outcome, Termination};

/// What the certification found at a solver's end point.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// f at the end point (recomputed).
    pub value: f64,
    /// ‖∇f‖∞ at the end point.
    pub score_norm: f64,
    /// The verdict, which may overrule the solver's.
    pub termination: Termination,
    /// Whether the end point is certified as a minimum.
    pub converged: bool,
    /// Sentences explaining a verdict other than a clean stationary minimum, in the order
    /// they arose.
    pub notes: Vec<String>,
}

/// Certify `outcome`, a run of a solver on `objective` with gradient tolerance `gtol`.
///
/// `magnitude` is the size of the terms f is computed from beyond |f| itself (0 when f is a
/// plain sum of its own size): rounding is judged relative to 1 + |f| + `magnitude`.
/// `boundary` is the caller's own finding that the end point lies at (or runs off to) the edge
/// of the domain, as the note to show; it overrules every other verdict.
pub fn certify(
    objective: &dyn Objective,
    outcome: &Outcome,
    gtol: f64,
    magnitude: f64,
    boundary: Option<String>,
) -> Certificate {
    let m = objective.dim();
    let mut gu = vec![0.0; m];
    let mut hu = vec![0.0; m * m];
    let value = objective.value_gradient_hessian(&outcome.x, &mut gu, &mut hu);
    let score_norm = max_abs(&gu);
    let positive_definite = || m == 0 || DMatrix::from_row_slice(m, m, &hu).cholesky().is_some();
    let mut termination = outcome.termination;
    let mut notes = Vec::new();
    if !value.is_finite() {
        termination = Termination::NonFinite;
    }
    if matches!(
        termination,
        Termination::NoProgress | Termination::MaxIterations
    ) && m > 0
    {
        if let Some(chol) = DMatrix::from_row_slice(m, m, &hu).cholesky() {
            let g = DVector::from_column_slice(&gu);
            let decrement = g.dot(&chol.solve(&g));
            if decrement <= ROUNDING * (1.0 + value.abs() + magnitude) {
                termination = Termination::RoundingLimit;
                notes.push(format!(
                    "the mean score ({score_norm:.1e}) cannot be reduced below the tolerance in floating point, \
                     but the Newton decrement ({decrement:.1e}) shows the cross entropy is at its minimum to within rounding"
                ));
            }
        }
    }
    if termination == Termination::GradientTolerance && !positive_definite() {
        termination = Termination::NotAMinimum;
        notes.push("the Hessian at the stationary point is not positive definite (a saddle point or a flat direction)".into());
    }
    if let Some(note) = boundary {
        termination = Termination::Boundary;
        notes.push(note);
    }
    let converged = matches!(
        termination,
        Termination::GradientTolerance
            | Termination::ClosedForm
            | Termination::AllFixed
            | Termination::RoundingLimit
    );
    match termination {
        Termination::MaxIterations => notes.push(format!(
            "stopped after {} iterations with |score| = {score_norm:.3e} > {gtol:.1e}",
            outcome.iterations
        )),
        Termination::NoProgress => notes.push(format!(
            "the line search could not decrease the cross entropy further; |score| = {score_norm:.3e}"
        )),
        _ => {}
    }
    Certificate {
        value,
        score_norm,
        termination,
        converged,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::test_functions::{Quadratic, Rosenbrock};
    use crate::optim::{minimize, Method, Options};

    fn run(objective: &dyn Objective, x0: &[f64], gtol: f64, cap: usize) -> Outcome {
        let options = Options {
            gtol,
            max_iterations: cap,
        };
        minimize(Method::Newton, objective, x0, &options)
    }

    #[test]
    fn a_clean_minimum_is_certified() {
        let out = run(&Rosenbrock, &[-1.2, 1.0], 1e-10, 200);
        let c = certify(&Rosenbrock, &out, 1e-10, 0.0, None);
        assert_eq!(c.termination, Termination::GradientTolerance);
        assert!(c.converged && c.notes.is_empty());
        assert!(c.score_norm <= 1e-10 && c.value < 1e-20);
    }

    #[test]
    fn an_iteration_cap_far_from_the_minimum_is_not_converged() {
        let out = run(&Rosenbrock, &[-1.2, 1.0], 1e-10, 2);
        let c = certify(&Rosenbrock, &out, 1e-10, 0.0, None);
        assert_eq!(c.termination, Termination::MaxIterations);
        assert!(!c.converged);
        assert!(
            c.notes[0].starts_with("stopped after 2 iterations"),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn the_rounding_floor_is_a_minimum_and_a_boundary_overrules_everything() {
        // A solver stopped by its cap a hair from the minimum: the gradient (1e-12) misses a
        // tolerance of 1e-15, but the decrement (1e-24) is far below rounding.
        let out = Outcome {
            x: vec![1e-12, 0.0, 0.0],
            value: 5e-25,
            gradient: vec![1e-12, 0.0, 0.0],
            iterations: 3,
            evaluations: 3,
            termination: Termination::MaxIterations,
        };
        let c = certify(&Quadratic, &out, 1e-15, 0.0, None);
        assert_eq!(c.termination, Termination::RoundingLimit);
        assert!(c.converged);
        assert!(c.notes[0].contains("Newton decrement"), "{:?}", c.notes);
        // Far from it, the same cap is a failure.
        let far = Outcome {
            x: vec![1.0, 0.0, 0.0],
            ..out.clone()
        };
        assert_eq!(
            certify(&Quadratic, &far, 1e-15, 0.0, None).termination,
            Termination::MaxIterations
        );
        let c = certify(&Quadratic, &out, 0.0, 0.0, Some("off the edge".into()));
        assert_eq!(c.termination, Termination::Boundary);
        assert!(!c.converged);
        assert_eq!(c.notes.last().map(String::as_str), Some("off the edge"));
    }

    /// f(x, y) = x² − y²: stationary at the origin, a saddle.
    struct Saddle;

    impl Objective for Saddle {
        fn dim(&self) -> usize {
            2
        }
        fn value(&self, x: &[f64]) -> f64 {
            x[0] * x[0] - x[1] * x[1]
        }
        fn value_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
            g[0] = 2.0 * x[0];
            g[1] = -2.0 * x[1];
            self.value(x)
        }
        fn value_gradient_hessian(&self, x: &[f64], g: &mut [f64], h: &mut [f64]) -> f64 {
            h.copy_from_slice(&[2.0, 0.0, 0.0, -2.0]);
            self.value_gradient(x, g)
        }
    }

    #[test]
    fn a_saddle_is_not_a_minimum() {
        let out = run(&Saddle, &[0.0, 0.0], 1e-9, 10);
        assert_eq!(out.termination, Termination::GradientTolerance);
        let c = certify(&Saddle, &out, 1e-9, 0.0, None);
        assert_eq!(c.termination, Termination::NotAMinimum);
        assert!(!c.converged);
    }
}
