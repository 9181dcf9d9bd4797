//! `check`'s shape rules for the staple reductions and rearrangements
//! (`cumsum`, `sort`, `diag`, `tile`, ...), calling the evaluator's own
//! shape checks (`eval::builtins::arrange`) where there are some.

use super::{arg, span, Abs, Arg, OptArg, Site};
use crate::autodiff::gather::tile_shape;
use crate::autodiff::reduce::normalize_axis;
use crate::eval::builtins::arrange::{
    diag_shape, matrix_shape, rank_error, reps_of, stack_axis, vector_shape,
};
use crate::eval::builtins::create::within_limit;
use crate::eval::builtins::reduce::scan_axis_missing;
use crate::eval::builtins::whole_number;
use crate::eval::error::{self, EvalError};
use crate::tensor::Tensor;

/// Option `name`'s value, if given: `Err(())` when given but unknown.
fn opt_value(opts: &[OptArg], name: &str) -> Result<Option<(f64, crate::syntax::span::Span)>, ()> {
    match opts.iter().find(|(n, _, _)| n == name) {
        None => Ok(None),
        Some((_, v, s)) => match v.as_ref().and_then(|v| v.value) {
            Some(v) => Ok(Some((v, *s))),
            None => Err(()),
        },
    }
}

/// `axis=` checked against `ndim` (as the evaluator's "the axis" error);
/// `default` when not given; `Ok(None)` when given but unknown.
fn axis_in(
    args: &[Arg],
    opts: &[OptArg],
    ndim: usize,
    default: Option<i64>,
    site: Site,
) -> Result<Option<Option<usize>>, EvalError> {
    let (raw, at) = match opt_value(opts, "axis") {
        Err(()) => return Ok(None),
        Ok(Some((v, s))) => (Some(whole_number(v, s, "an axis")?), s),
        Ok(None) => (default, site.call),
    };
    let Some(a) = raw else {
        return Ok(Some(None));
    };
    let spans = (span(args, 0, site.call), at);
    normalize_axis(a, ndim)
        .map(|a| Some(Some(a)))
        .map_err(|e| error::op_error(e, "the axis", site.call, spans))
}

/// `cumsum`/`cumprod` (`name`): the same shape; from 2-D on an axis is
/// required.
fn scan(name: &str, args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let Some(shape) = arg(args, 0).shape else {
        return Ok(Abs::unknown());
    };
    let given = opts.iter().any(|(n, _, _)| n == "axis");
    if !given && shape.len() >= 2 {
        let at = span(args, 0, site.call);
        return Err(scan_axis_missing(name, shape.len(), at));
    }
    let default = (!shape.is_empty()).then_some(0);
    axis_in(args, opts, shape.len(), default, site)?;
    Ok(Abs::shaped(Some(shape)))
}

pub(crate) fn cumsum(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    scan("cumsum", args, opts, site)
}

pub(crate) fn cumprod(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    scan("cumprod", args, opts, site)
}

/// `sort(x, axis=-1)`: the same shape.
pub(crate) fn sort(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let Some(shape) = arg(args, 0).shape else {
        return Ok(Abs::unknown());
    };
    let default = (!shape.is_empty()).then_some(-1);
    axis_in(args, opts, shape.len(), default, site)?;
    super::known_flag(opts, "descending")?;
    Ok(Abs::shaped(Some(shape)))
}

/// `flip(x, axis=)`: the same shape.
pub(crate) fn flip(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let Some(shape) = arg(args, 0).shape else {
        return Ok(Abs::unknown());
    };
    axis_in(args, opts, shape.len(), None, site)?;
    Ok(Abs::shaped(Some(shape)))
}

/// The `k=` offset: 0 if not given, `None` if unknown.
fn offset(opts: &[OptArg]) -> Result<Option<i64>, EvalError> {
    match opt_value(opts, "k") {
        Err(()) => Ok(None),
        Ok(None) => Ok(Some(0)),
        Ok(Some((v, s))) => whole_number(v, s, "a diagonal offset").map(Some),
    }
}

/// `diag(x, k=)`: a square matrix from a vector, a vector from a matrix.
pub(crate) fn diag(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let Some(shape) = arg(args, 0).shape else {
        return Ok(Abs::unknown());
    };
    let at = span(args, 0, site.call);
    match offset(opts)? {
        Some(k) => diag_shape(&shape, k, at).map(|s| Abs::shaped(Some(s))),
        None => diag_shape(&shape, 0, at).map(|_| Abs::unknown()),
    }
}

/// `trace(A)`: a scalar, of a matrix.
pub(crate) fn trace(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    if let Some(shape) = arg(args, 0).shape {
        matrix_shape("trace", &shape, span(args, 0, site.call))?;
    }
    Ok(Abs::scalar(None))
}

fn triangle(name: &str, args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    offset(opts)?;
    let shape = arg(args, 0).shape;
    if let Some(s) = shape.as_deref().filter(|s| s.len() < 2) {
        let wanted = "a matrix (or a stack of them)";
        return Err(rank_error(name, wanted, s, span(args, 0, site.call)));
    }
    Ok(Abs::shaped(shape))
}

/// `tril(A, k=)`: the same shape, at least 2-D.
pub(crate) fn tril(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    triangle("tril", args, opts, site)
}

/// `triu(A, k=)`: the same shape, at least 2-D.
pub(crate) fn triu(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    triangle("triu", args, opts, site)
}

/// `outer(a, b)`: `[len(a), len(b)]` of two vectors.
pub(crate) fn outer(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let mut dims = Vec::new();
    for k in 0..2 {
        match arg(args, k).shape {
            Some(s) => dims.push(Some(vector_shape(&s, span(args, k, site.call))?)),
            None => dims.push(None),
        }
    }
    Ok(match (dims[0], dims[1]) {
        (Some(n), Some(m)) => Abs::shaped(Some(vec![n, m])),
        _ => Abs::unknown(),
    })
}

/// `stack(a, b, ..., axis=0)`: the common shape with a new axis.
pub(crate) fn stack(args: &[Arg], opts: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let Some(shapes) = super::known_shapes(args) else {
        return Ok(Abs::unknown());
    };
    let first = shapes.first().cloned().unwrap_or_default();
    let ax = match opt_value(opts, "axis") {
        Err(()) => return Ok(Abs::unknown()),
        Ok(None) => 0,
        Ok(Some((v, s))) => stack_axis(whole_number(v, s, "an axis")?, first.len(), s)?,
    };
    if let Some(bad) = shapes.iter().position(|s| *s != first) {
        return Err(crate::eval::builtins::arrange::stack_error(
            &first,
            &shapes[bad],
            span(args, bad, site.call),
        ));
    }
    let mut out = first;
    out.insert(ax, shapes.len());
    Ok(Abs::shaped(Some(out)))
}

/// `tile(x, reps)`: each axis times its count, with known counts.
pub(crate) fn tile(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let reps = arg(args, 1);
    let reps_span = span(args, 1, site.call);
    let listed = match reps.shape.as_deref() {
        Some([]) => reps.value.map(|v| vec![v]),
        Some([_]) => reps.entries.clone(),
        Some(s) => {
            let t = Tensor::full(s, 1.0);
            return reps_of(&t, reps_span).map(|_| Abs::unknown());
        }
        None => None,
    };
    let Some(listed) = listed else {
        return Ok(Abs::unknown());
    };
    let n = listed.len();
    let reps = reps_of(&Tensor::from_shape_vec(&[n], listed), reps_span)?;
    let Some(shape) = arg(args, 0).shape else {
        return Ok(Abs::unknown());
    };
    let (out, _) = tile_shape(&shape, &reps);
    within_limit(out, site.call).map(|s| Abs::shaped(Some(s)))
}

#[cfg(test)]
mod tests {
    use crate::check::tests::codes;

    /// `check` knows each result's exact shape: its `dot` with zeros of
    /// that shape is clean, with zeros of another shape an error (E0205).
    #[test]
    fn results_have_the_shapes_the_evaluator_gives() {
        let x = "let x = zeros(2, 3)\nlet v = zeros(4)\n";
        for (expr, shape) in [
            ("sum(x, axis=1, keepdims=true)", "2, 1"),
            ("max(x, keepdims=true)", "1, 1"),
            ("std(x, axis=0, correction=0)", "3"),
            ("argmax(x, axis=-1, keepdims=true)", "2, 1"),
            ("any(x, axis=0)", "3"),
            ("cumsum(x, axis=1)", "2, 3"),
            ("cumprod(v)", "4"),
            ("sort(x, axis=0, descending=true)", "2, 3"),
            ("diag(v, k=-1)", "5, 5"),
            ("diag(x, k=1)", "2"),
            ("trace(x)", ""),
            ("tril(x, k=1)", "2, 3"),
            ("outer(v, zeros(3))", "4, 3"),
            ("stack(x, x, x, axis=-1)", "2, 3, 3"),
            ("flip(x)", "2, 3"),
            ("tile(x, [2, 1, 2])", "2, 2, 6"),
            ("tile(v, 2)", "8"),
        ] {
            let clean = format!("{x}print dot({expr}, zeros({shape}))");
            assert!(codes(&clean).is_empty(), "{clean}: {:?}", codes(&clean));
            let bad = format!("{x}print dot({expr}, zeros(7, 7))");
            assert_eq!(codes(&bad), ["E0205"], "{bad}");
        }
    }
}
