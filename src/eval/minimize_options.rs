//! What can be said about a `minimize` statement's optimizer and options
//! without evaluating anything: the optimizer exists, every option is one
//! it (or the driver) takes, none is given twice, `steps` is there, and
//! each value is of the right kind (a string only where the option takes
//! one). `gradlang check` and the evaluator both call [`check_options`], so
//! the two cannot drift apart. The values are judged by [`driver_count`]
//! and the optimizer's own builder, through [`check_values`] where they are
//! known before running.

use super::batch;
use super::error::{number_words, EvalError};
use super::expr::count_value;
use crate::diagnostic::did_you_mean;
use crate::optim::schedule::{self, Schedule};
use crate::optim::{self, OptValue, OptionError, MAX_COUNT};
use crate::syntax::ast::{Expr, Ident, Opt};
use crate::syntax::span::Span;

/// Options every optimizer takes, handled by the `minimize` driver rather
/// than by the optimizer (the schedule's options, `optim::schedule`, too).
pub const DRIVER_OPTIONS: [&str; 6] = ["steps", "target", "tol", "every", "batch", "over"];

/// Every problem with `minimize with OPTIMIZER opts` that needs no
/// evaluation, in source order (empty when there is none). An unknown
/// optimizer is the only problem reported for it: its options cannot be
/// judged.
pub fn check_options(optimizer: &Ident, opts: &[Opt]) -> Vec<EvalError> {
    let name = optimizer.node.as_str();
    let Some(own) = optim::option_names(name) else {
        return vec![EvalError::unknown_optimizer(name, optimizer.span)];
    };
    let mut strings = optim::string_options(name);
    strings.extend(schedule::STRING_OPTIONS);
    let valid: Vec<&str> = own
        .iter()
        .copied()
        .chain(DRIVER_OPTIONS)
        .chain(schedule::OPTIONS.iter().map(|s| s.name))
        .collect();
    let mut errors = Vec::new();
    for (k, o) in opts.iter().enumerate() {
        let option = o.name.node.as_str();
        if let Some(first) = opts[..k].iter().find(|p| p.name.node == option) {
            errors.push(EvalError::DuplicateOption {
                name: option.to_string(),
                span: o.name.span,
                first: first.name.span,
            });
            continue;
        }
        if !valid.contains(&option) {
            // The schedules' own options are listed only when one is meant.
            let listed = own
                .iter()
                .copied()
                .chain(DRIVER_OPTIONS)
                .chain(["schedule"]);
            errors.push(EvalError::UnknownOption {
                name: option.to_string(),
                span: o.name.span,
                context: format!("`{name}`"),
                valid: listed.map(String::from).collect(),
                suggestion: did_you_mean(option, valid.iter().copied()).map(String::from),
            });
            continue;
        }
        if option == "over" {
            errors.extend(batch::over_names(&o.value).err());
            continue;
        }
        match (&o.value.node, strings.contains(&option)) {
            (Expr::Str(text), false) => errors.push(EvalError::OptimizerOption {
                span: o.value.span,
                message: format!("`{option}` takes a number, not a string"),
                help: Some(match text.trim().parse::<f64>() {
                    Ok(_) => format!("remove the quotes: `{option}={}`", text.trim()),
                    Err(_) => format!("write a number, e.g. `{option}=1`"),
                }),
            }),
            (Expr::Str(_), true) | (_, false) => {}
            (_, true) => errors.push(EvalError::OptimizerOption {
                span: o.value.span,
                message: format!("`{option}` takes a string, not a number"),
                help: Some(format!(
                    "write its value in double quotes: `{option}=\"...\"`"
                )),
            }),
        }
    }
    errors.extend(batch::check_pairing(opts));
    errors.extend(schedule_problems(name, &own, opts));
    // A misspelt `steps` already says what is missing.
    let misspelt = errors
        .iter()
        .any(|e| matches!(e, EvalError::UnknownOption { suggestion: Some(s), .. } if s == "steps"));
    if !misspelt && needs_steps(name) && !opts.iter().any(|o| o.name.node == "steps") {
        errors.push(EvalError::missing_steps(optimizer.span, name));
    }
    errors
}

/// Whether `minimize with optimizer` must say how many `steps` to take:
/// all but `lm`, which stops on its own tests (and `maxfev`).
pub(crate) fn needs_steps(optimizer: &str) -> bool {
    optimizer != "lm"
}

/// Schedule options without the `schedule=` they belong to, a schedule
/// without the option torch has no default for, and a schedule for an
/// optimizer with no `lr` to schedule (`own` are its option names).
fn schedule_problems(optimizer: &str, own: &[&str], opts: &[Opt]) -> Vec<EvalError> {
    let chosen = opts.iter().find_map(|o| match &o.value.node {
        Expr::Str(s) if o.name.node == "schedule" => Some((s.as_str(), o.value.span)),
        _ => None,
    });
    let given = |name: &str| opts.iter().any(|o| o.name.node == name);
    let mut errors = Vec::new();
    let Some((kind, at)) = chosen else {
        if let Some(o) = opts
            .iter()
            .find(|o| o.name.node != "schedule" && schedule::is_option(&o.name.node))
        {
            errors.push(EvalError::OptimizerOption {
                span: o.name.span,
                message: format!(
                    "`{}` is a learning-rate schedule's option, but no `schedule` is given",
                    o.name.node
                ),
                help: Some(format!(
                    "choose the schedule, e.g. `schedule=\"{}\"`",
                    owner(&o.name.node)
                )),
            });
        }
        return errors;
    };
    if !schedule::SCHEDULES.contains(&kind) {
        return errors;
    }
    if !own.contains(&"lr") {
        errors.push(EvalError::OptimizerOption {
            span: at,
            message: format!("`{optimizer}` has no learning rate for a schedule to set"),
            help: Some(format!(
                "a schedule sets `lr`; `{optimizer}` chooses its own step lengths, so drop `schedule`"
            )),
        });
        return errors;
    }
    let own = schedule::options_of(kind);
    for o in opts {
        let name = o.name.node.as_str();
        if name != "schedule" && schedule::is_option(name) && !own.contains(&name) {
            errors.push(EvalError::OptimizerOption {
                span: o.name.span,
                message: format!("`{name}` is not an option of `schedule=\"{kind}\"`"),
                help: Some(format!(
                    "`{name}` belongs to `schedule=\"{}\"`; `{kind}` takes {}",
                    owner(name),
                    own.join(", ")
                )),
            });
        }
    }
    let required = match kind {
        "step" => Some((
            "step_size",
            "`step_size=100` multiplies the rate by `gamma` every 100 steps",
        )),
        "exponential" => Some((
            "gamma",
            "`gamma=0.99` multiplies the rate by 0.99 at every step",
        )),
        _ => None,
    };
    if let Some((name, example)) = required.filter(|(n, _)| !given(n)) {
        errors.push(EvalError::OptimizerOption {
            span: at,
            message: format!("`schedule=\"{kind}\"` needs `{name}`"),
            help: Some(format!("torch has no default for it: {example}")),
        });
    }
    errors
}

/// The first schedule that takes option `name`.
fn owner(name: &str) -> &'static str {
    schedule::SCHEDULES
        .iter()
        .find(|k| schedule::options_of(k).contains(&name))
        .copied()
        .unwrap_or("cosine")
}

/// The value of `steps`, `every` or `batch` (`name`), `v` at `span`: a
/// whole number up to [`MAX_COUNT`], and at least 1 for `every` and `batch`.
pub(crate) fn driver_count(name: &str, v: f64, span: Span) -> Result<u64, EvalError> {
    let n = count_value(v, span, &format!("`{name}`"), MAX_COUNT)?;
    let help = match name {
        "every" => "`every=100` prints a progress line every 100 steps",
        "batch" => "`batch=64` takes 64 rows per step",
        _ => return Ok(n),
    };
    if n == 0 {
        return Err(EvalError::OptimizerOption {
            span,
            message: format!("`{name}` must be at least 1"),
            help: Some(help.into()),
        });
    }
    Ok(n)
}

/// The errors the values of `opts` will cause, where `known` has each
/// option's number (None when it is a string or not known before running):
/// the driver's counts, and the optimizer's own options once all of them
/// are known. Call it only after [`check_options`] found nothing.
pub fn check_values(optimizer: &Ident, opts: &[Opt], known: &[Option<f64>]) -> Vec<EvalError> {
    let name = optimizer.node.as_str();
    let mut errors = Vec::new();
    let (mut values, mut spans) = (Vec::new(), Vec::new());
    let mut sched = OwnOptions::default();
    let (mut all_known, mut sched_known) = (true, true);
    let mut steps = Some(1);
    for (o, v) in opts.iter().zip(known) {
        let option = o.name.node.as_str();
        match (option, &o.value.node, v) {
            ("steps" | "every" | "batch", _, Some(v)) => {
                match driver_count(option, *v, o.value.span) {
                    Ok(n) if option == "steps" => steps = Some(n),
                    Ok(_) => {}
                    Err(e) => errors.push(e),
                }
            }
            ("steps", _, None) => steps = None,
            ("every" | "batch" | "over" | "target" | "tol", _, _) => {}
            (_, _, v) if schedule::is_option(option) => match (&o.value.node, v) {
                (Expr::Str(text), _) => {
                    sched.push(option, OptValue::Str(text.clone()), o.value.span)
                }
                (_, Some(v)) => sched.push(option, OptValue::Number(*v), o.value.span),
                _ => sched_known = false,
            },
            (_, Expr::Str(text), _) => {
                values.push((option.to_string(), OptValue::Str(text.clone())));
                spans.push(o.value.span);
            }
            (_, _, Some(v)) => {
                values.push((option.to_string(), OptValue::Number(*v)));
                spans.push(o.value.span);
            }
            (_, _, None) => all_known = false,
        }
    }
    if all_known {
        if let Err(e) = optim::build(name, &values, 1) {
            errors.push(option_error(e, name, optimizer.span, &values, &spans));
        }
    }
    let lr = values.iter().find_map(|(n, v)| match v {
        OptValue::Number(v) if n == "lr" => Some(*v),
        _ => None,
    });
    if let (true, Some(steps)) = (sched_known, steps) {
        if let Err(e) = sched.build(name, optimizer.span, lr, steps) {
            errors.push(e);
        }
    }
    errors
}

/// Options with the spans of their values, for error reports.
#[derive(Default)]
pub(crate) struct OwnOptions {
    pub(crate) values: Vec<(String, OptValue)>,
    pub(crate) spans: Vec<Span>,
}

impl OwnOptions {
    pub(crate) fn push(&mut self, name: &str, value: OptValue, span: Span) {
        self.values.push((name.to_string(), value));
        self.spans.push(span);
    }

    /// These options, all schedule options, as the schedule of `optimizer`
    /// whose `lr` is `lr` (None: its default) over `steps` steps.
    pub(crate) fn build(
        &self,
        optimizer: &str,
        optimizer_span: Span,
        lr: Option<f64>,
        steps: u64,
    ) -> Result<Option<Schedule>, EvalError> {
        let default_lr = optim::options(optimizer)
            .and_then(|o| o.iter().find(|s| s.name == "lr"))
            .and_then(|s| match s.default {
                optim::DefaultValue::Number(v) => Some(v),
                _ => None,
            })
            .unwrap_or(1.0);
        Schedule::build(&self.values, lr.unwrap_or(default_lr), steps)
            .map_err(|e| option_error(e, "schedule", optimizer_span, &self.values, &self.spans))
    }
}

/// An optimizer's complaint about its options, at the option's value.
pub(crate) fn option_error(
    e: OptionError,
    optimizer: &str,
    opt_span: Span,
    values: &[(String, OptValue)],
    spans: &[Span],
) -> EvalError {
    let at = |i: usize| spans.get(i).copied().unwrap_or(opt_span);
    match e {
        OptionError::UnknownOptimizer { name, .. } => EvalError::unknown_optimizer(&name, opt_span),
        OptionError::UnknownOption { index, valid, .. } => EvalError::OptimizerOption {
            span: at(index),
            message: format!("unknown option for `{optimizer}`"),
            help: Some(format!("its options are {}", valid.join(", "))),
        },
        OptionError::DuplicateOption { index, .. } => EvalError::OptimizerOption {
            span: at(index),
            message: "this option is given twice".into(),
            help: None,
        },
        OptionError::BadValue {
            index,
            option,
            expected,
        } => EvalError::OptimizerOption {
            span: at(index),
            message: match values.get(index) {
                Some((_, OptValue::Number(v))) => {
                    format!("`{option}` must be {expected}, found {}", number_words(*v))
                }
                Some((_, OptValue::Str(s))) => {
                    format!("`{option}` must be {expected}, found \"{s}\"")
                }
                None => format!("`{option}` must be {expected}"),
            },
            help: Some("docs/language.md lists every option with its range and default".into()),
        },
    }
}
