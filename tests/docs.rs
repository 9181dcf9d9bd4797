//! The documentation says exactly what the tool does: every code the
//! program can emit is documented, and nothing else is; every builtin and
//! calculus form is in the language reference, and nothing else is.

use std::collections::BTreeSet;

use gradlang::diagnostic::Code;
use gradlang::eval::builtins;

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The `### CODE — summary` headings of docs/errors.md, in order.
fn documented_codes() -> Vec<(String, String)> {
    read("docs/errors.md")
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .filter_map(|h| h.split_once(" — "))
        .map(|(c, s)| (c.to_string(), s.to_string()))
        .collect()
}

#[test]
fn errors_md_documents_exactly_the_codes() {
    let documented = documented_codes();
    let table: Vec<(String, String)> = Code::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.summary().to_string()))
        .collect();
    assert_eq!(
        documented, table,
        "docs/errors.md's headings must list Code::ALL (src/diagnostic/codes.rs) in order, with the same summaries"
    );
}

/// The functions a section of docs/language.md documents: every
/// `` `name(`` in the first column of its tables headed `| Signature |`,
/// from the `## heading` to the next `## `.
fn documented_functions(heading: &str) -> BTreeSet<String> {
    let text = read("docs/language.md");
    let start = text
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("docs/language.md has no `## {heading}`"));
    let section = &text[start + 1..];
    let end = section[3..].find("\n## ").map_or(section.len(), |k| k + 3);
    let mut names = BTreeSet::new();
    let mut signatures = false;
    for row in section[..end].lines() {
        if !row.starts_with('|') {
            signatures = false;
            continue;
        }
        let first = row.split('|').nth(1).unwrap_or_default();
        if first.trim() == "Signature" {
            signatures = true;
        }
        if !signatures {
            continue;
        }
        for code in first.split('`').skip(1).step_by(2) {
            if let Some((name, _)) = code.split_once('(') {
                names.insert(name.to_string());
            }
        }
    }
    names
}

#[test]
fn language_md_lists_exactly_the_builtins() {
    let table: BTreeSet<String> = builtins::all().iter().map(|b| b.name.into()).collect();
    assert_eq!(
        documented_functions("Builtins"),
        table,
        "docs/language.md's Builtins tables must list exactly the builtin table (src/eval/builtins/mod.rs), one `name(...)` per builtin in the first column"
    );
}

#[test]
fn language_md_lists_exactly_the_calculus_forms() {
    let forms: BTreeSet<String> = builtins::calculus().iter().map(|f| f.name.into()).collect();
    assert_eq!(documented_functions("Calculus"), forms);
}
