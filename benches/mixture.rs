//! Cost of a mixture fit on large data: one two-component normal mixture fitted to 1e5 seeded
//! rows with the default 10 starts (screened by EM on a quantile subsample, the best polished
//! by EM and the certified Newton fit on the full data), and one value + gradient + Hessian
//! pass over the rows (the unit of the Newton fit's cost).
//!
//! Run: `cargo bench --bench mixture`.

use divan::{black_box, Bencher};
use mlfit::family::Family;
use mlfit::mixture::{fit_mixture, MixtureOptions};
use mlfit::Sample;
use rand::rngs::StdRng;
use rand::SeedableRng;

const ROWS: usize = 100_000;

fn main() {
    divan::main();
}

/// The registry's two-component normal mixture and 1e5 seeded draws from it (the Old Faithful
/// eruptions' fit: weights 0.35/0.65, means 2.02 and 4.27, sds 0.24 and 0.44).
fn data() -> (&'static dyn Family, Vec<f64>, Sample) {
    let f = mlfit::family::lookup("normal_mixture").unwrap();
    let theta = vec![0.348, 0.652, 2.019, 4.273, 0.236, 0.437];
    let s = Sample::new(f.sample(&theta, ROWS, &mut StdRng::seed_from_u64(1))).unwrap();
    // Build the lazily cached per-sample tables outside the timed region.
    s.summary();
    s.distinct();
    s.sorted_values();
    (f, theta, s)
}

#[divan::bench(sample_count = 10)]
fn fit_k2_1e5(bencher: Bencher) {
    let (f, _, s) = data();
    let options = MixtureOptions::default();
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| {
            let fitted = fit_mixture(f, black_box(&s), &options).unwrap();
            assert!(fitted.fit.converged);
            fitted
        });
}

#[divan::bench(sample_count = 20)]
fn value_gradient_hessian_k2_1e5(bencher: Bencher) {
    let (f, theta, s) = data();
    let k = theta.len();
    let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| {
            black_box(f.log_likelihood(black_box(&theta), &s, Some(&mut g), Some(&mut h)))
        });
}
