#!/usr/bin/env python3
"""Regenerates calculus.json: torch.autograd.functional's jacobian and hessian
for tests/torch_refs.rs, in the format gen_linalg.py writes.

    venv/bin/python tests/data/refs/gen_calculus.py

Each case is a gradlang `jacobian(...)` or `hessian(...)` expression and the same
call of torch.autograd.functional (float64, create_graph=True, so the result can
be differentiated further, as gradlang's recorded ones can). The JSON holds the
value (layout y.shape + p.shape, torch's) and the gradient of sum(value * W)
with respect to every param: a third derivative for the Hessians.
"""
import torch
from torch.autograd.functional import hessian, jacobian

from gen_linalg import write

torch.set_default_dtype(torch.float64)

x = [0.4, -1.1, 0.7]
W = [[0.5, -0.8, 1.2], [0.3, 0.9, -0.6]]
S = [[1.1, -0.4], [0.7, 0.8]]
k = 0.6


def jac(f, p):
    return jacobian(f, p, create_graph=True)


def hess(f, p):
    return hessian(f, p, create_graph=True)


# name: (params {name: value}, gradlang expression, torch function of the params)
CASES = {
    "jacobian_vector": ({"x": x}, "jacobian(tanh(x) * x[0] + exp(x), x)",
                        lambda x: jac(lambda v: torch.tanh(v) * v[0] + torch.exp(v), x)),
    "jacobian_matrix_param": ({"W": W, "x": x}, "jacobian(sin(W @ x), W)",
                              lambda W, x: jac(lambda w: torch.sin(w @ x), W)),
    "jacobian_matrix_output": ({"x": x}, "jacobian(reshape(x, [3, 1]) @ reshape(sin(x), [1, 3]), x)",
                               lambda x: jac(lambda v: v.reshape(3, 1) @ torch.sin(v).reshape(1, 3), x)),
    "jacobian_scalar_param": ({"W": W, "k": k}, "jacobian(W * k ^ 2 + sin(W * k), k)",
                              lambda W, k: jac(lambda c: W * c ** 2 + torch.sin(W * c), k)),
    "jacobian_of_scalar": ({"S": S}, "jacobian(logdet(S @ S.T + eye(2)), S)",
                           lambda S: jac(lambda s: torch.logdet(s @ s.T + torch.eye(2)), S)),
    "jacobian_of_jacobian": ({"x": x}, "jacobian(jacobian(sin(x) * x[1], x), x)",
                             lambda x: jac(lambda u: jac(lambda v: torch.sin(v) * v[1], u), x)),
    "hessian_vector": ({"x": x, "k": k}, "hessian(logsumexp(x) * k + prod(x), x)",
                       lambda x, k: hess(lambda v: torch.logsumexp(v, 0) * k + torch.prod(v), x)),
    "hessian_matrix": ({"W": W}, "hessian(sum(W ^ 3) + W[0, 1] * W[1, 2] * W[0, 0], W)",
                       lambda W: hess(lambda w: (w ** 3).sum() + w[0, 1] * w[1, 2] * w[0, 0], W)),
    "hessian_logdet": ({"S": S}, "hessian(logdet(S @ S.T + eye(2)) + sum(S ^ 4), S)",
                       lambda S: hess(lambda s: torch.logdet(s @ s.T + torch.eye(2)) + (s ** 4).sum(), S)),
    "hessian_scalar": ({"k": k}, "hessian(sin(k) * k ^ 3, k)",
                       lambda k: hess(lambda c: torch.sin(c) * c ** 3, k)),
}

if __name__ == "__main__":
    write(CASES, "calculus.json")
