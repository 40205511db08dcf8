//! mlfit: maximum-likelihood fitting of parametric distributions.
pub mod data;
pub mod error;
pub mod family;
pub mod special;

pub use data::Sample;
pub use error::{Error, ErrorKind, Result};
pub use family::Family;
