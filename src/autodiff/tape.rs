//! The tape (a Wengert list): every operation appends a node holding its op,
//! its inputs and its value. `grad` walks it once in reverse and *records*
//! the backward pass as new nodes, so a gradient is itself differentiable
//! (grad of grad, Hessians). The tape is cleared, not reallocated, between
//! optimizer steps.

use super::op::Op;
use crate::syntax::span::Span;
use crate::tensor::Tensor;

/// Index of a node on the tape. Valid until the tape is cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub op: Op,
    pub value: Tensor,
    /// True when the value depends on a param (so gradients flow into it).
    pub requires_grad: bool,
    /// The source span of the operation, for diagnostics.
    pub span: Span,
    /// True for a constant of whole numbers that are indices or dimensions
    /// (`argmax`, `shape`): printed as integers, as torch prints int64.
    pub integer: bool,
}

impl Node {
    /// About the memory the node holds: itself and its value's entries
    /// (a scalar's is inside the node).
    fn bytes(&self) -> usize {
        let entries = if self.value.ndim() == 0 {
            0
        } else {
            self.value.len()
        };
        std::mem::size_of::<Node>() + 8 * entries
    }
}

/// Where a NaN or Inf on the tape came from ([`Tape::first_non_finite`]).
#[derive(Debug, Clone, PartialEq)]
pub enum NonFiniteOrigin {
    /// An operation that made it from finite inputs: its span, a label for
    /// it ("`log` produced NaN here") and a note on what went in.
    Operation {
        span: Span,
        label: String,
        note: String,
    },
    /// A value that held it when it was put on the tape (data, or a
    /// param): where it was used, its node, and what it is ("a constant").
    Value {
        span: Span,
        node: NodeId,
        kind: &'static str,
    },
}

#[derive(Debug, Default)]
pub struct Tape {
    nodes: Vec<Node>,
    /// About the bytes the nodes recorded since the last `clear` hold (node
    /// and value), for callers that may clear it early.
    bytes: usize,
    epoch: u64,
    span: Span,
    /// False once something recorded since the last `clear` depended on a
    /// param's value in a way `replay` cannot redo (a branch, a random draw).
    value_dependent: bool,
    /// The compiled form of the replayed prefix, once asked for.
    compiled: Option<(usize, Compiled)>,
    /// While set, computed values with this many entries or more are not
    /// kept (see `grad_structure`).
    drop_above: Option<usize>,
}

/// `value` if it is kept, else zeros of its shape: the allocator hands out
/// untouched zero pages, so those cost no memory until written. Data and
/// params are always kept, and so is anything below `drop_above` entries.
fn kept(op: &Op, value: Tensor, drop_above: usize) -> Tensor {
    if value.len() < drop_above || matches!(op, Op::Const | Op::Leaf { .. }) {
        value
    } else {
        Tensor::full(value.shape(), 0.0)
    }
}

/// Node `i` recomputed from its inputs, in its own buffer when it can be.
pub(crate) fn recompute(nodes: &mut [Node], i: usize) {
    let (done, rest) = nodes.split_at_mut(i);
    let node = &mut rest[0];
    if !node.op.compute_into(done, &mut node.value) {
        node.value = node
            .op
            .compute(done, node.value.shape())
            .unwrap_or_else(|e| unreachable!("invariant: replayed shapes agree: {e:?}"));
    }
}

/// How a recorded prefix of the tape is replayed.
#[derive(Debug)]
enum Compiled {
    /// All scalars: one straight-line program, every node recomputed.
    Scalar(super::scalar::ScalarProgram),
    /// Rows of data, fused (only these outputs are recomputed); the
    /// program was built for them.
    Rows(super::rows::RowProgram, Vec<NodeId>),
    /// Node by node.
    Nodes,
}

impl Tape {
    pub fn new() -> Self {
        Tape::default()
    }

    /// An empty tape whose epochs come after this one's, so values cached
    /// by epoch on either are never mistaken for the other's (a `minimize`
    /// inside a loop or function runs on its own tape).
    pub fn successor(&self) -> Tape {
        Tape {
            epoch: self.epoch + 1,
            ..Tape::default()
        }
    }

    /// Goes on after `inner` (a successor) was used: a new epoch past all
    /// of its, since params may have changed meanwhile.
    pub fn resume_after(&mut self, inner: &Tape) {
        self.epoch = self.epoch.max(inner.epoch) + 1;
    }

    /// Forgets every node, keeping the allocation. Node ids from before are
    /// invalid afterwards; `epoch` tells callers that cache ids.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.bytes = 0;
        self.epoch += 1;
        self.value_dependent = false;
        self.compiled = None;
    }

    /// The value of `id` read to make a decision (a branch, an index, a
    /// size). If it depends on a param, the tape can no longer be replayed.
    pub fn decide(&mut self, id: NodeId) -> &Tensor {
        if self.requires_grad(id) {
            self.value_dependent = true;
        }
        self.value(id)
    }

    /// Marks the tape as not replayable (e.g. it drew random numbers).
    pub fn forbid_replay(&mut self) {
        self.value_dependent = true;
    }

    /// Whether `replay` reproduces what the interpreter would compute.
    pub fn replayable(&self) -> bool {
        !self.value_dependent
    }

    /// Starts a new epoch without dropping nodes: values cached by epoch
    /// (param leaves, formulas) are recomputed, existing ids stay valid.
    pub fn new_epoch(&mut self) {
        self.epoch += 1;
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Sets the span given to the nodes recorded from now on; returns the
    /// previous one so callers can restore it.
    pub fn set_span(&mut self, span: Span) -> Span {
        std::mem::replace(&mut self.span, span)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn value(&self, id: NodeId) -> &Tensor {
        &self.nodes[id.index()].value
    }

    pub fn shape(&self, id: NodeId) -> &[usize] {
        self.nodes[id.index()].value.shape()
    }

    pub fn requires_grad(&self, id: NodeId) -> bool {
        self.nodes[id.index()].requires_grad
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub(crate) fn push(&mut self, op: Op, value: Tensor) -> NodeId {
        let mut requires_grad = matches!(op, Op::Leaf { .. });
        op.for_each_input(|i| requires_grad |= self.nodes[i.index()].requires_grad);
        let id = NodeId(
            u32::try_from(self.nodes.len()).unwrap_or_else(|_| unreachable!("tape over 4G nodes")),
        );
        let value = match self.drop_above {
            Some(n) => kept(&op, value, n),
            None => value,
        };
        let node = Node {
            op,
            value,
            requires_grad,
            span: self.span,
            integer: false,
        };
        self.bytes += node.bytes();
        self.nodes.push(node);
        id
    }

    /// Computes `op` from its inputs and appends it (`shape`: see
    /// [`Op::compute`]).
    pub(crate) fn record(&mut self, op: Op, shape: &[usize]) -> Result<NodeId, super::OpError> {
        let value = op.compute(&self.nodes, shape)?;
        Ok(self.push(op, value))
    }

    /// `record` for operands the caller knows fit together.
    pub(crate) fn record_unchecked(&mut self, op: Op, shape: &[usize]) -> NodeId {
        self.record(op, shape)
            .unwrap_or_else(|e| unreachable!("invariant: operands fit: {e:?}"))
    }

    /// Recomputes nodes `0..len` from their inputs, with each param leaf
    /// set to `param_value(param)`: the forward pass again, without the
    /// interpreter, for a tape whose structure does not depend on values.
    pub fn replay(&mut self, len: usize, param_value: impl FnMut(usize) -> Tensor) {
        self.replay_for(len, None, param_value);
    }

    /// `replay`, where only `outputs` (and the values they are computed
    /// from, when small) need to be recomputed: this lets a tape over many
    /// rows of data run fused, without storing its intermediate rows.
    pub fn replay_outputs(
        &mut self,
        len: usize,
        outputs: &[NodeId],
        param_value: impl FnMut(usize) -> Tensor,
    ) {
        self.replay_for(len, Some(outputs), param_value);
    }

    fn replay_for(
        &mut self,
        len: usize,
        outputs: Option<&[NodeId]>,
        mut param_value: impl FnMut(usize) -> Tensor,
    ) {
        let len = len.min(self.nodes.len());
        let fresh = match &self.compiled {
            Some((l, Compiled::Rows(_, outs))) => *l == len && Some(outs.as_slice()) == outputs,
            Some((l, _)) => *l == len,
            None => false,
        };
        if !fresh {
            let nodes = &self.nodes[..len];
            let compiled = if let Some(program) = super::scalar::ScalarProgram::compile(nodes) {
                Compiled::Scalar(program)
            } else {
                outputs
                    .and_then(|outs| {
                        let program = super::rows::RowProgram::compile(nodes, outs)?;
                        Some(Compiled::Rows(program, outs.to_vec()))
                    })
                    .unwrap_or(Compiled::Nodes)
            };
            self.compiled = Some((len, compiled));
        }
        match &mut self.compiled {
            Some((_, Compiled::Scalar(program))) => {
                program.run(&mut self.nodes[..len], |p| {
                    param_value(p).as_scalar().unwrap_or(f64::NAN)
                });
                return;
            }
            Some((_, Compiled::Rows(program, _))) if outputs.is_some() => {
                program.run(&mut self.nodes[..len], &mut param_value);
                return;
            }
            _ => {}
        }
        for i in 0..len {
            match &self.nodes[i].op {
                Op::Const => {}
                Op::Leaf { param } => self.nodes[i].value = param_value(*param),
                _ => recompute(&mut self.nodes, i),
            }
        }
    }

    /// Replaces every computed value with `above` entries or more by zeros
    /// of its shape: for a tape that will be replayed before its values
    /// are read again.
    pub fn drop_values(&mut self, above: usize) {
        for node in &mut self.nodes {
            let value = std::mem::replace(&mut node.value, Tensor::Scalar(0.0));
            node.value = kept(&node.op, value, above);
        }
    }

    /// `grad`, keeping no computed value with `drop_above` entries or more
    /// (each is computed, then replaced by zeros): the backward pass's
    /// structure for a replay, without holding all of its large values at
    /// once. Sound because a backward rule whose structure depends on
    /// values marks the tape as not replayable.
    pub fn grad_structure(
        &mut self,
        root: NodeId,
        leaves: &[NodeId],
        drop_above: Option<usize>,
    ) -> Vec<NodeId> {
        self.drop_above = drop_above;
        let grads = self.grad(root, leaves);
        self.drop_above = None;
        grads
    }

    /// Whether the last `replay_outputs` ran fused over rows.
    #[cfg(test)]
    pub(crate) fn replays_rows(&self) -> bool {
        matches!(self.compiled, Some((_, Compiled::Rows(..))))
    }

    /// Drops the nodes from `len` on (e.g. a backward pass before replaying).
    pub fn truncate(&mut self, len: usize) {
        let dropped: usize = self.nodes.iter().skip(len).map(Node::bytes).sum();
        self.bytes = self.bytes.saturating_sub(dropped);
        self.nodes.truncate(len);
    }

    /// About the bytes the nodes recorded since the last `clear` hold.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// A value that carries no gradient.
    pub fn constant(&mut self, value: Tensor) -> NodeId {
        self.push(Op::Const, value)
    }

    /// A constant of indices or dimensions, printed as integers (see
    /// [`Node::integer`]); arithmetic on it gives ordinary numbers.
    pub fn indices(&mut self, value: Tensor) -> NodeId {
        let id = self.constant(value);
        self.nodes[id.index()].integer = true;
        id
    }

    pub fn scalar(&mut self, x: f64) -> NodeId {
        self.constant(Tensor::Scalar(x))
    }

    /// A read of param number `param`: gradients stop and collect here.
    pub fn leaf(&mut self, value: Tensor, param: usize) -> NodeId {
        self.push(Op::Leaf { param }, value)
    }

    /// The params whose leaves `root` depends on, in declaration order.
    pub fn params_reached(&self, root: NodeId) -> Vec<usize> {
        let mut reached = vec![false; root.index() + 1];
        reached[root.index()] = true;
        let mut params = Vec::new();
        for i in (0..=root.index()).rev() {
            if !reached[i] || !self.nodes[i].requires_grad {
                continue;
            }
            if let Op::Leaf { param } = self.nodes[i].op {
                params.push(param);
            }
            self.nodes[i]
                .op
                .for_each_input(|input| reached[input.index()] = true);
        }
        params.sort_unstable();
        params.dedup();
        params
    }

    /// Where the first NaN or Inf on the tape came from, for a diagnostic:
    /// the first operation that produced one from finite inputs, or a
    /// value that already held one when it was put on the tape.
    pub fn first_non_finite(&self) -> Option<NonFiniteOrigin> {
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(k) = node.value.iter().position(|v| !v.is_finite()) else {
                continue;
            };
            let mut inputs = Vec::new();
            node.op
                .for_each_input(|i| inputs.push(&self.nodes[i.index()].value));
            if inputs.is_empty() {
                return Some(NonFiniteOrigin::Value {
                    span: node.span,
                    node: NodeId(i as u32),
                    kind: node.op.name(),
                });
            }
            if !inputs.iter().all(|v| v.all_finite()) {
                continue;
            }
            let bad = node.value.iter().nth(k).unwrap_or(f64::NAN);
            let label = format!("{} produced {} here", node.op.name(), prose_number(bad));
            let elementwise = inputs
                .iter()
                .all(|v| v.len() == 1 || v.shape() == node.value.shape());
            let note = if elementwise && matches!(node.op, Op::Unary(..) | Op::Binary(..)) {
                let args: Vec<String> = inputs
                    .iter()
                    .map(|v| {
                        prose_number(
                            v.iter()
                                .nth(if v.len() == 1 { 0 } else { k })
                                .unwrap_or(f64::NAN),
                        )
                    })
                    .collect();
                let at = if node.value.len() > 1 {
                    format!(" at entry {k}")
                } else {
                    String::new()
                };
                format!("{}{at} was given {}", node.op.name(), args.join(" and "))
            } else {
                let shapes: Vec<String> = inputs
                    .iter()
                    .map(|v| crate::tensor::shape_string(v.shape()))
                    .collect();
                format!(
                    "{} was given finite inputs of shapes {}",
                    node.op.name(),
                    shapes.join(" and ")
                )
            };
            return Some(NonFiniteOrigin::Operation {
                span: node.span,
                label,
                note,
            });
        }
        None
    }

    /// For each entry of `y`, in row-major order, its gradient with respect
    /// to each of `wrt`, recorded: the rows of a Jacobian (of a Hessian when
    /// `y` is itself a gradient).
    pub fn entry_gradients(&mut self, y: NodeId, wrt: &[NodeId]) -> Vec<Vec<NodeId>> {
        (0..self.value(y).len())
            .map(|k| self.entry_gradient(y, k, wrt))
            .collect()
    }

    /// The gradient of entry `k` (row-major) of `y` with respect to each
    /// of `wrt`, recorded.
    pub fn entry_gradient(&mut self, y: NodeId, k: usize, wrt: &[NodeId]) -> Vec<NodeId> {
        let shape = self.shape(y).to_vec();
        let entry = if shape.is_empty() {
            y
        } else {
            self.index_unchecked(y, std::rc::Rc::new(unravel(k, &shape)))
        };
        self.grad(entry, wrt)
    }

    /// The gradient of the scalar `root` with respect to each of `wrt`
    /// (a node of the same shape, zeros where there is no path). The
    /// backward pass is recorded, so the results can be differentiated again.
    pub fn grad(&mut self, root: NodeId, wrt: &[NodeId]) -> Vec<NodeId> {
        let mut adjoint: Vec<Option<NodeId>> = vec![None; root.index() + 1];
        if self.requires_grad(root) {
            let ones = Tensor::full(self.shape(root), 1.0);
            adjoint[root.index()] = Some(self.constant(ones));
        }
        // Only nodes that lead to a target need their adjoint.
        let lowest = wrt.iter().map(|w| w.index()).min().unwrap_or(usize::MAX);
        for i in (0..=root.index()).rev() {
            if i < lowest {
                break;
            }
            let Some(g) = adjoint[i] else { continue };
            if !self.nodes[i].requires_grad {
                continue;
            }
            let span = self.set_span(self.nodes[i].span);
            let op = self.nodes[i].op.clone();
            let contributions = op.backward(self, NodeId(i as u32), g);
            for (input, grad) in contributions {
                if !self.requires_grad(input) {
                    continue;
                }
                let slot = &mut adjoint[input.index()];
                *slot = Some(match *slot {
                    None => grad,
                    Some(prev) => self.add(prev, grad),
                });
            }
            self.set_span(span);
        }
        wrt.iter()
            .map(|&w| match adjoint.get(w.index()).copied().flatten() {
                Some(g) => g,
                None => {
                    let zeros = Tensor::full(self.shape(w), 0.0);
                    self.constant(zeros)
                }
            })
            .collect()
    }
}

/// A number as it reads in a sentence: `-2`, `0.5`, `NaN`, `infinity`.
fn prose_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "infinity" } else { "-infinity" }.into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let plain = format!("{v}");
        if plain.len() <= 12 {
            plain
        } else {
            format!("{v:.6e}")
        }
    }
}

/// The multi-index of flat position `k` in `shape`.
fn unravel(mut k: usize, shape: &[usize]) -> Vec<super::IndexPart> {
    let mut idx = vec![0; shape.len()];
    for (ax, &n) in shape.iter().enumerate().rev() {
        idx[ax] = k % n;
        k /= n;
    }
    idx.into_iter().map(super::IndexPart::At).collect()
}
