//! `grad`, `hessian` and `gradcheck`: calls that take a param by name
//! rather than by value.

use super::env::Binding;
use super::error::{EvalError, NotAParam};
use super::Interp;
use crate::autodiff::NodeId;
use crate::syntax::ast::{Expr, ExprS, Opt};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// A call that takes a param by name: what help and `check` know of it.
pub struct Form {
    pub name: &'static str,
    /// How a call looks, e.g. `grad(y, p)`.
    pub signature: &'static str,
    /// One line for help and docs/language.md.
    pub summary: &'static str,
}

/// The calculus forms; every one takes exactly an expression and a param.
pub(crate) static FORMS: &[Form] = &[
    Form {
        name: "grad",
        signature: "grad(y, p)",
        summary: "dy/dp for a scalar y, a tensor of p's shape",
    },
    Form {
        name: "hessian",
        signature: "hessian(y, p)",
        summary: "second derivatives of a scalar y, (n, n) for a param of shape (n)",
    },
    Form {
        name: "gradcheck",
        signature: "gradcheck(y, p)",
        summary: "largest relative error between grad(y, p) and finite differences",
    },
];

/// Whether `name` is a calculus form.
pub(crate) fn is_form(name: &str) -> bool {
    FORMS.iter().any(|f| f.name == name)
}

impl Interp {
    /// Handles the call if `name` is a calculus form.
    pub(crate) fn calculus(
        &mut self,
        name: &str,
        args: &[ExprS],
        opts: &[Opt],
        callee: Span,
    ) -> Option<Result<NodeId, EvalError>> {
        if !is_form(name) {
            return None;
        }
        Some(self.calculus_inner(name, args, opts, callee))
    }

    fn calculus_inner(
        &mut self,
        name: &str,
        args: &[ExprS],
        opts: &[Opt],
        callee: Span,
    ) -> Result<NodeId, EvalError> {
        if args.len() != 2 {
            return Err(EvalError::Arity {
                name: name.into(),
                span: callee,
                expected: "2 arguments, an expression and a param".into(),
                found: args.len(),
                signature: Some(format!("{name}(y, p)")),
                defined: None,
                extra: super::error::extra_args(args, 2),
            });
        }
        if let Some(o) = opts.first() {
            return Err(self.unknown_option(&o.name.node, o.name.span, &format!("`{name}`"), &[]));
        }
        let (y, p) = (&args[0], &args[1]);
        let param = self.param_of(p)?;
        match name {
            "grad" => {
                let root = self.scalar_root(y, "the expression differentiated by `grad`")?;
                let leaf = self.param_leaf(param);
                Ok(self.tape.grad(root, &[leaf])[0])
            }
            "hessian" => self.hessian(y, p, param),
            _ => self.gradcheck(y, param),
        }
    }

    /// The index of the param named by `p`, or an error saying what it is.
    pub(crate) fn param_of(&self, p: &ExprS) -> Result<usize, EvalError> {
        let what = match &p.node {
            Expr::Name(n) => match self.scopes.lookup(n) {
                Some(Binding::Param(i)) => return Ok(*i),
                Some(Binding::Fn(_)) => NotAParam::Function(n.clone()),
                Some(_) => NotAParam::Let(n.clone()),
                None if super::builtins::is_function(n) => NotAParam::Function(n.clone()),
                None => {
                    let suggestion =
                        crate::diagnostic::did_you_mean(n, self.scopes.visible_names())
                            .map(String::from);
                    return Err(EvalError::UnknownName {
                        name: n.clone(),
                        span: p.span,
                        suggestion,
                    });
                }
            },
            _ => NotAParam::Expression,
        };
        Err(EvalError::GradOfNonParam { span: p.span, what })
    }

    fn scalar_root(&mut self, y: &ExprS, what: &str) -> Result<NodeId, EvalError> {
        let root = self.eval(y)?;
        let shape = self.tape.shape(root);
        if !shape.is_empty() {
            return Err(EvalError::NotScalar {
                span: y.span,
                what: what.into(),
                shape: shape.to_vec(),
            });
        }
        Ok(root)
    }

    /// Rows of second derivatives, each recorded, so the result is itself
    /// differentiable.
    fn hessian(&mut self, y: &ExprS, p: &ExprS, param: usize) -> Result<NodeId, EvalError> {
        let shape = self.params[param].value.shape().to_vec();
        if shape.len() > 1 {
            return Err(EvalError::BadArgument {
                span: p.span,
                message: format!(
                    "`hessian` needs a param of rank 0 or 1, this one has shape {}",
                    crate::tensor::shape_string(&shape)
                ),
                help: Some("reshape the param into a vector".into()),
            });
        }
        let root = self.scalar_root(y, "the expression given to `hessian`")?;
        let leaf = self.param_leaf(param);
        let g = self.tape.grad(root, &[leaf])[0];
        let n = shape.first().copied().unwrap_or(1);
        let rows: Vec<NodeId> = self
            .tape
            .second_derivatives(g, &[leaf])
            .into_iter()
            .map(|row| self.tape.reshape_unchecked(row[0], &[1, n]))
            .collect();
        self.tape
            .concat(&rows, 0)
            .map_err(|e| self.op_error(e, "`hessian`", y.span, (y.span, p.span)))
    }

    /// The largest relative difference between `grad(y, p)` and central
    /// finite differences (absolute where both are below 1).
    fn gradcheck(&mut self, y: &ExprS, param: usize) -> Result<NodeId, EvalError> {
        let root = self.scalar_root(y, "the expression given to `gradcheck`")?;
        let leaf = self.param_leaf(param);
        let g = self.tape.grad(root, &[leaf])[0];
        let analytic = self.tape.value(g).to_vec();
        let x0 = self.params[param].value.clone();
        let entries = x0.to_vec();
        let mut worst: f64 = 0.0;
        for (j, (&a, &xj)) in analytic.iter().zip(&entries).enumerate() {
            let h = 1e-6 * xj.abs().max(1.0);
            let plus = self.value_at(y, param, &x0, j, xj + h);
            let minus = self.value_at(y, param, &x0, j, xj - h);
            let numeric = (plus? - minus?) / (2.0 * h);
            let err = (a - numeric).abs() / a.abs().max(numeric.abs()).max(1.0);
            // A NaN anywhere stays the answer (`max` would drop it).
            worst = if err.is_nan() || worst.is_nan() {
                f64::NAN
            } else {
                worst.max(err)
            };
        }
        Ok(self.tape.constant(Tensor::Scalar(worst)))
    }

    /// `y` with entry `j` of the param set to `v` (in a fresh epoch, so
    /// cached formulas are recomputed), then the param restored.
    fn value_at(
        &mut self,
        y: &ExprS,
        param: usize,
        x0: &Tensor,
        j: usize,
        v: f64,
    ) -> Result<f64, EvalError> {
        let mut data = x0.to_vec();
        data[j] = v;
        self.params[param].value = Tensor::from_shape_vec(x0.shape(), data);
        self.tape.new_epoch();
        let result = self
            .eval(y)
            .map(|id| self.tape.value(id).as_scalar().unwrap_or(f64::NAN));
        self.params[param].value = x0.clone();
        self.tape.new_epoch();
        result
    }
}
