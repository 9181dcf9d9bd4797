# ---- lbfgs (src/export/runtime_lbfgs.py) ------------------------------------
# src/optim/lbfgs.rs, strong_wolfe.rs, lbfgs_b.rs and bounds.rs, on the
# host; the shared arithmetic helpers are in runtime_second.py.
_C1, _C2, _MAX_SHRINKS, _MAX_HALVINGS, _MIN_CURVATURE = 1e-4, 0.9, 60, 60, 1e-10
_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's split of a double into halves
_NON_FINITE = "a non-finite value; the params keep their last finite values"
_NO_BETTER = "the line search found no better point"


class _NonFinite(Exception):
    """A NaN or Inf where gradlang's objective fails rather than lets the
    optimizer shrink its step (the driver's `Stop::NonFinite`)."""


def _fma(a, b, c):
    """a * b + c rounded once, as Rust's mul_add (kernels.rs's add_scaled):
    the exact product as a sum of two doubles (Dekker), added to c with the
    sum's rounding error kept (Knuth). Correctly rounded but for rare
    near-ties; a * b + c where the halves overflow."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    p = a * b
    ah = a * _SPLIT
    ah = ah - (ah - a)
    bh = b * _SPLIT
    bh = bh - (bh - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    z = s - p
    r = s + (((p - (s - z)) + (c - z)) + e)
    return np.where(np.isfinite(r), r, p + c)


class _Len:
    """strong_wolfe.rs's Len: a step length, and whether torch holds it as a
    0-d tensor (`float / tensor` then rounds twice)."""

    def __init__(self, v, tensor=False):
        self.v, self.tensor = np.float64(v), tensor

    def __add__(self, o):
        return _Len(self.v + o.v, self.tensor or o.tensor)

    def __sub__(self, o):
        return _Len(self.v - o.v, self.tensor or o.tensor)

    def __mul__(self, k):
        return _Len(self.v * k, self.tensor)


def _py_max(a, b):
    return b if b.v > a.v else a


def _py_min(a, b):
    return b if b.v < a.v else a


def _cubic(p1, p2, bounds=None):
    """Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped
    to `bounds` (default: between x1 and x2); the midpoint without one."""
    (x1, f1, g1), (x2, f2, g2) = p1, p2
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1.v <= x2.v else (x2, x1))
    dx = x1 - x2
    secant = (1.0 / dx.v) * (3.0 * (f1 - f2)) if dx.tensor else 3.0 * (f1 - f2) / dx.v
    d1 = g1 + g2 - secant
    d2_square = d1 * d1 - g1 * g2
    if not d2_square >= 0.0:
        return (lo + hi) * 0.5
    d2 = np.sqrt(d2_square)
    if x1.v <= x2.v:
        m = x2.v - (x2.v - x1.v) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
    else:
        m = x1.v - (x1.v - x2.v) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
    return _py_min(_py_max(_Len(m, True), lo), hi)


class _Pt:
    """A trial point of the line search: step, loss, gradient, slope."""

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _search(obj, x, d, t, f, g, gtd, max_ls, tolerance_change=1e-9):
    """torch's _strong_wolfe as strong_wolfe.rs has it: (point, evaluations)."""
    d_norm = _abs_max(d)
    evals = 0

    def at(t, toward):
        # A NaN or Inf trial moves halfway back towards `toward`.
        nonlocal evals
        for shrink in range(_MAX_SHRINKS + 1):
            evals += 1
            got = obj(_fma(t.v, d, x), shrink == _MAX_SHRINKS)
            if got is not None:
                return _Pt(t, got[0], got[1], _kdot(got[1], d))
            t = toward + (t - toward) * 0.5

    start = _Pt(_Len(0.0), f, g, gtd)

    def armijo_fails(p):
        return p.f > f + _C1 * p.t.v * gtd

    def curvature_holds(p):
        return abs(p.gtd) <= -_C2 * gtd

    new, prev, ls_iter = at(t, start.t), start, 0
    while True:
        if ls_iter == max_ls:
            b = [start, new]
            break
        if armijo_fails(new) or (ls_iter > 1 and new.f >= prev.f):
            b = [prev, new]
            break
        if curvature_holds(new):
            return new, evals
        if new.gtd >= 0.0:
            b = [prev, new]
            break
        t = new.t
        nxt = _cubic((prev.t, prev.f, prev.gtd), (t, new.f, new.gtd), (t + (t - prev.t) * 0.01, t * 10.0))
        prev = new
        new = at(nxt, prev.t)
        ls_iter += 1

    def order():
        return (0, 1) if b[0].f <= b[1].f else (1, 0)

    low, high = order()
    insufficient_progress = False
    while ls_iter < max_ls:
        if abs(b[1].t.v - b[0].t.v) * d_norm < tolerance_change:
            break
        t = _cubic((b[0].t, b[0].f, b[0].gtd), (b[1].t, b[1].f, b[1].gtd))
        top, bottom = _py_max(b[0].t, b[1].t), _py_min(b[0].t, b[1].t)
        eps = (top - bottom) * 0.1
        if _py_min(top - t, t - bottom).v < eps.v:
            if insufficient_progress or t.v >= top.v or t.v <= bottom.v:
                t = top - eps if abs(t.v - top.v) < abs(t.v - bottom.v) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = at(t, b[low].t)
        ls_iter += 1
        if armijo_fails(new) or new.f >= b[low].f:
            b[high] = new
            low, high = order()
        else:
            done = curvature_holds(new)
            if not done and new.gtd * (b[high].t.v - b[low].t.v) >= 0.0:
                b[high] = b[low]
            b[low] = new
            if done:
                break
    return b[low], evals


class _History:
    """The curvature pairs (oldest first) and the two-loop recursion."""

    def __init__(self, size):
        self.size = size
        self.clear()

    def clear(self):
        self.dirs, self.stps, self.ro, self.h_diag = [], [], [], np.float64(1.0)

    def push(self, y, s):
        ys = _kdot(y, s)
        if ys > _MIN_CURVATURE:
            if len(self.dirs) == self.size and self.dirs:
                del self.dirs[0], self.stps[0], self.ro[0]
            self.h_diag = ys / _kdot(y, y)
            self.dirs.append(y)
            self.stps.append(s)
            self.ro.append(1.0 / ys)

    def direction(self, g):
        """-H g."""
        q = -g
        al = [None] * len(self.dirs)
        for i in reversed(range(len(al))):
            al[i] = _kdot(self.stps[i], q) * self.ro[i]
            q = _fma(-al[i], self.dirs[i], q)
        r = q * self.h_diag
        for i, a in enumerate(al):
            r = _fma(a - _kdot(self.dirs[i], r) * self.ro[i], self.stps[i], r)
        return r


def _small_gradient(tol):
    return "every gradient entry within tolerance_grad %s" % _format(tol)


class _Lbfgs:
    """lbfgs.rs's state across steps; `step` is one torch LBFGS.step."""

    def __init__(self, lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size, strong_wolfe):
        self.lr, self.max_iter, self.max_eval = lr, max_iter, max_eval
        self.tolerance_grad, self.tolerance_change = tolerance_grad, tolerance_change
        self.strong_wolfe, self.n_iter, self.t = strong_wolfe, 0, 0.0
        self.d = self.prev_flat_grad = None
        self.history = _History(history_size)

    def step(self, x, loss, g, obj):
        """(new x, 0 or the stop's words)."""
        if _abs_max(g) <= self.tolerance_grad:
            return x, _small_gradient(self.tolerance_grad)
        current_evals, moved, n_iter = 1, False, 0
        while n_iter < self.max_iter:
            n_iter += 1
            self.n_iter += 1
            first = self.n_iter == 1
            if first:
                self.history.clear()
                self.d = -g
            else:
                self.history.push(g - self.prev_flat_grad, self.d * self.t)
                self.d = self.history.direction(g)
            self.prev_flat_grad, prev_loss = g, loss
            if first:
                inv = 1.0 / _sum(np.abs(g))
                t = _Len((inv if inv < 1.0 else 1.0) * self.lr, bool(inv < 1.0))
            else:
                t = _Len(self.lr)
            self.t = t.v
            gtd = _kdot(g, self.d)
            if gtd > -self.tolerance_change:
                break
            evals, opt_cond = 0, False
            if self.strong_wolfe:
                budget = max(self.max_eval - current_evals, 0)
                p, evals = _search(obj, x, self.d, t, loss, g, gtd, budget)
                self.t, loss, g = p.t.v, p.f, p.g
                x = _fma(self.t, self.d, x)
                opt_cond = _abs_max(g) <= self.tolerance_grad
            else:
                x = _fma(self.t, self.d, x)
                # The last iteration's loss would go unused: torch skips it.
                if n_iter != self.max_iter:
                    loss, g = obj(x, True)
                    opt_cond = _abs_max(g) <= self.tolerance_grad
                    evals = 1
            moved = True
            current_evals += evals
            if (
                n_iter == self.max_iter
                or current_evals >= self.max_eval
                or opt_cond
                or bool(np.all(np.abs(self.d * self.t) <= self.tolerance_change))
                or abs(loss - prev_loss) < self.tolerance_change
            ):
                break
        return x, 0 if moved else _CONVERGED


class _Projected:
    """lbfgs_b.rs: the projected iteration that replaces torch's with bounds;
    `s` is the _Lbfgs whose options it reads."""

    def __init__(self, lo, hi, history):
        self.lo, self.hi, self.history = lo, hi, history

    def blocked(self, x, g):
        return ((x <= self.lo) & (g > 0.0)) | ((x >= self.hi) & (g < 0.0))

    def projected_gradient(self, x, g):
        return np.where(self.blocked(x, g), 0.0, g)

    def project(self, v):
        return np.where(v < self.lo, self.lo, np.where(v > self.hi, self.hi, v))

    def step(self, s, x, loss, g, obj):
        at = (x, loss, g)
        if _abs_max(self.projected_gradient(x, g)) <= s.tolerance_grad:
            return x, _small_gradient(s.tolerance_grad)
        evals, moved, stalled = 1, False, False
        for _ in range(s.max_iter):
            nxt, used = self.iterate(s, at, max(s.max_eval - evals, 1), obj)
            if nxt is None and self.history.ro:
                # The quasi-Newton direction failed: steepest descent.
                evals += used
                self.history.clear()
                nxt, used = self.iterate(s, at, max(s.max_eval - evals, 1), obj)
            evals += used
            if nxt is None:
                stalled = True
                break
            step = nxt[0] - at[0]
            change = abs(nxt[1] - at[1])
            self.history.push(nxt[2] - at[2], step)
            at, moved = nxt, True
            if (
                evals >= s.max_eval
                or _abs_max(self.projected_gradient(at[0], at[2])) <= s.tolerance_grad
                or _abs_max(step) <= s.tolerance_change
                or change < s.tolerance_change
            ):
                break
        return at[0], 0 if moved else (_NO_BETTER if stalled else _CONVERGED)

    def iterate(self, s, at, budget, obj):
        """One iteration: (accepted (x, loss, g) or None, evaluations)."""
        x, f, g = at
        pg = self.projected_gradient(x, g)
        fresh = not self.history.ro
        d = -pg if fresh else self.history.direction(pg)
        leaving = ((x <= self.lo) & (d < 0.0)) | ((x >= self.hi) & (d > 0.0))
        d = np.where(self.blocked(x, g) | leaving, 0.0, d)
        gtd = _kdot(g, d)
        if np.isnan(gtd) or gtd > -s.tolerance_change:
            return None, 0
        t = np.fmin(1.0 / _sum(np.abs(pg)), 1.0) * s.lr if fresh else np.float64(s.lr)
        used = 0
        for _ in range(min(_MAX_HALVINGS, budget)):
            trial = self.project(x + t * d)
            if np.array_equal(trial, x):
                break
            used += 1
            got = obj(trial, False)
            if got is not None and got[0] <= f + _C1 * _kdot(g, trial - x):
                return (trial, got[0], got[1]), used
            t *= 0.5
        return None, used


def _lbfgs(f, x, D, lo, hi, steps, target, tol, sign, every, verb, lr=1.0, max_iter=20, max_eval=None,
           tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100, line_search="none", lrs=None):
    """gradlang's lbfgs (torch's LBFGS; with bounds, lbfgs_b.rs's projected
    iteration): a jitted loss and gradient, the rest on the host. `lrs`:
    the learning rate of every step (a schedule), else `lr`. Returns (x,
    steps, stop): stop 0, 1 (target), 2 (tol) or lbfgs's reason in words."""
    vg = jax.jit(jax.value_and_grad(f), compiler_options=_UNFUSED)

    def obj(x, strict):
        """Loss and gradient at x, None if either is not finite (a trial
        point's), or _NonFinite when `strict` (gradlang's eval)."""
        loss, g = vg(jnp.asarray(x), D)
        loss, g = np.float64(loss), np.asarray(g, dtype=np.float64)
        if np.isfinite(loss) and np.all(np.isfinite(g)):
            return loss, g
        if strict:
            raise _NonFinite("the loss or its gradient is NaN or Inf")
        return None

    max_iter = int(max_iter)
    opt = _Lbfgs(
        None if lrs is not None else lr,
        max_iter,
        max_iter * 5 // 4 if max_eval is None else int(max_eval),
        tolerance_grad,
        tolerance_change,
        int(history_size),
        line_search == "strong_wolfe",
    )
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    bounded = _Projected(lo, hi, _History(int(history_size))) if np.any(np.isfinite(lo) | np.isfinite(hi)) else None
    x = np.array(x, dtype=np.float64)
    last_good = x
    k = 0
    # An Inf or NaN in the arithmetic is Rust's, not an error to report.
    with np.errstate(all="ignore"):
        while k < steps:
            try:
                loss, g = obj(x, True)
            except _NonFinite:
                if k == 0:
                    raise
                return jnp.asarray(last_good), k, _NON_FINITE
            if every is not None and k % every == 0 and k > 0:
                print("%s step %d: loss %s" % (verb, k, _format(sign * loss)), flush=True)
            stop = _host_stop(x, g, loss, lo, hi, target, tol, sign)
            if stop:
                return jnp.asarray(x), k, stop
            last_good = x
            if lrs is not None:
                opt.lr = np.float64(lrs[k])
            try:
                x, status = bounded.step(opt, x, loss, g, obj) if bounded else opt.step(x, loss, g, obj)
            except _NonFinite:
                return jnp.asarray(last_good), k, _NON_FINITE
            x = np.where(x < lo, lo, np.where(x > hi, hi, x))
            k += 1
            if status:
                return jnp.asarray(x), k, status
    return jnp.asarray(x), k, 0
