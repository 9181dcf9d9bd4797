//! Per-step cost of `minimize` (issue 6, targets 2-4): puzzle.gl and
//! polyfit.gl through the library, each beside the hand-written Rust loop
//! (closed-form gradient, same NAdam update, same data) in
//! `common/baseline.rs`, with the ratio and the peer figures printed at the
//! end.
//!
//! How a step is timed: every measured iteration gets a fresh interpreter
//! that has already run the script's preamble (seed, data, params, loss;
//! not timed), then times the whole `minimize ... steps=K` statement and
//! divides by K. That includes parsing the statement, building the
//! optimizer and the two extra loss evaluations `minimize` does (one to find
//! the params, one for the final loss). Criterion's own report is that
//! whole statement per iteration (its throughput line is steps per second).
//! The summary at the end then measures the fixed part separately
//! (`steps=0`, likewise for the baseline's final loss evaluation) and
//! judges the targets on the step time without it: (T(K) - T(0)) / K.
//!
//! `cargo bench --bench optimize` (add `-- puzzle` to run one group;
//! `GRADLANG_BENCH_CLOCK=cpu` times in CPU time on a busy machine).

mod common;

use std::cell::RefCell;
use std::hint::black_box;
use std::time::Duration;

use common::{bench_mode, fmt_secs, max_abs_diff, median, met, Problem, Stopwatch};
use criterion::Criterion;

/// One benchmark group: a problem, its step count and the figures.
struct Case {
    id: &'static str,
    problem: Problem,
    steps: u64,
    samples: usize,
    measure: Duration,
    /// PyTorch eager, JAX jit per step, JAX whole loop, NumPy (s per step).
    peers: [Option<f64>; 4],
    /// Target per step (s) and largest allowed ratio to the baseline.
    target: Option<f64>,
    max_ratio: Option<f64>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "puzzle",
            problem: Problem::Puzzle,
            steps: 2000,
            samples: 20,
            measure: Duration::from_secs(3),
            peers: [Some(400e-6), Some(26.5e-6), Some(0.08e-6), None],
            target: Some(0.5e-6),
            max_ratio: Some(10.0),
        },
        Case {
            id: "polyfit_n20",
            problem: Problem::Polyfit { n: 20 },
            steps: 1000,
            samples: 20,
            measure: Duration::from_secs(3),
            peers: [Some(210e-6), Some(13.8e-6), Some(0.53e-6), Some(11.5e-6)],
            target: Some(2e-6),
            max_ratio: None,
        },
        Case {
            id: "polyfit_n1e6",
            problem: Problem::Polyfit { n: 1_000_000 },
            steps: 100,
            samples: 10,
            measure: Duration::from_secs(8),
            peers: [Some(8.6e-3), Some(6.7e-3), Some(6.0e-3), Some(6.8e-3)],
            target: Some(8.6e-3 / 2.0),
            max_ratio: Some(1.3),
        },
    ]
}

/// Seconds per step of each measured sample, warm-up calls included;
/// criterion calls the routine once per sample after warming up, so the
/// last `samples` entries are the measurement.
#[derive(Default)]
struct Samples(RefCell<Vec<f64>>);

impl Samples {
    fn push(&self, per_step: f64) {
        self.0.borrow_mut().push(per_step);
    }

    fn median_of_last(&self, n: usize) -> Option<f64> {
        let v = self.0.borrow();
        (!v.is_empty()).then(|| median(&v[v.len().saturating_sub(n)..]))
    }
}

struct Outcome {
    /// Whole `minimize` statement / K, and the baseline's whole run / K.
    gradlang: Option<f64>,
    baseline: Option<f64>,
    /// The fixed parts (steps=0) of both.
    fixed: Option<(f64, f64)>,
    diff: Option<f64>,
}

impl Outcome {
    /// Per step without the fixed part: (gradlang, baseline).
    fn net(&self, steps: u64) -> Option<(f64, f64)> {
        let (g, b, (fg, fb)) = (self.gradlang?, self.baseline?, self.fixed?);
        let k = steps as f64;
        Some((g - fg / k, b - fb / k))
    }
}

fn bench_case(c: &mut Criterion, case: &Case) -> Outcome {
    let (gl, bl) = (Samples::default(), Samples::default());
    let steps = case.steps;
    let mut group = common::step_group(c, case.id, case.samples, case.measure, steps);
    group.bench_function("gradlang", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut interp = case.problem.setup();
                total += common::time_minimize(case.problem, &mut interp, steps);
            }
            gl.push(total.as_secs_f64() / (iters * steps) as f64);
            total
        })
    });
    let mut interp = case.problem.setup();
    let base = case.problem.baseline(&mut interp);
    drop(interp);
    group.bench_function("baseline", |b| {
        b.iter_custom(|iters| {
            let watch = Stopwatch::start();
            for _ in 0..iters {
                black_box(base.run(black_box(steps)));
            }
            let total = watch.elapsed();
            bl.push(total.as_secs_f64() / (iters * steps) as f64);
            total
        })
    });
    group.finish();

    let (gradlang, baseline) = (
        gl.median_of_last(case.samples),
        bl.median_of_last(case.samples),
    );
    let measured = gradlang.is_some() && baseline.is_some();
    Outcome {
        gradlang,
        baseline,
        fixed: measured.then(|| fixed_costs(case, &base)),
        diff: measured.then(|| agreement(case, &base)),
    }
}

/// The parts of a run that do not grow with `steps`, as medians of
/// `steps=0` runs: for gradlang parsing the statement, building the
/// optimizer and two loss-and-gradient evaluations; for the baseline its
/// final loss evaluation.
fn fixed_costs(case: &Case, base: &common::Baseline) -> (f64, f64) {
    let reps = match (bench_mode(), case.steps < 100) {
        (false, _) => 1,
        (true, true) => 5,
        (true, false) => 21,
    };
    let gradlang: Vec<f64> = (0..reps)
        .map(|_| {
            let mut interp = case.problem.setup();
            common::time_minimize(case.problem, &mut interp, 0).as_secs_f64()
        })
        .collect();
    let baseline: Vec<f64> = (0..reps)
        .map(|_| {
            let watch = Stopwatch::start();
            black_box(base.run(black_box(0)));
            watch.elapsed().as_secs_f64()
        })
        .collect();
    (median(&gradlang), median(&baseline))
}

/// How far gradlang's final params are from the baseline's after the same
/// steps (a check that both run the same update on the same data).
fn agreement(case: &Case, base: &common::Baseline) -> f64 {
    let mut interp = case.problem.setup();
    common::run(&mut interp, &case.problem.minimize(case.steps));
    let ours = case.problem.params(&mut interp);
    let (theirs, _) = base.run(case.steps);
    let d = max_abs_diff(&ours, &theirs);
    // Same gradients up to summation order, so only rounding may differ
    // (polyfit's lr=0.1 can amplify it late in a run; docs/optimizers.md).
    if matches!(case.problem, Problem::Puzzle) {
        assert!(d < 1e-9, "gradlang and the baseline disagree by {d:e}");
    }
    d
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), fmt_secs)
}

fn summary(cases: &[Case], outcomes: &[Outcome]) {
    common::warn_if_busy();
    if !bench_mode() {
        println!("\n(test mode: one iteration per case, a smoke test, not a measurement)");
    }
    println!(
        "\n== gradlang vs hand-written Rust baseline (median {}, per NAdam step) ==",
        common::clock_name()
    );
    println!(
        "{:<13} {:>6} {:>11} {:>11} {:>11} {:>8} {:>11} {:>11} {:>11} {:>11} {:>9}",
        "case",
        "steps",
        "gradlang/K",
        "gradlang",
        "baseline",
        "ratio",
        "torch eager",
        "JAX jit",
        "JAX loop",
        "NumPy",
        "max|Δθ|"
    );
    for (case, o) in cases.iter().zip(outcomes) {
        let (Some(whole), Some((g, b))) = (o.gradlang, o.net(case.steps)) else {
            continue;
        };
        println!(
            "{:<13} {:>6} {:>11} {:>11} {:>11} {:>7.1}x {:>11} {:>11} {:>11} {:>11} {:>9}",
            case.id,
            case.steps,
            fmt_secs(whole),
            fmt_secs(g),
            fmt_secs(b),
            g / b,
            opt(case.peers[0]),
            opt(case.peers[1]),
            opt(case.peers[2]),
            opt(case.peers[3]),
            o.diff.map_or("-".into(), |d| format!("{d:.1e}")),
        );
    }
    println!(
        "gradlang/K: the whole `minimize` statement over K; gradlang and baseline: \
         per step without the fixed part below; ratio: gradlang / baseline"
    );
    println!("\nfixed part of one run (steps=0), gradlang and baseline:");
    for (case, o) in cases.iter().zip(outcomes) {
        if let Some((g, b)) = o.fixed {
            println!("  {:<13} {:>11} {:>11}", case.id, fmt_secs(g), fmt_secs(b));
        }
    }
    if !bench_mode() {
        return;
    }
    println!("\n== issue 6 targets ==");
    for (case, o) in cases.iter().zip(outcomes) {
        let Some((g, b)) = o.net(case.steps) else {
            continue;
        };
        if let Some(t) = case.target {
            println!(
                "  {:<13} per step {} <= {}: {}",
                case.id,
                fmt_secs(g),
                fmt_secs(t),
                met(g <= t)
            );
        }
        if let Some(r) = case.max_ratio {
            println!(
                "  {:<13} ratio to baseline {:.1}x <= {r}x: {}",
                case.id,
                g / b,
                met(g / b <= r)
            );
        }
    }
}

fn main() {
    common::warn_if_busy();
    let mut c = Criterion::default().configure_from_args();
    let cases = cases();
    let outcomes: Vec<Outcome> = cases.iter().map(|case| bench_case(&mut c, case)).collect();
    summary(&cases, &outcomes);
    c.final_summary();
}
