//! The browser playground (playground/): `playground/build.sh` builds it
//! (the interpreter as WebAssembly, the bundled page), then its browser
//! test drives Debian's headless Chromium through playwright-core against
//! the built page on 127.0.0.1 (playground/test/playground.test.mjs): the
//! puzzle's A..D and plot, every example against its golden file, an
//! error's code and editor mark, stopping a long run, a share link, a
//! dropped CSV file. Nothing is skipped: a missing Chromium,
//! wasm32-unknown-unknown target or wasm-bindgen-cli fails here with the
//! command that installs it (.ci/run installs them all).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn playground_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("playground")
}

/// Runs `program args` in playground/, failing with its output unless it
/// exits 0.
fn run(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    common::run_in(
        &playground_dir(),
        program,
        args,
        envs,
        ".ci/run installs what the playground test needs",
    )
}

#[test]
fn playground_builds_and_works_in_chromium() {
    let built = run("bash", &["build.sh"], &[]);
    print!("{}", String::from_utf8_lossy(&built.stdout));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "no Chromium at {chromium}: the playground's browser test needs Debian's \
         (`apt-get install chromium`), or CHROMIUM=/path/to/chromium"
    );
    let out = run(
        "node",
        &["--test", "test/playground.test.mjs"],
        &[
            ("CHROMIUM", &chromium),
            ("GRADLANG_BIN", env!("CARGO_BIN_EXE_gradlang")),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    let count = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|n| n.trim().parse::<usize>().ok())
    };
    // node's runner exits 0 on no tests at all.
    assert!(
        count("# pass ").is_some_and(|n| n >= 7) && count("# fail ") == Some(0),
        "the browser test did not pass its 7 tests:\n{stdout}"
    );
}
