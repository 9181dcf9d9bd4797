//! `csv("file.csv")`: a table of numbers as a 2-D tensor.
//!
//! The splitting (quoted fields, CRLF line ends, a quoted comma in a header
//! name) is the `csv` crate's; this module adds what makes the result a
//! tensor: a leading UTF-8 byte-order mark is dropped, blank lines are
//! skipped, the first row is a header iff one of its fields is not a number,
//! and every other field must be a number, in rows of equal length. A
//! problem names the file's line and column (1-based) and the text found
//! there. Fields such as `nan` or `inf` are numbers, so they are read, with
//! warning W0004 naming where the first one is.

use super::Call;
use crate::autodiff::NodeId;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::error::{io_reason, EvalError};
use crate::eval::Interp;
use crate::tensor::Tensor;

/// Reads the file named by the call's one argument, relative to the
/// script's folder (or from the embedder's table of files).
pub(super) fn csv(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let path = c.text(0)?.to_string();
    let span = c.span(0);
    let file_error = |reason: String, help: String| EvalError::File {
        span,
        path: path.clone(),
        reason,
        help: Some(help),
    };
    let bytes = m
        .files
        .read(&path)
        .map_err(|e| file_error(e.reason, e.help))?;
    let table = parse(&bytes).map_err(|p| file_error(p.reason(), p.help().into()))?;
    if let Some(field) = &table.non_finite {
        m.warn(
            Diagnostic::warning(
                Code::W0006,
                format!(
                    "`{path}` holds {}: line {}, column {} is `{}`",
                    if field.text.parse::<f64>().is_ok_and(f64::is_nan) {
                        "NaN"
                    } else {
                        "an infinity"
                    },
                    field.line,
                    field.column,
                    field.text
                ),
                span,
                "read here",
            )
            .with_help(
                "`nan` and `inf` are read as numbers, and a loss over them is NaN or infinite; \
                 if the field stands for a missing value, fill it in or drop the row",
            ),
        );
    }
    let shape = [table.rows, table.cols];
    Ok(m.tape.constant(Tensor::from_shape_vec(&shape, table.data)))
}

/// A field of the file, for messages.
#[derive(Debug, PartialEq)]
struct Field {
    /// 1-based line of the file.
    line: u64,
    /// 1-based position of the field in its row.
    column: usize,
    text: String,
}

/// What the file held.
#[derive(Debug)]
struct Table {
    rows: usize,
    cols: usize,
    /// Row-major.
    data: Vec<f64>,
    /// The first field that reads as NaN or an infinity.
    non_finite: Option<Field>,
}

/// Why a file is not a table of numbers.
#[derive(Debug, PartialEq)]
enum Problem {
    /// Nothing but blank lines.
    Empty,
    /// A header line and no rows after it.
    HeaderOnly { line: u64 },
    /// A field after the header that is not a number.
    NotANumber(Field),
    /// A row whose length differs from the first row's.
    Ragged {
        line: u64,
        found: usize,
        expected: usize,
        /// The first row, and whether it is the header.
        first_line: u64,
        header: bool,
    },
    /// The crate could not split the text (e.g. it is not UTF-8).
    Unreadable { line: Option<u64>, reason: String },
}

impl Problem {
    fn reason(&self) -> String {
        match self {
            Problem::Empty => "it has no rows: the file is empty or blank".into(),
            Problem::HeaderOnly { line } => {
                format!("it has a header (line {line}) but no rows of numbers")
            }
            Problem::NotANumber(f) if f.text.is_empty() => {
                format!("line {}, column {} is empty", f.line, f.column)
            }
            Problem::NotANumber(f) => format!(
                "line {}, column {} is `{}`, which is not a number",
                f.line, f.column, f.text
            ),
            Problem::Ragged {
                line,
                found,
                expected,
                first_line,
                header,
            } => format!(
                "line {line} has {}, but the {} (line {first_line}) has {expected}",
                plural_columns(*found),
                if *header { "header" } else { "first row" },
            ),
            Problem::Unreadable {
                line: Some(line),
                reason,
            } => format!("line {line}: {reason}"),
            Problem::Unreadable { line: None, reason } => reason.clone(),
        }
    }

    fn help(&self) -> &'static str {
        match self {
            Problem::Empty | Problem::HeaderOnly { .. } => {
                "a CSV file for `csv` holds rows of numbers separated by commas, \
                 optionally after one header line"
            }
            Problem::NotANumber(_) => {
                "the first row is a header if a field of it is not a number; \
                 every later row must hold only numbers"
            }
            Problem::Ragged { .. } => "every row must have the same number of columns",
            Problem::Unreadable { .. } => "`csv` reads comma-separated text in UTF-8",
        }
    }
}

fn plural_columns(n: usize) -> String {
    format!("{n} column{}", if n == 1 { "" } else { "s" })
}

/// Splits `bytes` into a table of numbers (see the module header).
fn parse(bytes: &[u8]) -> Result<Table, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(bytes);
    let mut table = Table {
        rows: 0,
        cols: 0,
        data: Vec::new(),
        non_finite: None,
    };
    let mut lines = Lines {
        bytes,
        at: 0,
        line: 1,
    };
    // The first row's line and whether it was a header.
    let mut first: Option<(u64, bool)> = None;
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(e, &mut lines))?;
        let line = lines.of(record.position().map_or(0, |p| p.byte() as usize));
        // A line of spaces is one empty field; fully empty lines never reach here.
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        let numbers: Vec<Result<f64, usize>> = record
            .iter()
            .enumerate()
            .map(|(k, f)| f.parse::<f64>().map_err(|_| k))
            .collect();
        let (first_line, header) = match first {
            Some(seen) => seen,
            None => {
                let header = numbers.iter().any(Result::is_err);
                first = Some((line, header));
                table.cols = record.len();
                if header {
                    continue;
                }
                (line, false)
            }
        };
        if record.len() != table.cols {
            return Err(Problem::Ragged {
                line,
                found: record.len(),
                expected: table.cols,
                first_line,
                header,
            });
        }
        for (k, number) in numbers.into_iter().enumerate() {
            let field = || Field {
                line,
                column: k + 1,
                text: record[k].to_string(),
            };
            let v = number.map_err(|_| Problem::NotANumber(field()))?;
            if !v.is_finite() && table.non_finite.is_none() {
                table.non_finite = Some(field());
            }
            table.data.push(v);
        }
        table.rows += 1;
    }
    match first {
        None => Err(Problem::Empty),
        Some((line, true)) if table.rows == 0 => Err(Problem::HeaderOnly { line }),
        _ => Ok(table),
    }
}

/// Line numbers of byte offsets, counted once through the file. The
/// crate's own line count skips blank lines, and its record offsets point
/// at the end of the previous record, before any blank lines.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl Lines<'_> {
    /// The 1-based line of the first non-blank-line byte at or after
    /// `offset`; offsets must not decrease between calls.
    fn of(&mut self, offset: usize) -> u64 {
        let mut start = offset.min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let from = self.at.min(start);
        self.line += self.bytes[from..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.at = start;
        self.line
    }
}

fn unreadable(e: ::csv::Error, lines: &mut Lines) -> Problem {
    let line = e.position().map(|p| lines.of(p.byte() as usize));
    let reason = match e.kind() {
        ::csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_string(),
        ::csv::ErrorKind::Io(io) => io_reason(io),
        _ => e.to_string(),
    };
    Problem::Unreadable { line, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (usize, usize, Vec<f64>) {
        let t = parse(text.as_bytes()).expect("a table");
        (t.rows, t.cols, t.data)
    }

    #[test]
    fn byte_order_mark_is_not_a_header() {
        assert_eq!(table("\u{feff}1,2\n3,4\n"), (2, 2, vec![1., 2., 3., 4.]));
        assert_eq!(table("\u{feff}x,y\n3,4\n"), (1, 2, vec![3., 4.]));
    }

    #[test]
    fn quotes_crlf_spaces_and_blank_lines() {
        let text = "\"a, b\",c\r\n\"1.5\", 2 \r\n\r\n 3 ,\"4\"\r\n\n  \n";
        assert_eq!(table(text), (2, 2, vec![1.5, 2., 3., 4.]));
    }

    #[test]
    fn header_iff_a_field_is_not_a_number() {
        assert_eq!(table("1e3,-2\n"), (1, 2, vec![1000., -2.]));
        assert_eq!(table("x,2\n1,2\n"), (1, 2, vec![1., 2.]));
    }

    #[test]
    fn problems_name_line_and_column() {
        let p = |text: &[u8]| parse(text).map(|_| ()).unwrap_err();
        let field = |line, column, text: &str| Field {
            line,
            column,
            text: text.into(),
        };
        assert_eq!(
            p(b"x,y\n1,2\n3,oops\n"),
            Problem::NotANumber(field(3, 2, "oops"))
        );
        assert_eq!(p(b"1,2\n3,\n"), Problem::NotANumber(field(2, 2, "")));
        let ragged = Problem::Ragged {
            line: 3,
            found: 1,
            expected: 2,
            first_line: 1,
            header: true,
        };
        assert_eq!(p(b"x,y\n1,2\n3\n"), ragged);
        let blank_lines = b"1,2\r\n\r\n\r\n3,4\r\n\"5\",1\n\n5,x\n";
        assert_eq!(p(blank_lines), Problem::NotANumber(field(7, 2, "x")));
        let two_line_header = b"\"a\nb\",c\n1,x\n";
        assert_eq!(p(two_line_header), Problem::NotANumber(field(3, 2, "x")));
        assert_eq!(p(b"\n\n"), Problem::Empty);
        assert_eq!(p(b"\n x , y \n\n"), Problem::HeaderOnly { line: 2 });
        assert!(matches!(p(b"1,\xFF\n"), Problem::Unreadable { .. }));
    }

    #[test]
    fn nan_and_inf_are_numbers_and_the_first_is_kept() {
        let t = parse(b"1,nan\n-inf,4\n").expect("a table");
        assert!(t.data[1].is_nan() && t.data[2] == f64::NEG_INFINITY);
        let field = Field {
            line: 1,
            column: 2,
            text: "nan".into(),
        };
        assert_eq!(t.non_finite, Some(field));
    }
}
