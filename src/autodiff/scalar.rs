//! Replay for tapes whose every value is a scalar — most scripts' losses.
//! The recorded nodes are compiled once into a straight-line program over
//! an `f64` array, so a replay does no per-node dispatch on tensor shapes
//! and never touches the heap.

use super::elementwise::{BinaryFn, UnaryFn};
use super::op::Op;
use super::selection::CompareFn;
use super::tape::Node;
use crate::tensor::Tensor;

#[derive(Debug, Clone, Copy)]
enum Step {
    Leaf {
        param: usize,
    },
    // The four commonest operations get their own steps (one dispatch, not two).
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Neg(u32),
    Unary(UnaryFn, u32),
    Binary(BinaryFn, u32, u32),
    Compare(CompareFn, u32, u32),
    /// The value passes through (a sum, max, min or product of one entry).
    Copy(u32),
    /// The norm of one entry.
    Abs(u32),
    Clamp(u32, u32, u32),
    Select(u32, u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct ScalarProgram {
    /// (node index, how to compute it); constants have no step.
    steps: Vec<(u32, Step)>,
    values: Vec<f64>,
}

impl ScalarProgram {
    /// The program for `nodes`, or None if a value is not a scalar or an
    /// op has no scalar form here.
    pub(crate) fn compile(nodes: &[Node]) -> Option<Self> {
        let mut steps = Vec::with_capacity(nodes.len());
        let mut values = Vec::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            let Tensor::Scalar(v) = node.value else {
                return None;
            };
            values.push(v);
            let ix = |id: &super::NodeId| id.0;
            let step = match &node.op {
                Op::Const => continue,
                Op::Leaf { param } => Step::Leaf { param: *param },
                Op::Unary(UnaryFn::Neg, x) => Step::Neg(ix(x)),
                Op::Unary(f, x) => Step::Unary(*f, ix(x)),
                Op::Binary(BinaryFn::Add, a, b) => Step::Add(ix(a), ix(b)),
                Op::Binary(BinaryFn::Sub, a, b) => Step::Sub(ix(a), ix(b)),
                Op::Binary(BinaryFn::Mul, a, b) => Step::Mul(ix(a), ix(b)),
                Op::Binary(f, a, b) => Step::Binary(*f, ix(a), ix(b)),
                Op::Compare(f, a, b) => Step::Compare(*f, ix(a), ix(b)),
                Op::Sum { x, .. } | Op::Extreme { x, .. } | Op::Prod { x, .. } => Step::Copy(ix(x)),
                Op::Norm { x, .. } => Step::Abs(ix(x)),
                Op::Clamp { x, lo, hi } => Step::Clamp(ix(x), ix(lo), ix(hi)),
                Op::Select { mask, a, b } => Step::Select(ix(mask), ix(a), ix(b)),
                _ => return None,
            };
            steps.push((u32::try_from(i).ok()?, step));
        }
        Some(ScalarProgram { steps, values })
    }

    /// Recomputes every value with the params' new values, and writes them
    /// back into `nodes`.
    pub(crate) fn run(&mut self, nodes: &mut [Node], mut param_value: impl FnMut(usize) -> f64) {
        let v = &mut self.values;
        for &(i, step) in &self.steps {
            let at = |k: u32| v[k as usize];
            v[i as usize] = match step {
                Step::Leaf { param } => param_value(param),
                Step::Add(a, b) => at(a) + at(b),
                Step::Sub(a, b) => at(a) - at(b),
                Step::Mul(a, b) => at(a) * at(b),
                Step::Neg(x) => -at(x),
                Step::Unary(f, x) => f.apply(at(x)),
                Step::Binary(f, a, b) => f.apply(at(a), at(b)),
                Step::Compare(f, a, b) => f.apply(at(a), at(b)),
                Step::Copy(x) => at(x),
                Step::Abs(x) => at(x).abs(),
                Step::Clamp(x, lo, hi) => super::selection::clamp_scalar(at(x), at(lo), at(hi)),
                Step::Select(m, a, b) => {
                    if at(m) != 0.0 {
                        at(a)
                    } else {
                        at(b)
                    }
                }
            };
        }
        for (node, &x) in nodes.iter_mut().zip(v.iter()) {
            if let Tensor::Scalar(s) = &mut node.value {
                *s = x;
            }
        }
    }
}
