//! The logarithm family: `log`, `log1p`, `softplus`, on one kernel that
//! gives log(u) in double-double for u > 0.
//!
//! Reduction: u = 2^e m with m in [√2/2, √2) (from the bits, as musl
//! does), f = m - 1 exactly, s = f / (2 + f) in double-double, and
//! log(m) = 2 atanh(s) = 2s + 2s³ P(s²), P the series 1/3 + s²/5 + ...
//! to s^22/25 (|s| <= 0.172: the first term left out is below 2^-70).
//! log1p and softplus take 1 + x in double-double, so that nothing is
//! lost when x is small.

use super::dd::{fast_two_sum, two_prod, two_sum, ROUNDER};
use super::exp::exp_dd;

const LN2_HI: f64 = std::f64::consts::LN_2;
/// ln 2 - LN2_HI.
const LN2_LO: f64 = 2.319_046_813_846_299_6e-17;
/// The bits of √2/2.
const SQRT_HALF: u64 = 0x3fe6_a09e_667f_3bcd;
const MANTISSA: u64 = (1 << 52) - 1;

/// 1/(2n+1) for n = 1..=12, the coefficients of P.
const P: [f64; 12] = {
    let mut c = [0.0; 12];
    let mut n = 1;
    while n <= 12 {
        c[n - 1] = 1.0 / (2 * n + 1) as f64;
        n += 1;
    }
    c
};

/// log(u) as a double-double, for a finite u > 0 (subnormals included).
#[inline(always)]
fn kernel(u: f64) -> (f64, f64) {
    let tiny = u < f64::MIN_POSITIVE;
    let u = if tiny {
        u * 18_014_398_509_481_984.0
    } else {
        u
    }; // 2^54
    let ix = u.to_bits().wrapping_sub(SQRT_HALF);
    // The exponent, from the bits' top as a signed number, converted
    // through the rounder (no 64-bit integer conversion on AVX2).
    let e_bits = ((ix as i64) >> 52) as u64;
    let e = f64::from_bits(ROUNDER.to_bits().wrapping_add(e_bits)) - ROUNDER;
    let e = if tiny { e - 54.0 } else { e };
    let m = f64::from_bits((ix & MANTISSA).wrapping_add(SQRT_HALF));
    let f = m - 1.0;
    let (dh, dl) = two_sum(2.0, f);
    let s = f / dh;
    let s_lo = ((-s).mul_add(dh, f) - s * dl) / dh;
    let z = s * s;
    let mut poly = P[P.len() - 1];
    for &c in P.iter().rev().skip(1) {
        poly = poly.mul_add(z, c);
    }
    let tail = 2.0 * s * z * poly;
    let (a, a_lo) = two_prod(e, LN2_HI);
    let (h, l) = two_sum(a, 2.0 * s);
    fast_two_sum(h, l + (a_lo + e * LN2_LO + 2.0 * s_lo + tail))
}

/// log(uh + ul) for uh = 1 + x rounded and ul its error: log(uh) plus
/// log(1 + c) = c - c²/2 for c = ul / uh (below 2^-53: c³ is out of reach,
/// c² is not when log(uh) is 0 and c is all there is).
#[inline(always)]
fn log_of_sum(uh: f64, ul: f64) -> f64 {
    let (h, l) = kernel(uh);
    let c = ul / uh;
    // c may cancel much of h (1 + e^x rounded up): add them exactly.
    let (s, e) = two_sum(h, c);
    s + (e + (l - 0.5 * c * c))
}

/// What log-like functions give outside (0, inf): -inf at 0, nan below
/// and for nan, inf at inf; `y` inside.
#[inline(always)]
fn edges(u: f64, y: f64) -> f64 {
    let y = if u == f64::INFINITY { u } else { y };
    let y = if u == 0.0 { f64::NEG_INFINITY } else { y };
    if u < 0.0 || u.is_nan() {
        f64::NAN
    } else {
        y
    }
}

/// The natural logarithm.
#[inline(always)]
pub(super) fn log(x: f64) -> f64 {
    let (h, l) = kernel(x);
    edges(x, h + l)
}

/// log(1 + x), accurate for small x.
#[inline(always)]
pub(super) fn log1p(x: f64) -> f64 {
    let (uh, ul) = two_sum(1.0, x);
    // 1 + x is exact in (uh, ul), so it is 0 only at x = -1.
    let y = edges(uh, log_of_sum(uh, ul));
    // -0 stays -0.
    if x == 0.0 {
        x
    } else {
        y
    }
}

/// log(1 + e^x), and x itself above 20 (torch's threshold: there the two
/// differ by less than 2e-9 relative, and torch defines softplus so).
#[inline(always)]
pub(super) fn softplus(x: f64) -> f64 {
    let (k, t, t_lo) = exp_dd(x);
    let (th, tl) = (super::dd::scale(t, k), super::dd::scale(t_lo, k));
    let (uh, d) = two_sum(1.0, th);
    let y = log_of_sum(uh, d + tl);
    // Below -28, e^x < 2^-40 and log(1 + T) = T - T²/2 to 2^-80; through
    // 1 + T, T's bits beyond 1's would be rounded away.
    let y = if x < -28.0 {
        th + (tl - 0.5 * th * th)
    } else {
        y
    };
    if x > 20.0 || x.is_nan() {
        x
    } else {
        y
    }
}
