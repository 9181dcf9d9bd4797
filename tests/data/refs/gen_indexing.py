#!/usr/bin/env python3
"""Regenerates indexing.json: torch indexing values and gradients for
tests/torch_refs.rs (`indexing_matches_torch`).

    venv/bin/python tests/data/refs/gen_indexing.py

Same format as linalg.json (gen_linalg.py writes both). Step slices with a
negative step have no torch spelling, so their positions come from Python's
own slicing of range(n) (the semantics gradlang follows) and torch gathers
them; index arrays are torch advanced indexing (a gather whose gradient is
a scatter-add, so repeated positions add up); masks are torch boolean
indexing. Second-order cases use create_graph=True.
"""
import torch

from gen_linalg import grad_of, write

torch.set_default_dtype(torch.float64)

X = [[0.9, -0.3, 0.5, 1.2], [0.2, 1.1, -0.7, -1.5], [-0.4, 0.6, 1.3, 0.8]]
V = [0.7, -1.2, 2.0, -0.4, 1.6]
A = [[[0.5, -1.0], [1.5, 0.3]], [[-0.8, 0.9], [0.4, -1.1]], [[1.2, -0.6], [-0.2, 0.7]]]


def steps(n, s):
    """The positions Python's slice `s` takes from an axis of length n."""
    return torch.tensor(list(range(n))[s])


IDX = torch.tensor([2, 0, 2, -1])

# name: (params {name: value}, gradlang expression, torch function of the params)
CASES = {
    "reverse": ({"v": V}, "v[::-1]", lambda v: v[steps(5, slice(None, None, -1))]),
    "step_two": ({"v": V}, "v[1::2] * 3", lambda v: v[1::2] * 3),
    "negative_step_bounds": ({"v": V}, "v[4:0:-3]", lambda v: v[steps(5, slice(4, 0, -3))]),
    "negative_bounds_negative_step": ({"v": V}, "v[-1:-6:-2]",
                                      lambda v: v[steps(5, slice(-1, -6, -2))]),
    "matrix_steps": ({"X": X}, "X[::-1, 3:0:-2]",
                     lambda X: X[steps(3, slice(None, None, -1))][:, steps(4, slice(3, 0, -2))]),
    "gather_rows": ({"X": X}, "X[[2, 0, 2, -1]]", lambda X: X[IDX]),
    "gather_columns": ({"X": X}, "X[:, [2, 0, 2, -1]]", lambda X: X[:, IDX]),
    "gather_after_index": ({"X": X}, "X[1, [3, 3, 0]]", lambda X: X[1, torch.tensor([3, 3, 0])]),
    "gather_with_slice": ({"X": X}, "X[[1, 1], 1:3]", lambda X: X[torch.tensor([1, 1]), 1:3]),
    "gather_3d_middle": ({"A": A}, "A[:, [1, 1, 0]]", lambda A: A[:, torch.tensor([1, 1, 0])]),
    "mask_full": ({"X": X}, "X[X > 0]", lambda X: X[X > 0]),
    "mask_squared": ({"v": V}, "v[v < 1] ^ 2", lambda v: v[v < 1] ** 2),
    "mask_leading": ({"A": A}, "A[A[:, :, 0] > 0]", lambda A: A[A[:, :, 0] > 0]),
    "mask_rows": ({"X": X}, "X[X[:, 0] > 0]", lambda X: X[X[:, 0] > 0]),
    "mask_columns": ({"X": X}, "X[:, X[0] > 0]", lambda X: X[:, X[0] > 0]),
    # second order: the gradient's gradient
    "grad_gather": ({"v": V}, "grad(sum(v[[0, 0, 2]] ^ 3), v)",
                    lambda v: grad_of(lambda u: (u[torch.tensor([0, 0, 2])] ** 3).sum(), v)),
    "grad_reverse": ({"v": V}, "grad(sum(v[::-1] * v ^ 2), v)",
                     lambda v: grad_of(lambda u: (u.flip(0) * u ** 2).sum(), v)),
    "grad_mask": ({"X": X}, "grad(sum(X[X > 0] ^ 3), X)",
                  lambda X: grad_of(lambda u: (u[u > 0] ** 3).sum(), X)),
}

if __name__ == "__main__":
    write(CASES, "indexing.json")
