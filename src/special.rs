//! Special functions used by the families, each from the most accurate source available.
//!
//! `ln Γ` comes from `libm` (a port of the FreeBSD msun `lgamma_r`, ~1 ulp); ψ from `statrs`
//! (Bernardo 1976, AS 103, ~3e-15); ψ′ from `special` (the SpecialFunctions.jl algorithm,
//! ~2e-15). What no crate provides accurately is written here and cites its source.

/// ln Γ(x) for x > 0 (libm `lgamma`, ~1 ulp).
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// The digamma function ψ(x) = d/dx ln Γ(x).
#[inline]
pub fn digamma(x: f64) -> f64 {
    statrs::function::gamma::digamma(x)
}

/// The trigamma function ψ′(x).
#[inline]
pub fn trigamma(x: f64) -> f64 {
    special::Gamma::trigamma(&x)
}

/// ln x − ψ(x) for x > 0, without the cancellation of the direct difference for large x.
///
/// For x ≥ 10 the asymptotic (Stirling) series
/// ln x − ψ(x) = 1/(2x) + Σₖ B₂ₖ/(2k x²ᵏ) is summed to x⁻¹⁴ (Abramowitz & Stegun 6.3.18),
/// accurate to a few ulp; below that the difference is well conditioned.
pub fn ln_minus_digamma(x: f64) -> f64 {
    if x < 10.0 {
        return x.ln() - digamma(x);
    }
    let r = 1.0 / (x * x);
    // B2/2, B4/4, ... B14/14 with B2k the Bernoulli numbers.
    let series = r
        * (1.0 / 12.0
            - r * (1.0 / 120.0
                - r * (1.0 / 252.0
                    - r * (1.0 / 240.0 - r * (1.0 / 132.0 - r * (691.0 / 32760.0 - r / 12.0))))));
    0.5 / x + series
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
#[inline]
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln(1 + eˣ) without overflow or loss of precision.
#[inline]
pub fn ln_1p_exp(x: f64) -> f64 {
    if x > 35.0 {
        x
    } else if x < -35.0 {
        x.exp()
    } else {
        x.exp().ln_1p()
    }
}

/// The logistic function 1/(1 + e⁻ˣ), evaluated without overflow.
#[inline]
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// ln(p / (1 − p)).
#[inline]
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Stirling's error term δ(n) = ln Γ(n + 1) − (n + ½) ln n + n − ½ ln 2π, for n > 0.
///
/// For n > 15 the asymptotic series 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) + 1/(1188n⁹)
/// (to as many terms as n needs); below that the defining difference, whose absolute error
/// (~1e-15) is what matters in the saddle-point form of the Poisson mass. Loader (2000).
pub fn stirling_error(n: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15.0 {
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - 0.918_938_533_204_672_8;
    }
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// The deviance term bd0(x, m) = x ln(x/m) + m − x ≥ 0, accurate when x ≈ m where the direct
/// formula cancels: there it sums the series 2x Σ v^(2j+1)/(2j+1) − (x − m)v, v = (x−m)/(x+m).
/// Loader (2000), "Fast and accurate computation of binomial probabilities".
pub fn deviance_term(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let s1 = s + ej / (2 * j + 1) as f64;
            if s1 == s {
                return s;
            }
            s = s1;
        }
        s
    } else {
        x * (x / m).ln() + m - x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_minus_digamma_matches_direct_difference_where_that_is_accurate() {
        for &x in &[10.0f64, 12.5, 30.0, 100.0] {
            let direct = x.ln() - digamma(x);
            let r = ln_minus_digamma(x);
            assert!(
                (r - direct).abs() <= 1e-13 * direct,
                "x={x}: {r} vs {direct}"
            );
        }
        // Continuity at the switch point.
        let below = ln_minus_digamma(10.0 - 1e-12);
        assert!((below - ln_minus_digamma(10.0)).abs() < 1e-12);
    }

    #[test]
    fn ln_minus_digamma_large_argument_asymptote() {
        // ln x − ψ(x) ≈ 1/(2x) + 1/(12x²) for huge x; direct subtraction would lose all digits.
        let x = 1e8;
        let expected = 0.5 / x + 1.0 / (12.0 * x * x);
        assert!((ln_minus_digamma(x) - expected).abs() < 1e-24);
    }

    #[test]
    fn stirling_error_and_deviance_term() {
        // δ(n) from its definition where that is accurate, and the series beyond.
        for &n in &[1.0, 2.5, 15.0, 16.0, 40.0, 100.0] {
            let direct = ln_gamma(n + 1.0) - (n + 0.5) * f64::ln(n) + n - 0.918_938_533_204_672_8;
            assert!((stirling_error(n) - direct).abs() < 1e-13, "n={n}");
        }
        let n = 1000.0f64;
        let series = 1.0 / (12.0 * n) - 1.0 / (360.0 * n.powi(3)) + 1.0 / (1260.0 * n.powi(5));
        assert!((stirling_error(n) - series).abs() < 1e-18);
        // δ(1e6) ≈ 1/(12e6) to double precision.
        assert!((stirling_error(1e6) - 1.0 / 12e6).abs() < 3e-21);
        assert_eq!(deviance_term(7.0, 7.0), 0.0);
        let (x, m) = (9800.0f64, 10000.0f64);
        let direct = x * (x / m).ln() + m - x;
        assert!((deviance_term(x, m) - direct).abs() < 1e-9);
        assert!((deviance_term(3.0, 0.5) - (3.0 * 6f64.ln() + 0.5 - 3.0)).abs() < 1e-15);
    }

    #[test]
    fn known_values() {
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-14);
        assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-14);
        assert!((ln_gamma(0.5) - 0.5 * std::f64::consts::PI.ln()).abs() < 1e-15);
        assert!((ln_1p_exp(0.0) - 2f64.ln()).abs() < 1e-16);
        assert_eq!(ln_1p_exp(800.0), 800.0);
        assert!((logistic(-800.0)).abs() < 1e-300);
        assert!((logit(logistic(1.3)) - 1.3).abs() < 1e-14);
    }
}
