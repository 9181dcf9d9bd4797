//! Warnings found by reading a script without running it.

use std::collections::HashSet;

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{Expr, ExprS, Ident, Program, Stmt, StmtS, UnOp};
use crate::syntax::span::Span;
use crate::syntax::visit::{walk_stmt, Visitor};

/// Every warning found by reading a whole script (not a REPL input), in
/// source order.
pub fn script_warnings(program: &Program) -> Vec<Diagnostic> {
    let mut all = unused_lets(program);
    all.extend(hidden_params(program));
    all.extend(discarded_values(program));
    all.sort_by_key(|d| d.primary.0.start);
    all
}

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
        fn let_binding(&mut self, name: &Ident, _stmt: Span) {
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

/// W0004: `param p = ...` inside a block (a loop body, an `if`), where `p`
/// is a top-level param: it declares a new param local to the block, so the
/// outer one never changes, which is rarely what a training loop means.
pub fn hidden_params(program: &Program) -> Vec<Diagnostic> {
    let mut top = HashSet::new();
    let mut out = Vec::new();
    for stmt in &program.stmts {
        match &stmt.node {
            Stmt::Param { name, .. } => {
                top.insert(name.node.clone());
            }
            _ => nested_params(stmt, &mut |name, span| {
                if top.contains(name) {
                    out.push(
                        Diagnostic::warning(
                            Code::W0004,
                            format!("this `param {name}` hides the top-level param `{name}`"),
                            span,
                            "declares a new param, local to this block",
                        )
                        .with_help(format!(
                            "to change the outer param's value, drop `param`: `{name} = ...` or `{name} -= ...`"
                        )),
                    )
                }
            }),
        }
    }
    out
}

/// Calls `found` for every `param` declared inside the blocks of `stmt`.
fn nested_params(stmt: &StmtS, found: &mut impl FnMut(&str, Span)) {
    struct Params<'a, F>(&'a mut F);
    impl<F: FnMut(&str, Span)> Visitor for Params<'_, F> {
        fn param(&mut self, name: &Ident, stmt: Span) {
            (self.0)(&name.node, stmt)
        }
    }
    walk_stmt(stmt, &mut Params(found));
}

/// W0005: an expression statement whose value a script drops without a
/// word (`x * 2` on a line of its own, or a line `- 0.5 * x` meant to
/// continue the one above). Calls of user functions, `if` and blocks are
/// run for their effects and are not reported; the REPL shows values and
/// does not use this.
pub fn discarded_values(program: &Program) -> Vec<Diagnostic> {
    struct Drops(Vec<Diagnostic>);
    impl Visitor for Drops {
        fn dropped(&mut self, e: &ExprS) {
            if let Some(d) = discarded(e) {
                self.0.push(d);
            }
        }
    }
    let mut drops = Drops(Vec::new());
    program.stmts.iter().for_each(|s| walk_stmt(s, &mut drops));
    drops.0
}

fn discarded(e: &ExprS) -> Option<Diagnostic> {
    let pure = match &e.node {
        Expr::If { .. } | Expr::Block(_) => false,
        Expr::Call { callee, .. } => crate::eval::builtins::is_function(&callee.node),
        _ => true,
    };
    if !pure {
        return None;
    }
    let warning = Diagnostic::warning(
        Code::W0005,
        "this value is computed and then dropped",
        e.span,
        "nothing uses this value",
    );
    Some(if starts_with_minus(e) {
        warning.with_help(crate::syntax::error::continue_line_help("`-`"))
    } else {
        warning.with_help("to show it, write `print ...`; to keep it, `let NAME = ...`")
    })
}

/// Whether `e` is written starting with a unary `-` (`- 0.5 * x` parses
/// as `(-0.5) * x`).
fn starts_with_minus(e: &ExprS) -> bool {
    match &e.node {
        Expr::Unary { op: UnOp::Neg, .. } => true,
        Expr::Binary { lhs, .. } => starts_with_minus(lhs),
        _ => false,
    }
}
