//! How shape mismatches are worded: the title and label in the words of
//! the operation, and why two shapes do not broadcast or multiply, with a
//! likely fix (shared with `gradlang check`).

use super::wording::plural;
use crate::tensor::shape_string;

/// Title and label of a shape mismatch, in the words of the operation.
pub(super) fn mismatch_words(op: &str, lhs: &[usize], rhs: &[usize]) -> (String, String) {
    let (l, r) = (shape_string(lhs), shape_string(rhs));
    let broadcast = "these shapes do not broadcast".to_string();
    let verb = match op {
        "`+`" => "add",
        "`-`" => "subtract",
        "`*`" => "multiply",
        "`/`" => "divide",
        "`^`" => "raise to a power",
        "`<`" | "`<=`" | "`>`" | "`>=`" | "`==`" | "`!=`" => "compare",
        "`and`" | "`or`" => "combine",
        _ => "",
    };
    if !verb.is_empty() {
        return (
            format!("cannot {verb} tensors of shapes {l} and {r}"),
            broadcast,
        );
    }
    match op {
        "`@`" => match (lhs.len(), rhs.len()) {
            (0, _) | (_, 0) => (
                "cannot use `@` with a scalar".to_string(),
                "`@` needs 1-D or 2-D operands".to_string(),
            ),
            (a, b) if a > 2 || b > 2 => (
                format!("cannot use `@` with a tensor of rank {}", a.max(b)),
                "`@` needs 1-D or 2-D operands".to_string(),
            ),
            _ => (
                format!("cannot multiply matrices of shapes {l} and {r}"),
                format!(
                    "{} on the left, {} on the right",
                    plural(lhs[lhs.len() - 1], "column"),
                    plural(rhs[0], "row")
                ),
            ),
        },
        "`dot`" => (
            format!("`dot` needs tensors of the same shape, not {l} and {r}"),
            "the shapes differ".to_string(),
        ),
        "`hstack`" | "`vstack`" | "`concat`" => (
            format!("cannot join tensors of shapes {l} and {r} with {op}"),
            "these do not fit together".to_string(),
        ),
        "`pow`" | "`max`" | "`min`" | "`clamp`" => (
            format!("cannot apply {op} to tensors of shapes {l} and {r}"),
            broadcast,
        ),
        "`full`" => (
            format!("cannot fill shape {r} with a value of shape {l}"),
            "the value does not broadcast to this shape".to_string(),
        ),
        "param bounds" => (
            format!("bounds of shape {r} do not fit a param of shape {l}"),
            "these bounds".to_string(),
        ),
        _ => (
            format!("shapes {l} and {r} do not fit in {op}"),
            "these shapes do not fit".to_string(),
        ),
    }
}

/// Why two shapes do not broadcast, and a likely fix, for the help line.
pub(crate) fn broadcast_help(lhs: &[usize], rhs: &[usize]) -> String {
    let n = lhs.len().max(rhs.len());
    let dim = |s: &[usize], i: usize| {
        if i + s.len() >= n {
            s[i + s.len() - n]
        } else {
            1
        }
    };
    let clash = (0..n).rev().find(|&i| {
        let (a, b) = (dim(lhs, i), dim(rhs, i));
        a != b && a != 1 && b != 1
    });
    let rule = "shapes broadcast when, compared from the last axis, each pair of sizes is equal or one of them is 1";
    let why = match clash {
        Some(i) => format!("{rule}; here {} meets {}", dim(lhs, i), dim(rhs, i)),
        None => rule.to_string(),
    };
    let fix = if lhs.len() == 2 && rhs.len() == 2 && lhs[0] == rhs[1] && lhs[1] == rhs[0] {
        "; did you mean to transpose one of them with `.T`?".to_string()
    } else if lhs.len() == 1 && rhs.len() == 2 && lhs[0] == rhs[0] {
        "; to pair each entry of the left with a row of the right, make it a column: `reshape(a, [-1, 1])`".to_string()
    } else if rhs.len() == 1 && lhs.len() == 2 && rhs[0] == lhs[0] {
        "; to pair each entry of the right with a row of the left, make it a column: `reshape(b, [-1, 1])`".to_string()
    } else {
        String::new()
    };
    format!("{why}{fix}")
}

/// Why `@` does not fit two shapes, and a likely fix.
pub(crate) fn matmul_help(lhs: &[usize], rhs: &[usize]) -> String {
    if lhs.is_empty() || rhs.is_empty() {
        return "`@` multiplies 1-D and 2-D tensors; to scale by a scalar, use `*`".to_string();
    }
    if lhs.len() > 2 || rhs.len() > 2 {
        return "`@` multiplies 1-D and 2-D tensors; reshape higher ranks first".to_string();
    }
    // A 1-D left operand is a row, a 1-D right operand a column.
    let rows = |s: &[usize]| s[0];
    let cols = |s: &[usize]| s[s.len() - 1];
    let fix = if lhs.len() == 2 && rhs.len() == 2 && cols(lhs) == cols(rhs) {
        "; did you mean `a @ b.T`?"
    } else if lhs.len() == 2 && rhs.len() == 2 && rows(lhs) == rows(rhs) {
        "; did you mean `a.T @ b`?"
    } else {
        ""
    };
    format!(
        "in `a @ b` the columns of `a` must equal the rows of `b`: here {} and {}{fix}",
        cols(lhs),
        rows(rhs)
    )
}
