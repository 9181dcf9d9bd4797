//! Tensor printing, digit for digit the way PyTorch's `str(tensor)` prints
//! float64 tensors (`torch/_tensor_str.py`), without the `tensor(...)` wrapper
//! and its suffixes.
//!
//! Users compare our output with PyTorch's, so this module mirrors torch's
//! own structure rather than a tidier design: one formatter per tensor (built
//! from the summarised data when there are more than 1000 elements) fixes the
//! mode and the column width, and a recursive layout pass places the cells.
//! With no `tensor(` prefix the top-level indent is 0. Numbers go through
//! Rust's exact float formatting, which rounds the exact binary value half to
//! even like Python's; only the exponent is rewritten into Python's `e-05`.

use ndarray::{ArrayView1, ArrayViewD, Axis};

/// Tensors with more elements than this are summarised.
const THRESHOLD: usize = 1000;
/// Items kept at each end of a summarised dimension.
const EDGEITEMS: usize = 3;
/// Target line width for wrapping 1-d rows.
const LINEWIDTH: usize = 80;

/// Formats like PyTorch's `str(tensor)` without the wrapper.
pub fn format_tensor(t: &ArrayViewD<f64>, precision: usize) -> String {
    written(t, |sample| Formatter::new(sample, precision))
}

/// Formats a tensor of indices or dimensions the way torch prints an
/// int64 tensor: no dot, every cell as wide as the widest (zeros included).
pub fn format_integers(t: &ArrayViewD<f64>) -> String {
    written(t, |sample| {
        let mut fmt = Formatter {
            mode: Mode::Whole,
            precision: 0,
            width: 1,
        };
        fmt.width = sample.iter().map(|&v| fmt.cell(v).len()).max().unwrap_or(1);
        fmt
    })
}

/// `t` written as torch does, summarised past `THRESHOLD` entries, with
/// the cell format `formatter` chooses from the values that are shown.
fn written(t: &ArrayViewD<f64>, formatter: impl FnOnce(&[f64]) -> Formatter) -> String {
    if t.is_empty() {
        return "[]".to_string();
    }
    let summarize = t.len() > THRESHOLD;
    let mut sample = Vec::new();
    if summarize {
        summarized_values(t.view(), &mut sample);
    } else {
        sample.extend(t.iter().copied());
    }
    let fmt = formatter(&sample);
    let mut out = String::new();
    write_tensor(t.view(), 0, summarize, &fmt, &mut out);
    out
}

/// Formats one number exactly as [`format_tensor`] formats a 0-d tensor.
pub fn format_scalar(x: f64, precision: usize) -> String {
    format_tensor(&ndarray::arr0(x).into_dyn().view(), precision)
}

/// How every cell of one tensor is written; `Sci` wins over `Int`, as in torch.
#[derive(Clone, Copy)]
enum Mode {
    /// `'{:.0f}'` plus a dot: every non-zero finite value is an integer.
    Int,
    /// `'{:.Nf}'`.
    Fixed,
    /// `'{:.Ne}'`, chosen when the magnitudes span too wide a range.
    Sci,
    /// `'{}'` of an integer tensor (see [`format_integers`]).
    Whole,
}

/// The per-tensor choices of torch's `_Formatter`.
struct Formatter {
    mode: Mode,
    precision: usize,
    width: usize,
}

impl Formatter {
    /// Decides mode and width from the non-zero finite values only.
    fn new(values: &[f64], precision: usize) -> Self {
        let vals: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v != 0.0)
            .collect();
        let mut fmt = Formatter {
            mode: Mode::Int,
            precision,
            width: 1,
        };
        if vals.is_empty() {
            return fmt;
        }
        let (min, max) = vals.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
            (lo.min(v.abs()), hi.max(v.abs()))
        });
        let int_mode = vals.iter().all(|v| *v == v.ceil());
        fmt.mode = if max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4 {
            Mode::Sci
        } else if int_mode {
            Mode::Int
        } else {
            Mode::Fixed
        };
        fmt.width = vals.iter().map(|&v| fmt.cell(v).len()).max().unwrap_or(1);
        fmt
    }

    /// One value without padding; non-finite values never get a dot.
    fn cell(&self, v: f64) -> String {
        if v.is_nan() {
            return "nan".to_string();
        }
        if v.is_infinite() {
            return if v > 0.0 { "inf" } else { "-inf" }.to_string();
        }
        match self.mode {
            Mode::Int => format!("{v:.0}."),
            Mode::Fixed => format!("{v:.*}", self.precision),
            Mode::Sci => python_exp(v, self.precision),
            Mode::Whole => format!("{v:.0}"),
        }
    }

    /// One value right-aligned to the tensor's column width.
    fn format(&self, v: f64) -> String {
        format!("{:>w$}", self.cell(v), w = self.width)
    }
}

/// Python's `'{:.Ne}'`: a signed exponent of at least two digits.
fn python_exp(v: f64, precision: usize) -> String {
    let rust = format!("{v:.precision$e}");
    let Some((mantissa, exp)) = rust.split_once('e') else {
        return rust;
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// The values torch's `get_summarized_data` keeps: the edge items of every
/// dimension longer than `2 * EDGEITEMS`.
fn summarized_values(t: ArrayViewD<f64>, out: &mut Vec<f64>) {
    if t.ndim() == 0 {
        out.extend(t.iter().copied());
        return;
    }
    for i in shown_indices(t.len_of(Axis(0)), true).into_iter().flatten() {
        summarized_values(t.index_axis(Axis(0), i), out);
    }
}

/// The indices printed along a dimension of length `n`; `None` marks the
/// ellipsis.
fn shown_indices(n: usize, summarize: bool) -> Vec<Option<usize>> {
    if summarize && n > 2 * EDGEITEMS {
        (0..EDGEITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGEITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    }
}

/// Torch's `_tensor_str_with_formatter`: 0-d, 1-d, or recursion on axis 0.
fn write_tensor(
    t: ArrayViewD<f64>,
    indent: usize,
    summarize: bool,
    fmt: &Formatter,
    out: &mut String,
) {
    if t.ndim() == 0 {
        if let Some(&x) = t.iter().next() {
            out.push_str(&fmt.format(x));
        }
        return;
    }
    if let Ok(v) = t.view().into_dimensionality::<ndarray::Ix1>() {
        write_vector(v, indent, summarize, fmt, out);
        return;
    }
    let sep = format!(",{}{}", "\n".repeat(t.ndim() - 1), " ".repeat(indent + 1));
    out.push('[');
    for (k, i) in shown_indices(t.len_of(Axis(0)), summarize)
        .into_iter()
        .enumerate()
    {
        if k > 0 {
            out.push_str(&sep);
        }
        match i {
            Some(i) => write_tensor(t.index_axis(Axis(0), i), indent + 1, summarize, fmt, out),
            None => out.push_str("..."),
        }
    }
    out.push(']');
}

/// Torch's `_vector_str`: cells joined by `", "`, wrapped so that
/// `floor((80 - indent) / (width + 2))` fit on a line (at least one).
fn write_vector(
    v: ArrayView1<f64>,
    indent: usize,
    summarize: bool,
    fmt: &Formatter,
    out: &mut String,
) {
    let room = LINEWIDTH as i64 - indent as i64;
    let per_line = room.div_euclid(fmt.width as i64 + 2).max(1) as usize;
    let cells: Vec<String> = shown_indices(v.len(), summarize)
        .into_iter()
        .map(|i| match i {
            Some(i) => fmt.format(v[i]),
            None => " ...".to_string(),
        })
        .collect();
    let lines: Vec<String> = cells.chunks(per_line).map(|c| c.join(", ")).collect();
    out.push('[');
    out.push_str(&lines.join(&format!(",\n{}", " ".repeat(indent + 1))));
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn check(shape: &[usize], data: &[f64], precision: usize, want: &str) {
        let t = ArrayD::from_shape_vec(IxDyn(shape), data.to_vec()).expect("test shape");
        assert_eq!(format_tensor(&t.view(), precision), want);
    }

    /// `start + step * arange(n)`, computed as the generator's torch does.
    fn ramp(n: usize, start: f64, step: f64) -> Vec<f64> {
        (0..n).map(|i| start + step * i as f64).collect()
    }

    /// One `#[test]` per line: `name: shape, data, precision => expected`.
    macro_rules! cases {
        ($($name:ident: $shape:tt, $data:expr, $p:expr => $want:expr;)*) => {
            $(#[test]
            fn $name() {
                check(&$shape, &$data, $p, $want);
            })*
        };
    }

    #[test]
    fn python_exponent_form() {
        assert_eq!(python_exp(1e-5, 4), "1.0000e-05");
        assert_eq!(python_exp(1.5e300, 2), "1.50e+300");
        assert_eq!(python_exp(-0.0, 4), "-0.0000e+00");
        assert_eq!(python_exp(2.5, 0), "2e+00");
    }

    #[test]
    fn integers_print_as_torch_int64() {
        // str(torch.tensor([[2, 0], [10, 1]])) without the wrapper
        let t =
            ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![2.0, 0.0, 10.0, 1.0]).expect("test shape");
        assert_eq!(format_integers(&t.view()), "[[ 2,  0],\n [10,  1]]");
        assert_eq!(format_integers(&ndarray::arr0(3.0).into_dyn().view()), "3");
    }

    #[test]
    fn scalar_agrees_with_0d() {
        assert_eq!(format_scalar(7.2, 4), "7.2000");
        assert_eq!(format_scalar(4.0, 4), "4.");
        assert_eq!(format_scalar(1e-5, 4), "1.0000e-05");
        assert_eq!(format_scalar(f64::NAN, 4), "nan");
    }

    #[test]
    fn strided_view_prints_in_logical_order() {
        let t = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
            .expect("test shape");
        let want = "[[1., 4.],\n [2., 5.],\n [3., 6.]]";
        assert_eq!(format_tensor(&t.t(), 4), want);
    }

    // Generated by tests/data/gen_print_cases.py from torch 2.15.0; skipped by
    // rustfmt, which would re-indent the continuation lines of the raw strings.
    #[rustfmt::skip]
    mod torch {
        use super::*;

        cases! {
            scalar_fixed: [], [7.2], 4 => "7.2000";
            scalar_int: [], [4.0], 4 => "4.";
            scalar_sci_small: [], [1e-05], 4 => "1.0000e-05";
            scalar_sci_large_int: [], [123456789.0], 4 => "1.2346e+08";
            scalar_zero: [], [0.0], 4 => "0.";
            scalar_negative_zero: [], [-0.0], 4 => "-0.";
            scalar_nan: [], [f64::NAN], 4 => "nan";
            scalar_neg_inf: [], [-f64::INFINITY], 4 => "-inf";
            scalar_rounds_exact_binary: [], [0.12345], 4 => "0.1235";
            scalar_1e_4_is_not_sci: [], [0.0001], 4 => "0.0001";
            scalar_digits_8: [], [0.3333333333333333], 8 => "0.33333333";
            scalar_digits_0: [], [2.5], 0 => "2";
            vector_fixed: [2], [1.0, 2.5], 4 => "[1.0000, 2.5000]";
            vector_int_aligned: [2], [-1.0, 2.0], 4 => "[-1.,  2.]";
            vector_nan_inf_fixed: [3], [f64::NAN, f64::INFINITY, 1.5], 4 => "[   nan,    inf, 1.5000]";
            vector_negative_zero_fixed: [2], [-0.0, 0.5], 4 => "[-0.0000, 0.5000]";
            vector_negative_zero_int: [2], [-0.0, 1.0], 4 => "[-0., 1.]";
            vector_all_zero: [2], [0.0, 0.0], 4 => "[0., 0.]";
            vector_nan_and_zero: [2], [f64::NAN, 0.0], 4 => "[nan, 0.]";
            vector_only_nonfinite: [3], [f64::NAN, -f64::INFINITY, f64::INFINITY], 4 => "[nan, -inf, inf]";
            vector_neg_inf_wider_than_width: [2], [-f64::INFINITY, 1.0], 4 => "[-inf, 1.]";
            vector_ratio_1000_stays_int: [2], [1.0, 1000.0], 4 => "[   1., 1000.]";
            vector_ratio_over_1000_is_sci: [2], [1.0, 1001.0], 4 => "[1.0000e+00, 1.0010e+03]";
            vector_max_over_1e8_is_sci: [2], [200000000.0, 300000000.0], 4 => "[2.0000e+08, 3.0000e+08]";
            vector_min_below_1e_4_is_sci: [3], [1e-05, 1.0, -2.5], 4 => "[ 1.0000e-05,  1.0000e+00, -2.5000e+00]";
            vector_sci_with_nan_and_zero: [4], [f64::NAN, 0.0, 1e-05, -f64::INFINITY], 4 => "[       nan, 0.0000e+00, 1.0000e-05,       -inf]";
            vector_ties_half_even: [3], [0.125, 0.375, -0.625], 2 => "[ 0.12,  0.38, -0.62]";
            vector_digits_8: [2], [0.1, 0.6666666666666666], 8 => "[0.10000000, 0.66666667]";
            vector_digits_8_sci: [2], [1e-09, 1.0], 8 => "[1.00000000e-09, 1.00000000e+00]";
            vector_wraps_fixed: [30], ramp(30, -3.0, 0.25), 4 => r"[-3.0000, -2.7500, -2.5000, -2.2500, -2.0000, -1.7500, -1.5000, -1.2500,
 -1.0000, -0.7500, -0.5000, -0.2500,  0.0000,  0.2500,  0.5000,  0.7500,
  1.0000,  1.2500,  1.5000,  1.7500,  2.0000,  2.2500,  2.5000,  2.7500,
  3.0000,  3.2500,  3.5000,  3.7500,  4.0000,  4.2500]";
            vector_wraps_int: [100], ramp(100, 0.0, 1.0), 4 => r"[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13., 14., 15.,
 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27., 28., 29., 30., 31.,
 32., 33., 34., 35., 36., 37., 38., 39., 40., 41., 42., 43., 44., 45., 46., 47.,
 48., 49., 50., 51., 52., 53., 54., 55., 56., 57., 58., 59., 60., 61., 62., 63.,
 64., 65., 66., 67., 68., 69., 70., 71., 72., 73., 74., 75., 76., 77., 78., 79.,
 80., 81., 82., 83., 84., 85., 86., 87., 88., 89., 90., 91., 92., 93., 94., 95.,
 96., 97., 98., 99.]";
            matrix_column: [3, 1], [1.0004, 1.9924, 2.9159], 4 => r"[[1.0004],
 [1.9924],
 [2.9159]]";
            matrix_mixed_sign: [2, 3], [1.0, -2.5, 3.25, 0.0, 10.5, -0.125], 4 => r"[[ 1.0000, -2.5000,  3.2500],
 [ 0.0000, 10.5000, -0.1250]]";
            matrix_rows_wrap: [2, 20], ramp(40, 0.5, 1.25), 4 => r"[[ 0.5000,  1.7500,  3.0000,  4.2500,  5.5000,  6.7500,  8.0000,  9.2500,
  10.5000, 11.7500, 13.0000, 14.2500, 15.5000, 16.7500, 18.0000, 19.2500,
  20.5000, 21.7500, 23.0000, 24.2500],
 [25.5000, 26.7500, 28.0000, 29.2500, 30.5000, 31.7500, 33.0000, 34.2500,
  35.5000, 36.7500, 38.0000, 39.2500, 40.5000, 41.7500, 43.0000, 44.2500,
  45.5000, 46.7500, 48.0000, 49.2500]]";
            matrix_sci: [2, 2], [1e-06, 2.0, 3000.0, -4.0], 4 => r"[[ 1.0000e-06,  2.0000e+00],
 [ 3.0000e+03, -4.0000e+00]]";
            cube_blank_lines: [2, 2, 3], ramp(12, -6.0, 1.0), 4 => r"[[[-6., -5., -4.],
  [-3., -2., -1.]],

 [[ 0.,  1.,  2.],
  [ 3.,  4.,  5.]]]";
            four_d: [2, 1, 2, 2], ramp(8, 0.5, 0.5), 4 => r"[[[[0.5000, 1.0000],
   [1.5000, 2.0000]]],


 [[[2.5000, 3.0000],
   [3.5000, 4.0000]]]]";
            summarised_vector_sci: [2000], ramp(2000, 0.0, 1.0), 4 => r"[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
 1.9990e+03]";
            summarised_vector_int: [1500], ramp(1500, 1000.0, 1.0), 4 => "[1000., 1001., 1002.,  ..., 2497., 2498., 2499.]";
            summarised_vector_fixed: [1001], ramp(1001, 1.0, 0.001), 4 => "[1.0000, 1.0010, 1.0020,  ..., 1.9980, 1.9990, 2.0000]";
            summarised_matrix: [40, 40], ramp(1600, 0.5, 0.25), 4 => r"[[  0.5000,   0.7500,   1.0000,  ...,   9.7500,  10.0000,  10.2500],
 [ 10.5000,  10.7500,  11.0000,  ...,  19.7500,  20.0000,  20.2500],
 [ 20.5000,  20.7500,  21.0000,  ...,  29.7500,  30.0000,  30.2500],
 ...,
 [370.5000, 370.7500, 371.0000,  ..., 379.7500, 380.0000, 380.2500],
 [380.5000, 380.7500, 381.0000,  ..., 389.7500, 390.0000, 390.2500],
 [390.5000, 390.7500, 391.0000,  ..., 399.7500, 400.0000, 400.2500]]";
            summarised_tall: [1001, 1], ramp(1001, 0.0, 0.5), 4 => r"[[  0.0000],
 [  0.5000],
 [  1.0000],
 ...,
 [499.0000],
 [499.5000],
 [500.0000]]";
            summarised_wide: [1, 1001], ramp(1001, 0.0, 0.5), 4 => "[[  0.0000,   0.5000,   1.0000,  ..., 499.0000, 499.5000, 500.0000]]";
            summarised_cube_outer: [7, 1, 150], ramp(1050, -500.0, 1.0), 4 => r"[[[-500., -499., -498.,  ..., -353., -352., -351.]],

 [[-350., -349., -348.,  ..., -203., -202., -201.]],

 [[-200., -199., -198.,  ...,  -53.,  -52.,  -51.]],

 ...,

 [[ 100.,  101.,  102.,  ...,  247.,  248.,  249.]],

 [[ 250.,  251.,  252.,  ...,  397.,  398.,  399.]],

 [[ 400.,  401.,  402.,  ...,  547.,  548.,  549.]]]";
            summarised_cube_inner: [2, 2, 300], ramp(1200, 0.5, 0.5), 4 => r"[[[5.0000e-01, 1.0000e+00, 1.5000e+00,  ..., 1.4900e+02, 1.4950e+02,
   1.5000e+02],
  [1.5050e+02, 1.5100e+02, 1.5150e+02,  ..., 2.9900e+02, 2.9950e+02,
   3.0000e+02]],

 [[3.0050e+02, 3.0100e+02, 3.0150e+02,  ..., 4.4900e+02, 4.4950e+02,
   4.5000e+02],
  [4.5050e+02, 4.5100e+02, 4.5150e+02,  ..., 5.9900e+02, 5.9950e+02,
   6.0000e+02]]]";
            summarised_rows_wrap_sci: [3, 1000], ramp(3000, 0.001, 0.001), 4 => r"[[1.0000e-03, 2.0000e-03, 3.0000e-03,  ..., 9.9800e-01, 9.9900e-01,
  1.0000e+00],
 [1.0010e+00, 1.0020e+00, 1.0030e+00,  ..., 1.9980e+00, 1.9990e+00,
  2.0000e+00],
 [2.0010e+00, 2.0020e+00, 2.0030e+00,  ..., 2.9980e+00, 2.9990e+00,
  3.0000e+00]]";
            summarised_formatter_sees_edges_only: [1001], ramp(1001, -0.50005, 0.001), 4 => "[-0.5000, -0.4990, -0.4980,  ...,  0.4980,  0.4990,  0.5000]";
            empty_vector: [0], [], 4 => "[]";
            empty_matrix: [2, 0], [], 4 => "[]";
            empty_leading: [0, 3], [], 4 => "[]";
        }
    }
}
