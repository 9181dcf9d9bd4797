//! The one place errors and warnings become text. Each phase's error enum
//! turns itself into a [`Diagnostic`] (next to the enum, so the words live
//! with the cases); this module renders it with ariadne against the source.

use crate::syntax::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A rendered-later description of one problem in a script.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `E0101`; listed in docs/errors.md.
    pub code: &'static str,
    /// One plain sentence: what went wrong.
    pub title: String,
    /// The exact span and what to say there.
    pub primary: (Span, String),
    /// Facts behind the error, each at its own span.
    pub secondary: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
    /// Extra lines (e.g. values that went into a failing operation).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, title: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            title: title.into(),
            primary: (span, label.into()),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, title: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, title, span, label) }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}
