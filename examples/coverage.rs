//! Coverage of mlfit's 95% confidence intervals: how often they contain the true parameter.
//!
//! For each scenario, `REPLICATES` seeded data sets are drawn from a known distribution, the
//! family is fitted, and every interval method is checked against the true value (for the
//! misspecified scenario, the *pseudo-true* value: the member of the family closest to the truth
//! in cross entropy — for a normal fitted to Student-t(ν) data, mean 0 and sd √(ν/(ν−2))).
//! A well-calibrated method covers in about 95% of replicates; the Monte Carlo standard error of
//! a coverage c over R replicates is √(c(1−c)/R) ≈ 0.7% at R = 1000.
//!
//! Run: `cargo run --release --example coverage` (about a minute on 2 cores); pass a number
//! to change the replicates, e.g. `cargo run --release --example coverage -- 200`. The table it
//! prints is the one in README.md.

use mlfit::family::{lookup, Family};
use mlfit::fit::ParamMap;
use mlfit::inference::bootstrap::{bootstrap, replicate, BootstrapKind, BootstrapOptions};
use mlfit::inference::covariance::covariances;
use mlfit::inference::intervals::{bca, percentile, profile, wald_intervals, Interval, WaldScale};
use mlfit::{fit, FitOptions, Sample};
use rand_distr::{Distribution, StudentT};

const LEVEL: f64 = 0.95;
const BOOTSTRAP: usize = 999;

/// Draws one data set from a generator.
type Draw = dyn Fn(&mut rand_chacha::ChaCha8Rng) -> Vec<f64> + Sync;

/// One simulated setting.
struct Scenario {
    label: &'static str,
    family: &'static str,
    /// The (pseudo-)true parameters, in the family's order.
    truth: Vec<f64>,
    /// Draw one data set.
    draw: Box<Draw>,
}

/// Coverage counts of one method for each parameter.
#[derive(Default, Clone)]
struct Tally {
    covered: Vec<usize>,
    usable: Vec<usize>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let replicates: usize = match std::env::args().nth(1) {
        Some(r) => r.parse()?,
        None => 1000,
    };
    let gamma = lookup("gamma")?;
    let weibull = lookup("weibull")?;
    let nu: f64 = 6.0;
    let scenarios = vec![
        Scenario {
            label: "gamma(shape 2, rate 0.5), n = 100",
            family: "gamma",
            truth: vec![2.0, 0.5],
            draw: Box::new(move |rng| gamma.sample(&[2.0, 0.5], 100, rng)),
        },
        Scenario {
            label: "weibull(shape 1.5, scale 2), n = 100",
            family: "weibull",
            truth: vec![1.5, 2.0],
            draw: Box::new(move |rng| weibull.sample(&[1.5, 2.0], 100, rng)),
        },
        Scenario {
            label: "normal fitted to Student-t(6), n = 200 (misspecified)",
            family: "normal",
            truth: vec![0.0, (nu / (nu - 2.0)).sqrt()],
            draw: Box::new(move |rng| {
                let t = StudentT::new(nu).expect("valid df");
                (0..200).map(|_| t.sample(rng)).collect()
            }),
        },
    ];
    println!("Coverage of {LEVEL} intervals over {replicates} seeded replicates (bootstrap B = {BOOTSTRAP}):\n");
    println!("| scenario | parameter | Wald (observed) | Wald (sandwich) | profile | bootstrap percentile | bootstrap BCa |");
    println!("|---|---|---|---|---|---|---|");
    for s in &scenarios {
        let family = lookup(s.family)?;
        let names: Vec<&str> = family.params().iter().map(|p| p.name).collect();
        let k = names.len();
        // One result per replicate: for each method, for each parameter, Some(covered).
        let results = replicate(replicates, 2026, &|_| {}, |_, rng| {
            let values = (s.draw)(rng);
            run_one(family, &values, &names, &s.truth)
        });
        let mut tallies = vec![
            Tally {
                covered: vec![0; k],
                usable: vec![0; k]
            };
            5
        ];
        for r in results.iter().flatten() {
            for (m, per) in r.iter().enumerate() {
                for (j, c) in per.iter().enumerate() {
                    if let Some(c) = c {
                        tallies[m].usable[j] += 1;
                        tallies[m].covered[j] += usize::from(*c);
                    }
                }
            }
        }
        let failed = results.iter().filter(|r| r.is_none()).count();
        for (j, name) in names.iter().enumerate() {
            let cells: Vec<String> = tallies
                .iter()
                .map(|t| match t.usable[j] {
                    0 => "–".to_string(),
                    u => format!("{:.1}%", 100.0 * t.covered[j] as f64 / u as f64),
                })
                .collect();
            println!("| {} | {name} | {} |", s.label, cells.join(" | "));
        }
        if failed > 0 {
            println!("| {} | (fits that failed: {failed}) | | | | | |", s.label);
        }
    }
    Ok(())
}

/// Fit one data set and say, per method and parameter, whether the interval covers the truth.
fn run_one(
    family: &'static dyn Family,
    values: &[f64],
    names: &[&str],
    truth: &[f64],
) -> Option<Vec<Vec<Option<bool>>>> {
    let sample = Sample::new(values.to_vec()).ok()?;
    let fitted = fit(family, &sample, &FitOptions::default()).ok()?;
    if !fitted.converged {
        return None;
    }
    let covers = |intervals: &[Interval]| -> Vec<Option<bool>> {
        names
            .iter()
            .zip(truth)
            .map(|(name, &t)| {
                let i = intervals.iter().find(|i| i.parameter == *name)?;
                (i.lower.is_finite() || i.upper.is_finite()).then_some(i.lower <= t && t <= i.upper)
            })
            .collect()
    };
    let observed = fitted.std_errors.clone()?;
    let wald = wald_intervals(
        family,
        &sample,
        &fitted,
        &observed,
        LEVEL,
        WaldScale::Transformed,
    )
    .ok()?;
    let cov = covariances(family, &sample, &fitted).ok()?;
    let sandwich: ParamMap = cov.sandwich.as_ref()?.std_errors.clone();
    let robust = wald_intervals(
        family,
        &sample,
        &fitted,
        &sandwich,
        LEVEL,
        WaldScale::Transformed,
    )
    .ok()?;
    let prof = profile(family, &sample, &fitted, LEVEL, &FitOptions::default()).ok()?;
    let boot = bootstrap(
        family,
        &sample,
        &fitted,
        &BootstrapOptions {
            kind: BootstrapKind::Nonparametric,
            replicates: BOOTSTRAP,
            seed: values.len() as u64 ^ values[0].to_bits(),
            fit: FitOptions::default(),
        },
        &|_| {},
    )
    .ok()?;
    let perc = percentile(&boot, LEVEL).ok()?;
    let bca = bca(family, &sample, &fitted, &boot, LEVEL).ok()?;
    Some(vec![
        covers(&wald),
        covers(&robust),
        covers(&prof),
        covers(&perc),
        covers(&bca),
    ])
}
