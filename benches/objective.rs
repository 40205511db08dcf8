//! Cost of one objective evaluation (value + gradient, and value + gradient + Hessian) per
//! family on 1e6 observations, and of an end-to-end fit (CSV parse + fit) of 1e6 rows.
//!
//! Run: `cargo bench --bench objective`. Throughput is reported in items (= observations) per
//! second.

use std::sync::OnceLock;

use divan::{black_box, Bencher};
use mlfit::data::csv::{read_column, ColumnSelector, CsvOptions};
use mlfit::family::{lookup, Family};
use mlfit::{fit, FitOptions, Sample};
use rand::rngs::StdRng;
use rand::SeedableRng;

const N: usize = 1_000_000;
/// Every registered family.
fn families() -> Vec<&'static str> {
    mlfit::family::REGISTRY.iter().map(|f| f.name()).collect()
}

fn main() {
    divan::main();
}

fn params(f: &dyn Family) -> Vec<f64> {
    f.typical_params()
}

fn data(f: &dyn Family) -> Sample {
    let theta = params(f);
    let s = Sample::new(f.sample(&theta, N, &mut StdRng::seed_from_u64(1))).unwrap();
    // Build the lazily cached per-sample tables outside the timed region.
    s.summary();
    s.ln_values();
    if f.support().is_discrete() {
        s.distinct();
    }
    s
}

#[divan::bench(args = families(), sample_count = 10)]
fn value_and_gradient(bencher: Bencher, name: &str) {
    let f = lookup(name).unwrap();
    let s = data(f);
    let theta = params(f);
    let mut g = vec![0.0; theta.len()];
    bencher
        .counter(divan::counter::ItemsCount::new(N))
        .bench_local(|| black_box(f.log_likelihood(black_box(&theta), &s, Some(&mut g), None)));
}

#[divan::bench(args = families(), sample_count = 10)]
fn value_gradient_hessian(bencher: Bencher, name: &str) {
    let f = lookup(name).unwrap();
    let s = data(f);
    let theta = params(f);
    let k = theta.len();
    let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
    bencher
        .counter(divan::counter::ItemsCount::new(N))
        .bench_local(|| {
            black_box(f.log_likelihood(black_box(&theta), &s, Some(&mut g), Some(&mut h)))
        });
}

/// A 1e6-row CSV file of draws from `name`, written once per family.
fn csv_file(name: &str) -> &'static [u8] {
    static WEIBULL: OnceLock<Vec<u8>> = OnceLock::new();
    static STUDENT_T: OnceLock<Vec<u8>> = OnceLock::new();
    static GAMMA: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = match name {
        "weibull" => &WEIBULL,
        "student_t" => &STUDENT_T,
        _ => &GAMMA,
    };
    cell.get_or_init(|| {
        let f = lookup(name).unwrap();
        let xs = f.sample(&params(f), N, &mut StdRng::seed_from_u64(2));
        let mut out = String::from("x\n");
        for x in xs {
            out.push_str(&format!("{x:.9e}\n"));
        }
        out.into_bytes()
    })
}

#[divan::bench(args = ["weibull", "student_t", "gamma"], sample_count = 5)]
fn end_to_end_fit_1e6_rows(bencher: Bencher, name: &str) {
    let f = lookup(name).unwrap();
    let bytes = csv_file(name);
    bencher
        .counter(divan::counter::ItemsCount::new(N))
        .bench_local(|| {
            let (s, _) = read_column(
                bytes,
                "bench",
                &ColumnSelector::First,
                &CsvOptions::default(),
            )
            .unwrap();
            let fitted = fit(f, &s, &FitOptions::default()).unwrap();
            assert!(fitted.converged);
            black_box(fitted)
        });
}
