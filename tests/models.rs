//! Models as files: `fit --save`, `eval`, `sample`, and their round trips.

use assert_cmd::Command;

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn save(dir: &tempfile::TempDir, name: &str, args: &[&str]) -> String {
    let path = dir.path().join(name).display().to_string();
    let out = mlfit().args(args).args(["--save", &path]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

#[test]
fn eval_on_the_training_data_reproduces_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    let model = save(
        &dir,
        "wind.json",
        &["fit", "data/wind_speed.csv", "-f", "weibull"],
    );
    let fit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(fit["mlfit_version"], env!("CARGO_PKG_VERSION"));
    let e = json(
        &mlfit()
            .args(["eval", &model, "data/wind_speed.csv", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert!(
        (e["cross_entropy"].as_f64().unwrap() - fit["cross_entropy"].as_f64().unwrap()).abs()
            < 1e-12
    );
    assert_eq!(e["n"], 1000);
    assert_eq!(e["outside"], 0);
    let se = e["std_error"].as_f64().unwrap();
    assert!(se > 0.005 && se < 0.05, "{se}");
    // The per-row log-likelihoods add up to the fit's.
    let out = mlfit()
        .args(["eval", &model, "data/wind_speed.csv", "--per-row"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let total: f64 = text
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - fit["log_likelihood"].as_f64().unwrap()).abs() < 1e-9);
    assert!(text.starts_with("line,value,log_likelihood\n2,8.72,"));
}

#[test]
fn fit_json_output_is_a_model_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    let out = mlfit()
        .args(["fit", "data/counts.csv", "-f", "nbinom", "--format", "json"])
        .output()
        .unwrap();
    std::fs::write(&path, &out.stdout).unwrap();
    let e = json(
        &mlfit()
            .args([
                "eval",
                path.to_str().unwrap(),
                "data/counts.csv",
                "--format",
                "json",
            ])
            .output()
            .unwrap(),
    );
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        (e["cross_entropy"].as_f64().unwrap() - f["cross_entropy"].as_f64().unwrap()).abs() < 1e-12
    );
}

#[test]
fn data_outside_the_support_give_infinite_cross_entropy() {
    let dir = tempfile::tempdir().unwrap();
    let model = save(&dir, "g.json", &["fit", "data/latency.csv", "-f", "gamma"]);
    let out = mlfit()
        .args(["eval", &model, "--format", "json"])
        .write_stdin("x\n1\n-2\n3\n-4\n")
        .output()
        .unwrap();
    let e = json(&out);
    assert!(
        e["cross_entropy"].is_null(),
        "infinite is written as null: {e}"
    );
    assert_eq!(e["outside"], 2);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("2 rows outside the support of the gamma model make the cross entropy infinite"));
}

#[test]
fn sample_then_fit_recovers_the_model() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        (
            "w.json",
            vec!["fit", "data/wind_speed.csv", "-f", "weibull"],
        ),
        (
            "p.json",
            vec!["fit", "data/counts.csv", "-f", "negative_binomial"],
        ),
        ("c.json", vec!["fit", "data/dice.csv", "-f", "categorical"]),
    ] {
        let model = save(&dir, name, &args);
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
        let draws = mlfit()
            .args(["sample", &model, "-n", "40000", "--seed", "7"])
            .output()
            .unwrap();
        assert!(draws.status.success());
        // The same seed gives the same draws; another seed does not.
        let again = mlfit()
            .args(["sample", &model, "-n", "40000", "--seed", "7"])
            .output()
            .unwrap();
        assert_eq!(draws.stdout, again.stdout);
        let other = mlfit()
            .args(["sample", &model, "-n", "40000", "--seed", "8"])
            .output()
            .unwrap();
        assert_ne!(draws.stdout, other.stdout);
        let family = m["family"].as_str().unwrap();
        let refit = json(
            &mlfit()
                .args(["fit", "-f", family, "--format", "json"])
                .write_stdin(draws.stdout)
                .output()
                .unwrap(),
        );
        let se = &refit["std_errors"];
        for (k, v) in m["params"].as_object().unwrap() {
            let (truth, est, s) = (
                v.as_f64().unwrap(),
                refit["params"][k].as_f64().unwrap(),
                se[k].as_f64().unwrap(),
            );
            assert!(
                (est - truth).abs() < 5.0 * s,
                "{family} {k}: {est} ± {s}, model {truth}"
            );
        }
    }
}

#[test]
fn sample_column_name_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.json");
    let out = mlfit()
        .args(["fit", "-f", "categorical", "--save", path.to_str().unwrap()])
        .write_stdin("c\nred\nblue\nred\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let draws = mlfit()
        .args([
            "sample",
            path.to_str().unwrap(),
            "-n",
            "50",
            "--name",
            "colour",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(draws.stdout).unwrap();
    assert!(text.starts_with("colour\n"));
    assert!(
        text.lines().skip(1).all(|l| l == "red" || l == "blue"),
        "{text}"
    );
    // A label the model never saw is outside its support.
    let e = json(
        &mlfit()
            .args(["eval", path.to_str().unwrap(), "--format", "json"])
            .write_stdin("c\nred\ngreen\n")
            .output()
            .unwrap(),
    );
    assert_eq!(e["outside"], 1);
}

#[test]
fn malformed_models_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[]", "a model is one JSON object"),
        ("{", "not a JSON model"),
        (r#"{"params": {}}"#, "model field `family`"),
        (
            r#"{"family": "weibul", "params": {}}"#,
            "did you mean \"weibull\"",
        ),
        (r#"{"family": "weibull"}"#, "model field `params`"),
        (
            r#"{"family": "weibull", "params": {"shape": 2}}"#,
            "weibull has parameters shape, scale",
        ),
        (
            r#"{"family": "weibull", "params": {"shape": "2", "scale": 1}}"#,
            "model field `params.shape`",
        ),
        (
            r#"{"family": "weibull", "params": {"shape": -2, "scale": 1}}"#,
            "shape = -2 is outside its domain",
        ),
    ];
    // Only `family` and `params` are required: a hand-written model is accepted.
    let minimal = dir.path().join("minimal.json");
    std::fs::write(
        &minimal,
        r#"{"family": "weibull", "params": {"shape": 2, "scale": 7}}"#,
    )
    .unwrap();
    let out = mlfit()
        .args(["eval", minimal.to_str().unwrap(), "data/wind_speed.csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (i, (text, needle)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.json"));
        std::fs::write(&path, text).unwrap();
        let out = mlfit()
            .args(["eval", path.to_str().unwrap(), "data/wind_speed.csv"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{text}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let out = mlfit()
        .args([
            "fit",
            "data/wind_speed.csv",
            "-f",
            "weibull,gamma",
            "--save",
            "x.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
