//! The observation model: what each row of a [`Sample`](super::Sample) says besides its value,
//! held column-wise (struct of arrays).
//!
//! A row is an observation with a weight and per-row family inputs (a number of trials). Every
//! column is optional and absent when it does not vary by row, so the common case — exact,
//! unweighted values — stays a plain `&[f64]` and code branches once per sample, never per row.
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
    /// The rows `picks` (indices, repeats allowed) of every column, in that order.
    pub fn select(&self, picks: &[usize]) -> Columns {
        let pick = |c: &Option<Vec<f64>>| c.as_ref().map(|c| picks.iter().map(|&i| c[i]).collect());
        Columns {
            weights: pick(&self.weights),
            inputs: FamilyInputs {
                trials: pick(&self.inputs.trials),
            },
        }
    }
}
