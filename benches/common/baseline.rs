//! The hand-written baselines: the same `torch.optim.NAdam` update gradlang
//! runs (the rule in docs/optimizers.md, rounded the same way with
//! `f64::mul_add`), fed the closed-form gradient instead of a tape.
//! This is what "within Kx of a hand-written Rust loop" is measured against.

/// `torch.optim.NAdam` with its defaults except `lr`, weight decay 0.
pub struct NAdam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    momentum_decay: f64,
    t: f64,
    mu_product: f64,
    /// mu_{t+1} from the previous step: it is the next step's mu, so each
    /// step needs one `powf` for the schedule instead of two (same bits).
    mu_next: Option<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl NAdam {
    pub fn new(lr: f64, n: usize) -> Self {
        NAdam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            momentum_decay: 4e-3,
            t: 0.0,
            mu_product: 1.0,
            mu_next: None,
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    fn mu(&self, t: f64) -> f64 {
        self.beta1 * (1.0 - 0.5 * 0.96f64.powf(t * self.momentum_decay))
    }

    /// One step on `x` with gradient `g`, exactly as docs/optimizers.md.
    #[inline]
    pub fn step(&mut self, x: &mut [f64], g: &[f64]) {
        self.t += 1.0;
        let bc2 = 1.0 - self.beta2.powf(self.t);
        let mu = self.mu_next.unwrap_or_else(|| self.mu(self.t));
        let mu_next = self.mu(self.t + 1.0);
        self.mu_next = Some(mu_next);
        self.mu_product *= mu;
        let c1 = (-self.lr * (1.0 - mu)) / (1.0 - self.mu_product);
        let c2 = (-self.lr * mu_next) / (1.0 - self.mu_product * mu_next);
        let (w1, b2) = (1.0 - self.beta1, self.beta2);
        for (((x, &g), m), v) in x.iter_mut().zip(g).zip(&mut self.m).zip(&mut self.v) {
            // exp_avg.lerp_(g, 1-β1): weight 0.1 < 0.5, one fma.
            *m = w1.mul_add(g - *m, *m);
            // exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2).
            *v = ((1.0 - b2) * g).mul_add(g, *v * b2);
            let d = (*v / bc2).sqrt() + self.eps;
            *x += (c1 * g) / d;
            *x += (c2 * *m) / d;
        }
    }
}

/// The puzzle's loss and its gradient, by hand:
/// (A+B-9)² + (C-D-1)² + (A+C-8)² + (B-D-2)².
#[inline]
pub fn puzzle_loss_grad(p: &[f64; 4], g: &mut [f64; 4]) -> f64 {
    let [a, b, c, d] = *p;
    let r1 = a + b - 9.0;
    let r2 = c - d - 1.0;
    let r3 = a + c - 8.0;
    let r4 = b - d - 2.0;
    *g = [
        2.0 * r1 + 2.0 * r3,
        2.0 * r1 + 2.0 * r4,
        2.0 * r2 + 2.0 * r3,
        -(2.0 * r2) - 2.0 * r4,
    ];
    r1 * r1 + r2 * r2 + r3 * r3 + r4 * r4
}

/// polyfit's `mean((Y - XX @ w)²)` and its gradient `-2/N XXᵀ r`, in one
/// pass over the same row-major N×3 design matrix and targets the script
/// builds.
pub fn polyfit_loss_grad(xx: &[f64], y: &[f64], w: &[f64; 3], g: &mut [f64; 3]) -> f64 {
    let (mut loss, mut g0, mut g1, mut g2) = (0.0, 0.0, 0.0, 0.0);
    for (row, &yi) in xx.chunks_exact(3).zip(y) {
        let r = yi - (row[0] * w[0] + row[1] * w[1] + row[2] * w[2]);
        loss += r * r;
        g0 += r * row[0];
        g1 += r * row[1];
        g2 += r * row[2];
    }
    let n = y.len() as f64;
    let s = -2.0 / n;
    *g = [s * g0, s * g1, s * g2];
    loss / n
}

/// `steps` NAdam steps on the puzzle from `p`, then the final loss, like
/// `minimize`; returns the params and that loss.
pub fn run_puzzle(mut p: [f64; 4], lr: f64, steps: u64) -> ([f64; 4], f64) {
    let mut opt = NAdam::new(lr, 4);
    let mut g = [0.0; 4];
    for _ in 0..steps {
        let loss = puzzle_loss_grad(&p, &mut g);
        assert!(loss.is_finite(), "baseline puzzle diverged");
        opt.step(&mut p, &g);
    }
    let last = puzzle_loss_grad(&p, &mut g);
    (p, last)
}

/// `steps` NAdam steps on polyfit from `w`, then the final loss.
pub fn run_polyfit(xx: &[f64], y: &[f64], mut w: [f64; 3], lr: f64, steps: u64) -> ([f64; 3], f64) {
    let mut opt = NAdam::new(lr, 3);
    let mut g = [0.0; 3];
    for _ in 0..steps {
        let loss = polyfit_loss_grad(xx, y, &w, &mut g);
        assert!(loss.is_finite(), "baseline polyfit diverged");
        opt.step(&mut w, &g);
    }
    let last = polyfit_loss_grad(xx, y, &w, &mut g);
    (w, last)
}
