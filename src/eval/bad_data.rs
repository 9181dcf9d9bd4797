//! Data that holds NaN or infinity. Holding it is allowed (it prints, and
//! `grad` of it is still defined), but a loss over it is NaN before any
//! step, and no optimizer setting can help. So it is reported where it
//! enters: warning W0004 at the top-level `let` whose expression made it
//! (a `csv` file warns about its own fields), and E0212 names the data
//! binding when a `minimize` takes it in, rather than blaming the steps.

use std::rc::{Rc, Weak};

use super::env::Binding;
use super::error::NonFiniteCause;
use super::Interp;
use crate::autodiff::NonFiniteOrigin;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// The data bindings that hold NaN or infinity, and where the current
/// top-level statement read them.
#[derive(Debug, Default)]
pub(crate) struct BadData {
    /// Each binding's value (weak: rebinding the name frees it), its name,
    /// and the statement that bound it.
    bound: Vec<(Weak<Tensor>, String, Span)>,
    /// Where the current statement read one of `bound`, with its name and
    /// where it was bound.
    reads: Vec<(Span, String, Span)>,
}

impl BadData {
    /// Forgets the reads of the last top-level statement.
    pub(super) fn end_statement(&mut self) {
        self.reads.clear();
    }
}

impl Interp {
    /// After a top-level `let` or assignment (`span`) bound `name`: if it
    /// is data holding NaN or infinity, remembers it and, when its own
    /// expression made the value (not data read from elsewhere, which was
    /// reported where it entered), warns.
    pub(super) fn check_bound_data(&mut self, name: &str, span: Span, binding: &Binding) {
        let Binding::Data(value) = binding else {
            return;
        };
        let Some(held) = describe(value) else { return };
        let bad = &mut self.bad_data;
        bad.bound.retain(|(v, ..)| v.strong_count() > 0);
        bad.bound.push((Rc::downgrade(value), name.into(), span));
        let warning = Diagnostic::warning(
            Code::W0006,
            format!("`{name}` holds {held}"),
            span,
            "bound here",
        );
        let warning = match self.tape.first_non_finite() {
            Some(NonFiniteOrigin::Value { .. }) => return,
            Some(NonFiniteOrigin::Operation { span, label, note }) => {
                warning.with_label(span, label).with_note(note)
            }
            None => warning,
        };
        self.warn(warning.with_help(format!(
            "printing `{name}` works, but a loss that uses it is NaN or infinite; \
             if the value is not meant, guard the operation (e.g. `x / max(d, 1e-12)`)"
        )));
    }

    /// Notes that the current statement read the data `value` at `span`
    /// (free when no data holds NaN or infinity).
    pub(super) fn note_data_read(&mut self, value: &Rc<Tensor>, span: Span) {
        let bad = &mut self.bad_data;
        let same =
            |(v, ..): &&(Weak<Tensor>, String, Span)| std::ptr::eq(v.as_ptr(), Rc::as_ptr(value));
        if let Some((_, name, bound)) = bad.bound.iter().find(same) {
            bad.reads.push((span, name.clone(), *bound));
        }
    }

    /// What E0212 says about `origin`, the first NaN or infinity on the tape.
    pub(super) fn non_finite_cause(&self, origin: Option<NonFiniteOrigin>) -> NonFiniteCause {
        match origin {
            Some(NonFiniteOrigin::Operation { span, label, note }) => {
                NonFiniteCause::Operation { span, label, note }
            }
            Some(NonFiniteOrigin::Value { span, node, kind }) => {
                let data = self
                    .bad_data
                    .reads
                    .iter()
                    .rfind(|(read, ..)| *read == span)
                    .map(|(_, name, bound)| (name.clone(), *bound));
                NonFiniteCause::Value {
                    span,
                    what: describe(self.tape.value(node)).unwrap_or_else(|| "NaN".into()),
                    kind,
                    data,
                }
            }
            None => NonFiniteCause::Growth,
        }
    }
}

/// "NaN (entry [2])", "infinity (entry [0, 1], and 3 more)" or, for a
/// scalar, "NaN"; `None` when every entry is finite.
pub(crate) fn describe(value: &Tensor) -> Option<String> {
    let mut bad = value.iter().enumerate().filter(|(_, v)| !v.is_finite());
    let (k, v) = bad.next()?;
    let more = bad.count();
    let number = if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "infinity"
    } else {
        "-infinity"
    };
    let shape = value.shape();
    if shape.is_empty() {
        return Some(number.into());
    }
    let mut index = vec![0; shape.len()];
    let mut rest = k;
    for (ax, &n) in shape.iter().enumerate().rev() {
        index[ax] = rest % n.max(1);
        rest /= n.max(1);
    }
    let index: Vec<String> = index.iter().map(usize::to_string).collect();
    let more = match more {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    Some(format!("{number} (entry [{}]{more})", index.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::tensor::Tensor;

    #[test]
    fn names_the_first_entry_and_counts_the_rest() {
        let t = |shape: &[usize], data: &[f64]| Tensor::from_shape_vec(shape, data.to_vec());
        assert_eq!(describe(&t(&[3], &[1., 2., 3.])), None);
        assert_eq!(describe(&Tensor::Scalar(f64::NAN)).as_deref(), Some("NaN"));
        let grid = t(&[2, 2], &[1., f64::NEG_INFINITY, f64::NAN, 0.]);
        assert_eq!(
            describe(&grid).as_deref(),
            Some("-infinity (entry [0, 1], and 1 more)")
        );
        let row = t(&[3], &[1., 2., f64::NAN]);
        assert_eq!(describe(&row).as_deref(), Some("NaN (entry [2])"));
    }
}
