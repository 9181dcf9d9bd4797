//! No input can panic gradlang: random and mutated scripts go through the
//! whole pipeline in-process — UTF-8 decoding, the parser, `gradlang check`,
//! the evaluator (including `minimize`), the diagnostic renderer and the
//! formatter (which must also be idempotent).
//!
//! Four kinds of input, from a fixed seed so a run is reproducible:
//! - scripts built from the grammar (statements and nested expressions over
//!   the real builtins, optimizers and options), mostly meaningful;
//! - models that declare before they use (params, a formula, a function,
//!   a scalar loss, `minimize` or `maximize` with a real optimizer and its
//!   options, then `grad`, `gradcheck`, `hessian`), so that most run to
//!   the end through the optimizers and the tape;
//! - the example scripts and error cases with a few token- and byte-level
//!   mutations (deletions, duplications, insertions, swaps, stray bytes);
//! - token soup: random sequences of the language's tokens.
//!
//! The budget is time, not a case count (`BUDGET`, or `GRADLANG_FUZZ_SECS`
//! to fuzz longer by hand, `GRADLANG_FUZZ_SEED` for other inputs); the test
//! prints how many inputs it tried. A failure is shrunk by proptest and
//! printed as a script.
//!
//! Work is kept bounded so that a legitimately slow script (a loop of a
//! billion steps) cannot stall the suite: numbers are cut to one digit and
//! exponents removed before running (see [`tame`]); parsing and checking
//! always see the untamed text.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gradlang::driver::{run_source, Reporter};
use gradlang::eval::Interp;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

/// How long the fuzz test runs in the normal suite.
const BUDGET: Duration = Duration::from_secs(3);
/// A single input that runs longer than this is reported as a hang.
const HANG: Duration = Duration::from_secs(20);
/// The evaluator runs on a thread with the CLI's stack size.
const STACK_BYTES: usize = 256 * 1024 * 1024;

// ---- what one input goes through ----

/// Runs `bytes` through check and run, rendering every diagnostic.
fn exercise(bytes: &[u8]) {
    let mut sink = Vec::new();
    let mut reporter = Reporter {
        err: &mut sink,
        color: false,
    };
    gradlang::check::check_source("fuzz.gl", bytes, &mut reporter);
    let tamed = tame(bytes);
    let mut interp = Interp::new(0, Box::new(std::io::sink()));
    // A `while` that never ends is the script's choice, not a hang of
    // gradlang's: the watchdog interrupts it, as Ctrl-C would.
    STOP.store(false, Ordering::SeqCst);
    interp.set_interrupt(STOP.clone());
    run_source(&mut interp, "fuzz.gl", &tamed, &mut reporter);
    // Colour goes through another branch of the renderer.
    let mut coloured = Reporter {
        err: &mut sink,
        color: true,
    };
    gradlang::check::check_source("fuzz.gl", bytes, &mut coloured);
    if let Ok(src) = std::str::from_utf8(bytes) {
        formats_safely(src);
    }
}

/// `gradlang fmt` refuses what does not parse, and formats what does without
/// changing its tokens (its own check would say so), idempotently.
fn formats_safely(src: &str) {
    use gradlang::fmt::{format_source, FormatError};
    match format_source(src) {
        Ok(once) => assert_eq!(format_source(&once).as_ref(), Ok(&once), "not idempotent"),
        Err(FormatError::Syntax(_)) => assert!(gradlang::syntax::parse(src).is_err()),
        Err(e) => panic!("{e}"),
    }
}

/// Bounds the work a script can ask for: every run of digits is cut to its
/// first digit, and an exponent marker after a digit becomes `*`, so every
/// literal is below 10 (loops, dims and steps stay small unless multiplied
/// up, which the generators rarely do).
fn tame(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    for &b in bytes {
        let after_digit = out.last().is_some_and(u8::is_ascii_digit);
        if b.is_ascii_digit() && after_digit {
            continue;
        }
        out.push(if after_digit && (b == b'e' || b == b'E') {
            b'*'
        } else {
            b
        });
    }
    out
}

// ---- generators ----

const NAMES: &[&str] = &["x", "y", "z", "w", "p", "q", "f", "g", "i", "loss", "a"];

/// Every builtin and calculus form, from the table the evaluator uses.
fn builtin_names() -> Vec<&'static str> {
    gradlang::eval::builtins::function_names().collect()
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(NAMES).prop_map(String::from)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u8..10).prop_map(|n| n.to_string()),
        Just("0.5".to_string()),
        Just(".5".to_string()),
        Just("1e-3".to_string()),
        Just("-1".to_string()),
        Just("2.5".to_string()),
    ]
}

/// Every option of a builtin, an optimizer, `minimize` and `print`, from
/// their tables, and one that is none of these.
fn option_name() -> impl Strategy<Value = String> {
    let builtins = gradlang::eval::builtins::all()
        .iter()
        .flat_map(|b| b.options);
    let optimizers = gradlang::optim::OPTIMIZERS
        .iter()
        .filter_map(|o| gradlang::optim::option_names(o))
        .flatten();
    let mut names: Vec<&str> = builtins.copied().chain(optimizers).collect();
    names.extend(gradlang::eval::DRIVER_OPTIONS);
    names.extend(["digits", "bogus"]);
    names.sort_unstable();
    names.dedup();
    prop::sample::select(names).prop_map(String::from)
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => number(),
        4 => name(),
        1 => Just("true".to_string()),
        1 => Just("\"s\"".to_string()),
        1 => Just("[]".to_string()),
        1 => Just("loss".to_string()),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        let builtins = builtin_names();
        prop_oneof![
            // binary operators
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "@", "^", "<", "<=", "==", "!=", "and", "or",
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("{a}.T")),
            // tensor literals, sometimes ragged
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[[{a}, {b}], [{b}, {a}]]")),
            // calls with options
            (
                prop::sample::select(builtins),
                prop::collection::vec(inner.clone(), 0..4),
                prop::option::of((option_name(), inner.clone())),
            )
                .prop_map(|(f, args, opt)| {
                    let mut items = args;
                    if let Some((k, v)) = opt {
                        items.push(format!("{k}={v}"));
                    }
                    format!("{f}({})", items.join(", "))
                }),
            (name(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            // indexing
            (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}]")),
            (inner.clone(), number(), number()).prop_map(|(a, i, j)| format!("{a}[{i}:{j}, :]")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{ {b} }}")),
            (name(), inner.clone(), inner.clone())
                .prop_map(|(n, a, b)| format!("{{ let {n} = {a}; {b} }}")),
        ]
    })
}

fn optimizer() -> impl Strategy<Value = String> {
    let mut names: Vec<&str> = gradlang::optim::OPTIMIZERS.to_vec();
    names.push("adma");
    prop::sample::select(names).prop_map(String::from)
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (name(), expr()).prop_map(|(n, e)| format!("let {n} = {e}")),
        3 => (name(), expr()).prop_map(|(n, e)| format!("param {n} = {e}")),
        1 => (name(), expr(), number(), number())
            .prop_map(|(n, e, lo, hi)| format!("param {n} = {e} in [{lo}, {hi}]")),
        2 => expr().prop_map(|e| format!("loss = {e}")),
        1 => (name(), expr()).prop_map(|(n, e)| format!("loss {n} = {e}")),
        1 => (name(), expr()).prop_map(|(n, e)| format!("{n} = {e}")),
        2 => (optimizer(), prop::collection::vec((option_name(), number()), 0..3), 0u8..6)
            .prop_map(|(o, opts, steps)| {
                let opts: Vec<String> = opts.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("minimize with {o} {} steps={steps}", opts.join(" "))
            }),
        1 => (name(), optimizer()).prop_map(|(n, o)| format!("maximize {n} with {o} steps=3")),
        3 => prop::collection::vec(expr(), 0..3).prop_map(|v| format!("print {}", v.join(", "))),
        1 => expr().prop_map(|e| format!("print {e}, digits=2")),
        2 => (name(), prop::collection::vec(name(), 0..3), expr())
            .prop_map(|(f, ps, e)| format!("fn {f}({}) = {e}", ps.join(", "))),
        1 => (name(), name(), expr())
            .prop_map(|(f, p, e)| format!("fn {f}({p}) {{ let t = {e}\n  t + {f}({p} - 1) }}")),
        1 => (name(), number(), expr())
            .prop_map(|(i, n, e)| format!("for {i} in 0..{n} {{ {i} = {e} }}")),
        1 => number().prop_map(|n| format!("seed {n}")),
        1 => expr().prop_map(|e| format!("assert {e}, \"message\"")),
        2 => expr(),
    ]
}

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(statement(), 1..8).prop_map(|v| v.join("\n"))
}

/// An expression over the params `p` and `q` and the value `a`, all of one
/// shape, so that most of these scripts run through `minimize`.
fn model_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["p", "q", "a", "0.5", "2", "1.5"]).prop_map(String::from),
    ];
    leaf.prop_recursive(4, 32, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (
                inner.clone(),
                prop::sample::select(vec!["2", "3", "0.5", "-1"])
            )
                .prop_map(|(a, k)| format!("{a}^{k}")),
            (
                prop::sample::select(vec![
                    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs",
                    "softplus", "sign",
                ]),
                inner.clone()
            )
                .prop_map(|(f, a)| format!("{f}({a})")),
            (
                prop::sample::select(vec!["max", "min", "pow"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            inner.clone().prop_map(|a| format!("clamp({a}, -1, 1)")),
            inner.clone().prop_map(|a| format!("f({a})")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("if sum({a}) > 0 {{ {a} }} else {{ {b} }}")),
            inner.clone().prop_map(|a| format!("(sum({a}) + 0 * {a})")),
        ]
    })
}

/// A script that declares before it uses: params, a formula, a function,
/// a scalar loss, a `minimize` with a real optimizer and options, then
/// derivatives and prints.
fn model() -> impl Strategy<Value = String> {
    let optimizers: Vec<(&str, &str)> = vec![
        ("sgd", "momentum=0.9 nesterov=1"),
        ("adam", "amsgrad=1"),
        ("adamw", "weight_decay=0.1"),
        ("nadam", "momentum_decay=0.004"),
        ("rmsprop", "centered=1 momentum=0.5"),
        ("adagrad", "lr_decay=0.1"),
        ("lbfgs", "line_search=\"strong_wolfe\""),
        ("newton", ""),
    ];
    (
        // Scalars, a short vector, and rows enough for the fused replay.
        prop::sample::select(vec![
            ("0.5", "1.5"),
            ("[0.5, 1.5]", "[1, 2]"),
            ("linspace(0.1, 1, 20)", "linspace(1, 2, 20)"),
            ("ones(20, 3) * 0.5", "reshape(linspace(1, 2, 60), [20, 3])"),
        ]),
        model_expr(),
        model_expr(),
        model_expr(),
        prop::sample::select(optimizers),
        0u8..5,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |((p0, q0), a, body, loss, (opt, extra), steps, bound, maximize)| {
                let bounds = if bound { " in [-2, 2]" } else { "" };
                let verb = if maximize { "maximize" } else { "minimize" };
                format!(
                    "param p = {p0}{bounds}\nparam q = {q0}\nlet a = p * q\n\
                 fn f(x) = {body}\nlet a = {a}\nloss = sum({loss})\n\
                 {verb} with {opt} lr=0.1 {extra} steps={steps} tol=0.001\n\
                 print p, q, loss\nprint grad(loss, p), gradcheck(loss, q)\n\
                 print hessian(loss, p)\n"
                )
            },
        )
}

/// Every token of the language, and some that are not.
/// Every keyword (from the table `:help` answers from, which a unit test
/// ties to the lexer), then operators, punctuation, names and broken input.
fn tokens() -> Vec<&'static str> {
    const OTHERS: &[&str] = &[
        "+", "-", "*", "/", "@", "^", "<", "<=", ">", ">=", "==", "!=", "=", "+=", "-=", "*=",
        "/=", ",", ";", ":", ".", "..", "(", ")", "[", "]", "{", "}", "\n", "x", "p", "f", "sum",
        "grad", "exp", "zeros", "adam", "steps", "lr", "axis", "T", "1", "0", "2.5", ".5", "1e-3",
        "\"s\"", "\"", "#c\n", "$", "é", "\u{0}", "\\", "**", "2x", "1e",
    ];
    gradlang::repl::help::KEYWORDS
        .iter()
        .map(|k| k.0)
        .chain(OTHERS.iter().copied())
        .collect()
}

fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(tokens()), 0..40).prop_map(|ts| {
        let mut s = String::new();
        for t in ts {
            s.push_str(t);
            s.push(' ');
        }
        s.into_bytes()
    })
}

/// One edit to a script.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, &'static str),
    Swap(usize),
    Byte(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..12).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 1usize..30).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (any::<usize>(), prop::sample::select(tokens())).prop_map(|(a, t)| Mutation::Insert(a, t)),
        any::<usize>().prop_map(Mutation::Swap),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Byte(a, b)),
    ]
}

fn apply(mut s: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = s.len();
        let at = |a: usize| if len == 0 { 0 } else { a % (len + 1) };
        match *m {
            Mutation::Delete(a, n) => {
                let a = at(a);
                s.drain(a..(a + n).min(len));
            }
            Mutation::Duplicate(a, n) => {
                let a = at(a);
                let piece = s[a..(a + n).min(len)].to_vec();
                s.splice(a..a, piece);
            }
            Mutation::Insert(a, t) => {
                let a = at(a);
                s.splice(a..a, t.bytes());
            }
            Mutation::Swap(a) if len >= 2 => {
                let a = a % (len - 1);
                s.swap(a, a + 1);
            }
            Mutation::Byte(a, b) if len > 0 => s[a % len] = b,
            _ => {}
        }
    }
    s
}

/// The example scripts and error cases: realistic starting points.
fn seeds() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples", "tests/errors"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "gl") {
                if let Ok(bytes) = std::fs::read(&path) {
                    out.push(bytes);
                }
            }
        }
    }
    out
}

fn input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let mutated = (
        prop::sample::select(seeds),
        prop::collection::vec(mutation(), 1..4),
    )
        .prop_map(|(s, m)| apply(s, &m));
    prop_oneof![
        4 => script().prop_map(String::into_bytes),
        2 => (script(), prop::collection::vec(mutation(), 1..3))
            .prop_map(|(s, m)| apply(s.into_bytes(), &m)),
        3 => model().prop_map(String::into_bytes),
        1 => (model(), prop::collection::vec(mutation(), 1..3))
            .prop_map(|(s, m)| apply(s.into_bytes(), &m)),
        3 => mutated,
        1 => token_soup(),
    ]
}

// ---- the test ----

#[test]
fn random_and_mutated_scripts_never_panic() {
    let budget = std::env::var("GRADLANG_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(BUDGET, Duration::from_secs);
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || fuzz(budget))
        .expect("cannot start the fuzz thread");
    let (tried, failures) = worker.join().expect("invariant: fuzz catches panics");
    eprintln!(
        "fuzz: {tried} inputs in {}s, {} distinct panics",
        budget.as_secs(),
        failures.len()
    );
    if !failures.is_empty() {
        panic!(
            "gradlang panicked on these inputs (shrunk):\n\n{}",
            failures.join("\n\n")
        );
    }
    assert!(tried > 0);
}

/// Runs inputs until `budget` is spent; returns how many and every
/// distinct failure (by panic message), shrunk.
fn fuzz(budget: Duration) -> (usize, Vec<String>) {
    let strategy = input(seeds());
    let config = Config {
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    };
    let seed: u8 = std::env::var("GRADLANG_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let tried = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let busy_since = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = spawn_watchdog(started, busy_since.clone(), done.clone());
    let mut failures: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while started.elapsed() < budget {
        let tree = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree,
            Err(_) => continue,
        };
        let current = tree.current();
        busy_since.store(started.elapsed().as_millis() as usize + 1, Ordering::SeqCst);
        watchdog_input(&current);
        let result = runner.run_one(tree, |bytes| {
            exercise(&bytes);
            Ok(())
        });
        busy_since.store(0, Ordering::SeqCst);
        tried.fetch_add(1, Ordering::Relaxed);
        if let Err(TestError::Fail(why, bytes)) = result {
            if seen.insert(why.to_string()) {
                failures.push(format!(
                    "{why}\n--- input ---\n{}",
                    String::from_utf8_lossy(&bytes)
                ));
            }
        }
    }
    done.store(true, Ordering::SeqCst);
    let _ = watchdog.join();
    (tried.load(Ordering::Relaxed), failures)
}

/// Set by the watchdog when an input has run longer than `PATIENCE`.
static STOP: std::sync::LazyLock<Arc<AtomicBool>> =
    std::sync::LazyLock::new(|| Arc::new(AtomicBool::new(false)));

/// How long an input runs before the watchdog interrupts it.
const PATIENCE: Duration = Duration::from_secs(1);

/// The input being run, for the watchdog to print.
static CURRENT: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

fn watchdog_input(bytes: &[u8]) {
    if let Ok(mut c) = CURRENT.lock() {
        c.clear();
        c.extend_from_slice(bytes);
    }
}

/// Interrupts an input that runs longer than `PATIENCE` (as Ctrl-C would),
/// and aborts the test process when one still runs after `HANG`, printing
/// it: a hang cannot be caught like a panic.
fn spawn_watchdog(
    started: Instant,
    busy_since: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(100));
            let since = busy_since.load(Ordering::SeqCst);
            if since == 0 {
                continue;
            }
            let now = started.elapsed().as_millis() as usize;
            if now.saturating_sub(since) > PATIENCE.as_millis() as usize {
                STOP.store(true, Ordering::SeqCst);
            }
            if now.saturating_sub(since) > HANG.as_millis() as usize {
                let input = CURRENT.lock().map(|c| c.clone()).unwrap_or_default();
                eprintln!(
                    "fuzz: an input ran longer than {}s:\n{}",
                    HANG.as_secs(),
                    String::from_utf8_lossy(&tame(&input))
                );
                std::process::abort();
            }
        }
    })
}
