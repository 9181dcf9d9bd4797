//! `gradlang check`, user functions: a body is checked where it is defined
//! with its parameters unknown, and again at each call whose arguments have
//! known shapes, with those shapes. What only the second walk finds (a
//! shape mismatch that these arguments cause) is reported at the body,
//! labelled with the call, as the evaluator reports it. Calls nest at most
//! [`MAX_DEPTH`] deep in this analysis, a function already being analysed
//! (recursion) gives an unknown value, and at most [`BUDGET`] bodies are
//! walked per script, so `check` stays fast on any input.

use std::rc::Rc;

use super::shapes::Abs;
use super::{Checker, Entry, Kind};
use crate::eval::env::FnDef;
use crate::eval::error::EvalError;
use crate::syntax::ast::FnBody;
use crate::syntax::span::Span;

/// How many calls deep bodies are analysed with their arguments' shapes.
const MAX_DEPTH: usize = 8;
/// How many bodies are walked with known arguments in one script.
const BUDGET: usize = 2000;

/// The state of the call analysis, kept by the [`Checker`].
#[derive(Default)]
pub(super) struct Calls {
    /// The functions (by the span of their definition) being analysed.
    active: Vec<Span>,
    /// Each function's errors with its parameters unknown.
    baselines: std::collections::HashMap<Span, Vec<EvalError>>,
    /// Bodies walked with known arguments so far.
    walked: usize,
    /// How many of the active walks have known arguments.
    specific: usize,
}

impl Calls {
    /// Whether a body is being walked with known arguments: then a branch
    /// the call may not take must not report what these arguments cause.
    pub(super) fn specific(&self) -> bool {
        self.specific > 0
    }
}

impl Checker {
    /// The errors in `def`'s body with its parameters unknown (computed
    /// once per definition); the `fn` statement reports them.
    pub(super) fn baseline(&mut self, def: &FnDef) -> Vec<EvalError> {
        if let Some(known) = self.calls.baselines.get(&def.span) {
            return known.clone();
        }
        let unknown = vec![Abs::unknown(); def.params.len()];
        let (_, errors) = self.walk(def, unknown);
        self.calls.baselines.insert(def.span, errors.clone());
        errors
    }

    /// What a call of `def` with arguments `args` gives; reports the errors
    /// only these arguments cause, labelled with the `call`.
    pub(super) fn call_body(&mut self, def: &FnDef, args: Vec<Abs>, call: Span) -> Abs {
        if args.iter().all(|a| a.shape.is_none())
            || self.calls.active.len() >= MAX_DEPTH
            || self.calls.active.contains(&def.span)
            || self.calls.walked >= BUDGET
        {
            return Abs::unknown();
        }
        self.calls.walked += 1;
        let baseline = self.baseline(def);
        self.calls.specific += 1;
        let (value, errors) = self.walk(def, args);
        self.calls.specific -= 1;
        for e in errors {
            if !baseline.contains(&e) {
                self.error(e.in_call(call, &def.name));
            }
        }
        value
    }

    /// Runs `f`, dropping the errors it finds when `quiet`.
    pub(super) fn quietly<T>(&mut self, quiet: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        if !quiet {
            return f(self);
        }
        let outer = std::mem::take(&mut self.errors);
        let out = f(self);
        self.errors = outer;
        out
    }

    /// Walks `def`'s body with its parameters bound to `args`; returns its
    /// value and the errors found, which are not reported.
    fn walk(&mut self, def: &FnDef, args: Vec<Abs>) -> (Abs, Vec<EvalError>) {
        let outer = std::mem::take(&mut self.errors);
        self.calls.active.push(def.span);
        let value = self.fn_body(def, args);
        self.calls.active.pop();
        let errors = std::mem::replace(&mut self.errors, outer);
        (value, errors)
    }

    /// A function body, in its own scope with the parameters as locals.
    fn fn_body(&mut self, def: &FnDef, args: Vec<Abs>) -> Abs {
        let old_base = self.base;
        self.base = self.frames.len();
        self.frames.push(
            def.params
                .iter()
                .zip(args)
                .map(|(p, abs)| {
                    let entry = Entry {
                        kind: Kind::Value,
                        abs,
                    };
                    (p.node.clone(), entry)
                })
                .collect(),
        );
        self.in_fn += 1;
        // A body starts outside any loop: its `break` cannot end the caller's.
        let loops = std::mem::take(&mut self.loops);
        let body = Rc::clone(&def.body);
        let value = match &*body {
            FnBody::Expr(e) => self.expr(e),
            FnBody::Block(b) => self.block_stmts(b),
        };
        self.loops = loops;
        self.in_fn -= 1;
        self.frames.truncate(self.base);
        self.base = old_base;
        value
    }
}
