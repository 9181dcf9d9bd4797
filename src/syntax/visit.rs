//! A walk over the syntax tree that reports the names it meets and the
//! scopes they live in, shared by the evaluator (what a formula captures),
//! the lints (unused lets) and the language server (what each name refers
//! to).

use super::ast::{Block, Else, Expr, ExprS, FnBody, Ident, IndexItem, Stmt, StmtS};
use super::span::Span;

/// What opens a scope (see [`Visitor::open_scope`]).
pub enum Scope<'a> {
    /// A block of `if`, `else`, `while` or `{ ... }`.
    Block,
    /// A function body: its parameters, and no names of the scopes around
    /// it but the top-level ones.
    Function(&'a [Ident]),
    /// A `for` body, with its loop variable.
    For(&'a Ident),
}

/// What a walk reports; every method defaults to doing nothing. Names
/// are reported in the order they take effect: a binding after its value,
/// so that `let x = x + 1` reads the `x` from before.
pub trait Visitor {
    /// A name read in an expression (or named by `minimize NAME`).
    fn read(&mut self, _name: &str, _span: Span) {}
    /// A `let` binding (`stmt` is the whole statement), after its value.
    fn let_binding(&mut self, _name: &Ident, _stmt: Span) {}
    /// A `param` declaration (`stmt` is the whole statement), after its
    /// value and bounds.
    fn param(&mut self, _name: &Ident, _stmt: Span) {}
    /// `loss NAME = ...`, or `loss = ...` with `name` None, after its value.
    fn loss(&mut self, _name: Option<&Ident>, _stmt: Span) {}
    /// `NAME = ...` (also `NAME += ...`, `NAME[i] = ...`), after its value.
    fn assigned(&mut self, _name: &Ident) {}
    /// The name called by a call, before its arguments.
    fn callee(&mut self, _name: &Ident) {}
    /// `fn NAME(params)`, before its body: the body may call it.
    fn function(&mut self, _name: &Ident, _params: &[Ident], _stmt: Span) {}
    /// A scope opens at `span`; [`Visitor::close_scope`] ends it.
    fn open_scope(&mut self, _span: Span, _scope: Scope<'_>) {}
    /// The innermost open scope ends.
    fn close_scope(&mut self) {}
    /// An expression statement, or a loop body's last expression: its
    /// value is dropped.
    fn dropped(&mut self, _e: &ExprS) {}
}

pub fn walk_stmt(s: &StmtS, v: &mut impl Visitor) {
    match &s.node {
        Stmt::Let { name, value } => {
            walk_expr(value, v);
            v.let_binding(name, s.span);
        }
        Stmt::Assign {
            name,
            index,
            op,
            value,
        } => {
            // `x += e` and `x[i] = e` read the old `x`.
            if op.is_some() || !index.is_empty() {
                v.read(&name.node, name.span);
            }
            walk_index(index, v);
            walk_expr(value, v);
            v.assigned(name);
        }
        Stmt::Expr(value) => {
            v.dropped(value);
            walk_expr(value, v);
        }
        Stmt::Loss { name, value, .. } => {
            walk_expr(value, v);
            v.loss(name.as_ref(), s.span);
        }
        Stmt::Seed(value) | Stmt::Save(value) | Stmt::Load(value) => walk_expr(value, v),
        Stmt::Param { name, init, bounds } => {
            walk_expr(init, v);
            if let Some((lo, hi)) = bounds {
                walk_expr(lo, v);
                walk_expr(hi, v);
            }
            v.param(name, s.span);
        }
        Stmt::Minimize { loss, opts, .. } => {
            if let Some(l) = loss {
                v.read(&l.node, l.span);
            }
            opts.iter().for_each(|o| walk_expr(&o.value, v));
        }
        Stmt::Print { args, opts } => {
            args.iter().for_each(|a| walk_expr(a, v));
            opts.iter().for_each(|o| walk_expr(&o.value, v));
        }
        Stmt::Fn { name, params, body } => {
            v.function(name, params, s.span);
            let span = match &**body {
                FnBody::Expr(e) => e.span,
                FnBody::Block(b) => b.span,
            };
            v.open_scope(span, Scope::Function(params));
            match &**body {
                FnBody::Expr(e) => walk_expr(e, v),
                FnBody::Block(b) => walk_block_items(b, v),
            }
            v.close_scope();
        }
        Stmt::For { var, range, body } => {
            walk_expr(range, v);
            v.open_scope(body.span, Scope::For(var));
            walk_loop_body(body, v);
            v.close_scope();
        }
        Stmt::While { cond, body } => {
            walk_expr(cond, v);
            v.open_scope(body.span, Scope::Block);
            walk_loop_body(body, v);
            v.close_scope();
        }
        Stmt::Break | Stmt::Continue => {}
        Stmt::Assert { cond, message } => {
            walk_expr(cond, v);
            if let Some(m) = message {
                walk_expr(m, v);
            }
        }
    }
}

/// A loop body, in the scope its loop opened: its last expression, if
/// any, is dropped each round.
fn walk_loop_body(b: &Block, v: &mut impl Visitor) {
    if let Some(e) = &b.value {
        v.dropped(e);
    }
    walk_block_items(b, v);
}

/// A block in a scope of its own.
pub fn walk_block(b: &Block, v: &mut impl Visitor) {
    v.open_scope(b.span, Scope::Block);
    walk_block_items(b, v);
    v.close_scope();
}

/// A block's statements and value, in the scope open now.
fn walk_block_items(b: &Block, v: &mut impl Visitor) {
    b.stmts.iter().for_each(|s| walk_stmt(s, v));
    if let Some(e) = &b.value {
        walk_expr(e, v);
    }
}

pub fn walk_expr(e: &ExprS, v: &mut impl Visitor) {
    match &e.node {
        Expr::Number(_) | Expr::Str(_) | Expr::Bool(_) => {}
        Expr::Name(n) => v.read(n, e.span),
        Expr::Tensor(items) => items.iter().for_each(|i| walk_expr(i, v)),
        Expr::Binary { lhs, rhs, .. }
        | Expr::Range {
            start: lhs,
            end: rhs,
        } => {
            walk_expr(lhs, v);
            walk_expr(rhs, v);
        }
        Expr::Unary { operand, .. } | Expr::Transpose(operand) => walk_expr(operand, v),
        Expr::Call { callee, args, opts } => {
            v.callee(callee);
            args.iter().for_each(|a| walk_expr(a, v));
            opts.iter().for_each(|o| walk_expr(&o.value, v));
        }
        Expr::Index { target, items } => {
            walk_expr(target, v);
            walk_index(items, v);
        }
        Expr::If {
            cond,
            then,
            otherwise,
        } => {
            walk_expr(cond, v);
            walk_block(then, v);
            match otherwise.as_deref() {
                Some(Else::Block(b)) => walk_block(b, v),
                Some(Else::If(e)) => walk_expr(e, v),
                None => {}
            }
        }
        Expr::Block(b) => walk_block(b, v),
    }
}

fn walk_index(items: &[IndexItem], v: &mut impl Visitor) {
    for item in items {
        match item {
            IndexItem::At(e) => walk_expr(e, v),
            IndexItem::Slice {
                start, end, step, ..
            } => [start, end, step]
                .into_iter()
                .flatten()
                .for_each(|e| walk_expr(e, v)),
        }
    }
}
