# ---- lm and the fit's covariance (src/export/runtime_lm.py) ----------------
# gradlang's Levenberg-Marquardt (src/optim/lm.rs, src/optim/lm/qr.rs: a port
# of MINPACK's lmder) ported line by line, so that an exported fit takes the
# same steps and stops for the same reason: the residuals and their Jacobian
# are jitted on the device, the pivoted QR, lmpar and the tests run on the
# host in numpy. Sums run left to right as the Rust's do (np.cumsum
# accumulates in order; np.sum would add pairwise), and max/min skip a NaN as
# Rust's f64::max/min do.

_LM_STOPS = {
    "ftol": "the sum of squares changed by less than ftol",
    "xtol": "the step was smaller than xtol relative to the params",
    "both": "the sum of squares changed by less than ftol and the step was below xtol",
    "gtol": "the residuals are orthogonal to the Jacobian's columns within gtol",
    "maxfev": "maxfev evaluations of the residuals",
    "rounding": "no further improvement possible in floating point",
}
_NON_FINITE = "a non-finite value; the params keep their last finite values"
# Scalars stay numpy floats, so that a division by zero gives inf or NaN, as
# in Rust, rather than raising (the steps run under np.errstate(all="ignore")).
_EPS = np.finfo(np.float64).eps
_DWARF = np.finfo(np.float64).tiny


def _rmax(a, b):
    """Rust's f64::max: a NaN loses to a number."""
    return b if a != a or b > a else a


def _rmin(a, b):
    return b if a != a or b < a else a


def _seqsum(v):
    """The sum of v from left to right (Rust's Iterator::sum)."""
    return np.cumsum(v)[-1] if len(v) else np.float64(0.0)


def _enorm(v):
    """qr.rs enorm: the norm scaled by the largest magnitude (NaN skipped)."""
    v = np.asarray(v, dtype=np.float64)
    scale = np.fmax.reduce(np.abs(v)) if v.size else np.float64(0.0)
    if scale != scale:
        scale = np.float64(0.0)
    if scale == 0.0 or not np.isfinite(scale):
        return scale
    w = v / scale
    return scale * np.sqrt(_seqsum(w * w))


def _qrfac(a):
    """MINPACK's qrfac with column pivoting on a (m x n, m >= n), in place:
    returns (a, ipvt, rdiag, acnorm) in qr.rs's layout."""
    m, n = a.shape
    acnorm = np.array([_enorm(a[:, j]) for j in range(n)])
    rdiag, wa = acnorm.copy(), acnorm.copy()
    ipvt = list(range(n))
    for j in range(min(m, n)):
        kmax = j
        for k in range(j, n):
            if rdiag[k] > rdiag[kmax]:
                kmax = k
        if kmax != j:
            a[:, [j, kmax]] = a[:, [kmax, j]]
            rdiag[kmax] = rdiag[j]
            wa[kmax] = wa[j]
            ipvt[j], ipvt[kmax] = ipvt[kmax], ipvt[j]
        ajnorm = _enorm(a[j:, j])
        if ajnorm != 0.0:
            if a[j, j] < 0.0:
                ajnorm = -ajnorm
            a[j:, j] /= ajnorm
            a[j, j] += 1.0
            if j + 1 < n:
                # Each later column only reads column j and itself.
                sums = np.cumsum(a[j:, j : j + 1] * a[j:, j + 1 :], axis=0)[-1]
                temp = sums / a[j, j]
                a[j:, j + 1 :] -= temp[None, :] * a[j:, j : j + 1]
            for k in range(j + 1, n):
                if rdiag[k] != 0.0:
                    temp = a[j, k] / rdiag[k]
                    rdiag[k] *= np.sqrt(_rmax(1.0 - temp * temp, 0.0))
                    q = rdiag[k] / wa[k]
                    if 0.05 * (q * q) <= _EPS:
                        rdiag[k] = _enorm(a[j + 1 :, k])
                        wa[k] = rdiag[k]
        rdiag[j] = -ajnorm
    return a, ipvt, rdiag, acnorm


def _qt_times(a, b):
    """Q^T b (its first n entries) from qrfac's Householder vectors."""
    m, n = a.shape
    w = np.array(b, dtype=np.float64)
    for j in range(n):
        if a[j, j] != 0.0:
            s = _seqsum(a[j:, j] * w[j:])
            temp = -s / a[j, j]
            w[j:] += a[j:, j] * temp
    return w[:n]


def _r_of(a, rdiag):
    """R as a full n x n matrix."""
    n = a.shape[1]
    return np.triu(a[:n, :], 1) + np.diag(rdiag)


def _qrsolv(r, ipvt, diag, qtb):
    """MINPACK's qrsolv (qr.rs): the damped least-squares step; leaves S^T
    in r's strict lower triangle. Returns (x, sdiag)."""
    n = len(qtb)
    x = np.zeros(n)
    wa = np.array(qtb, dtype=np.float64)
    sdiag = np.zeros(n)
    for j in range(n):
        r[j:, j] = r[j, j:]
        x[j] = r[j, j]
    for j in range(n):
        l = ipvt[j]
        if diag[l] != 0.0:
            sdiag[j:] = 0.0
            sdiag[j] = diag[l]
            qtbpj = 0.0
            for k in range(j, n):
                sk = float(sdiag[k])
                if sk == 0.0:
                    continue
                rkk = float(r[k, k])
                if abs(rkk) < abs(sk):
                    cotan = rkk / sk
                    sin = 0.5 / np.sqrt(0.25 + 0.25 * cotan * cotan)
                    cos = sin * cotan
                else:
                    tan = sk / rkk
                    cos = 0.5 / np.sqrt(0.25 + 0.25 * tan * tan)
                    sin = cos * tan
                r[k, k] = cos * rkk + sin * sk
                temp = cos * wa[k] + sin * qtbpj
                qtbpj = -sin * wa[k] + cos * qtbpj
                wa[k] = temp
                rk, sd = r[k + 1 :, k].copy(), sdiag[k + 1 :].copy()
                r[k + 1 :, k] = cos * rk + sin * sd
                sdiag[k + 1 :] = -sin * rk + cos * sd
        sdiag[j] = r[j, j]
        r[j, j] = x[j]
    zero = np.flatnonzero(sdiag == 0.0)
    nsing = int(zero[0]) if zero.size else n
    wa[nsing:] = 0.0
    for j in range(nsing - 1, -1, -1):
        s = _seqsum(r[j + 1 : nsing, j] * wa[j + 1 : nsing])
        wa[j] = (wa[j] - s) / sdiag[j]
    x[ipvt] = wa
    return x, sdiag


def _lmpar(r, ipvt, diag, qtb, delta, par):
    """MINPACK's lmpar (qr.rs): the Levenberg-Marquardt parameter for the
    trust region delta, and the step. Returns (par, x)."""
    n = len(qtb)
    # The Gauss-Newton direction (least squares if R is singular).
    zero = np.flatnonzero(np.diag(r) == 0.0)
    nsing = int(zero[0]) if zero.size else n
    wa1 = np.zeros(n)
    wa1[:nsing] = qtb[:nsing]
    for j in range(nsing - 1, -1, -1):
        wa1[j] /= r[j, j]
        wa1[:j] -= r[:j, j] * wa1[j]
    x = np.zeros(n)
    x[ipvt] = wa1
    wa2 = diag * x
    dxnorm = _enorm(wa2)
    fp = dxnorm - delta
    if fp <= 0.1 * delta:
        return 0.0, x
    # A lower bound from the Newton step, when the Jacobian has full rank.
    parl = 0.0
    if nsing >= n:
        wa1 = diag[ipvt] * (wa2[ipvt] / dxnorm)
        for j in range(n):
            s = _seqsum(r[:j, j] * wa1[:j])
            wa1[j] = (wa1[j] - s) / r[j, j]
        temp = _enorm(wa1)
        parl = ((fp / delta) / temp) / temp
    # An upper bound.
    for j in range(n):
        wa1[j] = _seqsum(r[: j + 1, j] * qtb[: j + 1]) / diag[ipvt[j]]
    gnorm = _enorm(wa1)
    paru = gnorm / delta
    if paru == 0.0:
        paru = _DWARF / _rmin(delta, 0.1)
    par = _rmin(_rmax(par, parl), paru)
    if par == 0.0:
        par = gnorm / dxnorm
    it = 0
    while True:
        it += 1
        if par == 0.0:
            par = _rmax(_DWARF, 0.001 * paru)
        x, sdiag = _qrsolv(r, ipvt, np.sqrt(par) * diag, qtb)
        wa2 = diag * x
        dxnorm = _enorm(wa2)
        previous = fp
        fp = dxnorm - delta
        if abs(fp) <= 0.1 * delta or (parl == 0.0 and fp <= previous and previous < 0.0) or it == 10:
            break
        # Newton's correction.
        wa1 = diag[ipvt] * (wa2[ipvt] / dxnorm)
        for j in range(n):
            wa1[j] /= sdiag[j]
            wa1[j + 1 :] -= r[j + 1 :, j] * wa1[j]
        temp = _enorm(wa1)
        parc = ((fp / delta) / temp) / temp
        if fp > 0.0:
            parl = _rmax(parl, par)
        if fp < 0.0:
            paru = _rmin(paru, par)
        par = _rmax(parl, par + parc)
    return par, x


class _LmState:
    """lm.rs's Lm: the options, the evaluations so far and the scaling."""

    def __init__(self, n, ftol, xtol, gtol, factor, maxfev):
        self.ftol, self.xtol, self.gtol = ftol, xtol, gtol
        self.factor = np.float64(factor)
        self.maxfev = 1000 * (n + 1) if maxfev is None else int(maxfev)
        self.nfev = 0
        self.moved = False
        self.diag = None
        self.delta = np.float64(0.0)
        self.par = np.float64(0.0)


def _lm_step(s, x, fvec, jac, trial_norm):
    """One lm.rs step (one of lmder's outer iterations) from x with its
    residuals fvec and Jacobian jac (padded to n rows); trial_norm(x) is the
    norm of the residuals at x, inf where they are not finite. Returns
    (x, None to go on, or why it stopped)."""
    n = len(x)
    if s.nfev == 0:
        s.nfev = 1
    fnorm = _enorm(fvec)
    a, ipvt, rdiag, acnorm = _qrfac(jac)
    if s.diag is None:
        s.diag = np.where(acnorm == 0.0, 1.0, acnorm)
        xnorm = _enorm(x * s.diag)
        s.delta = s.factor if xnorm == 0.0 else s.factor * xnorm
        s.par = np.float64(0.0)
    qtf = _qt_times(a, fvec)
    r0 = _r_of(a, rdiag)
    # The largest cosine between the residuals and a Jacobian column.
    gnorm = np.float64(0.0)
    if fnorm != 0.0:
        for j in range(n):
            l = ipvt[j]
            if acnorm[l] != 0.0:
                total = _seqsum(r0[: j + 1, j] * (qtf[: j + 1] / fnorm))
                gnorm = _rmax(gnorm, abs(total / acnorm[l]))
    if gnorm <= s.gtol:
        return x, _LM_STOPS["gtol"]
    s.diag = np.fmax(s.diag, acnorm)
    while True:
        par, p = _lmpar(r0.copy(), ipvt, s.diag, qtf, s.delta, s.par)
        s.par = par
        step = -p
        trial = x + step
        pnorm = _enorm(step * s.diag)
        if not s.moved:
            s.delta = _rmin(s.delta, pnorm)
        fnorm1 = trial_norm(trial)
        s.nfev += 1
        q = fnorm1 / fnorm
        actred = 1.0 - q * q if 0.1 * fnorm1 < fnorm else -1.0
        # The reduction the linear model predicts.
        jp = np.zeros(n)
        for j in range(n):
            jp[: j + 1] += r0[: j + 1, j] * step[ipvt[j]]
        temp1 = _enorm(jp) / fnorm
        temp2 = np.sqrt(par) * pnorm / fnorm
        prered = temp1 * temp1 + temp2 * temp2 / 0.5
        dirder = -(temp1 * temp1 + temp2 * temp2)
        ratio = actred / prered if prered != 0.0 else 0.0
        if ratio <= 0.25:
            temp = 0.5 if actred >= 0.0 else 0.5 * dirder / (dirder + 0.5 * actred)
            if 0.1 * fnorm1 >= fnorm or temp < 0.1:
                temp = 0.1
            s.delta = temp * _rmin(s.delta, pnorm / 0.1)
            s.par /= temp
        elif s.par == 0.0 or ratio >= 0.75:
            s.delta = pnorm / 0.5
            s.par *= 0.5
        success = ratio >= 1e-4
        if success:
            x = trial
            s.moved = True
        xnorm = _enorm(x * s.diag)
        ftol_met = abs(actred) <= s.ftol and prered <= s.ftol and 0.5 * ratio <= 1.0
        xtol_met = s.delta <= s.xtol * xnorm
        if ftol_met or xtol_met:
            return x, _LM_STOPS["both" if ftol_met and xtol_met else "ftol" if ftol_met else "xtol"]
        if s.nfev >= s.maxfev:
            return x, _LM_STOPS["maxfev"]
        if (
            (abs(actred) <= _EPS and prered <= _EPS and 0.5 * ratio <= 1.0)
            or s.delta <= _EPS * xnorm
            or gnorm <= _EPS
        ):
            return x, _LM_STOPS["rounding"]
        if success:
            return x, None


def _lm(r, x, D, steps, target, tol, sign, every, verb, ftol=1e-14, xtol=1e-14, gtol=1e-14, factor=100.0, maxfev=None):
    """gradlang's `minimize with lm` (the driver of src/eval/minimize.rs
    around lm.rs's step): returns (x, steps run, stop) with stop 0 (ran every
    step), 1 (target), 2 (tol) or lm's own reason in gradlang's words."""
    res = jax.jit(r)
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    m = int(np.size(res(jnp.asarray(x), D)))
    # Forward mode when there are more residuals than params.
    jac = jax.jit(jax.jacfwd(r) if m >= n else jax.jacrev(r))
    state = _LmState(n, float(ftol), float(xtol), float(gtol), float(factor), maxfev)

    def residuals(x):
        return np.asarray(res(jnp.asarray(x), D), dtype=np.float64).reshape(-1)

    def trial_norm(x):
        v = residuals(x)
        # (_enorm's max would skip a NaN.)
        return _enorm(v) if np.all(np.isfinite(v)) else np.inf

    with np.errstate(all="ignore"):
        return _lm_run(state, x, n, m, residuals, trial_norm, jac, D, steps, target, tol, sign, every, verb)


def _lm_run(state, x, n, m, residuals, trial_norm, jac, D, steps, target, tol, sign, every, verb):
    k, last_good = 0, x
    while steps is None or k < steps:
        fvec = residuals(x)
        J = np.array(jac(jnp.asarray(x), D), dtype=np.float64).reshape(m, n)
        loss = _seqsum(fvec * fvec)
        grad = 2.0 * (J.T @ fvec)
        if not (np.isfinite(loss) and np.all(np.isfinite(grad))):
            # The driver's check: back to where the last step started.
            if k == 0:
                raise FloatingPointError("%s: the loss or its gradient is not finite at the initial params" % verb)
            return jnp.asarray(last_good), k, _NON_FINITE
        if every is not None and k % every == 0 and k > 0:
            print("%s step %d: loss %s" % (verb, k, _format(sign * loss)), flush=True)
        if target is not None and loss <= sign * target:
            return jnp.asarray(x), k, 1
        if tol is not None and bool(np.all(np.abs(grad) < tol)):
            return jnp.asarray(x), k, 2
        last_good = x
        if not np.all(np.isfinite(J)):
            # lm.rs's check on the Jacobian, inside the step.
            return jnp.asarray(x), k, _NON_FINITE
        if m < n:
            # MINPACK needs m >= n; zero rows change nothing.
            fvec = np.concatenate([fvec, np.zeros(n - m)])
            J = np.concatenate([J, np.zeros((n - m, n))])
        x, why = _lm_step(state, x, fvec, J, trial_norm)
        k += 1
        if why is not None:
            return jnp.asarray(x), k, why
    return jnp.asarray(x), k, 0


def _covariance(J, n, k):
    """fit.rs inverse_normal: (J^T J)^-1 (k x k) from a pivoted QR of J (n x k)
    with unit columns, NaN in the rows and columns of the entries the data
    cannot tell apart; those entries (sorted); and J's rank."""
    with np.errstate(all="ignore"):
        return _inverse_normal(np.asarray(J, dtype=np.float64).reshape(n, k), n, k)


def _inverse_normal(J, n, k):
    norms = np.array([_enorm(J[:, j]) for j in range(k)])
    scaled = np.zeros((max(n, k), k))
    for j in range(k):
        if norms[j] > 0.0:
            scaled[:n, j] = J[:, j] / norms[j]
    a, ipvt, rdiag, _ = _qrfac(scaled)
    r = _r_of(a, rdiag)
    top = abs(rdiag[0]) if k else 0.0
    rank = 0
    while rank < k and top > 0.0 and abs(rdiag[rank]) > 1e-10 * top:
        rank += 1
    # The columns in a null vector of each dependent column.
    dependent = []
    for j in range(rank, k):
        z = np.zeros(rank)
        for i in range(rank - 1, -1, -1):
            s = _seqsum(r[i, i + 1 : rank] * z[i + 1 : rank])
            z[i] = (r[i, j] - s) / r[i, i]
        size = 1.0
        for v in z:
            size = _rmax(size, abs(v))
        dependent.append(ipvt[j])
        dependent += [ipvt[i] for i in range(rank) if abs(z[i]) > 1e-6 * size]
    dependent = sorted(set(dependent))
    # R11^-1 (upper triangular), then P R11^-1 R11^-T P^T.
    inv = np.zeros((rank, rank))
    for c in range(rank):
        for i in range(c, -1, -1):
            e = 1.0 if i == c else 0.0
            s = _seqsum(r[i, i + 1 : c + 1] * inv[i + 1 : c + 1, c])
            inv[i, c] = (e - s) / r[i, i]
    cov = np.full((k, k), np.nan)
    for i in range(rank):
        for j in range(rank):
            p, q = ipvt[i], ipvt[j]
            if p in dependent or q in dependent:
                continue
            t = max(i, j)
            cov[p, q] = _seqsum(inv[i, t:rank] * inv[j, t:rank]) / (norms[p] * norms[q])
    return cov, dependent, rank
