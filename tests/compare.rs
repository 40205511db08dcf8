//! `mlfit compare`: ranking by held-out cross entropy, reproducibility, groups, failures.

use assert_cmd::Command;

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

fn compare_json(args: &[&str], stdin: Option<Vec<u8>>) -> serde_json::Value {
    let mut cmd = mlfit();
    cmd.arg("compare").args(args).args(["--format", "json"]);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn draws(family: &str, params: &str, n: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let names: Vec<&str> = params.split(',').collect();
    let f = mlfit::family::lookup(family).unwrap();
    let obj: serde_json::Map<String, serde_json::Value> = f
        .params()
        .iter()
        .zip(&names)
        .map(|(p, v)| {
            (
                p.name.to_string(),
                serde_json::json!(v.parse::<f64>().unwrap()),
            )
        })
        .collect();
    std::fs::write(
        &model,
        serde_json::json!({"family": family, "params": obj}).to_string(),
    )
    .unwrap();
    mlfit()
        .args([
            "sample",
            model.to_str().unwrap(),
            "-n",
            &n.to_string(),
            "--seed",
            "5",
        ])
        .output()
        .unwrap()
        .stdout
}

#[test]
fn the_generating_family_or_one_that_nests_it_ranks_first() {
    for (family, params, nesting) in [
        (
            "weibull",
            "1.7,3.0",
            vec!["weibull", "generalized_gamma", "gev"],
        ),
        (
            "lognormal",
            "1.0,0.5",
            vec!["lognormal", "generalized_gamma"],
        ),
        (
            "negative_binomial",
            "2.0,0.3",
            vec!["negative_binomial", "zero_inflated_negative_binomial"],
        ),
    ] {
        let v = compare_json(&[], Some(draws(family, params, 3000)));
        let first = v["groups"][0]["families"][0]["family"].as_str().unwrap();
        assert!(nesting.contains(&first), "{family}: {first} ranked first");
    }
}

#[test]
fn held_out_cross_entropy_is_reproducible_for_a_seed() {
    let a = compare_json(
        &["data/latency.csv", "-f", "gamma,lognormal", "--seed", "3"],
        None,
    );
    let b = compare_json(
        &["data/latency.csv", "-f", "gamma,lognormal", "--seed", "3"],
        None,
    );
    let c = compare_json(
        &["data/latency.csv", "-f", "gamma,lognormal", "--seed", "4"],
        None,
    );
    let held = |v: &serde_json::Value| {
        v["groups"][0]["families"][0]["heldout"]["cross_entropy"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(held(&a), held(&b));
    assert_ne!(held(&a), held(&c));
    let fam = &a["groups"][0]["families"][0];
    // Each entry extends the fit schema.
    for key in [
        "family",
        "params",
        "cross_entropy",
        "aic",
        "k",
        "cross_entropy_se",
        "aicc",
        "delta_aic",
        "akaike_weight",
        "kl_estimate",
    ] {
        assert!(!fam[key].is_null(), "{key}");
    }
    assert_eq!(
        a["groups"][0]["entropy_estimate"]["method"],
        "kozachenko_leonenko (k = 3), dequantised by ±0.000500"
    );
}

#[test]
fn discrete_and_continuous_families_are_ranked_apart_and_failures_stay() {
    let out = mlfit()
        .args([
            "compare",
            "data/counts.csv",
            "-f",
            "poisson,nbinom,normal,gamma",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("continuous families ranked by")
            && text.contains("discrete families ranked by"),
        "{text}"
    );
    assert!(text.contains("failed: gamma:"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on one scale"));
    let v = compare_json(&["data/counts.csv", "-f", "poisson,nbinom"], None);
    let group = &v["groups"][0];
    assert_eq!(group["kind"], "discrete");
    assert_eq!(group["margin"]["winner"], "negative_binomial");
    assert!(group["margin"]["std_error"].as_f64().unwrap() > 0.0);
    assert!(group["entropy_estimate"]["method"]
        .as_str()
        .unwrap()
        .contains("Miller-Madow"));
}
