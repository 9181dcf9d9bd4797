//! Reverse-mode automatic differentiation on a recorded tape.

pub mod decomp;
pub mod elementwise;
pub mod gather;
pub mod linalg;
pub mod op;
pub mod reduce;
mod rows;
mod scalar;
mod scan;
pub mod selection;
pub mod shape;
mod staples;
pub mod tape;

pub use elementwise::{BinaryFn, UnaryFn};
pub use selection::CompareFn;
pub use shape::{IndexPart, IndexSpec};
pub use tape::{NodeId, NonFiniteOrigin, Tape};

/// Why an operation could not be recorded. The evaluator adds the spans.
#[derive(Debug, Clone, PartialEq)]
pub enum OpError {
    /// Operands whose shapes do not broadcast together.
    Broadcast { lhs: Vec<usize>, rhs: Vec<usize> },
    /// `@` with inner dimensions that differ, or operands of rank > 2.
    MatMul { lhs: Vec<usize>, rhs: Vec<usize> },
    /// An `axis=` outside the operand's rank.
    Axis { axis: i64, ndim: usize },
    /// `reshape` to a shape with a different number of elements.
    Reshape { from: Vec<usize>, to: Vec<usize> },
    /// Concatenated pieces that differ off the joining axis.
    Concat {
        first: Vec<usize>,
        other: Vec<usize>,
        axis: usize,
    },
    /// An index past the end of its axis.
    IndexOutOfRange { index: i64, len: usize, axis: usize },
    /// More indices than the tensor has axes.
    TooManyIndices { given: usize, ndim: usize },
    /// A reduction of an empty tensor that has no value (max of nothing).
    Empty,
    /// A result with more than `tensor::MAX_ELEMENTS` entries.
    TooLarge { elements: f64 },
    /// An operand that is not a matrix, or (`square`) not a square one.
    NotMatrix { shape: Vec<usize>, square: bool },
    /// `solve(a, b)` where `b` is not a vector or matrix with `a`'s size
    /// as its first dimension.
    Solve { lhs: Vec<usize>, rhs: Vec<usize> },
    /// A matrix that is singular to working precision.
    Singular,
    /// A Cholesky factorization whose leading minor of this order is not
    /// positive.
    NotPositiveDefinite { order: usize },
    /// An iterative factorization (eigenvalues, singular values) that did
    /// not converge.
    NoConvergence,
}

/// Refuses results beyond `MAX_ELEMENTS` before they are allocated.
pub(crate) fn check_size(shape: &[usize]) -> Result<(), OpError> {
    let elements: f64 = shape.iter().map(|&d| d as f64).product();
    if elements > crate::tensor::MAX_ELEMENTS {
        Err(OpError::TooLarge { elements })
    } else {
        Ok(())
    }
}

impl From<crate::tensor::ShapeMismatch> for OpError {
    fn from(m: crate::tensor::ShapeMismatch) -> Self {
        OpError::Broadcast {
            lhs: m.lhs,
            rhs: m.rhs,
        }
    }
}
