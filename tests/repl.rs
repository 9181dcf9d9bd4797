//! The REPL as a user meets it: the real `gradlang` binary in a
//! pseudo-terminal (rexpect), typing keys and reading the screen.
//!
//! Output lines are matched whole (`\r\n` on both sides, the terminal's line
//! ends), so a value is never confused with the echo of what was typed.
//! Every wait times out after `TIMEOUT_MS`; each test has its own data
//! directory, so histories do not leak between tests or from the user's.
#![cfg(unix)]

use std::path::PathBuf;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_with_options, Options, PtySession};

const TIMEOUT_MS: u64 = 10_000;

/// A data directory for one test, removed when dropped.
struct Home(PathBuf);

impl Home {
    fn new(test: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("gradlang-repl-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
        Home(dir)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `gradlang` on a terminal and waits for its first prompt. Without
/// `color`, escape sequences are stripped from what is read.
fn start(home: &Home, color: bool) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gradlang"));
    cmd.env("TERM", "xterm")
        .env("XDG_DATA_HOME", &home.0)
        .env("HOME", &home.0)
        .env_remove("RUST_BACKTRACE");
    if color {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    let options = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(!color);
    let mut p = spawn_with_options(cmd, options).expect("cannot start gradlang in a pty");
    p.exp_string("gl> ").expect("no prompt");
    p
}

/// Types `keys` (use `\r` for Enter).
fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("cannot type");
    p.flush().expect("cannot type");
}

/// Waits for `line` as a whole line of output; returns what came before.
fn expect_line(p: &mut PtySession, line: &str) -> String {
    p.exp_string(&format!("\r\n{line}\r\n"))
        .unwrap_or_else(|e| panic!("no line `{line}`: {e}"))
}

/// Ctrl-D, and the process ends successfully.
fn quit(mut p: PtySession) {
    p.send_control('d').expect("cannot type");
    p.exp_eof().expect("gradlang did not end");
    match p.process().wait() {
        Ok(WaitStatus::Exited(_, 0)) => {}
        other => panic!("unexpected exit: {other:?}"),
    }
}

#[test]
fn a_function_defined_over_several_lines() {
    let home = Home::new("multiline");
    let mut p = start(&home, true);
    send(&mut p, "fn f(x) {\r");
    // The continuation prompt, drawn over the new line's margin.
    p.exp_string("... ").expect("no continuation prompt");
    send(&mut p, "let t = x * 2\rt + 1\r}\r");
    send(&mut p, "f(3)\r");
    expect_line(&mut p, "7.");
    // A trailing operator continues the line too.
    send(&mut p, "f(1) +\r10\r");
    expect_line(&mut p, "13.");
    quit(p);
}

#[test]
fn an_error_leaves_the_state_intact() {
    let home = Home::new("error");
    let mut p = start(&home, false);
    send(&mut p, "param x = 2\r");
    send(&mut p, "x + nope\r");
    p.exp_string("unknown name `nope`").expect("no diagnostic");
    p.exp_string("<repl>:1:5").expect("the diagnostic is not against the input");
    send(&mut p, "x * 3\r");
    expect_line(&mut p, "6.");
    quit(p);
}

#[test]
fn grad_and_minimize_step_by_step() {
    let home = Home::new("minimize");
    let mut p = start(&home, false);
    send(&mut p, "param w = 0\rloss = (w - 3)^2\r");
    send(&mut p, "grad(loss, w)\r");
    expect_line(&mut p, "-6.");
    send(&mut p, "minimize with sgd lr=0.1 steps=1\r");
    expect_line(&mut p, "sgd: 1 steps, loss 9. -> 5.7600");
    send(&mut p, "w\r");
    expect_line(&mut p, "0.6000");
    send(&mut p, "minimize with sgd lr=0.1 steps=1\r");
    expect_line(&mut p, "sgd: 1 steps, loss 5.7600 -> 3.6864");
    send(&mut p, "grad(loss, w)\r");
    expect_line(&mut p, "-4.8000");
    quit(p);
}

#[test]
fn vars_lists_every_name() {
    let home = Home::new("vars");
    let mut p = start(&home, false);
    send(&mut p, "param w = [1, 2]; let y = w * 2; fn f(a) = a + 1\r");
    send(&mut p, ":vars\r");
    expect_line(&mut p, "name  kind     shape  value");
    expect_line(&mut p, "w     param    (2)    [1., 2.]");
    expect_line(&mut p, "y     formula  (2)    [2., 4.]");
    expect_line(&mut p, "f     fn              f(a)");
    quit(p);
}

#[test]
fn tab_completes_builtins_names_and_optimizers() {
    let home = Home::new("tab");
    let mut p = start(&home, false);
    send(&mut p, "linsp\t");
    p.exp_string("linspace").expect("no completion");
    send(&mut p, "(0, 1, 3)\r");
    expect_line(&mut p, "[0.0000, 0.5000, 1.0000]");
    send(&mut p, "param weights = 1; loss = (weights - 2)^2\r");
    send(&mut p, "minimize with nad\t");
    p.exp_string("nadam").expect("no optimizer completion");
    send(&mut p, " lr=0.5 ste\t");
    p.exp_string("steps=").expect("no option completion");
    send(&mut p, "3\r");
    p.exp_string("nadam: 3 steps").expect("minimize did not run");
    send(&mut p, "weig\t * 0\r");
    expect_line(&mut p, "0.");
    quit(p);
}

#[test]
fn ctrl_c_stops_a_long_minimize_and_keeps_the_params() {
    let home = Home::new("ctrlc");
    let mut p = start(&home, false);
    send(&mut p, "param w = 0; loss = (w - 3)^2\r");
    send(&mut p, "minimize with sgd lr=1e-8 steps=1000000000 every=100000\r");
    // Once it reports progress it is running, and the terminal is ours.
    p.exp_string("sgd step 100000: loss").expect("minimize did not start");
    p.send_control('c').expect("cannot type");
    p.exp_string("(stopped early: interrupted)")
        .expect("minimize was not interrupted");
    // w moved a little towards 3 and kept its value.
    send(&mut p, "w > 0 and w < 1\r");
    expect_line(&mut p, "1.");
    // At the prompt, Ctrl-C drops the input.
    send(&mut p, "1 + 2");
    p.send_control('c').expect("cannot type");
    send(&mut p, "5\r");
    expect_line(&mut p, "5.");
    quit(p);
}

#[test]
fn ctrl_d_quits_and_history_outlives_the_session() {
    let home = Home::new("history");
    let mut p = start(&home, false);
    send(&mut p, "40 + 2\r");
    expect_line(&mut p, "42.");
    quit(p);

    let mut p = start(&home, false);
    send(&mut p, "\x1b[A\r");
    expect_line(&mut p, "42.");
    quit(p);
}
