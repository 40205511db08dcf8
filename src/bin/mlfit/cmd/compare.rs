//! `mlfit compare`: rank families by held-out cross entropy (and in-sample cross entropy,
//! AIC, AICc, BIC, Akaike weights) against a model-free estimate of the data's entropy.

use anyhow::anyhow;
use mlfit::compare::{compare, CompareOptions, Comparison};
use mlfit::family::{self, Constraint, Family, Support, REGISTRY};
use mlfit::report::sig;
use mlfit::{FitOptions, Sample};

use super::{input, Failure, Output};
use crate::cli::{CompareArgs, Format};

pub fn run(args: &CompareArgs) -> Result<Output, Failure> {
    let requested: Vec<&'static dyn Family> = args
        .family
        .iter()
        .map(|n| family::lookup(n))
        .collect::<Result<_, _>>()?;
    let (constant_trials, trials_column) = input::parse_trials(args.trials.as_ref());
    let wants_labels = |f: &&dyn Family| f.support() == Support::Labels;
    let (some_numbers, need_labels) = input::kinds_needed(&requested);
    let need_numbers = requested.is_empty() || some_numbers;
    let data = input::read(&args.input, need_numbers, need_labels, trials_column)?;
    let families = if requested.is_empty() {
        default_families(
            data.numbers.as_ref().expect("numbers read"),
            args.trials.is_some(),
        )
    } else {
        requested
    };
    if families.is_empty() {
        return Err(Failure::data(anyhow!(
            "{}: no family's support contains these data",
            data.source
        )));
    }
    let pairs: Vec<(&dyn Family, &Sample)> = families
        .iter()
        .map(|f| {
            (
                *f,
                if wants_labels(f) {
                    data.labels.as_ref()
                } else {
                    data.numbers.as_ref()
                }
                .expect("read for this family"),
            )
        })
        .collect();
    let fixed = |f: &dyn Family| -> Vec<(String, f64)> {
        match (
            constant_trials,
            f.params()
                .iter()
                .find(|p| p.constraint == Constraint::FixedCount),
        ) {
            (Some(n), Some(p)) => vec![(p.name.to_string(), n)],
            _ => vec![],
        }
    };
    // Fixed trials differ by family; fit each group member with its own options.
    let mut comparison: Option<Comparison> = None;
    let opts = |f: &dyn Family| CompareOptions {
        fit: FitOptions {
            method: args.method.into(),
            fixed: fixed(f),
            start: None,
            ..FitOptions::default()
        },
        folds: args.folds,
        seed: args.seed,
        sort: args.sort.into(),
    };
    if constant_trials.is_some() {
        // Binomial-type families need their trials; the others must not get them.
        let (with, without): (Vec<_>, Vec<_>) =
            pairs.iter().partition(|(f, _)| !fixed(*f).is_empty());
        let mut groups = Vec::new();
        for part in [without, with] {
            if let Some((f, _)) = part.first() {
                let c = compare(&part.to_vec(), &opts(*f));
                groups.extend(c.groups);
            }
        }
        comparison = Some(merge(groups, args.sort.into()));
    }
    let comparison = comparison.unwrap_or_else(|| compare(&pairs, &opts(pairs[0].0)));
    let mut notes: Vec<String> = data.skipped_note.into_iter().collect();
    if comparison.groups.len() > 1 {
        notes.push("discrete and continuous families are ranked separately: probability masses and densities are not on one scale".into());
    }
    let stdout = match args.format {
        Format::Json => serde_json::to_string_pretty(&comparison).expect("serialisable") + "\n",
        Format::Csv => csv(&comparison),
        Format::Table => table(&comparison, &data.source, &data.column, args),
    };
    Ok(Output { stdout, notes })
}

/// Merge groups of the same kind (a split by fixed trials) back into one ranking.
fn merge(groups: Vec<mlfit::compare::Group>, sort: mlfit::compare::SortKey) -> Comparison {
    let mut out: Vec<mlfit::compare::Group> = Vec::new();
    for g in groups {
        match out.iter_mut().find(|o| o.kind == g.kind) {
            Some(o) => o.families.extend(g.families),
            None => out.push(g),
        }
    }
    Comparison { sort, groups: out }
}

/// Every family whose support holds the data: discrete families for integer data (binomial
/// types only with --trials), continuous families otherwise; never the categorical (it needs
/// labels), von Mises (angles) or a mixture unless named.
fn default_families(sample: &Sample, have_trials: bool) -> Vec<&'static dyn Family> {
    let s = sample.summary();
    let values = sample.values();
    REGISTRY
        .iter()
        .copied()
        .filter(|f| {
            let support = f.support();
            if support.is_discrete() != s.all_integer {
                return false;
            }
            // Labels need the column read as strings, and angles have a periodic density that
            // is not on the scale of densities on ℝ: both only when asked for by name.
            if matches!(support, Support::Labels | Support::Angle) {
                return false;
            }
            // A mixture nests its base family and is fitted from one start here (the
            // multi-start fit is `mlfit fit --components`): only when asked for by name.
            if mlfit::mixture::is_mixture(*f) {
                return false;
            }
            if f.params()
                .iter()
                .any(|p| p.constraint == Constraint::FixedCount)
                && !have_trials
            {
                return false;
            }
            values
                .iter()
                .enumerate()
                .all(|(i, x)| sample.weight(i) == 0.0 || support.contains(*x))
        })
        .collect()
}

fn num(x: f64, digits: usize) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        sig(x, digits)
    }
}

fn table(c: &Comparison, source: &str, column: &str, args: &CompareArgs) -> String {
    let mut out = String::new();
    for g in &c.groups {
        let n = g
            .families
            .iter()
            .find_map(|e| e.fit.as_ref().map(|f| f.n))
            .unwrap_or(0);
        out.push_str(&format!(
            "{source}, column {column} (n = {n}): {} families ranked by {} (held out: {}-fold, seed {})\n\n",
            g.kind,
            match c.sort {
                mlfit::compare::SortKey::Heldout => "held-out cross entropy",
                mlfit::compare::SortKey::CrossEntropy => "cross entropy",
                mlfit::compare::SortKey::Aic => "AIC",
                mlfit::compare::SortKey::Bic => "BIC",
            },
            args.folds,
            args.seed
        ));
        let header = [
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
            match &e.fit {
                Some(f) => {
                    let h = e
                        .heldout
                        .as_ref()
                        .expect("fitted entries have a held-out estimate");
                    rows.push(vec![
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
                        sig(e.delta_aic, 4),
                        sig(e.akaike_weight, 3),
                        num(e.kl_estimate, 3),
                        e.ks_distance.map_or("-".into(), |d| sig(d, 3)),
                        if f.converged {
                            "ok".into()
                        } else {
                            f.termination.as_str().to_string()
                        },
                    ]);
                }
                None => {
                    let mut r = vec![e.family.clone()];
                    r.extend(std::iter::repeat_n(String::new(), 10));
                    r.push("failed".into());
                    rows.push(r);
                }
            }
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, w))| {
                    let pad = " ".repeat(w - cell.chars().count());
                    if i == 0 || i == header.len() - 1 {
                        format!("{cell}{pad}")
                    } else {
                        format!("{pad}{cell}")
                    }
                })
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out.push('\n');
        match (&g.entropy_estimate, &g.entropy_error) {
            (Some(h), _) => out.push_str(&format!(
                "entropy of the data: H = {} ±{} nats ({}); KL est. = cross entropy − H\n",
                sig(h.entropy, 6),
                sig(h.std_error, 2),
                h.method
            )),
            (None, Some(e)) => out.push_str(&format!("entropy of the data: unavailable ({e})\n")),
            _ => {}
        }
        if let Some(m) = &g.margin {
            let unit = match c.sort {
                mlfit::compare::SortKey::Heldout | mlfit::compare::SortKey::CrossEntropy => {
                    " nats/observation"
                }
                _ => "",
            };
            out.push_str(&format!(
                "best: {} by {}{unit} over {}{}\n",
                m.winner,
                sig(m.difference, 3),
                m.runner_up,
                m.std_error.map_or(String::new(), |s| format!(
                    " (paired std. error {})",
                    sig(s, 2)
                ))
            ));
        }
        for t in &g.nested {
            out.push_str(&format!(
                "nested: {} ⊂ {} ({}): 2Δℓ = {}, df {}, p = {}{}\n",
                t.small,
                t.big,
                t.restriction,
                sig(t.statistic, 4),
                t.df,
                sig(t.p_value, 3),
                if t.on_boundary {
                    " (boundary null: ½χ²₀ + ½χ²₁)"
                } else {
                    ""
                }
            ));
        }
        for e in g.families.iter().filter(|e| e.error.is_some()) {
            out.push_str(&format!(
                "failed: {}: {}\n",
                e.family,
                e.error.as_ref().unwrap()
            ));
        }
        for e in g
            .families
            .iter()
            .filter(|e| e.fit.as_ref().is_some_and(|f| !f.converged))
        {
            let f = e.fit.as_ref().unwrap();
            out.push_str(&format!(
                "not converged: {} ({}): {}\n",
                e.family,
                f.termination.as_str(),
                f.notes.first().map_or("", String::as_str)
            ));
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

fn csv(c: &Comparison) -> String {
    let mut out = String::from("group,family,k,cross_entropy,cross_entropy_se,heldout,heldout_se,aic,aicc,bic,delta_aic,akaike_weight,kl_estimate,ks_distance,converged,termination,error\n");
    for g in &c.groups {
        for e in &g.families {
            match &e.fit {
                Some(f) => {
                    let h = e
                        .heldout
                        .as_ref()
                        .expect("fitted entries have a held-out estimate");
                    out.push_str(&format!(
                        "{},{},{},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{},{},{},\n",
                        g.kind,
                        e.family,
                        e.k,
                        f.cross_entropy,
                        e.cross_entropy_se,
                        h.cross_entropy,
                        h.std_error,
                        f.aic,
                        e.aicc,
                        f.bic,
                        e.delta_aic,
                        e.akaike_weight,
                        e.kl_estimate,
                        e.ks_distance.map_or(String::new(), |d| format!("{d:?}")),
                        f.converged,
                        f.termination.as_str()
                    ));
                }
                None => out.push_str(&format!(
                    "{},{},{},,,,,,,,,,,,false,,\"{}\"\n",
                    g.kind,
                    e.family,
                    e.k,
                    e.error.as_deref().unwrap_or("").replace('"', "\"\"")
                )),
            }
        }
    }
    out
}
