//! An operation's failure ([`crate::autodiff::OpError`], raised without
//! spans by the tape) as an [`EvalError`] at the source spans of the
//! operator and its operands.

use super::shape_words::{broadcast_help, matmul_help};
use super::{axis_error, EvalError};
use crate::syntax::span::Span;
use crate::tensor::shape_string;

/// An operation's failure as an error at the source spans: `span` is the
/// operator or call, `operands` the two sides (or the tensor and the axis).
pub(crate) fn op_error(
    e: crate::autodiff::OpError,
    op: &str,
    span: Span,
    operands: (Span, Span),
) -> EvalError {
    use crate::autodiff::OpError;
    match e {
        OpError::Broadcast { lhs, rhs } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            help: broadcast_help(&lhs, &rhs),
            lhs: (operands.0, lhs),
            rhs: (operands.1, rhs),
        },
        OpError::MatMul { lhs, rhs } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            help: matmul_help(&lhs, &rhs),
            lhs: (operands.0, lhs),
            rhs: (operands.1, rhs),
        },
        OpError::Axis { axis, ndim } => axis_error(axis, ndim, operands.1),
        OpError::Reshape { from, to } => EvalError::BadArgument {
            span: operands.1,
            message: format!(
                "cannot reshape {} elements into shape {} ({} elements)",
                from.iter().product::<usize>(),
                shape_string(&to),
                to.iter().product::<usize>()
            ),
            help: Some(format!(
                "the number of elements must stay the same; the input has shape {}",
                shape_string(&from)
            )),
        },
        OpError::Concat { first, other, axis } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            lhs: (operands.0, first),
            rhs: (operands.1, other),
            help: format!(
                "joined tensors must have the same rank and agree on every axis except axis {axis}"
            ),
        },
        OpError::IndexOutOfRange { index, len, axis } => EvalError::BadArgument {
            span: operands.1,
            message: format!("index {index} is out of range for axis {axis} of length {len}"),
            help: None,
        },
        OpError::TooManyIndices { given, ndim } => EvalError::BadArgument {
            span: operands.1,
            message: format!("{given} indices for a tensor of rank {ndim}"),
            help: None,
        },
        OpError::TooLarge { elements } => EvalError::TooLarge { span, elements },
        OpError::NotMatrix { shape, square } => EvalError::NotMatrix {
            op: op.into(),
            span,
            operand: (operands.0, shape),
            square,
        },
        OpError::Solve { lhs, rhs } => EvalError::ShapeMismatch {
            op: op.into(),
            span,
            help: format!(
                "`solve(A, B)` needs B to be a vector of length {n} or a matrix with {n} rows, as A is {n} x {n}",
                n = lhs[0]
            ),
            lhs: (operands.0, lhs),
            rhs: (operands.1, rhs),
        },
        OpError::Singular => EvalError::BadArgument {
            span: operands.0,
            message: format!("{op} needs an invertible matrix, but this one is singular"),
            help: Some(
                "its rows (or columns) are linearly dependent, to working precision; \
                 check for repeated or proportional rows, or add a small multiple of \
                 `eye(n)` to make it invertible"
                    .into(),
            ),
        },
        OpError::NotPositiveDefinite { order } => EvalError::BadArgument {
            span: operands.0,
            message: format!(
                "{op} needs a positive-definite matrix; the leading minor of order {order} is not positive"
            ),
            help: Some(
                "only the lower triangle is read, as a symmetric matrix; `A @ A.T + c * eye(n)` \
                 with c > 0 is positive definite"
                    .into(),
            ),
        },
        OpError::NoConvergence => EvalError::BadArgument {
            span: operands.0,
            message: format!("{op} did not converge on this matrix"),
            help: Some("check it for very large or very small entries".into()),
        },
        OpError::Empty => EvalError::BadArgument {
            span,
            message: format!("{op} of an empty tensor has no value"),
            help: Some("check the tensor's shape before reducing it".into()),
        },
    }
}
