//! Levenberg–Marquardt for a sum of squares, as MINPACK's `lmder` does it
//! (Moré 1978): the Jacobian of the residuals from the tape, a QR with
//! column pivoting, a trust region in the variables scaled by the
//! Jacobian's column norms, the Levenberg–Marquardt parameter from `lmpar`,
//! and the stopping tests on `ftol`, `xtol` and `gtol`. Not in torch.optim.
//!
//! One driver step is one of `lmder`'s outer iterations: a Jacobian, then
//! trial points until one lowers the sum of squares (or a test stops the
//! run). A trial point whose residuals are NaN or infinite counts as a
//! failed step, and the trust region shrinks tenfold.

mod qr;

pub(crate) use qr::{enorm, qrfac};

use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("ftol", DefaultValue::Number(1e-14)),
    spec("xtol", DefaultValue::Number(1e-14)),
    spec("gtol", DefaultValue::Number(1e-14)),
    spec("factor", DefaultValue::Number(100.0)),
    spec("maxfev", DefaultValue::Derived("1000 * (n + 1)")),
];

/// The reasons a run stops, as the summary says them.
const FTOL: &str = "the sum of squares changed by less than ftol";
const XTOL: &str = "the step was smaller than xtol relative to the params";
const BOTH: &str = "the sum of squares changed by less than ftol and the step was below xtol";
const GTOL: &str = "the residuals are orthogonal to the Jacobian's columns within gtol";
const MAXFEV: &str = "maxfev evaluations of the residuals";
const ROUNDING: &str = "no further improvement possible in floating point";

struct Lm {
    ftol: f64,
    xtol: f64,
    gtol: f64,
    factor: f64,
    /// Residual evaluations allowed.
    maxfev: usize,
    /// Residual evaluations so far.
    nfev: usize,
    /// Whether a step has lowered the sum of squares yet (until then the
    /// trust region is also bounded by each step tried).
    moved: bool,
    /// From the first step on: the column scaling and the trust region.
    scale: Option<Scale>,
}

struct Scale {
    diag: Vec<f64>,
    delta: f64,
    par: f64,
}

pub(super) fn build(o: &Options, n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    // MINPACK's default is 100·(n + 1); Bennett5 from Start 1 needs more.
    let maxfev = o.derived_count("maxfev", 1000 * (n + 1))?;
    Ok(Box::new(Lm {
        ftol: o.non_negative("ftol")?,
        xtol: o.non_negative("xtol")?,
        gtol: o.non_negative("gtol")?,
        factor: o.positive("factor")?,
        maxfev,
        nfev: 0,
        moved: false,
        scale: None,
    }))
}

/// The residuals and Jacobian at `x`, with the Jacobian padded by zero rows
/// to at least n rows (MINPACK needs m >= n; zero rows change nothing).
fn residuals_and_jacobian(
    obj: &mut dyn Objective,
    x: &[f64],
) -> Result<(Vec<f64>, Vec<f64>), Interrupt> {
    let n = x.len();
    let (mut r, mut jac) = (Vec::new(), Vec::new());
    obj.residuals(x, &mut r, Some(&mut jac))?;
    if r.len() < n {
        jac.resize(n * n, 0.0);
        r.resize(n, 0.0);
    }
    Ok((r, jac))
}

/// The norm of the residuals at `x`, infinite where they are not finite.
fn trial_norm(obj: &mut dyn Objective, x: &[f64]) -> Result<f64, Interrupt> {
    let mut r = Vec::new();
    obj.residuals(x, &mut r, None)?;
    // (enorm's max would skip a NaN.)
    Ok(if r.iter().all(|v| v.is_finite()) {
        enorm(&r)
    } else {
        f64::INFINITY
    })
}

impl Optimizer for Lm {
    fn step(
        &mut self,
        x: &mut [f64],
        _loss: f64,
        _grad: &[f64],
        obj: &mut dyn Objective,
    ) -> Result<StepStatus, Interrupt> {
        let n = x.len();
        let eps = f64::EPSILON;
        let (fvec, jac) = residuals_and_jacobian(obj, x)?;
        if self.nfev == 0 {
            self.nfev = 1;
        }
        let m = fvec.len();
        let fnorm = enorm(&fvec);
        let qr = qrfac(jac, m, n);
        let scale = self.scale.get_or_insert_with(|| {
            let diag: Vec<f64> = qr
                .acnorm
                .iter()
                .map(|&c| if c == 0.0 { 1.0 } else { c })
                .collect();
            let xnorm = enorm(&x.iter().zip(&diag).map(|(x, d)| x * d).collect::<Vec<_>>());
            let delta = if xnorm == 0.0 {
                self.factor
            } else {
                self.factor * xnorm
            };
            Scale {
                diag,
                delta,
                par: 0.0,
            }
        });
        let qtf = qr.qt_times(&fvec);
        // The largest cosine between the residuals and a Jacobian column.
        let mut gnorm: f64 = 0.0;
        if fnorm != 0.0 {
            for j in 0..n {
                let l = qr.ipvt[j];
                if qr.acnorm[l] != 0.0 {
                    let mut sum = 0.0;
                    for (i, q) in qtf.iter().enumerate().take(j + 1) {
                        let rij = if i == j { qr.rdiag[j] } else { qr.a[i * n + j] };
                        sum += rij * (q / fnorm);
                    }
                    gnorm = gnorm.max((sum / qr.acnorm[l]).abs());
                }
            }
        }
        if gnorm <= self.gtol {
            return Ok(StepStatus::Stopped(GTOL));
        }
        for (d, &c) in scale.diag.iter_mut().zip(&qr.acnorm) {
            *d = d.max(c);
        }
        let r0 = qr.r();
        loop {
            let mut r = r0.clone();
            let (par, p) = qr::lmpar(
                &mut r,
                n,
                &qr.ipvt,
                &scale.diag,
                &qtf,
                scale.delta,
                scale.par,
            );
            scale.par = par;
            let step: Vec<f64> = p.iter().map(|v| -v).collect();
            let trial: Vec<f64> = x.iter().zip(&step).map(|(x, s)| x + s).collect();
            let pnorm = enorm(
                &step
                    .iter()
                    .zip(&scale.diag)
                    .map(|(s, d)| s * d)
                    .collect::<Vec<_>>(),
            );
            if !self.moved {
                scale.delta = scale.delta.min(pnorm);
            }
            let fnorm1 = trial_norm(obj, &trial)?;
            self.nfev += 1;
            let actred = if 0.1 * fnorm1 < fnorm {
                1.0 - (fnorm1 / fnorm).powi(2)
            } else {
                -1.0
            };
            // The reduction the linear model predicts.
            let mut jp = vec![0.0; n];
            for j in 0..n {
                let temp = step[qr.ipvt[j]];
                for (i, v) in jp.iter_mut().enumerate().take(j + 1) {
                    *v += r0[i * n + j] * temp;
                }
            }
            let temp1 = enorm(&jp) / fnorm;
            let temp2 = par.sqrt() * pnorm / fnorm;
            let prered = temp1 * temp1 + temp2 * temp2 / 0.5;
            let dirder = -(temp1 * temp1 + temp2 * temp2);
            let ratio = if prered != 0.0 { actred / prered } else { 0.0 };
            if ratio <= 0.25 {
                let mut temp = if actred >= 0.0 {
                    0.5
                } else {
                    0.5 * dirder / (dirder + 0.5 * actred)
                };
                if 0.1 * fnorm1 >= fnorm || temp < 0.1 {
                    temp = 0.1;
                }
                scale.delta = temp * scale.delta.min(pnorm / 0.1);
                scale.par /= temp;
            } else if scale.par == 0.0 || ratio >= 0.75 {
                scale.delta = pnorm / 0.5;
                scale.par *= 0.5;
            }
            let success = ratio >= 1e-4;
            if success {
                x.copy_from_slice(&trial);
                self.moved = true;
            }
            let xnorm = enorm(
                &x.iter()
                    .zip(&scale.diag)
                    .map(|(x, d)| x * d)
                    .collect::<Vec<_>>(),
            );
            let ftol_met = actred.abs() <= self.ftol && prered <= self.ftol && 0.5 * ratio <= 1.0;
            let xtol_met = scale.delta <= self.xtol * xnorm;
            match (ftol_met, xtol_met) {
                (true, true) => return Ok(StepStatus::Stopped(BOTH)),
                (true, false) => return Ok(StepStatus::Stopped(FTOL)),
                (false, true) => return Ok(StepStatus::Stopped(XTOL)),
                (false, false) => {}
            }
            if self.nfev >= self.maxfev {
                return Ok(StepStatus::Stopped(MAXFEV));
            }
            if (actred.abs() <= eps && prered <= eps && 0.5 * ratio <= 1.0)
                || scale.delta <= eps * xnorm
                || gnorm <= eps
            {
                return Ok(StepStatus::Stopped(ROUNDING));
            }
            if success {
                return Ok(StepStatus::Continue);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock as residuals: r = [10 (y - x²), 1 - x].
    struct Rosen;

    impl Objective for Rosen {
        fn eval(&mut self, _x: &[f64], _g: &mut [f64]) -> Result<f64, Interrupt> {
            Ok(0.0)
        }
        fn hessian(&mut self, _x: &[f64], _h: &mut [f64]) -> Result<(), Interrupt> {
            Ok(())
        }
        fn residuals(
            &mut self,
            x: &[f64],
            r: &mut Vec<f64>,
            jac: Option<&mut Vec<f64>>,
        ) -> Result<(), Interrupt> {
            *r = vec![10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]];
            if let Some(j) = jac {
                *j = vec![-20.0 * x[0], 10.0, -1.0, 0.0];
            }
            Ok(())
        }
    }

    #[test]
    fn lm_solves_rosenbrock_from_the_standard_start() {
        let mut lm = build(&Options::new("lm", OPTIONS, &[]).unwrap(), 2).unwrap();
        let mut x = [-1.2, 1.0];
        let mut status = StepStatus::Continue;
        for _ in 0..100 {
            status = lm.step(&mut x, 0.0, &[0.0, 0.0], &mut Rosen).unwrap();
            if status != StepStatus::Continue {
                break;
            }
        }
        assert!(matches!(status, StepStatus::Stopped(_)), "{status:?}");
        assert!(
            (x[0] - 1.0).abs() < 1e-10 && (x[1] - 1.0).abs() < 1e-10,
            "{x:?}"
        );
    }
}
