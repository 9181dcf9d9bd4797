# ---- gradlang's runtime for exported programs (src/export/runtime.py) ----
# Printing as gradlang prints (torch's str(tensor) rules, docs/printing.md),
# the sharding of data rows over jax.devices(), and `minimize`: the update
# rules of torch.optim as gradlang follows them (docs/optimizers.md), with its
# bounds, stopping rules and summary line.
import os
import sys

import numpy as np
import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402
from jax import lax  # noqa: E402
from jax.flatten_util import ravel_pytree  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

# ---- printing --------------------------------------------------------------


def _cell(v, mode, precision):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if mode == "int":
        return "{:.0f}.".format(v)
    if mode == "fixed":
        return "{:.{}f}".format(v, precision)
    if mode == "sci":
        return "{:.{}e}".format(v, precision)
    return "{:.0f}".format(v)


def _shown(n, summarize):
    if summarize and n > 6:
        return [0, 1, 2, None, n - 3, n - 2, n - 1]
    return list(range(n))


def _sample(a, summarize):
    if a.ndim == 0 or not summarize:
        return list(a.reshape(-1))
    out = []
    for i in _shown(a.shape[0], True):
        if i is not None:
            out += _sample(a[i], True)
    return out


def _format(value, precision=4, integer=False):
    """A value as gradlang's print writes it (src/format.rs)."""
    a = np.asarray(value, dtype=np.float64)
    if a.size == 0:
        return "[]"
    summarize = a.size > 1000
    sample = _sample(a, summarize)
    if integer:
        mode, width = "whole", max(len(_cell(v, "whole", 0)) for v in sample)
    else:
        vals = [abs(v) for v in sample if np.isfinite(v) and v != 0]
        mode, width = "int", 1
        if vals:
            lo, hi = min(vals), max(vals)
            if hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                mode = "sci"
            elif all(v == np.ceil(v) for v in sample if np.isfinite(v) and v != 0):
                mode = "int"
            else:
                mode = "fixed"
            width = max(
                len(_cell(v, mode, precision)) for v in sample if np.isfinite(v) and v != 0
            )

    def cell(v):
        return _cell(v, mode, precision).rjust(width)

    def write(t, indent):
        if t.ndim == 0:
            return cell(float(t))
        if t.ndim == 1:
            per_line = max((80 - indent) // (width + 2), 1)
            cells = [" ..." if i is None else cell(float(t[i])) for i in _shown(len(t), summarize)]
            lines = [", ".join(cells[k : k + per_line]) for k in range(0, len(cells), per_line)]
            return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
        sep = "," + "\n" * (t.ndim - 1) + " " * (indent + 1)
        rows = ["..." if i is None else write(t[i], indent + 1) for i in _shown(t.shape[0], summarize)]
        return "[" + sep.join(rows) + "]"

    return write(a, 0)


def _print(items, digits=4):
    parts = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        else:
            value, integer = item
            parts.append(_format(value, digits, integer))
    print(" ".join(parts), flush=True)


def _assert(cond, message, where):
    if not bool(np.all(np.asarray(cond) != 0)):
        text = "error[E0213]: assertion failed at " + where
        if message is not None:
            print(text + ": " + message, file=sys.stderr)
        else:
            print(text, file=sys.stderr)
        sys.exit(1)


def _truth(cond):
    return bool(np.all(np.asarray(cond) != 0))


# ---- data and sharding -----------------------------------------------------

_DEVICES = jax.devices()
_MESH = Mesh(np.array(_DEVICES), ("rows",))


def _load(npz, key, rows):
    """Data `key` of the .npz: sharded over the devices along its first axis
    when `rows` says it is one of the row-sharing bindings (and the rows
    split evenly), replicated otherwise."""
    a = np.asarray(npz[key], dtype=np.float64)
    n = len(_DEVICES)
    if rows and a.ndim >= 1 and n > 1 and a.shape[0] % n == 0:
        spec = PartitionSpec("rows", *([None] * (a.ndim - 1)))
    else:
        spec = PartitionSpec()
    return jax.device_put(a, NamedSharding(_MESH, spec))


def _report_sharding(D):
    """With GRADLANG_EXPORT_SHARDING=1: how each data binding is laid out."""
    if os.environ.get("GRADLANG_EXPORT_SHARDING") != "1":
        return
    for name, a in D.items():
        shards = len({s.device for s in a.addressable_shards})
        rows = [s.data.shape[0] if s.data.ndim else 0 for s in a.addressable_shards]
        sharded = not a.sharding.is_fully_replicated
        print(
            "sharding: %s shape=%s devices=%d sharded=%s rows=%s"
            % (name, list(a.shape), shards, sharded, rows),
            file=sys.stderr,
        )


# ---- differentiation -------------------------------------------------------


def _with(P, name, v):
    Q = dict(P)
    Q[name] = v
    return Q


def _grad(f, P, name):
    return jax.grad(lambda v: f(_with(P, name, v)))(P[name])


def _jacobian(f, P, name):
    return jax.jacrev(lambda v: f(_with(P, name, v)))(P[name])


def _hessian(f, P, name):
    return jax.hessian(lambda v: f(_with(P, name, v)))(P[name])


def _gradcheck(f, P, name):
    """gradlang's gradcheck: the largest relative error between grad and
    central differences with h = 1e-6 max(|x|, 1) (src/eval/calculus.rs)."""
    x0 = np.asarray(P[name], dtype=np.float64)
    analytic = np.asarray(_grad(f, P, name)).reshape(-1)
    flat = x0.reshape(-1)
    worst = 0.0
    for j in range(flat.size):
        h = 1e-6 * max(abs(flat[j]), 1.0)

        def at(v):
            x = flat.copy()
            x[j] = v
            return float(f(_with(P, name, jnp.asarray(x.reshape(x0.shape)))))

        numeric = (at(flat[j] + h) - at(flat[j] - h)) / (2.0 * h)
        err = abs(analytic[j] - numeric) / max(abs(analytic[j]), abs(numeric), 1.0)
        worst = float("nan") if np.isnan(err) or np.isnan(worst) else max(worst, err)
    return jnp.asarray(worst)


# ---- the end of the program ------------------------------------------------


def _save_safetensors(path, P):
    """The params as a safetensors file (F64, little-endian, C order)."""
    import json
    import struct

    header, blobs, offset = {}, [], 0
    for name in sorted(P):
        a = np.ascontiguousarray(np.asarray(P[name], dtype="<f8"))
        data = a.tobytes()
        header[name] = {"dtype": "F64", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def _json_number(v):
    if np.isnan(v):
        return '"NaN"'
    if np.isinf(v):
        return '"Infinity"' if v > 0 else '"-Infinity"'
    return repr(float(v))


def _nested(a):
    if a.ndim == 0:
        return _json_number(a)
    return "[" + ", ".join(_nested(b) for b in a) + "]"


def _save(path, P):
    """`save "FILE"`: every param, as .safetensors or as gradlang's JSON
    (src/eval/params_file.rs), relative to this program's folder as
    gradlang's is to the script's."""
    full = os.path.join(os.path.dirname(os.path.abspath(__file__)), path)
    try:
        if path.endswith(".safetensors"):
            _save_safetensors(full, P)
            return
        lines = []
        for name in P:
            a = np.asarray(P[name], dtype=np.float64)
            lines.append('  "%s": {"data":%s,"shape":%s}' % (name, _nested(a).replace(" ", ""), str(list(a.shape)).replace(" ", "")))
        with open(full, "w") as f:
            f.write("{\n" + ",\n".join(lines).replace("], [", "],[") + "\n}\n")
    except OSError as e:
        print("error[E0215]: cannot write `%s`: %s" % (path, e.strerror), file=sys.stderr)
        sys.exit(1)


def _finish(P, D):
    _report_sharding(D)
    if "--safetensors" in sys.argv[1:]:
        i = sys.argv.index("--safetensors")
        if i + 1 >= len(sys.argv):
            sys.exit("--safetensors needs a file name")
        _save_safetensors(sys.argv[i + 1], P)
