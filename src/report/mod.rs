//! Rendering fits: computed once into [`Fit`] values, rendered by small implementations of
//! [`Render`]. Machine formats (JSON, CSV) never carry human decoration; the human table does.
//! Renderers return strings: the library never prints.

mod csv;
mod json;
mod table;
pub mod uncertainty;

pub use self::csv::Csv;
pub use self::json::Json;
pub use self::table::Table;

use crate::fit::Fit;

/// What the fits were fitted to, for headings.
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

/// An output format.
pub trait Render {
    /// Render `fits` (one or more, in order) as a complete output, ending with a newline.
    fn render(&self, fits: &[Fit], context: &Context) -> String;
}

// `sig` lives on floor 1 so that analyses can word notes with it; its old path stays.
pub use crate::numeric::format::sig;
