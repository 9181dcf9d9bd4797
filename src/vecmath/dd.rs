//! Double-double building blocks: a sum or product as its rounded value
//! and the exact error, so that a result can carry ~106 bits until its last
//! rounding. Products use `f64::mul_add`, which is exact-then-rounded on
//! every target (a hardware FMA where there is one).

/// `a + b` as `(s, e)` with `s + e` exactly `a + b` (Knuth).
#[inline(always)]
pub(super) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// As [`two_sum`] when `|a| >= |b|` (or `a` is 0) (Dekker).
#[inline(always)]
pub(super) fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

/// `a * b` as `(p, e)` with `p + e` exactly `a * b`.
#[inline(always)]
pub(super) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

/// `(nh + nl) / (dh + dl)` to about 2^-104 before the final rounding:
/// one quotient, then its remainder (exact with an FMA) divided again.
#[inline(always)]
pub(super) fn div(nh: f64, nl: f64, dh: f64, dl: f64) -> f64 {
    let q = nh / dh;
    let r = (-q).mul_add(dh, nh) + nl - q * dl;
    q + r / dh
}

/// 1.5 * 2^52: adding and subtracting it rounds a value below 2^51 to the
/// nearest whole number (ties to even), and the sum's low bits hold it.
pub(super) const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// The nearest whole number to `x` (|x| < 2^51), as a float.
#[inline(always)]
pub(super) fn round(x: f64) -> f64 {
    (x + ROUNDER) - ROUNDER
}

/// 2^k for a whole `k` in [-1022, 1023] (from its bits: no table, no branch).
#[inline(always)]
pub(super) fn pow2(k: f64) -> f64 {
    let bits = (k + ROUNDER).to_bits().wrapping_sub(ROUNDER.to_bits());
    f64::from_bits(bits.wrapping_add(1023) << 52)
}

/// `y * 2^k` for a whole `k` in [-2044, 2046], rounded once: in two
/// exact halves, so that 2^k itself need not be a normal number.
#[inline(always)]
pub(super) fn scale(y: f64, k: f64) -> f64 {
    let k1 = round(k * 0.5);
    y * pow2(k1) * pow2(k - k1)
}
