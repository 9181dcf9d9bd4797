//! The random builtins against tests/data/refs/random.json, made by
//! gen_random.py from gradlang_rng.py: the generator written again in
//! Python from docs/language.md's description, so the draws (and the
//! documented algorithms) are checked exactly, independently of src/rng.rs.
//! Then distribution checks through the language, at fixed seeds.

use gradlang::driver::eval_str;
use gradlang::eval::Interp;
use serde_json::Value;

/// The value of `src` in a fresh interpreter seeded with `seed`.
fn value(seed: u64, src: &str) -> Vec<f64> {
    let mut m = Interp::new(seed, Box::new(std::io::sink()));
    match eval_str(&mut m, src) {
        Ok(Some(t)) => t.to_vec(),
        other => panic!("`{src}` gave no value: {:?}", other.err().map(|d| d.len())),
    }
}

#[test]
fn draws_match_the_python_generator() {
    let text = std::fs::read_to_string("tests/data/refs/random.json")
        .unwrap_or_else(|e| panic!("tests/data/refs/random.json: {e}"));
    let refs: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON: {e}"));
    let cases = refs["cases"].as_array().cloned().unwrap_or_default();
    assert!(cases.len() >= 7, "only {} cases", cases.len());
    for case in &cases {
        let expr = case["expr"].as_str().unwrap_or("");
        let seed = case["seed"].as_u64().unwrap_or(0);
        let want: Vec<f64> = case["value"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        assert_eq!(value(seed, expr), want, "{}", case["name"]);
        // The same seed gives the same draws on every run.
        assert_eq!(value(seed, expr), value(seed, expr), "{}", case["name"]);
    }
}

/// Pearson's chi-square of `counts` against equal expected counts must be
/// below its mean + 6 standard deviations (bins - 1 degrees of freedom).
fn assert_uniform(counts: &[f64], what: &str) {
    let total: f64 = counts.iter().sum();
    let e = total / counts.len() as f64;
    let chi2: f64 = counts.iter().map(|c| (c - e).powi(2) / e).sum();
    let dof = counts.len() as f64 - 1.0;
    assert!(
        chi2 < dof + 6.0 * (2.0 * dof).sqrt(),
        "{what}: chi-square {chi2}"
    );
}

#[test]
fn draws_are_spread_as_documented() {
    // randint: every face of a die equally often, and nothing outside [lo, hi).
    let faces = value(
        1,
        "let d = randint(1, 7, 60000)\nsum(d == reshape(arange(1, 7), [6, 1]), axis=1)",
    );
    assert_eq!(faces.iter().sum::<f64>(), 60000.0);
    assert_uniform(&faces, "randint");
    // permutation: each value lands in position 0 equally often.
    let firsts: Vec<f64> = (0..6000).map(|s| value(s, "permutation(6)")[0]).collect();
    let counts: Vec<f64> = (0..6)
        .map(|v| firsts.iter().filter(|&&f| f == v as f64).count() as f64)
        .collect();
    assert_uniform(&counts, "permutation");
    // bernoulli: the mean of n draws is p within 6 standard errors.
    let p = 0.3;
    let n = 100_000.0;
    let mean = value(2, "mean(bernoulli(full(0.3, 100000)))")[0];
    assert!(
        (mean - p).abs() < 6.0 * (p * (1.0 - p) / n).sqrt(),
        "bernoulli mean {mean}"
    );
}
