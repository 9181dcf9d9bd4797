//! `gradlang export --jax`: a script as one standalone Python program on
//! JAX, for running it on GPUs, TPUs or many hosts (docs/export.md).
//!
//! The exporter runs the script in gradlang, one top-level statement at a
//! time, and writes the Python for each from its syntax and from what the
//! run produced: data (CSV files, random draws, anything computed without
//! a param) is taken from gradlang and stored in an .npz beside the
//! program, so both start from the same numbers; params' initial values
//! likewise; formulas, losses and functions become Python functions of the
//! params; `print`, `assert` and `minimize` become calls into a small
//! runtime (the `runtime*.py` files here, pasted into the program).

mod deps;
mod jax_names;
mod minimize;
mod npz;
mod training;
mod translate;

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Binding, Interp};
use crate::rng::Rng;
use crate::syntax::ast::{Expr, ExprS, FnBody, Ident, IndexItem, Opt, Program, Stmt, StmtS};
use crate::tensor::Tensor;
use deps::{FnInfo, Scope};
use translate::{py_num, py_str, refuse, Kind, Translator, INTEGER_BUILTINS};

/// The pinned versions the generated programs are tested with; the same as
/// export/requirements.txt (tests/jax_export.rs installs that file).
pub const REQUIREMENTS: &str = include_str!("../../export/requirements.txt");

const RUNTIME: [&str; 7] = [
    include_str!("runtime.py"),
    include_str!("runtime_ops.py"),
    include_str!("runtime_optim.py"),
    include_str!("runtime_second.py"),
    include_str!("runtime_lbfgs.py"),
    include_str!("runtime_lm.py"),
    include_str!("runtime_fit.py"),
];

/// The exported program and its data.
pub struct Export {
    pub python: String,
    pub npz: Vec<u8>,
}

/// One line of the program body; data loads wait for the decision which
/// arrays share the row axis that is sharded.
enum Line {
    Code(String),
    Load {
        target: String,
        key: String,
        lead: Option<usize>,
    },
}

struct Exporter {
    scope: Scope,
    lines: Vec<Line>,
    arrays: Vec<(String, Tensor)>,
    /// The random stream before the running `minimize`, whose batch orders
    /// are replayed from it.
    rng_before: Option<Rng>,
    /// The losses declared with `residual`: `r_NAME(P, D)` gives their
    /// residuals, for lm and the fit statistics.
    residuals: HashSet<String>,
}

/// Runs `program` in `interp` and writes it as a JAX program whose data
/// file is called `npz_name` (beside the program). `script` names the
/// source in the header.
pub fn export_jax(
    interp: &mut Interp,
    program: &Program,
    script: &str,
    npz_name: &str,
) -> Result<Export, Diagnostic> {
    let mut ex = Exporter {
        scope: Scope::default(),
        lines: Vec::new(),
        arrays: Vec::new(),
        rng_before: None,
        residuals: HashSet::new(),
    };
    // The record gives each `minimize`'s options as gradlang evaluated them.
    interp.enable_record();
    for stmt in &program.stmts {
        ex.statement(interp, stmt)?;
    }
    let npz = npz::npz(&ex.arrays).ok_or_else(|| {
        let span = program.stmts.first().map_or_else(Default::default, |s| s.span);
        refuse(
            Code::E0251,
            span,
            "the script's data is too large to export",
            "its data takes more than 4 GiB",
            "the .npz writer has no zip64; export a smaller sample and load the full data in Python",
        )
    })?;
    Ok(Export {
        python: ex.render(script, npz_name),
        npz,
    })
}

impl Exporter {
    fn code(&mut self, line: String) {
        self.lines.push(Line::Code(line));
    }

    /// Stores `t` in the .npz under a fresh key.
    fn store(&mut self, prefix: &str, t: &Tensor) -> String {
        let key = format!("{prefix}{}", self.arrays.len());
        self.arrays.push((key.clone(), t.clone()));
        key
    }

    fn translator(&self) -> Translator<'_> {
        Translator::new(&self.scope.kinds)
    }

    fn reads_params(&self, e: &ExprS) -> bool {
        !self.scope.params_of(e).is_empty()
    }

    fn statement(&mut self, interp: &mut Interp, stmt: &StmtS) -> Result<(), Diagnostic> {
        // What can be translated before running is, so that a refusal is
        // reported before gradlang spends time on the statement.
        let pre = self.before(stmt)?;
        if let Stmt::Minimize { .. } = stmt.node {
            self.rng_before = Some(interp.rng.clone());
        }
        interp.run_top(stmt).map_err(|e| e.to_diagnostic())?;
        self.after(interp, stmt, pre)
    }

    /// Translations that need the names as they were before `stmt`.
    fn before(&mut self, stmt: &StmtS) -> Result<Option<String>, Diagnostic> {
        let value = match &stmt.node {
            Stmt::Let { value, .. } | Stmt::Assign { value, .. } if self.reads_params(value) => {
                value
            }
            Stmt::Param { init, .. } if self.reads_params(init) => init,
            Stmt::For { .. } | Stmt::While { .. } | Stmt::Break | Stmt::Continue => {
                return Err(refuse(
                    Code::E0251,
                    stmt.span,
                    "a loop at the top level cannot be exported to JAX yet",
                    "not exported",
                    "the exporter writes straight-line programs: unroll the loop, or export the script without it",
                ))
            }
            _ => return Ok(None),
        };
        self.translator().expr(value).map(Some)
    }

    fn after(
        &mut self,
        interp: &Interp,
        stmt: &StmtS,
        pre: Option<String>,
    ) -> Result<(), Diagnostic> {
        match &stmt.node {
            Stmt::Let { name, value } => self.bound(interp, name, value, pre),
            Stmt::Assign {
                name,
                index,
                op,
                value,
            } => {
                if self.scope.kinds.get(&name.node) == Some(&Kind::Param) {
                    return self.set_param(name, index, op.map(|o| o.0), value);
                }
                if !index.is_empty() && pre.is_some() {
                    return Err(refuse(
                        Code::E0251,
                        stmt.span,
                        "an indexed assignment of a value computed from params cannot be exported to JAX yet",
                        "not exported",
                        "compute the whole value and assign it without an index",
                    ));
                }
                // `x += e`: gradlang has computed the new value already.
                let pre = if op.is_some() && pre.is_some() {
                    let old = self
                        .translator()
                        .expr(&ExprS::new(Expr::Name(name.node.clone()), name.span))?;
                    pre.map(|v| format!("({old} {} {v})", op.map_or("+", |o| o.0.symbol())))
                } else {
                    pre
                };
                self.bound(interp, name, value, pre)
            }
            Stmt::Param { name, .. } => self.param(interp, name, pre),
            Stmt::Loss {
                name,
                value,
                residual,
            } => {
                let name = name.as_ref().map_or("loss", |n| n.node.as_str());
                if *residual {
                    return self.residual(name, value);
                }
                self.formula(name, value)
            }
            Stmt::Save(path) => {
                let path = self.translator().expr(path)?;
                self.code(format!("_save({path}, P)"));
                Ok(())
            }
            Stmt::Load(_) => {
                // The values gradlang loaded, as data (`load` sets every
                // param declared so far).
                let params = interp.params();
                for (i, p) in params.iter().enumerate() {
                    if params[i + 1..].iter().any(|q| q.name == p.name) {
                        continue;
                    }
                    let key = self.store("p", &p.value);
                    self.code(format!(
                        "P[{}] = jnp.asarray(_NPZ[{}])",
                        py_str(&p.name),
                        py_str(&key)
                    ));
                }
                Ok(())
            }
            Stmt::Fn { name, params, body } => self.function(name, params, body),
            Stmt::Minimize {
                maximize,
                loss,
                optimizer,
                opts,
            } => self.minimize(interp, stmt.span, *maximize, loss.as_ref(), optimizer, opts),
            Stmt::Print { args, opts } => self.print(args, opts),
            Stmt::Assert { cond, message } => {
                let c = self.translator().expr(cond)?;
                let m = match message {
                    Some(m) => match &m.node {
                        Expr::Str(s) => py_str(s),
                        _ => format!("_format({})", self.translator().expr(m)?),
                    },
                    None => "None".into(),
                };
                self.code(format!(
                    "_assert({c}, {m}, {})",
                    py_str(&format!("bytes {}..{}", cond.span.start, cond.span.end))
                ));
                Ok(())
            }
            Stmt::Seed(_) => Ok(()),
            Stmt::Expr(e) => {
                let v = self.translator().expr(e)?;
                self.code(format!("_ = {v}"));
                Ok(())
            }
            Stmt::For { .. } | Stmt::While { .. } | Stmt::Break | Stmt::Continue => Ok(()),
        }
    }

    /// A `let` or assignment of `name` after gradlang ran it: data as its
    /// value (or its translation `pre`, when computed from params), a
    /// formula as a function.
    fn bound(
        &mut self,
        interp: &Interp,
        name: &Ident,
        value: &ExprS,
        pre: Option<String>,
    ) -> Result<(), Diagnostic> {
        match interp.scopes().globals.get(&name.node) {
            Some(Binding::Data(t)) => {
                let kind = if t.shape().is_empty() {
                    Kind::Scalar
                } else {
                    Kind::Data
                };
                let target = match kind {
                    Kind::Scalar => format!("S[{}]", py_str(&name.node)),
                    _ => format!("D[{}]", py_str(&name.node)),
                };
                match pre {
                    Some(v) if kind == Kind::Scalar => self.code(format!("{target} = float({v})")),
                    Some(v) => self.code(format!("{target} = jnp.asarray({v})")),
                    None if kind == Kind::Scalar => {
                        let v = t.as_scalar().unwrap_or(f64::NAN);
                        self.code(format!("{target} = {}", py_num(v)));
                    }
                    None => {
                        let key = self.store("d", t);
                        let lead = t.shape().first().copied();
                        self.lines.push(Line::Load { target, key, lead });
                    }
                }
                self.scope.kinds.insert(name.node.clone(), kind);
                Ok(())
            }
            Some(Binding::Formula(_)) => self.formula(&name.node, value),
            _ => Ok(()),
        }
    }

    fn formula(&mut self, name: &str, value: &ExprS) -> Result<(), Diagnostic> {
        let v = self.translator().expr(value)?;
        self.code(format!("def f_{name}(P, D):\n    return {v}\n"));
        self.residuals.remove(name);
        self.scope.kinds.insert(name.to_string(), Kind::Formula);
        self.scope.formulas.insert(name.to_string(), value.clone());
        Ok(())
    }

    /// `residual NAME = e`: the residuals as `r_NAME`, the loss as the sum
    /// of their squares.
    fn residual(&mut self, name: &str, value: &ExprS) -> Result<(), Diagnostic> {
        let v = self.translator().expr(value)?;
        self.code(format!(
            "def r_{name}(P, D):\n    return {v}\n\n\n\
             def f_{name}(P, D):\n    return jnp.sum(jnp.square(r_{name}(P, D)))\n"
        ));
        self.scope.kinds.insert(name.to_string(), Kind::Formula);
        self.scope.formulas.insert(name.to_string(), value.clone());
        self.residuals.insert(name.to_string());
        Ok(())
    }

    fn function(
        &mut self,
        name: &Ident,
        params: &[Ident],
        body: &std::rc::Rc<FnBody>,
    ) -> Result<(), Diagnostic> {
        let names: Vec<String> = params.iter().map(|p| p.node.clone()).collect();
        self.scope.kinds.insert(name.node.clone(), Kind::Fn);
        self.scope.fns.insert(
            name.node.clone(),
            FnInfo {
                params: names.clone(),
                body: body.clone(),
            },
        );
        let mut tr = Translator::with_locals(&self.scope.kinds, names.clone());
        let lines = match &**body {
            FnBody::Expr(e) => vec![format!("    return {}", tr.expr(e)?)],
            FnBody::Block(b) => tr.body(b)?,
        };
        let args: String = names.iter().map(|n| format!(", l_{n}")).collect();
        self.code(format!(
            "def fn_{}(P, D{args}):\n{}\n",
            name.node,
            lines.join("\n")
        ));
        Ok(())
    }

    fn param(
        &mut self,
        interp: &Interp,
        name: &Ident,
        pre: Option<String>,
    ) -> Result<(), Diagnostic> {
        let Some(p) = interp.params().iter().rev().find(|p| p.name == name.node) else {
            return Ok(());
        };
        let n = py_str(&name.node);
        let v = match pre {
            Some(v) => format!("jnp.asarray({v}, dtype=jnp.float64)"),
            None => format!("jnp.asarray(_NPZ[{}])", py_str(&self.store("p", &p.value))),
        };
        self.code(format!("P[{n}] = {v}"));
        match &p.bounds {
            Some((lo, hi)) => {
                let (lo, hi) = (self.store("lo", lo), self.store("hi", hi));
                self.code(format!(
                    "B[{n}] = (np.asarray(_NPZ[{}]), np.asarray(_NPZ[{}]))",
                    py_str(&lo),
                    py_str(&hi)
                ));
            }
            None => self.code(format!("B.pop({n}, None)")),
        }
        if !self.scope.params.contains(&name.node) {
            self.scope.params.push(name.node.clone());
        }
        self.scope.kinds.insert(name.node.clone(), Kind::Param);
        Ok(())
    }

    /// `p = e`, `p -= e`: a param set as data, from the params' current
    /// values (a hand-written training loop's step).
    fn set_param(
        &mut self,
        name: &Ident,
        index: &[IndexItem],
        op: Option<crate::syntax::ast::BinOp>,
        value: &ExprS,
    ) -> Result<(), Diagnostic> {
        if !index.is_empty() {
            return Err(refuse(
                Code::E0251,
                name.span,
                "setting some entries of a param cannot be exported to JAX yet",
                "an indexed assignment to a param",
                "assign the whole param: `p = where(mask, new, p)`",
            ));
        }
        let v = self.translator().expr(value)?;
        let n = py_str(&name.node);
        let new = match op {
            Some(op) => format!("P[{n}] {} {v}", op.symbol()),
            None => v,
        };
        self.code(format!(
            "P = _with(P, {n}, jnp.broadcast_to(jnp.asarray({new}, dtype=jnp.float64), jnp.shape(P[{n}])))"
        ));
        Ok(())
    }

    fn print(&mut self, args: &[ExprS], opts: &[Opt]) -> Result<(), Diagnostic> {
        let mut items = Vec::new();
        for a in args {
            items.push(match &a.node {
                Expr::Str(s) => py_str(s),
                _ => {
                    let integer = matches!(&a.node, Expr::Call { callee, .. } if INTEGER_BUILTINS.contains(&callee.node.as_str()));
                    let v = self.translator().expr(a)?;
                    format!("({v}, {})", if integer { "True" } else { "False" })
                }
            });
        }
        let mut digits = "4".to_string();
        for o in opts {
            digits = format!("min(int({}), 17)", self.translator().expr(&o.value)?);
        }
        self.code(format!("_print([{}], {digits})", items.join(", ")));
        Ok(())
    }

    /// The leading dimension that the most data arrays share (at least two
    /// of them, at least two rows): those arrays are sharded by rows.
    fn row_axis(&self) -> Option<usize> {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for l in &self.lines {
            if let Line::Load { lead: Some(d), .. } = l {
                *counts.entry(*d).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .filter(|&(d, c)| d >= 2 && c >= 2)
            .max_by_key(|&(d, c)| (c, d))
            .map(|(d, _)| d)
    }

    fn render(&self, script: &str, npz_name: &str) -> String {
        let rows = self.row_axis();
        let pins: Vec<&str> = REQUIREMENTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        let mut out = format!(
            "#!/usr/bin/env python3\n\
             # {script}, exported by `gradlang export --jax` (gradlang {}).\n\
             # Tested with Python 3.11 and {} (export/requirements.txt).\n\
             # Its data (CSV files, random draws) is in {npz_name}, beside this file.\n\
             # One CPU, several GPUs or a multi-host job run it unchanged: see gradlang's docs/scaling-out.md.\n\
             # Usage: python3 THIS.py [--safetensors PARAMS.safetensors]\n\n",
            env!("CARGO_PKG_VERSION"),
            pins.join(", ")
        );
        for part in RUNTIME {
            out.push_str(part);
            out.push('\n');
        }
        out.push_str(
            "# ---- the script --------------------------------------------------------------\n\n",
        );
        out.push_str(&format!(
            "_NPZ = np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), {}))\n",
            py_str(npz_name)
        ));
        out.push_str("P, D, S, B = {}, {}, {}, {}\n\n");
        for l in &self.lines {
            match l {
                Line::Code(c) => out.push_str(c),
                Line::Load { target, key, lead } => {
                    let sharded = if lead.is_some() && *lead == rows {
                        "True"
                    } else {
                        "False"
                    };
                    out.push_str(&format!(
                        "{target} = _load(_NPZ, {}, {sharded})",
                        py_str(key)
                    ));
                }
            }
            out.push('\n');
        }
        out.push_str("\n_finish(P, D)\n");
        out
    }
}
