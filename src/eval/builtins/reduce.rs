//! The reductions a NumPy or PyTorch user reaches for beyond sums:
//! `std`/`var`, `argmax`/`argmin`, `any`/`all`, running sums and products,
//! and `sort`. Each follows torch (first occurrence for arg-extremes,
//! `correction=1` for the variance, NaN sorted last).

use super::math::{axis, flag, kept};
use super::Call;
use crate::autodiff::gather::sort_map;
use crate::autodiff::reduce::keepdims;
use crate::autodiff::NodeId;
use crate::eval::error::EvalError;
use crate::eval::Interp;
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// The variance along `axis=` (or of every entry), divided by `n -
/// correction`, as recorded ops so it differentiates to any order.
fn variance(m: &mut Interp, c: &Call) -> Result<(NodeId, Option<usize>), EvalError> {
    let ax = axis(m, c, None)?;
    let correction = match c.opt("correction")? {
        Some((id, span)) => match m.tape.decide(id) {
            Tensor::Scalar(v) => *v,
            t => {
                return Err(EvalError::NotScalar {
                    span,
                    what: "`correction`".into(),
                    shape: t.shape().to_vec(),
                })
            }
        },
        None => 1.0,
    };
    let x = c.node(0)?;
    let shape = m.tape.shape(x).to_vec();
    let n = match ax {
        Some(a) => shape[a],
        None => m.tape.value(x).len(),
    };
    let s = m.tape.sum(x, ax);
    let inv_n = m.tape.scalar(1.0 / n as f64);
    let mean = m.tape.mul(s, inv_n);
    let mean = m.tape.reshape_unchecked(mean, &keepdims(&shape, ax));
    let d = m.tape.sub(x, mean);
    let d2 = m.tape.mul(d, d);
    let ss = m.tape.sum(d2, ax);
    let inv = m.tape.scalar(1.0 / (n as f64 - correction));
    Ok((m.tape.mul(ss, inv), ax))
}

pub(super) fn var(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (v, ax) = variance(m, c)?;
    kept(m, c, ax, v)
}

pub(super) fn std(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (v, ax) = variance(m, c)?;
    let s = m.tape.unary(crate::autodiff::UnaryFn::Sqrt, v);
    kept(m, c, ax, s)
}

/// A value read from the first argument's entries, not differentiable:
/// the tape cannot replay it at new params, so it is recorded afresh.
fn read_values(m: &mut Interp, c: &Call) -> Result<Tensor, EvalError> {
    let x = c.node(0)?;
    if m.tape.requires_grad(x) {
        m.tape.forbid_replay();
    }
    Ok(m.tape.decide(x).clone())
}

/// The index of the first largest (`max`) or smallest entry of each lane
/// (NaN counting as the extreme, as in torch), flat without an axis.
fn arg_extreme(m: &mut Interp, c: &Call, max: bool) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let x = read_values(m, c)?;
    let empty = match ax {
        Some(a) => x.shape()[a] == 0,
        None => x.is_empty(),
    };
    if empty {
        let e = crate::autodiff::OpError::Empty;
        return Err(m.op_error(
            e,
            &format!("`{}`", c.name),
            c.callee,
            (c.span(0), c.span(0)),
        ));
    }
    let pick = |lane: &[f64]| {
        let better =
            |a: f64, b: f64| !b.is_nan() && (a.is_nan() || if max { a > b } else { a < b });
        let mut best = 0;
        for (i, &v) in lane.iter().enumerate() {
            if better(v, lane[best]) {
                best = i;
            }
        }
        best as f64
    };
    let mut out = crate::autodiff::reduce::reduce(&x, ax, pick);
    if flag(m, c, "keepdims")? {
        out = out.reshaped(&keepdims(x.shape(), ax));
    }
    // Reshaped before it goes on the tape, so it stays marked as indices.
    Ok(m.tape.indices(out))
}

pub(super) fn argmax(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    arg_extreme(m, c, true)
}

pub(super) fn argmin(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    arg_extreme(m, c, false)
}

/// One where some (`all`: every) entry of a lane is non-zero, else zero;
/// NaN counts as non-zero, as in torch.
fn truth(m: &mut Interp, c: &Call, all: bool) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let x = read_values(m, c)?;
    let test = |lane: &[f64]| {
        let hit = if all {
            lane.iter().all(|&v| v != 0.0)
        } else {
            lane.iter().any(|&v| v != 0.0)
        };
        f64::from(u8::from(hit))
    };
    let out = crate::autodiff::reduce::reduce(&x, ax, test);
    let id = m.tape.constant(out);
    kept(m, c, ax, id)
}

pub(super) fn any(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    truth(m, c, false)
}

pub(super) fn all(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    truth(m, c, true)
}

/// The error for `cumsum`/`cumprod` (`name`) of a tensor of rank `ndim`
/// (at `span`) with no `axis=`; `gradlang check` reports it too.
pub(crate) fn scan_axis_missing(name: &str, ndim: usize, span: Span) -> EvalError {
    EvalError::BadArgument {
        span,
        message: format!("`{name}` of a {ndim}-D tensor needs an axis"),
        help: Some(format!(
            "e.g. `{name}(x, axis=0)` for running values down the columns"
        )),
    }
}

/// The axis of a running sum or product: `axis=` if given, else 0 for a
/// vector; a tensor of rank 2 or more must name it (torch's `dim` is
/// required; NumPy would flatten). `None` for a scalar, which is its own
/// running sum.
fn scan_axis(m: &mut Interp, c: &Call) -> Result<Option<usize>, EvalError> {
    let ndim = m.tape.shape(c.node(0)?).len();
    if c.opt("axis")?.is_none() && ndim >= 2 {
        return Err(scan_axis_missing(c.name, ndim, c.span(0)));
    }
    if ndim == 0 {
        axis(m, c, None)?;
        return Ok(None);
    }
    axis(m, c, Some(0))
}

pub(super) fn cumsum(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    Ok(match scan_axis(m, c)? {
        Some(a) => m.tape.cumsum(x, a, false),
        None => x,
    })
}

pub(super) fn cumprod(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    Ok(match scan_axis(m, c)? {
        Some(a) => m.tape.cumprod(x, a),
        None => x,
    })
}

/// The entries sorted along `axis=` (default -1): a permutation of them,
/// so the gradient flows back through it.
pub(super) fn sort(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    if m.tape.shape(x).is_empty() {
        axis(m, c, None)?;
        return Ok(x);
    }
    let ax = axis(m, c, Some(-1))?.unwrap_or(0);
    let descending = flag(m, c, "descending")?;
    let values = read_values(m, c)?;
    let map = sort_map(&values, ax, descending);
    let shape = values.shape().to_vec();
    Ok(m.tape.gather(x, map, &shape))
}
