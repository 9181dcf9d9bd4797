//! Loops: `for i in a..b`, `while cond`, and `break` / `continue`.
//!
//! `break` and `continue` set a flag that every block checks after each
//! statement, so they unwind to the innermost loop without an error value.
//! A function body starts with no loop around it: a `break` there cannot
//! leave the caller's loop.
//!
//! A round of a loop at the top level of a script (not inside an
//! expression) clears the tape afterwards when it changed a param or the
//! tape has grown past [`TAPE_BYTES_KEPT`]: nothing outside holds a node
//! then (top-level bindings keep values, not nodes), and a long loop would
//! otherwise keep every round's values (`while true { i += 1 }` grew by
//! 200 MB a second). Below that size, and with the params unchanged, the
//! tape is kept so that formulas read in every round stay cached.

use std::rc::Rc;

use super::env::Binding;
use super::error::EvalError;
use super::Interp;
use crate::syntax::ast::{Block, Expr, ExprS, Ident};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// The memory a top-level loop's tape may hold between rounds before it
/// is cleared.
const TAPE_BYTES_KEPT: usize = 64 << 20;

/// The values a `for` variable takes.
enum Rows {
    Counter(std::ops::Range<i64>),
    Entries(std::vec::IntoIter<Tensor>),
}

impl Iterator for Rows {
    type Item = Tensor;

    fn next(&mut self) -> Option<Tensor> {
        match self {
            Rows::Counter(r) => r.next().map(|i| Tensor::Scalar(i as f64)),
            Rows::Entries(e) => e.next(),
        }
    }
}

/// What a `break` or `continue` asked of the innermost loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoopExit {
    Break,
    Continue,
}

impl Interp {
    pub(super) fn exec_for(
        &mut self,
        var: &Ident,
        range: &ExprS,
        body: &Block,
    ) -> Result<(), EvalError> {
        let values = match &range.node {
            Expr::Range { start, end } => {
                let start = self.eval_integer(start, "a range bound")?;
                let end = self.eval_integer(end, "a range bound")?;
                Rows::Counter(start..end)
            }
            _ => Rows::Entries(self.for_entries(range)?.into_iter()),
        };
        for value in values {
            self.check_interrupt(var.span)?;
            let value = Binding::Data(Rc::new(value));
            if self.round(body, Some((&var.node, value)))? == Some(LoopExit::Break) {
                break;
            }
        }
        Ok(())
    }

    /// The entries of `for x in e` along the first axis of `e`, which must
    /// be data of rank 1 or more.
    fn for_entries(&mut self, e: &ExprS) -> Result<Vec<Tensor>, EvalError> {
        let id = self.eval(e)?;
        if self.tape.requires_grad(id) {
            return Err(EvalError::BadArgument {
                span: e.span,
                message: "a `for` loop runs over data, but this depends on a param".into(),
                help: Some(
                    "loop over indices instead: `for i in 0..len(x) { ... x[i] ... }`".into(),
                ),
            });
        }
        let value = self.tape.value(id).clone();
        if value.ndim() == 0 {
            return Err(EvalError::BadArgument {
                span: e.span,
                message: "a `for` loop runs over a range `a..b` or a tensor's entries, not a single number".into(),
                help: Some("write `for i in 0..n { ... }` to count".into()),
            });
        }
        let n = value.shape()[0];
        Ok((0..n)
            .map(|i| {
                crate::autodiff::shape::index_value(
                    &value,
                    &vec![crate::autodiff::IndexPart::At(i)],
                )
            })
            .collect())
    }

    pub(super) fn exec_while(&mut self, cond: &ExprS, body: &Block) -> Result<(), EvalError> {
        loop {
            self.check_interrupt(cond.span)?;
            if !self.eval_condition(cond)? {
                return Ok(());
            }
            if self.round(body, None)? == Some(LoopExit::Break) {
                return Ok(());
            }
        }
    }

    /// `break` or `continue` at `span`: only inside a loop.
    pub(super) fn exit_loop(&mut self, exit: LoopExit, span: Span) -> Result<(), EvalError> {
        if self.loops == 0 {
            let word = match exit {
                LoopExit::Break => "break",
                LoopExit::Continue => "continue",
            };
            return Err(EvalError::outside_loop(span, word));
        }
        self.loop_exit = Some(exit);
        Ok(())
    }

    /// Runs one round of a loop body in its own scope (with the loop
    /// variable, if any); returns how a `break`/`continue` ended it.
    fn round(
        &mut self,
        body: &Block,
        var: Option<(&str, Binding)>,
    ) -> Result<Option<LoopExit>, EvalError> {
        self.scopes.push_block();
        if let Some((name, value)) = var {
            self.scopes.define(name, value);
        }
        self.loops += 1;
        let updates = self.param_updates;
        let result = self.exec_block_stmts(body);
        self.loops -= 1;
        self.scopes.pop_block();
        result?;
        let grown = self.tape.bytes() > TAPE_BYTES_KEPT;
        if self.nested == 0 && self.in_expr == 0 && (self.param_updates != updates || grown) {
            self.tape.clear();
        }
        Ok(self.loop_exit.take())
    }
}
