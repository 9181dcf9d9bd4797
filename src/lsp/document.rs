//! An open document and what the server knows of it, recomputed on every
//! change: the parse (with what was recovered around syntax errors), the
//! diagnostics `gradlang check` would print, and the [`Index`] of its
//! names. Nothing is evaluated.

use std::collections::HashMap;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use super::index::Index;
use super::text::LineIndex;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Program;
use crate::syntax::span::Span;

/// A document as the editor has it.
pub struct Document {
    pub text: String,
    pub version: i32,
    pub lines: LineIndex,
    /// The program, when the parser could finish (possibly around errors).
    pub program: Option<Program>,
    /// What `gradlang check` reports: the syntax errors if there are any,
    /// else its errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    pub index: Index,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let (program, syntax_errors) = crate::syntax::parse_recovering(&text);
        let (diagnostics, shapes) = match &program {
            Some(p) if syntax_errors.is_empty() => {
                let analysis = crate::check::analyze(p);
                (
                    crate::check::diagnostics(&analysis.errors, p),
                    analysis.shapes,
                )
            }
            _ => (
                syntax_errors.iter().map(|e| e.to_diagnostic()).collect(),
                HashMap::new(),
            ),
        };
        let index = match &program {
            Some(p) => Index::build(p, &shapes, text.len()),
            None => Index::default(),
        };
        Document {
            lines: LineIndex::new(&text),
            text,
            version,
            program,
            diagnostics,
            index,
        }
    }

    /// The document after `changes` (whole texts or ranges, in order).
    pub fn changed(&self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) -> Document {
        let mut text = self.text.clone();
        for change in changes {
            match change.range {
                Some(range) => {
                    let lines = LineIndex::new(&text);
                    let start = lines.offset(&text, range.start);
                    let end = lines.offset(&text, range.end).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        Document::new(text, version)
    }

    /// The byte offset of `pos`, clamped to the text.
    pub fn offset(&self, pos: Position) -> usize {
        self.lines.offset(&self.text, pos)
    }

    pub fn range(&self, span: Span) -> Range {
        self.lines.range(&self.text, span)
    }

    /// The index to complete names at `offset` from: the document's own,
    /// or, when the parser could not finish (typing usually leaves the
    /// current line unfinished), that of the text without that line.
    pub fn index_near(&self, offset: usize) -> std::borrow::Cow<'_, Index> {
        if self.program.is_some() {
            return std::borrow::Cow::Borrowed(&self.index);
        }
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        // Blanks keep every offset where it was.
        let mut text = self.text.clone();
        text.replace_range(start..end, &" ".repeat(end - start));
        match crate::syntax::parse_recovering(&text).0 {
            Some(p) => std::borrow::Cow::Owned(Index::build(&p, &HashMap::new(), text.len())),
            None => std::borrow::Cow::Borrowed(&self.index),
        }
    }
}
