#!/usr/bin/env python3
"""Regenerates staples.json: torch values and gradients of the staple
reductions and rearrangements (keepdims, std/var, cumsum/cumprod, sort,
argmax, any/all, diag, trace, tril/triu, outer, stack, flip, tile) for
tests/torch_refs.rs.

    venv/bin/python tests/data/refs/gen_staples.py

Same format as linalg.json (see gen_linalg.py). Cases whose result carries
no gradient in torch (argmax, any, all) have no "grads": only their values
are compared. Second-order cases (`grad(...)` in the expression) use
create_graph=True, as gradlang's recorded gradients do.
"""

import torch

from gen_linalg import grad_of, write

torch.set_default_dtype(torch.float64)

X = [[0.9, -0.3, 0.5, 1.7], [0.2, 1.1, -0.7, 0.4], [-0.4, 0.6, 1.3, -1.2]]
S = [[2.0, -0.5, 0.8], [0.3, 1.5, -1.1], [0.7, 0.2, -0.9]]
v = [0.8, -1.3, 2.1, 0.4]
u = [1.5, -0.2, 0.7]
Z = [[1.2, 0.0, -0.8], [0.5, 2.0, 0.3]]  # a zero, for cumprod's other path
B = [[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]]


W3 = torch.tensor([1.0, 2.0, 3.0, 4.0])

# name: (params {name: value}, gradlang expression, torch function, differentiable)
CASES = {
    "sum_keepdims": ({"X": X}, "sum(X, axis=1, keepdims=true)", lambda X: X.sum(1, keepdim=True), True),
    "sum_all_keepdims": ({"X": X}, "sum(X, keepdims=true)", lambda X: X.sum((0, 1), keepdim=True), True),
    "mean_keepdims": ({"X": X}, "mean(X, axis=0, keepdims=true)", lambda X: X.mean(0, keepdim=True), True),
    "max_keepdims": ({"X": X}, "max(X, axis=1, keepdims=true)", lambda X: X.max(1, keepdim=True).values, True),
    "min_keepdims": ({"X": X}, "min(X, axis=-2, keepdims=true)", lambda X: X.min(-2, keepdim=True).values, True),
    "prod_keepdims": ({"X": X}, "prod(X, axis=1, keepdims=true)", lambda X: X.prod(1, keepdim=True), True),
    "norm_keepdims": ({"X": X}, "norm(X, axis=0, keepdims=true)",
                      lambda X: torch.linalg.vector_norm(X, dim=0, keepdim=True), True),
    "logsumexp_keepdims": ({"X": X}, "logsumexp(X, axis=1, keepdims=true)",
                           lambda X: X.logsumexp(1, keepdim=True), True),
    "std": ({"X": X}, "std(X)", lambda X: X.std(), True),
    "std_axis0_c0": ({"X": X}, "std(X, axis=0, correction=0)", lambda X: X.std(0, correction=0), True),
    "var_axis1_keepdims": ({"X": X}, "var(X, axis=1, keepdims=true)", lambda X: X.var(1, keepdim=True), True),
    "var_c2": ({"v": v}, "var(v, correction=2)", lambda v: v.var(correction=2), True),
    "cumsum_axis1": ({"X": X}, "cumsum(X, axis=1)", lambda X: X.cumsum(1), True),
    "cumsum_vector": ({"v": v}, "cumsum(v)", lambda v: v.cumsum(0), True),
    "cumprod_axis0": ({"X": X}, "cumprod(X, axis=0)", lambda X: X.cumprod(0), True),
    "cumprod_zero": ({"Z": Z}, "cumprod(Z, axis=1)", lambda Z: Z.cumprod(1), True),
    "sort_rows": ({"X": X}, "sort(X)", lambda X: X.sort(-1).values, True),
    "sort_cols_desc": ({"X": X}, "sort(X, axis=0, descending=true)",
                       lambda X: X.sort(0, descending=True).values, True),
    "argmax": ({"X": X}, "argmax(X)", lambda X: X.argmax().double(), False),
    "argmax_axis1": ({"X": X}, "argmax(X, axis=1)", lambda X: X.argmax(1).double(), False),
    "argmin_axis0_keepdims": ({"X": X}, "argmin(X, axis=0, keepdims=true)",
                              lambda X: X.argmin(0, keepdim=True).double(), False),
    "any_axis0": ({"B": B}, "any(B, axis=0)", lambda B: B.any(0).double(), False),
    "all_axis1_keepdims": ({"B": B}, "all(B, axis=1, keepdims=true)",
                           lambda B: B.all(1, keepdim=True).double(), False),
    "diag_vector": ({"v": v}, "diag(v)", lambda v: torch.diag(v), True),
    "diag_vector_below": ({"v": v}, "diag(v, k=-1)", lambda v: torch.diag(v, -1), True),
    "diag_matrix": ({"X": X}, "diag(X)", lambda X: torch.diag(X), True),
    "diag_matrix_above": ({"X": X}, "diag(X, k=1)", lambda X: torch.diag(X, 1), True),
    "trace": ({"S": S}, "trace(S)", lambda S: torch.trace(S), True),
    "trace_wide": ({"X": X}, "trace(X)", lambda X: torch.trace(X), True),
    "tril": ({"X": X}, "tril(X)", lambda X: torch.tril(X), True),
    "triu_above": ({"X": X}, "triu(X, k=1)", lambda X: torch.triu(X, 1), True),
    "tril_below": ({"S": S}, "tril(S, k=-1)", lambda S: torch.tril(S, -1), True),
    "outer": ({"v": v, "u": u}, "outer(v, u)", lambda v, u: torch.outer(v, u), True),
    "stack_axis0": ({"v": v}, "stack(v, v * 2)", lambda v: torch.stack([v, v * 2]), True),
    "stack_axis_last": ({"X": X}, "stack(X, -X, X ^ 2, axis=-1)",
                        lambda X: torch.stack([X, -X, X ** 2], dim=-1), True),
    "flip_axis0": ({"X": X}, "flip(X, axis=0)", lambda X: torch.flip(X, [0]), True),
    "flip_all": ({"X": X}, "flip(X)", lambda X: torch.flip(X, [0, 1]), True),
    "tile_rows": ({"X": X}, "tile(X, [2, 1])", lambda X: torch.tile(X, (2, 1)), True),
    "tile_count": ({"u": u}, "tile(u, [2, 3])", lambda u: torch.tile(u, (2, 3)), True),
    # second order: the gradient's gradient
    "grad_sort": ({"v": v}, "grad(sum(sort(v) ^ 3 * [1, 2, 3, 4]), v)",
                  lambda v: grad_of(lambda a: (a.sort().values ** 3 * W3).sum(), v), True),
    "grad_std": ({"X": X}, "grad(std(X) ^ 3, X)", lambda X: grad_of(lambda a: a.std() ** 3, X), True),
    "grad_var_axis": ({"X": X}, "grad(sum(var(X, axis=0) ^ 2), X)",
                      lambda X: grad_of(lambda a: (a.var(0) ** 2).sum(), X), True),
    "grad_cumprod": ({"v": v}, "grad(sum(cumprod(v) ^ 2), v)",
                     lambda v: grad_of(lambda a: (a.cumprod(0) ** 2).sum(), v), True),
    "grad_cumsum": ({"v": v}, "grad(sum(cumsum(v) ^ 3), v)",
                    lambda v: grad_of(lambda a: (a.cumsum(0) ** 3).sum(), v), True),
    "grad_logsumexp_keepdims": ({"X": X}, "grad(sum(logsumexp(X, axis=1, keepdims=true) ^ 2), X)",
                                lambda X: grad_of(lambda a: (a.logsumexp(1, keepdim=True) ** 2).sum(), X), True),
    "grad_trace": ({"S": S}, "grad(trace(S @ S @ S), S)",
                   lambda S: grad_of(lambda a: torch.trace(a @ a @ a), S), True),
    "grad_tile_flip": ({"u": u}, "grad(sum(flip(tile(u, 2)) ^ 3 * [1, 2, 3, 4, 5, 6]), u)",
                       lambda u: grad_of(lambda a: (torch.flip(torch.tile(a, (2,)), [0]) ** 3
                                                    * torch.tensor([1.0, 2, 3, 4, 5, 6])).sum(), u), True),
    "grad_diag_outer": ({"v": v}, "grad(sum(diag(outer(v, v)) ^ 2) + sum(diag(v) ^ 3), v)",
                        lambda v: grad_of(lambda a: (torch.diag(torch.outer(a, a)) ** 2).sum()
                                          + (torch.diag(a) ** 3).sum(), v), True),
}



if __name__ == "__main__":
    write(CASES, "staples.json")
