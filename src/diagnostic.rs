//! The one place errors and warnings become text. Each phase's error enum
//! turns itself into a [`Diagnostic`] (next to the enum, so the words live
//! with the cases); this module renders it with ariadne against the source.

mod codes;
mod shorten;

pub use codes::Code;

use crate::syntax::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A rendered-later description of one problem in a script.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `E0101`; listed in docs/errors.md.
    pub code: Code,
    /// One plain sentence: what went wrong.
    pub title: String,
    /// The exact span and what to say there.
    pub primary: (Span, String),
    /// Facts behind the error, each at its own span.
    pub secondary: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
    /// Extra lines (e.g. values that went into a failing operation).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(
        code: Code,
        title: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            title: title.into(),
            primary: (span, label.into()),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(
        code: Code,
        title: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, title, span, label)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// Renders `diag` against `src` (named `path` in the header) with ariadne:
/// byte-indexed spans, labels in source order, colour only when asked.
pub fn render(diag: &Diagnostic, path: &str, src: &str, color: bool) -> String {
    use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
    let kind = match diag.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let (primary_color, secondary_color) = match diag.severity {
        Severity::Error => (Color::Red, Color::Blue),
        Severity::Warning => (Color::Yellow, Color::Blue),
    };
    let mut labels: Vec<(Span, &str, bool)> = vec![(diag.primary.0, diag.primary.1.as_str(), true)];
    labels.extend(diag.secondary.iter().map(|(s, l)| (*s, l.as_str(), false)));
    labels.sort_by_key(|(s, _, _)| (s.start, s.end));
    PREPARED.with(|cell| {
        let mut cell = cell.borrow_mut();
        let shown: &Prepared = match cell.take() {
            Some(p) if p.original == src => cell.insert(p),
            _ => cell.insert(Prepared::new(src)),
        };
        let primary = shown.clip(diag.primary.0);
        let mut ranges: Vec<_> = labels.iter().map(|(s, _, _)| shown.clip(*s)).collect();
        let short = shorten::Shortened::new(shown.source.text(), &ranges);
        let cut_source;
        let (source, primary) = match &short {
            Some(short) => {
                ranges = ranges.iter().map(|r| short.map_range(r)).collect();
                cut_source = ariadne::Source::from(short.text.clone());
                (&cut_source, short.map_range(&primary))
            }
            None => (&shown.source, primary),
        };
        let mut report = Report::build(kind, (path, primary.clone()))
            .with_code(diag.code.as_str())
            .with_message(&diag.title)
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            );
        for (order, ((_, text, primary), range)) in labels.into_iter().zip(ranges).enumerate() {
            let label = Label::new((path, range))
                .with_message(text)
                .with_order(order as i32);
            report = report.with_label(if color {
                label.with_color(if primary {
                    primary_color
                } else {
                    secondary_color
                })
            } else {
                label
            });
        }
        for note in &diag.notes {
            report = report.with_note(note);
        }
        if let Some(help) = &diag.help {
            report = report.with_help(help);
        }
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = report.finish().write((path, source), &mut out);
        let out = String::from_utf8_lossy(&out).into_owned();
        match &short {
            // ariadne counts the column in the shortened line; the header
            // names the column in the script.
            Some(_) => {
                let whole = shown.source.text();
                let real = shown.clip(diag.primary.0).start;
                let line = whole[..real].matches('\n').count() + 1;
                let column = |text: &str, at: usize| {
                    let from = text[..at].rfind('\n').map_or(0, |i| i + 1);
                    text[from..at].chars().count() + 1
                };
                out.replacen(
                    &format!("{path}:{line}:{} ", column(source.text(), primary.start)),
                    &format!("{path}:{line}:{} ", column(whole, real)),
                    1,
                )
            }
            None => out,
        }
    })
}

thread_local! {
    /// The last source rendered against, prepared: a script with thousands
    /// of diagnostics is indexed once, not once per diagnostic.
    static PREPARED: std::cell::RefCell<Option<Prepared>> =
        const { std::cell::RefCell::new(None) };
}

/// A source as it is shown. Characters that would garble the terminal, or
/// break a line where neither the lexer nor an editor does (control
/// characters but tab and line feed, a carriage return not before a line
/// feed, U+0085, U+2028, U+2029), are replaced by visible stand-ins (NUL
/// shows as `␀`), and spans are moved to match.
struct Prepared {
    original: String,
    source: ariadne::Source<String>,
    /// (byte offset in the original, bytes gained up to and including the
    /// replaced character there), in order.
    moves: Vec<(usize, usize)>,
}

impl Prepared {
    fn new(src: &str) -> Prepared {
        let mut shown = String::with_capacity(src.len());
        let mut moves = Vec::new();
        let mut gained = 0;
        let mut chars = src.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let hidden = match c {
                '\t' | '\n' => false,
                '\r' => chars.peek().is_none_or(|&(_, next)| next != '\n'),
                c => c.is_control() || c == '\u{2028}' || c == '\u{2029}',
            };
            if !hidden {
                shown.push(c);
                continue;
            }
            let picture = visible(c);
            shown.push(picture);
            gained += picture.len_utf8().saturating_sub(c.len_utf8());
            moves.push((i, gained));
        }
        Prepared {
            original: src.to_string(),
            source: ariadne::Source::from(shown),
            moves,
        }
    }

    /// `span` moved into the shown text, within its bounds.
    fn clip(&self, span: Span) -> std::ops::Range<usize> {
        let moved = |offset: usize| {
            // Characters replaced before `offset` shift it by what they gained.
            let k = self.moves.partition_point(|&(p, _)| p < offset);
            offset + if k == 0 { 0 } else { self.moves[k - 1].1 }
        };
        let len = self.source.text().len();
        let end = moved(span.end).min(len);
        moved(span.start).min(end)..end
    }
}

/// The visible stand-in for a character that [`render`] does not show
/// as is: its Unicode control picture (U+2400 + code, `␡` for DEL), `␤`
/// for a line separator, U+FFFD for any other control character.
pub fn visible(c: char) -> char {
    match c {
        '\u{7f}' => '\u{2421}',
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{85}' | '\u{2028}' | '\u{2029}' => '\u{2424}',
        _ => '\u{FFFD}',
    }
}

/// Whether stderr should get colour: a terminal, and NO_COLOR unset.
pub fn stderr_wants_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// The closest candidate to a misspelt `name`, if one is close enough to
/// be a likely typo (edit distance at most a third of the length, min 1).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count().div_ceil(3)).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance over chars counting a swap of two neighbours as one edit
/// (optimal string alignment), so `setps` is next to `steps`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the DP table: i-2, i-1 and i.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("nadma", ["nadam", "adam", "sgd"]),
            Some("nadam")
        );
        assert_eq!(did_you_mean("xyz", ["nadam", "adam"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("setps", "steps"), 1);
        assert_eq!(did_you_mean("setps", ["eps", "steps"]), Some("steps"));
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
