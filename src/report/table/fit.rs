//! The table of univariate fits: for one family a parameter block with the fit's certificate;
//! for several, one row per family. An uncertainty analysis follows each fit that has one.

use super::super::aligned::{aligned, labels_then_numbers, Align};
use super::super::{sig, Context, FitReport};
use super::{iterations, summary, uncertainty};
use crate::fit::Fit;
use crate::optim::Termination;

/// One fit in full, or several as rows.
pub(super) fn render(fits: &[FitReport], context: &Context) -> String {
    match fits {
        [one] => single(one, context),
        _ => several(fits, context),
    }
}

fn heading(context: &Context, fit: &Fit) -> String {
    let n = fit.n;
    let size = match fit.weight_total {
        Some(w) if w.fract() == 0.0 && w.abs() < 1e15 => format!("n = {n}, total weight {w}"),
        Some(w) => format!("n = {n}, total weight {}", sig(w, 10)),
        None => format!("n = {n}"),
    };
    let weights = context
        .weights
        .as_ref()
        .map(|w| format!(" weighted by {w}"))
        .unwrap_or_default();
    if context.source.is_empty() {
        size
    } else {
        format!(
            "{}, column {}{weights} ({size})",
            context.source, context.column
        )
    }
}

/// The certificate in words.
pub(super) fn certificate(f: &Fit) -> String {
    if f.termination == Termination::ClosedForm {
        return "yes: closed form (see the note)".into();
    }
    if f.termination == Termination::AllFixed {
        return "yes: every parameter is fixed; nothing was estimated".into();
    }
    if f.converged {
        certified(f)
    } else {
        not_converged(f)
    }
}

/// "yes: mean score 2.7e-15 (≤ tolerance) after 1 newton iteration".
pub(super) fn certified(f: &Fit) -> String {
    format!(
        "yes: mean score {} (≤ tolerance) after {}",
        sig(f.score_norm, 2),
        iterations(f.iterations, f.method)
    )
}

/// "NO (max_iterations): mean score 0.1 after 200 iterations".
pub(super) fn not_converged(f: &Fit) -> String {
    format!(
        "NO ({}): mean score {} after {} iterations",
        f.termination.as_str(),
        sig(f.score_norm, 2),
        f.iterations
    )
}

fn single(report: &FitReport, context: &Context) -> String {
    let f = &report.fit;
    let mut rows = vec![[
        "parameter".to_string(),
        "estimate".to_string(),
        "std. error".to_string(),
    ]];
    for (name, value) in &f.params.0 {
        let se = if f.fixed.iter().any(|n| n == name) {
            "(fixed)".to_string()
        } else {
            f.std_errors
                .as_ref()
                .and_then(|s| s.get(name))
                .map_or("-".into(), |v| sig(v, 4))
        };
        rows.push([name.clone(), sig(*value, 10), se]);
    }
    let mut out = format!("{} fit to {}\n\n", f.family, heading(context, f));
    out.push_str(&aligned(&rows, "  ", labels_then_numbers));
    out.push('\n');
    out.push_str(&summary(
        f.cross_entropy,
        f.log_likelihood,
        f.aic,
        "",
        f.bic,
        &certificate(f),
    ));
    for note in &f.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    if let Some(u) = &report.uncertainty {
        out.push_str(&uncertainty::block(u, &context.se_columns));
    }
    out
}

fn several(fits: &[FitReport], context: &Context) -> String {
    let header = [
        "family",
        "parameters (± std. error)",
        "cross entropy",
        "log-likelihood",
        "AIC",
        "BIC",
        "converged",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for f in fits.iter().map(|r| &r.fit) {
        let params: Vec<String> = f
            .params
            .0
            .iter()
            .map(
                |(n, v)| match f.std_errors.as_ref().and_then(|s| s.get(n)) {
                    _ if v.is_nan() => format!("{n}=per row"),
                    _ if f.fixed.iter().any(|x| x == n) => format!("{n}={} (fixed)", sig(*v, 6)),
                    Some(se) => format!("{n}={} ±{}", sig(*v, 6), sig(se, 2)),
                    None => format!("{n}={}", sig(*v, 6)),
                },
            )
            .collect();
        rows.push(vec![
            f.family.clone(),
            params.join("  "),
            sig(f.cross_entropy, 8),
            sig(f.log_likelihood, 8),
            sig(f.aic, 8),
            sig(f.bic, 8),
            if f.converged {
                "yes".into()
            } else {
                format!("NO ({})", f.termination.as_str())
            },
        ]);
    }
    let cols = header.len();
    let mut out = match fits.first() {
        Some(first) => format!("{}\n\n", heading(context, &first.fit)),
        None => String::new(),
    };
    out.push_str(&aligned(&rows, "", |c| {
        if c >= 2 && c < cols - 1 {
            Align::Right
        } else {
            Align::Left
        }
    }));
    let notes: Vec<String> = fits
        .iter()
        .map(|r| &r.fit)
        .flat_map(|f| {
            f.notes
                .iter()
                .map(move |n| format!("note ({}): {n}", f.family))
        })
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }
    for r in fits {
        if let Some(u) = &r.uncertainty {
            out.push_str(&format!("\n{}:", r.fit.family));
            out.push_str(&uncertainty::block(u, &context.se_columns));
        }
    }
    out
}
