//! Matrix product with NumPy `matmul` shapes for 1-D and 2-D operands:
//! 1-D operands are promoted to a row (left) or column (right) by a
//! recorded reshape, so only the 2-D product needs a backward rule.

use ndarray::Ix2;

use super::op::{Contributions, Op};
use super::tape::{NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;

pub(crate) fn matmul_backward(tape: &mut Tape, a: NodeId, b: NodeId, g: NodeId) -> Contributions {
    let mut out = Vec::with_capacity(2);
    if tape.requires_grad(a) {
        let bt = tape.transpose(b);
        out.push((a, tape.matmul2(g, bt)));
    }
    if tape.requires_grad(b) {
        let at = tape.transpose(a);
        out.push((b, tape.matmul2(at, g)));
    }
    out
}

impl Tape {
    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, OpError> {
        let (sa, sb) = (self.shape(a).to_vec(), self.shape(b).to_vec());
        let err = || OpError::MatMul {
            lhs: sa.clone(),
            rhs: sb.clone(),
        };
        if sa.is_empty() || sb.is_empty() || sa.len() > 2 || sb.len() > 2 {
            return Err(err());
        }
        let a2 = if sa.len() == 1 {
            self.reshape(a, &[1, sa[0]])?
        } else {
            a
        };
        let b2 = if sb.len() == 1 {
            self.reshape(b, &[sb[0], 1])?
        } else {
            b
        };
        if self.shape(a2)[1] != self.shape(b2)[0] {
            return Err(err());
        }
        let prod = self.matmul2(a2, b2);
        let mut out_shape = Vec::new();
        if sa.len() == 2 {
            out_shape.push(sa[0]);
        }
        if sb.len() == 2 {
            out_shape.push(sb[1]);
        }
        self.reshape(prod, &out_shape)
    }

    /// The 2-D product; shapes already checked.
    pub(crate) fn matmul2(&mut self, a: NodeId, b: NodeId) -> NodeId {
        fn as2(t: &Tensor) -> ndarray::ArrayView2<'_, f64> {
            t.view()
                .into_dimensionality::<Ix2>()
                .unwrap_or_else(|e| unreachable!("invariant: 2-D operand: {e}"))
        }
        let value = Tensor::from_array(as2(self.value(a)).dot(&as2(self.value(b))).into_dyn());
        self.push(Op::MatMul(a, b), value)
    }
}
