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
mod table;

pub use super::calculus::Form;
use super::error::EvalError;
use super::Interp;
use crate::autodiff::NodeId;
use crate::check::shapes;
use crate::syntax::span::Span;
pub(crate) use call::whole_number;
pub use call::Arity;
pub use constants::{constant, CONSTANTS};
use table::TABLE;

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
