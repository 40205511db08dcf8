//! Reading censored and truncated observations from CSV, in the two conventions users bring:
//!
//! - **interval** (R's fitdistrplus): two columns LEFT, RIGHT per row. LEFT = RIGHT is an exact
//!   value; LEFT < RIGHT an interval (LEFT, RIGHT]; an empty or `NA` LEFT means left-censored
//!   (value ≤ RIGHT); an empty or `NA` RIGHT means right-censored (value > LEFT).
//! - **event** (R's survival): a TIME column and a STATUS column, 1/true/yes for an observed
//!   failure (an exact value) and 0/false/no for a unit still running at TIME (right-censored).
//!
//! and a truncation window [LOW, HIGH] (either end open) that every row must lie in.
//!
//! Every problem is one [`Error`] naming the source, the line, the column and the cell, as for
//! exact data ([`super::csv`]); so is a sample whose rows are all censored on the same side
//! (no maximum-likelihood estimate exists for it).

use std::io::Read;

use super::csv::{
    next_record, open_columns, parse_cell, record_line, ColumnSelector, CsvOptions, Opened,
};
use super::{Kind, Origin, Sample};
use crate::error::{CellProblem, Error, ErrorKind, Location, Result};

/// Which columns say what each row observed.
#[derive(Debug, Clone, PartialEq)]
pub enum Convention {
    /// Two bounds per row (fitdistrplus): an empty or `NA` bound is an open end.
    Interval {
        /// The lower bound's column.
        left: ColumnSelector,
        /// The upper bound's column.
        right: ColumnSelector,
    },
    /// A time and an event status per row (survival): status 0 is right-censored at the time.
    Event {
        /// The time's column.
        time: ColumnSelector,
        /// The status column: 1/true/yes (event) or 0/false/no (censored).
        status: ColumnSelector,
    },
}

/// What to read: the convention, an optional weight column and an optional truncation window.
#[derive(Debug, Clone, PartialEq)]
pub struct CensoredSpec {
    /// The columns of the rows' observations.
    pub convention: Convention,
    /// A column of non-negative observation weights.
    pub weights: Option<ColumnSelector>,
}

/// The rows read by [`read_censored`]: the sample and the names of the columns it came from.
#[derive(Debug, Clone)]
pub struct CensoredTable {
    /// The observations (censoring bounds, weights, origin).
    pub sample: Sample,
    /// The selected columns' names: the two observation columns, then the weights'.
    pub names: Vec<String>,
    /// Rows dropped because a needed cell was missing (with `skip_missing`).
    pub skipped_missing: usize,
}

/// Read censored observations from CSV.
///
/// # Errors
/// The errors of [`super::csv::read_columns`]; [`ErrorKind::BadCensoring`] for LEFT > RIGHT,
/// both bounds missing, or a status that is not 0/1; [`ErrorKind::AllCensored`] when every row
/// is censored on the same side.
pub fn read_censored<R: Read>(
    reader: R,
    source: &str,
    spec: &CensoredSpec,
    options: &CsvOptions,
) -> Result<CensoredTable> {
    let (a, b) = match &spec.convention {
        Convention::Interval { left, right } => (left, right),
        Convention::Event { time, status } => (time, status),
    };
    let mut selectors = vec![a, b];
    selectors.extend(spec.weights.as_ref());
    let Opened {
        mut csv,
        mut record,
        header,
        indices,
    } = open_columns(reader, source, selectors.into_iter(), options)?;
    let mut rows = Rows {
        source,
        header: &header,
        indices: &indices,
        event: matches!(spec.convention, Convention::Event { .. }),
        skip_missing: options.skip_missing,
        width: record.len(),
        lower: Vec::new(),
        upper: Vec::new(),
        weights: Vec::new(),
        lines: Vec::new(),
        skipped: 0,
        seen: 0,
    };
    if !options.has_header {
        rows.push(&record)?;
    }
    while next_record(&mut csv, &mut record, source)? {
        rows.push(&record)?;
    }
    rows.finish()
}

/// The data rows of [`read_censored`], parsed one record at a time.
struct Rows<'a> {
    source: &'a str,
    header: &'a [String],
    /// Field index of the two observation columns and the weights'.
    indices: &'a [usize],
    /// The event convention (else the interval one).
    event: bool,
    skip_missing: bool,
    /// Fields per record (the first record's).
    width: usize,
    lower: Vec<f64>,
    upper: Vec<f64>,
    weights: Vec<f64>,
    lines: Vec<u64>,
    skipped: usize,
    seen: usize,
}

impl Rows<'_> {
    fn at(&self, line: u64, slot: usize) -> Location {
        Location {
            source: self.source.into(),
            line,
            column: self.header[self.indices[slot]].clone(),
        }
    }

    fn bad(&self, line: u64, slot: usize, value: String, reason: &str) -> Error {
        ErrorKind::BadCensoring {
            at: self.at(line, slot),
            value,
            reason: reason.into(),
        }
        .into()
    }

    /// The trimmed text of each selected cell.
    fn text<'r>(&self, record: &'r csv::ByteRecord, line: u64) -> Result<Vec<&'r str>> {
        self.indices
            .iter()
            .map(|&c| {
                std::str::from_utf8(&record[c]).map(str::trim).map_err(|_| {
                    ErrorKind::InvalidUtf8 {
                        source: self.source.into(),
                        line,
                    }
                    .into()
                })
            })
            .collect()
    }

    /// A number, or `None` for a missing cell.
    fn number(&self, text: &str, line: u64, slot: usize) -> Result<Option<f64>> {
        match parse_cell(text) {
            Ok(v) => Ok(Some(v)),
            Err(CellProblem::Missing) => Ok(None),
            Err(problem) => Err(ErrorKind::BadCell {
                at: self.at(line, slot),
                value: text.into(),
                problem,
            }
            .into()),
        }
    }

    /// Parse `record` into bounds (or count it as missing).
    fn push(&mut self, record: &csv::ByteRecord) -> Result<()> {
        let line = record_line(record, self.source, self.width)?;
        self.seen += 1;
        let cells = self.text(record, line)?;
        let missing = |slot: usize| -> Error {
            ErrorKind::BadCell {
                at: self.at(line, slot),
                value: cells[slot].into(),
                problem: CellProblem::Missing,
            }
            .into()
        };
        let bounds = if self.event {
            let time = self.number(cells[0], line, 0)?;
            let status = match cells[1].to_ascii_lowercase().as_str() {
                "" | "na" => None,
                "1" | "1.0" | "true" | "yes" => Some(true),
                "0" | "0.0" | "false" | "no" => Some(false),
                _ => {
                    return Err(self.bad(
                        line,
                        1,
                        cells[1].into(),
                        "an event status must be 1/true/yes (event) or 0/false/no (censored)",
                    ))
                }
            };
            match (time, status) {
                (Some(t), Some(true)) => Some((t, t)),
                (Some(t), Some(false)) => Some((t, f64::INFINITY)),
                (None, _) if !self.skip_missing => return Err(missing(0)),
                (_, None) if !self.skip_missing => return Err(missing(1)),
                _ => None,
            }
        } else {
            let left = self.number(cells[0], line, 0)?;
            let right = self.number(cells[1], line, 1)?;
            match (left, right) {
                (Some(l), Some(r)) if l > r => {
                    return Err(self.bad(
                        line,
                        0,
                        format!("{},{}", cells[0], cells[1]),
                        "LEFT is greater than RIGHT, so the interval is empty",
                    ))
                }
                (Some(l), Some(r)) => Some((l, r)),
                (None, Some(r)) => Some((f64::NEG_INFINITY, r)),
                (Some(l), None) => Some((l, f64::INFINITY)),
                (None, None) if !self.skip_missing => {
                    return Err(self.bad(
                        line,
                        0,
                        format!("{},{}", cells[0], cells[1]),
                        "both bounds are missing, so the row says nothing \
                         (use --skip-missing to drop such rows)",
                    ))
                }
                (None, None) => None,
            }
        };
        let weight = match cells.get(2) {
            None => Some(1.0),
            Some(w) => match self.number(w, line, 2)? {
                Some(w) if w < 0.0 => {
                    return Err(ErrorKind::BadWeight {
                        at: self.at(line, 2),
                        value: w,
                    }
                    .into())
                }
                None if !self.skip_missing => return Err(missing(2)),
                w => w,
            },
        };
        match (bounds, weight) {
            (Some((l, u)), Some(w)) => {
                self.lower.push(l);
                self.upper.push(u);
                self.weights.push(w);
                self.lines.push(line);
            }
            _ => self.skipped += 1,
        }
        Ok(())
    }

    /// The sample, after the checks that need every row.
    fn finish(self) -> Result<CensoredTable> {
        if self.seen == 0 {
            return Err(ErrorKind::HeaderOnly {
                source: self.source.into(),
            }
            .into());
        }
        let names: Vec<String> = self
            .indices
            .iter()
            .map(|&i| self.header[i].clone())
            .collect();
        if self.lower.is_empty() {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{}: no rows left after dropping {} rows with missing values",
                    self.source, self.skipped
                ),
            }
            .into());
        }
        let used = || (0..self.lower.len()).filter(|&i| self.weights[i] > 0.0);
        for (side, open) in [("right", &self.upper), ("left", &self.lower)] {
            if used().all(|i| open[i].is_infinite()) {
                return Err(ErrorKind::AllCensored {
                    source: self.source.into(),
                    column: if self.event {
                        names[1].clone()
                    } else {
                        format!("{},{}", names[0], names[1])
                    },
                    rows: used().count(),
                    side: side.into(),
                }
                .into());
            }
        }
        let weighted = self.indices.len() > 2;
        let mut sample = Sample::censored(self.lower, self.upper)?.with_origin(Origin {
            source: self.source.into(),
            column: names[0].clone(),
            lines: self.lines,
        });
        if weighted {
            sample = sample.with_weights(self.weights)?;
        }
        Ok(CensoredTable {
            sample,
            names,
            skipped_missing: self.skipped,
        })
    }
}

/// Attach a truncation window [low, high] (±∞ for an open end) to every row of `sample`.
///
/// # Errors
/// [`ErrorKind::InvalidOption`] when low ≥ high; [`ErrorKind::BadCensoring`] naming the first
/// row whose value (or censoring interval) lies outside the window.
pub fn truncate(sample: Sample, low: f64, high: f64) -> Result<Sample> {
    if !(low < high) {
        return Err(ErrorKind::InvalidOption {
            reason: format!(
                "--truncate {low},{high}: the window is empty (LOW must be below HIGH)"
            ),
        }
        .into());
    }
    let n = sample.len();
    let bounds = |i: usize| match sample.columns().censoring() {
        Some(c) => (c.lower()[i], c.upper()[i]),
        None => (sample.values()[i], sample.values()[i]),
    };
    let outside = |i: usize| {
        let (l, u) = bounds(i);
        if l == u {
            l < low || l > high
        } else {
            u <= low || l >= high
        }
    };
    if let Some(i) = (0..n).find(|&i| outside(i)) {
        let (l, u) = bounds(i);
        let kind = sample.columns().kind(i);
        let value = match kind {
            Kind::Exact => format!("{l}"),
            _ => format!("({l}, {u}]"),
        };
        let reason = format!(
            "{} outside the truncation window [{low}, {high}], where no row can have been observed",
            if kind == Kind::Exact {
                "the value lies"
            } else {
                "the censoring interval lies"
            }
        );
        return Err(match sample.location(i) {
            Some(at) => ErrorKind::BadCensoring { at, value, reason },
            None => ErrorKind::InvalidOption {
                reason: format!("row {}: {value}: {reason}", i + 1),
            },
        }
        .into());
    }
    sample.with_truncation(vec![low; n], vec![high; n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(text: &str) -> Result<CensoredTable> {
        let spec = CensoredSpec {
            convention: Convention::Interval {
                left: ColumnSelector::Name("l".into()),
                right: ColumnSelector::Name("r".into()),
            },
            weights: None,
        };
        read_censored(text.as_bytes(), "t.csv", &spec, &CsvOptions::default())
    }

    fn event(text: &str) -> Result<CensoredTable> {
        let spec = CensoredSpec {
            convention: Convention::Event {
                time: ColumnSelector::Name("t".into()),
                status: ColumnSelector::Name("s".into()),
            },
            weights: Some(ColumnSelector::Name("w".into())),
        };
        read_censored(text.as_bytes(), "t.csv", &spec, &CsvOptions::default())
    }

    #[test]
    fn interval_rows_have_their_kinds() {
        let t = interval("l,r\n1,1\n2,3\nNA,0.5\n4,\n").unwrap();
        let c = t.sample.columns().censoring().unwrap();
        let inf = f64::INFINITY;
        assert_eq!(c.lower(), &[1.0, 2.0, -inf, 4.0]);
        assert_eq!(c.upper(), &[1.0, 3.0, 0.5, inf]);
        let k = t.sample.kind_counts();
        assert_eq!((k.exact, k.interval, k.left, k.right), (1, 1, 1, 1));
        assert_eq!(t.sample.location(3).unwrap().line, 5);
    }

    #[test]
    fn event_rows_are_exact_or_right_censored() {
        let t = event("t,s,w\n5,1,1\n7,no,2\n3,TRUE,1\n").unwrap();
        let c = t.sample.columns().censoring().unwrap();
        assert_eq!(c.upper(), &[5.0, f64::INFINITY, 3.0]);
        assert_eq!(t.sample.weights().unwrap(), &[1.0, 2.0, 1.0]);
    }

    #[test]
    fn bad_rows_name_line_column_and_value() {
        let e = interval("l,r\n1,1\n3,2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 3, column l: \"3,2\": LEFT is greater than RIGHT, so the interval is empty"
        );
        let e = event("t,s,w\n5,1,1\n7,2,1\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv: line 3, column s: \"2\": an event status must be"),
            "{e}"
        );
        let e = event("t,s,w\n5,0,1\n7,0,1\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv: column s: all 2 rows are right-censored"),
            "{e}"
        );
        let e = interval("l,r\nNA,1\n,2\n").unwrap_err();
        assert!(
            e.to_string().contains("all 2 rows are left-censored"),
            "{e}"
        );
        let e = interval("l,r\n1,x\n").unwrap_err();
        assert!(e.to_string().contains("line 2, column r"), "{e}");
    }

    #[test]
    fn truncation_checks_every_row() {
        let t = interval("l,r\n1,1\n2,3\n,0.5\n").unwrap();
        let s = truncate(t.sample.clone(), 0.0, 10.0).unwrap();
        assert_eq!(s.kind_counts().truncated, 3);
        let e = truncate(t.sample.clone(), 1.5, f64::INFINITY).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 2, column l: \"1\": the value lies outside the truncation window \
             [1.5, inf], where no row can have been observed"
        );
        assert!(truncate(t.sample, 2.0, 1.0).is_err());
    }
}
