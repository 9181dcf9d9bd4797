# ---- fit statistics (src/export/runtime_fit.py) ------------------------------
# After a `minimize` of a `residual`: the RSS, the covariance s^2 (J^T J)^-1
# from the Jacobian at the solution and the standard errors, printed and
# kept for `stderr(p)` and `covariance()` as gradlang does (src/eval/fit.rs;
# `_covariance` is its pivoted-QR inverse, in runtime_lm.py).

_FIT = None


def _fit(residual, x, D, names, unravel):
    """The fit at the flat solution `x` of the params `names` (declaration
    order; `unravel` maps x back to a dict of them);
    `residual(x, D)` gives the residuals as one vector. Prints the summary's
    second line and keeps the fit."""
    global _FIT
    res = np.asarray(residual(x, D), dtype=np.float64)
    J = np.asarray(jax.jacfwd(residual)(x, D), dtype=np.float64).reshape(res.size, -1)
    n, k = J.shape
    cov, dependent, rank = _covariance(J, n, k)
    rss = float(np.sum(res * res))
    dof = n - rank
    cov = np.asarray(cov, dtype=np.float64).reshape(k, k) * (rss / dof if dof > 0 else np.nan)
    # Where each param's entries sit in x, and its shape.
    at = unravel(jnp.arange(k, dtype=jnp.float64))
    entries = {n_: (np.asarray(at[n_]).reshape(-1).astype(np.int64), np.shape(at[n_])) for n_ in names}
    undetermined = [n_ for n_ in names if set(entries[n_][0].tolist()) & set(dependent)]
    if undetermined:
        print(
            "warning[W0009]: the data cannot tell apart %s: the Jacobian of the residuals is rank-deficient"
            % ", ".join("`%s`" % n_ for n_ in undetermined),
            file=sys.stderr,
        )
    if dof <= 0:
        print(
            "warning[W0010]: %d residuals for %d independent param entries leave no degrees of freedom to estimate the noise"
            % (n, rank),
            file=sys.stderr,
        )
    # gradlang's order: the params in declaration order, each flattened.
    order = np.concatenate([entries[n_][0] for n_ in names])
    cov = cov[np.ix_(order, order)]
    offsets, start = {}, 0
    for n_ in names:
        size = entries[n_][0].size
        offsets[n_] = (start, size, entries[n_][1])
        start += size
    _FIT = (offsets, cov)
    errors = []
    for name in names:
        se = _stderr_of(name)
        if se.ndim == 0:
            errors.append("%s ± %s" % (name, _format(se)))
        elif se.size <= 6:
            errors.append("%s ± [%s]" % (name, ", ".join(_format(v) for v in se.reshape(-1))))
        else:
            errors.append("%s ± stderr(%s)" % (name, name))
    print(
        "  RSS %s over %d residual%s, %d degree%s of freedom; standard errors: %s"
        % (_format(rss), n, "" if n == 1 else "s", max(dof, 0), "" if dof == 1 else "s", ", ".join(errors)),
        flush=True,
    )


def _last_fit(what):
    if _FIT is None:
        print(
            "error[E0237]: `%s` has no least-squares fit to report on: no `minimize` of a `residual` has run yet"
            % what,
            file=sys.stderr,
        )
        sys.exit(1)
    return _FIT


def _stderr_of(name):
    """`stderr(p)`: the standard errors of p's entries, in p's shape."""
    offsets, cov = _last_fit("stderr")
    o, m, shape = offsets[name]
    return np.sqrt(np.diag(cov)[o : o + m]).reshape(shape)


def _covariance_of(name):
    """`covariance()` (name None): every fitted entry's; `covariance(p)`: p's block."""
    offsets, cov = _last_fit("covariance")
    if name is None:
        return cov
    o, m, _ = offsets[name]
    return cov[o : o + m, o : o + m]
