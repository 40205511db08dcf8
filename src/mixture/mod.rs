//! Finite mixtures: fitting from several seeded starts, and choosing the number of components.
//!
//! A mixture's log-likelihood Σ ln Σⱼ wⱼ fⱼ(xᵢ) is not concave: it has a local maximum for
//! every way of sharing the data among the components, and it is unbounded where a component
//! collapses onto one point (σⱼ → 0 at a repeated value). A single Newton run from one start
//! therefore proves only that it found *a* local maximum. [`fit_mixture`] runs several seeded
//! starts — a quantile split of the data and k-means++ seedings — takes each through a short EM
//! (the closed-form M-step keeps every iterate in the parameter space and increases the
//! likelihood monotonically; SQUAREM extrapolation accelerates it, and it stops once a cycle
//! gains less than 10⁻⁶·|ℓ|: its job is only to land in the right basin), finishes each with the
//! standard [`crate::fit::fit`] (Newton, quadratically convergent, with the same certificate as
//! every fit: score zero, Hessian positive definite, no parameter at the edge; when it cannot
//! certify from the short EM other than by running out of iterations, EM goes on to
//! 10⁻¹⁰·|ℓ| and Newton tries again), rejects
//! degenerate and uncertified solutions, and keeps the best, reporting how many starts reached
//! it. Components are sorted by their location (mean, meanlog or rate), so output is stable
//! across runs and seeds. [`select`] fits each number of components in a range and picks one by
//! BIC.
//!
//! Large data (more than [`SCREEN_ABOVE`] distinct values) are screened: every start runs EM to
//! 10⁻¹⁰·|ℓ| on a quantile subsample of [`SCREEN_POINTS`] points, starts that end at the same
//! point are grouped, the groups are ranked by the full data's log-likelihood at their
//! solutions, and only the best [`POLISHED_STARTS`] are polished (short EM and Newton) on the
//! full data; the other starts of a polished group share its result, the rest are reported as
//! screened out. Every pass over the data runs in fixed blocks in parallel and sums them in
//! block order, so a fit is the same for a seed whatever the number of threads.
//!
//! Degenerate solutions are detected, never floored silently: a component whose scale falls
//! below 10⁻⁶ of the data's spread (it sits on a single value, where the likelihood is
//! unbounded), whose expected count wⱼ·n is below 2, or whose rate falls to 10⁻⁶ (a point mass
//! at 0) ends its start, which is then counted in `degenerate_starts` and named in a note. When
//! every start is degenerate the fit is an error.
//!
//! The mixture model itself (the generic family over a component kernel, the log-sum-exp, EM
//! and the canonical order of components) is [`crate::family::mixture`], below the fit; this
//! module is the driver above it: options, starts, the choice of the best, K selection.
//! `starts.rs` runs the starts, `multistart.rs` picks the best, `outcome.rs` holds the results.
//!
//! References: McLachlan & Peel, *Finite Mixture Models* (2000), ch. 2–3 (EM, the unbounded
//! likelihood and degenerate solutions); Arthur & Vassilvitskii, "k-means++: the advantages of
//! careful seeding", SODA 2007.

use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::mixture::check_components;
use crate::family::{degenerate, Family};
use crate::fit::{fit, FitOptions};

mod multistart;
mod outcome;
mod starts;

pub use crate::family::mixture::{canonical, is_mixture, KernelKind, MAX_COMPONENTS};
pub use multistart::fit_mixture;
pub use outcome::{Candidate, MixtureFit, MixtureSelection, StartReport, StartStatus};

/// Default number of starts.
pub const DEFAULT_STARTS: usize = 10;
/// Default seed of the k-means++ starts.
pub const DEFAULT_SEED: u64 = 1;
/// The range of `--components auto`.
pub const AUTO_RANGE: RangeInclusive<usize> = 1..=6;
/// Default cap on the EM passes of a start's tight EM (the screening of large data, and the
/// fallback when Newton does not certify a maximum from the short EM).
pub const DEFAULT_EM_ITERATIONS: usize = 500;
/// Data with more distinct values than this are screened on a quantile subsample.
pub const SCREEN_ABOVE: usize = 20_000;
/// Points of the screening subsample.
pub const SCREEN_POINTS: usize = 5_000;
/// At most this many distinct screened solutions are polished on the full data.
pub const POLISHED_STARTS: usize = 3;

/// How many components to fit: one number, or a range to choose from by BIC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Components {
    /// Exactly this many.
    Fixed(usize),
    /// Each number in the range; the lowest BIC is chosen.
    Range(RangeInclusive<usize>),
}

impl FromStr for Components {
    type Err = String;

    /// `K`, `auto` (= 1..6) or a range `A..B` (inclusive; `A..=B` also accepted).
    fn from_str(s: &str) -> std::result::Result<Components, String> {
        let s = s.trim();
        let number = |t: &str| -> std::result::Result<usize, String> {
            let k: usize = t
                .trim()
                .parse()
                .map_err(|_| format!("expected K, auto or A..B, not {s:?}"))?;
            if (1..=MAX_COMPONENTS).contains(&k) {
                Ok(k)
            } else {
                Err(format!(
                    "the number of components must be 1 to {MAX_COMPONENTS}, not {k}"
                ))
            }
        };
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Components::Range(AUTO_RANGE));
        }
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (number(a)?, number(b.trim_start_matches('='))?);
            if a > b {
                return Err(format!("empty range of components {s:?}"));
            }
            return Ok(Components::Range(a..=b));
        }
        Ok(Components::Fixed(number(s)?))
    }
}

/// How to fit a mixture.
#[derive(Debug, Clone)]
pub struct MixtureOptions {
    /// Number of starts (the first is a quantile split, the others k-means++ seedings).
    pub starts: usize,
    /// Seed of the k-means++ starts: the same seed gives the same fit.
    pub seed: u64,
    /// Cap on EM iterations per start.
    pub em_iterations: usize,
    /// Options of the Newton finish of each start (`start` is set per start; `fixed` must be
    /// empty).
    pub fit: FitOptions,
}

impl Default for MixtureOptions {
    fn default() -> Self {
        MixtureOptions {
            starts: DEFAULT_STARTS,
            seed: DEFAULT_SEED,
            em_iterations: DEFAULT_EM_ITERATIONS,
            fit: FitOptions::default(),
        }
    }
}

/// The mixture family of `family`'s kind with `k` components (`k` = 1: the base family).
///
/// # Errors
/// [`ErrorKind::InvalidOption`] when `family` is not a mixture or k is out of range.
pub fn with_components(family: &dyn Family, k: usize) -> Result<Box<dyn Family>> {
    let kernel = kernel_of(family)?;
    check_components(k, 1)?;
    if k == 1 {
        return Ok(kernel.base_boxed());
    }
    kernel.family(k)
}

/// The kernel of a mixture family.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] when `family` is not a mixture.
fn kernel_of(family: &dyn Family) -> Result<KernelKind> {
    KernelKind::of(family).ok_or_else(|| {
        ErrorKind::InvalidOption {
            reason: format!(
                "{} is not a mixture family (normal_mixture, lognormal_mixture, poisson_mixture)",
                family.name()
            ),
        }
        .into()
    })
}

/// Fit a `k`-component mixture of `family`'s kind (`family` may be any instance of it, e.g.
/// the registry's). One component is the base family's ordinary fit.
///
/// # Errors
/// As [`fit_mixture`].
pub fn fit_components(
    family: &dyn Family,
    sample: &Sample,
    k: usize,
    options: &MixtureOptions,
) -> Result<MixtureFit> {
    let kernel = kernel_of(family)?;
    check_components(k, 1)?;
    if k == 1 {
        check_options(options)?;
        let base = fit(kernel.base(), sample, &options.fit)?;
        let report = StartReport {
            start: 0,
            init: "closed_form",
            em_iterations: 0,
            log_likelihood: base.log_likelihood,
            status: if base.converged {
                StartStatus::Best
            } else {
                StartStatus::NotConverged
            },
            reason: None,
            same_as: None,
        };
        return Ok(MixtureFit {
            components: 1,
            screened_on: None,
            seed: options.seed,
            starts: 1,
            starts_reaching_best: usize::from(base.converged),
            degenerate_starts: 0,
            nonconverged_starts: usize::from(!base.converged),
            em_iterations: 0,
            start_details: vec![report],
            fit: base,
        });
    }
    fit_mixture(kernel.family(k)?.as_ref(), sample, options)
}

/// Ok for options a mixture fit accepts.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for fixed parameters or zero starts.
fn check_options(options: &MixtureOptions) -> Result<()> {
    if !options.fit.fixed.is_empty() {
        return Err(ErrorKind::InvalidOption {
            reason: "parameters of a mixture cannot be held fixed (--fix): the components are \
                     relabelled by location after each start"
                .into(),
        }
        .into());
    }
    if options.starts == 0 {
        return Err(ErrorKind::InvalidOption {
            reason: "a mixture needs at least one start".into(),
        }
        .into());
    }
    Ok(())
}

/// Fit each number of components in `range` and choose the lowest BIC among converged fits.
///
/// # Errors
/// As [`fit_components`] for an invalid family or options; [`ErrorKind::Degenerate`] when no
/// number of components gives a converged fit (each one's reason is in the message).
pub fn select(
    family: &dyn Family,
    sample: &Sample,
    range: RangeInclusive<usize>,
    options: &MixtureOptions,
) -> Result<MixtureSelection> {
    let kernel = kernel_of(family)?;
    check_options(options)?;
    check_components(*range.start(), 1)?;
    check_components(*range.end(), 1)?;
    crate::fit::validate(kernel.base(), sample)?;
    let mut fits = Vec::new();
    for k in range {
        let (fit, error) = match fit_components(family, sample, k, options) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.to_string())),
        };
        fits.push(Candidate {
            components: k,
            delta_bic: f64::NAN,
            fit,
            error,
        });
    }
    let chosen = fits
        .iter()
        .filter_map(|c| c.fit.as_ref().filter(|f| f.fit.converged))
        .min_by(|a, b| a.fit.bic.total_cmp(&b.fit.bic))
        .map(|f| (f.components, f.fit.bic));
    let Some((chosen_k, best_bic)) = chosen else {
        let why: Vec<String> = fits
            .iter()
            .map(|c| match (&c.fit, &c.error) {
                (_, Some(e)) => format!("K = {}: {e}", c.components),
                (Some(f), None) => format!(
                    "K = {}: not converged ({})",
                    c.components,
                    f.fit.termination.as_str()
                ),
                (None, None) => unreachable!("a fit or an error"),
            })
            .collect();
        return Err(degenerate(
            family,
            format!(
                "no number of components gave a converged fit: {}",
                why.join("; ")
            ),
        ));
    };
    for c in &mut fits {
        if let Some(f) = &c.fit {
            c.delta_bic = f.fit.bic - best_bic;
        }
    }
    Ok(MixtureSelection {
        family: family.name().to_string(),
        criterion: "bic",
        chosen_k,
        fits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::mixture::em_data::EmData;
    use crate::family::normal_mixture;

    #[test]
    fn components_parse() {
        assert_eq!("3".parse(), Ok(Components::Fixed(3)));
        assert_eq!("auto".parse(), Ok(Components::Range(1..=6)));
        assert_eq!("2..5".parse(), Ok(Components::Range(2..=5)));
        assert_eq!("2..=4".parse(), Ok(Components::Range(2..=4)));
        assert!("0".parse::<Components>().is_err());
        assert!("5..2".parse::<Components>().is_err());
        assert!("x".parse::<Components>().is_err());
        assert!("99".parse::<Components>().is_err());
    }

    /// n seeded draws from a two-component normal mixture with overlapping components.
    fn overlapping(n: usize) -> Sample {
        use rand::SeedableRng;
        let f = normal_mixture::NormalMixture::new(2);
        let theta = [0.4, 0.6, 0.0, 1.6, 0.8, 1.0];
        Sample::new(f.sample(&theta, n, &mut rand::rngs::StdRng::seed_from_u64(3))).unwrap()
    }

    #[test]
    fn quantile_subsample_follows_the_data() {
        let s = overlapping(50_000);
        let data = EmData::new(KernelKind::Normal, &s);
        let sub = data.quantile_subsample(SCREEN_POINTS);
        assert_eq!(sub.total, SCREEN_POINTS as f64);
        assert_eq!((sub.rows, sub.spread), (data.rows, data.spread));
        assert!(sub.y.windows(2).all(|w| w[0] < w[1]));
        for q in [0.01, 0.25, 0.5, 0.75, 0.99] {
            let (a, b) = (sub.quantile(q), data.quantile(q));
            assert!((a - b).abs() < 0.01 * data.spread, "{q}: {a} vs {b}");
        }
    }
}
