//! The library's typed error.
//!
//! Every error the library can return is one [`Error`] whose [`ErrorKind`] says what went wrong
//! with the data it concerns. `Display` renders it as one short line naming the source, the
//! line, the column and the offending value where there is one, so a binary can print it as is.

use std::fmt;

use crate::numeric::format::exact;

/// Where in the input a value came from: the source (a path or `<stdin>`), the 1-based line of
/// the file, and the column's name.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// A file path, or `<stdin>`.
    pub source: String,
    /// 1-based line number in the source (counting the header line, if any).
    pub line: u64,
    /// The column's header name, or `#N` (1-based) when the input has no header.
    pub column: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: line {}, column ", self.source, self.line)?;
        // A header cell is input too: a name with a line break (or a CR-only file, whose whole
        // text is one header cell) must not split or flood the error line.
        if self.column.chars().count() <= QUOTE_LIMIT && !self.column.chars().any(char::is_control)
        {
            f.write_str(&self.column)
        } else {
            Quoted(&self.column).fmt(f)
        }
    }
}

/// Why a cell could not be used as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CellProblem {
    /// Not a number at all (`abc`, `1,5`).
    NotNumeric,
    /// Empty or a missing-value marker (`""`, `NA`).
    Missing,
    /// `NaN` written literally.
    NotANumber,
    /// `inf`, `-Infinity` written literally.
    Infinite,
    /// A finite literal too large for an f64 (`1e400`).
    Overflow,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input could not be opened or read.
    Io {
        /// The path or `<stdin>`.
        source: String,
        /// The operating system's message.
        message: String,
    },
    /// The input has no bytes (or only blank lines).
    EmptyInput {
        /// The path or `<stdin>`.
        source: String,
    },
    /// The input has a header line but no data rows.
    HeaderOnly {
        /// The path or `<stdin>`.
        source: String,
    },
    /// The requested column does not exist.
    UnknownColumn {
        /// The path or `<stdin>`.
        source: String,
        /// What the user asked for.
        requested: String,
        /// The columns the input has.
        available: Vec<String>,
    },
    /// A cell is not a usable finite number.
    BadCell {
        /// Where the cell is.
        at: Location,
        /// The cell's text.
        value: String,
        /// What is wrong with it.
        problem: CellProblem,
    },
    /// An observation weight that is negative (weights must be finite and ≥ 0).
    BadWeight {
        /// Where the cell is.
        at: Location,
        /// The weight.
        value: f64,
    },
    /// A per-row number of trials that is not an integer ≥ 1.
    BadTrials {
        /// Where the cell is.
        at: Location,
        /// The value.
        value: f64,
    },
    /// A row of censored or truncated data that says something impossible: LEFT > RIGHT, an
    /// event status that is not 0/1, a value outside the truncation window.
    BadCensoring {
        /// Where the cell is.
        at: Location,
        /// The cell's text (or the row's pair of bounds).
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Every row is censored on the same side: the likelihood has no maximum.
    AllCensored {
        /// The path or `<stdin>`.
        source: String,
        /// The column(s) that say so.
        column: String,
        /// The number of rows.
        rows: usize,
        /// `right` or `left`.
        side: String,
    },
    /// A row has a different number of fields than the first row.
    RaggedRow {
        /// The path or `<stdin>`.
        source: String,
        /// 1-based line number.
        line: u64,
        /// Fields in the first row.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A line is not valid UTF-8.
    InvalidUtf8 {
        /// The path or `<stdin>`.
        source: String,
        /// 1-based line number.
        line: u64,
    },
    /// The CSV parser failed for another reason.
    Csv {
        /// The path or `<stdin>`.
        source: String,
        /// The parser's message.
        message: String,
    },
    /// No family answers to this name.
    UnknownFamily {
        /// What the user asked for.
        name: String,
        /// The nearest registered name or alias, if any is close.
        suggestion: Option<String>,
    },
    /// A value lies outside the family's support.
    OutsideSupport {
        /// The family's name.
        family: String,
        /// The support, e.g. `(0, ∞)`.
        support: String,
        /// The first offending value.
        value: f64,
        /// Where it is, when the sample knows its origin.
        at: Option<Location>,
        /// 0-based index of the first offending value in the sample.
        index: usize,
        /// How many values are outside.
        count: usize,
    },
    /// A discrete family got a value that is not an integer.
    NotInteger {
        /// The family's name.
        family: String,
        /// The first offending value.
        value: f64,
        /// Where it is, when the sample knows its origin.
        at: Option<Location>,
        /// How many values are not integers.
        count: usize,
    },
    /// Fewer observations than the family needs.
    TooFewObservations {
        /// The family's name.
        family: String,
        /// The minimum.
        needed: usize,
        /// What the sample has.
        got: usize,
    },
    /// The maximum-likelihood estimate does not exist for these data.
    Degenerate {
        /// The family's name.
        family: String,
        /// Why, in words.
        reason: String,
    },
    /// Parameter values outside their domain.
    InvalidParameters {
        /// The family's name.
        family: String,
        /// What is wrong.
        reason: String,
    },
    /// Options that do not fit together or the data at hand.
    InvalidOption {
        /// What is wrong.
        reason: String,
    },
    /// The data are beyond what a computation can do in double precision or bounded time (a χ²
    /// test over more cells than it can hold, counts beyond 2⁵³ where consecutive integers are
    /// no longer all doubles): a data error, not a usage error.
    BeyondLimits {
        /// What is too large, in words.
        reason: String,
    },
    /// The data hold censored or truncated observations, but the family does not provide the
    /// log-CDF and log-survival functions (`Family::ln_cdf_derivs`, `Family::ln_sf_derivs`)
    /// their likelihood needs.
    CensoringUnsupported {
        /// Canonical family name.
        family: String,
    },
    /// A column is an exact linear combination of other columns, so a full covariance
    /// estimate would be singular (multivariate families).
    Collinear {
        /// The column that depends on the others.
        column: String,
        /// The columns it is a combination of.
        of: Vec<String>,
    },
}

/// The library's error: an [`ErrorKind`] with a one-line `Display`. The kind is boxed so a
/// `Result` stays one pointer wide on the success path.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: Box<ErrorKind>,
}

impl Error {
    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// True for errors in how the program was asked (unknown family, unknown column, bad option)
    /// rather than in the data or the fit.
    pub fn is_usage(&self) -> bool {
        matches!(
            *self.kind,
            ErrorKind::UnknownFamily { .. }
                | ErrorKind::UnknownColumn { .. }
                | ErrorKind::InvalidOption { .. }
        )
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn at_prefix(at: &Option<Location>) -> String {
    match at {
        Some(l) => format!("{l}: "),
        None => String::new(),
    }
}

/// Longest text an error line quotes whole; longer text is cut to [`QUOTE_KEEP`] characters.
const QUOTE_LIMIT: usize = 80;
/// Characters kept of a text that is too long to quote whole.
const QUOTE_KEEP: usize = 60;
/// Names an error line lists before it says how many more there are.
const LIST_LIMIT: usize = 10;

/// Input text quoted for an error line: escaped (a line break or a quote cannot split or
/// unbalance the line) and, beyond [`QUOTE_LIMIT`] characters, cut with its length given.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.chars().count();
        if n <= QUOTE_LIMIT {
            write!(f, "{:?}", self.0)
        } else {
            let head: String = self.0.chars().take(QUOTE_KEEP).collect();
            write!(f, "{head:?}… ({n} characters)")
        }
    }
}

/// A list of names as an error line shows it: at most [`LIST_LIMIT`] of them, each cut like
/// [`Quoted`], then how many more there are (a categorical's 10,000 levels, 2,000 columns).
pub fn bounded_list(items: &[String]) -> String {
    struct List<'a>(&'a [String]);
    impl fmt::Display for List<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_list(f, self.0)
        }
    }
    List(items).to_string()
}

/// A list of already formatted names, at most [`LIST_LIMIT`] of them (each cut like
/// [`Quoted`]), then how many more there are.
fn write_list(f: &mut fmt::Formatter<'_>, items: &[String]) -> fmt::Result {
    for (i, item) in items.iter().take(LIST_LIMIT).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        if item.chars().count() <= QUOTE_LIMIT {
            f.write_str(item)?;
        } else {
            let head: String = item.chars().take(QUOTE_KEEP).collect();
            write!(f, "{head}…")?;
        }
    }
    if items.len() > LIST_LIMIT {
        write!(f, " and {} more", items.len() - LIST_LIMIT)?;
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match &*self.kind {
            Io { source, message } => write!(f, "{source}: cannot read: {message}"),
            EmptyInput { source } => write!(f, "{source}: the input is empty"),
            HeaderOnly { source } => {
                write!(f, "{source}: the input has a header line but no data rows")
            }
            UnknownColumn { source, requested, available } => {
                write!(f, "{source}: no column {requested}; available: ")
                    .and_then(|()| write_list(f, available))
            }
            BadCell { at, value, problem } => {
                let value = Quoted(value);
                let what = match problem {
                    CellProblem::NotNumeric => format!("{value} is not a number"),
                    CellProblem::Missing => format!(
                        "missing value {value} (use --skip-missing to drop rows with missing values)"
                    ),
                    CellProblem::NotANumber => format!("{value} is NaN, which cannot be fitted"),
                    CellProblem::Infinite => {
                        format!("{value} is infinite, which cannot be fitted")
                    }
                    CellProblem::Overflow => {
                        format!("{value} overflows a 64-bit float (largest is ~1.8e308)")
                    }
                };
                write!(f, "{at}: {what}")
            }
            BadWeight { at, value } => write!(
                f,
                "{at}: weight {} is negative; weights must be finite and ≥ 0",
                exact(*value)
            ),
            BadTrials { at, value } => write!(
                f,
                "{at}: number of trials {} is not an integer ≥ 1",
                exact(*value)
            ),
            BadCensoring { at, value, reason } => write!(f, "{at}: {}: {reason}", Quoted(value)),
            AllCensored { source, column, rows, side } => write!(
                f,
                "{source}: column {column}: all {rows} rows are {side}-censored, so the likelihood increases without bound and no maximum-likelihood estimate exists"
            ),
            RaggedRow { source, line, expected, found } => write!(
                f,
                "{source}: line {line}: ragged row: {found} fields where the first row has {expected}"
            ),
            InvalidUtf8 { source, line } => {
                write!(f, "{source}: line {line}: invalid UTF-8")
            }
            Csv { source, message } => write!(f, "{source}: malformed CSV: {message}"),
            UnknownFamily { name, suggestion } => match suggestion {
                Some(s) => write!(
                    f,
                    "unknown family {name:?}; did you mean {s:?}? (`mlfit families` lists them all)"
                ),
                None => write!(f, "unknown family {name:?} (`mlfit families` lists them all)"),
            },
            OutsideSupport { family, support, value, at, count, .. } => write!(
                f,
                "{}value {} is outside the support {support} of {family} ({count} value{} outside)",
                at_prefix(at),
                exact(*value),
                if *count == 1 { "" } else { "s" }
            ),
            NotInteger { family, value, at, count } => write!(
                f,
                "{}value {} is not an integer, but {family} is a discrete family on counts ({count} non-integer value{})",
                at_prefix(at),
                exact(*value),
                if *count == 1 { "" } else { "s" }
            ),
            TooFewObservations { family, needed, got } => write!(
                f,
                "too few observations for {family}: needs at least {needed}, got {got}"
            ),
            Degenerate { family, reason } => {
                write!(f, "the {family} maximum-likelihood estimate does not exist: {reason}")
            }
            InvalidParameters { family, reason } => {
                write!(f, "invalid {family} parameters: {reason}")
            }
            InvalidOption { reason } => write!(f, "{reason}"),
            BeyondLimits { reason } => write!(f, "{reason}"),
            CensoringUnsupported { family } => write!(
                f,
                "{family} cannot fit censored or truncated observations: it does not provide the log-CDF and log-survival functions they need"
            ),
            Collinear { column, of } => write!(
                f,
                "column {column} is a linear combination of {}: the covariance is singular (drop one of these columns, or use --covariance diagonal)",
                of.join(", ")
            ),
        }
    }
}

impl std::error::Error for Error {}
