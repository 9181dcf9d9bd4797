//! The interpreter: runs statements, keeps bindings and params, and hands
//! `minimize` to the optimizers.

mod assign;
mod bad_data;
pub(crate) mod batch;
pub mod builtins;
pub(crate) mod calculus;
pub mod env;
pub mod error;
mod expr;
pub mod files;
pub mod fit;
mod loops;
mod minimize;
mod minimize_loop;
pub mod minimize_options;
mod objective;
pub(crate) mod params_file;
pub mod record;
pub(crate) mod subscript;

use std::io::Write;
use std::rc::Rc;

use crate::autodiff::{NodeId, Tape};
use crate::format::{format_integers, format_tensor};
use crate::rng::Rng;
use crate::syntax::ast::{Block, ExprS, Ident, Opt, Stmt, StmtS};
use crate::syntax::span::Span;
use crate::tensor::Tensor;
pub use env::{Binding, Param};
use env::{FnDef, Formula, Scopes};
pub use error::EvalError;
pub use minimize_options::DRIVER_OPTIONS;

/// Whether this build runs in a browser (the playground), where the
/// engine's stack of about 1 MiB, not the interpreter thread's 256 MiB,
/// bounds recursion: the limits below are lower there, measured in
/// Chromium with a margin (a body of a few statements crashed at 300
/// calls, a chain of formulas at 900).
const IN_BROWSER: bool = cfg!(target_arch = "wasm32");

/// How deep user functions may recurse before an error.
pub const MAX_CALL_DEPTH: usize = if IN_BROWSER { 200 } else { 400 };
/// How deep formulas and calls may nest in all (a formula built by a
/// top-level loop refers to the one before it); sized to the interpreter
/// thread's stack.
pub const MAX_NESTING: usize = if IN_BROWSER { 500 } else { 20_000 };

pub struct Interp {
    pub(crate) tape: Tape,
    pub(crate) scopes: Scopes,
    pub(crate) params: Vec<Param>,
    pub(crate) rng: Rng,
    out: Box<dyn Write>,
    /// Non-zero while evaluating a function body or a formula: `let`s there
    /// are plain tape values, not formulas.
    nested: usize,
    /// User function calls in progress (a subset of `nested`).
    calls: usize,
    /// Loops around the running statement, within the current function.
    loops: usize,
    /// A `break` or `continue` on its way to the innermost loop.
    loop_exit: Option<loops::LoopExit>,
    /// Blocks being evaluated as expressions (`if`, `{ }`): their
    /// statements run while an enclosing expression holds tape nodes.
    in_expr: usize,
    /// How many times a statement has set a param's value.
    param_updates: u64,
    /// Names some formula looks up when evaluated: assigning one makes
    /// cached formula values stale.
    read_late: std::collections::HashSet<String>,
    /// Where `csv` reads files: the disk or a table given by the embedder.
    pub(crate) files: files::Files,
    /// Names of the defined losses (the unnamed one is `loss`).
    losses: Vec<String>,
    /// The last least-squares fit, for `stderr` and `covariance`.
    pub(crate) fit: Option<fit::Fit>,
    /// Prints and minimize runs as values, when a front end asked for them.
    pub(crate) record: Option<record::Record>,
    pub(crate) observer: Option<Box<dyn record::Observer>>,
    /// Set from outside (Ctrl-C) to stop a running minimize after its step.
    pub(crate) interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Warnings raised while running, until the front end takes them.
    warnings: Vec<crate::diagnostic::Diagnostic>,
    /// Data holding NaN or infinity, for W0006 and E0212.
    bad_data: bad_data::BadData,
}

/// The value of an expression statement, for the REPL to show.
pub type StmtValue = Option<Shown>;

/// A value with how `print` writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub tensor: Tensor,
    /// Indices and dimensions (`argmax`, `shape`), written as integers.
    pub integer: bool,
}

impl Shown {
    /// The value as `print` writes it, with `digits` of precision.
    pub fn text(&self, digits: usize) -> String {
        if self.integer {
            format_integers(&self.tensor.view())
        } else {
            format_tensor(&self.tensor.view(), digits)
        }
    }
}

impl Interp {
    pub fn new(seed: u64, out: Box<dyn Write>) -> Self {
        Interp {
            tape: Tape::new(),
            scopes: Scopes::default(),
            params: Vec::new(),
            rng: Rng::new(seed),
            out,
            nested: 0,
            calls: 0,
            loops: 0,
            loop_exit: None,
            in_expr: 0,
            param_updates: 0,
            read_late: Default::default(),
            files: files::Files::default(),
            losses: Vec::new(),
            fit: None,
            record: None,
            observer: None,
            interrupt: None,
            warnings: Vec::new(),
            bad_data: bad_data::BadData::default(),
        }
    }

    /// The warnings raised since the last call, in order.
    pub fn take_warnings(&mut self) -> Vec<crate::diagnostic::Diagnostic> {
        std::mem::take(&mut self.warnings)
    }

    pub(crate) fn warn(&mut self, warning: crate::diagnostic::Diagnostic) {
        self.warnings.push(warning);
    }

    /// Keeps every print and minimize as values, for `take_record`.
    pub fn enable_record(&mut self) {
        self.record = Some(record::Record::default());
    }

    pub fn take_record(&mut self) -> Option<record::Record> {
        self.record.take()
    }

    /// Watches every later `minimize` (e.g. a progress bar).
    pub fn set_observer(&mut self, observer: Box<dyn record::Observer>) {
        self.observer = Some(observer);
    }

    /// A flag that, once set, stops a running `minimize` after its current
    /// step (the params keep their values); it is cleared when seen.
    pub fn set_interrupt(&mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// Where relative file paths in the script are looked up.
    pub fn set_base_dir(&mut self, dir: std::path::PathBuf) {
        self.files = files::Files::Disk(dir);
    }

    /// The only files the script can read, by name: no file system is
    /// touched (the browser playground's dropped files).
    pub fn set_files(&mut self, table: std::collections::BTreeMap<String, Vec<u8>>) {
        self.files = files::Files::Memory(table);
    }

    /// Runs one top-level statement; an expression statement's value is
    /// returned. The tape is cleared afterwards, success or not.
    pub fn run_top(&mut self, stmt: &StmtS) -> Result<StmtValue, EvalError> {
        let result = self.exec(stmt).map(|v| {
            v.map(|id| Shown {
                tensor: self.tape.value(id).clone(),
                integer: self.tape.node(id).integer,
            })
        });
        self.tape.clear();
        self.bad_data.end_statement();
        if result.is_err() {
            self.scopes.reset_locals();
            self.nested = 0;
            self.calls = 0;
            self.loops = 0;
            self.loop_exit = None;
            self.in_expr = 0;
        }
        self.out.flush().ok();
        result
    }

    pub fn params(&self) -> &[Param] {
        &self.params
    }

    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// Runs a statement; returns the node of an expression statement.
    fn exec(&mut self, stmt: &StmtS) -> Result<Option<NodeId>, EvalError> {
        let span = stmt.span;
        match &stmt.node {
            Stmt::Let { name, value } => {
                let binding = self.bind_value(value, Some(&name.node))?;
                if self.at_top() {
                    self.check_bound_data(&name.node, span, &binding);
                }
                self.scopes.define(&name.node, binding);
            }
            Stmt::Param { name, init, bounds } => {
                self.declare_param(&name.node, init, bounds.as_ref(), span)?
            }
            Stmt::Loss {
                name,
                value,
                residual,
            } => self.define_loss(name.as_ref(), value, *residual)?,
            Stmt::Assign {
                name,
                index,
                op,
                value,
            } => {
                self.assign(name, index, *op, value)?;
                if self.at_top() {
                    if let Some(binding) = self.scopes.lookup(&name.node).cloned() {
                        self.check_bound_data(&name.node, span, &binding);
                    }
                }
            }
            Stmt::Minimize {
                maximize,
                loss,
                optimizer,
                opts,
            } => self.minimize(*maximize, loss.as_ref(), optimizer, opts, span)?,
            Stmt::Print { args, opts } => self.print(args, opts)?,
            Stmt::Fn { name, params, body } => {
                let def = FnDef {
                    name: name.node.clone(),
                    params: params.clone(),
                    body: body.clone(),
                    span,
                };
                self.scopes.define(&name.node, Binding::Fn(Rc::new(def)));
            }
            Stmt::For { var, range, body } => self.exec_for(var, range, body)?,
            Stmt::While { cond, body } => self.exec_while(cond, body)?,
            Stmt::Break => self.exit_loop(loops::LoopExit::Break, span)?,
            Stmt::Continue => self.exit_loop(loops::LoopExit::Continue, span)?,
            Stmt::Save(path) => self.save_params(path)?,
            Stmt::Load(path) => self.load_params(path)?,
            Stmt::Seed(e) => {
                let seed = self.eval_count(e, "a seed", crate::optim::MAX_COUNT)?;
                self.rng = Rng::new(seed);
            }
            Stmt::Assert { cond, message } => {
                let id = self.eval(cond)?;
                if !self.tape.decide(id).iter().all(|v| v != 0.0) {
                    let message = match message {
                        Some(m) => Some(self.eval_text(m)?),
                        None => None,
                    };
                    return Err(EvalError::AssertionFailed {
                        span: cond.span,
                        message,
                    });
                }
            }
            Stmt::Expr(e) => return self.eval_statement(e),
        }
        Ok(None)
    }

    /// True for a statement at the top level (not in a block, a function
    /// or a formula): one that runs once.
    fn at_top(&self) -> bool {
        self.nested == 0 && self.scopes.at_global_scope()
    }

    /// Evaluates `value` for a `let` or assignment of `own`: data when it
    /// does not depend on a param, otherwise a formula (at the top level)
    /// or a tape value.
    fn bind_value(&mut self, value: &ExprS, own: Option<&str>) -> Result<Binding, EvalError> {
        let id = self.eval(value)?;
        Ok(if !self.tape.requires_grad(id) {
            Binding::Data(Rc::new(self.tape.value(id).clone()))
        } else if self.nested > 0 {
            Binding::Node(id)
        } else {
            Binding::Formula(Rc::new(self.formula(value, id, own)?))
        })
    }

    /// `loss = value` or `loss NAME = value`: always a formula, even inside
    /// a function, since `minimize` evaluates it again at every step.
    /// `loss NAME = value`, or with `residual`, `residual NAME = value`:
    /// the loss is then the sum of the squares of `value`'s entries.
    fn define_loss(
        &mut self,
        name: Option<&Ident>,
        value: &ExprS,
        residual: bool,
    ) -> Result<(), EvalError> {
        let name = name.map_or("loss", |n| n.node.as_str()).to_string();
        let id = self.eval(value)?;
        let shape = self.tape.shape(id).to_vec();
        if !shape.is_empty() && !residual {
            return Err(EvalError::LossNotScalar {
                span: value.span,
                shape,
            });
        }
        let mut formula = self.formula(value, id, Some(&name))?;
        if residual {
            formula.residual = Some(std::cell::Cell::new(None));
            // The cached node is the residual's, not the loss's.
            formula.cache.set(None);
        }
        let binding = Binding::Formula(Rc::new(formula));
        self.scopes.define(&name, binding);
        if !self.losses.contains(&name) {
            self.losses.push(name);
        }
        Ok(())
    }

    /// A formula of `value`, just evaluated to `id`. Names are looked up
    /// when it is evaluated, except the block's locals (gone by then) and
    /// `own`, the name being defined (`acc = acc + x` means the old `acc`):
    /// those keep the meaning they have now.
    fn formula(
        &mut self,
        value: &ExprS,
        id: NodeId,
        own: Option<&str>,
    ) -> Result<Formula, EvalError> {
        let mut captured = Vec::new();
        for name in expr::names_in(value) {
            let local = matches!(self.scopes.find(&name), Some(env::Slot::Local { .. }));
            if !local && own != Some(name.as_str()) {
                self.read_late.insert(name);
                continue;
            }
            let Some(binding) = self.scopes.lookup(&name).cloned() else {
                continue;
            };
            // A function's locals live on this evaluation's tape: keep
            // their values, which must not depend on a param.
            let binding = match binding {
                Binding::Node(n) if self.tape.requires_grad(n) => {
                    return Err(EvalError::Misplaced {
                        span: value.span,
                        message: format!(
                            "this formula reads `{name}`, a local value computed from params, which cannot be computed again at each step"
                        ),
                        help: Some(format!(
                            "write the expression of `{name}` into the formula, or pass the params themselves"
                        )),
                    })
                }
                Binding::Node(n) => Binding::Data(Rc::new(self.tape.value(n).clone())),
                other => other,
            };
            captured.push((name, binding));
        }
        Ok(Formula {
            expr: value.clone(),
            captured,
            cache: std::cell::Cell::new(Some((self.tape.epoch(), id))),
            busy: std::cell::Cell::new(false),
            residual: None,
        })
    }

    fn declare_param(
        &mut self,
        name: &str,
        init: &ExprS,
        bounds: Option<&(ExprS, ExprS)>,
        span: Span,
    ) -> Result<(), EvalError> {
        if self.nested > 0 {
            return Err(EvalError::param_not_top_level(span));
        }
        let id = self.eval(init)?;
        let value = self.tape.value(id).clone();
        let bounds = match bounds {
            None => None,
            Some((lo, hi)) => {
                let (l, h) = (self.eval(lo)?, self.eval(hi)?);
                let (l, h) = (self.tape.value(l).clone(), self.tape.value(h).clone());
                let bounds_span = lo.span.to(hi.span);
                let inside = value
                    .zip(&l, |v, l| if v >= l { 1.0 } else { 0.0 })
                    .and_then(|a| {
                        a.zip(
                            &value.zip(&h, |v, h| if v <= h { 1.0 } else { 0.0 })?,
                            |a, b| a * b,
                        )
                    })
                    .map_err(|m| EvalError::ShapeMismatch {
                        op: "param bounds".into(),
                        span: bounds_span,
                        lhs: (init.span, m.lhs),
                        rhs: (bounds_span, m.rhs),
                        help: "give scalar bounds or bounds of the param's shape".into(),
                    })?;
                let fits = |t: &Tensor| t.broadcast_to(value.shape()).is_ok();
                if !fits(&l) || !fits(&h) {
                    let bad = if fits(&l) {
                        (hi.span, h.shape().to_vec())
                    } else {
                        (lo.span, l.shape().to_vec())
                    };
                    return Err(EvalError::ShapeMismatch {
                        op: "param bounds".into(),
                        span: bounds_span,
                        lhs: (init.span, value.shape().to_vec()),
                        rhs: bad,
                        help: "each bound must be a scalar or broadcast to the param's shape"
                            .into(),
                    });
                }
                if l.zip(&h, |a, b| if a <= b { 0.0 } else { 1.0 })
                    .map_or(true, |t| t.iter().any(|v| v != 0.0))
                {
                    return Err(EvalError::BadArgument {
                        span: bounds_span,
                        message: "the lower bound is above the upper bound (or not a number)"
                            .into(),
                        help: Some("write the bounds as `in [lo, hi]` with lo <= hi".into()),
                    });
                }
                if inside.iter().any(|v| v == 0.0) {
                    return Err(EvalError::ParamOutOfBounds {
                        span: init.span,
                        bounds: bounds_span,
                        name: name.into(),
                    });
                }
                Some((l, h))
            }
        };
        let param = Param {
            name: name.into(),
            value,
            bounds,
            span,
            leaf: std::cell::Cell::new(None),
        };
        // Re-declaring at the top level replaces the param in place, so
        // formulas that use it see the new one; in a block it is a new
        // param, local to the block (lint W0004 warns when it hides one).
        let global = self.scopes.at_global_scope();
        if let (true, Some(Binding::Param(i))) = (global, self.scopes.lookup(name)) {
            let i = *i;
            self.params[i] = param;
            self.tape.new_epoch();
        } else {
            self.params.push(param);
            self.scopes
                .define(name, Binding::Param(self.params.len() - 1));
        }
        Ok(())
    }

    /// Runs a block's statements and value in the current frame.
    fn exec_block_stmts(&mut self, block: &Block) -> Result<Option<NodeId>, EvalError> {
        for stmt in &block.stmts {
            self.exec(stmt)?;
            if self.loop_exit.is_some() {
                return Ok(None);
            }
        }
        match &block.value {
            // A call for its effects may end a block; if the block's value
            // is needed, its absence is reported there.
            Some(e) => self.eval_statement(e),
            None => Ok(None),
        }
    }

    fn print(&mut self, args: &[ExprS], opts: &[Opt]) -> Result<(), EvalError> {
        let mut digits = 4;
        for opt in opts {
            match opt.name.node.as_str() {
                "digits" => {
                    let n = self.eval_count(&opt.value, "`digits`", crate::optim::MAX_COUNT)?;
                    digits = n.min(17) as usize;
                }
                other => {
                    return Err(self.unknown_option(other, opt.name.span, "print", &["digits"]))
                }
            }
        }
        let mut parts = Vec::with_capacity(args.len());
        let mut items = Vec::with_capacity(args.len());
        for a in args {
            if let crate::syntax::ast::Expr::Str(s) = &a.node {
                parts.push(s.clone());
                items.push(record::PrintItem::Text(s.clone()));
                continue;
            }
            // A print inside a function the loss calls must run each step.
            if self.nested > 0 {
                self.tape.forbid_replay();
            }
            let id = self.eval(a)?;
            parts.push(self.format_value(id, digits));
            items.push(record::PrintItem::Value(self.tape.value(id).clone()));
        }
        if let Some(r) = &mut self.record {
            r.prints.push(items);
        }
        self.emit(&parts.join(" "));
        Ok(())
    }

    /// Stops a loop or call when Ctrl-C set the interrupt flag (clearing it).
    pub(crate) fn check_interrupt(&self, span: Span) -> Result<(), EvalError> {
        match &self.interrupt {
            Some(flag) if flag.swap(false, std::sync::atomic::Ordering::SeqCst) => {
                Err(EvalError::Interrupted { span })
            }
            _ => Ok(()),
        }
    }

    /// Pushes program output out now (progress lines during a long run).
    pub(crate) fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// Writes one line of program output.
    pub(crate) fn emit(&mut self, line: &str) {
        // A closed stdout (e.g. `| head`) is not the script's error.
        let _ = writeln!(self.out, "{line}");
    }

    fn eval_text(&mut self, e: &ExprS) -> Result<String, EvalError> {
        match &e.node {
            crate::syntax::ast::Expr::Str(s) => Ok(s.clone()),
            _ => {
                let id = self.eval(e)?;
                Ok(self.format_value(id, 4))
            }
        }
    }

    /// A value as `print` writes it: indices and dimensions as integers.
    fn format_value(&self, id: crate::autodiff::NodeId, digits: usize) -> String {
        let node = self.tape.node(id);
        Shown {
            tensor: node.value.clone(),
            integer: node.integer,
        }
        .text(digits)
    }

    pub(crate) fn unknown_option(
        &self,
        name: &str,
        span: Span,
        context: &str,
        valid: &[&str],
    ) -> EvalError {
        EvalError::UnknownOption {
            name: name.into(),
            span,
            context: context.into(),
            valid: valid.iter().map(|s| s.to_string()).collect(),
            suggestion: crate::diagnostic::did_you_mean(name, valid.iter().copied())
                .map(String::from),
        }
    }
}
