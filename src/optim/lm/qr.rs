//! The dense linear algebra of MINPACK's Levenberg–Marquardt (Moré, Garbow
//! & Hillstrom, 1980): a Householder QR with column pivoting (`qrfac`), the
//! solution of the damped least-squares system from it by Givens rotations
//! (`qrsolv`), and the Levenberg–Marquardt parameter for a trust region
//! (`lmpar`, Moré 1978). Ported from the Fortran, keeping its order of
//! operations, because that order is what makes it accurate on badly
//! conditioned problems (NIST's MGH09, Bennett5, Lanczos). The fit
//! statistics reuse `qrfac`.
//!
//! Matrices are row-major; `r` is n×n.

/// The Euclidean norm, scaled so that it neither overflows nor underflows.
pub(crate) fn enorm(v: &[f64]) -> f64 {
    let scale = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale * v.iter().map(|x| (x / scale).powi(2)).sum::<f64>().sqrt()
}

/// A QR factorization with column pivoting of an m×n matrix (m >= n):
/// A·P = Q·R.
pub(crate) struct Qr {
    /// On return the upper triangle holds R without its diagonal, the lower
    /// part the Householder vectors (MINPACK's layout).
    pub a: Vec<f64>,
    pub m: usize,
    pub n: usize,
    /// Column `j` of A·P is column `ipvt[j]` of A.
    pub ipvt: Vec<usize>,
    /// The diagonal of R.
    pub rdiag: Vec<f64>,
    /// The norms of A's columns.
    pub acnorm: Vec<f64>,
}

/// MINPACK's `qrfac` with pivoting, on `a` (m×n, row-major, m >= n).
pub(crate) fn qrfac(mut a: Vec<f64>, m: usize, n: usize) -> Qr {
    let eps = f64::EPSILON;
    let col = |a: &[f64], j: usize, from: usize| -> Vec<f64> {
        (from..m).map(|i| a[i * n + j]).collect()
    };
    let acnorm: Vec<f64> = (0..n).map(|j| enorm(&col(&a, j, 0))).collect();
    let mut rdiag = acnorm.clone();
    let mut wa = acnorm.clone();
    let mut ipvt: Vec<usize> = (0..n).collect();
    for j in 0..m.min(n) {
        let kmax = (j..n).fold(j, |best, k| if rdiag[k] > rdiag[best] { k } else { best });
        if kmax != j {
            for i in 0..m {
                a.swap(i * n + j, i * n + kmax);
            }
            rdiag[kmax] = rdiag[j];
            wa[kmax] = wa[j];
            ipvt.swap(j, kmax);
        }
        let mut ajnorm = enorm(&col(&a, j, j));
        if ajnorm != 0.0 {
            if a[j * n + j] < 0.0 {
                ajnorm = -ajnorm;
            }
            for i in j..m {
                a[i * n + j] /= ajnorm;
            }
            a[j * n + j] += 1.0;
            for k in j + 1..n {
                let sum: f64 = (j..m).map(|i| a[i * n + j] * a[i * n + k]).sum();
                let temp = sum / a[j * n + j];
                for i in j..m {
                    a[i * n + k] -= temp * a[i * n + j];
                }
                if rdiag[k] != 0.0 {
                    let temp = a[j * n + k] / rdiag[k];
                    rdiag[k] *= (1.0 - temp * temp).max(0.0).sqrt();
                    if 0.05 * (rdiag[k] / wa[k]).powi(2) <= eps {
                        rdiag[k] = enorm(&col(&a, k, j + 1));
                        wa[k] = rdiag[k];
                    }
                }
            }
        }
        rdiag[j] = -ajnorm;
    }
    Qr {
        a,
        m,
        n,
        ipvt,
        rdiag,
        acnorm,
    }
}

impl Qr {
    /// Qᵀ·b (the first n entries).
    pub(crate) fn qt_times(&self, b: &[f64]) -> Vec<f64> {
        let (m, n, a) = (self.m, self.n, &self.a);
        let mut w = b.to_vec();
        for j in 0..n {
            if a[j * n + j] != 0.0 {
                let sum: f64 = (j..m).map(|i| a[i * n + j] * w[i]).sum();
                let temp = -sum / a[j * n + j];
                for i in j..m {
                    w[i] += a[i * n + j] * temp;
                }
            }
        }
        w.truncate(n);
        w
    }

    /// R as a full n×n matrix (zeros below the diagonal).
    pub(crate) fn r(&self) -> Vec<f64> {
        let n = self.n;
        let mut r = vec![0.0; n * n];
        for i in 0..n {
            r[i * n + i] = self.rdiag[i];
            for j in i + 1..n {
                r[i * n + j] = self.a[i * n + j];
            }
        }
        r
    }
}

/// MINPACK's `qrsolv`: x minimizing ‖A·x − b‖² + ‖D·x‖² given the QR
/// factors of A (`r`, with `ipvt`) and `qtb` = Qᵀb. On return the strict
/// lower triangle of `r` holds the transposed triangular factor S of the
/// damped system, and `sdiag` its diagonal.
fn qrsolv(
    r: &mut [f64],
    n: usize,
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut wa = qtb.to_vec();
    let mut sdiag = vec![0.0; n];
    for j in 0..n {
        for i in j..n {
            r[i * n + j] = r[j * n + i];
        }
        x[j] = r[j * n + j];
    }
    for j in 0..n {
        let l = ipvt[j];
        if diag[l] != 0.0 {
            sdiag[j..].iter_mut().for_each(|s| *s = 0.0);
            sdiag[j] = diag[l];
            let mut qtbpj = 0.0;
            for k in j..n {
                if sdiag[k] == 0.0 {
                    continue;
                }
                let rkk = r[k * n + k];
                let (sin, cos) = if rkk.abs() < sdiag[k].abs() {
                    let cotan = rkk / sdiag[k];
                    let sin = 0.5 / (0.25 + 0.25 * cotan * cotan).sqrt();
                    (sin, sin * cotan)
                } else {
                    let tan = sdiag[k] / rkk;
                    let cos = 0.5 / (0.25 + 0.25 * tan * tan).sqrt();
                    (cos * tan, cos)
                };
                r[k * n + k] = cos * rkk + sin * sdiag[k];
                let temp = cos * wa[k] + sin * qtbpj;
                qtbpj = -sin * wa[k] + cos * qtbpj;
                wa[k] = temp;
                for i in k + 1..n {
                    let temp = cos * r[i * n + k] + sin * sdiag[i];
                    sdiag[i] = -sin * r[i * n + k] + cos * sdiag[i];
                    r[i * n + k] = temp;
                }
            }
        }
        sdiag[j] = r[j * n + j];
        r[j * n + j] = x[j];
    }
    // Solve the triangular system; a singular one in the least-squares sense.
    let nsing = sdiag.iter().position(|&s| s == 0.0).unwrap_or(n);
    wa[nsing..].iter_mut().for_each(|w| *w = 0.0);
    for j in (0..nsing).rev() {
        let sum: f64 = (j + 1..nsing).map(|i| r[i * n + j] * wa[i]).sum();
        wa[j] = (wa[j] - sum) / sdiag[j];
    }
    for j in 0..n {
        x[ipvt[j]] = wa[j];
    }
    (x, sdiag)
}

/// MINPACK's `lmpar`: the Levenberg–Marquardt parameter `par` (starting
/// from the given one) such that the step x solving the damped system has
/// ‖D·x‖ within 10% of `delta`, or `par` = 0 when the Gauss–Newton step is
/// already inside. Returns (par, x); `r` is R from the QR of the Jacobian.
pub(crate) fn lmpar(
    r: &mut [f64],
    n: usize,
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    delta: f64,
    par: f64,
) -> (f64, Vec<f64>) {
    let dwarf = f64::MIN_POSITIVE;
    // The Gauss–Newton direction (least squares if R is singular).
    let nsing = (0..n).position(|j| r[j * n + j] == 0.0).unwrap_or(n);
    let mut wa1: Vec<f64> = (0..n)
        .map(|j| if j < nsing { qtb[j] } else { 0.0 })
        .collect();
    for j in (0..nsing).rev() {
        wa1[j] /= r[j * n + j];
        let temp = wa1[j];
        for i in 0..j {
            wa1[i] -= r[i * n + j] * temp;
        }
    }
    let mut x = vec![0.0; n];
    for j in 0..n {
        x[ipvt[j]] = wa1[j];
    }
    let scaled = |x: &[f64]| -> Vec<f64> { (0..n).map(|j| diag[j] * x[j]).collect() };
    let mut wa2 = scaled(&x);
    let mut dxnorm = enorm(&wa2);
    let mut fp = dxnorm - delta;
    if fp <= 0.1 * delta {
        return (0.0, x);
    }
    // A lower bound from the Newton step, when the Jacobian has full rank.
    let mut parl = 0.0;
    if nsing >= n {
        for j in 0..n {
            let l = ipvt[j];
            wa1[j] = diag[l] * (wa2[l] / dxnorm);
        }
        for j in 0..n {
            let sum: f64 = (0..j).map(|i| r[i * n + j] * wa1[i]).sum();
            wa1[j] = (wa1[j] - sum) / r[j * n + j];
        }
        let temp = enorm(&wa1);
        parl = ((fp / delta) / temp) / temp;
    }
    // An upper bound.
    for j in 0..n {
        let sum: f64 = (0..=j).map(|i| r[i * n + j] * qtb[i]).sum();
        wa1[j] = sum / diag[ipvt[j]];
    }
    let gnorm = enorm(&wa1);
    let mut paru = gnorm / delta;
    if paru == 0.0 {
        paru = dwarf / delta.min(0.1);
    }
    let mut par = par.max(parl).min(paru);
    if par == 0.0 {
        par = gnorm / dxnorm;
    }
    let mut iter = 0;
    loop {
        iter += 1;
        if par == 0.0 {
            par = dwarf.max(0.001 * paru);
        }
        let temp = par.sqrt();
        let d: Vec<f64> = diag.iter().map(|v| temp * v).collect();
        let (xs, sdiag) = qrsolv(r, n, ipvt, &d, qtb);
        x = xs;
        wa2 = scaled(&x);
        dxnorm = enorm(&wa2);
        let previous = fp;
        fp = dxnorm - delta;
        if fp.abs() <= 0.1 * delta
            || (parl == 0.0 && fp <= previous && previous < 0.0)
            || iter == 10
        {
            break;
        }
        // Newton's correction.
        for j in 0..n {
            let l = ipvt[j];
            wa1[j] = diag[l] * (wa2[l] / dxnorm);
        }
        for j in 0..n {
            wa1[j] /= sdiag[j];
            let temp = wa1[j];
            for i in j + 1..n {
                wa1[i] -= r[i * n + j] * temp;
            }
        }
        let temp = enorm(&wa1);
        let parc = ((fp / delta) / temp) / temp;
        if fp > 0.0 {
            parl = parl.max(par);
        }
        if fp < 0.0 {
            paru = paru.min(par);
        }
        par = parl.max(par + parc);
    }
    (par, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_reproduces_the_column_norms_and_solves_least_squares() {
        // A = [[1, 2], [3, 4], [5, 6]], b = [1, 2, 4]: AᵀA = [[35, 44], [44, 56]],
        // Aᵀb = [27, 34], solved by Cramer's rule below.
        let a = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 2.0, 4.0];
        let qr = qrfac(a, 3, 2);
        assert!((qr.acnorm[0] - 35f64.sqrt()).abs() < 1e-14);
        let mut r = qr.r();
        let qtb = qr.qt_times(&b);
        // A huge trust region: the Gauss–Newton step, par = 0.
        let (par, x) = lmpar(&mut r, 2, &qr.ipvt, &[1.0, 1.0], &qtb, 1e9, 0.0);
        // det = 35*56 - 44^2 = 24; x = [56*27 - 44*34, -44*27 + 35*34] / 24
        let want = [
            (56.0 * 27.0 - 44.0 * 34.0) / 24.0,
            (35.0 * 34.0 - 44.0 * 27.0) / 24.0,
        ];
        assert_eq!(par, 0.0);
        assert!(
            (x[0] - want[0]).abs() < 1e-12 && (x[1] - want[1]).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn lmpar_puts_the_step_on_the_trust_region_boundary() {
        let a = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let qr = qrfac(a, 3, 2);
        let mut r = qr.r();
        let qtb = qr.qt_times(&[1.0, 2.0, 4.0]);
        let (par, x) = lmpar(&mut r, 2, &qr.ipvt, &[1.0, 1.0], &qtb, 0.1, 0.0);
        assert!(par > 0.0);
        assert!((enorm(&x) - 0.1).abs() <= 0.01, "{x:?}");
    }
}
