//! `grad`, `jacobian`, `hessian` and `gradcheck`: calls that take a param
//! by name rather than by value.

use super::env::Binding;
use super::error::{EvalError, NotAParam, MAX_ELEMENTS};
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
    /// For a form whose `y` must be a scalar, how errors name `y`.
    pub scalar_y: Option<&'static str>,
}

/// The calculus forms; every one takes exactly an expression and a param.
pub(crate) static FORMS: &[Form] = &[
    Form {
        name: "grad",
        signature: "grad(y, p)",
        summary: "dy/dp for a scalar y, a tensor of p's shape",
        scalar_y: Some("the expression differentiated by `grad`"),
    },
    Form {
        name: "jacobian",
        signature: "jacobian(y, p)",
        summary: "dy/dp for y of any shape, of shape y.shape + p.shape",
        scalar_y: None,
    },
    Form {
        name: "hessian",
        signature: "hessian(y, p)",
        summary: "second derivatives of a scalar y, of shape p.shape + p.shape",
        scalar_y: Some("the expression given to `hessian`"),
    },
    Form {
        name: "gradcheck",
        signature: "gradcheck(y, p)",
        summary: "largest relative error between grad(y, p) and finite differences",
        scalar_y: Some("the expression given to `gradcheck`"),
    },
];

/// Whether `name` is a calculus form.
pub(crate) fn is_form(name: &str) -> bool {
    FORMS.iter().any(|f| f.name == name)
}

/// How errors name the `y` of form `name`, if it must be a scalar.
pub(crate) fn scalar_y(name: &str) -> Option<&'static str> {
    FORMS
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| f.scalar_y)
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
                let root = self.root(y, name)?;
                let leaf = self.param_leaf(param);
                Ok(self.tape.grad(root, &[leaf])[0])
            }
            "jacobian" => {
                let root = self.root(y, name)?;
                let leaf = self.param_leaf(param);
                self.jacobian(root, leaf, y.span)
            }
            "hessian" => {
                let root = self.root(y, name)?;
                let leaf = self.param_leaf(param);
                let g = self.tape.grad(root, &[leaf])[0];
                self.jacobian(g, leaf, y.span)
            }
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

    /// `y` evaluated; an error if form `name` needs a scalar and it is not.
    fn root(&mut self, y: &ExprS, name: &str) -> Result<NodeId, EvalError> {
        let root = self.eval(y)?;
        let Some(what) = scalar_y(name) else {
            return Ok(root);
        };
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

    /// The Jacobian of `y` with respect to the param's `leaf`, of shape
    /// `y.shape + p.shape` (torch.autograd.functional's layout): one
    /// recorded gradient per entry of `y`, so the result is itself
    /// differentiable. `y_span` is where a too-large result points.
    fn jacobian(&mut self, y: NodeId, leaf: NodeId, y_span: Span) -> Result<NodeId, EvalError> {
        let y_shape = self.tape.shape(y).to_vec();
        let p_shape = self.tape.shape(leaf).to_vec();
        let out_shape: Vec<usize> = y_shape.iter().chain(&p_shape).copied().collect();
        let elements: f64 = out_shape.iter().map(|&d| d as f64).product();
        if elements > MAX_ELEMENTS {
            return Err(EvalError::TooLarge {
                span: y_span,
                elements,
            });
        }
        let n = self.tape.value(y).len();
        if n == 0 || !self.tape.requires_grad(y) {
            return Ok(self.tape.constant(Tensor::full(&out_shape, 0.0)));
        }
        let m: usize = p_shape.iter().product();
        let mut rows = Vec::with_capacity(n);
        for k in 0..n {
            // One backward pass per entry: a long one can be interrupted.
            self.check_interrupt(y_span)?;
            let g = self.tape.entry_gradient(y, k, &[leaf])[0];
            rows.push(self.tape.reshape_unchecked(g, &[1, m]));
        }
        let joined = self
            .tape
            .concat(&rows, 0)
            .map_err(|e| self.op_error(e, "`jacobian`", y_span, (y_span, y_span)))?;
        Ok(self.tape.reshape_unchecked(joined, &out_shape))
    }

    /// The largest relative difference between `grad(y, p)` and central
    /// finite differences (absolute where both are below 1).
    fn gradcheck(&mut self, y: &ExprS, param: usize) -> Result<NodeId, EvalError> {
        let root = self.root(y, "gradcheck")?;
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
