//! `mlfit eval MODEL [FILE]`: the cross entropy of new data under a saved model, with its
//! Monte Carlo standard error — the held-out check of a fit, from the shell.

use anyhow::anyhow;
use mlfit::family::Support;
use mlfit::model::Model;
use mlfit::report::sig;

use super::{input, Failure, Output};
use crate::cli::{EvalArgs, Format};

/// Read and parse a model file.
pub fn load_model(path: &std::path::Path) -> Result<Model, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::data(anyhow!("{}: cannot read: {e}", path.display())))?;
    Model::from_json(&text, &path.display().to_string()).map_err(Failure::data)
}

pub fn run(args: &EvalArgs) -> Result<Output, Failure> {
    let model = load_model(&args.model)?;
    let labels = model.family().support() == Support::Labels;
    let data = input::read(&args.input, !labels, labels, args.trials.as_ref())?;
    let sample = if labels {
        data.labels.expect("read as labels")
    } else {
        data.numbers.expect("read as numbers")
    };
    let sample = model.recode_labels(sample)?;
    let eval = model.evaluate(&sample);
    let mut notes: Vec<String> = data.skipped_note.into_iter().collect();
    if eval.outside > 0 {
        notes.push(format!(
            "{} row{} outside the support of the {} model make{} the cross entropy infinite",
            eval.outside,
            if eval.outside == 1 { "" } else { "s" },
            eval.family,
            if eval.outside == 1 { "s" } else { "" },
        ));
    }
    if args.per_row {
        let mut out = String::from("line,value,log_likelihood\n");
        for (i, lp) in eval.per_row.iter().enumerate() {
            let line = sample.location(i).map_or(0, |l| l.line);
            out.push_str(&format!("{line},{},{lp}\n", sample.values()[i]));
        }
        return Ok(Output { stdout: out, notes });
    }
    let stdout = match args.format {
        Format::Json => serde_json::to_string_pretty(&eval).expect("serialisable") + "\n",
        Format::Csv => format!(
            "family,n,cross_entropy,std_error,outside\n{},{},{},{},{}\n",
            eval.family, eval.n, eval.cross_entropy, eval.std_error, eval.outside
        ),
        Format::Table => format!(
            "{} model from {} on {}, column {} (n = {})\n\n  cross entropy  {} ± {} nats/observation\n  at fit         {} nats/observation (n = {})\n{}",
            eval.family,
            args.model.display(),
            data.source,
            data.column,
            eval.n,
            sig(eval.cross_entropy, 10),
            if eval.std_error.is_finite() { sig(eval.std_error, 2) } else { "-".into() },
            model.fit.as_ref().map_or("-".into(), |f| sig(f.cross_entropy, 10)),
            model.fit.as_ref().map_or("-".into(), |f| f.n.to_string()),
            if eval.outside > 0 { format!("  outside        {} rows\n", eval.outside) } else { String::new() }
        ),
    };
    Ok(Output { stdout, notes })
}
