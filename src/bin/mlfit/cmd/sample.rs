//! `mlfit sample MODEL -n N --seed S`: draws from a saved model as a one-column CSV.

use super::eval::load_model;
use super::{Failure, Output};
use crate::cli::SampleArgs;

pub fn run(args: &SampleArgs) -> Result<Output, Failure> {
    let model = load_model(&args.model)?;
    let draws = model.sample(args.n, args.seed);
    let levels = model.levels();
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| model.family().name().to_string());
    let mut out = String::with_capacity(16 * draws.len() + name.len() + 1);
    out.push_str(&name);
    out.push('\n');
    for x in draws {
        match &levels {
            Some(l) => out.push_str(&l[x as usize]),
            // `{}` prints the shortest representation that round-trips exactly.
            None => out.push_str(&x.to_string()),
        }
        out.push('\n');
    }
    Ok(Output {
        stdout: out,
        notes: vec![],
    })
}
