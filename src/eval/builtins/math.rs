//! Elementwise builtins and reductions.

use super::Call;
use crate::autodiff::reduce::{keepdims, normalize_axis};
use crate::autodiff::{BinaryFn, NodeId};
use crate::eval::error::EvalError;
use crate::eval::Interp;
use crate::syntax::span::Span;

/// A table entry for a one-argument elementwise function.
macro_rules! unary {
    ($name:literal, $sig:literal, $summary:literal, $f:ident) => {
        Builtin {
            name: $name,
            signature: $sig,
            summary: $summary,
            arity: Arity::Exactly(1),
            options: &[],
            shape: ShapeRule::SameAsFirst,
            run: |m, c| {
                let x = c.node(0)?;
                Ok(m.tape.unary(crate::autodiff::UnaryFn::$f, x))
            },
        }
    };
}
pub(super) use unary;

fn binary(m: &mut Interp, c: &Call, f: BinaryFn) -> Result<NodeId, EvalError> {
    let (a, b) = (c.node(0)?, c.node(1)?);
    let name = format!("`{}`", c.name);
    m.tape
        .binary(f, a, b)
        .map_err(|e| m.op_error(e, &name, c.callee, (c.span(0), c.span(1))))
}

pub(super) fn pow(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    binary(m, c, BinaryFn::Pow)
}

pub(super) fn atan2(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    binary(m, c, BinaryFn::Atan2)
}

pub(super) fn where_(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (cond, a, b) = (c.node(0)?, c.node(1)?, c.node(2)?);
    // `a` against `b` first, so a mismatch there is labelled at the two.
    if let Err(e) = crate::tensor::broadcast_shapes(m.tape.shape(a), m.tape.shape(b)) {
        return Err(m.op_error(e.into(), "`where`", c.callee, (c.span(1), c.span(2))));
    }
    m.tape
        .where_(cond, a, b)
        .map_err(|e| m.op_error(e, "`where`", c.callee, (c.span(0), c.span(1).to(c.span(2)))))
}

pub(super) fn clamp(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (x, lo, hi) = (c.node(0)?, c.node(1)?, c.node(2)?);
    m.tape
        .clamp(x, lo, hi)
        .map_err(|e| m.op_error(e, "`clamp`", c.callee, (c.span(0), c.span(1).to(c.span(2)))))
}

/// The `axis=` option checked against the first argument's rank.
pub(super) fn axis(
    m: &mut Interp,
    c: &Call,
    default: Option<i64>,
) -> Result<Option<usize>, EvalError> {
    let ndim = m.tape.shape(c.node(0)?).len();
    let raw = match c.opt("axis")? {
        Some((id, span)) => Some((m.integer_of(id, span, "an axis")?, span)),
        None => default.map(|a| (a, c.span)),
    };
    match raw {
        None => Ok(None),
        Some((a, span)) => normalize_axis(a, ndim)
            .map(Some)
            .map_err(|e| m.op_error(e, "the axis", c.span, (c.span(0), span))),
    }
}

/// Option `name` as a yes/no flag: 0 (or `false`) or 1 (or `true`).
pub(super) fn flag(m: &mut Interp, c: &Call, name: &str) -> Result<bool, EvalError> {
    let Some((id, span)) = c.opt(name)? else {
        return Ok(false);
    };
    let v = m.integer_of(id, span, &format!("`{name}`"))?;
    flag_value(v, name, span)
}

/// The whole number `v` (at `span`) as the flag `name`: 0 or 1.
/// `gradlang check` reads known flags with it too.
pub(crate) fn flag_value(v: i64, name: &str, span: Span) -> Result<bool, EvalError> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        v => Err(EvalError::BadArgument {
            span,
            message: format!("`{name}` is a flag, found {v}"),
            help: Some(format!("write `{name}=true` or `{name}=false`")),
        }),
    }
}

/// `result`, a reduction of the first argument over `ax`, reshaped to keep
/// the reduced axis (or every axis) as length 1 when `keepdims=true`.
pub(super) fn kept(
    m: &mut Interp,
    c: &Call,
    ax: Option<usize>,
    result: NodeId,
) -> Result<NodeId, EvalError> {
    if !flag(m, c, "keepdims")? {
        return Ok(result);
    }
    let shape = keepdims(m.tape.shape(c.node(0)?), ax);
    Ok(m.tape.reshape_unchecked(result, &shape))
}

pub(super) fn sum(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let s = m.tape.sum(c.node(0)?, ax);
    kept(m, c, ax, s)
}

pub(super) fn mean(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let x = c.node(0)?;
    let n = match ax {
        Some(a) => m.tape.shape(x)[a],
        None => m.tape.value(x).len(),
    };
    let s = m.tape.sum(x, ax);
    let inv = m.tape.scalar(1.0 / n as f64);
    let mean = m.tape.mul(s, inv);
    kept(m, c, ax, mean)
}

fn extreme(m: &mut Interp, c: &Call, max: bool) -> Result<NodeId, EvalError> {
    if c.args.len() == 2 {
        for name in ["axis", "keepdims"] {
            if let Some((_, span)) = c.opt(name)? {
                return Err(EvalError::BadArgument {
                    span,
                    message: format!("`{}` of two tensors takes no {name}", c.name),
                    help: None,
                });
            }
        }
        return binary(m, c, if max { BinaryFn::Max } else { BinaryFn::Min });
    }
    let ax = axis(m, c, None)?;
    let x = c.node(0)?;
    let name = format!("`{}`", c.name);
    let r = m
        .tape
        .extreme(x, ax, max)
        .map_err(|e| m.op_error(e, &name, c.callee, (c.span(0), c.span(0))))?;
    kept(m, c, ax, r)
}

pub(super) fn max(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    extreme(m, c, true)
}

pub(super) fn min(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    extreme(m, c, false)
}

pub(super) fn prod(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let p = m.tape.prod(c.node(0)?, ax);
    kept(m, c, ax, p)
}

pub(super) fn norm(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let n = m.tape.norm(c.node(0)?, ax);
    kept(m, c, ax, n)
}

pub(super) fn logsumexp(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let ax = axis(m, c, None)?;
    let x = c.node(0)?;
    let shift_b = m.tape.max_shift(x, ax);
    let z = m.tape.sub(x, shift_b);
    let e = m.tape.unary(crate::autodiff::UnaryFn::Exp, z);
    let s = m.tape.sum(e, ax);
    let l = m.tape.unary(crate::autodiff::UnaryFn::Log, s);
    let out_shape = m.tape.shape(l).to_vec();
    let back = m.tape.reshape_unchecked(shift_b, &out_shape);
    let r = m.tape.add(l, back);
    kept(m, c, ax, r)
}

pub(super) fn softmax(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let ax = if m.tape.shape(x).is_empty() {
        None
    } else {
        axis(m, c, Some(-1))?
    };
    let shift_b = m.tape.max_shift(x, ax);
    let z = m.tape.sub(x, shift_b);
    let e = m.tape.unary(crate::autodiff::UnaryFn::Exp, z);
    let s = m.tape.sum(e, ax);
    let kept = keepdims(m.tape.shape(x), ax);
    let s = m.tape.reshape_unchecked(s, &kept);
    Ok(m.tape.div(e, s))
}

pub(super) fn dot(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (a, b) = (c.node(0)?, c.node(1)?);
    let (sa, sb) = (m.tape.shape(a).to_vec(), m.tape.shape(b).to_vec());
    if sa != sb {
        return Err(EvalError::dot_mismatch(
            c.callee,
            (c.span(0), sa),
            (c.span(1), sb),
        ));
    }
    let p = m.tape.mul(a, b);
    Ok(m.tape.sum(p, None))
}
