//! Expressions: names, operators, literals, indexing, `if`, blocks and calls.

use std::rc::Rc;

use super::env::{Binding, Formula};
use super::error::EvalError;
use super::{Interp, MAX_CALL_DEPTH, MAX_NESTING};
use crate::autodiff::{BinaryFn, CompareFn, NodeId, OpError, UnaryFn};
use crate::syntax::ast::{BinOp, Block, Else, Expr, ExprS, FnBody, UnOp};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

impl Interp {
    /// Evaluates an expression that must have a value.
    pub(crate) fn eval(&mut self, e: &ExprS) -> Result<NodeId, EvalError> {
        match self.eval_maybe(e)? {
            Some(id) => Ok(id),
            None => Err(EvalError::NoValue {
                span: e.span,
                function: None,
            }),
        }
    }

    /// Evaluates an expression; blocks and `if` without `else` may have no value.
    pub(crate) fn eval_maybe(&mut self, e: &ExprS) -> Result<Option<NodeId>, EvalError> {
        let prev = self.tape.set_span(e.span);
        let result = self.eval_inner(e);
        self.tape.set_span(prev);
        result
    }

    fn eval_inner(&mut self, e: &ExprS) -> Result<Option<NodeId>, EvalError> {
        let id = match &e.node {
            Expr::Number(x) => self.tape.scalar(*x),
            Expr::Bool(b) => self.tape.scalar(if *b { 1.0 } else { 0.0 }),
            Expr::Str(_) => return Err(EvalError::StringAsValue { span: e.span }),
            Expr::Name(name) => self.read_name(name, e.span)?,
            Expr::Tensor(items) => self.tensor_literal(items, e.span)?,
            Expr::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, lhs, rhs, *op_span)?,
            Expr::Unary {
                op: UnOp::Neg,
                operand,
            } => {
                let x = self.eval(operand)?;
                self.tape.unary(UnaryFn::Neg, x)
            }
            Expr::Unary {
                op: UnOp::Not,
                operand,
            } => {
                let x = self.eval(operand)?;
                let zero = self.tape.scalar(0.0);
                self.tape.compare(CompareFn::Eq, x, zero).map_err(|e| {
                    self.op_error(e, "`not`", operand.span, (operand.span, operand.span))
                })?
            }
            Expr::Call { callee, args, opts } => self.call(callee, args, opts, e.span)?,
            Expr::Index { target, items } => self.index(target, items)?,
            Expr::Transpose(x) => {
                let x = self.eval(x)?;
                self.tape.transpose(x)
            }
            Expr::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.eval_condition(cond)?;
                return if c {
                    self.eval_block(then)
                } else {
                    match otherwise.as_deref() {
                        Some(Else::Block(b)) => self.eval_block(b),
                        Some(Else::If(e)) => self.eval_maybe(e),
                        None => Ok(None),
                    }
                };
            }
            Expr::Block(b) => return self.eval_block(b),
            Expr::Range { .. } => {
                return Err(EvalError::Misplaced {
                    span: e.span,
                    message: "a range `a..b` can only follow `for ... in`".into(),
                    help: Some("for a tensor of the numbers, use `arange(a, b)`".into()),
                })
            }
        };
        Ok(Some(id))
    }

    pub(crate) fn eval_block(&mut self, block: &Block) -> Result<Option<NodeId>, EvalError> {
        self.scopes.push_block();
        self.in_expr += 1;
        let result = self.exec_block_stmts(block);
        self.in_expr -= 1;
        self.scopes.pop_block();
        result
    }

    pub(crate) fn eval_condition(&mut self, cond: &ExprS) -> Result<bool, EvalError> {
        let id = self.eval(cond)?;
        match self.tape.decide(id) {
            Tensor::Scalar(v) => Ok(*v != 0.0),
            t => Err(EvalError::NotScalar {
                span: cond.span,
                what: "an `if` condition".into(),
                shape: t.shape().to_vec(),
            }),
        }
    }

    fn read_name(&mut self, name: &str, span: Span) -> Result<NodeId, EvalError> {
        let binding = match self.scopes.lookup(name) {
            Some(b) => b.clone(),
            None if let Some(v) = super::builtins::constant(name) => {
                return Ok(self.tape.scalar(v));
            }
            None if super::builtins::is_function(name) => {
                return Err(EvalError::FunctionAsValue {
                    span,
                    name: name.into(),
                })
            }
            None => {
                let suggestion = crate::diagnostic::did_you_mean(name, self.scopes.visible_names())
                    .map(String::from);
                return Err(EvalError::UnknownName {
                    name: name.into(),
                    span,
                    suggestion,
                });
            }
        };
        match binding {
            Binding::Data(t) => {
                self.note_data_read(&t, span);
                Ok(self.tape.constant((*t).clone()))
            }
            Binding::Node(id) => Ok(id),
            Binding::Param(i) => Ok(self.param_leaf(i)),
            Binding::Formula(f) => self.eval_formula(&f),
            Binding::Fn(_) => Err(EvalError::FunctionAsValue {
                span,
                name: name.into(),
            }),
        }
    }

    /// The leaf of param `i` in this tape epoch.
    pub(crate) fn param_leaf(&mut self, i: usize) -> NodeId {
        let epoch = self.tape.epoch();
        if let Some((e, id)) = self.params[i].leaf.get() {
            if e == epoch {
                return id;
            }
        }
        let id = self.tape.leaf(self.params[i].value.clone(), i);
        self.params[i].leaf.set(Some((epoch, id)));
        id
    }

    pub(crate) fn eval_formula(&mut self, f: &Rc<Formula>) -> Result<NodeId, EvalError> {
        let epoch = self.tape.epoch();
        if let Some((e, id)) = f.cache.get() {
            if e == epoch {
                return Ok(id);
            }
        }
        // Names are looked up when a formula is evaluated, so two formulas
        // can come to read each other (`a = b + 1` after `let b = a * 2`).
        if f.busy.replace(true) {
            return Err(EvalError::CircularFormula { span: f.expr.span });
        }
        let result = self.nested_scope(f.captured.clone(), f.expr.span, false, |me| {
            let value = me.eval(&f.expr)?;
            match &f.residual {
                Some(node) => {
                    node.set(Some(value));
                    me.sum_of_squares(value, f.expr.span)
                }
                None => Ok(value),
            }
        });
        f.busy.set(false);
        let id = result?;
        f.cache.set(Some((epoch, id)));
        Ok(id)
    }

    /// The sum of the squares of `r`'s entries: a `residual`'s loss.
    fn sum_of_squares(&mut self, r: NodeId, span: Span) -> Result<NodeId, EvalError> {
        let squares = self
            .tape
            .binary(BinaryFn::Mul, r, r)
            .map_err(|e| self.op_error(e, "`*`", span, (span, span)))?;
        Ok(self.tape.sum(squares, None))
    }

    /// Runs `body` as a function body or formula: its own locals, nested mode.
    pub(crate) fn nested_scope<T>(
        &mut self,
        locals: Vec<(String, Binding)>,
        span: Span,
        call: bool,
        body: impl FnOnce(&mut Self) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        // Calls are limited to catch runaway recursion; formula chains (a
        // top-level loop accumulating a param-dependent value) only by the
        // stack they need.
        if call && self.calls >= MAX_CALL_DEPTH {
            return Err(EvalError::RecursionTooDeep {
                span,
                limit: MAX_CALL_DEPTH,
            });
        }
        if self.nested >= MAX_NESTING {
            return Err(EvalError::FormulaTooDeep {
                span,
                limit: MAX_NESTING,
            });
        }
        self.nested += 1;
        self.calls += usize::from(call);
        let old = self.scopes.push_barrier(locals);
        let result = body(self);
        self.scopes.pop_barrier(old);
        self.calls -= usize::from(call);
        self.nested -= 1;
        result
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &ExprS,
        rhs: &ExprS,
        span: Span,
    ) -> Result<NodeId, EvalError> {
        let a = self.eval(lhs)?;
        let b = self.eval(rhs)?;
        let op_name = format!("`{}`", op.symbol());
        let operands = (lhs.span, rhs.span);
        if let Some(f) = arith(op) {
            return self
                .tape
                .binary(f, a, b)
                .map_err(|e| self.op_error(e, &op_name, span, operands));
        }
        if op == BinOp::MatMul {
            return self
                .tape
                .matmul(a, b)
                .map_err(|e| self.op_error(e, &op_name, span, operands));
        }
        let f = match op {
            BinOp::Lt => CompareFn::Lt,
            BinOp::Le => CompareFn::Le,
            BinOp::Gt => CompareFn::Gt,
            BinOp::Ge => CompareFn::Ge,
            BinOp::Eq => CompareFn::Eq,
            BinOp::Ne => CompareFn::Ne,
            BinOp::And => CompareFn::And,
            _ => CompareFn::Or,
        };
        self.tape
            .compare(f, a, b)
            .map_err(|e| self.op_error(e, &op_name, span, operands))
    }

    /// Turns an operation's failure into an error at the source spans.
    pub(crate) fn op_error(
        &self,
        e: OpError,
        op: &str,
        span: Span,
        operands: (Span, Span),
    ) -> EvalError {
        super::error::op_error(e, op, span, operands)
    }

    fn tensor_literal(&mut self, items: &[ExprS], span: Span) -> Result<NodeId, EvalError> {
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            ids.push(self.eval(item)?);
        }
        let Some(&first) = ids.first() else {
            return Ok(self.tape.constant(Tensor::from_shape_vec(&[0], Vec::new())));
        };
        let inner = self.tape.shape(first).to_vec();
        for (k, &id) in ids.iter().enumerate() {
            if self.tape.shape(id) != inner.as_slice() {
                return Err(EvalError::ragged(
                    (items[0].span, inner),
                    (items[k].span, self.tape.shape(id).to_vec()),
                ));
            }
        }
        let mut shape = vec![ids.len()];
        shape.extend(&inner);
        if ids.iter().all(|&id| !self.tape.requires_grad(id)) {
            let data: Vec<f64> = ids
                .iter()
                .flat_map(|&id| self.tape.value(id).to_vec())
                .collect();
            return Ok(self.tape.constant(Tensor::from_shape_vec(&shape, data)));
        }
        let mut row_shape = vec![1];
        row_shape.extend(&inner);
        let rows: Vec<NodeId> = ids
            .iter()
            .map(|&id| self.tape.reshape_unchecked(id, &row_shape))
            .collect();
        self.tape
            .concat(&rows, 0)
            .map_err(|e| self.op_error(e, "a tensor literal", span, (span, span)))
    }

    /// A scalar that must be a whole number (indices, range bounds).
    pub(crate) fn eval_integer(&mut self, e: &ExprS, what: &str) -> Result<i64, EvalError> {
        let id = self.eval(e)?;
        self.integer_of(id, e.span, what)
    }

    /// A whole number from 0 to `max` (a count such as `digits`, or a seed).
    pub(crate) fn eval_count(&mut self, e: &ExprS, what: &str, max: f64) -> Result<u64, EvalError> {
        let id = self.eval(e)?;
        match self.tape.decide(id) {
            Tensor::Scalar(v) => count_value(*v, e.span, what, max),
            t => Err(EvalError::NotScalar {
                span: e.span,
                what: what.into(),
                shape: t.shape().to_vec(),
            }),
        }
    }

    /// Calls a user function for its value.
    pub(crate) fn call_fn(
        &mut self,
        def: &super::env::FnDef,
        args: &[ExprS],
        callee: Span,
        span: Span,
    ) -> Result<NodeId, EvalError> {
        match self.call_fn_maybe(def, args, callee, span)? {
            Some(id) => Ok(id),
            // Point at the statement the body ends with, if any.
            None => {
                let end = match &*def.body {
                    FnBody::Block(b) => b.stmts.last().map_or(b.span, |s| s.span),
                    FnBody::Expr(e) => e.span,
                };
                Err(EvalError::NoValue {
                    span: end,
                    function: Some(def.name.clone()),
                }
                .in_call(span, &def.name))
            }
        }
    }

    /// Calls a user function; a body that ends with a statement has no
    /// value, which is fine where the call is a statement of its own.
    pub(crate) fn call_fn_maybe(
        &mut self,
        def: &super::env::FnDef,
        args: &[ExprS],
        callee: Span,
        span: Span,
    ) -> Result<Option<NodeId>, EvalError> {
        self.check_interrupt(span)?;
        if args.len() != def.params.len() {
            return Err(super::error::fn_arity(def, args, callee));
        }
        let mut locals = Vec::with_capacity(args.len());
        for (p, a) in def.params.iter().zip(args) {
            let id = self.eval(a)?;
            locals.push((p.node.clone(), Binding::Node(id)));
        }
        let body = def.body.clone();
        // A body starts outside any loop: its `break` cannot end the caller's.
        let loops = std::mem::take(&mut self.loops);
        let result = self.nested_scope(locals, span, true, |me| match &*body {
            FnBody::Expr(e) => me.eval(e).map(Some),
            FnBody::Block(b) => me.exec_block_stmts(b),
        });
        self.loops = loops;
        result.map_err(|e| e.in_call(span, &def.name))
    }

    /// An expression statement: like `eval_maybe`, but a function called
    /// for its effects (`train(0.1)`) need not return a value.
    pub(crate) fn eval_statement(&mut self, e: &ExprS) -> Result<Option<NodeId>, EvalError> {
        if let Expr::Call { callee, args, opts } = &e.node {
            if let (true, Some(Binding::Fn(def))) =
                (opts.is_empty(), self.scopes.lookup(&callee.node))
            {
                let def = def.clone();
                let prev = self.tape.set_span(e.span);
                let result = self.call_fn_maybe(&def, args, callee.span, e.span);
                self.tape.set_span(prev);
                return result;
            }
        }
        self.eval_maybe(e)
    }
}

/// `v` (written at `span`) as a whole number from 0 to `max`; `check`
/// reads known counts with it too.
pub(crate) fn count_value(v: f64, span: Span, what: &str, max: f64) -> Result<u64, EvalError> {
    if v.is_finite() && v > max {
        return Err(super::error::count_too_large(what, v, max, span));
    }
    let n = super::builtins::whole_number(v, span, what)?;
    u64::try_from(n).map_err(|_| EvalError::BadArgument {
        span,
        message: format!("{what} must not be negative, found {n}"),
        help: None,
    })
}

/// The elementwise arithmetic an operator stands for, if it is one.
pub(crate) fn arith(op: BinOp) -> Option<BinaryFn> {
    match op {
        BinOp::Add => Some(BinaryFn::Add),
        BinOp::Sub => Some(BinaryFn::Sub),
        BinOp::Mul => Some(BinaryFn::Mul),
        BinOp::Div => Some(BinaryFn::Div),
        BinOp::Rem => Some(BinaryFn::Rem),
        BinOp::Pow => Some(BinaryFn::Pow),
        _ => None,
    }
}

/// Every name an expression mentions, once each (over-approximate: names
/// bound inside it are included too; capturing them is harmless).
pub(crate) fn names_in(e: &ExprS) -> Vec<String> {
    let mut names = Vec::new();
    collect_names(e, &mut names);
    names.sort();
    names.dedup();
    names
}

fn collect_names(e: &ExprS, out: &mut Vec<String>) {
    struct Names<'a>(&'a mut Vec<String>);
    impl crate::syntax::visit::Visitor for Names<'_> {
        fn read(&mut self, name: &str, _span: Span) {
            self.0.push(name.to_string());
        }
    }
    crate::syntax::visit::walk_expr(e, &mut Names(out));
}
