//! `gradlang check` finds what `run` would, without running: for every
//! error golden (tests/errors/*.gl), `check` on the same script must report
//! the error `run` stopped at, with the same code at the same line and
//! column, unless finding it needs evaluation. Which codes need evaluation
//! is data here, with the reason, so a new code must be placed.

use std::path::Path;
use std::process::Command;

use gradlang::diagnostic::Code;

/// Codes whose errors only evaluation can find, and why.
const NEEDS_EVALUATION: &[(&str, &str)] = &[
    ("E0212", "a NaN or infinity comes from the numbers computed"),
    ("E0213", "an assertion tests computed values"),
    ("E0214", "recursion depth depends on values (the base case)"),
    ("E0215", "reading a file happens when the script runs"),
    (
        "E0242",
        "which params a file holds is known once `load` reads it",
    ),
    ("E0226", "a formula chain grows with loop iterations run"),
    ("E0227", "an interrupt happens while running"),
    (
        "E0250",
        "only `export --jax` refuses it; `run` and `check` accept it",
    ),
    (
        "E0251",
        "only `export --jax` refuses it; `run` and `check` accept it",
    ),
    (
        "E0252",
        "only `export --jax` refuses it; `run` and `check` accept it",
    ),
    (
        "E0228",
        "which formulas read each other follows the assignments run",
    ),
    (
        "E0236",
        "which params a loss reaches is known once it is evaluated",
    ),
    (
        "E0237",
        "whether a least-squares fit ran, and of which params, follows the statements run",
    ),
];

/// Cases of codes `check` otherwise finds whose error here depends on
/// values computed while running, and why.
const VALUE_DEPENDENT: &[(&str, &str)] = &[
    (
        "E0206_param_update_bounds",
        "a param's value after the updates run before",
    ),
    (
        "E0201_declared_after_call",
        "which globals exist when a body runs follows the order calls run",
    ),
    (
        "E0206_not_positive_definite",
        "whether a matrix factors depends on its entries",
    ),
    (
        "E0206_singular",
        "whether a matrix factors depends on its entries",
    ),
    (
        "E0206_singular_logdet",
        "whether a matrix factors depends on its entries",
    ),
    (
        "E0229_array_separated",
        "whether an index tensor is a mask or positions depends on its values",
    ),
    (
        "E0229_fraction_in_index_array",
        "an index tensor's entries are read when it is used",
    ),
    (
        "E0229_mask_or_positions",
        "whether an index tensor is a mask or positions depends on its values",
    ),
    (
        "E0229_mask_wrong_shape",
        "whether an index tensor is a mask or positions depends on its values",
    ),
    (
        "E0206_stderr_of_an_expression",
        "whether an argument is a param's own value is known when it is evaluated",
    ),
    (
        "E0229_two_index_arrays",
        "whether an index tensor is a mask or positions depends on its values",
    ),
    (
        "E0241_over_formula",
        "whether a `let` is data or a formula depends on what it reads when it runs",
    ),
];

/// Goldens `check` misses today that are another branch's work; each must
/// fail here, so the entry is removed once it is fixed.
const PENDING: &[(&str, &str)] = &[];

/// The first `[CODE]` of a rendered report and the `L:C` of its header.
fn first_error(text: &str) -> Option<(String, String)> {
    let mut lines = text.lines();
    let code = lines.find_map(|l| {
        let rest = l.strip_prefix("[E")?;
        let (digits, _) = rest.split_once(']')?;
        Some(format!("E{digits}"))
    })?;
    let header = lines.find(|l| l.trim_start().starts_with("╭─["))?;
    let inside = header
        .trim()
        .trim_start_matches("╭─[")
        .trim_end_matches(']')
        .trim();
    let mut parts = inside.rsplitn(3, ':');
    let col = parts.next()?;
    let line = parts.next()?;
    Some((code, format!("{line}:{col}")))
}

/// Every `[CODE]` with its `L:C`, in the order reported.
fn all_errors(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((code, at)) = first_error(rest) {
        out.push((code, at));
        // Move past this report's header to look for the next one.
        match rest.find("╭─[") {
            Some(k) => rest = &rest[k + "╭─[".len()..],
            None => break,
        }
    }
    out
}

#[test]
fn check_reports_the_error_run_stops_at() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut scripts: Vec<_> = std::fs::read_dir(root.join("tests/errors"))
        .expect("cannot list tests/errors")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gl"))
        .collect();
    scripts.sort();
    assert!(scripts.len() > 50, "found only {} scripts", scripts.len());
    let mut failures = Vec::new();
    let mut pending_seen = Vec::new();
    for script in &scripts {
        let stem = script
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let golden = std::fs::read_to_string(script.with_extension("golden"))
            .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
        let Some((code, at)) = first_error(&golden) else {
            failures.push(format!("{stem}: no `[CODE]` and header in the golden"));
            continue;
        };
        if NEEDS_EVALUATION.iter().any(|(c, _)| *c == code)
            || VALUE_DEPENDENT.iter().any(|(s, _)| *s == stem)
        {
            continue;
        }
        let relative = format!("tests/errors/{stem}.gl");
        let out = Command::new(env!("CARGO_BIN_EXE_gradlang"))
            .args(["check", &relative])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .output()
            .expect("cannot run gradlang");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let found = all_errors(&stderr);
        let reported = found.contains(&(code.clone(), at.clone()));
        let pending = PENDING.iter().any(|(s, _)| *s == stem);
        match (reported, pending) {
            (true, false) => {}
            (false, true) => pending_seen.push(stem.to_string()),
            (true, true) => failures.push(format!(
                "{stem}: now found by check; remove it from PENDING"
            )),
            (false, false) => failures.push(format!(
                "{stem}: run stops at [{code}] {at}; check reports {found:?}"
            )),
        }
    }
    for (stem, _) in PENDING {
        if !pending_seen.iter().any(|s| s == stem) && !failures.iter().any(|f| f.starts_with(stem))
        {
            failures.push(format!("{stem}: in PENDING but no such golden"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_evaluation_codes_exist() {
    for (code, why) in NEEDS_EVALUATION {
        assert!(Code::parse(code).is_some(), "{code} ({why}) is no code");
    }
}

#[test]
fn reports_are_parsed() {
    let text = "[E0205] Error: cannot add\n   ╭─[ tests/errors/x.gl:4:9 ]\n   │\n\
                [E0201] Error: unknown\n   ╭─[ a:b.gl:10:2 ]\n";
    assert_eq!(
        all_errors(text),
        vec![
            ("E0205".to_string(), "4:9".to_string()),
            ("E0201".to_string(), "10:2".to_string())
        ]
    );
}
