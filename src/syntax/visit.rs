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
}

pub fn walk_stmt(s: &StmtS, v: &mut impl Visitor) {
    match &s.node {
        Stmt::Let { name, value } => {
            v.let_binding(name);
            walk_expr(value, v);
        }
        Stmt::Assign { value, .. }
        | Stmt::Loss { value, .. }
        | Stmt::Seed(value)
        | Stmt::Expr(value) => walk_expr(value, v),
        Stmt::Param { init, bounds, .. } => {
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
            walk_block(body, v);
        }
        Stmt::Assert { cond, message } => {
            walk_expr(cond, v);
            if let Some(m) = message {
                walk_expr(m, v);
            }
        }
    }
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
            for item in items {
                match item {
                    IndexItem::At(e) => walk_expr(e, v),
                    IndexItem::Slice { start, end, .. } => {
                        start.iter().chain(end.iter()).for_each(|e| walk_expr(e, v))
                    }
                }
            }
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
