//! Observed-information standard errors against R (`tests/fixtures/se_reference.json`, made by
//! `tests/fixtures/generate_se_reference.R`; R is not needed to run this test).
//!
//! R's fitters (fitdistrplus::fitdist, MASS::fitdistr) invert optim()'s Hessian, central finite
//! differences with the default absolute step h = 1e-3, at their own optimum; MASS uses closed
//! forms for the normal, lognormal, exponential, Poisson and geometric. R's own error is then
//! about (h/θ)² (truncation, θ the smallest parameter) + ε|ℓ|·SE²/h² (rounding of ℓ in the
//! second differences, SE the largest standard error), relative. Two comparisons:
//!
//! 1. At R's estimate, our analytic observed information (through [`covariances`]) against R's
//!    finite differences, which isolates R's Hessian error. Tolerance: [`R_ERRORS`] = 10 times
//!    that estimate plus [`FLOOR`] = 2e-5 (the largest gaps are 1.6e-5 for the Weibull on
//!    reaction_times.csv and 8.8e-6 for MASS's gamma on faithful.csv, 38 times its estimate:
//!    MASS's Hessian for the gamma is a little less accurate than the model says). Closed
//!    forms: [`CLOSED_FORM`] = 1e-9. The negative binomial is compared in R's own (size, mu)
//!    coordinates, transforming our Hessian with the chain rule including its gradient term
//!    (R's estimate is not a stationary point of ours, and a plain Jacobian transform of the
//!    covariance would be off by up to 1e-3 there).
//! 2. At our MLE, what [`covariances`] reports for the actual fit, against R's numbers as they
//!    stand: R's optimum is off ours by up to ~1e-3 relative in the parameters (R's negative
//!    binomial on counts.csv misses the log-likelihood by 1.8e-8, which moves SE(size) by
//!    9.4e-4; tests/fixtures/README.md lists the gaps), so tolerance [`AT_OUR_MLE`] = 2e-3 plus
//!    10 times R's own error.
//!
//! Where a parameter of the case is below 0.1, R's step is more than 1% of it and its finite
//! differences are no reference: fitdistrplus's sd on dc_voltage.csv (σ = 0.002) is 16 times
//! too small for that reason, and gamma and exponential on latency.csv (rates 0.032 and
//! 0.018) are off by 0.2–0.3%. Those four are skipped and listed; R failed on none of these
//! cases (a failure would be skipped the same way).

use std::collections::BTreeMap;

use mlfit::data::csv::{read_column, ColumnSelector, CsvOptions};
use mlfit::family::lookup;
use mlfit::fit::{fit, FitOptions};
use mlfit::inference::covariance::covariances;
use nalgebra::DMatrix;
use serde::Deserialize;

#[derive(Deserialize)]
struct Tool {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    params: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    sd: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    vcov: BTreeMap<String, BTreeMap<String, Option<f64>>>,
    #[serde(default)]
    log_likelihood: Option<f64>,
    #[serde(default)]
    se_method: String,
}

#[derive(Deserialize)]
struct Case {
    file: String,
    column: String,
    family: String,
    n: usize,
    r_fitdistrplus: Option<Tool>,
    r_mass: Option<Tool>,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

/// R's finite-difference standard errors at R's own estimate must agree with ours to
/// `R_ERRORS` times R's estimated error, plus `FLOOR`.
const R_ERRORS: f64 = 10.0;
const FLOOR: f64 = 2e-5;
/// Relative agreement of R's finite-difference standard errors with ours at our MLE.
const AT_OUR_MLE: f64 = 2e-3;
/// Relative agreement required of MASS's closed-form standard errors (either point: they are
/// the same closed form at the same estimate).
const CLOSED_FORM: f64 = 1e-9;
/// optim()'s default absolute step, and the smallest |θ| it is trusted for (a 1% step).
const NDEPS: f64 = 1e-3;
const SMALLEST_PARAMETER: f64 = 100.0 * NDEPS;

fn sample(file: &str, column: &str) -> mlfit::Sample {
    let path = format!("data/{file}");
    let f = std::fs::File::open(&path).unwrap();
    read_column(
        f,
        &path,
        &ColumnSelector::Name(column.into()),
        &CsvOptions::default(),
    )
    .unwrap()
    .0
}

/// R's estimate in mlfit's parameterisation, by mlfit's names.
fn r_estimate(family: &str, tool: &Tool) -> BTreeMap<String, f64> {
    let p = |k: &str| tool.params[k].unwrap();
    match family {
        "negative_binomial" => BTreeMap::from([
            ("size".into(), p("size")),
            ("prob".into(), p("size") / (p("size") + p("mu"))),
        ]),
        "beta" => BTreeMap::from([("alpha".into(), p("shape1")), ("beta".into(), p("shape2"))]),
        _ => tool
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.unwrap()))
            .collect(),
    }
}

/// R's standard errors converted to mlfit's parameters, as R reports them.
fn converted(family: &str, tool: &Tool) -> Vec<(String, f64)> {
    let p = |k: &str| tool.params[k].unwrap();
    let v = |a: &str, b: &str| tool.vcov[a][b].unwrap();
    match family {
        "negative_binomial" => {
            // prob = size / (size + mu): delta method with R's covariance of (size, mu).
            let (size, mu) = (p("size"), p("mu"));
            let g = [mu / (size + mu).powi(2), -size / (size + mu).powi(2)];
            let var = g[0] * g[0] * v("size", "size")
                + 2.0 * g[0] * g[1] * v("size", "mu")
                + g[1] * g[1] * v("mu", "mu");
            vec![
                ("size".into(), v("size", "size").sqrt()),
                ("prob".into(), var.sqrt()),
            ]
        }
        "beta" => vec![
            ("alpha".into(), tool.sd["shape1"].unwrap()),
            ("beta".into(), tool.sd["shape2"].unwrap()),
        ],
        _ => tool
            .sd
            .iter()
            .map(|(k, s)| (k.clone(), s.unwrap()))
            .collect(),
    }
}

/// Our observed-information standard errors of the negative binomial's (size, mu) at R's
/// estimate (size, mu), by the chain rule from our analytic gradient and Hessian in
/// (size, prob), prob = size/(size + mu): H_R = JᵀHJ + (∂ℓ/∂prob) ∇²prob.
fn negative_binomial_in_r_coordinates(
    sample: &mlfit::Sample,
    size: f64,
    mu: f64,
) -> [(String, f64); 2] {
    let family = lookup("negative_binomial").unwrap();
    let t = size + mu;
    let prob = size / t;
    let mut g = [0.0; 2];
    let mut h = [0.0; 4];
    family.log_likelihood(&[size, prob], sample, Some(&mut g), Some(&mut h));
    let h = DMatrix::from_row_slice(2, 2, &h);
    // Rows (size, prob), columns (size, mu).
    let j = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, mu / (t * t), -size / (t * t)]);
    let d2prob =
        DMatrix::from_row_slice(2, 2, &[-2.0 * mu, size - mu, size - mu, 2.0 * size]) / (t * t * t);
    let hr = j.transpose() * h * j + d2prob * g[1];
    let cov = (-hr).try_inverse().unwrap();
    [
        ("size".into(), cov[(0, 0)].sqrt()),
        ("mu".into(), cov[(1, 1)].sqrt()),
    ]
}

#[test]
fn observed_standard_errors_match_r() {
    let fixture: Fixture =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/se_reference.json").unwrap())
            .unwrap();
    let (mut checked, mut skipped) = (0, Vec::new());
    let mut worst: (f64, String) = (0.0, String::new());
    for case in &fixture.cases {
        let family = lookup(&case.family).unwrap();
        let s = sample(&case.file, &case.column);
        assert_eq!(s.len(), case.n, "{}", case.file);
        let f = fit(family, &s, &FitOptions::default()).unwrap();
        assert!(f.converged, "{} on {}", case.family, case.file);
        let at_mle = covariances(family, &s, &f).unwrap().observed.unwrap();
        for (tool_name, tool) in [
            ("fitdistrplus", &case.r_fitdistrplus),
            ("MASS", &case.r_mass),
        ] {
            let label = format!("{tool_name} {} on {}", case.family, case.file);
            let Some(tool) = tool else {
                skipped.push(format!("{label}: not run"));
                continue;
            };
            if let Some(e) = &tool.error {
                skipped.push(format!("{label}: R failed ({e})"));
                continue;
            }
            let closed = tool.se_method == "closed form";
            let smallest = tool
                .params
                .values()
                .map(|v| v.unwrap().abs())
                .fold(f64::INFINITY, f64::min);
            if !closed && smallest < SMALLEST_PARAMETER {
                skipped.push(format!(
                    "{label}: R's step {NDEPS} is more than 1% of a parameter ({smallest:.3e})"
                ));
                continue;
            }
            // R's own accuracy: truncation (h/θ)² and rounding ε|ℓ|·SE²/h² of its central
            // differences, relative.
            let largest_variance = tool
                .sd
                .values()
                .map(|v| v.unwrap().powi(2))
                .fold(0.0, f64::max);
            let r_error = (NDEPS / smallest).powi(2)
                + f64::EPSILON * tool.log_likelihood.unwrap().abs() * largest_variance
                    / (NDEPS * NDEPS);
            let mut check = |what: &str, name: &str, ours: f64, r: f64, tol: f64| {
                let rel = (ours - r).abs() / r;
                assert!(
                    rel <= tol,
                    "{label}, {what}: {name}: mlfit {ours:e}, R {r:e} ({rel:.1e} > {tol:e})"
                );
                if !closed && rel / tol > worst.0 {
                    worst = (rel / tol, format!("{label}, {what}: {name}: {rel:.1e}"));
                }
                checked += 1;
            };
            let (tol_r, tol_mle) = if closed {
                (CLOSED_FORM, CLOSED_FORM)
            } else {
                (R_ERRORS * r_error + FLOOR, AT_OUR_MLE + R_ERRORS * r_error)
            };
            // 1. At R's estimate.
            if case.family == "negative_binomial" {
                let (size, mu) = (tool.params["size"].unwrap(), tool.params["mu"].unwrap());
                for (name, ours) in negative_binomial_in_r_coordinates(&s, size, mu) {
                    check(
                        "at R's estimate",
                        &name,
                        ours,
                        tool.sd[&name].unwrap(),
                        tol_r,
                    );
                }
            } else {
                let theta_r = r_estimate(&case.family, tool);
                let mut fit_r = f.clone();
                for (name, v) in fit_r.params.0.iter_mut() {
                    *v = theta_r[name.as_str()];
                }
                let at_r = covariances(family, &s, &fit_r).unwrap().observed.unwrap();
                for (name, r_se) in converted(&case.family, tool) {
                    let ours = at_r.std_errors.get(&name).unwrap();
                    check("at R's estimate", &name, ours, r_se, tol_r);
                }
            }
            // 2. At our MLE: what the fit reports.
            for (name, r_se) in converted(&case.family, tool) {
                let ours = at_mle.std_errors.get(&name).unwrap();
                check("at our MLE", &name, ours, r_se, tol_mle);
            }
        }
    }
    eprintln!("checked {checked} standard errors; largest finite-difference gap {worst:?}; skipped: {skipped:#?}");
    assert!(checked >= 110, "only {checked} standard errors checked");
    assert_eq!(skipped.len(), 4, "{skipped:#?}");
}
