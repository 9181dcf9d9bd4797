//! The errors of least squares (E0235 to E0237): `lm` on a loss that is not
//! a `residual` or on bounded params, and `stderr` / `covariance` with no
//! fit behind them. `gradlang check` and the evaluator build them here, so
//! both say the same.

use super::{EvalError, FitError};
use crate::syntax::ast::Ident;
use crate::syntax::span::Span;

impl EvalError {
    /// E0235 for `minimize [loss] with lm` when the loss is not declared
    /// with `residual` (`residual` false), or for `maximize with lm`; None
    /// when lm applies.
    pub fn lm_misused(
        optimizer: &Ident,
        loss: Option<&Ident>,
        maximize: bool,
        residual: bool,
    ) -> Option<EvalError> {
        let (message, label, help) = if maximize {
            (
                "`lm` minimizes a sum of squares; it cannot maximize".to_string(),
                "`maximize` needs another optimizer".to_string(),
                "write `minimize ... with lm`, or maximize with `lbfgs` or `newton`".to_string(),
            )
        } else if !residual {
            (
                match loss {
                    Some(l) => format!(
                        "`lm` needs a `residual`, but `{}` was declared with `loss {} = ...`",
                        l.node, l.node
                    ),
                    None => "`lm` needs a `residual`, but the loss was declared with `loss = ...`"
                        .to_string(),
                },
                "`lm` fits residuals, not a scalar loss".to_string(),
                format!(
                    "declare the residuals instead: `residual{} = y - model` (the loss is then the sum of their squares)",
                    loss.map_or(String::new(), |l| format!(" {}", l.node))
                ),
            )
        } else {
            return None;
        };
        Some(EvalError::Fit {
            kind: FitError::NeedsResidual,
            span: optimizer.span,
            message,
            label,
            help,
        })
    }

    /// E0236: `lm` on the param `param`, which has bounds.
    pub fn lm_bounds(optimizer: Span, param: &str) -> EvalError {
        EvalError::Fit {
            kind: FitError::Bounds,
            span: optimizer,
            message: format!("`lm` does not take bounds, but the param `{param}` has them"),
            label: "lm ignores bounds, so it refuses them".into(),
            help: format!(
                "drop the bounds of `{param}` (`param {param} = ...` without `in [lo, hi]`), or fit with `lbfgs` or `newton`, which keep params in their bounds"
            ),
        }
    }

    /// E0237: `stderr` or `covariance` (`what`) at `span` with no
    /// least-squares fit that covers it; `why` says what is missing.
    pub fn no_fit(span: Span, what: &str, why: String) -> EvalError {
        EvalError::Fit {
            kind: FitError::NoFit,
            span,
            message: format!("`{what}` has no least-squares fit to report on: {why}"),
            label: "no fit here".into(),
            help: "declare `residual = y - model` and run `minimize with lm` (or any optimizer) before asking for standard errors".into(),
        }
    }
}
