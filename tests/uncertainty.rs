//! `mlfit fit` with uncertainty options: the JSON schema of the analysis, the table and CSV
//! additions, reproducible bootstraps whatever the number of threads, usage errors, and a
//! small seeded coverage study of the intervals (the full one is `examples/coverage.rs`).

mod common;

use assert_cmd::Command;
use mlfit::family::lookup;
use mlfit::inference::covariance::covariances;
use mlfit::inference::intervals::{profile, wald_intervals, Interval, WaldScale};
use mlfit::{fit, FitOptions, Sample};
use rand_distr::{Distribution, StudentT};
use serde::Deserialize;
use std::collections::BTreeMap;

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

#[derive(Debug, Deserialize)]
struct FitJson {
    params: BTreeMap<String, f64>,
    std_errors: BTreeMap<String, f64>,
    uncertainty: UncertaintyJson,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UncertaintyJson {
    se_kind: String,
    covariance: CovariancesJson,
    information_matrix_test: Option<ImJson>,
    #[serde(default)]
    intervals: Vec<IntervalJson>,
    #[serde(default)]
    derived: Vec<DerivedJson>,
    bootstrap: Option<BootstrapJson>,
    goodness_of_fit: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct CovariancesJson {
    parameters: Vec<String>,
    observed: Option<MatrixJson>,
    expected: Option<MatrixJson>,
    sandwich: Option<MatrixJson>,
}

#[derive(Debug, Deserialize)]
struct MatrixJson {
    std_errors: BTreeMap<String, f64>,
    covariance: Vec<Vec<f64>>,
    correlation: Vec<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
struct ImJson {
    statistic: f64,
    df: usize,
    p_value: f64,
    se_ratio: BTreeMap<String, f64>,
    reading: String,
}

#[derive(Debug, Deserialize)]
struct IntervalJson {
    parameter: String,
    estimate: f64,
    lower: f64,
    upper: f64,
    method: String,
    level: f64,
}

#[derive(Debug, Deserialize)]
struct DerivedJson {
    name: String,
    estimate: f64,
    std_error: Option<f64>,
    bootstrap_std_error: Option<f64>,
    interval: Option<IntervalJson>,
}

#[derive(Debug, Deserialize)]
struct BootstrapJson {
    kind: String,
    replicates: usize,
    failed: usize,
    seed: u64,
    std_errors: BTreeMap<String, f64>,
}

fn run_json(args: &[&str]) -> FitJson {
    let out = mlfit()
        .args(args)
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_carries_three_standard_errors_the_im_test_intervals_and_derived_quantities() {
    let f = run_json(&[
        "fit",
        "data/wind_speed.csv",
        "-f",
        "weibull",
        "--se",
        "all",
        "--ci",
        "0.9",
        "--ci-method",
        "profile",
        "--quantile",
        "0.05,0.5",
        "--moments",
    ]);
    let u = &f.uncertainty;
    assert_eq!(u.se_kind, "observed");
    assert_eq!(u.covariance.parameters, ["shape", "scale"]);
    let observed = u.covariance.observed.as_ref().unwrap();
    let expected = u.covariance.expected.as_ref().unwrap();
    let sandwich = u.covariance.sandwich.as_ref().unwrap();
    for (name, se) in &f.std_errors {
        // The fit's standard errors are the observed-information ones.
        assert!(
            (observed.std_errors[name] / se - 1.0).abs() < 1e-10,
            "{name}"
        );
        // On 1000 rows of (nearly) Weibull data the three agree to ~10%.
        for m in [expected, sandwich] {
            assert!((m.std_errors[name] / se - 1.0).abs() < 0.15, "{name}");
        }
    }
    for m in [observed, expected, sandwich] {
        assert_eq!(m.covariance.len(), 2);
        assert!((m.covariance[0][1] - m.covariance[1][0]).abs() < 1e-15);
        assert_eq!(m.correlation[0][0], 1.0);
        let r = m.correlation[0][1];
        assert!(
            (r - m.covariance[0][1] / (m.covariance[0][0] * m.covariance[1][1]).sqrt()).abs()
                < 1e-12
        );
    }
    let im = u.information_matrix_test.as_ref().unwrap();
    assert!(im.df >= 1 && im.statistic >= 0.0 && (0.0..=1.0).contains(&im.p_value));
    assert!(!im.reading.is_empty() && im.se_ratio.contains_key("shape"));
    assert_eq!(u.intervals.len(), 2);
    for i in &u.intervals {
        assert_eq!(i.method, "profile");
        assert_eq!(i.level, 0.9);
        assert_eq!(i.estimate, f.params[&i.parameter]);
        assert!(i.lower > 0.0 && i.lower < i.estimate && i.estimate < i.upper);
        // A 90% profile interval spans about ±1.645 standard errors.
        let width = (i.upper - i.lower) / (2.0 * 1.645 * f.std_errors[&i.parameter]);
        assert!((width - 1.0).abs() < 0.05, "{}: {width}", i.parameter);
    }
    let names: Vec<&str> = u.derived.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["q0.05", "q0.5", "mean", "variance"]);
    // The Weibull median is scale·(ln 2)^(1/shape).
    let (k, lambda) = (f.params["shape"], f.params["scale"]);
    let median = lambda * std::f64::consts::LN_2.powf(1.0 / k);
    assert!((u.derived[1].estimate / median - 1.0).abs() < 1e-12);
    for d in &u.derived {
        assert!(d.std_error.unwrap() > 0.0);
        assert!(d.bootstrap_std_error.is_none());
        let i = d.interval.as_ref().unwrap();
        assert!(i.lower < d.estimate && d.estimate < i.upper);
    }
    assert!(u.bootstrap.is_none() && u.goodness_of_fit.is_none());
}

fn bootstrap_stdout(threads: &str, seed: &str) -> String {
    let out = mlfit()
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "fit",
            "data/latency.csv",
            "-c",
            "latency_ms",
            "-f",
            "gamma",
            "--bootstrap",
            "300",
            "--ci",
            "0.95",
            "--ci-method",
            "bca",
            "--quantile",
            "0.99",
            "--gof-bootstrap",
            "49",
            "--seed",
            seed,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bootstrap_output_is_identical_for_a_seed_with_one_or_two_threads() {
    let one = bootstrap_stdout("1", "7");
    let two = bootstrap_stdout("2", "7");
    assert_eq!(one, two);
    let other = bootstrap_stdout("2", "8");
    assert_ne!(one, other);
    let f: FitJson = serde_json::from_str(&one).unwrap();
    let b = f.uncertainty.bootstrap.as_ref().unwrap();
    assert_eq!(
        (b.kind.as_str(), b.replicates, b.seed),
        ("nonparametric", 300, 7)
    );
    assert_eq!(b.failed, 0);
    // Latencies are not gamma: the non-parametric bootstrap, like the sandwich (both are
    // valid under misspecification), gives standard errors well above the model-based ones;
    // the two agree within the sampling error of 300 replicates (±~25%).
    let sandwich = &f
        .uncertainty
        .covariance
        .sandwich
        .as_ref()
        .unwrap()
        .std_errors;
    for (name, se) in &b.std_errors {
        let r = se / sandwich[name];
        assert!((0.75..1.33).contains(&r), "{name}: {r}");
        assert!(se / f.std_errors[name] > 1.3, "{name}");
    }
    for i in &f.uncertainty.intervals {
        assert_eq!(i.method, "bca");
        assert!(i.lower < i.estimate && i.estimate < i.upper);
    }
    let q = &f.uncertainty.derived[0];
    assert_eq!(q.name, "q0.99");
    assert!(q.bootstrap_std_error.unwrap() > 0.0);
    assert_eq!(q.interval.as_ref().unwrap().method, "bca");
    let gof = f.uncertainty.goodness_of_fit.as_ref().unwrap();
    assert_eq!(gof["statistics"].as_array().unwrap().len(), 3);
}

#[test]
fn table_and_csv_show_the_analysis() {
    let out = mlfit()
        .args([
            "fit",
            "data/returns.csv",
            "-f",
            "normal",
            "--se",
            "all",
            "--ci",
            "0.95",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().find(|l| l.contains("std. errors")).unwrap();
    let words: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "std.",
            "errors",
            "observed",
            "expected",
            "sandwich",
            "sandwich/observed"
        ]
    );
    // Daily returns have heavy tails: the normal is misspecified and the test says so.
    assert!(text.contains("the family looks misspecified"), "{text}");
    assert!(text.contains("95% intervals"), "{text}");
    let out = mlfit()
        .args([
            "fit",
            "data/returns.csv",
            "-f",
            "normal",
            "--se",
            "sandwich",
            "--ci",
            "0.95",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[14..],
        [
            "se_observed",
            "se_expected",
            "se_sandwich",
            "ci_lower",
            "ci_upper",
            "ci_method",
            "ci_level",
            "bootstrap_se"
        ]
    );
    let sd: Vec<&str> = lines
        .find(|l| l.starts_with("normal,sd,"))
        .unwrap()
        .split(',')
        .collect();
    let sandwich: f64 = sd[16].parse().unwrap();
    let (lo, hi): (f64, f64) = (sd[17].parse().unwrap(), sd[18].parse().unwrap());
    let est: f64 = sd[2].parse().unwrap();
    // --se sandwich drives the (log-scale) Wald interval.
    assert_eq!(sd[19], "wald_log");
    assert!(((hi / est).ln() / 1.959964 - sandwich / est).abs() < 1e-6);
    assert!(((est / lo).ln() / 1.959964 - sandwich / est).abs() < 1e-6);
}

#[test]
fn bootstrap_intervals_without_replicates_are_a_usage_error() {
    let out = mlfit()
        .args([
            "fit",
            "data/latency.csv",
            "-c",
            "latency_ms",
            "-f",
            "gamma",
            "--ci",
            "0.95",
            "--ci-method",
            "bca",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--bootstrap N"), "{err}");
    for bad in [["--ci", "95"], ["--quantile", "1.5"]] {
        let out = mlfit()
            .args(["fit", "data/latency.csv", "-c", "latency_ms", "-f", "gamma"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

/// How often each interval covers the truth, per parameter.
fn coverage(intervals: &[Interval], truth: &[(&str, f64)], tally: &mut BTreeMap<String, usize>) {
    for (name, t) in truth {
        let i = intervals.iter().find(|i| i.parameter == *name).unwrap();
        if i.lower <= *t && *t <= i.upper {
            *tally.entry(name.to_string()).or_default() += 1;
        }
    }
}

#[test]
fn intervals_hold_their_coverage_and_the_sandwich_survives_misspecification() {
    // Well specified: gamma(2, 0.5), n = 100. 400 replicates: a 95% coverage estimate has a
    // Monte Carlo SE of 1.1%, so [0.91, 0.99] is a 3.5-SE band.
    let gamma = lookup("gamma").unwrap();
    let reps = 400;
    let (mut wald, mut prof) = (BTreeMap::new(), BTreeMap::new());
    for r in 0..reps {
        let values = gamma.sample(&[2.0, 0.5], 100, &mut common::rng(1000 + r));
        let s = Sample::new(values).unwrap();
        let f = fit(gamma, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        let se = f.std_errors.clone().unwrap();
        coverage(
            &wald_intervals(gamma, &s, &f, &se, 0.95, WaldScale::Transformed).unwrap(),
            &[("shape", 2.0), ("rate", 0.5)],
            &mut wald,
        );
        coverage(
            &profile(gamma, &s, &f, 0.95, &FitOptions::default()).unwrap(),
            &[("shape", 2.0), ("rate", 0.5)],
            &mut prof,
        );
    }
    for (method, tally) in [("wald", &wald), ("profile", &prof)] {
        for (name, c) in tally {
            let share = *c as f64 / reps as f64;
            assert!((0.91..=0.99).contains(&share), "{method} {name}: {share}");
        }
    }
    // Misspecified: a normal fitted to Student-t(6) data. The pseudo-true sd is √(6/4); the
    // model-based standard error of the sd ignores the excess kurtosis (6 − 3), the sandwich
    // does not.
    let normal = lookup("normal").unwrap();
    let t = StudentT::new(6.0).unwrap();
    let truth = [("mean", 0.0), ("sd", 1.5f64.sqrt())];
    let (mut observed, mut robust) = (BTreeMap::new(), BTreeMap::new());
    for r in 0..reps {
        let mut rng = common::rng(5000 + r);
        let s = Sample::new((0..400).map(|_| t.sample(&mut rng)).collect()).unwrap();
        let f = fit(normal, &s, &FitOptions::default()).unwrap();
        let c = covariances(normal, &s, &f).unwrap();
        let model = c.observed.unwrap().std_errors;
        let sandwich = c.sandwich.unwrap().std_errors;
        coverage(
            &wald_intervals(normal, &s, &f, &model, 0.95, WaldScale::Transformed).unwrap(),
            &truth,
            &mut observed,
        );
        coverage(
            &wald_intervals(normal, &s, &f, &sandwich, 0.95, WaldScale::Transformed).unwrap(),
            &truth,
            &mut robust,
        );
    }
    let share = |t: &BTreeMap<String, usize>, n: &str| t[n] as f64 / reps as f64;
    assert!(
        share(&robust, "sd") >= 0.88,
        "sandwich sd: {}",
        share(&robust, "sd")
    );
    assert!(
        share(&observed, "sd") <= 0.88,
        "observed sd: {}",
        share(&observed, "sd")
    );
    assert!(share(&robust, "sd") - share(&observed, "sd") >= 0.05);
    // The mean's standard error is right either way (the normal's score for the mean is
    // unbiased under any symmetric law).
    for t in [&observed, &robust] {
        assert!((0.91..=0.99).contains(&share(t, "mean")));
    }
}

#[test]
fn the_bootstrap_im_test_holds_its_size_where_the_chi_squared_one_does_not() {
    use mlfit::inference::gof::GofOptions;
    use mlfit::inference::{analyse, UncertaintyOptions};
    // Gamma data fitted by the gamma: the null. The OPG form's χ² p-value over-rejects at
    // n = 300; the parametric-bootstrap p-value (B = 99) should reject about 5%.
    let gamma = lookup("gamma").unwrap();
    let datasets = 120;
    let (mut chi2, mut boot) = (0, 0);
    for r in 0..datasets {
        let s = Sample::new(gamma.sample(&[2.0, 1.0], 300, &mut common::rng(9000 + r))).unwrap();
        let f = fit(gamma, &s, &FitOptions::default()).unwrap();
        let options = UncertaintyOptions {
            goodness_of_fit: Some(GofOptions {
                replicates: 99,
                seed: r,
                fit: FitOptions::default(),
            }),
            ..Default::default()
        };
        let u = analyse(gamma, &s, &f, &options, &|_, _, _| {}).unwrap();
        let t = u.information_matrix_test.unwrap();
        assert!(t.bootstrap_replicates.unwrap() >= 95);
        chi2 += usize::from(t.p_value <= 0.05);
        boot += usize::from(t.bootstrap_p_value.unwrap() <= 0.05);
    }
    let (chi2, boot) = (chi2 as f64 / datasets as f64, boot as f64 / datasets as f64);
    // 120 datasets: a 5% rate has a Monte Carlo SE of 2%.
    assert!(
        (0.005..=0.11).contains(&boot),
        "bootstrap rejection rate {boot}"
    );
    assert!(chi2 > boot, "χ² {chi2} vs bootstrap {boot}");
}

#[test]
fn wald_intervals_on_the_natural_and_the_log_scale() {
    let args = [
        "fit",
        "data/latency.csv",
        "-c",
        "latency_ms",
        "-f",
        "exponential",
        "--ci",
        "0.9",
    ];
    let log = run_json(&[&args[..], &["--ci-method", "wald"]].concat());
    let natural = run_json(&[&args[..], &["--ci-method", "wald-natural"]].concat());
    let (est, se) = (log.params["rate"], log.std_errors["rate"]);
    let z = 1.6448536269514722;
    let n = &natural.uncertainty.intervals[0];
    assert_eq!(n.method, "wald");
    assert!((n.lower - (est - z * se)).abs() < 1e-15 && (n.upper - (est + z * se)).abs() < 1e-15);
    let l = &log.uncertainty.intervals[0];
    assert_eq!(l.method, "wald_log");
    assert!(((l.upper / est).ln() - z * se / est).abs() < 1e-12);
    assert!(((est / l.lower).ln() - z * se / est).abs() < 1e-12);
}
