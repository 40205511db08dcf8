//! The one aligned-table layout every human table uses: columns as wide as their widest cell
//! (counted in characters, so `±`, `Δ` and `χ²` line up), two spaces between columns, an indent,
//! and no trailing spaces.

/// How the cells of a column are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Padded on the right (names, statuses).
    Left,
    /// Padded on the left (numbers).
    Right,
}

/// The usual layout: a column of labels (left-aligned), then columns of numbers
/// (right-aligned).
pub fn labels_then_numbers(column: usize) -> Align {
    if column == 0 {
        Align::Left
    } else {
        Align::Right
    }
}

/// `rows` (the header first, if any) as aligned lines, each starting with `indent` and ending
/// with a newline; `align(c)` says how column `c` is aligned. Rows may be shorter than others:
/// a missing cell is simply not written.
pub fn aligned<R: AsRef<[String]>>(
    rows: &[R],
    indent: &str,
    align: impl Fn(usize) -> Align,
) -> String {
    let cols = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.as_ref().get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (c, cell) in r.as_ref().iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[c] - cell.chars().count());
            match align(c) {
                Align::Left => {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
                Align::Right => {
                    line.push_str(&pad);
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn widths_count_characters_and_lines_have_no_trailing_spaces() {
        let t = rows(&[
            &["name", "ΔAIC", "status"],
            &["gamma", "1.5", ""],
            &["t", "10", "ok"],
        ]);
        let out = aligned(
            &t,
            "  ",
            |c| if c == 1 { Align::Right } else { Align::Left },
        );
        assert_eq!(
            out,
            "  name   ΔAIC  status\n  gamma   1.5\n  t        10  ok\n"
        );
    }

    #[test]
    fn ragged_rows_write_what_they_have() {
        let t = rows(&[&["a", "bb", "ccc"], &["dddd"]]);
        assert_eq!(aligned(&t, "", |_| Align::Right), "   a  bb  ccc\ndddd\n");
    }
}
