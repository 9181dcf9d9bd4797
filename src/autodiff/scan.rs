//! Running sums and products along an axis (`cumsum`, `cumprod`): forward
//! and backward. The gradient of a running sum is the running sum of the
//! gradient taken from the other end, itself recorded, so derivatives of
//! every order follow.

use ndarray::Axis;

use super::op::Op;
use super::tape::{NodeId, Tape};
use crate::tensor::Tensor;

/// Running sums along `axis`, from the end when `reverse`.
pub(crate) fn cumsum_value(x: &Tensor, axis: usize, reverse: bool) -> Tensor {
    scan(x, axis, reverse, |acc, v| acc + v)
}

pub(crate) fn cumprod_value(x: &Tensor, axis: usize) -> Tensor {
    scan(x, axis, false, |acc, v| acc * v)
}

fn scan(x: &Tensor, axis: usize, reverse: bool, f: impl Fn(f64, f64) -> f64) -> Tensor {
    let mut a = x.to_array();
    if a.ndim() == 0 {
        return x.clone();
    }
    for mut lane in a.lanes_mut(Axis(axis)) {
        let n = lane.len();
        let order: Box<dyn Iterator<Item = usize>> = if reverse {
            Box::new((0..n).rev())
        } else {
            Box::new(0..n)
        };
        let mut acc: Option<f64> = None;
        for i in order {
            let v = acc.map_or(lane[i], |p| f(p, lane[i]));
            lane[i] = v;
            acc = Some(v);
        }
    }
    Tensor::from_array(a)
}

pub(crate) fn cumsum_backward(tape: &mut Tape, axis: usize, reverse: bool, g: NodeId) -> NodeId {
    tape.cumsum(g, axis, !reverse)
}

/// d y_j / d x_i = y_j / x_i for j >= i, so the gradient is the running sum
/// from the end of `g * y`, divided by `x`; recorded when no entry is 0.
/// With zeros the quotient is undefined: each entry's gradient is then
/// computed directly (exact to first order, a constant for higher ones,
/// as for `prod`).
pub(crate) fn cumprod_backward(
    tape: &mut Tape,
    x: NodeId,
    axis: usize,
    y: NodeId,
    g: NodeId,
) -> NodeId {
    if tape.decide(x).iter().all(|v| v != 0.0) {
        let gy = tape.mul(g, y);
        let r = tape.cumsum(gy, axis, true);
        tape.div(r, x)
    } else {
        let (xv, gv) = (tape.value(x).to_array(), tape.value(g).to_array());
        let mut out = xv.clone();
        for ((xl, gl), mut ol) in xv
            .lanes(Axis(axis))
            .into_iter()
            .zip(gv.lanes(Axis(axis)))
            .zip(out.lanes_mut(Axis(axis)))
        {
            let n = xl.len();
            for i in 0..n {
                // sum over j >= i of g_j * prod_{k <= j, k != i} x_k
                let before: f64 = (0..i).map(|k| xl[k]).product();
                let mut total = 0.0;
                let mut run = before;
                for j in i..n {
                    if j > i {
                        run *= xl[j];
                    }
                    total += gl[j] * run;
                }
                ol[i] = total;
            }
        }
        tape.constant(Tensor::from_array(out))
    }
}

impl Tape {
    /// Running sums along `axis` (from the end when `reverse`).
    pub fn cumsum(&mut self, x: NodeId, axis: usize, reverse: bool) -> NodeId {
        self.record_unchecked(Op::Cumsum { x, axis, reverse }, &[])
    }

    /// Running products along `axis`.
    pub fn cumprod(&mut self, x: NodeId, axis: usize) -> NodeId {
        self.record_unchecked(Op::Cumprod { x, axis }, &[])
    }
}
