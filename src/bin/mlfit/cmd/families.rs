//! `mlfit families [NAME]`: the registry as a table or JSON.

use mlfit::family::{self, Constraint, Family, Support, REGISTRY};
use mlfit::multivariate::{self, MultiFamily, MULTIVARIATE};
use mlfit::report::{aligned, Align};
use serde::Serialize;

use super::{Failure, Output};
use crate::cli::{FamiliesArgs, ListFormat};

#[derive(Serialize)]
struct Param {
    name: &'static str,
    domain: &'static str,
}

#[derive(Serialize)]
struct Entry {
    name: &'static str,
    aliases: &'static [&'static str],
    parameters: Vec<Param>,
    support: &'static str,
    discrete: bool,
    closed_form: bool,
    sufficient_statistics: bool,
    formula: &'static str,
}

fn entry(f: &dyn Family) -> Entry {
    // A categorical's parameters are the observed levels: describe them, not the generic
    // instance's placeholder levels.
    let parameters = if f.support() == Support::Labels {
        vec![Param {
            name: "<level>",
            domain: "(0, 1), one per observed level, summing to 1",
        }]
    } else {
        f.params()
            .iter()
            .map(|p| Param {
                name: p.name,
                domain: match p.constraint {
                    Constraint::Real => "real",
                    Constraint::Shape => "real (shape)",
                    Constraint::Positive => "> 0",
                    Constraint::UnitInterval => "(0, 1)",
                    Constraint::FixedCount => "integer ≥ 1, fixed by the user",
                    Constraint::Simplex => "(0, 1), the weights summing to 1",
                },
            })
            .collect()
    };
    Entry {
        name: f.name(),
        aliases: f.aliases(),
        parameters,
        support: f.support().describe(),
        discrete: f.support().is_discrete(),
        closed_form: f.has_closed_form(),
        sufficient_statistics: f.uses_sufficient_statistics(),
        formula: f.formula(),
    }
}

/// A multivariate family, described in the same shape (its parameters are a vector and a
/// matrix, its support ℝᵈ for d chosen columns).
fn multivariate_entry(f: MultiFamily) -> Entry {
    Entry {
        name: f.name(),
        aliases: f.aliases(),
        parameters: vec![
            Param {
                name: "mean",
                domain: "real vector, one entry per column",
            },
            Param {
                name: "covariance",
                domain:
                    "symmetric positive definite matrix: --covariance full, diagonal or spherical",
            },
        ],
        support: "ℝᵈ (d columns: -c x,y,z or every numeric column)",
        discrete: false,
        closed_form: true,
        sufficient_statistics: true,
        formula: f.formula(),
    }
}

pub fn run(args: &FamiliesArgs) -> Result<Output, Failure> {
    let entries: Vec<Entry> = match &args.name {
        Some(name) => match multivariate::lookup(name) {
            Some(f) => vec![multivariate_entry(f)],
            None => vec![entry(family::lookup(name)?)],
        },
        None => REGISTRY.iter().map(|f| entry(*f)).collect(),
    };
    let stdout = match (args.format, args.name.is_some()) {
        (ListFormat::Json, true) => {
            serde_json::to_string_pretty(&entries[0]).expect("serialisable") + "\n"
        }
        (ListFormat::Json, false) => {
            serde_json::to_string_pretty(&entries).expect("serialisable") + "\n"
        }
        (ListFormat::Table, true) => describe(&entries[0]),
        (ListFormat::Table, false) => {
            let multi: Vec<Entry> = MULTIVARIATE
                .iter()
                .map(|f| multivariate_entry(*f))
                .collect();
            format!(
                "{}\nmultivariate (several columns at once):\n\n{}",
                table(&entries),
                table(&multi)
            )
        }
    };
    Ok(Output {
        stdout,
        notes: vec![],
    })
}

fn params_text(e: &Entry) -> String {
    e.parameters
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(entries: &[Entry]) -> String {
    let header = [
        "family",
        "parameters",
        "support",
        "discrete",
        "closed form",
        "aliases",
    ];
    let mut rows: Vec<[String; 6]> = vec![header.map(String::from)];
    for e in entries {
        rows.push([
            e.name.into(),
            params_text(e),
            e.support.into(),
            if e.discrete { "yes" } else { "no" }.into(),
            if e.closed_form { "yes" } else { "no" }.into(),
            e.aliases.join(", "),
        ]);
    }
    aligned(&rows, "", |_| Align::Left)
}

fn describe(e: &Entry) -> String {
    let mut out = format!("{}\n\n  {}\n\n", e.name, e.formula);
    out.push_str("  parameters:\n");
    for p in &e.parameters {
        out.push_str(&format!("    {:<10} {}\n", p.name, p.domain));
    }
    out.push_str(&format!(
        "  support:     {}{}\n",
        e.support,
        if e.discrete { " (discrete)" } else { "" }
    ));
    out.push_str(&format!(
        "  closed form: {}\n",
        if e.closed_form { "yes" } else { "no" }
    ));
    out.push_str(&format!(
        "  aliases:     {}\n",
        if e.aliases.is_empty() {
            "(none)".to_string()
        } else {
            e.aliases.join(", ")
        }
    ));
    out
}
