//! The words of E0212, a NaN or infinity during `minimize`: when it
//! happened (before, within or after a step) and what produced it (data
//! that held it, an operation, or values that grew until they overflowed).

use super::wording::plural;
use super::NonFiniteCause;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::span::Span;

/// The diagnostic for a non-finite `what` (loss or gradient) at `step`
/// (`trial`: at a point tried within it), stopped at `span`.
pub(super) fn non_finite(
    code: Code,
    step: usize,
    trial: bool,
    what: &str,
    span: Span,
    cause: &NonFiniteCause,
) -> Diagnostic {
    let (when, stopped) = match step {
        n if trial => (
            format!("at a point tried during step {}", n + 1),
            format!("stopped in step {}", n + 1),
        ),
        0 => (
            "at the starting point".to_string(),
            "stopped before the first step".to_string(),
        ),
        n => (
            format!("after {}", plural(n, "step")),
            format!("stopped after {}", plural(n, "step")),
        ),
    };
    let title = format!("the {what} became NaN or infinite {when} of `minimize`");
    let gradient = what == "gradient";
    match cause {
        NonFiniteCause::Value {
            span: used,
            what: held,
            kind,
            data,
        } => {
            match data {
                Some((name, bound)) => Diagnostic::error(
                    code,
                    format!("{title}: the data `{name}` holds {held}"),
                    span,
                    stopped,
                )
                .with_label(*bound, format!("`{name}` holds {held} from here on"))
                .with_label(*used, "used here")
                .with_help(
                    "no optimizer setting helps: the data held it before any step; fix it where it \
                     was made or read (see warning W0006 above), or leave those entries out of the loss",
                ),
                None => Diagnostic::error(code, title, span, stopped)
                    .with_label(*used, format!("{kind} that holds {held}"))
                    .with_help("no optimizer setting helps: this value was not finite before any step; give it a finite value"),
            }
        }
        NonFiniteCause::Operation {
            span: op,
            label,
            note,
        } => {
            let d = Diagnostic::error(code, title, span, stopped);
            // The backward pass is recorded at the operation it
            // differentiates, so say so rather than name its parts.
            let d = if gradient {
                d.with_label(*op, "the derivative of this is not finite here")
                    .with_note(format!("in the derivative, {note}"))
            } else {
                d.with_label(*op, label.clone()).with_note(note.clone())
            };
            d.with_help(non_finite_help(gradient, trial, step))
        }
        NonFiniteCause::Growth => Diagnostic::error(code, title, span, stopped)
            .with_note("no single operation produced it: the values grew step by step until they overflowed")
            .with_help(non_finite_help(gradient, trial, step)),
    }
}

fn non_finite_help(gradient: bool, trial: bool, step: usize) -> &'static str {
    match (gradient, trial) {
        (false, false) if step == 0 => "the params' initial values already give it: start them elsewhere, bound them with `in [lo, hi]`, or guard the operation (e.g. `log(x + 1e-9)`)",
        (_, true) => "`lbfgs` without a line search takes its steps untried; use `line_search=\"strong_wolfe\"` (which shrinks a step that meets NaN), lower `lr`, or guard the operation (e.g. `log(x + 1e-9)`)",
        (true, false) => "some functions have an infinite slope at a point (`sqrt(x)` and `x^0.5` at 0, `log(x)` at 0); start the param away from it, or bound the param with `in [lo, hi]`",
        (false, false) => "lower the learning rate, bound the param with `in [lo, hi]`, or guard the operation (e.g. `log(x + 1e-9)`)",
    }
}
