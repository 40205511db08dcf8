//! Bootstrap, confidence intervals and goodness-of-fit tests (src/inference/{bootstrap,
//! intervals,gof}.rs): reproducibility, exact profiles, BCa against an exact interval, EDF
//! statistics by their defining integrals, p-value calibration, and a published Weibull example.

use mlfit::family::{lookup, Family};
use mlfit::inference::bootstrap::{
    bootstrap, replicate, Bootstrap, BootstrapKind, BootstrapOptions,
};
use mlfit::inference::gof::{
    gof_test, GofOptions, GoodnessOfFit, ANDERSON_DARLING, CRAMER_VON_MISES, KOLMOGOROV_SMIRNOV,
    PEARSON_CHI_SQUARED,
};
use mlfit::inference::intervals::{
    bca, percentile, profile, profile_parameter, wald_intervals, Interval, IntervalMethod,
    WaldScale,
};
use mlfit::{fit, Fit, FitOptions, Sample};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

fn no_progress(_: usize) {}

fn draw(family: &str, theta: &[f64], n: usize, seed: u64) -> Sample {
    let xs = lookup(family)
        .unwrap()
        .sample(theta, n, &mut StdRng::seed_from_u64(seed));
    Sample::new(xs).unwrap()
}

fn fitted(family: &str, s: &Sample) -> (&'static dyn Family, Fit) {
    let f = lookup(family).unwrap();
    let fitted = fit(f, s, &FitOptions::default()).unwrap();
    assert!(fitted.converged, "{family}: {:?}", fitted.termination);
    (f, fitted)
}

fn options(kind: BootstrapKind, replicates: usize, seed: u64) -> BootstrapOptions {
    BootstrapOptions {
        kind,
        replicates,
        seed,
        fit: FitOptions::default(),
    }
}

fn run(family: &dyn Family, s: &Sample, f: &Fit, o: &BootstrapOptions) -> Bootstrap {
    bootstrap(family, s, f, o, &no_progress).unwrap()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

#[test]
fn bootstrap_is_reproducible_for_a_seed_whatever_the_threads() {
    // Gamma needs a Newton refit per replicate (not a closed form).
    let s = draw("gamma", &[2.5, 0.8], 60, 11);
    let (gamma, f) = fitted("gamma", &s);
    for kind in [BootstrapKind::Nonparametric, BootstrapKind::Parametric] {
        let o = options(kind, 200, 42);
        let default = run(gamma, &s, &f, &o);
        let one = pool(1).install(|| run(gamma, &s, &f, &o));
        let two = pool(2).install(|| run(gamma, &s, &f, &o));
        assert_eq!(default, one, "{kind:?}");
        assert_eq!(one, two, "{kind:?}");
        assert_eq!(default.failed, 0);
        assert_eq!(default.estimates.len(), 200);
        assert_eq!(default.parameters, ["shape", "rate"]);
        let other = run(gamma, &s, &f, &options(kind, 200, 43));
        assert_ne!(other.estimates, default.estimates);
        // Replicates vary around θ̂ (not copies of it).
        let shapes = default.column("shape").unwrap();
        assert!(shapes.iter().any(|v| (v - f.theta()[0]).abs() > 1e-3));
    }
}

#[test]
fn failed_refits_are_counted_exactly() {
    // A normal fit to {1, 1, 1, 1, 2}: a resample of five 1s is constant and has no MLE.
    // The failures must be exactly the constant resamples, which the engine's streams let us
    // recount independently (each replicate draws its rows with random_range(0..5) in order).
    let values = [1.0, 1.0, 1.0, 1.0, 2.0];
    let s = Sample::new(values.to_vec()).unwrap();
    let (normal, f) = fitted("normal", &s);
    let o = options(BootstrapKind::Nonparametric, 400, 5);
    let b = run(normal, &s, &f, &o);
    let constant = replicate(400, 5, &no_progress, |_, rng| {
        let rows: Vec<usize> = (0..5).map(|_| rng.random_range(0..5)).collect();
        rows.iter().all(|&i| values[i] == 1.0)
    })
    .into_iter()
    .filter(|&c| c)
    .count();
    eprintln!("constant resamples {constant} of 400 (expected 0.8^5 = 32.8%)");
    assert_eq!(b.failed, constant);
    assert!((100..165).contains(&constant), "{constant}");
    assert_eq!(b.failed + b.estimates.len(), 400);
    assert!(b.notes[0].contains("failed"), "{:?}", b.notes);
    // The successful replicates never include the degenerate ones: every sd estimate > 0.
    assert!(b.column("sd").unwrap().iter().all(|&sd| sd > 0.0));
}

#[test]
fn bootstrap_standard_error_of_the_normal_mean() {
    let s = draw("normal", &[10.0, 2.0], 100, 3);
    let (normal, f) = fitted("normal", &s);
    let exact = f.params.get("sd").unwrap() / 10.0;
    for kind in [BootstrapKind::Nonparametric, BootstrapKind::Parametric] {
        let b = run(normal, &s, &f, &options(kind, 2000, 8));
        let ratio = b.std_errors[0] / exact;
        eprintln!("{kind:?}: bootstrap se(mean) / (sd/√n) = {ratio:.4}");
        assert!((ratio - 1.0).abs() < 0.1, "{kind:?}: {ratio}");
        if kind == BootstrapKind::Parametric {
            // The sd's se under the model, σ̂/√(2n) (the non-parametric one follows the sample
            // kurtosis instead).
            let ratio_sd = b.std_errors[1] / (f.params.get("sd").unwrap() / 200f64.sqrt());
            eprintln!("{kind:?}: bootstrap se(sd) / (sd/√(2n)) = {ratio_sd:.4}");
            assert!((ratio_sd - 1.0).abs() < 0.1, "{kind:?}: {ratio_sd}");
        }
    }
}

#[test]
fn weights_and_per_row_trials_travel_with_their_rows() {
    let mut rng = StdRng::seed_from_u64(21);
    let trials: Vec<f64> = (0..80).map(|_| rng.random_range(5..30) as f64).collect();
    let counts: Vec<f64> = trials
        .iter()
        .map(|&t| {
            (0..t as usize)
                .filter(|_| rng.random::<f64>() < 0.3)
                .count() as f64
        })
        .collect();
    let s = Sample::new(counts).unwrap().with_trials(trials).unwrap();
    let (binomial, f) = fitted("binomial", &s);
    let p_hat = f.params.get("prob").unwrap();
    // The parametric bootstrap follows the model's se √(p(1 − p)/Σt); the non-parametric one
    // the rows' own spread, √Σ(kᵢ − p̂tᵢ)² / Σt.
    let total: f64 = s.trials().unwrap().iter().sum();
    let model_se = f.std_errors.as_ref().unwrap().get("prob").unwrap();
    let rows_se = (0..s.len())
        .map(|i| (s.values()[i] - p_hat * s.trials().unwrap()[i]).powi(2))
        .sum::<f64>()
        .sqrt()
        / total;
    for (kind, se) in [
        (BootstrapKind::Nonparametric, rows_se),
        (BootstrapKind::Parametric, model_se),
    ] {
        let b = run(binomial, &s, &f, &options(kind, 1000, 2));
        assert_eq!(
            (b.failed, b.parameters.as_slice()),
            (0, &["prob".to_string()][..])
        );
        let ratio = b.std_errors[0] / se;
        eprintln!("binomial, per-row trials, {kind:?}: se ratio {ratio:.4}");
        assert!((ratio - 1.0).abs() < 0.1, "{kind:?}: {ratio}");
    }
    // Frequency weights: a weighted sample's rows are the sampling units; the bootstrap se
    // of the mean follows the weighted sd over √(number of rows), here with weights 1 and 3.
    let s = draw("normal", &[0.0, 1.0], 200, 4);
    let w: Vec<f64> = (0..200)
        .map(|i| if i % 2 == 0 { 1.0 } else { 3.0 })
        .collect();
    let s = s.with_weights(w).unwrap();
    let (normal, f) = fitted("normal", &s);
    let b = run(
        normal,
        &s,
        &f,
        &options(BootstrapKind::Nonparametric, 1000, 6),
    );
    assert_eq!(b.failed, 0);
    // Var(Σwx/Σw) over rows drawn with replacement ≈ Σ w²(x − x̄)² / (Σw)².
    let (xs, mean) = (s.values(), f.params.get("mean").unwrap());
    let num: f64 = (0..200)
        .map(|i| (s.weight(i) * (xs[i] - mean)).powi(2))
        .sum();
    let delta = num.sqrt() / 400.0;
    let ratio = b.std_errors[0] / delta;
    eprintln!("weighted normal mean: se ratio {ratio:.4}");
    assert!((ratio - 1.0).abs() < 0.1, "{ratio}");
}

// ---------------------------------------------------------------------------------------------
// Intervals

/// Bisection for the root of g on [a, b] (g(a), g(b) of opposite signs).
fn bisect(g: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let ga = g(a);
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if (g(m) > 0.0) == (ga > 0.0) {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

fn chi2_95() -> f64 {
    ChiSquared::new(1.0).unwrap().inverse_cdf(0.95)
}

#[test]
fn exponential_profile_interval_is_the_exact_profile() {
    // ℓ(λ) = n ln λ − λ Σx, so 2(ℓ̂ − ℓ(λ)) = 2n (r − 1 − ln r) with r = λ/λ̂.
    let s = draw("exponential", &[0.7], 25, 9);
    let (exponential, f) = fitted("exponential", &s);
    let rate = f.theta()[0];
    let n = 25.0;
    let c = chi2_95();
    let g = |r: f64| 2.0 * n * (r - 1.0 - r.ln()) - c;
    let (lo, hi) = (rate * bisect(g, 1e-3, 1.0), rate * bisect(g, 1.0, 10.0));
    let p = profile(exponential, &s, &f, 0.95, &FitOptions::default()).unwrap();
    assert_eq!(p.len(), 1);
    let i = &p[0];
    eprintln!(
        "exponential profile [{}, {}] exact [{lo}, {hi}]",
        i.lower, i.upper
    );
    assert_eq!(i.method, IntervalMethod::Profile);
    assert!(i.note.is_none(), "{:?}", i.note);
    assert!(((i.lower - lo) / lo).abs() < 1e-7, "{} vs {lo}", i.lower);
    assert!(((i.upper - hi) / hi).abs() < 1e-7, "{} vs {hi}", i.upper);
}

#[test]
fn normal_profile_intervals_are_exact() {
    // With σ profiled out, 2(ℓ̂ − ℓ_p(μ)) = n ln(1 + (μ − x̄)²/σ̂²), so the limits are
    // x̄ ± σ̂ √(e^{c/n} − 1); with μ profiled out, 2(ℓ̂ − ℓ_p(σ)) = n (r − 1 − ln r), r = σ̂²/σ².
    let s = draw("normal", &[-3.0, 0.5], 30, 17);
    let (normal, f) = fitted("normal", &s);
    let (mean, sd) = (f.theta()[0], f.theta()[1]);
    let (n, c) = (30.0, chi2_95());
    let half = sd * ((c / n).exp() - 1.0).sqrt();
    let g = |r: f64| n * (r - 1.0 - r.ln()) - c;
    // r > 1 is the lower σ limit.
    let (sd_lo, sd_hi) = (
        sd / bisect(g, 1.0, 10.0).sqrt(),
        sd / bisect(g, 1e-3, 1.0).sqrt(),
    );
    let p = profile(normal, &s, &f, 0.95, &FitOptions::default()).unwrap();
    let (m, v) = (&p[0], &p[1]);
    assert!(
        ((m.lower - (mean - half)) / sd).abs() < 1e-7,
        "{} vs {}",
        m.lower,
        mean - half
    );
    assert!(
        ((m.upper - (mean + half)) / sd).abs() < 1e-7,
        "{} vs {}",
        m.upper,
        mean + half
    );
    assert!(
        ((v.lower - sd_lo) / sd_lo).abs() < 1e-7,
        "{} vs {sd_lo}",
        v.lower
    );
    assert!(
        ((v.upper - sd_hi) / sd_hi).abs() < 1e-7,
        "{} vs {sd_hi}",
        v.upper
    );
    // One parameter alone gives the same.
    let one = profile_parameter(normal, &s, &f, "sd", 0.95, &FitOptions::default()).unwrap();
    assert_eq!(&one, v);
}

#[test]
fn an_unbounded_profile_gives_an_open_limit() {
    // Normal data fitted by a Student-t with a finite df: the profile of df stays within
    // χ²₁/2 as df → ∞, so the upper limit is open.
    let s = draw("student_t", &[15.0, 0.0, 1.0], 60, 0);
    let (t, f) = fitted("student_t", &s);
    let p = profile_parameter(t, &s, &f, "df", 0.95, &FitOptions::default()).unwrap();
    eprintln!(
        "student_t df = {} profile {:?} {:?}",
        f.theta()[0],
        (p.lower, p.upper),
        p.note
    );
    assert!(p.lower > 0.0 && p.lower < f.theta()[0]);
    assert_eq!(p.upper, f64::INFINITY);
    assert!(p.note.as_ref().unwrap().contains("open"), "{:?}", p.note);
}

#[test]
fn log_scale_wald_stays_positive_where_the_natural_one_crosses_zero() {
    for (family, theta) in [("exponential", vec![2.0]), ("gamma", vec![0.8, 1.5])] {
        let s = draw(family, &theta, 3, 1);
        let (fam, f) = fitted(family, &s);
        let se = f.std_errors.clone().unwrap();
        let natural = wald_intervals(fam, &s, &f, &se, 0.95, WaldScale::Natural).unwrap();
        let log = wald_intervals(fam, &s, &f, &se, 0.95, WaldScale::Transformed).unwrap();
        let crossing: Vec<&Interval> = natural.iter().filter(|i| i.lower < 0.0).collect();
        assert!(!crossing.is_empty(), "{family}: {natural:?}");
        for (a, b) in natural.iter().zip(&log) {
            assert_eq!(a.method, IntervalMethod::Wald);
            assert_eq!(b.method, IntervalMethod::WaldLog);
            assert!(
                b.lower > 0.0 && b.lower < b.estimate && b.upper > b.estimate,
                "{b:?}"
            );
            // Same width on the log scale: lower·upper = θ̂².
            assert!((b.lower * b.upper / (b.estimate * b.estimate) - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn bca_is_closer_than_percentile_to_the_exact_exponential_interval() {
    // 2λΣx ~ χ²₂ₙ gives the exact interval λ̂ [χ²₂ₙ(α/2), χ²₂ₙ(1−α/2)] / (2n); the parametric
    // percentile interval is its mirror image λ̂ 2n / [χ²₂ₙ(1−α/2), χ²₂ₙ(α/2)].
    let n = 15;
    let chi = ChiSquared::new(2.0 * n as f64).unwrap();
    let mut wins = 0;
    for seed in 1..=4 {
        let s = draw("exponential", &[2.0], n, 100 + seed);
        let (exponential, f) = fitted("exponential", &s);
        let rate = f.theta()[0];
        let exact = (
            rate * chi.inverse_cdf(0.025) / (2.0 * n as f64),
            rate * chi.inverse_cdf(0.975) / (2.0 * n as f64),
        );
        for kind in [BootstrapKind::Parametric, BootstrapKind::Nonparametric] {
            // BCa's lower limit here sits near the 0.5% quantile: 4000 replicates put 20
            // beyond it.
            let b = run(exponential, &s, &f, &options(kind, 4000, seed));
            let p = &percentile(&b, 0.95).unwrap()[0];
            let a = &bca(exponential, &s, &f, &b, 0.95).unwrap()[0];
            assert_eq!(
                (p.method, a.method),
                (IntervalMethod::Percentile, IntervalMethod::Bca)
            );
            assert!(p.note.is_none(), "{:?}", p.note);
            let miss = |i: &Interval| (i.lower - exact.0).abs() + (i.upper - exact.1).abs();
            eprintln!(
                "seed {seed} {kind:?}: exact [{:.4}, {:.4}] percentile [{:.4}, {:.4}] (off {:.4}) \
                 BCa [{:.4}, {:.4}] (off {:.4})",
                exact.0,
                exact.1,
                p.lower,
                p.upper,
                miss(p),
                a.lower,
                a.upper,
                miss(a)
            );
            if kind == BootstrapKind::Parametric {
                assert!(miss(a) < 0.5 * miss(p), "seed {seed}");
            } else if miss(a) < miss(p) {
                wins += 1;
            }
        }
    }
    assert!(wins >= 3, "non-parametric BCa closer on {wins} of 4 seeds");
}

#[test]
fn few_replicates_are_noted() {
    let s = draw("exponential", &[1.0], 30, 3);
    let (exponential, f) = fitted("exponential", &s);
    let b = run(
        exponential,
        &s,
        &f,
        &options(BootstrapKind::Parametric, 200, 1),
    );
    let p = &percentile(&b, 0.95).unwrap()[0];
    let a = &bca(exponential, &s, &f, &b, 0.95).unwrap()[0];
    assert!(
        p.note.as_ref().unwrap().contains("only 200 replicates"),
        "{:?}",
        p.note
    );
    assert!(
        a.note.as_ref().unwrap().contains("only 200 replicates"),
        "{:?}",
        a.note
    );
    // Serialised method names.
    let json = serde_json::to_value(a).unwrap();
    assert_eq!(json["method"], "bca");
    let log = serde_json::to_value(IntervalMethod::WaldLog).unwrap();
    assert_eq!(log, "wald_log");
}

#[test]
fn published_weibull_example() {
    let text = std::fs::read_to_string("tests/fixtures/weibull_ci_reference.json").unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let data: Vec<f64> = serde_json::from_value(r["data"].clone()).unwrap();
    let s = Sample::new(data).unwrap();
    let (weibull, f) = fitted("weibull", &s);
    let (shape, scale) = (
        f.params.get("shape").unwrap(),
        f.params.get("scale").unwrap(),
    );
    let num = |v: &Value| v.as_f64().unwrap();
    let pair = |v: &Value| (num(&v[0]), num(&v[1]));
    let rounds_to = |x: f64, published: f64, decimals: i32| {
        (x * 10f64.powi(decimals)).round() == (published * 10f64.powi(decimals)).round()
    };
    let publ = &r["published"];
    assert!(rounds_to(scale, num(&publ["scale"]), 3), "{scale}");
    assert!(rounds_to(shape, num(&publ["shape"]), 4), "{shape}");
    let se = f.std_errors.clone().unwrap();
    let wald = wald_intervals(weibull, &s, &f, &se, 0.95, WaldScale::Transformed).unwrap();
    let by_name =
        |v: &[Interval], name: &str| v.iter().find(|i| i.parameter == name).unwrap().clone();
    let (ws, wk) = (by_name(&wald, "scale"), by_name(&wald, "shape"));
    let (ps, pk) = (pair(&publ["scale_interval"]), pair(&publ["shape_interval"]));
    assert!(
        rounds_to(ws.lower, ps.0, 3) && rounds_to(ws.upper, ps.1, 3),
        "{ws:?}"
    );
    assert!(
        rounds_to(wk.lower, pk.0, 4) && rounds_to(wk.upper, pk.1, 4),
        "{wk:?}"
    );
    // Tighter, against the R reference (the same intervals to 12 digits, and profiles).
    let rr = &r["r"];
    let rel = |a: f64, b: f64| ((a - b) / b).abs();
    assert!(rel(f.log_likelihood, num(&rr["log_likelihood"])) < 1e-10);
    assert!(rel(scale, num(&rr["scale"])) < 1e-8 && rel(shape, num(&rr["shape"])) < 1e-8);
    for (i, key) in [(&ws, "wald_log_scale"), (&wk, "wald_log_shape")] {
        let (lo, hi) = pair(&rr[key]);
        assert!(
            rel(i.lower, lo) < 1e-7 && rel(i.upper, hi) < 1e-7,
            "{key}: {i:?}"
        );
    }
    let prof = profile(weibull, &s, &f, 0.95, &FitOptions::default()).unwrap();
    for (name, key) in [("scale", "profile_scale"), ("shape", "profile_shape")] {
        let i = by_name(&prof, name);
        let (lo, hi) = pair(&rr[key]);
        eprintln!(
            "weibull {name} profile [{}, {}] R [{lo}, {hi}]",
            i.lower, i.upper
        );
        assert!(
            rel(i.lower, lo) < 1e-7 && rel(i.upper, hi) < 1e-7,
            "{key}: {i:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Goodness of fit

fn statistic<'a>(g: &'a GoodnessOfFit, name: &str) -> &'a mlfit::inference::gof::GofStatistic {
    g.statistics.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn edf_statistics_equal_their_defining_integrals() {
    // W² = n ∫ (F_n − F)² dF and A² = n ∫ (F_n − F)² / (F(1 − F)) dF, integrated exactly
    // between the uᵢ; D is the compare module's KS distance.
    let s = Sample::new(vec![-1.2, -0.3, 0.1, 0.4, 1.5, 2.0, 0.35]).unwrap();
    let (normal, f) = fitted("normal", &s);
    let g = gof_test(
        normal,
        &s,
        &f,
        &GofOptions {
            replicates: 0,
            ..Default::default()
        },
        &no_progress,
    )
    .unwrap();
    let model = Normal::new(f.theta()[0], f.theta()[1]).unwrap();
    let mut u: Vec<f64> = s.values().iter().map(|&x| model.cdf(x)).collect();
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    let mut edges = vec![0.0];
    edges.extend(&u);
    edges.push(1.0);
    let (mut w2, mut a2) = (0.0, 0.0);
    for k in 0..edges.len() - 1 {
        let (a, b, c) = (edges[k], edges[k + 1], k as f64 / n);
        w2 += ((b - c).powi(3) - (a - c).powi(3)) / 3.0;
        // ∫ (c − u)²/(u(1 − u)) du = −u + c² ln u − (1 − c)² ln(1 − u).
        let anti = |u: f64| {
            let lu = if c == 0.0 { 0.0 } else { c * c * u.ln() };
            let l1u = if c == 1.0 {
                0.0
            } else {
                (1.0 - c).powi(2) * (1.0 - u).ln()
            };
            -u + lu - l1u
        };
        a2 += anti(b) - anti(a);
    }
    let ks = mlfit::compare::ks_distance(normal, &s, &f).unwrap();
    let (d, w, a) = (
        statistic(&g, KOLMOGOROV_SMIRNOV),
        statistic(&g, CRAMER_VON_MISES),
        statistic(&g, ANDERSON_DARLING),
    );
    eprintln!("D {} W² {} A² {}", d.value, w.value, a.value);
    assert!((d.value - ks).abs() < 1e-15);
    assert!(
        (w.value - n * w2).abs() < 1e-12,
        "{} vs {}",
        w.value,
        n * w2
    );
    assert!(
        (a.value - n * a2).abs() < 1e-11,
        "{} vs {}",
        a.value,
        n * a2
    );
    assert!(d.p_value.is_none() && d.asymptotic_p_value.is_none());
    assert!(g.note.as_ref().unwrap().contains("not valid"));
}

#[test]
fn null_p_values_are_roughly_uniform() {
    let datasets = 100;
    let mut small = [0usize; 3];
    for k in 0..datasets {
        let s = draw("normal", &[5.0, 2.0], 30, 1000 + k);
        let (normal, f) = fitted("normal", &s);
        let o = GofOptions {
            replicates: 99,
            seed: k,
            fit: FitOptions::default(),
        };
        let g = gof_test(normal, &s, &f, &o, &no_progress).unwrap();
        for (j, name) in [KOLMOGOROV_SMIRNOV, CRAMER_VON_MISES, ANDERSON_DARLING]
            .iter()
            .enumerate()
        {
            let st = statistic(&g, name);
            assert_eq!((st.replicates, st.failed), (99, 0));
            if st.p_value.unwrap() <= 0.1 {
                small[j] += 1;
            }
        }
    }
    let shares = small.map(|c| c as f64 / datasets as f64);
    eprintln!("share of null p ≤ 0.1 (D, W², A²): {shares:?}");
    assert!(
        shares.iter().all(|s| (0.03..=0.2).contains(s)),
        "{shares:?}"
    );
}

#[test]
fn exponential_data_reject_the_normal() {
    let s = draw("exponential", &[1.0], 100, 77);
    let (normal, f) = fitted("normal", &s);
    let o = GofOptions {
        replicates: 199,
        seed: 3,
        fit: FitOptions::default(),
    };
    let g = gof_test(normal, &s, &f, &o, &no_progress).unwrap();
    for name in [KOLMOGOROV_SMIRNOV, CRAMER_VON_MISES, ANDERSON_DARLING] {
        let st = statistic(&g, name);
        eprintln!("{name}: {} p = {:?}", st.value, st.p_value);
        assert!(st.p_value.unwrap() <= 0.01, "{name}: {:?}", st.p_value);
    }
    // The exponential itself passes.
    let (exponential, f) = fitted("exponential", &s);
    let g = gof_test(exponential, &s, &f, &o, &no_progress).unwrap();
    assert!(
        g.statistics.iter().all(|st| st.p_value.unwrap() > 0.05),
        "{g:?}"
    );
}

#[test]
fn chi_squared_for_counts() {
    // Overdispersed counts (negative binomial) reject the Poisson; the classical p-value comes
    // with cells − 1 − k degrees of freedom.
    let s = draw("negative_binomial", &[2.0, 0.4], 300, 5);
    let o = GofOptions {
        replicates: 199,
        seed: 1,
        fit: FitOptions::default(),
    };
    let (poisson, f) = fitted("poisson", &s);
    let g = gof_test(poisson, &s, &f, &o, &no_progress).unwrap();
    let x2 = statistic(&g, PEARSON_CHI_SQUARED);
    eprintln!(
        "poisson on negative binomial counts: X² {} cells {:?} p {:?} asymptotic {:?}",
        x2.value, x2.cells, x2.p_value, x2.asymptotic_p_value
    );
    assert_eq!(x2.df, Some(x2.cells.unwrap() - 2));
    assert!(x2.p_value.unwrap() <= 0.01 && x2.asymptotic_p_value.unwrap() < 1e-6);
    let (nb, f) = fitted("negative_binomial", &s);
    let g = gof_test(nb, &s, &f, &o, &no_progress).unwrap();
    let x2 = statistic(&g, PEARSON_CHI_SQUARED);
    assert_eq!(x2.df, Some(x2.cells.unwrap() - 3));
    assert_eq!(x2.replicates + x2.failed, 199);
    // Non-integer weights are refused with a clear error; integer ones are frequencies.
    let weighted = s.clone().with_weights(vec![0.5; s.len()]).unwrap();
    let fw = fit(nb, &weighted, &FitOptions::default()).unwrap();
    let e = gof_test(nb, &weighted, &fw, &o, &no_progress).unwrap_err();
    assert!(e.to_string().contains("not an integer"), "{e}");
    let doubled = s.clone().with_weights(vec![2.0; s.len()]).unwrap();
    let fd = fit(nb, &doubled, &FitOptions::default()).unwrap();
    let gd = gof_test(
        nb,
        &doubled,
        &fd,
        &GofOptions {
            replicates: 0,
            ..o.clone()
        },
        &no_progress,
    )
    .unwrap();
    let repeated: Vec<f64> = s.values().iter().flat_map(|&x| [x, x]).collect();
    let repeated = Sample::new(repeated).unwrap();
    let fr = fit(nb, &repeated, &FitOptions::default()).unwrap();
    let gr = gof_test(
        nb,
        &repeated,
        &fr,
        &GofOptions { replicates: 0, ..o },
        &no_progress,
    )
    .unwrap();
    assert_eq!((gd.n, gr.n), (600, 600));
    let (a, b) = (
        statistic(&gd, PEARSON_CHI_SQUARED).value,
        statistic(&gr, PEARSON_CHI_SQUARED).value,
    );
    assert!((a - b).abs() < 1e-8 * b, "{a} vs {b}");
}

#[test]
fn null_chi_squared_p_values_are_roughly_uniform() {
    let mut small = (0, 0);
    for k in 0..100 {
        let s = draw("poisson", &[3.0], 100, 500 + k);
        let (poisson, f) = fitted("poisson", &s);
        let o = GofOptions {
            replicates: 99,
            seed: k,
            fit: FitOptions::default(),
        };
        let x2 = gof_test(poisson, &s, &f, &o, &no_progress)
            .unwrap()
            .statistics[0]
            .clone();
        small.0 += usize::from(x2.p_value.unwrap() <= 0.1);
        small.1 += usize::from(x2.asymptotic_p_value.unwrap() <= 0.1);
    }
    eprintln!(
        "share of null X² p ≤ 0.1: bootstrap {}%, asymptotic {}%",
        small.0, small.1
    );
    assert!(
        (3..=20).contains(&small.0) && (3..=20).contains(&small.1),
        "{small:?}"
    );
}
