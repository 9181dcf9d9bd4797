//! Compiling a tape into passes over its rows: which nodes are rows,
//! which are small, which pass computes each, what must be stored.

use super::*;

/// `(cols, rank)` when `shape` is `[rows]` or `[rows, cols]` with at most
/// `max_cols` columns.
fn row_shape(shape: &[usize], rows: usize, max_cols: usize) -> Option<(usize, usize)> {
    match *shape {
        [n] if n == rows => Some((1, 1)),
        [n, c] if n == rows && (1..=max_cols).contains(&c) => Some((c, 2)),
        _ => None,
    }
}

/// See [`RowProgram::compile`].
pub(super) fn compile(nodes: &[Node], outputs: &[NodeId]) -> Option<RowProgram> {
    let largest = nodes.iter().max_by_key(|n| n.value.len())?;
    let rows = *largest.value.shape().first()?;
    if rows < MIN_ROWS || row_shape(largest.value.shape(), rows, MAX_HELD_COLS).is_none() {
        return None;
    }
    let mut c = Compiler {
        nodes,
        rows,
        classes: Vec::with_capacity(nodes.len()),
        reg_of: vec![usize::MAX; nodes.len()],
        stored: vec![false; nodes.len()],
        program: RowProgram {
            rows,
            smalls: Vec::new(),
            leaves: Vec::new(),
            passes: Vec::new(),
            held: Vec::new(),
            scratch: Scratch::default(),
        },
    };
    for &out in outputs {
        if out.index() >= nodes.len() {
            return None;
        }
    }
    for i in 0..nodes.len() {
        let class = c.classify(i, outputs.iter().any(|o| o.index() == i))?;
        c.classes.push(class);
    }
    // Row-shaped outputs are computed rows (never spread: see `classify`).
    for &out in outputs {
        if let Class::Rows { .. } = c.classes[out.index()] {
            c.stored[out.index()] = true;
        }
    }
    c.build_passes()?;
    Some(c.program)
}

/// Builds the classes and passes of a tape, refusing what it cannot fuse.
struct Compiler<'a> {
    nodes: &'a [Node],
    rows: usize,
    classes: Vec<Class>,
    /// The register of each node computed in a pass.
    reg_of: Vec<usize>,
    /// Row nodes some later pass or the caller reads.
    stored: Vec<bool>,
    program: RowProgram,
}

impl Compiler<'_> {
    fn shape(&self, i: usize) -> &[usize] {
        self.nodes[i].value.shape()
    }

    /// Node `i`'s `(cols, rank)` if it is rows: held ones may be wider.
    fn row_shape(&self, i: usize) -> Option<(usize, usize)> {
        let held = matches!(self.nodes[i].op, Op::Const | Op::Leaf { .. });
        let max_cols = if held { MAX_HELD_COLS } else { MAX_COLS };
        row_shape(self.shape(i), self.rows, max_cols)
    }

    /// The pass from which a node's value can be read.
    fn ready(&self, i: usize) -> usize {
        match self.classes[i] {
            Class::Small { phase } | Class::Spread { phase, .. } => phase,
            Class::Held { .. } => 0,
            Class::Rows { pass, .. } => pass,
        }
    }

    fn is_small(&self, i: usize) -> bool {
        matches!(self.classes[i], Class::Small { .. })
    }

    fn classify(&mut self, i: usize, is_output: bool) -> Option<Class> {
        let node = &self.nodes[i];
        let row = self.row_shape(i);
        let mut inputs = Vec::new();
        node.op.for_each_input(|x| inputs.push(x.index()));
        let ready = inputs.iter().map(|&x| self.ready(x)).max().unwrap_or(0);
        let any_rows = inputs.iter().any(|&x| !self.is_small(x));
        Some(match (&node.op, row) {
            (Op::Const | Op::Leaf { .. }, Some((cols, rank))) => Class::Held { cols, rank },
            (Op::Const | Op::Leaf { .. }, None) => Class::Small { phase: 0 },
            (Op::BroadcastTo(x), Some(_)) if self.is_small(x.index()) && !is_output => {
                Class::Spread {
                    of: x.index(),
                    phase: ready,
                }
            }
            (_, Some((cols, rank))) => Class::Rows {
                pass: ready,
                cols,
                rank,
            },
            (Op::Sum { .. } | Op::SumTo(_) | Op::MaxShift { .. }, None) if any_rows => {
                Class::Small { phase: ready + 1 }
            }
            (Op::MatMul { ta: true, .. }, None) if any_rows => Class::Small { phase: ready + 1 },
            (_, None) if any_rows => return None,
            (_, None) if node.value.len() > MAX_SMALL => return None,
            (_, None) => Class::Small { phase: ready },
        })
    }

    fn build_passes(&mut self) -> Option<()> {
        for i in 0..self.nodes.len() {
            match self.classes[i] {
                Class::Small { phase } => match &self.nodes[i].op {
                    Op::Leaf { param } => self.program.leaves.push((i, *param)),
                    Op::Const => {}
                    op => {
                        let mut from_rows = false;
                        op.for_each_input(|x| from_rows |= !self.is_small(x.index()));
                        if from_rows {
                            self.reduction(i, phase - 1)?;
                        } else {
                            self.program.smalls.push((i, phase));
                        }
                    }
                },
                Class::Held { .. } => {
                    if let Op::Leaf { param } = self.nodes[i].op {
                        self.program.leaves.push((i, param));
                    }
                    self.program.held.push(i);
                }
                Class::Rows { pass, cols, rank } => self.kernel(i, pass, cols, rank)?,
                Class::Spread { .. } => {}
            }
        }
        // Registers of stored nodes are copied out after each chunk.
        for i in 0..self.nodes.len() {
            if let (true, Class::Rows { pass, .. }) = (self.stored[i], self.classes[i]) {
                let reg = self.reg_of[i];
                self.pass_mut(pass).stores.push((reg, i));
            }
        }
        for i in 0..self.nodes.len() {
            if self.stored[i] {
                self.program.held.push(i);
            }
        }
        // A small node needs only smaller phases and earlier nodes.
        self.program.smalls.sort_by_key(|&(_, phase)| phase);
        Some(())
    }

    fn pass_mut(&mut self, pass: usize) -> &mut Pass {
        if self.program.passes.len() <= pass {
            self.program.passes.resize_with(pass + 1, Pass::default);
        }
        &mut self.program.passes[pass]
    }

    /// Operand `x` of a node computed in `pass` whose output has `cols`
    /// columns and `rank` axes: None unless it broadcasts row by row.
    fn arg(&mut self, x: usize, pass: usize, cols: usize, rank: usize) -> Option<Arg> {
        let fits = |c: usize, r: usize| r == rank && (c == cols || c == 1);
        match self.classes[x] {
            Class::Small { .. } => self.small_arg(x, pass, cols, rank),
            Class::Spread { of, .. } => {
                let (c, r) = self.row_shape(x)?;
                if !fits(c, r) {
                    return None;
                }
                self.small_arg(of, pass, c, r)
            }
            Class::Held { cols: c, rank: r } => fits(c, r).then(|| Arg::Held {
                slot: self.held_slot(x, pass),
                cols: c,
            }),
            Class::Rows {
                pass: p,
                cols: c,
                rank: r,
            } => {
                if !fits(c, r) {
                    return None;
                }
                if p < pass {
                    self.stored[x] = true;
                    return Some(Arg::Held {
                        slot: self.held_slot(x, pass),
                        cols: c,
                    });
                }
                Some(Arg::Reg {
                    reg: self.reg_of[x],
                    cols: c,
                })
            }
        }
    }

    /// A small operand, which must broadcast over the rows: one value, or
    /// one per output column.
    fn small_arg(&mut self, x: usize, pass: usize, cols: usize, rank: usize) -> Option<Arg> {
        let shape = self.shape(x).to_vec();
        let len = self.nodes[x].value.len();
        let per_column = rank == 2
            && shape.len() <= 2
            && shape.last() == Some(&cols)
            && (shape.len() == 1 || shape[0] == 1);
        if len != 1 && !per_column {
            return None;
        }
        let at = self.table_slot(x, pass);
        Some(Arg::Small { at, len })
    }

    fn kernel(&mut self, i: usize, pass: usize, cols: usize, rank: usize) -> Option<()> {
        let a = |c: &mut Self, x: &NodeId| c.arg(x.index(), pass, cols, rank);
        let (kernel, cost) = match &self.nodes[i].op {
            Op::Unary(f, x) => (Kernel::Unary(*f, a(self, x)?), 1),
            Op::Binary(f, x, y) => (Kernel::Binary(*f, a(self, x)?, a(self, y)?), 1),
            Op::Compare(f, x, y) => (Kernel::Compare(*f, a(self, x)?, a(self, y)?), 1),
            Op::Clamp { x, lo, hi } => (Kernel::Clamp(a(self, x)?, a(self, lo)?, a(self, hi)?), 2),
            Op::Select { mask, a: x, b: y } => {
                (Kernel::Select(a(self, mask)?, a(self, x)?, a(self, y)?), 1)
            }
            Op::BroadcastTo(x) => (Kernel::Copy(a(self, x)?), 1),
            Op::Reshape(x) => {
                // [N, 1] <-> [N]: the same values, one per row.
                let (c, r) = self.row_shape(x.index())?;
                if c != cols {
                    return None;
                }
                (Kernel::Copy(self.arg(x.index(), pass, c, r)?), 1)
            }
            Op::MaxShift { x, axis: Some(1) } if rank == 2 && cols == 1 => {
                let (c, 2) = self.row_shape(x.index())? else {
                    return None;
                };
                (Kernel::RowMaxShift(self.row_arg(x.index(), pass, c, 2)?), c)
            }
            Op::Sum { x, axis: Some(1) } | Op::SumTo(x) if rank == 1 || cols == 1 => {
                let (c, r) = self.row_shape(x.index())?;
                if r != 2 || (matches!(self.nodes[i].op, Op::SumTo(_)) && rank != 2) {
                    return None;
                }
                (Kernel::RowSum(self.row_arg(x.index(), pass, c, r)?), c)
            }
            Op::MatMul {
                a: x,
                b: w,
                ta: false,
                tb,
            } => {
                let (k, 2) = self.row_shape(x.index())? else {
                    return None;
                };
                let ws = self.shape(w.index());
                let w_ok = self.is_small(w.index())
                    && ws.len() == 2
                    && ws[usize::from(*tb)] == k
                    && ws[usize::from(!*tb)] == cols;
                if !w_ok {
                    return None;
                }
                let a_arg = self.row_arg(x.index(), pass, k, 2)?;
                let w_arg = Arg::Small {
                    at: self.table_slot(w.index(), pass),
                    len: k * cols,
                };
                (
                    Kernel::RowTimes {
                        a: a_arg,
                        w: w_arg,
                        k,
                        tb: *tb,
                    },
                    k * cols,
                )
            }
            _ => return None,
        };
        let p = self.pass_mut(pass);
        let reg = p.regs.len();
        p.regs.push(cols);
        p.kernels.push((reg, cols, kernel));
        p.cost += cost * cols;
        self.reg_of[i] = reg;
        Some(())
    }

    /// Where held node `x` sits among the buffers `pass` reads in place.
    fn held_slot(&mut self, x: usize, pass: usize) -> usize {
        let cols = self.nodes[x].value.len() / self.rows;
        let p = self.pass_mut(pass);
        p.widest_held = p.widest_held.max(cols);
        let held = &mut p.held;
        held.iter().position(|&h| h == x).unwrap_or_else(|| {
            held.push(x);
            held.len() - 1
        })
    }

    /// Where small node `x` sits in the table of `pass`, adding it on first use.
    fn table_slot(&mut self, x: usize, pass: usize) -> usize {
        let nodes = self.nodes;
        let smalls = &mut self.pass_mut(pass).smalls;
        let mut at = 0;
        for &s in smalls.iter() {
            if s == x {
                return at;
            }
            at += nodes[s].value.len();
        }
        smalls.push(x);
        at
    }

    /// Node `i`, a small value reduced from rows computed in `pass`.
    fn reduction(&mut self, i: usize, pass: usize) -> Option<()> {
        let len = self.nodes[i].value.len();
        let reduce = match &self.nodes[i].op {
            Op::Sum { x, axis } => {
                let (x, cols) = self.columns(x.index(), *axis, len, pass)?;
                Reduce::Columns { x, cols }
            }
            Op::SumTo(x) => {
                let (x, cols) = self.columns(x.index(), None, len, pass)?;
                Reduce::Columns { x, cols }
            }
            Op::MaxShift { x, axis } => {
                let (x, cols) = self.columns(x.index(), *axis, len, pass)?;
                Reduce::MaxShift { x, cols }
            }
            Op::MatMul {
                a,
                b,
                ta: true,
                tb: false,
            } => {
                let (k, 2) = self.row_shape(a.index())? else {
                    return None;
                };
                let (m, 2) = self.row_shape(b.index())? else {
                    return None;
                };
                Reduce::Gram {
                    a: self.row_arg(a.index(), pass, k, 2)?,
                    k,
                    b: self.row_arg(b.index(), pass, m, 2)?,
                    m,
                }
            }
            _ => return None,
        };
        let cost = reduce.len();
        let p = self.pass_mut(pass);
        let at = p.acc_init.len();
        p.acc_init
            .extend(std::iter::repeat_n(reduce.identity(), reduce.len()));
        p.cost += cost;
        p.reductions.push((i, at, reduce));
        Some(())
    }

    /// Rows `x` reduced into a node of `len` entries, per column (`axis`
    /// 0) or whole (`None`): the operand and its number of columns.
    fn columns(
        &mut self,
        x: usize,
        axis: Option<usize>,
        len: usize,
        pass: usize,
    ) -> Option<(Arg, usize)> {
        let (c, r) = self.row_shape(x)?;
        let fits = match axis {
            None => len == 1 || len == c,
            Some(0) => len == c,
            Some(_) => false,
        };
        fits.then_some(())?;
        Some((self.row_arg(x, pass, c, r)?, c))
    }

    /// A row operand read whole (no broadcasting): held or computed rows,
    /// or a spread value written out over the chunk's rows.
    fn row_arg(&mut self, x: usize, pass: usize, cols: usize, rank: usize) -> Option<Arg> {
        match self.classes[x] {
            Class::Held { .. } | Class::Rows { .. } => self.arg(x, pass, cols, rank),
            Class::Spread { of, .. } => {
                let value = self.small_arg(of, pass, cols, rank)?;
                let p = self.pass_mut(pass);
                let reg = p.regs.len();
                p.regs.push(cols);
                p.kernels.push((reg, cols, Kernel::Copy(value)));
                p.cost += cols;
                Some(Arg::Reg { reg, cols })
            }
            Class::Small { .. } => None,
        }
    }
}
