//! Warnings found by reading a script without running it.

use crate::diagnostic::Code;
use std::collections::HashSet;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Ident, Program};
use crate::syntax::span::Span;
use crate::syntax::visit::{walk_stmt, Visitor};

/// W0002: `let` names that nothing reads. Names starting with `_` are
/// exempt (the usual way to say "unused on purpose").
pub fn unused_lets(program: &Program) -> Vec<Diagnostic> {
    #[derive(Default)]
    struct Uses {
        lets: Vec<(String, Span)>,
        reads: HashSet<String>,
    }
    impl Visitor for Uses {
        fn read(&mut self, name: &str, _span: Span) {
            self.reads.insert(name.to_string());
        }
        fn let_binding(&mut self, name: &Ident) {
            self.lets.push((name.node.clone(), name.span));
        }
    }
    let mut uses = Uses::default();
    program.stmts.iter().for_each(|s| walk_stmt(s, &mut uses));
    uses.lets
        .into_iter()
        .filter(|(name, _)| !name.starts_with('_') && !uses.reads.contains(name))
        .map(|(name, span)| {
            Diagnostic::warning(
                Code::W0002,
                format!("`{name}` is never used"),
                span,
                "defined here, read nowhere",
            )
            .with_help(format!(
                "remove it, or name it `_{name}` if that is intended"
            ))
        })
        .collect()
}
