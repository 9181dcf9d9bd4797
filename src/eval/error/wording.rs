//! The words of every evaluation error: its title, labels, help and notes.
//! Kept apart from the variants so that the cases (error.rs) read as a list.

use super::index_words;
use super::non_finite_words;
use super::shape_words::mismatch_words;
use super::traceback::traceback;
use super::{EvalError, NotAParam, MAX_ELEMENTS};
use crate::diagnostic::Diagnostic;
use crate::tensor::shape_string;

impl EvalError {
    /// The error as a diagnostic: what was found, what was expected, and how
    /// to fix it.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            EvalError::Training(e) => e.to_diagnostic(),
            EvalError::UnknownName {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    code,
                    format!("unknown name `{name}`"),
                    *span,
                    "not defined at this point",
                );
                d.with_help(unknown_help(unknown_name_help(name), suggestion, || {
                    format!("define it before this line, e.g. `let {name} = ...` or `param {name} = ...`")
                }))
            }
            EvalError::UnknownFunction {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    code,
                    format!("unknown function `{name}`"),
                    *span,
                    "no builtin or `fn` has this name",
                );
                d.with_help(unknown_help(unknown_function_help(name), suggestion, || {
                    format!("define it first, e.g. `fn {name}(x) = ...`; docs/language.md lists the builtins")
                }))
            }
            EvalError::Arity {
                name,
                span,
                expected,
                found,
                signature,
                defined,
                extra,
            } => {
                let mut d = Diagnostic::error(
                    code,
                    format!("`{name}` takes {expected}, but {} given", count(*found, "was", "were")),
                    *span,
                    format!("called with {}", plural(*found, "argument")),
                );
                if let Some(extra) = extra {
                    d = d.with_label(*extra, "unexpected");
                }
                if let Some(def) = defined {
                    d = d.with_label(*def, format!("`{name}` is defined here"));
                }
                match signature {
                    Some(sig) => d.with_help(format!("call it as `{sig}`")),
                    None => d,
                }
            }
            EvalError::UnknownOption {
                name,
                span,
                context,
                valid,
                suggestion,
            } => {
                // `print` and builtins alike appear as code.
                let context = if context.starts_with('`') {
                    context.clone()
                } else {
                    format!("`{context}`")
                };
                let d = Diagnostic::error(
                    code,
                    format!("unknown option `{name}` for {context}"),
                    *span,
                    "not an option here",
                );
                let list = match valid.len() {
                    0 => format!("{context} takes no options"),
                    1 => format!("its only option is {}", backticked(valid)),
                    _ => format!("the options are {}", backticked(valid)),
                };
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`? ({list})")),
                    None => d.with_help(list),
                }
            }
            EvalError::UnknownOptimizer {
                name,
                span,
                suggestion,
            } => {
                let all = backticked(crate::optim::OPTIMIZERS);
                let d = Diagnostic::error(
                    code,
                    format!("unknown optimizer `{name}`"),
                    *span,
                    "not an optimizer",
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`? (the optimizers are {all})")),
                    None => d.with_help(format!("the optimizers are {all}")),
                }
            }
            EvalError::ShapeMismatch {
                op,
                span,
                lhs,
                rhs,
                help,
            } if op == "a tensor literal" => Diagnostic::error(
                code,
                format!(
                    "ragged tensor literal: rows of shapes {} and {}",
                    shape_string(&lhs.1),
                    shape_string(&rhs.1)
                ),
                *span,
                format!("this row has {}", shape_label(&rhs.1)),
            )
            .with_label(lhs.0, format!("the first row has {}", shape_label(&lhs.1)))
            .with_help(help.clone()),
            EvalError::ShapeMismatch {
                op,
                span,
                lhs,
                rhs,
                help,
            } => {
                let (title, label) = mismatch_words(op, &lhs.1, &rhs.1);
                let d = Diagnostic::error(code, title, *span, label);
                // `clamp` reports its bounds together, a reduction its one
                // operand: one span, two shapes.
                let d = if lhs.0 == rhs.0 {
                    d.with_label(
                        lhs.0,
                        format!("{} and {}", shape_label(&lhs.1), shape_string(&rhs.1)),
                    )
                } else {
                    d.with_label(lhs.0, shape_label(&lhs.1))
                        .with_label(rhs.0, shape_label(&rhs.1))
                };
                d.with_help(help.clone())
            }
            EvalError::NotMatrix {
                op,
                span,
                operand,
                square,
            } => not_matrix(code, op, *span, operand, *square),
            EvalError::IndexOutOfRange {
                span,
                index,
                axis,
                len,
                entry,
                target,
            } => index_words::out_of_range(code, *span, *index, (*axis, *len), *entry, target),
            EvalError::TooManyIndices {
                span,
                given,
                target,
            } => index_words::too_many(code, *span, *given, target),
            EvalError::BadIndex {
                span,
                message,
                target,
                help,
            } => Diagnostic::error(code, message.clone(), *span, "this index")
                .with_label(target.0, shape_label(&target.1))
                .with_help(help.clone()),
            EvalError::BadArgument {
                span,
                message,
                help,
            } => with_optional_help(
                Diagnostic::error(code, message.clone(), *span, "this value"),
                help,
            ),
            EvalError::Fit {
                span,
                message,
                label,
                help,
                ..
            } => Diagnostic::error(code, message.clone(), *span, label.clone()).with_help(help.clone()),
            EvalError::LossNotScalar { span, shape } => Diagnostic::error(
                code,
                format!(
                    "the loss must be a scalar, but it has shape {}",
                    shape_string(shape)
                ),
                *span,
                shape_label(shape),
            )
            .with_help("reduce it to one number, e.g. with `sum(...)` or `mean(...)`"),
            EvalError::NoLoss { span, name } => match name {
                Some(n) => Diagnostic::error(
                    code,
                    format!("`{n}` is not a loss"),
                    *span,
                    "not defined with `loss`",
                )
                .with_help(format!("define it with `loss {n} = ...` before this line")),
                None => Diagnostic::error(
                    code,
                    "there is no loss to minimize",
                    *span,
                    "no `loss = ...` comes before this",
                )
                .with_help("define the objective first, e.g. `loss = (x - 3)^2`"),
            },
            EvalError::GradOfNonParam { span, what } => {
                let title = "gradients are taken with respect to a param";
                match what {
                    NotAParam::Let(name) => Diagnostic::error(
                        code,
                        title,
                        *span,
                        format!("`{name}` is a `let` value, not a param"),
                    )
                    .with_help(format!(
                        "to differentiate with respect to `{name}`, declare it with `param {name} = ...` instead of `let`"
                    )),
                    NotAParam::Function(name) => Diagnostic::error(
                        code,
                        title,
                        *span,
                        format!("`{name}` is a function"),
                    )
                    .with_help("the second argument names a param, e.g. `grad(loss, w)`"),
                    NotAParam::Expression => Diagnostic::error(
                        code,
                        title,
                        *span,
                        "an expression, not the name of a param",
                    )
                    .with_help("pass the param's name, e.g. `grad(y, w)`"),
                }
            }
            EvalError::NotScalar { span, what, shape } => Diagnostic::error(
                code,
                format!("{what} must be a scalar, but this has shape {}", shape_string(shape)),
                *span,
                shape_label(shape),
            )
            .with_help(if what.ends_with("condition") {
                "to require every entry, write `min(v > 0)`; for any entry, `max(v > 0)`"
            } else if what.contains("`grad`") {
                "for every entry's gradient use `jacobian(y, p)`; or reduce y to one number (e.g. `sum(...)`)"
            } else {
                "reduce it to one number (e.g. `sum(...)`, `max(...)`) or pick one entry with `x[i]`"
            }),
            EvalError::ParamOutOfBounds { span, bounds, name } => Diagnostic::error(
                code,
                format!("the initial value of `{name}` is outside its bounds"),
                *span,
                "this initial value",
            )
            .with_label(*bounds, "is not within these bounds")
            .with_help("start the param inside [lo, hi], or widen the bounds"),
            EvalError::NonFinite {
                step,
                trial,
                what,
                span,
                cause,
            } => non_finite_words::non_finite(code, *step, *trial, what, *span, cause),
            EvalError::AssertionFailed { span, message } => {
                let d = Diagnostic::error(
                    code,
                    match message {
                        Some(m) => format!("assertion failed: {m}"),
                        None => "assertion failed".to_string(),
                    },
                    *span,
                    "this is not true",
                );
                match message {
                    Some(_) => d,
                    None => d.with_help("add a message to say what went wrong: `assert cond, \"...\"`"),
                }
            }
            EvalError::Interrupted { span } => Diagnostic::error(code, "interrupted", *span, "stopped here (Ctrl-C)"),
            EvalError::CircularFormula { span } => Diagnostic::error(
                code,
                "this formula reads itself",
                *span,
                "evaluating this needs its own value",
            )
            .with_help("formulas look names up when they are evaluated; one assigned after another that reads it can form a loop: give one of them a new name"),
            EvalError::FormulaTooDeep { span, limit } => Diagnostic::error(
                code,
                format!("formulas nested more than {limit} deep"),
                *span,
                "this formula refers to a chain of earlier ones",
            )
            .with_help("a top-level loop that updates a param-dependent `let` builds one formula per iteration; put the loop inside a `fn` and call it instead"),
            EvalError::RecursionTooDeep { span, limit } => Diagnostic::error(
                code,
                format!("calls nested more than {limit} deep"),
                *span,
                format!("call number {} in the chain", limit + 1),
            )
            .with_help("a recursive `fn` needs a base case that stops it (`if n <= 0 { ... } else { ... }`); to repeat something many times, use `for`"),
            EvalError::File {
                span,
                path,
                reason,
                help,
            } => with_optional_help(
                Diagnostic::error(
                    code,
                    format!("cannot read `{path}`: {reason}"),
                    *span,
                    "this file",
                ),
                help,
            ),
            EvalError::BadAssignment { span, name, reason } => Diagnostic::error(
                code,
                format!("cannot assign to `{name}`"),
                *span,
                reason.clone(),
            )
            .with_help(format!(
                "`let` names and params can be assigned; to introduce a name, write `let {name} = ...`"
            )),
            EvalError::Misplaced {
                span,
                message,
                help,
            } => with_optional_help(
                Diagnostic::error(code, message.clone(), *span, "here"),
                help,
            ),
            EvalError::TooLarge { span, elements } => Diagnostic::error(
                code,
                format!("a tensor of {} elements is too large", count_words(*elements)),
                *span,
                format!("{} elements", count_words(*elements)),
            )
            .with_help(format!(
                "gradlang holds tensors of at most {} elements (2 GiB)",
                MAX_ELEMENTS as u64
            )),
            EvalError::OptimizerOption {
                span,
                message,
                help,
            } => with_optional_help(
                Diagnostic::error(code, message.clone(), *span, "here"),
                help,
            ),
            EvalError::DuplicateOption { name, span, first } => Diagnostic::error(
                code,
                format!("the option `{name}` is given twice"),
                *span,
                "given again here",
            )
            .with_label(*first, "first given here")
            .with_help("keep one of the two"),
            EvalError::NoValue { span, function } => match function {
                Some(f) => Diagnostic::error(
                    code,
                    format!("the body of `{f}` has no value"),
                    *span,
                    "the body ends here, with a statement",
                )
                .with_help(format!(
                    "end the block with an expression: its value is what `{f}` returns"
                )),
                None => Diagnostic::error(
                    code,
                    "this has no value",
                    *span,
                    "a value is needed here",
                )
                .with_help("end the block with an expression, or give the `if` an `else`"),
            },
            EvalError::InCall { .. } => traceback(self),
            EvalError::UsedBeforeDeclared {
                name,
                declared,
                error,
            } => super::declared::used_before_declared(name, *declared, error),
            EvalError::StringAsValue { span } => Diagnostic::error(
                code,
                "a string cannot be used as a value",
                *span,
                "a string",
            )
            .with_help("strings are for `print`, `assert` messages, file paths and string options"),
            EvalError::FunctionAsValue { span, name } => Diagnostic::error(
                code,
                format!("`{name}` is a function, not a value"),
                *span,
                "a function",
            )
            .with_help(format!("call it: `{name}(...)`")),
        }
    }
}

fn with_optional_help(d: Diagnostic, help: &Option<String>) -> Diagnostic {
    match help {
        Some(h) => d.with_help(h.clone()),
        None => d,
    }
}

/// `shape (2, 3)`, or `a scalar`.
/// A linear-algebra builtin given a non-matrix or a non-square matrix.
fn not_matrix(
    code: crate::diagnostic::Code,
    op: &str,
    span: crate::syntax::span::Span,
    operand: &(crate::syntax::span::Span, Vec<usize>),
    square: bool,
) -> Diagnostic {
    let shape = &operand.1;
    let wanted = if square {
        "a square matrix"
    } else {
        "a matrix (2-D)"
    };
    let help = match shape.as_slice() {
        [_, _] if op == "`solve`" => {
            "for least squares, solve the normal equations: `solve(A.T @ A, A.T @ b)`".to_string()
        }
        [r, c] => format!("this has {r} rows and {c} columns; a square matrix has as many of each"),
        [n] => format!("a vector is not a matrix; `reshape(x, [1, {n}])` makes it a row"),
        _ => "a matrix has two axes: rows and columns".to_string(),
    };
    Diagnostic::error(
        code,
        if shape.is_empty() {
            format!("{op} needs {wanted}, but this is a scalar")
        } else {
            format!(
                "{op} needs {wanted}, but this has shape {}",
                shape_string(shape)
            )
        },
        operand.0,
        shape_label(shape),
    )
    .with_label(span, format!("{op} is called here"))
    .with_help(help)
}

pub(super) fn shape_label(shape: &[usize]) -> String {
    if shape.is_empty() {
        "a scalar".to_string()
    } else {
        format!("shape {}", shape_string(shape))
    }
}

/// `1 argument`, `2 arguments`.
pub(super) fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `1 was`, `2 were`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A count of elements in digits, or in scientific notation when huge.
fn count_words(n: f64) -> String {
    if n < 1e15 && n.fract() == 0.0 {
        format!("{}", n as u64)
    } else {
        format!("{n:e}")
    }
}

/// `` `a`, `b`, `c` ``
fn backticked<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The help for an unknown name or function: a hint for a name from
/// another language first, then the closest known name, then how to
/// define it.
fn unknown_help(
    hint: Option<String>,
    suggestion: &Option<String>,
    define: impl FnOnce() -> String,
) -> String {
    match (hint, suggestion) {
        (Some(help), _) => help,
        (None, Some(s)) => format!("did you mean `{s}`?"),
        (None, None) => define(),
    }
}

/// Hints for names people bring from other languages.
fn unknown_name_help(name: &str) -> Option<String> {
    Some(match name {
        "PI" | "Pi" => "the constant is spelled `pi`".into(),
        "E" => "Euler's number is `e`".into(),
        "Inf" | "INF" | "infinity" => "infinity is `inf`".into(),
        "NaN" | "NAN" => "not-a-number is `nan`".into(),
        "True" | "TRUE" => "did you mean `true`?".into(),
        "False" | "FALSE" => "did you mean `false`?".into(),
        "loss" => "no loss is defined yet; define one with `loss = ...`".into(),
        _ => return None,
    })
}

/// Hints for functions gradlang spells differently or lacks.
fn unknown_function_help(name: &str) -> Option<String> {
    Some(match name {
        "matmul" | "mm" => "write the matrix product as `a @ b`".into(),
        "square" => "write `x^2`".into(),
        "mod" | "fmod" | "remainder" => "write `x % y` (the result has the sign of `y`)".into(),
        "mse" => "write `mean((a - b)^2)`".into(),
        "maximum" => "the elementwise maximum is `max(a, b)`".into(),
        "minimum" => "the elementwise minimum is `min(a, b)`".into(),
        "size" | "numel" => "`len(x)` counts the first axis, `prod(shape(x))` every entry".into(),
        "array" | "tensor" => {
            "write a tensor literal, e.g. `[1, 2, 3]` or `[[1, 2], [3, 4]]`".into()
        }
        "cat" | "stack" => "join tensors with `concat(a, b, axis=0)`, `hstack` or `vstack`".into(),
        "T" | "t" => "transpose with `x.T` or `transpose(x)`".into(),
        "range" => "write a range as `a..b`, e.g. `for i in 0..10`; for a tensor, `arange(10)`".into(),
        _ if crate::optim::OPTIMIZERS.contains(&name) => format!(
            "an optimizer is not a function: write `minimize with {name} lr=0.1 steps=...` after `loss = ...`"
        ),
        _ => return None,
    })
}
