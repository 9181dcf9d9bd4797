//! The trust-region subproblem of `newton`: the exact global minimizer of
//! the quadratic model m(p) = g·p + ½ pᵀHp over ‖p‖ ≤ Δ, for any symmetric
//! H (indefinite too).
//!
//! Moré & Sorensen (1983), and SciPy's `trust-exact` after them, characterize
//! the solution as p = −(H + λI)⁻¹g with λ ≥ max(0, −e_min), λ(‖p‖ − Δ) = 0,
//! and find λ by a safeguarded Newton iteration on the secular equation
//! 1/‖p(λ)‖ = 1/Δ, using Cholesky factors and an estimate of the smallest
//! eigenvector for the "hard case". `newton` works on few parameters, so we
//! compute the eigendecomposition H = Q diag(e) Qᵀ once per step instead
//! (cyclic Jacobi): then ‖p(λ)‖² = Σ γᵢ²/(eᵢ + λ)² with γ = Qᵀg is exact for
//! every λ, the same secular Newton iteration costs O(n) per trial, a
//! rejected step re-solves for a smaller Δ without refactoring, and the hard
//! case (g orthogonal to the lowest eigenvectors) is detected exactly and
//! solved with the lowest eigenvector, as Moré–Sorensen's Theorem 3.1 says.

/// Jacobi sweeps before giving up (each sweep squares the off-diagonal
/// mass once near convergence; 50 is far more than any well-posed H needs).
const MAX_SWEEPS: usize = 50;
/// Iterations of the secular equation's safeguarded Newton method.
const MAX_SECULAR: usize = 200;
/// ‖p‖ within this relative distance of Δ counts as on the boundary
/// (SciPy's `k_easy` is 0.1; an exact eigendecomposition affords tighter).
const BOUNDARY_TOL: f64 = 1e-10;

/// A symmetric matrix in its eigenbasis, ready to solve subproblems for
/// any radius.
pub(super) struct Eigen {
    n: usize,
    values: Vec<f64>,
    /// Eigenvectors as columns, row-major: component i of vector k is
    /// `vectors[i * n + k]`.
    vectors: Vec<f64>,
    /// Which eigenvalues count as the lowest: within 1e-12 of the largest
    /// magnitude from it.
    lowest: Vec<bool>,
}

impl Eigen {
    /// Decomposes the symmetric part of the row-major n×n `h` by cyclic
    /// Jacobi rotations. A non-finite entry makes the whole matrix zero (the
    /// model is then linear: its minimizer is a steepest-descent step).
    pub(super) fn new(h: &[f64], n: usize) -> Eigen {
        let finite = h.iter().all(|v| v.is_finite());
        let mut a: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if finite {
                    0.5 * (h[i * n + j] + h[j * n + i])
                } else {
                    0.0
                }
            })
            .collect();
        let mut v: Vec<f64> = (0..n * n)
            .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
            .collect();
        for _ in 0..MAX_SWEEPS {
            let off: f64 = (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .map(|(i, j)| a[i * n + j] * a[i * n + j])
                .sum();
            let diag: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum();
            if off <= f64::EPSILON * f64::EPSILON * diag || off == 0.0 {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    rotate(&mut a, &mut v, n, p, q);
                }
            }
        }
        let values: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
        let e_min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let scale = values.iter().fold(0.0f64, |m, e| m.max(e.abs()));
        let tie = 1e-12 * scale.max(f64::MIN_POSITIVE);
        Eigen {
            n,
            lowest: values.iter().map(|&e| e <= e_min + tie).collect(),
            values,
            vectors: v,
        }
    }

    /// The minimizer of g·p + ½ pᵀHp over ‖p‖ ≤ `radius`.
    pub(super) fn solve(&self, g: &[f64], radius: f64) -> Vec<f64> {
        let n = self.n;
        // γ = Qᵀg: the gradient in the eigenbasis.
        let gamma: Vec<f64> = (0..n)
            .map(|k| (0..n).map(|i| self.vectors[i * n + k] * g[i]).sum())
            .collect();
        let e_min = self.lowest_value();
        let scale = self.values.iter().fold(0.0f64, |m, e| m.max(e.abs()));
        let g_norm = norm(&gamma);
        let lowest = |k: usize| self.is_lowest(k);
        let step_norm = |lambda: f64, skip_lowest: bool| {
            (0..n)
                .filter(|&k| !(skip_lowest && lowest(k)))
                .map(|k| (gamma[k] / (self.values[k] + lambda)).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        // Interior: H positive definite and its Newton step fits.
        if e_min > 0.0 && step_norm(0.0, false) <= radius {
            return self.combine(&gamma, 0.0, None);
        }
        let floor = (-e_min).max(0.0);
        // The hard case: g has (numerically) no part along the lowest
        // eigenvectors and the rest of the step at λ = −e_min is short of
        // the boundary; the difference goes along a lowest eigenvector.
        let along_lowest: f64 = (0..n).filter(|&k| lowest(k)).map(|k| gamma[k].powi(2)).sum();
        if e_min <= 0.0 && along_lowest.sqrt() <= f64::EPSILON * g_norm.max(f64::MIN_POSITIVE) {
            let rest = step_norm(floor, true);
            if rest < radius {
                let k = (0..n).find(|&k| lowest(k)).unwrap_or(0);
                let tau = (radius * radius - rest * rest).sqrt();
                return self.combine(&gamma, floor, Some((k, tau)));
            }
        }
        let lambda = secular(
            |l| step_norm(l, false),
            |l| {
                (0..n)
                    .map(|k| gamma[k].powi(2) / (self.values[k] + l).powi(3))
                    .sum::<f64>()
            },
            floor,
            g_norm / radius + scale,
            radius,
        );
        self.combine(&gamma, lambda, None)
    }

    fn lowest_value(&self) -> f64 {
        self.values.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn is_lowest(&self, k: usize) -> bool {
        self.lowest[k]
    }

    /// p = −Σ γₖ/(eₖ + λ) qₖ; when `hard` is `Some((k, τ))`, the lowest
    /// eigenvectors are skipped and τ times lowest one `k` is added.
    fn combine(&self, gamma: &[f64], lambda: f64, hard: Option<(usize, f64)>) -> Vec<f64> {
        let n = self.n;
        let coef: Vec<f64> = (0..n)
            .map(|k| match hard {
                Some((h, tau)) if k == h => tau,
                Some(_) if self.is_lowest(k) => 0.0,
                _ => -gamma[k] / (self.values[k] + lambda),
            })
            .collect();
        (0..n)
            .map(|i| (0..n).map(|k| self.vectors[i * n + k] * coef[k]).sum())
            .collect()
    }
}

/// One Jacobi rotation zeroing a[p][q] (Numerical Recipes' form), applied to
/// `a` from both sides and to the accumulated eigenvectors `v`.
fn rotate(a: &mut [f64], v: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = a[p * n + q];
    if apq == 0.0 {
        return;
    }
    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    let t = if theta.abs() > 1e150 {
        0.5 / theta
    } else {
        theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
    };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        let (kp, kq) = (a[k * n + p], a[k * n + q]);
        a[k * n + p] = c * kp - s * kq;
        a[k * n + q] = s * kp + c * kq;
    }
    for k in 0..n {
        let (pk, qk) = (a[p * n + k], a[q * n + k]);
        a[p * n + k] = c * pk - s * qk;
        a[q * n + k] = s * pk + c * qk;
    }
    for k in 0..n {
        let (kp, kq) = (v[k * n + p], v[k * n + q]);
        v[k * n + p] = c * kp - s * kq;
        v[k * n + q] = s * kp + c * kq;
    }
}

/// The λ > `floor` with `norm(λ)` = `radius`, where `norm` falls from above
/// `radius` at `floor` to below it at `ceiling`; `cube(λ)` is Σ γ²/(e+λ)³,
/// so that d‖p‖/dλ = −cube/‖p‖. Newton's method on 1/‖p(λ)‖ = 1/Δ (Moré &
/// Sorensen's update), kept inside the shrinking bracket by bisection.
fn secular(
    norm: impl Fn(f64) -> f64,
    cube: impl Fn(f64) -> f64,
    floor: f64,
    ceiling: f64,
    radius: f64,
) -> f64 {
    let (mut lo, mut hi) = (floor, ceiling.max(floor));
    // Make sure `hi` really is past the root.
    while norm(hi) > radius && hi.is_finite() {
        hi = 2.0 * hi + 1.0;
    }
    let mut lambda = hi;
    for _ in 0..MAX_SECULAR {
        let p = norm(lambda);
        if (p - radius).abs() <= BOUNDARY_TOL * radius {
            break;
        }
        if p > radius {
            lo = lambda;
        } else {
            hi = lambda;
        }
        let next = lambda + (p - radius) * p * p / (radius * cube(lambda));
        lambda = if next > lo && next < hi && next.is_finite() {
            next
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo <= f64::EPSILON * hi {
            break;
        }
    }
    lambda
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad(h: &[f64], g: &[f64], p: &[f64]) -> f64 {
        let n = g.len();
        let hp: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| h[i * n + j] * p[j]).sum())
            .collect();
        (0..n).map(|i| g[i] * p[i] + 0.5 * p[i] * hp[i]).sum()
    }

    #[test]
    fn jacobi_recovers_the_eigenvalues() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
        let e = Eigen::new(&[2.0, 1.0, 1.0, 2.0], 2);
        let mut values = e.values.clone();
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-15 && (values[1] - 3.0).abs() < 1e-15);
    }

    #[test]
    fn an_interior_newton_step_is_taken_whole() {
        let h = [4.0, 2.0, 2.0, 3.0];
        let p = Eigen::new(&h, 2).solve(&[2.0, 1.0], 10.0);
        assert!((p[0] + 0.5).abs() < 1e-14 && p[1].abs() < 1e-14);
    }

    #[test]
    fn the_boundary_solution_beats_every_point_on_a_grid() {
        // Indefinite H: the minimizer lies on the boundary.
        let h = [1.0, 0.5, 0.5, -2.0];
        let g = [1.0, 0.3];
        let radius = 0.7;
        let p = Eigen::new(&h, 2).solve(&g, radius);
        assert!((norm(&p) - radius).abs() < 1e-9 * radius);
        let best = quad(&h, &g, &p);
        for k in 0..3600 {
            let a = k as f64 * std::f64::consts::PI / 1800.0;
            let q = [radius * a.cos(), radius * a.sin()];
            assert!(best <= quad(&h, &g, &q) + 1e-12, "angle {a}");
        }
    }

    #[test]
    fn the_hard_case_steps_along_the_lowest_eigenvector() {
        // g has no part along e_2 (eigenvalue -1) and -H⁻¹g is short.
        let h = [2.0, 0.0, 0.0, -1.0];
        let p = Eigen::new(&h, 2).solve(&[1.0, 0.0], 2.0);
        assert!((norm(&p) - 2.0).abs() < 1e-12);
        assert!((p[0] + 1.0 / 3.0).abs() < 1e-12, "{p:?}");
        // At a saddle (g = 0) the step goes along the negative curvature.
        let p = Eigen::new(&h, 2).solve(&[0.0, 0.0], 0.5);
        assert!(p[0].abs() < 1e-15 && (p[1].abs() - 0.5).abs() < 1e-15);
    }
}
