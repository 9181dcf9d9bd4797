//! Adam and AdamW, as `torch.optim.Adam` and `torch.optim.AdamW`.

use super::kernels::{decay, update_moments};
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Option specs of `adam` (`weight_decay` 0) and `adamw` (1e-2).
pub(super) const OPTIONS: &[OptionSpec] = &specs(0.0);
pub(super) const ADAMW_OPTIONS: &[OptionSpec] = &specs(1e-2);

/// The two optimizers differ only in their default weight decay.
const fn specs(weight_decay: f64) -> [OptionSpec; 6] {
    use DefaultValue::*;
    [
        spec("lr", Number(1e-3)),
        spec("beta1", Number(0.9)),
        spec("beta2", Number(0.999)),
        spec("eps", Number(1e-8)),
        spec("weight_decay", Number(weight_decay)),
        spec("amsgrad", Flag(false)),
    ]
}

/// Adam; AdamW is the same with the weight decay applied to the params
/// directly instead of through the gradient.
struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    decoupled: bool,
    /// Step count, a float as in torch's state (f64 default dtype).
    t: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    /// Running maximum of `v` (amsgrad only).
    v_max: Vec<f64>,
}

pub(super) fn build_adam(o: &Options, n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    build(o, n, false)
}

/// AdamW differs in its decoupled weight decay (and its default, 1e-2).
pub(super) fn build_adamw(o: &Options, n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    build(o, n, true)
}

fn build(o: &Options, n: usize, decoupled: bool) -> Result<Box<dyn Optimizer>, OptionError> {
    let amsgrad = o.flag("amsgrad")?;
    Ok(Box::new(Adam {
        lr: o.non_negative("lr")?,
        beta1: o.beta("beta1")?,
        beta2: o.beta("beta2")?,
        eps: o.non_negative("eps")?,
        weight_decay: o.non_negative("weight_decay")?,
        amsgrad,
        decoupled,
        t: 0.0,
        m: vec![0.0; n],
        v: vec![0.0; n],
        v_max: if amsgrad { vec![0.0; n] } else { Vec::new() },
    }))
}

impl Optimizer for Adam {
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
        // Scalars in double, with Python's `**` (powf, not powi).
        let step_size = self.lr / (1.0 - self.beta1.powf(self.t));
        let bc2_sqrt = (1.0 - self.beta2.powf(self.t)).powf(0.5);
        let shrink = 1.0 - self.lr * self.weight_decay;
        for i in 0..x.len() {
            let g = if self.decoupled {
                if self.weight_decay != 0.0 {
                    x[i] *= shrink;
                }
                grad[i]
            } else {
                decay(grad[i], x[i], self.weight_decay)
            };
            update_moments(&mut self.m[i], &mut self.v[i], g, self.beta1, self.beta2);
            let v = if self.amsgrad {
                self.v_max[i] = self.v_max[i].max(self.v[i]);
                self.v_max[i]
            } else {
                self.v[i]
            };
            let denom = v.sqrt() / bc2_sqrt + self.eps;
            x[i] += (-step_size * self.m[i]) / denom;
        }
        Ok(StepStatus::Continue)
    }
}
