//! The box of a bounded `minimize`, as lbfgs and newton see it: projecting
//! a trial point into it (so no evaluation ever leaves it), and which
//! entries a bound holds fixed (at the bound, with the gradient pushing out).

/// Per-entry lower and upper bounds (±inf where there is none).
#[derive(Debug, Clone)]
pub(super) struct Bounds {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Bounds {
    pub(super) fn new(lo: &[f64], hi: &[f64]) -> Bounds {
        Bounds {
            lo: lo.to_vec(),
            hi: hi.to_vec(),
        }
    }

    /// Moves every entry of `x` into its interval (a NaN stays NaN).
    pub(super) fn project(&self, x: &mut [f64]) {
        for ((v, &l), &h) in x.iter_mut().zip(&self.lo).zip(&self.hi) {
            if *v < l {
                *v = l;
            } else if *v > h {
                *v = h;
            }
        }
    }

    /// Whether entry `i` sits on a bound that the descent direction -g
    /// pushes against: it cannot move.
    pub(super) fn blocked(&self, x: &[f64], g: &[f64], i: usize) -> bool {
        (x[i] <= self.lo[i] && g[i] > 0.0) || (x[i] >= self.hi[i] && g[i] < 0.0)
    }

    /// The projected gradient: `g` with the blocked entries zeroed.
    pub(super) fn projected_gradient(&self, x: &[f64], g: &[f64]) -> Vec<f64> {
        (0..g.len())
            .map(|i| if self.blocked(x, g, i) { 0.0 } else { g[i] })
            .collect()
    }

    /// The entry's bounds, lower first.
    pub(super) fn interval(&self, i: usize) -> (f64, f64) {
        (self.lo[i], self.hi[i])
    }
}
