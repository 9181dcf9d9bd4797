//! The `gradlang fmt` command: format files in place, check them
//! (`--check`), or filter standard input to standard output (`-`).

use std::io::{Read, Write};
use std::path::Path;

use crate::driver::{decode, Reporter, EXIT_SCRIPT_ERROR, EXIT_USAGE};

use super::{format_source, FormatError};

/// What happened to one file.
enum Outcome {
    /// Already in the canonical style.
    Same,
    /// Rewritten (or, under `--check`, would be).
    Changed,
    /// Not formatted; the exit code to end with, the error already shown.
    Failed(i32),
}

/// Formats every file (`-` is standard input, written to standard output)
/// and returns the exit code: 0 when all is well, 1 when a script does not
/// parse or, with `check`, when a file is not formatted (each such file is
/// listed on standard output), 2 when a file cannot be read or written.
/// Under `check` nothing is written. A file that fails is left untouched.
pub fn run(files: &[impl AsRef<Path>], check: bool, reporter: &mut Reporter) -> i32 {
    let mut code = 0;
    for file in files {
        let file = file.as_ref();
        let name = if file.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            file.display().to_string()
        };
        let outcome = one(file, &name, check, reporter);
        let this = match outcome {
            Outcome::Same => 0,
            Outcome::Changed if check => {
                let _ = writeln!(std::io::stdout(), "{name}");
                EXIT_SCRIPT_ERROR
            }
            Outcome::Changed => 0,
            Outcome::Failed(code) => code,
        };
        code = code.max(this);
    }
    code
}

fn one(file: &Path, name: &str, check: bool, reporter: &mut Reporter) -> Outcome {
    let stdin = file.as_os_str() == "-";
    let read = if stdin {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(file)
    };
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read `{name}`: {e}");
            return Outcome::Failed(EXIT_USAGE);
        }
    };
    let source = match decode(&bytes) {
        Ok(source) => source,
        Err((diag, lossy)) => {
            reporter.report(&diag, name, &lossy);
            return Outcome::Failed(EXIT_SCRIPT_ERROR);
        }
    };
    let formatted = match format_source(source) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(errors)) => {
            for e in &errors {
                reporter.report(&e.to_diagnostic(), name, source);
            }
            return Outcome::Failed(EXIT_SCRIPT_ERROR);
        }
        Err(e) => {
            eprintln!("error: `{name}`: {e}");
            return Outcome::Failed(EXIT_SCRIPT_ERROR);
        }
    };
    let outcome = if formatted == source {
        Outcome::Same
    } else {
        Outcome::Changed
    };
    if check {
        return outcome;
    }
    let written = if stdin {
        std::io::stdout().write_all(formatted.as_bytes())
    } else if matches!(outcome, Outcome::Changed) {
        std::fs::write(file, &formatted)
    } else {
        Ok(())
    };
    match written {
        Ok(()) => outcome,
        Err(e) => {
            eprintln!("error: cannot write `{name}`: {e}");
            Outcome::Failed(EXIT_USAGE)
        }
    }
}
