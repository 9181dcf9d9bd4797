# ---- minimize (src/export/runtime_optim.py) --------------------------------
# Each optimizer is a pair (init(x), update(x, g, state) -> (x, state)) on the
# flat vector of the params the loss reaches, as gradlang's src/optim/ works.
# optax where its rule is torch's; written out here where it is not.


def _optax(tx):
    def update(x, g, s):
        u, s = tx.update(g, s, x)
        return x + u, s

    return tx.init, update


def _decayed(wd, tx):
    """torch's coupled weight decay: grad + wd * param, before the rule."""
    return optax.chain(optax.add_decayed_weights(wd), tx) if wd else tx


def _opt_sgd(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=0, weight_decay=0.0):
    if dampening == 0.0:
        # optax's trace starts from zeros, so its first buffer is the
        # gradient itself, as torch's is.
        return _optax(
            _decayed(weight_decay, optax.sgd(lr, momentum or None, nesterov=bool(nesterov)))
        )

    # optax has no dampening: torch's rule, buffer = grad at the first step.
    def init(x):
        return (jnp.zeros_like(x), jnp.asarray(True))

    def update(x, g, s):
        buf, first = s
        g = g + weight_decay * x
        buf = jnp.where(first, g, momentum * buf + (1.0 - dampening) * g)
        return x - lr * buf, (buf, jnp.asarray(False))

    return init, update


def _opt_adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=0, decoupled=False):
    if not amsgrad:
        if decoupled:
            # optax's default weight decay is 1e-4; torch's (and gradlang's) 1e-2
            # arrives here explicitly.
            return _optax(optax.adamw(lr, beta1, beta2, eps, weight_decay=weight_decay))
        return _optax(_decayed(weight_decay, optax.adam(lr, beta1, beta2, eps)))

    # optax.amsgrad keeps the maximum of the bias-corrected second moment;
    # torch keeps the maximum of the raw one and corrects afterwards.
    def init(x):
        z = jnp.zeros_like(x)
        return (z, z, z, jnp.asarray(0.0))

    def update(x, g, s):
        m, v, vmax, t = s
        t = t + 1.0
        if decoupled:
            x = x * (1.0 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * x
        m = m + (1.0 - beta1) * (g - m)
        v = beta2 * v + (1.0 - beta2) * g * g
        vmax = jnp.maximum(vmax, v)
        denom = jnp.sqrt(vmax) / jnp.sqrt(1.0 - beta2**t) + eps
        return x + (-lr / (1.0 - beta1**t)) * m / denom, (m, v, vmax, t)

    return init, update


def _opt_adamw(weight_decay=1e-2, **kw):
    return _opt_adam(weight_decay=weight_decay, decoupled=True, **kw)


def _opt_nadam(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3):
    # optax.nadam has no momentum-decay schedule mu_t: torch's rule.
    def mu(t):
        return beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))

    def init(x):
        z = jnp.zeros_like(x)
        return (z, z, jnp.asarray(0.0), jnp.asarray(1.0))

    def update(x, g, s):
        m, v, t, mu_product = s
        t = t + 1.0
        if weight_decay:
            g = g + weight_decay * x
        bc2 = 1.0 - beta2**t
        mu_t, mu_next = mu(t), mu(t + 1.0)
        mu_product = mu_product * mu_t
        m = m + (1.0 - beta1) * (g - m)
        v = beta2 * v + (1.0 - beta2) * g * g
        denom = jnp.sqrt(v / bc2) + eps
        x = x + ((-lr * (1.0 - mu_t)) / (1.0 - mu_product)) * g / denom
        x = x + ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * m / denom
        return x, (m, v, t, mu_product)

    return init, update


def _opt_rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=0, weight_decay=0.0):
    if not centered:
        # torch: eps outside the square root, no bias correction.
        tx = optax.rmsprop(lr, decay=alpha, eps=eps, eps_in_sqrt=False, momentum=momentum or None)
        return _optax(_decayed(weight_decay, tx))

    # Centered: torch's rule written out (the variance, then eps outside sqrt).
    def init(x):
        z = jnp.zeros_like(x)
        return (z, z, z)

    def update(x, g, s):
        sq, avg, buf = s
        if weight_decay:
            g = g + weight_decay * x
        sq = alpha * sq + (1.0 - alpha) * g * g
        avg = avg + (1.0 - alpha) * (g - avg)
        denom = jnp.sqrt(sq - avg * avg) + eps
        if momentum > 0:
            buf = momentum * buf + g / denom
            return x - lr * buf, (sq, avg, buf)
        return x + (-lr * g) / denom, (sq, avg, buf)

    return init, update


def _opt_adagrad(lr=1e-2, lr_decay=0.0, eps=1e-10, initial_accumulator_value=0.0, weight_decay=0.0):
    # optax.adagrad puts eps inside the square root: torch's rule.
    def init(x):
        return (jnp.full_like(x, initial_accumulator_value), jnp.asarray(0.0))

    def update(x, g, s):
        acc, t = s
        t = t + 1.0
        if weight_decay:
            g = g + weight_decay * x
        clr = lr / (1.0 + (t - 1.0) * lr_decay)
        acc = acc + g * g
        return x + (-clr * g) / (jnp.sqrt(acc) + eps), (acc, t)

    return init, update


_FIRST_ORDER = {
    "sgd": _opt_sgd,
    "adam": _opt_adam,
    "adamw": _opt_adamw,
    "nadam": _opt_nadam,
    "rmsprop": _opt_rmsprop,
    "adagrad": _opt_adagrad,
}


def _compiled_run(f, opt, lo, hi, target, tol, sign):
    """The whole loop as one XLA while_loop: evaluate, test the stopping
    rules, step, clamp into the bounds; it runs until step `limit`."""
    init, update = opt
    vg = jax.value_and_grad(f)

    def run(x, s, k, D, limit):
        def cond(c):
            return (c[2] < limit) & (c[3] == 0)

        def body(c):
            x, s, k, _ = c
            loss, g = vg(x, D)
            stop = jnp.asarray(0)
            if tol is not None:
                blocked = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
                stop = jnp.where(jnp.all(blocked | (jnp.abs(g) < tol)), 2, stop)
            if target is not None:
                stop = jnp.where(loss <= sign * target, 1, stop)
            x2, s2 = update(x, g, s)
            x2 = jnp.clip(x2, lo, hi)
            keep = stop != 0
            x = jnp.where(keep, x, x2)
            s = jax.tree.map(lambda a, b: jnp.where(keep, a, b), s, s2)
            return x, s, k + jnp.where(keep, 0, 1), stop

        x, s, k, stop = lax.while_loop(cond, body, (x, s, k, jnp.asarray(0)))
        return x, s, k, stop

    return init, jax.jit(run)


def _time_run(run, x, s, D, steps):
    """With GRADLANG_EXPORT_TIMING=1: the compile time and the wall and CPU
    time per step of the compiled loop, on stderr (docs/scaling-out.md)."""
    import time

    args = (x, s, jnp.asarray(0), D, jnp.asarray(steps))
    t0 = time.perf_counter()
    compiled = run.lower(*args).compile()
    t1, c1 = time.perf_counter(), time.process_time()
    jax.block_until_ready(compiled(*args))
    t2, c2 = time.perf_counter(), time.process_time()
    print(
        "timing: compile %.3f s, %d steps, %.4f ms/step wall, %.4f ms/step cpu"
        % (t1 - t0, steps, (t2 - t1) * 1e3 / steps, (c2 - c1) * 1e3 / steps),
        file=sys.stderr,
    )


def _summary(verb, steps, initial, last, why):
    line = "%s: %d step%s, loss %s -> %s" % (
        verb,
        steps,
        "" if steps == 1 else "s",
        _format(initial),
        _format(last),
    )
    if why is not None:
        line += " (stopped early: %s)" % why
    print(line, flush=True)


def _why(code, target, tol):
    if isinstance(code, str):
        return code
    return {
        0: None,
        1: "loss reached the target %s" % _format(target) if target is not None else None,
        2: "every gradient entry below tol %s" % _format(tol) if tol is not None else None,
        3: "converged, no further progress possible",
        4: "the line search found no better point",
    }[code]


def _minimize(P, D, verb, loss, names, bounds, steps, options, target=None, tol=None, every=None, maximize=False):
    """gradlang's `minimize` (src/eval/minimize.rs): returns the new params."""
    x, unravel = ravel_pytree({n: P[n] for n in names})
    lo, hi = [], []
    for n in names:
        size = np.size(P[n])
        b = bounds.get(n)
        lo.append(np.broadcast_to(b[0], np.shape(P[n])).reshape(-1) if b else np.full(size, -np.inf))
        hi.append(np.broadcast_to(b[1], np.shape(P[n])).reshape(-1) if b else np.full(size, np.inf))
    lo, hi = jnp.asarray(np.concatenate(lo)), jnp.asarray(np.concatenate(hi))
    sign = -1.0 if maximize else 1.0

    def f(x, D):
        Q = dict(P)
        Q.update(unravel(x))
        return sign * loss(Q, D)

    f_jit = jax.jit(f)
    initial = float(f_jit(x, D))
    if verb in _FIRST_ORDER:
        init, run = _compiled_run(f, _FIRST_ORDER[verb](**options), lo, hi, target, tol, sign)
        s, k, stop = init(x), 0, 0
        if os.environ.get("GRADLANG_EXPORT_TIMING") == "1":
            _time_run(run, x, s, D, steps)
        while True:
            limit = steps if every is None else min(steps, (k // every + 1) * every)
            x, s, k, stop = run(x, s, jnp.asarray(k), D, jnp.asarray(limit))
            k, stop = int(k), int(stop)
            if stop != 0 or k >= steps:
                break
            print("%s step %d: loss %s" % (verb, k, _format(sign * float(f_jit(x, D)))), flush=True)
    elif verb == "newton":
        x, k, stop = _newton(f, x, D, lo, hi, steps, target, tol, sign, every, verb, **options)
    else:
        x, k, stop = _lbfgs(f, x, D, lo, hi, steps, target, tol, sign, **options)
    last = float(f_jit(x, D))
    _summary(verb, k, sign * initial, sign * last, _why(stop, target, tol))
    Q = dict(P)
    Q.update(unravel(x))
    return Q
