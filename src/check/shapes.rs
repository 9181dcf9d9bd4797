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
//! Where the evaluator's checks are functions, the rules call the same
//! ones. A builtin whose shape is not worth mirroring (`csv`) has an
//! unknown result.

pub(crate) mod linalg;
pub(crate) mod random;
pub(crate) mod staples;

use crate::autodiff::reduce::{keepdims, normalize_axis};
use crate::autodiff::shape::concat_shape;
use crate::autodiff::OpError;
use crate::eval::builtins::create::{dimension, within_limit};
use crate::eval::builtins::math::flag_value;
use crate::eval::builtins::shape::{at_least, hstack_axis, reshape_target};
use crate::eval::builtins::{whole_number, Builtin, ShapeRule};
use crate::eval::error::{self, EvalError, MAX_ELEMENTS};
use crate::syntax::span::Span;
use crate::tensor::broadcast_shapes;

/// A value as far as it is known before running.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Abs {
    pub shape: Option<Vec<usize>>,
    /// The number, for a scalar whose value is known.
    pub value: Option<f64>,
    /// The entries, for a vector whose every entry is known (`[4, 2]`,
    /// `shape(x)`): the dimensions `reshape` and `zeros` may be given.
    pub entries: Option<Vec<f64>>,
}

impl Abs {
    pub fn unknown() -> Abs {
        Abs::default()
    }

    pub fn scalar(value: Option<f64>) -> Abs {
        Abs {
            shape: Some(Vec::new()),
            value,
            entries: None,
        }
    }

    pub fn shaped(shape: Option<Vec<usize>>) -> Abs {
        Abs {
            shape,
            ..Abs::default()
        }
    }

    /// A vector of known entries.
    pub fn vector(entries: Vec<f64>) -> Abs {
        Abs {
            shape: Some(vec![entries.len()]),
            value: None,
            entries: Some(entries),
        }
    }

    /// The entries, as the evaluator lists a tensor: one for a known
    /// scalar, all of them for a known vector.
    fn listed(&self) -> Option<Vec<f64>> {
        match self.shape.as_deref()? {
            [] => self.value.map(|v| vec![v]),
            [_] => self.entries.clone(),
            _ => None,
        }
    }

    /// The value as a whole number, the way the evaluator reads counts.
    pub fn integer(&self) -> Option<i64> {
        self.value
            .filter(|v| v.fract() == 0.0 && v.abs() < 9.0e15)
            .map(|v| v as i64)
    }
}

/// Where a call is: the whole call, and the function's name in it, where
/// the evaluator points most shape errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    pub call: Span,
    pub callee: Span,
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

/// The value of a scalar arithmetic or comparison operation on known
/// numbers (comparisons and `and`/`or` give 1 or 0, as the evaluator's).
pub(super) fn fold(op: crate::syntax::ast::BinOp, a: &Abs, b: &Abs) -> Option<f64> {
    use crate::syntax::ast::BinOp;
    let (x, y) = (a.value?, b.value?);
    let truth = |t: bool| if t { 1.0 } else { 0.0 };
    Some(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Rem => crate::autodiff::BinaryFn::Rem.apply(x, y),
        BinOp::Pow => x.powf(y),
        BinOp::Lt => truth(x < y),
        BinOp::Le => truth(x <= y),
        BinOp::Gt => truth(x > y),
        BinOp::Ge => truth(x >= y),
        BinOp::Eq => truth(x == y),
        BinOp::Ne => truth(x != y),
        BinOp::And => truth(x != 0.0 && y != 0.0),
        BinOp::Or => truth(x != 0.0 || y != 0.0),
        BinOp::MatMul => return None,
    })
}

/// A builtin's own shape rule (`ShapeRule::Custom`): the result of a call
/// with these arguments and options, or the error the evaluator would
/// certainly raise.
pub(crate) type Rule = fn(&[Arg], &[OptArg], Site) -> Result<Abs, EvalError>;

/// The result of calling `b` (already arity-checked) on `args`, or the
/// error the evaluator would certainly raise.
pub(super) fn builtin(
    b: &Builtin,
    args: &[Arg],
    opts: &[OptArg],
    site: Site,
) -> Result<Abs, EvalError> {
    match b.shape {
        ShapeRule::SameAsFirst => Ok(Abs::shaped(arg(args, 0).shape)),
        ShapeRule::Broadcast => broadcast_args(b.name, args, site),
        ShapeRule::ReductionOrBroadcast if args.len() == 2 => broadcast_args(b.name, args, site),
        ShapeRule::Reduction | ShapeRule::ReductionOrBroadcast => reduction(args, opts, site.call),
        ShapeRule::Dims(from) => dims(args, from, site.call).map(Abs::shaped),
        ShapeRule::Unknown => Ok(Abs::unknown()),
        ShapeRule::Custom(rule) => rule(args, opts, site),
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
fn broadcast_args(name: &str, args: &[Arg], site: Site) -> Result<Abs, EvalError> {
    let shape = broadcast(&arg(args, 0), &arg(args, 1)).map_err(|e| {
        let spans = (span(args, 0, site.call), span(args, 1, site.call));
        error::op_error(e, &format!("`{name}`"), site.callee, spans)
    })?;
    Ok(Abs::shaped(shape))
}

/// `clamp(x, lo, hi)`: `x`'s shape when the bounds are scalars.
pub(crate) fn clamp(args: &[Arg], _: &[OptArg], _: Site) -> Result<Abs, EvalError> {
    let scalar = |a: &Abs| a.shape.as_ref().is_some_and(Vec::is_empty);
    Ok(if scalar(&arg(args, 1)) && scalar(&arg(args, 2)) {
        Abs::shaped(arg(args, 0).shape)
    } else {
        Abs::unknown()
    })
}

/// `where(cond, a, b)`: all three broadcast; `a` against `b` first, as
/// the evaluator checks them.
pub(crate) fn where_(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let at = |k| span(args, k, site.call);
    let fail = |spans| move |e| error::op_error(e, "`where`", site.callee, spans);
    let ab = broadcast(&arg(args, 1), &arg(args, 2)).map_err(fail((at(1), at(2))))?;
    let shape =
        broadcast(&arg(args, 0), &Abs::shaped(ab)).map_err(fail((at(0), at(1).to(at(2)))))?;
    Ok(Abs::shaped(shape))
}

/// `dot(a, b)`: a scalar, of two tensors of the same shape.
pub(crate) fn dot(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let call = site.call;
    match (&arg(args, 0).shape, &arg(args, 1).shape) {
        (Some(a), Some(b)) if a != b => Err(EvalError::dot_mismatch(
            site.callee,
            (span(args, 0, call), a.clone()),
            (span(args, 1, call), b.clone()),
        )),
        _ => Ok(Abs::scalar(None)),
    }
}

/// `transpose(x)`: the axes reversed.
pub(crate) fn transpose(args: &[Arg], _: &[OptArg], _: Site) -> Result<Abs, EvalError> {
    Ok(Abs::shaped(arg(args, 0).shape.map(|mut s| {
        s.reverse();
        s
    })))
}

/// `shape(x)`: a vector with one entry per axis.
pub(crate) fn shape(args: &[Arg], _: &[OptArg], _: Site) -> Result<Abs, EvalError> {
    Ok(match arg(args, 0).shape {
        Some(s) => Abs::vector(s.iter().map(|&d| d as f64).collect()),
        None => Abs::unknown(),
    })
}

/// `len(x)`: the first axis's length, a known number.
pub(crate) fn len(args: &[Arg], _: &[OptArg], _: Site) -> Result<Abs, EvalError> {
    let first = arg(args, 0)
        .shape
        .and_then(|s| s.first().map(|&n| n as f64));
    Ok(Abs::scalar(first))
}

/// `eye(n)`: n by n, within the size limit.
pub(crate) fn eye(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let call = site.call;
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
pub(crate) fn linspace(args: &[Arg], _: &[OptArg], _: Site) -> Result<Abs, EvalError> {
    Ok(match arg(args, 2).integer() {
        Some(n) if n >= 0 && (n as f64) <= MAX_ELEMENTS => Abs::shaped(Some(vec![n as usize])),
        _ => Abs::unknown(),
    })
}

/// `polyval(coeffs, x)`: `x`'s shape; one coefficient is a constant, with
/// no `x` in the result.
pub(crate) fn polyval(args: &[Arg], _: &[OptArg], _: Site) -> Result<Abs, EvalError> {
    Ok(match arg(args, 0).shape.as_deref() {
        Some([1]) => Abs::scalar(None),
        Some([n]) if *n > 1 => Abs::shaped(arg(args, 1).shape),
        _ => Abs::unknown(),
    })
}

/// Flag option `name`: false if not given, `None` if its value is unknown;
/// the evaluator's errors for a value that is not 0 or 1.
pub(super) fn known_flag(opts: &[OptArg], name: &str) -> Result<Option<bool>, EvalError> {
    let Some((_, v, span)) = opts.iter().find(|(n, _, _)| n == name) else {
        return Ok(Some(false));
    };
    match v
        .as_ref()
        .filter(|v| v.shape.as_deref() == Some(&[]))
        .and_then(|v| v.value)
    {
        Some(v) => {
            let what = format!("`{name}`");
            flag_value(whole_number(v, *span, &what)?, name, *span).map(Some)
        }
        None => Ok(None),
    }
}

/// `sum(x, axis=k)` and the other reductions; `keepdims=true` keeps the
/// reduced axis (or every axis) as length 1.
fn reduction(args: &[Arg], opts: &[OptArg], call: Span) -> Result<Abs, EvalError> {
    let (x, x_span) = (arg(args, 0), span(args, 0, call));
    let axis = opts.iter().find(|(n, _, _)| n == "axis");
    let ax = match axis {
        None => None,
        Some((_, value, axis_span)) => {
            let (Some(shape), Some(a)) = (&x.shape, value.as_ref().and_then(Abs::integer)) else {
                return Ok(Abs::unknown());
            };
            let ax = normalize_axis(a, shape.len())
                .map_err(|e| error::op_error(e, "the axis", call, (x_span, *axis_span)))?;
            Some(ax)
        }
    };
    // After the axis, as the evaluator reads them.
    let keep = known_flag(opts, "keepdims")?;
    Ok(match (keep, &x.shape, ax) {
        (Some(false), _, None) => Abs::scalar(None),
        (Some(true), Some(shape), ax) => Abs::shaped(Some(keepdims(shape, ax))),
        (Some(false), Some(shape), Some(ax)) => {
            let mut out = shape.clone();
            out.remove(ax);
            Abs::shaped(Some(out))
        }
        _ => Abs::unknown(),
    })
}

/// The dimensions of a creation call, from argument `from` on (or one
/// vector of them, `zeros(shape(x))`), when every one is known; the
/// evaluator's checks and limits, from the same functions.
fn dims(args: &[Arg], from: usize, call: Span) -> Result<Option<Vec<usize>>, EvalError> {
    let rest = args.get(from..).unwrap_or_default();
    let single_list = rest.len() == 1 && arg(rest, 0).shape.is_some_and(|s| s.len() == 1);
    let mut out = Vec::new();
    for (a, span) in rest {
        let a = a.clone().unwrap_or_default();
        let values = if single_list {
            a.entries
        } else {
            match a.shape.as_deref() {
                Some([]) => match a.value {
                    Some(v) => Some(vec![whole_number(v, *span, "a dimension")? as f64]),
                    None => None,
                },
                _ => None,
            }
        };
        let Some(values) = values else {
            return Ok(None);
        };
        for v in values {
            out.push(dimension(v, *span)?);
        }
    }
    within_limit(out, call).map(Some)
}

/// `reshape(x, [d, ...])`: the new shape, when `x`'s shape and the
/// dimensions are known.
pub(crate) fn reshape(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let (x, spec) = (arg(args, 0), arg(args, 1));
    let spec_span = span(args, 1, site.call);
    if spec.shape.as_ref().is_some_and(|s| s.len() > 1) {
        return Err(EvalError::BadArgument {
            span: spec_span,
            message: "the new shape must be a list of dimensions".into(),
            help: Some("e.g. `reshape(x, [2, 3])`".into()),
        });
    }
    let (Some(from), Some(listed)) = (x.shape, spec.listed()) else {
        return Ok(Abs::unknown());
    };
    let total = from.iter().product();
    let to = reshape_target(&listed, total, spec_span)?;
    if to.iter().product::<usize>() != total {
        let spans = (span(args, 0, site.call), spec_span);
        let e = OpError::Reshape { from, to };
        return Err(error::op_error(e, "`reshape`", site.call, spans));
    }
    Ok(Abs::shaped(Some(to)))
}

/// `hstack(a, b, ...)`: scalars become vectors; vectors join along axis 0,
/// the rest along axis 1.
pub(crate) fn hstack(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    stack("hstack", args, 1, hstack_axis, site)
}

/// `vstack(a, b, ...)`: pieces become at least 2-D and join along axis 0.
pub(crate) fn vstack(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    stack("vstack", args, 2, |_| 0, site)
}

fn stack(
    name: &str,
    args: &[Arg],
    rank: usize,
    axis_for: fn(usize) -> usize,
    site: Site,
) -> Result<Abs, EvalError> {
    let Some(shapes) = known_shapes(args) else {
        return Ok(Abs::unknown());
    };
    let promoted: Vec<Vec<usize>> = shapes.iter().map(|s| at_least(s, rank)).collect();
    let axis = axis_for(promoted.first().map_or(0, Vec::len));
    join(name, args, &promoted, axis, site)
}

/// `concat(a, b, ..., axis=0)`.
pub(crate) fn concat(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let Some(shapes) = known_shapes(args) else {
        return Ok(Abs::unknown());
    };
    let ndim = shapes.first().map_or(0, Vec::len);
    let axis = match opts.iter().find(|(n, _, _)| n == "axis") {
        Some((_, value, axis_span)) => {
            let Some(v) = value.as_ref().filter(|v| v.shape.as_deref() == Some(&[])) else {
                return Ok(Abs::unknown());
            };
            let Some(v) = v.value else {
                return Ok(Abs::unknown());
            };
            let a = whole_number(v, *axis_span, "an axis")?;
            let spans = (span(args, 0, site.call), *axis_span);
            normalize_axis(a, ndim).map_err(|e| error::op_error(e, "`concat`", site.call, spans))?
        }
        None if ndim == 0 => {
            return Err(EvalError::BadArgument {
                span: span(args, 0, site.call),
                message: "`concat` joins tensors of rank 1 or more".into(),
                help: Some("use `hstack` to join scalars".into()),
            })
        }
        None => 0,
    };
    join("concat", args, &shapes, axis, site)
}

/// Every argument's shape, if all are known.
pub(super) fn known_shapes(args: &[Arg]) -> Option<Vec<Vec<usize>>> {
    args.iter()
        .map(|(a, _)| a.as_ref().and_then(|a| a.shape.clone()))
        .collect()
}

/// The pieces' shapes joined along `axis`, or the evaluator's error,
/// pointing at the first piece and the first that differs from it.
fn join(
    name: &str,
    args: &[Arg],
    shapes: &[Vec<usize>],
    axis: usize,
    site: Site,
) -> Result<Abs, EvalError> {
    let refs: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
    concat_shape(&refs, axis)
        .map(|s| Abs::shaped(Some(s)))
        .map_err(|e| {
            let bad = shapes.iter().position(|s| *s != shapes[0]).unwrap_or(0);
            let spans = (span(args, 0, site.call), span(args, bad, site.call));
            error::op_error(e, &format!("`{name}`"), site.callee, spans)
        })
}

/// `arange(a, b, step=s)`: its length, with known numbers.
pub(crate) fn arange(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let call = site.call;
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
