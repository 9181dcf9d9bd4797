//! The factorizations behind the linear-algebra ops, done by `faer`: LU
//! with partial pivoting (solve, det, log|det|), Cholesky, the symmetric
//! eigendecomposition and singular values. Each takes square (or 2-D)
//! tensors whose shapes the caller has checked, and says why it failed
//! when the matrix does not suit it. A matrix with a NaN or infinity in it
//! gives NaN, as elementwise ops do, rather than a failure.

use faer::linalg::solvers::{PartialPivLu, Solve};
use faer::{Mat, Side};

use crate::autodiff::OpError;
use crate::tensor::Tensor;

fn to_faer(t: &Tensor) -> Mat<f64> {
    let v = t.view();
    let (r, c) = (v.shape()[0], v.shape()[1]);
    Mat::from_fn(r, c, |i, j| v[[i, j]])
}

fn from_faer(m: faer::MatRef<'_, f64>) -> Tensor {
    let (r, c) = (m.nrows(), m.ncols());
    let data = (0..r)
        .flat_map(|i| (0..c).map(move |j| m[(i, j)]))
        .collect();
    Tensor::from_shape_vec(&[r, c], data)
}

fn vector(values: Vec<f64>) -> Tensor {
    Tensor::from_shape_vec(&[values.len()], values)
}

/// An LU factorization and what `det` needs from it.
struct Lu {
    lu: PartialPivLu<f64>,
    /// The determinant of the row permutation, ±1.
    sign: f64,
}

impl Lu {
    fn new(a: &Tensor) -> Lu {
        let lu = to_faer(a).partial_piv_lu();
        // A permutation's sign is (-1)^(n - number of cycles).
        let (fwd, _) = lu.P().arrays();
        let mut seen = vec![false; fwd.len()];
        let mut sign = 1.0;
        for start in 0..fwd.len() {
            let mut i = start;
            let mut len = 0;
            while !seen[i] {
                seen[i] = true;
                i = fwd[i];
                len += 1;
            }
            if len > 0 && len % 2 == 0 {
                sign = -sign;
            }
        }
        Lu { lu, sign }
    }

    fn pivots(&self) -> impl Iterator<Item = f64> + '_ {
        let u = self.lu.U();
        (0..u.nrows()).map(move |i| u[(i, i)])
    }

    /// Singular to working precision: a pivot no larger than n·ε times the
    /// largest (LAPACK's rule of thumb for a numerically zero pivot).
    fn singular(&self) -> bool {
        let n = self.lu.U().nrows();
        let largest = self.pivots().fold(0.0f64, |m, p| m.max(p.abs()));
        n > 0
            && self
                .pivots()
                .any(|p| p.abs() <= n as f64 * f64::EPSILON * largest)
    }
}

/// `op(a)⁻¹ b`, where `op` transposes when `ta` is set; `b` is 2-D. Only
/// when `strict` is a matrix singular to working precision refused (see
/// `LinalgOp::compute`).
pub(super) fn solve(a: &Tensor, b: &Tensor, ta: bool, strict: bool) -> Result<Tensor, OpError> {
    if !a.all_finite() || !b.all_finite() {
        return Ok(Tensor::full(b.shape(), f64::NAN));
    }
    let lu = Lu::new(a);
    if strict && lu.singular() {
        return Err(OpError::Singular);
    }
    let mut x = to_faer(b);
    if ta {
        lu.lu.solve_transpose_in_place(x.as_mut());
    } else {
        lu.lu.solve_in_place(x.as_mut());
    }
    Ok(from_faer(x.as_ref()))
}

/// The determinant (never fails: a singular matrix's is 0).
pub(super) fn det(a: &Tensor) -> Tensor {
    if !a.all_finite() {
        return Tensor::Scalar(f64::NAN);
    }
    let lu = Lu::new(a);
    // `+ 0.0` turns the -0 of a singular matrix into 0.
    Tensor::Scalar(lu.sign * lu.pivots().product::<f64>() + 0.0)
}

/// log |det a|; if `strict`, only for an `a` invertible to working precision.
pub(super) fn log_abs_det(a: &Tensor, strict: bool) -> Result<Tensor, OpError> {
    if !a.all_finite() {
        return Ok(Tensor::Scalar(f64::NAN));
    }
    let lu = Lu::new(a);
    if strict && lu.singular() {
        return Err(OpError::Singular);
    }
    // `+ 0.0`: an empty sum is -0; log|det| of the 0 x 0 matrix is 0.
    Ok(Tensor::Scalar(
        lu.pivots().map(|p| p.abs().ln()).sum::<f64>() + 0.0,
    ))
}

/// The lower Cholesky factor of the lower triangle of `a`.
pub(super) fn cholesky(a: &Tensor) -> Result<Tensor, OpError> {
    if !a.all_finite() {
        return Ok(Tensor::full(a.shape(), f64::NAN));
    }
    match to_faer(a).llt(Side::Lower) {
        Ok(llt) => {
            let l = llt.L();
            // Only the lower triangle is the factor; the rest is zero.
            let lower = Mat::from_fn(
                l.nrows(),
                l.ncols(),
                |i, j| {
                    if j <= i {
                        l[(i, j)]
                    } else {
                        0.0
                    }
                },
            );
            Ok(from_faer(lower.as_ref()))
        }
        Err(faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }) => {
            Err(OpError::NotPositiveDefinite { order: index + 1 })
        }
    }
}

/// The eigenvalues (ascending) and eigenvectors (columns, each with its
/// largest entry positive) of the lower triangle of `a`, read as symmetric.
pub(super) fn eigh(a: &Tensor) -> Result<(Tensor, Tensor), OpError> {
    let n = a.shape()[0];
    if !a.all_finite() {
        return Ok((
            Tensor::full(&[n], f64::NAN),
            Tensor::full(&[n, n], f64::NAN),
        ));
    }
    let evd = to_faer(a)
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| OpError::NoConvergence)?;
    let (s, u) = (evd.S().column_vector(), evd.U());
    let values = (0..n).map(|i| s[i]).collect();
    // The sign of an eigenvector is arbitrary: fix it so results do not
    // depend on the algorithm's path.
    let signs: Vec<f64> = (0..n)
        .map(|j| {
            let col = u.col(j);
            let big = (0..n).fold(0, |b, i| if col[i].abs() > col[b].abs() { i } else { b });
            if col[big] < 0.0 {
                -1.0
            } else {
                1.0
            }
        })
        .collect();
    let vectors = Mat::from_fn(n, n, |i, j| signs[j] * u[(i, j)]);
    Ok((vector(values), from_faer(vectors.as_ref())))
}

/// The singular values, descending.
pub(super) fn svdvals(a: &Tensor) -> Result<Tensor, OpError> {
    let k = a.shape()[0].min(a.shape()[1]);
    if !a.all_finite() {
        return Ok(Tensor::full(&[k], f64::NAN));
    }
    let s = to_faer(a)
        .singular_values()
        .map_err(|_| OpError::NoConvergence)?;
    Ok(vector(s))
}
