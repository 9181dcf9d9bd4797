//! The optimizers behind `minimize ... with NAME option=value ...`.
//!
//! This module knows nothing about the interpreter: params arrive flattened
//! into one `&mut [f64]` (all params concatenated) and the loss is an
//! [`Objective`]. Each update rule follows PyTorch 2.15's CPU float64
//! single-tensor code path, including where its kernels round once (a fused
//! multiply-add, `f64::mul_add` here) and which scalars it computes in
//! double, so that a run retraces torch's trajectory to the last bit or
//! nearly so (see `tests/optim_refs.rs`). `newton` is ours, not torch's, and
//! so is `lbfgs` with bounds (`lbfgs_b`).
//!
//! Maximizing is the caller's business (it negates the loss), and so are the
//! driver's own options (`steps`, `target`, `tol`, `every`): strip them
//! before calling [`build`].

mod adagrad;
mod adam;
mod bounds;
mod kernels;
mod lbfgs;
mod lbfgs_b;
mod lm;
mod nadam;
mod newton;
mod options;
mod rmsprop;
pub mod schedule;
mod sgd;
mod strong_wolfe;
mod trust_subproblem;

pub(crate) use lm::{enorm, qrfac};
pub use options::{DefaultValue, OptValue, OptionError, OptionSpec, MAX_COUNT};

use options::Options;

/// The function being minimized; the interpreter implements this.
pub trait Objective {
    /// Loss at `x`; writes dloss/dx into `grad` (same length as x).
    fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt>;
    /// Row-major Hessian (n*n) at x. Only Newton calls it.
    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> Result<(), Interrupt>;
    /// Like [`eval`](Objective::eval) at a trial point of a line search or
    /// trust region: a NaN or infinite loss or gradient there is not an
    /// error but `None`, so the optimizer can shrink its step instead.
    fn trial(&mut self, x: &[f64], grad: &mut [f64]) -> Result<Option<f64>, Interrupt> {
        let f = self.eval(x, grad)?;
        let finite = f.is_finite() && grad.iter().all(|g| g.is_finite());
        Ok(finite.then_some(f))
    }

    /// The residuals at `x` into `r` (the loss being the sum of their
    /// squares) and, when `jac` is given, their Jacobian (r.len() × x.len(),
    /// row-major). Values that are not finite are returned as they are.
    /// Only `lm` calls it, and the driver gives it only objectives that
    /// have residuals; others fail.
    fn residuals(
        &mut self,
        _x: &[f64],
        _r: &mut Vec<f64>,
        _jac: Option<&mut Vec<f64>>,
    ) -> Result<(), Interrupt> {
        Err(Interrupt)
    }
}

/// The objective failed (the implementor keeps the reason) or was cancelled.
#[derive(Debug)]
pub struct Interrupt;

/// What a step found, beyond the new `x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepStatus {
    /// `x` was updated (or may move on the next step); keep going.
    Continue,
    /// The line search found no step that lowers the loss enough (lbfgs's
    /// projected search, with bounds); `x` is unchanged.
    LineSearchFailed,
    /// `x` is a fixed point of this optimizer: this step left it unchanged
    /// and every further step would too (L-BFGS at its gradient or
    /// directional-derivative tolerance, newton when its trust region has
    /// shrunk until x no longer changes).
    Converged,
    /// Every entry of the (projected) gradient at `x` is within the
    /// optimizer's gradient tolerance, the option `option` of value `tol`;
    /// `x` is unchanged.
    SmallGradient { option: &'static str, tol: f64 },
    /// `x` is final for the reason given (in words, for the summary): a
    /// stopping test of the optimizer's own, such as lm's ftol.
    Stopped(&'static str),
}

/// One optimizer with its state (moments, step count, history).
pub trait Optimizer {
    /// One torch `step()`. The driver has already evaluated `loss` and `grad` at `x`
    /// (and checked its own stopping rules); first-order methods just update `x`,
    /// LBFGS/Newton may call `obj` for further evaluations.
    fn step(
        &mut self,
        x: &mut [f64],
        loss: f64,
        grad: &[f64],
        obj: &mut dyn Objective,
    ) -> Result<StepStatus, Interrupt>;

    /// The box every param entry must stay in (-inf/inf where unbounded),
    /// given once before the first step when some bound is finite. Methods
    /// that evaluate trial points within a step (lbfgs, newton) keep every
    /// one of them inside it; the others ignore it, since the driver
    /// projects each step's result.
    fn set_bounds(&mut self, _lo: &[f64], _hi: &[f64]) {}

    /// Sets the learning rate of the next steps, as a torch scheduler sets
    /// `param_group["lr"]`. Methods without an `lr` (newton, lm) keep the
    /// default: `check_options` refuses a schedule for them.
    fn set_lr(&mut self, _lr: f64) {}
}

/// Builds an optimizer from its options, or says which option is wrong.
type Builder = fn(&Options, usize) -> Result<Box<dyn Optimizer>, OptionError>;

/// One row of the registry: a name, its options, its builder.
struct Entry {
    name: &'static str,
    options: &'static [OptionSpec],
    build: Builder,
}

/// Every optimizer, in the order docs/language.md lists them.
const REGISTRY: &[Entry] = &[
    Entry {
        name: "sgd",
        options: sgd::OPTIONS,
        build: sgd::build,
    },
    Entry {
        name: "adam",
        options: adam::OPTIONS,
        build: adam::build_adam,
    },
    Entry {
        name: "adamw",
        options: adam::ADAMW_OPTIONS,
        build: adam::build_adamw,
    },
    Entry {
        name: "nadam",
        options: nadam::OPTIONS,
        build: nadam::build,
    },
    Entry {
        name: "rmsprop",
        options: rmsprop::OPTIONS,
        build: rmsprop::build,
    },
    Entry {
        name: "adagrad",
        options: adagrad::OPTIONS,
        build: adagrad::build,
    },
    Entry {
        name: "lbfgs",
        options: lbfgs::OPTIONS,
        build: lbfgs::build,
    },
    Entry {
        name: "newton",
        options: newton::OPTIONS,
        build: newton::build,
    },
    Entry {
        name: "lm",
        options: lm::OPTIONS,
        build: lm::build,
    },
];

/// The optimizer names `build` accepts (for a did-you-mean).
pub const OPTIMIZERS: &[&str] = &[
    "sgd", "adam", "adamw", "nadam", "rmsprop", "adagrad", "lbfgs", "newton", "lm",
];

/// The options `optimizer` accepts with their defaults, or `None` if there
/// is no such optimizer.
pub fn options(optimizer: &str) -> Option<&'static [OptionSpec]> {
    entry(optimizer).map(|e| e.options)
}

/// The names of the options `optimizer` accepts, or `None` if there is no
/// such optimizer.
pub fn option_names(optimizer: &str) -> Option<Vec<&'static str>> {
    options(optimizer).map(|specs| specs.iter().map(|s| s.name).collect())
}

/// The options of `optimizer` that take a string (e.g. lbfgs's
/// `line_search`): those whose default is a choice of strings.
pub fn string_options(optimizer: &str) -> Vec<&'static str> {
    options(optimizer)
        .unwrap_or_default()
        .iter()
        .filter(|s| matches!(s.default, DefaultValue::Choice(_)))
        .map(|s| s.name)
        .collect()
}

/// Builds an optimizer from its name and `name=value` options (numbers; booleans as 0/1;
/// lbfgs's line_search as a string), with torch.optim's defaults. `n_params` is the
/// length of the flat parameter vector every later `step` receives.
pub fn build(
    name: &str,
    opts: &[(String, OptValue)],
    n_params: usize,
) -> Result<Box<dyn Optimizer>, OptionError> {
    let entry = entry(name).ok_or_else(|| OptionError::UnknownOptimizer {
        name: name.to_string(),
        known: OPTIMIZERS,
    })?;
    let options = Options::new(entry.name, entry.options, opts)?;
    (entry.build)(&options, n_params)
}

fn entry(name: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_the_public_list() {
        let names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
        assert_eq!(names, OPTIMIZERS);
    }

    #[test]
    fn defaults_are_torchs_and_print_as_written() {
        let default = |opt: &str, name: &str| {
            let spec = options(opt).and_then(|o| o.iter().find(|s| s.name == name));
            spec.map(|s| s.default.to_string())
        };
        assert_eq!(default("adam", "lr").as_deref(), Some("0.001"));
        assert_eq!(default("adam", "weight_decay").as_deref(), Some("0"));
        assert_eq!(default("adamw", "weight_decay").as_deref(), Some("0.01"));
        assert_eq!(default("adagrad", "eps").as_deref(), Some("1e-10"));
        assert_eq!(default("sgd", "nesterov").as_deref(), Some("0"));
        assert_eq!(default("lbfgs", "history_size").as_deref(), Some("100"));
        assert_eq!(default("lbfgs", "line_search").as_deref(), Some("\"none\""));
    }

    #[test]
    fn every_optimizer_builds_with_defaults() {
        for name in OPTIMIZERS {
            assert!(build(name, &[], 3).is_ok(), "{name}");
        }
    }
}
