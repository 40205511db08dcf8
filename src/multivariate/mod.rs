//! Multivariate families: one distribution on ℝᵈ fitted to d columns at once.
//!
//! The data are a [`MultiSample`] (n rows × d columns, row-major, with the column names and
//! the lines they came from). Its sufficient statistics — the mean vector x̄ and the biased
//! scatter matrix S = (1/n) Σ (xᵢ − x̄)(xᵢ − x̄)ᵀ — are computed once with compensated
//! two-pass sums, so every evaluation of the objective is O(d³), independent of n.
//!
//! [`fit_multivariate`] follows the path of [`crate::fit::fit`]: a robust start with a
//! *diagonal* covariance (column medians and robust spreads), the cross entropy in
//! unconstrained, scale-free coordinates ([`normal::NormalCrossEntropy`]), the same
//! [`crate::optim`] minimisers and options, and the same certificate: the fit is `converged`
//! only when the mean score is zero to tolerance (or the Newton decrement shows the minimum is
//! reached to rounding) at a point where the analytic Hessian is positive definite. The closed
//! form (x̄ and S, or its diagonal, or tr S/d · I) is never used as the estimate; it is what the
//! tests compare the optimum with.
//!
//! The covariance may be [`Covariance::Full`] (d(d+1)/2 free entries), [`Covariance::Diagonal`]
//! (d variances) or [`Covariance::Spherical`] (one variance σ²I).

pub mod normal;

use std::io::Read;
use std::str::FromStr;
use std::sync::OnceLock;

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::data::csv::{csv_error, header_names, open_csv, parse_cell, CsvOptions, Table};
use crate::error::{CellProblem, Error, ErrorKind, Result};
use crate::fit::FitOptions;
use crate::optim::{self, Method, Objective, Termination};
use crate::sum::CompensatedSum;

/// |η| beyond which a log-Cholesky diagonal has moved by a factor e³⁰ from the robust start:
/// a variance running off to 0 or ∞, not converging.
const RUNAWAY: f64 = 30.0;

/// A multivariate family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiFamily {
    /// The multivariate normal N(μ, Σ) (see [`normal`]).
    Normal,
}

/// Every multivariate family, for listings.
pub const MULTIVARIATE: &[MultiFamily] = &[MultiFamily::Normal];

impl MultiFamily {
    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            MultiFamily::Normal => "multivariate_normal",
        }
    }

    /// Other names it answers to.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            MultiFamily::Normal => &["mvn", "mvnorm", "multivariate_gaussian"],
        }
    }

    /// The density in plain text.
    pub fn formula(self) -> &'static str {
        match self {
            MultiFamily::Normal => {
                "p(x) = exp(-(x - mean)' covariance^-1 (x - mean) / 2) / sqrt((2 pi)^d det(covariance))"
            }
        }
    }
}

/// The multivariate family called `name` (or one of its aliases; case and `-`/`_` ignored).
pub fn lookup(name: &str) -> Option<MultiFamily> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    MULTIVARIATE
        .iter()
        .copied()
        .find(|f| f.name() == wanted || f.aliases().contains(&wanted.as_str()))
}

/// The structure of the covariance matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Covariance {
    /// Any symmetric positive definite matrix: d(d+1)/2 free entries.
    #[default]
    Full,
    /// Independent columns: d variances, zero covariances.
    Diagonal,
    /// One common variance: σ²I.
    Spherical,
}

impl Covariance {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Covariance::Full => "full",
            Covariance::Diagonal => "diagonal",
            Covariance::Spherical => "spherical",
        }
    }

    /// Free parameters of the normal in d dimensions: the mean and the covariance entries
    /// (d + d(d+1)/2, 2d or d + 1).
    pub fn parameter_count(self, d: usize) -> usize {
        d + match self {
            Covariance::Full => d * (d + 1) / 2,
            Covariance::Diagonal => d,
            Covariance::Spherical => 1,
        }
    }

    /// Fewest rows for which the MLE can exist: d + 1 for a full covariance (the scatter
    /// matrix of fewer points is singular), 2 otherwise.
    pub fn min_observations(self, d: usize) -> usize {
        match self {
            Covariance::Full => d + 1,
            Covariance::Diagonal | Covariance::Spherical => 2,
        }
    }
}

impl FromStr for Covariance {
    type Err = Error;

    fn from_str(s: &str) -> Result<Covariance> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Covariance::Full),
            "diagonal" | "diag" => Ok(Covariance::Diagonal),
            "spherical" => Ok(Covariance::Spherical),
            _ => Err(ErrorKind::InvalidOption {
                reason: format!(
                    "unknown covariance structure {s:?}; use full, diagonal or spherical"
                ),
            }
            .into()),
        }
    }
}

/// The parameter-free statistics of a [`MultiSample`].
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    /// Number of rows.
    pub n: usize,
    /// The sample mean x̄ (compensated sums).
    pub mean: DVector<f64>,
    /// The biased scatter S = (1/n) Σ (xᵢ − x̄)(xᵢ − x̄)ᵀ (two-pass, compensated): the MLE of a
    /// full covariance.
    pub scatter: DMatrix<f64>,
}

/// n observations of d variables: finite values, row-major, with the column names and, when
/// read from a file, the source and each row's line.
#[derive(Debug, Clone)]
pub struct MultiSample {
    names: Vec<String>,
    values: Vec<f64>,
    n: usize,
    source: Option<String>,
    lines: Option<Vec<u64>>,
    statistics: OnceLock<Statistics>,
}

impl MultiSample {
    /// A sample from `rows` (each of length `names.len()`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] when there are no columns or no rows, a row has the wrong
    /// length, or a value is not finite.
    pub fn new(names: Vec<String>, rows: &[Vec<f64>]) -> Result<MultiSample> {
        let d = names.len();
        if let Some(i) = rows.iter().position(|r| r.len() != d) {
            return Err(ErrorKind::InvalidOption {
                reason: format!("row {i} has {} values for {d} columns", rows[i].len()),
            }
            .into());
        }
        Self::from_row_major(names, rows.concat())
    }

    /// A sample from n·d values in row-major order.
    ///
    /// # Errors
    /// As [`MultiSample::new`].
    pub fn from_row_major(names: Vec<String>, values: Vec<f64>) -> Result<MultiSample> {
        let d = names.len();
        let invalid = |reason: String| Err(ErrorKind::InvalidOption { reason }.into());
        if d == 0 {
            return invalid("a multivariate sample needs at least one column".into());
        }
        if values.is_empty() || !values.len().is_multiple_of(d) {
            return invalid(format!("{} values do not fill rows of {d}", values.len()));
        }
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return invalid(format!(
                "value {} in row {}, column {} is not finite",
                values[k],
                k / d,
                names[k % d]
            ));
        }
        Ok(MultiSample {
            n: values.len() / d,
            names,
            values,
            source: None,
            lines: None,
            statistics: OnceLock::new(),
        })
    }

    /// The selected columns of a CSV [`Table`] (read with [`crate::data::csv::read_columns`],
    /// which has already applied the missing-value policy), remembering the source and lines.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] when no rows are left after dropping missing values, or a
    /// column was read as labels.
    pub fn from_table(table: &Table) -> Result<MultiSample> {
        if table.levels.iter().any(Option::is_some) {
            return Err(ErrorKind::InvalidOption {
                reason: "a multivariate sample takes numeric columns, not labels".into(),
            }
            .into());
        }
        let n = table.lines.len();
        if n == 0 {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{}: no rows left after dropping {} row{} with missing values",
                    table.source,
                    table.skipped_missing,
                    if table.skipped_missing == 1 { "" } else { "s" }
                ),
            }
            .into());
        }
        let d = table.columns.len();
        let mut values = Vec::with_capacity(n * d);
        for i in 0..n {
            values.extend(table.columns.iter().map(|c| c[i]));
        }
        let mut sample = MultiSample::from_row_major(table.names.clone(), values)?;
        sample.source = Some(table.source.clone());
        sample.lines = Some(table.lines.clone());
        Ok(sample)
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of columns.
    pub fn d(&self) -> usize {
        self.names.len()
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.d();
        &self.values[i * d..(i + 1) * d]
    }

    /// Column `j` as a vector.
    pub fn column(&self, j: usize) -> Vec<f64> {
        self.values
            .iter()
            .skip(j)
            .step_by(self.d())
            .copied()
            .collect()
    }

    /// The path or `<stdin>` the rows were read from, if known.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The 1-based line of row `i` in the source, if known.
    pub fn line(&self, i: usize) -> Option<u64> {
        self.lines.as_ref().map(|l| l[i])
    }

    /// Mean vector and scatter matrix, computed on first use.
    pub fn statistics(&self) -> &Statistics {
        self.statistics.get_or_init(|| {
            let (n, d) = (self.n, self.d());
            let mut sums = vec![CompensatedSum::default(); d];
            for i in 0..n {
                for (s, &x) in sums.iter_mut().zip(self.row(i)) {
                    s.add(x);
                }
            }
            let mean = DVector::from_iterator(d, sums.iter().map(|s| s.value() / n as f64));
            let mut cross = vec![CompensatedSum::default(); d * d];
            let mut dev = vec![0.0; d];
            for i in 0..n {
                for (j, (v, &x)) in dev.iter_mut().zip(self.row(i)).enumerate() {
                    *v = x - mean[j];
                }
                for a in 0..d {
                    for b in 0..=a {
                        cross[a * d + b].add(dev[a] * dev[b]);
                    }
                }
            }
            let scatter = DMatrix::from_fn(d, d, |a, b| {
                let (a, b) = if a >= b { (a, b) } else { (b, a) };
                cross[a * d + b].value() / n as f64
            });
            Statistics { n, mean, scatter }
        })
    }
}

/// The estimates: a mean vector and a covariance matrix (as rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiParams {
    /// μ̂, one entry per column.
    pub mean: Vec<f64>,
    /// Σ̂ as d rows of d entries (symmetric).
    pub covariance: Vec<Vec<f64>>,
}

/// Standard errors of the estimates, from the observed information at θ̂.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiStdErrors {
    /// se(μ̂ⱼ) = √(Σ̂ⱼⱼ/n).
    pub mean: Vec<f64>,
    /// se(Σ̂ᵢⱼ): √((Σ̂ᵢᵢΣ̂ⱼⱼ + Σ̂ᵢⱼ²)/n) for a full covariance, √(2/n)·Σ̂ⱼⱼ on a diagonal one and
    /// √(2/(nd))·σ̂² for a spherical one; null for entries the structure holds at zero.
    pub covariance: Vec<Vec<Option<f64>>>,
}

/// A fitted multivariate model and the evidence that it is the maximum-likelihood estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiFit {
    /// Canonical family name (`multivariate_normal`).
    pub family: String,
    /// The covariance structure fitted.
    pub covariance_structure: Covariance,
    /// The column names, in the order of the mean vector and the covariance rows.
    pub columns: Vec<String>,
    /// Dimension d (number of columns).
    pub d: usize,
    /// Number of observations (rows).
    pub n: usize,
    /// μ̂ and Σ̂.
    pub params: MultiParams,
    /// Mean negative log-likelihood −(1/n) Σ ln p(xᵢ | θ̂), nats per observation (one
    /// observation is one row of d values).
    pub cross_entropy: f64,
    /// Σ ln p(xᵢ | θ̂) (natural log).
    pub log_likelihood: f64,
    /// 2k − 2ℓ.
    pub aic: f64,
    /// k ln n − 2ℓ.
    pub bic: f64,
    /// Number of free parameters: d + d(d+1)/2 (full), 2d (diagonal), d + 1 (spherical).
    pub k: usize,
    /// True only when the certificate holds: score zero to tolerance (or the minimum reached
    /// to rounding) and the Hessian positive definite.
    pub converged: bool,
    /// Why the optimisation stopped (after certification).
    pub termination: Termination,
    /// Optimizer iterations.
    pub iterations: usize,
    /// ‖mean score‖∞ at θ̂ in the scale-free optimisation coordinates.
    pub score_norm: f64,
    /// The optimisation method used.
    pub method: Method,
    /// Standard errors of μ̂ and Σ̂.
    pub std_errors: Option<MultiStdErrors>,
    /// The mlfit version that made the fit.
    #[serde(default)]
    pub mlfit_version: String,
    /// Remarks a user should read (skipped rows or columns, a failed certificate).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl MultiFit {
    /// μ̂ as a vector.
    pub fn mean_vector(&self) -> DVector<f64> {
        DVector::from_column_slice(&self.params.mean)
    }

    /// Σ̂ as a matrix.
    pub fn covariance_matrix(&self) -> DMatrix<f64> {
        DMatrix::from_fn(self.d, self.d, |i, j| self.params.covariance[i][j])
    }
}

/// Fit the multivariate normal with covariance `structure` to `sample` by maximum likelihood.
///
/// `options.method`, `gtol` and `max_iterations` are used as by [`crate::fit::fit`];
/// `options.start` is ignored (the start is always the robust diagonal one).
///
/// # Errors
/// [`ErrorKind::TooFewObservations`] (fewer than d + 1 rows for a full covariance, 2
/// otherwise), [`ErrorKind::Degenerate`] for a constant column, [`ErrorKind::Collinear`] naming
/// the column that is a linear combination of others (full covariance),
/// [`ErrorKind::InvalidOption`] when parameters are to be fixed. A run that does not converge
/// is not an error: it returns `converged: false`.
pub fn fit_multivariate(
    sample: &MultiSample,
    structure: Covariance,
    options: &FitOptions,
) -> Result<MultiFit> {
    let family = MultiFamily::Normal;
    if !options.fixed.is_empty() {
        return Err(ErrorKind::InvalidOption {
            reason: format!(
                "{} has no parameters that can be fixed by name",
                family.name()
            ),
        }
        .into());
    }
    normal::validate(sample, structure)?;
    let objective = normal::NormalCrossEntropy::new(sample, structure);
    let m = objective.dim();
    let opt = optim::Options {
        gtol: options.gtol,
        max_iterations: options
            .max_iterations
            .unwrap_or(options.method.default_max_iterations()),
    };
    let outcome = optim::minimize(options.method, &objective, &vec![0.0; m], &opt);

    // Certification, independent of the method: score and Hessian recomputed at θ̂.
    let boundary = objective
        .runaway(&outcome.x, RUNAWAY, sample.names())
        .map(|what| format!("{what} ran off towards 0 or ∞: the likelihood has no maximum here"));
    let certificate = optim::certify(
        &objective,
        &outcome,
        options.gtol,
        objective.magnitude(&outcome.x),
        boundary,
    );
    let (value, score_norm, termination, converged, notes) = (
        certificate.value,
        certificate.score_norm,
        certificate.termination,
        certificate.converged,
        certificate.notes,
    );

    let (mean, cov) = objective.natural(&outcome.x);
    let (n, d) = (sample.n(), sample.d());
    let log_likelihood = -value * n as f64;
    let k = structure.parameter_count(d);
    let std_errors = value
        .is_finite()
        .then(|| normal::std_errors(&cov, structure, n));
    Ok(MultiFit {
        family: family.name().into(),
        covariance_structure: structure,
        columns: sample.names().to_vec(),
        d,
        n,
        params: MultiParams {
            mean: mean.iter().copied().collect(),
            covariance: (0..d)
                .map(|i| (0..d).map(|j| cov[(i, j)]).collect())
                .collect(),
        },
        cross_entropy: value,
        log_likelihood,
        aic: 2.0 * k as f64 - 2.0 * log_likelihood,
        bic: k as f64 * (n as f64).ln() - 2.0 * log_likelihood,
        k,
        converged,
        termination,
        iterations: outcome.iterations,
        score_norm,
        method: options.method,
        std_errors,
        mlfit_version: env!("CARGO_PKG_VERSION").to_string(),
        notes,
    })
}

/// The columns of a CSV input and whether each holds numbers, judged by its first
/// non-missing cell (a column of labels such as `id` or `endpoint` is not numeric; a numeric
/// column with a bad cell further down stays numeric, so that reading it reports the cell).
/// Without a header the names are `#1`, `#2`, …
///
/// # Errors
/// [`ErrorKind::EmptyInput`], [`ErrorKind::InvalidUtf8`] for the header line,
/// [`ErrorKind::Csv`] when the CSV cannot be parsed, [`ErrorKind::Io`] when it cannot be read.
pub fn numeric_columns<R: Read>(
    reader: R,
    source: &str,
    options: &CsvOptions,
) -> Result<Vec<(String, bool)>> {
    let mut csv = open_csv(reader, source, options.delimiter)?;
    let csv_error = |e: csv::Error| csv_error(source, e);
    let mut records = csv.byte_records().filter(|r| {
        // Blank CRLF lines arrive as one field holding `\r`.
        !matches!(r, Ok(rec) if rec.len() == 1 && (&rec[0] == b"\r" || rec[0].is_empty()))
    });
    let Some(first) = records.next().transpose().map_err(csv_error)? else {
        return Err(ErrorKind::EmptyInput {
            source: source.into(),
        }
        .into());
    };
    let width = first.len();
    let mut verdict: Vec<Option<bool>> = vec![None; width];
    let judge = |record: &csv::ByteRecord, verdict: &mut [Option<bool>]| {
        for (j, cell) in record.iter().enumerate().take(width) {
            if verdict[j].is_none() {
                verdict[j] = match std::str::from_utf8(cell).map(parse_cell) {
                    Err(_) | Ok(Err(CellProblem::NotNumeric)) => Some(false),
                    Ok(Err(CellProblem::Missing)) => None,
                    Ok(_) => Some(true),
                };
            }
        }
    };
    let names = header_names(&first, source, options.has_header)?;
    if !options.has_header {
        judge(&first, &mut verdict);
    }
    while verdict.iter().any(Option::is_none) {
        match records.next().transpose().map_err(csv_error)? {
            Some(record) => judge(&record, &mut verdict),
            None => break,
        }
    }
    Ok(names
        .into_iter()
        .zip(verdict)
        .map(|(name, v)| (name, v.unwrap_or(false)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_and_structures() {
        assert_eq!(lookup("multivariate_normal"), Some(MultiFamily::Normal));
        assert_eq!(lookup("MVN"), Some(MultiFamily::Normal));
        assert_eq!(lookup("multivariate-gaussian"), Some(MultiFamily::Normal));
        assert_eq!(lookup("normal"), None);
        assert_eq!(Covariance::Full.parameter_count(3), 9);
        assert_eq!(Covariance::Diagonal.parameter_count(3), 6);
        assert_eq!(Covariance::Spherical.parameter_count(3), 4);
        assert_eq!(
            "Diagonal".parse::<Covariance>().unwrap(),
            Covariance::Diagonal
        );
        assert!("banded".parse::<Covariance>().is_err());
    }

    #[test]
    fn statistics_are_the_mean_and_biased_scatter() {
        let s = MultiSample::new(
            vec!["x".into(), "y".into()],
            &[vec![1.0, 2.0], vec![3.0, 1.0], vec![5.0, 6.0]],
        )
        .unwrap();
        let st = s.statistics();
        assert_eq!(st.mean.as_slice(), &[3.0, 3.0]);
        // Deviations (−2, −1), (0, −2), (2, 3).
        assert_eq!(st.scatter[(0, 0)], 8.0 / 3.0);
        assert_eq!(st.scatter[(1, 1)], 14.0 / 3.0);
        assert_eq!(st.scatter[(0, 1)], 8.0 / 3.0);
        assert_eq!(st.scatter[(1, 0)], 8.0 / 3.0);
        assert_eq!(s.column(1), vec![2.0, 1.0, 6.0]);
        assert!(MultiSample::new(vec!["x".into()], &[vec![f64::NAN]]).is_err());
        assert!(MultiSample::new(vec!["x".into()], &[vec![1.0, 2.0]]).is_err());
    }

    #[test]
    fn numeric_columns_by_first_value() {
        let text = b"\xEF\xBB\xBFid,x,note,y\r\nA1,,hello,2\r\nA2,1.5,3,NA\r\n";
        let cols = numeric_columns(&text[..], "t.csv", &CsvOptions::default()).unwrap();
        assert_eq!(
            cols,
            vec![
                ("id".to_string(), false),
                ("x".to_string(), true),
                ("note".to_string(), false),
                ("y".to_string(), true),
            ]
        );
        let opts = CsvOptions {
            has_header: false,
            ..Default::default()
        };
        let cols = numeric_columns(&b"1,a\n2,b\n"[..], "t.csv", &opts).unwrap();
        assert_eq!(
            cols,
            vec![("#1".to_string(), true), ("#2".to_string(), false)]
        );
        assert!(numeric_columns(&b""[..], "t.csv", &CsvOptions::default()).is_err());
    }
}
