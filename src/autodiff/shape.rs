//! Operations that move entries without changing them: reshape,
//! transpose, broadcasting, concatenation and indexing. Forward and
//! backward side by side.

use std::rc::Rc;

use ndarray::{ArrayD, Axis, IxDyn, Slice};

use super::op::{Contributions, Op};
use super::tape::{NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;

/// One position of an index expression, already checked and made
/// non-negative.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexPart {
    /// Picks one entry; the axis disappears.
    At(usize),
    /// `start..end`; the axis stays.
    Range(usize, usize),
    /// `len` entries from `start`, `step` apart (backwards when negative):
    /// a step slice `a:b:s`; the axis stays.
    Step {
        start: usize,
        len: usize,
        step: isize,
    },
    /// The entries at these positions, in order, repeats allowed (an
    /// integer-array index, or a mask's chosen entries); the axis stays,
    /// as long as the list.
    Take(Rc<[usize]>),
}

/// Index parts for the leading axes; the rest are taken whole.
pub type IndexSpec = Vec<IndexPart>;

impl IndexPart {
    /// How many entries the part keeps on its axis (1 for `At`).
    pub fn count(&self) -> usize {
        match self {
            IndexPart::At(_) => 1,
            IndexPart::Range(a, b) => b - a,
            IndexPart::Step { len, .. } => *len,
            IndexPart::Take(ix) => ix.len(),
        }
    }

    /// The position on the axis of the `k`-th entry the part keeps.
    fn position(&self, k: usize) -> usize {
        match self {
            IndexPart::At(i) => *i,
            IndexPart::Range(a, _) => a + k,
            IndexPart::Step { start, step, .. } => start.wrapping_add_signed(step * k as isize),
            IndexPart::Take(ix) => ix[k],
        }
    }

    /// The first position past the end of the axis the part reaches, if any.
    fn out_of_range(&self, len: usize) -> Option<usize> {
        match self {
            IndexPart::At(i) => (*i >= len).then_some(*i),
            IndexPart::Range(a, b) => (a > b || *b > len).then_some(*b),
            IndexPart::Step { len: 0, .. } => None,
            IndexPart::Step { start, len: n, .. } => [*start, self.position(n - 1)]
                .into_iter()
                .find(|&p| p >= len),
            IndexPart::Take(ix) => ix.iter().copied().find(|&p| p >= len),
        }
    }
}

/// The shape `spec` yields from `shape`, with `At` axes kept as length 1.
fn keepdims_shape(shape: &[usize], spec: &IndexSpec) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(ax, &n)| spec.get(ax).map_or(n, IndexPart::count))
        .collect()
}

fn drop_at_axes(shape: &[usize], spec: &IndexSpec) -> Vec<usize> {
    keepdims_shape(shape, spec)
        .into_iter()
        .enumerate()
        .filter(|(ax, _)| !matches!(spec.get(*ax), Some(IndexPart::At(_))))
        .map(|(_, n)| n)
        .collect()
}

/// Calls `f` with the multi-index in `shape` of every entry `spec` picks,
/// in the row-major order of the result. Gather, scatter-add and
/// assignment all walk this one order, so they agree on which entry goes
/// where.
fn for_each_pick(shape: &[usize], spec: &IndexSpec, mut f: impl FnMut(&[usize])) {
    let counts = keepdims_shape(shape, spec);
    if counts.contains(&0) {
        return;
    }
    let pos = |ax: usize, k: usize| spec.get(ax).map_or(k, |p| p.position(k));
    let mut at = vec![0; counts.len()];
    let mut src: Vec<usize> = (0..counts.len()).map(|ax| pos(ax, 0)).collect();
    loop {
        f(&src);
        let mut ax = counts.len();
        loop {
            if ax == 0 {
                return;
            }
            ax -= 1;
            at[ax] += 1;
            if at[ax] < counts[ax] {
                src[ax] = pos(ax, at[ax]);
                break;
            }
            at[ax] = 0;
            src[ax] = pos(ax, 0);
        }
    }
}

pub(crate) fn concat_backward(
    tape: &mut Tape,
    inputs: &[NodeId],
    axis: usize,
    g: NodeId,
) -> Contributions {
    let mut offset = 0;
    let mut out = Vec::with_capacity(inputs.len());
    for &input in inputs {
        let n = tape.shape(input)[axis];
        let mut spec: IndexSpec = (0..axis)
            .map(|ax| IndexPart::Range(0, tape.shape(input)[ax]))
            .collect();
        spec.push(IndexPart::Range(offset, offset + n));
        offset += n;
        if tape.requires_grad(input) {
            out.push((input, tape.index_unchecked(g, Rc::new(spec))));
        }
    }
    out
}

impl Tape {
    pub fn reshape(&mut self, x: NodeId, shape: &[usize]) -> Result<NodeId, OpError> {
        let from = self.shape(x).to_vec();
        if from.iter().product::<usize>() != shape.iter().product::<usize>() {
            return Err(OpError::Reshape {
                from,
                to: shape.to_vec(),
            });
        }
        if from == shape {
            return Ok(x);
        }
        self.record(Op::Reshape(x), shape)
    }

    pub(crate) fn reshape_unchecked(&mut self, x: NodeId, shape: &[usize]) -> NodeId {
        self.reshape(x, shape)
            .unwrap_or_else(|e| unreachable!("invariant: sizes agree: {e:?}"))
    }

    /// Reverses the axes (`x.T`); a no-op for rank 0 and 1.
    pub fn transpose(&mut self, x: NodeId) -> NodeId {
        if self.value(x).ndim() < 2 {
            return x;
        }
        self.record_unchecked(Op::Transpose(x), &[])
    }

    pub fn broadcast_to(&mut self, x: NodeId, shape: &[usize]) -> Result<NodeId, OpError> {
        if self.shape(x) == shape {
            return Ok(x);
        }
        super::check_size(shape)?;
        self.record(Op::BroadcastTo(x), shape)
    }

    pub(crate) fn broadcast_unchecked(&mut self, x: NodeId, shape: &[usize]) -> NodeId {
        self.broadcast_to(x, shape)
            .unwrap_or_else(|e| unreachable!("invariant: shapes broadcast: {e:?}"))
    }

    /// Sums `x` down to `shape` (the gradient of a broadcast).
    pub fn sum_to(&mut self, x: NodeId, shape: &[usize]) -> NodeId {
        if self.shape(x) == shape {
            return x;
        }
        self.record_unchecked(Op::SumTo(x), shape)
    }

    pub fn concat(&mut self, inputs: &[NodeId], axis: usize) -> Result<NodeId, OpError> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|&i| self.shape(i)).collect();
        concat_shape(&shapes, axis)?;
        self.record(
            Op::Concat {
                inputs: inputs.into(),
                axis,
            },
            &[],
        )
    }

    /// `x[spec]`, checking every part against the shape.
    pub fn index(&mut self, x: NodeId, spec: IndexSpec) -> Result<NodeId, OpError> {
        let shape = self.shape(x);
        if spec.len() > shape.len() {
            return Err(OpError::TooManyIndices {
                given: spec.len(),
                ndim: shape.len(),
            });
        }
        for (axis, part) in spec.iter().enumerate() {
            let len = shape[axis];
            if let Some(index) = part.out_of_range(len) {
                return Err(OpError::IndexOutOfRange {
                    index: index as i64,
                    len,
                    axis,
                });
            }
        }
        Ok(self.index_unchecked(x, Rc::new(spec)))
    }

    pub(crate) fn index_unchecked(&mut self, x: NodeId, spec: Rc<IndexSpec>) -> NodeId {
        self.record_unchecked(Op::Index { x, spec }, &[])
    }

    /// Zeros of `shape` with `g` added at `spec`: the gradient of `index`.
    pub(crate) fn index_add(&mut self, g: NodeId, spec: Rc<IndexSpec>, shape: &[usize]) -> NodeId {
        self.record_unchecked(Op::IndexAdd { g, spec }, shape)
    }
}

/// The shape of `shapes` joined along `axis`, or why they cannot be: an
/// axis past the first's rank, or a piece that differs off the axis.
/// `gradlang check` uses it too.
pub(crate) fn concat_shape(shapes: &[&[usize]], axis: usize) -> Result<Vec<usize>, OpError> {
    let first = shapes.first().copied().unwrap_or_default();
    if axis >= first.len() {
        return Err(OpError::Axis {
            axis: axis as i64,
            ndim: first.len(),
        });
    }
    let mut out = first.to_vec();
    out[axis] = 0;
    for other in shapes {
        let agrees = other.len() == first.len()
            && other
                .iter()
                .zip(first)
                .enumerate()
                .all(|(ax, (a, b))| ax == axis || a == b);
        if !agrees {
            return Err(OpError::Concat {
                first: first.to_vec(),
                other: other.to_vec(),
                axis,
            });
        }
        out[axis] += other[axis];
    }
    Ok(out)
}

pub(crate) fn transpose_value(x: &Tensor) -> Tensor {
    Tensor::from_array(x.view().reversed_axes().as_standard_layout().into_owned())
}

pub(crate) fn concat_value(parts: &[&Tensor], axis: usize) -> Result<Tensor, OpError> {
    let first = parts[0].shape().to_vec();
    let mismatch = || OpError::Concat {
        first: first.clone(),
        other: first.clone(),
        axis,
    };
    let mut shape = first.clone();
    if axis >= shape.len() {
        return Err(mismatch());
    }
    shape[axis] = 0;
    for p in parts {
        let s = p.shape();
        if s.len() != shape.len() || (0..s.len()).any(|d| d != axis && s[d] != shape[d]) {
            return Err(mismatch());
        }
        shape[axis] += s[axis];
    }
    // Written into a row-major buffer (ndarray's `concatenate` may lay the
    // result out by columns, which the fused replay would have to copy).
    let mut joined = ArrayD::<f64>::zeros(IxDyn(&shape));
    let mut at = 0;
    for p in parts {
        let len = p.shape()[axis];
        joined
            .slice_axis_mut(Axis(axis), Slice::from(at..at + len))
            .assign(&p.view());
        at += len;
    }
    Ok(Tensor::from_array(joined))
}

pub(crate) fn index_value(x: &Tensor, spec: &IndexSpec) -> Tensor {
    let a = x.view();
    let mut picked = Vec::new();
    for_each_pick(a.shape(), spec, |ix| picked.push(a[ix]));
    Tensor::from_shape_vec(&drop_at_axes(a.shape(), spec), picked)
}

/// `x` with the entries `spec` picks replaced by `v`, which must broadcast
/// to their shape (`x[i, :] = v`); `None` when it does not. A position a
/// `Take` lists twice gets the later value, as in NumPy.
pub fn index_assign_value(x: &Tensor, spec: &IndexSpec, v: &Tensor) -> Option<Tensor> {
    let mut out = x.view().to_owned();
    let picked_shape = drop_at_axes(out.shape(), spec);
    let v = v.view();
    let v = v.broadcast(IxDyn(&picked_shape))?;
    let mut values = v.iter();
    let shape = out.shape().to_vec();
    for_each_pick(&shape, spec, |ix| {
        if let Some(&value) = values.next() {
            out[ix] = value;
        }
    });
    Some(Tensor::from_array(out))
}

/// Zeros of `shape` with `g` added at the entries `spec` picks; a position
/// picked twice gets both (the gradient of a gather is a scatter-add).
pub(crate) fn index_add_value(g: &Tensor, spec: &IndexSpec, shape: &[usize]) -> Tensor {
    let mut out = ArrayD::<f64>::zeros(IxDyn(shape));
    let mut values = g.iter();
    for_each_pick(shape, spec, |ix| {
        if let Some(value) = values.next() {
            out[ix] += value;
        }
    });
    Tensor::from_array(out)
}
