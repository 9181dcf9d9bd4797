# ---- newton and lbfgs (src/export/runtime_second.py, runtime_lbfgs.py) ------
# NOTE: both are gradlang's own algorithms ported line by line to numpy on
# the host, with the loss and its derivatives jitted: newton is the trust
# region of src/optim/newton.rs and trust_subproblem.rs; lbfgs is torch's
# LBFGS as src/optim/lbfgs.rs and strong_wolfe.rs have it (with bounds,
# the projected iteration of lbfgs_b.rs). They take the same steps and stop
# for the same reasons as gradlang. Only the rounding of the loss and its
# derivatives can differ from gradlang's tape (lbfgs compiles them without
# fused multiply-adds, so on small problems they agree to the bit): the
# params agree to their last digits, and a newton run may take a step more
# or less where a decision rests on the loss's rounding (in its last steps).


# XLA's CPU backend lets LLVM fuse a * b + c into one rounding; at
# optimization level 0 it does not, and the jitted loss and derivatives
# round as gradlang's tape does (each operation once). L-BFGS carries a
# last-bit difference from step to step (on Rosenbrock it grows to 1e-9 in
# 20 steps), so its loss and gradient are compiled so. (newton's are not:
# in examples/gp.gl that moved its stop from 7 steps to 9, against
# gradlang's 8.) Unfused code runs about half as fast:
# GRADLANG_EXPORT_FUSE=1 trades the last bits for the speed.
_UNFUSED = {} if os.environ.get("GRADLANG_EXPORT_FUSE") == "1" else {"xla_backend_optimization_level": 0}


def _host_stop(x, g, loss, lo, hi, target, tol, sign):
    if target is not None and loss <= sign * target:
        return 1
    if tol is not None:
        blocked = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
        if bool(np.all(blocked | (np.abs(g) < tol))):
            return 2
    return 0


# -- the arithmetic of src/optim/, in its order, so the host rounds as it does
# (np.fmax and np.fmin are Rust's f64::max and min: a NaN loses)


def _sum(v):
    """Left to right, as Rust's `.sum()` (cumsum accumulates in order). A
    numpy scalar, as every number below: a division by zero gives an Inf or
    a NaN, as in Rust, not a Python exception."""
    return np.cumsum(v)[-1] if len(v) else np.float64(0.0)


def _dot(a, b):
    """trust_subproblem.rs's dot: left to right."""
    return _sum(np.asarray(a) * np.asarray(b))


def _norm(v):
    return np.sqrt(_dot(v, v))


def _kdot(a, b):
    """kernels.rs's dot: eight accumulators, combined pairwise."""
    prod = np.asarray(a) * np.asarray(b)
    acc = np.zeros(8)
    for i in range(0, len(prod), 8):
        row = prod[i : i + 8]
        acc[: len(row)] += row
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))


def _abs_max(v):
    """kernels.rs's abs_max: 0 when empty, NaN when any entry is NaN."""
    return np.max(np.abs(v), initial=0.0)


# -- the trust-region subproblem (src/optim/trust_subproblem.rs) --------------
_K_EASY, _K_HARD, _SUB_MAX_ITER, _UPDATE_COEFF = 0.1, 0.2, 25, 0.01


def _cholesky_upper(a, shift):
    """U with U'U = A + shift I and None, or the partial U and the index of
    the first non-positive pivot."""
    n = a.shape[0]
    u = np.zeros((n, n))
    for j in range(n):
        for i in range(j):
            u[i, j] = (a[i, j] - _dot(u[:i, i], u[:i, j])) / u[i, i]
        d = a[j, j] + shift - _dot(u[:j, j], u[:j, j])
        if not d > 0.0:
            return u, j
        u[j, j] = np.sqrt(d)
    return u, None


def _singular_leading_submatrix(a, shift, u, k):
    """delta and v: adding delta to entry (k, k) of A + shift I makes its
    leading block singular, with v'Bv = 0."""
    n = a.shape[0]
    delta = _sum(u[:k, k] * u[:k, k]) - (a[k, k] + shift)
    v = np.zeros(n)
    v[k] = 1.0
    for i in range(k - 1, -1, -1):
        v[i] = (-u[i, k] - _dot(u[i, i + 1 : k], v[i + 1 : k])) / u[i, i]
    return delta, v


def _solve_lower_t(u, b):
    """U'y = b, forward."""
    y = np.zeros(len(b))
    for i in range(len(b)):
        y[i] = (b[i] - _dot(u[:i, i], y[:i])) / u[i, i]
    return y


def _solve_upper(u, b):
    """U x = b, backward."""
    n = len(b)
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - _dot(u[i, i + 1 :], x[i + 1 :])) / u[i, i]
    return x


def _smallest_singular_value(u):
    """Cline, Moler, Stewart & Wilkinson's estimate of U's smallest
    singular value and its right singular vector."""
    n = u.shape[0]
    p, w = np.zeros(n), np.zeros(n)
    for k in range(n):
        ukk = u[k, k]
        wp, wm = (1.0 - p[k]) / ukk, (-1.0 - p[k]) / ukk

        def grow(wk):
            return _sum(np.abs(p[k + 1 :] + u[k, k + 1 :] * wk))

        wk = wp if abs(wp) + grow(wp) >= abs(wm) + grow(wm) else wm
        w[k] = wk
        p[k + 1 :] += u[k, k + 1 :] * wk
    v = _solve_upper(u, w)
    v_norm = _norm(v)
    return _norm(w) / v_norm, v / v_norm


def _boundary_intersections(z, d, radius):
    """The two t with |z + t d| = radius, smaller first."""
    a = _dot(d, d)
    b = 2.0 * _dot(z, d)
    c = _dot(z, z) - radius * radius
    root = np.sqrt(np.fmax(b * b - 4.0 * a * c, 0.0))
    aux = b + np.copysign(root, b)
    ta, tb = -aux / (2.0 * a), -2.0 * c / aux
    return (ta, tb) if ta <= tb else (tb, ta)


def _mat_vec(h, v):
    return np.array([_dot(h[i], v) for i in range(h.shape[0])])


class _Subproblem:
    """The model g.p + p'Hp/2 at one point, minimized over |p| <= radius."""

    def __init__(self, h, g):
        n = len(g)
        h = 0.5 * (h + h.T) if np.all(np.isfinite(h)) else np.zeros((n, n))
        abs_rows = np.array([_sum(np.abs(h[i])) for i in range(n)])
        diag = np.diag(h)
        self.n, self.h, self.g = n, h, np.array(g, dtype=np.float64)
        self.gershgorin = (
            np.fmin.reduce(diag + np.abs(diag) - abs_rows, initial=np.inf),
            np.fmax.reduce(diag - np.abs(diag) + abs_rows, initial=-np.inf),
        )
        self.h_inf = np.fmax.reduce(abs_rows, initial=0.0)
        self.h_fro = _norm(h.reshape(-1))
        self.close_to_zero = n * np.finfo(np.float64).eps * self.h_inf
        self.g_norm = _norm(self.g)
        self.last = None

    def solve(self, radius):
        """The step for `radius`, and whether it lies on the boundary."""
        h, g, g_norm = self.h, self.g, self.g_norm
        gl, gu = self.gershgorin
        ub = np.fmax(g_norm / radius + np.fmin(np.fmin(-gl, self.h_fro), self.h_inf), 0.0)
        min_diag = np.fmin.reduce(np.diag(h), initial=np.inf)
        lb = np.fmax(np.fmax(-min_diag, g_norm / radius - np.fmin(np.fmin(gu, self.h_fro), self.h_inf)), 0.0)
        if self.last is not None and radius < self.last[0]:
            lb = np.fmax(lb, self.last[1])

        def safeguard(lb, ub):
            return np.fmax(np.sqrt(abs(lb * ub)), lb + _UPDATE_COEFF * (ub - lb))

        lam = 0.0 if lb == 0.0 else safeguard(lb, ub)
        # Steepest descent to the boundary if nothing better is found.
        p = -g * radius / np.fmax(g_norm, np.finfo(np.float64).tiny)
        hits_boundary = True
        factor = None
        for _ in range(_SUB_MAX_ITER):
            if factor is not None:
                u, bad = factor, None
                factor = None
            else:
                u, bad = _cholesky_upper(h, lam)
            if bad is None and g_norm > self.close_to_zero:
                step = _solve_upper(u, _solve_lower_t(u, -g))
                p_norm = _norm(step)
                if p_norm <= radius and lam == 0.0:
                    p, hits_boundary = step, False
                    break
                w_norm = _norm(_solve_lower_t(u, step))
                q = p_norm / w_norm
                lam_new = lam + q * q * (p_norm - radius) / radius
                if p_norm < radius:
                    # Inside: complete the step along the lowest singular
                    # vector, if that is nearly optimal.
                    s_min, z = _smallest_singular_value(u)
                    ta, tb = _boundary_intersections(step, z, radius)
                    t = ta if abs(ta) < abs(tb) else tb
                    quadratic = _dot(step, _mat_vec(h, step)) + lam * _dot(step, step)
                    relative_error = t * t * s_min * s_min / (quadratic + lam * radius * radius)
                    p = step
                    if relative_error <= _K_HARD:
                        p = p + t * z
                        break
                    ub = lam
                    lb = np.fmax(lb, lam - s_min * s_min)
                    u_new, bad_new = _cholesky_upper(h, lam_new)
                    if bad_new is None:
                        lam, factor = lam_new, u_new
                    else:
                        lb = np.fmax(lb, lam_new)
                        lam = safeguard(lb, ub)
                else:
                    p = step
                    if abs(p_norm - radius) / radius <= _K_EASY:
                        break
                    lb, lam = lam, lam_new
            elif bad is None:
                # g is (numerically) zero: step along the lowest singular
                # vector, if H + lam I is nearly singular.
                if lam == 0.0:
                    p, hits_boundary = np.zeros(self.n), False
                    break
                s_min, z = _smallest_singular_value(u)
                p = z * radius
                if radius * radius * s_min * s_min <= _K_HARD * lam * radius * radius:
                    break
                ub = lam
                lb = np.fmax(lb, lam - s_min * s_min)
                lam = safeguard(lb, ub)
            else:
                # The leading block is not positive definite: lam must
                # exceed lam + delta / |v|^2.
                delta, v = _singular_leading_submatrix(h, lam, u, bad)
                lb = np.fmax(lb, lam + delta / _dot(v, v))
                lam = safeguard(lb, ub)
            if not np.isfinite(lam):
                break
        self.last = (radius, lb)
        return p, hits_boundary


# -- newton (src/optim/newton.rs) and its driver (src/eval/minimize.rs) -------
_MAX_TRIALS = 200
_ROUNDING = 16.0 * np.finfo(np.float64).eps
_CONVERGED = "converged, no further progress possible"


def _newton(f, x, D, lo, hi, steps, target, tol, sign, every, verb, radius=1.0, max_radius=1e10, eta=0.15, gtol=1e-10):
    """gradlang's trust-region Newton: a jitted loss, gradient and Hessian;
    the subproblem and the trust region on the host (n is small for
    Newton). Returns (x, steps, stop): stop 0, 1 (target), 2 (tol) or the
    words of newton's own reason."""
    vg = jax.jit(jax.value_and_grad(f))
    hess = jax.jit(jax.hessian(f))

    def at(x):
        loss, g = vg(jnp.asarray(x), D)
        return float(loss), np.asarray(g, dtype=np.float64)

    lo, hi = np.asarray(lo), np.asarray(hi)
    x = np.array(x, dtype=np.float64)
    n = len(x)
    # Unbounded entries have infinite bounds: they are never blocked and
    # never projected, as when newton.rs has no Bounds.
    loss, g = at(x)
    k = 0
    while k < steps:
        if every is not None and k % every == 0 and k > 0:
            print("%s step %d: loss %s" % (verb, k, _format(sign * loss)), flush=True)
        stop = _host_stop(x, g, loss, lo, hi, target, tol, sign)
        if stop:
            return jnp.asarray(x), k, stop
        k += 1
        # One step of newton.rs.
        free = np.flatnonzero(~(((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))))
        g_free = g[free]
        if _abs_max(g_free) <= gtol:
            return jnp.asarray(x), k, "every gradient entry within gtol %s" % _format(gtol)
        # An Inf or NaN in the arithmetic is Rust's, not an error to report.
        with np.errstate(all="ignore"):
            H = np.asarray(hess(jnp.asarray(x), D), dtype=np.float64).reshape(n, n)
            model = _Subproblem(H[np.ix_(free, free)], g_free)
            moved = False
            for _ in range(_MAX_TRIALS):
                p, hits_boundary = model.solve(radius)
                trial = x.copy()
                trial[free] += p
                trial = np.clip(trial, lo, hi)
                if np.array_equal(trial, x):
                    # The step no longer changes x at this precision.
                    break
                s = trial - x
                hs = np.array([_kdot(H[i], s) for i in range(n)])
                predicted = -(_kdot(g, s) + 0.5 * _kdot(s, hs))
                f_t, g_t = at(trial)
                finite = bool(np.isfinite(f_t)) and bool(np.all(np.isfinite(g_t)))
                if finite and predicted > 0.0 and predicted <= _ROUNDING * abs(loss):
                    # Below the loss's rounding the values cannot judge the
                    # model; a smaller gradient can (the last Newton steps).
                    better = _abs_max(g_t) < _abs_max(g) and f_t <= loss + _ROUNDING * abs(loss)
                    ratio = 1.0 if better else -np.inf
                elif finite and predicted > 0.0:
                    ratio = (loss - f_t) / predicted
                else:
                    # A NaN or Inf, or a model that promises nothing.
                    ratio = -np.inf
                if ratio < 0.25:
                    radius *= 0.25
                elif ratio > 0.75 and hits_boundary:
                    radius = np.fmin(2.0 * radius, max_radius)
                if ratio > eta:
                    x, loss, g, moved = trial, f_t, g_t, True
                    break
        if not moved:
            return jnp.asarray(x), k, _CONVERGED
    return jnp.asarray(x), k, 0
