//! Weights (issue: "integer weights give the same fit as repeating rows, and zero weights equal
//! dropping rows"), for every family in the registry, and fixed parameters through the library.

mod common;

use common::{close, nice_params, rng};
use mlfit::family::{Constraint, Family, REGISTRY};
use mlfit::fit::{fit, Fit, FitOptions};
use mlfit::Sample;
use rand::Rng;

fn options_for(f: &dyn Family, theta: &[f64]) -> FitOptions {
    let fixed = f
        .params()
        .iter()
        .zip(theta)
        .filter(|(p, _)| p.constraint == Constraint::FixedCount)
        .map(|(p, v)| (p.name.to_string(), *v))
        .collect();
    FitOptions {
        fixed,
        start: None,
        ..FitOptions::default()
    }
}

fn assert_same_fit(a: &Fit, b: &Fit, what: &str) {
    assert_eq!(a.converged, b.converged, "{what}");
    for (x, y) in a.theta().iter().zip(b.theta()) {
        assert!(
            close(*x, y, 1e-8, 1e-12),
            "{what}: params {:?} vs {:?}",
            a.params,
            b.params
        );
    }
    for (name, x, y) in [
        ("cross entropy", a.cross_entropy, b.cross_entropy),
        ("log-likelihood", a.log_likelihood, b.log_likelihood),
        ("aic", a.aic, b.aic),
        ("bic", a.bic, b.bic),
    ] {
        assert!(close(x, y, 1e-10, 1e-10), "{what}: {name} {x} vs {y}");
    }
    match (&a.std_errors, &b.std_errors) {
        (Some(sa), Some(sb)) => {
            for ((_, x), (_, y)) in sa.0.iter().zip(&sb.0) {
                assert!(close(*x, *y, 1e-6, 0.0), "{what}: se {sa:?} vs {sb:?}");
            }
        }
        (None, None) => {}
        _ => panic!("{what}: standard errors present in one fit only"),
    }
}

#[test]
fn integer_weights_equal_repeated_rows() {
    for (i, f) in REGISTRY.iter().enumerate() {
        let theta = nice_params(*f);
        let mut r = rng(500 + i as u64);
        let xs = f.sample(&theta, 300, &mut r);
        let ws: Vec<f64> = (0..xs.len())
            .map(|_| r.random_range(1..=3) as f64)
            .collect();
        let repeated: Vec<f64> = xs
            .iter()
            .zip(&ws)
            .flat_map(|(x, w)| std::iter::repeat_n(*x, *w as usize))
            .collect();
        let opts = options_for(*f, &theta);
        let weighted = fit(
            *f,
            &Sample::new(xs).unwrap().with_weights(ws.clone()).unwrap(),
            &opts,
        )
        .unwrap();
        let plain = fit(*f, &Sample::new(repeated).unwrap(), &opts).unwrap();
        assert_same_fit(&weighted, &plain, f.name());
        assert_eq!(weighted.weight_total, Some(ws.iter().sum()));
        assert_eq!(weighted.n, 300);
    }
}

#[test]
fn zero_weights_equal_dropped_rows() {
    for (i, f) in REGISTRY.iter().enumerate() {
        let theta = nice_params(*f);
        let mut r = rng(900 + i as u64);
        let kept = f.sample(&theta, 200, &mut r);
        // Interleave rows with zero weight, including values outside every support.
        let mut xs = Vec::new();
        let mut ws = Vec::new();
        for (j, x) in kept.iter().enumerate() {
            xs.push(*x);
            ws.push(1.0);
            if j % 3 == 0 {
                xs.push(if j % 2 == 0 { -7.5 } else { 1e6 + 0.5 });
                ws.push(0.0);
            }
        }
        let opts = options_for(*f, &theta);
        let with_zeros = fit(
            *f,
            &Sample::new(xs).unwrap().with_weights(ws).unwrap(),
            &opts,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", f.name()));
        let dropped = fit(*f, &Sample::new(kept).unwrap(), &opts).unwrap();
        // A fit with unit weights is the plain fit except that it reports its weight total.
        assert_same_fit(&with_zeros, &dropped, f.name());
        assert_eq!(with_zeros.n, dropped.n, "{}", f.name());
    }
}
