//! The entropy estimators converge to known entropies as n grows (issue 5's lower bound).

mod common;

use common::rng;
use mlfit::entropy::{continuous, discrete, DEFAULT_K};
use mlfit::family::lookup;
use mlfit::Sample;

fn draws(family: &str, theta: &[f64], n: usize, seed: u64) -> Sample {
    Sample::new(lookup(family).unwrap().sample(theta, n, &mut rng(seed))).unwrap()
}

#[test]
fn continuous_entropy_converges_for_known_distributions() {
    let pi_e = std::f64::consts::PI * std::f64::consts::E;
    let cases: [(&str, Vec<f64>, f64); 4] = [
        ("normal", vec![3.0, 2.0], 0.5 * (2.0 * pi_e * 4.0).ln()),
        ("exponential", vec![0.5], 1.0 - 0.5f64.ln()),
        ("uniform", vec![-1.0, 2.5], 3.5f64.ln()),
        // Gamma(shape 2.3, rate 1.7): H = a − ln b + ln Γ(a) + (1 − a) ψ(a).
        (
            "gamma",
            vec![2.3, 1.7],
            2.3 - 1.7f64.ln()
                + mlfit::special::ln_gamma(2.3)
                + (1.0 - 2.3) * mlfit::special::digamma(2.3),
        ),
    ];
    for (family, theta, truth) in cases {
        let mut errors = Vec::new();
        for (j, n) in [1_000usize, 10_000, 100_000].into_iter().enumerate() {
            let e = continuous(&draws(family, &theta, n, 11 + j as u64), DEFAULT_K).unwrap();
            assert!(
                (e.entropy - truth).abs() < 4.0 * e.std_error + 0.02 * 1000.0 / n as f64,
                "{family} n = {n}: {} ± {} vs {truth}",
                e.entropy,
                e.std_error
            );
            errors.push((e.entropy - truth).abs());
        }
        assert!(
            errors[2] < 0.01,
            "{family}: error at n = 1e5 is {}",
            errors[2]
        );
    }
}

#[test]
fn discrete_entropy_converges_for_the_poisson() {
    // H(Poisson(4)) by direct summation.
    let lambda: f64 = 4.0;
    let truth: f64 = (0..200)
        .map(|k| {
            let lp = k as f64 * lambda.ln() - lambda - mlfit::special::ln_gamma(k as f64 + 1.0);
            -lp.exp() * lp
        })
        .sum();
    for (j, n) in [1_000usize, 10_000, 100_000].into_iter().enumerate() {
        let e = discrete(&draws("poisson", &[lambda], n, 5 + j as u64));
        assert!(
            (e.entropy - truth).abs() < 4.0 * e.std_error + 1e-3,
            "n = {n}: {} ± {} vs {truth}",
            e.entropy,
            e.std_error
        );
    }
    let big = discrete(&draws("poisson", &[lambda], 200_000, 99));
    assert!(
        (big.entropy - truth).abs() < 0.005,
        "{} vs {truth}",
        big.entropy
    );
}

#[test]
fn every_family_cross_entropy_is_above_the_entropy_estimate() {
    // H(p*, p_θ̂) ≥ H(p*) up to estimation error: fitted cross entropy ≥ Ĥ − 4 SE.
    for (family, theta) in [("gamma", vec![2.3, 1.7]), ("normal", vec![0.0, 1.0])] {
        let s = draws(family, &theta, 20_000, 3);
        let e = continuous(&s, DEFAULT_K).unwrap();
        for other in ["normal", "gamma", "lognormal", "weibull"] {
            let f = lookup(other).unwrap();
            if s.values().iter().any(|x| !f.support().contains(*x)) {
                continue;
            }
            let fit = mlfit::fit(f, &s, &Default::default()).unwrap();
            assert!(
                fit.cross_entropy > e.entropy - 4.0 * e.std_error,
                "{other} on {family}: {} < {}",
                fit.cross_entropy,
                e.entropy
            );
        }
    }
}

#[test]
fn rounded_data_estimate_the_unrounded_entropy() {
    // Normal(0, 2) rounded to 0.01: the dequantised estimate recovers ½ ln(2πe·4).
    let truth = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 4.0).ln();
    let s = draws("normal", &[0.0, 2.0], 50_000, 21);
    let rounded = Sample::new(
        s.values()
            .iter()
            .map(|x| (x * 100.0).round() / 100.0)
            .collect(),
    )
    .unwrap();
    let e = continuous(&rounded, DEFAULT_K).unwrap();
    assert!(e.method.contains("dequantised"));
    assert!(
        (e.entropy - truth).abs() < 4.0 * e.std_error + 0.005,
        "{} ± {} vs {truth}",
        e.entropy,
        e.std_error
    );
}
