//! Errors raised while running a script, each with the spans it is about,
//! and their wording (codes E02xx; listed in docs/errors.md).

use crate::diagnostic::Diagnostic;
use crate::syntax::span::Span;
use crate::tensor::shape_string;

#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    UnknownName {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A call or option count that does not fit the function.
    Arity {
        name: String,
        span: Span,
        expected: String,
        found: usize,
    },
    UnknownOption {
        name: String,
        span: Span,
        context: String,
        valid: Vec<String>,
        suggestion: Option<String>,
    },
    /// Two operands whose shapes do not fit together.
    ShapeMismatch {
        op: String,
        span: Span,
        lhs: (Span, Vec<usize>),
        rhs: (Span, Vec<usize>),
        help: String,
    },
    /// An argument of the wrong kind or value.
    BadArgument {
        span: Span,
        message: String,
        help: Option<String>,
    },
    LossNotScalar {
        span: Span,
        shape: Vec<usize>,
    },
    NoLoss {
        span: Span,
        name: Option<String>,
    },
    GradOfNonParam {
        span: Span,
        what: String,
    },
    NotScalar {
        span: Span,
        what: String,
        shape: Vec<usize>,
    },
    ParamOutOfBounds {
        span: Span,
        bounds: Span,
        name: String,
    },
    /// NaN or Inf during `minimize`; `origin` is the first operation that
    /// produced it and `inputs` the values that went into it.
    NonFinite {
        step: usize,
        what: String,
        span: Span,
        origin: Option<(Span, String)>,
        inputs: Vec<String>,
    },
    AssertionFailed {
        span: Span,
        message: Option<String>,
    },
    RecursionTooDeep {
        span: Span,
        limit: usize,
    },
    File {
        span: Span,
        path: String,
        reason: String,
    },
    /// Assignment to something that is not a `let` name.
    BadAssignment {
        span: Span,
        name: String,
        reason: String,
    },
    /// A construct used where it cannot be.
    Misplaced {
        span: Span,
        message: String,
        help: Option<String>,
    },
    TooLarge {
        span: Span,
        elements: f64,
    },
    OptimizerOption {
        span: Span,
        message: String,
        help: Option<String>,
    },
}

fn shape_label(shape: &[usize]) -> String {
    if shape.is_empty() {
        "a scalar".to_string()
    } else {
        format!("shape {}", shape_string(shape))
    }
}

impl EvalError {
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::UnknownName { .. } => "E0201",
            EvalError::UnknownFunction { .. } => "E0202",
            EvalError::Arity { .. } => "E0203",
            EvalError::UnknownOption { .. } => "E0204",
            EvalError::ShapeMismatch { .. } => "E0205",
            EvalError::BadArgument { .. } => "E0206",
            EvalError::LossNotScalar { .. } => "E0207",
            EvalError::NoLoss { .. } => "E0208",
            EvalError::GradOfNonParam { .. } => "E0209",
            EvalError::NotScalar { .. } => "E0210",
            EvalError::ParamOutOfBounds { .. } => "E0211",
            EvalError::NonFinite { .. } => "E0212",
            EvalError::AssertionFailed { .. } => "E0213",
            EvalError::RecursionTooDeep { .. } => "E0214",
            EvalError::File { .. } => "E0215",
            EvalError::BadAssignment { .. } => "E0216",
            EvalError::Misplaced { .. } => "E0217",
            EvalError::TooLarge { .. } => "E0218",
            EvalError::OptimizerOption { .. } => "E0219",
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
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
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!(
                        "define it first, e.g. `let {name} = ...` or `param {name} = ...`"
                    )),
                }
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
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("define it with `fn {name}(x) = ...`, or see docs/language.md for the builtins")),
                }
            }
            EvalError::Arity {
                name,
                span,
                expected,
                found,
            } => Diagnostic::error(
                code,
                format!(
                    "`{name}` takes {expected}, but {found} {} given",
                    if *found == 1 { "was" } else { "were" }
                ),
                *span,
                format!("{found} argument{}", if *found == 1 { "" } else { "s" }),
            ),
            EvalError::UnknownOption {
                name,
                span,
                context,
                valid,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    code,
                    format!("unknown option `{name}` for {context}"),
                    *span,
                    "not an option here",
                );
                let list = if valid.is_empty() {
                    "it takes no options".to_string()
                } else {
                    format!("its options are {}", valid.join(", "))
                };
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`? ({list})")),
                    None => d.with_help(list),
                }
            }
            EvalError::ShapeMismatch {
                op,
                span,
                lhs,
                rhs,
                help,
            } => Diagnostic::error(
                code,
                format!("shapes do not fit for {op}"),
                *span,
                format!("{op} here"),
            )
            .with_label(lhs.0, format!("this has {}", shape_label(&lhs.1)))
            .with_label(rhs.0, format!("this has {}", shape_label(&rhs.1)))
            .with_help(help.clone()),
            EvalError::BadArgument {
                span,
                message,
                help,
            } => {
                let d = Diagnostic::error(code, message.clone(), *span, "here");
                match help {
                    Some(h) => d.with_help(h.clone()),
                    None => d,
                }
            }
            EvalError::LossNotScalar { span, shape } => Diagnostic::error(
                code,
                "the loss must be a scalar",
                *span,
                format!("this has {}", shape_label(shape)),
            )
            .with_help("reduce it to one number, e.g. with `sum(...)` or `mean(...)`"),
            EvalError::NoLoss { span, name } => match name {
                Some(n) => Diagnostic::error(
                    code,
                    format!("`{n}` is not a loss"),
                    *span,
                    "not defined with `loss`",
                )
                .with_help(format!("define it with `loss {n} = ...`")),
                None => Diagnostic::error(
                    code,
                    "no loss to minimize",
                    *span,
                    "there is no `loss = ...` before this",
                )
                .with_help("define the objective first, e.g. `loss = (x - 3)^2`"),
            },
            EvalError::GradOfNonParam { span, what } => Diagnostic::error(
                code,
                "gradients are taken with respect to a param",
                *span,
                format!("this is {what}"),
            )
            .with_help("declare the variable with `param NAME = ...` and pass its name"),
            EvalError::NotScalar { span, what, shape } => Diagnostic::error(
                code,
                format!("{what} must be a scalar"),
                *span,
                format!("this has {}", shape_label(shape)),
            ),
            EvalError::ParamOutOfBounds { span, bounds, name } => Diagnostic::error(
                code,
                format!("the initial value of `{name}` is outside its bounds"),
                *span,
                "this value",
            )
            .with_label(*bounds, "the bounds")
            .with_help("start the param inside [lo, hi]"),
            EvalError::NonFinite {
                step,
                what,
                span,
                origin,
                inputs,
            } => {
                let mut d = Diagnostic::error(
                    code,
                    format!("the {what} became non-finite at step {step}"),
                    *span,
                    "while minimizing this",
                );
                if let Some((s, label)) = origin {
                    d = d.with_label(*s, label.clone());
                }
                for i in inputs {
                    d = d.with_note(i.clone());
                }
                d.with_help("lower the learning rate, bound the param with `in [lo, hi]`, or guard the operation (e.g. `log(x + 1e-9)`)")
            }
            EvalError::AssertionFailed { span, message } => Diagnostic::error(
                code,
                format!(
                    "assertion failed{}",
                    message
                        .as_ref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
                *span,
                "this is not all true",
            ),
            EvalError::RecursionTooDeep { span, limit } => Diagnostic::error(
                code,
                format!("recursion deeper than {limit} calls"),
                *span,
                "this call",
            )
            .with_help("add a base case that stops the recursion, or loop with `for`"),
            EvalError::File { span, path, reason } => Diagnostic::error(
                code,
                format!("cannot read `{path}`: {reason}"),
                *span,
                "this file",
            ),
            EvalError::BadAssignment { span, name, reason } => Diagnostic::error(
                code,
                format!("cannot assign to `{name}`"),
                *span,
                reason.clone(),
            )
            .with_help(format!("introduce it with `let {name} = ...` first")),
            EvalError::Misplaced {
                span,
                message,
                help,
            } => {
                let d = Diagnostic::error(code, message.clone(), *span, "here");
                match help {
                    Some(h) => d.with_help(h.clone()),
                    None => d,
                }
            }
            EvalError::TooLarge { span, elements } => Diagnostic::error(
                code,
                format!("a tensor of {elements:e} elements is too large"),
                *span,
                "this size",
            )
            .with_help(format!(
                "gradlang holds tensors of at most {MAX_ELEMENTS:e} elements"
            )),
            EvalError::OptimizerOption {
                span,
                message,
                help,
            } => {
                let d = Diagnostic::error(code, message.clone(), *span, "here");
                match help {
                    Some(h) => d.with_help(h.clone()),
                    None => d,
                }
            }
        }
    }
}

/// The largest tensor a script may create (2 GiB of f64).
pub const MAX_ELEMENTS: f64 = 268_435_456.0;
