//! The documentation says exactly what the tool does: every code the
//! program can emit is documented, and nothing else is.

use gradlang::diagnostic::Code;

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
