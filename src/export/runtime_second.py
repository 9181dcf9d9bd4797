# ---- newton and lbfgs (src/export/runtime_second.py) -----------------------
# NOTE: these two are the closest JAX equivalents of gradlang's, not copies:
# their trajectories may differ from gradlang's in the last digits (newton:
# the same algorithm, but XLA's Hessian and sums round differently; lbfgs:
# optax.lbfgs, whose line search and stopping differ from torch.optim.LBFGS).


def _host_stop(x, g, loss, lo, hi, target, tol, sign):
    if target is not None and loss <= sign * target:
        return 1
    if tol is not None:
        blocked = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
        if bool(np.all(blocked | (np.abs(g) < tol))):
            return 2
    return 0


def _newton_direction(H, g, damping):
    """(H + tau I) d = -g with the smallest tried shift tau that makes the
    Cholesky factorisation succeed (src/optim/newton.rs)."""
    A = 0.5 * (H + H.T)
    diag = np.diag(A)
    beta = damping * max(1.0, float(np.max(np.abs(diag))))
    shift = 0.0 if diag.min() > 0 else beta - diag.min()
    n = len(g)
    for _ in range(200):
        try:
            if np.isnan(A).any():
                raise np.linalg.LinAlgError
            L = np.linalg.cholesky(A + shift * np.eye(n))
            z = np.linalg.solve(L, -g)
            return np.linalg.solve(L.T, z)
        except np.linalg.LinAlgError:
            shift = max(2.0 * shift, beta)
    return -g


def _newton(f, x, D, lo, hi, steps, target, tol, sign, every, verb, lr=1.0, damping=1e-8, max_ls=25):
    """A jitted loss, gradient and Hessian; the damped Newton step with
    gradlang's Armijo backtracking on the host (n is small for Newton)."""
    vg = jax.jit(jax.value_and_grad(f))
    hess = jax.jit(jax.hessian(f))
    lo, hi = np.asarray(lo), np.asarray(hi)
    x = np.asarray(x)
    k = 0
    while k < steps:
        loss, g = vg(jnp.asarray(x), D)
        loss, g = float(loss), np.asarray(g)
        if every is not None and k % every == 0 and k > 0:
            print("%s step %d: loss %s" % (verb, k, _format(sign * loss)), flush=True)
        stop = _host_stop(x, g, loss, lo, hi, target, tol, sign)
        if stop:
            return jnp.asarray(x), k, stop
        if np.max(np.abs(g)) == 0.0:
            return jnp.asarray(x), k + 1, 3
        d = _newton_direction(np.asarray(hess(jnp.asarray(x), D)), g, damping)
        gtd = float(g @ d)
        if np.isnan(gtd) or gtd >= 0:
            d, gtd = -g, -float(g @ g)
        alpha, status = lr, 4
        for _ in range(max_ls):
            trial = x + alpha * d
            if np.array_equal(trial, x):
                status = 3
                break
            if float(vg(jnp.asarray(trial), D)[0]) <= loss + 1e-4 * alpha * gtd:
                x, status = trial, 0
                break
            alpha *= 0.5
        x = np.clip(x, lo, hi)
        k += 1
        if status:
            return jnp.asarray(x), k, status
    return jnp.asarray(x), k, 0


def _lbfgs(f, x, D, lo, hi, steps, target, tol, sign, lr=1.0, max_iter=20, max_eval=None,
           tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100, line_search="none"):
    """optax.lbfgs; one gradlang step is up to `max_iter` of its iterations."""
    # optax's zoom line search (strong Wolfe) also for torch's "none": a
    # fixed step without one is not what optax's lbfgs is made for.
    tx = optax.lbfgs(memory_size=int(history_size))
    fx = lambda x: f(x, D)  # noqa: E731

    @jax.jit
    def iterate(x, s, D):
        fx = lambda x: f(x, D)  # noqa: E731
        value, g = optax.value_and_grad_from_state(fx)(x, state=s)
        u, s = tx.update(g, s, x, value=value, grad=g, value_fn=fx)
        return x + u, s, value, g

    s = tx.init(x)
    lo, hi = jnp.asarray(lo), jnp.asarray(hi)
    k = 0
    while k < steps:
        value, g = jax.value_and_grad(fx)(x)
        stop = _host_stop(np.asarray(x), np.asarray(g), float(value), np.asarray(lo), np.asarray(hi), target, tol, sign)
        if stop:
            return x, k, stop
        if float(jnp.max(jnp.abs(g))) <= tolerance_grad:
            return x, k + 1, 3
        for _ in range(int(max_iter)):
            x_new, s, value, g = iterate(x, s, D)
            x_new = jnp.clip(x_new, lo, hi)
            moved = float(jnp.max(jnp.abs(x_new - x)))
            x = x_new
            if moved <= tolerance_change or float(jnp.max(jnp.abs(g))) <= tolerance_grad:
                return x, k + 1, 3
        k += 1
    return x, k, 0
