//! The table of a [`MultiFit`]: the mean vector and the covariance matrix with their standard
//! errors, the correlations, and the certificate.

use super::super::aligned::{aligned, labels_then_numbers};
use super::super::sig;
use super::{iterations, summary};
use crate::multivariate::{Covariance, MultiFit};
use crate::optim::Termination;

/// The human table; `source` (a path or `<stdin>`, may be empty) goes into the heading.
pub(super) fn render(fit: &MultiFit, source: &str) -> String {
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
    out.push_str(&summary(
        fit.cross_entropy,
        fit.log_likelihood,
        fit.aic,
        &format!(" (k = {})", fit.k),
        fit.bic,
        &certificate(fit),
    ));
    for note in &fit.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

/// An aligned block: a title over the row labels, one right-aligned column per name.
fn block(title: &str, names: &[String], rows: &[(String, Vec<String>)]) -> String {
    let header = std::iter::once(title.to_string()).chain(names.iter().cloned());
    let table: Vec<Vec<String>> = std::iter::once(header.collect())
        .chain(rows.iter().map(|(label, cells)| {
            std::iter::once(label.clone())
                .chain(cells.iter().cloned())
                .collect()
        }))
        .collect();
    aligned(&table, "  ", labels_then_numbers)
}

fn certificate(f: &MultiFit) -> String {
    let iterations = iterations(f.iterations, f.method);
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
