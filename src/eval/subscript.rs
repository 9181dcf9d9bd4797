//! Subscripts: which entries `x[...]` picks. Plain indices, slices with
//! steps, one integer-array index (a gather), and masks (0/1 tensors from
//! a comparison, or of the shape of the axes they index) all become an
//! [`IndexSpec`] the tape's index op and indexed assignment share.
//!
//! How an index tensor is read (docs/language.md, "Indexing and slicing"):
//! a tensor written out in the brackets (`x[[0, 2]]`) lists positions;
//! otherwise a comparison's result, or 0/1 entries of rank 2 or more, is a
//! mask, and any other 1-D tensor lists positions. A 1-D vector of 0s and
//! 1s as long as its axis that is neither could be either, and is refused
//! rather than guessed.

use std::rc::Rc;

use super::error::EvalError;
use super::Interp;
use crate::autodiff::op::Op;
use crate::autodiff::{IndexPart, IndexSpec, NodeId};
use crate::syntax::ast::{Expr, ExprS, IndexItem};
use crate::syntax::span::Span;
use crate::tensor::{shape_string, Tensor};

/// What a subscript picks from a value.
#[derive(Debug, Clone)]
pub(crate) struct Subscript {
    /// How many leading axes a mask of rank 2 or more covers: they are
    /// merged into one axis before `spec` applies (0 when there is none).
    pub mask_axes: usize,
    /// The parts, for the value with its masked axes merged.
    pub spec: IndexSpec,
}

impl Subscript {
    /// The shape `spec` applies to: `shape` with the masked axes merged.
    pub fn merged_shape(&self, shape: &[usize]) -> Vec<usize> {
        if self.mask_axes < 2 {
            return shape.to_vec();
        }
        let mut out = vec![shape[..self.mask_axes].iter().product()];
        out.extend(&shape[self.mask_axes..]);
        out
    }
}

/// The value and place of the subscript being read, for diagnostics.
struct Target<'a> {
    span: Span,
    shape: &'a [usize],
}

impl Target<'_> {
    fn bad(&self, span: Span, message: String, help: &str) -> EvalError {
        EvalError::BadIndex {
            span,
            message,
            target: (self.span, self.shape.to_vec()),
            help: help.into(),
        }
    }
}

const ARRAY_HELP: &str =
    "an index array lists positions, e.g. `x[[0, 2, 2]]`; a mask holds 0s and 1s, e.g. `x[x > 0]`";

impl Interp {
    /// `target[items]`.
    pub(super) fn index(
        &mut self,
        target: &ExprS,
        items: &[IndexItem],
    ) -> Result<NodeId, EvalError> {
        let x = self.eval(target)?;
        let shape = self.tape.shape(x).to_vec();
        let sub = self.subscript(target.span, &shape, items)?;
        let merged = sub.merged_shape(&shape);
        let x = self
            .tape
            .reshape(x, &merged)
            .and_then(|x| self.tape.index(x, sub.spec))
            .map_err(|e| self.op_error(e, "indexing", target.span, (target.span, target.span)))?;
        Ok(x)
    }

    /// The entries `items` pick from a value of `shape` (written at
    /// `target`), checked against it.
    pub(crate) fn subscript(
        &mut self,
        target: Span,
        shape: &[usize],
        items: &[IndexItem],
    ) -> Result<Subscript, EvalError> {
        let t = Target {
            span: target,
            shape,
        };
        if items.len() > shape.len() {
            return Err(EvalError::TooManyIndices {
                span: item_span(&items[shape.len()]),
                given: items.len(),
                target: (target, shape.to_vec()),
            });
        }
        let mut spec = Vec::with_capacity(items.len());
        let mut array: Option<Span> = None;
        for (axis, item) in items.iter().enumerate() {
            let len = shape[axis];
            let part = match item {
                IndexItem::At(e) => {
                    let id = self.eval(e)?;
                    if self.tape.shape(id).is_empty() {
                        let i = self.integer_of(id, e.span, "an index")?;
                        IndexPart::At(position(i, len).ok_or(EvalError::IndexOutOfRange {
                            span: e.span,
                            index: i,
                            axis,
                            len,
                            entry: None,
                            target: (target, shape.to_vec()),
                        })?)
                    } else {
                        let literal = matches!(e.node, Expr::Tensor(_));
                        let rank = self.is_mask(id, &t, (e.span, literal), axis, items.len())?;
                        if rank > 1 {
                            return Ok(Subscript {
                                mask_axes: rank,
                                spec: vec![self.mask(id, &t, e.span, axis)?],
                            });
                        }
                        if array.is_some() {
                            return Err(t.bad(
                                e.span,
                                "a second index array in one subscript".into(),
                                "one array index per subscript; pick in two steps, e.g. `x[i][:, j]`",
                            ));
                        }
                        array = Some(e.span);
                        if rank == 1 {
                            self.mask(id, &t, e.span, axis)?
                        } else {
                            self.positions(id, &t, e.span, axis)?
                        }
                    }
                }
                IndexItem::Slice {
                    start, end, step, ..
                } => self.slice(start, end, step, len, &t)?,
            };
            spec.push(part);
        }
        if let Some(span) = array {
            separated_check(&spec, span, &t)?;
        }
        Ok(Subscript { mask_axes: 0, spec })
    }

    /// Whether the index tensor `id` (at `span`, on `axis`; `literal` when
    /// written out in the brackets, which makes it positions) is a mask:
    /// 0 when it lists positions, else the mask's rank.
    fn is_mask(
        &mut self,
        id: NodeId,
        t: &Target,
        (span, literal): (Span, bool),
        axis: usize,
        items: usize,
    ) -> Result<usize, EvalError> {
        let compared = matches!(self.tape.node(id).op, Op::Compare(..));
        let v = self.tape.decide(id);
        let binary = v.iter().all(|x| x == 0.0 || x == 1.0);
        let (rank, n) = (v.ndim(), v.len());
        if !literal && (compared || (binary && rank >= 2)) {
            if rank >= 2 && items > 1 {
                return Err(t.bad(
                    span,
                    format!("a mask of rank {rank} must be the only index"),
                    "pick with the mask first, then index what it gives: `x[m][:, 0]`",
                ));
            }
            return Ok(rank);
        }
        if rank >= 2 {
            return Err(t.bad(
                span,
                format!(
                    "an index array of shape {} (it must be 1-D, or a mask of 0s and 1s)",
                    shape_string(self.tape.shape(id))
                ),
                ARRAY_HELP,
            ));
        }
        if binary && n == t.shape[axis] && !literal {
            return Err(t.bad(
                span,
                format!("a vector of 0s and 1s as long as axis {axis} could be a mask or positions"),
                "for a mask write a comparison, e.g. `x[m == 1]`; for positions write them out in the brackets, e.g. `x[[1, 1]]`",
            ));
        }
        Ok(0)
    }

    /// The mask `id` (at `span`) on the axes from `axis`: the positions
    /// of its 1s, counted row-major over the axes it covers.
    fn mask(
        &mut self,
        id: NodeId,
        t: &Target,
        span: Span,
        axis: usize,
    ) -> Result<IndexPart, EvalError> {
        let m = self.tape.value(id);
        let rank = m.ndim();
        if axis + rank > t.shape.len() || m.shape() != &t.shape[axis..axis + rank] {
            return Err(t.bad(
                span,
                format!(
                    "a mask of shape {} for a tensor of shape {}",
                    shape_string(m.shape()),
                    shape_string(t.shape)
                ),
                "a mask has the shape of the axes it indexes: the whole tensor, its leading axes, or one axis, e.g. `x[x > 0]`",
            ));
        }
        let chosen: Rc<[usize]> = m
            .iter()
            .enumerate()
            .filter(|&(_, v)| v != 0.0)
            .map(|(k, _)| k)
            .collect();
        Ok(IndexPart::Take(chosen))
    }

    /// The 1-D index array `id` (at `span`) as positions on `axis`.
    fn positions(
        &mut self,
        id: NodeId,
        t: &Target,
        span: Span,
        axis: usize,
    ) -> Result<IndexPart, EvalError> {
        let entries = self.tape.value(id).to_vec();
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries.into_iter().enumerate() {
            out.push(array_entry((k, v), span, (t.span, t.shape), axis)?);
        }
        Ok(IndexPart::Take(out.into()))
    }

    /// `start:end:step` on an axis of length `len`.
    fn slice(
        &mut self,
        start: &Option<Box<ExprS>>,
        end: &Option<Box<ExprS>>,
        step: &Option<Box<ExprS>>,
        len: usize,
        t: &Target,
    ) -> Result<IndexPart, EvalError> {
        let step = match step {
            None => 1,
            Some(e) => match self.eval_integer(e, "a slice step")? {
                0 => return Err(step_zero(e.span, t.span, t.shape)),
                s => s,
            },
        };
        let mut bound = |e: &Option<Box<ExprS>>| -> Result<Option<i64>, EvalError> {
            e.as_ref()
                .map(|e| self.eval_integer(e, "a slice bound"))
                .transpose()
        };
        let (a, b) = (bound(start)?, bound(end)?);
        Ok(slice_part(len, a, b, step))
    }
}

/// `start:end:step` (`step` not 0) on an axis of length `len`, with
/// Python's rules: bounds clamp, and under a negative step the omitted
/// start is the last entry and the omitted end is past the first.
/// `gradlang check` reads known slices with it too.
pub(crate) fn slice_part(len: usize, start: Option<i64>, end: Option<i64>, step: i64) -> IndexPart {
    let n = len as i64;
    let (lower, upper) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let clamp = |v: i64| {
        if v < 0 {
            (v + n).max(lower)
        } else {
            v.min(upper)
        }
    };
    let a = start.map_or(if step > 0 { lower } else { upper }, clamp);
    let b = end.map_or(if step > 0 { upper } else { lower }, clamp);
    let count = if step > 0 && b > a {
        (b - a - 1) / step + 1
    } else if step < 0 && a > b {
        (a - b - 1) / -step + 1
    } else {
        0
    };
    match (step, count) {
        (_, 0) => IndexPart::Range(0, 0),
        (1, _) => IndexPart::Range(a as usize, (a + count) as usize),
        _ => IndexPart::Step {
            start: a as usize,
            len: count as usize,
            step: step as isize,
        },
    }
}

/// Entry `k` of an index array at `span` (value `v`) as a position on
/// `axis` of `target` (its span and shape). `gradlang check` reads the
/// entries of an array written in the brackets with it too.
pub(crate) fn array_entry(
    (k, v): (usize, f64),
    span: Span,
    (target, shape): (Span, &[usize]),
    axis: usize,
) -> Result<usize, EvalError> {
    if !(v.fract() == 0.0 && v.abs() < 9.0e15) {
        return Err(Target {
            span: target,
            shape,
        }
        .bad(
            span,
            format!("entry {k} of this index array is {v}, not a whole number"),
            ARRAY_HELP,
        ));
    }
    let i = v as i64;
    position(i, shape[axis]).ok_or(EvalError::IndexOutOfRange {
        span,
        index: i,
        axis,
        len: shape[axis],
        entry: Some(k),
        target: (target, shape.to_vec()),
    })
}

/// `i` (negative from the end) as a position on an axis of length `len`.
fn position(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&j).then_some(j as usize)
}

/// NumPy moves the gathered axis to the front when an array index and a
/// single index are separated by a slice; gradlang refuses that case
/// rather than differ.
fn separated_check(spec: &IndexSpec, array: Span, t: &Target) -> Result<(), EvalError> {
    let picked: Vec<usize> = spec
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p, IndexPart::At(_) | IndexPart::Take(_)))
        .map(|(ax, _)| ax)
        .collect();
    match (picked.first(), picked.last()) {
        (Some(first), Some(last)) if last - first + 1 != picked.len() => Err(t.bad(
            array,
            "an index array and a single index separated by a slice".into(),
            "NumPy would move the picked axis to the front here; index in two steps, e.g. `x[0][:, i]`",
        )),
        _ => Ok(()),
    }
}

/// A slice step of 0 at `span`, indexing `target` of `shape`.
pub(crate) fn step_zero(span: Span, target: Span, shape: &[usize]) -> EvalError {
    Target {
        span: target,
        shape,
    }
    .bad(
        span,
        "a slice step of 0".into(),
        "a step is a nonzero whole number: `x[::2]` takes every other entry, `x[::-1]` reverses",
    )
}

/// Where an index item is written.
pub(crate) fn item_span(item: &IndexItem) -> Span {
    match item {
        IndexItem::At(e) => e.span,
        IndexItem::Slice { span, .. } => *span,
    }
}

/// `x` with the masked axes of `sub` merged, for indexed assignment.
pub(crate) fn merged(x: &Tensor, sub: &Subscript) -> Tensor {
    x.reshaped(&sub.merged_shape(x.shape()))
}
