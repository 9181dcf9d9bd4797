//! How an error inside user-function calls is reported: the innermost
//! error, with every call that led to it labelled, outermost first, as a
//! traceback would list them.

use super::EvalError;
use crate::diagnostic::Diagnostic;
use crate::syntax::span::Span;

/// An error inside nested calls of user functions: the innermost error,
/// with a label at every call that led to it, numbered outermost first
/// (the call on the script's line is 1), and a note with the chain.
pub(super) fn traceback(mut e: &EvalError) -> Diagnostic {
    let mut calls: Vec<(Span, &str)> = Vec::new();
    while let EvalError::InCall { call, name, error } = e {
        calls.push((*call, name));
        e = error;
    }
    let d = e.to_diagnostic();
    if let [(call, name)] = calls[..] {
        return d.with_label(call, format!("in this call of `{name}`"));
    }
    let n = calls.len();
    // A recursive call site runs many times: one label lists them all.
    let mut sites: Vec<(Span, &str, Vec<usize>)> = Vec::new();
    for (k, (span, name)) in calls.iter().enumerate() {
        match sites.iter_mut().find(|(s, _, _)| s == span) {
            Some((_, _, numbers)) => numbers.push(k + 1),
            None => sites.push((*span, name, vec![k + 1])),
        }
    }
    let d = sites.into_iter().fold(d, |d, (span, name, numbers)| {
        let which = match numbers[..] {
            [one] => format!("call {one} of {n}"),
            _ => format!("calls {} of {n}", number_ranges(&numbers)),
        };
        d.with_label(span, format!("{which}: `{name}`"))
    });
    // Recursion shows as one entry with its depth.
    let mut runs: Vec<(&str, usize)> = Vec::new();
    for (_, name) in &calls {
        match runs.last_mut() {
            Some((last, count)) if last == name => *count += 1,
            _ => runs.push((name, 1)),
        }
    }
    let names: Vec<String> = runs
        .iter()
        .map(|(name, count)| match count {
            1 => format!("`{name}`"),
            _ => format!("`{name}` ({count} deep)"),
        })
        .collect();
    let n = names.len();
    let chain = if n > 8 {
        format!(
            "{} -> ... ({} more) -> {}",
            names[..4].join(" -> "),
            n - 8,
            names[n - 4..].join(" -> ")
        )
    } else {
        names.join(" -> ")
    };
    d.with_note(format!("called as {chain}, outermost first"))
}

/// `1, 3, 5-9`: ascending numbers with their runs joined.
fn number_ranges(numbers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < numbers.len() {
        let start = numbers[k];
        while k + 1 < numbers.len() && numbers[k + 1] == numbers[k] + 1 {
            k += 1;
        }
        parts.push(if numbers[k] == start {
            start.to_string()
        } else {
            format!("{start}-{}", numbers[k])
        });
        k += 1;
    }
    parts.join(", ")
}
