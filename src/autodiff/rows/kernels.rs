//! Running one part of a pass: each kernel over a chunk of rows at a
//! time, with broadcasting, and the reductions accumulated as it goes.

use super::products::{gram, row_times, strided_dot};
use super::*;

impl Arg {
    fn cols(self) -> usize {
        match self {
            Arg::Held { cols, .. } | Arg::Reg { cols, .. } => cols,
            Arg::Small { len, .. } => len,
        }
    }
}

/// An operand's values over one chunk, as the output's `cols` see them.
#[derive(Clone, Copy)]
enum View<'a> {
    /// One value per output entry.
    Full(&'a [f64]),
    /// One value per row, repeated across the columns.
    Column(&'a [f64]),
    /// The same values on every row.
    Row(&'a [f64]),
    Scalar(f64),
}

impl View<'_> {
    /// The value at output entry `i` (row-major, `cols` per row).
    #[inline]
    fn at(self, i: usize, cols: usize) -> f64 {
        match self {
            View::Full(s) => s[i],
            View::Column(s) => s[i / cols],
            View::Row(s) => s[i % cols],
            View::Scalar(v) => v,
        }
    }
}

/// What a part of a pass reads.
pub(super) struct Ctx<'a> {
    pub(super) pass: &'a Pass,
    pub(super) held: &'a [&'a [f64]],
    pub(super) table: &'a [f64],
}

impl Ctx<'_> {
    /// Runs the pass over `range`, writing stored rows into `outs` (the
    /// part's share of each stored buffer); returns its accumulators.
    /// `regs` are kept from call to call and sized here.
    pub(super) fn run_part(
        &self,
        range: Range<usize>,
        outs: &mut [&mut [f64]],
        regs: &mut Vec<Vec<f64>>,
    ) -> Vec<f64> {
        let chunk = self.pass.chunk().min(range.len());
        regs.resize_with(self.pass.regs.len(), Vec::new);
        for (reg, &cols) in regs.iter_mut().zip(&self.pass.regs) {
            if reg.len() < chunk * cols {
                reg.resize(chunk * cols, 0.0);
            }
        }
        let mut acc = self.pass.acc_init.clone();
        let mut start = range.start;
        while start < range.end {
            let rows = start..(start + chunk).min(range.end);
            let n = rows.len();
            for (reg, cols, kernel) in &self.pass.kernels {
                let mut out = std::mem::take(&mut regs[*reg]);
                self.kernel(kernel, &rows, regs, &mut out[..n * cols], *cols);
                regs[*reg] = out;
            }
            for (_, at, reduce) in &self.pass.reductions {
                self.reduce(reduce, &rows, regs, &mut acc[*at..*at + reduce.len()]);
            }
            for (out, &(reg, _)) in outs.iter_mut().zip(&self.pass.stores) {
                let cols = self.pass.regs[reg];
                let from = (rows.start - range.start) * cols;
                out[from..from + n * cols].copy_from_slice(&regs[reg][..n * cols]);
            }
            start = rows.end;
        }
        acc
    }

    fn table(&self, arg: Arg) -> &[f64] {
        match arg {
            Arg::Small { at, len } => &self.table[at..at + len],
            Arg::Held { .. } | Arg::Reg { .. } => &[],
        }
    }

    /// The values of `arg` (rows, as `row_arg` gives them) over `rows`.
    fn whole_rows<'b>(&'b self, arg: Arg, rows: &Range<usize>, regs: &'b [Vec<f64>]) -> &'b [f64] {
        match self.view(arg, rows, regs, arg.cols()) {
            View::Full(values) => values,
            _ => unreachable!("invariant: rows read whole are held or computed rows"),
        }
    }

    /// `arg` over `rows`, broadcast to an output of `cols` columns.
    fn view<'b>(
        &'b self,
        arg: Arg,
        rows: &Range<usize>,
        regs: &'b [Vec<f64>],
        cols: usize,
    ) -> View<'b> {
        let (values, c) = match arg {
            Arg::Held { slot, cols: c } => (&self.held[slot][rows.start * c..rows.end * c], c),
            Arg::Reg { reg, cols: c } => (&regs[reg][..rows.len() * c], c),
            Arg::Small { at, len } => {
                let s = &self.table[at..at + len];
                return if len == 1 {
                    View::Scalar(s[0])
                } else {
                    View::Row(s)
                };
            }
        };
        if c == cols {
            View::Full(values)
        } else {
            View::Column(values)
        }
    }

    fn kernel(
        &self,
        kernel: &Kernel,
        rows: &Range<usize>,
        regs: &[Vec<f64>],
        out: &mut [f64],
        cols: usize,
    ) {
        let v = |a: &Arg| self.view(*a, rows, regs, cols);
        match kernel {
            Kernel::Unary(UnaryFn::Neg, x) => map(v(x), cols, out, |x| -x),
            Kernel::Unary(f, x) => match v(x) {
                View::Full(x) => f.apply_slice(x, out),
                x => map(x, cols, out, |x| f.apply(x)),
            },
            Kernel::Binary(f, x, y) => binary(*f, v(x), v(y), cols, out),
            Kernel::Compare(f, x, y) => zip(v(x), v(y), cols, out, |x, y| f.apply(x, y)),
            Kernel::Clamp(x, lo, hi) => {
                let (x, lo, hi) = (v(x), v(lo), v(hi));
                for (i, o) in out.iter_mut().enumerate() {
                    *o = clamp_scalar(x.at(i, cols), lo.at(i, cols), hi.at(i, cols));
                }
            }
            Kernel::Select(mask, a, b) => {
                let (mask, a, b) = (v(mask), v(a), v(b));
                for (i, o) in out.iter_mut().enumerate() {
                    *o = if mask.at(i, cols) == 0.0 {
                        b.at(i, cols)
                    } else {
                        a.at(i, cols)
                    };
                }
            }
            Kernel::Copy(x) => map(v(x), cols, out, |x| x),
            Kernel::RowTimes { a, w, k, tb } => {
                let a = self.whole_rows(*a, rows, regs);
                row_times(a, self.table(*w), *k, cols, *tb, out);
            }
            Kernel::RowSum(x) => {
                let c = x.cols();
                let x = self.whole_rows(*x, rows, regs);
                for (o, row) in out.iter_mut().zip(x.chunks_exact(c)) {
                    *o = row.iter().sum();
                }
            }
            Kernel::RowMaxShift(x) => {
                let c = x.cols();
                let x = self.whole_rows(*x, rows, regs);
                for (o, row) in out.iter_mut().zip(x.chunks_exact(c)) {
                    let m = row
                        .iter()
                        .fold(f64::NEG_INFINITY, |m, &v| BinaryFn::Max.apply(m, v));
                    *o = if m.is_finite() { m } else { 0.0 };
                }
            }
        }
    }

    fn reduce(&self, reduce: &Reduce, rows: &Range<usize>, regs: &[Vec<f64>], acc: &mut [f64]) {
        match *reduce {
            Reduce::Columns { x, cols } => {
                let x = self.whole_rows(x, rows, regs);
                if cols == 1 {
                    acc[0] += sum(x);
                    return;
                }
                for (j, a) in acc.iter_mut().enumerate() {
                    *a += strided_dot(&x[j..], cols, None, 0);
                }
            }
            Reduce::Gram { a, k, b, m } => {
                let (a, b) = (
                    self.whole_rows(a, rows, regs),
                    self.whole_rows(b, rows, regs),
                );
                gram(a, k, b, m, acc);
            }
            Reduce::MaxShift { x, cols } => {
                let x = self.whole_rows(x, rows, regs);
                for row in x.chunks_exact(cols) {
                    for (a, &v) in acc.iter_mut().zip(row) {
                        *a = BinaryFn::Max.apply(*a, v);
                    }
                }
            }
        }
    }
}

/// `Σ x` with four partial sums, so the additions overlap.
fn sum(x: &[f64]) -> f64 {
    let mut s = [0.0; 4];
    let quads = x.chunks_exact(4);
    let rest: f64 = quads.remainder().iter().sum();
    for q in quads {
        for (s, q) in s.iter_mut().zip(q) {
            *s += q;
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + rest
}

fn map(a: View, cols: usize, out: &mut [f64], f: impl Fn(f64) -> f64) {
    match a {
        View::Full(x) => {
            for (o, &x) in out.iter_mut().zip(x) {
                *o = f(x);
            }
        }
        a => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = f(a.at(i, cols));
            }
        }
    }
}

fn zip(a: View, b: View, cols: usize, out: &mut [f64], f: impl Fn(f64, f64) -> f64) {
    match (a, b) {
        (View::Full(x), View::Full(y)) => {
            for ((o, &x), &y) in out.iter_mut().zip(x).zip(y) {
                *o = f(x, y);
            }
        }
        (View::Full(x), View::Scalar(y)) => {
            for (o, &x) in out.iter_mut().zip(x) {
                *o = f(x, y);
            }
        }
        (View::Scalar(x), View::Full(y)) => {
            for (o, &y) in out.iter_mut().zip(y) {
                *o = f(x, y);
            }
        }
        (a, b) => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = f(a.at(i, cols), b.at(i, cols));
            }
        }
    }
}

/// Binary arithmetic with the commonest operations as their own loops.
fn binary(f: BinaryFn, a: View, b: View, cols: usize, out: &mut [f64]) {
    match (f, b) {
        (BinaryFn::Add, _) => zip(a, b, cols, out, |x, y| x + y),
        (BinaryFn::Sub, _) => zip(a, b, cols, out, |x, y| x - y),
        (BinaryFn::Mul, _) => zip(a, b, cols, out, |x, y| x * y),
        (BinaryFn::Div, _) => zip(a, b, cols, out, |x, y| x / y),
        (BinaryFn::Pow, View::Scalar(2.0)) => map(a, cols, out, |x| x * x),
        _ => zip(a, b, cols, out, |x, y| f.apply(x, y)),
    }
}
