//! Fitted models as files: load a model saved by `mlfit fit --save` (or the output of
//! `mlfit fit --format json`, the same schema), evaluate its cross entropy on new data — the
//! held-out check of the theory — and draw samples from it.

use rand::SeedableRng;
use serde::Serialize;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{self, check_params, Family, FamilyHandle, Support};
use crate::fit::Fit;

/// A model ready to evaluate: its family (specialised when its parameters depend on the data,
/// as a categorical's levels do) and its parameters in the family's order.
pub struct Model {
    family: FamilyHandle<'static>,
    /// Parameter values in the family's order.
    pub theta: Vec<f64>,
    /// The fit as saved, when the file has the whole `fit` schema (a hand-written model may
    /// give just `family` and `params`).
    pub fit: Option<Fit>,
}

fn bad(source: &str, field: &str, why: impl std::fmt::Display) -> crate::error::Error {
    ErrorKind::InvalidOption {
        reason: format!("{source}: model field `{field}`: {why}"),
    }
    .into()
}

impl Model {
    /// Parse a saved model: one JSON object with the `fit --format json` schema, of which only
    /// `family` and `params` are required.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] naming the field that is missing, malformed or
    /// inconsistent with the family (unknown family, wrong parameter names, invalid values).
    pub fn from_json(text: &str, source: &str) -> Result<Model> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            crate::error::Error::from(ErrorKind::InvalidOption {
                reason: format!("{source}: not a JSON model: {e}"),
            })
        })?;
        let object = value.as_object().ok_or_else(|| {
            crate::error::Error::from(ErrorKind::InvalidOption {
                reason: format!("{source}: a model is one JSON object (save one family with `mlfit fit --save`)"),
            })
        })?;
        let name = object
            .get("family")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad(source, "family", "missing or not a string"))?;
        let registered = family::lookup(name).map_err(|e| bad(source, "family", e))?;
        let params = object
            .get("params")
            .and_then(|v| v.as_object())
            .ok_or_else(|| bad(source, "params", "missing or not an object"))?;
        let names: Vec<String> = params.keys().cloned().collect();
        let family =
            FamilyHandle::for_names(registered, &names).map_err(|e| bad(source, "params", e))?;
        let specs = family.params();
        let expected: Vec<&str> = specs.iter().map(|p| p.name).collect();
        if names.len() != expected.len() || names.iter().zip(&expected).any(|(a, b)| a != b) {
            return Err(bad(
                source,
                "params",
                format!(
                    "{name} has parameters {}, the model has {}",
                    expected.join(", "),
                    names.join(", ")
                ),
            ));
        }
        let theta: Vec<f64> = params
            .iter()
            .map(|(k, v)| {
                v.as_f64().ok_or_else(|| {
                    bad(
                        source,
                        &format!("params.{k}"),
                        "not a number (a per-row value cannot be evaluated without the rows)",
                    )
                })
            })
            .collect::<Result<_>>()?;
        check_params(&*family, &theta).map_err(|e| bad(source, "params", e))?;
        let fit: Option<Fit> = serde_json::from_value(value.clone()).ok();
        Ok(Model { family, theta, fit })
    }

    /// The model's family.
    pub fn family(&self) -> &dyn Family {
        &*self.family
    }

    /// Per-observation log-likelihoods ln p(xᵢ | θ) (−∞ outside the support) and their
    /// summary: the cross entropy of the data under the model.
    pub fn evaluate(&self, sample: &Sample) -> Evaluation {
        let f = self.family();
        let per_row: Vec<f64> = sample
            .values()
            .iter()
            .map(|&x| f.ln_density_derivs(&self.theta, x, None, None))
            .collect();
        let mut outside = 0usize;
        let (mut w_sum, mut mean) = (0.0, 0.0);
        let mut m2 = 0.0;
        for (i, lp) in per_row.iter().enumerate() {
            let w = sample.weight(i);
            if w == 0.0 {
                continue;
            }
            if !lp.is_finite() {
                outside += 1;
                continue;
            }
            // Weighted Welford update of the mean and spread of −ln p.
            let v = -lp;
            w_sum += w;
            let d = v - mean;
            mean += w * d / w_sum;
            m2 += w * d * (v - mean);
        }
        let n = (0..sample.len())
            .filter(|&i| sample.weight(i) > 0.0)
            .count();
        let cross_entropy = if outside > 0 { f64::INFINITY } else { mean };
        let std_error = if outside > 0 || n < 2 {
            f64::NAN
        } else {
            let sd = (m2 / w_sum * n as f64 / (n as f64 - 1.0)).sqrt();
            sd / (n as f64).sqrt()
        };
        Evaluation {
            family: f.name().to_string(),
            n,
            cross_entropy,
            std_error,
            outside,
            per_row,
        }
    }

    /// `n` draws from the model, reproducible for a seed.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        self.family().sample(&self.theta, n, &mut rng)
    }

    /// `n` draws from the model in blocks of at most `block` (> 0), handed to `sink` in order:
    /// the same draws as [`Self::sample`] when `n ≤ block`, and memory bounded by `block`
    /// whatever `n` is. Stops at the first error of `sink`, which it returns.
    ///
    /// # Errors
    /// The first error of `sink`.
    pub fn sample_blocks<E>(
        &self,
        n: usize,
        seed: u64,
        block: usize,
        mut sink: impl FnMut(&[f64]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let block = block.max(1);
        let mut left = n;
        while left > 0 {
            let m = left.min(block);
            sink(&self.family().sample(&self.theta, m, &mut rng))?;
            left -= m;
        }
        Ok(())
    }

    /// Recode labelled data (read with labels, coded by its own sorted levels) to this
    /// categorical model's levels; a label the model has never seen becomes −1, outside its
    /// support. Other samples are returned unchanged.
    ///
    /// # Errors
    /// As [`Sample::with_values`].
    pub fn recode_labels(&self, sample: Sample) -> Result<Sample> {
        let (Some(model_levels), Some(data_levels)) =
            (self.levels(), sample.levels().map(<[String]>::to_vec))
        else {
            return Ok(sample);
        };
        let index = |label: &String| {
            model_levels
                .iter()
                .position(|l| l == label)
                .map_or(-1.0, |j| j as f64)
        };
        let values = sample
            .values()
            .iter()
            .map(|&c| index(&data_levels[c as usize]))
            .collect();
        sample.with_values(values)
    }

    /// Level names when the model's values are codes of labels (categorical).
    pub fn levels(&self) -> Option<Vec<String>> {
        (self.family().support() == Support::Labels).then(|| {
            self.family()
                .params()
                .iter()
                .map(|p| p.name.to_string())
                .collect()
        })
    }
}

/// The cross entropy of data under a saved model.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The model's family.
    pub family: String,
    /// Rows evaluated (positive weight).
    pub n: usize,
    /// −(1/W) Σ wᵢ ln p(xᵢ | θ) in nats per observation; +∞ when a row is outside the support.
    pub cross_entropy: f64,
    /// Monte Carlo standard error of the cross entropy: sd(−ln p(xᵢ)) / √n.
    pub std_error: f64,
    /// Rows outside the model's support (they make the cross entropy infinite).
    pub outside: usize,
    /// ln p(xᵢ | θ) for every row, in input order.
    #[serde(skip)]
    pub per_row: Vec<f64>,
}
