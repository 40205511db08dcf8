//! `mlfit fit -f multivariate_normal`: one distribution on ℝᵈ fitted to several columns.
//!
//! The columns are `-c x,y,z` (header names or 1-based indices) or, without `-c`, every column
//! whose first non-missing cell is a number (a note names the columns left out). A row with a
//! missing value in any chosen column is an error unless `--skip-missing` drops it. Univariate
//! and multivariate families cannot be mixed in one call: they read different columns.

use std::fs::File;
use std::io::Read;

use anyhow::anyhow;
use mlfit::data::csv::{read_columns, ColumnSelector, CsvOptions};
use mlfit::multivariate::{self, Covariance, MultiFamily, MultiSample};
use mlfit::report::Context;
use mlfit::FitOptions;

use super::fit::{refuse, Refusal};
use super::{Failure, Output};
use crate::cli::FitArgs;

/// What a multivariate family cannot take, and why.
const REFUSED: &[Refusal] = &[
    Refusal {
        option: "--fix",
        given: |a| !a.fix.is_empty(),
        why: "its parameters are a vector and a matrix",
    },
    Refusal {
        option: "--trials",
        given: |a| a.trials.is_some(),
        why: "it has no number of trials",
    },
    Refusal {
        option: "--se, --ci, --bootstrap, --gof-bootstrap, --quantile and --moments",
        given: |a| super::uncertainty::requested(&a.uncertainty),
        why: "the uncertainty options are for univariate families (the fit reports closed-form standard errors)",
    },
    Refusal {
        option: "--weights",
        given: |a| a.input.weights.is_some(),
        why: "weighted multivariate fits are not implemented",
    },
    Refusal {
        option: "--save",
        given: |a| a.save.is_some(),
        why: "`mlfit eval` and `mlfit sample` take univariate models (use --format json to keep the fit)",
    },
];

/// Whether `mlfit fit` is asked for a multivariate fit: a multivariate family name, or
/// `--covariance`, which only multivariate families take.
pub fn applies(args: &FitArgs) -> bool {
    args.covariance.is_some()
        || args
            .family
            .iter()
            .any(|f| multivariate::lookup(f).is_some())
}

pub fn run(args: &FitArgs) -> Result<Output, Failure> {
    let family = resolve(args)?;
    refuse(args, REFUSED, family.name())?;
    let structure: Covariance = args.covariance.map(Into::into).unwrap_or_default();

    let (bytes, source) = read_input(args)?;
    let options = CsvOptions {
        has_header: !args.input.no_header,
        delimiter: args.input.delimiter,
        skip_missing: args.input.skip_missing,
        labels: false,
    };
    // Notes for stderr, and the same remarks for the fit's own notes.
    let mut notes = Vec::new();
    let mut fit_notes = Vec::new();
    let selectors = match &args.input.column {
        Some(list) => named_columns(list)?,
        None => {
            let (selectors, skipped) = numeric_columns(&bytes, &source, &options)?;
            if let Some(note) = skipped {
                notes.push(format!("{source}: {note}"));
                fit_notes.push(note);
            }
            selectors
        }
    };
    let table = read_columns(&bytes[..], &source, &selectors, &options)?;
    if args.input.column.is_some() {
        let names = &table.names;
        if let Some((_, name)) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(n))
        {
            return Err(Failure::usage(anyhow!("column {name} is selected twice")));
        }
    }
    let sample = MultiSample::from_table(&table)?;
    if table.skipped_missing > 0 {
        let k = table.skipped_missing;
        let rows = if k == 1 { "row" } else { "rows" };
        notes.push(format!(
            "{source}: skipped {k} {rows} with a missing value in columns {}",
            table.names.join(", ")
        ));
        fit_notes.push(if k == 1 {
            "1 row with a missing value was skipped".to_string()
        } else {
            format!("{k} rows with missing values were skipped")
        });
    }

    let fit_options = FitOptions {
        method: args.method.into(),
        gtol: args.tol,
        max_iterations: args.max_iter,
        fixed: Vec::new(),
        start: None,
    };
    let mut fit = multivariate::fit_multivariate(&sample, structure, &fit_options)?;
    if !fit.converged && !args.allow_nonconverged {
        let what = format!("{} fit", fit.family);
        return Err(super::not_converged(&what, fit.termination, &fit.notes));
    }
    fit.notes.extend(fit_notes);
    let context = Context {
        source,
        ..Context::default()
    };
    let stdout = super::renderer(args.format).multivariate(&fit, &context);
    Ok(Output { stdout, notes })
}

/// The one multivariate family asked for; a usage error when univariate families are asked
/// for too, when there are several, or when `--covariance` comes with univariate ones only.
fn resolve(args: &FitArgs) -> Result<MultiFamily, Failure> {
    let (multi, uni): (Vec<&String>, Vec<&String>) = args
        .family
        .iter()
        .partition(|f| multivariate::lookup(f).is_some());
    // An unknown name gets its own error (with a suggestion) before any other complaint.
    for name in &uni {
        mlfit::family::lookup(name)?;
    }
    let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    match (&multi[..], uni.is_empty()) {
        ([], _) => Err(Failure::usage(anyhow!(
            "--covariance applies to multivariate families (multivariate_normal), not to {}",
            list(&uni)
        ))),
        (_, false) => Err(Failure::usage(anyhow!(
            "cannot fit univariate ({}) and multivariate ({}) families in one call: they take different columns",
            list(&uni),
            list(&multi)
        ))),
        ([one], true) => multivariate::lookup(one).ok_or_else(|| {
            Failure::usage(anyhow!("unknown multivariate family {one}"))
        }),
        (_, true) => Err(Failure::usage(anyhow!(
            "fit one multivariate family at a time, not {}",
            list(&multi)
        ))),
    }
}

/// `-c x,y,z`: the columns by name (or `#index`).
fn named_columns(list: &str) -> Result<Vec<ColumnSelector>, Failure> {
    let parts: Vec<&str> = list.split(',').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Failure::usage(anyhow!(
            "-c {list:?}: expected a comma-separated list of column names or 1-based indices"
        )));
    }
    Ok(parts
        .into_iter()
        .map(|p| ColumnSelector::Name(p.to_string()))
        .collect())
}

/// Without `-c`: every column whose first non-missing cell is a number, and a note naming the
/// columns left out.
fn numeric_columns(
    bytes: &[u8],
    source: &str,
    options: &CsvOptions,
) -> Result<(Vec<ColumnSelector>, Option<String>), Failure> {
    let columns = multivariate::numeric_columns(bytes, source, options)?;
    let skipped: Vec<&str> = columns
        .iter()
        .filter(|(_, numeric)| !numeric)
        .map(|(name, _)| name.as_str())
        .collect();
    let chosen: Vec<(usize, &String)> = columns
        .iter()
        .enumerate()
        .filter(|(_, (_, numeric))| *numeric)
        .map(|(i, (name, _))| (i, name))
        .collect();
    if chosen.is_empty() {
        return Err(Failure::data(anyhow!(
            "{source}: no column holds numbers (choose columns with -c x,y,z)"
        )));
    }
    let note = (!skipped.is_empty()).then(|| {
        format!(
            "non-numeric column{} left out: {}",
            if skipped.len() == 1 { "" } else { "s" },
            skipped.join(", ")
        )
    });
    let selectors = chosen
        .into_iter()
        .map(|(i, name)| {
            // By name when the header names it unambiguously, else by `#index`.
            let first = columns.iter().position(|(n, _)| n == name) == Some(i);
            ColumnSelector::Name(if options.has_header && first {
                name.clone()
            } else {
                format!("#{}", i + 1)
            })
        })
        .collect();
    Ok((selectors, note))
}

/// The whole input (a file, or stdin for `-` or nothing) and its name: the columns are found
/// in one pass and read in another.
fn read_input(args: &FitArgs) -> Result<(Vec<u8>, String), Failure> {
    let mut bytes = Vec::new();
    let source = match args.input.file.as_deref() {
        Some(p) if p.as_os_str() != "-" => {
            let source = p.display().to_string();
            File::open(p)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| Failure::data(anyhow!("{source}: cannot open: {e}")))?;
            source
        }
        _ => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::data(anyhow!("<stdin>: cannot read: {e}")))?;
            "<stdin>".to_string()
        }
    };
    Ok((bytes, source))
}
