//! Adagrad, as `torch.optim.Adagrad`.

use super::kernels::decay;
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults, as docs/language.md lists them.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("lr", DefaultValue::Number(1e-2)),
    spec("lr_decay", DefaultValue::Number(0.0)),
    spec("eps", DefaultValue::Number(1e-10)),
    spec("initial_accumulator_value", DefaultValue::Number(0.0)),
    spec("weight_decay", DefaultValue::Number(0.0)),
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
    let initial = o.non_negative("initial_accumulator_value")?;
    Ok(Box::new(Adagrad {
        lr: o.non_negative("lr")?,
        lr_decay: o.non_negative("lr_decay")?,
        eps: o.non_negative("eps")?,
        weight_decay: o.non_negative("weight_decay")?,
        t: 0.0,
        sum: vec![initial; n],
    }))
}

impl Optimizer for Adagrad {
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

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
