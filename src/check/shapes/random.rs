//! `check`'s shape rules for the random draws, with the evaluator's checks
//! on their arguments (`eval::builtins::random`) where the numbers are known.

use super::{arg, dims, span, Abs, Arg, OptArg, Site};
use crate::eval::builtins::create::dimension;
use crate::eval::builtins::random::{chosen, int_range, probabilities};
use crate::eval::builtins::whole_number;
use crate::eval::error::EvalError;

/// Argument `k` as a whole number, when its value is known.
fn known_integer(args: &[Arg], k: usize, what: &str, site: Site) -> Result<Option<i64>, EvalError> {
    let at = span(args, k, site.call);
    match (arg(args, k).shape.as_deref(), arg(args, k).value) {
        (Some([]), Some(v)) => whole_number(v, at, what).map(Some),
        _ => Ok(None),
    }
}

/// Argument `k` as a count, when known.
fn known_count(args: &[Arg], k: usize, what: &str, site: Site) -> Result<Option<usize>, EvalError> {
    let at = span(args, k, site.call);
    known_integer(args, k, what, site)?
        .map(|v| dimension(v as f64, at))
        .transpose()
}

/// `randint(lo, hi, d...)`: the dimensions' shape.
pub(crate) fn randint(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let lo = known_integer(args, 0, "the lower end", site)?;
    let hi = known_integer(args, 1, "the upper end", site)?;
    if let (Some(lo), Some(hi)) = (lo, hi) {
        int_range(lo, hi, span(args, 1, site.call))?;
    }
    dims(args, 2, site.call).map(Abs::shaped)
}

/// `permutation(n)`: n entries.
pub(crate) fn permutation(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let n = known_count(args, 0, "the count", site)?;
    Ok(Abs::shaped(n.map(|n| vec![n])))
}

/// `choice(n, k)`: k entries, k <= n.
pub(crate) fn choice(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let n = known_count(args, 0, "the count", site)?;
    let k = known_count(args, 1, "the number chosen", site)?;
    if let (Some(n), Some(k)) = (n, k) {
        chosen(n, k, span(args, 1, site.call))?;
    }
    Ok(Abs::shaped(k.map(|k| vec![k])))
}

/// `bernoulli(p)`: p's shape; known probabilities must lie in [0, 1].
pub(crate) fn bernoulli(args: &[Arg], _: &[OptArg], site: Site) -> Result<Abs, EvalError> {
    let p = arg(args, 0);
    if let Some(values) = p.listed() {
        probabilities(&values, span(args, 0, site.call))?;
    }
    Ok(Abs::shaped(p.shape))
}
