//! What can be said about a `minimize` statement's optimizer and options
//! without evaluating anything: the optimizer exists, every option is one
//! it (or the driver) takes, none is given twice, `steps` is there, and
//! each value is of the right kind (a string only where the option takes
//! one). `gradlang check` and the evaluator both call [`check_options`], so
//! the two cannot drift apart; the evaluator then checks the values.

use super::error::EvalError;
use crate::diagnostic::did_you_mean;
use crate::optim;
use crate::syntax::ast::{Expr, Ident, Opt};

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
    if !misspelt && !opts.iter().any(|o| o.name.node == "steps") {
        errors.push(EvalError::missing_steps(optimizer.span, name));
    }
    errors
}
