//! `mlfit eval MODEL [FILE]`: the cross entropy of new data under a saved model, with its
//! Monte Carlo standard error — the held-out check of a fit, from the shell.

use anyhow::anyhow;
use mlfit::family::Support;
use mlfit::model::Model;
use mlfit::report::{self, Context, EvalReport};

use super::{input, Failure, Output};
use crate::cli::EvalArgs;

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
        let stdout = report::per_row(&eval, &sample);
        return Ok(Output { stdout, notes });
    }
    let model_path = args.model.display().to_string();
    let report = EvalReport {
        evaluation: &eval,
        model: &model_path,
        saved_fit: model.fit.as_ref(),
    };
    let context = Context {
        source: data.source,
        column: data.column,
        ..Context::default()
    };
    let stdout = super::renderer(args.format).evaluation(&report, &context);
    Ok(Output { stdout, notes })
}
