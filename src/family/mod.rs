//! Parametric families: the [`Family`] trait and the registry.
//!
//! A family is a stateless unit struct in its own file implementing [`Family`], listed once in
//! [`REGISTRY`]. The registry drives name/alias lookup (with suggestions), the `families`
//! listing, and the shared test kit in `tests/families.rs`, which runs every invariant over
//! every registered family.
//!
//! Families see only *natural* parameters, in the order of [`Family::params`]; the transform to
//! unconstrained optimisation coordinates lives in `objective.rs`. Two levels of evaluation:
//! - [`Family::ln_density_derivs`]: one observation, the reference definition (tests, per-row
//!   output);
//! - [`Family::log_likelihood`]: a weighted sum over a whole [`Sample`], the fast path. The
//!   default loops over the data (or over its distinct values, for discrete families); a family
//!   overrides it to use sufficient statistics or to hoist parameter-only terms (ln Γ(ν/2) …)
//!   out of the loop. The shared tests check that both agree.
//!
//! θ for one row is answered in one place, [`RowInput`]: a per-row family input of the sample
//! (a number of trials) replaces the parameter it feeds.

use rand::RngCore;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::numeric::format::exact;

pub use handle::FamilyHandle;

pub mod beta;
pub mod categorical;
pub mod cauchy;
pub mod exponential;
pub mod gamma;
pub mod lognormal;
pub mod mixture;
pub mod negative_binomial;
pub mod normal;
pub mod normal_mixture;
pub mod poisson;
pub mod poisson_mixture;
pub mod student_t;
// Catalogue (issue 3): each line is uncommented when its file lands.
pub mod bernoulli;
pub mod beta_binomial;
pub mod binomial;
pub mod chi_squared;
pub mod discrete_uniform;
pub mod frechet;
pub mod generalized_gamma;
pub mod generalized_pareto;
pub mod geometric;
pub mod gev;
pub mod gumbel;
pub mod half_normal;
pub mod handle;
pub mod inverse_gaussian;
pub mod laplace;
pub mod log_logistic;
pub mod logistic;
pub mod lognormal_mixture;
pub mod pareto;
pub mod rayleigh;
pub mod skew_normal;
pub(crate) mod tails;
#[cfg(test)]
pub(crate) mod testkit;
pub mod uniform;
pub mod von_mises;
pub mod weibull;
pub mod zero_inflated_negative_binomial;
pub mod zero_inflated_poisson;

/// The domain of one parameter; decides its transform to unconstrained coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// Any real number (identity transform, scaled by the data's spread).
    Real,
    /// θ > 0 (log transform).
    Positive,
    /// 0 < θ < 1 (logit transform).
    UnitInterval,
    /// A real number without units (a shape or skewness parameter such as the GEV's ξ):
    /// identity transform with unit scale, not the data's spread.
    Shape,
    /// A positive integer that is never estimated: the user supplies it with
    /// `--fix NAME=VALUE` (e.g. the number of trials of a binomial).
    FixedCount,
    /// One of a group of weights in (0, 1) that sum to 1 (a mixture's component weights). All
    /// parameters of a family with this constraint form one group, optimised through a
    /// softmax of K − 1 free log-ratios; the group counts K − 1 free parameters (the family
    /// reports 1 in [`Family::equality_constraints`]). Weights cannot be held fixed.
    Simplex,
}

/// Name and domain of one parameter.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ParamSpec {
    /// The name used in output and in `--fix NAME=VALUE`.
    pub name: &'static str,
    /// Its domain.
    pub constraint: Constraint,
}

impl ParamSpec {
    /// A real-valued parameter.
    pub const fn real(name: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            constraint: Constraint::Real,
        }
    }
    /// A positive parameter.
    pub const fn positive(name: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            constraint: Constraint::Positive,
        }
    }
    /// A parameter in (0, 1).
    pub const fn unit(name: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            constraint: Constraint::UnitInterval,
        }
    }
    /// A real, dimensionless shape parameter.
    pub const fn shape(name: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            constraint: Constraint::Shape,
        }
    }
    /// A positive integer the user must fix (never estimated).
    pub const fn fixed_count(name: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            constraint: Constraint::FixedCount,
        }
    }
    /// One of a group of weights summing to 1 (a mixture's).
    pub const fn simplex(name: &'static str) -> ParamSpec {
        ParamSpec {
            name,
            constraint: Constraint::Simplex,
        }
    }
}

/// How a family departs from the regular case (smooth log-likelihood, support independent of
/// θ), where the score has mean zero and the observed information gives standard errors.
#[derive(Debug, Clone, Copy)]
pub struct Irregularity {
    /// Parameters whose MLE is a closed-form order statistic or median (the sample minimum of
    /// a uniform, the median of a Laplace): they are set by [`Family::closed_form`] and held
    /// there while the remaining parameters are certified by their score.
    pub params: &'static [usize],
    /// Whether the support moves with those parameters (uniform, Pareto scale): then
    /// E[score] ≠ 0 and no score-based standard error exists for them.
    pub support_depends_on_params: bool,
    /// One sentence for the fit's notes explaining the estimate and its standard errors.
    pub note: &'static str,
}

/// The set of values a family puts mass or density on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// ℝ.
    Real,
    /// (0, ∞).
    Positive,
    /// [0, ∞).
    NonNegative,
    /// (0, 1).
    OpenUnit,
    /// {0, 1, 2, …}.
    Counts,
    /// {…, −1, 0, 1, …}.
    Integers,
    /// {0, 1}.
    Binary,
    /// Angles in radians: any real number, with a 2π-periodic density (integrates to 1 over
    /// any interval of length 2π).
    Angle,
    /// Labels (any strings), coded 0, 1, … in sorted order of the levels.
    Labels,
}

impl Support {
    /// Whether `x` lies in the support.
    #[inline]
    pub fn contains(self, x: f64) -> bool {
        match self {
            Support::Real => x.is_finite(),
            Support::Positive => x > 0.0 && x.is_finite(),
            Support::NonNegative => x >= 0.0 && x.is_finite(),
            Support::OpenUnit => x > 0.0 && x < 1.0,
            Support::Counts => x >= 0.0 && x.is_finite(),
            Support::Integers | Support::Angle => x.is_finite(),
            Support::Binary => x == 0.0 || x == 1.0,
            Support::Labels => x.is_finite(),
        }
    }

    /// Whether the support is discrete (integer data).
    pub fn is_discrete(self) -> bool {
        matches!(
            self,
            Support::Counts | Support::Integers | Support::Binary | Support::Labels
        )
    }

    /// The support in mathematical notation.
    pub fn describe(self) -> &'static str {
        match self {
            Support::Real => "(-∞, ∞)",
            Support::Positive => "(0, ∞)",
            Support::NonNegative => "[0, ∞)",
            Support::OpenUnit => "(0, 1)",
            Support::Counts => "{0, 1, 2, …}",
            Support::Integers => "{…, -1, 0, 1, …}",
            Support::Binary => "{0, 1}",
            Support::Angle => "angles in radians (period 2π)",
            Support::Labels => "labels (any strings)",
        }
    }
}

/// A parametric family of distributions on ℝ.
///
/// Implementors are unit structs; parameters travel as slices in the order of [`Self::params`].
/// Derivatives are of ln p(x | θ) with respect to the *natural* parameters; Hessians are
/// row-major `k × k`.
pub trait Family: Send + Sync + 'static {
    /// Canonical name, e.g. `gamma`.
    fn name(&self) -> &'static str;
    /// Other names it answers to, e.g. `["gam"]`.
    fn aliases(&self) -> &'static [&'static str];
    /// The density or mass function in plain text, for listings and documentation.
    fn formula(&self) -> &'static str;
    /// Parameters, in order. (A specialised family — a categorical fitted to given levels —
    /// owns its list; the others return a `'static` one.)
    fn params(&self) -> &[ParamSpec];
    /// Support of the distribution.
    fn support(&self) -> Support;

    /// Minimum number of observations for the MLE to possibly exist.
    fn min_observations(&self) -> usize {
        self.params().len().max(1)
    }

    /// Whether the MLE has a closed form ([`Self::closed_form`] returns `Some`).
    fn has_closed_form(&self) -> bool {
        false
    }

    /// Whether [`Self::log_likelihood`] uses sufficient statistics (O(1) per evaluation).
    fn uses_sufficient_statistics(&self) -> bool {
        false
    }

    /// ln p(x | θ) and, when asked, its gradient (`grad`, length k) and Hessian (`hess`,
    /// k × k row-major) with respect to θ, all *overwritten*. Returns −∞ outside the support
    /// (derivatives are then left unspecified).
    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64;

    /// Robust starting values for the optimizer, or the closed-form MLE where one exists.
    ///
    /// # Errors
    /// [`ErrorKind::Degenerate`] when the data admit no MLE for this family (constant data for a
    /// family with a scale, under-dispersed counts for the negative binomial …).
    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>>;

    /// Starting values when some parameters are held fixed (`fixed[j] = Some(v)`); the
    /// returned vector has the fixed values in place. The default ignores what is fixed when
    /// choosing the others; families whose start depends on a fixed value (the binomial's
    /// number of trials) override it.
    ///
    /// # Errors
    /// As [`Self::initial_estimate`].
    fn initial_estimate_given(&self, sample: &Sample, fixed: &[Option<f64>]) -> Result<Vec<f64>> {
        let mut theta = self.initial_estimate(sample)?;
        for (t, f) in theta.iter_mut().zip(fixed) {
            if let Some(v) = f {
                *t = *v;
            }
        }
        Ok(theta)
    }

    /// The closed-form MLE, when the family has one.
    fn closed_form(&self, _sample: &Sample) -> Option<Vec<f64>> {
        None
    }

    /// Checks of the data that depend on fixed parameters (a binomial count may not exceed the
    /// number of trials). The support check itself is done by the caller.
    ///
    /// # Errors
    /// A data error naming the offending value.
    fn check_data(&self, _sample: &Sample, _fixed: &[Option<f64>]) -> Result<()> {
        Ok(())
    }

    /// Number of equality constraints among the parameters (1 for a categorical, whose
    /// probabilities sum to 1); subtracted from the parameter count in AIC and BIC.
    fn equality_constraints(&self) -> usize {
        0
    }

    /// The family specialised to a sample, when its parameters depend on the data (a
    /// categorical has one probability per observed level); `None` for all other families.
    ///
    /// # Errors
    /// A degenerate-data error when no specialisation exists (a single level).
    fn specialise(&self, _sample: &Sample) -> Result<Option<Box<dyn Family>>> {
        Ok(None)
    }

    /// The family specialised to a saved model's parameter names, for families whose
    /// parameters depend on the data (a categorical's levels, in the saved order); `None` for
    /// all other families.
    ///
    /// # Errors
    /// A degenerate-data error when the names cannot define the family.
    fn specialise_to_names(&self, _names: &[String]) -> Result<Option<Box<dyn Family>>> {
        Ok(None)
    }

    /// Standard errors of the closed-form estimates for families whose non-smooth or
    /// constrained parameters have a textbook formula (the categorical's √(p(1−p)/n)); `None`
    /// to use the expected or observed information.
    fn closed_form_std_errors(&self, _theta: &[f64], _sample: &Sample) -> Option<Vec<f64>> {
        None
    }

    /// Non-regular parameters (see [`Irregularity`]); `None` for a regular family.
    fn irregularity(&self) -> Option<Irregularity> {
        None
    }

    /// The expected (Fisher) information of one observation, k × k row-major, into `out`;
    /// false when the family does not provide it. Used for standard errors where the observed
    /// information does not apply (non-smooth parameters).
    fn expected_information(&self, _theta: &[f64], _out: &mut [f64]) -> bool {
        false
    }

    /// Weighted log-likelihood Σ wᵢ ln p(xᵢ | θ) and, when asked, its gradient and Hessian
    /// (*overwritten*). The default evaluates [`Self::ln_density_derivs`] at every value (at
    /// every distinct value, weighted by its count, for discrete families).
    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        pointwise_log_likelihood(self, theta, sample, grad, hess)
    }

    /// A note when θ̂ sits at (or runs off to) the edge of the parameter space, where the
    /// likelihood has a supremum but no maximum (Student-t df → ∞, negative binomial size → ∞).
    fn boundary_note(&self, _theta: &[f64]) -> Option<String> {
        None
    }

    /// Notes every fit of this family reports at θ̂ beside its parameters (the same law in
    /// another parameterisation users know); none by default.
    fn fit_notes(&self, _theta: &[f64]) -> Vec<String> {
        Vec::new()
    }

    /// The cumulative distribution function P(X ≤ x | θ) (used for goodness-of-fit distances);
    /// `None` for families that do not provide it.
    fn cdf(&self, _theta: &[f64], _x: f64) -> Option<f64> {
        None
    }

    /// ln F(x | θ) = ln P(X ≤ x) and, when asked, its gradient (k) and Hessian (k × k,
    /// row-major) in the natural parameters, *overwritten*; −∞ (with zero derivatives) where
    /// F(x) = 0. `None` when the family does not provide it (the default): such a family
    /// refuses censored and truncated observations ([`ErrorKind::CensoringUnsupported`]).
    /// Used by the likelihood composer in `objective.rs`; the analytic Hessian is required so
    /// that Newton's method keeps its quadratic steps on censored data.
    fn ln_cdf_derivs(
        &self,
        _theta: &[f64],
        _x: f64,
        _grad: Option<&mut [f64]>,
        _hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        None
    }

    /// ln S(x | θ) = ln P(X > x), computed directly (not as ln(1 − F), which loses every digit
    /// in the upper tail), with its gradient and Hessian as for [`Self::ln_cdf_derivs`]. `None`
    /// when the family does not provide it (the default). A family provides both or neither.
    fn ln_sf_derivs(
        &self,
        _theta: &[f64],
        _x: f64,
        _grad: Option<&mut [f64]>,
        _hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        None
    }

    /// `n` independent draws from the distribution with parameters θ.
    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64>;

    /// Typical parameter values, used for examples, benchmarks and the shared tests. The
    /// default takes 0.7 for real, 2.3 for positive and 0.35 for (0, 1) parameters and 12 for
    /// fixed counts, equal weights; families whose parameters must relate to each other override it.
    fn typical_params(&self) -> Vec<f64> {
        let weights = self
            .params()
            .iter()
            .filter(|p| p.constraint == Constraint::Simplex)
            .count() as f64;
        self.params()
            .iter()
            .map(|p| match p.constraint {
                Constraint::Real => 0.7,
                Constraint::Shape => 0.1,
                Constraint::Positive => 2.3,
                Constraint::UnitInterval => 0.35,
                Constraint::FixedCount => 12.0,
                Constraint::Simplex => 1.0 / weights,
            })
            .collect()
    }

    /// Mean and variance of the distribution (NaN/∞ where undefined); used to sanity-check
    /// samples and by the shared tests.
    fn mean_variance(&self, theta: &[f64]) -> (f64, f64);
}

impl std::fmt::Debug for dyn Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The default, pointwise implementation of [`Family::log_likelihood`].
pub fn pointwise_log_likelihood<F: Family + ?Sized>(
    family: &F,
    theta: &[f64],
    sample: &Sample,
    mut grad: Option<&mut [f64]>,
    mut hess: Option<&mut [f64]>,
) -> f64 {
    let k = theta.len();
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    if let Some(gr) = grad.as_deref_mut() {
        gr.fill(0.0);
    }
    if let Some(hs) = hess.as_deref_mut() {
        hs.fill(0.0);
    }
    let mut total = crate::sum::CompensatedSum::default();
    // An observation outside the support makes the likelihood zero; the compensated sum would
    // turn −∞ into NaN, so it is tracked separately.
    let mut impossible = false;
    let mut accumulate = |theta: &[f64], x: f64, w: f64| {
        if w == 0.0 {
            return;
        }
        let lp = family.ln_density_derivs(
            theta,
            x,
            grad.is_some().then_some(&mut g[..k]),
            hess.is_some().then_some(&mut h[..k * k]),
        );
        if lp == f64::NEG_INFINITY {
            impossible = true;
        }
        total.add(w * lp);
        if let Some(gr) = grad.as_deref_mut() {
            for j in 0..k {
                gr[j] += w * g[j];
            }
        }
        if let Some(hs) = hess.as_deref_mut() {
            for j in 0..k * k {
                hs[j] += w * h[j];
            }
        }
    };
    if let Some(input) = RowInput::of(family, sample) {
        let mut theta_row = theta.to_vec();
        for (i, &x) in sample.values().iter().enumerate() {
            accumulate(input.theta_at(&mut theta_row, i), x, sample.weight(i));
        }
    } else if family.support().is_discrete() {
        for &(x, w) in sample.distinct() {
            accumulate(theta, x, w);
        }
    } else {
        for (i, &x) in sample.values().iter().enumerate() {
            accumulate(theta, x, sample.weight(i));
        }
    }
    if impossible {
        return f64::NEG_INFINITY;
    }
    total.value()
}

/// A per-row family input bound to the parameter it replaces: the sample's number of trials in
/// place of a binomial-type family's fixed count. The one place that answers "θ for row i";
/// fitting, scores, simulation and evaluation all go through it.
#[derive(Debug, Clone, Copy)]
pub struct RowInput<'a> {
    /// Index in θ of the parameter the data give row by row.
    pub param: usize,
    /// Its value for each row of the sample.
    pub values: &'a [f64],
}

impl<'a> RowInput<'a> {
    /// The sample's per-row input for `family`, if the sample has one the family takes.
    pub fn of<F: Family + ?Sized>(family: &F, sample: &'a Sample) -> Option<RowInput<'a>> {
        let values = sample.family_inputs().trials()?;
        let param = family
            .params()
            .iter()
            .position(|p| p.constraint == Constraint::FixedCount)?;
        Some(RowInput { param, values })
    }

    /// θ for row `i`: `theta` with the row's input written in; returns it for convenience.
    #[inline]
    pub fn theta_at<'t>(&self, theta: &'t mut [f64], i: usize) -> &'t [f64] {
        theta[self.param] = self.values[i];
        theta
    }

    /// The largest value (at least 1): what the parameter holds where one value is needed (the
    /// parameter checks, a reported θ̂ whose per-row entry is null).
    pub fn largest(&self) -> f64 {
        self.values.iter().copied().fold(1.0, f64::max)
    }

    /// `theta` with the per-row entry (reported as NaN) replaced by [`Self::largest`].
    pub fn fill(&self, theta: &mut [f64]) {
        theta[self.param] = self.largest();
    }

    /// Every count with positive weight at most its row's number of trials.
    ///
    /// # Errors
    /// [`ErrorKind::OutsideSupport`] naming the first offending row and how many there are.
    pub fn check_within<F: Family + ?Sized>(&self, family: &F, sample: &Sample) -> Result<()> {
        let bad = |i: &usize| sample.weight(*i) > 0.0 && sample.values()[*i] > self.values[*i];
        let mut hits = (0..sample.len()).filter(bad);
        if let Some(index) = hits.next() {
            return Err(ErrorKind::OutsideSupport {
                family: family.name().into(),
                support: format!(
                    "{{0, …, {}}} (the row's number of trials)",
                    self.values[index]
                ),
                value: sample.values()[index],
                at: sample.location(index),
                index,
                count: 1 + hits.count(),
            }
            .into());
        }
        Ok(())
    }

    /// The note of a fit whose parameter is given per row (it is reported as null).
    pub fn note<F: Family + ?Sized>(&self, family: &F) -> String {
        let lo = self.values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.values.iter().copied().fold(0.0, f64::max);
        format!(
            "{} is given per row (from {lo} to {hi}), not estimated",
            family.params()[self.param].name
        )
    }
}

/// Every registered family, in listing order.
pub static REGISTRY: &[&dyn Family] = &[
    &normal::Normal,
    &lognormal::LogNormal,
    &exponential::Exponential,
    &gamma::Gamma,
    &weibull::Weibull,
    &beta::Beta,
    &student_t::StudentT,
    &cauchy::Cauchy,
    &poisson::Poisson,
    &negative_binomial::NegativeBinomial,
    &categorical::CATEGORICAL,
    &laplace::Laplace,
    &logistic::Logistic,
    &gumbel::Gumbel,
    &skew_normal::SkewNormal,
    &von_mises::VonMises,
    &frechet::Frechet,
    &log_logistic::LogLogistic,
    &inverse_gaussian::InverseGaussian,
    &rayleigh::Rayleigh,
    &half_normal::HalfNormal,
    &chi_squared::ChiSquared,
    &pareto::Pareto,
    &uniform::Uniform,
    &gev::Gev,
    &generalized_pareto::GeneralizedPareto,
    &generalized_gamma::GeneralizedGamma,
    &bernoulli::Bernoulli,
    &binomial::Binomial,
    &geometric::Geometric,
    &zero_inflated_poisson::ZeroInflatedPoisson,
    &zero_inflated_negative_binomial::ZeroInflatedNegativeBinomial,
    &beta_binomial::BetaBinomial,
    &discrete_uniform::DiscreteUniform,
    &normal_mixture::NORMAL_MIXTURE,
    &lognormal_mixture::LOGNORMAL_MIXTURE,
    &poisson_mixture::POISSON_MIXTURE,
];

/// A pair of families where `small` is `big` with some parameters at particular values, so a
/// likelihood-ratio test compares them.
#[derive(Debug, Clone, Copy)]
pub struct Nesting {
    /// The restricted family.
    pub small: &'static str,
    /// The family that contains it.
    pub big: &'static str,
    /// Number of restricted parameters (the test's degrees of freedom).
    pub df: usize,
    /// Whether the restriction sits on the edge of `big`'s parameter space (df → ∞, π → 0),
    /// where the statistic's null distribution is the chi-bar-squared ½χ²₀ + ½χ²₁
    /// (Self & Liang 1987) rather than χ²₁.
    pub on_boundary: bool,
    /// The restriction in words.
    pub restriction: &'static str,
}

/// The nested pairs the registry knows.
pub static NESTED: &[Nesting] = &[
    Nesting {
        small: "exponential",
        big: "gamma",
        df: 1,
        on_boundary: false,
        restriction: "shape = 1",
    },
    Nesting {
        small: "exponential",
        big: "weibull",
        df: 1,
        on_boundary: false,
        restriction: "shape = 1",
    },
    // Prentice's generalized gamma (μ, σ, Q): all three restrictions are interior points, the
    // gamma's a curve (Q = σ, shape Q⁻²) rather than a coordinate value.
    Nesting {
        small: "lognormal",
        big: "generalized_gamma",
        df: 1,
        on_boundary: false,
        restriction: "Q = 0",
    },
    Nesting {
        small: "weibull",
        big: "generalized_gamma",
        df: 1,
        on_boundary: false,
        restriction: "Q = 1",
    },
    Nesting {
        small: "gamma",
        big: "generalized_gamma",
        df: 1,
        on_boundary: false,
        restriction: "Q = sigma",
    },
    Nesting {
        small: "exponential",
        big: "generalized_gamma",
        df: 2,
        on_boundary: false,
        restriction: "Q = sigma = 1",
    },
    Nesting {
        small: "exponential",
        big: "generalized_pareto",
        df: 1,
        on_boundary: false,
        restriction: "shape = 0",
    },
    Nesting {
        small: "gumbel",
        big: "gev",
        df: 1,
        on_boundary: false,
        restriction: "shape = 0",
    },
    Nesting {
        small: "normal",
        big: "skew_normal",
        df: 1,
        on_boundary: false,
        restriction: "shape = 0",
    },
    Nesting {
        small: "normal",
        big: "student_t",
        df: 1,
        on_boundary: true,
        restriction: "df → ∞",
    },
    Nesting {
        small: "poisson",
        big: "negative_binomial",
        df: 1,
        on_boundary: true,
        restriction: "size → ∞",
    },
    Nesting {
        small: "geometric",
        big: "negative_binomial",
        df: 1,
        on_boundary: false,
        restriction: "size = 1",
    },
    Nesting {
        small: "poisson",
        big: "zero_inflated_poisson",
        df: 1,
        on_boundary: true,
        restriction: "pi = 0",
    },
    Nesting {
        small: "negative_binomial",
        big: "zero_inflated_negative_binomial",
        df: 1,
        on_boundary: true,
        restriction: "pi = 0",
    },
    Nesting {
        small: "binomial",
        big: "beta_binomial",
        df: 1,
        on_boundary: true,
        restriction: "alpha + beta → ∞",
    },
];

/// Look a family up by name or alias (case-insensitive; `-` and `_` are interchangeable).
///
/// # Errors
/// [`ErrorKind::UnknownFamily`] with the nearest name when one is close.
pub fn lookup(name: &str) -> Result<&'static dyn Family> {
    let wanted = normalise(name);
    for f in REGISTRY {
        if normalise(f.name()) == wanted || f.aliases().iter().any(|a| normalise(a) == wanted) {
            return Ok(*f);
        }
    }
    Err(ErrorKind::UnknownFamily {
        name: name.to_string(),
        suggestion: suggest(&wanted),
    }
    .into())
}

fn normalise(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('-', "_")
}

fn suggest(wanted: &str) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for f in REGISTRY {
        for candidate in std::iter::once(f.name()).chain(f.aliases().iter().copied()) {
            let mut d = edit_distance(wanted, &normalise(candidate));
            // A prefix ("weib", "negative") is a strong hint even when far in edits.
            if candidate.starts_with(wanted) && wanted.len() >= 3 {
                d = d.min(1);
            }
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, f.name()));
            }
        }
    }
    best.filter(|(d, _)| *d <= 2.max(wanted.len() / 3))
        .map(|(_, n)| n.to_string())
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Check that θ has the right length and each entry lies in its domain.
///
/// # Errors
/// [`ErrorKind::InvalidParameters`] naming the first bad parameter.
pub fn check_params(family: &dyn Family, theta: &[f64]) -> Result<()> {
    let specs = family.params();
    if theta.len() != specs.len() {
        return Err(ErrorKind::InvalidParameters {
            family: family.name().into(),
            reason: format!("expected {} parameters, got {}", specs.len(), theta.len()),
        }
        .into());
    }
    for (spec, &v) in specs.iter().zip(theta) {
        let ok = match spec.constraint {
            Constraint::Real | Constraint::Shape => v.is_finite(),
            Constraint::Positive => v > 0.0 && v.is_finite(),
            Constraint::UnitInterval => v > 0.0 && v < 1.0,
            Constraint::FixedCount => v >= 1.0 && v.fract() == 0.0 && v < 9.007_199_254_740_992e15,
            Constraint::Simplex => v > 0.0 && v < 1.0,
        };
        if !ok {
            return Err(ErrorKind::InvalidParameters {
                family: family.name().into(),
                reason: format!("{} = {} is outside its domain", spec.name, exact(v)),
            }
            .into());
        }
    }
    let group: Vec<f64> = specs
        .iter()
        .zip(theta)
        .filter(|(s, _)| s.constraint == Constraint::Simplex)
        .map(|(_, &v)| v)
        .collect();
    if !group.is_empty() {
        let total: f64 = group.iter().sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(ErrorKind::InvalidParameters {
                family: family.name().into(),
                reason: format!("the weights sum to {total}, not 1"),
            }
            .into());
        }
    }
    Ok(())
}

/// The CDF of a count distribution on {0, …, `upper`} where it needs no computing: NaN for
/// NaN, 0 below 0, 1 once ⌊x⌋ ≥ `upper` (∞ for an unbounded support); `None` inside.
pub(crate) fn count_cdf_edges(x: f64, upper: f64) -> Option<f64> {
    if x.is_nan() {
        Some(f64::NAN)
    } else if x < 0.0 {
        Some(0.0)
    } else if x.floor() >= upper {
        Some(1.0)
    } else {
        None
    }
}

/// Error for data on which a family's MLE does not exist.
/// `n` draws from `draw`, redrawing those `accept` refuses (an overflow to ±∞, an underflow to
/// 0 outside the support) — but never forever: after [`MAX_REJECTIONS`] refusals in a row the
/// draw is kept as it is, so a model whose every draw overflows (a GPD with scale 1e308, a
/// generalized gamma with mu = 9e15) ends, and `mlfit sample` reports the draws as beyond the
/// range of doubles instead of looping (issue 17).
pub(crate) fn draws_with_rejection(
    n: usize,
    mut draw: impl FnMut() -> f64,
    accept: impl Fn(f64) -> bool,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let mut rejected = 0;
    while out.len() < n {
        let x = draw();
        if accept(x) || rejected >= MAX_REJECTIONS {
            out.push(x);
            rejected = 0;
        } else {
            rejected += 1;
        }
    }
    out
}

/// Refusals in a row after which [`draws_with_rejection`] keeps a draw: an acceptable draw has
/// probability 1 − O(2⁻¹⁰⁷⁴) in every sampler that uses it, unless none is possible at all.
pub(crate) const MAX_REJECTIONS: usize = 1000;

/// Why a sample has no spread to estimate a scale from: its values are all equal, or (when they
/// are not, e.g. 1e308, 1e308, −1e308) their spread overflows a 64-bit float, which a bare
/// "all values are equal" would misname (likewise values 1e-300 and 2e-300, whose variance
/// underflows). `consequence` says what the estimate would be.
pub(crate) fn no_spread(min: f64, max: f64, consequence: &str) -> String {
    if min == max {
        return format!("all values are equal ({}), so {consequence}", exact(min));
    }
    let spread = max - min;
    let how = if spread.is_finite() && spread * spread < f64::MIN_POSITIVE {
        "underflows"
    } else {
        "overflows"
    };
    format!(
        "the spread of the values (from {} to {}) {how} a 64-bit float; rescale the data",
        exact(min),
        exact(max)
    )
}

pub(crate) fn degenerate(family: &dyn Family, reason: impl Into<String>) -> crate::error::Error {
    ErrorKind::Degenerate {
        family: family.name().into(),
        reason: reason.into(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_input_binds_trials_to_the_fixed_count() {
        let s = Sample::new(vec![1.0, 3.0, 9.0])
            .unwrap()
            .with_trials(vec![2.0, 5.0, 4.0])
            .unwrap();
        assert!(RowInput::of(&normal::Normal, &s).is_none());
        let r = RowInput::of(&binomial::Binomial, &s).unwrap();
        let mut theta = vec![f64::NAN, 0.3];
        assert_eq!(r.theta_at(&mut theta, 1), &[5.0, 0.3]);
        assert_eq!(r.largest(), 5.0);
        let e = r.check_within(&binomial::Binomial, &s).unwrap_err();
        assert!(e.to_string().contains("number of trials"), "{e}");
        assert_eq!(
            r.note(&binomial::Binomial),
            "size is given per row (from 2 to 5), not estimated"
        );
    }

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in REGISTRY {
            for n in std::iter::once(f.name()).chain(f.aliases().iter().copied()) {
                assert!(seen.insert(normalise(n)), "duplicate name {n}");
            }
        }
    }

    #[test]
    fn lookup_by_alias_and_suggestions() {
        assert_eq!(lookup("NORM").unwrap().name(), "normal");
        assert_eq!(
            lookup("negative-binomial").unwrap().name(),
            "negative_binomial"
        );
        let e = lookup("gama").unwrap_err();
        assert!(e.to_string().contains("did you mean \"gamma\""), "{e}");
        let e = lookup("weibul").unwrap_err();
        assert!(e.to_string().contains("\"weibull\""), "{e}");
        let e = lookup("negative").unwrap_err();
        assert!(e.to_string().contains("\"negative_binomial\""), "{e}");
        let e = lookup("zzzzzzzzzzzz").unwrap_err();
        assert!(!e.to_string().contains("did you mean"), "{e}");
    }
}
