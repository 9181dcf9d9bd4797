//! `gradlang check`: parse and resolve a script without running it.

use crate::driver::{decode, Reporter, EXIT_SCRIPT_ERROR};

/// Reports every error found; returns the exit code (0 when clean).
pub fn check_source(path: &str, bytes: &[u8], reporter: &mut Reporter) -> i32 {
    let src = match decode(bytes) {
        Ok(s) => s,
        Err((diag, lossy)) => {
            reporter.report(&diag, path, &lossy);
            return EXIT_SCRIPT_ERROR;
        }
    };
    match crate::syntax::parse(src) {
        Ok(_) => 0,
        Err(errors) => {
            for e in &errors {
                reporter.report(&e.to_diagnostic(), path, src);
            }
            EXIT_SCRIPT_ERROR
        }
    }
}
