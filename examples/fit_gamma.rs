//! Fit several families to the shipped latency data through the library API and print each
//! fit's parameters, cross entropy and certificate.
//!
//! Run: `cargo run --example fit_gamma`

use mlfit::data::csv::{read_column, ColumnSelector, CsvOptions};
use mlfit::family::lookup;
use mlfit::{fit, FitOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::fs::File::open("data/latency.csv")?;
    let column = ColumnSelector::Name("latency_ms".into());
    let (sample, _) = read_column(file, "data/latency.csv", &column, &CsvOptions::default())?;
    println!("{} observations of latency_ms", sample.len());
    for name in ["gamma", "lognormal", "weibull", "exponential"] {
        let f = fit(lookup(name)?, &sample, &FitOptions::default())?;
        let params: Vec<String> = f
            .params
            .0
            .iter()
            .map(|(n, v)| format!("{n} = {v:.6}"))
            .collect();
        println!(
            "{:<12} {:<40} cross entropy {:.6} nats  converged: {} ({} iterations, |score| {:.1e})",
            f.family,
            params.join(", "),
            f.cross_entropy,
            f.converged,
            f.iterations,
            f.score_norm
        );
    }
    Ok(())
}
