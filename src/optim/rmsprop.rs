//! RMSprop, as `torch.optim.RMSprop`.

use super::kernels::{average_square, decay, lerp};
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults, as docs/language.md lists them.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("lr", DefaultValue::Number(1e-2)),
    spec("alpha", DefaultValue::Number(0.99)),
    spec("eps", DefaultValue::Number(1e-8)),
    spec("momentum", DefaultValue::Number(0.0)),
    spec("centered", DefaultValue::Flag(false)),
    spec("weight_decay", DefaultValue::Number(0.0)),
];

/// `torch.optim.RMSprop`: no bias correction, eps outside the square root.
struct RmsProp {
    lr: f64,
    alpha: f64,
    eps: f64,
    momentum: f64,
    centered: bool,
    weight_decay: f64,
    /// Running average of squared gradients.
    square_avg: Vec<f64>,
    /// Running average of gradients (centered only).
    grad_avg: Vec<f64>,
    /// Momentum buffer (momentum > 0 only).
    buf: Vec<f64>,
}

pub(super) fn build(o: &Options, n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    Ok(Box::new(RmsProp {
        lr: o.non_negative("lr")?,
        alpha: o.non_negative("alpha")?,
        eps: o.non_negative("eps")?,
        momentum: o.non_negative("momentum")?,
        centered: o.flag("centered")?,
        weight_decay: o.non_negative("weight_decay")?,
        square_avg: vec![0.0; n],
        grad_avg: vec![0.0; n],
        buf: vec![0.0; n],
    }))
}

impl Optimizer for RmsProp {
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
        for i in 0..x.len() {
            let g = decay(grad[i], x[i], self.weight_decay);
            let v = average_square(self.square_avg[i], g, self.alpha);
            self.square_avg[i] = v;
            let var = if self.centered {
                let mean = lerp(self.grad_avg[i], g, 1.0 - self.alpha);
                self.grad_avg[i] = mean;
                // `square_avg.addcmul(grad_avg, grad_avg, value=-1)`
                (-mean).mul_add(mean, v)
            } else {
                v
            };
            let avg = var.sqrt() + self.eps;
            if self.momentum > 0.0 {
                self.buf[i] = self.buf[i] * self.momentum + g / avg;
                x[i] = (-self.lr).mul_add(self.buf[i], x[i]);
            } else {
                x[i] += (-self.lr * g) / avg;
            }
        }
        Ok(StepStatus::Continue)
    }
}
