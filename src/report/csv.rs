//! CSV in long ("tidy") form, so that results with different parameters share one header:
//!
//! - fits: one row per fitted parameter, with the fit's summary repeated. With an uncertainty
//!   analysis (`--se`, `--ci`, …) each row also has the three standard errors, the interval
//!   and the bootstrap standard error, and derived quantities (`q0.05`, `mean`, `variance`)
//!   follow as rows of their own; the tests (information matrix, goodness of fit) are in the
//!   table and JSON only;
//! - comparisons: one row per family;
//! - mixtures: one row per parameter of each number of components (no uncertainty columns);
//! - multivariate fits: one row per mean entry and per covariance entry;
//! - evaluations: one row (and [`per_row`]: one row per observation).

use super::{Context, EvalReport, FitReport, MixtureReport, Renderer};
use crate::compare::Comparison;
use crate::data::Sample;
use crate::fit::Fit;
use crate::inference::intervals::Interval;
use crate::inference::Uncertainty;
use crate::mixture::{MixtureFit, MixtureSelection};
use crate::model::Evaluation;
use crate::multivariate::MultiFit;

/// Long-form CSV.
pub struct Csv;

impl Renderer for Csv {
    fn fits(&self, fits: &[FitReport], _context: &Context) -> String {
        fits_csv(fits)
    }

    fn comparison(&self, comparison: &Comparison, _context: &Context) -> String {
        comparison_csv(comparison)
    }

    fn mixture(&self, report: &MixtureReport, _context: &Context) -> String {
        mixture_csv(
            &report.family,
            std::slice::from_ref(&report.fit),
            Some(report.fit.components),
        )
    }

    fn mixture_selection(&self, s: &MixtureSelection, _context: &Context) -> String {
        let fits: Vec<MixtureFit> = s.fits.iter().filter_map(|c| c.fit.clone()).collect();
        mixture_csv(&s.family, &fits, Some(s.chosen_k))
    }

    fn multivariate(&self, fit: &MultiFit, _context: &Context) -> String {
        multivariate_csv(fit)
    }

    fn evaluation(&self, report: &EvalReport, _context: &Context) -> String {
        let e = report.evaluation;
        format!(
            "family,n,cross_entropy,std_error,outside\n{},{},{},{},{}\n",
            e.family,
            e.n,
            e.cross_entropy,
            finite(e.std_error),
            e.outside
        )
    }
}

/// Each observation's log-likelihood under a model (`mlfit eval --per-row`): its input line,
/// its value and ln p(x | θ), in input order.
pub fn per_row(evaluation: &Evaluation, sample: &Sample) -> String {
    let mut out = String::from("line,value,log_likelihood\n");
    for (i, lp) in evaluation.per_row.iter().enumerate() {
        let line = sample.location(i).map_or(0, |l| l.line);
        out.push_str(&format!("{line},{},{lp}\n", sample.values()[i]));
    }
    out
}

const HEADER: &str = "family,parameter,estimate,std_error,fixed,n,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm";

fn fits_csv(fits: &[FitReport]) -> String {
    let extended = fits.iter().any(|f| f.uncertainty.is_some());
    let mut out = String::from(HEADER);
    if extended {
        out.push_str(EXTRA);
    }
    out.push('\n');
    for FitReport {
        fit: f,
        uncertainty,
    } in fits
    {
        for (name, value) in &f.params.0 {
            let se = opt(f.std_errors.as_ref().and_then(|s| s.get(name)));
            let fixed = f.fixed.iter().any(|n| n == name);
            out.push_str(&format!(
                "{},{name},{value},{se},{fixed},{}\n",
                f.family,
                summary(f)
            ));
            if extended {
                out.pop();
                out.push_str(&extra_columns(uncertainty.as_ref(), name));
                out.push('\n');
            }
        }
        if let Some(u) = uncertainty {
            for d in &u.derived {
                let (lo, hi, method, level) = interval_cells(d.interval.as_ref());
                out.push_str(&format!(
                    "{},{},{},{},false,{},,,,{lo},{hi},{method},{level},{}\n",
                    f.family,
                    d.delta.name,
                    d.delta.estimate,
                    opt(d.delta.std_error),
                    summary(f),
                    opt(d.bootstrap_std_error)
                ));
            }
        }
    }
    out
}

/// A fit's summary cells: `n` to `score_norm`, repeated on each of its rows.
fn summary(f: &Fit) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{}",
        f.n,
        f.cross_entropy,
        f.log_likelihood,
        f.aic,
        f.bic,
        f.converged,
        f.termination.as_str(),
        f.iterations,
        f.score_norm
    )
}

const EXTRA: &str =
    ",se_observed,se_expected,se_sandwich,ci_lower,ci_upper,ci_method,ci_level,bootstrap_se";

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), finite)
}

/// A number as `{}` prints it, or an empty cell for NaN (JSON's `null`: a standard error with
/// fewer than two values, a bootstrap whose refits all failed).
fn finite(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        v.to_string()
    }
}

fn interval_cells(i: Option<&Interval>) -> (String, String, String, String) {
    match i {
        Some(i) => (
            finite(i.lower),
            finite(i.upper),
            serde_json::to_value(i.method)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            i.level.to_string(),
        ),
        None => Default::default(),
    }
}

/// The uncertainty columns of parameter `name`'s row (empty cells where there is nothing).
fn extra_columns(uncertainty: Option<&Uncertainty>, name: &str) -> String {
    let Some(u) = uncertainty else {
        return ",,,,,,,,".into();
    };
    let c = &u.covariance;
    let se = |m: &Option<crate::inference::covariance::CovarianceMatrix>| {
        opt(m.as_ref().and_then(|m| m.std_errors.get(name)))
    };
    let (lo, hi, method, level) = interval_cells(u.intervals.iter().find(|i| i.parameter == name));
    let boot = opt(u.bootstrap.as_ref().and_then(|b| b.std_errors.get(name)));
    format!(
        ",{},{},{},{lo},{hi},{method},{level},{boot}",
        se(&c.observed),
        se(&c.expected),
        se(&c.sandwich)
    )
}

/// A number as `{:?}` prints it, or an empty cell for NaN (JSON's `null`).
fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v:?}")
    }
}

fn comparison_csv(c: &Comparison) -> String {
    let mut out = String::from("group,family,k,cross_entropy,cross_entropy_se,heldout,heldout_se,aic,aicc,bic,delta_aic,akaike_weight,kl_estimate,ks_distance,converged,termination,error,rank,status,kl_std_error\n");
    for g in &c.groups {
        for e in &g.families {
            match (&e.fit, &e.heldout) {
                (Some(f), Some(h)) => {
                    out.push_str(&format!(
                        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},,{},{},{}\n",
                        g.kind,
                        e.family,
                        e.k,
                        num(f.cross_entropy),
                        num(e.cross_entropy_se),
                        num(h.cross_entropy),
                        num(h.std_error),
                        num(f.aic),
                        num(e.aicc),
                        num(f.bic),
                        num(e.delta_aic),
                        num(e.akaike_weight),
                        num(e.kl_estimate),
                        e.ks_distance.map_or(String::new(), |d| format!("{d:?}")),
                        f.converged,
                        f.termination.as_str(),
                        e.rank.map_or(String::new(), |r| r.to_string()),
                        quote(&e.status),
                        num(e.kl_std_error)
                    ));
                }
                _ => out.push_str(&format!(
                    "{},{},{},,,,,,,,,,,,false,,\"{}\",,{},\n",
                    g.kind,
                    e.family,
                    e.k,
                    e.error.as_deref().unwrap_or("").replace('"', "\"\""),
                    quote(&e.status)
                )),
            }
        }
    }
    out
}

const MIXTURE_HEADER: &str = "family,components,parameter,estimate,std_error,n,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm,starts,starts_reaching_best,degenerate_starts,chosen";

/// Long form: one row per parameter of each fit, the fit's summary repeated.
fn mixture_csv(family: &str, fits: &[MixtureFit], chosen: Option<usize>) -> String {
    let mut out = format!("{MIXTURE_HEADER}\n");
    for f in fits {
        let r = &f.fit;
        for (name, value) in &r.params.0 {
            let se = opt(r.std_errors.as_ref().and_then(|s| s.get(name)));
            out.push_str(&format!(
                "{family},{},{name},{value},{se},{},{},{},{},{}\n",
                f.components,
                summary(r),
                f.starts,
                f.starts_reaching_best,
                f.degenerate_starts,
                chosen == Some(f.components)
            ));
        }
    }
    out
}

/// The header of the CSV of a multivariate fit.
pub const MULTIVARIATE_HEADER: &str = "family,covariance_structure,param,row,col,value,std_error,n,d,k,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm";

/// Long-form CSV: one row for each entry μⱼ (`param` = `mean`, `row` = the column, `col`
/// empty) and each entry Σᵢⱼ of the whole matrix (`param` = `covariance`), with the fit's
/// summary repeated; `std_error` is empty for entries the structure holds at zero.
fn multivariate_csv(fit: &MultiFit) -> String {
    let mut out = String::from(MULTIVARIATE_HEADER);
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

/// A CSV field, quoted when it holds a delimiter, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
