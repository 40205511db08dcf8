//! The multivariate normal: recovery from seeded samples, agreement with the closed form
//! (sample mean, biased covariance, the maximised log-likelihood), the three covariance
//! structures, data errors, and the command line (`mlfit fit -f multivariate_normal`).

use assert_cmd::Command;
use mlfit::data::csv::{read_columns, ColumnSelector, CsvOptions};
use mlfit::error::{CellProblem, ErrorKind};
use mlfit::multivariate::normal::MultivariateNormal;
use mlfit::multivariate::{fit_multivariate, Covariance, MultiFit, MultiSample};
use mlfit::optim::Termination;
use mlfit::FitOptions;
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::io::Write;

const STRUCTURES: [Covariance; 3] = [
    Covariance::Full,
    Covariance::Diagonal,
    Covariance::Spherical,
];

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn truth() -> MultivariateNormal {
    // sds 2, 0.5, 3; correlations 0.6, −0.3, 0.2.
    let sd = [2.0, 0.5, 3.0];
    let corr = [[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]];
    MultivariateNormal::new(
        DVector::from_vec(vec![1.0, -2.0, 10.0]),
        DMatrix::from_fn(3, 3, |i, j| corr[i][j] * sd[i] * sd[j]),
    )
    .unwrap()
}

fn seeded_rows(seed: u64, n: usize) -> Vec<Vec<f64>> {
    truth().sample(&mut StdRng::seed_from_u64(seed), n)
}

fn fit(sample: &MultiSample, structure: Covariance) -> MultiFit {
    let f = fit_multivariate(sample, structure, &FitOptions::default()).unwrap();
    assert!(
        f.converged,
        "{structure:?}: {:?} {:?}",
        f.termination, f.notes
    );
    assert!(matches!(
        f.termination,
        Termination::GradientTolerance | Termination::RoundingLimit
    ));
    assert!(f.termination == Termination::RoundingLimit || f.score_norm <= 1e-9);
    f
}

/// The sample mean and the biased sample covariance, written out plainly (two passes; the
/// mean summed relative to the first row, whose differences are exact for data on a large
/// offset).
fn closed_form(rows: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (n, d) = (rows.len() as f64, rows[0].len());
    let mean: Vec<f64> = (0..d)
        .map(|j| rows[0][j] + rows.iter().map(|r| r[j] - rows[0][j]).sum::<f64>() / n)
        .collect();
    let cov = (0..d)
        .map(|i| {
            (0..d)
                .map(|j| {
                    rows.iter()
                        .map(|r| (r[i] - mean[i]) * (r[j] - mean[j]))
                        .sum::<f64>()
                        / n
                })
                .collect()
        })
        .collect();
    (mean, cov)
}

/// |a − b| ≤ rel·scale.
fn close(a: f64, b: f64, rel: f64, scale: f64) -> bool {
    (a - b).abs() <= rel * scale
}

#[test]
fn recovers_the_true_mean_and_covariance_within_a_few_standard_errors() {
    let sample = MultiSample::new(names(&["a", "b", "c"]), &seeded_rows(2024, 2000)).unwrap();
    let f = fit(&sample, Covariance::Full);
    assert!(f.iterations > 0, "the diagonal start is not the full MLE");
    let t = truth();
    let se = f.std_errors.as_ref().unwrap();
    for j in 0..3 {
        let z = (f.params.mean[j] - t.mean()[j]) / se.mean[j];
        assert!(z.abs() < 4.0, "mean {j}: z = {z}");
        for i in 0..3 {
            let s = se.covariance[i][j].unwrap();
            let z = (f.params.covariance[i][j] - t.covariance()[(i, j)]) / s;
            assert!(z.abs() < 4.0, "covariance ({i}, {j}): z = {z}");
        }
    }
    // se(μ̂ⱼ) = √(Σ̂ⱼⱼ/n), se(Σ̂ᵢⱼ) = √((Σ̂ᵢᵢΣ̂ⱼⱼ + Σ̂ᵢⱼ²)/n).
    let c = &f.params.covariance;
    assert!((se.mean[2] - (c[2][2] / 2000.0).sqrt()).abs() < 1e-14);
    let s01 = ((c[0][0] * c[1][1] + c[0][1] * c[0][1]) / 2000.0).sqrt();
    assert!((se.covariance[0][1].unwrap() - s01).abs() < 1e-14);
}

#[test]
fn every_structure_reaches_its_closed_form() {
    let rows = seeded_rows(7, 2000);
    let sample = MultiSample::new(names(&["a", "b", "c"]), &rows).unwrap();
    let (mean, cov) = closed_form(&rows);
    let d = 3;
    let mean_variance = (0..d).map(|j| cov[j][j]).sum::<f64>() / d as f64;
    for structure in STRUCTURES {
        let f = fit(&sample, structure);
        assert!(
            f.iterations > 0,
            "{structure:?}: the robust start is not the MLE"
        );
        for j in 0..d {
            let sd = cov[j][j].sqrt();
            assert!(
                close(f.params.mean[j], mean[j], 1e-9, mean[j].abs().max(sd)),
                "{structure:?} mean {j}: {} vs {}",
                f.params.mean[j],
                mean[j]
            );
        }
        for i in 0..d {
            for j in 0..d {
                let got = f.params.covariance[i][j];
                assert_eq!(got, f.params.covariance[j][i], "symmetric");
                let want = match structure {
                    Covariance::Full => cov[i][j],
                    Covariance::Diagonal if i == j => cov[i][i],
                    Covariance::Spherical if i == j => mean_variance,
                    _ => 0.0,
                };
                if want == 0.0 {
                    assert_eq!(got, 0.0, "{structure:?} ({i}, {j}) is held at zero");
                } else {
                    let scale = (cov[i][i] * cov[j][j]).sqrt();
                    assert!(
                        close(got, want, 1e-9, scale),
                        "{structure:?} ({i}, {j}): {got} vs {want}"
                    );
                }
            }
        }
        // The maximised log-likelihood: −n/2 (d ln 2π + ln|Σ̂| + d).
        let det = DMatrix::from_fn(d, d, |i, j| f.params.covariance[i][j]).determinant();
        let n = 2000.0;
        let ll = -n / 2.0 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + det.ln() + d as f64);
        assert!(
            close(f.log_likelihood, ll, 1e-12, ll.abs()),
            "{structure:?}: {} vs {ll}",
            f.log_likelihood
        );
        assert!(close(f.cross_entropy, -ll / n, 1e-12, ll.abs() / n));
        let k = match structure {
            Covariance::Full => 9.0,
            Covariance::Diagonal => 6.0,
            Covariance::Spherical => 4.0,
        };
        assert_eq!(f.k as f64, k);
        assert!(close(f.aic, 2.0 * k - 2.0 * ll, 1e-12, ll.abs()));
        assert!(close(f.bic, k * n.ln() - 2.0 * ll, 1e-12, ll.abs()));
    }
}

#[test]
fn all_methods_reach_the_same_optimum() {
    let rows = seeded_rows(5, 300);
    let sample = MultiSample::new(names(&["a", "b", "c"]), &rows).unwrap();
    let reference = fit(&sample, Covariance::Full);
    for method in [
        mlfit::optim::Method::Lbfgs,
        mlfit::optim::Method::GradientDescent,
    ] {
        let opts = FitOptions {
            method,
            ..Default::default()
        };
        let f = fit_multivariate(&sample, Covariance::Full, &opts).unwrap();
        assert!(f.converged, "{method:?}");
        assert!(close(
            f.log_likelihood,
            reference.log_likelihood,
            1e-12,
            reference.log_likelihood.abs()
        ));
        for i in 0..3 {
            for j in 0..3 {
                let (a, b) = (f.params.covariance[i][j], reference.params.covariance[i][j]);
                assert!(close(a, b, 1e-6, 1.0), "{method:?} ({i}, {j}): {a} vs {b}");
            }
        }
    }
}

#[test]
fn columns_on_wildly_different_scales_and_offsets() {
    // Volts near 1e6 with µV noise next to a column in 1e-6 units: the scale-free coordinates
    // make this as easy as standard data.
    let rows: Vec<Vec<f64>> = seeded_rows(9, 500)
        .into_iter()
        .map(|r| vec![1e6 + 1e-3 * r[0], 1e-6 * r[1], r[0] + r[2]])
        .collect();
    let sample = MultiSample::new(names(&["big", "tiny", "sum"]), &rows).unwrap();
    let f = fit(&sample, Covariance::Full);
    let (mean, cov) = closed_form(&rows);
    for i in 0..3 {
        // Near 1e6 one ulp (1.2e-10) is already 6e-8 standard deviations.
        let ulps = 4.0 * mean[i].abs() * f64::EPSILON;
        assert!(
            (f.params.mean[i] - mean[i]).abs() <= 1e-9 * cov[i][i].sqrt() + ulps,
            "mean {i}: {} vs {}",
            f.params.mean[i],
            mean[i]
        );
        for j in 0..3 {
            let scale = (cov[i][i] * cov[j][j]).sqrt();
            assert!(
                close(f.params.covariance[i][j], cov[i][j], 1e-9, scale),
                "({i}, {j}): {} vs {}",
                f.params.covariance[i][j],
                cov[i][j]
            );
        }
    }
}

#[test]
fn nearly_collinear_columns_converge_quickly() {
    // b = a + 0.001·noise (correlation 1 − 5e-7) and c = 5a − 0.003·noise + 1e4: the
    // regression coordinates stay O(1), so Newton needs few steps from the diagonal start.
    let rows: Vec<Vec<f64>> = seeded_rows(4, 1000)
        .into_iter()
        .map(|r| {
            let a = r[0] / 2.0;
            vec![a, a + 1e-3 * r[1] / 0.5, 5.0 * a - 3e-3 * r[2] / 3.0 + 1e4]
        })
        .collect();
    let sample = MultiSample::new(names(&["a", "b", "c"]), &rows).unwrap();
    let f = fit(&sample, Covariance::Full);
    assert!(
        f.iterations <= 40,
        "{} iterations: {:?}",
        f.iterations,
        f.notes
    );
    let (_, cov) = closed_form(&rows);
    for i in 0..3 {
        for j in 0..3 {
            let scale = (cov[i][i] * cov[j][j]).sqrt();
            assert!(
                close(f.params.covariance[i][j], cov[i][j], 1e-9, scale),
                "({i}, {j}): {} vs {}",
                f.params.covariance[i][j],
                cov[i][j]
            );
        }
    }
    // The residual variance of b given a, 1e-6 of its variance, is recovered too.
    let c = &f.params.covariance;
    let residual = c[1][1] - c[0][1] * c[0][1] / c[0][0];
    let want = cov[1][1] - cov[0][1] * cov[0][1] / cov[0][0];
    assert!(
        (residual - want).abs() < 1e-6 * want,
        "{residual} vs {want}"
    );
}

#[test]
fn collinear_columns_are_named() {
    let rows: Vec<Vec<f64>> = seeded_rows(1, 50)
        .into_iter()
        .map(|r| vec![r[0], r[1], 2.0 * r[0] - r[1], r[2]])
        .collect();
    let sample = MultiSample::new(names(&["x", "y", "z", "w"]), &rows).unwrap();
    let e = fit_multivariate(&sample, Covariance::Full, &FitOptions::default()).unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::Collinear {
            column: "z".into(),
            of: names(&["x", "y"]),
        }
    );
    assert!(e
        .to_string()
        .contains("column z is a linear combination of x, y"));
    // A diagonal covariance does not need full rank.
    fit(&sample, Covariance::Diagonal);
    // A duplicated column.
    let dup: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[3], r[0], r[3]]).collect();
    let sample = MultiSample::new(names(&["w", "x", "w2"]), &dup).unwrap();
    let e = fit_multivariate(&sample, Covariance::Full, &FitOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("column w2 is a linear combination of w:"),
        "{e}"
    );
}

#[test]
fn too_few_rows_and_constant_columns() {
    let rows = seeded_rows(2, 3);
    let sample = MultiSample::new(names(&["a", "b", "c"]), &rows).unwrap();
    let e = fit_multivariate(&sample, Covariance::Full, &FitOptions::default()).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::TooFewObservations {
            needed: 4,
            got: 3,
            ..
        }
    ));
    // Two rows suffice for the structures with d or one variance (the MLE exists).
    fit(&sample, Covariance::Diagonal);
    let constant: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0], 7.5]).collect();
    let sample = MultiSample::new(names(&["a", "k"]), &constant).unwrap();
    let e = fit_multivariate(&sample, Covariance::Diagonal, &FitOptions::default()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Degenerate { .. }));
    assert!(
        e.to_string()
            .contains("column k is constant (every value is 7.5)"),
        "{e}"
    );
    fit(&sample, Covariance::Spherical);
}

#[test]
fn missing_cells_follow_the_missing_value_policy() {
    let text = b"x,y,label\n1.5,2,a\n2.5,NA,b\n0.5,4.25,c\n3,3,d\n4,1,e\n";
    let select = [
        ColumnSelector::Name("x".into()),
        ColumnSelector::Name("2".into()),
    ];
    let e = read_columns(&text[..], "m.csv", &select, &CsvOptions::default()).unwrap_err();
    match e.kind() {
        ErrorKind::BadCell { at, value, problem } => {
            assert_eq!((at.line, at.column.as_str()), (3, "y"));
            assert_eq!((value.as_str(), *problem), ("NA", CellProblem::Missing));
        }
        k => panic!("{k:?}"),
    }
    let opts = CsvOptions {
        skip_missing: true,
        ..Default::default()
    };
    let table = read_columns(&text[..], "m.csv", &select, &opts).unwrap();
    assert_eq!(table.skipped_missing, 1);
    let sample = MultiSample::from_table(&table).unwrap();
    assert_eq!((sample.n(), sample.d()), (4, 2));
    assert_eq!(sample.row(1), &[0.5, 4.25]);
    assert_eq!(sample.line(1), Some(4));
    assert_eq!(sample.source(), Some("m.csv"));
    let f = fit(&sample, Covariance::Full);
    let (mean, _) = closed_form(&[
        vec![1.5, 2.0],
        vec![0.5, 4.25],
        vec![3.0, 3.0],
        vec![4.0, 1.0],
    ]);
    assert!((f.params.mean[1] - mean[1]).abs() < 1e-12);
}

// ---- the command line ----

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

fn measurements() -> Vec<Vec<f64>> {
    std::fs::read_to_string("data/measurements.csv")
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect()
}

#[test]
fn cli_json_has_a_mean_vector_and_a_covariance_matrix() {
    let out = mlfit()
        .args([
            "fit",
            "data/measurements.csv",
            "-f",
            "multivariate_normal",
            "-c",
            "length,width,height",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["family"], "multivariate_normal");
    assert_eq!(v["covariance_structure"], "full");
    assert_eq!(v["converged"], true);
    assert_eq!(v["n"], 300);
    assert_eq!(v["d"], 3);
    assert_eq!(v["k"], 9);
    assert_eq!(
        v["columns"],
        serde_json::json!(["length", "width", "height"])
    );
    let mean = v["params"]["mean"].as_array().unwrap();
    assert_eq!(mean.len(), 3);
    let cov = v["params"]["covariance"].as_array().unwrap();
    assert_eq!(cov.len(), 3);
    let (want_mean, want_cov) = closed_form(&measurements());
    for i in 0..3 {
        let row = cov[i].as_array().unwrap();
        assert_eq!(row.len(), 3);
        assert!(close(
            mean[i].as_f64().unwrap(),
            want_mean[i],
            1e-9,
            want_mean[i]
        ));
        for j in 0..3 {
            assert_eq!(row[j], cov[j][i], "symmetric");
            let scale = (want_cov[i][i] * want_cov[j][j]).sqrt();
            assert!(close(row[j].as_f64().unwrap(), want_cov[i][j], 1e-9, scale));
        }
    }
    // The output is a MultiFit.
    let f: MultiFit = serde_json::from_slice(&out.stdout).unwrap();
    assert!(f.std_errors.is_some() && f.aic > 0.0);
    // Without -c every column of this file is numeric: the same fit.
    let all = mlfit()
        .args([
            "fit",
            "data/measurements.csv",
            "-f",
            "mvn",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(all, out.stdout);
}

#[test]
fn cli_table_and_csv() {
    let out = mlfit()
        .args(["fit", "data/measurements.csv", "-f", "multivariate_normal"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(
        "multivariate_normal fit (full covariance) to data/measurements.csv, columns length, width, height (n = 300, d = 3)"
    ));
    for needle in [
        "  mean ",
        "  covariance ",
        "  correlation ",
        "AIC",
        "(k = 9)",
        "converged       yes",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    let out = mlfit()
        .args([
            "fit",
            "data/measurements.csv",
            "-f",
            "mvn",
            "--covariance",
            "diagonal",
            "-c",
            "1,3",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], mlfit::report::MULTIVARIATE_HEADER);
    assert_eq!(lines.len(), 1 + 2 + 4);
    assert!(lines[1].starts_with("multivariate_normal,diagonal,mean,length,,"));
    assert!(lines[4].starts_with("multivariate_normal,diagonal,covariance,length,height,0,,"));
    assert!(
        lines.iter().skip(1).all(|l| l.contains(",300,2,4,")),
        "n, d, k"
    );
}

#[test]
fn cli_picks_the_numeric_columns_and_notes_the_others() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"id,a,name,b\n1,0.5,x,2\n2,1.5,y,1\n3,1.0,z,4\n4,3.0,w,3\n")
        .unwrap();
    let out = mlfit()
        .args(["fit", "-f", "mvn", "--format", "json"])
        .arg(file.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["columns"], serde_json::json!(["id", "a", "b"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("non-numeric column left out: name"),
        "{stderr}"
    );
}

/// Expect failure with `code`, empty stdout, and one stderr line containing every needle.
fn fails(args: &[&str], stdin: &[u8], code: i32, needles: &[&str]) {
    let out = mlfit()
        .args(args)
        .write_stdin(stdin.to_vec())
        .assert()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{n:?} not in {stderr}");
    }
}

#[test]
fn cli_errors_and_exit_codes() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"x,y\n1,2\n2,3.5\n4,abc\n3,1\n").unwrap();
    let path = file.path().to_str().unwrap().to_string();
    fails(
        &["fit", &path, "-f", "mvn", "-c", "x,y"],
        b"",
        1,
        &[&path, "line 4, column y", "\"abc\" is not a number"],
    );
    let missing = b"x,y\n1,2\n2,\n4,7\n3,1\n5,5\n";
    fails(
        &["fit", "-f", "mvn"],
        missing,
        1,
        &["<stdin>: line 3, column y", "--skip-missing"],
    );
    let out = mlfit()
        .args(["fit", "-f", "mvn", "--skip-missing", "--format", "json"])
        .write_stdin(missing.to_vec())
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 4);
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped 1 row"));
    fails(
        &["fit", "-f", "mvn"],
        b"x,y,z\n1,2,3\n2,1,3\n4,7,11\n0.5,3,3.5\n3,3,6\n",
        1,
        &["column z is a linear combination of x, y"],
    );
    fails(
        &["fit", "-f", "mvn"],
        b"x,y,z\n1,2,3\n2,1,3\n4,7,12\n",
        1,
        &["too few observations", "needs at least 4, got 3"],
    );
    let csv = b"x,y\n1,2\n2,1\n4,7\n";
    fails(
        &["fit", "-f", "mvn,normal"],
        csv,
        2,
        &["cannot fit univariate (normal)"],
    );
    fails(
        &["fit", "-f", "normal", "--covariance", "diagonal"],
        csv,
        2,
        &["--covariance applies to multivariate families"],
    );
    fails(
        &["fit", "-f", "mvn", "-c", "x,q"],
        csv,
        2,
        &["no column \"q\""],
    );
    fails(&["fit", "-f", "mvn", "--fix", "mean=1"], csv, 2, &["--fix"]);
    fails(
        &["fit", "-f", "mvn", "--save", "m.json"],
        csv,
        2,
        &["--save"],
    );
}

#[test]
fn families_lists_the_multivariate_normal() {
    let out = mlfit()
        .arg("families")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("multivariate_normal  mean, covariance"),
        "{text}"
    );
    mlfit()
        .args(["families", "mvn"])
        .assert()
        .success()
        .stdout(predicates::str::contains("multivariate_normal"));
}
