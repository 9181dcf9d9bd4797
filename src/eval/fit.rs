//! Fit statistics after a `minimize` of a `residual`: the residual sum of
//! squares, the covariance s²(JᵀJ)⁻¹ with s² = RSS/(n − k) from the
//! Jacobian at the solution (k the rank of J: the number of param entries
//! unless some cannot be told apart), and the standard errors, its
//! diagonal's square roots. `stderr(p)` and `covariance()` read the last fit; the summary line
//! and `--json` show it.
//!
//! (JᵀJ)⁻¹ comes from a pivoted QR of the Jacobian with unit columns, not
//! from the normal equations, whose condition number is the square of J's:
//! NIST's harder problems lose every digit of their standard errors
//! otherwise. A Jacobian whose columns are dependent (to 1e-10 relative)
//! leaves some params undetermined: W0009 names them, and their entries of
//! the covariance are NaN.

use super::builtins::Call;
use super::error::EvalError;
use super::Interp;
use crate::autodiff::op::Op;
use crate::autodiff::NodeId;
use crate::diagnostic::{Code, Diagnostic};
use crate::format::format_scalar;
use crate::optim::{enorm, qrfac};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// A column of R this much smaller than the largest (with J's columns
/// scaled to unit norm) counts as dependent on the others.
const RANK_TOL: f64 = 1e-10;

/// The last least-squares fit.
#[derive(Debug, Clone)]
pub(crate) struct Fit {
    /// The params fitted, in declaration order, with their first entry's
    /// index in the flat vector.
    pub params: Vec<(usize, usize)>,
    /// Flat entries.
    pub k: usize,
    /// k×k, row-major; NaN where the data do not determine it.
    pub cov: Vec<f64>,
}

/// What a fit's summary line and `--json` hold.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSummary {
    pub residuals: usize,
    /// n − k (k the Jacobian's rank).
    pub dof: i64,
    pub rss: f64,
    /// Each fitted param's standard errors, in declaration order.
    pub stderr: Vec<(String, Tensor)>,
}

/// (JᵀJ)⁻¹ (k×k), with NaN in the rows and columns of the flat entries
/// that cannot be told apart; those entries (sorted); and J's rank.
pub(crate) fn inverse_normal(jac: &[f64], n: usize, k: usize) -> (Vec<f64>, Vec<usize>, usize) {
    let norms: Vec<f64> = (0..k)
        .map(|j| enorm(&(0..n).map(|i| jac[i * k + j]).collect::<Vec<_>>()))
        .collect();
    let rows = n.max(k);
    let mut scaled = vec![0.0; rows * k];
    for i in 0..n {
        for j in 0..k {
            if norms[j] > 0.0 {
                scaled[i * k + j] = jac[i * k + j] / norms[j];
            }
        }
    }
    let qr = qrfac(scaled, rows, k);
    let r = qr.r();
    let top = qr.rdiag.first().map_or(0.0, |d| d.abs());
    let rank = (0..k)
        .take_while(|&j| top > 0.0 && qr.rdiag[j].abs() > RANK_TOL * top)
        .count();
    // The columns in a null vector of each dependent column.
    let mut dependent = Vec::new();
    for j in rank..k {
        let mut z = vec![0.0; rank];
        for a in (0..rank).rev() {
            let sum: f64 = (a + 1..rank).map(|b| r[a * k + b] * z[b]).sum();
            z[a] = (r[a * k + j] - sum) / r[a * k + a];
        }
        let size = z.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
        dependent.push(qr.ipvt[j]);
        for (a, v) in z.iter().enumerate() {
            if v.abs() > 1e-6 * size {
                dependent.push(qr.ipvt[a]);
            }
        }
    }
    dependent.sort_unstable();
    dependent.dedup();
    // R11⁻¹ (upper triangular), then P R11⁻¹ R11⁻ᵀ Pᵀ.
    let mut inv = vec![0.0; rank * rank];
    for c in 0..rank {
        for a in (0..=c).rev() {
            let e = if a == c { 1.0 } else { 0.0 };
            let sum: f64 = (a + 1..=c).map(|b| r[a * k + b] * inv[b * rank + c]).sum();
            inv[a * rank + c] = (e - sum) / r[a * k + a];
        }
    }
    let mut cov = vec![f64::NAN; k * k];
    for a in 0..rank {
        for b in 0..rank {
            let (i, j) = (qr.ipvt[a], qr.ipvt[b]);
            if dependent.contains(&i) || dependent.contains(&j) {
                continue;
            }
            let sum: f64 = (a.max(b)..rank)
                .map(|t| inv[a * rank + t] * inv[b * rank + t])
                .sum();
            cov[i * k + j] = sum / (norms[i] * norms[j]);
        }
    }
    (cov, dependent, rank)
}

impl Interp {
    /// Computes the fit of `params` (in declaration order, the flat vector
    /// following that order) from the residuals and Jacobian at the
    /// solution; warns about undetermined params and missing degrees of
    /// freedom at `span` (the minimize), and returns the summary.
    pub(super) fn record_fit(
        &mut self,
        params: &[usize],
        residuals: &[f64],
        jac: &[f64],
        span: Span,
    ) -> FitSummary {
        let n = residuals.len();
        let mut offsets = Vec::new();
        let mut k = 0;
        for &p in params {
            offsets.push((p, k));
            k += self.params[p].value.len();
        }
        let rss: f64 = residuals.iter().map(|r| r * r).sum();
        // Dependent entries are one param, not several, for the noise.
        let (mut cov, dependent, rank) = inverse_normal(jac, n, k);
        let dof = n as i64 - rank as i64;
        let s2 = if dof > 0 { rss / dof as f64 } else { f64::NAN };
        cov.iter_mut().for_each(|c| *c *= s2);
        let owner = |j: usize| offsets.iter().rev().find(|(_, o)| *o <= j).map(|(p, _)| *p);
        let mut names: Vec<String> = Vec::new();
        for j in dependent {
            if let Some(p) = owner(j) {
                let name = format!("`{}`", self.params[p].name);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        if !names.is_empty() {
            self.warn(
                Diagnostic::warning(
                    Code::W0009,
                    format!(
                        "the data cannot tell apart {}: the Jacobian of the residuals is rank-deficient",
                        names.join(", ")
                    ),
                    span,
                    "fitted here",
                )
                .with_note("some combination of them changes no residual, so their standard errors are nan")
                .with_help("fix one of them, or change the model so that each param has its own effect"),
            );
        }
        if dof <= 0 {
            self.warn(
                Diagnostic::warning(
                    Code::W0010,
                    format!(
                        "{n} residuals for {rank} independent param entries leave no degrees of freedom to estimate the noise"
                    ),
                    span,
                    "fitted here",
                )
                .with_help("standard errors need more residuals than param entries; they are nan"),
            );
        }
        let fit = Fit {
            params: offsets,
            k,
            cov,
        };
        let stderr = fit
            .params
            .iter()
            .map(|&(p, _)| (self.params[p].name.clone(), self.stderr_of(&fit, p)))
            .collect();
        self.fit = Some(fit);
        FitSummary {
            residuals: n,
            dof,
            rss,
            stderr,
        }
    }

    /// The standard errors of param `p` in `fit`, in its shape.
    fn stderr_of(&self, fit: &Fit, p: usize) -> Tensor {
        let value = &self.params[p].value;
        let offset = fit
            .params
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(0, |(_, o)| *o);
        let se: Vec<f64> = (offset..offset + value.len())
            .map(|j| fit.cov[j * fit.k + j].sqrt())
            .collect();
        match value {
            Tensor::Scalar(_) => Tensor::Scalar(se[0]),
            t => Tensor::from_shape_vec(t.shape(), se),
        }
    }

    /// The param whose value `node` reads, if it is one.
    fn param_read(&self, node: NodeId) -> Option<usize> {
        match self.tape.node(node).op {
            Op::Leaf { param } => Some(param),
            _ => None,
        }
    }

    /// The last fit, and the param argument `k` of `call` fitted by it.
    fn fitted(&self, call: &Call, k: usize) -> Result<(&Fit, usize), EvalError> {
        let what = call.name;
        let fit = self.fit.as_ref().ok_or_else(|| {
            EvalError::no_fit(
                call.callee,
                what,
                "no `minimize` of a `residual` has run yet".into(),
            )
        })?;
        let p = self
            .param_read(call.node(k)?)
            .ok_or_else(|| EvalError::BadArgument {
                span: call.span(k),
                message: format!("`{what}` takes a param, found an expression"),
                help: Some(format!("name the param itself, e.g. `{what}(b1)`")),
            })?;
        if !fit.params.iter().any(|(q, _)| *q == p) {
            return Err(EvalError::no_fit(
                call.span(k),
                what,
                format!(
                    "the last least-squares fit did not involve `{}`",
                    self.params[p].name
                ),
            ));
        }
        Ok((fit, p))
    }
}

/// `stderr(p)`: the standard errors of `p`'s entries in the last fit.
pub(crate) fn stderr(me: &mut Interp, call: &Call) -> Result<NodeId, EvalError> {
    let (fit, p) = me.fitted(call, 0)?;
    let t = me.stderr_of(fit, p);
    Ok(me.tape.constant(t))
}

/// `covariance()`: the k×k covariance of every entry of the last fit's
/// params (in declaration order, each flattened row-major);
/// `covariance(p)`: the block of `p`'s entries.
pub(crate) fn covariance(me: &mut Interp, call: &Call) -> Result<NodeId, EvalError> {
    let (range, k, cov) = if call.args.is_empty() {
        let fit = me.fit.as_ref().ok_or_else(|| {
            EvalError::no_fit(
                call.callee,
                "covariance",
                "no `minimize` of a `residual` has run yet".into(),
            )
        })?;
        (0..fit.k, fit.k, fit.cov.clone())
    } else {
        let (fit, p) = me.fitted(call, 0)?;
        let offset = fit
            .params
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(0, |(_, o)| *o);
        let len = me.params[p].value.len();
        (offset..offset + len, fit.k, fit.cov.clone())
    };
    let size = range.len();
    let block: Vec<f64> = range
        .clone()
        .flat_map(|i| range.clone().map(move |j| (i, j)))
        .map(|(i, j)| cov[i * k + j])
        .collect();
    Ok(me
        .tape
        .constant(Tensor::from_shape_vec(&[size, size], block)))
}

impl FitSummary {
    /// The summary's second line: the RSS and each param's standard errors.
    pub(crate) fn line(&self) -> String {
        let errors: Vec<String> = self
            .stderr
            .iter()
            .map(|(name, t)| match t {
                Tensor::Scalar(v) => format!("{name} ± {}", format_scalar(*v, 4)),
                t if t.len() <= 6 => {
                    let entries: Vec<String> = t.iter().map(|v| format_scalar(v, 4)).collect();
                    format!("{name} ± [{}]", entries.join(", "))
                }
                _ => format!("{name} ± stderr({name})"),
            })
            .collect();
        format!(
            "  RSS {} over {} residual{}, {} degree{} of freedom; standard errors: {}",
            format_scalar(self.rss, 4),
            self.residuals,
            if self.residuals == 1 { "" } else { "s" },
            self.dof.max(0),
            if self.dof == 1 { "" } else { "s" },
            errors.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_normal_matches_the_closed_form() {
        // J = [[1, 0], [1, 1], [1, 2]]: JᵀJ = [[3, 3], [3, 5]], inverse
        // [[5, -3], [-3, 3]] / 6.
        let jac = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
        let (cov, dependent, rank) = inverse_normal(&jac, 3, 2);
        assert_eq!(rank, 2);
        let want = [5.0 / 6.0, -0.5, -0.5, 0.5];
        assert!(dependent.is_empty());
        for (c, w) in cov.iter().zip(want) {
            assert!((c - w).abs() < 1e-14, "{cov:?}");
        }
    }

    #[test]
    fn dependent_columns_are_named_and_nan() {
        // Columns 0 and 2 are equal; column 1 is on its own.
        let jac = [1.0, 0.0, 1.0, 2.0, 1.0, 2.0, 3.0, 0.0, 3.0, 1.0, 1.0, 1.0];
        let (cov, dependent, rank) = inverse_normal(&jac, 4, 3);
        assert_eq!(rank, 2);
        assert_eq!(dependent, vec![0, 2]);
        assert!(cov[0].is_nan() && cov[2 * 3 + 2].is_nan());
        assert!(cov[3 + 1].is_finite());
    }
}
