//! Cost of the uncertainty analysis: a non-parametric bootstrap (199 warm-started Weibull
//! refits of 1000 seeded rows, on one thread and on two) and the three covariances of a gamma
//! fit to 1e5 rows (observed information, the sandwich over per-row scores, and the expected
//! information by quadrature, since the gamma has no closed form in mlfit).
//!
//! Run: `cargo bench --bench bootstrap`. `benches/compare_uncertainty.py` times the same
//! features end to end against R and scipy.

use divan::{black_box, Bencher};
use mlfit::family::{lookup, Family};
use mlfit::inference::bootstrap::{bootstrap, BootstrapOptions};
use mlfit::inference::covariance::covariances;
use mlfit::{fit, Fit, FitOptions, Sample};
use rand::rngs::StdRng;
use rand::SeedableRng;

const BOOTSTRAP_ROWS: usize = 1000;
const REPLICATES: usize = 199;
const COVARIANCE_ROWS: usize = 100_000;

fn main() {
    divan::main();
}

/// `n` seeded draws from `name` at its typical parameters, and their fit.
fn fitted(name: &str, n: usize) -> (&'static dyn Family, Sample, Fit) {
    let f = lookup(name).unwrap();
    let theta = f.typical_params();
    let s = Sample::new(f.sample(&theta, n, &mut StdRng::seed_from_u64(1))).unwrap();
    let fitted = fit(f, &s, &FitOptions::default()).unwrap();
    assert!(fitted.converged);
    (f, s, fitted)
}

/// Thread counts are pinned with a local rayon pool, so the per-refit cost shows apart from
/// the scheduling.
#[divan::bench(args = [1, 2], sample_count = 20)]
fn bootstrap_weibull_199x1000(bencher: Bencher, threads: usize) {
    let (f, s, fitted) = fitted("weibull", BOOTSTRAP_ROWS);
    let options = BootstrapOptions {
        replicates: REPLICATES,
        seed: 1,
        ..Default::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher.bench_local(|| {
        let b = pool.install(|| bootstrap(f, &s, &fitted, &options, &|_| {}).unwrap());
        assert_eq!(b.failed, 0);
        black_box(b)
    });
}

#[divan::bench(sample_count = 20)]
fn covariances_gamma_1e5(bencher: Bencher) {
    let (f, s, fitted) = fitted("gamma", COVARIANCE_ROWS);
    bencher
        .counter(divan::counter::ItemsCount::new(COVARIANCE_ROWS))
        .bench_local(|| {
            let c = covariances(f, black_box(&s), &fitted).unwrap();
            assert!(c.sandwich.is_some() && c.expected.is_some());
            black_box(c)
        });
}
