//! The ops that pick between values rather than compute one: comparisons
//! and logic, `where` (select) and `clamp`, forward values and backward
//! rules side by side. Their gradients follow torch 2.15 at ties
//! (docs/kinks.md).

use super::op::{Contributions, Op};
use super::{NodeId, OpError, Tape};
use crate::tensor::Tensor;

/// Comparisons and logic (1. where the relation holds, else 0.), and the
/// share of a max/min tie each side gets (1, 0.5 or 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareFn {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    /// How much of `max(x, y)`'s gradient goes to `x`.
    MaxShare,
    /// How much of `min(x, y)`'s gradient goes to `x`.
    MinShare,
}

impl CompareFn {
    pub fn apply(self, x: f64, y: f64) -> f64 {
        let truth = |b: bool| if b { 1.0 } else { 0.0 };
        match self {
            CompareFn::Lt => truth(x < y),
            CompareFn::Le => truth(x <= y),
            CompareFn::Gt => truth(x > y),
            CompareFn::Ge => truth(x >= y),
            CompareFn::Eq => truth(x == y),
            CompareFn::Ne => truth(x != y),
            CompareFn::And => truth(x != 0.0 && y != 0.0),
            CompareFn::Or => truth(x != 0.0 || y != 0.0),
            CompareFn::MaxShare | CompareFn::MinShare if x == y => 0.5,
            CompareFn::MaxShare => truth(x > y),
            CompareFn::MinShare => truth(x < y),
        }
    }
}

impl Tape {
    /// Records a comparison; a constant when neither side needs a gradient.
    pub fn compare(&mut self, f: CompareFn, a: NodeId, b: NodeId) -> Result<NodeId, OpError> {
        super::check_size(&crate::tensor::broadcast_shapes(
            self.shape(a),
            self.shape(b),
        )?)?;
        self.record(Op::Compare(f, a, b), &[])
    }
}

/// Strictly inside the bounds the gradient passes to `x`; outside it goes
/// to the bound that was hit. At a bound it is 0 when the bound is a
/// constant (torch 2.15's scalar bounds), and split 0.5/0.5 between `x` and
/// a bound that itself carries a gradient (torch's tensor bounds).
pub(crate) fn clamp_backward(
    tape: &mut Tape,
    x: NodeId,
    lo: NodeId,
    hi: NodeId,
    g: NodeId,
) -> Contributions {
    // The weights below are computed from values, not recorded as ops.
    tape.forbid_replay();
    let gshape = tape.shape(g).to_vec();
    let full = |t: &Tensor| {
        t.broadcast_to(&gshape)
            .unwrap_or_else(|_| unreachable!("shapes checked in forward"))
            .to_vec()
    };
    let (xv, lov, hiv) = (
        full(tape.value(x)),
        full(tape.value(lo)),
        full(tape.value(hi)),
    );
    let (lo_tie, hi_tie) = (
        if tape.requires_grad(lo) { 0.5 } else { 0.0 },
        if tape.requires_grad(hi) { 0.5 } else { 0.0 },
    );
    let n = xv.len();
    let (mut wx, mut wlo, mut whi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for k in 0..n {
        let (v, l, h) = (xv[k], lov[k], hiv[k]);
        if v > l && v < h {
            wx[k] = 1.0;
        } else if v < l {
            wlo[k] = 1.0;
        } else if v > h {
            whi[k] = 1.0;
        } else if v == l {
            wx[k] = lo_tie;
            wlo[k] = lo_tie;
        } else if v == h {
            wx[k] = hi_tie;
            whi[k] = hi_tie;
        }
    }
    let mut out = Vec::with_capacity(3);
    for (input, weights) in [(x, wx), (lo, wlo), (hi, whi)] {
        if tape.requires_grad(input) {
            let gi = tape.mul_const(g, Tensor::from_shape_vec(&gshape, weights));
            let shape = tape.shape(input).to_vec();
            out.push((input, tape.sum_to(gi, &shape)));
        }
    }
    out
}

pub(crate) fn select_backward(
    tape: &mut Tape,
    mask: NodeId,
    a: NodeId,
    b: NodeId,
    g: NodeId,
) -> Contributions {
    let zeros = Tensor::full(tape.shape(g), 0.0);
    let z = tape.constant(zeros);
    let mut out = Vec::with_capacity(2);
    for (input, taken) in [(a, true), (b, false)] {
        if tape.requires_grad(input) {
            let gi = if taken {
                tape.select(mask, g, z)
            } else {
                tape.select(mask, z, g)
            };
            let shape = tape.shape(input).to_vec();
            out.push((input, tape.sum_to(gi, &shape)));
        }
    }
    out
}

/// One entry clamped into `[lo, hi]`; NaN stays NaN.
pub(crate) fn clamp_scalar(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.max(lo).min(hi)
    }
}

pub(crate) fn clamp_value(x: &Tensor, lo: &Tensor, hi: &Tensor) -> Result<Tensor, OpError> {
    let lower = x.zip(lo, |x, l| if x.is_nan() { x } else { x.max(l) })?;
    Ok(lower.zip(hi, |x, h| if x.is_nan() { x } else { x.min(h) })?)
}

/// `mask ? a : b`, in the mask's shape.
pub(crate) fn select_value(mask: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor, OpError> {
    let shape = mask.shape().to_vec();
    let mut value = a.broadcast_to(&shape)?;
    let bv = b.broadcast_to(&shape)?;
    match (&mut value, mask, &bv) {
        (Tensor::Scalar(v), Tensor::Scalar(m), Tensor::Scalar(b)) if *m == 0.0 => *v = *b,
        (Tensor::Array(v), Tensor::Array(m), Tensor::Array(b)) => {
            ndarray::Zip::from(v).and(m).and(b).for_each(|v, &m, &b| {
                if m == 0.0 {
                    *v = b
                }
            });
        }
        _ => {}
    }
    Ok(value)
}
