//! Every text the session has run — REPL inputs and `:load`ed scripts —
//! kept end to end in one string, so that a span stays meaningful after the
//! input that produced it has scrolled away: a function defined three inputs
//! ago reports an error in its body against the line that defined it.
//!
//! Each text is parsed so that its spans are offsets into the session text,
//! and each diagnostic is rendered against the one text its spans lie in,
//! named and numbered as the user knows it (`<repl>`, `<input 3>`, a path).

use crate::diagnostic::{render, Diagnostic};
use crate::syntax::ast::Program;
use crate::syntax::span::Span;
use crate::syntax::{self, SyntaxError};

/// One text of the session: `session[start..end]`.
struct Segment {
    /// The script's path, or `None` for a REPL input.
    file: Option<String>,
    /// 1-based number among the REPL inputs.
    input: usize,
    start: usize,
    end: usize,
}

impl Segment {
    fn contains(&self, span: Span) -> bool {
        self.start <= span.start && span.end <= self.end
    }
}

#[derive(Default)]
pub(super) struct Sources {
    session: String,
    segments: Vec<Segment>,
    inputs: usize,
}

impl Sources {
    /// Adds `src` — a script read from `file`, or a REPL input when `file`
    /// is `None` — and parses it, with spans into the session text.
    pub fn add(&mut self, file: Option<&str>, src: &str) -> Result<Program, Vec<SyntaxError>> {
        let start = self.session.len();
        if file.is_none() {
            self.inputs += 1;
        }
        self.segments.push(Segment {
            file: file.map(str::to_string),
            input: self.inputs,
            start,
            end: start + src.len(),
        });
        self.session.push_str(src);
        self.session.push('\n');
        // The parser numbers spans from the start of the text it is given.
        // Blanks in front, which it skips, move them to where `src` sits in
        // the session; one pass over spaces costs less than a second pass
        // over the tree to shift every span.
        let mut shifted = " ".repeat(start);
        shifted.push_str(src);
        syntax::parse(&shifted)
    }

    /// `diag` as text, against the input or script its spans point into.
    pub fn render(&self, diag: &Diagnostic, color: bool) -> String {
        let mut spans = std::iter::once(diag.primary.0).chain(diag.secondary.iter().map(|s| s.0));
        let home = self
            .segments
            .iter()
            .rev()
            .find(|s| s.contains(diag.primary.0))
            .filter(|seg| spans.all(|span| seg.contains(span)));
        match home {
            Some(seg) => {
                let local = |s: Span| Span::new(s.start - seg.start, s.end - seg.start);
                let mut diag = diag.clone();
                diag.primary.0 = local(diag.primary.0);
                for label in &mut diag.secondary {
                    label.0 = local(label.0);
                }
                let src = &self.session[seg.start..seg.end];
                render(&diag, &self.name(seg), src, color)
            }
            // Labels in several inputs (or none): show the whole session.
            None => render(diag, "<session>", &self.session, color),
        }
    }

    /// How a segment is named in diagnostics: the latest REPL input is
    /// `<repl>`, earlier ones are numbered.
    fn name(&self, seg: &Segment) -> String {
        match &seg.file {
            Some(path) => path.clone(),
            None if seg.input == self.inputs => "<repl>".to_string(),
            None => format!("<input {}>", seg.input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    #[test]
    fn spans_point_into_the_session_text() {
        let mut sources = Sources::default();
        sources.add(None, "let a = 1").unwrap();
        let program = sources.add(None, "print a").unwrap();
        // "let a = 1\n" is 10 bytes.
        assert_eq!(program.stmts[0].span.start, 10);
    }

    #[test]
    fn renders_against_the_input_the_spans_lie_in() {
        let mut sources = Sources::default();
        sources.add(None, "fn f(v) = v * [1, 2]").unwrap();
        sources.add(None, "f([1, 2, 3])").unwrap();
        // A label on `[1, 2]` in the first input.
        let diag = Diagnostic::error(Code::E0217, "boom", Span::new(14, 20), "here");
        let text = sources.render(&diag, false);
        assert!(text.contains("<input 1>:1:15"), "{text}");
        assert!(text.contains("fn f(v) = v * [1, 2]"), "{text}");
        assert!(!text.contains("f([1, 2, 3])"), "{text}");

        let diag = Diagnostic::error(Code::E0217, "boom", Span::new(23, 32), "here");
        let text = sources.render(&diag, false);
        assert!(text.contains("<repl>:1:3"), "{text}");
    }

    #[test]
    fn labels_in_several_inputs_show_the_session() {
        let mut sources = Sources::default();
        sources.add(None, "fn f(v) = v").unwrap();
        sources.add(None, "let a = 1").unwrap();
        sources.add(None, "f(1)").unwrap();
        let diag = Diagnostic::error(Code::E0217, "boom", Span::new(10, 11), "here")
            .with_label(Span::new(22, 26), "called here");
        let text = sources.render(&diag, false);
        assert!(text.contains("<session>:1:11"), "{text}");
        assert!(text.contains("1 \u{2502} fn f(v) = v"), "{text}");
        assert!(text.contains("3 \u{2502} f(1)"), "{text}");
    }

    #[test]
    fn parse_errors_point_at_the_latest_input() {
        let mut sources = Sources::default();
        sources.add(Some("a.gl"), "let a = 1\nlet b = 2").unwrap();
        let errors = sources.add(None, "let = 3").unwrap_err();
        let text = sources.render(&errors[0].to_diagnostic(), false);
        assert!(text.contains("<repl>:1:5"), "{text}");
    }
}
