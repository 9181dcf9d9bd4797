//! The matrix products inside a chunk: each row times a small weight
//! matrix (`X @ W`, and the backward pass's `dH @ Wᵀ`), and `Xᵀ dH`
//! accumulated over the chunks. Tiny products (a linear model's three
//! columns) are plain loops; larger ones go to matrixmultiply's gemm,
//! through ndarray, which packs the operands into cache-sized blocks and
//! runs a vectorized micro-kernel. Each call stays on the thread of its
//! part (the parts already keep both cores busy).

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// From this many weights (k x m) on, a product goes to gemm: below it,
/// packing costs more than the loops lose (a 2-32-1 network's 32 x 1 and
/// 1 x 32 products still run as loops).
const GEMM_MIN: usize = 64;

/// `out = a w` through gemm, for `a` of n x k and `w` of k x m (m x k if
/// `tb`); false if the slices do not have those shapes.
fn row_times_gemm(a: &[f64], w: &[f64], k: usize, m: usize, tb: bool, out: &mut [f64]) -> bool {
    let n = out.len() / m;
    let w = if tb {
        ArrayView2::from_shape((m, k), w).map(|w| w.reversed_axes())
    } else {
        ArrayView2::from_shape((k, m), w)
    };
    match (
        ArrayView2::from_shape((n, k), &a[..n * k]),
        w,
        ArrayViewMut2::from_shape((n, m), out),
    ) {
        (Ok(a), Ok(w), Ok(mut out)) => {
            general_mat_mul(1.0, &a, &w, 0.0, &mut out);
            true
        }
        _ => false,
    }
}

/// `acc += aᵀ b` through gemm, for `a` of n x k and `b` of n x m; false if
/// the slices do not have those shapes.
fn gram_gemm(a: &[f64], k: usize, b: &[f64], m: usize, acc: &mut [f64]) -> bool {
    let n = b.len() / m;
    match (
        ArrayView2::from_shape((n, k), &a[..n * k]),
        ArrayView2::from_shape((n, m), b),
        ArrayViewMut2::from_shape((k, m), acc),
    ) {
        (Ok(a), Ok(b), Ok(mut acc)) => {
            general_mat_mul(1.0, &a.t(), &b, 1.0, &mut acc);
            true
        }
        _ => false,
    }
}

/// `Σ x[i·sx] · y[i·sy]` over the rows (`y` absent: `Σ x[i·sx]`), with
/// four partial sums so the additions overlap.
pub(super) fn strided_dot(x: &[f64], sx: usize, y: Option<&[f64]>, sy: usize) -> f64 {
    let n = x.len().div_ceil(sx);
    let term = |i: usize| match y {
        Some(y) => x[i * sx] * y[i * sy],
        None => x[i * sx],
    };
    let mut s = [0.0; 4];
    let quads = n / 4;
    for q in 0..quads {
        for (l, s) in s.iter_mut().enumerate() {
            *s += term(4 * q + l);
        }
    }
    let mut total = (s[0] + s[1]) + (s[2] + s[3]);
    for i in 4 * quads..n {
        total += term(i);
    }
    total
}

/// `acc[t] += Σ_r a[r][t] · b[r]` for rows of `K` values and one column
/// `b` (the gradient `Xᵀ g` of a linear model), two rows at a time.
fn gram_column<const K: usize>(a: &[f64], b: &[f64], acc: &mut [f64]) {
    let (mut s0, mut s1) = ([0.0; K], [0.0; K]);
    let pairs = a.chunks_exact(2 * K).zip(b.chunks_exact(2));
    for (rows, g) in pairs {
        for t in 0..K {
            s0[t] += rows[t] * g[0];
            s1[t] += rows[K + t] * g[1];
        }
    }
    if b.len() % 2 == 1 {
        let (row, g) = (&a[a.len() - K..], b[b.len() - 1]);
        for t in 0..K {
            s0[t] += row[t] * g;
        }
    }
    for t in 0..K {
        acc[t] += s0[t] + s1[t];
    }
}

/// `aᵀ b` over a chunk, added to `acc` (k x m).
pub(super) fn gram(a: &[f64], k: usize, b: &[f64], m: usize, acc: &mut [f64]) {
    match (k, m) {
        (1, 1) => gram_column::<1>(a, b, acc),
        (2, 1) => gram_column::<2>(a, b, acc),
        (3, 1) => gram_column::<3>(a, b, acc),
        (4, 1) => gram_column::<4>(a, b, acc),
        _ if k * m >= GEMM_MIN && gram_gemm(a, k, b, m, acc) => {}
        _ => {
            for t in 0..k {
                for j in 0..m {
                    acc[t * m + j] += strided_dot(&a[t..], k, Some(&b[j..]), m);
                }
            }
        }
    }
}

/// Each row of `K` values times the column `w`.
fn rows_times_column<const K: usize>(a: &[f64], w: &[f64], out: &mut [f64]) {
    let mut wk = [0.0; K];
    wk.copy_from_slice(&w[..K]);
    for (o, row) in out.iter_mut().zip(a.chunks_exact(K)) {
        let mut s = 0.0;
        for t in 0..K {
            s += row[t] * wk[t];
        }
        *o = s;
    }
}

/// Each row of `a` (k values) times the k x m matrix `w` (m x k if `tb`).
pub(super) fn row_times(a: &[f64], w: &[f64], k: usize, m: usize, tb: bool, out: &mut [f64]) {
    // A k x 1 column reads the same either way.
    match (k, m) {
        (1, 1) => return rows_times_column::<1>(a, w, out),
        (2, 1) => return rows_times_column::<2>(a, w, out),
        (3, 1) => return rows_times_column::<3>(a, w, out),
        (4, 1) => return rows_times_column::<4>(a, w, out),
        _ if k * m >= GEMM_MIN && row_times_gemm(a, w, k, m, tb, out) => return,
        _ => {}
    }
    let mut wt = vec![0.0; k * m];
    for j in 0..m {
        for t in 0..k {
            wt[j * k + t] = if tb { w[j * k + t] } else { w[t * m + j] };
        }
    }
    for (o, row) in out.chunks_exact_mut(m).zip(a.chunks_exact(k)) {
        for (j, o) in o.iter_mut().enumerate() {
            *o = row
                .iter()
                .zip(&wt[j * k..j * k + k])
                .map(|(x, y)| x * y)
                .sum();
        }
    }
}
