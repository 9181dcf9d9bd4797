//! L-BFGS, as `torch.optim.LBFGS`: one `step` runs up to `max_iter`
//! quasi-Newton iterations on the flat parameter vector, with a fixed step
//! or torch's strong-Wolfe line search. With bounds, the projected variant
//! of [`lbfgs_b`](super::lbfgs_b) runs instead, on the same curvature
//! history, so no point it tries leaves the box.

use std::collections::VecDeque;

use super::bounds::Bounds;
use super::kernels::{abs_max, abs_sum, add_scaled, dot};
use super::lbfgs_b::{Projected, Settings};
use super::options::{spec, DefaultValue, OptionError, OptionSpec, Options};
use super::strong_wolfe::{self, Len};
use super::{Interrupt, Objective, Optimizer, StepStatus};

/// Options and their defaults: docs/language.md's, plus torch's `max_eval`.
pub(super) const OPTIONS: &[OptionSpec] = &[
    spec("lr", DefaultValue::Number(1.0)),
    spec("max_iter", DefaultValue::Count(20)),
    spec("max_eval", DefaultValue::Derived("max_iter * 5 / 4")),
    spec("history_size", DefaultValue::Count(100)),
    spec("tolerance_grad", DefaultValue::Number(1e-7)),
    spec("tolerance_change", DefaultValue::Number(1e-9)),
    spec("line_search", DefaultValue::Choice("none")),
];

/// Curvature pairs with y·s at or below this are skipped (torch's constant).
const MIN_CURVATURE: f64 = 1e-10;

struct Lbfgs {
    lr: f64,
    max_iter: usize,
    max_eval: usize,
    tolerance_grad: f64,
    tolerance_change: f64,
    strong_wolfe: bool,
    /// Iterations over all steps; the first one ever starts from -g.
    n_iter: u64,
    /// Last direction and step length, kept across steps as torch does.
    d: Vec<f64>,
    t: f64,
    history: History,
    prev_flat_grad: Vec<f64>,
    /// With bounds: the projected variant that replaces torch's iteration.
    bounded: Option<Projected>,
}

/// The curvature pairs of L-BFGS and the inverse-Hessian guess they make.
pub(super) struct History {
    size: usize,
    /// Oldest first: y = Δg, s = Δx, rho = 1/(y·s).
    old_dirs: VecDeque<Vec<f64>>,
    old_stps: VecDeque<Vec<f64>>,
    ro: VecDeque<f64>,
    /// Scale of the initial inverse-Hessian guess, y·s / y·y.
    h_diag: f64,
}

impl History {
    pub(super) fn new(size: usize) -> History {
        History {
            size,
            old_dirs: VecDeque::new(),
            old_stps: VecDeque::new(),
            ro: VecDeque::new(),
            h_diag: 1.0,
        }
    }

    /// Forgets every pair.
    pub(super) fn clear(&mut self) {
        self.old_dirs.clear();
        self.old_stps.clear();
        self.ro.clear();
        self.h_diag = 1.0;
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ro.is_empty()
    }

    /// Records the pair (y, s) if its curvature y·s is positive enough,
    /// dropping the oldest one when full.
    pub(super) fn push(&mut self, y: Vec<f64>, s: Vec<f64>) {
        let ys = dot(&y, &s);
        if ys > MIN_CURVATURE {
            if self.old_dirs.len() == self.size {
                self.old_dirs.pop_front();
                self.old_stps.pop_front();
                self.ro.pop_front();
            }
            self.h_diag = ys / dot(&y, &y);
            self.old_dirs.push_back(y);
            self.old_stps.push_back(s);
            self.ro.push_back(1.0 / ys);
        }
    }

    /// The two-loop recursion: -H·g for the inverse-Hessian guess H.
    pub(super) fn direction(&self, g: &[f64]) -> Vec<f64> {
        let mut q: Vec<f64> = g.iter().map(|v| -v).collect();
        let mut al = vec![0.0; self.old_dirs.len()];
        for i in (0..al.len()).rev() {
            al[i] = dot(&self.old_stps[i], &q) * self.ro[i];
            add_scaled(&mut q, -al[i], &self.old_dirs[i]);
        }
        let mut r: Vec<f64> = q.iter().map(|v| v * self.h_diag).collect();
        for (i, a) in al.iter().enumerate() {
            let be_i = dot(&self.old_dirs[i], &r) * self.ro[i];
            add_scaled(&mut r, a - be_i, &self.old_stps[i]);
        }
        r
    }
}

pub(super) fn build(o: &Options, _n: usize) -> Result<Box<dyn Optimizer>, OptionError> {
    let max_iter = o.count("max_iter")?;
    let line_search = o.choice(
        "line_search",
        &["none", "strong_wolfe"],
        "\"none\" or \"strong_wolfe\"",
    )?;
    Ok(Box::new(Lbfgs {
        lr: o.non_negative("lr")?,
        max_iter,
        max_eval: o.derived_count("max_eval", max_iter * 5 / 4)?,
        tolerance_grad: o.non_negative("tolerance_grad")?,
        tolerance_change: o.non_negative("tolerance_change")?,
        strong_wolfe: line_search == "strong_wolfe",
        n_iter: 0,
        d: Vec::new(),
        t: 0.0,
        history: History::new(o.count("history_size")?),
        prev_flat_grad: Vec::new(),
        bounded: None,
    }))
}

impl Lbfgs {
    fn settings(&self) -> Settings {
        Settings {
            lr: self.lr,
            max_iter: self.max_iter,
            max_eval: self.max_eval,
            tolerance_grad: self.tolerance_grad,
            tolerance_change: self.tolerance_change,
        }
    }

    /// Records the last step's curvature pair and returns the two-loop
    /// direction -H·g.
    fn direction(&mut self, g: &[f64]) -> Vec<f64> {
        let y: Vec<f64> = g
            .iter()
            .zip(&self.prev_flat_grad)
            .map(|(a, b)| a - b)
            .collect();
        let s: Vec<f64> = self.d.iter().map(|di| di * self.t).collect();
        self.history.push(y, s);
        self.history.direction(g)
    }
}

impl Optimizer for Lbfgs {
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
        let mut loss = loss;
        let mut flat_grad = grad.to_vec();
        let settings = self.settings();
        if let Some(projected) = &mut self.bounded {
            return projected.step(&settings, x, loss, grad, obj);
        }
        if abs_max(&flat_grad) <= self.tolerance_grad {
            return Ok(StepStatus::SmallGradient {
                option: "tolerance_grad",
                tol: self.tolerance_grad,
            });
        }
        let mut current_evals = 1;
        let mut moved = false;
        let mut n_iter = 0;
        while n_iter < self.max_iter {
            n_iter += 1;
            self.n_iter += 1;
            let first = self.n_iter == 1;
            self.d = if first {
                self.history.clear();
                flat_grad.iter().map(|v| -v).collect()
            } else {
                self.direction(&flat_grad)
            };
            self.prev_flat_grad.clone_from(&flat_grad);
            let prev_loss = loss;

            // The very first step is scaled down by the gradient's size;
            // torch then holds it as a tensor (see `strong_wolfe::Len`).
            let t = if first {
                let inv = 1.0 / abs_sum(&flat_grad);
                let tensor = inv < 1.0;
                Len {
                    v: (if tensor { inv } else { 1.0 }) * self.lr,
                    tensor,
                }
            } else {
                Len::float(self.lr)
            };
            self.t = t.v;
            let gtd = dot(&flat_grad, &self.d);
            if gtd > -self.tolerance_change {
                break;
            }

            let mut ls_func_evals = 0;
            let mut opt_cond = false;
            if self.strong_wolfe {
                let (point, evals) = strong_wolfe::search(
                    obj,
                    x,
                    &self.d,
                    t,
                    loss,
                    &flat_grad,
                    gtd,
                    self.max_eval.saturating_sub(current_evals),
                )?;
                self.t = point.t.v;
                loss = point.f;
                flat_grad = point.g;
                add_scaled(x, self.t, &self.d);
                opt_cond = abs_max(&flat_grad) <= self.tolerance_grad;
                ls_func_evals = evals;
            } else {
                add_scaled(x, self.t, &self.d);
                // The last iteration's loss would go unused, so torch skips it.
                if n_iter != self.max_iter {
                    loss = obj.eval(x, &mut flat_grad)?;
                    opt_cond = abs_max(&flat_grad) <= self.tolerance_grad;
                    ls_func_evals = 1;
                }
            }
            moved = true;
            current_evals += ls_func_evals;

            if n_iter == self.max_iter
                || current_evals >= self.max_eval
                || opt_cond
                || self
                    .d
                    .iter()
                    .all(|di| (di * self.t).abs() <= self.tolerance_change)
                || (loss - prev_loss).abs() < self.tolerance_change
            {
                break;
            }
        }
        Ok(if moved {
            StepStatus::Continue
        } else {
            StepStatus::Converged
        })
    }

    fn set_bounds(&mut self, lo: &[f64], hi: &[f64]) {
        let history = History::new(self.history.size);
        self.bounded = Some(Projected::new(Bounds::new(lo, hi), history));
    }
}
