//! Which params an expression reaches, through the formulas and functions
//! it uses: a loss's params are the flat vector its `minimize` optimizes,
//! and an expression that reaches none is data gradlang computes once.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::translate::Kind;
use crate::syntax::ast::{Block, Else, Expr, ExprS, FnBody, IndexItem, Stmt};

/// A function as the exporter keeps it: its parameter names and body.
pub struct FnInfo {
    pub params: Vec<String>,
    pub body: Rc<FnBody>,
}

/// The top-level names seen so far and what they mean.
#[derive(Default)]
pub struct Scope {
    pub kinds: HashMap<String, Kind>,
    pub formulas: HashMap<String, ExprS>,
    pub fns: HashMap<String, FnInfo>,
    /// Params in declaration order (a redeclared one keeps its place).
    pub params: Vec<String>,
}

impl Scope {
    /// The params `e` reaches, in declaration order.
    pub fn params_of(&self, e: &ExprS) -> Vec<String> {
        let mut found = HashSet::new();
        let mut seen = HashSet::new();
        self.reach(e, &[], &mut found, &mut seen);
        self.params
            .iter()
            .filter(|p| found.contains(*p))
            .cloned()
            .collect()
    }

    fn reach(
        &self,
        e: &ExprS,
        locals: &[String],
        found: &mut HashSet<String>,
        seen: &mut HashSet<String>,
    ) {
        let mut names = Vec::new();
        collect(e, &mut names);
        for n in names {
            if locals.contains(&n) || !seen.insert(n.clone()) {
                continue;
            }
            match self.kinds.get(&n) {
                Some(Kind::Param) => {
                    found.insert(n);
                }
                Some(Kind::Formula) => {
                    if let Some(f) = self.formulas.get(&n) {
                        self.reach(f, &[], found, seen);
                    }
                }
                Some(Kind::Fn) => {
                    if let Some(info) = self.fns.get(&n) {
                        let mut own = info.params.clone();
                        match &*info.body {
                            FnBody::Expr(b) => self.reach(b, &own, found, seen),
                            FnBody::Block(b) => {
                                for s in &b.stmts {
                                    if let Stmt::Let { name, value } = &s.node {
                                        own.push(name.node.clone());
                                        self.reach(value, &own, found, seen);
                                    } else if let Stmt::Expr(v) = &s.node {
                                        self.reach(v, &own, found, seen);
                                    }
                                }
                                if let Some(v) = &b.value {
                                    self.reach(v, &own, found, seen);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Every name `e` reads or calls (locals of its blocks included; the
/// caller skips those it knows).
fn collect(e: &ExprS, out: &mut Vec<String>) {
    match &e.node {
        Expr::Number(_) | Expr::Str(_) | Expr::Bool(_) => {}
        Expr::Name(n) => out.push(n.clone()),
        Expr::Tensor(items) => items.iter().for_each(|i| collect(i, out)),
        Expr::Binary { lhs, rhs, .. }
        | Expr::Range {
            start: lhs,
            end: rhs,
        } => {
            collect(lhs, out);
            collect(rhs, out);
        }
        Expr::Unary { operand, .. } | Expr::Transpose(operand) => collect(operand, out),
        Expr::Call { callee, args, opts } => {
            out.push(callee.node.clone());
            args.iter().for_each(|a| collect(a, out));
            opts.iter().for_each(|o| collect(&o.value, out));
        }
        Expr::Index { target, items } => {
            collect(target, out);
            for item in items {
                match item {
                    IndexItem::At(i) => collect(i, out),
                    IndexItem::Slice {
                        start, end, step, ..
                    } => [start, end, step]
                        .into_iter()
                        .flatten()
                        .for_each(|i| collect(i, out)),
                }
            }
        }
        Expr::If {
            cond,
            then,
            otherwise,
        } => {
            collect(cond, out);
            block(then, out);
            match otherwise.as_deref() {
                Some(Else::Block(b)) => block(b, out),
                Some(Else::If(i)) => collect(i, out),
                None => {}
            }
        }
        Expr::Block(b) => block(b, out),
    }
}

fn block(b: &Block, out: &mut Vec<String>) {
    for s in &b.stmts {
        match &s.node {
            Stmt::Let { value, .. } | Stmt::Expr(value) | Stmt::Assign { value, .. } => {
                collect(value, out)
            }
            _ => {}
        }
    }
    if let Some(v) = &b.value {
        collect(v, out);
    }
}
