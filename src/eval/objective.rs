//! The loss as a function of the flat param vector, for the optimizers:
//! the first evaluation runs the interpreter and its backward pass; when
//! nothing in them depends on values in a way a replay cannot redo, later
//! evaluations replay that tape at the new params.

use super::env::Binding;
use super::error::EvalError;
use super::Interp;
use crate::autodiff::NodeId;
use crate::optim::{Interrupt, Objective};
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// The loss as a function of the flat params, for the optimizers.
pub(super) struct LossObjective<'a> {
    pub(super) interp: &'a mut Interp,
    binding: Binding,
    params: Vec<usize>,
    /// -1 when maximizing.
    pub(super) sign: f64,
    span: Span,
    pub(super) step: usize,
    /// True while the optimizer's `step` runs: its evaluations are trial
    /// points (a line search's), not the driver's.
    pub(super) trying: bool,
    /// Why the last call returned `Interrupt`.
    pub(super) error: Option<EvalError>,
    /// Whether `compute` replays the tape recorded by its first call.
    replaying: bool,
    /// What the last evaluation recorded: the tape's length, the loss, the
    /// params' leaves and their gradients.
    tape_len: usize,
    root: NodeId,
    leaves: Vec<NodeId>,
    grads: Vec<NodeId>,
    /// The gradients, then the loss: what a replay must recompute.
    outputs: Vec<NodeId>,
    /// Whether the first evaluation of a large problem may record the tape's
    /// structure without its values (see `record`).
    lean: bool,
    /// For a `residual`'s loss: the residuals' node (what `lm` and the fit
    /// statistics differentiate).
    residual: Option<NodeId>,
}

/// Values with this many entries or more count as large (512 KiB).
const LARGE: usize = 1 << 16;

impl<'a> LossObjective<'a> {
    pub(super) fn new(
        interp: &'a mut Interp,
        binding: Binding,
        params: Vec<usize>,
        sign: f64,
        span: Span,
    ) -> Self {
        LossObjective {
            interp,
            binding,
            params,
            sign,
            span,
            step: 0,
            trying: false,
            error: None,
            replaying: false,
            tape_len: 0,
            root: NodeId(0),
            leaves: Vec::new(),
            grads: Vec::new(),
            outputs: Vec::new(),
            lean: true,
            residual: None,
        }
    }

    /// Loads `x` and computes the loss and its gradient nodes. The first
    /// call runs the interpreter and its backward pass; when nothing in them
    /// depends on values in a way a replay cannot redo (a branch on a
    /// param, a random draw, a gradient mask computed from values), that
    /// tape is kept and every later call just replays it at the new `x`.
    /// With `every_node` false, only the loss and the gradients are sure to
    /// be recomputed (a replay over many rows then keeps no intermediate
    /// rows); a Hessian or a diagnostic needs every node.
    fn compute(&mut self, x: &[f64], every_node: bool) -> Result<NodeId, Interrupt> {
        self.interp.store_flat(&self.params, x);
        if !self.replaying {
            let structure_only = self.record()?;
            if !structure_only {
                return Ok(self.root);
            }
            if !self.replaying {
                // The values are needed after all: record again, keeping them.
                self.lean = false;
                return self.compute(x, every_node);
            }
        }
        self.replay(every_node);
        Ok(self.root)
    }

    /// Replays the recorded tape at the params' current values: every node,
    /// or only the loss and gradients.
    fn replay(&mut self, every_node: bool) {
        let Interp { tape, params, .. } = &mut *self.interp;
        tape.truncate(self.tape_len);
        let param_value = |p: usize| params[p].value.clone();
        if every_node {
            tape.replay(self.tape_len, param_value);
        } else {
            tape.replay_outputs(self.tape_len, &self.outputs, param_value);
        }
    }

    /// Runs the interpreter and its backward pass on a cleared tape.
    /// Returns true when only the tape's structure is to be trusted: when
    /// it can be replayed, large values are not kept from the forward pass
    /// on, and a replay computes the loss and gradients (only those, for a
    /// fused replay, without holding every intermediate at once). Every
    /// evaluation then goes through the same replay, so the loss does not
    /// change in its last bits between the first step and the others.
    fn record(&mut self) -> Result<bool, Interrupt> {
        self.interp.tape.clear();
        let root = self
            .interp
            .eval_binding(&self.binding.clone(), self.span)
            .map_err(|e| self.fail(e))?;
        let shape = self.interp.tape.shape(root).to_vec();
        if !shape.is_empty() {
            return Err(self.fail(EvalError::LossNotScalar {
                span: self.span,
                shape,
            }));
        }
        let leaves: Vec<NodeId> = self
            .params
            .clone()
            .into_iter()
            .map(|i| self.interp.param_leaf(i))
            .collect();
        let tape = &mut self.interp.tape;
        let structure_only = self.lean && tape.replayable();
        if structure_only {
            tape.drop_values(LARGE);
        }
        self.grads = tape.grad_structure(root, &leaves, structure_only.then_some(LARGE));
        self.leaves = leaves;
        self.root = root;
        if let Binding::Formula(f) = &self.binding {
            self.residual = f.residual.as_ref().and_then(|c| c.get());
        }
        self.outputs = self.grads.clone();
        self.outputs.push(root);
        self.tape_len = tape.len();
        self.replaying = tape.replayable();
        Ok(structure_only)
    }

    /// Makes the next evaluation run the interpreter again: the data it
    /// reads has changed (a new mini-batch), so the recorded tape is stale.
    pub(super) fn rebind(&mut self) {
        self.replaying = false;
    }

    /// Whether the last failure was a NaN or Inf (a stop reason, reported
    /// after the summary) rather than an error in the script.
    pub(super) fn went_non_finite(&self) -> bool {
        matches!(self.error, Some(EvalError::NonFinite { .. }))
    }

    fn fail(&mut self, e: EvalError) -> Interrupt {
        self.error = Some(e);
        Interrupt
    }

    pub(super) fn eval_loss(&mut self, x: &[f64]) -> Result<f64, Interrupt> {
        let root = self.compute(x, false)?;
        let v = self.interp.tape.value(root).as_scalar().unwrap_or(f64::NAN);
        self.check_finite(v, "loss")?;
        Ok(v)
    }

    fn check_finite(&mut self, v: f64, what: &str) -> Result<(), Interrupt> {
        if v.is_finite() {
            return Ok(());
        }
        if self.replaying {
            // A fused replay left intermediate values stale: recompute all.
            self.replay(true);
        }
        let origin = self.interp.tape.first_non_finite();
        let err = EvalError::NonFinite {
            step: self.step,
            trial: self.trying,
            what: what.into(),
            span: self.span,
            cause: self.interp.non_finite_cause(origin),
        };
        Err(self.fail(err))
    }
}

impl Objective for LossObjective<'_> {
    fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Interrupt> {
        let loss = self.eval_loss(x)?;
        let mut offset = 0;
        for &g in &self.grads {
            match self.interp.tape.value(g) {
                Tensor::Scalar(v) => {
                    grad[offset] = self.sign * v;
                    offset += 1;
                }
                t => {
                    for v in t.iter() {
                        grad[offset] = self.sign * v;
                        offset += 1;
                    }
                }
            }
        }
        if let Some(bad) = grad.iter().find(|g| !g.is_finite()) {
            self.check_finite(*bad, "gradient")?;
        }
        Ok(self.sign * loss)
    }

    fn trial(&mut self, x: &[f64], grad: &mut [f64]) -> Result<Option<f64>, Interrupt> {
        match self.eval(x, grad) {
            Ok(f) => Ok(Some(f)),
            Err(Interrupt) if self.went_non_finite() => {
                // The optimizer shrinks its step: not an error.
                self.error = None;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn residuals(
        &mut self,
        x: &[f64],
        r: &mut Vec<f64>,
        jac: Option<&mut Vec<f64>>,
    ) -> Result<(), Interrupt> {
        self.compute(x, true)?;
        let Some(node) = self.residual else {
            return Err(Interrupt);
        };
        r.clear();
        r.extend(self.interp.tape.value(node).iter());
        let Some(jac) = jac else {
            return Ok(());
        };
        jac.clear();
        for row in self.interp.tape.entry_gradients(node, &self.leaves) {
            for g in row {
                jac.extend(self.interp.tape.value(g).iter());
            }
        }
        if let Some(bad) = jac.iter().find(|v| !v.is_finite()) {
            self.check_finite(*bad, "Jacobian")?;
        }
        Ok(())
    }

    fn hessian(&mut self, x: &[f64], hess: &mut [f64]) -> Result<(), Interrupt> {
        self.compute(x, true)?;
        let n = x.len();
        let mut row = 0;
        for g in self.grads.clone() {
            for second in self.interp.tape.entry_gradients(g, &self.leaves) {
                let mut col = 0;
                for s in second {
                    for v in self.interp.tape.value(s).iter() {
                        hess[row * n + col] = self.sign * v;
                        col += 1;
                    }
                }
                row += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::eval_str;

    /// Data over `rows` rows and params of every shape the fused replay
    /// handles.
    fn setup(rows: usize) -> String {
        format!(
            "
let N = {rows}
let X = randn(N, 3)
let Y = X @ [[1], [-2], [0.5]] + randn(N, 1) * 0.1
let S = sign(Y)
let V = randn(N)
param w = randn(3, 1) * 0.3
param b = 0.2
param c = randn(1, 3)
param u = randn(N) * 0.1
param W1 = randn(3, 20) * 0.3
param b1 = zeros(20) + 0.1
param W2 = randn(20, 1) * 0.3
"
        )
    }

    /// How `loss_and_grad` evaluates.
    #[derive(Clone, Copy, PartialEq)]
    enum Path {
        /// The interpreter, keeping every value: the reference.
        Interpreter,
        /// A replay of a tape recorded at other params.
        Replay,
        /// The first evaluation as `minimize` does it (for a large problem,
        /// the tape's structure and then a replay).
        First,
    }

    /// The loss and gradient of `loss = expr` at the params plus 0.05 on
    /// `rows` rows, and whether a fused replay over the rows computed it.
    fn loss_and_grad(rows: usize, expr: &str, path: Path) -> (f64, Vec<f64>, bool) {
        let mut interp = Interp::new(1, Box::new(std::io::sink()));
        let src = format!("{}\nloss = {expr}\n", setup(rows));
        if let Err(d) = eval_str(&mut interp, &src) {
            panic!("{expr}: {d:?}");
        }
        let binding = interp.scopes.lookup("loss").cloned().expect("loss bound");
        let root = interp
            .eval_binding(&binding, Span::default())
            .expect("loss evaluates");
        let params = interp.tape.params_reached(root);
        let x0: Vec<f64> = params
            .iter()
            .flat_map(|&i| interp.params[i].value.to_vec())
            .collect();
        let mut obj = LossObjective::new(&mut interp, binding, params, 1.0, Span::default());
        obj.lean = path != Path::Interpreter;
        let mut grad = vec![0.0; x0.len()];
        if path == Path::Replay && obj.eval(&x0, &mut grad).is_err() {
            panic!("{expr}: first evaluation: {:?}", obj.error);
        }
        let x: Vec<f64> = x0.iter().map(|v| v + 0.05).collect();
        let Ok(loss) = obj.eval(&x, &mut grad) else {
            panic!("{expr}: {:?}", obj.error);
        };
        let fused = obj.replaying && obj.interp.tape.replays_rows();
        (loss, grad, fused)
    }

    /// Compares `path` with the interpreter on each case; (expression,
    /// whether it should run fused).
    fn check(rows: usize, path: Path, cases: &[(&str, bool)]) {
        compare(rows, path, cases, true);
    }

    /// `check` without asserting which replay ran; returns how many cases
    /// ran fused.
    fn check_values(rows: usize, path: Path, cases: &[(&str, bool)]) -> usize {
        compare(rows, path, cases, false)
    }

    fn compare(rows: usize, path: Path, cases: &[(&str, bool)], check_fused: bool) -> usize {
        let mut wrong = Vec::new();
        let mut fused_cases = 0;
        for &(expr, fusable) in cases {
            let (want_loss, want_grad, _) = loss_and_grad(rows, expr, Path::Interpreter);
            let (loss, grad, fused) = loss_and_grad(rows, expr, path);
            fused_cases += usize::from(fused);
            if check_fused && fused != fusable {
                wrong.push(format!("{expr}: fused {fused}, expected {fusable}"));
            }
            // Sums over many rows add up in another order than the interpreter's.
            let tol = if rows > 1000 { 1e-10 } else { 1e-12 };
            let close = |a: f64, b: f64| (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0);
            if !close(loss, want_loss) {
                wrong.push(format!("{expr}: loss {loss} vs {want_loss}"));
            }
            for (k, (g, want)) in grad.iter().zip(&want_grad).enumerate() {
                if !close(*g, *want) {
                    wrong.push(format!("{expr}: gradient {k}: {g} vs {want}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        fused_cases
    }

    /// Random losses over the rows, built from every operation the fused
    /// replay handles (and some it does not), at every broadcast the rows
    /// allow: the fused replay must agree with the interpreter on each.
    #[test]
    fn random_losses_over_rows_match_the_interpreter() {
        let mut state = 0x5eed_u64;
        let mut next = move |n: usize| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        };
        // One partial chunk, and (25,000 rows) two parts on two threads
        // after a structure-only first evaluation that dropped values.
        for (rows, path, count) in [
            (20, Path::Replay, 150),
            (300, Path::Replay, 400),
            (25_000, Path::First, 12),
        ] {
            let cases: Vec<String> = (0..count).map(|_| random_loss(&mut next)).collect();
            let cases: Vec<(&str, bool)> = cases.iter().map(|c| (c.as_str(), true)).collect();
            let fused = check_values(rows, path, &cases);
            // A few come out unreplayable or outside what the rows support.
            assert!(fused * 10 >= count * 9, "only {fused} of {count} ran fused");
        }
    }

    /// A scalar loss: a sum of reductions of random row expressions.
    fn random_loss(next: &mut impl FnMut(usize) -> usize) -> String {
        let terms: Vec<String> = (0..1 + next(3))
            .map(|_| {
                let depth = 1 + next(3);
                match next(7) {
                    5 => format!("mean(logsumexp({}, axis=1))", rows(next, 3, depth)),
                    6 => format!("logsumexp({}) / N", rows(next, 1, depth)),
                    0 => format!("mean({})", rows(next, 3, depth)),
                    1 => format!("mean(({})^2)", rows(next, 1, depth)),
                    2 => format!("sum(sum({}, axis=0)^2) / N^2", rows(next, 3, depth)),
                    3 => format!("mean(sum({}, axis=1)^2)", rows(next, 3, depth)),
                    _ => format!("sqrt(1 + mean(({})^2))", rows(next, 1, depth)),
                }
            })
            .collect();
        terms.join(" + ")
    }

    /// An expression of shape (N, cols) (cols 1 or 3), bounded so that no
    /// value overflows.
    fn rows(next: &mut impl FnMut(usize) -> usize, cols: usize, depth: usize) -> String {
        let leaf = |next: &mut dyn FnMut(usize) -> usize| match (cols, next(4)) {
            (1, 0) => "Y".to_string(),
            (1, 1) => "X @ w".to_string(),
            (1, 2) => "(X @ transpose(c) - b)".to_string(),
            (1, _) => "(Y * b)".to_string(),
            (_, 0) => "X".to_string(),
            (_, 1) => "(X * c)".to_string(),
            (_, 2) => "(X - c * b)".to_string(),
            (_, _) => "full(b, N, 3)".to_string(),
        };
        if depth == 0 {
            return leaf(next);
        }
        let sub = |next: &mut dyn FnMut(usize) -> usize| rows_dyn(next, cols, depth - 1);
        match next(12) {
            0 => format!("tanh({})", sub(next)),
            1 => format!("(sigmoid({}) * b)", sub(next)),
            2 => format!("({} + {})", sub(next), sub(next)),
            3 => format!("({} * {})", sub(next), sub(next)),
            4 => format!("(abs({}) - relu({}))", sub(next), sub(next)),
            5 => format!("({} / (1 + ({})^2))", sub(next), sub(next)),
            6 if cols == 3 => format!("({} @ transpose(c)) * c", rows_dyn(next, 3, depth - 1)),
            6 => format!("({} @ w)", rows_dyn(next, 3, depth - 1)),
            7 => format!("(softplus({}) - {})", sub(next), leaf(next)),
            8 => format!("max({}, {})", sub(next), leaf(next)),
            9 => format!(
                "({} % 0.7 + atan2({}, {}))",
                sub(next),
                sub(next),
                leaf(next)
            ),
            10 => format!(
                "where({} > {}, erf({}), asinh({}) * b)",
                sub(next),
                leaf(next),
                sub(next),
                sub(next)
            ),
            _ => format!(
                "(log1p(abs({})) - expm1(-abs({})) + floor({}) * b)",
                sub(next),
                sub(next),
                leaf(next)
            ),
        }
    }

    fn rows_dyn(next: &mut dyn FnMut(usize) -> usize, cols: usize, depth: usize) -> String {
        rows(&mut |n| next(n), cols, depth)
    }

    #[test]
    fn large_first_evaluation_records_structure_then_replays() {
        // 70,000 x 3 entries: large enough to drop values while recording.
        check(
            70_000,
            Path::First,
            &[
                ("mean((Y - X @ w)^2)", true),
                ("sqrt(mean((Y - X @ w - b)^2)) + mean((V - u)^2)", true),
                // Not replayable (a mask from values): recorded again.
                ("sum(clamp(X @ w, -0.5, 0.5) * Y) / N", false),
                // Not fused: replayed node by node.
                ("sum((transpose(X) @ (X @ w - Y))^2) / N^2", false),
            ],
        );
    }

    #[test]
    fn fused_replay_over_rows_matches_the_interpreter() {
        check(
            300,
            Path::Replay,
            &[
                ("mean((Y - X @ w)^2)", true),
                // The backward pass reads the mean: two passes.
                ("sqrt(mean((Y - X @ w - b)^2))", true),
                ("sum(log(1 + exp(-S * (X @ w)))) / N", true),
                ("mean(abs(X @ w - Y)) + sum(relu(X @ w - b)) / N", true),
                ("sum((X * c - X)^2) + sum(sum(X * c, axis=1)^2) / N", true),
                ("sum(sum(X * c, axis=0) ^ 2) / N^2", true),
                // A param with one entry per row: its gradient is stored rows.
                ("mean((V - u)^2) + (sum(u) / N)^2", true),
                ("sum(tanh(X @ w) * Y + sigmoid(X @ w - b)) / N", true),
                ("sum(max(X @ w, Y) - min(X @ w, b)) / N", true),
                ("mean(X @ w) * mean(Y - X @ w + b)", true),
                ("mean((X @ transpose(c) - Y)^2) / (1 + mean(u^2))", true),
                ("mean((Y - X @ w)^2 / (1 + exp(X @ w - b)))", true),
                // Rows that are one param spread out, read whole.
                (
                    "sum((full(b, N, 3) @ w - Y)^2) / N + sum(sum(full(b, N, 3), axis=1))",
                    true,
                ),
                // Stable log-sum-exp and softmax, along the rows and over them.
                (
                    "mean(logsumexp(X * c, axis=1)) + logsumexp(X @ w) / N",
                    true,
                ),
                ("sum(logsumexp(X * c - b, axis=0)) / N", true),
                (
                    "-mean(sum(softmax(X @ W1, axis=1) * (X @ W1), axis=1))",
                    true,
                ),
                // keepdims=true: a row sum kept as a column is the same row
                // sum, fused alike.
                ("mean((Y - sum(X * c, axis=1, keepdims=true))^2)", true),
                (
                    "mean(logsumexp(X * c, axis=1, keepdims=true) * Y) + sum(mean(X * c, axis=0, keepdims=true)^2)",
                    true,
                ),
                ("sum(mean(X - c * b, axis=-1, keepdims=true)^2) / N", true),
                // A small neural network: rows of 20 hidden units.
                ("mean((tanh(X @ W1 + b1) @ W2 + b - Y)^2)", true),
                ("mean((relu(X @ W1 - b1) @ W2 - Y)^2) + sum(W1^2) / N", true),
                // The elementwise staples, `%` and `where`.
                (
                    "mean((atan(X @ w) - Y)^2 + asinh(X @ w) * erf(X @ w - b) + erfc(Y))",
                    true,
                ),
                (
                    "mean(log1p(exp(X @ w)) + expm1(-abs(X @ w - b)) + log2(1 + Y^2) * log10(2 + (X @ w)^2))",
                    true,
                ),
                (
                    "mean(sinh(X @ w) * cosh(Y * b) + asin(tanh(X @ w)) + acos(sigmoid(X @ w - b)) + atanh(tanh(Y) * 0.5) * acosh(2 + (X @ w)^2))",
                    true,
                ),
                ("mean((X @ w % 0.7) * Y + atan2(X @ w, Y - b) + (Y % (1 + b^2)))", true),
                (
                    "mean(where(X @ w > Y, (X @ w - Y)^2, abs(X @ w - Y)) + (floor(Y) + round(Y * 2)) * (X @ w) + ceil(Y) * trunc(Y) * b)",
                    true,
                ),
                ("mean(where(X > 0, X * c, sin(X * c) - b)) + mean(where(V > 0, u, -u)^2)", true),
                // Not row by row, or not replayable: the node-by-node replay
                // or the interpreter.
                ("sum((transpose(X) @ (X @ w - Y))^2) / N^2", false),
                ("sum(clamp(X @ w, -0.5, 0.5) * Y) / N", false),
            ],
        );
    }
}
