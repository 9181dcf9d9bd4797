//! The optimizers against PyTorch 2.15's float64 trajectories.
//!
//! Every `tests/data/refs/*.csv` holds one torch run, made by
//! `tests/data/refs/gen_refs.py`: comment lines naming the problem and the
//! same run in gradlang's option names (`# gradlang: OPTIMIZER name=value
//! ...`), then the loss and the params after each `step()`. The test finds
//! the files the way the golden test finds scripts: each one is replayed
//! from the same start with gradients computed as torch's autograd computes
//! them, and checked at every step to 1e-9 relative while the loss is still
//! falling (after that, rounding noise near the optimum may be amplified, as
//! docs/optimizers.md explains), and at the end with a tolerance. A CSV
//! without the `# gradlang:` line, or one that cannot be replayed, fails.
//! `GRADLANG_REFS_REPORT=1 cargo test --test optim_refs -- --nocapture`
//! prints how close each run came.

use std::fs;
use std::path::Path;

use gradlang::optim::{self, Interrupt, Objective, OptValue, OptionError, StepStatus};

/// The puzzle A+B=9, C-D=1, A+C=8, B-D=2, loss = sum of squared residuals.
struct Puzzle;

impl Objective for Puzzle {
    fn eval(&mut self, p: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt> {
        let (a, b, c, d) = (p[0], p[1], p[2], p[3]);
        let r = [a + b - 9.0, c - d - 1.0, a + c - 8.0, b - d - 2.0];
        // d(r^2)/dr = 2r exactly, and each param collects two terms, so the
        // chain rule per residual matches autograd bit for bit.
        let g: Vec<f64> = r.iter().map(|ri| 2.0 * ri).collect();
        grad.copy_from_slice(&[g[0] + g[2], g[0] + g[3], g[1] + g[2], -g[1] - g[3]]);
        Ok(r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + r[3] * r[3])
    }

    fn hessian(&mut self, _p: &[f64], hess: &mut [f64]) -> Result<(), Interrupt> {
        hess.copy_from_slice(&[
            4.0, 2.0, 2.0, 0.0, //
            2.0, 4.0, 0.0, -2.0, //
            2.0, 0.0, 4.0, -2.0, //
            0.0, -2.0, -2.0, 4.0,
        ]);
        Ok(())
    }
}

/// Rosenbrock's banana (1-x)^2 + 100(y-x^2)^2, minimum 0 at (1, 1).
struct Rosenbrock;

impl Objective for Rosenbrock {
    fn eval(&mut self, p: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt> {
        let (x, y) = (p[0], p[1]);
        let a = 1.0 - x;
        let b = y - x * x;
        // Autograd's order: pow's backward is grad * (2 * base).
        let gb = 100.0 * (2.0 * b);
        grad[0] = -(2.0 * a) + -gb * (2.0 * x);
        grad[1] = gb;
        Ok(a * a + 100.0 * (b * b))
    }

    fn hessian(&mut self, p: &[f64], hess: &mut [f64]) -> Result<(), Interrupt> {
        let (x, y) = (p[0], p[1]);
        let xy = -400.0 * x;
        hess.copy_from_slice(&[2.0 - 400.0 * y + 1200.0 * x * x, xy, xy, 200.0]);
        Ok(())
    }
}

/// The objective a reference's `# problem:` line names, and its start.
fn objective(problem: &str) -> Result<(Box<dyn Objective>, Vec<f64>), String> {
    match problem {
        "puzzle" => Ok((Box::new(Puzzle), vec![0.1, 0.2, 0.3, 0.4])),
        "rosenbrock" => Ok((Box::new(Rosenbrock), vec![-1.2, 1.0])),
        other => Err(format!("unknown problem `{other}`")),
    }
}

/// One reference run: rows of (loss, params) after 0, 1, 2, ... steps.
struct Reference {
    problem: String,
    optimizer: String,
    options: Vec<(String, OptValue)>,
    rows: Vec<(f64, Vec<f64>)>,
}

/// Splits `OPTIMIZER name=value ...` (a string value in double quotes).
fn parse_options(words: &str) -> Result<(String, Vec<(String, OptValue)>), String> {
    let mut words = words.split_whitespace();
    let optimizer = words.next().ok_or("no optimizer name")?.to_string();
    let options = words
        .map(|w| {
            let (name, value) = w
                .split_once('=')
                .ok_or_else(|| format!("`{w}` is not name=value"))?;
            let value = match value.strip_prefix('"') {
                Some(s) => OptValue::Str(s.trim_end_matches('"').to_string()),
                None => OptValue::Number(
                    value
                        .parse()
                        .map_err(|_| format!("`{w}`: the value is not a number"))?,
                ),
            };
            Ok((name.to_string(), value))
        })
        .collect::<Result<_, String>>()?;
    Ok((optimizer, options))
}

/// Reads one reference CSV; `Ok(None)` when it has no `# gradlang:` line.
fn load(path: &Path) -> Result<Option<Reference>, String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (mut problem, mut run) = ("", None);
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(comment) = line.strip_prefix("# ") {
            if let Some(p) = comment.strip_prefix("problem: ") {
                problem = p.split_whitespace().next().unwrap_or("");
            } else if let Some(g) = comment.strip_prefix("gradlang: ") {
                run = Some(g);
            }
        } else if !line.starts_with("step") {
            let fields = line
                .split(',')
                .skip(1)
                .map(str::parse)
                .collect::<Result<Vec<f64>, _>>()
                .map_err(|e| format!("line {}: {e}", n + 1))?;
            if fields.len() < 2 {
                return Err(format!("line {}: no loss and params", n + 1));
            }
            rows.push((fields[0], fields[1..].to_vec()));
        }
    }
    let Some(run) = run else { return Ok(None) };
    if rows.is_empty() {
        return Err("no rows".into());
    }
    let (optimizer, options) = parse_options(run)?;
    Ok(Some(Reference {
        problem: problem.to_string(),
        optimizer,
        options,
        rows,
    }))
}

/// Runs the same steps as the reference: rows of (loss, params).
fn replay(r: &Reference) -> Result<Vec<(f64, Vec<f64>)>, String> {
    let (mut obj, mut x) = objective(&r.problem)?;
    if r.rows.iter().any(|row| row.1.len() != x.len()) {
        return Err(format!("a row does not have {} params", x.len()));
    }
    let mut opt = optim::build(&r.optimizer, &r.options, x.len())
        .map_err(|e| format!("`{} ...`: {e}", r.optimizer))?;
    let mut grad = vec![0.0; x.len()];
    let mut rows = Vec::new();
    for _ in 1..r.rows.len() {
        let loss = obj.eval(&x, &mut grad).unwrap();
        rows.push((loss, x.clone()));
        opt.step(&mut x, loss, &grad, obj.as_mut()).unwrap();
    }
    let loss = obj.eval(&x, &mut grad).unwrap();
    rows.push((loss, x));
    Ok(rows)
}

fn rel(ours: f64, theirs: f64) -> f64 {
    if ours == theirs {
        0.0
    } else {
        (ours - theirs).abs() / theirs.abs()
    }
}

/// How far the replay is from the reference, as the module docs describe.
struct Agreement {
    /// Rows up to the reference's lowest loss, where it stops falling
    /// (momentum may make it rise on the way).
    falling: usize,
    /// Largest relative difference of a param over those rows.
    max_rel: f64,
    /// Rows (of all) whose params match to the last bit, and the first that does not.
    identical: usize,
    first_difference: Option<usize>,
    rows: usize,
    /// Final params and loss: largest relative difference.
    final_param_rel: f64,
    final_loss_rel: f64,
}

fn compare(name: &str, r: &Reference, ours: &[(f64, Vec<f64>)]) -> Agreement {
    let lowest = (0..r.rows.len()).fold(0, |m, k| if r.rows[k].0 < r.rows[m].0 { k } else { m });
    let falling = lowest + 1;
    let param_rel = |k: usize| {
        ours[k]
            .1
            .iter()
            .zip(&r.rows[k].1)
            .map(|(a, b)| rel(*a, *b))
            .fold(0.0, f64::max)
    };
    let last = r.rows.len() - 1;
    let a = Agreement {
        falling,
        max_rel: (0..falling).map(param_rel).fold(0.0, f64::max),
        identical: (0..r.rows.len())
            .filter(|&k| ours[k].1 == r.rows[k].1)
            .count(),
        first_difference: (0..r.rows.len()).find(|&k| ours[k].1 != r.rows[k].1),
        rows: r.rows.len(),
        final_param_rel: param_rel(last),
        final_loss_rel: rel(ours[last].0, r.rows[last].0),
    };
    if std::env::var_os("GRADLANG_REFS_REPORT").is_some() {
        println!(
            "{name:34} falling rows {:4}: max rel {:.1e}; bit-identical rows {}/{} (first difference {:?}); final params {:.1e}, final loss {:.1e}",
            a.falling, a.max_rel, a.identical, a.rows, a.first_difference, a.final_param_rel, a.final_loss_rel
        );
    }
    a
}

/// Every step up to the lowest loss must agree to this, relative.
const STEP_TOL: f64 = 1e-9;
/// The final params and loss must agree to this, relative (the loss also
/// to 1e-20 absolute, for runs that end at ~1e-31).
const FINAL_TOL: f64 = 1e-9;

/// Replays `r` and checks it against torch; the failure, if any.
fn check(name: &str, r: &Reference) -> Result<(), String> {
    let ours = replay(r)?;
    let a = compare(name, r, &ours);
    if a.max_rel > STEP_TOL {
        return Err(format!(
            "params differ by {:.2e} relative within the first {} steps",
            a.max_rel, a.falling
        ));
    }
    let last = &r.rows[r.rows.len() - 1];
    let loss_ok = (ours[ours.len() - 1].0 - last.0).abs() <= FINAL_TOL * last.0.abs() + 1e-20;
    if a.final_param_rel > FINAL_TOL || !loss_ok {
        return Err(format!(
            "final params differ by {:.2e}, final loss by {:.2e} (tolerance {FINAL_TOL:.0e})",
            a.final_param_rel, a.final_loss_rel
        ));
    }
    Ok(())
}

/// Every reference CSV, replayed and checked; all failures reported at once.
#[test]
fn every_torch_reference() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/refs");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").file_name())
        .filter_map(|f| {
            f.to_str()
                .and_then(|f| f.strip_suffix(".csv"))
                .map(String::from)
        })
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for name in &names {
        let outcome = match load(&dir.join(format!("{name}.csv"))) {
            Ok(Some(r)) => check(name, &r),
            Ok(None) => Err("ORPHAN, no `# gradlang:` line saying what to run; \
                             regenerate it with gen_refs.py or delete it"
                .into()),
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            failures.push(format!("tests/data/refs/{name}.csv: {e}"));
        }
    }
    assert!(!names.is_empty(), "no reference CSVs in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {} torch references failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

/// Steps until the optimizer reports a fixed point; the final params.
fn run_to_convergence(
    optimizer: &str,
    options: &str,
    start: [f64; 2],
    max_steps: usize,
) -> Vec<f64> {
    let (_, opts) = parse_options(&format!("{optimizer} {options}")).unwrap();
    let mut opt = optim::build(optimizer, &opts, 2).unwrap();
    let mut x = start.to_vec();
    let mut grad = [0.0; 2];
    for _ in 0..max_steps {
        let loss = Rosenbrock.eval(&x, &mut grad).unwrap();
        match opt.step(&mut x, loss, &grad, &mut Rosenbrock).unwrap() {
            StepStatus::Continue => {}
            StepStatus::Converged | StepStatus::SmallGradient { .. } | StepStatus::Stopped(_) => {
                return x
            }
            StepStatus::LineSearchFailed => panic!("{optimizer}: line search failed at {x:?}"),
        }
    }
    panic!("{optimizer}: no convergence in {max_steps} steps, at {x:?}");
}

#[test]
fn newton_reaches_the_rosenbrock_minimum() {
    let x = run_to_convergence("newton", "", [-1.2, 1.0], 100);
    assert!(
        (x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12,
        "{x:?}"
    );
}

#[test]
fn newton_escapes_an_indefinite_hessian() {
    // At (0, 1) the Hessian is diag(-398, 200).
    let x = run_to_convergence("newton", "", [0.0, 1.0], 100);
    assert!(
        (x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12,
        "{x:?}"
    );
}

#[test]
fn newton_solves_the_puzzle_despite_its_singular_hessian() {
    // The four equations have rank 3: a line of exact solutions.
    let mut opt = optim::build("newton", &[], 4).unwrap();
    let mut x = vec![0.1, 0.2, 0.3, 0.4];
    let mut grad = [0.0; 4];
    let mut loss = Puzzle.eval(&x, &mut grad).unwrap();
    for _ in 0..20 {
        if opt.step(&mut x, loss, &grad, &mut Puzzle).unwrap() != StepStatus::Continue {
            break;
        }
        loss = Puzzle.eval(&x, &mut grad).unwrap();
    }
    assert!(loss < 1e-20, "loss {loss} at {x:?}");
}

/// An objective whose evaluations all fail (after the driver's first).
struct Failing;

impl Objective for Failing {
    fn eval(&mut self, _x: &[f64], _grad: &mut [f64]) -> Result<f64, Interrupt> {
        Err(Interrupt)
    }

    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> Result<(), Interrupt> {
        Rosenbrock.hessian(x, hess)
    }
}

#[test]
fn an_interrupted_objective_stops_the_step() {
    for (optimizer, options) in [
        ("lbfgs", vec![]),
        (
            "lbfgs",
            vec![(
                "line_search".to_string(),
                OptValue::Str("strong_wolfe".into()),
            )],
        ),
        ("newton", vec![]),
    ] {
        let mut opt = optim::build(optimizer, &options, 2).unwrap();
        let mut x = vec![-1.2, 1.0];
        let mut grad = [0.0; 2];
        let loss = Rosenbrock.eval(&x, &mut grad).unwrap();
        let result = opt.step(&mut x, loss, &grad, &mut Failing);
        assert!(result.is_err(), "{optimizer} {options:?}");
    }
}

#[test]
fn lbfgs_strong_wolfe_reaches_the_rosenbrock_minimum() {
    let opts = "line_search=\"strong_wolfe\" tolerance_grad=1e-12 tolerance_change=1e-20";
    let x = run_to_convergence("lbfgs", opts, [-1.2, 1.0], 100);
    assert!(
        (x[0] - 1.0).abs() < 1e-10 && (x[1] - 1.0).abs() < 1e-10,
        "{x:?}"
    );
}

fn build_err(optimizer: &str, options: &[(&str, OptValue)]) -> OptionError {
    let opts: Vec<(String, OptValue)> = options
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    match optim::build(optimizer, &opts, 4) {
        Ok(_) => panic!("{optimizer} {options:?} was accepted"),
        Err(e) => e,
    }
}

#[test]
fn bad_names_come_with_the_valid_ones() {
    match build_err("nadm", &[]) {
        OptionError::UnknownOptimizer { name, known } => {
            assert_eq!(name, "nadm");
            assert!(known.contains(&"nadam") && known == optim::OPTIMIZERS);
        }
        e => panic!("{e:?}"),
    }
    match build_err(
        "adam",
        &[
            ("lr", OptValue::Number(0.1)),
            ("betas", OptValue::Number(0.9)),
        ],
    ) {
        OptionError::UnknownOption { index, valid, .. } => {
            assert_eq!(index, 1);
            assert_eq!(Some(valid.clone()), optim::option_names("adam"));
            assert!(valid.contains(&"beta1"));
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(optim::option_names("nope"), None);
}

/// Asserts that `optimizer` rejects `options` for the value of option `at`.
fn assert_bad_value(optimizer: &str, options: &[(&str, OptValue)], at: usize) {
    match build_err(optimizer, options) {
        OptionError::BadValue { index, .. } => assert_eq!(index, at, "{optimizer} {options:?}"),
        e => panic!("{optimizer} {options:?}: {e:?}"),
    }
}

#[test]
fn bad_values_point_at_their_option() {
    let n = OptValue::Number;
    let s = |v: &str| OptValue::Str(v.to_string());
    assert_bad_value("sgd", &[("momentum", n(0.9)), ("lr", n(-0.1))], 1);
    assert_bad_value("sgd", &[("nesterov", n(1.0))], 0);
    let damped = [
        ("momentum", n(0.9)),
        ("dampening", n(0.1)),
        ("nesterov", n(1.0)),
    ];
    assert_bad_value("sgd", &damped, 2);
    assert_bad_value("adam", &[("beta1", n(1.0))], 0);
    assert_bad_value("adam", &[("amsgrad", n(2.0))], 0);
    assert_bad_value("nadam", &[("lr", s("fast"))], 0);
    assert_bad_value("lbfgs", &[("line_search", s("wolfe"))], 0);
    assert_bad_value("lbfgs", &[("line_search", n(1.0))], 0);
    assert_bad_value("lbfgs", &[("max_iter", n(2.5))], 0);
    assert_bad_value("lbfgs", &[("history_size", n(0.0))], 0);
    assert_bad_value("rmsprop", &[("eps", n(f64::NAN))], 0);
    assert_bad_value("newton", &[("radius", n(0.0))], 0);
    assert!(matches!(
        build_err("sgd", &[("lr", n(0.1)), ("lr", n(0.2))]),
        OptionError::DuplicateOption { index: 1, first: 0 }
    ));
}
