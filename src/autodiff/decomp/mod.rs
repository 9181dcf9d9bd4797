//! Linear algebra beyond the matrix product: solve, inverse, determinant,
//! log|det|, Cholesky, the symmetric eigendecomposition and singular
//! values, with torch.linalg's conventions. The factorizations are faer's
//! (`numeric.rs`); each op's backward (`backward.rs`) is built from
//! recorded ops, these among them, so second derivatives work too.
//!
//! A matrix an op cannot use (singular, not positive definite) is an
//! error when a script's call records the op. When a recorded tape is
//! replayed at new param values, or an op is recorded by a backward pass,
//! there is no one to tell: the op then computes what it can, as torch
//! does (a nearly singular solve gives large values, an exactly singular
//! one infinities; a failed Cholesky gives NaN), and `minimize` reports a
//! non-finite result naming the op.

mod backward;
mod numeric;

use super::op::Op;
use super::tape::{Node, NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;

/// A linear-algebra op on 2-D operands (shapes checked when recorded).
#[derive(Debug, Clone)]
pub enum LinalgOp {
    /// `op(a)⁻¹ b` for a square `a` and a 2-D `b`; `op` transposes when
    /// `ta` is set.
    Solve {
        a: NodeId,
        b: NodeId,
        ta: bool,
    },
    Det(NodeId),
    /// log |det a|.
    LogAbsDet(NodeId),
    /// The lower factor `L` with `L Lᵀ = a`.
    Cholesky(NodeId),
    /// The eigenvalues of a symmetric matrix, ascending.
    EighValues(NodeId),
    /// Its eigenvectors, as columns in the eigenvalues' order.
    EighVectors(NodeId),
    /// The singular values, descending.
    Svdvals(NodeId),
}

impl LinalgOp {
    pub(crate) fn for_each_input(&self, mut f: impl FnMut(NodeId)) {
        match self {
            LinalgOp::Solve { a, b, .. } => {
                f(*a);
                f(*b);
            }
            LinalgOp::Det(a)
            | LinalgOp::LogAbsDet(a)
            | LinalgOp::Cholesky(a)
            | LinalgOp::EighValues(a)
            | LinalgOp::EighVectors(a)
            | LinalgOp::Svdvals(a) => f(*a),
        }
    }

    /// The op's name in messages, as the builtin a script calls.
    pub fn name(&self) -> &'static str {
        match self {
            LinalgOp::Solve { .. } => "`solve`",
            LinalgOp::Det(_) => "`det`",
            LinalgOp::LogAbsDet(_) => "`logdet`",
            LinalgOp::Cholesky(_) => "`cholesky`",
            LinalgOp::EighValues(_) => "`eigvalsh`",
            LinalgOp::EighVectors(_) => "`eigh`",
            LinalgOp::Svdvals(_) => "`svdvals`",
        }
    }

    /// The value, or why the operand does not suit the op; `strict`
    /// refuses matrices singular to working precision, not only those the
    /// factorization cannot handle.
    fn value(&self, nodes: &[Node], strict: bool) -> Result<Tensor, OpError> {
        let v = |id: &NodeId| &nodes[id.index()].value;
        match self {
            LinalgOp::Solve { a, b, ta } => numeric::solve(v(a), v(b), *ta, strict),
            LinalgOp::Det(a) => Ok(numeric::det(v(a))),
            LinalgOp::LogAbsDet(a) => numeric::log_abs_det(v(a), strict),
            LinalgOp::Cholesky(a) => numeric::cholesky(v(a)),
            LinalgOp::EighValues(a) => Ok(numeric::eigh(v(a))?.0),
            LinalgOp::EighVectors(a) => Ok(numeric::eigh(v(a))?.1),
            LinalgOp::Svdvals(a) => numeric::svdvals(v(a)),
        }
    }

    fn shape(&self, nodes: &[Node]) -> Vec<usize> {
        let s = |id: &NodeId| nodes[id.index()].value.shape();
        match self {
            LinalgOp::Solve { b, .. } => s(b).to_vec(),
            LinalgOp::Det(_) | LinalgOp::LogAbsDet(_) => Vec::new(),
            LinalgOp::Cholesky(a) | LinalgOp::EighVectors(a) => s(a).to_vec(),
            LinalgOp::EighValues(a) => vec![s(a)[0]],
            LinalgOp::Svdvals(a) => vec![s(a)[0].min(s(a)[1])],
        }
    }

    /// The value for a replay or a backward pass: what can be computed,
    /// NaN where the factorization fails (see the module header).
    pub(crate) fn compute(&self, nodes: &[Node]) -> Tensor {
        self.value(nodes, false)
            .unwrap_or_else(|_| Tensor::full(&self.shape(nodes), f64::NAN))
    }
}

/// The size of a square matrix of this shape, or the shape error (the
/// evaluator and `check` share these rules).
pub(crate) fn square(shape: &[usize]) -> Result<usize, OpError> {
    match shape {
        [n, m] if n == m => Ok(*n),
        _ => Err(OpError::NotMatrix {
            shape: shape.to_vec(),
            square: true,
        }),
    }
}

/// The rows and columns of a matrix of this shape, or the shape error.
pub(crate) fn matrix(shape: &[usize]) -> Result<(usize, usize), OpError> {
    match shape {
        [r, c] => Ok((*r, *c)),
        _ => Err(OpError::NotMatrix {
            shape: shape.to_vec(),
            square: false,
        }),
    }
}

/// `solve(A, B)`'s size n, for a square `A` and a `B` that is a vector of
/// length n or a matrix with n rows.
pub(crate) fn solve_shape(a: &[usize], b: &[usize]) -> Result<usize, OpError> {
    let n = square(a)?;
    if matches!(b.len(), 1 | 2) && b[0] == n {
        Ok(n)
    } else {
        Err(OpError::Solve {
            lhs: a.to_vec(),
            rhs: b.to_vec(),
        })
    }
}

impl Tape {
    /// Records `op` with its value, or fails if its operand does not suit it.
    fn record_linalg(&mut self, op: LinalgOp) -> Result<NodeId, OpError> {
        let value = op.value(self.nodes(), true)?;
        Ok(self.push(Op::Linalg(op), value))
    }

    /// Records `op` where a failure becomes NaN (backward passes).
    pub(crate) fn linalg_unchecked(&mut self, op: LinalgOp) -> NodeId {
        let value = op.compute(self.nodes());
        self.push(Op::Linalg(op), value)
    }

    /// The identity of size `n`, as a constant.
    pub(crate) fn identity(&mut self, n: usize) -> NodeId {
        let mut data = vec![0.0; n * n];
        data.iter_mut().step_by(n + 1).for_each(|d| *d = 1.0);
        self.constant(Tensor::from_shape_vec(&[n, n], data))
    }

    /// `solve(a, b)`: `x` with `a @ x = b`, for a square `a` and a vector
    /// or matrix `b` with as many rows as `a`.
    pub fn solve(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, OpError> {
        let sb = self.shape(b).to_vec();
        let n = solve_shape(self.shape(a), &sb)?;
        let b2 = if sb.len() == 1 {
            self.reshape(b, &[n, 1])?
        } else {
            b
        };
        let x = self.record_linalg(LinalgOp::Solve {
            a,
            b: b2,
            ta: false,
        })?;
        self.reshape(x, &sb)
    }

    /// `inv(a)`, recorded as `solve(a, eye(n))`.
    pub fn inv(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        let n = square(self.shape(a))?;
        let eye = self.identity(n);
        self.record_linalg(LinalgOp::Solve {
            a,
            b: eye,
            ta: false,
        })
    }

    pub fn det(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        square(self.shape(a))?;
        self.record_linalg(LinalgOp::Det(a))
    }

    /// log |det a| (torch's `slogdet(a).logabsdet`).
    pub fn logdet(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        square(self.shape(a))?;
        self.record_linalg(LinalgOp::LogAbsDet(a))
    }

    pub fn cholesky(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        square(self.shape(a))?;
        self.record_linalg(LinalgOp::Cholesky(a))
    }

    pub fn eigvalsh(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        square(self.shape(a))?;
        self.record_linalg(LinalgOp::EighValues(a))
    }

    pub fn eigh(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        square(self.shape(a))?;
        self.record_linalg(LinalgOp::EighVectors(a))
    }

    pub fn svdvals(&mut self, a: NodeId) -> Result<NodeId, OpError> {
        matrix(self.shape(a))?;
        self.record_linalg(LinalgOp::Svdvals(a))
    }
}
