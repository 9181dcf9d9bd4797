//! The documentation says exactly what the tool does: every code the
//! program can emit is documented, and nothing else is; every builtin and
//! calculus form is in the language reference, and nothing else is. And the
//! repository is self-contained: no file refers to documents outside it,
//! and every relative link in the Markdown docs leads to a file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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
        "docs/language.md's Builtins tables must list exactly the builtin table (src/eval/builtins/table.rs), one `name(...)` per builtin in the first column"
    );
}

#[test]
fn language_md_lists_exactly_the_calculus_forms() {
    let forms: BTreeSet<String> = builtins::calculus().iter().map(|f| f.name.into()).collect();
    assert_eq!(documented_functions("Calculus"), forms);
}

/// Every file under `dirs` (recursively) and the `files`, relative to the
/// repository root.
fn repository_files(dirs: &[&str], files: &[&str]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
    for dir in dirs {
        walk(&root.join(dir), &mut out);
    }
    out.sort();
    out
}

#[test]
fn no_file_refers_to_documents_outside_the_repository() {
    // The project began beside a folder of shared documents; what it needs
    // from them now lives in docs/ (design.md, kinks.md, printing.md,
    // optimizers.md) and benches/peers/. Each pattern is split in two so
    // that this file does not match itself.
    let patterns: Vec<String> = [["../", "shared"], ["shared", "/refs"], ["LANGUAGE", ".md"]]
        .iter()
        .map(|p| p.concat())
        .collect();
    let files = repository_files(
        &["src", "docs", "tests", "examples", "benches"],
        &["README.md", "CONTRIBUTING.md"],
    );
    assert!(files.len() > 100, "found only {} files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let text = String::from_utf8_lossy(&bytes);
        for (n, line) in text.lines().enumerate() {
            for pattern in patterns.iter().filter(|p| line.contains(p.as_str())) {
                found.push(format!("{}:{}: `{pattern}`", file.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files refer to documents outside the repository; point them at docs/:\n{}",
        found.join("\n")
    );
}

#[test]
fn markdown_links_lead_to_files() {
    let files = repository_files(&["docs"], &["README.md", "CONTRIBUTING.md"]);
    let mut broken = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
    {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // `[text](target)`: the target up to the closing parenthesis.
        for target in text.split("](").skip(1).filter_map(|t| t.split_once(')')) {
            let target = target.0.split('#').next().unwrap_or_default();
            if target.is_empty() || target.contains("://") {
                continue;
            }
            let dir = file.parent().expect("a file has a parent folder");
            if !dir.join(target).exists() {
                broken.push(format!("{}: ({target})", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
