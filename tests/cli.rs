//! The command-line contract: output formats, stdin, column selection, exit codes, and one
//! clear error line (with nothing on stdout) for every kind of bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The documented JSON schema of one fit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FitJson {
    family: String,
    params: serde_json::Map<String, serde_json::Value>,
    n: usize,
    cross_entropy: f64,
    log_likelihood: f64,
    aic: f64,
    bic: f64,
    converged: bool,
    termination: String,
    iterations: usize,
    score_norm: f64,
    std_errors: Option<BTreeMap<String, f64>>,
    method: String,
    #[serde(default)]
    fixed: Vec<String>,
    #[serde(default)]
    weight_total: Option<f64>,
    mlfit_version: String,
    notes: Vec<String>,
}

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

/// Run `mlfit fit` on `input` (via stdin) with extra args; returns the assert.
fn fit_stdin(input: &[u8], args: &[&str]) -> assert_cmd::assert::Assert {
    mlfit()
        .arg("fit")
        .args(args)
        .write_stdin(input.to_vec())
        .assert()
}

/// Expect failure with `code`, empty stdout, and one stderr line containing every `needle`.
fn fails(a: assert_cmd::assert::Assert, code: i32, needles: &[&str]) {
    let out = a.get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout must be empty on error, got {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one error line expected: {stderr}"
    );
    assert!(stderr.starts_with("mlfit: error: "), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}: {stderr}");
    }
}

fn json_of(a: assert_cmd::assert::Assert) -> serde_json::Value {
    let out = a.success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn table_on_the_shipped_voltage_data() {
    mlfit()
        .args(["fit", "data/dc_voltage.csv", "--family", "normal"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "normal fit to data/dc_voltage.csv, column voltage (n = 500)",
        ))
        .stdout(predicate::str::contains("cross entropy"))
        .stdout(predicate::str::contains("converged       yes"));
}

#[test]
fn json_single_object_matches_the_schema() {
    let v = json_of(
        mlfit()
            .args([
                "fit",
                "data/latency.csv",
                "-c",
                "latency_ms",
                "-f",
                "gamma",
                "--format",
                "json",
            ])
            .assert(),
    );
    assert!(v.is_object());
    let f: FitJson = serde_json::from_value(v).unwrap();
    assert_eq!(f.family, "gamma");
    assert_eq!(f.params.keys().collect::<Vec<_>>(), vec!["shape", "rate"]);
    assert_eq!(f.n, 2000);
    assert!(f.converged);
    assert_eq!(f.termination, "gradient_tolerance");
    assert_eq!(f.method, "newton");
    assert!(f.score_norm <= 1e-9);
    assert!((f.cross_entropy * 2000.0 + f.log_likelihood).abs() < 1e-6);
    assert!((f.aic - (4.0 - 2.0 * f.log_likelihood)).abs() < 1e-9);
    assert!((f.bic - (2.0 * 2000f64.ln() - 2.0 * f.log_likelihood)).abs() < 1e-9);
    let se = f.std_errors.unwrap();
    assert!(se["shape"] > 0.0 && se["rate"] > 0.0);
    assert!(f.fixed.is_empty() && f.notes.is_empty() && f.iterations < 10);
    assert!(f.weight_total.is_none());
    assert_eq!(f.mlfit_version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn several_families_give_an_array_and_one_table() {
    let v = json_of(
        mlfit()
            .args([
                "fit",
                "data/wind_speed.csv",
                "-f",
                "gamma,weibull,lognormal",
                "--format",
                "json",
            ])
            .assert(),
    );
    let fits: Vec<FitJson> = serde_json::from_value(v).unwrap();
    assert_eq!(
        fits.iter().map(|f| f.family.as_str()).collect::<Vec<_>>(),
        ["gamma", "weibull", "lognormal"]
    );
    mlfit()
        .args(["fit", "data/wind_speed.csv", "-f", "gamma,weib,lnorm"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("family")
                .and(predicate::str::contains("weibull"))
                .and(predicate::str::contains("shape=")),
        );
}

#[test]
fn csv_output_is_long_form() {
    let out = mlfit()
        .args([
            "fit",
            "data/wind_speed.csv",
            "-f",
            "weibull,exp",
            "--format",
            "csv",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("family,parameter,estimate,std_error,"));
    assert_eq!(lines.len(), 1 + 2 + 1);
    assert!(lines[1].starts_with("weibull,shape,"));
    assert!(lines[3].starts_with("exponential,rate,"));
}

#[test]
fn stdin_with_dash_or_without_a_file() {
    let input = std::fs::read("data/counts.csv").unwrap();
    let a = json_of(
        mlfit()
            .args(["fit", "-", "-f", "nbinom", "--format", "json"])
            .write_stdin(input.clone())
            .assert(),
    );
    let b = json_of(
        mlfit()
            .args(["fit", "-f", "negative_binomial", "--format", "json"])
            .write_stdin(input)
            .assert(),
    );
    assert_eq!(a, b);
    assert_eq!(a["family"], "negative_binomial");
    assert!(a["params"]["size"].as_f64().unwrap() > 0.0);
}

#[test]
fn columns_by_name_and_index() {
    let a = json_of(fit_stdin(
        b"a,b\n1,10\n2,20\n4,50\n",
        &["-c", "b", "-f", "exp", "--format", "json"],
    ));
    let b = json_of(fit_stdin(
        b"a,b\n1,10\n2,20\n4,50\n",
        &["-c", "2", "-f", "exp", "--format", "json"],
    ));
    assert_eq!(a, b);
    assert!((a["params"]["rate"].as_f64().unwrap() - 3.0 / 80.0).abs() < 1e-15);
    let c = json_of(fit_stdin(
        b"1;10\n2;20\n4;50\n",
        &[
            "--no-header",
            "--delimiter",
            ";",
            "-c",
            "2",
            "-f",
            "exp",
            "--format",
            "json",
        ],
    ));
    assert_eq!(a["params"], c["params"]);
    let d = json_of(fit_stdin(
        b"1\t10\n2\t20\n4\t50\n",
        &[
            "--no-header",
            "--delimiter",
            "tab",
            "-c",
            "2",
            "-f",
            "exp",
            "--format",
            "json",
        ],
    ));
    assert_eq!(a["params"], d["params"]);
}

#[test]
fn bom_crlf_quotes_and_missing_final_newline() {
    let v = json_of(fit_stdin(
        b"\xEF\xBB\xBF\"x\"\r\n\"1.5\"\r\n2.5\r\n4",
        &["-f", "exp", "--format", "json"],
    ));
    assert_eq!(v["n"], 3);
    assert!((v["params"]["rate"].as_f64().unwrap() - 3.0 / 8.0).abs() < 1e-15);
}

#[test]
fn missing_file() {
    fails(
        mlfit()
            .args(["fit", "no/such.csv", "-f", "normal"])
            .assert(),
        1,
        &["no/such.csv", "cannot open"],
    );
}

#[test]
fn empty_input_and_header_only() {
    fails(fit_stdin(b"", &["-f", "normal"]), 1, &["<stdin>", "empty"]);
    fails(
        fit_stdin(b"x\n", &["-f", "normal"]),
        1,
        &["header line but no data rows"],
    );
}

#[test]
fn bad_cells_name_line_column_and_value() {
    fails(
        fit_stdin(b"x\n1\n2\nabc\n", &["-f", "normal"]),
        1,
        &["<stdin>: line 4, column x", "\"abc\" is not a number"],
    );
    fails(
        fit_stdin(b"x,y\n1,2\n,3\n", &["-f", "normal"]),
        1,
        &["line 3, column x", "missing value", "--skip-missing"],
    );
    fails(
        fit_stdin(b"x\n1\nNaN\n", &["-f", "normal"]),
        1,
        &["line 3", "NaN"],
    );
    fails(
        fit_stdin(b"x\n1\n-inf\n", &["-f", "normal"]),
        1,
        &["line 3", "infinite"],
    );
    fails(
        fit_stdin(b"x\n1\n2e400\n", &["-f", "normal"]),
        1,
        &["line 3", "\"2e400\"", "overflows"],
    );
}

#[test]
fn skip_missing_drops_and_reports() {
    let out = fit_stdin(
        b"x\n1\nNA\n2\n\"\"\n4\n",
        &["-f", "normal", "--skip-missing", "--format", "json"],
    )
    .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("skipped 2 rows with a missing value in column x"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["n"], 3);
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("2 rows with missing values were skipped"));
}

#[test]
fn values_outside_the_support() {
    fails(
        fit_stdin(b"x\n1\n2\n-3\n4\n-5\n", &["-f", "gamma"]),
        1,
        &[
            "line 4, column x",
            "value -3 is outside the support (0, ∞) of gamma",
            "2 values outside",
        ],
    );
    fails(
        fit_stdin(b"p\n0.2\n1.0\n", &["-f", "beta"]),
        1,
        &["line 3", "(0, 1)"],
    );
}

#[test]
fn non_integer_counts() {
    fails(
        fit_stdin(b"k\n1\n2\n2.5\n", &["-f", "poisson"]),
        1,
        &["line 4, column k", "2.5 is not an integer", "discrete"],
    );
}

#[test]
fn too_few_observations_and_degenerate_data() {
    fails(
        fit_stdin(b"x\n1\n", &["-f", "normal"]),
        1,
        &["too few observations for normal", "at least 2, got 1"],
    );
    fails(
        fit_stdin(b"x\n3\n3\n3\n", &["-f", "normal"]),
        1,
        &["does not exist", "all values are equal"],
    );
    fails(
        fit_stdin(b"x\n0\n0\n0\n", &["-f", "poisson"]),
        1,
        &["poisson", "does not exist"],
    );
}

#[test]
fn ragged_rows_and_invalid_utf8() {
    fails(
        fit_stdin(b"x,y\n1,2\n3\n", &["-f", "normal"]),
        1,
        &["line 3", "ragged row", "1 fields where the first row has 2"],
    );
    fails(
        fit_stdin(b"x\n1\n\xff\xfe\n", &["-f", "normal"]),
        1,
        &["line 3", "invalid UTF-8"],
    );
}

#[test]
fn unknown_family_suggests_the_nearest_name() {
    fails(
        fit_stdin(b"x\n1\n2\n", &["-f", "weibul"]),
        2,
        &["unknown family \"weibul\"", "did you mean \"weibull\""],
    );
    // The family is checked before the data are read.
    fails(
        mlfit()
            .args(["fit", "no/such.csv", "-f", "gaussianish"])
            .assert(),
        2,
        &["unknown family"],
    );
}

#[test]
fn unknown_column_lists_the_available_ones() {
    fails(
        fit_stdin(b"a,b\n1,2\n", &["-c", "c", "-f", "normal"]),
        2,
        &["no column \"c\"", "\"a\" (#1), \"b\" (#2)"],
    );
    fails(
        fit_stdin(b"a,b\n1,2\n", &["-c", "7", "-f", "normal"]),
        2,
        &["no column 7"],
    );
}

#[test]
fn usage_errors_exit_2() {
    mlfit()
        .args(["fit", "data/dc_voltage.csv"])
        .assert()
        .code(2)
        .stdout("");
    mlfit()
        .args([
            "fit",
            "data/dc_voltage.csv",
            "-f",
            "normal",
            "--format",
            "xml",
        ])
        .assert()
        .code(2);
    mlfit()
        .args([
            "fit",
            "data/dc_voltage.csv",
            "-f",
            "normal",
            "--delimiter",
            "ab",
        ])
        .assert()
        .code(2);
    mlfit()
        .args(["fit", "data/dc_voltage.csv", "-f", "normal", "--tol", "-1"])
        .assert()
        .code(2);
    mlfit().arg("frobnicate").assert().code(2);
    mlfit()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn nonconverged_fit_is_an_error_unless_allowed() {
    let args = [
        "fit",
        "data/wind_speed.csv",
        "-f",
        "weibull",
        "--method",
        "gradient-descent",
        "--max-iter",
        "1",
        "--tol",
        "1e-300",
    ];
    fails(
        mlfit().args(args).assert(),
        1,
        &[
            "weibull fit did not converge (max_iterations)",
            "--allow-nonconverged",
        ],
    );
    let v = json_of(
        mlfit()
            .args(args)
            .args(["--allow-nonconverged", "--format", "json"])
            .assert(),
    );
    assert_eq!(v["converged"], false);
    assert_eq!(v["termination"], "max_iterations");
}

#[test]
fn all_methods_agree_on_the_same_data() {
    let mut ces = Vec::new();
    for m in ["newton", "lbfgs", "gradient-descent"] {
        let v = json_of(
            mlfit()
                .args([
                    "fit",
                    "data/wind_speed.csv",
                    "-f",
                    "weibull",
                    "--format",
                    "json",
                    "--method",
                    m,
                ])
                .assert(),
        );
        assert_eq!(v["converged"], true, "{m}");
        assert_eq!(v["method"], m);
        ces.push(v["cross_entropy"].as_f64().unwrap());
    }
    assert!(
        (ces[0] - ces[1]).abs() < 1e-12 && (ces[0] - ces[2]).abs() < 1e-12,
        "{ces:?}"
    );
}

#[test]
fn families_listing_and_description() {
    mlfit().arg("families").assert().success().stdout(
        predicate::str::contains("negative_binomial").and(predicate::str::contains("size, prob")),
    );
    let v = json_of(mlfit().args(["families", "--format", "json"]).assert());
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), mlfit::family::REGISTRY.len());
    assert!(list
        .iter()
        .any(|e| e["name"] == "poisson" && e["discrete"] == true));
    mlfit()
        .args(["families", "t"])
        .assert()
        .success()
        .stdout(predicate::str::contains("student_t").and(predicate::str::contains("df")));
    fails(
        mlfit().args(["families", "gamm"]).assert(),
        2,
        &["did you mean \"gamma\""],
    );
}

#[test]
fn the_readme_table_is_what_the_first_command_prints() {
    let out = mlfit()
        .args(["fit", "data/dc_voltage.csv", "--family", "normal"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&stdout),
        "README's example table is stale; the command prints:\n{stdout}"
    );
}

#[test]
fn fixed_parameters_from_the_command_line() {
    let v = json_of(
        mlfit()
            .args([
                "fit",
                "data/wind_speed.csv",
                "-f",
                "weibull",
                "--fix",
                "shape=2",
                "--format",
                "json",
            ])
            .assert(),
    );
    assert_eq!(v["params"]["shape"], 2.0);
    assert_eq!(v["fixed"], serde_json::json!(["shape"]));
    assert!(v["std_errors"]["shape"].is_null() && v["std_errors"]["scale"].as_f64().unwrap() > 0.0);
    // One free parameter: AIC = 2 − 2ℓ.
    let ll = v["log_likelihood"].as_f64().unwrap();
    assert!((v["aic"].as_f64().unwrap() - (2.0 - 2.0 * ll)).abs() < 1e-9);
    fails(
        mlfit()
            .args([
                "fit",
                "data/wind_speed.csv",
                "-f",
                "weibull",
                "--fix",
                "shap=2",
            ])
            .assert(),
        2,
        &[
            "weibull has no parameter \"shap\"",
            "its parameters are: shape, scale",
        ],
    );
    fails(
        mlfit()
            .args([
                "fit",
                "data/wind_speed.csv",
                "-f",
                "weibull",
                "--fix",
                "shape=-1",
            ])
            .assert(),
        2,
        &["shape = -1 is outside its domain"],
    );
    mlfit()
        .args([
            "fit",
            "data/wind_speed.csv",
            "-f",
            "weibull",
            "--fix",
            "shape",
        ])
        .assert()
        .code(2);
}

#[test]
fn weights_column() {
    // Frequency weights reproduce repeated rows.
    let a = json_of(fit_stdin(
        b"x,w\n1,1\n2,3\n5,1\n",
        &["-f", "gamma", "-w", "w", "--format", "json"],
    ));
    let b = json_of(fit_stdin(
        b"x\n1\n2\n2\n2\n5\n",
        &["-f", "gamma", "--format", "json"],
    ));
    for key in ["cross_entropy", "log_likelihood", "aic", "bic"] {
        assert!(
            (a[key].as_f64().unwrap() - b[key].as_f64().unwrap()).abs() < 1e-10,
            "{key}"
        );
    }
    assert_eq!(a["weight_total"], 5.0);
    assert_eq!(a["n"], 3);
    // Zero weights drop rows, even rows outside the support.
    let c = json_of(fit_stdin(
        b"x,w\n1,1\n-4,0\n2,3\n5,1\n",
        &["-f", "gamma", "--weights", "w", "--format", "json"],
    ));
    assert_eq!(a["params"], c["params"]);
    fails(
        fit_stdin(b"x,w\n1,1\n2,-3\n", &["-f", "gamma", "-w", "w"]),
        1,
        &["line 3, column w", "weight -3 is negative"],
    );
    fails(
        fit_stdin(b"x,w\n1,1\n2,\n", &["-f", "gamma", "-w", "w"]),
        1,
        &["line 3, column w", "missing value"],
    );
    fails(
        fit_stdin(b"x,w\n1,1\n", &["-f", "gamma", "-w", "weight"]),
        2,
        &["no column \"weight\""],
    );
}

#[test]
fn trials_apply_only_to_families_with_a_number_of_trials() {
    fails(
        mlfit()
            .args([
                "fit",
                "data/wind_speed.csv",
                "-f",
                "weibull",
                "--trials",
                "3",
            ])
            .assert(),
        2,
        &["--trials applies to"],
    );
}

#[test]
fn categorical_reads_labels() {
    let v = json_of(fit_stdin(
        b"color\nred\nblue\nred\n\"green\"\nred\n",
        &["-f", "categorical", "--format", "json"],
    ));
    assert_eq!(
        v["params"],
        serde_json::json!({"blue": 0.2, "green": 0.2, "red": 0.6})
    );
    assert_eq!(v["termination"], "closed_form");
    assert_eq!(v["converged"], true);
    // Alongside numeric families the column is parsed both ways from one read of stdin.
    let both = json_of(fit_stdin(
        b"k\n1\n2\n2\n3\n1\n2\n",
        &["-f", "cat,poisson", "--format", "json"],
    ));
    assert_eq!(both[0]["params"]["2"], 0.5);
    assert_eq!(both[1]["family"], "poisson");
    fails(
        fit_stdin(b"c\na\na\n", &["-f", "categorical"]),
        1,
        &["only one level (a)"],
    );
    fails(
        fit_stdin(b"c\na\nb\n", &["-f", "poisson"]),
        1,
        &["\"a\" is not a number"],
    );
}

#[test]
fn the_readme_lists_every_family() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for f in mlfit::family::REGISTRY {
        assert!(
            readme.contains(&format!("| `{}`", f.name())),
            "README's family table lacks {}",
            f.name()
        );
    }
}

#[test]
fn trials_per_row_from_a_column() {
    let v = json_of(fit_stdin(
        b"k,n\n3,10\n5,20\n0,5\n12,30\n7,10\n",
        &[
            "-c", "k", "-f", "binomial", "--trials", "n", "--format", "json",
        ],
    ));
    // The binomial MLE with per-row trials is the pooled proportion Σk / Σn.
    assert!((v["params"]["prob"].as_f64().unwrap() - 27.0 / 75.0).abs() < 1e-14);
    assert!(v["params"]["size"].is_null());
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("given per row (from 5 to 30)"));
    // Equal per-row trials are the same fit as a constant.
    let a = json_of(fit_stdin(
        b"k,n\n3,20\n5,20\n0,20\n12,20\n",
        &[
            "-c",
            "k",
            "-f",
            "beta_binomial",
            "--trials",
            "n",
            "--format",
            "json",
        ],
    ));
    let b = json_of(fit_stdin(
        b"k\n3\n5\n0\n12\n",
        &["-f", "beta_binomial", "--trials", "20", "--format", "json"],
    ));
    for key in ["cross_entropy", "aic"] {
        assert!(
            (a[key].as_f64().unwrap() - b[key].as_f64().unwrap()).abs() < 1e-9,
            "{key}: {a} vs {b}"
        );
    }
    fails(
        fit_stdin(
            b"k,n\n3,10\n25,20\n",
            &["-c", "k", "-f", "binomial", "--trials", "n"],
        ),
        1,
        &[
            "line 3, column k",
            "value 25 is outside the support {0, …, 20}",
        ],
    );
    fails(
        fit_stdin(
            b"k,n\n3,10\n5,2.5\n",
            &["-c", "k", "-f", "binomial", "--trials", "n"],
        ),
        1,
        &["line 3, column n", "number of trials 2.5"],
    );
}

#[test]
fn error_lines_stay_short_whatever_the_input_holds() {
    let dir = tempfile::tempdir().unwrap();
    // 2,000 columns: the unknown-column error names ten and counts the rest.
    let wide = dir.path().join("wide.csv");
    let header: Vec<String> = (0..2000).map(|i| format!("col{i}")).collect();
    std::fs::write(
        &wide,
        format!("{}\n{}\n", header.join(","), vec!["1"; 2000].join(",")),
    )
    .unwrap();
    let out = Command::cargo_bin("mlfit")
        .unwrap()
        .args(["fit", wide.to_str().unwrap(), "-c", "zzz", "-f", "normal"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.len() < 400 && err.lines().count() == 1, "{err}");
    assert!(err.contains("\"col9\" (#10) and 1990 more"), "{err}");
    // A 10,000-character cell is quoted by its head and its length.
    let big = dir.path().join("big.csv");
    std::fs::write(&big, format!("x\n1\n{}\n", "a".repeat(10_000))).unwrap();
    let out = Command::cargo_bin("mlfit")
        .unwrap()
        .args(["fit", big.to_str().unwrap(), "-f", "normal"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.len() < 300 && err.lines().count() == 1, "{err}");
    assert!(
        err.contains("… (10000 characters) is not a number"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn lines_ending_in_a_carriage_return_alone_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mac.csv");
    std::fs::write(&path, "x\r1.5\r2.5\r4.0\r").unwrap();
    let out = Command::cargo_bin("mlfit")
        .unwrap()
        .args(["fit", path.to_str().unwrap(), "-f", "normal"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(err.contains("carriage return alone"), "{err}");
    // CRLF files still read as before.
    std::fs::write(&path, "x\r\n1.5\r\n2.5\r\n4.0\r\n").unwrap();
    let out = Command::cargo_bin("mlfit")
        .unwrap()
        .args([
            "fit",
            path.to_str().unwrap(),
            "-f",
            "normal",
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
}
