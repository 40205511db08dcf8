//! Comparing families on one scale: cross entropy in nats per observation, in-sample and
//! held out, with AIC/AICc/BIC and Akaike weights, against a model-free estimate of the data's
//! own entropy H(p*) (the lower bound of every cross entropy: the gap estimates each family's
//! KL divergence from the data).
//!
//! Densities and probability masses are not on one scale, so discrete and continuous families
//! are ranked in separate groups. A family that cannot be fitted stays in its group with the
//! reason. Computed once into a [`Comparison`] and rendered by `report`.

use serde::Serialize;

use crate::crossval::{kfold, HeldOut};
use crate::data::Sample;
use crate::entropy::{self, EntropyEstimate};
use crate::family::{Family, FamilyHandle, RowInput};
use crate::fit::{fit, Fit, FitOptions};
use crate::mixture::{fit_mixture, is_mixture, MixtureOptions};
use crate::optim::Termination;

/// How to compare.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// Options of every fit.
    pub fit: FitOptions,
    /// Number of cross-validation folds.
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// Ranking key.
    pub sort: SortKey,
}

/// What to rank by (lower is better for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Held-out cross entropy (the default).
    Heldout,
    /// In-sample cross entropy.
    CrossEntropy,
    /// AIC.
    Aic,
    /// BIC.
    Bic,
}

/// One family's row.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The fit (the `fit --format json` object), absent when fitting failed.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fit>,
    /// The family (also inside `fit`).
    #[serde(skip)]
    pub family: String,
    /// Why the family could not be fitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Number of estimated parameters.
    pub k: usize,
    /// Monte Carlo standard error of the in-sample cross entropy, sd(−ln p(xᵢ)) / √n.
    pub cross_entropy_se: f64,
    /// Held-out cross entropy from k-fold cross-validation.
    pub heldout: Option<HeldOut>,
    /// AIC with the small-sample correction, AIC + 2k(k+1)/(n−k−1).
    pub aicc: f64,
    /// AIC minus the group's smallest AIC.
    pub delta_aic: f64,
    /// Akaike weight exp(−ΔAIC/2) / Σ exp(−ΔAIC/2) within the group.
    pub akaike_weight: f64,
    /// Cross entropy minus the entropy estimate: an estimate of KL(p* ‖ p_θ̂), on the grid the
    /// data were recorded on when the entropy estimate is (each row's cell probability against
    /// the plug-in entropy of the cells); floored at 0 (a KL divergence is never negative: an
    /// estimate below 0 is noise), null when the group has no entropy estimate.
    pub kl_estimate: f64,
    /// Standard error of the KL estimate, paired over rows (the family's −ln p(xᵢ) minus the
    /// entropy estimate's per-row term).
    pub kl_std_error: f64,
    /// Kolmogorov–Smirnov distance sup |F_n − F_θ̂| between the (weighted) empirical CDF and
    /// the fitted CDF; `None` when the family has no CDF.
    pub ks_distance: Option<f64>,
    /// Place in the group's ranking (1 = best; families tied with the best within the paired
    /// standard error share rank 1). Absent for a boundary fit, which takes no rank of its own
    /// (it is shown beside the family it tends to), and for a family that could not be fitted.
    pub rank: Option<usize>,
    /// Whether the family ties with the best: its criterion differs from the winner's by no
    /// more than the paired standard error of the difference (cross-entropy keys only).
    pub tied_with_best: bool,
    /// For a boundary fit, the family it tends to (from the registry's nested pairs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Why the family has no Akaike weight (its `akaike_weight` and `delta_aic` are null): an
    /// irregular likelihood (support set by the parameters, unbounded, a shape beyond the
    /// regular range) or a fit that did not converge. Absent when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_weight: Option<String>,
    /// The table's status: `ok`, `failed`, or the termination and why the family has no weight.
    pub status: String,
}

/// The winner of a group and its margin over the runner-up.
#[derive(Debug, Clone, Serialize)]
pub struct Margin {
    /// Best family.
    pub winner: String,
    /// Second-best family.
    pub runner_up: String,
    /// Difference of the ranking criterion (runner-up − winner); for cross entropies in nats
    /// per observation.
    pub difference: f64,
    /// Standard error of that difference, paired over observations (cross entropies only).
    pub std_error: Option<f64>,
    /// Whether the difference is within that standard error: the two tie.
    pub tie: bool,
}

/// Families ranked together (all discrete or all continuous).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `"continuous"`, `"discrete"` or `"circular"`.
    pub kind: String,
    /// Model-free estimate of the data's entropy, the lower bound of every cross entropy.
    pub entropy_estimate: Option<EntropyEstimate>,
    /// Why there is no entropy estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entropy_error: Option<String>,
    /// Best first by the ranking key; failed fits last.
    pub families: Vec<Entry>,
    /// Winner and margin, when two families were fitted.
    pub margin: Option<Margin>,
    /// Likelihood-ratio tests for the nested pairs among the fitted families.
    pub nested: Vec<NestedTest>,
}

/// A likelihood-ratio test of a nested pair.
#[derive(Debug, Clone, Serialize)]
pub struct NestedTest {
    /// The restricted family.
    pub small: String,
    /// The family that contains it.
    pub big: String,
    /// The restriction in words.
    pub restriction: String,
    /// 2(ℓ_big − ℓ_small), floored at 0.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Whether the null sits on the boundary (chi-bar-squared ½χ²₀ + ½χ²₁ p-value).
    pub on_boundary: bool,
    /// P(statistic ≥ observed) under the restricted family.
    pub p_value: f64,
}

/// p-value of a likelihood-ratio statistic: χ²_df, or ½χ²₀ + ½χ²₁ on the boundary.
pub fn lrt_p_value(statistic: f64, df: usize, on_boundary: bool) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let chi = ChiSquared::new(df as f64).expect("df ≥ 1");
    let tail = chi.sf(statistic.max(0.0));
    if on_boundary {
        if statistic <= 0.0 {
            1.0
        } else {
            0.5 * tail
        }
    } else {
        tail
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The ranking key.
    pub sort: SortKey,
    /// One group per kind of support.
    pub groups: Vec<Group>,
    /// Cross-validation folds of the held-out estimates (in each entry's `heldout` in JSON).
    #[serde(skip)]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[serde(skip)]
    pub seed: u64,
    /// The file the data came from (`<stdin>` for standard input), when known: batch outputs
    /// say what they describe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The column compared, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl Comparison {
    /// Comparisons of the same data run separately (with different fit options, such as a
    /// number of trials only some families take) as one: groups of the same kind are joined,
    /// each part's families in their own order. The sort key and folds are the first part's.
    pub fn merge(parts: Vec<Comparison>) -> Option<Comparison> {
        let mut parts = parts.into_iter();
        let mut merged = parts.next()?;
        for part in parts {
            for g in part.groups {
                match merged.groups.iter_mut().find(|o| o.kind == g.kind) {
                    Some(o) => o.families.extend(g.families),
                    None => merged.groups.push(g),
                }
            }
        }
        Some(merged)
    }
}

/// Per-row −ln p(xᵢ | θ̂) under a fit (with the family specialised as the fit was).
fn per_row_nll(family: &dyn Family, sample: &Sample, fit: &Fit) -> Vec<f64> {
    let fam = FamilyHandle::for_sample_or_given(family, sample);
    let fam: &dyn Family = &*fam;
    let mut theta = fit.theta();
    let input = RowInput::of(fam, sample);
    sample
        .values()
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if let Some(input) = input {
                input.theta_at(&mut theta, i);
            }
            -fam.ln_density_derivs(&theta, x, None, None)
        })
        .collect()
}

/// The Kolmogorov–Smirnov distance between the weighted empirical CDF of `sample` and the
/// fitted family's CDF, checked on both sides of every jump of either (for discrete families
/// F(x−) is F at the previous support point: x − 1 on the integers, the previous level for
/// labels).
pub fn ks_distance(family: &dyn Family, sample: &Sample, fit: &Fit) -> Option<f64> {
    let fam = FamilyHandle::for_sample_or_given(family, sample);
    let fam: &dyn Family = &*fam;
    if sample.trials().is_some() || fam.support() == crate::family::Support::Angle {
        return None; // each row has its own distribution; angles have no origin for a CDF
    }
    let theta = fit.theta();
    let w_total = sample.summary().total_weight;
    let support = fam.support();
    let (mut cum, mut d) = (0.0, 0.0f64);
    let mut previous: Option<f64> = None;
    for &(x, w) in sample.distinct() {
        let f = fam.cdf(&theta, x)?;
        let f_before = if !support.is_discrete() {
            f
        } else if support == crate::family::Support::Labels {
            previous.map_or(Some(0.0), |p| fam.cdf(&theta, p))?
        } else {
            fam.cdf(&theta, x - 1.0)?
        };
        d = d.max((cum / w_total - f_before).abs());
        cum += w;
        d = d.max((cum / w_total - f).abs());
        previous = Some(x);
    }
    Some(d)
}

/// Compare `families` (each with the sample it is fitted to: labels for a categorical,
/// numbers otherwise).
pub fn compare(families: &[(&dyn Family, &Sample)], options: &CompareOptions) -> Comparison {
    // Angles have densities that are periodic (they integrate to 1 over 2π, not over ℝ), so
    // circular families are a group of their own too.
    let kind_of = |f: &dyn Family| match f.support() {
        crate::family::Support::Angle => "circular",
        s if s.is_discrete() => "discrete",
        _ => "continuous",
    };
    let groups = ["continuous", "discrete", "circular"]
        .into_iter()
        .filter_map(|kind| {
            let members: Vec<(&dyn Family, &Sample)> = families
                .iter()
                .filter(|(f, _)| kind_of(*f) == kind)
                .copied()
                .collect();
            (!members.is_empty()).then(|| rank_group(kind, &members, options))
        })
        .collect();
    Comparison {
        sort: options.sort,
        groups,
        folds: options.folds,
        seed: options.seed,
        file: None,
        column: None,
    }
}

/// Per-row −ln p(xᵢ) of a fitted family: held out (from cross-validation) and in sample, for
/// the paired standard error of the margin.
type PerRow = Option<(Vec<f64>, Vec<f64>)>;

/// Fit, cross-validate and rank the `members` of one group (all of one `kind`).
fn rank_group(kind: &str, members: &[(&dyn Family, &Sample)], options: &CompareOptions) -> Group {
    // The entropy of the data (all members share the data column).
    let data = members[0].1;
    let (entropy_estimate, entropy_error) = entropy_of(kind, data);
    let (mut entries, per_row): (Vec<Entry>, Vec<PerRow>) = members
        .iter()
        .map(|(family, sample)| fit_entry(*family, sample, options, entropy_estimate.as_ref()))
        .unzip();
    weigh(&mut entries);
    let order = ranking_order(&entries, options.sort);
    let ranked: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| tier(&entries[i], options.sort) < Tier::Boundary)
        .collect();
    let key = |e: &Entry| sort_key(e, options.sort);
    // Only a converged fit wins; the runner-up is the next ranked family.
    let winner = ranked
        .first()
        .copied()
        .filter(|&i| tier(&entries[i], options.sort) < Tier::NotConverged);
    for (place, &i) in ranked.iter().enumerate() {
        entries[i].rank = Some(place + 1);
    }
    let mut margin = None;
    if let Some(w) = winner {
        for &i in ranked.iter().skip(1) {
            let difference = key(&entries[i]) - key(&entries[w]);
            let se = paired_se(&per_row[w], &per_row[i], options.sort, data);
            let tied = se.is_some_and(|se| difference <= se);
            if tied {
                entries[i].tied_with_best = true;
                entries[w].tied_with_best = true;
                entries[i].rank = Some(1);
            }
            if margin.is_none() {
                margin = Some(Margin {
                    winner: entries[w].family.clone(),
                    runner_up: entries[i].family.clone(),
                    difference,
                    std_error: se,
                    tie: tied,
                });
            }
        }
    }
    let nested = nested_tests(&entries);
    let mut slots: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    let ranked = order.iter().filter_map(|&i| slots[i].take()).collect();
    Group {
        kind: kind.into(),
        entropy_estimate,
        entropy_error,
        families: ranked,
        margin,
        nested,
    }
}

/// Where an entry stands before its criterion is compared: converged fits first (regular
/// likelihoods before irregular ones, except by held-out cross entropy, which is honest for
/// both), then fits that did not converge, boundary fits (which take no rank of their own)
/// and failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Converged,
    Irregular,
    NotConverged,
    Boundary,
    Failed,
}

fn tier(e: &Entry, sort: SortKey) -> Tier {
    match &e.fit {
        None => Tier::Failed,
        Some(f) if f.termination == Termination::Boundary => Tier::Boundary,
        Some(f) if !f.converged => Tier::NotConverged,
        Some(_) if e.no_weight.is_some() && sort != SortKey::Heldout => Tier::Irregular,
        Some(_) => Tier::Converged,
    }
}

/// The order of the table: by tier and criterion, each boundary fit moved to just after the
/// family it tends to when that family is in the group.
fn ranking_order(entries: &[Entry], sort: SortKey) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&entries[a], &entries[b]);
        tier(ea, sort)
            .cmp(&tier(eb, sort))
            .then_with(|| sort_key(ea, sort).total_cmp(&sort_key(eb, sort)))
    });
    let (boundary, mut placed): (Vec<usize>, Vec<usize>) = order
        .into_iter()
        .partition(|&i| tier(&entries[i], sort) == Tier::Boundary);
    for b in boundary {
        let beside = entries[b].limit.as_ref().and_then(|limit| {
            placed
                .iter()
                .position(|&i| &entries[i].family == limit && entries[i].fit.is_some())
        });
        let at = match beside {
            // After the limit family and any boundary fits already placed beside it.
            Some(p) => {
                let mut q = p + 1;
                while q < placed.len()
                    && tier(&entries[placed[q]], sort) == Tier::Boundary
                    && entries[placed[q]].limit == entries[b].limit
                {
                    q += 1;
                }
                q
            }
            None => placed
                .iter()
                .position(|&i| entries[i].fit.is_none())
                .unwrap_or(placed.len()),
        };
        placed.insert(at, b);
    }
    placed
}

/// Why a fitted family's likelihood is not regular, so that AIC and its weights do not apply.
fn irregularity(family: &dyn Family, f: &Fit) -> Option<String> {
    if family
        .irregularity()
        .is_some_and(|i| i.support_depends_on_params)
    {
        return Some("irregular: support set by the parameters".into());
    }
    if !(f.log_likelihood < f64::INFINITY) {
        return Some("unbounded likelihood".into());
    }
    // Smith (1985): the GEV and generalized Pareto likelihoods are regular only for
    // shape > −1/2, and unbounded for shape < −1.
    if matches!(f.family.as_str(), "gev" | "generalized_pareto") {
        match f.params.get("shape") {
            Some(s) if s <= -1.0 => return Some("unbounded likelihood (shape ≤ -1)".into()),
            Some(s) if s < -0.5 => return Some("irregular: shape < -1/2".into()),
            _ => {}
        }
    }
    None
}

/// The family a boundary fit tends to: the registry's nested pair with `family` as the big
/// family and the restriction on the edge of its parameter space (the one the fit's notes
/// name, when there are several).
fn limit_of(family: &str, f: &Fit) -> Option<String> {
    let candidates: Vec<&str> = crate::family::NESTED
        .iter()
        .filter(|n| n.big == family && n.on_boundary)
        .map(|n| n.small)
        .collect();
    candidates
        .iter()
        .find(|small| {
            f.notes
                .iter()
                .any(|note| note.contains(&format!("the {small} family")))
        })
        .or(candidates.first())
        .map(|s| s.to_string())
}

/// One family's entry (before the group's Akaike weights and KL estimates), and its per-row
/// −ln p(xᵢ) when it could be fitted.
fn fit_entry(
    family: &dyn Family,
    sample: &Sample,
    options: &CompareOptions,
    entropy: Option<&EntropyEstimate>,
) -> (Entry, PerRow) {
    let result = fit_once(family, sample, options).and_then(|fitted| {
        // A mixture's folds start from its full-data estimate, so that each refit stays at the
        // optimum the multi-start found instead of a local one.
        let fold_options = if is_mixture(family) {
            FitOptions {
                start: Some(fitted.theta()),
                ..options.fit.clone()
            }
        } else {
            options.fit.clone()
        };
        let held = kfold(family, sample, &fold_options, options.folds, options.seed)?;
        Ok((fitted, held))
    });
    match result {
        Ok((fitted, held)) => {
            let rows = per_row_nll(family, sample, &fitted);
            let (_, se) = sample.mean_se(&rows);
            // The parameter count AIC used (estimated parameters less equality constraints).
            let k = ((fitted.aic + 2.0 * fitted.log_likelihood) / 2.0).round() as usize;
            let n = fitted.weight_total.unwrap_or(fitted.n as f64);
            let aicc = if n - k as f64 - 1.0 > 0.0 {
                fitted.aic + 2.0 * k as f64 * (k as f64 + 1.0) / (n - k as f64 - 1.0)
            } else {
                f64::INFINITY
            };
            let (kl_estimate, kl_std_error) = entropy.map_or((f64::NAN, f64::NAN), |h| {
                kl(family, sample, &fitted, &rows, h)
            });
            let per_row = Some((held.per_row.clone(), rows));
            let ks = ks_distance(family, sample, &fitted);
            let boundary = fitted.termination == Termination::Boundary;
            let limit = boundary
                .then(|| limit_of(&fitted.family, &fitted))
                .flatten();
            let irregular = irregularity(family, &fitted);
            let no_weight = match (&irregular, fitted.converged, &limit) {
                (Some(why), _, _) => Some(why.clone()),
                (None, true, _) => None,
                (None, false, Some(limit)) => Some(format!("boundary → {limit} limit")),
                (None, false, None) => Some(fitted.termination.as_str().to_string()),
            };
            let status = match (&no_weight, boundary, &limit) {
                (None, _, _) => "ok".to_string(),
                (Some(why), true, Some(_)) => format!("{why}; no weight"),
                (Some(why), true, None) if irregular.is_some() => {
                    format!("boundary, {why}; no weight")
                }
                (Some(why), _, _) if irregular.is_some() && !fitted.converged => {
                    format!("{}, {why}; no weight", fitted.termination.as_str())
                }
                (Some(why), _, _) => format!("{why}; no weight"),
            };
            let entry = Entry {
                family: fitted.family.clone(),
                error: None,
                k,
                cross_entropy_se: se,
                heldout: Some(held),
                aicc,
                delta_aic: 0.0,
                akaike_weight: 0.0,
                kl_estimate,
                kl_std_error,
                ks_distance: ks,
                rank: None,
                tied_with_best: false,
                limit,
                no_weight,
                status,
                fit: Some(fitted),
            };
            (entry, per_row)
        }
        Err(e) => {
            let entry = Entry {
                family: family.name().to_string(),
                error: Some(e.to_string()),
                k: family.params().len(),
                cross_entropy_se: f64::NAN,
                heldout: None,
                aicc: f64::NAN,
                delta_aic: f64::NAN,
                akaike_weight: f64::NAN,
                kl_estimate: f64::NAN,
                kl_std_error: f64::NAN,
                ks_distance: None,
                rank: None,
                tied_with_best: false,
                limit: None,
                no_weight: None,
                status: "failed".into(),
                fit: None,
            };
            (entry, None)
        }
    }
}

/// The fit of one family: a mixture by the multi-start driver that `fit --components` uses
/// (its likelihood has many local maxima), every other family by the ordinary fit.
fn fit_once(family: &dyn Family, sample: &Sample, options: &CompareOptions) -> crate::Result<Fit> {
    if is_mixture(family) {
        let mixture_options = MixtureOptions {
            fit: options.fit.clone(),
            ..MixtureOptions::default()
        };
        fit_mixture(family, sample, &mixture_options).map(|m| m.fit)
    } else {
        fit(family, sample, &options.fit)
    }
}

/// The model-free entropy estimate of a group's data, or why there is none.
fn entropy_of(kind: &str, data: &Sample) -> (Option<EntropyEstimate>, Option<String>) {
    let estimate = match kind {
        "discrete" => entropy::recorded_discrete(data),
        "circular" => return (None, Some("no estimator for angles yet".to_string())),
        _ => entropy::recorded(data),
    };
    match estimate {
        Ok(e) => (Some(e), None),
        Err(e) => (None, Some(e.to_string())),
    }
}

/// The KL estimate of a fit and its paired standard error: the mean over rows of the family's
/// −ln p(xᵢ) minus the entropy estimate's term for the row. When the estimate is on a grid,
/// a continuous family's −ln p(xᵢ) is that of its probability of xᵢ's cell per unit length,
/// −ln[(F(c + h/2) − F(c − h/2))/h], which is what a density is compared with on rounded data.
fn kl(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    rows: &[f64],
    h: &EntropyEstimate,
) -> (f64, f64) {
    let cells = match &h.grid {
        Some(grid) if !family.support().is_discrete() => cell_nll(family, sample, fit, grid),
        _ => None,
    };
    let nll = cells.as_deref().unwrap_or(rows);
    let d: Vec<f64> = nll.iter().zip(&h.terms).map(|(a, b)| a - b).collect();
    let (mean, se) = sample.mean_se(&d);
    (mean.max(0.0), se)
}

/// Per-row −ln[(F(c + h/2) − F(c − h/2))/h] for the cell c of each row (the density where the
/// difference of CDFs loses its precision in a far tail); `None` for families without a CDF
/// or with per-row inputs.
fn cell_nll(
    family: &dyn Family,
    sample: &Sample,
    fit: &Fit,
    grid: &entropy::Grid,
) -> Option<Vec<f64>> {
    let fam = FamilyHandle::for_sample_or_given(family, sample);
    let fam: &dyn Family = &*fam;
    if RowInput::of(fam, sample).is_some() {
        return None;
    }
    let theta = fit.theta();
    let h = grid.step;
    sample
        .values()
        .iter()
        .map(|&x| {
            let c = grid.centre(x);
            let p = fam.cdf(&theta, c + h / 2.0)? - fam.cdf(&theta, c - h / 2.0)?;
            let density = -fam.ln_density_derivs(&theta, x, None, None);
            // Below ~1e-8 the difference of two CDFs near 1 has lost most of its digits.
            Some(if p > 1e-8 { -(p / h).ln() } else { density })
        })
        .collect()
}

/// ΔAIC and Akaike weights of the fitted entries of one group. Only regular,
/// converged fits have an AIC that the weights can compare; the others get none.
fn weigh(entries: &mut [Entry]) {
    let weighed = |e: &Entry| e.no_weight.is_none();
    let best_aic = entries
        .iter()
        .filter(|e| weighed(e))
        .filter_map(|e| e.fit.as_ref().map(|f| f.aic))
        .fold(f64::INFINITY, f64::min);
    let total: f64 = entries
        .iter()
        .filter(|e| weighed(e))
        .filter_map(|e| e.fit.as_ref().map(|f| (-(f.aic - best_aic) / 2.0).exp()))
        .sum();
    for e in entries {
        let has_weight = weighed(e);
        if let Some(f) = &e.fit {
            if has_weight {
                e.delta_aic = f.aic - best_aic;
                e.akaike_weight = (-(e.delta_aic) / 2.0).exp() / total;
            } else {
                e.delta_aic = f64::NAN;
                e.akaike_weight = f64::NAN;
            }
        }
    }
}

/// The value an entry is ranked by (failed fits last).
fn sort_key(e: &Entry, sort: SortKey) -> f64 {
    match (&e.fit, sort) {
        (None, _) => f64::INFINITY,
        (Some(_), SortKey::Heldout) => e
            .heldout
            .as_ref()
            .map_or(f64::INFINITY, |h| h.cross_entropy),
        (Some(f), SortKey::CrossEntropy) => f.cross_entropy,
        (Some(f), SortKey::Aic) => f.aic,
        (Some(f), SortKey::Bic) => f.bic,
    }
}

/// The paired standard error of the per-row difference in the ranking criterion between the
/// runner-up and the winner (cross entropies only).
fn paired_se(winner: &PerRow, runner_up: &PerRow, sort: SortKey, data: &Sample) -> Option<f64> {
    let (x, y) = winner.as_ref().zip(runner_up.as_ref())?;
    let (x, y) = match sort {
        SortKey::Heldout => (&x.0, &y.0),
        SortKey::CrossEntropy => (&x.1, &y.1),
        _ => return None,
    };
    let d: Vec<f64> = y.iter().zip(x).map(|(p, q)| p - q).collect();
    Some(data.mean_se(&d).1)
}

/// Likelihood-ratio tests for the registry's nested pairs among the fitted entries.
fn nested_tests(entries: &[Entry]) -> Vec<NestedTest> {
    let ll = |name: &str| {
        entries
            .iter()
            .find(|e| e.family == name)
            .and_then(|e| e.fit.as_ref())
            .map(|f| f.log_likelihood)
    };
    crate::family::NESTED
        .iter()
        .filter_map(|n| {
            let (small, big) = (ll(n.small)?, ll(n.big)?);
            let statistic = (2.0 * (big - small)).max(0.0);
            Some(NestedTest {
                small: n.small.into(),
                big: n.big.into(),
                restriction: n.restriction.into(),
                statistic,
                df: n.df,
                on_boundary: n.on_boundary,
                p_value: lrt_p_value(statistic, n.df, n.on_boundary),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::lookup;

    #[test]
    fn the_generating_family_or_one_that_nests_it_wins() {
        let g = lookup("gamma").unwrap();
        let xs = g.sample(
            &[2.5, 0.8],
            3000,
            &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(4),
        );
        let s = Sample::new(xs).unwrap();
        let names = [
            "gamma",
            "lognormal",
            "weibull",
            "exponential",
            "generalized_gamma",
        ];
        let fams: Vec<(&dyn Family, &Sample)> =
            names.iter().map(|n| (lookup(n).unwrap(), &s)).collect();
        let opts = CompareOptions {
            fit: FitOptions::default(),
            folds: 5,
            seed: 1,
            sort: SortKey::Heldout,
        };
        let c = compare(&fams, &opts);
        assert_eq!(c.groups.len(), 1);
        let group = &c.groups[0];
        let winner = &group.families[0].family;
        assert!(
            winner == "gamma" || winner == "generalized_gamma",
            "{winner}"
        );
        // Akaike weights sum to 1; every KL estimate is ≥ −4 SE of the entropy estimate.
        let total: f64 = group
            .families
            .iter()
            .filter(|e| e.fit.is_some())
            .map(|e| e.akaike_weight)
            .sum();
        assert!((total - 1.0).abs() < 1e-12);
        let h = group.entropy_estimate.as_ref().unwrap();
        for e in group.families.iter().filter(|e| e.fit.is_some()) {
            assert!(
                e.kl_estimate > -4.0 * h.std_error,
                "{}: {}",
                e.family,
                e.kl_estimate
            );
        }
        let m = group.margin.as_ref().unwrap();
        assert!(m.difference >= 0.0 && m.std_error.unwrap() > 0.0);
    }

    #[test]
    fn ks_distance_of_a_two_point_sample_under_a_fixed_uniform() {
        // F(x) = x on (0, 1); data {0.2, 0.9}: sup |F_n − F| = max(0.2, 0.5 − 0.2, 0.9 − 0.5, 0.1)
        // = 0.4 (attained just below 0.9).
        let s = Sample::new(vec![0.2, 0.9]).unwrap();
        let uniform = crate::family::lookup("uniform").unwrap();
        let opts = FitOptions {
            fixed: vec![("min".into(), 0.0), ("max".into(), 1.0)],
            start: None,
            ..FitOptions::default()
        };
        let f = fit(uniform, &s, &opts).unwrap();
        assert!((ks_distance(uniform, &s, &f).unwrap() - 0.4).abs() < 1e-15);
    }

    #[test]
    fn chi_bar_squared_halves_the_tail() {
        // χ²₁ upper 5% point 3.8415: p = 0.05 interior, 0.025 on the boundary.
        assert!((lrt_p_value(3.841_458_820_694_124, 1, false) - 0.05).abs() < 1e-9);
        assert!((lrt_p_value(3.841_458_820_694_124, 1, true) - 0.025).abs() < 1e-9);
        assert_eq!(lrt_p_value(0.0, 1, true), 1.0);
        assert!((lrt_p_value(5.991_464_547_107_979, 2, false) - 0.05).abs() < 1e-9);
    }

    #[test]
    fn discrete_and_continuous_are_separate_groups_and_failures_stay() {
        let s = Sample::new(vec![0.0, 1.0, 1.0, 2.0, 3.0, 1.0, 0.0, 2.0, 5.0, 1.0]).unwrap();
        let fams: Vec<(&dyn Family, &Sample)> = ["poisson", "negative_binomial", "normal", "gamma"]
            .iter()
            .map(|n| (lookup(n).unwrap(), &s))
            .collect();
        let opts = CompareOptions {
            fit: FitOptions::default(),
            folds: 5,
            seed: 1,
            sort: SortKey::Aic,
        };
        let c = compare(&fams, &opts);
        assert_eq!(
            c.groups.iter().map(|g| g.kind.as_str()).collect::<Vec<_>>(),
            ["continuous", "discrete"]
        );
        let gamma = c.groups[0]
            .families
            .iter()
            .find(|e| e.family == "gamma")
            .unwrap();
        assert!(
            gamma.fit.is_none()
                && gamma
                    .error
                    .as_ref()
                    .unwrap()
                    .contains("outside the support")
        );
        assert_eq!(
            c.groups[0].families.last().unwrap().family,
            "gamma",
            "failures rank last"
        );
    }
}
