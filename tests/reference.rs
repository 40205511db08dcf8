//! Reference fixtures (GUIDE §6, layer 4): values computed offline with mpmath / scipy / R by
//! `tests/fixtures/generate_reference.{py,R}` and committed as JSON. mlfit must reproduce the
//! careful optimum — and so beat or match scipy's and R's default fits, several of which miss
//! it or fail outright (gamma on `islands` and `lynx` in fitdistrplus).

use mlfit::data::csv::{read_column, ColumnSelector, CsvOptions};
use mlfit::family::lookup;
use mlfit::fit::{fit, FitOptions};
use mlfit::optim::Termination;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct LogPdf {
    params: Vec<f64>,
    x: f64,
    logpdf: f64,
}

#[derive(Deserialize)]
struct Other {
    log_likelihood: Option<f64>,
}

#[derive(Deserialize)]
struct Case {
    file: String,
    column: String,
    family: String,
    n: usize,
    params: BTreeMap<String, f64>,
    log_likelihood: f64,
    #[serde(default)]
    std_errors: BTreeMap<String, f64>,
    /// Parameters held fixed (a binomial's trials), by name.
    #[serde(default)]
    fixed: BTreeMap<String, f64>,
    scipy_fit: Option<Other>,
    r_fitdistrplus: Option<Other>,
    r_mass: Option<Other>,
}

#[derive(Deserialize)]
struct Boundary {
    file: String,
    column: String,
    family: String,
    supremum_log_likelihood: f64,
}

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
    boundary_cases: Vec<Boundary>,
}

fn load<T: for<'de> Deserialize<'de>>(path: &str) -> T {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

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

#[test]
fn log_densities_match_high_precision_references() {
    let refs: BTreeMap<String, Vec<LogPdf>> = load("tests/fixtures/logpdf_reference.json");
    let mut checked = 0;
    for (name, points) in &refs {
        let f = lookup(name).unwrap();
        for p in points {
            let got = f.ln_density_derivs(&p.params, p.x, None, None);
            let err = (got - p.logpdf).abs() / p.logpdf.abs().max(1.0);
            assert!(
                err < 1e-12,
                "{name} {:?} at {}: {got} vs {} (rel err {err:.1e})",
                p.params,
                p.x,
                p.logpdf
            );
            checked += 1;
        }
    }
    assert!(checked >= 60, "{checked}");
}

#[test]
fn fits_reach_the_careful_optimum_and_match_its_standard_errors() {
    let fx: Fixtures = load("tests/fixtures/fit_reference.json");
    assert!(fx.cases.len() >= 25);
    for c in &fx.cases {
        let label = format!("{} on {}:{}", c.family, c.file, c.column);
        let s = sample(&c.file, &c.column);
        assert_eq!(s.len(), c.n, "{label}");
        let options = FitOptions {
            fixed: c.fixed.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            start: None,
            ..FitOptions::default()
        };
        let fitted = fit(lookup(&c.family).unwrap(), &s, &options)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(
            fitted.converged,
            "{label}: {:?} {:?}",
            fitted.termination, fitted.notes
        );
        let rel = (fitted.log_likelihood - c.log_likelihood).abs() / c.log_likelihood.abs();
        assert!(
            rel < 1e-12,
            "{label}: log-likelihood {} vs {} (rel {rel:.1e})",
            fitted.log_likelihood,
            c.log_likelihood
        );
        for (name, want) in &c.params {
            let got = fitted.params.get(name).unwrap();
            assert!(
                ((got - want) / want).abs() < 1e-8,
                "{label}: {name} {got} vs {want}"
            );
        }
        let se = fitted.std_errors.clone().unwrap_or_default();
        for (name, want) in &c.std_errors {
            let got = se.get(name).unwrap();
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "{label}: se({name}) {got} vs {want}"
            );
        }
        // Never worse than what scipy or R report (where they report anything).
        for other in [&c.scipy_fit, &c.r_fitdistrplus, &c.r_mass]
            .into_iter()
            .flatten()
        {
            if let Some(ll) = other.log_likelihood {
                assert!(
                    fitted.log_likelihood >= ll - 1e-9 * ll.abs(),
                    "{label}: {} below another tool's {ll}",
                    fitted.log_likelihood
                );
            }
        }
    }
}

#[test]
fn fits_that_r_fails_on_are_among_the_cases() {
    let fx: Fixtures = load("tests/fixtures/fit_reference.json");
    for (family, file) in [
        ("gamma", "islands.csv"),
        ("gamma", "lynx.csv"),
        ("exponential", "islands.csv"),
    ] {
        assert!(
            fx.cases
                .iter()
                .any(|c| c.family == family && c.file == file),
            "{family} on {file}"
        );
    }
}

#[test]
fn boundary_cases_are_reported_as_boundaries() {
    let fx: Fixtures = load("tests/fixtures/fit_reference.json");
    assert!(!fx.boundary_cases.is_empty());
    for b in &fx.boundary_cases {
        let s = sample(&b.file, &b.column);
        let fitted = fit(lookup(&b.family).unwrap(), &s, &FitOptions::default()).unwrap();
        assert!(!fitted.converged, "{} on {}", b.family, b.file);
        assert_eq!(fitted.termination, Termination::Boundary);
        // It approaches the supremum from below, to within 1e-9 relative.
        let gap =
            (b.supremum_log_likelihood - fitted.log_likelihood) / b.supremum_log_likelihood.abs();
        assert!(
            (-1e-13..1e-9).contains(&gap),
            "{} on {}: gap {gap:.2e}",
            b.family,
            b.file
        );
    }
}
