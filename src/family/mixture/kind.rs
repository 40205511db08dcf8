//! Which kernel a mixture family has, read off a `&dyn Family` ([`KernelKind`]), and the
//! canonical order of its components ([`canonical`]).

use serde::Serialize;

use super::MAX_COMPONENTS;
use crate::error::{ErrorKind, Result};
use crate::family::lognormal_mixture::LogNormalMixture;
use crate::family::normal_mixture::NormalMixture;
use crate::family::poisson_mixture::PoissonMixture;
use crate::family::{Constraint, Family};
use crate::special::ln_gamma;

/// Whether `family` is a finite mixture (it has a group of weights on the simplex).
pub fn is_mixture(family: &dyn Family) -> bool {
    family
        .params()
        .iter()
        .any(|p| p.constraint == Constraint::Simplex)
}

/// θ with a mixture's components sorted by location (mean, meanlog or rate), the order every
/// mixture fit reports; θ unchanged for other families. Two parameter vectors that differ only
/// by a relabelling of the components (the same distribution) become equal.
pub fn canonical(family: &dyn Family, theta: &[f64]) -> Vec<f64> {
    match KernelKind::of(family) {
        Some(kernel) if theta.len().is_multiple_of(kernel.per_component()) && theta.len() >= 4 => {
            let p = kernel.per_component();
            sort_components(theta, theta.len() / p, p)
        }
        _ => theta.to_vec(),
    }
}

/// Sort the components of θ (k components of p parameters, the weights first) by location
/// (mean, meanlog or rate).
pub(crate) fn sort_components(theta: &[f64], k: usize, p: usize) -> Vec<f64> {
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| theta[k + a].total_cmp(&theta[k + b]));
    let mut out = theta.to_vec();
    for a in 0..p {
        for (new, &old) in order.iter().enumerate() {
            out[a * k + new] = theta[a * k + old];
        }
    }
    out
}

/// Whether θ's k components are in canonical order.
pub(crate) fn is_sorted_by_location(theta: &[f64], k: usize) -> bool {
    theta[k..2 * k].windows(2).all(|w| w[0] <= w[1])
}

/// The component distribution of a mixture family, as a value (the [`super::Kernel`] types
/// are the same at the type level): what EM and the multi-start fit dispatch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KernelKind {
    /// Normal components (mean, sd).
    Normal,
    /// Lognormal components (meanlog, sdlog): a normal mixture on ln x.
    LogNormal,
    /// Poisson components (rate).
    Poisson,
}

impl KernelKind {
    /// The kernel of a mixture family, by name; `None` for other families.
    pub fn of(family: &dyn Family) -> Option<KernelKind> {
        match family.name() {
            "normal_mixture" => Some(KernelKind::Normal),
            "lognormal_mixture" => Some(KernelKind::LogNormal),
            "poisson_mixture" => Some(KernelKind::Poisson),
            _ => None,
        }
    }

    /// The one-component family (a mixture of one is this family).
    pub fn base(self) -> &'static dyn Family {
        match self {
            KernelKind::Normal => &crate::family::normal::Normal,
            KernelKind::LogNormal => &crate::family::lognormal::LogNormal,
            KernelKind::Poisson => &crate::family::poisson::Poisson,
        }
    }

    /// The one-component family as an owned value (what a mixture of one is).
    pub fn base_boxed(self) -> Box<dyn Family> {
        match self {
            KernelKind::Normal => Box::new(crate::family::normal::Normal),
            KernelKind::LogNormal => Box::new(crate::family::lognormal::LogNormal),
            KernelKind::Poisson => Box::new(crate::family::poisson::Poisson),
        }
    }

    /// The mixture family with `k` ≥ 2 components.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless 2 ≤ k ≤ [`MAX_COMPONENTS`].
    pub fn family(self, k: usize) -> Result<Box<dyn Family>> {
        check_components(k, 2)?;
        Ok(match self {
            KernelKind::Normal => Box::new(NormalMixture::new(k)),
            KernelKind::LogNormal => Box::new(LogNormalMixture::new(k)),
            KernelKind::Poisson => Box::new(PoissonMixture::new(k)),
        })
    }

    /// Parameters per component, its weight included.
    pub(crate) fn per_component(self) -> usize {
        match self {
            KernelKind::Normal | KernelKind::LogNormal => 3,
            KernelKind::Poisson => 2,
        }
    }

    /// The value EM works on: x, or ln x for lognormal components.
    pub(crate) fn transform(self, x: f64) -> f64 {
        match self {
            KernelKind::LogNormal => x.ln(),
            _ => x,
        }
    }

    /// The part of ln fⱼ(x) shared by every component (the lognormal Jacobian −ln x, the
    /// Poisson −ln x!), kept out of the log-sum-exp.
    pub(crate) fn offset(self, x: f64) -> f64 {
        match self {
            KernelKind::Normal => 0.0,
            KernelKind::LogNormal => -x.ln(),
            KernelKind::Poisson => -ln_gamma(x + 1.0),
        }
    }
}

/// Ok when `min` ≤ k ≤ [`MAX_COMPONENTS`].
///
/// # Errors
/// [`ErrorKind::InvalidOption`] otherwise.
pub(crate) fn check_components(k: usize, min: usize) -> Result<()> {
    if (min..=MAX_COMPONENTS).contains(&k) {
        Ok(())
    } else {
        Err(ErrorKind::InvalidOption {
            reason: format!("a mixture needs {min} to {MAX_COMPONENTS} components, not {k}"),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_moves_whole_components() {
        let theta = [0.7, 0.3, 4.0, 0.0, 0.8, 1.0];
        assert_eq!(
            sort_components(&theta, 2, 3),
            vec![0.3, 0.7, 0.0, 4.0, 1.0, 0.8]
        );
    }
}
