//! Hostile inputs end in a diagnostic or a result, never a panic, an abort,
//! a stack overflow or a hang. Each test runs the built `gradlang` on a
//! generated script (`run`, then `check`) with a time limit, and checks
//! the exit code and what it printed.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Far above what any of these needs in a release build; a hang fails.
const TIMEOUT: Duration = Duration::from_secs(30);

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Writes `script` to a temporary file and runs `gradlang CMD FILE` on it.
fn gradlang(cmd: &str, name: &str, script: &[u8]) -> Outcome {
    gradlang_within(cmd, name, script, None)
}

/// [`gradlang`] with its address space limited to `memory_kb` (through the
/// shell's `ulimit -v`), when given.
fn gradlang_within(cmd: &str, name: &str, script: &[u8], memory_kb: Option<u64>) -> Outcome {
    let dir = std::env::temp_dir().join(format!("gradlang-robustness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
    let path: PathBuf = dir.join(format!("{name}.gl"));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(script))
        .expect("cannot write the script");
    let mut command = match memory_kb {
        Some(kb) => {
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(format!("ulimit -v {kb} && exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_gradlang"));
            sh
        }
        None => Command::new(env!("CARGO_BIN_EXE_gradlang")),
    };
    let mut child = command
        .arg(cmd)
        .arg(&path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start gradlang");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait().expect("cannot wait for gradlang") {
            Some(status) => break Some(status),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => thread::sleep(Duration::from_millis(10)),
        }
    };
    let _ = std::fs::remove_file(&path);
    let outcome = Outcome {
        code: status.and_then(|s| s.code()),
        stdout: out.join().expect("reader thread"),
        stderr: err.join().expect("reader thread"),
    };
    assert!(
        status.is_some(),
        "`gradlang {cmd}` on {name} ran longer than {TIMEOUT:?}"
    );
    assert!(
        !outcome.stderr.contains("panicked") && !outcome.stderr.contains("overflow"),
        "`gradlang {cmd}` on {name} crashed:\n{}",
        outcome.stderr
    );
    outcome
}

/// Runs and checks `script`; both must fail with `code` and say `expected`.
fn fails_with(name: &str, script: &[u8], code: &str) {
    for cmd in ["run", "check"] {
        let o = gradlang(cmd, name, script);
        assert_eq!(
            o.code,
            Some(1),
            "`gradlang {cmd}` on {name}: exit {:?}, stderr:\n{}",
            o.code,
            o.stderr
        );
        assert!(
            o.stderr.contains(&format!("[{code}]")),
            "`gradlang {cmd}` on {name} should report {code}:\n{}",
            o.stderr
        );
    }
}

/// Runs `script`: it must succeed and print `expected`; `check` must pass.
fn succeeds_with(name: &str, script: &[u8], expected: &str) {
    let o = gradlang("run", name, script);
    assert_eq!(o.code, Some(0), "{name}: stderr:\n{}", o.stderr);
    assert_eq!(o.stdout.trim_end(), expected, "{name}");
    let c = gradlang("check", name, script);
    assert_eq!(c.code, Some(0), "check {name}: stderr:\n{}", c.stderr);
}

/// A long loop at the top level does not keep every round's values: two
/// million rounds of `i += 1` took 1.6 GB before the tape was cleared
/// between rounds once it holds 64 MB; they must fit in 1 GB of address
/// space (the interpreter thread's 256 MiB stack included).
#[test]
fn a_long_top_level_loop_keeps_its_memory_bounded() {
    let script = b"let i = 0\nwhile i < 2000000 { i += 1 }\nprint i\n";
    let o = gradlang_within("run", "long_loop", script, Some(1 << 20));
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    assert_eq!(o.stdout.trim_end(), "2000000.");
}

#[test]
fn ten_thousand_nested_parentheses() {
    let script = format!("print {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    fails_with("parens", script.as_bytes(), "E0109");
    let blocks = format!("print {}1{}\n", "{".repeat(10_000), "}".repeat(10_000));
    fails_with("blocks", blocks.as_bytes(), "E0109");
}

#[test]
fn a_one_megabyte_line() {
    // An operator chain: one tree level per operator, so it is too deep.
    let sum = format!("let x = 1{}\nprint x\n", " + 1".repeat(250_000));
    assert!(sum.len() > 1_000_000);
    fails_with("sum_line", sum.as_bytes(), "E0110");
    let negations = format!("print {}1\n", "-".repeat(1_000_000));
    fails_with("negations", negations.as_bytes(), "E0110");
    // A long string and a long comment are fine.
    let text = "a".repeat(1_000_000);
    succeeds_with("string", format!("print \"{text}\"\n").as_bytes(), &text);
    succeeds_with("comment", format!("# {text}\nprint 1\n").as_bytes(), "1.");
}

#[test]
fn a_script_of_100_000_statements() {
    let mut script = String::from("let x0 = 0\n");
    for i in 1..100_000 {
        script += &format!("let x{i} = x{} + 1\n", i - 1);
    }
    script += "print x99999\n";
    succeeds_with("statements", script.as_bytes(), "99999.");
    // And as many errors: reported up to the cap, quickly.
    let errors = "let = 1\n".repeat(100_000);
    fails_with("errors", errors.as_bytes(), "E0105");
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    fails_with("utf8", b"print 1\nprint \"caf\xe9\"\n", "E0100");
    fails_with("utf16", b"\xff\xfep\x00r\x00i\x00n\x00t\x00", "E0100");
    fails_with("nul", b"let x = 1\x00\nprint x\n", "E0101");
    fails_with("nuls", &[0u8; 1000], "E0101");
}

#[test]
fn a_tensor_literal_of_a_million_elements() {
    let items = vec!["1"; 1_000_000].join(", ");
    let script = format!("let t = [{items}]\nprint sum(t), len(t)\n");
    succeeds_with("million", script.as_bytes(), "1000000. 1000000.");
}

#[test]
fn tensors_too_large_to_hold() {
    fails_with("zeros", b"print zeros(1e12)\n", "E0218");
    fails_with("ones", b"print ones(100000, 100000)\n", "E0218");
    fails_with("eye", b"print eye(1e9)\n", "E0218");
    fails_with("arange", b"print arange(0, 1e300)\n", "E0218");
}

#[test]
fn deep_recursion() {
    // Unbounded recursion (found by running; `check` runs nothing), and a
    // legal one that is merely deep.
    let unbounded = b"fn f(n) = if n <= 0 { 0 } else { 1 + f(n - 1) }\nprint f(100000)\n";
    let o = gradlang("run", "recursion", unbounded);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.contains("[E0214]"), "{}", o.stderr);
    assert_eq!(gradlang("check", "recursion", unbounded).code, Some(0));
    succeeds_with(
        "recursion_ok",
        b"fn f(n) = if n <= 0 { 0 } else { 1 + f(n - 1) }\nprint f(390)\n",
        "390.",
    );
    // Mutual recursion through a long chain of functions.
    let mut chain = String::new();
    for i in 1..1000 {
        chain += &format!("fn f{i}(x) = f{}(x) + 1\n", i - 1);
    }
    chain += "fn f0(x) = x\nprint f999(0)\n";
    let o = gradlang("run", "chain", chain.as_bytes());
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.contains("[E0214]"), "{}", o.stderr);
}

#[test]
fn no_colour_unless_a_terminal_and_never_with_no_color() {
    // Piped stderr is no terminal: plain text even without NO_COLOR.
    let o = Command::new(env!("CARGO_BIN_EXE_gradlang"))
        .args(["run", "-"])
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("piped")
                .write_all(b"print nope\n")?;
            child.wait_with_output()
        })
        .expect("cannot run gradlang");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("[E0201]"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "colour on a pipe:\n{stderr}");
}

/// On a terminal (a pty) diagnostics are coloured, unless NO_COLOR is set.
#[cfg(unix)]
#[test]
fn colour_on_a_terminal_unless_no_color() {
    use rexpect::session::{spawn_with_options, Options};
    let dir = std::env::temp_dir().join(format!("gradlang-colour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
    let path = dir.join("colour.gl");
    std::fs::write(&path, "print nope\n").expect("cannot write the script");
    for no_color in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gradlang"));
        cmd.arg("run").arg(&path).env("TERM", "xterm");
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let options = Options::new()
            .timeout_ms(Some(10_000))
            .strip_ansi_escape_codes(false);
        let mut p = spawn_with_options(cmd, options).expect("cannot start gradlang in a pty");
        let out = p.exp_eof().expect("gradlang did not finish");
        assert!(out.contains("[E0201]"), "{out}");
        assert_eq!(
            out.contains('\u{1b}'),
            !no_color,
            "NO_COLOR={no_color}:\n{out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_script_is_a_usage_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_gradlang"))
        .args(["run", "/nonexistent/script.gl"])
        .output()
        .expect("cannot start gradlang");
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("/nonexistent/script.gl"), "{stderr}");
}

#[test]
fn check_reports_every_error_and_passes_clean_scripts() {
    let script =
        b"let v = [1, 2, 3]\nprint summ(v)\nprint v + [1, 2]\nminimize with adma steps=10\n";
    let o = gradlang("check", "several", script);
    assert_eq!(o.code, Some(1));
    for code in ["[E0202]", "[E0205]", "[E0208]", "[E0220]"] {
        assert!(o.stderr.contains(code), "missing {code}:\n{}", o.stderr);
    }
    // `check` runs nothing: no output, even for a slow script.
    let slow =
        b"param x = 1\nloss = (x - 2)^2\nminimize with sgd lr=0.001 steps=100000000\nprint x\n";
    let o = gradlang("check", "slow", slow);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "");
}
