//! What a mixture fit returns: the best fit with the record of every start ([`MixtureFit`]),
//! and the choice among numbers of components ([`MixtureSelection`]).

use serde::Serialize;

use crate::fit::Fit;

/// How one start ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartStatus {
    /// The start whose fit is reported.
    Best,
    /// Reached the same maximum as the best.
    ReachedBest,
    /// A certified local maximum below the best.
    LocalMaximum,
    /// A component collapsed onto a point or emptied (rejected).
    Degenerate,
    /// Newton did not certify a maximum from the EM solution (rejected).
    NotConverged,
    /// Large data: not polished, its screening solution ranked below the polished ones.
    ScreenedOut,
}

/// One start's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct StartReport {
    /// 0-based start number.
    pub start: usize,
    /// `quantiles` (the first) or `kmeans++`.
    pub init: &'static str,
    /// EM passes before the Newton finish.
    pub em_iterations: usize,
    /// Log-likelihood reached (EM's when the start stopped there).
    pub log_likelihood: f64,
    /// How it ended.
    pub status: StartStatus,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Large data: the polished start whose result this start shares, its screening solution
    /// having coincided with that start's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<usize>,
}

/// A mixture fitted from several starts: the best certified, non-degenerate fit, with its
/// components sorted by location, and the record of every start.
#[derive(Debug, Clone, Serialize)]
pub struct MixtureFit {
    /// The fit (the `fit --format json` object; parameters sorted by component location). For
    /// one component, the base family's fit (normal, lognormal, poisson).
    #[serde(flatten)]
    pub fit: Fit,
    /// Number of components.
    pub components: usize,
    /// Seed of the k-means++ starts.
    pub seed: u64,
    /// Number of starts run.
    pub starts: usize,
    /// Starts that reached the reported maximum (log-likelihood within 1e-6·n and every
    /// parameter within 0.01 standard errors, after sorting), the reported one included.
    pub starts_reaching_best: usize,
    /// Starts rejected because a component collapsed onto a point or emptied.
    pub degenerate_starts: usize,
    /// Starts rejected because the Newton finish did not certify a maximum.
    pub nonconverged_starts: usize,
    /// EM passes of the reported start (screening, short EM and any fallback).
    pub em_iterations: usize,
    /// Large data (more than [`SCREEN_ABOVE`](super::SCREEN_ABOVE) distinct values): the size of the quantile
    /// subsample the starts were screened on; absent when every start was polished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screened_on: Option<usize>,
    /// Every start, in order.
    pub start_details: Vec<StartReport>,
}

impl MixtureFit {
    /// (weight, location, scale) of each component, in the reported (sorted) order; the scale
    /// is `None` for Poisson components.
    pub fn components(&self) -> Vec<(f64, f64, Option<f64>)> {
        let theta = self.fit.theta();
        let k = self.components;
        if k == 1 {
            return vec![(1.0, theta[0], theta.get(1).copied())];
        }
        (0..k)
            .map(|j| (theta[j], theta[k + j], theta.get(2 * k + j).copied()))
            .collect()
    }
}

/// One number of components in a [`MixtureSelection`].
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Number of components.
    pub components: usize,
    /// BIC minus the smallest BIC (NaN without a fit).
    pub delta_bic: f64,
    /// The fit, when one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<MixtureFit>,
    /// Why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Mixtures with each number of components in a range, and the one BIC chooses.
#[derive(Debug, Clone, Serialize)]
pub struct MixtureSelection {
    /// The mixture family.
    pub family: String,
    /// The criterion (`bic`: k ln n − 2ℓ, lower is better).
    pub criterion: &'static str,
    /// The chosen number of components (the lowest BIC among converged fits).
    pub chosen_k: usize,
    /// One entry per number of components, in increasing order.
    pub fits: Vec<Candidate>,
}

impl MixtureSelection {
    /// The chosen fit.
    pub fn chosen(&self) -> &MixtureFit {
        self.fits
            .iter()
            .find(|c| c.components == self.chosen_k)
            .and_then(|c| c.fit.as_ref())
            .expect("the chosen number of components has a fit")
    }
}
