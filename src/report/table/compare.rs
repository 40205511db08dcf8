//! The table of a [`Comparison`]: per group (continuous, discrete, circular) the ranked
//! families, then the entropy of the data, the winner's margin, the nested likelihood-ratio
//! tests and the families that failed or did not converge.

use super::super::aligned::{aligned, Align};
use super::super::{sig, Context};
use crate::compare::{Comparison, Group, SortKey};

fn num(x: f64, digits: usize) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        sig(x, digits)
    }
}

/// Each group's ranking, its entropy bound, margin and nested tests.
pub(super) fn render(c: &Comparison, context: &Context) -> String {
    let mut out = String::new();
    for g in &c.groups {
        out.push_str(&heading(c, g, context));
        out.push_str(&ranking(g));
        out.push('\n');
        out.push_str(&remarks(c, g));
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

/// "data.csv, column x (n = 400): discrete families ranked by …".
fn heading(c: &Comparison, g: &Group, context: &Context) -> String {
    let (source, column) = (&context.source, &context.column);
    let n = g
        .families
        .iter()
        .find_map(|e| e.fit.as_ref().map(|f| f.n))
        .unwrap_or(0);
    format!(
        "{source}, column {column} (n = {n}): {} families ranked by {} (held out: {}-fold, seed {})\n\n",
        g.kind,
        criterion(c.sort),
        c.folds,
        c.seed
    )
}

/// The ranking criterion in words.
fn criterion(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Heldout => "held-out cross entropy",
        SortKey::CrossEntropy => "cross entropy",
        SortKey::Aic => "AIC",
        SortKey::Bic => "BIC",
    }
}

/// The families as rows, best first.
fn ranking(g: &Group) -> String {
    let header = [
        "rank",
        "family",
        "k",
        "cross entropy",
        "held-out",
        "AIC",
        "AICc",
        "BIC",
        "ΔAIC",
        "weight",
        "KL est.",
        "KS",
        "status",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for e in &g.families {
        match (&e.fit, &e.heldout) {
            (Some(f), Some(h)) => {
                rows.push(vec![
                    rank(e),
                    e.family.clone(),
                    e.k.to_string(),
                    format!(
                        "{} ±{}",
                        sig(f.cross_entropy, 6),
                        num(e.cross_entropy_se, 2)
                    ),
                    format!("{} ±{}", num(h.cross_entropy, 6), num(h.std_error, 2)),
                    sig(f.aic, 7),
                    num(e.aicc, 7),
                    sig(f.bic, 7),
                    num(e.delta_aic, 4),
                    num(e.akaike_weight, 3),
                    kl(e),
                    e.ks_distance.map_or("-".into(), |d| sig(d, 3)),
                    e.status.clone(),
                ]);
            }
            _ => {
                let mut r = vec!["-".into(), e.family.clone()];
                r.extend(std::iter::repeat_n(String::new(), 10));
                r.push(e.status.clone());
                rows.push(r);
            }
        }
    }
    // Without an entropy estimate there is no KL column (the reason is under the table).
    if g.entropy_estimate.is_none() {
        let at = header.iter().position(|h| *h == "KL est.").unwrap_or(0);
        for r in &mut rows {
            r.remove(at);
        }
    }
    let last = rows[0].len() - 1;
    aligned(&rows, "", |c| {
        if c == 1 || c == last {
            Align::Left
        } else {
            Align::Right
        }
    })
}

/// The rank column: the place, `1=` for a tie with the best, `-` for a family without a rank
/// of its own (a boundary fit, a failure).
fn rank(e: &crate::compare::Entry) -> String {
    match e.rank {
        Some(r) if e.tied_with_best => format!("{r}="),
        Some(r) => r.to_string(),
        None => "-".into(),
    }
}

/// A KL estimate with its standard error; `≈ 0` when it is within two standard errors of 0.
fn kl(e: &crate::compare::Entry) -> String {
    let (kl, se) = (e.kl_estimate, e.kl_std_error);
    if kl.is_nan() {
        "-".into()
    } else if kl <= 2.0 * se || kl == 0.0 {
        format!("≈ 0 ±{}", num(se, 2))
    } else {
        format!("{} ±{}", sig(kl, 3), num(se, 2))
    }
}

/// Under the ranking: the entropy of the data, the margin, the nested tests, the failures.
fn remarks(c: &Comparison, g: &Group) -> String {
    let mut out = String::new();
    match (&g.entropy_estimate, &g.entropy_error) {
        (Some(h), _) => out.push_str(&format!(
            "entropy of the data: H = {} ±{} nats ({}); KL est. = cross entropy − H{}\n",
            sig(h.entropy, 6),
            sig(h.std_error, 2),
            h.method,
            if h.grid.is_some() {
                ", both on the recorded grid"
            } else {
                ""
            }
        )),
        (None, Some(e)) => out.push_str(&format!(
            "entropy of the data: unavailable ({e}); no KL estimates\n"
        )),
        _ => {}
    }
    if let Some(m) = &g.margin {
        let unit = match c.sort {
            SortKey::Heldout | SortKey::CrossEntropy => " nats/observation",
            _ => "",
        };
        let se = m.std_error.map_or(String::new(), |s| {
            format!(" (paired std. error {})", sig(s, 2))
        });
        if m.difference == f64::INFINITY {
            // "by inf nats" says nothing: say which criterion is infinite.
            out.push_str(&format!(
                "best: {} over {}, whose {} is infinite\n",
                m.winner,
                m.runner_up,
                criterion(c.sort),
            ));
        } else if m.tie {
            out.push_str(&format!(
                "best: {} and {} tie: {} ahead by {}{unit}, within the paired std. error {}\n",
                m.winner,
                m.runner_up,
                m.winner,
                sig(m.difference, 3),
                m.std_error.map_or(String::new(), |s| sig(s, 2))
            ));
        } else {
            out.push_str(&format!(
                "best: {} by {}{unit} over {}{se}\n",
                m.winner,
                sig(m.difference, 3),
                m.runner_up,
            ));
        }
    }
    for t in &g.nested {
        out.push_str(&format!(
            "nested: {} ⊂ {} ({}): 2Δℓ = {}, df {}, p {}{}\n",
            t.small,
            t.big,
            t.restriction,
            sig(t.statistic, 4),
            t.df,
            // Below the floating-point floor the tail probability is a bound, not 0.
            if t.p_value < 1e-300 {
                "< 1e-300".to_string()
            } else {
                format!("= {}", sig(t.p_value, 3))
            },
            if t.on_boundary {
                " (boundary null: ½χ²₀ + ½χ²₁)"
            } else {
                ""
            }
        ));
    }
    for (e, error) in g
        .families
        .iter()
        .filter_map(|e| e.error.as_ref().map(|error| (e, error)))
    {
        out.push_str(&format!("failed: {}: {error}\n", e.family));
    }
    for (e, f) in g
        .families
        .iter()
        .filter_map(|e| e.fit.as_ref().filter(|f| !f.converged).map(|f| (e, f)))
    {
        out.push_str(&format!(
            "not converged: {} ({}): {}\n",
            e.family,
            f.termination.as_str(),
            f.notes.first().map_or("", String::as_str)
        ));
    }
    out
}
