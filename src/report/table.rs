//! The human table: for one family a parameter block with the fit's certificate; for several,
//! one row per family.

use super::{sig, Context, Render};
use crate::fit::Fit;
use crate::optim::Termination;

/// Aligned plain-text table for a terminal.
pub struct Table;

impl Render for Table {
    fn render(&self, fits: &[Fit], context: &Context) -> String {
        if fits.len() == 1 {
            single(&fits[0], context)
        } else {
            several(fits, context)
        }
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

fn certificate(f: &Fit) -> String {
    if f.termination == Termination::ClosedForm {
        return "yes: closed form (see the note)".into();
    }
    if f.termination == Termination::AllFixed {
        return "yes: every parameter is fixed; nothing was estimated".into();
    }
    if f.converged {
        format!(
            "yes: mean score {} (≤ tolerance) after {} {} iteration{}",
            sig(f.score_norm, 2),
            f.iterations,
            f.method.as_str(),
            if f.iterations == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "NO ({}): mean score {} after {} iterations",
            f.termination.as_str(),
            sig(f.score_norm, 2),
            f.iterations
        )
    }
}

fn single(f: &Fit, context: &Context) -> String {
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
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{} fit to {}\n\n", f.family, heading(context, f));
    for r in &rows {
        out.push_str(&format!(
            "  {:<w0$}  {:>w1$}  {:>w2$}\n",
            r[0],
            r[1],
            r[2],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "  cross entropy   {} nats/observation\n",
        sig(f.cross_entropy, 10)
    ));
    out.push_str(&format!(
        "  log-likelihood  {}\n",
        sig(f.log_likelihood, 10)
    ));
    out.push_str(&format!("  AIC             {}\n", sig(f.aic, 10)));
    out.push_str(&format!("  BIC             {}\n", sig(f.bic, 10)));
    out.push_str(&format!("  converged       {}\n", certificate(f)));
    for note in &f.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    if let Some(u) = &f.uncertainty {
        out.push_str(&super::uncertainty::block(u, &context.se_columns));
    }
    out
}

fn several(fits: &[Fit], context: &Context) -> String {
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
    for f in fits {
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
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{}\n\n", heading(context, &fits[0]));
    for r in &rows {
        let mut line = String::new();
        for c in 0..cols {
            let cell = &r[c];
            let pad = widths[c] - cell.chars().count();
            if c >= 2 && c < cols - 1 {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let notes: Vec<String> = fits
        .iter()
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
    for f in fits {
        if let Some(u) = &f.uncertainty {
            out.push_str(&format!("\n{}:", f.family));
            out.push_str(&super::uncertainty::block(u, &context.se_columns));
        }
    }
    out
}
