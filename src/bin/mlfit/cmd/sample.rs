//! `mlfit sample MODEL -n N --seed S`: draws from a saved model as a one-column CSV.
//!
//! Up to [`BLOCK`] draws are returned whole, as every command's output is; more are streamed to
//! stdout in blocks of [`BLOCK`] (the same draws for a seed, a few MB of memory whatever N is),
//! so that `mlfit sample m.json -n 1000000000000 | head` answers at once and a closed pipe ends
//! the run quietly.

use std::io::Write;

use anyhow::anyhow;
use mlfit::model::Model;

use super::eval::load_model;
use super::{Failure, Output};
use crate::cli::SampleArgs;

/// Draws rendered per block (and the most returned in one piece).
pub const BLOCK: usize = 1 << 20;

impl Failure {
    /// A write error as a failure; `None` for a closed pipe, which ends the run quietly.
    fn from_io(e: std::io::Error) -> Option<Failure> {
        (e.kind() != std::io::ErrorKind::BrokenPipe)
            .then(|| Failure::data(anyhow!("cannot write output: {e}")))
    }
}

pub fn run(args: &SampleArgs) -> Result<Output, Failure> {
    let model = load_model(&args.model)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| model.family().name().to_string());
    let mut out = String::new();
    push_field(&mut out, &name);
    out.push('\n');
    if args.n <= BLOCK {
        let draws = model.sample(args.n, args.seed);
        representable(&draws)?;
        render(&model, &draws, &mut out);
        return Ok(Output {
            stdout: out,
            notes: vec![],
        });
    }
    let mut stdout = std::io::stdout().lock();
    let result = model.sample_blocks(args.n, args.seed, BLOCK, |draws| {
        representable(draws).map_err(Some)?;
        render(&model, draws, &mut out);
        let written = stdout.write_all(out.as_bytes());
        out.clear();
        written.map_err(Failure::from_io)
    });
    match result.and_then(|()| stdout.flush().map_err(Failure::from_io)) {
        Ok(()) => {}
        Err(None) => {}
        Err(Some(f)) => return Err(f),
    }
    Ok(Output {
        stdout: String::new(),
        notes: vec![],
    })
}

/// The error for draws beyond the range of doubles (a geometric with p = 5e-324 has almost all
/// its mass beyond 1.8e308): one line rather than a column of `inf`. A streamed run checks each
/// block before writing it; the first block (2²⁰ draws) is where such a model shows it.
fn representable(draws: &[f64]) -> Result<(), Failure> {
    match draws.iter().find(|x| !x.is_finite()) {
        None => Ok(()),
        Some(x) => Err(Failure::data(anyhow!(
            "the model draws values beyond the range of double precision ({}); its parameters \
             are too extreme to sample",
            mlfit::numeric::format::exact(*x)
        ))),
    }
}

/// One line per draw: the level's name for a categorical model, else the number.
fn render(model: &Model, draws: &[f64], out: &mut String) {
    let levels = model.levels();
    for &x in draws {
        match &levels {
            Some(l) => push_field(out, &l[x as usize]),
            // The shortest representation that round-trips exactly, in exponent notation
            // outside 1e-5..1e16 (a Weibull with scale 1e200 drew 201-digit numbers).
            None => out.push_str(&mlfit::numeric::format::exact(x)),
        }
        out.push('\n');
    }
}

/// A CSV field, quoted (RFC 4180: inner quotes doubled) when it holds a delimiter, a quote or a
/// line break, so that `--name a,b` or a level named `"x"` stays one column.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}
