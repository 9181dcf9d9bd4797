//! Elementwise operations: forward and backward side by side. Backward
//! rules follow PyTorch 2.15 at kinks and singular points (docs/kinks.md).

use super::op::{Contributions, Op};
use super::selection::CompareFn;
use super::tape::{NodeId, Tape};
use super::OpError;
use crate::tensor::Tensor;
use crate::vecmath;

/// A function applied over a slice into another (as [`crate::vecmath`]'s).
type SliceFn = fn(&[f64], &mut [f64]);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryFn {
    Neg,
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sigmoid,
    Relu,
    Softplus,
    Abs,
    Sign,
    // elementwise (staples): see `staples.rs`
    Atan,
    Asin,
    Acos,
    Sinh,
    Cosh,
    Asinh,
    Acosh,
    Atanh,
    Log2,
    Log10,
    Log1p,
    Expm1,
    Erf,
    Erfc,
    Floor,
    Ceil,
    Round,
    Trunc,
}

impl UnaryFn {
    pub fn name(self) -> &'static str {
        match self {
            UnaryFn::Neg => "negation",
            UnaryFn::Exp => "`exp`",
            UnaryFn::Log => "`log`",
            UnaryFn::Sqrt => "`sqrt`",
            UnaryFn::Sin => "`sin`",
            UnaryFn::Cos => "`cos`",
            UnaryFn::Tan => "`tan`",
            UnaryFn::Tanh => "`tanh`",
            UnaryFn::Sigmoid => "`sigmoid`",
            UnaryFn::Relu => "`relu`",
            UnaryFn::Softplus => "`softplus`",
            UnaryFn::Abs => "`abs`",
            UnaryFn::Sign => "`sign`",
            UnaryFn::Atan => "`atan`",
            UnaryFn::Asin => "`asin`",
            UnaryFn::Acos => "`acos`",
            UnaryFn::Sinh => "`sinh`",
            UnaryFn::Cosh => "`cosh`",
            UnaryFn::Asinh => "`asinh`",
            UnaryFn::Acosh => "`acosh`",
            UnaryFn::Atanh => "`atanh`",
            UnaryFn::Log2 => "`log2`",
            UnaryFn::Log10 => "`log10`",
            UnaryFn::Log1p => "`log1p`",
            UnaryFn::Expm1 => "`expm1`",
            UnaryFn::Erf => "`erf`",
            UnaryFn::Erfc => "`erfc`",
            UnaryFn::Floor => "`floor`",
            UnaryFn::Ceil => "`ceil`",
            UnaryFn::Round => "`round`",
            UnaryFn::Trunc => "`trunc`",
        }
    }

    pub fn apply(self, x: f64) -> f64 {
        match self {
            UnaryFn::Neg => -x,
            UnaryFn::Exp | UnaryFn::Log | UnaryFn::Tanh | UnaryFn::Sigmoid => self.one(x),
            UnaryFn::Softplus | UnaryFn::Log1p | UnaryFn::Expm1 => self.one(x),
            UnaryFn::Sqrt => x.sqrt(),
            UnaryFn::Sin => x.sin(),
            UnaryFn::Cos => x.cos(),
            UnaryFn::Tan => x.tan(),
            UnaryFn::Relu => {
                if x > 0.0 || x.is_nan() {
                    x
                } else {
                    0.0
                }
            }
            UnaryFn::Abs => x.abs(),
            // As torch.sign: 0 for zeros of either sign and for NaN.
            UnaryFn::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            f => super::staples::unary_apply(f, x),
        }
    }

    /// The function over a slice at once: vectorized where
    /// [`crate::vecmath`] has it, with the same bits as [`UnaryFn::apply`]
    /// value by value.
    pub(crate) fn apply_slice(self, x: &[f64], out: &mut [f64]) {
        match self.vectorized() {
            Some(f) => f(x, out),
            None => {
                for (o, &x) in out.iter_mut().zip(x) {
                    *o = self.apply(x);
                }
            }
        }
    }

    /// The slice version of a function [`crate::vecmath`] computes
    /// (torch's softplus threshold included).
    fn vectorized(self) -> Option<SliceFn> {
        Some(match self {
            UnaryFn::Exp => vecmath::exp,
            UnaryFn::Log => vecmath::log,
            UnaryFn::Tanh => vecmath::tanh,
            UnaryFn::Sigmoid => vecmath::sigmoid,
            UnaryFn::Softplus => vecmath::softplus,
            UnaryFn::Log1p => vecmath::log1p,
            UnaryFn::Expm1 => vecmath::expm1,
            _ => return None,
        })
    }

    /// A function of [`UnaryFn::vectorized`] on one value.
    fn one(self, x: f64) -> f64 {
        let mut y = [0.0];
        self.apply_slice(&[x], &mut y);
        y[0]
    }

    /// The gradient for the input, or None where it is zero everywhere.
    pub(crate) fn backward(
        self,
        tape: &mut Tape,
        x: NodeId,
        y: NodeId,
        g: NodeId,
    ) -> Option<NodeId> {
        let one = || Tensor::Scalar(1.0);
        Some(match self {
            UnaryFn::Neg => tape.neg(g),
            UnaryFn::Exp => tape.mul(g, y),
            UnaryFn::Log => tape.div(g, x),
            // g / (2 y): +inf at 0, as in torch.
            UnaryFn::Sqrt => {
                let two_y = tape.scale(y, 2.0);
                tape.div(g, two_y)
            }
            UnaryFn::Sin => {
                let c = tape.unary(UnaryFn::Cos, x);
                tape.mul(g, c)
            }
            UnaryFn::Cos => {
                let s = tape.unary(UnaryFn::Sin, x);
                let gs = tape.mul(g, s);
                tape.neg(gs)
            }
            UnaryFn::Tan | UnaryFn::Tanh => {
                let yy = tape.mul(y, y);
                let sign = if self == UnaryFn::Tan { 1.0 } else { -1.0 };
                let signed = tape.scale(yy, sign);
                let c = tape.constant(one());
                let d = tape.add(c, signed);
                tape.mul(g, d)
            }
            UnaryFn::Sigmoid => {
                let c = tape.constant(one());
                let one_minus = tape.sub(c, y);
                let d = tape.mul(y, one_minus);
                tape.mul(g, d)
            }
            UnaryFn::Softplus => {
                let s = tape.unary(UnaryFn::Sigmoid, x);
                tape.mul(g, s)
            }
            // relu'(0) = 0 and abs'(0) = 0: constant masks.
            // Masks are recorded as ops on `x`, so a replayed tape recomputes them.
            UnaryFn::Relu => {
                let zero = tape.scalar(0.0);
                let mask = tape
                    .compare(CompareFn::Gt, x, zero)
                    .unwrap_or_else(|e| unreachable!("invariant: scalar broadcasts: {e:?}"));
                tape.mul(g, mask)
            }
            UnaryFn::Abs => {
                let sign = tape.unary(UnaryFn::Sign, x);
                tape.mul(g, sign)
            }
            UnaryFn::Sign => return None,
            f => return super::staples::unary_backward(f, tape, x, y, g),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryFn {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Max,
    Min,
    /// `%`, torch.remainder: the result has the divisor's sign.
    Rem,
    /// `atan2(y, x)`, the angle of the point (x, y).
    Atan2,
}

impl BinaryFn {
    pub fn name(self) -> &'static str {
        match self {
            BinaryFn::Add => "`+`",
            BinaryFn::Sub => "`-`",
            BinaryFn::Mul => "`*`",
            BinaryFn::Div => "the division `/`",
            BinaryFn::Pow => "the power `^`",
            BinaryFn::Max => "`max`",
            BinaryFn::Min => "`min`",
            BinaryFn::Rem => "the remainder `%`",
            BinaryFn::Atan2 => "`atan2`",
        }
    }

    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinaryFn::Add => a + b,
            BinaryFn::Sub => a - b,
            BinaryFn::Mul => a * b,
            BinaryFn::Div => a / b,
            // Exact and fast for the commonest exponents (torch too
            // computes x^2 as x * x).
            BinaryFn::Pow if b == 2.0 => a * a,
            BinaryFn::Pow if b == 1.0 => a,
            BinaryFn::Pow => a.powf(b),
            // NaN-propagating, as torch.maximum.
            BinaryFn::Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
            BinaryFn::Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            BinaryFn::Rem => super::staples::remainder(a, b),
            BinaryFn::Atan2 => a.atan2(b),
        }
    }

    pub(crate) fn backward(
        self,
        tape: &mut Tape,
        a: NodeId,
        b: NodeId,
        y: NodeId,
        g: NodeId,
    ) -> Contributions {
        let (need_a, need_b) = (tape.requires_grad(a), tape.requires_grad(b));
        let (ga, gb) = match self {
            BinaryFn::Add => (Some(g), need_b.then_some(g)),
            BinaryFn::Sub => (Some(g), need_b.then(|| tape.neg(g))),
            BinaryFn::Mul => (
                need_a.then(|| tape.mul(g, b)),
                need_b.then(|| tape.mul(g, a)),
            ),
            BinaryFn::Div => {
                let ga = need_a.then(|| tape.div(g, b));
                let gb = need_b.then(|| {
                    // -g * a / (b * b)
                    let ga_ = tape.mul(g, a);
                    let bb = tape.mul(b, b);
                    let q = tape.div(ga_, bb);
                    tape.neg(q)
                });
                (ga, gb)
            }
            BinaryFn::Pow => (
                need_a.then(|| pow_base_grad(tape, a, b, g)),
                need_b.then(|| pow_exp_grad(tape, a, y, g)),
            ),
            BinaryFn::Max | BinaryFn::Min => {
                // Ties split the gradient evenly.
                let share = if self == BinaryFn::Max {
                    CompareFn::MaxShare
                } else {
                    CompareFn::MinShare
                };
                let mut part = |x, y| {
                    let mask = tape
                        .compare(share, x, y)
                        .unwrap_or_else(|e| unreachable!("shapes checked in forward: {e:?}"));
                    tape.mul(g, mask)
                };
                (need_a.then(|| part(a, b)), need_b.then(|| part(b, a)))
            }
            BinaryFn::Rem | BinaryFn::Atan2 => super::staples::binary_backward(self, tape, a, b, g),
        };
        let mut out = Vec::with_capacity(2);
        for (input, grad) in [(a, ga), (b, gb)] {
            if let Some(grad) = grad {
                let shape = tape.shape(input).to_vec();
                out.push((input, tape.sum_to(grad, &shape)));
            }
        }
        out
    }
}

/// d(a^b)/da = b * a^(b-1), and 0 where b == 0 (torch special-cases it).
fn pow_base_grad(tape: &mut Tape, a: NodeId, b: NodeId, g: NodeId) -> NodeId {
    // The commonest case, a constant square: 2 a, in one pass.
    if !tape.requires_grad(b) && *tape.value(b) == Tensor::Scalar(2.0) {
        let two_a = tape.scale(a, 2.0);
        return tape.mul(g, two_a);
    }
    let one = tape.scalar(1.0);
    let b_minus_1 = tape.sub(b, one);
    let a_pow = tape.binary_unchecked(BinaryFn::Pow, a, b_minus_1);
    let d = tape.mul(b, a_pow);
    let gd = tape.mul(g, d);
    if tape.decide(b).iter().any(|v| v == 0.0) {
        let zero_exp = tape.value(b).map(|v| if v == 0.0 { 1.0 } else { 0.0 });
        tape.zero_where(zero_exp, gd)
    } else {
        gd
    }
}

/// d(a^b)/db = a^b * ln(a), and 0 where a == 0 (torch masks it).
fn pow_exp_grad(tape: &mut Tape, a: NodeId, y: NodeId, g: NodeId) -> NodeId {
    let ln_a = tape.unary(UnaryFn::Log, a);
    let d = tape.mul(y, ln_a);
    let gd = tape.mul(g, d);
    if tape.decide(a).iter().any(|v| v == 0.0) {
        let zero_base = tape.value(a).map(|v| if v == 0.0 { 1.0 } else { 0.0 });
        tape.zero_where(zero_base, gd)
    } else {
        gd
    }
}

/// Recording helpers. The `*_unchecked` and arithmetic shorthands are for
/// operands whose shapes the caller already knows agree (backward passes).
impl Tape {
    pub fn unary(&mut self, f: UnaryFn, x: NodeId) -> NodeId {
        self.record_unchecked(Op::Unary(f, x), &[])
    }

    pub fn binary(&mut self, f: BinaryFn, a: NodeId, b: NodeId) -> Result<NodeId, OpError> {
        super::check_size(&crate::tensor::broadcast_shapes(
            self.shape(a),
            self.shape(b),
        )?)?;
        self.record(Op::Binary(f, a, b), &[])
    }

    pub(crate) fn binary_unchecked(&mut self, f: BinaryFn, a: NodeId, b: NodeId) -> NodeId {
        self.binary(f, a, b)
            .unwrap_or_else(|e| unreachable!("invariant: backward shapes agree: {e:?}"))
    }

    pub(crate) fn add(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary_unchecked(BinaryFn::Add, a, b)
    }

    pub(crate) fn sub(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary_unchecked(BinaryFn::Sub, a, b)
    }

    pub(crate) fn mul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary_unchecked(BinaryFn::Mul, a, b)
    }

    pub(crate) fn div(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary_unchecked(BinaryFn::Div, a, b)
    }

    pub(crate) fn neg(&mut self, a: NodeId) -> NodeId {
        self.unary(UnaryFn::Neg, a)
    }

    pub(crate) fn scale(&mut self, a: NodeId, c: f64) -> NodeId {
        let c = self.scalar(c);
        self.mul(c, a)
    }

    /// `a * mask` for a constant mask (no gradient through the mask).
    pub(crate) fn mul_const(&mut self, a: NodeId, mask: Tensor) -> NodeId {
        let m = self.constant(mask);
        self.mul(a, m)
    }

    /// `a` with entries set to 0 where `mask` is non-zero.
    pub(crate) fn zero_where(&mut self, mask: Tensor, a: NodeId) -> NodeId {
        let mask = mask
            .broadcast_to(self.shape(a))
            .unwrap_or_else(|e| unreachable!("invariant: mask fits: {e:?}"));
        let m = self.constant(mask);
        let zeros = Tensor::full(self.shape(a), 0.0);
        let z = self.constant(zeros);
        self.select(m, z, a)
    }

    /// `mask ? a : b` elementwise, in the mask's shape (`a` and `b`
    /// broadcast to it); no gradient goes to the mask.
    pub(crate) fn select(&mut self, mask: NodeId, a: NodeId, b: NodeId) -> NodeId {
        self.record_unchecked(Op::Select { mask, a, b }, &[])
    }

    /// `where(cond, a, b)`: `a` where `cond` is non-zero, else `b`, all
    /// three broadcast together.
    pub fn where_(&mut self, cond: NodeId, a: NodeId, b: NodeId) -> Result<NodeId, OpError> {
        let ab = crate::tensor::broadcast_shapes(self.shape(a), self.shape(b))?;
        let shape = crate::tensor::broadcast_shapes(self.shape(cond), &ab)?;
        let mask = self.broadcast_to(cond, &shape)?;
        Ok(self.select(mask, a, b))
    }

    pub fn clamp(&mut self, x: NodeId, lo: NodeId, hi: NodeId) -> Result<NodeId, OpError> {
        let shape = crate::tensor::broadcast_shapes(self.shape(x), self.shape(lo))?;
        super::check_size(&crate::tensor::broadcast_shapes(&shape, self.shape(hi))?)?;
        self.record(Op::Clamp { x, lo, hi }, &[])
    }
}

/// `f(a, b)` with broadcasting.
pub(crate) fn binary_value(f: BinaryFn, a: &Tensor, b: &Tensor) -> Result<Tensor, OpError> {
    Ok(a.zip(b, |x, y| f.apply(x, y))?)
}
