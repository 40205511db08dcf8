//! `mlfit fit` on censored and truncated data: the README's example, the input conventions, and
//! every bad input as one error line naming file, line, column and value.

use assert_cmd::Command;
use std::io::Write;

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

/// A temporary CSV file holding `text`.
fn csv(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

/// Runs `args` on `file` and returns (exit code, stdout, stderr).
fn run(file: &tempfile::NamedTempFile, args: &[&str]) -> (i32, String, String) {
    let out = mlfit()
        .arg("fit")
        .arg(file.path())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_readme_reliability_example_is_what_mlfit_prints() {
    let out = mlfit()
        .args([
            "fit",
            "data/lung.csv",
            "-c",
            "time",
            "--event",
            "dead",
            "-f",
            "weibull",
        ])
        .args([
            "--ci",
            "0.95",
            "--ci-method",
            "profile",
            "--quantile",
            "0.1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&stdout),
        "README's censored example is stale; the command prints:\n{stdout}"
    );
}

#[test]
fn both_conventions_give_the_same_fit() {
    // Five events and three units still running: the exponential rate is 5 / Σ t = 5 / 79.
    let event = csv("t,s\n5,1\n8,0\n12,yes\n3,1\n20,false\n9,1\n15,TRUE\n7,no\n");
    let interval = csv("l,r\n5,5\n8,\n12,12\n3,3\n20,NA\n9,9\n15,15\n7,\n");
    let (code, a, _) = run(
        &event,
        &[
            "-c",
            "t",
            "--event",
            "s",
            "-f",
            "exponential",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let (code, b, _) = run(
        &interval,
        &["--interval", "l,r", "-f", "exponential", "--format", "json"],
    );
    assert_eq!(code, 0);
    let rate = |s: &str| -> f64 {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        let fit = if v.is_array() { &v[0] } else { &v };
        fit["params"]["rate"].as_f64().unwrap()
    };
    assert!((rate(&a) - 5.0 / 79.0).abs() < 1e-12, "{a}");
    assert!((rate(&a) - rate(&b)).abs() < 1e-15);
}

#[test]
fn bad_rows_are_one_error_line_with_file_line_column_and_value() {
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "l,r\n1,2\n3,2\n",
            &["--interval", "l,r", "-f", "weibull"],
            ": line 3, column l: \"3,2\": LEFT is greater than RIGHT",
        ),
        (
            "t,s\n1,1\n2,2\n",
            &["-c", "t", "--event", "s", "-f", "weibull"],
            ": line 3, column s: \"2\": an event status must be 1/true/yes (event) or 0/false/no",
        ),
        (
            "x\n1.5\n0.2\n2.5\n",
            &["--truncate", "0.5,", "-f", "weibull"],
            ": line 3, column x: \"0.2\": the value lies outside the truncation window",
        ),
        (
            "t,s\n1,0\n2,0\n",
            &["-c", "t", "--event", "s", "-f", "weibull"],
            ": column s: all 2 rows are right-censored",
        ),
        (
            "l,r\n1,2\nx,3\n",
            &["--interval", "l,r", "-f", "weibull"],
            ": line 3, column l: \"x\" is not a number",
        ),
    ];
    for (text, args, want) in cases {
        let f = csv(text);
        let (code, stdout, stderr) = run(&f, args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&f.path().display().to_string()), "{stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn what_censored_data_cannot_do_is_a_usage_error() {
    let f = csv("t,s\n5,1\n8,0\n12,1\n3,1\n");
    let base = ["-c", "t", "--event", "s"];
    for (extra, want) in [
        (&["-f", "gamma"][..], "gamma cannot fit censored"),
        (
            &["-f", "weibull", "--se", "expected"][..],
            "--se expected (or all) is not available",
        ),
        (
            &["-f", "weibull", "--bootstrap", "99"][..],
            "--bootstrap is not available",
        ),
        (&["-f", "normal_mixture"][..], "not available for mixture"),
        (&["-f", "categorical"][..], "categorical fits labels"),
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let (code, _, stderr) = run(&f, &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = run(&f, &["--event", "s", "-f", "weibull"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("-c TIME --event STATUS"), "{stderr}");
}

#[test]
fn censored_fits_give_observed_errors_and_profile_intervals() {
    let (code, out, err) = {
        let out = mlfit()
            .args([
                "fit",
                "data/lung.csv",
                "-c",
                "time",
                "--event",
                "dead",
                "-f",
                "lognormal",
            ])
            .args(["--se", "observed", "--ci", "0.95", "--format", "json"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let v = if v.is_array() { &v[0] } else { &v };
    // survreg's standard errors (tests/fixtures/censored_reference.json).
    let se = v["std_errors"]["meanlog"].as_f64().unwrap();
    assert!((se - 0.077_995_939_333_593_99).abs() < 1e-9, "{se}");
    assert_eq!(v["n"], 228);
    assert_eq!(v["observations"]["exact"], 165);
    assert_eq!(v["observations"]["right"], 63);
    assert_eq!(v["observations"]["truncated"], 0);
}
