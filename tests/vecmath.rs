//! gradlang::vecmath against an independent reference: each function on
//! 1.2 million inputs (random over its domain, tiny magnitudes of both
//! signs, subnormals) and a list of edge cases (±0, ±inf, nan, the
//! overflow and underflow thresholds), with the error measured in ulps
//! of the exact value.
//!
//! The reference is computed here in double-double arithmetic (about 104
//! bits, from Taylor and atanh series, ln 2 in three parts), so its own
//! error is below 2^-90 relative: a measured error is the function's, not
//! the reference's. The bound asserted is 1 ulp of the exact value, the
//! bound SLEEF's u10 functions state; the worst error seen and the share
//! of results that are not the correctly rounded one are printed with
//! `cargo test --release --test vecmath -- --nocapture`.

use gradlang::vecmath;

/// A double-double: the value `.0 + .1` with `|.1| <= ulp(.0) / 2`.
#[derive(Clone, Copy, Debug)]
struct D(f64, f64);

fn two_sum(a: f64, b: f64) -> D {
    let s = a + b;
    let bb = s - a;
    D(s, (a - (s - bb)) + (b - bb))
}

fn fast(a: f64, b: f64) -> D {
    let s = a + b;
    D(s, b - (s - a))
}

fn two_prod(a: f64, b: f64) -> D {
    let p = a * b;
    D(p, a.mul_add(b, -p))
}

impl D {
    fn of(x: f64) -> D {
        D(x, 0.0)
    }
    fn add(self, o: D) -> D {
        let s = two_sum(self.0, o.0);
        let t = two_sum(self.1, o.1);
        let s = fast(s.0, s.1 + t.0);
        fast(s.0, s.1 + t.1)
    }
    fn neg(self) -> D {
        D(-self.0, -self.1)
    }
    fn sub(self, o: D) -> D {
        self.add(o.neg())
    }
    fn mul(self, o: D) -> D {
        let p = two_prod(self.0, o.0);
        fast(p.0, p.1 + (self.0 * o.1 + self.1 * o.0))
    }
    fn div(self, o: D) -> D {
        let q1 = self.0 / o.0;
        let r = self.sub(o.mul(D::of(q1)));
        let q2 = r.0 / o.0;
        let r = r.sub(o.mul(D::of(q2)));
        let q3 = r.0 / o.0;
        let q = fast(q1, q2);
        q.add(D::of(q3))
    }
    /// Times 2^n, exact while both parts stay normal.
    fn scale(self, n: i32) -> D {
        D(scale(self.0, n), scale(self.1, n))
    }
}

/// x * 2^n in exact steps (rounded only if the result is subnormal).
fn scale(mut x: f64, mut n: i32) -> f64 {
    while n > 1000 {
        x *= 2f64.powi(1000);
        n -= 1000;
    }
    while n < -1000 {
        x *= 2f64.powi(-1000);
        n += 1000;
    }
    x * 2f64.powi(n)
}

const LN2: [f64; 3] = [
    std::f64::consts::LN_2,
    2.3190468138462996e-17,
    5.707708438416212e-34,
];

/// n · ln 2 to about 2^-150 relative.
fn n_ln2(n: f64) -> D {
    two_prod(n, LN2[0])
        .add(two_prod(n, LN2[1]))
        .add(D::of(n * LN2[2]))
}

/// e^x as (t, k) with e^x = t · 2^k, t in [0.5, 2]; past where e^x
/// overflows or underflows, inf or 0.
fn exp_ref(x: f64) -> (D, i32) {
    if !(-746.0..=710.0).contains(&x) {
        return (D::of(if x > 0.0 { f64::INFINITY } else { 0.0 }), 0);
    }
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = D::of(x).sub(n_ln2(k)).scale(-10);
    let (mut sum, mut term) = (D::of(1.0), D::of(1.0));
    for n in 1..=14 {
        term = term.mul(r).div(D::of(n as f64));
        sum = sum.add(term);
    }
    for _ in 0..10 {
        sum = sum.mul(sum);
    }
    (sum, k as i32)
}

fn expm1_ref(x: f64) -> (D, i32) {
    if x > 710.0 {
        return (D::of(f64::INFINITY), 0);
    }
    if x.abs() < 0.5 {
        let (mut sum, mut term) = (D::of(0.0), D::of(1.0));
        for n in 1..=28 {
            term = term.mul(D::of(x)).div(D::of(n as f64));
            sum = sum.add(term);
        }
        return (sum, 0);
    }
    let (t, k) = exp_ref(x);
    if x > 0.0 {
        (t.sub(D::of(scale(1.0, -k))), k)
    } else {
        (t.scale(k).sub(D::of(1.0)), 0)
    }
}

/// log(u) for a double-double u: -inf at 0, nan below.
fn log_ref(u: D) -> D {
    if u.0 <= 0.0 {
        return D::of(if u.0 == 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        });
    }
    let mut e = 0;
    let mut m = u;
    while m.0 < 0.75 {
        m = m.scale(1);
        e -= 1;
        if m.0 < 1e-300 {
            m = m.scale(64);
            e -= 64;
        }
    }
    while m.0 >= 1.5 {
        m = m.scale(-1);
        e += 1;
    }
    let f = m.sub(D::of(1.0));
    let s = f.div(D::of(2.0).add(f));
    let z = s.mul(s);
    let (mut sum, mut pow) = (D::of(0.0), s);
    for n in 0..26 {
        sum = sum.add(pow.div(D::of((2 * n + 1) as f64)));
        pow = pow.mul(z);
    }
    n_ln2(e as f64).add(sum.add(sum))
}

fn tanh_ref(x: f64) -> D {
    let a = x.abs();
    let q = if a > 40.0 {
        D(1.0, -2.0 * (-2.0 * a).exp())
    } else {
        let (e, k) = expm1_ref(2.0 * a);
        let e = e.scale(k);
        e.div(e.add(D::of(2.0)))
    };
    if x < 0.0 {
        q.neg()
    } else {
        q
    }
}

fn sigmoid_ref(x: f64) -> (D, i32) {
    if x >= 0.0 {
        let (t, k) = exp_ref(-x);
        (D::of(1.0).div(D::of(1.0).add(t.scale(k))), 0)
    } else {
        let (t, k) = exp_ref(x);
        (t.div(D::of(1.0).add(t.scale(k))), k)
    }
}

fn softplus_ref(x: f64) -> (D, i32) {
    if x > 20.0 {
        return (D::of(x), 0);
    }
    let (t, k) = exp_ref(x);
    if x < -30.0 {
        // log(1 + T) = T - T²/2 + ..., T below 1e-13 (T³/3 is below 2^-80
        // of it; and 1 + T as a double-double would round T).
        return (t.sub(t.mul(t).scale(k - 1)), k);
    }
    (log_ref(D::of(1.0).add(t.scale(k))), 0)
}

/// The error of `got` in ulps of the exact value `v · 2^k`, or None when
/// `got` is not even the right kind of number (nan, inf, or the sign).
fn ulps(got: f64, v: D, k: i32) -> Option<f64> {
    let approx = v.0 + v.1;
    if !approx.is_finite() {
        let same = got == approx || (got.is_nan() && approx.is_nan());
        return same.then_some(0.0);
    }
    if approx == 0.0 {
        return (got == 0.0).then_some(0.0);
    }
    // The binade from the bits (log2 would round just below 2^1024 up).
    let exponent = ((approx.to_bits() >> 52) & 0x7ff) as i32 - 1023 + k;
    if exponent > 1023 {
        return (got == f64::INFINITY * approx.signum()).then_some(0.0);
    }
    if !got.is_finite() {
        return None;
    }
    let ulp_scaled = scale(1.0, (exponent - 52).max(-1074) - k);
    let diff = (scale(got, -k) - v.0) - v.1;
    Some(diff.abs() / ulp_scaled)
}

/// Deterministic random numbers (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
    /// ± 2^u with u uniform in [lo, hi): tiny to moderate magnitudes,
    /// subnormals included when lo < -1022.
    fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let m = scale(
            1.0 + self.uniform(0.0, 1.0),
            self.uniform(lo, hi).floor() as i32,
        );
        if self.next() & 1 == 0 {
            m
        } else {
            -m
        }
    }
    /// A random finite positive double, every exponent equally likely.
    fn positive_bits(&mut self) -> f64 {
        loop {
            let x = f64::from_bits(self.next() >> 1);
            if x.is_finite() {
                return x;
            }
        }
    }
}

const N: usize = 1_200_000;

/// Edge cases every function sees besides its own.
const EDGES: [f64; 12] = [
    0.0,
    -0.0,
    f64::MIN_POSITIVE,
    -f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    2.2250738585072e-310,
    1.0,
    -1.0,
    f64::MAX,
    f64::MIN,
    1e-20,
];

/// Checks `f` against `reference` (value · 2^k) on the edge cases and
/// `N` inputs from `sample`; `special` gives the expected result where
/// the exact value is not a finite number (nan, the infinities).
fn check(
    name: &str,
    f: fn(&[f64], &mut [f64]),
    reference: impl Fn(f64) -> (D, i32),
    sample: impl Fn(&mut Rng) -> f64,
    special: &[(f64, f64)],
    extra: &[f64],
) {
    let mut rng = Rng(0x5eed ^ name.len() as u64);
    let mut xs: Vec<f64> = EDGES.iter().chain(extra).copied().collect();
    xs.extend((0..N).map(|_| sample(&mut rng)));
    let mut ys = vec![0.0; xs.len()];
    f(&xs, &mut ys);
    let (mut worst, mut worst_x, mut not_rounded) = (0.0f64, 0.0, 0usize);
    for (&x, &y) in xs.iter().zip(&ys) {
        let (v, k) = reference(x);
        let err = ulps(y, v, k)
            .unwrap_or_else(|| panic!("{name}({x:e}) = {y:e}, exact {:e} * 2^{k}", v.0));
        if err > worst {
            (worst, worst_x) = (err, x);
        }
        not_rounded += usize::from(err > 0.5);
        assert!(
            err <= 1.0,
            "{name}({x:e}) = {y:e}: {err:.3} ulp from the exact {:e} * 2^{k}",
            v.0
        );
    }
    for &(x, want) in special {
        let mut y = [0.0];
        f(&[x], &mut y);
        let same = y[0] == want && y[0].is_sign_negative() == want.is_sign_negative();
        assert!(
            same || (want.is_nan() && y[0].is_nan()),
            "{name}({x}) = {}, expected {want}",
            y[0]
        );
    }
    println!(
        "{name:9} {} inputs: worst {worst:.3} ulp (at {worst_x:e}), {:.4}% not correctly rounded",
        xs.len(),
        100.0 * not_rounded as f64 / xs.len() as f64
    );
}

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

#[test]
fn exp_within_one_ulp() {
    check(
        "exp",
        vecmath::exp,
        exp_ref,
        |r| match r.next() % 3 {
            0 => r.uniform(-750.0, 712.0),
            1 => r.log_uniform(-1074.0, 3.0),
            _ => r.uniform(-1.0, 1.0),
        },
        &[
            (INF, INF),
            (-INF, 0.0),
            (NAN, NAN),
            (710.0, INF),
            (-746.0, 0.0),
        ],
        &[
            709.782712893384,
            709.7827128933841,
            -708.3964185322641,
            -745.1332191019411,
            -745.1332191019412,
            -744.44,
        ],
    );
}

#[test]
fn expm1_within_one_ulp() {
    check(
        "expm1",
        vecmath::expm1,
        expm1_ref,
        |r| match r.next() % 3 {
            0 => r.uniform(-45.0, 712.0),
            1 => r.log_uniform(-1074.0, 3.0),
            _ => r.uniform(-1.0, 1.0),
        },
        &[
            (INF, INF),
            (-INF, -1.0),
            (NAN, NAN),
            (-0.0, -0.0),
            (0.0, 0.0),
        ],
        &[
            709.782712893384,
            709.7827128933841,
            40.0,
            -40.0,
            37.4,
            -37.4,
        ],
    );
}

#[test]
fn tanh_within_one_ulp() {
    check(
        "tanh",
        vecmath::tanh,
        |x| (tanh_ref(x), 0),
        |r| match r.next() % 3 {
            0 => r.uniform(-25.0, 25.0),
            1 => r.log_uniform(-1074.0, 3.0),
            _ => r.uniform(-1.0, 1.0),
        },
        &[
            (INF, 1.0),
            (-INF, -1.0),
            (NAN, NAN),
            (-0.0, -0.0),
            (0.0, 0.0),
        ],
        &[19.06, -19.06, 22.0, 0.55, -0.55],
    );
}

#[test]
fn sigmoid_within_one_ulp() {
    check(
        "sigmoid",
        vecmath::sigmoid,
        sigmoid_ref,
        |r| match r.next() % 3 {
            0 => r.uniform(-750.0, 750.0),
            1 => r.log_uniform(-1074.0, 3.0),
            _ => r.uniform(-40.0, 40.0),
        },
        &[(INF, 1.0), (-INF, 0.0), (NAN, NAN)],
        &[-745.0, -709.0, 36.8, 37.0, 710.0, -710.0],
    );
}

#[test]
fn log_within_one_ulp() {
    check(
        "log",
        vecmath::log,
        |x| (log_ref(D::of(x)), 0),
        |r| match r.next() % 3 {
            0 => r.positive_bits(),
            1 => r.uniform(0.5, 2.0),
            _ => 1.0 + r.log_uniform(-60.0, -1.0),
        },
        &[
            (0.0, -INF),
            (-0.0, -INF),
            (-1.0, NAN),
            (-5e-324, NAN),
            (INF, INF),
            (-INF, NAN),
            (NAN, NAN),
            (1.0, 0.0),
        ],
        &[
            std::f64::consts::FRAC_1_SQRT_2,
            std::f64::consts::SQRT_2,
            1.0000000000000002,
        ],
    );
}

#[test]
fn log1p_within_one_ulp() {
    check(
        "log1p",
        vecmath::log1p,
        |x| {
            // Below 2^-500, log1p(x) = x - x²/2 beyond any ulp (and the
            // series would lose a subnormal x).
            let v = if x.abs() < 1e-150 {
                D(x, -0.5 * x * x)
            } else {
                log_ref(two_sum(1.0, x))
            };
            (v, 0)
        },
        |r| match r.next() % 4 {
            0 => r.positive_bits(),
            1 => r.uniform(-1.0, 1.0),
            2 => -1.0 + r.uniform(0.0, 1e-10),
            _ => r.log_uniform(-1074.0, -1.0),
        },
        &[
            (-1.0, -INF),
            (-2.0, NAN),
            (INF, INF),
            (-INF, NAN),
            (NAN, NAN),
            (-0.0, -0.0),
            (0.0, 0.0),
        ],
        &[
            -0.2928932188134524,
            0.41421356237309515,
            -0.9999999999999999,
        ],
    );
}

#[test]
fn softplus_within_one_ulp() {
    check(
        "softplus",
        vecmath::softplus,
        softplus_ref,
        |r| match r.next() % 3 {
            0 => r.uniform(-800.0, 25.0),
            1 => r.log_uniform(-1074.0, 3.0),
            _ => r.uniform(-40.0, 20.0),
        },
        &[(INF, INF), (-INF, 0.0), (NAN, NAN)],
        &[20.0, 20.000000000000004, -40.0, -745.0, -37.0],
    );
}
