//! Gradients of the linear-algebra ops, torch.linalg's rules written with
//! recorded ops (matrix products, solves, eigendecompositions, elementwise
//! arithmetic), so that each gradient can itself be differentiated.
//!
//! Where torch's rule reads only the lower triangle of a symmetric input
//! (`cholesky`, `eigh`), the gradient is symmetric, as torch's is: the
//! derivative along symmetric changes of the input.

use super::LinalgOp;
use crate::autodiff::op::Contributions;
use crate::autodiff::tape::{NodeId, Tape};
use crate::tensor::Tensor;

impl LinalgOp {
    /// The gradient contributions of `out` (this op) given its gradient `g`.
    pub(crate) fn backward(&self, tape: &mut Tape, out: NodeId, g: NodeId) -> Contributions {
        match *self {
            LinalgOp::Solve { a, b, ta } => solve_backward(tape, a, b, ta, out, g),
            LinalgOp::Det(a) => {
                // d det = det · tr(A⁻¹ dA): the gradient is det · A⁻ᵀ.
                let inv_t = inverse_transpose(tape, a);
                let scale = tape.mul(g, out);
                vec![(a, tape.mul(scale, inv_t))]
            }
            LinalgOp::LogAbsDet(a) => {
                let inv_t = inverse_transpose(tape, a);
                vec![(a, tape.mul(g, inv_t))]
            }
            LinalgOp::Cholesky(a) => vec![(a, cholesky_backward(tape, out, g))],
            LinalgOp::EighValues(a) => {
                // V diag(g) Vᵀ.
                let v = tape.linalg_unchecked(LinalgOp::EighVectors(a));
                vec![(a, conjugate_by(tape, v, g))]
            }
            LinalgOp::EighVectors(a) => vec![(a, eigenvector_backward(tape, a, out, g))],
            LinalgOp::Svdvals(a) => vec![(a, svdvals_backward(tape, a, out, g))],
        }
    }
}

/// A⁻ᵀ, as `solve(Aᵀ, I)`.
fn inverse_transpose(tape: &mut Tape, a: NodeId) -> NodeId {
    let eye = tape.identity(tape.shape(a)[0]);
    tape.linalg_unchecked(LinalgOp::Solve {
        a,
        b: eye,
        ta: true,
    })
}

/// For `X = op(A)⁻¹ B`: `gB = op(A)⁻ᵀ G` and `g op(A) = -gB Xᵀ`.
fn solve_backward(
    tape: &mut Tape,
    a: NodeId,
    b: NodeId,
    ta: bool,
    x: NodeId,
    g: NodeId,
) -> Contributions {
    let gb = tape.linalg_unchecked(LinalgOp::Solve { a, b: g, ta: !ta });
    let mut out = Vec::with_capacity(2);
    if tape.requires_grad(a) {
        // With `ta`, gA is the transpose of -gB Xᵀ, that is -X gBᵀ.
        let prod = if ta {
            tape.matmul2(x, gb, false, true)
        } else {
            tape.matmul2(gb, x, false, true)
        };
        out.push((a, tape.neg(prod)));
    }
    if tape.requires_grad(b) {
        out.push((b, gb));
    }
    out
}

/// `V diag(w) Vᵀ` for a square `v` and a vector `w`.
fn conjugate_by(tape: &mut Tape, v: NodeId, w: NodeId) -> NodeId {
    let n = tape.shape(v)[0];
    let row = tape.reshape_unchecked(w, &[1, n]);
    let scaled = tape.mul(v, row);
    tape.matmul2(scaled, v, false, true)
}

/// torch's rule for `L = cholesky(A)`: with Φ the lower triangle of
/// `Lᵀ gL` with its diagonal halved, `gA = L⁻ᵀ Φ L⁻¹`, symmetrized. Both
/// inverses are solves: `Y = L⁻ᵀ (L⁻ᵀ Φ)ᵀ` is the transpose of `L⁻ᵀ Φ L⁻¹`,
/// and the symmetric part of a matrix is that of its transpose.
fn cholesky_backward(tape: &mut Tape, l: NodeId, g: NodeId) -> NodeId {
    let n = tape.shape(l)[0];
    let prod = tape.matmul2(l, g, true, false);
    let mask = Tensor::from_shape_vec(
        &[n, n],
        (0..n * n)
            .map(|k| match (k / n).cmp(&(k % n)) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            })
            .collect(),
    );
    let phi = tape.mul_const(prod, mask);
    let left = tape.linalg_unchecked(LinalgOp::Solve {
        a: l,
        b: phi,
        ta: true,
    });
    let left_t = tape.transpose(left);
    let y = tape.linalg_unchecked(LinalgOp::Solve {
        a: l,
        b: left_t,
        ta: true,
    });
    symmetric_part(tape, y)
}

/// `(m + mᵀ) / 2`.
fn symmetric_part(tape: &mut Tape, m: NodeId) -> NodeId {
    let t = tape.transpose(m);
    let sum = tape.add(m, t);
    tape.scale(sum, 0.5)
}

/// torch's rule for the eigenvectors `V` of a symmetric `A` with
/// eigenvalues `λ`: `gA = V (skew(Vᵀ gV) / E) Vᵀ` with `E[i, j] = λj − λi`
/// off the diagonal (the diagonal of a skew part is 0; E's is set to 1 to
/// divide by). Repeated eigenvalues have no defined eigenvectors, and give
/// infinities here as in torch.
fn eigenvector_backward(tape: &mut Tape, a: NodeId, v: NodeId, g: NodeId) -> NodeId {
    let n = tape.shape(v)[0];
    let lambda = tape.linalg_unchecked(LinalgOp::EighValues(a));
    let vtg = tape.matmul2(v, g, true, false);
    let vtg_t = tape.transpose(vtg);
    let diff = tape.sub(vtg, vtg_t);
    let skew = tape.scale(diff, 0.5);
    let row = tape.reshape_unchecked(lambda, &[1, n]);
    let col = tape.reshape_unchecked(lambda, &[n, 1]);
    let gaps = tape.sub(row, col);
    let eye = tape.identity(n);
    let gaps = tape.add(gaps, eye);
    let inner = tape.div(skew, gaps);
    let left = tape.matmul2(v, inner, false, false);
    tape.matmul2(left, v, false, true)
}

/// `gA = U diag(gσ) Vᵀ`, written without `U`: for a tall or square `A`
/// (m ≥ n) with right singular vectors `V` (the eigenvectors of `AᵀA`),
/// `U = A V diag(1/σ)`, so `gA = A V diag(gσ/σ) Vᵀ`; for a wide `A` the
/// same with `AAᵀ` on the left. Being an identity in `A`, not only a value
/// at one point, it differentiates again correctly. The eigenvectors come
/// in ascending order, the singular values descending: `J` reverses the
/// weights to match. Needs nonzero singular values.
fn svdvals_backward(tape: &mut Tape, a: NodeId, sigma: NodeId, g: NodeId) -> NodeId {
    let (m, n) = (tape.shape(a)[0], tape.shape(a)[1]);
    let k = m.min(n);
    let tall = m >= n;
    let gram = if tall {
        tape.matmul2(a, a, true, false)
    } else {
        tape.matmul2(a, a, false, true)
    };
    let vectors = tape.linalg_unchecked(LinalgOp::EighVectors(gram));
    let weights = tape.div(g, sigma);
    let column = tape.reshape_unchecked(weights, &[k, 1]);
    let reverse = tape.constant(Tensor::from_shape_vec(
        &[k, k],
        (0..k * k)
            .map(|i| if i / k + i % k == k - 1 { 1.0 } else { 0.0 })
            .collect(),
    ));
    let reversed = tape.matmul2(reverse, column, false, false);
    let ascending = tape.reshape_unchecked(reversed, &[k]);
    let middle = conjugate_by(tape, vectors, ascending);
    if tall {
        tape.matmul2(a, middle, false, false)
    } else {
        tape.matmul2(middle, a, false, false)
    }
}
