//! Helpers shared by the integration tests: parameter generation, seeded samples, tolerances.
#![allow(dead_code)]

use mlfit::family::{Constraint, Family};
use mlfit::special::{logistic, logit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded generator.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Random parameters around the family's typical ones: positive parameters scaled by a factor
/// in (e^−1, e^1), real ones shifted by up to ±2 (relative to their size), probabilities moved
/// by up to ±1 on the logit scale; fixed counts kept; mixture weights moved by up to e^±½ and
/// renormalised.
pub fn random_params(family: &dyn Family, rng: &mut StdRng) -> Vec<f64> {
    let mut theta: Vec<f64> = family
        .params()
        .iter()
        .zip(family.typical_params())
        .map(|(p, t)| match p.constraint {
            Constraint::Real => t + rng.random_range(-2.0..2.0) * t.abs().max(1.0),
            Constraint::Shape => t + rng.random_range(-0.2..0.2),
            Constraint::Positive => t * rng.random_range(-1.0f64..1.0).exp(),
            Constraint::UnitInterval => logistic(logit(t) + rng.random_range(-1.0..1.0)),
            Constraint::FixedCount => t,
            Constraint::Simplex => t * rng.random_range(-0.5f64..0.5).exp(),
        })
        .collect();
    // Mixture weights: moved on the log scale, then renormalised to sum to 1.
    let weights: Vec<usize> = (0..theta.len())
        .filter(|&j| family.params()[j].constraint == Constraint::Simplex)
        .collect();
    let total: f64 = weights.iter().map(|&j| theta[j]).sum();
    for &j in &weights {
        theta[j] /= total;
    }
    theta
}

/// The family's typical parameters.
pub fn nice_params(family: &dyn Family) -> Vec<f64> {
    family.typical_params()
}

/// |a − b| ≤ rel·max(|a|, |b|) + abs.
pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}
