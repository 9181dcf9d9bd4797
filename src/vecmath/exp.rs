//! The exponential family: `exp`, `expm1`, `tanh`, `sigmoid`, all on one
//! kernel that gives exp(x) as 2^k (1 + p) with p in double-double.
//!
//! Reduction: k = round(x / ln 2), r = x - k ln 2 in double-double (ln 2
//! in two parts, the product by k exact through an FMA), so |r| <= 0.347.
//! Then p = e^r - 1 = r + r²/2 + r³ q(r): r²/2 exact as a double-double,
//! q the Taylor series to r^11/14! (the first term left out is below
//! 2^-62 of p). Every function finishes in double-double and rounds once,
//! which keeps it within about 0.51 ulp of the exact value.

use super::dd::{div, fast_two_sum, pow2, round, scale, two_prod, two_sum};

const LOG2E: f64 = std::f64::consts::LOG2_E;
const LN2_HI: f64 = std::f64::consts::LN_2;
/// ln 2 - LN2_HI.
const LN2_LO: f64 = 2.319_046_813_846_299_6e-17;

/// 1/n! for n = 3..=14, the coefficients of q.
const Q: [f64; 12] = {
    let mut c = [0.0; 12];
    let mut f = 2.0;
    let mut n = 3;
    while n <= 14 {
        f *= n as f64;
        c[n - 3] = 1.0 / f;
        n += 1;
    }
    c
};

/// (k, p_hi, p_lo) with exp(x) = 2^k (1 + p_hi + p_lo), for |x| below
/// about 746 (callers clamp); |p| <= 0.42.
#[inline(always)]
fn kernel(x: f64) -> (f64, f64, f64) {
    let k = round(x * LOG2E);
    let (t, t_err) = two_prod(k, LN2_HI);
    // Exact: x and k ln 2 are within a factor of two of each other.
    let r0 = x - t;
    let (r, r_lo) = two_sum(r0, -(t_err + k * LN2_LO));
    let mut q = Q[Q.len() - 1];
    for &c in Q.iter().rev().skip(1) {
        q = q.mul_add(r, c);
    }
    let (sq, sq_err) = two_prod(r, r);
    let tail = sq * r * q;
    let (h, e) = fast_two_sum(r, sq * 0.5);
    // e^(r + r_lo) - 1 = (e^r - 1) + e^r r_lo, to first order in r_lo.
    let lo = e + (sq_err * 0.5 + tail + r_lo * (1.0 + r + sq * 0.5));
    let (p, p_lo) = fast_two_sum(h, lo);
    (k, p, p_lo)
}

/// exp(x) = 2^k (t_hi + t_lo), with t in [0.7, 1.42]; x clamped to where
/// the result is neither infinite nor zero.
#[inline(always)]
pub(super) fn exp_dd(x: f64) -> (f64, f64, f64) {
    let (k, p, p_lo) = kernel(x.clamp(-746.0, 710.0));
    let (s, e) = fast_two_sum(1.0, p);
    let (t, t_lo) = fast_two_sum(s, e + p_lo);
    (k, t, t_lo)
}

/// e^x.
#[inline(always)]
pub(super) fn exp(x: f64) -> f64 {
    let (k, t, t_lo) = exp_dd(x);
    scale(t + t_lo, k)
}

/// e^x - 1 as a double-double, for x in [-40, 40].
#[inline(always)]
fn expm1_dd(x: f64) -> (f64, f64) {
    let (k, p, p_lo) = kernel(x.clamp(-40.0, 40.0));
    // 2^k (1 + p) - 1 = (2^k - 1) + 2^k p, every scaling exact.
    let two_k = pow2(k);
    let (s, e) = two_sum(two_k, two_k * p);
    let (h, e2) = two_sum(s, -1.0);
    let (h, l) = fast_two_sum(h, e2 + (e + two_k * p_lo));
    // At k = 0 that is p itself, but rounded on the scale of 1.
    if k == 0.0 {
        (p, p_lo)
    } else {
        (h, l)
    }
}

/// e^x - 1, accurate for small x.
#[inline(always)]
pub(super) fn expm1(x: f64) -> f64 {
    let (h, l) = expm1_dd(x);
    let y = h + l;
    // Beyond 40, the - 1 is below 1/32 ulp of e^x; below -40, e^x is
    // below a quarter ulp of 1.
    let y = if x > 40.0 { exp(x) } else { y };
    let y = if x < -40.0 { -1.0 } else { y };
    if x == 0.0 {
        x
    } else {
        y
    }
}

/// tanh(x) = E / (E + 2) with E = e^(2|x|) - 1, signed as x.
#[inline(always)]
pub(super) fn tanh(x: f64) -> f64 {
    let a = x.abs();
    let (eh, el) = expm1_dd(2.0 * a);
    let (dh, d) = two_sum(eh, 2.0);
    let q = div(eh, el, dh, d + el);
    // tanh(22) is 1 - 1.6e-19: 1 to the nearest double.
    let q = if a > 22.0 { 1.0 } else { q };
    q.copysign(x)
}

/// 1 / (1 + e^-x), as e^x / (1 + e^x) for negative x.
#[inline(always)]
pub(super) fn sigmoid(x: f64) -> f64 {
    let (k, t, t_lo) = exp_dd(-x.abs());
    // T = e^-|x| <= 1, scaled exactly unless it is subnormal.
    let (th, tl) = (scale(t, k), scale(t_lo, k));
    let (dh, d) = fast_two_sum(1.0, th);
    let (nh, nl) = if x >= 0.0 { (1.0, 0.0) } else { (th, tl) };
    let y = div(nh, nl, dh, d + tl);
    if x.is_nan() {
        x
    } else {
        y
    }
}
