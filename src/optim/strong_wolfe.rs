//! The strong-Wolfe line search of `torch.optim.LBFGS`, a port of torch's
//! `_strong_wolfe` and `_cubic_interpolate` (themselves from Lua torch's
//! `lswolfe.lua` and `polyinterp.lua`), decision for decision.
//!
//! One departure from torch: a trial point whose loss or gradient is NaN or
//! Inf is not an error but moves halfway back towards the last finite
//! point (see `Line::at`); on finite trials the search is torch's.
//!
//! One detail is carried only for bit-exactness: torch holds some step
//! lengths as 0-d tensors and others as Python floats, and `float / tensor`
//! is computed as `tensor.reciprocal() * float`, which rounds twice. [`Len`]
//! remembers which kind a step length would be.

use std::ops::{Add, Mul, Sub};

use super::kernels::{abs_max, add_scaled, dot};
use super::{Interrupt, Objective};

/// Sufficient-decrease (Armijo) constant.
const C1: f64 = 1e-4;
/// Curvature constant of the strong Wolfe condition.
const C2: f64 = 0.9;
/// Halvings of a step whose point is NaN or Inf before giving up (2^-60 of
/// the step is below any f64 resolution of x).
const MAX_SHRINKS: usize = 60;

/// A step length along the search direction, and whether torch would hold
/// it as a tensor (anything computed from a tensor is one).
#[derive(Debug, Clone, Copy)]
pub(super) struct Len {
    pub(super) v: f64,
    pub(super) tensor: bool,
}

impl Len {
    pub(super) fn float(v: f64) -> Len {
        Len { v, tensor: false }
    }
}

impl Add for Len {
    type Output = Len;
    fn add(self, o: Len) -> Len {
        Len {
            v: self.v + o.v,
            tensor: self.tensor || o.tensor,
        }
    }
}

impl Sub for Len {
    type Output = Len;
    fn sub(self, o: Len) -> Len {
        Len {
            v: self.v - o.v,
            tensor: self.tensor || o.tensor,
        }
    }
}

impl Mul<f64> for Len {
    type Output = Len;
    fn mul(self, k: f64) -> Len {
        Len {
            v: self.v * k,
            tensor: self.tensor,
        }
    }
}

/// Python's `max(a, b)`: `a` unless `b` is strictly greater (so NaN and
/// ties resolve as in torch).
fn py_max(a: Len, b: Len) -> Len {
    if b.v > a.v {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: `a` unless `b` is strictly smaller.
fn py_min(a: Len, b: Len) -> Len {
    if b.v < a.v {
        b
    } else {
        a
    }
}

/// Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and
/// g2, clamped to `bounds` (default: between x1 and x2); the midpoint when
/// the cubic has no minimum.
fn cubic_interpolate(
    (x1, f1, g1): (Len, f64, f64),
    (x2, f2, g2): (Len, f64, f64),
    bounds: Option<(Len, Len)>,
) -> Len {
    let (lo, hi) = bounds.unwrap_or(if x1.v <= x2.v { (x1, x2) } else { (x2, x1) });
    let dx = x1 - x2;
    let secant = if dx.tensor {
        (1.0 / dx.v) * (3.0 * (f1 - f2))
    } else {
        3.0 * (f1 - f2) / dx.v
    };
    let d1 = g1 + g2 - secant;
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = d2_square.sqrt();
        let min_pos = if x1.v <= x2.v {
            x2.v - (x2.v - x1.v) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1.v - (x1.v - x2.v) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        let min_pos = Len {
            v: min_pos,
            tensor: true,
        };
        py_min(py_max(min_pos, lo), hi)
    } else {
        (lo + hi) * 0.5
    }
}

/// A trial point of the line search: step, loss, gradient, slope along d.
#[derive(Clone)]
pub(super) struct Point {
    pub(super) t: Len,
    pub(super) f: f64,
    pub(super) g: Vec<f64>,
    gtd: f64,
}

/// Evaluates the objective at `x + t*d` (torch's `_directional_evaluate`,
/// which adds `t*d` with one rounding and then restores `x`).
struct Line<'a> {
    obj: &'a mut dyn Objective,
    x: &'a [f64],
    d: &'a [f64],
    evals: usize,
}

impl Line<'_> {
    /// The point at step `t`; where the loss or gradient is NaN or Inf
    /// there, t moves halfway towards `toward` (a step known to be finite)
    /// and tries again. After [`MAX_SHRINKS`] such, the objective's error
    /// stands.
    fn at(&mut self, t: Len, toward: Len) -> Result<Point, Interrupt> {
        let mut t = t;
        let mut g = vec![0.0; self.x.len()];
        for shrink in 0..=MAX_SHRINKS {
            let mut trial = self.x.to_vec();
            add_scaled(&mut trial, t.v, self.d);
            self.evals += 1;
            let f = if shrink == MAX_SHRINKS {
                Some(self.obj.eval(&trial, &mut g)?)
            } else {
                self.obj.trial(&trial, &mut g)?
            };
            if let Some(f) = f {
                let gtd = dot(&g, self.d);
                return Ok(Point { t, f, g, gtd });
            }
            t = toward + (t - toward) * 0.5;
        }
        Err(Interrupt)
    }
}

/// The smallest bracket (times the direction's largest entry) the zoom
/// phase still narrows: `_strong_wolfe`'s default, which torch's
/// `LBFGS.step` leaves in place (it does not pass the optimizer's own
/// `tolerance_change`).
const TOLERANCE_CHANGE: f64 = 1e-9;

/// Searches along `d` from `x` (loss `f`, gradient `g`, slope `gtd`),
/// starting at step `t`, with at most `max_ls` evaluations after the first.
/// Returns the accepted point (x is left unchanged) and the evaluations used.
#[allow(clippy::too_many_arguments)]
pub(super) fn search(
    obj: &mut dyn Objective,
    x: &[f64],
    d: &[f64],
    t: Len,
    f: f64,
    g: &[f64],
    gtd: f64,
    max_ls: usize,
) -> Result<(Point, usize), Interrupt> {
    let d_norm = abs_max(d);
    let mut line = Line {
        obj,
        x,
        d,
        evals: 0,
    };
    let start = Point {
        t: Len::float(0.0),
        f,
        g: g.to_vec(),
        gtd,
    };
    let armijo_fails = |p: &Point| p.f > f + C1 * p.t.v * gtd;
    let curvature_holds = |p: &Point| p.gtd.abs() <= -C2 * gtd;

    // Bracket an interval containing a point satisfying the Wolfe criteria.
    let mut new = line.at(t, start.t)?;
    let mut prev = start.clone();
    let mut ls_iter = 0;
    let mut b = loop {
        if ls_iter == max_ls {
            // Out of evaluations: bracket from the start to the last trial.
            break [start, new];
        }
        if armijo_fails(&new) || (ls_iter > 1 && new.f >= prev.f) {
            break [prev, new];
        }
        if curvature_holds(&new) {
            return Ok((new, line.evals));
        }
        if new.gtd >= 0.0 {
            break [prev, new];
        }
        let t = new.t;
        let bounds = (t + (t - prev.t) * 0.01, t * 10.0);
        let next = cubic_interpolate(
            (prev.t, prev.f, prev.gtd),
            (t, new.f, new.gtd),
            Some(bounds),
        );
        prev = new;
        new = line.at(next, prev.t)?;
        ls_iter += 1;
    };

    // Zoom: shrink the bracket until a point satisfies the criteria.
    let order = |b: &[Point; 2]| if b[0].f <= b[1].f { (0, 1) } else { (1, 0) };
    let (mut low, mut high) = order(&b);
    let mut insufficient_progress = false;
    while ls_iter < max_ls {
        if (b[1].t.v - b[0].t.v).abs() * d_norm < TOLERANCE_CHANGE {
            break;
        }
        let mut t = cubic_interpolate((b[0].t, b[0].f, b[0].gtd), (b[1].t, b[1].f, b[1].gtd), None);
        // A trial close to an end of the bracket makes little progress:
        // after two such in a row (or one outside it), move 10% inside.
        let (top, bottom) = (py_max(b[0].t, b[1].t), py_min(b[0].t, b[1].t));
        let eps = (top - bottom) * 0.1;
        if py_min(top - t, t - bottom).v < eps.v {
            if insufficient_progress || t.v >= top.v || t.v <= bottom.v {
                t = if (t.v - top.v).abs() < (t.v - bottom.v).abs() {
                    top - eps
                } else {
                    bottom + eps
                };
                insufficient_progress = false;
            } else {
                insufficient_progress = true;
            }
        } else {
            insufficient_progress = false;
        }

        let new = line.at(t, b[low].t)?;
        ls_iter += 1;
        if armijo_fails(&new) || new.f >= b[low].f {
            b[high] = new;
            (low, high) = order(&b);
        } else {
            let done = curvature_holds(&new);
            if !done && new.gtd * (b[high].t.v - b[low].t.v) >= 0.0 {
                // The old high end becomes the new low end.
                b[high] = b[low].clone();
            }
            b[low] = new;
            if done {
                break;
            }
        }
    }
    let [b0, b1] = b;
    Ok((if low == 0 { b0 } else { b1 }, line.evals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_finds_the_minimum_of_a_quadratic() {
        // f(x) = (x - 1)^2 sampled at 0 and 3: minimum at 1.
        let t = cubic_interpolate(
            (Len::float(0.0), 1.0, -2.0),
            (Len::float(3.0), 4.0, 4.0),
            None,
        );
        assert!((t.v - 1.0).abs() < 1e-12);
        assert!(t.tensor);
    }

    #[test]
    fn cubic_without_minimum_takes_the_midpoint() {
        // Chosen so that d1 = 0 and d1^2 - g1*g2 < 0.
        let t = cubic_interpolate(
            (Len::float(0.0), 0.0, 1.0),
            (Len::float(2.0), 4.0 / 3.0, 1.0),
            None,
        );
        assert_eq!(t.v, 1.0);
    }
}
