//! `gradlang check`: parse a script and resolve it without running it.
//!
//! After parsing, one walk over the tree keeps a scope of the names declared
//! so far (`let`, `param`, `fn`, `loss`, `for` variables, function
//! parameters) and reports what the evaluator would, with the same error
//! variants and codes: unknown names, functions, optimizers and options
//! (with a did-you-mean), calls with the wrong number of arguments, `grad`
//! of something that is not a param, `minimize` without a loss or `steps`,
//! assignments to names that are not `let`s. Along the way it follows the
//! shapes that are known without running ([`shapes`]), so shape mismatches,
//! a loss that is not a scalar and tensors that are too large are found
//! too. Nothing is evaluated: no file is read, no loop runs, no optimizer
//! takes a step. Every error is reported, not only the first.
//!
//! Function bodies are checked where they are defined but run where they
//! are called, so a global they read may be defined further down: inside a
//! body every top-level name of the script counts as defined, with an
//! unknown value. A call with known argument shapes checks the body again
//! with them ([`calls`]).

mod calls;
mod exprs;
mod minimize;
pub(crate) mod shapes;

use std::collections::HashMap;
use std::rc::Rc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::driver::{parse_reported, Reporter, EXIT_SCRIPT_ERROR};
use crate::eval::env::FnDef;
use crate::eval::error::EvalError;
use crate::syntax::ast::{Block, Else, Expr, ExprS, Ident, IndexItem, Program, Stmt, StmtS};
use crate::syntax::span::Span;
use shapes::Abs;

/// At most this many diagnostics are printed; the rest are counted.
const MAX_REPORTED: usize = 100;

/// Reports every error (and warning) found; returns the exit code, 0 when
/// there is no error.
pub fn check_source(path: &str, bytes: &[u8], reporter: &mut Reporter) -> i32 {
    let (src, program) = match parse_reported(path, bytes, reporter) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let diags = diagnostics(&analyze(&program).errors, &program);
    for d in diags.iter().take(MAX_REPORTED) {
        reporter.report(d, path, src);
    }
    if diags.len() > MAX_REPORTED {
        let _ = writeln!(
            reporter.err,
            "... and {} more (gradlang check shows the first {MAX_REPORTED})",
            diags.len() - MAX_REPORTED
        );
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        EXIT_SCRIPT_ERROR
    } else {
        0
    }
}

/// What `gradlang check` reports for a parsed program: the lints'
/// warnings and `errors` (from [`analyze`]), in source order. The
/// language server publishes the same list.
pub fn diagnostics(errors: &[EvalError], program: &Program) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = crate::lint::script_warnings(program);
    diags.extend(errors.iter().map(EvalError::to_diagnostic));
    diags.sort_by_key(|d| d.primary.0.start);
    diags
}

/// Every error `check` finds in a parsed program, in source order.
pub fn check_program(program: &Program) -> Vec<EvalError> {
    analyze(program).errors
}

/// What reading a program without running it finds.
pub struct Analysis {
    /// Every error, in source order.
    pub errors: Vec<EvalError>,
    /// The shape each name outside function bodies has where it is
    /// defined (by the span of the name in its `let`, `param` or `for`),
    /// where it is known.
    pub shapes: HashMap<Span, Vec<usize>>,
}

/// Checks `program`: its errors, and the shapes known along the way.
pub fn analyze(program: &Program) -> Analysis {
    let mut checker = Checker::new(program);
    for stmt in &program.stmts {
        checker.stmt(stmt);
    }
    let mut errors: Vec<EvalError> = checker
        .errors
        .into_iter()
        .map(|e| e.with_later_declaration(program))
        .collect();
    errors.sort_by_key(|e| e.to_diagnostic().primary.0.start);
    Analysis {
        errors,
        shapes: checker.shapes,
    }
}

/// What a name means.
#[derive(Debug, Clone)]
enum Kind {
    /// A `let` value or loss, a `for` variable or a function parameter.
    Value,
    Param,
    Fn(Rc<FnDef>),
}

#[derive(Debug, Clone)]
struct Entry {
    kind: Kind,
    abs: Abs,
}

struct Checker {
    /// Local scopes; a function body starts a new `base` and cannot see
    /// the frames below it (as in the evaluator).
    frames: Vec<Vec<(String, Entry)>>,
    base: usize,
    globals: HashMap<String, Entry>,
    /// Every kind each top-level name has anywhere in the script, for
    /// function bodies.
    script_globals: HashMap<String, Vec<Kind>>,
    /// Names defined with `loss`.
    losses: Vec<String>,
    /// Losses that some `residual` declared (maybe: one in a branch counts).
    residuals: Vec<String>,
    /// How many function bodies enclose the walk.
    in_fn: usize,
    /// Loops around the walk, within the current function body.
    loops: usize,
    /// The span of a call that is a statement of its own, which need not
    /// return a value.
    effect_call: Option<Span>,
    /// How many conditional or repeated blocks enclose the walk: values
    /// assigned there are not known afterwards.
    uncertain: usize,
    /// Function bodies analysed with their arguments' shapes.
    calls: calls::Calls,
    errors: Vec<EvalError>,
    /// Known shapes of names outside function bodies, by the span of the
    /// name where it is defined (see [`Analysis::shapes`]).
    shapes: HashMap<Span, Vec<usize>>,
}

impl Checker {
    fn new(program: &Program) -> Checker {
        let mut script_globals: HashMap<String, Vec<Kind>> = HashMap::new();
        for stmt in &program.stmts {
            let (name, kind) = match &stmt.node {
                Stmt::Let { name, .. } => (name.node.clone(), Kind::Value),
                Stmt::Loss { name, .. } => (
                    name.as_ref().map_or("loss".to_string(), |n| n.node.clone()),
                    Kind::Value,
                ),
                Stmt::Param { name, .. } => (name.node.clone(), Kind::Param),
                Stmt::Fn { name, params, body } => (
                    name.node.clone(),
                    Kind::Fn(Rc::new(FnDef {
                        name: name.node.clone(),
                        params: params.clone(),
                        body: body.clone(),
                        span: stmt.span,
                    })),
                ),
                _ => continue,
            };
            script_globals.entry(name).or_default().push(kind);
        }
        Checker {
            frames: Vec::new(),
            base: 0,
            globals: HashMap::new(),
            script_globals,
            losses: Vec::new(),
            residuals: Vec::new(),
            in_fn: 0,
            loops: 0,
            effect_call: None,
            uncertain: 0,
            calls: calls::Calls::default(),
            errors: Vec::new(),
            shapes: HashMap::new(),
        }
    }

    fn error(&mut self, e: EvalError) {
        self.errors.push(e);
    }

    // ---- scopes ----

    /// The entry `name` has here; inside a function body a top-level name
    /// defined anywhere counts, with an unknown value.
    fn lookup(&self, name: &str) -> Option<Entry> {
        for frame in self.frames[self.base..].iter().rev() {
            if let Some((_, e)) = frame.iter().rev().find(|(n, _)| n == name) {
                return Some(e.clone());
            }
        }
        if self.in_fn == 0 {
            return self.globals.get(name).cloned();
        }
        let kinds = self.script_globals.get(name)?;
        // Which definition is current when the body runs is not known; a
        // function is only assumed when every definition is one.
        let kind = if kinds.iter().all(|k| matches!(k, Kind::Fn(_))) {
            kinds[kinds.len() - 1].clone()
        } else if kinds.iter().any(|k| matches!(k, Kind::Param)) {
            Kind::Param
        } else {
            Kind::Value
        };
        Some(Entry {
            kind,
            abs: Abs::unknown(),
        })
    }

    /// Notes the shape `name_span`'s definition gives it, outside bodies.
    fn note_shape(&mut self, name_span: Span, abs: &Abs) {
        if let (0, Some(shape)) = (self.in_fn, &abs.shape) {
            self.shapes.insert(name_span, shape.clone());
        }
    }

    fn define(&mut self, name: &str, entry: Entry) {
        if self.frames.len() > self.base {
            if let Some(frame) = self.frames.last_mut() {
                frame.push((name.to_string(), entry));
                return;
            }
        }
        self.globals.insert(name.to_string(), entry);
    }

    /// Changes the value of an existing name, the innermost one.
    fn set_abs(&mut self, name: &str, abs: Abs) {
        for frame in self.frames[self.base..].iter_mut().rev() {
            if let Some((_, e)) = frame.iter_mut().rev().find(|(n, _)| n == name) {
                e.abs = abs;
                return;
            }
        }
        if let Some(e) = self.globals.get_mut(name) {
            e.abs = abs;
        }
    }

    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.globals.keys().cloned().collect();
        if self.in_fn > 0 {
            names.extend(self.script_globals.keys().cloned());
        }
        for frame in &self.frames[self.base..] {
            names.extend(frame.iter().map(|(n, _)| n.clone()));
        }
        names
    }

    fn in_block<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.frames.push(Vec::new());
        let out = f(self);
        self.frames.pop();
        out
    }

    // ---- statements ----

    fn stmt(&mut self, s: &StmtS) {
        match &s.node {
            Stmt::Let { name, value } => {
                let abs = self.expr(value);
                self.note_shape(name.span, &abs);
                self.define(
                    &name.node,
                    Entry {
                        kind: Kind::Value,
                        abs,
                    },
                );
            }
            Stmt::Param { name, init, bounds } => self.param(name, init, bounds.as_ref(), s.span),
            Stmt::Loss {
                name,
                value,
                residual,
            } => {
                let abs = self.expr(value);
                let name_str = name.as_ref().map_or("loss", |n| n.node.as_str());
                if *residual {
                    self.residuals.push(name_str.to_string());
                } else if self.uncertain == 0 {
                    self.residuals.retain(|r| r != name_str);
                }
                if let Some(shape) = abs.shape.as_ref().filter(|s| !s.is_empty() && !*residual) {
                    self.error(EvalError::LossNotScalar {
                        span: value.span,
                        shape: shape.clone(),
                    });
                }
                let name = name.as_ref().map_or("loss", |n| n.node.as_str());
                self.define(
                    name,
                    Entry {
                        kind: Kind::Value,
                        abs: Abs::scalar(None),
                    },
                );
                if !self.losses.iter().any(|l| l == name) {
                    self.losses.push(name.to_string());
                }
            }
            Stmt::Assign {
                name,
                index,
                op,
                value,
            } => self.assign(name, index, op.is_some(), value),
            Stmt::Minimize {
                maximize,
                loss,
                optimizer,
                opts,
            } => self.minimize(*maximize, loss.as_ref(), optimizer, opts, s.span),
            Stmt::Print { args, opts } => {
                for a in args {
                    if !matches!(a.node, Expr::Str(_)) {
                        self.expr(a);
                    }
                }
                for o in opts {
                    self.expr(&o.value);
                    if o.name.node != "digits" {
                        self.unknown_option(o, "print", &["digits"]);
                    }
                }
            }
            Stmt::Fn { name, params, body } => {
                let def = Rc::new(FnDef {
                    name: name.node.clone(),
                    params: params.clone(),
                    body: body.clone(),
                    span: s.span,
                });
                for e in self.baseline(&def) {
                    self.error(e);
                }
                self.define(
                    &name.node,
                    Entry {
                        kind: Kind::Fn(def),
                        abs: Abs::unknown(),
                    },
                );
            }
            Stmt::For { var, range, body } => {
                if let Expr::Range { start, end } = &range.node {
                    self.expr(start);
                    self.expr(end);
                } else {
                    self.expr(range);
                }
                // The body runs again with what it assigned: those values
                // are not known even on the first pass.
                for name in assigned_names(body) {
                    self.set_abs(&name, Abs::unknown());
                }
                self.uncertain += 1;
                self.loops += 1;
                self.note_shape(var.span, &Abs::scalar(None));
                self.in_block(|me| {
                    me.define(
                        &var.node,
                        Entry {
                            kind: Kind::Value,
                            abs: Abs::scalar(None),
                        },
                    );
                    me.block_stmts(body);
                });
                self.loops -= 1;
                self.uncertain -= 1;
            }
            Stmt::While { cond, body } => {
                for name in assigned_names(body) {
                    self.set_abs(&name, Abs::unknown());
                }
                self.expr(cond);
                self.uncertain += 1;
                self.loops += 1;
                self.in_block(|me| me.block_stmts(body));
                self.loops -= 1;
                self.uncertain -= 1;
            }
            Stmt::Break | Stmt::Continue if self.loops == 0 => {
                let word = if matches!(s.node, Stmt::Break) {
                    "break"
                } else {
                    "continue"
                };
                self.error(EvalError::outside_loop(s.span, word));
            }
            Stmt::Break | Stmt::Continue => {}
            Stmt::Seed(e) => {
                self.expr(e);
            }
            Stmt::Save(path) | Stmt::Load(path) => {
                let saving = matches!(s.node, Stmt::Save(_));
                if let Err(e) = crate::eval::params_file::file_name(path, saving) {
                    self.error(e);
                }
            }
            Stmt::Assert { cond, message } => {
                self.expr(cond);
                if let Some(m) = message.as_ref().filter(|m| !matches!(m.node, Expr::Str(_))) {
                    self.expr(m);
                }
            }
            Stmt::Expr(e) => {
                // A call on a line of its own may be made for its effects.
                self.effect_call = Some(e.span);
                self.expr(e);
                self.effect_call = None;
            }
        }
    }

    fn param(&mut self, name: &Ident, init: &ExprS, bounds: Option<&(ExprS, ExprS)>, span: Span) {
        if self.in_fn > 0 {
            self.error(EvalError::param_not_top_level(span));
        }
        let abs = self.expr(init);
        if let Some((lo, hi)) = bounds {
            let (l, h) = (self.expr(lo), self.expr(hi));
            if let (Some(v), Some(l), Some(h)) = (abs.value, l.value, h.value) {
                if !(v >= l && v <= h) {
                    self.error(EvalError::ParamOutOfBounds {
                        span: init.span,
                        bounds: lo.span.to(hi.span),
                        name: name.node.clone(),
                    });
                }
            }
        }
        let entry = Entry {
            kind: Kind::Param,
            abs: Abs::shaped(abs.shape.clone()),
        };
        self.note_shape(name.span, &entry.abs);
        match self.lookup(&name.node) {
            // Re-declaring replaces the param in place, so every formula
            // that reads it may change shape: forget what is known.
            Some(Entry {
                kind: Kind::Param,
                abs: old,
            }) => {
                if old.shape != abs.shape {
                    for e in self.globals.values_mut() {
                        e.abs = Abs::unknown();
                    }
                }
                self.set_abs(&name.node, entry.abs);
            }
            _ => self.define(&name.node, entry),
        }
    }

    /// `name = value`, `name op= value` (`compound`), `name[index] = value`.
    fn assign(&mut self, name: &Ident, index: &[IndexItem], compound: bool, value: &ExprS) {
        if !index.is_empty() {
            let shape = match self.lookup(&name.node) {
                Some(Entry {
                    kind: Kind::Fn(_), ..
                })
                | None => None,
                Some(entry) => entry.abs.shape,
            };
            self.subscript(name.span, shape, index);
        }
        let abs = self.expr(value);
        match self.lookup(&name.node) {
            None => self.error(EvalError::assign_to_undefined(name.span, &name.node)),
            Some(Entry {
                kind: Kind::Fn(_), ..
            }) if self.in_fn == 0 => {
                self.error(EvalError::assign_to_function(name.span, &name.node))
            }
            // A param keeps its shape: a whole new value must broadcast to it.
            Some(Entry {
                kind: Kind::Param,
                abs: old,
            }) => {
                if let (true, false, Some(old), Some(new)) =
                    (index.is_empty(), compound, &old.shape, &abs.shape)
                {
                    if crate::tensor::broadcast_shapes(new, old).as_ref() != Ok(old) {
                        self.error(EvalError::param_reshaped(name, value.span, old, new));
                    }
                }
            }
            Some(_) => {
                let abs = if self.uncertain > 0 || self.in_fn > 0 || compound || !index.is_empty() {
                    Abs::unknown()
                } else {
                    abs
                };
                self.set_abs(&name.node, abs);
            }
        }
    }

    /// A block's statements and value in the current frame.
    fn block_stmts(&mut self, b: &Block) -> Abs {
        for s in &b.stmts {
            self.stmt(s);
        }
        match &b.value {
            Some(e) => {
                self.effect_call = Some(e.span);
                let abs = self.expr(e);
                self.effect_call = None;
                abs
            }
            None => Abs::unknown(),
        }
    }
}

/// Names a block assigns to with `NAME = ...`, at any depth outside
/// function bodies.
fn assigned_names(b: &Block) -> Vec<String> {
    fn stmt(s: &StmtS, out: &mut Vec<String>) {
        match &s.node {
            Stmt::Assign { name, value, .. } => {
                out.push(name.node.clone());
                expr(value, out);
            }
            Stmt::Let { value, .. } | Stmt::Loss { value, .. } | Stmt::Expr(value) => {
                expr(value, out)
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } => block(body, out),
            _ => {}
        }
    }
    fn block(b: &Block, out: &mut Vec<String>) {
        b.stmts.iter().for_each(|s| stmt(s, out));
        if let Some(v) = &b.value {
            expr(v, out);
        }
    }
    fn expr(e: &ExprS, out: &mut Vec<String>) {
        match &e.node {
            Expr::If {
                then, otherwise, ..
            } => {
                block(then, out);
                match otherwise.as_deref() {
                    Some(Else::Block(b)) => block(b, out),
                    Some(Else::If(e)) => expr(e, out),
                    None => {}
                }
            }
            Expr::Block(b) => block(b, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    block(b, &mut out);
    out
}

#[cfg(test)]
mod tests;
