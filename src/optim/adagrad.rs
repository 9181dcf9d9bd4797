//! Adagrad, as `torch.optim.Adagrad`.

use super::kernels::decay;
use super::options::{OptionError, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Option names, as LANGUAGE.md lists them.
pub(super) const OPTIONS: &[&str] = &[
    "lr",
    "lr_decay",
    "eps",
    "initial_accumulator_value",
    "weight_decay",
];

/// `torch.optim.Adagrad`: per-coordinate steps shrink with the summed
/// squared gradients.
struct Adagrad {
    lr: f64,
    lr_decay: f64,
    eps: f64,
    weight_decay: f64,
    /// Step count, a float as in torch's state.
    t: f64,
    /// Sum of squared gradients, starting at `initial_accumulator_value`.
    sum: Vec<f64>,
}

pub(super) fn build(o: &Options, n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    let initial = o.non_negative("initial_accumulator_value", 0.0)?;
    Ok(Box::new(Adagrad {
        lr: o.non_negative("lr", 1e-2)?,
        lr_decay: o.non_negative("lr_decay", 0.0)?,
        eps: o.non_negative("eps", 1e-10)?,
        weight_decay: o.non_negative("weight_decay", 0.0)?,
        t: 0.0,
        sum: vec![initial; n],
    }))
}

impl Optimizer for Adagrad {
    fn step(
        &mut self,
        x: &mut [f64],
        _loss: f64,
        grad: &[f64],
        _obj: &mut dyn Objective,
    ) -> Result<StepStatus, Interrupt> {
        self.t += 1.0;
        let clr = self.lr / (1.0 + (self.t - 1.0) * self.lr_decay);
        for i in 0..x.len() {
            let g = decay(grad[i], x[i], self.weight_decay);
            // `state_sum.addcmul_(grad, grad, value=1)`
            self.sum[i] = g.mul_add(g, self.sum[i]);
            let std = self.sum[i].sqrt() + self.eps;
            x[i] += (-clr * g) / std;
        }
        Ok(StepStatus::Continue)
    }
}
