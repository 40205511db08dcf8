//! Finite mixtures (`src/mixture.rs`, `src/family/*_mixture.rs`):
//! - the objective in the optimiser's unconstrained (softmax) coordinates: gradient and Hessian
//!   against finite differences (property test), and a score with mean zero at the truth;
//! - recovery of well-separated normal, lognormal and Poisson mixtures from seeded samples;
//! - R's mclust on the Old Faithful eruptions (`tests/fixtures/mixture_reference.json`, made by
//!   `tests/fixtures/generate_mixture_reference.R`), for K = 2 and for the choice of K by BIC;
//! - determinism for a seed, degenerate data (a repeated value) rejected or flagged, never a
//!   clean fit with a collapsed component;
//! - large data: the starts screened on a quantile subsample, the same fit whatever the threads;
//! - uncertainty of one K: covariance with the weights' constraint, bootstrap replicates sorted
//!   by mean and reproducible whatever the threads;
//! - the command line (`mlfit fit -f normal_mixture --components …`).

mod common;

use assert_cmd::Command;
use common::rng;
use mlfit::family::{Constraint, Family};
use mlfit::mixture::{self, fit_mixture, MixtureFit, MixtureOptions, StartStatus};
use mlfit::objective::CrossEntropy;
use mlfit::optim::Objective;
use mlfit::{ErrorKind, Sample};
use proptest::prelude::*;
use rand::Rng;

fn family(name: &str, k: usize) -> Box<dyn Family> {
    mixture::with_components(mlfit::family::lookup(name).unwrap(), k).unwrap()
}

fn sample_of(f: &dyn Family, theta: &[f64], n: usize, seed: u64) -> Sample {
    Sample::new(f.sample(theta, n, &mut rng(seed))).unwrap()
}

fn faithful() -> Sample {
    let file = "data/faithful.csv";
    let sel = mlfit::data::csv::ColumnSelector::Name("eruptions".into());
    mlfit::data::csv::read_column(
        std::fs::File::open(file).unwrap(),
        file,
        &sel,
        &Default::default(),
    )
    .unwrap()
    .0
}

// ---------------------------------------------------------------------------------------------
// Unconstrained coordinates.

/// The objective's gradient and Hessian in u (softmax log-ratios for the weights, log for
/// positive and scaled shifts for real parameters) against central differences, with
/// Richardson extrapolation of steps h and h/2 (error O(h⁴)): at a random start far from the
/// data the derivatives of a narrow component are steep, and a plain central difference's
/// O(h²) error would exceed the tolerance.
fn check_objective(obj: &CrossEntropy, u: &[f64]) -> Result<(), String> {
    let m = obj.dim();
    let (mut g, mut h) = (vec![0.0; m], vec![0.0; m * m]);
    let f0 = obj.value_gradient_hessian(u, &mut g, &mut h);
    if !f0.is_finite() {
        return Err(format!("objective not finite at {u:?}"));
    }
    let moved = |a: usize, step: f64| {
        let mut v = u.to_vec();
        v[a] += step;
        v
    };
    let gradient_at = |v: &[f64]| {
        let mut out = vec![0.0; m];
        obj.value_gradient(v, &mut out);
        out
    };
    let e = 1e-4;
    for a in 0..m {
        let central =
            |step: f64| (obj.value(&moved(a, step)) - obj.value(&moved(a, -step))) / (2.0 * step);
        let fd = (4.0 * central(e / 2.0) - central(e)) / 3.0;
        if (fd - g[a]).abs() > 1e-6 * (1.0 + g[a].abs()) {
            return Err(format!(
                "gradient {a}: analytic {} vs fd {fd} at u = {u:?}",
                g[a]
            ));
        }
        let rows = |step: f64| {
            let (up, dn) = (gradient_at(&moved(a, step)), gradient_at(&moved(a, -step)));
            (0..m)
                .map(|b| (up[b] - dn[b]) / (2.0 * step))
                .collect::<Vec<f64>>()
        };
        let (coarse, fine) = (rows(e), rows(e / 2.0));
        for b in 0..m {
            let fd = (4.0 * fine[b] - coarse[b]) / 3.0;
            let an = h[a * m + b];
            if (fd - an).abs() > 1e-5 * (1.0 + an.abs()) {
                return Err(format!(
                    "Hessian {a},{b}: analytic {an} vs fd {fd} at u = {u:?}"
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn objective_gradient_and_hessian_in_softmax_coordinates(
        which in 0usize..5,
        seed in any::<u64>(),
    ) {
        let (name, k) = [
            ("normal_mixture", 2),
            ("normal_mixture", 3),
            ("lognormal_mixture", 2),
            ("poisson_mixture", 2),
            ("poisson_mixture", 3),
        ][which];
        let f = family(name, k);
        let mut r = rng(seed);
        let truth = f.typical_params();
        let s = sample_of(f.as_ref(), &truth, 60, seed ^ 0x5eed);
        let start = common::random_params(f.as_ref(), &mut r);
        let obj = CrossEntropy::new(f.as_ref(), &s, &start, &vec![None; start.len()], s.robust_scale());
        // The weights: K − 1 log-ratios; every other parameter one coordinate each.
        prop_assert_eq!(obj.dim(), start.len() - 1);
        let u: Vec<f64> = (0..obj.dim()).map(|_| r.random_range(-0.5..0.5)).collect();
        let theta = obj.natural(&u);
        let weights: f64 = f.params().iter().zip(&theta)
            .filter(|(p, _)| p.constraint == Constraint::Simplex).map(|(_, w)| w).sum();
        prop_assert!((weights - 1.0).abs() < 1e-14);
        if let Err(e) = check_objective(&obj, &u) {
            prop_assert!(false, "{} K={}: {}", name, k, e);
        }
    }
}

#[test]
fn the_score_has_mean_zero_in_softmax_coordinates() {
    // In natural coordinates a weight's score has mean 1 (tests/families.rs); through the
    // softmax the constraint is built in and every coordinate's score has mean zero.
    const N: usize = 40_000;
    for (name, k) in [("normal_mixture", 3), ("poisson_mixture", 2)] {
        let f = family(name, k);
        let theta = f.typical_params();
        let s = sample_of(f.as_ref(), &theta, N, 71);
        let obj = CrossEntropy::new(f.as_ref(), &s, &theta, &vec![None; theta.len()], 1.0);
        let u0 = vec![0.0; obj.dim()];
        let jac = obj.jacobian(&u0);
        let m = obj.dim();
        let mut sums = vec![(0.0, 0.0); m];
        let mut g = vec![0.0; theta.len()];
        for &x in s.values() {
            f.ln_density_derivs(&theta, x, Some(&mut g), None);
            for (a, sum) in sums.iter_mut().enumerate() {
                let su: f64 = (0..theta.len()).map(|i| g[i] * jac[(i, a)]).sum();
                sum.0 += su;
                sum.1 += su * su;
            }
        }
        for (a, (s1, s2)) in sums.iter().enumerate() {
            let mean = s1 / N as f64;
            let se = ((s2 / N as f64 - mean * mean) / N as f64).sqrt();
            assert!(
                mean.abs() < 5.0 * se,
                "{name} K={k}: E[score u{a}] = {mean} ± {se}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Recovery.

fn assert_recovers(name: &str, truth: &[f64], n: usize, seed: u64) -> MixtureFit {
    let k = truth.len() / if name == "poisson_mixture" { 2 } else { 3 };
    let f = family(name, k);
    let s = sample_of(f.as_ref(), truth, n, seed);
    let fitted = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap();
    assert!(fitted.fit.converged, "{name}: {:?}", fitted.fit.notes);
    assert!(fitted.starts_reaching_best >= 1);
    assert_eq!(
        fitted.degenerate_starts, 0,
        "{name}: {:?}",
        fitted.fit.notes
    );
    let se = fitted.fit.std_errors.clone().expect("standard errors");
    for (spec, (&t, est)) in f.params().iter().zip(truth.iter().zip(fitted.fit.theta())) {
        let s = se.get(spec.name).unwrap();
        assert!(
            (est - t).abs() < 4.0 * s,
            "{name} {}: {est} ± {s}, truth {t}",
            spec.name
        );
    }
    fitted
}

#[test]
fn recovers_two_well_separated_normals() {
    let f = assert_recovers("normal_mixture", &[0.3, 0.7, 0.0, 4.0, 1.0, 0.8], 3000, 1);
    // Well separated: every start finds the same maximum.
    assert_eq!(f.starts_reaching_best, f.starts, "{:?}", f.start_details);
}

#[test]
fn recovers_three_normals() {
    let f = assert_recovers(
        "normal_mixture",
        &[0.2, 0.5, 0.3, -4.0, 0.0, 5.0, 1.0, 0.7, 1.5],
        3000,
        2,
    );
    assert!(
        f.starts_reaching_best >= f.starts / 2,
        "{:?}",
        f.start_details
    );
}

#[test]
fn recovers_lognormal_and_poisson_mixtures() {
    assert_recovers(
        "lognormal_mixture",
        &[0.4, 0.6, 0.0, 1.5, 0.3, 0.25],
        3000,
        3,
    );
    assert_recovers("poisson_mixture", &[0.35, 0.65, 3.0, 15.0], 3000, 4);
    assert_recovers("poisson_mixture", &[0.3, 0.4, 0.3, 1.0, 9.0, 25.0], 3000, 5);
}

#[test]
fn components_come_out_sorted_whatever_the_truth_order() {
    // The truth lists the wide component at the larger mean first; the fit sorts by mean.
    let f = family("normal_mixture", 2);
    let s = sample_of(f.as_ref(), &[0.6, 0.4, 5.0, -1.0, 0.5, 1.0], 2000, 6);
    let fitted = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap();
    let t = fitted.fit.theta();
    assert!(t[2] < t[3], "{t:?}");
    assert!(
        (t[0] - 0.4).abs() < 0.05 && (t[1] - 0.6).abs() < 0.05,
        "{t:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Reference: R's mclust.

fn reference() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string("tests/fixtures/mixture_reference.json").unwrap())
        .unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn faithful_two_components_match_mclust() {
    let r = reference();
    let s = faithful();
    let f = family("normal_mixture", 2);
    let fitted = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap();
    assert!(fitted.fit.converged);
    let t = fitted.fit.theta();
    let ll = fitted.fit.log_likelihood;
    // mclust's EM continued to tol 1e-14 reaches the same maximum: ll to 1e-12 relative,
    // parameters to 1e-7.
    let polished = &r["k2"]["polished"];
    let ll_ref = polished["log_likelihood"].as_f64().unwrap();
    assert!(((ll - ll_ref) / ll_ref).abs() < 1e-12, "{ll} vs {ll_ref}");
    let want: Vec<f64> = ["weights", "means", "sds"]
        .iter()
        .flat_map(|key| numbers(&polished[*key]))
        .collect();
    for (a, b) in t.iter().zip(&want) {
        assert!((a - b).abs() < 1e-7 * b.abs().max(1.0), "{t:?} vs {want:?}");
    }
    assert!((fitted.fit.bic - polished["bic_mlfit"].as_f64().unwrap()).abs() < 1e-9);
    // mclust as a user runs it stops its EM at a relative change of 1e-5: its log-likelihood
    // is 1.3e-3 below the maximum (4.7e-6 relative) and its parameters are within 1e-3.
    let default = &r["k2"]["mclust"];
    let ll_mclust = default["log_likelihood"].as_f64().unwrap();
    assert!(ll >= ll_mclust);
    assert!(
        ((ll - ll_mclust) / ll_mclust).abs() < 1e-5,
        "{ll} vs {ll_mclust}"
    );
    let got: Vec<f64> = ["weights", "means", "sds"]
        .iter()
        .flat_map(|key| numbers(&default[*key]))
        .collect();
    for (a, b) in t.iter().zip(&got) {
        assert!((a - b).abs() < 1e-3, "{t:?} vs mclust {got:?}");
    }
    // Every one of the 10 starts reaches this maximum.
    assert_eq!(
        fitted.starts_reaching_best, 10,
        "{:?}",
        fitted.start_details
    );
}

#[test]
fn faithful_bic_choice_agrees_with_mclust() {
    let r = reference();
    let s = faithful();
    let sel = mixture::select(
        mlfit::family::lookup("normal_mixture").unwrap(),
        &s,
        1..=6,
        &MixtureOptions::default(),
    )
    .unwrap();
    // mclust's BIC over G = 1..6 (model V) picks 4 components, and so does mlfit: the margins
    // are small (ΔBIC 4.1 to K = 3 and 4.2 to K = 2).
    let chosen = r["bic_chosen_g"].as_u64().unwrap() as usize;
    assert_eq!(chosen, 4);
    assert_eq!(sel.chosen_k, chosen);
    assert_eq!(sel.fits.len(), 6);
    for (c, reference) in sel.fits.iter().zip(r["bic_over_g"].as_array().unwrap()) {
        let f = c.fit.as_ref().unwrap();
        assert!(f.fit.converged, "K = {}", c.components);
        // Several starts find a maximum at least as high as mclust's single EM run (higher
        // for K = 5 and 6, where mclust stops at a lower local maximum).
        let ll_mclust = reference["log_likelihood"].as_f64().unwrap();
        assert!(
            f.fit.log_likelihood >= ll_mclust - 1e-9,
            "K = {}: {} vs mclust {ll_mclust}",
            c.components,
            f.fit.log_likelihood
        );
        // mclust's BIC is 2ℓ − k ln n; mlfit's is k ln n − 2ℓ.
        let k = (3 * c.components - 1) as f64;
        assert!((f.fit.bic - (k * 272f64.ln() - 2.0 * f.fit.log_likelihood)).abs() < 1e-9);
    }
    assert_eq!(sel.fits[0].fit.as_ref().unwrap().fit.family, "normal");
}

// ---------------------------------------------------------------------------------------------
// Determinism and degenerate data.

#[test]
fn the_same_seed_gives_the_same_json_whatever_the_threads() {
    let f = family("normal_mixture", 3);
    let s = sample_of(
        f.as_ref(),
        &[0.3, 0.3, 0.4, 0.0, 2.5, 6.0, 1.0, 0.8, 1.2],
        800,
        8,
    );
    let options = MixtureOptions {
        seed: 42,
        ..MixtureOptions::default()
    };
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| serde_json::to_string(&fit_mixture(f.as_ref(), &s, &options).unwrap()))
            .unwrap()
    };
    let a = json(1);
    assert_eq!(a, json(2));
    assert_eq!(a, json(4));
    // Another seed runs other starts but reports the same maximum, in the same order.
    let other = fit_mixture(
        f.as_ref(),
        &s,
        &MixtureOptions {
            seed: 7,
            ..MixtureOptions::default()
        },
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["seed"], 42);
    for (name, x) in &other.fit.params.0 {
        let y = v["params"][name].as_f64().unwrap();
        assert!(
            (x - y).abs() < 1e-6 * y.abs().max(1.0),
            "{name}: {x} vs {y}"
        );
    }
}

/// n normal values around 0 and `spike` copies of 3.0 (and optionally a third cluster).
fn spiked(spike: usize, third: bool) -> Sample {
    let mut r = rng(11);
    let mut v = vec![3.0; spike];
    let normal = |r: &mut rand::rngs::StdRng, m: f64| {
        // Box–Muller keeps the test independent of rand_distr's algorithms.
        let (u1, u2): (f64, f64) = (r.random_range(1e-12..1.0), r.random());
        m + (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    };
    v.extend((0..240).map(|_| normal(&mut r, 0.0)));
    if third {
        v.extend((0..100).map(|_| normal(&mut r, 6.0)));
    }
    Sample::new(v).unwrap()
}

#[test]
fn a_component_on_a_repeated_value_is_never_a_clean_fit() {
    // 60 copies of one value: a component there with sd → 0 makes the likelihood unbounded.
    // With two components every start collapses onto it: an error that says so.
    let f = family("normal_mixture", 2);
    let e = fit_mixture(f.as_ref(), &spiked(60, false), &MixtureOptions::default()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Degenerate { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("collapsed onto the single value mean2 = 3"),
        "{e}"
    );

    // With a third cluster some starts find a proper local maximum: it is returned, flagged by
    // a note, and the collapsed starts are counted and named.
    let f = family("normal_mixture", 3);
    let s = spiked(60, true);
    let fitted = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap();
    assert!(fitted.degenerate_starts > 0);
    assert!(
        fitted
            .fit
            .notes
            .iter()
            .any(|n| n.contains("rejected as degenerate")),
        "{:?}",
        fitted.fit.notes
    );
    let spread = s.summary().variance.sqrt();
    for (_, _, sd) in fitted.components() {
        assert!(sd.unwrap() > 1e-3 * spread, "{:?}", fitted.fit.params);
    }
    let degenerate = fitted
        .start_details
        .iter()
        .filter(|d| d.status == StartStatus::Degenerate)
        .count();
    assert_eq!(degenerate, fitted.degenerate_starts);
    assert!(fitted
        .start_details
        .iter()
        .filter(|d| d.status == StartStatus::Degenerate)
        .all(|d| d.reason.as_deref().is_some_and(|r| r.contains("collapsed"))));
}

#[test]
fn too_few_distinct_values_and_bad_options_are_errors() {
    let f = family("normal_mixture", 3);
    let s = Sample::new(vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 2.0, 3.0]).unwrap();
    let e = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap_err();
    assert!(e.to_string().contains("3 distinct values"), "{e}");
    let s = faithful();
    let fixed = MixtureOptions {
        fit: mlfit::FitOptions {
            fixed: vec![("mean1".into(), 2.0)],
            ..Default::default()
        },
        ..MixtureOptions::default()
    };
    assert!(fit_mixture(f.as_ref(), &s, &fixed).unwrap_err().is_usage());
    let normal = mlfit::family::lookup("normal").unwrap();
    assert!(fit_mixture(normal, &s, &MixtureOptions::default())
        .unwrap_err()
        .is_usage());
    assert!(mixture::with_components(f.as_ref(), 0).is_err());
}

// ---------------------------------------------------------------------------------------------
// Large data and uncertainty.

#[test]
fn large_data_are_screened_on_a_subsample_and_fit_the_same_whatever_the_threads() {
    // 30 000 distinct values: more than mixture::SCREEN_ABOVE, and several blocks of rows in
    // every pass over the data.
    let f = family("normal_mixture", 2);
    let truth = [0.35, 0.65, 2.0, 4.3, 0.25, 0.45];
    let s = sample_of(f.as_ref(), &truth, 30_000, 12);
    let json = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let fitted = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap();
                (serde_json::to_string(&fitted).unwrap(), fitted)
            })
    };
    let (a, fitted) = json(1);
    assert_eq!(a, json(2).0);
    assert_eq!(a, json(3).0);
    assert!(fitted.fit.converged, "{:?}", fitted.fit.notes);
    assert_eq!(fitted.screened_on, Some(mixture::SCREEN_POINTS));
    // Every start's screening solution is the same point: one polish, shared by all.
    assert_eq!(
        fitted.starts_reaching_best, 10,
        "{:?}",
        fitted.start_details
    );
    assert!(fitted
        .fit
        .notes
        .iter()
        .any(|n| n.contains("quantile subsample")));
    let se = fitted.fit.std_errors.clone().unwrap();
    for (spec, (&t, est)) in f.params().iter().zip(truth.iter().zip(fitted.fit.theta())) {
        let e = se.get(spec.name).unwrap();
        assert!(
            (est - t).abs() < 4.0 * e,
            "{}: {est} ± {e}, truth {t}",
            spec.name
        );
    }
    // The certified maximum is the one plain EM converges to on the full data.
    let plain = mlfit::fit(
        f.as_ref(),
        &s,
        &mlfit::FitOptions {
            start: Some(fitted.fit.theta()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!((plain.log_likelihood - fitted.fit.log_likelihood).abs() < 1e-9 * 30_000.0);
}

#[test]
fn bootstrap_replicates_keep_the_components_in_mean_order() {
    // A narrow component inside a wide one, their means close: warm-started at θ̂, about one
    // refit in six moves one mean past the other. Every replicate is sorted by mean, so each
    // column is one component (the reported order).
    let f = family("normal_mixture", 2);
    let s = sample_of(f.as_ref(), &[0.6, 0.4, 0.0, 0.15, 1.0, 0.3], 800, 13);
    let fitted = fit_mixture(f.as_ref(), &s, &MixtureOptions::default()).unwrap();
    assert!(fitted.fit.converged);
    let b = mlfit::inference::bootstrap::bootstrap(
        f.as_ref(),
        &s,
        &fitted.fit,
        &mlfit::inference::bootstrap::BootstrapOptions {
            replicates: 100,
            seed: 5,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap();
    assert_eq!(b.parameters, ["w1", "w2", "mean1", "mean2", "sd1", "sd2"]);
    assert!(b.successful() > 50, "{:?}", b.notes);
    for row in &b.estimates {
        assert!(row[2] <= row[3], "{row:?}");
        assert!((row[0] + row[1] - 1.0).abs() < 1e-12, "{row:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Command line.

fn mlfit() -> Command {
    Command::cargo_bin("mlfit").unwrap()
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = mlfit()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

const FAITHFUL: [&str; 6] = [
    "fit",
    "data/faithful.csv",
    "-c",
    "eruptions",
    "-f",
    "normal_mixture",
];

#[test]
fn cli_fits_k_components_with_the_starts_record() {
    let v = run_json(&[&FAITHFUL[..], &["--components", "2"]].concat());
    assert_eq!(v["family"], "normal_mixture");
    assert_eq!(v["components"], 2);
    assert_eq!(v["starts"], 10);
    assert_eq!(v["seed"], 1);
    assert_eq!(v["starts_reaching_best"], 10);
    assert_eq!(v["start_details"].as_array().unwrap().len(), 10);
    assert_eq!(v["converged"], true);
    let p = &v["params"];
    assert!(p["mean1"].as_f64().unwrap() < p["mean2"].as_f64().unwrap());
    let names: Vec<&String> = p.as_object().unwrap().keys().collect();
    assert_eq!(names, ["w1", "w2", "mean1", "mean2", "sd1", "sd2"]);
    // 3K − 1 = 5 parameters in AIC.
    let ll = v["log_likelihood"].as_f64().unwrap();
    assert!((v["aic"].as_f64().unwrap() - (10.0 - 2.0 * ll)).abs() < 1e-9);

    let out = mlfit()
        .args(FAITHFUL)
        .args(["--components", "2"])
        .assert()
        .success();
    let table = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(table.contains("2 components, sorted by mean"), "{table}");
    assert!(
        table.contains("starts          10 (seed 1), reaching best: 10"),
        "{table}"
    );

    let out = mlfit()
        .args(FAITHFUL)
        .args(["--components", "3", "--format", "csv", "--starts", "4"])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("family,components,parameter,estimate"));
    assert_eq!(lines.count(), 9);
}

#[test]
fn cli_auto_picks_by_bic_and_shows_every_k() {
    let v = run_json(&[&FAITHFUL[..], &["--components", "auto"]].concat());
    assert_eq!(v["criterion"], "bic");
    assert_eq!(v["chosen_k"], 4);
    let fits = v["fits"].as_array().unwrap();
    assert_eq!(fits.len(), 6);
    assert_eq!(fits[3]["delta_bic"], 0.0);
    assert_eq!(fits[0]["fit"]["family"], "normal");
    let out = mlfit()
        .args(FAITHFUL)
        .args(["--components", "2..3"])
        .assert()
        .success();
    let table = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        table.contains("2 to 3 components, chosen by BIC"),
        "{table}"
    );
    assert!(table.contains("← chosen"), "{table}");
    assert!(
        table.contains("chosen: 3 components (lowest BIC)"),
        "{table}"
    );
}

#[test]
fn cli_is_deterministic_and_the_saved_model_loads() {
    let args = [&FAITHFUL[..], &["--components", "3", "--seed", "5"]].concat();
    let a = mlfit()
        .args(&args)
        .args(["--format", "json"])
        .assert()
        .success();
    let b = mlfit()
        .args(&args)
        .args(["--format", "json"])
        .assert()
        .success();
    assert_eq!(a.get_output().stdout, b.get_output().stdout);

    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("mix.json");
    mlfit()
        .args(&args)
        .args(["--save", model.to_str().unwrap()])
        .assert()
        .success();
    let out = mlfit()
        .args([
            "eval",
            model.to_str().unwrap(),
            "data/faithful.csv",
            "-c",
            "eruptions",
        ])
        .args(["--format", "json"])
        .assert()
        .success();
    let e: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let ce = e["cross_entropy"].as_f64().unwrap();
    assert!(
        (ce - saved["cross_entropy"].as_f64().unwrap()).abs() < 1e-12,
        "{e}"
    );
    mlfit()
        .args(["sample", model.to_str().unwrap(), "-n", "5", "--seed", "1"])
        .assert()
        .success();
}

#[test]
fn cli_usage_errors() {
    let code = |args: &[&str]| {
        mlfit()
            .args(args)
            .assert()
            .failure()
            .get_output()
            .status
            .code()
    };
    let base = ["fit", "data/faithful.csv", "-c", "eruptions"];
    for (extra, why) in [
        (
            &["-f", "normal", "--components", "2"][..],
            "components on a plain family",
        ),
        (
            &["-f", "normal_mixture,normal"][..],
            "a mixture with another family",
        ),
        (
            &["-f", "normal_mixture", "--components", "0"][..],
            "zero components",
        ),
        (
            &["-f", "normal_mixture", "--components", "4..2"][..],
            "an empty range",
        ),
        (
            &["-f", "normal_mixture", "--fix", "mean1=2"][..],
            "a fixed parameter",
        ),
        (&["-f", "normal_mixture", "--starts", "0"][..], "no starts"),
        (
            &[
                "-f",
                "normal_mixture",
                "--components",
                "auto",
                "--se",
                "all",
            ][..],
            "uncertainty for a range of K",
        ),
        (
            &[
                "-f",
                "normal_mixture",
                "--components",
                "2..3",
                "--bootstrap",
                "9",
            ][..],
            "a bootstrap for a range of K",
        ),
    ] {
        assert_eq!(code(&[&base[..], extra].concat()), Some(2), "{why}");
    }
    let out = mlfit()
        .args(base)
        .args([
            "-f",
            "normal_mixture",
            "--components",
            "auto",
            "--se",
            "all",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("--se needs one number of components, not a range (1..6)"),
        "{stderr}"
    );
    // Negative counts are outside a Poisson mixture's support: a data error.
    mlfit()
        .args(["fit", "-", "-f", "poisson_mixture"])
        .write_stdin("x\n1\n-2\n3\n")
        .assert()
        .code(1);
}

/// `text` with the mean score at the optimum (rounding noise, ~1e-15, which moves with any
/// change to the order of a floating-point sum) replaced by `…`.
fn without_rounding_noise(text: &str) -> String {
    text.lines()
        .map(
            |line| match (line.find("mean score "), line.find(" (≤ tolerance)")) {
                (Some(a), Some(b)) if a < b => format!("{}…{}", &line[..a + 11], &line[b..]),
                _ => line.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readme_mixture_examples_are_what_fit_prints() {
    let readme = without_rounding_noise(&std::fs::read_to_string("README.md").unwrap());
    let stdout = |extra: &[&str]| {
        let out = mlfit().args(FAITHFUL).args(extra).assert().success();
        without_rounding_noise(&String::from_utf8(out.get_output().stdout.clone()).unwrap())
    };
    let k2 = stdout(&[]);
    assert!(
        readme.contains(&k2),
        "README's mixture example is stale; fit prints:\n{k2}"
    );
    let auto = stdout(&["--components", "auto"]);
    let head = auto.split("\n\nchosen:").next().unwrap();
    assert!(
        readme.contains(head),
        "README's BIC table is stale; fit prints:\n{head}"
    );
}

#[test]
fn cli_uncertainty_of_one_k() {
    let args = [
        &FAITHFUL[..],
        &[
            "--components",
            "2",
            "--se",
            "all",
            "--ci",
            "0.95",
            "--bootstrap",
            "200",
            "--seed",
            "3",
            "--format",
            "json",
        ],
    ]
    .concat();
    let run = |threads: &str| {
        mlfit()
            .args(&args)
            .env("RAYON_NUM_THREADS", threads)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let one = run("1");
    assert_eq!(
        one,
        run("2"),
        "the bootstrap depends on the number of threads"
    );
    let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(v["converged"], true);
    assert_eq!(v["components"], 2);
    let u = &v["uncertainty"];
    // w2 = 1 − w1: the same standard error, whichever information it comes from.
    for kind in ["observed", "expected", "sandwich"] {
        let se = &u["covariance"][kind]["std_errors"];
        let (w1, w2) = (se["w1"].as_f64().unwrap(), se["w2"].as_f64().unwrap());
        assert!(
            w1 > 0.0 && (w1 - w2).abs() < 1e-10 * w1,
            "{kind}: {w1} vs {w2}"
        );
    }
    // The observed-information errors are the fit's own.
    for (name, se) in v["std_errors"].as_object().unwrap() {
        let c = u["covariance"]["observed"]["std_errors"][name]
            .as_f64()
            .unwrap();
        assert!((c - se.as_f64().unwrap()).abs() < 1e-9 * c, "{name}");
    }
    let intervals = u["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 6);
    for i in intervals {
        let name = i["parameter"].as_str().unwrap();
        let (lo, hi) = (i["lower"].as_f64().unwrap(), i["upper"].as_f64().unwrap());
        let est = v["params"][name].as_f64().unwrap();
        assert_eq!(i["estimate"].as_f64().unwrap(), est);
        assert!(lo < est && est < hi, "{name}: {est} not in [{lo}, {hi}]");
    }
    let b = &u["bootstrap"];
    assert_eq!(b["replicates"], 200);
    assert_eq!(b["seed"], 3);
    assert_eq!(b["failed"], 0, "{b}");
    let bse = &b["std_errors"];
    let (w1, w2) = (bse["w1"].as_f64().unwrap(), bse["w2"].as_f64().unwrap());
    assert!((w1 - w2).abs() < 1e-9 * w1, "{w1} vs {w2}");
    // The bootstrap agrees with the sandwich within its Monte Carlo error (200 replicates:
    // about 5%), component by component: the replicates line up.
    for name in ["mean1", "mean2", "sd1", "sd2"] {
        let boot = bse[name].as_f64().unwrap();
        let sandwich = u["covariance"]["sandwich"]["std_errors"][name]
            .as_f64()
            .unwrap();
        assert!(
            (boot / sandwich - 1.0).abs() < 0.25,
            "{name}: {boot} vs {sandwich}"
        );
    }

    // The table shows the same analysis under the fit; a profile interval for a weight falls
    // back to Wald on the logit scale, with a note.
    let out = mlfit()
        .args(FAITHFUL)
        .args(["--ci", "0.95", "--ci-method", "profile"])
        .assert()
        .success();
    let table = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(table.contains("95% intervals"), "{table}");
    assert!(
        table.contains("note (w1): no profile interval: w1 is a weight"),
        "{table}"
    );
    let mean1 = table
        .lines()
        .find(|l| l.trim_start().starts_with("mean1 ") && l.contains('['))
        .unwrap();
    assert!(mean1.contains("profile likelihood"), "{table}");
}
