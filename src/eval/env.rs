//! What names mean: data, formulas, params, functions, and the values of
//! locals during one evaluation.
//!
//! A `let` whose value does not depend on a param is *data*, computed once.
//! One that does is a *formula*: its expression is kept and re-evaluated
//! against the params' current values wherever it is used — at most once
//! per tape epoch. A formula looks its names up when it is evaluated, as a
//! function does, so data assigned later is seen; only the locals of the
//! block it was defined in, and its own name (`acc = acc + x`), keep the
//! meaning they had when it was defined.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::autodiff::NodeId;
use crate::syntax::ast::{ExprS, FnBody, Ident};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

#[derive(Debug, Clone)]
pub enum Binding {
    Data(Rc<Tensor>),
    Formula(Rc<Formula>),
    /// Index into the interpreter's params.
    Param(usize),
    Fn(Rc<FnDef>),
    /// A value on the tape; lives only during one evaluation of a function
    /// body or formula.
    Node(NodeId),
}

#[derive(Debug)]
pub struct Formula {
    pub expr: ExprS,
    pub captured: Vec<(String, Binding)>,
    /// The node computed in the tape epoch given, reused within it.
    pub cache: Cell<Option<(u64, NodeId)>>,
    /// Set while it is being evaluated, to catch a formula that reads
    /// itself through others.
    pub busy: Cell<bool>,
    /// For a `residual` declaration: the loss is the sum of the squares of
    /// `expr`'s entries, and this holds `expr`'s node from the last
    /// evaluation (what least-squares solvers differentiate).
    pub residual: Option<Cell<Option<NodeId>>>,
}

#[derive(Debug)]
pub struct FnDef {
    pub name: String,
    pub params: Vec<Ident>,
    pub body: Rc<FnBody>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Param {
    pub name: String,
    pub value: Tensor,
    pub bounds: Option<(Tensor, Tensor)>,
    /// Where it was declared, for warnings.
    pub span: Span,
    /// Its leaf in the tape epoch given: all reads in one evaluation share
    /// one leaf, so their gradients add up.
    pub leaf: Cell<Option<(u64, NodeId)>>,
}

/// Local scopes above the globals. Lookups see frames from the top down to
/// `base` (a function call or formula starts a new base, so it cannot see
/// its caller's locals), then the globals.
#[derive(Debug, Default)]
pub struct Scopes {
    frames: Vec<Vec<(String, Binding)>>,
    base: usize,
    pub globals: HashMap<String, Binding>,
}

/// Where a name was found, so it can be assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Local { frame: usize, index: usize },
    Global,
}

impl Scopes {
    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        self.find(name).map(|slot| self.at(slot, name))
    }

    pub fn find(&self, name: &str) -> Option<Slot> {
        for frame in (self.base..self.frames.len()).rev() {
            if let Some(index) = self.frames[frame].iter().rposition(|(n, _)| n == name) {
                return Some(Slot::Local { frame, index });
            }
        }
        self.globals.contains_key(name).then_some(Slot::Global)
    }

    fn at(&self, slot: Slot, name: &str) -> &Binding {
        match slot {
            Slot::Local { frame, index } => &self.frames[frame][index].1,
            Slot::Global => &self.globals[name],
        }
    }

    /// True when the innermost visible scope is the globals.
    pub fn at_global_scope(&self) -> bool {
        self.frames.len() == self.base
    }

    /// The frame index of the current barrier: locals at or above it belong
    /// to the running function or formula.
    pub fn base(&self) -> usize {
        self.base
    }

    /// Binds in the innermost scope (shadowing any earlier binding).
    pub fn define(&mut self, name: &str, binding: Binding) {
        if self.frames.len() > self.base {
            if let Some(frame) = self.frames.last_mut() {
                frame.push((name.to_string(), binding));
                return;
            }
        }
        self.globals.insert(name.to_string(), binding);
    }

    pub fn set(&mut self, slot: Slot, name: &str, binding: Binding) {
        match slot {
            Slot::Local { frame, index } => self.frames[frame][index].1 = binding,
            Slot::Global => {
                self.globals.insert(name.to_string(), binding);
            }
        }
    }

    pub fn push_block(&mut self) {
        self.frames.push(Vec::new());
    }

    pub fn pop_block(&mut self) {
        self.frames.pop();
    }

    /// Starts a function call or formula evaluation with `bindings` as its
    /// only locals; returns the old base for `pop_barrier`.
    pub fn push_barrier(&mut self, bindings: Vec<(String, Binding)>) -> usize {
        let old = self.base;
        self.base = self.frames.len();
        self.frames.push(bindings);
        old
    }

    pub fn pop_barrier(&mut self, old_base: usize) {
        self.frames.truncate(self.base);
        self.base = old_base;
    }

    /// Every visible name (for did-you-mean and the REPL).
    pub fn visible_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.globals.keys().map(String::as_str).collect();
        for frame in &self.frames[self.base..] {
            names.extend(frame.iter().map(|(n, _)| n.as_str()));
        }
        names
    }

    /// Drops every local frame (after an error unwound a top-level statement).
    pub fn reset_locals(&mut self) {
        self.frames.clear();
        self.base = 0;
    }
}
