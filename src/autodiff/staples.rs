//! The elementwise staples a NumPy or PyTorch user reaches for (inverse
//! trigonometric and hyperbolic functions, log2/log10/log1p/expm1,
//! erf/erfc, rounding, atan2 and the remainder `%`): forward and backward
//! side by side, kept apart from `elementwise.rs` so that file stays the
//! core arithmetic. Values and gradients follow torch 2.15
//! (tests/data/refs/gen_elementwise.py); each backward is recorded from
//! tape ops, so second derivatives follow.

use super::elementwise::{BinaryFn, UnaryFn};
use super::tape::{NodeId, Tape};

/// `f(x)` for a staple `f`.
pub(super) fn unary_apply(f: UnaryFn, x: f64) -> f64 {
    match f {
        UnaryFn::Atan => x.atan(),
        UnaryFn::Asin => x.asin(),
        UnaryFn::Acos => x.acos(),
        UnaryFn::Sinh => x.sinh(),
        UnaryFn::Cosh => x.cosh(),
        UnaryFn::Asinh => x.asinh(),
        UnaryFn::Acosh => x.acosh(),
        UnaryFn::Atanh => x.atanh(),
        UnaryFn::Log2 => x.log2(),
        UnaryFn::Log10 => x.log10(),
        // The standard library has no erf; libm's is the musl/FreeBSD one,
        // accurate to an ulp or so.
        UnaryFn::Erf => libm::erf(x),
        UnaryFn::Erfc => libm::erfc(x),
        UnaryFn::Floor => x.floor(),
        UnaryFn::Ceil => x.ceil(),
        // torch.round: halves go to the even neighbour.
        UnaryFn::Round => x.round_ties_even(),
        UnaryFn::Trunc => x.trunc(),
        _ => unreachable!("invariant: {f:?} is not a staple"),
    }
}

/// The gradient for `x` of staple `f` at output `y` given `g`; None where
/// it is zero everywhere (the rounding functions).
pub(super) fn unary_backward(
    f: UnaryFn,
    tape: &mut Tape,
    x: NodeId,
    y: NodeId,
    g: NodeId,
) -> Option<NodeId> {
    // 1 + sign * x^2, the quadratic under most inverse functions.
    let one_plus = |tape: &mut Tape, sign: f64| {
        let xx = tape.mul(x, x);
        let signed = tape.scale(xx, sign);
        let one = tape.scalar(1.0);
        tape.add(one, signed)
    };
    let over_sqrt = |tape: &mut Tape, q: NodeId| {
        let r = tape.unary(UnaryFn::Sqrt, q);
        tape.div(g, r)
    };
    Some(match f {
        UnaryFn::Atan => {
            let d = one_plus(tape, 1.0);
            tape.div(g, d)
        }
        UnaryFn::Asin | UnaryFn::Acos => {
            let q = one_plus(tape, -1.0);
            let d = over_sqrt(tape, q);
            if f == UnaryFn::Acos {
                tape.neg(d)
            } else {
                d
            }
        }
        UnaryFn::Sinh => {
            let c = tape.unary(UnaryFn::Cosh, x);
            tape.mul(g, c)
        }
        UnaryFn::Cosh => {
            let s = tape.unary(UnaryFn::Sinh, x);
            tape.mul(g, s)
        }
        UnaryFn::Asinh => {
            let q = one_plus(tape, 1.0);
            over_sqrt(tape, q)
        }
        // torch: g * rsqrt(x^2 - 1).
        UnaryFn::Acosh => {
            let xx = tape.mul(x, x);
            let one = tape.scalar(1.0);
            let q = tape.sub(xx, one);
            over_sqrt(tape, q)
        }
        UnaryFn::Atanh => {
            let d = one_plus(tape, -1.0);
            tape.div(g, d)
        }
        UnaryFn::Log2 | UnaryFn::Log10 => {
            let base: f64 = if f == UnaryFn::Log2 { 2.0 } else { 10.0 };
            let d = tape.scale(x, base.ln());
            tape.div(g, d)
        }
        UnaryFn::Log1p => {
            let one = tape.scalar(1.0);
            let d = tape.add(x, one);
            tape.div(g, d)
        }
        UnaryFn::Expm1 => {
            let one = tape.scalar(1.0);
            let d = tape.add(y, one);
            tape.mul(g, d)
        }
        // erf'(x) = 2/sqrt(pi) exp(-x^2); erfc' is its negation.
        UnaryFn::Erf | UnaryFn::Erfc => {
            let sign = if f == UnaryFn::Erf { 1.0 } else { -1.0 };
            let xx = tape.mul(x, x);
            let minus = tape.neg(xx);
            let e = tape.unary(UnaryFn::Exp, minus);
            let d = tape.scale(e, sign * std::f64::consts::FRAC_2_SQRT_PI);
            tape.mul(g, d)
        }
        UnaryFn::Floor | UnaryFn::Ceil | UnaryFn::Round | UnaryFn::Trunc => return None,
        _ => unreachable!("invariant: {f:?} is not a staple"),
    })
}

/// torch.remainder on floats: fmod, moved by one divisor when its sign
/// differs from the divisor's, so the result has the divisor's sign.
pub(super) fn remainder(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        m + b
    } else {
        m
    }
}

/// Gradients of `a % b` (1 and -floor(a / b), as torch) and of
/// `atan2(a, b)` (b / r and -a / r with r = a^2 + b^2, 0 at the origin),
/// each in the output's shape, for the inputs that need one.
pub(super) fn binary_backward(
    f: BinaryFn,
    tape: &mut Tape,
    a: NodeId,
    b: NodeId,
    g: NodeId,
) -> (Option<NodeId>, Option<NodeId>) {
    let (need_a, need_b) = (tape.requires_grad(a), tape.requires_grad(b));
    match f {
        BinaryFn::Rem => {
            let gb = need_b.then(|| {
                let q = tape.div(a, b);
                let fl = tape.unary(UnaryFn::Floor, q);
                let gq = tape.mul(g, fl);
                tape.neg(gq)
            });
            (need_a.then_some(g), gb)
        }
        BinaryFn::Atan2 => {
            let aa = tape.mul(a, a);
            let bb = tape.mul(b, b);
            let r = tape.add(aa, bb);
            // At the origin torch's gradients are 0: divide by 1 there
            // (the numerators are 0), keeping second derivatives finite.
            let zero = tape.scalar(0.0);
            let origin = tape
                .compare(super::selection::CompareFn::Eq, r, zero)
                .unwrap_or_else(|e| unreachable!("invariant: scalar broadcasts: {e:?}"));
            let one = tape.scalar(1.0);
            let r = tape.select(origin, one, r);
            let gr = tape.div(g, r);
            let ga = need_a.then(|| tape.mul(gr, b));
            let gb = need_b.then(|| {
                let t = tape.mul(gr, a);
                tape.neg(t)
            });
            (ga, gb)
        }
        _ => unreachable!("invariant: {f:?} is not a staple"),
    }
}
