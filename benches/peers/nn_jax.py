#!/usr/bin/env python3
"""Issue 13's neural networks with JAX: f64, optax Adam (lr=1e-3), the
whole step (loss, gradient, update) under one jax.jit; prints the median
wall time of one step, blocking on its result. XLA's CPU backend is pinned
to 2 threads with taskset by the caller, or runs on the 2-core machine as is.

  python nn_jax.py --case mlp|softmax|deep [--steps 50] [--warmup 5]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _nnlib as L  # noqa: E402

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", default="mlp", choices=sorted(L.CASES))
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    a = ap.parse_args()
    X, y, layers = L.data(a.case)
    X, y = jnp.asarray(X), jnp.asarray(y)
    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in layers]
    xent = L.CASES[a.case][2] == "xent"

    def loss_fn(params):
        h = X
        for i, (W, b) in enumerate(params):
            h = h @ W + b
            if i + 1 < len(params):
                h = jnp.tanh(h)
        if xent:
            return jnp.mean(jax.nn.logsumexp(h, axis=1) - jnp.sum(y * h, axis=1))
        return jnp.mean((h - y) ** 2)

    opt = optax.adam(1e-3)

    @jax.jit
    def step(params, state):
        loss, g = jax.value_and_grad(loss_fn)(params)
        updates, state = opt.update(g, state, params)
        return optax.apply_updates(params, updates), state, loss

    carry = [params, opt.init(params)]

    def one():
        p, s, loss = step(*carry)
        loss.block_until_ready()
        carry[0], carry[1] = p, s

    med, best = L.per_step(one, a.steps, a.warmup)
    print("JAX jit %s: %.3f ms per Adam step (median of %d, min %.3f ms; jax %s, %s)"
          % (a.case, med * 1e3, a.steps, best * 1e3, jax.__version__, X.dtype))


if __name__ == "__main__":
    main()
