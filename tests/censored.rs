//! Censored data against R (GUIDE §6, layer 4): survival::survreg fits of the right-censored
//! `lung` data (and, when the fixture has it, fitdistrplus's interval-censored `salinity`),
//! computed offline by `tests/fixtures/generate_censored.R`. mlfit's log-likelihood must be at
//! or above R's and its estimates, observed-information standard errors and sandwich
//! (survreg's `robust = TRUE`) standard errors must agree.

mod common;

use std::collections::BTreeMap;

use mlfit::data::censoring::{read_censored, CensoredSpec, Convention};
use mlfit::data::csv::{ColumnSelector, CsvOptions};
use mlfit::family::lookup;
use mlfit::fit::{fit, FitOptions};
use mlfit::inference::covariance::covariances;
use mlfit::Sample;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    family: String,
    log_likelihood: f64,
    params: BTreeMap<String, f64>,
    std_errors: BTreeMap<String, f64>,
    /// survreg's robust = TRUE standard errors (the sandwich of per-row scores), for the
    /// right-censored cases.
    sandwich_std_errors: Option<BTreeMap<String, f64>>,
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
        let sandwich = covariances(family, &s, &f)
            .unwrap()
            .sandwich
            .expect("sandwich covariance")
            .std_errors;
        for (name, want) in &case.params {
            if let Some(r) = &case.sandwich_std_errors {
                let (got, sw) = (sandwich.get(name).unwrap(), r[name]);
                assert!(
                    (got - sw).abs() <= 1e-6 * sw,
                    "{what} sandwich se({name}): {got} vs {sw}"
                );
            }
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

#[test]
fn observed_covariance_of_a_censored_fit_is_the_fits_own() {
    // The per-row scores compose censored rows as the likelihood does: the inference module's
    // observed standard errors are the fit's (and survreg's), and there is no expected one.
    let s = sample("lung");
    let family = lookup("weibull").unwrap();
    let f = fit(family, &s, &FitOptions::default()).unwrap();
    let c = covariances(family, &s, &f).unwrap();
    let observed = c.observed.expect("observed covariance");
    for (name, se) in &f.std_errors.as_ref().unwrap().0 {
        let got = observed.std_errors.get(name).unwrap();
        assert!((got - se).abs() < 1e-10 * se, "{name}: {got} vs {se}");
    }
    assert!(c.expected.is_none());
}

/// Every family with censoring recovers θ from 4000 draws right-censored at their 60% point
/// (and, separately, interval-censored to bins of 0.5 spread and truncated at the 5% point).
#[test]
fn every_censoring_family_recovers_its_parameters() {
    let families = [
        "normal",
        "lognormal",
        "exponential",
        "weibull",
        "log_logistic",
        "logistic",
        "gumbel",
        "frechet",
        "rayleigh",
        "half_normal",
        "cauchy",
    ];
    for (seed, name) in families.iter().enumerate() {
        let family = lookup(name).unwrap();
        let theta = common::nice_params(family);
        let x = family.sample(&theta, 4000, &mut common::rng(100 + seed as u64));
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let (cut, low) = (sorted[2400], sorted[200]);
        let spread = sorted[3000] - sorted[1000];
        // A unit still running at `cut` is known only to exceed it.
        let right = Sample::censored(
            x.iter().map(|&v| v.min(cut)).collect(),
            x.iter()
                .map(|&v| if v > cut { f64::INFINITY } else { v })
                .collect(),
        )
        .unwrap();
        // Bins [low + 0.5 j spread, low + 0.5 (j + 1) spread), left truncation at `low`.
        let kept: Vec<f64> = x.iter().copied().filter(|&v| v > low).collect();
        let bin = |v: f64| ((v - low) / (0.5 * spread)).floor();
        let binned = Sample::censored(
            kept.iter().map(|&v| low + 0.5 * spread * bin(v)).collect(),
            kept.iter()
                .map(|&v| low + 0.5 * spread * (bin(v) + 1.0))
                .collect(),
        )
        .unwrap()
        .with_truncation(vec![low; kept.len()], vec![f64::INFINITY; kept.len()])
        .unwrap();
        for (what, s) in [
            ("right-censored", &right),
            ("binned and truncated", &binned),
        ] {
            let f = fit(family, s, &FitOptions::default())
                .unwrap_or_else(|e| panic!("{name} {what}: {e}"));
            assert!(f.converged, "{name} {what}: {f:?}");
            let se = f.std_errors.as_ref().expect("standard errors");
            for (j, p) in family.params().iter().enumerate() {
                let (got, sd) = (f.params.get(p.name).unwrap(), se.get(p.name).unwrap());
                assert!(
                    (got - theta[j]).abs() < 4.5 * sd,
                    "{name} {what} {}: {got} ± {sd} vs {}",
                    p.name,
                    theta[j]
                );
            }
        }
    }
}
