//! Student's t distribution with location and scale.
//!
//! p(x | ν, μ, σ) = Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + z²/ν)^(−(ν+1)/2),  z = (x − μ)/σ,
//! x ∈ ℝ; parameters `df` ν > 0 (degrees of freedom), `location` μ ∈ ℝ and `scale` σ > 0 (the
//! scale, not the standard deviation: Var = σ² ν/(ν − 2) for ν > 2).
//!
//! Not an exponential family: every evaluation is one pass over the data. The override of
//! [`Family::log_likelihood`] hoists everything that depends on ν alone (the ln Γ and ψ
//! differences) out of that pass and accumulates value, gradient and Hessian in one loop.
//!
//! As ν → ∞ the distribution tends to the normal N(μ, σ²), and on data with light tails the
//! likelihood increases all the way to that limit (ν̂ = ∞ is a boundary, reported by
//! [`Family::boundary_note`]). There the ν-score is a difference of nearly equal terms of size
//! 1/ν whose result is of size 1/ν², so it is computed in rearranged form:
//! ∂ ln p/∂ν = ½ [C(ν) − φ(v) + v/ν] with v = z²/(ν + z²), φ(v) = −ln(1 − v) − v (summed as a
//! series for small v) and C(ν) = ψ((ν+1)/2) − ψ(ν/2) − 1/ν (an asymptotic series for large ν,
//! an upward recurrence below it); likewise ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν. The value and
//! every derivative stay accurate to a few ulp up to ν = 1e15 and beyond.
//!
//! References: Lange, Little & Taylor, "Robust statistical modeling using the t distribution",
//! JASA 84 (1989); Abramowitz & Stegun 6.3.18 and 6.1.40 (asymptotic series of ψ and ln Γ);
//! Fernández & Steel, "Multivariate Student-t regression models: pitfalls and inference",
//! Biometrika 86 (1999) (unbounded likelihood and ν̂ → ∞).

use rand::RngCore;
use rand_distr::Distribution;

use super::{degenerate, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::LN_SQRT_2PI;
use crate::special::ln_gamma;
use crate::sum::CompensatedSum;

/// Above this ν the boundary note says the fit is at the normal limit.
const NORMAL_LIMIT_DF: f64 = 1e6;

/// The Student-t family, parameters (df, location, scale).
#[derive(Debug, Clone, Copy, Default)]
pub struct StudentT;

impl Family for StudentT {
    fn name(&self) -> &'static str {
        "student_t"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["t", "student", "studentt"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = Gamma((df+1)/2) / (Gamma(df/2) sqrt(df pi) scale) \
         * (1 + z^2/df)^(-(df+1)/2),  z = (x - location)/scale"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 3] = [
            ParamSpec::positive("df"),
            ParamSpec::real("location"),
            ParamSpec::positive("scale"),
        ];
        &P
    }

    fn support(&self) -> Support {
        Support::Real
    }

    fn min_observations(&self) -> usize {
        3
    }

    /// Location: the (weighted) median. Degrees of freedom: from the sample excess kurtosis κ,
    /// inverting κ = 6/(ν − 4) (the t's kurtosis for ν > 4), ν₀ = 4 + 6/κ when κ > 0 and 30
    /// otherwise, clamped to [1, 100]. Scale: MAD divided by the 0.75 quantile of t(ν₀) (by the
    /// Cornish–Fisher expansion in 1/ν, exact to 0.2 % for ν ≥ 1), so that it estimates σ
    /// rather than the sd; with MAD = 0 the IQR, then the sd, stand in.
    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let s = sample.summary();
        if !(s.variance > 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the scale estimate would be 0",
                    s.min
                ),
            ));
        }
        let distinct = sample.distinct();
        let total = s.total_weight;
        let median = weighted_quantile(distinct, total, 0.5);

        let mut m4 = 0.0;
        for (i, &x) in sample.values().iter().enumerate() {
            let d = x - s.mean;
            m4 += sample.weight(i) * (d * d) * (d * d);
        }
        let kurtosis = m4 / total / (s.variance * s.variance) - 3.0;
        let df = if kurtosis > 0.0 {
            4.0 + 6.0 / kurtosis
        } else {
            30.0
        }
        .clamp(1.0, 100.0);

        let mut deviations: Vec<(f64, f64)> = distinct
            .iter()
            .map(|&(x, w)| ((x - median).abs(), w))
            .collect();
        deviations.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mad = weighted_quantile(&deviations, total, 0.5);
        let q3 = t_quartile(df);
        let scale = if mad > 0.0 {
            mad / q3
        } else {
            let iqr =
                weighted_quantile(distinct, total, 0.75) - weighted_quantile(distinct, total, 0.25);
            if iqr > 0.0 {
                iqr / (2.0 * q3)
            } else {
                s.variance.sqrt()
            }
        };
        Ok(vec![df, median, scale])
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
        let (nu, mu, sigma) = (theta[0], theta[1], theta[2]);
        let z = (x - mu) / sigma;
        let z2 = z * z;
        let d = nu + z2;
        let v = z2 / d;
        let r = nu / d;
        let a1 = (nu + 1.0) / d;
        let l = (z2 / nu).ln_1p();
        let want_hess = hess.is_some();
        let (c, c_prime) = psi_half_difference(nu, want_hess);
        if let Some(g) = grad {
            g[0] = 0.5 * (c - phi(v, l) + v / nu);
            g[1] = a1 * z / sigma;
            g[2] = r * (z2 - 1.0) / sigma;
        }
        if let Some(h) = hess {
            let inv_s2 = 1.0 / (sigma * sigma);
            h[0] = 0.5 * (c_prime + (v / nu) * (v + (v - 2.0) / nu));
            h[1] = (z / d) * ((z2 - 1.0) / d) / sigma;
            h[2] = v * ((z2 - 1.0) / d) / sigma;
            h[4] = -a1 * (r - v) * inv_s2;
            h[5] = -2.0 * a1 * r * z * inv_s2;
            h[8] = -r * (z2 * v + 3.0 * r * z2 + v - r) * inv_s2;
            h[3] = h[1];
            h[6] = h[2];
            h[7] = h[5];
        }
        ln_normaliser(nu) - sigma.ln() - 0.5 * (nu + 1.0) * l
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (nu, mu, sigma) = (theta[0], theta[1], theta[2]);
        let want_grad = grad.is_some();
        let want_hess = hess.is_some();
        let sums = match (want_grad, want_hess) {
            (_, true) => accumulate::<true, true>(nu, mu, sigma, sample),
            (true, false) => accumulate::<true, false>(nu, mu, sigma, sample),
            (false, false) => accumulate::<false, false>(nu, mu, sigma, sample),
        };
        if !sums.finite {
            return f64::NEG_INFINITY;
        }
        let w = sums.weight;
        if want_grad || want_hess {
            let (c, c_prime) = psi_half_difference(nu, want_hess);
            if let Some(g) = grad {
                g[0] = 0.5 * (w * c + sums.g_nu);
                g[1] = sums.g_mu / sigma;
                g[2] = sums.g_sigma / sigma;
            }
            if let Some(h) = hess {
                let inv_s2 = 1.0 / (sigma * sigma);
                h[0] = 0.5 * (w * c_prime + sums.h_nu_nu);
                h[1] = sums.h_nu_mu / sigma;
                h[2] = sums.h_nu_sigma / sigma;
                h[4] = sums.h_mu_mu * inv_s2;
                h[5] = sums.h_mu_sigma * inv_s2;
                h[8] = sums.h_sigma_sigma * inv_s2;
                h[3] = h[1];
                h[6] = h[2];
                h[7] = h[5];
            }
        }
        w * (ln_normaliser(nu) - sigma.ln()) - 0.5 * (nu + 1.0) * sums.ln_1p.value()
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        (theta[0] > NORMAL_LIMIT_DF).then(|| {
            format!(
                "df = {:.3e} is effectively infinite: the likelihood keeps increasing toward the \
                 normal limit (df → ∞), so no finite df maximises it; the normal family fits \
                 these data at least as well with one parameter fewer",
                theta[0]
            )
        })
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        Some(t_cdf(theta[0], (x - theta[1]) / theta[2]))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (nu, mu, sigma) = (theta[0], theta[1], theta[2]);
        let d = rand_distr::StudentT::new(nu).expect("valid Student-t df");
        (0..n).map(|_| mu + sigma * d.sample(rng)).collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (nu, mu, sigma) = (theta[0], theta[1], theta[2]);
        let mean = if nu > 1.0 { mu } else { f64::NAN };
        let variance = if nu > 2.0 {
            sigma * sigma * nu / (nu - 2.0)
        } else if nu > 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        };
        (mean, variance)
    }
}

/// Weighted sums over the data for [`StudentT::log_likelihood`]; the derivative sums are in
/// the scaled forms of [`StudentT::ln_density_derivs`] (σ and ν-only factors applied after).
#[derive(Default)]
struct Sums {
    finite: bool,
    weight: f64,
    ln_1p: CompensatedSum,
    g_nu: f64,
    g_mu: f64,
    g_sigma: f64,
    h_nu_nu: f64,
    h_nu_mu: f64,
    h_nu_sigma: f64,
    h_mu_mu: f64,
    h_mu_sigma: f64,
    h_sigma_sigma: f64,
}

/// The one pass over the data, monomorphised on what is wanted so the value-only pass does no
/// derivative work.
fn accumulate<const GRAD: bool, const HESS: bool>(
    nu: f64,
    mu: f64,
    sigma: f64,
    sample: &Sample,
) -> Sums {
    let mut s = Sums {
        finite: true,
        ..Sums::default()
    };
    let inv_sigma = 1.0 / sigma;
    let inv_nu = 1.0 / nu;
    let mut add = |x: f64, w: f64| {
        let z = (x - mu) * inv_sigma;
        let z2 = z * z;
        let l = (z2 * inv_nu).ln_1p();
        s.weight += w;
        s.ln_1p.add(w * l);
        if GRAD || HESS {
            let d = nu + z2;
            let inv_d = 1.0 / d;
            let v = z2 * inv_d;
            let r = nu * inv_d;
            let a1 = (nu + 1.0) * inv_d;
            s.g_nu += w * (v * inv_nu - phi(v, l));
            s.g_mu += w * a1 * z;
            s.g_sigma += w * r * (z2 - 1.0);
            if HESS {
                let q = (z2 - 1.0) * inv_d;
                s.h_nu_nu += w * (v * inv_nu) * (v + (v - 2.0) * inv_nu);
                s.h_nu_mu += w * z * inv_d * q;
                s.h_nu_sigma += w * v * q;
                s.h_mu_mu -= w * a1 * (r - v);
                s.h_mu_sigma -= w * 2.0 * a1 * r * z;
                s.h_sigma_sigma -= w * r * (z2 * v + 3.0 * r * z2 + v - r);
            }
        }
    };
    match sample.weights() {
        None => sample.values().iter().for_each(|&x| add(x, 1.0)),
        Some(ws) => {
            for (&x, &w) in sample.values().iter().zip(ws) {
                if w != 0.0 {
                    add(x, w);
                }
            }
        }
    }
    s.finite = s.ln_1p.value().is_finite();
    s
}

/// Threshold above which ν-only functions use their asymptotic series (h = ν/2 ≥ 20: the first
/// omitted term is below 1e-19 relative).
const SERIES_MIN_DF: f64 = 40.0;

/// Coefficients cₖ of C(ν) = ψ((ν+1)/2) − ψ(ν/2) − 1/ν ~ Σₖ cₖ ν^(−2k), cₖ = (4ᵏ − 1) B₂ₖ / k
/// (from A&S 6.3.18 at ν/2 and ν/2 + ½, with B₂ₖ(½) = −(1 − 2^(1−2k)) B₂ₖ).
const C_SERIES: [f64; 8] = [0.5, -0.25, 0.5, -2.125, 15.5, -172.75, 2730.5, -58098.0625];

/// ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ), the ν-only part of ln p.
///
/// For ν ≥ 40 it is −½ ln(2π) + E with E = −½ Σₖ cₖ ν^(1−2k)/(2k − 1) (the integral of the
/// series of C), avoiding the cancellation of two ln Γ of size ν ln ν.
fn ln_normaliser(nu: f64) -> f64 {
    if nu < SERIES_MIN_DF {
        return ln_gamma(0.5 * (nu + 1.0))
            - ln_gamma(0.5 * nu)
            - 0.5 * (nu * std::f64::consts::PI).ln();
    }
    let r = 1.0 / (nu * nu);
    let mut e = 0.0;
    for (k, c) in C_SERIES.iter().enumerate().rev() {
        e = e * r + c / (2 * k + 1) as f64;
    }
    -LN_SQRT_2PI - 0.5 * e / nu
}

/// C(ν) = ψ((ν+1)/2) − ψ(ν/2) − 1/ν and, when `derivative`, C′(ν) (else 0).
///
/// Both are O(1/ν²) while their terms are O(1/ν): below ν = 40 the recurrence
/// C(h) = C(h + 1) + ¼ / (h (h + ½)(h + 1)) in h = ν/2 (all terms positive) moves the argument up
/// to where the asymptotic series in [`C_SERIES`] is accurate.
fn psi_half_difference(nu: f64, derivative: bool) -> (f64, f64) {
    let (mut c, mut c_prime) = (0.0, 0.0);
    let mut h = 0.5 * nu;
    while h < 0.5 * SERIES_MIN_DF {
        let f = 0.25 / (h * (h + 0.5) * (h + 1.0));
        c += f;
        if derivative {
            // d/dν = ½ d/dh.
            c_prime -= 0.5 * f * (1.0 / h + 1.0 / (h + 0.5) + 1.0 / (h + 1.0));
        }
        h += 1.0;
    }
    let shifted = 2.0 * h;
    let r = 1.0 / (shifted * shifted);
    let (mut s, mut ds) = (0.0, 0.0);
    for (k, coefficient) in C_SERIES.iter().enumerate().rev() {
        s = s * r + coefficient;
        ds = ds * r - 2.0 * (k + 1) as f64 * coefficient;
    }
    c += s * r;
    if derivative {
        c_prime += ds * r / shifted;
    }
    (c, c_prime)
}

/// φ(v) = −ln(1 − v) − v for v = z²/(ν + z²) ∈ [0, 1), given `l` = −ln(1 − v) = ln(1 + z²/ν).
///
/// φ(v) ≈ v²/2 is much smaller than v when v is small (ν large or z small): there the series
/// in t = v/(2 − v), φ = 2t²/(1 + t) + 2t³ Σₖ t^(2k−2)/(2k + 1) (from −ln(1 − v) = 2 atanh t),
/// all of whose terms are positive, is summed to t¹⁹ (below 1e-17 relative for v < 0.2).
#[inline]
fn phi(v: f64, l: f64) -> f64 {
    if v >= 0.2 {
        return l - v;
    }
    let t = v / (2.0 - v);
    let t2 = t * t;
    let mut s = 0.0;
    for k in (1..=9).rev() {
        s = s * t2 + 1.0 / (2 * k + 1) as f64;
    }
    2.0 * t2 / (1.0 + t) + 2.0 * t * t2 * s
}

/// The 0.75 quantile of t(ν) by the Cornish–Fisher expansion to O(1/ν²) (A&S 26.7.5).
fn t_quartile(nu: f64) -> f64 {
    const Z: f64 = 0.6744897501960817;
    let (z3, z5) = (Z * Z * Z, Z * Z * Z * Z * Z);
    Z + (z3 + Z) / (4.0 * nu) + (5.0 * z5 + 16.0 * z3 + 3.0 * Z) / (96.0 * nu * nu)
}

/// The weighted p-quantile of sorted (value, weight) pairs: the first value whose cumulative
/// weight reaches p·W, averaged with the next one when it reaches it exactly (the usual median
/// of an even number of values).
fn weighted_quantile(sorted: &[(f64, f64)], total: f64, p: f64) -> f64 {
    let target = p * total;
    let mut cumulative = 0.0;
    for (i, &(x, w)) in sorted.iter().enumerate() {
        cumulative += w;
        if cumulative >= target * (1.0 - 1e-12) {
            if (cumulative - target).abs() <= 1e-12 * total {
                if let Some(&(next, _)) = sorted[i + 1..].iter().find(|(_, w)| *w > 0.0) {
                    return 0.5 * (x + next);
                }
            }
            return x;
        }
    }
    sorted.last().map_or(f64::NAN, |&(x, _)| x)
}

/// Above this many degrees of freedom [`t_cdf`] uses the asymptotic expansion in 1/ν: the
/// incomplete beta function's prefactor, built from ln Γ(ν/2) differences, loses about
/// ν · 2e-16 absolute (4e-13 at ν = 2000, 6e-11 at 1e6, 1e-2 at 1e13), while the expansion's
/// error is O(ν⁻⁵): 2e-14 at ν = 1000 (6e-13 at 500), checked against mpmath.
const T_CDF_EXPANSION_DF: f64 = 1e3;

/// P(T ≤ t) for Student's t with ν degrees of freedom (location 0, scale 1). Up to
/// [`T_CDF_EXPANSION_DF`] from the regularized incomplete beta function: for t² < ν the
/// central part P(|T| ≤ |t|) = I_{t²/(ν+t²)}(1/2, ν/2), otherwise the tail P(T < −|t|) =
/// I_{ν/(ν+t²)}(ν/2, 1/2)/2, so that the argument never rounds to 1 (where the incomplete
/// beta with a parameter 1/2 would lose half its digits). Beyond, Fisher's expansion
/// Φ(t) − φ(t) Σₖ rₖ(t)/νᵏ to k = 4, the polynomials rₖ obtained by expanding
/// p_ν(t)/φ(t) in 1/ν (normalised order by order) and integrating term by term (Fisher,
/// "Expansion of Student's integral in powers of n⁻¹", Metron 5 (1925); r₁ = t(t² + 1)/4 and
/// r₂ = t(3t⁶ − 7t⁴ − 5t² − 3)/96 are Abramowitz & Stegun 26.7.5's).
fn t_cdf(nu: f64, t: f64) -> f64 {
    use statrs::function::beta::checked_beta_reg;
    if t.is_nan() {
        return f64::NAN;
    }
    let t2 = t * t;
    let exact = if nu > T_CDF_EXPANSION_DF {
        None
    } else if t2 < nu {
        checked_beta_reg(0.5, 0.5 * nu, t2 / (nu + t2))
            .ok()
            .map(|central| 0.5 + 0.5 * t.signum() * central)
    } else {
        checked_beta_reg(0.5 * nu, 0.5, nu / (nu + t2))
            .ok()
            .map(|i| {
                let tail = 0.5 * i;
                if t < 0.0 {
                    tail
                } else {
                    1.0 - tail
                }
            })
    };
    exact.unwrap_or_else(|| {
        let normal = 0.5 * libm::erfc(-t * std::f64::consts::FRAC_1_SQRT_2);
        let phi = (-0.5 * t2).exp() / (2.0 * std::f64::consts::PI).sqrt();
        if phi == 0.0 {
            return normal;
        }
        // rₖ(t)/t as polynomials in t², highest power first.
        const R: [&[f64]; 4] = [
            &[1.0 / 4.0, 1.0 / 4.0],
            &[1.0 / 32.0, -7.0 / 96.0, -5.0 / 96.0, -1.0 / 32.0],
            &[
                1.0 / 384.0,
                -11.0 / 384.0,
                7.0 / 192.0,
                1.0 / 64.0,
                -1.0 / 128.0,
                -5.0 / 128.0,
            ],
            &[
                1.0 / 6144.0,
                -25.0 / 6144.0,
                445.0 / 18432.0,
                -2141.0 / 92160.0,
                -313.0 / 30720.0,
                -71.0 / 30720.0,
                61.0 / 6144.0,
                21.0 / 2048.0,
            ],
        ];
        let inv_nu = 1.0 / nu;
        let mut correction = 0.0;
        for r in R.iter().rev() {
            let rk = r.iter().fold(0.0, |acc, c| acc * t2 + c);
            correction = (correction + rk) * inv_nu;
        }
        normal - phi * t * correction
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{
        check_derivatives_with, check_fast_path_with, rel_close, Derivs, FastPath, Step,
    };
    use super::*;

    #[test]
    fn known_density_values() {
        // scipy.stats.t.logpdf(x, df, loc=loc, scale=scale), scipy 1.17.
        let cases = [
            (0.0, 1.0, 0.0, 1.0, -1.1447298858494),
            (2.5, 3.0, 1.0, 2.0, -2.0377365440367736),
            (-7.0, 0.5, 0.0, 1.0, -4.756872813512452),
            (1.2, 30.0, -0.5, 0.3, -11.00307399048214),
            (100.0, 4.0, 0.0, 1.0, -20.541944080205774),
        ];
        for (x, df, loc, scale, expected) in cases {
            let lp = StudentT.ln_density_derivs(&[df, loc, scale], x, None, None);
            assert!(
                rel_close(lp, expected, 1e-13),
                "x={x} df={df}: {lp} vs {expected}"
            );
        }
        assert_eq!(
            StudentT.ln_density_derivs(&[3.0, 0.0, 1.0], f64::NAN, None, None),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn nu_only_functions_match_mpmath() {
        // mpmath (50 digits): K = loggamma((nu+1)/2) - loggamma(nu/2) - log(nu*pi)/2,
        // C = psi(0,(nu+1)/2) - psi(0,nu/2) - 1/nu, C' = (psi(1,(nu+1)/2) - psi(1,nu/2))/2 + 1/nu^2.
        let cases = [
            (
                0.5,
                -1.3105329259115095,
                1.1415926535897933,
                -3.327724753417752,
            ),
            (
                3.0,
                -1.0008888496235098,
                0.052961027786557285,
                -0.03382295573711532,
            ),
            (
                39.5,
                -0.9252669715686538,
                0.00032035890024161105,
                -1.621551731149484e-05,
            ),
            (
                40.0,
                -0.9251878826503641,
                0.00031240246549753124,
                -1.5615252621063515e-05,
            ),
            (
                41.0,
                -0.9250354900541671,
                0.0002973536320634444,
                -1.4500749758472474e-05,
            ),
            (
                100.0,
                -0.9214384915430046,
                4.9997500499787654e-05,
                -9.999000299830156e-07,
            ),
            (
                12345.6,
                -0.9189587833342514,
                3.2805419800411556e-09,
                -5.314512003109124e-13,
            ),
            (1e8, -0.9189385357046728, 5e-17, -1e-24),
            (1e15, -0.918938533204673, 5.0e-31, -1.0e-45),
        ];
        for (nu, k, c, cp) in cases {
            assert!(
                rel_close(ln_normaliser(nu), k, 1e-14),
                "K({nu}) = {}",
                ln_normaliser(nu)
            );
            let (gc, gcp) = psi_half_difference(nu, true);
            assert!(rel_close(gc, c, 1e-13), "C({nu}) = {gc} vs {c}");
            assert!(rel_close(gcp, cp, 1e-13), "C'({nu}) = {gcp} vs {cp}");
        }
    }

    #[test]
    fn phi_series_matches_direct_form_where_that_is_accurate() {
        for &v in &[0.05f64, 0.1, 0.19, 0.1999999] {
            let direct = -(-v).ln_1p() - v;
            assert!(rel_close(phi(v, -(-v).ln_1p()), direct, 1e-13), "v={v}");
        }
        // φ(v) = v²/2 + v³/3 + … for tiny v; −ln(1 − v) − v would lose every digit.
        let v = 1e-9;
        assert!(rel_close(
            phi(v, -(-v).ln_1p()),
            v * v / 2.0 + v * v * v / 3.0,
            1e-15
        ));
    }

    #[test]
    fn huge_df_value_and_gradient_match_mpmath() {
        // mpmath (50 digits): ln p and mp.diff of it in (df, location, scale).
        let cases = [
            (
                [1e8, 0.3, 1.7],
                2.9,
                -2.6191169577942497,
                [5.170258112525422e-18, 0.899653967191485, 0.7877060674693301],
            ),
            (
                [1e8, 0.0, 1.0],
                0.1,
                -0.9239385357544228,
                [2.549749999995033e-17, 0.10000000099, -0.989999999901],
            ),
            (
                [1e8, 0.0, 1.0],
                5.0,
                -13.418937098204918,
                [-1.4349995104168055e-14, 4.9999988000003, 23.9999940000015],
            ),
            (
                [2.5e5, 1.0, 2.0],
                -3.0,
                -3.6120787138712833,
                [
                    -2.7999146683082378e-11,
                    -0.999988000191997,
                    1.499976000383994,
                ],
            ),
        ];
        for (theta, x, value, gradient) in cases {
            let mut g = [0.0; 3];
            let lp = StudentT.ln_density_derivs(&theta, x, Some(&mut g), None);
            assert!(
                rel_close(lp, value, 1e-14),
                "{theta:?} x={x}: {lp} vs {value}"
            );
            for j in 0..3 {
                assert!(
                    rel_close(g[j], gradient[j], 1e-12),
                    "{theta:?} x={x} g[{j}]: {} vs {}",
                    g[j],
                    gradient[j]
                );
            }
        }
        // The normal limit: the value agrees with the normal log-density to O(1/ν).
        let lp = StudentT.ln_density_derivs(&[1e15, 0.3, 1.7], 2.9, None, None);
        let normal = super::super::normal::Normal.ln_density_derivs(&[0.3, 1.7], 2.9, None, None);
        assert!((lp - normal).abs() < 1e-14);
    }

    #[test]
    fn huge_df_hessian_matches_mpmath() {
        // mpmath (60 digits): mp.diff of ln p, second order, row-major (df, location, scale).
        let cases = [
            (
                [1e8, 0.3, 1.7],
                2.9,
                [
                    -1.0340517755399278e-25,
                    1.204726898538028e-16,
                    1.8425234918816898e-16,
                    1.204726898538028e-16,
                    -0.3460207404245646,
                    -1.0584164072325606,
                    1.8425234918816898e-16,
                    -1.0584164072325606,
                    -2.0821110154552867,
                ],
            ),
            (
                [1e5, 0.0, 1.0],
                0.1,
                [
                    -5.099499984600002e-16,
                    -9.899998020000297e-12,
                    -9.899998020000297e-13,
                    -9.899998020000297e-12,
                    -1.00000969999705,
                    -0.200001959999606,
                    -9.899998020000297e-13,
                    -0.200001959999606,
                    0.9699997050000493,
                ],
            ),
        ];
        for (theta, x, expected) in cases {
            let mut h = [0.0; 9];
            StudentT.ln_density_derivs(&theta, x, None, Some(&mut h));
            for j in 0..9 {
                assert!(
                    rel_close(h[j], expected[j], 1e-12),
                    "{theta:?} h[{j}]: {} vs {}",
                    h[j],
                    expected[j]
                );
            }
        }
    }

    #[test]
    fn derivatives_match_central_differences() {
        let points = [
            ([0.7, 0.2, 1.3], -2.0),
            ([3.0, 0.0, 1.0], 0.4),
            ([5.5, -1.0, 0.5], 2.3),
            ([25.0, 10.0, 3.0], 4.0),
            ([150.0, 0.0, 2.0], 7.5),
        ];
        // Steps 1e-5·max(|θⱼ|, 1); floor 1e-3.
        let how = Derivs {
            floor: 1e-3,
            step: Step::RelativeAtLeastOne(1e-5),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in points {
            check_derivatives_with(&StudentT, &theta, x, how);
        }
    }

    #[test]
    fn fast_log_likelihood_equals_pointwise() {
        let s = Sample::new(vec![-1.5, 0.2, 0.3, 2.7, 9.0, -4.0, 0.0])
            .unwrap()
            .with_weights(vec![1.0, 2.0, 0.5, 0.0, 1.0, 3.0, 1.5])
            .unwrap();
        let how = FastPath {
            value: 1e-13,
            value_floor: f64::MIN_POSITIVE,
            derivs: 1e-12,
            deriv_floor: 1e-12,
            log_units: false,
        };
        for theta in [[2.5, 0.4, 1.2], [0.8, -0.3, 0.7], [1e7, 0.0, 2.0]] {
            let (fast, g1, _) = check_fast_path_with(&StudentT, &theta, &s, how);
            let value_only = StudentT.log_likelihood(&theta, &s, None, None);
            assert_eq!(value_only, fast);
            let mut g3 = [0.0; 3];
            assert_eq!(
                StudentT.log_likelihood(&theta, &s, Some(&mut g3), None),
                fast
            );
            assert_eq!(g3[..], g1[..]);
        }
    }

    #[test]
    fn initial_estimate_is_robust_and_clamped() {
        // Symmetric, heavy-tailed sample: median 0, excess kurtosis 2857.4/28.93² − 3 = 0.414,
        // so ν₀ = 4 + 6/κ = 18.5.
        let s = Sample::new(vec![-10.0, -1.0, -0.5, 0.0, 0.5, 1.0, 10.0]).unwrap();
        let t = StudentT.initial_estimate(&s).unwrap();
        assert_eq!(t[1], 0.0);
        assert!(t[0] > 18.0 && t[0] < 19.0, "{}", t[0]);
        // MAD = 1, divided by the t(ν₀) quartile.
        assert!(rel_close(t[2], 1.0 / t_quartile(t[0]), 1e-15));
        // Platykurtic data: κ < 0, so ν₀ = 30.
        let s = Sample::new(vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let t = StudentT.initial_estimate(&s).unwrap();
        assert_eq!(t[0], 30.0);
        assert_eq!(t[1], 2.5);
        // Cornish–Fisher quartiles: t(1) has quartile 1, t(3) 0.7648923284.
        assert!((t_quartile(1.0) - 1.0).abs() < 2e-3);
        assert!((t_quartile(3.0) - 0.764_892_328_4).abs() < 1e-3);
    }

    #[test]
    fn initial_estimate_with_weights_and_zero_mad() {
        // More than half the weight on one value: MAD = 0, the IQR (or sd) stands in.
        let s = Sample::new(vec![0.0, 1.0, 5.0])
            .unwrap()
            .with_weights(vec![1.0, 10.0, 1.0])
            .unwrap();
        let t = StudentT.initial_estimate(&s).unwrap();
        assert_eq!(t[1], 1.0);
        assert!(t[2] > 0.0 && t[2].is_finite());
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![4.0; 6]).unwrap();
        let e = StudentT.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn boundary_note_at_the_normal_limit() {
        assert!(StudentT.boundary_note(&[5.0, 0.0, 1.0]).is_none());
        let note = StudentT.boundary_note(&[3e7, 0.0, 1.0]).unwrap();
        assert!(note.contains("normal"), "{note}");
    }

    #[test]
    fn mean_variance_where_defined() {
        assert_eq!(StudentT.mean_variance(&[4.0, 1.0, 2.0]), (1.0, 8.0));
        let (m, v) = StudentT.mean_variance(&[1.5, 1.0, 2.0]);
        assert_eq!((m, v), (1.0, f64::INFINITY));
        let (m, v) = StudentT.mean_variance(&[1.0, 1.0, 2.0]);
        assert!(m.is_nan() && v.is_nan());
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.t.cdf(x, df=3.5, loc=1, scale=1.5) (df 3.5, location 1, scale 1.5).
        let theta = [3.5, 1.0, 1.5];
        for (x, want) in [
            (0.3, 0.3341405142651111),
            (-8.0, 0.002944476322457822),
            (2.0, 0.726833667490152),
            (1.05, 0.5123894617965596),
            (-10000.0, 7.354099423993649e-14),
        ] {
            let got = StudentT.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        // Large df, through the expansion in 1/ν: mpmath (40 digits) of
        // betainc(ν/2, 1/2, 0, ν/(ν + t²), regularized=True)/2 (the lower tail at t < 0, one
        // minus it at t > 0), for (ν, t) = (1e7, −1.3) and (5000, 2.5).
        for (nu, t, want) in [
            (1e7, -1.3, 0.0968004995675091),
            (5000.0, 2.5, 0.9937744419001394),
        ] {
            let got = StudentT.cdf(&[nu, 0.0, 1.0], t).unwrap();
            assert!(
                (got - want).abs() <= 1e-14,
                "df = {nu}, t = {t}: {got} vs {want}"
            );
        }
        assert_eq!(StudentT.cdf(&theta, f64::INFINITY), Some(1.0));
        assert_eq!(StudentT.cdf(&theta, f64::NEG_INFINITY), Some(0.0));
    }
}
