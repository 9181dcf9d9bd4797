"""Expected strings for src/format.rs, taken from PyTorch itself.

Not used by the test suite: run it by hand (with torch and numpy installed,
checked with torch 2.15.0) and paste its output into the `cases!` block at the
end of `mod tests` in src/format.rs.

    python tests/data/gen_print_cases.py > cases.rs
    python tests/data/gen_print_cases.py --fuzz N SEED > fuzz.txt

The expected text is `torch._tensor_str._tensor_str(t, 0)`: the body of
`str(t)` for a float64 tensor, with the `tensor(` prefix (and so its indent
of 7) and the suffixes left out. `--fuzz` writes random cases, one a line:
`precision|shape|values|expected` (values as Python reprs, expected with
newlines as `\\n`), for a throwaway cross-check.
"""

import math
import random
import sys

import torch
from torch._tensor_str import PRINT_OPTS, _tensor_str

NAN, INF = math.nan, math.inf

# (test name, shape, values, precision); values may be ("ramp", start, step).
CASES = [
    ("scalar_fixed", [], [7.2], 4),
    ("scalar_int", [], [4.0], 4),
    ("scalar_sci_small", [], [1e-5], 4),
    ("scalar_sci_large_int", [], [123456789.0], 4),
    ("scalar_zero", [], [0.0], 4),
    ("scalar_negative_zero", [], [-0.0], 4),
    ("scalar_nan", [], [NAN], 4),
    ("scalar_neg_inf", [], [-INF], 4),
    ("scalar_rounds_exact_binary", [], [0.12345], 4),
    ("scalar_1e_4_is_not_sci", [], [1e-4], 4),
    ("scalar_digits_8", [], [1 / 3], 8),
    ("scalar_digits_0", [], [2.5], 0),
    ("vector_fixed", [2], [1.0, 2.5], 4),
    ("vector_int_aligned", [2], [-1.0, 2.0], 4),
    ("vector_nan_inf_fixed", [3], [NAN, INF, 1.5], 4),
    ("vector_negative_zero_fixed", [2], [-0.0, 0.5], 4),
    ("vector_negative_zero_int", [2], [-0.0, 1.0], 4),
    ("vector_all_zero", [2], [0.0, 0.0], 4),
    ("vector_nan_and_zero", [2], [NAN, 0.0], 4),
    ("vector_only_nonfinite", [3], [NAN, -INF, INF], 4),
    ("vector_neg_inf_wider_than_width", [2], [-INF, 1.0], 4),
    ("vector_ratio_1000_stays_int", [2], [1.0, 1000.0], 4),
    ("vector_ratio_over_1000_is_sci", [2], [1.0, 1001.0], 4),
    ("vector_max_over_1e8_is_sci", [2], [2e8, 3e8], 4),
    ("vector_min_below_1e_4_is_sci", [3], [1e-5, 1.0, -2.5], 4),
    ("vector_sci_with_nan_and_zero", [4], [NAN, 0.0, 1e-5, -INF], 4),
    ("vector_ties_half_even", [3], [0.125, 0.375, -0.625], 2),
    ("vector_digits_8", [2], [0.1, 2 / 3], 8),
    ("vector_digits_8_sci", [2], [1e-9, 1.0], 8),
    ("vector_wraps_fixed", [30], ("ramp", -3.0, 0.25), 4),
    ("vector_wraps_int", [100], ("ramp", 0.0, 1.0), 4),
    ("matrix_column", [3, 1], [1.0004, 1.9924, 2.9159], 4),
    ("matrix_mixed_sign", [2, 3], [1.0, -2.5, 3.25, 0.0, 10.5, -0.125], 4),
    ("matrix_rows_wrap", [2, 20], ("ramp", 0.5, 1.25), 4),
    ("matrix_sci", [2, 2], [1e-6, 2.0, 3e3, -4.0], 4),
    ("cube_blank_lines", [2, 2, 3], ("ramp", -6.0, 1.0), 4),
    ("four_d", [2, 1, 2, 2], ("ramp", 0.5, 0.5), 4),
    ("summarised_vector_sci", [2000], ("ramp", 0.0, 1.0), 4),
    ("summarised_vector_int", [1500], ("ramp", 1000.0, 1.0), 4),
    ("summarised_vector_fixed", [1001], ("ramp", 1.0, 0.001), 4),
    ("summarised_matrix", [40, 40], ("ramp", 0.5, 0.25), 4),
    ("summarised_tall", [1001, 1], ("ramp", 0.0, 0.5), 4),
    ("summarised_wide", [1, 1001], ("ramp", 0.0, 0.5), 4),
    ("summarised_cube_outer", [7, 1, 150], ("ramp", -500.0, 1.0), 4),
    ("summarised_cube_inner", [2, 2, 300], ("ramp", 0.5, 0.5), 4),
    ("summarised_rows_wrap_sci", [3, 1000], ("ramp", 0.001, 0.001), 4),
    # The middle holds |x| < 1e-4, which would switch to sci if it were seen.
    ("summarised_formatter_sees_edges_only", [1001], ("ramp", -0.50005, 0.001), 4),
    ("empty_vector", [0], [], 4),
    ("empty_matrix", [2, 0], [], 4),
    ("empty_leading", [0, 3], [], 4),
]


def build(shape, values):
    n = math.prod(shape)
    if isinstance(values, tuple):
        _, start, step = values
        flat = start + step * torch.arange(n, dtype=torch.float64)
    else:
        flat = torch.tensor(values, dtype=torch.float64)
    return flat.reshape(shape)


def expected(t, precision):
    PRINT_OPTS.precision = precision
    try:
        return _tensor_str(t, 0)
    finally:
        PRINT_OPTS.precision = 4


def rust_f64(x):
    if math.isnan(x):
        return "f64::NAN"
    if math.isinf(x):
        return "f64::INFINITY" if x > 0 else "-f64::INFINITY"
    r = repr(x)
    return r if any(c in r for c in ".en") else r + ".0"


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def rust_want(s):
    # Raw strings keep multi-line outputs readable as they print.
    return f'r"{s}"' if "\n" in s else rust_str(s)


def emit_cases():
    for name, shape, values, precision in CASES:
        want = rust_want(expected(build(shape, values), precision))
        shape_s = ", ".join(map(str, shape))
        if isinstance(values, tuple):
            _, start, step = values
            data = f"ramp({math.prod(shape)}, {rust_f64(start)}, {rust_f64(step)})"
        else:
            data = "[" + ", ".join(rust_f64(v) for v in values) + "]"
        print(f"            {name}: [{shape_s}], {data}, {precision} => {want};")


def random_value(rng):
    kind = rng.random()
    if kind < 0.05:
        return rng.choice([NAN, INF, -INF, 0.0, -0.0])
    if kind < 0.25:
        return float(rng.randint(-2000, 2000))
    if kind < 0.4:
        return rng.randint(-64, 64) / rng.choice([2, 4, 8, 16, 32, 1024])
    return rng.gauss(0, 1) * 10.0 ** rng.randint(-7, 9)


def emit_fuzz(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        ndim = rng.choice([0, 1, 1, 2, 2, 3, 4])
        big = rng.random() < 0.05
        shape = [rng.randint(1, 40 if big else 5) for _ in range(ndim)]
        if big and ndim == 1:
            shape = [rng.randint(900, 1200)]
        n = math.prod(shape)
        scale = 10.0 ** rng.randint(-6, 6)
        values = [random_value(rng) * (scale if rng.random() < 0.5 else 1.0) for _ in range(n)]
        precision = rng.choice([4, 4, 4, 0, 1, 2, 6, 8, 10])
        t = torch.tensor(values, dtype=torch.float64).reshape(shape)
        want = expected(t, precision).replace("\n", "\\n")
        print(f"{precision}|{','.join(map(str, shape))}|{' '.join(map(repr, values))}|{want}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--fuzz":
        emit_fuzz(int(sys.argv[2]), int(sys.argv[3]))
    else:
        emit_cases()
