# ---- fit statistics (src/export/runtime_fit.py) ------------------------------
# After a `minimize` of a `residual`: the RSS, the covariance s^2 (J^T J)^-1
# from the Jacobian at the solution and the standard errors, printed and
# kept for `stderr(p)` and `covariance()` as gradlang does (src/eval/fit.rs;
# `_covariance` is its pivoted-QR inverse, in runtime_lm.py).

_FIT = None


def _fit(residual, x, D, names, shapes):
    """The fit at the flat solution `x` of the params `names`, each of
    `shapes[i]`, flattened one after the other in declaration order (as
    gradlang's vector); `residual(x, D)` gives the residuals as one vector.
    Prints the summary's second line and keeps the fit."""
    global _FIT
    res = np.asarray(residual(x, D), dtype=np.float64)
    J = np.asarray(jax.jacfwd(residual)(x, D), dtype=np.float64).reshape(res.size, -1)
    n, k = J.shape
    cov, dependent, rank = _covariance(J, n, k)
    rss = float(np.sum(res * res))
    dof = n - rank
    cov = np.asarray(cov, dtype=np.float64).reshape(k, k) * (rss / dof if dof > 0 else np.nan)
    # Where each param's entries start in x, how many, and its shape.
    offsets, start = {}, 0
    for name, shape in zip(names, shapes):
        size = int(np.prod(shape, dtype=np.int64))
        offsets[name] = (start, size, shape)
        start += size
    undetermined = [m for m in names if any(offsets[m][0] <= j < offsets[m][0] + offsets[m][1] for j in dependent)]
    if undetermined:
        print(
            "warning[W0009]: the data cannot tell apart %s: the Jacobian of the residuals is rank-deficient"
            % ", ".join("`%s`" % m for m in undetermined),
            file=sys.stderr,
        )
    if dof <= 0:
        print(
            "warning[W0010]: %d residuals for %d independent param entries leave no degrees of freedom to estimate the noise"
            % (n, rank),
            file=sys.stderr,
        )
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
