//! The parser: the LALRPOP grammar (grammar/gradlang.lalrpop, generated into
//! `OUT_DIR` by build.rs) fed by [`tokenize`], plus the step that turns
//! LALRPOP's errors into [`SyntaxError`]s in words.
//!
//! The generated parser is table-driven and never recurses. The trees it
//! builds are kept shallow enough for the recursive passes after it: the
//! lexer caps bracket nesting, and `Ctx` caps the depth of every node at
//! [`MAX_DEPTH`] (long operator chains such as `a + a + ... + a` nest one
//! level per operator).

use std::collections::HashMap;

use lalrpop_util::{lalrpop_mod, ErrorRecovery, ParseError};

use super::ast::{
    BinOp, Block, Else, Expr, ExprS, FnBody, Ident, IndexItem, Opt, Program, Stmt, StmtS, UnOp,
};
use super::error::SyntaxError;
use super::lexer::{tokenize, Bracket, Lexed, Token};
use super::span::{Span, Spanned};

lalrpop_mod!(
    #[allow(clippy::all)]
    grammar,
    "/gradlang.rs"
);

/// At most this many errors are reported for one input, the last of them
/// saying how many more there are.
pub const MAX_ERRORS: usize = 20;

/// The deepest a syntax tree may nest, counted in expressions, blocks and
/// statements.
pub const MAX_DEPTH: u32 = 1000;

/// Parses a whole script (or one REPL input), reporting every lexical and
/// syntax error found, in source order, up to [`MAX_ERRORS`].
pub fn parse(src: &str) -> Result<Program, Vec<SyntaxError>> {
    let (program, errors) = run(src);
    match program {
        Some(program) if errors.is_empty() => Ok(program),
        _ => Err(errors),
    }
}

/// Like [`parse`], but also gives what was recovered around the errors
/// (the statements that failed dropped), for tools that work on text being
/// edited; `None` when the parser could not finish at all.
pub fn parse_recovering(src: &str) -> (Option<Program>, Vec<SyntaxError>) {
    run(src)
}

/// Whether `src` is the start of something longer: it ends inside an open
/// bracket or block, or right after a binary operator or a comma, and has no
/// other error. The REPL then asks for another line.
pub fn is_incomplete(src: &str) -> bool {
    let (_, errors) = run(src);
    !errors.is_empty()
        && errors
            .iter()
            .all(|e| matches!(e, SyntaxError::UnexpectedEnd { .. }))
}

fn run(src: &str) -> (Option<Program>, Vec<SyntaxError>) {
    let Lexed {
        tokens,
        errors: lex_errors,
        brackets,
        cut,
    } = tokenize(src);
    let mut ctx = Ctx::default();
    let result = grammar::ProgramParser::new().parse(&mut ctx, tokens.into_iter().map(Ok));
    let mut raw: Vec<ParseError<usize, Token, SyntaxError>> =
        ctx.errors.into_iter().map(|e| e.error).collect();
    let program = match result {
        Ok(program) => Some(program),
        Err(e) => {
            raw.push(e);
            None
        }
    };
    let context = ErrorContext {
        src,
        brackets: &brackets,
        lex_errors: &lex_errors,
        cut,
    };
    let mut errors: Vec<SyntaxError> = raw.into_iter().filter_map(|e| context.convert(e)).collect();
    errors.extend(lex_errors.iter().cloned());
    errors.sort_by_key(|e| e.span().start);
    errors.dedup();
    if errors.len() > MAX_ERRORS {
        // The last place says that there is more, and where it starts.
        let more = errors.len() - (MAX_ERRORS - 1);
        let span = errors[MAX_ERRORS - 1].span();
        errors.truncate(MAX_ERRORS - 1);
        errors.push(SyntaxError::TooManyErrors {
            span,
            more,
            shown: MAX_ERRORS - 1,
        });
    }
    (program, errors)
}

/// What the lexer learned, used to explain the parser's errors.
struct ErrorContext<'a> {
    src: &'a str,
    brackets: &'a [Bracket],
    lex_errors: &'a [SyntaxError],
    cut: Option<usize>,
}

impl ErrorContext<'_> {
    fn convert(&self, error: ParseError<usize, Token, SyntaxError>) -> Option<SyntaxError> {
        match error {
            ParseError::UnrecognizedToken {
                token: (start, token, end),
                expected,
            } => {
                let mut span = Span::new(start, end);
                // Already reported by the lexer, in better words.
                if token == Token::Error || self.lex_errors.iter().any(|e| e.span() == span) {
                    return None;
                }
                // `x ** 2` fails at the second `*`; show both.
                if token == Token::Star && start > 0 && self.src.get(start - 1..start) == Some("*")
                {
                    span.start -= 1;
                }
                // A `//` comment fails at its first `/` (at the start of a
                // statement) or its second (after a value); show both.
                if token == Token::Slash {
                    if start > 0 && self.src.get(start - 1..start) == Some("/") {
                        span.start -= 1;
                    } else if self.src.get(end..end + 1) == Some("/") {
                        span.end += 1;
                    }
                }
                let text = self.src.get(span.range()).unwrap_or_default();
                Some(SyntaxError::UnexpectedToken {
                    span,
                    found: token.describe(text),
                    expected: self.expected_at(start, &expected),
                    unclosed: self.unclosed_at(start),
                })
            }
            ParseError::ExtraToken {
                token: (start, token, end),
            } => {
                let text = self.src.get(start..end).unwrap_or_default();
                Some(SyntaxError::UnexpectedToken {
                    span: Span::new(start, end),
                    found: token.describe(text),
                    expected: vec!["the end of input".to_string()],
                    unclosed: None,
                })
            }
            ParseError::UnrecognizedEof { location, expected } => {
                // Input cut short by the nesting limit ends early by design.
                if self.cut.is_some() {
                    return None;
                }
                Some(SyntaxError::UnexpectedEnd {
                    span: Span::new(location, location),
                    expected: self.expected_at(location, &expected),
                    unclosed: self.unclosed_at(self.src.len() + 1),
                })
            }
            ParseError::InvalidToken { location } => Some(SyntaxError::UnexpectedToken {
                span: Span::new(location, location),
                found: "an invalid token".to_string(),
                expected: Vec::new(),
                unclosed: None,
            }),
            ParseError::User { error } => Some(error),
        }
    }

    /// What was expected at `pos`, in words. After a lone `.` only `T` can
    /// follow, although the grammar accepts any name there to explain others.
    fn expected_at(&self, pos: usize, expected: &[String]) -> Vec<String> {
        let before = self.src.get(..pos).unwrap_or_default().trim_end();
        if before.ends_with('.') && !before.ends_with("..") {
            return vec!["`T`".to_string()];
        }
        describe_expected(expected)
    }

    /// The innermost bracket open at `pos`, if it is never closed.
    fn unclosed_at(&self, pos: usize) -> Option<(Span, char)> {
        let innermost = self.brackets.iter().rev().find(|b| b.is_open_at(pos))?;
        match innermost.close {
            None => Some((innermost.open, innermost.ch)),
            Some(_) => None,
        }
    }
}

/// Turns LALRPOP's terminal names into words, grouping the many tokens that
/// can start an expression or continue one.
fn describe_expected(expected: &[String]) -> Vec<String> {
    const EXPR_START: &[&str] = &[
        "NUM",
        "STR",
        "IDENT",
        "\"(\"",
        "\"[\"",
        "\"{\"",
        "\"-\"",
        "\"not\"",
        "\"if\"",
        "\"true\"",
        "\"false\"",
        "\"loss\"",
    ];
    const OPERATORS: &[&str] = &[
        "\"+\"", "\"-\"", "\"*\"", "\"/\"", "\"%\"", "\"@\"", "\"^\"", "\"<\"", "\"<=\"", "\">\"",
        "\">=\"", "\"==\"", "\"!=\"", "\"and\"", "\"or\"", "\"[\"", "\".\"", "\"(\"",
    ];
    const BINARY: &[&str] = &[
        "\"+\"", "\"*\"", "\"/\"", "\"%\"", "\"@\"", "\"^\"", "\"<\"", "\"<=\"", "\">\"", "\">=\"",
        "\"==\"", "\"!=\"", "\"and\"", "\"or\"",
    ];
    const STMT_START: &[&str] = &[
        "\"let\"",
        "\"param\"",
        "\"residual\"",
        "\"minimize\"",
        "\"maximize\"",
        "\"print\"",
        "\"fn\"",
        "\"for\"",
        "\"while\"",
        "\"break\"",
        "\"continue\"",
        "\"seed\"",
        "\"save\"",
        "\"load\"",
        "\"assert\"",
    ];
    // `x += 1` and its kin: "an operator" and `=` cover them in words.
    const COMPOUND: &[&str] = &["\"+=\"", "\"-=\"", "\"*=\"", "\"/=\"", "\"%=\""];
    let has = |name: &str| expected.iter().any(|e| e == name);
    let statement = has("\"let\"");
    let expression = has("NUM");
    // Any binary operator means "an operator could continue this".
    let operator = BINARY.iter().any(|op| has(op));
    let mut words = Vec::new();
    if statement {
        words.push("a statement".to_string());
    } else if expression {
        words.push("an expression".to_string());
    }
    if operator {
        words.push("an operator".to_string());
    }
    // After a name in an argument list `=` would make it an option; saying
    // so next to "an operator" and "`,`" only adds noise.
    let skip_assign = operator && has("\",\"");
    let mut newline = false;
    let mut semicolon = false;
    for name in expected {
        let name = name.as_str();
        if (expression && EXPR_START.contains(&name))
            || (operator && OPERATORS.contains(&name))
            || (statement && STMT_START.contains(&name))
            || (operator && COMPOUND.contains(&name))
            || (skip_assign && name == "\"=\"")
        {
            continue;
        }
        match name {
            "NEWLINE" => newline = true,
            "\";\"" => semicolon = true,
            "IDENT" => words.push("a name".to_string()),
            "NUM" => words.push("a number".to_string()),
            "STR" => words.push("a string".to_string()),
            quoted => words.push(format!("`{}`", quoted.trim_matches('"'))),
        }
    }
    if newline {
        words.push("a newline".to_string());
    }
    if semicolon {
        words.push("`;`".to_string());
    }
    words
}

/// A call or `print` argument before it is sorted into positionals and
/// options.
enum Item {
    Arg(ExprS),
    Opt(Opt),
}

/// State shared by the grammar's actions: errors found while parsing, and
/// the depth of every expression and block built so far, keyed by span (a
/// node's span strictly contains its children's, so it identifies the node).
#[derive(Default)]
struct Ctx {
    errors: Vec<ErrorRecovery<usize, Token, SyntaxError>>,
    depths: HashMap<(usize, usize), u32>,
    too_deep_reported: bool,
}

impl Ctx {
    fn error(&mut self, error: SyntaxError) {
        self.errors.push(ErrorRecovery {
            error: ParseError::User { error },
            dropped_tokens: Vec::new(),
        });
    }

    fn depth(&self, span: Span) -> u32 {
        self.depths
            .get(&(span.start, span.end))
            .copied()
            .unwrap_or(1)
    }

    fn expr_depth(&self, e: &ExprS) -> u32 {
        self.depth(e.span)
    }

    /// Records `depth` for a node at `span`, or reports that it is too deep.
    fn check_depth(&mut self, span: Span, depth: u32) -> bool {
        if depth <= MAX_DEPTH {
            self.depths.insert((span.start, span.end), depth);
            return true;
        }
        if !self.too_deep_reported {
            self.too_deep_reported = true;
            self.error(SyntaxError::ExpressionTooDeep {
                span,
                limit: MAX_DEPTH as usize,
            });
        }
        self.depths.remove(&(span.start, span.end));
        false
    }

    /// Gives an expression its span; over-deep ones become a placeholder so
    /// that no tree grows past [`MAX_DEPTH`] (the parse fails anyway).
    fn node(&mut self, expr: Expr, l: usize, r: usize) -> ExprS {
        let span = Span::new(l, r);
        let depth = 1 + self.children_depth(&expr);
        if self.check_depth(span, depth) {
            Spanned::new(expr, span)
        } else {
            Spanned::new(Expr::Number(0.0), span)
        }
    }

    fn children_depth(&self, expr: &Expr) -> u32 {
        let d = |e: &ExprS| self.expr_depth(e);
        let opts = |opts: &[Opt]| opts.iter().map(|o| d(&o.value)).max().unwrap_or(0);
        match expr {
            Expr::Number(_) | Expr::Str(_) | Expr::Bool(_) | Expr::Name(_) => 0,
            Expr::Tensor(items) => items.iter().map(d).max().unwrap_or(0),
            Expr::Binary { lhs, rhs, .. } => d(lhs).max(d(rhs)),
            Expr::Unary { operand, .. } => d(operand),
            Expr::Call { args, opts: o, .. } => args.iter().map(d).max().unwrap_or(0).max(opts(o)),
            Expr::Index { target, items } => items
                .iter()
                .map(|item| match item {
                    IndexItem::At(e) => d(e),
                    IndexItem::Slice {
                        start, end, step, ..
                    } => [start, end, step]
                        .into_iter()
                        .flatten()
                        .map(|e| d(e))
                        .max()
                        .unwrap_or(0),
                })
                .max()
                .unwrap_or(0)
                .max(d(target)),
            Expr::Transpose(e) => d(e),
            Expr::If {
                cond,
                then,
                otherwise,
            } => {
                let other = match otherwise.as_deref() {
                    None => 0,
                    Some(Else::Block(b)) => self.depth(b.span),
                    Some(Else::If(e)) => d(e),
                };
                d(cond).max(self.depth(then.span)).max(other)
            }
            Expr::Block(b) => self.depth(b.span),
            Expr::Range { start, end } => d(start).max(d(end)),
        }
    }

    fn stmt_depth(&self, stmt: &Stmt) -> u32 {
        let d = |e: &ExprS| self.expr_depth(e);
        let opts = |opts: &[Opt]| opts.iter().map(|o| d(&o.value)).max().unwrap_or(0);
        let inner = match stmt {
            Stmt::Let { value, .. } | Stmt::Loss { value, .. } | Stmt::Assign { value, .. } => {
                d(value)
            }
            Stmt::Param { init, bounds, .. } => {
                d(init).max(bounds.as_ref().map_or(0, |(lo, hi)| d(lo).max(d(hi))))
            }
            Stmt::Minimize { opts: o, .. } => opts(o),
            Stmt::Print { args, opts: o } => args.iter().map(d).max().unwrap_or(0).max(opts(o)),
            Stmt::Fn { body, .. } => match body.as_ref() {
                FnBody::Expr(e) => d(e),
                FnBody::Block(b) => self.depth(b.span),
            },
            Stmt::For { range, body, .. } => d(range).max(self.depth(body.span)),
            Stmt::While { cond, body } => d(cond).max(self.depth(body.span)),
            Stmt::Break | Stmt::Continue => 0,
            Stmt::Seed(e) | Stmt::Save(e) | Stmt::Load(e) | Stmt::Expr(e) => d(e),
            Stmt::Assert { cond, message } => d(cond).max(message.as_ref().map_or(0, d)),
        };
        1 + inner
    }

    /// Builds a block; a trailing expression statement becomes its value.
    fn block(&mut self, mut stmts: Vec<StmtS>, span: Span) -> Block {
        let value = match stmts.pop() {
            Some(Spanned {
                node: Stmt::Expr(e),
                ..
            }) => Some(e),
            Some(other) => {
                stmts.push(other);
                None
            }
            None => None,
        };
        let inner = stmts
            .iter()
            .map(|s| self.stmt_depth(&s.node))
            .max()
            .unwrap_or(0);
        let depth = 1 + inner.max(value.as_ref().map_or(0, |e| self.expr_depth(e)));
        if self.check_depth(span, depth) {
            Block { stmts, value, span }
        } else {
            Block {
                stmts: Vec::new(),
                value: None,
                span,
            }
        }
    }

    fn binary(
        &mut self,
        op: BinOp,
        op_span: Span,
        lhs: ExprS,
        rhs: ExprS,
        l: usize,
        r: usize,
    ) -> ExprS {
        self.node(
            Expr::Binary {
                op,
                op_span,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            l,
            r,
        )
    }

    fn unary(&mut self, op: UnOp, operand: ExprS, l: usize, r: usize) -> ExprS {
        self.node(
            Expr::Unary {
                op,
                operand: Box::new(operand),
            },
            l,
            r,
        )
    }

    /// `lhs op rhs` for a comparison; `lhs.1` is set when `lhs` is itself a
    /// bare comparison, which makes this a chain.
    fn comparison(
        &mut self,
        lhs: (ExprS, Option<Span>),
        op: BinOp,
        op_span: Span,
        rhs: ExprS,
        l: usize,
        r: usize,
    ) -> (ExprS, Option<Span>) {
        if let Some(first) = lhs.1 {
            self.error(SyntaxError::ChainedComparison {
                span: op_span,
                first,
            });
        }
        (self.binary(op, op_span, lhs.0, rhs, l, r), Some(op_span))
    }

    /// `target.name`: only `.T` exists.
    /// `target op= value`, where the target must be a name or a name's
    /// entries (`x[i] = ...`); `loss = value` defines the unnamed loss.
    fn assignment(&mut self, target: ExprS, op: Option<(BinOp, Span)>, value: ExprS) -> Stmt {
        let span = target.span;
        let (name, index) = match target.node {
            // The `loss` keyword read as a name: `loss = e` defines the loss.
            Expr::Name(name) if name == "loss" && op.is_none() => {
                return Stmt::Loss {
                    name: None,
                    value,
                    residual: false,
                }
            }
            Expr::Name(name) => (Spanned::new(name, span), Vec::new()),
            Expr::Index {
                target: inner,
                items,
            } => match inner.node {
                Expr::Name(name) => (Spanned::new(name, inner.span), items),
                _ => return self.bad_target(span, value),
            },
            _ => return self.bad_target(span, value),
        };
        Stmt::Assign {
            name,
            index,
            op,
            value,
        }
    }

    fn bad_target(&mut self, span: Span, value: ExprS) -> Stmt {
        self.error(SyntaxError::BadAssignTarget { span });
        Stmt::Expr(value)
    }

    fn field(&mut self, target: ExprS, name: Ident, l: usize, r: usize) -> ExprS {
        if name.node == "T" {
            return self.node(Expr::Transpose(Box::new(target)), l, r);
        }
        self.error(SyntaxError::BadField {
            span: name.span,
            name: name.node,
        });
        target
    }

    /// Splits arguments into positionals and options, which must come last.
    fn split(&mut self, items: Vec<Item>) -> (Vec<ExprS>, Vec<Opt>) {
        let mut args = Vec::new();
        let mut opts: Vec<Opt> = Vec::new();
        for item in items {
            match item {
                Item::Opt(opt) => opts.push(opt),
                Item::Arg(arg) => {
                    if let Some(first) = opts.first() {
                        let option = first.name.span.to(first.value.span);
                        self.error(SyntaxError::PositionalAfterOption {
                            span: arg.span,
                            option,
                        });
                    }
                    args.push(arg);
                }
            }
        }
        (args, opts)
    }
}
