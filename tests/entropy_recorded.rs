//! The entropy of recorded data (issue 11): rounded, heaped, discrete and unrounded samples
//! against their known entropies. Data on a grid of step h estimate the entropy of their
//! density dequantised at h, H_h = −Σ pₖ ln pₖ + ln h with pₖ the true probability of cell k,
//! computed here exactly from the generating distribution.

mod common;

use common::rng;
use mlfit::entropy::{recorded, recorded_discrete};
use mlfit::family::lookup;
use mlfit::Sample;
use statrs::distribution::{ContinuousCDF, Normal};

fn normal_draws(mu: f64, sigma: f64, n: usize, seed: u64) -> Vec<f64> {
    lookup("normal")
        .unwrap()
        .sample(&[mu, sigma], n, &mut rng(seed))
}

/// H_h of a distribution with CDF `cdf` on cells [c − h/2, c + h/2), c = k·h.
fn cell_entropy(cdf: impl Fn(f64) -> f64, h: f64, lo: f64, hi: f64) -> f64 {
    let (k0, k1) = ((lo / h).floor() as i64 - 1, (hi / h).ceil() as i64 + 1);
    let mut total = 0.0;
    for k in k0..=k1 {
        let c = k as f64 * h;
        let p = cdf(c + h / 2.0) - cdf(c - h / 2.0);
        if p > 0.0 {
            total -= p * p.ln();
        }
    }
    total + h.ln()
}

fn check(what: &str, sample: Vec<f64>, truth: f64) -> mlfit::entropy::EntropyEstimate {
    let e = recorded(&Sample::new(sample).unwrap()).unwrap();
    assert!(
        (e.entropy - truth).abs() <= 2.0 * e.std_error + 0.01,
        "{what}: {} ± {} ({}) vs {truth}",
        e.entropy,
        e.std_error,
        e.method
    );
    e
}

#[test]
fn rounded_normal_samples_estimate_the_entropy_on_their_grid() {
    let normal = Normal::new(10.0, 2.0).unwrap();
    let x = normal_draws(10.0, 2.0, 4000, 7);
    for (h, printed) in [
        (1.0, None),
        (0.1, Some(1)),
        (1.0 / 60.0, None),
        (1.0 / 60.0, Some(3)),
    ] {
        let rounded: Vec<f64> = x
            .iter()
            .map(|v| {
                let r = (v / h).round() * h;
                printed.map_or(r, |d| {
                    let s = 10f64.powi(d);
                    (r * s).round() / s
                })
            })
            .collect();
        let truth = cell_entropy(|y| normal.cdf(y), h, -10.0, 30.0);
        let e = check(&format!("step {h}, printed {printed:?}"), rounded, truth);
        let g = e.grid.as_ref().expect("on a grid");
        assert!((g.step - h).abs() < 1e-4 * h, "{h}: {g:?}");
    }
    // Rounded to 1 with sd 2 the cells are dense: the plug-in on the grid, not the k-NN.
    let coarse: Vec<f64> = x.iter().map(|v| v.round()).collect();
    let e = recorded(&Sample::new(coarse).unwrap()).unwrap();
    assert!(
        e.method.starts_with("plug-in on the recorded grid"),
        "{}",
        e.method
    );
}

#[test]
fn a_faithful_look_alike_rounded_to_whole_seconds() {
    // Two normal components (eruption minutes), recorded in whole seconds, printed with three
    // decimals as R's faithful is.
    let (a, b) = (
        Normal::new(2.02, 0.24).unwrap(),
        Normal::new(4.27, 0.44).unwrap(),
    );
    let mut x = normal_draws(2.02, 0.24, 700, 3);
    x.extend(normal_draws(4.27, 0.44, 1300, 4));
    let rounded: Vec<f64> = x
        .iter()
        .map(|v| ((v * 60.0).round() / 60.0 * 1000.0).round() / 1000.0)
        .collect();
    let truth = cell_entropy(|y| 0.35 * a.cdf(y) + 0.65 * b.cdf(y), 1.0 / 60.0, -2.0, 9.0);
    check("mixture in whole seconds", rounded, truth);
}

#[test]
fn heaps_on_multiples_are_coarsened_and_a_lone_heap_gets_no_estimate() {
    // Weights in grams, 30% of them rounded to the nearest 5 g: on the 5 g grid the heaped and
    // the exact values fall in the same cells, so the estimate is H_5 of the normal.
    let normal = Normal::new(50.0, 10.0).unwrap();
    let x = normal_draws(50.0, 10.0, 3000, 11);
    let heaped: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if i % 10 < 3 {
                (v / 5.0).round() * 5.0
            } else {
                v.round()
            }
        })
        .collect();
    let e = check(
        "heaped at 5 g",
        heaped,
        cell_entropy(|y| normal.cdf(y), 5.0, 0.0, 100.0),
    );
    assert!(e.method.contains("heaped: multiples of 5"), "{}", e.method);
    // Servings of sd 50 g with one value, 250 g, holding a fifth of 300 rows: no estimate.
    let mut servings: Vec<f64> = normal_draws(240.0, 50.0, 240, 12)
        .iter()
        .map(|v| v.round())
        .collect();
    servings.extend(std::iter::repeat_n(250.0, 60));
    let err = recorded(&Sample::new(servings).unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("heaped data (250.0 holds"),
        "{err}"
    );
}

#[test]
fn discrete_samples_dense_and_sparse() {
    // Poisson(3): the plug-in; its entropy by direct summation.
    let s = Sample::new(lookup("poisson").unwrap().sample(&[3.0], 4000, &mut rng(5))).unwrap();
    let mut truth = 0.0;
    let mut p = (-3.0f64).exp();
    for k in 0..60 {
        if k > 0 {
            p *= 3.0 / k as f64;
        }
        truth -= p * p.ln();
    }
    let e = recorded_discrete(&s).unwrap();
    assert!(
        (e.entropy - truth).abs() < 2.0 * e.std_error + 0.005,
        "{e:?}"
    );
    // Integers with sd 300: sparse, so the k-NN of the dequantised values as a mass function.
    let normal = Normal::new(5000.0, 300.0).unwrap();
    let x: Vec<f64> = normal_draws(5000.0, 300.0, 2000, 6)
        .iter()
        .map(|v| v.round())
        .collect();
    let e = recorded_discrete(&Sample::new(x).unwrap()).unwrap();
    let truth = cell_entropy(|y| normal.cdf(y), 1.0, 3000.0, 7000.0);
    assert!(e.method.contains("as a mass function"), "{}", e.method);
    assert!(
        (e.entropy - truth).abs() < 2.0 * e.std_error + 0.01,
        "{e:?} vs {truth}"
    );
    // Years in a row: not a sample.
    let years = Sample::new((1945..2025).map(f64::from).collect()).unwrap();
    assert!(recorded_discrete(&years)
        .unwrap_err()
        .to_string()
        .contains("regular sequence"));
}

#[test]
fn unrounded_data_keep_the_plain_nearest_neighbour_estimate() {
    let x = normal_draws(0.0, 3.0, 4000, 9);
    let truth = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 9.0).ln();
    let e = check("unrounded", x, truth);
    assert_eq!(e.method, "kozachenko_leonenko (k = 3)");
    assert!(e.grid.is_none());
}
