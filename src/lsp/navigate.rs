//! Go to definition, find references and rename, over the [`Index`]: a
//! top-level name is one symbol wherever it is defined or read (function
//! bodies included), a local one is its own. Rename refuses what would
//! not be a valid name, a name already visible where the symbol is used,
//! and the unnamed loss, whose name is the keyword.

use std::collections::HashMap;

use lsp_types::{Location, Range, TextEdit, Uri, WorkspaceEdit};

use super::document::Document;
use super::index::Index;
use crate::syntax::lexer::is_keyword;

/// Where the name at `offset` is defined (several places for a top-level
/// name read in a function body before any of its definitions).
pub fn definition(doc: &Document, uri: &Uri, offset: usize) -> Vec<Location> {
    let Some((span, symbol)) = doc.index.at(offset) else {
        return Vec::new();
    };
    doc.index
        .definitions(symbol, span.start)
        .into_iter()
        .map(|d| Location::new(uri.clone(), doc.range(doc.index.defs[d].span)))
        .collect()
}

/// Every place the name at `offset` is read or assigned, and defined if
/// `declarations`.
pub fn references(doc: &Document, uri: &Uri, offset: usize, declarations: bool) -> Vec<Location> {
    let Some((_, symbol)) = doc.index.at(offset) else {
        return Vec::new();
    };
    doc.index
        .occurrences(symbol, declarations)
        .into_iter()
        .map(|span| Location::new(uri.clone(), doc.range(span)))
        .collect()
}

/// The range of the name at `offset`, if it can be renamed, or why not.
pub fn prepare_rename(doc: &Document, offset: usize) -> Result<Range, String> {
    let (span, _) = renamable(&doc.index, offset)?;
    Ok(doc.range(span))
}

/// The edits that rename the name at `offset` to `new_name`.
pub fn rename(
    doc: &Document,
    uri: &Uri,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let (_, symbol) = renamable(&doc.index, offset)?;
    let valid = new_name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{new_name}` is not a name: names are letters, digits and `_`, not starting with a digit"
        ));
    }
    if is_keyword(new_name) {
        return Err(format!(
            "`{new_name}` is a keyword and cannot name anything"
        ));
    }
    let spans = doc.index.occurrences(symbol, true);
    // A name already visible where the renamed one is used would be
    // captured, or would capture it.
    let taken = spans.iter().find_map(|span| {
        doc.index
            .visible_at(span.start)
            .into_iter()
            .find(|d| d.name == new_name && d.symbol != symbol)
    });
    if let Some(def) = taken {
        let line = doc.lines.position(&doc.text, def.span.start).line + 1;
        return Err(format!(
            "`{new_name}` is already a {} here (defined on line {line}); choose another name",
            def.kind.describe()
        ));
    }
    let edits = spans
        .into_iter()
        .map(|span| TextEdit::new(doc.range(span), new_name.to_string()))
        .collect();
    Ok(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)])))
}

/// The occurrence at `offset` and its symbol, if rename applies to it.
fn renamable(index: &Index, offset: usize) -> Result<(crate::syntax::span::Span, usize), String> {
    let (span, symbol) = index
        .at(offset)
        .ok_or("there is no param, let, loss, function or variable here to rename")?;
    if index.symbols[symbol].name == "loss" {
        return Err(
            "the unnamed loss is written with the keyword `loss`; to rename it, name it: `loss NAME = ...`"
                .to_string(),
        );
    }
    Ok((span, symbol))
}
