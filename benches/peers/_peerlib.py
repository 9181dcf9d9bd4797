"""Shared helpers for the peer programs in benches/peers/ (docs/performance.md
times them against gradlang: PyTorch, JAX and NumPy on the same problems).

Only the standard library is imported at module level, so importing this file
does not change a script's import cost. Everything here is deterministic.
"""
import json
import os
import statistics
import sys
import time

# Fixed starting points (the tutorial used random/implicit ones; we pin them).
PUZZLE_INIT = (0.1, 0.2, 0.3, 0.4)          # A, B, C, D
POLY_W0 = (0.5, -0.3, 0.1)                   # w[0] (x^2), w[1] (x), w[2] (1)
MARK_STEPS = (0, 1, 10, 100)                 # loss is reported at these loop iterations
LR = 0.01

DTYPES = ("f32", "f64")


def poly_data(n, seed=0):
    """X = default_rng(seed).standard_normal((n,1))*5 ; features [x^2, x, 1] ; Y = X^2 + 2X + 3.

    Everything is computed in float64 numpy; a float32 run casts F and Y to float32 afterwards.
    Returns (x (n,1), F (n,3), y (n,1)) as float64 arrays.
    """
    import numpy as np
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1)) * 5
    y = x ** 2 + 2 * x + 3
    F = np.hstack([x ** 2, x, np.ones_like(x)])
    return x, F, y


def g10(v):
    return "%.10g" % v


def write_ref(out, title, cmd, meta, traj, names):
    """traj: list of (loss, p1, p2, ...) for rows k = 0..steps; row k = parameters after k
    updates and the loss at those parameters (row k < steps is the loss computed in loop
    iteration k, row `steps` is evaluated after the loop)."""
    steps = len(traj) - 1
    lines = ["# " + title, "# produced by: " + cmd]
    for k, v in meta.items():
        lines.append("# %s: %s" % (k, v))
    lines.append("# loss[k] = loss at the parameters after k updates (k=0: initial); 10 significant digits")
    for k in MARK_STEPS:
        if k <= steps:
            lines.append("loss[%d] = %s" % (k, g10(traj[k][0])))
    lines.append("loss[%d] = %s" % (steps - 1, g10(traj[steps - 1][0])))
    lines.append("loss[%d] = %s   # final (after %d updates)" % (steps, g10(traj[steps][0]), steps))
    for name, val in zip(names, traj[steps][1:]):
        lines.append("%s = %s" % (name, g10(val)))
    text = "\n".join(lines) + "\n"
    out.write(text)
    return text


def write_traj(path, traj, names):
    with open(path, "w") as f:
        f.write("step,loss," + ",".join(names) + "\n")
        for k, row in enumerate(traj):
            f.write("%d," % k + ",".join("%.17g" % v for v in row) + "\n")


def time_runs(fn, repeats=5, warmup=1):
    """fn() performs one complete optimization from a fresh init and returns the loop's
    elapsed seconds (perf_counter around the loop only). Returns (warmup_times, times)."""
    w = [fn() for _ in range(warmup)]
    t = [fn() for _ in range(repeats)]
    return w, t


def report_timing(label, steps, warm, ts, extra=None):
    med = statistics.median(ts)
    rec = {
        "label": label, "steps": steps,
        "first_s": warm[0] if warm else None,
        "median_s": med, "min_s": min(ts), "max_s": max(ts),
        "per_step_us": med / steps * 1e6, "runs_s": ts,
    }
    if extra:
        rec.update(extra)
    print("TIMING " + json.dumps(rec))
    print("%s: first=%.3f ms median_of_%d=%.3f ms min=%.3f ms per_step=%.3f us" % (
        label, (warm[0] if warm else float('nan')) * 1e3, len(ts), med * 1e3, min(ts) * 1e3,
        med / steps * 1e6))
    sys.stdout.flush()
    return rec


def cmdline():
    return "python " + " ".join([os.path.relpath(sys.argv[0], os.path.join(os.path.dirname(__file__), "..", ".."))] + sys.argv[1:])
