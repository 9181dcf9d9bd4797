//! Matrix product with NumPy `matmul` shapes for 1-D and 2-D operands:
//! 1-D operands are promoted to a row (left) or column (right) by a
//! recorded reshape, so only the 2-D product needs a backward rule. The
//! product can read either operand transposed, so backward passes never
//! copy a transpose.

use ndarray::{ArrayView2, Ix2};

use super::op::{Contributions, Op};
use super::tape::{NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;

/// Gradients of `op(a) @ op(b)`, where `op` transposes when its flag is set.
pub(crate) fn matmul_backward(
    tape: &mut Tape,
    a: NodeId,
    b: NodeId,
    ta: bool,
    tb: bool,
    g: NodeId,
) -> Contributions {
    let mut out = Vec::with_capacity(2);
    if tape.requires_grad(a) {
        let ga = if ta {
            tape.matmul2(b, g, tb, true)
        } else {
            tape.matmul2(g, b, false, !tb)
        };
        out.push((a, ga));
    }
    if tape.requires_grad(b) {
        let gb = if tb {
            tape.matmul2(g, a, true, ta)
        } else {
            tape.matmul2(a, g, !ta, false)
        };
        out.push((b, gb));
    }
    out
}

impl Tape {
    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, OpError> {
        let (sa, sb) = (self.shape(a).to_vec(), self.shape(b).to_vec());
        let err = || OpError::MatMul {
            lhs: sa.clone(),
            rhs: sb.clone(),
        };
        if sa.is_empty() || sb.is_empty() || sa.len() > 2 || sb.len() > 2 {
            return Err(err());
        }
        let a2 = if sa.len() == 1 {
            self.reshape(a, &[1, sa[0]])?
        } else {
            a
        };
        let b2 = if sb.len() == 1 {
            self.reshape(b, &[sb[0], 1])?
        } else {
            b
        };
        if self.shape(a2)[1] != self.shape(b2)[0] {
            return Err(err());
        }
        super::check_size(&[self.shape(a2)[0], self.shape(b2)[1]])?;
        let prod = self.matmul2(a2, b2, false, false);
        let mut out_shape = Vec::new();
        if sa.len() == 2 {
            out_shape.push(sa[0]);
        }
        if sb.len() == 2 {
            out_shape.push(sb[1]);
        }
        self.reshape(prod, &out_shape)
    }

    /// The 2-D product of `a` (transposed if `ta`) and `b` (if `tb`);
    /// shapes already checked.
    pub(crate) fn matmul2(&mut self, a: NodeId, b: NodeId, ta: bool, tb: bool) -> NodeId {
        self.record_unchecked(Op::MatMul { a, b, ta, tb }, &[])
    }
}

fn as2(t: &Tensor, transposed: bool) -> ArrayView2<'_, f64> {
    let v = t
        .view()
        .into_dimensionality::<Ix2>()
        .unwrap_or_else(|e| unreachable!("invariant: 2-D operand: {e}"));
    if transposed {
        v.reversed_axes()
    } else {
        v
    }
}

pub(crate) fn matmul_value(a: &Tensor, b: &Tensor, ta: bool, tb: bool) -> Tensor {
    let (a, b) = (as2(a, ta), as2(b, tb));
    let mut out = ndarray::Array2::zeros((a.nrows(), b.ncols()));
    product_into(&a, &b, &mut out.view_mut());
    Tensor::from_array(out.into_dyn())
}

/// `out = a @ b`. A product with one column (a model's predictions `X @ w`,
/// or the gradient `X.T @ g`) is a matrix-vector product: computed
/// directly it avoids the packing a general matrix product pays for, which
/// dominates for tall, thin operands.
fn product_into(
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
    out: &mut ndarray::ArrayViewMut2<'_, f64>,
) {
    if b.ncols() == 1 {
        let x = b.column(0);
        let mut o = out.column_mut(0);
        if a.strides()[0] == 1 && a.nrows() > 1 {
            // Columns of `a` are contiguous (a transposed tall matrix, as in
            // `X.T @ g`): one pass, adding each column scaled by its weight.
            o.fill(0.0);
            for (col, &w) in a.columns().into_iter().zip(x.iter()) {
                o.zip_mut_with(&col, |acc, &v| *acc += v * w);
            }
        } else {
            for (dst, row) in o.iter_mut().zip(a.rows()) {
                *dst = row.iter().zip(x.iter()).map(|(p, q)| p * q).sum();
            }
        }
    } else {
        ndarray::linalg::general_mat_mul(1.0, a, b, 0.0, out);
    }
}

/// The product written into `out`'s buffer, when it has the right shape.
pub(crate) fn matmul_into(a: &Tensor, b: &Tensor, ta: bool, tb: bool, out: &mut Tensor) -> bool {
    let (a, b) = (as2(a, ta), as2(b, tb));
    match out {
        Tensor::Array(o) if o.shape() == [a.nrows(), b.ncols()] => {
            match o.view_mut().into_dimensionality::<Ix2>() {
                Ok(mut o) => {
                    product_into(&a, &b, &mut o);
                    true
                }
                Err(_) => false,
            }
        }
        _ => false,
    }
}
