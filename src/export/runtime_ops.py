# ---- builtins (src/export/runtime_ops.py) ----------------------------------
# gradlang's builtins where jax.numpy's spelling or defaults differ
# (docs/language.md describes each). Booleans are 0. and 1., as in gradlang.


def _t(items):
    return jnp.asarray(items, dtype=jnp.float64)


def _ix(v):
    """A whole number for an index, axis, size or diagonal offset."""
    return int(v) if np.ndim(v) == 0 else np.asarray(v).astype(int)


def _dims(ds):
    return tuple(int(d) for d in ds)


def _pow(a, b):
    return jnp.power(a, b)


def _and(a, b):
    return jnp.where((jnp.asarray(a) != 0) & (jnp.asarray(b) != 0), 1.0, 0.0)


def _or(a, b):
    return jnp.where((jnp.asarray(a) != 0) | (jnp.asarray(b) != 0), 1.0, 0.0)


def _where(c, a, b):
    return jnp.where(jnp.asarray(c) != 0, a, b)


def _softplus(x):
    # torch's threshold: x itself above 20 (clamped inside so that the
    # unused branch stays finite and so does its gradient).
    return jnp.where(x > 20, x, jnp.log1p(jnp.exp(jnp.minimum(x, 20.0))))


def _dot(a, b):
    return jnp.sum(a * b)


def _norm(x, axis=None, keepdims=False):
    return jnp.sqrt(jnp.sum(x * x, axis=axis, keepdims=keepdims))


def _argmax(x, axis=None, keepdims=False):
    return jnp.argmax(x, axis=axis, keepdims=keepdims).astype(jnp.float64)


def _argmin(x, axis=None, keepdims=False):
    return jnp.argmin(x, axis=axis, keepdims=keepdims).astype(jnp.float64)


def _any(x, axis=None, keepdims=False):
    return jnp.where(jnp.any(jnp.asarray(x) != 0, axis=axis, keepdims=keepdims), 1.0, 0.0)


def _all(x, axis=None, keepdims=False):
    return jnp.where(jnp.all(jnp.asarray(x) != 0, axis=axis, keepdims=keepdims), 1.0, 0.0)


def _var(x, axis=None, correction=1, keepdims=False):
    return jnp.var(x, axis=axis, ddof=correction, keepdims=keepdims)


def _std(x, axis=None, correction=1, keepdims=False):
    return jnp.sqrt(_var(x, axis, correction, keepdims))


def _softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=axis)


def _cum(f, x, axis=0):
    return f(x, axis=axis)


def _sort(x, axis=-1, descending=False):
    s = jnp.sort(x, axis=axis)
    return jnp.flip(s, axis=axis) if descending else s


def _diag(x, k=0):
    return jnp.diag(x, k=k)


def _tril(x, k=0):
    return jnp.tril(x, k=k)


def _triu(x, k=0):
    return jnp.triu(x, k=k)


def _flip(x, axis=None):
    return jnp.flip(x, axis=axis)


def _tile(x, reps):
    return jnp.tile(x, reps if isinstance(reps, tuple) else _dims(np.atleast_1d(np.asarray(reps))))


def _full(v, dims):
    return jnp.broadcast_to(jnp.asarray(v, dtype=jnp.float64), dims)


def _linspace(a, b, n):
    return jnp.linspace(a, b, int(n))


def _arange(a, b=None, step=1.0):
    return jnp.arange(0.0, a, step) if b is None else jnp.arange(a, b, step)


def _reshape(x, dims):
    return jnp.reshape(x, dims if isinstance(dims, tuple) else _dims(np.asarray(dims).reshape(-1)))


def _logdet(a):
    return jnp.linalg.slogdet(a)[1]


def _eigh(a):
    return jnp.linalg.eigh(a)[1]


def _svdvals(a):
    return jnp.linalg.svd(a, compute_uv=False)


def _len(x):
    return float(jnp.shape(x)[0])


def _shape_of(x):
    return jnp.asarray(jnp.shape(x), dtype=jnp.float64)
