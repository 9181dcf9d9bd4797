//! Mini-batches for `minimize ... batch=B over=[X, y]`: which data the
//! option names (checked alike by `gradlang check` and the evaluator), and
//! the batches themselves. Each epoch draws a fresh permutation of the rows
//! from the script's random stream (so `seed` fixes it); the rows are taken
//! `B` at a time in that order, the last batch of an epoch keeping whatever
//! is left. While a step runs, each named binding holds its batch's rows,
//! so every formula and loss that reads it by name sees the batch; the full
//! data is bound again before anything else runs.

use std::rc::Rc;

use super::env::Binding;
use super::error::{EvalError, TrainingError};
use super::Interp;
use crate::syntax::ast::{Expr, ExprS, Ident, Opt};
use crate::syntax::span::Spanned;
use crate::tensor::Tensor;

/// What a name listed in `over` is, as far as the caller knows.
pub(crate) enum Role {
    /// Data, with its shape when known.
    Data(Option<Vec<usize>>),
    /// A `let` whose value depends on a param.
    Formula,
    Param,
    /// A function.
    Function,
    Unknown,
}

/// The names `over=` lists: `[X, y]`, or a single name.
pub(crate) fn over_names(value: &ExprS) -> Result<Vec<Ident>, EvalError> {
    let items: Vec<&ExprS> = match &value.node {
        Expr::Tensor(items) => items.iter().collect(),
        _ => vec![value],
    };
    let names: Option<Vec<Ident>> = items
        .iter()
        .map(|e| match &e.node {
            Expr::Name(n) => Some(Spanned::new(n.clone(), e.span)),
            _ => None,
        })
        .collect();
    match names {
        Some(names) if !names.is_empty() => Ok(names),
        _ => Err(bad(
            value,
            "`over` takes the names of the data to batch",
            "not a list of names",
            "write the data bindings split into batches, e.g. `over=[X, y]`",
        )),
    }
}

fn bad(at: &ExprS, message: &str, label: &str, help: &str) -> EvalError {
    EvalError::Training(TrainingError::BadBatch {
        span: at.span,
        message: message.into(),
        label: label.into(),
        help: help.into(),
    })
}

/// `batch` without `over` or the other way round: the error, if any.
pub(crate) fn check_pairing(opts: &[Opt]) -> Option<EvalError> {
    let find = |name: &str| opts.iter().find(|o| o.name.node == name);
    let (given, missing, help) = match (find("batch"), find("over")) {
        (Some(b), None) => (
            b,
            "over",
            "name the data to split, e.g. `batch=64 over=[X, y]`",
        ),
        (None, Some(o)) => (
            o,
            "batch",
            "give the batch size, e.g. `batch=64 over=[X, y]`",
        ),
        _ => return None,
    };
    Some(EvalError::Training(TrainingError::BadBatch {
        span: given.name.span,
        message: format!("`{}` needs `{missing}`", given.name.node),
        label: format!("given without `{missing}`"),
        help: help.into(),
    }))
}

/// Every problem with the names of `over`, given what each one is.
pub(crate) fn check_over(names: &[Ident], role: impl Fn(&str) -> Role) -> Vec<EvalError> {
    let mut errors = Vec::new();
    let mut first: Option<(&Ident, usize)> = None;
    for (k, name) in names.iter().enumerate() {
        let n = name.node.as_str();
        if names[..k].iter().any(|e| e.node == n) {
            errors.push(EvalError::Training(TrainingError::BadBatch {
                span: name.span,
                message: format!("`{n}` is listed twice in `over`"),
                label: "listed again here".into(),
                help: format!("list `{n}` once"),
            }));
            continue;
        }
        let (what, help) = match role(n) {
            Role::Data(shape) => {
                match shape.as_deref() {
                    Some([]) => errors.push(EvalError::Training(TrainingError::BadBatch {
                        span: name.span,
                        message: format!("`{n}` is a scalar: it has no rows to batch"),
                        label: "a scalar".into(),
                        help: "list only data with one row per example in `over`".into(),
                    })),
                    Some(&[rows, ..]) => match first {
                        Some((f, f_rows)) if f_rows != rows => {
                            errors.push(EvalError::Training(TrainingError::BatchRows {
                                first: (f.node.clone(), f.span, f_rows),
                                other: (n.into(), name.span, rows),
                            }))
                        }
                        Some(_) => {}
                        None => first = Some((name, rows)),
                    },
                    None => {}
                }
                continue;
            }
            Role::Param => (
                "a param",
                "a param is what is learned; batch the data the loss reads",
            ),
            Role::Formula => (
                "a formula (it depends on a param)",
                "batch the data the formula reads; it sees the batch when it is evaluated",
            ),
            Role::Function => ("a function", "list data bindings, e.g. `over=[X, y]`"),
            Role::Unknown => (
                "not defined",
                "define the data with `let` before this `minimize`",
            ),
        };
        errors.push(EvalError::Training(TrainingError::BadBatch {
            span: name.span,
            message: format!("`over` can only batch data, but `{n}` is {what}"),
            label: what.into(),
            help: help.into(),
        }));
    }
    errors
}

/// The batches of one `minimize`: the full data of each batched name, and
/// the current epoch's order of the rows.
pub(super) struct Batches {
    data: Vec<(String, Rc<Tensor>)>,
    rows: usize,
    size: usize,
    order: Vec<usize>,
}

impl Batches {
    /// Reads the data `names` are bound to (after [`check_over`]-style
    /// checks against the bindings themselves).
    pub(super) fn new(interp: &Interp, names: &[Ident], size: u64) -> Result<Batches, EvalError> {
        let role = |n: &str| match interp.scopes.lookup(n) {
            Some(Binding::Data(t)) => Role::Data(Some(t.shape().to_vec())),
            Some(Binding::Formula(_) | Binding::Node(_)) => Role::Formula,
            Some(Binding::Param(_)) => Role::Param,
            Some(Binding::Fn(_)) => Role::Function,
            None => Role::Unknown,
        };
        if let Some(e) = check_over(names, role).into_iter().next() {
            return Err(e);
        }
        let data: Vec<(String, Rc<Tensor>)> = names
            .iter()
            .filter_map(|n| match interp.scopes.lookup(&n.node) {
                Some(Binding::Data(t)) => Some((n.node.clone(), t.clone())),
                _ => None,
            })
            .collect();
        let rows = data.first().map_or(0, |(_, t)| t.shape()[0]);
        Ok(Batches {
            data,
            rows,
            size: layout(rows, size).0,
            order: Vec::new(),
        })
    }

    /// Batches per epoch (the last may be partial).
    pub(super) fn per_epoch(&self) -> u64 {
        layout(self.rows, self.size as u64).1
    }

    /// The batch size, at most the rows.
    pub(super) fn size(&self) -> usize {
        self.size
    }

    /// The rows of each batched name.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// Binds the rows of batch `step` (counted over the whole run) to the
    /// batched names; a new epoch first draws a new order.
    pub(super) fn bind(&mut self, interp: &mut Interp, step: u64) {
        let k = (step % self.per_epoch()) as usize;
        if k == 0 || self.order.is_empty() {
            self.order = draw_order(&mut interp.rng, self.rows);
        }
        let end = ((k + 1) * self.size).min(self.rows);
        let picked = &self.order[k * self.size..end];
        for (name, full) in &self.data {
            let rows = full.view().select(ndarray::Axis(0), picked);
            set(
                interp,
                name,
                Binding::Data(Rc::new(Tensor::from_array(rows))),
            );
        }
    }

    /// Binds the full data again.
    pub(super) fn restore(&self, interp: &mut Interp) {
        for (name, full) in &self.data {
            set(interp, name, Binding::Data(full.clone()));
        }
    }
}

/// The batch size and batches per epoch for `rows` rows in batches of
/// `batch`: the size is capped by the rows (one batch of everything per
/// epoch), the last batch of an epoch may be partial.
pub(crate) fn layout(rows: usize, batch: u64) -> (usize, u64) {
    let size = (batch.min(usize::MAX as u64) as usize).clamp(1, rows.max(1));
    (size, rows.div_ceil(size).max(1) as u64)
}

/// One epoch's order of the rows, drawn from the script's random stream
/// (the exporter replays these draws to carry the batches over to JAX).
pub(crate) fn draw_order(rng: &mut crate::rng::Rng, rows: usize) -> Vec<usize> {
    rng.choose(rows, rows)
}

fn set(interp: &mut Interp, name: &str, binding: Binding) {
    if let Some(slot) = interp.scopes.find(name) {
        interp.scopes.set(slot, name, binding);
    }
}
