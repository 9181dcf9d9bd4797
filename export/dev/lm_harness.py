"""Checks src/export/runtime_lm.py against gradlang itself, independently of
the exporter: for each fit, a gradlang script (written to a temporary
folder) and the same residual written by hand in JAX; `_lm` runs on the
latter, `gradlang run --json` on the former, and the final params, steps,
stop text, final loss and (through `_covariance`) the standard errors are
compared.

    target/jax-venv/bin/python export/dev/lm_harness.py [NIST_FOLDER]

from the repository root, after `cargo build --release`. NIST_FOLDER
(default /work/shared/data/nist) holds NIST StRD's dat/ and csv/; the data
are read from there, never copied.
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NIST = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/nist"
GRADLANG = os.path.join(ROOT, "target", "release", "gradlang")

# The runtime as an exported program pastes it.
R = {}
source = "".join(
    open(os.path.join(ROOT, "src", "export", f)).read() + "\n"
    for f in ["runtime.py", "runtime_ops.py", "runtime_optim.py", "runtime_second.py", "runtime_lm.py"]
)
exec(compile(source, "runtime", "exec"), R)
np, jnp, jax = R["np"], R["jnp"], R["jax"]


def nist(name):
    """NIST's starts (two lists) and the data columns (y, x) of NAME."""
    starts = [[], []]
    for line in open(os.path.join(NIST, "dat", name + ".dat")):
        w = line.split()
        if len(w) == 6 and w[0].startswith("b") and w[1] == "=":
            starts[0].append(float(w[2]))
            starts[1].append(float(w[3]))
    data = np.loadtxt(os.path.join(NIST, "csv", name + ".csv"), delimiter=",", skiprows=1)
    return starts, data


def nist_case(name, start, model_gl, model_jax, x0=None, **kw):
    starts, data = nist(name)
    x0 = starts[start] if x0 is None else x0
    csv = os.path.join(NIST, "csv", name + ".csv")
    gl = 'let d = csv("%s")\nlet y = d[:, 0]\nlet x = d[:, 1]\n' % csv
    gl += "".join("param b%d = %r\n" % (i + 1, v) for i, v in enumerate(x0))
    gl += "residual = y - (%s)\nminimize with lm\n" % model_gl
    D = {"y": jnp.asarray(data[:, 0]), "x": jnp.asarray(data[:, 1])}
    return dict(
        name="%s start %d" % (name, start + 1),
        gl=gl,
        x0=x0,
        D=D,
        r=lambda b, D: D["y"] - model_jax(b, D["x"]),
        **kw,
    )


DECAY_T = np.linspace(0, 10, 21)
DECAY_Y = np.array([45.0, 38.7, 33.1, 28.4, 24.7, 21.4, 19.0, 17.2, 14.7, 13.1, 12.1,
                    10.9, 9.9, 8.8, 8.4, 8.1, 7.0, 6.9, 6.1, 6.1, 5.7])


def decay_case(name, gl_options="", **kw):
    gl = open(os.path.join(ROOT, "examples", "decay.gl")).read()
    gl = gl.replace("minimize with lm\n", "minimize with lm%s\n" % gl_options)
    return dict(
        name=name,
        gl=gl,
        x0=[10.0, 1.0, 0.0],
        D={"t": jnp.asarray(DECAY_T), "y": jnp.asarray(DECAY_Y)},
        r=lambda b, D: D["y"] - (b[0] * jnp.exp(-b[1] * D["t"]) + b[2]),
        **kw,
    )


def cubic_ratio(b, x):
    return (b[0] + b[1] * x + b[2] * x**2 + b[3] * x**3) / (1 + b[4] * x + b[5] * x**2 + b[6] * x**3)


CUBIC_GL = "(b1 + b2 * x + b3 * x^2 + b4 * x^3) / (1 + b5 * x + b6 * x^2 + b7 * x^3)"


def list_gl(v):
    return "[%s]" % ", ".join(repr(float(e)) for e in v)


def cases():
    out = [decay_case("decay.gl", alt=[("amplitude * exp(-rate * t)", "amplitude / exp(rate * t)")])]
    for s in (0, 1):
        out.append(nist_case("Misra1a", s, "b1 * (1 - exp(-b2 * x))",
                             lambda b, x: b[0] * (1 - jnp.exp(-b[1] * x)),
                             alt=[("b1 * (1 - exp(-b2 * x))", "b1 - b1 * exp(-b2 * x)")]))
        out.append(nist_case("Thurber", s, CUBIC_GL, cubic_ratio, alt=[("x^2", "x*x"), ("x^3", "x*x*x")]))
        out.append(nist_case("MGH09", s, "b1 * (x^2 + x * b2) / (x^2 + x * b3 + b4)",
                             lambda b, x: b[0] * (x**2 + x * b[1]) / (x**2 + x * b[2] + b[3]),
                             alt=[("x^2 + x * b2", "x * (x + b2)"), ("x^2 + x * b3 + b4", "x * (x + b3) + b4")]))
        out.append(nist_case("MGH10", s, "b1 * exp(b2 / (x + b3))",
                             lambda b, x: b[0] * jnp.exp(b[1] / (x + b[2])),
                             alt=[("b1 * exp(b2 / (x + b3))", "exp(log(b1) + b2 / (x + b3))")]))
        out.append(nist_case("Bennett5", s, "b1 * (b2 + x) ^ (-1 / b3)",
                             lambda b, x: b[0] * (b[1] + x) ** (-1 / b[2]),
                             alt=[("b1 * (b2 + x) ^ (-1 / b3)", "b1 * exp(log(b2 + x) * (-1 / b3))")]))
    # Two params the data cannot tell apart: W0009, NaN standard errors.
    rank = nist_case("Misra1a", 0, "(b1 + b2) * x / 1000 + b3",
                     lambda b, x: (b[0] + b[1]) * x / 1000 + b[2], x0=[1.0, 2.0, 0.5])
    rank["name"] = "rank-deficient (b1 + b2) * x + b3"
    out.append(rank)
    out.append(decay_case("decay.gl steps=3", " steps=3", steps=3))
    out.append(decay_case("decay.gl every=2, target=2", " every=2 target=2", every=2, target=2.0))
    out.append(decay_case("decay.gl tol=1", " tol=1", tol=1.0))
    out.append(decay_case("decay.gl maxfev=8", " maxfev=8", options={"maxfev": 8}))
    out.append(decay_case("decay.gl ftol=1e-6, xtol=1e-3, factor=1", " ftol=1e-6 xtol=1e-3 factor=1",
                          options={"ftol": 1e-6, "xtol": 1e-3, "factor": 1.0}))
    # Trial points where the residuals are NaN (x - b2 < 0): five of them.
    xs = np.linspace(1, 3, 15)
    ys = 3.0 * np.sqrt(xs - 0.99) + 0.01 * np.sin(7 * xs)
    out.append(dict(
        name="b1 * sqrt(x - b2), NaN trials",
        gl="let x = %s\nlet y = %s\nparam b1 = 1\nparam b2 = 0\nresidual = y - b1 * sqrt(x - b2)\nminimize with lm\n"
        % (list_gl(xs), list_gl(ys)),
        x0=[1.0, 0.0],
        D={"x": jnp.asarray(xs), "y": jnp.asarray(ys)},
        r=lambda b, D: D["y"] - b[0] * jnp.sqrt(D["x"] - b[1]),
        alt=[("b1 * sqrt(x - b2)", "sqrt(b1 * b1 * (x - b2))")],
    ))
    # Fewer residuals than params (lm pads the Jacobian with zero rows), and
    # a vector param (its entries are the flat vector).
    out.append(dict(
        name="one residual, two params",
        gl="param b1 = 1\nparam b2 = 3\nresidual = b1 * b2 - 2 + b1^2\nminimize with lm\n",
        x0=[1.0, 3.0],
        D={},
        r=lambda b, D: jnp.reshape(b[0] * b[1] - 2 + b[0] ** 2, (1,)),
    ))
    vec = decay_case("decay.gl with a vector param")
    vec["gl"] = vec["gl"].replace(
        "param amplitude = 10\nparam rate = 1\nparam background = 0\n", "param p = [10, 1, 0]\n"
    ).replace("amplitude * exp(-rate * t) + background", "p[0] * exp(-p[1] * t) + p[2]")
    vec["gl"] = vec["gl"][: vec["gl"].index("print")]
    out.append(vec)
    return out


def gradlang(gl):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "fit.gl")
        with open(path, "w") as f:
            f.write(gl)
        ran = subprocess.run([GRADLANG, "run", "--json", path], capture_output=True, text=True)
        js = json.loads(ran.stdout)
        if not js["minimizes"]:
            raise SystemExit("gradlang ran no minimize:\n%s\n%s" % (gl, ran.stderr))
        text = subprocess.run([GRADLANG, "run", path], capture_output=True, text=True).stdout
    return js, [line for line in text.splitlines() if line.startswith("lm step")]


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    d = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    d = np.where(both_nan, 0.0, d)
    return float(np.max(d)) if d.size else 0.0


def flat_params(js):
    """The final params of a `gradlang run --json` as one flat vector."""
    return np.concatenate([np.ravel(p["value"]) for p in js["params"].values()]).astype(float)


def run(case):
    js, progress = gradlang(case["gl"])
    mz = js["minimizes"][-1]
    want = flat_params(js)
    steps, target, tol = case.get("steps"), case.get("target"), case.get("tol")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        x, k, stop = R["_lm"](case["r"], jnp.asarray(case["x0"]), case["D"], steps, target, tol, 1.0,
                              case.get("every"), "lm", **case.get("options", {}))
    why = stop if isinstance(stop, str) else R["_why"](stop, target, tol)
    x = np.asarray(x)
    rvec = np.asarray(case["r"](jnp.asarray(x), case["D"]))
    loss = float(np.sum(rvec * rvec))
    row = dict(
        name=case["name"],
        params=rel(x, want),
        steps="%d/%d" % (k, mz["steps"]),
        stop_ok=(why or None) == mz.get("message"),
        stop=why,
        gl_stop=mz.get("message"),
        loss=rel(loss, mz["final_loss"]),
        progress_ok=[line for line in buf.getvalue().splitlines() if line.startswith("lm step")] == progress,
        progress=len(progress),
    )
    if "alt" in case:
        # gradlang against itself on the same model written another way:
        # how far rounding alone moves the end of this fit.
        gl = case["gl"]
        for old, new in case["alt"]:
            gl = gl.replace(old, new)
        assert gl != case["gl"], case["name"]
        other = gradlang(gl)[0]
        om = other["minimizes"][-1]
        row["self"] = "gradlang reformulated: params %.1e  steps %d/%d  stop %s" % (
            rel(flat_params(other), want), om["steps"], mz["steps"],
            "same" if om.get("message") == mz.get("message") else "DIFFERS")
    fit = mz.get("fit")
    if fit:
        J = np.asarray(jax.jacfwd(case["r"])(jnp.asarray(x), case["D"]))
        n, kk = J.shape
        cov, dependent, rank = R["_covariance"](J, n, kk)
        dof = n - rank
        s2 = loss / dof if dof > 0 else np.nan
        se = np.sqrt(np.diag(cov) * s2)
        gl_se = np.concatenate([np.ravel(np.array(v["value"], dtype=float)) for v in fit["stderr"].values()])
        row.update(stderr=rel(se, gl_se), dependent=dependent, dof_ok=dof == fit["dof"])
    return row


def main():
    worst = 0.0
    only = os.environ.get("LM_HARNESS_ONLY", "")
    for case in cases():
        if only not in case["name"]:
            continue
        r = run(case)
        ok = r["stop_ok"] and r["progress_ok"] and r["steps"].split("/")[0] == r["steps"].split("/")[1]
        worst = max(worst, r["params"])
        line = "%-40s params %.1e  steps %-9s stop %s  loss %.1e" % (
            r["name"], r["params"], r["steps"], "same" if r["stop_ok"] else "DIFFERS", r["loss"])
        if r["stop_ok"]:
            line += "  (%s)" % (r["stop"] or "ran every step")
        if "stderr" in r:
            line += "  stderr %.1e dep %s dof %s" % (r["stderr"], r["dependent"], "same" if r["dof_ok"] else "DIFFERS")
        if r["progress"]:
            line += "  %d progress lines %s" % (r["progress"], "same" if r["progress_ok"] else "DIFFER")
        elif not r["progress_ok"]:
            line += "  PROGRESS LINES DIFFER"
        print(("   " if ok else "!! ") + line)
        if not r["stop_ok"]:
            print("     jax: %s\n     gradlang: %s" % (r["stop"], r["gl_stop"]))
        if "self" in r:
            print("     (%s)" % r["self"])
    print("largest relative param difference: %.2e" % worst)


if __name__ == "__main__":
    main()
