//! Gathering entries by position, and its transpose, scattering: the one
//! pair of operations behind `sort`, `flip`, `tile` and `diag`. A map lists,
//! for each entry of the result (row-major), the flat position it is read
//! from (gather) or added to (scatter). Both are linear, and each is the
//! other's backward, so derivatives of every order come for free.
//!
//! The maps are built here from shapes (and, for `sort`, from values).

use std::rc::Rc;

use ndarray::{ArrayD, Axis, Dimension, IxDyn};

use super::op::Op;
use super::tape::{NodeId, Tape};
use crate::tensor::Tensor;

/// Flat positions, one per entry of a gather's result or a scatter's input.
pub type Map = Rc<[usize]>;

pub(crate) fn gather_value(x: &Tensor, map: &[usize], shape: &[usize]) -> Tensor {
    let flat = x.to_vec();
    Tensor::from_shape_vec(shape, map.iter().map(|&i| flat[i]).collect())
}

pub(crate) fn scatter_value(g: &Tensor, map: &[usize], shape: &[usize]) -> Tensor {
    let mut out = vec![0.0; shape.iter().product()];
    for (&i, v) in map.iter().zip(g.iter()) {
        out[i] += v;
    }
    Tensor::from_shape_vec(shape, out)
}

impl Tape {
    /// The entries of `x` at `map`, laid out in `shape`.
    pub(crate) fn gather(&mut self, x: NodeId, map: Map, shape: &[usize]) -> NodeId {
        self.record_unchecked(Op::Gather { x, map }, shape)
    }

    /// Zeros of `shape` with entry `k` of `g` added at `map[k]`.
    pub(crate) fn scatter(&mut self, g: NodeId, map: Map, shape: &[usize]) -> NodeId {
        self.record_unchecked(Op::Scatter { g, map }, shape)
    }
}

/// Row-major strides of `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * shape[k + 1];
    }
    s
}

/// Every multi-index of `shape`, row-major, with its flat position in a
/// tensor of `source` strides after `f` maps each index to the source's.
fn positions(shape: &[usize], source: &[usize], f: impl Fn(usize, usize) -> usize) -> Map {
    let st = strides(source);
    let total: usize = shape.iter().product();
    let mut idx = vec![0; shape.len()];
    let mut out = Vec::with_capacity(total);
    for _ in 0..total {
        out.push(
            idx.iter()
                .enumerate()
                .map(|(ax, &i)| f(ax, i) * st[ax])
                .sum(),
        );
        for ax in (0..shape.len()).rev() {
            idx[ax] += 1;
            if idx[ax] < shape[ax] {
                break;
            }
            idx[ax] = 0;
        }
    }
    out.into()
}

/// `x` reversed along each axis in `axes`.
pub fn flip_map(shape: &[usize], axes: &[usize]) -> Map {
    positions(shape, shape, |ax, i| {
        if axes.contains(&ax) {
            shape[ax] - 1 - i
        } else {
            i
        }
    })
}

/// The shape `tile(x, reps)` makes of `shape`: both padded with leading 1s
/// to the same rank, then multiplied axis by axis; and the source shape so
/// padded.
pub fn tile_shape(shape: &[usize], reps: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let rank = shape.len().max(reps.len());
    let pad = |s: &[usize]| {
        let mut p = vec![1; rank - s.len()];
        p.extend_from_slice(s);
        p
    };
    let (src, reps) = (pad(shape), pad(reps));
    (src.iter().zip(&reps).map(|(a, b)| a * b).collect(), src)
}

/// `tile`: entry `i` along an axis reads entry `i mod n` of the source.
pub fn tile_map(shape: &[usize], reps: &[usize]) -> (Map, Vec<usize>) {
    let (out, src) = tile_shape(shape, reps);
    (positions(&out, &src, |ax, i| i % src[ax]), out)
}

/// The flat positions of diagonal `k` of a `rows` × `cols` matrix (above
/// the main one for `k > 0`, below for `k < 0`), top to bottom.
pub fn diagonal_map(rows: usize, cols: usize, k: i64) -> Map {
    let (r0, c0) = if k >= 0 {
        (0, k.unsigned_abs() as usize)
    } else {
        (k.unsigned_abs() as usize, 0)
    };
    let len = rows.saturating_sub(r0).min(cols.saturating_sub(c0));
    (0..len).map(|i| (r0 + i) * cols + c0 + i).collect()
}

/// The permutation that sorts every lane along `axis` (ascending, or
/// descending; NaN counts as the largest, equal entries keep their order),
/// as a gather map.
pub fn sort_map(x: &Tensor, axis: usize, descending: bool) -> Map {
    let a = x.to_array();
    let st = strides(a.shape());
    let mut out = ArrayD::<usize>::zeros(IxDyn(a.shape()));
    let flat = ArrayD::from_shape_fn(IxDyn(a.shape()), |ix| {
        ix.slice()
            .iter()
            .zip(&st)
            .map(|(i, s)| i * s)
            .sum::<usize>()
    });
    let order = |p: &f64, q: &f64| {
        let o = p.total_cmp(q);
        match (p.is_nan(), q.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ if *p == *q => std::cmp::Ordering::Equal,
            _ => o,
        }
    };
    for ((lane, pos), mut dst) in a
        .lanes(Axis(axis))
        .into_iter()
        .zip(flat.lanes(Axis(axis)))
        .zip(out.lanes_mut(Axis(axis)))
    {
        let mut idx: Vec<usize> = (0..lane.len()).collect();
        if descending {
            idx.sort_by(|&i, &j| order(&lane[j], &lane[i]));
        } else {
            idx.sort_by(|&i, &j| order(&lane[i], &lane[j]));
        }
        for (d, i) in dst.iter_mut().zip(idx) {
            *d = pos[i];
        }
    }
    out.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_follow_numpy() {
        // np.flip(np.arange(6).reshape(2, 3), 1).ravel()
        assert_eq!(&*flip_map(&[2, 3], &[1]), &[2, 1, 0, 5, 4, 3]);
        // np.tile(np.arange(2), (2, 2)).ravel()
        let (map, shape) = tile_map(&[2], &[2, 2]);
        assert_eq!(shape, vec![2, 4]);
        assert_eq!(&*map, &[0, 1, 0, 1, 0, 1, 0, 1]);
        // np.diagonal(np.arange(12).reshape(3, 4), 1), and offset -1
        assert_eq!(&*diagonal_map(3, 4, 1), &[1, 6, 11]);
        assert_eq!(&*diagonal_map(3, 4, -1), &[4, 9]);
        assert!(diagonal_map(2, 2, 5).is_empty());
        let x = Tensor::from_shape_vec(&[2, 3], vec![3.0, f64::NAN, 1.0, 2.0, 2.0, -1.0]);
        assert_eq!(&*sort_map(&x, 1, false), &[2, 0, 1, 5, 3, 4]);
        assert_eq!(&*sort_map(&x, 1, true), &[1, 0, 2, 3, 4, 5]);
        assert_eq!(&*sort_map(&x, 0, false), &[3, 4, 5, 0, 1, 2]);
    }
}
