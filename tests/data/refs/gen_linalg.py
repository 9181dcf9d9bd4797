#!/usr/bin/env python3
"""Regenerates linalg.json: torch.linalg values and gradients for tests/torch_refs.rs.

    python -m venv venv && venv/bin/pip install torch numpy
    venv/bin/python tests/data/refs/gen_linalg.py

Each case is a gradlang expression and the same computation in torch (float64),
at fixed inputs. The JSON records, per case: the params (name, shape, values),
the gradlang expression, its value, the weights W (a fixed tensor of the
value's shape) and the gradient of sum(expr * W) with respect to each param.
Eigenvectors are only determined up to sign, and gradlang fixes the sign
differently from LAPACK, so `eigh` is compared through its square (entrywise),
which does not depend on the signs. Second-order cases (`grad(...)` in the
expression) use create_graph=True, as gradlang's recorded gradients do.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
L = torch.linalg

A = [[2.5, -0.7, 0.4], [0.3, 1.8, -0.9], [-0.6, 0.5, 3.1]]
NEG = [[0.5, 2.0, -1.0], [1.5, -0.3, 0.8], [-0.4, 1.1, 0.9]]  # det < 0
b = [0.7, -1.2, 2.0]
B = [[1.0, -0.5], [0.3, 2.2], [-1.4, 0.6]]
S = [[4.0, 1.2, -0.8], [1.2, 3.0, 0.5], [-0.8, 0.5, 2.5]]  # symmetric positive definite
X = [[0.9, -0.3, 0.5], [0.2, 1.1, -0.7], [-0.4, 0.6, 1.3]]
TALL = [[1.0, 2.0], [-0.5, 1.5], [0.8, -1.2]]
WIDE = [[1.0, -0.5, 0.8], [2.0, 1.5, -1.2]]


def grad_of(f, p):
    (g,) = torch.autograd.grad(f(p), p, create_graph=True)
    return g


# name: (params {name: value}, gradlang expression, torch function of the params)
CASES = {
    "solve_vector": ({"A": A, "b": b}, "solve(A, b)", lambda A, b: L.solve(A, b)),
    "solve_matrix": ({"A": A, "B": B}, "solve(A, B)", lambda A, B: L.solve(A, B)),
    "inv": ({"A": A}, "inv(A)", lambda A: L.inv(A)),
    "det": ({"A": A}, "det(A)", lambda A: L.det(A)),
    "det_negative": ({"A": NEG}, "det(A)", lambda A: L.det(A)),
    "logdet": ({"A": A}, "logdet(A)", lambda A: L.slogdet(A).logabsdet),
    "logdet_negative": ({"A": NEG}, "logdet(A)", lambda A: L.slogdet(A).logabsdet),
    "cholesky": ({"S": S}, "cholesky(S)", lambda S: L.cholesky(S)),
    "cholesky_gram": ({"X": X}, "cholesky(X @ X.T + eye(3))",
                      lambda X: L.cholesky(X @ X.T + torch.eye(3))),
    "eigvalsh": ({"S": S}, "eigvalsh(S)", lambda S: L.eigvalsh(S)),
    "eigh_squared": ({"S": S}, "eigh(S) ^ 2", lambda S: L.eigh(S).eigenvectors ** 2),
    "eigh_gram": ({"X": X}, "eigh(X @ X.T) ^ 2", lambda X: L.eigh(X @ X.T).eigenvectors ** 2),
    "svdvals_square": ({"A": A}, "svdvals(A)", lambda A: L.svdvals(A)),
    "svdvals_tall": ({"M": TALL}, "svdvals(M)", lambda M: L.svdvals(M)),
    "svdvals_wide": ({"M": WIDE}, "svdvals(M)", lambda M: L.svdvals(M)),
    # second order: the gradient's gradient
    "grad_det": ({"A": A}, "grad(det(A), A)", lambda A: grad_of(L.det, A)),
    "grad_logdet": ({"A": NEG}, "grad(logdet(A), A)",
                    lambda A: grad_of(lambda a: L.slogdet(a).logabsdet, A)),
    "grad_solve": ({"A": A}, "grad(sum(solve(A, [1, 2, 3]) ^ 2), A)",
                   lambda A: grad_of(lambda a: (L.solve(a, torch.tensor([1.0, 2.0, 3.0])) ** 2).sum(), A)),
    "grad_inv": ({"A": A}, "grad(sum(inv(A) ^ 2), A)",
                 lambda A: grad_of(lambda a: (L.inv(a) ** 2).sum(), A)),
    "grad_cholesky": ({"X": X}, "grad(sum(cholesky(X @ X.T + eye(3)) ^ 2), X)",
                      lambda X: grad_of(lambda x: (L.cholesky(x @ x.T + torch.eye(3)) ** 2).sum(), X)),
    "grad_eigvalsh": ({"X": X}, "grad(sum(eigvalsh(X @ X.T) ^ 2 * [1, 2, 3]), X)",
                      lambda X: grad_of(lambda x: (L.eigvalsh(x @ x.T) ** 2 * torch.tensor([1.0, 2.0, 3.0])).sum(), X)),
    "grad_eigh": ({"X": X}, "grad(sum(eigh(X @ X.T) ^ 2 * [1, 2, 3]), X)",
                  lambda X: grad_of(lambda x: (L.eigh(x @ x.T).eigenvectors ** 2 * torch.tensor([1.0, 2.0, 3.0])).sum(), X)),
    "grad_svdvals": ({"M": TALL}, "grad(sum(svdvals(M) ^ 3), M)",
                     lambda M: grad_of(lambda m: (L.svdvals(m) ** 3).sum(), M)),
}


def weights(n):
    """A fixed weight per output entry: cos(1), cos(2), ... (all nonzero)."""
    return [math.cos(k + 1) for k in range(n)]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def write(cases, filename):
    """Evaluates `cases` in torch and writes them to `filename` beside this script.

    A case is (params, expression, torch function), with an optional fourth
    entry False for an operation without a gradient (only its value is kept).
    """
    out = []
    for name, (params, expr, f, *differentiable) in cases.items():
        ts = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        value = f(*ts.values())
        w = torch.tensor(weights(value.numel())).reshape(value.shape)
        case = {
            "name": name,
            "params": [{"name": k, "shape": list(t.shape), "values": flat(t)} for k, t in ts.items()],
            "expr": expr,
            "shape": list(value.shape),
            "value": flat(value),
            "weights": flat(w),
        }
        if differentiable != [False]:
            grads = torch.autograd.grad((value * w).sum(), list(ts.values()))
            case["grads"] = [flat(g) for g in grads]
        out.append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    with open(path, "w") as fh:
        # One case per line, so a regenerated file diffs case by case.
        fh.write('{"torch": %s,\n "cases": [\n' % json.dumps(torch.__version__))
        fh.write(",\n".join("  " + json.dumps(case) for case in out))
        fh.write("\n]}\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    write(CASES, "linalg.json")
