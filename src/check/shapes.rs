//! What `gradlang check` knows about a value without computing it: its
//! shape when that follows from literals and creation calls (`zeros(3, 2)`,
//! `[1, 2, 3]`, `let N = 20` then `randn(N, 1)`), and its number when it is
//! a scalar built from literals. Anything else is unknown, and an unknown
//! shape never causes an error: `check` reports a mismatch only when the
//! evaluator certainly would.
//!
//! The rules mirror the evaluator's (broadcasting, `@`, reductions, the
//! creation builtins). Each builtin names its rule in its table entry
//! (`ShapeRule` in `eval::builtins`); the rules of their own are here.
//! Where a builtin's shape is not worth mirroring (`reshape`, the stacking
//! functions, `csv`) the result is unknown.

pub(crate) mod linalg;

use crate::autodiff::reduce::normalize_axis;
use crate::autodiff::OpError;
use crate::eval::builtins::{Builtin, ShapeRule};
use crate::eval::error::{self, EvalError, MAX_ELEMENTS};
use crate::syntax::span::Span;
use crate::tensor::broadcast_shapes;

/// A value as far as it is known before running.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Abs {
    pub shape: Option<Vec<usize>>,
    /// The number, for a scalar whose value is known.
    pub value: Option<f64>,
}

impl Abs {
    pub fn unknown() -> Abs {
        Abs::default()
    }

    pub fn scalar(value: Option<f64>) -> Abs {
        Abs {
            shape: Some(Vec::new()),
            value,
        }
    }

    pub fn shaped(shape: Option<Vec<usize>>) -> Abs {
        Abs { shape, value: None }
    }

    /// The value as a whole number, the way the evaluator reads counts.
    pub fn integer(&self) -> Option<i64> {
        self.value
            .filter(|v| v.fract() == 0.0 && v.abs() < 9.0e15)
            .map(|v| v as i64)
    }
}

/// An evaluated argument: a value, or a string literal (`None`).
pub(crate) type Arg = (Option<Abs>, Span);

/// An evaluated option: its name, value and where the value is.
pub(crate) type OptArg = (String, Option<Abs>, Span);

/// The shape of an elementwise operation on `a` and `b`.
pub(super) fn broadcast(a: &Abs, b: &Abs) -> Result<Option<Vec<usize>>, OpError> {
    match (&a.shape, &b.shape) {
        (Some(x), Some(y)) => broadcast_shapes(x, y).map(Some).map_err(OpError::from),
        _ => Ok(None),
    }
}

/// The shape of `a @ b` (NumPy `matmul` for 1-D and 2-D operands).
pub(super) fn matmul(a: &Abs, b: &Abs) -> Result<Option<Vec<usize>>, OpError> {
    let (Some(sa), Some(sb)) = (&a.shape, &b.shape) else {
        return Ok(None);
    };
    let err = || OpError::MatMul {
        lhs: sa.clone(),
        rhs: sb.clone(),
    };
    if sa.is_empty() || sb.is_empty() || sa.len() > 2 || sb.len() > 2 {
        return Err(err());
    }
    let inner_a = sa[sa.len() - 1];
    let inner_b = sb[0];
    if inner_a != inner_b {
        return Err(err());
    }
    let mut out = Vec::new();
    if sa.len() == 2 {
        out.push(sa[0]);
    }
    if sb.len() == 2 {
        out.push(sb[1]);
    }
    Ok(Some(out))
}

/// The value of a scalar arithmetic operation on known numbers.
pub(super) fn fold(op: crate::syntax::ast::BinOp, a: &Abs, b: &Abs) -> Option<f64> {
    use crate::syntax::ast::BinOp;
    let (x, y) = (a.value?, b.value?);
    Some(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => x.powf(y),
        _ => return None,
    })
}

/// A builtin's own shape rule (`ShapeRule::Custom`): the result of a call
/// with these arguments and options, or the error the evaluator would
/// certainly raise.
pub(crate) type Rule = fn(&[Arg], &[OptArg], Span) -> Result<Abs, EvalError>;

/// The result of calling `b` (already arity-checked) on `args`, or the
/// error the evaluator would certainly raise.
pub(super) fn builtin(
    b: &Builtin,
    args: &[Arg],
    opts: &[OptArg],
    call: Span,
) -> Result<Abs, EvalError> {
    match b.shape {
        ShapeRule::SameAsFirst => Ok(Abs::shaped(arg(args, 0).shape)),
        ShapeRule::Broadcast => broadcast_args(b.name, args, call),
        ShapeRule::ReductionOrBroadcast if args.len() == 2 => broadcast_args(b.name, args, call),
        ShapeRule::Reduction | ShapeRule::ReductionOrBroadcast => reduction(args, opts, call),
        ShapeRule::Dims(from) => dims(args, from, call).map(Abs::shaped),
        ShapeRule::Unknown => Ok(Abs::unknown()),
        ShapeRule::Custom(rule) => rule(args, opts, call),
    }
}

/// What is known of argument `k` (nothing, for a string or a missing one).
fn arg(args: &[Arg], k: usize) -> Abs {
    args.get(k).and_then(|(a, _)| a.clone()).unwrap_or_default()
}

/// Where argument `k` is, or the call when there is none.
fn span(args: &[Arg], k: usize, call: Span) -> Span {
    args.get(k).map_or(call, |(_, s)| *s)
}

/// The first two arguments broadcast, as `name` does elementwise.
fn broadcast_args(name: &str, args: &[Arg], call: Span) -> Result<Abs, EvalError> {
    let shape = broadcast(&arg(args, 0), &arg(args, 1)).map_err(|e| {
        let spans = (span(args, 0, call), span(args, 1, call));
        error::op_error(e, &format!("`{name}`"), call, spans)
    })?;
    Ok(Abs::shaped(shape))
}

/// `clamp(x, lo, hi)`: `x`'s shape when the bounds are scalars.
pub(crate) fn clamp(args: &[Arg], _: &[OptArg], _: Span) -> Result<Abs, EvalError> {
    let scalar = |a: &Abs| a.shape.as_ref().is_some_and(Vec::is_empty);
    Ok(if scalar(&arg(args, 1)) && scalar(&arg(args, 2)) {
        Abs::shaped(arg(args, 0).shape)
    } else {
        Abs::unknown()
    })
}

/// `dot(a, b)`: a scalar, of two tensors of the same shape.
pub(crate) fn dot(args: &[Arg], _: &[OptArg], call: Span) -> Result<Abs, EvalError> {
    match (&arg(args, 0).shape, &arg(args, 1).shape) {
        (Some(a), Some(b)) if a != b => Err(EvalError::dot_mismatch(
            call,
            (span(args, 0, call), a.clone()),
            (span(args, 1, call), b.clone()),
        )),
        _ => Ok(Abs::scalar(None)),
    }
}

/// `transpose(x)`: the axes reversed.
pub(crate) fn transpose(args: &[Arg], _: &[OptArg], _: Span) -> Result<Abs, EvalError> {
    Ok(Abs::shaped(arg(args, 0).shape.map(|mut s| {
        s.reverse();
        s
    })))
}

/// `shape(x)`: a vector with one entry per axis.
pub(crate) fn shape(args: &[Arg], _: &[OptArg], _: Span) -> Result<Abs, EvalError> {
    Ok(Abs::shaped(arg(args, 0).shape.map(|s| vec![s.len()])))
}

/// `len(x)`: the first axis's length, a known number.
pub(crate) fn len(args: &[Arg], _: &[OptArg], _: Span) -> Result<Abs, EvalError> {
    let first = arg(args, 0)
        .shape
        .and_then(|s| s.first().map(|&n| n as f64));
    Ok(Abs::scalar(first))
}

/// `eye(n)`: n by n, within the size limit.
pub(crate) fn eye(args: &[Arg], _: &[OptArg], call: Span) -> Result<Abs, EvalError> {
    Ok(match arg(args, 0).integer() {
        Some(n) if n >= 0 => {
            if n as f64 > MAX_ELEMENTS {
                return Err(EvalError::TooLarge {
                    span: span(args, 0, call),
                    elements: n as f64,
                });
            }
            let elements = (n as f64) * (n as f64);
            if elements > MAX_ELEMENTS {
                return Err(EvalError::TooLarge {
                    span: call,
                    elements,
                });
            }
            Abs::shaped(Some(vec![n as usize, n as usize]))
        }
        _ => Abs::unknown(),
    })
}

/// `linspace(a, b, n)`: n numbers.
pub(crate) fn linspace(args: &[Arg], _: &[OptArg], _: Span) -> Result<Abs, EvalError> {
    Ok(match arg(args, 2).integer() {
        Some(n) if n >= 0 && (n as f64) <= MAX_ELEMENTS => Abs::shaped(Some(vec![n as usize])),
        _ => Abs::unknown(),
    })
}

/// `polyval(coeffs, x)`: `x`'s shape; one coefficient is a constant, with
/// no `x` in the result.
pub(crate) fn polyval(args: &[Arg], _: &[OptArg], _: Span) -> Result<Abs, EvalError> {
    Ok(match arg(args, 0).shape.as_deref() {
        Some([1]) => Abs::scalar(None),
        Some([n]) if *n > 1 => Abs::shaped(arg(args, 1).shape),
        _ => Abs::unknown(),
    })
}

/// `sum(x, axis=k)` and the other reductions.
fn reduction(args: &[Arg], opts: &[OptArg], call: Span) -> Result<Abs, EvalError> {
    let (x, x_span) = (arg(args, 0), span(args, 0, call));
    let axis = opts.iter().find(|(n, _, _)| n == "axis");
    let Some((_, value, axis_span)) = axis else {
        return Ok(Abs::scalar(None));
    };
    let (Some(shape), Some(a)) = (&x.shape, value.as_ref().and_then(Abs::integer)) else {
        return Ok(Abs::unknown());
    };
    let ax = normalize_axis(a, shape.len())
        .map_err(|e| error::op_error(e, "the axis", call, (x_span, *axis_span)))?;
    let mut out = shape.clone();
    out.remove(ax);
    Ok(Abs::shaped(Some(out)))
}

/// The dimensions of a creation call, from argument `from` on, when every
/// one is a known number; the same limits as the evaluator.
fn dims(args: &[Arg], from: usize, call: Span) -> Result<Option<Vec<usize>>, EvalError> {
    let mut out = Vec::new();
    for (a, span) in args.iter().skip(from) {
        let Some(v) = a
            .as_ref()
            .and_then(|a| a.shape.as_ref().filter(|s| s.is_empty()).and(a.value))
        else {
            return Ok(None);
        };
        if v.is_finite() && v.abs() >= 9.0e15 || v > MAX_ELEMENTS && v.fract() == 0.0 {
            return Err(EvalError::TooLarge {
                span: *span,
                elements: v,
            });
        }
        if v < 0.0 || v.fract() != 0.0 {
            return Ok(None);
        }
        out.push(v as usize);
    }
    let total: f64 = out.iter().map(|&d| d as f64).product();
    if total > MAX_ELEMENTS {
        return Err(EvalError::TooLarge {
            span: call,
            elements: total,
        });
    }
    Ok(Some(out))
}

/// `arange(a, b, step=s)`: its length, with known numbers.
pub(crate) fn arange(args: &[Arg], opts: &[OptArg], call: Span) -> Result<Abs, EvalError> {
    let value = |k: usize| args.get(k).and_then(|(a, _)| a.as_ref()?.value);
    let (a, b) = match args.len() {
        1 => (Some(0.0), value(0)),
        _ => (value(0), value(1)),
    };
    let step = match opts.iter().find(|(n, _, _)| n == "step") {
        Some((_, v, _)) => v.as_ref().and_then(|v| v.value),
        None => Some(1.0),
    };
    let (Some(a), Some(b), Some(step)) = (a, b, step) else {
        return Ok(Abs::unknown());
    };
    if step == 0.0 || !step.is_finite() {
        return Ok(Abs::unknown());
    }
    let count = ((b - a) / step).ceil().max(0.0);
    if !count.is_finite() || count > MAX_ELEMENTS {
        return Err(EvalError::TooLarge {
            span: call,
            elements: count,
        });
    }
    Ok(Abs::shaped(Some(vec![count as usize])))
}
