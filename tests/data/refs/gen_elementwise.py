#!/usr/bin/env python3
"""Regenerates elementwise.json: torch values and gradients of the elementwise
staples (atan ... trunc, atan2, `%` as torch.remainder, where) for
tests/torch_refs.rs.

    venv/bin/python tests/data/refs/gen_elementwise.py

Same format as linalg.json (see gen_linalg.py, whose writer this uses): per
case the params, the gradlang expression, its value, fixed weights W and the
gradient of sum(expr * W) with respect to each param, in float64. Inputs are
chosen inside each function's domain and away from the rounding functions'
jumps; `grad(...)` cases are second derivatives (create_graph=True).
"""
import torch

from gen_linalg import grad_of, write

torch.set_default_dtype(torch.float64)

X = [[-1.7, -0.4, 0.3], [0.9, 1.6, -2.2]]  # anywhere
Y = [[0.7, -1.3, 2.1], [-0.6, 1.1, -2.4]]  # divisors of either sign
T = [[-0.8, -0.3, 0.1], [0.45, 0.7, -0.95]]  # inside (-1, 1)
P = [[0.2, 0.9, 1.7], [2.5, 3.3, 0.6]]  # positive
Q = [[1.2, 1.9, 3.4], [1.05, 2.6, 5.0]]  # above 1
H = [[0.5, 1.5, 2.5], [-0.5, -1.5, -2.7]]  # halves: round goes to even
v = [0.5, -1.0, 2.0]


def unary(name, data, f):
    return ({"X": data}, f"{name}(X)", f)


def sumsq(*ts):
    return sum((t ** 2).sum() for t in ts)


CASES = {
    "atan": unary("atan", X, torch.atan),
    "asin": unary("asin", T, torch.asin),
    "acos": unary("acos", T, torch.acos),
    "sinh": unary("sinh", X, torch.sinh),
    "cosh": unary("cosh", X, torch.cosh),
    "asinh": unary("asinh", X, torch.asinh),
    "acosh": unary("acosh", Q, torch.acosh),
    "atanh": unary("atanh", T, torch.atanh),
    "log2": unary("log2", P, torch.log2),
    "log10": unary("log10", P, torch.log10),
    "log1p": unary("log1p", T, torch.log1p),
    "expm1": unary("expm1", X, torch.expm1),
    "erf": unary("erf", X, torch.erf),
    "erfc": unary("erfc", X, torch.erfc),
    "erfc_tail": ({"X": [[3.0, 5.0, 8.0]]}, "erfc(X)", torch.erfc),
    "floor": ({"X": X}, "floor(X * 1.5)", lambda x: torch.floor(x * 1.5)),
    "ceil": ({"X": X}, "ceil(X * 1.5)", lambda x: torch.ceil(x * 1.5)),
    "round": ({"X": X}, "round(X * 1.5)", lambda x: torch.round(x * 1.5)),
    "round_halves": unary("round", H, torch.round),
    "trunc": ({"X": X}, "trunc(X * 1.5)", lambda x: torch.trunc(x * 1.5)),
    "remainder": ({"X": X, "Y": Y}, "X % Y", torch.remainder),
    "remainder_scalar": ({"X": X}, "X % 0.7", lambda x: torch.remainder(x, 0.7)),
    "remainder_of_scalar": ({"Y": Y}, "2.5 % Y", lambda y: torch.remainder(torch.tensor(2.5), y)),
    "atan2": ({"X": X, "Y": Y}, "atan2(X, Y)", torch.atan2),
    "atan2_swapped": ({"X": X, "Y": Y}, "atan2(Y, X)", lambda x, y: torch.atan2(y, x)),
    "where": ({"X": X, "Y": Y}, "where(X > 0, X ^ 2, sin(Y))",
              lambda x, y: torch.where(x > 0, x ** 2, torch.sin(y))),
    "where_broadcast": ({"X": X, "v": v}, "where(X > 0, v, X * 2)",
                        lambda x, v: torch.where(x > 0, v, x * 2)),
    "where_cond_broadcast": ({"X": X, "Y": Y}, "where([1, 0, 1], X, Y)",
                             lambda x, y: torch.where(torch.tensor([True, False, True]), x, y)),
    # second order: the gradient's gradient
    "grad_inverse_trig": ({"T": T}, "grad(sum(asin(T) ^ 2 + acos(T) ^ 3 + atanh(T) ^ 2 + atan(T) ^ 2), T)",
                          lambda t: grad_of(lambda t: sumsq(torch.asin(t), torch.atanh(t), torch.atan(t))
                                            + (torch.acos(t) ** 3).sum(), t)),
    "grad_hyperbolic": ({"X": X}, "grad(sum(sinh(X) * cosh(X) + asinh(X) ^ 2 + expm1(X) ^ 2), X)",
                        lambda x: grad_of(lambda x: (torch.sinh(x) * torch.cosh(x)).sum()
                                          + sumsq(torch.asinh(x), torch.expm1(x)), x)),
    "grad_erf": ({"X": X}, "grad(sum(erf(X) ^ 2 + erfc(X) ^ 3), X)",
                 lambda x: grad_of(lambda x: sumsq(torch.erf(x)) + (torch.erfc(x) ** 3).sum(), x)),
    "grad_logs": ({"P": P}, "grad(sum(log2(P) ^ 2 + log10(P) ^ 2 + log1p(P) ^ 2 + acosh(P + 1) ^ 2), P)",
                  lambda p: grad_of(lambda p: sumsq(torch.log2(p), torch.log10(p), torch.log1p(p),
                                                    torch.acosh(p + 1)), p)),
    "grad_remainder_atan2": ({"X": X, "Y": Y}, "grad(sum((X % Y) ^ 2 + atan2(X, Y) ^ 2), Y)",
                             lambda x, y: grad_of(lambda y: sumsq(torch.remainder(x, y), torch.atan2(x, y)), y)),
    "grad_where": ({"X": X}, "grad(sum(where(X > 0, X ^ 3, sin(X))), X)",
                   lambda x: grad_of(lambda x: torch.where(x > 0, x ** 3, torch.sin(x)).sum(), x)),
}

if __name__ == "__main__":
    write(CASES, "elementwise.json")
