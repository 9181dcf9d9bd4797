//! `gradlang check`, expressions: names, operators, indexing, calls and
//! the calculus forms, each giving what is known of its value.

use super::shapes::{self, Abs};
use super::{Checker, Entry, Kind};
use crate::diagnostic::did_you_mean;
use crate::eval::builtins;
use crate::eval::env::FnDef;
use crate::eval::error::{self, EvalError, NotAParam};
use crate::eval::subscript::{array_entry, item_span, slice_part, step_zero};
use crate::syntax::ast::{BinOp, Else, Expr, ExprS, FnBody, Ident, IndexItem, Opt, UnOp};
use crate::syntax::span::Span;

impl Checker {
    pub(super) fn expr(&mut self, e: &ExprS) -> Abs {
        match &e.node {
            Expr::Number(x) => Abs::scalar(Some(*x)),
            Expr::Bool(b) => Abs::scalar(Some(if *b { 1.0 } else { 0.0 })),
            Expr::Str(_) => {
                self.error(EvalError::StringAsValue { span: e.span });
                Abs::unknown()
            }
            Expr::Name(name) => self.read(name, e.span),
            Expr::Tensor(items) => self.tensor(items),
            Expr::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                let (a, b) = (self.expr(lhs), self.expr(rhs));
                let shape = if *op == BinOp::MatMul {
                    shapes::matmul(&a, &b)
                } else {
                    shapes::broadcast(&a, &b)
                };
                match shape {
                    Ok(shape) => Abs {
                        value: shapes::fold(*op, &a, &b),
                        shape,
                        entries: None,
                    },
                    Err(err) => {
                        let op_name = format!("`{}`", op.symbol());
                        self.error(error::op_error(
                            err,
                            &op_name,
                            *op_span,
                            (lhs.span, rhs.span),
                        ));
                        Abs::unknown()
                    }
                }
            }
            Expr::Unary { op, operand } => {
                let a = self.expr(operand);
                match op {
                    UnOp::Neg => Abs {
                        value: a.value.map(|v| -v),
                        shape: a.shape,
                        entries: a.entries.map(|e| e.iter().map(|v| -v).collect()),
                    },
                    UnOp::Not => Abs {
                        value: a.value.map(|v| if v == 0.0 { 1.0 } else { 0.0 }),
                        shape: a.shape,
                        entries: None,
                    },
                }
            }
            Expr::Call { callee, args, opts } => self.call(callee, args, opts, e.span),
            Expr::Index { target, items } => self.index(target, items),
            Expr::Transpose(x) => {
                let a = self.expr(x);
                Abs::shaped(a.shape.map(|mut s| {
                    s.reverse();
                    s
                }))
            }
            Expr::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                if let Some(shape) = c.shape.filter(|s| !s.is_empty()) {
                    self.error(EvalError::NotScalar {
                        span: cond.span,
                        what: "an `if` condition".into(),
                        shape,
                    });
                }
                // Inside a call walked with known arguments, a branch that
                // may not run reports nothing: what the arguments cause
                // there might never happen (`if len(x) == 2 { x + [1, 2] }`).
                let taken = c.value.map(|v| v != 0.0);
                let specific = self.calls.specific();
                self.uncertain += 1;
                let a = self.quietly(specific && taken != Some(true), |me| {
                    me.in_block(|me| me.block_stmts(then))
                });
                let quiet = specific && taken != Some(false);
                let b = match otherwise.as_deref() {
                    Some(Else::Block(b)) => {
                        Some(self.quietly(quiet, |me| me.in_block(|me| me.block_stmts(b))))
                    }
                    Some(Else::If(e)) => Some(self.quietly(quiet, |me| me.expr(e))),
                    None => None,
                };
                self.uncertain -= 1;
                match (taken, b) {
                    (Some(true), _) => Abs::shaped(a.shape),
                    (Some(false), Some(b)) => Abs::shaped(b.shape),
                    (None, Some(b)) if a.shape == b.shape => Abs::shaped(a.shape),
                    _ => Abs::unknown(),
                }
            }
            Expr::Block(b) => self.in_block(|me| me.block_stmts(b)),
            Expr::Range { start, end } => {
                self.expr(start);
                self.expr(end);
                Abs::unknown()
            }
        }
    }

    pub(super) fn read(&mut self, name: &str, span: Span) -> Abs {
        match self.lookup(name) {
            Some(Entry {
                kind: Kind::Fn(_), ..
            }) => {
                self.error(EvalError::FunctionAsValue {
                    span,
                    name: name.into(),
                });
                Abs::unknown()
            }
            Some(entry) => entry.abs,
            None if let Some(v) = builtins::constant(name) => Abs::scalar(Some(v)),
            None if builtins::is_function(name) => {
                self.error(EvalError::FunctionAsValue {
                    span,
                    name: name.into(),
                });
                Abs::unknown()
            }
            None => {
                let names = self.visible_names();
                let suggestion =
                    did_you_mean(name, names.iter().map(String::as_str)).map(String::from);
                self.error(EvalError::UnknownName {
                    name: name.into(),
                    span,
                    suggestion,
                });
                Abs::unknown()
            }
        }
    }

    pub(super) fn tensor(&mut self, items: &[ExprS]) -> Abs {
        let rows: Vec<Abs> = items.iter().map(|i| self.expr(i)).collect();
        let shapes: Option<Vec<Vec<usize>>> = rows.iter().map(|r| r.shape.clone()).collect();
        let Some(shapes) = shapes else {
            return Abs::unknown();
        };
        let Some(inner) = shapes.first() else {
            return Abs::shaped(Some(vec![0]));
        };
        if let Some(k) = shapes.iter().position(|s| s != inner) {
            self.error(EvalError::ragged(
                (items[0].span, inner.clone()),
                (items[k].span, shapes[k].clone()),
            ));
            return Abs::unknown();
        }
        if inner.is_empty() {
            if let Some(entries) = rows.iter().map(|r| r.value).collect() {
                return Abs::vector(entries);
            }
        }
        let mut shape = vec![items.len()];
        shape.extend(inner);
        Abs::shaped(Some(shape))
    }

    /// `target[items]`: the shape when every index is a known number or
    /// slice; an index tensor (positions or a mask) leaves it unknown.
    pub(super) fn index(&mut self, target: &ExprS, items: &[IndexItem]) -> Abs {
        let t = self.expr(target);
        self.subscript(target.span, t.shape, items)
    }

    /// What `items` pick from a value of `shape` written at `target` (an
    /// indexing expression, or the entries an assignment sets).
    pub(super) fn subscript(
        &mut self,
        target: Span,
        shape: Option<Vec<usize>>,
        items: &[IndexItem],
    ) -> Abs {
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            parts.push(match item {
                IndexItem::At(e) => (Some(self.expr(e)), None, None, None),
                IndexItem::Slice {
                    start, end, step, ..
                } => {
                    let mut known = |e: &Option<Box<ExprS>>| e.as_ref().map(|e| self.expr(e));
                    (None, known(start), known(end), known(step))
                }
            });
        }
        let Some(shape) = shape else {
            return Abs::unknown();
        };
        if items.len() > shape.len() {
            self.error(EvalError::TooManyIndices {
                span: item_span(&items[shape.len()]),
                given: items.len(),
                target: (target, shape),
            });
            return Abs::unknown();
        }
        let mut out = Vec::new();
        for (axis, (item, part)) in items.iter().zip(&parts).enumerate() {
            let len = shape[axis];
            match (item, part) {
                (IndexItem::At(e), (Some(at), ..)) => {
                    if at.shape.as_ref().is_none_or(|s| !s.is_empty()) {
                        // Written out in the brackets, it lists positions.
                        if let (Expr::Tensor(_), Some(entries)) = (&e.node, &at.entries) {
                            let bad = entries.iter().enumerate().find_map(|(k, &v)| {
                                array_entry((k, v), e.span, (target, &shape), axis).err()
                            });
                            if let Some(err) = bad {
                                self.error(err);
                            }
                        }
                        return Abs::unknown();
                    }
                    // A fraction or a huge number, as the evaluator reads it.
                    if let Some(Err(err)) = at
                        .value
                        .map(|v| builtins::whole_number(v, e.span, "an index"))
                    {
                        self.error(err);
                        return Abs::unknown();
                    }
                    if let Some(i) = at.integer() {
                        let j = if i < 0 { i + len as i64 } else { i };
                        if !(0..len as i64).contains(&j) {
                            self.error(EvalError::IndexOutOfRange {
                                span: e.span,
                                index: i,
                                axis,
                                len,
                                entry: None,
                                target: (target, shape.clone()),
                            });
                            return Abs::unknown();
                        }
                    }
                }
                (IndexItem::Slice { step: s, .. }, (_, start, end, step)) => {
                    let known = |b: &Option<Abs>| b.as_ref().map(Abs::integer);
                    let step = known(step).unwrap_or(Some(1));
                    if let (Some(0), Some(s)) = (step, s) {
                        self.error(step_zero(s.span, target, &shape));
                        return Abs::unknown();
                    }
                    match (known(start), known(end), step) {
                        (Some(None), ..) | (_, Some(None), _) | (_, _, None) => {
                            return Abs::unknown()
                        }
                        (a, b, Some(step)) => {
                            out.push(slice_part(len, a.flatten(), b.flatten(), step).count())
                        }
                    }
                }
                (IndexItem::At(_), _) => return Abs::unknown(),
            }
        }
        out.extend_from_slice(&shape[items.len()..]);
        Abs::shaped(Some(out))
    }

    pub(super) fn call(&mut self, callee: &Ident, args: &[ExprS], opts: &[Opt], span: Span) -> Abs {
        let name = callee.node.as_str();
        if let Some(Entry {
            kind: Kind::Fn(def),
            ..
        }) = self.lookup(name)
        {
            if let Some(o) = opts.first() {
                self.unknown_option(o, &format!("`{name}`"), &[]);
            }
            let arity_ok = args.len() == def.params.len();
            if !arity_ok {
                self.error(error::fn_arity(&def, args, callee.span));
            } else if let (false, Some(e)) = (self.effect_call == Some(span), no_value(&def)) {
                self.error(e.in_call(span, name));
            }
            let values: Vec<Abs> = args.iter().map(|a| self.expr(a)).collect();
            for o in opts {
                self.expr(&o.value);
            }
            if !arity_ok || !opts.is_empty() {
                return Abs::unknown();
            }
            return self.call_body(&def, values, span);
        }
        if builtins::calculus().iter().any(|f| f.name == name) {
            return self.calculus(name, callee, args, opts);
        }
        let Some(builtin) = builtins::lookup(name) else {
            let mut candidates: Vec<String> =
                builtins::function_names().map(String::from).collect();
            candidates.extend(self.visible_names());
            let suggestion =
                did_you_mean(name, candidates.iter().map(String::as_str)).map(String::from);
            self.error(EvalError::UnknownFunction {
                name: name.into(),
                span: callee.span,
                suggestion,
            });
            for a in args {
                self.expr(a);
            }
            return Abs::unknown();
        };
        let mut ok = true;
        if !builtin.arity.accepts(args.len()) {
            self.error(builtin.arity_error(args, callee.span));
            ok = false;
        }
        for o in opts {
            if !builtin.options.contains(&o.name.node.as_str()) {
                self.unknown_option(o, &format!("`{name}`"), builtin.options);
                ok = false;
            }
        }
        let mut values = Vec::with_capacity(args.len());
        for (k, a) in args.iter().enumerate() {
            let value = match &a.node {
                // `csv` reads its path; everything else needs a value.
                Expr::Str(_) if name == "csv" && k == 0 => None,
                _ => Some(self.expr(a)),
            };
            values.push((value, a.span));
        }
        let mut options = Vec::with_capacity(opts.len());
        for o in opts {
            options.push((o.name.node.clone(), Some(self.expr(&o.value)), o.value.span));
        }
        if !ok {
            return Abs::unknown();
        }
        let site = shapes::Site {
            call: span,
            callee: callee.span,
        };
        match shapes::builtin(builtin, &values, &options, site) {
            Ok(abs) => abs,
            Err(e) => {
                self.error(e);
                Abs::unknown()
            }
        }
    }

    /// `grad(y, p)`, `jacobian(y, p)`, `hessian(y, p)`, `gradcheck(y, p)`.
    pub(super) fn calculus(
        &mut self,
        name: &str,
        callee: &Ident,
        args: &[ExprS],
        opts: &[Opt],
    ) -> Abs {
        for a in args.iter().skip(2) {
            self.expr(a);
        }
        if args.len() != 2 {
            self.error(EvalError::Arity {
                name: name.into(),
                span: callee.span,
                expected: "2 arguments, an expression and a param".into(),
                found: args.len(),
                signature: Some(format!("{name}(y, p)")),
                defined: None,
                extra: error::extra_args(args, 2),
            });
            if let Some(y) = args.first() {
                self.expr(y);
            }
            return Abs::unknown();
        }
        if let Some(o) = opts.first() {
            self.unknown_option(o, &format!("`{name}`"), &[]);
        }
        let (y, p) = (&args[0], &args[1]);
        let param = self.param_of(p);
        let root = self.expr(y);
        if let Some(what) = crate::eval::calculus::scalar_y(name) {
            if let Some(shape) = root.shape.clone().filter(|s| !s.is_empty()) {
                self.error(EvalError::NotScalar {
                    span: y.span,
                    what: what.into(),
                    shape,
                });
            }
        }
        let Some(shape) = param.and_then(|p| p.shape) else {
            return Abs::unknown();
        };
        match name {
            "grad" => Abs::shaped(Some(shape)),
            "jacobian" => Abs::shaped(root.shape.map(|y| [y, shape].concat())),
            "hessian" => Abs::shaped(Some([shape.clone(), shape].concat())),
            _ => Abs::scalar(None),
        }
    }

    /// What the evaluator's `param_of` finds for `p`; the param's value.
    pub(super) fn param_of(&mut self, p: &ExprS) -> Option<Abs> {
        let Expr::Name(n) = &p.node else {
            self.expr(p);
            self.error(EvalError::GradOfNonParam {
                span: p.span,
                what: NotAParam::Expression,
            });
            return None;
        };
        let what = match self.lookup(n) {
            Some(Entry {
                kind: Kind::Param,
                abs,
            }) => return Some(abs),
            Some(Entry {
                kind: Kind::Fn(_), ..
            }) => NotAParam::Function(n.clone()),
            Some(_) => NotAParam::Let(n.clone()),
            None if builtins::is_function(n) => NotAParam::Function(n.clone()),
            None => {
                self.read(n, p.span);
                return None;
            }
        };
        self.error(EvalError::GradOfNonParam { span: p.span, what });
        None
    }
}

/// The error every call of `def` ends in when its body is a block without
/// a final expression (`fn f(x) { print x }`), as the evaluator words it.
fn no_value(def: &FnDef) -> Option<EvalError> {
    let FnBody::Block(b) = &*def.body else {
        return None;
    };
    b.value.is_none().then(|| EvalError::NoValue {
        span: b.stmts.last().map_or(b.span, |s| s.span),
        function: Some(def.name.clone()),
    })
}
