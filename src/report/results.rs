//! Results paired with what their rendering needs: a fit with its uncertainty analysis, a
//! mixture fit with its family and analysis, a saved model's evaluation with the model it came
//! from. The analyses (`inference`) sit above `fit`, so the pairing lives here, above both,
//! rather than as a field of [`Fit`] that the fit itself never fills.

use serde::ser::Error as _;
use serde::{Serialize, Serializer};

use crate::fit::Fit;
use crate::inference::Uncertainty;
use crate::mixture::MixtureFit;
use crate::model::Evaluation;

/// A fit and, when one was asked for, its uncertainty analysis: what `mlfit fit` reports for
/// one family. Serialised as the fit's JSON object with `uncertainty` as its last key (absent
/// without an analysis).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    /// The fit.
    #[serde(flatten)]
    pub fit: Fit,
    /// Standard errors three ways, intervals, bootstrap, derived quantities and goodness of
    /// fit (see [`crate::inference::analyse`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Uncertainty>,
}

impl From<Fit> for FitReport {
    fn from(fit: Fit) -> FitReport {
        FitReport {
            fit,
            uncertainty: None,
        }
    }
}

/// A mixture fitted with one number of components and, when one was asked for, its
/// uncertainty analysis. Serialised as the [`MixtureFit`] object with `uncertainty` right after
/// the fit's own keys (after `notes`, before `components`).
#[derive(Debug, Clone)]
pub struct MixtureReport {
    /// The mixture family's name (`normal_mixture`; the fit's own `family` is the base
    /// family's for one component).
    pub family: String,
    /// The fit and the record of its starts.
    pub fit: MixtureFit,
    /// The uncertainty analysis of the fit.
    pub uncertainty: Option<Uncertainty>,
}

impl Serialize for MixtureReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(uncertainty) = &self.uncertainty else {
            return self.fit.serialize(serializer);
        };
        // `MixtureFit` flattens its `Fit`: splice the analysis in where a field of the fit
        // would put it (the key order is the schema's).
        let mut value = serde_json::to_value(&self.fit).map_err(S::Error::custom)?;
        let u = serde_json::to_value(uncertainty).map_err(S::Error::custom)?;
        if let Some(map) = value.as_object_mut() {
            let at = map
                .keys()
                .position(|k| k == "notes")
                .map_or(map.len(), |i| i + 1);
            map.shift_insert(at, "uncertainty".to_string(), u);
        }
        value.serialize(serializer)
    }
}

/// A saved model's cross entropy on new data, with what the human table says about the model.
#[derive(Debug, Clone, Copy)]
pub struct EvalReport<'a> {
    /// The evaluation.
    pub evaluation: &'a Evaluation,
    /// The model file, as named on the command line.
    pub model: &'a str,
    /// The fit the model was saved from, when the file has the whole fit schema.
    pub saved_fit: Option<&'a Fit>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Sample;
    use crate::family::lookup;
    use crate::fit::{fit, FitOptions};
    use crate::inference::{analyse, UncertaintyOptions};
    use crate::mixture::{fit_components, MixtureOptions};

    fn keys(json: &str) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn a_fit_report_is_the_fit_object_with_uncertainty_last() {
        let s = Sample::new(vec![0.8, 1.9, 2.4, 0.3, 5.2, 1.1, 3.3, 0.9, 1.7, 2.2]).unwrap();
        let gamma = lookup("gamma").unwrap();
        let f = fit(gamma, &s, &FitOptions::default()).unwrap();
        let plain = FitReport::from(f.clone());
        assert_eq!(
            serde_json::to_string_pretty(&plain).unwrap(),
            serde_json::to_string_pretty(&f).unwrap()
        );
        let u = analyse(gamma, &s, &f, &UncertaintyOptions::default(), &|_, _, _| {}).unwrap();
        let with = FitReport {
            fit: f.clone(),
            uncertainty: Some(u.clone()),
        };
        let json = serde_json::to_string_pretty(&with).unwrap();
        let mut expected = keys(&serde_json::to_string(&f).unwrap());
        expected.push("uncertainty".into());
        assert_eq!(keys(&json), expected);
        // Compact: the fit's own object, then the analysis as it serialises on its own.
        let fit_json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            serde_json::to_string(&with).unwrap(),
            format!(
                "{},\"uncertainty\":{}}}",
                &fit_json[..fit_json.len() - 1],
                serde_json::to_string(&u).unwrap()
            )
        );
    }

    #[test]
    fn a_mixture_report_puts_uncertainty_after_the_fit_keys() {
        let mut xs: Vec<f64> = (0..60).map(|i| (i as f64 * 0.37).sin()).collect();
        xs.extend((0..60).map(|i| 6.0 + (i as f64 * 0.61).cos()));
        let s = Sample::new(xs).unwrap();
        let family = lookup("normal_mixture").unwrap();
        let m = fit_components(family, &s, 2, &MixtureOptions::default()).unwrap();
        let plain = MixtureReport {
            family: family.name().into(),
            fit: m.clone(),
            uncertainty: None,
        };
        assert_eq!(
            serde_json::to_string_pretty(&plain).unwrap(),
            serde_json::to_string_pretty(&m).unwrap()
        );
        let model = crate::mixture::with_components(family, 2).unwrap();
        let u = analyse(
            model.as_ref(),
            &s,
            &m.fit,
            &UncertaintyOptions::default(),
            &|_, _, _| {},
        )
        .unwrap();
        let with = MixtureReport {
            uncertainty: Some(u),
            ..plain
        };
        let json = serde_json::to_string_pretty(&with).unwrap();
        let mut expected = keys(&serde_json::to_string(&m).unwrap());
        let at = expected.iter().position(|k| k == "notes").unwrap() + 1;
        expected.insert(at, "uncertainty".into());
        assert_eq!(keys(&json), expected);
        assert_eq!(expected[at + 1], "components");
    }
}
