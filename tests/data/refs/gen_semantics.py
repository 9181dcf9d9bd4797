#!/usr/bin/env python3
"""Torch's numbers for tests/semantics/manual_update_loop.gl.

    python -m venv venv && venv/bin/pip install torch
    venv/bin/python tests/data/refs/gen_semantics.py

The same hand-written loop under `torch.no_grad()`, in float64; its output
is what the script's golden shows (12 significant digits, to 1e-12).
"""
import torch

torch.set_default_dtype(torch.float64)

p = torch.tensor([0.5, -0.3, 0.1], requires_grad=True)
X = torch.tensor([[1, 2, 3], [0.5, -1, 2], [-1, 0.3, 0.7], [2, 1, -0.5]])
y = torch.tensor([1, -1, 0.5, 2])


def loss():
    return ((X @ p - y) ** 2).mean() + 0.01 * (p ** 2).sum()


for k in range(10):
    (g,) = torch.autograd.grad(loss(), p)
    with torch.no_grad():
        p -= (1.0 - 0.9 * k / 100) * 0.1 * g

print(" ".join(f"{v:.12f}" for v in p.tolist()))
print(f"{loss().item():.12f}")
