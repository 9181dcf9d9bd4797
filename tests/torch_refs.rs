//! Builtins against torch (float64): values, and gradients of
//! `sum(expr * W)`, on the cases in tests/data/refs/*.json — linalg.json
//! (torch.linalg, made by gen_linalg.py), elementwise.json (the elementwise
//! staples, `%` and `where`, gen_elementwise.py), indexing.json (step
//! slices, index arrays, masks, gen_indexing.py) and calculus.json
//! (`jacobian` and `hessian` against torch.autograd.functional,
//! gen_calculus.py) and staples.json (reductions and rearrangements,
//! gen_staples.py); each script says what its cases are. Second-order
//! cases have `grad(...)` inside the expression, so their gradients are
//! second derivatives (third, for a Hessian).
//! `cargo test --release --test torch_refs -- --nocapture` prints the
//! worst relative errors.

use gradlang::diagnostic::render;
use gradlang::driver::eval_str;
use gradlang::eval::Interp;
use serde_json::Value;

/// Largest accepted |gradlang - torch| / max(|gradlang|, |torch|, 1).
const TOL: f64 = 1e-10;

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
    format!("[{}]", items.join(", "))
}

/// `v` in `shape`, as gradlang source (`{}` prints an f64 that parses back
/// to the same bits).
fn tensor(shape: &[f64], v: &[f64]) -> String {
    if shape.is_empty() {
        format!("{}", v[0])
    } else {
        format!("reshape({}, {})", list(v), list(shape))
    }
}

/// The value of `src`'s last expression, or the rendered diagnostics.
fn value(m: &mut Interp, src: &str) -> Result<Vec<f64>, String> {
    match eval_str(m, src) {
        Ok(Some(t)) => Ok(t.to_vec()),
        Ok(None) => Err(format!("`{src}` has no value")),
        Err(ds) => Err(ds.iter().map(|d| render(d, "t.gl", src, false)).collect()),
    }
}

/// The worst relative difference between `got` and `want`.
fn worst(got: &[f64], want: &[f64]) -> f64 {
    if got.len() != want.len() {
        return f64::INFINITY;
    }
    got.iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs() / a.abs().max(b.abs()).max(1.0))
        .fold(0.0, |w, e| if e.is_nan() || e > w { e } else { w })
}

/// Runs one case; the worst value and gradient errors.
fn check(case: &Value) -> Result<(f64, f64), String> {
    let mut m = Interp::new(0, Box::new(std::io::sink()));
    let params = case["params"].as_array().cloned().unwrap_or_default();
    for p in &params {
        let decl = format!(
            "param {} = {}",
            p["name"].as_str().unwrap_or("?"),
            tensor(&numbers(&p["shape"]), &numbers(&p["values"]))
        );
        eval_str(&mut m, &decl).map_err(|_| format!("could not run `{decl}`"))?;
    }
    let expr = case["expr"].as_str().unwrap_or("");
    let value_err = worst(&value(&mut m, expr)?, &numbers(&case["value"]));
    let w = tensor(&numbers(&case["shape"]), &numbers(&case["weights"]));
    let mut grad_err: f64 = 0.0;
    for (p, want) in params.iter().zip(numbers_each(&case["grads"])) {
        let name = p["name"].as_str().unwrap_or("?");
        let got = value(&mut m, &format!("grad(sum(({expr}) * {w}), {name})"))?;
        grad_err = grad_err.max(worst(&got, &want));
    }
    Ok((value_err, grad_err))
}

fn numbers_each(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .map(|a| a.iter().map(numbers).collect())
        .unwrap_or_default()
}

/// Checks every case of tests/data/refs/`file` (at least `min_cases`).
fn matches_torch(file: &str, min_cases: usize) {
    let path = format!("tests/data/refs/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let refs: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON: {e}"));
    let cases = refs["cases"].as_array().cloned().unwrap_or_default();
    assert!(cases.len() >= min_cases, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let (mut worst_value, mut worst_grad): (f64, f64) = (0.0, 0.0);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        match check(case) {
            Ok((v, g)) => {
                println!("{name:29} value {v:.1e}  gradient {g:.1e}");
                worst_value = worst_value.max(v);
                worst_grad = worst_grad.max(g);
                if !(v <= TOL && g <= TOL) {
                    failures.push(format!(
                        "{name}: value error {v:.1e}, gradient error {g:.1e}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("{path} worst: value {worst_value:.1e}, gradient {worst_grad:.1e}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn linalg_matches_torch() {
    matches_torch("linalg.json", 20);
}

#[test]
fn elementwise_matches_torch() {
    matches_torch("elementwise.json", 30);
}

#[test]
fn indexing_matches_torch() {
    matches_torch("indexing.json", 15);
}

#[test]
fn reductions_and_rearrangements_match_torch() {
    matches_torch("staples.json", 40);
}

#[test]
fn jacobian_and_hessian_match_torch() {
    matches_torch("calculus.json", 10);
}
