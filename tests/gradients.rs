//! Gradient checks: every differentiable operator and builtin against
//! central finite differences in f64, second derivatives, and the kink
//! conventions of docs/kinks.md. One `#[test]` per op family; each lists
//! every failing expression, not just the first.
//!
//! `check_grad` builds the scalar `sum((expr) * W)` with a fixed random `W`
//! of the output's shape (so every output entry matters), asks gradlang for
//! its gradient, and compares it entry by entry with central differences
//! taken by re-declaring the param at x ± h·e_j in the same interpreter.

use gradlang::diagnostic::render;
use gradlang::driver::eval_str;
use gradlang::eval::Interp;
use gradlang::tensor::Tensor;

/// Largest accepted |analytic - numeric| / max(|analytic|, |numeric|, FLOOR).
const TOL: f64 = 1e-6;
/// Gradients smaller than this are compared absolutely (at TOL * FLOOR).
const FLOOR: f64 = 1.0;
/// Random points per family.
const POINTS: usize = 3;

/// SplitMix64: a small deterministic generator for test points.
struct Rng(u64);

impl Rng {
    /// Uniform on [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }

    /// |v| in [lo, hi) with a random sign: lo > 0 keeps it away from 0.
    fn signed(&mut self, lo: f64, hi: f64) -> f64 {
        let v = self.uniform(lo, hi);
        if self.next() < 0.5 {
            -v
        } else {
            v
        }
    }

    fn data(&mut self, n: usize, mut f: impl FnMut(&mut Rng) -> f64) -> Vec<f64> {
        (0..n).map(|_| f(self)).collect()
    }

    /// `param` lines from a spec like `"x 3,4 -2 2; y 3,4 ±0.5 2; s - 0 1"`:
    /// name, shape (`-` for a scalar), then entries uniform in [lo, hi) or,
    /// with `±`, |entries| in [lo, hi) with random signs.
    fn params(&mut self, spec: &str) -> String {
        let mut out = Vec::new();
        for decl in spec.split(';') {
            let w: Vec<&str> = decl.split_whitespace().collect();
            let shape: Vec<usize> = w[1].split(',').filter_map(|d| d.parse().ok()).collect();
            let signed = w[2].starts_with('±');
            let lo: f64 = w[2].trim_start_matches('±').parse().unwrap();
            let hi: f64 = w[3].parse().unwrap();
            let d = self.data(shape.iter().product(), |r| {
                if signed {
                    r.signed(lo, hi)
                } else {
                    r.uniform(lo, hi)
                }
            });
            out.push(format!("param {} = {}", w[0], literal(&shape, &d)));
        }
        out.join("\n")
    }
}

/// Source text for a tensor of `shape` holding `data` in row-major order;
/// `{}` prints an f64 so that it parses back to the same bits.
fn literal(shape: &[usize], data: &[f64]) -> String {
    match shape.split_first() {
        None => format!("{}", data[0]),
        Some((&n, rest)) => {
            let step: usize = rest.iter().product();
            let items: Vec<String> = (0..n)
                .map(|i| literal(rest, &data[i * step..(i + 1) * step]))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// Runs `src`; its trailing expression's value, or the rendered diagnostics.
fn run(m: &mut Interp, src: &str) -> Result<Option<Tensor>, String> {
    eval_str(m, src).map_err(|ds| ds.iter().map(|d| render(d, "t.gl", src, false)).collect())
}

fn value(m: &mut Interp, src: &str) -> Result<Tensor, String> {
    run(m, src)?.ok_or_else(|| format!("`{src}` has no value"))
}

/// Checks `grad(sum((expr) * W), param)` against central differences after
/// running `setup`: the worst relative error, or a message naming the worst
/// entry when that is beyond TOL.
fn check_grad(setup: &str, expr: &str, param: &str) -> Result<f64, String> {
    let mut m = Interp::new(0, Box::new(std::io::sink()));
    run(&mut m, setup)?;
    let x0 = value(&mut m, param)?;
    let out = value(&mut m, expr)?;
    let mut rng = Rng(0x5EED);
    let w = rng.data(out.len(), |r| r.signed(0.5, 1.5));
    let obj = format!("sum(({expr}) * ({}))", literal(out.shape(), &w));
    let g = value(&mut m, &format!("grad({obj}, {param})"))?;
    if g.shape() != x0.shape() {
        return Err(format!(
            "grad has shape {:?}, the param {:?}",
            g.shape(),
            x0.shape()
        ));
    }
    let numeric: Vec<f64> = differences(&mut m, &obj, param, &x0)?
        .into_iter()
        .map(|column| column[0])
        .collect();
    worst_error("grad", &g.to_vec(), &numeric)
}

/// Checks `analytic` (e.g. `jacobian(y, p)`), of shape `expr.shape +
/// p.shape`, against central differences of `expr` (e.g. `y`) with respect
/// to `param`, after running `setup`.
fn check_derivative(setup: &str, analytic: &str, expr: &str, param: &str) -> Result<f64, String> {
    let mut m = Interp::new(0, Box::new(std::io::sink()));
    run(&mut m, setup)?;
    let x0 = value(&mut m, param)?;
    let out = value(&mut m, expr)?;
    let got = value(&mut m, analytic)?;
    let shape = [out.shape(), x0.shape()].concat();
    if got.shape() != shape.as_slice() {
        return Err(format!("shape {:?}, expected {shape:?}", got.shape()));
    }
    let columns = differences(&mut m, expr, param, &x0)?;
    // Row-major: entry (i, j) is d expr[i] / d param[j].
    let numeric: Vec<f64> = (0..out.len())
        .flat_map(|i| columns.iter().map(move |c| c[i]))
        .collect();
    worst_error(analytic, &got.to_vec(), &numeric)
}

/// For each entry j of `param` (at `x0`), the central difference of every
/// entry of `expr`, taken by re-declaring the param at x0 ± h·e_j.
fn differences(
    m: &mut Interp,
    expr: &str,
    param: &str,
    x0: &Tensor,
) -> Result<Vec<Vec<f64>>, String> {
    let xs = x0.to_vec();
    let mut out = Vec::with_capacity(xs.len());
    for (j, &xj) in xs.iter().enumerate() {
        let mut at = |v: f64| -> Result<Vec<f64>, String> {
            let mut x = xs.clone();
            x[j] = v;
            run(m, &format!("param {param} = {}", literal(x0.shape(), &x)))?;
            Ok(value(m, expr)?.to_vec())
        };
        let h = 1e-6 * xj.abs().max(1.0);
        let (xp, xm) = (xj + h, xj - h);
        let (plus, minus) = (at(xp)?, at(xm)?);
        out.push(
            plus.iter()
                .zip(&minus)
                .map(|(p, q)| (p - q) / (xp - xm))
                .collect(),
        );
    }
    run(m, &format!("param {param} = {}", literal(x0.shape(), &xs)))?;
    Ok(out)
}

/// The worst relative error of `analytic` (from `what`) against `numeric`,
/// or a message naming the worst entry when that is beyond TOL.
fn worst_error(what: &str, analytic: &[f64], numeric: &[f64]) -> Result<f64, String> {
    let mut worst = (0.0, 0, 0.0, 0.0);
    for (k, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        let err = (a - n).abs() / a.abs().max(n.abs()).max(FLOOR);
        if err.is_nan() || err > worst.0 {
            worst = (err, k, a, n);
        }
    }
    let (err, k, a, n) = worst;
    if err <= TOL {
        Ok(err)
    } else {
        Err(format!(
            "entry {k}: {what} {a:e}, finite difference {n:e} (relative error {err:.1e})"
        ))
    }
}

/// The failures of one family, reported together at the end.
#[derive(Default)]
struct Family {
    failures: Vec<String>,
    checks: usize,
    /// The worst relative error of the gradient checks that passed.
    worst: f64,
}

impl Family {
    /// Checks the gradient of `expr` with respect to each of `params`.
    fn grad(&mut self, setup: &str, expr: &str, params: &[&str]) {
        for p in params {
            self.checks += 1;
            let result = std::panic::catch_unwind(|| check_grad(setup, expr, p));
            match result.unwrap_or_else(|_| Err("gradlang panicked".into())) {
                Ok(err) => self.worst = self.worst.max(err),
                Err(e) => self
                    .failures
                    .push(format!("d/d{p} of `{expr}`\n  at {setup:?}\n  {e}")),
            }
        }
    }

    /// Checks `analytic` against finite differences of `expr` with respect
    /// to `param` (see `check_derivative`).
    fn derivative(&mut self, setup: &str, analytic: &str, expr: &str, param: &str) {
        self.checks += 1;
        let result = std::panic::catch_unwind(|| check_derivative(setup, analytic, expr, param));
        match result.unwrap_or_else(|_| Err("gradlang panicked".into())) {
            Ok(err) => self.worst = self.worst.max(err),
            Err(e) => self
                .failures
                .push(format!("`{analytic}`\n  at {setup:?}\n  {e}")),
        }
    }

    /// Lines `expr; expr; ... | params...`: each expression is checked with
    /// respect to each param. `#` lines are comments.
    fn table(&mut self, setup: &str, table: &str) {
        for line in table.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            if let Some((exprs, params)) = line.split_once('|') {
                let params: Vec<&str> = params.split_whitespace().collect();
                for expr in exprs.split(';') {
                    self.grad(setup, expr.trim(), &params);
                }
            }
        }
    }

    /// The value of `src`'s last expression must be `expected` to `tol`
    /// relative (NaN matches NaN, an infinity only itself).
    fn expect(&mut self, src: &str, expected: &[f64], tol: f64) {
        self.checks += 1;
        let run = || value(&mut Interp::new(0, Box::new(std::io::sink())), src);
        let result = std::panic::catch_unwind(run);
        let got = match result.unwrap_or_else(|_| Err("gradlang panicked".into())) {
            Ok(t) => t.to_vec(),
            Err(e) => return self.failures.push(format!("{src:?}\n  {e}")),
        };
        let same = |a: f64, b: f64| {
            (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * b.abs().max(1.0)
        };
        if got.len() != expected.len() || !got.iter().zip(expected).all(|(&a, &b)| same(a, b)) {
            self.failures.push(format!(
                "{src:?}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }

    fn finish(self, family: &str) {
        println!("{family}: worst relative error {:.1e}", self.worst);
        let n = self.failures.len();
        let all = self.failures.join("\n\n");
        assert!(
            n == 0,
            "{family}: {n} of {} checks failed:\n\n{all}\n",
            self.checks
        );
    }
}

#[test]
fn arithmetic_operators() {
    let mut f = Family::default();
    let mut r = Rng(1);
    for _ in 0..POINTS {
        let setup = r.params(
            "x 3,4 -2 2; y 3,4 ±0.5 2; s - ±0.5 2; c 3,1 ±0.5 2; v 4 ±0.5 2; a 2,3 ±0.5 2; \
             u 3 ±0.5 2; p 3,4 0.3 2; q 3,4 -1.5 1.5; k 3,1 0.3 2; B 3,4 -2 2",
        );
        f.table(
            &setup,
            "x + y; x - y; x * y; x / y | x y
             -x | x
             -x * y + x / y - x | x y
             x * x | x
             # scalar with matrix
             s + y; y - s; s * y; y / s; s / y | s y
             # (3,1) with (4), and (2,3) with (3)
             c + v; c - v; c * v; c / v; v / c | c v
             a + u; a - u; a * u; a / u; u / a | a u
             # powers: a positive base unless the exponent is a whole number
             p ^ q | p q
             p ^ s | p s
             k ^ v | k v
             s ^ 2 * p ^ q | s p q
             x ^ 2; x ^ 3; -x ^ 2 | x
             y ^ -1; y ^ -2 | y
             p ^ 0.5; p ^ -1.5 | p
             2 ^ x | x
             # (2,3)@(3,4), (3)@(3,4), (2,3)@(3), (3)@(3)
             a @ B | a B
             u @ B | u B
             a @ u | a u
             u @ u | u
             u @ (a.T @ a) @ u | a u
             a @ B @ B.T | a B",
        );
    }
    f.finish("arithmetic operators");
}

#[test]
fn elementwise_builtins() {
    let mut f = Family::default();
    let mut r = Rng(2);
    for _ in 0..POINTS {
        let xs = r.data(12, |r| r.uniform(-2.0, 2.0));
        // y differs from x by at least 0.1 everywhere: no ties for max/min.
        let ys: Vec<f64> = xs.iter().map(|v| v + r.signed(0.1, 1.0)).collect();
        // z is well inside (-0.4, 0.4) or well outside (-0.6, 0.6): no clamp bound.
        let zs = r.data(12, |r| {
            if r.next() < 0.5 {
                r.uniform(-0.4, 0.4)
            } else {
                r.signed(0.6, 2.0)
            }
        });
        let setup = format!(
            "param x = {}\nparam y = {}\nparam z = {}\n{}",
            literal(&[3, 4], &xs),
            literal(&[3, 4], &ys),
            literal(&[3, 4], &zs),
            r.params(
                "p 3,4 0.2 3; t 3,4 -1.2 1.2; n 3,4 ±0.1 2; s - -1 1; \
                 lo - -0.55 -0.45; hi - 0.45 0.55; L 4 -0.55 -0.45"
            ),
        );
        f.table(
            &setup,
            "exp(x); sin(x); cos(x); tanh(x); sigmoid(x); softplus(x) | x
             sigmoid(x * 15) + softplus(x * 8) | x
             log(p); sqrt(p) | p
             tan(t) | t
             relu(n); abs(n); sign(n); abs(n) * sign(n) + relu(n) ^ 2 | n
             pow(p, x) | p x
             pow(x, 2); pow(2, x) | x
             pow(p, s) | p s
             max(x, y); min(x, y); max(x, y) * min(x, y) | x y
             clamp(z, -0.5, 0.5); clamp(z * 2, -1, 1) | z
             clamp(z, lo, hi) | z lo hi
             clamp(z, L, hi) | z L hi",
        );
    }
    f.finish("elementwise builtins");
}

// elementwise (staples)
#[test]
fn elementwise_staples() {
    let mut f = Family::default();
    let mut r = Rng(8);
    for _ in 0..POINTS {
        // x anywhere, y away from 0 (a divisor), t inside (-1, 1), p
        // positive, q above 1; x / y and x * 2.5 stay away from the jumps
        // of % and the rounding functions but for odds of about 1e-6.
        let setup = r.params(
            "x 3,4 -2 2; y 3,4 ±0.5 2; t 3,4 -0.9 0.9; p 3,4 0.2 3; q 3,4 1.1 3; \
             s - ±0.5 2; v 4 -2 2; k - ±0.3 1.5",
        );
        f.table(
            &setup,
            "atan(x); sinh(x); cosh(x); asinh(x); expm1(x); erf(x); erfc(x) | x
             asin(t); acos(t); atanh(t); log1p(t) | t
             log2(p); log10(p); log1p(p) | p
             acosh(q) | q
             floor(x * 2.5) * x; ceil(x * 2.5) * x; round(x * 2.5) * x; trunc(x * 2.5) * x | x
             x % y; atan2(x, y); atan2(y, x) | x y
             x % s; s % y; atan2(s, x) | x y s
             v % y; atan2(y, v) | v y
             where(x > 0, x ^ 2, sin(y)); where(y > x, x * y, y) | x y
             where(v > 0, x, s); where(x > 0, v, s * x) | x v s
             # second derivatives
             grad(atan(k) * asinh(k) + sinh(k) * cosh(k) + erf(k) * erfc(k), k) | k
             grad(asin(k / 2) * acos(k / 2) + atanh(k / 2) ^ 2 + expm1(k) ^ 2, k) | k
             grad(sum(log2(p) ^ 2 + log10(p) ^ 3 + log1p(p) ^ 2 + acosh(p + 1) ^ 2), p) | p
             grad(sum((x % y) ^ 2 + atan2(x, y) ^ 2), x); grad(sum((x % y) ^ 2 + atan2(x, y) ^ 2), y) | x y
             grad(sum(where(x > 0, x ^ 3, sin(x)) * y), x) | x y",
        );
    }
    f.finish("elementwise staples");
}

/// Exact values and kinks of the staples (torch 2.15's, and closed forms).
#[test]
fn staples_edge_cases() {
    use std::f64::consts::{FRAC_PI_4, PI};
    let mut f = Family::default();
    exact_table(
        &mut f,
        &format!(
            "let a = 0 | round([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994]) | 0 2 2 -0 -2 -2 0
             let a = 0 | [floor(-1.5), ceil(-1.5), trunc(-1.5), floor(2), ceil(2.1), trunc(2.9)] | -2 -1 -1 2 3 2
             let a = 0 | [-3 % 2, 3 % -2, -3 % -2, 3 % 2, 5.5 % 2, -5.5 % 2, 0 % 3] | 1 -1 -1 1 1.5 0.5 0
             let a = 0 | [3 % 0, 3 % inf, inf % 2] | NaN 3 NaN
             let a = 7; a %= 3 | a | 1
             let a = 0 | [atan2(1, 1), atan2(1, -1), atan2(-1, -1), atan2(-1, 1)] | {q1} {q2} {q3} {q4}
             let a = 0 | [atan2(0, -1), atan2(-0.0, -1), atan2(1, 0), atan2(0, 0)] | {pi} {mpi} {half} 0
             let a = 0 | [asin(2), acos(-1.5), acosh(0.5), atanh(2), log2(-1), log1p(-2)] | NaN NaN NaN NaN NaN NaN
             let a = 0 | [atanh(1), log10(0), log1p(-1), erf(inf), erfc(-inf), erf(0)] | inf -inf -inf 1 2 0
             let a = 0 | [sign(nan), sign(-0.0), sign(-2), sign(inf)] | 0 0 -1 1
             let a = 0 | [pi, e, inf, -inf] | {pi} {e} inf -inf
             let e = 2 | e + pi | {e2}
             let a = 0 | where([1, 0, 2] > 1, [10, 20, 30], -1) | -1 -1 30
             let a = 0 | where([[1], [0]], [1, 2], [3, 4]) | 1 2 3 4
             param x = [-3, 3]; param y = [2, -2] | grad(sum(x % y), x) | 1 1
             param x = [-3, 3]; param y = [2, -2] | grad(sum(x % y), y) | 2 2
             param x = [0.5, 1.5, -0.3] | grad(sum(floor(x) + ceil(x) + round(x) + trunc(x) + sign(x)), x) | 0 0 0
             param c = [1, -1] | grad(sum(where(c > 0, c, 0)), c) | 1 0
             param c = [1, 0] | grad(sum(where(c, 3 * c, c)), c) | 3 1
             param x = 1 | grad(asin(x), x) | inf
             param x = 0; param y = 0 | [grad(atan2(y, x), x), grad(atan2(y, x), y)] | 0 0",
            q1 = FRAC_PI_4,
            q2 = 3.0 * FRAC_PI_4,
            q3 = -3.0 * FRAC_PI_4,
            q4 = -FRAC_PI_4,
            pi = PI,
            mpi = -PI,
            half = PI / 2.0,
            e = std::f64::consts::E,
            e2 = 2.0 + PI,
        ),
    );
    f.finish("staples edge cases");
}

#[test]
fn reductions() {
    let mut f = Family::default();
    let mut r = Rng(3);
    for _ in 0..POINTS {
        let setup = r.params("x 3,4 -2 2; y 3,4 -2 2; p 3,4 ±0.5 1.5; v 5 -2 2; w 5 -2 2");
        for red in ["sum", "mean", "max", "min", "norm", "logsumexp", "prod"] {
            let arg = if red == "prod" { "p" } else { "x" };
            for opt in ["", ", axis=0", ", axis=1", ", axis=-1"] {
                f.grad(&setup, &format!("{red}({arg}{opt})"), &[arg]);
            }
            f.grad(&setup, &format!("{red}(v) + {red}(w, axis=0)"), &["v", "w"]);
        }
        f.table(
            &setup,
            "softmax(x); softmax(x, axis=0); softmax(x, axis=-1) | x
             softmax(v) | v
             dot(x, y) | x y
             dot(v, w) | v w
             dot(x, x) | x
             max(x, axis=1) - logsumexp(y, axis=1) | x y
             mean(x * y, axis=0) / norm(y, axis=0) | x y",
        );
    }
    f.finish("reductions");
}

#[test]
fn shape_operations() {
    let mut f = Family::default();
    let mut r = Rng(4);
    for _ in 0..POINTS {
        let setup = r.params(
            "x 3,4 -2 2; y 3,2 -2 2; z 2,4 -2 2; v 4 -2 2; w 3 -2 2; s - -2 2; \
             c 4 -2 2; t 5 -1.5 1.5",
        );
        f.table(
            &setup,
            "transpose(x); x.T; x.T @ x; reshape(x, [2, 6]); reshape(x, [-1, 3]) | x
             reshape(x, [12]) * reshape(x.T, [-1]) | x
             hstack(x, y) | x y
             hstack(v, w) | v w
             hstack(s, v) | s v
             vstack(x, z) | x z
             vstack(v, x, v * 2) | v x
             concat(x, y, axis=1) | x y
             concat(x, z) | x z
             concat(v, w, v) | v w
             x[1]; x[1, 2]; x[:, 0]; x[1:3]; x[-1]; x[:, 1:3] * x[0:3, -2:] | x
             x[0] * x[2] + x[1, 3]; [x[0, 0], x[1, 1] * 2] | x
             [[s, 1], [x[1, 1], s * x[0, 0]]] | s x
             [v, v * s, c] | v s c
             full(x[0, 1], 2, 3) | x
             full(s, 3, 4) * x | s x
             polyval(c, t) | c t
             polyval(c, s) | c s",
        );
    }
    f.finish("shape operations");
}

#[test]
fn indexing() {
    let mut f = Family::default();
    let mut r = Rng(11);
    for _ in 0..POINTS {
        // Entries kept away from 0 so that no mask flips under the
        // finite-difference steps.
        let setup = r.params("x 3,4 ±0.3 2; v 5 ±0.3 2; A 2,3,2 ±0.3 2")
            + "\nlet idx = [2, 0, 2, -1]\nlet rows = [1, 1, 0, 2]";
        f.table(
            &setup,
            "x[::-1]; x[:, ::2]; x[2:0:-1, 3:0:-2]; x[::2, ::-3] | x
             v[::-1] * v; v[1::2]; v[4:1:-2]; v[-1:-6:-1] | v
             x[rows]; x[:, idx]; x[1, idx]; x[rows, 1:3]; x[[0, 2, 0]] | x
             v[idx] * v[[4, 4, 3, 0]]; v[[0, 0, 0]] | v
             x[x > 0]; x[x > 0] ^ 2; sum(x[x < 0]) * x | x
             v[v > 0.5] * 3; v[not (v > 0)]; x[:, v[0:4] > 0] | v x
             A[A > 0]; A[A[:, :, 0] > 0]; A[:, [1, 1]]; A[::-1, 1, [0, 1, 0]] | A
             x[idx[0:3]][:, ::-1]; x[[1, 0, 1] > 0] | x",
        );
        f.table(
            &setup,
            "grad(sum(v[[0, 0, 2]] ^ 3), v); grad(sum(v[::-1] * v ^ 2), v) | v
             grad(sum(v[v > 0] ^ 3), v); grad(sum(x[:, idx] ^ 2 * x[:, ::-1]), x) | v x",
        );
    }
    f.finish("indexing");
}

#[test]
fn functions_and_control_flow() {
    let mut f = Family::default();
    let mut r = Rng(5);
    for _ in 0..POINTS {
        let setup = r.params("x 3 -2 2; y 3 -1 1; k - ±0.3 2")
            + "\nfn f(a) = a * sin(a)
               fn g(a, b) { let t = a * b; t + exp(t) }
               fn poly(x) { let s = 0; for i in 0..4 { s = s + x^i }; s }
               fn pw(a, n) = if n == 0 { 1 } else { a * pw(a, n - 1) }
               fn h(a) = if a > 0 { log(a) } else { a ^ 2 }
               let q = x * x";
        f.table(
            &setup,
            "f(x) + f(2 * x) | x
             g(x, y) | x y
             g(f(x), y * k) | x y k
             poly(x) | x
             poly(k) * x | k x
             pw(x, 3) | x
             sin(q) + q * y | x y
             if k > 0 { k ^ 3 * x } else { exp(k) * x } | k x
             h(k) + h(-k) | k",
        );
    }
    f.finish("functions and control flow");
}

#[test]
fn second_order() {
    let mut f = Family::default();
    let mut r = Rng(6);
    for _ in 0..POINTS {
        let setup = r.params("k - ±0.3 2; p - 0.3 2; x 3 ±0.3 1.5; A 2,2 -1 1")
            + &format!(
                "\nlet M = {}",
                literal(&[3, 3], &r.data(9, |r| r.uniform(-1.0, 1.0)))
            );
        // grad(sum(grad(y, x) * W), x) against differences of grad(y, x).
        f.table(
            &setup,
            "grad(k ^ 3 * sin(k), k); grad(exp(k) / (1 + k ^ 2), k) | k
             grad(tanh(k) + sigmoid(k) + softplus(k) + cos(k), k) | k
             grad(log(p) * sqrt(p) + tan(p / 3), p) | p
             grad(p ^ k, k); grad(p ^ k, p) | k p
             grad(grad(k ^ 4 + exp(k), k), k) | k
             grad(logsumexp(x), x); grad(norm(x) ^ 3, x); grad(prod(x), x) | x
             grad(dot(x, M @ x), x); grad(sum(softmax(x) * [1, 2, 3]), x) | x
             grad(sum(x / (1 + x ^ 2)) * k, x) | x k
             grad(mean(abs(x) ^ 3) + max(x) * min(x), x) | x
             grad((x @ x) ^ 2, x); grad(sum(relu(x) ^ 3 + clamp(x, -1, 1) ^ 3), x) | x
             grad(sum(x[0:2] * x[1:3]) * x[0], x); grad(sum(hstack(x, x ^ 2) ^ 2), x) | x
             grad(sum(full(k, 3) * x ^ 2) * k, k) | k x
             grad(sum(A @ A.T @ A), A); grad(sum(reshape(A, [4]) ^ 3), A) | A
             grad(sum(mean(A, axis=0) ^ 3) + norm(A, axis=1) @ [1, 2], A) | A
             hessian(sum(x ^ 3) + prod(x), x) | x",
        );
    }
    // Hessians against closed forms.
    let x = [0.7, -1.3, 0.4];
    let m = [1.0, 2.0, -0.5, 0.3, -1.0, 0.8, 1.5, 0.2, 0.6];
    let px = format!(
        "param x = {}\nlet M = {}",
        literal(&[3], &x),
        literal(&[3, 3], &m)
    );
    let total: f64 = x.iter().map(|v| v.exp()).sum();
    let s = x.map(|v| v.exp() / total);
    let (mut cube, mut quad, mut lse) = ([0.0; 9], [0.0; 9], [0.0; 9]);
    for k in 0..9 {
        let (i, j) = (k / 3, k % 3);
        cube[k] = if i == j { 6.0 * x[i] } else { 0.0 };
        quad[k] = m[k] + m[j * 3 + i];
        lse[k] = if i == j { s[i] } else { 0.0 } - s[i] * s[j];
    }
    let (a, b) = (x[0], x[1]);
    let mixed = [2.0 * b, 2.0 * a, 0.0, 2.0 * a, 0.0, 0.0, 0.0, 0.0, 0.0];
    f.expect(&format!("{px}\nhessian(sum(x ^ 3), x)"), &cube, 1e-12);
    f.expect(&format!("{px}\nhessian(dot(x, M @ x), x)"), &quad, 1e-12);
    f.expect(&format!("{px}\nhessian(logsumexp(x), x)"), &lse, 1e-12);
    f.expect(&format!("{px}\nhessian(x[0] ^ 2 * x[1], x)"), &mixed, 1e-12);
    f.expect(&format!("{px}\nhessian(sum(x) * 2, x)"), &[0.0; 9], 0.0);
    let sin = -(0.8f64.sin());
    f.expect("param k = 0.8\nhessian(sin(k), k)", &[sin], 1e-12);
    f.finish("second order");
}

/// `jacobian` and `hessian` for outputs and params of any shape: their
/// values against finite differences of `y` (of `grad(y, p)` for the
/// Hessian), then their own gradients (they are recorded on the tape).
#[test]
fn jacobians_and_hessians() {
    let mut f = Family::default();
    let mut r = Rng(21);
    for _ in 0..POINTS {
        let setup = r.params("k - ±0.3 1.5; x 3 -1 1; W 2,3 -1 1; S 2,2 -1 1");
        for (y, p) in [
            ("tanh(x) * x[0] + exp(x)", "x"),
            ("sin(W @ x)", "W"),
            ("sin(W @ x)", "x"),
            ("reshape(x, [3, 1]) @ reshape(sin(x), [1, 3])", "x"),
            ("W * k ^ 2", "k"),
            ("S @ S.T + k", "S"),
            ("sum(W ^ 3) * k", "W"),
        ] {
            f.derivative(&setup, &format!("jacobian({y}, {p})"), y, p);
        }
        for (y, p) in [
            ("sum(W ^ 3) + W[0, 1] * W[1, 2] * W[0, 0]", "W"),
            ("logsumexp(x) * k + prod(x)", "x"),
            ("logdet(S @ S.T + eye(2)) + sum(S ^ 4)", "S"),
            ("sin(k) * k ^ 3", "k"),
        ] {
            let grad = format!("grad({y}, {p})");
            f.derivative(&setup, &format!("hessian({y}, {p})"), &grad, p);
            // The same numbers, by definition and not just to tolerance.
            let same = format!("{setup}\nmax(abs(hessian({y}, {p}) - jacobian({grad}, {p})))");
            f.expect(&same, &[0.0], 0.0);
        }
        f.table(
            &setup,
            "jacobian(tanh(x) * x[0], x); jacobian(jacobian(sin(x) * x[1], x), x) | x
             jacobian(sin(W @ x), W) | W x
             jacobian(S @ S.T, S) * k | S k
             hessian(sum(W ^ 3) * x[0] + W[0, 1] * W[1, 0] * W[1, 2], W) | W x
             hessian(logsumexp(x) * k, x) | x k
             hessian(k ^ 4 * sin(k), k) | k",
        );
    }
    f.finish("jacobians and hessians");
}

#[test]
fn linear_algebra() {
    let mut f = Family::default();
    let mut r = Rng(7);
    for _ in 0..POINTS {
        // `D = A + 3 * eye(3)` is diagonally dominant, so well away from
        // singular; `A - 3 * eye(3)` likewise, with a negative determinant.
        // `cholesky` and `eigh` read the lower triangle as symmetric, so
        // their inputs are built symmetric (`X @ X.T`): then the gradient
        // does not depend on that convention.
        let setup = r
            .params("A 3,3 -1 1; b 3 -1 1; B 3,2 -1 1; X 3,3 -1 1; T 4,2 -1 1; U 2,4 -1 1")
            + "\nlet I = eye(3)";
        f.table(
            &setup,
            "solve(A + 3 * I, b); solve(A.T - 3 * I, b) * 2 | A b
             solve(A + 3 * I, B) | A B
             inv(A + 3 * I); det(A); det(A + 3 * I); logdet(A + 3 * I); logdet(A - 3 * I) | A
             cholesky(X @ X.T + I); eigvalsh(X @ X.T); eigh(X @ X.T + I) | X
             svdvals(X) | X
             svdvals(T) | T
             svdvals(U) | U
             # second derivatives: the gradient of each gradient
             grad(det(A), A); grad(logdet(A + 3 * I), A); grad(sum(inv(A + 3 * I)), A) | A
             grad(sum(solve(A + 3 * I, b) ^ 2), A); grad(sum(solve(A + 3 * I, b) ^ 2), b) | A b
             grad(sum(cholesky(X @ X.T + I) ^ 2), X); grad(dot(eigvalsh(X @ X.T), [1, 2, 3]), X) | X
             grad(sum(eigh(X @ X.T + I) ^ 2 * [1, 2, 3]), X); grad(sum(svdvals(X) ^ 3), X) | X
             grad(sum(svdvals(T) ^ 3), T) | T
             grad(sum(svdvals(U) ^ 3), U) | U",
        );
    }
    // Hessians against closed forms, for x = [a, b, c, d] read as the 2x2
    // matrix M: det M = ad - bc, whose Hessian is constant, and
    // log|det M|, whose Hessian is H_det / det - g gᵀ with g = ∇det / det.
    let (a, b, c, d) = (1.3, -0.4, 0.7, 2.1);
    let det = a * d - b * c;
    let det_hessian = [
        0.0, 0.0, 0.0, 1.0, //
        0.0, 0.0, -1.0, 0.0, //
        0.0, -1.0, 0.0, 0.0, //
        1.0, 0.0, 0.0, 0.0,
    ];
    let g = [d / det, -c / det, -b / det, a / det];
    let mut logdet_hessian = [0.0; 16];
    for (k, h) in logdet_hessian.iter_mut().enumerate() {
        *h = det_hessian[k] / det - g[k / 4] * g[k % 4];
    }
    let px = format!("param x = {}", literal(&[4], &[a, b, c, d]));
    f.expect(
        &format!("{px}\nhessian(det(reshape(x, [2, 2])), x)"),
        &det_hessian,
        1e-12,
    );
    f.expect(
        &format!("{px}\nhessian(logdet(reshape(x, [2, 2])), x)"),
        &logdet_hessian,
        1e-12,
    );
    f.finish("linear algebra");
}

/// Parses `setup | expr | expected` lines (setup statements separated by
/// `;`, expected values by spaces, `inf`/`-inf`/`NaN` allowed).
fn exact_table(f: &mut Family, table: &str) {
    for line in table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let expected: Vec<f64> = parts[2]
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        f.expect(&format!("{}\n{}", parts[0], parts[1]), &expected, 1e-15);
    }
}

#[test]
fn kinks_follow_docs_kinks_md() {
    let mut f = Family::default();
    exact_table(
        &mut f,
        "param x = [0, 1, -1] | grad(sum(relu(x)), x) | 0 1 0
         param x = [0, -0.0, 2, -3] | grad(sum(abs(x)), x) | 0 0 1 -1
         param x = [0, 1.5, -2] | grad(sum(sign(x)), x) | 0 0 0
         param x = [0, 4] | grad(sum(sqrt(x)), x) | inf 0.25
         param x = [0, 4] | grad(sum(x ^ 0.5), x) | inf 0.25
         param x = [0, 0, 0] | grad(norm(x), x) | 0 0 0
         param x = [[0, 0], [3, 4]] | grad(sum(norm(x, axis=1)), x) | 0 0 0.6 0.8
         param x = [0, 0] | grad(sqrt(sum(x * x)), x) | NaN NaN
         param x = [1, 2, 3]; param y = [1, 0, 3] | grad(sum(max(x, y)), x) | 0.5 1 0.5
         param x = [1, 2, 3]; param y = [1, 0, 3] | grad(sum(max(x, y)), y) | 0.5 0 0.5
         param x = [1, 2, 3]; param y = [1, 0, 3] | grad(sum(min(x, y)), x) | 0.5 0 0.5
         param x = [1, 2, 3]; param y = [1, 0, 3] | grad(sum(min(x, y)), y) | 0.5 1 0.5
         param x = [1, 2, 0] | grad(sum(max(x, 1)), x) | 0.5 1 0
         param x = [1, 1, 0] | grad(max(x), x) | 0.5 0.5 0
         param x = [0, 1, 0] | grad(min(x), x) | 0.5 0 0.5
         param x = [[2, 2], [2, 1]] | grad(max(x), x) | 0.3333333333333333 0.3333333333333333 0.3333333333333333 0
         # along an axis all of it goes to the first extreme (torch's max(dim))
         param x = [[1, 1, 0], [0, 2, 2]] | grad(sum(max(x, axis=1)), x) | 1 0 0 0 1 0
         param x = [[0, 0, 1], [2, 1, 1]] | grad(sum(min(x, axis=1)), x) | 1 0 0 0 1 0
         param x = [0, 1, 0.5, -1, 2] | grad(sum(clamp(x, 0, 1)), x) | 0 0 1 0 0
         # bounds that are params (tensor bounds): a tie splits the gradient
         param x = [0.5, 1, 3]; param lo = 0.5; param hi = [2, 2, 3] | grad(sum(clamp(x, lo, hi)), x) | 0.5 1 0.5
         param x = [0.5, 1, 3]; param lo = 0.5; param hi = [2, 2, 3] | grad(sum(clamp(x, lo, hi)), lo) | 0.5
         param x = [0.5, 1, 3]; param lo = 0.5; param hi = [2, 2, 3] | grad(sum(clamp(x, lo, hi)), hi) | 0 0 0.5
         param x = [-1, 0.5]; param lo = [0, 0] | grad(sum(clamp(x, lo, 1)), lo) | 1 0
         param x = 0 | grad(x ^ 0, x) | 0
         param x = 0 | grad(x ^ 2, x) | 0
         param x = 0 | grad(x ^ 1.5, x) | 0
         param x = 0 | grad(x ^ -1, x) | -inf
         param x = 0; param y = 2 | [grad(pow(x, y), x), grad(pow(x, y), y)] | 0 0
         param x = 0; param y = 0 | [grad(pow(x, y), x), grad(pow(x, y), y)] | 0 0
         param x = 0; param y = 0.5 | [grad(pow(x, y), x), grad(pow(x, y), y)] | inf 0
         param x = -2; param y = 2 | [grad(pow(x, y), x), grad(pow(x, y), y)] | -4 NaN
         param x = -2; param y = 0.5 | [grad(x ^ y, x), grad(x ^ y, y)] | NaN NaN
         param y = 2 | grad(0 ^ y, y) | 0
         param x = 0 | grad(log(x), x) | inf
         param x = -1 | grad(log(x), x) | -1
         param x = 1; param y = 0 | [grad(x / y, x), grad(x / y, y)] | inf -inf
         param x = 0 | grad(tanh(x), x) | 1
         param x = [0, 2, 3] | grad(prod(x), x) | 6 0 0
         param x = [0, 0, 3] | grad(prod(x), x) | 0 0 0",
    );
    f.finish("kinks");
}

#[test]
fn staple_reductions_and_rearrangements() {
    let mut f = Family::default();
    let mut r = Rng(11);
    for _ in 0..POINTS {
        let setup = r.params("x 3,4 -2 2; p 3,4 ±0.5 1.5; v 5 -2 2; u 3 ±0.5 2; S 3,3 -1 1");
        for red in [
            "sum",
            "mean",
            "max",
            "min",
            "norm",
            "logsumexp",
            "prod",
            "std",
            "var",
        ] {
            let arg = if red == "prod" { "p" } else { "x" };
            for opt in ["", ", axis=0", ", axis=-1"] {
                f.grad(&setup, &format!("{red}({arg}{opt}, keepdims=true)"), &[arg]);
            }
        }
        f.table(
            &setup,
            "std(x, correction=0); var(x, axis=1, correction=2); std(v) * var(v, correction=0) | x v
             cumsum(x, axis=0); cumsum(x, axis=1); cumsum(v) | x v
             cumprod(p, axis=0); cumprod(p, axis=-1); cumprod(u) | p u
             sort(x); sort(x, axis=0); sort(v, descending=true) | x v
             diag(v); diag(v, k=2); diag(x); diag(x, k=-1); trace(S); trace(x) | x v S
             tril(x); triu(x, k=1); tril(S, k=-1) * triu(S) | x S
             outer(v, u); stack(x, x ^ 2, axis=1); stack(v, -v, axis=-1) | x v u
             flip(x); flip(x, axis=1); tile(x, [2, 1]); tile(u, 3) * tile(u, [3]) | x u
             # second order: the gradient's gradient
             grad(sum(sort(v) ^ 3 * [1, 2, 3, 4, 5]), v); grad(std(v) ^ 3, v) | v
             grad(sum(cumprod(u) ^ 2), u); grad(sum(cumsum(v) ^ 3), v) | u v
             grad(sum(var(x, axis=0, keepdims=true) ^ 2), x) | x
             grad(trace(S @ S @ S), S); grad(sum(tril(S @ S) ^ 2), S) | S
             grad(sum(flip(tile(u, 2)) ^ 3 * [1, 2, 3, 4, 5, 6]), u) | u
             grad(sum(stack(u, u ^ 2) ^ 3), u); grad(sum(outer(u, u) ^ 2), u) | u
             hessian(sum(cumprod(u) * [1, -2, 3]) + sum(sort(u) ^ 3 * [1, 2, 3]), u) | u",
        );
    }
    // argmax, argmin, any and all carry no gradient: only `sum(x)` counts.
    let px = "param x = [[0.5, -1.0, 2.0], [3.0, 3.0, -2.0]]";
    for expr in ["argmax(x)", "argmin(x, axis=1)", "any(x, axis=0)", "all(x)"] {
        f.expect(
            &format!("{px}\ngrad(sum({expr}) * 3 + sum(x), x)"),
            &[1.0; 6],
            0.0,
        );
    }
    f.finish("staple reductions and rearrangements");
}
