//! Finite mixtures as a family: one generic [`Mixture<K>`] over a component [`Kernel`].
//!
//! p(x) = Σⱼ wⱼ fⱼ(x) with k components of the kernel's distribution fⱼ, parameters laid out
//! by kind: the weights w1…wK (on the simplex), then each per-component parameter for
//! components 1…K (mean1…meanK, sd1…sdK). The kernel types live with their family
//! (`normal_mixture.rs`, `lognormal_mixture.rs`, `poisson_mixture.rs`), which each hold one
//! kernel and its registry instance; this module holds what every mixture shares:
//!
//! - the log-sum-exp over components with its score and Hessian ([`Terms`], `terms.rs`);
//! - EM (E-step, closed-form M-step, SQUAREM: `em.rs`) on the data as EM sees them
//!   (`em_data.rs`: distinct values, the quantile and k-means++ starts, degeneracy);
//! - the canonical order of components (sorted by location: [`canonical`], `kind.rs`).
//!
//! The log-likelihood is not concave and a component collapsing onto one value makes it
//! unbounded: a plain fit starts from the quantile split refined by EM and certifies whichever
//! local maximum it reaches. The multi-start fit with degeneracy checks that mixtures need
//! sits above the fit, in `src/mixture/`.
//!
//! References: McLachlan & Peel, *Finite Mixture Models* (2000), ch. 2–3; Fraley & Raftery,
//! "Model-based clustering, discriminant analysis and density estimation", JASA 97 (2002).

use std::marker::PhantomData;

use rand::{Rng, RngCore};

use super::{Constraint, Family, ParamSpec, Support};
use crate::data::Sample;
use crate::error::Result;

pub(crate) mod em;
pub(crate) mod em_data;
mod kind;
pub(crate) mod terms;

pub use kind::{canonical, is_mixture, KernelKind};
pub(crate) use kind::{check_components, is_sorted_by_location, sort_components};
pub use terms::Terms;

/// The largest number of components accepted.
pub const MAX_COMPONENTS: usize = 20;

/// EM steps refining the quantile split in [`Family::initial_estimate`].
const START_EM_ITERATIONS: usize = 200;

pub(crate) use crate::numeric::constants::LN_SQRT_2PI;

/// The component distribution of a [`Mixture`]: everything that differs between a mixture of
/// normals, of lognormals and of Poissons. Each is a unit struct in its family's file.
pub trait Kernel: std::fmt::Debug + Clone + Copy + Send + Sync + 'static {
    /// The same kernel as a value.
    const KIND: KernelKind;
    /// The family's name.
    const NAME: &'static str;
    /// The family's other accepted names.
    const ALIASES: &'static [&'static str];
    /// The family's density or mass, as plain text.
    const FORMULA: &'static str;
    /// The family's support.
    const SUPPORT: Support;
    /// What one component is called in messages (`normal`, `Poisson`).
    const COMPONENT: &'static str;
    /// Per-component parameter name prefixes and constraints, the weight first: `w` and then
    /// the kernel's own (their number is the parameters per component).
    const PREFIXES: &'static [(&'static str, Constraint)];
    /// The parameters of the two-component mixture (the registry's instance).
    const SPECS_2: &'static [ParamSpec];

    /// (y, offset) at x: the value the components see (x or ln x) and the part of ln fⱼ(x)
    /// that every component shares (kept out of the log-sum-exp); `None` outside the support.
    fn point(x: f64) -> Option<(f64, f64)>;

    /// Fill `terms` with ln wⱼfⱼ(y) of the `k` components at θ, and their derivatives when
    /// `derivs` (see [`Terms`]).
    fn fill(k: usize, theta: &[f64], y: f64, terms: &mut Terms, derivs: bool);

    /// Σ wᵢ ln p(xᵢ) over `sample`, with gradient and Hessian: the family's fast path.
    fn log_likelihood(
        k: usize,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64;

    /// The mixture's CDF at x.
    fn cdf(k: usize, theta: &[f64], x: f64) -> Option<f64>;

    /// One draw from component `j`.
    fn draw(k: usize, theta: &[f64], j: usize, rng: &mut dyn RngCore) -> f64;

    /// Parameters of a typical `k`-component mixture (tests, examples).
    fn typical_params(k: usize) -> Vec<f64>;

    /// The mixture's mean and variance.
    fn mean_variance(k: usize, theta: &[f64]) -> (f64, f64);
}

/// A mixture of `k` components of kernel `K`, parameters (w1…wK, then each of the kernel's
/// parameters for components 1…K).
#[derive(Debug, Clone, Copy)]
pub struct Mixture<K: Kernel> {
    k: usize,
    specs: &'static [ParamSpec],
    kernel: PhantomData<K>,
}

impl<K: Kernel> Mixture<K> {
    /// The two-component mixture: the registry's instance.
    pub const TWO: Mixture<K> = Mixture {
        k: 2,
        specs: K::SPECS_2,
        kernel: PhantomData,
    };

    /// The mixture of `k` components.
    ///
    /// # Panics
    /// Unless 2 ≤ k ≤ [`MAX_COMPONENTS`] ([`KernelKind::family`] is the checked constructor).
    pub fn new(k: usize) -> Mixture<K> {
        assert!(
            (2..=MAX_COMPONENTS).contains(&k),
            "a {} mixture has 2 to {MAX_COMPONENTS} components, not {k}",
            K::COMPONENT
        );
        let specs = if k == 2 {
            K::SPECS_2
        } else {
            component_specs(K::PREFIXES, k)
        };
        Mixture {
            k,
            specs,
            kernel: PhantomData,
        }
    }

    /// Number of components.
    pub fn components(&self) -> usize {
        self.k
    }
}

impl<K: Kernel> Family for Mixture<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }

    fn aliases(&self) -> &'static [&'static str] {
        K::ALIASES
    }

    fn formula(&self) -> &'static str {
        K::FORMULA
    }

    fn params(&self) -> &[ParamSpec] {
        self.specs
    }

    fn support(&self) -> Support {
        K::SUPPORT
    }

    fn min_observations(&self) -> usize {
        K::PREFIXES.len() * self.k
    }

    fn ln_density_derivs(
        &self,
        theta: &[f64],
        x: f64,
        mut grad: Option<&mut [f64]>,
        mut hess: Option<&mut [f64]>,
    ) -> f64 {
        let Some((y, offset)) = K::point(x) else {
            return f64::NEG_INFINITY;
        };
        let derivs = grad.is_some() || hess.is_some();
        if let Some(g) = grad.as_deref_mut() {
            g.fill(0.0);
        }
        if let Some(h) = hess.as_deref_mut() {
            h.fill(0.0);
        }
        let mut terms = Terms::new(self.k, K::PREFIXES.len());
        K::fill(self.k, theta, y, &mut terms, derivs);
        terms.accumulate(1.0, grad, hess) + offset
    }

    fn initial_estimate(&self, sample: &Sample) -> Result<Vec<f64>> {
        em::initial_estimate(self, K::KIND, self.k, sample, START_EM_ITERATIONS)
    }

    fn equality_constraints(&self) -> usize {
        1
    }

    fn specialise_to_names(&self, names: &[String]) -> Result<Option<Box<dyn Family>>> {
        Ok(components_from_names(names, K::PREFIXES.len())
            .map(|k| Box::new(Mixture::<K>::new(k)) as _))
    }

    fn log_likelihood(
        &self,
        theta: &[f64],
        sample: &Sample,
        grad: Option<&mut [f64]>,
        hess: Option<&mut [f64]>,
    ) -> f64 {
        K::log_likelihood(self.k, theta, sample, grad, hess)
    }

    fn cdf(&self, theta: &[f64], x: f64) -> Option<f64> {
        K::cdf(self.k, theta, x)
    }

    fn sample(&self, theta: &[f64], n: usize, rng: &mut dyn RngCore) -> Vec<f64> {
        let k = self.k;
        (0..n)
            .map(|_| {
                let j = pick_component(&theta[..k], rng);
                K::draw(k, theta, j, rng)
            })
            .collect()
    }

    fn typical_params(&self) -> Vec<f64> {
        K::typical_params(self.k)
    }

    fn mean_variance(&self, theta: &[f64]) -> (f64, f64) {
        K::mean_variance(self.k, theta)
    }
}

/// The weights of a typical `k`-component mixture: `two` for k = 2, else equal.
pub(crate) fn typical_weights(k: usize, two: [f64; 2]) -> Vec<f64> {
    if k == 2 {
        two.to_vec()
    } else {
        vec![1.0 / k as f64; k]
    }
}

/// The parameter list of a `k`-component mixture with per-component parameter `prefixes`
/// (`["w", "mean", "sd"]` → w1…wK, mean1…meanK, sd1…sdK; the first is the weight). Names must
/// be `&'static str`: each list is built once per (family, k) and kept for the life of the
/// program (at most [`MAX_COMPONENTS`] lists per family).
pub(crate) fn component_specs(
    prefixes: &[(&'static str, Constraint)],
    k: usize,
) -> &'static [ParamSpec] {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    type Key = (Vec<&'static str>, usize);
    static CACHE: LazyLock<Mutex<HashMap<Key, &'static [ParamSpec]>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let key = (prefixes.iter().map(|p| p.0).collect::<Vec<_>>(), k);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(key).or_insert_with(|| {
        let specs: Vec<ParamSpec> = prefixes
            .iter()
            .flat_map(|&(prefix, constraint)| {
                (1..=k).map(move |j| ParamSpec {
                    name: Box::leak(format!("{prefix}{j}").into_boxed_str()),
                    constraint,
                })
            })
            .collect();
        Box::leak(specs.into_boxed_slice())
    })
}

/// A component index drawn with probabilities `weights`.
fn pick_component(weights: &[f64], rng: &mut dyn RngCore) -> usize {
    let mut u: f64 = rng.random::<f64>() * weights.iter().sum::<f64>();
    for (j, w) in weights.iter().enumerate() {
        u -= w;
        if u < 0.0 {
            return j;
        }
    }
    weights.len() - 1
}

/// The number of components of a saved model's parameter names (p per component, the weights
/// named w1…wK first); `None` when they do not describe a mixture of at least 2.
fn components_from_names(names: &[String], p: usize) -> Option<usize> {
    let k = names.len() / p;
    (names.len().is_multiple_of(p) && (2..=MAX_COMPONENTS).contains(&k)).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_built_once_per_k() {
        let p = [("w", Constraint::Simplex), ("rate", Constraint::Positive)];
        let a = component_specs(&p, 3);
        let b = component_specs(&p, 3);
        assert!(std::ptr::eq(a, b));
        let names: Vec<&str> = a.iter().map(|s| s.name).collect();
        assert_eq!(names, ["w1", "w2", "w3", "rate1", "rate2", "rate3"]);
    }
}
