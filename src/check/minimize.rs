//! `minimize` and `maximize` as `gradlang check` sees them: the loss is
//! defined, the optimizer and every option exist, `steps` is there, and
//! `over=` names data with matching rows, as the evaluator would report.

use super::{Checker, Entry, Kind};
use crate::diagnostic::did_you_mean;
use crate::eval::error::EvalError;
use crate::syntax::ast::{Expr, ExprS, Ident, Opt};
use crate::syntax::span::Span;

impl Checker {
    pub(super) fn minimize(
        &mut self,
        maximize: bool,
        loss: Option<&Ident>,
        optimizer: &Ident,
        opts: &[Opt],
        span: Span,
    ) {
        let mut known = Vec::with_capacity(opts.len());
        for o in opts {
            known.push(match o.value.node {
                Expr::Str(_) => None,
                _ if o.name.node == "over" => {
                    self.over(&o.value);
                    None
                }
                _ => self.expr(&o.value).value,
            });
        }
        let loss_name = loss.map_or("loss", |l| l.node.as_str());
        if self.lookup(loss_name).is_none() || !self.losses.iter().any(|l| l == loss_name) {
            self.error(EvalError::NoLoss {
                span: loss.map_or(span, |l| l.span),
                name: loss.map(|l| l.node.clone()),
            });
        }
        let known_loss = self.losses.iter().any(|l| l == loss_name);
        if optimizer.node == "lm" && self.in_fn == 0 && known_loss {
            let residual = self.residuals.iter().any(|r| r == loss_name);
            if let Some(e) = EvalError::lm_misused(optimizer, loss, maximize, residual) {
                self.error(e);
            }
        }
        let mut errors = crate::eval::minimize_options::check_options(optimizer, opts);
        if errors.is_empty() {
            errors = crate::eval::minimize_options::check_values(optimizer, opts, &known);
        }
        for e in errors {
            self.error(e);
        }
    }

    /// The names `over=` batches: data with rows, all with as many.
    fn over(&mut self, value: &ExprS) {
        use crate::eval::batch::{check_over, over_names, Role};
        let Ok(names) = over_names(value) else {
            return;
        };
        let errors = check_over(&names, |n| match self.lookup(n) {
            None => Role::Unknown,
            Some(Entry {
                kind: Kind::Param, ..
            }) => Role::Param,
            Some(Entry {
                kind: Kind::Fn(_), ..
            }) => Role::Function,
            Some(Entry { abs, .. }) => Role::Data(abs.shape),
        });
        errors.into_iter().for_each(|e| self.error(e));
    }

    pub(super) fn unknown_option(&mut self, o: &Opt, context: &str, valid: &[&str]) {
        self.error(EvalError::UnknownOption {
            name: o.name.node.clone(),
            span: o.name.span,
            context: context.into(),
            valid: valid.iter().map(|s| s.to_string()).collect(),
            suggestion: did_you_mean(&o.name.node, valid.iter().copied()).map(String::from),
        });
    }
}
