//! What every name in a script refers to, for hover, completion, go to
//! definition, references and rename. One walk ([`crate::syntax::visit`])
//! follows the evaluator's scoping: a block's `let` is local to it and
//! hides outer names; a `for` variable lives in its body; a function body
//! sees its parameters, its own locals and the script's top-level names
//! (defined anywhere in the script, since it runs where it is called) but
//! not the blocks around it. Top-level definitions of one name are one
//! symbol: re-binding a global replaces it for every formula, loss and
//! function that reads it, so they are renamed together.

use std::collections::HashMap;

use crate::syntax::ast::{Ident, Program, Stmt};
use crate::syntax::span::Span;
use crate::syntax::visit::{walk_stmt, Scope, Visitor};

/// What a definition makes of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    /// A `let` whose value depends on no param: computed once.
    Data,
    /// A `let` that depends on a param: recomputed where it is used.
    Formula,
    /// A `let` inside a function body.
    Local,
    Param,
    Loss,
    Function,
    /// A parameter of a function.
    Argument,
    /// The variable of a `for` loop.
    LoopVar,
}

impl DefKind {
    /// How hover and completion name it.
    pub fn describe(self) -> &'static str {
        match self {
            DefKind::Data => "data",
            DefKind::Formula => "formula",
            DefKind::Local => "local value",
            DefKind::Param => "param",
            DefKind::Loss => "loss",
            DefKind::Function => "function",
            DefKind::Argument => "function parameter",
            DefKind::LoopVar => "loop variable",
        }
    }
}

/// One place a name is defined.
#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// The name where it is defined (`loss` itself for `loss = ...`).
    pub span: Span,
    /// The whole defining statement (a function parameter: the function).
    pub stmt: Span,
    /// Where the name can be read: from the end of the definition to the
    /// end of its scope.
    pub visible: Span,
    pub symbol: usize,
    /// The shape `check` knows it has there.
    pub shape: Option<Vec<usize>>,
    /// For a function, its parameters' names.
    pub params: Vec<String>,
}

/// One name as a whole: a top-level name, or one local definition.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub global: bool,
    /// Its definitions, in source order (indices into [`Index::defs`]).
    pub defs: Vec<usize>,
    /// Where it is read or assigned.
    pub refs: Vec<Span>,
}

/// Every name of a script resolved.
#[derive(Debug, Default, Clone)]
pub struct Index {
    pub defs: Vec<Def>,
    pub symbols: Vec<Symbol>,
    /// Every definition and reference: (span of the name, symbol), by start.
    occurrences: Vec<(Span, usize)>,
    /// The spans of function bodies, where every top-level name is visible.
    bodies: Vec<Span>,
}

impl Index {
    /// Resolves `program`'s names; `shapes` are those `check` found (by
    /// the span of the defined name).
    pub fn build(program: &Program, shapes: &HashMap<Span, Vec<usize>>, len: usize) -> Index {
        let mut walk = Walk {
            index: Index::default(),
            frames: Vec::new(),
            base: 0,
            in_fn: 0,
            globals: HashMap::new(),
            defined: HashMap::new(),
            end: len,
        };
        for stmt in &program.stmts {
            let name = match &stmt.node {
                Stmt::Let { name, .. } | Stmt::Param { name, .. } | Stmt::Fn { name, .. } => {
                    &name.node
                }
                Stmt::Loss { name, .. } => name.as_ref().map_or("loss", |n| n.node.as_str()),
                _ => continue,
            };
            if !walk.globals.contains_key(name) {
                let id = walk.index.new_symbol(name, true);
                walk.globals.insert(name.to_string(), id);
            }
        }
        for stmt in &program.stmts {
            walk_stmt(stmt, &mut walk);
        }
        let mut index = walk.index;
        index
            .occurrences
            .sort_by_key(|(span, _)| (span.start, span.end));
        index.classify_lets();
        for def in &mut index.defs {
            def.shape = shapes.get(&def.span).cloned();
        }
        index
    }

    fn new_symbol(&mut self, name: &str, global: bool) -> usize {
        self.symbols.push(Symbol {
            name: name.to_string(),
            global,
            defs: Vec::new(),
            refs: Vec::new(),
        });
        self.symbols.len() - 1
    }

    /// The symbol named at byte `offset` (on or just after a name), with
    /// the span of that occurrence.
    pub fn at(&self, offset: usize) -> Option<(Span, usize)> {
        // Names never overlap: only the last one starting at or before
        // `offset` can hold it.
        let after = self.occurrences.partition_point(|(s, _)| s.start <= offset);
        let &(span, symbol) = self.occurrences[..after].last()?;
        (offset <= span.end).then_some((span, symbol))
    }

    /// The definition an occurrence at `offset` of `symbol` means: the last
    /// one before it, or, for a top-level name read in a function body
    /// before any definition, every one.
    pub fn definitions(&self, symbol: usize, offset: usize) -> Vec<usize> {
        let defs = &self.symbols[symbol].defs;
        match defs
            .iter()
            .rev()
            .find(|&&d| self.defs[d].span.start <= offset)
        {
            Some(&d) => vec![d],
            None => defs.clone(),
        }
    }

    /// Every definition and reference of `symbol`, in source order.
    pub fn occurrences(&self, symbol: usize, definitions: bool) -> Vec<Span> {
        let sym = &self.symbols[symbol];
        let mut spans: Vec<Span> = sym.refs.clone();
        if definitions {
            spans.extend(sym.defs.iter().map(|&d| self.defs[d].span));
        }
        spans.sort_by_key(|s| (s.start, s.end));
        spans.dedup();
        spans
    }

    /// The definitions whose names can be read at `offset`, the innermost
    /// of each name.
    pub fn visible_at(&self, offset: usize) -> Vec<&Def> {
        let in_body = self
            .bodies
            .iter()
            .any(|b| b.start <= offset && offset <= b.end);
        let mut seen: HashMap<&str, &Def> = HashMap::new();
        // In source order, a later definition replaces an earlier one, but
        // a top-level name never hides a local one.
        for def in &self.defs {
            let global = self.symbols[def.symbol].global;
            let visible =
                (def.visible.start <= offset && offset <= def.visible.end) || (global && in_body);
            let hidden = seen
                .get(def.name.as_str())
                .is_some_and(|old| global && !self.symbols[old.symbol].global);
            if visible && !hidden {
                seen.insert(&def.name, def);
            }
        }
        let mut out: Vec<&Def> = seen.into_values().collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Decides which `let`s are formulas: those that read a param, a
    /// formula, or a function that reads either (in source order).
    fn classify_lets(&mut self) {
        let mut order: Vec<usize> = (0..self.defs.len()).collect();
        order.sort_by_key(|&d| self.defs[d].span.start);
        // Whether each definition depends on a param.
        let mut live = vec![false; self.defs.len()];
        for d in order {
            let (kind, stmt, span) = (self.defs[d].kind, self.defs[d].stmt, self.defs[d].span);
            if !matches!(kind, DefKind::Data | DefKind::Function) {
                live[d] = kind == DefKind::Param;
                continue;
            }
            let first = self
                .occurrences
                .partition_point(|(s, _)| s.start < stmt.start);
            live[d] = self.occurrences[first..]
                .iter()
                .take_while(|(s, _)| s.end <= stmt.end)
                .filter(|(s, sym)| *s != span && self.symbols[*sym].global)
                .any(|(s, sym)| {
                    self.definitions(*sym, s.start)
                        .iter()
                        .any(|&r| r != d && live[r])
                });
            if live[d] && kind == DefKind::Data {
                self.defs[d].kind = DefKind::Formula;
            }
        }
    }
}

/// An open scope: its span, the names defined in it (with their
/// symbols), and for a function body the base to restore when it closes.
type Frame = (Span, Vec<(String, usize)>, Option<usize>);

/// The state of the walk that builds an [`Index`].
struct Walk {
    index: Index,
    /// Open scopes, innermost last.
    frames: Vec<Frame>,
    /// The first frame the current function body sees.
    base: usize,
    in_fn: usize,
    /// The symbol of every top-level name.
    globals: HashMap<String, usize>,
    /// The top-level names defined so far.
    defined: HashMap<String, usize>,
    /// The length of the text: where top-level names stop being visible.
    end: usize,
}

impl Walk {
    fn resolve(&self, name: &str) -> Option<usize> {
        for (_, names, _) in self.frames[self.base..].iter().rev() {
            if let Some((_, id)) = names.iter().rev().find(|(n, _)| n == name) {
                return Some(*id);
            }
        }
        if self.in_fn > 0 {
            self.globals.get(name).copied()
        } else {
            self.defined.get(name).copied()
        }
    }

    fn refer(&mut self, name: &str, span: Span) {
        if let Some(id) = self.resolve(name) {
            self.index.symbols[id].refs.push(span);
            self.index.occurrences.push((span, id));
        }
    }

    fn define(&mut self, name: &Ident, kind: DefKind, stmt: Span, params: Vec<String>) {
        self.define_at(&name.node, name.span, kind, stmt, params);
    }

    fn define_at(
        &mut self,
        name: &str,
        span: Span,
        kind: DefKind,
        stmt: Span,
        params: Vec<String>,
    ) {
        let kind = match kind {
            DefKind::Data if self.in_fn > 0 => DefKind::Local,
            k => k,
        };
        let from = if kind == DefKind::Function {
            stmt.start
        } else {
            stmt.end
        };
        let (symbol, until) = match self.frames.last_mut() {
            None => {
                let id = match self.globals.get(name) {
                    Some(&id) => id,
                    None => self.index.new_symbol(name, true),
                };
                self.defined.insert(name.to_string(), id);
                (id, self.end)
            }
            Some((scope, _, _)) => {
                let until = scope.end;
                let id = self.index.new_symbol(name, false);
                if let Some((_, names, _)) = self.frames.last_mut() {
                    names.push((name.to_string(), id));
                }
                (id, until)
            }
        };
        self.index.defs.push(Def {
            name: name.to_string(),
            kind,
            span,
            stmt,
            visible: Span::new(from, until.max(from)),
            symbol,
            shape: None,
            params,
        });
        let def = self.index.defs.len() - 1;
        self.index.symbols[symbol].defs.push(def);
        self.index.occurrences.push((span, symbol));
    }
}

impl Visitor for Walk {
    fn read(&mut self, name: &str, span: Span) {
        self.refer(name, span);
    }

    fn let_binding(&mut self, name: &Ident, stmt: Span) {
        self.define(name, DefKind::Data, stmt, Vec::new());
    }

    fn param(&mut self, name: &Ident, stmt: Span) {
        self.define(name, DefKind::Param, stmt, Vec::new());
    }

    fn loss(&mut self, name: Option<&Ident>, stmt: Span) {
        match name {
            Some(name) => self.define(name, DefKind::Loss, stmt, Vec::new()),
            None => {
                let keyword = Span::new(stmt.start, stmt.start + "loss".len());
                self.define_at("loss", keyword, DefKind::Loss, stmt, Vec::new());
            }
        }
    }

    fn assigned(&mut self, name: &Ident) {
        self.refer(&name.node, name.span);
    }

    fn callee(&mut self, name: &Ident) {
        self.refer(&name.node, name.span);
    }

    fn function(&mut self, name: &Ident, params: &[Ident], stmt: Span) {
        let params = params.iter().map(|p| p.node.clone()).collect();
        self.define(name, DefKind::Function, stmt, params);
    }

    fn open_scope(&mut self, span: Span, scope: Scope<'_>) {
        match scope {
            Scope::Function(params) => {
                // `function` has just defined the function itself.
                let fn_stmt = self.index.defs.last().map_or(span, |d| d.stmt);
                self.frames.push((span, Vec::new(), Some(self.base)));
                self.base = self.frames.len() - 1;
                self.in_fn += 1;
                self.index.bodies.push(span);
                for p in params {
                    self.define_at(&p.node, p.span, DefKind::Argument, fn_stmt, Vec::new());
                    if let Some(def) = self.index.defs.last_mut() {
                        def.visible = span;
                    }
                }
            }
            Scope::For(var) => {
                self.frames.push((span, Vec::new(), None));
                self.define_at(&var.node, var.span, DefKind::LoopVar, var.span, Vec::new());
                if let Some(def) = self.index.defs.last_mut() {
                    def.visible = span;
                }
            }
            Scope::Block => self.frames.push((span, Vec::new(), None)),
        }
    }

    fn close_scope(&mut self) {
        if let Some((_, _, Some(base))) = self.frames.pop() {
            self.base = base;
            self.in_fn -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definitions (by line) each occurrence of `name` resolves to,
    /// in source order: `(line of the occurrence, [lines of definitions])`.
    fn resolved(src: &str, name: &str) -> Vec<(usize, Vec<usize>)> {
        let program = crate::syntax::parse(src).expect("test scripts parse");
        let index = Index::build(&program, &HashMap::new(), src.len());
        let line = |offset: usize| src[..offset].matches('\n').count() + 1;
        let mut out = Vec::new();
        for (at, _) in src.match_indices(name) {
            let word = |i: usize| {
                src.as_bytes()
                    .get(i)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            };
            if word(at + name.len()) || (at > 0 && word(at - 1)) {
                continue;
            }
            let defs = match index.at(at) {
                Some((span, symbol)) => index.definitions(symbol, span.start),
                None => Vec::new(),
            };
            out.push((
                line(at),
                defs.iter()
                    .map(|&d| line(index.defs[d].span.start))
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn blocks_hide_outer_names_and_bodies_see_every_global() {
        let src = "let k = 1\nfn f(x) = x + k + late\nif k > 0 {\n  let k = k + 1\n  print k\n}\nprint k\nlet late = 2\n";
        // Line 4's value reads the outer k (line 1); line 5 reads the local.
        assert_eq!(
            resolved(src, "k"),
            [
                (1, vec![1]),
                (2, vec![1]),
                (3, vec![1]),
                (4, vec![4]),
                (4, vec![1]),
                (5, vec![4]),
                (7, vec![1])
            ]
        );
        // A body may read a global defined after it.
        assert_eq!(resolved(src, "late"), [(2, vec![8]), (8, vec![8])]);
    }

    #[test]
    fn function_parameters_and_loop_variables_are_local() {
        let src = "param w = 1\nfn g(w) = w * 2\nfor w in 0..2 { print w }\nprint w, g(w)\n";
        assert_eq!(
            resolved(src, "w"),
            [
                (1, vec![1]),
                (2, vec![2]),
                (2, vec![2]),
                (3, vec![3]),
                (3, vec![3]),
                (4, vec![1]),
                (4, vec![1])
            ]
        );
    }

    #[test]
    fn lets_that_read_params_are_formulas() {
        let src =
            "param p = 1\nlet d = 2\nlet f = p * d\nlet g = f + 1\nfn h(x) = x * p\nlet q = h(d)\n";
        let program = crate::syntax::parse(src).expect("parses");
        let index = Index::build(&program, &HashMap::new(), src.len());
        let kind = |name: &str| index.defs.iter().find(|d| d.name == name).map(|d| d.kind);
        assert_eq!(kind("d"), Some(DefKind::Data));
        assert_eq!(kind("f"), Some(DefKind::Formula));
        assert_eq!(kind("g"), Some(DefKind::Formula));
        assert_eq!(kind("q"), Some(DefKind::Formula));
    }
}
