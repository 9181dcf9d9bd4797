//! Errors raised while running a script (codes E02xx), each variant with the
//! spans it is about, and the words each is reported with. docs/errors.md
//! lists every code with an example and the fix.
//!
//! `gradlang check` raises the same variants for what it can find without
//! running (unknown names, functions, optimizers and options, arity), so a
//! mistake has one code whichever command finds it.

use crate::diagnostic::Code;
use crate::syntax::ast::{ExprS, Ident};
use crate::syntax::span::Span;

pub use crate::tensor::MAX_ELEMENTS;
pub(crate) use op_words::op_error;
use wording::plural;

mod declared;
mod fit_words;
mod index_words;
mod non_finite_words;
mod op_words;
mod shape_words;
mod traceback;
mod training;
mod wording;

/// Which least-squares rule an [`EvalError::Fit`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitError {
    /// `lm` on a loss that is not a `residual` (or maximizing).
    NeedsResidual,
    /// `lm` on params with bounds.
    Bounds,
    /// `stderr` or `covariance` with no least-squares fit behind it.
    NoFit,
}
pub use training::TrainingError;

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
    /// A linear-algebra builtin given something other than a matrix, or
    /// (`square`) a matrix that is not square; `span` is the callee.
    NotMatrix {
        op: String,
        span: Span,
        operand: (Span, Vec<usize>),
        square: bool,
    },
    /// `x[i]` with `i` past the end of its axis; `target` is `x`. In an
    /// index array, `entry` is the position of the bad one.
    IndexOutOfRange {
        span: Span,
        index: i64,
        axis: usize,
        len: usize,
        entry: Option<usize>,
        target: (Span, Vec<usize>),
    },
    /// An index that cannot pick entries: a step of 0, an index array
    /// with a fraction in it, a mask of the wrong shape, an index that
    /// could be a mask or positions, two index arrays; `target` is `x`.
    BadIndex {
        span: Span,
        message: String,
        target: (Span, Vec<usize>),
        help: String,
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
    /// A least-squares construct where it does not apply (E0235 to E0237;
    /// the constructors are in error/fit_words.rs).
    Fit {
        kind: FitError,
        span: Span,
        message: String,
        label: String,
        help: String,
    },
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
    /// NaN or Inf during `minimize`. `trial` when it came from a point
    /// `lbfgs` or `newton` tried within the step (such points are not
    /// projected into the params' bounds).
    NonFinite {
        step: usize,
        trial: bool,
        what: String,
        span: Span,
        cause: NonFiniteCause,
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
    /// A formula that reads itself through other formulas; `span` is its
    /// expression.
    CircularFormula { span: Span },
    /// Mini-batches, `save` and `load` (error/training.rs).
    Training(TrainingError),
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
    /// A `minimize` option given twice; `first` is where it was first given.
    DuplicateOption {
        name: String,
        span: Span,
        first: Span,
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
    /// An unknown name or function (`error`) that the script declares on a
    /// later line, at `declared`; reported with the error's own code.
    UsedBeforeDeclared {
        name: String,
        declared: Span,
        error: Box<EvalError>,
    },
}

/// Where the NaN or Inf that stopped a `minimize` came from.
#[derive(Debug, Clone, PartialEq)]
pub enum NonFiniteCause {
    /// An operation made it from finite inputs: its span, a label, and a
    /// note on what went in.
    Operation {
        span: Span,
        label: String,
        note: String,
    },
    /// A value held it before any step: `what` says which entry ("NaN
    /// (entry [2])"), `kind` what the value is ("a constant"), and `data`
    /// the data binding it was read from, with where it was bound.
    Value {
        span: Span,
        what: String,
        kind: &'static str,
        data: Option<(String, Span)>,
    },
    /// No single operation: values grew step by step until they overflowed.
    Growth,
}

impl EvalError {
    /// The stable code, listed in docs/errors.md.
    pub fn code(&self) -> Code {
        match self {
            EvalError::UnknownName { .. } => Code::E0201,
            EvalError::UnknownFunction { .. } => Code::E0202,
            EvalError::Arity { .. } => Code::E0203,
            EvalError::UnknownOption { .. } => Code::E0204,
            EvalError::ShapeMismatch { .. } | EvalError::NotMatrix { .. } => Code::E0205,
            EvalError::BadArgument { .. } => Code::E0206,
            EvalError::LossNotScalar { .. } => Code::E0207,
            EvalError::Fit { kind, .. } => match kind {
                FitError::NeedsResidual => Code::E0235,
                FitError::Bounds => Code::E0236,
                FitError::NoFit => Code::E0237,
            },
            EvalError::NoLoss { .. } => Code::E0208,
            EvalError::GradOfNonParam { .. } => Code::E0209,
            EvalError::NotScalar { .. } => Code::E0210,
            EvalError::ParamOutOfBounds { .. } => Code::E0211,
            EvalError::NonFinite { .. } => Code::E0212,
            EvalError::AssertionFailed { .. } => Code::E0213,
            EvalError::RecursionTooDeep { .. } => Code::E0214,
            EvalError::File { .. } => Code::E0215,
            EvalError::BadAssignment { .. } => Code::E0216,
            EvalError::Misplaced { .. } => Code::E0217,
            EvalError::TooLarge { .. } => Code::E0218,
            EvalError::OptimizerOption { .. } | EvalError::DuplicateOption { .. } => Code::E0219,
            EvalError::UnknownOptimizer { .. } => Code::E0220,
            EvalError::IndexOutOfRange { .. } => Code::E0221,
            EvalError::TooManyIndices { .. } => Code::E0222,
            EvalError::BadIndex { .. } => Code::E0229,
            EvalError::NoValue { .. } => Code::E0223,
            EvalError::StringAsValue { .. } => Code::E0224,
            EvalError::InCall { error, .. } | EvalError::UsedBeforeDeclared { error, .. } => {
                error.code()
            }
            EvalError::FunctionAsValue { .. } => Code::E0225,
            EvalError::FormulaTooDeep { .. } => Code::E0226,
            EvalError::Interrupted { .. } => Code::E0227,
            EvalError::CircularFormula { .. } => Code::E0228,
            EvalError::Training(e) => e.code(),
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
    /// the `call` that ran the body; nested calls nest, so the report shows
    /// every call from the script's line down (not for recursion limits,
    /// whose span is already a call).
    pub fn in_call(self, call: Span, name: &str) -> EvalError {
        match self {
            EvalError::RecursionTooDeep { .. } | EvalError::FormulaTooDeep { .. } => self,
            error => EvalError::InCall {
                call,
                name: name.into(),
                error: Box::new(error),
            },
        }
    }

    /// `minimize` inside a function or block (the evaluator and `check`
    /// share these constructors so both say the same).
    /// `break` or `continue` (`word`) with no loop around it.
    pub fn outside_loop(span: Span, word: &str) -> EvalError {
        EvalError::Misplaced {
            span,
            message: format!("`{word}` outside a loop"),
            help: Some(format!(
                "`{word}` belongs inside the body of a `for` or `while` (a function body cannot end its caller's loop)"
            )),
        }
    }

    /// A param given a value of another shape by `name = ...`.
    pub fn param_reshaped(name: &Ident, value: Span, old: &[usize], new: &[usize]) -> EvalError {
        EvalError::ShapeMismatch {
            op: "a param update".into(),
            span: value,
            lhs: (name.span, old.to_vec()),
            rhs: (value, new.to_vec()),
            help: format!(
                "a param keeps its shape; to start `{0}` over with another shape, declare it again with `param {0} = ...`",
                name.node
            ),
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
}

/// A count (`steps`, `every`, `digits`, a seed) above `max`; `what` names it.
pub(crate) fn count_too_large(what: &str, found: f64, max: f64, span: Span) -> EvalError {
    EvalError::BadArgument {
        span,
        message: format!(
            "{what} must be at most {}, found {}",
            number_words(max),
            number_words(found)
        ),
        help: Some(format!(
            "write a whole number from 0 to {}",
            number_words(max)
        )),
    }
}

/// A number as a script would write it: `3`, `2.5`, or `1e20` when it is
/// 1e15 or more (where its digits would be a long row of zeros).
pub(crate) fn number_words(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
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
