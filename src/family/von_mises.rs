//! Von Mises (circular normal) distribution for angles in radians.
//!
//! p(x | μ, κ) = exp(κ cos(x − μ)) / (2π I₀(κ)),  x any real angle (the density is 2π-periodic
//! and integrates to 1 over any interval of length 2π); parameters `mu` μ ∈ ℝ (the mean
//! direction, in radians; μ and μ + 2π are the same distribution) and `kappa` κ > 0 (the
//! concentration, roughly 1/variance for large κ). I₀ is the modified Bessel function of the
//! first kind.
//!
//! Exponential family with sufficient statistics (Σw cos x, Σw sin x), yet every evaluation is
//! one pass over the data: the log-likelihood from those two sums,
//! κ (C cos μ + S sin μ) − W ln(2π I₀(κ)), cancels catastrophically for concentrated data
//! (κ = 1e6: W − (C cos μ + S sin μ) ≈ W/κ), and [`Sample`] has no slot to cache anything
//! centred. Instead the pass accumulates, at the current μ, Σw 2 sin²((x − μ)/2) = Σw(1 − cos(x − μ))
//! and Σw sin(x − μ), which carry full relative precision for any κ; ln p is written as
//! −2κ sin²((x − μ)/2) − ln(2π) − ln i0e(κ) with i0e(κ) = e^(−κ) I₀(κ), so nothing overflows.
//!
//! The score for κ is cos(x − μ) − A(κ) with A = I₁/I₀, and the Hessian needs A′(κ) =
//! 1 − A/κ − A². For κ ≥ 50 both 1 − A and A′ come from their asymptotic series in 1/κ
//! (derived from Hankel's expansion of I₀ and I₁, Abramowitz & Stegun 9.7.1), because the
//! direct formulas lose digits in proportion to κ and κ²; below that from the Cephes
//! [`i0e`]/[`i1e`].
//!
//! MLE: μ̂ = atan2(Σw sin x, Σw cos x) and κ̂ solves A(κ) = R̄, the mean resultant length. The
//! initial estimate solves that equation by Newton's method on ln κ from Best & Fisher's
//! approximation (in 1 − A = 1 − R̄ when R̄ > ½, where 1 − R̄ is itself computed without
//! cancellation), so it is the MLE and fit() needs no iteration. Edge cases:
//! - all angles equal modulo 2π (R̄ = 1): κ̂ = ∞, reported as degenerate data;
//! - R̄ ≈ 0 (angles spread evenly round the circle): κ̂ → 0 and μ is not identified; the fit is
//!   reported at the boundary (see [`Family::boundary_note`]).
//!
//! References: Mardia & Jupp, *Directional Statistics* (2000), §3.5.4 and §5.3.1 (the MLE);
//! Best & Fisher, "The bias of the maximum likelihood estimators of the von Mises–Fisher
//! concentration parameters", Comm. Statist. B 10 (1981) (the approximation of A⁻¹); Best &
//! Fisher, "Efficient simulation of the von Mises distribution", Appl. Statist. 28 (1979).

use std::f64::consts::PI;

use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_2PI;
use crate::special::{i0e, i1e};
use crate::sum::CompensatedSum;

/// κ below which the fit is reported at the boundary κ → 0.
const KAPPA_UNIFORM: f64 = 1e-8;
/// κ from which 1 − A(κ) and A′(κ) are taken from their asymptotic series.
const KAPPA_ASYMPTOTIC: f64 = 50.0;

/// The von Mises family, parameters (mu, kappa).
#[derive(Debug, Clone, Copy, Default)]
pub struct VonMises;

impl Family for VonMises {
    fn name(&self) -> &'static str {
        "von_mises"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["vonmises", "circular_normal"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = exp(kappa cos(x - mu)) / (2 pi I0(kappa)), x in radians"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 2] = [ParamSpec::real("mu"), ParamSpec::positive("kappa")];
        &P
    }

    fn support(&self) -> Support {
        Support::Angle
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let pairs = || {
            sample
                .values()
                .iter()
                .enumerate()
                .map(|(i, &x)| (x, sample.weight(i)))
                .filter(|&(_, w)| w > 0.0)
        };
        let (mut w, mut c, mut s) = (
            CompensatedSum::default(),
            CompensatedSum::default(),
            CompensatedSum::default(),
        );
        let mut largest = 1.0f64;
        for (x, wi) in pairs() {
            let (sin, cos) = x.sin_cos();
            w.add(wi);
            c.add(wi * cos);
            s.add(wi * sin);
            largest = largest.max(x.abs());
        }
        let (w, c, s) = (w.value(), c.value(), s.value());
        let mu = s.atan2(c);
        // 1 − R̄ = mean of 1 − cos(x − μ̂), free of the cancellation in 1 − |(C, S)|/W.
        let mut vers = CompensatedSum::default();
        for (x, wi) in pairs() {
            vers.add(wi * versine(x - mu));
        }
        let one_minus_rbar = vers.value() / w;
        // Angles that coincide modulo 2π up to the rounding of values of this size.
        if one_minus_rbar <= 8.0 * (f64::EPSILON * largest).powi(2) {
            return Err(degenerate(
                self,
                "all angles are equal (modulo 2π), so the concentration kappa would be infinite",
            ));
        }
        let rbar = (c.hypot(s) / w).min(1.0);
        Ok(vec![mu, solve_kappa(rbar, one_minus_rbar)])
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        if !x.is_finite() {
            return f64::NEG_INFINITY;
        }
        let (mu, kappa) = (theta[0], theta[1]);
        let (s, c) = (0.5 * (x - mu)).sin_cos();
        let vers = 2.0 * s * s;
        let sin = 2.0 * s * c;
        let need_ratio = grad.is_some() || hess.is_some();
        let r = if need_ratio {
            Ratio::at(kappa)
        } else {
            Ratio::default()
        };
        if let Some(g) = grad {
            g[0] = kappa * sin;
            g[1] = r.one_minus_a - vers;
        }
        if let Some(h) = hess {
            h[0] = -kappa * (1.0 - vers);
            h[1] = sin;
            h[2] = h[1];
            h[3] = -r.a_prime;
        }
        -kappa * vers - LN_2PI - i0e(kappa).ln()
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, kappa) = (theta[0], theta[1]);
        let x = sample.values();
        let m = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), mu),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                mu,
            ),
        };
        if grad.is_some() || hess.is_some() {
            let r = Ratio::at(kappa);
            if let Some(g) = grad {
                g[0] = kappa * m.wsin;
                g[1] = m.w * r.one_minus_a - m.wvers;
            }
            if let Some(h) = hess {
                h[0] = -kappa * (m.w - m.wvers);
                h[1] = m.wsin;
                h[2] = h[1];
                h[3] = -m.w * r.a_prime;
            }
        }
        -kappa * m.wvers - m.w * (LN_2PI + i0e(kappa).ln())
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        (theta[1] < KAPPA_UNIFORM).then(|| {
            format!(
                "kappa → 0 (kappa = {:e}): the data look uniform on the circle, so the mean \
                 direction mu is not identified",
                theta[1]
            )
        })
    }

    /// P(μ − π ≤ X ≤ x) for the law on the interval [μ − π, μ + π) centred on the mean
    /// direction (`scipy.stats.vonmises.cdf(x, κ, loc = μ)` there): 0 for x ≤ μ − π and 1
    /// for x ≥ μ + π. Angles are *not* reduced modulo 2π: reduce the data to
    /// [μ − π, μ + π) first.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (mu, kappa) = (theta[0], theta[1]);
        let y = x - mu;
        if y <= -PI {
            return Some(0.0);
        }
        if y >= PI {
            return Some(1.0);
        }
        // By symmetry both tails are ∫_{|y|}^{π} p: integrate e^(−2κ sin²(t/2)) there
        // (adaptive Gauss–Kronrod, with break points at multiples of 1/√κ so that a narrow
        // peak next to |y| = 0 is resolved) and divide by 2π i0e(κ).
        let ay = y.abs();
        let f = |t: f64| {
            let s = (0.5 * t).sin();
            (-2.0 * kappa * s * s).exp()
        };
        let width = 1.0 / kappa.sqrt();
        let mut tail = 0.0;
        let mut lo = ay;
        for m in [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
            let hi = m * width;
            if hi > lo && hi < PI {
                tail += super::skew_normal::integrate(&f, lo, hi);
                lo = hi;
            }
        }
        tail += super::skew_normal::integrate(&f, lo, PI);
        let tail = (tail / (2.0 * PI * i0e(kappa))).clamp(0.0, 1.0);
        Some(if y < 0.0 { tail } else { 1.0 - tail })
    }

    /// Draws μ + d with the deviation d in [−π, π]: Best & Fisher's (1979) rejection sampler
    /// (as in numpy's `vonmises`), the uniform law for κ < 1e-8 and the wrapped normal
    /// approximation N(0, 1/κ) for κ > 1e6, where the rejection step loses precision.
    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (mu, kappa) = (theta[0], theta[1]);
        (0..n).map(|_| mu + deviation(kappa, rng)).collect()
    }

    /// The mean and variance of the representative μ + d, d ∈ [−π, π], that
    /// [`Family::sample`] returns (a circular law has no linear moments of its own): μ and
    /// E[d²] = π²/3 + 4 Σₖ (−1)ᵏ Aₖ(κ)/k², with Aₖ = Iₖ(κ)/I₀(κ) (the Fourier series of d²).
    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        (theta[0], mean_squared_deviation(theta[1]))
    }
}

/// 1 − cos(d) = 2 sin²(d/2), without cancellation for small d.
#[inline]
fn versine(d: f64) -> f64 {
    let s = (0.5 * d).sin();
    2.0 * s * s
}

/// The weighted sums of one pass at the current μ: Σw, Σw (1 − cos(x − μ)), Σw sin(x − μ).
struct Sums {
    w: f64,
    wvers: f64,
    wsin: f64,
}

impl Sums {
    #[inline]
    fn over(pairs: impl Iterator<Item = (f64, f64)>, mu: f64) -> Sums {
        let mut w_sum = 0.0;
        // Both compensated: Σw sin(x − μ) is the μ-score, a small difference near μ̂.
        let (mut wvers, mut wsin) = (CompensatedSum::default(), CompensatedSum::default());
        for (x, w) in pairs {
            let (s, c) = (0.5 * (x - mu)).sin_cos();
            let ws = w * s;
            w_sum += w;
            wvers.add(2.0 * ws * s);
            wsin.add(2.0 * ws * c);
        }
        Sums {
            w: w_sum,
            wvers: wvers.value(),
            wsin: wsin.value(),
        }
    }
}

/// The Bessel ratio A(κ) = I₁(κ)/I₀(κ), its complement 1 − A (each to full relative precision,
/// also where it is small) and its derivative A′(κ) = 1 − A/κ − A².
#[derive(Default, Clone, Copy)]
struct Ratio {
    a: f64,
    one_minus_a: f64,
    a_prime: f64,
}

/// Coefficients Dₖ of 1 − A(κ) ~ Σₖ Dₖ κ⁻ᵏ (k = 1 … 16), exact rationals from the quotient of
/// Hankel's expansions e^(−κ)√(2πκ) I_ν(κ) ~ Σₖ (−1)ᵏ Πⱼ(4ν² − (2j − 1)²) / (k! 8ᵏ κᵏ) for
/// ν = 1 and 0 (A&S 9.7.1); A′(κ) = −d(1 − A)/dκ ~ Σₖ k Dₖ κ⁻⁽ᵏ⁺¹⁾. Truncated after 16 terms the
/// series is accurate to < 2e-17 relative for κ ≥ 50.
const ONE_MINUS_A_SERIES: [f64; 16] = [
    1.0 / 2.0,
    1.0 / 8.0,
    1.0 / 8.0,
    25.0 / 128.0,
    13.0 / 32.0,
    1073.0 / 1024.0,
    103.0 / 32.0,
    375_733.0 / 32_768.0,
    23_797.0 / 512.0,
    55_384_775.0 / 262_144.0,
    2_180_461.0 / 2048.0,
    24_713_030_909.0 / 4_194_304.0,
    72_763_141.0 / 2048.0,
    7_780_757_249_041.0 / 33_554_432.0,
    13_342_715_521.0 / 8192.0,
    26_308_967_412_122_125.0 / 2_147_483_648.0,
];

impl Ratio {
    fn at(kappa: f64) -> Ratio {
        if kappa >= KAPPA_ASYMPTOTIC {
            let u = 1.0 / kappa;
            let (mut d, mut dp) = (0.0, 0.0);
            for (k, &c) in ONE_MINUS_A_SERIES.iter().enumerate().rev() {
                d = d * u + c;
                dp = dp * u + (k + 1) as f64 * c;
            }
            return Ratio {
                a: 1.0 - d * u,
                one_minus_a: d * u,
                a_prime: dp * u * u,
            };
        }
        let (i0, i1) = (i0e(kappa), i1e(kappa));
        let one_minus_a = (i0 - i1) / i0;
        // A/κ = (i1e(κ)/κ)/i0e(κ) stays finite as κ → 0 (it tends to ½).
        let a_over_kappa = if kappa > 0.0 { i1 / kappa / i0 } else { 0.5 };
        Ratio {
            a: i1 / i0,
            one_minus_a,
            a_prime: one_minus_a * (2.0 - one_minus_a) - a_over_kappa,
        }
    }
}

/// Solve A(κ) = R̄ for κ > 0, given R̄ and 1 − R̄ (each accurate where it is small).
///
/// Start: Best & Fisher's (1981) piecewise approximation of A⁻¹. Then Newton's method on
/// s = ln κ, for ln A(κ) = ln R̄ when R̄ ≤ ½ and for ln(1 − A(κ)) = ln(1 − R̄) otherwise, so that
/// neither tail loses digits; both are monotone in s, and steps are capped at ±2 in s.
fn solve_kappa(rbar: f64, one_minus_rbar: f64) -> f64 {
    if rbar < 1e-6 {
        // A(κ) = κ/2 − κ³/16 + O(κ⁵): the series inverse is exact to rounding here (and
        // κ = 0 is replaced by the smallest positive value so that the start is valid).
        return (2.0 * rbar + rbar.powi(3)).max(f64::MIN_POSITIVE);
    }
    let mut kappa = if rbar < 0.53 {
        2.0 * rbar + rbar.powi(3) + 5.0 * rbar.powi(5) / 6.0
    } else if rbar < 0.85 {
        -0.4 + 1.39 * rbar + 0.43 / one_minus_rbar
    } else {
        // 1/(R̄³ − 4R̄² + 3R̄) = 1/(R̄ (1 − R̄)(3 − R̄)).
        1.0 / (rbar * one_minus_rbar * (2.0 + one_minus_rbar))
    };
    let low = rbar <= 0.5;
    let target = if low { rbar.ln() } else { one_minus_rbar.ln() };
    for _ in 0..100 {
        let r = Ratio::at(kappa);
        // f(s) and df/ds, s = ln κ.
        let (f, df) = if low {
            (r.a.ln() - target, kappa * r.a_prime / r.a)
        } else {
            (
                r.one_minus_a.ln() - target,
                -kappa * r.a_prime / r.one_minus_a,
            )
        };
        if !(df != 0.0 && f.is_finite()) {
            break;
        }
        let step = (-f / df).clamp(-2.0, 2.0);
        kappa *= step.exp();
        if step.abs() < 1e-15 {
            break;
        }
    }
    kappa
}

/// One draw of the deviation d = x − μ ∈ [−π, π].
fn deviation(kappa: f64, rng: &mut dyn RngCore) -> f64 {
    let uniform = |rng: &mut dyn RngCore| -> f64 { rand::Rng::random::<f64>(rng) };
    if kappa < KAPPA_UNIFORM {
        return PI * (2.0 * uniform(rng) - 1.0);
    }
    if kappa > 1e6 {
        let z: f64 = StandardNormal.sample(rng);
        let d = z / kappa.sqrt();
        return (d + PI).rem_euclid(2.0 * PI) - PI;
    }
    // Best & Fisher (1979): a wrapped Cauchy envelope with parameter s.
    let s = if kappa < 1e-5 {
        1.0 / kappa + kappa
    } else {
        let r = 1.0 + (1.0 + 4.0 * kappa * kappa).sqrt();
        let rho = (r - (2.0 * r).sqrt()) / (2.0 * kappa);
        (1.0 + rho * rho) / (2.0 * rho)
    };
    let w = loop {
        let z = (PI * uniform(rng)).cos();
        let w = (1.0 + s * z) / (s + z);
        let y = kappa * (s - w);
        let v = uniform(rng);
        if y * (2.0 - y) - v >= 0.0 || (y / v).ln() + 1.0 - y >= 0.0 {
            break w;
        }
    };
    let d = w.clamp(-1.0, 1.0).acos();
    if uniform(rng) < 0.5 {
        -d
    } else {
        d
    }
}

/// E[d²] for d ∈ [−π, π] under the von Mises law centred at 0: π²/3 + 4 Σₖ (−1)ᵏ Aₖ(κ)/k²,
/// where Aₖ = Iₖ/I₀ = Πⱼ≤ₖ rⱼ and the ratios rⱼ = Iⱼ/Iⱼ₋₁ come from the backward recurrence
/// rⱼ = 1/(2j/κ + rⱼ₊₁), stable in that direction (started where Aₖ is below 1e-20).
fn mean_squared_deviation(kappa: f64) -> f64 {
    let top = 40 + (10.0 * kappa.sqrt()) as usize;
    let mut ratios = vec![0.0; top + 1];
    let mut next = 0.0;
    for j in (1..=top).rev() {
        next = 1.0 / (2.0 * j as f64 / kappa + next);
        ratios[j] = next;
    }
    let (mut a, mut sum) = (1.0, 0.0);
    for (k, &r) in ratios.iter().enumerate().skip(1) {
        a *= r;
        if a == 0.0 {
            break;
        }
        let kf = k as f64;
        sum += if k % 2 == 0 { a } else { -a } / (kf * kf);
    }
    PI * PI / 3.0 + 4.0 * sum
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{check_derivatives_with, check_fast_path, rel_close, Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_density_values() {
        // mpmath (40 digits) of κ cos(x − μ) − ln(2π I₀(κ)); scipy.stats.vonmises.logpdf(x,
        // kappa, loc=mu) agrees to the digits it keeps.
        let cases = [
            // vonmises.logpdf(1.3, 2.3, loc=0.7) = -0.9797424903243683
            (0.7, 2.3, 1.3, -0.979_742_490_324_368_6),
            // vonmises.logpdf(1.3 + 2π, 2.3, loc=0.7): periodic.
            (0.7, 2.3, 1.3 + 2.0 * PI, -0.979_742_490_324_368_6),
            // vonmises.logpdf(-2.0, 0.01, loc=0.5) = -1.8459135024085664
            (0.5, 0.01, -2.0, -1.845_913_502_408_566_6),
            // vonmises.logpdf(3.0, 500.0, loc=3.1) = -0.30980209550316307
            (3.1, 500.0, 3.0, -0.309_802_095_503_163_33),
            // vonmises.logpdf(0.0, 1e6, loc=0.001) = 5.4888166624440675
            (0.001, 1e6, 0.0, 5.488_816_662_444_067),
            // vonmises.logpdf(0.5, 1e-12, loc=0.0) = -1.8378770664084672
            (0.0, 1e-12, 0.5, -1.837_877_066_408_467_9),
            // vonmises.logpdf(π, 50.0, loc=0.0) = -98.96545256828115
            (0.0, 50.0, PI, -98.965_452_568_281_15),
        ];
        for (mu, kappa, x, expected) in cases {
            let lp = VonMises.ln_density_derivs(&[mu, kappa], x, None, None);
            assert!(rel_close(lp, expected, 2e-15), "{mu} {kappa} {x}: {lp}");
        }
    }

    #[test]
    fn bessel_ratio_is_accurate_for_all_kappa() {
        // mpmath (50 digits): 1 − I₁/I₀ and A′ = 1 − A/κ − A².
        let cases = [
            (1e-10, 0.999_999_999_95, 0.5),
            (0.5, 0.757_500_387_419_198, 0.456_194_712_736_557_1),
            (2.3, 0.258_624_584_623_332_4, 0.128_025_356_354_783_24),
            (10.0, 0.051_400_174_045_154_04, 5.298_387_602_951_359e-3),
            (
                49.999,
                0.010_051_234_688_203_538,
                2.020_707_639_879_285_3e-4,
            ),
            (50.0, 0.010_051_032_621_502_247, 2.020_626_386_760_374_4e-4),
            (1e3, 5.001_251_251_957_198e-4, 5.002_503_757_832_876e-7),
            (1e6, 5.000_001_250_001_25e-7, 5.000_002_500_003_75e-13),
        ];
        for (kappa, one_minus_a, a_prime) in cases {
            let r = Ratio::at(kappa);
            assert!(
                rel_close(r.one_minus_a, one_minus_a, 1e-14),
                "1 − A({kappa}) = {}",
                r.one_minus_a
            );
            assert!(
                rel_close(r.a_prime, a_prime, 1e-12),
                "A′({kappa}) = {}",
                r.a_prime
            );
        }
    }

    #[test]
    fn bessel_ratio_itself_is_accurate_as_kappa_vanishes() {
        // A(κ) = κ/2 − κ³/16 + …: not 1 − (1 − A), which would keep ~6 digits at κ = 1e-10.
        assert!(rel_close(Ratio::at(1e-10).a, 5e-11, 1e-15));
        assert!(rel_close(Ratio::at(1e-3).a, 4.999_999_375e-4, 1e-12));
    }

    #[test]
    fn kappa_equation_is_solved_to_machine_precision() {
        for &kappa in &[1e-7, 1e-3, 0.3, 1.0, 2.3, 7.0, 49.0, 51.0, 800.0, 1e5, 1e9] {
            let r = Ratio::at(kappa);
            let got = solve_kappa(r.a, r.one_minus_a);
            assert!(rel_close(got, kappa, 1e-12), "kappa {kappa}: got {got}");
        }
        // R̄ = 0 gives the smallest valid start, κ → 0.
        assert_eq!(solve_kappa(0.0, 1.0), f64::MIN_POSITIVE);
    }

    #[test]
    fn initial_estimate_is_the_closed_form_mle() {
        // Angles in [0, 2π) and the same angles shifted by multiples of 2π give the same fit.
        let x = vec![0.3, 0.9, 6.1, 0.2, 1.4, 5.9, 0.5];
        let shifted: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| v + 2.0 * PI * (i as f64 - 3.0))
            .collect();
        let a = VonMises
            .initial_estimate(&Sample::new(x.clone()).unwrap())
            .unwrap();
        let b = VonMises
            .initial_estimate(&Sample::new(shifted).unwrap())
            .unwrap();
        assert!((a[0] - b[0]).abs() < 1e-14 && rel_close(a[1], b[1], 1e-12));
        let c: f64 = x.iter().map(|v| v.cos()).sum();
        let s: f64 = x.iter().map(|v| v.sin()).sum();
        assert!((a[0] - s.atan2(c)).abs() < 1e-15);
        assert!(rel_close(Ratio::at(a[1]).a, c.hypot(s) / 7.0, 1e-14));
        let mut g = [0.0; 2];
        VonMises.log_likelihood(&a, &Sample::new(x).unwrap(), Some(&mut g), None);
        assert!(g.iter().all(|v| v.abs() < 1e-13), "{g:?}");
    }

    #[test]
    fn concentrated_data_keep_full_precision() {
        // Angles within ~1e-5 of 2: κ̂ ≈ 1e10, and the score at the start is zero to rounding.
        let x: Vec<f64> = (0..40)
            .map(|i| 2.0 + 1e-5 * ((i as f64) * 0.77).sin())
            .collect();
        let s = Sample::new(x).unwrap();
        let t = VonMises.initial_estimate(&s).unwrap();
        assert!(t[1] > 1e9 && t[1] < 1e11, "{t:?}");
        let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
        let ll = VonMises.log_likelihood(&t, &s, Some(&mut g), Some(&mut h));
        assert!(ll.is_finite() && ll > 0.0);
        // In the optimizer's units: √κ ∂/∂μ and κ ∂/∂κ, per observation.
        assert!((g[0] / t[1].sqrt() / 40.0).abs() < 1e-9, "{g:?}");
        assert!((g[1] * t[1] / 40.0).abs() < 1e-9, "{g:?}");
        let f = fit(&VonMises, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
    }

    #[test]
    fn degenerate_and_uniform_data() {
        // Equal angles modulo 2π: κ̂ = ∞.
        for x in [vec![1.0; 4], vec![0.0, 2.0 * PI, -2.0 * PI, 4.0 * PI]] {
            let e = VonMises
                .initial_estimate(&Sample::new(x).unwrap())
                .unwrap_err();
            assert!(e.to_string().contains("all angles are equal"), "{e}");
        }
        // Evenly spread angles: R̄ = 0 to rounding, κ̂ → 0 is reported as a boundary.
        let x: Vec<f64> = (0..12).map(|i| i as f64 * PI / 6.0).collect();
        let f = fit(&VonMises, &Sample::new(x).unwrap(), &FitOptions::default()).unwrap();
        assert!(!f.converged);
        assert_eq!(f.termination, Termination::Boundary);
        assert!(
            f.notes.iter().any(|n| n.contains("uniform")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        for &(theta, x) in &[
            ([0.7, 2.3], 1.3),
            ([0.7, 2.3], -2.5),
            ([0.5, 0.01], 3.0),
            ([3.1, 500.0], 3.0),
            ([0.0, 49.9], 0.1),
            ([0.0, 50.1], 0.1),
            ([-2.0, 1e4], -2.01),
            ([1.0, 3.0], 1.0 + 20.0 * PI),
        ] {
            let how = Derivs {
                step: Step::RelativeAtLeastOne(1e-6),
                ..Derivs::rel(1e-6)
            };
            check_derivatives_with(&VonMises, &theta, x, how);
        }
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, -1.5, 3.0, 0.9, 6.0, -4.0];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0];
        let weighted = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        let plain = Sample::new(x).unwrap();
        for (theta, s) in [
            ([0.4, 1.3], &weighted),
            ([-2.0, 80.0], &weighted),
            ([0.4, 1e-4], &plain),
        ] {
            check_fast_path(&VonMises, &theta, s, 1e-14, 1e-12);
        }
    }

    #[test]
    fn moments_of_the_sampled_representative() {
        // mpmath quadrature of d² p(d) over [−π, π].
        for (kappa, expected) in [
            (1e-3, 3.287_868_258_937_173_4),
            (0.5, 2.348_803_343_668_747),
            (2.3, 0.632_139_933_267_594_9),
            (50.0, 0.020_204_479_599_051_395),
            (1e4, 1.000_050_005_417_541_9e-4),
        ] {
            let got = mean_squared_deviation(kappa);
            assert!(rel_close(got, expected, 1e-10), "{kappa}: {got}");
        }
        // The sampler: every draw within π of μ, with the stated second moment.
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for kappa in [1e-9, 0.3, 2.3, 300.0, 1e7] {
            let d = VonMises.sample(&[1.0, kappa], 20_000, &mut rng);
            assert!(d.iter().all(|v| (v - 1.0).abs() <= PI));
            let m2 = d.iter().map(|v| (v - 1.0).powi(2)).sum::<f64>() / 20_000.0;
            let e = mean_squared_deviation(kappa);
            assert!((m2 - e).abs() < 0.05 * e, "{kappa}: {m2} vs {e}");
        }
    }

    #[test]
    fn fit_recovers_parameters_without_iterating() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let x = VonMises.sample(&[-2.5, 4.0], 2000, &mut rng);
        let s = Sample::new(x).unwrap();
        let f = fit(&VonMises, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{:?} {:?}", f.termination, f.notes);
        assert!(f.iterations <= 1, "{}", f.iterations);
        let se = f.std_errors.clone().unwrap();
        assert!((f.theta()[0] + 2.5).abs() < 5.0 * se.get("mu").unwrap());
        assert!((f.theta()[1] - 4.0).abs() < 5.0 * se.get("kappa").unwrap());
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.vonmises.cdf(x, kappa=2, loc=0.5) (mu 0.5, kappa 2).
        let theta = [0.5, 2.0];
        for (x, want) in [
            (0.5, 0.5),
            (-2.5, 0.0013468622889360217),
            (1.0, 0.7381922144185191),
            (3.0, 0.9930149943054626),
        ] {
            let got = VonMises.cdf(&theta, x).unwrap();
            assert!((got - want).abs() <= 1e-13, "x = {x}: {got} vs {want}");
        }
        // Small and large concentrations: scipy.stats.vonmises.cdf(x, kappa, loc=0.5) for
        // κ = 0.3; for κ ≥ 50 scipy switches to a normal approximation good to ~1e-8 only
        // (0.8681391424001339 at κ = 500), so there mpmath (40 digits):
        // mp.quad(lambda t: exp(κ (cos t − 1)), [−π, …, x − μ]) / (2π besseli(0, κ) e^(−κ)).
        for (kappa, x, want) in [
            (0.3, 1.0, 0.6037590965346583),
            (500.0, 0.55, 0.8681391237022178),
            (1000000.0, 0.499, 0.1586552942599299),
        ] {
            let got = VonMises.cdf(&[0.5, kappa], x).unwrap();
            assert!(
                (got - want).abs() <= 1e-13,
                "kappa = {kappa}, x = {x}: {got} vs {want}"
            );
        }
        assert_eq!(VonMises.cdf(&theta, 0.5 - 4.0), Some(0.0));
        assert_eq!(VonMises.cdf(&theta, 0.5 + 4.0), Some(1.0));
    }
}
