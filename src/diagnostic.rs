//! The one place errors and warnings become text. Each phase's error enum
//! turns itself into a [`Diagnostic`] (next to the enum, so the words live
//! with the cases); this module renders it with ariadne against the source.

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
    pub code: &'static str,
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
        code: &'static str,
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
        code: &'static str,
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
    use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
    let (shown, moved) = visible_controls(src);
    let src = shown.as_ref();
    let clip = |s: Span| {
        let (start, end) = (moved(s.start), moved(s.end));
        let end = end.min(src.len());
        start.min(end)..end
    };
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
    let mut report = Report::build(kind, (path, clip(diag.primary.0)))
        .with_code(diag.code)
        .with_message(&diag.title)
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        );
    for (order, (span, text, primary)) in labels.into_iter().enumerate() {
        let label = Label::new((path, clip(span)))
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
    let _ = report.finish().write((path, Source::from(src)), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The source as it is shown: control characters other than tab, line feed
/// and carriage return become their Unicode "control pictures" (NUL shows
/// as `␀`), so they can neither garble the terminal nor start a new line
/// the user's editor does not show. Also returns how byte offsets move: each
/// picture is 3 bytes where the control character was 1.
fn visible_controls(src: &str) -> (std::borrow::Cow<'_, str>, impl Fn(usize) -> usize) {
    let hidden = |c: char| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r');
    let positions: Vec<usize> = src
        .char_indices()
        .filter(|&(_, c)| hidden(c))
        .map(|(i, _)| i)
        .collect();
    let shown = if positions.is_empty() {
        std::borrow::Cow::Borrowed(src)
    } else {
        std::borrow::Cow::Owned(src.chars().map(|c| if hidden(c) { control_picture(c) } else { c }).collect())
    };
    let moved = move |offset: usize| offset + 2 * positions.partition_point(|&p| p < offset);
    (shown, moved)
}

/// The visible stand-in for an ASCII control character: U+2400 + code, and
/// U+2421 for DEL.
pub fn control_picture(c: char) -> char {
    match c {
        '\u{7f}' => '\u{2421}',
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        c => c,
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

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
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
    }
}
