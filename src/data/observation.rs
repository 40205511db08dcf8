//! The observation model: what each row of a [`Sample`](super::Sample) says besides its value,
//! held column-wise (struct of arrays).
//!
//! A row is an observation of a [`Kind`] — an exact value, or an interval (lower, upper] known
//! to hold the value (left or right censoring as an open end, ±∞) — with optional truncation
//! bounds [L, U] (the row could only be observed inside them), a weight, and per-row family
//! inputs (a number of trials). Every column is optional and absent when it does not vary by
//! row, so the common case — exact, unweighted values — stays a plain `&[f64]` and code
//! branches once per sample ([`Columns::is_exact`]), never per row.
//! Each column has the sample's length; [`Columns::select`] is the one place that picks rows,
//! so resampling keeps every column. Group keys belong here too, as one more column (a key
//! index per row) selected with the others.

/// The per-row columns beside the values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// Non-negative weights (frequency or importance weights); `None` means every weight is 1.
    pub(crate) weights: Option<Vec<f64>>,
    /// Per-row family inputs: values that replace a parameter of the family row by row.
    pub(crate) inputs: FamilyInputs,
    /// Censoring bounds; `None` when every row is an exact value.
    pub(crate) censoring: Option<Bounds>,
    /// Truncation bounds; `None` when no row is truncated.
    pub(crate) truncation: Option<Bounds>,
}

/// What one row says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The value itself.
    Exact,
    /// Only that the value is at most `upper` (lower bound −∞).
    LeftCensored,
    /// Only that the value is above `lower` (upper bound +∞).
    RightCensored,
    /// Only that the value lies in (lower, upper], both finite.
    Interval,
}

/// A pair of bound columns, one (lower, upper) per row, ±∞ for an open end.
///
/// As censoring bounds, an exact row has lower = upper = its value. As truncation bounds, the
/// row could only have been observed in [lower, upper] (−∞, +∞ where it is not truncated).
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub(crate) lower: Vec<f64>,
    pub(crate) upper: Vec<f64>,
}

impl Bounds {
    /// The lower bounds, one per row.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// The upper bounds, one per row.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// The kind of row `i`, reading these bounds as censoring bounds.
    pub fn kind(&self, i: usize) -> Kind {
        let (l, u) = (self.lower[i], self.upper[i]);
        if l == u {
            Kind::Exact
        } else if l == f64::NEG_INFINITY {
            Kind::LeftCensored
        } else if u == f64::INFINITY {
            Kind::RightCensored
        } else {
            Kind::Interval
        }
    }

    fn select(&self, picks: &[usize]) -> Bounds {
        Bounds {
            lower: picks.iter().map(|&i| self.lower[i]).collect(),
            upper: picks.iter().map(|&i| self.upper[i]).collect(),
        }
    }
}

/// Per-row inputs of the family: parameters the data give row by row instead of the user once.
/// Which parameter each feeds is decided in one place, `family::RowInput`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FamilyInputs {
    /// The number of trials of each row (binomial-type families take their count from it).
    pub(crate) trials: Option<Vec<f64>>,
}

impl FamilyInputs {
    /// No per-row input: the family's parameters are the same for every row.
    pub fn is_empty(&self) -> bool {
        self.trials.is_none()
    }

    /// The per-row number of trials, if any.
    pub fn trials(&self) -> Option<&[f64]> {
        self.trials.as_deref()
    }
}

impl Columns {
    /// Every row is an exact, untruncated value: the likelihood is Σ wᵢ ln f(xᵢ).
    pub fn is_exact(&self) -> bool {
        self.censoring.is_none() && self.truncation.is_none()
    }

    /// Censoring bounds, when some row is not an exact value.
    pub fn censoring(&self) -> Option<&Bounds> {
        self.censoring.as_ref()
    }

    /// Truncation bounds, when some row is truncated.
    pub fn truncation(&self) -> Option<&Bounds> {
        self.truncation.as_ref()
    }

    /// The kind of row `i`.
    pub fn kind(&self, i: usize) -> Kind {
        self.censoring.as_ref().map_or(Kind::Exact, |c| c.kind(i))
    }

    /// The rows `picks` (indices, repeats allowed) of every column, in that order.
    pub fn select(&self, picks: &[usize]) -> Columns {
        let pick = |c: &Option<Vec<f64>>| c.as_ref().map(|c| picks.iter().map(|&i| c[i]).collect());
        Columns {
            weights: pick(&self.weights),
            inputs: FamilyInputs {
                trials: pick(&self.inputs.trials),
            },
            censoring: self.censoring.as_ref().map(|b| b.select(picks)),
            truncation: self.truncation.as_ref().map(|b| b.select(picks)),
        }
    }
}
