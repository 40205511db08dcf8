//! Reliability (issue 17): one regression per class of failure found by fuzzing the release
//! binary — a panic on a valid but extreme input, a loop that never ends, a likelihood that lost
//! every digit and still said "converged", and NaN in table or CSV output. Every run has a time
//! limit, so a hang fails the test instead of stalling the suite.

use std::io::{BufRead, BufReader, Write};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// Generous for a debug build; each of these answers in milliseconds when it does not hang.
const LIMIT: Duration = Duration::from_secs(10);

fn mlfit() -> Command {
    let mut c = Command::cargo_bin("mlfit").unwrap();
    c.timeout(LIMIT);
    c
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The promises every run keeps: it ended in time with 0 or 1, without panic text, with one
/// line on stderr when it failed, and with no NaN on stdout.
fn kept(args: &[&str], out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "{args:?}: exit {code:?} (killed by the time limit if None): {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    if code == Some(1) {
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
    }
    assert!(!stdout.contains("NaN"), "{args:?}: {stdout}");
    // A message is a bounded line of numbers: no NaN, no 309-digit count.
    assert!(
        !stderr.contains("NaN") && stderr.len() < 600,
        "{args:?}: {stderr}"
    );
}

fn run(args: &[&str]) -> Output {
    let out = mlfit().args(args).output().unwrap();
    kept(args, &out);
    out
}

/// The numbers of a one-column CSV written by `sample`.
fn draws(out: &Output) -> Vec<f64> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.parse::<f64>().unwrap())
        .collect()
}

#[test]
fn valid_models_with_extreme_parameters_sample_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let models = [
        // Beyond rand_distr's Poisson::MAX_LAMBDA (1.8e19): the normal approximation.
        (
            r#"{"family":"poisson","params":{"lambda":1e20}}"#,
            1e20,
            1e-8,
        ),
        (
            r#"{"family":"poisson_mixture","params":{"w1":0.5,"w2":0.5,"rate1":3,"rate2":1e20}}"#,
            f64::NAN,
            0.0,
        ),
        // df = 5e-324: half of it underflows to 0; draws conditioned on being representable.
        (
            r#"{"family":"chi_squared","params":{"df":5e-324}}"#,
            f64::NAN,
            0.0,
        ),
        // p = 1e-100: mean 1e100, past the u64 of rand_distr's geometric.
        (
            r#"{"family":"geometric","params":{"prob":1e-100}}"#,
            1e100,
            10.0,
        ),
    ];
    for (i, (json, centre, spread)) in models.iter().enumerate() {
        let model = write(&dir, &format!("m{i}.json"), json);
        let out = run(&["sample", &model, "-n", "200", "--seed", "3"]);
        assert!(out.status.success(), "{json}");
        let x = draws(&out);
        assert_eq!(x.len(), 200);
        assert!(
            x.iter().all(|v| v.is_finite() && *v >= 0.0),
            "{json}: {x:?}"
        );
        if centre.is_finite() {
            let mean = x.iter().sum::<f64>() / 200.0;
            assert!(
                (mean / centre - 1.0).abs() <= *spread,
                "{json}: mean {mean}"
            );
        }
    }
    // The chi-squared with df = 5e-324 draws positive values only (0 is outside its support).
    let model = write(&dir, "chi.json", models[2].0);
    let x = draws(&run(&["sample", &model, "-n", "50"]));
    assert!(x.iter().all(|&v| v > 0.0));
    // Models whose draws lie beyond 1.8e308: one error line, not a column of `inf`.
    for json in [
        r#"{"family":"geometric","params":{"prob":5e-324}}"#,
        r#"{"family":"weibull","params":{"shape":0.5,"scale":1e308}}"#,
        // A sampler that redrew every overflow looped for ever on this (found by fuzzing).
        r#"{"family":"generalized_gamma","params":{"mu":9007199254740994,"sigma":0.0006,"Q":1830}}"#,
    ] {
        let model = write(&dir, "far.json", json);
        let out = run(&["sample", &model, "-n", "100"]);
        assert_eq!(out.status.code(), Some(1), "{json}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("beyond the range of double"));
    }
    // Samplers that redraw overflows end, whether or not representable draws exist.
    for json in [
        r#"{"family":"generalized_pareto","params":{"scale":1e308,"shape":2}}"#,
        r#"{"family":"generalized_pareto","params":{"scale":1e308,"shape":1e300}}"#,
        r#"{"family":"gev","params":{"location":1e308,"scale":1e308,"shape":0.9}}"#,
        r#"{"family":"gev","params":{"location":1.7e308,"scale":1e308,"shape":1e300}}"#,
    ] {
        let model = write(&dir, "ends.json", json);
        let out = run(&["sample", &model, "-n", "1000"]);
        match out.status.code() {
            Some(0) => assert!(draws(&out).iter().all(|v| v.is_finite()), "{json}"),
            _ => assert!(String::from_utf8_lossy(&out.stderr).contains("beyond the range")),
        }
    }
    // Ends near ±1.8e308: the width overflows, the draws stay inside and spread out.
    let model = write(
        &dir,
        "du.json",
        r#"{"family":"discrete_uniform","params":{"min":-1e308,"max":1e308}}"#,
    );
    let x = draws(&run(&["sample", &model, "-n", "100"]));
    assert!(
        x.iter().any(|&v| v < 0.0) && x.iter().any(|&v| v > 0.0),
        "{x:?}"
    );
}

#[test]
fn sample_streams_any_count_and_quotes_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let model = write(
        &dir,
        "n.json",
        r#"{"family":"normal","params":{"mean":0,"sd":1}}"#,
    );
    // 2^64 − 1 draws: the first lines arrive at once, and closing the pipe ends the run with 0
    // (it used to abort on a capacity overflow, and 1e12 on an 8 TB allocation).
    let start = Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mlfit"))
        .args([
            "sample",
            &model,
            "-n",
            "18446744073709551615",
            "--name",
            "a,\"b",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "\"a,\"\"b\"");
    for _ in 0..3 {
        lines.next().unwrap().unwrap().parse::<f64>().unwrap();
    }
    drop(lines);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("sample did not end after its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    // Streaming in blocks draws what one block would: the first draws match a small run.
    let small = draws(&run(&["sample", &model, "-n", "3", "--seed", "9"]));
    let mut big = std::process::Command::new(assert_cmd::cargo::cargo_bin("mlfit"))
        .args(["sample", &model, "-n", "2000000", "--seed", "9"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let first: Vec<f64> = BufReader::new(big.stdout.take().unwrap())
        .lines()
        .skip(1)
        .take(3)
        .map(|l| l.unwrap().parse().unwrap())
        .collect();
    let _ = big.kill();
    let _ = big.wait();
    assert_eq!(first, small);
    let _ = std::io::stdout().flush();
}

#[test]
fn extreme_data_never_hang_or_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("poisson", "x\n1e15\n1.1e15\n0.9e15\n"),
        ("poisson", "x\n1e20\n1.1e20\n0.9e20\n"),
        ("zero_inflated_poisson", "x\n1e15\n1.1e15\n0.9e15\n0\n0\n"),
        ("chi_squared", "x\n3e15\n2e15\n1e14\n"),
        // Values ~1e-50: df ≈ 0.015, where statrs' incomplete gamma panicked (XInvalid).
        ("chi_squared", "x\n1e-50\n2e-60\n3e-55\n1e-70\n"),
        ("geometric", "x\n1e100\n2e100\n3e120\n1e150\n"),
        ("discrete_uniform", "x\n1e100\n2e100\n3e120\n1e150\n"),
        ("negative_binomial", "x\n1e100\n2e100\n3e120\n1e150\n"),
        ("poisson_mixture", "x\n1e100\n2e100\n3e120\n1e150\n5\n"),
        // Narrow (fitted size ~1e4) beyond 2⁵³: the sum over the support stood still at x += 1.
        ("negative_binomial", "x\n1e20\n1.1e20\n0.9e20\n"),
        // The variance overflows: the message said "variance (NaN)" and wrote 309 digits.
        ("negative_binomial", "x\n1e300\n1.5e300\n1e308\n"),
        (
            "zero_inflated_negative_binomial",
            "x\n1e300\n1.5e300\n1e308\n",
        ),
    ];
    for (i, (family, data)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("d{i}.csv"), data);
        for extra in [
            &["--moments"][..],
            &["--quantile", "0.9"],
            &["--se", "expected"],
            &["--ci", "0.9"],
        ] {
            let mut args = vec!["fit", file.as_str(), "-f", family];
            args.extend_from_slice(extra);
            run(&args);
        }
    }
    // 1e20: the expected information is 1/λ in closed form, not a sum of ~4e11 terms.
    let file = write(&dir, "p20.csv", "x\n1e20\n1.1e20\n0.9e20\n");
    let out = run(&[
        "fit", &file, "-f", "poisson", "--se", "expected", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let se = v["uncertainty"]["covariance"]["expected"]["std_errors"]["lambda"]
        .as_f64()
        .unwrap_or_else(|| panic!("{v}"));
    assert!((se / (1e20f64 / 3.0).sqrt() - 1.0).abs() < 1e-12, "{se}");
}

#[test]
fn poisson_likelihood_of_huge_counts_keeps_its_digits() {
    // Nanosecond timestamps: the terms k ln λ − λ − ln k! are ~7e19 each and their sum ~−20 per
    // count; the sufficient-statistic form returned +32768 ("converged"), and compare showed
    // k = 0 as 2k was lost in the AIC.
    let dir = tempfile::tempdir().unwrap();
    let data =
        "t\n1700000000000000000\n1700000000000000512\n1700000000000004608\n1700000000000000768\n";
    let file = write(&dir, "ts.csv", data);
    let model = dir.path().join("p.json").display().to_string();
    let out = run(&[
        "fit", &file, "-f", "poisson", "--format", "json", "--save", &model,
    ]);
    let fit: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ll = fit["log_likelihood"].as_f64().unwrap();
    // The same value row by row from `eval` (Loader's saddle-point mass per count).
    let e: serde_json::Value =
        serde_json::from_slice(&run(&["eval", &model, &file, "--format", "json"]).stdout).unwrap();
    let per_row = -4.0 * e["cross_entropy"].as_f64().unwrap();
    assert!(
        ll < 0.0 && (ll - per_row).abs() < 1e-9 * per_row.abs(),
        "{ll} vs {per_row}"
    );
    let aic = fit["aic"].as_f64().unwrap();
    assert!((aic - (-2.0 * ll + 2.0)).abs() < 1e-9 * aic, "{aic}");
    // And compare on the same column answers quickly, with every row accounted for.
    run(&["compare", &file]);
    // A χ² test over counts beyond 2⁵³ (its cell walk stood still at x += 1) or over too many
    // cells is a data error (exit 1, it was 2 for "usage") in one line.
    for data in [file.as_str(), &write(&dir, "wide.csv", "x\n0\n5\n1e12\n")] {
        let out = run(&["fit", data, "-f", "poisson", "--gof-bootstrap", "19"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("χ² test"));
    }
}

#[test]
fn table_and_csv_print_no_nan_where_json_prints_null() {
    let dir = tempfile::tempdir().unwrap();
    let one = write(&dir, "one.csv", "x\n3\n");
    let small = write(
        &dir,
        "small.csv",
        "x\n1.2\n2.3\n0.7\n3.1\n1.9\n2.2\n0.4\n5.0\n",
    );
    let two = write(&dir, "two.csv", "x\n1\n2\n");
    let model = dir.path().join("g.json").display().to_string();
    run(&["fit", &small, "-f", "gamma", "--save", &model]);
    // eval's standard error at n = 1: null in JSON, an empty cell in CSV.
    let csv = run(&["eval", &model, &one, "--format", "csv"]);
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout).lines().nth(1).unwrap(),
        "gamma,1,1.83151017616385,,0"
    );
    run(&["eval", &model, &one]);
    // compare's held-out standard error when a held-out row is outside a fold's support.
    let ten = write(&dir, "ten.csv", "x\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
    for format in ["table", "csv"] {
        run(&["compare", &ten, "-f", "uniform,normal", "--format", format]);
    }
    // Bootstrap standard errors when every refit failed (seed 4: both resamples constant).
    for format in ["table", "csv"] {
        let out = run(&[
            "fit",
            &two,
            "-f",
            "normal",
            "--bootstrap",
            "2",
            "--seed",
            "4",
            "--format",
            format,
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("2 failed") || format == "csv", "{text}");
    }
}

/// Echoed numbers are written so a person can read them (issue 17): a value 1e308, a model
/// parameter −1e300 or a tiny 5e-324 was written in hundreds of digits, and values whose spread
/// overflows (1e308, 1e308, −1e308) were "all equal".
#[test]
fn echoed_numbers_stay_short_and_overflowing_spreads_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let huge = write(&dir, "huge.csv", "x\n1e308\n1e308\n-1e308\n");
    let tiny = write(&dir, "tiny.csv", "x\n5e-324\n1\n2\n");
    let negative = write(&dir, "negative.csv", "x\n1\n-1e300\n");
    let model = write(
        &dir,
        "m.json",
        r#"{"family":"normal","params":{"mean":0,"sd":-1e300}}"#,
    );
    let cases: [(&[&str], &str); 6] = [
        (
            &["fit", &huge, "-f", "normal"],
            "the spread of the values (from -1e308 to 1e308) overflows",
        ),
        (
            &["fit", &huge, "-f", "logistic"],
            "overflows a 64-bit float",
        ),
        (
            &["fit", &tiny, "-f", "poisson"],
            "value 5e-324 is not an integer",
        ),
        (
            &["fit", &negative, "-f", "poisson"],
            "value -1e300 is outside the support",
        ),
        (&["fit", &negative, "-f", "gamma"], "-1e300"),
        (
            &["sample", &model, "-n", "1"],
            "sd = -1e300 is outside its domain",
        ),
    ];
    for (args, expected) in cases {
        let out = mlfit().args(args).output().unwrap();
        kept(args, &out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stderr.len() < 200, "{args:?}: {stderr}");
    }
}

/// Uncertainty for a categorical with many levels is linear in rows × levels (issue 17): the
/// Hessian came from a k × k matrix added per row, so 2,000 levels took a minute and the
/// 10,000-level limit hours.
#[test]
fn a_categorical_with_thousands_of_levels_gets_its_uncertainty_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = std::iter::once("label\n".to_string())
        .chain((0..3000).map(|i| format!("L{}\n", i % 1500)))
        .collect();
    let path = write(&dir, "levels.csv", &text);
    for option in ["--se", "--moments"] {
        let mut args = vec![
            "fit",
            path.as_str(),
            "-f",
            "categorical",
            "--format",
            "json",
        ];
        args.extend(if option == "--se" {
            vec!["--se", "observed"]
        } else {
            vec!["--moments"]
        });
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // Every level seen twice in 3,000 rows: p = 1/1500, multinomial se sqrt(p(1−p)/n).
        let p: f64 = 1.0 / 1500.0;
        let se = json["std_errors"]["L7"].as_f64().unwrap();
        assert!((se - (p * (1.0 - p) / 3000.0).sqrt()).abs() < 1e-12, "{se}");
    }
}
