//! Calling a builtin: how many arguments it takes (`Arity`), the lookup,
//! arity and option checks, evaluating the
//! arguments into a `Call`, and reading whole numbers (dims, counts, axes)
//! from them. Kept apart from the table in `mod.rs`.

use super::{function_names, lookup, Arg, Builtin, Call};
use crate::autodiff::NodeId;
use crate::eval::error::EvalError;
use crate::eval::Interp;
use crate::syntax::ast::{Expr, ExprS, Opt};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// How many positional arguments a builtin takes.
#[derive(Debug, Clone, Copy)]
pub enum Arity {
    Exactly(usize),
    Between(usize, usize),
    AtLeast(usize),
}

impl Arity {
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exactly(k) => n == k,
            Arity::Between(a, b) => (a..=b).contains(&n),
            Arity::AtLeast(k) => n >= k,
        }
    }

    /// The most arguments accepted, if there is a limit.
    pub fn max(self) -> Option<usize> {
        match self {
            Arity::Exactly(k) | Arity::Between(_, k) => Some(k),
            Arity::AtLeast(_) => None,
        }
    }

    pub fn describe(self) -> String {
        let args = |k: usize| format!("{k} argument{}", if k == 1 { "" } else { "s" });
        match self {
            Arity::Exactly(k) => args(k),
            Arity::Between(a, b) => format!("{a} to {b} arguments"),
            Arity::AtLeast(k) => format!("at least {}", args(k)),
        }
    }
}

impl Builtin {
    /// The error for a call of this builtin with `args`; `callee` is the
    /// name at the call.
    pub fn arity_error(&self, args: &[ExprS], callee: Span) -> EvalError {
        EvalError::Arity {
            name: self.name.into(),
            span: callee,
            expected: self.arity.describe(),
            found: args.len(),
            signature: Some(self.signature.into()),
            defined: None,
            extra: self
                .arity
                .max()
                .and_then(|max| crate::eval::error::extra_args(args, max)),
        }
    }
}

impl Interp {
    /// Calls a user function, a calculus form or a builtin.
    pub(crate) fn call(
        &mut self,
        callee: &crate::syntax::ast::Ident,
        args: &[ExprS],
        opts: &[Opt],
        span: Span,
    ) -> Result<NodeId, EvalError> {
        let name = callee.node.as_str();
        if let Some(crate::eval::env::Binding::Fn(def)) = self.scopes.lookup(name) {
            let def = def.clone();
            if let Some(o) = opts.first() {
                return Err(self.unknown_option(
                    &o.name.node,
                    o.name.span,
                    &format!("`{name}`"),
                    &[],
                ));
            }
            return self.call_fn(&def, args, callee.span, span);
        }
        if let Some(result) = self.calculus(name, args, opts, callee.span) {
            return result;
        }
        let Some(builtin) = lookup(name) else {
            let mut candidates: Vec<&str> = function_names().collect();
            let fns: Vec<String> = self
                .scopes
                .visible_names()
                .into_iter()
                .map(String::from)
                .collect();
            candidates.extend(fns.iter().map(String::as_str));
            let suggestion = crate::diagnostic::did_you_mean(name, candidates).map(String::from);
            return Err(EvalError::UnknownFunction {
                name: name.into(),
                span: callee.span,
                suggestion,
            });
        };
        if !builtin.arity.accepts(args.len()) {
            return Err(builtin.arity_error(args, callee.span));
        }
        for o in opts {
            if !builtin.options.contains(&o.name.node.as_str()) {
                return Err(self.unknown_option(
                    &o.name.node,
                    o.name.span,
                    &format!("`{name}`"),
                    builtin.options,
                ));
            }
        }
        let mut call = Call {
            name: builtin.name,
            args: Vec::with_capacity(args.len()),
            opts: Vec::new(),
            span,
            callee: callee.span,
        };
        for a in args {
            let arg = self.eval_arg(a)?;
            call.args.push((arg, a.span));
        }
        for o in opts {
            let arg = self.eval_arg(&o.value)?;
            call.opts.push((o.name.node.clone(), arg, o.value.span));
        }
        (builtin.run)(self, &call)
    }

    fn eval_arg(&mut self, e: &ExprS) -> Result<Arg, EvalError> {
        Ok(match &e.node {
            Expr::Str(s) => Arg::Text(s.clone()),
            _ => Arg::Node(self.eval(e)?),
        })
    }

    /// A scalar value that must be a whole number (dims, counts, axes).
    pub(crate) fn integer_of(
        &mut self,
        id: NodeId,
        span: Span,
        what: &str,
    ) -> Result<i64, EvalError> {
        match self.tape.decide(id) {
            Tensor::Scalar(v) => whole_number(*v, span, what),
            t => Err(EvalError::NotScalar {
                span,
                what: what.into(),
                shape: t.shape().to_vec(),
            }),
        }
    }
}

/// `v` (at `span`) as a whole number, for a size, count, index or axis
/// (`what`); `gradlang check` reads known numbers with it too.
pub(crate) fn whole_number(v: f64, span: Span, what: &str) -> Result<i64, EvalError> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Ok(v as i64)
    } else if v.is_finite() && v.abs() >= 9.0e15 {
        Err(EvalError::BadArgument {
            span,
            message: format!(
                "{what} must be below 9e15 in size, found {}",
                super::super::error::number_words(v)
            ),
            help: Some(
                "sizes, counts, indices and axes are whole numbers of a sensible size".into(),
            ),
        })
    } else {
        Err(EvalError::BadArgument {
            span,
            message: format!("{what} must be a whole number, found {v}"),
            help: Some("sizes, counts, indices and axes are whole numbers".into()),
        })
    }
}
