//! CSV in long ("tidy") form: one row per fitted parameter, with the fit's summary repeated,
//! so families with different parameters share one header.

use super::{Context, Render};
use crate::fit::Fit;

/// Long-form CSV.
pub struct Csv;

const HEADER: &str = "family,parameter,estimate,std_error,fixed,n,cross_entropy,log_likelihood,aic,bic,converged,termination,iterations,score_norm";

impl Render for Csv {
    fn render(&self, fits: &[Fit], _context: &Context) -> String {
        let mut out = String::from(HEADER);
        out.push('\n');
        for f in fits {
            for (name, value) in &f.params.0 {
                let se = f
                    .std_errors
                    .as_ref()
                    .and_then(|s| s.get(name))
                    .map_or(String::new(), |v| v.to_string());
                let fixed = f.fixed.iter().any(|n| n == name);
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    f.family,
                    name,
                    value,
                    se,
                    fixed,
                    f.n,
                    f.cross_entropy,
                    f.log_likelihood,
                    f.aic,
                    f.bic,
                    f.converged,
                    f.termination.as_str(),
                    f.iterations,
                    f.score_norm
                ));
            }
        }
        out
    }
}
