//! CSV in long ("tidy") form: one row per fitted parameter, with the fit's summary repeated,
//! so families with different parameters share one header. With an uncertainty analysis
//! (`--se`, `--ci`, …) each row also has the three standard errors, the interval and the
//! bootstrap standard error, and derived quantities (`q0.05`, `mean`, `variance`) follow as
//! rows of their own; the tests (information matrix, goodness of fit) are in the table and
//! JSON only.

use super::{Context, Render};
use crate::fit::Fit;
use crate::inference::intervals::Interval;

/// Long-form CSV.
pub struct Csv;

const HEADER: &str = "family,parameter,estimate,std_error,fixed,n,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm";

impl Render for Csv {
    fn render(&self, fits: &[Fit], _context: &Context) -> String {
        let extended = fits.iter().any(|f| f.uncertainty.is_some());
        let mut out = String::from(HEADER);
        if extended {
            out.push_str(EXTRA);
        }
        out.push('\n');
        for f in fits {
            for (name, value) in &f.params.0 {
                let se = f
                    .std_errors
                    .as_ref()
                    .and_then(|s| s.get(name))
                    .map_or(String::new(), |v| v.to_string());
                let fixed = f.fixed.iter().any(|n| n == name);
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    f.family,
                    name,
                    value,
                    se,
                    fixed,
                    f.n,
                    f.cross_entropy,
                    f.log_likelihood,
                    f.aic,
                    f.bic,
                    f.converged,
                    f.termination.as_str(),
                    f.iterations,
                    f.score_norm
                ));
                if extended {
                    out.pop();
                    out.push_str(&extra_columns(f, name));
                    out.push('\n');
                }
            }
            if let Some(u) = &f.uncertainty {
                for d in &u.derived {
                    let (lo, hi, method, level) = interval_cells(d.interval.as_ref());
                    out.push_str(&format!(
                        "{},{},{},{},false,{},{},{},{},{},{},{},{},{},,,,{lo},{hi},{method},{level},{}\n",
                        f.family,
                        d.delta.name,
                        d.delta.estimate,
                        opt(d.delta.std_error),
                        f.n,
                        f.cross_entropy,
                        f.log_likelihood,
                        f.aic,
                        f.bic,
                        f.converged,
                        f.termination.as_str(),
                        f.iterations,
                        f.score_norm,
                        opt(d.bootstrap_std_error)
                    ));
                }
            }
        }
        out
    }
}

const EXTRA: &str =
    ",se_observed,se_expected,se_sandwich,ci_lower,ci_upper,ci_method,ci_level,bootstrap_se";

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

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
fn extra_columns(f: &Fit, name: &str) -> String {
    let Some(u) = &f.uncertainty else {
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
