//! Neural networks per Adam step (issue 13): a 32-64-1 tanh MLP on 20000
//! rows, a 784-10 softmax classifier on 10000 rows, and a 16-64-64-1 tanh
//! network on 1e5 rows, all f64. Each beside a hand-written Rust loop on
//! the same data and starting params (ndarray's matrix products, the
//! closed-form backward pass, torch's Adam), on one core.
//!
//! As in `optimize.rs`, each measured iteration gets a fresh interpreter
//! that has run the script's preamble (not timed) and times the whole
//! `minimize` statement; the summary subtracts the fixed part (`steps=0`)
//! and gives (T(K) - T(0)) / K. The peers' figures (benches/peers/nn_*.py)
//! are measured separately: see docs/performance.md.
//!
//! `cargo bench --bench nn` (add `-- nn_mlp` for one case).

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{bench_mode, fmt_secs, median, run, Stopwatch};
use criterion::Criterion;
use gradlang::eval::Interp;
use ndarray::{Array, Array1, Array2, Axis, Zip};

/// One network: rows, layer widths, and whether the loss is softmax
/// cross-entropy (else mean squared error).
struct Case {
    id: &'static str,
    rows: usize,
    widths: &'static [usize],
    xent: bool,
    steps: u64,
}

const CASES: [Case; 3] = [
    Case {
        id: "nn_mlp",
        rows: 20_000,
        widths: &[32, 64, 1],
        xent: false,
        steps: 20,
    },
    Case {
        id: "nn_softmax",
        rows: 10_000,
        widths: &[784, 10],
        xent: true,
        steps: 10,
    },
    Case {
        id: "nn_deep",
        rows: 100_000,
        widths: &[16, 64, 64, 1],
        xent: false,
        steps: 5,
    },
];

impl Case {
    fn layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// Seed, data, params and loss, as a user would write them.
    fn preamble(&self) -> String {
        let (n, w) = (self.rows, self.widths);
        let mut s = format!("seed 0\nlet X = randn({n}, {})\n", w[0]);
        if self.xent {
            let classes: Vec<String> = (0..w[w.len() - 1]).map(|c| c.to_string()).collect();
            s += &format!(
                "let labels = floor(rand({n}, 1) * {})\nlet Y = labels == [{}]\n",
                classes.len(),
                classes.join(", ")
            );
        } else {
            s += &format!("let Y = sin(X @ randn({}, 1))\n", w[0]);
        }
        let scale = if self.xent { 0.01 } else { 0.2 };
        let mut h = "X".to_string();
        for l in 1..=self.layers() {
            s += &format!(
                "param W{l} = randn({}, {}) * {scale}\nparam b{l} = zeros({})\n",
                w[l - 1],
                w[l],
                w[l]
            );
            h = format!("{h} @ W{l} + b{l}");
            if l < self.layers() {
                h = format!("tanh({h})");
            }
        }
        s += &if self.xent {
            format!("loss = mean(logsumexp({h}, axis=1) - sum(Y * ({h}), axis=1))\n")
        } else {
            format!("loss = mean(({h} - Y)^2)\n")
        };
        s
    }

    fn setup(&self) -> Interp {
        let mut interp = Interp::new(0, Box::new(std::io::sink()));
        run(&mut interp, &self.preamble());
        interp
    }

    fn minimize(&self, interp: &mut Interp, steps: u64) -> Duration {
        let watch = Stopwatch::start();
        run(
            interp,
            &format!("minimize with adam lr=0.001 steps={steps}"),
        );
        watch.elapsed()
    }

    fn baseline(&self, interp: &mut Interp) -> Baseline {
        let matrix = |interp: &mut Interp, name: &str, shape: (usize, usize)| {
            let t = run(interp, name).expect("a bench binding has a value");
            Array2::from_shape_vec(shape, t.to_vec()).expect("the bench's own shapes")
        };
        let (n, w) = (self.rows, self.widths);
        let x = matrix(interp, "X", (n, w[0]));
        let y = matrix(interp, "Y", (n, if self.xent { w[w.len() - 1] } else { 1 }));
        let params = (1..=self.layers())
            .map(|l| {
                let wl = matrix(interp, &format!("W{l}"), (w[l - 1], w[l]));
                let bl = matrix(interp, &format!("b{l}"), (1, w[l]));
                (wl, bl.into_shape_with_order(w[l]).expect("a row"))
            })
            .collect();
        Baseline {
            x,
            y,
            params,
            xent: self.xent,
        }
    }
}

/// The hand-written network: forward, closed-form backward, Adam.
struct Baseline {
    x: Array2<f64>,
    y: Array2<f64>,
    params: Vec<(Array2<f64>, Array1<f64>)>,
    xent: bool,
}

impl Baseline {
    /// The loss and its gradient for every (W, b).
    fn grad(&self, params: &[(Array2<f64>, Array1<f64>)]) -> Vec<(Array2<f64>, Array1<f64>)> {
        let mut hs = vec![self.x.clone()];
        for (l, (w, b)) in params.iter().enumerate() {
            let mut z = hs[l].dot(w) + b;
            if l + 1 < params.len() {
                z.mapv_inplace(f64::tanh);
            }
            hs.push(z);
        }
        let n = self.x.nrows() as f64;
        let out = hs.pop().expect("one layer at least");
        let mut dz = if self.xent {
            let mut p = out;
            for mut row in p.rows_mut() {
                let m = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                row.mapv_inplace(|v| (v - m).exp());
                let s = row.sum();
                row.mapv_inplace(|v| v / s);
            }
            (p - &self.y) / n
        } else {
            (out - &self.y) * (2.0 / n)
        };
        let mut grads = Vec::new();
        for l in (0..params.len()).rev() {
            let h = &hs[l];
            grads.push((h.t().dot(&dz), dz.sum_axis(Axis(0))));
            if l > 0 {
                let dh = dz.dot(&params[l].0.t());
                dz = dh * h.mapv(|v| 1.0 - v * v);
            }
        }
        grads.reverse();
        grads
    }

    /// `steps` Adam steps (torch's rule, lr 1e-3) from the script's params.
    fn run(&self, steps: u64) -> Vec<(Array2<f64>, Array1<f64>)> {
        let (lr, b1, b2) = (1e-3, 0.9f64, 0.999f64);
        let mut p = self.params.clone();
        let zeros = |p: &[(Array2<f64>, Array1<f64>)]| -> Vec<(Array2<f64>, Array1<f64>)> {
            p.iter()
                .map(|(w, b)| (w.mapv(|_| 0.0), b.mapv(|_| 0.0)))
                .collect()
        };
        let (mut m, mut v) = (zeros(&p), zeros(&p));
        for t in 1..=steps {
            let g = self.grad(&p);
            let step = lr / (1.0 - b1.powi(t as i32));
            let bc2 = (1.0 - b2.powi(t as i32)).sqrt();
            for l in 0..p.len() {
                adam(&mut p[l].0, &g[l].0, &mut m[l].0, &mut v[l].0, step, bc2);
                adam(&mut p[l].1, &g[l].1, &mut m[l].1, &mut v[l].1, step, bc2);
            }
        }
        p
    }
}

/// One Adam update of `p` (torch's rule: `lerp` of m, `addcmul` of v).
fn adam<D: ndarray::Dimension>(
    p: &mut Array<f64, D>,
    g: &Array<f64, D>,
    m: &mut Array<f64, D>,
    v: &mut Array<f64, D>,
    step: f64,
    bc2: f64,
) {
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    Zip::from(p).and(g).and(m).and(v).for_each(|p, &g, m, v| {
        *m += (g - *m) * (1.0 - b1);
        *v = *v * b2 + (1.0 - b2) * g * g;
        *p -= step * *m / (v.sqrt() / bc2 + eps);
    });
}

/// Per-step medians (s) of gradlang and the baseline, fixed parts removed.
fn bench_case(c: &mut Criterion, case: &Case) -> (f64, f64) {
    let steps = if bench_mode() { case.steps } else { 1 };
    let (mut gl, mut bl) = (Vec::new(), Vec::new());
    let mut group = common::step_group(c, case.id, 10, Duration::from_secs(10), steps);
    group.bench_function("gradlang", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut interp = case.setup();
                total += case.minimize(&mut interp, steps);
            }
            gl.push(total.as_secs_f64() / iters as f64);
            total
        })
    });
    let base = case.baseline(&mut case.setup());
    group.bench_function("baseline", |b| {
        b.iter_custom(|iters| {
            let watch = Stopwatch::start();
            for _ in 0..iters {
                black_box(base.run(black_box(steps)));
            }
            let total = watch.elapsed();
            bl.push(total.as_secs_f64() / iters as f64);
            total
        })
    });
    group.finish();
    let fixed: Vec<f64> = (0..3)
        .map(|_| case.minimize(&mut case.setup(), 0).as_secs_f64())
        .collect();
    let k = steps as f64;
    let g = (median(&gl[gl.len().saturating_sub(10)..]) - median(&fixed)) / k;
    (g, median(&bl[bl.len().saturating_sub(10)..]) / k)
}

fn main() {
    common::warn_if_busy();
    let mut c = Criterion::default().configure_from_args();
    // `cargo bench --bench nn -- NAME` runs the cases whose id contains NAME.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let results: Vec<(&Case, (f64, f64))> = CASES
        .iter()
        .filter(|case| filter.as_ref().is_none_or(|f| case.id.contains(f.as_str())))
        .map(|case| (case, bench_case(&mut c, case)))
        .collect();
    if !bench_mode() {
        println!("\n(test mode: one step per case, a smoke test, not a measurement)");
    }
    println!(
        "\n== neural networks, per Adam step (median {}) ==",
        common::clock_name()
    );
    println!(
        "{:<11} {:>6} {:>11} {:>11} {:>8}",
        "case", "steps", "gradlang", "baseline", "ratio"
    );
    for (case, (g, b)) in results {
        println!(
            "{:<11} {:>6} {:>11} {:>11} {:>7.2}x",
            case.id,
            case.steps,
            fmt_secs(g),
            fmt_secs(b),
            g / b
        );
    }
    println!("gradlang: (T(K) - T(0)) / K; baseline: one core, ndarray products, libm tanh");
    c.final_summary();
}
