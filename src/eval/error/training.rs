//! Errors of the training workflow — mini-batches (`batch=`, `over=`) and
//! `save` / `load` of params — with their codes and words, kept together so
//! that error.rs only lists them as one case.

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::span::Span;

/// A training-workflow error.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainingError {
    /// Two `over=` bindings whose first axes differ: (name, where it is
    /// named in `over`, rows) of the first binding and of the other one.
    BatchRows {
        first: (String, Span, usize),
        other: (String, Span, usize),
    },
    /// An `over=` that does not name data with rows, or `batch` and `over`
    /// given one without the other.
    BadBatch {
        span: Span,
        message: String,
        label: String,
        help: String,
    },
    /// A param a loaded file lacks, or holds with another shape.
    LoadParam {
        span: Span,
        message: String,
        label: String,
        help: String,
    },
    /// A file `save` could not write.
    Write {
        span: Span,
        path: String,
        reason: String,
    },
}

impl TrainingError {
    /// The stable code, listed in docs/errors.md.
    pub fn code(&self) -> Code {
        match self {
            TrainingError::BatchRows { .. } => Code::E0240,
            TrainingError::BadBatch { .. } => Code::E0241,
            TrainingError::LoadParam { .. } => Code::E0242,
            TrainingError::Write { .. } => Code::E0215,
        }
    }

    /// The error as a diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            TrainingError::BatchRows { first, other } => Diagnostic::error(
                code,
                format!(
                    "the batched data `{}` has {} rows but `{}` has {}",
                    other.0, other.2, first.0, first.2
                ),
                other.1,
                format!("{} rows", other.2),
            )
            .with_label(first.1, format!("{} rows", first.2))
            .with_help("every name in `over` is split along its first axis into the same rows, so each needs one row per example"),
            TrainingError::BadBatch {
                span,
                message,
                label,
                help,
            }
            | TrainingError::LoadParam {
                span,
                message,
                label,
                help,
            } => Diagnostic::error(code, message.clone(), *span, label.clone()).with_help(help.clone()),
            TrainingError::Write { span, path, reason } => Diagnostic::error(
                code,
                format!("cannot write `{path}`: {reason}"),
                *span,
                "this file",
            )
            .with_help("name a `.safetensors` or `.json` file in a folder that exists and can be written; paths are relative to the script's folder"),
        }
    }
}
