//! Replay for tapes over many rows of data, such as `mean((Y - X @ w)^2)`
//! with a million samples: every large value has the same leading axis of
//! `N` rows and a few columns. Instead of one pass over `N` rows per
//! operation, forward and backward run fused, chunk by chunk: each
//! operation works on a few hundred rows that stay in cache, reductions
//! accumulate as the rows go by, and the rows are split across threads
//! (with the `cli` feature's thread pool; on one thread without it).
//!
//! A pass can only use a reduction's result after the pass that computes
//! it, so a tape whose backward pass reads a forward reduction (the mean
//! inside `sqrt(mean(r^2))`) runs in several passes, storing the row
//! values a later pass reads. Anything else (a transpose of the rows,
//! indexing them, `max` over them; `logsumexp`'s stabilising maximum is
//! supported) leaves the tape to the node-by-node replay.

use std::ops::Range;

mod compile;
mod kernels;
mod products;

use kernels::Ctx;

use super::elementwise::{BinaryFn, UnaryFn};
use super::op::Op;
use super::selection::{clamp_scalar, CompareFn};
use super::tape::{Node, NodeId};
use crate::tensor::Tensor;

/// Fewer rows than this are left to the node-by-node replay (already at
/// 20 rows the fused one is faster: 0.75 against 1.14 µs per polyfit step).
const MIN_ROWS: usize = 16;
/// Computed rows wider than this are left to the node-by-node replay.
const MAX_COLS: usize = 64;
/// Data and params are read in place, never copied into a register, so
/// they may be wider (the 784 pixels of an image): at most this many.
const MAX_HELD_COLS: usize = 4096;
/// A value computed node by node between passes may have at most this
/// many entries; a larger one that is not rows leaves the tape unfused.
const MAX_SMALL: usize = 4096;
/// Rows per chunk, at most: the live intermediates of a chunk stay in L2,
/// and each operation is dispatched once per 1024 rows (256 to 4096
/// measured alike).
const CHUNK: usize = 1024;
/// Entries per register at most: wide rows come in shorter chunks.
const CHUNK_ENTRIES: usize = 16 * 1024;
/// Entries of the widest held rows per chunk at most (512 KB).
const HELD_CHUNK_ENTRIES: usize = 64 * 1024;
/// Rows per unit of parallel work. Fixed, so that sums are added in the
/// same order whatever the number of threads.
const PART: usize = 1 << 14;

/// How a node is replayed.
#[derive(Debug, Clone, Copy)]
enum Class {
    /// Not row-shaped: recomputed node by node once its inputs are ready,
    /// which is after the passes that produce them (`phase`).
    Small { phase: usize },
    /// Row-shaped and read in place: data, or a param set before the passes.
    Held { cols: usize, rank: usize },
    /// Row-shaped, computed chunk by chunk in `pass`.
    Rows {
        pass: usize,
        cols: usize,
        rank: usize,
    },
    /// A small value broadcast over the rows: never stored, its consumers
    /// read the small value.
    Spread { of: usize, phase: usize },
}

/// Where an operand's rows come from in a chunk.
#[derive(Debug, Clone, Copy)]
enum Arg {
    /// `cols` values per row, read in place from a node's buffer (data, a
    /// param, a value an earlier pass stored): the pass's `slot`th.
    Held { slot: usize, cols: usize },
    /// `cols` values per row, from a register of this pass.
    Reg { reg: usize, cols: usize },
    /// The same `len` values (1 or the output's columns) on every row, at
    /// `at` in the pass's table of small values.
    Small { at: usize, len: usize },
}

#[derive(Debug, Clone)]
enum Kernel {
    Unary(UnaryFn, Arg),
    Binary(BinaryFn, Arg, Arg),
    Compare(CompareFn, Arg, Arg),
    Clamp(Arg, Arg, Arg),
    Select(Arg, Arg, Arg),
    /// A broadcast or reshape: the operand's values, spread to the output.
    Copy(Arg),
    /// Each row (k values) times a small k x m matrix (stored transposed
    /// if `tb`).
    RowTimes {
        a: Arg,
        w: Arg,
        k: usize,
        tb: bool,
    },
    /// The sum of each row's values.
    RowSum(Arg),
    /// Each row's largest value, 0 if not finite (`Op::MaxShift`).
    RowMaxShift(Arg),
}

/// A reduction over the rows into a small value.
#[derive(Debug, Clone)]
enum Reduce {
    /// Column sums of `x` (`cols` of them), added up to one when the node
    /// has one entry.
    Columns { x: Arg, cols: usize },
    /// `aᵀ b` for rows of k and m values: a k x m matrix.
    Gram { a: Arg, k: usize, b: Arg, m: usize },
    /// The largest value of each column (NaN if any is), of all of them
    /// when the node has one entry; 0 in place of a non-finite result.
    MaxShift { x: Arg, cols: usize },
}

#[derive(Debug, Clone, Default)]
struct Pass {
    /// (register it writes, columns, what it computes), in tape order.
    kernels: Vec<(usize, usize, Kernel)>,
    /// Columns of each register.
    regs: Vec<usize>,
    /// (node, offset in the accumulators, how), in tape order.
    reductions: Vec<(usize, usize, Reduce)>,
    /// Every accumulator's starting value.
    acc_init: Vec<f64>,
    /// Small nodes this pass reads, copied into one table before it runs.
    smalls: Vec<usize>,
    /// Nodes whose rows this pass reads in place.
    held: Vec<usize>,
    /// (register, node): row values a later pass or the caller reads.
    stores: Vec<(usize, usize)>,
    /// Work per row, to decide whether threads pay.
    cost: usize,
    /// Columns of the widest rows read in place.
    widest_held: usize,
}

impl Pass {
    /// Rows per chunk: fewer for wide registers, and for wide data, whose
    /// chunk is read twice (`X @ W` forward, `Xᵀ dZ` backward) and should
    /// still be in L2 the second time.
    fn chunk(&self) -> usize {
        let widest = self.regs.iter().copied().max().unwrap_or(1);
        let rows = (CHUNK_ENTRIES / widest).min(HELD_CHUNK_ENTRIES / self.widest_held.max(1));
        rows.clamp(16, CHUNK)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RowProgram {
    rows: usize,
    /// (node, phase) of every computed small node, in tape order.
    smalls: Vec<(usize, usize)>,
    /// (node, param) of every param leaf.
    leaves: Vec<(usize, usize)>,
    /// Pass `p` runs after the small nodes of phase `p`.
    passes: Vec<Pass>,
    held: Vec<usize>,
    /// Buffers kept from one replay to the next (a replay of a few
    /// thousand rows would otherwise spend a fifth of its time allocating
    /// them).
    scratch: Scratch,
}

/// A pass's table of small values, and registers for a replay on one thread.
#[derive(Debug, Clone, Default)]
struct Scratch {
    table: Vec<f64>,
    regs: Vec<Vec<f64>>,
}

impl RowProgram {
    /// The program for `nodes` when their large values are all row-shaped
    /// over one `N` and every operation on them can run fused; `outputs`
    /// are the nodes the caller reads after a replay.
    pub(crate) fn compile(nodes: &[Node], outputs: &[NodeId]) -> Option<Self> {
        compile::compile(nodes, outputs)
    }

    /// Recomputes every output at the current params.
    pub(crate) fn run(&mut self, nodes: &mut [Node], mut param_value: impl FnMut(usize) -> Tensor) {
        for &(node, param) in &self.leaves {
            nodes[node].value = param_value(param);
        }
        for &i in &self.held {
            // Chunks are slices of row-major buffers (data from `hstack`
            // may be laid out by columns): a one-time copy.
            if nodes[i].value.view().as_slice().is_none() {
                let value = &nodes[i].value;
                nodes[i].value = Tensor::from_shape_vec(value.shape(), value.to_vec());
            }
        }
        let mut next_small = 0;
        for (phase, pass) in self.passes.iter().enumerate() {
            while let Some(&(node, p)) = self.smalls.get(next_small) {
                if p > phase {
                    break;
                }
                super::tape::recompute(nodes, node);
                next_small += 1;
            }
            run_pass(pass, self.rows, nodes, &mut self.scratch);
        }
        for &(node, _) in &self.smalls[next_small..] {
            super::tape::recompute(nodes, node);
        }
    }
}

/// Runs one pass over all `rows`, on several threads when it pays.
fn run_pass(pass: &Pass, rows: usize, nodes: &mut [Node], scratch: &mut Scratch) {
    if pass.kernels.is_empty() && pass.reductions.is_empty() {
        return;
    }
    // Stored rows are written whole: a buffer not laid out row by row
    // is replaced rather than copied.
    let mut taken: Vec<Tensor> = pass
        .stores
        .iter()
        .map(|&(_, node)| {
            let value = std::mem::replace(&mut nodes[node].value, Tensor::Scalar(0.0));
            match value.view().as_slice() {
                Some(_) => value,
                None => Tensor::full(value.shape(), 0.0),
            }
        })
        .collect();
    let Scratch { table, regs } = scratch;
    table.clear();
    for &node in &pass.smalls {
        table.extend(nodes[node].value.iter());
    }
    let views: Vec<_> = pass.held.iter().map(|&n| nodes[n].value.view()).collect();
    let held: Vec<&[f64]> = views.iter().map(|v| v.as_slice().unwrap_or(&[])).collect();
    let parts: Vec<Range<usize>> = (0..rows)
        .step_by(PART)
        .map(|s| s..(s + PART).min(rows))
        .collect();
    // Each stored node's buffer, cut into the parts' rows.
    let mut outs: Vec<Vec<&mut [f64]>> = parts.iter().map(|_| Vec::new()).collect();
    for (t, &(reg, _)) in taken.iter_mut().zip(&pass.stores) {
        let cols = pass.regs[reg];
        if let Tensor::Array(a) = t {
            if let Some(s) = a.as_slice_mut() {
                for (k, piece) in s.chunks_mut(PART * cols).enumerate() {
                    outs[k].push(piece);
                }
            }
        }
    }
    let ctx = Ctx {
        pass,
        held: &held,
        table,
    };
    let work = parts.into_iter().zip(outs);
    #[cfg(feature = "cli")]
    let accs: Vec<Vec<f64>> = if rows * pass.cost >= 1 << 17 {
        use rayon::prelude::*;
        work.collect::<Vec<_>>()
            .into_par_iter()
            .map_init(Vec::new, |regs, (range, mut out)| {
                ctx.run_part(range, &mut out, regs)
            })
            .collect()
    } else {
        work.map(|(range, mut out)| ctx.run_part(range, &mut out, regs))
            .collect()
    };
    // Without the `cli` feature there is no thread pool (wasm has no
    // threads): every pass runs on this thread, in the same part order.
    #[cfg(not(feature = "cli"))]
    let accs: Vec<Vec<f64>> = work
        .map(|(range, mut out)| ctx.run_part(range, &mut out, regs))
        .collect();
    drop(views);
    for (t, &(_, node)) in taken.into_iter().zip(&pass.stores) {
        nodes[node].value = t;
    }
    let mut total = pass.acc_init.clone();
    for acc in accs {
        for (_, at, reduce) in &pass.reductions {
            let range = *at..*at + reduce.len();
            reduce.combine(&mut total[range.clone()], &acc[range]);
        }
    }
    for (node, at, reduce) in &pass.reductions {
        let mut values = total[*at..*at + reduce.len()].to_vec();
        let value = &mut nodes[*node].value;
        if value.len() == 1 && values.len() > 1 {
            let all = values
                .iter()
                .fold(reduce.identity(), |a, &b| reduce.fold(a, b));
            values = vec![all];
        }
        if let Reduce::MaxShift { .. } = reduce {
            for v in values.iter_mut().filter(|v| !v.is_finite()) {
                *v = 0.0;
            }
        }
        match value {
            Tensor::Scalar(v) => *v = values[0],
            Tensor::Array(a) => {
                for (v, s) in a.iter_mut().zip(&values) {
                    *v = *s;
                }
            }
        }
    }
}

impl Reduce {
    fn len(&self) -> usize {
        match self {
            Reduce::Columns { cols, .. } | Reduce::MaxShift { cols, .. } => *cols,
            Reduce::Gram { k, m, .. } => k * m,
        }
    }

    /// The accumulators' starting value.
    fn identity(&self) -> f64 {
        match self {
            Reduce::Columns { .. } | Reduce::Gram { .. } => 0.0,
            Reduce::MaxShift { .. } => f64::NEG_INFINITY,
        }
    }

    /// Two partial results made one.
    fn fold(&self, a: f64, b: f64) -> f64 {
        match self {
            Reduce::Columns { .. } | Reduce::Gram { .. } => a + b,
            Reduce::MaxShift { .. } => BinaryFn::Max.apply(a, b),
        }
    }

    /// Adds a part's accumulators into `total`.
    fn combine(&self, total: &mut [f64], part: &[f64]) {
        for (t, p) in total.iter_mut().zip(part) {
            *t = self.fold(*t, *p);
        }
    }
}
