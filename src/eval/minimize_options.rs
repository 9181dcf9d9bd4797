//! What can be said about a `minimize` statement's optimizer and options
//! without evaluating anything: the optimizer exists, every option is one
//! it (or the driver) takes, none is given twice, `steps` is there, and
//! each value is of the right kind (a string only where the option takes
//! one). `gradlang check` and the evaluator both call [`check_options`], so
//! the two cannot drift apart. The values are judged by [`driver_count`]
//! and the optimizer's own builder, through [`check_values`] where they are
//! known before running.

use super::error::{number_words, EvalError};
use super::expr::count_value;
use crate::diagnostic::did_you_mean;
use crate::optim::{self, OptValue, OptionError, MAX_COUNT};
use crate::syntax::ast::{Expr, Ident, Opt};
use crate::syntax::span::Span;

/// Options every optimizer takes, handled by the `minimize` driver rather
/// than by the optimizer.
pub const DRIVER_OPTIONS: [&str; 4] = ["steps", "target", "tol", "every"];

/// Every problem with `minimize with OPTIMIZER opts` that needs no
/// evaluation, in source order (empty when there is none). An unknown
/// optimizer is the only problem reported for it: its options cannot be
/// judged.
pub fn check_options(optimizer: &Ident, opts: &[Opt]) -> Vec<EvalError> {
    let name = optimizer.node.as_str();
    let Some(own) = optim::option_names(name) else {
        return vec![EvalError::unknown_optimizer(name, optimizer.span)];
    };
    let strings = optim::string_options(name);
    let valid: Vec<&str> = own.iter().copied().chain(DRIVER_OPTIONS).collect();
    let mut errors = Vec::new();
    for (k, o) in opts.iter().enumerate() {
        let option = o.name.node.as_str();
        if let Some(first) = opts[..k].iter().find(|p| p.name.node == option) {
            errors.push(EvalError::DuplicateOption {
                name: option.to_string(),
                span: o.name.span,
                first: first.name.span,
            });
            continue;
        }
        if !valid.contains(&option) {
            errors.push(EvalError::UnknownOption {
                name: option.to_string(),
                span: o.name.span,
                context: format!("`{name}`"),
                valid: valid.iter().map(|s| s.to_string()).collect(),
                suggestion: did_you_mean(option, valid.iter().copied()).map(String::from),
            });
            continue;
        }
        match (&o.value.node, strings.contains(&option)) {
            (Expr::Str(text), false) => errors.push(EvalError::OptimizerOption {
                span: o.value.span,
                message: format!("`{option}` takes a number, not a string"),
                help: Some(match text.trim().parse::<f64>() {
                    Ok(_) => format!("remove the quotes: `{option}={}`", text.trim()),
                    Err(_) => format!("write a number, e.g. `{option}=1`"),
                }),
            }),
            (Expr::Str(_), true) | (_, false) => {}
            (_, true) => errors.push(EvalError::OptimizerOption {
                span: o.value.span,
                message: format!("`{option}` takes a string, not a number"),
                help: Some(format!(
                    "write its value in double quotes: `{option}=\"...\"`"
                )),
            }),
        }
    }
    // A misspelt `steps` already says what is missing.
    let misspelt = errors
        .iter()
        .any(|e| matches!(e, EvalError::UnknownOption { suggestion: Some(s), .. } if s == "steps"));
    if !misspelt && needs_steps(name) && !opts.iter().any(|o| o.name.node == "steps") {
        errors.push(EvalError::missing_steps(optimizer.span, name));
    }
    errors
}

/// Whether `minimize with optimizer` must say how many `steps` to take:
/// all but `lm`, which stops on its own tests (and `maxfev`).
pub(crate) fn needs_steps(optimizer: &str) -> bool {
    optimizer != "lm"
}

/// The value of `steps` or `every` (`name`), `v` at `span`: a whole number
/// up to [`MAX_COUNT`], and at least 1 for `every`.
pub(crate) fn driver_count(name: &str, v: f64, span: Span) -> Result<u64, EvalError> {
    let n = count_value(v, span, &format!("`{name}`"), MAX_COUNT)?;
    if name == "every" && n == 0 {
        return Err(EvalError::OptimizerOption {
            span,
            message: "`every` must be at least 1".into(),
            help: Some("`every=100` prints a progress line every 100 steps".into()),
        });
    }
    Ok(n)
}

/// The errors the values of `opts` will cause, where `known` has each
/// option's number (None when it is a string or not known before running):
/// the driver's counts, and the optimizer's own options once all of them
/// are known. Call it only after [`check_options`] found nothing.
pub fn check_values(optimizer: &Ident, opts: &[Opt], known: &[Option<f64>]) -> Vec<EvalError> {
    let name = optimizer.node.as_str();
    let mut errors = Vec::new();
    let (mut values, mut spans) = (Vec::new(), Vec::new());
    let mut all_known = true;
    for (o, v) in opts.iter().zip(known) {
        let option = o.name.node.as_str();
        match (option, &o.value.node, v) {
            ("steps" | "every", _, Some(v)) => {
                if let Err(e) = driver_count(option, *v, o.value.span) {
                    errors.push(e);
                }
            }
            ("steps" | "every" | "target" | "tol", _, _) => {}
            (_, Expr::Str(text), _) => {
                values.push((option.to_string(), OptValue::Str(text.clone())));
                spans.push(o.value.span);
            }
            (_, _, Some(v)) => {
                values.push((option.to_string(), OptValue::Number(*v)));
                spans.push(o.value.span);
            }
            (_, _, None) => all_known = false,
        }
    }
    if all_known {
        if let Err(e) = optim::build(name, &values, 1) {
            errors.push(option_error(e, name, optimizer.span, &values, &spans));
        }
    }
    errors
}

/// An optimizer's complaint about its options, at the option's value.
pub(crate) fn option_error(
    e: OptionError,
    optimizer: &str,
    opt_span: Span,
    values: &[(String, OptValue)],
    spans: &[Span],
) -> EvalError {
    let at = |i: usize| spans.get(i).copied().unwrap_or(opt_span);
    match e {
        OptionError::UnknownOptimizer { name, .. } => EvalError::unknown_optimizer(&name, opt_span),
        OptionError::UnknownOption { index, valid, .. } => EvalError::OptimizerOption {
            span: at(index),
            message: format!("unknown option for `{optimizer}`"),
            help: Some(format!("its options are {}", valid.join(", "))),
        },
        OptionError::DuplicateOption { index, .. } => EvalError::OptimizerOption {
            span: at(index),
            message: "this option is given twice".into(),
            help: None,
        },
        OptionError::BadValue {
            index,
            option,
            expected,
        } => EvalError::OptimizerOption {
            span: at(index),
            message: match values.get(index) {
                Some((_, OptValue::Number(v))) => {
                    format!("`{option}` must be {expected}, found {}", number_words(*v))
                }
                Some((_, OptValue::Str(s))) => {
                    format!("`{option}` must be {expected}, found \"{s}\"")
                }
                None => format!("`{option}` must be {expected}"),
            },
            help: Some("docs/language.md lists every option with its range and default".into()),
        },
    }
}
