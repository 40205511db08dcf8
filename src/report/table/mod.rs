//! The human tables, for a terminal: one module per result type, all laid out by
//! [`aligned`](super::aligned) and closed by the same summary block (cross entropy,
//! log-likelihood, AIC, BIC, certificate).

mod compare;
mod fit;
mod mixture;
mod multivariate;
mod uncertainty;

use super::{sig, Context, EvalReport, FitReport, MixtureReport, Renderer};
use crate::compare::Comparison;
use crate::mixture::MixtureSelection;
use crate::multivariate::MultiFit;

/// Aligned plain-text tables for a terminal.
pub struct Table;

impl Renderer for Table {
    fn fits(&self, fits: &[FitReport], context: &Context) -> String {
        fit::render(fits, context)
    }

    fn comparison(&self, comparison: &Comparison, context: &Context) -> String {
        compare::render(comparison, context)
    }

    fn mixture(&self, report: &MixtureReport, context: &Context) -> String {
        mixture::single(
            &report.family,
            &report.fit,
            report.uncertainty.as_ref(),
            context,
        )
    }

    fn mixture_selection(&self, selection: &MixtureSelection, context: &Context) -> String {
        mixture::selection(selection, context)
    }

    fn multivariate(&self, fit: &MultiFit, context: &Context) -> String {
        multivariate::render(fit, &context.source)
    }

    fn evaluation(&self, report: &EvalReport, context: &Context) -> String {
        let e = report.evaluation;
        let saved = report.saved_fit;
        format!(
            "{} model from {} on {}, column {} (n = {})\n\n  cross entropy  {} ± {} nats/observation\n  at fit         {} nats/observation (n = {})\n{}",
            e.family,
            report.model,
            context.source,
            context.column,
            e.n,
            sig(e.cross_entropy, 10),
            if e.std_error.is_finite() { sig(e.std_error, 2) } else { "-".into() },
            saved.map_or("-".into(), |f| sig(f.cross_entropy, 10)),
            saved.map_or("-".into(), |f| f.n.to_string()),
            if e.outside > 0 { format!("  outside        {} rows\n", e.outside) } else { String::new() }
        )
    }
}

/// The block under a fit's parameters: cross entropy, log-likelihood, AIC (with `aic_suffix`),
/// BIC and the certificate, aligned on one column.
fn summary(
    cross_entropy: f64,
    log_likelihood: f64,
    aic: f64,
    aic_suffix: &str,
    bic: f64,
    certificate: &str,
) -> String {
    format!(
        "  cross entropy   {} nats/observation\n  log-likelihood  {}\n  AIC             {}{aic_suffix}\n  BIC             {}\n  converged       {certificate}\n",
        sig(cross_entropy, 10),
        sig(log_likelihood, 10),
        sig(aic, 10),
        sig(bic, 10),
    )
}

/// "after 3 newton iterations": the iteration count with its plural.
fn iterations(count: usize, method: crate::optim::Method) -> String {
    format!(
        "{count} {} iteration{}",
        method.as_str(),
        if count == 1 { "" } else { "s" }
    )
}
