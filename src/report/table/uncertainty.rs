//! The human rendering of a fit's [`Uncertainty`]: standard errors side by side, the
//! information-matrix test's reading, intervals, derived quantities, the bootstrap and the
//! goodness-of-fit tests. JSON carries the same view through serde; CSV adds per-parameter
//! columns (see `report/csv.rs`).

use super::super::aligned::labels_then_numbers;
use super::super::sig;
use crate::inference::intervals::{Interval, IntervalMethod};
use crate::inference::{SeKind, Uncertainty};

/// Rows with the first column left-aligned and the others right-aligned, two-space indent.
fn aligned(rows: &[Vec<String>]) -> String {
    super::super::aligned(rows, "  ", labels_then_numbers)
}

fn limit(x: f64) -> String {
    if x.is_nan() {
        "?".into()
    } else if x == f64::INFINITY {
        "∞".into()
    } else if x == f64::NEG_INFINITY {
        "−∞".into()
    } else {
        sig(x, 6)
    }
}

/// 0.95 → "95", 0.999 → "99.9".
fn percent(level: f64) -> String {
    let s = format!("{:.4}", 100.0 * level);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn bracket(i: &Interval) -> String {
    format!("[{}, {}]", limit(i.lower), limit(i.upper))
}

fn method_name(m: IntervalMethod) -> &'static str {
    match m {
        IntervalMethod::Wald => "Wald",
        IntervalMethod::WaldLog => "Wald, log scale",
        IntervalMethod::WaldLogit => "Wald, logit scale",
        IntervalMethod::Profile => "profile likelihood",
        IntervalMethod::Percentile => "bootstrap percentile",
        IntervalMethod::Bca => "bootstrap BCa",
    }
}

fn kind_name(k: SeKind) -> &'static str {
    match k {
        SeKind::Observed => "observed",
        SeKind::Expected => "expected",
        SeKind::Sandwich => "sandwich",
    }
}

/// The uncertainty block under a single fit's table. `se_columns` are the standard errors to
/// show side by side (none: no standard-error block).
pub(super) fn block(u: &Uncertainty, se_columns: &[SeKind]) -> String {
    [
        standard_errors(u, se_columns),
        intervals(u),
        derived(u),
        bootstrap(u),
        goodness_of_fit(u),
    ]
    .concat()
}

/// The standard errors side by side, with the information-matrix test.
fn standard_errors(u: &Uncertainty, se_columns: &[SeKind]) -> String {
    let mut out = String::new();
    let c = &u.covariance;
    if !se_columns.is_empty() && !c.parameters.is_empty() {
        let mut header = vec!["std. errors".to_string()];
        header.extend(se_columns.iter().map(|k| kind_name(*k).to_string()));
        let ratio = se_columns.contains(&SeKind::Sandwich) && se_columns.len() > 1;
        if ratio {
            header.push("sandwich/observed".into());
        }
        let mut rows = vec![header];
        for p in &c.parameters {
            let mut row = vec![p.clone()];
            for k in se_columns {
                let m = match k {
                    SeKind::Observed => &c.observed,
                    SeKind::Expected => &c.expected,
                    SeKind::Sandwich => &c.sandwich,
                };
                row.push(
                    m.as_ref()
                        .and_then(|m| m.std_errors.get(p))
                        .map_or("-".into(), |v| sig(v, 4)),
                );
            }
            if ratio {
                row.push(
                    u.information_matrix_test
                        .as_ref()
                        .and_then(|t| t.se_ratio.get(p))
                        .map_or("-".into(), |v| format!("{v:.2}")),
                );
            }
            rows.push(row);
        }
        out.push('\n');
        out.push_str(&aligned(&rows));
        if let Some(t) = &u.information_matrix_test {
            out.push_str(&format!(
                "  information-matrix test: χ² = {} on {} df: {}\n",
                sig(t.statistic, 4),
                t.df,
                t.reading
            ));
        }
        for n in &c.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out
}

/// The confidence intervals of the parameters.
fn intervals(u: &Uncertainty) -> String {
    let mut out = String::new();
    if let Some(first) = u.intervals.first() {
        out.push('\n');
        let mut rows = vec![vec![
            format!("{}% intervals", percent(first.level)),
            "estimate".into(),
            "interval".into(),
            "method".into(),
        ]];
        for i in &u.intervals {
            rows.push(vec![
                i.parameter.clone(),
                sig(i.estimate, 6),
                bracket(i),
                method_name(i.method).into(),
            ]);
        }
        out.push_str(&aligned(&rows));
        for i in &u.intervals {
            if let Some(n) = &i.note {
                out.push_str(&format!("  note ({}): {n}\n", i.parameter));
            }
        }
    }
    out
}

/// Derived quantities with their standard errors and intervals.
fn derived(u: &Uncertainty) -> String {
    let mut out = String::new();
    if !u.derived.is_empty() {
        out.push('\n');
        let boot = u.derived.iter().any(|d| d.bootstrap_std_error.is_some());
        let ci = u.derived.iter().any(|d| d.interval.is_some());
        let mut header = vec![
            "derived".to_string(),
            "estimate".into(),
            format!("std. error ({})", kind_name(u.se_kind)),
        ];
        if boot {
            header.push("bootstrap s.e.".into());
        }
        if ci {
            header.push("interval".into());
        }
        let mut rows = vec![header];
        for d in &u.derived {
            let mut row = vec![
                d.delta.name.clone(),
                sig(d.delta.estimate, 6),
                d.delta.std_error.map_or("-".into(), |v| sig(v, 4)),
            ];
            if boot {
                row.push(d.bootstrap_std_error.map_or("-".into(), |v| sig(v, 4)));
            }
            if ci {
                row.push(d.interval.as_ref().map_or("-".into(), |i| {
                    format!("{} {}", bracket(i), method_name(i.method))
                }));
            }
            rows.push(row);
        }
        out.push_str(&aligned(&rows));
        for d in &u.derived {
            if let Some(n) = &d.delta.note {
                out.push_str(&format!("  note ({}): {n}\n", d.delta.name));
            }
        }
    }
    out
}

/// The bootstrap's replicates and standard errors.
fn bootstrap(u: &Uncertainty) -> String {
    let mut out = String::new();
    if let Some(b) = &u.bootstrap {
        out.push('\n');
        let kind = match b.kind {
            crate::inference::bootstrap::BootstrapKind::Nonparametric => "non-parametric",
            crate::inference::bootstrap::BootstrapKind::Parametric => "parametric",
        };
        let ses: Vec<String> = b
            .std_errors
            .0
            .iter()
            .map(|(n, v)| format!("{n} {}", sig(*v, 4)))
            .collect();
        out.push_str(&format!(
            "  bootstrap: {} {kind} replicates (seed {}), {} failed; std. errors: {}\n",
            b.replicates,
            b.seed,
            b.failed,
            ses.join(", ")
        ));
        for n in &b.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out
}

/// The goodness-of-fit statistics with their bootstrap p-values.
fn goodness_of_fit(u: &Uncertainty) -> String {
    let mut out = String::new();
    if let Some(g) = &u.goodness_of_fit {
        out.push('\n');
        let mut rows = vec![vec![
            format!(
                "goodness of fit ({} parametric-bootstrap refits, seed {})",
                g.replicates, g.seed
            ),
            "statistic".into(),
            "p-value".into(),
        ]];
        for s in &g.statistics {
            let name = match s.name.as_str() {
                "kolmogorov_smirnov" => "Kolmogorov–Smirnov D",
                "cramer_von_mises" => "Cramér–von Mises W²",
                "anderson_darling" => "Anderson–Darling A²",
                "pearson_chi_squared" => "Pearson X²",
                other => other,
            };
            // At the bootstrap's floor 1/(1 + replicates) no replicate reached the statistic:
            // the p-value is a bound.
            let floor = 1.0 / (1.0 + s.replicates as f64);
            let mut p = s.p_value.map_or("-".into(), |v| {
                if s.replicates > 0 && (v - floor).abs() <= 1e-12 * floor {
                    format!("≤ {}", trimmed(floor))
                } else {
                    sig(v, 3)
                }
            });
            if s.failed > 0 {
                p.push_str(&format!(" ({} failed)", s.failed));
            }
            rows.push(vec![name.to_string(), sig(s.value, 5), p]);
        }
        out.push_str(&aligned(&rows));
        if let Some(n) = &g.note {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out
}

/// Three significant digits without trailing zeros ("0.001", not "0.00100").
fn trimmed(x: f64) -> String {
    let s = sig(x, 3);
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
