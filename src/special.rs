//! Special functions used by the families, each from the most accurate source available.
//!
//! `ln Γ` comes from `libm` (a port of the FreeBSD msun `lgamma_r`, ~1 ulp); ψ from `statrs`
//! (Bernardo 1976, AS 103, ~3e-15); ψ′ from `special` (the SpecialFunctions.jl algorithm,
//! ~2e-15). What no crate provides accurately is written here and cites its source.

use crate::numeric::constants::LN_SQRT_2PI;

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
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - LN_SQRT_2PI;
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

/// Shape above which [`gamma_p`] and [`gamma_q`] use Temme's uniform asymptotic expansion
/// instead of statrs' series and continued fraction, whose length grows like √a (and which never
/// end once a + 1 == a, beyond 2⁵³).
const TEMME_SHAPE: f64 = 1e9;

/// The regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), total over its whole
/// domain and bounded in time for every input: 0 for x ≤ 0, 1 for x = ∞, the limit 1 for a = 0
/// (a shape that underflowed, e.g. half of df = 5e-324) and NaN for NaN or a < 0.
///
/// statrs (Cephes' series and continued fraction) below [`TEMME_SHAPE`]; above it Temme's
/// uniform asymptotic expansion ([`gamma_temme`], with libm's `erfc`), accurate to ~1e-15 there.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    match gamma_edge(a, x) {
        Some(p) => p,
        None if a >= TEMME_SHAPE => gamma_temme(a, x).0,
        None => statrs::function::gamma::checked_gamma_lr(a, x).unwrap_or(f64::NAN),
    }
}

/// The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), with the same domain
/// and methods as [`gamma_p`] (computed directly, not as 1 − P, above [`TEMME_SHAPE`]).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    match gamma_edge(a, x) {
        Some(p) => 1.0 - p,
        None if a >= TEMME_SHAPE => gamma_temme(a, x).1,
        None => statrs::function::gamma::checked_gamma_ur(a, x).unwrap_or(f64::NAN),
    }
}

/// P(a, x) where it is fixed without computation: at the ends of the domain and for a = 0.
fn gamma_edge(a: f64, x: f64) -> Option<f64> {
    if a.is_nan() || x.is_nan() || a < 0.0 || a == f64::INFINITY {
        Some(f64::NAN)
    } else if x <= 0.0 {
        Some(0.0)
    } else if x == f64::INFINITY || a == 0.0 {
        Some(1.0)
    } else {
        None
    }
}

/// (P(a, x), Q(a, x)) by Temme's uniform asymptotic expansion for large a:
/// Q = ½ erfc(η √(a/2)) + e^(−aη²/2)/√(2πa) (C₀(η) + C₁(η)/a), P = ½ erfc(−η √(a/2)) − the same
/// term, with λ = x/a and η = sign(λ − 1) √(2(λ − 1 − ln λ)). For a ≥ 1e9 the correction term
/// underflows unless |η| < 0.04, so C₀ and C₁ are needed only as their Taylor series about 0.
/// Temme, "The asymptotic expansion of the incomplete gamma functions", SIAM J. Math. Anal. 10
/// (1979); DiDonato & Morris, ACM TOMS 12 (1986), eq. (32) and the coefficients d₀ₖ, d₁ₖ.
fn gamma_temme(a: f64, x: f64) -> (f64, f64) {
    use libm::erfc;
    let d = (x - a) / a;
    // λ − 1 − ln λ, by its series where the direct difference cancels.
    let phi = if d.abs() < 1e-3 {
        d * d * (0.5 - d * (1.0 / 3.0 - d * (0.25 - d * (0.2 - d / 6.0))))
    } else {
        d - d.ln_1p()
    };
    let eta = d.signum() * (2.0 * phi).sqrt();
    let u = eta * (0.5 * a).sqrt();
    let c0 =
        -1.0 / 3.0 + eta * (1.0 / 12.0 - eta * (2.0 / 135.0 - eta * (1.0 / 864.0 + eta / 2835.0)));
    let c1 = -1.0 / 540.0 - eta / 288.0;
    let r = if eta.abs() < 0.04 {
        (-a * phi).exp() / (std::f64::consts::TAU * a).sqrt() * (c0 + c1 / a)
    } else {
        0.0
    };
    let q = (0.5 * erfc(u) + r).clamp(0.0, 1.0);
    let p = (0.5 * erfc(-u) - r).clamp(0.0, 1.0);
    (p, q)
}

/// The exponentially scaled modified Bessel function of the first kind of order 0,
/// e^(−|x|) I₀(x): finite for every x (I₀ itself overflows beyond x ≈ 713), so that
/// ln I₀(x) = |x| + ln i0e(x) never overflows.
///
/// Chebyshev expansions on [0, 8] (in x/2 − 2) and on [8, ∞) (of √x e^(−x) I₀(x), in 32/x − 2),
/// from the Cephes Math Library, i0e.c (S. Moshier; the coefficients are public-domain
/// numerical constants, the same as scipy.special.i0e uses). Relative error ~1e-15.
pub fn i0e(x: f64) -> f64 {
    let x = x.abs();
    if x <= 8.0 {
        chbevl(0.5 * x - 2.0, &I0E_A)
    } else {
        chbevl(32.0 / x - 2.0, &I0E_B) / x.sqrt()
    }
}

/// The exponentially scaled modified Bessel function of the first kind of order 1,
/// e^(−|x|) I₁(x) (odd in x). Cephes Math Library, i1e.c (S. Moshier), as [`i0e`]; relative
/// error ~2e-15, also as x → 0 where it is x/2.
pub fn i1e(x: f64) -> f64 {
    let z = x.abs();
    let r = if z <= 8.0 {
        chbevl(0.5 * z - 2.0, &I1E_A) * z
    } else {
        chbevl(32.0 / z - 2.0, &I1E_B) / z.sqrt()
    };
    r.copysign(x)
}

/// Clenshaw's recurrence for Σ′ cₖ Tₖ(x/2), coefficients from the highest degree down
/// (Cephes `chbevl`).
fn chbevl(x: f64, c: &[f64]) -> f64 {
    let (mut b0, mut b1, mut b2) = (c[0], 0.0, 0.0);
    for &ck in &c[1..] {
        b2 = b1;
        b1 = b0;
        b0 = x * b1 - b2 + ck;
    }
    0.5 * (b0 - b2)
}

/// Cephes i0e.c: e^(−x) I₀(x) on [0, 8]; lim x→0 = 1.
#[allow(clippy::excessive_precision)]
const I0E_A: [f64; 30] = [
    -4.41534164647933937950E-18,
    3.33079451882223809783E-17,
    -2.43127984654795469359E-16,
    1.71539128555513303061E-15,
    -1.16853328779934516808E-14,
    7.67618549860493561688E-14,
    -4.85644678311192946090E-13,
    2.95505266312963983461E-12,
    -1.72682629144155570723E-11,
    9.67580903537323691224E-11,
    -5.18979560163526290666E-10,
    2.65982372468238665035E-9,
    -1.30002500998624804212E-8,
    6.04699502254191894932E-8,
    -2.67079385394061173391E-7,
    1.11738753912010371815E-6,
    -4.41673835845875056359E-6,
    1.64484480707288970893E-5,
    -5.75419501008210370398E-5,
    1.88502885095841655729E-4,
    -5.76375574538582365885E-4,
    1.63947561694133579842E-3,
    -4.32430999505057594430E-3,
    1.05464603945949983183E-2,
    -2.37374148058994688156E-2,
    4.93052842396707084878E-2,
    -9.49010970480476444210E-2,
    1.71620901522208775349E-1,
    -3.04682672343198398683E-1,
    6.76795274409476084995E-1,
];

/// Cephes i0e.c: √x e^(−x) I₀(x) on [8, ∞) in 32/x − 2; lim x→∞ = 1/√(2π).
#[allow(clippy::excessive_precision)]
const I0E_B: [f64; 25] = [
    -7.23318048787475395456E-18,
    -4.83050448594418207126E-18,
    4.46562142029675999901E-17,
    3.46122286769746109310E-17,
    -2.82762398051658348494E-16,
    -3.42548561967721913462E-16,
    1.77256013305652638360E-15,
    3.81168066935262242075E-15,
    -9.55484669882830764870E-15,
    -4.15056934728722208663E-14,
    1.54008621752140982691E-14,
    3.85277838274214270114E-13,
    7.18012445138366623367E-13,
    -1.79417853150680611778E-12,
    -1.32158118404477131188E-11,
    -3.14991652796324136454E-11,
    1.18891471078464383424E-11,
    4.94060238822496958910E-10,
    3.39623202570838634515E-9,
    2.26666899049817806459E-8,
    2.04891858946906374183E-7,
    2.89137052083475648297E-6,
    6.88975834691682398426E-5,
    3.36911647825569408990E-3,
    8.04490411014108831608E-1,
];

/// Cephes i1e.c: e^(−x) I₁(x) / x on [0, 8]; lim x→0 = 1/2.
#[allow(clippy::excessive_precision)]
const I1E_A: [f64; 29] = [
    2.77791411276104639959E-18,
    -2.11142121435816608115E-17,
    1.55363195773620046921E-16,
    -1.10559694773538630805E-15,
    7.60068429473540693410E-15,
    -5.04218550472791168711E-14,
    3.22379336594557470981E-13,
    -1.98397439776494371520E-12,
    1.17361862988909016308E-11,
    -6.66348972350202774223E-11,
    3.62559028155211703701E-10,
    -1.88724975172282928790E-9,
    9.38153738649577178388E-9,
    -4.44505912879632808065E-8,
    2.00329475355213526229E-7,
    -8.56872026469545474066E-7,
    3.47025130813767847674E-6,
    -1.32731636560394358279E-5,
    4.78156510755005422638E-5,
    -1.61760815825896745588E-4,
    5.12285956168575772895E-4,
    -1.51357245063125314899E-3,
    4.15642294431288815669E-3,
    -1.05640848946261981558E-2,
    2.47264490306265168283E-2,
    -5.29459812080949914269E-2,
    1.02643658689847095384E-1,
    -1.76416518357834055153E-1,
    2.52587186443633654823E-1,
];

/// Cephes i1e.c: √x e^(−x) I₁(x) on [8, ∞) in 32/x − 2; lim x→∞ = 1/√(2π).
#[allow(clippy::excessive_precision)]
const I1E_B: [f64; 25] = [
    7.51729631084210481353E-18,
    4.41434832307170791151E-18,
    -4.65030536848935832153E-17,
    -3.20952592199342395980E-17,
    2.96262899764595013876E-16,
    3.30820231092092828324E-16,
    -1.88035477551078244854E-15,
    -3.81440307243700780478E-15,
    1.04202769841288027642E-14,
    4.27244001671195135429E-14,
    -2.10154184277266431302E-14,
    -4.08355111109219731823E-13,
    -7.19855177624590851209E-13,
    2.03562854414708950722E-12,
    1.41258074366137813316E-11,
    3.25260358301548823856E-11,
    -1.89749581235054123450E-11,
    -5.58974346219658380687E-10,
    -3.83538038596423702205E-9,
    -2.63146884688951950684E-8,
    -2.51223623787020892529E-7,
    -3.88256480887769039346E-6,
    -1.10588938762623716291E-4,
    -9.76109749136146840777E-3,
    7.78576235018280120474E-1,
];

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
            let direct = ln_gamma(n + 1.0) - (n + 0.5) * f64::ln(n) + n - LN_SQRT_2PI;
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

    #[test]
    fn scaled_bessel_functions_match_scipy() {
        // (x, scipy.special.i0e(x), scipy.special.i1e(x)); mpmath at 30 digits agrees to ≤ 2e-15.
        let cases = [
            (1e-300, 1.0, 5.000_000_000_000_001e-301),
            (1e-5, 0.999_990_000_074_999_2, 4.999_950_000_312_498e-6),
            (0.5, 0.645_035_270_449_15, 0.156_420_803_184_871_73),
            (3.0, 0.243_000_354_161_825_36, 0.196_826_713_297_300_84),
            (8.0, 0.143_431_781_856_850_3, 0.134_142_493_292_698_12),
            (8.5, 0.139_001_843_054_847_58, 0.130_549_355_094_595_86),
            (30.0, 0.073_145_946_482_237_3, 0.071_916_330_598_647_55),
            (700.0, 0.015_081_295_651_531_355, 0.015_070_519_444_716_846),
            (1e6, 3.989_423_302_692_457_7e-4, 3.989_421_307_980_308e-4),
            (
                1e300,
                3.989_422_804_014_327e-151,
                3.989_422_804_014_327e-151,
            ),
        ];
        for (x, e0, e1) in cases {
            assert!((i0e(x) - e0).abs() <= 1e-15 * e0, "i0e({x}) = {}", i0e(x));
            assert!((i1e(x) - e1).abs() <= 1e-15 * e1, "i1e({x}) = {}", i1e(x));
            // Even and odd.
            assert_eq!(i0e(-x), i0e(x));
            assert_eq!(i1e(-x), -i1e(x));
        }
        assert_eq!((i0e(0.0), i1e(0.0)), (1.0, 0.0));
    }

    #[test]
    fn incomplete_gamma_is_total_and_bounded_at_any_shape() {
        // The domain's edges answer without computation (statrs' own functions panic there).
        assert_eq!(gamma_p(0.3, 0.0), 0.0);
        assert_eq!(gamma_p(0.5 * 5e-324, 1e-300), 1.0);
        assert_eq!(gamma_q(2.0, f64::INFINITY), 0.0);
        assert!(gamma_p(-1.0, 2.0).is_nan() && gamma_q(1.0, f64::NAN).is_nan());
        // Temme's expansion against scipy.special.gammainc / gammaincc (Boost, 1.17) just above
        // and far above the switch, across the bulk of the law, where statrs' series would take
        // ~1e5 terms (a = 2e9, as it loses ~1e-9 to cancellation in its prefactor) or never end
        // (a = 1e20 > 2⁵³). Generated by tests/fixtures/incomplete_gamma.py.
        let cases: [(f64, f64, f64, f64); 10] = [
            (
                2.000000e+09,
                -3.0,
                0.0013496337794351762,
                0.9986503662205648,
            ),
            (2.000000e+09, 0.0, 0.5000029735401936, 0.4999970264598064),
            (2.000000e+09, 0.7, 0.7580375347581447, 0.24196246524185538),
            (2.000000e+09, 6.0, 0.9999999990118262, 9.881738023748805e-10),
            (2.000000e+09, 2.0, 0.9772486607906141, 0.022751339209385876),
            (
                1.000000e+20,
                -3.0,
                0.0013498957613436264,
                0.9986501042386563,
            ),
            (1.000000e+20, 0.0, 0.500000000013298, 0.4999999999867019),
            (1.000000e+20, 0.7, 0.7580362998200286, 0.24196370017997143),
            (1.000000e+20, 6.0, 0.9999999990134086, 9.865913851711921e-10),
            (1.000000e+20, 2.0, 0.9772498569890695, 0.022750143010930493),
        ];
        for (a, z, p, q) in cases {
            let x = a + z * a.sqrt();
            let (gp, gq) = (gamma_p(a, x), gamma_q(a, x));
            assert!(
                (gp - p).abs() < 1e-13 && (gq - q).abs() < 1e-13,
                "{a} {z}: {gp} {gq}"
            );
        }
    }
}
