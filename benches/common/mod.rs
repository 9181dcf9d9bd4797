//! What both bench binaries share: the benchmark problems as gradlang
//! scripts, running them through the library, their hand-written baselines
//! on the same data, and small statistics helpers.
//!
//! Each bench binary uses a different part of this module.
#![allow(dead_code)]

pub mod baseline;

use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};

use gradlang::driver::eval_str;
use gradlang::eval::Interp;
use gradlang::tensor::Tensor;

/// A benchmark problem. The scripts mirror examples/puzzle.gl and
/// examples/polyfit.gl (same seed, data, loss and optimizer settings); only
/// `N` and `steps` vary.
#[derive(Clone, Copy, Debug)]
pub enum Problem {
    Puzzle,
    Polyfit { n: usize },
}

/// The learning rates of the two examples.
const PUZZLE_LR: f64 = 0.01;
const POLYFIT_LR: f64 = 0.1;

impl Problem {
    /// Everything before `minimize`: seed, data, params, loss.
    pub fn preamble(self) -> String {
        match self {
            Problem::Puzzle => "seed 42
param A = rand()
param B = rand()
param C = rand()
param D = rand()
loss = (A + B - 9)^2 + (C - D - 1)^2 + (A + C - 8)^2 + (B - D - 2)^2
"
            .to_string(),
            Problem::Polyfit { n } => format!(
                "let N = {n}
let X = randn(N, 1) * 5
let Y = polyval([1, 2, 3], X)
let XX = hstack(X^2, X, ones(N, 1))
param w = randn(3, 1)
loss = mean((Y - XX @ w)^2)
"
            ),
        }
    }

    /// The `minimize` statement for `steps` steps.
    pub fn minimize(self, steps: u64) -> String {
        let lr = match self {
            Problem::Puzzle => PUZZLE_LR,
            Problem::Polyfit { .. } => POLYFIT_LR,
        };
        format!("minimize with nadam lr={lr} steps={steps}")
    }

    fn param_names(self) -> &'static [&'static str] {
        match self {
            Problem::Puzzle => &["A", "B", "C", "D"],
            Problem::Polyfit { .. } => &["w"],
        }
    }

    /// The params' current values, flattened in declaration order.
    pub fn params(self, interp: &mut Interp) -> Vec<f64> {
        self.param_names()
            .iter()
            .flat_map(|name| value(interp, name).to_vec())
            .collect()
    }

    /// A fresh interpreter that has run the preamble (seed, data, params).
    pub fn setup(self) -> Interp {
        let mut interp = Interp::new(0, Box::new(std::io::sink()));
        run(&mut interp, &self.preamble());
        interp
    }

    /// The same problem for the hand-written loop: the script's own data
    /// and initial params, read back from a set-up interpreter.
    pub fn baseline(self, interp: &mut Interp) -> Baseline {
        let start = self.params(interp);
        match self {
            Problem::Puzzle => Baseline::Puzzle {
                p: start.try_into().expect("invariant: four scalar params"),
            },
            Problem::Polyfit { .. } => Baseline::Polyfit {
                xx: value(interp, "XX").to_vec(),
                y: value(interp, "Y").to_vec(),
                w: start.try_into().expect("invariant: w is 3x1"),
            },
        }
    }
}

/// A problem's data and starting point for the hand-written loop.
pub enum Baseline {
    Puzzle {
        p: [f64; 4],
    },
    Polyfit {
        xx: Vec<f64>,
        y: Vec<f64>,
        w: [f64; 3],
    },
}

impl Baseline {
    /// Runs `steps` steps from the start; returns the final params and loss.
    pub fn run(&self, steps: u64) -> (Vec<f64>, f64) {
        match self {
            Baseline::Puzzle { p } => {
                let (p, loss) = baseline::run_puzzle(*p, PUZZLE_LR, steps);
                (p.to_vec(), loss)
            }
            Baseline::Polyfit { xx, y, w } => {
                let (w, loss) = baseline::run_polyfit(xx, y, *w, POLYFIT_LR, steps);
                (w.to_vec(), loss)
            }
        }
    }
}

/// Runs gradlang source in `interp`; a script error is a bug in the bench.
pub fn run(interp: &mut Interp, src: &str) -> Option<Tensor> {
    match eval_str(interp, src) {
        Ok(v) => v,
        Err(diags) => panic!(
            "gradlang rejected the bench script `{src}`: {}",
            diags.first().map_or("", |d| d.title.as_str())
        ),
    }
}

fn value(interp: &mut Interp, name: &str) -> Tensor {
    run(interp, name).unwrap_or_else(|| panic!("`{name}` has no value"))
}

/// Time of one `minimize ... steps=K` statement in a set-up interp.
pub fn time_minimize(problem: Problem, interp: &mut Interp, steps: u64) -> Duration {
    let stmt = problem.minimize(steps);
    let watch = Stopwatch::start();
    run(interp, &stmt);
    watch.elapsed()
}

/// Whether timings use CPU time instead of wall time: set
/// `GRADLANG_BENCH_CLOCK=cpu` on a busy machine. The CPU time of the
/// process (all its threads) or of a child process leaves out the time
/// other processes hold the cores. It counts every core's work, so for
/// work split across cores (large tensors) it is the total work, not the
/// time to the answer: judge those on wall time on a quiet machine.
pub fn cpu_clock() -> bool {
    std::env::var("GRADLANG_BENCH_CLOCK").is_ok_and(|v| v == "cpu")
}

pub fn clock_name() -> &'static str {
    if cpu_clock() {
        "CPU time (GRADLANG_BENCH_CLOCK=cpu)"
    } else {
        "wall time"
    }
}

/// Times a stretch of work on the clock [`cpu_clock`] picks.
pub struct Stopwatch {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Stopwatch {
    pub fn start() -> Self {
        Stopwatch {
            cpu: cpu_clock().then(os::process_cpu_time),
            wall: Instant::now(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        match self.cpu {
            Some(start) => os::process_cpu_time().saturating_sub(start),
            None => self.wall.elapsed(),
        }
    }
}

/// The two clocks std does not offer, from the C library std links.
pub mod os {
    use std::time::Duration;

    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }

    #[repr(C)]
    struct Timeval {
        sec: i64,
        usec: i64,
    }

    /// `struct rusage` on 64-bit Linux: two timevals, then 14 longs.
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        rest: [i64; 14],
    }

    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }

    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    const RUSAGE_CHILDREN: i32 = -1;

    /// CPU time (user and system) all threads of this process have used.
    pub fn process_cpu_time() -> Duration {
        let mut ts = Timespec { sec: 0, nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec for the call.
        let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        Duration::new(ts.sec as u64, ts.nsec as u32)
    }

    /// CPU time (user and system) of all waited-for child processes.
    pub fn children_cpu_time() -> Duration {
        let zero = || Timeval { sec: 0, usec: 0 };
        let mut ru = Rusage {
            utime: zero(),
            stime: zero(),
            rest: [0; 14],
        };
        // SAFETY: `ru` is a valid, writable struct rusage for the call.
        let rc = unsafe { getrusage(RUSAGE_CHILDREN, &mut ru) };
        assert_eq!(rc, 0, "getrusage(RUSAGE_CHILDREN) failed");
        let t = |tv: &Timeval| Duration::new(tv.sec as u64, tv.usec as u32 * 1000);
        t(&ru.utime) + t(&ru.stime)
    }
}

/// Median of `xs` (which must not be empty).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Largest absolute difference between two equally long vectors.
pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Whether the binary was started by `cargo bench` (criterion's rule:
/// without `--bench`, e.g. under `cargo test --all-targets`, it is a quick
/// smoke test).
pub fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Warns when other work shares the machine: the timings then say more
/// about the neighbours than about gradlang.
pub fn warn_if_busy() {
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(load) = load.filter(|&l| l > 0.5 * cores as f64) {
        println!(
            "warning: load average {load:.1} on {cores} cores; \
             other processes will inflate these timings"
        );
    }
}

/// Seconds as a human unit: ns, µs, ms or s.
pub fn fmt_secs(s: f64) -> String {
    if s < 1e-6 {
        format!("{:.1} ns", s * 1e9)
    } else if s < 1e-3 {
        format!("{:.2} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

pub fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// A criterion group as the benches set one up: `samples` samples over
/// `measure`, one warm-up second, flat sampling (each sample runs whole
/// optimizations), throughput counted in optimizer steps.
pub fn step_group<'a>(
    c: &'a mut Criterion,
    id: &str,
    samples: usize,
    measure: Duration,
    steps: u64,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(id);
    group
        .sample_size(samples)
        .measurement_time(measure)
        .warm_up_time(Duration::from_secs(1))
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(steps));
    group
}
