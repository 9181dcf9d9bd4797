//! The front end against the language design: precedence, newline rules,
//! every statement form, spans, every error, recovery and REPL completeness.
//! Trees are compared as compact s-expressions (see `sexpr`).

use gradlang::syntax::ast::{
    Block, Else, Expr, ExprS, FnBody, IndexItem, Opt, Program, Stmt, StmtS, UnOp,
};
use gradlang::syntax::error::{NumberProblem, SyntaxError};
use gradlang::syntax::span::Span;
use gradlang::syntax::{is_incomplete, parse};

// ---- helpers ----

fn expr(e: &ExprS) -> String {
    match &e.node {
        Expr::Number(n) => format!("{n}"),
        Expr::Str(s) => format!("{s:?}"),
        Expr::Bool(b) => format!("{b}"),
        Expr::Name(n) => n.clone(),
        Expr::Tensor(items) => format!("[{}]", join(items.iter().map(expr))),
        Expr::Binary { op, lhs, rhs, .. } => {
            format!("({} {} {})", op.symbol(), expr(lhs), expr(rhs))
        }
        Expr::Unary {
            op: UnOp::Neg,
            operand,
        } => format!("(neg {})", expr(operand)),
        Expr::Unary {
            op: UnOp::Not,
            operand,
        } => format!("(not {})", expr(operand)),
        Expr::Call { callee, args, opts } => {
            format!(
                "(call {}{}{})",
                callee.node,
                prefixed(args.iter().map(expr)),
                options(opts)
            )
        }
        Expr::Index { target, items } => format!("(index {}{})", expr(target), index(items)),
        Expr::Transpose(e) => format!("(T {})", expr(e)),
        Expr::If {
            cond,
            then,
            otherwise,
        } => {
            let other = match otherwise.as_deref() {
                None => String::new(),
                Some(Else::Block(b)) => format!(" {}", block(b)),
                Some(Else::If(e)) => format!(" {}", expr(e)),
            };
            format!("(if {} {}{other})", expr(cond), block(then))
        }
        Expr::Block(b) => block(b),
        Expr::Range { start, end } => format!("(.. {} {})", expr(start), expr(end)),
    }
}

fn block(b: &Block) -> String {
    let value = b.value.as_ref().map_or("_".into(), expr);
    format!(
        "{{{}{value}}}",
        b.stmts
            .iter()
            .map(|s| format!("{}; ", stmt(s)))
            .collect::<String>()
    )
}

fn stmt(s: &StmtS) -> String {
    let name = |n: &Option<gradlang::syntax::ast::Ident>| {
        n.as_ref().map_or("_".into(), |n| n.node.clone())
    };
    match &s.node {
        Stmt::Let { name, value } => format!("(let {} {})", name.node, expr(value)),
        Stmt::Param {
            name,
            init,
            bounds: None,
        } => format!("(param {} {})", name.node, expr(init)),
        Stmt::Param {
            name,
            init,
            bounds: Some((lo, hi)),
        } => {
            format!(
                "(param {} {} in {} {})",
                name.node,
                expr(init),
                expr(lo),
                expr(hi)
            )
        }
        Stmt::Loss {
            name: n,
            value,
            residual,
        } => format!(
            "({} {} {})",
            if *residual { "residual" } else { "loss" },
            name(n),
            expr(value)
        ),
        Stmt::Assign {
            name,
            index: items,
            op,
            value,
        } => format!(
            "(assign{} {}{} {})",
            op.map_or(String::new(), |(op, _)| op.symbol().to_string()),
            name.node,
            index(items),
            expr(value)
        ),
        Stmt::Minimize {
            maximize,
            loss,
            optimizer,
            opts,
        } => format!(
            "({} {} {}{})",
            if *maximize { "maximize" } else { "minimize" },
            name(loss),
            optimizer.node,
            options(opts)
        ),
        Stmt::Print { args, opts } => format!(
            "(print{}{})",
            prefixed(args.iter().map(expr)),
            options(opts)
        ),
        Stmt::Fn { name, params, body } => {
            let params = join(params.iter().map(|p| p.node.clone()));
            let body = match body.as_ref() {
                FnBody::Expr(e) => format!("= {}", expr(e)),
                FnBody::Block(b) => block(b),
            };
            format!("(fn {} ({params}) {body})", name.node)
        }
        Stmt::For { var, range, body } => {
            format!("(for {} {} {})", var.node, expr(range), block(body))
        }
        Stmt::While { cond, body } => format!("(while {} {})", expr(cond), block(body)),
        Stmt::Break => "(break)".into(),
        Stmt::Continue => "(continue)".into(),
        Stmt::Seed(e) => format!("(seed {})", expr(e)),
        Stmt::Save(e) => format!("(save {})", expr(e)),
        Stmt::Load(e) => format!("(load {})", expr(e)),
        Stmt::Assert {
            cond,
            message: None,
        } => format!("(assert {})", expr(cond)),
        Stmt::Assert {
            cond,
            message: Some(m),
        } => format!("(assert {} {})", expr(cond), expr(m)),
        Stmt::Expr(e) => expr(e),
    }
}

fn index(items: &[IndexItem]) -> String {
    prefixed(items.iter().map(|item| match item {
        IndexItem::At(e) => expr(e),
        IndexItem::Slice {
            start, end, step, ..
        } => {
            let part = |e: &Option<Box<ExprS>>| e.as_deref().map_or("_".into(), expr);
            match step {
                None => format!("(: {} {})", part(start), part(end)),
                Some(_) => format!("(: {} {} {})", part(start), part(end), part(step)),
            }
        }
    }))
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(" ")
}

fn prefixed(items: impl Iterator<Item = String>) -> String {
    items.map(|s| format!(" {s}")).collect()
}

fn options(opts: &[Opt]) -> String {
    opts.iter()
        .map(|o| format!(" :{} {}", o.name.node, expr(&o.value)))
        .collect()
}

fn program(p: &Program) -> String {
    p.stmts.iter().map(stmt).collect::<Vec<_>>().join("\n")
}

/// Parses `src` and prints it as s-expressions, one statement a line.
#[track_caller]
fn sx(src: &str) -> String {
    match parse(src) {
        Ok(p) => program(&p),
        Err(errors) => panic!("{src:?} failed to parse: {errors:#?}"),
    }
}

/// The errors for `src`, which must not parse.
#[track_caller]
fn errors(src: &str) -> Vec<SyntaxError> {
    match parse(src) {
        Ok(p) => panic!("{src:?} parsed as {}", program(&p)),
        Err(errors) => errors,
    }
}

/// The only error for `src`.
#[track_caller]
fn error(src: &str) -> SyntaxError {
    let mut all = errors(src);
    assert_eq!(all.len(), 1, "{src:?}: {all:#?}");
    all.remove(0)
}

fn titles(src: &str) -> Vec<String> {
    errors(src)
        .iter()
        .map(|e| format!("{} {}", e.code(), e.to_diagnostic().title))
        .collect()
}

// ---- precedence ----

#[test]
fn precedence_table() {
    let cases = [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 * 2 + 3", "(+ (* 1 2) 3)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("a / b * c", "(* (/ a b) c)"),
        ("a @ b * c", "(* (@ a b) c)"),
        ("-x^2", "(neg (^ x 2))"),
        ("2^3^2", "(^ 2 (^ 3 2))"),
        ("x^-1", "(^ x (neg 1))"),
        ("2^-x^2", "(^ 2 (neg (^ x 2)))"),
        ("-a * b", "(* (neg a) b)"),
        ("a * -b", "(* a (neg b))"),
        ("a - -b", "(- a (neg b))"),
        ("- - a", "(neg (neg a))"),
        ("a + b < c * d", "(< (+ a b) (* c d))"),
        ("a == b", "(== a b)"),
        ("a != b", "(!= a b)"),
        ("a <= b", "(<= a b)"),
        ("a >= b", "(>= a b)"),
        ("a > b", "(> a b)"),
        ("not a < b", "(not (< a b))"),
        ("not not a", "(not (not a))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a or b and c", "(or a (and b c))"),
        ("not a and b", "(and (not a) b)"),
        ("a < b and b < c", "(and (< a b) (< b c))"),
        ("(a < b) < c", "(< (< a b) c)"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("x.T^2", "(^ (T x) 2)"),
        ("-x.T", "(neg (T x))"),
        ("f(x)[0]^2", "(^ (index (call f x) 0) 2)"),
        ("x[0][1]", "(index (index x 0) 1)"),
        ("a[i].T", "(T (index a i))"),
        ("2 * x^2 + 1", "(+ (* 2 (^ x 2)) 1)"),
        ("XX @ w", "(@ XX w)"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn primaries() {
    let cases = [
        ("3", "3"),
        ("3.6", "3.6"),
        (".5", "0.5"),
        ("1e-3", "0.001"),
        ("2.5E+4", "25000"),
        ("\"a\\\"b\\\\c\\nd\\te\"", "\"a\\\"b\\\\c\\nd\\te\""),
        ("true", "true"),
        ("false", "false"),
        ("loss", "loss"),
        ("loss + 1", "(+ loss 1)"),
        ("[1, 2, 3]", "[1 2 3]"),
        ("[[1, 2], [3, 4],]", "[[1 2] [3 4]]"),
        ("[]", "[]"),
        ("f()", "(call f)"),
        ("f(x, y, axis=0, keep=1,)", "(call f x y :axis 0 :keep 1)"),
        ("x[i, j]", "(index x i j)"),
        ("x[1:3]", "(index x (: 1 3))"),
        ("x[:, 0]", "(index x (: _ _) 0)"),
        ("x[:]", "(index x (: _ _))"),
        ("x[a:]", "(index x (: a _))"),
        ("x[:b]", "(index x (: _ b))"),
        ("x[::-1]", "(index x (: _ _ (neg 1)))"),
        ("x[1:5:2, ::]", "(index x (: 1 5 2) (: _ _))"),
        ("x[a::s]", "(index x (: a _ s))"),
        ("x[idx, x > 0]", "(index x idx (> x 0))"),
        ("x[-1]", "(index x (neg 1))"),
        ("if c { 1 } else { 2 }", "(if c {1} {2})"),
        ("if c { 1 }", "(if c {1})"),
        (
            "if a { 1 } else if b { 2 } else { 3 }",
            "(if a {1} (if b {2} {3}))",
        ),
        ("{ let t = 2; t + 1 }", "{(let t 2); (+ t 1)}"),
        ("{ }", "{_}"),
        ("{ print 1 }", "{(print 1); _}"),
        ("{ a; }", "{a}"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn strings_are_decoded() {
    let p = parse(r#"print "tab\there \"q\" back\\slash""#).unwrap();
    let Stmt::Print { args, .. } = &p.stmts[0].node else {
        panic!()
    };
    assert_eq!(
        args[0].node,
        Expr::Str("tab\there \"q\" back\\slash".to_string())
    );
}

// ---- statements ----

#[test]
fn every_statement_form() {
    let cases = [
        ("let x = 1", "(let x 1)"),
        ("param w = randn(3, 1)", "(param w (call randn 3 1))"),
        ("param p = 0.5 in [0, 1]", "(param p 0.5 in 0 1)"),
        ("loss = (A + B - 9)^2", "(loss _ (^ (- (+ A B) 9) 2))"),
        ("loss fit = mean(e)", "(loss fit (call mean e))"),
        ("residual = y - a * x", "(residual _ (- y (* a x)))"),
        ("residual r = [y - a, b]", "(residual r [(- y a) b])"),
        ("x = x + 1", "(assign x (+ x 1))"),
        (
            "minimize with nadam lr=0.01 steps=2000",
            "(minimize _ nadam :lr 0.01 :steps 2000)",
        ),
        (
            "minimize fit with sgd lr=0.1, steps=5",
            "(minimize fit sgd :lr 0.1 :steps 5)",
        ),
        ("maximize with adam steps=10", "(maximize _ adam :steps 10)"),
        (
            "minimize with lbfgs line_search=\"strong_wolfe\"",
            "(minimize _ lbfgs :line_search \"strong_wolfe\")",
        ),
        ("print A, B, C", "(print A B C)"),
        ("print w, digits=8", "(print w :digits 8)"),
        ("print \"text\", x", "(print \"text\" x)"),
        ("print", "(print)"),
        ("fn f(x, y) = x * y", "(fn f (x y) = (* x y))"),
        ("fn g() = 1", "(fn g () = 1)"),
        (
            "fn f(x) { let t = x * 2; t + 1 }",
            "(fn f (x) {(let t (* x 2)); (+ t 1)})",
        ),
        (
            "for i in 0..n { s = s + i }",
            "(for i (.. 0 n) {(assign s (+ s i)); _})",
        ),
        ("for i in 0..n+1 { }", "(for i (.. 0 (+ n 1)) {_})"),
        ("seed 42", "(seed 42)"),
        ("save \"m.safetensors\"", "(save \"m.safetensors\")"),
        ("load \"m.json\"", "(load \"m.json\")"),
        ("assert x > 0", "(assert (> x 0))"),
        (
            "assert x > 0, \"x must be positive\"",
            "(assert (> x 0) \"x must be positive\")",
        ),
        ("grad(y, x)", "(call grad y x)"),
        (
            "if x > 0 { print x } else { print 0 }",
            "(if (> x 0) {(print x); _} {(print 0); _})",
        ),
        ("{ let a = 1 }", "{(let a 1); _}"),
    ];
    for (src, want) in cases {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn first_look_example() {
    let src = "# puzzle.gl\nseed 42\nparam A = rand()\nparam B = rand()\n\n\
               loss = (A + B - 9)^2 + (A - 1)^2\nminimize with nadam lr=0.01 steps=2000\nprint A, B\n";
    assert_eq!(
        sx(src),
        "(seed 42)\n(param A (call rand))\n(param B (call rand))\n\
         (loss _ (+ (^ (- (+ A B) 9) 2) (^ (- A 1) 2)))\n(minimize _ nadam :lr 0.01 :steps 2000)\n(print A B)"
    );
}

// ---- newline rules ----

#[test]
fn newlines_and_semicolons_separate_statements() {
    assert_eq!(sx("let a = 1\nlet b = 2"), "(let a 1)\n(let b 2)");
    assert_eq!(sx("let a = 1; let b = 2"), "(let a 1)\n(let b 2)");
    assert_eq!(
        sx("\n\n;\nlet a = 1;;\n\n;let b = 2;\n\n"),
        "(let a 1)\n(let b 2)"
    );
    assert_eq!(sx("a # comment\n# only a comment\nb"), "a\nb");
    assert_eq!(sx("a\r\nb\r\n"), "a\nb");
    assert_eq!(sx(""), "");
    assert_eq!(sx("# nothing\n"), "");
}

#[test]
fn newlines_inside_brackets_and_after_operators_continue() {
    assert_eq!(sx("let y = (a\n+ b)"), "(let y (+ a b))");
    assert_eq!(sx("let y = [1,\n 2,\n 3\n]"), "(let y [1 2 3])");
    assert_eq!(sx("f(x,\n  axis=0\n)"), "(call f x :axis 0)");
    assert_eq!(sx("let y = a +\n  b *\n  c"), "(let y (+ a (* b c)))");
    for op in [
        "+", "-", "*", "/", "@", "^", "<", "<=", ">", ">=", "==", "!=", "and", "or",
    ] {
        let src = format!("a {op}\n b");
        assert_eq!(sx(&src).lines().count(), 1, "{src}");
    }
    assert_eq!(sx("let y = not\n x"), "(let y (not x))");
    assert_eq!(sx("let y =\n 3"), "(let y 3)");
    assert_eq!(sx("print a,\n b"), "(print a b)");
    assert_eq!(sx("for i in 0..\n3 { }"), "(for i (.. 0 3) {_})");
    assert_eq!(
        sx("minimize with adam lr=0.1,\n steps=3"),
        "(minimize _ adam :lr 0.1 :steps 3)"
    );
}

#[test]
fn newlines_inside_blocks_separate_statements() {
    assert_eq!(
        sx("fn f(x) {\n  let t = x * 2\n  t + 1\n}"),
        "(fn f (x) {(let t (* x 2)); (+ t 1)})"
    );
    assert_eq!(sx("f({\n a\n b\n})"), "(call f {a; b})");
    assert_eq!(sx("{ f(a,\n b) }"), "{(call f a b)}");
}

#[test]
fn newline_before_else_is_dropped() {
    assert_eq!(sx("if c {\n 1\n}\nelse {\n 2\n}"), "(if c {1} {2})");
    assert_eq!(
        sx("if c { 1 }\n\n# why\nelse if d { 2 }\nelse { 3 }"),
        "(if c {1} (if d {2} {3}))"
    );
    // A `;` really ends the statement.
    assert_eq!(error("if c { 1 }; else { 2 }").code().as_str(), "E0105");
}

#[test]
fn a_statement_cannot_continue_on_the_next_line_without_an_operator() {
    assert_eq!(sx("let y = a\n- b"), "(let y a)\n(neg b)");
    assert_eq!(error("let y = a\n+ b").code().as_str(), "E0105");
}

// ---- spans ----

#[test]
fn spans_are_byte_ranges() {
    let src = "let y = a + b * 2\nprint y";
    let p = parse(src).unwrap();
    assert_eq!(p.stmts[0].span, Span::new(0, 17));
    assert_eq!(p.stmts[1].span, Span::new(18, 25));
    let Stmt::Let { name, value } = &p.stmts[0].node else {
        panic!()
    };
    assert_eq!(name.span, Span::new(4, 5));
    assert_eq!(value.span, Span::new(8, 17));
    let Expr::Binary { lhs, rhs, .. } = &value.node else {
        panic!()
    };
    assert_eq!(lhs.span, Span::new(8, 9));
    assert_eq!(rhs.span, Span::new(12, 17));
}

#[test]
fn spans_of_calls_indexes_and_blocks() {
    let src = "f(x, k=1)[0:2].T";
    let p = parse(src).unwrap();
    let Stmt::Expr(e) = &p.stmts[0].node else {
        panic!()
    };
    assert_eq!(e.span, Span::new(0, 16));
    let Expr::Transpose(inner) = &e.node else {
        panic!()
    };
    assert_eq!(inner.span, Span::new(0, 14));
    let Expr::Index { target, items } = &inner.node else {
        panic!()
    };
    assert_eq!(target.span, Span::new(0, 9));
    let IndexItem::Slice { span, .. } = &items[0] else {
        panic!()
    };
    assert_eq!(*span, Span::new(10, 13));
    let Expr::Call { callee, opts, .. } = &target.node else {
        panic!()
    };
    assert_eq!(callee.span, Span::new(0, 1));
    assert_eq!(opts[0].name.span, Span::new(5, 6));

    let p = parse("fn f(x) {\n x\n}").unwrap();
    let Stmt::Fn { body, .. } = &p.stmts[0].node else {
        panic!()
    };
    let FnBody::Block(b) = body.as_ref() else {
        panic!()
    };
    assert_eq!(b.span, Span::new(8, 14));
    assert_eq!(b.value.as_ref().unwrap().span, Span::new(11, 12));
}

#[test]
fn non_ascii_source_uses_byte_spans() {
    let src = "# données: π ≈ 3.14\nprint \"héllo ✓\", x";
    let p = parse(src).unwrap();
    let Stmt::Print { args, .. } = &p.stmts[0].node else {
        panic!()
    };
    assert_eq!(args[0].node, Expr::Str("héllo ✓".to_string()));
    let x = &args[1];
    assert_eq!(&src[x.span.range()], "x");
    assert_eq!(p.stmts[0].span.end, src.len());

    let e = error("let é = 1");
    assert_eq!(
        e,
        SyntaxError::InvalidCharacter {
            span: Span::new(4, 6),
            text: "é".into()
        }
    );
    let e = error("print \"✓\", 1 €€");
    assert_eq!(e.span(), Span::new(15, 21));
    assert_eq!(&"print \"✓\", 1 €€"[e.span().range()], "€€");
}

// ---- errors, one per variant ----

#[test]
fn invalid_character() {
    let e = error("let x = 3 $ 4");
    assert_eq!(
        e,
        SyntaxError::InvalidCharacter {
            span: Span::new(10, 11),
            text: "$".into()
        }
    );
    assert_eq!(e.code().as_str(), "E0101");
    let d = error("x = !y").to_diagnostic();
    assert!(d.help.unwrap().contains("not"));
}

#[test]
fn unterminated_string() {
    let e = error("print \"abc\nprint 1");
    assert_eq!(
        e,
        SyntaxError::UnterminatedString {
            span: Span::new(6, 10)
        }
    );
    assert_eq!(e.code().as_str(), "E0102");
}

#[test]
fn invalid_escape() {
    let e = error(r#"print "a\qb""#);
    assert_eq!(
        e,
        SyntaxError::InvalidEscape {
            span: Span::new(8, 10),
            escape: "\\q".into()
        }
    );
    assert_eq!(e.code().as_str(), "E0103");
}

#[test]
fn invalid_numbers() {
    let cases = [
        ("2x", NumberProblem::TrailingLetters),
        ("0x1f", NumberProblem::TrailingLetters),
        ("1e", NumberProblem::MissingExponent),
        ("1e+", NumberProblem::MissingExponent),
        ("1.2.3", NumberProblem::ExtraDot),
        ("1e999", NumberProblem::TooLarge),
    ];
    for (text, problem) in cases {
        let src = format!("let y = {text}");
        let e = error(&src);
        assert_eq!(
            e,
            SyntaxError::InvalidNumber {
                span: Span::new(8, src.len()),
                text: text.into(),
                problem
            },
            "{src}"
        );
        assert_eq!(e.code().as_str(), "E0104");
    }
}

#[test]
fn unexpected_token_says_what_in_words() {
    let e = error("let x = ,");
    let d = e.to_diagnostic();
    assert_eq!(e.code().as_str(), "E0105");
    assert_eq!(d.title, "expected an expression, found `,`");
    assert_eq!(d.primary.0, Span::new(8, 9));

    let d = error("print a b").to_diagnostic();
    assert_eq!(
        d.title,
        "expected an operator, `,`, a newline or `;`, found `b`"
    );

    let d = error("let in = 3").to_diagnostic();
    assert_eq!(d.title, "expected a name, found `in`");
    assert!(d.help.unwrap().contains("keyword"));

    let d = error("if x = 1 { }").to_diagnostic();
    assert_eq!(d.title, "expected an operator or `{`, found `=`");
    assert!(d.help.unwrap().contains("=="));

    let d = error("let r = 0..5").to_diagnostic();
    assert!(d.help.unwrap().contains("for"));
}

#[test]
fn messages_never_leak_token_names() {
    let sources = [
        "let x = )",
        "print a b",
        "fn (x) = 1",
        "for 1 in 0..2 {}",
        "minimize lr=1",
        "x[1 2]",
        "f(a b)",
        "let = 3",
        "param p = 1 in 0",
        "else { }",
        "{ a b }",
        "x..y",
        "print a,",
        "(",
        "f(a,",
    ];
    for src in sources {
        for e in parse(src).unwrap_err() {
            let d = e.to_diagnostic();
            let text = format!("{} {} {:?}", d.title, d.primary.1, d.help);
            for raw in ["IDENT", "NUM", "STR", "NEWLINE", "\"\"", "RParen", "Token"] {
                assert!(!text.contains(raw), "{src:?}: {text}");
            }
        }
    }
}

#[test]
fn unexpected_end() {
    let e = error("let x = 1 +");
    assert!(matches!(e, SyntaxError::UnexpectedEnd { .. }), "{e:?}");
    assert_eq!(e.code().as_str(), "E0106");
    assert_eq!(e.to_diagnostic().title, "unexpected end of input");

    let e = error("f(a,\n b");
    let SyntaxError::UnexpectedEnd { unclosed, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*unclosed, Some((Span::new(1, 2), '(')));
    let d = e.to_diagnostic();
    assert_eq!(
        d.secondary,
        vec![(Span::new(1, 2), "this `(` is never closed".to_string())]
    );
    assert_eq!(d.help.as_deref(), Some("add the missing `)`"));
}

#[test]
fn unclosed_paren_ends_at_the_next_statement_keyword() {
    // Newlines inside `(` are ignored, but a line starting with a keyword
    // like `let` cannot continue an expression: the error is reported at the
    // end of the unclosed line, and parsing resumes on the next one.
    let all = errors("let y = f(a, b\nlet z = 2\nprint z z\nlet w = [1,\n  2\nprint w");
    let SyntaxError::UnexpectedToken {
        span,
        found,
        unclosed,
        ..
    } = &all[0]
    else {
        panic!("{all:?}")
    };
    assert_eq!((*span, found.as_str()), (Span::new(14, 15), "a newline"));
    assert_eq!(*unclosed, Some((Span::new(9, 10), '(')));
    assert_eq!(all[1].span(), Span::new(33, 34));
    let SyntaxError::UnexpectedToken { unclosed, .. } = &all[2] else {
        panic!("{all:?}")
    };
    assert_eq!(*unclosed, Some((Span::new(43, 44), '[')));
    assert_eq!(all.len(), 3, "{all:#?}");
    // A block's `}` also ends a `(` left open inside it.
    let all = errors("fn f(x) {\n  let t = g(x\n  t + 1\n}\nprint f(2) 3");
    assert_eq!(all.len(), 2, "{all:#?}");
    let SyntaxError::UnexpectedToken { unclosed, .. } = &all[1] else {
        panic!("{all:?}")
    };
    assert_eq!(*unclosed, None);
    // Inside a block inside parentheses, only the parentheses are closed.
    assert_eq!(sx("f({\n  let a = 1\n  a\n})"), "(call f {(let a 1); a})");
}

#[test]
fn unmatched_bracket() {
    let e = error("let x = 1)");
    assert_eq!(
        e,
        SyntaxError::UnmatchedBracket {
            span: Span::new(9, 10),
            found: ')'
        }
    );
    assert_eq!(e.code().as_str(), "E0107");
    assert_eq!(error("{ a ) }").code().as_str(), "E0107");
}

#[test]
fn mismatched_bracket() {
    let e = error("let x = (1 + 2]");
    assert_eq!(
        e,
        SyntaxError::MismatchedBracket {
            span: Span::new(14, 15),
            found: ']',
            open: Span::new(8, 9),
            open_char: '('
        }
    );
    assert_eq!(e.code().as_str(), "E0108");
    let d = e.to_diagnostic();
    assert_eq!(
        d.secondary,
        vec![(Span::new(8, 9), "to close this `(`".to_string())]
    );
}

#[test]
fn nesting_too_deep() {
    let src = format!("let x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = error(&src);
    assert_eq!(
        e,
        SyntaxError::NestingTooDeep {
            span: Span::new(8 + 256, 8 + 257),
            limit: 256
        }
    );
    assert_eq!(e.code().as_str(), "E0109");
    // 256 levels are fine.
    let src = format!("let x = {}1{}", "[".repeat(256), "]".repeat(256));
    assert!(parse(&src).is_ok());
    let src = format!("{}{}", "{".repeat(300), "}".repeat(300));
    assert_eq!(error(&src).code().as_str(), "E0109");
}

#[test]
fn expression_too_deep() {
    let src = format!("let x = 1{}", " + 1".repeat(5_000));
    let e = error(&src);
    assert!(
        matches!(e, SyntaxError::ExpressionTooDeep { limit: 1000, .. }),
        "{e:?}"
    );
    assert_eq!(e.code().as_str(), "E0110");
    let src = format!("let x = {}1", "-".repeat(100_000));
    assert_eq!(error(&src).code().as_str(), "E0110");
    let src = format!("let x = 1{}", "^1".repeat(100_000));
    assert_eq!(error(&src).code().as_str(), "E0110");
    let src = format!(
        "let x = if a {{ 1 }}{} else {{ 2 }}",
        " else if a { 1 }".repeat(5_000)
    );
    assert_eq!(error(&src).code().as_str(), "E0110");
    // Long but flat is fine.
    let src = format!("let x = [{}]", "-1, ".repeat(50_000));
    assert!(parse(&src).is_ok());
    let src = format!("let x = 1{}", " + 1".repeat(900));
    assert!(parse(&src).is_ok());
}

#[test]
fn deep_input_with_a_later_error_does_not_overflow() {
    let src = format!(
        "let x = 1{} )\nlet y = {}1 )",
        " + 1".repeat(100_000),
        "not ".repeat(100_000)
    );
    let all = errors(&src);
    assert!(all.iter().any(|e| e.code().as_str() == "E0110"), "{all:?}");
}

#[test]
fn bad_field() {
    let e = error("print x.shape");
    assert_eq!(
        e,
        SyntaxError::BadField {
            span: Span::new(8, 13),
            name: "shape".into()
        }
    );
    assert_eq!(e.code().as_str(), "E0111");
    assert!(e.to_diagnostic().help.unwrap().contains("shape(x)"));
}

#[test]
fn chained_comparison() {
    let e = error("assert 0 < x < 1");
    assert_eq!(
        e,
        SyntaxError::ChainedComparison {
            span: Span::new(13, 14),
            first: Span::new(9, 10)
        }
    );
    assert_eq!(e.code().as_str(), "E0112");
    assert_eq!(error("a == b == c").code().as_str(), "E0112");
}

#[test]
fn positional_after_option() {
    let e = error("print a, digits=3, b");
    assert_eq!(
        e,
        SyntaxError::PositionalAfterOption {
            span: Span::new(19, 20),
            option: Span::new(9, 17)
        }
    );
    assert_eq!(e.code().as_str(), "E0113");
    assert_eq!(error("f(axis=0, x)").code().as_str(), "E0113");
}

#[test]
fn every_error_has_a_title_label_and_code() {
    let sources = [
        "x $",
        "\"abc",
        "\"\\q\"",
        "2x",
        "let x = )",
        "1 +",
        "1)",
        "(1]",
        "x.y",
        "a<b<c",
        "f(k=1, 2)",
    ];
    for src in sources {
        for e in parse(src).unwrap_err() {
            let d = e.to_diagnostic();
            assert!(d.code.as_str().starts_with("E01"), "{src}");
            assert!(
                !d.title.is_empty() && !d.primary.1.is_empty(),
                "{src}: {d:?}"
            );
        }
    }
}

// ---- recovery ----

#[test]
fn reports_every_error_in_a_file() {
    let src = "let a = )\nlet b = 1\nprint b c\nlet c = 2 $\nfn f(x) = x.q\nlet d = (1 + 2\n";
    assert_eq!(
        titles(src),
        [
            "E0107 unmatched `)`",
            "E0105 expected an operator, `,`, a newline or `;`, found `c`",
            "E0101 invalid character `$`",
            "E0111 unknown field `.q`",
            "E0106 unexpected end of input",
        ]
    );
}

#[test]
fn recovers_inside_blocks() {
    let src = "fn f(x) {\n  let t = * 2\n  t +\n}\nprint f(1";
    let all = errors(src);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(all[0].span(), Span::new(20, 21));
}

#[test]
fn errors_are_capped() {
    let src = "let = 1\n".repeat(100);
    assert_eq!(errors(&src).len(), 20);
}

// ---- REPL completeness ----

#[test]
fn incomplete_inputs() {
    for src in [
        "let x = (1 +",
        "f(a,",
        "fn f(x) {",
        "if x {",
        "let x = 1 +",
        "print a,",
        "let y =",
        "[1, 2",
        "for i in 0..",
        "fn f(x) {\n let t = 1\n",
        "if c { 1 } else",
    ] {
        assert!(is_incomplete(src), "{src:?} should be incomplete");
    }
}

#[test]
fn complete_or_wrong_inputs() {
    for src in [
        "let x = 1",
        "print x",
        "",
        "let x = )",
        "print \"abc",
        "1)",
        "f(a b",
        "if c { 1 }",
        "x.q",
    ] {
        assert!(!is_incomplete(src), "{src:?} should not be incomplete");
    }
}

// ---- robustness ----

#[test]
fn never_panics_on_odd_input() {
    let sources = [
        "\u{0}",
        "\"",
        "\\",
        "..",
        "...",
        ".",
        "1.",
        "1..",
        "e",
        "x.",
        ".T",
        "[:]",
        "f(=)",
        "((((",
        "))))",
        "}}}",
        "{{{",
        "\u{FEFF}print 1",
        "\t\r\n",
        "#",
        "print #",
        "let",
        "fn",
        "for",
        "if",
        "else",
        "minimize",
        "param p = 1 in [",
        "x[,]",
        "x[::]",
        "f(a=1 b=2)",
        "a = = b",
        "😀",
        "\"😀",
        "print \"\\😀\"",
    ];
    for src in sources {
        let _ = parse(src);
        let _ = is_incomplete(src);
    }
}

#[test]
fn example_scripts_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "gl") {
            let src = std::fs::read_to_string(&path).unwrap();
            assert!(
                parse(&src).is_ok(),
                "{}: {:#?}",
                path.display(),
                parse(&src).unwrap_err()
            );
            assert!(!is_incomplete(&src));
            count += 1;
        }
    }
    assert!(count > 0);
}
