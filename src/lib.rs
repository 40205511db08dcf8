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
//! Layout: [`data`] (CSV → [`Sample`]) → [`family`] (one file per family, the registry) →
//! [`objective`] (cross entropy in unconstrained coordinates) → [`optim`] (Newton, L-BFGS,
//! gradient descent) → [`fit`](mod@fit) (start, optimise, certify) → [`report`] (table, JSON,
//! CSV). Several columns at once are fitted by [`multivariate`] (the multivariate normal). The
//! library never prints and returns typed [`Error`]s.
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
