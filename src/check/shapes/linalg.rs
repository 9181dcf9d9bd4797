//! `check`'s shape rules for the linear-algebra builtins, with the same
//! shape checks as the evaluator (`autodiff::decomp`), so a non-square
//! matrix or a mismatched `solve` is reported before running.

use super::{arg, span, Abs, Arg, OptArg, Site};
use crate::autodiff::decomp;
use crate::eval::error::{self, EvalError};

/// A builtin of one matrix (square if `square`) with `rows` × `cols`, whose
/// result has the shape `out(rows, cols)`.
fn one_matrix(
    args: &[Arg],
    site: Site,
    op: &str,
    square: bool,
    out: fn(usize, usize) -> Vec<usize>,
) -> Result<Abs, EvalError> {
    let Some(shape) = arg(args, 0).shape else {
        return Ok(Abs::unknown());
    };
    let at = span(args, 0, site.call);
    let dims = if square {
        decomp::square(&shape).map(|n| (n, n))
    } else {
        decomp::matrix(&shape)
    };
    let (rows, cols) = dims.map_err(|e| error::op_error(e, op, site.callee, (at, at)))?;
    Ok(Abs::shaped(Some(out(rows, cols))))
}

pub(crate) fn inv(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`inv`", true, |n, _| vec![n, n])
}

pub(crate) fn det(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`det`", true, |_, _| Vec::new())
}

pub(crate) fn logdet(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`logdet`", true, |_, _| Vec::new())
}

pub(crate) fn cholesky(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`cholesky`", true, |n, _| vec![n, n])
}

pub(crate) fn eigvalsh(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`eigvalsh`", true, |n, _| vec![n])
}

pub(crate) fn eigh(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`eigh`", true, |n, _| vec![n, n])
}

pub(crate) fn svdvals(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    one_matrix(args, site, "`svdvals`", false, |r, c| vec![r.min(c)])
}

/// `solve(A, B)`: B's shape, for a square A and a B with A's rows.
pub(crate) fn solve(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let (a, b) = (arg(args, 0).shape, arg(args, 1).shape);
    let spans = (span(args, 0, site.call), span(args, 1, site.call));
    let to_error = |e| error::op_error(e, "`solve`", site.callee, spans);
    match (&a, &b) {
        (Some(a), Some(b)) => decomp::solve_shape(a, b).map(drop),
        (Some(a), None) => decomp::square(a).map(drop),
        _ => Ok(()),
    }
    .map_err(to_error)?;
    Ok(Abs::shaped(b))
}

#[cfg(test)]
mod tests {
    use crate::check::tests::codes;

    #[test]
    fn shape_errors_are_found_before_running() {
        assert_eq!(codes("print det(ones(2, 3))"), ["E0205"]);
        assert_eq!(codes("print cholesky([1, 2])"), ["E0205"]);
        assert_eq!(codes("print svdvals([1, 2])"), ["E0205"]);
        assert_eq!(codes("print solve(eye(3), ones(2))"), ["E0205"]);
        assert_eq!(codes("print solve(ones(3, 2), ones(3))"), ["E0205"]);
        // A singular matrix is found only by running.
        assert!(codes("print inv([[1, 2], [2, 4]])").is_empty());
    }

    #[test]
    fn result_shapes_are_followed() {
        assert_eq!(codes("print inv(eye(3)) + ones(2)"), ["E0205"]);
        assert_eq!(codes("print eigvalsh(eye(3)) + ones(2)"), ["E0205"]);
        assert_eq!(codes("print svdvals(ones(4, 2)) + ones(3)"), ["E0205"]);
        assert_eq!(codes("print svdvals(ones(2, 4)) + ones(3)"), ["E0205"]);
        assert_eq!(
            codes("print solve(eye(3), ones(3, 2)) + ones(3)"),
            ["E0205"]
        );
        assert_eq!(codes("print solve(eye(3), ones(3)) @ ones(2)"), ["E0205"]);
        let clean = "let A = eye(3)\n\
                     print solve(A, [1, 2, 3]) + cholesky(A) @ ones(3) + eigh(A) @ eigvalsh(A)\n\
                     print det(A) * logdet(A) + ones(2, 2)";
        assert!(codes(clean).is_empty());
    }
}
