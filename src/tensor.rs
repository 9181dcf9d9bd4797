//! Values: f64 tensors of any rank with NumPy broadcasting.
//!
//! Scalars are by far the most common value in scripts, so they get their
//! own variant and never touch the heap; `Array` never holds a 0-d array.
//!
//! Arrays share their buffer (`ArcArray`, copy-on-write): cloning a tensor
//! (data read onto the tape, a `let` keeping a value, a param's leaf) only
//! counts a reference. Writing into one (`*_into`, the replayed tape) copies
//! the buffer first only if something else still holds it.

use ndarray::{ArcArrayD, ArrayD, ArrayViewD, Axis, CowArray, IxDyn, Zip};

#[derive(Debug, Clone, PartialEq)]
pub enum Tensor {
    Scalar(f64),
    Array(ArcArrayD<f64>),
}

/// The most entries one tensor may have (2 GiB of f64): larger requests are
/// errors, not allocation failures.
pub const MAX_ELEMENTS: f64 = 268_435_456.0;

/// Two shapes that do not broadcast together.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeMismatch {
    pub lhs: Vec<usize>,
    pub rhs: Vec<usize>,
}

impl Tensor {
    /// Wraps an array, turning a 0-d one into a scalar.
    pub fn from_array(a: ArrayD<f64>) -> Tensor {
        Tensor::from_shared(a.into_shared())
    }

    /// Wraps a shared array (no copy), turning a 0-d one into a scalar.
    pub fn from_shared(a: ArcArrayD<f64>) -> Tensor {
        if a.ndim() == 0 {
            Tensor::Scalar(a.iter().next().copied().unwrap_or(0.0))
        } else {
            Tensor::Array(a)
        }
    }

    pub fn from_shape_vec(shape: &[usize], data: Vec<f64>) -> Tensor {
        match ArrayD::from_shape_vec(IxDyn(shape), data) {
            Ok(a) => Tensor::from_array(a),
            Err(_) => unreachable!("invariant: data length matches shape"),
        }
    }

    pub fn full(shape: &[usize], v: f64) -> Tensor {
        if shape.is_empty() {
            Tensor::Scalar(v)
        } else {
            Tensor::Array(ArcArrayD::from_elem(IxDyn(shape), v))
        }
    }

    pub fn shape(&self) -> &[usize] {
        match self {
            Tensor::Scalar(_) => &[],
            Tensor::Array(a) => a.shape(),
        }
    }

    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    pub fn len(&self) -> usize {
        match self {
            Tensor::Scalar(_) => 1,
            Tensor::Array(a) => a.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of a rank-0 tensor or a tensor with exactly one element.
    pub fn as_scalar(&self) -> Option<f64> {
        match self {
            Tensor::Scalar(x) => Some(*x),
            Tensor::Array(a) if a.len() == 1 => a.iter().next().copied(),
            Tensor::Array(_) => None,
        }
    }

    pub fn view(&self) -> ArrayViewD<'_, f64> {
        match self {
            Tensor::Scalar(x) => ArrayViewD::from_shape(IxDyn(&[]), std::slice::from_ref(x))
                .unwrap_or_else(|_| unreachable!("invariant: one element fits shape ()")),
            Tensor::Array(a) => a.view(),
        }
    }

    /// A copy of the entries as an owned array.
    pub fn to_array(&self) -> ArrayD<f64> {
        match self {
            Tensor::Scalar(x) => ArrayD::from_elem(IxDyn(&[]), *x),
            Tensor::Array(a) => a.to_owned(),
        }
    }

    /// The entries as an owned array; copies only if the buffer is shared.
    pub fn into_array(self) -> ArrayD<f64> {
        match self {
            Tensor::Scalar(x) => ArrayD::from_elem(IxDyn(&[]), x),
            Tensor::Array(a) => a.into_owned(),
        }
    }

    /// The same entries in `shape` (of the same size), sharing the buffer
    /// when the entries are in row-major order.
    pub fn reshaped(&self, shape: &[usize]) -> Tensor {
        match self {
            Tensor::Array(a) if a.is_standard_layout() && !shape.is_empty() => {
                match a.clone().into_shape_with_order(IxDyn(shape)) {
                    Ok(r) => Tensor::Array(r),
                    Err(_) => Tensor::from_shape_vec(shape, self.to_vec()),
                }
            }
            _ => Tensor::from_shape_vec(shape, self.to_vec()),
        }
    }

    /// Elements in row-major order.
    pub fn to_vec(&self) -> Vec<f64> {
        match self {
            Tensor::Scalar(x) => vec![*x],
            Tensor::Array(a) => a.iter().copied().collect(),
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            Tensor::Scalar(x) => Box::new(std::iter::once(*x)),
            Tensor::Array(a) => Box::new(a.iter().copied()),
        }
    }

    pub fn all_finite(&self) -> bool {
        match self {
            Tensor::Scalar(x) => x.is_finite(),
            Tensor::Array(a) => a.iter().all(|x| x.is_finite()),
        }
    }

    pub fn map(&self, f: impl Fn(f64) -> f64) -> Tensor {
        match self {
            Tensor::Scalar(x) => Tensor::Scalar(f(*x)),
            Tensor::Array(a) => Tensor::Array(a.mapv(f).into_shared()),
        }
    }

    /// Elementwise `f(a, b)` with NumPy broadcasting.
    pub fn zip(
        &self,
        other: &Tensor,
        f: impl Fn(f64, f64) -> f64,
    ) -> Result<Tensor, ShapeMismatch> {
        Ok(match (self, other) {
            (Tensor::Scalar(x), Tensor::Scalar(y)) => Tensor::Scalar(f(*x, *y)),
            (Tensor::Scalar(x), Tensor::Array(b)) => {
                Tensor::Array(b.mapv(|y| f(*x, y)).into_shared())
            }
            (Tensor::Array(a), Tensor::Scalar(y)) => {
                Tensor::Array(a.mapv(|x| f(x, *y)).into_shared())
            }
            (Tensor::Array(a), Tensor::Array(b)) if a.shape() == b.shape() => Tensor::Array(
                Zip::from(a)
                    .and(b)
                    .map_collect(|&x, &y| f(x, y))
                    .into_shared(),
            ),
            (Tensor::Array(a), Tensor::Array(b)) => {
                let shape = broadcast_shapes(a.shape(), b.shape())?;
                let (av, bv) = match (a.broadcast(IxDyn(&shape)), b.broadcast(IxDyn(&shape))) {
                    (Some(av), Some(bv)) => (av, bv),
                    _ => return Err(mismatch(a.shape(), b.shape())),
                };
                Tensor::Array(
                    Zip::from(&av)
                        .and(&bv)
                        .map_collect(|&x, &y| f(x, y))
                        .into_shared(),
                )
            }
        })
    }

    /// `f` of each entry, written into `out` (which keeps its buffer); false
    /// if `out` does not have this tensor's shape.
    pub fn map_into(&self, out: &mut Tensor, f: impl Fn(f64) -> f64) -> bool {
        match (self, out) {
            (Tensor::Scalar(x), Tensor::Scalar(o)) => *o = f(*x),
            (Tensor::Array(a), Tensor::Array(o)) if a.shape() == o.shape() => {
                Zip::from(o).and(a).for_each(|o, &x| *o = f(x))
            }
            _ => return false,
        }
        true
    }

    /// `zip` written into `out` (which keeps its buffer); false if `out`
    /// does not have the broadcast shape.
    pub fn zip_into(&self, other: &Tensor, out: &mut Tensor, f: impl Fn(f64, f64) -> f64) -> bool {
        match (self, other, out) {
            (Tensor::Scalar(x), Tensor::Scalar(y), Tensor::Scalar(o)) => *o = f(*x, *y),
            (Tensor::Array(a), Tensor::Scalar(y), Tensor::Array(o)) if a.shape() == o.shape() => {
                Zip::from(o).and(a).for_each(|o, &x| *o = f(x, *y))
            }
            (Tensor::Scalar(x), Tensor::Array(b), Tensor::Array(o)) if b.shape() == o.shape() => {
                Zip::from(o).and(b).for_each(|o, &y| *o = f(*x, y))
            }
            (Tensor::Array(a), Tensor::Array(b), Tensor::Array(o)) => {
                let shape = o.raw_dim();
                match (a.broadcast(shape.clone()), b.broadcast(shape)) {
                    (Some(av), Some(bv)) => Zip::from(o)
                        .and(&av)
                        .and(&bv)
                        .for_each(|o, &x, &y| *o = f(x, y)),
                    _ => return false,
                }
            }
            _ => return false,
        }
        true
    }

    /// This tensor's entries (or its broadcast) copied into `out`'s buffer
    /// in row-major order; false unless the sizes allow it.
    pub fn copy_into(&self, out: &mut Tensor) -> bool {
        match (self, out) {
            (Tensor::Scalar(x), Tensor::Scalar(o)) => *o = *x,
            (Tensor::Scalar(x), Tensor::Array(o)) => o.fill(*x),
            (Tensor::Array(a), Tensor::Array(o))
                if a.len() == o.len() && a.is_standard_layout() =>
            {
                match (a.as_slice(), o.as_slice_mut()) {
                    (Some(src), Some(dst)) => dst.copy_from_slice(src),
                    _ => return false,
                }
            }
            (Tensor::Array(a), Tensor::Array(o)) => match a.broadcast(o.raw_dim()) {
                Some(b) => o.assign(&b),
                None => return false,
            },
            _ => return false,
        }
        true
    }

    /// Repeats the tensor to `shape` (which it must broadcast to).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor, ShapeMismatch> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        match self {
            Tensor::Scalar(x) => Ok(Tensor::full(shape, *x)),
            Tensor::Array(a) => match a.broadcast(IxDyn(shape)) {
                Some(v) => Ok(Tensor::from_array(v.to_owned())),
                None => Err(mismatch(a.shape(), shape)),
            },
        }
    }

    /// Sums over the axes that broadcasting to this tensor's shape added:
    /// the gradient of a broadcast.
    pub fn sum_to(&self, shape: &[usize]) -> Tensor {
        if self.shape() == shape {
            return self.clone();
        }
        // Reads this tensor in place: only the partial sums are allocated.
        let mut a = CowArray::from(self.view());
        while a.ndim() > shape.len() {
            a = a.sum_axis(Axis(0)).into();
        }
        for (axis, &n) in shape.iter().enumerate() {
            if n == 1 && a.shape()[axis] != 1 {
                a = a.sum_axis(Axis(axis)).insert_axis(Axis(axis)).into();
            }
        }
        Tensor::from_array(a.into_owned())
    }
}

fn mismatch(lhs: &[usize], rhs: &[usize]) -> ShapeMismatch {
    ShapeMismatch {
        lhs: lhs.to_vec(),
        rhs: rhs.to_vec(),
    }
}

/// NumPy's broadcast of two shapes.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>, ShapeMismatch> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return Err(mismatch(a, b)),
        };
    }
    Ok(out)
}

/// `(2, 3)`, `()` for scalars: how shapes appear in messages.
pub fn shape_string(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n})"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast_shapes(&[3, 1], &[4]).ok(), Some(vec![3, 4]));
        assert_eq!(broadcast_shapes(&[], &[2, 2]).ok(), Some(vec![2, 2]));
        assert!(broadcast_shapes(&[3], &[4]).is_err());
    }

    #[test]
    fn sum_to_undoes_broadcast() {
        let g = Tensor::full(&[3, 4], 1.0);
        assert_eq!(g.sum_to(&[4]), Tensor::full(&[4], 3.0));
        assert_eq!(g.sum_to(&[3, 1]), Tensor::full(&[3, 1], 4.0));
        assert_eq!(g.sum_to(&[]), Tensor::Scalar(12.0));
    }

    fn buffer(t: &Tensor) -> *const f64 {
        match t {
            Tensor::Array(a) => a.as_ptr(),
            Tensor::Scalar(_) => std::ptr::null(),
        }
    }

    #[test]
    fn clones_share_the_buffer() {
        let t = Tensor::full(&[1000], 1.5);
        let c = t.clone();
        assert_eq!(buffer(&c), buffer(&t));
        assert_eq!(buffer(&t.reshaped(&[10, 100])), buffer(&t));
    }

    #[test]
    fn writes_into_a_unique_buffer_stay_in_place() {
        let (a, b) = (Tensor::full(&[2, 500], 1.0), Tensor::full(&[500], 2.0));
        let mut out = Tensor::full(&[2, 500], 0.0);
        let at = buffer(&out);
        assert!(a.zip_into(&b, &mut out, |x, y| x + y));
        assert!(a.map_into(&mut out, |x| x * 3.0));
        assert!(b.copy_into(&mut out));
        assert!(a.copy_into(&mut out));
        let (m, v) = (Tensor::full(&[2, 3], 1.0), Tensor::full(&[3, 500], 2.0));
        assert!(crate::autodiff::linalg::matmul_into(
            &m, &v, false, false, &mut out
        ));
        assert_eq!(buffer(&out), at);
        assert_eq!(out, Tensor::full(&[2, 500], 6.0));
    }

    #[test]
    fn writes_into_a_shared_buffer_copy_it_first() {
        let a = Tensor::full(&[1000], 1.0);
        let mut out = Tensor::full(&[1000], 0.0);
        let kept = out.clone();
        assert!(a.zip_into(&a, &mut out, |x, y| x + y));
        assert_ne!(buffer(&out), buffer(&kept));
        assert_eq!(out, Tensor::full(&[1000], 2.0));
        assert_eq!(kept, Tensor::full(&[1000], 0.0));
        // Once copied, the buffer is its own: the next write is in place.
        let at = buffer(&out);
        assert!(a.map_into(&mut out, |x| x * 5.0));
        assert_eq!(buffer(&out), at);
    }
}
