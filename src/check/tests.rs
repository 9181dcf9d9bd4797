//! What `gradlang check` reports, script by script.

use super::*;

/// The codes `check` reports for `src`, in source order.
pub(crate) fn codes(src: &str) -> Vec<&'static str> {
    let program = crate::syntax::parse(src).expect("test scripts parse");
    check_program(&program)
        .iter()
        .map(|e| e.code().as_str())
        .collect()
}

#[test]
fn example_scripts_are_clean() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("examples/ exists").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "gl") {
            let src = std::fs::read_to_string(&path).expect("readable");
            let program = crate::syntax::parse(&src).expect("examples parse");
            let errors = check_program(&program);
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn reports_every_error_in_source_order() {
    let src = "let v = [1, 2, 3]\n\
               print summ(v)\n\
               print exp(v, 2)\n\
               print v + [1, 2]\n\
               print lenght\n\
               minimize with adma steps=3\n";
    assert_eq!(
        codes(src),
        ["E0202", "E0203", "E0205", "E0201", "E0208", "E0220"]
    );
}

#[test]
fn names_must_be_defined_before_use_at_the_top_level() {
    assert_eq!(codes("print x\nlet x = 1"), ["E0201"]);
    assert_eq!(codes("let x = 1\nprint x"), Vec::<&str>::new());
    // A block's names end with the block.
    assert_eq!(codes("if 1 { let t = 2 }\nprint t"), ["E0201"]);
    assert_eq!(codes("for i in 0..3 { print i }\nprint i"), ["E0201"]);
}

#[test]
fn function_bodies_see_every_top_level_name() {
    // `w` is defined after `f`, but before `f` runs.
    assert!(codes("fn f(x) = x * w\nparam w = 2\nprint f(1)").is_empty());
    assert!(codes("fn f(n) = if n <= 0 { 0 } else { f(n - 1) }\nprint f(3)").is_empty());
    assert_eq!(codes("fn f(x) = x * nowhere\n"), ["E0201"]);
    // The caller's locals are not visible inside.
    assert_eq!(codes("fn f() = i\nfor i in 0..2 { print f() }"), ["E0201"]);
}

#[test]
fn calls_are_checked_against_their_definition() {
    assert_eq!(codes("fn f(a, b) = a + b\nprint f(1)"), ["E0203"]);
    assert_eq!(codes("print clamp(1, 2)"), ["E0203"]);
    assert_eq!(codes("print sum([1], axs=0)"), ["E0204"]);
    assert_eq!(codes("param p = 1\nprint grad(p^2)"), ["E0203"]);
    assert_eq!(codes("let p = 1\nprint grad(p^2, p)"), ["E0209"]);
    assert_eq!(codes("param p = 1\nprint grad(p^2, p)"), Vec::<&str>::new());
    assert_eq!(codes("print 1 + sum"), ["E0225"]);
    assert_eq!(codes("print \"a\" + 1"), ["E0224"]);
}

#[test]
fn minimize_is_checked_without_running() {
    let head = "param x = 1\nloss = (x - 2)^2\n";
    assert!(codes(&format!("{head}minimize with adam lr=0.1 steps=5")).is_empty());
    assert_eq!(
        codes(&format!("{head}minimize with adam lr=0.1")),
        ["E0219"]
    );
    assert_eq!(
        codes(&format!("{head}minimize with adam stesp=5")),
        ["E0204"]
    );
    assert_eq!(
        codes(&format!("{head}minimize with adam steps=3 steps=4")),
        ["E0219"]
    );
    assert_eq!(
        codes(&format!("{head}minimize with adam lr=\"0.1\" steps=3")),
        ["E0219"]
    );
    assert_eq!(
        codes(&format!("{head}minimize with lbfgs line_search=1 steps=3")),
        ["E0219"]
    );
    assert!(codes(&format!(
        "{head}minimize with lbfgs line_search=\"strong_wolfe\" steps=3"
    ))
    .is_empty());
    assert_eq!(codes("param x = 1\nminimize with sgd steps=1"), ["E0208"]);
    // minimize runs anywhere: in functions, loops and blocks.
    assert!(codes(&format!("{head}fn f() {{ minimize with sgd steps=1\n 1 }}")).is_empty());
    assert!(codes(&format!(
        "{head}for i in 0..2 {{ minimize with sgd steps=1 }}"
    ))
    .is_empty());
    assert_eq!(codes("param w = [1, 2]\nloss = w * 2"), ["E0207"]);
}

#[test]
fn known_shapes_are_checked() {
    assert_eq!(
        codes("let N = 4\nlet X = randn(N, 3)\nparam w = zeros(2, 1)\nprint X @ w"),
        ["E0205"]
    );
    assert_eq!(codes("print [[1, 2], [3]]"), ["E0205"]);
    assert_eq!(codes("let m = ones(2, 3)\nprint m[2, 0]"), ["E0221"]);
    assert_eq!(codes("let v = [1, 2]\nprint v[0, 0]"), ["E0222"]);
    assert_eq!(codes("print sum(ones(2, 3), axis=2)"), ["E0206"]);
    assert_eq!(codes("print zeros(1e12)"), ["E0218"]);
    assert_eq!(codes("param p = 2 in [0, 1]"), ["E0211"]);
    assert_eq!(codes("if [1, 2] > 0 { print 1 }"), ["E0210"]);
    // Shapes that depend on a branch or a loop are not guessed.
    assert!(codes("let v = [1, 2]\nif 1 { v = [1, 2, 3] }\nprint v + [1, 2, 3]").is_empty());
    assert!(codes("let s = 0\nfor i in 0..3 { s = hstack(s, i) }\nprint s + [1, 2]").is_empty());
    assert!(codes("let d = csv(\"x.csv\")\nprint d @ ones(5, 1)").is_empty());
}

#[test]
fn assignments_need_a_let() {
    assert_eq!(codes("total = 1"), ["E0216"]);
    // A param may be set as data, keeping its shape.
    assert!(codes("param w = [1, 2]\nw = [3, 4]\nw -= 1\nw = 0").is_empty());
    assert_eq!(codes("param w = [1, 2]\nw = [1, 2, 3]"), ["E0205"]);
    assert!(codes("let t = 0\nfor i in 0..3 { t = t + i }").is_empty());
}

#[test]
fn loop_exits_need_a_loop() {
    assert!(codes("let i = 0\nwhile i < 3 { i += 1; if i > 1 { break } }").is_empty());
    assert!(codes("for i in 0..3 { if i == 1 { continue } }").is_empty());
    assert_eq!(codes("break"), ["E0217"]);
    assert_eq!(codes("if 1 { continue }"), ["E0217"]);
    // A function body cannot end its caller's loop.
    assert_eq!(codes("fn f() { break }\nfor i in 0..2 { f() }"), ["E0217"]);
}

#[test]
fn creation_and_rearranging_follow_known_numbers() {
    let none = Vec::<&str>::new();
    assert_eq!(codes("print zeros(2.5)"), ["E0206"]);
    assert_eq!(codes("print ones(-1, 2)"), ["E0206"]);
    // The dimensions as one vector, literal or from `shape`.
    assert_eq!(
        codes("let x = zeros(2, 3)\nprint zeros(shape(x)) + ones(3)"),
        none
    );
    assert_eq!(
        codes("let x = zeros(2, 3)\nprint zeros(shape(x)) + ones(2)"),
        ["E0205"]
    );
    assert_eq!(codes("print reshape(zeros(6), [4, 2])"), ["E0206"]);
    assert_eq!(codes("print reshape(zeros(6), [-1, 4])"), ["E0206"]);
    assert_eq!(
        codes("print reshape(zeros(6), [-1, 2]) @ ones(3)"),
        ["E0205"]
    );
    assert_eq!(codes("print reshape(zeros(6), [-1, 2]) @ ones(2)"), none);
    assert_eq!(codes("print hstack(ones(3, 1), ones(2, 1))"), ["E0205"]);
    assert_eq!(codes("print hstack(1, [2, 3]) + ones(3)"), none);
    assert_eq!(codes("print vstack([1, 2], [3, 4]) @ ones(3)"), ["E0205"]);
    assert_eq!(
        codes("print concat(ones(2, 2), ones(2, 3), axis=1) + ones(5)"),
        none
    );
    assert_eq!(codes("print concat(ones(2, 2), ones(2, 3))"), ["E0205"]);
    assert_eq!(codes("print concat(1, 2)"), ["E0206"]);
    // Unknown sizes are never an error.
    assert_eq!(
        codes("param n = 2\nprint zeros(n) + reshape(ones(4), [n, -1])"),
        none
    );
}

#[test]
fn calling_a_function_without_a_value_is_an_error() {
    assert_eq!(codes("fn f(x) { print x }\nprint f(1)"), ["E0223"]);
    assert_eq!(
        codes("fn f(x) { print x\n x }\nprint f(1)"),
        Vec::<&str>::new()
    );
    // Defining it is not, nor calling it for its effects.
    assert_eq!(codes("fn f(x) { print x }"), Vec::<&str>::new());
    assert_eq!(codes("fn f(x) { print x }\nf(1)"), Vec::<&str>::new());
}

#[test]
fn a_call_with_known_shapes_checks_the_body_with_them() {
    let f = "fn f(a) = a + [1, 2, 3]\n";
    assert_eq!(codes(&format!("{f}print f([1, 2])")), ["E0205"]);
    assert!(codes(&format!("{f}print f([1, 2, 3])")).is_empty());
    assert!(codes(&format!("{f}let v = randn(4)\nprint f(v[:3])")).is_empty());
    // Through nested calls, reported once with every call.
    let nested = "fn h(a) = a + [1, 2, 3]\nfn g(a) = h(a) * 2\nprint g([1, 2])";
    let program = crate::syntax::parse(nested).expect("parses");
    match &check_program(&program)[..] {
        [EvalError::InCall { name, error, .. }] => {
            assert_eq!(name, "g");
            assert!(matches!(&**error, EvalError::InCall { name, .. } if name == "h"));
        }
        other => panic!("{other:#?}"),
    }
    // The result's shape is known after the call.
    assert_eq!(
        codes("fn twice(a) = [a, a]\nprint twice([1, 2]) + [1, 2, 3]"),
        ["E0205"]
    );
}

#[test]
fn a_branch_the_call_may_not_take_reports_nothing() {
    let f = "fn f(x) = if len(x) == 2 { x + [1, 2] } else { x }\n";
    assert!(codes(&format!("{f}print f([1, 2, 3])")).is_empty());
    assert!(codes(&format!("{f}print f([1, 2])")).is_empty());
    let g = "fn g(x, c) = if c { x + [1, 2] } else { x }\n";
    assert!(codes(&format!("{g}let c = rand() > 0.5\nprint g([1, 2, 3], c)")).is_empty());
    assert_eq!(codes(&format!("{g}print g([1, 2, 3], 1)")), ["E0205"]);
}

#[test]
fn recursion_and_fan_out_stay_bounded() {
    assert!(codes("fn f(a) = f(a + 1) * 2\nprint f([1, 2])").is_empty());
    assert!(codes("fn f(a) = g(a)\nfn g(a) = f(a)\nprint f([1, 2])").is_empty());
    // Seven levels of ten calls each: 10^6 walks without the budget.
    let mut src = String::from("fn f0(a) = a + [1, 2]\n");
    for k in 1..7 {
        let calls: Vec<String> = (0..10).map(|_| format!("f{}(a)", k - 1)).collect();
        src += &format!("fn f{k}(a) = {}\n", calls.join(" + "));
    }
    src += "print f6([1, 2, 3])\n";
    let start = std::time::Instant::now();
    assert!(!codes(&src).is_empty());
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}
