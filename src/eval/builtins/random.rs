//! Builtins that draw random numbers, all from the one seeded portable
//! generator (`crate::rng`); the checks on their arguments are shared with
//! `gradlang check`'s shape rules.

use super::create::{dimension, dims};
use super::Call;
use crate::autodiff::NodeId;
use crate::eval::error::EvalError;
use crate::eval::Interp;
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// A tensor of `shape` filled in row-major order by `draw`. Each
/// evaluation draws afresh: a replayed tape would freeze the numbers.
/// `draw` is given the flat index of the entry.
fn drawn(m: &mut Interp, shape: &[usize], draw: impl Fn(&mut Interp, usize) -> f64) -> NodeId {
    m.tape.forbid_replay();
    let n: usize = shape.iter().product();
    let data = (0..n).map(|k| draw(m, k)).collect();
    m.tape.constant(Tensor::from_shape_vec(shape, data))
}

pub(super) fn rand(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let shape = dims(m, c, 0)?;
    Ok(drawn(m, &shape, |m, _| m.rng.uniform()))
}

pub(super) fn randn(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let shape = dims(m, c, 0)?;
    Ok(drawn(m, &shape, |m, _| m.rng.normal()))
}

/// How many integers `randint(lo, hi)` draws from: `hi - lo`, which must be
/// at least 1 (`hi_span` is where `hi` is).
pub(crate) fn int_range(lo: i64, hi: i64, hi_span: Span) -> Result<u64, EvalError> {
    if hi <= lo {
        return Err(EvalError::BadArgument {
            span: hi_span,
            message: format!("`randint` draws from [lo, hi), but lo = {lo} and hi = {hi}"),
            help: Some("hi is excluded and must exceed lo, as in torch.randint".into()),
        });
    }
    Ok((hi - lo) as u64)
}

/// `randint(lo, hi, d...)`: uniform integers in [lo, hi).
pub(super) fn randint(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let lo = m.integer_of(c.node(0)?, c.span(0), "the lower end")?;
    let hi = m.integer_of(c.node(1)?, c.span(1), "the upper end")?;
    let n = int_range(lo, hi, c.span(1))?;
    let shape = dims(m, c, 2)?;
    Ok(drawn(m, &shape, |m, _| (lo + m.rng.below(n) as i64) as f64))
}

/// A count argument (`n` of `permutation` and `choice`, `k` of `choice`).
fn count(m: &mut Interp, c: &Call, k: usize, what: &str) -> Result<usize, EvalError> {
    let v = m.integer_of(c.node(k)?, c.span(k), what)?;
    dimension(v as f64, c.span(k))
}

fn indices(m: &mut Interp, n: usize, k: usize) -> NodeId {
    m.tape.forbid_replay();
    let data = m.rng.choose(n, k).into_iter().map(|i| i as f64).collect();
    m.tape.constant(Tensor::from_shape_vec(&[k], data))
}

/// `permutation(n)`: 0..n-1 shuffled.
pub(super) fn permutation(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let n = count(m, c, 0, "the count")?;
    Ok(indices(m, n, n))
}

/// The error for `choice(n, k)` unless k <= n (`k_span` is where `k` is).
pub(crate) fn chosen(n: usize, k: usize, k_span: Span) -> Result<(), EvalError> {
    if k > n {
        return Err(EvalError::BadArgument {
            span: k_span,
            message: format!("`choice(n, k)` needs k <= n, found n = {n} and k = {k}"),
            help: Some(format!(
                "`choice` draws without replacement, so k <= n; for draws with replacement write `randint(0, {n}, {k})`"
            )),
        });
    }
    Ok(())
}

/// `choice(n, k)`: k distinct numbers of 0..n-1, without replacement.
pub(super) fn choice(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let n = count(m, c, 0, "the count")?;
    let k = count(m, c, 1, "the number chosen")?;
    chosen(n, k, c.span(1))?;
    Ok(indices(m, n, k))
}

/// The error for `bernoulli(p)` unless every entry of `p` lies in [0, 1]
/// (`span` is where `p` is).
pub(crate) fn probabilities(p: &[f64], span: Span) -> Result<(), EvalError> {
    let Some((k, v)) = p
        .iter()
        .enumerate()
        .find(|(_, v)| !(0.0..=1.0).contains(*v))
    else {
        return Ok(());
    };
    let at = if p.len() > 1 {
        format!(" (entry {k})")
    } else {
        String::new()
    };
    Err(EvalError::BadArgument {
        span,
        message: format!("`bernoulli` takes probabilities in [0, 1], found {v}{at}"),
        help: Some("map scores to probabilities first, e.g. `bernoulli(sigmoid(x))`".into()),
    })
}

/// `bernoulli(p)`: 1 where a uniform draw falls below p, else 0; no
/// gradient flows to `p`.
pub(super) fn bernoulli(m: &mut Interp, c: &Call) -> Result<NodeId, EvalError> {
    let p = m.tape.decide(c.node(0)?).clone();
    let probs = p.to_vec();
    probabilities(&probs, c.span(0))?;
    Ok(drawn(m, p.shape(), |m, k| {
        f64::from(u8::from(m.rng.uniform() < probs[k]))
    }))
}
