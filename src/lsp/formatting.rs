//! Formatting: the whole document in `gradlang fmt`'s canonical style
//! ([`crate::fmt::format_source`]), as one edit, or none when it is
//! already formatted. A script that does not parse is not formatted; the
//! request fails with the formatter's reason (its syntax errors are
//! already published as diagnostics).

use lsp_types::{Range, TextEdit};

use super::document::Document;

/// The edits that format `doc`, or why it cannot be formatted.
pub fn format(doc: &Document) -> Result<Vec<TextEdit>, String> {
    let formatted = crate::fmt::format_source(&doc.text).map_err(|e| e.to_string())?;
    if formatted == doc.text {
        return Ok(Vec::new());
    }
    let whole = Range::new(
        doc.lines.position(&doc.text, 0),
        doc.lines.position(&doc.text, doc.text.len()),
    );
    Ok(vec![TextEdit::new(whole, formatted)])
}
