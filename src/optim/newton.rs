//! Damped Newton's method with the exact Hessian (not in torch.optim; for
//! problems with few parameters, since each step factors an n×n matrix).
//!
//! A step solves (H + τI) d = -g by Cholesky, with τ = 0 when H is positive
//! definite and otherwise the smallest tried shift that makes it so
//! (Nocedal & Wright, Algorithm 3.3), then backtracks from step `lr` until
//! the Armijo condition holds.

use super::kernels::{abs_max, add_scaled, dot};
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("lr", DefaultValue::Number(1.0)),
    spec("damping", DefaultValue::Number(1e-8)),
    spec("max_ls", DefaultValue::Count(25)),
];

/// Sufficient-decrease (Armijo) constant, as in L-BFGS's line search.
const C1: f64 = 1e-4;
/// Shifts tried before giving up on the Hessian (τ doubles each time, so
/// this spans 2^200 times the first one).
const MAX_SHIFTS: usize = 200;

struct Newton {
    lr: f64,
    /// First shift tried, relative to the largest diagonal entry of H.
    damping: f64,
    /// Halvings of the step before the line search gives up.
    max_ls: usize,
}

pub(super) fn build(o: &Options, _n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    Ok(Box::new(Newton {
        lr: o.non_negative("lr")?,
        damping: o.positive("damping")?,
        max_ls: o.count("max_ls")?,
    }))
}

/// Lower-triangular L with L·Lᵀ = A + shift·I (row-major, n×n), or `None`
/// if that matrix is not (numerically) positive definite.
fn cholesky(a: &[f64], n: usize, shift: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut diag = a[j * n + j] + shift;
        for k in 0..j {
            diag -= l[j * n + k] * l[j * n + k];
        }
        if diag.is_nan() || diag <= 0.0 {
            return None;
        }
        let ljj = diag.sqrt();
        l[j * n + j] = ljj;
        for i in j + 1..n {
            let mut v = a[i * n + j];
            for k in 0..j {
                v -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = v / ljj;
        }
    }
    Some(l)
}

/// Solves L·Lᵀ d = -g.
fn solve(l: &[f64], n: usize, g: &[f64]) -> Vec<f64> {
    let mut z = vec![0.0; n];
    for i in 0..n {
        let mut v = -g[i];
        for k in 0..i {
            v -= l[i * n + k] * z[k];
        }
        z[i] = v / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut v = z[i];
        for k in i + 1..n {
            v -= l[k * n + i] * z[k];
        }
        z[i] = v / l[i * n + i];
    }
    z
}

impl Newton {
    /// The (shifted) Newton direction; steepest descent if no shift helps
    /// (a Hessian with NaN in it).
    fn direction(&self, hess: &[f64], g: &[f64]) -> Vec<f64> {
        let n = g.len();
        // Autodiff Hessians can be asymmetric in the last bits.
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = 0.5 * (hess[i * n + j] + hess[j * n + i]);
            }
        }
        let diag = (0..n).map(|i| a[i * n + i]);
        let min_diag = diag.clone().fold(f64::INFINITY, f64::min);
        let beta = self.damping * diag.map(f64::abs).fold(1.0, f64::max);
        let mut shift = if min_diag > 0.0 { 0.0 } else { beta - min_diag };
        for _ in 0..MAX_SHIFTS {
            if let Some(l) = cholesky(&a, n, shift) {
                return solve(&l, n, g);
            }
            shift = (2.0 * shift).max(beta);
        }
        g.iter().map(|v| -v).collect()
    }
}

impl Optimizer for Newton {
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn step(
        &mut self,
        x: &mut [f64],
        loss: f64,
        grad: &[f64],
        obj: &mut dyn Objective,
    ) -> Result<StepStatus, Interrupt> {
        let n = x.len();
        if abs_max(grad) == 0.0 {
            return Ok(StepStatus::Converged);
        }
        let mut hess = vec![0.0; n * n];
        obj.hessian(x, &mut hess)?;
        let mut d = self.direction(&hess, grad);
        let mut gtd = dot(grad, &d);
        // Rounding can spoil descent for a nearly singular H: fall back.
        if gtd.is_nan() || gtd >= 0.0 {
            d = grad.iter().map(|v| -v).collect();
            gtd = -dot(grad, grad);
        }
        let mut alpha = self.lr;
        let mut trial_grad = vec![0.0; n];
        for _ in 0..self.max_ls {
            let mut trial = x.to_vec();
            add_scaled(&mut trial, alpha, &d);
            if trial == x {
                // The step no longer changes x at this precision.
                return Ok(StepStatus::Converged);
            }
            let f = obj.eval(&trial, &mut trial_grad)?;
            if f <= loss + C1 * alpha * gtd {
                x.copy_from_slice(&trial);
                return Ok(StepStatus::Continue);
            }
            alpha *= 0.5;
        }
        Ok(StepStatus::LineSearchFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_positive_definite_system() {
        // [[4, 2], [2, 3]] d = -[2, 1]  =>  d = [-0.5, 0]
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2, 0.0).unwrap();
        let d = solve(&l, 2, &[2.0, 1.0]);
        assert!((d[0] + 0.5).abs() < 1e-15 && d[1].abs() < 1e-15);
    }

    #[test]
    fn an_indefinite_hessian_is_shifted_into_a_descent_direction() {
        let newton = Newton {
            lr: 1.0,
            damping: 1e-8,
            max_ls: 25,
        };
        assert!(cholesky(&[1.0, 0.0, 0.0, -2.0], 2, 0.0).is_none());
        let g = [1.0, 1.0];
        let d = newton.direction(&[1.0, 0.0, 0.0, -2.0], &g);
        assert!(dot(&g, &d) < 0.0);
    }
}
