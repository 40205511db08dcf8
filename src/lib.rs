//! mlfit: maximum-likelihood fitting of parametric distributions.
//!
//! Fitting a family means choosing the parameters θ that minimise the cross entropy
//! H(p*, p_θ) between the unknown data distribution p* and the model, estimated by the mean
//! negative log-likelihood of the sample. mlfit computes that objective and its gradient (the
//! mean negative score) analytically, minimises it in unconstrained coordinates, and certifies
//! the result: a fit is `converged` only when the score is zero to tolerance at a point where
//! the Hessian is positive definite and no parameter sits on the boundary.
//!
//! ```
//! use mlfit::{fit, family::lookup, FitOptions, Sample};
//!
//! let sample = Sample::new(vec![0.8, 1.9, 2.4, 0.3, 5.2, 1.1, 3.3, 0.9])?;
//! let gamma = fit(lookup("gamma")?, &sample, &FitOptions::default())?;
//! assert!(gamma.converged && gamma.score_norm <= 1e-9);
//! println!("shape {:.4}, rate {:.4}, {:.4} nats", gamma.params.get("shape").unwrap(),
//!          gamma.params.get("rate").unwrap(), gamma.cross_entropy);
//! # Ok::<(), mlfit::Error>(())
//! ```
//!
//! # Layers
//!
//! Data flow one way: input → observations → family + objective → optimiser → fit → analysis
//! → report. Each module stands on a floor and uses only modules of its own floor or lower
//! ones, never higher ones, and the modules of one floor do not use each other in a circle
//! (`tests/layers.rs` checks this from the source, reading the lines below):
//!
//! floor 1: error, numeric, special, sum, optim
//! floor 2: data
//! floor 3: family
//! floor 4: objective
//! floor 5: fit, multivariate
//! floor 6: entropy, crossval, mixture, inference, compare, model
//! floor 7: report
//!
//! - floor 1, what knows nothing of distributions: typed [`error`]s, generic numerics
//!   ([`numeric`]: Brent, tanh-sinh quadrature, log-space arithmetic, constants, number
//!   formatting), the special functions ([`special`]), compensated sums ([`sum`]), the solvers
//!   and the one certification of a minimum ([`optim`]);
//! - floor 2, [`data`]: the observation model (a [`Sample`]: exact values as a plain slice,
//!   censoring and truncation bounds, weights, per-row family inputs, column-wise) and the CSV
//!   readers that produce it;
//! - floor 3, [`family`]: one file per family, the registry, the family handle, and the
//!   generic mixture model `Mixture<Kernel>` (terms, EM, canonical order);
//! - floor 4, [`objective`]: the cross entropy and its derivatives in unconstrained
//!   coordinates (the one place for the chain rule), composing each row's contribution by its
//!   kind (density, censored interval probability, truncation);
//! - floor 5, [`fit`](mod@fit): start → optimise → certify → summarise, and [`multivariate`]
//!   (the multivariate normal, its objective and fit);
//! - floor 6, analyses that call the fit: [`entropy`] (the entropy bound), [`crossval`]
//!   (held-out cross entropy), [`mixture`] (the multi-start driver and the choice of K),
//!   [`inference`] (standard errors, intervals, bootstrap, goodness of fit), [`compare`]
//!   (ranking families) and [`model`] (saved models);
//! - floor 7, [`report`]: every renderer (table, JSON, CSV) of every result, behind one
//!   [`report::Format`].
//!
//! The binary (`src/bin/mlfit/`) stands on top: parse → run → exit code. The library never
//! prints and returns typed [`Error`]s.
// `!(x > 0.0)` is how the families reject NaN along with non-positive values; the lint's
// `partial_cmp` rewrite would hide that intent.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod compare;
pub mod crossval;
pub mod data;
pub mod entropy;
pub mod error;
pub mod family;
pub mod fit;
pub mod inference;
pub mod mixture;
pub mod model;
pub mod multivariate;
pub mod numeric;
pub mod objective;
pub mod optim;
pub mod report;
pub mod special;
pub mod sum;

pub use data::Sample;
pub use error::{Error, ErrorKind, Result};
pub use family::Family;
pub use fit::{fit, Fit, FitOptions};
