# ---- minimize (src/export/runtime_optim.py) --------------------------------
# Each optimizer is a pair (init(x), update(x, g, state) -> (x, state)) on the
# flat vector of the params the loss reaches, as gradlang's src/optim/ works.
# optax where its rule is torch's; written out here where it is not. `lr` is
# a number, or with a schedule a function of the count of updates before
# this one (as optax takes schedules): the rates gradlang computed.


def _rate(lr, count):
    """The learning rate of the update after `count` updates."""
    return lr(count) if callable(lr) else lr


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
        return (jnp.zeros_like(x), jnp.asarray(0))

    def update(x, g, s):
        buf, count = s
        g = g + weight_decay * x
        buf = jnp.where(count == 0, g, momentum * buf + (1.0 - dampening) * g)
        return x - _rate(lr, count) * buf, (buf, count + 1)

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
        rate = _rate(lr, t - 1.0)
        if decoupled:
            x = x * (1.0 - rate * weight_decay)
        elif weight_decay:
            g = g + weight_decay * x
        m = m + (1.0 - beta1) * (g - m)
        v = beta2 * v + (1.0 - beta2) * g * g
        vmax = jnp.maximum(vmax, v)
        denom = jnp.sqrt(vmax) / jnp.sqrt(1.0 - beta2**t) + eps
        return x + (-rate / (1.0 - beta1**t)) * m / denom, (m, v, vmax, t)

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
        rate = _rate(lr, t - 1.0)
        x = x + ((-rate * (1.0 - mu_t)) / (1.0 - mu_product)) * g / denom
        x = x + ((-rate * mu_next) / (1.0 - mu_product * mu_next)) * m / denom
        return x, (m, v, t, mu_product)

    return init, update


def _opt_rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=0, weight_decay=0.0):
    if not centered:
        # torch: eps outside the square root, no bias correction, and the
        # momentum buffer before the learning rate (optax.rmsprop scales
        # first, which differs once a schedule changes the rate).
        if momentum:
            rms = optax.scale_by_rms(decay=alpha, eps=eps, eps_in_sqrt=False)
            tx = optax.chain(rms, optax.trace(decay=momentum), optax.scale_by_learning_rate(lr))
        else:
            tx = optax.rmsprop(lr, decay=alpha, eps=eps, eps_in_sqrt=False)
        return _optax(_decayed(weight_decay, tx))

    # Centered: torch's rule written out (the variance, then eps outside sqrt).
    def init(x):
        z = jnp.zeros_like(x)
        return (z, z, z, jnp.asarray(0))

    def update(x, g, s):
        sq, avg, buf, count = s
        rate = _rate(lr, count)
        if weight_decay:
            g = g + weight_decay * x
        sq = alpha * sq + (1.0 - alpha) * g * g
        avg = avg + (1.0 - alpha) * (g - avg)
        denom = jnp.sqrt(sq - avg * avg) + eps
        if momentum > 0:
            buf = momentum * buf + g / denom
            return x - rate * buf, (sq, avg, buf, count + 1)
        return x + (-rate * g) / denom, (sq, avg, buf, count + 1)

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
        clr = _rate(lr, t - 1.0) / (1.0 + (t - 1.0) * lr_decay)
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


def _batcher(batches, D):
    """gradlang's mini-batches (src/eval/batch.rs) over the row orders it
    drew: (batches per epoch, at(D, t, fn)), where `at` calls fn on the data
    of step t, whose batched names hold only that step's rows. The last
    batch of an epoch may be smaller: a second, static shape under lax.cond."""
    names, orders, size = batches
    orders = jnp.asarray(np.asarray(orders).astype(np.int64))
    rows = orders.shape[1]
    per_epoch = -(-rows // size)
    whole = rows // size

    def at(D, t, fn):
        order = orders[jnp.minimum(t // per_epoch, orders.shape[0] - 1)]
        k = t % per_epoch

        def pick(idx):
            Q = dict(D)
            for n in names:
                Q[n] = jnp.take(D[n], idx, axis=0)
            return fn(Q)

        def full(_):
            return pick(lax.dynamic_slice_in_dim(order, k * size, size))

        if whole == per_epoch:
            return full(None)
        return lax.cond(k < whole, full, lambda _: pick(order[whole * size :]), None)

    return per_epoch, at


def _compiled_run(f, opt, lo, hi, target, tol, sign, at):
    """The whole loop as one XLA while_loop: evaluate (on step k's batch,
    with mini-batches), test the stopping rules, step, clamp into the
    bounds; it runs until step `limit`. The carry keeps the last loss
    evaluated (the last batch's, for the summary)."""
    init, update = opt
    vg = jax.value_and_grad(f)

    def run(x, s, k, D, limit):
        def cond(c):
            return (c[2] < limit) & (c[3] == 0)

        def body(c):
            x, s, k, _, _ = c
            loss, g = vg(x, D) if at is None else at(D, k, lambda Q: vg(x, Q))
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
            return x, s, k + jnp.where(keep, 0, 1), stop, loss

        return lax.while_loop(cond, body, (x, s, k, jnp.asarray(0), jnp.asarray(jnp.nan)))

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


def _summary(verb, steps, initial, last, why, batches=None):
    """gradlang's summary line; `batches` = (size, per epoch, rows, the last
    batch's loss or None) with mini-batches."""
    line = "%s: %d step%s" % (verb, steps, "" if steps == 1 else "s")
    if batches is not None:
        line += " in batches of %d (%d per epoch)" % batches[:2]
    line += ", loss %s -> %s" % (_format(initial), _format(last))
    if batches is not None:
        line += " on all %d rows" % batches[2]
        if batches[3] is not None:
            line += ", last batch %s" % _format(batches[3])
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


def _minimize(P, D, verb, loss, names, bounds, options, steps=None, target=None, tol=None, every=None,
              maximize=False, lrs=None, batches=None, residual=None):
    """gradlang's `minimize` (src/eval/minimize.rs): returns the new params.
    `steps` None: no limit (lm stops on its own tests);
    `lrs`: the learning rate of every step, from gradlang's schedule;
    `batches`: (the batched names, each epoch's row order, the batch size);
    `residual`: the residuals' function when the loss is a `residual`'s."""
    global _FIT
    _FIT = None
    # Flat in declaration order, as gradlang's vector and the bounds below
    # (a dict would be flattened in the order of its sorted keys).
    x, unravel = ravel_pytree([P[n] for n in names])

    lo, hi = [], []
    for n in names:
        size = np.size(P[n])
        b = bounds.get(n)
        lo.append(np.broadcast_to(b[0], np.shape(P[n])).reshape(-1) if b else np.full(size, -np.inf))
        hi.append(np.broadcast_to(b[1], np.shape(P[n])).reshape(-1) if b else np.full(size, np.inf))
    lo, hi = jnp.asarray(np.concatenate(lo)), jnp.asarray(np.concatenate(hi))
    sign = -1.0 if maximize else 1.0

    def params_at(x):
        """The params with the optimized ones at the flat vector x."""
        Q = dict(P)
        Q.update(zip(names, unravel(x)))
        return Q

    def f(x, D):
        return sign * loss(params_at(x), D)

    def r(x, D):
        return jnp.ravel(residual(params_at(x), D))

    f_jit = jax.jit(f)
    initial = float(f_jit(x, D))
    per_epoch, at = _batcher(batches, D) if batches is not None else (None, None)
    last_batch = None
    if verb in _FIRST_ORDER:
        if lrs is not None:
            table = jnp.asarray(np.asarray(lrs, dtype=np.float64))
            options = dict(options, lr=lambda n: table[jnp.minimum(jnp.asarray(n).astype(jnp.int64), table.shape[0] - 1)])
        init, run = _compiled_run(f, _FIRST_ORDER[verb](**options), lo, hi, target, tol, sign, at)
        s, k, stop = init(x), 0, 0
        if os.environ.get("GRADLANG_EXPORT_TIMING") == "1":
            _time_run(run, x, s, D, steps)
        if every is not None and at is not None:
            batch_loss = jax.jit(lambda x, D, t: at(D, t, lambda Q: f(x, Q)))
        while True:
            limit = steps if every is None else min(steps, (k // every + 1) * every)
            x, s, k, stop, last_batch = run(x, s, jnp.asarray(k), D, jnp.asarray(limit))
            k, stop = int(k), int(stop)
            if stop != 0 or k >= steps:
                break
            if at is None:
                print("%s step %d: loss %s" % (verb, k, _format(sign * float(f_jit(x, D)))), flush=True)
            else:
                value = sign * float(batch_loss(x, D, jnp.asarray(k)))
                print("%s step %d (epoch %d): batch loss %s" % (verb, k, k // per_epoch + 1, _format(value)), flush=True)
    elif verb == "lm":
        x, k, stop = _lm(r, x, D, steps, target, tol, sign, every, verb, **options)
    elif verb == "newton":
        x, k, stop = _newton(f, x, D, lo, hi, steps, target, tol, sign, every, verb, **options)
    else:
        x, k, stop = _lbfgs(f, x, D, lo, hi, steps, target, tol, sign, every, verb, lrs=lrs, **options)
    last = float(f_jit(x, D))
    shown = None
    if batches is not None:
        rows = np.shape(batches[1])[1]
        evaluated = None if steps == 0 else sign * float(last_batch)
        shown = (batches[2], per_epoch, rows, evaluated)
    _summary(verb, k, sign * initial, sign * last, _why(stop, target, tol), shown)
    if residual is not None:
        _fit(r, x, D, names, [np.shape(P[n]) for n in names])
    if last > initial:
        print(
            "warning[W0003]: the loss %s during this %s (loss %s -> %s)"
            % ("fell" if maximize else "rose", "maximize" if maximize else "minimize",
               _format(sign * initial), _format(sign * last)),
            file=sys.stderr,
        )
    return params_at(x)
