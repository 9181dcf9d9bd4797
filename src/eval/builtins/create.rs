//! Builtins that make tensors: constants, ranges and polynomials (random
//! draws are `random.rs`, CSV files `csv.rs`).

use super::Call;
use crate::autodiff::{IndexPart, NodeId};
use crate::eval::error::{EvalError, MAX_ELEMENTS};
use crate::eval::Interp;
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// The dimensions given as arguments `from..` (or as one 1-D tensor, e.g.
/// `zeros(shape(x))`), checked to be whole, non-negative and not too large.
pub(super) fn dims(m: &mut Interp, c: &Call, from: usize) -> Result<Vec<usize>, EvalError> {
    let mut out = Vec::new();
    let ids = c.nodes()?;
    let single_list = ids.len() == from + 1 && m.tape.shape(ids[from]).len() == 1;
    for (k, &id) in ids.iter().enumerate().skip(from) {
        let span = c.span(k);
        let values: Vec<f64> = if single_list {
            m.tape.decide(id).to_vec()
        } else {
            vec![m.integer_of(id, span, "a dimension")? as f64]
        };
        for v in values {
            out.push(dimension(v, span)?);
        }
    }
    within_limit(out, c.span)
}

/// `v` (at `span`) as one dimension of a new tensor; `gradlang check`
/// reads known dimensions with it too.
pub(crate) fn dimension(v: f64, span: Span) -> Result<usize, EvalError> {
    if v < 0.0 || v.fract() != 0.0 {
        return Err(EvalError::BadArgument {
            span,
            message: format!("{v} is not a valid dimension"),
            help: Some("dimensions are whole numbers >= 0".into()),
        });
    }
    if v > MAX_ELEMENTS {
        return Err(EvalError::TooLarge { span, elements: v });
    }
    Ok(v as usize)
}

/// `dims` if a tensor of that shape is not too large for the call at `span`.
pub(crate) fn within_limit(dims: Vec<usize>, span: Span) -> Result<Vec<usize>, EvalError> {
    let total: f64 = dims.iter().map(|&d| d as f64).product();
    if total > MAX_ELEMENTS {
        return Err(EvalError::TooLarge {
            span,
            elements: total,
        });
    }
    Ok(dims)
}

fn filled(m: &mut Interp, c: &Call, from: usize, v: f64) -> Result<NodeId, EvalError> {
    let shape = dims(m, c, from)?;
    Ok(m.tape.constant(Tensor::full(&shape, v)))
}

pub(super) fn zeros(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    filled(m, c, 0, 0.0)
}

pub(super) fn ones(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    filled(m, c, 0, 1.0)
}

/// `full(v, d...)`: `v` may carry a gradient, so it is broadcast on the tape.
pub(super) fn full(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let v = c.node(0)?;
    let shape = dims(m, c, 1)?;
    m.tape
        .broadcast_to(v, &shape)
        .map_err(|e| m.op_error(e, "`full`", c.callee, (c.span(0), c.span)))
}

pub(super) fn eye(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    // `eye([])` or `eye([2, 3])` give no single size.
    let &[n] = dims(m, c, 0)?.as_slice() else {
        return Err(EvalError::BadArgument {
            span: c.span(0),
            message: "`eye` takes one size".into(),
            help: Some("e.g. `eye(3)` for the 3 x 3 identity".into()),
        });
    };
    if (n as f64) * (n as f64) > MAX_ELEMENTS {
        return Err(EvalError::TooLarge {
            span: c.span,
            elements: (n as f64) * (n as f64),
        });
    }
    let data = (0..n * n)
        .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
        .collect();
    Ok(m.tape.constant(Tensor::from_shape_vec(&[n, n], data)))
}

fn scalar_arg(m: &mut Interp, c: &Call, k: usize, what: &str) -> Result<f64, EvalError> {
    match m.tape.decide(c.node(k)?) {
        Tensor::Scalar(v) => Ok(*v),
        t => Err(EvalError::NotScalar {
            span: c.span(k),
            what: what.into(),
            shape: t.shape().to_vec(),
        }),
    }
}

pub(super) fn linspace(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (a, b) = (
        scalar_arg(m, c, 0, "the start")?,
        scalar_arg(m, c, 1, "the end")?,
    );
    let count = m.integer_of(c.node(2)?, c.span(2), "the count")?;
    if count < 0 || count as f64 > MAX_ELEMENTS {
        return Err(EvalError::BadArgument {
            span: c.span(2),
            message: format!("cannot make {count} points"),
            help: None,
        });
    }
    let count = count as usize;
    // NumPy's formula: a + k * step, with the last point exactly b.
    let step = if count > 1 {
        (b - a) / (count - 1) as f64
    } else {
        0.0
    };
    let data = (0..count)
        .map(|k| {
            if k + 1 == count && count > 1 {
                b
            } else {
                a + k as f64 * step
            }
        })
        .collect();
    Ok(m.tape.constant(Tensor::from_shape_vec(&[count], data)))
}

pub(super) fn arange(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (a, b) = if c.args.len() == 1 {
        (0.0, scalar_arg(m, c, 0, "the end")?)
    } else {
        (
            scalar_arg(m, c, 0, "the start")?,
            scalar_arg(m, c, 1, "the end")?,
        )
    };
    let step = match c.opt("step")? {
        Some((id, span)) => match m.tape.decide(id) {
            Tensor::Scalar(s) if *s != 0.0 && s.is_finite() => *s,
            _ => {
                return Err(EvalError::BadArgument {
                    span,
                    message: "the step must be a non-zero number".into(),
                    help: None,
                })
            }
        },
        None => 1.0,
    };
    let count = ((b - a) / step).ceil().max(0.0);
    if !count.is_finite() || count > MAX_ELEMENTS {
        return Err(EvalError::TooLarge {
            span: c.span,
            elements: count,
        });
    }
    let data: Vec<f64> = (0..count as usize).map(|k| a + k as f64 * step).collect();
    Ok(m.tape.constant(Tensor::from_shape_vec(&[data.len()], data)))
}

/// Horner's rule on the tape, so both the coefficients and x get gradients.
pub(super) fn polyval(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (coeffs, x) = (c.node(0)?, c.node(1)?);
    let n = match m.tape.shape(coeffs) {
        [n] if *n > 0 => *n,
        s => {
            return Err(EvalError::BadArgument {
                span: c.span(0),
                message: format!(
                    "the coefficients must be a non-empty 1-D tensor, found shape {}",
                    crate::tensor::shape_string(s)
                ),
                help: Some("e.g. `polyval([1, 2, 3], x)` for x^2 + 2x + 3".into()),
            })
        }
    };
    let coef = |m: &mut Interp, k: usize| {
        m.tape
            .index_unchecked(coeffs, std::rc::Rc::new(vec![IndexPart::At(k)]))
    };
    let mut y = coef(m, 0);
    for k in 1..n {
        let yx = m.tape.mul(y, x);
        let ck = coef(m, k);
        y = m.tape.add(yx, ck);
    }
    Ok(y)
}
