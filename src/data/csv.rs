//! Reading columns of numbers from CSV (a file or any `Read`, e.g. stdin).
//!
//! Streams records with the `csv` crate (quoted fields, CRLF, a missing final newline), strips a
//! UTF-8 byte-order mark, and turns every problem into an [`Error`] that names the source, the
//! line, the column and the cell: ragged rows, invalid UTF-8, non-numeric cells, missing values
//! (dropped with `skip_missing`, counted), NaN, infinities and overflow.
//!
//! Missing values are empty cells (after trimming spaces) and the marker `NA`.

use std::io::{BufRead, BufReader, Read};

use super::{Origin, Sample};
use crate::error::{CellProblem, Error, ErrorKind, Location, Result};

/// How to read the input.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// The first line is a header (default true).
    pub has_header: bool,
    /// Field delimiter (default `,`).
    pub delimiter: u8,
    /// Drop rows with a missing value in a selected column instead of failing.
    pub skip_missing: bool,
    /// Read the first selected column as labels (any strings) instead of numbers: each
    /// distinct label becomes a level, coded 0, 1, … in sorted order (numeric order when every
    /// label is a number). Other selected columns (weights) stay numeric.
    pub labels: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            delimiter: b',',
            skip_missing: false,
            labels: false,
        }
    }
}

/// Which column to read.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnSelector {
    /// The first column.
    First,
    /// By header name, or, when no header has that name and it is a positive integer, by
    /// 1-based index.
    Name(String),
}

impl ColumnSelector {
    /// From a command-line value: `None` means the first column.
    pub fn from_arg(arg: Option<&str>) -> ColumnSelector {
        match arg {
            None => ColumnSelector::First,
            Some(s) => ColumnSelector::Name(s.to_string()),
        }
    }
}

/// Numeric columns read from a CSV input.
#[derive(Debug, Clone)]
pub struct Table {
    /// The path or `<stdin>`.
    pub source: String,
    /// The selected columns' names (header names, or `#N` without a header).
    pub names: Vec<String>,
    /// One vector per selected column, all of the same length.
    pub columns: Vec<Vec<f64>>,
    /// For each kept row, its 1-based line number in the source.
    pub lines: Vec<u64>,
    /// Rows dropped because of a missing value (with `skip_missing`).
    pub skipped_missing: usize,
    /// For columns read as labels, the level names indexed by code.
    pub levels: Vec<Option<Vec<String>>>,
}

impl Table {
    /// The `i`-th selected column as a [`Sample`] that remembers its origin.
    ///
    /// # Errors
    /// [`ErrorKind::HeaderOnly`] / [`ErrorKind::EmptyInput`] when no rows are left after
    /// dropping missing values.
    pub fn sample(&self, i: usize) -> Result<Sample> {
        if self.columns[i].is_empty() {
            return Err(ErrorKind::InvalidOption {
                reason: format!(
                    "{}: no rows left after dropping {} row{} with missing values",
                    self.source,
                    self.skipped_missing,
                    if self.skipped_missing == 1 { "" } else { "s" }
                ),
            }
            .into());
        }
        let sample = Sample::new(self.columns[i].clone())?.with_origin(Origin {
            source: self.source.clone(),
            column: self.names[i].clone(),
            lines: self.lines.clone(),
        });
        match &self.levels[i] {
            Some(levels) => sample.with_levels(levels.clone()),
            None => Ok(sample),
        }
    }
}

impl Table {
    /// Attach column `trials` of this table to `sample` as its per-row number of trials.
    ///
    /// # Errors
    /// [`ErrorKind::BadTrials`] naming the first value that is not an integer ≥ 1.
    pub fn with_trials(&self, sample: Sample, trials: usize) -> Result<Sample> {
        let t = &self.columns[trials];
        if let Some(i) = t.iter().position(|v| !(*v >= 1.0 && v.fract() == 0.0)) {
            return Err(ErrorKind::BadTrials {
                at: Location {
                    source: self.source.clone(),
                    line: self.lines[i],
                    column: self.names[trials].clone(),
                },
                value: t[i],
            }
            .into());
        }
        sample.with_trials(t.clone())
    }

    /// Column `value` as a [`Sample`] weighted by column `weight`.
    ///
    /// # Errors
    /// [`ErrorKind::BadWeight`] naming the first negative weight's line; as [`Table::sample`].
    pub fn weighted_sample(&self, value: usize, weight: usize) -> Result<Sample> {
        let w = &self.columns[weight];
        if let Some(i) = w.iter().position(|v| *v < 0.0) {
            return Err(ErrorKind::BadWeight {
                at: Location {
                    source: self.source.clone(),
                    line: self.lines[i],
                    column: self.names[weight].clone(),
                },
                value: w[i],
            }
            .into());
        }
        self.sample(value)?.with_weights(w.clone())
    }
}

/// A CSV record reader set up the one way mlfit reads CSV (shared by the multivariate
/// reader): a UTF-8 byte-order mark stripped, records of any width (the caller reports ragged
/// rows with their line), records ended at `\n`, no header handling (the caller reads the first
/// record itself).
///
/// # Errors
/// [`ErrorKind::Io`] when the input cannot be read.
pub(crate) fn open_csv<R: Read>(
    reader: R,
    source: &str,
    delimiter: u8,
) -> Result<csv::Reader<BufReader<R>>> {
    let mut buffered = BufReader::with_capacity(1 << 16, reader);
    strip_bom(&mut buffered, source)?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // With the default CRLF terminator csv 1.4 misnumbers the lines after a `\r\n`; ending
        // records at `\n` keeps line numbers exact, and the stray `\r` is trimmed by the reader.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(buffered))
}

/// A `csv` error as an [`Error`] naming the source: I/O problems as [`ErrorKind::Io`], the rest
/// as [`ErrorKind::Csv`].
pub(crate) fn csv_error(source: &str, e: csv::Error) -> Error {
    match e.kind() {
        csv::ErrorKind::Io(io) => ErrorKind::Io {
            source: source.into(),
            message: io.to_string(),
        }
        .into(),
        _ => ErrorKind::Csv {
            source: source.into(),
            message: e.to_string(),
        }
        .into(),
    }
}

/// The column names: the first record's trimmed fields with a header, `#1`, `#2`, … without.
///
/// # Errors
/// [`ErrorKind::InvalidUtf8`] for a header that is not UTF-8.
pub(crate) fn header_names(
    first: &csv::ByteRecord,
    source: &str,
    has_header: bool,
) -> Result<Vec<String>> {
    if !has_header {
        return Ok((1..=first.len()).map(|i| format!("#{i}")).collect());
    }
    let line = first.position().map_or(1, |p| p.line());
    first
        .iter()
        .map(|f| {
            std::str::from_utf8(f)
                .map(|s| s.trim().to_string())
                .map_err(|_| {
                    Error::from(ErrorKind::InvalidUtf8 {
                        source: source.into(),
                        line,
                    })
                })
        })
        .collect()
}

/// The next record into `record`, skipping blank CRLF lines (one field holding `\r`, the
/// counterpart of the blank LF lines `csv` skips itself); false at the end of the input.
pub(super) fn next_record<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    source: &str,
) -> Result<bool> {
    loop {
        if !csv
            .read_byte_record(record)
            .map_err(|e| csv_error(source, e))?
        {
            return Ok(false);
        }
        if !(record.len() == 1 && &record[0] == b"\r") {
            return Ok(true);
        }
    }
}

/// A CSV input opened for reading some of its columns: the reader after the first record,
/// that record (the header, or the first data row without one), the column names, and the
/// indices of the selected columns.
pub(crate) struct Opened<R> {
    pub(crate) csv: csv::Reader<std::io::BufReader<R>>,
    pub(crate) record: csv::ByteRecord,
    pub(crate) header: Vec<String>,
    pub(crate) indices: Vec<usize>,
}

/// Open `reader` and resolve `columns` against its header: the set-up every column reader
/// shares.
///
/// # Errors
/// [`ErrorKind::EmptyInput`] for an input without a record, and the errors of the header and
/// of resolving a column.
pub(crate) fn open_columns<'c, R: Read>(
    reader: R,
    source: &str,
    columns: impl Iterator<Item = &'c ColumnSelector>,
    options: &CsvOptions,
) -> Result<Opened<R>> {
    let mut csv = open_csv(reader, source, options.delimiter)?;
    let mut record = csv::ByteRecord::new();
    if !next_record(&mut csv, &mut record, source)? {
        return Err(ErrorKind::EmptyInput {
            source: source.into(),
        }
        .into());
    }
    let header = header_names(&record, source, options.has_header)?;
    let indices = columns
        .map(|c| resolve_column(c, &header, source, options.has_header))
        .collect::<Result<_>>()?;
    Ok(Opened {
        csv,
        record,
        header,
        indices,
    })
}

/// Read the selected columns of a CSV input.
///
/// # Errors
/// Every input problem, as an [`Error`] naming source, line, column and value.
pub fn read_columns<R: Read>(
    reader: R,
    source: &str,
    columns: &[ColumnSelector],
    options: &CsvOptions,
) -> Result<Table> {
    let Opened {
        mut csv,
        mut record,
        header,
        indices,
    } = open_columns(reader, source, columns.iter(), options)?;
    let mut table = Table {
        source: source.into(),
        names: indices.iter().map(|&i| header[i].clone()).collect(),
        columns: vec![Vec::new(); indices.len()],
        lines: Vec::new(),
        skipped_missing: 0,
        levels: vec![None; indices.len()],
    };
    let mut rows = Rows {
        source,
        options,
        width: record.len(),
        header: &header,
        indices: &indices,
        row: vec![0.0; indices.len()],
        seen: 0,
        level_maps: vec![Default::default(); indices.len()],
    };
    if !options.has_header {
        rows.push(&record, &mut table)?;
    }
    while next_record(&mut csv, &mut record, source)? {
        rows.push(&record, &mut table)?;
    }
    if rows.seen == 0 {
        return Err(ErrorKind::HeaderOnly {
            source: source.into(),
        }
        .into());
    }
    if options.labels {
        if let Some(map) = rows.level_maps.into_iter().next() {
            let (levels, recode) = sorted_levels(map);
            for v in &mut table.columns[0] {
                *v = recode[*v as usize] as f64;
            }
            table.levels[0] = Some(levels);
        }
    }
    Ok(table)
}

/// The data rows of [`read_columns`], parsed one record at a time into a [`Table`].
struct Rows<'a> {
    source: &'a str,
    options: &'a CsvOptions,
    /// Fields per record (the first record's).
    width: usize,
    header: &'a [String],
    /// Field index of each selected column.
    indices: &'a [usize],
    /// The current row's values, one per selected column.
    row: Vec<f64>,
    /// Data rows read (kept or dropped as missing).
    seen: usize,
    /// Per selected column, label → provisional code (order of first appearance).
    level_maps: Vec<std::collections::HashMap<String, usize>>,
}

impl Rows<'_> {
    /// Parse `record` and append it to `table` (or count it as missing).
    fn push(&mut self, record: &csv::ByteRecord, table: &mut Table) -> Result<()> {
        let line = record_line(record, self.source, self.width)?;
        self.seen += 1;
        let mut missing = false;
        for (slot, &c) in self.indices.iter().enumerate() {
            let text = std::str::from_utf8(&record[c]).map_err(|_| {
                Error::from(ErrorKind::InvalidUtf8 {
                    source: self.source.into(),
                    line,
                })
            })?;
            match self.parse(slot, text) {
                Ok(v) => self.row[slot] = v,
                Err(CellProblem::Missing) if self.options.skip_missing => missing = true,
                Err(problem) => {
                    return Err(ErrorKind::BadCell {
                        at: Location {
                            source: self.source.into(),
                            line,
                            column: self.header[c].clone(),
                        },
                        value: text.trim().to_string(),
                        problem,
                    }
                    .into());
                }
            }
        }
        if missing {
            table.skipped_missing += 1;
        } else {
            for (col, v) in table.columns.iter_mut().zip(&self.row) {
                col.push(*v);
            }
            table.lines.push(line);
        }
        Ok(())
    }

    /// One cell: a label's provisional code in the label column, else a number.
    fn parse(&mut self, slot: usize, text: &str) -> std::result::Result<f64, CellProblem> {
        if !(self.options.labels && slot == 0) {
            return parse_cell(text);
        }
        let t = text.trim();
        if t.is_empty() || t == "NA" {
            return Err(CellProblem::Missing);
        }
        let map = &mut self.level_maps[slot];
        let next = map.len();
        Ok(*map.entry(t.to_string()).or_insert(next) as f64)
    }
}

/// Read one column as a [`Sample`], returning also how many rows were dropped as missing.
///
/// # Errors
/// As [`read_columns`].
pub fn read_column<R: Read>(
    reader: R,
    source: &str,
    column: &ColumnSelector,
    options: &CsvOptions,
) -> Result<(Sample, Table)> {
    let table = read_columns(reader, source, std::slice::from_ref(column), options)?;
    Ok((table.sample(0)?, table))
}

/// Levels in sorted order (numerically when every label is a number) and, for each
/// provisional code, its final code.
fn sorted_levels(map: std::collections::HashMap<String, usize>) -> (Vec<String>, Vec<usize>) {
    let mut labels: Vec<(String, usize)> = map.into_iter().collect();
    let numeric: Option<Vec<f64>> = labels
        .iter()
        .map(|(l, _)| l.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    match numeric {
        Some(_) => labels.sort_by(|a, b| {
            a.0.parse::<f64>()
                .unwrap()
                .total_cmp(&b.0.parse::<f64>().unwrap())
        }),
        None => labels.sort(),
    }
    let mut recode = vec![0; labels.len()];
    for (new, (_, old)) in labels.iter().enumerate() {
        recode[*old] = new;
    }
    (labels.into_iter().map(|(l, _)| l).collect(), recode)
}

fn strip_bom<R: Read>(r: &mut BufReader<R>, source: &str) -> Result<()> {
    let buf = r.fill_buf().map_err(|e| {
        Error::from(ErrorKind::Io {
            source: source.into(),
            message: e.to_string(),
        })
    })?;
    // Records end at `\n` (see `open_csv`): a file whose lines end in a carriage return alone
    // (classic Mac OS) would read as one header line, so say what it is instead.
    if buf.contains(&b'\r')
        && !buf.contains(&b'\n')
        && buf.len() > 1 + buf.iter().position(|&b| b == b'\r').unwrap_or(0)
    {
        return Err(ErrorKind::Csv {
            source: source.into(),
            message: "its lines end in a carriage return alone (classic Mac OS); convert them to newlines, e.g. with tr '\\r' '\\n'".into(),
        }
        .into());
    }
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
    }
    Ok(())
}

/// The 1-based line of `record`, once it has the `width` fields of the first record.
///
/// # Errors
/// [`ErrorKind::RaggedRow`] when the number of fields differs.
pub(super) fn record_line(record: &csv::ByteRecord, source: &str, width: usize) -> Result<u64> {
    let line = record.position().map_or(0, |p| p.line());
    if record.len() != width {
        return Err(ErrorKind::RaggedRow {
            source: source.into(),
            line,
            expected: width,
            found: record.len(),
        }
        .into());
    }
    Ok(line)
}

pub(super) fn resolve_column(
    sel: &ColumnSelector,
    header: &[String],
    source: &str,
    has_header: bool,
) -> Result<usize> {
    let unknown = |requested: String| -> Error {
        ErrorKind::UnknownColumn {
            source: source.into(),
            requested,
            available: if has_header {
                header
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{h:?} (#{})", i + 1))
                    .collect()
            } else {
                vec![format!("#1..#{} (the input has no header)", header.len())]
            },
        }
        .into()
    };
    match sel {
        ColumnSelector::First => Ok(0),
        ColumnSelector::Name(name) => {
            if has_header {
                if let Some(i) = header.iter().position(|h| h == name) {
                    return Ok(i);
                }
            }
            let digits = name.strip_prefix('#').unwrap_or(name);
            match digits.parse::<usize>() {
                Ok(i) if i >= 1 && i <= header.len() => Ok(i - 1),
                Ok(i) => Err(unknown(format!(
                    "{i} (the input has {} columns)",
                    header.len()
                ))),
                Err(_) => Err(unknown(format!("{name:?}"))),
            }
        }
    }
}

/// Parse one cell as a finite number.
pub fn parse_cell(text: &str) -> std::result::Result<f64, CellProblem> {
    let t = text.trim();
    if t.is_empty() || t == "NA" {
        return Err(CellProblem::Missing);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) if v.is_nan() => Err(CellProblem::NotANumber),
        Ok(_) if t.bytes().any(|b| b.is_ascii_digit()) => Err(CellProblem::Overflow),
        Ok(_) => Err(CellProblem::Infinite),
        Err(_) => Err(CellProblem::NotNumeric),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8], col: Option<&str>, opts: &CsvOptions) -> Result<(Sample, Table)> {
        read_column(text, "t.csv", &ColumnSelector::from_arg(col), opts)
    }

    #[test]
    fn header_bom_crlf_quotes_and_no_final_newline() {
        let text = b"\xEF\xBB\xBFid,\"value\"\r\n1,\"2.5\"\r\n2, 3e1 \r\n3,\"-4\"";
        let (s, t) = read(text, Some("value"), &CsvOptions::default()).unwrap();
        assert_eq!(s.values(), &[2.5, 30.0, -4.0]);
        assert_eq!(t.lines, vec![2, 3, 4]);
        assert_eq!(t.names, vec!["value".to_string()]);
        let (s, _) = read(text, Some("1"), &CsvOptions::default()).unwrap();
        assert_eq!(s.values(), &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn crlf_line_numbers_and_blank_crlf_lines() {
        let e = read(b"x\r\n1\r\n\r\n2\r\nfoo\r\n", None, &CsvOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 5, column x: \"foo\" is not a number"
        );
    }

    #[test]
    fn no_header_and_delimiter() {
        let opts = CsvOptions {
            has_header: false,
            delimiter: b';',
            ..Default::default()
        };
        let (s, t) = read(b"1;2\n3;4\n", Some("2"), &opts).unwrap();
        assert_eq!(s.values(), &[2.0, 4.0]);
        assert_eq!(t.names, vec!["#2".to_string()]);
        assert_eq!(t.lines, vec![1, 2]);
    }

    #[test]
    fn problems_name_line_column_and_value() {
        let o = CsvOptions::default();
        let e = read(b"x\n1\nabc\n", None, &o).unwrap_err().to_string();
        assert_eq!(e, "t.csv: line 3, column x: \"abc\" is not a number");
        let e = read(b"x\n1\n\n2\n \n", None, &o).unwrap_err().to_string();
        assert!(
            e.starts_with("t.csv: line 5, column x: missing value"),
            "{e}"
        );
        let e = read(b"x\nNaN\n", None, &o).unwrap_err().to_string();
        assert!(e.contains("is NaN"), "{e}");
        let e = read(b"x\n-inf\n", None, &o).unwrap_err().to_string();
        assert!(e.contains("infinite"), "{e}");
        let e = read(b"x\n1e400\n", None, &o).unwrap_err().to_string();
        assert!(e.contains("overflows"), "{e}");
        let e = read(b"x,y\n1,2\n3\n", None, &o).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv: line 3: ragged row: 1 fields where the first row has 2"
        );
        let e = read(b"x\n1\n\xff\xfe\n", None, &o).unwrap_err().to_string();
        assert_eq!(e, "t.csv: line 3: invalid UTF-8");
        let e = read(b"", None, &o).unwrap_err().to_string();
        assert_eq!(e, "t.csv: the input is empty");
        let e = read(b"x,y\n", None, &o).unwrap_err().to_string();
        assert!(e.contains("header line but no data rows"), "{e}");
        let e = read(b"x,y\n1,2\n", Some("z"), &o).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv: no column \"z\"; available: \"x\" (#1), \"y\" (#2)"
        );
        let e = read(b"x,y\n1,2\n", Some("3"), &o).unwrap_err().to_string();
        assert!(e.contains("no column 3 (the input has 2 columns)"), "{e}");
    }

    #[test]
    fn skip_missing_drops_and_counts() {
        let o = CsvOptions {
            skip_missing: true,
            ..Default::default()
        };
        let (s, t) = read(b"x\n1\nNA\n\n 3\n", None, &o).unwrap();
        assert_eq!(s.values(), &[1.0, 3.0]);
        assert_eq!(t.skipped_missing, 1, "blank lines are not rows, NA is");
        let (s, t) = read(b"x,y\n1,\n2,5\n,7\n", Some("y"), &o).unwrap();
        assert_eq!(s.values(), &[5.0, 7.0]);
        assert_eq!(t.skipped_missing, 1);
        assert!(read(b"x\nNA\n", None, &o).is_err());
    }

    #[test]
    fn labels_become_sorted_levels() {
        let o = CsvOptions {
            labels: true,
            skip_missing: true,
            ..Default::default()
        };
        let (s, t) = read(b"c\nred\nblue\n\"red\"\nNA\ngreen\n", None, &o).unwrap();
        assert_eq!(t.levels[0].as_deref().unwrap(), &["blue", "green", "red"]);
        assert_eq!(s.values(), &[2.0, 0.0, 2.0, 1.0]);
        assert_eq!(s.levels().unwrap().len(), 3);
        assert_eq!(t.skipped_missing, 1);
        // Numeric labels sort numerically, not as strings.
        let (s, t) = read(b"k\n10\n9\n10\n1.5\n", None, &o).unwrap();
        assert_eq!(t.levels[0].as_deref().unwrap(), &["1.5", "9", "10"]);
        assert_eq!(s.values(), &[2.0, 1.0, 2.0, 0.0]);
    }

    #[test]
    fn sample_knows_where_its_values_came_from() {
        let (s, _) = read(b"v\n1\n2\n", None, &CsvOptions::default()).unwrap();
        let loc = s.location(1).unwrap();
        assert_eq!(loc.to_string(), "t.csv: line 3, column v");
    }
}
