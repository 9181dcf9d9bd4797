//! The linear-algebra builtins (`solve`, `inv`, `det`, `logdet`,
//! `cholesky`, `eigvalsh`, `eigh`, `svdvals`): argument handling only; the
//! factorizations and their gradients are in `autodiff::decomp`.

use super::Call;
use crate::autodiff::{NodeId, OpError, Tape};
use crate::eval::error::EvalError;
use crate::eval::Interp;

/// A table entry for the builtin `$f(A)` of one matrix: the `Tape` method
/// `$f` records it, and `check`'s shape rule `$f` is in
/// `check::shapes::linalg`.
macro_rules! matrix {
    ($f:ident, $summary:literal) => {
        Builtin {
            name: stringify!($f),
            signature: concat!(stringify!($f), "(A)"),
            summary: $summary,
            arity: Arity::Exactly(1),
            options: &[],
            shape: ShapeRule::Custom(shapes::linalg::$f),
            run: |m, c| linalg::one_matrix(m, c, $crate::autodiff::Tape::$f),
        }
    };
}
pub(super) use matrix;

/// Records `f` of the call's one argument; its errors name the builtin.
pub(super) fn one_matrix(
    m: &mut Interp,
    c: &Call,
    f: fn(&mut Tape, NodeId) -> Result<NodeId, OpError>,
) -> Result<NodeId, EvalError> {
    let a = c.node(0)?;
    let name = format!("`{}`", c.name);
    f(&mut m.tape, a).map_err(|e| m.op_error(e, &name, c.callee, (c.span(0), c.span(0))))
}

pub(super) fn solve(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let (a, b) = (c.node(0)?, c.node(1)?);
    m.tape
        .solve(a, b)
        .map_err(|e| m.op_error(e, "`solve`", c.callee, (c.span(0), c.span(1))))
}
