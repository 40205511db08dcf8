//! Quantities of the fitted model — quantiles, mean, variance — with delta-method standard
//! errors.
//!
//! A quantity q(θ̂) has the delta-method variance ∇qᵀ Cov(θ̂) ∇q (Casella & Berger,
//! *Statistical Inference*, 2nd ed., §5.5.4). The gradient comes from the model, not from
//! finite differences: for a moment, differentiating under the integral,
//!
//!   ∂E_θ[g(X)]/∂θ = E_θ[g(X) s(X)],   s = ∇θ ln p(X | θ) (the score),
//!
//! so ∂mean/∂θ = E\[(X − μ) s\] (E\[s\] = 0) and ∂Var/∂θ = E\[(X − μ)² s\] − 2 E\[X − μ\] ∂μ/∂θ (the
//! second term is zero in exact arithmetic and cancels the rounding of μ here); for a
//! continuous quantile Q(θ), implicit differentiation of F(Q | θ) = p gives
//!
//!   ∂Q/∂θ = −(∂F/∂θ)(Q) / p(Q),   ∂F(Q)/∂θ = E_θ[1{X ≤ Q} s(X)] = −E_θ[1{X > Q} s(X)],
//!
//! integrated over the smaller tail only. The expectations are those of
//! [`expect`]. A discrete quantile is a step function of θ: it has no
//! derivative, and no delta-method standard error is reported.
//!
//! Differentiating under the integral needs a support that does not move with θ: the
//! gradient is computed only for the parameters the covariance covers, which excludes the
//! held edges of a uniform or Pareto.

use nalgebra::DMatrix;
use serde::Serialize;

use super::expect;
use crate::error::{ErrorKind, Result};
use crate::family::Family;

/// A quantity of the fitted distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// The p-quantile, 0 < p < 1 (for a discrete law the smallest x with F(x) ≥ p).
    Quantile(f64),
    /// The mean E\[X\].
    Mean,
    /// The variance Var\[X\].
    Variance,
}

impl Quantity {
    /// The name used in output: `q0.05`, `mean`, `variance`.
    pub fn name(&self) -> String {
        match self {
            Quantity::Quantile(p) => format!("q{p}"),
            Quantity::Mean => "mean".into(),
            Quantity::Variance => "variance".into(),
        }
    }
}

impl std::str::FromStr for Quantity {
    type Err = crate::error::Error;

    /// `mean`, `variance` (or `var`), `median`, or `qP` / `P` for the P-quantile, 0 < P < 1.
    fn from_str(s: &str) -> Result<Quantity> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "mean" => return Ok(Quantity::Mean),
            "variance" | "var" => return Ok(Quantity::Variance),
            "median" => return Ok(Quantity::Quantile(0.5)),
            _ => {}
        }
        let p: Option<f64> = t.strip_prefix('q').unwrap_or(&t).parse().ok();
        match p {
            Some(p) if p > 0.0 && p < 1.0 => Ok(Quantity::Quantile(p)),
            _ => Err(ErrorKind::InvalidOption {
                reason: format!(
                    "unknown quantity {s:?}: use mean, variance, median or qP with 0 < P < 1 \
                     (q0.05 for the 5% quantile)"
                ),
            }
            .into()),
        }
    }
}

/// A derived quantity with its delta-method standard error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    /// `q0.05`, `mean` or `variance`.
    pub name: String,
    /// Its value at θ̂.
    pub estimate: f64,
    /// √(∇qᵀ Cov ∇q); `None` when the quantity has no derivative (a discrete quantile).
    pub std_error: Option<f64>,
    /// ∂q/∂θ in the family's parameter order; NaN (null in JSON) for the parameters the
    /// covariance does not cover, where it is not computed; empty when there is none.
    pub gradient: Vec<f64>,
    /// Why there is no standard error, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The value of `q` for the distribution with parameters θ: the quantile by inverting the
/// family's CDF ([`expect::quantile`], ~1e-14 relative), the mean and variance from
/// [`Family::mean_variance`]. `None` where it does not exist (an infinite variance, a
/// quantile of labels) or θ is invalid.
pub fn value(family: &dyn Family, theta: &[f64], q: Quantity) -> Option<f64> {
    match q {
        Quantity::Quantile(p) => expect::quantile(family, theta, p),
        Quantity::Mean => Some(family.mean_variance(theta).0).filter(|v| v.is_finite()),
        Quantity::Variance => Some(family.mean_variance(theta).1).filter(|v| v.is_finite()),
    }
}

/// `q` at θ with its delta-method standard error under the covariance `cov` of θ̂ (k × k in
/// natural parameters, zero rows for what was not estimated, as in
/// [`CovarianceMatrix::natural`](super::covariance::CovarianceMatrix::natural)). `None` when
/// the value does not exist or its gradient cannot be computed (an expectation that does not
/// converge, a zero density at the quantile).
pub fn delta_method(
    family: &dyn Family,
    theta: &[f64],
    cov: &DMatrix<f64>,
    q: Quantity,
) -> Option<Derived> {
    let k = theta.len();
    if cov.nrows() != k || cov.ncols() != k {
        return None;
    }
    let estimate = value(family, theta, q)?;
    if let Quantity::Quantile(p) = q {
        if family.support().is_discrete() {
            return Some(Derived {
                name: q.name(),
                estimate,
                std_error: None,
                gradient: Vec::new(),
                note: Some(format!(
                    "the {p} quantile of a discrete law is a step function of the parameters: \
                     no delta-method standard error"
                )),
            });
        }
    }
    let which: Vec<usize> = (0..k)
        .filter(|&j| cov.row(j).iter().any(|&v| v != 0.0))
        .collect();
    let m = which.len();
    let mut g = vec![0.0; k];
    // s_j(x) for the covered parameters, into `s`.
    let mut score = |x: f64, s: &mut [f64]| {
        family.ln_density_derivs(theta, x, Some(&mut g), None);
        for (sa, &j) in s.iter_mut().zip(&which) {
            *sa = g[j];
        }
    };
    let mut s = vec![0.0; m];
    let partial = (|| -> Option<Vec<f64>> {
        Some(match q {
            Quantity::Mean => {
                let mu = estimate;
                expect::expectation(family, theta, m, |x, out| {
                    score(x, &mut s);
                    for (o, sa) in out.iter_mut().zip(&s) {
                        *o = (x - mu) * sa;
                    }
                })?
            }
            Quantity::Variance => {
                let mu = family.mean_variance(theta).0;
                if !mu.is_finite() {
                    return None;
                }
                // [E[(X−μ)² s], E[(X−μ) s], E[s], E[X − μ]]
                let e = expect::expectation(family, theta, 3 * m + 1, |x, out| {
                    score(x, &mut s);
                    let d = x - mu;
                    for (a, sa) in s.iter().enumerate() {
                        out[a] = d * d * sa;
                        out[m + a] = d * sa;
                        out[2 * m + a] = *sa;
                    }
                    out[3 * m] = d;
                })?;
                let bias = e[3 * m];
                (0..m)
                    .map(|a| {
                        let dmean = e[m + a] + mu * e[2 * m + a];
                        e[a] - 2.0 * bias * dmean
                    })
                    .collect()
            }
            Quantity::Quantile(p) => {
                let density = family.ln_density_derivs(theta, estimate, None, None).exp();
                if !(density > 0.0 && density.is_finite()) {
                    return None;
                }
                let dcdf: Vec<f64> = if p <= 0.5 {
                    expect::expectation_over(
                        family,
                        theta,
                        f64::NEG_INFINITY,
                        estimate,
                        m,
                        |x, o| score(x, o),
                    )?
                } else {
                    expect::expectation_over(family, theta, estimate, f64::INFINITY, m, |x, o| {
                        score(x, o)
                    })?
                    .into_iter()
                    .map(|v| -v)
                    .collect()
                };
                dcdf.iter().map(|d| -d / density).collect()
            }
        })
    })();
    // The value stands without its gradient (it used to be dropped silently): the expectation
    // over the support is refused beyond MAX_TERMS terms (counts of 1e15 and more) rather than
    // summed for minutes.
    let Some(partial) = partial else {
        return Some(Derived {
            name: q.name(),
            estimate,
            std_error: None,
            gradient: Vec::new(),
            note: Some(format!(
                "no delta-method standard error: the expectation over the support that gives \
                 the gradient of {} is unavailable (a sum of more than {} terms, or one that \
                 does not converge)",
                q.name(),
                expect::MAX_TERMS
            )),
        });
    };
    let mut gradient = vec![f64::NAN; k];
    for (&j, &d) in which.iter().zip(&partial) {
        gradient[j] = d;
    }
    let mut variance = 0.0;
    for (a, &i) in which.iter().enumerate() {
        for (b, &j) in which.iter().enumerate() {
            variance += partial[a] * cov[(i, j)] * partial[b];
        }
    }
    Some(Derived {
        name: q.name(),
        estimate,
        std_error: Some(variance.max(0.0).sqrt()),
        gradient,
        note: None,
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::data::Sample;
    use crate::family::lookup;
    use crate::fit::{fit, Fit, FitOptions};
    use crate::inference::covariance::covariances;

    /// A seeded sample from `name` at θ, fitted by `name`, and its observed covariance.
    fn fitted(name: &str, theta: &[f64], n: usize) -> (&'static dyn Family, Fit, DMatrix<f64>) {
        let family = lookup(name).unwrap();
        let x = family.sample(theta, n, &mut rand::rngs::StdRng::seed_from_u64(17));
        let sample = Sample::new(x).unwrap();
        let f = fit(family, &sample, &FitOptions::default()).unwrap();
        assert!(f.converged);
        let cov = covariances(family, &sample, &f).unwrap();
        (family, f, cov.observed.unwrap().natural)
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn normal_quantile_se_is_the_textbook_formula() {
        let n = 250;
        let (family, f, cov) = fitted("normal", &[10.0, 3.0], n);
        let sd = f.params.get("sd").unwrap();
        for p in [0.01, 0.05, 0.5, 0.9, 0.999] {
            let d = delta_method(family, &f.theta(), &cov, Quantity::Quantile(p)).unwrap();
            let z = statrs::function::erf::erfc_inv(2.0 * p) * -std::f64::consts::SQRT_2;
            let want_q = f.params.get("mean").unwrap() + z * sd;
            assert!(
                close(d.estimate, want_q, 1e-13),
                "{p}: {} vs {want_q}",
                d.estimate
            );
            // √(σ²/n + z²σ²/(2n))
            let nf = n as f64;
            let want = (sd * sd / nf + z * z * sd * sd / (2.0 * nf)).sqrt();
            assert!(
                close(d.std_error.unwrap(), want, 1e-9),
                "{p}: {:?} vs {want}",
                d
            );
            // ∂Q/∂μ = 1, ∂Q/∂σ = z.
            assert!(close(d.gradient[0], 1.0, 1e-9), "{:?}", d.gradient);
            assert!(
                (d.gradient[1] - z).abs() < 1e-9 * z.abs().max(1.0),
                "{:?}",
                d.gradient
            );
            assert_eq!(d.name, format!("q{p}"));
        }
        // Mean and variance: SE σ/√n and σ²√(2/n).
        let d = delta_method(family, &f.theta(), &cov, Quantity::Mean).unwrap();
        assert!(
            close(d.std_error.unwrap(), sd / (n as f64).sqrt(), 1e-10),
            "{d:?}"
        );
        let d = delta_method(family, &f.theta(), &cov, Quantity::Variance).unwrap();
        assert!(close(d.estimate, sd * sd, 1e-15));
        let want = sd * sd * (2.0 / n as f64).sqrt();
        assert!(close(d.std_error.unwrap(), want, 1e-10), "{d:?} vs {want}");
    }

    #[test]
    fn exponential_quantile_se_scales_with_the_rate() {
        // q = −ln(1 − p)/λ, so SE(q) = q · SE(λ)/λ.
        let (family, f, cov) = fitted("exponential", &[0.4], 300);
        let lambda = f.params.get("rate").unwrap();
        let se_lambda = cov[(0, 0)].sqrt();
        for p in [0.1, 0.5, 0.99] {
            let d = delta_method(family, &f.theta(), &cov, Quantity::Quantile(p)).unwrap();
            let q = -(1.0 - p).ln() / lambda;
            assert!(close(d.estimate, q, 1e-13), "{p}");
            assert!(
                close(d.std_error.unwrap(), q * se_lambda / lambda, 1e-10),
                "{p}: {d:?}"
            );
        }
    }

    #[test]
    fn gamma_mean_se_is_that_of_the_sample_mean_form() {
        // With A = n[[ψ′(α), −1/β], [−1/β, α/β²]] and ∇(α/β) = (1/β, −α/β²),
        // ∇ᵀA⁻¹∇ = α/(nβ²): SE(mean) = √α/(β√n) = x̄/√(nα̂), since β̂ = α̂/x̄ at the MLE.
        let n = 500;
        let (family, f, cov) = fitted("gamma", &[2.2, 0.7], n);
        let (a, b) = (
            f.params.get("shape").unwrap(),
            f.params.get("rate").unwrap(),
        );
        let d = delta_method(family, &f.theta(), &cov, Quantity::Mean).unwrap();
        let want = a.sqrt() / (b * (n as f64).sqrt());
        assert!(close(d.std_error.unwrap(), want, 1e-9), "{d:?} vs {want}");
        assert!(close(d.gradient[0], 1.0 / b, 1e-10) && close(d.gradient[1], -a / (b * b), 1e-10));
    }

    #[test]
    fn weibull_quantile_gradient_is_analytic() {
        // Q = λ (−ln(1 − p))^(1/k): ∂Q/∂k = −Q ln(−ln(1 − p))/k², ∂Q/∂λ = Q/λ.
        let family = lookup("weibull").unwrap();
        let theta = [1.7, 4.0];
        let cov = DMatrix::identity(2, 2);
        for p in [0.02, 0.3, 0.95] {
            let d = delta_method(family, &theta, &cov, Quantity::Quantile(p)).unwrap();
            let l = -(1.0 - p).ln();
            let q = 4.0 * l.powf(1.0 / 1.7);
            assert!(close(d.estimate, q, 1e-13));
            let dk = -q * l.ln() / (1.7 * 1.7);
            assert!(
                (d.gradient[0] - dk).abs() < 1e-10 * q,
                "{p}: {:?} vs {dk}",
                d.gradient
            );
            assert!(
                close(d.gradient[1], q / 4.0, 1e-10),
                "{p}: {:?}",
                d.gradient
            );
        }
    }

    #[test]
    fn discrete_mean_and_quantile() {
        // Poisson: SE(mean) = SE(λ) = √(λ/n); its quantiles have no standard error.
        let n = 400;
        let (family, f, cov) = fitted("poisson", &[3.7], n);
        let lambda = f.params.get("lambda").unwrap();
        let d = delta_method(family, &f.theta(), &cov, Quantity::Mean).unwrap();
        assert!(
            close(d.std_error.unwrap(), (lambda / n as f64).sqrt(), 1e-10),
            "{d:?}"
        );
        assert!(close(d.gradient[0], 1.0, 1e-10));
        let d = delta_method(family, &f.theta(), &cov, Quantity::Quantile(0.9)).unwrap();
        assert_eq!(d.std_error, None);
        assert!(d.note.as_deref().unwrap().contains("step function"));
        assert_eq!(Some(d.estimate), expect::quantile(family, &f.theta(), 0.9));
        // Variance of a negative binomial (size r, prob p): r(1 − p)/p², gradient
        // ((1 − p)/p², −r(2 − p)/p³).
        let nb = lookup("negative_binomial").unwrap();
        let theta = [2.5, 0.4];
        let d = delta_method(nb, &theta, &DMatrix::identity(2, 2), Quantity::Variance).unwrap();
        let want = [0.6 / 0.16, -2.5 * 1.6 / 0.064];
        assert!(close(d.estimate, 2.5 * 0.6 / 0.16, 1e-14));
        for (g, w) in d.gradient.iter().zip(want) {
            assert!(close(*g, w, 1e-10), "{:?} vs {want:?}", d.gradient);
        }
    }

    #[test]
    fn uncovered_parameters_get_no_gradient() {
        let family = lookup("gamma").unwrap();
        let mut cov = DMatrix::zeros(2, 2);
        cov[(1, 1)] = 0.01;
        let d = delta_method(family, &[3.0, 2.0], &cov, Quantity::Mean).unwrap();
        assert!(d.gradient[0].is_nan());
        assert!(close(d.gradient[1], -0.75, 1e-10));
        assert!(close(d.std_error.unwrap(), 0.075, 1e-10));
        // Infinite moments have no value.
        let t = lookup("student_t").unwrap();
        assert!(delta_method(t, &[1.5, 0.0, 1.0], &cov_3(), Quantity::Variance).is_none());
    }

    fn cov_3() -> DMatrix<f64> {
        DMatrix::identity(3, 3)
    }

    #[test]
    fn quantities_parse() {
        assert_eq!("mean".parse::<Quantity>().unwrap(), Quantity::Mean);
        assert_eq!("Var".parse::<Quantity>().unwrap(), Quantity::Variance);
        assert_eq!(
            "median".parse::<Quantity>().unwrap(),
            Quantity::Quantile(0.5)
        );
        assert_eq!(
            "q0.05".parse::<Quantity>().unwrap(),
            Quantity::Quantile(0.05)
        );
        assert_eq!("0.9".parse::<Quantity>().unwrap(), Quantity::Quantile(0.9));
        assert!("q1.5".parse::<Quantity>().is_err());
        assert!("mode".parse::<Quantity>().is_err());
    }
}
