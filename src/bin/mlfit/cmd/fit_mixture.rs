//! `mlfit fit -f normal_mixture --components K|auto|A..B`: a finite mixture fitted from
//! several seeded starts (`mlfit::mixture`), its components sorted by location.
//!
//! With one K the output is the fit (table, the `fit` JSON object extended with the starts'
//! record, or long CSV); with a range (`auto` = 1..6) it is every K's fit with its BIC, the
//! chosen one shown in full. The uncertainty options (`--se`, `--ci`, `--bootstrap`, …) analyse
//! the fit of one K, as for any family (the bootstrap refits are warm-started at θ̂ and their
//! components sorted by location, so replicates line up component by component); with a range
//! they are usage errors: which K's uncertainty would be ambiguous, and a bootstrap would not
//! account for the choice of K. A mixture is fitted on its own: other families, `--trials` and
//! `--fix` are usage errors here.

use anyhow::anyhow;
use mlfit::family::{self, Family};
use mlfit::mixture::{self, Components, MixtureFit, MixtureOptions, MixtureSelection};
use mlfit::report::{sig, Context};
use mlfit::FitOptions;

use super::{input, uncertainty, Failure, Output};
use crate::cli::{FitArgs, Format};

/// Whether `mlfit fit` is asked for a mixture: a mixture family, or an option only mixtures
/// take (`--components`, `--starts`).
pub fn applies(args: &FitArgs) -> bool {
    args.components.is_some()
        || args.starts.is_some()
        || args
            .family
            .iter()
            .any(|n| family::lookup(n).is_ok_and(mixture::is_mixture))
}

pub fn run(args: &FitArgs) -> Result<Output, Failure> {
    let families: Vec<&'static dyn Family> = args
        .family
        .iter()
        .map(|name| family::lookup(name))
        .collect::<Result<_, _>>()?;
    let names = args.family.join(", ");
    let family = match &families[..] {
        [f] if mixture::is_mixture(*f) => *f,
        _ if !families.iter().any(|f| mixture::is_mixture(*f)) => {
            return Err(Failure::usage(anyhow!(
                "--components and --starts apply to mixture families (normal_mixture, lognormal_mixture, poisson_mixture), not to {names}"
            )))
        }
        _ => {
            return Err(Failure::usage(anyhow!(
                "fit a mixture family on its own (its fit runs several starts and has its own output), not with others: {names}"
            )))
        }
    };
    let refused = [
        (args.trials.is_some(), "--trials"),
        (!args.fix.is_empty(), "--fix"),
    ];
    if let Some((_, option)) = refused.iter().find(|(given, _)| *given) {
        return Err(Failure::usage(anyhow!(
            "{option} is not available for mixture families ({})",
            family.name()
        )));
    }
    let components = args.components.clone().unwrap_or(Components::Fixed(2));
    let u = &args.uncertainty;
    if let (true, Components::Range(range)) = (uncertainty::requested(u), &components) {
        let given = [
            (u.se.is_some(), "--se"),
            (u.ci.is_some(), "--ci"),
            (u.bootstrap.is_some(), "--bootstrap"),
            (u.gof_bootstrap.is_some(), "--gof-bootstrap"),
            (!u.quantile.is_empty(), "--quantile"),
            (u.moments, "--moments"),
        ];
        let option = given.iter().find(|(g, _)| *g).map_or("--se", |(_, o)| *o);
        return Err(Failure::usage(anyhow!(
            "{option} needs one number of components, not a range ({}..{}): choose K with the range first, then run --components K {option} …",
            range.start(),
            range.end()
        )));
    }
    let fit_options = FitOptions {
        method: args.method.into(),
        gtol: args.tol,
        max_iterations: args.max_iter,
        fixed: vec![],
        start: None,
    };
    let analysis = uncertainty::requested(u)
        .then(|| uncertainty::options(u, args.seed, &fit_options))
        .transpose()?;
    let options = MixtureOptions {
        starts: args.starts.unwrap_or(mixture::DEFAULT_STARTS),
        seed: args.seed,
        fit: fit_options,
        ..MixtureOptions::default()
    };
    if options.starts == 0 {
        return Err(Failure::usage(anyhow!("--starts must be at least 1")));
    }

    let data = input::read(&args.input, true, false, None)?;
    let mut notes: Vec<String> = data.skipped_note.iter().cloned().collect();
    let sample = data.numbers.as_ref().expect("read as numbers");
    let context = Context {
        source: data.source.clone(),
        column: data.column.clone(),
        weights: data.weights.clone(),
        se_columns: uncertainty::se_columns(u),
    };
    let skipped_note = (data.skipped > 0)
        .then(|| format!("{} rows with missing values were skipped", data.skipped));

    let (stdout, chosen) = match components {
        Components::Fixed(k) => {
            let mut fitted = mixture::fit_components(family, sample, k, &options)?;
            fitted.fit.notes.extend(skipped_note);
            check_converged(&fitted, args.allow_nonconverged)?;
            if let Some(analysis) = &analysis {
                if fitted.fit.converged {
                    // The K-component family (K = 1: the base family) that made the fit.
                    let model = mixture::with_components(family, k)?;
                    fitted.fit.uncertainty = Some(Box::new(uncertainty::analyse(
                        model.as_ref(),
                        sample,
                        &fitted.fit,
                        analysis,
                    )?));
                } else {
                    fitted.fit.notes.push(
                        "no standard errors, intervals or tests: they need a converged fit".into(),
                    );
                }
                if matches!(args.format, Format::Csv) {
                    notes.push(
                        "the CSV of a mixture has no uncertainty columns: use --format json or the table"
                            .into(),
                    );
                }
            }
            let text = match args.format {
                Format::Table => table(family, &fitted, &context),
                Format::Json => json(&fitted),
                Format::Csv => csv(family, std::slice::from_ref(&fitted), Some(k)),
            };
            (text, fitted)
        }
        Components::Range(range) => {
            let mut selection = mixture::select(family, sample, range, &options)?;
            for c in &mut selection.fits {
                if let Some(f) = &mut c.fit {
                    f.fit.notes.extend(skipped_note.clone());
                }
            }
            let text = match args.format {
                Format::Table => selection_table(family, &selection, &context),
                Format::Json => json(&selection),
                Format::Csv => {
                    let fits: Vec<MixtureFit> = selection
                        .fits
                        .iter()
                        .filter_map(|c| c.fit.clone())
                        .collect();
                    csv(family, &fits, Some(selection.chosen_k))
                }
            };
            (text, selection.chosen().clone())
        }
    };
    if let Some(path) = &args.save {
        let text = json(&chosen);
        std::fs::write(path, text)
            .map_err(|e| Failure::data(anyhow!("{}: cannot write: {e}", path.display())))?;
    }
    Ok(Output { stdout, notes })
}

fn check_converged(f: &MixtureFit, allow: bool) -> Result<(), Failure> {
    if f.fit.converged || allow {
        return Ok(());
    }
    let why = f
        .fit
        .notes
        .first()
        .map(|n| format!(": {n}"))
        .unwrap_or_default();
    Err(Failure::data(anyhow!(
        "{} fit with {} components did not converge ({}){why} (use --allow-nonconverged to print it anyway)",
        f.fit.family,
        f.components,
        f.fit.termination.as_str()
    )))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("a mixture fit always serialises") + "\n"
}

/// Column labels of the components' parameters: the registry instance's names without the
/// component number (`w1` → weight, `mean1` → mean).
fn columns(family: &dyn Family) -> Vec<String> {
    let specs = family.params();
    let per = if specs.len().is_multiple_of(3) { 3 } else { 2 };
    let k = specs.len() / per;
    (0..per)
        .map(|a| {
            let name = specs[a * k]
                .name
                .trim_end_matches(|c: char| c.is_ascii_digit());
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
        format!(
            "yes: mean score {} (≤ tolerance) after {} {} iteration{} from the best EM solution",
            sig(r.score_norm, 2),
            r.iterations,
            r.method.as_str(),
            if r.iterations == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "NO ({}): mean score {} after {} iterations",
            r.termination.as_str(),
            sig(r.score_norm, 2),
            r.iterations
        )
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

fn table(family: &dyn Family, f: &MixtureFit, context: &Context) -> String {
    let labels = columns(family);
    let by = &labels[1];
    let what = if f.components == 1 {
        format!("1 component (= {})", f.fit.family)
    } else {
        format!("{} components, sorted by {by}", f.components)
    };
    let mut out = format!(
        "{} fit to {}: {what}\n\n",
        family.name(),
        heading(context, f)
    );
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
    out.push_str(&aligned(&rows, 1));
    out.push('\n');
    let r = &f.fit;
    out.push_str(&format!(
        "  cross entropy   {} nats/observation\n",
        sig(r.cross_entropy, 10)
    ));
    out.push_str(&format!(
        "  log-likelihood  {}\n",
        sig(r.log_likelihood, 10)
    ));
    out.push_str(&format!("  AIC             {}\n", sig(r.aic, 10)));
    out.push_str(&format!("  BIC             {}\n", sig(r.bic, 10)));
    out.push_str(&format!("  converged       {}\n", certificate(f)));
    out.push_str(&format!("  starts          {}\n", starts_line(f)));
    for note in &r.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    if let Some(u) = &r.uncertainty {
        out.push_str(&mlfit::report::uncertainty::block(u, &context.se_columns));
    }
    out
}

fn selection_table(family: &dyn Family, s: &MixtureSelection, context: &Context) -> String {
    let chosen = s.chosen();
    let (lo, hi) = (
        s.fits.first().map_or(0, |c| c.components),
        s.fits.last().map_or(0, |c| c.components),
    );
    let mut out = format!(
        "{} fits to {}: {lo} to {hi} components, chosen by BIC\n\n",
        family.name(),
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
    out.push_str(&aligned(&rows, 1));
    out.push_str(&format!(
        "\nchosen: {} component{} (lowest BIC)\n\n",
        s.chosen_k,
        if s.chosen_k == 1 { "" } else { "s" }
    ));
    out.push_str(&table(family, chosen, context));
    out
}

/// Rows as an indented table: the first `left` columns left-aligned, the others right-aligned,
/// the last left-aligned (a status).
fn aligned(rows: &[Vec<String>], left: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.chars().count());
            line.push(' ');
            if c < left || (c == cols - 1 && cols > 2 && rows[0][c] == "converged") {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(cell);
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

const CSV_HEADER: &str = "family,components,parameter,estimate,std_error,n,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm,starts,starts_reaching_best,degenerate_starts,chosen";

/// Long form: one row per parameter of each fit, the fit's summary repeated.
fn csv(family: &dyn Family, fits: &[MixtureFit], chosen: Option<usize>) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for f in fits {
        let r = &f.fit;
        for (name, value) in &r.params.0 {
            let se = r
                .std_errors
                .as_ref()
                .and_then(|s| s.get(name))
                .map_or(String::new(), |v| v.to_string());
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                family.name(),
                f.components,
                name,
                value,
                se,
                r.n,
                r.cross_entropy,
                r.log_likelihood,
                r.aic,
                r.bic,
                r.converged,
                r.termination.as_str(),
                r.iterations,
                r.score_norm,
                f.starts,
                f.starts_reaching_best,
                f.degenerate_starts,
                chosen == Some(f.components)
            ));
        }
    }
    out
}
