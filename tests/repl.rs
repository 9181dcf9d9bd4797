//! The REPL as a user meets it: the real `gradlang` binary in a
//! pseudo-terminal (rexpect), typing keys and reading the screen.
//!
//! Each input is typed once the previous one is done: the line editor reads
//! keys in chunks and drops what it read past the end of a line. Output is
//! matched by whole lines, so a value is never confused with the echo of
//! what was typed. Every wait times out after `TIMEOUT_MS`; each test has
//! its own data directory, so histories do not leak between tests or from
//! the user's.
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
    p.exp_string("gl>").expect("no prompt");
    p
}

/// Types `keys` (use `\r` for Enter).
fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("cannot type");
    p.flush().expect("cannot type");
}

/// How a new prompt starts once escape sequences are stripped: the line
/// editor ends the input with a newline and clears the line it draws on.
const NEXT_PROMPT: &str = "\r\n\rgl> ";

/// Types `input` and Enter, waits for the next prompt, and returns the
/// lines shown in between (the echo of `input` first).
fn enter(p: &mut PtySession, input: &str) -> Vec<String> {
    send(p, &format!("{input}\r"));
    let shown = p
        .exp_string(NEXT_PROMPT)
        .unwrap_or_else(|e| panic!("no prompt after `{input}`: {e}"));
    shown.split("\r\n").map(String::from).collect()
}

/// Asserts that `line` is one of `lines`.
#[track_caller]
fn assert_shown(lines: &[String], line: &str) {
    assert!(
        lines.iter().any(|l| l == line),
        "`{line}` was not shown; the screen had {lines:#?}"
    );
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
    // In colour, to see the continuation prompt (drawn by the highlighter).
    let mut p = start(&home, true);
    send(&mut p, "fn f(x) {\r");
    p.exp_string("... ").expect("no continuation prompt");
    send(&mut p, "let t = x * 2\rt + 1\r}\r");
    p.exp_string("\x1b[?2004h").expect("no new prompt");
    // A trailing operator continues the line too.
    send(&mut p, "f(3) +\r10\r");
    p.exp_string("\r\n17.\r\n").expect("f is not defined right");
    quit(p);
}

#[test]
fn an_error_leaves_the_state_intact() {
    let home = Home::new("error");
    let mut p = start(&home, false);
    enter(&mut p, "param x = 2");
    let shown = enter(&mut p, "x + nope");
    assert_shown(&shown, "[E0201] Error: unknown name `nope`");
    assert!(
        shown.iter().any(|l| l.contains("<repl>:1:5")),
        "not reported against the input: {shown:#?}"
    );
    assert_shown(&enter(&mut p, "x * 3"), "6.");
    quit(p);
}

#[test]
fn grad_and_minimize_step_by_step() {
    let home = Home::new("minimize");
    let mut p = start(&home, false);
    enter(&mut p, "param w = 0");
    enter(&mut p, "loss = (w - 3)^2");
    assert_shown(&enter(&mut p, "grad(loss, w)"), "-6.");
    let steps = "minimize with sgd lr=0.1 steps=2";
    assert_shown(&enter(&mut p, steps), "sgd: 2 steps, loss 9. -> 3.6864");
    assert_shown(&enter(&mut p, "w"), "1.0800");
    assert_shown(&enter(&mut p, steps), "sgd: 2 steps, loss 3.6864 -> 1.5099");
    assert_shown(&enter(&mut p, "grad(loss, w)"), "-2.4576");
    quit(p);
}

#[test]
fn indices_and_dimensions_show_as_integers() {
    let home = Home::new("integers");
    let mut p = start(&home, false);
    enter(&mut p, "let x = zeros(2, 3)");
    assert_shown(&enter(&mut p, "shape(x)"), "[2, 3]");
    assert_shown(&enter(&mut p, "argmax([1, 5, 2])"), "1");
    // A param updated in place is seen by the next statement.
    enter(&mut p, "param w = [1.0, 2.0]");
    enter(&mut p, "w -= 0.5");
    assert_shown(&enter(&mut p, "w"), "[0.5000, 1.5000]");
    quit(p);
}

#[test]
fn vars_lists_every_name() {
    let home = Home::new("vars");
    let mut p = start(&home, false);
    enter(&mut p, "param w = [1, 2]; let y = w * 2; fn f(a) = a + 1");
    let shown = enter(&mut p, ":vars");
    assert_shown(&shown, "name  kind     shape  value");
    assert_shown(&shown, "w     param    (2)    [1., 2.]");
    assert_shown(&shown, "y     formula  (2)    [2., 4.]");
    assert_shown(&shown, "f     fn              f(a)");
    quit(p);
}

#[test]
fn tab_completes_builtins_names_and_optimizers() {
    let home = Home::new("tab");
    let mut p = start(&home, false);
    send(&mut p, "linsp\t");
    p.exp_string("linspace").expect("no completion");
    assert_shown(&enter(&mut p, "(0, 1, 3)"), "[0.0000, 0.5000, 1.0000]");
    enter(&mut p, "param weights = 1; loss = (weights - 2)^2");
    send(&mut p, "minimize with nad\t");
    p.exp_string("nadam").expect("no optimizer completion");
    send(&mut p, " lr=0.5 ste\t");
    p.exp_string("steps=").expect("no option completion");
    let shown = enter(&mut p, "3");
    assert!(
        shown.iter().any(|l| l.starts_with("nadam: 3 steps")),
        "minimize did not run: {shown:#?}"
    );
    send(&mut p, "weig\t");
    p.exp_string("weights").expect("no completion of a param");
    assert_shown(&enter(&mut p, " * 0"), "0.");
    quit(p);
}

#[test]
fn ctrl_c_stops_a_long_minimize_and_keeps_the_params() {
    let home = Home::new("ctrlc");
    let mut p = start(&home, false);
    enter(&mut p, "param w = 0; loss = (w - 3)^2");
    send(
        &mut p,
        "minimize with sgd lr=1e-8 steps=1000000000 every=100000\r",
    );
    // Once it reports progress it is running, and Ctrl-C is a signal.
    p.exp_string("sgd step 100000: loss")
        .expect("minimize did not start");
    p.send_control('c').expect("cannot type");
    p.exp_string("(stopped early: interrupted)")
        .expect("minimize was not interrupted");
    p.exp_string(NEXT_PROMPT)
        .expect("no prompt after the interrupt");
    // w moved a little towards 3 and kept its value.
    assert_shown(&enter(&mut p, "w > 0 and w < 1"), "1.");
    // At the prompt, Ctrl-C drops the input.
    send(&mut p, "1 + 2");
    p.exp_string("1 + 2").expect("no echo");
    p.send_control('c').expect("cannot type");
    p.exp_string(NEXT_PROMPT).expect("no prompt after Ctrl-C");
    assert_shown(&enter(&mut p, "5"), "5.");
    quit(p);
}

#[test]
fn ctrl_c_stops_a_long_loop_with_e0227_and_keeps_the_state() {
    let home = Home::new("ctrlc-loop");
    let mut p = start(&home, false);
    enter(&mut p, "let n = 0");
    send(
        &mut p,
        "for i in 0..100000000 { n = n + 1; if i == 1000 { print \"started\" } }\r",
    );
    p.exp_string("started").expect("the loop did not start");
    p.send_control('c').expect("cannot type");
    p.exp_string("E0227").expect("the loop was not interrupted");
    p.exp_string(NEXT_PROMPT)
        .expect("no prompt after the interrupt");
    // The iterations that ran are kept.
    assert_shown(&enter(&mut p, "n > 1000"), "1.");
    quit(p);
}

#[test]
fn ctrl_d_quits_and_history_outlives_the_session() {
    let home = Home::new("history");
    let mut p = start(&home, false);
    assert_shown(&enter(&mut p, "40 + 2"), "42.");
    quit(p);

    let mut p = start(&home, false);
    // Up arrow, then Enter.
    assert_shown(&enter(&mut p, "\x1b[A"), "42.");
    quit(p);
}
