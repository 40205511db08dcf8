//! The starts of one mixture fit: each seeded start's EM (on a quantile subsample for large
//! data), its Newton finish with the standard fit, and the degeneracy checks.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{MixtureOptions, StartStatus, POLISHED_STARTS, SCREEN_ABOVE, SCREEN_POINTS};
use crate::data::Sample;
use crate::family::mixture::em::{em, em_pass, EmResult, EM_TIGHT_GAIN};
use crate::family::mixture::em_data::{Degeneracy, EmData, MIN_COMPONENT_COUNT};
use crate::family::mixture::{is_sorted_by_location, sort_components, KernelKind};
use crate::family::Family;
use crate::fit::{fit, Fit, FitOptions};

/// The short EM before Newton stops when a SQUAREM cycle (about three EM passes) gains less
/// than this fraction of |ℓ|: EM only has to land in the right basin, Newton (quadratic
/// convergence) finishes.
const EM_SHORT_GAIN: f64 = 1e-6;
/// … or after this many EM passes.
const EM_SHORT_PASSES: usize = 60;
/// Screened solutions closer than this (weights; locations and scales in data spreads) are
/// the same point.
const SAME_SCREENED: f64 = 1e-4;

/// One start's result.
pub(super) struct Run {
    /// The Newton finish's fit, when there is one.
    pub(super) fit: Option<Fit>,
    /// EM passes of the start.
    pub(super) em_iterations: usize,
    /// Log-likelihood reached.
    pub(super) log_likelihood: f64,
    /// How it ended.
    pub(super) status: StartStatus,
    /// Why it was rejected.
    pub(super) reason: Option<String>,
    /// The polished start whose result this one shares (screening of large data).
    pub(super) same_as: Option<usize>,
}

impl Run {
    fn rejected(status: StartStatus, why: String, em_iterations: usize, ll: f64) -> Run {
        Run {
            fit: None,
            em_iterations,
            log_likelihood: ll,
            status,
            reason: Some(why),
            same_as: None,
        }
    }
}

/// Where a start's EM began and ended on the screening data (the full data when small).
struct Screened {
    theta: Vec<f64>,
    passes: usize,
    log_likelihood: f64,
    degenerate: Option<String>,
}

/// What the starts of one mixture fit share.
pub(super) struct Starts<'a> {
    /// The mixture family, with its number of components.
    pub(super) family: &'a dyn Family,
    /// Its kernel.
    pub(super) kernel: KernelKind,
    /// Its number of components.
    pub(super) k: usize,
    /// The data.
    pub(super) sample: &'a Sample,
    /// EM's view of the whole sample.
    pub(super) data: &'a EmData,
    /// How to fit.
    pub(super) options: &'a MixtureOptions,
}

impl Starts<'_> {
    /// Start number `start` (0: the quantile split, then k-means++ from the seed's stream
    /// `start`) drawn from `data` and its EM there until a cycle gains less than `gain`·|ℓ|.
    fn screen(&self, data: &EmData, start: usize, gain: f64, max_passes: usize) -> Screened {
        let (kernel, k) = (self.kernel, self.k);
        let theta0 = if start == 0 {
            data.quantile_start(kernel, k)
        } else {
            let mut rng = ChaCha8Rng::seed_from_u64(self.options.seed);
            rng.set_stream(start as u64);
            data.kmeans_start(kernel, k, &mut rng)
        };
        let r = em(kernel, k, data, theta0, gain, max_passes);
        Screened {
            theta: sort_components(&r.theta, k, kernel.per_component()),
            passes: r.iterations,
            log_likelihood: r.log_likelihood,
            degenerate: r.degenerate.map(|d| self.describe(d)),
        }
    }

    /// The Newton finish from an EM solution θ (sorted), reached after `em_iterations` passes
    /// at log-likelihood `em_ll`: certified fit, degeneracy check, relabelling when Newton
    /// moved two components past each other.
    fn newton_finish(&self, theta_em: Vec<f64>, em_iterations: usize, em_ll: f64) -> Run {
        let (kernel, k) = (self.kernel, self.k);
        let p = kernel.per_component();
        let finish = |start: Vec<f64>| {
            fit(
                self.family,
                self.sample,
                &FitOptions {
                    start: Some(start),
                    ..self.options.fit.clone()
                },
            )
        };
        let not_converged =
            |why: String, ll: f64| Run::rejected(StartStatus::NotConverged, why, em_iterations, ll);
        let mut fitted = match finish(theta_em) {
            Ok(f) => f,
            Err(e) => return not_converged(e.to_string(), em_ll),
        };
        let mut theta = fitted.theta();
        if let Some(why) = self.data.degeneracy(kernel, k, &theta) {
            return Run::rejected(
                StartStatus::Degenerate,
                self.describe(why),
                em_iterations,
                fitted.log_likelihood,
            );
        }
        if !is_sorted_by_location(&theta, k) {
            // Newton moved two components past each other: relabel and certify again at the
            // relabelled optimum (a warm start there takes no iterations).
            theta = sort_components(&theta, k, p);
            let iterations = fitted.iterations;
            match finish(theta) {
                Ok(f) => {
                    fitted = f;
                    fitted.iterations = iterations;
                }
                Err(e) => return not_converged(e.to_string(), fitted.log_likelihood),
            }
        }
        let (status, reason) = if fitted.converged {
            (StartStatus::LocalMaximum, None)
        } else {
            (
                StartStatus::NotConverged,
                Some(format!(
                    "not certified ({}){}",
                    fitted.termination.as_str(),
                    fitted
                        .notes
                        .first()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                )),
            )
        };
        Run {
            log_likelihood: fitted.log_likelihood,
            fit: Some(fitted),
            em_iterations,
            status,
            reason,
            same_as: None,
        }
    }

    /// Polish a start on the full data: the short EM from its screening solution (unless that
    /// already is the short EM on the full data, `short_done`), then Newton; when Newton does
    /// not certify a non-degenerate maximum from there (other than by running out of
    /// iterations), EM goes on to the tight tolerance and Newton tries again.
    fn polish(&self, screened: &Screened, short_done: bool) -> Run {
        let (k, p) = (self.k, self.kernel.per_component());
        let mut passes = screened.passes;
        let (mut theta, mut ll) = (screened.theta.clone(), screened.log_likelihood);
        if !short_done {
            let iterations = EM_SHORT_PASSES.min(self.options.em_iterations);
            let r = match self.em_run(theta, EM_SHORT_GAIN, iterations, &mut passes) {
                Ok(r) => r,
                Err(rejected) => return *rejected,
            };
            (theta, ll) = (sort_components(&r.theta, k, p), r.log_likelihood);
        }
        let first = self.newton_finish(theta.clone(), passes, ll);
        // Newton that runs out of iterations is crawling along a flat ridge (an over-fitted
        // K), which a tighter EM start does not shorten: no second try then.
        let capped = first
            .fit
            .as_ref()
            .is_some_and(|f| f.termination == crate::optim::Termination::MaxIterations);
        if first.status == StartStatus::LocalMaximum || capped {
            return first;
        }
        let r = match self.em_run(
            theta,
            EM_TIGHT_GAIN,
            self.options.em_iterations,
            &mut passes,
        ) {
            Ok(r) => r,
            Err(rejected) => return *rejected,
        };
        self.newton_finish(sort_components(&r.theta, k, p), passes, r.log_likelihood)
    }

    /// EM from θ to relative gain `gain` or `max_passes` passes, counted into `passes`; a run
    /// that ends degenerate is the start's rejection.
    fn em_run(
        &self,
        theta: Vec<f64>,
        gain: f64,
        max_passes: usize,
        passes: &mut usize,
    ) -> std::result::Result<EmResult, Box<Run>> {
        let r = em(self.kernel, self.k, self.data, theta, gain, max_passes);
        *passes += r.iterations;
        match r.degenerate {
            Some(why) => Err(Box::new(Run::rejected(
                StartStatus::Degenerate,
                self.describe(why),
                *passes,
                r.log_likelihood,
            ))),
            None => Ok(r),
        }
    }

    /// Why θ is degenerate, in words: the parameters by name, a location to 8 significant
    /// digits.
    fn describe(&self, why: Degeneracy) -> String {
        let (k, names) = (self.k, self.family.params());
        match why {
            Degeneracy::Empty { j, weight } => format!(
                "{} = {:.3e} leaves component {} fewer than {MIN_COMPONENT_COUNT} observations",
                names[j].name,
                weight,
                j + 1
            ),
            Degeneracy::Collapsed { j, location, scale } => format!(
                "component {} collapsed onto the single value {} = {} ({} = {:.3e})",
                j + 1,
                names[k + j].name,
                crate::numeric::format::sig(location, 8),
                names[2 * k + j].name,
                scale
            ),
            Degeneracy::AtZero { j, rate } => format!(
                "component {} collapsed onto 0 ({} = {:.3e})",
                j + 1,
                names[k + j].name,
                rate
            ),
        }
    }

    /// Every start's run, and for screened data the subsample's size and the number of
    /// polished starts: with at most [`SCREEN_ABOVE`] distinct values each start's short EM
    /// runs on the data and is polished; with more the starts are screened on a quantile
    /// subsample and only the best distinct ones are polished (see [`super::fit_mixture`]).
    pub(super) fn run(&self) -> (Vec<Run>, Option<(usize, usize)>) {
        if self.data.y.len() <= SCREEN_ABOVE {
            (self.run_all(), None)
        } else {
            let (runs, points, polished) = self.run_screened();
            (runs, Some((points, polished)))
        }
    }

    /// Small data: every start's short EM runs on the data and is polished.
    fn run_all(&self) -> Vec<Run> {
        let short = EM_SHORT_PASSES.min(self.options.em_iterations);
        (0..self.options.starts)
            .into_par_iter()
            .map(|s| {
                let sc = self.screen(self.data, s, EM_SHORT_GAIN, short);
                match &sc.degenerate {
                    Some(why) => Run::rejected(
                        StartStatus::Degenerate,
                        why.clone(),
                        sc.passes,
                        sc.log_likelihood,
                    ),
                    None => self.polish(&sc, true),
                }
            })
            .collect()
    }

    /// Large data: every start runs EM on a quantile subsample, the distinct solutions are
    /// ranked by the full data's log-likelihood and the best [`POLISHED_STARTS`] are polished.
    /// Returns the runs, the subsample's size and the number polished.
    fn run_screened(&self) -> (Vec<Run>, usize, usize) {
        let options = self.options;
        let subsample = self.data.quantile_subsample(SCREEN_POINTS);
        let screened: Vec<Screened> = (0..options.starts)
            .into_par_iter()
            .map(|s| self.screen(&subsample, s, EM_TIGHT_GAIN, options.em_iterations))
            .collect();
        let (mut leaders, same_as) = self.group(&screened);
        let full_ll = self.rank(&screened, &mut leaders, &same_as);
        let polished: Vec<usize> = leaders.iter().copied().take(POLISHED_STARTS).collect();
        let runs: Vec<Option<Run>> = (0..options.starts)
            .into_par_iter()
            .map(|s| {
                if polished.contains(&s) {
                    return Some(self.polish(&screened[s], false));
                }
                if same_as[s].is_some_and(|l| polished.contains(&l)) {
                    return None;
                }
                Some(not_polished(&screened[s], polished.len(), full_ll[s]))
            })
            .collect();
        let runs = share_results(runs, &screened, &same_as);
        (runs, subsample.y.len(), polished.len())
    }

    /// Group the starts that reached the same point (the first start of a group leads it):
    /// the leaders, and for each start the leader of its group when it is not one.
    fn group(&self, screened: &[Screened]) -> (Vec<usize>, Vec<Option<usize>>) {
        let mut leaders: Vec<usize> = Vec::new();
        let mut same_as: Vec<Option<usize>> = vec![None; screened.len()];
        for s in (0..screened.len()).filter(|&s| screened[s].degenerate.is_none()) {
            let same = |&&l: &&usize| {
                same_screened(
                    self.kernel,
                    self.k,
                    &screened[s].theta,
                    &screened[l].theta,
                    self.data.spread,
                )
            };
            match leaders.iter().find(same) {
                Some(&l) => same_as[s] = Some(l),
                None => leaders.push(s),
            }
        }
        (leaders, same_as)
    }

    /// Rank the groups by the full data's log-likelihood at their screening solutions (one
    /// pass each; the first of equals first): the subsample's smooths over the fine structure
    /// that separates the maxima of an over-fitted K. Sorts `leaders`; returns each start's
    /// full-data log-likelihood (NaN for a degenerate one).
    fn rank(
        &self,
        screened: &[Screened],
        leaders: &mut [usize],
        same_as: &[Option<usize>],
    ) -> Vec<f64> {
        let mut full_ll = vec![f64::NAN; screened.len()];
        let lls: Vec<f64> = leaders
            .par_iter()
            .map(|&l| em_pass(self.kernel, self.k, self.data, &screened[l].theta).0)
            .collect();
        for (&l, ll) in leaders.iter().zip(lls) {
            full_ll[l] = ll;
        }
        for s in 0..screened.len() {
            if let Some(l) = same_as[s] {
                full_ll[s] = full_ll[l];
            }
        }
        leaders.sort_by(|&a, &b| full_ll[b].total_cmp(&full_ll[a]).then(a.cmp(&b)));
        full_ll
    }
}

/// A start that is not polished: reported with the full data's log-likelihood `full_ll` at its
/// screening solution (a degenerate one's on the subsample, where it stopped).
fn not_polished(sc: &Screened, polished: usize, full_ll: f64) -> Run {
    match &sc.degenerate {
        Some(why) => Run::rejected(
            StartStatus::Degenerate,
            why.clone(),
            sc.passes,
            sc.log_likelihood,
        ),
        None => Run::rejected(
            StartStatus::ScreenedOut,
            format!(
                "not polished: the log-likelihood at its screening solution ranked below the {polished} polished ones"
            ),
            sc.passes,
            full_ll,
        ),
    }
}

/// Every start's run: a start whose screening solution is a polished one's (`None` in `runs`)
/// shares that start's result.
fn share_results(
    mut runs: Vec<Option<Run>>,
    screened: &[Screened],
    same_as: &[Option<usize>],
) -> Vec<Run> {
    for s in 0..runs.len() {
        if runs[s].is_none() {
            let l = same_as[s].expect("only followers of polished starts are left");
            let leader = runs[l].as_ref().expect("polished starts have a run");
            runs[s] = Some(Run {
                fit: None,
                em_iterations: screened[s].passes,
                log_likelihood: leader.log_likelihood,
                status: leader.status,
                reason: leader.reason.clone(),
                same_as: Some(l),
            });
        }
    }
    runs.into_iter()
        .map(|r| r.expect("every start has a run"))
        .collect()
}

/// Whether two screened solutions (sorted) are the same point: every weight within
/// [`SAME_SCREENED`], every location and scale within [`SAME_SCREENED`] data spreads (rates
/// within [`SAME_SCREENED`] relative).
fn same_screened(kernel: KernelKind, k: usize, a: &[f64], b: &[f64], spread: f64) -> bool {
    (0..a.len()).all(|i| {
        let unit = if i < k {
            1.0
        } else if kernel == KernelKind::Poisson {
            a[i].abs().max(b[i].abs())
        } else {
            spread
        };
        (a[i] - b[i]).abs() <= SAME_SCREENED * unit
    })
}
