//! JSON: one object for one fit, an array for several (the schema is `Fit`'s, see README).

use super::{Context, Render};
use crate::fit::Fit;

/// Pretty-printed JSON.
pub struct Json;

impl Render for Json {
    fn render(&self, fits: &[Fit], _context: &Context) -> String {
        let mut s = if fits.len() == 1 {
            serde_json::to_string_pretty(&fits[0])
        } else {
            serde_json::to_string_pretty(fits)
        }
        .expect("a Fit always serialises");
        s.push('\n');
        s
    }
}
