//! A name used before the line that declares it: common when a script is
//! reordered, or written top-down as in languages that hoist definitions.
//! The unknown-name (or unknown-function) error gains a label at the later
//! declaration, for `run` and `check` alike.

use super::EvalError;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Program, Stmt};
use crate::syntax::span::Span;

impl EvalError {
    /// This error, if it is an unknown name or function that `program`
    /// declares at its top level later on, wrapped to point at that
    /// declaration; otherwise unchanged. For an error inside a function
    /// call, "later" means after the outermost call (when the body ran).
    pub fn with_later_declaration(self, program: &Program) -> EvalError {
        let mut inner = &self;
        let mut at = None;
        while let EvalError::InCall { call, error, .. } = inner {
            at.get_or_insert(call.start);
            inner = error;
        }
        let (name, function, span) = match inner {
            EvalError::UnknownName { name, span, .. } => (name, false, span),
            EvalError::UnknownFunction { name, span, .. } => (name, true, span),
            _ => return self,
        };
        let after = at.unwrap_or(span.start);
        let declared = program.stmts.iter().find_map(|s| {
            let declared = match &s.node {
                Stmt::Fn { name, .. } if function => name,
                Stmt::Let { name, .. } | Stmt::Param { name, .. } if !function => name,
                Stmt::Loss {
                    name: Some(name), ..
                } if !function => name,
                _ => return None,
            };
            (declared.node == *name && declared.span.start > after).then_some(declared.span)
        });
        match declared {
            Some(declared) => EvalError::UsedBeforeDeclared {
                name: name.clone(),
                declared,
                error: Box::new(self),
            },
            None => self,
        }
    }
}

/// The words of [`EvalError::UsedBeforeDeclared`].
pub(super) fn used_before_declared(name: &str, declared: Span, error: &EvalError) -> Diagnostic {
    let mut d = error.to_diagnostic().with_label(
        declared,
        format!("`{name}` is declared here, after its use"),
    );
    d.help = Some(format!(
        "statements run from top to bottom: move this declaration of `{name}` above its first use"
    ));
    d
}
