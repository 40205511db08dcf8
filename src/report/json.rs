//! JSON: each result's own serde schema, pretty-printed (see README). Several fits are an
//! array, one fit is one object.

use serde::Serialize;

use super::{Context, EvalReport, FitReport, MixtureReport, Renderer};
use crate::compare::Comparison;
use crate::mixture::MixtureSelection;
use crate::multivariate::MultiFit;

/// Pretty-printed JSON.
pub struct Json;

impl Renderer for Json {
    fn fits(&self, fits: &[FitReport], _context: &Context) -> String {
        match fits {
            [one] => pretty(one),
            _ => pretty(fits),
        }
    }

    fn comparison(&self, comparison: &Comparison, _context: &Context) -> String {
        pretty(comparison)
    }

    fn mixture(&self, report: &MixtureReport, _context: &Context) -> String {
        pretty(report)
    }

    fn mixture_selection(&self, selection: &MixtureSelection, _context: &Context) -> String {
        pretty(selection)
    }

    fn multivariate(&self, fit: &MultiFit, _context: &Context) -> String {
        pretty(fit)
    }

    fn evaluation(&self, report: &EvalReport, _context: &Context) -> String {
        pretty(report.evaluation)
    }
}

/// `value` pretty-printed, ending with a newline.
fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    // The result types have string keys and plain values: serialising them cannot fail.
    serde_json::to_string_pretty(value).expect("results always serialise") + "\n"
}
