//! Censored data against R (GUIDE §6, layer 4): survival::survreg fits of the right-censored
//! `lung` data (and, when the fixture has it, fitdistrplus's interval-censored `salinity`),
//! computed offline by `tests/fixtures/generate_censored.R`. mlfit's log-likelihood must be at
//! or above R's and its estimates and observed-information standard errors must agree.

use std::collections::BTreeMap;

use mlfit::data::censoring::{read_censored, CensoredSpec, Convention};
use mlfit::data::csv::{ColumnSelector, CsvOptions};
use mlfit::family::lookup;
use mlfit::fit::{fit, FitOptions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    family: String,
    log_likelihood: f64,
    params: BTreeMap<String, f64>,
    std_errors: BTreeMap<String, f64>,
    /// fitdistrplus::fitdistcens's log-likelihood on the same rows, when it was run.
    r_fitdistcens_log_likelihood: Option<f64>,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

/// The shipped data set of a case, read as the CLI reads it.
fn sample(name: &str) -> mlfit::Sample {
    let col = |c: &str| ColumnSelector::Name(c.into());
    let (path, convention) = match name {
        "lung" => (
            "data/lung.csv",
            Convention::Event {
                time: col("time"),
                status: col("dead"),
            },
        ),
        "salinity" => (
            "data/salinity.csv",
            Convention::Interval {
                left: col("left"),
                right: col("right"),
            },
        ),
        other => panic!("no data set {other}"),
    };
    let spec = CensoredSpec {
        convention,
        weights: None,
    };
    let file = std::fs::File::open(path).unwrap();
    read_censored(file, path, &spec, &CsvOptions::default())
        .unwrap()
        .sample
}

#[test]
fn fits_match_survreg() {
    let fixture: Fixture = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/censored_reference.json").unwrap(),
    )
    .unwrap();
    assert!(fixture.cases.len() >= 4);
    for case in &fixture.cases {
        let s = sample(&case.name);
        let family = lookup(&case.family).unwrap();
        let f = fit(family, &s, &FitOptions::default()).unwrap();
        let what = format!("{} {}", case.name, case.family);
        assert!(f.converged, "{what}: {f:?}");
        assert!(
            f.log_likelihood >= case.log_likelihood - 1e-6,
            "{what}: log-likelihood {} below R's {}",
            f.log_likelihood,
            case.log_likelihood
        );
        if let Some(other) = case.r_fitdistcens_log_likelihood {
            assert!(
                f.log_likelihood >= other - 1e-6,
                "{what}: below fitdistcens's {other}"
            );
        }
        // survreg stops at a relative change of 1e-13 in the log-likelihood: the two maxima
        // agree to rounding.
        assert!(
            (f.log_likelihood - case.log_likelihood).abs() < 1e-8 * case.log_likelihood.abs(),
            "{what}: {} vs {}",
            f.log_likelihood,
            case.log_likelihood
        );
        let se = f.std_errors.as_ref().expect("standard errors");
        for (name, want) in &case.params {
            let got = f.params.get(name).unwrap();
            assert!(
                (got - want).abs() <= 1e-7 * want.abs(),
                "{what} {name}: {got} vs {want}"
            );
            let (got, want) = (se.get(name).unwrap(), case.std_errors[name]);
            assert!(
                (got - want).abs() <= 1e-6 * want,
                "{what} se({name}): {got} vs {want}"
            );
        }
    }
}
