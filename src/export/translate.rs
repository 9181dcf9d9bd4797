//! gradlang expressions as Python expressions over JAX.
//!
//! A translated expression reads params from a dict (`P`, or a fresh name
//! inside `grad(...)`'s lambda), array data from `D` (an argument of every
//! jitted function, so sharded arrays stay arguments and are not baked into
//! the compiled program as constants), whole-number data from `S` (Python
//! floats, known when tracing, so they can size arrays and pick branches),
//! formulas as `f_NAME(P, D)` and functions as `fn_NAME(P, D, ...)`.
//! What has no faithful translation is refused with a diagnostic on it.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{BinOp, Block, Else, Expr, ExprS, IndexItem, Opt, Stmt, UnOp};
use crate::syntax::span::Span;

use super::jax_names::{ELEMENTWISE, PLAIN, REDUCTIONS};

/// What a top-level name means when the exporter reaches a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Data of rank 0: a Python float in `S`.
    Scalar,
    /// Data of rank 1 or more: an array in `D`.
    Data,
    Param,
    /// A formula or a loss: `f_NAME(P, D)`.
    Formula,
    Fn,
}

/// Builtins whose value prints as integers (gradlang's index tensors).
pub const INTEGER_BUILTINS: &[&str] = &["argmax", "argmin", "shape"];

/// Builtins that draw random numbers or read files: their values exist only
/// as data computed by gradlang.
const DATA_ONLY: &[&str] = &[
    "rand",
    "randn",
    "randint",
    "permutation",
    "choice",
    "bernoulli",
    "csv",
];

/// Translates expressions in one context (top level, a formula, a function).
pub struct Translator<'a> {
    pub kinds: &'a HashMap<String, Kind>,
    /// The function's own names (its parameters and `let`s).
    locals: Vec<String>,
    /// The Python name of the params dict in scope.
    pvar: String,
    /// Lambdas of `grad(...)` nested around the expression.
    depth: usize,
}

/// A refusal: the construct cannot be exported, and why.
pub fn refuse(code: Code, span: Span, title: &str, label: &str, help: &str) -> Diagnostic {
    Diagnostic::error(code, title, span, label).with_help(help)
}

fn unsupported(span: Span, what: &str, help: &str) -> Diagnostic {
    refuse(
        Code::E0251,
        span,
        &format!("{what} cannot be exported to JAX"),
        "no JAX translation for this",
        help,
    )
}

/// A Python string literal of `s`.
pub fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python float literal.
pub fn py_num(v: f64) -> String {
    if v.is_nan() {
        "float(\"nan\")".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "float(\"inf\")"
        } else {
            "float(\"-inf\")"
        }
        .into()
    } else {
        format!("{v:?}")
    }
}

impl<'a> Translator<'a> {
    pub fn new(kinds: &'a HashMap<String, Kind>) -> Self {
        Translator {
            kinds,
            locals: Vec::new(),
            pvar: "P".into(),
            depth: 0,
        }
    }

    /// A translator for a function body with these parameters.
    pub fn with_locals(kinds: &'a HashMap<String, Kind>, locals: Vec<String>) -> Self {
        Translator {
            locals,
            ..Translator::new(kinds)
        }
    }

    /// The Python statements of a function body `block` (indented once),
    /// ending in `return`.
    pub fn body(&mut self, block: &Block) -> Result<Vec<String>, Diagnostic> {
        let mut lines = Vec::new();
        for stmt in &block.stmts {
            match &stmt.node {
                Stmt::Let { name, value } => {
                    let v = self.expr(value)?;
                    self.locals.push(name.node.clone());
                    lines.push(format!("    l_{} = {v}", name.node));
                }
                Stmt::Expr(e) => lines.push(format!("    {}", self.expr(e)?)),
                _ => {
                    return Err(unsupported(
                        stmt.span,
                        "this statement in a function",
                        "an exported function may hold only `let`s and expressions; move the rest to the top level",
                    ))
                }
            }
        }
        match &block.value {
            Some(v) => lines.push(format!("    return {}", self.expr(v)?)),
            None => lines.push("    return None".into()),
        }
        Ok(lines)
    }

    pub fn expr(&mut self, e: &ExprS) -> Result<String, Diagnostic> {
        Ok(match &e.node {
            Expr::Number(v) => py_num(*v),
            Expr::Bool(b) => if *b { "1.0" } else { "0.0" }.into(),
            Expr::Str(s) => py_str(s),
            Expr::Name(n) => self.name(n, e.span)?,
            Expr::Tensor(items) => {
                let parts = items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("_t([{}])", parts.join(", "))
            }
            Expr::Binary { op, lhs, rhs, .. } => self.binary(*op, lhs, rhs)?,
            Expr::Unary { op, operand } => {
                let v = self.expr(operand)?;
                match op {
                    UnOp::Neg => format!("(-{v})"),
                    UnOp::Not => format!("jnp.where({v} == 0, 1.0, 0.0)"),
                }
            }
            Expr::Call { callee, args, opts } => {
                self.call(&callee.node, callee.span, args, opts)?
            }
            Expr::Index { target, items } => {
                let t = self.expr(target)?;
                let parts = items
                    .iter()
                    .map(|i| self.index_item(i))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("{t}[{}]", parts.join(", "))
            }
            Expr::Transpose(x) => format!("jnp.transpose({})", self.expr(x)?),
            Expr::If {
                cond,
                then,
                otherwise,
            } => self.branch(cond, then, otherwise.as_deref(), e.span)?,
            Expr::Block(b) => self.block_value(b)?,
            Expr::Range { .. } => {
                return Err(unsupported(
                    e.span,
                    "a range outside `for`",
                    "ranges appear only in `for`",
                ))
            }
        })
    }

    fn name(&self, n: &str, span: Span) -> Result<String, Diagnostic> {
        if self.locals.iter().any(|l| l == n) {
            return Ok(format!("l_{n}"));
        }
        Ok(match self.kinds.get(n) {
            Some(Kind::Scalar) => format!("S[{}]", py_str(n)),
            Some(Kind::Data) => format!("D[{}]", py_str(n)),
            Some(Kind::Param) => format!("{}[{}]", self.pvar, py_str(n)),
            Some(Kind::Formula) => format!("f_{n}({}, D)", self.pvar),
            Some(Kind::Fn) | None => {
                return Err(unsupported(
                    span,
                    "this name",
                    "only data, params, formulas and a function's own names are exported",
                ))
            }
        })
    }

    fn binary(&mut self, op: BinOp, lhs: &ExprS, rhs: &ExprS) -> Result<String, Diagnostic> {
        let a = self.expr(lhs)?;
        // A whole-number literal exponent stays an integer: XLA's
        // integer_pow, exact as repeated multiplication.
        if let (BinOp::Pow, Expr::Number(v)) = (op, &rhs.node) {
            if v.fract() == 0.0 && v.abs() <= 64.0 {
                return Ok(format!("({a} ** {})", *v as i64));
            }
        }
        let b = self.expr(rhs)?;
        Ok(match op {
            BinOp::Add => format!("({a} + {b})"),
            BinOp::Sub => format!("({a} - {b})"),
            BinOp::Mul => format!("({a} * {b})"),
            BinOp::Div => format!("({a} / {b})"),
            BinOp::Rem => format!("jnp.remainder({a}, {b})"),
            BinOp::MatMul => format!("jnp.matmul({a}, {b})"),
            BinOp::Pow => format!("_pow({a}, {b})"),
            BinOp::And => format!("_and({a}, {b})"),
            BinOp::Or => format!("_or({a}, {b})"),
            cmp => format!("jnp.where({a} {} {b}, 1.0, 0.0)", cmp.symbol()),
        })
    }

    fn index_item(&mut self, item: &IndexItem) -> Result<String, Diagnostic> {
        Ok(match item {
            IndexItem::At(e) => format!("_ix({})", self.expr(e)?),
            IndexItem::Slice {
                start, end, step, ..
            } => {
                let mut part = |e: &Option<Box<ExprS>>| -> Result<String, Diagnostic> {
                    Ok(match e {
                        Some(e) => format!("_ix({})", self.expr(e)?),
                        None => String::new(),
                    })
                };
                let (a, b, s) = (part(start)?, part(end)?, part(step)?);
                if s.is_empty() {
                    format!("{a}:{b}")
                } else {
                    format!("{a}:{b}:{s}")
                }
            }
        })
    }

    /// `if` in an expression: only a condition known when tracing (whole
    /// numbers of data, literals) becomes a Python conditional.
    fn branch(
        &mut self,
        cond: &ExprS,
        then: &Block,
        otherwise: Option<&Else>,
        span: Span,
    ) -> Result<String, Diagnostic> {
        let mut names = Vec::new();
        crate::syntax::visit::walk_expr(cond, &mut Names(&mut names));
        let known = names.iter().all(|n| {
            !self.locals.contains(n) && matches!(self.kinds.get(n.as_str()), Some(Kind::Scalar))
        });
        if !known {
            return Err(refuse(
                Code::E0250,
                cond.span,
                "a branch on a value cannot be exported to JAX",
                "this condition depends on a tensor, a param or a function argument",
                "a compiled JAX loss takes one path for every value; write the choice as `where(cond, a, b)`, which keeps both",
            ));
        }
        let c = self.expr(cond)?;
        let a = self.block_value(then)?;
        let b = match otherwise {
            Some(Else::Block(b)) => self.block_value(b)?,
            Some(Else::If(e)) => self.expr(e)?,
            None => {
                return Err(unsupported(
                    span,
                    "an `if` without `else` used as a value",
                    "give the `if` an `else` branch",
                ))
            }
        };
        Ok(format!("({a} if _truth({c}) else {b})"))
    }

    fn block_value(&mut self, b: &Block) -> Result<String, Diagnostic> {
        match (&b.stmts[..], &b.value) {
            ([], Some(v)) => self.expr(v),
            _ => Err(unsupported(
                b.span,
                "a block with statements inside an expression",
                "write the block as a function (`fn NAME(...) { ... }`) and call it",
            )),
        }
    }

    fn args(&mut self, args: &[ExprS]) -> Result<Vec<String>, Diagnostic> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    /// `axis=` and the other options of a builtin, as Python keywords.
    fn options(&mut self, opts: &[Opt]) -> Result<Vec<String>, Diagnostic> {
        opts.iter()
            .map(|o| {
                let v = self.expr(&o.value)?;
                Ok(match o.name.node.as_str() {
                    "axis" | "k" | "correction" => format!("{}=_ix({v})", o.name.node),
                    name => format!("{name}=_truth({v})"),
                })
            })
            .collect()
    }

    fn call(
        &mut self,
        name: &str,
        span: Span,
        args: &[ExprS],
        opts: &[Opt],
    ) -> Result<String, Diagnostic> {
        if self.kinds.get(name) == Some(&Kind::Fn) && !self.locals.iter().any(|l| l == name) {
            let mut parts = vec![self.pvar.clone(), "D".into()];
            parts.extend(self.args(args)?);
            return Ok(format!("fn_{name}({})", parts.join(", ")));
        }
        if DATA_ONLY.contains(&name) {
            return Err(refuse(
                Code::E0252,
                span,
                "a random draw or file read cannot be exported where it is computed again",
                "evaluated again at every use",
                "draw the numbers once into data (`let noise = randn(n)`) and use the data here",
            ));
        }
        if let Some(c) = self.calculus(name, args)? {
            return Ok(c);
        }
        if matches!(name, "stderr" | "covariance") {
            return self.fit_query(name, span, args);
        }
        let lookup = |table: &[(&str, &'static str)]| {
            table.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
        };
        let mut parts = self.args(args)?;
        // A literal list of dimensions stays a tuple of Python ints, known
        // when tracing.
        if let (true, Some(Expr::Tensor(dims))) = (
            matches!(name, "reshape" | "tile"),
            args.get(1).map(|a| &a.node),
        ) {
            let dims = self.args(dims)?;
            parts[1] = format!("_dims([{}])", dims.join(", "));
        }
        // `max(x, y)` and `min(x, y)` are elementwise; with one argument
        // they reduce.
        if (name == "max" || name == "min") && parts.len() == 2 {
            return Ok(format!("jnp.{name}imum({})", parts.join(", ")));
        }
        if let Some(f) = lookup(ELEMENTWISE).or_else(|| lookup(PLAIN)) {
            return Ok(format!("{f}({})", parts.join(", ")));
        }
        parts.extend(self.options(opts)?);
        let joined = parts.join(", ");
        if let Some(f) = lookup(REDUCTIONS) {
            return Ok(format!("{f}({joined})"));
        }
        Ok(match name {
            "hstack" | "vstack" => format!("jnp.{name}([{joined}])"),
            "concat" | "stack" => {
                let (pieces, rest) = parts.split_at(args.len());
                let rest = rest
                    .iter()
                    .map(|r| format!(", {r}"))
                    .collect::<String>();
                let f = if name == "concat" { "concatenate" } else { "stack" };
                format!("jnp.{f}([{}]{rest})", pieces.join(", "))
            }
            "zeros" | "ones" => format!("jnp.{name}(_dims([{joined}]))"),
            "eye" => format!("jnp.eye(_ix({joined}))"),
            "full" => {
                let (v, dims) = parts.split_first().ok_or_else(|| {
                    unsupported(span, "`full` without arguments", "give a value")
                })?;
                format!("_full({v}, _dims([{}]))", dims.join(", "))
            }
            "linspace" => format!("_linspace({joined})"),
            "arange" => format!("_arange({joined})"),
            "reshape" => format!("_reshape({joined})"),
            "softmax" => format!("_softmax({joined})"),
            "cumsum" | "cumprod" => format!("_cum(jnp.{name}, {joined})"),
            "sort" => format!("_sort({joined})"),
            "diag" | "tril" | "triu" | "flip" | "tile" => format!("_{name}({joined})"),
            _ => {
                return Err(unsupported(
                    span,
                    &format!("`{name}`"),
                    "the exporter has no JAX version of this builtin yet; compute it as data before the loss, or write it with the builtins it supports (docs/export.md)",
                ))
            }
        })
    }

    /// `grad`, `jacobian`, `hessian` and `gradcheck` of an expression with
    /// respect to a param: JAX transforms of a lambda over a fresh params
    /// dict.
    fn calculus(&mut self, name: &str, args: &[ExprS]) -> Result<Option<String>, Diagnostic> {
        if !matches!(name, "grad" | "jacobian" | "hessian" | "gradcheck") {
            return Ok(None);
        }
        let [y, p] = args else {
            return Ok(None);
        };
        let param = match &p.node {
            Expr::Name(n) if self.kinds.get(n) == Some(&Kind::Param) => n.clone(),
            _ => {
                return Err(unsupported(
                    p.span,
                    "a derivative with respect to this",
                    "name a param",
                ))
            }
        };
        self.depth += 1;
        let outer = std::mem::replace(&mut self.pvar, format!("P{}", self.depth));
        let body = self.expr(y);
        let inner = std::mem::replace(&mut self.pvar, outer);
        self.depth -= 1;
        Ok(Some(format!(
            "_{name}(lambda {inner}: {}, {}, {})",
            body?,
            self.pvar,
            py_str(&param)
        )))
    }

    /// `stderr(p)`, `covariance()`, `covariance(p)`: the last fit's, which
    /// the exported program keeps as gradlang does.
    fn fit_query(&mut self, name: &str, span: Span, args: &[ExprS]) -> Result<String, Diagnostic> {
        let param = match args {
            [] if name == "covariance" => return Ok("_covariance_of(None)".into()),
            [p] => match &p.node {
                Expr::Name(n) if self.kinds.get(n) == Some(&Kind::Param) => py_str(n),
                _ => return Err(unsupported(p.span, "this argument", "name a param")),
            },
            _ => return Err(unsupported(span, &format!("`{name}` here"), "name a param")),
        };
        Ok(format!("_{name}_of({param})"))
    }
}

/// Collects the names an expression reads.
pub struct Names<'v>(pub &'v mut Vec<String>);

impl crate::syntax::visit::Visitor for Names<'_> {
    fn read(&mut self, name: &str, _span: Span) {
        self.0.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate(src: &str, kinds: &[(&str, Kind)]) -> Result<String, Diagnostic> {
        let kinds: HashMap<String, Kind> = kinds.iter().map(|(n, k)| (n.to_string(), *k)).collect();
        let program = crate::syntax::parse(&format!("print {src}"))
            .unwrap_or_else(|_| panic!("{src} parses"));
        let Stmt::Print { args, .. } = &program.stmts[0].node else {
            panic!("a print statement");
        };
        Translator::new(&kinds).expr(&args[0])
    }

    #[test]
    fn names_read_their_dicts() {
        let kinds = [
            ("w", Kind::Param),
            ("X", Kind::Data),
            ("n", Kind::Scalar),
            ("f", Kind::Formula),
        ];
        assert_eq!(
            translate("X @ w + n * f", &kinds).ok().as_deref(),
            Some("(jnp.matmul(D[\"X\"], P[\"w\"]) + (S[\"n\"] * f_f(P, D)))")
        );
    }

    #[test]
    fn a_whole_exponent_stays_an_integer() {
        assert_eq!(translate("2^3", &[]).ok().as_deref(), Some("(2.0 ** 3)"));
        assert_eq!(
            translate("2^0.5", &[]).ok().as_deref(),
            Some("_pow(2.0, 0.5)")
        );
    }

    #[test]
    fn nested_grads_get_their_own_params_dict() {
        let got = translate("grad(grad(x^3, x), x)", &[("x", Kind::Param)]).ok();
        assert_eq!(
            got.as_deref(),
            Some("_grad(lambda P1: _grad(lambda P2: (P2[\"x\"] ** 3), P1, \"x\"), P, \"x\")")
        );
    }

    #[test]
    fn refusals_carry_their_codes() {
        let code = |src: &str| translate(src, &[("w", Kind::Param)]).err().map(|d| d.code);
        assert_eq!(code("if w > 0 { w } else { -w }"), Some(Code::E0250));
        assert_eq!(code("w * randn(3)"), Some(Code::E0252));
        assert_eq!(code("{ let a = w\n a }"), Some(Code::E0251));
    }

    #[test]
    fn python_literals() {
        assert_eq!(py_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(py_num(1e-10), "1e-10");
        assert_eq!(py_num(f64::INFINITY), "float(\"inf\")");
    }
}
