"""Shared by nn_torch.py and nn_jax.py: the three neural-network cases of
issue 13 (the same shapes and scales as benches/nn.rs's scripts), their data
as float64 NumPy arrays, and the per-step timing.

The data are NumPy draws, not gradlang's: the cost of a step does not depend
on the values (no branch in tanh or logsumexp depends on them materially).
"""
import statistics
import time

CASES = {
    # name: (rows, layer widths, loss)
    "mlp": (20000, (32, 64, 1), "mse"),
    "softmax": (10000, (784, 10), "xent"),
    "deep": (100000, (16, 64, 64, 1), "mse"),
}


def data(case, seed=0):
    """X, the target (y of one column, or one-hot labels) and the initial
    weights [(W, b), ...] as float64 arrays."""
    import numpy as np
    rows, widths, loss = CASES[case]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, widths[0]))
    if loss == "mse":
        y = np.sin(X @ rng.standard_normal((widths[0], 1)))
    else:
        y = np.eye(widths[-1])[rng.integers(0, widths[-1], rows)]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers.append((rng.standard_normal((a, b)) * (0.2 if loss == "mse" else 0.01), np.zeros(b)))
    return X, y, layers


def per_step(step, steps, warmup):
    """Median wall time of one call of step() (which must block until its
    result is computed), after `warmup` untimed calls."""
    for _ in range(warmup):
        step()
    ts = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts)
