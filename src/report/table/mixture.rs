//! The table of a mixture fit: the components side by side (sorted by location) with their
//! standard errors, the summary and the record of the starts; for a range of K, one row per K
//! with its BIC, then the chosen fit in full.

use super::super::aligned::{aligned, labels_then_numbers, Align};
use super::super::{sig, Context};
use super::fit::{certified, not_converged};
use super::summary;
use crate::inference::Uncertainty;
use crate::mixture::{MixtureFit, MixtureSelection};

/// Column labels of the components' parameters: the registry instance's names without the
/// component number (`w1` → weight, `mean1` → mean), so that one component (the base family,
/// whose Poisson calls its rate `lambda`) is labelled as the others are.
fn columns(family: &str, f: &MixtureFit) -> Vec<String> {
    let names: Vec<&str> = match crate::family::lookup(family) {
        Ok(registered) => registered.params().iter().map(|p| p.name).collect(),
        // Not a registered family: the fit's own names.
        Err(_) if f.components == 1 => std::iter::once("w")
            .chain(f.fit.params.0.iter().map(|(n, _)| n.as_str()))
            .collect(),
        Err(_) => f.fit.params.0.iter().map(|(n, _)| n.as_str()).collect(),
    };
    let per = if names.len().is_multiple_of(3) { 3 } else { 2 };
    let k = (names.len() / per).max(1);
    (0..per)
        .filter_map(|a| names.get(a * k))
        .enumerate()
        .map(|(a, name)| {
            let name = name.trim_end_matches(|c: char| c.is_ascii_digit());
            if a == 0 { "weight" } else { name }.to_string()
        })
        .collect()
}

/// Per component, per column: (estimate, standard error).
fn cells(f: &MixtureFit, per: usize) -> Vec<Vec<(f64, Option<f64>)>> {
    let params = &f.fit.params.0;
    let se = |name: &str| f.fit.std_errors.as_ref().and_then(|s| s.get(name));
    let k = f.components;
    (0..k)
        .map(|j| {
            (0..per)
                .map(|a| {
                    if k == 1 {
                        // The base family's fit: weight 1, then its parameters in order.
                        match a {
                            0 => (1.0, None),
                            _ => {
                                let (name, v) = &params[a - 1];
                                (*v, se(name))
                            }
                        }
                    } else {
                        let (name, v) = &params[a * k + j];
                        (*v, se(name))
                    }
                })
                .collect()
        })
        .collect()
}

fn heading(context: &Context, f: &MixtureFit) -> String {
    let weights = context
        .weights
        .as_ref()
        .map(|w| format!(" weighted by {w}"))
        .unwrap_or_default();
    format!(
        "{}, column {}{weights} (n = {})",
        context.source, context.column, f.fit.n
    )
}

fn certificate(f: &MixtureFit) -> String {
    let r = &f.fit;
    if r.converged {
        format!("{} from the best EM solution", certified(r))
    } else {
        not_converged(r)
    }
}

fn starts_line(f: &MixtureFit) -> String {
    if f.components == 1 {
        return "1 (one component: the closed-form or single-start fit)".into();
    }
    format!(
        "{} (seed {}), reaching best: {}; degenerate: {}; not converged: {}",
        f.starts, f.seed, f.starts_reaching_best, f.degenerate_starts, f.nonconverged_starts
    )
}

/// One number of components in full: the components side by side, the summary, the starts and
/// the uncertainty analysis.
pub(super) fn single(
    family: &str,
    f: &MixtureFit,
    uncertainty: Option<&Uncertainty>,
    context: &Context,
) -> String {
    let labels = columns(family, f);
    let by = &labels[1];
    let what = if f.components == 1 {
        format!("1 component (= {})", f.fit.family)
    } else {
        format!("{} components, sorted by {by}", f.components)
    };
    let mut out = format!("{family} fit to {}: {what}\n\n", heading(context, f));
    let mut rows: Vec<Vec<String>> = vec![std::iter::once("component".to_string())
        .chain(
            labels
                .iter()
                .flat_map(|l| [l.clone(), "std. error".to_string()]),
        )
        .collect()];
    for (j, comp) in cells(f, labels.len()).iter().enumerate() {
        let mut row = vec![format!("{}", j + 1)];
        for (v, se) in comp {
            row.push(sig(*v, 8));
            row.push(se.map_or("-".into(), |s| sig(s, 4)));
        }
        rows.push(row);
    }
    out.push_str(&aligned(&rows, "  ", labels_then_numbers));
    out.push('\n');
    let r = &f.fit;
    out.push_str(&summary(
        r.cross_entropy,
        r.log_likelihood,
        r.aic,
        "",
        r.bic,
        &certificate(f),
    ));
    out.push_str(&format!("  starts          {}\n", starts_line(f)));
    for note in &r.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    if let Some(u) = uncertainty {
        out.push_str(&super::uncertainty::block(u, &context.se_columns));
    }
    out
}

/// Every number of components as a row, then the chosen one in full.
pub(super) fn selection(s: &MixtureSelection, context: &Context) -> String {
    let chosen = s.chosen();
    let (lo, hi) = (
        s.fits.first().map_or(0, |c| c.components),
        s.fits.last().map_or(0, |c| c.components),
    );
    let mut out = format!(
        "{} fits to {}: {lo} to {hi} components, chosen by BIC\n\n",
        s.family,
        heading(context, chosen)
    );
    let mut rows = vec![[
        "K",
        "parameters",
        "log-likelihood",
        "AIC",
        "BIC",
        "ΔBIC",
        "starts reaching best",
        "converged",
    ]
    .map(String::from)
    .to_vec()];
    for c in &s.fits {
        let mark = if c.components == s.chosen_k {
            "  ← chosen"
        } else {
            ""
        };
        match &c.fit {
            Some(f) => {
                let k = ((f.fit.aic + 2.0 * f.fit.log_likelihood) / 2.0).round();
                rows.push(vec![
                    c.components.to_string(),
                    format!("{k}"),
                    sig(f.fit.log_likelihood, 8),
                    sig(f.fit.aic, 8),
                    sig(f.fit.bic, 8),
                    sig(c.delta_bic, 4),
                    format!("{} of {}", f.starts_reaching_best, f.starts),
                    format!(
                        "{}{mark}",
                        if f.fit.converged {
                            "yes".to_string()
                        } else {
                            format!("NO ({})", f.fit.termination.as_str())
                        }
                    ),
                ]);
            }
            None => rows.push(vec![
                c.components.to_string(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("NO: {}", c.error.as_deref().unwrap_or("no fit")),
            ]),
        }
    }
    let last = rows[0].len() - 1;
    out.push_str(&aligned(&rows, "  ", |c| {
        if c == 0 || c == last {
            Align::Left
        } else {
            Align::Right
        }
    }));
    out.push_str(&format!(
        "\nchosen: {} component{} (lowest BIC)\n\n",
        s.chosen_k,
        if s.chosen_k == 1 { "" } else { "s" }
    ));
    out.push_str(&single(&s.family, chosen, None, context));
    out
}
