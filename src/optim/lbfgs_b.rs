//! L-BFGS with bounds: a projected quasi-Newton iteration on the active set
//! that never evaluates the loss outside the box.
//!
//! This is not Byrd, Lu, Nocedal & Zhu's L-BFGS-B (generalized Cauchy point
//! along the projected-gradient path, then subspace minimization) but the
//! simpler two-metric projection scheme (Bertsekas 1982; Kelley, *Iterative
//! Methods for Optimization*, §5.5): at x,
//! - the entries a bound blocks (on it, with the gradient pushing out) are
//!   held fixed, and so are those on a bound that the direction would cross;
//! - the others move along d = −H·g_free, H the L-BFGS guess from the same
//!   curvature pairs as torch's (falling back to −g_free, with the history
//!   cleared, when d is not a descent direction or its search fails);
//! - the step is a backtracking (halving) search along the projected path
//!   P(x + t·d) with the Armijo test f(P(x + t·d)) ≤ f + c₁ g·(P(x + t·d) − x).
//!
//! Every point evaluated is P(·) of something, so it lies in the box by
//! construction; a NaN or Inf trial halves t like a failed Armijo test.
//! One `step` runs up to `max_iter` iterations and `max_eval` evaluations and
//! stops on the same tolerances as torch's LBFGS (on the projected gradient).

use super::bounds::Bounds;
use super::kernels::{abs_max, abs_sum, dot};
use super::lbfgs::History;
use super::{Interrupt, Objective, StepStatus};

/// Sufficient-decrease (Armijo) constant, as in the strong-Wolfe search.
const C1: f64 = 1e-4;
/// Halvings of t before an iteration's search gives up.
const MAX_HALVINGS: usize = 60;

/// The options of `lbfgs` that the projected iteration reads.
pub(super) struct Settings {
    pub(super) lr: f64,
    pub(super) max_iter: usize,
    pub(super) max_eval: usize,
    pub(super) tolerance_grad: f64,
    pub(super) tolerance_change: f64,
}

/// The state kept from step to step.
pub(super) struct Projected {
    bounds: Bounds,
    history: History,
}

/// An accepted point: x, loss, gradient.
struct Point {
    x: Vec<f64>,
    f: f64,
    g: Vec<f64>,
}

impl Projected {
    pub(super) fn new(bounds: Bounds, history: History) -> Projected {
        Projected { bounds, history }
    }

    /// One `step`: up to `max_iter` projected iterations from `x`.
    pub(super) fn step(
        &mut self,
        s: &Settings,
        x: &mut [f64],
        loss: f64,
        grad: &[f64],
        obj: &mut dyn Objective,
    ) -> Result<StepStatus, Interrupt> {
        let mut at = Point {
            x: x.to_vec(),
            f: loss,
            g: grad.to_vec(),
        };
        if abs_max(&self.bounds.projected_gradient(x, grad)) <= s.tolerance_grad {
            return Ok(StepStatus::SmallGradient {
                option: "tolerance_grad",
                tol: s.tolerance_grad,
            });
        }
        let mut evals = 1;
        let mut moved = false;
        let mut stalled = false;
        for _ in 0..s.max_iter {
            let budget = s.max_eval.saturating_sub(evals).max(1);
            let found = match self.iterate(s, &at, budget, obj)? {
                (None, used) if !self.history.is_empty() => {
                    // The quasi-Newton direction failed: steepest descent.
                    evals += used;
                    self.history.clear();
                    let budget = s.max_eval.saturating_sub(evals).max(1);
                    self.iterate(s, &at, budget, obj)?
                }
                other => other,
            };
            evals += found.1;
            let Some(next) = found.0 else {
                stalled = true;
                break;
            };
            let step: Vec<f64> = next.x.iter().zip(&at.x).map(|(a, b)| a - b).collect();
            let y: Vec<f64> = next.g.iter().zip(&at.g).map(|(a, b)| a - b).collect();
            let change = (next.f - at.f).abs();
            self.history.push(y, step.clone());
            at = next;
            moved = true;
            if evals >= s.max_eval
                || abs_max(&self.bounds.projected_gradient(&at.x, &at.g)) <= s.tolerance_grad
                || abs_max(&step) <= s.tolerance_change
                || change < s.tolerance_change
            {
                break;
            }
        }
        x.copy_from_slice(&at.x);
        Ok(match (moved, stalled) {
            (true, _) => StepStatus::Continue,
            (false, true) => StepStatus::LineSearchFailed,
            (false, false) => StepStatus::Converged,
        })
    }

    /// One iteration from `at`: the direction, then the projected search
    /// with at most `budget` evaluations. Returns the accepted point (None
    /// if none passed, or x cannot move) and the evaluations used.
    fn iterate(
        &self,
        s: &Settings,
        at: &Point,
        budget: usize,
        obj: &mut dyn Objective,
    ) -> Result<(Option<Point>, usize), Interrupt> {
        let n = at.x.len();
        let pg = self.bounds.projected_gradient(&at.x, &at.g);
        let mut d = if self.history.is_empty() {
            pg.iter().map(|v| -v).collect()
        } else {
            self.history.direction(&pg)
        };
        for (i, di) in d.iter_mut().enumerate() {
            let (lo, hi) = self.bounds.interval(i);
            let leaving = (at.x[i] <= lo && *di < 0.0) || (at.x[i] >= hi && *di > 0.0);
            if self.bounds.blocked(&at.x, &at.g, i) || leaving {
                *di = 0.0;
            }
        }
        let gtd = dot(&at.g, &d);
        if gtd.is_nan() || gtd > -s.tolerance_change {
            return Ok((None, 0));
        }
        // The first step from steepest descent is scaled by the gradient's
        // size, as torch's very first iteration is.
        let mut t = if self.history.is_empty() {
            (1.0 / abs_sum(&pg)).min(1.0) * s.lr
        } else {
            s.lr
        };
        let mut g = vec![0.0; n];
        let mut used = 0;
        for _ in 0..MAX_HALVINGS.min(budget) {
            let mut trial: Vec<f64> = (0..n).map(|i| at.x[i] + t * d[i]).collect();
            self.bounds.project(&mut trial);
            if trial == at.x {
                break;
            }
            used += 1;
            let moved: Vec<f64> = trial.iter().zip(&at.x).map(|(a, b)| a - b).collect();
            if let Some(f) = obj.trial(&trial, &mut g)? {
                if f <= at.f + C1 * dot(&at.g, &moved) {
                    return Ok((Some(Point { x: trial, f, g }), used));
                }
            }
            t *= 0.5;
        }
        Ok((None, used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Rosenbrock function, NaN where x₀ > 0.9, recording every point.
    struct Banana {
        seen: Vec<Vec<f64>>,
    }

    impl Objective for Banana {
        fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt> {
            self.seen.push(x.to_vec());
            let (a, b) = (x[0], x[1]);
            grad[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            grad[1] = 200.0 * (b - a * a);
            let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            Ok(if a > 0.9 { f64::NAN } else { f })
        }

        fn hessian(&mut self, _x: &[f64], _hess: &mut [f64]) -> Result<(), Interrupt> {
            Ok(())
        }
    }

    #[test]
    fn every_point_evaluated_lies_in_the_box() {
        let settings = Settings {
            lr: 1.0,
            max_iter: 20,
            max_eval: 25,
            tolerance_grad: 1e-9,
            tolerance_change: 1e-12,
        };
        let (lo, hi) = ([-2.0, -0.5], [0.95, 0.7]);
        let mut lbfgs = Projected::new(Bounds::new(&lo, &hi), History::new(10));
        let mut banana = Banana { seen: Vec::new() };
        let mut x = vec![-1.2, 0.6];
        let mut g = vec![0.0; 2];
        for _ in 0..100 {
            let f = banana.eval(&x, &mut g).unwrap_or(f64::NAN);
            match lbfgs.step(&settings, &mut x, f, &g.clone(), &mut banana) {
                Ok(StepStatus::Continue) => {}
                _ => break,
            }
        }
        for p in &banana.seen {
            assert!(p[0] >= lo[0] && p[0] <= hi[0] && p[1] >= lo[1] && p[1] <= hi[1]);
        }
        // The constrained minimum: on the upper bound of x₁ (0.7), at the
        // a where d/da [(1-a)² + 100(0.7-a²)²] = 0, below the NaN wall.
        let a = x[0];
        let slope = -2.0 * (1.0 - a) - 400.0 * a * (0.7 - a * a);
        assert!(x[1] == 0.7 && slope.abs() < 1e-6, "{x:?}");
        assert!(banana.seen.len() > 10);
    }
}
