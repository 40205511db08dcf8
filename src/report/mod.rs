//! Rendering results: every result type (fits, comparisons, mixture fits and selections,
//! multivariate fits, evaluations of saved models) is computed once into plain data and
//! rendered by one [`Renderer`] per output [`Format`]. Machine formats (JSON, CSV) never carry
//! human decoration; the human table does. Renderers return strings: the library never
//! prints.
//!
//! A new output format is one file implementing [`Renderer`] (a method per result type) and
//! one arm of [`Format`]. Tables share one layout, [`aligned`].

mod aligned;
mod csv;
mod json;
mod results;
mod table;

pub use self::aligned::{aligned, labels_then_numbers, Align};
pub use self::csv::{per_row, Csv, MULTIVARIATE_HEADER};
pub use self::json::Json;
pub use self::results::{EvalReport, FitReport, MixtureReport};
pub use self::table::Table;

use crate::compare::Comparison;
use crate::mixture::MixtureSelection;
use crate::multivariate::MultiFit;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned plain text for a terminal.
    Table,
    /// Pretty-printed JSON.
    Json,
    /// Long-form CSV.
    Csv,
}

impl Format {
    /// The renderer of this format.
    pub fn renderer(self) -> &'static dyn Renderer {
        match self {
            Format::Table => &Table,
            Format::Json => &Json,
            Format::Csv => &Csv,
        }
    }
}

/// What the results were computed from, for headings, and the table's choices.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The path or `<stdin>`.
    pub source: String,
    /// The column's name.
    pub column: String,
    /// The weight column's name, for weighted fits.
    pub weights: Option<String>,
    /// Standard errors the table shows side by side for fits with an uncertainty analysis
    /// (`--se`); JSON always has all three.
    pub se_columns: Vec<crate::inference::SeKind>,
}

/// An output format: one method per result type, each returning the complete output (ending
/// with a newline).
pub trait Renderer {
    /// Univariate fits, one or more, in order.
    fn fits(&self, fits: &[FitReport], context: &Context) -> String;
    /// A ranking of families.
    fn comparison(&self, comparison: &Comparison, context: &Context) -> String;
    /// A mixture fitted with one number of components.
    fn mixture(&self, report: &MixtureReport, context: &Context) -> String;
    /// Mixtures fitted with each number of components in a range, and the one chosen.
    fn mixture_selection(&self, selection: &MixtureSelection, context: &Context) -> String;
    /// A multivariate fit.
    fn multivariate(&self, fit: &MultiFit, context: &Context) -> String;
    /// A saved model's cross entropy on new data.
    fn evaluation(&self, report: &EvalReport, context: &Context) -> String;
}

// `sig` lives on floor 1 so that analyses can word notes with it; its old path stays.
pub use crate::numeric::format::sig;
