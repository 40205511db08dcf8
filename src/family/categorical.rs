//! Categorical distribution over the observed levels of a column (any labels).
//!
//! P(X = level j) = p_j,  Σⱼ p_j = 1; one parameter per observed level, named by the level
//! (`params` is then e.g. `{"blue": 0.2, "green": 0.5, "red": 0.3}`).
//!
//! The parameters depend on the data, so the registry holds a generic instance (three levels
//! coded 0, 1, 2, used by the shared tests) and [`Family::specialise`] builds the family for a
//! sample: from its level names when the CSV reader coded labels (strings, coded 0, 1, … in
//! sorted order), otherwise from its distinct numeric values.
//!
//! The MLE is closed form, the observed proportions p̂_j = w_j / W. The probabilities live on
//! the simplex Σp = 1, not in a box, so they are reported as a closed-form estimate (all held,
//! termination `closed_form`) rather than certified by a score, which under the constraint is
//! not zero; their standard errors are the multinomial √(p̂_j(1 − p̂_j)/W). A level never
//! observed has no parameter (its MLE would be 0, outside the open simplex); a sample with one
//! level has no MLE in the open simplex either and is an error.
//!
//! Reference: Agresti, *Categorical Data Analysis*, 3rd ed., §1.2–1.3.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use rand::{Rng, RngCore};

use super::{degenerate, Family, Irregularity, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;

/// The largest number of levels a categorical fit accepts.
pub const MAX_LEVELS: usize = 10_000;

/// The categorical family: the registry's generic instance, or one specialised to a sample.
#[derive(Debug)]
pub struct Categorical {
    levels: Option<Levels>,
}

#[derive(Debug)]
struct Levels {
    /// The value coding each level (codes 0, 1, … for labels; the distinct values otherwise).
    values: Vec<f64>,
    /// One parameter per level, named by the level.
    specs: Vec<ParamSpec>,
    /// Whether the levels are labels (no mean or variance).
    labelled: bool,
}

/// The registry's generic instance: levels coded 0, 1, 2.
pub static CATEGORICAL: Categorical = Categorical { levels: None };

const GENERIC_VALUES: [f64; 3] = [0.0, 1.0, 2.0];
const GENERIC_SPECS: [ParamSpec; 3] = [
    ParamSpec::unit("0"),
    ParamSpec::unit("1"),
    ParamSpec::unit("2"),
];

impl Family for Categorical {
    fn name(&self) -> &'static str {
        "categorical"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["cat"]
    }

    fn formula(&self) -> &'static str {
        "P(X = level j) = p_j, with one p_j per observed level and sum_j p_j = 1"
    }

    fn params(&self) -> &[ParamSpec] {
        match &self.levels {
            Some(l) => &l.specs,
            None => &GENERIC_SPECS,
        }
    }

    fn support(&self) -> Support {
        Support::Labels
    }

    fn min_observations(&self) -> usize {
        2
    }

    fn has_closed_form(&self) -> bool {
        true
    }

    fn uses_sufficient_statistics(&self) -> bool {
        true
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        let values = self.values();
        let mut counts = vec![0.0; values.len()];
        for &(x, w) in sample.distinct() {
            match self.index(x) {
                Some(j) => counts[j] += w,
                None => {
                    return Err(degenerate(
                        self,
                        format!("value {x} is not one of the levels"),
                    ))
                }
            }
        }
        let total: f64 = counts.iter().sum();
        if let Some(j) = counts.iter().position(|c| *c == 0.0) {
            return Err(degenerate(
                self,
                format!(
                    "level {} is never observed, so its probability estimate would be 0",
                    self.params()[j].name
                ),
            ));
        }
        Ok(counts.iter().map(|c| c / total).collect())
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        let Some(j) = self.index(x) else {
            return f64::NEG_INFINITY;
        };
        let k = theta.len();
        if let Some(g) = grad {
            g.fill(0.0);
            g[j] = 1.0 / theta[j];
        }
        if let Some(h) = hess {
            h.fill(0.0);
            h[j * k + j] = -1.0 / (theta[j] * theta[j]);
        }
        theta[j].ln()
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        // Sufficient statistics: the weight of each level. O(levels) instead of a k × k
        // Hessian per distinct value.
        let k = theta.len();
        let mut counts = vec![0.0; k];
        for &(x, w) in sample.distinct() {
            match self.index(x) {
                Some(j) => counts[j] += w,
                None => return f64::NEG_INFINITY,
            }
        }
        if let Some(g) = grad {
            for j in 0..k {
                g[j] = counts[j] / theta[j];
            }
        }
        if let Some(h) = hess {
            h.fill(0.0);
            for j in 0..k {
                h[j * k + j] = -counts[j] / (theta[j] * theta[j]);
            }
        }
        let mut value = crate::sum::CompensatedSum::default();
        for j in 0..k {
            if counts[j] > 0.0 {
                value.add(counts[j] * theta[j].ln());
            }
        }
        value.value()
    }

    fn closed_form(&self, sample: &Sample) -> Option<Vec<f64>> {
        self.initial_estimate(sample).ok()
    }

    fn equality_constraints(&self) -> usize {
        1
    }

    fn specialise(&self, sample: &Sample) -> Result<Option<Box<dyn Family>>> {
        let (values, names, labelled): (Vec<f64>, Vec<String>, bool) = match sample.levels() {
            Some(levels) => {
                // Only the levels that occur with positive weight get a parameter.
                let present: Vec<usize> =
                    sample.distinct().iter().map(|&(x, _)| x as usize).collect();
                (
                    present.iter().map(|&j| j as f64).collect(),
                    present.iter().map(|&j| levels[j].clone()).collect(),
                    true,
                )
            }
            None => {
                let d = sample.distinct();
                (
                    d.iter().map(|&(x, _)| x).collect(),
                    d.iter().map(|&(x, _)| format!("{x}")).collect(),
                    false,
                )
            }
        };
        if values.len() < 2 {
            return Err(degenerate(
                self,
                format!(
                    "only one level ({}) occurs, so its probability would be 1, outside the open simplex",
                    names.first().map(String::as_str).unwrap_or("none")
                ),
            ));
        }
        if values.len() > MAX_LEVELS {
            return Err(degenerate(
                self,
                format!("{} levels exceed the limit of {MAX_LEVELS}", values.len()),
            ));
        }
        let specs = names.iter().map(|n| ParamSpec::unit(intern(n))).collect();
        Ok(Some(Box::new(Categorical {
            levels: Some(Levels {
                values,
                specs,
                labelled,
            }),
        })))
    }

    fn specialise_to_names(&self, names: &[String]) -> Result<Option<Box<dyn Family>>> {
        if names.len() < 2 || names.len() > MAX_LEVELS {
            return Err(degenerate(
                self,
                format!(
                    "{} levels: a categorical needs 2 to {MAX_LEVELS}",
                    names.len()
                ),
            ));
        }
        let values = (0..names.len()).map(|j| j as f64).collect();
        let specs = names.iter().map(|n| ParamSpec::unit(intern(n))).collect();
        Ok(Some(Box::new(Categorical {
            levels: Some(Levels {
                values,
                specs,
                labelled: true,
            }),
        })))
    }

    fn closed_form_std_errors(&self, theta: &[f64], sample: &Sample) -> Option<Vec<f64>> {
        let w = sample.summary().total_weight;
        Some(theta.iter().map(|p| (p * (1.0 - p) / w).sqrt()).collect())
    }

    fn irregularity(&self) -> Option<Irregularity> {
        Some(Irregularity {
            params: &ALL_INDICES[..self.values().len()],
            support_depends_on_params: false,
            note:
                "the probabilities are the observed proportions (closed form on the simplex, \
                   where the score is not zero); standard errors are the multinomial sqrt(p(1-p)/n)",
        })
    }

    fn typical_params(&self) -> Vec<f64> {
        match &self.levels {
            Some(l) => vec![1.0 / l.values.len() as f64; l.values.len()],
            None => vec![0.2, 0.3, 0.5],
        }
    }

    /// F(x) = Σ p_j over the levels whose value (code, for labels) is ≤ x; 1 from the last
    /// level on.
    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        if x.is_nan() {
            return Some(f64::NAN);
        }
        let values = self.values();
        if values.last().is_some_and(|&v| x >= v) {
            return Some(1.0);
        }
        let f: f64 = theta
            .iter()
            .zip(values)
            .take_while(|&(_, &v)| v <= x)
            .map(|(p, _)| p)
            .sum();
        Some(f.min(1.0))
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let total: f64 = theta.iter().sum();
        let values = self.values();
        (0..n)
            .map(|_| {
                let mut u = rng.random::<f64>() * total;
                for (j, p) in theta.iter().enumerate() {
                    if u < *p {
                        return values[j];
                    }
                    u -= p;
                }
                values[values.len() - 1]
            })
            .collect()
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        if self.levels.as_ref().is_some_and(|l| l.labelled) {
            return (f64::NAN, f64::NAN);
        }
        let values = self.values();
        let mean: f64 = theta.iter().zip(values).map(|(p, v)| p * v).sum();
        let var: f64 = theta
            .iter()
            .zip(values)
            .map(|(p, v)| p * (v - mean).powi(2))
            .sum();
        (mean, var)
    }
}

impl Categorical {
    fn values(&self) -> &[f64] {
        match &self.levels {
            Some(l) => &l.values,
            None => &GENERIC_VALUES,
        }
    }

    /// The level of value `x` (levels are sorted).
    fn index(&self, x: f64) -> Option<usize> {
        self.values().binary_search_by(|v| v.total_cmp(&x)).ok()
    }
}

/// 0, 1, …, MAX_LEVELS − 1: every categorical's parameters are all irregular.
static ALL_INDICES: LazyLock<Vec<usize>> = LazyLock::new(|| (0..MAX_LEVELS).collect());

/// Level names live as long as the process: each distinct name is stored once, so repeated
/// fits of the same labels allocate nothing new.
fn intern(name: &str) -> &'static str {
    static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{fit, FitOptions};
    use crate::optim::Termination;

    #[test]
    fn labelled_fit_is_the_observed_proportions() {
        let levels = vec!["blue".to_string(), "green".to_string(), "red".to_string()];
        let s = Sample::new(vec![2.0, 0.0, 2.0, 1.0, 2.0])
            .unwrap()
            .with_levels(levels)
            .unwrap();
        let f = fit(&CATEGORICAL, &s, &FitOptions::default()).unwrap();
        assert!(f.converged);
        assert_eq!(f.termination, Termination::ClosedForm);
        assert_eq!(
            f.params
                .0
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            ["blue", "green", "red"]
        );
        assert_eq!(f.theta(), vec![0.2, 0.2, 0.6]);
        // ℓ = Σ n_j ln p̂_j; three probabilities on the simplex are two free parameters.
        let ll = 2.0 * 0.2f64.ln() + 3.0 * 0.6f64.ln();
        assert!((f.log_likelihood - ll).abs() < 1e-13);
        assert!((f.aic - (4.0 - 2.0 * ll)).abs() < 1e-12);
        let se = f.std_errors.unwrap();
        assert!((se.get("red").unwrap() - (0.6f64 * 0.4 / 5.0).sqrt()).abs() < 1e-15);
        assert!(f.notes[0].contains("observed proportions"));
    }

    #[test]
    fn unobserved_levels_get_no_parameter_and_one_level_is_degenerate() {
        let levels = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let s = Sample::new(vec![0.0, 2.0, 2.0])
            .unwrap()
            .with_levels(levels.clone())
            .unwrap();
        let f = fit(&CATEGORICAL, &s, &FitOptions::default()).unwrap();
        assert_eq!(
            f.params
                .0
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            ["a", "c"]
        );
        let s = Sample::new(vec![1.0, 1.0])
            .unwrap()
            .with_levels(levels)
            .unwrap();
        let e = fit(&CATEGORICAL, &s, &FitOptions::default()).unwrap_err();
        assert!(e.to_string().contains("only one level (b)"), "{e}");
    }

    #[test]
    fn numeric_values_are_their_own_levels() {
        let s = Sample::new(vec![3.0, 7.0, 3.0, 3.5]).unwrap();
        let f = fit(&CATEGORICAL, &s, &FitOptions::default()).unwrap();
        assert_eq!(
            f.params.0,
            vec![("3".into(), 0.5), ("3.5".into(), 0.25), ("7".into(), 0.25)]
        );
        let spec = CATEGORICAL.specialise(&s).unwrap().unwrap();
        assert_eq!(
            spec.ln_density_derivs(&[0.5, 0.25, 0.25], 4.0, None, None),
            f64::NEG_INFINITY
        );
        assert_eq!(
            spec.mean_variance(&[0.5, 0.25, 0.25]).0,
            0.5 * 3.0 + 0.25 * 3.5 + 0.25 * 7.0
        );
    }

    #[test]
    fn derivatives() {
        crate::family::testkit::check_derivatives(&CATEGORICAL, &[0.2, 0.3, 0.5], 2.0, 1e-6);
        let s = Sample::new(vec![0.0, 2.0, 2.0, 1.0])
            .unwrap()
            .with_weights(vec![1.0, 0.5, 2.0, 3.0])
            .unwrap();
        crate::family::testkit::check_fast_path(&CATEGORICAL, &[0.2, 0.3, 0.5], &s, 1e-13, 1e-13);
        assert_eq!(intern("x"), intern(&String::from("x")));
    }

    #[test]
    fn cdf_matches_known_values() {
        // scipy.stats.rv_discrete(values=([3, 3.5, 7], [0.5, 0.25, 0.25])).cdf(x), scipy 1.17.1.
        let s = Sample::new(vec![3.0, 7.0, 3.0, 3.5]).unwrap();
        let spec = CATEGORICAL.specialise(&s).unwrap().unwrap();
        let theta = [0.5, 0.25, 0.25];
        for (x, expected) in [
            (2.9, 0.0),
            (3.0, 0.5),
            (3.7, 0.75),
            (6.99, 0.75),
            (7.0, 1.0),
        ] {
            let f = spec.cdf(&theta, x).unwrap();
            assert!((f - expected).abs() < 1e-15, "x={x}: {f}");
        }
        // Labels: the cumulative probability of the levels coded up to x.
        assert_eq!(CATEGORICAL.cdf(&[0.2, 0.3, 0.5], 1.0), Some(0.5));
    }
}
