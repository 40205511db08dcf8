//! `mlfit fit`: read a column, fit each requested family, render the fits.
//!
//! All families are resolved before any data are read (an unknown name is a usage error even
//! on bad data) and all fits are done before anything is printed, so stdout never holds a
//! partial result.

use std::fs::File;
use std::io::Read;

use anyhow::anyhow;
use mlfit::data::csv::{read_columns, ColumnSelector, CsvOptions, Table};
use mlfit::family::{self, Constraint, Family, Support};
use mlfit::report::{self, Context, Csv, Json, Render};
use mlfit::{Fit, FitOptions};

use super::{Failure, Output};
use crate::cli::{FitArgs, Format};

pub fn run(args: &FitArgs) -> Result<Output, Failure> {
    let families: Vec<&'static dyn Family> = args
        .family
        .iter()
        .map(|name| family::lookup(name))
        .collect::<Result<_, _>>()?;
    let takes_trials = |f: &&dyn Family| {
        f.params()
            .iter()
            .any(|p| p.constraint == Constraint::FixedCount)
    };
    if args.trials.is_some() && !families.iter().any(takes_trials) {
        return Err(Failure::usage(anyhow!(
            "--trials applies to families with a number of trials (binomial, beta_binomial), not to {}",
            args.family.join(", ")
        )));
    }

    // A categorical reads the column as labels, the other families as numbers; when both are
    // asked for, the input is read into memory once and parsed both ways.
    let wants_labels = |f: &&dyn Family| f.support() == Support::Labels;
    let need_labels = families.iter().any(wants_labels);
    let need_numbers = !families.iter().all(wants_labels);
    let (mut reader, source): (Box<dyn Read>, String) = match args.file.as_deref() {
        None => (Box::new(std::io::stdin().lock()), "<stdin>".into()),
        Some(p) if p.as_os_str() == "-" => (Box::new(std::io::stdin().lock()), "<stdin>".into()),
        Some(p) => {
            let file = File::open(p)
                .map_err(|e| Failure::data(anyhow!("{}: cannot open: {e}", p.display())))?;
            (Box::new(file), p.display().to_string())
        }
    };
    // --trials is a number, or a column of per-row numbers of trials.
    let constant_trials: Option<f64> = args
        .trials
        .as_deref()
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|n| *n >= 1)
        .map(|n| n as f64);
    let trials_column = args.trials.as_ref().filter(|_| constant_trials.is_none());
    let mut selectors = vec![ColumnSelector::from_arg(args.column.as_deref())];
    if let Some(w) = &args.weights {
        selectors.push(ColumnSelector::Name(w.clone()));
    }
    let trials_slot = trials_column.map(|t| {
        selectors.push(ColumnSelector::Name(t.clone()));
        selectors.len() - 1
    });
    let options = CsvOptions {
        has_header: !args.no_header,
        delimiter: args.delimiter,
        skip_missing: args.skip_missing,
        labels: false,
    };
    let label_options = CsvOptions {
        labels: true,
        ..options.clone()
    };
    let (numbers, labels) = if need_labels && need_numbers {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::data(anyhow!("{source}: cannot read: {e}")))?;
        (
            Some(read_columns(&bytes[..], &source, &selectors, &options)?),
            Some(read_columns(
                &bytes[..],
                &source,
                &selectors,
                &label_options,
            )?),
        )
    } else if need_labels {
        (
            None,
            Some(read_columns(reader, &source, &selectors, &label_options)?),
        )
    } else {
        (
            Some(read_columns(reader, &source, &selectors, &options)?),
            None,
        )
    };
    let to_sample = |t: &Table| {
        let sample = if args.weights.is_some() {
            t.weighted_sample(0, 1)?
        } else {
            t.sample(0)?
        };
        match trials_slot {
            Some(slot) => t.with_trials(sample, slot),
            None => Ok(sample),
        }
    };
    let number_sample = numbers.as_ref().map(to_sample).transpose()?;
    let label_sample = labels.as_ref().map(to_sample).transpose()?;
    let table = numbers
        .as_ref()
        .or(labels.as_ref())
        .expect("at least one reading");
    let mut notes = Vec::new();
    if table.skipped_missing > 0 {
        notes.push(format!(
            "{source}: skipped {} row{} with a missing value in column {}",
            table.skipped_missing,
            if table.skipped_missing == 1 { "" } else { "s" },
            table.names[0]
        ));
    }

    let mut fits: Vec<Fit> = Vec::with_capacity(families.len());
    for fam in &families {
        let mut fixed = args.fix.clone();
        if let Some(n) = constant_trials {
            if let Some(p) = fam
                .params()
                .iter()
                .find(|p| p.constraint == Constraint::FixedCount)
            {
                fixed.push((p.name.to_string(), n));
            }
        }
        let fit_options = FitOptions {
            method: args.method.into(),
            gtol: args.tol,
            max_iterations: args.max_iter,
            fixed,
        };
        let sample = if wants_labels(fam) {
            label_sample.as_ref()
        } else {
            number_sample.as_ref()
        };
        let fit = mlfit::fit(*fam, sample.expect("read for this family"), &fit_options)?;
        if !fit.converged && !args.allow_nonconverged {
            let why = fit
                .notes
                .first()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            return Err(Failure::data(anyhow!(
                "{} fit did not converge ({}){why} (use --allow-nonconverged to print it anyway)",
                fit.family,
                fit.termination.as_str()
            )));
        }
        fits.push(fit);
    }
    if table.skipped_missing > 0 {
        for f in &mut fits {
            f.notes.push(format!(
                "{} rows with missing values were skipped",
                table.skipped_missing
            ));
        }
    }

    let context = Context {
        source,
        column: table.names[0].clone(),
        weights: args.weights.as_ref().map(|_| table.names[1].clone()),
    };
    let renderer: &dyn Render = match args.format {
        Format::Table => &report::Table,
        Format::Json => &Json,
        Format::Csv => &Csv,
    };
    Ok(Output {
        stdout: renderer.render(&fits, &context),
        notes,
    })
}
