//! Stochastic gradient descent with momentum, as `torch.optim.SGD`.

use super::kernels::decay;
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults, as docs/language.md lists them.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("lr", DefaultValue::Number(1e-3)),
    spec("momentum", DefaultValue::Number(0.0)),
    spec("dampening", DefaultValue::Number(0.0)),
    spec("nesterov", DefaultValue::Flag(false)),
    spec("weight_decay", DefaultValue::Number(0.0)),
];

/// `torch.optim.SGD`; the velocity is not pre-scaled by lr.
struct Sgd {
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    /// Momentum buffer; torch creates it at the first step as a copy of the
    /// gradient, so dampening only applies from the second step on.
    buf: Option<Vec<f64>>,
}

pub(super) fn build(o: &Options, _n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    let sgd = Sgd {
        lr: o.non_negative("lr")?,
        momentum: o.non_negative("momentum")?,
        dampening: o.non_negative("dampening")?,
        nesterov: o.flag("nesterov")?,
        weight_decay: o.non_negative("weight_decay")?,
        buf: None,
    };
    if sgd.nesterov && (sgd.momentum <= 0.0 || sgd.dampening != 0.0) {
        return Err(o.conflict("nesterov", "0 unless momentum > 0 and dampening = 0"));
    }
    Ok(Box::new(sgd))
}

impl Optimizer for Sgd {
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
        let first = self.buf.is_none();
        let buf = self.buf.get_or_insert_with(|| vec![0.0; x.len()]);
        for ((xi, &gi), bi) in x.iter_mut().zip(grad).zip(buf.iter_mut()) {
            let mut g = decay(gi, *xi, self.weight_decay);
            if self.momentum != 0.0 {
                *bi = if first {
                    g
                } else {
                    (1.0 - self.dampening).mul_add(g, *bi * self.momentum)
                };
                g = if self.nesterov {
                    self.momentum.mul_add(*bi, g)
                } else {
                    *bi
                };
            }
            *xi = (-self.lr).mul_add(g, *xi);
        }
        Ok(StepStatus::Continue)
    }
}
