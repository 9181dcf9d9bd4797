//! The trust-region subproblem of `newton`: a nearly exact minimizer of the
//! quadratic model m(p) = g·p + ½ pᵀHp over ‖p‖ ≤ Δ, for any symmetric H
//! (indefinite too), as Moré & Sorensen (1983) compute it and SciPy's
//! `trust-exact` after them (Conn, Gould & Toint, *Trust-Region Methods*,
//! §7.3; Nocedal & Wright §4.3).
//!
//! The solution is p = −(H + λI)⁻¹g for a λ ≥ max(0, −e_min) with
//! λ(‖p‖ − Δ) = 0. A safeguarded Newton iteration on 1/‖p(λ)‖ = 1/Δ finds λ
//! inside bounds from Gershgorin's theorem, using a Cholesky factor of
//! H + λI at each trial λ (a failed factorization raises the lower bound).
//! When p falls inside the region with λ > 0 (the "hard case", g nearly
//! orthogonal to the lowest eigenvectors), the step is completed to the
//! boundary along an estimate of the lowest singular vector of the factor
//! (Cline, Moler, Stewart & Wilkinson's condition estimator). The iteration
//! stops once ‖p‖ is within `K_EASY` of Δ, or the hard-case step is within
//! `K_HARD` of optimal, as SciPy's defaults.

/// Relative distance of ‖p‖ from Δ that ends the iteration.
const K_EASY: f64 = 0.1;
/// Relative model error of a hard-case step that ends the iteration.
const K_HARD: f64 = 0.2;
/// Factorizations per solve.
const MAX_ITER: usize = 25;
/// How far into the bracket [lb, ub] a safeguarded λ goes.
const UPDATE_COEFF: f64 = 0.01;

/// The model at one point, with what every radius's solve reuses.
pub(super) struct Subproblem {
    n: usize,
    h: Vec<f64>,
    g: Vec<f64>,
    g_norm: f64,
    gershgorin: (f64, f64),
    h_inf: f64,
    h_fro: f64,
    close_to_zero: f64,
    /// The lower bound on λ found by the last solve, and its radius: a
    /// smaller radius needs a λ at least as large.
    last: Option<(f64, f64)>,
}

impl Subproblem {
    /// The model with gradient `g` and the symmetric part of the row-major
    /// n×n `h` (zero if `h` has a NaN or Inf: the model is then linear).
    pub(super) fn new(h: &[f64], g: &[f64]) -> Subproblem {
        let n = g.len();
        let finite = h.iter().all(|v| v.is_finite());
        let h: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if finite {
                    0.5 * (h[i * n + j] + h[j * n + i])
                } else {
                    0.0
                }
            })
            .collect();
        let row = |i: usize| &h[i * n..(i + 1) * n];
        let abs_row = |i: usize| row(i).iter().map(|v| v.abs()).sum::<f64>();
        let lb = (0..n)
            .map(|i| h[i * n + i] + h[i * n + i].abs() - abs_row(i))
            .fold(f64::INFINITY, f64::min);
        let ub = (0..n)
            .map(|i| h[i * n + i] - h[i * n + i].abs() + abs_row(i))
            .fold(f64::NEG_INFINITY, f64::max);
        let h_inf = (0..n).map(abs_row).fold(0.0, f64::max);
        Subproblem {
            n,
            gershgorin: (lb, ub),
            h_inf,
            h_fro: norm(&h),
            close_to_zero: n as f64 * f64::EPSILON * h_inf,
            g_norm: norm(g),
            g: g.to_vec(),
            h,
            last: None,
        }
    }

    /// The step for radius Δ, and whether it lies on the boundary.
    pub(super) fn solve(&mut self, radius: f64) -> (Vec<f64>, bool) {
        let n = self.n;
        let (gl, gu) = self.gershgorin;
        let mut ub = (self.g_norm / radius + (-gl).min(self.h_fro).min(self.h_inf)).max(0.0);
        let min_diag = (0..n)
            .map(|i| self.h[i * n + i])
            .fold(f64::INFINITY, f64::min);
        let mut lb = (-min_diag)
            .max(self.g_norm / radius - gu.min(self.h_fro).min(self.h_inf))
            .max(0.0);
        if let Some((last_radius, last_lb)) = self.last {
            if radius < last_radius {
                lb = lb.max(last_lb);
            }
        }
        let safeguard =
            |lb: f64, ub: f64| (lb * ub).abs().sqrt().max(lb + UPDATE_COEFF * (ub - lb));
        let mut lambda = if lb == 0.0 { 0.0 } else { safeguard(lb, ub) };
        // Steepest descent to the boundary if nothing better is found.
        let mut p: Vec<f64> = self
            .g
            .iter()
            .map(|v| -v * radius / self.g_norm.max(f64::MIN_POSITIVE))
            .collect();
        let mut hits_boundary = true;
        let mut factor = None;
        for _ in 0..MAX_ITER {
            let u = match factor.take() {
                Some(u) => Ok(u),
                None => cholesky_upper(&self.h, n, lambda),
            };
            match u {
                Ok(u) if self.g_norm > self.close_to_zero => {
                    let minus_g: Vec<f64> = self.g.iter().map(|v| -v).collect();
                    let step = solve_upper(&u, n, &solve_lower_t(&u, n, &minus_g));
                    let p_norm = norm(&step);
                    if p_norm <= radius && lambda == 0.0 {
                        p = step;
                        hits_boundary = false;
                        break;
                    }
                    let w = solve_lower_t(&u, n, &step);
                    let w_norm = norm(&w);
                    let lambda_new =
                        lambda + (p_norm / w_norm).powi(2) * (p_norm - radius) / radius;
                    if p_norm < radius {
                        // Inside: complete the step along the lowest
                        // singular vector, if that is nearly optimal.
                        let (s_min, z) = smallest_singular_value(&u, n);
                        let (ta, tb) = boundary_intersections(&step, &z, radius);
                        let t = if ta.abs() < tb.abs() { ta } else { tb };
                        let quadratic =
                            dot(&step, &mat_vec(&self.h, n, &step)) + lambda * dot(&step, &step);
                        let relative_error =
                            t * t * s_min * s_min / (quadratic + lambda * radius * radius);
                        p = step;
                        if relative_error <= K_HARD {
                            for (pi, zi) in p.iter_mut().zip(&z) {
                                *pi += t * zi;
                            }
                            break;
                        }
                        ub = lambda;
                        lb = lb.max(lambda - s_min * s_min);
                        match cholesky_upper(&self.h, n, lambda_new) {
                            Ok(u) => {
                                lambda = lambda_new;
                                factor = Some(u);
                            }
                            Err(_) => {
                                lb = lb.max(lambda_new);
                                lambda = safeguard(lb, ub);
                            }
                        }
                    } else {
                        p = step;
                        if (p_norm - radius).abs() / radius <= K_EASY {
                            break;
                        }
                        lb = lambda;
                        lambda = lambda_new;
                    }
                }
                Ok(u) => {
                    // g is (numerically) zero: step along the lowest
                    // singular vector, if H + λI is nearly singular.
                    if lambda == 0.0 {
                        p = vec![0.0; n];
                        hits_boundary = false;
                        break;
                    }
                    let (s_min, z) = smallest_singular_value(&u, n);
                    p = z.iter().map(|v| v * radius).collect();
                    if radius * radius * s_min * s_min <= K_HARD * lambda * radius * radius {
                        break;
                    }
                    ub = lambda;
                    lb = lb.max(lambda - s_min * s_min);
                    lambda = safeguard(lb, ub);
                }
                Err((k, u)) => {
                    // The leading (k+1)×(k+1) block is not positive
                    // definite: λ must exceed λ + δ/‖v‖².
                    let (delta, v) = singular_leading_submatrix(&self.h, n, lambda, &u, k);
                    lb = lb.max(lambda + delta / dot(&v, &v));
                    lambda = safeguard(lb, ub);
                }
            }
            if !lambda.is_finite() {
                break;
            }
        }
        self.last = Some((radius, lb));
        (p, hits_boundary)
    }
}

/// Upper-triangular U with UᵀU = A + shift·I (row-major), or the index k
/// of the first non-positive pivot with the partial factor (columns < k and
/// the part of column k above the diagonal filled in).
fn cholesky_upper(a: &[f64], n: usize, shift: f64) -> Result<Vec<f64>, (usize, Vec<f64>)> {
    let mut u = vec![0.0; n * n];
    for j in 0..n {
        for i in 0..j {
            let s: f64 = (0..i).map(|k| u[k * n + i] * u[k * n + j]).sum();
            u[i * n + j] = (a[i * n + j] - s) / u[i * n + i];
        }
        let s: f64 = (0..j).map(|k| u[k * n + j] * u[k * n + j]).sum();
        let d = a[j * n + j] + shift - s;
        if d.is_nan() || d <= 0.0 {
            return Err((j, u));
        }
        u[j * n + j] = d.sqrt();
    }
    Ok(u)
}

/// δ and v for a failed factorization at pivot k: adding δ to entry (k, k)
/// of A + shift·I makes its leading block singular, with vᵀBv = 0.
fn singular_leading_submatrix(
    a: &[f64],
    n: usize,
    shift: f64,
    u: &[f64],
    k: usize,
) -> (f64, Vec<f64>) {
    let delta = (0..k).map(|i| u[i * n + k].powi(2)).sum::<f64>() - (a[k * n + k] + shift);
    let mut v = vec![0.0; n];
    v[k] = 1.0;
    // Solve U[:k, :k] v[:k] = -U[:k, k] by back substitution.
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| u[i * n + j] * v[j]).sum();
        v[i] = (-u[i * n + k] - s) / u[i * n + i];
    }
    (delta, v)
}

/// Solves Uᵀ y = b (forward substitution).
fn solve_lower_t(u: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| u[k * n + i] * y[k]).sum();
        y[i] = (b[i] - s) / u[i * n + i];
    }
    y
}

/// Solves U x = b (back substitution).
fn solve_upper(u: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| u[i * n + k] * x[k]).sum();
        x[i] = (b[i] - s) / u[i * n + i];
    }
    x
}

/// An estimate of U's smallest singular value and its right singular
/// vector (Cline, Moler, Stewart & Wilkinson 1979): the ±1 right-hand side
/// e that makes the solution of Uᵀw = e large, then v = U⁻¹w.
fn smallest_singular_value(u: &[f64], n: usize) -> (f64, Vec<f64>) {
    let mut p = vec![0.0; n];
    let mut w = vec![0.0; n];
    for k in 0..n {
        let ukk = u[k * n + k];
        let (wp, wm) = ((1.0 - p[k]) / ukk, (-1.0 - p[k]) / ukk);
        let grow = |wk: f64| -> f64 { (k + 1..n).map(|i| (p[i] + u[k * n + i] * wk).abs()).sum() };
        let wk = if wp.abs() + grow(wp) >= wm.abs() + grow(wm) {
            wp
        } else {
            wm
        };
        w[k] = wk;
        for i in k + 1..n {
            p[i] += u[k * n + i] * wk;
        }
    }
    let v = solve_upper(u, n, &w);
    let v_norm = norm(&v);
    (norm(&w) / v_norm, v.iter().map(|x| x / v_norm).collect())
}

/// The two t with ‖z + t·d‖ = Δ, smaller first.
fn boundary_intersections(z: &[f64], d: &[f64], radius: f64) -> (f64, f64) {
    let a = dot(d, d);
    let b = 2.0 * dot(z, d);
    let c = dot(z, z) - radius * radius;
    let root = (b * b - 4.0 * a * c).max(0.0).sqrt();
    // The numerically stable pair of roots.
    let aux = b + root.copysign(b);
    let (ta, tb) = (-aux / (2.0 * a), -2.0 * c / aux);
    if ta <= tb {
        (ta, tb)
    } else {
        (tb, ta)
    }
}

fn mat_vec(h: &[f64], n: usize, v: &[f64]) -> Vec<f64> {
    (0..n).map(|i| dot(&h[i * n..(i + 1) * n], v)).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(h: &[f64], g: &[f64], p: &[f64]) -> f64 {
        dot(g, p) + 0.5 * dot(p, &mat_vec(h, g.len(), p))
    }

    #[test]
    fn an_interior_newton_step_is_taken_whole() {
        let (p, boundary) = Subproblem::new(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0]).solve(10.0);
        assert!((p[0] + 0.5).abs() < 1e-14 && p[1].abs() < 1e-14 && !boundary);
    }

    #[test]
    fn the_boundary_step_is_nearly_optimal() {
        // Indefinite H: the minimizer lies on the boundary; the step is
        // within K_EASY of it and its model value close to the best on a
        // fine grid of the circle.
        let h = [1.0, 0.5, 0.5, -2.0];
        let g = [1.0, 0.3];
        let radius = 0.7;
        let (p, boundary) = Subproblem::new(&h, &g).solve(radius);
        assert!(boundary && (norm(&p) - radius).abs() <= K_EASY * radius);
        let best = (0..3600)
            .map(|k| {
                let a = k as f64 * std::f64::consts::PI / 1800.0;
                model(&h, &g, &[radius * a.cos(), radius * a.sin()])
            })
            .fold(f64::INFINITY, f64::min);
        assert!(
            model(&h, &g, &p) <= 0.8 * best,
            "{} vs {best}",
            model(&h, &g, &p)
        );
    }

    #[test]
    fn the_hard_case_reaches_the_boundary_along_negative_curvature() {
        // g has no part along e₂ (eigenvalue -1) and -H⁻¹g is short.
        let h = [2.0, 0.0, 0.0, -1.0];
        let (p, _) = Subproblem::new(&h, &[1.0, 0.0]).solve(2.0);
        assert!((norm(&p) - 2.0).abs() <= K_EASY * 2.0, "{p:?}");
        assert!(model(&h, &[1.0, 0.0], &p) < -1.5, "{p:?}");
    }

    #[test]
    fn cholesky_reports_the_first_bad_pivot() {
        assert!(cholesky_upper(&[4.0, 2.0, 2.0, 3.0], 2, 0.0).is_ok());
        assert!(matches!(
            cholesky_upper(&[1.0, 0.0, 0.0, -2.0], 2, 0.0),
            Err((1, _))
        ));
    }
}
