//! Builtins that rearrange entries: transpose, reshape, stacking, shape.

use super::Call;
use crate::autodiff::reduce::normalize_axis;
use crate::autodiff::NodeId;
use crate::eval::error::EvalError;
use crate::eval::Interp;
use crate::syntax::span::Span;
use crate::tensor::{shape_string, Tensor};

pub(super) fn transpose(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    Ok(m.tape.transpose(c.node(0)?))
}

pub(super) fn reshape(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let spec = m.tape.decide(c.node(1)?).clone();
    if spec.ndim() > 1 {
        return Err(EvalError::BadArgument {
            span: c.span(1),
            message: "the new shape must be a list of dimensions".into(),
            help: Some("e.g. `reshape(x, [2, 3])`".into()),
        });
    }
    let total = m.tape.value(x).len();
    let shape = reshape_target(&spec.to_vec(), total, c.span(1))?;
    m.tape
        .reshape(x, &shape)
        .map_err(|e| m.op_error(e, "`reshape`", c.span, (c.span(0), c.span(1))))
}

/// The shape `reshape` makes of `total` entries from the dimensions `spec`
/// (at `span`), its one -1 inferred; whether the count matches is the
/// tape's check. `gradlang check` uses it too.
pub(crate) fn reshape_target(
    spec: &[f64],
    total: usize,
    span: Span,
) -> Result<Vec<usize>, EvalError> {
    let mut dims: Vec<Option<usize>> = Vec::new();
    for &v in spec {
        dims.push(match v {
            -1.0 => None,
            v if v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 => Some(v as usize),
            v => {
                return Err(EvalError::BadArgument {
                    span,
                    message: format!("{v} is not a valid dimension"),
                    help: Some("dimensions are whole numbers >= 0, or one -1 to infer".into()),
                })
            }
        });
    }
    let known: usize = dims.iter().flatten().product();
    let holes = dims.iter().filter(|d| d.is_none()).count();
    let fill = if holes == 1 && known > 0 && total.is_multiple_of(known) {
        total / known
    } else {
        usize::MAX
    };
    if holes > 1 || (holes == 1 && fill == usize::MAX) {
        return Err(EvalError::BadArgument {
            span,
            message: format!("cannot infer the -1 dimension for {total} elements"),
            help: None,
        });
    }
    Ok(dims.into_iter().map(|d| d.unwrap_or(fill)).collect())
}

/// Promotes each argument to at least `rank` dimensions (NumPy's
/// `atleast_1d`/`atleast_2d`) and joins them along `axis`.
fn stack(
    m: &mut Interp,
    c: &Call,
    rank: usize,
    axis_for: impl Fn(usize) -> usize,
) -> Result<NodeId, EvalError> {
    let mut parts = Vec::with_capacity(c.args.len());
    for id in c.nodes()? {
        let promoted = at_least(m.tape.shape(id), rank);
        parts.push(m.tape.reshape_unchecked(id, &promoted));
    }
    let axis = axis_for(m.tape.shape(parts[0]).len());
    join(m, c, &parts, axis)
}

/// `shape` with leading 1s up to `rank` axes (NumPy's `atleast_1d` and
/// `atleast_2d`: a 1-D tensor becomes one row). `gradlang check` uses it too.
pub(crate) fn at_least(shape: &[usize], rank: usize) -> Vec<usize> {
    match (shape.len(), rank) {
        (0, 1) => vec![1],
        (0, 2) => vec![1, 1],
        (1, 2) => vec![1, shape[0]],
        _ => shape.to_vec(),
    }
}

/// The axis `hstack` joins along, for pieces of rank `rank` (after
/// promotion): 0 for vectors, 1 otherwise.
pub(crate) fn hstack_axis(rank: usize) -> usize {
    if rank == 1 {
        0
    } else {
        1
    }
}

fn join(m: &mut Interp, c: &Call, parts: &[NodeId], axis: usize) -> Result<NodeId, EvalError> {
    m.tape.concat(parts, axis).map_err(|e| {
        let bad = parts
            .iter()
            .position(|&p| m.tape.shape(p) != m.tape.shape(parts[0]))
            .unwrap_or(0);
        m.op_error(
            e,
            &format!("`{}`", c.name),
            c.callee,
            (c.span(0), c.span(bad)),
        )
    })
}

pub(super) fn hstack(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    stack(m, c, 1, hstack_axis)
}

pub(super) fn vstack(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    stack(m, c, 2, |_| 0)
}

pub(super) fn concat(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let parts = c.nodes()?;
    let ndim = m.tape.shape(parts[0]).len();
    let axis = match c.opt("axis")? {
        Some((id, span)) => {
            let a = m.integer_of(id, span, "an axis")?;
            normalize_axis(a, ndim)
                .map_err(|e| m.op_error(e, "`concat`", c.span, (c.span(0), span)))?
        }
        None if ndim == 0 => {
            return Err(EvalError::BadArgument {
                span: c.span(0),
                message: "`concat` joins tensors of rank 1 or more".into(),
                help: Some("use `hstack` to join scalars".into()),
            })
        }
        None => 0,
    };
    join(m, c, &parts, axis)
}

pub(super) fn shape(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let dims: Vec<f64> = m.tape.shape(c.node(0)?).iter().map(|&d| d as f64).collect();
    let n = dims.len();
    Ok(m.tape.indices(Tensor::from_shape_vec(&[n], dims)))
}

pub(super) fn len(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    match m.tape.shape(c.node(0)?).first() {
        Some(&n) => Ok(m.tape.scalar(n as f64)),
        None => Err(EvalError::BadArgument {
            span: c.span(0),
            message: format!("a scalar has no length (shape {})", shape_string(&[])),
            help: Some("`len` counts the first axis of a tensor".into()),
        }),
    }
}
