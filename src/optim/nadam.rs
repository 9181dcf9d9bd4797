//! NAdam (Adam with Nesterov momentum), as `torch.optim.NAdam`.

use super::kernels::{decay, update_moments};
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults, as docs/language.md lists them.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("lr", DefaultValue::Number(2e-3)),
    spec("beta1", DefaultValue::Number(0.9)),
    spec("beta2", DefaultValue::Number(0.999)),
    spec("eps", DefaultValue::Number(1e-8)),
    spec("weight_decay", DefaultValue::Number(0.0)),
    spec("momentum_decay", DefaultValue::Number(4e-3)),
];

/// `torch.optim.NAdam` with coupled weight decay.
struct NAdam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    momentum_decay: f64,
    /// Step count and product of the momentum schedule; torch keeps both as
    /// tensors of the default dtype, which the references set to f64.
    t: f64,
    mu_product: f64,
    /// mu at the current step, computed as the previous step's mu_next
    /// (the same expression, so the same bits, with one `powf` fewer).
    mu_next: Option<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
}

pub(super) fn build(o: &Options, n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    Ok(Box::new(NAdam {
        lr: o.non_negative("lr")?,
        beta1: o.beta("beta1")?,
        beta2: o.beta("beta2")?,
        eps: o.non_negative("eps")?,
        weight_decay: o.non_negative("weight_decay")?,
        momentum_decay: o.non_negative("momentum_decay")?,
        t: 0.0,
        mu_product: 1.0,
        mu_next: None,
        m: vec![0.0; n],
        v: vec![0.0; n],
    }))
}

impl NAdam {
    /// The momentum schedule mu_t, in double as torch computes it.
    fn mu(&self, t: f64) -> f64 {
        self.beta1 * (1.0 - 0.5 * 0.96f64.powf(t * self.momentum_decay))
    }
}

impl Optimizer for NAdam {
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
        let bc2 = 1.0 - self.beta2.powf(self.t);
        let mu = self.mu_next.unwrap_or_else(|| self.mu(self.t));
        let mu_next = self.mu(self.t + 1.0);
        self.mu_next = Some(mu_next);
        self.mu_product *= mu;
        let c1 = (-self.lr * (1.0 - mu)) / (1.0 - self.mu_product);
        let c2 = (-self.lr * mu_next) / (1.0 - self.mu_product * mu_next);
        for i in 0..x.len() {
            let g = decay(grad[i], x[i], self.weight_decay);
            update_moments(&mut self.m[i], &mut self.v[i], g, self.beta1, self.beta2);
            // sqrt(v / bc2), not sqrt(v) / sqrt(bc2): torch's CPU path.
            let denom = (self.v[i] / bc2).sqrt() + self.eps;
            x[i] += (c1 * g) / denom;
            x[i] += (c2 * self.m[i]) / denom;
        }
        Ok(StepStatus::Continue)
    }
}
