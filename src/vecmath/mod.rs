//! Elementwise transcendental functions over slices, fast enough for the
//! fused replay of a neural network (where libm's scalar `tanh` took a
//! quarter of a training step) and within 1 ulp of the exact result, as
//! SLEEF's u10 functions that PyTorch uses on the CPU.
//!
//! Each function is one branch-free scalar routine (selects, bit tricks,
//! `mul_add`; no tables, no calls), evaluated in double-double where it
//! matters and rounded once at the end, so the compiler vectorizes the
//! loop over a slice. On x86-64 the loop is compiled a second time for
//! AVX2 with FMA and chosen at run time; elsewhere (or without those
//! features) the same code runs with the target's own `mul_add`, which
//! is a correctly rounded FMA everywhere (in software where there is no
//! hardware one). The results are therefore the same bits on every
//! machine, only the speed differs.
//!
//! `tests/vecmath.rs` checks every function against a double-double
//! reference on over a million inputs each.

mod dd;
mod exp;
mod log;

/// Whether this CPU runs the AVX2 and FMA copy of each function.
#[cfg(target_arch = "x86_64")]
fn avx2_fma() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

/// Each function over a slice: the loop calls the scalar routine directly
/// (a call through a generic closure would not be inlined into the AVX2
/// copy, and so would not be vectorized).
macro_rules! functions {
    ($($(#[$doc:meta])* $name:ident => $f:path;)*) => {$(
        $(#[$doc])*
        /// Writes `out[i]` for each `x[i]`, over the shorter of the two.
        pub fn $name(x: &[f64], out: &mut [f64]) {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2(x: &[f64], out: &mut [f64]) {
                for (o, &x) in out.iter_mut().zip(x) {
                    *o = $f(x);
                }
            }
            #[cfg(target_arch = "x86_64")]
            if avx2_fma() {
                // SAFETY: the CPU has just been found to support AVX2 and
                // FMA, the only requirement of `avx2`.
                unsafe { avx2(x, out) };
                return;
            }
            for (o, &x) in out.iter_mut().zip(x) {
                *o = $f(x);
            }
        }
    )*};
}

functions! {
    /// e^x.
    exp => exp::exp;
    /// e^x - 1, accurate for small x.
    expm1 => exp::expm1;
    /// The hyperbolic tangent.
    tanh => exp::tanh;
    /// 1 / (1 + e^-x), without overflow.
    sigmoid => exp::sigmoid;
    /// The natural logarithm: -inf at ±0, nan below 0.
    log => log::log;
    /// log(1 + x), accurate for small x.
    log1p => log::log1p;
    /// log(1 + e^x), and x itself above 20 (torch's threshold).
    softplus => log::softplus;
}
