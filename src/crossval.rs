//! Held-out cross entropy by seeded k-fold cross-validation: the honest way to compare a
//! richer family with a simpler one, since the in-sample cross entropy of the richer family is
//! always lower.
//!
//! The rows are shuffled once by a seeded generator and cut into k folds of (nearly) equal
//! size. For each fold the family is fitted to the other folds — by giving the fold's rows
//! weight zero, which is exactly dropping them — and each held-out row's −ln p(xᵢ | θ̂₋fold)
//! is recorded. The held-out cross entropy is their (weighted) mean; its standard error is
//! their standard deviation over √n, and the per-row values allow paired comparisons between
//! families.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;

use crate::data::Sample;
use crate::error::{ErrorKind, Result};
use crate::family::{Family, FamilyHandle, RowInput};
use crate::fit::{fit, FitOptions};

/// Held-out cross entropy of one family.
#[derive(Debug, Clone, Serialize)]
pub struct HeldOut {
    /// Number of folds.
    pub folds: usize,
    /// The seed of the shuffle.
    pub seed: u64,
    /// Mean held-out −ln p(xᵢ), nats per observation (+∞ when a held-out row falls outside
    /// the support of the fit without it).
    pub cross_entropy: f64,
    /// Its standard error, sd(−ln p(xᵢ)) / √n.
    pub std_error: f64,
    /// Folds whose fit did not converge (their estimates are used as they are).
    pub nonconverged_folds: usize,
    /// −ln p(xᵢ | θ̂ without xᵢ's fold) for every row, in input order (0 for zero-weight rows).
    #[serde(skip)]
    pub per_row: Vec<f64>,
}

/// The fold of each row: a seeded shuffle cut into `folds` nearly equal parts.
pub fn assign_folds(n: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    let mut fold = vec![0; n];
    for (rank, &row) in order.iter().enumerate() {
        fold[row] = rank * folds / n;
    }
    fold
}

/// k-fold held-out cross entropy of `family` on `sample`.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] for fewer than 2 folds or more folds than rows; the fit's
/// error when a training split cannot be fitted (named by its fold).
pub fn kfold(
    family: &dyn Family,
    sample: &Sample,
    options: &FitOptions,
    folds: usize,
    seed: u64,
) -> Result<HeldOut> {
    let n = sample.len();
    if folds < 2 || folds > n {
        return Err(ErrorKind::InvalidOption {
            reason: format!("{folds} folds for {n} rows: need 2 ≤ folds ≤ rows"),
        }
        .into());
    }
    let fold_of = assign_folds(n, folds, seed);
    let base: Vec<f64> = (0..n).map(|i| sample.weight(i)).collect();
    let mut per_row = vec![0.0; n];
    let mut nonconverged_folds = 0;
    for f in 0..folds {
        let weights: Vec<f64> = (0..n)
            .map(|i| if fold_of[i] == f { 0.0 } else { base[i] })
            .collect();
        let training = sample.clone().with_weights(weights)?;
        let fitted = fit(family, &training, options).map_err(|e| {
            crate::error::Error::from(ErrorKind::InvalidOption {
                reason: format!("fold {} of {folds}: {e}", f + 1),
            })
        })?;
        if !fitted.converged {
            nonconverged_folds += 1;
        }
        // Evaluate with the family the fit used (a categorical is specialised to its levels).
        let fam = FamilyHandle::for_sample(family, &training)?;
        let fam: &dyn Family = &*fam;
        let mut theta = fitted.theta();
        // A per-row input (a number of trials) is reported as NaN; the density takes it row by
        // row.
        let input = RowInput::of(fam, sample);
        for (i, x) in sample.values().iter().enumerate() {
            if fold_of[i] != f || base[i] == 0.0 {
                continue;
            }
            if let Some(input) = input {
                input.theta_at(&mut theta, i);
            }
            per_row[i] = -fam.ln_density_derivs(&theta, *x, None, None);
        }
    }
    let w_total: f64 = base.iter().sum();
    let used = base.iter().filter(|w| **w > 0.0).count();
    let mean = per_row.iter().zip(&base).map(|(v, w)| v * w).sum::<f64>() / w_total;
    let var = per_row
        .iter()
        .zip(&base)
        .filter(|(_, w)| **w > 0.0)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum::<f64>()
        / w_total;
    let std_error =
        (var * used as f64 / (used as f64 - 1.0).max(1.0)).sqrt() / (used as f64).sqrt();
    Ok(HeldOut {
        folds,
        seed,
        cross_entropy: mean,
        std_error,
        nonconverged_folds,
        per_row,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::lookup;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let a = assign_folds(103, 5, 7);
        let b = assign_folds(103, 5, 7);
        assert_eq!(a, b);
        assert_ne!(a, assign_folds(103, 5, 8));
        for f in 0..5 {
            let size = a.iter().filter(|&&x| x == f).count();
            assert!(size == 20 || size == 21, "{size}");
        }
    }

    #[test]
    fn held_out_is_above_in_sample_and_deterministic() {
        let xs: Vec<f64> = (0..200)
            .map(|i| ((i * 37 % 101) as f64 + 0.5) / 10.0)
            .collect();
        let s = Sample::new(xs).unwrap();
        let g = lookup("gamma").unwrap();
        let opts = FitOptions::default();
        let h = kfold(g, &s, &opts, 5, 1).unwrap();
        let again = kfold(g, &s, &opts, 5, 1).unwrap();
        assert_eq!(h.cross_entropy, again.cross_entropy);
        let in_sample = fit(g, &s, &opts).unwrap().cross_entropy;
        assert!(
            h.cross_entropy > in_sample,
            "{} vs {in_sample}",
            h.cross_entropy
        );
        assert!(h.cross_entropy - in_sample < 0.1);
        assert!(h.std_error > 0.0);
        assert!(kfold(g, &s, &opts, 1, 1).is_err());
    }

    #[test]
    fn leave_one_out_for_the_normal_matches_the_closed_form() {
        // With n folds each training fit is the closed form on n − 1 points.
        let xs = vec![0.3, 1.1, -0.4, 2.2, 0.9, 1.7];
        let s = Sample::new(xs.clone()).unwrap();
        let normal = lookup("normal").unwrap();
        let h = kfold(normal, &s, &FitOptions::default(), xs.len(), 3).unwrap();
        for (i, &x) in xs.iter().enumerate() {
            let rest: Vec<f64> = xs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .collect();
            let m = rest.iter().sum::<f64>() / 5.0;
            let sd = (rest.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 5.0).sqrt();
            let want = -normal.ln_density_derivs(&[m, sd], x, None, None);
            assert!((h.per_row[i] - want).abs() < 1e-12, "row {i}");
        }
    }
}
