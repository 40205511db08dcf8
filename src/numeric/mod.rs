//! Generic numerics with no knowledge of distributions, data or fits: the one root finder
//! ([`roots`]), the one quadrature ([`quadrature`]), stable arithmetic in log space
//! ([`logspace`]), shared constants ([`constants`]), number formatting ([`mod@format`]) and small
//! predicates such as [`is_count`].
//!
//! Floor 1: this module uses only `std`, external crates and `crate::error`, so that every
//! other floor can use it without an import cycle. Special functions (ln Γ, ψ, …) live beside it
//! in `special`, compensated sums in `sum`.

pub mod constants;
pub mod format;
pub mod logspace;
pub mod quadrature;
pub mod roots;

/// Whether `x` is a count: a non-negative finite integer (as `f64`).
#[inline]
pub fn is_count(x: f64) -> bool {
    x >= 0.0 && x.is_finite() && x.fract() == 0.0
}

#[cfg(test)]
mod tests {
    use super::is_count;

    #[test]
    fn counts_are_non_negative_finite_integers() {
        for x in [0.0, -0.0, 1.0, 7.0, 9.007_199_254_740_992e15, 1e300] {
            assert!(is_count(x), "{x}");
        }
        for x in [-1.0, 0.5, -0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(!is_count(x), "{x}");
        }
    }
}
