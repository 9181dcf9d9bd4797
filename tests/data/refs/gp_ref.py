#!/usr/bin/env python3
"""The reference for examples/gp.gl: the same data and the same Gaussian-process
fit, computed independently of gradlang.

    venv/bin/python tests/data/refs/gp_ref.py

The data come from gradlang_rng.py (gradlang's generator written again from
docs/language.md): seed 4, x = 10 * rand(25), y = sin(x) + 0.2 * randn(25).
The negative log marginal likelihood of y under N(0, K), K the squared-
exponential kernel with length scale exp(log_ell) plus exp(2 log_sn) I, is
minimized with torch (float64): L-BFGS, then Newton steps with the exact
Hessian (torch.autograd.functional.hessian) until the gradient is below 1e-13.
It prints the optimum the example asserts.
"""
import math

import torch
from torch.autograd.functional import hessian

from gradlang_rng import Rng

torch.set_default_dtype(torch.float64)

r = Rng(4)
n = 25
x = torch.tensor([r.uniform() * 10 for _ in range(n)])
y = torch.sin(x) + 0.2 * torch.tensor([r.normal() for _ in range(n)])


def nll(theta):
    log_ell, log_sn = theta[0], theta[1]
    d = x[:, None] - x[None, :]
    K = torch.exp(-d ** 2 / (2 * torch.exp(2 * log_ell))) + torch.exp(2 * log_sn) * torch.eye(n)
    L = torch.linalg.cholesky(K)
    z = torch.linalg.solve_triangular(L, y[:, None], upper=False)
    return 0.5 * (z ** 2).sum() + torch.log(torch.diagonal(L)).sum() + n / 2 * math.log(2 * math.pi)


theta = torch.tensor([0.0, -1.0], requires_grad=True)
opt = torch.optim.LBFGS([theta], line_search_fn="strong_wolfe", tolerance_grad=1e-12,
                        tolerance_change=1e-15, max_iter=200)


def closure():
    opt.zero_grad()
    loss = nll(theta)
    loss.backward()
    return loss


opt.step(closure)
t = theta.detach().clone()
for _ in range(20):
    tt = t.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(nll(tt), tt)
    if g.abs().max() < 1e-13:
        break
    t = t - torch.linalg.solve(hessian(nll, t), g)
print(f"log_ell = {t[0].item():.10f}, log_sn = {t[1].item():.10f}, loss = {nll(t).item():.10f}")
print(f"ell = {math.exp(t[0].item()):.6f}, sn = {math.exp(t[1].item()):.6f}")
