//! The operations a tape node can hold. Each family's forward (the `Tape`
//! method that records it) and backward live together in one file:
//! `elementwise.rs`, `selection.rs` (comparisons, `where`, `clamp`),
//! `reduce.rs`, `shape.rs`, `linalg.rs`, `decomp/`.

use std::rc::Rc;

use super::elementwise::{BinaryFn, UnaryFn};
use super::selection::CompareFn;
use super::shape::IndexSpec;
use super::tape::{Node, NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;

#[derive(Debug, Clone)]
pub enum Op {
    /// Data: no inputs, no gradient.
    Const,
    /// The value of a param, read once per evaluation.
    Leaf {
        param: usize,
    },
    Unary(UnaryFn, NodeId),
    /// Broadcasting binary arithmetic.
    Binary(BinaryFn, NodeId, NodeId),
    Clamp {
        x: NodeId,
        lo: NodeId,
        hi: NodeId,
    },
    /// `mask ? a : b` elementwise (`where`, and masked gradients); no
    /// gradient goes to the mask.
    Select {
        mask: NodeId,
        a: NodeId,
        b: NodeId,
    },
    Sum {
        x: NodeId,
        axis: Option<usize>,
    },
    /// `max` (or `min` when `max` is false) over all entries or one axis.
    Extreme {
        x: NodeId,
        axis: Option<usize>,
        max: bool,
    },
    Prod {
        x: NodeId,
        axis: Option<usize>,
    },
    Norm {
        x: NodeId,
        axis: Option<usize>,
    },
    Reshape(NodeId),
    Transpose(NodeId),
    BroadcastTo(NodeId),
    SumTo(NodeId),
    Concat {
        inputs: Rc<[NodeId]>,
        axis: usize,
    },
    Index {
        x: NodeId,
        spec: Rc<IndexSpec>,
    },
    /// Scatters `g` into zeros of this node's shape at `spec`: the gradient
    /// of `Index`.
    IndexAdd {
        g: NodeId,
        spec: Rc<IndexSpec>,
    },
    /// A comparison or logical operation: 0. or 1., no gradient.
    Compare(CompareFn, NodeId, NodeId),
    /// The maximum along an axis (kept as length 1), non-finite values
    /// replaced by 0, with no gradient: the shift that keeps `exp` sums
    /// (logsumexp, softmax) finite.
    MaxShift {
        x: NodeId,
        axis: Option<usize>,
    },
    /// Matrix product of two 2-D operands, each read transposed if its
    /// flag is set.
    MatMul {
        a: NodeId,
        b: NodeId,
        ta: bool,
        tb: bool,
    },
    /// Solve, determinants, factorizations: see `decomp`.
    Linalg(super::decomp::LinalgOp),
    /// The entries of `x` at the flat positions `map` (see `gather`).
    Gather {
        x: NodeId,
        map: super::gather::Map,
    },
    /// Zeros with `g`'s entries added at `map`: the gradient of `Gather`.
    Scatter {
        g: NodeId,
        map: super::gather::Map,
    },
    /// Running sums along an axis, from the end when `reverse`.
    Cumsum {
        x: NodeId,
        axis: usize,
        reverse: bool,
    },
    /// Running products along an axis.
    Cumprod {
        x: NodeId,
        axis: usize,
    },
}

/// (input, gradient contribution for that input).
pub type Contributions = Vec<(NodeId, NodeId)>;

impl Op {
    pub fn for_each_input(&self, mut f: impl FnMut(NodeId)) {
        match self {
            Op::Const | Op::Leaf { .. } => {}
            Op::Unary(_, x)
            | Op::Sum { x, .. }
            | Op::Extreme { x, .. }
            | Op::Prod { x, .. }
            | Op::Norm { x, .. }
            | Op::Reshape(x)
            | Op::Transpose(x)
            | Op::BroadcastTo(x)
            | Op::SumTo(x)
            | Op::Index { x, .. }
            | Op::IndexAdd { g: x, .. }
            | Op::MaxShift { x, .. }
            | Op::Gather { x, .. }
            | Op::Scatter { g: x, .. }
            | Op::Cumsum { x, .. }
            | Op::Cumprod { x, .. } => f(*x),
            Op::Binary(_, a, b) | Op::Compare(_, a, b) | Op::MatMul { a, b, .. } => {
                f(*a);
                f(*b);
            }
            Op::Clamp { x, lo, hi } => {
                f(*x);
                f(*lo);
                f(*hi);
            }
            Op::Select { mask, a, b } => {
                f(*mask);
                f(*a);
                f(*b);
            }
            Op::Concat { inputs, .. } => inputs.iter().for_each(|&i| f(i)),
            Op::Linalg(op) => op.for_each_input(f),
        }
    }

    /// This op's value from its inputs' current values: used when it is
    /// recorded and when a recorded tape is replayed at new param values.
    /// `shape` is the output shape for the ops that take one (reshape,
    /// broadcast, sum-to, scatter); others ignore it.
    pub(crate) fn compute(&self, nodes: &[Node], shape: &[usize]) -> Result<Tensor, OpError> {
        use super::{elementwise as ew, linalg, reduce, shape as sh};
        let v = |id: &NodeId| &nodes[id.index()].value;
        Ok(match self {
            Op::Const | Op::Leaf { .. } => unreachable!("invariant: sources are not computed"),
            Op::Unary(f, x) => v(x).map(|a| f.apply(a)),
            Op::Binary(f, a, b) => ew::binary_value(*f, v(a), v(b))?,
            Op::Compare(f, a, b) => v(a).zip(v(b), |x, y| f.apply(x, y))?,
            Op::MaxShift { x, axis } => reduce::max_shift_value(v(x), *axis),
            Op::Clamp { x, lo, hi } => super::selection::clamp_value(v(x), v(lo), v(hi))?,
            Op::Select { mask, a, b } => super::selection::select_value(v(mask), v(a), v(b))?,
            Op::Sum { x, axis } => reduce::sum_value(v(x), *axis),
            Op::Extreme { x, axis, max } => reduce::extreme_value(v(x), *axis, *max)?,
            Op::Prod { x, axis } => reduce::prod_value(v(x), *axis),
            Op::Norm { x, axis } => reduce::norm_value(v(x), *axis),
            Op::Reshape(x) => v(x).reshaped(shape),
            Op::Transpose(x) => sh::transpose_value(v(x)),
            Op::BroadcastTo(x) => v(x).broadcast_to(shape)?,
            Op::SumTo(x) => v(x).sum_to(shape),
            Op::Concat { inputs, axis } => {
                sh::concat_value(&inputs.iter().map(v).collect::<Vec<_>>(), *axis)?
            }
            Op::Index { x, spec } => sh::index_value(v(x), spec),
            Op::IndexAdd { g, spec } => sh::index_add_value(v(g), spec, shape),
            Op::MatMul { a, b, ta, tb } => linalg::matmul_value(v(a), v(b), *ta, *tb),
            Op::Linalg(op) => op.compute(nodes),
            Op::Gather { x, map } => super::gather::gather_value(v(x), map, shape),
            Op::Scatter { g, map } => super::gather::scatter_value(v(g), map, shape),
            Op::Cumsum { x, axis, reverse } => super::scan::cumsum_value(v(x), *axis, *reverse),
            Op::Cumprod { x, axis } => super::scan::cumprod_value(v(x), *axis),
        })
    }

    /// Recomputes this op into `out`, its previous value, reusing its
    /// buffer; false when this op or shape has no in-place path (the caller
    /// then uses `compute`). Replays of small tensors spend most of their
    /// time allocating without this.
    pub(crate) fn compute_into(&self, nodes: &[Node], out: &mut Tensor) -> bool {
        let v = |id: &NodeId| &nodes[id.index()].value;
        match self {
            Op::Unary(f, x) => v(x).map_into(out, |a| f.apply(a)),
            Op::Binary(f, a, b) => v(a).zip_into(v(b), out, |x, y| f.apply(x, y)),
            Op::Compare(f, a, b) => v(a).zip_into(v(b), out, |x, y| f.apply(x, y)),
            Op::Reshape(x) | Op::BroadcastTo(x) => v(x).copy_into(out),
            Op::Sum { x, axis: None } => match out {
                Tensor::Scalar(o) => {
                    *o = match v(x) {
                        Tensor::Scalar(a) => *a,
                        Tensor::Array(a) => a.sum(),
                    };
                    true
                }
                Tensor::Array(_) => false,
            },
            Op::MatMul { a, b, ta, tb } => super::linalg::matmul_into(v(a), v(b), *ta, *tb, out),
            _ => false,
        }
    }

    /// What the operation is called in messages.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Const => "a constant",
            Op::Leaf { .. } => "a param",
            Op::Unary(f, _) => f.name(),
            Op::Binary(f, _, _) => f.name(),
            Op::Compare(..) => "a comparison",
            Op::MaxShift { .. } => "a stabilising shift",
            Op::Clamp { .. } => "`clamp`",
            Op::Select { .. } => "`where`",
            Op::Sum { .. } => "a sum",
            Op::Extreme { max: true, .. } => "`max`",
            Op::Extreme { max: false, .. } => "`min`",
            Op::Prod { .. } => "`prod`",
            Op::Norm { .. } => "`norm`",
            Op::Reshape(_) => "a reshape",
            Op::Transpose(_) => "a transpose",
            Op::BroadcastTo(_) | Op::SumTo(_) => "broadcasting",
            Op::Concat { .. } => "a concatenation",
            Op::Index { .. } | Op::IndexAdd { .. } => "indexing",
            Op::MatMul { .. } => "the matrix product `@`",
            Op::Linalg(op) => op.name(),
            Op::Gather { .. } | Op::Scatter { .. } => "a rearrangement",
            Op::Cumsum { .. } => "`cumsum`",
            Op::Cumprod { .. } => "`cumprod`",
        }
    }

    /// Records the gradient contributions of node `out` (this op) given the
    /// gradient `g` of its output.
    pub(crate) fn backward(&self, tape: &mut Tape, out: NodeId, g: NodeId) -> Contributions {
        match self {
            Op::Const | Op::Leaf { .. } | Op::Compare(..) | Op::MaxShift { .. } => Vec::new(),
            Op::Unary(f, x) => f
                .backward(tape, *x, out, g)
                .map(|gx| vec![(*x, gx)])
                .unwrap_or_default(),
            Op::Binary(f, a, b) => f.backward(tape, *a, *b, out, g),
            Op::Clamp { x, lo, hi } => super::selection::clamp_backward(tape, *x, *lo, *hi, g),
            Op::Select { mask, a, b } => super::selection::select_backward(tape, *mask, *a, *b, g),
            Op::Sum { x, axis } => vec![(*x, super::reduce::sum_backward(tape, *x, *axis, g))],
            Op::Extreme { x, axis, max } => {
                vec![(
                    *x,
                    super::reduce::extreme_backward(tape, *x, *axis, *max, g),
                )]
            }
            Op::Prod { x, axis } => {
                vec![(*x, super::reduce::prod_backward(tape, *x, *axis, out, g))]
            }
            Op::Norm { x, axis } => {
                vec![(*x, super::reduce::norm_backward(tape, *x, *axis, out, g))]
            }
            Op::Reshape(x) => {
                let shape = tape.shape(*x).to_vec();
                vec![(*x, tape.reshape_unchecked(g, &shape))]
            }
            Op::Transpose(x) => vec![(*x, tape.transpose(g))],
            Op::BroadcastTo(x) => {
                let shape = tape.shape(*x).to_vec();
                vec![(*x, tape.sum_to(g, &shape))]
            }
            Op::SumTo(x) => {
                let shape = tape.shape(*x).to_vec();
                vec![(*x, tape.broadcast_unchecked(g, &shape))]
            }
            Op::Concat { inputs, axis } => super::shape::concat_backward(tape, inputs, *axis, g),
            Op::Index { x, spec } => {
                let shape = tape.shape(*x).to_vec();
                vec![(*x, tape.index_add(g, spec.clone(), &shape))]
            }
            Op::IndexAdd { g: small, spec } => {
                vec![(*small, tape.index_unchecked(g, spec.clone()))]
            }
            Op::MatMul { a, b, ta, tb } => {
                super::linalg::matmul_backward(tape, *a, *b, *ta, *tb, g)
            }
            Op::Linalg(op) => op.backward(tape, out, g),
            Op::Gather { x, map } => {
                let shape = tape.shape(*x).to_vec();
                vec![(*x, tape.scatter(g, map.clone(), &shape))]
            }
            Op::Scatter { g: small, map } => {
                let shape = tape.shape(*small).to_vec();
                vec![(*small, tape.gather(g, map.clone(), &shape))]
            }
            Op::Cumsum { x, axis, reverse } => {
                vec![(*x, super::scan::cumsum_backward(tape, *axis, *reverse, g))]
            }
            Op::Cumprod { x, axis } => {
                vec![(*x, super::scan::cumprod_backward(tape, *x, *axis, out, g))]
            }
        }
    }
}
