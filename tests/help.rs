//! `:help NAME` answers for every builtin, calculus form, keyword,
//! optimizer (with each option's default) and error code, from the same
//! tables the program runs on. The help function is called directly; the
//! pty tests in tests/repl.rs show it is wired to the `:help` command.

use gradlang::diagnostic::Code;
use gradlang::eval::builtins;
use gradlang::optim::{self, OPTIMIZERS};
use gradlang::repl::help::{self, KEYWORDS};
use gradlang::syntax::lexer::is_keyword;

/// The help on `name`, both parts, or a failure naming it.
fn help_on(name: &str) -> String {
    match help::topic(name) {
        Ok((form, text)) => format!("{form}\n{text}"),
        Err(why) => panic!("`:help {name}` gives no answer: {why}"),
    }
}

#[test]
fn every_builtin_has_its_signature_summary_and_options() {
    for b in builtins::all() {
        let text = help_on(b.name);
        assert!(text.starts_with(b.signature), "{text}");
        assert!(text.contains(b.summary), "{text}");
        for o in b.options {
            assert!(text.contains(&format!("{o}=")), "{text}");
        }
    }
}

#[test]
fn every_calculus_form_has_its_signature_and_summary() {
    assert!(!builtins::calculus().is_empty());
    for f in builtins::calculus() {
        let text = help_on(f.name);
        assert!(text.starts_with(f.signature), "{text}");
        assert!(text.contains(f.summary), "{text}");
    }
    assert!(help_on("grad").starts_with("grad(y, p)"));
}

#[test]
fn every_keyword_says_how_it_is_written() {
    for (name, usage, what) in KEYWORDS {
        let text = help_on(name);
        assert!(text.starts_with(usage) && text.contains(what), "{text}");
        assert!(usage.contains(name), "{name}: {usage}");
    }
    for loops in ["while", "break", "continue"] {
        assert!(KEYWORDS.iter().any(|k| k.0 == loops), "{loops}");
    }
}

/// The other direction: every keyword the lexer knows that the language
/// reference mentions has an entry.
#[test]
fn every_keyword_in_the_reference_has_help() {
    let path = format!("{}/docs/language.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let words = doc.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    for w in words.filter(|w| is_keyword(w)) {
        assert!(
            KEYWORDS.iter().any(|k| k.0 == w),
            "no help for keyword `{w}`"
        );
    }
}

/// Whether `text` has a line `name   value`.
fn has_row(text: &str, name: &str, value: &str) -> bool {
    text.lines().any(|l| {
        l.trim_start()
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(' ') && rest.trim() == value)
    })
}

#[test]
fn every_optimizer_lists_each_option_with_its_default() {
    for name in OPTIMIZERS {
        let text = help_on(name);
        let specs = optim::options(name).unwrap_or_else(|| panic!("{name} has no table"));
        assert!(!specs.is_empty(), "{name}");
        for spec in specs {
            let default = spec.default.to_string();
            assert!(
                has_row(&text, spec.name, &default),
                "{name}: no row `{} {default}` in\n{text}",
                spec.name
            );
        }
        assert!(text.contains("steps="), "{text}");
    }
    // torch's defaults, from the torch.optim documentation.
    assert!(help_on("adamw")
        .lines()
        .any(|l| l.split_whitespace().eq(["weight_decay", "0.01"])));
    assert!(help_on("adagrad")
        .lines()
        .any(|l| l.split_whitespace().eq(["lr", "0.01"])));
}

#[test]
fn every_error_code_gives_its_summary() {
    for code in Code::ALL {
        let text = help_on(code.as_str());
        assert!(text.contains(code.summary()), "{text}");
        assert_eq!(help_on(&code.as_str().to_lowercase()), text);
    }
}

#[test]
fn unknown_topics_suggest_a_near_one() {
    let why = help::topic("clamb").expect_err("clamb is not a topic");
    assert!(why.contains("did you mean `clamp`"), "{why}");
    let why = help::topic("whiel").expect_err("whiel is not a topic");
    assert!(why.contains("did you mean `while`"), "{why}");
}
