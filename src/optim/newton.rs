//! Newton's method with the exact Hessian in a trust region (not in
//! torch.optim; for problems with few parameters, since each step
//! decomposes an n×n matrix).
//!
//! A step minimizes the quadratic model g·p + ½ pᵀHp over ‖p‖ ≤ Δ nearly
//! exactly, as Moré & Sorensen (see [`trust_subproblem`](super::trust_subproblem)),
//! so an indefinite or badly scaled H needs no shift that would swamp its
//! small curvatures. The
//! trial x + p is kept when the loss falls by at least `eta` of what the
//! model predicted; Δ then grows (a good model) or shrinks (a poor one or a
//! NaN/Inf trial, which is not an error) as in Nocedal & Wright's
//! Algorithm 4.1 and SciPy's `trust-exact`. A step retries with a smaller Δ
//! until some trial is kept, so every step of the run moves x. Near the
//! minimum the predicted decrease sinks below the loss's rounding error,
//! where the ratio is noise: such a step is kept when it lowers the largest
//! gradient entry, so the last Newton steps still converge quadratically.
//!
//! With bounds, the entries a bound blocks are held fixed, the subproblem is
//! solved in the others, and the trial is projected into the box, so no
//! evaluation leaves it; the model's prediction is taken at the projected
//! step.

use super::bounds::Bounds;
use super::kernels::{abs_max, dot};
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::trust_subproblem::Subproblem;
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults: SciPy's `trust-exact` for `radius` and
/// `eta`; `max_radius` is larger than SciPy's 1000 so that a badly scaled
/// problem (Brown's, whose solution is at 1e6) can take steps to scale.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("radius", DefaultValue::Number(1.0)),
    spec("max_radius", DefaultValue::Number(1e10)),
    spec("eta", DefaultValue::Number(0.15)),
    spec("gtol", DefaultValue::Number(1e-10)),
];

/// Trials within one step before it reports that x cannot move (each
/// shrinks Δ at least fourfold, so x usually stops changing long before).
const MAX_TRIALS: usize = 200;
/// A predicted decrease below this fraction of |loss| is within the loss's
/// rounding: the step is judged by the gradient instead.
const ROUNDING: f64 = 16.0 * f64::EPSILON;

struct Newton {
    /// The trust radius Δ, kept from step to step.
    radius: f64,
    max_radius: f64,
    eta: f64,
    gtol: f64,
    bounds: Option<Bounds>,
}

pub(super) fn build(o: &Options, _n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    Ok(Box::new(Newton {
        radius: o.positive("radius")?,
        max_radius: o.positive("max_radius")?,
        eta: o.non_negative("eta")?,
        gtol: o.non_negative("gtol")?,
        bounds: None,
    }))
}

impl Newton {
    /// The entries free to move at `x`: all but those a bound blocks.
    fn free(&self, x: &[f64], g: &[f64]) -> Vec<usize> {
        (0..x.len())
            .filter(|&i| !self.bounds.as_ref().is_some_and(|b| b.blocked(x, g, i)))
            .collect()
    }
}

impl Optimizer for Newton {
    fn step(
        &mut self,
        x: &mut [f64],
        loss: f64,
        grad: &[f64],
        obj: &mut dyn Objective,
    ) -> Result<StepStatus, Interrupt> {
        let n = x.len();
        let free = self.free(x, grad);
        let g_free: Vec<f64> = free.iter().map(|&i| grad[i]).collect();
        if abs_max(&g_free) <= self.gtol {
            return Ok(StepStatus::SmallGradient {
                option: "gtol",
                tol: self.gtol,
            });
        }
        let mut hess = vec![0.0; n * n];
        obj.hessian(x, &mut hess)?;
        let m = free.len();
        let h_free: Vec<f64> = (0..m * m)
            .map(|k| hess[free[k / m] * n + free[k % m]])
            .collect();
        let mut model = Subproblem::new(&h_free, &g_free);
        let mut trial_grad = vec![0.0; n];
        for _ in 0..MAX_TRIALS {
            let (p, hits_boundary) = model.solve(self.radius);
            let mut trial = x.to_vec();
            for (&i, pi) in free.iter().zip(&p) {
                trial[i] += pi;
            }
            if let Some(b) = &self.bounds {
                b.project(&mut trial);
            }
            if trial == x {
                // The step no longer changes x at this precision.
                return Ok(StepStatus::Converged);
            }
            let s: Vec<f64> = trial.iter().zip(x.iter()).map(|(t, v)| t - v).collect();
            let hs: Vec<f64> = (0..n).map(|i| dot(&hess[i * n..(i + 1) * n], &s)).collect();
            let predicted = -(dot(grad, &s) + 0.5 * dot(&s, &hs));
            let ratio = match obj.trial(&trial, &mut trial_grad)? {
                // Below the loss's rounding the values cannot judge the
                // model; a smaller gradient can (the last Newton steps).
                Some(f) if predicted > 0.0 && predicted <= ROUNDING * loss.abs() => {
                    let better =
                        abs_max(&trial_grad) < abs_max(grad) && f <= loss + ROUNDING * loss.abs();
                    if better {
                        1.0
                    } else {
                        f64::NEG_INFINITY
                    }
                }
                Some(f) if predicted > 0.0 => (loss - f) / predicted,
                // A NaN or Inf, or a model that promises nothing.
                _ => f64::NEG_INFINITY,
            };
            if ratio < 0.25 {
                self.radius *= 0.25;
            } else if ratio > 0.75 && hits_boundary {
                self.radius = (2.0 * self.radius).min(self.max_radius);
            }
            if ratio > self.eta {
                x.copy_from_slice(&trial);
                return Ok(StepStatus::Continue);
            }
        }
        Ok(StepStatus::Converged)
    }

    fn set_bounds(&mut self, lo: &[f64], hi: &[f64]) {
        self.bounds = Some(Bounds::new(lo, hi));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f = Σ wᵢ (xᵢ - cᵢ)² with NaN beyond `wall` in entry 0; records every
    /// point evaluated.
    struct Bowl {
        w: Vec<f64>,
        c: Vec<f64>,
        wall: f64,
        seen: Vec<Vec<f64>>,
    }

    impl Objective for Bowl {
        fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt> {
            self.seen.push(x.to_vec());
            let mut f = 0.0;
            for i in 0..x.len() {
                f += self.w[i] * (x[i] - self.c[i]).powi(2);
                grad[i] = 2.0 * self.w[i] * (x[i] - self.c[i]);
            }
            Ok(if x[0] > self.wall { f64::NAN } else { f })
        }

        fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> Result<(), Interrupt> {
            let n = x.len();
            hess.fill(0.0);
            for i in 0..n {
                hess[i * n + i] = 2.0 * self.w[i];
            }
            Ok(())
        }
    }

    fn run(newton: &mut Newton, bowl: &mut Bowl, x: &mut [f64], steps: usize) -> StepStatus {
        let mut g = vec![0.0; x.len()];
        let mut status = StepStatus::Continue;
        for _ in 0..steps {
            let f = bowl.eval(x, &mut g).unwrap_or(f64::NAN);
            status = newton.step(x, f, &g.clone(), bowl).unwrap_or(status);
            if status != StepStatus::Continue {
                break;
            }
        }
        status
    }

    fn newton() -> Newton {
        Newton {
            radius: 1.0,
            max_radius: 1000.0,
            eta: 0.15,
            gtol: 1e-10,
            bounds: None,
        }
    }

    #[test]
    fn tiny_curvature_is_not_swamped() {
        // Curvatures 1e6 and 1e-6: a Levenberg shift of 1e-8·max would
        // double the small one; the exact step lands on the minimum.
        let mut bowl = Bowl {
            w: vec![1e6, 1e-6],
            c: vec![0.5, 0.25],
            wall: f64::INFINITY,
            seen: Vec::new(),
        };
        let mut x = [0.0, 0.0];
        let status = run(&mut newton(), &mut bowl, &mut x, 50);
        assert!(
            matches!(status, StepStatus::SmallGradient { .. }),
            "{status:?}"
        );
        assert!(
            (x[0] - 0.5).abs() < 1e-14 && (x[1] - 0.25).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn a_nan_trial_shrinks_the_step_and_bounds_hold() {
        // The minimum (3) is past a wall of NaN at 1.5 and past the upper
        // bound 2: every point tried stays in [-1, 2], the NaN only shrinks Δ.
        let mut bowl = Bowl {
            w: vec![1.0, 1.0],
            c: vec![3.0, -5.0],
            wall: 1.5,
            seen: Vec::new(),
        };
        let mut nw = newton();
        nw.radius = 10.0;
        nw.set_bounds(&[-1.0, -1.0], &[2.0, 2.0]);
        let mut x = [0.0, 0.0];
        run(&mut nw, &mut bowl, &mut x, 100);
        assert!(x[0] <= 1.5 && x[0] > 1.4 && x[1] == -1.0, "{x:?}");
        for p in &bowl.seen {
            assert!(p.iter().all(|v| (-1.0..=2.0).contains(v)), "{p:?}");
        }
    }
}
