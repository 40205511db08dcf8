//! Generalized extreme value (GEV) distribution.
//!
//! F(x | μ, σ, ξ) = exp(−(1 + ξz)^(−1/ξ)),  z = (x − μ)/σ, on 1 + ξz > 0, with density
//! p(x) = (1/σ) (1 + ξz)^(−1/ξ − 1) exp(−(1 + ξz)^(−1/ξ)); parameters `location` μ ∈ ℝ,
//! `scale` σ > 0 and `shape` ξ ∈ ℝ (ξ > 0: Fréchet type, heavy right tail, support bounded
//! below at μ − σ/ξ; ξ < 0: reversed Weibull type, bounded above at μ − σ/ξ; ξ = 0: Gumbel,
//! F = exp(−e^(−z)) on ℝ). Sign convention of Coles (2001); `scipy.stats.genextreme` uses
//! c = −ξ.
//!
//! **The support moves with θ**: ln p = −∞ where 1 + ξz ≤ 0. The optimizer's line search backs
//! off from such points (the objective is +∞ there), and the initial estimate is always a point
//! with every observation inside the support.
//!
//! **ξ → 0.** With L = ln(1 + ξz)/ξ (→ z), ln p = −ln σ − (1 + ξ)L − e^(−L). The ξ-derivatives of
//! L are ∂L/∂ξ = z² f₁(ξz) and ∂²L/∂ξ² = z³ f₂(ξz), where f₁(y) = (1/(1+y) − ln(1+y)/y)/y and
//! f₂(y) = (−1/(1+y)² − 2f₁(y))/y cancel catastrophically for small y; there (|y| < 0.2) they are
//! summed from their Taylor series f₁ = Σ (−1)ᵏ k/(k+1) yᵏ⁻¹, f₂ = Σ (−1)ʲ⁺¹ j(j+1)/(j+2) yʲ⁻¹,
//! so value, score and Hessian are continuous and accurate to a few ulp through ξ = 0, where
//! they are exactly Gumbel's.
//!
//! Not an exponential family: every evaluation is one pass over the data (ln σ hoisted), the
//! Hessian assembled from ten weighted sums of derivatives in (z, ξ).
//!
//! Initial estimate: probability-weighted moments (Hosking, Wallis & Wood 1985) with plotting
//! positions (weights act as frequencies), ξ clamped to [−0.5, 0.5]; if an observation falls
//! outside the support there, ξ is halved toward 0 (recomputing μ, σ from the same moments) until
//! every observation is inside — at ξ = 0 the support is ℝ. With parameters held fixed the free
//! ones are repaired instead (σ widened, μ moved); only when all three are fixed can data fall
//! outside, a data error. Constant data are degenerate.
//!
//! **Non-regular and missing MLEs** (Smith 1985): for ξ > −1/2 the MLE is regular; for
//! −1 < ξ ≤ −1/2 it exists but is non-regular (the Fisher information is infinite, so standard
//! errors from the observed information are not to be trusted); for ξ < −1 the likelihood is unbounded (placing the upper end of the support at
//! the largest observation sends the density there to ∞), so no MLE exists: a fit that reaches
//! ξ ≤ −1 is reported as a boundary ([`Family::boundary_note`]).
//!
//! Mean μ + σ(Γ(1 − ξ) − 1)/ξ for ξ < 1, variance σ²(Γ(1 − 2ξ) − Γ(1 − ξ)²)/ξ² for ξ < 1/2
//! (limits μ + γσ and σ²π²/6 at ξ = 0).
//!
//! References: Coles, *An Introduction to Statistical Modeling of Extreme Values* (2001),
//! §3.3; Hosking, Wallis & Wood, "Estimation of the generalized extreme-value distribution by
//! the method of probability-weighted moments", Technometrics 27 (1985); Smith, "Maximum
//! likelihood estimation in a class of nonregular cases", Biometrika 72 (1985).

use rand::RngCore;
use rand_distr::Distribution;

use super::uniform::check_within;
use super::{degenerate, draws_with_rejection, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;
use crate::numeric::constants::EULER_GAMMA;
use crate::special::ln_gamma;
use crate::sum::CompensatedSum;

/// ζ(2) … ζ(6), for the Taylor series of ln Γ(1 − ξ).
const ZETA: [f64; 5] = [
    1.644_934_066_848_226_4,
    1.202_056_903_159_594_3,
    1.082_323_233_711_138_2,
    1.036_927_755_143_37,
    1.017_343_061_984_449,
];

/// |ξz| below which f₁, f₂ are summed from their Taylor series.
const SERIES_BELOW: f64 = 0.2;

/// Terms of those series: 0.2²⁶·26 < 1e-17.
const SERIES_TERMS: usize = 26;

/// Coefficients of f₁(y) = Σₖ₌₁ (−1)ᵏ k/(k+1) yᵏ⁻¹, constant term first.
const F1_SERIES: [f64; SERIES_TERMS] = series_coefficients(false);

/// Coefficients of f₂(y) = Σⱼ₌₁ (−1)ʲ⁺¹ j(j+1)/(j+2) yʲ⁻¹, constant term first.
const F2_SERIES: [f64; SERIES_TERMS] = series_coefficients(true);

/// The generalized extreme value family, parameters (location, scale, shape).
#[derive(Debug, Clone, Copy, Default)]
pub struct Gev;

impl Family for Gev {
    fn name(&self) -> &'static str {
        "gev"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["genextreme", "generalized_extreme_value"]
    }

    fn formula(&self) -> &'static str {
        "p(x) = (1/scale) t^(shape+1) exp(-t), t = (1 + shape z)^(-1/shape), z = (x - location)/scale"
    }

    fn params(&self) -> &'static [ParamSpec] {
        const P: [ParamSpec; 3] = [
            ParamSpec::real("location"),
            ParamSpec::positive("scale"),
            ParamSpec::shape("shape"),
        ];
        &P
    }

    fn support(&self) -> Support {
        Support::Real
    }

    fn min_observations(&self) -> usize {
        3
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        self.initial_estimate_given(sample, &[None, None, None])
    }

    /// The PWM start with the fixed values in place, repaired until every observation is inside
    /// the support: ξ halved toward 0 if it is free, else σ doubled if it is free, else μ moved
    /// away from the data. Only when all three are fixed can the data fall outside, which
    /// [`Family::check_data`] reports.
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        if let [Some(mu), Some(sigma), Some(xi)] = *fixed {
            return Ok(vec![mu, sigma, xi]);
        }
        let d = sample.distinct();
        if d.len() < 2 {
            return Err(degenerate(
                self,
                format!(
                    "all values are equal ({}), so the scale estimate would be 0",
                    d[0].0
                ),
            ));
        }
        let (l1, l2, tau3) = sample_l_moments(d);
        // Hosking, Wallis & Wood (1985), eq. (14), in their sign convention k = −ξ.
        let c = 2.0 / (3.0 + tau3) - std::f64::consts::LN_2 / 3f64.ln();
        let k = 7.8590 * c + 2.9554 * c * c;
        let mut xi = fixed[2].unwrap_or(if k.is_finite() {
            (-k).clamp(-0.5, 0.5)
        } else {
            0.0
        });
        let (lo, hi) = (d[0].0, d[d.len() - 1].0);
        let (mut stretch, mut shift) = (1.0, 0.0);
        for _ in 0..400 {
            // The moment relations need ξ < 1; a fixed ξ beyond that borrows ξ = 0.9's (μ, σ).
            let (mu0, sigma0) = pwm_location_scale(l1, l2, xi.clamp(-0.9, 0.9));
            let sigma = fixed[1].unwrap_or(sigma0 * stretch);
            let mu = fixed[0].unwrap_or(mu0 + shift * sigma);
            let theta = vec![mu, sigma, xi];
            let inside = |x: f64| xi * (x - mu) / sigma > -1.0;
            if sigma > 0.0
                && sigma.is_finite()
                && inside(lo)
                && inside(hi)
                && self.log_likelihood(&theta, sample, None, None).is_finite()
            {
                return Ok(theta);
            }
            if fixed[2].is_none() && xi != 0.0 {
                xi = if xi.abs() < 1e-3 { 0.0 } else { 0.5 * xi };
            } else if fixed[1].is_none() {
                // Widening moves a bounded end away from the data (and, at ξ = 0, stops an
                // overflow of e^(−z) far in the left tail).
                stretch *= 2.0;
            } else if fixed[0].is_none() {
                // Move μ away from the bounded end: down for ξ > 0, up for ξ < 0; at ξ = 0, toward
                // the lower tail where e^(−z) might overflow.
                let step = if shift == 0.0 { 1.0 } else { 2.0 * shift.abs() };
                shift = if xi < 0.0 { step } else { -step };
            } else {
                break;
            }
        }
        Err(degenerate(
            self,
            "no starting point with every value inside the support was found",
        ))
    }

    fn check_data(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<()> {
        let [Some(mu), Some(sigma), Some(xi)] = *fixed else {
            return Ok(());
        };
        let end = mu - sigma / xi;
        let support = if xi > 0.0 {
            format!("({end}, ∞)")
        } else if xi < 0.0 {
            format!("(-∞, {end})")
        } else {
            "(-∞, ∞)".to_string()
        };
        check_within(self, sample, support, |x| xi * (x - mu) / sigma > -1.0)
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, sigma, xi) = (theta[0], theta[1], theta[2]);
        let z = (x - mu) / sigma;
        let order = if hess.is_some() {
            2
        } else {
            u8::from(grad.is_some())
        };
        let Some(p) = Terms::at(xi, z, order) else {
            return f64::NEG_INFINITY;
        };
        let inv_s = 1.0 / sigma;
        if let Some(g) = grad {
            g[0] = -p.qz * inv_s;
            g[1] = -(1.0 + z * p.qz) * inv_s;
            g[2] = p.qx;
        }
        if let Some(h) = hess {
            let inv_s2 = inv_s * inv_s;
            h[0] = p.qzz * inv_s2;
            h[1] = (p.qz + z * p.qzz) * inv_s2;
            h[2] = -p.qxz * inv_s;
            h[4] = (1.0 + 2.0 * z * p.qz + z * z * p.qzz) * inv_s2;
            h[5] = -z * p.qxz * inv_s;
            h[8] = p.qxx;
            h[3] = h[1];
            h[6] = h[2];
            h[7] = h[5];
        }
        p.q - sigma.ln()
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let (mu, sigma, xi) = (theta[0], theta[1], theta[2]);
        let inv_s = 1.0 / sigma;
        let order = if hess.is_some() {
            2
        } else {
            u8::from(grad.is_some())
        };
        let x = sample.values();
        let sums = match sample.weights() {
            None => Sums::over(x.iter().map(|&v| (v, 1.0)), mu, inv_s, xi, order),
            Some(w) => Sums::over(
                x.iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&v, &w)| (v, w)),
                mu,
                inv_s,
                xi,
                order,
            ),
        };
        let Some(s) = sums else {
            return f64::NEG_INFINITY;
        };
        if let Some(g) = grad {
            g[0] = -s.qz * inv_s;
            g[1] = -(s.w + s.zqz) * inv_s;
            g[2] = s.qx;
        }
        if let Some(h) = hess {
            let inv_s2 = inv_s * inv_s;
            h[0] = s.qzz * inv_s2;
            h[1] = (s.qz + s.zqzz) * inv_s2;
            h[2] = -s.qxz * inv_s;
            h[4] = (s.w + 2.0 * s.zqz + s.zzqzz) * inv_s2;
            h[5] = -s.zqxz * inv_s;
            h[8] = s.qxx;
            h[3] = h[1];
            h[6] = h[2];
            h[7] = h[5];
        }
        s.q - s.w * sigma.ln()
    }

    fn boundary_note(&self, theta: &[f64]) -> Option<String> {
        (theta[2] <= -1.0).then(|| {
            format!(
                "shape = {:.4} ≤ -1: the GEV likelihood is unbounded there (the density at the \
                 upper end of the support, placed at the largest value, is infinite), so the MLE \
                 does not exist (Smith 1985); the data have a sharper upper bound than any GEV \
                 with a maximum likelihood",
                theta[2]
            )
        })
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        let (mu, sigma, xi) = (theta[0], theta[1], theta[2]);
        if x.is_infinite() {
            return Some(if x > 0.0 { 1.0 } else { 0.0 });
        }
        let z = (x - mu) / sigma;
        if xi * z <= -1.0 {
            // Outside the support: below its lower end (ξ > 0) or above its upper end (ξ < 0).
            return Some(if xi > 0.0 { 0.0 } else { 1.0 });
        }
        // exp(−e^(−L)), L = ln(1 + ξz)/ξ (→ z, the Gumbel, at ξ = 0).
        let (l, _, _) = ln1p_ratio(xi, z, 0);
        Some((-(-l).exp()).exp())
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let (mu, sigma, xi) = (theta[0], theta[1], theta[2]);
        // Inverse CDF with E = −ln U ~ Exp(1): x = μ + σ (E^(−ξ) − 1)/ξ, formed with expm1 so that
        // it tends to Gumbel's μ − σ ln E as ξ → 0.
        draws_with_rejection(
            n,
            || {
                let e: f64 = rand_distr::Exp1.sample(rng);
                let le = e.ln();
                let h = if xi == 0.0 {
                    -le
                } else {
                    (-xi * le).exp_m1() / xi
                };
                mu + sigma * h
            },
            f64::is_finite,
        )
    }

    fn typical_params(&self) -> Vec<f64> {
        // A heavy tail (ξ = 1) and a scale large against the location: the shared
        // finite-difference tests perturb ξ by ±2 around this point and step μ relative to |μ|,
        // and their central differences lose accuracy where 1 + ξz is small (near a moving end
        // of the support, for ξ < −1 or ξ ≫ 1); this point keeps such draws rare.
        vec![0.5, 20.0, 1.0]
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        let (mu, sigma, xi) = (theta[0], theta[1], theta[2]);
        let l1 = ln_gamma_1m(xi);
        let mean = if xi >= 1.0 {
            f64::INFINITY
        } else if xi == 0.0 {
            mu + sigma * EULER_GAMMA
        } else {
            mu + sigma * l1.exp_m1() / xi
        };
        let var = if xi >= 0.5 {
            f64::INFINITY
        } else {
            // Γ(1−2ξ) − Γ(1−ξ)² = e^(2 L₁) expm1(L₂ − 2L₁); (L₂ − 2L₁)/ξ² from its series near 0.
            let d_over_xi2 = if xi.abs() < 1e-3 {
                ZETA[0]
                    + xi * (2.0 * ZETA[1]
                        + xi * (3.5 * ZETA[2] + xi * (6.0 * ZETA[3] + xi * (62.0 / 6.0) * ZETA[4])))
            } else {
                (ln_gamma_1m(2.0 * xi) - 2.0 * l1) / (xi * xi)
            };
            let d = d_over_xi2 * xi * xi;
            let expm1_ratio = if d == 0.0 { 1.0 } else { d.exp_m1() / d };
            sigma * sigma * (2.0 * l1).exp() * d_over_xi2 * expm1_ratio
        };
        (mean, var)
    }
}

/// ln p + ln σ and its derivatives in (z, ξ) at one observation: q = −(1 + ξ)L − e^(−L) with
/// L = ln(1 + ξz)/ξ; `qx` is ∂q/∂ξ, `qxz` ∂²q/∂ξ∂z and so on.
struct Terms {
    q: f64,
    qz: f64,
    qzz: f64,
    qx: f64,
    qxx: f64,
    qxz: f64,
}

impl Terms {
    /// The terms up to `order` (0: value, 1: + first derivatives, 2: + second), or `None`
    /// outside the support (1 + ξz ≤ 0).
    #[inline]
    fn at(xi: f64, z: f64, order: u8) -> Option<Terms> {
        let y = xi * z;
        if !(y > -1.0) {
            return None;
        }
        let (l, lx, lxx) = ln1p_ratio(xi, z, order);
        let t = (-l).exp();
        let mut p = Terms {
            q: -(1.0 + xi) * l - t,
            qz: 0.0,
            qzz: 0.0,
            qx: 0.0,
            qxx: 0.0,
            qxz: 0.0,
        };
        if order >= 1 {
            let inv_u = 1.0 / (1.0 + y);
            // a = t − 1 − ξ multiplies every derivative of L in q.
            let a = t - 1.0 - xi;
            p.qz = a * inv_u;
            p.qx = a * lx - l;
            if order >= 2 {
                let inv_u2 = inv_u * inv_u;
                p.qzz = -(xi * a + t) * inv_u2;
                p.qxx = -2.0 * lx + a * lxx - t * lx * lx;
                p.qxz = -(1.0 + t * lx) * inv_u - a * z * inv_u2;
            }
        }
        Some(p)
    }
}

/// L = ln(1 + ξz)/ξ and, up to `order`, ∂L/∂ξ = z² f₁(ξz) and ∂²L/∂ξ² = z³ f₂(ξz), accurate
/// through ξ = 0 (where they are z, −z²/2 and 2z³/3). Requires ξz > −1. Shared with the
/// generalized Pareto family, whose log-density is built from the same L.
#[inline]
pub(super) fn ln1p_ratio(xi: f64, z: f64, order: u8) -> (f64, f64, f64) {
    let y = xi * z;
    let f0 = if y == 0.0 { 1.0 } else { y.ln_1p() / y };
    let l = z * f0;
    if order == 0 {
        return (l, 0.0, 0.0);
    }
    let (f1, f2) = if y.abs() < SERIES_BELOW {
        let (mut f1, mut f2) = (0.0, 0.0);
        for (c1, c2) in F1_SERIES.iter().zip(&F2_SERIES).rev() {
            f1 = f1 * y + c1;
            f2 = f2 * y + c2;
        }
        (f1, f2)
    } else {
        let inv_u = 1.0 / (1.0 + y);
        let f1 = (inv_u - f0) / y;
        (f1, (-inv_u * inv_u - 2.0 * f1) / y)
    };
    let z2 = z * z;
    (l, z2 * f1, if order >= 2 { z2 * z * f2 } else { 0.0 })
}

/// The Taylor coefficients of f₁ (`second == false`) or f₂, constant term first.
const fn series_coefficients(second: bool) -> [f64; SERIES_TERMS] {
    let mut c = [0.0; SERIES_TERMS];
    let mut i = 0;
    while i < SERIES_TERMS {
        let k = (i + 1) as f64;
        // (−1)ᵏ for f₁ and (−1)ᵏ⁺¹ for f₂.
        let odd = i % 2 == 0;
        c[i] = if second {
            let v = k * (k + 1.0) / (k + 2.0);
            if odd {
                v
            } else {
                -v
            }
        } else {
            let v = k / (k + 1.0);
            if odd {
                -v
            } else {
                v
            }
        };
        i += 1;
    }
    c
}

/// The weighted sums of one pass: Σw and Σw of q, q_z, z q_z, q_zz, z q_zz, z² q_zz, q_ξ, q_ξξ,
/// q_ξz and z q_ξz (see [`Terms`]).
#[derive(Default)]
struct Sums {
    w: f64,
    q: f64,
    qz: f64,
    zqz: f64,
    qzz: f64,
    zqzz: f64,
    zzqzz: f64,
    qx: f64,
    qxx: f64,
    qxz: f64,
    zqxz: f64,
}

impl Sums {
    /// `None` as soon as one observation lies outside the support.
    #[inline]
    fn over(
        pairs: impl Iterator<Item = (f64, f64)>,
        mu: f64,
        inv_s: f64,
        xi: f64,
        order: u8,
    ) -> Option<Sums> {
        let mut s = Sums::default();
        // Compensated: the value's rounding error is the objective's noise floor.
        let mut q = CompensatedSum::default();
        for (x, w) in pairs {
            let z = (x - mu) * inv_s;
            let p = Terms::at(xi, z, order)?;
            if !p.q.is_finite() {
                // e^(−z) overflowed far in the lower tail: the density underflows to 0.
                return None;
            }
            s.w += w;
            q.add(w * p.q);
            if order >= 1 {
                let wqz = w * p.qz;
                s.qz += wqz;
                s.zqz += z * wqz;
                s.qx += w * p.qx;
                if order >= 2 {
                    let wqzz = w * p.qzz;
                    s.qzz += wqzz;
                    s.zqzz += z * wqzz;
                    s.zzqzz += z * z * wqzz;
                    s.qxx += w * p.qxx;
                    let wqxz = w * p.qxz;
                    s.qxz += wqxz;
                    s.zqxz += z * wqxz;
                }
            }
        }
        s.q = q.value();
        Some(s)
    }
}

/// Sample L-moments λ₁, λ₂ and the L-skewness τ₃ = λ₃/λ₂ from probability-weighted moments
/// bᵣ = Σ w pʳ x / Σw at the plotting positions p = (weight below + w/2)/Σw of the sorted
/// distinct values (pᵢ = (i − ½)/n without weights).
fn sample_l_moments(d: &[(f64, f64)]) -> (f64, f64, f64) {
    let total: f64 = d.iter().map(|p| p.1).sum();
    let (mut b0, mut b1, mut b2) = (
        CompensatedSum::default(),
        CompensatedSum::default(),
        CompensatedSum::default(),
    );
    let mut below = 0.0;
    for &(x, w) in d {
        let p = (below + 0.5 * w) / total;
        below += w;
        b0.add(w * x);
        b1.add(w * p * x);
        b2.add(w * p * p * x);
    }
    let (b0, b1, b2) = (b0.value() / total, b1.value() / total, b2.value() / total);
    let l2 = 2.0 * b1 - b0;
    (b0, l2, (6.0 * b2 - 6.0 * b1 + b0) / l2)
}

/// μ and σ matching the L-moments λ₁, λ₂ for a given ξ < 1 (Hosking, Wallis & Wood 1985):
/// σ = λ₂ ξ / (Γ(1 − ξ)(2^ξ − 1)), μ = λ₁ − σ(Γ(1 − ξ) − 1)/ξ, with the Gumbel limits
/// σ = λ₂/ln 2, μ = λ₁ − γσ at ξ = 0.
fn pwm_location_scale(l1: f64, l2: f64, xi: f64) -> (f64, f64) {
    if xi == 0.0 {
        let sigma = l2 / std::f64::consts::LN_2;
        return (l1 - EULER_GAMMA * sigma, sigma);
    }
    let lg = ln_gamma_1m(xi);
    let sigma = l2 * xi / (lg.exp() * (xi * std::f64::consts::LN_2).exp_m1());
    (l1 - sigma * lg.exp_m1() / xi, sigma)
}

/// ln Γ(1 − ξ) for ξ < 1; near 0 from its Taylor series γξ + Σₖ ζ(k) ξᵏ/k (A&S 6.1.33), where
/// forming 1 − ξ would lose the digits of ξ.
fn ln_gamma_1m(xi: f64) -> f64 {
    if xi.abs() < 1e-3 {
        let mut s = 0.0;
        for (j, z) in ZETA.iter().enumerate().rev() {
            s = s * xi + z / (j + 2) as f64;
        }
        xi * (EULER_GAMMA + xi * s)
    } else {
        ln_gamma(1.0 - xi)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::super::testkit::{assert_close, check_derivatives_with, check_fast_path, rel_close};
    use super::super::testkit::{Derivs, Step};
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn known_density_values() {
        // scipy.stats.genextreme.logpdf(x, c=-shape, loc=location, scale=scale) (c = −ξ), and
        // mpmath at 40 digits of −ln σ − (1 + 1/ξ) ln(1 + ξz) − (1 + ξz)^(−1/ξ).
        let cases: [([f64; 3], f64, f64); 7] = [
            // scipy -1.8001391940718383
            ([0.5, 2.0, 0.1], 1.3, -1.800_139_194_071_838_4),
            // scipy -1.9985596136449697
            ([0.5, 2.0, -0.3], 3.0, -1.998_559_613_644_969_3),
            // scipy.stats.gumbel_r.logpdf(0.7) = -1.1965853037914096
            ([0.0, 1.0, 0.0], 0.7, -1.196_585_303_791_409_5),
            // scipy -5.794521217816926
            ([1.0, 1.5, 1e-9], -2.0, -5.794_521_217_816_927),
            // scipy -10.506491161448047
            ([10.0, 0.5, 0.8], 100.0, -10.506_491_161_448_047),
            // scipy 0.45098050681086665 (its last three digits are off; mpmath's value here)
            ([0.5, 2.0, -1.5], 1.8, 0.450_980_506_810_865_8),
            // scipy -2.540800364277726
            ([1.0, 1.5, -1e-7], 4.0, -2.540_800_364_277_726),
        ];
        for (theta, x, expected) in cases {
            let lp = Gev.ln_density_derivs(&theta, x, None, None);
            assert!(rel_close(lp, expected, 1e-14), "{theta:?} {x}: {lp}");
        }
    }

    #[test]
    fn outside_the_moving_support() {
        // ξ > 0: bounded below at μ − σ/ξ = −3.5; ξ < 0: bounded above at μ − σ/ξ = 4.5.
        for (theta, x) in [
            ([0.5, 2.0, 0.5], -3.5),
            ([0.5, 2.0, 0.5], -10.0),
            ([0.5, 2.0, -0.5], 4.5),
            ([0.5, 2.0, -0.5], 1e3),
        ] {
            assert_eq!(
                Gev.ln_density_derivs(&theta, x, None, None),
                f64::NEG_INFINITY
            );
        }
        assert!(Gev
            .ln_density_derivs(&[0.5, 2.0, -0.5], 4.49, None, None)
            .is_finite());
        let s = Sample::new(vec![0.0, 1.0, 5.0]).unwrap();
        assert_eq!(
            Gev.log_likelihood(&[0.5, 2.0, -0.5], &s, None, None),
            f64::NEG_INFINITY
        );
        let s = s.with_weights(vec![1.0, 1.0, 0.0]).unwrap();
        assert!(Gev
            .log_likelihood(&[0.5, 2.0, -0.5], &s, None, None)
            .is_finite());
    }

    /// θ, x, ln p, its gradient and its Hessian.
    type Reference = ([f64; 3], f64, f64, [f64; 3], [f64; 9]);

    /// Value, gradient and Hessian against mpmath (40 digits; derivatives by mp.diff of the
    /// closed-form log-density), through and around ξ = 0.
    #[test]
    fn derivatives_match_mpmath_near_the_gumbel_limit() {
        let cases: [Reference; 4] = [
            (
                [0.5, 2.0, 1e-6],
                3.0,
                -2.229_652_670_001_778_7,
                [
                    0.356_747_543_719_588_57,
                    -0.054_065_570_350_514_284,
                    -0.692_581_413_946_164_1,
                ],
                [
                    -0.071_625_897_734_139_81,
                    -0.267_906_144_027_469_05,
                    -0.057_850_194_518_096_955,
                    -0.267_906_144_027_469_05,
                    -0.307_849_894_859_079_17,
                    -0.072_312_743_147_621_19,
                    -0.057_850_194_518_096_955,
                    -0.072_312_743_147_621_19,
                    0.458_600_581_525_961_96,
                ],
            ),
            (
                [0.5, 2.0, -1e-6],
                -1.0,
                -2.060_147_633_016_325,
                [
                    -0.558_499_791_728_556_9,
                    -0.081_125_156_203_582_31,
                    0.435_843_664_441_831_12,
                ],
                [
                    -0.529_248_782_178_124_1,
                    0.676_186_482_497_871_5,
                    -0.216_577_427_267_761_27,
                    0.676_186_482_497_871_5,
                    -0.466_577_283_771_612_5,
                    0.162_433_070_450_820_95,
                    -0.216_577_427_267_761_27,
                    0.162_433_070_450_820_95,
                    0.080_885_972_060_717_71,
                ],
            ),
            (
                [0.5, 2.0, 0.3],
                -1.5,
                -2.431_077_274_153_736,
                [
                    -1.416_801_083_805_926_9,
                    0.916_801_083_805_927,
                    -0.395_619_345_639_960_8,
                ],
                [
                    -1.978_866_312_513_666_8,
                    2.687_266_854_416_63,
                    -3.183_316_265_053_873_6,
                    2.687_266_854_416_63,
                    -3.145_667_396_319_593_7,
                    3.183_316_265_053_873_6,
                    -3.183_316_265_053_873_6,
                    3.183_316_265_053_873_6,
                    -3.427_487_365_417_02,
                ],
            ),
            (
                [0.5, 2.0, 1e-12],
                10.0,
                -5.451_798_875_756_633,
                [
                    0.495_674_152_396_536_43,
                    1.854_452_223_883_548,
                    6.433_648_063_440_427,
                ],
                [
                    -0.002_162_923_800_536_174,
                    -0.258_110_964_250_815_04,
                    -1.903_253_192_129_851_4,
                    -0.258_110_964_250_815_04,
                    -2.153_253_192_133_145_5,
                    -9.040_452_662_616_794,
                    -1.903_253_192_129_851_4,
                    -9.040_452_662_616_794,
                    -49.368_342_914_473_3,
                ],
            ),
        ];
        for (theta, x, value, grad, hess) in cases {
            let (mut g, mut h) = ([0.0; 3], [0.0; 9]);
            let lp = Gev.ln_density_derivs(&theta, x, Some(&mut g), Some(&mut h));
            assert!(rel_close(lp, value, 1e-14), "{theta:?}: {lp}");
            for j in 0..3 {
                assert_close(
                    g[j],
                    grad[j],
                    1e-13,
                    1e-3,
                    &format!("grad {j} at {theta:?}"),
                );
            }
            for j in 0..9 {
                assert_close(
                    h[j],
                    hess[j],
                    1e-13,
                    1e-3,
                    &format!("hess {j} at {theta:?}"),
                );
            }
        }
    }

    #[test]
    fn continuous_through_xi_zero() {
        // The series and direct branches, and ξ = 0 itself, agree to rounding: compare ξ = ±δ
        // with the ξ = 0 values plus the first-order change δ ∂/∂ξ (exact to O(δ²)).
        for &x in &[-2.0, 0.3, 1.0, 6.0, 25.0] {
            let (mut g0, mut h0) = ([0.0; 3], [0.0; 9]);
            let v0 = Gev.ln_density_derivs(&[0.5, 2.0, 0.0], x, Some(&mut g0), Some(&mut h0));
            for &d in &[1e-300, 1e-12, -1e-12, 1e-9, -1e-9] {
                let (mut g, mut h) = ([0.0; 3], [0.0; 9]);
                let v = Gev.ln_density_derivs(&[0.5, 2.0, d], x, Some(&mut g), Some(&mut h));
                assert_close(v, v0 + d * g0[2], 1e-14, 1.0, &format!("value x={x} ξ={d}"));
                for j in 0..3 {
                    let lin = g0[j] + d * h0[3 * j + 2];
                    assert_close(g[j], lin, 1e-13, 1.0, &format!("grad {j} x={x} ξ={d}"));
                }
            }
        }
        // Either side of the switch between series and direct formulas (|ξz| = 0.2).
        let z_at = |xi: f64| 0.2 / xi;
        for &xi in &[0.05, -0.05] {
            let x = 0.5 + 2.0 * z_at(xi);
            let (mut ga, mut ha) = ([0.0; 3], [0.0; 9]);
            let (mut gb, mut hb) = ([0.0; 3], [0.0; 9]);
            let below = x * (1.0 - 1e-15);
            let above = x * (1.0 + 1e-15);
            Gev.ln_density_derivs(&[0.5, 2.0, xi], below, Some(&mut ga), Some(&mut ha));
            Gev.ln_density_derivs(&[0.5, 2.0, xi], above, Some(&mut gb), Some(&mut hb));
            for j in 0..9 {
                assert_close(ha[j], hb[j], 1e-12, 1e-2, &format!("hess {j} at ξ={xi}"));
            }
        }
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let how = Derivs {
            step: Step::RelativeAtLeastOne(1e-6),
            ..Derivs::rel(1e-6)
        };
        for (theta, x) in [
            ([0.5, 2.0, 0.1], 1.3),
            ([0.5, 2.0, 0.0], -1.0),
            ([0.5, 2.0, 1e-9], 7.0),
            ([0.5, 2.0, -0.3], 3.0),
            ([0.5, 2.0, -0.3], 6.5),
            ([10.0, 0.5, 0.8], 100.0),
            ([0.5, 2.0, 0.5], -3.3),
            ([0.5, 2.0, -1.5], 1.6),
            ([-3e3, 40.0, 0.2], -2.9e3),
        ] {
            check_derivatives_with(&Gev, &theta, x, how);
        }
    }

    #[test]
    fn one_pass_matches_pointwise_sum() {
        let x = vec![0.2, -1.5, 3.0, 0.9, 12.0, -0.4, 2.2];
        let w = vec![1.0, 2.5, 0.0, 0.5, 3.0, 1.0, 0.7];
        let weighted = Sample::new(x.clone()).unwrap().with_weights(w).unwrap();
        let plain = Sample::new(x).unwrap();
        for (theta, s) in [
            ([0.4, 1.3, 0.2], &weighted),
            ([0.4, 1.3, 0.0], &weighted),
            ([0.4, 1.3, 1e-7], &plain),
            ([1.0, 5.0, -0.3], &weighted),
            ([0.4, 1.3, 0.2], &plain),
        ] {
            check_fast_path(&Gev, &theta, s, 1e-13, 1e-12);
        }
    }

    #[test]
    fn underflow_in_the_lower_tail_is_minus_infinity_not_nan() {
        // ξ = 0, z = −800: e^(−z) overflows, the density underflows to 0.
        let s = Sample::new(vec![-800.0, 0.0, 1.0]).unwrap();
        let theta = [0.0, 1.0, 0.0];
        assert_eq!(
            Gev.ln_density_derivs(&theta, -800.0, None, None),
            f64::NEG_INFINITY
        );
        let (mut g, mut h) = ([0.0; 3], [0.0; 9]);
        let ll = Gev.log_likelihood(&theta, &s, Some(&mut g), Some(&mut h));
        assert_eq!(ll, f64::NEG_INFINITY);
        // The start widens the scale until that value has a positive density.
        let t = Gev.initial_estimate(&s).unwrap();
        assert!(Gev.log_likelihood(&t, &s, None, None).is_finite(), "{t:?}");
    }

    #[test]
    fn constant_data_is_degenerate() {
        let s = Sample::new(vec![3.0; 4]).unwrap();
        let e = Gev.initial_estimate(&s).unwrap_err();
        assert!(e.to_string().contains("all values are equal"), "{e}");
    }

    #[test]
    fn initial_estimate_is_inside_the_support() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for theta in [
            [0.5, 2.0, 0.1],
            [0.5, 2.0, -0.45],
            [0.5, 2.0, -0.9],
            [0.5, 2.0, 0.9],
            [1e4, 3.0, 0.0],
        ] {
            let s = Sample::new(Gev.sample(&theta, 500, &mut rng)).unwrap();
            let t = Gev.initial_estimate(&s).unwrap();
            assert!(
                Gev.log_likelihood(&t, &s, None, None).is_finite(),
                "{theta:?}: {t:?}"
            );
        }
        // A far outlier on the left: the moments give a heavy right tail, the outlier falls
        // below the support, and ξ is shrunk until it does not.
        let mut x: Vec<f64> = Gev.sample(&[0.0, 1.0, 0.3], 200, &mut rng);
        x.push(-40.0);
        let s = Sample::new(x).unwrap();
        let t = Gev.initial_estimate(&s).unwrap();
        assert!(Gev.log_likelihood(&t, &s, None, None).is_finite(), "{t:?}");
    }

    #[test]
    fn fixed_parameters_keep_the_start_inside_the_support() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(12);
        let s = Sample::new(Gev.sample(&[0.0, 1.0, 0.1], 300, &mut rng)).unwrap();
        for fixed in [
            [None, None, Some(0.9)],
            [None, None, Some(-0.8)],
            [None, None, Some(2.5)],
            [None, Some(0.05), None],
            [Some(5.0), None, Some(0.5)],
            [None, Some(0.2), Some(0.5)],
            [None, Some(0.2), Some(-0.5)],
            [Some(-30.0), Some(0.5), None],
        ] {
            let t = Gev.initial_estimate_given(&s, &fixed).unwrap();
            for (v, f) in t.iter().zip(fixed) {
                assert!(f.is_none_or(|f| f == *v), "{fixed:?}: {t:?}");
            }
            assert!(
                Gev.log_likelihood(&t, &s, None, None).is_finite(),
                "{fixed:?}: {t:?}"
            );
            let names = ["location", "scale", "shape"];
            let opts = FitOptions {
                fixed: names
                    .iter()
                    .zip(fixed)
                    .filter_map(|(n, f)| f.map(|v| (n.to_string(), v)))
                    .collect(),
                ..Default::default()
            };
            let f = fit(&Gev, &s, &opts).unwrap();
            assert!(f.log_likelihood.is_finite(), "{fixed:?}: {:?}", f.notes);
        }
        // All three fixed: values outside the support are a data error.
        let e = Gev
            .check_data(&s, &[Some(10.0), Some(1.0), Some(0.5)])
            .unwrap_err();
        assert!(e.to_string().contains("outside the support (8, ∞)"), "{e}");
        assert!(Gev.check_data(&s, &[Some(10.0), Some(1.0), None]).is_ok());
    }

    #[test]
    fn fit_recovers_parameters() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(21);
        for truth in [[0.5, 2.0, 0.1], [-3.0, 0.5, -0.25], [100.0, 10.0, 0.0]] {
            let s = Sample::new(Gev.sample(&truth, 2000, &mut rng)).unwrap();
            let f = fit(&Gev, &s, &FitOptions::default()).unwrap();
            assert!(f.converged, "{truth:?}: {:?} {:?}", f.termination, f.notes);
            let se = f.std_errors.clone().unwrap().values();
            for ((est, t), e) in f.theta().iter().zip(truth).zip(se) {
                assert!(
                    (est - t).abs() < 4.0 * e,
                    "{truth:?}: {:?} ± {e}",
                    f.theta()
                );
            }
        }
    }

    #[test]
    fn shape_below_minus_one_is_reported_as_a_boundary() {
        // X = 1 − U²: the density grows like (1 − x)^(−1/2) at the upper end, sharper than any
        // GEV with ξ > −1, so the likelihood increases without bound as ξ → ξ < −1.
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let x: Vec<f64> = (0..400)
            .map(|_| {
                let u: f64 = rand_distr::StandardUniform.sample(&mut rng);
                1.0 - u * u
            })
            .collect();
        let f = fit(&Gev, &Sample::new(x).unwrap(), &FitOptions::default()).unwrap();
        assert!(!f.converged, "{:?}", f.theta());
        assert_eq!(f.termination, Termination::Boundary, "{:?}", f.notes);
        assert!(
            f.notes.iter().any(|n| n.contains("does not exist")),
            "{:?}",
            f.notes
        );
        assert!(Gev.boundary_note(&[0.0, 1.0, -0.99]).is_none());
    }

    #[test]
    fn moments() {
        // scipy.stats.genextreme.stats(-0.1, loc=0.5, scale=2.0, moments='mv')
        //   = (1.8725740423863935, 8.904964292832652)
        let (m, v) = Gev.mean_variance(&[0.5, 2.0, 0.1]);
        assert!(rel_close(m, 1.872_574_042_386_393_5, 1e-13), "{m}");
        assert!(rel_close(v, 8.904_964_292_832_652, 1e-13), "{v}");
        // scipy.stats.genextreme.stats(0.3, loc=0.5, scale=2.0, moments='mv')
        //   = (1.1835286912914855, 3.913853269298503)
        let (m, v) = Gev.mean_variance(&[0.5, 2.0, -0.3]);
        assert!(rel_close(m, 1.183_528_691_291_485_5, 1e-13), "{m}");
        assert!(rel_close(v, 3.913_853_269_298_503, 1e-13), "{v}");
        // scipy.stats.gumbel_r.stats(loc=0.5, scale=2.0, moments='mv')
        //   = (1.6544313298030657, 6.579736267392906), also the limit ξ → 0.
        for xi in [0.0, 1e-12, -1e-6, 5e-4, 2e-3] {
            let (m, v) = Gev.mean_variance(&[0.5, 2.0, xi]);
            let tol = 1e-14 + 3.0 * xi.abs();
            assert!(rel_close(m, 1.654_431_329_803_065_7, tol), "{xi}: {m}");
            assert!(rel_close(v, 6.579_736_267_392_906, tol), "{xi}: {v}");
        }
        assert_eq!(Gev.mean_variance(&[0.0, 1.0, 0.6]).1, f64::INFINITY);
        assert_eq!(Gev.mean_variance(&[0.0, 1.0, 1.0]).0, f64::INFINITY);
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy 1.17.1: scipy.stats.genextreme.cdf(x, c=-0.3, loc=1, scale=2) (location 1, scale 2, shape 0.3: scipy's c is -shape).
        let theta = [1.0, 2.0, 0.3];
        for (x, want) in [
            (2.0, 0.5338785534487672),
            (-2.0, 0.0006516697655498292),
            (40.0, 0.9983631492511899),
            (-5.0, 0.0),
        ] {
            let got = Gev.cdf(&theta, x).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "x = {x}: {got} vs {want}"
            );
        }
        // Below the lower end μ − σ/ξ of the support, and the Gumbel limit at ξ = 0:
        // scipy.stats.gumbel_r.cdf(0.5, loc=1, scale=2) = 0.27692033409990896;
        // scipy.stats.genextreme.cdf(0.5, c=1e-9, loc=1, scale=2) = 0.27692033411102057.
        assert_eq!(Gev.cdf(&theta, -6.0), Some(0.0));
        assert!((Gev.cdf(&[1.0, 2.0, 0.0], 0.5).unwrap() - 0.27692033409990896).abs() < 1e-15);
        assert!((Gev.cdf(&[1.0, 2.0, -1e-9], 0.5).unwrap() - 0.27692033411102057).abs() < 1e-15);
        // Above the upper end μ − σ/ξ = 6 for ξ = −0.4.
        assert_eq!(Gev.cdf(&[1.0, 2.0, -0.4], 6.0), Some(1.0));
        // scipy.stats.genextreme.cdf(5.0, c=0.4, loc=1, scale=2) = 0.9822705063757784.
        assert!((Gev.cdf(&[1.0, 2.0, -0.4], 5.0).unwrap() - 0.9822705063757784).abs() < 1e-14);
    }
}
