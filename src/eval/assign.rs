//! Assignment: `x = e`, `x += e` (and `-=`, `*=`, `/=`), `x[i, j] = e`.
//!
//! On a `let` name the new value is bound as `let` binds it (data, or a
//! formula when it depends on a param). On a param it is data: the
//! expression is evaluated and only its value kept, as
//! `with torch.no_grad(): p -= ...` does; the param keeps its shape and its
//! bounds. A new tape epoch starts when a param changes or a name some
//! formula reads is assigned, so what is read afterwards sees the new
//! value (a manual update loop really steps).

use std::borrow::Cow;
use std::rc::Rc;

use super::env::{Binding, Slot};
use super::error::EvalError;
use super::expr::arith;
use super::subscript::merged;
use super::Interp;
use crate::autodiff::shape::index_assign_value;
use crate::syntax::ast::{BinOp, Expr, ExprS, Ident, IndexItem};
use crate::syntax::span::{Span, Spanned};
use crate::tensor::Tensor;

impl Interp {
    pub(super) fn assign(
        &mut self,
        name: &Ident,
        index: &[IndexItem],
        op: Option<(BinOp, Span)>,
        value: &ExprS,
    ) -> Result<(), EvalError> {
        let span = name.span;
        let Some(slot) = self.scopes.find(&name.node) else {
            return Err(EvalError::assign_to_undefined(span, &name.node));
        };
        let old = self.scopes.lookup(&name.node).cloned();
        let binding = match old {
            Some(Binding::Param(i)) => return self.update_param(i, name, index, op, value),
            Some(Binding::Fn(_)) => return Err(EvalError::assign_to_function(span, &name.node)),
            Some(Binding::Data(old)) if !index.is_empty() => {
                let new = self.assigned_entries(name, &old, index, op, value, true)?;
                Binding::Data(Rc::new(new))
            }
            _ if !index.is_empty() => {
                return Err(EvalError::BadAssignment {
                    span,
                    name: name.node.clone(),
                    reason: "its value depends on a param, so it has no entries of its own to set"
                        .into(),
                })
            }
            _ => {
                let expr = combined(name, op, value);
                self.bind_value(&expr, Some(&name.node))?
            }
        };
        let outside = match slot {
            Slot::Global => true,
            Slot::Local { frame, .. } => frame < self.scopes.base(),
        };
        if self.nested > 0 && outside && matches!(binding, Binding::Node(_)) {
            return Err(EvalError::BadAssignment {
                span,
                name: name.node.clone(),
                reason: "a function cannot store a param-dependent value outside itself".into(),
            });
        }
        self.scopes.set(slot, &name.node, binding);
        if self.read_late.contains(&name.node) {
            self.tape.new_epoch();
        }
        Ok(())
    }

    /// `p = e`, `p -= e`, `p[i] = e` on param `i`: sets its value as data.
    fn update_param(
        &mut self,
        i: usize,
        name: &Ident,
        index: &[IndexItem],
        op: Option<(BinOp, Span)>,
        value: &ExprS,
    ) -> Result<(), EvalError> {
        if self.nested > self.calls {
            return Err(EvalError::Misplaced {
                span: name.span,
                message: format!(
                    "a formula or loss cannot change the param `{}`",
                    name.node
                ),
                help: Some(
                    "update params in statements: at the top level, in a loop, or in a function called from one"
                        .into(),
                ),
            });
        }
        let old = self.params[i].value.clone();
        let new = if index.is_empty() {
            let expr = combined(name, op, value);
            let id = self.eval(&expr)?;
            self.tape.value(id).clone()
        } else {
            self.assigned_entries(name, &old, index, op, value, false)?
        };
        let new = match new.broadcast_to(old.shape()) {
            Ok(t) if t.shape() == old.shape() => t,
            _ => {
                return Err(EvalError::param_reshaped(
                    name,
                    value.span,
                    old.shape(),
                    new.shape(),
                ))
            }
        };
        if let Some((lo, hi)) = &self.params[i].bounds {
            let inside = |bound: &Tensor, keep: fn(f64, f64) -> bool| {
                new.zip(bound, |v, b| if keep(v, b) { 1.0 } else { 0.0 })
                    .is_ok_and(|t| t.iter().all(|x| x != 0.0))
            };
            if !inside(lo, |v, l| v >= l) || !inside(hi, |v, h| v <= h) {
                return Err(EvalError::BadArgument {
                    span: value.span,
                    message: format!(
                        "the new value of `{}` leaves the bounds it was declared with",
                        name.node
                    ),
                    help: Some(
                        "keep it inside with `clamp(..., lo, hi)`, or declare the param with wider bounds"
                            .into(),
                    ),
                });
            }
        }
        self.params[i].value = new;
        self.param_updates += 1;
        self.tape.new_epoch();
        Ok(())
    }

    /// `old` with the entries `index` picks set to `value` (combined with
    /// their old values by `op`). Entries of data stay data: there
    /// (`data_only`) a value that depends on a param is refused rather than
    /// cut off from its gradient without a word.
    fn assigned_entries(
        &mut self,
        name: &Ident,
        old: &Tensor,
        index: &[IndexItem],
        op: Option<(BinOp, Span)>,
        value: &ExprS,
        data_only: bool,
    ) -> Result<Tensor, EvalError> {
        let sub = self.subscript(name.span, old.shape(), index)?;
        let whole = old;
        let old = &merged(old, &sub);
        let spec = sub.spec;
        let v = self.eval(value)?;
        if data_only && self.tape.requires_grad(v) {
            return Err(EvalError::BadAssignment {
                span: value.span,
                name: name.node.clone(),
                reason: "the value depends on a param, but entries of data hold plain numbers"
                    .into(),
            });
        }
        let target = self.tape.constant(old.clone());
        let current = self
            .tape
            .index(target, spec.clone())
            .map_err(|e| self.op_error(e, "indexing", name.span, (name.span, name.span)))?;
        let v = match op {
            None => v,
            Some((op, op_span)) => self
                .tape
                .binary(
                    arith(op).expect("invariant: compound assignments are arithmetic"),
                    current,
                    v,
                )
                .map_err(|e| {
                    self.op_error(
                        e,
                        &format!("`{}=`", op.symbol()),
                        op_span,
                        (name.span, value.span),
                    )
                })?,
        };
        let picked = self.tape.shape(current).to_vec();
        let v = self.tape.value(v).clone();
        let new = index_assign_value(old, &spec, &v).ok_or_else(|| EvalError::ShapeMismatch {
            op: "an assignment to entries".into(),
            span: value.span,
            lhs: (name.span, picked),
            rhs: (value.span, v.shape().to_vec()),
            help: "the value must be a scalar or broadcast to the shape of the entries it replaces"
                .into(),
        })?;
        Ok(new.reshaped(whole.shape()))
    }
}

/// `x op= e` as the expression `x op e`; `x = e` as `e` itself.
fn combined<'a>(name: &Ident, op: Option<(BinOp, Span)>, value: &'a ExprS) -> Cow<'a, ExprS> {
    match op {
        None => Cow::Borrowed(value),
        Some((op, op_span)) => Cow::Owned(Spanned::new(
            Expr::Binary {
                op,
                op_span,
                lhs: Box::new(Spanned::new(Expr::Name(name.node.clone()), name.span)),
                rhs: Box::new(value.clone()),
            },
            name.span.to(value.span),
        )),
    }
}
