//! What `gradlang check` knows about a value without computing it: its
//! shape when that follows from literals and creation calls (`zeros(3, 2)`,
//! `[1, 2, 3]`, `let N = 20` then `randn(N, 1)`), and its number when it is
//! a scalar built from literals. Anything else is unknown, and an unknown
//! shape never causes an error: `check` reports a mismatch only when the
//! evaluator certainly would.
//!
//! The rules mirror the evaluator's (broadcasting, `@`, reductions, the
//! creation builtins); where a builtin's shape is not worth mirroring
//! (`reshape`, the stacking functions, `csv`) the result is unknown.

use crate::autodiff::reduce::normalize_axis;
use crate::autodiff::OpError;
use crate::eval::error::{self, EvalError, MAX_ELEMENTS};
use crate::syntax::span::Span;
use crate::tensor::broadcast_shapes;

/// A value as far as it is known before running.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Abs {
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
pub(super) type Arg = (Option<Abs>, Span);

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

const ELEMENTWISE: &[&str] = &[
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softplus", "abs",
    "sign", "softmax",
];
const REDUCTIONS: &[&str] = &["sum", "mean", "prod", "norm", "logsumexp", "max", "min"];

/// The result of builtin `name` on `args` (already arity-checked), or the
/// error the evaluator would certainly raise.
pub(super) fn builtin(
    name: &str,
    args: &[Arg],
    opts: &[(String, Option<Abs>, Span)],
    call: Span,
) -> Result<Abs, EvalError> {
    let arg = |k: usize| args.get(k).and_then(|(a, _)| a.clone()).unwrap_or_default();
    let span = |k: usize| args.get(k).map_or(call, |(_, s)| *s);
    let x = arg(0);
    if ELEMENTWISE.contains(&name) {
        return Ok(Abs::shaped(x.shape));
    }
    match name {
        "pow" | "max" | "min" if args.len() == 2 => {
            let shape = broadcast(&x, &arg(1))
                .map_err(|e| error::op_error(e, &format!("`{name}`"), call, (span(0), span(1))))?;
            Ok(Abs::shaped(shape))
        }
        _ if REDUCTIONS.contains(&name) => reduction(&x, opts, call, span(0)),
        "clamp" => {
            let scalar = |a: &Abs| a.shape.as_ref().is_some_and(Vec::is_empty);
            Ok(if scalar(&arg(1)) && scalar(&arg(2)) {
                Abs::shaped(x.shape)
            } else {
                Abs::unknown()
            })
        }
        "dot" => match (&x.shape, &arg(1).shape) {
            (Some(a), Some(b)) if a != b => Err(EvalError::dot_mismatch(
                call,
                (span(0), a.clone()),
                (span(1), b.clone()),
            )),
            _ => Ok(Abs::scalar(None)),
        },
        "transpose" => Ok(Abs::shaped(x.shape.map(|mut s| {
            s.reverse();
            s
        }))),
        "shape" => Ok(Abs::shaped(x.shape.map(|s| vec![s.len()]))),
        "len" => Ok(Abs::scalar(
            x.shape.and_then(|s| s.first().map(|&n| n as f64)),
        )),
        "zeros" | "ones" | "rand" | "randn" => dims(args, 0, call).map(Abs::shaped),
        "full" => dims(args, 1, call).map(Abs::shaped),
        "eye" => Ok(match x.integer() {
            Some(n) if n >= 0 => {
                if n as f64 > MAX_ELEMENTS {
                    return Err(EvalError::TooLarge {
                        span: span(0),
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
        }),
        "linspace" => Ok(match arg(2).integer() {
            Some(n) if n >= 0 && (n as f64) <= MAX_ELEMENTS => Abs::shaped(Some(vec![n as usize])),
            _ => Abs::unknown(),
        }),
        "arange" => arange(args, opts, call),
        // One coefficient is a constant: no `x` in the result.
        "polyval" => Ok(match x.shape.as_deref() {
            Some([1]) => Abs::scalar(None),
            Some([n]) if *n > 1 => Abs::shaped(arg(1).shape),
            _ => Abs::unknown(),
        }),
        _ => Ok(Abs::unknown()),
    }
}

/// `sum(x, axis=k)` and the other reductions.
fn reduction(
    x: &Abs,
    opts: &[(String, Option<Abs>, Span)],
    call: Span,
    x_span: Span,
) -> Result<Abs, EvalError> {
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

/// `arange(a, b, step=s)` with known numbers: its length.
fn arange(
    args: &[Arg],
    opts: &[(String, Option<Abs>, Span)],
    call: Span,
) -> Result<Abs, EvalError> {
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
