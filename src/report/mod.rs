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

/// Format a number with `sig` significant digits, switching to exponent notation for very
/// large or small magnitudes.
pub fn sig(x: f64, sig: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..=9).contains(&mag) {
        return format!("{:.*e}", sig.saturating_sub(1), x);
    }
    let decimals = (sig as i32 - 1 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::sig;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(5.000_063_912, 7), "5.000064");
        assert_eq!(sig(-4703.2512, 6), "-4703.25");
        assert_eq!(sig(1.5e-7, 3), "1.50e-7");
        assert_eq!(sig(123_456_789_012.0, 4), "1.235e11");
        assert_eq!(sig(0.0, 4), "0");
    }
}
