//! Errors raised while running a script (codes E02xx), each variant with the
//! spans it is about, and the words each is reported with. docs/errors.md
//! lists every code with an example and the fix.
//!
//! `gradlang check` raises the same variants for what it can find without
//! running (unknown names, functions, optimizers and options, arity), so a
//! mistake has one code whichever command finds it.

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::ExprS;
use crate::syntax::span::Span;
use crate::tensor::shape_string;

pub use crate::tensor::MAX_ELEMENTS;

/// What was passed to `grad` (or `hessian`, `gradcheck`) in place of a param.
#[derive(Debug, Clone, PartialEq)]
pub enum NotAParam {
    /// A `let` name: data or a formula.
    Let(String),
    /// A `fn` name.
    Function(String),
    /// Anything but a plain name.
    Expression,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// A name that is not defined at this point.
    UnknownName {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A call of a name that is neither a builtin nor a `fn`.
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A call with the wrong number of arguments. `span` is the callee,
    /// `extra` covers the arguments beyond those accepted, `defined` is the
    /// called `fn`'s definition and `signature` how a call looks.
    Arity {
        name: String,
        span: Span,
        expected: String,
        found: usize,
        signature: Option<String>,
        defined: Option<Span>,
        extra: Option<Span>,
    },
    /// A `name=value` option the function, `print` or optimizer lacks.
    UnknownOption {
        name: String,
        span: Span,
        context: String,
        valid: Vec<String>,
        suggestion: Option<String>,
    },
    /// `minimize with NAME` for a name that is no optimizer.
    UnknownOptimizer {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// Two operands whose shapes do not fit together; `span` is the
    /// operator or call, `lhs` and `rhs` the operands with their shapes.
    ShapeMismatch {
        op: String,
        span: Span,
        lhs: (Span, Vec<usize>),
        rhs: (Span, Vec<usize>),
        help: String,
    },
    /// `x[i]` with `i` past the end of its axis; `target` is `x`.
    IndexOutOfRange {
        span: Span,
        index: i64,
        axis: usize,
        len: usize,
        target: (Span, Vec<usize>),
    },
    /// More indices than the tensor has axes; `span` is the first extra.
    TooManyIndices {
        span: Span,
        given: usize,
        target: (Span, Vec<usize>),
    },
    /// An argument of the wrong kind or value.
    BadArgument {
        span: Span,
        message: String,
        help: Option<String>,
    },
    /// A loss whose value is not a single number.
    LossNotScalar { span: Span, shape: Vec<usize> },
    /// `minimize` with no loss defined, or `minimize NAME` where NAME is
    /// not a loss.
    NoLoss { span: Span, name: Option<String> },
    /// `grad(y, p)` where `p` does not name a param.
    GradOfNonParam { span: Span, what: NotAParam },
    /// A value that must be a single number (a condition, an index, ...).
    NotScalar {
        span: Span,
        what: String,
        shape: Vec<usize>,
    },
    /// A bounded param whose initial value lies outside its bounds.
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
    /// `assert` on a condition that is not all true.
    AssertionFailed { span: Span, message: Option<String> },
    /// Function calls (or formulas using formulas) nested beyond `limit`.
    RecursionTooDeep { span: Span, limit: usize },
    /// Formulas referring to formulas more than `limit` deep (a top-level
    /// loop that accumulates a param-dependent value many times).
    FormulaTooDeep { span: Span, limit: usize },
    /// Ctrl-C in the REPL stopped a loop or call.
    Interrupted { span: Span },
    /// A file that could not be read or understood (`csv`).
    File {
        span: Span,
        path: String,
        reason: String,
        help: Option<String>,
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
    /// A tensor beyond [`MAX_ELEMENTS`].
    TooLarge { span: Span, elements: f64 },
    /// An optimizer option with a bad value, or a missing `steps`.
    OptimizerOption {
        span: Span,
        message: String,
        help: Option<String>,
    },
    /// A block (or a function body) with no value where one is needed.
    NoValue {
        span: Span,
        function: Option<String>,
    },
    /// A string literal where a number or tensor is needed.
    StringAsValue { span: Span },
    /// An error inside the body of the user function `name`, with the
    /// call that led there; reported with the error's own code.
    InCall {
        call: Span,
        name: String,
        error: Box<EvalError>,
    },
    /// A function's name used as a value.
    FunctionAsValue { span: Span, name: String },
}

impl EvalError {
    /// The stable code, listed in docs/errors.md.
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
            EvalError::UnknownOptimizer { .. } => "E0220",
            EvalError::IndexOutOfRange { .. } => "E0221",
            EvalError::TooManyIndices { .. } => "E0222",
            EvalError::NoValue { .. } => "E0223",
            EvalError::StringAsValue { .. } => "E0224",
            EvalError::InCall { error, .. } => error.code(),
            EvalError::FunctionAsValue { .. } => "E0225",
            EvalError::FormulaTooDeep { .. } => "E0226",
            EvalError::Interrupted { .. } => "E0227",
        }
    }

    /// `minimize with NAME` for an unknown NAME, with a did-you-mean over
    /// the optimizers.
    pub fn unknown_optimizer(name: &str, span: Span) -> EvalError {
        EvalError::UnknownOptimizer {
            name: name.to_string(),
            span,
            suggestion: crate::diagnostic::did_you_mean(
                name,
                crate::optim::OPTIMIZERS.iter().copied(),
            )
            .map(String::from),
        }
    }

    /// This error, raised in the body of the function `name`, labelled with
    /// the `call` that ran the body (the innermost call only, and not for
    /// recursion limits, whose span is already a call).
    pub fn in_call(self, call: Span, name: &str) -> EvalError {
        match self {
            EvalError::InCall { .. }
            | EvalError::RecursionTooDeep { .. }
            | EvalError::FormulaTooDeep { .. } => self,
            error => EvalError::InCall {
                call,
                name: name.into(),
                error: Box::new(error),
            },
        }
    }

    /// `minimize` inside a function or block (the evaluator and `check`
    /// share these constructors so both say the same).
    pub fn minimize_not_top_level(span: Span) -> EvalError {
        EvalError::Misplaced {
            span,
            message: "`minimize` can only run at the top level of a script".into(),
            help: Some("move it out of the function or block".into()),
        }
    }

    /// `param` inside a function body.
    pub fn param_not_top_level(span: Span) -> EvalError {
        EvalError::Misplaced {
            span,
            message: "params can only be declared at the top level".into(),
            help: Some("declare the param outside the function and read it inside".into()),
        }
    }

    /// `NAME = ...` where no `let` NAME is in scope.
    pub fn assign_to_undefined(span: Span, name: &str) -> EvalError {
        EvalError::BadAssignment {
            span,
            name: name.into(),
            reason: "no `let` of this name is in scope".into(),
        }
    }

    /// `NAME = ...` where NAME is a param.
    pub fn assign_to_param(span: Span, name: &str) -> EvalError {
        EvalError::BadAssignment {
            span,
            name: name.into(),
            reason: "this is a param; only optimizers change params".into(),
        }
    }

    /// `NAME = ...` where NAME is a function.
    pub fn assign_to_function(span: Span, name: &str) -> EvalError {
        EvalError::BadAssignment {
            span,
            name: name.into(),
            reason: "this is a function".into(),
        }
    }

    /// `minimize` with no `steps=`; `span` is the optimizer's name.
    pub fn missing_steps(span: Span, optimizer: &str) -> EvalError {
        EvalError::OptimizerOption {
            span,
            message: "`minimize` needs a number of steps".into(),
            help: Some(format!(
                "add `steps=N`, e.g. `minimize with {optimizer} lr=0.01 steps=1000`"
            )),
        }
    }

    /// A tensor literal whose row `rhs` differs in shape from the first, `lhs`.
    pub fn ragged(lhs: (Span, Vec<usize>), rhs: (Span, Vec<usize>)) -> EvalError {
        EvalError::ShapeMismatch {
            op: "a tensor literal".into(),
            span: rhs.0,
            lhs,
            rhs,
            help: "every row of a tensor literal must have the same shape; pad the short rows or split the literal".into(),
        }
    }

    /// `dot(a, b)` with `a` and `b` of different shapes.
    pub fn dot_mismatch(span: Span, lhs: (Span, Vec<usize>), rhs: (Span, Vec<usize>)) -> EvalError {
        EvalError::ShapeMismatch {
            op: "`dot`".into(),
            span,
            lhs,
            rhs,
            help: "`dot` needs two tensors of the same shape; for matrix products use `@`".into(),
        }
    }

    /// The error as a diagnostic: what was found, what was expected, and how
    /// to fix it.
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
                match (suggestion, unknown_name_help(name)) {
                    (_, Some(help)) => d.with_help(help),
                    (Some(s), None) => d.with_help(format!("did you mean `{s}`?")),
                    (None, None) => d.with_help(format!(
                        "define it before this line, e.g. `let {name} = ...` or `param {name} = ...`"
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
                match (suggestion, unknown_function_help(name)) {
                    (_, Some(help)) => d.with_help(help),
                    (Some(s), None) => d.with_help(format!("did you mean `{s}`?")),
                    (None, None) => d.with_help(format!(
                        "define it first, e.g. `fn {name}(x) = ...`; docs/language.md lists the builtins"
                    )),
                }
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
            EvalError::IndexOutOfRange {
                span,
                index,
                axis,
                len,
                target,
            } => {
                let d = Diagnostic::error(
                    code,
                    format!("index {index} is out of range for an axis of length {len}"),
                    *span,
                    format!("index {index} on axis {axis}"),
                )
                .with_label(target.0, shape_label(&target.1));
                if *len == 0 {
                    d.with_help("this axis is empty, so it has no entries to pick")
                } else {
                    d.with_help(format!(
                        "valid indices on axis {axis} are 0 to {} (or -{len} to -1 from the end)",
                        len - 1
                    ))
                }
            }
            EvalError::TooManyIndices {
                span,
                given,
                target,
            } => {
                let rank = target.1.len();
                Diagnostic::error(
                    code,
                    format!(
                        "{given} {} for a tensor of rank {rank}",
                        if *given == 1 { "index" } else { "indices" }
                    ),
                    *span,
                    "one index too many",
                )
                .with_label(target.0, shape_label(&target.1))
                .with_help(if rank == 0 {
                    "a scalar cannot be indexed".to_string()
                } else {
                    format!(
                        "give at most {rank} {}, one per axis",
                        if rank == 1 { "index" } else { "indices" }
                    )
                })
            }
            EvalError::BadArgument {
                span,
                message,
                help,
            } => with_optional_help(
                Diagnostic::error(code, message.clone(), *span, "this value"),
                help,
            ),
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
                what,
                span,
                origin,
                inputs,
            } => {
                let (when, stopped) = match step {
                    0 => (
                        "at the starting point".to_string(),
                        "stopped before the first step".to_string(),
                    ),
                    n => (
                        format!("after {}", plural(*n, "step")),
                        format!("stopped after {}", plural(*n, "step")),
                    ),
                };
                let gradient = what == "gradient";
                let mut d = Diagnostic::error(
                    code,
                    format!("the {what} became NaN or infinite {when} of `minimize`"),
                    *span,
                    stopped,
                );
                match origin {
                    // The backward pass is recorded at the operation it
                    // differentiates, so say so rather than name its parts.
                    Some((s, _)) if gradient => {
                        d = d.with_label(*s, "the derivative of this is not finite here")
                    }
                    Some((s, label)) => d = d.with_label(*s, label.clone()),
                    None => {
                        d = d.with_note("no single operation produced it: the values grew step by step until they overflowed")
                    }
                }
                for i in inputs {
                    d = d.with_note(if gradient {
                        format!("in the derivative, {i}")
                    } else {
                        i.clone()
                    });
                }
                d.with_help(if gradient {
                    "some functions have an infinite slope at a point (`sqrt(x)` and `x^0.5` at 0, `log(x)` at 0); start the param away from it, or bound the param with `in [lo, hi]`"
                } else {
                    "lower the learning rate, bound the param with `in [lo, hi]`, or guard the operation (e.g. `log(x + 1e-9)`)"
                })
            }
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
                "only names introduced with `let` can be assigned; to introduce one, write `let {name} = ...`"
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
            EvalError::InCall { call, name, error } => error
                .to_diagnostic()
                .with_label(*call, format!("in this call of `{name}`")),
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

/// An operation's failure as an error at the source spans: `span` is the
/// operator or call, `operands` the two sides (or the tensor and the axis).
pub(crate) fn op_error(
    e: crate::autodiff::OpError,
    op: &str,
    span: Span,
    operands: (Span, Span),
) -> EvalError {
    use crate::autodiff::OpError;
    match e {
        OpError::Broadcast { lhs, rhs } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            help: broadcast_help(&lhs, &rhs),
            lhs: (operands.0, lhs),
            rhs: (operands.1, rhs),
        },
        OpError::MatMul { lhs, rhs } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            help: matmul_help(&lhs, &rhs),
            lhs: (operands.0, lhs),
            rhs: (operands.1, rhs),
        },
        OpError::Axis { axis, ndim } => axis_error(axis, ndim, operands.1),
        OpError::Reshape { from, to } => EvalError::BadArgument {
            span: operands.1,
            message: format!(
                "cannot reshape {} elements into shape {} ({} elements)",
                from.iter().product::<usize>(),
                shape_string(&to),
                to.iter().product::<usize>()
            ),
            help: Some(format!(
                "the number of elements must stay the same; the input has shape {}",
                shape_string(&from)
            )),
        },
        OpError::Concat { first, other, axis } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            lhs: (operands.0, first),
            rhs: (operands.1, other),
            help: format!(
                "joined tensors must have the same rank and agree on every axis except axis {axis}"
            ),
        },
        OpError::IndexOutOfRange { index, len, axis } => EvalError::BadArgument {
            span: operands.1,
            message: format!("index {index} is out of range for axis {axis} of length {len}"),
            help: None,
        },
        OpError::TooManyIndices { given, ndim } => EvalError::BadArgument {
            span: operands.1,
            message: format!("{given} indices for a tensor of rank {ndim}"),
            help: None,
        },
        OpError::TooLarge { elements } => EvalError::TooLarge { span, elements },
        OpError::Empty => EvalError::BadArgument {
            span,
            message: format!("{op} of an empty tensor has no value"),
            help: Some("check the tensor's shape before reducing it".into()),
        },
    }
}

/// `axis=` outside a tensor of rank `ndim`; `span` is the axis.
pub(crate) fn axis_error(axis: i64, ndim: usize, span: Span) -> EvalError {
    EvalError::BadArgument {
        span,
        message: format!("axis {axis} is out of range for a tensor of rank {ndim}"),
        help: Some(match ndim {
            0 => "a scalar has no axes; leave out `axis=`".into(),
            1 => "a 1-D tensor has only axis 0 (also written -1)".into(),
            _ => format!(
                "the axes are 0 to {} (or -{ndim} to -1 from the end)",
                ndim - 1
            ),
        }),
    }
}

/// A call of the user function `def` with the wrong number of `args`;
/// `callee` is the name at the call.
pub(crate) fn fn_arity(def: &super::env::FnDef, args: &[ExprS], callee: Span) -> EvalError {
    let n = def.params.len();
    let names: Vec<&str> = def.params.iter().map(|p| p.node.as_str()).collect();
    let defined = match (def.params.first(), def.params.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span::new(def.span.start, def.span.start + 2),
    };
    EvalError::Arity {
        name: def.name.clone(),
        span: callee,
        expected: plural(n, "argument"),
        found: args.len(),
        signature: Some(format!("{}({})", def.name, names.join(", "))),
        defined: Some(defined),
        extra: extra_args(args, n),
    }
}

/// The span of the arguments beyond the first `max`, if there are any.
pub(crate) fn extra_args(args: &[ExprS], max: usize) -> Option<Span> {
    match (args.get(max), args.last()) {
        (Some(first), Some(last)) => Some(first.span.to(last.span)),
        _ => None,
    }
}

/// Why a file could not be read, in words (no OS error numbers).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "there is no such file".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "it is a folder, not a file".into(),
        ErrorKind::InvalidData => "it is not UTF-8 text".into(),
        _ => {
            // Drop the " (os error N)" tail that the platform adds.
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_lowercase(),
                None => text.to_lowercase(),
            }
        }
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_diagnostic().title)
    }
}

impl std::error::Error for EvalError {}

fn with_optional_help(d: Diagnostic, help: &Option<String>) -> Diagnostic {
    match help {
        Some(h) => d.with_help(h.clone()),
        None => d,
    }
}

/// `shape (2, 3)`, or `a scalar`.
fn shape_label(shape: &[usize]) -> String {
    if shape.is_empty() {
        "a scalar".to_string()
    } else {
        format!("shape {}", shape_string(shape))
    }
}

/// `1 argument`, `2 arguments`.
fn plural(n: usize, noun: &str) -> String {
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

/// Title and label of a shape mismatch, in the words of the operation.
fn mismatch_words(op: &str, lhs: &[usize], rhs: &[usize]) -> (String, String) {
    let (l, r) = (shape_string(lhs), shape_string(rhs));
    let broadcast = "these shapes do not broadcast".to_string();
    let verb = match op {
        "`+`" => "add",
        "`-`" => "subtract",
        "`*`" => "multiply",
        "`/`" => "divide",
        "`^`" => "raise to a power",
        "`<`" | "`<=`" | "`>`" | "`>=`" | "`==`" | "`!=`" => "compare",
        "`and`" | "`or`" => "combine",
        _ => "",
    };
    if !verb.is_empty() {
        return (
            format!("cannot {verb} tensors of shapes {l} and {r}"),
            broadcast,
        );
    }
    match op {
        "`@`" => match (lhs.len(), rhs.len()) {
            (0, _) | (_, 0) => (
                "cannot use `@` with a scalar".to_string(),
                "`@` needs 1-D or 2-D operands".to_string(),
            ),
            (a, b) if a > 2 || b > 2 => (
                format!("cannot use `@` with a tensor of rank {}", a.max(b)),
                "`@` needs 1-D or 2-D operands".to_string(),
            ),
            _ => (
                format!("cannot multiply matrices of shapes {l} and {r}"),
                format!(
                    "{} on the left, {} on the right",
                    plural(lhs[lhs.len() - 1], "column"),
                    plural(rhs[0], "row")
                ),
            ),
        },
        "`dot`" => (
            format!("`dot` needs tensors of the same shape, not {l} and {r}"),
            "the shapes differ".to_string(),
        ),
        "`hstack`" | "`vstack`" | "`concat`" => (
            format!("cannot join tensors of shapes {l} and {r} with {op}"),
            "these do not fit together".to_string(),
        ),
        "`pow`" | "`max`" | "`min`" | "`clamp`" => (
            format!("cannot apply {op} to tensors of shapes {l} and {r}"),
            broadcast,
        ),
        "`full`" => (
            format!("cannot fill shape {r} with a value of shape {l}"),
            "the value does not broadcast to this shape".to_string(),
        ),
        "param bounds" => (
            format!("bounds of shape {r} do not fit a param of shape {l}"),
            "these bounds".to_string(),
        ),
        _ => (
            format!("shapes {l} and {r} do not fit in {op}"),
            "these shapes do not fit".to_string(),
        ),
    }
}

/// Why two shapes do not broadcast, and a likely fix, for the help line.
pub(crate) fn broadcast_help(lhs: &[usize], rhs: &[usize]) -> String {
    let n = lhs.len().max(rhs.len());
    let dim = |s: &[usize], i: usize| {
        if i + s.len() >= n {
            s[i + s.len() - n]
        } else {
            1
        }
    };
    let clash = (0..n).rev().find(|&i| {
        let (a, b) = (dim(lhs, i), dim(rhs, i));
        a != b && a != 1 && b != 1
    });
    let rule = "shapes broadcast when, compared from the last axis, each pair of sizes is equal or one of them is 1";
    let why = match clash {
        Some(i) => format!("{rule}; here {} meets {}", dim(lhs, i), dim(rhs, i)),
        None => rule.to_string(),
    };
    let fix = if lhs.len() == 2 && rhs.len() == 2 && lhs[0] == rhs[1] && lhs[1] == rhs[0] {
        "; did you mean to transpose one of them with `.T`?".to_string()
    } else if lhs.len() == 1 && rhs.len() == 2 && lhs[0] == rhs[0] {
        "; to pair each entry of the left with a row of the right, make it a column: `reshape(a, [-1, 1])`".to_string()
    } else if rhs.len() == 1 && lhs.len() == 2 && rhs[0] == lhs[0] {
        "; to pair each entry of the right with a row of the left, make it a column: `reshape(b, [-1, 1])`".to_string()
    } else {
        String::new()
    };
    format!("{why}{fix}")
}

/// Why `@` does not fit two shapes, and a likely fix.
pub(crate) fn matmul_help(lhs: &[usize], rhs: &[usize]) -> String {
    if lhs.is_empty() || rhs.is_empty() {
        return "`@` multiplies 1-D and 2-D tensors; to scale by a scalar, use `*`".to_string();
    }
    if lhs.len() > 2 || rhs.len() > 2 {
        return "`@` multiplies 1-D and 2-D tensors; reshape higher ranks first".to_string();
    }
    // A 1-D left operand is a row, a 1-D right operand a column.
    let rows = |s: &[usize]| s[0];
    let cols = |s: &[usize]| s[s.len() - 1];
    let fix = if lhs.len() == 2 && rhs.len() == 2 && cols(lhs) == cols(rhs) {
        "; did you mean `a @ b.T`?"
    } else if lhs.len() == 2 && rhs.len() == 2 && rows(lhs) == rows(rhs) {
        "; did you mean `a.T @ b`?"
    } else {
        ""
    };
    format!(
        "in `a @ b` the columns of `a` must equal the rows of `b`: here {} and {}{fix}",
        cols(lhs),
        rows(rhs)
    )
}

/// Hints for names people bring from other languages.
fn unknown_name_help(name: &str) -> Option<String> {
    Some(match name {
        "pi" | "PI" => {
            "gradlang has no built-in constants; define it: `let pi = 3.141592653589793`".into()
        }
        "e" | "E" => "for Euler's number write `exp(1)`".into(),
        "inf" | "Inf" | "infinity" => "for infinity write `1 / 0`".into(),
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
        "log10" | "log2" => format!("write `log(x) / log({})`", &name[3..]),
        "mse" => "write `mean((a - b)^2)`".into(),
        "maximum" => "the elementwise maximum is `max(a, b)`".into(),
        "minimum" => "the elementwise minimum is `min(a, b)`".into(),
        "size" | "numel" => "`len(x)` counts the first axis, `prod(shape(x))` every entry".into(),
        "array" | "tensor" => {
            "write a tensor literal, e.g. `[1, 2, 3]` or `[[1, 2], [3, 4]]`".into()
        }
        "cat" | "stack" => "join tensors with `concat(a, b, axis=0)`, `hstack` or `vstack`".into(),
        "T" | "t" => "transpose with `x.T` or `transpose(x)`".into(),
        _ => return None,
    })
}
