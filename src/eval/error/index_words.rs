//! The words of indexing errors that take more than a line: an index
//! past the end of its axis (alone or as an entry of an index array) and
//! more indices than axes.

use super::wording::shape_label;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::span::Span;

/// `index` (entry `entry` of an index array, if it is one) past the end
/// of axis `axis` of length `len` of `target`.
pub(super) fn out_of_range(
    code: Code,
    span: Span,
    index: i64,
    (axis, len): (usize, usize),
    entry: Option<usize>,
    target: &(Span, Vec<usize>),
) -> Diagnostic {
    let label = match entry {
        Some(k) => format!("entry {k} of this index array is {index}, on axis {axis}"),
        None => format!("index {index} on axis {axis}"),
    };
    let d = Diagnostic::error(
        code,
        format!("index {index} is out of range for an axis of length {len}"),
        span,
        label,
    )
    .with_label(target.0, shape_label(&target.1));
    if len == 0 {
        d.with_help("this axis is empty, so it has no entries to pick")
    } else {
        d.with_help(format!(
            "valid indices on axis {axis} are 0 to {} (or -{len} to -1 from the end)",
            len - 1
        ))
    }
}

/// `given` indices for `target`, which has fewer axes.
pub(super) fn too_many(
    code: Code,
    span: Span,
    given: usize,
    target: &(Span, Vec<usize>),
) -> Diagnostic {
    let rank = target.1.len();
    Diagnostic::error(
        code,
        format!(
            "{given} {} for a tensor of rank {rank}",
            if given == 1 { "index" } else { "indices" }
        ),
        span,
        "one index too many",
    )
    .with_label(target.0, shape_label(&target.1))
    .with_help(if rank == 0 {
        "a scalar cannot be indexed".to_string()
    } else {
        format!(
            "give at most {rank} {}, one per axis",
            if rank == 1 { "index" } else { "indices" }
        )
    })
}
