//! `minimize` / `maximize`: the driver between a loss formula and an
//! optimizer. It flattens the params the loss depends on into one vector,
//! re-evaluates the loss on a cleared tape at every point the optimizer
//! asks about, and applies the stopping rules, bounds and summary line.

use super::batch::{over_names, Batches};
use super::env::Binding;
use super::error::EvalError;
use super::minimize_loop::{run, Plan};
use super::minimize_options::{driver_count, needs_steps, option_error, OwnOptions};
use super::objective::LossObjective;
use super::record::MinimizeRecord;
use super::Interp;
use crate::autodiff::NodeId;
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::format::format_scalar;
use crate::optim::{self, Interrupt, Objective, OptValue};
use crate::syntax::ast::{Expr, Ident, Opt};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// A `minimize` with its loss found and its options read.
struct Run<'a> {
    maximize: bool,
    loss_name: &'a str,
    loss_span: Span,
    binding: Binding,
    optimizer: &'a Ident,
    settings: Settings,
    own: OwnOptions,
    span: Span,
}

pub(super) struct Settings {
    pub(super) steps: u64,
    pub(super) target: Option<f64>,
    pub(super) tol: Option<f64>,
    pub(super) every: Option<u64>,
    /// `batch=` and the names `over=` lists.
    pub(super) batch: Option<(u64, Vec<Ident>)>,
    /// The schedule options.
    pub(super) schedule: OwnOptions,
}

impl Interp {
    pub(crate) fn minimize(
        &mut self,
        maximize: bool,
        loss: Option<&Ident>,
        optimizer: &Ident,
        opts: &[Opt],
        span: Span,
    ) -> Result<(), EvalError> {
        let loss_name = loss.map_or("loss", |l| l.node.as_str());
        let loss_span = loss.map_or(span, |l| l.span);
        let binding = match self.scopes.lookup(loss_name) {
            Some(b) if self.losses.iter().any(|l| l == loss_name) => b.clone(),
            _ => {
                return Err(EvalError::NoLoss {
                    span: loss_span,
                    name: loss.map(|l| l.node.clone()),
                })
            }
        };
        if optimizer.node == "lm" {
            let residual = matches!(&binding, Binding::Formula(f) if f.residual.is_some());
            if let Some(e) = EvalError::lm_misused(optimizer, loss, maximize, residual) {
                return Err(e);
            }
        }
        let (settings, own) = self.minimize_options(optimizer, opts)?;
        let run = Run {
            maximize,
            loss_name,
            loss_span,
            binding,
            optimizer,
            settings,
            own,
            span,
        };
        // The run gets its own tape, so nodes an enclosing function or loop
        // holds stay valid while the optimizer clears and replays.
        let fresh = self.tape.successor();
        let outer = std::mem::replace(&mut self.tape, fresh);
        let result = self.optimize(run);
        let inner = std::mem::replace(&mut self.tape, outer);
        self.tape.resume_after(&inner);
        result
    }

    /// Runs the optimizer of `run` on the current (fresh) tape.
    fn optimize(&mut self, job: Run) -> Result<(), EvalError> {
        let Run {
            maximize,
            loss_name,
            loss_span,
            binding,
            optimizer,
            settings,
            own,
            span,
        } = job;
        let opt_name = optimizer.node.as_str();
        // The batched data is checked before the loss reads it.

        // Which params the loss reaches, at their current values.
        let root = self.eval_binding(&binding, loss_span)?;
        let params = self.tape.params_reached(root);
        if params.is_empty() {
            return Err(EvalError::Misplaced {
                span: loss_span,
                message: "the loss does not depend on any param".into(),
                help: Some("declare what should be optimized with `param NAME = ...` and use it in the loss".into()),
            });
        }
        if opt_name == "lm" {
            if let Some(p) = params.iter().find(|&&i| self.params[i].bounds.is_some()) {
                return Err(EvalError::lm_bounds(optimizer.span, &self.params[*p].name));
            }
        }
        self.fit = None;
        let used_elsewhere = self.params_of_other_losses(loss_name);
        let unused: Vec<Diagnostic> = (0..self.params.len())
            .filter(|i| !params.contains(i) && !used_elsewhere.contains(i))
            .map(|i| {
                let p = &self.params[i];
                Diagnostic::warning(Code::W0001, format!("the param `{}` does not affect the loss", p.name), p.span, "declared here")
                    .with_label(loss_span, format!("`{loss_name}` does not depend on `{}`", p.name))
                    .with_help("its gradient is always zero, so this minimize leaves it unchanged; use it in the loss or remove it")
            })
            .collect();
        unused.into_iter().for_each(|w| self.warn(w));
        let mut x: Vec<f64> = params
            .iter()
            .flat_map(|&i| self.params[i].value.to_vec())
            .collect();
        let (lo, hi) = self.flat_bounds(&params);
        let mut opt = optim::build(opt_name, &own.values, x.len())
            .map_err(|e| option_error(e, opt_name, optimizer.span, &own.values, &own.spans))?;
        if lo.iter().chain(&hi).any(|b| b.is_finite()) {
            opt.set_bounds(&lo, &hi);
        }
        let lr = own.values.iter().find_map(|(n, v)| match v {
            OptValue::Number(v) if n == "lr" => Some(*v),
            _ => None,
        });
        let mut schedule = settings
            .schedule
            .build(opt_name, optimizer.span, lr, settings.steps)?;
        if let Some(s) = &schedule {
            opt.set_lr(s.lr());
        }
        let mut batches = match &settings.batch {
            Some((size, names)) => Some(Batches::new(self, names, *size)?),
            None => None,
        };

        let sign = if maximize { -1.0 } else { 1.0 };
        let verb = opt_name.to_string();
        let least_squares = matches!(&binding, Binding::Formula(f) if f.residual.is_some());
        let mut obj = LossObjective::new(self, binding, params.clone(), sign, loss_span);
        let mut grad = vec![0.0; x.len()];
        if let Some(o) = &mut obj.interp.observer {
            o.start(&verb, settings.steps);
        }
        let mut history = Vec::new();
        // With mini-batches the summary's losses are over all the rows.
        let full_initial = match batches {
            Some(_) => obj.eval_loss(&x).ok().map(|l| sign * l),
            None => None,
        };
        let mut last_batch = None;
        let outcome = run(
            &mut *opt,
            &mut obj,
            &mut x,
            &mut grad,
            &settings,
            (&lo, &hi),
            &verb,
            &mut history,
            Plan {
                batches: batches.as_mut(),
                schedule: schedule.as_mut(),
                last_batch: &mut last_batch,
            },
        );
        if let Some(b) = &batches {
            b.restore(obj.interp);
            obj.rebind();
        }
        // Before any diagnostic is printed: a progress bar must be gone.
        if let Some(o) = &mut obj.interp.observer {
            o.finish();
        }
        let error = obj.error.take();
        let non_finite = error
            .clone()
            .filter(|e| matches!(e, EvalError::NonFinite { .. }));
        let (initial, steps_run, stop) = match outcome {
            Ok((initial, steps, stop)) => (full_initial.unwrap_or(initial), steps, stop),
            Err(Interrupt) => {
                return Err(error.unwrap_or_else(|| EvalError::Misplaced {
                    span,
                    message: "the optimization was interrupted".into(),
                    help: None,
                }))
            }
        };
        // In the minimized objective's units (negated when maximizing), as
        // `initial` is.
        let last = sign
            * obj.eval_loss(&x).map_err(|_| {
                obj.error.take().unwrap_or_else(|| EvalError::Misplaced {
                    span,
                    message: "the optimization was interrupted".into(),
                    help: None,
                })
            })?;
        // The Jacobian at the solution, for the fit statistics.
        let (mut residuals, mut jac) = (Vec::new(), Vec::new());
        let solved =
            least_squares && !maximize && obj.residuals(&x, &mut residuals, Some(&mut jac)).is_ok();
        obj.error = None;
        self.store_flat(&params, &x);
        self.tape.clear();

        let stop = stop.map(|s| s.describe());
        let mut line = format!(
            "{verb}: {steps_run} step{}",
            if steps_run == 1 { "" } else { "s" }
        );
        if let Some(b) = &batches {
            line += &format!(" in batches of {} ({} per epoch)", b.size(), b.per_epoch());
        }
        line += &format!(
            ", loss {} -> {}",
            format_scalar(sign * initial, 4),
            format_scalar(sign * last, 4)
        );
        if let Some(b) = &batches {
            line += &format!(" on all {} rows", b.rows());
            if let Some(l) = last_batch {
                line += &format!(", last batch {}", format_scalar(sign * l, 4));
            }
        }
        if let Some(why) = &stop {
            line += &format!(" (stopped early: {why})");
        }
        self.emit(&line);
        let fit = solved.then(|| self.record_fit(&params, &residuals, &jac, span));
        if let Some(fit) = &fit {
            self.emit(&fit.line());
        }
        if last > initial {
            let (verb_past, way) = if maximize {
                ("fell", "lower")
            } else {
                ("rose", "higher")
            };
            self.warn(
                Diagnostic::warning(
                    Code::W0003,
                    format!(
                        "the loss {verb_past} during this {}",
                        if maximize { "maximize" } else { "minimize" }
                    ),
                    span,
                    format!("it ended {way} than it began"),
                )
                .with_note(format!(
                    "loss {} -> {}",
                    format_scalar(sign * initial, 4),
                    format_scalar(sign * last, 4)
                ))
                .with_help("the steps are too large: lower `lr`, or try another optimizer"),
            );
        }
        if let Some(r) = &mut self.record {
            let mut options = own.values;
            // lm's `steps` may be left out (it stops on its own tests).
            if needs_steps(&verb) || settings.steps < optim::MAX_COUNT as u64 {
                options.push(("steps".into(), OptValue::Number(settings.steps as f64)));
            }
            for (name, v) in [
                ("target", settings.target),
                ("tol", settings.tol),
                ("every", settings.every.map(|e| e as f64)),
                ("batch", settings.batch.as_ref().map(|b| b.0 as f64)),
            ] {
                if let Some(v) = v {
                    options.push((name.into(), OptValue::Number(v)));
                }
            }
            if let Some((_, names)) = &settings.batch {
                let names: Vec<&str> = names.iter().map(|n| n.node.as_str()).collect();
                options.push(("over".into(), OptValue::Str(names.join(", "))));
            }
            options.extend(settings.schedule.values);
            history.push(sign * last);
            r.minimizes.push(MinimizeRecord {
                optimizer: verb,
                loss: loss_name.to_string(),
                maximize,
                options,
                steps: steps_run,
                stop,
                initial_loss: sign * initial,
                final_loss: sign * last,
                history,
                fit,
            });
        }
        match non_finite {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Splits `steps`, `target`, `tol`, `every` from the optimizer's own
    /// options; returns the latter with their spans for error reports.
    fn minimize_options(
        &mut self,
        optimizer: &Ident,
        opts: &[Opt],
    ) -> Result<(Settings, OwnOptions), EvalError> {
        let mut settings = Settings {
            steps: 0,
            target: None,
            tol: None,
            every: None,
            batch: None,
            schedule: OwnOptions::default(),
        };
        if let Some(e) = super::minimize_options::check_options(optimizer, opts)
            .into_iter()
            .next()
        {
            return Err(e);
        }
        let mut steps = None;
        let (mut own, mut batch, mut over) = (OwnOptions::default(), None, Vec::new());
        for o in opts {
            let name = o.name.node.as_str();
            let target = if crate::optim::schedule::is_option(name) {
                &mut settings.schedule
            } else {
                &mut own
            };
            if let Expr::Str(s) = &o.value.node {
                target.push(name, OptValue::Str(s.clone()), o.value.span);
                continue;
            }
            if name == "over" {
                over = over_names(&o.value)?;
                continue;
            }
            let id = self.eval(&o.value)?;
            let v = match self.tape.value(id) {
                Tensor::Scalar(v) => *v,
                t => {
                    return Err(EvalError::NotScalar {
                        span: o.value.span,
                        what: format!("the option `{name}`"),
                        shape: t.shape().to_vec(),
                    })
                }
            };
            match name {
                "steps" => steps = Some(driver_count(name, v, o.value.span)?),
                "every" => settings.every = Some(driver_count(name, v, o.value.span)?),
                "batch" => batch = Some(driver_count(name, v, o.value.span)?),
                "target" => settings.target = Some(v),
                "tol" => settings.tol = Some(v),
                _ if crate::optim::schedule::is_option(name) => {
                    settings
                        .schedule
                        .push(name, OptValue::Number(v), o.value.span)
                }
                _ => own.push(name, OptValue::Number(v), o.value.span),
            }
        }
        settings.steps = match steps {
            Some(steps) => steps,
            None if !needs_steps(&optimizer.node) => optim::MAX_COUNT as u64,
            None => return Err(EvalError::missing_steps(optimizer.span, &optimizer.node)),
        };
        settings.batch = batch.map(|b| (b, over));
        Ok((settings, own))
    }

    /// The params that the losses other than `name` depend on (so W0001
    /// does not flag a param that belongs to another loss).
    fn params_of_other_losses(&mut self, name: &str) -> Vec<usize> {
        let others: Vec<Binding> = self
            .losses
            .iter()
            .filter(|l| *l != name)
            .filter_map(|l| self.scopes.lookup(l).cloned())
            .collect();
        // Looking must not change what the script draws later.
        let rng = self.rng.clone();
        let mut used = Vec::new();
        for b in others {
            if let Ok(root) = self.eval_binding(&b, Span::default()) {
                used.extend(self.tape.params_reached(root));
            }
        }
        self.rng = rng;
        used
    }

    pub(crate) fn eval_binding(&mut self, b: &Binding, span: Span) -> Result<NodeId, EvalError> {
        match b {
            Binding::Formula(f) => self.eval_formula(f),
            Binding::Data(t) => Ok(self.tape.constant((**t).clone())),
            Binding::Param(i) => Ok(self.param_leaf(*i)),
            Binding::Node(id) => Ok(*id),
            Binding::Fn(_) => Err(EvalError::NoLoss { span, name: None }),
        }
    }

    /// Per-entry lower and upper bounds of the flattened params.
    fn flat_bounds(&self, params: &[usize]) -> (Vec<f64>, Vec<f64>) {
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for &i in params {
            let p = &self.params[i];
            let shape = p.value.shape();
            match &p.bounds {
                Some((l, h)) => {
                    let fit = |t: &Tensor| {
                        t.broadcast_to(shape)
                            .map(|t| t.to_vec())
                            .unwrap_or_else(|_| vec![f64::NAN; p.value.len()])
                    };
                    lo.extend(fit(l));
                    hi.extend(fit(h));
                }
                None => {
                    lo.extend(std::iter::repeat_n(f64::NEG_INFINITY, p.value.len()));
                    hi.extend(std::iter::repeat_n(f64::INFINITY, p.value.len()));
                }
            }
        }
        (lo, hi)
    }

    /// Writes the flat vector back into the params.
    pub(super) fn store_flat(&mut self, params: &[usize], x: &[f64]) {
        let mut offset = 0;
        for &i in params {
            let p = &mut self.params[i];
            let n = p.value.len();
            p.value = match &p.value {
                Tensor::Scalar(_) => Tensor::Scalar(x[offset]),
                t => Tensor::from_shape_vec(t.shape(), x[offset..offset + n].to_vec()),
            };
            offset += n;
        }
    }
}
