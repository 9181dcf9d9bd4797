//! The builtin functions: one table entry each (name, arity, options,
//! signature and summary for help and the REPL, the shape rule `gradlang
//! check` follows, and the function that records it). Adding a builtin is
//! adding one entry. The math — forward and backward — lives in `autodiff`.

pub(crate) mod arrange;
mod call;
mod constants;
pub(crate) mod create;
mod csv;
mod linalg;
pub(crate) mod math;
pub(crate) mod random;
pub(crate) mod reduce;
pub(crate) mod shape;

pub use super::calculus::Form;
use super::error::EvalError;
use super::Interp;
use crate::autodiff::{NodeId, Tape};
use crate::check::shapes;
use crate::syntax::span::Span;
pub(crate) use call::whole_number;
pub use call::Arity;
pub use constants::{constant, CONSTANTS};

/// What `gradlang check` knows of a call's result from what it knows of
/// the arguments (see `check::shapes`, which applies the rule). A rule
/// errs only where the evaluator certainly would.
#[derive(Clone, Copy)]
pub(crate) enum ShapeRule {
    /// The first argument's shape (`exp(x)`).
    SameAsFirst,
    /// The first two arguments' shapes broadcast (`pow(x, y)`).
    Broadcast,
    /// A scalar, or with `axis=` the argument's shape without that axis.
    Reduction,
    /// A reduction of one argument, or two broadcast (`max(x)`, `max(x, y)`).
    ReductionOrBroadcast,
    /// A new tensor whose dimensions are the arguments from this one on
    /// (`zeros(3, 2)`, `full(v, 3, 2)`).
    Dims(usize),
    /// Not followed: the result's shape is unknown to `check`.
    Unknown,
    /// A rule of its own, in `check::shapes`.
    Custom(shapes::Rule),
}

/// One builtin: everything help, `check` and the evaluator know of it.
pub struct Builtin {
    pub name: &'static str,
    /// How a call looks, e.g. `sum(x, axis=)`.
    pub signature: &'static str,
    /// One line for help and docs/language.md.
    pub summary: &'static str,
    pub arity: Arity,
    pub options: &'static [&'static str],
    pub(crate) shape: ShapeRule,
    pub(crate) run: fn(&mut Interp, &Call) -> Result<NodeId, EvalError>,
}

/// An evaluated argument: a tape value, or a string literal.
pub(crate) enum Arg {
    Node(NodeId),
    Text(String),
}

/// A call with its arguments evaluated.
pub(crate) struct Call {
    pub name: &'static str,
    pub args: Vec<(Arg, Span)>,
    pub opts: Vec<(String, Arg, Span)>,
    /// The whole call.
    pub span: Span,
    /// The function's name at the call, where shape errors point.
    pub callee: Span,
}

impl Call {
    pub fn node(&self, k: usize) -> Result<NodeId, EvalError> {
        match &self.args[k] {
            (Arg::Node(id), _) => Ok(*id),
            (Arg::Text(_), span) => Err(not_a_value(*span)),
        }
    }

    pub fn span(&self, k: usize) -> Span {
        self.args[k].1
    }

    pub fn nodes(&self) -> Result<Vec<NodeId>, EvalError> {
        (0..self.args.len()).map(|k| self.node(k)).collect()
    }

    pub fn text(&self, k: usize) -> Result<&str, EvalError> {
        match &self.args[k] {
            (Arg::Text(s), _) => Ok(s),
            (Arg::Node(_), span) => Err(EvalError::BadArgument {
                span: *span,
                message: format!("`{}` expects a string here", self.name),
                help: Some("write it in double quotes".into()),
            }),
        }
    }

    /// The node of option `name`, with its span.
    pub fn opt(&self, name: &str) -> Result<Option<(NodeId, Span)>, EvalError> {
        match self.opts.iter().find(|(n, _, _)| n == name) {
            Some((_, Arg::Node(id), span)) => Ok(Some((*id, *span))),
            Some((_, Arg::Text(_), span)) => Err(not_a_value(*span)),
            None => Ok(None),
        }
    }
}

fn not_a_value(span: Span) -> EvalError {
    EvalError::StringAsValue { span }
}

pub fn lookup(name: &str) -> Option<&'static Builtin> {
    TABLE.iter().find(|b| b.name == name)
}

/// The calls that take a param by name: `grad`, `hessian`, `gradcheck`.
pub fn calculus() -> &'static [Form] {
    super::calculus::FORMS
}

/// Whether `name` is a builtin or a calculus form (`grad`, ...).
pub fn is_function(name: &str) -> bool {
    lookup(name).is_some() || super::calculus::is_form(name)
}

/// The names of every builtin and calculus form, for did-you-mean and
/// completion.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .map(|b| b.name)
        .chain(calculus().iter().map(|f| f.name))
}

/// Every builtin, for help, completion and did-you-mean.
pub fn all() -> &'static [Builtin] {
    TABLE
}

static TABLE: &[Builtin] = &[
    // elementwise
    math::unary!("exp", "exp(x)", "e to the power x", Exp),
    math::unary!("log", "log(x)", "natural logarithm", Log),
    math::unary!("sqrt", "sqrt(x)", "square root", Sqrt),
    math::unary!("sin", "sin(x)", "sine", Sin),
    math::unary!("cos", "cos(x)", "cosine", Cos),
    math::unary!("tan", "tan(x)", "tangent", Tan),
    math::unary!("tanh", "tanh(x)", "hyperbolic tangent", Tanh),
    math::unary!("sigmoid", "sigmoid(x)", "1 / (1 + exp(-x))", Sigmoid),
    math::unary!("relu", "relu(x)", "max(x, 0)", Relu),
    math::unary!("softplus", "softplus(x)", "log(1 + exp(x))", Softplus),
    math::unary!("abs", "abs(x)", "absolute value", Abs),
    math::unary!("sign", "sign(x)", "-1, 0 or 1", Sign),
    Builtin {
        name: "pow",
        signature: "pow(x, y)",
        summary: "x to the power y",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Broadcast,
        run: math::pow,
    },
    Builtin {
        name: "clamp",
        signature: "clamp(x, lo, hi)",
        summary: "x limited to [lo, hi]",
        arity: Arity::Exactly(3),
        options: &[],
        shape: ShapeRule::Custom(shapes::clamp),
        run: math::clamp,
    },
    // elementwise (staples)
    math::unary!("atan", "atan(x)", "arctangent", Atan),
    math::unary!("asin", "asin(x)", "arcsine (nan outside [-1, 1])", Asin),
    math::unary!("acos", "acos(x)", "arccosine (nan outside [-1, 1])", Acos),
    math::unary!("sinh", "sinh(x)", "hyperbolic sine", Sinh),
    math::unary!("cosh", "cosh(x)", "hyperbolic cosine", Cosh),
    math::unary!("asinh", "asinh(x)", "inverse hyperbolic sine", Asinh),
    math::unary!(
        "acosh",
        "acosh(x)",
        "inverse hyperbolic cosine (nan below 1)",
        Acosh
    ),
    math::unary!(
        "atanh",
        "atanh(x)",
        "inverse hyperbolic tangent (nan outside [-1, 1])",
        Atanh
    ),
    math::unary!("log2", "log2(x)", "base-2 logarithm", Log2),
    math::unary!("log10", "log10(x)", "base-10 logarithm", Log10),
    math::unary!(
        "log1p",
        "log1p(x)",
        "log(1 + x), accurate for small x",
        Log1p
    ),
    math::unary!(
        "expm1",
        "expm1(x)",
        "exp(x) - 1, accurate for small x",
        Expm1
    ),
    math::unary!("erf", "erf(x)", "error function", Erf),
    math::unary!("erfc", "erfc(x)", "1 - erf(x), accurate for large x", Erfc),
    math::unary!(
        "floor",
        "floor(x)",
        "largest whole number <= x (zero gradient)",
        Floor
    ),
    math::unary!(
        "ceil",
        "ceil(x)",
        "smallest whole number >= x (zero gradient)",
        Ceil
    ),
    math::unary!(
        "round",
        "round(x)",
        "nearest whole number, halves to even (zero gradient)",
        Round
    ),
    math::unary!(
        "trunc",
        "trunc(x)",
        "x with its fraction dropped (zero gradient)",
        Trunc
    ),
    Builtin {
        name: "atan2",
        signature: "atan2(y, x)",
        summary: "angle of the point (x, y), in [-pi, pi]",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Broadcast,
        run: math::atan2,
    },
    Builtin {
        name: "where",
        signature: "where(cond, a, b)",
        summary: "a where cond is non-zero, else b (no gradient to cond)",
        arity: Arity::Exactly(3),
        options: &[],
        shape: ShapeRule::Custom(shapes::where_),
        run: math::where_,
    },
    // reductions
    Builtin {
        name: "sum",
        signature: "sum(x, axis=, keepdims=false)",
        summary: "sum of the entries",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: math::sum,
    },
    Builtin {
        name: "mean",
        signature: "mean(x, axis=, keepdims=false)",
        summary: "mean of the entries",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: math::mean,
    },
    Builtin {
        name: "max",
        signature: "max(x, axis=, keepdims=false) or max(x, y)",
        summary: "largest entry, or elementwise maximum",
        arity: Arity::Between(1, 2),
        options: &["axis", "keepdims"],
        shape: ShapeRule::ReductionOrBroadcast,
        run: math::max,
    },
    Builtin {
        name: "min",
        signature: "min(x, axis=, keepdims=false) or min(x, y)",
        summary: "smallest entry, or elementwise minimum",
        arity: Arity::Between(1, 2),
        options: &["axis", "keepdims"],
        shape: ShapeRule::ReductionOrBroadcast,
        run: math::min,
    },
    Builtin {
        name: "prod",
        signature: "prod(x, axis=, keepdims=false)",
        summary: "product of the entries",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: math::prod,
    },
    Builtin {
        name: "norm",
        signature: "norm(x, axis=, keepdims=false)",
        summary: "Euclidean norm",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: math::norm,
    },
    Builtin {
        name: "logsumexp",
        signature: "logsumexp(x, axis=, keepdims=false)",
        summary: "log(sum(exp(x))), computed stably",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: math::logsumexp,
    },
    Builtin {
        name: "softmax",
        signature: "softmax(x, axis=-1)",
        summary: "exp(x) normalised to sum to 1",
        arity: Arity::Exactly(1),
        options: &["axis"],
        shape: ShapeRule::SameAsFirst,
        run: math::softmax,
    },
    Builtin {
        name: "dot",
        signature: "dot(a, b)",
        summary: "sum(a * b)",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::dot),
        run: math::dot,
    },
    // reductions (staples)
    Builtin {
        name: "std",
        signature: "std(x, axis=, correction=1, keepdims=false)",
        summary: "standard deviation, dividing by n - correction",
        arity: Arity::Exactly(1),
        options: &["axis", "correction", "keepdims"],
        shape: ShapeRule::Reduction,
        run: reduce::std,
    },
    Builtin {
        name: "var",
        signature: "var(x, axis=, correction=1, keepdims=false)",
        summary: "variance, dividing by n - correction",
        arity: Arity::Exactly(1),
        options: &["axis", "correction", "keepdims"],
        shape: ShapeRule::Reduction,
        run: reduce::var,
    },
    Builtin {
        name: "argmax",
        signature: "argmax(x, axis=, keepdims=false)",
        summary: "index of the first largest entry (flat without axis)",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: reduce::argmax,
    },
    Builtin {
        name: "argmin",
        signature: "argmin(x, axis=, keepdims=false)",
        summary: "index of the first smallest entry (flat without axis)",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: reduce::argmin,
    },
    Builtin {
        name: "any",
        signature: "any(x, axis=, keepdims=false)",
        summary: "1. if some entry is non-zero, else 0.",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: reduce::any,
    },
    Builtin {
        name: "all",
        signature: "all(x, axis=, keepdims=false)",
        summary: "1. if every entry is non-zero, else 0.",
        arity: Arity::Exactly(1),
        options: &["axis", "keepdims"],
        shape: ShapeRule::Reduction,
        run: reduce::all,
    },
    Builtin {
        name: "cumsum",
        signature: "cumsum(x, axis=)",
        summary: "running sums along an axis (needed from 2-D on)",
        arity: Arity::Exactly(1),
        options: &["axis"],
        shape: ShapeRule::Custom(shapes::staples::cumsum),
        run: reduce::cumsum,
    },
    Builtin {
        name: "cumprod",
        signature: "cumprod(x, axis=)",
        summary: "running products along an axis (needed from 2-D on)",
        arity: Arity::Exactly(1),
        options: &["axis"],
        shape: ShapeRule::Custom(shapes::staples::cumprod),
        run: reduce::cumprod,
    },
    Builtin {
        name: "sort",
        signature: "sort(x, axis=-1, descending=false)",
        summary: "entries sorted along an axis (NaN last)",
        arity: Arity::Exactly(1),
        options: &["axis", "descending"],
        shape: ShapeRule::Custom(shapes::staples::sort),
        run: reduce::sort,
    },
    // shape
    Builtin {
        name: "transpose",
        signature: "transpose(x)",
        summary: "reverse the axes (same as x.T)",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::transpose),
        run: shape::transpose,
    },
    Builtin {
        name: "reshape",
        signature: "reshape(x, [d, ...])",
        summary: "same entries, new shape (one d may be -1)",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::reshape),
        run: shape::reshape,
    },
    Builtin {
        name: "hstack",
        signature: "hstack(a, b, ...)",
        summary: "join side by side (NumPy hstack)",
        arity: Arity::AtLeast(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::hstack),
        run: shape::hstack,
    },
    Builtin {
        name: "vstack",
        signature: "vstack(a, b, ...)",
        summary: "join on top of each other (NumPy vstack)",
        arity: Arity::AtLeast(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::vstack),
        run: shape::vstack,
    },
    Builtin {
        name: "concat",
        signature: "concat(a, b, ..., axis=0)",
        summary: "join along an axis",
        arity: Arity::AtLeast(1),
        options: &["axis"],
        shape: ShapeRule::Custom(shapes::concat),
        run: shape::concat,
    },
    Builtin {
        name: "shape",
        signature: "shape(x)",
        summary: "the dimensions, as a 1-D tensor",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::shape),
        run: shape::shape,
    },
    Builtin {
        name: "len",
        signature: "len(x)",
        summary: "length of the first axis",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::len),
        run: shape::len,
    },
    // shape (staples)
    Builtin {
        name: "diag",
        signature: "diag(x, k=0)",
        summary: "vector to diagonal matrix, or a matrix's diagonal k",
        arity: Arity::Exactly(1),
        options: &["k"],
        shape: ShapeRule::Custom(shapes::staples::diag),
        run: arrange::diag,
    },
    Builtin {
        name: "trace",
        signature: "trace(A)",
        summary: "sum of a matrix's diagonal",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::staples::trace),
        run: arrange::trace,
    },
    Builtin {
        name: "tril",
        signature: "tril(A, k=0)",
        summary: "entries on and below diagonal k, others 0",
        arity: Arity::Exactly(1),
        options: &["k"],
        shape: ShapeRule::Custom(shapes::staples::tril),
        run: arrange::tril,
    },
    Builtin {
        name: "triu",
        signature: "triu(A, k=0)",
        summary: "entries on and above diagonal k, others 0",
        arity: Arity::Exactly(1),
        options: &["k"],
        shape: ShapeRule::Custom(shapes::staples::triu),
        run: arrange::triu,
    },
    Builtin {
        name: "outer",
        signature: "outer(a, b)",
        summary: "the matrix a[i] * b[j] of two vectors",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::staples::outer),
        run: arrange::outer,
    },
    Builtin {
        name: "stack",
        signature: "stack(a, b, ..., axis=0)",
        summary: "join same-shaped tensors along a new axis",
        arity: Arity::AtLeast(1),
        options: &["axis"],
        shape: ShapeRule::Custom(shapes::staples::stack),
        run: arrange::stack,
    },
    Builtin {
        name: "flip",
        signature: "flip(x, axis=)",
        summary: "entries reversed along an axis (every axis without one)",
        arity: Arity::Exactly(1),
        options: &["axis"],
        shape: ShapeRule::Custom(shapes::staples::flip),
        run: arrange::flip,
    },
    Builtin {
        name: "tile",
        signature: "tile(x, reps)",
        summary: "x repeated reps times (a count or one per axis)",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::staples::tile),
        run: arrange::tile,
    },
    // creation
    Builtin {
        name: "zeros",
        signature: "zeros(d, ...)",
        summary: "a tensor of zeros",
        arity: Arity::AtLeast(0),
        options: &[],
        shape: ShapeRule::Dims(0),
        run: create::zeros,
    },
    Builtin {
        name: "ones",
        signature: "ones(d, ...)",
        summary: "a tensor of ones",
        arity: Arity::AtLeast(0),
        options: &[],
        shape: ShapeRule::Dims(0),
        run: create::ones,
    },
    Builtin {
        name: "full",
        signature: "full(v, d, ...)",
        summary: "a tensor filled with v",
        arity: Arity::AtLeast(1),
        options: &[],
        shape: ShapeRule::Dims(1),
        run: create::full,
    },
    Builtin {
        name: "eye",
        signature: "eye(n)",
        summary: "the n x n identity",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::eye),
        run: create::eye,
    },
    Builtin {
        name: "linspace",
        signature: "linspace(a, b, n)",
        summary: "n evenly spaced numbers from a to b",
        arity: Arity::Exactly(3),
        options: &[],
        shape: ShapeRule::Custom(shapes::linspace),
        run: create::linspace,
    },
    Builtin {
        name: "arange",
        signature: "arange(a, b, step=1)",
        summary: "a, a+step, ... below b (arange(b) starts at 0)",
        arity: Arity::Between(1, 2),
        options: &["step"],
        shape: ShapeRule::Custom(shapes::arange),
        run: create::arange,
    },
    Builtin {
        name: "rand",
        signature: "rand(d, ...)",
        summary: "uniform on [0, 1)",
        arity: Arity::AtLeast(0),
        options: &[],
        shape: ShapeRule::Dims(0),
        run: random::rand,
    },
    Builtin {
        name: "randn",
        signature: "randn(d, ...)",
        summary: "standard normal",
        arity: Arity::AtLeast(0),
        options: &[],
        shape: ShapeRule::Dims(0),
        run: random::randn,
    },
    // random (staples)
    Builtin {
        name: "randint",
        signature: "randint(lo, hi, d, ...)",
        summary: "uniform integers in [lo, hi)",
        arity: Arity::AtLeast(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::random::randint),
        run: random::randint,
    },
    Builtin {
        name: "permutation",
        signature: "permutation(n)",
        summary: "0, 1, ..., n-1 in random order",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::random::permutation),
        run: random::permutation,
    },
    Builtin {
        name: "choice",
        signature: "choice(n, k)",
        summary: "k distinct numbers of 0..n-1 (without replacement)",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::random::choice),
        run: random::choice,
    },
    Builtin {
        name: "bernoulli",
        signature: "bernoulli(p)",
        summary: "1 with probability p, else 0, entry by entry",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Custom(shapes::random::bernoulli),
        run: random::bernoulli,
    },
    // creation (continued)
    Builtin {
        name: "polyval",
        signature: "polyval(coeffs, x)",
        summary: "polynomial, highest power first",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::polyval),
        run: create::polyval,
    },
    Builtin {
        name: "csv",
        signature: "csv(\"file.csv\")",
        summary: "a numeric table as a 2-D tensor",
        arity: Arity::Exactly(1),
        options: &[],
        shape: ShapeRule::Unknown,
        run: csv::csv,
    },
    // linear algebra (2-D; torch.linalg's conventions)
    Builtin {
        name: "solve",
        signature: "solve(A, B)",
        summary: "x with A @ x = B; B a vector or a matrix",
        arity: Arity::Exactly(2),
        options: &[],
        shape: ShapeRule::Custom(shapes::linalg::solve),
        run: linalg::solve,
    },
    linalg::matrix!(inv, "the inverse of a square matrix"),
    linalg::matrix!(det, "the determinant"),
    linalg::matrix!(logdet, "log |det(A)|"),
    linalg::matrix!(cholesky, "lower L with L @ L.T = A"),
    linalg::matrix!(eigvalsh, "eigenvalues of a symmetric matrix, ascending"),
    linalg::matrix!(eigh, "eigenvectors of a symmetric matrix, as columns"),
    linalg::matrix!(svdvals, "singular values, descending"),
];
