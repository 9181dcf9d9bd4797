//! Arithmetic the optimizers share, rounded the way PyTorch 2.15's CPU
//! float64 kernels round (checked against torch one operation at a time):
//! `lerp_`, `add(.., alpha)` and `addcmul_` round once (a fused
//! multiply-add), `addcdiv_` does not, and vector reductions sum in the
//! order torch's MKL build does for short vectors.

/// `start.lerp_(end, weight)`: torch switches formulas at |weight| = 0.5
/// (for accuracy near both ends); each form is one fused multiply-add.
pub(super) fn lerp(start: f64, end: f64, weight: f64) -> f64 {
    let diff = end - start;
    if weight.abs() < 0.5 {
        weight.mul_add(diff, start)
    } else {
        (weight - 1.0).mul_add(diff, end)
    }
}

/// Coupled (L2) weight decay, `grad.add(param, alpha=λ)`; torch skips it at
/// λ = 0, which also keeps the sign of a zero gradient.
pub(super) fn decay(grad: f64, param: f64, lambda: f64) -> f64 {
    if lambda == 0.0 {
        grad
    } else {
        lambda.mul_add(param, grad)
    }
}

/// A running average of squares, `avg.mul_(β).addcmul_(g, g, value=1-β)`.
pub(super) fn average_square(avg: f64, g: f64, beta: f64) -> f64 {
    ((1.0 - beta) * g).mul_add(g, avg * beta)
}

/// Adam and NAdam's first and second moments after gradient `g`.
pub(super) fn update_moments(m: &mut f64, v: &mut f64, g: f64, beta1: f64, beta2: f64) {
    *m = lerp(*m, g, 1.0 - beta1);
    *v = average_square(*v, g, beta2);
}

/// `x.add_(other, alpha=a)`, elementwise.
pub(super) fn add_scaled(x: &mut [f64], a: f64, other: &[f64]) {
    for (xi, oi) in x.iter_mut().zip(other) {
        *xi = a.mul_add(*oi, *xi);
    }
}

/// `a.dot(b)` as torch's MKL `ddot` computes it: eight partial sums folded
/// pairwise. Bit-exact for up to 8 elements (and 16); longer vectors may
/// differ from torch in the last bit.
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        acc[i % 8] += x * y;
    }
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

/// `a.abs().max()`; NaN wins, as in torch, so a NaN never looks converged.
pub(super) fn abs_max(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m: f64, v| {
        if v.is_nan() || m.is_nan() {
            f64::NAN
        } else {
            m.max(v.abs())
        }
    })
}

/// `a.abs().sum()`, left to right (torch's order for up to 4 elements).
pub(super) fn abs_sum(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |s, v| s + v.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_hits_both_ends() {
        assert_eq!(lerp(1.0, 3.0, 0.0), 1.0);
        assert_eq!(lerp(1.0, 3.0, 1.0), 3.0);
        assert_eq!(lerp(1.0, 3.0, 0.25), 1.5);
        assert_eq!(lerp(1.0, 3.0, 0.75), 2.5);
    }

    #[test]
    fn dot_folds_lanes_pairwise() {
        // 1e16 + 1 - 1e16 + 1: a left-to-right sum gives 1, the lane tree 2
        // ((1e16 + -1e16) + (1 + 1)), as torch's ddot does.
        let a = [1e16, 1.0, -1e16, 1.0];
        let ones = [1.0; 4];
        assert_eq!(dot(&a, &ones), 2.0);
    }

    #[test]
    fn abs_max_keeps_nan() {
        assert!(abs_max(&[1.0, f64::NAN, 2.0]).is_nan());
        assert_eq!(abs_max(&[1.0, -3.0, 2.0]), 3.0);
        assert_eq!(abs_max(&[]), 0.0);
    }
}
