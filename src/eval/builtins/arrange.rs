//! Builtins that build matrices from vectors and back, or repeat and
//! reorder entries: `diag`, `trace`, `tril`, `triu`, `outer`, `stack`,
//! `flip`, `tile` (torch's names and conventions). Each is a gather, a
//! scatter, a mask or a reshape on the tape, so gradients of any order
//! follow. The shape checks are functions `gradlang check` calls too.

use super::math::axis;
use super::Call;
use crate::autodiff::gather::{diagonal_map, flip_map, tile_map};
use crate::autodiff::reduce::normalize_axis;
use crate::autodiff::NodeId;
use crate::eval::error::EvalError;
use crate::eval::Interp;
use crate::syntax::span::Span;
use crate::tensor::{shape_string, Tensor};

/// The `k=` diagonal offset (0 if not given).
fn offset(m: &mut Interp, c: &Call) -> Result<i64, EvalError> {
    match c.opt("k")? {
        Some((id, span)) => m.integer_of(id, span, "a diagonal offset"),
        None => Ok(0),
    }
}

/// The error for `name` of a tensor whose rank it does not take.
pub(crate) fn rank_error(name: &str, wanted: &str, shape: &[usize], span: Span) -> EvalError {
    EvalError::BadArgument {
        span,
        message: format!(
            "`{name}` takes {wanted}, found shape {}",
            shape_string(shape)
        ),
        help: Some(format!(
            "`{name}` is defined for {wanted} only (as in torch)"
        )),
    }
}

/// `diag`'s result shape: a vector's entries on diagonal `k` of a square
/// matrix, or a matrix's diagonal `k` as a vector. `gradlang check` uses it.
pub(crate) fn diag_shape(shape: &[usize], k: i64, span: Span) -> Result<Vec<usize>, EvalError> {
    match *shape {
        [n] => {
            let side = n + k.unsigned_abs() as usize;
            super::create::within_limit(vec![side, side], span)
        }
        [r, c] => Ok(vec![diagonal_map(r, c, k).len()]),
        _ => Err(rank_error("diag", "a vector or a matrix", shape, span)),
    }
}

pub(super) fn diag(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let k = offset(m, c)?;
    let shape = m.tape.shape(x).to_vec();
    let out = diag_shape(&shape, k, c.span(0))?;
    Ok(match *shape {
        [_] => {
            let map = diagonal_map(out[0], out[1], k);
            m.tape.scatter(x, map, &out)
        }
        _ => {
            let map = diagonal_map(shape[0], shape[1], k);
            m.tape.gather(x, map, &out)
        }
    })
}

/// Checks that `shape` is a matrix for `name`.
pub(crate) fn matrix_shape(name: &str, shape: &[usize], span: Span) -> Result<(), EvalError> {
    match shape {
        [_, _] => Ok(()),
        _ => Err(rank_error(name, "a matrix", shape, span)),
    }
}

pub(super) fn trace(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let shape = m.tape.shape(x).to_vec();
    matrix_shape("trace", &shape, c.span(0))?;
    let map = diagonal_map(shape[0], shape[1], 0);
    let n = map.len();
    let d = m.tape.gather(x, map, &[n]);
    Ok(m.tape.sum(d, None))
}

/// `tril` (`lower`) or `triu`: the last two axes' entries on and below
/// (above) diagonal `k` kept, the others exactly 0.
fn triangle(m: &mut Interp, c: &Call, lower: bool) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let k = offset(m, c)?;
    let shape = m.tape.shape(x).to_vec();
    if shape.len() < 2 {
        return Err(rank_error(
            c.name,
            "a matrix (or a stack of them)",
            &shape,
            c.span(0),
        ));
    }
    let cols = shape[shape.len() - 1];
    let rows = shape[shape.len() - 2];
    let drop: Vec<f64> = (0..shape.iter().product::<usize>())
        .map(|flat| {
            let (i, j) = (((flat / cols) % rows) as i64, (flat % cols) as i64);
            let keep = if lower { j - i <= k } else { j - i >= k };
            f64::from(u8::from(!keep))
        })
        .collect();
    Ok(m.tape.zero_where(Tensor::from_shape_vec(&shape, drop), x))
}

pub(super) fn tril(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    triangle(m, c, true)
}

pub(super) fn triu(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    triangle(m, c, false)
}

/// Checks that `shape` is a vector for argument `k` of `outer`.
pub(crate) fn vector_shape(shape: &[usize], span: Span) -> Result<usize, EvalError> {
    match *shape {
        [n] => Ok(n),
        _ => Err(rank_error("outer", "two vectors", shape, span)),
    }
}

pub(super) fn outer(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (a, b) = (c.node(0)?, c.node(1)?);
    let n = vector_shape(m.tape.shape(a), c.span(0))?;
    let k = vector_shape(m.tape.shape(b), c.span(1))?;
    let col = m.tape.reshape_unchecked(a, &[n, 1]);
    let row = m.tape.reshape_unchecked(b, &[1, k]);
    Ok(m.tape.mul(col, row))
}

/// Where `stack` puts the new axis among pieces of rank `rank`: `axis`
/// (at `span`) from `-rank - 1` to `rank`. `gradlang check` uses it too.
pub(crate) fn stack_axis(axis: i64, rank: usize, span: Span) -> Result<usize, EvalError> {
    normalize_axis(axis, rank + 1).map_err(|_| EvalError::BadArgument {
        span,
        message: format!(
            "`stack` of rank-{rank} pieces puts the new axis at {} to {rank}, found {axis}",
            -(rank as i64) - 1
        ),
        help: Some("axis 0 stacks the pieces as rows; -1 as the last axis".into()),
    })
}

/// The error for a `stack` piece (at `span`) of another shape than the first.
pub(crate) fn stack_error(first: &[usize], other: &[usize], span: Span) -> EvalError {
    EvalError::BadArgument {
        span,
        message: format!(
            "`stack` needs pieces of one shape: the first is {}, this one {}",
            shape_string(first),
            shape_string(other)
        ),
        help: Some("use `concat` to join along an existing axis".into()),
    }
}

/// `stack`'s pieces must have one shape; the new axis may be anywhere from
/// before the first to after the last (`-rank - 1` to `rank`).
pub(super) fn stack(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let parts = c.nodes()?;
    let first = m.tape.shape(parts[0]).to_vec();
    let ax = match c.opt("axis")? {
        Some((id, span)) => {
            let a = m.integer_of(id, span, "an axis")?;
            stack_axis(a, first.len(), span)?
        }
        None => 0,
    };
    if let Some(bad) = parts.iter().position(|&p| m.tape.shape(p) != first) {
        return Err(stack_error(&first, m.tape.shape(parts[bad]), c.span(bad)));
    }
    let mut grown = first.clone();
    grown.insert(ax, 1);
    let pieces: Vec<NodeId> = parts
        .iter()
        .map(|&p| m.tape.reshape_unchecked(p, &grown))
        .collect();
    m.tape
        .concat(&pieces, ax)
        .map_err(|e| m.op_error(e, "`stack`", c.callee, (c.span(0), c.span(0))))
}

/// `flip(x, axis=)`: reversed along one axis, or along every axis without
/// one (NumPy's default; torch requires the dims).
pub(super) fn flip(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let shape = m.tape.shape(x).to_vec();
    let axes: Vec<usize> = match axis(m, c, None)? {
        Some(a) => vec![a],
        None => (0..shape.len()).collect(),
    };
    if shape.is_empty() {
        return Ok(x);
    }
    Ok(m.tape.gather(x, flip_map(&shape, &axes), &shape))
}

/// `tile`'s repetitions from a count or a list of counts (at `span`).
pub(crate) fn reps_of(v: &Tensor, span: Span) -> Result<Vec<usize>, EvalError> {
    if v.ndim() > 1 {
        return Err(EvalError::BadArgument {
            span,
            message: format!(
                "`tile` takes a count or a list of counts, found shape {}",
                shape_string(v.shape())
            ),
            help: Some("e.g. `tile(x, 3)` or `tile(x, [2, 1])`".into()),
        });
    }
    v.iter()
        .map(|r| {
            let n = super::whole_number(r, span, "a repetition count")?;
            if n as f64 > crate::eval::error::MAX_ELEMENTS {
                return Err(EvalError::TooLarge {
                    span,
                    elements: n as f64,
                });
            }
            usize::try_from(n).map_err(|_| EvalError::BadArgument {
                span,
                message: format!("repetition counts are 0 or more, found {n}"),
                help: Some("e.g. `tile(x, [2, 1])`".into()),
            })
        })
        .collect()
}

pub(super) fn tile(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let x = c.node(0)?;
    let reps_value = m.tape.decide(c.node(1)?).clone();
    let reps = reps_of(&reps_value, c.span(1))?;
    let shape = m.tape.shape(x).to_vec();
    let (out, _) = crate::autodiff::gather::tile_shape(&shape, &reps);
    super::create::within_limit(out, c.span)?;
    let (map, out) = tile_map(&shape, &reps);
    Ok(m.tape.gather(x, map, &out))
}
