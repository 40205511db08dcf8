//! Reading the data column (with its weights and per-row trials) for `fit` and `eval`.
//!
//! A categorical reads the column as labels and the other families as numbers; when both are
//! needed the input is read into memory once and parsed both ways.

use std::fs::File;
use std::io::Read;

use anyhow::anyhow;
use mlfit::data::censoring::{
    read_censored as read_censored_csv, truncate as truncate_sample, CensoredSpec, Convention,
};
use mlfit::data::csv::{read_columns, ColumnSelector, CsvOptions, Table};
use mlfit::Sample;

use mlfit::family::{Family, Support};

use super::Failure;
use crate::cli::InputArgs;

/// `--trials`: a positive integer is a constant number of trials, anything else names a column
/// of per-row numbers of trials.
pub fn parse_trials(arg: Option<&String>) -> (Option<f64>, Option<&String>) {
    let constant = arg
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|n| *n >= 1)
        .map(|n| n as f64);
    (constant, arg.filter(|_| constant.is_none()))
}

/// Whether `families` need the column read as numbers and/or as labels (a categorical).
pub fn kinds_needed(families: &[&dyn Family]) -> (bool, bool) {
    let labels = |f: &&dyn Family| f.support() == Support::Labels;
    (!families.iter().all(labels), families.iter().any(labels))
}

/// The column as numbers and/or as labels, and what the reading dropped.
pub struct Input {
    pub source: String,
    pub column: String,
    pub weights: Option<String>,
    pub numbers: Option<Sample>,
    pub labels: Option<Sample>,
    /// A note for stderr when rows with missing values were skipped.
    pub skipped_note: Option<String>,
    pub skipped: usize,
}

/// The input file (or stdin) and its name for messages.
fn open(input: &InputArgs) -> Result<(Box<dyn Read>, String), Failure> {
    Ok(match input.file.as_deref() {
        None => (Box::new(std::io::stdin().lock()), "<stdin>".into()),
        Some(p) if p.as_os_str() == "-" => (Box::new(std::io::stdin().lock()), "<stdin>".into()),
        Some(p) => {
            let file = File::open(p)
                .map_err(|e| Failure::data(anyhow!("{}: cannot open: {e}", p.display())))?;
            (Box::new(file), p.display().to_string())
        }
    })
}

/// Read censored observations (`--interval LEFT,RIGHT`, or `-c TIME --event STATUS`), with
/// the input's weights; `convention` is `None` for exact values read as [`read`] does (then
/// only truncated). A truncation window applies to every row.
pub fn read_censored(
    input: &InputArgs,
    convention: Option<Convention>,
    truncate: Option<(f64, f64)>,
) -> Result<Input, Failure> {
    let mut data = match convention {
        None => read(input, true, false, None)?,
        Some(convention) => {
            let (reader, source) = open(input)?;
            let spec = CensoredSpec {
                convention,
                weights: input.weights.clone().map(ColumnSelector::Name),
            };
            let options = CsvOptions {
                has_header: !input.no_header,
                delimiter: input.delimiter,
                skip_missing: input.skip_missing,
                labels: false,
            };
            let t = read_censored_csv(reader, &source, &spec, &options)?;
            let skipped = t.skipped_missing;
            Input {
                column: t.names[..2].join(","),
                weights: input.weights.as_ref().map(|_| t.names[2].clone()),
                skipped_note: (skipped > 0).then(|| {
                    format!(
                        "{source}: skipped {skipped} row{} with a missing value",
                        if skipped == 1 { "" } else { "s" }
                    )
                }),
                source,
                numbers: Some(t.sample),
                labels: None,
                skipped,
            }
        }
    };
    if let Some((low, high)) = truncate {
        let sample = data.numbers.take().expect("read as numbers");
        data.numbers = Some(truncate_sample(sample, low, high)?);
    }
    Ok(data)
}

/// Read `input`, parsing the column as numbers and/or labels, with an optional column of
/// per-row numbers of trials.
pub fn read(
    input: &InputArgs,
    need_numbers: bool,
    need_labels: bool,
    trials_column: Option<&String>,
) -> Result<Input, Failure> {
    let (mut reader, source) = open(input)?;
    let mut selectors = vec![ColumnSelector::from_arg(input.column.as_deref())];
    if let Some(w) = &input.weights {
        selectors.push(ColumnSelector::Name(w.clone()));
    }
    let trials_slot = trials_column.map(|t| {
        selectors.push(ColumnSelector::Name(t.clone()));
        selectors.len() - 1
    });
    let options = CsvOptions {
        has_header: !input.no_header,
        delimiter: input.delimiter,
        skip_missing: input.skip_missing,
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
        let sample = if input.weights.is_some() {
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
    let skipped = table.skipped_missing;
    let skipped_note = (skipped > 0).then(|| {
        format!(
            "{source}: skipped {skipped} row{} with a missing value in column {}",
            if skipped == 1 { "" } else { "s" },
            table.names[0]
        )
    });
    Ok(Input {
        column: table.names[0].clone(),
        weights: input.weights.as_ref().map(|_| table.names[1].clone()),
        source,
        numbers: number_sample,
        labels: label_sample,
        skipped_note,
        skipped,
    })
}
