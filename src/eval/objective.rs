//! The loss as a function of the flat param vector, for the optimizers:
//! the first evaluation runs the interpreter and its backward pass; when
//! nothing in them depends on values in a way a replay cannot redo, later
//! evaluations replay that tape at the new params.

use super::env::Binding;
use super::error::EvalError;
use super::Interp;
use crate::autodiff::NodeId;
use crate::optim::{Interrupt, Objective};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// The loss as a function of the flat params, for the optimizers.
pub(super) struct LossObjective<'a> {
    pub(super) interp: &'a mut Interp,
    binding: Binding,
    params: Vec<usize>,
    /// -1 when maximizing.
    pub(super) sign: f64,
    span: Span,
    pub(super) step: usize,
    /// Why the last call returned `Interrupt`.
    pub(super) error: Option<EvalError>,
    /// Whether `compute` replays the tape recorded by its first call.
    replaying: bool,
    /// What the last evaluation recorded: the tape's length, the loss, the
    /// params' leaves and their gradients.
    tape_len: usize,
    root: NodeId,
    leaves: Vec<NodeId>,
    grads: Vec<NodeId>,
}

impl<'a> LossObjective<'a> {
    pub(super) fn new(
        interp: &'a mut Interp,
        binding: Binding,
        params: Vec<usize>,
        sign: f64,
        span: Span,
    ) -> Self {
        LossObjective {
            interp,
            binding,
            params,
            sign,
            span,
            step: 0,
            error: None,
            replaying: false,
            tape_len: 0,
            root: NodeId(0),
            leaves: Vec::new(),
            grads: Vec::new(),
        }
    }

    /// Loads `x` and computes the loss and its gradient nodes. The first
    /// call runs the interpreter and its backward pass; when nothing in them
    /// depends on values in a way a replay cannot redo (a branch on a
    /// param, a random draw, a gradient mask computed from values), that
    /// tape is kept and every later call just replays it at the new `x`.
    fn compute(&mut self, x: &[f64]) -> Result<NodeId, Interrupt> {
        self.interp.store_flat(&self.params, x);
        if self.replaying {
            let Interp { tape, params, .. } = &mut *self.interp;
            tape.truncate(self.tape_len);
            tape.replay(self.tape_len, |p| params[p].value.clone());
            return Ok(self.root);
        }
        self.interp.tape.clear();
        let root = self
            .interp
            .eval_binding(&self.binding.clone(), self.span)
            .map_err(|e| self.fail(e))?;
        let shape = self.interp.tape.shape(root).to_vec();
        if !shape.is_empty() {
            return Err(self.fail(EvalError::LossNotScalar {
                span: self.span,
                shape,
            }));
        }
        let leaves: Vec<NodeId> = self
            .params
            .clone()
            .into_iter()
            .map(|i| self.interp.param_leaf(i))
            .collect();
        self.grads = self.interp.tape.grad(root, &leaves);
        self.leaves = leaves;
        self.root = root;
        self.tape_len = self.interp.tape.len();
        self.replaying = self.interp.tape.replayable();
        Ok(root)
    }

    /// Whether the last failure was a NaN or Inf (a stop reason, reported
    /// after the summary) rather than an error in the script.
    pub(super) fn went_non_finite(&self) -> bool {
        matches!(self.error, Some(EvalError::NonFinite { .. }))
    }

    fn fail(&mut self, e: EvalError) -> Interrupt {
        self.error = Some(e);
        Interrupt
    }

    pub(super) fn eval_loss(&mut self, x: &[f64]) -> Result<f64, Interrupt> {
        let root = self.compute(x)?;
        let v = self.interp.tape.value(root).as_scalar().unwrap_or(f64::NAN);
        self.check_finite(v, "loss")?;
        Ok(v)
    }

    fn check_finite(&mut self, v: f64, what: &str) -> Result<(), Interrupt> {
        if v.is_finite() {
            return Ok(());
        }
        let (origin, inputs) = self.interp.tape.first_non_finite();
        let err = EvalError::NonFinite {
            step: self.step,
            what: what.into(),
            span: self.span,
            origin,
            inputs,
        };
        Err(self.fail(err))
    }
}

impl Objective for LossObjective<'_> {
    fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt> {
        let loss = self.eval_loss(x)?;
        let mut offset = 0;
        for &g in &self.grads {
            match self.interp.tape.value(g) {
                Tensor::Scalar(v) => {
                    grad[offset] = self.sign * v;
                    offset += 1;
                }
                t => {
                    for v in t.iter() {
                        grad[offset] = self.sign * v;
                        offset += 1;
                    }
                }
            }
        }
        if let Some(bad) = grad.iter().find(|g| !g.is_finite()) {
            self.check_finite(*bad, "gradient")?;
        }
        Ok(self.sign * loss)
    }

    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> Result<(), Interrupt> {
        self.compute(x)?;
        let n = x.len();
        let mut row = 0;
        for g in self.grads.clone() {
            for second in self.interp.tape.second_derivatives(g, &self.leaves) {
                let mut col = 0;
                for s in second {
                    for v in self.interp.tape.value(s).iter() {
                        hess[row * n + col] = self.sign * v;
                        col += 1;
                    }
                }
                row += 1;
            }
        }
        Ok(())
    }
}
