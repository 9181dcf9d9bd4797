//! The optimization loop of `minimize`: at each step bind the batch,
//! evaluate the loss and gradient, print progress, test the stopping rules,
//! step, clamp into the bounds and move the schedule on; a NaN or Inf goes
//! back to the last finite point. The driver around it is minimize.rs.

use super::batch::Batches;
use super::minimize::Settings;
use super::objective::LossObjective;
use crate::autodiff::selection::clamp_scalar;
use crate::format::format_scalar;
use crate::optim::schedule::Schedule;
use crate::optim::{self, Interrupt, Objective, StepStatus};

/// Why a run ended before `steps`.
pub(super) enum Stop {
    Interrupted,
    /// NaN or Inf: the params go back to the last finite point, the summary
    /// is printed, then the error.
    NonFinite,
    Target(f64),
    Tol(f64),
    LineSearchFailed,
    /// The optimizer's own gradient tolerance (its option's name, value).
    SmallGradient(&'static str, f64),
    Converged,
    /// The optimizer's own test, in words.
    Reason(&'static str),
}

impl Stop {
    pub(super) fn describe(&self) -> String {
        match self {
            Stop::Interrupted => "interrupted".into(),
            Stop::NonFinite => {
                "a non-finite value; the params keep their last finite values".into()
            }
            Stop::Target(t) => format!("loss reached the target {}", format_scalar(*t, 4)),
            Stop::Tol(t) => format!("every gradient entry below tol {}", format_scalar(*t, 4)),
            Stop::LineSearchFailed => "the line search found no better point".into(),
            Stop::SmallGradient(option, t) => {
                format!(
                    "every gradient entry within {option} {}",
                    format_scalar(*t, 4)
                )
            }
            Stop::Converged => "converged, no further progress possible".into(),
            Stop::Reason(why) => (*why).into(),
        }
    }
}

/// What changes from step to step besides the params: the mini-batch,
/// the learning rate, and the last batch's loss (for the summary).
pub(super) struct Plan<'a> {
    pub(super) batches: Option<&'a mut Batches>,
    pub(super) schedule: Option<&'a mut Schedule>,
    pub(super) last_batch: &'a mut Option<f64>,
}

/// The optimization loop; returns the initial loss, the steps run and why
/// it stopped early, if it did.
#[allow(clippy::too_many_arguments)]
pub(super) fn run(
    opt: &mut dyn optim::Optimizer,
    obj: &mut LossObjective,
    x: &mut [f64],
    grad: &mut [f64],
    s: &Settings,
    (lo, hi): (&[f64], &[f64]),
    verb: &str,
    history: &mut Vec<f64>,
    mut plan: Plan,
) -> Result<(f64, u64, Option<Stop>), Interrupt> {
    let mut initial = None;
    let mut steps_run = 0;
    let mut stop = None;
    let recording = obj.interp.record.is_some();
    // Where the last step started, to go back to if the next one produces
    // NaN or Inf.
    let mut last_good = x.to_vec();
    while steps_run < s.steps {
        obj.step = steps_run as usize;
        if let Some(b) = plan.batches.as_deref_mut() {
            b.bind(obj.interp, steps_run);
            obj.rebind();
        }
        let loss = match obj.eval(x, grad) {
            Ok(loss) => loss,
            Err(Interrupt) if initial.is_some() && obj.went_non_finite() => {
                x.copy_from_slice(&last_good);
                stop = Some(Stop::NonFinite);
                break;
            }
            Err(e) => return Err(e),
        };
        initial.get_or_insert(loss);
        if plan.batches.is_some() {
            *plan.last_batch = Some(loss);
        }
        if let Some(o) = &mut obj.interp.observer {
            o.step(steps_run, obj.sign * loss);
        }
        if let Some(flag) = &obj.interp.interrupt {
            if flag.swap(false, std::sync::atomic::Ordering::SeqCst) {
                stop = Some(Stop::Interrupted);
                break;
            }
        }
        if let Some(every) = s.every {
            if steps_run % every == 0 && steps_run > 0 {
                let line = match plan.batches.as_deref() {
                    Some(b) => format!(
                        "{verb} step {steps_run} (epoch {}): batch loss {}",
                        steps_run / b.per_epoch() + 1,
                        format_scalar(obj.sign * loss, 4)
                    ),
                    None => format!(
                        "{verb} step {steps_run}: loss {}",
                        format_scalar(obj.sign * loss, 4)
                    ),
                };
                obj.interp.emit(&line);
                obj.interp.flush();
            }
        }
        if let Some(t) = s.target.filter(|&t| loss <= obj.sign * t) {
            stop = Some(Stop::Target(t));
            break;
        }
        // An entry pushing against the bound it sits on cannot move: it
        // counts as converged (the projected gradient is zero there).
        let blocked =
            |i: usize| (x[i] <= lo[i] && grad[i] > 0.0) || (x[i] >= hi[i] && grad[i] < 0.0);
        if let Some(t) = s
            .tol
            .filter(|&t| (0..grad.len()).all(|i| blocked(i) || grad[i].abs() < t))
        {
            stop = Some(Stop::Tol(t));
            break;
        }
        // Only a step actually taken gets an entry; the final loss is added
        // after the loop, so the history has steps_run + 1 entries.
        if recording {
            history.push(obj.sign * loss);
        }
        last_good.copy_from_slice(x);
        obj.trying = true;
        let stepped = opt.step(x, loss, grad, obj);
        obj.trying = false;
        let status = match stepped {
            Ok(status) => status,
            Err(Interrupt) if obj.went_non_finite() => {
                x.copy_from_slice(&last_good);
                stop = Some(Stop::NonFinite);
                break;
            }
            Err(e) => return Err(e),
        };
        for ((v, &l), &h) in x.iter_mut().zip(lo).zip(hi) {
            // A NaN stays NaN (and is reported as one).
            *v = clamp_scalar(*v, l, h);
        }
        steps_run += 1;
        if let Some(sched) = plan.schedule.as_deref_mut() {
            sched.step();
            opt.set_lr(sched.lr());
        }
        match status {
            StepStatus::Continue => {}
            StepStatus::LineSearchFailed => {
                stop = Some(Stop::LineSearchFailed);
                break;
            }
            StepStatus::Converged => {
                stop = Some(Stop::Converged);
                break;
            }
            StepStatus::SmallGradient { option, tol } => {
                stop = Some(Stop::SmallGradient(option, tol));
                break;
            }
            StepStatus::Stopped(why) => {
                stop = Some(Stop::Reason(why));
                break;
            }
        }
    }
    let initial = match initial {
        Some(v) => v,
        None => obj.eval(x, grad)?,
    };
    Ok((initial, steps_run, stop))
}
