//! What the test binaries that drive outside tools share: running one in a
//! folder of the repository, failing loudly with its output.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `program args` (with `envs` set) in `dir`, failing with its
/// output unless it exits 0; `needs` says what to install when it cannot
/// start.
pub fn run_in(
    dir: &Path,
    program: &str,
    args: &[&str],
    envs: &[(&str, &str)],
    needs: &str,
) -> Output {
    let out = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}): {needs}"));
    assert!(
        out.status.success(),
        "`{program} {}` in {} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
