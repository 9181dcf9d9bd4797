//! The Moré–Garbow–Hillstrom test problems (ACM TOMS 7(1), 1981) for the
//! second-order optimizers: `newton` and `lbfgs` minimize each of the 36
//! instances in tests/data/mgh/ from the paper's standard starting point,
//! and the final loss is compared with the minimum the paper reports.
//!
//! Each problem is a gradlang script written from the paper's definition
//! (its header names the problem and lists the paper's f* values). The
//! instances are problems 1–35 at the sizes of the paper's tables (n = 10
//! for the variable-size ones, m = 20 for the linear functions, n = 8 for
//! Chebyquad), with Watson at both n = 6 and n = 9.
//!
//! A run reaches f* when its final loss is within 1e-4 relative (the paper
//! gives six digits) plus 1e-10 absolute of one of the minima the paper
//! lists for the problem, or below all of them. The table of every run is
//! printed with `cargo test --release --test mgh -- --nocapture`.

use std::cell::RefCell;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;

use gradlang::driver::eval_str;
use gradlang::eval::Interp;

/// Collects what a script prints.
#[derive(Clone, Default)]
struct Out(Rc<RefCell<Vec<u8>>>);

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One problem: file name, title, the paper's minima, the script.
struct Problem {
    name: String,
    fstar: Vec<f64>,
    src: String,
}

fn problems() -> Vec<Problem> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mgh");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("tests/data/mgh exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".gl"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let src = fs::read_to_string(dir.join(&name)).expect("readable");
            let fstar = src
                .lines()
                .find_map(|l| l.strip_prefix("# f*: "))
                .unwrap_or_else(|| panic!("{name}: no `# f*:` line"))
                .split_whitespace()
                .map(|v| v.parse().expect("f* is a number"))
                .collect();
            Problem {
                name: name.trim_end_matches(".gl").to_string(),
                fstar,
                src,
            }
        })
        .collect()
}

/// The outcome of one run: the final loss (or the error), the summary line.
struct Run {
    loss: Option<f64>,
    summary: String,
}

fn run(p: &Problem, minimize: &str) -> Run {
    let out = Out::default();
    let mut interp = Interp::new(1, Box::new(out.clone()));
    let src = format!("{}\n{minimize}\nloss\n", p.src);
    let result = eval_str(&mut interp, &src);
    let printed = String::from_utf8_lossy(&out.0.borrow()).into_owned();
    let summary = printed.lines().last().unwrap_or("").to_string();
    match result {
        Ok(Some(t)) => Run {
            loss: t.as_scalar(),
            summary,
        },
        Ok(None) => Run {
            loss: None,
            summary,
        },
        Err(d) => Run {
            loss: None,
            summary: format!("{summary} / error {:?}", d[0].code),
        },
    }
}

fn reaches(loss: f64, fstar: &[f64]) -> bool {
    let close = |f: f64| (loss - f).abs() <= 1e-4 * f.abs() + 1e-10;
    fstar.iter().any(|&f| close(f)) || fstar.iter().all(|&f| loss < f)
}

/// Runs every problem with `minimize`; prints the table and returns the
/// names of the problems whose f* was not reached.
fn suite(label: &str, minimize: &str) -> Vec<String> {
    let problems = problems();
    assert_eq!(problems.len(), 36, "36 standard instances");
    println!("\n{label}: `{minimize}`");
    println!(
        "{:<26} {:>14} {:>12}  summary",
        "problem", "final loss", "f*"
    );
    let mut missed = Vec::new();
    for p in &problems {
        let r = run(p, minimize);
        let ok = r.loss.is_some_and(|l| reaches(l, &p.fstar));
        println!(
            "{:<26} {:>14} {:>12}  {}{}",
            p.name,
            r.loss.map_or("-".to_string(), |l| format!("{l:.6e}")),
            format!("{:e}", p.fstar[0]),
            if ok { "" } else { "MISSED " },
            r.summary
        );
        if !ok {
            missed.push(p.name.clone());
        }
    }
    println!("{label}: f* reached on {} of 36", 36 - missed.len());
    missed
}

#[test]
fn newton_reaches_fstar_on_35_of_36() {
    let missed = suite("newton", "minimize with newton steps=1000");
    // Trigonometric's published minimum 0 is not the one a local method
    // finds from the standard start.
    assert!(
        missed.iter().all(|m| m == "26_trigonometric"),
        "newton missed {missed:?}"
    );
}

#[test]
fn lbfgs_reaches_fstar_on_35_of_36() {
    // With its strong-Wolfe search and tolerances tight enough not to stop
    // on the first slow stretch.
    let missed = suite(
        "lbfgs",
        "minimize with lbfgs line_search=\"strong_wolfe\" tolerance_grad=1e-10 tolerance_change=0 steps=1000",
    );
    assert!(
        missed.iter().all(|m| m == "26_trigonometric"),
        "lbfgs missed {missed:?}"
    );
}
