//! mlfit: maximum-likelihood fitting of parametric distributions.
pub mod data;
pub mod error;
pub mod family;
pub mod fit;
pub mod objective;
pub mod optim;
pub mod report;
pub mod special;

pub use data::Sample;
pub use error::{Error, ErrorKind, Result};
pub use family::Family;
pub use fit::{fit, Fit, FitOptions};
