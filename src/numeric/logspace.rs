//! Arithmetic on numbers held as their logarithms: ln(eᵃ + eᵇ + …), ln(eᵃ − eᵇ) and
//! ln(1 − eˣ), without overflow, underflow or cancellation. A censored observation's
//! contribution ln[F(u) − F(l)] is `log_diff_exp(ln F(u), ln F(l))`, which stays accurate where
//! both probabilities are far below the smallest float or both are within rounding of 1.
//!
//! Reference: Mächler, "Accurately computing log(1 − exp(−|a|))", Rmpfr vignette (2012): of
//! ln(−expm1(x)) and ln1p(−eˣ) each is accurate on one side of x = −ln 2.

use std::f64::consts::LN_2;

/// ln(1 − eˣ) for x ≤ 0 (−∞ at x = 0, NaN for x > 0 or NaN).
///
/// Near 0, 1 − eˣ cancels: −expm1(x) keeps it exact; far below, eˣ is tiny and ln1p keeps its
/// relative precision.
#[inline]
pub fn log1mexp(x: f64) -> f64 {
    if x > -LN_2 {
        // Also x = 0 (→ ln 0 = −∞) and x > 0 (→ ln of a negative number = NaN).
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

/// ln(eᵃ − eᵇ) for a ≥ b: −∞ when a = b (including a = b = −∞), a when b = −∞, NaN when
/// a < b, either is NaN, or a = b = +∞.
#[inline]
pub fn log_diff_exp(a: f64, b: f64) -> f64 {
    if a == b {
        return if a == f64::INFINITY {
            f64::NAN
        } else {
            f64::NEG_INFINITY
        };
    }
    if !(a > b) {
        return f64::NAN;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    if a == f64::INFINITY {
        return a;
    }
    a + log1mexp(b - a)
}

/// ln(eᵃ + eᵇ), shifted by the larger argument: −∞ when both are −∞, +∞ when either is.
#[inline]
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if hi.is_infinite() {
        // Also NaN when either argument is NaN: the comparison above put it in `hi` or `lo`.
        return if lo.is_nan() { lo } else { hi };
    }
    hi + (lo - hi).exp().ln_1p()
}

/// ln Σ e^(xᵢ), shifted by the largest term: −∞ for an empty slice or one of −∞ only, +∞ when
/// any term is +∞, NaN when any is NaN.
pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let mut top = (usize::MAX, f64::NEG_INFINITY);
    for (i, &x) in xs.iter().enumerate() {
        if x.is_nan() {
            return x;
        }
        if x > top.1 {
            top = (i, x);
        }
    }
    let (at, top) = top;
    if !top.is_finite() {
        return top;
    }
    // The largest term is exactly 1 after the shift; summing the others apart and adding them
    // by ln1p keeps them when they are below the rounding of 1.
    let rest: f64 = xs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != at)
        .map(|(_, &x)| (x - top).exp())
        .sum();
    top + rest.ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn log1mexp_on_both_sides_of_ln_2() {
        // ln(1 − e^(−1e-20)) = ln(1e-20) − 5e-21 + …
        assert!(close(log1mexp(-1e-20), -46.051_701_859_880_914, 1e-15));
        // ln(1 − e^(−1)) = ln 0.632120558828557678…
        assert!(close(log1mexp(-1.0), -0.458_675_145_387_081_9, 1e-15));
        // ln(1 − e^(−40)) ≈ −e^(−40) = −4.248354255291589e-18.
        assert!(close(log1mexp(-40.0), -4.248_354_255_291_589e-18, 1e-14));
        // The switch point: ln(1 − ½) = −ln 2 from either side.
        assert!(close(log1mexp(-LN_2), -LN_2, 1e-15));
        assert_eq!(log1mexp(0.0), f64::NEG_INFINITY);
        assert_eq!(log1mexp(f64::NEG_INFINITY), 0.0);
        assert!(log1mexp(0.5).is_nan());
        assert!(log1mexp(f64::NAN).is_nan());
    }

    #[test]
    fn log_diff_exp_known_values() {
        assert!(close(
            log_diff_exp(0.0, -1e-20),
            -46.051_701_859_880_914,
            1e-15
        ));
        // Both below the smallest subnormal: e^(−745) − e^(−746) would be 0 − 0 in floats.
        // −745 + ln(1 − e^(−1)) = −745.458675145387081…
        assert!(close(
            log_diff_exp(-745.0, -746.0),
            -745.458_675_145_387_1,
            1e-15
        ));
        // Two nearby large magnitudes, b − a = −2⁻²⁰ exactly:
        // ln(1 − e^(−x)) = ln x − x/2 + x²/24 − ….
        let x = 2f64.powi(-20);
        assert!(close(
            log_diff_exp(-1e4, -1e4 - x),
            -1e4 + x.ln() - x / 2.0,
            1e-15
        ));
        // ln(e² − e) = 1 + ln(e − 1) = 1.541324854612918…
        assert!(close(log_diff_exp(2.0, 1.0), 1.541_324_854_612_918, 1e-15));
        // A lower tail: ln Φ-like values of −800 and −801.
        assert!(close(
            log_diff_exp(-800.0, -801.0),
            -800.458_675_145_387_1,
            1e-15
        ));
    }

    #[test]
    fn log_diff_exp_edges() {
        assert_eq!(log_diff_exp(0.0, 0.0), f64::NEG_INFINITY);
        assert_eq!(log_diff_exp(-3.0, -3.0), f64::NEG_INFINITY);
        assert_eq!(
            log_diff_exp(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        assert_eq!(log_diff_exp(-2.5, f64::NEG_INFINITY), -2.5);
        assert_eq!(log_diff_exp(f64::INFINITY, 1.0), f64::INFINITY);
        assert!(log_diff_exp(f64::INFINITY, f64::INFINITY).is_nan());
        assert!(log_diff_exp(-1.0, 0.0).is_nan());
        assert!(log_diff_exp(f64::NAN, 0.0).is_nan());
        assert!(log_diff_exp(0.0, f64::NAN).is_nan());
    }

    #[test]
    fn log_add_and_sum_exp() {
        // ln(1 + e) = 1.313261687518222834…
        assert!(close(log_add_exp(0.0, 1.0), 1.313_261_687_518_222_8, 1e-15));
        assert!(close(log_add_exp(1.0, 0.0), 1.313_261_687_518_222_8, 1e-15));
        assert!(close(log_add_exp(1000.0, 1000.0), 1000.0 + LN_2, 1e-15));
        assert!(close(log_add_exp(-1000.0, -1000.0), -1000.0 + LN_2, 1e-15));
        assert_eq!(log_add_exp(f64::NEG_INFINITY, -3.0), -3.0);
        assert_eq!(
            log_add_exp(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        assert_eq!(log_add_exp(f64::INFINITY, 2.0), f64::INFINITY);
        assert!(log_add_exp(f64::NAN, 2.0).is_nan());
        assert!(log_add_exp(2.0, f64::NAN).is_nan());

        assert!(close(
            log_sum_exp(&[0.0, 1.0]),
            1.313_261_687_518_222_8,
            1e-15
        ));
        // ln(3 e^(−800)) = −800 + ln 3.
        let ln3 = 3f64.ln();
        assert!(close(
            log_sum_exp(&[-800.0, -800.0, -800.0]),
            -800.0 + ln3,
            1e-15
        ));
        // A term far below the top only nudges it: ln(1 + e^(−40)) = e^(−40) to first order.
        assert!(close(
            log_sum_exp(&[0.0, -40.0]),
            4.248_354_255_291_589e-18,
            1e-14
        ));
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY; 2]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[1.0, f64::INFINITY]), f64::INFINITY);
        assert!(log_sum_exp(&[1.0, f64::NAN]).is_nan());
    }
}
