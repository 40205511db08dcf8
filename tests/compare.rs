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
    // The overdispersed counts are closer to the negative binomial in KS distance too.
    let ks = |name: &str| {
        group["families"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["family"] == name)
            .unwrap()["ks_distance"]
            .as_f64()
            .unwrap()
    };
    assert!(
        ks("negative_binomial") < 0.05 && ks("poisson") > 0.1,
        "{} {}",
        ks("negative_binomial"),
        ks("poisson")
    );
}

#[test]
fn nested_pairs_are_registered_and_really_nested() {
    use mlfit::family::{lookup, NESTED};
    let s = mlfit::Sample::new(lookup("gamma").unwrap().sample(
        &[1.4, 0.6],
        500,
        &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(3),
    ))
    .unwrap();
    for n in NESTED {
        let (small, big) = (lookup(n.small).unwrap(), lookup(n.big).unwrap());
        assert_eq!(
            small.support().is_discrete(),
            big.support().is_discrete(),
            "{} ⊂ {}",
            n.small,
            n.big
        );
        if small.support().is_discrete() || !big.support().contains(0.5) || small.name() == "normal"
        {
            continue;
        }
        let opts = mlfit::FitOptions::default();
        let (a, b) = (
            mlfit::fit(small, &s, &opts).unwrap(),
            mlfit::fit(big, &s, &opts).unwrap(),
        );
        assert!(
            b.log_likelihood >= a.log_likelihood - 1e-9,
            "{} ⊂ {}: {} > {}",
            n.small,
            n.big,
            a.log_likelihood,
            b.log_likelihood
        );
    }
}

/// Fraction of p-values ≤ 0.05 and ≤ 0.5 over seeded replicates of the null.
fn null_p_values(small: &str, big: &str, theta: &[f64], on_boundary: bool) -> (f64, f64) {
    use mlfit::family::lookup;
    let (fs, fb) = (lookup(small).unwrap(), lookup(big).unwrap());
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(2026);
    let reps = 300;
    let (mut below_05, mut below_5) = (0, 0);
    for _ in 0..reps {
        let s = mlfit::Sample::new(fs.sample(theta, 200, &mut rng)).unwrap();
        let opts = mlfit::FitOptions::default();
        let a = mlfit::fit(fs, &s, &opts).unwrap();
        // Under-dispersed Poisson draws have their negative binomial MLE at the Poisson limit.
        let lb = mlfit::fit(fb, &s, &opts)
            .map_or(a.log_likelihood, |b| b.log_likelihood.max(a.log_likelihood));
        let p = mlfit::compare::lrt_p_value(2.0 * (lb - a.log_likelihood), 1, on_boundary);
        below_05 += usize::from(p <= 0.05);
        below_5 += usize::from(p <= 0.5);
    }
    (below_05 as f64 / reps as f64, below_5 as f64 / reps as f64)
}

#[test]
fn likelihood_ratio_p_values_are_roughly_uniform_under_the_null() {
    // Interior null: exponential inside gamma, χ²₁.
    let (a, b) = null_p_values("exponential", "gamma", &[0.7], false);
    assert!(
        (0.02..=0.09).contains(&a) && (0.42..=0.58).contains(&b),
        "exponential ⊂ gamma: {a} {b}"
    );
    // Boundary null: Poisson inside the negative binomial (size → ∞), ½χ²₀ + ½χ²₁; without
    // the correction the 5% test would reject about half as often as it should.
    let (a, b) = null_p_values("poisson", "negative_binomial", &[3.0], true);
    assert!(
        (0.02..=0.09).contains(&a) && (0.42..=0.58).contains(&b),
        "poisson ⊂ nbinom: {a} {b}"
    );
}

#[test]
fn the_readme_comparison_is_what_compare_prints() {
    let out = mlfit()
        .args(["compare", "data/counts.csv"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&stdout),
        "README's comparison is stale; compare prints:\n{stdout}"
    );
}

/// Every numeric column of the shipped data sets, by file and column name.
const SHIPPED: &[(&str, &str)] = &[
    ("data/annual_maxima.csv", "year"),
    ("data/annual_maxima.csv", "max_flow"),
    ("data/conversions.csv", "converted"),
    ("data/counts.csv", "defects"),
    ("data/dc_voltage.csv", "voltage"),
    ("data/dice.csv", "roll"),
    ("data/exceedances.csv", "excess"),
    ("data/faithful.csv", "eruptions"),
    ("data/faithful.csv", "waiting"),
    ("data/incomes.csv", "income"),
    ("data/islands.csv", "area"),
    ("data/latency.csv", "latency_ms"),
    ("data/lynx.csv", "year"),
    ("data/lynx.csv", "trappings"),
    ("data/measurements.csv", "length"),
    ("data/proportions.csv", "share"),
    ("data/reaction_times.csv", "rt_s"),
    ("data/returns.csv", "log_return"),
    ("data/trials.csv", "successes"),
    ("data/wind_speed.csv", "speed_ms"),
    ("data/zeros.csv", "claims"),
];

#[test]
fn on_shipped_data_irregular_fits_get_no_weight_and_only_converged_fits_win() {
    for (file, column) in SHIPPED {
        let v = compare_json(&[file, "-c", column], None);
        for g in v["groups"].as_array().unwrap() {
            let families = g["families"].as_array().unwrap();
            let mut total = 0.0;
            for e in families {
                let what = format!("{file} {column}: {}", e["family"]);
                let weight = &e["akaike_weight"];
                let regular = e["no_weight"].is_null();
                if e["converged"].as_bool() == Some(true) && regular {
                    total += weight.as_f64().unwrap();
                } else {
                    assert!(weight.is_null(), "{what} has a weight: {e}");
                }
                // A KL divergence is never shown negative; with no entropy estimate there is none.
                match e["kl_estimate"].as_f64() {
                    Some(kl) => assert!(kl >= 0.0 && !g["entropy_estimate"].is_null(), "{what}"),
                    None => assert!(
                        !g["entropy_error"].is_null() || e["cross_entropy"].is_null(),
                        "{what}: no KL estimate without a reason"
                    ),
                }
                if e["termination"] == "boundary" {
                    assert!(e["rank"].is_null(), "{what}: a boundary fit is ranked");
                }
            }
            if total > 0.0 {
                assert!((total - 1.0).abs() < 1e-12, "{file} {column}: {total}");
            }
            // The first ranked family and the margin's winner converged.
            let first = families.iter().find(|e| !e["rank"].is_null()).unwrap();
            assert_eq!(first["rank"], 1);
            assert_eq!(first["converged"], true, "{file} {column}: {first}");
            if let Some(w) = g["margin"]["winner"].as_str() {
                let winner = families.iter().find(|e| e["family"] == w).unwrap();
                assert_eq!(winner["converged"], true, "{file} {column}: {w}");
            }
        }
    }
}

#[test]
fn boundary_fits_stand_beside_their_limit_and_ties_are_ties() {
    let v = compare_json(&["data/faithful.csv", "-c", "eruptions"], None);
    let families = v["groups"][0]["families"].as_array().unwrap();
    let at = |name: &str| families.iter().position(|e| e["family"] == name).unwrap();
    // Student-t runs to df → ∞: shown right after the normal, with no rank of its own.
    let t = &families[at("student_t")];
    assert_eq!(t["limit"], "normal");
    assert!(t["rank"].is_null() && t["akaike_weight"].is_null());
    assert_eq!(at("student_t"), at("normal") + 1);
    // The uniform's support is set by the data: no weight, whatever its AIC.
    let u = &families[at("uniform")];
    assert!(u["akaike_weight"].is_null() && u["delta_aic"].is_null());
    assert!(u["no_weight"].as_str().unwrap().contains("support"));
    // On the integer incomes the zero-inflated fit at pi → 0 does not win by 2e-9 nats.
    let v = compare_json(&["data/incomes.csv"], None);
    let g = &v["groups"][0];
    assert_eq!(g["margin"]["winner"], "negative_binomial");
    assert_eq!(g["families"][0]["family"], "negative_binomial");
    assert_eq!(g["families"][1]["limit"], "negative_binomial");
    // On the counts the zero-inflated negative binomial is within the paired standard error.
    let v = compare_json(&["data/counts.csv"], None);
    let g = &v["groups"][0];
    assert_eq!(g["margin"]["tie"], true);
    assert_eq!(g["families"][1]["rank"], 1);
    assert_eq!(g["families"][1]["tied_with_best"], true);
}

#[test]
fn the_kl_column_on_rounded_data_is_zero_for_the_true_family() {
    // Normal(10, 2) rounded to whole units: on the density scale the normal would look worse
    // than the data's entropy allows; on the recorded grid its KL is within noise of 0 and a
    // wrong family's is not.
    let xs: Vec<f64> = mlfit::family::lookup("normal")
        .unwrap()
        .sample(
            &[10.0, 2.0],
            3000,
            &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(8),
        )
        .iter()
        .map(|x| x.round() + 0.5) // half-integers: continuous families only
        .collect();
    let csv = format!(
        "x\n{}\n",
        xs.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let v = compare_json(&["-f", "normal,laplace"], Some(csv.into_bytes()));
    let g = &v["groups"][0];
    assert!(g["entropy_estimate"]["method"]
        .as_str()
        .unwrap()
        .starts_with("plug-in on the recorded grid"));
    let family = |name: &str| {
        g["families"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["family"] == name)
            .unwrap()
            .clone()
    };
    let (n, l) = (family("normal"), family("laplace"));
    let kl = |e: &serde_json::Value| {
        (
            e["kl_estimate"].as_f64().unwrap(),
            e["kl_std_error"].as_f64().unwrap(),
        )
    };
    let ((kn, sn), (kl_, sl)) = (kl(&n), kl(&l));
    assert!(kn <= 2.0 * sn, "normal: {kn} ± {sn}");
    assert!(kl_ > 4.0 * sl, "laplace: {kl_} ± {sl}");
}

#[test]
fn defaults_say_what_they_did() {
    // The default first column of annual_maxima.csv is the year: a hint names the data column.
    let out = mlfit()
        .args(["compare", "data/annual_maxima.csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("column year is the default first column")
            && stderr.contains("add -c max_flow"),
        "{stderr}"
    );
    for args in [
        ["compare", "data/annual_maxima.csv", "-c", "year"],
        ["compare", "data/counts.csv", "-f", "poisson"],
    ] {
        let out = mlfit().args(args).output().unwrap();
        assert!(!String::from_utf8_lossy(&out.stderr).contains("default first column"));
    }
    // A tail probability below the floating-point floor is a bound, not 0.
    let out = mlfit()
        .args(["compare", "data/incomes.csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("df 1, p < 1e-300 (boundary null") && !text.contains("p = 0 "),
        "{text}"
    );
    // A bootstrap p-value at its floor 1/(1 + replicates) is a bound too.
    let out = mlfit()
        .args([
            "fit",
            "data/faithful.csv",
            "-c",
            "eruptions",
            "-f",
            "normal",
            "--gof-bootstrap",
            "99",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("0.18156   ≤ 0.01\n"), "{text}");
    // JSON says which file and column it describes.
    let v = compare_json(
        &["data/faithful.csv", "-c", "waiting", "-f", "normal"],
        None,
    );
    assert_eq!(v["file"], "data/faithful.csv");
    assert_eq!(v["column"], "waiting");
    let v = compare_json(
        &["-f", "normal"],
        // Five rows: with four, the five folds leave nothing to fit and compare is an error.
        Some(b"x\n1.5\n2.25\n3.0\n0.5\n1.75\n".to_vec()),
    );
    assert_eq!(v["file"], "<stdin>");
    assert_eq!(v["column"], "x");
}

#[test]
fn bimodal_data_get_the_normal_mixture_by_default() {
    // Old Faithful's eruption times: the two-component mixture, fitted from several starts,
    // ranks first among the default candidates.
    let v = compare_json(&["data/faithful.csv", "-c", "eruptions"], None);
    let first = &v["groups"][0]["families"][0];
    assert_eq!(first["family"], "normal_mixture");
    assert!(first["kl_estimate"].as_f64().unwrap() >= 0.0);
    // A look-alike drawn from a two-normal mixture, recorded in whole seconds and printed in
    // minutes with three decimals: the mixture is the truth, so its KL is within noise of 0.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(12);
    let normal = mlfit::family::lookup("normal").unwrap();
    let mut xs = normal.sample(&[2.02, 0.24], 350, &mut rng);
    xs.extend(normal.sample(&[4.27, 0.44], 650, &mut rng));
    let csv = format!(
        "eruptions\n{}\n",
        xs.iter()
            .map(|x| format!("{:.3}", (x * 60.0).round() / 60.0))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let v = compare_json(&[], Some(csv.into_bytes()));
    let g = &v["groups"][0];
    let first = &g["families"][0];
    assert_eq!(first["family"], "normal_mixture");
    let (kl, se) = (
        first["kl_estimate"].as_f64().unwrap(),
        first["kl_std_error"].as_f64().unwrap(),
    );
    assert!(kl <= 2.0 * se && se < 0.05, "{kl} ± {se}");
    assert!((g["entropy_estimate"]["grid"]["step"].as_f64().unwrap() - 1.0 / 60.0).abs() < 1e-5);
}

#[test]
fn a_runner_up_with_an_infinite_criterion_is_named_not_printed_as_inf() {
    // The uniform's support ends at the sample's extremes, so the held-out folds fall outside
    // it: its held-out cross entropy is +∞.
    let out = mlfit()
        .args([
            "compare",
            "data/faithful.csv",
            "-c",
            "eruptions",
            "-f",
            "normal,uniform",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("best: normal over uniform, whose held-out cross entropy is infinite"),
        "{text}"
    );
    assert!(!text.contains("by inf"), "{text}");
}

#[test]
fn a_compare_in_which_every_family_fails_is_a_data_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("negative.csv");
    std::fs::write(&path, "x\n-1\n-2\n-3\n").unwrap();
    let out = mlfit()
        .args(["compare", path.to_str().unwrap(), "-f", "gamma,weibull"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("no family could be fitted to these data (2 tried); gamma: ")
            && err.contains("line 2, column x: value -1 is outside the support"),
        "{err}"
    );
}
