//! Rendering a [`MultiFit`]: a human table (the mean vector and the covariance matrix with
//! their standard errors, the correlations, and the certificate), JSON (the `MultiFit` itself)
//! and long-form CSV (one row per mean entry and per covariance entry).

use super::{Covariance, MultiFit};
use crate::optim::Termination;
use crate::report::sig;

/// The header of [`csv`].
pub const CSV_HEADER: &str = "family,covariance_structure,param,row,col,value,std_error,n,d,k,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm";

/// Pretty-printed JSON of the fit, ending with a newline.
pub fn json(fit: &MultiFit) -> String {
    serde_json::to_string_pretty(fit).expect("a MultiFit always serialises") + "\n"
}

/// Long-form CSV: one row for each entry μⱼ (`param` = `mean`, `row` = the column, `col`
/// empty) and each entry Σᵢⱼ of the whole matrix (`param` = `covariance`), with the fit's
/// summary repeated; `std_error` is empty for entries the structure holds at zero.
pub fn csv(fit: &MultiFit) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let summary = format!(
        "{},{},{},{},{},{},{},{},{},{},{}",
        fit.n,
        fit.d,
        fit.k,
        fit.cross_entropy,
        fit.log_likelihood,
        fit.aic,
        fit.bic,
        fit.converged,
        fit.termination.as_str(),
        fit.iterations,
        fit.score_norm
    );
    let mut line = |param: &str, row: &str, col: &str, value: f64, se: Option<f64>| {
        out.push_str(&format!(
            "{},{},{param},{},{},{value},{},{summary}\n",
            fit.family,
            fit.covariance_structure.as_str(),
            quote(row),
            quote(col),
            se.map_or(String::new(), |v| v.to_string())
        ));
    };
    let se = fit.std_errors.as_ref();
    for (j, name) in fit.columns.iter().enumerate() {
        line("mean", name, "", fit.params.mean[j], se.map(|s| s.mean[j]));
    }
    for (i, a) in fit.columns.iter().enumerate() {
        for (j, b) in fit.columns.iter().enumerate() {
            line(
                "covariance",
                a,
                b,
                fit.params.covariance[i][j],
                se.and_then(|s| s.covariance[i][j]),
            );
        }
    }
    out
}

/// The human table; `source` (a path or `<stdin>`, may be empty) goes into the heading.
pub fn table(fit: &MultiFit, source: &str) -> String {
    let d = fit.d;
    let to = if source.is_empty() {
        String::new()
    } else {
        format!(" to {source}")
    };
    let mut out = format!(
        "{} fit ({} covariance){to}, column{} {} (n = {}, d = {d})\n\n",
        fit.family,
        fit.covariance_structure.as_str(),
        if d == 1 { "" } else { "s" },
        fit.columns.join(", "),
        fit.n
    );
    let se = fit.std_errors.as_ref();
    let mut mean_rows = vec![(
        "estimate".to_string(),
        fit.params.mean.iter().map(|v| sig(*v, 7)).collect(),
    )];
    if let Some(se) = se {
        mean_rows.push((
            "std. error".to_string(),
            se.mean.iter().map(|v| sig(*v, 4)).collect(),
        ));
    }
    out.push_str(&block("mean", &fit.columns, &mean_rows));
    out.push('\n');
    let matrix_rows = |cell: &dyn Fn(usize, usize) -> String| -> Vec<(String, Vec<String>)> {
        fit.columns
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), (0..d).map(|j| cell(i, j)).collect()))
            .collect()
    };
    out.push_str(&block(
        "covariance",
        &fit.columns,
        &matrix_rows(&|i, j| sig(fit.params.covariance[i][j], 7)),
    ));
    if let Some(se) = se {
        out.push('\n');
        out.push_str(&block(
            "cov. std. error",
            &fit.columns,
            &matrix_rows(&|i, j| se.covariance[i][j].map_or("-".into(), |v| sig(v, 4))),
        ));
    }
    if fit.covariance_structure == Covariance::Full && d > 1 {
        let c = &fit.params.covariance;
        out.push('\n');
        out.push_str(&block(
            "correlation",
            &fit.columns,
            &matrix_rows(&|i, j| format!("{:.4}", c[i][j] / (c[i][i] * c[j][j]).sqrt())),
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "  cross entropy   {} nats/observation\n",
        sig(fit.cross_entropy, 10)
    ));
    out.push_str(&format!(
        "  log-likelihood  {}\n",
        sig(fit.log_likelihood, 10)
    ));
    out.push_str(&format!(
        "  AIC             {} (k = {})\n",
        sig(fit.aic, 10),
        fit.k
    ));
    out.push_str(&format!("  BIC             {}\n", sig(fit.bic, 10)));
    out.push_str(&format!("  converged       {}\n", certificate(fit)));
    for note in &fit.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

/// An aligned block: a title over the row labels, one right-aligned column per name.
fn block(title: &str, names: &[String], rows: &[(String, Vec<String>)]) -> String {
    let first = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .chain(std::iter::once(title.chars().count()))
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(j, n)| {
            rows.iter()
                .map(|(_, cells)| cells[j].chars().count())
                .chain(std::iter::once(n.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |label: &str, cells: &mut dyn Iterator<Item = &String>| {
        let mut s = format!("  {label}{}", " ".repeat(first - label.chars().count()));
        for (cell, w) in cells.zip(&widths) {
            s.push_str(&format!("  {}{cell}", " ".repeat(w - cell.chars().count())));
        }
        s + "\n"
    };
    let mut out = line(title, &mut names.iter());
    for (label, cells) in rows {
        out.push_str(&line(label, &mut cells.iter()));
    }
    out
}

fn certificate(f: &MultiFit) -> String {
    let iterations = format!(
        "{} {} iteration{}",
        f.iterations,
        f.method.as_str(),
        if f.iterations == 1 { "" } else { "s" }
    );
    match (f.converged, f.termination) {
        (true, Termination::RoundingLimit) => format!(
            "yes: at the rounding limit (mean score {}, see the note) after {iterations}",
            sig(f.score_norm, 2)
        ),
        (true, _) => format!(
            "yes: mean score {} (≤ tolerance) after {iterations}",
            sig(f.score_norm, 2)
        ),
        (false, t) => format!(
            "NO ({}): mean score {} after {iterations}",
            t.as_str(),
            sig(f.score_norm, 2)
        ),
    }
}

/// A CSV field, quoted when it holds a delimiter, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
