//! One run of a script for the playground, as `gradlang run --plot` does it,
//! with what a page needs beyond the text: each diagnostic as a value with
//! its span in UTF-16 offsets (JavaScript's string indices, which the
//! editor marks), and the loss curves as the same SVG `--plot` writes.
//! Plain Rust, so it is tested natively (`cargo test -p gradlang-playground`).

use std::collections::BTreeMap;
use std::io::Write;
use std::rc::Rc;

use gradlang::diagnostic::{render, Diagnostic, Severity};
use gradlang::driver::{run_source, Sink};
use gradlang::eval::{builtins as table, Interp};
use gradlang::syntax::span::Span;
use serde_json::{json, Value};

/// The seed a run starts from, as `gradlang run` without `--seed`.
const SEED: u64 = 0;

/// Which of the terminal's two streams a piece of text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// The program's output (stdout).
    Out,
    /// Diagnostics (stderr), with ANSI colours as on a terminal.
    Err,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Out => "out",
            Stream::Err => "err",
        }
    }
}

/// Where text goes as it is written: the worker's `gradlangWrite`.
pub type Emit = Rc<dyn Fn(Stream, &str)>;

/// Runs `source` with `files` as the only files `csv` can read; text goes
/// to `emit` in the order a terminal would show it. Returns
/// `{exit, diagnostics: [...], svg}` (`svg` is null without a minimize).
pub fn run(source: &str, name: &str, files: BTreeMap<String, Vec<u8>>, emit: Emit) -> Value {
    let out = std::io::LineWriter::new(Lines(emit.clone()));
    let mut interp = Interp::new(SEED, Box::new(out));
    interp.set_files(files);
    interp.enable_record();
    let mut sink = Collect {
        emit,
        diagnostics: Vec::new(),
    };
    let exit = run_source(&mut interp, name, source.as_bytes(), &mut sink);
    let record = interp.take_record().unwrap_or_default();
    // Flushes the last line of output (one without a newline).
    drop(interp);
    let svg = (!record.minimizes.is_empty()).then(|| gradlang::report::svg(&record));
    json!({
        "exit": exit,
        "diagnostics": sink.diagnostics,
        "svg": svg,
    })
}

/// Every builtin and calculus form with its signature and summary, for
/// the editor's hover docs.
pub fn builtins() -> Value {
    let builtins = table::all()
        .iter()
        .map(|b| (b.name, b.signature, b.summary));
    let forms = table::calculus()
        .iter()
        .map(|f| (f.name, f.signature, f.summary));
    builtins
        .chain(forms)
        .map(|(name, signature, summary)| {
            json!({"name": name, "signature": signature, "summary": summary})
        })
        .collect()
}

/// The program's output, handed to `emit` line by line (behind a
/// `LineWriter`).
struct Lines(Emit);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.0)(Stream::Out, &String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Diagnostics are shown as the terminal shows them and kept as values.
struct Collect {
    emit: Emit,
    diagnostics: Vec<Value>,
}

impl Sink for Collect {
    fn report(&mut self, diag: &Diagnostic, path: &str, src: &str) {
        (self.emit)(Stream::Err, &render(diag, path, src, true));
        self.diagnostics.push(describe(diag, src));
    }

    fn line(&mut self, text: &str) {
        (self.emit)(Stream::Err, &format!("{text}\n"));
    }
}

/// A diagnostic as JSON: `{severity, code, title, help, line, column,
/// from, to, label, secondary: [{from, to, label}]}`, with `from`/`to` in
/// UTF-16 offsets into `src` and `line`/`column` 1-based.
fn describe(diag: &Diagnostic, src: &str) -> Value {
    let (span, label) = &diag.primary;
    let (line, column) = line_column(src, span.start);
    let (from, to) = utf16_range(src, *span);
    let secondary: Vec<Value> = diag
        .secondary
        .iter()
        .map(|(span, label)| {
            let (from, to) = utf16_range(src, *span);
            json!({"from": from, "to": to, "label": label})
        })
        .collect();
    json!({
        "severity": match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "code": diag.code.as_str(),
        "title": diag.title,
        "help": diag.help,
        "line": line,
        "column": column,
        "from": from,
        "to": to,
        "label": label,
        "secondary": secondary,
    })
}

/// The largest char boundary of `src` at or before byte `at`.
fn boundary(src: &str, at: usize) -> usize {
    let mut at = at.min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `span` as UTF-16 offsets, clipped to the text.
fn utf16_range(src: &str, span: Span) -> (usize, usize) {
    let offset = |byte: usize| src[..boundary(src, byte)].encode_utf16().count();
    let from = offset(span.start);
    (from, offset(span.end).max(from))
}

/// The 1-based line and column (in characters) of byte `at`.
fn line_column(src: &str, at: usize) -> (usize, usize) {
    let before = &src[..boundary(src, at)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Runs `source` and returns the result with the text, stream by stream.
    fn run_text(source: &str, files: BTreeMap<String, Vec<u8>>) -> (Value, Vec<(Stream, String)>) {
        let text = Rc::new(RefCell::new(Vec::new()));
        let keep = text.clone();
        let emit: Emit = Rc::new(move |s, t: &str| keep.borrow_mut().push((s, t.to_string())));
        let result = run(source, "t.gl", files, emit);
        let text = text.borrow().clone();
        (result, text)
    }

    fn joined(text: &[(Stream, String)], stream: Stream) -> String {
        text.iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    #[test]
    fn output_and_plot_of_a_minimize() {
        let (result, text) = run_text(
            "param x = 3\nloss = (x - 1)^2\nminimize with newton steps=5\nprint x\n",
            BTreeMap::new(),
        );
        assert_eq!(result["exit"], 0);
        // (x - 1)^2 is quadratic: one newton step lands on x = 1.
        assert!(joined(&text, Stream::Out).ends_with("1.\n"), "{text:?}");
        let svg = result["svg"].as_str().unwrap_or_default();
        assert!(svg.contains("<svg") && svg.contains("<polyline"), "{svg}");
    }

    #[test]
    fn no_minimize_no_plot() {
        let (result, text) = run_text("print 1 + 1", BTreeMap::new());
        assert_eq!(result["svg"], Value::Null);
        assert_eq!(text, vec![(Stream::Out, "2.\n".to_string())]);
    }

    #[test]
    fn an_error_is_rendered_in_colour_and_kept_with_utf16_offsets() {
        // `é` is 2 bytes in UTF-8 and 1 unit in UTF-16; `𝑥` 4 and 2.
        let src = "print \"é𝑥\"\nprint nope + 1\n";
        let (result, text) = run_text(src, BTreeMap::new());
        assert_eq!(result["exit"], 1);
        let diags = result["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!(d["severity"], "error");
        assert_eq!(
            (d["line"].clone(), d["column"].clone()),
            (json!(2), json!(7))
        );
        let from = d["from"].as_u64().unwrap_or(0) as usize;
        let to = d["to"].as_u64().unwrap_or(0) as usize;
        let utf16: Vec<u16> = src.encode_utf16().collect();
        assert_eq!(String::from_utf16_lossy(&utf16[from..to]), "nope");
        let err = joined(&text, Stream::Err);
        assert!(err.contains('\u{1b}'), "not coloured: {err}");
        assert!(err.contains(d["code"].as_str().unwrap_or("?")), "{err}");
        assert_eq!(joined(&text, Stream::Out), "é𝑥\n");
    }

    #[test]
    fn csv_reads_the_given_files_only() {
        let files = BTreeMap::from([("data/t.csv".to_string(), b"a,b\n1,2\n3,4\n".to_vec())]);
        let (result, text) = run_text("print sum(csv(\"data/t.csv\"))", files);
        assert_eq!(result["exit"], 0, "{text:?}");
        assert_eq!(joined(&text, Stream::Out), "10.\n");
        let (result, text) = run_text("print csv(\"Cargo.toml\")", BTreeMap::new());
        assert_eq!(result["exit"], 1);
        assert!(joined(&text, Stream::Err).contains("drop the file onto the page"));
    }

    #[test]
    fn builtins_have_signatures() {
        let list = builtins();
        let names: Vec<&str> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["name"].as_str())
            .collect();
        assert!(
            names.contains(&"exp") && names.contains(&"grad"),
            "{names:?}"
        );
    }
}
