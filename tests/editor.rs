//! The VS Code extension in editors/vscode: its grammar's word lists match
//! the tables the language runs on (keywords, builtins and calculus forms,
//! optimizers), so highlighting cannot fall behind a new builtin; and its
//! own tests (node's test runner over vscode-textmate, the engine VS Code
//! tokenizes with) run as part of `cargo test`. Node and npm are required:
//! a missing tool or a failing test fails here, with its output.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use gradlang::eval::builtins;
use gradlang::optim::OPTIMIZERS;
use gradlang::repl::help::KEYWORDS;
use serde_json::Value;

fn extension_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

fn grammar() -> Value {
    let path = extension_dir().join("syntaxes/gradlang.tmLanguage.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The word alternations `(a|b|c)` of a regex, each as its list of words:
/// the innermost groups made of nothing but words and `|`.
fn word_groups(regex: &str) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    for (open, _) in regex.match_indices('(') {
        let rest = &regex[open + 1..];
        let Some(close) = rest.find(')') else {
            continue;
        };
        let body = &rest[..close];
        let is_words = !body.is_empty()
            && body
                .split('|')
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if is_words {
            groups.push(body.split('|').map(str::to_string).collect());
        }
    }
    groups
}

/// The `match` regexes of a repository entry: its own, or its patterns'.
fn matches(rule: &Value) -> Vec<String> {
    let own = rule["match"].as_str().map(str::to_string);
    let nested = rule["patterns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["match"].as_str().map(str::to_string));
    own.into_iter().chain(nested).collect()
}

/// Fails with both lists and the alternation to paste when they differ.
fn assert_same_words(what: &str, in_grammar: Vec<String>, expected: Vec<&str>) {
    let found: BTreeSet<&str> = in_grammar.iter().map(String::as_str).collect();
    let want: BTreeSet<&str> = expected.iter().copied().collect();
    assert_eq!(
        found.len(),
        in_grammar.len(),
        "{what}: the grammar lists a word twice: {in_grammar:?}"
    );
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<_> = found.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} in editors/vscode/syntaxes/gradlang.tmLanguage.json differ from the language's table:\n  \
         missing: {missing:?}\n  not in the table: {extra:?}\n  the full list: {}",
        expected.join("|")
    );
}

#[test]
fn grammar_builtins_are_exactly_the_function_names() {
    let g = grammar();
    let groups: Vec<Vec<String>> = matches(&g["repository"]["builtins"])
        .iter()
        .flat_map(|m| word_groups(m))
        .collect();
    assert_eq!(groups.len(), 1, "one list of builtins expected: {groups:?}");
    let names = groups.into_iter().flatten().collect();
    assert_same_words("builtins", names, builtins::function_names().collect());
}

#[test]
fn grammar_keywords_are_exactly_the_keyword_table() {
    let g = grammar();
    let names = matches(&g["repository"]["keywords"])
        .iter()
        .flat_map(|m| word_groups(m))
        .flatten()
        .collect();
    assert_same_words("keywords", names, KEYWORDS.iter().map(|k| k.0).collect());
}

#[test]
fn grammar_optimizers_are_exactly_the_optimizer_table() {
    let g = grammar();
    let groups: Vec<Vec<String>> = matches(&g["repository"]["optimizer"])
        .iter()
        .flat_map(|m| word_groups(m))
        .collect();
    // `(with)` and then the optimizer names.
    let [with, names] = groups.as_slice() else {
        panic!("expected (with) and the optimizer list, found {groups:?}");
    };
    assert_eq!(with, &["with"]);
    assert_same_words("optimizers", names.clone(), OPTIMIZERS.to_vec());
}

/// Runs `program args` in the extension folder, failing loudly when it
/// cannot start or exits non-zero.
fn run(program: &str, args: &[&str]) -> Output {
    common::run_in(
        &extension_dir(),
        program,
        args,
        &[],
        "the editor tests need Node.js 20+ and npm (e.g. `apt-get install nodejs npm`)",
    )
}

/// `npm ci` unless node_modules was installed from this very lockfile: a
/// copy of the lockfile kept in node_modules after each install says so.
fn install_dependencies() {
    let dir = extension_dir();
    let lock = std::fs::read(dir.join("package-lock.json"))
        .unwrap_or_else(|e| panic!("editors/vscode/package-lock.json: {e}"));
    let stamp = dir.join("node_modules/.gradlang-lockstamp");
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return;
    }
    run("npm", &["ci", "--no-audit", "--no-fund"]);
    std::fs::write(&stamp, &lock).unwrap_or_else(|e| panic!("{}: {e}", stamp.display()));
}

#[test]
fn vscode_extension_tests_pass() {
    install_dependencies();
    let out = run("node", &["--test"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // node's runner exits 0 on no tests at all; there are over a hundred.
    let passed = stdout
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse::<usize>().ok());
    assert!(
        passed.is_some_and(|n| n >= 100),
        "node --test passed {passed:?} tests, expected 100 or more:\n{stdout}"
    );
}
