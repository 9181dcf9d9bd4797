//! Reductions over all entries or one axis: forward and backward.

use ndarray::{ArrayD, ArrayViewD, Axis};

use super::op::Op;
use super::tape::{NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;

/// Checks `axis` (negative counts from the end) against the operand's rank.
pub fn normalize_axis(axis: i64, ndim: usize) -> Result<usize, OpError> {
    let n = ndim as i64;
    let a = if axis < 0 { axis + n } else { axis };
    if (0..n).contains(&a) {
        Ok(a as usize)
    } else {
        Err(OpError::Axis { axis, ndim })
    }
}

/// Applies `f` to every lane along `axis` (or to all entries), in
/// row-major order; contiguous entries are read in place, not copied.
pub(crate) fn reduce(x: &Tensor, axis: Option<usize>, f: impl Fn(&[f64]) -> f64) -> Tensor {
    let apply = |v: ArrayViewD<'_, f64>| match v.as_slice() {
        Some(s) => f(s),
        None => f(&v.iter().copied().collect::<Vec<_>>()),
    };
    match (x, axis) {
        (Tensor::Scalar(v), _) => Tensor::Scalar(f(&[*v])),
        (Tensor::Array(a), None) => Tensor::Scalar(apply(a.view())),
        (Tensor::Array(a), Some(ax)) => {
            let out: ArrayD<f64> = a.map_axis(Axis(ax), |lane| apply(lane.into_dyn()));
            Tensor::from_array(out)
        }
    }
}

/// Gradient of an `axis` reduction, reshaped so it broadcasts over `x`.
fn expand(tape: &mut Tape, g: NodeId, x_shape: &[usize], axis: Option<usize>) -> NodeId {
    match axis {
        Some(_) if !x_shape.is_empty() => tape.reshape_unchecked(g, &keepdims(x_shape, axis)),
        _ => g,
    }
}

/// The shape of a reduction of `shape` that keeps its rank: the reduced
/// axis (or, with no axis, every axis) becomes 1.
pub fn keepdims(shape: &[usize], axis: Option<usize>) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(i, &n)| if axis.is_none_or(|a| a == i) { 1 } else { n })
        .collect()
}

/// `expand` then repeat to the full shape of `x`.
fn spread(tape: &mut Tape, g: NodeId, x: NodeId, axis: Option<usize>) -> NodeId {
    let shape = tape.shape(x).to_vec();
    let e = expand(tape, g, &shape, axis);
    tape.broadcast_unchecked(e, &shape)
}

pub(crate) fn sum_backward(tape: &mut Tape, x: NodeId, axis: Option<usize>, g: NodeId) -> NodeId {
    spread(tape, g, x, axis)
}

pub(crate) fn extreme_backward(
    tape: &mut Tape,
    x: NodeId,
    axis: Option<usize>,
    max: bool,
    g: NodeId,
) -> NodeId {
    tape.forbid_replay();
    let mask = extreme_mask(tape.value(x), axis, max);
    let gs = spread(tape, g, x, axis);
    tape.mul_const(gs, mask)
}

/// Where the extreme came from: over all entries, ties share 1/k each; along
/// an axis, all of it goes to the first (torch's `max(dim)` index).
fn extreme_mask(x: &Tensor, axis: Option<usize>, max: bool) -> Tensor {
    let better = |a: f64, b: f64| if max { a > b } else { a < b };
    match (x, axis) {
        (Tensor::Scalar(_), _) => Tensor::Scalar(1.0),
        (Tensor::Array(a), None) => {
            let best = a
                .iter()
                .copied()
                .fold(None, |acc: Option<f64>, v| match acc {
                    Some(b) if !better(v, b) => Some(b),
                    _ => Some(v),
                });
            let best = best.unwrap_or(f64::NAN);
            let k = a.iter().filter(|&&v| v == best).count().max(1) as f64;
            Tensor::Array(
                a.mapv(|v| if v == best { 1.0 / k } else { 0.0 })
                    .into_shared(),
            )
        }
        (Tensor::Array(a), Some(ax)) => {
            let mut mask = ArrayD::zeros(a.raw_dim());
            for (lane, mut out) in a.lanes(Axis(ax)).into_iter().zip(mask.lanes_mut(Axis(ax))) {
                let mut best = 0;
                for (i, &v) in lane.iter().enumerate() {
                    if better(v, lane[best]) {
                        best = i;
                    }
                }
                if !out.is_empty() {
                    out[best] = 1.0;
                }
            }
            Tensor::Array(mask.into_shared())
        }
    }
}

pub(crate) fn prod_backward(
    tape: &mut Tape,
    x: NodeId,
    axis: Option<usize>,
    y: NodeId,
    g: NodeId,
) -> NodeId {
    let gs = spread(tape, g, x, axis);
    if tape.decide(x).iter().all(|v| v != 0.0) {
        // prod / x_i, recorded so it can be differentiated again.
        let ys = spread(tape, y, x, axis);
        let d = tape.div(ys, x);
        tape.mul(gs, d)
    } else {
        // With zeros the quotient is undefined: multiply out the others
        // (first-order exact; treated as a constant for higher orders).
        let others = products_of_others(tape.value(x), axis);
        tape.mul_const(gs, others)
    }
}

fn products_of_others(x: &Tensor, axis: Option<usize>) -> Tensor {
    let others = |lane: &[f64]| -> Vec<f64> {
        (0..lane.len())
            .map(|i| {
                lane.iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, v)| v)
                    .product()
            })
            .collect()
    };
    match (x, axis) {
        (Tensor::Scalar(_), _) => Tensor::Scalar(1.0),
        (Tensor::Array(a), None) => {
            let flat: Vec<f64> = a.iter().copied().collect();
            Tensor::from_shape_vec(a.shape(), others(&flat))
        }
        (Tensor::Array(a), Some(ax)) => {
            let mut out = ArrayD::zeros(a.raw_dim());
            for (lane, mut o) in a.lanes(Axis(ax)).into_iter().zip(out.lanes_mut(Axis(ax))) {
                let v: Vec<f64> = lane.iter().copied().collect();
                for (dst, src) in o.iter_mut().zip(others(&v)) {
                    *dst = src;
                }
            }
            Tensor::Array(out.into_shared())
        }
    }
}

pub(crate) fn norm_backward(
    tape: &mut Tape,
    x: NodeId,
    axis: Option<usize>,
    y: NodeId,
    g: NodeId,
) -> NodeId {
    // x / ‖x‖, and 0 where the norm is 0 (torch special-cases it).
    let gs = spread(tape, g, x, axis);
    let ys = spread(tape, y, x, axis);
    let d = tape.div(x, ys);
    let gd = tape.mul(gs, d);
    let zero_norm = tape.decide(ys).map(|v| if v == 0.0 { 1.0 } else { 0.0 });
    if zero_norm.iter().any(|m| m != 0.0) {
        tape.zero_where(zero_norm, gd)
    } else {
        gd
    }
}

impl Tape {
    pub fn sum(&mut self, x: NodeId, axis: Option<usize>) -> NodeId {
        self.record_unchecked(Op::Sum { x, axis }, &[])
    }

    /// `max` (or `min`), NaN-propagating like torch.
    pub fn extreme(
        &mut self,
        x: NodeId,
        axis: Option<usize>,
        max: bool,
    ) -> Result<NodeId, OpError> {
        self.record(Op::Extreme { x, axis, max }, &[])
    }

    pub fn prod(&mut self, x: NodeId, axis: Option<usize>) -> NodeId {
        self.record_unchecked(Op::Prod { x, axis }, &[])
    }

    pub fn norm(&mut self, x: NodeId, axis: Option<usize>) -> NodeId {
        self.record_unchecked(Op::Norm { x, axis }, &[])
    }
}

pub(crate) fn sum_value(x: &Tensor, axis: Option<usize>) -> Tensor {
    match (x, axis) {
        (Tensor::Array(a), None) => Tensor::Scalar(a.sum()),
        (Tensor::Array(a), Some(ax)) => Tensor::from_array(a.sum_axis(Axis(ax))),
        (Tensor::Scalar(v), _) => Tensor::Scalar(*v),
    }
}

pub(crate) fn extreme_value(x: &Tensor, axis: Option<usize>, max: bool) -> Result<Tensor, OpError> {
    let empty_lane = match axis {
        Some(ax) => x.shape().get(ax) == Some(&0),
        None => x.is_empty(),
    };
    if empty_lane {
        return Err(OpError::Empty);
    }
    // The elementwise max/min, so NaN propagates the same way.
    let pick = if max {
        super::BinaryFn::Max
    } else {
        super::BinaryFn::Min
    };
    Ok(reduce(x, axis, |v| {
        v.iter().copied().fold(v[0], |b, a| pick.apply(a, b))
    }))
}

pub(crate) fn max_shift_value(x: &Tensor, axis: Option<usize>) -> Tensor {
    let kept = keepdims(x.shape(), axis);
    let m = extreme_value(x, axis, true)
        .unwrap_or(Tensor::Scalar(0.0))
        .map(|v| if v.is_finite() { v } else { 0.0 });
    Tensor::from_shape_vec(&kept, m.to_vec())
}

impl Tape {
    /// See [`Op::MaxShift`].
    pub fn max_shift(&mut self, x: NodeId, axis: Option<usize>) -> NodeId {
        self.record_unchecked(Op::MaxShift { x, axis }, &[])
    }
}

pub(crate) fn prod_value(x: &Tensor, axis: Option<usize>) -> Tensor {
    reduce(x, axis, |v| v.iter().product())
}

pub(crate) fn norm_value(x: &Tensor, axis: Option<usize>) -> Tensor {
    reduce(x, axis, |v| v.iter().map(|a| a * a).sum::<f64>().sqrt())
}
