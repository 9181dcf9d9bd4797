//! The interactive session (`gradlang` on a terminal).

/// Runs the REPL until the user quits; returns the exit code.
pub fn run(_seed: u64) -> i32 {
    eprintln!("the REPL is not built yet; run a script with `gradlang run FILE`");
    crate::driver::EXIT_USAGE
}
