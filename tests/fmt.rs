//! `gradlang fmt` on every script of the repository (`examples/` and
//! `tests/`, walked recursively) and on the style cases in `tests/fmt/`.
//!
//! For a script that parses, formatting
//! 1. keeps every comment, in order, and the blank-line grouping (each line
//!    is preceded by a blank line exactly when it was), and changes nothing
//!    but whitespace and line-ending `;`s;
//! 2. is idempotent;
//! 3. keeps what the script does: the formatted copy, run as the golden
//!    test runs the original (`# args:`, `# command:`, `tests/piped/`),
//!    exits with the same code and prints the same stdout. Diagnostics on
//!    stderr point at lines and columns that formatting moves and quote the
//!    formatted source, so stderr is compared without them: the titles (code
//!    and message) and help lines, with every `LINE:COL` masked.
//!
//! A script that does not parse is refused: `gradlang fmt` exits with 1,
//! shows the same diagnostics as `gradlang check`, and leaves the file as
//! it was.
//!
//! `tests/fmt/NAME.gl` are the style cases, formatted into
//! `NAME.formatted`; `GRADLANG_BLESS=1 cargo test --release --test fmt`
//! rewrites those (review the diff).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use gradlang::fmt::{format_source, FormatError};
use gradlang::syntax::lexer::Token;
use gradlang::syntax::trivia::{comments, pieces, Piece};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.gl` under `rel`, as `/`-separated paths relative to the root.
fn scripts(rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root().join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = format!("{rel}/{}", entry.file_name().to_string_lossy());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            scripts(&path, out);
        } else if path.ends_with(".gl") {
            out.push(path);
        }
    }
}

fn all_scripts() -> Vec<String> {
    let mut out = Vec::new();
    scripts("examples", &mut out);
    scripts("tests", &mut out);
    out.sort();
    assert!(out.len() > 100, "found only {} scripts", out.len());
    out
}

/// `gradlang ARGS` in the root, with `stdin` fed in.
fn gradlang(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradlang"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start gradlang");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("cannot wait for gradlang");
    let _ = writer.join();
    out
}

/// Whether each non-blank line follows a blank one; the shape of the
/// grouping, independent of indentation and of how many blanks there were.
fn grouping(src: &str) -> Vec<bool> {
    let mut out = Vec::new();
    let mut blank = false;
    for line in src.lines() {
        if line.trim().is_empty() {
            blank = !out.is_empty();
        } else {
            out.push(std::mem::take(&mut blank));
        }
    }
    out
}

fn without_whitespace(src: &str) -> String {
    src.chars()
        .filter(|c| !c.is_whitespace() && *c != ';' && *c != '\u{FEFF}')
        .collect()
}

#[test]
fn formatting_keeps_comments_grouping_and_text_and_is_idempotent() {
    let mut failures = Vec::new();
    let mut formatted_count = 0;
    for script in all_scripts() {
        let Ok(src) = fs::read_to_string(root().join(&script)) else {
            continue; // not UTF-8: the CLI test below covers it
        };
        let formatted = match format_source(&src) {
            Ok(f) => f,
            Err(FormatError::Syntax(_)) if gradlang::syntax::parse(&src).is_err() => continue,
            Err(e) => {
                failures.push(format!("{script}: {e}"));
                continue;
            }
        };
        formatted_count += 1;
        if comments(&src) != comments(&formatted) {
            failures.push(format!(
                "{script}: comments differ\n{:?}\n{:?}",
                comments(&src),
                comments(&formatted)
            ));
        }
        if grouping(&src) != grouping(&formatted) {
            failures.push(format!("{script}: blank-line grouping differs"));
        }
        if without_whitespace(&src) != without_whitespace(&formatted) {
            failures.push(format!("{script}: more than whitespace changed"));
        }
        match format_source(&formatted) {
            Ok(again) if again == formatted => {}
            Ok(again) => failures.push(format!(
                "{script}: not idempotent\n--- once\n{formatted}--- twice\n{again}"
            )),
            Err(e) => failures.push(format!("{script}: formatted text fails: {e}")),
        }
    }
    assert!(formatted_count > 30, "only {formatted_count} scripts parse");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A small deterministic generator (xorshift64) for the spacing below.
struct Rng(u64);

impl Rng {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        from[(self.0 % from.len() as u64) as usize]
    }
}

/// `src` with the same tokens and comments but other whitespace: random
/// indentation, random spaces (never none where there was some, so no two
/// tokens merge, and some where there was none), and blank-line runs of
/// other lengths. It parses exactly when `src` does.
fn respaced(src: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut line_start = true;
    let mut prev_newline = false;
    for (piece, span) in pieces(src) {
        let text = &src[span.range()];
        if piece == Piece::Token(Token::Newline) {
            out.push('\n');
            if prev_newline {
                out.push_str(rng.pick(&["", "\n", "\n\n"]));
            }
            (line_start, prev_newline) = (true, true);
            continue;
        }
        let gap = if line_start {
            rng.pick(&["", "  ", "\t", "         "])
        } else if span.start > 0 && src[..span.start].ends_with([' ', '\t']) {
            rng.pick(&[" ", "  ", "\t "])
        } else {
            rng.pick(&["", "", " ", "   "])
        };
        out.push_str(gap);
        out.push_str(text);
        (line_start, prev_newline) = (false, false);
    }
    out
}

#[test]
fn the_style_does_not_depend_on_the_spacing_written() {
    let mut failures = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for script in all_scripts() {
        let Ok(src) = fs::read_to_string(root().join(&script)) else {
            continue;
        };
        let Ok(formatted) = format_source(&src) else {
            continue;
        };
        for _ in 0..4 {
            let other = respaced(&src, &mut rng);
            match format_source(&other) {
                Ok(f) if f == formatted => {}
                Ok(f) => {
                    failures.push(format!("{script}, respaced as\n{other}\nformats as\n{f}"));
                    break;
                }
                Err(e) => failures.push(format!("{script}, respaced as\n{other}\n{e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A formatted copy of a script, beside it (relative paths in the script
/// resolve the same) under a name the golden test does not collect; removed
/// when dropped.
struct Copy {
    path: String,
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = fs::remove_file(root().join(&self.path));
    }
}

/// Runs `script` the way tests/golden.rs does; returns exit code, stdout
/// and stderr with `rename` (the copy's path) written as `script`.
fn run_like_golden(script: &str, run_path: &str) -> (Option<i32>, String, String) {
    let src = fs::read_to_string(root().join(run_path)).unwrap_or_default();
    let first = src.lines().next().unwrap_or("");
    let out = if script.starts_with("tests/piped/") {
        gradlang(&[], Some(src.as_bytes()))
    } else if let Some(words) = first.strip_prefix("# command:") {
        let mut args: Vec<&str> = words.split_whitespace().collect();
        args.push(run_path);
        gradlang(&args, None)
    } else {
        let mut args = vec!["run"];
        args.extend(
            first
                .strip_prefix("# args:")
                .unwrap_or("")
                .split_whitespace(),
        );
        args.push(run_path);
        gradlang(&args, None)
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace(run_path, script);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The parts of rendered diagnostics that formatting must not change: the
/// lines outside the source excerpts, and the help lines, with every
/// `LINE:COL` masked.
fn diagnostic_words(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in stderr.lines() {
        let trimmed = line.trim_start();
        let inner = trimmed.strip_prefix('│').map(str::trim_start);
        let kept = match inner {
            Some(t) if t.starts_with("Help:") || t.starts_with("Note:") => t,
            _ if line.contains(['│', '╭', '╰', '─', '┬']) => continue,
            _ => line,
        };
        out.push(mask_positions(kept));
    }
    out
}

/// `12:5` becomes `L:C`.
fn mask_positions(line: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let digits = |from: usize| {
            chars[from..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let (a, start_ok) = (digits(i), i == 0 || !chars[i - 1].is_ascii_digit());
        if start_ok && a > 0 && chars.get(i + a) == Some(&':') {
            let b = digits(i + a + 1);
            if b > 0 {
                out.push_str("L:C");
                i += a + 1 + b;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[test]
fn formatted_scripts_run_the_same() {
    let scripts: Vec<String> = all_scripts()
        .into_iter()
        .filter(|s| {
            fs::read_to_string(root().join(s))
                .is_ok_and(|src| format_source(&src).is_ok_and(|f| f != src))
        })
        .collect();
    assert!(scripts.len() > 15, "only {} scripts change", scripts.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(script) =
                    scripts.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    if let Some(why) = compare_runs(script) {
                        failures.lock().expect("no worker panics").push(why);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("no worker panics");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn compare_runs(script: &str) -> Option<String> {
    let src = fs::read_to_string(root().join(script)).ok()?;
    let formatted = format_source(&src).ok()?;
    let copy = Copy {
        path: format!("{script}.fmt-run"),
    };
    fs::write(root().join(&copy.path), formatted).ok()?;
    let (code_a, out_a, err_a) = run_like_golden(script, script);
    let (code_b, out_b, err_b) = run_like_golden(script, &copy.path);
    if code_a != code_b || out_a != out_b {
        return Some(format!(
            "{script}: exit {code_a:?} vs {code_b:?} or stdout differs\n--- original\n{out_a}--- formatted\n{out_b}"
        ));
    }
    let (words_a, words_b) = (diagnostic_words(&err_a), diagnostic_words(&err_b));
    (words_a != words_b).then(|| {
        format!(
            "{script}: diagnostics differ\n--- original\n{}\n--- formatted\n{}",
            words_a.join("\n"),
            words_b.join("\n")
        )
    })
}

#[test]
fn a_script_that_does_not_parse_is_refused_as_check_reports_it() {
    let mut failures = Vec::new();
    let mut refused = 0;
    for script in all_scripts() {
        let bytes = fs::read(root().join(&script)).expect("readable");
        let parses = std::str::from_utf8(&bytes).is_ok_and(|s| gradlang::syntax::parse(s).is_ok());
        if parses {
            continue;
        }
        refused += 1;
        let fmt = gradlang(&["fmt", &script], None);
        let check = gradlang(&["check", &script], None);
        if fmt.status.code() != Some(1) || !fmt.stdout.is_empty() || fmt.stderr != check.stderr {
            failures.push(format!(
                "{script}: fmt exit {:?}, stderr:\n{}",
                fmt.status.code(),
                String::from_utf8_lossy(&fmt.stderr)
            ));
        }
        if fs::read(root().join(&script)).ok().as_ref() != Some(&bytes) {
            failures.push(format!("{script}: CHANGED by fmt; restore it with git"));
        }
    }
    assert!(refused > 10, "only {refused} scripts fail to parse");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn style_cases_match_their_formatted_goldens() {
    let bless =
        matches!(std::env::var("GRADLANG_BLESS").as_deref(), Ok(v) if !v.is_empty() && v != "0");
    let mut cases = Vec::new();
    scripts("tests/fmt", &mut cases);
    assert!(cases.len() >= 3, "tests/fmt has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let src = fs::read_to_string(root().join(&case)).expect("readable");
        let golden: PathBuf = root().join(case.replace(".gl", ".formatted"));
        let actual = match format_source(&src) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{case}: {e}"));
                continue;
            }
        };
        if bless {
            fs::write(&golden, &actual).expect("cannot write a golden");
            continue;
        }
        let expected = fs::read_to_string(&golden).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{case}:\n--- expected\n{expected}--- actual\n{actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A scratch directory of its own for a CLI test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fmt-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("cannot create a scratch directory");
    dir
}

const UGLY: &str = "let  x=1\nprint x*2 # twice\n";
const PRETTY: &str = "let x = 1\nprint x * 2  # twice\n";

fn path_str(p: &Path) -> &str {
    p.to_str().expect("scratch paths are UTF-8")
}

#[test]
fn check_lists_unformatted_files_writes_nothing_and_exits_1() {
    let dir = scratch("check");
    let (ugly, pretty) = (dir.join("ugly.gl"), dir.join("pretty.gl"));
    fs::write(&ugly, UGLY).expect("write");
    fs::write(&pretty, PRETTY).expect("write");

    let out = gradlang(
        &["fmt", "--check", path_str(&pretty), path_str(&ugly)],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", ugly.display())
    );
    assert!(out.stderr.is_empty());
    assert_eq!(fs::read_to_string(&ugly).expect("read"), UGLY);

    let out = gradlang(&["fmt", "--check", path_str(&pretty)], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn fmt_rewrites_files_in_place() {
    let dir = scratch("in-place");
    let (a, b) = (dir.join("a.gl"), dir.join("b.gl"));
    fs::write(&a, UGLY).expect("write");
    fs::write(&b, PRETTY).expect("write");
    let out = gradlang(&["fmt", path_str(&a), path_str(&b)], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert_eq!(fs::read_to_string(&a).expect("read"), PRETTY);
    assert_eq!(fs::read_to_string(&b).expect("read"), PRETTY);
}

#[test]
fn dash_filters_stdin_to_stdout() {
    let out = gradlang(&["fmt", "-"], Some(UGLY.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), PRETTY);

    let out = gradlang(&["fmt", "--check", "-"], Some(UGLY.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "<stdin>\n");

    let out = gradlang(&["fmt", "--check", "-"], Some(PRETTY.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_broken_or_missing_file_is_left_alone_with_an_error() {
    let dir = scratch("broken");
    let (broken, good) = (dir.join("broken.gl"), dir.join("good.gl"));
    let text = "let x = (1 +\nprint x\n";
    fs::write(&broken, text).expect("write");
    fs::write(&good, UGLY).expect("write");
    let out = gradlang(&["fmt", path_str(&broken), path_str(&good)], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[E0"), "{stderr}");
    assert_eq!(fs::read_to_string(&broken).expect("read"), text);
    // The others are formatted all the same.
    assert_eq!(fs::read_to_string(&good).expect("read"), PRETTY);

    let out = gradlang(&["fmt", path_str(&dir.join("missing.gl"))], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));

    let out = gradlang(&["fmt"], None);
    assert_eq!(out.status.code(), Some(2), "no file is a usage error");
}
