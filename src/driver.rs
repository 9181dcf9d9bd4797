//! Running a whole script: decode, parse, evaluate, and report errors
//! against the source. Shared by `gradlang run`, piped stdin and `:load`.

use crate::diagnostic::Code;
use std::io::Write;
use std::path::Path;

use crate::diagnostic::{render, Diagnostic};
use crate::eval::Interp;
use crate::syntax::span::Span;

/// Exit code for an error in the script.
pub const EXIT_SCRIPT_ERROR: i32 = 1;
/// How many warnings found by reading a script a run shows before
/// summing up the rest.
const MAX_LINT_WARNINGS: usize = 20;

/// Exit code for a usage error (bad flags, unreadable script path).
pub const EXIT_USAGE: i32 = 2;

/// Where diagnostics go and how they look.
pub struct Reporter<'a> {
    pub err: &'a mut dyn Write,
    pub color: bool,
}

impl Reporter<'_> {
    pub fn report(&mut self, diag: &Diagnostic, path: &str, src: &str) {
        let _ = self
            .err
            .write_all(render(diag, path, src, self.color).as_bytes());
    }
}

/// What a run does with its diagnostics: [`Reporter`] writes them as text;
/// an embedder (the browser playground) also keeps them as values, to mark
/// their spans in its editor.
pub trait Sink {
    /// One diagnostic about `src`, the script named `path`.
    fn report(&mut self, diag: &Diagnostic, path: &str, src: &str);
    /// A line among the diagnostics that is not one (how many were left out).
    fn line(&mut self, text: &str);
}

impl Sink for Reporter<'_> {
    fn report(&mut self, diag: &Diagnostic, path: &str, src: &str) {
        Reporter::report(self, diag, path, src);
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }
}

/// The script's text, or a diagnostic at the first byte that is not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, (Diagnostic, String)> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let lossy = String::from_utf8_lossy(bytes).into_owned();
        // The lossy text replaces the bad byte with U+FFFD (3 bytes) at `at`.
        let diag = Diagnostic::error(
            Code::E0100,
            "the script is not valid UTF-8",
            Span::new(at, at + 3),
            "this byte is not UTF-8",
        )
        .with_help("save the file as UTF-8");
        (diag, lossy)
    })
}

/// Decodes and parses a script, reporting every error found; returns the
/// text and program, or the exit code to stop with.
pub fn parse_reported<'a>(
    path: &str,
    bytes: &'a [u8],
    reporter: &mut dyn Sink,
) -> Result<(&'a str, crate::syntax::ast::Program), i32> {
    let src = match decode(bytes) {
        Ok(s) => s,
        Err((diag, lossy)) => {
            reporter.report(&diag, path, &lossy);
            return Err(EXIT_SCRIPT_ERROR);
        }
    };
    let program = match crate::syntax::parse(src) {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                reporter.report(&e.to_diagnostic(), path, src);
            }
            return Err(EXIT_SCRIPT_ERROR);
        }
    };
    Ok((src, program))
}

/// Parses and runs `bytes` in `interp`; returns the process exit code.
pub fn run_source(interp: &mut Interp, path: &str, bytes: &[u8], reporter: &mut dyn Sink) -> i32 {
    let (src, program) = match parse_reported(path, bytes, reporter) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let warnings = crate::lint::script_warnings(&program);
    for warning in warnings.iter().take(MAX_LINT_WARNINGS) {
        reporter.report(warning, path, src);
    }
    if warnings.len() > MAX_LINT_WARNINGS {
        reporter.line(&format!(
            "... and {} more warnings",
            warnings.len() - MAX_LINT_WARNINGS
        ));
    }
    for stmt in &program.stmts {
        let result = interp.run_top(stmt);
        for warning in interp.take_warnings() {
            reporter.report(&warning, path, src);
        }
        if let Err(e) = result {
            let e = e.with_later_declaration(&program);
            reporter.report(&e.to_diagnostic(), path, src);
            return EXIT_SCRIPT_ERROR;
        }
    }
    0
}

/// `gradlang export --jax`: runs the script to export it to `output` (a
/// Python program) and the .npz of its data beside it; returns the exit code.
pub fn export_jax(
    interp: &mut Interp,
    path: &str,
    bytes: &[u8],
    output: &Path,
    reporter: &mut Reporter,
) -> i32 {
    let (src, program) = match parse_reported(path, bytes, reporter) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let npz_path = output.with_extension("npz");
    let npz_name = npz_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data.npz".into());
    let exported = crate::export::export_jax(interp, &program, path, &npz_name);
    for warning in interp.take_warnings() {
        reporter.report(&warning, path, src);
    }
    let exported = match exported {
        Ok(e) => e,
        Err(diag) => {
            reporter.report(&diag, path, src);
            return EXIT_SCRIPT_ERROR;
        }
    };
    for (file, data) in [
        (output, exported.python.as_bytes()),
        (npz_path.as_path(), &exported.npz),
    ] {
        if let Err(e) = std::fs::write(file, data) {
            let _ = writeln!(
                reporter.err,
                "error: cannot write `{}`: {e}",
                file.display()
            );
            return EXIT_USAGE;
        }
    }
    0
}

/// The directory relative paths in a script at `path` are resolved from.
pub fn script_dir(path: &Path) -> std::path::PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// Runs `src` in `interp` and returns the value of its last statement if
/// that is an expression (for tests and embedding), or every diagnostic.
pub fn eval_str(
    interp: &mut Interp,
    src: &str,
) -> Result<Option<crate::tensor::Tensor>, Vec<Diagnostic>> {
    let program = crate::syntax::parse(src)
        .map_err(|errors| errors.iter().map(|e| e.to_diagnostic()).collect::<Vec<_>>())?;
    let mut last = None;
    for stmt in &program.stmts {
        last = interp
            .run_top(stmt)
            .map_err(|e| vec![e.to_diagnostic()])?
            .map(|v| v.tensor);
    }
    Ok(last)
}
