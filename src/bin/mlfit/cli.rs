//! Command-line arguments (clap derive only; the work is in `cmd/`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  mlfit fit data/dc_voltage.csv --family normal
  mlfit fit data/latency.csv -c latency_ms -f gamma --format json
  cat data/counts.csv | mlfit fit - -f negative_binomial --format json
  mlfit fit data/wind_speed.csv -f gamma,weibull,lognormal
  mlfit families

Exit codes: 0 success; 1 data or fit error (including a fit that did not converge);
2 usage error (bad option, unknown family or column).";

/// Fit probability distributions to data by maximum likelihood (minimum cross entropy).
#[derive(Debug, Parser)]
#[command(name = "mlfit", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fit one or more families to a CSV column.
    Fit(Box<FitArgs>),
    /// List the families (or describe one).
    Families(FamiliesArgs),
    /// Rank families by cross entropy (held out and in sample) against the data's entropy.
    Compare(CompareArgs),
    /// Cross entropy of new data under a saved model (the held-out check).
    Eval(EvalArgs),
    /// Draw samples from a saved model as CSV.
    Sample(SampleArgs),
}

const FIT_EXAMPLES: &str = "\
Examples:
  mlfit fit data/dc_voltage.csv --family normal
  mlfit fit data/latency.csv -c latency_ms -f gamma --format json
  cat data/counts.csv | mlfit fit -f nbinom --format json | jq .params
  mlfit fit data/wind_speed.csv -f gamma,weibull,lognormal --format csv
  mlfit fit data/wind_speed.csv -f weibull --fix shape=2
  mlfit fit data/trials.csv -f binomial --trials 20
  mlfit fit data/faithful.csv -c eruptions -f normal_mixture --components auto
  mlfit fit data/lung.csv -c time --event dead -f weibull --quantile 0.1
  mlfit fit data/salinity.csv --interval left,right -f lognormal,weibull

Missing values are empty cells and NA; they are an error unless --skip-missing.
A fit that did not converge exits 1 unless --allow-nonconverged.";

/// Arguments of `mlfit fit`.
#[derive(Debug, Args)]
#[command(after_help = FIT_EXAMPLES)]
pub struct FitArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Family to fit, or a comma-separated list (`mlfit families` lists the names).
    #[arg(short, long, value_delimiter = ',', required = true)]
    pub family: Vec<String>,

    /// Seed of every random choice (bootstrap resamples, mixture starts): the same seed gives
    /// the same output, whatever the number of threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    #[command(flatten)]
    pub uncertainty: UncertaintyArgs,

    /// Hold a parameter fixed: NAME=VALUE (repeatable), e.g. --fix shape=2.
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_fix)]
    pub fix: Vec<(String, f64)>,

    /// Number of trials of a binomial or beta_binomial: a number N (same as --fix size=N) or a
    /// column holding each row's number of trials.
    #[arg(long, value_name = "N|COLUMN")]
    pub trials: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Optimisation method.
    #[arg(short, long, value_enum, default_value_t = MethodArg::Newton)]
    pub method: MethodArg,

    /// Convergence tolerance on the mean score (max-abs, scale-free coordinates).
    #[arg(long, default_value_t = mlfit::fit::DEFAULT_GTOL, value_parser = parse_tolerance)]
    pub tol: f64,

    /// Iteration cap (default: 200 newton, 2000 lbfgs, 20000 gradient-descent).
    #[arg(long)]
    pub max_iter: Option<usize>,

    /// Print fits that did not converge (with "converged": false) and exit 0.
    #[arg(long)]
    pub allow_nonconverged: bool,

    /// Also write the fitted model (one family) to this JSON file, for `mlfit eval` and
    /// `mlfit sample`.
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,

    /// Number of components of a mixture family (-f normal_mixture, lognormal_mixture,
    /// poisson_mixture): K, `auto` (each K in 1..6, chosen by BIC) or a range A..B [default: 2].
    #[arg(long, value_name = "K|auto|A..B", value_parser = parse_components)]
    pub components: Option<mlfit::mixture::Components>,

    /// Number of seeded starts of a mixture fit (a quantile split, then k-means++ seedings);
    /// the best certified fit is kept [default: 10].
    #[arg(long, value_name = "N")]
    pub starts: Option<usize>,

    /// Covariance structure of a multivariate family (-f multivariate_normal), which fits the
    /// columns of -c x,y,z (names or 1-based indices; default: every numeric column) jointly
    /// [default: full].
    #[arg(long, value_enum)]
    pub covariance: Option<CovarianceArg>,

    /// Censored data in two columns (fitdistrplus): per row, LEFT = RIGHT is an exact value,
    /// LEFT < RIGHT an interval, an empty or NA LEFT left-censored (value ≤ RIGHT), an empty or
    /// NA RIGHT right-censored (value > LEFT).
    #[arg(long, value_name = "LEFT,RIGHT", value_parser = parse_column_pair,
          conflicts_with = "event", help_heading = "Censored and truncated data")]
    pub interval: Option<(String, String)>,

    /// Survival data: -c TIME holds the times and this column the status, 1/true/yes for an
    /// observed failure (exact) and 0/false/no for a unit still running (right-censored).
    #[arg(
        long,
        value_name = "STATUS",
        help_heading = "Censored and truncated data"
    )]
    pub event: Option<String>,

    /// The data could only have been observed inside LOW,HIGH (either end may be empty): each
    /// row's likelihood is divided by the probability of the window.
    #[arg(long, value_name = "LOW,HIGH", value_parser = parse_window, allow_hyphen_values = true,
          help_heading = "Censored and truncated data")]
    pub truncate: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CovarianceArg {
    /// Any symmetric positive definite matrix (d(d+1)/2 entries).
    Full,
    /// Independent columns (d variances).
    Diagonal,
    /// One common variance (σ²I).
    Spherical,
}

impl From<CovarianceArg> for mlfit::multivariate::Covariance {
    fn from(c: CovarianceArg) -> Self {
        match c {
            CovarianceArg::Full => mlfit::multivariate::Covariance::Full,
            CovarianceArg::Diagonal => mlfit::multivariate::Covariance::Diagonal,
            CovarianceArg::Spherical => mlfit::multivariate::Covariance::Spherical,
        }
    }
}

/// Where the data come from: shared by `fit` and `eval`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// CSV file to read; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,

    /// Column by header name or 1-based index (default: the first column).
    #[arg(short, long)]
    pub column: Option<String>,

    /// The input has no header line; columns are then #1, #2, …
    #[arg(long)]
    pub no_header: bool,

    /// Field delimiter: one character, or `tab`.
    #[arg(short, long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,

    /// Drop rows whose cell is empty or NA (the count is reported on stderr).
    #[arg(long)]
    pub skip_missing: bool,

    /// Column of non-negative observation weights (frequency or importance weights).
    #[arg(short, long, value_name = "COLUMN")]
    pub weights: Option<String>,
}

const EVAL_EXAMPLES: &str = "\
Examples:
  mlfit fit data/wind_speed.csv -f weibull --save wind.json
  mlfit eval wind.json new_speeds.csv
  mlfit eval wind.json new_speeds.csv --per-row > loglik.csv";

/// Arguments of `mlfit eval`.
#[derive(Debug, Args)]
#[command(after_help = EVAL_EXAMPLES)]
pub struct EvalArgs {
    /// A model saved by `mlfit fit --save` (or the output of `fit --format json`).
    pub model: PathBuf,

    #[command(flatten)]
    pub input: InputArgs,

    /// Number of trials per row (a column), for a binomial-type model.
    #[arg(long, value_name = "COLUMN")]
    pub trials: Option<String>,

    /// Write each row's log-likelihood as CSV (line, value, log_likelihood) instead of the summary.
    #[arg(long)]
    pub per_row: bool,

    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

const COMPARE_EXAMPLES: &str = "\
Examples:
  mlfit compare data/wind_speed.csv
  mlfit compare data/latency.csv -f gamma,weibull,lognormal --folds 10 --seed 3
  mlfit compare data/counts.csv --format json";

/// Arguments of `mlfit compare`.
#[derive(Debug, Args)]
#[command(after_help = COMPARE_EXAMPLES)]
pub struct CompareArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Families to compare (comma list); default: every family whose support holds the data
    /// (discrete families for integer data, continuous ones otherwise).
    #[arg(short, long, value_delimiter = ',')]
    pub family: Vec<String>,

    /// Cross-validation folds for the held-out cross entropy.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,

    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Ranking key.
    #[arg(long, value_enum, default_value_t = SortArg::Heldout)]
    pub sort: SortArg,

    /// Number of trials for binomial-type families: a number or a column.
    #[arg(long, value_name = "N|COLUMN")]
    pub trials: Option<String>,

    /// Optimisation method.
    #[arg(short, long, value_enum, default_value_t = MethodArg::Newton)]
    pub method: MethodArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Heldout,
    #[value(alias = "cross_entropy")]
    CrossEntropy,
    Aic,
    Bic,
}

impl From<SortArg> for mlfit::compare::SortKey {
    fn from(s: SortArg) -> Self {
        match s {
            SortArg::Heldout => mlfit::compare::SortKey::Heldout,
            SortArg::CrossEntropy => mlfit::compare::SortKey::CrossEntropy,
            SortArg::Aic => mlfit::compare::SortKey::Aic,
            SortArg::Bic => mlfit::compare::SortKey::Bic,
        }
    }
}

/// Arguments of `mlfit sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// A model saved by `mlfit fit --save`.
    pub model: PathBuf,

    /// Number of draws.
    #[arg(short = 'n', long, value_name = "N")]
    pub n: usize,

    /// Seed of the random generator (the same seed gives the same draws).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Column name (default: the family's name).
    #[arg(long)]
    pub name: Option<String>,
}

/// Standard errors, intervals, bootstrap, misspecification and goodness of fit (`mlfit fit`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Uncertainty")]
pub struct UncertaintyArgs {
    /// Standard errors to report: observed information, expected (Fisher) information, the
    /// sandwich (robust to a misspecified family), or all three with White's
    /// information-matrix test. Implied `all` in JSON when any other uncertainty option is on.
    #[arg(long, value_enum, value_name = "KIND")]
    pub se: Option<SeArg>,

    /// Confidence intervals at this level, e.g. 0.95.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub ci: Option<f64>,

    /// How to compute the intervals: wald (log/logit scale for positive/(0,1) parameters, so
    /// never crossing a bound), wald-natural (θ̂ ± z·se), profile likelihood, bootstrap
    /// percentile or bca (both need --bootstrap).
    #[arg(long, value_enum, default_value_t = CiMethodArg::Wald, requires = "ci")]
    pub ci_method: CiMethodArg,

    /// Bootstrap replicates (each one a refit), run in parallel.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub bootstrap: Option<u32>,

    /// Resample rows (nonparametric) or draw from the fitted model (parametric).
    #[arg(long, value_enum, default_value_t = BootstrapTypeArg::Nonparametric, requires = "bootstrap")]
    pub bootstrap_type: BootstrapTypeArg,

    /// Goodness of fit (KS, Cramér–von Mises, Anderson–Darling; χ² for counts) with p-values
    /// from N parametric-bootstrap refits.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(19..))]
    pub gof_bootstrap: Option<u32>,

    /// A quantile of the fitted model to report with its standard error (repeatable or
    /// comma-separated), e.g. --quantile 0.05 for a 5% hazard concentration.
    #[arg(long, value_name = "P", value_delimiter = ',', value_parser = parse_probability)]
    pub quantile: Vec<f64>,

    /// Also report the fitted model's mean and variance with standard errors.
    #[arg(long)]
    pub moments: bool,
}

/// `--se`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeArg {
    Observed,
    Expected,
    Sandwich,
    All,
}

/// `--ci-method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiMethodArg {
    Wald,
    WaldNatural,
    Profile,
    Bootstrap,
    Bca,
}

/// `--bootstrap-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BootstrapTypeArg {
    Nonparametric,
    Parametric,
}

/// Arguments of `mlfit families`.
#[derive(Debug, Args)]
pub struct FamiliesArgs {
    /// Describe this family only.
    pub name: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl From<Format> for mlfit::report::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Table => mlfit::report::Format::Table,
            Format::Json => mlfit::report::Format::Json,
            Format::Csv => mlfit::report::Format::Csv,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Damped Newton with the analytic Hessian (default; quadratic convergence).
    Newton,
    /// Limited-memory BFGS (gradients only).
    Lbfgs,
    /// Steepest descent with Armijo backtracking (the slow reference method).
    GradientDescent,
}

impl From<MethodArg> for mlfit::optim::Method {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Newton => mlfit::optim::Method::Newton,
            MethodArg::Lbfgs => mlfit::optim::Method::Lbfgs,
            MethodArg::GradientDescent => mlfit::optim::Method::GradientDescent,
        }
    }
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "the delimiter must be one ASCII character or `tab`, not {s:?}"
        )),
    }
}

fn parse_fix(s: &str) -> Result<(String, f64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))?;
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a number (in {s:?})"))?;
    if !v.is_finite() {
        return Err(format!("{value:?} is not a finite number (in {s:?})"));
    }
    Ok((name.trim().to_string(), v))
}

/// `LEFT,RIGHT`: two column names or 1-based indices.
fn parse_column_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once(',') {
        Some((l, r)) if !l.trim().is_empty() && !r.trim().is_empty() && !r.contains(',') => {
            Ok((l.trim().to_string(), r.trim().to_string()))
        }
        _ => Err(format!("expected two columns LEFT,RIGHT, got {s:?}")),
    }
}

/// `LOW,HIGH`: numbers, either of them empty for an open end (−∞, +∞), LOW < HIGH.
fn parse_window(s: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = s
        .split_once(',')
        .ok_or_else(|| format!("expected LOW,HIGH (either may be empty), got {s:?}"))?;
    let end = |t: &str, open: f64| -> Result<f64, String> {
        let t = t.trim();
        if t.is_empty() {
            return Ok(open);
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("{t:?} is not a finite number (in {s:?})")),
        }
    };
    let (lo, hi) = (end(lo, f64::NEG_INFINITY)?, end(hi, f64::INFINITY)?);
    if lo >= hi {
        return Err(format!("the window {s:?} is empty: LOW must be below HIGH"));
    }
    Ok((lo, hi))
}

fn parse_components(s: &str) -> Result<mlfit::mixture::Components, String> {
    s.parse()
}

fn parse_tolerance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "the tolerance must be a positive number, not {s:?}"
        )),
    }
}

fn parse_level(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!(
            "the confidence level must be strictly between 0 and 1 (e.g. 0.95), not {s:?}"
        )),
    }
}

fn parse_probability(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!(
            "a quantile's probability must be strictly between 0 and 1, not {s:?}"
        )),
    }
}
