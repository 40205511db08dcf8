//! `mlfit compare`: rank families by held-out cross entropy (and in-sample cross entropy,
//! AIC, AICc, BIC, Akaike weights) against a model-free estimate of the data's entropy.

use anyhow::anyhow;
use mlfit::compare::{compare, CompareOptions, Comparison};
use mlfit::family::{self, Constraint, Family, Support, REGISTRY};
use mlfit::report::Context;
use mlfit::{FitOptions, Sample};

use super::{input, Failure, Output};
use crate::cli::CompareArgs;

pub fn run(args: &CompareArgs) -> Result<Output, Failure> {
    let requested: Vec<&'static dyn Family> = args
        .family
        .iter()
        .map(|n| family::lookup(n))
        .collect::<Result<_, _>>()?;
    let (constant_trials, trials_column) = input::parse_trials(args.trials.as_ref());
    let wants_labels = |f: &&dyn Family| f.support() == Support::Labels;
    let (some_numbers, need_labels) = input::kinds_needed(&requested);
    let need_numbers = requested.is_empty() || some_numbers;
    let data = input::read(&args.input, need_numbers, need_labels, trials_column)?;
    let families = if requested.is_empty() {
        default_families(
            data.numbers.as_ref().expect("numbers read"),
            args.trials.is_some(),
        )
    } else {
        requested
    };
    if families.is_empty() {
        return Err(Failure::data(anyhow!(
            "{}: no family's support contains these data",
            data.source
        )));
    }
    let pairs: Vec<(&dyn Family, &Sample)> = families
        .iter()
        .map(|f| {
            (
                *f,
                if wants_labels(f) {
                    data.labels.as_ref()
                } else {
                    data.numbers.as_ref()
                }
                .expect("read for this family"),
            )
        })
        .collect();
    let fixed = |f: &dyn Family| -> Vec<(String, f64)> {
        match (
            constant_trials,
            f.params()
                .iter()
                .find(|p| p.constraint == Constraint::FixedCount),
        ) {
            (Some(n), Some(p)) => vec![(p.name.to_string(), n)],
            _ => vec![],
        }
    };
    // Fixed trials differ by family; fit each group member with its own options.
    let opts = |f: &dyn Family| CompareOptions {
        fit: FitOptions {
            method: args.method.into(),
            fixed: fixed(f),
            start: None,
            ..FitOptions::default()
        },
        folds: args.folds,
        seed: args.seed,
        sort: args.sort.into(),
    };
    let mut parts: Vec<Comparison> = Vec::new();
    if constant_trials.is_some() {
        // Binomial-type families need their trials; the others must not get them.
        let (with, without): (Vec<_>, Vec<_>) =
            pairs.iter().partition(|(f, _)| !fixed(*f).is_empty());
        for part in [without, with] {
            if let Some((f, _)) = part.first() {
                parts.push(compare(&part, &opts(*f)));
            }
        }
    } else {
        parts.push(compare(&pairs, &opts(pairs[0].0)));
    }
    let mut comparison = Comparison::merge(parts)
        .ok_or_else(|| Failure::data(anyhow!("{}: no family to compare", data.source)))?;
    // A comparison in which no family could be fitted has nothing to rank: a data error
    // naming the first family's reason, not a table of failures with exit 0.
    let entries = || comparison.groups.iter().flat_map(|g| &g.families);
    if entries().all(|e| e.fit.is_none()) {
        let first = entries()
            .find_map(|e| e.error.as_deref().map(|why| format!("{}: {why}", e.family)))
            .unwrap_or_default();
        return Err(Failure::data(anyhow!(
            "no family could be fitted to these data ({} tried); {first}",
            entries().count()
        )));
    }
    comparison.file = Some(data.source.clone());
    comparison.column = Some(data.column.clone());
    let hint = index_hint(args, &data);
    let mut notes: Vec<String> = data.skipped_note.into_iter().collect();
    notes.extend(hint);
    if comparison.groups.len() > 1 {
        notes.push("discrete and continuous families are ranked separately: probability masses and densities are not on one scale".into());
    }
    let context = Context {
        source: data.source,
        column: data.column,
        ..Context::default()
    };
    let stdout = super::renderer(args.format).comparison(&comparison, &context);
    Ok(Output { stdout, notes })
}

/// Every family whose support holds the data: discrete families for integer data (binomial
/// types only with --trials), continuous families otherwise, with the two-component normal or
/// Poisson mixture; never the categorical (it needs labels), von Mises (angles) or the
/// lognormal mixture unless named.
fn default_families(sample: &Sample, have_trials: bool) -> Vec<&'static dyn Family> {
    let s = sample.summary();
    let values = sample.values();
    REGISTRY
        .iter()
        .copied()
        .filter(|f| {
            let support = f.support();
            if support.is_discrete() != s.all_integer {
                return false;
            }
            // Labels need the column read as strings, and angles have a periodic density that
            // is not on the scale of densities on ℝ: both only when asked for by name.
            if matches!(support, Support::Labels | Support::Angle) {
                return false;
            }
            // Bimodal data are common and no unimodal family fits them: the two-component
            // normal mixture (continuous data) and Poisson mixture (counts) are candidates,
            // fitted by the multi-start driver; the lognormal mixture only by name.
            if mlfit::mixture::is_mixture(*f)
                && !matches!(f.name(), "normal_mixture" | "poisson_mixture")
            {
                return false;
            }
            if f.params()
                .iter()
                .any(|p| p.constraint == Constraint::FixedCount)
                && !have_trials
            {
                return false;
            }
            values
                .iter()
                .enumerate()
                .all(|(i, x)| sample.weight(i) == 0.0 || support.contains(*x))
        })
        .collect()
}

/// A hint when the column compared is the default first column, its values are unique
/// increasing integers (an index or a year, not a sample) and another column of the file holds
/// numbers: name that column. Standard input cannot be read twice, so it gets no hint.
fn index_hint(args: &CompareArgs, data: &input::Input) -> Option<String> {
    use std::io::BufRead;
    if args.input.column.is_some() {
        return None;
    }
    let values = data.numbers.as_ref()?.values();
    let integer = values.iter().all(|x| x.fract() == 0.0);
    if values.len() < 3 || !integer || !values.windows(2).all(|w| w[0] < w[1]) {
        return None;
    }
    let path = args
        .input
        .file
        .as_deref()
        .filter(|p| p.as_os_str() != "-")?;
    let mut lines = std::io::BufReader::new(std::fs::File::open(path).ok()?).lines();
    let split = |line: &str| -> Vec<String> {
        line.split(args.input.delimiter as char)
            .map(|c| c.trim().trim_matches('"').to_string())
            .collect()
    };
    let header = if args.input.no_header {
        None
    } else {
        Some(split(&lines.next()?.ok()?))
    };
    let first_row = split(&lines.next()?.ok()?);
    let other = (1..first_row.len()).find(|&j| first_row[j].parse::<f64>().is_ok())?;
    let name = header
        .and_then(|h| h.get(other).cloned())
        .unwrap_or_else(|| (other + 1).to_string());
    Some(format!(
        "column {} is the default first column and holds unique increasing integers, like an index or a year; to compare the data in column {name}, add -c {name}",
        data.column
    ))
}
