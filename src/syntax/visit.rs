//! A walk over the syntax tree that reports the names it meets, shared by
//! the evaluator (what a formula captures) and the lints (unused lets).

use super::ast::{Block, Else, Expr, ExprS, FnBody, Ident, IndexItem, Stmt, StmtS};
use super::span::Span;

/// What a walk reports; both methods default to doing nothing.
pub trait Visitor {
    /// A name read in an expression (or named by `minimize NAME`).
    fn read(&mut self, _name: &str, _span: Span) {}
    /// A `let` binding.
    fn let_binding(&mut self, _name: &Ident) {}
    /// A `param` declaration (`stmt` is the whole statement).
    fn param(&mut self, _name: &Ident, _stmt: Span) {}
    /// An expression statement, or a loop body's last expression: its
    /// value is dropped.
    fn dropped(&mut self, _e: &ExprS) {}
}

pub fn walk_stmt(s: &StmtS, v: &mut impl Visitor) {
    match &s.node {
        Stmt::Let { name, value } => {
            v.let_binding(name);
            walk_expr(value, v);
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
        }
        Stmt::Expr(value) => {
            v.dropped(value);
            walk_expr(value, v);
        }
        Stmt::Loss { value, .. } | Stmt::Seed(value) | Stmt::Save(value) | Stmt::Load(value) => {
            walk_expr(value, v)
        }
        Stmt::Param { name, init, bounds } => {
            v.param(name, s.span);
            walk_expr(init, v);
            if let Some((lo, hi)) = bounds {
                walk_expr(lo, v);
                walk_expr(hi, v);
            }
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
        Stmt::Fn { body, .. } => match &**body {
            FnBody::Expr(e) => walk_expr(e, v),
            FnBody::Block(b) => walk_block(b, v),
        },
        Stmt::For { range, body, .. } => {
            walk_expr(range, v);
            walk_loop_body(body, v);
        }
        Stmt::While { cond, body } => {
            walk_expr(cond, v);
            walk_loop_body(body, v);
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

/// A loop body: its last expression, if any, is dropped each round.
fn walk_loop_body(b: &Block, v: &mut impl Visitor) {
    if let Some(e) = &b.value {
        v.dropped(e);
    }
    walk_block(b, v);
}

pub fn walk_block(b: &Block, v: &mut impl Visitor) {
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
        Expr::Call { args, opts, .. } => {
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
