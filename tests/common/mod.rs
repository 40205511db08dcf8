//! Helpers shared by the integration tests: parameter generation from a family's constraints,
//! seeded samples, and tolerance checks.
#![allow(dead_code)]

use mlfit::family::{Constraint, Family};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded generator.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Parameters of moderate size drawn from each parameter's domain.
pub fn random_params(family: &dyn Family, rng: &mut StdRng) -> Vec<f64> {
    family
        .params()
        .iter()
        .map(|p| match p.constraint {
            Constraint::Real => rng.random_range(-3.0..3.0),
            Constraint::Positive => rng.random_range(-1.0f64..1.5).exp(),
            Constraint::UnitInterval => rng.random_range(0.1..0.9),
        })
        .collect()
}

/// Fixed, well-behaved parameters for a family (used where random ones would make a check
/// statistically weak, e.g. heavy tails in moment checks).
pub fn nice_params(family: &dyn Family) -> Vec<f64> {
    family
        .params()
        .iter()
        .map(|p| match p.constraint {
            Constraint::Real => 0.7,
            Constraint::Positive => 2.3,
            Constraint::UnitInterval => 0.35,
        })
        .collect()
}

/// |a − b| ≤ rel·max(|a|, |b|) + abs.
pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}
